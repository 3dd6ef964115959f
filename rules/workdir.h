/* The working directory as the rules about relative paths reason about it
 * (DW111 relative-workdir, DW112 relative-copy-destination, and the
 * scratch check of DW101 undefined-variable). Uses nothing but
 * analyzer/rule_api.h. */
#ifndef DW_RULES_WORKDIR_H
#define DW_RULES_WORKDIR_H

#include "analyzer/rule_api.h"

#include <stdbool.h>

/* Whether the stage and its in-file parents (FROM <stage>) build on
 * scratch: the working directory is the root and the environment holds
 * nothing but PATH. */
bool wd_root_is_scratch(const struct df_model *m, int stage);

/* Whether a WORKDIR comes before in, in its stage or anywhere in the
 * stage's in-file parents. */
bool wd_set_before(const struct df_model *m, const struct df_instr *in);

/* Whether v is absolute: `/...`, `\...` or a Windows drive (`C:`,
 * `C:\app`, `c:/app`). */
bool wd_is_absolute(struct str v);

/* "/" joined with p and cleaned as Go's path.Join does: empty and "."
 * elements dropped, ".." removes the element before it (staying at the
 * root). With dir_slash, a trailing '/' is kept when p names a directory
 * by its form (ends in '/', or its last element is "." or ".."), as a
 * COPY destination must. Arena memory of the file. */
const char *wd_absolute(struct rule_ctx *ctx, struct str p, bool dir_slash);

#endif
