/* bld_run: prepares a plan in dockwright's process (paths, generated
 * files, cache locks, pipes), starts the container helper, streams the
 * command's output, enforces the timeout and cancellation, and removes the
 * mount points the container had to create. See run.h for the model. */
#define _GNU_SOURCE
#include "builder/run.h"

#include "run_int.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* BuildKit refuses secrets over 500 KiB. */
#define SECRET_LIMIT (500u * 1024u)
/* A line longer than this reaches the output callback in pieces. */
#define LINE_MAX_BYTES 16384
/* mount(2) data is one page. */
#define MOUNT_DATA_MAX 4095
/* How often a blocked wait looks at *cancel. */
#define CANCEL_POLL_MS 100

/* For buffers without a limit, which cannot refuse data (out of memory
 * aborts in xalloc). */
#define BUF_OK(expr)                                                                               \
    do {                                                                                           \
        if ((expr) < 0)                                                                            \
            DW_BUG("an unlimited buffer refused data");                                            \
    } while (0)

/* A vector of C strings; usable with the VEC_ macros. */
struct cstr_vec {
    char **items;
    size_t len, cap;
};

static const char default_path[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void bld_run_opts_init(struct bld_run_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->net = BLD_NET_HOST;
    opts->stdout_fd = -1;
    opts->stderr_fd = -1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- validation and the plan --------------------------------------------- */

/* Lexically cleans an absolute path (as Go's path.Clean): no "//", ".",
 * "..", or trailing slash. */
static char *clean_path(struct arena *a, const char *base, const char *path)
{
    struct buf in = BUF_INIT;
    if (path[0] != '/')
        BUF_OK(buf_printf(&in, "%s/", base ? base : "/"));
    BUF_OK(buf_append_cstr(&in, path));
    char *out = arena_alloc(a, in.len + 2);
    size_t n = 0;
    const char *s = buf_cstr(&in);
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0)
            break;
        if (len == 1 && s[0] == '.') {
            /* nothing */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
        } else {
            out[n++] = '/';
            memcpy(out + n, s, len);
            n += len;
        }
        s += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    buf_release(&in);
    return out;
}

static size_t path_depth(const char *p)
{
    size_t d = 0;
    for (; *p; p++)
        d += *p == '/';
    return d;
}

/* Characters overlayfs's option parser would take for separators. */
static bool overlay_safe(const char *p)
{
    return !strpbrk(p, ",:\\");
}

/* Percent-encodes a cache id into one safe file name. */
static char *cache_name(struct arena *a, const char *id)
{
    struct buf b = BUF_INIT;
    for (const unsigned char *s = (const unsigned char *)id; *s; s++) {
        bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                     (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
                     (*s == '.' && s != (const unsigned char *)id);
        if (plain)
            BUF_OK(buf_append_char(&b, (char)*s));
        else
            BUF_OK(buf_printf(&b, "%%%02X", *s));
    }
    char *r = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    return r;
}

struct run_state {
    struct arena arena;
    struct run_plan plan;
    char *scratch;
    VEC(int) locks;
    VEC(char *) lock_names;
};

static int check_opts(const struct bld_run_opts *o, struct err *err)
{
    bool overlay = o->upper || o->work || o->n_lower;
    if (o->rootfs && overlay)
        return err_set(err, ERR_USAGE,
                       "a RUN needs either a plain rootfs or overlay dirs, not both");
    if (!o->rootfs && (!o->upper || !o->work))
        return err_set(err, ERR_USAGE, "a RUN needs a rootfs, or an upper and a work dir");
    if (o->n_lower && !o->lower)
        return err_set(err, ERR_USAGE, "lower dirs missing");
    switch (o->form) {
    case BLD_CMD_EXEC:
        if (!o->argv || o->argc == 0 || !o->argv[0] || !o->argv[0][0])
            return err_set(err, ERR_USAGE, "exec form RUN needs a command");
        for (size_t i = 0; i < o->argc; i++)
            if (!o->argv[i])
                return err_set(err, ERR_USAGE, "exec form RUN: argument %zu is missing", i);
        break;
    case BLD_CMD_SHELL:
    case BLD_CMD_HEREDOC:
        if (!o->text)
            return err_set(err, ERR_USAGE, "shell form RUN needs a command");
        break;
    default: return err_set(err, ERR_USAGE, "unknown command form %d", (int)o->form);
    }
    if (o->shell && o->n_shell == 0)
        return err_set(err, ERR_USAGE, "SHELL requires at least one argument");
    for (size_t i = 0; i < o->n_env; i++) {
        const char *eq = o->env[i] ? strchr(o->env[i], '=') : NULL;
        if (!eq || eq == o->env[i])
            return err_set(err, ERR_USAGE, "environment entry '%s' is not KEY=VALUE",
                           o->env[i] ? o->env[i] : "(null)");
    }
    if (o->workdir && o->workdir[0] != '/')
        return err_set(err, ERR_USAGE, "working directory '%s' is not absolute", o->workdir);
    if (o->net != BLD_NET_HOST && o->net != BLD_NET_NONE)
        return err_set(err, ERR_USAGE, "unknown network mode %d", (int)o->net);
    if (o->hostname && (strlen(o->hostname) == 0 || strlen(o->hostname) > 64))
        return err_set(err, ERR_USAGE, "invalid hostname '%s'", o->hostname);
    for (size_t i = 0; i < o->n_lower; i++)
        if (!o->lower[i] || !overlay_safe(o->lower[i]))
            return err_set(err, ERR_USAGE, "lower dir '%s' contains ',', ':' or '\\'",
                           o->lower[i] ? o->lower[i] : "(null)");
    if (overlay && (!overlay_safe(o->upper) || !overlay_safe(o->work)))
        return err_set(err, ERR_USAGE, "upper or work dir contains ',', ':' or '\\'");
    return 0;
}

static const char *mount_type_name(enum bld_mount_type t)
{
    switch (t) {
    case BLD_MOUNT_BIND: return "bind";
    case BLD_MOUNT_CACHE: return "cache";
    case BLD_MOUNT_TMPFS: return "tmpfs";
    case BLD_MOUNT_SECRET: return "secret";
    case BLD_MOUNT_SSH: return "ssh";
    }
    return "?";
}

static int copy_file(const char *from, const char *to, struct err *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_sys(err, from, "cannot read bind source");
    struct stat st;
    if (fstat(in, &st) < 0) {
        close(in);
        return err_sys(err, from, "cannot stat bind source");
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
        close(in);
        return err_sys(err, to, "cannot create a scratch copy");
    }
    char b[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, b, sizeof b);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_sys(err, from, "cannot read bind source");
            break;
        }
        if (r == 0)
            break;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, b + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = err_sys(err, to, "cannot write a scratch copy");
                goto done;
            }
            off += w;
        }
    }
done:
    close(in);
    close(out);
    return rc;
}

/* Blocks until fd's lock is taken, honouring cancellation and a deadline. */
static int lock_wait(int fd, const struct bld_run_opts *o, uint64_t deadline, const char *what,
                     struct err *err)
{
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return err_sys(err, what, "cannot lock cache");
        if (o->cancel && *o->cancel)
            return err_set(err, ERR_INTERNAL, "cancelled while waiting for cache %s", what);
        if (deadline && now_ns() >= deadline)
            return err_set(err, ERR_INTERNAL, "timed out waiting for cache %s", what);
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

static int ensure_dir(const char *path, unsigned mode, uint32_t uid, uint32_t gid, bool userns,
                      struct err *err)
{
    if (mkdir(path, mode) == 0) {
        if (chmod(path, mode) < 0)
            return err_sys(err, path, "cannot set the mode of cache directory");
        if (!userns && chown(path, uid, gid) < 0)
            return err_sys(err, path, "cannot set the owner of cache directory");
        if (userns && (uid || gid))
            return err_set(err, ERR_UNSUPPORTED,
                           "cache owner %u:%u is not possible in a rootless build", uid, gid);
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    return err_sys(err, path, "cannot create cache directory");
}

/* Picks the cache directory for m according to its sharing mode and takes
 * the locks it needs (held until the run ends). */
static int prepare_cache(struct run_state *s, const struct bld_run_opts *o,
                         const struct bld_mount *m, const char *target, uint64_t deadline,
                         char **dir, struct err *err)
{
    if (!o->cache_root)
        return err_set(err, ERR_USAGE, "cache mount %s needs a cache directory", target);
    if (mkdir(o->cache_root, 0700) < 0 && errno != EEXIST)
        return err_sys(err, o->cache_root, "cannot create cache root");
    const char *id = m->id && m->id[0] ? m->id : target;
    char *name = cache_name(&s->arena, id);
    unsigned mode = m->has_mode ? m->mode : 0755;
    if (m->sharing == BLD_SHARING_SHARED) {
        *dir = arena_printf(&s->arena, "%s/%s", o->cache_root, name);
        return ensure_dir(*dir, mode, m->uid, m->gid, s->plan.userns, err);
    }
    for (unsigned n = 0; n < 64; n++) {
        char *base = n ? arena_printf(&s->arena, "%s/%s.p%u", o->cache_root, name, n)
                       : arena_printf(&s->arena, "%s/%s", o->cache_root, name);
        char *lock = arena_printf(&s->arena, "%s.lock", base);
        /* The same cache twice in one run: it already holds the lock. */
        for (size_t i = 0; i < s->lock_names.len; i++)
            if (strcmp(s->lock_names.items[i], lock) == 0) {
                if (m->sharing == BLD_SHARING_PRIVATE)
                    goto next;
                *dir = base;
                return 0;
            }
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return err_sys(err, lock, "cannot open cache lock");
        int rc;
        if (m->sharing == BLD_SHARING_LOCKED) {
            rc = lock_wait(fd, o, deadline, id, err);
        } else if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            rc = 0;
        } else {
            close(fd);
            continue; /* private and busy: try the next private copy */
        }
        if (rc < 0) {
            close(fd);
            return rc;
        }
        VEC_PUSH(&s->locks, fd);
        VEC_PUSH(&s->lock_names, lock);
        *dir = base;
        return ensure_dir(base, mode, m->uid, m->gid, s->plan.userns, err);
    next:;
    }
    return err_set(err, ERR_INTERNAL, "cache %s: every private copy is busy", id);
}

static int read_secret(struct run_state *s, const struct bld_mount *m, const char *id, char **data,
                       size_t *len, struct err *err)
{
    *data = NULL;
    if (!m->source)
        return m->required ? err_set(err, ERR_NOT_FOUND, "secret %s not found", id) : 0;
    struct buf b = BUF_INIT;
    int fd = open(m->source, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && !m->required)
            return 0;
        if (errno == ENOENT)
            return err_set(err, ERR_NOT_FOUND, "secret %s not found", id);
        return err_sys(err, m->source, "cannot read secret %s", id);
    }
    char chunk[8192];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            close(fd);
            buf_release(&b);
            return err_sys(err, m->source, "cannot read secret %s", id);
        }
        if (r == 0)
            break;
        if (b.len + (size_t)r > SECRET_LIMIT || buf_append(&b, chunk, (size_t)r) < 0) {
            close(fd);
            buf_release(&b);
            return err_set(err, ERR_TOO_LARGE, "secret %s is larger than 500 KiB", id);
        }
    }
    close(fd);
    *len = b.len;
    *data = arena_alloc(&s->arena, b.len + 1);
    memcpy(*data, buf_cstr(&b), b.len + 1);
    buf_release(&b);
    return 0;
}

static int prepare_mounts(struct run_state *s, const struct bld_run_opts *o, uint64_t deadline,
                          struct cstr_vec *extra_env, struct err *err)
{
    struct run_plan *p = &s->plan;
    p->mnts = ARENA_NEW_ARRAY(&s->arena, struct run_mnt, o->n_mounts ? o->n_mounts : 1);
    const char *wd = o->workdir ? o->workdir : "/";
    for (size_t i = 0; i < o->n_mounts; i++) {
        const struct bld_mount *m = &o->mounts[i];
        struct run_mnt *r = &p->mnts[p->n_mnts];
        memset(r, 0, sizeof *r);
        const char *tname = mount_type_name(m->type);
        if (m->type == BLD_MOUNT_SSH)
            return err_set(err, ERR_UNSUPPORTED,
                           "RUN --mount=type=ssh is not supported by the embedded builder");
        const char *target = m->target;
        if (m->type == BLD_MOUNT_SECRET) {
            const char *id = m->id && m->id[0] ? m->id : NULL;
            if (!id && target && target[0]) {
                const char *slash = strrchr(target, '/');
                id = slash ? slash + 1 : target;
            }
            if (!id || !id[0])
                return err_set(err, ERR_USAGE, "secret mount needs an id or a target");
            char *data;
            size_t len = 0;
            int rc = read_secret(s, m, id, &data, &len, err);
            if (rc < 0)
                return rc;
            if (!data)
                continue; /* optional and absent: BuildKit skips it */
            if (m->env && m->env[0]) {
                if (memchr(data, '\0', len))
                    return err_set(err, ERR_INVALID, "secret %s contains a NUL byte", id);
                char *kv = arena_printf(&s->arena, "%s=%s", m->env, data);
                VEC_PUSH(extra_env, kv);
                if (!target || !target[0])
                    continue;
            }
            if (!target || !target[0])
                target = arena_printf(&s->arena, "/run/secrets/%s", id);
            r->kind = RUN_MNT_SECRET;
            r->data = data;
            r->len = len;
            r->mode = m->has_mode ? m->mode & 07777 : 0400;
            r->uid = m->uid;
            r->gid = m->gid;
            r->ro = true;
        }
        if (!target || !target[0])
            return err_set(err, ERR_USAGE, "%s mount needs a target", tname);
        r->target = clean_path(&s->arena, wd, target);
        if (strcmp(r->target, "/") == 0)
            return err_set(err, ERR_USAGE, "invalid mount target \"/\"");
        switch (m->type) {
        case BLD_MOUNT_BIND: {
            if (!m->source || !m->source[0])
                return err_set(err, ERR_USAGE, "bind mount on %s needs a source", r->target);
            struct stat st;
            if (stat(m->source, &st) < 0)
                return err_sys(err, m->source, "bind mount source for %s", r->target);
            r->dir = S_ISDIR(st.st_mode);
            r->ro = m->access != BLD_ACCESS_RW;
            r->kind = RUN_MNT_BIND;
            r->source = arena_strdup(&s->arena, m->source);
            if (!r->ro && r->dir) {
                /* Writes land in a scratch upper dir thrown away after the run. */
                if (!overlay_safe(m->source))
                    return err_set(err, ERR_USAGE, "bind source '%s' contains ',', ':' or '\\'",
                                   m->source);
                char *u = arena_printf(&s->arena, "%s/bind%zu-upper", s->scratch, i);
                char *w = arena_printf(&s->arena, "%s/bind%zu-work", s->scratch, i);
                if (mkdir(u, 0755) < 0 || mkdir(w, 0700) < 0)
                    return err_sys(err, u, "cannot create scratch dir");
                r->kind = RUN_MNT_OVERLAY;
                r->source = arena_printf(&s->arena, "lowerdir=%s,upperdir=%s,workdir=%s%s",
                                         m->source, u, w, p->userns ? ",userxattr" : "");
                r->dir = true;
            } else if (!r->ro) {
                char *copy = arena_printf(&s->arena, "%s/bind%zu-file", s->scratch, i);
                int rc = copy_file(m->source, copy, err);
                if (rc < 0)
                    return rc;
                r->source = copy;
            }
            break;
        }
        case BLD_MOUNT_CACHE: {
            char *dir = NULL;
            int rc = prepare_cache(s, o, m, r->target, deadline, &dir, err);
            if (rc < 0)
                return rc;
            r->kind = RUN_MNT_BIND;
            r->source = dir;
            r->dir = true;
            r->ro = m->access == BLD_ACCESS_RO;
            break;
        }
        case BLD_MOUNT_TMPFS:
            r->kind = RUN_MNT_TMPFS;
            r->dir = true;
            r->size = m->size;
            r->ro = m->access == BLD_ACCESS_RO;
            break;
        case BLD_MOUNT_SECRET: break;
        default: return err_set(err, ERR_USAGE, "unknown mount type %d", (int)m->type);
        }
        p->n_mnts++;
    }
    /* Parents before children: /a must be mounted before /a/b. Stable. */
    for (size_t i = 1; i < p->n_mnts; i++) {
        struct run_mnt t = p->mnts[i];
        size_t j = i;
        while (j > 0 && path_depth(p->mnts[j - 1].target) > path_depth(t.target)) {
            p->mnts[j] = p->mnts[j - 1];
            j--;
        }
        p->mnts[j] = t;
    }
    return 0;
}

static int write_scratch(const char *path, const char *data, size_t len, struct err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_sys(err, path, "cannot create");
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            return err_sys(err, path, "cannot write");
        }
        off += (size_t)w;
    }
    close(fd);
    return 0;
}

/* /etc/resolv.conf: the host's (BuildKit copies it for host networking);
 * public resolvers when the host has none. /etc/hosts: BuildKit's default. */
static int generate_net_files(struct run_state *s, const char *hostname, struct err *err)
{
    struct run_plan *p = &s->plan;
    struct buf b = BUF_INIT;
    buf_init(&b, 1 << 20);
    int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char chunk[4096];
        ssize_t r;
        while ((r = read(fd, chunk, sizeof chunk)) > 0)
            if (buf_append(&b, chunk, (size_t)r) < 0)
                break;
        close(fd);
    }
    if (b.len == 0)
        BUF_OK(buf_append_cstr(&b, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"));
    p->resolv = arena_printf(&s->arena, "%s/resolv.conf", s->scratch);
    int rc = write_scratch(p->resolv, buf_cstr(&b), b.len, err);
    buf_release(&b);
    if (rc < 0)
        return rc;
    char *hosts = arena_printf(
        &s->arena, "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        hostname);
    p->hosts = arena_printf(&s->arena, "%s/hosts", s->scratch);
    return write_scratch(p->hosts, hosts, strlen(hosts), err);
}

/* The container's / is the upper dir itself: overlayfs shows its mode and
 * owner, not the image's. Give it those of the top lower layer's root, so
 * that a mkdtemp'd (0700) upper dir does not lock non-root users out. Best
 * effort: a rootless build may not chown, and the layer writer does not
 * record the root directory anyway. */
static void match_root(const struct bld_run_opts *o)
{
    struct stat lst, ust;
    if (o->n_lower == 0 || stat(o->lower[o->n_lower - 1], &lst) < 0 || stat(o->upper, &ust) < 0)
        return;
    if ((ust.st_mode & 07777) != (lst.st_mode & 07777))
        (void)chmod(o->upper, lst.st_mode & 07777);
    if (ust.st_uid != lst.st_uid || ust.st_gid != lst.st_gid)
        (void)!chown(o->upper, lst.st_uid, lst.st_gid);
}

static bool env_has(const struct bld_run_opts *o, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 0; i < o->n_env; i++)
        if (strncmp(o->env[i], key, k) == 0 && o->env[i][k] == '=')
            return true;
    return false;
}

static int build_plan(struct run_state *s, const struct bld_run_opts *o, uint64_t deadline,
                      struct err *err)
{
    struct run_plan *p = &s->plan;
    struct arena *a = &s->arena;
    p->userns = geteuid() != 0 || o->force_userns;
    p->host_uid = geteuid();
    p->host_gid = getegid();
    p->report_fd = p->out_fd = p->err_fd = -1;
    p->net = o->net;
    p->insecure = o->insecure;
    p->user = o->user && o->user[0] ? o->user : NULL;
    p->hostname = o->hostname ? o->hostname : "buildkitsandbox";
    p->workdir = o->workdir ? clean_path(a, "/", o->workdir) : "/";

    const char *tmp = o->tmp_dir ? o->tmp_dir : getenv("TMPDIR");
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    s->scratch = arena_printf(a, "%s/dw-run-XXXXXX", tmp);
    if (!mkdtemp(s->scratch)) {
        int rc = err_sys(err, tmp, "cannot create a scratch directory");
        s->scratch = NULL;
        return rc;
    }
    p->merged = arena_printf(a, "%s/root", s->scratch);
    p->priv = arena_printf(a, "%s/priv", s->scratch);
    if (mkdir(p->merged, 0755) < 0 || mkdir(p->priv, 0700) < 0)
        return err_sys(err, s->scratch, "cannot create scratch directories");

    if (o->rootfs) {
        p->rootfs = o->rootfs;
    } else {
        p->overlay = true;
        p->upper = o->upper;
        struct buf d = BUF_INIT;
        BUF_OK(buf_append_cstr(&d, "lowerdir="));
        if (o->n_lower == 0) {
            /* FROM scratch: overlayfs needs one lower dir; an empty one. */
            char *empty = arena_printf(a, "%s/empty", s->scratch);
            if (mkdir(empty, 0755) < 0) {
                buf_release(&d);
                return err_sys(err, empty, "cannot create scratch directory");
            }
            BUF_OK(buf_append_cstr(&d, empty));
        }
        for (size_t i = o->n_lower; i-- > 0;) /* overlayfs lists the top first */
            BUF_OK(buf_printf(&d, "%s%s", i + 1 == o->n_lower ? "" : ":", o->lower[i]));
        BUF_OK(buf_printf(&d, ",upperdir=%s,workdir=%s%s", o->upper, o->work,
                          p->userns ? ",userxattr" : ""));
        if (d.len > MOUNT_DATA_MAX) {
            size_t n = d.len;
            buf_release(&d);
            return err_set(err, ERR_TOO_LARGE,
                           "overlay options for %zu layers are %zu bytes, over the kernel's "
                           "limit of %d (shorten the layer paths)",
                           o->n_lower, n, MOUNT_DATA_MAX);
        }
        p->root_data = arena_strdup(a, buf_cstr(&d));
        buf_release(&d);
        match_root(o);
    }

    /* The command. */
    VEC(char *) argv = VEC_INIT;
    const char *const sh[] = { "/bin/sh", "-c" };
    const char *const *shell = o->shell ? o->shell : sh;
    size_t n_shell = o->shell ? o->n_shell : 2;
    if (o->form == BLD_CMD_EXEC) {
        for (size_t i = 0; i < o->argc; i++)
            VEC_PUSH(&argv, arena_strdup(a, o->argv[i]));
    } else if (o->form == BLD_CMD_HEREDOC && strncmp(o->text, "#!", 2) == 0) {
        /* BuildKit writes such a body to /dev/pipes/<name> and runs it. */
        const char *name = o->heredoc_name && o->heredoc_name[0] ? o->heredoc_name : "EOF";
        char *safe = arena_strdup(a, name);
        for (char *c = safe; *c; c++)
            if (*c == '/')
                *c = '_';
        if (strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0 || strlen(safe) > NAME_MAX) {
            VEC_RELEASE(&argv);
            return err_set(err, ERR_USAGE, "invalid heredoc name '%s'", name);
        }
        p->script_name = safe;
        p->script = o->text;
        p->script_len = strlen(o->text);
        VEC_PUSH(&argv, arena_printf(a, "/dev/pipes/%s", safe));
    } else {
        for (size_t i = 0; i < n_shell; i++)
            VEC_PUSH(&argv, arena_strdup(a, shell[i]));
        VEC_PUSH(&argv, arena_strdup(a, o->text));
    }
    VEC_PUSH(&argv, NULL);
    p->argv = ARENA_NEW_ARRAY(a, char *, argv.len);
    memcpy(p->argv, argv.items, argv.len * sizeof *argv.items);
    VEC_RELEASE(&argv);

    struct cstr_vec extra = VEC_INIT;
    int rc = prepare_mounts(s, o, deadline, &extra, err);
    if (rc == 0)
        rc = generate_net_files(s, p->hostname, err);
    if (rc < 0) {
        VEC_RELEASE(&extra);
        return rc;
    }

    /* The environment: as given, secrets exposed as variables, PATH. */
    size_t n = o->n_env + extra.len + 2;
    p->env = ARENA_NEW_ARRAY(a, char *, n);
    size_t k = 0;
    for (size_t i = 0; i < o->n_env; i++)
        p->env[k++] = arena_strdup(a, o->env[i]);
    for (size_t i = 0; i < extra.len; i++)
        p->env[k++] = extra.items[i];
    VEC_RELEASE(&extra);
    if (!env_has(o, "PATH"))
        p->env[k++] = arena_strdup(a, default_path);
    p->env[k] = NULL;
    p->env_has_home = env_has(o, "HOME");
    return 0;
}

/* --- streaming output ------------------------------------------------------- */

struct line_sink {
    enum bld_stream stream;
    int fd;
    char buf[LINE_MAX_BYTES];
    size_t len;
};

static void sink_flush(const struct bld_run_opts *o, struct line_sink *k, bool all)
{
    size_t start = 0;
    for (size_t i = 0; i < k->len; i++) {
        if (k->buf[i] == '\n') {
            o->on_output(o->output_ctx, k->stream, k->buf + start, i + 1 - start);
            start = i + 1;
        }
    }
    if ((all || (start == 0 && k->len == sizeof k->buf)) && start < k->len) {
        o->on_output(o->output_ctx, k->stream, k->buf + start, k->len - start);
        start = k->len;
    }
    memmove(k->buf, k->buf + start, k->len - start);
    k->len -= start;
}

/* Reads what is available; returns false at EOF. */
static bool sink_read(const struct bld_run_opts *o, struct line_sink *k)
{
    ssize_t r = read(k->fd, k->buf + k->len, sizeof k->buf - k->len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (r <= 0) {
        sink_flush(o, k, true);
        return false;
    }
    k->len += (size_t)r;
    sink_flush(o, k, false);
    return true;
}

/* --- cleanup of mount points ------------------------------------------------ */

struct stub {
    int type;
    char *path;
};

static int stub_cmp(const void *a, const void *b)
{
    const struct stub *x = a, *y = b;
    size_t lx = strlen(x->path), ly = strlen(y->path);
    return lx < ly ? 1 : lx > ly ? -1 : strcmp(x->path, y->path);
}

static bool is_opaque(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return true; /* cannot tell: keep it */
    char v[4];
    bool opaque = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) > 0 ||
                  fgetxattr(fd, "user.overlay.opaque", v, sizeof v) > 0;
    close(fd);
    return opaque;
}

/* Does the topmost lower layer holding path have a directory there with
 * the same mode and owner as st? (Then the upper copy adds nothing.) */
static bool same_as_lower(const struct bld_run_opts *o, const char *path, const struct stat *st)
{
    for (size_t i = o->n_lower; i-- > 0;) {
        int lfd = open(o->lower[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (lfd < 0)
            return false;
        int fd = bld_run_open_beneath(lfd, path, O_PATH);
        close(lfd);
        if (fd < 0)
            continue;
        struct stat ls;
        bool same = fstat(fd, &ls) == 0 && S_ISDIR(ls.st_mode) && ls.st_mode == st->st_mode &&
                    ls.st_uid == st->st_uid && ls.st_gid == st->st_gid;
        close(fd);
        return same;
    }
    return false;
}

/* Removes, deepest first, the mount points init created (when still an
 * empty file or directory) and the directories copied up only to hold them
 * (when still empty, not opaque and like their lower original). Paths are
 * opened without following symlinks, so a RUN that planted one cannot
 * steer this outside the upper dir. */
static void remove_stubs(const struct bld_run_opts *o, struct stub *stubs, size_t n)
{
    if (n == 0)
        return;
    const char *base = o->rootfs ? o->rootfs : o->upper;
    int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0)
        return;
    qsort(stubs, n, sizeof *stubs, stub_cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = stubs[i].path;
        char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
            continue;
        *slash = '\0';
        int pfd = bld_run_open_beneath(bfd, path, O_PATH | O_DIRECTORY);
        *slash = '/';
        if (pfd < 0)
            continue;
        const char *name = slash + 1;
        struct stat st;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            switch (stubs[i].type) {
            case RUN_REC_STUB_FILE:
                if (S_ISREG(st.st_mode) && st.st_size == 0)
                    unlinkat(pfd, name, 0);
                break;
            case RUN_REC_STUB_DIR:
                if (S_ISDIR(st.st_mode))
                    unlinkat(pfd, name, AT_REMOVEDIR); /* fails when not empty */
                break;
            case RUN_REC_COPYUP:
                if (S_ISDIR(st.st_mode) && !is_opaque(pfd, name) && same_as_lower(o, path, &st))
                    unlinkat(pfd, name, AT_REMOVEDIR);
                break;
            }
        }
        close(pfd);
    }
    close(bfd);
}

/* --- the run ------------------------------------------------------------------ */

static void release_state(struct run_state *s)
{
    if (s->scratch) {
        /* The scratch mount points were only ever mounted in the
         * container's namespace: plain directories here. */
        (void)bld_run_rmtree(s->scratch);
    }
    for (size_t i = 0; i < s->locks.len; i++)
        close(s->locks.items[i]);
    VEC_RELEASE(&s->locks);
    VEC_RELEASE(&s->lock_names);
    arena_release(&s->arena);
}

static void kill_container(pid_t helper, pid_t init)
{
    if (init > 0)
        kill(init, SIGKILL); /* pid 1 dying takes the namespace with it */
    if (helper > 0)
        kill(helper, SIGKILL);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Starts the helper and follows it to the end. */
static int execute(struct run_state *s, const struct bld_run_opts *o, uint64_t start,
                   uint64_t deadline, struct bld_run_result *res, struct err *err)
{
    struct run_plan *p = &s->plan;
    int rep[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
    if (pipe2(rep, O_CLOEXEC) < 0)
        return err_sys(err, NULL, "cannot create a pipe");
    p->report_fd = rep[1];
    bool cb = o->on_output != NULL;
    if (cb && (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) {
        int rc = err_sys(err, NULL, "cannot create a pipe");
        close(rep[0]);
        close(rep[1]);
        close_fd(&out[0]);
        close_fd(&out[1]);
        return rc;
    }
    p->out_fd = cb ? out[1] : o->stdout_fd;
    p->err_fd = cb ? errp[1] : o->stderr_fd;

    pid_t helper = fork();
    if (helper < 0) {
        int rc = err_sys(err, NULL, "cannot fork");
        close(rep[0]);
        close(rep[1]);
        close_fd(&out[0]);
        close_fd(&out[1]);
        close_fd(&errp[0]);
        close_fd(&errp[1]);
        return rc;
    }
    if (helper == 0)
        bld_run_helper_main(p);
    close(rep[1]);
    close_fd(&out[1]);
    close_fd(&errp[1]);

    struct line_sink *sinks = xcalloc(2, sizeof *sinks);
    sinks[0].stream = BLD_STREAM_STDOUT;
    sinks[0].fd = out[0];
    sinks[1].stream = BLD_STREAM_STDERR;
    sinks[1].fd = errp[0];
    int repfd = rep[0];

    VEC(struct stub) stubs = VEC_INIT;
    struct run_rec rec;
    size_t rec_len = 0;
    pid_t init = 0;
    bool have_status = false, have_error = false, probe_ok = false;
    int status = 0;
    enum bld_run_outcome killed_as = BLD_RUN_EXITED;
    bool killed = false;

    while (repfd >= 0 || sinks[0].fd >= 0 || sinks[1].fd >= 0) {
        struct pollfd pf[3];
        int nf = 0;
        pf[nf++] = (struct pollfd){ .fd = repfd, .events = POLLIN };
        pf[nf++] = (struct pollfd){ .fd = sinks[0].fd, .events = POLLIN };
        pf[nf++] = (struct pollfd){ .fd = sinks[1].fd, .events = POLLIN };
        int wait_ms = -1;
        if (o->cancel)
            wait_ms = CANCEL_POLL_MS;
        if (deadline && !killed) {
            uint64_t t = now_ns();
            uint64_t left = t >= deadline ? 0 : (deadline - t) / 1000000u + 1;
            if (wait_ms < 0 || left < (uint64_t)wait_ms)
                wait_ms = (int)(left > INT_MAX ? INT_MAX : left);
        }
        int r = poll(pf, (nfds_t)nf, wait_ms);
        if (r < 0 && errno != EINTR) {
            kill_container(helper, init);
            killed = true;
            killed_as = BLD_RUN_CANCELLED;
            break;
        }
        if (!killed && o->cancel && *o->cancel) {
            killed = true;
            killed_as = BLD_RUN_CANCELLED;
            kill_container(helper, init);
        }
        if (!killed && deadline && now_ns() >= deadline) {
            killed = true;
            killed_as = BLD_RUN_TIMED_OUT;
            kill_container(helper, init);
        }
        if (r <= 0)
            continue;
        if (pf[0].revents) {
            ssize_t n = read(repfd, (char *)&rec + rec_len, sizeof rec - rec_len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close_fd(&repfd);
            } else if ((rec_len += (size_t)n) == sizeof rec) {
                rec_len = 0;
                rec.text[sizeof rec.text - 1] = '\0';
                switch (rec.type) {
                case RUN_REC_PID:
                    init = rec.value;
                    if (killed)
                        kill_container(0, init);
                    break;
                case RUN_REC_STUB_DIR:
                case RUN_REC_STUB_FILE:
                case RUN_REC_COPYUP: {
                    struct stub st = { rec.type, xstrdup(rec.text) };
                    VEC_PUSH(&stubs, st);
                    break;
                }
                case RUN_REC_ERROR:
                    if (!have_error) {
                        have_error = true;
                        err_set(err, rec.code < 0 ? (enum err_code)rec.code : ERR_INTERNAL, "%s",
                                rec.text);
                        err->sys_errno = rec.value;
                    }
                    break;
                case RUN_REC_STATUS:
                    have_status = true;
                    status = rec.value;
                    break;
                case RUN_REC_PROBE_OK: probe_ok = true; break;
                }
            }
        }
        for (int i = 0; i < 2; i++)
            if (pf[i + 1].revents && !sink_read(o, &sinks[i]))
                close_fd(&sinks[i].fd);
    }
    close_fd(&repfd);
    close_fd(&sinks[0].fd);
    close_fd(&sinks[1].fd);
    free(sinks);
    int hst = 0;
    while (waitpid(helper, &hst, 0) < 0 && errno == EINTR)
        ;
    res->wall_ns = now_ns() - start;

    if (!p->probe)
        remove_stubs(o, stubs.items, stubs.len);
    for (size_t i = 0; i < stubs.len; i++)
        free(stubs.items[i].path);
    VEC_RELEASE(&stubs);

    if (killed) {
        res->outcome = killed_as;
        res->signal = SIGKILL;
        res->status = 128 + SIGKILL;
        return 0;
    }
    if (have_error)
        return err->code;
    if (p->probe)
        return probe_ok
                   ? 0
                   : err_set(err, ERR_UNSUPPORTED, "the container probe ended without a result");
    if (!have_status)
        return err_set(err, ERR_INTERNAL, "the container init ended without a status (%s %d)",
                       WIFEXITED(hst) ? "exit" : "signal",
                       WIFEXITED(hst) ? WEXITSTATUS(hst) : WTERMSIG(hst));
    if (WIFEXITED(status)) {
        res->outcome = BLD_RUN_EXITED;
        res->exit_code = WEXITSTATUS(status);
        res->status = res->exit_code;
    } else {
        res->outcome = BLD_RUN_SIGNALED;
        res->signal = WTERMSIG(status);
        res->status = 128 + res->signal;
    }
    return 0;
}

int bld_run(const struct bld_run_opts *opts, struct bld_run_result *res, struct err *err)
{
    memset(res, 0, sizeof *res);
    err_clear(err);
    int rc = check_opts(opts, err);
    if (rc < 0)
        return rc;
    uint64_t start = now_ns();
    uint64_t deadline = opts->timeout_ms ? start + opts->timeout_ms * 1000000u : 0;
    struct run_state s;
    memset(&s, 0, sizeof s);
    arena_init(&s.arena);
    rc = build_plan(&s, opts, deadline, err);
    if (rc == 0)
        rc = execute(&s, opts, start, deadline, res, err);
    release_state(&s);
    return rc;
}

int bld_run_probe(const char *tmp_dir, bool overlay, bool force_userns, struct err *err)
{
    err_clear(err);
    struct run_state s;
    memset(&s, 0, sizeof s);
    arena_init(&s.arena);
    const char *tmp = tmp_dir ? tmp_dir : getenv("TMPDIR");
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    char *dir = arena_printf(&s.arena, "%s/dw-probe-XXXXXX", tmp);
    int rc = 0;
    if (!mkdtemp(dir)) {
        rc = err_sys(err, tmp, "cannot create a scratch directory");
        arena_release(&s.arena);
        return rc == ERR_IO ? ERR_UNSUPPORTED : rc;
    }
    struct bld_run_opts o;
    bld_run_opts_init(&o);
    o.tmp_dir = dir;
    o.force_userns = force_userns;
    o.form = BLD_CMD_SHELL;
    o.text = "true";
    char *sub[3];
    const char *names[3] = { "rootfs", "upper", "work" };
    for (int i = 0; i < 3; i++) {
        sub[i] = arena_printf(&s.arena, "%s/%s", dir, names[i]);
        if (mkdir(sub[i], 0755) < 0)
            rc = err_sys(err, sub[i], "cannot create a scratch directory");
    }
    if (overlay) {
        o.upper = sub[1];
        o.work = sub[2];
    } else {
        o.rootfs = sub[0];
    }
    if (rc == 0)
        rc = build_plan(&s, &o, 0, err);
    s.plan.probe = true;
    if (rc == 0) {
        struct bld_run_result res;
        memset(&res, 0, sizeof res);
        rc = execute(&s, &o, now_ns(), 0, &res, err);
    }
    release_state(&s);
    (void)bld_run_rmtree(dir);
    if (rc < 0 && err->code != ERR_UNSUPPORTED)
        err->code = ERR_UNSUPPORTED;
    return rc < 0 ? ERR_UNSUPPORTED : 0;
}
