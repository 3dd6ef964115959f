/* COPY/ADD: --chmod and --chown, the merged view of a layer stack, source
 * selection, the content digest and writing into the destination. See
 * copy.h for the rules; comments here cite BuildKit where it decides. */
#include "builder/copy.h"

#include "analyzer/dockerignore.h"
#include "builder/extract.h"
#include "builder/passwd.h"
#include "common/buf.h"
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
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

/* BuildKit's daemon runs with this umask; it limits symbolic --chmod
 * clauses that name no class (`+x` is a+x minus the umask). */
#define CHMOD_UMASK 022u
#define MAX_SYMLINKS 255
#define COPY_CHUNK (256 * 1024)
/* Largest passwd or group file read for --chown. */
#define USERS_FILE_MAX ((size_t)4 * 1024 * 1024)

/* ======================================================================
 * --chmod
 * ==================================================================== */

static int chmod_invalid(const char *s, struct err *err)
{
    return err_set(
        err, ERR_INVALID,
        "invalid chmod parameter: '%s'. it should be octal string and between 0 and 07777", s);
}

/* Bits each class letter covers, set-id included as chmod(1) does. */
static unsigned who_bits(char c)
{
    switch (c) {
    case 'u': return 04700;
    case 'g': return 02070;
    case 'o': return 00007;
    default: return 06777; /* 'a' */
    }
}

int bld_chmod_parse(const char *s, struct bld_chmod *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return 0;
    if (s[0] >= '0' && s[0] <= '9') {
        /* Octal, as strconv.ParseUint(s, 8, 32); anything else that starts
         * with a digit is the same error (BuildKit reports the numeric
         * error for values that look numeric). */
        unsigned long v = 0;
        for (const char *p = s; *p; p++) {
            if (*p < '0' || *p > '7' || v > 07777)
                return chmod_invalid(s, err);
            v = v * 8 + (unsigned long)(*p - '0');
        }
        if (v > 07777)
            return chmod_invalid(s, err);
        out->set = true;
        out->octal = (unsigned)v;
        return 0;
    }
    const char *p = s;
    for (;;) {
        unsigned who = 0;
        while (*p == 'u' || *p == 'g' || *p == 'o' || *p == 'a')
            who |= who_bits(*p++);
        if (*p != '+' && *p != '-' && *p != '=')
            return chmod_invalid(s, err);
        /* One or more actions: an operator and what it applies. */
        while (*p == '+' || *p == '-' || *p == '=') {
            char op = *p++;
            unsigned perm = 0;
            bool cond_x = false, any = false, copied = false;
            for (;; p++) {
                char c = *p;
                if (c == 'r') {
                    perm |= 0444;
                } else if (c == 'w') {
                    perm |= 0222;
                } else if (c == 'x') {
                    perm |= 0111;
                } else if (c == 'X') {
                    /* chmod(1): X only adds. */
                    if (op == '+')
                        cond_x = true;
                } else if (c == 's') {
                    if (who == 0 || (who & ~07u) != 0)
                        perm |= 06000;
                } else if (c == 't') {
                    if (who == 0 || (who & ~07u) != 0)
                        perm |= 01000;
                } else if (c == 'u' || c == 'g' || c == 'o') {
                    if (out->n_ops >= BLD_CHMOD_MAX_OPS)
                        return chmod_invalid(s, err);
                    struct bld_chmod_op *o = &out->ops[out->n_ops++];
                    o->who = who;
                    o->op = op;
                    o->copy = c;
                    any = copied = true;
                    continue;
                } else {
                    break;
                }
                any = true;
            }
            /* "=" with nothing (or only permission letters) clears the
             * classes; "g=u" is the copy alone. */
            if (perm || cond_x || !any || (op == '=' && !copied)) {
                if (out->n_ops >= BLD_CHMOD_MAX_OPS)
                    return chmod_invalid(s, err);
                struct bld_chmod_op *o = &out->ops[out->n_ops++];
                o->who = who;
                o->op = op;
                o->perm = perm;
                o->cond_x = cond_x;
            }
        }
        if (*p == '\0')
            break;
        if (*p != ',')
            return chmod_invalid(s, err);
        p++;
    }
    out->set = true;
    out->symbolic = true;
    return 0;
}

/* Spreads a 3-bit rwx value over the classes covered by who. */
static unsigned spread(unsigned rwx, unsigned who)
{
    unsigned v = 0;
    if (who & 0700)
        v |= rwx << 6;
    if (who & 0070)
        v |= rwx << 3;
    if (who & 0007)
        v |= rwx;
    return v;
}

unsigned bld_chmod_apply(const struct bld_chmod *c, unsigned mode, bool is_dir)
{
    unsigned orig = mode & 07777;
    if (!c || !c->set)
        return orig;
    if (!c->symbolic)
        return c->octal;
    unsigned cur = orig;
    for (size_t i = 0; i < c->n_ops; i++) {
        const struct bld_chmod_op *o = &c->ops[i];
        /* Without a class, every class is meant but the umask limits
         * what + and - (and the set part of =) may touch. */
        unsigned mask =
            o->who ? o->who | ((o->perm & 01000) ? 01000u : 0u) : (07777u & ~CHMOD_UMASK);
        unsigned clear = o->who ? o->who | ((o->perm & 01000) ? 01000u : 0u) : 06777u;
        if (o->copy) {
            unsigned src = o->copy == 'u'   ? (cur >> 6) & 7
                           : o->copy == 'g' ? (cur >> 3) & 7
                                            : cur & 7;
            unsigned classes = o->who ? o->who : 0777u;
            unsigned bits = spread(src, classes) & (o->who ? 0777u : mask);
            if (o->op == '+')
                cur |= bits;
            else if (o->op == '-')
                cur &= ~bits;
            else
                cur = (cur & ~(spread(7, classes) & (o->who ? 0777u : mask))) | bits;
            continue;
        }
        unsigned bits = o->perm & mask;
        if (o->op == '=')
            cur &= ~clear;
        if (o->op == '-')
            cur &= ~bits;
        else
            cur |= bits;
        if (o->cond_x && ((orig & 0111) || is_dir))
            cur |= 0111 & mask;
    }
    return cur & 07777;
}

/* ======================================================================
 * --chown
 * ==================================================================== */

/* 1: s is a decimal id in range; 0: not all digits; -1: out of range. */
static int parse_id(const char *s, size_t n, uint32_t *out)
{
    if (n == 0)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > BLD_USER_ID_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 1;
}

int bld_chown_resolve(const char *spec, struct str passwd, struct str group, uint32_t *uid,
                      uint32_t *gid, struct err *err)
{
    const char *colon = strchr(spec, ':');
    size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
    uint32_t u = 0, g = 0;
    int r = parse_id(spec, ulen, &u);
    if (r < 0)
        return err_set(err, ERR_INVALID, "invalid --chown '%s': user id out of range", spec);
    if (r > 0) {
        /* BuildKit's ChownOpt by id: a uid alone is also the gid. */
        g = u;
    } else if (ulen > 0) {
        char *name = xstrndup(spec, ulen);
        struct bld_user usr;
        int rc = bld_user_resolve(name, passwd, group, &usr, err);
        free(name);
        if (rc)
            return rc;
        u = usr.uid;
        g = usr.gid;
    }
    if (colon && colon[1]) {
        const char *gs = colon + 1;
        r = parse_id(gs, strlen(gs), &g);
        if (r < 0)
            return err_set(err, ERR_INVALID, "invalid --chown '%s': group id out of range", spec);
        if (r == 0) {
            /* ":name" resolves the group alone. */
            size_t n = strlen(gs);
            char *q = xmalloc(n + 2);
            q[0] = ':';
            memcpy(q + 1, gs, n + 1);
            struct bld_user usr;
            int rc = bld_user_resolve(q, passwd, group, &usr, err);
            free(q);
            if (rc)
                return rc;
            g = usr.gid;
        }
    }
    *uid = u;
    *gid = g;
    return 0;
}

/* ======================================================================
 * Paths
 * ==================================================================== */

/* The canonical relative form of path taken as rooted at a tree: "" for
 * the root, else "a/b" (".." cannot climb above the root). Arena. */
static char *canon_rel(struct arena *a, const char *path)
{
    size_t n = strlen(path);
    char *rooted = arena_alloc(a, n + 2);
    rooted[0] = '/';
    memcpy(rooted + 1, path, n + 1);
    char *c = di_clean(a, rooted, n + 1);
    return c + 1; /* "/" becomes "" */
}

static char *join(struct arena *a, const char *dir, const char *name)
{
    if (!*dir)
        return arena_strdup(a, name);
    if (!*name)
        return arena_strdup(a, dir);
    return arena_printf(a, "%s/%s", dir, name);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static bool has_wildcards(const char *s)
{
    for (; *s; s++) {
        if (*s == '\\') {
            if (!s[1])
                break;
            s++;
        } else if (*s == '*' || *s == '?' || *s == '[') {
            return true;
        }
    }
    return false;
}

/* ======================================================================
 * The merged view of a layer stack
 * ==================================================================== */

struct view {
    const char *const *layers;
    size_t n;
    bool overlay; /* whiteouts and opaque directories mean what overlayfs makes them mean */
    /* Build context: entries the ignore file leaves out do not exist. */
    const struct di_file *ignore;
};

/* A directory of the view: its canonical path and the layers that
 * contribute entries to it, top first. */
struct vdir {
    const char *path;
    size_t *act;
    size_t n_act;
};

/* An entry found in a directory. */
struct vent {
    size_t layer;
    struct stat st;
};

static const char *layer_path(struct arena *a, const struct view *v, size_t layer,
                              const char *canon)
{
    return *canon ? arena_printf(a, "%s/%s", v->layers[layer], canon)
                  : arena_strdup(a, v->layers[layer]);
}

static bool is_whiteout(const struct view *v, const struct stat *st)
{
    return v->overlay && S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(const char *path)
{
    char val[2];
    ssize_t n = lgetxattr(path, "trusted.overlay.opaque", val, sizeof val);
    if (n == 1 && val[0] == 'y')
        return true;
    n = lgetxattr(path, "user.overlay.opaque", val, sizeof val);
    return n == 1 && val[0] == 'y';
}

/* The context's ignore decision for a path: hidden when excluded, except
 * directories while exceptions exist (something below may come back;
 * the walk drops them when nothing does). */
static bool ignored(const struct view *v, const char *canon, bool is_dir, int *decider)
{
    if (!v->ignore || !*canon)
        return false;
    if (!di_match(v->ignore, canon, strlen(canon), decider))
        return false;
    return !(is_dir && v->ignore->has_exclusions);
}

static void vdir_root(struct arena *a, const struct view *v, struct vdir *out)
{
    out->path = "";
    out->act = ARENA_NEW_ARRAY(a, size_t, v->n ? v->n : 1);
    out->n_act = 0;
    for (size_t i = 0; i < v->n; i++) {
        struct stat st;
        if (stat(v->layers[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            out->act[out->n_act++] = i;
            if (v->overlay && v->n > 1 && is_opaque(v->layers[i]))
                break;
        }
    }
}

/* Looks name up in d: 0 with *e, -ENOENT (absent, whited out or ignored),
 * or another negative errno. */
static int vdir_lookup(struct arena *a, const struct view *v, const struct vdir *d,
                       const char *name, struct vent *e, int *decider)
{
    (void)a;
    /* Stack buffers: this runs once per entry of a context that may hold
     * hundreds of thousands, and the arena would keep every path. */
    char canon[PATH_MAX];
    int n = *d->path ? snprintf(canon, sizeof canon, "%s/%s", d->path, name)
                     : snprintf(canon, sizeof canon, "%s", name);
    if (n < 0 || (size_t)n >= sizeof canon)
        return -ENAMETOOLONG;
    for (size_t k = 0; k < d->n_act; k++) {
        char p[2 * PATH_MAX];
        n = snprintf(p, sizeof p, "%s/%s", v->layers[d->act[k]], canon);
        if (n < 0 || (size_t)n >= sizeof p)
            return -ENAMETOOLONG;
        if (lstat(p, &e->st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
            return -errno;
        }
        if (is_whiteout(v, &e->st))
            return -ENOENT;
        if (ignored(v, canon, S_ISDIR(e->st.st_mode), decider))
            return -ENOENT;
        e->layer = d->act[k];
        return 0;
    }
    return -ENOENT;
}

/* The directory name of d, found as e (a directory). */
static void vdir_child(struct arena *a, const struct view *v, const struct vdir *d,
                       const char *name, const struct vent *e, struct vdir *out)
{
    out->path = join(a, d->path, name);
    out->act = ARENA_NEW_ARRAY(a, size_t, d->n_act ? d->n_act : 1);
    out->n_act = 0;
    size_t k = 0;
    while (k < d->n_act && d->act[k] != e->layer)
        k++;
    for (; k < d->n_act; k++) {
        const char *p = layer_path(a, v, d->act[k], out->path);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode))
            break; /* a file or whiteout hides everything below it */
        out->act[out->n_act++] = d->act[k];
        if (!v->overlay || is_opaque(p))
            break;
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names in d (union over its layers, sorted, duplicates removed;
 * whiteouts still included: lookups drop them). Arena. */
static int vdir_list(struct arena *a, const struct view *v, const struct vdir *d,
                     const char ***names, size_t *n, const char **failed)
{
    VEC(const char *) all = VEC_INIT;
    for (size_t k = 0; k < d->n_act; k++) {
        const char *p = layer_path(a, v, d->act[k], d->path);
        DIR *dir = opendir(p);
        if (!dir) {
            int e = errno;
            VEC_RELEASE(&all);
            *failed = p;
            return -e;
        }
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            VEC_PUSH(&all, arena_strdup(a, de->d_name));
        }
        closedir(dir);
    }
    if (all.len)
        qsort(all.items, all.len, sizeof *all.items, cmp_str);
    const char **out = ARENA_NEW_ARRAY(a, const char *, all.len ? all.len : 1);
    size_t m = 0;
    for (size_t i = 0; i < all.len; i++)
        if (m == 0 || strcmp(out[m - 1], all.items[i]) != 0)
            out[m++] = all.items[i];
    VEC_RELEASE(&all);
    *names = out;
    *n = m;
    return 0;
}

/* The result of resolving a path in a view. */
struct vres {
    struct vdir parent; /* the directory holding the last component */
    const char *name;   /* the last component ("" for the root) */
    const char *canon;  /* the symlink-free path */
    bool found;
    struct vent e;
    int decider;        /* the ignore pattern that hid the path, or -1 */
    const char *hidden; /* the path the ignore file hid, or NULL */
};

/* Resolves path (components separated by '/', relative to the root or
 * absolute) inside the view: "..", "." and symlinks (absolute ones from
 * the root) are resolved without ever leaving it, as BuildKit's
 * fs.RootPath does. The last component's symlink is followed when
 * follow_last. Returns 0 (found or not: r->found; a missing last
 * component still fills parent and name), -ENOENT when a directory on
 * the way is missing, -ENOTDIR when one is a file, -ELOOP past 255 links. */
static int view_resolve(struct arena *a, const struct view *v, const char *path, bool follow_last,
                        struct vres *r)
{
    memset(r, 0, sizeof *r);
    r->decider = -1;
    VEC(struct vdir) stack = VEC_INIT;
    struct vdir root;
    vdir_root(a, v, &root);
    VEC_PUSH(&stack, root);
    const char *pending = path;
    int links = 0, rc = 0;
    for (;;) {
        while (*pending == '/')
            pending++;
        const char *slash = strchr(pending, '/');
        size_t len = slash ? (size_t)(slash - pending) : strlen(pending);
        const char *rest = pending + len;
        while (*rest == '/')
            rest++;
        bool last = *rest == '\0';
        if (len == 0) {
            /* Nothing left: the path names the current directory. */
            struct vdir *top = &VEC_LAST(&stack);
            r->parent = *top;
            r->name = "";
            r->canon = top->path;
            r->found = top->n_act > 0 || stack.len > 1;
            if (r->found) {
                r->e.layer = top->n_act ? top->act[0] : 0;
                const char *p = top->n_act ? layer_path(a, v, top->act[0], top->path) : NULL;
                if (!p || lstat(p, &r->e.st) != 0) {
                    memset(&r->e.st, 0, sizeof r->e.st);
                    r->e.st.st_mode = S_IFDIR | 0755;
                }
            }
            break;
        }
        char *comp = arena_strndup(a, pending, len);
        if (strcmp(comp, ".") == 0) {
            pending = rest;
            continue;
        }
        if (strcmp(comp, "..") == 0) {
            if (stack.len > 1)
                stack.len--;
            pending = rest;
            continue;
        }
        struct vdir *top = &VEC_LAST(&stack);
        struct vent e;
        int decider = -1;
        int lr = vdir_lookup(a, v, top, comp, &e, &decider);
        if (lr == -ENOENT && decider >= 0 && !r->hidden) {
            r->hidden = join(a, top->path, comp);
            r->decider = decider;
        }
        if (lr && lr != -ENOENT) {
            rc = lr;
            break;
        }
        if (lr == -ENOENT) {
            if (!last) {
                rc = -ENOENT;
                break;
            }
            r->parent = *top;
            r->name = comp;
            r->canon = join(a, top->path, comp);
            r->found = false;
            break;
        }
        if (S_ISLNK(e.st.st_mode) && (!last || follow_last)) {
            if (++links > MAX_SYMLINKS) {
                rc = -ELOOP;
                break;
            }
            const char *lp = layer_path(a, v, e.layer, join(a, top->path, comp));
            char target[PATH_MAX];
            ssize_t tn = readlink(lp, target, sizeof target - 1);
            if (tn < 0) {
                rc = -errno;
                break;
            }
            target[tn] = '\0';
            if (target[0] == '/')
                stack.len = 1;
            pending = *rest ? arena_printf(a, "%s/%s", target, rest) : arena_strdup(a, target);
            continue;
        }
        if (last) {
            r->parent = *top;
            r->name = comp;
            r->canon = join(a, top->path, comp);
            r->found = true;
            r->e = e;
            break;
        }
        if (!S_ISDIR(e.st.st_mode)) {
            rc = -ENOTDIR;
            break;
        }
        struct vdir child;
        vdir_child(a, v, top, comp, &e, &child);
        VEC_PUSH(&stack, child);
        pending = rest;
    }
    VEC_RELEASE(&stack);
    return rc;
}

/* The directory a found resolution names. */
static void vres_dir(struct arena *a, const struct view *v, const struct vres *r, struct vdir *out)
{
    if (!*r->name) {
        *out = r->parent;
        return;
    }
    vdir_child(a, v, &r->parent, r->name, &r->e, out);
}

/* ======================================================================
 * Selection
 * ==================================================================== */

struct sel_ctx {
    const struct bld_copy_opts *o;
    struct arena *a;   /* the selection's */
    struct arena *tmp; /* scratch, released at the end */
    struct view from;
    struct di_file *excl; /* compiled --exclude, or NULL */
    struct bld_copy_sel *sel;
    VEC(struct bld_sel_item) items;
    const char *tmp_dir; /* created on demand; removed with a */
    const char *instr;
};

static void remove_tree_cb(void *p)
{
    struct err e;
    if (bld_remove_tree((const char *)p, &e) != 0) {
        /* Nothing to report to at release time; a leftover temporary
         * directory is harmless. */
    }
}

/* A fresh private directory below opts.tmp_dir, removed with arena a. */
static int make_tmp_dir(struct arena *a, const char *base, const char **out, struct err *err)
{
    if (!base || !*base) {
        base = getenv("TMPDIR");
        if (!base || !*base)
            base = "/tmp";
    }
    char *p = arena_printf(a, "%s/dw-copy-XXXXXX", base);
    if (!mkdtemp(p))
        return err_sys(err, base, "cannot create a temporary directory in '%s'", base);
    arena_on_release(a, remove_tree_cb, p);
    *out = p;
    return 0;
}

static int not_found(struct sel_ctx *c, const char *shown, const struct vres *r, struct err *err)
{
    if (r && r->hidden && r->decider >= 0 && c->o->ignore &&
        (size_t)r->decider < c->o->ignore->n_patterns) {
        const struct di_pattern *p = &c->o->ignore->patterns[r->decider];
        return err_set(err, ERR_NOT_FOUND,
                       "failed to compute cache key: \"/%s\": not found: \"/%s\" is excluded by "
                       "%s:%u ('%s%.*s')",
                       shown, r->hidden, c->o->ignore->path ? c->o->ignore->path : ".dockerignore",
                       p->line, p->exclusion ? "!" : "", (int)p->text.len, p->text.ptr);
    }
    return err_set(err, ERR_NOT_FOUND, "failed to compute cache key: \"/%s\": not found", shown);
}

static enum bld_sel_type sel_type(mode_t m)
{
    if (S_ISDIR(m))
        return BLD_SEL_DIR;
    if (S_ISLNK(m))
        return BLD_SEL_SYMLINK;
    if (S_ISFIFO(m))
        return BLD_SEL_FIFO;
    if (S_ISCHR(m))
        return BLD_SEL_CHAR;
    if (S_ISBLK(m))
        return BLD_SEL_BLOCK;
    return BLD_SEL_FILE;
}

/* Fills an entry from what the view holds at canon. */
static int fill_entry(struct sel_ctx *c, const struct vent *e, const char *canon, const char *rel,
                      bool zero_owner, struct bld_sel_entry *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    out->rel = arena_strdup(c->a, rel);
    out->host = layer_path(c->a, &c->from, e->layer, canon);
    out->type = sel_type(e->st.st_mode);
    bool is_dir = out->type == BLD_SEL_DIR;
    out->mode = out->type == BLD_SEL_SYMLINK
                    ? 0777
                    : bld_chmod_apply(&c->sel->chmod, (unsigned)e->st.st_mode, is_dir);
    out->uid = zero_owner ? 0 : (uint32_t)e->st.st_uid;
    out->gid = zero_owner ? 0 : (uint32_t)e->st.st_gid;
    out->size = out->type == BLD_SEL_FILE ? (uint64_t)e->st.st_size : 0;
    out->mtime_sec = (int64_t)e->st.st_mtim.tv_sec;
    out->mtime_nsec = e->st.st_mtim.tv_nsec;
    out->link_to = -1;
    out->dev = (uint64_t)e->st.st_dev;
    out->ino = e->st.st_nlink > 1 && out->type == BLD_SEL_FILE ? (uint64_t)e->st.st_ino : 0;
    if (out->type == BLD_SEL_CHAR || out->type == BLD_SEL_BLOCK) {
        out->rdev_major = major(e->st.st_rdev);
        out->rdev_minor = minor(e->st.st_rdev);
    }
    if (out->type == BLD_SEL_SYMLINK) {
        char target[PATH_MAX];
        ssize_t n = readlink(out->host, target, sizeof target - 1);
        if (n < 0)
            return err_sys(err, out->host, "cannot read symlink '%s'", out->host);
        out->link = arena_strndup(c->a, target, (size_t)n);
    }
    return 0;
}

typedef VEC(struct bld_sel_entry) entry_vec;

/* What the walk of one item keeps. */
struct walk_filter {
    const struct di_file *include; /* --parents pattern, or NULL */
    const char *include_prefix;    /* its leading part without wildcards ("" when none) */
    bool zero_owner;
};

/* Whether a directory at rel may hold what include_prefix names. */
static bool may_hold(const char *prefix, const char *rel)
{
    size_t pl = strlen(prefix), rl = strlen(rel);
    if (pl == 0)
        return true;
    if (rl <= pl)
        return strncmp(prefix, rel, rl) == 0 && (rl == pl || prefix[rl] == '/');
    return strncmp(prefix, rel, pl) == 0 && rel[pl] == '/';
}

/* Appends the entries below d (whose path relative to the item is rel) to
 * out in walk order. *added counts what was appended. */
static int walk(struct sel_ctx *c, const struct vdir *d, const char *rel, bool included,
                const struct walk_filter *wf, entry_vec *out, size_t depth, struct err *err)
{
    /* As the context walker (DI_MAX_DEPTH): deeper trees are refused
     * rather than risking the stack. */
    if (depth > DI_MAX_DEPTH)
        return err_set(err, ERR_TOO_LARGE, "directory tree under \"/%s\" is too deep", d->path);
    const char **names;
    size_t n;
    const char *failed = NULL;
    int rc = vdir_list(c->tmp, &c->from, d, &names, &n, &failed);
    if (rc) {
        errno = -rc;
        return err_sys(err, failed, "cannot read directory '%s'", failed);
    }
    for (size_t i = 0; i < n; i++) {
        struct vent e;
        int decider = -1;
        int lr = vdir_lookup(c->tmp, &c->from, d, names[i], &e, &decider);
        if (lr == -ENOENT)
            continue;
        char canon[PATH_MAX], crel[PATH_MAX];
        int cn = *d->path ? snprintf(canon, sizeof canon, "%s/%s", d->path, names[i])
                          : snprintf(canon, sizeof canon, "%s", names[i]);
        int rn = *rel ? snprintf(crel, sizeof crel, "%s/%s", rel, names[i])
                      : snprintf(crel, sizeof crel, "%s", names[i]);
        if (lr == 0 &&
            (cn < 0 || rn < 0 || (size_t)cn >= sizeof canon || (size_t)rn >= sizeof crel))
            lr = -ENAMETOOLONG;
        if (lr) {
            errno = -lr;
            return err_sys(err, d->path, "cannot examine '%s' in '/%s'", names[i], d->path);
        }
        if (S_ISSOCK(e.st.st_mode))
            continue; /* sockets are not content (the layer writer skips them too) */
        bool is_dir = S_ISDIR(e.st.st_mode);
        /* A directory the ignore file or --exclude leaves out is still
         * walked when exceptions may bring back something below it. */
        bool keep = true;
        if (c->from.ignore && di_match(c->from.ignore, canon, strlen(canon), NULL))
            keep = false;
        if (c->excl && di_match(c->excl, crel, strlen(crel), NULL)) {
            if (!(is_dir && c->excl->has_exclusions))
                continue;
            keep = false;
        }
        bool inc = included;
        if (!inc && wf->include) {
            inc = di_match(wf->include, crel, strlen(crel), NULL);
            if (!inc && (!is_dir || !may_hold(wf->include_prefix, crel)))
                continue;
        }
        if (!inc)
            keep = false;
        size_t at = out->len;
        struct bld_sel_entry *ent = VEC_PUSH_ZERO(out);
        if ((rc = fill_entry(c, &e, canon, crel, wf->zero_owner, ent, err)))
            return rc;
        if (is_dir) {
            struct vdir child;
            vdir_child(c->tmp, &c->from, d, names[i], &e, &child);
            if ((rc = walk(c, &child, crel, inc, wf, out, depth + 1, err)))
                return rc;
            if (!keep && out->len == at + 1)
                out->len = at; /* nothing below came back */
        } else if (!keep) {
            out->len = at;
        }
    }
    return 0;
}

static struct bld_sel_item *new_item(struct sel_ctx *c, enum bld_item_kind kind, const char *name,
                                     const char *source)
{
    struct bld_sel_item *it = VEC_PUSH_ZERO(&c->items);
    it->kind = kind;
    it->name = arena_strdup(c->a, name);
    it->source = arena_strdup(c->a, source);
    return it;
}

static void finish_entries(struct sel_ctx *c, struct bld_sel_item *it, entry_vec *v)
{
    it->entries = ARENA_NEW_ARRAY(c->a, struct bld_sel_entry, v->len ? v->len : 1);
    if (v->len)
        memcpy(it->entries, v->items, v->len * sizeof *v->items);
    it->n_entries = v->len;
}

/* Whether the regular file at path is a tar archive BuildKit would unpack:
 * plain or compressed with gzip, bzip2, xz or zstd (recognised by their
 * magic bytes, as archiveutil.DecompressStream does), and its first tar
 * header reads. 1 yes, 0 no, negative on error. */
static int detect_archive(const char *path, const char **filter, struct err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    unsigned char m[6] = { 0 };
    ssize_t got = pread(fd, m, sizeof m, 0);
    if (got < 0) {
        int rc = err_sys(err, path, "cannot read '%s'", path);
        close(fd);
        return rc;
    }
    int code = ARCHIVE_FILTER_NONE;
    *filter = NULL;
    if (got >= 3 && m[0] == 0x1f && m[1] == 0x8b && m[2] == 0x08) {
        code = ARCHIVE_FILTER_GZIP;
        *filter = "gzip";
    } else if (got >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
        code = ARCHIVE_FILTER_BZIP2;
        *filter = "bzip2";
    } else if (got >= 6 && m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' &&
               m[4] == 'Z' && m[5] == 0) {
        code = ARCHIVE_FILTER_XZ;
        *filter = "xz";
    } else if (got >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        code = ARCHIVE_FILTER_ZSTD;
        *filter = "zstd";
    }
    struct archive *ar = archive_read_new();
    int ok = archive_read_support_format_tar(ar) == ARCHIVE_OK;
    if (ok && code != ARCHIVE_FILTER_NONE)
        ok = archive_read_support_filter_by_code(ar, code) == ARCHIVE_OK;
    int yes = 0;
    if (ok && archive_read_open_fd(ar, fd, 64 * 1024) == ARCHIVE_OK) {
        struct archive_entry *e;
        yes = archive_read_next_header(ar, &e) == ARCHIVE_OK;
    }
    archive_read_free(ar);
    close(fd);
    return yes;
}

/* Adds the item for a resolved, existing source path. name is the name it
 * gets inside a destination directory. */
static int add_resolved(struct sel_ctx *c, const struct vres *r, const char *name,
                        const char *source, bool glob_match, struct err *err)
{
    bool zero = c->o->from_context;
    if (S_ISDIR(r->e.st.st_mode)) {
        struct vdir d;
        vres_dir(c->tmp, &c->from, r, &d);
        entry_vec v = VEC_INIT;
        struct walk_filter wf = { NULL, "", zero };
        int rc = walk(c, &d, "", true, &wf, &v, 0, err);
        if (!rc && c->from.ignore && v.len == 0 && *r->canon &&
            di_match(c->from.ignore, r->canon, strlen(r->canon), NULL)) {
            /* An excluded directory that exceptions leave empty was never
             * part of the context: a glob does not match it, a name is
             * not found. */
            VEC_RELEASE(&v);
            if (glob_match)
                return 0;
            struct vres hid = *r;
            hid.hidden = r->canon;
            di_match(c->from.ignore, r->canon, strlen(r->canon), &hid.decider);
            rc = not_found(c, r->canon, &hid, err);
        }
        if (!rc) {
            struct bld_sel_item *it = new_item(c, BLD_ITEM_DIR, name, source);
            finish_entries(c, it, &v);
        }
        VEC_RELEASE(&v);
        return rc;
    }
    if (S_ISSOCK(r->e.st.st_mode))
        return err_set(err, ERR_INVALID, "source \"/%s\" is a socket", r->canon);
    struct bld_sel_entry ent;
    int rc = fill_entry(c, &r->e, r->canon, "", zero, &ent, err);
    if (rc)
        return rc;
    enum bld_item_kind kind = BLD_ITEM_FILE;
    const char *filter = NULL;
    if (c->o->add && c->o->unpack != 0 && ent.type == BLD_SEL_FILE) {
        int isar = detect_archive(ent.host, &filter, err);
        if (isar < 0)
            return isar;
        if (isar)
            kind = BLD_ITEM_ARCHIVE;
    }
    struct bld_sel_item *it = new_item(c, kind, name, source);
    it->filter = filter;
    it->entries = ARENA_NEW(c->a, struct bld_sel_entry);
    *it->entries = ent;
    it->n_entries = 1;
    return 0;
}

/* Splits a cleaned relative path at its first component holding a
 * wildcard: *fixed gets the components before it, *pattern the rest. */
static void split_wildcards(struct arena *a, const char *path, const char **fixed,
                            const char **pattern)
{
    const char *p = path;
    const char *start = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char *comp = arena_strndup(a, p, len);
        if (has_wildcards(comp)) {
            *fixed = p == start ? "" : arena_strndup(a, start, (size_t)(p - start - 1));
            *pattern = p;
            return;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    *fixed = path;
    *pattern = "";
}

struct match {
    const char *canon; /* path of the match (not followed) */
    const char *rel;   /* relative to the glob's fixed directory */
};
typedef VEC(struct match) match_vec;

/* filepath.Walk + filepath.Match as fsutil resolves wildcards: every path
 * below d with as many segments as the pattern, each segment matching,
 * in lexical order. Symlinks are not followed while walking. */
static int glob_walk(struct sel_ctx *c, const struct vdir *d, const char *rel,
                     const char *const *pc, size_t npc, size_t depth, match_vec *out,
                     struct err *err)
{
    const char **names;
    size_t n;
    const char *failed = NULL;
    int rc = vdir_list(c->tmp, &c->from, d, &names, &n, &failed);
    if (rc) {
        errno = -rc;
        return err_sys(err, failed, "cannot read directory '%s'", failed);
    }
    for (size_t i = 0; i < n; i++) {
        int m = di_glob_match(pc[depth], strlen(pc[depth]), names[i], strlen(names[i]));
        if (m < 0)
            return err_set(err, ERR_INVALID, "syntax error in pattern: \"%s\"", pc[depth]);
        if (!m)
            continue;
        struct vent e;
        int lr = vdir_lookup(c->tmp, &c->from, d, names[i], &e, NULL);
        if (lr == -ENOENT)
            continue;
        const char *canon = join(c->tmp, d->path, names[i]);
        if (lr) {
            errno = -lr;
            return err_sys(err, canon, "cannot examine '/%s'", canon);
        }
        const char *crel = join(c->tmp, rel, names[i]);
        if (depth + 1 == npc) {
            struct match *mt = VEC_PUSH_ZERO(out);
            mt->canon = canon;
            mt->rel = crel;
        } else if (S_ISDIR(e.st.st_mode)) {
            struct vdir child;
            vdir_child(c->tmp, &c->from, d, names[i], &e, &child);
            if ((rc = glob_walk(c, &child, crel, pc, npc, depth + 1, out, err)))
                return rc;
        }
    }
    return 0;
}

/* Resolves a glob (cleaned, relative) into its matches. A missing fixed
 * directory is an error (fsutil's Walk fails on it); no match is not. */
static int resolve_glob(struct sel_ctx *c, const char *path, match_vec *out, struct err *err)
{
    const char *fixed, *pattern;
    split_wildcards(c->tmp, path, &fixed, &pattern);
    /* The syntax is checked on the whole pattern first, as Go's Match
     * reports a bad pattern even where nothing is compared. */
    if (di_glob_match(pattern, strlen(pattern), "", 0) < 0)
        return err_set(err, ERR_INVALID, "syntax error in pattern: \"%s\"", pattern);
    struct vres r;
    int rc = view_resolve(c->tmp, &c->from, fixed, true, &r);
    if (rc == -ENOENT || (rc == 0 && !r.found))
        return not_found(c, fixed, rc == 0 ? &r : NULL, err);
    if (rc == -ENOTDIR || (rc == 0 && !S_ISDIR(r.e.st.st_mode)))
        return err_set(err, ERR_INVALID, "\"/%s\": not a directory", fixed);
    if (rc == -ELOOP)
        return err_set(err, ERR_INVALID, "\"/%s\": too many levels of symlinks", fixed);
    if (rc) {
        errno = -rc;
        return err_sys(err, fixed, "cannot resolve \"/%s\"", fixed);
    }
    VEC(const char *) pc = VEC_INIT;
    for (const char *p = pattern; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        VEC_PUSH(&pc, arena_strndup(c->tmp, p, len));
        p += len;
        if (*p == '/')
            p++;
    }
    struct vdir d;
    vres_dir(c->tmp, &c->from, &r, &d);
    rc = glob_walk(c, &d, "", pc.items, pc.len, 0, out, err);
    VEC_RELEASE(&pc);
    return rc;
}

/* Whether the path of a glob match is left out by --exclude. */
static bool match_excluded(struct sel_ctx *c, const struct match *m)
{
    return c->excl && di_match(c->excl, m->rel, strlen(m->rel), NULL);
}

/* One source path (not a URL): literal, glob, or --parents form. */
static int add_path(struct sel_ctx *c, const char *src, struct err *err)
{
    struct arena *t = c->tmp;
    if (c->o->parents) {
        /* `./` marks where the preserved parents start (BuildKit cuts the
         * source at the first "/./"); without it they start at the root. */
        const char *cut = strstr(src, "/./");
        const char *base_src = cut ? arena_strndup(t, src, (size_t)(cut - src)) : "/";
        const char *pat_src = cut ? cut + 3 : src;
        const char *base = canon_rel(t, base_src);
        const char *pattern = canon_rel(t, pat_src);
        if (!*pattern)
            pattern = ".";
        struct di_file *inc = NULL;
        if (strcmp(pattern, ".") != 0) {
            int rc = di_load(t, "--parents source", pattern, strlen(pattern), &inc, err);
            if (rc) {
                char msg[ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return err_set(err, ERR_INVALID, "invalid source \"%s\": %s", src, msg);
            }
        }
        const char *fixed, *rest;
        split_wildcards(t, pattern, &fixed, &rest);
        match_vec bases = VEC_INIT;
        int rc = 0;
        if (has_wildcards(base)) {
            rc = resolve_glob(c, base, &bases, err);
        } else {
            struct match *m = VEC_PUSH_ZERO(&bases);
            m->canon = base;
            m->rel = base;
        }
        /* A path without wildcards must exist, as BuildKit's
         * RequiredPaths says. */
        if (!rc && !has_wildcards(base) && !has_wildcards(pattern)) {
            struct vres r;
            const char *req = join(t, base, strcmp(pattern, ".") == 0 ? "" : pattern);
            int vr = view_resolve(t, &c->from, req, false, &r);
            if (vr == -ENOENT || vr == -ENOTDIR || (vr == 0 && !r.found))
                rc = not_found(c, req, vr == 0 ? &r : NULL, err);
        }
        for (size_t i = 0; !rc && i < bases.len; i++) {
            struct vres r;
            int vr = view_resolve(t, &c->from, bases.items[i].canon, true, &r);
            if (vr == -ENOENT || (vr == 0 && !r.found)) {
                rc = not_found(c, bases.items[i].canon, vr == 0 ? &r : NULL, err);
                break;
            }
            if (vr == 0 && !S_ISDIR(r.e.st.st_mode))
                continue; /* a file cannot hold the parents */
            if (vr) {
                errno = -vr;
                rc = err_sys(err, src, "cannot resolve \"/%s\"", bases.items[i].canon);
                break;
            }
            struct vdir d;
            vres_dir(t, &c->from, &r, &d);
            entry_vec v = VEC_INIT;
            struct walk_filter wf = { inc, fixed, c->o->from_context };
            rc = walk(c, &d, "", inc == NULL, &wf, &v, 0, err);
            if (!rc) {
                struct bld_sel_item *it = new_item(c, BLD_ITEM_DIR, base_name(r.canon), src);
                finish_entries(c, it, &v);
            }
            VEC_RELEASE(&v);
        }
        VEC_RELEASE(&bases);
        return rc;
    }
    const char *path = canon_rel(t, src);
    if (has_wildcards(path)) {
        match_vec ms = VEC_INIT;
        int rc = resolve_glob(c, path, &ms, err);
        for (size_t i = 0; !rc && i < ms.len; i++) {
            if (match_excluded(c, &ms.items[i]))
                continue;
            struct vres r;
            int vr = view_resolve(t, &c->from, ms.items[i].canon, true, &r);
            if (vr == -ENOENT || (vr == 0 && !r.found))
                continue; /* a dangling symlink among the matches */
            if (vr) {
                errno = -vr;
                rc = err_sys(err, src, "cannot resolve \"/%s\"", ms.items[i].canon);
                break;
            }
            rc = add_resolved(c, &r, base_name(ms.items[i].canon), src, true, err);
        }
        VEC_RELEASE(&ms);
        return rc;
    }
    struct vres r;
    int vr = view_resolve(t, &c->from, path, true, &r);
    if (vr == -ENOENT || vr == -ENOTDIR || (vr == 0 && !r.found))
        return not_found(c, path, vr == 0 ? &r : NULL, err);
    if (vr == -ELOOP)
        return err_set(err, ERR_INVALID, "\"/%s\": too many levels of symlinks", path);
    if (vr) {
        errno = -vr;
        return err_sys(err, src, "cannot resolve \"/%s\"", path);
    }
    return add_resolved(c, &r, *path ? base_name(path) : "/", src, false, err);
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* BuildKit's git source forms (dfgitutil.ParseGitRef): git@host:..,
 * git://, ssh://, and http(s) URLs whose path ends in ".git" (optionally
 * followed by a #fragment). */
static bool is_git(const char *s)
{
    if (strncmp(s, "git@", 4) == 0 || strncmp(s, "git://", 6) == 0 || strncmp(s, "ssh://", 6) == 0)
        return true;
    if (!is_url(s))
        return false;
    const char *end = s + strcspn(s, "?#");
    return end - s > 4 && strncmp(end - 4, ".git", 4) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The file name BuildKit's Dockerfile frontend gives a download: the last
 * segment of the URL's (unescaped) path, or "__unnamed__". */
static const char *url_file_name(struct arena *a, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    size_t plen = strcspn(p, "?#");
    char *path = arena_alloc(a, plen + 1);
    size_t o = 0;
    for (size_t i = 0; i < plen; i++) {
        if (p[i] == '%' && i + 2 < plen && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            path[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            path[o++] = p[i];
        }
    }
    path[o] = '\0';
    while (o > 0 && path[o - 1] == '/')
        path[--o] = '\0';
    const char *b = base_name(path);
    if (!*b || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
        return "__unnamed__";
    return b;
}

static int add_url(struct sel_ctx *c, const char *url, size_t index, struct err *err)
{
    int rc;
    if (!c->tmp_dir && (rc = make_tmp_dir(c->a, c->o->tmp_dir, &c->tmp_dir, err)))
        return rc;
    const char *dir = arena_printf(c->a, "%s/src%zu", c->tmp_dir, index);
    if (mkdir(dir, 0700) != 0)
        return err_sys(err, dir, "cannot create directory '%s'", dir);
    struct bld_digest want;
    if (c->o->checksum && (rc = bld_digest_parse(c->o->checksum, &want, err)))
        return rc;
    const char *name = url_file_name(c->a, url);
    struct bld_fetch_result fr;
    if ((rc = bld_fetch(url, dir, name, c->o->checksum ? &want : NULL, c->o->fetch_timeout_s, 0,
                        &fr, err)))
        return rc;
    const char *path = arena_printf(c->a, "%s/%s", dir, name);
    /* BuildKit stamps the file with Last-Modified, else the epoch 0. */
    int64_t mt = fr.last_modified >= 0 ? fr.last_modified : 0;
    struct timespec ts[2] = { { (time_t)mt, 0 }, { (time_t)mt, 0 } };
    if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0)
        return err_sys(err, path, "cannot set the time of '%s'", path);
    enum bld_item_kind kind = BLD_ITEM_FILE;
    const char *filter = NULL;
    if (c->o->unpack == 1) {
        int isar = detect_archive(path, &filter, err);
        if (isar < 0)
            return isar;
        if (isar)
            kind = BLD_ITEM_ARCHIVE;
    }
    struct bld_sel_item *it = new_item(c, kind, name, url);
    it->filter = filter;
    struct bld_sel_entry *e = ARENA_NEW(c->a, struct bld_sel_entry);
    e->rel = "";
    e->host = path;
    e->type = BLD_SEL_FILE;
    e->mode = bld_chmod_apply(&c->sel->chmod, 0600, false);
    e->size = fr.size;
    e->mtime_sec = mt;
    e->link_to = -1;
    it->entries = e;
    it->n_entries = 1;
    return 0;
}

static int64_t now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static void add_heredoc(struct sel_ctx *c, const struct bld_src *s)
{
    const char *name = base_name(s->path && *s->path ? s->path : "EOF");
    struct bld_sel_item *it = new_item(c, BLD_ITEM_FILE, name, name);
    it->data = s->data ? s->data : "";
    it->len = s->data ? s->len : 0;
    struct bld_sel_entry *e = ARENA_NEW(c->a, struct bld_sel_entry);
    e->rel = "";
    e->type = BLD_SEL_FILE;
    /* BuildKit writes the inline file 0644 in a scratch state, then copies
     * it with --chmod applied. */
    e->mode = bld_chmod_apply(&c->sel->chmod, 0644, false);
    e->size = it->len;
    e->mtime_sec = c->o->epoch >= 0 ? c->o->epoch : now_seconds();
    e->link_to = -1;
    it->entries = e;
    it->n_entries = 1;
}

/* Hard links: a regular file whose inode already appeared (in any item of
 * this copy) links to that first entry. */
static void link_hardlinks(struct bld_copy_sel *sel)
{
    struct key {
        uint64_t dev, ino;
        long index;
    };
    VEC(struct key) seen = VEC_INIT;
    long index = 0;
    for (size_t i = 0; i < sel->n_items; i++) {
        struct bld_sel_item *it = &sel->items[i];
        for (size_t j = 0; j < it->n_entries; j++, index++) {
            struct bld_sel_entry *e = &it->entries[j];
            if (e->type != BLD_SEL_FILE || !e->ino || !e->host)
                continue;
            bool found = false;
            for (size_t k = 0; k < seen.len; k++) {
                if (seen.items[k].dev == e->dev && seen.items[k].ino == e->ino) {
                    e->link_to = seen.items[k].index;
                    found = true;
                    break;
                }
            }
            if (!found) {
                struct key kk = { e->dev, e->ino, index };
                VEC_PUSH(&seen, kk);
            }
        }
    }
    VEC_RELEASE(&seen);
}

int bld_copy_select(const struct bld_copy_opts *o, struct arena *a, struct bld_copy_sel **out,
                    struct err *err)
{
    const char *instr = o->add ? "ADD" : "COPY";
    struct bld_copy_sel *sel = ARENA_NEW(a, struct bld_copy_sel);
    sel->add = o->add;
    sel->epoch = o->epoch;
    sel->tmp_dir = o->tmp_dir;
    int rc = bld_chmod_parse(o->chmod, &sel->chmod, err);
    if (rc)
        return rc;
    if (o->chown && *o->chown)
        sel->chown = arena_strdup(a, o->chown);
    /* BuildKit's dispatch checks, in its order. */
    if (o->checksum && *o->checksum) {
        if (!o->add)
            return err_set(err, ERR_INVALID, "checksum can't be specified for COPY");
        if (o->n_srcs != 1)
            return err_set(err, ERR_INVALID, "checksum can't be specified for multiple sources");
        if (o->srcs[0].kind != BLD_SRC_PATH || !is_url(o->srcs[0].path) || is_git(o->srcs[0].path))
            return err_set(err, ERR_INVALID, "checksum requires HTTP(S) or Git sources");
    }
    struct sel_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.a = a;
    c.sel = sel;
    c.instr = instr;
    struct arena tmp;
    arena_init(&tmp);
    c.tmp = &tmp;
    c.from.layers = o->from.layers;
    c.from.n = o->from.n_layers;
    c.from.overlay = !o->from_context;
    c.from.ignore = o->from_context ? o->ignore : NULL;
    if (o->n_exclude) {
        struct buf b = BUF_INIT;
        for (size_t i = 0; i < o->n_exclude && !rc; i++)
            rc = buf_printf(&b, "%s\n", o->exclude[i]);
        if (!rc)
            rc = di_load(a, "--exclude", buf_cstr(&b), b.len, &c.excl, err);
        buf_release(&b);
        if (rc) {
            arena_release(&tmp);
            return rc;
        }
    }
    for (size_t i = 0; i < o->n_srcs && !rc; i++) {
        const struct bld_src *s = &o->srcs[i];
        if (s->kind == BLD_SRC_HEREDOC) {
            add_heredoc(&c, s);
            continue;
        }
        const char *p = s->path ? s->path : "";
        if (is_git(p)) {
            rc = o->add ? err_set(err, ERR_UNSUPPORTED,
                                  "git source '%s': git sources are not supported", p)
                        : err_set(err, ERR_INVALID, "source can't be a git ref for COPY");
        } else if (is_url(p)) {
            rc = o->add ? add_url(&c, p, i, err)
                        : err_set(err, ERR_INVALID, "source can't be a URL for COPY");
        } else {
            rc = add_path(&c, p, err);
        }
    }
    arena_release(&tmp);
    if (rc) {
        VEC_RELEASE(&c.items);
        return rc;
    }
    sel->n_items = c.items.len;
    sel->items = ARENA_NEW_ARRAY(a, struct bld_sel_item, c.items.len ? c.items.len : 1);
    if (c.items.len)
        memcpy(sel->items, c.items.items, c.items.len * sizeof *c.items.items);
    VEC_RELEASE(&c.items);
    if (c.tmp_dir)
        sel->tmp_dir = c.tmp_dir;
    for (size_t i = 0; i < sel->n_items; i++) {
        for (size_t j = 0; j < sel->items[i].n_entries; j++) {
            const struct bld_sel_entry *e = &sel->items[i].entries[j];
            if (e->type != BLD_SEL_DIR) {
                sel->n_files++;
                sel->bytes += e->size;
            }
        }
    }
    link_hardlinks(sel);
    *out = sel;
    return 0;
}

/* ======================================================================
 * Content digest
 * ==================================================================== */

static void h_u64(struct bld_sha256 *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    bld_sha256_update(h, b, sizeof b);
}

/* Length-prefixed, so that no two field sequences hash alike. */
static void h_str(struct bld_sha256 *h, const char *s, size_t n)
{
    h_u64(h, n);
    bld_sha256_update(h, s, n);
}

static void h_cstr(struct bld_sha256 *h, const char *s)
{
    h_str(h, s ? s : "", s ? strlen(s) : 0);
}

/* Extended attributes worth copying and hashing: as BuildKit's content
 * hash, everything but security.* (security.capability kept) and
 * system.*, and never overlayfs's own. */
static bool xattr_wanted(const char *name)
{
    if (strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0)
        return false;
    if (strncmp(name, "system.", 7) == 0)
        return false;
    if (strncmp(name, "security.", 9) == 0)
        return strcmp(name, "security.capability") == 0;
    return true;
}

/* Hashes (sorted by name) the wanted xattrs of path; unreadable ones are
 * skipped, as they would not be copied either. */
static void h_xattrs(struct bld_sha256 *h, const char *path)
{
    char names[4096];
    ssize_t n = llistxattr(path, names, sizeof names);
    if (n <= 0)
        return;
    VEC(const char *) keep = VEC_INIT;
    for (char *p = names; p < names + n; p += strlen(p) + 1)
        if (xattr_wanted(p))
            VEC_PUSH(&keep, p);
    if (keep.len)
        qsort(keep.items, keep.len, sizeof *keep.items, cmp_str);
    for (size_t i = 0; i < keep.len; i++) {
        char val[4096];
        ssize_t vn = lgetxattr(path, keep.items[i], val, sizeof val);
        if (vn < 0)
            continue;
        bld_sha256_update(h, "x", 1);
        h_cstr(h, keep.items[i]);
        h_str(h, val, (size_t)vn);
    }
    VEC_RELEASE(&keep);
}

int bld_copy_digest(const struct bld_copy_sel *sel, struct bld_digest *out, struct err *err)
{
    struct bld_sha256 h;
    int rc = bld_sha256_init(&h, err);
    if (rc)
        return rc;
    h_cstr(&h, "dockwright copy v1");
    h_u64(&h, sel->add);
    if (sel->chown) {
        bld_sha256_update(&h, "C", 1);
        h_cstr(&h, sel->chown);
    }
    for (size_t i = 0; i < sel->n_items && !rc; i++) {
        const struct bld_sel_item *it = &sel->items[i];
        bld_sha256_update(&h, "I", 1);
        h_u64(&h, (uint64_t)it->kind);
        h_cstr(&h, it->name);
        for (size_t j = 0; j < it->n_entries && !rc; j++) {
            const struct bld_sel_entry *e = &it->entries[j];
            bld_sha256_update(&h, "E", 1);
            h_cstr(&h, e->rel);
            h_u64(&h, (uint64_t)e->type);
            h_u64(&h, e->mode);
            if (!sel->chown) {
                h_u64(&h, e->uid);
                h_u64(&h, e->gid);
            }
            h_u64(&h, (uint64_t)(e->link_to + 1));
            if (e->type == BLD_SEL_SYMLINK)
                h_cstr(&h, e->link);
            if (e->type == BLD_SEL_CHAR || e->type == BLD_SEL_BLOCK) {
                h_u64(&h, e->rdev_major);
                h_u64(&h, e->rdev_minor);
            }
            if (e->type == BLD_SEL_FILE && e->link_to < 0) {
                struct bld_digest d;
                uint64_t size = 0;
                if (e->host)
                    rc = bld_digest_file(e->host, &d, &size, err);
                else
                    bld_digest_of(it->data, it->len, &d);
                if (!rc)
                    bld_sha256_update(&h, d.bytes, sizeof d.bytes);
            }
            if (e->host)
                h_xattrs(&h, e->host);
        }
    }
    if (rc) {
        bld_sha256_release(&h);
        return rc;
    }
    bld_sha256_final(&h, out);
    return 0;
}

int bld_source_digest(const struct bld_tree *from, bool from_context, const struct di_file *ignore,
                      const char *path, struct bld_digest *out, struct err *err)
{
    struct bld_src src = { BLD_SRC_PATH, path && *path ? path : "/", NULL, 0 };
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.srcs = &src;
    o.n_srcs = 1;
    o.from = *from;
    o.from_context = from_context;
    o.ignore = ignore;
    o.unpack = 0;
    o.epoch = -1;
    struct arena a;
    arena_init(&a);
    struct bld_copy_sel *sel;
    int rc = bld_copy_select(&o, &a, &sel, err);
    if (!rc)
        rc = bld_copy_digest(sel, out, err);
    arena_release(&a);
    return rc;
}

/* ======================================================================
 * Apply
 * ==================================================================== */

struct dir_meta {
    const char *canon;
    unsigned mode;
    uint32_t uid, gid;
    bool set_time;
    struct timespec mtime;
};

struct apply_ctx {
    const struct bld_copy_sel *sel;
    const struct bld_copy_dest *d;
    struct arena a;
    struct view dv;
    const char *upper;
    const char *instr;
    bool chown;
    uint32_t cuid, cgid;
    bool is_root;
    uid_t euid;
    gid_t egid;
    VEC(struct dir_meta) dirs;
    const char **written; /* per entry index: where it was written */
    size_t n_written;
    struct bld_copy_stats st;
    char *buf;
    /* merged_lstat's last directory; dropped whenever a directory is
     * created, which changes the layers that hold it. */
    bool cache_ok;
    const char *cache_path;
    struct vdir cache_dir;
};

static const char *upper_path(struct apply_ctx *c, const char *canon)
{
    return layer_path(&c->a, &c->dv, 0, canon);
}

/* Checks that this process may give canon the owner uid:gid (final ids);
 * *do_chown says whether to call chown at all. */
static int owner_for(struct apply_ctx *c, const char *canon, uint32_t uid, uint32_t gid,
                     bool *do_chown, struct err *err)
{
    if (c->is_root) {
        *do_chown = true;
        return 0;
    }
    *do_chown = false;
    /* Rootless: files are the caller's, which stands for 0 in the
     * container; other owners cannot be represented. */
    if ((uid == 0 || uid == c->euid) && (gid == 0 || gid == c->egid))
        return 0;
    return err_set(err, ERR_UNSUPPORTED,
                   "cannot give \"/%s\" the owner %u:%u: setting owners needs root", canon, uid,
                   gid);
}

static void record_dir(struct apply_ctx *c, const char *canon, unsigned mode, uint32_t uid,
                       uint32_t gid, const struct timespec *mtime)
{
    struct dir_meta *m = VEC_PUSH_ZERO(&c->dirs);
    m->canon = arena_strdup(&c->a, canon);
    m->mode = mode;
    m->uid = uid;
    m->gid = gid;
    if (mtime) {
        m->set_time = true;
        m->mtime = *mtime;
    }
}

static bool epoch_time(const struct apply_ctx *c, struct timespec *ts)
{
    if (c->sel->epoch < 0)
        return false;
    ts->tv_sec = (time_t)c->sel->epoch;
    ts->tv_nsec = 0;
    return true;
}

/* Makes sure canon (a directory of the merged view, its parent already in
 * the upper dir) exists in the upper dir: copied up with the lower
 * directory's metadata when a lower layer has it, else created with
 * BuildKit's MkdirAll defaults (0755, the --chown owner or 0:0, the epoch
 * time). fresh receives whether it was new in the view. */
static int upper_mkdir(struct apply_ctx *c, const char *canon, const struct vent *lower,
                       struct err *err)
{
    const char *p = upper_path(c, canon);
    struct stat st;
    if (lstat(p, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        return err_set(err, ERR_INVALID, "cannot create directory \"/%s\": a file is in the way",
                       canon);
    }
    if (mkdir(p, 0700) != 0)
        return err_sys(err, p, "cannot create directory '%s'", p);
    c->cache_ok = false;
    if (lower) {
        /* Copy-up, as overlayfs would: same mode, owner and time. */
        record_dir(c, canon, (unsigned)lower->st.st_mode & 07777, (uint32_t)lower->st.st_uid,
                   (uint32_t)lower->st.st_gid, &lower->st.st_mtim);
        if (c->is_root) {
            const char *lp = layer_path(&c->a, &c->dv, lower->layer, canon);
            char names[4096];
            ssize_t n = llistxattr(lp, names, sizeof names);
            for (char *q = names; n > 0 && q < names + n; q += strlen(q) + 1) {
                if (!xattr_wanted(q))
                    continue;
                char val[4096];
                ssize_t vn = lgetxattr(lp, q, val, sizeof val);
                if (vn >= 0)
                    (void)lsetxattr(p, q, val, (size_t)vn, 0);
            }
        }
        return 0;
    }
    uint32_t uid = c->chown ? c->cuid : 0, gid = c->chown ? c->cgid : 0;
    bool dc;
    int rc = owner_for(c, canon, uid, gid, &dc, err);
    if (rc)
        return rc;
    struct timespec ts;
    bool has = epoch_time(c, &ts);
    record_dir(c, canon, 0755, uid, gid, has ? &ts : NULL);
    c->st.dirs++;
    return 0;
}

/* MkdirAll of path (absolute or relative to the root) in the merged view,
 * following symlinks inside the root; every directory on the way ends up
 * in the upper dir. *canon receives the symlink-free path. */
static int ensure_dir(struct apply_ctx *c, const char *path, const char **canon, struct err *err)
{
    VEC(struct vdir) stack = VEC_INIT;
    struct vdir root;
    vdir_root(&c->a, &c->dv, &root);
    VEC_PUSH(&stack, root);
    const char *pending = path;
    int links = 0, rc = 0;
    for (;;) {
        while (*pending == '/')
            pending++;
        if (!*pending)
            break;
        const char *slash = strchr(pending, '/');
        size_t len = slash ? (size_t)(slash - pending) : strlen(pending);
        char *comp = arena_strndup(&c->a, pending, len);
        const char *rest = pending + len;
        pending = rest;
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (stack.len > 1)
                stack.len--;
            continue;
        }
        struct vdir *top = &VEC_LAST(&stack);
        const char *cpath = join(&c->a, top->path, comp);
        struct vent e;
        int lr = vdir_lookup(&c->a, &c->dv, top, comp, &e, NULL);
        if (lr && lr != -ENOENT) {
            errno = -lr;
            rc = err_sys(err, cpath, "cannot examine \"/%s\"", cpath);
            break;
        }
        if (lr == 0 && S_ISLNK(e.st.st_mode)) {
            if (++links > MAX_SYMLINKS) {
                rc = err_set(err, ERR_INVALID, "\"/%s\": too many levels of symlinks", cpath);
                break;
            }
            const char *lp = layer_path(&c->a, &c->dv, e.layer, cpath);
            char target[PATH_MAX];
            ssize_t tn = readlink(lp, target, sizeof target - 1);
            if (tn < 0) {
                rc = err_sys(err, lp, "cannot read symlink '%s'", lp);
                break;
            }
            target[tn] = '\0';
            if (target[0] == '/')
                stack.len = 1;
            pending = arena_printf(&c->a, "%s%s", target, rest);
            continue;
        }
        if (lr == 0 && !S_ISDIR(e.st.st_mode)) {
            rc = err_set(err, ERR_INVALID, "cannot create directory \"/%s\": not a directory",
                         cpath);
            break;
        }
        if ((rc = upper_mkdir(c, cpath, lr == 0 && e.layer != 0 ? &e : NULL, err)))
            break;
        /* The directory is in the upper dir now: look it up again. */
        if ((lr = vdir_lookup(&c->a, &c->dv, top, comp, &e, NULL)) != 0) {
            errno = lr < 0 ? -lr : EIO;
            rc = err_sys(err, cpath, "cannot examine \"/%s\"", cpath);
            break;
        }
        struct vdir child;
        vdir_child(&c->a, &c->dv, top, comp, &e, &child);
        VEC_PUSH(&stack, child);
    }
    if (!rc)
        *canon = VEC_LAST(&stack).path;
    VEC_RELEASE(&stack);
    return rc;
}

/* What the merged view holds at canon, without following a symlink at
 * the end (directories on the way are real: they were resolved or
 * created before). The directory looked up last is kept, since entries
 * arrive in walk order and siblings share it. */
static int merged_lstat(struct apply_ctx *c, const char *canon, struct vent *e, bool *found,
                        struct err *err)
{
    const char *slash = strrchr(canon, '/');
    size_t plen = slash ? (size_t)(slash - canon) : 0;
    const char *name = slash ? slash + 1 : canon;
    if (!c->cache_ok || strlen(c->cache_path) != plen || strncmp(c->cache_path, canon, plen) != 0) {
        const char *parent = arena_strndup(&c->a, canon, plen);
        struct vres r;
        int rc = view_resolve(&c->a, &c->dv, parent, true, &r);
        if (rc == -ENOENT || rc == -ENOTDIR ||
            (rc == 0 && (!r.found || !S_ISDIR(r.e.st.st_mode)))) {
            *found = false;
            return 0;
        }
        if (rc) {
            errno = -rc;
            return err_sys(err, canon, "cannot examine \"/%s\"", canon);
        }
        vres_dir(&c->a, &c->dv, &r, &c->cache_dir);
        c->cache_path = parent;
        c->cache_ok = true;
    }
    int lr = vdir_lookup(&c->a, &c->dv, &c->cache_dir, name, e, NULL);
    if (lr == -ENOENT || lr == -ENOTDIR) {
        *found = false;
        return 0;
    }
    if (lr) {
        errno = -lr;
        return err_sys(err, canon, "cannot examine \"/%s\"", canon);
    }
    *found = true;
    return 0;
}

static int set_meta_fd(struct apply_ctx *c, int fd, const char *canon, unsigned mode, uint32_t uid,
                       uint32_t gid, const struct timespec *mtime, struct err *err)
{
    bool dc;
    int rc = owner_for(c, canon, uid, gid, &dc, err);
    if (rc)
        return rc;
    if (dc && fchown(fd, uid, gid) != 0)
        return err_sys(err, canon, "cannot set the owner of \"/%s\"", canon);
    /* After chown, which clears set-id bits. */
    if (fchmod(fd, mode & 07777) != 0)
        return err_sys(err, canon, "cannot set the mode of \"/%s\"", canon);
    if (mtime) {
        struct timespec ts[2] = { *mtime, *mtime };
        if (futimens(fd, ts) != 0)
            return err_sys(err, canon, "cannot set the time of \"/%s\"", canon);
    }
    return 0;
}

static void copy_xattrs_fd(const char *src, int fd)
{
    char names[4096];
    ssize_t n = llistxattr(src, names, sizeof names);
    for (char *q = names; n > 0 && q < names + n; q += strlen(q) + 1) {
        if (!xattr_wanted(q))
            continue;
        char val[4096];
        ssize_t vn = lgetxattr(src, q, val, sizeof val);
        /* Best effort, as BuildKit (filesystems without xattrs, or
         * names only root may set). */
        if (vn >= 0)
            (void)fsetxattr(fd, q, val, (size_t)vn, 0);
    }
}

static const struct timespec *entry_time(struct apply_ctx *c, const struct bld_sel_entry *e,
                                         struct timespec *ts)
{
    if (epoch_time(c, ts))
        return ts;
    ts->tv_sec = (time_t)e->mtime_sec;
    ts->tv_nsec = e->mtime_nsec;
    return ts;
}

/* Writes a non-directory entry at canon (its parent exists in the upper
 * dir). Whatever the upper dir had there is replaced; a directory in the
 * merged view is an error. */
static int write_entry(struct apply_ctx *c, const struct bld_sel_item *it,
                       const struct bld_sel_entry *e, long index, const char *canon,
                       struct err *err)
{
    struct vent cur;
    bool found;
    int rc = merged_lstat(c, canon, &cur, &found, err);
    if (rc)
        return rc;
    if (found && S_ISDIR(cur.st.st_mode))
        return err_set(err, ERR_INVALID, "cannot replace directory \"/%s\" with a file", canon);
    const char *p = upper_path(c, canon);
    if (found && cur.layer == 0 && unlink(p) != 0 && errno != ENOENT)
        return err_sys(err, p, "cannot replace '%s'", p);
    struct timespec ts;
    const struct timespec *mt = entry_time(c, e, &ts);
    if (e->link_to >= 0 && (size_t)e->link_to < c->n_written && c->written[e->link_to]) {
        if (link(c->written[e->link_to], p) != 0)
            return err_sys(err, p, "cannot create hard link '%s'", p);
        c->written[index] = p;
        c->st.files++;
        return 0;
    }
    switch (e->type) {
    case BLD_SEL_FILE: {
        int in = -1;
        if (e->host) {
            in = open(e->host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (in < 0)
                return err_sys(err, e->host, "cannot open '%s'", e->host);
        }
        int out = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
            rc = err_sys(err, p, "cannot create '%s'", p);
            if (in >= 0)
                close(in);
            return rc;
        }
        uint64_t total = 0;
        if (in >= 0) {
            for (;;) {
                ssize_t n = read(in, c->buf, COPY_CHUNK);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    rc = err_sys(err, e->host, "cannot read '%s'", e->host);
                    break;
                }
                if (n == 0)
                    break;
                for (ssize_t off = 0; off < n;) {
                    ssize_t w = write(out, c->buf + off, (size_t)(n - off));
                    if (w < 0) {
                        if (errno == EINTR)
                            continue;
                        rc = err_sys(err, p, "cannot write '%s'", p);
                        break;
                    }
                    off += w;
                }
                if (rc)
                    break;
                total += (uint64_t)n;
            }
            if (!rc)
                copy_xattrs_fd(e->host, out);
            close(in);
        } else {
            for (size_t off = 0; off < it->len && !rc;) {
                ssize_t w = write(out, it->data + off, it->len - off);
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    rc = err_sys(err, p, "cannot write '%s'", p);
                    break;
                }
                off += (size_t)w;
            }
            total = it->len;
        }
        if (!rc)
            rc = set_meta_fd(c, out, canon, e->mode, c->chown ? c->cuid : e->uid,
                             c->chown ? c->cgid : e->gid, mt, err);
        close(out);
        if (rc)
            return rc;
        c->st.bytes += total;
        break;
    }
    case BLD_SEL_SYMLINK: {
        if (symlink(e->link, p) != 0)
            return err_sys(err, p, "cannot create symlink '%s'", p);
        bool dc;
        uint32_t uid = c->chown ? c->cuid : e->uid, gid = c->chown ? c->cgid : e->gid;
        if ((rc = owner_for(c, canon, uid, gid, &dc, err)))
            return rc;
        if (dc && lchown(p, uid, gid) != 0)
            return err_sys(err, p, "cannot set the owner of '%s'", p);
        struct timespec t2[2] = { *mt, *mt };
        if (utimensat(AT_FDCWD, p, t2, AT_SYMLINK_NOFOLLOW) != 0)
            return err_sys(err, p, "cannot set the time of '%s'", p);
        break;
    }
    case BLD_SEL_FIFO:
    case BLD_SEL_CHAR:
    case BLD_SEL_BLOCK: {
        mode_t type = e->type == BLD_SEL_FIFO   ? S_IFIFO
                      : e->type == BLD_SEL_CHAR ? S_IFCHR
                                                : S_IFBLK;
        if (type != S_IFIFO && !c->is_root)
            return err_set(err, ERR_UNSUPPORTED, "cannot create device \"/%s\": needs root", canon);
        if (mknod(p, type | 0600, makedev(e->rdev_major, e->rdev_minor)) != 0)
            return err_sys(err, p, "cannot create '%s'", p);
        bool dc;
        uint32_t uid = c->chown ? c->cuid : e->uid, gid = c->chown ? c->cgid : e->gid;
        rc = owner_for(c, canon, uid, gid, &dc, err);
        /* The node was just created here, so the calls that follow a
         * final symlink cannot be misled. */
        if (!rc && dc && lchown(p, uid, gid) != 0)
            rc = err_sys(err, p, "cannot set the owner of '%s'", p);
        if (!rc && chmod(p, e->mode & 07777) != 0)
            rc = err_sys(err, p, "cannot set the mode of '%s'", p);
        struct timespec t2[2] = { *mt, *mt };
        if (!rc && utimensat(AT_FDCWD, p, t2, AT_SYMLINK_NOFOLLOW) != 0)
            rc = err_sys(err, p, "cannot set the time of '%s'", p);
        if (rc)
            return rc;
        break;
    }
    case BLD_SEL_DIR: DW_BUG("write_entry called for a directory");
    }
    c->written[index] = p;
    c->st.files++;
    return 0;
}

/* A directory entry of a DIR item at canon: created with the source's
 * metadata, or, when the merged view has it, brought into the upper dir
 * and given the source's metadata (fsutil overwrites the metadata of
 * existing subdirectories). */
static int write_dir(struct apply_ctx *c, const struct bld_sel_entry *e, const char *canon,
                     struct err *err)
{
    struct vent cur;
    bool found;
    int rc = merged_lstat(c, canon, &cur, &found, err);
    if (rc)
        return rc;
    if (found && !S_ISDIR(cur.st.st_mode))
        return err_set(err, ERR_INVALID, "cannot copy to non-directory: /%s", canon);
    const char *p = upper_path(c, canon);
    if (!(found && cur.layer == 0)) {
        if (mkdir(p, 0700) != 0)
            return err_sys(err, p, "cannot create directory '%s'", p);
        c->cache_ok = false;
    }
    bool dc;
    uint32_t uid = c->chown ? c->cuid : e->uid, gid = c->chown ? c->cgid : e->gid;
    if ((rc = owner_for(c, canon, uid, gid, &dc, err)))
        return rc;
    struct timespec ts;
    const struct timespec *mt = entry_time(c, e, &ts);
    record_dir(c, canon, e->mode, uid, gid, mt);
    if (e->host && c->is_root) {
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            copy_xattrs_fd(e->host, fd);
            close(fd);
        }
    }
    c->st.dirs++;
    return 0;
}

/* Writes the entries of a DIR item below the directory dir. */
static int apply_entries(struct apply_ctx *c, const struct bld_sel_item *it,
                         const struct bld_sel_entry *ents, size_t n, long first_index,
                         const char *dir, struct err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct bld_sel_entry *e = &ents[i];
        const char *canon = join(&c->a, dir, e->rel);
        int rc = e->type == BLD_SEL_DIR ? write_dir(c, e, canon, err)
                                        : write_entry(c, it, e, first_index + (long)i, canon, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Turns the destination as written into a path from the root and whether
 * it names a directory (a trailing "/", ".", "/." or nothing). */
static const char *dest_path(struct apply_ctx *c, bool *dir_hint)
{
    const char *dest = c->d->dest ? c->d->dest : "";
    size_t n = strlen(dest);
    *dir_hint = n == 0 || dest[n - 1] == '/' || strcmp(dest, ".") == 0 ||
                (n >= 2 && strcmp(dest + n - 2, "/.") == 0);
    const char *wd = c->d->workdir && *c->d->workdir ? c->d->workdir : "/";
    const char *joined = dest[0] == '/' ? dest : arena_printf(&c->a, "%s/%s", wd, dest);
    return canon_rel(&c->a, joined);
}

/* Reads /etc/<name> of a tree through its merged view. */
static int read_users_file(struct apply_ctx *c, const struct view *v, const char *name,
                           struct str *out, struct err *err)
{
    *out = STR_NULL;
    struct vres r;
    int rc = view_resolve(&c->a, v, arena_printf(&c->a, "etc/%s", name), true, &r);
    if (rc || !r.found || !S_ISREG(r.e.st.st_mode))
        return 0; /* a missing file matches no name, as in BuildKit */
    const char *p = layer_path(&c->a, v, r.e.layer, r.canon);
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, p, "cannot open '%s'", p);
    if ((size_t)r.e.st.st_size > USERS_FILE_MAX) {
        close(fd);
        return err_set(err, ERR_TOO_LARGE, "/etc/%s is larger than %zu bytes", name,
                       USERS_FILE_MAX);
    }
    size_t cap = (size_t)r.e.st.st_size + 1, len = 0;
    char *data = arena_alloc(&c->a, cap);
    for (;;) {
        ssize_t got = read(fd, data + len, cap - len - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = err_sys(err, p, "cannot read '%s'", p);
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len + 1 >= cap)
            break;
    }
    close(fd);
    if (rc)
        return rc;
    data[len] = '\0';
    *out = str_make(data, len);
    return 0;
}

/* Extracts an archive item into a staging directory, then merges what it
 * holds into dir like a directory source (archive owners kept unless
 * --chown; --chmod does not apply, as in BuildKit's unpack). */
static int apply_archive(struct apply_ctx *c, const struct bld_sel_item *it, const char *dir,
                         struct err *err)
{
    struct arena sa;
    arena_init(&sa);
    const char *stage;
    int rc = make_tmp_dir(&sa, c->sel->tmp_dir, &stage, err);
    if (rc) {
        arena_release(&sa);
        return rc;
    }
    struct bld_extract_opts xo = { BLD_WHITEOUT_APPLY, false };
    rc = bld_extract_file(it->entries[0].host, stage, &xo, NULL, err);
    if (rc) {
        char msg[ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        err_set(err, rc, "%s %s: cannot extract the archive: %s", c->instr, it->source, msg);
    }
    if (!rc) {
        /* Walk the staging tree as a plain one-layer source. */
        struct sel_ctx sc;
        memset(&sc, 0, sizeof sc);
        struct bld_copy_sel sub;
        memset(&sub, 0, sizeof sub);
        sc.a = &sa;
        sc.tmp = &sa;
        sc.sel = &sub;
        const char *layers[1] = { stage };
        sc.from.layers = layers;
        sc.from.n = 1;
        struct vdir root;
        vdir_root(&sa, &sc.from, &root);
        entry_vec v = VEC_INIT;
        struct walk_filter wf = { NULL, "", false };
        rc = walk(&sc, &root, "", true, &wf, &v, 0, err);
        if (!rc) {
            /* Hard links inside the archive: the extraction made them
             * real links, which the written[] table does not know;
             * they are copied as separate files but linked again here. */
            struct bld_copy_sel tmpsel;
            memset(&tmpsel, 0, sizeof tmpsel);
            struct bld_sel_item item;
            memset(&item, 0, sizeof item);
            item.kind = BLD_ITEM_DIR;
            item.entries = v.items;
            item.n_entries = v.len;
            tmpsel.items = &item;
            tmpsel.n_items = 1;
            link_hardlinks(&tmpsel);
            const char **saved = c->written;
            size_t saved_n = c->n_written;
            c->written = arena_calloc(&c->a, v.len ? v.len : 1, sizeof *c->written);
            c->n_written = v.len;
            rc = apply_entries(c, &item, v.items, v.len, 0, dir, err);
            c->written = saved;
            c->n_written = saved_n;
        }
        VEC_RELEASE(&v);
    }
    arena_release(&sa);
    return rc;
}

/* A set of strings (open addressing, FNV-1a), for finish_dirs. */
struct strset {
    const char **slots;
    size_t cap, len;
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Adds s (borrowed); false when it was there already. */
static bool strset_add(struct strset *set, const char *s)
{
    if (2 * (set->len + 1) > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        const char **slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i])
                continue;
            size_t j = (size_t)(str_hash(set->slots[i]) & (cap - 1));
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t j = (size_t)(str_hash(s) & (set->cap - 1));
    while (set->slots[j]) {
        if (strcmp(set->slots[j], s) == 0)
            return false;
        j = (j + 1) & (set->cap - 1);
    }
    set->slots[j] = s;
    set->len++;
    return true;
}

/* Sets the recorded directory metadata, the newest record of a path
 * winning, once nothing more is created inside them. */
static int finish_dirs(struct apply_ctx *c, struct err *err)
{
    struct strset done = { NULL, 0, 0 };
    int rc = 0;
    for (size_t i = c->dirs.len; i-- > 0 && !rc;) {
        const struct dir_meta *m = &c->dirs.items[i];
        if (!strset_add(&done, m->canon))
            continue;
        const char *p = upper_path(c, m->canon);
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            rc = err_sys(err, p, "cannot open directory '%s'", p);
            break;
        }
        rc = set_meta_fd(c, fd, m->canon, m->mode, m->uid, m->gid, m->set_time ? &m->mtime : NULL,
                         err);
        close(fd);
    }
    free(done.slots);
    return rc;
}

int bld_copy_apply(const struct bld_copy_sel *sel, const struct bld_copy_dest *d,
                   struct bld_copy_stats *stats, struct err *err)
{
    if (!d->tree.n_layers)
        return err_set(err, ERR_USAGE, "copy destination has no layer to write to");
    struct apply_ctx c;
    memset(&c, 0, sizeof c);
    c.sel = sel;
    c.d = d;
    arena_init(&c.a);
    c.dv.layers = d->tree.layers;
    c.dv.n = d->tree.n_layers;
    c.dv.overlay = true;
    c.upper = d->tree.layers[0];
    c.instr = d->instr ? d->instr : (sel->add ? "ADD" : "COPY");
    c.is_root = geteuid() == 0;
    c.euid = geteuid();
    c.egid = getegid();
    int rc = 0;
    if (sel->chown) {
        struct view uv = c.dv;
        if (d->users) {
            uv.layers = d->users->layers;
            uv.n = d->users->n_layers;
        }
        struct str passwd, group;
        if (!(rc = read_users_file(&c, &uv, "passwd", &passwd, err)) &&
            !(rc = read_users_file(&c, &uv, "group", &group, err)))
            rc = bld_chown_resolve(sel->chown, passwd, group, &c.cuid, &c.cgid, err);
        c.chown = true;
    }
    size_t total = 0;
    for (size_t i = 0; i < sel->n_items; i++)
        total += sel->items[i].n_entries;
    c.written = arena_calloc(&c.a, total ? total : 1, sizeof *c.written);
    c.n_written = total;
    c.buf = xmalloc(COPY_CHUNK);
    bool dir_hint = false;
    const char *dest = dest_path(&c, &dir_hint);
    size_t file_items = 0;
    for (size_t i = 0; i < sel->n_items; i++)
        if (sel->items[i].kind == BLD_ITEM_FILE)
            file_items++;
    if (!rc && file_items > 1 && !dir_hint) {
        struct vres r;
        int vr = view_resolve(&c.a, &c.dv, dest, true, &r);
        if (vr || !r.found || !S_ISDIR(r.e.st.st_mode))
            rc = err_set(err, ERR_INVALID,
                         "when using %s with more than one source file, the destination must be a "
                         "directory and end with a /",
                         c.instr);
    }
    long index = 0;
    for (size_t i = 0; i < sel->n_items && !rc; i++) {
        const struct bld_sel_item *it = &sel->items[i];
        if (it->kind == BLD_ITEM_DIR || it->kind == BLD_ITEM_ARCHIVE) {
            /* The destination becomes a directory (created with its
             * parents when missing) and receives the contents. */
            const char *dcanon;
            if ((rc = ensure_dir(&c, dest, &dcanon, err)))
                break;
            rc = it->kind == BLD_ITEM_DIR
                     ? apply_entries(&c, it, it->entries, it->n_entries, index, dcanon, err)
                     : apply_archive(&c, it, dcanon, err);
        } else {
            /* fsutil: the parent of the destination (or the destination
             * itself with a trailing slash) is created; the destination
             * is then resolved following symlinks (fs.RootPath): an
             * existing directory receives the file by name, anything else
             * is replaced by it. */
            const char *target;
            if (dir_hint) {
                const char *tdir;
                if ((rc = ensure_dir(&c, dest, &tdir, err)))
                    break;
                target = join(&c.a, tdir, it->name);
            } else {
                char *parent = arena_strdup(&c.a, dest);
                char *slash = strrchr(parent, '/');
                if (slash)
                    *slash = '\0';
                else
                    parent[0] = '\0';
                const char *pcanon;
                if ((rc = ensure_dir(&c, parent, &pcanon, err)))
                    break;
                struct vres r;
                int vr = view_resolve(&c.a, &c.dv, dest, true, &r);
                if (vr) {
                    rc = err_set(err, ERR_INVALID, "cannot copy to \"/%s\": %s", dest,
                                 vr == -ELOOP ? "too many levels of symlinks"
                                              : "a path component is missing or not a directory");
                    break;
                }
                const char *tdir;
                if (r.found && S_ISDIR(r.e.st.st_mode)) {
                    if ((rc = ensure_dir(&c, r.canon, &tdir, err)))
                        break;
                    target = join(&c.a, tdir, it->name);
                } else {
                    if ((rc = ensure_dir(&c, r.parent.path, &tdir, err)))
                        break;
                    target = join(&c.a, tdir, base_name(r.canon));
                }
            }
            rc = write_entry(&c, it, &it->entries[0], index, target, err);
        }
        index += (long)it->n_entries;
    }
    if (!rc)
        rc = finish_dirs(&c, err);
    if (!rc && stats)
        *stats = c.st;
    free(c.buf);
    VEC_RELEASE(&c.dirs);
    arena_release(&c.a);
    return rc;
}
