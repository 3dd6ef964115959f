/* node-types.json in tree-sitter's format: one entry per visible named
 * node type (rules, named tokens, named aliases) with its fields and
 * unnamed-field children, one per supertype with its subtypes, and one per
 * anonymous token. Hidden rules pass their children and fields up to the
 * nodes that contain them, as they do in trees. */
#include "common/xalloc.h"
#include "tsgen_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A child as it can show up: a symbol, or an alias over one. */
struct ctype {
    struct sym sym;
    struct alias alias;
};

struct tset {
    struct ctype *v;
    uint32_t n, cap;
};

struct qty {
    bool exists, required, multiple;
};

struct finfo {
    const char *name;
    struct tset types;
    struct qty q;
};

struct vinfo {
    struct finfo *fields;
    uint32_t n_fields, cap_fields;
    struct tset children;
    struct qty children_q;
    struct tset cwf; /* named children without a field */
    struct qty cwf_q;
    bool multi_step;
};

struct nt_ctx {
    const struct syntax_grammar *syn;
    const struct lexical_grammar *lex;
};

static const struct qty QTY_ZERO = { false, false, false };
static const struct qty QTY_ONE = { true, true, false };

static void qty_append(struct qty *q, struct qty o)
{
    if (!o.exists)
        return;
    if (q->exists || o.multiple)
        q->multiple = true;
    if (o.required)
        q->required = true;
    q->exists = true;
}

static bool qty_union(struct qty *q, struct qty o)
{
    bool changed = false;
    if (!q->exists && o.exists)
        q->exists = changed = true;
    if (q->required && !o.required) {
        q->required = false;
        changed = true;
    }
    if (!q->multiple && o.multiple)
        q->multiple = changed = true;
    return changed;
}

static bool ctype_eq(struct ctype a, struct ctype b)
{
    if (a.alias.value || b.alias.value)
        return alias_eq(a.alias, b.alias);
    return sym_eq(a.sym, b.sym);
}

static bool tset_add(struct tset *s, struct ctype t)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (ctype_eq(s->v[i], t))
            return false;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
    }
    s->v[s->n++] = t;
    return true;
}

static bool tset_add_all(struct tset *s, const struct tset *o)
{
    bool changed = false;
    for (uint32_t i = 0; i < o->n; i++)
        changed |= tset_add(s, o->v[i]);
    return changed;
}

static struct finfo *field_of(struct vinfo *vi, const char *name)
{
    for (uint32_t i = 0; i < vi->n_fields; i++)
        if (strcmp(vi->fields[i].name, name) == 0)
            return &vi->fields[i];
    if (vi->n_fields == vi->cap_fields) {
        vi->cap_fields = vi->cap_fields ? vi->cap_fields * 2 : 4;
        vi->fields = xreallocarray(vi->fields, vi->cap_fields, sizeof *vi->fields);
    }
    struct finfo *f = &vi->fields[vi->n_fields++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->q = QTY_ONE;
    return f;
}

static const struct alias *default_alias(const struct syntax_grammar *syn, struct sym s)
{
    const struct alias *a = NULL;
    if (s.kind == SYM_TERMINAL)
        a = &syn->term_alias[s.index];
    else if (s.kind == SYM_NONTERMINAL)
        a = &syn->nt_alias[s.index];
    else if (s.kind == SYM_EXTERNAL)
        a = &syn->ext_alias[s.index];
    return a && a->value ? a : NULL;
}

static enum var_kind own_kind(const struct nt_ctx *c, struct sym s)
{
    enum var_kind k;
    syntax_symbol_name(c->syn, c->lex, s, false, &k);
    return k;
}

static bool is_supertype(const struct syntax_grammar *syn, struct sym s)
{
    return s.kind == SYM_NONTERMINAL && syn->vars[s.index].supertype;
}

static bool ctype_visible(const struct nt_ctx *c, struct ctype t)
{
    if (t.alias.value)
        return true;
    enum var_kind k = own_kind(c, t.sym);
    return k == VAR_NAMED || k == VAR_ANONYMOUS;
}

static bool ctype_named(const struct nt_ctx *c, struct ctype t)
{
    if (t.alias.value)
        return t.alias.named;
    return own_kind(c, t.sym) == VAR_NAMED;
}

static struct ctype step_type(const struct syntax_grammar *syn, const struct prod_step *st)
{
    struct ctype t = { st->sym, { NULL, false } };
    if (st->alias.value)
        t.alias = st->alias;
    else if (default_alias(syn, st->sym))
        t.alias = *default_alias(syn, st->sym);
    return t;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static struct vinfo *variable_info(const struct nt_ctx *c)
{
    const struct syntax_grammar *syn = c->syn;
    uint32_t n = syn->n_vars;
    struct vinfo *info = xcalloc(n + 1, sizeof *info);
    for (uint32_t v = 0; v < n; v++)
        info[v].children_q = info[v].cwf_q = QTY_ONE;

    /* Every field name of the grammar, for per-production quantities. */
    uint32_t n_names = 0, cap_names = 16;
    const char **names = xmalloc(cap_names * sizeof *names);
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
            for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                const char *f = syn->vars[v].prods[p].steps[i].field;
                if (!f)
                    continue;
                if (n_names == cap_names) {
                    cap_names *= 2;
                    names = xreallocarray(names, cap_names, sizeof *names);
                }
                names[n_names++] = f;
            }
    if (n_names)
        qsort(names, n_names, sizeof *names, cmp_cstr);
    uint32_t u = 0;
    for (uint32_t i = 0; i < n_names; i++)
        if (u == 0 || strcmp(names[u - 1], names[i]) != 0)
            names[u++] = names[i];
    n_names = u;
    struct qty *pf = xcalloc(n_names + 1, sizeof *pf);

    bool all_initialized = false, changed = true;
    while (changed) {
        changed = false;
        for (uint32_t v = 0; v < n; v++) {
            struct vinfo *vi = &info[v];
            for (uint32_t p = 0; p < syn->vars[v].n_prods; p++) {
                const struct production *pr = &syn->vars[v].prods[p];
                struct qty pc = QTY_ZERO, pcwf = QTY_ZERO;
                bool uninit = false;
                for (uint32_t k = 0; k < n_names; k++)
                    pf[k] = QTY_ZERO;
                if (pr->n_steps > 1)
                    vi->multi_step = true;
                for (uint32_t i = 0; i < pr->n_steps; i++) {
                    const struct prod_step *st = &pr->steps[i];
                    struct ctype ct = step_type(syn, st);
                    bool hidden = !ctype_visible(c, ct) && !is_supertype(syn, st->sym);
                    bool hidden_nt = hidden && st->sym.kind == SYM_NONTERMINAL;
                    uint32_t ci = hidden_nt ? st->sym.index : UINT32_MAX;
                    changed |= tset_add(&vi->children, ct);
                    if (!hidden)
                        qty_append(&pc, QTY_ONE);
                    if (st->field) {
                        uint32_t g = (uint32_t)((const char **)bsearch(&st->field, names, n_names,
                                                                       sizeof *names, cmp_cstr) -
                                                names);
                        struct finfo *fi = field_of(vi, st->field);
                        changed |= tset_add(&fi->types, ct);
                        if (ci != UINT32_MAX) {
                            changed |= tset_add_all(&fi->types, &info[ci].children);
                            qty_append(&pf[g], info[ci].children_q);
                        } else {
                            qty_append(&pf[g], QTY_ONE);
                        }
                    } else if (ctype_named(c, ct)) {
                        qty_append(&pcwf, QTY_ONE);
                        changed |= tset_add(&vi->cwf, ct);
                    }
                    if (ci != UINT32_MAX) {
                        if (info[ci].multi_step)
                            vi->multi_step = true;
                        for (uint32_t f = 0; f < info[ci].n_fields; f++) {
                            const char *fname = info[ci].fields[f].name;
                            uint32_t g =
                                (uint32_t)((const char **)bsearch(&fname, names, n_names,
                                                                  sizeof *names, cmp_cstr) -
                                           names);
                            qty_append(&pf[g], info[ci].fields[f].q);
                            struct finfo *fi = field_of(vi, fname);
                            /* field_of may move vi->fields (and info[ci].fields
                             * when ci == v): index again after it. */
                            changed |= tset_add_all(&fi->types, &info[ci].fields[f].types);
                        }
                        qty_append(&pc, info[ci].children_q);
                        changed |= tset_add_all(&vi->children, &info[ci].children);
                        if (!st->field && info[ci].cwf.n) {
                            qty_append(&pcwf, info[ci].cwf_q);
                            changed |= tset_add_all(&vi->cwf, &info[ci].cwf);
                        }
                    }
                    if (hidden_nt && st->sym.index >= v && !all_initialized)
                        uninit = true;
                }
                if (!uninit) {
                    changed |= qty_union(&vi->children_q, pc);
                    changed |= qty_union(&vi->cwf_q, pcwf);
                    for (uint32_t f = 0; f < vi->n_fields; f++) {
                        const char *fname = vi->fields[f].name;
                        uint32_t g = (uint32_t)((const char **)bsearch(&fname, names, n_names,
                                                                       sizeof *names, cmp_cstr) -
                                                names);
                        changed |= qty_union(&vi->fields[f].q, pf[g]);
                    }
                }
            }
        }
        if (!all_initialized) {
            all_initialized = true;
            changed = true;
        }
    }
    free(names);
    free(pf);
    /* Only visible types (and supertypes) are listed. */
    for (uint32_t v = 0; v < n; v++) {
        struct vinfo *vi = &info[v];
        struct tset *sets[2] = { &vi->cwf, &vi->children };
        for (int s = 0; s < 2; s++) {
            uint32_t k = 0;
            for (uint32_t i = 0; i < sets[s]->n; i++)
                if (ctype_visible(c, sets[s]->v[i]) || is_supertype(syn, sets[s]->v[i].sym))
                    sets[s]->v[k++] = sets[s]->v[i];
            if (s == 0 || syn->vars[v].supertype)
                sets[s]->n = k;
        }
        uint32_t kept = 0;
        for (uint32_t f = 0; f < vi->n_fields; f++) {
            struct finfo *fi = &vi->fields[f];
            uint32_t k = 0;
            for (uint32_t i = 0; i < fi->types.n; i++)
                if (ctype_visible(c, fi->types.v[i]) || is_supertype(syn, fi->types.v[i].sym))
                    fi->types.v[k++] = fi->types.v[i];
            fi->types.n = k;
            if (k)
                vi->fields[kept++] = *fi;
            else
                free(fi->types.v);
        }
        vi->n_fields = kept;
    }
    return info;
}

/* ------------------------------------------------------------------ */
/* JSON */

struct jtype {
    const char *name;
    bool named;
};

struct jfield {
    const char *name;
    bool multiple, required;
    struct jtype *types;
    uint32_t n_types, cap;
};

struct jnode {
    const char *name;
    bool named;
    bool has_fields, has_children, is_supertype;
    struct jfield *fields;
    uint32_t n_fields, cap_fields;
    struct jfield children;
    struct jtype *subtypes;
    uint32_t n_subtypes;
};

static struct jtype to_jtype(const struct nt_ctx *c, struct ctype t)
{
    struct jtype j;
    if (t.alias.value) {
        j.name = t.alias.value;
        j.named = t.alias.named;
        return j;
    }
    enum var_kind k;
    j.name = syntax_symbol_name(c->syn, c->lex, t.sym, true, &k);
    j.named = k != VAR_ANONYMOUS;
    return j;
}

static int cmp_jtype(const void *x, const void *y)
{
    const struct jtype *a = x, *b = y;
    int r = strcmp(a->name, b->name);
    if (r)
        return r;
    return (int)a->named - (int)b->named;
}

static void jfield_add_types(struct jfield *f, const struct nt_ctx *c, const struct tset *types)
{
    for (uint32_t i = 0; i < types->n; i++) {
        struct jtype j = to_jtype(c, types->v[i]);
        bool dup = false;
        for (uint32_t k = 0; k < f->n_types && !dup; k++)
            dup = cmp_jtype(&f->types[k], &j) == 0;
        if (dup)
            continue;
        if (f->n_types == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 4;
            f->types = xreallocarray(f->types, f->cap, sizeof *f->types);
        }
        f->types[f->n_types++] = j;
    }
}

static void populate(struct jfield *f, const struct nt_ctx *c, const struct tset *types,
                     struct qty q)
{
    if (types->n) {
        f->multiple |= q.multiple;
        f->required &= q.required;
        jfield_add_types(f, c, types);
    } else {
        f->required = false;
    }
}

struct jnodes {
    struct jnode *v;
    uint32_t n, cap;
};

static struct jnode *node_of(struct jnodes *ns, const char *name, bool named, bool *existed)
{
    for (uint32_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i].name, name) == 0) {
            if (existed)
                *existed = true;
            return &ns->v[i];
        }
    if (existed)
        *existed = false;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 16;
        ns->v = xreallocarray(ns->v, ns->cap, sizeof *ns->v);
    }
    struct jnode *n = &ns->v[ns->n++];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->named = named;
    n->children.required = true;
    return n;
}

static struct jfield *jfield_of(struct jnode *n, const char *name, bool existed)
{
    for (uint32_t i = 0; i < n->n_fields; i++)
        if (strcmp(n->fields[i].name, name) == 0)
            return &n->fields[i];
    if (n->n_fields == n->cap_fields) {
        n->cap_fields = n->cap_fields ? n->cap_fields * 2 : 4;
        n->fields = xreallocarray(n->fields, n->cap_fields, sizeof *n->fields);
    }
    struct jfield *f = &n->fields[n->n_fields++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->required = !existed;
    return f;
}

/* The forms (alias or none) under which each symbol appears. */
struct forms {
    struct alias *v;
    uint32_t n, cap;
    bool plain; /* appears without an alias */
};

static void forms_add(struct forms *f, struct alias a)
{
    if (!a.value) {
        f->plain = true;
        return;
    }
    for (uint32_t i = 0; i < f->n; i++)
        if (alias_eq(f->v[i], a))
            return;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 2;
        f->v = xreallocarray(f->v, f->cap, sizeof *f->v);
    }
    f->v[f->n++] = a;
}

static struct forms *forms_of(struct forms *t, struct forms *nt, struct forms *e, struct sym s)
{
    if (s.kind == SYM_TERMINAL)
        return &t[s.index];
    if (s.kind == SYM_NONTERMINAL)
        return &nt[s.index];
    if (s.kind == SYM_EXTERNAL)
        return &e[s.index];
    return NULL;
}

/* A list containing a supertype does not also list its subtypes. */
static void process_supertypes(struct jfield *f, const struct jnodes *ns)
{
    for (uint32_t s = 0; s < ns->n; s++) {
        const struct jnode *sup = &ns->v[s];
        if (!sup->is_supertype)
            continue;
        bool has = false;
        for (uint32_t i = 0; i < f->n_types && !has; i++)
            has = strcmp(f->types[i].name, sup->name) == 0 && f->types[i].named;
        if (!has)
            continue;
        uint32_t k = 0;
        for (uint32_t i = 0; i < f->n_types; i++) {
            bool sub = false;
            for (uint32_t j = 0; j < sup->n_subtypes && !sub; j++)
                sub = cmp_jtype(&sup->subtypes[j], &f->types[i]) == 0;
            if (!sub)
                f->types[k++] = f->types[i];
        }
        f->n_types = k;
    }
}

static json_t *types_json(struct jtype *t, uint32_t n)
{
    if (n)
        qsort(t, n, sizeof *t, cmp_jtype);
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string(t[i].name));
        json_object_set_new(o, "named", json_boolean(t[i].named));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *field_json(struct jfield *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "multiple", json_boolean(f->multiple));
    json_object_set_new(o, "required", json_boolean(f->required));
    json_object_set_new(o, "types", types_json(f->types, f->n_types));
    return o;
}

static int cmp_jfield(const void *x, const void *y)
{
    return strcmp(((const struct jfield *)x)->name, ((const struct jfield *)y)->name);
}

static int node_rank(const struct jnode *n)
{
    if (n->is_supertype)
        return 0;
    return (n->has_children || n->has_fields) ? 1 : 2;
}

static int cmp_jnode(const void *x, const void *y)
{
    const struct jnode *a = x, *b = y;
    int ra = node_rank(a), rb = node_rank(b);
    if (ra != rb)
        return ra - rb;
    int r = strcmp(a->name, b->name);
    if (r)
        return r;
    return (int)a->named - (int)b->named;
}

int render_node_types(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                      const struct parse_table *pt, struct arena *a, struct buf *out,
                      struct err *err)
{
    (void)pt;
    (void)a;
    struct nt_ctx c = { syn, lex };
    struct vinfo *info = variable_info(&c);
    uint32_t nt = lex->n_vars, nv = syn->n_vars, ne = syn->n_externals;
    struct forms *ft = xcalloc(nt + 1, sizeof *ft), *fn = xcalloc(nv + 1, sizeof *fn),
                 *fe = xcalloc(ne + 1, sizeof *fe);
    bool *seen_t = xcalloc(nt + 1, 1), *seen_e = xcalloc(ne + 1, 1), *seen_n = xcalloc(nv + 1, 1);
    for (uint32_t x = 0; x < syn->n_extras; x++) {
        struct sym s = syn->extras[x];
        struct forms *f = forms_of(ft, fn, fe, s);
        if (!f)
            continue;
        const struct alias *da = default_alias(syn, s);
        forms_add(f, da ? *da : (struct alias){ NULL, false });
        if (s.kind == SYM_TERMINAL)
            seen_t[s.index] = true;
        else if (s.kind == SYM_EXTERNAL)
            seen_e[s.index] = true;
        else if (s.kind == SYM_NONTERMINAL)
            seen_n[s.index] = true;
    }
    for (uint32_t v = 0; v < nv; v++) {
        if (syn->inlined && syn->inlined[v])
            continue;
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
            for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                const struct prod_step *st = &syn->vars[v].prods[p].steps[i];
                struct forms *f = forms_of(ft, fn, fe, st->sym);
                if (!f)
                    continue;
                const struct alias *da = default_alias(syn, st->sym);
                forms_add(f, st->alias.value ? st->alias
                             : da            ? *da
                                             : (struct alias){ NULL, false });
                if (st->sym.kind == SYM_TERMINAL)
                    seen_t[st->sym.index] = true;
                else if (st->sym.kind == SYM_EXTERNAL)
                    seen_e[st->sym.index] = true;
                else if (st->sym.kind == SYM_NONTERMINAL)
                    seen_n[st->sym.index] = true;
            }
    }
    /* The start rule shows as itself. */
    fn[0].n = 0;
    fn[0].plain = true;
    seen_n[0] = true;

    struct jnodes ns = { 0 };
    for (uint32_t v = 0; v < nv; v++) {
        const struct syntax_var *var = &syn->vars[v];
        struct vinfo *vi = &info[v];
        if (var->supertype) {
            struct jnode *n = node_of(&ns, var->name, true, NULL);
            n->is_supertype = true;
            struct jfield tmp = { 0 };
            jfield_add_types(&tmp, &c, &vi->children);
            n->subtypes = tmp.types;
            n->n_subtypes = tmp.n_types;
            continue;
        }
        if ((syn->inlined && syn->inlined[v]) || !seen_n[v])
            continue;
        struct forms *f = &fn[v];
        for (uint32_t k = 0; k < f->n + (f->plain ? 1u : 0u); k++) {
            const char *name;
            bool named;
            if (k < f->n) {
                name = f->v[k].value;
                named = f->v[k].named;
            } else if (var->kind == VAR_NAMED) {
                name = var->name;
                named = true;
            } else {
                continue;
            }
            bool existed;
            struct jnode *n = node_of(&ns, name, named, &existed);
            n->has_fields = true;
            for (uint32_t fi = 0; fi < vi->n_fields; fi++) {
                struct jfield *jf = jfield_of(n, vi->fields[fi].name, existed);
                populate(jf, &c, &vi->fields[fi].types, vi->fields[fi].q);
            }
            for (uint32_t fi = 0; fi < n->n_fields; fi++) {
                bool mine = false;
                for (uint32_t q = 0; q < vi->n_fields && !mine; q++)
                    mine = strcmp(vi->fields[q].name, n->fields[fi].name) == 0;
                if (!mine)
                    n->fields[fi].required = false;
            }
            n->has_children = true;
            populate(&n->children, &c, &vi->cwf, vi->cwf_q);
        }
    }
    /* Tokens: named ones get an entry of their own, anonymous ones a leaf. */
    struct jtype *anon = xcalloc(nt + ne + 1, sizeof *anon);
    uint32_t n_anon_cap = nt + ne + 1, n_anon = 0;
    for (uint32_t pass = 0; pass < 2; pass++) {
        uint32_t count = pass == 0 ? nt : ne;
        for (uint32_t i = 0; i < count; i++) {
            if (!(pass == 0 ? seen_t[i] : seen_e[i]))
                continue;
            struct sym s = sym_make(pass == 0 ? SYM_TERMINAL : SYM_EXTERNAL, i);
            struct forms *f = pass == 0 ? &ft[i] : &fe[i];
            for (uint32_t k = 0; k < f->n + (f->plain ? 1u : 0u); k++) {
                const char *name;
                enum var_kind kind;
                if (k < f->n) {
                    name = f->v[k].value;
                    kind = f->v[k].named ? VAR_NAMED : VAR_ANONYMOUS;
                } else {
                    name = syntax_symbol_name(syn, lex, s, false, &kind);
                }
                if (kind == VAR_NAMED) {
                    struct jnode *n = node_of(&ns, name, true, NULL);
                    n->children.required = false;
                    for (uint32_t fi = 0; fi < n->n_fields; fi++)
                        n->fields[fi].required = false;
                } else if (kind == VAR_ANONYMOUS) {
                    if (n_anon == n_anon_cap) {
                        n_anon_cap *= 2;
                        anon = xreallocarray(anon, n_anon_cap, sizeof *anon);
                    }
                    anon[n_anon++] = (struct jtype){ name, false };
                }
            }
        }
    }
    for (uint32_t i = 0; i < ns.n; i++) {
        struct jnode *n = &ns.v[i];
        if (n->has_children && n->children.n_types == 0)
            n->has_children = false;
        if (n->has_children)
            process_supertypes(&n->children, &ns);
        for (uint32_t f = 0; f < n->n_fields; f++)
            process_supertypes(&n->fields[f], &ns);
    }
    uint32_t total = ns.n;
    for (uint32_t i = 0; i < n_anon; i++) {
        bool dup = false;
        for (uint32_t k = ns.n; k < total && !dup; k++)
            dup = strcmp(ns.v[k].name, anon[i].name) == 0 && !ns.v[k].named;
        if (dup)
            continue;
        if (total == ns.cap) {
            ns.cap = ns.cap ? ns.cap * 2 : 16;
            ns.v = xreallocarray(ns.v, ns.cap, sizeof *ns.v);
        }
        memset(&ns.v[total], 0, sizeof ns.v[total]);
        ns.v[total].name = anon[i].name;
        ns.v[total].named = false;
        total++;
    }
    ns.n = total;
    if (ns.n)
        qsort(ns.v, ns.n, sizeof *ns.v, cmp_jnode);

    json_t *root = json_array();
    for (uint32_t i = 0; i < ns.n; i++) {
        struct jnode *n = &ns.v[i];
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string(n->name));
        json_object_set_new(o, "named", json_boolean(n->named));
        if (n->named && strcmp(n->name, syn->vars[0].name) == 0 && n->has_fields)
            json_object_set_new(o, "root", json_true());
        if (n->has_fields) {
            json_t *fo = json_object();
            if (n->n_fields)
                qsort(n->fields, n->n_fields, sizeof *n->fields, cmp_jfield);
            for (uint32_t f = 0; f < n->n_fields; f++)
                json_object_set_new(fo, n->fields[f].name, field_json(&n->fields[f]));
            json_object_set_new(o, "fields", fo);
        }
        if (n->has_children)
            json_object_set_new(o, "children", field_json(&n->children));
        if (n->is_supertype)
            json_object_set_new(o, "subtypes", types_json(n->subtypes, n->n_subtypes));
        json_array_append_new(root, o);
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    int rc = 0;
    if (!text)
        rc = err_set(err, ERR_INTERNAL, "could not serialise node-types.json");
    else {
        /* tree-sitter writes no final newline */
        if (buf_append_cstr(out, text))
            rc = err_set(err, ERR_TOO_LARGE, "node-types.json is too large");
        free(text);
    }

    for (uint32_t i = 0; i < ns.n; i++) {
        for (uint32_t f = 0; f < ns.v[i].n_fields; f++)
            free(ns.v[i].fields[f].types);
        free(ns.v[i].fields);
        free(ns.v[i].children.types);
        free(ns.v[i].subtypes);
    }
    free(ns.v);
    free(anon);
    for (uint32_t v = 0; v < nv; v++) {
        for (uint32_t f = 0; f < info[v].n_fields; f++)
            free(info[v].fields[f].types.v);
        free(info[v].fields);
        free(info[v].children.v);
        free(info[v].cwf.v);
    }
    free(info);
    struct forms *all[3] = { ft, fn, fe };
    uint32_t counts[3] = { nt, nv, ne };
    for (int l = 0; l < 3; l++) {
        for (uint32_t i = 0; i < counts[l]; i++)
            free(all[l][i].v);
        free(all[l]);
    }
    free(seen_t);
    free(seen_e);
    free(seen_n);
    return rc;
}
