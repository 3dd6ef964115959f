/* DW502 copy-ignored-file: a COPY/ADD source from the build context is
 * excluded by the ignore file in effect (BuildKit's CopyIgnoredFile), so a
 * literal path fails the build and a glob or directory copies less than it
 * names. The sources are matched against the walked context (di_select),
 * `!` exceptions applied. The unsafe fix re-includes the source with a
 * `!` line, never for a credential file (DW403's list). */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a COPY or ADD source from the build context (not `--from`) that\n"
    "the ignore file in effect excludes, itself or through a parent\n"
    "directory, after `!` exceptions. The sources `.` and `/` are reported\n"
    "only when everything is excluded.\n"
    "\n"
    "## Why is this bad?\n"
    "An excluded file is never sent to the builder: a literal path makes the\n"
    "build fail with \"not found\", and a glob or directory silently copies\n"
    "less than it names.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "# .dockerignore holds: config\n"
    "FROM alpine:3.20\n"
    "COPY config/app.yaml /etc/app/\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "# .dockerignore holds: config and !config/app.yaml\n"
    "FROM alpine:3.20\n"
    "COPY config/app.yaml /etc/app/\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe: the fix appends `!<source>` to the ignore file, so the file is\n"
    "sent and copied; that changes what the image contains. It is never\n"
    "offered for credential files, nor when the ignore file in effect lies\n"
    "outside the context, nor for a glob that still copies some files\n"
    "(re-including the pattern would bring back everything it matches).\n";

static const struct rule_alias aliases[] = {
    { "CopyIgnoredFile", NULL },
    { NULL, NULL },
};

static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

static bool is_glob(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '*' || s.ptr[i] == '?' || s.ptr[i] == '[')
            return true;
    return false;
}

/* "pattern 'x' (line N)" for the pattern that excluded an entry. */
static const char *decider_text(struct rule_ctx *ctx, const struct rule_build_context *st, int d)
{
    if (d < 0 || (size_t)d >= st->ignore->n_patterns)
        return rule_printf(ctx, "%s", st->ignore_name);
    const struct di_pattern *p = &st->ignore->patterns[d];
    return rule_printf(ctx, "%s:%u ('%.*s')", st->ignore_name, p->line, (int)p->text.len,
                       p->text.ptr);
}

/* Whether path is the source or lies below a directory the source names
 * (a glob matches one segment per segment, as filepath.Match does). */
static bool under_source(const char *pat, const char *path)
{
    size_t pn = strlen(pat);
    for (size_t i = 0;; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            if (di_glob_match(pat, pn, path, i) == 1)
                return true;
            if (path[i] == '\0')
                return false;
        }
    }
}

/* Whether the source names path itself (a glob matching it whole), or a
 * path inside it: a pruned directory above what the source names. */
static bool names_or_inside(const char *pat, const char *path)
{
    size_t plen = strlen(path);
    for (size_t i = 0;; i++) {
        if (pat[i] == '/' || pat[i] == '\0') {
            if (di_glob_match(pat, i, path, plen) == 1)
                return true;
            if (pat[i] == '\0')
                return false;
        }
    }
}

/* What of the source the ignore file leaves out: what it names, excluded
 * itself or through a parent directory (the contract: entries excluded
 * below a directory the source names are the ignore file doing its job,
 * as BuildKit's CopyIgnoredFile sees it). Sets *first to the first. */
static size_t count_ignored(const struct rule_build_context *st, const struct di_selection *sel,
                            bool glob, const struct di_entry **first)
{
    size_t n = 0;
    size_t pn = strlen(sel->cleaned);
    for (size_t k = 0; k < st->walk->n_entries; k++) {
        const struct di_entry *e = &st->walk->entries[k];
        if (!e->excluded || di_glob_match(sel->cleaned, pn, e->path, strlen(e->path)) != 1)
            continue;
        /* A glob that happens to match the ignore file: it leaving itself
         * out is its job (DW501's fix writes it so). Counting it made a
         * second `lint --fix` differ from the first, whose walk did not
         * see the ignore file that fix was creating (fuzz_lint_context). */
        if (glob && st->ignore_rel && !strcmp(e->path, st->ignore_rel))
            continue;
        if (!n)
            *first = e;
        n++;
    }
    /* Pruned directories (the walker did not look inside them) that are
     * the source or lie above it. */
    for (size_t k = 0; k < sel->n_ignored; k++) {
        const char *path = sel->ignored[k]->path;
        if (!names_or_inside(sel->cleaned, path) ||
            di_glob_match(sel->cleaned, pn, path, strlen(path)) == 1)
            continue; /* not the source's, or counted above */
        if (!n)
            *first = sel->ignored[k];
        n++;
    }
    return n;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (df_instr_flag(in, "from") || in->parent)
        return;
    const struct rule_build_context *st = rule_build_context(ctx);
    if (!st || !st->ignore)
        return; /* nothing is ignored, or DW505 reports the ignore file */
    const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    const char *kw = df_kind_name(in->kind);
    for (uint32_t i = 0; i + 1 < n; i++) {
        struct str s = unquote(w[i].raw);
        if (!s.len || str_starts_with(s, str_from_cstr("<<")) || memchr(s.ptr, '$', s.len) ||
            str_starts_with(s, str_from_cstr("http://")) ||
            str_starts_with(s, str_from_cstr("https://")) ||
            str_starts_with(s, str_from_cstr("git@")))
            continue;
        struct di_selection sel = { 0 };
        struct err err = { 0 };
        if (di_select(rule_arena(ctx), st->walk, s.ptr, s.len, &sel, &err) != 0)
            continue;
        bool root = !strcmp(sel.cleaned, ".") || !*sel.cleaned;
        const struct di_entry *first = NULL;
        size_t n_ignored = 0;
        if (root) {
            /* `.` leaves out what it should: that is the ignore file's job,
             * unless nothing at all is left. */
            if (sel.n_entries)
                continue;
            for (size_t k = 0; k < st->walk->n_entries && !first; k++)
                if (st->walk->entries[k].excluded)
                    first = &st->walk->entries[k];
            n_ignored = first ? 1 : 0;
        } else {
            n_ignored = count_ignored(st, &sel, is_glob(s), &first);
        }
        if (!n_ignored || !first)
            continue;
        const char *why = decider_text(ctx, st, first->decider);
        struct rule_finding *f;
        if (root)
            f = rule_report(ctx, w[i].span,
                            "%s source '%.*s' copies nothing: %s excludes the whole context", kw,
                            (int)s.len, s.ptr, why);
        else if (!is_glob(s) && !sel.n_entries)
            f = rule_report(ctx, w[i].span,
                            "%s source '%.*s' is excluded by %s, so it is not sent and the "
                            "build fails",
                            kw, (int)s.len, s.ptr, why);
        else
            f = rule_report(ctx, w[i].span,
                            "%s source '%.*s' copies less than it names: %zu path%s excluded "
                            "(first '%s', by %s)",
                            kw, (int)s.len, s.ptr, n_ignored, n_ignored == 1 ? " is" : "s are",
                            first->path, why);
        /* A glob that still copies something gets no fix: `!<glob>` would
         * bring back all it matches that the ignore file leaves out (.git,
         * the ignore file itself), which DW501's fix excludes again, so
         * the two fixes never settled (found by fuzz_lint_context). */
        if (!f || !st->ignore_rel || root || (is_glob(s) && sel.n_entries))
            continue;
        struct sec_file_match m = { 0 };
        if (sec_path_is_secret_file(s, &m))
            continue;
        bool skip = false;
        for (size_t k = 0; k < st->walk->n_entries && !skip; k++) {
            const struct di_entry *e = &st->walk->entries[k];
            skip = e->excluded && under_source(sel.cleaned, e->path) &&
                   sec_path_is_secret_file(str_from_cstr(e->path), &m);
        }
        if (skip)
            continue;
        struct str old = st->ignore_text;
        bool nl = old.len && old.ptr[old.len - 1] != '\n';
        /* A directory the source names needs its content re-included. */
        bool dir = !is_glob(s) && sel.n_entries && strcmp(first->path, sel.cleaned) != 0;
        const char *line =
            rule_printf(ctx, "%s!%s%s\n", nl ? "\n" : "", sel.cleaned, dir ? "/**" : "");
        /* Offer only a line that really re-includes what was excluded: the
         * source a literal path names (a pruned parent stays excluded, the
         * walk then looks inside it), else the first excluded match. */
        const char *after = rule_printf(ctx, "%.*s%s", (int)old.len, old.ptr, line);
        const char *probe = is_glob(s) ? first->path : sel.cleaned;
        struct di_file *nf = NULL;
        if (di_load(rule_arena(ctx), st->ignore_name, after, strlen(after), &nf, &err) != 0 ||
            di_match(nf, probe, strlen(probe), NULL))
            continue;
        struct edit e = { (uint32_t)old.len, (uint32_t)old.len, str_from_cstr(line) };
        rule_finding_fix(f, FIX_UNSAFE,
                         rule_printf(ctx, "re-include '%s' in %s", sel.cleaned, st->ignore_rel),
                         NULL, 0);
        rule_finding_fix_other(f, st->ignore_rel, &e, 1);
    }
}

const struct rule rule_DW502 = {
    .id = "DW502",
    .name = "copy-ignored-file",
    .severity = SEV_WARNING,
    .category = CAT_CONTEXT,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a COPY/ADD source is excluded by the ignore file",
    .aliases = aliases,
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .check = check,
    .doc = doc,
    .needs_context = true,
};
