/* DW101 undefined-variable: a variable that the builder expands (not the
 * shell) names nothing in scope: no ARG declared earlier in the stage or its
 * in-file parents, no ENV, nothing the base image sets. BuildKit reports the
 * same as UndefinedVar and expands it to the empty string.
 *
 * The base image's environment is known only for stages that build on
 * scratch (through in-file parents or directly): it holds PATH alone. For
 * any other base image a name could come from its config, so only names
 * within a few edits of a name in scope (typos) and global ARGs that the
 * stage did not redeclare are reported. */
#include "analyzer/rule_api.h"
#include "rules/workdir.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a variable in a place the builder expands (ENV, LABEL, ARG\n"
    "defaults, COPY/ADD sources, destination and flags, WORKDIR, USER, VOLUME,\n"
    "STOPSIGNAL, EXPOSE, `RUN --mount` values, COPY/ADD heredocs with an\n"
    "unquoted delimiter) that is not an ARG declared earlier in scope, not set\n"
    "by ENV in the stage or its in-file parents, and not in the base image's\n"
    "environment. A global ARG (declared before the first FROM) that the stage\n"
    "did not redeclare gets a message saying so. Forms with a fallback\n"
    "(`${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`) are not reported.\n"
    "\n"
    "When the base image's environment is unknown (anything but `scratch`),\n"
    "only names within two edits of a name in scope are reported, as likely\n"
    "typos, since the base image may set the others.\n"
    "\n"
    "## Why is this bad?\n"
    "An undefined variable expands to the empty string without any error:\n"
    "`COPY app /opt/$APP_HOME/` copies to `/opt/`, `USER $APP_USR` runs as\n"
    "root. Global ARGs are visible only in FROM lines until a stage declares\n"
    "them again with `ARG NAME`.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ARG APP_HOME=/srv/app\n"
    "WORKDIR $APP_HOEM\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ARG APP_HOME=/srv/app\n"
    "WORKDIR $APP_HOME\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. When exactly one name in scope is closest to the undefined one\n"
    "(within two edits), the fix replaces the name with it. The value that\n"
    "gets expanded changes from empty to that variable's, which changes the\n"
    "image: check that the suggestion is what you meant.\n";

static const struct rule_alias aliases[] = {
    { "UndefinedVar", NULL },
    { NULL, NULL },
};

static const char *const platform_args[] = {
    "TARGETPLATFORM", "TARGETOS",      "TARGETOSVERSION", "TARGETARCH",
    "TARGETVARIANT",  "BUILDPLATFORM", "BUILDOS",         "BUILDOSVERSION",
    "BUILDARCH",      "BUILDVARIANT",  "TARGETSTAGE",
};

#define N_PLATFORM_ARGS (sizeof platform_args / sizeof *platform_args)

/* ------------------------------------------------------------ suggestions */

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
    struct rule_ctx *ctx;
    const struct df_instr *at;
    struct str name;
    struct str best;
    unsigned dist;
    bool unique;
};

/* A candidate counts only when it really is in scope at `at` (checked
 * unless the caller knows it is: earlier pairs of the same global ARG). */
static void consider(struct suggestion *s, struct str cand, bool in_scope)
{
    if (!is_name(cand) || str_eq(s->name, cand))
        return;
    unsigned d = distance(s->name, cand);
    if (d > max_edits(s->name.len))
        return;
    if (s->best.ptr && str_eq(cand, s->best))
        return;
    struct df_var v;
    if (!in_scope && !df_lookup(rule_file(s->ctx), s->at, cand, &v))
        return;
    if (!s->best.ptr || d < s->dist) {
        s->best = cand;
        s->dist = d;
        s->unique = true;
    } else if (d == s->dist) {
        s->unique = false;
    }
}

static void consider_pairs(struct suggestion *s, const struct df_instr *x, uint32_t n,
                           bool in_scope)
{
    if (x->kind != DF_ARG && x->kind != DF_ENV)
        return;
    for (uint32_t k = 0; k < n && k < x->n_pairs; k++)
        consider(s, x->pairs[k].key.raw, in_scope);
}

/* The names in scope at `in` (ARG and ENV keys of the stage before it and
 * of its in-file parents; for a global ARG, the global ARGs before it and
 * the platform ARGs), the closest one if it is the only one that close.
 * *near tells whether any name was within reach, unique or not. */
static struct str suggest(struct rule_ctx *ctx, const struct df_instr *in, struct str name,
                          uint32_t pair, bool *near)
{
    const struct df_model *m = rule_model(ctx);
    struct suggestion s = { ctx, in, name, STR_NULL, 0, false };
    if (in->stage < 0) {
        for (uint32_t i = 0; i < m->n_instrs && m->instrs[i] != in; i++)
            consider_pairs(&s, m->instrs[i], UINT32_MAX, false);
        for (size_t i = 0; i < N_PLATFORM_ARGS; i++)
            consider(&s, str_from_cstr(platform_args[i]), false);
    } else {
        int stage = in->stage;
        bool own = true;
        for (uint32_t steps = 0;
             stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages; steps++) {
            const struct df_stage *st = &m->stages[stage];
            for (uint32_t i = 0; i < st->n_instrs; i++) {
                if (own && st->instrs[i]->index >= in->index)
                    break;
                consider_pairs(&s, st->instrs[i], UINT32_MAX, false);
            }
            own = false;
            stage = st->base_stage;
        }
    }
    /* Earlier pairs of a global ARG are visible to its later defaults. */
    if (in->stage < 0)
        consider_pairs(&s, in, pair, true);
    *near = s.best.ptr != NULL;
    return s.best.ptr && s.unique ? s.best : STR_NULL;
}

/* ------------------------------------------------------------------ scope */

/* Whether pairs [0, n) of x set name (same-instruction references). */
static bool earlier_pair(const struct df_instr *x, uint32_t n, struct str name)
{
    for (uint32_t k = 0; k < n && k < x->n_pairs; k++)
        if (str_eq(x->pairs[k].key.raw, name))
            return true;
    return false;
}

/* ----------------------------------------------------------------- check */

struct word_ctx {
    const struct df_instr *in;
    uint32_t pair;  /* ARG/ENV: the pair the word belongs to, else UINT32_MAX */
    bool known_env; /* the base environment is known (scratch, global scope) */
};

static void check_ref(struct rule_ctx *ctx, const struct word_ctx *w, const struct exp_ref *ref)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    const struct df_instr *in = w->in;
    if (ref->kind != EXP_REF_NAME || !ref->name.len)
        return;
    switch (ref->mod) {
    case EXP_MOD_DEFAULT:
    case EXP_MOD_DEFAULT_NULL:
    case EXP_MOD_ALT:
    case EXP_MOD_ALT_NULL: return; /* the author planned for it being unset */
    default: break;
    }
    struct df_var v;
    if (df_lookup(f, in, ref->name, &v))
        return;
    if (w->pair != UINT32_MAX) {
        /* Global ARGs are evaluated pair by pair; an ENV that uses a pair
         * of the same instruction is DW117's finding. */
        if (in->stage < 0 && in->kind == DF_ARG && earlier_pair(in, w->pair, ref->name))
            return;
        if (in->kind == DF_ENV && earlier_pair(in, w->pair, ref->name))
            return;
    }
    if (w->known_env && in->stage >= 0 && str_eq_cstr(ref->name, "PATH"))
        return; /* BuildKit gives scratch stages a default PATH */

    /* A global ARG or automatic platform ARG that the stage did not
     * redeclare: visible in FROM lines only. */
    if (in->stage >= 0 && (uint32_t)in->stage < m->n_stages && m->stages[in->stage].from) {
        struct df_var g;
        if (df_lookup(f, m->stages[in->stage].from, ref->name, &g)) {
            rule_report(ctx, ref->span,
                        "'%.*s' is %s that this stage does not redeclare: add 'ARG %.*s' to the "
                        "stage to use it here",
                        STR_FMT(ref->name),
                        g.defined_at ? "a global ARG" : "an automatic platform ARG",
                        STR_FMT(ref->name));
            return;
        }
    }
    /* `ENV LD_LIBRARY_PATH=/opt/lib:$LD_LIBRARY_PATH` extends what the
     * base image may set; with its environment unknown, that is no typo. */
    if (!w->known_env && in->kind == DF_ENV && w->pair < in->n_pairs &&
        str_eq(in->pairs[w->pair].key.raw, ref->name))
        return;
    bool near = false;
    struct str sug = suggest(ctx, in, ref->name, w->pair, &near);
    if (!w->known_env && !near)
        return; /* the base image may set it */
    struct rule_finding *rf;
    if (sug.ptr)
        rf = rule_report(ctx, ref->span, "variable '%.*s' is not defined (did you mean '%.*s'?)",
                         STR_FMT(ref->name), STR_FMT(sug));
    else if (in->stage < 0)
        rf = rule_report(ctx, ref->span,
                         "variable '%.*s' is not defined: only the global ARGs before it and the "
                         "automatic platform ARGs are visible here",
                         STR_FMT(ref->name));
    else
        rf = rule_report(ctx, ref->span,
                         "variable '%.*s' is not defined: no ARG or ENV of this stage, its parent "
                         "stages or the base image sets it",
                         STR_FMT(ref->name));
    if (rf && sug.ptr) {
        struct edit e = { ref->name_span.start, ref->name_span.end, sug };
        rule_finding_fix(rf, FIX_UNSAFE, rule_printf(ctx, "replace with %.*s", STR_FMT(sug)), &e,
                         1);
    }
}

static void check_word(struct rule_ctx *ctx, const struct word_ctx *w, const struct df_text *word,
                       unsigned flags)
{
    if (!word->raw.ptr || !memchr(word->raw.ptr, '$', word->raw.len))
        return;
    struct exp_result r;
    struct err err;
    if (df_expand(rule_file(ctx), w->in, word, flags, &r, &err) != 0)
        return; /* DW015 */
    for (size_t i = 0; i < r.n_refs; i++)
        check_ref(ctx, w, &r.refs[i]);
}

static void check_words(struct rule_ctx *ctx, const struct word_ctx *w, const struct df_text *words,
                        uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        check_word(ctx, w, &words[i], 0);
}

static void check_flag(struct rule_ctx *ctx, const struct word_ctx *w, const char *name)
{
    const struct df_flag *fl = df_instr_flag(w->in, name);
    if (fl && fl->value.raw.ptr)
        check_word(ctx, w, &fl->value, 0);
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    /* Only ARGs live before the first FROM (anything else is DW011). */
    if (in->stage < 0 && in->kind != DF_ARG)
        return;
    struct word_ctx w = { in, UINT32_MAX, in->stage < 0 || wd_root_is_scratch(m, in->stage) };
    switch (in->kind) {
    case DF_ENV:
    case DF_LABEL:
    case DF_ARG:
        for (uint32_t k = 0; k < in->n_pairs; k++) {
            w.pair = k;
            if (in->kind != DF_ARG)
                check_word(ctx, &w, &in->pairs[k].key, 0);
            if (in->pairs[k].value.raw.ptr)
                check_word(ctx, &w, &in->pairs[k].value, 0);
        }
        break;
    case DF_COPY:
    case DF_ADD:
        check_flag(ctx, &w, "chown");
        check_flag(ctx, &w, "chmod");
        if (in->kind == DF_ADD)
            check_flag(ctx, &w, "checksum");
        if (in->form == DF_FORM_EXEC)
            check_words(ctx, &w, in->exec, in->n_exec);
        else
            check_words(ctx, &w, in->args, in->n_args);
        for (uint32_t k = 0; k < in->n_heredocs; k++) {
            const struct df_heredoc *h = &in->heredocs[k];
            if (h->quoted || h->body.end <= h->body.start || h->body.end > f->len)
                continue;
            struct df_text body = { str_make(f->src + h->body.start, span_len(h->body)), h->body };
            check_word(ctx, &w, &body, EXP_NO_QUOTES);
        }
        break;
    case DF_WORKDIR:
    case DF_USER:
    case DF_STOPSIGNAL:
    case DF_EXPOSE: check_words(ctx, &w, in->args, in->n_args); break;
    case DF_VOLUME:
        if (in->form == DF_FORM_EXEC)
            check_words(ctx, &w, in->exec, in->n_exec);
        else
            check_words(ctx, &w, in->args, in->n_args);
        break;
    case DF_RUN:
        for (uint32_t i = 0; i < in->n_flags; i++) {
            const struct df_flag *fl = &in->flags[i];
            if (!str_eq_nocase(fl->name.raw, STR_LIT("mount")))
                continue;
            /* `from` is never expanded (DW004 reports a variable in it). */
            for (uint32_t k = 0; k < fl->n_mount; k++)
                if (fl->mount[k].value.raw.ptr &&
                    !str_eq_nocase(fl->mount[k].key.raw, STR_LIT("from")))
                    check_word(ctx, &w, &fl->mount[k].value, 0);
        }
        break;
    default: break;
    }
}

const struct rule rule_DW101 = {
    .id = "DW101",
    .name = "undefined-variable",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a variable the builder expands is not defined",
    .aliases = aliases,
    .on = DF_ON(DF_ENV) | DF_ON(DF_LABEL) | DF_ON(DF_ARG) | DF_ON(DF_COPY) | DF_ON(DF_ADD) |
          DF_ON(DF_WORKDIR) | DF_ON(DF_USER) | DF_ON(DF_STOPSIGNAL) | DF_ON(DF_EXPOSE) |
          DF_ON(DF_VOLUME) | DF_ON(DF_RUN),
    .check = check,
    .doc = doc,
};
