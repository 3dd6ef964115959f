/* DW203 consecutive-run: two shell-form RUNs of an output stage follow
 * each other (comments aside) with identical flags and at most two
 * commands each, so they could be one layer (hadolint DL3059). The fix
 * joins them with `&&` on a continuation line; a command list that has a
 * top-level `;`, `||` or `&`, or that changes the shell's own state (cd,
 * export, set, ...), is wrapped in `( ... )` first, because after the
 * merge that state would leak into the other list. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that directly follows another RUN of an output stage (only\n"
    "comments between them) when both are shell form without heredocs, carry\n"
    "identical `--mount`, `--network` and `--security` flags, and each runs\n"
    "at most two commands. Longer RUNs are left alone: splitting them is\n"
    "usually deliberate.\n"
    "\n"
    "## Why is this bad?\n"
    "Every RUN adds a layer. Short steps that belong together cost per-layer\n"
    "overhead, and a file that a later step deletes still ships in the layer\n"
    "of the step that created it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN mkdir -p /opt/tool\n"
    "RUN touch /opt/tool/ready\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN mkdir -p /opt/tool \\\n"
    " && touch /opt/tool/ready\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe. The two RUNs are joined with `&&` on a continuation line, so a\n"
    "failing first list still fails the build. A list with a top-level `;`,\n"
    "`||` or `&`, or one that changes shell state (`cd`, `export`, `set`,\n"
    "`umask`, `source`, `.`, `unset`, `alias`, a function definition), is\n"
    "wrapped in `( ... )` so that it behaves as it did in a shell of its own.\n"
    "No fix when a RUN holds a `#` (a shell comment would swallow the joined\n"
    "text) or when a SHELL instruction or pragma selects a shell that is not\n"
    "POSIX (PowerShell, cmd).\n";

static const struct rule_alias aliases[] = {
    { "DL3059", NULL },
    { NULL, NULL },
};

static bool flags_equal(const struct df_instr *a, const struct df_instr *b)
{
    if (a->n_flags != b->n_flags)
        return false;
    for (uint32_t i = 0; i < a->n_flags; i++) {
        const struct df_flag *x = &a->flags[i], *y = &b->flags[i];
        if (!str_eq(x->name.raw, y->name.raw))
            return false;
        if ((x->value.raw.ptr == NULL) != (y->value.raw.ptr == NULL))
            return false;
        if (x->value.raw.ptr && !str_eq(x->value.raw, y->value.raw))
            return false;
    }
    return true;
}

/* The commands a RUN runs, as a reader would count them: wrappers and
 * their commands count once, substitutions and `sh -c` bodies not at all. */
static uint32_t count_commands(const struct sh_script *s)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n_cmds; i++) {
        const struct sh_visit *v = &s->cmds[i];
        if (v->op == SH_OP_WRAPPER || (v->ctx & (SH_IN_SUBST | SH_IN_SH_C)))
            continue;
        n++;
    }
    return n;
}

static bool usable(const struct df_instr *in)
{
    return in->kind == DF_RUN && in->form == DF_FORM_SHELL && in->n_heredocs == 0 && in->script &&
           !in->has_syntax_error && in->script->n_problems == 0;
}

static bool changes_shell_state(const struct sh_call *c)
{
    static const char *const names[] = {
        "cd",    "pushd", "popd", "export", "set",      "umask",   "source",  ".",     "unset",
        "alias", "shopt", "trap", "ulimit", "readonly", "declare", "typeset", "local", "exec",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sh_call_is(c, names[i]))
            return true;
    return false;
}

/* Whether the command list of in must be wrapped in a subshell before it
 * is joined to another with &&. */
static bool needs_wrap(const struct df_instr *in)
{
    const struct sh_node *root = in->script->root;
    if (root->n_kids != 1)
        return true; /* `;`, a newline or `&` at the top */
    const struct sh_node *k = root->kids[0];
    if (k->background)
        return true;
    if (k->kind == SH_AND_OR)
        for (uint32_t i = 0; i < k->n_kids; i++)
            if (k->kids[i]->op == SH_OP_OR)
                return true;
    for (uint32_t i = 0; i < in->script->n_cmds; i++) {
        const struct sh_visit *v = &in->script->cmds[i];
        if (v->ctx & (SH_IN_SUBSHELL | SH_IN_SUBST | SH_IN_SH_C | SH_IN_PIPELINE))
            continue;
        if (v->ctx & SH_IN_FUNCTION)
            return true;
        if (changes_shell_state(&v->call))
            return true;
    }
    for (uint32_t i = 0; i < in->script->n_cmds; i++)
        if (in->script->cmds[i].call.node->parent &&
            in->script->cmds[i].call.node->parent->kind == SH_FUNCTION)
            return true;
    return false;
}

static bool has_hash(const struct df_instr *in)
{
    return memchr(in->shell.raw.ptr, '#', in->shell.raw.len) != NULL;
}

static bool non_posix_name(struct str exe)
{
    static const char *const names[] = { "pwsh", "powershell", "cmd" };
    size_t b = exe.len;
    while (b > 0 && exe.ptr[b - 1] != '/' && exe.ptr[b - 1] != '\\')
        b--;
    struct str base = str_slice(exe, b, exe.len);
    if (str_ends_with(base, STR_LIT(".exe")) || str_ends_with(base, STR_LIT(".EXE")))
        base.len -= 4;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (str_eq_nocase(base, str_from_cstr(names[i])))
            return true;
    return false;
}

/* Whether a shell that is not POSIX may run the stage's RUNs: a SHELL in
 * the stage or an in-file parent, or a shell pragma, names one. */
static bool non_posix_shell(const struct df_model *m, int s)
{
    if (m->shell_pragma.raw.ptr && non_posix_name(m->shell_pragma.raw))
        return true;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *in = st->instrs[i];
            if (in->kind == DF_SHELL && in->form == DF_FORM_EXEC && in->n_exec &&
                non_posix_name(in->exec[0].raw))
                return true;
        }
        if (st->base_stage < 0 && st->from) {
            /* Windows images run RUN with cmd unless a SHELL says otherwise. */
            struct str repo = st->from->image.repository;
            static const char *const win[] = { "windows", "nanoserver", "servercore" };
            for (size_t i = 0; repo.ptr && i < sizeof win / sizeof win[0]; i++)
                for (size_t k = 0; k + strlen(win[i]) <= repo.len; k++)
                    if (!strncmp(repo.ptr + k, win[i], strlen(win[i])))
                        return true;
        }
        s = st->base_stage;
    }
    return false;
}

/* The start of the line holding offset. */
static uint32_t line_start(const char *src, uint32_t off)
{
    while (off > 0 && src[off - 1] != '\n')
        off--;
    return off;
}

static void fix_join(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_instr *a,
                     const struct df_instr *b)
{
    const struct df_file *f = rule_file(ctx);
    const char *src = f->src;
    bool wrap_a = needs_wrap(a), wrap_b = needs_wrap(b);
    if (has_hash(a) || (wrap_b && has_hash(b)))
        return;
    struct edit edits[64];
    uint32_t n = 0;
    bool close_at_end = wrap_a && a->shell.span.end == a->span.end;
    if (wrap_a) {
        edits[n++] = (struct edit){ a->shell.span.start, a->shell.span.start, STR_LIT("( ") };
        if (!close_at_end)
            edits[n++] = (struct edit){ a->shell.span.end, a->shell.span.end, STR_LIT(" )") };
    }
    const char *cont = rule_printf(ctx, "%s %c", close_at_end ? " )" : "", rule_model(ctx)->escape);
    edits[n++] = (struct edit){ a->span.end, a->span.end, str_from_cstr(cont) };
    /* Blank lines between the two would become empty continuation lines
     * (deprecated); comment lines may stay inside the continuation. */
    uint32_t p = a->span.end;
    while (p < f->len && src[p] != '\n')
        p++;
    if (p < f->len)
        p++;
    uint32_t kw_line = line_start(src, b->keyword.start);
    while (p < kw_line && n < 60) {
        uint32_t e = p;
        bool blank = true;
        while (e < f->len && src[e] != '\n') {
            if (src[e] != ' ' && src[e] != '\t' && src[e] != '\r')
                blank = false;
            e++;
        }
        if (e < f->len)
            e++;
        if (blank)
            edits[n++] = (struct edit){ p, e, STR_LIT("") };
        p = e;
    }
    if (p != kw_line)
        return;
    edits[n++] = (struct edit){ b->keyword.start, b->shell.span.start,
                                wrap_b ? STR_LIT(" && ( ") : STR_LIT(" && ") };
    if (wrap_b)
        edits[n++] = (struct edit){ b->shell.span.end, b->shell.span.end, STR_LIT(" )") };
    rule_finding_fix(rf, FIX_SAFE, "join the two RUN instructions with &&", edits, n);
}

static void check_run(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    if (in->parent || in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return;
    const struct df_stage *st = &m->stages[in->stage];
    if (!st->is_output)
        return;
    uint32_t i = 0;
    while (i < st->n_instrs && st->instrs[i] != in)
        i++;
    if (i == 0 || i >= st->n_instrs)
        return;
    const struct df_instr *prev = st->instrs[i - 1];
    if (!usable(prev) || !usable(in) || !flags_equal(prev, in))
        return;
    if (count_commands(prev->script) > 2 || count_commands(in->script) > 2)
        return;
    uint32_t line, col;
    df_file_locate(rule_file(ctx), prev->keyword.start, &line, &col);
    struct rule_finding *rf =
        rule_report(ctx, in->keyword,
                    "this RUN directly follows the RUN on line %u with the same flags; "
                    "join them with && to save a layer",
                    line);
    if (!rf || non_posix_shell(m, in->stage))
        return;
    fix_join(ctx, rf, prev, in);
}

const struct rule rule_DW203 = {
    .id = "DW203",
    .name = "consecutive-run",
    .severity = SEV_INFO,
    .category = CAT_CACHE,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "consecutive RUN instructions could be one layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .check = check_run,
    .doc = doc,
};
