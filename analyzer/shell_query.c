/* Questions about a whole script: the commands it runs in execution order
 * (sh_script.cmds), where each one sits, and whether pipefail is on. The
 * walks recurse over the tree, whose depth the reader capped. */
#include "analyzer/shell.h"

#include "analyzer/shell_int.h"
#include "common/arena.h"
#include "common/compiler.h"

#include <stdlib.h>
#include <string.h>

struct collector {
    struct arena *a;
    struct sh_visit *v;
    uint32_t n, cap;
};

/* The operator written before node, looking through the first element of
 * lists, subshells, groups and the first condition of if/while/until. */
static enum sh_op join_op(const struct sh_node *node)
{
    const struct sh_node *n = node;
    for (;;) {
        const struct sh_node *par = n->parent;
        if (!par || n->role == SH_ROLE_SUBST || n->role == SH_ROLE_SH_C)
            return SH_OP_NONE;
        switch (par->kind) {
        case SH_LIST:
        case SH_AND_OR:
        case SH_PIPELINE:
            if (n->op != SH_OP_NONE)
                return n->op;
            break;
        case SH_SUBSHELL:
        case SH_GROUP: break;
        case SH_IF:
        case SH_WHILE:
        case SH_UNTIL:
            if (par->kids[0] != n)
                return SH_OP_NONE;
            break;
        default: return SH_OP_NONE;
        }
        n = par;
    }
}

static void context(const struct sh_node *node, unsigned *ctx, uint32_t *depth)
{
    unsigned c = 0;
    uint32_t d = 0;
    for (const struct sh_node *n = node; n; n = n->parent) {
        if (n->background)
            c |= SH_IN_BACKGROUND;
        const struct sh_node *par = n->parent;
        if (!par)
            break;
        if (n->role == SH_ROLE_SUBST) {
            c |= SH_IN_SUBST;
            d++;
            continue;
        }
        if (n->role == SH_ROLE_SH_C) {
            c |= SH_IN_SH_C;
            d++;
            continue;
        }
        switch (par->kind) {
        case SH_SUBSHELL:
            c |= SH_IN_SUBSHELL;
            d++;
            break;
        case SH_GROUP:
            c |= SH_IN_GROUP;
            d++;
            break;
        case SH_IF:
            c |= n->role == SH_ROLE_COND ? SH_IN_CONDITION : SH_IN_BRANCH;
            d++;
            break;
        case SH_WHILE:
        case SH_UNTIL:
            c |= n->role == SH_ROLE_COND ? SH_IN_CONDITION : SH_IN_LOOP;
            d++;
            break;
        case SH_FOR:
            c |= SH_IN_LOOP;
            d++;
            break;
        case SH_CASE: d++; break;
        case SH_CASE_ITEM: c |= SH_IN_BRANCH; break;
        case SH_FUNCTION:
            c |= SH_IN_FUNCTION;
            d++;
            break;
        case SH_PIPELINE:
            if (par->n_kids > 1)
                c |= SH_IN_PIPELINE;
            break;
        default: break;
        }
    }
    *ctx = c;
    *depth = d;
}

static void emit(struct collector *c, const struct sh_node *n, uint32_t k,
                 const struct sh_script *s)
{
    if (c->n == c->cap) {
        uint32_t nc = c->cap ? c->cap * 2 : 16;
        struct sh_visit *v = arena_alloc(c->a, (size_t)nc * sizeof *v);
        if (c->n)
            memcpy(v, c->v, (size_t)c->n * sizeof *v);
        c->v = v;
        c->cap = nc;
    }
    struct sh_visit *v = &c->v[c->n++];
    memset(v, 0, sizeof *v);
    uint32_t at = n->runs[k];
    v->call.node = n;
    v->call.argv = n->argv + at;
    v->call.argc = n->argc - at;
    v->op = k ? SH_OP_WRAPPER : join_op(n);
    context(n, &v->ctx, &v->depth);
    v->wrap = k;
    v->script = s;
}

static void walk(struct collector *c, const struct sh_node *n, const struct sh_script *s);

static void walk_exps(struct collector *c, const struct sh_expansion *e, uint32_t n,
                      const struct sh_script *s)
{
    for (uint32_t k = 0; k < n; k++)
        if (e[k].body)
            walk(c, e[k].body, s);
}

/* Only a word with a command or process substitution holds commands:
 * the flag spares the others a look at their expansions. */
static void walk_word(struct collector *c, const struct sh_word *w, const struct sh_script *s)
{
    if (w->flags & SH_WORD_SUBST)
        walk_exps(c, w->exps, w->n_exps, s);
}

static void walk(struct collector *c, const struct sh_node *n, const struct sh_script *s)
{
    for (const struct sh_redir *r = n->redirs; r; r = r->next) {
        walk_word(c, &r->target, s);
        walk_exps(c, r->body_exps, r->n_body_exps, s);
    }
    if (n->name)
        walk_word(c, n->name, s);
    for (uint32_t k = 0; k < n->n_items; k++)
        walk_word(c, &n->items[k], s);
    if (n->kind == SH_SIMPLE) {
        for (uint32_t k = 0; k < n->n_assigns; k++)
            walk_word(c, &n->assigns[k], s);
        for (uint32_t k = 0; k < n->argc; k++) {
            /* The substitutions of a `sh -c` argument are read again, in
             * place, as part of the nested script. */
            if (n->nested && n->argv[k].value.ptr == n->nested->text)
                continue;
            walk_word(c, &n->argv[k], s);
        }
        for (uint32_t k = 0; k < n->n_runs; k++)
            emit(c, n, k, s);
        if (n->nested)
            walk(c, n->nested->root, n->nested);
        return;
    }
    for (uint32_t k = 0; k < n->n_kids; k++)
        walk(c, n->kids[k], s);
}

void sh_int_collect(struct sh_script *top, struct arena *a)
{
    struct collector c = { a, NULL, 0, 0 };
    walk(&c, top->root, top);
    top->cmds = c.v;
    top->n_cmds = c.n;
    top->cmd_refs = NULL;
    if (c.n) {
        const struct sh_visit **refs = arena_alloc(a, (size_t)c.n * sizeof *refs);
        for (uint32_t i = 0; i < c.n; i++)
            refs[i] = &c.v[i];
        top->cmd_refs = refs;
    }
}

const struct sh_node *sh_pipeline_of(const struct sh_node *node, uint32_t *index)
{
    for (const struct sh_node *n = node; n->parent; n = n->parent) {
        if (n->role == SH_ROLE_SUBST || n->role == SH_ROLE_SH_C)
            return NULL;
        const struct sh_node *par = n->parent;
        if (par->kind != SH_PIPELINE || par->n_kids < 2)
            continue;
        for (uint32_t k = 0; k < par->n_kids; k++)
            if (par->kids[k] == n && index)
                *index = k;
        return par;
    }
    return NULL;
}

bool sh_node_contains(const struct sh_node *anc, const struct sh_node *node)
{
    for (const struct sh_node *n = node; n; n = n->parent)
        if (n == anc)
            return true;
    return false;
}

const struct sh_script *sh_script_of(const struct sh_script *top, const struct sh_node *node)
{
    for (const struct sh_node *n = node; n; n = n->parent)
        if (n->role == SH_ROLE_SH_C && n->parent && n->parent->nested)
            return n->parent->nested;
    return top;
}

/* A node whose commands run in a process of their own, so that a `set`
 * inside it changes nothing outside. */
static bool own_process(const struct sh_node *n)
{
    return n->kind == SH_SUBSHELL || (n->kind == SH_PIPELINE && n->n_kids > 1) ||
           n->role == SH_ROLE_SUBST || n->kind == SH_FUNCTION || n->background;
}

/* True when a `set` in the simple command s changes the shell that runs
 * node: every process boundary around s also encloses node. */
static bool same_shell(const struct sh_node *s, const struct sh_node *node)
{
    for (const struct sh_node *n = s; n; n = n->parent) {
        if (own_process(n))
            return sh_node_contains(n, node);
        if (n->role == SH_ROLE_SH_C)
            break;
    }
    return true;
}

static void apply_set(const struct sh_call *c, bool *on)
{
    uint32_t j = 1;
    while (j < c->argc) {
        struct str v = c->argv[j].value;
        if (v.len < 2 || (v.ptr[0] != '-' && v.ptr[0] != '+') || str_eq_cstr(v, "--"))
            break;
        uint32_t opts = 0;
        for (size_t k = 1; k < v.len; k++)
            if (v.ptr[k] == 'o')
                opts++;
        j++;
        for (; opts && j < c->argc; opts--, j++)
            if (str_eq_cstr(c->argv[j].value, "pipefail"))
                *on = v.ptr[0] == '-';
    }
}

bool sh_pipefail_before(const struct sh_script *top, const struct sh_node *node)
{
    const struct sh_script *ts = sh_script_of(top, node);
    bool on = ts->pipefail_at_start;
    for (uint32_t k = 0; k < top->n_cmds; k++) {
        const struct sh_visit *v = &top->cmds[k];
        /* Commands of node itself, or after its start, do not run before it. */
        if (sh_node_contains(node, v->call.node))
            break;
        if (v->script == ts && v->call.node->span.start >= node->span.start &&
            !sh_node_contains(v->call.node, node))
            break;
        if (v->script != ts || v->wrap != 0 || !sh_call_is(&v->call, "set"))
            continue;
        if (same_shell(v->call.node, node))
            apply_set(&v->call, &on);
    }
    return on;
}

/* ------------------------------------------------------------- expansions */

struct xcollect {
    struct arena *a;
    const struct sh_expansion **v;
    uint32_t n, cap;
    const struct sh_word *outer; /* the sh -c argument while in its script */
};

static void x_node(struct xcollect *c, const struct sh_node *n);

/* In a `sh -c "…"` script, an expansion the outer shell performs already
 * (inside the argument's own expansions) is not listed a second time. */
static bool outer_has(const struct xcollect *c, struct span s)
{
    if (!c->outer)
        return false;
    for (uint32_t k = 0; k < c->outer->n_exps; k++)
        if (span_contains(c->outer->exps[k].span, s))
            return true;
    return false;
}

static void x_exps(struct xcollect *c, const struct sh_expansion *e, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        if (outer_has(c, e[k].span))
            continue;
        if (c->n == c->cap) {
            uint32_t nc = c->cap ? c->cap * 2 : 16;
            const struct sh_expansion **v = arena_alloc(c->a, (size_t)nc * sizeof *v);
            if (c->n)
                memcpy(v, c->v, (size_t)c->n * sizeof *v);
            c->v = v;
            c->cap = nc;
        }
        c->v[c->n++] = &e[k];
        if (e[k].body)
            x_node(c, e[k].body);
    }
}

static void x_words(struct xcollect *c, const struct sh_word *w, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        x_exps(c, w[k].exps, w[k].n_exps);
}

static void x_node(struct xcollect *c, const struct sh_node *n)
{
    for (const struct sh_redir *r = n->redirs; r; r = r->next) {
        x_words(c, &r->target, 1);
        x_exps(c, r->body_exps, r->n_body_exps);
    }
    if (n->name)
        x_words(c, n->name, 1);
    x_words(c, n->items, n->n_items);
    x_words(c, n->assigns, n->n_assigns);
    x_words(c, n->argv, n->argc);
    for (uint32_t k = 0; k < n->n_kids; k++)
        x_node(c, n->kids[k]);
    if (n->nested) {
        const struct sh_word *saved = c->outer;
        for (uint32_t k = 0; k < n->argc; k++)
            if (n->argv[k].value.ptr == n->nested->text)
                c->outer = &n->argv[k];
        x_node(c, n->nested->root);
        c->outer = saved;
    }
}

static int by_start(const void *a, const void *b)
{
    const struct sh_expansion *x = *(const struct sh_expansion *const *)a;
    const struct sh_expansion *y = *(const struct sh_expansion *const *)b;
    if (x->span.start != y->span.start)
        return x->span.start < y->span.start ? -1 : 1;
    /* An outer expansion starts where its first nested one may start
     * (`${$(x)}` cannot, `$(…)` bodies start later): longer first. */
    return x->span.end > y->span.end ? -1 : x->span.end < y->span.end ? 1 : 0;
}

const struct sh_expansion **sh_script_expansions(const struct sh_script *top, struct arena *a,
                                                 uint32_t *n)
{
    struct xcollect c = { a, NULL, 0, 0, NULL };
    x_node(&c, top->root);
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, by_start);
    *n = c.n;
    return c.v;
}
