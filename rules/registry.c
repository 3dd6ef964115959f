#include "rules/rules.h"

#define RULE(id, name) extern const struct rule rule_##id;
#include "rules/rules.def"
#undef RULE

const struct rule *const rule_registry[] = {
#define RULE(id, name) &rule_##id,
#include "rules/rules.def"
#undef RULE
    NULL,
};

const size_t rule_registry_len = sizeof rule_registry / sizeof rule_registry[0] - 1;

const char *const rule_registry_files[] = {
#define RULE(id, name) #name,
#include "rules/rules.def"
#undef RULE
    NULL,
};
