/* DW115 shell-entrypoint-ignores-cmd: the ENTRYPOINT in effect at the end
 * of a stage is in shell form while a CMD is set. A shell-form ENTRYPOINT
 * becomes `/bin/sh -c "<text>"`, and the CMD (or `docker run` arguments)
 * only become positional parameters that the text never reads, so the CMD
 * is dead. The image config is followed as BuildKit builds it: a stage
 * starts from its in-file parent's config, a CMD sets the command, and an
 * ENTRYPOINT clears the command unless a CMD came earlier in the same
 * stage. A stage is reported only when it writes the ENTRYPOINT or the CMD
 * itself, so a child stage does not repeat its parent's finding. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a stage whose ENTRYPOINT in effect is written in shell form\n"
    "(`ENTRYPOINT app --serve`) while a CMD is set, in the stage or in an\n"
    "in-file stage it is built on. The finding is on the ENTRYPOINT when the\n"
    "stage writes it, else on the stage's CMD.\n"
    "\n"
    "## Why is this bad?\n"
    "A shell-form ENTRYPOINT runs as `/bin/sh -c \"app --serve\"`. The CMD\n"
    "and any arguments given to `docker run` are appended after that string,\n"
    "where the shell does not use them, so the CMD never reaches the program.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ENTRYPOINT /usr/bin/app\n"
    "CMD [\"--port\", \"8080\"]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ENTRYPOINT [\"/usr/bin/app\"]\n"
    "CMD [\"--port\", \"8080\"]\n"
    "```\n";

struct config {
    const struct df_instr *ep;  /* the ENTRYPOINT in effect, or NULL */
    const struct df_instr *cmd; /* the CMD in effect, or NULL (unset or cleared) */
};

/* Whether a CMD sets a non-empty command (`CMD []` sets none). */
static bool cmd_sets_command(const struct df_instr *cmd)
{
    if (!cmd)
        return false;
    if (cmd->form == DF_FORM_EXEC)
        return cmd->n_exec > 0;
    return cmd->form == DF_FORM_SHELL;
}

static void report(struct rule_ctx *ctx, const struct df_stage *st, const struct config *c)
{
    const struct df_file *f = rule_file(ctx);
    uint32_t ep_line, cmd_line, col;
    df_file_locate(f, c->ep->keyword.start, &ep_line, &col);
    df_file_locate(f, c->cmd->keyword.start, &cmd_line, &col);
    struct rule_finding *rf;
    if (c->ep->stage == (int)st->index) {
        rf = rule_report(ctx, c->ep->keyword,
                         "this shell-form ENTRYPOINT ignores the CMD on line %u: '/bin/sh -c' "
                         "never passes CMD or 'docker run' arguments to its command",
                         cmd_line);
        if (rf)
            rule_finding_related(rf, c->cmd->keyword, "the CMD that has no effect");
    } else {
        rf = rule_report(ctx, c->cmd->keyword,
                         "this CMD has no effect: the shell-form ENTRYPOINT on line %u never "
                         "passes it to its command",
                         ep_line);
        if (rf)
            rule_finding_related(rf, c->ep->keyword, "the shell-form ENTRYPOINT in effect");
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    if (!m->n_stages)
        return;
    struct config *cfg = rule_alloc(ctx, m->n_stages * sizeof *cfg);
    for (uint32_t s = 0; s < m->n_stages; s++) {
        const struct df_stage *st = &m->stages[s];
        struct config c = { NULL, NULL };
        /* Parents are earlier stages, already computed. */
        if (st->base_stage >= 0 && (uint32_t)st->base_stage < s)
            c = cfg[st->base_stage];
        bool cmd_in_stage = false;
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *in = st->instrs[i];
            if (in->parent)
                continue;
            if (in->kind == DF_CMD) {
                c.cmd = in;
                cmd_in_stage = true;
            } else if (in->kind == DF_ENTRYPOINT) {
                c.ep = in;
                if (!cmd_in_stage)
                    c.cmd = NULL;
            }
        }
        cfg[s] = c;
        if (!c.ep || c.ep->form != DF_FORM_SHELL || !cmd_sets_command(c.cmd))
            continue;
        if (c.ep->stage != (int)s && c.cmd->stage != (int)s)
            continue;
        report(ctx, st, &c);
    }
}

const struct rule rule_DW115 = {
    .id = "DW115",
    .name = "shell-entrypoint-ignores-cmd",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_PREVIEW,
    .fix = FIX_NONE,
    .summary = "a shell-form ENTRYPOINT makes the stage's CMD dead",
    .finish = finish,
    .doc = doc,
};
