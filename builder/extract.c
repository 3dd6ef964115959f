#include "extract.h"

#include "common/vec.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define CHUNK_SIZE ((size_t)64 * 1024)
/* As the kernel does, give up after this many symlinks in one lookup. */
#define MAX_SYMLINKS 40
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

/* ---- decompressing tar reader ------------------------------------------ */

static la_ssize_t inner_read(struct archive *a, void *ctx, const void **out)
{
    struct bld_tar_stream *ts = ctx;
    if (ts->outer_eof)
        return 0;
    la_ssize_t n = archive_read_data(ts->outer, ts->chunk, CHUNK_SIZE);
    if (n < 0) {
        const char *msg = archive_error_string(ts->outer);
        snprintf(ts->outer_msg, sizeof ts->outer_msg, "%s", msg ? msg : "read error");
        ts->failed_read = true;
        archive_set_error(a, EIO, "%s", ts->outer_msg);
        return -1;
    }
    if (n == 0)
        ts->outer_eof = true;
    bld_sha256_update(&ts->hash, ts->chunk, (size_t)n);
    ts->tar_size += (uint64_t)n;
    *out = ts->chunk;
    return n;
}

static const char *filter_name(int code)
{
    switch (code) {
    case ARCHIVE_FILTER_GZIP: return "gzip";
    case ARCHIVE_FILTER_ZSTD: return "zstd";
    case ARCHIVE_FILTER_XZ: return "xz";
    case ARCHIVE_FILTER_BZIP2: return "bzip2";
    case ARCHIVE_FILTER_LZMA: return "lzma";
    default: return NULL;
    }
}

static int stream_error(struct bld_tar_stream *ts, struct archive *a, const char *what,
                        struct err *err)
{
    const char *msg = ts->failed_read ? ts->outer_msg : archive_error_string(a);
    return err_set(err, ERR_INVALID, "'%s': %s: %s", ts->name, what, msg ? msg : "unknown error");
}

int bld_tar_stream_open(struct bld_tar_stream *ts, int fd, const char *name, struct err *err)
{
    memset(ts, 0, sizeof *ts);
    ts->name = name;
    int rc = bld_sha256_init(&ts->hash, err);
    if (rc)
        return rc;
    ts->chunk = xmalloc(CHUNK_SIZE);
    ts->outer = archive_read_new();
    ts->inner = archive_read_new();
    if (!ts->outer || !ts->inner)
        DW_BUG("archive_read_new: out of memory");
    /* Only decompressors built into libarchive: archive_read_support_filter_all
     * would also run external programs (lrzip, lzop, ...) on untrusted
     * input. */
    archive_read_support_filter_gzip(ts->outer);
    archive_read_support_filter_zstd(ts->outer);
    archive_read_support_filter_xz(ts->outer);
    archive_read_support_filter_bzip2(ts->outer);
    archive_read_support_filter_lzma(ts->outer);
    archive_read_support_format_raw(ts->outer);
    if (archive_read_open_fd(ts->outer, fd, CHUNK_SIZE) != ARCHIVE_OK) {
        rc = stream_error(ts, ts->outer, "cannot read", err);
        bld_tar_stream_close(ts);
        return rc;
    }
    struct archive_entry *raw;
    int r = archive_read_next_header(ts->outer, &raw);
    if (r == ARCHIVE_EOF) {
        bld_tar_stream_close(ts);
        return err_set(err, ERR_INVALID, "'%s': empty file, not a tar archive", name);
    }
    if (r < ARCHIVE_WARN) {
        rc = stream_error(ts, ts->outer, "cannot read", err);
        bld_tar_stream_close(ts);
        return rc;
    }
    ts->filter = filter_name(archive_filter_code(ts->outer, 0));
    archive_read_support_format_tar(ts->inner);
    if (archive_read_open(ts->inner, ts, NULL, inner_read, NULL) != ARCHIVE_OK) {
        rc = stream_error(ts, ts->inner, "not a tar archive", err);
        bld_tar_stream_close(ts);
        return rc;
    }
    return 0;
}

/* After a read error of the current entry: true when every byte of its
 * data was delivered and the uncompressed stream is exhausted, so what is
 * missing is only the block padding and the end-of-archive blocks. */
static bool only_trailer_missing(const struct bld_tar_stream *ts)
{
    return ts->current && ts->outer_eof && !ts->failed_read &&
           archive_entry_size_is_set(ts->current) && archive_entry_size(ts->current) >= 0 &&
           ts->entry_read >= (uint64_t)archive_entry_size(ts->current);
}

static int entry_read_error(struct bld_tar_stream *ts, struct err *err)
{
    const char *p = ts->current ? archive_entry_pathname(ts->current) : NULL;
    char what[160];
    snprintf(what, sizeof what, "cannot read entry '%.100s'", p ? p : "?");
    return stream_error(ts, ts->inner, what, err);
}

/* Reads the rest of the current entry's data without copying it, so that
 * a missing trailer after it is seen here (libarchive's own skip would
 * fail without telling whether the data was whole). */
static int drain_entry(struct bld_tar_stream *ts, struct err *err)
{
    while (!ts->entry_done && !ts->ended_early) {
        const void *block;
        size_t size;
        la_int64_t offset;
        int r = archive_read_data_block(ts->inner, &block, &size, &offset);
        if (r == ARCHIVE_EOF) {
            ts->entry_done = true;
        } else if (r < ARCHIVE_WARN) {
            if (!only_trailer_missing(ts))
                return entry_read_error(ts, err);
            ts->ended_early = true;
        } else if (offset >= 0) {
            uint64_t end = (uint64_t)offset + size;
            if (end > ts->entry_read)
                ts->entry_read = end;
        }
    }
    return 0;
}

int bld_tar_stream_next(struct bld_tar_stream *ts, struct archive_entry **entry, struct err *err)
{
    if (ts->current) {
        int rc = drain_entry(ts, err);
        if (rc)
            return rc;
    }
    if (ts->ended_early) {
        ts->current = NULL;
        return 0;
    }
    int r = archive_read_next_header(ts->inner, entry);
    ts->current = r >= ARCHIVE_WARN ? *entry : NULL;
    ts->entry_read = 0;
    ts->entry_done = false;
    if (r == ARCHIVE_EOF)
        return 0;
    if (r < ARCHIVE_WARN)
        return stream_error(ts, ts->inner, "bad tar archive", err);
    return 1;
}

ssize_t bld_tar_stream_read(struct bld_tar_stream *ts, void *buf, size_t n, struct err *err)
{
    if (ts->ended_early || ts->entry_done)
        return 0;
    /* Never ask for more than the entry has left: archive_read_data fills
     * the whole buffer, and an error while it looks past the data (for the
     * padding) would lose the count of the bytes it already copied. */
    if (ts->current && archive_entry_size_is_set(ts->current)) {
        la_int64_t size = archive_entry_size(ts->current);
        if (size >= 0 && (uint64_t)size > ts->entry_read && (uint64_t)size - ts->entry_read < n)
            n = (size_t)((uint64_t)size - ts->entry_read);
    }
    la_ssize_t r = archive_read_data(ts->inner, buf, n);
    if (r < 0) {
        if (!only_trailer_missing(ts))
            return entry_read_error(ts, err);
        ts->ended_early = true;
        return 0;
    }
    if (r == 0)
        ts->entry_done = true;
    ts->entry_read += (uint64_t)r;
    return (ssize_t)r;
}

int bld_tar_stream_finish(struct bld_tar_stream *ts, struct bld_digest *diff_id, uint64_t *tar_size,
                          struct err *err)
{
    const void *dummy;
    while (!ts->outer_eof) {
        if (inner_read(ts->inner, ts, &dummy) < 0)
            return stream_error(ts, ts->outer, "cannot read", err);
    }
    bld_sha256_final(&ts->hash, diff_id);
    if (tar_size)
        *tar_size = ts->tar_size;
    return 0;
}

void bld_tar_stream_close(struct bld_tar_stream *ts)
{
    if (ts->inner)
        archive_read_free(ts->inner);
    if (ts->outer)
        archive_read_free(ts->outer);
    ts->inner = ts->outer = NULL;
    free(ts->chunk);
    ts->chunk = NULL;
    bld_sha256_release(&ts->hash);
}

/* ---- removal ------------------------------------------------------------ */

int bld_remove_tree_at(int dirfd, const char *name, struct err *err)
{
    struct stat sb;
    if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : err_sys(err, name, "cannot remove '%s'", name);
    if (S_ISDIR(sb.st_mode)) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return err_sys(err, name, "cannot remove '%s'", name);
        /* Read-only directories from a layer would stop an unprivileged
         * caller from emptying them. */
        if ((sb.st_mode & 0700) != 0700)
            (void)fchmod(fd, 0700);
        DIR *d = fdopendir(fd);
        if (!d) {
            close(fd);
            return err_sys(err, name, "cannot remove '%s'", name);
        }
        int rc = 0;
        struct dirent *de;
        while (!rc && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            rc = bld_remove_tree_at(fd, de->d_name, err);
        }
        closedir(d);
        if (rc)
            return rc;
        if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
            return err_sys(err, name, "cannot remove '%s'", name);
        return 0;
    }
    if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
        return err_sys(err, name, "cannot remove '%s'", name);
    return 0;
}

int bld_remove_tree(const char *path, struct err *err)
{
    return bld_remove_tree_at(AT_FDCWD, path, err);
}

/* ---- a set of strings (paths this layer created) ------------------------ */

struct strset {
    char **slots;
    size_t cap, len;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool strset_has(const struct strset *set, const char *s)
{
    if (!set->cap)
        return false;
    for (size_t i = hash_str(s) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slots[i])
            return false;
        if (strcmp(set->slots[i], s) == 0)
            return true;
    }
}

static void strset_add(struct strset *set, const char *s)
{
    if (strset_has(set, s))
        return;
    if ((set->len + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 64;
        char **nslots = xcalloc(ncap, sizeof *nslots);
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i])
                continue;
            size_t j = hash_str(set->slots[i]) & (ncap - 1);
            while (nslots[j])
                j = (j + 1) & (ncap - 1);
            nslots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = nslots;
        set->cap = ncap;
    }
    size_t i = hash_str(s) & (set->cap - 1);
    while (set->slots[i])
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = xstrdup(s);
    set->len++;
}

static void strset_release(struct strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ---- extraction --------------------------------------------------------- */

struct deferred_dir {
    char *path; /* canonical, relative to the root */
    mode_t mode;
    struct timespec mtime;
};

struct xstate {
    int rootfd;
    const char *name; /* the layer, for messages */
    const struct bld_extract_opts *opts;
    bool is_root;
    struct strset created;
    VEC(struct deferred_dir) dirs;
    struct bld_tar_stream ts;
    char *buf;
    const char *entry; /* the entry being applied, for messages */
    size_t entries, whiteouts;
    /* The last parent directory open_parent walked to (sorted layers put
     * a directory's files together): its canonical path and an fd, -1
     * when none. Dropped whenever an entry removes anything, so that it
     * never names a directory that was replaced. */
    char *parent_path;
    int parent_fd;
};

static void parent_cache_drop(struct xstate *st)
{
    if (st->parent_fd >= 0)
        close(st->parent_fd);
    st->parent_fd = -1;
    free(st->parent_path);
    st->parent_path = NULL;
}

DW_PRINTF(3, 4) static int fail(struct xstate *st, struct err *err, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, ERR_INVALID, "layer '%s': entry '%.200s': %s", st->name, st->entry, msg);
}

/* fail() with strerror(errno), for system calls that failed on good input. */
DW_PRINTF(3, 4) static int fail_sys(struct xstate *st, struct err *err, const char *fmt, ...)
{
    int saved = errno;
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, ERR_IO, "layer '%s': entry '%.200s': %s: %s", st->name, st->entry, msg,
            strerror(saved));
    err->sys_errno = saved;
    return ERR_IO;
}

/* Turns an entry path into its canonical relative form ("a/b", or "" for
 * the root): "./" prefixes, empty and "." components dropped. Absolute
 * paths and ".." components are refused. Returns a heap string or NULL. */
static char *canonical_path(struct xstate *st, const char *path, const char *what, struct err *err)
{
    if (!path || !*path) {
        fail(st, err, "empty %s", what);
        return NULL;
    }
    if (path[0] == '/') {
        fail(st, err, "absolute %s '%.200s' refused", what, path);
        return NULL;
    }
    size_t n = strlen(path);
    if (n >= PATH_MAX) {
        fail(st, err, "%s longer than %d bytes", what, PATH_MAX - 1);
        return NULL;
    }
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            fail(st, err, "%s '%.200s' has a '..' component", what, path);
            return NULL;
        }
        if (len && !(len == 1 && p[0] == '.')) {
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
    return out;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
}

/* Opens the directory at the canonical path dir (relative to the root),
 * one component at a time, never following a symlink with the kernel.
 * Symlinks met on the way are resolved by hand inside the root: a relative
 * target is followed, an absolute one or a ".." above the root is refused
 * as an escape. Missing directories are created (0755) when create. */
static int open_dir(struct xstate *st, const char *dir, bool create, int *out, struct err *err)
{
    VEC(int) fds = VEC_INIT;
    int top = dup(st->rootfd);
    if (top < 0)
        return fail_sys(st, err, "cannot open the root");
    VEC_PUSH(&fds, top);
    /* pending holds the components still to walk; a symlink's target is
     * spliced in front of the rest. */
    char *pending = xstrdup(dir);
    size_t pos = 0;
    int links = 0, rc = 0;
    while (pending[pos]) {
        char *start = pending + pos;
        char *slash = strchr(start, '/');
        size_t len = slash ? (size_t)(slash - start) : strlen(start);
        pos += len + (slash ? 1 : 0);
        char comp[NAME_MAX + 1];
        if (len > NAME_MAX) {
            rc = fail(st, err, "path component longer than %d bytes", NAME_MAX);
            break;
        }
        memcpy(comp, start, len);
        comp[len] = '\0';
        if (len == 0 || strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            /* Only symlink targets bring ".." here; entry paths were checked. */
            if (fds.len == 1) {
                rc = fail(st, err, "path leads outside the root through a symlink");
                break;
            }
            close(VEC_POP(&fds));
            continue;
        }
        int cur = VEC_LAST(&fds);
        struct stat sb;
        if (fstatat(cur, comp, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT || !create) {
                rc = fail_sys(st, err, "cannot look up '%s'", comp);
                break;
            }
            if (mkdirat(cur, comp, 0755) != 0 && errno != EEXIST) {
                rc = fail_sys(st, err, "cannot create directory '%s'", comp);
                break;
            }
            sb.st_mode = S_IFDIR;
        }
        if (S_ISLNK(sb.st_mode)) {
            char target[PATH_MAX];
            ssize_t tn = readlinkat(cur, comp, target, sizeof target - 1);
            if (tn < 0) {
                rc = fail_sys(st, err, "cannot read symlink '%s'", comp);
                break;
            }
            target[tn] = '\0';
            if (++links > MAX_SYMLINKS) {
                rc = fail(st, err, "too many levels of symlinks");
                break;
            }
            if (target[0] == '/') {
                rc = fail(st, err, "path passes through symlink '%s' to absolute '%.200s'", comp,
                          target);
                break;
            }
            size_t rest = strlen(pending + pos);
            char *np = xmalloc((size_t)tn + 1 + rest + 1);
            memcpy(np, target, (size_t)tn);
            np[tn] = '/';
            memcpy(np + tn + 1, pending + pos, rest + 1);
            free(pending);
            pending = np;
            pos = 0;
            if (strlen(pending) >= PATH_MAX) {
                rc = fail(st, err, "path through symlinks is too long");
                break;
            }
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            rc = fail(st, err, "'%s' on the path is not a directory", comp);
            break;
        }
        int fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            rc = fail_sys(st, err, "cannot open directory '%s'", comp);
            break;
        }
        VEC_PUSH(&fds, fd);
    }
    free(pending);
    if (rc) {
        close_all(fds.items, fds.len);
        VEC_RELEASE(&fds);
        return rc;
    }
    *out = VEC_POP(&fds);
    close_all(fds.items, fds.len);
    VEC_RELEASE(&fds);
    return 0;
}

/* Splits canonical path into its parent directory (opened) and its last
 * component, which points into path. */
static int open_parent(struct xstate *st, char *path, bool create, int *dirfd, const char **leaf,
                       struct err *err)
{
    char *slash = strrchr(path, '/');
    if (!slash) {
        *leaf = path;
        *dirfd = dup(st->rootfd);
        return *dirfd < 0 ? fail_sys(st, err, "cannot open the root") : 0;
    }
    *slash = '\0';
    int rc;
    if (st->parent_fd >= 0 && strcmp(st->parent_path, path) == 0) {
        *dirfd = dup(st->parent_fd);
        rc = *dirfd < 0 ? fail_sys(st, err, "cannot open directory '%.200s'", path) : 0;
    } else {
        rc = open_dir(st, path, create, dirfd, err);
        if (!rc) {
            parent_cache_drop(st);
            st->parent_fd = dup(*dirfd);
            if (st->parent_fd >= 0)
                st->parent_path = xstrdup(path);
        }
    }
    *slash = '/';
    *leaf = slash + 1;
    return rc;
}

static void record_created(struct xstate *st, const char *path)
{
    if (st->opts->whiteouts != BLD_WHITEOUT_APPLY)
        return;
    /* Ancestors too: an opaque marker must not delete a parent this layer
     * made implicitly for one of its files. */
    char *p = xstrdup(path);
    for (;;) {
        strset_add(&st->created, p);
        char *slash = strrchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(p);
}

static bool is_overlay_xattr(const char *name)
{
    return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

/* Extended attributes are applied best-effort: an unprivileged extraction
 * cannot set trusted.* or security.*, and some filesystems have none. The
 * overlay's own attributes are never taken from an archive. */
static void apply_xattrs(int fd, struct archive_entry *e)
{
    const char *name;
    const void *value;
    size_t size;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (!name || is_overlay_xattr(name))
            continue;
        (void)fsetxattr(fd, name, value, size, 0);
    }
}

static int set_owner_at(struct xstate *st, int dirfd, const char *leaf, struct archive_entry *e,
                        struct err *err)
{
    if (!st->is_root)
        return 0;
    if (fchownat(dirfd, leaf, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) != 0)
        return fail_sys(st, err, "cannot set the owner");
    return 0;
}

static int set_mtime_at(struct xstate *st, int dirfd, const char *leaf, struct archive_entry *e,
                        struct err *err)
{
    struct timespec ts[2];
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    ts[0] = ts[1];
    if (utimensat(dirfd, leaf, ts, AT_SYMLINK_NOFOLLOW) != 0)
        return fail_sys(st, err, "cannot set the modification time");
    return 0;
}

static int write_file(struct xstate *st, int dirfd, const char *leaf, struct archive_entry *e,
                      struct err *err)
{
    /* O_EXCL|O_NOFOLLOW: the leaf was removed just before, so this creates
     * a new inode and can never write through a link planted earlier. */
    int fd = openat(dirfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail_sys(st, err, "cannot create file");
    int64_t expect = archive_entry_size(e), got = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = bld_tar_stream_read(&st->ts, st->buf, CHUNK_SIZE, err);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, st->buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = fail_sys(st, err, "cannot write file");
                break;
            }
            off += w;
        }
        if (rc)
            break;
        got += n;
    }
    if (!rc && got != expect)
        rc = fail(st, err, "truncated: %lld of %lld bytes", (long long)got, (long long)expect);
    if (!rc && st->is_root &&
        fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) != 0)
        rc = fail_sys(st, err, "cannot set the owner");
    /* After chown, which clears set-id bits. */
    if (!rc && fchmod(fd, archive_entry_perm(e) & 07777) != 0)
        rc = fail_sys(st, err, "cannot set the mode");
    if (!rc)
        apply_xattrs(fd, e);
    if (!rc) {
        struct timespec ts[2];
        ts[1].tv_sec = archive_entry_mtime(e);
        ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        ts[0] = ts[1];
        if (futimens(fd, ts) != 0)
            rc = fail_sys(st, err, "cannot set the modification time");
    }
    close(fd);
    return rc;
}

/* Lexical check of a relative symlink target: following it from the link's
 * directory must not climb above the root. */
static bool symlink_stays_inside(const char *canon_path, const char *target)
{
    long depth = 0;
    for (const char *p = canon_path; *p; p++)
        if (*p == '/')
            depth++;
    for (const char *p = target; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return false;
        } else if (len && !(len == 1 && p[0] == '.')) {
            depth++;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return true;
}

static int do_hardlink(struct xstate *st, int dirfd, const char *leaf, const char *target,
                       struct err *err)
{
    char *canon = canonical_path(st, target, "hard link target", err);
    if (!canon)
        return err->code;
    int rc = 0, tfd = -1;
    const char *tleaf;
    if (!*canon) {
        rc = fail(st, err, "hard link to the root directory");
    } else if ((rc = open_parent(st, canon, false, &tfd, &tleaf, err)) == 0) {
        struct stat sb;
        if (fstatat(tfd, tleaf, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            rc = fail_sys(st, err, "hard link target '%.200s'", target);
        else if (S_ISDIR(sb.st_mode))
            rc = fail(st, err, "hard link target '%.200s' is a directory", target);
        /* Flags 0: a symlink target is linked itself, never followed. */
        else if (linkat(tfd, tleaf, dirfd, leaf, 0) != 0)
            rc = fail_sys(st, err, "cannot link to '%.200s'", target);
        close(tfd);
    }
    free(canon);
    return rc;
}

static int apply_whiteout(struct xstate *st, int dirfd, const char *dirpath, const char *leaf,
                          struct err *err)
{
    st->whiteouts++;
    bool overlay = st->opts->whiteouts == BLD_WHITEOUT_OVERLAY;
    if (strcmp(leaf, WH_OPAQUE) == 0) {
        if (overlay) {
            const char *xa =
                st->opts->user_xattrs ? "user.overlay.opaque" : "trusted.overlay.opaque";
            if (fsetxattr(dirfd, xa, "y", 1, 0) != 0)
                return fail_sys(st, err, "cannot mark the directory opaque (%s)", xa);
            return 0;
        }
        /* Empty the directory of everything the lower layers put there;
         * what this layer already extracted stays. */
        int fd = dup(dirfd);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
            if (fd >= 0)
                close(fd);
            return fail_sys(st, err, "cannot read the directory");
        }
        VEC(char *) doomed = VEC_INIT;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            size_t n = strlen(dirpath) + strlen(de->d_name) + 2;
            char *child = xmalloc(n);
            snprintf(child, n, "%s%s%s", dirpath, *dirpath ? "/" : "", de->d_name);
            bool keep = strset_has(&st->created, child);
            free(child);
            if (!keep)
                VEC_PUSH(&doomed, xstrdup(de->d_name));
        }
        closedir(d);
        int rc = 0;
        for (size_t i = 0; i < doomed.len; i++) {
            if (!rc)
                rc = bld_remove_tree_at(dirfd, doomed.items[i], err);
            free(doomed.items[i]);
        }
        VEC_RELEASE(&doomed);
        return rc;
    }
    if (strncmp(leaf, WH_PREFIX WH_PREFIX, 8) == 0)
        return 0; /* other aufs metadata (.wh..wh.plnk, .wh..wh.aufs): not content */
    const char *victim = leaf + strlen(WH_PREFIX);
    if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
        return fail(st, err, "invalid whiteout name");
    if (!overlay) {
        size_t n = strlen(dirpath) + strlen(victim) + 2;
        char *vpath = xmalloc(n);
        snprintf(vpath, n, "%s%s%s", dirpath, *dirpath ? "/" : "", victim);
        bool own = strset_has(&st->created, vpath);
        free(vpath);
        return own ? 0 : bld_remove_tree_at(dirfd, victim, err);
    }
    int rc = bld_remove_tree_at(dirfd, victim, err);
    if (rc)
        return rc;
    if (mknodat(dirfd, victim, S_IFCHR, makedev(0, 0)) != 0)
        return fail_sys(st, err, "cannot create the overlay whiteout");
    return 0;
}

static int apply_entry(struct xstate *st, struct archive_entry *e, struct err *err)
{
    char *canon = canonical_path(st, archive_entry_pathname(e), "path", err);
    if (!canon)
        return err->code;
    int rc = 0, dirfd = -1;
    const char *leaf;
    if (!*canon)
        goto out; /* the root itself: its metadata belongs to the caller */
    if ((rc = open_parent(st, canon, true, &dirfd, &leaf, err)))
        goto out;
    if (strncmp(leaf, WH_PREFIX, strlen(WH_PREFIX)) == 0) {
        char *slash = strrchr(canon, '/');
        if (slash)
            *slash = '\0';
        rc = apply_whiteout(st, dirfd, slash ? canon : "", leaf, err);
        parent_cache_drop(st);
        goto out;
    }
    mode_t type = archive_entry_filetype(e);
    const char *hardlink = archive_entry_hardlink(e);
    struct stat sb;
    bool exists = fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    /* An existing directory is kept when the entry is a directory too
     * (its contents from lower layers stay); anything else is replaced. */
    if (exists && !(S_ISDIR(sb.st_mode) && type == AE_IFDIR && !hardlink)) {
        parent_cache_drop(st);
        if ((rc = bld_remove_tree_at(dirfd, leaf, err)))
            goto out;
        exists = false;
    }
    if (hardlink) {
        rc = do_hardlink(st, dirfd, leaf, hardlink, err);
    } else if (type == AE_IFDIR) {
        if (!exists && mkdirat(dirfd, leaf, 0700) != 0) {
            rc = fail_sys(st, err, "cannot create directory");
            goto out;
        }
        int fd = openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            rc = fail_sys(st, err, "cannot open directory");
            goto out;
        }
        if (st->is_root &&
            fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) != 0)
            rc = fail_sys(st, err, "cannot set the owner");
        if (!rc)
            apply_xattrs(fd, e);
        close(fd);
        /* Mode and time wait for the end: a read-only directory must still
         * receive its entries, and each entry would bump the time. */
        struct deferred_dir *dd = VEC_PUSH_ZERO(&st->dirs);
        dd->path = xstrdup(canon);
        dd->mode = archive_entry_perm(e) & 07777;
        dd->mtime.tv_sec = archive_entry_mtime(e);
        dd->mtime.tv_nsec = archive_entry_mtime_nsec(e);
    } else if (type == AE_IFREG) {
        rc = write_file(st, dirfd, leaf, e, err);
    } else if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(e);
        if (!target || !*target)
            rc = fail(st, err, "symlink without a target");
        else if (target[0] != '/' && !symlink_stays_inside(canon, target))
            rc = fail(st, err, "symlink target '%.200s' leads outside the root", target);
        else if (symlinkat(target, dirfd, leaf) != 0)
            rc = fail_sys(st, err, "cannot create symlink");
        if (!rc)
            rc = set_owner_at(st, dirfd, leaf, e, err);
        if (!rc)
            rc = set_mtime_at(st, dirfd, leaf, e, err);
    } else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO) {
        if (type != AE_IFIFO && !st->is_root) {
            rc = fail(st, err, "device node refused: creating one needs root");
            goto out;
        }
        dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (mknodat(dirfd, leaf, type | (archive_entry_perm(e) & 0777), type == AE_IFIFO ? 0 : dev))
            rc = fail_sys(st, err, "cannot create %s", type == AE_IFIFO ? "fifo" : "device node");
        if (!rc)
            rc = set_owner_at(st, dirfd, leaf, e, err);
        /* The node was just created by us, so following is safe here. */
        if (!rc && fchmodat(dirfd, leaf, archive_entry_perm(e) & 07777, 0) != 0)
            rc = fail_sys(st, err, "cannot set the mode");
        if (!rc)
            rc = set_mtime_at(st, dirfd, leaf, e, err);
    } else {
        rc = fail(st, err, "unsupported entry type 0%o", (unsigned)type);
    }
    if (!rc)
        record_created(st, canon);
out:
    if (dirfd >= 0)
        close(dirfd);
    free(canon);
    return rc;
}

static int finish_dirs(struct xstate *st, struct err *err)
{
    int rc = 0;
    /* Deepest last-seen first, so that setting a child's time does not
     * disturb its parent's afterwards. */
    for (size_t i = st->dirs.len; !rc && i-- > 0;) {
        struct deferred_dir *dd = &st->dirs.items[i];
        st->entry = dd->path;
        int dirfd;
        const char *leaf;
        if (open_parent(st, dd->path, false, &dirfd, &leaf, err) != 0) {
            /* Removed again by a later entry: nothing to do. */
            err_clear(err);
            continue;
        }
        int fd = openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            struct timespec ts[2] = { dd->mtime, dd->mtime };
            if (fchmod(fd, dd->mode) != 0 || futimens(fd, ts) != 0)
                rc = fail_sys(st, err, "cannot set the directory's mode and time");
            close(fd);
        }
        close(dirfd);
    }
    return rc;
}

int bld_extract_fd(int fd, const char *name, const char *root, const struct bld_extract_opts *opts,
                   struct bld_extract_result *result, struct err *err)
{
    struct xstate st;
    memset(&st, 0, sizeof st);
    st.name = name;
    st.opts = opts;
    st.is_root = geteuid() == 0;
    st.entry = "";
    st.parent_fd = -1;
    st.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st.rootfd < 0)
        return err_sys(err, root, "cannot open directory '%s'", root);
    int rc = bld_tar_stream_open(&st.ts, fd, name, err);
    if (rc) {
        close(st.rootfd);
        return rc;
    }
    st.buf = xmalloc(CHUNK_SIZE);
    for (;;) {
        struct archive_entry *e;
        int r = bld_tar_stream_next(&st.ts, &e, err);
        if (r <= 0) {
            rc = r;
            break;
        }
        const char *p = archive_entry_pathname(e);
        st.entry = p ? p : "";
        st.entries++;
        if ((rc = apply_entry(&st, e, err)))
            break;
    }
    /* The entry names borrowed from libarchive die with the next call. */
    st.entry = "";
    struct bld_digest diff_id;
    uint64_t tar_size = 0;
    if (!rc)
        rc = bld_tar_stream_finish(&st.ts, &diff_id, &tar_size, err);
    if (!rc)
        rc = finish_dirs(&st, err);
    if (!rc && result) {
        result->diff_id = diff_id;
        result->tar_size = tar_size;
        result->filter = st.ts.filter;
        result->entries = st.entries;
        result->whiteouts = st.whiteouts;
    }
    parent_cache_drop(&st);
    for (size_t i = 0; i < st.dirs.len; i++)
        free(st.dirs.items[i].path);
    VEC_RELEASE(&st.dirs);
    strset_release(&st.created);
    free(st.buf);
    bld_tar_stream_close(&st.ts);
    close(st.rootfd);
    return rc;
}

int bld_extract_file(const char *path, const char *root, const struct bld_extract_opts *opts,
                     struct bld_extract_result *result, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    int rc = bld_extract_fd(fd, path, root, opts, result, err);
    close(fd);
    return rc;
}
