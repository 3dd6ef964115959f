/* Whiteouts as root: overlayfs whiteouts (character devices 0/0) and
 * trusted.overlay.opaque directories become OCI ".wh." entries in a layer,
 * and extraction for overlay use turns them back; ownership and device
 * nodes survive. Skipped (77) when not root. */
#include "builder/extract.h"
#include "builder/layer.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-layer-root-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", dir, rel);
}

static void test_overlay_whiteouts_round_trip(void **state)
{
    (void)state;
    char p[800];
    path_of(p, sizeof p, "upper");
    assert_int_equal(mkdir(p, 0755), 0);
    path_of(p, sizeof p, "upper/deleted");
    assert_int_equal(mknod(p, S_IFCHR | 0000, makedev(0, 0)), 0);
    path_of(p, sizeof p, "upper/opaque");
    assert_int_equal(mkdir(p, 0755), 0);
    if (setxattr(p, "trusted.overlay.opaque", "y", 1, 0) != 0) {
        skip(); /* a filesystem without trusted xattrs (tmpfs in a user namespace) */
    }
    path_of(p, sizeof p, "upper/opaque/new");
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("new", fp);
    fclose(fp);
    assert_int_equal(chown(p, 1234, 5678), 0);
    path_of(p, sizeof p, "upper/null");
    assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);

    char upper[800], layer[800];
    path_of(upper, sizeof upper, "upper");
    path_of(layer, sizeof layer, "layer.tgz");
    int fd = open(layer, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info info;
    struct err e;
    if (bld_layer_write_fd(upper, &o, fd, &info, &e) != 0)
        fail_msg("write: %s", e.msg);
    close(fd);
    assert_int_equal(info.whiteouts, 2);

    /* The tar: .wh.deleted and opaque/.wh..wh..opq are empty regular files;
     * the real device node stays a device; ownership is numeric. */
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, layer, 10240), ARCHIVE_OK);
    struct archive_entry *ent;
    int found = 0;
    while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
        const char *n = archive_entry_pathname(ent);
        if (strcmp(n, ".wh.deleted") == 0 || strcmp(n, "opaque/.wh..wh..opq") == 0) {
            assert_int_equal(archive_entry_filetype(ent), AE_IFREG);
            assert_int_equal(archive_entry_size(ent), 0);
            found++;
        } else if (strcmp(n, "null") == 0) {
            assert_int_equal(archive_entry_filetype(ent), AE_IFCHR);
            assert_int_equal(archive_entry_rdevmajor(ent), 1);
            assert_int_equal(archive_entry_rdevminor(ent), 3);
            found++;
        } else if (strcmp(n, "opaque/new") == 0) {
            assert_int_equal(archive_entry_uid(ent), 1234);
            assert_int_equal(archive_entry_gid(ent), 5678);
            found++;
        }
        assert_string_not_equal(n, "deleted"); /* never the raw overlay whiteout */
    }
    archive_read_free(a);
    assert_int_equal(found, 4);

    /* Extracted for overlay use: the whiteouts come back as overlay ones. */
    char out[800];
    path_of(out, sizeof out, "lower");
    assert_int_equal(mkdir(out, 0755), 0);
    struct bld_extract_opts xo = { BLD_WHITEOUT_OVERLAY, false };
    struct bld_extract_result r;
    if (bld_extract_file(layer, out, &xo, &r, &e) != 0)
        fail_msg("extract: %s", e.msg);
    assert_true(bld_digest_eq(&r.diff_id, &info.diff_id));
    struct stat st;
    path_of(p, sizeof p, "lower/deleted");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, makedev(0, 0));
    path_of(p, sizeof p, "lower/opaque");
    char v[4];
    assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof v), 1);
    assert_int_equal(v[0], 'y');
    path_of(p, sizeof p, "lower/opaque/.wh..wh..opq");
    assert_int_equal(access(p, F_OK), -1);
    path_of(p, sizeof p, "lower/opaque/new");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_uid, 1234);
    assert_int_equal(st.st_gid, 5678);
    path_of(p, sizeof p, "lower/null");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, makedev(1, 3));

    /* The overlay-form tree writes the same layer again. */
    fd = open("/dev/null", O_WRONLY);
    struct bld_layer_info again;
    assert_int_equal(bld_layer_write_fd(out, &o, fd, &again, &e), 0);
    close(fd);
    assert_true(bld_digest_eq(&again.diff_id, &info.diff_id));
    assert_true(bld_digest_eq(&again.digest, &info.digest));
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: needs root\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overlay_whiteouts_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
