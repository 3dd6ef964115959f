/* DW103 undefined-arg-in-from: a FROM image or `--platform` value uses a
 * variable that is neither a global ARG (declared before the first FROM)
 * nor one of BuildKit's automatic platform ARGs. FROM lines are expanded
 * in the global scope only (dockerfile.md section 11), so the variable is
 * always empty there, whatever `--build-arg` says. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a variable in a FROM image or in `FROM --platform=` that is not\n"
    "a global ARG (an ARG before the first FROM) and not one of the automatic\n"
    "platform ARGs (`TARGETPLATFORM`, `BUILDARCH`, ...). A close global name is\n"
    "suggested.\n"
    "\n"
    "## Why is this bad?\n"
    "FROM lines see only global ARGs. Any other variable expands to the empty\n"
    "string, and `--build-arg` cannot set it: the build pulls another image\n"
    "than intended, or fails on an empty or malformed name. An ARG declared\n"
    "inside a stage is not visible to the next FROM.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "ARG VERSION=3.20\n"
    "FROM alpine:${VERSOIN}\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "ARG VERSION=3.20\n"
    "FROM alpine:${VERSION}\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. When exactly one global or automatic platform ARG is closest to\n"
    "the name (within two edits), the fix writes that name. The image the\n"
    "stage builds on changes, which is the point, but check that it is the one\n"
    "you meant.\n";

static const struct rule_alias aliases[] = {
    { "UndefinedArgInFrom", NULL },
    { NULL, NULL },
};

static const char *const platform_args[] = {
    "TARGETPLATFORM", "TARGETOS",      "TARGETOSVERSION", "TARGETARCH",
    "TARGETVARIANT",  "BUILDPLATFORM", "BUILDOS",         "BUILDOSVERSION",
    "BUILDARCH",      "BUILDVARIANT",  "TARGETSTAGE",
};

/* Edit distance, ASCII case folded, where a difference in case alone
 * counts as one edit. */
static unsigned distance(struct str a, struct str b)
{
    if (str_eq_nocase(a, b))
        return str_eq(a, b) ? 0 : 1;
    return str_distance(a, b, true);
}

/* How many edits a name of n bytes may be away from a suggestion: two at
 * most, fewer for short names, where two edits reach unrelated names. */
static unsigned max_edits(size_t n)
{
    return n <= 2 ? 0 : n <= 4 ? 1 : 2;
}

/* A name `$name` can reference: letters, digits and `_`, not starting
 * with a digit (a suggestion must survive being written after `$`). */
static bool is_name(struct str s)
{
    if (!s.len || isdigit((unsigned char)s.ptr[0]))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!isalnum((unsigned char)s.ptr[i]) && s.ptr[i] != '_')
            return false;
    return true;
}

struct suggestion {
    struct str best;
    unsigned dist;
    bool unique;
};

static void consider(struct suggestion *s, struct str name, struct str cand)
{
    if (!is_name(cand) || str_eq(name, cand))
        return;
    unsigned d = distance(name, cand);
    if (d > max_edits(name.len))
        return;
    if (!s->best.ptr || d < s->dist) {
        s->best = cand;
        s->dist = d;
        s->unique = true;
    } else if (d == s->dist && !str_eq(cand, s->best)) {
        s->unique = false;
    }
}

/* The closest global or platform ARG to name, or STR_NULL. */
static struct str suggest(struct rule_ctx *ctx, const struct df_instr *from, struct str name)
{
    const struct df_model *m = rule_model(ctx);
    const struct df_file *f = rule_file(ctx);
    struct suggestion s = { STR_NULL, 0, false };
    for (uint32_t i = 0; i < m->n_instrs; i++) {
        const struct df_instr *in = m->instrs[i];
        if (in->kind == DF_FROM || in->index >= from->index)
            break;
        if (in->kind != DF_ARG)
            continue;
        for (uint32_t k = 0; k < in->n_pairs; k++)
            consider(&s, name, in->pairs[k].key.raw);
    }
    for (size_t i = 0; i < sizeof platform_args / sizeof *platform_args; i++)
        consider(&s, name, str_from_cstr(platform_args[i]));
    if (!s.best.ptr || !s.unique)
        return STR_NULL;
    struct df_var v;
    if (!df_lookup(f, from, s.best, &v))
        return STR_NULL;
    return s.best;
}

/* The first ARG instruction inside a stage that declares name, or NULL. */
static const struct df_instr *stage_arg(const struct df_model *m, struct str name)
{
    for (uint32_t i = 0; i < m->n_instrs; i++) {
        const struct df_instr *in = m->instrs[i];
        if (in->kind != DF_ARG || in->stage < 0)
            continue;
        for (uint32_t k = 0; k < in->n_pairs; k++)
            if (str_eq(in->pairs[k].key.raw, name))
                return in;
    }
    return NULL;
}

static void check_word(struct rule_ctx *ctx, const struct df_instr *in, const struct df_text *word,
                       const char *where)
{
    const struct df_file *f = rule_file(ctx);
    if (!word->raw.ptr || !word->raw.len || !memchr(word->raw.ptr, '$', word->raw.len))
        return;
    struct exp_result r;
    struct err err;
    if (df_expand(f, in, word, 0, &r, &err) != 0)
        return; /* DW015 */
    for (size_t i = 0; i < r.n_refs; i++) {
        const struct exp_ref *ref = &r.refs[i];
        if (ref->kind != EXP_REF_NAME)
            continue;
        struct df_var v;
        if (df_lookup(f, in, ref->name, &v))
            continue;
        struct str sug = suggest(ctx, in, ref->name);
        const struct df_instr *local = stage_arg(rule_model(ctx), ref->name);
        const char *hint = sug.ptr ? rule_printf(ctx, " (did you mean '%.*s'?)", STR_FMT(sug)) : "";
        struct rule_finding *rf;
        if (local) {
            uint32_t line, col;
            df_file_locate(f, local->span.start, &line, &col);
            rf = rule_report(ctx, ref->span,
                             "'%.*s' in %s is declared by an ARG inside a stage (line %u); FROM "
                             "lines see only ARGs declared before the first FROM%s",
                             STR_FMT(ref->name), where, line, hint);
        } else {
            rf = rule_report(ctx, ref->span,
                             "'%.*s' in %s is not a global ARG or an automatic platform ARG%s",
                             STR_FMT(ref->name), where, hint);
        }
        if (rf && sug.ptr) {
            struct edit e = { ref->name_span.start, ref->name_span.end, sug };
            rule_finding_fix(rf, FIX_UNSAFE, rule_printf(ctx, "replace with %.*s", STR_FMT(sug)),
                             &e, 1);
        }
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_flag *fl = df_instr_flag(in, "platform");
    if (fl)
        check_word(ctx, in, &fl->value, "FROM --platform");
    check_word(ctx, in, &in->image.text, "the FROM image");
}

const struct rule rule_DW103 = {
    .id = "DW103",
    .name = "undefined-arg-in-from",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a FROM line uses a variable that is no global ARG",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
