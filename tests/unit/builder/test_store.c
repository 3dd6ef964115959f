/* The image store: layout creation, blobs (write, read, verify, corruption),
 * references in index.json and the forms of one reference, garbage
 * collection, two processes writing to one store at once, and the default
 * location. */
#include "builder/extract.h"
#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/fileio.h"

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

#include <cmocka.h>

static char dir[512];
static char root[600];

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-store-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(root, sizeof root, "%s/cache/dockwright", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

static void open_store(struct bld_store *s)
{
    struct err e;
    if (bld_store_open(s, root, &e) != 0)
        fail_msg("bld_store_open: %s", e.msg);
    /* test_blob_write_read_verify keeps the default (fsync on) */
    s->unsafe_no_fsync = true;
}

static void test_open_creates_layout(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    char p[700];
    struct buf b = BUF_INIT;
    struct err e;
    snprintf(p, sizeof p, "%s/oci-layout", root);
    assert_int_equal(file_read_all(p, 0, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "{\"imageLayoutVersion\":\"1.0.0\"}");
    buf_reset(&b);
    snprintf(p, sizeof p, "%s/index.json", root);
    assert_int_equal(file_read_all(p, 0, &b, &e), 0);
    assert_non_null(strstr(buf_cstr(&b), "\"manifests\":[]"));
    struct stat st;
    snprintf(p, sizeof p, "%s/blobs/sha256", root);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    buf_release(&b);
    bld_store_close(&s);
    /* Reopening an existing store works; a layout of another version does not. */
    open_store(&s);
    bld_store_close(&s);
    snprintf(p, sizeof p, "%s/oci-layout", root);
    assert_int_equal(file_write_atomic(p, "{\"imageLayoutVersion\":\"9\"}", 26, 0644, &e), 0);
    assert_int_equal(bld_store_open(&s, root, &e), ERR_UNSUPPORTED);
}

static void test_blob_write_read_verify(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    s.unsafe_no_fsync = false;
    struct err e;
    struct bld_digest d, want;
    assert_int_equal(bld_store_put_blob(&s, "hello", 5, &d, &e), 0);
    bld_digest_of("hello", 5, &want);
    assert_true(bld_digest_eq(&d, &want));
    assert_true(bld_store_has_blob(&s, &d));
    struct buf b = BUF_INIT;
    assert_int_equal(bld_store_read_blob(&s, &d, 5, 100, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "hello");
    buf_reset(&b);
    /* a size that does not match the descriptor */
    assert_int_equal(bld_store_read_blob(&s, &d, 6, 100, &b, &e), ERR_INVALID);
    assert_int_equal(b.len, 0);
    /* over the caller's cap */
    assert_int_equal(bld_store_read_blob(&s, &d, 5, 3, &b, &e), ERR_TOO_LARGE);
    /* streaming writer with the wrong expected digest: refused, nothing stored */
    struct bld_blob_writer w;
    assert_int_equal(bld_blob_writer_open(&w, &s, &e), 0);
    assert_int_equal(bld_blob_writer_write(&w, "world", 5, &e), 0);
    assert_int_equal(bld_blob_writer_commit(&w, &want, -1, NULL, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "digest mismatch"));
    struct bld_digest world;
    bld_digest_of("world", 5, &world);
    assert_false(bld_store_has_blob(&s, &world));
    /* the temporary file is gone too */
    char p[700];
    snprintf(p, sizeof p, "%s/tmp", root);
    assert_int_equal(rmdir(p), 0);
    assert_int_equal(mkdir(p, 0755), 0);
    /* missing blob */
    assert_int_equal(bld_store_read_blob(&s, &world, -1, 100, &b, &e), ERR_NOT_FOUND);
    assert_int_equal(bld_store_verify_blob(&s, &world, -1, &e), ERR_NOT_FOUND);
    buf_release(&b);
    bld_store_close(&s);
}

static void test_corrupted_blob_detected(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    struct err e;
    struct bld_digest d;
    assert_int_equal(bld_store_put_blob(&s, "precious", 8, &d, &e), 0);
    assert_int_equal(bld_store_verify_blob(&s, &d, 8, &e), 0);
    struct arena a;
    arena_init(&a);
    const char *path = bld_store_blob_path(&s, &d, &a);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fputc('P', fp); /* same size, different content */
    fclose(fp);
    struct buf b = BUF_INIT;
    assert_int_equal(bld_store_read_blob(&s, &d, 8, 100, &b, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "corrupt"));
    assert_int_equal(bld_store_verify_blob(&s, &d, 8, &e), ERR_INVALID);
    buf_release(&b);
    arena_release(&a);
    bld_store_close(&s);
}

/* Stores a config, one layer and a manifest; returns the manifest's
 * descriptor (media type static) and the layer and config digests. */
static struct bld_descriptor make_image(struct bld_store *s, const char *tag,
                                        struct bld_digest *layer, struct bld_digest *config)
{
    struct err e;
    char text[128];
    snprintf(text, sizeof text, "layer of %s", tag);
    assert_int_equal(bld_store_put_blob(s, text, strlen(text), layer, &e), 0);
    struct bld_digest diff;
    bld_digest_of(text, strlen(text), &diff);
    struct bld_image_config c;
    memset(&c, 0, sizeof c);
    c.os = "linux";
    c.architecture = "amd64";
    c.diff_ids = &diff;
    c.n_diff_ids = 1;
    struct buf cb = BUF_INIT, mb = BUF_INIT;
    assert_int_equal(bld_config_write(&c, &cb, &e), 0);
    assert_int_equal(bld_store_put_blob(s, cb.data, cb.len, config, &e), 0);
    struct bld_manifest m;
    memset(&m, 0, sizeof m);
    m.config =
        (struct bld_descriptor){ BLD_MT_OCI_CONFIG, *config, (int64_t)cb.len, NULL, 0, NULL };
    struct bld_descriptor l = { BLD_MT_OCI_LAYER, *layer, (int64_t)strlen(text), NULL, 0, NULL };
    m.layers = &l;
    m.n_layers = 1;
    assert_int_equal(bld_manifest_write(&m, &mb, &e), 0);
    struct bld_descriptor d = { BLD_MT_OCI_MANIFEST, { { 0 } }, (int64_t)mb.len, NULL, 0, NULL };
    assert_int_equal(bld_store_put_blob(s, mb.data, mb.len, &d.digest, &e), 0);
    buf_release(&cb);
    buf_release(&mb);
    return d;
}

static void test_references(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    struct err e;
    struct bld_digest l1, c1, l2, c2;
    struct bld_descriptor one = make_image(&s, "one", &l1, &c1);
    struct bld_descriptor two = make_image(&s, "two", &l2, &c2);
    assert_int_equal(bld_store_ref_set(&s, "app:1", &one, &e), 0);
    assert_int_equal(bld_store_ref_set(&s, "app:2", &two, &e), 0);
    struct arena a;
    arena_init(&a);
    struct bld_descriptor got;
    assert_int_equal(bld_store_ref_get(&s, "app:1", &a, &got, &e), 0);
    assert_true(bld_digest_eq(&got.digest, &one.digest));
    assert_string_equal(bld_descriptor_annotation(&got, BLD_ANNOT_REF_NAME), "app:1");
    /* replacing a name keeps one entry */
    assert_int_equal(bld_store_ref_set(&s, "app:1", &two, &e), 0);
    struct bld_index ix;
    assert_int_equal(bld_store_index(&s, &a, &ix, &e), 0);
    assert_int_equal(ix.n_manifests, 2);
    assert_int_equal(bld_store_ref_get(&s, "app:1", &a, &got, &e), 0);
    assert_true(bld_digest_eq(&got.digest, &two.digest));
    assert_int_equal(bld_store_ref_delete(&s, "app:1", &e), 0);
    assert_int_equal(bld_store_ref_get(&s, "app:1", &a, &got, &e), ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "no image named 'app:1'"));
    assert_int_equal(bld_store_ref_delete(&s, "app:1", &e), ERR_NOT_FOUND);
    assert_int_equal(bld_store_ref_set(&s, "", &two, &e), ERR_USAGE);
    /* the manifest reads back and parses */
    struct bld_manifest m;
    assert_int_equal(bld_store_ref_get(&s, "app:2", &a, &got, &e), 0);
    assert_int_equal(bld_store_read_manifest(&s, &got, &a, &m, &e), 0);
    assert_true(bld_digest_eq(&m.layers[0].digest, &l2));
    arena_release(&a);
    bld_store_close(&s);
}

/* A name finds the same reference written another way: full names as
 * skopeo and podman save them, familiar ones as a Dockerfile says them. */
static void test_reference_forms(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    struct err e;
    struct bld_digest l1, c1, l2, c2;
    struct bld_descriptor one = make_image(&s, "one", &l1, &c1);
    struct bld_descriptor two = make_image(&s, "two", &l2, &c2);
    assert_int_equal(bld_store_ref_set(&s, "docker.io/library/ubase:docker", &one, &e), 0);
    assert_int_equal(bld_store_ref_set(&s, "alpine:latest", &two, &e), 0);
    assert_int_equal(bld_store_ref_set(&s, "ghcr.io/team/app:1", &two, &e), 0);
    struct arena a;
    arena_init(&a);
    struct bld_descriptor got;
    static const char *const one_names[] = { "ubase:docker", "library/ubase:docker",
                                             "index.docker.io/library/ubase:docker" };
    for (size_t i = 0; i < DW_ARRAY_LEN(one_names); i++) {
        if (bld_store_ref_get(&s, one_names[i], &a, &got, &e) != 0)
            fail_msg("%s: %s", one_names[i], e.msg);
        assert_true(bld_digest_eq(&got.digest, &one.digest));
    }
    static const char *const two_names[] = { "alpine", "docker.io/library/alpine",
                                             "docker.io/library/alpine:latest" };
    for (size_t i = 0; i < DW_ARRAY_LEN(two_names); i++) {
        if (bld_store_ref_get(&s, two_names[i], &a, &got, &e) != 0)
            fail_msg("%s: %s", two_names[i], e.msg);
        assert_true(bld_digest_eq(&got.digest, &two.digest));
    }
    /* another tag, registry or path is another image; so is a bad name */
    static const char *const none[] = { "ubase",       "ubase:latest",  "quay.io/ubase:docker",
                                        "alpine:3.20", "ghcr.io/app:1", "team/app:1",
                                        "Bad Name:1" };
    for (size_t i = 0; i < DW_ARRAY_LEN(none); i++)
        assert_int_equal(bld_store_ref_get(&s, none[i], &a, &got, &e), ERR_NOT_FOUND);
    assert_int_equal(bld_store_ref_get(&s, "ghcr.io/team/app:1", &a, &got, &e), 0);
    arena_release(&a);
    bld_store_close(&s);
}

static void test_gc(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    struct err e;
    struct bld_digest l1, c1, l2, c2, junk;
    struct bld_descriptor keep = make_image(&s, "keep", &l1, &c1);
    struct bld_descriptor drop = make_image(&s, "drop", &l2, &c2);
    assert_int_equal(bld_store_put_blob(&s, "junk", 4, &junk, &e), 0);
    assert_int_equal(bld_store_ref_set(&s, "keep", &keep, &e), 0);
    assert_int_equal(bld_store_ref_set(&s, "drop", &drop, &e), 0);
    assert_int_equal(bld_store_ref_delete(&s, "drop", &e), 0);
    /* An extracted layer nobody lists, and one the kept image lists. */
    char p[800];
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(&junk, hex);
    snprintf(p, sizeof p, "%s/layers/%s", root, hex);
    assert_int_equal(mkdir(p, 0755), 0);
    struct bld_digest diff_keep;
    bld_digest_of("layer of keep", 13, &diff_keep);
    bld_digest_hex(&diff_keep, hex);
    snprintf(p, sizeof p, "%s/layers/%s", root, hex);
    assert_int_equal(mkdir(p, 0755), 0);

    /* With a grace period nothing this young goes. */
    struct bld_gc_stats st;
    assert_int_equal(bld_store_gc(&s, 3600, &st, &e), 0);
    assert_int_equal(st.blobs_removed, 0);
    assert_true(bld_store_has_blob(&s, &junk));

    assert_int_equal(bld_store_gc(&s, 0, &st, &e), 0);
    assert_int_equal(st.blobs_removed, 4); /* junk, drop's layer, config, manifest */
    assert_int_equal(st.blobs_kept, 3);
    assert_int_equal(st.layers_removed, 1);
    assert_int_equal(st.layers_kept, 1);
    assert_true(bld_store_has_blob(&s, &keep.digest));
    assert_true(bld_store_has_blob(&s, &l1));
    assert_true(bld_store_has_blob(&s, &c1));
    assert_false(bld_store_has_blob(&s, &junk));
    assert_false(bld_store_has_blob(&s, &drop.digest));
    assert_false(bld_store_has_blob(&s, &l2));
    assert_false(bld_store_has_blob(&s, &c2));
    assert_int_equal(access(p, F_OK), 0);

    /* A damaged manifest stops gc before it removes anything. */
    assert_int_equal(bld_store_put_blob(&s, "junk", 4, &junk, &e), 0);
    struct arena a;
    arena_init(&a);
    FILE *fp = fopen(bld_store_blob_path(&s, &keep.digest, &a), "r+b");
    assert_non_null(fp);
    fputc('X', fp);
    fclose(fp);
    assert_int_equal(bld_store_gc(&s, 0, &st, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "nothing removed"));
    assert_true(bld_store_has_blob(&s, &junk));
    arena_release(&a);
    bld_store_close(&s);
}

#define PER_CHILD 15

static int child_writes(int id)
{
    struct bld_store s;
    struct err e;
    if (bld_store_open(&s, root, &e) != 0)
        return 1;
    s.unsafe_no_fsync = true;
    for (int i = 0; i < PER_CHILD; i++) {
        char text[64], name[64];
        /* Half the blobs are written by both children. */
        snprintf(text, sizeof text, "blob %d of %d", i, i % 2 ? id : 0);
        struct bld_descriptor d = {
            BLD_MT_OCI_MANIFEST, { { 0 } }, (int64_t)strlen(text), NULL, 0, NULL
        };
        if (bld_store_put_blob(&s, text, strlen(text), &d.digest, &e) != 0)
            return 2;
        snprintf(name, sizeof name, "child%d:%d", id, i);
        if (bld_store_ref_set(&s, name, &d, &e) != 0)
            return 3;
    }
    bld_store_close(&s);
    return 0;
}

static void test_concurrent_writers(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    pid_t pids[2];
    for (int c = 0; c < 2; c++) {
        pids[c] = fork();
        assert_true(pids[c] >= 0);
        if (pids[c] == 0)
            _exit(child_writes(c + 1));
    }
    for (int c = 0; c < 2; c++) {
        int status = 0;
        assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    /* Every reference of both children is there and its blob verifies. */
    struct arena a;
    arena_init(&a);
    struct bld_index ix;
    struct err e;
    assert_int_equal(bld_store_index(&s, &a, &ix, &e), 0);
    assert_int_equal(ix.n_manifests, 2 * PER_CHILD);
    for (size_t i = 0; i < ix.n_manifests; i++)
        assert_int_equal(
            bld_store_verify_blob(&s, &ix.manifests[i].digest, ix.manifests[i].size, &e), 0);
    arena_release(&a);
    bld_store_close(&s);
}

static void test_lock_nests(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    struct err e;
    assert_int_equal(bld_store_lock(&s, &e), 0);
    assert_int_equal(bld_store_lock(&s, &e), 0);
    struct bld_digest d;
    /* writes inside a held lock do not deadlock */
    assert_int_equal(bld_store_put_blob(&s, "x", 1, &d, &e), 0);
    bld_store_unlock(&s);
    bld_store_unlock(&s);
    bld_store_close(&s);
}

static void test_default_root(void **state)
{
    (void)state;
    char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    struct buf b = BUF_INIT;
    struct err e;
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    assert_int_equal(bld_store_default_root(&b, &e), 0);
    assert_string_equal(buf_cstr(&b), "/x/cache/dockwright");
    buf_reset(&b);
    setenv("XDG_CACHE_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
    setenv("HOME", "/home/u", 1);
    assert_int_equal(bld_store_default_root(&b, &e), 0);
    assert_string_equal(buf_cstr(&b), "/home/u/.cache/dockwright");
    buf_reset(&b);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    assert_int_equal(bld_store_default_root(&b, &e), ERR_NOT_FOUND);
    buf_release(&b);
    if (old_xdg)
        setenv("XDG_CACHE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_write_read_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupted_blob_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_nests, setup, teardown),
        cmocka_unit_test(test_default_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
