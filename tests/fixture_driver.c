/* The generic fixture driver (STYLE.md section 3). For one annotated
 * Dockerfile it lints the blanked text with only the fixture's rules
 * enabled and requires exactly the expected findings (line, column, rule,
 * message fragment); with `fix=safe|unsafe` it applies fixes and compares
 * the result with the `# fixed:` lines (or a sibling NAME.fixed.Dockerfile,
 * or the unchanged input when there is neither), then checks that the
 * fixes added no syntax error, converged within the pass limit, dropped
 * nothing, and that a second lint+fix changes nothing.
 *
 * Usage: fixture_driver FILE.Dockerfile [--context DIR]
 * (without --context, a folder NAME.context beside the fixture is used
 * when it exists).
 *
 * A configuration NAME.dockwright.yaml (or NAME.hadolint.yaml, read in
 * hadolint compatibility mode) beside the fixture applies to it: rule
 * options, config-gated rules' keys, severities.
 *
 * Rules: the `# test: rules=` list; without one, the rule whose folder the
 * fixture sits in (rules/<file_name>/), else every rule (corpus/), preview
 * and off rules included. Edits of other files (.dockerignore) are compared
 * with NAME.fixed/<path> files beside the fixture. Exit 0 on success, 1 on a
 * mismatch, 2 when the fixture or the arguments are unusable. */
#include "analyzer/config.h"
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/vec.h"
#include "fixture.h"
#include "rules/rules.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIXTURE_MAX ((size_t)16 * 1024 * 1024)

static const char *fixture_name;
static int failures;

static void failf(const char *fmt, ...) DW_PRINTF(1, 2);
static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", fixture_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* ------------------------------------------------------------------ diffs */

struct lines {
    struct str *items;
    size_t n;
};

/* Splits after each "\n", so that line endings take part in comparison. */
static struct lines split(struct str s)
{
    struct lines l = { NULL, 0 };
    size_t cap = 0;
    size_t b = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i < s.len && s.ptr[i] != '\n')
            continue;
        size_t e = i < s.len ? i + 1 : i;
        if (e > b) {
            if (l.n == cap) {
                cap = cap ? cap * 2 : 16;
                l.items = xreallocarray(l.items, cap, sizeof *l.items);
            }
            l.items[l.n++] = str_make(s.ptr + b, e - b);
        }
        b = e;
    }
    return l;
}

static void print_line(char mark, struct str line)
{
    fputc(mark, stderr);
    fputc(' ', stderr);
    for (size_t i = 0; i < line.len; i++) {
        unsigned char c = (unsigned char)line.ptr[i];
        if (c == '\n')
            fputs("\\n", stderr);
        else if (c == '\r')
            fputs("\\r", stderr);
        else if (c == '\t')
            fputs("\\t", stderr);
        else if (c < 0x20 || c == 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    if (!line.len || line.ptr[line.len - 1] != '\n')
        fputs("  (no line ending)", stderr);
    fputc('\n', stderr);
}

/* A line diff (longest common subsequence) of expected against actual,
 * printed with '-' for expected-only and '+' for actual-only lines and two
 * lines of context. */
static void print_diff(const char *what, struct str expected, struct str actual)
{
    struct lines a = split(expected), b = split(actual);
    fprintf(stderr, "--- expected %s\n+++ actual %s\n", what, what);
    if (a.n > 4000 || b.n > 4000) {
        fprintf(stderr, "(too long to diff: %zu and %zu lines)\n", a.n, b.n);
        free(a.items);
        free(b.items);
        return;
    }
    size_t w = b.n + 1;
    unsigned *lcs = xcalloc((a.n + 1) * w, sizeof *lcs);
    for (size_t i = a.n; i-- > 0;)
        for (size_t j = b.n; j-- > 0;)
            lcs[i * w + j] = str_eq(a.items[i], b.items[j])
                                 ? lcs[(i + 1) * w + j + 1] + 1
                                 : (lcs[(i + 1) * w + j] > lcs[i * w + j + 1] ? lcs[(i + 1) * w + j]
                                                                              : lcs[i * w + j + 1]);
    /* Walk the table into a script of ' ', '-', '+' marks. */
    size_t cap = a.n + b.n + 1, n = 0;
    char *mark = xmalloc(cap);
    struct str *text = xmalloc(cap * sizeof *text);
    size_t i = 0, j = 0;
    while (i < a.n || j < b.n) {
        if (i < a.n && j < b.n && str_eq(a.items[i], b.items[j])) {
            mark[n] = ' ';
            text[n++] = a.items[i];
            i++;
            j++;
        } else if (i < a.n && (j == b.n || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            mark[n] = '-';
            text[n++] = a.items[i++];
        } else {
            mark[n] = '+';
            text[n++] = b.items[j++];
        }
    }
    for (size_t k = 0; k < n; k++) {
        bool near = false;
        for (size_t d = k >= 2 ? k - 2 : 0; d < n && d <= k + 2; d++)
            near |= mark[d] != ' ';
        if (near)
            print_line(mark[k], text[k]);
        else if (k && mark[k - 1] != ' ')
            fputs("  ...\n", stderr);
    }
    free(mark);
    free(text);
    free(lcs);
    free(a.items);
    free(b.items);
}

/* ------------------------------------------------------------- utilities */

static char *read_text(const char *path, size_t *len, bool must)
{
    struct buf b = BUF_INIT;
    struct err err;
    if (file_read_all(path, FIXTURE_MAX, &b, &err)) {
        buf_release(&b);
        if (must) {
            char msg[ERR_MSG_MAX + ERR_PATH_MAX];
            err_format(&err, msg, sizeof msg);
            fprintf(stderr, "fixture_driver: %s\n", msg);
        }
        return NULL;
    }
    return buf_detach(&b, len);
}

/* PATH without its ".Dockerfile" ending (or as is). */
static char *stem_of(const char *path)
{
    size_t n = strlen(path);
    static const char ext[] = ".Dockerfile";
    if (n > sizeof ext - 1 && !strcmp(path + n - (sizeof ext - 1), ext))
        n -= sizeof ext - 1;
    return xstrndup(path, n);
}

/* The rule of the folder the fixture sits in, or NULL. */
static const char *folder_rule(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    const char *start = slash;
    while (start > path && start[-1] != '/')
        start--;
    size_t n = (size_t)(slash - start);
    for (size_t i = 0; i < rule_registry_len; i++)
        if (strlen(rule_registry_files[i]) == n && !strncmp(rule_registry_files[i], start, n))
            return rule_registry[i]->id;
    return NULL;
}

static const struct rule *rule_named(const char *name)
{
    return eng_rule_find(rule_registry, rule_registry_len, name, NULL);
}

static void print_findings(const struct eng_result *r)
{
    fprintf(stderr, "  reported:\n");
    if (!r->n_findings)
        fprintf(stderr, "    (nothing)\n");
    for (uint32_t i = 0; i < r->n_findings; i++) {
        const struct eng_finding *x = &r->findings[i];
        fprintf(stderr, "    @%u:%u %s \"%s\"%s\n", x->line, x->col, x->rule->id, x->message,
                x->fix ? " (fix)" : "");
    }
}

/* ---------------------------------------------------------------- checks */

static void check_findings(const struct fixture *fx, const struct eng_result *r)
{
    bool *used = xcalloc(r->n_findings + 1, sizeof *used);
    int before = failures;
    for (size_t i = 0; i < fx->n_expects; i++) {
        const struct fixture_expect *x = &fx->expects[i];
        const struct rule *want = rule_named(x->rule);
        if (!want) {
            failf("line %u: unknown rule '%s' in an expectation", x->annot_line, x->rule);
            continue;
        }
        bool found = false;
        for (uint32_t k = 0; k < r->n_findings && !found; k++) {
            const struct eng_finding *f = &r->findings[k];
            if (used[k] || f->rule != want || f->line != x->line || f->col != x->col ||
                !strstr(f->message, x->fragment))
                continue;
            used[k] = found = true;
        }
        if (!found)
            failf("line %u: expected %s at %u:%u with \"%s\", not reported", x->annot_line,
                  want->id, x->line, x->col, x->fragment);
    }
    for (uint32_t k = 0; k < r->n_findings; k++)
        if (!used[k]) {
            const struct eng_finding *f = &r->findings[k];
            failf("%u:%u: unexpected %s \"%s\"", f->line, f->col, f->rule->id, f->message);
        }
    if (failures != before)
        print_findings(r);
    free(used);
}

/* Compares every other file the fixes changed with STEM.fixed/<path>, and
 * requires every file there to have been produced. */
static void check_other_files(const char *stem, const struct eng_fixed *fixed)
{
    struct buf dir = BUF_INIT;
    if (buf_printf(&dir, "%s.fixed", stem))
        abort();
    for (uint32_t i = 0; i < fixed->n_files; i++) {
        const struct eng_fixed_file *ff = &fixed->files[i];
        if (!ff->path)
            continue;
        struct buf p = BUF_INIT;
        if (buf_printf(&p, "%s/%s", buf_cstr(&dir), ff->path))
            abort();
        size_t n;
        char *want = read_text(buf_cstr(&p), &n, false);
        if (!want) {
            failf("the fixes changed '%s' and %s does not exist", ff->path, buf_cstr(&p));
            print_diff(ff->path, STR_LIT(""), ff->text);
        } else if (!str_eq(str_make(want, n), ff->text)) {
            failf("'%s' after fixing differs from %s", ff->path, buf_cstr(&p));
            print_diff(ff->path, str_make(want, n), ff->text);
        }
        free(want);
        buf_release(&p);
    }
    DIR *d = opendir(buf_cstr(&dir));
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            bool made = false;
            for (uint32_t i = 0; i < fixed->n_files; i++)
                made |= fixed->files[i].path && !strcmp(fixed->files[i].path, de->d_name);
            if (!made)
                failf("expected the fixes to change '%s' (%s/%s); they did not", de->d_name,
                      buf_cstr(&dir), de->d_name);
        }
        closedir(d);
    }
    buf_release(&dir);
}

static void check_fixes(const struct eng *e, const struct fixture *fx, struct arena *a,
                        const char *path, struct df_file *file, const char *context)
{
    enum eng_fix_mode mode = fx->fix == FIXTURE_FIX_UNSAFE ? ENG_FIX_UNSAFE : ENG_FIX_SAFE;
    char *stem = stem_of(path);
    struct str expected = str_make(fx->blanked, fx->blanked_len);
    char *sibling_text = NULL;
    if (fx->fixed) {
        expected = str_make(fx->fixed, fx->fixed_len);
    } else {
        struct buf sib = BUF_INIT;
        if (buf_printf(&sib, "%s.fixed.Dockerfile", stem))
            abort();
        size_t n;
        sibling_text = read_text(buf_cstr(&sib), &n, false);
        if (sibling_text) {
            /* The sibling may carry the same annotations; they are blanked
             * in the fixed output as in the input. */
            struct fixture sfx;
            struct err err;
            if (fixture_parse(&sfx, a, buf_cstr(&sib), sibling_text, n, &err)) {
                failf("%s: %s", buf_cstr(&sib), err.msg);
            } else {
                expected = str_make(sfx.blanked, sfx.blanked_len);
            }
        }
        buf_release(&sib);
    }

    struct eng_fixed fixed;
    struct err err;
    if (eng_fix(e, file, mode, context, &fixed, &err)) {
        failf("eng_fix failed: %s", err.msg);
        goto out;
    }
    struct str got = str_make(fixed.result->src, fixed.result->len);
    if (!str_eq(expected, got)) {
        failf("the fixed text differs from the expectation (%u fixes in %u passes)",
              fixed.n_applied, fixed.passes);
        print_diff("Dockerfile", expected, got);
    }
    if (!fixed.converged)
        failf("the fixes did not converge within 10 passes");
    for (uint32_t i = 0; i < fixed.n_dropped; i++)
        failf("a fix was dropped: %s", fixed.dropped[i]);
    if (fixed.result->model.n_syntax_errors > file->model.n_syntax_errors)
        failf("the fixed text has %u syntax errors, the input %u",
              fixed.result->model.n_syntax_errors, file->model.n_syntax_errors);
    check_other_files(stem, &fixed);

    /* Idempotence: fixing the fixed text changes nothing. (Other files are
     * read from the context again, so only the Dockerfile is compared.) */
    struct eng_fixed again;
    if (eng_fix(e, fixed.result, mode, context, &again, &err)) {
        failf("eng_fix of the fixed text failed: %s", err.msg);
    } else {
        struct str twice = str_make(again.result->src, again.result->len);
        if (!str_eq(twice, got)) {
            failf("fixing is not idempotent: a second run changed the text");
            print_diff("second run", got, twice);
        }
        df_file_free(again.result);
    }
    df_file_free(fixed.result);
out:
    free(sibling_text);
    free(stem);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *context = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--context") && i + 1 < argc)
            context = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: fixture_driver FILE.Dockerfile [--context DIR]\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: fixture_driver FILE.Dockerfile [--context DIR]\n");
        return 2;
    }
    fixture_name = path;
    /* A folder NAME.context beside the fixture is its build context. */
    char *stem0 = stem_of(path);
    struct buf ctxdir = BUF_INIT;
    struct stat st;
    if (!context && !buf_printf(&ctxdir, "%s.context", stem0) && !stat(buf_cstr(&ctxdir), &st) &&
        S_ISDIR(st.st_mode))
        context = buf_cstr(&ctxdir);
    free(stem0);
    size_t len;
    char *text = read_text(path, &len, true);
    if (!text)
        return 2;

    struct arena a;
    arena_init(&a);
    struct fixture fx;
    struct err err;
    int rc = 2;
    struct eng *e = NULL;
    struct df_file *file = NULL;
    struct cfg *cfg = NULL;
    if (fixture_parse(&fx, &a, path, text, len, &err)) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX];
        err_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        goto out;
    }

    /* The rules under test. */
    VEC(const char *) only = VEC_INIT;
    for (size_t i = 0; i < fx.n_rules; i++) {
        if (!rule_named(fx.rules[i])) {
            fprintf(stderr, "%s: unknown rule '%s' in '# test: rules='\n", path, fx.rules[i]);
            VEC_RELEASE(&only);
            goto out;
        }
        VEC_PUSH(&only, fx.rules[i]);
    }
    if (!only.len) {
        const char *own = folder_rule(path);
        if (own)
            VEC_PUSH(&only, own);
        else
            for (size_t i = 0; i < rule_registry_len; i++)
                VEC_PUSH(&only, rule_registry[i]->id);
    }
    VEC_PUSH(&only, NULL);
    /* A configuration beside the fixture. */
    static const char *const cfg_exts[] = { ".dockwright.yaml", ".hadolint.yaml" };
    for (size_t k = 0; k < 2 && !cfg; k++) {
        char *stem = stem_of(path);
        struct buf cp = BUF_INIT;
        if (buf_printf(&cp, "%s%s", stem, cfg_exts[k]))
            abort();
        free(stem);
        size_t n;
        char *yaml = read_text(buf_cstr(&cp), &n, false);
        if (yaml) {
            cfg = cfg_new(k ? CFG_MODE_HADOLINT : CFG_MODE_DOCKWRIGHT);
            if (cfg_load_text(cfg, buf_cstr(&cp), yaml, n, &err)) {
                char msg[ERR_MSG_MAX + ERR_PATH_MAX];
                err_format(&err, msg, sizeof msg);
                fprintf(stderr, "%s\n", msg);
                free(yaml);
                buf_release(&cp);
                VEC_RELEASE(&only);
                goto out;
            }
            free(yaml);
        }
        buf_release(&cp);
    }
    struct eng_options opts = { .cfg = cfg, .only = only.items, .context_dir = context };
    e = eng_new(rule_registry, rule_registry_len, &opts, &err);
    VEC_RELEASE(&only);
    if (!e) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        goto out;
    }

    file = df_file_new(path, fx.blanked, fx.blanked_len, NULL, &err);
    if (!file) {
        fprintf(stderr, "%s: cannot parse: %s\n", path, err.msg);
        goto out;
    }
    struct eng_result res;
    if (eng_lint(e, file, &res, &err)) {
        fprintf(stderr, "%s: lint failed: %s\n", path, err.msg);
        goto out;
    }
    for (uint32_t i = 0; i < res.n_warnings; i++)
        failf("engine warning: %s", res.warnings[i]);
    check_findings(&fx, &res);
    if (fx.fix != FIXTURE_FIX_NONE)
        check_fixes(e, &fx, &a, path, file, context);
    rc = failures ? 1 : 0;
out:
    if (file)
        df_file_free(file);
    eng_free(e);
    cfg_free(cfg);
    arena_release(&a);
    free(text);
    buf_release(&ctxdir);
    return rc;
}
