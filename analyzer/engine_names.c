/* Rule names: everything a user may write where a rule is meant (rules.md
 * "Pragmas and config aliases") resolved against the registry. */
#include "analyzer/config_int.h"
#include "analyzer/engine_int.h"

#include <ctype.h>
#include <string.h>

/* hadolint ids removed upstream (peers/hadolint.md): configs and pragmas
 * that still name them must keep working, so they resolve to nothing
 * without a warning. */
static const char *const retired_ids[] = { "DL3005", "DL3017", "DL3031", "DL3039" };

/* hadolint's default severities (peers/hadolint.md, rule table), used in
 * .hadolint.yaml compatibility mode so that switching changes no exit
 * code. DL1000 is the code hadolint reports parse errors under. */
static const struct {
    const char *id;
    int sev; /* enum rule_severity, or -1 for hadolint's `ignore` */
} hadolint_defaults[] = {
    { "DL1000", SEV_ERROR },   { "DL1001", -1 },          { "DL3000", SEV_ERROR },
    { "DL3001", SEV_INFO },    { "DL3002", SEV_WARNING }, { "DL3003", SEV_WARNING },
    { "DL3004", SEV_ERROR },   { "DL3006", SEV_WARNING }, { "DL3007", SEV_WARNING },
    { "DL3008", SEV_WARNING }, { "DL3009", SEV_INFO },    { "DL3010", SEV_INFO },
    { "DL3011", SEV_ERROR },   { "DL3012", SEV_ERROR },   { "DL3013", SEV_WARNING },
    { "DL3014", SEV_WARNING }, { "DL3015", SEV_INFO },    { "DL3016", SEV_WARNING },
    { "DL3018", SEV_WARNING }, { "DL3019", SEV_INFO },    { "DL3020", SEV_ERROR },
    { "DL3021", SEV_ERROR },   { "DL3022", SEV_WARNING }, { "DL3023", SEV_ERROR },
    { "DL3024", SEV_ERROR },   { "DL3025", SEV_WARNING }, { "DL3026", SEV_ERROR },
    { "DL3027", SEV_WARNING }, { "DL3028", SEV_WARNING }, { "DL3029", SEV_WARNING },
    { "DL3030", SEV_WARNING }, { "DL3032", SEV_WARNING }, { "DL3033", SEV_WARNING },
    { "DL3034", SEV_WARNING }, { "DL3035", SEV_WARNING }, { "DL3036", SEV_WARNING },
    { "DL3037", SEV_WARNING }, { "DL3038", SEV_WARNING }, { "DL3040", SEV_WARNING },
    { "DL3041", SEV_WARNING }, { "DL3042", SEV_WARNING }, { "DL3043", SEV_ERROR },
    { "DL3044", SEV_ERROR },   { "DL3045", SEV_WARNING }, { "DL3046", SEV_WARNING },
    { "DL3047", SEV_INFO },    { "DL3048", SEV_STYLE },   { "DL3049", SEV_INFO },
    { "DL3050", SEV_INFO },    { "DL3051", SEV_WARNING }, { "DL3052", SEV_WARNING },
    { "DL3053", SEV_WARNING }, { "DL3054", SEV_WARNING }, { "DL3055", SEV_WARNING },
    { "DL3056", SEV_WARNING }, { "DL3057", -1 },          { "DL3058", SEV_WARNING },
    { "DL3059", SEV_INFO },    { "DL3060", SEV_INFO },    { "DL3061", SEV_ERROR },
    { "DL3062", SEV_WARNING }, { "DL3063", SEV_WARNING }, { "DL3064", SEV_WARNING },
    { "DL3065", SEV_WARNING }, { "DL3066", SEV_INFO },    { "DL3067", SEV_WARNING },
    { "DL4000", SEV_ERROR },   { "DL4001", SEV_WARNING }, { "DL4003", SEV_WARNING },
    { "DL4004", SEV_ERROR },   { "DL4005", SEV_WARNING }, { "DL4006", SEV_WARNING },
};

bool eng_hadolint_severity(const char *dl, enum rule_severity *out)
{
    for (size_t i = 0; i < DW_ARRAY_LEN(hadolint_defaults); i++)
        if (!strcmp(hadolint_defaults[i].id, dl)) {
            if (hadolint_defaults[i].sev < 0)
                return false;
            *out = (enum rule_severity)hadolint_defaults[i].sev;
            return true;
        }
    return false;
}

static bool is_dl_id(const char *s)
{
    if ((s[0] != 'D' && s[0] != 'd') || (s[1] != 'L' && s[1] != 'l'))
        return false;
    for (int i = 2; i < 6; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return s[6] == '\0';
}

bool eng_rule_has_buildkit_alias(const struct rule *r)
{
    for (const struct rule_alias *a = r->aliases; a && a->name; a++)
        if (!is_dl_id(a->name))
            return true;
    return false;
}

const char *eng_alias_kind(const struct rule *r, const char *alias)
{
    if (!alias)
        return NULL;
    for (const struct rule_alias *a = r->aliases; a && a->name; a++)
        if (!strcmp(a->name, alias))
            return a->kind;
    return NULL;
}

static bool eq_nocase(struct str a, const char *b)
{
    return str_eq_nocase(a, str_from_cstr(b));
}

/* "DW" + 1 or 2 digits, optionally padded to three places with x: DW3,
 * DW3xx, DW30, DW30x. */
static bool parse_prefix(struct str s, char prefix[3])
{
    if (s.len < 3 || s.len > 5 || (s.ptr[0] != 'D' && s.ptr[0] != 'd') ||
        (s.ptr[1] != 'W' && s.ptr[1] != 'w'))
        return false;
    size_t i = 2, digits = 0;
    while (i < s.len && isdigit((unsigned char)s.ptr[i]) && digits < 2) {
        prefix[digits++] = s.ptr[i];
        i++;
    }
    prefix[digits] = '\0';
    if (!digits)
        return false;
    size_t xs = s.len - i;
    if (xs && xs != 3 - digits)
        return false;
    for (; i < s.len; i++)
        if (s.ptr[i] != 'x' && s.ptr[i] != 'X')
            return false;
    return true;
}

static bool is_shellcheck(struct str s)
{
    if (s.len < 2 || (s.ptr[0] != 'S' && s.ptr[0] != 's') || (s.ptr[1] != 'C' && s.ptr[1] != 'c'))
        return false;
    if (s.len == 2)
        return true;
    if (s.len > 6)
        return false;
    for (size_t i = 2; i < s.len; i++)
        if (!isdigit((unsigned char)s.ptr[i]))
            return false;
    return true;
}

void eng_name_resolve(const struct rule *const *reg, size_t n, struct str name, bool buildkit,
                      struct eng_name *out)
{
    memset(out, 0, sizeof *out);
    out->cls = ENG_NAME_UNKNOWN;
    name = str_trim(name);
    if (!name.len)
        return;

    /* Ids and rule names, in any case. */
    for (size_t i = 0; i < n; i++) {
        const struct rule *r = reg[i];
        if (eq_nocase(name, r->id) || eq_nocase(name, r->name)) {
            out->cls = ENG_NAME_RULE;
            out->rule = (uint32_t)i;
            out->explicit_rule = true;
            return;
        }
    }
    if (parse_prefix(name, out->prefix)) {
        out->cls = ENG_NAME_PREFIX;
        return;
    }
    /* ALL, as in ruff: the prefix of every rule, so `--ignore ALL --select
     * DW301` runs one rule (the more specific select wins). In a check=
     * pragma "all" keeps BuildKit's meaning, below. */
    if (!buildkit && eq_nocase(name, "ALL")) {
        out->cls = ENG_NAME_PREFIX;
        return;
    }
    if (is_shellcheck(name)) {
        out->cls = ENG_NAME_SHELLCHECK;
        return;
    }
    for (size_t i = 0; i < DW_ARRAY_LEN(retired_ids); i++)
        if (eq_nocase(name, retired_ids[i])) {
            out->cls = ENG_NAME_RETIRED;
            return;
        }
    if (buildkit && str_eq_cstr(name, "all")) {
        out->cls = ENG_NAME_BUILDKIT_ALL;
        return;
    }

    /* Peer aliases: an exact match first; ignoring case is fine everywhere
     * except for BuildKit names in a `check=` pragma, which BuildKit itself
     * compares exactly (so honouring them would silence rules that a real
     * build still reports). */
    const struct rule_alias *nocase = NULL;
    size_t nocase_rule = 0;
    for (size_t i = 0; i < n; i++)
        for (const struct rule_alias *a = reg[i]->aliases; a && a->name; a++) {
            if (str_eq_cstr(name, a->name)) {
                out->cls = ENG_NAME_RULE;
                out->rule = (uint32_t)i;
                out->kind = a->kind;
                out->explicit_rule = true;
                return;
            }
            if (!nocase && eq_nocase(name, a->name)) {
                nocase = a;
                nocase_rule = i;
            }
        }
    if (nocase) {
        if (buildkit && !is_dl_id(nocase->name)) {
            out->case_mismatch = true;
            return;
        }
        out->cls = ENG_NAME_RULE;
        out->rule = (uint32_t)nocase_rule;
        out->kind = nocase->kind;
        out->explicit_rule = true;
    }
}

bool eng_name_matches(const struct eng *e, const struct eng_name *nm, uint32_t rule,
                      const char *kind)
{
    switch (nm->cls) {
    case ENG_NAME_RULE:
        if (nm->rule != rule)
            return false;
        return !nm->kind || (kind && !strcmp(nm->kind, kind));
    case ENG_NAME_PREFIX: {
        const char *id = e->registry[rule]->id;
        size_t k = strlen(nm->prefix);
        return (id[0] == 'D' || id[0] == 'd') && (id[1] == 'W' || id[1] == 'w') &&
               !strncmp(id + 2, nm->prefix, k);
    }
    case ENG_NAME_BUILDKIT_ALL: return e->rules[rule].has_buildkit_alias;
    default: return false;
    }
}

const char *eng_name_suggest(const struct rule *const *reg, size_t n, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3;
    char low[65];
    size_t len = strlen(name);
    if (len >= sizeof low)
        return NULL;
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; i < n; i++) {
        const struct rule *r = reg[i];
        size_t d = cfg_edit_distance(low, r->name, 2);
        if (d < best_d) {
            best_d = d;
            best = r->name;
        }
        for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
            d = cfg_edit_distance(name, a->name, 2);
            if (d < best_d) {
                best_d = d;
                best = a->name;
            }
        }
    }
    return best;
}

const struct rule *eng_rule_find(const struct rule *const *registry, size_t n_rules,
                                 const char *name, const char **alias)
{
    struct eng_name nm;
    eng_name_resolve(registry, n_rules, str_from_cstr(name), false, &nm);
    if (alias)
        *alias = nm.cls == ENG_NAME_RULE ? nm.kind : NULL;
    return nm.cls == ENG_NAME_RULE ? registry[nm.rule] : NULL;
}

const char *eng_severity_name(enum rule_severity s)
{
    switch (s) {
    case SEV_STYLE: return "style";
    case SEV_INFO: return "info";
    case SEV_WARNING: return "warning";
    case SEV_ERROR: return "error";
    }
    return "unknown";
}

const char *eng_category_name(enum rule_category c)
{
    switch (c) {
    case CAT_SYNTAX: return "syntax";
    case CAT_CORRECTNESS: return "correctness";
    case CAT_CACHE: return "cache and layers";
    case CAT_PACKAGES: return "package managers";
    case CAT_SECURITY: return "security";
    case CAT_CONTEXT: return "build context";
    case CAT_STYLE: return "style";
    }
    return "unknown";
}
