/* dockwright explain RULE: a rule's metadata and its documentation. RULE
 * may be a DW id (any case), a rule name, a hadolint id or a BuildKit check
 * name (eng_rule_find). */
#include "analyzer/engine.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "common/buf.h"
#include "rules/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int cmd_explain(int argc, char **argv);

const struct cli_cmd cli_cmd_explain = {
    .name = "explain",
    .run = cmd_explain,
    .summary = "show the documentation of a rule",
    .usage = "dockwright explain RULE",
    .details = "RULE is a rule id (DW301), a rule name (apt-lists-not-cleaned), a hadolint id\n"
               "(DL3009) or a BuildKit check name (JSONArgsRecommended).",
};

/* Case-insensitive edit distance, capped: the did-you-mean only wants
 * small ones. */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static const char *suggest(const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t limit = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;
    for (size_t i = 0; i < rule_registry_len; i++) {
        const struct rule *r = rule_registry[i];
        const char *cands[64];
        size_t n = 0;
        cands[n++] = r->id;
        cands[n++] = r->name;
        for (const struct rule_alias *a = r->aliases; a && a->name && n < 64; a++)
            cands[n++] = a->name;
        for (size_t k = 0; k < n; k++) {
            size_t d = distance(name, cands[k]);
            if (d < best_d) {
                best_d = d;
                best = cands[k];
            }
        }
    }
    return best_d <= limit ? best : NULL;
}

static int cmd_explain(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_explain, argc, argv, &args))
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    if (args.n_positional != 1) {
        cli_error("'explain' takes one RULE (an id, a name or a hadolint/BuildKit name); see "
                  "'dockwright rules'");
        goto done;
    }
    const char *name = args.positional[0];
    const char *alias = NULL;
    const struct rule *r = eng_rule_find(rule_registry, rule_registry_len, name, &alias);
    if (!r) {
        const char *s = suggest(name);
        if (s)
            cli_error("unknown rule '%s' (did you mean '%s'?); see 'dockwright rules'", name, s);
        else
            cli_error("unknown rule '%s'; see 'dockwright rules'", name);
        goto done;
    }
    struct buf out = BUF_INIT, al = BUF_INIT;
    int rc = 0;
    for (const struct rule_alias *a = r->aliases; a && a->name && !rc; a++) {
        bool seen = false;
        for (const struct rule_alias *p = r->aliases; p < a; p++)
            if (strcmp(p->name, a->name) == 0)
                seen = true;
        if (!seen)
            rc = (al.len && buf_append_cstr(&al, ", ")) || buf_append_cstr(&al, a->name);
    }
    rc = rc || buf_printf(&out,
                          "# %s: %s\n\n"
                          "ID:        %s\n"
                          "Name:      %s\n"
                          "Severity:  %s\n"
                          "Category:  %s\n"
                          "Fix:       %s\n"
                          "Status:    %s\n"
                          "Aliases:   %s\n",
                          r->id, r->name, r->id, r->name, eng_severity_name(r->severity),
                          eng_category_name(r->category), out_fix_name(r->fix),
                          out_status_name(r->status), al.len ? buf_cstr(&al) : "none");
    if (!rc && alias)
        rc = buf_printf(&out, "Matched:   %s (a peer name of this rule)\n", alias);
    if (!rc && r->summary)
        rc = buf_printf(&out, "Summary:   %s\n", r->summary);
    if (!rc) {
        const char *doc = r->doc && *r->doc ? r->doc : "(this rule has no documentation yet)\n";
        size_t n = strlen(doc);
        rc = buf_append_char(&out, '\n') || buf_append_cstr(&out, doc) ||
             (n && doc[n - 1] != '\n' && buf_append_char(&out, '\n'));
    }
    if (!rc && (fwrite(buf_cstr(&out), 1, out.len, stdout) != out.len || fflush(stdout)))
        rc = 1;
    buf_release(&out);
    buf_release(&al);
    if (rc) {
        cli_error("cannot write to standard output");
        goto done;
    }
    status = CLI_EXIT_OK;
done:
    cli_args_release(&args);
    return status;
}
