/* The layer writer: reproducible bytes, SOURCE_DATE_EPOCH, sorted entries,
 * normalised headers, hard links, opaque directories (user.* xattr), the
 * gzip header, the counts, the digests, and a round trip through
 * extraction. */
#include "builder/extract.h"
#include "builder/layer.h"
#include "builder/store.h"

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
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <zlib.h>

static char dir[512];
static bool have_user_xattr;

static void put(const char *rel, const char *content, size_t n, mode_t mode)
{
    char p[700];
    snprintf(p, sizeof p, "%s/src/%s", dir, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, n), (ssize_t)n);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void mk(const char *rel, mode_t mode)
{
    char p[700];
    snprintf(p, sizeof p, "%s/src/%s", dir, rel);
    assert_int_equal(mkdir(p, mode), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-layer-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char p[700];
    snprintf(p, sizeof p, "%s/src", dir);
    mkdir(p, 0755);
    mk("a", 0750);
    mk("empty", 0700);
    mk("opq", 0755);
    put("b.txt", "hello", 5, 0644);
    static char big[200000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)((i * 2654435761u) >> 13);
    put("a/x", big, sizeof big, 0755);
    put("a-b", "dash", 4, 0600);
    put("opq/kept", "k", 1, 0644);
    char x[700], y[700];
    snprintf(x, sizeof x, "%s/src/a/x", dir);
    snprintf(y, sizeof y, "%s/src/a/y", dir);
    if (link(x, y) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/src/link", dir);
    if (symlink("a/x", p) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/src/fifo", dir);
    if (mkfifo(p, 0640) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/src/opq", dir);
    have_user_xattr = setxattr(p, "user.overlay.opaque", "y", 1, 0) == 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

static void write_layer(const char *name, const struct bld_layer_opts *o,
                        struct bld_layer_info *info)
{
    char src[700], out[700];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(out, sizeof out, "%s/%s", dir, name);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    struct err e;
    if (bld_layer_write_fd(src, o, fd, info, &e) != 0)
        fail_msg("bld_layer_write_fd: %s", e.msg);
    close(fd);
}

static void test_reproducible(void **state)
{
    (void)state;
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info i1, i2;
    write_layer("one.tgz", &o, &i1);
    /* Touch everything: mtimes must not matter. */
    char p[700];
    snprintf(p, sizeof p, "%s/src/b.txt", dir);
    struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    write_layer("two.tgz", &o, &i2);
    assert_true(bld_digest_eq(&i1.diff_id, &i2.diff_id));
    assert_true(bld_digest_eq(&i1.digest, &i2.digest));
    assert_int_equal(i1.size, i2.size);
    /* The digests are those of the bytes written. */
    char path[700];
    snprintf(path, sizeof path, "%s/one.tgz", dir);
    struct bld_digest d;
    uint64_t size;
    struct err e;
    assert_int_equal(bld_digest_file(path, &d, &size, &e), 0);
    assert_true(bld_digest_eq(&d, &i1.digest));
    assert_int_equal(size, i1.size);
    int fd = open(path, O_RDONLY);
    struct bld_tar_stream tsr;
    assert_int_equal(bld_tar_stream_open(&tsr, fd, path, &e), 0);
    assert_string_equal(tsr.filter, "gzip");
    uint64_t tar_size;
    assert_int_equal(bld_tar_stream_finish(&tsr, &d, &tar_size, &e), 0);
    bld_tar_stream_close(&tsr);
    close(fd);
    assert_true(bld_digest_eq(&d, &i1.diff_id));
    assert_int_equal(tar_size, i1.tar_size);
    /* gzip header: no name flag, mtime 0, OS 255 */
    unsigned char h[10];
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, h, 10), 10);
    close(fd);
    static const unsigned char want[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
    assert_memory_equal(h, want, 10);
    /* Counts: files are non-directories (b.txt a/x a/y a-b opq/kept link fifo). */
    assert_int_equal(i1.files, 7);
    assert_int_equal(i1.content_bytes, 5 + 200000 + 4 + 1);
    assert_int_equal(i1.whiteouts, have_user_xattr ? 1 : 0);
}

struct seen {
    char name[256];
    mode_t type;
    int64_t mtime;
    bool atime, ctime;
    char uname[32];
    char link[256];
    char hardlink[256];
    int64_t size;
};

static size_t read_back(const char *name, struct seen *out, size_t max)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
    struct archive_entry *e;
    size_t n = 0;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK && n < max) {
        struct seen *s = &out[n++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", archive_entry_pathname(e));
        size_t l = strlen(s->name);
        if (l > 1 && s->name[l - 1] == '/')
            s->name[l - 1] = '\0';
        s->type = archive_entry_filetype(e);
        s->mtime = archive_entry_mtime(e);
        s->atime = archive_entry_atime_is_set(e);
        s->ctime = archive_entry_ctime_is_set(e);
        snprintf(s->uname, sizeof s->uname, "%s",
                 archive_entry_uname(e) ? archive_entry_uname(e) : "");
        snprintf(s->link, sizeof s->link, "%s",
                 archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        snprintf(s->hardlink, sizeof s->hardlink, "%s",
                 archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "");
        s->size = archive_entry_size(e);
    }
    archive_read_free(a);
    return n;
}

static const struct seen *find(const struct seen *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].name, name) == 0)
            return &s[i];
    return NULL;
}

static void test_sorted_and_normalised(void **state)
{
    (void)state;
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info info;
    write_layer("l.tgz", &o, &info);
    struct seen s[64];
    size_t n = read_back("l.tgz", s, 64);
    assert_int_equal(n, info.entries);
    for (size_t i = 1; i < n; i++)
        if (strcmp(s[i - 1].name, s[i].name) >= 0)
            fail_msg("entries out of byte order: '%s' before '%s'", s[i - 1].name, s[i].name);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s[i].mtime, 0);
        assert_false(s[i].atime);
        assert_false(s[i].ctime);
        assert_string_equal(s[i].uname, "");
    }
    /* byte order puts "a-b" between "a" and "a/x" */
    assert_string_equal(s[0].name, "a");
    assert_string_equal(s[1].name, "a-b");
    assert_string_equal(s[2].name, "a/x");
    const struct seen *y = find(s, n, "a/y");
    assert_non_null(y);
    assert_string_equal(y->hardlink, "a/x");
    assert_int_equal(y->size, 0);
    const struct seen *l = find(s, n, "link");
    assert_non_null(l);
    assert_int_equal(l->type, AE_IFLNK);
    assert_string_equal(l->link, "a/x");
    const struct seen *f = find(s, n, "fifo");
    assert_non_null(f);
    assert_int_equal(f->type, AE_IFIFO);
    if (have_user_xattr) {
        const struct seen *op = find(s, n, "opq/.wh..wh..opq");
        assert_non_null(op);
        assert_int_equal(op->type, AE_IFREG);
        assert_int_equal(op->size, 0);
    }
}

static void test_source_date_epoch(void **state)
{
    (void)state;
    struct err e;
    int64_t epoch = -1;
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(bld_source_date_epoch(&epoch, &e), 0);
    assert_int_equal(epoch, 0);
    setenv("SOURCE_DATE_EPOCH", "12abc", 1);
    assert_int_equal(bld_source_date_epoch(&epoch, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "SOURCE_DATE_EPOCH"));
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    assert_int_equal(bld_source_date_epoch(&epoch, &e), 0);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(epoch, 1700000000);
    struct bld_layer_opts o = { epoch, false, 0 };
    struct bld_layer_info with, without;
    write_layer("e.tgz", &o, &with);
    struct seen s[64];
    size_t n = read_back("e.tgz", s, 64);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s[i].mtime, 1700000000);
    o.epoch = 0;
    write_layer("z.tgz", &o, &without);
    assert_false(bld_digest_eq(&with.diff_id, &without.diff_id));
}

static void test_round_trip_through_extraction(void **state)
{
    (void)state;
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info info;
    write_layer("rt.tgz", &o, &info);
    char out[700], path[1024];
    snprintf(out, sizeof out, "%s/out", dir);
    assert_int_equal(mkdir(out, 0755), 0);
    snprintf(path, sizeof path, "%s/rt.tgz", dir);
    struct bld_extract_opts xo = { BLD_WHITEOUT_APPLY, false };
    struct bld_extract_result r;
    struct err e;
    if (bld_extract_file(path, out, &xo, &r, &e) != 0)
        fail_msg("extract: %s", e.msg);
    assert_true(bld_digest_eq(&r.diff_id, &info.diff_id));
    assert_int_equal(r.entries, info.entries);
    struct stat sx, sy, sa, sl;
    snprintf(path, sizeof path, "%s/a/x", out);
    assert_int_equal(lstat(path, &sx), 0);
    assert_int_equal(sx.st_size, 200000);
    assert_int_equal(sx.st_mode & 07777, 0755);
    snprintf(path, sizeof path, "%s/a/y", out);
    assert_int_equal(lstat(path, &sy), 0);
    assert_int_equal(sx.st_ino, sy.st_ino); /* still one inode */
    snprintf(path, sizeof path, "%s/a", out);
    assert_int_equal(lstat(path, &sa), 0);
    assert_int_equal(sa.st_mode & 07777, 0750);
    assert_int_equal(sa.st_mtime, 0);
    snprintf(path, sizeof path, "%s/link", out);
    assert_int_equal(lstat(path, &sl), 0);
    assert_true(S_ISLNK(sl.st_mode));
    /* Writing the extracted tree again gives the same layer. */
    char src[700];
    snprintf(src, sizeof src, "%s/src", dir);
    if (have_user_xattr) {
        /* apply mode consumed the opaque marker; mark the copy the same way */
        snprintf(path, sizeof path, "%s/opq", out);
        assert_int_equal(setxattr(path, "user.overlay.opaque", "y", 1, 0), 0);
    }
    int fd = open(path, O_RDONLY); /* any fd; the layer goes to /dev/null */
    close(fd);
    fd = open("/dev/null", O_WRONLY);
    struct bld_layer_info again;
    assert_int_equal(bld_layer_write_fd(out, &o, fd, &again, &e), 0);
    close(fd);
    assert_true(bld_digest_eq(&again.diff_id, &info.diff_id));
}

static bool contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static void test_xattrs_optional(void **state)
{
    (void)state;
    char p[700];
    snprintf(p, sizeof p, "%s/src/b.txt", dir);
    if (setxattr(p, "user.dw.test", "v1", 2, 0) != 0)
        skip();
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info plain, with;
    write_layer("nox.tgz", &o, &plain);
    o.xattrs = true;
    write_layer("x.tgz", &o, &with);
    assert_false(bld_digest_eq(&plain.diff_id, &with.diff_id));
    char path[700];
    snprintf(path, sizeof path, "%s/x.tgz", dir);
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
    struct archive_entry *e;
    int seen = 0;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name, *n = archive_entry_pathname(e);
        const void *v;
        size_t size;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &v, &size) == ARCHIVE_OK) {
            /* the overlay's own attribute never goes into a layer */
            assert_null(strstr(name, "overlay"));
            if (strcmp(n, "b.txt") == 0 && strcmp(name, "user.dw.test") == 0) {
                assert_int_equal(size, 2);
                assert_memory_equal(v, "v1", 2);
                seen++;
            }
        }
    }
    archive_read_free(a);
    assert_int_equal(seen, 1);
    /* Only the SCHILY.xattr form is written, as Docker writes it. */
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    static char tar[1 << 20];
    int n = gzread(gz, tar, sizeof tar);
    gzclose(gz);
    assert_true(n > 0);
    assert_true(contains(tar, (size_t)n, "SCHILY.xattr.user.dw.test=v1"));
    assert_false(contains(tar, (size_t)n, "LIBARCHIVE.xattr"));
}

static void test_layer_into_store(void **state)
{
    (void)state;
    char root[700], src[700];
    snprintf(root, sizeof root, "%s/store", dir);
    snprintf(src, sizeof src, "%s/src", dir);
    struct bld_store s;
    struct err e;
    assert_int_equal(bld_store_open(&s, root, &e), 0);
    s.unsafe_no_fsync = true;
    struct bld_layer_opts o = { 0, false, 9 };
    struct bld_layer_info info;
    struct bld_descriptor d;
    assert_int_equal(bld_layer_store(&s, src, &o, &info, &d, &e), 0);
    assert_string_equal(d.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
    assert_int_equal(d.size, (int64_t)info.size);
    assert_int_equal(bld_store_verify_blob(&s, &d.digest, d.size, &e), 0);
    /* Unpacking it for overlay use checks the diff_id and happens once. */
    struct arena a;
    arena_init(&a);
    const char *ldir, *again;
    if (have_user_xattr) {
        if (bld_store_unpack_layer(&s, &d, &info.diff_id, true, &a, &ldir, &e) != 0)
            fail_msg("unpack: %s", e.msg);
        assert_int_equal(bld_store_unpack_layer(&s, &d, &info.diff_id, true, &a, &again, &e), 0);
        assert_string_equal(ldir, again);
        char p[900], v[4];
        snprintf(p, sizeof p, "%s/opq", ldir);
        assert_int_equal(getxattr(p, "user.overlay.opaque", v, sizeof v), 1);
    }
    /* A wrong diff_id is refused and leaves nothing behind. */
    struct bld_digest wrong;
    bld_digest_of("x", 1, &wrong);
    assert_int_equal(bld_store_unpack_layer(&s, &d, &wrong, true, &a, &again, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "diff_id mismatch"));
    arena_release(&a);
    /* level out of range */
    o.level = 11;
    assert_int_equal(bld_layer_store(&s, src, &o, &info, &d, &e), ERR_USAGE);
    /* missing directory */
    o.level = 0;
    snprintf(src, sizeof src, "%s/src/empty", dir);
    assert_int_equal(bld_layer_store(&s, src, &o, &info, &d, &e), 0);
    assert_int_equal(info.entries, 0);
    assert_int_equal(info.tar_size, 1024); /* the end-of-archive blocks alone */
    snprintf(src, sizeof src, "%s/nope", dir);
    assert_int_equal(bld_layer_store(&s, src, &o, &info, &d, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot open directory"));
    bld_store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorted_and_normalised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_date_epoch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_through_extraction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xattrs_optional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layer_into_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
