/* DW003 unknown-flag: a `--flag` the instruction does not accept, judged
 * against BuildKit's flag set per instruction (dockerfile.md sections 5
 * and 9). ARG, STOPSIGNAL and `HEALTHCHECK NONE` never parse their flags:
 * BuildKit drops them without a word, which is reported too. The fix
 * renames a flag to the known one closest to it, when that one is within
 * edit distance 2 and no other is as close. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] = "## What it does\n"
                          "Reports a `--flag` that the instruction does not accept: a misspelt\n"
                          "flag (`COPY --chwon`, `FROM --plaform`), a flag of another instruction\n"
                          "(`COPY --checksum`), or any flag on an instruction that takes none\n"
                          "(`CMD --help`). Flags on ARG, STOPSIGNAL and `HEALTHCHECK NONE` are\n"
                          "reported as well: BuildKit drops them there without a word.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "BuildKit refuses the Dockerfile with `unknown flag`, so nothing is\n"
                          "built. Where flags are dropped silently, the option the author meant\n"
                          "never takes effect.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "COPY --chwon=app:app src/ /app/\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "COPY --chown=app:app src/ /app/\n"
                          "```\n"
                          "\n"
                          "## Fix safety\n"
                          "Unsafe. When one flag of the instruction is closer to the unknown name\n"
                          "than any other and within two edits of it, the fix renames the flag\n"
                          "(`--chwon` becomes `--chown`).\n"
                          "BuildKit refused the original file, so the fixed one applies an option\n"
                          "for the first time: check that it is the one you meant.\n";

/* BuildKit's flags per instruction (dockerfile.md sections 5 and 9). */
static const char *const from_flags[] = { "platform", NULL };
static const char *const run_flags[] = { "mount", "network", "security", "device", NULL };
static const char *const add_flags[] = { "chown",    "chmod",  "link",    "keep-git-dir",
                                         "checksum", "unpack", "exclude", NULL };
static const char *const copy_flags[] = { "from",    "chown",   "chmod", "link",
                                          "parents", "exclude", NULL };
static const char *const healthcheck_flags[] = { "interval",       "timeout", "start-period",
                                                 "start-interval", "retries", NULL };
static const char *const no_flags[] = { NULL };

/* Whether BuildKit parses the flags of this instruction at all: ARG,
 * STOPSIGNAL and `HEALTHCHECK NONE` never call the flag parser. */
static bool flags_dropped(const struct df_instr *in)
{
    if (in->kind == DF_ARG || in->kind == DF_STOPSIGNAL)
        return true;
    return in->kind == DF_HEALTHCHECK && in->n_args &&
           str_eq_nocase(in->args[0].raw, STR_LIT("NONE"));
}

static const char *const *flags_of(enum df_kind kind)
{
    switch (kind) {
    case DF_FROM: return from_flags;
    case DF_RUN: return run_flags;
    case DF_ADD: return add_flags;
    case DF_COPY: return copy_flags;
    case DF_HEALTHCHECK: return healthcheck_flags;
    default: return no_flags;
    }
}

/* Edit distance between a[0..n) and b, ignoring case. */
static unsigned distance(const char *a, size_t n, const char *b)
{
    return str_distance(str_make(a, n), str_from_cstr(b), true);
}

/* The known flag closest to name when it is within two edits and no
 * other flag is as close (`chwon` is one transposition from `chown` and
 * two edits from `chmod`), else NULL. */
static const char *suggest(const char *const *known, struct str name)
{
    const char *best = NULL;
    unsigned best_d = 3;
    int ties = 0;
    for (size_t k = 0; known[k]; k++) {
        unsigned d = distance(name.ptr, name.len, known[k]);
        if (d < best_d) {
            best = known[k];
            best_d = d;
            ties = 1;
        } else if (d == best_d) {
            ties++;
        }
    }
    return ties == 1 ? best : NULL;
}

static bool known_flag(const char *const *known, struct str name)
{
    for (size_t k = 0; known[k]; k++)
        if (str_eq_cstr(name, known[k]))
            return true;
    return false;
}

/* "--name" of a flag: from its dashes to the end of its name. */
static struct span flag_word(const struct df_flag *fl)
{
    uint32_t end = fl->name.span.end > fl->span.start ? fl->name.span.end : fl->span.end;
    return span_make(fl->span.start, end);
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    /* Flags of a line the grammar could not read may be debris of the
     * error recovery; DW001 reports that line. */
    if (in->has_syntax_error || !in->n_flags)
        return;
    const char *kw = df_kind_name(in->kind);
    if (flags_dropped(in)) {
        const char *what = in->kind == DF_HEALTHCHECK ? "HEALTHCHECK NONE" : kw;
        for (uint32_t i = 0; i < in->n_flags; i++) {
            const struct df_flag *fl = &in->flags[i];
            rule_report(ctx, flag_word(fl),
                        "flag --%.*s has no effect: BuildKit drops the flags of %s without a word",
                        STR_FMT(fl->name.raw), what);
        }
        return;
    }
    const char *const *known = flags_of(in->kind);
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        struct str name = fl->name.raw;
        if (!name.ptr || !name.len || known_flag(known, name))
            continue;
        if (!known[0]) {
            rule_report(ctx, flag_word(fl), "unknown flag: --%.*s (%s takes no flags)",
                        STR_FMT(name), kw);
            continue;
        }
        const char *better = suggest(known, name);
        if (!better) {
            rule_report(ctx, flag_word(fl), "unknown flag: --%.*s (not a flag of %s)",
                        STR_FMT(name), kw);
            continue;
        }
        struct rule_finding *f = rule_report(
            ctx, flag_word(fl), "unknown flag: --%.*s (did you mean --%s?)", STR_FMT(name), better);
        if (!f)
            continue;
        struct edit e = { fl->name.span.start, fl->name.span.end, str_from_cstr(better) };
        rule_finding_fix(f, FIX_UNSAFE, rule_printf(ctx, "rename to --%s", better), &e, 1);
    }
}

const struct rule rule_DW003 = {
    .id = "DW003",
    .name = "unknown-flag",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "the instruction does not accept this flag",
    .on = DF_ON_ALL & ~DF_ON(DF_UNKNOWN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
