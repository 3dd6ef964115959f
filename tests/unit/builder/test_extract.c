/* Safe extraction: every malicious archive is an error naming the entry
 * and writes nothing outside the root; whiteouts on a merged tree;
 * compressed layers and their diff_id; broken input; a layer without its
 * trailer; a parent directory replaced while its files are extracted. */
#include "builder/digest.h"
#include "builder/extract.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];     /* the test's temporary directory */
static char root[700];    /* extraction root: dir/root */
static char outside[700]; /* dir/outside, holding only "secret" */

struct ent {
    char type; /* f file, d dir, l symlink, h hard link, c char device, p fifo */
    const char *path;
    const char *arg; /* content, or link target */
};

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-extract-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(outside, sizeof outside, "%s/outside", dir);
    if (mkdir(root, 0755) || mkdir(outside, 0755))
        return -1;
    char p[800];
    snprintf(p, sizeof p, "%s/secret", outside);
    FILE *fp = fopen(p, "w");
    if (!fp)
        return -1;
    fputs("secret", fp);
    fclose(fp);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

/* Writes a tar of the entries to dir/name through the given libarchive
 * filter (ARCHIVE_FILTER_NONE, _GZIP, _XZ, _ZSTD). */
static void make_tar(const char *name, const struct ent *ents, size_t n, int filter)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter != ARCHIVE_FILTER_NONE)
        assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, ents[i].path);
        archive_entry_set_mtime(e, 1000, 0);
        size_t size = 0;
        switch (ents[i].type) {
        case 'f':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            size = strlen(ents[i].arg);
            break;
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            break;
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_symlink(e, ents[i].arg);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_hardlink(e, ents[i].arg);
            break;
        case 'c':
            archive_entry_set_filetype(e, AE_IFCHR);
            archive_entry_set_perm(e, 0600);
            archive_entry_set_rdevmajor(e, 1);
            archive_entry_set_rdevminor(e, 3);
            break;
        case 'p':
            archive_entry_set_filetype(e, AE_IFIFO);
            archive_entry_set_perm(e, 0600);
            break;
        }
        archive_entry_set_size(e, (la_int64_t)size);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (size)
            assert_int_equal(archive_write_data(a, ents[i].arg, size), (la_ssize_t)size);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static int extract(const char *name, enum bld_whiteout_mode mode, struct bld_extract_result *r,
                   struct err *e)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct bld_extract_opts o = { mode, false };
    return bld_extract_file(path, root, &o, r, e);
}

/* Nothing may appear outside the root: the temporary directory holds only
 * root/, outside/ and the test's archives, and outside/ only its secret. */
static void assert_nothing_outside(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "root") || !strcmp(n, "outside") ||
            strstr(n, ".tar"))
            continue;
        fail_msg("unexpected '%s' beside the root", n);
    }
    closedir(d);
    d = opendir(outside);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "secret"))
            fail_msg("unexpected '%s' in outside/", n);
    }
    closedir(d);
    char p[800], buf[16] = { 0 };
    snprintf(p, sizeof p, "%s/secret", outside);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "secret");
}

/* The archive must fail, with fragment in the message, touching nothing
 * outside. */
static void expect_refused(const struct ent *ents, size_t n, const char *fragment)
{
    make_tar("bad.tar", ents, n, ARCHIVE_FILTER_NONE);
    struct err e;
    int rc = extract("bad.tar", BLD_WHITEOUT_APPLY, NULL, &e);
    if (rc == 0)
        fail_msg("archive accepted, wanted an error with '%s'", fragment);
    if (!strstr(e.msg, fragment))
        fail_msg("message '%s' lacks '%s'", e.msg, fragment);
    assert_nothing_outside();
}

static void test_absolute_path(void **state)
{
    (void)state;
    char abs[900];
    snprintf(abs, sizeof abs, "%s/pwned", outside);
    struct ent ents[] = { { 'f', abs, "x" } };
    expect_refused(ents, 1, "absolute path");
    char frag[1000];
    snprintf(frag, sizeof frag, "entry '%s'", abs);
    struct err e;
    assert_int_not_equal(extract("bad.tar", BLD_WHITEOUT_APPLY, NULL, &e), 0);
    assert_non_null(strstr(e.msg, frag)); /* the message names the entry */
}

static void test_dotdot(void **state)
{
    (void)state;
    struct ent one[] = { { 'f', "../outside/pwned", "x" } };
    expect_refused(one, 1, "'..' component");
    struct ent two[] = { { 'd', "a", NULL }, { 'f', "a/../../outside/pwned", "x" } };
    expect_refused(two, 2, "entry 'a/../../outside/pwned'");
    struct ent three[] = { { 'h', "h", "../outside/secret" } };
    expect_refused(three, 1, "'..' component");
}

static void test_symlink_then_write_through(void **state)
{
    (void)state;
    /* a -> <outside> (absolute), then a/pwned: the classic escape. */
    struct ent ents[] = { { 'l', "a", outside }, { 'f', "a/pwned", "gotcha" } };
    expect_refused(ents, 2, "entry 'a/pwned'");
    /* The same through a directory symlink created first, then a deeper path. */
    struct ent deeper[] = { { 'l', "etc", "/etc" }, { 'f', "etc/cron.d/x", "gotcha" } };
    expect_refused(deeper, 2, "symlink 'etc' to absolute");
}

static void test_relative_symlink_escape(void **state)
{
    (void)state;
    struct ent ents[] = { { 'l', "a", "../outside" }, { 'f', "a/pwned", "x" } };
    expect_refused(ents, 2, "leads outside the root");
    struct ent nested[] = { { 'd', "d", NULL }, { 'l', "d/up", "../../outside" } };
    expect_refused(nested, 2, "entry 'd/up'");
    /* A symlink loop is an error, not a hang. */
    struct ent loop[] = { { 'l', "x", "y" }, { 'l', "y", "x" }, { 'f', "x/f", "z" } };
    expect_refused(loop, 3, "too many levels of symlinks");
}

static void test_hardlink_outside(void **state)
{
    (void)state;
    char abs[900];
    snprintf(abs, sizeof abs, "%s/secret", outside);
    struct ent one[] = { { 'h', "h", abs } };
    expect_refused(one, 1, "absolute hard link target");
    /* through a symlink to outside */
    struct ent two[] = { { 'l', "s", outside }, { 'h', "h", "s/secret" } };
    expect_refused(two, 2, "entry 'h'");
    /* and the secret was not linked anywhere into the root */
    char p[800];
    snprintf(p, sizeof p, "%s/secret", outside);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_nlink, 1);
}

static void test_existing_symlink_is_replaced_not_followed(void **state)
{
    (void)state;
    /* A lower layer left f -> <outside>/secret; this layer writes f. */
    char link[800];
    snprintf(link, sizeof link, "%s/secret", outside);
    struct ent lower[] = { { 'l', "f", link } };
    make_tar("lower.tar", lower, 1, ARCHIVE_FILTER_NONE);
    struct err e;
    assert_int_equal(extract("lower.tar", BLD_WHITEOUT_APPLY, NULL, &e), 0);
    struct ent upper[] = { { 'f', "f", "overwritten" } };
    make_tar("upper.tar", upper, 1, ARCHIVE_FILTER_NONE);
    assert_int_equal(extract("upper.tar", BLD_WHITEOUT_APPLY, NULL, &e), 0);
    assert_nothing_outside();
    char p[800];
    snprintf(p, sizeof p, "%s/f", root);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 11);
}

static int child_extract_device(void)
{
    struct ent dev[] = { { 'c', "null", NULL } };
    (void)dev;
    char path[800];
    snprintf(path, sizeof path, "%s/dev.tar", dir);
    struct bld_extract_opts o = { BLD_WHITEOUT_APPLY, false };
    struct err e;
    int rc = bld_extract_file(path, root, &o, NULL, &e);
    if (rc == 0)
        return 1;
    return strstr(e.msg, "device node refused") && strstr(e.msg, "entry 'null'") ? 0 : 2;
}

static void test_device_node_as_non_root(void **state)
{
    (void)state;
    struct ent dev[] = { { 'c', "null", NULL } };
    make_tar("dev.tar", dev, 1, ARCHIVE_FILTER_NONE);
    if (geteuid() != 0) {
        assert_int_equal(child_extract_device(), 0);
        return;
    }
    /* As root, drop to nobody in a child to see the refusal. */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chown(root, 65534, 65534), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(3);
        _exit(child_extract_device());
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char p[800];
    snprintf(p, sizeof p, "%s/null", root);
    assert_int_equal(access(p, F_OK), -1);
}

static void test_in_root_symlink_is_followed(void **state)
{
    (void)state;
    /* usrmerge-style: lib -> usr/lib, then lib/x lands in usr/lib/x. */
    struct ent ents[] = {
        { 'd', "usr", NULL },   { 'd', "usr/lib", NULL },          { 'l', "lib", "usr/lib" },
        { 'f', "lib/x", "so" }, { 'l', "usr/lib/self", "../lib" }, { 'f', "usr/lib/self/y", "yy" },
        { 'h', "z", "lib/x" }
    };
    make_tar("ok.tar", ents, DW_ARRAY_LEN(ents), ARCHIVE_FILTER_NONE);
    struct err e;
    if (extract("ok.tar", BLD_WHITEOUT_APPLY, NULL, &e) != 0)
        fail_msg("extract: %s", e.msg);
    char p[800];
    struct stat st, sz;
    snprintf(p, sizeof p, "%s/usr/lib/x", root);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    snprintf(p, sizeof p, "%s/usr/lib/y", root);
    assert_int_equal(lstat(p, &st), 0);
    snprintf(p, sizeof p, "%s/usr/lib/x", root);
    assert_int_equal(lstat(p, &st), 0);
    snprintf(p, sizeof p, "%s/z", root);
    assert_int_equal(lstat(p, &sz), 0);
    assert_int_equal(st.st_ino, sz.st_ino);
    assert_nothing_outside();
}

static bool exists(const char *rel)
{
    char p[800];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static void test_whiteouts_on_merged_tree(void **state)
{
    (void)state;
    struct ent lower[] = { { 'f', "keep", "k" },     { 'f', "gone", "g" },
                           { 'd', "gonedir", NULL }, { 'f', "gonedir/f", "f" },
                           { 'd', "d", NULL },       { 'f', "d/old", "o" },
                           { 'd', "d/sub", NULL },   { 'f', "d/sub/old2", "o" } };
    make_tar("lower.tar", lower, DW_ARRAY_LEN(lower), ARCHIVE_FILTER_NONE);
    struct err e;
    assert_int_equal(extract("lower.tar", BLD_WHITEOUT_APPLY, NULL, &e), 0);
    /* "d/!early" sorts before the opaque marker and belongs to this layer. */
    struct ent upper[] = { { 'f', "d/!early", "e" },   { 'f', "d/.wh..wh..opq", "" },
                           { 'f', "d/new", "n" },      { 'f', ".wh.gone", "" },
                           { 'f', ".wh.gonedir", "" }, { 'f', ".wh.never-existed", "" } };
    make_tar("upper.tar", upper, DW_ARRAY_LEN(upper), ARCHIVE_FILTER_NONE);
    struct bld_extract_result r;
    if (extract("upper.tar", BLD_WHITEOUT_APPLY, &r, &e) != 0)
        fail_msg("extract: %s", e.msg);
    assert_int_equal(r.whiteouts, 4);
    assert_true(exists("keep"));
    assert_false(exists("gone"));
    assert_false(exists("gonedir"));
    assert_true(exists("d/!early"));
    assert_true(exists("d/new"));
    assert_false(exists("d/old"));
    assert_false(exists("d/sub"));
    assert_false(exists(".wh.gone"));
    assert_false(exists("d/.wh..wh..opq"));
    /* a whiteout name that means nothing */
    struct ent bad[] = { { 'f', ".wh..", "" } };
    expect_refused(bad, 1, "invalid whiteout name");
}

static void test_compressed_layers_and_diff_id(void **state)
{
    (void)state;
    struct ent ents[] = { { 'd', "etc", NULL }, { 'f', "etc/hostname", "box\n" } };
    make_tar("plain.tar", ents, 2, ARCHIVE_FILTER_NONE);
    char p[800];
    snprintf(p, sizeof p, "%s/plain.tar", dir);
    struct bld_digest want, got_file;
    uint64_t size;
    struct err e;
    assert_int_equal(bld_digest_file(p, &want, &size, &e), 0);
    static const struct {
        int filter;
        const char *name, *file;
    } kinds[] = { { ARCHIVE_FILTER_NONE, NULL, "p.tar" },
                  { ARCHIVE_FILTER_GZIP, "gzip", "g.tar" },
                  { ARCHIVE_FILTER_XZ, "xz", "x.tar" },
                  { ARCHIVE_FILTER_ZSTD, "zstd", "z.tar" } };
    for (size_t k = 0; k < DW_ARRAY_LEN(kinds); k++) {
        make_tar(kinds[k].file, ents, 2, kinds[k].filter);
        struct bld_extract_result r;
        if (extract(kinds[k].file, BLD_WHITEOUT_APPLY, &r, &e) != 0)
            fail_msg("%s: %s", kinds[k].file, e.msg);
        assert_true(bld_digest_eq(&r.diff_id, &want));
        assert_int_equal(r.tar_size, size);
        if (kinds[k].name)
            assert_string_equal(r.filter, kinds[k].name);
        else
            assert_null(r.filter);
        assert_true(exists("etc/hostname"));
    }
    (void)got_file;
}

/* The extractor keeps the last parent directory open between entries: an
 * entry that replaces that directory (here by a symlink) must send the
 * next file through the new path, not into the removed directory. */
static void test_replaced_parent_directory(void **state)
{
    (void)state;
    struct ent ents[] = { { 'd', "e", NULL },  { 'd', "d", NULL },         { 'f', "d/a", "1" },
                          { 'l', "d", "e" },   { 'f', "d/b", "2" },        { 'd', "x", NULL },
                          { 'f', "x/f", "3" }, { 'f', "x", "now a file" }, { 'd', "y", NULL },
                          { 'f', "y/g", "4" } };
    make_tar("replace.tar", ents, DW_ARRAY_LEN(ents), ARCHIVE_FILTER_NONE);
    struct err e;
    if (extract("replace.tar", BLD_WHITEOUT_APPLY, NULL, &e) != 0)
        fail_msg("extract: %s", e.msg);
    struct stat st;
    char p[800];
    snprintf(p, sizeof p, "%s/d", root);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_true(exists("e/b"));
    assert_false(exists("e/a"));
    snprintf(p, sizeof p, "%s/x", root);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_true(exists("y/g"));
    assert_nothing_outside();
}

/* umoci 0.4's `insert` layers stop right after the last file's data: no
 * padding to the block, no end-of-archive blocks. bsdtar and Go's reader
 * accept them, so must we; data itself cut short stays an error. */
static void test_missing_trailer(void **state)
{
    (void)state;
    struct ent ents[] = { { 'd', "srv", NULL },
                          { 'f', "srv/skipped", "read by nobody\n" },
                          { 'f', "srv/n", "inserted\n" } };
    make_tar("cut.tar", ents, DW_ARRAY_LEN(ents), ARCHIVE_FILTER_NONE);
    char p[800];
    snprintf(p, sizeof p, "%s/cut.tar", dir);
    /* three headers, the first file's padded data, then 9 bytes */
    assert_int_equal(truncate(p, 4 * 512 + 9), 0);
    struct bld_digest want;
    uint64_t size;
    struct err e;
    assert_int_equal(bld_digest_file(p, &want, &size, &e), 0);
    struct bld_extract_result r;
    if (extract("cut.tar", BLD_WHITEOUT_APPLY, &r, &e) != 0)
        fail_msg("extract: %s", e.msg);
    assert_true(bld_digest_eq(&r.diff_id, &want));
    assert_int_equal(r.tar_size, 4 * 512 + 9);
    assert_int_equal(r.entries, 3);
    char q[800], got[32] = { 0 };
    snprintf(q, sizeof q, "%s/srv/n", root);
    FILE *fp = fopen(q, "r");
    assert_non_null(fp);
    assert_int_equal(fread(got, 1, sizeof got - 1, fp), 9);
    fclose(fp);
    assert_string_equal(got, "inserted\n");

    /* A reader that skips every entry's data sees the same end. */
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    struct bld_tar_stream ts;
    assert_int_equal(bld_tar_stream_open(&ts, fd, "cut.tar", &e), 0);
    struct archive_entry *ae;
    int n = 0, rc;
    while ((rc = bld_tar_stream_next(&ts, &ae, &e)) == 1)
        n++;
    assert_int_equal(rc, 0);
    assert_int_equal(n, 3);
    struct bld_digest skipped;
    assert_int_equal(bld_tar_stream_finish(&ts, &skipped, NULL, &e), 0);
    assert_true(bld_digest_eq(&skipped, &want));
    bld_tar_stream_close(&ts);
    close(fd);

    /* One byte of data less is a truncated archive, read or skipped. */
    assert_int_equal(truncate(p, 4 * 512 + 8), 0);
    assert_true(extract("cut.tar", BLD_WHITEOUT_APPLY, NULL, &e) < 0);
    assert_non_null(strstr(e.msg, "srv/n"));
    fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(bld_tar_stream_open(&ts, fd, "cut.tar", &e), 0);
    while ((rc = bld_tar_stream_next(&ts, &ae, &e)) == 1)
        continue;
    assert_true(rc < 0);
    bld_tar_stream_close(&ts);
    close(fd);
    assert_nothing_outside();
}

static void test_broken_input(void **state)
{
    (void)state;
    char p[800];
    struct err e;
    snprintf(p, sizeof p, "%s/empty.tar", dir);
    FILE *fp = fopen(p, "w");
    fclose(fp);
    assert_int_equal(extract("empty.tar", BLD_WHITEOUT_APPLY, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "empty"));
    snprintf(p, sizeof p, "%s/junk.tar", dir);
    fp = fopen(p, "w");
    for (int i = 0; i < 100; i++)
        fputs("this is not a tar archive at all\n", fp);
    fclose(fp);
    assert_int_equal(extract("junk.tar", BLD_WHITEOUT_APPLY, NULL, &e), ERR_INVALID);
    /* a tar cut in the middle of a file's data */
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    struct ent ents[] = { { 'f', "big", big } };
    make_tar("full.tar", ents, 1, ARCHIVE_FILTER_NONE);
    snprintf(p, sizeof p, "%s/full.tar", dir);
    assert_int_equal(truncate(p, 2048), 0);
    int rc = extract("full.tar", BLD_WHITEOUT_APPLY, NULL, &e);
    assert_true(rc < 0);
    assert_nothing_outside();
    /* a missing file and a missing root */
    assert_int_equal(extract("nope.tar", BLD_WHITEOUT_APPLY, NULL, &e), ERR_IO);
    struct bld_extract_opts o = { BLD_WHITEOUT_APPLY, false };
    assert_int_equal(bld_extract_file(p, outside, &o, NULL, &e) < 0, 1);
    snprintf(p, sizeof p, "%s/plain-missing-root", dir);
    assert_int_equal(bld_extract_file(p, p, &o, NULL, &e), ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_absolute_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotdot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_then_write_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_symlink_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hardlink_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_symlink_is_replaced_not_followed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_device_node_as_non_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_root_symlink_is_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whiteouts_on_merged_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compressed_layers_and_diff_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_trailer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_parent_directory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
