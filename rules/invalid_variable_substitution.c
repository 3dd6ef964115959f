/* DW015 invalid-variable-substitution: a `${...}` form BuildKit refuses in
 * a place the builder expands (dockerfile.md section 10): FROM, ARG, ENV,
 * LABEL, COPY/ADD arguments and flags, WORKDIR, USER, EXPOSE, VOLUME,
 * STOPSIGNAL, `--mount` values and the bodies of COPY/ADD heredocs with an
 * unquoted delimiter. Each word goes through df_expand, which fails with
 * BuildKit's own message ("syntax error: bad substitution", "unsupported
 * modifier (:=) in substitution", ...). Shell text of RUN, CMD and
 * ENTRYPOINT belongs to the shell, and is not judged here.
 *
 * Instructions the grammar could not read are left to DW001, which
 * already reports an unclosed `${` there. */
#include "analyzer/rule_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char doc[] = "## What it does\n"
                          "Reports a variable substitution that BuildKit cannot expand, in the\n"
                          "places where the builder itself expands variables: FROM, ARG, ENV,\n"
                          "LABEL, COPY and ADD (arguments, `--chown`, `--chmod`, `--checksum`,\n"
                          "heredoc bodies with an unquoted delimiter), WORKDIR, USER, EXPOSE,\n"
                          "VOLUME, STOPSIGNAL and `RUN --mount` values: a `${` without `}`, `${}`\n"
                          "or another form without a name, and shell operators BuildKit does not\n"
                          "implement (`${A:=x}`, `${A=x}`, `${A^^}`, `${A:1}`). The shell text of\n"
                          "RUN, CMD and ENTRYPOINT is expanded by the shell, not by BuildKit, and\n"
                          "is not checked.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "BuildKit stops the build with `failed to process` when it reaches the\n"
                          "instruction.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "ARG VERSION\n"
                          "ENV APP_VERSION=${VERSION:=1.0}\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "ARG VERSION\n"
                          "ENV APP_VERSION=${VERSION:-1.0}\n"
                          "```\n";

/* Expands word and reports the syntax error it fails with, if any; where
 * the word is (printf format) is written only then: most words hold no
 * '$' at all. */
static void judge(struct rule_ctx *ctx, const struct df_instr *in, const struct df_text *word,
                  unsigned flags, const char *where_fmt, ...) DW_PRINTF(5, 6);
static void judge(struct rule_ctx *ctx, const struct df_instr *in, const struct df_text *word,
                  unsigned flags, const char *where_fmt, ...)
{
    if (!word->raw.ptr || !memchr(word->raw.ptr, '$', word->raw.len))
        return;
    struct exp_result out;
    struct err e;
    memset(&e, 0, sizeof e);
    if (df_expand(rule_file(ctx), in, word, flags, &out, &e) != ERR_SYNTAX)
        return;
    struct span at = span_len(e.span) ? e.span : word->span;
    struct str raw = word->raw;
    int shown = raw.len > 60 ? 60 : (int)raw.len;
    for (int i = 0; i < shown; i++)
        if (raw.ptr[i] == '\n') {
            shown = i;
            break;
        }
    va_list ap, ap2;
    va_start(ap, where_fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, where_fmt, ap2);
    va_end(ap2);
    char *where = rule_alloc(ctx, n > 0 ? (size_t)n + 1 : 1);
    where[0] = '\0';
    if (n > 0)
        vsnprintf(where, (size_t)n + 1, where_fmt, ap);
    va_end(ap);
    rule_report(ctx, at, "%s: BuildKit cannot expand '%.*s%s' in %s", e.msg, shown, raw.ptr,
                (size_t)shown < raw.len ? "..." : "", where);
}

static void judge_flags(struct rule_ctx *ctx, const struct df_instr *in)
{
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        struct str name = fl->name.raw;
        if (in->kind == DF_RUN && str_eq_cstr(name, "mount")) {
            for (uint32_t j = 0; j < fl->n_mount; j++) {
                const struct df_mount_opt *o = &fl->mount[j];
                /* `from` is never expanded (DW004 reports a variable there). */
                if (!str_eq_nocase(o->key.raw, STR_LIT("from")))
                    judge(ctx, in, &o->value, 0, "the --mount option %.*s", STR_FMT(o->key.raw));
            }
        } else if ((in->kind == DF_FROM && str_eq_cstr(name, "platform")) ||
                   ((in->kind == DF_COPY || in->kind == DF_ADD) &&
                    (str_eq_cstr(name, "chown") || str_eq_cstr(name, "chmod") ||
                     (in->kind == DF_ADD && str_eq_cstr(name, "checksum"))))) {
            judge(ctx, in, &fl->value, 0, "--%.*s", STR_FMT(name));
        }
    }
}

static bool is_marker(const struct df_instr *in, const struct df_text *arg)
{
    for (uint32_t h = 0; h < in->n_heredocs; h++)
        if (in->heredocs[h].marker.start == arg->span.start)
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->has_syntax_error)
        return;
    const char *kw = df_kind_name(in->kind);
    judge_flags(ctx, in);
    switch (in->kind) {
    case DF_FROM: judge(ctx, in, &in->image.text, 0, "the image of FROM"); break;
    case DF_ARG:
    case DF_ENV:
    case DF_LABEL:
        for (uint32_t i = 0; i < in->n_pairs; i++) {
            const struct df_pair *p = &in->pairs[i];
            /* ARG names are not expanded; ENV and LABEL keys are. */
            if (in->kind != DF_ARG)
                judge(ctx, in, &p->key, 0, "a %s name", kw);
            judge(ctx, in, &p->value, 0, "the %s of %.*s", in->kind == DF_ARG ? "default" : "value",
                  STR_FMT(p->key.raw));
        }
        break;
    case DF_COPY:
    case DF_ADD:
    case DF_VOLUME:
    case DF_EXPOSE:
    case DF_WORKDIR:
    case DF_USER:
    case DF_STOPSIGNAL: {
        bool exec = in->form == DF_FORM_EXEC;
        const struct df_text *words = exec ? in->exec : in->args;
        uint32_t n = exec ? in->n_exec : in->n_args;
        for (uint32_t i = 0; i < n; i++)
            if (exec || !is_marker(in, &words[i]))
                judge(ctx, in, &words[i], 0, "this %s", kw);
        for (uint32_t h = 0; h < in->n_heredocs; h++) {
            const struct df_heredoc *hd = &in->heredocs[h];
            if (hd->quoted || !span_len(hd->body))
                continue;
            /* Bodies expand with backslash escapes and no quote removal. */
            struct df_text body = {
                str_make(rule_file(ctx)->src + hd->body.start, span_len(hd->body)), hd->body
            };
            judge(ctx, in, &body, EXP_NO_QUOTES,
                  "the heredoc %.*s (quote its delimiter to keep it as text)",
                  STR_FMT(hd->delimiter));
        }
        break;
    }
    default: break;
    }
}

const struct rule rule_DW015 = {
    .id = "DW015",
    .name = "invalid-variable-substitution",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a ${...} form BuildKit cannot expand",
    .on = DF_ON(DF_FROM) | DF_ON(DF_ARG) | DF_ON(DF_ENV) | DF_ON(DF_LABEL) | DF_ON(DF_COPY) |
          DF_ON(DF_ADD) | DF_ON(DF_VOLUME) | DF_ON(DF_EXPOSE) | DF_ON(DF_WORKDIR) | DF_ON(DF_USER) |
          DF_ON(DF_STOPSIGNAL) | DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
