/* The places an instruction names another stage (or image, or named build
 * context) to read from: `COPY --from=` and every `RUN --mount` with
 * `from=`. Shared by DW109 undefined-stage-reference and DW110
 * copy-from-current-stage. Uses nothing but analyzer/rule_api.h. */
#ifndef DW_RULES_STAGEREF_H
#define DW_RULES_STAGEREF_H

#include "analyzer/rule_api.h"

/* Calls fn for each reference of in that has a value, in source order;
 * what names the place for messages ("COPY --from", "RUN --mount from"). */
void sr_each_ref(struct rule_ctx *ctx, const struct df_instr *in,
                 void (*fn)(struct rule_ctx *ctx, const struct df_instr *in, const char *what,
                            const struct df_text *ref));

#endif
