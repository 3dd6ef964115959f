/* dockwright's entry point: dispatches to one cmd_<name>.c per command. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#ifdef DW_HAVE_LINT
/* Defined in cmd_lint.c, cmd_rules.c and cmd_explain.c; built once the rule
 * engine and the model exist (cli/CMakeLists.txt). */
extern const struct cli_cmd cli_cmd_lint;
extern const struct cli_cmd cli_cmd_rules;
extern const struct cli_cmd cli_cmd_explain;
/* Defined in cmd_build.c: needs the Dockerfile model too. */
extern const struct cli_cmd cli_cmd_build;
#endif

/* Defined in cmd_image.c and cmd_cache.c: the image store. */
extern const struct cli_cmd cli_cmd_image;
extern const struct cli_cmd cli_cmd_cache;

/* The command table (git's commands[]). Each command's descriptor and
 * options live in its own file. */
static const struct cli_cmd *const commands[] = {
#ifdef DW_HAVE_LINT
    &cli_cmd_lint,  &cli_cmd_rules, &cli_cmd_explain, &cli_cmd_build,
#endif
    &cli_cmd_help,
#ifdef DW_HAVE_GRAMMAR
    &cli_cmd_parse,
#endif
    &cli_cmd_image, &cli_cmd_cache, &cli_cmd_version,
};

const struct cli_cmd *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_main_help(FILE *out)
{
    fputs("dockwright - a Dockerfile linter, fixer and optimizer with an embedded image builder\n\n"
          "usage: dockwright <command> [options] [args]\n"
          "       dockwright --version | --help\n\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\n'dockwright help <command>' shows the options of a command.\n", out);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stdout);
        return CLI_EXIT_OK;
    }
    const struct cli_cmd *c = cli_find_command(argv[1]);
    if (!c) {
        cli_error("no help for '%s': it is not a dockwright command; see 'dockwright --help'",
                  argv[1]);
        return CLI_EXIT_ERROR;
    }
    cli_print_command_help(stdout, c);
    return CLI_EXIT_OK;
}

const struct cli_cmd cli_cmd_help = {
    .name = "help",
    .run = cmd_help,
    .summary = "show the help of dockwright or of one command",
    .usage = "dockwright help [COMMAND]",
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stderr);
        return CLI_EXIT_ERROR;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_main_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        name = "version";
    const struct cli_cmd *c = cli_find_command(name);
    if (!c) {
        if (name[0] == '-')
            cli_error("unknown option '%s'; see 'dockwright --help'", name);
        else
            cli_error("'%s' is not a dockwright command; see 'dockwright --help'", name);
        return CLI_EXIT_ERROR;
    }
    /* "dockwright CMD --help" is the command's own help, for every command. */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_print_command_help(stdout, c);
            return CLI_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
