/* DW501 dockerignore-gap: a whole-context COPY/ADD (`.`, `*`, a directory)
 * would send paths that do not belong in an image (optimizations.md (h)):
 * VCS and editor folders, dependency and build output, secrets, logs and
 * swap files, compose files, the Dockerfile and ignore file, very large
 * files; or no ignore file exists. The context is walked for real (di_walk)
 * so every finding names paths that exist, with their sizes. The safe fix
 * appends `**`-anchored patterns to the ignore file in effect, leaving out
 * any pattern that would hide a path the Dockerfile names or a RUN reads. */
#include "analyzer/rule_api.h"

#include <stdlib.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Looks at what a whole-context COPY or ADD (`COPY . .`, `COPY * /app/`, or a\n"
    "directory source) sends from the build context and reports paths that do\n"
    "not belong in an image: `.git`, `.hg`, `.svn`, `.idea`, `.vscode`,\n"
    "`.DS_Store`; `node_modules`, `.venv`, `venv`, `__pycache__`, `*.pyc`,\n"
    "`target`, `dist`, `build`, `bin`+`obj`, `.next`, `.terraform`, `coverage`\n"
    "(and `vendor` when the Dockerfile installs dependencies); `.env` files and\n"
    "other credential files; `*.log`, `tmp`, swap files, compose files; the\n"
    "Dockerfile and the ignore file; any file larger than `max-file-size`\n"
    "(default 10 MiB). A missing ignore file is reported too. The finding lists\n"
    "the biggest offenders with their sizes.\n"
    "\n"
    "## Why is this bad?\n"
    "Every such file is sent to the builder and copied into a layer: the\n"
    "image grows, secrets leak, and any change to them (a `git commit`, a log\n"
    "line) invalidates the cache of the COPY and of every step after it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "COPY . /app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "COPY package.json /app/\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix creates the ignore file, or extends the one in effect, with\n"
    "`**/`-anchored patterns for the reported names. A pattern that would\n"
    "exclude a path a COPY, ADD or `RUN --mount=type=bind` names or globs is\n"
    "never added, nor `.git` when a RUN calls git, so the build keeps every\n"
    "file it uses. Dependency and build-output folders (`node_modules`,\n"
    "`venv`, `vendor`, `dist`, `build`, `target`, `bin`, `obj`, `.next`) are\n"
    "added only when a RUN of the Dockerfile produces them (npm, pip, cargo,\n"
    "...) and the Dockerfile names them nowhere: otherwise they may be what\n"
    "the image ships. Files reported only for their size are never added.\n"
    "No fix is offered when the ignore file in effect lies outside the\n"
    "context.\n";

static const char *const options[] = { "max-file-size", NULL };

#define MAX_LISTED 5
#define MAX_OFFENDERS 4096

struct offender {
    const char *path;    /* relative to the context; a directory ends without '/' */
    const char *pattern; /* what the fix adds; NULL: report only */
    uint64_t bytes;
    bool dir;
};

/* What the rule remembers per file; the context itself is the engine's
 * (rule_build_context), shared with the other [ctx] rules. */
struct state {
    bool fix_offered; /* one fix per pass: the ignore file is one file */
    bool missing_reported;
};

static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

/* ------------------------------------------------------ what the file uses */

/* Whether some RUN of the file runs one of the programs. */
static bool file_runs(const struct df_model *m, const char *const *progs)
{
    for (uint32_t i = 0; i < m->n_all_instrs; i++) {
        const struct sh_script *s = m->all_instrs[i]->script;
        if (m->all_instrs[i]->kind != DF_RUN || !s)
            continue;
        for (uint32_t k = 0; k < s->n_cmds; k++)
            for (size_t p = 0; progs[p]; p++)
                if (sh_call_is(&s->cmds[k].call, progs[p]))
                    return true;
    }
    return false;
}

/* Whether some RUN runs `prog sub` (sub NULL: prog alone). */
static bool file_runs_sub(const struct df_model *m, const char *prog, const char *sub)
{
    for (uint32_t i = 0; i < m->n_all_instrs; i++) {
        const struct sh_script *s = m->all_instrs[i]->script;
        if (m->all_instrs[i]->kind != DF_RUN || !s)
            continue;
        for (uint32_t k = 0; k < s->n_cmds; k++) {
            const struct sh_call *c = &s->cmds[k].call;
            if (!sh_call_is(c, prog))
                continue;
            if (!sub)
                return true;
            for (uint32_t a = 1; a < c->argc && a < 4; a++)
                if (sh_word_is(&c->argv[a], sub))
                    return true;
        }
    }
    return false;
}

/* Whether the Dockerfile text names `word` as a path element (`dist/x`,
 * `/app/dist`): then the directory may be what the image is for. */
static bool mentions(const struct df_file *f, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = f->src; (p = strstr(p, word)) != NULL; p += n) {
        char before = p > f->src ? p[-1] : ' ';
        char after = p[n];
        bool wb =
            !((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
              (before >= '0' && before <= '9') || before == '_' || before == '-' || before == '.');
        bool wa = !((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
                    (after >= '0' && after <= '9') || after == '_' || after == '-');
        if (wb && wa)
            return true;
    }
    return false;
}

/* Dependency and build-output directories may be the very thing the image
 * ships (a prebuilt `dist/`, a vendored `node_modules`). Their pattern is
 * safe only when the Dockerfile produces them itself and names them
 * nowhere. Returns false for every other pattern. */
static bool produced_elsewhere_unproven(struct rule_ctx *ctx, const char *pattern)
{
    static const struct {
        const char *dir;
        const char *progs[12];
    } table[] = {
        { "node_modules", { "npm", "yarn", "pnpm", "bun", NULL } },
        { ".next", { "npm:build", "yarn:build", "pnpm:build", "bun:build", "next:build", NULL } },
        { ".venv", { "pip", "pip3", "poetry", "pipenv", "uv", NULL } },
        { "venv", { "pip", "pip3", "poetry", "pipenv", "uv", NULL } },
        { "vendor", { "composer:install", "bundle:install", "go:download", NULL } },
        { "target", { "cargo:build", "mvn", "gradle", "sbt", NULL } },
        { "dist",
          { "npm:build", "yarn:build", "pnpm:build", "bun:build", "tsc", "vite:build", "webpack",
            "python:build", "python3:build", "make", NULL } },
        { "build",
          { "npm:build", "yarn:build", "pnpm:build", "bun:build", "make", "cmake", "gradle",
            "python:build", "python3:build", NULL } },
        { "bin", { "dotnet:build", "dotnet:publish", "go:build", "make", NULL } },
        { "obj", { "dotnet:build", "dotnet:publish", NULL } },
    };
    if (strncmp(pattern, "**/", 3))
        return false;
    const char *dir = pattern + 3;
    const struct df_model *m = rule_model(ctx);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(dir, table[i].dir))
            continue;
        if (mentions(rule_file(ctx), dir))
            return true;
        /* "prog" runs the program at all, "prog:sub" with that sub-command
         * among its first words (`npm run build`, `go mod download`). */
        for (size_t k = 0; table[i].progs[k]; k++) {
            const char *p = table[i].progs[k];
            const char *colon = strchr(p, ':');
            const char *prog = colon ? rule_printf(ctx, "%.*s", (int)(colon - p), p) : p;
            if (file_runs_sub(m, prog, colon ? colon + 1 : NULL))
                return false;
        }
        return true;
    }
    return false;
}

static bool is_whole_context(struct str s)
{
    return str_eq_cstr(s, ".") || str_eq_cstr(s, "./") || str_eq_cstr(s, "*") ||
           str_eq_cstr(s, "/") || str_eq_cstr(s, "./*");
}

static bool is_glob(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '*' || s.ptr[i] == '?' || s.ptr[i] == '[')
            return true;
    return false;
}

/* Whether a candidate pattern would exclude a path the Dockerfile names:
 * a COPY/ADD source (other than whole-context ones, which are what is
 * being trimmed) or the source of a bind mount. */
static bool hides_named_path(struct rule_ctx *ctx, const struct rule_build_context *bc,
                             const char *pattern)
{
    struct arena *a = rule_arena(ctx);
    struct err err = { 0 };
    struct di_file *cand = NULL;
    if (di_load(a, "pattern", pattern, strlen(pattern), &cand, &err) != 0)
        return true;
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_all_instrs; i++) {
        const struct df_instr *in = m->all_instrs[i];
        struct str names[64];
        uint32_t n = 0;
        if ((in->kind == DF_COPY || in->kind == DF_ADD) && !df_instr_flag(in, "from")) {
            const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
            uint32_t nw = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
            for (uint32_t k = 0; k + 1 < nw && n < 64; k++)
                names[n++] = unquote(w[k].raw);
        }
        for (uint32_t f = 0; f < in->n_flags; f++) {
            const struct df_flag *fl = &in->flags[f];
            bool bind = true, has_from = false;
            struct str src = STR_NULL;
            for (uint32_t k = 0; k < fl->n_mount; k++) {
                struct str key = fl->mount[k].key.raw;
                if (str_eq_cstr(key, "type"))
                    bind = str_eq_cstr(fl->mount[k].value.raw, "bind");
                else if (str_eq_cstr(key, "from"))
                    has_from = true;
                else if (str_eq_cstr(key, "source") || str_eq_cstr(key, "src"))
                    src = fl->mount[k].value.raw;
            }
            if (fl->n_mount && bind && !has_from && n < 64)
                names[n++] = src.ptr ? src : str_from_cstr(".");
        }
        for (uint32_t k = 0; k < n; k++) {
            struct str s = names[k];
            if (!s.len || str_starts_with(s, str_from_cstr("<<")) ||
                str_starts_with(s, str_from_cstr("http://")) ||
                str_starts_with(s, str_from_cstr("https://")) || memchr(s.ptr, '$', s.len))
                continue;
            if (in->kind != DF_RUN && is_whole_context(s))
                continue;
            if (in->kind == DF_RUN && is_whole_context(s))
                return true; /* a bind mount of the whole context reads everything */
            const char *clean = di_clean(a, s.ptr, s.len);
            while (*clean == '/')
                clean++;
            if (di_match(cand, clean, strlen(clean), NULL))
                return true;
            if (is_glob(s) && bc->walk) {
                struct di_selection sel = { 0 };
                if (di_select(a, bc->walk, s.ptr, s.len, &sel, &err) != 0)
                    continue;
                for (size_t e = 0; e < sel.n_entries; e++)
                    if (di_match(cand, sel.entries[e]->path, strlen(sel.entries[e]->path), NULL))
                        return true;
            }
        }
    }
    return false;
}

/* ------------------------------------------------------------- the classes */

static const char *const junk_dirs[] = {
    ".git",  ".hg",        ".svn",        ".idea",  ".vscode", "node_modules",
    ".venv", "venv",       "__pycache__", "target", "dist",    "build",
    ".next", ".terraform", "coverage",    "tmp",    ".aws",    NULL,
};

static bool name_ends(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && !strcmp(name + n - k, suffix);
}

/* The pattern for a file whose name is junk wherever it is, or NULL. */
static const char *junk_file_pattern(struct rule_ctx *ctx, const char *path, const char *name)
{
    static const char *const globs[][2] = {
        { ".pyc", "**/*.pyc" }, { ".log", "**/*.log" },         { ".swp", "**/*.swp" },
        { ".swo", "**/*.swo" }, { ".tfstate", "**/*.tfstate" }, { NULL, NULL },
    };
    if (!strcmp(name, ".DS_Store"))
        return "**/.DS_Store";
    for (size_t i = 0; globs[i][0]; i++)
        if (name_ends(name, globs[i][0]))
            return globs[i][1];
    if (!strncmp(name, "docker-compose", 14) || !strncmp(name, "compose.", 8))
        if (name_ends(name, ".yml") || name_ends(name, ".yaml"))
            return rule_printf(ctx, "**/%s", name);
    struct sec_file_match m = { 0 };
    if (sec_path_is_secret_file(str_from_cstr(path), &m)) {
        if (m.content_decides) {
            struct str text = STR_NULL;
            bool exists = false;
            if (rule_context_file(ctx, path, &text, &exists) && exists &&
                !sec_file_content_is_secret(m.kind, text.ptr, text.len))
                return NULL;
        }
        return rule_printf(ctx, "**/%s", name);
    }
    return NULL;
}

struct offenders {
    struct offender *items;
    size_t n;
};

static void add_offender(struct rule_ctx *ctx, struct offenders *o, const char *path,
                         const char *pattern, uint64_t bytes, bool dir)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->items[i].path, path)) {
            o->items[i].bytes += bytes;
            return;
        }
    if (o->n >= MAX_OFFENDERS)
        return;
    o->items[o->n++] = (struct offender){ rule_printf(ctx, "%s", path), pattern, bytes, dir };
}

static bool entry_exists(const struct di_context *c, const char *path)
{
    for (size_t i = 0; i < c->n_entries; i++)
        if (!strcmp(c->entries[i].path, path))
            return true;
    return false;
}

/* A directory `bin` or `obj` counts as .NET output only beside its twin. */
static bool dotnet_output(struct rule_ctx *ctx, const struct di_context *c, const char *parent,
                          size_t plen, const char *name)
{
    const char *twin = !strcmp(name, "bin") ? "obj" : !strcmp(name, "obj") ? "bin" : NULL;
    if (!twin)
        return false;
    const char *p = plen ? rule_printf(ctx, "%.*s/%s", (int)plen, parent, twin) : twin;
    return entry_exists(c, p);
}

static void classify(struct rule_ctx *ctx, const struct rule_build_context *bc,
                     const struct di_entry *e, bool vendor, uint64_t max_size,
                     const char *dockerfile_rel, struct offenders *o)
{
    /* A junk directory anywhere above the entry claims it. */
    const char *p = e->path;
    size_t start = 0;
    for (size_t i = 0;; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        bool last = p[i] == '\0';
        if (last && e->type != DI_DIR)
            break;
        const char *name = rule_printf(ctx, "%.*s", (int)(i - start), p + start);
        bool junk = false;
        for (size_t k = 0; junk_dirs[k]; k++)
            junk = junk || !strcmp(name, junk_dirs[k]);
        junk = junk || (vendor && !strcmp(name, "vendor")) ||
               dotnet_output(ctx, bc->walk, p, start ? start - 1 : 0, name);
        if (junk) {
            add_offender(ctx, o, rule_printf(ctx, "%.*s", (int)i, p),
                         rule_printf(ctx, "**/%s", name), e->type == DI_DIR ? 0 : e->size, true);
            return;
        }
        if (last)
            return;
        start = i + 1;
    }
    const char *name = p + start;
    const char *pat = junk_file_pattern(ctx, p, name);
    if (!pat && (!strcmp(p, ".dockerignore") || (dockerfile_rel && !strcmp(p, dockerfile_rel))))
        pat = p;
    if (pat) {
        add_offender(ctx, o, p, pat, e->size, false);
    } else if (e->size > max_size) {
        /* A big file is reported, never ignored by the fix: it may be the
         * model or data set the image exists to ship. */
        add_offender(ctx, o, p, NULL, e->size, false);
    }
}

static int by_size(const void *a, const void *b)
{
    const struct offender *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return strcmp(x->path, y->path);
}

static const char *human(struct rule_ctx *ctx, uint64_t n)
{
    if (n < 1024)
        return rule_printf(ctx, "%llu B", (unsigned long long)n);
    if (n < 1024 * 1024)
        return rule_printf(ctx, "%.1f KiB", (double)n / 1024.0);
    if (n < (uint64_t)1024 * 1024 * 1024)
        return rule_printf(ctx, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    return rule_printf(ctx, "%.1f GiB", (double)n / (1024.0 * 1024.0 * 1024.0));
}

static void offer_fix(struct rule_ctx *ctx, struct state *st, const struct rule_build_context *bc,
                      struct rule_finding *f, const struct offenders *o)
{
    if (st->fix_offered || !bc->ignore_rel || !f)
        return;
    const char *text = "";
    const char *sep = "";
    for (size_t i = 0; i < o->n; i++) {
        const char *pat = o->items[i].pattern;
        if (!pat)
            continue;
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup = dup || (o->items[k].pattern && !strcmp(o->items[k].pattern, pat));
        if (dup || hides_named_path(ctx, bc, pat) || produced_elsewhere_unproven(ctx, pat))
            continue;
        if (!strcmp(pat, "**/.git") &&
            file_runs(rule_model(ctx), (const char *const[]){ "git", NULL }))
            continue;
        text = rule_printf(ctx, "%s%s%s", text, sep, pat);
        sep = "\n";
    }
    if (!*text)
        return;
    /* A new ignore file would itself be sent by the whole-context copy:
     * the next lint would ask for it. */
    if (!bc->ignore_exists)
        text = rule_printf(ctx, "%s\n%s", text, bc->ignore_rel);
    struct str old = bc->ignore_text;
    bool needs_nl = bc->ignore_exists && old.len && old.ptr[old.len - 1] != '\n';
    const char *ins = rule_printf(ctx, "%s%s\n", needs_nl ? "\n" : "", text);
    uint32_t at = bc->ignore_exists ? (uint32_t)old.len : 0;
    struct edit e = { at, at, str_from_cstr(ins) };
    rule_finding_fix(
        f, FIX_SAFE,
        rule_printf(ctx, "%s %s", bc->ignore_exists ? "extend" : "create", bc->ignore_rel), NULL,
        0);
    rule_finding_fix_other(f, bc->ignore_rel, &e, 1);
    st->fix_offered = true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (df_instr_flag(in, "from") || in->parent)
        return;
    const struct rule_build_context *bc = rule_build_context(ctx);
    if (!bc || bc->ignore_broken)
        return; /* DW505 reports an ignore file BuildKit refuses */
    struct state *st = rule_state(ctx);
    const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    const struct df_model *m = rule_model(ctx);
    bool vendor = file_runs_sub(m, "composer", "install") ||
                  file_runs_sub(m, "bundle", "install") || file_runs_sub(m, "go", "download");
    uint64_t max_size = (uint64_t)rule_option_int(ctx, "max-file-size", 10LL * 1024 * 1024);
    const char *dockerfile_rel = bc->dockerfile_rel;
    struct arena *a = rule_arena(ctx);
    for (uint32_t i = 0; i + 1 < n; i++) {
        struct str s = unquote(w[i].raw);
        if (!s.len || str_starts_with(s, str_from_cstr("<<")) || memchr(s.ptr, '$', s.len) ||
            str_starts_with(s, str_from_cstr("http://")) ||
            str_starts_with(s, str_from_cstr("https://")))
            continue;
        struct di_selection sel = { 0 };
        struct err err = { 0 };
        if (di_select(a, bc->walk, s.ptr, s.len, &sel, &err) != 0 || !sel.n_entries)
            continue;
        /* Only whole-context and directory sources: a named file or a
         * narrow glob is what the author asked for. */
        bool whole = is_whole_context(s);
        if (!whole &&
            !(sel.entries[0]->type == DI_DIR && !strcmp(sel.entries[0]->path, sel.cleaned)))
            continue;
        struct offenders o = { rule_alloc(ctx, MAX_OFFENDERS * sizeof(struct offender)), 0 };
        for (size_t e = 0; e < sel.n_entries; e++)
            classify(ctx, bc, sel.entries[e], vendor, max_size, dockerfile_rel, &o);
        bool missing = !bc->ignore_exists && whole && !st->missing_reported;
        if (!o.n && !missing)
            continue;
        const char *kw = df_kind_name(in->kind);
        struct rule_finding *f;
        if (!o.n) {
            st->missing_reported = true;
            f = rule_report(ctx, w[i].span,
                            "%s '%.*s' sends the whole build context and no .dockerignore "
                            "exists; add one to keep the context small",
                            kw, (int)s.len, s.ptr);
            continue;
        }
        qsort(o.items, o.n, sizeof *o.items, by_size);
        uint64_t total = 0;
        for (size_t k = 0; k < o.n; k++)
            total += o.items[k].bytes;
        const char *list = "";
        for (size_t k = 0; k < o.n && k < MAX_LISTED; k++)
            list = rule_printf(ctx, "%s%s%s%s (%s)", list, k ? ", " : "", o.items[k].path,
                               o.items[k].dir ? "/" : "", human(ctx, o.items[k].bytes));
        if (o.n > MAX_LISTED)
            list = rule_printf(ctx, "%s and %zu more", list, o.n - MAX_LISTED);
        if (missing)
            st->missing_reported = true;
        f = rule_report(
            ctx, w[i].span, "%s '%.*s' sends %s that do%s not belong in an image: %s; %s%s", kw,
            (int)s.len, s.ptr,
            o.n == 1 ? "a path" : rule_printf(ctx, "%zu paths (%s)", o.n, human(ctx, total)),
            o.n == 1 ? "es" : "", list, missing ? "no .dockerignore exists, " : "",
            bc->ignore_rel
                ? rule_printf(ctx, "exclude %s in %s", o.n == 1 ? "it" : "them", bc->ignore_rel)
                : rule_printf(ctx, "exclude %s in the ignore file", o.n == 1 ? "it" : "them"));
        offer_fix(ctx, st, bc, f, &o);
    }
}

const struct rule rule_DW501 = {
    .id = "DW501",
    .name = "dockerignore-gap",
    .severity = SEV_WARNING,
    .category = CAT_CONTEXT,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a whole-context COPY/ADD sends files that do not belong in an image",
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
    .needs_context = true,
    .options = options,
};
