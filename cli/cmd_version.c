#include "cli/cli.h"
#include "cli/version.h"

#include <tree_sitter/api.h>

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        cli_error("'version' takes no arguments");
        return CLI_EXIT_ERROR;
    }
    printf("dockwright %s (tree-sitter language ABI %d)\n", DW_VERSION,
           TREE_SITTER_LANGUAGE_VERSION);
    return CLI_EXIT_OK;
}

const struct cli_cmd cli_cmd_version = {
    .name = "version",
    .run = cmd_version,
    .summary = "print the version of dockwright",
    .usage = "dockwright version   (or: dockwright --version)",
};
