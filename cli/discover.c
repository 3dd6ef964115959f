#include "cli/discover.h"
#include "analyzer/config.h"
#include "analyzer/dockerignore.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ lists */

void cli_paths_push(struct cli_paths *p, const char *s)
{
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = xreallocarray(p->items, p->cap, sizeof *p->items);
    }
    p->items[p->len++] = xstrdup(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cli_paths_sort_unique(struct cli_paths *p)
{
    if (p->len < 2)
        return;
    qsort(p->items, p->len, sizeof *p->items, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < p->len; i++) {
        if (strcmp(p->items[i], p->items[k - 1]) == 0)
            free(p->items[i]);
        else
            p->items[k++] = p->items[i];
    }
    p->len = k;
}

void cli_paths_release(struct cli_paths *p)
{
    for (size_t i = 0; i < p->len; i++)
        free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->len = p->cap = 0;
}

/* ------------------------------------------------------------------ names */

static bool piece_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* "dockerfile" / "containerfile" with an upper- or lower-case first
 * letter, the rest lower case (the broad hook's regex). */
static size_t stem_at(const char *s)
{
    if ((s[0] == 'D' || s[0] == 'd') && strncmp(s + 1, "ockerfile", 9) == 0)
        return 10;
    if ((s[0] == 'C' || s[0] == 'c') && strncmp(s + 1, "ontainerfile", 12) == 0)
        return 13;
    return 0;
}

bool cli_is_dockerfile_name(const char *name)
{
    size_t n = strlen(name);
    static const char ignore_ext[] = ".dockerignore";
    if (n >= sizeof ignore_ext - 1 && strcmp(name + n - (sizeof ignore_ext - 1), ignore_ext) == 0)
        return false;
    /* identify's rule: any `.`-separated piece is exactly the name. */
    for (const char *p = name;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (piece_is(p, len, "Dockerfile") || piece_is(p, len, "Containerfile"))
            return true;
        if (!dot)
            break;
        p = dot + 1;
    }
    /* The broad regex: `^stem([.-].*)?$` and `\.stem$`. */
    size_t k = stem_at(name);
    if (k && (name[k] == '\0' || name[k] == '.' || name[k] == '-'))
        return true;
    const char *dot = strrchr(name, '.');
    if (dot && dot != name) {
        size_t s = stem_at(dot + 1);
        if (s && dot[1 + s] == '\0')
            return true;
    }
    return false;
}

bool cli_is_skipped_dir(const char *name)
{
    /* Version control, dependency and tool caches: never hand-written
     * Dockerfiles, often huge. Hidden folders in general are walked
     * (.devcontainer and .github hold Dockerfiles). */
    static const char *const skipped[] = {
        ".bzr",         ".direnv",       ".git",        ".hg",
        ".jj",          ".mypy_cache",   ".nox",        ".pytest_cache",
        ".ruff_cache",  ".svn",          ".terraform",  ".tox",
        ".venv",        "_darcs",        "__pycache__", "bower_components",
        "node_modules", "site-packages", "vendor",      "venv",
    };
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
        if (strcmp(name, skipped[i]) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ paths */

char *cli_abs_path(const char *path)
{
    struct buf joined = BUF_INIT;
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        int rc = buf_append_cstr(&joined, cwd);
        free(cwd);
        if (rc || buf_append_char(&joined, '/')) {
            buf_release(&joined);
            return NULL;
        }
    }
    if (buf_append_cstr(&joined, path)) {
        buf_release(&joined);
        return NULL;
    }
    /* Clean: collect segments, resolving "." and "..". */
    const char *s = buf_cstr(&joined);
    size_t n = joined.len;
    char *out = xmalloc(n + 2);
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == '/')
            i++;
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        size_t seg = j - i;
        if (seg == 0 || (seg == 1 && s[i] == '.')) {
            /* nothing */
        } else if (seg == 2 && s[i] == '.' && s[i + 1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* the slash */
        } else {
            out[len++] = '/';
            memcpy(out + len, s + i, seg);
            len += seg;
        }
        i = j;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    buf_release(&joined);
    return out;
}

/* ------------------------------------------------------------------ globs */

struct glob {
    char *text; /* the pattern without `!`, anchoring `/` and trailing `/` */
    char *base; /* absolute directory it is relative to */
    bool anchored, dir_only, negate;
};

struct cli_excludes {
    struct glob *globs;
    size_t n;
};

void cli_excludes_free(struct cli_excludes *ex)
{
    if (!ex)
        return;
    for (size_t i = 0; i < ex->n; i++) {
        free(ex->globs[i].text);
        free(ex->globs[i].base);
    }
    free(ex->globs);
    free(ex);
}

/* Matches the `/`-separated segments of pattern p against those of path s,
 * with `**` matching any number of whole segments. 1, 0 or ERR_SYNTAX. */
static int match_segments(const char *p, const char *s)
{
    if (*p == '\0')
        return *s == '\0';
    const char *pe = strchr(p, '/');
    size_t plen = pe ? (size_t)(pe - p) : strlen(p);
    const char *pnext = pe ? pe + 1 : p + plen;
    if (plen == 2 && p[0] == '*' && p[1] == '*') {
        /* Zero segments, or one more segment and try again. */
        for (const char *t = s;;) {
            int rc = match_segments(pnext, t);
            if (rc)
                return rc;
            if (*t == '\0')
                return 0;
            const char *slash = strchr(t, '/');
            t = slash ? slash + 1 : t + strlen(t);
        }
    }
    if (*s == '\0')
        return 0;
    const char *se = strchr(s, '/');
    size_t slen = se ? (size_t)(se - s) : strlen(s);
    int rc = di_glob_match(p, plen, s, slen);
    if (rc != 1)
        return rc;
    if (!pe)
        return se == NULL;
    return se ? match_segments(pnext, se + 1) : match_segments(pnext, "");
}

static int compile(struct glob *g, const char *text, const char *base)
{
    bool negate = text[0] == '!';
    if (negate)
        text++;
    while (text[0] == '.' && text[1] == '/')
        text += 2;
    bool anchored = text[0] == '/';
    while (*text == '/')
        text++;
    size_t n = strlen(text);
    bool dir_only = n > 0 && text[n - 1] == '/';
    while (n > 0 && text[n - 1] == '/')
        n--;
    if (n == 0)
        return ERR_SYNTAX;
    g->text = xstrndup(text, n);
    if (memchr(g->text, '/', n))
        anchored = true;
    g->anchored = anchored;
    g->dir_only = dir_only;
    g->negate = negate;
    g->base = cli_abs_path(base);
    if (!g->base)
        g->base = xstrdup("/");
    /* Malformed classes or escapes show on any name: Go's matcher checks
     * the whole pattern even when it fails early. */
    for (const char *p = g->text;;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (di_glob_match(p, len, "", 0) < 0)
            return ERR_SYNTAX;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

int cli_excludes_new(const struct cfg *c, struct cli_excludes **out, struct err *err)
{
    *out = NULL;
    struct cli_excludes *ex = xcalloc(1, sizeof *ex);
    size_t n = c ? c->exclude.len : 0;
    ex->globs = xcalloc(n ? n : 1, sizeof *ex->globs);
    for (size_t i = 0; i < n; i++) {
        const struct cfg_item *it = &c->exclude.items[i];
        const char *base = it->loc.src == CFG_SRC_FILE && c->dir ? c->dir : ".";
        int rc = compile(&ex->globs[ex->n++], it->text, base);
        if (rc) {
            char where[ERR_PATH_MAX + 64];
            cfg_loc_format(&it->loc, where, sizeof where);
            err_set(err, ERR_INVALID, "%s: exclude: malformed glob '%s'", where, it->text);
            cli_excludes_free(ex);
            return ERR_INVALID;
        }
    }
    *out = ex;
    return 0;
}

bool cli_excludes_match(const struct cli_excludes *ex, const char *path, bool is_dir)
{
    if (!ex || !ex->n)
        return false;
    char *abs = cli_abs_path(path);
    if (!abs)
        return false;
    const char *name = strrchr(abs, '/');
    name = name ? name + 1 : abs;
    bool excluded = false;
    for (size_t i = 0; i < ex->n; i++) {
        const struct glob *g = &ex->globs[i];
        if (g->dir_only && !is_dir)
            continue;
        if (g->negate != excluded)
            continue; /* cannot change the outcome */
        int rc;
        if (g->anchored) {
            size_t bl = strlen(g->base);
            const char *rel;
            if (strcmp(g->base, "/") == 0)
                rel = abs + 1;
            else if (strncmp(abs, g->base, bl) == 0 && abs[bl] == '/')
                rel = abs + bl + 1;
            else
                continue; /* outside the glob's directory */
            rc = match_segments(g->text, rel);
        } else {
            rc = di_glob_match(g->text, strlen(g->text), name, strlen(name));
        }
        if (rc == 1)
            excluded = !g->negate;
    }
    free(abs);
    return excluded;
}

/* ------------------------------------------------------------------- walk */

struct walker {
    const struct cli_excludes *ex;
    struct cli_discovery *out;
    struct buf path;
};

static void warn(struct walker *w, const char *path, const char *why)
{
    struct buf m = BUF_INIT;
    if (buf_printf(&m, "cannot search '%s': %s", path, why) == 0)
        cli_paths_push(&w->out->warnings, buf_cstr(&m));
    buf_release(&m);
}

static void walk(struct walker *w, int depth)
{
    const char *dirpath = w->path.len ? buf_cstr(&w->path) : ".";
    DIR *d = opendir(dirpath);
    if (!d) {
        warn(w, dirpath, strerror(errno));
        return;
    }
    size_t base_len = w->path.len;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        buf_truncate(&w->path, base_len);
        bool sep = base_len && w->path.data[base_len - 1] != '/';
        if ((sep && buf_append_char(&w->path, '/')) || buf_append_cstr(&w->path, name))
            continue; /* a path over the buffer's limit: there is none */
        const char *p = buf_cstr(&w->path);
        bool is_dir = false, is_reg = false;
        if (de->d_type == DT_DIR) {
            is_dir = true;
        } else if (de->d_type == DT_REG) {
            is_reg = true;
        } else if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            if (lstat(p, &st) != 0)
                continue;
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir) {
            if (cli_is_skipped_dir(name) || cli_excludes_match(w->ex, p, true))
                continue;
            if (depth + 1 > CLI_DISCOVER_MAX_DEPTH) {
                warn(w, p, "nested too deeply");
                continue;
            }
            walk(w, depth + 1);
        } else if (is_reg && cli_is_dockerfile_name(name) && !cli_excludes_match(w->ex, p, false)) {
            cli_paths_push(&w->out->files, p);
        }
    }
    closedir(d);
    buf_truncate(&w->path, base_len);
}

int cli_discover(const char *root, const struct cli_excludes *ex, struct cli_discovery *out,
                 struct err *err)
{
    struct stat st;
    if (stat(root, &st) != 0)
        return err_sys(err, root, "cannot read '%s'", root);
    if (!S_ISDIR(st.st_mode))
        return err_set(err, ERR_IO, "'%s' is not a folder", root);
    DIR *d = opendir(root);
    if (!d)
        return err_sys(err, root, "cannot read folder '%s'", root);
    closedir(d);
    struct walker w = { ex, out, BUF_INIT };
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    /* "." lists "Dockerfile", not "./Dockerfile": paths print as people
     * write them. */
    bool dot = n == 1 && root[0] == '.';
    if (!dot && buf_append(&w.path, root, n)) {
        buf_release(&w.path);
        return err_set(err, ERR_TOO_LARGE, "path '%s' is too long", root);
    }
    walk(&w, 0);
    buf_release(&w.path);
    return 0;
}

void cli_discovery_release(struct cli_discovery *d)
{
    cli_paths_release(&d->files);
    cli_paths_release(&d->warnings);
}
