#include "store.h"

#include "builder/extract.h"
#include "builder/registry.h"
#include "common/fileio.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OCI_LAYOUT_JSON "{\"imageLayoutVersion\":\"1.0.0\"}"
#define EMPTY_INDEX_JSON                                                                           \
    "{\"manifests\":[],\"mediaType\":\"" BLD_MT_OCI_INDEX "\",\"schemaVersion\":2}"
/* Temporary files and directories older than this are leftovers of a
 * crashed process and are removed by gc whatever min_age says. */
#define STALE_TMP_SECONDS (24L * 3600)

int bld_store_default_root(struct buf *out, struct err *err)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    /* The XDG spec says relative values are invalid and must be ignored. */
    if (xdg && xdg[0] == '/') {
        if (buf_printf(out, "%s/dockwright", xdg))
            return err_set(err, ERR_TOO_LARGE, "cache directory path too long");
        return 0;
    }
    const char *home = getenv("HOME");
    if (home && home[0] == '/') {
        if (buf_printf(out, "%s/.cache/dockwright", home))
            return err_set(err, ERR_TOO_LARGE, "cache directory path too long");
        return 0;
    }
    return err_set(err, ERR_NOT_FOUND,
                   "no cache directory: set XDG_CACHE_HOME or HOME, or pass --cache-dir");
}

/* mkdir -p */
static int make_dirs(const char *path, struct err *err)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            rc = err_sys(err, p, "cannot create directory '%s'", p);
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    struct stat st;
    if (!rc && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = err_set(err, ERR_IO, "'%s' is not a directory", path);
    free(p);
    return rc;
}

static char *join(const struct bld_store *s, const char *rel)
{
    size_t n = strlen(s->root) + strlen(rel) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", s->root, rel);
    return p;
}

static int ensure_file(const struct bld_store *s, const char *rel, const char *content,
                       struct err *err)
{
    char *path = join(s, rel);
    int rc = 0;
    if (access(path, F_OK) != 0)
        rc = file_write_atomic(path, content, strlen(content), 0644, err);
    free(path);
    return rc;
}

int bld_store_open(struct bld_store *s, const char *root, struct err *err)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
    if (!root || !*root)
        return err_set(err, ERR_USAGE, "empty store directory");
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    s->root = xstrndup(root, n);
    static const char *const subdirs[] = { "", "/blobs/sha256", "/layers", "/tmp", "/analysis" };
    for (size_t i = 0; i < DW_ARRAY_LEN(subdirs); i++) {
        char *d = join(s, subdirs[i][0] ? subdirs[i] + 1 : "");
        int rc = make_dirs(d, err);
        free(d);
        if (rc) {
            bld_store_close(s);
            return rc;
        }
    }
    char *lock = join(s, "lock");
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        int rc = err_sys(err, lock, "cannot open lock file '%s'", lock);
        free(lock);
        bld_store_close(s);
        return rc;
    }
    free(lock);
    int rc = bld_store_lock(s, err);
    if (!rc) {
        struct buf layout = BUF_INIT;
        char *path = join(s, "oci-layout");
        if (access(path, F_OK) == 0) {
            rc = file_read_all(path, 4096, &layout, err);
            if (!rc && !strstr(buf_cstr(&layout), "\"1.0.0\""))
                rc = err_set(err, ERR_UNSUPPORTED,
                             "'%s' is an OCI layout of another version than 1.0.0", s->root);
        } else {
            rc = ensure_file(s, "oci-layout", OCI_LAYOUT_JSON, err);
        }
        free(path);
        buf_release(&layout);
        if (!rc)
            rc = ensure_file(s, "index.json", EMPTY_INDEX_JSON, err);
        bld_store_unlock(s);
    }
    if (rc)
        bld_store_close(s);
    return rc;
}

void bld_store_close(struct bld_store *s)
{
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* drops the flock too */
    s->lock_fd = -1;
    s->lock_depth = 0;
    free(s->root);
    s->root = NULL;
}

int bld_store_lock(struct bld_store *s, struct err *err)
{
    if (s->lock_depth++ > 0)
        return 0;
    while (flock(s->lock_fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        s->lock_depth = 0;
        return err_sys(err, s->root, "cannot lock the store '%s'", s->root);
    }
    return 0;
}

void bld_store_unlock(struct bld_store *s)
{
    if (s->lock_depth == 0)
        DW_BUG("bld_store_unlock without a lock");
    if (--s->lock_depth == 0)
        (void)flock(s->lock_fd, LOCK_UN);
}

/* ---- blobs ------------------------------------------------------------ */

const char *bld_store_blob_path(const struct bld_store *s, const struct bld_digest *d,
                                struct arena *a)
{
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(d, hex);
    return arena_printf(a, "%s/blobs/sha256/%s", s->root, hex);
}

static char *blob_path_heap(const struct bld_store *s, const struct bld_digest *d)
{
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(d, hex);
    size_t n = strlen(s->root) + sizeof "/blobs/sha256/" + BLD_DIGEST_HEX_LEN;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/blobs/sha256/%s", s->root, hex);
    return p;
}

bool bld_store_has_blob(const struct bld_store *s, const struct bld_digest *d)
{
    char *p = blob_path_heap(s, d);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

int bld_blob_writer_open(struct bld_blob_writer *w, struct bld_store *s, struct err *err)
{
    memset(w, 0, sizeof *w);
    w->store = s;
    w->fd = -1;
    int rc = bld_sha256_init(&w->hash, err);
    if (rc)
        return rc;
    w->tmp_path = join(s, "tmp/blob-XXXXXX");
    w->fd = mkstemp(w->tmp_path);
    if (w->fd < 0) {
        rc = err_sys(err, w->tmp_path, "cannot create a temporary blob in '%s/tmp'", s->root);
        bld_blob_writer_abort(w);
        return rc;
    }
    (void)fchmod(w->fd, 0644);
    return 0;
}

int bld_blob_writer_write(struct bld_blob_writer *w, const void *p, size_t n, struct err *err)
{
    const char *c = p;
    bld_sha256_update(&w->hash, p, n);
    w->size += n;
    while (n) {
        ssize_t k = write(w->fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return err_sys(err, w->tmp_path, "cannot write blob '%s'", w->tmp_path);
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

void bld_blob_writer_abort(struct bld_blob_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->tmp_path) {
        unlink(w->tmp_path);
        free(w->tmp_path);
        w->tmp_path = NULL;
    }
    bld_sha256_release(&w->hash);
}

static void fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int bld_blob_writer_commit(struct bld_blob_writer *w, const struct bld_digest *expect,
                           int64_t expect_size, struct bld_digest *out, uint64_t *size,
                           struct err *err)
{
    struct bld_digest d;
    int rc = 0;
    if (!w->store->unsafe_no_fsync && fsync(w->fd) != 0) {
        rc = err_sys(err, w->tmp_path, "cannot sync blob '%s'", w->tmp_path);
        bld_blob_writer_abort(w);
        return rc;
    }
    bld_sha256_final(&w->hash, &d);
    char got[BLD_DIGEST_STR_LEN + 1], want[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d, got);
    if (expect && !bld_digest_eq(expect, &d)) {
        bld_digest_string(expect, want);
        bld_blob_writer_abort(w);
        return err_set(err, ERR_INVALID, "blob digest mismatch: expected %s, got %s", want, got);
    }
    if (expect && expect_size >= 0 && (uint64_t)expect_size != w->size) {
        bld_blob_writer_abort(w);
        return err_set(err, ERR_INVALID, "blob %s: expected %lld bytes, got %llu", got,
                       (long long)expect_size, (unsigned long long)w->size);
    }
    if (close(w->fd) != 0) {
        w->fd = -1;
        rc = err_sys(err, w->tmp_path, "cannot write blob '%s'", w->tmp_path);
        bld_blob_writer_abort(w);
        return rc;
    }
    w->fd = -1;
    char *final = blob_path_heap(w->store, &d);
    /* Under the lock so that a concurrent gc sees the blob either before
     * (absent) or after (present and new, so kept by min_age). */
    rc = bld_store_lock(w->store, err);
    if (!rc) {
        if (rename(w->tmp_path, final) != 0)
            rc = err_sys(err, final, "cannot store blob '%s'", final);
        bld_store_unlock(w->store);
    }
    if (!rc) {
        if (!w->store->unsafe_no_fsync) {
            char *dir = join(w->store, "blobs/sha256");
            fsync_dir(dir);
            free(dir);
        }
        if (out)
            *out = d;
        if (size)
            *size = w->size;
    }
    free(final);
    bld_blob_writer_abort(w);
    return rc;
}

int bld_store_adopt_blob(struct bld_store *s, const char *path, const struct bld_digest *d,
                         struct err *err)
{
    char *final = blob_path_heap(s, d);
    int rc = bld_store_lock(s, err);
    if (!rc) {
        if (rename(path, final) != 0)
            rc = err_sys(err, final, "cannot store blob '%s'", final);
        bld_store_unlock(s);
    }
    free(final);
    return rc;
}

const char *bld_store_tmp_dir(const struct bld_store *s, struct arena *a)
{
    return arena_printf(a, "%s/tmp", s->root);
}

int bld_store_put_blob(struct bld_store *s, const void *p, size_t n, struct bld_digest *out,
                       struct err *err)
{
    struct bld_digest d;
    bld_digest_of(p, n, &d);
    /* Content addressing: an existing blob with this name already holds
     * these bytes (reads verify that). */
    if (bld_store_has_blob(s, &d)) {
        if (out)
            *out = d;
        return 0;
    }
    struct bld_blob_writer w;
    int rc = bld_blob_writer_open(&w, s, err);
    if (rc)
        return rc;
    if ((rc = bld_blob_writer_write(&w, p, n, err))) {
        bld_blob_writer_abort(&w);
        return rc;
    }
    return bld_blob_writer_commit(&w, &d, (int64_t)n, out, NULL, err);
}

int bld_store_read_blob(const struct bld_store *s, const struct bld_digest *d, int64_t size,
                        size_t limit, struct buf *out, struct err *err)
{
    char *path = blob_path_heap(s, d);
    char name[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(d, name);
    size_t start = out->len;
    struct err sub;
    int rc = file_read_all(path, limit, out, &sub);
    free(path);
    if (rc == ERR_TOO_LARGE)
        return err_set(err, ERR_TOO_LARGE, "blob %s is larger than %zu bytes", name, limit);
    if (rc && sub.sys_errno == ENOENT)
        return err_set(err, ERR_NOT_FOUND, "blob %s is not in the store", name);
    if (rc)
        return err_set(err, rc, "blob %s: %s", name, sub.msg);
    size_t n = out->len - start;
    struct bld_digest got;
    bld_digest_of(out->data ? out->data + start : "", n, &got);
    if ((size >= 0 && (uint64_t)size != n) || !bld_digest_eq(&got, d)) {
        buf_truncate(out, start);
        return err_set(err, ERR_INVALID, "blob %s is corrupt (size or digest mismatch)", name);
    }
    return 0;
}

int bld_store_verify_blob(const struct bld_store *s, const struct bld_digest *d, int64_t size,
                          struct err *err)
{
    char *path = blob_path_heap(s, d);
    char name[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(d, name);
    struct bld_digest got;
    uint64_t n = 0;
    struct err sub;
    int rc = bld_digest_file(path, &got, &n, &sub);
    free(path);
    if (rc && sub.sys_errno == ENOENT)
        return err_set(err, ERR_NOT_FOUND, "blob %s is not in the store", name);
    if (rc)
        return err_set(err, rc, "blob %s: %s", name, sub.msg);
    if ((size >= 0 && (uint64_t)size != n) || !bld_digest_eq(&got, d))
        return err_set(err, ERR_INVALID, "blob %s is corrupt (size or digest mismatch)", name);
    return 0;
}

int bld_store_read_manifest(const struct bld_store *s, const struct bld_descriptor *desc,
                            struct arena *a, struct bld_manifest *out, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, err);
    if (!rc) {
        char name[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&desc->digest, name);
        rc = bld_manifest_parse(buf_cstr(&b), b.len, arena_printf(a, "manifest %s", name), a, out,
                                err);
    }
    buf_release(&b);
    return rc;
}

int bld_store_read_config(const struct bld_store *s, const struct bld_descriptor *desc,
                          struct arena *a, struct bld_image_config *out, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, err);
    if (!rc) {
        char name[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&desc->digest, name);
        rc = bld_config_parse(buf_cstr(&b), b.len, arena_printf(a, "config %s", name), a, out, err);
    }
    buf_release(&b);
    return rc;
}

/* ---- references ------------------------------------------------------- */

static int read_index(struct bld_store *s, struct arena *a, struct bld_index *out, struct err *err)
{
    char *path = join(s, "index.json");
    struct buf b = BUF_INIT;
    int rc = file_read_all(path, BLD_JSON_MAX, &b, err);
    if (!rc)
        rc = bld_index_parse(buf_cstr(&b), b.len, arena_printf(a, "'%s'", path), a, out, err);
    buf_release(&b);
    free(path);
    return rc;
}

static int write_index(struct bld_store *s, const struct bld_index *ix, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = bld_index_write(ix, &b, err);
    if (!rc) {
        char *path = join(s, "index.json");
        rc = file_write_atomic(path, b.data, b.len, 0644, err);
        free(path);
    }
    buf_release(&b);
    return rc;
}

int bld_store_index(struct bld_store *s, struct arena *a, struct bld_index *out, struct err *err)
{
    int rc = bld_store_lock(s, err);
    if (rc)
        return rc;
    rc = read_index(s, a, out, err);
    bld_store_unlock(s);
    return rc;
}

static long find_ref(const struct bld_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const char *n = bld_descriptor_annotation(&ix->manifests[i], BLD_ANNOT_REF_NAME);
        if (n && strcmp(n, name) == 0)
            return (long)i;
    }
    return -1;
}

int bld_store_ref_set(struct bld_store *s, const char *name, const struct bld_descriptor *desc,
                      struct err *err)
{
    if (!name || !*name)
        return err_set(err, ERR_USAGE, "empty image reference");
    struct arena a;
    arena_init(&a);
    int rc = bld_store_lock(s, err);
    if (rc) {
        arena_release(&a);
        return rc;
    }
    struct bld_index ix;
    rc = read_index(s, &a, &ix, err);
    if (!rc) {
        /* The stored descriptor: desc's annotations with our name. */
        struct bld_descriptor d = *desc;
        d.annotations = ARENA_NEW_ARRAY(&a, struct bld_kv, desc->n_annotations + 1);
        d.n_annotations = 0;
        for (size_t i = 0; i < desc->n_annotations; i++)
            if (strcmp(desc->annotations[i].key, BLD_ANNOT_REF_NAME) != 0)
                d.annotations[d.n_annotations++] = desc->annotations[i];
        d.annotations[d.n_annotations++] = (struct bld_kv){ BLD_ANNOT_REF_NAME, name };
        long at = find_ref(&ix, name);
        if (at >= 0) {
            ix.manifests[at] = d;
        } else {
            struct bld_descriptor *m =
                ARENA_NEW_ARRAY(&a, struct bld_descriptor, ix.n_manifests + 1);
            if (ix.n_manifests)
                memcpy(m, ix.manifests, ix.n_manifests * sizeof *m);
            m[ix.n_manifests++] = d;
            ix.manifests = m;
        }
        rc = write_index(s, &ix, err);
    }
    bld_store_unlock(s);
    arena_release(&a);
    return rc;
}

static bool same_str(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* The entry whose name is the same reference as name read as Docker reads
 * one, else -1: skopeo, podman and containerd save full names
 * ("docker.io/library/alpine:3.20") where a Dockerfile says
 * "alpine:3.20", and the reverse. Names that are no reference never
 * match. */
static long find_same_ref(const struct bld_index *ix, const char *name, struct arena *a)
{
    struct bld_ref want, r;
    struct err e;
    if (bld_ref_parse(name, a, &want, &e) != 0)
        return -1;
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const char *n = bld_descriptor_annotation(&ix->manifests[i], BLD_ANNOT_REF_NAME);
        if (n && bld_ref_parse(n, a, &r, &e) == 0 && same_str(r.domain, want.domain) &&
            same_str(r.path, want.path) && same_str(r.tag, want.tag) &&
            same_str(r.digest, want.digest))
            return (long)i;
    }
    return -1;
}

int bld_store_ref_get(struct bld_store *s, const char *name, struct arena *a,
                      struct bld_descriptor *out, struct err *err)
{
    struct bld_index ix;
    int rc = bld_store_index(s, a, &ix, err);
    if (rc)
        return rc;
    long at = find_ref(&ix, name);
    if (at < 0)
        at = find_same_ref(&ix, name, a);
    if (at < 0)
        return err_set(err, ERR_NOT_FOUND, "no image named '%s' in the store", name);
    *out = ix.manifests[at];
    return 0;
}

int bld_store_ref_delete(struct bld_store *s, const char *name, struct err *err)
{
    struct arena a;
    arena_init(&a);
    int rc = bld_store_lock(s, err);
    if (rc) {
        arena_release(&a);
        return rc;
    }
    struct bld_index ix;
    rc = read_index(s, &a, &ix, err);
    if (!rc) {
        long at = find_ref(&ix, name);
        if (at < 0) {
            rc = err_set(err, ERR_NOT_FOUND, "no image named '%s' in the store", name);
        } else {
            memmove(&ix.manifests[at], &ix.manifests[at + 1],
                    (ix.n_manifests - (size_t)at - 1) * sizeof *ix.manifests);
            ix.n_manifests--;
            rc = write_index(s, &ix, err);
        }
    }
    bld_store_unlock(s);
    arena_release(&a);
    return rc;
}

/* ---- garbage collection ----------------------------------------------- */

struct digest_list {
    VEC(struct bld_digest) v;
    bool sorted;
};

static int cmp_digest(const void *x, const void *y)
{
    return memcmp(x, y, BLD_DIGEST_SIZE);
}

static bool list_has(struct digest_list *l, const struct bld_digest *d)
{
    if (!l->sorted) {
        if (l->v.len)
            qsort(l->v.items, l->v.len, sizeof *l->v.items, cmp_digest);
        l->sorted = true;
    }
    return l->v.len && bsearch(d, l->v.items, l->v.len, sizeof *l->v.items, cmp_digest);
}

static void list_add(struct digest_list *l, const struct bld_digest *d)
{
    VEC_PUSH(&l->v, *d);
    l->sorted = false;
}

static bool is_config_type(const char *mt)
{
    return mt && (strcmp(mt, BLD_MT_OCI_CONFIG) == 0 || strcmp(mt, BLD_MT_DOCKER_CONFIG) == 0);
}

/* Marks everything reachable from desc. */
static int mark(struct bld_store *s, const struct bld_descriptor *desc, struct digest_list *blobs,
                struct digest_list *diff_ids, int depth, struct err *err)
{
    if (list_has(blobs, &desc->digest))
        return 0;
    list_add(blobs, &desc->digest);
    /* Nested indexes are legal but never deep; a cycle is impossible with
     * content addressing, a silly depth is refused anyway. */
    if (depth > 8)
        return err_set(err, ERR_INVALID, "image indexes nested too deeply");
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
            /* Platforms never pulled or imported are absent by design
             * (see import.h); there is nothing of theirs to keep. */
            if (!bld_store_has_blob(s, &ix.manifests[i].digest))
                continue;
            rc = mark(s, &ix.manifests[i], blobs, diff_ids, depth + 1, err);
        }
    } else if (bld_media_type_is_manifest(desc->media_type)) {
        struct bld_manifest m;
        rc = bld_store_read_manifest(s, desc, &a, &m, err);
        if (!rc) {
            list_add(blobs, &m.config.digest);
            for (size_t i = 0; i < m.n_layers; i++)
                list_add(blobs, &m.layers[i].digest);
            if (is_config_type(m.config.media_type)) {
                struct bld_image_config c;
                rc = bld_store_read_config(s, &m.config, &a, &c, err);
                for (size_t i = 0; !rc && i < c.n_diff_ids; i++)
                    list_add(diff_ids, &c.diff_ids[i]);
            }
        }
    }
    arena_release(&a);
    return rc;
}

static bool is_stale(const struct stat *sb, time_t now, long min_age)
{
    return now - sb->st_mtime >= min_age;
}

int bld_store_gc(struct bld_store *s, long min_age, struct bld_gc_stats *stats, struct err *err)
{
    struct bld_gc_stats st;
    memset(&st, 0, sizeof st);
    struct digest_list blobs = { VEC_INIT, false }, diff_ids = { VEC_INIT, false };
    struct arena a;
    arena_init(&a);
    int rc = bld_store_lock(s, err);
    if (rc) {
        arena_release(&a);
        return rc;
    }
    struct bld_index ix;
    rc = read_index(s, &a, &ix, err);
    for (size_t i = 0; !rc && i < ix.n_manifests; i++) {
        rc = mark(s, &ix.manifests[i], &blobs, &diff_ids, 0, err);
        if (rc) {
            char name[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&ix.manifests[i].digest, name);
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = err_set(err, rc, "gc: image %s is damaged, nothing removed: %s", name, msg);
        }
    }
    time_t now = time(NULL);
    /* analysis/ comes after blobs/: a cached analysis goes with its blob. */
    const char *const dirs[] = { "blobs/sha256", "layers", "tmp", "analysis" };
    for (size_t k = 0; !rc && k < DW_ARRAY_LEN(dirs); k++) {
        char *dir = join(s, dirs[k]);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d) {
            if (dfd >= 0)
                close(dfd);
            rc = err_sys(err, dir, "cannot read '%s'", dir);
            free(dir);
            break;
        }
        struct dirent *de;
        while (!rc && (de = readdir(d)) != NULL) {
            const char *n = de->d_name;
            if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
                continue;
            struct stat sb;
            if (fstatat(dfd, n, &sb, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            struct bld_digest dg;
            bool valid = bld_digest_parse_hex(n, strlen(n), &dg) == 0;
            bool drop;
            if (k == 0) {
                drop = !(valid && list_has(&blobs, &dg)) && is_stale(&sb, now, min_age);
                if (!drop)
                    st.blobs_kept++;
            } else if (k == 1) {
                /* Temporary extraction directories are ".tmp-*". */
                if (valid)
                    drop = !list_has(&diff_ids, &dg) && is_stale(&sb, now, min_age);
                else
                    drop = is_stale(&sb, now, STALE_TMP_SECONDS);
                if (!drop && valid)
                    st.layers_kept++;
            } else if (k == 2) {
                drop =
                    is_stale(&sb, now, STALE_TMP_SECONDS > min_age ? STALE_TMP_SECONDS : min_age);
            } else {
                /* Named by a layer blob's digest; others are temporary. */
                drop = valid ? !bld_store_has_blob(s, &dg) : is_stale(&sb, now, STALE_TMP_SECONDS);
            }
            if (!drop)
                continue;
            rc = bld_remove_tree_at(dfd, n, err);
            if (!rc && k == 0) {
                st.blobs_removed++;
                st.bytes_removed += (uint64_t)sb.st_size;
            } else if (!rc && k == 1 && valid) {
                st.layers_removed++;
            } else if (!rc && k == 3 && valid) {
                st.analyses_removed++;
            }
        }
        closedir(d);
        free(dir);
    }
    bld_store_unlock(s);
    VEC_RELEASE(&blobs.v);
    VEC_RELEASE(&diff_ids.v);
    arena_release(&a);
    if (!rc && stats)
        *stats = st;
    return rc;
}

/* ---- extracted layers ------------------------------------------------- */

int bld_store_unpack_layer(struct bld_store *s, const struct bld_descriptor *desc,
                           const struct bld_digest *diff_id, bool user_xattrs, struct arena *a,
                           const char **dir, struct err *err)
{
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(diff_id, hex);
    const char *final = arena_printf(a, "%s/layers/%s", s->root, hex);
    struct stat sb;
    if (stat(final, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        *dir = final;
        return 0;
    }
    char *tmp = arena_printf(a, "%s/layers/.tmp-%.16s-XXXXXX", s->root, hex);
    if (!mkdtemp(tmp))
        return err_sys(err, tmp, "cannot create a directory in '%s/layers'", s->root);
    (void)chmod(tmp, 0755);
    const char *blob = bld_store_blob_path(s, &desc->digest, a);
    int fd = open(blob, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        char name[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&desc->digest, name);
        rc = errno == ENOENT ? err_set(err, ERR_NOT_FOUND, "layer %s is not in the store", name)
                             : err_sys(err, blob, "cannot open layer '%s'", blob);
    }
    struct bld_extract_opts opts = { BLD_WHITEOUT_OVERLAY, user_xattrs };
    struct bld_extract_result res;
    if (!rc) {
        rc = bld_extract_fd(fd, blob, tmp, &opts, &res, err);
        close(fd);
    }
    if (!rc && !bld_digest_eq(&res.diff_id, diff_id)) {
        char want[BLD_DIGEST_STR_LEN + 1], got[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(diff_id, want);
        bld_digest_string(&res.diff_id, got);
        rc = err_set(err, ERR_INVALID, "layer '%s': diff_id mismatch: expected %s, got %s", blob,
                     want, got);
    }
    if (!rc && rename(tmp, final) != 0) {
        /* Another process finished the same layer first: use theirs. */
        if (errno != EEXIST && errno != ENOTEMPTY)
            rc = err_sys(err, final, "cannot rename '%s' to '%s'", tmp, final);
    } else if (!rc) {
        *dir = final;
        return 0;
    }
    /* Here the temporary directory is left over (failure or lost race). */
    struct err ignored;
    if (bld_remove_tree(tmp, &ignored) != 0 && !rc)
        rc = err_set(err, ignored.code, "%s", ignored.msg);
    if (!rc)
        *dir = final;
    return rc;
}
