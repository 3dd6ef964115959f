/* The canonical LR(1) parse table: item sets, their closure through FIRST
 * sets, breadth-first exploration (so state ids are deterministic),
 * actions, and conflict resolution by precedence, associativity, declared
 * conflicts (GLR) and repetition.
 *
 * An item is (variable, production, step) with a lookahead set over the
 * lookahead index space (end, end of a non-terminal extra, terminals,
 * externals). States are identified by their kernel (items after a shift,
 * plus the start and extra entry items) with lookaheads: the closure is a
 * function of the kernel, so equal kernels mean equal item sets. */
#include "common/vec.h"
#include "tsgen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canonical LR(1) can explode on unfriendly grammars; stop with a clear
 * error rather than exhausting memory (ids are 16-bit in the output
 * anyway, and minimisation rarely merges more than 10 to 1). */
#define MAX_LR1_STATES 400000u

/* Items are handled by key: (canonical item id << 1) | inherited-fields
 * flag. See compute_canon for why different productions can share an
 * item. */
struct kitem {
    uint32_t key;
    uint32_t la; /* offset of the lookahead words in builder.kernel_words */
};

struct bstate {
    uint32_t kernel; /* offset in builder.kernel_items */
    uint32_t n_kernel;
    uint64_t hash;
    uint32_t core_id;
    uint32_t parent; /* state we came from (UINT32_MAX for roots) */
    uint32_t via;    /* lookahead index, or n_la + var for a goto */
};

struct closure_entry {
    uint32_t key;
    uint64_t *la; /* n_words words, scratch */
};

struct tmp_entry {
    struct pact *acts;
    uint32_t n, cap;
    bool touched;
};

struct item_ref {
    uint32_t var, prod, step;
};

struct builder {
    const struct syntax_grammar *syn;
    const struct lexical_grammar *lex;
    struct arena *a;
    struct err *err;
    struct buf *report;
    uint32_t n_vars, n_terms, n_ext, n_la, n_words;
    struct production start_prod;
    struct prod_step start_step;

    /* item ids: item (var, prod, step) = prod_base[var][prod] + step; the
     * augmented start production is var n_vars. */
    uint32_t **prod_base;
    struct item_ref *items; /* by id */
    uint32_t n_items;

    /* FIRST sets (over the lookahead space) */
    uint64_t *first_nt; /* n_vars * n_words */
    bool *nullable;
    uint64_t *first_after; /* per item id: FIRST of the steps from there on */
    bool *nullable_after;

    /* closure additions per nonterminal */
    struct addition *adds;
    uint32_t *adds_start; /* n_vars + 1 */

    /* states */
    VEC(struct bstate) states;
    VEC(struct kitem) kernel_items;
    VEC(uint64_t) kernel_words;
    uint32_t *map; /* open addressing over states by kernel hash; UINT32_MAX empty */
    uint32_t map_cap;
    uint32_t *core_map; /* same for LR(0) cores: holds a state id of that core */
    uint32_t core_map_cap, n_cores;

    /* scratch for one state */
    VEC(struct closure_entry) closure;
    int32_t *slot_of_item; /* item key -> closure index, -1 */
    uint32_t *canon[2];    /* item id -> canonical item id, without/with the flag */
    bool *passes_fields;   /* nonterminal: hidden with fields (inherited by parents) */
    uint64_t *scratch_words;
    size_t scratch_cap, scratch_used;
    struct tmp_entry *tmp; /* by lookahead index */
    VEC(uint32_t) touched;
    uint32_t *goto_of; /* by var: state, UINT32_MAX */
    VEC(uint32_t) goto_touched;

    /* non-terminal extras: (lookahead index, state) */
    VEC(uint32_t) nt_extra_la;
    VEC(uint32_t) nt_extra_state;

    /* production infos */
    VEC(struct prod_info) infos;
    uint32_t max_prod_len;
    const char **field_names;
    uint32_t n_field_names;
    bool *var_fields; /* n_vars * n_field_names */

    struct parse_table *pt;
};

struct addition {
    uint32_t id; /* item id at step 0 */
    uint64_t *la;
    bool propagates;
};

/* ------------------------------------------------------------------ */
/* bit helpers over n_words words */

static inline bool bits_has(const uint64_t *w, uint32_t i)
{
    return (w[i >> 6] >> (i & 63)) & 1;
}
static inline void bits_add(uint64_t *w, uint32_t i)
{
    w[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline bool bits_union(uint64_t *a, const uint64_t *b, uint32_t n)
{
    bool changed = false;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = a[i] | b[i];
        changed |= x != a[i];
        a[i] = x;
    }
    return changed;
}

static const struct production *prod_of(const struct builder *b, uint32_t var, uint32_t prod)
{
    if (var == b->n_vars)
        return &b->start_prod;
    return &b->syn->vars[var].prods[prod];
}

static uint32_t la_of_sym(const struct builder *b, struct sym s)
{
    switch (s.kind) {
    case SYM_END: return LA_END;
    case SYM_TERMINAL: return LA_FIRST_TERM + s.index;
    case SYM_EXTERNAL: return LA_FIRST_TERM + b->n_terms + s.index;
    default: return UINT32_MAX;
    }
}

/* ------------------------------------------------------------------ */
/* Symbol names for reports */

static void append_sym_name(const struct builder *b, struct buf *out, struct sym s)
{
    enum var_kind k;
    const char *name = syntax_symbol_name(b->syn, b->lex, s, false, &k);
    int rc;
    if (s.kind == SYM_END)
        rc = buf_append_cstr(out, "end");
    else if (k == VAR_ANONYMOUS) {
        rc = buf_append_char(out, '\'');
        for (const char *p = name; *p && rc == 0; p++) {
            if (*p == '\n')
                rc = buf_append_cstr(out, "\\n");
            else if (*p == '\t')
                rc = buf_append_cstr(out, "\\t");
            else if (*p == '\r')
                rc = buf_append_cstr(out, "\\r");
            else
                rc = buf_append_char(out, *p);
        }
        if (rc == 0)
            rc = buf_append_char(out, '\'');
    } else
        rc = buf_append_cstr(out, name);
    (void)rc; /* the report buffer is unlimited */
}

static struct sym sym_of_la(const struct builder *b, uint32_t la)
{
    if (la == LA_END || la == LA_NT_EXTRA_END)
        return sym_make(SYM_END, 0);
    if (la < LA_FIRST_TERM + b->n_terms)
        return sym_make(SYM_TERMINAL, la - LA_FIRST_TERM);
    if (la < b->n_la)
        return sym_make(SYM_EXTERNAL, la - LA_FIRST_TERM - b->n_terms);
    return sym_make(SYM_NONTERMINAL, la - b->n_la);
}

/* ------------------------------------------------------------------ */
/* FIRST sets, nullability, closure additions */

static uint64_t *first_of_sym(struct builder *b, struct sym s, uint64_t *single)
{
    if (s.kind == SYM_NONTERMINAL)
        return &b->first_nt[(size_t)s.index * b->n_words];
    memset(single, 0, b->n_words * sizeof *single);
    bits_add(single, la_of_sym(b, s));
    return single;
}

static void compute_first(struct builder *b)
{
    const struct syntax_grammar *syn = b->syn;
    uint64_t *single = ARENA_NEW_ARRAY(b->a, uint64_t, b->n_words);
    b->first_nt = ARENA_NEW_ARRAY(b->a, uint64_t, (size_t)b->n_vars * b->n_words + 1);
    b->nullable = ARENA_NEW_ARRAY(b->a, bool, b->n_vars + 1);
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t v = 0; v < b->n_vars; v++) {
            uint64_t *fv = &b->first_nt[(size_t)v * b->n_words];
            for (uint32_t p = 0; p < syn->vars[v].n_prods; p++) {
                const struct production *pr = &syn->vars[v].prods[p];
                bool all_nullable = true;
                for (uint32_t i = 0; i < pr->n_steps && all_nullable; i++) {
                    struct sym s = pr->steps[i].sym;
                    changed |= bits_union(fv, first_of_sym(b, s, single), b->n_words);
                    all_nullable = s.kind == SYM_NONTERMINAL && b->nullable[s.index];
                }
                if (all_nullable && !b->nullable[v]) {
                    b->nullable[v] = true;
                    changed = true;
                }
            }
        }
    }
    /* FIRST of every suffix of every production */
    b->first_after = ARENA_NEW_ARRAY(b->a, uint64_t, (size_t)b->n_items * b->n_words);
    b->nullable_after = ARENA_NEW_ARRAY(b->a, bool, b->n_items);
    for (uint32_t v = 0; v <= b->n_vars; v++) {
        uint32_t np = v == b->n_vars ? 1 : syn->vars[v].n_prods;
        for (uint32_t p = 0; p < np; p++) {
            const struct production *pr = prod_of(b, v, p);
            uint32_t base = b->prod_base[v][p];
            b->nullable_after[base + pr->n_steps] = true;
            for (uint32_t i = pr->n_steps; i-- > 0;) {
                struct sym s = pr->steps[i].sym;
                uint64_t *fa = &b->first_after[(size_t)(base + i) * b->n_words];
                memcpy(fa, first_of_sym(b, s, single), b->n_words * sizeof *fa);
                bool n = s.kind == SYM_NONTERMINAL && b->nullable[s.index];
                if (n)
                    bits_union(fa, &b->first_after[(size_t)(base + i + 1) * b->n_words],
                               b->n_words);
                b->nullable_after[base + i] = n && b->nullable_after[base + i + 1];
            }
        }
    }
}

/* For each nonterminal N, the items a closure adds when N is after the dot:
 * every production reachable through leftmost nonterminals, with the
 * lookaheads they always get, and whether they also get the lookaheads
 * that follow N in the item that started it. */
static void compute_additions(struct builder *b)
{
    const struct syntax_grammar *syn = b->syn;
    uint32_t n = b->n_vars, w = b->n_words;
    uint64_t *la = xcalloc((size_t)n * w + 1, sizeof *la);
    bool *prop = xcalloc(n + 1, 1), *reached = xcalloc(n + 1, 1), *queued = xcalloc(n + 1, 1);
    uint32_t *queue = xcalloc(n + 1, sizeof *queue);
    VEC(struct addition) all = VEC_INIT;
    b->adds_start = ARENA_NEW_ARRAY(b->a, uint32_t, n + 1);
    for (uint32_t root = 0; root < n; root++) {
        memset(la, 0, (size_t)n * w * sizeof *la);
        memset(prop, 0, n);
        memset(reached, 0, n);
        memset(queued, 0, n);
        uint32_t qh = 0, qt = 0;
        reached[root] = prop[root] = true;
        queue[qt++ % (n + 1)] = root;
        queued[root] = true;
        /* A ring buffer: each variable is queued at most once at a time. */
        while (qh != qt) {
            uint32_t m = queue[qh++ % (n + 1)];
            queued[m] = false;
            for (uint32_t p = 0; p < syn->vars[m].n_prods; p++) {
                const struct production *pr = &syn->vars[m].prods[p];
                if (pr->n_steps == 0 || pr->steps[0].sym.kind != SYM_NONTERMINAL)
                    continue;
                uint32_t k = pr->steps[0].sym.index;
                uint32_t after = b->prod_base[m][p] + 1;
                bool changed = !reached[k];
                reached[k] = true;
                changed |= bits_union(&la[(size_t)k * w], &b->first_after[(size_t)after * w], w);
                if (b->nullable_after[after]) {
                    changed |= bits_union(&la[(size_t)k * w], &la[(size_t)m * w], w);
                    if (prop[m] && !prop[k]) {
                        prop[k] = true;
                        changed = true;
                    }
                }
                if (changed && !queued[k]) {
                    queued[k] = true;
                    queue[qt++ % (n + 1)] = k;
                }
            }
        }
        b->adds_start[root] = (uint32_t)all.len;
        for (uint32_t m = 0; m < n; m++) {
            if (!reached[m])
                continue;
            uint64_t *set = ARENA_NEW_ARRAY(b->a, uint64_t, w);
            memcpy(set, &la[(size_t)m * w], w * sizeof *set);
            for (uint32_t p = 0; p < syn->vars[m].n_prods; p++) {
                struct addition ad = { b->prod_base[m][p], set, prop[m] };
                VEC_PUSH(&all, ad);
            }
        }
    }
    b->adds_start[n] = (uint32_t)all.len;
    b->adds = ARENA_NEW_ARRAY(b->a, struct addition, all.len + 1);
    if (all.len)
        memcpy(b->adds, all.items, all.len * sizeof *b->adds);
    VEC_RELEASE(&all);
    free(la);
    free(prop);
    free(reached);
    free(queued);
    free(queue);
}

/* ------------------------------------------------------------------ */
/* Fields per variable (for inherited fields of hidden children) and
 * production infos */

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static uint32_t field_index(const struct builder *b, const char *name)
{
    const char **hit =
        bsearch(&name, b->field_names, b->n_field_names, sizeof *b->field_names, cmp_cstr);
    return (uint32_t)(hit - b->field_names);
}

static bool child_passes_fields(const struct syntax_grammar *syn, const struct prod_step *st)
{
    if (st->sym.kind != SYM_NONTERMINAL)
        return false;
    const struct syntax_var *cv = &syn->vars[st->sym.index];
    return cv->kind == VAR_HIDDEN || cv->kind == VAR_AUXILIARY;
}

static void compute_var_fields(struct builder *b)
{
    const struct syntax_grammar *syn = b->syn;
    VEC(const char *) names = VEC_INIT;
    for (uint32_t v = 0; v < b->n_vars; v++)
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
            for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++)
                if (syn->vars[v].prods[p].steps[i].field)
                    VEC_PUSH(&names, syn->vars[v].prods[p].steps[i].field);
    if (names.len)
        qsort(names.items, names.len, sizeof *names.items, cmp_cstr);
    b->field_names = ARENA_NEW_ARRAY(b->a, const char *, names.len + 1);
    for (size_t i = 0; i < names.len; i++)
        if (b->n_field_names == 0 ||
            strcmp(b->field_names[b->n_field_names - 1], names.items[i]) != 0)
            b->field_names[b->n_field_names++] = names.items[i];
    VEC_RELEASE(&names);
    uint32_t nf = b->n_field_names;
    b->var_fields = ARENA_NEW_ARRAY(b->a, bool, (size_t)b->n_vars *nf + 1);
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t v = 0; v < b->n_vars; v++) {
            bool *mine = &b->var_fields[(size_t)v * nf];
            for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
                for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                    const struct prod_step *st = &syn->vars[v].prods[p].steps[i];
                    if (st->field) {
                        uint32_t f = field_index(b, st->field);
                        if (!mine[f])
                            mine[f] = changed = true;
                    }
                    if (child_passes_fields(syn, st) && st->sym.index != v) {
                        const bool *theirs = &b->var_fields[(size_t)st->sym.index * nf];
                        for (uint32_t f = 0; f < nf; f++)
                            if (theirs[f] && !mine[f])
                                mine[f] = changed = true;
                    }
                }
        }
    }
}

static bool info_equal(const struct prod_info *x, const struct prod_info *y)
{
    if (x->n_aliases != y->n_aliases || x->n_fields != y->n_fields)
        return false;
    for (uint32_t i = 0; i < x->n_aliases; i++)
        if (!alias_eq(x->aliases[i], y->aliases[i]))
            return false;
    for (uint32_t i = 0; i < x->n_fields; i++)
        if (strcmp(x->fields[i].field, y->fields[i].field) != 0 ||
            x->fields[i].child != y->fields[i].child ||
            x->fields[i].inherited != y->fields[i].inherited)
            return false;
    return true;
}

static uint32_t production_id(struct builder *b, const struct production *pr)
{
    const struct syntax_grammar *syn = b->syn;
    struct prod_info info = { 0 };
    if (pr->n_steps > b->max_prod_len)
        b->max_prod_len = pr->n_steps;
    uint32_t last_alias = 0;
    for (uint32_t i = 0; i < pr->n_steps; i++)
        if (pr->steps[i].alias.value)
            last_alias = i + 1;
    info.n_aliases = last_alias;
    info.aliases = ARENA_NEW_ARRAY(b->a, struct alias, last_alias + 1);
    for (uint32_t i = 0; i < last_alias; i++)
        info.aliases[i] = pr->steps[i].alias;
    /* Field locations grouped by field name (sorted), each group in child
     * order: the order ts_field_map_entries wants. */
    uint32_t nf = b->n_field_names;
    info.fields = ARENA_NEW_ARRAY(b->a, struct field_loc, (size_t)pr->n_steps * (nf + 1) + 1);
    for (uint32_t f = 0; f < nf; f++) {
        for (uint32_t i = 0; i < pr->n_steps; i++) {
            const struct prod_step *st = &pr->steps[i];
            if (st->field && strcmp(st->field, b->field_names[f]) == 0)
                info.fields[info.n_fields++] = (struct field_loc){ b->field_names[f], i, false };
            if (child_passes_fields(syn, st) && b->var_fields[(size_t)st->sym.index * nf + f])
                info.fields[info.n_fields++] = (struct field_loc){ b->field_names[f], i, true };
        }
    }
    for (size_t k = 0; k < b->infos.len; k++)
        if (info_equal(&b->infos.items[k], &info))
            return (uint32_t)k;
    VEC_PUSH(&b->infos, info);
    return (uint32_t)(b->infos.len - 1);
}

/* ------------------------------------------------------------------ */
/* Item identity
 *
 * Once the parser is past a step, which symbol it was no longer matters:
 * the REDUCE at the end is the same whatever the consumed children were,
 * as long as their aliases and fields (and so the production id) agree.
 * tree-sitter therefore treats two items of one rule as the same item when
 * they have the same length, dynamic precedence, precedence before the dot,
 * aliases and fields before the dot, and identical steps after it. This
 * collapses, for example, the states after each alternative first token
 * of `seq(choice(a, b, c), rest)` into one, and is the main reason its
 * tables are small. The exception: once an item has consumed a hidden
 * child with fields (the parent inherits them at that child's position),
 * the consumed symbols matter too; such items carry a flag and compare
 * their consumed symbols as well. */

static bool prec_same(struct prec a, struct prec b)
{
    if (a.kind != b.kind)
        return false;
    if (a.kind == PREC_INT)
        return a.value == b.value;
    if (a.kind == PREC_NAME)
        return strcmp(a.name, b.name) == 0;
    return true;
}

static bool field_same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool step_same(const struct prod_step *a, const struct prod_step *b)
{
    return sym_eq(a->sym, b->sym) && prec_same(a->prec, b->prec) && a->assoc == b->assoc &&
           alias_eq(a->alias, b->alias) && field_same(a->field, b->field);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return s ? tsgen_hash_bytes(h, s, strlen(s) + 1) : tsgen_hash_bytes(h, "", 1);
}

static uint64_t hash_prec(uint64_t h, struct prec p)
{
    uint32_t kind = (uint32_t)p.kind;
    h = tsgen_hash_bytes(h, &kind, sizeof kind);
    if (p.kind == PREC_INT)
        h = tsgen_hash_bytes(h, &p.value, sizeof p.value);
    if (p.kind == PREC_NAME)
        h = hash_str(h, p.name);
    return h;
}

static uint64_t item_signature(const struct production *pr, uint32_t s, bool flag)
{
    uint64_t h = TSGEN_HASH_SEED;
    h = tsgen_hash_bytes(h, &pr->n_steps, sizeof pr->n_steps);
    h = tsgen_hash_bytes(h, &pr->dyn_prec, sizeof pr->dyn_prec);
    if (s > 0) {
        h = hash_prec(h, pr->steps[s - 1].prec);
        h = tsgen_hash_bytes(h, &pr->steps[s - 1].assoc, 1);
    }
    for (uint32_t i = 0; i < pr->n_steps; i++) {
        const struct prod_step *st = &pr->steps[i];
        h = hash_str(h, st->alias.value);
        h = tsgen_hash_bytes(h, &st->alias.named, 1);
        h = hash_str(h, st->field);
        if (i >= s || flag)
            h = tsgen_hash_bytes(h, &st->sym, sizeof st->sym);
        if (i >= s) {
            h = hash_prec(h, st->prec);
            h = tsgen_hash_bytes(h, &st->assoc, 1);
        }
    }
    return h;
}

static bool items_same(const struct production *a, const struct production *b, uint32_t s,
                       bool flag)
{
    if (a->n_steps != b->n_steps || a->dyn_prec != b->dyn_prec)
        return false;
    if (s > 0 && (!prec_same(a->steps[s - 1].prec, b->steps[s - 1].prec) ||
                  a->steps[s - 1].assoc != b->steps[s - 1].assoc))
        return false;
    for (uint32_t i = 0; i < a->n_steps; i++) {
        const struct prod_step *x = &a->steps[i], *y = &b->steps[i];
        if (i >= s) {
            if (!step_same(x, y))
                return false;
        } else if (!alias_eq(x->alias, y->alias) || !field_same(x->field, y->field) ||
                   (flag && !sym_eq(x->sym, y->sym))) {
            return false;
        }
    }
    return true;
}

static void compute_canon(struct builder *b)
{
    const struct syntax_grammar *syn = b->syn;
    for (int f = 0; f < 2; f++) {
        b->canon[f] = ARENA_NEW_ARRAY(b->a, uint32_t, b->n_items + 1);
        for (uint32_t id = 0; id < b->n_items; id++)
            b->canon[f][id] = id;
    }
    uint32_t cap = 0;
    uint32_t *table = NULL; /* production index + 1, 0 = empty */
    uint64_t *sig = NULL;
    for (uint32_t v = 0; v < b->n_vars; v++) {
        const struct syntax_var *var = &syn->vars[v];
        if (var->n_prods < 2)
            continue;
        uint32_t need = 4;
        while (need < 2 * var->n_prods)
            need *= 2;
        if (need > cap) {
            cap = need;
            table = xreallocarray(table, cap, sizeof *table);
            sig = xreallocarray(sig, cap, sizeof *sig);
        }
        uint32_t max_len = 0;
        for (uint32_t p = 0; p < var->n_prods; p++)
            if (var->prods[p].n_steps > max_len)
                max_len = var->prods[p].n_steps;
        for (uint32_t st = 1; st <= max_len; st++) {
            for (int f = 0; f < 2; f++) {
                memset(table, 0, need * sizeof *table);
                for (uint32_t p = 0; p < var->n_prods; p++) {
                    const struct production *pr = &var->prods[p];
                    if (pr->n_steps < st)
                        continue;
                    uint64_t h = item_signature(pr, st, f);
                    uint32_t i = (uint32_t)(h & (need - 1));
                    while (table[i] &&
                           !(sig[i] == h && items_same(&var->prods[table[i] - 1], pr, st, f)))
                        i = (i + 1) & (need - 1);
                    if (table[i]) {
                        b->canon[f][b->prod_base[v][p] + st] = b->prod_base[v][table[i] - 1] + st;
                    } else {
                        table[i] = p + 1;
                        sig[i] = h;
                    }
                }
            }
        }
    }
    free(table);
    free(sig);
    b->passes_fields = ARENA_NEW_ARRAY(b->a, bool, b->n_vars + 1);
    for (uint32_t v = 0; v < b->n_vars; v++) {
        if (!child_passes_fields(syn, &(struct prod_step){ .sym = sym_make(SYM_NONTERMINAL, v) }))
            continue;
        for (uint32_t f = 0; f < b->n_field_names && !b->passes_fields[v]; f++)
            b->passes_fields[v] = b->var_fields[(size_t)v * b->n_field_names + f];
    }
}

/* The key of the item after the dot moves over the next step. */
static uint32_t successor_key(const struct builder *b, uint32_t key)
{
    uint32_t id = key >> 1, flag = key & 1;
    const struct item_ref *it = &b->items[id];
    struct sym s = prod_of(b, it->var, it->prod)->steps[it->step].sym;
    if (s.kind == SYM_NONTERMINAL && b->passes_fields[s.index])
        flag = 1;
    return (b->canon[flag][id + 1] << 1) | flag;
}

/* ------------------------------------------------------------------ */
/* Precedence comparison */

static bool prec_item_matches(const struct prec_item *it, struct prec p, uint32_t var)
{
    if (it->is_symbol)
        return it->sym.kind == SYM_NONTERMINAL && it->sym.index == var;
    return p.kind == PREC_NAME && strcmp(p.name, it->name) == 0;
}

int prec_compare(const struct syntax_grammar *syn, struct prec l, uint32_t l_var, struct prec r,
                 uint32_t r_var)
{
    /* Integers compare with integers and with the default, 0; when both
     * are 0 (or absent) the named orderings may still decide. */
    int32_t li = l.kind == PREC_INT ? l.value : 0, ri = r.kind == PREC_INT ? r.value : 0;
    bool l_num = l.kind != PREC_NAME, r_num = r.kind != PREC_NAME;
    if (l_num && r_num && (li != 0 || ri != 0))
        return li < ri ? -1 : li > ri;
    for (uint32_t k = 0; k < syn->n_precs; k++) {
        bool saw_l = false, saw_r = false;
        const struct prec_list *pl = &syn->precs[k];
        for (uint32_t i = 0; i < pl->n; i++) {
            if (prec_item_matches(&pl->items[i], l, l_var)) {
                saw_l = true;
                if (saw_r)
                    return -1;
            } else if (prec_item_matches(&pl->items[i], r, r_var)) {
                saw_r = true;
                if (saw_l)
                    return 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* State storage */

static uint64_t kernel_hash(const struct builder *b, const struct kitem *k, uint32_t n,
                            const uint64_t *words, bool with_la)
{
    uint64_t h = TSGEN_HASH_SEED;
    for (uint32_t i = 0; i < n; i++) {
        h = tsgen_hash_bytes(h, &k[i].key, sizeof k[i].key);
        if (with_la)
            h = tsgen_hash_bytes(h, &words[k[i].la], b->n_words * sizeof *words);
    }
    return h;
}

static bool kernel_equal(const struct builder *b, const struct bstate *s, const struct kitem *k,
                         uint32_t n, const uint64_t *words, bool with_la)
{
    if (s->n_kernel != n)
        return false;
    const struct kitem *sk = &b->kernel_items.items[s->kernel];
    for (uint32_t i = 0; i < n; i++) {
        if (sk[i].key != k[i].key)
            return false;
        if (with_la && memcmp(&b->kernel_words.items[sk[i].la], &words[k[i].la],
                              b->n_words * sizeof *words) != 0)
            return false;
    }
    return true;
}

static void map_grow(struct builder *b)
{
    uint32_t cap = b->map_cap ? b->map_cap * 2 : 1024;
    uint32_t *m = xmalloc((size_t)cap * sizeof *m);
    memset(m, 0xff, (size_t)cap * sizeof *m);
    for (size_t s = 0; s < b->states.len; s++) {
        uint32_t i = (uint32_t)(b->states.items[s].hash & (cap - 1));
        while (m[i] != UINT32_MAX)
            i = (i + 1) & (cap - 1);
        m[i] = (uint32_t)s;
    }
    free(b->map);
    b->map = m;
    b->map_cap = cap;
}

static uint32_t core_of(struct builder *b, uint32_t state)
{
    const struct bstate *s = &b->states.items[state];
    /* An empty kernel may sit in an empty (NULL) vector. */
    const struct kitem *k = s->n_kernel ? &b->kernel_items.items[s->kernel] : NULL;
    uint64_t h = kernel_hash(b, k, s->n_kernel, NULL, false);
    if ((b->n_cores + 1) * 2 > b->core_map_cap) {
        uint32_t cap = b->core_map_cap ? b->core_map_cap * 2 : 1024;
        uint32_t *m = xmalloc((size_t)cap * sizeof *m);
        memset(m, 0xff, (size_t)cap * sizeof *m);
        for (uint32_t i = 0; i < b->core_map_cap; i++) {
            uint32_t st = b->core_map[i];
            if (st == UINT32_MAX)
                continue;
            const struct bstate *o = &b->states.items[st];
            uint64_t oh =
                kernel_hash(b, &b->kernel_items.items[o->kernel], o->n_kernel, NULL, false);
            uint32_t j = (uint32_t)(oh & (cap - 1));
            while (m[j] != UINT32_MAX)
                j = (j + 1) & (cap - 1);
            m[j] = st;
        }
        free(b->core_map);
        b->core_map = m;
        b->core_map_cap = cap;
    }
    uint32_t i = (uint32_t)(h & (b->core_map_cap - 1));
    while (b->core_map[i] != UINT32_MAX) {
        const struct bstate *o = &b->states.items[b->core_map[i]];
        if (kernel_equal(b, o, k, s->n_kernel, NULL, false))
            return o->core_id;
        i = (i + 1) & (b->core_map_cap - 1);
    }
    b->core_map[i] = state;
    return b->n_cores++;
}

/* Finds or adds the state of a kernel (items sorted by id; lookahead
 * words in `words`). Returns the state id or UINT32_MAX when too many. */
static uint32_t add_state(struct builder *b, const struct kitem *k, uint32_t n,
                          const uint64_t *words, uint32_t parent, uint32_t via)
{
    uint64_t h = kernel_hash(b, k, n, words, true);
    if ((b->states.len + 1) * 2 > b->map_cap)
        map_grow(b);
    uint32_t i = (uint32_t)(h & (b->map_cap - 1));
    while (b->map[i] != UINT32_MAX) {
        const struct bstate *s = &b->states.items[b->map[i]];
        if (s->hash == h && kernel_equal(b, s, k, n, words, true))
            return b->map[i];
        i = (i + 1) & (b->map_cap - 1);
    }
    if (b->states.len >= MAX_LR1_STATES)
        return UINT32_MAX;
    struct bstate s = { 0 };
    s.kernel = (uint32_t)b->kernel_items.len;
    s.n_kernel = n;
    s.hash = h;
    s.parent = parent;
    s.via = via;
    for (uint32_t j = 0; j < n; j++) {
        struct kitem ki = { k[j].key, (uint32_t)b->kernel_words.len };
        VEC_PUSH(&b->kernel_items, ki);
        VEC_RESERVE(&b->kernel_words, b->n_words);
        memcpy(&b->kernel_words.items[b->kernel_words.len], &words[k[j].la],
               b->n_words * sizeof *words);
        b->kernel_words.len += b->n_words;
    }
    uint32_t id = (uint32_t)b->states.len;
    VEC_PUSH(&b->states, s);
    b->map[i] = id;
    b->states.items[id].core_id = core_of(b, id);
    return id;
}

/* ------------------------------------------------------------------ */
/* Closure */

static uint64_t *scratch(struct builder *b)
{
    if (b->scratch_used + b->n_words > b->scratch_cap) {
        /* Closure entries keep pointers into the scratch area, so it only
         * grows between states (see closure_reset). */
        DW_BUG("closure scratch exhausted");
    }
    uint64_t *w = &b->scratch_words[b->scratch_used];
    b->scratch_used += b->n_words;
    memset(w, 0, b->n_words * sizeof *w);
    return w;
}

static void closure_reset(struct builder *b)
{
    for (size_t i = 0; i < b->closure.len; i++)
        b->slot_of_item[b->closure.items[i].key] = -1;
    VEC_CLEAR(&b->closure);
    b->scratch_used = 0;
}

static uint64_t *closure_add(struct builder *b, uint32_t key)
{
    int32_t slot = b->slot_of_item[key];
    if (slot >= 0)
        return b->closure.items[slot].la;
    struct closure_entry e = { key, scratch(b) };
    b->slot_of_item[key] = (int32_t)b->closure.len;
    VEC_PUSH(&b->closure, e);
    return e.la;
}

static void closure_build(struct builder *b, const struct kitem *k, uint32_t n,
                          const uint64_t *words)
{
    uint32_t w = b->n_words;
    uint64_t *child = xmalloc(w * sizeof *child);
    closure_reset(b);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t *la = closure_add(b, k[i].key);
        bits_union(la, &words[k[i].la], w);
    }
    /* Additions depend only on the kernel item's next symbol and its
     * lookaheads; the kernel items are all present before any addition. */
    for (uint32_t i = 0; i < n; i++) {
        const struct item_ref *it = &b->items[k[i].key >> 1];
        const struct production *pr = prod_of(b, it->var, it->prod);
        if (it->step >= pr->n_steps || pr->steps[it->step].sym.kind != SYM_NONTERMINAL)
            continue;
        uint32_t nt = pr->steps[it->step].sym.index;
        uint32_t after = (k[i].key >> 1) + 1;
        memcpy(child, &b->first_after[(size_t)after * w], w * sizeof *child);
        if (b->nullable_after[after])
            bits_union(child, &words[k[i].la], w);
        for (uint32_t a = b->adds_start[nt]; a < b->adds_start[nt + 1]; a++) {
            const struct addition *ad = &b->adds[a];
            uint64_t *la = closure_add(b, b->canon[0][ad->id] << 1);
            bits_union(la, ad->la, w);
            if (ad->propagates)
                bits_union(la, child, w);
        }
    }
    free(child);
}

/* ------------------------------------------------------------------ */
/* Actions of one state */

static void tmp_push(struct builder *b, uint32_t la, struct pact act)
{
    struct tmp_entry *e = &b->tmp[la];
    if (!e->touched) {
        e->touched = true;
        VEC_PUSH(&b->touched, la);
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->acts = xreallocarray(e->acts, e->cap, sizeof *e->acts);
    }
    e->acts[e->n++] = act;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void append_item(const struct builder *b, struct buf *out, uint32_t id)
{
    const struct item_ref *it = &b->items[id];
    const struct production *pr = prod_of(b, it->var, it->prod);
    int rc =
        buf_printf(out, "  %s ->", it->var == b->n_vars ? "(start)" : b->syn->vars[it->var].name);
    for (uint32_t i = 0; i <= pr->n_steps; i++) {
        if (i == it->step)
            rc |= buf_append_cstr(out, " \xe2\x80\xa2");
        if (i == pr->n_steps)
            break;
        rc |= buf_append_char(out, ' ');
        append_sym_name(b, out, pr->steps[i].sym);
    }
    struct prec p = { PREC_NONE, 0, NULL };
    uint8_t assoc = ASSOC_NONE;
    if (it->step == pr->n_steps && pr->n_steps) {
        p = pr->steps[pr->n_steps - 1].prec;
        assoc = pr->steps[pr->n_steps - 1].assoc;
    } else if (it->step > 0) {
        p = pr->steps[it->step - 1].prec;
        assoc = pr->steps[it->step - 1].assoc;
    }
    if (p.kind == PREC_INT)
        rc |= buf_printf(out, "  (precedence %d", p.value);
    else if (p.kind == PREC_NAME)
        rc |= buf_printf(out, "  (precedence '%s'", p.name);
    if (p.kind != PREC_NONE)
        rc |= buf_printf(out, "%s)",
                         assoc == ASSOC_LEFT    ? ", left"
                         : assoc == ASSOC_RIGHT ? ", right"
                                                : "");
    rc |= buf_append_cstr(out, it->step == pr->n_steps ? "  [reduce]\n" : "  [shift]\n");
    (void)rc;
}

static int report_conflict(struct builder *b, uint32_t state, uint32_t la, const uint32_t *items,
                           uint32_t n_items, const uint32_t *actual, uint32_t n_actual,
                           bool has_shift, bool has_reduce)
{
    struct buf seq = BUF_INIT;
    /* The shortest symbol sequence reaching this state (BFS parents). */
    VEC(uint32_t) path = VEC_INIT;
    for (uint32_t s = state; b->states.items[s].parent != UINT32_MAX; s = b->states.items[s].parent)
        VEC_PUSH(&path, b->states.items[s].via);
    int rc = 0;
    for (size_t i = path.len; i-- > 0;) {
        append_sym_name(b, &seq, sym_of_la(b, path.items[i]));
        rc |= buf_append_char(&seq, ' ');
    }
    rc |= buf_append_cstr(&seq, "\xe2\x80\xa2 ");
    append_sym_name(b, &seq, sym_of_la(b, la));
    VEC_RELEASE(&path);

    struct buf *r = b->report;
    rc |= buf_printf(r, "Unresolved conflict for symbol sequence:\n\n  %s  \xe2\x80\xa6\n\n",
                     buf_cstr(&seq));
    rc |= buf_append_cstr(r, "Conflicting items:\n");
    for (uint32_t i = 0; i < n_items; i++)
        append_item(b, r, items[i]);
    rc |= buf_append_cstr(r, "\nPossible resolutions:\n");
    int k = 1;
    if (n_actual > 0 && has_shift && has_reduce) {
        rc |= buf_printf(r, "  %d: specify a higher precedence in", k++);
        for (uint32_t i = 0; i < n_actual; i++)
            rc |= buf_printf(r, "%s `%s`", i ? " or" : "", b->syn->vars[actual[i]].name);
        rc |= buf_append_cstr(r, " than in the other rules\n");
        rc |= buf_printf(r, "  %d: specify a left or right associativity in", k++);
        for (uint32_t i = 0; i < n_actual; i++)
            rc |= buf_printf(r, "%s `%s`", i ? " or" : "", b->syn->vars[actual[i]].name);
        rc |= buf_append_char(r, '\n');
    } else if (n_actual > 1) {
        rc |= buf_printf(r, "  %d: specify a higher precedence in one of", k++);
        for (uint32_t i = 0; i < n_actual; i++)
            rc |= buf_printf(r, "%s `%s`", i ? "," : "", b->syn->vars[actual[i]].name);
        rc |= buf_append_char(r, '\n');
    }
    rc |= buf_printf(r, "  %d: add a conflict for these rules:", k++);
    for (uint32_t i = 0; i < n_actual; i++)
        rc |= buf_printf(r, "%s `%s`", i ? "," : "", b->syn->vars[actual[i]].name);
    rc |= buf_append_char(r, '\n');
    (void)rc;
    err_set(b->err, ERR_INVALID, "unresolved conflict for symbol sequence: %s", buf_cstr(&seq));
    buf_release(&seq);
    return ERR_INVALID;
}

/* A conflict among the helpers of one chunked repetition (prepare.c,
 * chunk_helpers) only: the reductions all complete helpers of one group
 * and the shift items are all in it. A chain that can grow grows (the
 * reduction of the longest chain wins, and a shift that extends a chain
 * wins over pairing up); otherwise the one pairing reduction wins. Returns
 * false, leaving e alone, for any other conflict. */
static bool chunk_resolve(struct builder *b, struct tmp_entry *e, const uint32_t *shift_items,
                          size_t n_shift, bool has_shift)
{
    const struct syntax_grammar *syn = b->syn;
    uint32_t n_reduce = has_shift ? e->n - 1 : e->n;
    if (n_reduce == 0)
        return false;
    uint32_t group = syn->vars[e->acts[0].var].chunk_group;
    if (group == 0)
        return false;
    for (uint32_t r = 0; r < n_reduce; r++)
        if (syn->vars[e->acts[r].var].chunk_group != group)
            return false;
    bool grows = false;
    for (size_t i = 0; i < n_shift; i++) {
        const struct syntax_var *v = &syn->vars[b->items[shift_items[i]].var];
        if (v->chunk_group != group)
            return false;
        grows |= v->chunk_link >= 2;
    }
    /* The longest chain among the reductions, if any completes a chain. */
    uint32_t best = UINT32_MAX;
    for (uint32_t r = 0; r < n_reduce; r++) {
        uint8_t link = syn->vars[e->acts[r].var].chunk_link;
        if (link > 0 && (best == UINT32_MAX || link > syn->vars[e->acts[best].var].chunk_link))
            best = r;
    }
    if (best != UINT32_MAX) {
        e->acts[0] = e->acts[best];
        e->n = 1;
    } else if (has_shift && grows) {
        e->acts[0] = e->acts[e->n - 1];
        e->n = 1;
    } else if (n_reduce == 1) {
        e->n = 1; /* the pairing reduction, without the shift */
    } else {
        return false;
    }
    return true;
}

/* Resolves the actions on lookahead `la` of the state being built. The
 * closure is the state's item set. */
static int resolve_conflict(struct builder *b, uint32_t state, uint32_t la)
{
    const struct syntax_grammar *syn = b->syn;
    struct tmp_entry *e = &b->tmp[la];
    uint32_t w = b->n_words;
    bool has_shift = e->acts[e->n - 1].kind == PACT_SHIFT;
    VEC(uint32_t) shift_items = VEC_INIT;
    VEC(uint32_t) reduce_items = VEC_INIT;
    for (size_t c = 0; c < b->closure.len; c++) {
        uint32_t id = b->closure.items[c].key >> 1;
        const struct item_ref *it = &b->items[id];
        if (it->var == b->n_vars)
            continue;
        const struct production *pr = prod_of(b, it->var, it->prod);
        if (it->step < pr->n_steps) {
            if (it->step == 0 || !has_shift)
                continue;
            struct sym s = pr->steps[it->step].sym;
            bool starts;
            if (s.kind == SYM_NONTERMINAL)
                starts = bits_has(&b->first_nt[(size_t)s.index * w], la);
            else
                starts = la_of_sym(b, s) == la;
            if (starts)
                VEC_PUSH(&shift_items, id);
        } else if (bits_has(b->closure.items[c].la, la)) {
            VEC_PUSH(&reduce_items, id);
        }
    }

    int rc = 0;
    if (chunk_resolve(b, e, shift_items.items, shift_items.len, has_shift))
        goto out;

    bool shift_more = false, shift_less = false;
    if (has_shift) {
        for (size_t s = 0; s < shift_items.len; s++) {
            const struct item_ref *it = &b->items[shift_items.items[s]];
            struct prec sp = prod_of(b, it->var, it->prod)->steps[it->step - 1].prec;
            for (uint32_t r = 0; r + 1 < e->n; r++) {
                int c = prec_compare(syn, sp, it->var, e->acts[r].prec, e->acts[r].var);
                if (c > 0)
                    shift_more = true;
                else if (c < 0)
                    shift_less = true;
            }
        }
        if (shift_more && !shift_less) {
            e->acts[0] = e->acts[e->n - 1];
            e->n = 1;
        } else if (shift_less && !shift_more) {
            e->n--;
            has_shift = false;
        } else if (!shift_less && !shift_more) {
            bool left = false, right = false, none = false;
            for (uint32_t r = 0; r + 1 < e->n; r++) {
                left |= e->acts[r].assoc == ASSOC_LEFT;
                right |= e->acts[r].assoc == ASSOC_RIGHT;
                none |= e->acts[r].assoc == ASSOC_NONE;
            }
            if (left && !right && !none) {
                e->n--;
                has_shift = false;
            } else if (right && !left && !none) {
                e->acts[0] = e->acts[e->n - 1];
                e->n = 1;
            }
        }
    }
    if (e->n <= 1)
        goto out;

    /* The items still in conflict: the shift items when the shift
     * survived, and the completed items whose reduce survived. */
    VEC(uint32_t) items = VEC_INIT;
    if (has_shift)
        for (size_t s = 0; s < shift_items.len; s++)
            VEC_PUSH(&items, shift_items.items[s]);
    for (size_t r = 0; r < reduce_items.len; r++) {
        const struct item_ref *it = &b->items[reduce_items.items[r]];
        for (uint32_t k = 0; k < e->n; k++)
            if (e->acts[k].kind == PACT_REDUCE && e->acts[k].var == it->var &&
                e->acts[k].child_count == prod_of(b, it->var, it->prod)->n_steps) {
                VEC_PUSH(&items, reduce_items.items[r]);
                break;
            }
    }

    /* A repetition helper (R -> R R | ..., prepare.c) is ambiguous by design: keep
     * the reduction and the shift, marked as a repetition. */
    bool repetition = has_shift && items.len > 0;
    for (size_t i = 0; i < items.len && repetition; i++) {
        uint32_t v = b->items[items.items[i]].var;
        repetition = syn->vars[v].is_repeat && v == b->items[items.items[0]].var;
    }
    if (repetition) {
        e->acts[e->n - 1].repetition = true;
        VEC_RELEASE(&items);
        goto out;
    }

    /* The rules involved; a repetition helper stands for the rules that
     * use it (and for itself). */
    VEC(uint32_t) actual = VEC_INIT;
    for (size_t i = 0; i < items.len; i++) {
        uint32_t v = b->items[items.items[i]].var;
        VEC_PUSH(&actual, v);
        if (syn->vars[v].is_repeat && syn->repeat_parents)
            for (uint32_t k = 0; k < syn->repeat_parents[v].n; k++)
                VEC_PUSH(&actual, syn->repeat_parents[v].vars[k]);
    }
    if (actual.len)
        qsort(actual.items, actual.len, sizeof *actual.items, cmp_u32);
    size_t n_actual = 0;
    for (size_t i = 0; i < actual.len; i++)
        if (n_actual == 0 || actual.items[n_actual - 1] != actual.items[i])
            actual.items[n_actual++] = actual.items[i];

    bool expected = false;
    for (uint32_t c = 0; c < syn->n_conflicts && !expected; c++) {
        const struct conflict_set *cs = &syn->conflicts[c];
        if (cs->n == 0)
            continue;
        bool all = true;
        for (uint32_t k = 0; k < cs->n && all; k++) {
            bool found = false;
            for (size_t q = 0; q < n_actual && !found; q++)
                found = actual.items[q] == cs->vars[k];
            all = found;
        }
        expected = all;
    }
    if (!expected) {
        /* Rules only (not helpers) in the suggestions. */
        size_t m = 0;
        for (size_t i = 0; i < n_actual; i++)
            if (!syn->vars[actual.items[i]].is_repeat ||
                syn->vars[actual.items[i]].kind != VAR_AUXILIARY ||
                strstr(syn->vars[actual.items[i]].name, "_repeat") == NULL)
                actual.items[m++] = actual.items[i];
        rc = report_conflict(b, state, la, items.items, (uint32_t)items.len, actual.items,
                             (uint32_t)m, has_shift, e->n > (has_shift ? 1u : 0u));
    }
    VEC_RELEASE(&actual);
    VEC_RELEASE(&items);
out:
    VEC_RELEASE(&shift_items);
    VEC_RELEASE(&reduce_items);
    return rc;
}

static void add_reduce(struct builder *b, uint32_t la, struct pact act, bool *conflict)
{
    struct tmp_entry *e = &b->tmp[la];
    if (!e->touched || e->n == 0) {
        tmp_push(b, la, act);
        return;
    }
    /* Reduce/reduce: the higher precedence wins outright. Accept is never
     * in competition (only the augmented item has it). */
    if (e->acts[0].kind != PACT_REDUCE) {
        tmp_push(b, la, act);
        conflict[la] = true;
        return;
    }
    int c = prec_compare(b->syn, act.prec, act.var, e->acts[0].prec, e->acts[0].var);
    if (c > 0) {
        e->n = 0;
        tmp_push(b, la, act);
    } else if (c == 0) {
        tmp_push(b, la, act);
        conflict[la] = true;
    }
}

struct succ {
    uint32_t key; /* la index, or n_la + var */
    uint32_t closure_index;
};

static int cmp_succ(const void *x, const void *y)
{
    const struct succ *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->closure_index < b->closure_index ? -1 : a->closure_index > b->closure_index;
}

static int cmp_kitem(const void *x, const void *y)
{
    const struct kitem *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

static int process_state(struct builder *b, uint32_t sid, bool *conflict)
{
    const struct syntax_grammar *syn = b->syn;
    uint32_t w = b->n_words;
    int rc = 0;
    {
        const struct bstate *s = &b->states.items[sid];
        closure_build(b, &b->kernel_items.items[s->kernel], s->n_kernel, b->kernel_words.items);
    }

    /* Reductions and accept */
    for (size_t c = 0; c < b->closure.len; c++) {
        const struct item_ref *it = &b->items[b->closure.items[c].key >> 1];
        const struct production *pr = prod_of(b, it->var, it->prod);
        if (it->step < pr->n_steps)
            continue;
        const uint64_t *la = b->closure.items[c].la;
        if (it->var == b->n_vars) {
            struct pact acc = { 0 };
            acc.kind = PACT_ACCEPT;
            tmp_push(b, LA_END, acc);
            continue;
        }
        struct pact red = { 0 };
        red.kind = PACT_REDUCE;
        red.var = it->var;
        red.child_count = pr->n_steps;
        red.dyn_prec = pr->dyn_prec;
        red.production_id = production_id(b, pr);
        if (pr->n_steps) {
            red.prec = pr->steps[pr->n_steps - 1].prec;
            red.assoc = pr->steps[pr->n_steps - 1].assoc;
        }
        for (uint32_t x = 0; x < b->n_la; x++)
            if (bits_has(la, x))
                add_reduce(b, x, red, conflict);
    }

    /* Successors, grouped by the symbol after the dot */
    VEC(struct succ) succ = VEC_INIT;
    for (size_t c = 0; c < b->closure.len; c++) {
        const struct item_ref *it = &b->items[b->closure.items[c].key >> 1];
        const struct production *pr = prod_of(b, it->var, it->prod);
        if (it->step >= pr->n_steps)
            continue;
        struct sym s = pr->steps[it->step].sym;
        struct succ sc;
        sc.key = s.kind == SYM_NONTERMINAL ? b->n_la + s.index : la_of_sym(b, s);
        sc.closure_index = (uint32_t)c;
        VEC_PUSH(&succ, sc);
    }
    if (succ.len)
        qsort(succ.items, succ.len, sizeof *succ.items, cmp_succ);
    struct kitem *kern = xmalloc((succ.len + 1) * sizeof *kern);
    uint64_t *words = xmalloc((succ.len + 1) * w * sizeof *words);
    for (size_t i = 0; i < succ.len && rc == 0;) {
        size_t j = i;
        uint32_t n = 0;
        while (j < succ.len && succ.items[j].key == succ.items[i].key) {
            const struct closure_entry *ce = &b->closure.items[succ.items[j].closure_index];
            kern[n].key = successor_key(b, ce->key);
            kern[n].la = n * w;
            memcpy(&words[(size_t)n * w], ce->la, w * sizeof *words);
            n++;
            j++;
        }
        /* Sort by key; items that became the same canonical item merge
         * their lookaheads. */
        for (uint32_t x = 1; x < n; x++) {
            for (uint32_t y = x; y > 0 && kern[y - 1].key > kern[y].key; y--) {
                struct kitem t = kern[y];
                kern[y] = kern[y - 1];
                kern[y - 1] = t;
            }
        }
        uint32_t m = 0;
        for (uint32_t x = 0; x < n; x++) {
            if (m > 0 && kern[m - 1].key == kern[x].key) {
                bits_union(&words[kern[m - 1].la], &words[kern[x].la], w);
                continue;
            }
            kern[m++] = kern[x];
        }
        n = m;
        uint32_t key = succ.items[i].key;
        uint32_t next = add_state(b, kern, n, words, sid, key);
        if (next == UINT32_MAX) {
            rc = err_set(b->err, ERR_INVALID,
                         "the grammar needs more than %u LR(1) states; simplify it or declare "
                         "inline rules",
                         MAX_LR1_STATES);
            break;
        }
        if (key >= b->n_la) {
            uint32_t var = key - b->n_la;
            if (b->goto_of[var] == UINT32_MAX)
                VEC_PUSH(&b->goto_touched, var);
            b->goto_of[var] = next;
        } else {
            struct tmp_entry *e = &b->tmp[key];
            if (e->touched && e->n > 0)
                conflict[key] = true;
            struct pact sh = { 0 };
            sh.kind = PACT_SHIFT;
            sh.state = next;
            tmp_push(b, key, sh);
        }
        i = j;
    }
    free(kern);
    free(words);
    VEC_RELEASE(&succ);
    if (rc)
        return rc;

    /* Conflicts, in lookahead order */
    if (b->touched.len)
        qsort(b->touched.items, b->touched.len, sizeof *b->touched.items, cmp_u32);
    for (size_t i = 0; i < b->touched.len && rc == 0; i++) {
        uint32_t la = b->touched.items[i];
        if (conflict[la]) {
            conflict[la] = false;
            rc = resolve_conflict(b, sid, la);
        }
    }
    for (size_t i = 0; i < b->touched.len; i++)
        conflict[b->touched.items[i]] = false;
    if (rc)
        return rc;

    /* Extras. A state that ends a non-terminal extra has only that
     * reduction; every other state may meet an extra anywhere. */
    struct tmp_entry *end_extra = &b->tmp[LA_NT_EXTRA_END];
    bool nt_extra_end = end_extra->touched && end_extra->n > 0;
    if (nt_extra_end) {
        if (b->touched.len > 1 || b->goto_touched.len > 0) {
            const struct item_ref *it = NULL;
            for (size_t c = 0; c < b->closure.len && !it; c++)
                if (bits_has(b->closure.items[c].la, LA_NT_EXTRA_END))
                    it = &b->items[b->closure.items[c].key >> 1];
            return err_set(b->err, ERR_INVALID,
                           "extras: extra rule '%s' must have an unambiguous ending",
                           it ? syn->vars[it->var].name : "?");
        }
    } else {
        for (size_t i = 0; i < b->nt_extra_la.len; i++) {
            uint32_t la = b->nt_extra_la.items[i];
            if (b->tmp[la].touched && b->tmp[la].n)
                continue;
            struct pact sh = { 0 };
            sh.kind = PACT_SHIFT;
            sh.state = b->nt_extra_state.items[i];
            tmp_push(b, la, sh);
        }
        for (uint32_t x = 0; x < syn->n_extras; x++) {
            struct sym s = syn->extras[x];
            if (s.kind == SYM_NONTERMINAL)
                continue;
            uint32_t la = la_of_sym(b, s);
            if (b->tmp[la].touched && b->tmp[la].n)
                continue;
            struct pact ex = { 0 };
            ex.kind = PACT_SHIFT_EXTRA;
            tmp_push(b, la, ex);
        }
    }

    /* Store the entries in the table */
    struct pstate *ps = &b->pt->states[sid];
    ps->core_id = b->states.items[sid].core_id;
    ps->nt_extra_end = nt_extra_end;
    if (b->touched.len)
        qsort(b->touched.items, b->touched.len, sizeof *b->touched.items, cmp_u32);
    ps->terms = ARENA_NEW_ARRAY(b->a, struct tentry, b->touched.len + 1);
    for (size_t i = 0; i < b->touched.len; i++) {
        uint32_t la = b->touched.items[i];
        struct tmp_entry *e = &b->tmp[la];
        if (e->n) {
            struct tentry *te = &ps->terms[ps->n_terms++];
            te->la = la;
            te->reusable = true;
            te->n_actions = e->n;
            te->actions = ARENA_NEW_ARRAY(b->a, struct pact, e->n);
            memcpy(te->actions, e->acts, e->n * sizeof *e->acts);
        }
        e->n = 0;
        e->touched = false;
    }
    VEC_CLEAR(&b->touched);
    /* Gotos, plus the non-terminal extras (a goto to the same state). */
    uint32_t n_gotos = (uint32_t)b->goto_touched.len;
    ps->gotos = ARENA_NEW_ARRAY(b->a, struct gentry, n_gotos + syn->n_extras + 1);
    if (b->goto_touched.len)
        qsort(b->goto_touched.items, b->goto_touched.len, sizeof(uint32_t), cmp_u32);
    for (size_t i = 0; i < b->goto_touched.len; i++) {
        uint32_t var = b->goto_touched.items[i];
        ps->gotos[ps->n_gotos++] = (struct gentry){ var, b->goto_of[var], false };
        b->goto_of[var] = UINT32_MAX;
    }
    VEC_CLEAR(&b->goto_touched);
    if (!nt_extra_end) {
        for (uint32_t x = 0; x < syn->n_extras; x++) {
            struct sym s = syn->extras[x];
            if (s.kind != SYM_NONTERMINAL)
                continue;
            bool have = false;
            for (uint32_t g = 0; g < ps->n_gotos && !have; g++)
                have = ps->gotos[g].var == s.index;
            if (have)
                continue;
            uint32_t at = ps->n_gotos;
            while (at > 0 && ps->gotos[at - 1].var > s.index) {
                ps->gotos[at] = ps->gotos[at - 1];
                at--;
            }
            ps->gotos[at] = (struct gentry){ s.index, sid, true };
            ps->n_gotos++;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */

struct tokset *grammar_following_tokens(const struct syntax_grammar *syn,
                                        const struct lexical_grammar *lex, struct arena *a)
{
    uint32_t nt = lex->n_vars, nv = syn->n_vars;
    struct tokset *following = ARENA_NEW_ARRAY(a, struct tokset, nt + 1);
    for (uint32_t t = 0; t < nt; t++)
        tokset_init(&following[t], a, nt);
    struct tokset *first = xcalloc(nv + 1, sizeof *first);
    struct tokset *last = xcalloc(nv + 1, sizeof *last);
    struct arena tmp;
    arena_init(&tmp);
    bool *nullable = xcalloc(nv + 1, 1);
    for (uint32_t v = 0; v < nv; v++) {
        tokset_init(&first[v], &tmp, nt);
        tokset_init(&last[v], &tmp, nt);
    }
    struct tokset single;
    tokset_init(&single, &tmp, nt);
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t v = 0; v < nv; v++) {
            for (uint32_t p = 0; p < syn->vars[v].n_prods; p++) {
                const struct production *pr = &syn->vars[v].prods[p];
                bool all = true;
                for (uint32_t i = 0; i < pr->n_steps && all; i++) {
                    struct sym s = pr->steps[i].sym;
                    if (s.kind == SYM_NONTERMINAL) {
                        changed |= tokset_union(&first[v], &first[s.index]);
                        all = nullable[s.index];
                    } else {
                        if (s.kind == SYM_TERMINAL && !tokset_has(&first[v], s.index)) {
                            tokset_add(&first[v], s.index);
                            changed = true;
                        }
                        all = false;
                    }
                }
                if (all && !nullable[v]) {
                    nullable[v] = true;
                    changed = true;
                }
                all = true;
                for (uint32_t i = pr->n_steps; i-- > 0 && all;) {
                    struct sym s = pr->steps[i].sym;
                    if (s.kind == SYM_NONTERMINAL) {
                        changed |= tokset_union(&last[v], &last[s.index]);
                        all = nullable[s.index];
                    } else {
                        if (s.kind == SYM_TERMINAL && !tokset_has(&last[v], s.index)) {
                            tokset_add(&last[v], s.index);
                            changed = true;
                        }
                        all = false;
                    }
                }
            }
        }
    }
    for (uint32_t v = 0; v < nv; v++) {
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++) {
            const struct production *pr = &syn->vars[v].prods[p];
            for (uint32_t i = 0; i + 1 < pr->n_steps; i++) {
                struct sym l = pr->steps[i].sym;
                const struct tokset *ls;
                if (l.kind == SYM_NONTERMINAL)
                    ls = &last[l.index];
                else if (l.kind == SYM_TERMINAL) {
                    memset(single.bits, 0, single.n_words * sizeof *single.bits);
                    tokset_add(&single, l.index);
                    ls = &single;
                } else
                    continue;
                for (uint32_t j = i + 1; j < pr->n_steps; j++) {
                    struct sym r = pr->steps[j].sym;
                    for (uint32_t t = 0; t < nt; t++) {
                        if (!tokset_has(ls, t))
                            continue;
                        if (r.kind == SYM_NONTERMINAL)
                            tokset_union(&following[t], &first[r.index]);
                        else if (r.kind == SYM_TERMINAL)
                            tokset_add(&following[t], r.index);
                    }
                    if (!(r.kind == SYM_NONTERMINAL && nullable[r.index]))
                        break;
                }
            }
        }
    }
    /* A token extra may come after any token, and anything may follow it. */
    for (uint32_t x = 0; x < syn->n_extras; x++) {
        struct sym s = syn->extras[x];
        if (s.kind != SYM_TERMINAL)
            continue;
        for (uint32_t t = 0; t < nt; t++) {
            tokset_add(&following[t], s.index);
            tokset_add(&following[s.index], t);
        }
    }
    arena_release(&tmp);
    free(first);
    free(last);
    free(nullable);
    return following;
}

static void builder_release(struct builder *b)
{
    VEC_RELEASE(&b->states);
    VEC_RELEASE(&b->kernel_items);
    VEC_RELEASE(&b->kernel_words);
    free(b->map);
    free(b->core_map);
    VEC_RELEASE(&b->closure);
    free(b->slot_of_item);
    free(b->scratch_words);
    if (b->tmp)
        for (uint32_t i = 0; i < b->n_la; i++)
            free(b->tmp[i].acts);
    free(b->tmp);
    VEC_RELEASE(&b->touched);
    free(b->goto_of);
    VEC_RELEASE(&b->goto_touched);
    VEC_RELEASE(&b->nt_extra_la);
    VEC_RELEASE(&b->nt_extra_state);
    VEC_RELEASE(&b->infos);
}

int parse_table_build(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                      struct arena *a, struct parse_table *pt, struct buf *report, struct err *err)
{
    struct builder bb;
    struct builder *b = &bb;
    memset(b, 0, sizeof *b);
    memset(pt, 0, sizeof *pt);
    b->syn = syn;
    b->lex = lex;
    b->a = a;
    b->err = err;
    b->report = report;
    b->pt = pt;
    b->n_vars = syn->n_vars;
    b->n_terms = lex->n_vars;
    b->n_ext = syn->n_externals;
    b->n_la = LA_FIRST_TERM + b->n_terms + b->n_ext;
    b->n_words = (b->n_la + 63) / 64;
    b->start_step.sym = sym_make(SYM_NONTERMINAL, 0);
    b->start_prod.steps = &b->start_step;
    b->start_prod.n_steps = 1;
    int rc = 0;

    /* item ids */
    b->prod_base = ARENA_NEW_ARRAY(a, uint32_t *, b->n_vars + 1);
    uint32_t id = 0;
    for (uint32_t v = 0; v <= b->n_vars; v++) {
        uint32_t np = v == b->n_vars ? 1 : syn->vars[v].n_prods;
        b->prod_base[v] = ARENA_NEW_ARRAY(a, uint32_t, np + 1);
        for (uint32_t p = 0; p < np; p++) {
            b->prod_base[v][p] = id;
            id += prod_of(b, v, p)->n_steps + 1;
        }
    }
    b->n_items = id;
    b->items = ARENA_NEW_ARRAY(a, struct item_ref, id + 1);
    for (uint32_t v = 0; v <= b->n_vars; v++) {
        uint32_t np = v == b->n_vars ? 1 : syn->vars[v].n_prods;
        for (uint32_t p = 0; p < np; p++)
            for (uint32_t s = 0; s <= prod_of(b, v, p)->n_steps; s++)
                b->items[b->prod_base[v][p] + s] = (struct item_ref){ v, p, s };
    }

    compute_first(b);
    compute_additions(b);
    compute_var_fields(b);
    struct prod_info empty = { 0 };
    VEC_PUSH(&b->infos, empty);

    compute_canon(b);
    b->slot_of_item = xmalloc((size_t)(2 * b->n_items + 2) * sizeof *b->slot_of_item);
    memset(b->slot_of_item, 0xff, (size_t)(2 * b->n_items + 2) * sizeof *b->slot_of_item);
    b->scratch_cap = (size_t)(2 * b->n_items + 2) * b->n_words;
    b->scratch_words = xmalloc(b->scratch_cap * sizeof *b->scratch_words);
    b->tmp = xcalloc(b->n_la + 1, sizeof *b->tmp);
    b->goto_of = xmalloc((b->n_vars + 1) * sizeof *b->goto_of);
    memset(b->goto_of, 0xff, (b->n_vars + 1) * sizeof *b->goto_of);
    bool *conflict = xcalloc(b->n_la + 1, 1);

    /* State 0: error recovery (empty kernel, filled later). State 1: the
     * start. Then one entry state per first token of non-terminal extras. */
    uint64_t *words = xcalloc(b->n_words, sizeof *words);
    add_state(b, NULL, 0, words, UINT32_MAX, 0);
    struct kitem start = { b->prod_base[b->n_vars][0] << 1, 0 };
    bits_add(words, LA_END);
    add_state(b, &start, 1, words, UINT32_MAX, 0);
    free(words);
    {
        VEC(struct succ) firsts = VEC_INIT; /* key: la of first token; index: item id */
        for (uint32_t x = 0; x < syn->n_extras && rc == 0; x++) {
            struct sym s = syn->extras[x];
            if (s.kind != SYM_NONTERMINAL)
                continue;
            const struct syntax_var *v = &syn->vars[s.index];
            for (uint32_t p = 0; p < v->n_prods; p++) {
                const struct production *pr = &v->prods[p];
                if (pr->n_steps == 0 || pr->steps[0].sym.kind == SYM_NONTERMINAL) {
                    rc = err_set(err, ERR_INVALID,
                                 "%s: a non-terminal extra must start with a token in every "
                                 "alternative",
                                 v->path);
                    break;
                }
                struct succ f = { la_of_sym(b, pr->steps[0].sym), b->prod_base[s.index][p] + 1 };
                VEC_PUSH(&firsts, f);
            }
        }
        if (firsts.len)
            qsort(firsts.items, firsts.len, sizeof *firsts.items, cmp_succ);
        uint64_t *w1 = xcalloc((firsts.len + 1) * b->n_words, sizeof *w1);
        struct kitem *k = xcalloc(firsts.len + 1, sizeof *k);
        for (size_t i = 0; i < firsts.len && rc == 0;) {
            size_t j = i;
            uint32_t n = 0;
            while (j < firsts.len && firsts.items[j].key == firsts.items[i].key) {
                k[n].key = b->canon[0][firsts.items[j].closure_index] << 1;
                k[n].la = n * b->n_words;
                bits_add(&w1[(size_t)n * b->n_words], LA_NT_EXTRA_END);
                n++;
                j++;
            }
            qsort(k, n, sizeof *k, cmp_kitem);
            /* the words are all equal, so reordering items keeps them right */
            uint32_t st = add_state(b, k, n, w1, UINT32_MAX, 0);
            VEC_PUSH(&b->nt_extra_la, firsts.items[i].key);
            VEC_PUSH(&b->nt_extra_state, st);
            i = j;
        }
        free(w1);
        free(k);
        VEC_RELEASE(&firsts);
    }

    /* Breadth-first: states are processed in the order they were found. */
    size_t table_cap = 1024;
    pt->states = xcalloc(table_cap, sizeof *pt->states);
    for (uint32_t sid = 0; sid < b->states.len && rc == 0; sid++) {
        if (sid >= table_cap) {
            size_t old = table_cap;
            while (table_cap <= sid)
                table_cap *= 2;
            pt->states = xreallocarray(pt->states, table_cap, sizeof *pt->states);
            memset(pt->states + old, 0, (table_cap - old) * sizeof *pt->states);
        }
        rc = process_state(b, sid, conflict);
    }
    free(conflict);
    if (rc == 0) {
        /* Move the state array into the arena. */
        struct pstate *states = ARENA_NEW_ARRAY(a, struct pstate, b->states.len + 1);
        memcpy(states, pt->states, b->states.len * sizeof *states);
        free(pt->states);
        pt->states = states;
        pt->n_states = (uint32_t)b->states.len;
        pt->n_infos = (uint32_t)b->infos.len;
        pt->infos = ARENA_NEW_ARRAY(a, struct prod_info, b->infos.len);
        memcpy(pt->infos, b->infos.items, b->infos.len * sizeof *pt->infos);
        pt->max_prod_len = b->max_prod_len;
        pt->n_la = b->n_la;
    } else {
        free(pt->states);
        pt->states = NULL;
    }
    builder_release(b);
    return rc;
}
