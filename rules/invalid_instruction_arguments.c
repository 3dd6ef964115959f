/* DW012 invalid-instruction-arguments: an instruction with the wrong
 * number or shape of arguments (dockerfile.md sections 8 and 9).
 *
 * Two sources: the model's syntax errors of kinds MISSING_ARGUMENTS and
 * EXTRA_ARGUMENTS (the grammar finds `FROM a b`, `COPY` alone, an empty
 * USER; DW001 leaves these kinds to this rule), and the shapes the grammar
 * accepts but BuildKit refuses, judged here on instructions that parsed:
 * COPY/ADD with one argument or a heredoc destination, SHELL not a
 * non-empty JSON array, `HEALTHCHECK CMD []`, empty VOLUME entries, blank
 * ENV/ARG/LABEL names, unknown STOPSIGNAL names. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an instruction whose arguments BuildKit refuses: FROM other than\n"
    "`image` or `image AS name`, COPY or ADD without a destination or with a\n"
    "heredoc as destination, an empty USER, WORKDIR, STOPSIGNAL or\n"
    "MAINTAINER, SHELL that is not a non-empty JSON array, HEALTHCHECK\n"
    "without `CMD` or `NONE`, `NONE` with arguments or `CMD` without a\n"
    "command, an empty VOLUME entry, a blank ENV, ARG or LABEL name, a\n"
    "STOPSIGNAL that names no signal, and ONBUILD without a trigger.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses the file before it builds anything, or fails when it\n"
    "reaches the instruction.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "COPY app.tar.gz\n"
    "SHELL /bin/bash -c\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "COPY app.tar.gz /srv/\n"
    "SHELL [\"/bin/bash\", \"-c\"]\n"
    "```\n";

/* ------------------------------------------------- the model's findings */

/* BuildKit's own words for a missing or extra argument, or NULL. */
static const char *buildkit_text(struct rule_ctx *ctx, const struct df_instr *in, bool extra)
{
    const char *kw = df_kind_name(in->kind);
    switch (in->kind) {
    case DF_FROM: return "FROM requires either one or three arguments";
    case DF_COPY:
    case DF_ADD:
        return extra ? NULL
                     : rule_printf(ctx,
                                   "%s requires at least two arguments, but only one was "
                                   "provided. Destination could not be determined",
                                   kw);
    case DF_USER:
    case DF_WORKDIR:
    case DF_STOPSIGNAL:
    case DF_MAINTAINER: return rule_printf(ctx, "%s requires exactly one argument", kw);
    case DF_HEALTHCHECK:
        return extra ? "HEALTHCHECK NONE takes no arguments"
                     : "HEALTHCHECK requires at least one argument";
    case DF_ENV:
    case DF_LABEL:
    case DF_ARG:
    case DF_EXPOSE:
    case DF_VOLUME:
    case DF_SHELL:
    case DF_ONBUILD:
        return extra ? NULL : rule_printf(ctx, "%s requires at least one argument", kw);
    default: return NULL;
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_syntax_errors; i++) {
        const struct df_syntax_error *e = &m->syntax_errors[i];
        if (e->kind != DF_SYN_MISSING_ARGUMENTS && e->kind != DF_SYN_EXTRA_ARGUMENTS)
            continue;
        const char *msg = e->message ? e->message : "wrong number of arguments";
        const char *bk =
            e->instr ? buildkit_text(ctx, e->instr, e->kind == DF_SYN_EXTRA_ARGUMENTS) : NULL;
        if (bk)
            rule_report(ctx, e->span, "%s: %s", msg, bk);
        else
            rule_report(ctx, e->span, "%s", msg);
    }
}

/* -------------------------------------------------- shapes checked here */

/* Linux signal names as moby's signal.ParseSignal knows them (without
 * SIG, compared upper-cased). */
static const char *const signals[] = {
    "ABRT", "ALRM",   "BUS",   "CHLD", "CLD",  "CONT",  "FPE",   "HUP",    "ILL",  "INT",
    "IO",   "IOT",    "KILL",  "PIPE", "POLL", "PROF",  "PWR",   "QUIT",   "SEGV", "STKFLT",
    "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN",  "TTOU",  "UNUSED", "URG",  "USR1",
    "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
};

static bool known_signal(struct str s)
{
    if (!s.len)
        return false;
    size_t i = s.ptr[0] == '-' || s.ptr[0] == '+' ? 1 : 0;
    if (i < s.len) {
        bool digits = true, nonzero = false;
        for (size_t k = i; k < s.len; k++) {
            if (!isdigit((unsigned char)s.ptr[k]))
                digits = false;
            else if (s.ptr[k] != '0')
                nonzero = true;
        }
        if (digits)
            return nonzero; /* any number but 0 (Atoi, then a 0 check) */
    }
    char up[24];
    if (s.len >= sizeof up)
        return false;
    for (size_t k = 0; k < s.len; k++)
        up[k] = (char)toupper((unsigned char)s.ptr[k]);
    up[s.len] = '\0';
    const char *name = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
        if (!strcmp(name, signals[k]))
            return true;
    /* RTMIN+1 ... RTMIN+15 and RTMAX-14 ... RTMAX-1. */
    const char *n = NULL;
    if (!strncmp(name, "RTMIN+", 6) || !strncmp(name, "RTMAX-", 6))
        n = name + 6;
    if (n && *n && strlen(n) <= 2 && isdigit((unsigned char)n[0]) &&
        (!n[1] || isdigit((unsigned char)n[1]))) {
        int v = n[1] ? (n[0] - '0') * 10 + (n[1] - '0') : n[0] - '0';
        return v >= 1 && v <= (name[4] == 'I' ? 15 : 14);
    }
    return false;
}

static bool has_variable(struct str s)
{
    return s.ptr && memchr(s.ptr, '$', s.len) != NULL;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* `[`, blanks, then a quote or `]`: the shape DW006 reports when it is not
 * valid JSON (for SHELL, with BuildKit's refusal in its message). */
static bool json_shaped(struct str s)
{
    size_t i = 0;
    while (i < s.len && blank(s.ptr[i]))
        i++;
    if (i >= s.len || s.ptr[i] != '[')
        return false;
    i++;
    while (i < s.len && blank(s.ptr[i]))
        i++;
    return i < s.len && (s.ptr[i] == '"' || s.ptr[i] == '\'' || s.ptr[i] == ']');
}

static void check_copy(struct rule_ctx *ctx, const struct df_instr *in)
{
    const char *kw = df_kind_name(in->kind);
    bool exec = in->form == DF_FORM_EXEC;
    uint32_t n = exec ? in->n_exec : in->n_args;
    if (n == 0)
        return; /* the model reports it */
    if (n == 1) {
        struct span at = exec ? in->exec[0].span : in->args[0].span;
        rule_report(ctx, at,
                    "%s has a source but no destination: %s requires at least two arguments, "
                    "but only one was provided. Destination could not be determined",
                    kw, kw);
        return;
    }
    if (exec)
        return;
    const struct df_text *dest = &in->args[n - 1];
    for (uint32_t h = 0; h < in->n_heredocs; h++)
        if (in->heredocs[h].marker.start == dest->span.start) {
            rule_report(ctx, dest->span, "%s cannot accept a heredoc as a destination", kw);
            return;
        }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->has_syntax_error)
        return; /* the model's errors are reported by finish() or DW001 */
    switch (in->kind) {
    case DF_COPY:
    case DF_ADD: check_copy(ctx, in); break;
    case DF_SHELL:
        if (in->form == DF_FORM_SHELL && !json_shaped(in->shell.raw))
            rule_report(ctx, in->shell.span,
                        "a shell command is not accepted here: SHELL requires the arguments to be "
                        "in JSON form, as in [\"/bin/sh\", \"-c\"]");
        else if (in->form == DF_FORM_NONE ||
                 (in->form == DF_FORM_EXEC && !in->n_exec && !in->exec_non_string))
            rule_report(ctx, in->form == DF_FORM_NONE ? in->keyword : in->span,
                        "no shell program given: SHELL requires at least one argument, as in "
                        "[\"/bin/sh\", \"-c\"]");
        break;
    case DF_HEALTHCHECK:
        if (in->n_args && str_eq_nocase(in->args[0].raw, STR_LIT("CMD")) &&
            in->form == DF_FORM_EXEC && !in->n_exec && !in->exec_non_string)
            rule_report(ctx, span_make(in->args[0].span.start, in->span.end),
                        "an empty command: Missing command after HEALTHCHECK CMD");
        break;
    case DF_VOLUME:
        if (in->form == DF_FORM_EXEC && !in->n_exec && !in->exec_non_string)
            rule_report(ctx, in->span, "an empty list: VOLUME requires at least one argument");
        for (uint32_t i = 0; in->form == DF_FORM_EXEC && i < in->n_exec; i++)
            if (!str_trim(in->exec[i].raw).len)
                rule_report(ctx, in->exec[i].span,
                            "an empty path: VOLUME specified can not be an empty string");
        break;
    case DF_ENV:
    case DF_LABEL:
    case DF_ARG:
        for (uint32_t i = 0; i < in->n_pairs; i++)
            if (in->pairs[i].key.raw.ptr && !in->pairs[i].key.raw.len)
                rule_report(ctx, in->pairs[i].span, "a blank name: %s names can not be blank",
                            df_kind_name(in->kind));
        break;
    case DF_USER:
    case DF_WORKDIR:
    case DF_MAINTAINER:
        if (!in->n_args || !str_trim(in->args[0].raw).len)
            rule_report(ctx, in->keyword, "no argument: %s requires exactly one argument",
                        df_kind_name(in->kind));
        break;
    case DF_STOPSIGNAL:
        if (!in->n_args || !str_trim(in->args[0].raw).len) {
            rule_report(ctx, in->keyword, "no signal: STOPSIGNAL requires exactly one argument");
        } else {
            struct str sig = str_trim(in->args[0].raw);
            if (!has_variable(sig) && !known_signal(sig))
                rule_report(ctx, in->args[0].span,
                            "invalid STOPSIGNAL '%.*s': not a signal name or number (SIGTERM, "
                            "SIGQUIT, 15)",
                            STR_FMT(sig));
        }
        break;
    default: break;
    }
}

const struct rule rule_DW012 = {
    .id = "DW012",
    .name = "invalid-instruction-arguments",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "an instruction has the wrong number or shape of arguments",
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD) | DF_ON(DF_SHELL) | DF_ON(DF_HEALTHCHECK) |
          DF_ON(DF_VOLUME) | DF_ON(DF_ENV) | DF_ON(DF_LABEL) | DF_ON(DF_ARG) | DF_ON(DF_USER) |
          DF_ON(DF_WORKDIR) | DF_ON(DF_MAINTAINER) | DF_ON(DF_STOPSIGNAL),
    .on_triggers = true,
    .check = check,
    .finish = finish,
    .doc = doc,
};
