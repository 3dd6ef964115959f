/* DW119 shell-replaced-with-ln: a RUN makes /bin/sh a link to another
 * program (`ln -sf /bin/bash /bin/sh`). That swaps the shell of every later
 * build step and of the running container, where SHELL would change the
 * build's shell only (hadolint DL4005). */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN whose `ln` command makes `/bin/sh` (or `/usr/bin/sh`) a link\n"
    "to another program, such as `ln -sf /bin/bash /bin/sh`, in shell form,\n"
    "in exec form or in an `ONBUILD RUN` trigger.\n"
    "\n"
    "## Why is this bad?\n"
    "Replacing `/bin/sh` changes the shell of every later step, of every\n"
    "image built on this one, and of everything in the running container that\n"
    "calls `sh`, including scripts written for the distribution's own shell.\n"
    "To run the build's commands with another shell, the SHELL instruction\n"
    "does that for the build only.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN ln -sf /bin/bash /bin/sh\n"
    "RUN source /etc/profile && echo ok\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "SHELL [\"/bin/bash\", \"-c\"]\n"
    "RUN source /etc/profile && echo ok\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL4005", NULL },
    { NULL, NULL },
};

/* GNU ln's options that take a value: -S SUFFIX, -t DIRECTORY. */
static const char *const ln_long[] = { "suffix", "target-directory", NULL };
static const struct sh_flag_spec ln_spec = { "St", ln_long, false };

static bool is_sh_path(struct str s)
{
    return str_eq_cstr(s, "/bin/sh") || str_eq_cstr(s, "/usr/bin/sh");
}

static struct str base_name(struct str s)
{
    for (size_t i = s.len; i > 0; i--)
        if (s.ptr[i - 1] == '/')
            return str_slice(s, i, s.len);
    return s;
}

static void report(struct rule_ctx *ctx, struct span at, struct str link, struct str target)
{
    rule_report(
        ctx, at,
        "this 'ln' makes %.*s a link to '%.*s', which changes the shell of every later step "
        "and of the container; use SHELL to change the shell of the build",
        STR_FMT(link), STR_FMT(target));
}

/* `ln [opts] TARGET LINK`: exactly two operands and no -t (with -t, or
 * with more operands, the last one is a directory). */
static void check_call(struct rule_ctx *ctx, const struct sh_call *c)
{
    struct sh_arg dir;
    if (!sh_call_is(c, "ln") || sh_call_find_flag(c, 't', "target-directory", &ln_spec, &dir))
        return;
    const struct sh_word *target = sh_call_operand(c, 0, &ln_spec);
    const struct sh_word *link = sh_call_operand(c, 1, &ln_spec);
    if (!target || !link || sh_call_operand(c, 2, &ln_spec))
        return;
    if (!is_sh_path(link->value) || str_eq_cstr(base_name(target->value), "sh"))
        return;
    report(ctx, link->span, link->value, target->value);
}

static void check_script(struct rule_ctx *ctx, const struct sh_script *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_cmds; i++)
        check_call(ctx, &s->cmds[i].call);
}

static void check_exec(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!in->n_exec || in->exec_non_string || !str_eq_cstr(base_name(in->exec[0].raw), "ln"))
        return;
    const struct df_text *ops[3];
    uint32_t n_ops = 0;
    bool flags_done = false;
    for (uint32_t i = 1; i < in->n_exec && n_ops < 3; i++) {
        struct str a = in->exec[i].raw;
        if (!flags_done && str_eq_cstr(a, "--")) {
            flags_done = true;
        } else if (!flags_done && a.len > 1 && a.ptr[0] == '-') {
            if (str_eq_cstr(a, "-t") || str_starts_with(a, STR_LIT("--target-directory")) ||
                (a.ptr[1] != '-' && str_find_char(a, 't', 1) >= 0))
                return;
            if (str_eq_cstr(a, "-S") || str_eq_cstr(a, "--suffix"))
                i++;
        } else {
            ops[n_ops++] = &in->exec[i];
        }
    }
    if (n_ops != 2 || !is_sh_path(ops[1]->raw) || str_eq_cstr(base_name(ops[0]->raw), "sh"))
        return;
    report(ctx, ops[1]->span, ops[1]->raw, ops[0]->raw);
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->form == DF_FORM_EXEC) {
        check_exec(ctx, in);
        return;
    }
    check_script(ctx, in->script);
    for (uint32_t h = 0; h < in->n_heredocs; h++)
        if (in->heredocs[h].script && in->heredocs[h].script != in->script)
            check_script(ctx, in->heredocs[h].script);
}

const struct rule rule_DW119 = {
    .id = "DW119",
    .name = "shell-replaced-with-ln",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "RUN replaces /bin/sh with a link to another shell",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
