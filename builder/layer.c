#include "layer.h"

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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#define CHUNK_SIZE ((size_t)64 * 1024)

int bld_source_date_epoch(int64_t *epoch, struct err *err)
{
    const char *v = getenv("SOURCE_DATE_EPOCH");
    *epoch = 0;
    if (!v || !*v)
        return 0;
    int64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
            return err_set(err, ERR_INVALID,
                           "invalid SOURCE_DATE_EPOCH '%.40s': expected seconds since 1970", v);
        n = n * 10 + (*p - '0');
    }
    *epoch = n;
    return 0;
}

/* ---- the tree ----------------------------------------------------------- */

enum item_kind { ITEM_NORMAL, ITEM_WHITEOUT, ITEM_OPAQUE };

struct item {
    char *path;   /* the tar path (whiteouts renamed), relative, no "./" */
    char *source; /* the path on disk relative to dir; NULL for opaque markers */
    enum item_kind kind;
    struct stat st;
    size_t link_to; /* index of the item this one is a hard link of, or SIZE_MAX */
};

struct walker {
    VEC(struct item) items;
    struct err *err;
};

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s%s", a, *a ? "/" : "", b);
    return p;
}

static bool xattr_is(int fd, const char *name)
{
    char v[4];
    ssize_t n = fgetxattr(fd, name, v, sizeof v);
    return n == 1 && v[0] == 'y';
}

/* Collects every entry below the directory fd (whose path is rel). */
static int walk(struct walker *w, int fd, const char *rel, const char *root, struct err *err)
{
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return err_sys(err, root, "cannot read directory '%s/%s'", root, rel);
    }
    int rc = 0;
    struct dirent *de;
    while (!rc && (errno = 0, de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        struct stat st;
        char *source = path_join(rel, n);
        if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = err_sys(err, root, "cannot stat '%s/%s'", root, source);
            free(source);
            break;
        }
        if (S_ISSOCK(st.st_mode)) {
            free(source); /* sockets are runtime objects, not content */
            continue;
        }
        struct item *it = VEC_PUSH_ZERO(&w->items);
        it->st = st;
        it->link_to = SIZE_MAX;
        it->source = source;
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
            size_t len = strlen(n) + 5;
            char *wh = xmalloc(len);
            snprintf(wh, len, ".wh.%s", n);
            it->path = path_join(rel, wh);
            it->kind = ITEM_WHITEOUT;
            free(wh);
            continue;
        }
        it->path = xstrdup(source);
        it->kind = ITEM_NORMAL;
        if (!S_ISDIR(st.st_mode))
            continue;
        int cfd = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0) {
            rc = err_sys(err, root, "cannot open directory '%s/%s'", root, source);
            break;
        }
        if (xattr_is(cfd, "trusted.overlay.opaque") || xattr_is(cfd, "user.overlay.opaque")) {
            struct item *op = VEC_PUSH_ZERO(&w->items);
            op->path = path_join(source, ".wh..wh..opq");
            op->kind = ITEM_OPAQUE;
            op->link_to = SIZE_MAX;
        }
        rc = walk(w, cfd, source, root, err);
        close(cfd);
    }
    if (!rc && errno != 0 && !de)
        rc = err_sys(err, root, "cannot read directory '%s/%s'", root, rel);
    closedir(d);
    return rc;
}

static int cmp_item_path(const void *x, const void *y)
{
    return strcmp(((const struct item *)x)->path, ((const struct item *)y)->path);
}

struct link_key {
    dev_t dev;
    ino_t ino;
    size_t index;
};

static int cmp_link_key(const void *x, const void *y)
{
    const struct link_key *a = x, *b = y;
    if (a->dev != b->dev)
        return a->dev < b->dev ? -1 : 1;
    if (a->ino != b->ino)
        return a->ino < b->ino ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Among regular files sharing an inode, the first in tar order carries the
 * data and the others become hard links to it. */
static void find_hard_links(struct item *items, size_t n)
{
    VEC(struct link_key) keys = VEC_INIT;
    for (size_t i = 0; i < n; i++)
        if (items[i].kind == ITEM_NORMAL && S_ISREG(items[i].st.st_mode) &&
            items[i].st.st_nlink > 1)
            VEC_PUSH(&keys, ((struct link_key){ items[i].st.st_dev, items[i].st.st_ino, i }));
    if (keys.len)
        qsort(keys.items, keys.len, sizeof *keys.items, cmp_link_key);
    for (size_t i = 1; i < keys.len; i++) {
        struct link_key *prev = &keys.items[i - 1], *cur = &keys.items[i];
        if (prev->dev == cur->dev && prev->ino == cur->ino) {
            size_t leader =
                items[prev->index].link_to == SIZE_MAX ? prev->index : items[prev->index].link_to;
            items[cur->index].link_to = leader;
        }
    }
    VEC_RELEASE(&keys);
}

/* ---- the output pipeline: tar → (diff_id) → gzip → (digest) → sink ------ */

struct pipe {
    const struct bld_layer_sink *sink;
    struct bld_sha256 tar_hash, gz_hash;
    z_stream z;
    /* deflateSetHeader keeps a pointer and reads the header during the
     * first deflate calls: it must live as long as z. */
    gz_header gzhead;
    bool z_open;
    unsigned char *zbuf;
    uint64_t tar_size, gz_size;
    struct err *err;
    int failed; /* the sink's error code, already in err */
};

static int pipe_emit(struct pipe *p, int flush)
{
    do {
        p->z.next_out = p->zbuf;
        p->z.avail_out = (uInt)CHUNK_SIZE;
        int zr = deflate(&p->z, flush);
        if (zr == Z_STREAM_ERROR)
            DW_BUG("deflate: stream error");
        size_t have = CHUNK_SIZE - p->z.avail_out;
        if (have) {
            bld_sha256_update(&p->gz_hash, p->zbuf, have);
            p->gz_size += have;
            int rc = p->sink->write(p->sink->ctx, p->zbuf, have, p->err);
            if (rc)
                return p->failed = rc;
        }
        if (flush == Z_FINISH && zr == Z_STREAM_END)
            return 0;
    } while (p->z.avail_out == 0 || (flush == Z_FINISH));
    return 0;
}

static la_ssize_t tar_out(struct archive *a, void *ctx, const void *buf, size_t n)
{
    struct pipe *p = ctx;
    if (p->failed) {
        archive_set_error(a, EIO, "output failed");
        return -1;
    }
    bld_sha256_update(&p->tar_hash, buf, n);
    p->tar_size += n;
    p->z.next_in = (Bytef *)(uintptr_t)buf;
    p->z.avail_in = (uInt)n;
    if (pipe_emit(p, Z_NO_FLUSH)) {
        archive_set_error(a, EIO, "output failed");
        return -1;
    }
    return (la_ssize_t)n;
}

/* ---- writing ------------------------------------------------------------ */

struct writer {
    const struct bld_layer_opts *opts;
    const char *dir;
    int rootfd;
    struct archive *ar;
    struct pipe pipe;
    struct bld_layer_info info;
    char *buf;
    struct err *err;
};

static int archive_fail(struct writer *w, const char *path)
{
    if (w->pipe.failed)
        return w->pipe.failed;
    const char *m = archive_error_string(w->ar);
    return err_set(w->err, ERR_INTERNAL, "cannot write layer entry '%s': %s", path,
                   m ? m : "libarchive error");
}

static bool skip_xattr(const char *name)
{
    return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0 ||
           strcmp(name, "security.selinux") == 0;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Adds fd's extended attributes to e, sorted by name so that the pax
 * header does not depend on the filesystem's listing order. */
static void add_xattrs(struct archive_entry *e, int fd)
{
    char names[65536];
    ssize_t n = flistxattr(fd, names, sizeof names);
    if (n <= 0)
        return;
    VEC(const char *) list = VEC_INIT;
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1)
        if (!skip_xattr(names + i))
            VEC_PUSH(&list, names + i);
    if (list.len)
        qsort(list.items, list.len, sizeof *list.items, cmp_cstr);
    char value[65536];
    for (size_t i = 0; i < list.len; i++) {
        ssize_t vn = fgetxattr(fd, list.items[i], value, sizeof value);
        if (vn >= 0)
            archive_entry_xattr_add_entry(e, list.items[i], value, (size_t)vn);
    }
    VEC_RELEASE(&list);
}

static int write_item(struct writer *w, struct item *items, size_t i)
{
    struct item *it = &items[i];
    struct archive_entry *e = archive_entry_new();
    if (!e)
        DW_BUG("archive_entry_new: out of memory");
    archive_entry_set_pathname(e, it->path);
    archive_entry_set_mtime(e, (time_t)w->opts->epoch, 0);
    int rc = 0, fd = -1;
    w->info.entries++;
    if (it->kind != ITEM_NORMAL) {
        /* Whiteouts and opaque markers: empty files, owned by root. */
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        w->info.whiteouts++;
        goto header;
    }
    archive_entry_set_mode(e, it->st.st_mode);
    archive_entry_set_uid(e, it->st.st_uid);
    archive_entry_set_gid(e, it->st.st_gid);
    if (!S_ISDIR(it->st.st_mode))
        w->info.files++;
    if (it->link_to != SIZE_MAX) {
        archive_entry_set_hardlink(e, items[it->link_to].path);
        archive_entry_set_size(e, 0);
        goto header;
    }
    if (S_ISLNK(it->st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(w->rootfd, it->source, target, sizeof target - 1);
        if (n < 0) {
            rc = err_sys(w->err, w->dir, "cannot read symlink '%s/%s'", w->dir, it->source);
            goto out;
        }
        target[n] = '\0';
        archive_entry_set_symlink(e, target);
    } else if (S_ISCHR(it->st.st_mode) || S_ISBLK(it->st.st_mode)) {
        archive_entry_set_rdevmajor(e, major(it->st.st_rdev));
        archive_entry_set_rdevminor(e, minor(it->st.st_rdev));
    }
    if (S_ISREG(it->st.st_mode) || S_ISDIR(it->st.st_mode)) {
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(it->st.st_mode) ? O_DIRECTORY : 0);
        fd = openat(w->rootfd, it->source, flags);
        struct stat now;
        if (fd < 0 || fstat(fd, &now) != 0) {
            rc = err_sys(w->err, w->dir, "cannot open '%s/%s'", w->dir, it->source);
            goto out;
        }
        if (now.st_ino != it->st.st_ino || now.st_dev != it->st.st_dev) {
            rc = err_set(w->err, ERR_IO, "'%s/%s' was replaced while the layer was written", w->dir,
                         it->source);
            goto out;
        }
        if (w->opts->xattrs)
            add_xattrs(e, fd);
    }
    if (S_ISREG(it->st.st_mode))
        archive_entry_set_size(e, it->st.st_size);
header:
    if (archive_write_header(w->ar, e) < ARCHIVE_WARN) {
        rc = archive_fail(w, it->path);
        goto out;
    }
    if (fd >= 0 && S_ISREG(it->st.st_mode) && it->link_to == SIZE_MAX) {
        int64_t left = it->st.st_size;
        for (;;) {
            ssize_t n = read(fd, w->buf, CHUNK_SIZE);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = err_sys(w->err, w->dir, "cannot read '%s/%s'", w->dir, it->source);
                goto out;
            }
            if (n == 0)
                break;
            if (n > left) {
                rc = err_set(w->err, ERR_IO, "'%s/%s' grew while the layer was written", w->dir,
                             it->source);
                goto out;
            }
            if (archive_write_data(w->ar, w->buf, (size_t)n) != n) {
                rc = archive_fail(w, it->path);
                goto out;
            }
            left -= n;
        }
        if (left) {
            rc = err_set(w->err, ERR_IO, "'%s/%s' shrank while the layer was written", w->dir,
                         it->source);
            goto out;
        }
        w->info.content_bytes += (uint64_t)it->st.st_size;
    }
    if (archive_write_finish_entry(w->ar) < ARCHIVE_WARN)
        rc = archive_fail(w, it->path);
out:
    if (fd >= 0)
        close(fd);
    archive_entry_free(e);
    return rc;
}

int bld_layer_write(const char *dir, const struct bld_layer_opts *opts,
                    const struct bld_layer_sink *sink, struct bld_layer_info *info, struct err *err)
{
    if (opts->epoch < 0)
        return err_set(err, ERR_USAGE, "negative layer epoch");
    int level = opts->level ? opts->level : 6;
    if (level < 1 || level > 9)
        return err_set(err, ERR_USAGE, "gzip level %d out of range 1-9", level);
    struct writer w;
    memset(&w, 0, sizeof w);
    w.opts = opts;
    w.dir = dir;
    w.err = err;
    w.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w.rootfd < 0)
        return err_sys(err, dir, "cannot open directory '%s'", dir);

    struct walker wk = { VEC_INIT, err };
    int rc = walk(&wk, w.rootfd, "", dir, err);
    if (!rc && wk.items.len)
        qsort(wk.items.items, wk.items.len, sizeof *wk.items.items, cmp_item_path);
    if (!rc)
        find_hard_links(wk.items.items, wk.items.len);

    struct pipe *p = &w.pipe;
    p->sink = sink;
    p->err = err;
    if (!rc)
        rc = bld_sha256_init(&p->tar_hash, err);
    if (!rc)
        rc = bld_sha256_init(&p->gz_hash, err);
    if (!rc) {
        if (deflateInit2(&p->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            DW_BUG("deflateInit2 failed");
        p->z_open = true;
        /* An explicit header: no name, no time, OS "unknown" (as Go writes
         * it), so the bytes do not depend on how zlib was built. */
        memset(&p->gzhead, 0, sizeof p->gzhead);
        p->gzhead.os = 255;
        if (deflateSetHeader(&p->z, &p->gzhead) != Z_OK)
            DW_BUG("deflateSetHeader failed");
        p->zbuf = xmalloc(CHUNK_SIZE);
        w.buf = xmalloc(CHUNK_SIZE);
        w.ar = archive_write_new();
        if (!w.ar)
            DW_BUG("archive_write_new: out of memory");
        archive_write_set_format_pax_restricted(w.ar);
        /* Only the SCHILY.xattr form (what Docker and containerd read), not
         * a second LIBARCHIVE.xattr copy of every attribute. */
        (void)archive_write_set_format_option(w.ar, "pax", "xattrheader", "SCHILY");
        archive_write_set_bytes_per_block(w.ar, 10240);
        archive_write_set_bytes_in_last_block(w.ar, 1);
        if (archive_write_open(w.ar, p, NULL, tar_out, NULL) != ARCHIVE_OK)
            rc = archive_fail(&w, "(open)");
    }
    for (size_t i = 0; !rc && i < wk.items.len; i++)
        rc = write_item(&w, wk.items.items, i);
    if (!rc && archive_write_close(w.ar) != ARCHIVE_OK)
        rc = archive_fail(&w, "(end of archive)");
    if (!rc)
        rc = pipe_emit(p, Z_FINISH);
    if (!rc) {
        bld_sha256_final(&p->tar_hash, &w.info.diff_id);
        bld_sha256_final(&p->gz_hash, &w.info.digest);
        w.info.tar_size = p->tar_size;
        w.info.size = p->gz_size;
        if (info)
            *info = w.info;
    }
    if (w.ar)
        archive_write_free(w.ar);
    if (p->z_open)
        deflateEnd(&p->z);
    bld_sha256_release(&p->tar_hash);
    bld_sha256_release(&p->gz_hash);
    free(p->zbuf);
    free(w.buf);
    for (size_t i = 0; i < wk.items.len; i++) {
        free(wk.items.items[i].path);
        free(wk.items.items[i].source);
    }
    VEC_RELEASE(&wk.items);
    close(w.rootfd);
    return rc;
}

static int fd_sink(void *ctx, const void *data, size_t n, struct err *err)
{
    int fd = *(int *)ctx;
    const char *c = data;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return err_sys(err, NULL, "cannot write the layer");
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

int bld_layer_write_fd(const char *dir, const struct bld_layer_opts *opts, int fd,
                       struct bld_layer_info *info, struct err *err)
{
    struct bld_layer_sink sink = { fd_sink, &fd };
    return bld_layer_write(dir, opts, &sink, info, err);
}

static int blob_sink(void *ctx, const void *data, size_t n, struct err *err)
{
    return bld_blob_writer_write(ctx, data, n, err);
}

int bld_layer_store(struct bld_store *s, const char *dir, const struct bld_layer_opts *opts,
                    struct bld_layer_info *info, struct bld_descriptor *desc, struct err *err)
{
    struct bld_blob_writer bw;
    int rc = bld_blob_writer_open(&bw, s, err);
    if (rc)
        return rc;
    struct bld_layer_sink sink = { blob_sink, &bw };
    struct bld_layer_info li;
    rc = bld_layer_write(dir, opts, &sink, &li, err);
    if (rc) {
        bld_blob_writer_abort(&bw);
        return rc;
    }
    rc = bld_blob_writer_commit(&bw, &li.digest, (int64_t)li.size, NULL, NULL, err);
    if (rc)
        return rc;
    if (info)
        *info = li;
    memset(desc, 0, sizeof *desc);
    desc->media_type = BLD_MT_OCI_LAYER_GZIP;
    desc->digest = li.digest;
    desc->size = (int64_t)li.size;
    return 0;
}
