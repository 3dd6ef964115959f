/* Import and export: every archive kind made here (by export, and by hand
 * with libarchive), digest verification, naming rules, export round trips,
 * and an optional check that skopeo or umoci read our OCI layout. */
#include "builder/extract.h"
#include "builder/import.h"
#include "builder/layer.h"
#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <fcntl.h>
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
static struct bld_store src;      /* holds "app:1", built by setup */
static struct bld_descriptor app; /* its manifest */
static struct arena arena;

static const char *at(const char *rel)
{
    return arena_printf(&arena, "%s/%s", dir, rel);
}

static void write_file(const char *path, const char *s)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s, fp);
    fclose(fp);
}

static int setup(void **state)
{
    (void)state;
    arena_init(&arena);
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-import-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    struct err e;
    if (mkdir(at("tree"), 0755) || mkdir(at("tree/etc"), 0755))
        return -1;
    write_file(at("tree/etc/motd"), "hello from the test image\n");
    if (bld_store_open(&src, at("src-store"), &e))
        return -1;
    src.unsafe_no_fsync = true; /* tests stay fast on a busy disk */
    /* One layer, a config and a manifest named app:1. */
    struct bld_layer_opts o = { 0, false, 0 };
    struct bld_layer_info li;
    struct bld_descriptor layer;
    if (bld_layer_store(&src, at("tree"), &o, &li, &layer, &e))
        return -1;
    struct bld_image_config c;
    memset(&c, 0, sizeof c);
    c.architecture = "amd64";
    c.os = "linux";
    c.created = "1970-01-01T00:00:00Z";
    static const char *cmd[] = { "/bin/sh" };
    c.config.cmd = (struct bld_strs){ cmd, 1, true };
    c.diff_ids = &li.diff_id;
    c.n_diff_ids = 1;
    struct buf cb = BUF_INIT, mb = BUF_INIT;
    struct bld_manifest m;
    memset(&m, 0, sizeof m);
    if (bld_config_write(&c, &cb, &e) ||
        bld_store_put_blob(&src, cb.data, cb.len, &m.config.digest, &e))
        return -1;
    m.config.media_type = BLD_MT_OCI_CONFIG;
    m.config.size = (int64_t)cb.len;
    m.layers = &layer;
    m.n_layers = 1;
    if (bld_manifest_write(&m, &mb, &e))
        return -1;
    memset(&app, 0, sizeof app);
    app.media_type = BLD_MT_OCI_MANIFEST;
    app.size = (int64_t)mb.len;
    if (bld_store_put_blob(&src, mb.data, mb.len, &app.digest, &e) ||
        bld_store_ref_set(&src, "app:1", &app, &e))
        return -1;
    buf_release(&cb);
    buf_release(&mb);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bld_store_close(&src);
    struct err e;
    int rc = bld_remove_tree(dir, &e);
    arena_release(&arena);
    return rc == 0 ? 0 : -1;
}

static void open_store(struct bld_store *s, const char *name)
{
    struct err e;
    if (bld_store_open(s, at(name), &e))
        fail_msg("open: %s", e.msg);
    s->unsafe_no_fsync = true;
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    bool empty = true;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            empty = false;
    closedir(d);
    return empty;
}

/* Imports path into a new store and checks the image came back with the
 * same manifest digest and complete blobs. */
static void import_and_compare(const char *path, const char *store_name, const char *ref,
                               enum bld_archive_kind kind, const char *expect_name)
{
    struct bld_store s;
    open_store(&s, store_name);
    struct bld_import_result r;
    struct err e;
    if (bld_import(&s, path, ref, &arena, &r, &e) != 0)
        fail_msg("import %s: %s", path, e.msg);
    assert_int_equal(r.kind, kind);
    assert_int_equal(r.n_images, 1);
    assert_string_equal(r.images[0].name, expect_name);
    assert_true(bld_digest_eq(&r.images[0].desc.digest, &app.digest));
    struct bld_descriptor got;
    assert_int_equal(bld_store_ref_get(&s, expect_name, &arena, &got, &e), 0);
    assert_true(bld_digest_eq(&got.digest, &app.digest));
    struct bld_manifest m;
    assert_int_equal(bld_store_read_manifest(&s, &got, &arena, &m, &e), 0);
    assert_int_equal(bld_store_verify_blob(&s, &m.config.digest, m.config.size, &e), 0);
    assert_int_equal(bld_store_verify_blob(&s, &m.layers[0].digest, m.layers[0].size, &e), 0);
    /* staging files are gone */
    assert_true(dir_is_empty(bld_store_tmp_dir(&s, &arena)));
    bld_store_close(&s);
}

static void test_export_round_trips(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("oci"), &e), 0);
    import_and_compare(at("oci"), "s1", NULL, BLD_ARCHIVE_OCI_LAYOUT, "app:1");
    assert_int_equal(
        bld_export(&src, "app:1", "other:2", BLD_EXPORT_OCI_ARCHIVE, at("oci.tar"), &e), 0);
    import_and_compare(at("oci.tar"), "s2", NULL, BLD_ARCHIVE_OCI_ARCHIVE, "other:2");
    assert_int_equal(
        bld_export(&src, "app:1", NULL, BLD_EXPORT_DOCKER_ARCHIVE, at("docker.tar"), &e), 0);
    /* Docker 25's layout: read as OCI (same digest) */
    import_and_compare(at("docker.tar"), "s3", "renamed:3", BLD_ARCHIVE_OCI_ARCHIVE, "renamed:3");
    /* exporting twice gives the same bytes */
    assert_int_equal(
        bld_export(&src, "app:1", NULL, BLD_EXPORT_DOCKER_ARCHIVE, at("docker2.tar"), &e), 0);
    struct bld_digest d1, d2;
    assert_int_equal(bld_digest_file(at("docker.tar"), &d1, NULL, &e), 0);
    assert_int_equal(bld_digest_file(at("docker2.tar"), &d2, NULL, &e), 0);
    assert_true(bld_digest_eq(&d1, &d2));
    /* the docker-archive has a manifest.json a legacy `docker load` reads */
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, at("docker.tar"), 10240), ARCHIVE_OK);
    struct archive_entry *ent;
    bool found = false;
    while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(ent), "manifest.json") != 0)
            continue;
        char buf[2048] = { 0 };
        assert_true(archive_read_data(a, buf, sizeof buf - 1) > 0);
        assert_non_null(strstr(buf, "\"RepoTags\":[\"app:1\"]"));
        assert_non_null(strstr(buf, "\"Config\":\"blobs/sha256/"));
        found = true;
    }
    archive_read_free(a);
    assert_true(found);
}

static void test_export_errors(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(bld_export(&src, "nope", NULL, BLD_EXPORT_OCI_DIR, at("x"), &e),
                     ERR_NOT_FOUND);
    write_file(at("exists.tar"), "x");
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_ARCHIVE, at("exists.tar"), &e),
                     ERR_USAGE);
    assert_non_null(strstr(e.msg, "already exists"));
    /* an empty directory is fine for a layout, a non-empty one is not */
    assert_int_equal(mkdir(at("emptydir"), 0755), 0);
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("emptydir"), &e), 0);
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("emptydir"), &e),
                     ERR_USAGE);
    /* a corrupt blob in the store: the export fails and leaves nothing */
    struct bld_manifest m;
    assert_int_equal(bld_store_read_manifest(&src, &app, &arena, &m, &e), 0);
    const char *blob = bld_store_blob_path(&src, &m.layers[0].digest, &arena);
    FILE *fp = fopen(blob, "r+b");
    assert_non_null(fp);
    fseek(fp, 20, SEEK_SET);
    fputc(0x55, fp);
    fclose(fp);
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_ARCHIVE, at("bad.tar"), &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "corrupt"));
    assert_int_equal(access(at("bad.tar"), F_OK), -1);
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("bad"), &e),
                     ERR_INVALID);
    assert_int_equal(access(at("bad"), F_OK), -1);
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        assert_null(strstr(de->d_name, ".tmp-"));
    closedir(d);
}

/* ---- archives made by hand ---------------------------------------------- */

struct member {
    const char *name;
    const void *data;
    size_t len;
    const char *symlink; /* when not NULL, a symlink with this target */
};

static void write_tar(const char *path, const struct member *m, size_t n, int filter)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter != ARCHIVE_FILTER_NONE)
        assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_perm(e, 0644);
        if (m[i].symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].symlink);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)m[i].len);
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (!m[i].symlink && m[i].len)
            assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* A small layer tar in memory (uncompressed, as `docker save` writes). */
static struct buf layer_tar(const char *file, const char *content)
{
    char *mem = xmalloc(65536);
    size_t used = 0;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open_memory(a, mem, 65536, &used), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, file);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)strlen(content));
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, content, strlen(content));
    archive_entry_free(e);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    struct buf b = BUF_INIT;
    assert_int_equal(buf_append(&b, mem, used), 0);
    free(mem);
    return b;
}

static void build_docker_archive(const char *path, const char *repotags, bool wrong_diff_id)
{
    struct buf l1 = layer_tar("etc/one", "1\n"), l2 = layer_tar("etc/two", "2\n");
    struct bld_digest d1, d2;
    bld_digest_of(l1.data, l1.len, &d1);
    bld_digest_of(l2.data, l2.len, &d2);
    char s1[BLD_DIGEST_STR_LEN + 1], s2[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d1, s1);
    bld_digest_string(wrong_diff_id ? &d1 : &d2, s2);
    /* The third layer repeats the first through a symlink, as the legacy
     * `docker save` format does for a layer it already wrote. */
    const char *config =
        arena_printf(&arena,
                     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\",\"%s\"]},"
                     "\"docker_version\":\"24.0.0\"}",
                     s1, s2, s1);
    const char *manifest =
        arena_printf(&arena,
                     "[{\"Config\":\"cfg.json\",\"RepoTags\":%s,"
                     "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\",\"ccc/layer.tar\"]}]",
                     repotags);
    struct member m[] = {
        { "aaa/layer.tar", l1.data, l1.len, NULL },
        { "bbb/layer.tar", l2.data, l2.len, NULL },
        { "ccc/layer.tar", NULL, 0, "../aaa/layer.tar" },
        { "cfg.json", config, strlen(config), NULL },
        { "repositories", "{}", 2, NULL },
        { "manifest.json", manifest, strlen(manifest), NULL },
    };
    write_tar(path, m, DW_ARRAY_LEN(m), ARCHIVE_FILTER_NONE);
    buf_release(&l1);
    buf_release(&l2);
}

static void test_docker_archive_by_hand(void **state)
{
    (void)state;
    build_docker_archive(at("legacy.tar"), "[\"hand:1\",\"hand:latest\"]", false);
    struct bld_store s;
    open_store(&s, "d1");
    struct bld_import_result r;
    struct err e;
    if (bld_import(&s, at("legacy.tar"), NULL, &arena, &r, &e) != 0)
        fail_msg("import: %s", e.msg);
    assert_int_equal(r.kind, BLD_ARCHIVE_DOCKER);
    assert_int_equal(r.n_images, 2);
    assert_string_equal(r.images[0].name, "hand:1");
    assert_string_equal(r.images[1].name, "hand:latest");
    struct bld_manifest m;
    assert_int_equal(bld_store_read_manifest(&s, &r.images[0].desc, &arena, &m, &e), 0);
    assert_int_equal(m.n_layers, 3);
    /* uncompressed layers keep their bytes: media type says plain tar */
    assert_string_equal(m.layers[0].media_type, BLD_MT_OCI_LAYER);
    assert_true(bld_digest_eq(&m.layers[0].digest, &m.layers[2].digest));
    struct bld_image_config c;
    assert_int_equal(bld_store_read_config(&s, &m.config, &arena, &c, &e), 0);
    assert_true(bld_digest_eq(&c.diff_ids[1], &m.layers[1].digest));
    /* the layer can be unpacked from the store */
    const char *ldir;
    assert_int_equal(
        bld_store_unpack_layer(&s, &m.layers[1], &c.diff_ids[1], true, &arena, &ldir, &e), 0);
    assert_int_equal(access(arena_printf(&arena, "%s/etc/two", ldir), F_OK), 0);
    /* importing again gives the same manifest */
    struct bld_import_result r2;
    assert_int_equal(bld_import(&s, at("legacy.tar"), "again:1", &arena, &r2, &e), 0);
    assert_true(bld_digest_eq(&r2.images[0].desc.digest, &r.images[0].desc.digest));
    assert_true(dir_is_empty(bld_store_tmp_dir(&s, &arena)));
    /* and exporting it as a docker-archive then importing it gives it back */
    assert_int_equal(bld_export(&s, "hand:1", NULL, BLD_EXPORT_DOCKER_ARCHIVE, at("re.tar"), &e),
                     0);
    struct bld_store s2;
    open_store(&s2, "d2");
    assert_int_equal(bld_import(&s2, at("re.tar"), NULL, &arena, &r2, &e), 0);
    assert_true(bld_digest_eq(&r2.images[0].desc.digest, &r.images[0].desc.digest));
    bld_store_close(&s2);
    bld_store_close(&s);
}

static void test_docker_archive_errors(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s, "d3");
    struct bld_import_result r;
    struct err e;
    build_docker_archive(at("wrong.tar"), "[\"w:1\"]", true);
    assert_int_equal(bld_import(&s, at("wrong.tar"), NULL, &arena, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "does not match its diff_id"));
    struct bld_descriptor d;
    assert_int_equal(bld_store_ref_get(&s, "w:1", &arena, &d, &e), ERR_NOT_FOUND);
    build_docker_archive(at("untagged.tar"), "null", false);
    assert_int_equal(bld_import(&s, at("untagged.tar"), NULL, &arena, &r, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "give a reference"));
    assert_int_equal(bld_import(&s, at("untagged.tar"), "named:1", &arena, &r, &e), 0);
    /* neither format */
    struct member junk[] = { { "hello.txt", "hi", 2, NULL } };
    write_tar(at("neither.tar"), junk, 1, ARCHIVE_FILTER_NONE);
    assert_int_equal(bld_import(&s, at("neither.tar"), NULL, &arena, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "neither an oci-archive nor a docker-archive"));
    /* broken manifest.json */
    struct member bad[] = { { "manifest.json", "[{", 2, NULL } };
    write_tar(at("badjson.tar"), bad, 1, ARCHIVE_FILTER_NONE);
    assert_int_equal(bld_import(&s, at("badjson.tar"), NULL, &arena, &r, &e), ERR_SYNTAX);
    assert_int_equal(bld_import(&s, at("missing.tar"), NULL, &arena, &r, &e), ERR_IO);
    assert_true(dir_is_empty(bld_store_tmp_dir(&s, &arena)));
    bld_store_close(&s);
}

/* An oci-archive written by hand (gzip-compressed outer tar), with two
 * images, one of them named. */
static void test_oci_archive_by_hand(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("lay"), &e), 0);
    struct bld_manifest m;
    assert_int_equal(bld_store_read_manifest(&src, &app, &arena, &m, &e), 0);
    struct buf mb = BUF_INIT, cb = BUF_INIT, lb = BUF_INIT;
    assert_int_equal(bld_store_read_blob(&src, &app.digest, app.size, 1 << 20, &mb, &e), 0);
    assert_int_equal(bld_store_read_blob(&src, &m.config.digest, -1, 1 << 20, &cb, &e), 0);
    assert_int_equal(bld_store_read_blob(&src, &m.layers[0].digest, -1, 1 << 20, &lb, &e), 0);
    char mh[BLD_DIGEST_STR_LEN + 1], ch[BLD_DIGEST_STR_LEN + 1], lh[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&app.digest, mh);
    bld_digest_string(&m.config.digest, ch);
    bld_digest_string(&m.layers[0].digest, lh);
    const char *index =
        arena_printf(&arena,
                     "{\"schemaVersion\":2,\"manifests\":["
                     "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
                     "\"annotations\":{\"org.opencontainers.image.ref.name\":\"first\"}},"
                     "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
                     BLD_MT_OCI_MANIFEST, mh, mb.len, BLD_MT_OCI_MANIFEST, mh, mb.len);
    struct member mem[] = {
        { "./oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL },
        { "./index.json", index, strlen(index), NULL },
        { arena_printf(&arena, "./blobs/sha256/%s", mh + 7), mb.data, mb.len, NULL },
        { arena_printf(&arena, "./blobs/sha256/%s", ch + 7), cb.data, cb.len, NULL },
        { arena_printf(&arena, "./blobs/sha256/%s", lh + 7), lb.data, lb.len, NULL },
    };
    write_tar(at("hand.tar.gz"), mem, DW_ARRAY_LEN(mem), ARCHIVE_FILTER_GZIP);
    struct bld_store s;
    open_store(&s, "o1");
    struct bld_import_result r;
    /* two images, one without a name: a reference is needed ... */
    assert_int_equal(bld_import(&s, at("hand.tar.gz"), NULL, &arena, &r, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "image 2"));
    /* ... and picks the named one */
    assert_int_equal(bld_import(&s, at("hand.tar.gz"), "first", &arena, &r, &e), 0);
    assert_int_equal(r.kind, BLD_ARCHIVE_OCI_ARCHIVE);
    assert_true(bld_digest_eq(&r.images[0].desc.digest, &app.digest));
    /* a reference that names nothing among several is an error */
    assert_int_equal(bld_import(&s, at("hand.tar.gz"), "zzz", &arena, &r, &e), ERR_USAGE);
    /* a blob whose content does not match its name */
    struct member evil[] = {
        { "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL },
        { "index.json", index, strlen(index), NULL },
        { arena_printf(&arena, "blobs/sha256/%s", mh + 7), mb.data, mb.len, NULL },
        { arena_printf(&arena, "blobs/sha256/%s", ch + 7), "tampered", 8, NULL },
    };
    write_tar(at("evil.tar"), evil, DW_ARRAY_LEN(evil), ARCHIVE_FILTER_NONE);
    assert_int_equal(bld_import(&s, at("evil.tar"), "first", &arena, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "does not match its digest"));
    /* a blob left out */
    struct member partial[] = {
        { "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL },
        { "index.json", index, strlen(index), NULL },
        { arena_printf(&arena, "blobs/sha256/%s", mh + 7), mb.data, mb.len, NULL },
    };
    write_tar(at("partial.tar"), partial, DW_ARRAY_LEN(partial), ARCHIVE_FILTER_NONE);
    struct bld_store s2;
    open_store(&s2, "o2");
    assert_int_equal(bld_import(&s2, at("partial.tar"), "first", &arena, &r, &e), ERR_NOT_FOUND);
    struct bld_descriptor d;
    assert_int_equal(bld_store_ref_get(&s2, "first", &arena, &d, &e), ERR_NOT_FOUND);
    assert_true(dir_is_empty(bld_store_tmp_dir(&s2, &arena)));
    bld_store_close(&s2);
    bld_store_close(&s);
    buf_release(&mb);
    buf_release(&cb);
    buf_release(&lb);
}

static void test_layout_dir_verification(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("v"), &e), 0);
    struct bld_manifest m;
    assert_int_equal(bld_store_read_manifest(&src, &app, &arena, &m, &e), 0);
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(&m.config.digest, hex);
    const char *cfg = arena_printf(&arena, "%s/blobs/sha256/%s", at("v"), hex);
    FILE *fp = fopen(cfg, "r+b");
    assert_non_null(fp);
    fputc(' ', fp);
    fclose(fp);
    struct bld_store s;
    open_store(&s, "v1");
    struct bld_import_result r;
    assert_int_equal(bld_import(&s, at("v"), NULL, &arena, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "digest mismatch"));
    struct bld_descriptor d;
    assert_int_equal(bld_store_ref_get(&s, "app:1", &arena, &d, &e), ERR_NOT_FOUND);
    assert_false(bld_store_has_blob(&s, &m.config.digest));
    /* not a layout at all */
    assert_int_equal(mkdir(at("plain"), 0755), 0);
    assert_int_equal(bld_import(&s, at("plain"), NULL, &arena, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "not an OCI image layout"));
    bld_store_close(&s);
}

/* A multi-platform index of which only one platform is present, as
 * `docker save` writes them: export, import and gc all cope. */
static void test_partial_index(void **state)
{
    (void)state;
    struct err e;
    struct bld_descriptor m[2];
    m[0] = app;
    m[0].platform = &(struct bld_platform){ "linux", "amd64", NULL };
    m[1] = app;
    bld_digest_of("never pulled", 12, &m[1].digest);
    m[1].platform = &(struct bld_platform){ "linux", "arm64", "v8" };
    struct bld_index ix = { BLD_MT_OCI_INDEX, m, 2, NULL, 0 };
    struct buf b = BUF_INIT;
    assert_int_equal(bld_index_write(&ix, &b, &e), 0);
    struct bld_descriptor d = { BLD_MT_OCI_INDEX, { { 0 } }, (int64_t)b.len, NULL, 0, NULL };
    assert_int_equal(bld_store_put_blob(&src, b.data, b.len, &d.digest, &e), 0);
    buf_release(&b);
    assert_int_equal(bld_store_ref_set(&src, "multi:1", &d, &e), 0);
    struct bld_gc_stats st;
    assert_int_equal(bld_store_gc(&src, 0, &st, &e), 0);
    assert_int_equal(st.blobs_removed, 0);
    assert_int_equal(bld_export(&src, "multi:1", NULL, BLD_EXPORT_OCI_ARCHIVE, at("multi.tar"), &e),
                     0);
    assert_int_equal(
        bld_export(&src, "multi:1", NULL, BLD_EXPORT_DOCKER_ARCHIVE, at("multi-d.tar"), &e),
        ERR_UNSUPPORTED);
    struct bld_store s;
    open_store(&s, "m1");
    struct bld_import_result r;
    if (bld_import(&s, at("multi.tar"), NULL, &arena, &r, &e) != 0)
        fail_msg("import: %s", e.msg);
    assert_true(bld_digest_eq(&r.images[0].desc.digest, &d.digest));
    assert_int_equal(bld_store_gc(&s, 0, &st, &e), 0);
    assert_int_equal(st.blobs_removed, 0);
    assert_int_equal(st.blobs_kept, 4); /* index, manifest, config, layer */
    bld_store_close(&s);
}

/* Names: every named image of a layout is imported; containerd's full
 * name annotation wins over the bare tag in ref.name. */
static void test_layout_names(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("names"), &e), 0);
    char dg[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&app.digest, dg);
    const char *index = arena_printf(
        &arena,
        "{\"schemaVersion\":2,\"manifests\":["
        "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%lld,\"annotations\":{"
        "\"io.containerd.image.name\":\"docker.io/library/app:1\","
        "\"org.opencontainers.image.ref.name\":\"1\"}},"
        "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%lld,\"annotations\":{"
        "\"org.opencontainers.image.ref.name\":\"plain\"}}]}",
        BLD_MT_OCI_MANIFEST, dg, (long long)app.size, BLD_MT_OCI_MANIFEST, dg, (long long)app.size);
    write_file(arena_printf(&arena, "%s/index.json", at("names")), index);
    struct bld_store s;
    open_store(&s, "n1");
    struct bld_import_result r;
    if (bld_import(&s, at("names"), NULL, &arena, &r, &e) != 0)
        fail_msg("import: %s", e.msg);
    assert_int_equal(r.n_images, 2);
    assert_string_equal(r.images[0].name, "docker.io/library/app:1");
    assert_string_equal(r.images[1].name, "plain");
    struct bld_descriptor d;
    assert_int_equal(bld_store_ref_get(&s, "docker.io/library/app:1", &arena, &d, &e), 0);
    /* other annotations of the descriptor are kept in index.json */
    assert_string_equal(bld_descriptor_annotation(&d, "io.containerd.image.name"),
                        "docker.io/library/app:1");
    /* a reference matches the full name too */
    assert_int_equal(bld_import(&s, at("names"), "docker.io/library/app:1", &arena, &r, &e), 0);
    assert_int_equal(r.n_images, 1);
    bld_store_close(&s);
}

/* Optional: real tools read the layout we write. */
static bool have(const char *tool)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path);
    bool found = false;
    for (char *p = copy, *end; p && !found; p = end ? end + 1 : NULL) {
        end = strchr(p, ':');
        if (end)
            *end = '\0';
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", *p ? p : ".", tool);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}

static void test_external_tools_read_layout(void **state)
{
    (void)state;
    bool skopeo = have("skopeo"), umoci = have("umoci");
    if (!skopeo && !umoci)
        skip();
    struct err e;
    assert_int_equal(bld_export(&src, "app:1", NULL, BLD_EXPORT_OCI_DIR, at("ext"), &e), 0);
    char cmd[2048];
    if (skopeo) {
        snprintf(cmd, sizeof cmd, "skopeo inspect 'oci:%s:app:1' >/dev/null", at("ext"));
        assert_int_equal(system(cmd), 0);
    }
    if (umoci) {
        snprintf(cmd, sizeof cmd, "umoci stat --image '%s:app:1' >/dev/null", at("ext"));
        assert_int_equal(system(cmd), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docker_archive_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docker_archive_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oci_archive_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_dir_verification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_tools_read_layout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
