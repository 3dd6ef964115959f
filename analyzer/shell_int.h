/* Private to analyzer/shell*.c: what the parser (shell.c), the command
 * helpers (shell_cmd.c) and the script queries (shell_query.c) share. */
#ifndef DW_ANALYZER_SHELL_INT_H
#define DW_ANALYZER_SHELL_INT_H

#include "analyzer/shell.h"

#include <stdbool.h>
#include <stdint.h>

struct arena;

/* True for [A-Za-z_][A-Za-z0-9_]* followed by '=' or '+=' at the start of
 * s; *name_len gets the name's length. */
bool sh_int_assignment(struct str s, uint32_t *name_len);

/* Fills n->runs / n->n_runs of an SH_SIMPLE node from its argv by
 * following the wrappers (env, sudo, xargs, ...). Returns the program
 * name (sh_call_name) of the last run, empty when argc is 0. */
struct str sh_int_unwrap(struct sh_node *n, struct arena *a);

/* For a simple command whose last run is a shell given -c (`sh -c`,
 * `bash -euo pipefail -c`, `busybox sh -c`): the argv index of the script
 * word, with *pipefail set when the shell gets -o pipefail; else -1. name
 * is what sh_int_unwrap returned for n. */
int32_t sh_int_shell_c(const struct sh_node *n, struct str name, bool *pipefail);

/* Builds top->cmds: every command run, in execution order. */
void sh_int_collect(struct sh_script *top, struct arena *a);

#endif
