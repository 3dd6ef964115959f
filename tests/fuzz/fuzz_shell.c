/* libFuzzer target for the shell reader: any bytes, cut into segments at
 * each 0x1f byte (the cut bytes themselves are left out, as the escape and
 * line ending of a continuation are), are read, then every node, word,
 * problem and visited command is checked to stay inside the input, and the
 * query functions run over every command. Any broken invariant traps. */
#include "analyzer/shell.h"
#include "common/arena.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t hi;

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static void check_span(struct span s)
{
    check(s.start <= s.end && s.end <= hi);
}

static void check_node(const struct sh_node *n, uint32_t depth);

static void check_word(const struct sh_word *w, uint32_t depth)
{
    check_span(w->span);
    check(w->value.ptr != NULL && w->value.ptr[w->value.len] == '\0');
    for (size_t k = 0; k <= w->value.len; k++)
        check(w->value_src[k] <= hi);
    for (uint32_t k = 0; k < w->n_exps; k++) {
        check_span(w->exps[k].span);
        if (w->exps[k].body)
            check_node(w->exps[k].body, depth + 1);
    }
}

static void check_node(const struct sh_node *n, uint32_t depth)
{
    /* The reader caps nesting; the tree can be a few levels per cap step
     * deeper (list, and-or, pipeline, command), never unbounded. */
    check(depth < 16 * SH_MAX_DEPTH);
    check_span(n->span);
    for (uint32_t k = 0; k < n->n_kids; k++) {
        check(n->kids[k]->parent == n);
        check_node(n->kids[k], depth + 1);
    }
    for (uint32_t k = 0; k < n->n_assigns; k++)
        check_word(&n->assigns[k], depth);
    for (uint32_t k = 0; k < n->argc; k++)
        check_word(&n->argv[k], depth);
    for (uint32_t k = 0; k < n->n_items; k++)
        check_word(&n->items[k], depth);
    if (n->name)
        check_word(n->name, depth);
    for (const struct sh_redir *r = n->redirs; r; r = r->next) {
        check_span(r->span);
        check_word(&r->target, depth);
        check_span(r->body_span);
    }
    check(n->n_runs <= n->argc);
    for (uint32_t k = 0; k < n->n_runs; k++)
        check(n->runs[k] < n->argc && (k == 0 || n->runs[k] > n->runs[k - 1]));
    if (n->nested) {
        check(n->nested->owner == n);
        check(n->nested->root->parent == n);
        check_node(n->nested->root, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    struct arena a;
    arena_init(&a);
    struct sh_segment *segs = ARENA_NEW_ARRAY(&a, struct sh_segment, size + 1);
    uint32_t n = 0, start = 0;
    for (uint32_t k = 0; k <= size; k++) {
        if (k == size || data[k] == 0x1f) {
            segs[n].start = start;
            segs[n].end = k;
            n++;
            start = k + 1;
        }
    }
    hi = (uint32_t)size;
    struct sh_input in = { (const char *)data, segs, n };
    const struct sh_script *s = sh_parse(&in, &a);
    check(s->root != NULL && s->root->parent == NULL);
    check_node(s->root, 0);
    for (uint32_t k = 0; k < s->n_problems; k++) {
        check_span(s->problems[k].span);
        check(s->problems[k].msg != NULL);
    }
    uint32_t n_exps = 0;
    const struct sh_expansion **exps = sh_script_expansions(s, &a, &n_exps);
    for (uint32_t k = 0; k < n_exps; k++) {
        check_span(exps[k]->span);
        check(k == 0 || exps[k - 1]->span.start <= exps[k]->span.start);
    }
    static const char *const longs[] = { "target", "output", NULL };
    static const struct sh_flag_spec spec = { "oct", longs, false };
    for (uint32_t k = 0; k < s->n_cmds; k++) {
        const struct sh_visit *v = &s->cmds[k];
        const struct sh_call *c = &v->call;
        check(c->argc >= 1 && c->node->kind == SH_SIMPLE);
        check(c->argv >= c->node->argv && c->argv + c->argc == c->node->argv + c->node->argc);
        (void)sh_call_name(c);
        (void)sh_call_has_short(c, 'y', &spec);
        (void)sh_call_has_long(c, "yes", &spec);
        struct sh_arg arg;
        if (sh_call_find_flag(c, 'o', "target", &spec, &arg))
            check(arg.index < c->argc && arg.value_index < c->argc);
        uint32_t cnt = 0;
        const struct sh_word **ops = sh_call_operands(c, 1, &spec, &a, &cnt);
        for (uint32_t j = 0; j < cnt; j++)
            check(ops[j] >= c->argv && ops[j] < c->argv + c->argc);
        check(sh_script_of(s, c->node) == v->script);
        if (c->node->parent)
            (void)sh_pipefail_before(s, c->node->parent);
    }
    arena_release(&a);
    return 0;
}
