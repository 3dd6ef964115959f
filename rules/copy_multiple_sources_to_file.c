/* DW113 copy-multiple-sources-to-file: COPY or ADD with several sources, or
 * one wildcard that matches several files of the build context, and a
 * destination that does not end in '/'. The classic builder refuses it;
 * BuildKit builds it but may write every source to the same path, so only
 * one file survives (moby/buildkit#1853, #4550). BuildKit takes `.` and
 * `..` for directories, so those are reported for portability only and
 * their fix is safe. The wildcard case needs the build context; matching
 * follows Go's filepath.Match (a `*` matches a leading dot too) per path
 * component, with the source cleaned as BuildKit cleans it. */
#include "analyzer/rule_api.h"

#include <dirent.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

static const char doc[] =
    "## What it does\n"
    "Reports a COPY or ADD that has several sources, or (when the build\n"
    "context is known) one wildcard source matching several files, while its\n"
    "destination does not end in `/`. A destination of `.` or `..` is a\n"
    "directory to BuildKit and is reported for portability with the classic\n"
    "builder only. Destinations with variables are checked with the values\n"
    "the variables have at that point; `.dockerignore` is not consulted for\n"
    "wildcards.\n"
    "\n"
    "## Why is this bad?\n"
    "Several files cannot be copied onto one file name. The classic builder\n"
    "refuses the instruction (\"When using COPY with more than one source\n"
    "file, the destination must be a directory and end with a /\"); BuildKit\n"
    "accepts it but may copy every source onto the same path, so that only\n"
    "one of them is left in the image.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "COPY package.json package-lock.json /app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "COPY package.json package-lock.json /app/\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "The fix appends `/` to the destination. It is safe for `.` and `..`,\n"
    "which BuildKit already treats as directories. Otherwise it is unsafe:\n"
    "the files now land inside a directory of that name instead of on one\n"
    "path, which changes the image (as intended, but check the paths that\n"
    "use them).\n";

static const struct rule_alias aliases[] = {
    { "DL3021", NULL },
    { NULL, NULL },
};

/* ------------------------------------------------------------- wildcards */

static bool has_glob(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '*' || s.ptr[i] == '?' || s.ptr[i] == '[')
            return true;
    return false;
}

#define MAX_COMPONENTS 64
#define MAX_ENTRIES 100000u
#define MAX_FOUND 1000u

struct walk {
    char comps[MAX_COMPONENTS][256];
    unsigned n;
    char found[2][512];
    unsigned n_found;
    unsigned budget; /* directory entries left to read */
    /* The directory being matched, and its path relative to the context;
     * components are appended and cut back as the walk goes. */
    char path[4096], rel[4096];
    size_t path_len, rel_len;
};

/* Splits and cleans src the way BuildKit cleans context sources: a leading
 * '/' or './' is dropped, '.' components vanish, '..' cannot climb above
 * the context. False for a path with too many or too long components. */
static bool split_clean(struct walk *w, struct str src)
{
    w->n = 0;
    size_t i = 0;
    while (i <= src.len) {
        size_t s = i;
        while (i < src.len && src.ptr[i] != '/')
            i++;
        struct str c = str_slice(src, s, i);
        i++;
        if (!c.len || str_eq_cstr(c, "."))
            continue;
        if (str_eq_cstr(c, "..")) {
            if (w->n)
                w->n--;
            continue;
        }
        if (w->n == MAX_COMPONENTS || c.len >= sizeof w->comps[0])
            return false;
        memcpy(w->comps[w->n], c.ptr, c.len);
        w->comps[w->n][c.len] = '\0';
        w->n++;
    }
    return w->n > 0;
}

/* Appends "/name" to the current path (no '/' before the first relative
 * component); false when it does not fit. */
static bool push(struct walk *w, const char *name)
{
    size_t n = strlen(name);
    bool sep = w->rel_len > 0;
    if (w->path_len + 1 + n >= sizeof w->path || w->rel_len + sep + n >= sizeof w->rel)
        return false;
    w->path[w->path_len++] = '/';
    memcpy(w->path + w->path_len, name, n + 1);
    w->path_len += n;
    if (sep)
        w->rel[w->rel_len++] = '/';
    memcpy(w->rel + w->rel_len, name, n + 1);
    w->rel_len += n;
    return true;
}

static void pop(struct walk *w, size_t path_len, size_t rel_len)
{
    w->path_len = path_len;
    w->path[path_len] = '\0';
    w->rel_len = rel_len;
    w->rel[rel_len] = '\0';
}

/* Matches components k.. below the current path, counting the matches (up
 * to MAX_FOUND) and keeping the first two in byte order. The recursion is as deep as the pattern
 * has components. */
static void walk_from(struct walk *w, unsigned k)
{
    if (w->n_found >= MAX_FOUND)
        return;
    size_t pl = w->path_len, rl = w->rel_len;
    if (k == w->n) {
        struct stat st;
        if (lstat(w->path, &st) != 0)
            return;
        /* Keep the two smallest names, so the message does not depend on
         * the order the file system lists entries in. */
        unsigned keep = w->n_found < 2 ? w->n_found : 2;
        w->n_found++;
        if (keep == 2 && strcmp(w->rel, w->found[1]) >= 0)
            return;
        unsigned at = keep == 2 ? 1 : keep;
        if (at == 1 && strcmp(w->rel, w->found[0]) < 0) {
            memcpy(w->found[1], w->found[0], sizeof w->found[0]);
            at = 0;
        }
        size_t n = w->rel_len < sizeof w->found[0] ? w->rel_len : sizeof w->found[0] - 1;
        memcpy(w->found[at], w->rel, n);
        w->found[at][n] = '\0';
        return;
    }
    const char *c = w->comps[k];
    if (!has_glob(str_from_cstr(c))) {
        if (push(w, c))
            walk_from(w, k + 1);
        pop(w, pl, rl);
        return;
    }
    DIR *d = opendir(w->path);
    if (!d)
        return;
    struct dirent *de;
    while (w->n_found < MAX_FOUND && w->budget && (de = readdir(d))) {
        w->budget--;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (fnmatch(c, de->d_name, 0) != 0)
            continue;
        if (push(w, de->d_name))
            walk_from(w, k + 1);
        pop(w, pl, rl);
    }
    closedir(d);
}

/* --------------------------------------------------------------- check */

struct dest {
    const struct df_text *text;
    struct str value; /* expanded */
    uint32_t insert;  /* where the fix puts its '/' */
};

static void report(struct rule_ctx *ctx, const struct df_instr *in, const struct dest *d,
                   const char *why)
{
    const char *kw = df_kind_name(in->kind);
    bool dot = str_eq_cstr(d->value, ".") || str_eq_cstr(d->value, "..");
    struct rule_finding *rf;
    if (dot)
        rf = rule_report(ctx, d->text->span,
                         "destination '%.*s' does not end with '/' but %s %s: BuildKit treats it "
                         "as a directory, the classic builder refuses it",
                         STR_FMT(d->value), kw, why);
    else
        rf = rule_report(ctx, d->text->span,
                         "destination '%.*s' does not end with '/' but %s %s: the classic builder "
                         "refuses this and BuildKit may keep only one of the files",
                         STR_FMT(d->value), kw, why);
    if (!rf || in->has_syntax_error)
        return; /* a partly read instruction may not re-read as the fix means */
    /* The edit rewrites the whole destination word rather than inserting
     * one byte, and the title names it: the fix engine tells fixes apart
     * across passes by title and replaced text, and an insert of "/" with
     * a fixed title would look the same for every COPY of the file. */
    const struct df_file *f = rule_file(ctx);
    struct span w = d->text->span;
    const char *text = rule_printf(ctx, "%.*s/%.*s", (int)(d->insert - w.start), f->src + w.start,
                                   (int)(w.end - d->insert), f->src + d->insert);
    struct edit e = { w.start, w.end, str_from_cstr(text) };
    int shown = d->text->raw.len > 60 ? 60 : (int)d->text->raw.len;
    rule_finding_fix(
        rf, dot ? FIX_SAFE : FIX_UNSAFE,
        rule_printf(ctx, "append '/' to the destination '%.*s'", shown, d->text->raw.ptr), &e, 1);
}

/* The value of a word as BuildKit uses it, when it is known: expanded,
 * with every variable set. */
static bool word_value(const struct df_file *f, const struct df_instr *in, const struct df_text *w,
                       struct str *out)
{
    if (str_find_char(w->raw, '$', 0) < 0 && str_find_char(w->raw, '"', 0) < 0 &&
        str_find_char(w->raw, '\'', 0) < 0 && str_find_char(w->raw, '\\', 0) < 0) {
        *out = w->raw;
        return true;
    }
    struct exp_result r;
    struct err err;
    if (df_expand(f, in, w, 0, &r, &err))
        return false;
    for (size_t i = 0; i < r.n_refs; i++)
        if (!r.refs[i].set && r.refs[i].mod != EXP_MOD_DEFAULT &&
            r.refs[i].mod != EXP_MOD_DEFAULT_NULL)
            return false;
    *out = r.value;
    return true;
}

static bool is_remote(struct str s)
{
    return str_starts_with(s, STR_LIT("http://")) || str_starts_with(s, STR_LIT("https://")) ||
           str_starts_with(s, STR_LIT("git@"));
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_text *words;
    uint32_t n;
    bool exec = in->form == DF_FORM_EXEC;
    if (exec) {
        if (in->exec_non_string)
            return;
        words = in->exec;
        n = in->n_exec;
    } else {
        words = in->args;
        n = in->n_args;
    }
    if (n < 2)
        return; /* DW012 reports a missing destination */
    struct dest d = { &words[n - 1], STR_NULL, 0 };
    if (!d.text->raw.ptr || str_starts_with(d.text->raw, STR_LIT("<<")))
        return;
    if (exec) {
        /* Decoded JSON strings are not expanded further by us: a '$' in
         * them is left to DW101. */
        if (str_find_char(d.text->raw, '$', 0) >= 0 || span_len(d.text->span) < 2)
            return;
        d.value = d.text->raw;
        d.insert = d.text->span.end - 1; /* before the closing quote */
    } else {
        if (!word_value(f, in, d.text, &d.value))
            return;
        d.insert = d.text->span.end;
    }
    if (!d.value.len || d.value.ptr[d.value.len - 1] == '/')
        return;

    uint32_t n_src = n - 1;
    if (n_src >= 2) {
        report(ctx, in, &d, rule_printf(ctx, "has %u sources", n_src));
        return;
    }

    /* One source: a wildcard can still match several files. */
    const char *dir = rule_context_dir(ctx);
    const struct df_text *src = &words[0];
    struct str sv;
    if (!dir || df_instr_flag(in, "from") || !src->raw.ptr ||
        str_starts_with(src->raw, STR_LIT("<<")))
        return;
    if (exec)
        sv = src->raw;
    else if (!word_value(f, in, src, &sv))
        return;
    if (!has_glob(sv) || is_remote(sv))
        return;
    struct walk *w = rule_alloc(ctx, sizeof *w);
    memset(w, 0, sizeof *w);
    w->budget = MAX_ENTRIES;
    if (!split_clean(w, sv))
        return;
    size_t dl = strlen(dir);
    if (dl >= sizeof w->path)
        return;
    memcpy(w->path, dir, dl + 1);
    w->path_len = dl;
    walk_from(w, 0);
    if (w->n_found < 2)
        return;
    report(ctx, in, &d,
           rule_printf(ctx, "source '%.*s' matches %s%u files of the build context ('%s', '%s'%s)",
                       STR_FMT(sv), w->n_found >= MAX_FOUND ? "at least " : "", w->n_found,
                       w->found[0], w->found[1], w->n_found > 2 ? ", ..." : ""));
}

const struct rule rule_DW113 = {
    .id = "DW113",
    .name = "copy-multiple-sources-to-file",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "COPY/ADD of several files to a destination without a trailing '/'",
    .aliases = aliases,
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .check = check,
    .doc = doc,
};
