/* DW202 apt-update-alone: a RUN refreshes the apt package lists and then
 * uses them for nothing: no install, upgrade or query follows in the same
 * RUN, and no local script that might install. The lists end up in a
 * cached layer, and a later RUN installs from them long after they went
 * stale (Trivy DS-0017, Checkov CKV_DOCKER_5). The fix moves the update to
 * the front of the RUN that installs. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports `apt-get update` (also `apt update` and `aptitude update`) in a\n"
    "RUN when nothing after it in the same RUN uses the package lists: no\n"
    "`install`, `upgrade`, `dist-upgrade`, `full-upgrade`, `build-dep`,\n"
    "`source` or `download` of apt-get, apt or aptitude, no `apt-cache`\n"
    "query, and no local script (which may install).\n"
    "\n"
    "## Why is this bad?\n"
    "The refreshed lists are cached with the layer of this RUN. A later RUN\n"
    "that installs is rebuilt when its own text changes, but this layer is\n"
    "not, so the install asks for package versions from old lists; once the\n"
    "mirror drops them, the build fails with 404 errors.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update\n"
    "RUN apt-get install -y --no-install-recommends curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe when the next RUN of the stage (comments aside) carries the same\n"
    "flags, is shell form without heredocs, installs with apt and has a\n"
    "single command list without a top-level `||`: the update moves to the\n"
    "front of that RUN (`apt-get update && ...`) and is dropped here, with\n"
    "the whole RUN when nothing else remains. Unsafe when the installing RUN\n"
    "comes later, after other instructions, or with other flags or a command\n"
    "list the `&&` would change. No fix when no later RUN of the stage\n"
    "installs with apt, or when the update is not a plain `&&` step.\n";

static const char *const apt_long_values[] = {
    "option", "config-file", "target-release", "default-release", NULL,
};
static const struct sh_flag_spec apt_spec = { "oct", apt_long_values, false };

static bool is_apt(const struct sh_call *c)
{
    struct str n = sh_call_name(c);
    /* tonistiigi/xx's cross-compiling wrappers take the same arguments. */
    if (str_starts_with(n, STR_LIT("xx-")))
        n = str_slice(n, 3, n.len);
    return str_eq_cstr(n, "apt-get") || str_eq_cstr(n, "apt") || str_eq_cstr(n, "aptitude");
}

/* The subcommand of an apt-get/apt/aptitude call, or NULL. */
static const struct sh_word *apt_subcommand(const struct sh_call *c)
{
    if (!is_apt(c))
        return NULL;
    return sh_call_operand(c, 0, &apt_spec);
}

static bool is_update(const struct sh_call *c)
{
    const struct sh_word *w = apt_subcommand(c);
    return w && sh_word_is(w, "update");
}

/* Whether the call reads the package lists (or may: a local script). */
static bool uses_lists(const struct sh_call *c)
{
    static const char *const subs[] = {
        "install", "upgrade",  "dist-upgrade", "full-upgrade", "build-dep",
        "source",  "download", "reinstall",    "safe-upgrade", "satisfy",
    };
    if (sh_call_is(c, "apt-cache"))
        return true;
    const struct sh_word *w = apt_subcommand(c);
    if (w) {
        for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
            if (sh_word_is(w, subs[i]))
                return true;
        return false;
    }
    struct str name = c->argv[0].value;
    if (str_ends_with(name, STR_LIT(".sh")))
        return true;
    if (memchr(name.ptr, '/', name.len) && !str_starts_with(name, STR_LIT("/usr/")) &&
        !str_starts_with(name, STR_LIT("/bin/")) && !str_starts_with(name, STR_LIT("/sbin/")))
        return true;
    if (sh_call_is(c, "source") || sh_call_is(c, "."))
        return true;
    if (sh_call_is(c, "sh") || sh_call_is(c, "bash") || sh_call_is(c, "dash") ||
        sh_call_is(c, "ash") || sh_call_is(c, "zsh")) {
        /* `sh script.sh` runs a file; `sh -c '...'` is read as a nested
         * script whose commands are visited on their own. */
        for (uint32_t i = 1; i < c->argc; i++) {
            struct str a = c->argv[i].value;
            if (a.len && a.ptr[0] == '-') {
                if (strchr(a.ptr, 'c'))
                    return false;
                continue;
            }
            return true;
        }
    }
    return false;
}

/* Whether the RUN script installs with apt with no update of its own
 * before the install. */
static bool installs_without_update(const struct sh_script *s)
{
    for (uint32_t i = 0; i < s->n_cmds; i++) {
        const struct sh_call *c = &s->cmds[i].call;
        if (is_update(c))
            return false;
        if (is_apt(c) && uses_lists(c))
            return true;
    }
    return false;
}

static bool flags_equal(const struct df_instr *a, const struct df_instr *b)
{
    if (a->n_flags != b->n_flags)
        return false;
    for (uint32_t i = 0; i < a->n_flags; i++) {
        const struct df_flag *x = &a->flags[i], *y = &b->flags[i];
        if (!str_eq(x->name.raw, y->name.raw) ||
            (x->value.raw.ptr == NULL) != (y->value.raw.ptr == NULL) ||
            (x->value.raw.ptr && !str_eq(x->value.raw, y->value.raw)))
            return false;
    }
    return true;
}

static bool plain_shell_run(const struct df_instr *in)
{
    return in->kind == DF_RUN && in->form == DF_FORM_SHELL && in->n_heredocs == 0 && in->script &&
           !in->has_syntax_error && in->script->n_problems == 0;
}

/* A single command list: `a`, or `a && b ...` without `||` or `&`. */
static bool single_and_list(const struct sh_script *s)
{
    const struct sh_node *root = s->root;
    if (root->n_kids != 1 || root->kids[0]->background)
        return false;
    const struct sh_node *k = root->kids[0];
    if (k->kind == SH_AND_OR)
        for (uint32_t i = 1; i < k->n_kids; i++)
            if (k->kids[i]->op != SH_OP_AND)
                return false;
    return true;
}

/* The span of the instruction's whole lines, line ending included. */
static struct span whole_lines(const struct df_file *f, struct span s)
{
    uint32_t a = s.start, b = s.end;
    while (a > 0 && f->src[a - 1] != '\n')
        a--;
    while (b < f->len && f->src[b] != '\n')
        b++;
    if (b < f->len)
        b++;
    return span_make(a, b);
}

static void add_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_instr *in,
                    const struct sh_node *node)
{
    const struct df_model *m = rule_model(ctx);
    const struct df_file *f = rule_file(ctx);
    if (in->parent || !plain_shell_run(in) || in->stage < 0 || (uint32_t)in->stage >= m->n_stages ||
        node->redirs || node->kind != SH_SIMPLE)
        return;
    if (memchr(in->shell.raw.ptr, '#', in->shell.raw.len))
        return;
    /* Where the update sits: alone, or a step of one && list. */
    const struct sh_node *root = in->script->root;
    if (root->n_kids != 1 || root->kids[0]->background)
        return;
    const struct sh_node *top = root->kids[0];
    struct span remove;
    if (top == node) {
        remove = whole_lines(f, in->span);
    } else {
        if (top->kind != SH_AND_OR || node->parent != top || !single_and_list(in->script))
            return;
        uint32_t j = 0;
        while (j < top->n_kids && top->kids[j] != node)
            j++;
        if (j == top->n_kids)
            return;
        remove = j > 0 ? span_make(top->kids[j - 1]->span.end, node->span.end)
                       : span_make(node->span.start, top->kids[1]->span.start);
    }
    /* The installing RUN. */
    const struct df_stage *st = &m->stages[in->stage];
    uint32_t i = 0;
    while (i < st->n_instrs && st->instrs[i] != in)
        i++;
    const struct df_instr *target = NULL;
    bool next = false;
    for (uint32_t k = i + 1; k < st->n_instrs; k++) {
        const struct df_instr *x = st->instrs[k];
        if (x->kind == DF_RUN && x->script && installs_without_update(x->script)) {
            target = x;
            next = k == i + 1;
            break;
        }
        if (x->kind == DF_RUN && x->script) {
            bool updates = false;
            for (uint32_t c = 0; c < x->script->n_cmds; c++)
                updates |= is_update(&x->script->cmds[c].call);
            if (updates)
                return;
        }
    }
    if (!target || !plain_shell_run(target))
        return;
    /* The command as the shell sees it (continuations joined). */
    struct str text = STR_NULL;
    for (uint32_t k = 0; k < node->n_assigns + node->argc; k++) {
        const struct sh_word *w =
            k < node->n_assigns ? &node->assigns[k] : &node->argv[k - node->n_assigns];
        text.ptr = text.ptr ? rule_printf(ctx, "%.*s %.*s", STR_FMT(text), STR_FMT(w->raw))
                            : rule_printf(ctx, "%.*s", STR_FMT(w->raw));
        text.len = strlen(text.ptr);
    }
    bool safe = next && flags_equal(in, target) && single_and_list(target->script);
    struct edit edits[2] = {
        { remove.start, remove.end, STR_LIT("") },
        { target->shell.span.start, target->shell.span.start,
          str_from_cstr(rule_printf(ctx, "%.*s && ", STR_FMT(text))) },
    };
    rule_finding_fix(rf, safe ? FIX_SAFE : FIX_UNSAFE, "move the update to the RUN that installs",
                     edits, 2);
}

static void check_run(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct sh_script *s = in->script;
    if (!s)
        return;
    /* The last update decides: earlier ones are used by what follows or
     * are repeated by it. */
    for (uint32_t i = s->n_cmds; i-- > 0;) {
        const struct sh_call *c = &s->cmds[i].call;
        if (!is_update(c))
            continue;
        bool used = false;
        for (uint32_t j = i + 1; j < s->n_cmds && !used; j++)
            used = uses_lists(&s->cmds[j].call);
        if (used)
            return;
        const struct sh_word *sub = apt_subcommand(c);
        struct span at = span_make(c->argv[0].span.start, sub->span.end);
        struct rule_finding *rf =
            rule_report(ctx, at,
                        "'%.*s update' refreshes the package lists, but nothing after it in "
                        "this RUN installs; a later install would use the lists cached with "
                        "this layer",
                        STR_FMT(sh_call_name(c)));
        if (rf && c->argv == c->node->argv && !in->parent)
            add_fix(ctx, rf, in, c->node);
        return;
    }
}

const struct rule rule_DW202 = {
    .id = "DW202",
    .name = "apt-update-alone",
    .severity = SEV_WARNING,
    .category = CAT_CACHE,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "apt-get update runs without an install in the same RUN",
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check_run,
    .doc = doc,
};
