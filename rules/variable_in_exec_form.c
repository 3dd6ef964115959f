/* DW116 variable-in-exec-form: an exec-form (JSON) RUN, CMD, ENTRYPOINT or
 * HEALTHCHECK element holds `$NAME` or `${NAME}`. No shell runs in exec
 * form and BuildKit does not expand these instructions, so the program
 * gets the text with the dollar sign. Exempt: arrays that start a shell
 * with `-c` (the shell expands the script), a CMD whose stage's
 * ENTRYPOINT is such a shell waiting for its script, and a `$` that no
 * name follows. The fix runs the command through `/bin/sh -c "exec …"`,
 * quoting each element so that only the variables expand. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an exec-form (JSON array) RUN, CMD, ENTRYPOINT or HEALTHCHECK\n"
    "whose elements contain `$NAME` or `${NAME}`. Arrays that start a shell\n"
    "with `-c` (`[\"sh\", \"-c\", \"…\"]`, also behind `env`), a CMD whose\n"
    "stage has such an ENTRYPOINT, and a `$` not followed by a name (`$5`,\n"
    "`$(`) are exempt. `ONBUILD` triggers are checked too.\n"
    "\n"
    "## Why is this bad?\n"
    "The exec form runs the program directly, without a shell, and BuildKit\n"
    "does not substitute variables in these instructions. The program gets\n"
    "the literal text `$PORT`, not the value of `PORT`.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "ENV PORT=8000\n"
    "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:$PORT\", \"app:app\"]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "ENV PORT=8000\n"
    "CMD [\"/bin/sh\", \"-c\", \"exec gunicorn --bind \\\"0.0.0.0:$PORT\\\" app:app\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix rewrites the array as `[\"/bin/sh\", \"-c\", \"exec …\"]`\n"
    "with each element quoted, so that the variables expand and nothing else\n"
    "changes meaning. The command then depends on `/bin/sh` in the image, the\n"
    "values the variables have at run time are used, and for an ENTRYPOINT\n"
    "the CMD elements no longer reach the program as arguments.\n";

/* A `$` that a shell would expand as a variable: a name start after it,
 * or `{` and a name start. */
static bool name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

/* The length of the variable reference at s[i] (`$NAME`, `${…}`), or 0. */
static size_t var_at(struct str s, size_t i)
{
    if (i + 1 >= s.len || s.ptr[i] != '$')
        return 0;
    if (name_start(s.ptr[i + 1])) {
        size_t k = i + 1;
        while (k < s.len && name_char(s.ptr[k]))
            k++;
        return k - i;
    }
    if (s.ptr[i + 1] == '{' && i + 2 < s.len && name_start(s.ptr[i + 2])) {
        size_t k = i + 2;
        while (k < s.len && s.ptr[k] != '}')
            k++;
        return k < s.len ? k + 1 - i : s.len - i;
    }
    return 0;
}

static struct str base_name(struct str s)
{
    for (size_t i = s.len; i > 0; i--)
        if (s.ptr[i - 1] == '/')
            return str_slice(s, i, s.len);
    return s;
}

static bool is_shell_name(struct str n)
{
    static const char *const shells[] = {
        "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "pwsh", "powershell", "busybox",
    };
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
        if (str_eq_cstr(n, shells[i]))
            return true;
    return false;
}

/* Whether the array starts a shell (behind `env` and its assignments) with
 * -c or a cluster holding c (`-ec`, `-lc`), or PowerShell's -Command; sets
 * *c_last when that option is the last element (the script comes from
 * elsewhere: the CMD, for an ENTRYPOINT). */
static bool starts_shell_c(const struct df_instr *in, bool *c_last)
{
    uint32_t i = 0;
    if (in->n_exec && str_eq_cstr(base_name(in->exec[0].raw), "env")) {
        i = 1;
        while (i < in->n_exec && ((in->exec[i].raw.len && in->exec[i].raw.ptr[0] == '-') ||
                                  str_find_char(in->exec[i].raw, '=', 0) > 0))
            i++;
    }
    if (i >= in->n_exec || !is_shell_name(base_name(in->exec[i].raw)))
        return false;
    for (uint32_t k = i + 1; k < in->n_exec; k++) {
        struct str a = in->exec[k].raw;
        if (a.len < 2 || a.ptr[0] != '-' || a.ptr[1] == '-')
            continue;
        if (str_find_char(a, 'c', 1) >= 0 || str_eq_nocase(a, STR_LIT("-command"))) {
            *c_last = k + 1 == in->n_exec;
            return true;
        }
    }
    return false;
}

/* The ENTRYPOINT in effect at the end of the instruction's stage: the
 * stage's last one, else one of its in-file parents'. */
static const struct df_instr *stage_entrypoint(const struct rule_ctx *ctx,
                                               const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    int s = in->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        for (uint32_t i = st->n_instrs; i-- > 0;)
            if (st->instrs[i]->kind == DF_ENTRYPOINT && !st->instrs[i]->parent)
                return st->instrs[i];
        s = st->base_stage;
    }
    return NULL;
}

/* ------------------------------------------------------------------- fix */

struct out {
    char *p;
    size_t n, cap;
};

static void put(struct rule_ctx *ctx, struct out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 128) + n;
        char *np = rule_alloc(ctx, cap);
        if (o->n)
            memcpy(np, o->p, o->n);
        o->p = np;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static bool plain_char(char c)
{
    return name_char(c) || (c && strchr("@%+=:,./-", c));
}

/* One element as shell text with the same meaning it had as an exec-form
 * argument, except that its variables expand. */
static void quote_element(struct rule_ctx *ctx, struct out *o, struct str a)
{
    bool has_var = false, plain = a.len > 0;
    for (size_t i = 0; i < a.len; i++) {
        has_var |= var_at(a, i) > 0;
        plain &= plain_char(a.ptr[i]);
    }
    if (plain) {
        put(ctx, o, a.ptr, a.len);
        return;
    }
    if (!has_var) {
        put(ctx, o, "'", 1);
        for (size_t i = 0; i < a.len; i++) {
            if (a.ptr[i] == '\'')
                put(ctx, o, "'\\''", 4);
            else
                put(ctx, o, a.ptr + i, 1);
        }
        put(ctx, o, "'", 1);
        return;
    }
    put(ctx, o, "\"", 1);
    for (size_t i = 0; i < a.len;) {
        size_t v = var_at(a, i);
        if (v) {
            put(ctx, o, a.ptr + i, v);
            i += v;
            continue;
        }
        char c = a.ptr[i];
        if (c == '"' || c == '\\' || c == '`' || c == '$')
            put(ctx, o, "\\", 1);
        put(ctx, o, &c, 1);
        i++;
    }
    put(ctx, o, "\"", 1);
}

/* s as the contents of a JSON string. */
static void json_escape(struct rule_ctx *ctx, struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            put(ctx, o, e, 2);
        } else if (c == '\n') {
            put(ctx, o, "\\n", 2);
        } else if (c == '\t') {
            put(ctx, o, "\\t", 2);
        } else if (c < 0x20) {
            const char *hex = "0123456789abcdef";
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put(ctx, o, e, 6);
        } else {
            put(ctx, o, s + i, 1);
        }
    }
}

static void add_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_instr *in)
{
    struct out cmd = { 0 };
    put(ctx, &cmd, "exec", 4);
    for (uint32_t i = 0; i < in->n_exec; i++) {
        put(ctx, &cmd, " ", 1);
        quote_element(ctx, &cmd, in->exec[i].raw);
    }
    struct out text = { 0 };
    const char *head = "\"/bin/sh\", \"-c\", \"";
    put(ctx, &text, head, strlen(head));
    json_escape(ctx, &text, cmd.p, cmd.n);
    put(ctx, &text, "\"", 1);
    struct edit e = { in->exec[0].span.start, in->exec[in->n_exec - 1].span.end,
                      str_make(text.p, text.n) };
    rule_finding_fix(rf, FIX_UNSAFE, "run the command through /bin/sh -c so the variables expand",
                     &e, 1);
}

/* --------------------------------------------------------------- check */

/* Where the first variable of element el is in the source: its `$…` when
 * the literal holds it as written, else the whole literal. */
static struct span var_span(const struct df_file *f, const struct df_text *el)
{
    struct span s = el->span;
    if (s.end <= s.start + 1 || s.end > f->len)
        return s;
    struct str lit = str_make(f->src + s.start + 1, s.end - s.start - 2);
    for (size_t i = 0; i < lit.len; i++) {
        size_t v = var_at(lit, i);
        if (v)
            return span_make(s.start + 1 + (uint32_t)i, s.start + 1 + (uint32_t)(i + v));
    }
    return s;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->form != DF_FORM_EXEC || !in->n_exec || in->exec_non_string)
        return;
    bool c_last = false;
    if (starts_shell_c(in, &c_last))
        return;
    if (in->kind == DF_CMD && !in->parent) {
        const struct df_instr *ep = stage_entrypoint(ctx, in);
        bool ep_last = false;
        if (ep && ep->form == DF_FORM_EXEC && starts_shell_c(ep, &ep_last) && ep_last)
            return;
    }
    const struct df_text *first = NULL;
    struct str first_var = STR_NULL;
    unsigned n_vars = 0;
    for (uint32_t i = 0; i < in->n_exec; i++) {
        struct str a = in->exec[i].raw;
        for (size_t k = 0; k < a.len; k++) {
            size_t v = var_at(a, k);
            if (!v)
                continue;
            if (!first) {
                first = &in->exec[i];
                first_var = str_slice(a, k, k + v);
            }
            n_vars++;
            k += v - 1;
        }
    }
    if (!first)
        return;
    const char *kw = df_kind_name(in->kind);
    struct span at = var_span(rule_file(ctx), first);
    struct rule_finding *rf;
    if (n_vars == 1)
        rf = rule_report(ctx, at,
                         "exec-form %s passes '%.*s' to the program as written: no shell runs "
                         "to expand it",
                         kw, STR_FMT(first_var));
    else
        rf = rule_report(ctx, at,
                         "exec-form %s passes '%.*s' and %u more variables to the program as "
                         "written: no shell runs to expand them",
                         kw, STR_FMT(first_var), n_vars - 1);
    if (rf && !in->has_syntax_error)
        add_fix(ctx, rf, in);
}

const struct rule rule_DW116 = {
    .id = "DW116",
    .name = "variable-in-exec-form",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "a variable in an exec-form command, where nothing expands it",
    .on = DF_ON(DF_RUN) | DF_ON(DF_CMD) | DF_ON(DF_ENTRYPOINT) | DF_ON(DF_HEALTHCHECK),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
