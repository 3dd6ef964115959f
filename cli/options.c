#include "cli/cli.h"

#include "common/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("dockwright: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_opt_index(const struct cli_cmd *cmd, const char *name)
{
    for (int i = 0; i < cmd->n_opts; i++)
        if (strcmp(cmd->opts[i].name, name) == 0)
            return i;
    return -1;
}

static int find_long(const struct cli_cmd *cmd, const char *name, size_t len)
{
    for (int i = 0; i < cmd->n_opts; i++)
        if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, name, len) == 0)
            return i;
    return -1;
}

static int find_short(const struct cli_cmd *cmd, char c)
{
    for (int i = 0; i < cmd->n_opts; i++)
        if (cmd->opts[i].short_name && cmd->opts[i].short_name == c)
            return i;
    return -1;
}

static void list_push(struct cli_opt_value *v, const char *s)
{
    v->values = xreallocarray(v->values, (size_t)v->count + 2, sizeof *v->values);
    v->values[v->count++] = s;
    v->values[v->count] = NULL;
}

static int store(const struct cli_cmd *cmd, struct cli_args *out, int idx, const char *value)
{
    struct cli_opt_value *v = &out->opts[idx];
    v->set = true;
    switch (cmd->opts[idx].kind) {
    case CLI_OPT_FLAG: break;
    case CLI_OPT_STRING:
        v->value = value;
        v->count++;
        break;
    case CLI_OPT_LIST: list_push(v, value); break;
    }
    return 0;
}

int cli_parse_args(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out)
{
    out->opts = xcalloc((size_t)(cmd->n_opts ? cmd->n_opts : 1), sizeof *out->opts);
    out->n_opts = cmd->n_opts;
    out->positional = xcalloc((size_t)argc + 1, sizeof *out->positional);
    out->n_positional = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            out->positional[out->n_positional++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        int idx;
        const char *inline_value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            idx = find_long(cmd, name, len);
            if (idx < 0) {
                cli_error("unknown option '--%.*s' for '%s'; see 'dockwright help %s'", (int)len,
                          name, cmd->name, cmd->name);
                goto fail;
            }
            if (eq)
                inline_value = eq + 1;
        } else {
            if (a[2] != '\0') {
                cli_error("unknown option '%s' for '%s'; see 'dockwright help %s'", a, cmd->name,
                          cmd->name);
                goto fail;
            }
            idx = find_short(cmd, a[1]);
            if (idx < 0) {
                cli_error("unknown option '%s' for '%s'; see 'dockwright help %s'", a, cmd->name,
                          cmd->name);
                goto fail;
            }
        }
        const struct cli_opt *o = &cmd->opts[idx];
        if (o->kind == CLI_OPT_FLAG) {
            if (inline_value) {
                cli_error("option '--%s' takes no value", o->name);
                goto fail;
            }
            store(cmd, out, idx, NULL);
            continue;
        }
        const char *value = inline_value;
        if (!value) {
            if (i + 1 >= argc) {
                cli_error("option '--%s' needs a value (%s)", o->name,
                          o->metavar ? o->metavar : "VALUE");
                goto fail;
            }
            value = argv[++i];
        }
        store(cmd, out, idx, value);
    }
    return 0;
fail:
    cli_args_release(out);
    return 2;
}

void cli_args_release(struct cli_args *a)
{
    for (int i = 0; a->opts && i < a->n_opts; i++)
        free(a->opts[i].values);
    free(a->opts);
    a->opts = NULL;
    a->n_opts = 0;
    free(a->positional);
    a->positional = NULL;
    a->n_positional = 0;
}
