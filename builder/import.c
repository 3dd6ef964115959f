#include "import.h"

#include "builder/extract.h"
#include "common/fileio.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#define CHUNK_SIZE ((size_t)64 * 1024)
/* Caps on what an archive may hold, so input cannot exhaust memory or
 * descriptors: far above real images. */
#define MAX_ENTRIES 100000
#define MAX_IMAGES 1000
#define MAX_DEPTH 8

const char *bld_archive_kind_name(enum bld_archive_kind kind)
{
    switch (kind) {
    case BLD_ARCHIVE_OCI_LAYOUT: return "oci-layout";
    case BLD_ARCHIVE_OCI_ARCHIVE: return "oci-archive";
    case BLD_ARCHIVE_DOCKER: return "docker-archive";
    }
    return "archive";
}

/* ---- sources: a layout directory, or an archive staged in the store ----- */

/* A regular file of an archive, copied into the store's tmp directory while
 * it was read and hashed; or a link to another entry. */
struct staged {
    char *name; /* normalised path in the archive */
    char *tmp;  /* staged copy, NULL for links */
    char *link; /* normalised target of a symlink or hard link, else NULL */
    struct bld_digest digest;
    uint64_t size;
    bool adopted; /* moved into blobs/ */
};

struct source {
    enum bld_archive_kind kind;
    const char *path;
    struct bld_store *store;
    VEC(struct staged) files; /* sorted by name after staging */
};

static void source_release(struct source *src)
{
    for (size_t i = 0; i < src->files.len; i++) {
        struct staged *f = &src->files.items[i];
        if (f->tmp && !f->adopted)
            unlink(f->tmp);
        free(f->name);
        free(f->tmp);
        free(f->link);
    }
    VEC_RELEASE(&src->files);
}

/* Archive member names: "./" prefixes, leading slashes and "." components
 * dropped, ".." resolved lexically (clamped at the top). They are only keys
 * here, never paths on disk. */
static char *normalise(const char *base_dir, const char *name)
{
    size_t n = strlen(base_dir) + strlen(name) + 2;
    char *joined = xmalloc(n);
    snprintf(joined, n, "%s/%s", base_dir, name);
    char *out = xmalloc(n);
    size_t o = 0;
    for (char *p = joined; *p;) {
        char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else if (len && !(len == 1 && p[0] == '.')) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    out[o] = '\0';
    free(joined);
    return out;
}

static int cmp_staged(const void *x, const void *y)
{
    return strcmp(((const struct staged *)x)->name, ((const struct staged *)y)->name);
}

/* The staged file behind name, following links; NULL when absent. */
static struct staged *find_staged(struct source *src, const char *name)
{
    char *cur = xstrdup(name);
    for (int hops = 0; hops < MAX_DEPTH; hops++) {
        struct staged key = { .name = cur };
        struct staged *f =
            src->files.len ? bsearch(&key, src->files.items, src->files.len, sizeof key, cmp_staged)
                           : NULL;
        if (!f || !f->link) {
            free(cur);
            return f;
        }
        free(cur);
        cur = xstrdup(f->link);
    }
    free(cur);
    return NULL;
}

static bool blob_name(const char *name, struct bld_digest *d)
{
    static const char prefix[] = "blobs/sha256/";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *hex = name + sizeof prefix - 1;
    return bld_digest_parse_hex(hex, strlen(hex), d) == 0;
}

static int stage_entry(struct source *src, struct bld_tar_stream *ts, struct staged *f,
                       const char *tmpdir, char *chunk, struct err *err)
{
    size_t n = strlen(tmpdir) + sizeof "/import-XXXXXX";
    f->tmp = xmalloc(n);
    snprintf(f->tmp, n, "%s/import-XXXXXX", tmpdir);
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        int rc = err_sys(err, f->tmp, "cannot create a temporary file in '%s'", tmpdir);
        free(f->tmp);
        f->tmp = NULL;
        return rc;
    }
    (void)fchmod(fd, 0644);
    struct bld_sha256 h;
    int rc = bld_sha256_init(&h, err);
    while (!rc) {
        ssize_t got = bld_tar_stream_read(ts, chunk, CHUNK_SIZE, err);
        if (got < 0) {
            rc = (int)got;
            break;
        }
        if (got == 0)
            break;
        bld_sha256_update(&h, chunk, (size_t)got);
        f->size += (uint64_t)got;
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(fd, chunk + off, (size_t)(got - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = err_sys(err, f->tmp, "cannot write '%s'", f->tmp);
                break;
            }
            off += w;
        }
    }
    if (!rc && !src->store->unsafe_no_fsync && fsync(fd) != 0)
        rc = err_sys(err, f->tmp, "cannot write '%s'", f->tmp);
    close(fd);
    if (!rc)
        bld_sha256_final(&h, &f->digest);
    bld_sha256_release(&h);
    struct bld_digest named;
    if (!rc && blob_name(f->name, &named) && !bld_digest_eq(&named, &f->digest)) {
        char got[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&f->digest, got);
        rc = err_set(err, ERR_INVALID, "'%s': blob '%s' does not match its digest (content is %s)",
                     src->path, f->name, got);
    }
    return rc;
}

/* Reads the whole archive once, copying each regular file into the store's
 * tmp directory with its digest. Layers are large, so this is the only
 * copy made: the blobs that turn out to be needed are renamed into
 * blobs/, the others deleted. */
static int stage_archive(struct source *src, struct arena *a, struct err *err)
{
    int fd = open(src->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, src->path, "cannot open '%s'", src->path);
    struct bld_tar_stream ts;
    int rc = bld_tar_stream_open(&ts, fd, src->path, err);
    if (rc) {
        close(fd);
        return rc;
    }
    const char *tmpdir = bld_store_tmp_dir(src->store, a);
    char *chunk = xmalloc(CHUNK_SIZE);
    for (;;) {
        struct archive_entry *e;
        int r = bld_tar_stream_next(&ts, &e, err);
        if (r <= 0) {
            rc = r;
            break;
        }
        const char *p = archive_entry_pathname(e);
        if (!p || strlen(p) >= PATH_MAX) {
            rc = err_set(err, ERR_INVALID, "'%s': entry without a usable name", src->path);
            break;
        }
        mode_t type = archive_entry_filetype(e);
        const char *hard = archive_entry_hardlink(e);
        if (!hard && type != AE_IFREG && type != AE_IFLNK)
            continue;
        if (src->files.len >= MAX_ENTRIES) {
            rc = err_set(err, ERR_TOO_LARGE, "'%s': more than %d files", src->path, MAX_ENTRIES);
            break;
        }
        struct staged *f = VEC_PUSH_ZERO(&src->files);
        f->name = normalise("", p);
        if (hard) {
            f->link = normalise("", hard);
        } else if (type == AE_IFLNK) {
            const char *t = archive_entry_symlink(e);
            char *dir = xstrdup(f->name);
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = '\0';
            else
                dir[0] = '\0';
            f->link = normalise(t && t[0] == '/' ? "" : dir, t ? t : "");
            free(dir);
        } else if ((rc = stage_entry(src, &ts, f, tmpdir, chunk, err))) {
            break;
        }
    }
    free(chunk);
    bld_tar_stream_close(&ts);
    close(fd);
    if (rc)
        return rc;
    if (src->files.len)
        qsort(src->files.items, src->files.len, sizeof *src->files.items, cmp_staged);
    for (size_t i = 1; i < src->files.len; i++)
        if (strcmp(src->files.items[i - 1].name, src->files.items[i].name) == 0)
            return err_set(err, ERR_INVALID, "'%s': entry '%s' appears twice", src->path,
                           src->files.items[i].name);
    return 0;
}

static bool source_has(struct source *src, const char *name)
{
    if (src->kind == BLD_ARCHIVE_OCI_LAYOUT) {
        size_t n = strlen(src->path) + strlen(name) + 2;
        char *p = xmalloc(n);
        snprintf(p, n, "%s/%s", src->path, name);
        bool ok = access(p, F_OK) == 0;
        free(p);
        return ok;
    }
    return find_staged(src, name) != NULL;
}

/* Reads a small file of the source (index.json, manifest.json, a config). */
static int source_read(struct source *src, const char *name, struct buf *out, struct err *err)
{
    const char *path;
    char *heap = NULL;
    if (src->kind == BLD_ARCHIVE_OCI_LAYOUT) {
        size_t n = strlen(src->path) + strlen(name) + 2;
        heap = xmalloc(n);
        snprintf(heap, n, "%s/%s", src->path, name);
        path = heap;
    } else {
        struct staged *f = find_staged(src, name);
        if (!f)
            return err_set(err, ERR_NOT_FOUND, "'%s' has no file '%s'", src->path, name);
        path = f->tmp;
    }
    struct err sub;
    int rc = file_read_all(path, BLD_JSON_MAX, out, &sub);
    free(heap);
    if (rc == ERR_TOO_LARGE)
        return err_set(err, rc, "'%s': '%s' is larger than %zu bytes", src->path, name,
                       BLD_JSON_MAX);
    if (rc && sub.sys_errno == ENOENT)
        return err_set(err, ERR_NOT_FOUND, "'%s' has no file '%s'", src->path, name);
    if (rc)
        return err_set(err, rc, "'%s': %s", src->path, sub.msg);
    return 0;
}

static bool source_has_blob(struct source *src, const struct bld_digest *d)
{
    if (bld_store_has_blob(src->store, d))
        return true;
    char hex[BLD_DIGEST_HEX_LEN + 1], rel[sizeof "blobs/sha256/" + BLD_DIGEST_HEX_LEN];
    bld_digest_hex(d, hex);
    snprintf(rel, sizeof rel, "blobs/sha256/%s", hex);
    return source_has(src, rel);
}

/* Puts the blob d of the source into the store, checked against d and
 * size (when >= 0). */
static int place_blob(struct source *src, const struct bld_digest *d, int64_t size, struct err *err)
{
    char name[BLD_DIGEST_STR_LEN + 1], rel[sizeof "blobs/sha256/" + BLD_DIGEST_HEX_LEN];
    bld_digest_string(d, name);
    snprintf(rel, sizeof rel, "blobs/sha256/%s", name + 7);
    /* Content addressing: a blob the store has is this blob (reads of the
     * store verify it). docker-archive blobs were put there already. */
    if (bld_store_has_blob(src->store, d))
        return 0;
    if (src->kind != BLD_ARCHIVE_OCI_LAYOUT) {
        struct staged *f = find_staged(src, rel);
        if (!f)
            return err_set(err, ERR_NOT_FOUND, "'%s' lacks blob %s", src->path, name);
        if (!bld_digest_eq(&f->digest, d) || (size >= 0 && (uint64_t)size != f->size))
            return err_set(err, ERR_INVALID, "'%s': blob %s does not match its descriptor",
                           src->path, name);
        if (f->adopted)
            return 0;
        int rc = bld_store_adopt_blob(src->store, f->tmp, d, err);
        if (!rc)
            f->adopted = true;
        return rc;
    }
    size_t n = strlen(src->path) + sizeof rel + 1;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/%s", src->path, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = errno == ENOENT
                     ? err_set(err, ERR_NOT_FOUND, "'%s' lacks blob %s", src->path, name)
                     : err_sys(err, path, "cannot open '%s'", path);
        free(path);
        return rc;
    }
    struct bld_blob_writer w;
    int rc = bld_blob_writer_open(&w, src->store, err);
    char *chunk = xmalloc(CHUNK_SIZE);
    while (!rc) {
        ssize_t got = read(fd, chunk, CHUNK_SIZE);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = err_sys(err, path, "cannot read '%s'", path);
            bld_blob_writer_abort(&w);
            break;
        }
        if (got == 0) {
            struct err sub;
            rc = bld_blob_writer_commit(&w, d, size, NULL, NULL, &sub);
            if (rc)
                err_set(err, rc, "'%s': %s", src->path, sub.msg);
            break;
        }
        if ((rc = bld_blob_writer_write(&w, chunk, (size_t)got, err)))
            bld_blob_writer_abort(&w);
    }
    free(chunk);
    free(path);
    close(fd);
    return rc;
}

/* ---- OCI layouts -------------------------------------------------------- */

static int copy_closure(struct source *src, const struct bld_descriptor *desc, int depth,
                        struct err *err)
{
    if (depth > MAX_DEPTH)
        return err_set(err, ERR_INVALID, "'%s': image indexes nested too deeply", src->path);
    int rc = place_blob(src, &desc->digest, desc->size, err);
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a);
    if (bld_media_type_is_index(desc->media_type)) {
        struct buf b = BUF_INIT;
        struct bld_index ix;
        rc = bld_store_read_blob(src->store, &desc->digest, desc->size, BLD_JSON_MAX, &b, err);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&b), b.len, "image index", &a, &ix, err);
        buf_release(&b);
        size_t copied = 0;
        for (size_t i = 0; !rc && i < ix.n_manifests; i++) {
            /* `docker save` and skopeo without --all write the platforms
             * they have and keep the full index: the others are absent.
             * A manifest that is present must be complete. */
            if (!source_has_blob(src, &ix.manifests[i].digest))
                continue;
            rc = copy_closure(src, &ix.manifests[i], depth + 1, err);
            copied++;
        }
        if (!rc && !copied && ix.n_manifests)
            rc = err_set(err, ERR_NOT_FOUND, "'%s': no manifest of the image index is present",
                         src->path);
    } else if (bld_media_type_is_manifest(desc->media_type)) {
        struct bld_manifest m;
        rc = bld_store_read_manifest(src->store, desc, &a, &m, err);
        if (!rc)
            rc = place_blob(src, &m.config.digest, m.config.size, err);
        for (size_t i = 0; !rc && i < m.n_layers; i++)
            rc = place_blob(src, &m.layers[i].digest, m.layers[i].size, err);
    }
    arena_release(&a);
    return rc;
}

struct pick {
    const char *name;
    struct bld_descriptor desc;
};

/* Shaped like VEC(struct pick), named so that it can be passed around. */
struct pick_list {
    struct pick *items;
    size_t len, cap;
};

/* Stores the blobs of every pick, then names them: a failure leaves no
 * name pointing at a partial image, and the lock keeps gc from running in
 * between. */
static int commit_picks(struct source *src, struct pick_list *picks, struct arena *a,
                        struct bld_import_result *out, struct err *err)
{
    int rc = bld_store_lock(src->store, err);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < picks->len; i++)
        rc = copy_closure(src, &picks->items[i].desc, 0, err);
    for (size_t i = 0; !rc && i < picks->len; i++)
        rc = bld_store_ref_set(src->store, picks->items[i].name, &picks->items[i].desc, err);
    bld_store_unlock(src->store);
    if (rc)
        return rc;
    out->n_images = picks->len;
    out->images = ARENA_NEW_ARRAY(a, struct bld_imported_image, picks->len + 1);
    for (size_t i = 0; i < picks->len; i++) {
        out->images[i].name = arena_strdup(a, picks->items[i].name);
        out->images[i].desc = picks->items[i].desc;
    }
    return 0;
}

static const char *image_name(const struct bld_descriptor *d)
{
    /* containerd (and Docker 25's save) puts the full name here and only
     * the tag in ref.name. */
    const char *n = bld_descriptor_annotation(d, "io.containerd.image.name");
    return n ? n : bld_descriptor_annotation(d, BLD_ANNOT_REF_NAME);
}

static int import_oci(struct source *src, const char *ref, struct arena *a,
                      struct bld_import_result *out, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = source_read(src, "oci-layout", &b, err);
    if (!rc)
        rc = bld_layout_check(buf_cstr(&b), b.len, arena_printf(a, "'%s': oci-layout", src->path),
                              err);
    buf_reset(&b);
    struct bld_index ix;
    if (!rc)
        rc = source_read(src, "index.json", &b, err);
    if (!rc)
        rc = bld_index_parse(buf_cstr(&b), b.len, arena_printf(a, "'%s': index.json", src->path), a,
                             &ix, err);
    buf_release(&b);
    if (rc)
        return rc;
    struct pick_list picks = VEC_INIT;
    if (ref) {
        long at = -1;
        for (size_t i = 0; i < ix.n_manifests; i++) {
            const char *n = bld_descriptor_annotation(&ix.manifests[i], BLD_ANNOT_REF_NAME);
            const char *full =
                bld_descriptor_annotation(&ix.manifests[i], "io.containerd.image.name");
            if ((n && strcmp(n, ref) == 0) || (full && strcmp(full, ref) == 0))
                at = (long)i;
        }
        if (at < 0 && ix.n_manifests == 1)
            at = 0;
        if (at < 0) {
            VEC_RELEASE(&picks);
            return err_set(err, ERR_USAGE, "'%s' holds %zu images and none is named '%s'",
                           src->path, ix.n_manifests, ref);
        }
        VEC_PUSH(&picks, ((struct pick){ ref, ix.manifests[at] }));
    } else {
        for (size_t i = 0; i < ix.n_manifests; i++) {
            const char *n = image_name(&ix.manifests[i]);
            if (!n) {
                VEC_RELEASE(&picks);
                return err_set(err, ERR_USAGE,
                               "image %zu of '%s' has no name: give a reference to import it as",
                               i + 1, src->path);
            }
            VEC_PUSH(&picks, ((struct pick){ n, ix.manifests[i] }));
        }
        if (!picks.len) {
            VEC_RELEASE(&picks);
            return err_set(err, ERR_INVALID, "'%s' holds no image", src->path);
        }
    }
    rc = commit_picks(src, &picks, a, out, err);
    VEC_RELEASE(&picks);
    return rc;
}

/* ---- docker-archive ----------------------------------------------------- */

/* The compression of a staged layer, from its magic bytes. */
static int sniff(const char *path, const char **filter, struct err *err)
{
    unsigned char m[4] = { 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    ssize_t n = read(fd, m, sizeof m);
    close(fd);
    *filter = NULL;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        *filter = "gzip";
    else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        *filter = "zstd";
    return 0;
}

/* The sha256 of a compressed layer's uncompressed content. */
static int uncompressed_digest(const char *path, struct bld_digest *out, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    struct bld_tar_stream ts;
    int rc = bld_tar_stream_open(&ts, fd, path, err);
    if (!rc) {
        rc = bld_tar_stream_finish(&ts, out, NULL, err);
        bld_tar_stream_close(&ts);
    }
    close(fd);
    return rc;
}

static int json_strings(json_t *arr, const char *what, struct arena *a, struct bld_strs *out,
                        struct err *err)
{
    memset(out, 0, sizeof *out);
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return err_set(err, ERR_INVALID, "%s is not an array of strings", what);
    out->len = json_array_size(arr);
    out->items = ARENA_NEW_ARRAY(a, const char *, out->len + 1);
    for (size_t i = 0; i < out->len; i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s))
            return err_set(err, ERR_INVALID, "%s is not an array of strings", what);
        out->items[i] = arena_strdup(a, json_string_value(s));
    }
    out->set = true;
    return 0;
}

/* One entry of manifest.json: its config and layers go into the store (as
 * they are, checked against the config's diff_ids) and a new OCI manifest
 * is written for them. */
static int import_docker_image(struct source *src, json_t *img, size_t index, const char *ref,
                               struct arena *a, struct pick_list *picks, struct err *err)
{
    const char *what = arena_printf(a, "'%s': manifest.json image %zu", src->path, index + 1);
    if (!json_is_object(img))
        return err_set(err, ERR_INVALID, "%s is not an object", what);
    json_t *cfg = json_object_get(img, "Config");
    if (!json_is_string(cfg))
        return err_set(err, ERR_INVALID, "%s: 'Config' is missing or not a string", what);
    struct bld_strs layers, tags;
    int rc = json_strings(json_object_get(img, "Layers"), arena_printf(a, "%s: 'Layers'", what), a,
                          &layers, err);
    if (!rc)
        rc = json_strings(json_object_get(img, "RepoTags"), arena_printf(a, "%s: 'RepoTags'", what),
                          a, &tags, err);
    if (rc)
        return rc;
    if (!layers.set)
        return err_set(err, ERR_INVALID, "%s: 'Layers' is missing", what);
    if (!ref && !tags.len)
        return err_set(err, ERR_USAGE, "%s has no RepoTags: give a reference to import it as",
                       what);

    /* The config: kept byte for byte, parsed for its diff_ids. */
    char *cfg_name = normalise("", json_string_value(cfg));
    struct staged *cf = find_staged(src, cfg_name);
    if (!cf) {
        rc = err_set(err, ERR_NOT_FOUND, "%s: config '%s' is not in the archive", what, cfg_name);
        free(cfg_name);
        return rc;
    }
    free(cfg_name);
    struct buf b = BUF_INIT;
    struct bld_image_config config;
    rc = file_read_all(cf->tmp, BLD_JSON_MAX, &b, err);
    if (!rc)
        rc = bld_config_parse(buf_cstr(&b), b.len, arena_printf(a, "%s: config", what), a, &config,
                              err);
    buf_release(&b);
    if (rc)
        return rc;
    if (config.n_diff_ids != layers.len)
        return err_set(err, ERR_INVALID, "%s: %zu layers but the config lists %zu diff_ids", what,
                       layers.len, config.n_diff_ids);

    struct bld_manifest m;
    memset(&m, 0, sizeof m);
    m.media_type = BLD_MT_OCI_MANIFEST;
    m.config.media_type = BLD_MT_OCI_CONFIG;
    m.config.digest = cf->digest;
    m.config.size = (int64_t)cf->size;
    m.n_layers = layers.len;
    m.layers = ARENA_NEW_ARRAY(a, struct bld_descriptor, layers.len + 1);
    rc = bld_store_lock(src->store, err);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < layers.len; i++) {
        char *ln = normalise("", layers.items[i]);
        struct staged *lf = find_staged(src, ln);
        const char *filter = NULL;
        struct bld_digest diff = { { 0 } };
        const char *at = NULL;
        if (!lf)
            rc = err_set(err, ERR_NOT_FOUND, "%s: layer '%s' is not in the archive", what, ln);
        else /* a layer listed twice was moved into the store the first time */
            at = lf->adopted ? bld_store_blob_path(src->store, &lf->digest, a) : lf->tmp;
        if (!rc)
            rc = sniff(at, &filter, err);
        if (!rc && filter)
            rc = uncompressed_digest(at, &diff, err);
        else if (!rc)
            diff = lf->digest;
        if (!rc && !bld_digest_eq(&diff, &config.diff_ids[i])) {
            char want[BLD_DIGEST_STR_LEN + 1], got[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&config.diff_ids[i], want);
            bld_digest_string(&diff, got);
            rc = err_set(err, ERR_INVALID,
                         "%s: layer '%s' does not match its diff_id: expected %s, got %s", what, ln,
                         want, got);
        }
        if (!rc) {
            m.layers[i].media_type = bld_layer_media_type(filter);
            m.layers[i].digest = lf->digest;
            m.layers[i].size = (int64_t)lf->size;
            if (!lf->adopted && !bld_store_has_blob(src->store, &lf->digest)) {
                rc = bld_store_adopt_blob(src->store, lf->tmp, &lf->digest, err);
                lf->adopted = rc == 0;
            }
        }
        free(ln);
    }
    if (!rc && !cf->adopted && !bld_store_has_blob(src->store, &cf->digest)) {
        rc = bld_store_adopt_blob(src->store, cf->tmp, &cf->digest, err);
        cf->adopted = rc == 0;
    }
    struct bld_descriptor desc;
    memset(&desc, 0, sizeof desc);
    if (!rc) {
        struct buf mb = BUF_INIT;
        rc = bld_manifest_write(&m, &mb, err);
        if (!rc)
            rc = bld_store_put_blob(src->store, mb.data, mb.len, &desc.digest, err);
        desc.media_type = BLD_MT_OCI_MANIFEST;
        desc.size = (int64_t)mb.len;
        buf_release(&mb);
    }
    bld_store_unlock(src->store);
    if (rc)
        return rc;
    if (ref) {
        VEC_PUSH(picks, ((struct pick){ ref, desc }));
    } else {
        for (size_t i = 0; i < tags.len; i++)
            VEC_PUSH(picks, ((struct pick){ tags.items[i], desc }));
    }
    return 0;
}

static int import_docker(struct source *src, const char *ref, struct arena *a,
                         struct bld_import_result *out, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = source_read(src, "manifest.json", &b, err);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf_cstr(&b), b.len, JSON_REJECT_DUPLICATES, &jerr);
    buf_release(&b);
    if (!root) {
        rc = err_set(err, ERR_SYNTAX, "'%s': manifest.json is not valid JSON: %s", src->path,
                     jerr.text);
        err->line = jerr.line > 0 ? (uint32_t)jerr.line : 0;
        err->col = jerr.column > 0 ? (uint32_t)jerr.column : 0;
        return rc;
    }
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (!json_is_array(root) || n == 0)
        rc = err_set(err, ERR_INVALID, "'%s': manifest.json is not a non-empty array", src->path);
    else if (n > MAX_IMAGES)
        rc = err_set(err, ERR_TOO_LARGE, "'%s': more than %d images", src->path, MAX_IMAGES);
    else if (ref && n != 1)
        rc = err_set(err, ERR_USAGE, "'%s' holds %zu images: a reference can name only one",
                     src->path, n);
    struct pick_list picks = VEC_INIT;
    for (size_t i = 0; !rc && i < n; i++)
        rc = import_docker_image(src, json_array_get(root, i), i, ref, a, &picks, err);
    /* The blobs are in; naming them goes through the same path as OCI
     * imports (copy_closure finds them present and only re-checks). */
    if (!rc)
        rc = commit_picks(src, &picks, a, out, err);
    VEC_RELEASE(&picks);
    json_decref(root);
    return rc;
}

/* ---- entry point -------------------------------------------------------- */

int bld_import(struct bld_store *s, const char *path, const char *ref, struct arena *a,
               struct bld_import_result *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    if (ref && !*ref)
        return err_set(err, ERR_USAGE, "empty image reference");
    struct stat st;
    if (stat(path, &st) != 0)
        return err_sys(err, path, "cannot open '%s'", path);
    struct source src;
    memset(&src, 0, sizeof src);
    src.path = path;
    src.store = s;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        src.kind = BLD_ARCHIVE_OCI_LAYOUT;
        if (!source_has(&src, "oci-layout"))
            return err_set(err, ERR_INVALID, "'%s' is not an OCI image layout (no oci-layout file)",
                           path);
        rc = import_oci(&src, ref, a, out, err);
    } else {
        src.kind = BLD_ARCHIVE_OCI_ARCHIVE;
        rc = stage_archive(&src, a, err);
        if (!rc) {
            if (source_has(&src, "oci-layout") && source_has(&src, "index.json")) {
                rc = import_oci(&src, ref, a, out, err);
            } else if (source_has(&src, "manifest.json")) {
                src.kind = BLD_ARCHIVE_DOCKER;
                rc = import_docker(&src, ref, a, out, err);
            } else {
                rc = err_set(err, ERR_INVALID,
                             "'%s' is neither an oci-archive nor a docker-archive (no "
                             "oci-layout or manifest.json)",
                             path);
            }
        }
    }
    out->kind = src.kind;
    source_release(&src);
    return rc;
}

/* ---- export ------------------------------------------------------------- */

struct blob_ref {
    struct bld_digest digest;
    int64_t size;
};

struct blob_list {
    struct blob_ref *items;
    size_t len, cap;
};

static void blob_list_add(struct blob_list *l, const struct bld_digest *d, int64_t size)
{
    for (size_t i = 0; i < l->len; i++)
        if (bld_digest_eq(&l->items[i].digest, d))
            return;
    VEC_PUSH(l, ((struct blob_ref){ *d, size }));
}

/* Every blob the descriptor reaches, each once, in a stable order. */
static int collect(struct bld_store *s, const struct bld_descriptor *desc, int depth,
                   struct blob_list *out, struct err *err)
{
    if (depth > MAX_DEPTH)
        return err_set(err, ERR_INVALID, "image indexes nested too deeply");
    blob_list_add(out, &desc->digest, desc->size);
    struct arena a;
    arena_init(&a);
    int rc = 0;
    if (bld_media_type_is_index(desc->media_type)) {
        struct buf b = BUF_INIT;
        struct bld_index ix;
        rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, err);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&b), b.len, "image index", &a, &ix, err);
        buf_release(&b);
        for (size_t i = 0; !rc && i < ix.n_manifests; i++) {
            /* Platforms that were never pulled are absent: export what
             * there is, as `docker save` does. */
            if (!bld_store_has_blob(s, &ix.manifests[i].digest))
                continue;
            rc = collect(s, &ix.manifests[i], depth + 1, out, err);
        }
    } else if (bld_media_type_is_manifest(desc->media_type)) {
        struct bld_manifest m;
        rc = bld_store_read_manifest(s, desc, &a, &m, err);
        if (!rc)
            blob_list_add(out, &m.config.digest, m.config.size);
        for (size_t i = 0; !rc && i < m.n_layers; i++)
            blob_list_add(out, &m.layers[i].digest, m.layers[i].size);
    } else {
        rc = bld_store_verify_blob(s, &desc->digest, desc->size, err);
    }
    arena_release(&a);
    return rc;
}

/* Streams a blob of the store to write(ctx, ...) while hashing it; fails
 * when the store's copy does not match its name and size. */
static int stream_blob(struct bld_store *s, const struct blob_ref *b,
                       int (*write_fn)(void *ctx, const void *p, size_t n, struct err *err),
                       void *ctx, struct err *err)
{
    struct arena a;
    arena_init(&a);
    const char *path = bld_store_blob_path(s, &b->digest, &a);
    char name[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&b->digest, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = errno == ENOENT ? err_set(err, ERR_NOT_FOUND, "blob %s is not in the store", name)
                             : err_sys(err, path, "cannot open '%s'", path);
        arena_release(&a);
        return rc;
    }
    struct bld_sha256 h;
    rc = bld_sha256_init(&h, err);
    char *chunk = xmalloc(CHUNK_SIZE);
    uint64_t total = 0;
    while (!rc) {
        ssize_t n = read(fd, chunk, CHUNK_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_sys(err, path, "cannot read '%s'", path);
            break;
        }
        if (n == 0)
            break;
        bld_sha256_update(&h, chunk, (size_t)n);
        total += (uint64_t)n;
        rc = write_fn(ctx, chunk, (size_t)n, err);
    }
    struct bld_digest got;
    if (!rc) {
        bld_sha256_final(&h, &got);
        if (!bld_digest_eq(&got, &b->digest) || (b->size >= 0 && (uint64_t)b->size != total))
            rc = err_set(err, ERR_INVALID, "blob %s is corrupt (size or digest mismatch)", name);
    }
    bld_sha256_release(&h);
    free(chunk);
    close(fd);
    arena_release(&a);
    return rc;
}

static int fd_write(void *ctx, const void *p, size_t n, struct err *err)
{
    int fd = *(int *)ctx;
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return err_sys(err, NULL, "cannot write the export");
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int export_dir(struct bld_store *s, const struct blob_list *blobs, const struct buf *index,
                      const char *dest, struct err *err)
{
    size_t n = strlen(dest) + sizeof ".tmp-XXXXXX";
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp-XXXXXX", dest);
    if (!mkdtemp(tmp)) {
        int rc = err_sys(err, dest, "cannot create a directory beside '%s'", dest);
        free(tmp);
        return rc;
    }
    (void)chmod(tmp, 0755);
    struct arena a;
    arena_init(&a);
    int rc = 0;
    if (mkdir(arena_printf(&a, "%s/blobs", tmp), 0755) != 0 ||
        mkdir(arena_printf(&a, "%s/blobs/sha256", tmp), 0755) != 0)
        rc = err_sys(err, tmp, "cannot create '%s/blobs/sha256'", tmp);
    for (size_t i = 0; !rc && i < blobs->len; i++) {
        char hex[BLD_DIGEST_HEX_LEN + 1];
        bld_digest_hex(&blobs->items[i].digest, hex);
        const char *path = arena_printf(&a, "%s/blobs/sha256/%s", tmp, hex);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            rc = err_sys(err, path, "cannot create '%s'", path);
            break;
        }
        rc = stream_blob(s, &blobs->items[i], fd_write, &fd, err);
        if (!rc && !s->unsafe_no_fsync && fsync(fd) != 0)
            rc = err_sys(err, path, "cannot write '%s'", path);
        close(fd);
    }
    if (!rc)
        rc = file_write_atomic(arena_printf(&a, "%s/oci-layout", tmp),
                               "{\"imageLayoutVersion\":\"1.0.0\"}", 30, 0644, err);
    if (!rc)
        rc = file_write_atomic(arena_printf(&a, "%s/index.json", tmp), index->data, index->len,
                               0644, err);
    /* An empty directory at dest is replaced; anything else was refused
     * before any work was done. */
    if (!rc && rmdir(dest) != 0 && errno != ENOENT)
        rc = err_sys(err, dest, "cannot replace '%s'", dest);
    if (!rc && rename(tmp, dest) != 0)
        rc = err_sys(err, dest, "cannot rename '%s' to '%s'", tmp, dest);
    if (rc) {
        struct err ignored;
        if (bld_remove_tree(tmp, &ignored) != 0)
            err_clear(&ignored);
    }
    arena_release(&a);
    free(tmp);
    return rc;
}

struct tar_out {
    struct archive *ar;
    const char *dest;
};

static int tar_fail(struct tar_out *t, struct err *err)
{
    const char *m = archive_error_string(t->ar);
    return err_set(err, ERR_IO, "cannot write '%s': %s", t->dest, m ? m : "libarchive error");
}

static int tar_header(struct tar_out *t, const char *name, mode_t type, int64_t size,
                      struct err *err)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        DW_BUG("archive_entry_new: out of memory");
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
    archive_entry_set_mtime(e, 0, 0);
    int r = archive_write_header(t->ar, e);
    archive_entry_free(e);
    return r < ARCHIVE_WARN ? tar_fail(t, err) : 0;
}

static int tar_write(void *ctx, const void *p, size_t n, struct err *err)
{
    struct tar_out *t = ctx;
    if (archive_write_data(t->ar, p, n) != (la_ssize_t)n)
        return tar_fail(t, err);
    return 0;
}

static int tar_file(struct tar_out *t, const char *name, const void *p, size_t n, struct err *err)
{
    int rc = tar_header(t, name, AE_IFREG, (int64_t)n, err);
    if (!rc && n)
        rc = tar_write(t, p, n, err);
    return rc;
}

static int export_archive(struct bld_store *s, const struct blob_list *blobs,
                          const struct buf *index, const struct buf *docker_manifest,
                          const char *dest, struct err *err)
{
    size_t n = strlen(dest) + sizeof ".tmp-XXXXXX";
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp-XXXXXX", dest);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = err_sys(err, dest, "cannot create a file beside '%s'", dest);
        free(tmp);
        return rc;
    }
    (void)fchmod(fd, 0644);
    struct tar_out t = { archive_write_new(), dest };
    if (!t.ar)
        DW_BUG("archive_write_new: out of memory");
    archive_write_set_format_pax_restricted(t.ar);
    archive_write_set_bytes_in_last_block(t.ar, 1);
    int rc = archive_write_open_fd(t.ar, fd) != ARCHIVE_OK ? tar_fail(&t, err) : 0;
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    if (!rc)
        rc = tar_file(&t, "oci-layout", layout, sizeof layout - 1, err);
    if (!rc)
        rc = tar_file(&t, "index.json", index->data, index->len, err);
    if (!rc && docker_manifest)
        rc = tar_file(&t, "manifest.json", docker_manifest->data, docker_manifest->len, err);
    if (!rc)
        rc = tar_header(&t, "blobs", AE_IFDIR, 0, err);
    if (!rc)
        rc = tar_header(&t, "blobs/sha256", AE_IFDIR, 0, err);
    for (size_t i = 0; !rc && i < blobs->len; i++) {
        const struct blob_ref *b = &blobs->items[i];
        char hex[BLD_DIGEST_HEX_LEN + 1], name[sizeof "blobs/sha256/" + BLD_DIGEST_HEX_LEN];
        bld_digest_hex(&b->digest, hex);
        snprintf(name, sizeof name, "blobs/sha256/%s", hex);
        struct arena a;
        arena_init(&a);
        struct stat st;
        if (stat(bld_store_blob_path(s, &b->digest, &a), &st) != 0) {
            rc = err_set(err, ERR_NOT_FOUND, "blob sha256:%s is not in the store", hex);
        } else if (b->size >= 0 && st.st_size != b->size) {
            rc = err_set(err, ERR_INVALID, "blob sha256:%s is corrupt (size mismatch)", hex);
        } else {
            rc = tar_header(&t, name, AE_IFREG, st.st_size, err);
            if (!rc)
                rc = stream_blob(s, b, tar_write, &t, err);
        }
        arena_release(&a);
    }
    if (!rc && archive_write_close(t.ar) != ARCHIVE_OK)
        rc = tar_fail(&t, err);
    archive_write_free(t.ar);
    if (!rc && !s->unsafe_no_fsync && fsync(fd) != 0)
        rc = err_sys(err, dest, "cannot write '%s'", dest);
    if (close(fd) != 0 && !rc)
        rc = err_sys(err, dest, "cannot write '%s'", dest);
    if (!rc && rename(tmp, dest) != 0)
        rc = err_sys(err, dest, "cannot rename '%s' to '%s'", tmp, dest);
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* manifest.json of `docker save`: one image, blobs named by path. */
static int docker_manifest_json(const struct bld_manifest *m, const char *name, struct buf *out,
                                struct err *err)
{
    char hex[BLD_DIGEST_HEX_LEN + 1], path[sizeof "blobs/sha256/" + BLD_DIGEST_HEX_LEN];
    json_t *img = json_object();
    json_t *layers = json_array();
    json_t *tags = json_array();
    if (!img || !layers || !tags)
        DW_BUG("jansson: out of memory");
    bld_digest_hex(&m->config.digest, hex);
    snprintf(path, sizeof path, "blobs/sha256/%s", hex);
    json_object_set_new(img, "Config", json_string(path));
    json_array_append_new(tags, json_string(name));
    json_object_set_new(img, "RepoTags", tags);
    for (size_t i = 0; i < m->n_layers; i++) {
        bld_digest_hex(&m->layers[i].digest, hex);
        snprintf(path, sizeof path, "blobs/sha256/%s", hex);
        json_array_append_new(layers, json_string(path));
    }
    json_object_set_new(img, "Layers", layers);
    json_t *root = json_array();
    json_array_append_new(root, img);
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!s)
        DW_BUG("jansson: cannot serialise");
    int rc = buf_append_cstr(out, s);
    free(s);
    return rc ? err_set(err, ERR_TOO_LARGE, "manifest.json too large") : 0;
}

int bld_export(struct bld_store *s, const char *ref, const char *name, enum bld_export_kind kind,
               const char *dest, struct err *err)
{
    if (!name)
        name = ref;
    struct stat st;
    if (lstat(dest, &st) == 0) {
        if (kind != BLD_EXPORT_OCI_DIR || !S_ISDIR(st.st_mode))
            return err_set(err, ERR_USAGE, "'%s' already exists", dest);
        /* Only an empty directory may be replaced. */
        DIR *d = opendir(dest);
        if (!d)
            return err_sys(err, dest, "cannot read '%s'", dest);
        struct dirent *de;
        bool empty = true;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                empty = false;
        closedir(d);
        if (!empty)
            return err_set(err, ERR_USAGE, "'%s' exists and is not empty", dest);
    }
    struct arena a;
    arena_init(&a);
    struct bld_descriptor desc;
    struct blob_list blobs = VEC_INIT;
    struct buf index = BUF_INIT, dman = BUF_INIT;
    int rc = bld_store_lock(s, err);
    if (rc) {
        arena_release(&a);
        return rc;
    }
    rc = bld_store_ref_get(s, ref, &a, &desc, err);
    if (!rc)
        rc = collect(s, &desc, 0, &blobs, err);
    if (!rc) {
        struct bld_descriptor d = desc;
        d.annotations = ARENA_NEW_ARRAY(&a, struct bld_kv, desc.n_annotations + 1);
        d.n_annotations = 0;
        for (size_t i = 0; i < desc.n_annotations; i++)
            if (strcmp(desc.annotations[i].key, BLD_ANNOT_REF_NAME) != 0)
                d.annotations[d.n_annotations++] = desc.annotations[i];
        d.annotations[d.n_annotations++] = (struct bld_kv){ BLD_ANNOT_REF_NAME, name };
        struct bld_index ix = { BLD_MT_OCI_INDEX, &d, 1, NULL, 0 };
        rc = bld_index_write(&ix, &index, err);
    }
    if (!rc && kind == BLD_EXPORT_DOCKER_ARCHIVE) {
        struct bld_manifest m;
        if (!bld_media_type_is_manifest(desc.media_type))
            rc = err_set(err, ERR_UNSUPPORTED,
                         "'%s' is a multi-platform image index: a docker-archive holds one "
                         "platform",
                         ref);
        if (!rc)
            rc = bld_store_read_manifest(s, &desc, &a, &m, err);
        if (!rc)
            rc = docker_manifest_json(&m, name, &dman, err);
    }
    if (!rc) {
        if (kind == BLD_EXPORT_OCI_DIR)
            rc = export_dir(s, &blobs, &index, dest, err);
        else
            rc = export_archive(s, &blobs, &index, kind == BLD_EXPORT_DOCKER_ARCHIVE ? &dman : NULL,
                                dest, err);
    }
    bld_store_unlock(s);
    buf_release(&index);
    buf_release(&dman);
    VEC_RELEASE(&blobs);
    arena_release(&a);
    return rc;
}
