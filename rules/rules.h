/* The rule registry: every rule's descriptor, generated from rules.def.
 * Rules themselves include analyzer/rule_api.h only. */
#ifndef DW_RULES_RULES_H
#define DW_RULES_RULES_H

#include <stddef.h>

struct rule;

/* Every rule, sorted by id; borrowed, static. */
extern const struct rule *const rule_registry[];
extern const size_t rule_registry_len;

/* The base name of each rule's source file and fixture folder
 * ("untagged_base_image" for rules/untagged_base_image.c and
 * rules/untagged_base_image/), index for index with rule_registry. */
extern const char *const rule_registry_files[];

#endif
