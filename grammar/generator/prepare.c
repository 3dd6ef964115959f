/* Grammar preparation, first half: intern rule names, extract tokens into
 * the lexical grammar, classify extras and externals, expand repetitions
 * into helper rules. flatten.c turns the result into productions,
 * inline.c extracts default aliases and expands inline rules.
 *
 * The order of the steps and the naming of generated symbols follow
 * tree-sitter's generator, because node type names are visible to users
 * (queries, node-types.json) and lexical ties are broken by token order. */
#include "common/vec.h"
#include "tsgen_int.h"

#include <stdio.h>
#include <string.h>

struct prep {
    const struct input_grammar *in;
    struct arena *a;
    struct err *err;
    struct strmap var_index; /* rule name -> index in in->vars */
    struct strmap ext_index; /* external SYMBOL name (not a rule) -> index */
    struct strmap prec_names;
    VEC(struct lex_var) lex;
    VEC(uint32_t) usage;
    const char *cur_name;
    uint32_t cur_tokens;
};

/* ------------------------------------------------------------------ */
/* Structural equality of input rules (paths ignored): equal token rules
 * share one lexical variable. */

static bool prec_equal(struct prec a, struct prec b)
{
    if (a.kind != b.kind)
        return false;
    if (a.kind == PREC_INT)
        return a.value == b.value;
    if (a.kind == PREC_NAME)
        return strcmp(a.name, b.name) == 0;
    return true;
}

static bool str_equal_opt(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool rule_equal(const struct rule *a, const struct rule *b)
{
    if (a == b)
        return true;
    if (a->kind != b->kind || a->value_len != b->value_len || a->named != b->named ||
        a->n_members != b->n_members || !prec_equal(a->prec, b->prec) ||
        !str_equal_opt(a->flags, b->flags))
        return false;
    if ((a->value == NULL) != (b->value == NULL))
        return false;
    if (a->value && memcmp(a->value, b->value, a->value_len) != 0)
        return false;
    if ((a->content == NULL) != (b->content == NULL))
        return false;
    if (a->content && !rule_equal(a->content, b->content))
        return false;
    for (size_t i = 0; i < a->n_members; i++)
        if (!rule_equal(a->members[i], b->members[i]))
            return false;
    return true;
}

static bool rule_is_wrapper(const struct rule *r)
{
    switch (r->kind) {
    case RULE_PREC:
    case RULE_PREC_LEFT:
    case RULE_PREC_RIGHT:
    case RULE_PREC_DYNAMIC:
    case RULE_FIELD:
    case RULE_ALIAS: return true;
    default: return false;
    }
}

/* ------------------------------------------------------------------ */
/* srule construction */

static struct srule *sr_new(struct prep *p, enum srule_kind kind, const char *path)
{
    struct srule *s = ARENA_NEW(p->a, struct srule);
    s->kind = (uint8_t)kind;
    s->path = path;
    return s;
}

static struct srule *sr_symbol(struct prep *p, struct sym sym, const char *path)
{
    struct srule *s = sr_new(p, SR_SYMBOL, path);
    s->sym = sym;
    return s;
}

static struct srule *sr_pair(struct prep *p, enum srule_kind kind, struct srule *x, struct srule *y,
                             const char *path)
{
    struct srule *s = sr_new(p, kind, path);
    s->n_members = 2;
    s->members = ARENA_NEW_ARRAY(p->a, struct srule *, 2);
    s->members[0] = x;
    s->members[1] = y;
    return s;
}

/* A token body must not refer to rules: the lexer sees characters only. */
static int check_token_body(struct prep *p, const struct rule *r)
{
    if (r->kind == RULE_SYMBOL)
        return err_set(p->err, ERR_INVALID, "%s: symbol '%s' cannot be used inside a token",
                       r->path, r->value);
    if (r->kind == RULE_PREC || r->kind == RULE_PREC_LEFT || r->kind == RULE_PREC_RIGHT) {
        if (r->prec.kind == PREC_NAME)
            return err_set(p->err, ERR_INVALID,
                           "%s: a token's precedence must be an integer, not '%s'", r->path,
                           r->prec.name);
    }
    for (size_t i = 0; i < r->n_members; i++) {
        int rc = check_token_body(p, r->members[i]);
        if (rc)
            return rc;
    }
    return r->content ? check_token_body(p, r->content) : 0;
}

/* Returns the terminal index of the token rule, creating a lexical
 * variable the first time a rule is seen. string_value names an anonymous
 * token; otherwise the token is `<rule>_token<N>`. */
static uint32_t extract_token(struct prep *p, const struct rule *r, const char *string_value)
{
    for (size_t i = 0; i < p->lex.len; i++) {
        if (rule_equal(p->lex.items[i].rule, r)) {
            p->usage.items[i]++;
            return (uint32_t)i;
        }
    }
    struct lex_var v;
    v.rule = r;
    if (string_value) {
        v.name = string_value;
        v.kind = VAR_ANONYMOUS;
    } else {
        p->cur_tokens++;
        v.name = arena_printf(p->a, "%s_token%u", p->cur_name, p->cur_tokens);
        v.kind = VAR_AUXILIARY;
    }
    VEC_PUSH(&p->lex, v);
    VEC_PUSH(&p->usage, 1);
    return (uint32_t)(p->lex.len - 1);
}

static int check_prec_name(struct prep *p, const struct rule *r)
{
    if (r->prec.kind == PREC_NAME && !strmap_get(&p->prec_names, r->prec.name, NULL))
        return err_set(p->err, ERR_INVALID,
                       "%s: precedence '%s' is not declared in any 'precedences' list", r->path,
                       r->prec.name);
    return 0;
}

static int convert(struct prep *p, const struct rule *r, struct srule **out)
{
    int rc;
    switch (r->kind) {
    case RULE_BLANK: *out = sr_new(p, SR_BLANK, r->path); return 0;
    case RULE_STRING:
        if (r->value_len == 0)
            return err_set(p->err, ERR_INVALID, "%s: empty string", r->path);
        *out = sr_symbol(p, sym_make(SYM_TERMINAL, extract_token(p, r, r->value)), r->path);
        return 0;
    case RULE_PATTERN:
        if (r->value_len == 0)
            return err_set(p->err, ERR_INVALID, "%s: empty pattern", r->path);
        *out = sr_symbol(p, sym_make(SYM_TERMINAL, extract_token(p, r, NULL)), r->path);
        return 0;
    case RULE_TOKEN:
    case RULE_IMMEDIATE_TOKEN: {
        if ((rc = check_token_body(p, r->content)))
            return rc;
        const struct rule *core = r->content;
        while (rule_is_wrapper(core))
            core = core->content;
        const char *sv = NULL;
        if (core->kind == RULE_STRING) {
            if (core->value_len == 0)
                return err_set(p->err, ERR_INVALID, "%s: empty string", core->path);
            sv = core->value;
        }
        /* token(x) with nothing between is the same token as a bare x;
         * anything else (immediacy, a precedence) is part of the token. */
        const struct rule *target =
            (r->kind == RULE_TOKEN && !rule_is_wrapper(r->content)) ? r->content : r;
        *out = sr_symbol(p, sym_make(SYM_TERMINAL, extract_token(p, target, sv)), r->path);
        return 0;
    }
    case RULE_SYMBOL: {
        uint32_t idx;
        if (strmap_get(&p->var_index, r->value, &idx)) {
            *out = sr_symbol(p, sym_make(SYM_NONTERMINAL, idx), r->path);
            return 0;
        }
        if (strmap_get(&p->ext_index, r->value, &idx)) {
            *out = sr_symbol(p, sym_make(SYM_EXTERNAL, idx), r->path);
            return 0;
        }
        return err_set(p->err, ERR_INVALID, "%s: undefined symbol '%s'", r->path, r->value);
    }
    case RULE_SEQ:
    case RULE_CHOICE: {
        if (r->n_members == 0) {
            if (r->kind == RULE_CHOICE)
                return err_set(p->err, ERR_INVALID, "%s: choice without members", r->path);
            *out = sr_new(p, SR_BLANK, r->path);
            return 0;
        }
        if (r->n_members == 1)
            return convert(p, r->members[0], out);
        struct srule *s = sr_new(p, r->kind == RULE_SEQ ? SR_SEQ : SR_CHOICE, r->path);
        s->n_members = (uint32_t)r->n_members;
        s->members = ARENA_NEW_ARRAY(p->a, struct srule *, r->n_members);
        for (size_t i = 0; i < r->n_members; i++)
            if ((rc = convert(p, r->members[i], &s->members[i])))
                return rc;
        *out = s;
        return 0;
    }
    case RULE_REPEAT:
    case RULE_REPEAT1: {
        struct srule *s = sr_new(p, SR_REPEAT1, r->path);
        if ((rc = convert(p, r->content, &s->content)))
            return rc;
        /* repeat(x) is "one or more x, or nothing". */
        *out = r->kind == RULE_REPEAT
                   ? sr_pair(p, SR_CHOICE, s, sr_new(p, SR_BLANK, r->path), r->path)
                   : s;
        return 0;
    }
    case RULE_FIELD:
    case RULE_ALIAS:
    case RULE_PREC:
    case RULE_PREC_LEFT:
    case RULE_PREC_RIGHT:
    case RULE_PREC_DYNAMIC: {
        struct srule *s = sr_new(p, SR_META, r->path);
        if (r->kind == RULE_FIELD) {
            if (!r->value[0])
                return err_set(p->err, ERR_INVALID, "%s: empty field name", r->path);
            s->field = r->value;
        } else if (r->kind == RULE_ALIAS) {
            if (!r->value[0])
                return err_set(p->err, ERR_INVALID, "%s: empty alias", r->path);
            s->alias.value = r->value;
            s->alias.named = r->named;
        } else if (r->kind == RULE_PREC_DYNAMIC) {
            s->has_dyn = true;
            s->dyn = r->prec.value;
        } else {
            if ((rc = check_prec_name(p, r)))
                return rc;
            s->prec = r->prec;
            s->assoc = r->kind == RULE_PREC_LEFT    ? ASSOC_LEFT
                       : r->kind == RULE_PREC_RIGHT ? ASSOC_RIGHT
                                                    : ASSOC_NONE;
        }
        if ((rc = convert(p, r->content, &s->content)))
            return rc;
        *out = s;
        return 0;
    }
    }
    return err_set(p->err, ERR_INTERNAL, "%s: unhandled rule kind", r->path);
}

/* ------------------------------------------------------------------ */
/* Symbol replacement after token rules became tokens */

struct replacer {
    struct sym *var_sym; /* per input var: its new symbol */
};

static void replace_symbols(struct srule *s, const struct replacer *rp)
{
    if (s->kind == SR_SYMBOL && s->sym.kind == SYM_NONTERMINAL)
        s->sym = rp->var_sym[s->sym.index];
    for (uint32_t i = 0; i < s->n_members; i++)
        replace_symbols(s->members[i], rp);
    if (s->content)
        replace_symbols(s->content, rp);
}

/* ------------------------------------------------------------------ */
/* Repeat expansion */

static bool srule_equal(const struct srule *a, const struct srule *b)
{
    if (a == b)
        return true;
    if (a->kind != b->kind || a->n_members != b->n_members)
        return false;
    switch (a->kind) {
    case SR_SYMBOL: return sym_eq(a->sym, b->sym);
    case SR_META:
        if (!prec_equal(a->prec, b->prec) || a->assoc != b->assoc || a->has_dyn != b->has_dyn ||
            a->dyn != b->dyn || !str_equal_opt(a->field, b->field) || !alias_eq(a->alias, b->alias))
            return false;
        break;
    default: break;
    }
    for (uint32_t i = 0; i < a->n_members; i++)
        if (!srule_equal(a->members[i], b->members[i]))
            return false;
    if ((a->content == NULL) != (b->content == NULL))
        return false;
    return !a->content || srule_equal(a->content, b->content);
}

struct pvar {
    const char *name;
    enum var_kind kind;
    struct srule *rule;
    bool supertype;
    bool is_repeat;
    bool repeat_rule; /* a rule that was a repetition at its top level */
    uint32_t chunk_group;
    uint8_t chunk_link;
    const char *path;
};

struct pvar_vec {
    struct pvar *items;
    size_t len, cap;
};

struct expander {
    struct prep *p;
    struct pvar_vec *vars;
    VEC(struct srule *) repeat_bodies; /* parallel to repeat_pair and repeat_uses */
    VEC(bool) repeat_pair;
    VEC(struct srule *) repeat_uses;
    const char *cur_name;
    uint32_t cur_count;
    const bool *inlined; /* per var before expansion: listed in `inline` */
    size_t n_inlined;
};

/* How many symbols a repetition item can be when every item is a single
 * symbol (one symbol, or a choice of them) with no field, alias or
 * precedence on it; 0 when it is not. A rule listed in `inline` may stand
 * for more than one symbol, and a repetition (a helper, or a rule that is
 * one) repeated again makes every split of the items a parse, which pairs
 * multiply: neither counts as a single symbol. */
static uint32_t item_symbols(const struct expander *ex, const struct srule *s)
{
    switch (s->kind) {
    case SR_SYMBOL: {
        if (s->sym.kind != SYM_NONTERMINAL)
            return 1;
        if (s->sym.index >= ex->n_inlined || ex->inlined[s->sym.index])
            return 0;
        const struct pvar *v = &ex->vars->items[s->sym.index];
        return v->rule->kind == SR_REPEAT1 || v->repeat_rule || v->is_repeat ? 0 : 1;
    }
    case SR_CHOICE: {
        uint32_t n = 0;
        for (uint32_t i = 0; i < s->n_members; i++) {
            uint32_t k = item_symbols(ex, s->members[i]);
            if (!k)
                return 0;
            n += k;
        }
        return n;
    }
    default: return 0;
    }
}

/* The pair helper has 1 + 2k + k^2 productions for items of k symbols:
 * past a few, tree-sitter's k + 1 are the better trade. */
#define PAIR_MAX_ITEM_SYMBOLS 4u

static bool pair_items(const struct expander *ex, const struct srule *body)
{
    uint32_t k = item_symbols(ex, body);
    return k > 0 && k <= PAIR_MAX_ITEM_SYMBOLS;
}

static uint32_t add_helper(struct expander *ex, struct srule *rule, const char *path)
{
    uint32_t idx = (uint32_t)ex->vars->len;
    ex->cur_count++;
    struct pvar v = { 0 };
    v.name = arena_printf(ex->p->a, "%s_repeat%u", ex->cur_name, ex->cur_count);
    v.kind = VAR_AUXILIARY;
    v.is_repeat = true;
    v.path = path;
    v.rule = rule;
    VEC_PUSH(ex->vars, v);
    return idx;
}

/* What stands for repeat1(body) in the rule that uses it.
 *
 * tree-sitter's helper is R -> R R | body: every item first becomes an R of
 * its own, then joins the R before it, two reductions per item. When each
 * item is a single symbol x, the helper here is
 *     R -> R R | R x | x R | x x
 * and the user takes x or R: one reduction per item after the first.
 *
 * The runtime balances long repetitions by rotating R nodes: a node's first
 * child takes the place of its parent, and the child's last child moves
 * over to the parent. With single-symbol items every two-child node that
 * results is still one of R's productions, so an incremental reparse that
 * breaks such a node up finds the states it expects. Items of several
 * symbols (x -> a b) would end up split across nodes, and labelled items
 * (a field, an alias) would lose their label with their position, so those
 * keep tree-sitter's form, whose rotations only move R nodes; so do items
 * that are a choice of many symbols, whose pairs would multiply the
 * productions (PAIR_MAX_ITEM_SYMBOLS). */
static struct srule *sr_self(struct prep *p, uint32_t r, const char *path)
{
    return sr_symbol(p, sym_make(SYM_NONTERMINAL, r), path);
}

/* R -> R R | body */
static struct srule *binary_rule(struct prep *p, uint32_t r, struct srule *body, const char *path)
{
    struct srule *rr = sr_pair(p, SR_SEQ, sr_self(p, r, path), sr_self(p, r, path), path);
    return sr_pair(p, SR_CHOICE, rr, body, path);
}

/* R -> R R | R x | x R | x x */
static struct srule *pair_rule(struct prep *p, uint32_t r, struct srule *x, const char *path)
{
    struct srule *c = sr_new(p, SR_CHOICE, path);
    c->n_members = 4;
    c->members = ARENA_NEW_ARRAY(p->a, struct srule *, 4);
    for (uint32_t k = 0; k < 4; k++)
        c->members[k] = sr_pair(p, SR_SEQ, k & 2 ? x : sr_self(p, r, path),
                                k & 1 ? x : sr_self(p, r, path), path);
    return c;
}

/* Whether a repetition's items may be chained in chunks: a sequence of
 * symbols (or a choice of such sequences) with no field, alias, precedence
 * or inlined rule in it, none of them a repetition. */
static bool chunk_items(const struct expander *ex, const struct srule *s)
{
    switch (s->kind) {
    case SR_SYMBOL: return item_symbols(ex, s) == 1;
    case SR_SEQ:
    case SR_CHOICE:
        for (uint32_t i = 0; i < s->n_members; i++)
            if (!chunk_items(ex, s->members[i]))
                return false;
        return s->n_members > 0;
    default: return false;
    }
}

/* Items of several symbols (x -> a b) chain in chunks of up to CHUNK_LINKS:
 *     C_1 -> x      C_j -> C_(j-1) x  (j = 2..CHUNK_LINKS)
 *     R -> X Y      for every X, Y among R and the C_j
 *     T -> R | C_1 | ... | C_CHUNK_LINKS
 * and the user takes T. A chunk costs one reduction per item, and chunks
 * pair up into R as they fill (about 1 + 1/CHUNK_LINKS reductions per
 * item, where tree-sitter's R -> R R | x costs 2). No chain node's first
 * child has its own symbol, so the runtime's balancing only rotates R
 * nodes, and any two of R and the C_j make an R: a node it rotates is still
 * one of R's productions. A list of n items is at most CHUNK_LINKS chain
 * nodes deep below a balanced R tree. The parse table builder resolves the
 * conflicts among these helpers by the rule above: a chain grows while it
 * can, a full one pairs up at once (parse_table.c, chunk_resolve). */
#define CHUNK_LINKS 4u

static struct srule *chunk_helpers(struct expander *ex, struct srule *body, const char *path)
{
    struct prep *p = ex->p;
    uint32_t t = (uint32_t)ex->vars->len, r = t + 1, c1 = t + 2;
    uint32_t n = CHUNK_LINKS + 1; /* R and the C_j */
    struct srule *top = sr_new(p, SR_CHOICE, path);
    top->n_members = n;
    top->members = ARENA_NEW_ARRAY(p->a, struct srule *, n);
    for (uint32_t k = 0; k < n; k++)
        top->members[k] = sr_self(p, r + k, path);
    add_helper(ex, top, path);
    struct srule *pairs = sr_new(p, SR_CHOICE, path);
    pairs->n_members = n * n;
    pairs->members = ARENA_NEW_ARRAY(p->a, struct srule *, n * n);
    for (uint32_t x = 0; x < n; x++)
        for (uint32_t y = 0; y < n; y++)
            pairs->members[x * n + y] =
                sr_pair(p, SR_SEQ, sr_self(p, r + x, path), sr_self(p, r + y, path), path);
    add_helper(ex, pairs, path);
    add_helper(ex, body, path);
    for (uint32_t j = 2; j <= CHUNK_LINKS; j++)
        add_helper(ex, sr_pair(p, SR_SEQ, sr_self(p, c1 + j - 2, path), body, path), path);
    for (uint32_t k = 0; k < n; k++) {
        struct pvar *v = &ex->vars->items[r + k];
        v->chunk_group = t + 1;
        v->chunk_link = (uint8_t)k;
    }
    return sr_self(p, t, path);
}

static struct srule *repeat_use(struct expander *ex, struct srule *body, bool pair,
                                const char *path)
{
    for (size_t i = 0; i < ex->repeat_bodies.len; i++)
        if (ex->repeat_pair.items[i] == pair && srule_equal(ex->repeat_bodies.items[i], body))
            return ex->repeat_uses.items[i];
    struct prep *p = ex->p;
    uint32_t r = (uint32_t)ex->vars->len;
    struct srule *use;
    if (pair) {
        add_helper(ex, pair_rule(p, r, body, path), path);
        use = sr_pair(p, SR_CHOICE, body, sr_self(p, r, path), path);
    } else if (item_symbols(ex, body) == 0 && chunk_items(ex, body)) {
        use = chunk_helpers(ex, body, path);
    } else {
        add_helper(ex, binary_rule(p, r, body, path), path);
        use = sr_self(p, r, path);
    }
    VEC_PUSH(&ex->repeat_bodies, body);
    VEC_PUSH(&ex->repeat_pair, pair);
    VEC_PUSH(&ex->repeat_uses, use);
    return use;
}

static struct srule *expand(struct expander *ex, struct srule *s)
{
    switch (s->kind) {
    case SR_SEQ:
    case SR_CHOICE:
        for (uint32_t i = 0; i < s->n_members; i++)
            s->members[i] = expand(ex, s->members[i]);
        return s;
    case SR_META: s->content = expand(ex, s->content); return s;
    case SR_REPEAT1: return repeat_use(ex, expand(ex, s->content), false, s->path);
    default: return s;
    }
}

static void expand_repeats(struct prep *p, struct pvar_vec *vars_vec, const bool *inlined)
{
    struct expander ex = { 0 };
    ex.p = p;
    ex.inlined = inlined;
    ex.vars = vars_vec;
    size_t n = ex.vars->len;
    ex.n_inlined = n;
    for (size_t i = 0; i < n; i++) {
        struct pvar *v = &ex.vars->items[i];
        ex.cur_name = v->name;
        ex.cur_count = 0;
        /* A rule that is a repetition and nothing else: its items pair up
         * when they can (the rule's own two productions, x or the pair
         * helper, keep the rules that use it as they are). Otherwise a
         * hidden one becomes tree-sitter's binary helper itself rather than
         * gaining one. Repetitions inside rules keep tree-sitter's helper:
         * there x | R in place of R would multiply the rule's productions,
         * by 3/2 for every optional repetition in it. */
        if (!v->supertype && v->rule->kind == SR_REPEAT1) {
            struct srule *body = expand(&ex, v->rule->content);
            v = &ex.vars->items[i]; /* expand may have grown the vector */
            const char *path = v->path;
            if (pair_items(&ex, body)) {
                struct srule *use = repeat_use(&ex, body, true, path);
                ex.vars->items[i].rule = use;
                ex.vars->items[i].repeat_rule = true;
                continue;
            }
            if (v->kind == VAR_HIDDEN) {
                v->rule = binary_rule(p, (uint32_t)i, body, path);
                v->kind = VAR_AUXILIARY;
                v->is_repeat = true;
                continue;
            }
            struct srule *use = repeat_use(&ex, body, false, path); /* may grow vars */
            ex.vars->items[i].rule = use;
            ex.vars->items[i].repeat_rule = true;
            continue;
        }
        struct srule *r = expand(&ex, v->rule);
        ex.vars->items[i].rule = r;
    }
    VEC_RELEASE(&ex.repeat_bodies);
    VEC_RELEASE(&ex.repeat_uses);
    VEC_RELEASE(&ex.repeat_pair);
}

/* ------------------------------------------------------------------ */

static int intern_name(struct prep *p, const char *name, const char *path, uint32_t *var)
{
    if (!strmap_get(&p->var_index, name, var))
        return err_set(p->err, ERR_INVALID, "%s: undefined symbol '%s'", path, name);
    return 0;
}

static enum var_kind kind_for_name(const char *name)
{
    return name[0] == '_' ? VAR_HIDDEN : VAR_NAMED;
}

static int prepare_lists(struct prep *p, struct syntax_grammar *syn, const struct replacer *rp,
                         struct pvar *vars)
{
    const struct input_grammar *in = p->in;
    int rc;
    /* word */
    syn->word = sym_make(SYM_NONE, 0);
    if (in->word) {
        uint32_t v;
        if ((rc = intern_name(p, in->word, "word", &v)))
            return rc;
        struct sym s = rp->var_sym[v];
        if (s.kind != SYM_TERMINAL)
            return err_set(p->err, ERR_INVALID,
                           "word: '%s' is not a token (its rule must be a single token)", in->word);
        syn->word = s;
    }
    /* supertypes */
    for (size_t i = 0; i < in->n_supertypes; i++) {
        uint32_t v;
        const char *path = arena_printf(p->a, "supertypes[%zu]", i);
        if ((rc = intern_name(p, in->supertypes[i], path, &v)))
            return rc;
        struct sym s = rp->var_sym[v];
        if (s.kind != SYM_NONTERMINAL)
            return err_set(p->err, ERR_INVALID, "%s: supertype '%s' is a token, not a rule", path,
                           in->supertypes[i]);
        vars[s.index].supertype = true;
        vars[s.index].kind = VAR_HIDDEN;
    }
    /* conflicts */
    syn->n_conflicts = (uint32_t)in->n_conflicts;
    syn->conflicts = ARENA_NEW_ARRAY(p->a, struct conflict_set, in->n_conflicts + 1);
    for (size_t i = 0; i < in->n_conflicts; i++) {
        size_t n = 0;
        while (in->conflicts[i][n])
            n++;
        struct conflict_set *cs = &syn->conflicts[i];
        cs->vars = ARENA_NEW_ARRAY(p->a, uint32_t, n + 1);
        bool matchable = true;
        for (size_t k = 0; k < n; k++) {
            const char *name = in->conflicts[i][k];
            const char *path = arena_printf(p->a, "conflicts[%zu][%zu]", i, k);
            uint32_t v;
            struct sym s;
            if (strmap_get(&p->var_index, name, &v))
                s = rp->var_sym[v];
            else if (strmap_get(&p->ext_index, name, &v))
                s = sym_make(SYM_EXTERNAL, v);
            else
                return err_set(p->err, ERR_INVALID, "%s: undefined rule '%s'", path, name);
            if (s.kind != SYM_NONTERMINAL) {
                /* A token in a conflict set never takes part in an LR
                 * conflict: the entry can never match. */
                matchable = false;
                continue;
            }
            /* insert sorted, without duplicates */
            uint32_t at = 0;
            while (at < cs->n && cs->vars[at] < s.index)
                at++;
            if (at < cs->n && cs->vars[at] == s.index)
                continue;
            memmove(&cs->vars[at + 1], &cs->vars[at], (cs->n - at) * sizeof(uint32_t));
            cs->vars[at] = s.index;
            cs->n++;
        }
        if (!matchable || cs->n == 0)
            cs->n = 0; /* n == 0 never matches */
    }
    /* precedences */
    syn->n_precs = (uint32_t)in->n_precedences;
    syn->precs = ARENA_NEW_ARRAY(p->a, struct prec_list, in->n_precedences + 1);
    for (size_t i = 0; i < in->n_precedences; i++) {
        size_t n = 0;
        while (in->precedences[i][n].name)
            n++;
        struct prec_list *pl = &syn->precs[i];
        pl->n = (uint32_t)n;
        pl->items = ARENA_NEW_ARRAY(p->a, struct prec_item, n + 1);
        for (size_t k = 0; k < n; k++) {
            const struct prec_entry *e = &in->precedences[i][k];
            pl->items[k].is_symbol = e->is_symbol;
            pl->items[k].name = e->name;
            if (e->is_symbol) {
                uint32_t v;
                const char *path = arena_printf(p->a, "precedences[%zu][%zu]", i, k);
                if ((rc = intern_name(p, e->name, path, &v)))
                    return rc;
                pl->items[k].sym = rp->var_sym[v];
            }
        }
    }
    return 0;
}

static int prepare_externals(struct prep *p, struct syntax_grammar *syn, struct srule **ext_rules,
                             const struct replacer *rp)
{
    const struct input_grammar *in = p->in;
    syn->n_externals = (uint32_t)in->n_externals;
    syn->externals = ARENA_NEW_ARRAY(p->a, struct external_token, in->n_externals + 1);
    for (size_t j = 0; j < in->n_externals; j++) {
        const struct rule *r = in->externals[j];
        struct external_token *et = &syn->externals[j];
        struct srule *s = ext_rules[j];
        if (s->kind != SR_SYMBOL)
            return err_set(p->err, ERR_INVALID,
                           "%s: an external token must be a symbol or a string", r->path);
        replace_symbols(s, rp);
        et->kind = r->kind == RULE_SYMBOL ? kind_for_name(r->value) : VAR_ANONYMOUS;
        et->name = r->kind == RULE_SYMBOL ? r->value : "";
        et->internal = sym_make(SYM_NONE, 0);
        switch (s->sym.kind) {
        case SYM_NONTERMINAL:
            return err_set(p->err, ERR_INVALID,
                           "%s: '%s' is used both as an external token and as a rule that is "
                           "not a single token",
                           r->path, r->value);
        case SYM_TERMINAL:
            et->internal = s->sym;
            et->name = p->lex.items[s->sym.index].name;
            break;
        default: break;
        }
    }
    return 0;
}

static int prepare_extras(struct prep *p, struct syntax_grammar *syn, struct lexical_grammar *lex,
                          const struct replacer *rp)
{
    const struct input_grammar *in = p->in;
    int rc;
    syn->extras = ARENA_NEW_ARRAY(p->a, struct sym, in->n_extras + 1);
    lex->separators = ARENA_NEW_ARRAY(p->a, const struct rule *, in->n_extras + 1);
    for (size_t i = 0; i < in->n_extras; i++) {
        const struct rule *r = in->extras[i];
        if (r->kind == RULE_SYMBOL) {
            struct srule *s;
            if ((rc = convert(p, r, &s)))
                return rc;
            replace_symbols(s, rp);
            syn->extras[syn->n_extras++] = s->sym;
            continue;
        }
        bool found = false;
        for (uint32_t t = 0; t < lex->n_vars && !found; t++) {
            if (rule_equal(lex->vars[t].rule, r)) {
                syn->extras[syn->n_extras++] = sym_make(SYM_TERMINAL, t);
                found = true;
            }
        }
        if (found)
            continue;
        if ((rc = check_token_body(p, r)))
            return rc;
        lex->separators[lex->n_separators++] = r;
    }
    return 0;
}

int grammar_prepare(const struct input_grammar *in, struct arena *a, struct syntax_grammar *syn,
                    struct lexical_grammar *lex, struct err *err)
{
    struct prep p = { 0 };
    p.in = in;
    p.a = a;
    p.err = err;
    memset(syn, 0, sizeof *syn);
    memset(lex, 0, sizeof *lex);
    strmap_init(&p.var_index, a);
    strmap_init(&p.ext_index, a);
    strmap_init(&p.prec_names, a);
    struct pvar_vec vars = VEC_INIT;
    struct srule **rules = ARENA_NEW_ARRAY(a, struct srule *, in->n_vars);
    struct srule **ext_rules = ARENA_NEW_ARRAY(a, struct srule *, in->n_externals + 1);
    struct replacer rp;
    int rc = 0;

    for (size_t i = 0; i < in->n_vars; i++) {
        if (strmap_get(&p.var_index, in->vars[i].name, NULL)) {
            rc = err_set(err, ERR_INVALID, "rules.%s: duplicate rule", in->vars[i].name);
            goto out;
        }
        strmap_put(&p.var_index, in->vars[i].name, (uint32_t)i);
    }
    if (in->vars[0].name[0] == '_') {
        rc = err_set(err, ERR_INVALID, "rules.%s: the start rule must be visible (no leading '_')",
                     in->vars[0].name);
        goto out;
    }
    for (size_t j = 0; j < in->n_externals; j++) {
        const struct rule *r = in->externals[j];
        if (r->kind != RULE_SYMBOL || strmap_get(&p.var_index, r->value, NULL))
            continue;
        if (strmap_get(&p.ext_index, r->value, NULL)) {
            rc = err_set(err, ERR_INVALID, "%s: duplicate external token '%s'", r->path, r->value);
            goto out;
        }
        strmap_put(&p.ext_index, r->value, (uint32_t)j);
    }
    for (size_t i = 0; i < in->n_precedences; i++)
        for (const struct prec_entry *e = in->precedences[i]; e->name; e++)
            if (!e->is_symbol)
                strmap_put(&p.prec_names, e->name, 1);

    /* Intern and extract tokens, rules first, then externals (a string
     * external becomes a token of its own). */
    for (size_t i = 0; i < in->n_vars; i++) {
        p.cur_name = in->vars[i].name;
        p.cur_tokens = 0;
        if ((rc = convert(&p, in->vars[i].rule, &rules[i])))
            goto out;
    }
    for (size_t j = 0; j < in->n_externals; j++) {
        const struct rule *r = in->externals[j];
        p.cur_name = r->kind == RULE_SYMBOL ? r->value : "";
        p.cur_tokens = 0;
        if ((rc = convert(&p, r, &ext_rules[j])))
            goto out;
    }

    /* A rule (other than the start rule) whose whole body is one token used
     * nowhere else becomes that token, under the rule's name. */
    rp.var_sym = ARENA_NEW_ARRAY(a, struct sym, in->n_vars);
    for (size_t i = 0; i < in->n_vars; i++) {
        struct srule *r = rules[i];
        if (i > 0 && r->kind == SR_SYMBOL && r->sym.kind == SYM_TERMINAL &&
            p.usage.items[r->sym.index] == 1) {
            struct lex_var *lv = &p.lex.items[r->sym.index];
            lv->name = in->vars[i].name;
            lv->kind = kind_for_name(in->vars[i].name);
            rp.var_sym[i] = r->sym;
            continue;
        }
        rp.var_sym[i] = sym_make(SYM_NONTERMINAL, (uint32_t)vars.len);
        struct pvar v = { 0 };
        v.name = in->vars[i].name;
        v.kind = kind_for_name(v.name);
        v.rule = r;
        v.path = arena_printf(a, "rules.%s", v.name);
        VEC_PUSH(&vars, v);
    }
    for (size_t i = 0; i < vars.len; i++)
        replace_symbols(vars.items[i].rule, &rp);

    lex->n_vars = (uint32_t)p.lex.len;
    lex->vars = ARENA_NEW_ARRAY(a, struct lex_var, p.lex.len + 1);
    if (p.lex.len)
        memcpy(lex->vars, p.lex.items, p.lex.len * sizeof *lex->vars);
    syn->n_terms = lex->n_vars;

    if ((rc = prepare_externals(&p, syn, ext_rules, &rp)) ||
        (rc = prepare_extras(&p, syn, lex, &rp)) || (rc = prepare_lists(&p, syn, &rp, vars.items)))
        goto out;

    /* The rules listed in `inline`, by their index among the rules. */
    bool *listed_inline = ARENA_NEW_ARRAY(a, bool, vars.len + 1);
    for (size_t i = 0; i < in->n_inline; i++) {
        uint32_t v;
        if (strmap_get(&p.var_index, in->inline_rules[i], &v) &&
            rp.var_sym[v].kind == SYM_NONTERMINAL)
            listed_inline[rp.var_sym[v].index] = true;
    }
    expand_repeats(&p, &vars, listed_inline);

    syn->n_vars = (uint32_t)vars.len;
    syn->vars = ARENA_NEW_ARRAY(a, struct syntax_var, vars.len);
    struct srule **flat_in = ARENA_NEW_ARRAY(a, struct srule *, vars.len);
    for (size_t i = 0; i < vars.len; i++) {
        struct syntax_var *sv = &syn->vars[i];
        sv->name = vars.items[i].name;
        sv->kind = vars.items[i].kind;
        sv->supertype = vars.items[i].supertype;
        sv->is_repeat = vars.items[i].is_repeat;
        sv->chunk_group = vars.items[i].chunk_group;
        sv->chunk_link = vars.items[i].chunk_link;
        sv->path = vars.items[i].path;
        flat_in[i] = vars.items[i].rule;
    }
    for (uint32_t e = 0; e < syn->n_extras; e++) {
        struct sym s = syn->extras[e];
        if (s.kind == SYM_NONTERMINAL && s.index == 0) {
            rc = err_set(err, ERR_INVALID, "extras: the start rule cannot be an extra");
            goto out;
        }
    }
    if ((rc = prepare_flatten(syn, flat_in, a, err)))
        goto out;

    /* Inline rules: listed names that are rules (tree-sitter ignores names
     * that are not). */
    bool *inlined = ARENA_NEW_ARRAY(a, bool, syn->n_vars);
    for (size_t i = 0; i < in->n_inline; i++) {
        uint32_t v;
        if (!strmap_get(&p.var_index, in->inline_rules[i], &v))
            continue;
        struct sym s = rp.var_sym[v];
        if (s.kind != SYM_NONTERMINAL)
            continue;
        if (s.index == 0) {
            rc = err_set(err, ERR_INVALID, "inline[%zu]: the start rule cannot be inlined", i);
            goto out;
        }
        inlined[s.index] = true;
    }
    for (uint32_t e = 0; e < syn->n_extras; e++)
        if (syn->extras[e].kind == SYM_NONTERMINAL && inlined[syn->extras[e].index]) {
            rc = err_set(err, ERR_INVALID, "inline: extra '%s' cannot be inlined",
                         syn->vars[syn->extras[e].index].name);
            goto out;
        }
    syn->inlined = inlined;
    prepare_default_aliases(syn, inlined, a);
    rc = prepare_inline(syn, inlined, a, err);
out:
    VEC_RELEASE(&vars);
    VEC_RELEASE(&p.lex);
    VEC_RELEASE(&p.usage);
    return rc;
}

const char *syntax_symbol_name(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                               struct sym s, bool use_alias, enum var_kind *kind)
{
    const struct alias *al = NULL;
    const char *name = "";
    enum var_kind k = VAR_NAMED;
    switch (s.kind) {
    case SYM_END:
        name = "end";
        k = VAR_HIDDEN;
        break;
    case SYM_TERMINAL:
        name = lex->vars[s.index].name;
        k = lex->vars[s.index].kind;
        al = syn->term_alias ? &syn->term_alias[s.index] : NULL;
        break;
    case SYM_EXTERNAL:
        name = syn->externals[s.index].name;
        k = syn->externals[s.index].kind;
        al = syn->ext_alias ? &syn->ext_alias[s.index] : NULL;
        break;
    case SYM_NONTERMINAL:
        name = syn->vars[s.index].name;
        k = syn->vars[s.index].kind;
        al = syn->nt_alias ? &syn->nt_alias[s.index] : NULL;
        break;
    default: break;
    }
    if (use_alias && al && al->value) {
        name = al->value;
        k = al->named ? VAR_NAMED : VAR_ANONYMOUS;
    }
    if (kind)
        *kind = k;
    return name;
}
