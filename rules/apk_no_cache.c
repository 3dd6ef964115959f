/* DW305 apk-no-cache: `apk add` without --no-cache keeps the package index
 * in /var/cache/apk (hadolint DL3019). Removing the cache later in the
 * same RUN, or a cache/tmpfs mount on it, is fine too. The fix adds
 * --no-cache and drops what becomes redundant; it is safe only when no
 * later RUN building on this layer runs `apk add` relying on the index. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports `apk add` without `--no-cache` when the same RUN does not remove\n"
    "`/var/cache/apk/*` afterwards; `--update`/`-U` does not count. Exempt: a\n"
    "cache or tmpfs mount on `/var/cache/apk` or `/etc/apk/cache`. Only output\n"
    "stages are checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "The package index fetched by `apk update` or `apk add --update` stays in\n"
    "the layer, a few megabytes the image never uses.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN apk update && apk add curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN apk add --no-cache curl\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "The fix adds `--no-cache` and drops the now redundant `apk update &&` and\n"
    "`--update` of this RUN. It is safe when no later RUN of the stage, or of\n"
    "a stage built on it, runs `apk add` without `--no-cache`/`--update`: that\n"
    "step would find no index. Otherwise it is unsafe.\n";

static const struct rule_alias aliases[] = {
    { "DL3019", NULL },
    { NULL, NULL },
};

static const char *const mount_dirs[] = { "/var/cache/apk", "/etc/apk/cache", NULL };

static bool is_add(const struct sh_call *c)
{
    if (!sh_call_is(c, "apk"))
        return false;
    const struct sh_word *sub = pm_operand(c, 0, &pm_apk_spec);
    return sub && sh_word_is(sub, "add");
}

/* --no-network installs from what is already local and fetches no index. */
static bool has_no_cache(const struct sh_call *c)
{
    return sh_call_has_long(c, "no-cache", &pm_apk_spec) ||
           sh_call_has_long(c, "no-network", &pm_apk_spec);
}

static bool has_update(const struct sh_call *c)
{
    return sh_call_has_long(c, "update", &pm_apk_spec) || sh_call_has_short(c, 'U', &pm_apk_spec);
}

/* Whether a later RUN building on in's layer needs the index. */
static bool later_needs_index(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = in->index + 1; i < m->n_all_instrs; i++) {
        const struct df_instr *o = m->all_instrs[i];
        if (o->kind != DF_RUN || o->parent || !pm_stage_builds_on(m, o->stage, in->stage))
            continue;
        uint32_t n;
        const struct sh_visit *const *cmds = pm_run_cmds(ctx, o, &n);
        bool updated = false;
        for (uint32_t k = 0; k < n; k++) {
            const struct sh_call *c = &cmds[k]->call;
            if (!sh_call_is(c, "apk"))
                continue;
            const struct sh_word *sub = pm_operand(c, 0, &pm_apk_spec);
            if (sub && sh_word_is(sub, "update"))
                updated = true;
            else if (is_add(c) && !updated && !has_no_cache(c) && !has_update(c))
                return true;
        }
    }
    return false;
}

/* The deletion of `apk update && ` when c is an element of an && list
 * followed by another command. */
static bool drop_update(const struct sh_call *c, struct edit *e)
{
    const struct sh_node *node = c->node;
    if (c->argv != node->argv || node->argc != 2 || node->n_assigns || node->redirs)
        return false;
    const struct sh_node *p = node->parent;
    if (!p || p->kind != SH_AND_OR)
        return false;
    for (uint32_t k = 0; k + 1 < p->n_kids; k++)
        if (p->kids[k] == node && p->kids[k + 1]->op == SH_OP_AND &&
            (k == 0 || node->op == SH_OP_AND)) {
            *e = (struct edit){ node->span.start, p->kids[k + 1]->span.start, STR_NULL };
            return true;
        }
    return false;
}

/* Whether `apk update` can go: every other apk command of the RUN is the
 * add being fixed, a removal, or fetches the index itself (apk upgrade
 * would silently find nothing to upgrade without it). */
static bool update_droppable(const struct sh_visit *const *cmds, uint32_t n,
                             const struct sh_call *add)
{
    for (uint32_t k = 0; k < n; k++) {
        const struct sh_call *c = &cmds[k]->call;
        if (c == add || !sh_call_is(c, "apk"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apk_spec);
        if (sub && (sh_word_is(sub, "update") || sh_word_is(sub, "del")))
            continue;
        if (is_add(c) && (has_no_cache(c) || has_update(c)))
            continue;
        return false;
    }
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in) || pm_cache_mount(in, mount_dirs))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    uint32_t n_bad = 0;
    for (uint32_t i = 0; i < n; i++)
        if (is_add(&cmds[i]->call) && !has_no_cache(&cmds[i]->call))
            n_bad++;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!is_add(c) || has_no_cache(c))
            continue;
        bool removed = false;
        for (uint32_t k = i + 1; k < n && !removed; k++)
            removed = pm_rm_covers(&cmds[k]->call, "/var/cache/apk");
        if (removed)
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apk_spec);
        struct rule_finding *f = rule_report(
            ctx, sub->span, "'apk add' without --no-cache leaves the package index in the layer");
        if (!f || !pm_fixable(in))
            continue;
        struct edit e[8];
        uint32_t ne = 0;
        /* Drop `apk update &&` before this add when this add is the only
         * one of the RUN still using the cache and nothing else needs the
         * index. */
        bool drop = n_bad == 1 && update_droppable(cmds, n, c);
        for (uint32_t k = 0; k < i && drop && ne < 4; k++) {
            const struct sh_call *u = &cmds[k]->call;
            const struct sh_word *us = sh_call_is(u, "apk") ? pm_operand(u, 0, &pm_apk_spec) : NULL;
            if (us && sh_word_is(us, "update") && drop_update(u, &e[ne]))
                ne++;
        }
        e[ne++] = (struct edit){ sub->span.end, sub->span.end, STR_LIT(" --no-cache") };
        struct sh_arg_iter it;
        struct sh_arg a;
        sh_arg_iter_init(&it, c, 1, &pm_apk_spec);
        while (sh_arg_next(&it, &a) && ne < 8) {
            bool upd = (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "update") && !a.has_value) ||
                       (a.kind == SH_ARG_SHORT && str_eq_cstr(a.name, "U"));
            if (upd && a.index > 0 &&
                sh_word_is(&c->argv[a.index], a.kind == SH_ARG_SHORT ? "-U" : "--update"))
                e[ne++] = (struct edit){ c->argv[a.index - 1].span.end, c->argv[a.index].span.end,
                                         STR_NULL };
        }
        bool unsafe = in->parent || later_needs_index(ctx, in);
        rule_finding_fix(f, unsafe ? FIX_UNSAFE : FIX_SAFE, "use apk add --no-cache", e, ne);
    }
}

const struct rule rule_DW305 = {
    .id = "DW305",
    .name = "apk-no-cache",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "apk add keeps the package index in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
