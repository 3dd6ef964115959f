/* dockwright rules: the rule registry as a table (id, name, severity,
 * category, fix, status, aliases), or as JSON for tools. */
#include "analyzer/engine.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "common/buf.h"
#include "rules/rules.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt rules_opts[] = {
    { "format", 'f', CLI_OPT_STRING, "FORMAT", "tty (default: a table) or json" },
};

static int cmd_rules(int argc, char **argv);

const struct cli_cmd cli_cmd_rules = {
    .name = "rules",
    .run = cmd_rules,
    .summary = "list every rule",
    .usage = "dockwright rules [--format tty|json]",
    .details = "FIX says whether a rule's findings come with a fix (always, sometimes,\n"
               "none); STATUS is stable (on by default), preview (--preview or select it),\n"
               "off (select it) or config (on once its configuration key is set).\n"
               "'dockwright explain RULE' shows a rule's documentation.",
    .opts = rules_opts,
    .n_opts = (int)(sizeof rules_opts / sizeof rules_opts[0]),
};

static void aliases_text(const struct rule *r, struct buf *b)
{
    for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
        bool seen = false;
        for (const struct rule_alias *p = r->aliases; p < a; p++)
            if (strcmp(p->name, a->name) == 0)
                seen = true;
        if (seen)
            continue;
        if ((b->len && buf_append_cstr(b, ", ")) || buf_append_cstr(b, a->name))
            return;
    }
}

static int print_table(void)
{
    static const char *const head[] = { "ID",  "NAME",   "SEVERITY", "CATEGORY",
                                        "FIX", "STATUS", "ALIASES" };
    enum { NCOL = 7 };
    size_t width[NCOL];
    for (int c = 0; c < NCOL; c++)
        width[c] = strlen(head[c]);
    for (size_t i = 0; i < rule_registry_len; i++) {
        const struct rule *r = rule_registry[i];
        const char *cells[NCOL - 1] = { r->id,
                                        r->name,
                                        eng_severity_name(r->severity),
                                        eng_category_name(r->category),
                                        out_fix_name(r->fix),
                                        out_status_name(r->status) };
        for (int c = 0; c < NCOL - 1; c++)
            if (strlen(cells[c]) > width[c])
                width[c] = strlen(cells[c]);
    }
    struct buf out = BUF_INIT;
    int rc = 0;
    for (int c = 0; c < NCOL && !rc; c++)
        rc = c < NCOL - 1 ? buf_printf(&out, "%-*s  ", (int)width[c], head[c])
                          : buf_printf(&out, "%s\n", head[c]);
    for (size_t i = 0; i < rule_registry_len && !rc; i++) {
        const struct rule *r = rule_registry[i];
        struct buf al = BUF_INIT;
        aliases_text(r, &al);
        rc = buf_printf(&out, "%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)width[0], r->id,
                        (int)width[1], r->name, (int)width[2], eng_severity_name(r->severity),
                        (int)width[3], eng_category_name(r->category), (int)width[4],
                        out_fix_name(r->fix), (int)width[5], out_status_name(r->status),
                        al.len ? buf_cstr(&al) : "-");
        buf_release(&al);
    }
    if (!rc && (fwrite(buf_cstr(&out), 1, out.len, stdout) != out.len || fflush(stdout)))
        rc = -1;
    buf_release(&out);
    if (rc) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static int print_json(void)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < rule_registry_len; i++) {
        const struct rule *r = rule_registry[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", json_string(r->id));
        json_object_set_new(j, "name", json_string(r->name));
        json_object_set_new(j, "severity", json_string(eng_severity_name(r->severity)));
        json_object_set_new(j, "category", json_string(eng_category_name(r->category)));
        json_object_set_new(j, "fix", json_string(out_fix_name(r->fix)));
        json_object_set_new(j, "status", json_string(out_status_name(r->status)));
        json_object_set_new(j, "summary", r->summary ? json_string(r->summary) : json_null());
        json_t *al = json_array();
        for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(a->name));
            json_object_set_new(o, "kind", a->kind ? json_string(a->kind) : json_null());
            json_array_append_new(al, o);
        }
        json_object_set_new(j, "aliases", al);
        struct buf uri = BUF_INIT;
        if (out_rule_help_uri(r, &uri) == 0)
            json_object_set_new(j, "help_uri", json_string(buf_cstr(&uri)));
        buf_release(&uri);
        json_array_append_new(rules, j);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "rule_set", json_integer(OUT_RULE_SET_CURRENT));
    json_object_set_new(doc, "rules", rules);
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    int ok = s && fputs(s, stdout) >= 0 && fputc('\n', stdout) != EOF && fflush(stdout) == 0;
    free(s);
    if (!ok) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static int cmd_rules(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_rules, argc, argv, &args))
        return CLI_EXIT_ERROR;
    const char *format = args.opts[0].value ? args.opts[0].value : "tty";
    int status;
    if (args.n_positional) {
        cli_error("'rules' takes no arguments; see 'dockwright explain RULE' for one rule");
        status = CLI_EXIT_ERROR;
    } else if (strcmp(format, "tty") == 0) {
        status = print_table();
    } else if (strcmp(format, "json") == 0) {
        status = print_json();
    } else {
        cli_error("unknown format '%s' for 'rules' (use tty or json)", format);
        status = CLI_EXIT_ERROR;
    }
    cli_args_release(&args);
    return status;
}
