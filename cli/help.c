#include "cli/cli.h"

#include <string.h>

void cli_print_command_help(FILE *out, const struct cli_cmd *cmd)
{
    fprintf(out, "usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->n_opts) {
        fputs("\noptions:\n", out);
        for (int i = 0; i < cmd->n_opts; i++) {
            const struct cli_opt *o = &cmd->opts[i];
            char head[64];
            int n = 0;
            if (o->short_name)
                n = snprintf(head, sizeof head, "-%c, ", o->short_name);
            snprintf(head + n, sizeof head - (size_t)n, "--%s%s%s", o->name,
                     o->kind == CLI_OPT_FLAG ? "" : " ",
                     o->kind == CLI_OPT_FLAG ? "" : (o->metavar ? o->metavar : "VALUE"));
            fprintf(out, "  %-28s %s%s\n", head, o->help,
                    o->kind == CLI_OPT_LIST ? " (repeatable)" : "");
        }
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
    if (cmd->details)
        fprintf(out, "\n%s\n", cmd->details);
}
