/* DW102 arg-out-of-scope: shell text reads an ARG where it does not exist.
 * A RUN sees a global ARG (one before the first FROM, or an automatic
 * platform ARG) only after the stage, or an in-file parent, redeclares it
 * with `ARG NAME`; CMD, ENTRYPOINT and HEALTHCHECK run in the container,
 * where no ARG exists at all. The shell expands the name to nothing and
 * nobody notices. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports shell text that reads an ARG that does not exist where the text\n"
    "runs:\n"
    "- a RUN (or a shell heredoc of RUN) uses `$NAME` for a global ARG or an\n"
    "  automatic platform ARG (`TARGETARCH`, ...) that neither the stage nor\n"
    "  its in-file parent stages redeclare with `ARG NAME`;\n"
    "- the shell form of CMD, ENTRYPOINT or HEALTHCHECK uses an ARG: ARGs\n"
    "  exist during the build only;\n"
    "- an `ONBUILD RUN` trigger uses an ARG of this Dockerfile: the trigger\n"
    "  runs in the downstream build right after its FROM, where no ARG exists\n"
    "  yet.\n"
    "\n"
    "Names that an ENV sets in scope are not reported, nor names the script\n"
    "assigns itself, nor the proxy variables (`HTTP_PROXY`, ...) that\n"
    "BuildKit passes to RUN without a declaration. Stages whose shell is not a\n"
    "POSIX shell (a SHELL or `# dockwright shell=` naming pwsh, powershell or\n"
    "cmd, or a Windows base image) are not checked: `$NAME` is no environment\n"
    "variable there.\n"
    "\n"
    "## Why is this bad?\n"
    "The shell expands the name to the empty string: `curl .../$VERSION/...`\n"
    "downloads the wrong file, `GOARCH=$TARGETARCH` builds for the host, and a\n"
    "CMD that reads an ARG starts without its value.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "ARG VERSION=1.2.3\n"
    "FROM alpine:3.20\n"
    "RUN wget -q https://example.com/tool-$VERSION.tar.gz\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "ARG VERSION=1.2.3\n"
    "FROM alpine:3.20\n"
    "ARG VERSION\n"
    "RUN wget -q https://example.com/tool-$VERSION.tar.gz\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe, RUN case only: the fix inserts `ARG NAME` right after the\n"
    "stage's FROM line. The RUN then sees the value, so what it does changes,\n"
    "and so does the cache key of every later step. CMD, ENTRYPOINT and\n"
    "HEALTHCHECK have no fix: use ENV to keep a build value in the image.\n";

/* The proxy variables BuildKit hands to RUN without a declaration
 * (dockerfile.md section 11). */
static const char *const proxies[] = {
    "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
    "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
};

/* Fixes already offered, so that several RUNs of a stage reading the same
 * global ARG insert its declaration once. */
struct offered {
    int stage;
    struct str name;
};

struct state {
    struct offered *items;
    uint32_t n, cap;
};

/* ------------------------------------------------- names the script sets */

struct names {
    struct str *items;
    uint32_t n, cap;
};

static void names_add(struct rule_ctx *ctx, struct names *ns, struct str name)
{
    if (!name.len)
        return;
    if (ns->n == ns->cap) {
        uint32_t cap = ns->cap ? ns->cap * 2 : 8;
        struct str *items = rule_alloc(ctx, cap * sizeof *items);
        if (ns->n)
            memcpy(items, ns->items, ns->n * sizeof *items);
        ns->items = items;
        ns->cap = cap;
    }
    ns->items[ns->n++] = name;
}

static bool names_has(const struct names *ns, struct str name)
{
    for (uint32_t i = 0; i < ns->n; i++)
        if (str_eq(ns->items[i], name))
            return true;
    return false;
}

/* The name a word assigns or declares (`A=1`, or a bare `A` operand of
 * export, read, ...). */
static struct str declared_name(const struct sh_word *w)
{
    struct str a = sh_word_assign_name(w);
    if (a.len)
        return a;
    struct str v = w->value;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return STR_NULL;
    }
    return v;
}

/* Collects what the script assigns: assignment words, the variables of
 * for loops, and the operands of export, readonly, declare, typeset, local
 * and read. A reference to such a name is the script's own variable. */
static void collect_assigned(struct rule_ctx *ctx, const struct sh_node *n, struct names *ns,
                             unsigned depth)
{
    /* Each level of shell nesting is a few tree levels (list, and-or,
     * pipeline, command); the reader caps the nesting. */
    if (!n || depth > 4 * SH_MAX_DEPTH + 16)
        return;
    for (uint32_t i = 0; i < n->n_assigns; i++)
        names_add(ctx, ns, sh_word_assign_name(&n->assigns[i]));
    if (n->kind == SH_FOR && n->name)
        names_add(ctx, ns, n->name->value);
    if (n->kind == SH_SIMPLE && n->argc > 0) {
        const struct sh_word *cmd = &n->argv[0];
        bool decl = sh_word_is(cmd, "export") || sh_word_is(cmd, "readonly") ||
                    sh_word_is(cmd, "declare") || sh_word_is(cmd, "typeset") ||
                    sh_word_is(cmd, "local") || sh_word_is(cmd, "read");
        for (uint32_t i = 1; decl && i < n->argc; i++)
            if (n->argv[i].value.len && n->argv[i].value.ptr[0] != '-')
                names_add(ctx, ns, declared_name(&n->argv[i]));
    }
    for (uint32_t i = 0; i < n->n_kids; i++)
        collect_assigned(ctx, n->kids[i], ns, depth + 1);
    if (n->nested)
        collect_assigned(ctx, n->nested->root, ns, depth + 1);
}

/* ------------------------------------------------------------------ scope */

/* Whether an ENV sets name before `in` in its stage (anywhere in it when
 * whole) or anywhere in the stage's in-file parents: the value then exists
 * at run time. */
static bool env_in_scope(const struct df_model *m, const struct df_instr *in, struct str name,
                         bool whole)
{
    int stage = in->stage;
    bool own = !whole;
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages;
         steps++) {
        const struct df_stage *st = &m->stages[stage];
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *x = st->instrs[i];
            if (own && x->index >= in->index)
                break;
            if (x->kind != DF_ENV)
                continue;
            for (uint32_t k = 0; k < x->n_pairs; k++)
                if (str_eq(x->pairs[k].key.raw, name))
                    return true;
        }
        own = false;
        stage = st->base_stage;
    }
    return false;
}

/* What a name is in the global scope: 0 nothing, 1 a global ARG, 2 an
 * automatic platform ARG. */
static int global_kind(const struct df_file *f, const struct df_stage *st, struct str name)
{
    struct df_var g;
    if (!st->from || !df_lookup(f, st->from, name, &g))
        return 0;
    return g.defined_at ? 1 : 2;
}

/* Whether the shell that runs `in` is not a POSIX shell, so `$NAME` is no
 * environment lookup (a PowerShell variable, plain text for cmd): the
 * stage's SHELL (or an in-file parent's) names pwsh, powershell or cmd, the
 * file's shell pragma does, or the stage builds on a Windows image, whose
 * default shell is cmd. */
static bool non_posix_shell(const struct df_model *m, const struct df_instr *in)
{
    struct str p = m->shell_pragma.raw;
    if (p.ptr && (str_eq_nocase(p, STR_LIT("pwsh")) || str_eq_nocase(p, STR_LIT("powershell")) ||
                  str_eq_nocase(p, STR_LIT("cmd"))))
        return true;
    const struct df_instr *top = in;
    while (top->parent)
        top = top->parent;
    int stage = in->stage;
    bool own = true;
    const struct df_stage *st = NULL;
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages;
         steps++) {
        st = &m->stages[stage];
        for (uint32_t i = st->n_instrs; i-- > 0;) {
            const struct df_instr *x = st->instrs[i];
            if ((own && x->index >= top->index) || x->kind != DF_SHELL || !x->n_exec)
                continue;
            struct str prog = x->exec[0].raw;
            for (size_t k = prog.len; k-- > 0;)
                if (prog.ptr[k] == '/' || prog.ptr[k] == '\\') {
                    prog = str_slice(prog, k + 1, prog.len);
                    break;
                }
            return str_starts_with(prog, STR_LIT("pwsh")) ||
                   str_starts_with(prog, STR_LIT("powershell")) ||
                   str_starts_with(prog, STR_LIT("PowerShell")) ||
                   str_eq_nocase(prog, STR_LIT("cmd")) || str_eq_nocase(prog, STR_LIT("cmd.exe"));
        }
        own = false;
        if (st->base_stage < 0)
            break;
        stage = st->base_stage;
    }
    if (!st || !st->from)
        return false;
    const struct df_image_ref *img = &st->from->image;
    return str_eq_cstr(img->registry, "mcr.microsoft.com") &&
           (str_starts_with(img->repository, STR_LIT("windows")) ||
            str_starts_with(img->repository, STR_LIT("dotnet/framework/")));
}

/* ------------------------------------------------------------------- fix */

/* Whether a fix inserting `ARG name` into stage was offered already;
 * records it when not. */
static bool already_offered(struct rule_ctx *ctx, int stage, struct str name)
{
    struct state *s = rule_state(ctx);
    for (uint32_t i = 0; i < s->n; i++)
        if (s->items[i].stage == stage && str_eq(s->items[i].name, name))
            return true;
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        struct offered *items = rule_alloc(ctx, cap * sizeof *items);
        if (s->n)
            memcpy(items, s->items, s->n * sizeof *items);
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = (struct offered){ stage, name };
    return false;
}

static void add_arg_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_stage *st,
                        struct str name)
{
    const struct df_file *f = rule_file(ctx);
    if (!st->from || already_offered(ctx, (int)st->index, name))
        return;
    /* The start of the line after the FROM instruction (continuation
     * lines included): the top of the stage, above any pragma comment of
     * the first instruction. */
    uint32_t at = st->from->span.end;
    while (at < f->len && f->src[at] != '\n')
        at++;
    if (at >= f->len)
        return;
    at++;
    const char *text = rule_printf(ctx, "ARG %.*s\n", STR_FMT(name));
    struct edit e = { at, at, str_from_cstr(text) };
    rule_finding_fix(rf, FIX_UNSAFE,
                     rule_printf(ctx, "declare ARG %.*s at the top of the stage", STR_FMT(name)),
                     &e, 1);
}

/* ----------------------------------------------------------------- check */

static bool is_name(struct str s)
{
    if (!s.len || (s.ptr[0] >= '0' && s.ptr[0] <= '9'))
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

static bool is_proxy(struct str name)
{
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
        if (str_eq_cstr(name, proxies[i]))
            return true;
    return false;
}

/* A RUN: global ARGs the stage did not redeclare. */
static void check_run_ref(struct rule_ctx *ctx, const struct df_instr *in,
                          const struct sh_expansion *x)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_stage *st = &rule_model(ctx)->stages[in->stage];
    struct df_var v;
    if (is_proxy(x->name) || df_lookup(f, in, x->name, &v))
        return; /* declared in scope (ARG or ENV), or passed by BuildKit */
    int kind = global_kind(f, st, x->name);
    if (!kind)
        return;
    struct rule_finding *rf =
        rule_report(ctx, x->span,
                    "'%.*s' is %s that this stage does not redeclare: RUN sees it only after "
                    "'ARG %.*s' in the stage",
                    STR_FMT(x->name), kind == 1 ? "a global ARG" : "an automatic platform ARG",
                    STR_FMT(x->name));
    if (rf)
        add_arg_fix(ctx, rf, st, x->name);
}

/* CMD, ENTRYPOINT, HEALTHCHECK: any ARG, since none exists at run time. */
static void check_runtime_ref(struct rule_ctx *ctx, const struct df_instr *in,
                              const struct sh_expansion *x)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    const struct df_stage *st = &m->stages[in->stage];
    if (env_in_scope(m, in, x->name, false))
        return;
    struct df_var v;
    const char *what;
    if (df_lookup(f, in, x->name, &v)) {
        if (v.origin == DF_VAR_ENV)
            return;
        what = "an ARG";
    } else {
        int kind = global_kind(f, st, x->name);
        if (!kind)
            return;
        what = kind == 1 ? "a global ARG" : "an automatic platform ARG";
    }
    const char *kw = df_kind_name(in->kind);
    rule_report(ctx, x->span,
                "'%.*s' is %s, which does not exist when the container runs %s; set it with "
                "ENV to keep its value in the image",
                STR_FMT(x->name), what, kw);
}

/* An ONBUILD RUN trigger runs in the downstream build right after its
 * FROM, before that stage can declare any ARG: an ARG of this file does
 * not exist there, only the ENV the image carries. */
static void check_trigger_ref(struct rule_ctx *ctx, const struct df_instr *in,
                              const struct sh_expansion *x)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (is_proxy(x->name) || env_in_scope(m, in, x->name, true))
        return;
    struct df_var v;
    const char *what;
    if (df_lookup(f, in, x->name, &v)) {
        if (v.origin == DF_VAR_ENV)
            return;
        what = "an ARG of this Dockerfile";
    } else {
        int kind = global_kind(f, &m->stages[in->stage], x->name);
        if (!kind)
            return;
        what = kind == 1 ? "a global ARG of this Dockerfile" : "an automatic platform ARG";
    }
    rule_report(ctx, x->span,
                "'%.*s' is %s, which does not exist where the ONBUILD trigger runs: right after "
                "the FROM of the downstream build, before it can declare ARGs",
                STR_FMT(x->name), what);
}

static void check_script(struct rule_ctx *ctx, const struct df_instr *in,
                         const struct sh_script *script, struct span *seen, uint32_t *n_seen,
                         uint32_t max_seen)
{
    uint32_t n = 0;
    const struct sh_expansion **xs = sh_script_expansions(script, rule_arena(ctx), &n);
    if (!n)
        return;
    struct names assigned = { NULL, 0, 0 };
    collect_assigned(ctx, script->root, &assigned, 0);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_expansion *x = xs[i];
        if ((x->kind != SH_EXP_PARAM && x->kind != SH_EXP_BRACE) || !is_name(x->name) ||
            names_has(&assigned, x->name))
            continue;
        /* A heredoc body may be listed by the command's script and by the
         * body's own: report each reference once. */
        bool dup = false;
        for (uint32_t k = 0; k < *n_seen && !dup; k++)
            dup = seen[k].start == x->span.start;
        if (dup)
            continue;
        if (*n_seen < max_seen)
            seen[(*n_seen)++] = x->span;
        if (in->parent)
            check_trigger_ref(ctx, in, x);
        else if (in->kind == DF_RUN)
            check_run_ref(ctx, in, x);
        else
            check_runtime_ref(ctx, in, x);
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    if (in->stage < 0 || (uint32_t)in->stage >= m->n_stages || in->form != DF_FORM_SHELL)
        return;
    /* Of the triggers, RUN only (rules.md "Shell analysis"). */
    if ((in->parent && in->kind != DF_RUN) || non_posix_shell(m, in))
        return;
    enum { MAX_SEEN = 256 };
    struct span seen[MAX_SEEN];
    uint32_t n_seen = 0;
    if (in->kind == DF_RUN) {
        if (in->script)
            check_script(ctx, in, in->script, seen, &n_seen, MAX_SEEN);
        /* A body run by a shell started on its stdin with a quoted
         * delimiter: the outer shell leaves it alone and the inner one
         * expands it. */
        for (uint32_t k = 0; k < in->n_heredocs; k++) {
            const struct df_heredoc *h = &in->heredocs[k];
            if (h->script && h->script != in->script && h->quoted)
                check_script(ctx, in, h->script, seen, &n_seen, MAX_SEEN);
        }
        return;
    }
    if (!in->n_shell_segs)
        return;
    struct sh_input input = { rule_file(ctx)->src, in->shell_segs, in->n_shell_segs };
    const struct sh_script *script = sh_parse(&input, rule_arena(ctx));
    check_script(ctx, in, script, seen, &n_seen, MAX_SEEN);
}

const struct rule rule_DW102 = {
    .id = "DW102",
    .name = "arg-out-of-scope",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "shell text reads an ARG that does not exist where it runs",
    .on = DF_ON(DF_RUN) | DF_ON(DF_CMD) | DF_ON(DF_ENTRYPOINT) | DF_ON(DF_HEALTHCHECK),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
