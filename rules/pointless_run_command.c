/* DW120 pointless-run-command: a RUN runs a program that is of no use in a
 * build step because it waits for a terminal, talks to live services or
 * inspects a container that is thrown away when the step ends (hadolint
 * DL3001's list). Only command words count: `apt-get install vim` and
 * `which ps` name the programs as arguments and are fine. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that runs `ssh`, `vim`, `top`, `ps`, `free`, `kill`,\n"
    "`mount`, `shutdown`, `service`, or `systemctl start`, `stop` or\n"
    "`restart`, anywhere in its shell text (after `&&`, `;` or `|`, in\n"
    "`$( )`, in `sh -c` strings, behind `sudo`, `env` and other wrappers) or\n"
    "as an exec-form command. The same names as arguments (`apt-get install\n"
    "vim`, `which ps`) are not reported, nor is `kill` in a RUN that starts a\n"
    "background job of its own to stop. `ONBUILD RUN` triggers are checked\n"
    "too.\n"
    "\n"
    "## Why is this bad?\n"
    "A build step has no terminal and no running services, and its processes\n"
    "end with the step: an editor or `top` waits for input that never comes,\n"
    "a started service is gone in the next step, and `ps` or `free` describe\n"
    "a container that is thrown away. Such commands are leftovers of\n"
    "interactive sessions and only slow the build down or hang it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y nginx && service nginx start\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y nginx\n"
    "CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3001", NULL },
    { NULL, NULL },
};

struct program {
    const char *name;
    const char *why;
};

static const struct program programs[] = {
    { "free", "which reports the memory of a build container that is thrown away" },
    { "kill", "but no process of an earlier step is still running to be signalled" },
    { "mount", "and mounts are not kept in the image (use RUN --mount)" },
    { "ps", "which lists the processes of a build container that is thrown away" },
    { "service", "but a service started or stopped in a build step does not outlive it" },
    { "shutdown", "but a build container cannot be shut down" },
    { "ssh", "which opens a remote session that a build step cannot interact with" },
    { "top", "an interactive monitor that waits for a terminal" },
    { "vim", "an interactive editor that waits for a terminal" },
};

/* systemctl's options that take a value (so that `systemctl -t service
 * start` finds `start` as the verb). */
static const char *const systemctl_long[] = {
    "host",
    "machine",
    "type",
    "state",
    "property",
    "signal",
    "kill-whom",
    "kill-who",
    "root",
    "image",
    "lines",
    "output",
    "job-mode",
    "what",
    "boot-loader-entry",
    "reboot-argument",
    "timestamp",
    "preset-mode",
    "message",
    "when",
    NULL,
};
static const struct sh_flag_spec systemctl_spec = { "HMtpsnoP", systemctl_long, false };

static const struct program *program_of(struct str name)
{
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (str_eq_cstr(name, programs[i].name))
            return &programs[i];
    return NULL;
}

static bool is_systemctl_verb(struct str v)
{
    return str_eq_cstr(v, "start") || str_eq_cstr(v, "stop") || str_eq_cstr(v, "restart");
}

/* The program name of a path (after the last '/'). */
static struct str base_name(struct str s)
{
    for (size_t i = s.len; i > 0; i--)
        if (s.ptr[i - 1] == '/')
            return str_slice(s, i, s.len);
    return s;
}

static void check_call(struct rule_ctx *ctx, const struct sh_call *c)
{
    struct str name = sh_call_name(c);
    const struct program *p = program_of(name);
    if (p) {
        rule_report(ctx, c->argv[0].span, "the RUN runs '%.*s', %s", STR_FMT(name), p->why);
        return;
    }
    if (!str_eq_cstr(name, "systemctl"))
        return;
    const struct sh_word *verb = sh_call_operand(c, 0, &systemctl_spec);
    if (verb && is_systemctl_verb(verb->value))
        rule_report(
            ctx, verb->span,
            "the RUN runs 'systemctl %.*s', but systemd does not run in a build container, so "
            "there is no service to %.*s",
            STR_FMT(verb->value), STR_FMT(verb->value));
}

/* Whether the script starts a job in the background: a `kill` then has a
 * process of this very step to stop (`app & pid=$!; ...; kill $pid`). */
static bool starts_background_job(const struct sh_script *s)
{
    for (uint32_t i = 0; i < s->n_cmds; i++)
        if (s->cmds[i].ctx & SH_IN_BACKGROUND)
            return true;
    return false;
}

static void check_script(struct rule_ctx *ctx, const struct sh_script *s)
{
    if (!s)
        return;
    bool background = starts_background_job(s);
    for (uint32_t i = 0; i < s->n_cmds; i++) {
        if (background && sh_call_is(&s->cmds[i].call, "kill"))
            continue;
        check_call(ctx, &s->cmds[i].call);
    }
}

/* Exec form: one simple command, argv = the JSON strings. */
static void check_exec(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!in->n_exec || in->exec_non_string)
        return;
    struct str name = base_name(in->exec[0].raw);
    const struct program *p = program_of(name);
    if (p) {
        rule_report(ctx, in->exec[0].span, "the RUN runs '%.*s', %s", STR_FMT(name), p->why);
        return;
    }
    if (!str_eq_cstr(name, "systemctl"))
        return;
    for (uint32_t i = 1; i < in->n_exec; i++) {
        struct str a = in->exec[i].raw;
        if (a.len && a.ptr[0] == '-')
            continue; /* value-taking options are rare in exec form; skip flags only */
        if (is_systemctl_verb(a))
            rule_report(ctx, in->exec[i].span,
                        "the RUN runs 'systemctl %.*s', but systemd does not run in a build "
                        "container, so there is no service to %.*s",
                        STR_FMT(a), STR_FMT(a));
        return;
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->form == DF_FORM_EXEC) {
        check_exec(ctx, in);
        return;
    }
    check_script(ctx, in->script);
    /* Heredoc bodies fed to a shell's stdin (`RUN bash <<EOF`) are scripts
     * of their own. */
    for (uint32_t h = 0; h < in->n_heredocs; h++)
        if (in->heredocs[h].script && in->heredocs[h].script != in->script)
            check_script(ctx, in->heredocs[h].script);
}

const struct rule rule_DW120 = {
    .id = "DW120",
    .name = "pointless-run-command",
    .severity = SEV_INFO,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "RUN runs a program that is useless or hangs in a build step",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
