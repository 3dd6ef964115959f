/* The command-line driver: the command table, the option tables each
 * command declares, and the option parser that reads argv against them.
 * --help text is generated from the same tables. */
#ifndef DW_CLI_CLI_H
#define DW_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (DESIGN.md, "Command line"). */
enum {
    CLI_EXIT_OK = 0,       /* clean: nothing at or above the threshold */
    CLI_EXIT_FINDINGS = 1, /* findings at or above the threshold */
    CLI_EXIT_ERROR = 2,    /* usage, configuration, I/O, build or internal error */
};

enum cli_opt_kind {
    CLI_OPT_FLAG,   /* --x; sets a bool */
    CLI_OPT_STRING, /* --x VALUE or --x=VALUE; keeps the last */
    CLI_OPT_LIST,   /* --x VALUE, repeatable; each value may also be a comma list */
};

struct cli_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 if none */
    enum cli_opt_kind kind;
    const char *metavar; /* shown in help for valued options */
    const char *help;
};

/* Parsed values, indexed like the option table. */
struct cli_opt_value {
    bool set;
    const char *value;   /* CLI_OPT_STRING: last value, borrowed from argv */
    const char **values; /* CLI_OPT_LIST: NULL-terminated, heap (see cli_args_release) */
    int count;
};

struct cli_args {
    struct cli_opt_value *opts; /* one per table entry */
    int n_opts;
    const char **positional; /* NULL-terminated, borrowed from argv */
    int n_positional;
};

struct cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* one line, for `dockwright --help` */
    const char *usage;   /* "dockwright parse [options] FILE" */
    const char *details; /* paragraphs after the options, or NULL */
    const struct cli_opt *opts;
    int n_opts;
};

/* Parses argv (argv[0] is the command name) against cmd's options. Returns
 * 0, or prints a one-line error naming the bad option and a hint to stderr
 * and returns CLI_EXIT_ERROR. "--" ends options; "-" is positional. */
int cli_parse_args(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out);
void cli_args_release(struct cli_args *a);
/* Index of option name in cmd's table, or -1 (a programming error in callers). */
int cli_opt_index(const struct cli_cmd *cmd, const char *name);

/* Writes the generated help of cmd. */
void cli_print_command_help(FILE *out, const struct cli_cmd *cmd);
/* Looks a command up by name; NULL when there is none. */
const struct cli_cmd *cli_find_command(const char *name);
/* Prints "dockwright: <msg>" to stderr; for errors that end a command. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The command table lives in main.c; every command's descriptor is defined
 * in its own cmd_<name>.c. */
extern const struct cli_cmd cli_cmd_help;
extern const struct cli_cmd cli_cmd_version;
extern const struct cli_cmd cli_cmd_parse;

#endif
