/* Layer analysis over tars made here with libarchive: sizes, overwrites,
 * file and directory whiteouts, opaque directories, dive's worked example
 * with its exact numbers, the quirk of directory whiteouts, layers from the
 * store, and bad input. */
#include "builder/anacache.h"
#include "builder/analysis.h"
#include "builder/extract.h"
#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/fileio.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];
static struct arena arena;
static int n_tars;

/* One tar member: 'f' file of size bytes, 'd' directory, 'l' symlink,
 * 'h' hard link to target. Whiteouts are files named ".wh.x". */
struct ent {
    const char *name;
    char type;
    size_t size;
    const char *target;
};

/* Writes the members to a new tar file (gzip when gz) and returns its path. */
static const char *tar_of(const struct ent *m, size_t n, bool gz)
{
    const char *path = arena_printf(&arena, "%s/layer%d.tar%s", dir, n_tars++, gz ? ".gz" : "");
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gz)
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    static char data[4096];
    memset(data, 'x', sizeof data);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_perm(e, 0644);
        switch (m[i].type) {
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            break;
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].target);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, m[i].target);
            break;
        default:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)m[i].size);
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        for (size_t left = m[i].type == 'f' ? m[i].size : 0; left;) {
            size_t k = left < sizeof data ? left : sizeof data;
            assert_int_equal(archive_write_data(a, data, k), (la_ssize_t)k);
            left -= k;
        }
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return path;
}

#define TAR(...)                                                                                   \
    tar_of((const struct ent[]){ __VA_ARGS__ },                                                    \
           sizeof((const struct ent[]){ __VA_ARGS__ }) / sizeof(struct ent), false)

static int setup(void **state)
{
    (void)state;
    arena_init(&arena);
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-analysis-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    int rc = bld_remove_tree(dir, &e);
    arena_release(&arena);
    return rc == 0 ? 0 : -1;
}

static void add(struct bld_analysis *an, const char *tar)
{
    struct err e;
    if (bld_analysis_add_tar_file(an, tar, &e) != 0)
        fail_msg("%s: %s", tar, e.msg);
}

/* Finishes, and checks what must hold for every image. */
static void finish(struct bld_analysis *an, struct bld_image_analysis *r)
{
    struct err e;
    assert_int_equal(bld_analysis_finish(an, SIZE_MAX, &arena, r, &e), 0);
    assert_int_equal(r->size, r->live_bytes + r->wasted_bytes);
    uint64_t sum = 0, removed = 0;
    for (size_t i = 0; i < r->n_layers; i++) {
        sum += r->layers[i].wasted_bytes;
        removed += r->layers[i].removed_bytes;
    }
    assert_int_equal(sum, r->wasted_bytes);
    assert_true(removed <= r->wasted_bytes);
    uint64_t listed = 0;
    for (size_t i = 0; i < r->n_wasted; i++)
        listed += r->wasted[i].size;
    assert_int_equal(listed, r->wasted_bytes);
}

static bool near(double x, double y)
{
    return fabs(x - y) < 1e-12;
}

/* Overwriting a 2 KB file with a 5 KB one (spec section 1.2). */
static void test_overwrite(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    add(an, TAR({ "etc/", 'd', 0, NULL }, { "etc/app.conf", 'f', 2000, NULL },
                { "bin/", 'd', 0, NULL }, { "bin/tool", 'f', 5000, NULL },
                { "bin/sh", 'l', 0, "tool" }, { "bin/tool2", 'h', 0, "bin/tool" }));
    add(an, TAR({ "./", 'd', 0, NULL }, { "./etc/", 'd', 0, NULL },
                { "./etc/app.conf", 'f', 5000, NULL }));
    struct bld_image_analysis r;
    finish(an, &r);
    assert_int_equal(r.n_layers, 2);
    assert_int_equal(r.layers[0].size, 7000);
    assert_int_equal(r.layers[0].entries, 6);
    assert_int_equal(r.layers[0].files, 4); /* file, file, symlink, hard link */
    assert_int_equal(r.layers[0].dirs, 2);
    assert_int_equal(r.layers[0].wasted_bytes, 2000);
    assert_int_equal(r.layers[0].removed_bytes, 0);
    assert_int_equal(r.layers[1].size, 5000);
    assert_int_equal(r.layers[1].entries, 3);
    assert_int_equal(r.layers[1].files, 1);
    assert_int_equal(r.layers[1].wasted_bytes, 0);
    assert_int_equal(r.layers[1].removed_bytes, 2000);
    assert_int_equal(r.size, 12000);
    assert_int_equal(r.live_bytes, 10000);
    assert_int_equal(r.live_files, 2);
    assert_int_equal(r.wasted_bytes, 2000);
    assert_int_equal(r.rewritten_live_bytes, 5000);
    assert_true(near(r.efficiency, 10000.0 / 12000.0));
    assert_int_equal(r.n_wasted, 1);
    assert_string_equal(r.wasted[0].path, "/etc/app.conf");
    assert_int_equal(r.wasted[0].size, 2000);
    assert_int_equal(r.wasted[0].layer, 0);
    assert_int_equal(r.wasted[0].removed, 1);
    assert_true(r.wasted[0].overwritten);
    /* dive: the path contributes minimum 2 KB and cumulative 7 KB, and the
     * whole 7 KB is waste */
    assert_true(near(r.dive.efficiency, 7000.0 / 12000.0));
    assert_int_equal(r.dive.wasted_bytes, 7000);
    assert_int_equal(r.dive.user_size_bytes, 5000);
    assert_true(near(r.dive.wasted_user_percent, 7000.0 / 5000.0));
    assert_int_equal(r.dive.n_paths, 1);
    assert_string_equal(r.dive.paths[0].path, "/etc/app.conf");
    assert_int_equal(r.dive.paths[0].cumulative, 7000);
    assert_int_equal(r.dive.paths[0].minimum, 2000);
    assert_int_equal(r.dive.paths[0].count, 2);
    /* the layers' digests come out of the reading */
    assert_true(r.layers[0].has_diff_id);
    assert_false(r.layers[0].has_digest);
    assert_true(r.layers[0].tar_size > 7000);
    assert_int_equal(r.layers[0].compressed_size, r.layers[0].tar_size);
    bld_analysis_free(an);
}

/* Spec section 1.2's worked example, in megabytes, fed entry by entry. */
static void test_worked_example(void **state)
{
    (void)state;
    const uint64_t mb = 1000 * 1000;
    struct bld_analysis *an = bld_analysis_new();
    struct err e;
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "usr/", BLD_ENTRY_DIR, 0, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "usr/lib.so", BLD_ENTRY_FILE, 50 * mb, &e), 0);
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "opt/", BLD_ENTRY_DIR, 0, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "opt/sdk.tgz", BLD_ENTRY_FILE, 100 * mb, &e), 0);
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "opt/", BLD_ENTRY_DIR, 0, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "opt/.wh.sdk.tgz", BLD_ENTRY_FILE, 0, &e), 0);
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    struct bld_image_analysis r;
    finish(an, &r);
    /* dive: efficiency 50 / 150, wastedBytes 100 MB, userSizeBytes 100 MB
     * (layer 2 holds a 0-byte whiteout), wastedUserPercent 1.0 */
    assert_true(near(r.dive.efficiency, 50.0 / 150.0));
    assert_int_equal(r.dive.wasted_bytes, 100 * mb);
    assert_int_equal(r.dive.user_size_bytes, 100 * mb);
    assert_true(near(r.dive.wasted_user_percent, 1.0));
    assert_int_equal(r.dive.paths[0].cumulative, 100 * mb);
    assert_int_equal(r.dive.paths[0].minimum, 0);
    /* exact: the same here */
    assert_int_equal(r.wasted_bytes, 100 * mb);
    assert_int_equal(r.layers[1].wasted_bytes, 100 * mb);
    assert_int_equal(r.layers[2].removed_bytes, 100 * mb);
    assert_int_equal(r.layers[2].whiteouts, 1);
    assert_int_equal(r.layers[2].files, 0);
    assert_true(near(r.efficiency, 50.0 / 150.0));
    assert_false(r.wasted[0].overwritten);
    assert_int_equal(r.rewritten_live_bytes, 0);
    /* the analysis goes on: a fourth layer brings the file back */
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    assert_int_equal(bld_analysis_entry(an, "opt/sdk.tgz", BLD_ENTRY_FILE, 1 * mb, &e), 0);
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    finish(an, &r);
    assert_int_equal(r.rewritten_live_bytes, 1 * mb);
    assert_int_equal(r.dive.paths[0].count, 3);
    assert_int_equal(r.dive.paths[0].minimum, 0);
    bld_analysis_free(an);
}

/* Whiteouts of files one by one (rm -rf /build/ *) and of the directory
 * itself (rm -rf /build): dive sees waste only in the first. */
static void test_directory_whiteout(void **state)
{
    (void)state;
    const char *base = TAR({ "build/", 'd', 0, NULL }, { "build/a", 'f', 10, NULL },
                           { "build/sub/", 'd', 0, NULL }, { "build/sub/b", 'f', 20, NULL },
                           { "keep", 'f', 5, NULL });
    struct bld_analysis *an = bld_analysis_new();
    add(an, base);
    add(an, TAR({ ".wh.build", 'f', 0, NULL }));
    struct bld_image_analysis r;
    finish(an, &r);
    assert_int_equal(r.wasted_bytes, 30);
    assert_int_equal(r.layers[0].wasted_bytes, 30);
    assert_int_equal(r.layers[1].removed_bytes, 30);
    assert_int_equal(r.live_bytes, 5);
    assert_int_equal(r.n_wasted, 2);
    assert_string_equal(r.wasted[0].path, "/build/sub/b");
    assert_string_equal(r.wasted[1].path, "/build/a");
    /* dive: the directory's one occurrence is its whole size: no waste */
    assert_true(near(r.dive.efficiency, 1.0));
    assert_int_equal(r.dive.wasted_bytes, 0);
    assert_true(isinf(r.dive.wasted_user_percent) == 0);
    assert_true(near(r.dive.wasted_user_percent, 0.0));
    bld_analysis_free(an);

    an = bld_analysis_new();
    add(an, base);
    add(an, TAR({ "build/", 'd', 0, NULL }, { "build/.wh.a", 'f', 0, NULL },
                { "build/.wh.sub", 'f', 0, NULL }));
    finish(an, &r);
    assert_int_equal(r.wasted_bytes, 30);
    /* a: [10, 0]; sub: one occurrence of 20 (the whiteout of a directory
     * sized from the lower view); sub/b: [20]; keep: [5] */
    assert_int_equal(r.dive.wasted_bytes, 10);
    assert_true(near(r.dive.efficiency, 45.0 / 55.0));
    /* no user bytes but waste: dive divides by zero */
    assert_int_equal(r.dive.user_size_bytes, 0);
    assert_true(isinf(r.dive.wasted_user_percent));
    bld_analysis_free(an);
}

/* An opaque directory hides what lower layers put in it; dive drops the
 * marker and sees no waste. */
static void test_opaque_directory(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    add(an, TAR({ "d/", 'd', 0, NULL }, { "d/old", 'f', 40, NULL }, { "d/sub/", 'd', 0, NULL },
                { "d/sub/deep", 'f', 3, NULL }, { "e", 'f', 1, NULL }));
    /* the marker comes after the new file: order in the tar does not matter */
    add(an,
        TAR({ "d/", 'd', 0, NULL }, { "d/new", 'f', 7, NULL }, { "d/.wh..wh..opq", 'f', 0, NULL }));
    struct bld_image_analysis r;
    finish(an, &r);
    assert_int_equal(r.wasted_bytes, 43);
    assert_int_equal(r.live_bytes, 8);
    assert_int_equal(r.layers[1].whiteouts, 1);
    assert_int_equal(r.layers[1].removed_bytes, 43);
    assert_true(near(r.dive.efficiency, 1.0));
    assert_int_equal(r.dive.wasted_bytes, 0);
    bld_analysis_free(an);
}

/* A whiteout acts on lower layers only, even when the tar lists it after
 * a new file of the same name; a path twice in one tar wastes the first
 * copy; a file put where a directory was hides the directory's files; a
 * file below a path that was a file replaces it. */
static void test_replacements(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    add(an, TAR({ "a", 'f', 11, NULL }, { "dir/", 'd', 0, NULL }, { "dir/x", 'f', 13, NULL },
                { "f", 'f', 17, NULL }, { "dup", 'f', 19, NULL }, { "dup", 'f', 23, NULL }));
    add(an, TAR({ "a", 'f', 2, NULL }, { ".wh.a", 'f', 0, NULL }, { "dir", 'l', 0, "elsewhere" },
                { "f/inner", 'f', 29, NULL }));
    struct bld_image_analysis r;
    finish(an, &r);
    /* live: a (2), dup (23), f/inner (29) */
    assert_int_equal(r.live_bytes, 2 + 23 + 29);
    assert_int_equal(r.live_files, 3);
    assert_int_equal(r.layers[0].wasted_bytes, 11 + 13 + 17 + 19);
    assert_int_equal(r.layers[1].removed_bytes, 11 + 13 + 17);
    assert_int_equal(r.layers[1].wasted_bytes, 0);
    assert_int_equal(r.n_wasted_total, 4);
    /* a duplicate within one tar is removed by its own layer */
    bool seen_dup = false;
    for (size_t i = 0; i < r.n_wasted; i++)
        if (strcmp(r.wasted[i].path, "/dup") == 0) {
            seen_dup = true;
            assert_int_equal(r.wasted[i].layer, 0);
            assert_int_equal(r.wasted[i].removed, 0);
        }
    assert_true(seen_dup);
    /* only the first listed when asked for one */
    struct bld_image_analysis top;
    struct err e;
    assert_int_equal(bld_analysis_finish(an, 1, &arena, &top, &e), 0);
    assert_int_equal(top.n_wasted, 1);
    assert_int_equal(top.n_wasted_total, 4);
    assert_string_equal(top.wasted[0].path, "/dup");
    assert_int_equal(top.wasted[0].size, 19);
    assert_int_equal(bld_analysis_finish(an, 0, &arena, &top, &e), 0);
    assert_int_equal(top.n_wasted, 0);
    assert_int_equal(top.wasted_bytes, r.wasted_bytes);
    bld_analysis_free(an);
}

/* A compressed layer: diff_id is the digest of the plain tar, the
 * compressed size the file's. */
static void test_compressed_layer(void **state)
{
    (void)state;
    const struct ent m[] = { { "big", 'f', 100000, NULL }, { "small", 'f', 10, NULL } };
    const char *plain = tar_of(m, 2, false);
    const char *gz = tar_of(m, 2, true);
    struct bld_analysis *an = bld_analysis_new();
    add(an, gz);
    struct bld_image_analysis r;
    finish(an, &r);
    struct bld_digest d;
    uint64_t size;
    struct err e;
    assert_int_equal(bld_digest_file(plain, &d, &size, &e), 0);
    assert_true(bld_digest_eq(&d, &r.layers[0].diff_id));
    assert_int_equal(r.layers[0].tar_size, size);
    struct stat st;
    assert_int_equal(stat(gz, &st), 0);
    assert_int_equal(r.layers[0].compressed_size, (uint64_t)st.st_size);
    assert_true(r.layers[0].compressed_size < 10000);
    assert_int_equal(r.layers[0].size, 100010);
    bld_analysis_free(an);
}

/* A file, link or device naming the root is refused: it counted in the
 * layer's size and never in the merged tree (live + wasted != size; found
 * by fuzz_analysis). The root directory itself is fine. */
static void test_root_not_a_file(void **state)
{
    (void)state;
    static const char *const roots[] = { "", "./", "/", "." };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        struct bld_analysis *an = bld_analysis_new();
        struct err e;
        assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
        assert_int_equal(bld_analysis_entry(an, roots[i], BLD_ENTRY_DIR, 0, &e), 0);
        assert_int_equal(bld_analysis_entry(an, roots[i], BLD_ENTRY_FILE, 9700, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "names the root directory"));
        assert_int_equal(bld_analysis_entry(an, roots[i], BLD_ENTRY_SYMLINK, 0, &e), ERR_INVALID);
        assert_int_equal(bld_analysis_entry(an, "a", BLD_ENTRY_FILE, 5, &e), 0);
        assert_int_equal(bld_analysis_layer_end(an, &e), 0);
        struct bld_image_analysis r;
        finish(an, &r);
        assert_int_equal(r.size, 5);
        bld_analysis_free(an);
    }
}

/* Bad input is an error naming the layer and the entry, and leaves the
 * analysis as it was. */
static void test_bad_input(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    add(an, TAR({ "ok", 'f', 3, NULL }));
    struct err e;
    const char *evil = TAR({ "x", 'f', 1, NULL }, { "../escape", 'f', 1, NULL });
    assert_int_equal(bld_analysis_add_tar_file(an, evil, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "'../escape': path has a '..' component"));
    assert_non_null(strstr(e.msg, "layer '"));
    const char *wh = TAR({ "d/.wh.", 'f', 0, NULL });
    assert_int_equal(bld_analysis_add_tar_file(an, wh, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "whiteout without a name"));
    const char *junk = arena_printf(&arena, "%s/junk", dir);
    FILE *fp = fopen(junk, "w");
    assert_non_null(fp);
    for (int i = 0; i < 2000; i++)
        fputs("not a tar ", fp);
    fclose(fp);
    assert_int_equal(bld_analysis_add_tar_file(an, junk, &e), ERR_INVALID);
    assert_int_equal(bld_analysis_add_tar_file(an, arena_printf(&arena, "%s/none", dir), &e),
                     ERR_IO);
    /* nothing of the failed layers stayed */
    assert_int_equal(bld_analysis_layer_count(an), 1);
    struct bld_image_analysis r;
    finish(an, &r);
    assert_int_equal(r.n_layers, 1);
    assert_int_equal(r.size, 3);
    assert_int_equal(r.live_bytes, 3);
    /* misuse */
    assert_int_equal(bld_analysis_entry(an, "a", BLD_ENTRY_FILE, 1, &e), ERR_USAGE);
    assert_int_equal(bld_analysis_layer_end(an, &e), ERR_USAGE);
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    assert_int_equal(bld_analysis_layer_begin(an, &e), ERR_USAGE);
    assert_int_equal(bld_analysis_finish(an, 0, &arena, &r, &e), ERR_USAGE);
    bld_analysis_free(an);
}

/* An empty image and an image of empty layers are fully efficient. */
static void test_empty(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    struct bld_image_analysis r;
    finish(an, &r);
    assert_int_equal(r.n_layers, 0);
    assert_true(near(r.efficiency, 1.0));
    assert_true(near(r.dive.efficiency, 1.0));
    add(an, TAR({ "./", 'd', 0, NULL }));
    add(an, TAR({ "tmp/", 'd', 0, NULL }));
    add(an, TAR({ "tmp/", 'd', 0, NULL }));
    finish(an, &r);
    assert_int_equal(r.n_layers, 3);
    assert_true(near(r.efficiency, 1.0));
    assert_true(near(r.dive.efficiency, 1.0));
    /* an empty directory in two layers is one of dive's paths, of 0 bytes */
    assert_int_equal(r.dive.n_paths, 1);
    assert_string_equal(r.dive.paths[0].path, "/tmp");
    assert_int_equal(r.dive.paths[0].cumulative, 0);
    assert_int_equal(r.dive.wasted_user_percent, 0);
    bld_analysis_free(an);
}

static struct bld_digest digest_of_text(const char *t)
{
    struct bld_digest d;
    bld_digest_of(t, strlen(t), &d);
    return d;
}

/* Many paths: the merged tree scales (this runs well under a second with
 * sanitizers), and big directory whiteouts count every file below. */
static void test_many_paths(void **state)
{
    (void)state;
    struct bld_analysis *an = bld_analysis_new();
    struct err e;
    char p[64];
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    for (int d = 0; d < 400; d++) {
        snprintf(p, sizeof p, "usr/share/d%d/", d);
        assert_int_equal(bld_analysis_entry(an, p, BLD_ENTRY_DIR, 0, &e), 0);
        for (int f = 0; f < 100; f++) {
            snprintf(p, sizeof p, "usr/share/d%d/f%d", d, f);
            assert_int_equal(bld_analysis_entry(an, p, BLD_ENTRY_FILE, 10, &e), 0);
        }
    }
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
    for (int d = 0; d < 400; d += 2) {
        snprintf(p, sizeof p, "usr/share/.wh.d%d", d);
        assert_int_equal(bld_analysis_entry(an, p, BLD_ENTRY_FILE, 0, &e), 0);
    }
    for (int d = 1; d < 400; d += 4) {
        for (int f = 0; f < 100; f++) {
            snprintf(p, sizeof p, "usr/share/d%d/f%d", d, f);
            assert_int_equal(bld_analysis_entry(an, p, BLD_ENTRY_FILE, 20, &e), 0);
        }
    }
    assert_int_equal(bld_analysis_layer_end(an, &e), 0);
    struct bld_image_analysis r;
    assert_int_equal(bld_analysis_finish(an, 5, &arena, &r, &e), 0);
    /* 200 directories of 100 files deleted, 100 directories overwritten */
    assert_int_equal(r.wasted_bytes, 200 * 100 * 10 + 100 * 100 * 10);
    assert_int_equal(r.live_bytes, 100 * 100 * 10 + 100 * 100 * 20);
    assert_int_equal(r.n_wasted, 5);
    assert_int_equal(r.n_wasted_total, 30000);
    assert_int_equal(r.rewritten_live_bytes, 100 * 100 * 20);
    /* dive: the overwritten files are waste, the deleted directories not */
    assert_int_equal(r.dive.wasted_bytes, 100 * 100 * 30);
    assert_int_equal(r.dive.n_paths, 5);
    bld_analysis_free(an);
}

/* Layers from the store, checked against the config's diff_ids. */
static void test_store_image(void **state)
{
    (void)state;
    struct err e;
    struct bld_store s;
    assert_int_equal(bld_store_open(&s, arena_printf(&arena, "%s/store", dir), &e), 0);
    s.unsafe_no_fsync = true;
    const char *l1 = tar_of((const struct ent[]){ { "tool", 'f', 300, NULL } }, 1, true);
    const char *l2 = tar_of((const struct ent[]){ { ".wh.tool", 'f', 0, NULL } }, 1, true);
    struct bld_descriptor layers[2];
    struct bld_digest diff_ids[2];
    const char *paths[2] = { l1, l2 };
    for (int i = 0; i < 2; i++) {
        struct buf b = BUF_INIT;
        assert_int_equal(file_read_all(paths[i], 0, &b, &e), 0);
        memset(&layers[i], 0, sizeof layers[i]);
        layers[i].media_type = BLD_MT_OCI_LAYER_GZIP;
        layers[i].size = (int64_t)b.len;
        assert_int_equal(bld_store_put_blob(&s, b.data, b.len, &layers[i].digest, &e), 0);
        buf_release(&b);
        struct bld_analysis *one = bld_analysis_new();
        add(one, paths[i]);
        diff_ids[i] = bld_analysis_layer(one, 0)->diff_id;
        bld_analysis_free(one);
    }
    for (int bad = 0; bad < 2; bad++) {
        struct bld_image_config c;
        memset(&c, 0, sizeof c);
        c.architecture = "amd64";
        c.os = "linux";
        struct bld_digest ids[2] = { diff_ids[0], diff_ids[bad ? 0 : 1] };
        c.diff_ids = ids;
        c.n_diff_ids = 2;
        struct buf cb = BUF_INIT, mb = BUF_INIT;
        struct bld_manifest m;
        memset(&m, 0, sizeof m);
        assert_int_equal(bld_config_write(&c, &cb, &e), 0);
        assert_int_equal(bld_store_put_blob(&s, cb.data, cb.len, &m.config.digest, &e), 0);
        m.config.media_type = BLD_MT_OCI_CONFIG;
        m.config.size = (int64_t)cb.len;
        m.layers = layers;
        m.n_layers = 2;
        assert_int_equal(bld_manifest_write(&m, &mb, &e), 0);
        struct bld_descriptor d;
        memset(&d, 0, sizeof d);
        d.media_type = BLD_MT_OCI_MANIFEST;
        d.size = (int64_t)mb.len;
        assert_int_equal(bld_store_put_blob(&s, mb.data, mb.len, &d.digest, &e), 0);
        buf_release(&cb);
        buf_release(&mb);
        struct bld_analysis *an = bld_analysis_new();
        if (bad) {
            assert_int_equal(bld_analysis_add_image(an, &s, &d, &e), ERR_INVALID);
            assert_non_null(strstr(e.msg, "diff_id mismatch"));
            assert_int_equal(bld_analysis_layer_count(an), 1);
        } else {
            if (bld_analysis_add_image(an, &s, &d, &e) != 0)
                fail_msg("add_image: %s", e.msg);
            /* an index of which one platform is present resolves to it */
            struct bld_descriptor kids[2] = { d, d };
            kids[1].digest = digest_of_text("never pulled");
            struct bld_index ix = { BLD_MT_OCI_INDEX, kids, 2, NULL, 0 };
            struct buf ib = BUF_INIT;
            assert_int_equal(bld_index_write(&ix, &ib, &e), 0);
            struct bld_descriptor id = {
                BLD_MT_OCI_INDEX, { { 0 } }, (int64_t)ib.len, NULL, 0, NULL
            };
            assert_int_equal(bld_store_put_blob(&s, ib.data, ib.len, &id.digest, &e), 0);
            buf_release(&ib);
            struct bld_manifest rm;
            struct bld_image_config rc;
            assert_int_equal(bld_analysis_resolve_image(&s, &id, &arena, &rm, &rc, &e), 0);
            assert_int_equal(rm.n_layers, 2);
            /* a config is not an image */
            assert_int_equal(bld_analysis_resolve_image(&s, &m.config, &arena, &rm, &rc, &e),
                             ERR_UNSUPPORTED);
            struct bld_image_analysis r;
            finish(an, &r);
            assert_int_equal(r.n_layers, 2);
            assert_true(r.layers[1].has_digest);
            assert_true(bld_digest_eq(&r.layers[1].digest, &layers[1].digest));
            assert_int_equal(r.layers[1].compressed_size, (uint64_t)layers[1].size);
            assert_int_equal(r.compressed_size, (uint64_t)(layers[0].size + layers[1].size));
            assert_int_equal(r.wasted_bytes, 300);
            assert_int_equal(r.layers[0].wasted_bytes, 300);
        }
        bld_analysis_free(an);
    }
    /* a blob that is not in the store */
    struct bld_descriptor missing = layers[0];
    bld_digest_of("nothing", 7, &missing.digest);
    struct bld_analysis *an = bld_analysis_new();
    assert_int_equal(bld_analysis_add_blob(an, &s, &missing, NULL, &e), ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "is not in the store"));
    bld_analysis_free(an);
    bld_store_close(&s);
}

/* ---- the analysis cache ------------------------------------------------- */

/* Puts the tars into the store as one image; desc receives its manifest. */
static void put_image(struct bld_store *s, const char *const *tars, size_t n,
                      struct bld_descriptor *layers, struct bld_descriptor *desc)
{
    struct err e;
    struct bld_digest ids[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        struct buf b = BUF_INIT;
        assert_int_equal(file_read_all(tars[i], 0, &b, &e), 0);
        memset(&layers[i], 0, sizeof layers[i]);
        layers[i].media_type = BLD_MT_OCI_LAYER_GZIP;
        layers[i].size = (int64_t)b.len;
        assert_int_equal(bld_store_put_blob(s, b.data, b.len, &layers[i].digest, &e), 0);
        buf_release(&b);
        struct bld_analysis *one = bld_analysis_new();
        add(one, tars[i]);
        ids[i] = bld_analysis_layer(one, 0)->diff_id;
        bld_analysis_free(one);
    }
    struct bld_image_config c;
    memset(&c, 0, sizeof c);
    c.architecture = "amd64";
    c.os = "linux";
    c.diff_ids = ids;
    c.n_diff_ids = n;
    struct buf cb = BUF_INIT, mb = BUF_INIT;
    struct bld_manifest m;
    memset(&m, 0, sizeof m);
    assert_int_equal(bld_config_write(&c, &cb, &e), 0);
    assert_int_equal(bld_store_put_blob(s, cb.data, cb.len, &m.config.digest, &e), 0);
    m.config.media_type = BLD_MT_OCI_CONFIG;
    m.config.size = (int64_t)cb.len;
    m.layers = layers;
    m.n_layers = n;
    assert_int_equal(bld_manifest_write(&m, &mb, &e), 0);
    memset(desc, 0, sizeof *desc);
    desc->media_type = BLD_MT_OCI_MANIFEST;
    desc->size = (int64_t)mb.len;
    assert_int_equal(bld_store_put_blob(s, mb.data, mb.len, &desc->digest, &e), 0);
    buf_release(&cb);
    buf_release(&mb);
}

static void analyze(struct bld_store *s, const struct bld_descriptor *d,
                    struct bld_image_analysis *r)
{
    struct err e;
    struct bld_analysis *an = bld_analysis_new();
    if (bld_analysis_add_image(an, s, d, &e) != 0)
        fail_msg("add_image: %s", e.msg);
    finish(an, r);
    bld_analysis_free(an);
}

/* Every figure of two analyses is the same. */
static void assert_same(const struct bld_image_analysis *x, const struct bld_image_analysis *y)
{
    assert_int_equal(x->n_layers, y->n_layers);
    for (size_t i = 0; i < x->n_layers; i++) {
        const struct bld_layer_stats *a = &x->layers[i], *b = &y->layers[i];
        assert_int_equal(a->has_diff_id, b->has_diff_id);
        assert_int_equal(a->has_digest, b->has_digest);
        assert_true(bld_digest_eq(&a->diff_id, &b->diff_id));
        assert_true(bld_digest_eq(&a->digest, &b->digest));
        assert_int_equal(a->tar_size, b->tar_size);
        assert_int_equal(a->compressed_size, b->compressed_size);
        assert_int_equal(a->size, b->size);
        assert_int_equal(a->entries, b->entries);
        assert_int_equal(a->files, b->files);
        assert_int_equal(a->dirs, b->dirs);
        assert_int_equal(a->whiteouts, b->whiteouts);
        assert_int_equal(a->wasted_bytes, b->wasted_bytes);
        assert_int_equal(a->removed_bytes, b->removed_bytes);
    }
    assert_int_equal(x->size, y->size);
    assert_int_equal(x->tar_size, y->tar_size);
    assert_int_equal(x->compressed_size, y->compressed_size);
    assert_int_equal(x->live_bytes, y->live_bytes);
    assert_int_equal(x->live_files, y->live_files);
    assert_int_equal(x->wasted_bytes, y->wasted_bytes);
    assert_int_equal(x->rewritten_live_bytes, y->rewritten_live_bytes);
    assert_true(x->efficiency == y->efficiency);
    assert_int_equal(x->n_wasted, y->n_wasted);
    assert_int_equal(x->n_wasted_total, y->n_wasted_total);
    for (size_t i = 0; i < x->n_wasted; i++) {
        assert_string_equal(x->wasted[i].path, y->wasted[i].path);
        assert_int_equal(x->wasted[i].size, y->wasted[i].size);
        assert_int_equal(x->wasted[i].layer, y->wasted[i].layer);
        assert_int_equal(x->wasted[i].removed, y->wasted[i].removed);
        assert_int_equal(x->wasted[i].overwritten, y->wasted[i].overwritten);
    }
    assert_true(x->dive.efficiency == y->dive.efficiency);
    assert_int_equal(x->dive.wasted_bytes, y->dive.wasted_bytes);
    assert_int_equal(x->dive.user_size_bytes, y->dive.user_size_bytes);
    assert_true(x->dive.wasted_user_percent == y->dive.wasted_user_percent);
    assert_int_equal(x->dive.n_paths, y->dive.n_paths);
    for (size_t i = 0; i < x->dive.n_paths; i++) {
        assert_string_equal(x->dive.paths[i].path, y->dive.paths[i].path);
        assert_int_equal(x->dive.paths[i].cumulative, y->dive.paths[i].cumulative);
        assert_int_equal(x->dive.paths[i].minimum, y->dive.paths[i].minimum);
        assert_int_equal(x->dive.paths[i].count, y->dive.paths[i].count);
    }
}

static const char *cache_path(const struct bld_store *s, const struct bld_digest *blob)
{
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(blob, hex);
    return arena_printf(&arena, "%s/" BLD_ANACACHE_DIR "/%s", s->root, hex);
}

static void write_file(const char *path, const void *p, size_t n)
{
    struct err e;
    assert_int_equal(file_write_atomic(path, p, n, 0644, &e), 0);
}

/* A cache file is written per layer, read instead of the tar (the figures
 * come out the same), ignored and rewritten when damaged or of another
 * version, and removed by gc with its blob. */
static void test_cache(void **state)
{
    (void)state;
    struct err e;
    struct bld_store s;
    assert_int_equal(bld_store_open(&s, arena_printf(&arena, "%s/store", dir), &e), 0);
    s.unsafe_no_fsync = true;
    const char *tars[3];
    tars[0] =
        TAR({ "opt/", 'd', 0, NULL }, { "opt/a", 'f', 100, NULL }, { "opt/b", 'f', 200, NULL },
            { "etc/", 'd', 0, NULL }, { "etc/x", 'f', 50, NULL }, { "etc/l", 'l', 0, "x" },
            { "etc/h", 'h', 0, "etc/x" }, { "opt/b", 'f', 20, NULL });
    tars[1] = TAR({ "opt/.wh.a", 'f', 0, NULL }, { "opt/b", 'f', 300, NULL },
                  { "etc/.wh..wh..opq", 'f', 0, NULL }, { "etc/y", 'f', 10, NULL },
                  { ".wh..wh.plnk", 'f', 0, NULL });
    tars[2] = TAR({ ".wh.opt", 'f', 0, NULL }, { "opt", 'f', 5, NULL });
    struct bld_descriptor layers[3], d;
    put_image(&s, tars, 3, layers, &d);

    struct bld_image_analysis first, again;
    analyze(&s, &d, &first);
    assert_int_equal(first.n_layers, 3);
    assert_int_equal(first.layers[0].wasted_bytes, 370); /* a, both b, x */
    struct bld_anacache c;
    for (int i = 0; i < 3; i++) {
        assert_true(bld_anacache_load(&s, &layers[i].digest, &c));
        bld_anacache_release(&c);
    }
    analyze(&s, &d, &again);
    assert_same(&first, &again);

    /* The cache is what is read: a file saying otherwise is believed. */
    struct buf orig = BUF_INIT;
    const char *p0 = cache_path(&s, &layers[0].digest);
    assert_int_equal(file_read_all(p0, 0, &orig, &e), 0);
    struct bld_anacache_writer w;
    bld_anacache_writer_init(&w);
    bld_anacache_writer_add(&w, "only", BLD_ENTRY_FILE, 7);
    assert_true(bld_anacache_save(&s, &layers[0].digest, &w, &first.layers[0].diff_id, 1, 2));
    bld_anacache_writer_release(&w);
    analyze(&s, &d, &again);
    assert_int_equal(again.layers[0].size, 7);
    assert_int_equal(again.layers[0].tar_size, 1);

    /* Damaged files are ignored and rewritten. */
    for (int k = 0; k < 6; k++) {
        struct buf b = BUF_INIT;
        assert_int_equal(buf_append(&b, orig.data, orig.len), 0);
        unsigned char *u = (unsigned char *)b.data;
        switch (k) {
        case 0: buf_truncate(&b, b.len / 2); break; /* truncated */
        case 1: u[b.len / 2] ^= 0x40; break;        /* a flipped bit */
        case 2: buf_truncate(&b, 0); break;         /* empty */
        case 3: buf_truncate(&b, b.len - 1); break; /* the checksum cut */
        case 4: memcpy(u, "GARBAGE!", 8); break;    /* another magic */
        default: {
            /* another version, with a checksum that matches */
            u[8] = 99;
            struct bld_digest sum;
            bld_digest_of(u, b.len - BLD_DIGEST_SIZE, &sum);
            memcpy(u + b.len - BLD_DIGEST_SIZE, sum.bytes, BLD_DIGEST_SIZE);
        }
        }
        write_file(p0, b.data, b.len);
        buf_release(&b);
        analyze(&s, &d, &again);
        assert_same(&first, &again);
        struct buf now = BUF_INIT;
        assert_int_equal(file_read_all(p0, 0, &now, &e), 0);
        assert_int_equal(now.len, orig.len);
        assert_memory_equal(now.data, orig.data, orig.len);
        buf_release(&now);
    }
    buf_release(&orig);

    /* gc keeps the analyses of the blobs it keeps, drops the others' */
    struct bld_gc_stats st;
    assert_int_equal(bld_store_gc(&s, 3600, &st, &e), 0);
    assert_int_equal(st.analyses_removed, 0);
    assert_int_equal(access(p0, F_OK), 0);
    assert_int_equal(bld_store_gc(&s, 0, &st, &e), 0);
    assert_int_equal(st.analyses_removed, 3);
    assert_int_not_equal(access(p0, F_OK), 0);
    bld_store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worked_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_whiteout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_opaque_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compressed_layer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_not_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
