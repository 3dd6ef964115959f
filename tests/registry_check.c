/* The registry test (STYLE.md sections 2 and 5): ids unique, well formed
 * and sorted, in the block of their category; names kebab-case, named for
 * what they flag, matching the rule's file; aliases unique; descriptors
 * consistent (config key exactly for config-gated rules, a check when
 * subscribed); every doc heading present, `## Fix safety` exactly when the
 * rule has a fix; the source file and a fixture folder with a fixture
 * present; the `## Example` Dockerfile triggers the rule and the
 * `## Use instead` one does not.
 *
 * Usage: registry_check SOURCE_DIR. Prints one line per problem; exit 1
 * when there is any. */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "rules/rules.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int problems;

static void problem(const struct rule *r, const char *fmt, ...) DW_PRINTF(2, 3);
static void problem(const struct rule *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", r ? r->id : "registry");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    problems++;
}

/* Names that read wrong after "allow": a rule is named for what it flags
 * (`untagged-base-image`), never for the remedy (`use-tags`). */
static const char *const disallowed_prefixes[] = {
    "use-",   "avoid-",  "prefer-", "no-",      "do-not-",  "dont-",  "always-",
    "never-", "should-", "must-",   "require-", "enforce-", "check-", "ensure-",
};

static bool kebab(const char *s)
{
    if (!islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '-') {
            if (p[1] == '-' || p[1] == '\0')
                return false;
        } else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

static bool nocase_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

static void check_descriptor(size_t i)
{
    const struct rule *r = rule_registry[i];
    if (!r->id || strlen(r->id) != 5 || strncmp(r->id, "DW", 2) ||
        !isdigit((unsigned char)r->id[2]) || !isdigit((unsigned char)r->id[3]) ||
        !isdigit((unsigned char)r->id[4])) {
        problem(r, "id is not DW followed by three digits");
        return;
    }
    if (i && strcmp(rule_registry[i - 1]->id, r->id) >= 0)
        problem(r, "ids are not unique and sorted (after %s)", rule_registry[i - 1]->id);
    if ((int)r->category != r->id[2] - '0')
        problem(r, "category '%s' is not the one of block DW%cxx", eng_category_name(r->category),
                r->id[2]);
    if (!r->name || !kebab(r->name))
        problem(r, "name '%s' is not kebab-case", r->name ? r->name : "(null)");
    else {
        for (size_t k = 0; k < sizeof disallowed_prefixes / sizeof *disallowed_prefixes; k++)
            if (!strncmp(r->name, disallowed_prefixes[k], strlen(disallowed_prefixes[k])))
                problem(r, "name '%s' names a remedy; name the rule for what it flags", r->name);
        char file[128];
        snprintf(file, sizeof file, "%s", r->name);
        for (char *p = file; *p; p++)
            if (*p == '-')
                *p = '_';
        if (strcmp(file, rule_registry_files[i]))
            problem(r, "rules.def names file '%s', the rule name wants '%s'",
                    rule_registry_files[i], file);
    }
    if (!r->summary || !*r->summary)
        problem(r, "no summary");
    if (!r->check && !r->finish)
        problem(r, "neither check nor finish");
    if (r->on && !r->check)
        problem(r, "subscribes to instructions without a check");
    if (!r->on && r->check)
        problem(r, "has a check but subscribes to no instruction");
    if (r->late && !r->finish)
        problem(r, "late without a finish");
    if (r->on_triggers && !r->on)
        problem(r, "on_triggers without instruction kinds");
    if (r->on & ~(uint32_t)DF_ON_ALL)
        problem(r, "subscribes to unknown instruction kinds");
    if ((r->status == RULE_CONFIG) != (r->config_key != NULL))
        problem(r, "config_key must be set exactly for RULE_CONFIG rules");
    if (r->config_key && !eng_config_key_known(r->config_key))
        problem(r, "config_key '%s' is no config key that gates rules", r->config_key);

    /* Names, ids and aliases are all accepted where a rule is named, so
     * none may mean two rules. */
    for (size_t j = 0; j < i; j++) {
        const struct rule *o = rule_registry[j];
        if (r->name && o->name && !strcmp(r->name, o->name))
            problem(r, "name '%s' is also %s's", r->name, o->id);
        for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
            if (nocase_eq(a->name, o->name) || nocase_eq(a->name, o->id))
                problem(r, "alias '%s' is %s's id or name", a->name, o->id);
            for (const struct rule_alias *b = o->aliases; b && b->name; b++)
                if (nocase_eq(a->name, b->name))
                    problem(r, "alias '%s' is also an alias of %s", a->name, o->id);
        }
    }
    for (const struct rule_alias *a = r->aliases; a && a->name; a++)
        for (const struct rule_alias *b = r->aliases; b < a; b++)
            if (nocase_eq(a->name, b->name))
                problem(r, "alias '%s' is listed twice", a->name);
}

/* ------------------------------------------------------------------- docs */

static const char *const headings[] = { "## What it does", "## Why is this bad?", "## Example",
                                        "## Use instead" };

/* The line-start offset of heading h in doc, or NULL. */
static const char *find_heading(const char *doc, const char *h)
{
    size_t n = strlen(h);
    for (const char *p = doc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, h, n) && (p[n] == '\n' || p[n] == '\0'))
            return p;
    return NULL;
}

/* The ```dockerfile block under a heading (before the next heading). */
static char *example_block(const char *doc, const char *heading)
{
    const char *h = find_heading(doc, heading);
    if (!h)
        return NULL;
    const char *body = strchr(h, '\n');
    if (!body)
        return NULL;
    const char *next = strstr(body, "\n## ");
    const char *open = strstr(body, "```dockerfile\n");
    if (!open || (next && open > next))
        return NULL;
    open += strlen("```dockerfile\n");
    const char *close = strstr(open, "```");
    if (!close || (next && close > next))
        return NULL;
    size_t n = (size_t)(close - open);
    char *s = xmalloc(n + 1);
    memcpy(s, open, n);
    s[n] = '\0';
    return s;
}

/* The number of findings of r on text with only r enabled, or -1. */
static int findings_of(const struct rule *r, const char *text)
{
    const char *only[] = { r->id, NULL };
    struct eng_options o = { .only = only };
    struct err err;
    struct eng *e = eng_new(rule_registry, rule_registry_len, &o, &err);
    if (!e)
        return -1;
    struct df_file *f = df_file_new("example.Dockerfile", text, strlen(text), NULL, &err);
    int n = -1;
    if (f) {
        struct eng_result res;
        if (!eng_lint(e, f, &res, &err))
            n = (int)res.n_findings;
        df_file_free(f);
    }
    eng_free(e);
    return n;
}

static void check_doc(const struct rule *r)
{
    if (!r->doc) {
        problem(r, "no documentation");
        return;
    }
    const char *prev = r->doc;
    for (size_t k = 0; k < sizeof headings / sizeof *headings; k++) {
        const char *h = find_heading(r->doc, headings[k]);
        if (!h)
            problem(r, "documentation lacks '%s'", headings[k]);
        else if (h < prev)
            problem(r, "'%s' is out of order in the documentation", headings[k]);
        else
            prev = h;
    }
    bool has_safety = find_heading(r->doc, "## Fix safety") != NULL;
    if (has_safety != (r->fix != FIX_NONE))
        problem(r, "'## Fix safety' must be present exactly when the rule has a fix");

    char *bad = example_block(r->doc, "## Example");
    char *good = example_block(r->doc, "## Use instead");
    if (!bad)
        problem(r, "'## Example' has no ```dockerfile block");
    if (!good)
        problem(r, "'## Use instead' has no ```dockerfile block");
    /* [ctx] rules need a build context, and config-gated rules their
     * configuration, which documentation examples do not have; only their
     * good example is checked. */
    if (bad && !r->needs_context && r->status != RULE_CONFIG) {
        int n = findings_of(r, bad);
        if (n <= 0)
            problem(r, "the '## Example' Dockerfile does not trigger the rule");
    }
    if (good) {
        int n = findings_of(r, good);
        if (n != 0)
            problem(r, "the '## Use instead' Dockerfile triggers the rule (%d findings)", n);
    }
    free(bad);
    free(good);
}

/* ---------------------------------------------------------------- sources */

static void check_files(const char *root, size_t i)
{
    const struct rule *r = rule_registry[i];
    const char *file = rule_registry_files[i];
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/rules/%s.c", root, file);
    if (stat(path, &st) || !S_ISREG(st.st_mode))
        problem(r, "rules/%s.c does not exist", file);
    snprintf(path, sizeof path, "%s/rules/%s", root, file);
    DIR *d = opendir(path);
    if (!d) {
        problem(r, "fixture folder rules/%s/ does not exist", file);
        return;
    }
    int triggering = 0, clean = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n <= 11 || strcmp(de->d_name + n - 11, ".Dockerfile") ||
            (n > 17 && !strcmp(de->d_name + n - 17, ".fixed.Dockerfile")))
            continue;
        char fp[4096 + 256];
        snprintf(fp, sizeof fp, "%s/%s", path, de->d_name);
        struct buf text = BUF_INIT;
        struct err err;
        if (file_read_all(fp, 0, &text, &err)) {
            problem(r, "cannot read %s: %s", fp, err.msg);
        } else if (strstr(buf_cstr(&text), "# expect ")) {
            triggering++;
        } else {
            clean++;
        }
        buf_release(&text);
    }
    closedir(d);
    /* STYLE.md section 3: a fixture that triggers the rule and one that
     * does not. */
    if (!triggering)
        problem(r, "rules/%s/ holds no fixture with an '# expect' line", file);
    if (!clean)
        problem(r, "rules/%s/ holds no fixture without findings", file);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: registry_check SOURCE_DIR\n");
        return 2;
    }
    if (rule_registry[rule_registry_len] != NULL)
        problem(NULL, "the registry is not NULL-terminated");
    for (size_t i = 0; i < rule_registry_len; i++) {
        check_descriptor(i);
        check_doc(rule_registry[i]);
        check_files(argv[1], i);
    }
    if (problems)
        fprintf(stderr, "%d problem(s) in %zu rules\n", problems, rule_registry_len);
    return problems ? 1 : 0;
}
