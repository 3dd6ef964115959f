/* parser.c for the libtree-sitter 0.20.7 runtime (language ABI 14), as
 * the abi note describes it member by member. Only <tree_sitter/parser.h>
 * is included; everything but tree_sitter_<name>() is static. */
#include "common/vec.h"
#include "common/xalloc.h"
#include "lexer.h"
#include "tsgen_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alias_sym {
    struct alias alias;
    const char *enum_id;
};

struct renderer {
    const struct syntax_grammar *syn;
    const struct lexical_grammar *lex;
    const struct parse_table *pt;
    const char *name;
    struct arena *a;
    struct buf *out;
    int rc;

    /* symbols by id */
    struct sym *syms;
    uint32_t n_syms, token_count;
    uint32_t *id_of_term, *id_of_ext, *id_of_nt;
    const char **enum_id;      /* by id (symbols, then aliases) */
    const char **display;      /* by id: the node type */
    enum var_kind *disp_kind;  /* by id */
    uint32_t *public_id;       /* by id */
    struct alias_sym *aliases; /* sorted */
    uint32_t n_aliases;
    struct strmap used_ids;

    /* fields */
    const char **fields; /* sorted, unique */
    uint32_t n_fields;

    /* parse actions */
    VEC(struct tentry) lists; /* distinct action lists (actions + reusable) */
    uint32_t *list_index;     /* offset of each list in ts_parse_actions */
    uint32_t *list_map;       /* open addressing: list number, UINT32_MAX empty */
    size_t map_cap;
    uint32_t n_action_slots;
};

static DW_PRINTF(2, 3) void put(struct renderer *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->rc == 0)
        r->rc = buf_vprintf(r->out, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Identifiers and strings */

static const struct {
    char c;
    const char *name;
} replacements[] = {
    { '~', "TILDE" },  { '`', "BQUOTE" },  { '!', "BANG" },   { '@', "AT" },     { '#', "POUND" },
    { '$', "DOLLAR" }, { '%', "PERCENT" }, { '^', "CARET" },  { '&', "AMP" },    { '*', "STAR" },
    { '(', "LPAREN" }, { ')', "RPAREN" },  { '-', "DASH" },   { '+', "PLUS" },   { '=', "EQ" },
    { '{', "LBRACE" }, { '}', "RBRACE" },  { '[', "LBRACK" }, { ']', "RBRACK" }, { '\\', "BSLASH" },
    { '|', "PIPE" },   { ':', "COLON" },   { ';', "SEMI" },   { '"', "DQUOTE" }, { '\'', "SQUOTE" },
    { '<', "LT" },     { '>', "GT" },      { ',', "COMMA" },  { '.', "DOT" },    { '?', "QMARK" },
    { '/', "SLASH" },  { '\n', "LF" },     { '\r', "CR" },    { '\t', "TAB" },
};

/* A C identifier from a node name, the way tree-sitter 0.20.7 spells them:
 * "[" -> LBRACK, "--" -> DASH_DASH; other characters (space included) are
 * dropped, and unique_id numbers the collisions ("\\ " -> BSLASH2). */
static void sanitize(struct buf *b, const char *name)
{
    size_t start = b->len;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_') {
            if (buf_append_char(b, (char)c))
                return;
            continue;
        }
        const char *rep = NULL;
        for (size_t i = 0; i < DW_ARRAY_LEN(replacements) && !rep; i++)
            if ((unsigned char)replacements[i].c == c)
                rep = replacements[i].name;
        if (!rep)
            continue;
        if (b->len > start && b->data[b->len - 1] != '_' && buf_append_char(b, '_'))
            return;
        if (buf_append_cstr(b, rep))
            return;
    }
}

/* A unique identifier prefix+sanitized name (numbered on collision). */
static const char *unique_id(struct renderer *r, const char *prefix, const char *name)
{
    struct buf b = BUF_INIT;
    if (buf_append_cstr(&b, prefix))
        r->rc = ERR_TOO_LARGE;
    sanitize(&b, name);
    size_t base = b.len;
    const char *id = arena_strndup(r->a, buf_cstr(&b), b.len);
    for (uint32_t n = 2; strmap_get(&r->used_ids, id, NULL); n++) {
        buf_truncate(&b, base);
        if (buf_printf(&b, "%u", n))
            r->rc = ERR_TOO_LARGE;
        id = arena_strndup(r->a, buf_cstr(&b), b.len);
    }
    strmap_put(&r->used_ids, id, 1);
    buf_release(&b);
    return id;
}

/* A C string literal holding exactly the bytes of s. */
static void put_cstring(struct renderer *r, const char *s)
{
    put(r, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        switch (c) {
        case '"': put(r, "\\\""); break;
        case '\\': put(r, "\\\\"); break;
        case '\n': put(r, "\\n"); break;
        case '\t': put(r, "\\t"); break;
        case '\r': put(r, "\\r"); break;
        case '?': put(r, "\\?"); break; /* no trigraphs */
        default:
            if (c < 0x20 || c >= 0x7f)
                put(r, "\\%03o", c);
            else
                put(r, "%c", c);
        }
    }
    put(r, "\"");
}

/* ------------------------------------------------------------------ */
/* Symbol numbering */

static int cmp_alias_sym(const void *x, const void *y)
{
    const struct alias_sym *a = x, *b = y;
    int c = strcmp(a->alias.value, b->alias.value);
    if (c)
        return c;
    return (int)a->alias.named - (int)b->alias.named;
}

static uint32_t id_of_la(const struct renderer *r, uint32_t la)
{
    if (la == LA_END || la == LA_NT_EXTRA_END)
        return 0;
    uint32_t nt = r->lex->n_vars;
    if (la < LA_FIRST_TERM + nt)
        return r->id_of_term[la - LA_FIRST_TERM];
    return r->id_of_ext[la - LA_FIRST_TERM - nt];
}

/* The id that users see for an alias: an existing symbol with that name
 * and kind, or the alias's own symbol. */
static uint32_t alias_id(const struct renderer *r, struct alias al)
{
    for (uint32_t i = 1; i < r->n_syms; i++) {
        enum var_kind k = r->disp_kind[i];
        bool named = k == VAR_NAMED;
        if ((k == VAR_NAMED || k == VAR_ANONYMOUS) && named == al.named &&
            strcmp(r->display[i], al.value) == 0)
            return r->public_id[i];
    }
    struct alias_sym key = { al, NULL };
    const struct alias_sym *hit =
        bsearch(&key, r->aliases, r->n_aliases, sizeof *r->aliases, cmp_alias_sym);
    return hit ? r->n_syms + (uint32_t)(hit - r->aliases) : 0;
}

static void number_symbols(struct renderer *r)
{
    const struct syntax_grammar *syn = r->syn;
    const struct parse_table *pt = r->pt;
    uint32_t nt = r->lex->n_vars, ne = syn->n_externals, nv = syn->n_vars;
    uint32_t cap = 1 + nt + ne + nv;
    r->syms = ARENA_NEW_ARRAY(r->a, struct sym, cap + 1);
    r->id_of_term = ARENA_NEW_ARRAY(r->a, uint32_t, nt + 1);
    r->id_of_ext = ARENA_NEW_ARRAY(r->a, uint32_t, ne + 1);
    r->id_of_nt = ARENA_NEW_ARRAY(r->a, uint32_t, nv + 1);
    memset(r->id_of_term, 0xff, (nt + 1) * sizeof(uint32_t));
    memset(r->id_of_ext, 0xff, (ne + 1) * sizeof(uint32_t));
    memset(r->id_of_nt, 0xff, (nv + 1) * sizeof(uint32_t));
    uint32_t n = 0;
    r->syms[n++] = sym_make(SYM_END, 0);
    if (syn->word.kind == SYM_TERMINAL && pt->term_used[syn->word.index]) {
        r->id_of_term[syn->word.index] = n;
        r->syms[n++] = syn->word;
    }
    for (uint32_t t = 0; t < nt; t++)
        if (pt->term_used[t] && r->id_of_term[t] == UINT32_MAX) {
            r->id_of_term[t] = n;
            r->syms[n++] = sym_make(SYM_TERMINAL, t);
        }
    for (uint32_t e = 0; e < ne; e++)
        if (pt->ext_used[e]) {
            r->id_of_ext[e] = n;
            r->syms[n++] = sym_make(SYM_EXTERNAL, e);
        }
    r->token_count = n;
    for (uint32_t v = 0; v < nv; v++)
        if (pt->nt_used[v]) {
            r->id_of_nt[v] = n;
            r->syms[n++] = sym_make(SYM_NONTERMINAL, v);
        }
    r->n_syms = n;

    /* Aliases used by some production that name no existing symbol. */
    VEC(struct alias_sym) al = VEC_INIT;
    r->display = ARENA_NEW_ARRAY(r->a, const char *, n + 1);
    r->disp_kind = ARENA_NEW_ARRAY(r->a, enum var_kind, n + 1);
    r->public_id = ARENA_NEW_ARRAY(r->a, uint32_t, n + 1);
    for (uint32_t i = 0; i < n; i++)
        r->display[i] = syntax_symbol_name(syn, r->lex, r->syms[i], true, &r->disp_kind[i]);
    r->disp_kind[0] = VAR_HIDDEN;

    /* Public symbol map: symbols users see as one node type share an id:
     * the first one that shows its own name (not through a default alias),
     * else the lowest id. */
    for (uint32_t i = 0; i < n; i++) {
        r->public_id[i] = i;
        if (i == 0 || r->disp_kind[i] == VAR_HIDDEN || r->disp_kind[i] == VAR_AUXILIARY)
            continue;
        enum var_kind own_kind;
        const char *own = syntax_symbol_name(syn, r->lex, r->syms[i], false, &own_kind);
        bool aliased = own != r->display[i];
        uint32_t best = i;
        for (uint32_t j = 0; j < n; j++) {
            if (j == i || r->disp_kind[j] != r->disp_kind[i] ||
                strcmp(r->display[j], r->display[i]) != 0)
                continue;
            enum var_kind jk;
            bool j_aliased =
                syntax_symbol_name(syn, r->lex, r->syms[j], false, &jk) != r->display[j];
            if (aliased && !j_aliased) {
                best = j;
                break;
            }
            if (!aliased && j_aliased)
                continue;
            if (j < best)
                best = j;
        }
        r->public_id[i] = best;
    }

    for (uint32_t p = 0; p < pt->n_infos; p++)
        for (uint32_t k = 0; k < pt->infos[p].n_aliases; k++) {
            struct alias a = pt->infos[p].aliases[k];
            if (!a.value)
                continue;
            bool exists = false;
            for (uint32_t i = 1; i < n && !exists; i++) {
                enum var_kind kk = r->disp_kind[i];
                exists = (kk == VAR_NAMED || kk == VAR_ANONYMOUS) && (kk == VAR_NAMED) == a.named &&
                         strcmp(r->display[i], a.value) == 0;
            }
            for (size_t q = 0; q < al.len && !exists; q++)
                exists = alias_eq(al.items[q].alias, a);
            if (!exists) {
                struct alias_sym as = { a, NULL };
                VEC_PUSH(&al, as);
            }
        }
    if (al.len)
        qsort(al.items, al.len, sizeof *al.items, cmp_alias_sym);
    r->n_aliases = (uint32_t)al.len;
    r->aliases = ARENA_NEW_ARRAY(r->a, struct alias_sym, al.len + 1);
    if (al.len)
        memcpy(r->aliases, al.items, al.len * sizeof *al.items);
    VEC_RELEASE(&al);

    /* Enum identifiers */
    uint32_t total = n + r->n_aliases;
    r->enum_id = ARENA_NEW_ARRAY(r->a, const char *, total + 1);
    r->enum_id[0] = "ts_builtin_sym_end";
    strmap_put(&r->used_ids, "ts_builtin_sym_end", 1);
    for (uint32_t i = 1; i < n; i++) {
        enum var_kind k;
        const char *own = syntax_symbol_name(syn, r->lex, r->syms[i], false, &k);
        const char *prefix = k == VAR_AUXILIARY   ? "aux_sym_"
                             : k == VAR_ANONYMOUS ? "anon_sym_"
                                                  : "sym_";
        r->enum_id[i] = unique_id(r, prefix, own);
    }
    for (uint32_t i = 0; i < r->n_aliases; i++) {
        r->aliases[i].enum_id =
            unique_id(r, r->aliases[i].alias.named ? "alias_sym_" : "anon_alias_sym_",
                      r->aliases[i].alias.value);
        r->enum_id[n + i] = r->aliases[i].enum_id;
    }
}

/* ------------------------------------------------------------------ */
/* Sections */

static void render_header(struct renderer *r, uint32_t large)
{
    uint32_t max_len = r->pt->max_prod_len ? r->pt->max_prod_len : 1;
    put(r, "/* Generated by dockwright's tsgen from grammar.json: do not edit. */\n\n");
    put(r, "#include <tree_sitter/parser.h>\n\n");
    put(r, "#if defined(__GNUC__) || defined(__clang__)\n");
    put(r, "#pragma GCC diagnostic push\n");
    put(r, "#pragma GCC diagnostic ignored \"-Wmissing-field-initializers\"\n");
    put(r, "#endif\n\n");
    put(r, "#define LANGUAGE_VERSION 14\n");
    put(r, "#define STATE_COUNT %u\n", r->pt->n_states);
    put(r, "#define LARGE_STATE_COUNT %u\n", large);
    put(r, "#define SYMBOL_COUNT %u\n", r->n_syms);
    put(r, "#define ALIAS_COUNT %u\n", r->n_aliases);
    put(r, "#define TOKEN_COUNT %u\n", r->token_count);
    put(r, "#define EXTERNAL_TOKEN_COUNT %u\n", r->syn->n_externals);
    put(r, "#define FIELD_COUNT %u\n", r->n_fields);
    put(r, "#define MAX_ALIAS_SEQUENCE_LENGTH %u\n", max_len);
    put(r, "#define PRODUCTION_ID_COUNT %u\n\n", r->pt->n_infos);
}

static void render_symbols(struct renderer *r)
{
    put(r, "enum {\n");
    for (uint32_t i = 1; i < r->n_syms + r->n_aliases; i++)
        put(r, "  %s = %u,\n", r->enum_id[i], i);
    put(r, "};\n\n");

    put(r, "static const char * const ts_symbol_names[] = {\n");
    for (uint32_t i = 0; i < r->n_syms; i++) {
        put(r, "  [%s] = ", r->enum_id[i]);
        put_cstring(r, r->display[i]);
        put(r, ",\n");
    }
    for (uint32_t i = 0; i < r->n_aliases; i++) {
        put(r, "  [%s] = ", r->aliases[i].enum_id);
        put_cstring(r, r->aliases[i].alias.value);
        put(r, ",\n");
    }
    put(r, "};\n\n");

    put(r, "static const TSSymbol ts_symbol_map[] = {\n");
    for (uint32_t i = 0; i < r->n_syms; i++)
        put(r, "  [%s] = %s,\n", r->enum_id[i], r->enum_id[r->public_id[i]]);
    for (uint32_t i = 0; i < r->n_aliases; i++)
        put(r, "  [%s] = %s,\n", r->aliases[i].enum_id, r->aliases[i].enum_id);
    put(r, "};\n\n");

    put(r, "static const TSSymbolMetadata ts_symbol_metadata[] = {\n");
    for (uint32_t i = 0; i < r->n_syms; i++) {
        bool visible, named, supertype = false;
        if (i == 0) {
            visible = false;
            named = true;
        } else {
            enum var_kind k = r->disp_kind[i];
            visible = k == VAR_NAMED || k == VAR_ANONYMOUS;
            named = k == VAR_NAMED || k == VAR_HIDDEN;
            struct sym s = r->syms[i];
            supertype = s.kind == SYM_NONTERMINAL && r->syn->vars[s.index].supertype;
        }
        put(r, "  [%s] = {\n    .visible = %s,\n    .named = %s,\n", r->enum_id[i],
            visible ? "true" : "false", named ? "true" : "false");
        if (supertype)
            put(r, "    .supertype = true,\n");
        put(r, "  },\n");
    }
    for (uint32_t i = 0; i < r->n_aliases; i++)
        put(r, "  [%s] = {\n    .visible = true,\n    .named = %s,\n  },\n", r->aliases[i].enum_id,
            r->aliases[i].alias.named ? "true" : "false");
    put(r, "};\n\n");
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static uint32_t field_id(const struct renderer *r, const char *name)
{
    const char **hit = bsearch(&name, r->fields, r->n_fields, sizeof *r->fields, cmp_cstr);
    return hit ? (uint32_t)(hit - r->fields) + 1 : 0;
}

static void collect_fields(struct renderer *r)
{
    const struct parse_table *pt = r->pt;
    VEC(const char *) names = VEC_INIT;
    for (uint32_t p = 0; p < pt->n_infos; p++)
        for (uint32_t k = 0; k < pt->infos[p].n_fields; k++)
            VEC_PUSH(&names, pt->infos[p].fields[k].field);
    if (names.len)
        qsort(names.items, names.len, sizeof *names.items, cmp_cstr);
    r->fields = ARENA_NEW_ARRAY(r->a, const char *, names.len + 1);
    for (size_t i = 0; i < names.len; i++)
        if (r->n_fields == 0 || strcmp(r->fields[r->n_fields - 1], names.items[i]) != 0)
            r->fields[r->n_fields++] = names.items[i];
    VEC_RELEASE(&names);
}

static void render_fields(struct renderer *r)
{
    const struct parse_table *pt = r->pt;
    if (r->n_fields == 0)
        return;
    const char **ids = ARENA_NEW_ARRAY(r->a, const char *, r->n_fields + 1);
    put(r, "enum {\n");
    for (uint32_t f = 0; f < r->n_fields; f++) {
        ids[f] = unique_id(r, "field_", r->fields[f]);
        put(r, "  %s = %u,\n", ids[f], f + 1);
    }
    put(r, "};\n\n");
    put(r, "static const char * const ts_field_names[] = {\n  [0] = NULL,\n");
    for (uint32_t f = 0; f < r->n_fields; f++) {
        put(r, "  [%s] = ", ids[f]);
        put_cstring(r, r->fields[f]);
        put(r, ",\n");
    }
    put(r, "};\n\n");

    /* Slices; identical entry lists share storage. */
    uint32_t *start = ARENA_NEW_ARRAY(r->a, uint32_t, pt->n_infos + 1);
    uint32_t next = 0;
    put(r, "static const TSFieldMapSlice ts_field_map_slices[PRODUCTION_ID_COUNT] = {\n");
    for (uint32_t p = 0; p < pt->n_infos; p++) {
        const struct prod_info *pi = &pt->infos[p];
        if (pi->n_fields == 0)
            continue;
        start[p] = UINT32_MAX;
        for (uint32_t q = 0; q < p && start[p] == UINT32_MAX; q++) {
            const struct prod_info *o = &pt->infos[q];
            if (o->n_fields != pi->n_fields)
                continue;
            bool same = true;
            for (uint32_t k = 0; k < pi->n_fields && same; k++)
                same = strcmp(o->fields[k].field, pi->fields[k].field) == 0 &&
                       o->fields[k].child == pi->fields[k].child &&
                       o->fields[k].inherited == pi->fields[k].inherited;
            if (same)
                start[p] = start[q];
        }
        if (start[p] == UINT32_MAX) {
            start[p] = next;
            next += pi->n_fields;
        }
        put(r, "  [%u] = {.index = %u, .length = %u},\n", p, start[p], pi->n_fields);
    }
    put(r, "};\n\n");
    put(r, "static const TSFieldMapEntry ts_field_map_entries[] = {\n");
    uint32_t emitted = 0;
    for (uint32_t p = 0; p < pt->n_infos; p++) {
        const struct prod_info *pi = &pt->infos[p];
        if (pi->n_fields == 0 || start[p] != emitted)
            continue;
        put(r, "  [%u] =\n", start[p]);
        for (uint32_t k = 0; k < pi->n_fields; k++)
            put(r, "    {%s, %u%s},\n", ids[field_id(r, pi->fields[k].field) - 1],
                pi->fields[k].child, pi->fields[k].inherited ? ", .inherited = true" : "");
        emitted += pi->n_fields;
    }
    put(r, "};\n\n");
}

static void render_aliases(struct renderer *r)
{
    const struct parse_table *pt = r->pt;
    put(r, "static const TSSymbol "
           "ts_alias_sequences[PRODUCTION_ID_COUNT][MAX_ALIAS_SEQUENCE_LENGTH] = {\n");
    put(r, "  [0] = {0},\n");
    for (uint32_t p = 1; p < pt->n_infos; p++) {
        const struct prod_info *pi = &pt->infos[p];
        bool any = false;
        for (uint32_t k = 0; k < pi->n_aliases; k++)
            any |= pi->aliases[k].value != NULL;
        if (!any)
            continue;
        put(r, "  [%u] = {\n", p);
        for (uint32_t k = 0; k < pi->n_aliases; k++)
            if (pi->aliases[k].value)
                put(r, "    [%u] = %s,\n", k, r->enum_id[alias_id(r, pi->aliases[k])]);
        put(r, "  },\n");
    }
    put(r, "};\n\n");

    /* For each non-terminal that appears under an alias: every public form
     * it can take, itself first. */
    const struct syntax_grammar *syn = r->syn;
    put(r, "static const uint16_t ts_non_terminal_alias_map[] = {\n");
    uint32_t *forms = xmalloc((r->n_syms + r->n_aliases + 1) * sizeof *forms);
    for (uint32_t v = 0; v < syn->n_vars; v++) {
        if (r->id_of_nt[v] == UINT32_MAX)
            continue;
        uint32_t nf = 0;
        for (uint32_t w = 0; w < syn->n_vars; w++)
            for (uint32_t p = 0; p < syn->vars[w].n_prods; p++)
                for (uint32_t i = 0; i < syn->vars[w].prods[p].n_steps; i++) {
                    const struct prod_step *st = &syn->vars[w].prods[p].steps[i];
                    if (st->sym.kind != SYM_NONTERMINAL || st->sym.index != v || !st->alias.value)
                        continue;
                    if (syn->nt_alias[v].value && alias_eq(syn->nt_alias[v], st->alias))
                        continue;
                    uint32_t id = alias_id(r, st->alias);
                    bool dup = false;
                    for (uint32_t k = 0; k < nf && !dup; k++)
                        dup = forms[k] == id;
                    if (!dup && id)
                        forms[nf++] = id;
                }
        if (nf == 0)
            continue;
        /* sort by identifier, as tree-sitter does */
        for (uint32_t x = 1; x < nf; x++)
            for (uint32_t y = x;
                 y > 0 && strcmp(r->enum_id[forms[y - 1]], r->enum_id[forms[y]]) > 0; y--) {
                uint32_t t = forms[y];
                forms[y] = forms[y - 1];
                forms[y - 1] = t;
            }
        uint32_t id = r->id_of_nt[v];
        put(r, "  %s, %u,\n    %s,\n", r->enum_id[id], nf + 1, r->enum_id[r->public_id[id]]);
        for (uint32_t k = 0; k < nf; k++)
            put(r, "    %s,\n", r->enum_id[forms[k]]);
    }
    free(forms);
    put(r, "  0,\n};\n\n");
}

static void render_primary_states(struct renderer *r)
{
    const struct parse_table *pt = r->pt;
    put(r, "static const TSStateId ts_primary_state_ids[STATE_COUNT] = {\n");
    uint32_t n_cores = 0;
    for (uint32_t s = 0; s < pt->n_states; s++)
        if (pt->states[s].core_id + 1 > n_cores)
            n_cores = pt->states[s].core_id + 1;
    uint32_t *first = xmalloc((n_cores + 1) * sizeof *first);
    memset(first, 0xff, (n_cores + 1) * sizeof *first);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        uint32_t c = pt->states[s].core_id;
        if (first[c] == UINT32_MAX)
            first[c] = s;
        put(r, "  [%u] = %u,\n", s, first[c]);
    }
    free(first);
    put(r, "};\n\n");
}

static int render_lexer(struct renderer *r)
{
    uint32_t nt = r->lex->n_vars;
    const char **names = ARENA_NEW_ARRAY(r->a, const char *, nt + 1);
    for (uint32_t t = 0; t < nt; t++)
        names[t] =
            r->id_of_term[t] == UINT32_MAX ? "ts_builtin_sym_end" : r->enum_id[r->id_of_term[t]];
    struct lexer_names ln;
    ln.enum_names = names;
    ln.end_name = "ts_builtin_sym_end";
    ln.lex_fn = "ts_lex";
    ln.keyword_fn = "ts_lex_keywords";
    if (r->rc)
        return r->rc;
    return lexer_render(r->pt->lexer, r->out, &ln);
}

static void render_lex_modes(struct renderer *r)
{
    put(r, "static const TSLexMode ts_lex_modes[STATE_COUNT] = {\n");
    for (uint32_t s = 0; s < r->pt->n_states; s++) {
        const struct pstate *ps = &r->pt->states[s];
        if (ps->lex_state == 0xFFFF)
            put(r, "  [%u] = {(TSStateId)(-1)},\n", s);
        else if (ps->ext_lex_state)
            put(r, "  [%u] = {.lex_state = %u, .external_lex_state = %u},\n", s, ps->lex_state,
                ps->ext_lex_state);
        else
            put(r, "  [%u] = {.lex_state = %u},\n", s, ps->lex_state);
    }
    put(r, "};\n\n");
}

/* ------------------------------------------------------------------ */
/* Parse table */

static bool pact_equal(const struct pact *a, const struct pact *b)
{
    return a->kind == b->kind && a->repetition == b->repetition && a->state == b->state &&
           a->var == b->var && a->child_count == b->child_count && a->dyn_prec == b->dyn_prec &&
           a->production_id == b->production_id;
}

static uint64_t list_hash(const struct tentry *te)
{
    uint64_t h = tsgen_hash_bytes(TSGEN_HASH_SEED, &te->reusable, sizeof te->reusable);
    for (uint32_t k = 0; k < te->n_actions; k++) {
        const struct pact *a = &te->actions[k];
        uint32_t parts[7] = { a->kind,        a->repetition,         a->state,        a->var,
                              a->child_count, (uint32_t)a->dyn_prec, a->production_id };
        h = tsgen_hash_bytes(h, parts, sizeof parts);
    }
    return h;
}

static bool list_equal(const struct tentry *o, const struct tentry *te)
{
    if (o->n_actions != te->n_actions || o->reusable != te->reusable)
        return false;
    for (uint32_t k = 0; k < te->n_actions; k++)
        if (!pact_equal(&o->actions[k], &te->actions[k]))
            return false;
    return true;
}

/* The slot in the list map where te is or would go. */
static uint32_t list_slot(const struct renderer *r, const struct tentry *te)
{
    uint32_t i = (uint32_t)(list_hash(te) & (r->map_cap - 1));
    while (r->list_map[i] != UINT32_MAX && !list_equal(&r->lists.items[r->list_map[i]], te))
        i = (i + 1) & (r->map_cap - 1);
    return i;
}

/* Returns the ts_parse_actions index of an entry's list. */
static uint32_t action_list(struct renderer *r, const struct tentry *te)
{
    uint32_t slot = list_slot(r, te);
    return r->list_map[slot] == UINT32_MAX ? UINT32_MAX : r->list_index[r->list_map[slot]];
}

static void collect_action_lists(struct renderer *r)
{
    const struct parse_table *pt = r->pt;
    size_t n_entries = 0;
    for (uint32_t s = 0; s < pt->n_states; s++)
        n_entries += pt->states[s].n_terms;
    r->map_cap = 64;
    while (r->map_cap < 2 * n_entries + 2)
        r->map_cap *= 2;
    r->list_map = xmalloc(r->map_cap * sizeof *r->list_map);
    memset(r->list_map, 0xff, r->map_cap * sizeof *r->list_map);
    r->list_index = xmalloc((n_entries + 1) * sizeof *r->list_index);
    r->n_action_slots = 1; /* slot 0: the empty list */
    for (uint32_t s = 0; s < pt->n_states; s++)
        for (uint32_t t = 0; t < pt->states[s].n_terms; t++) {
            const struct tentry *te = &pt->states[s].terms[t];
            uint32_t slot = list_slot(r, te);
            if (r->list_map[slot] != UINT32_MAX)
                continue;
            r->list_map[slot] = (uint32_t)r->lists.len;
            r->list_index[r->lists.len] = r->n_action_slots;
            VEC_PUSH(&r->lists, *te);
            r->n_action_slots += 1 + te->n_actions;
        }
}

static uint32_t entry_value(struct renderer *r, const struct pstate *ps, uint32_t self,
                            bool terminal, uint32_t i)
{
    if (terminal)
        return action_list(r, &ps->terms[i]);
    return ps->gotos[i].extra ? self : ps->gotos[i].state;
}

struct cell {
    uint32_t sym;
    uint32_t value;
    bool terminal;
};

static int cmp_cell(const void *x, const void *y)
{
    const struct cell *a = x, *b = y;
    if (a->terminal != b->terminal)
        return a->terminal ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a->sym < b->sym ? -1 : a->sym > b->sym;
}

static struct cell *state_cells(struct renderer *r, uint32_t s, uint32_t *n)
{
    const struct pstate *ps = &r->pt->states[s];
    struct cell *c = xmalloc((ps->n_terms + ps->n_gotos + 1) * sizeof *c);
    uint32_t k = 0;
    for (uint32_t t = 0; t < ps->n_terms; t++) {
        uint32_t id = id_of_la(r, ps->terms[t].la);
        if (id == UINT32_MAX)
            continue;
        c[k++] = (struct cell){ id, entry_value(r, ps, s, true, t), true };
    }
    for (uint32_t g = 0; g < ps->n_gotos; g++) {
        uint32_t id = r->id_of_nt[ps->gotos[g].var];
        if (id == UINT32_MAX)
            continue;
        c[k++] = (struct cell){ id, entry_value(r, ps, s, false, g), false };
    }
    *n = k;
    return c;
}

static int cmp_cell_sym(const void *x, const void *y)
{
    const struct cell *a = x, *b = y;
    return a->sym < b->sym ? -1 : a->sym > b->sym;
}

static void render_parse_table(struct renderer *r, uint32_t large)
{
    const struct parse_table *pt = r->pt;
    put(r, "static const uint16_t ts_parse_table[LARGE_STATE_COUNT][SYMBOL_COUNT] = {\n");
    for (uint32_t s = 0; s < large; s++) {
        uint32_t n;
        struct cell *c = state_cells(r, s, &n);
        qsort(c, n, sizeof *c, cmp_cell_sym);
        put(r, "  [%u] = {\n", s);
        for (uint32_t i = 0; i < n; i++)
            put(r, "    [%s] = %s(%u),\n", r->enum_id[c[i].sym],
                c[i].terminal ? "ACTIONS" : "STATE", c[i].value);
        put(r, "  },\n");
        free(c);
    }
    put(r, "};\n\n");

    if (large < pt->n_states) {
        uint32_t *offsets = xmalloc((pt->n_states - large + 1) * sizeof *offsets);
        uint32_t offset = 0;
        put(r, "static const uint16_t ts_small_parse_table[] = {\n");
        for (uint32_t s = large; s < pt->n_states; s++) {
            uint32_t n;
            struct cell *c = state_cells(r, s, &n);
            if (n)
                qsort(c, n, sizeof *c, cmp_cell);
            uint32_t groups = 0;
            for (uint32_t i = 0; i < n; i++)
                if (i == 0 || c[i].value != c[i - 1].value || c[i].terminal != c[i - 1].terminal)
                    groups++;
            offsets[s - large] = offset;
            put(r, "  [%u] = %u,\n", offset, groups);
            offset++;
            for (uint32_t i = 0; i < n;) {
                uint32_t j = i;
                while (j < n && c[j].value == c[i].value && c[j].terminal == c[i].terminal)
                    j++;
                put(r, "    %s(%u), %u,\n", c[i].terminal ? "ACTIONS" : "STATE", c[i].value, j - i);
                for (uint32_t k = i; k < j; k++)
                    put(r, "      %s,\n", r->enum_id[c[k].sym]);
                offset += 2 + (j - i);
                i = j;
            }
            free(c);
        }
        put(r, "};\n\n");
        put(r, "static const uint32_t ts_small_parse_table_map[] = {\n");
        for (uint32_t s = large; s < pt->n_states; s++)
            put(r, "  [SMALL_STATE(%u)] = %u,\n", s, offsets[s - large]);
        put(r, "};\n\n");
        free(offsets);
    }

    put(r, "static const TSParseActionEntry ts_parse_actions[] = {\n");
    put(r, "  [0] = {.entry = {.count = 0, .reusable = false}},\n");
    for (size_t i = 0; i < r->lists.len; i++) {
        const struct tentry *te = &r->lists.items[i];
        put(r, "  [%u] = {.entry = {.count = %u, .reusable = %s}},", r->list_index[i],
            te->n_actions, te->reusable ? "true" : "false");
        for (uint32_t k = 0; k < te->n_actions; k++) {
            const struct pact *a = &te->actions[k];
            switch (a->kind) {
            case PACT_SHIFT:
                put(r, " %s(%u),", a->repetition ? "SHIFT_REPEAT" : "SHIFT", a->state);
                break;
            case PACT_SHIFT_EXTRA: put(r, " SHIFT_EXTRA(),"); break;
            case PACT_ACCEPT: put(r, " ACCEPT_INPUT(),"); break;
            case PACT_RECOVER: put(r, " RECOVER(),"); break;
            case PACT_REDUCE:
                put(r, " REDUCE(%s, %u", r->enum_id[r->id_of_nt[a->var]], a->child_count);
                if (a->dyn_prec)
                    put(r, ", .dynamic_precedence = %d", a->dyn_prec);
                if (a->production_id)
                    put(r, ", .production_id = %u", a->production_id);
                put(r, "),");
                break;
            }
        }
        put(r, "\n");
    }
    put(r, "};\n\n");
}

static void render_externals(struct renderer *r)
{
    const struct syntax_grammar *syn = r->syn;
    const struct parse_table *pt = r->pt;
    uint32_t ne = syn->n_externals;
    if (ne == 0)
        return;
    const char **ids = ARENA_NEW_ARRAY(r->a, const char *, ne + 1);
    put(r, "enum {\n");
    for (uint32_t e = 0; e < ne; e++) {
        ids[e] = unique_id(r, "ts_external_token_", syn->externals[e].name);
        put(r, "  %s = %u,\n", ids[e], e);
    }
    put(r, "};\n\n");
    put(r, "static const TSSymbol ts_external_scanner_symbol_map[EXTERNAL_TOKEN_COUNT] = {\n");
    for (uint32_t e = 0; e < ne; e++) {
        uint32_t id = r->id_of_ext[e];
        struct sym in = syn->externals[e].internal;
        if (in.kind == SYM_TERMINAL)
            id = r->id_of_term[in.index];
        put(r, "  [%s] = %s,\n", ids[e], id == UINT32_MAX ? "0" : r->enum_id[id]);
    }
    put(r, "};\n\n");
    put(r, "static const bool ts_external_scanner_states[%u][EXTERNAL_TOKEN_COUNT] = {\n",
        pt->n_ext_rows);
    for (uint32_t row = 1; row < pt->n_ext_rows; row++) {
        put(r, "  [%u] = {\n", row);
        for (uint32_t e = 0; e < ne; e++)
            if (pt->ext_rows[(size_t)row * ne + e])
                put(r, "    [%s] = true,\n", ids[e]);
        put(r, "  },\n");
    }
    put(r, "};\n\n");
}

static void render_language(struct renderer *r, uint32_t large)
{
    const char *n = r->name;
    bool ext = r->syn->n_externals > 0;
    bool kw = lexer_keyword_state_count(r->pt->lexer) > 0;
    if (ext) {
        put(r, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
        put(r, "void *tree_sitter_%s_external_scanner_create(void);\n", n);
        put(r, "void tree_sitter_%s_external_scanner_destroy(void *);\n", n);
        put(r, "bool tree_sitter_%s_external_scanner_scan(void *, TSLexer *, const bool *);\n", n);
        put(r, "unsigned tree_sitter_%s_external_scanner_serialize(void *, char *);\n", n);
        put(r,
            "void tree_sitter_%s_external_scanner_deserialize(void *, const char *, unsigned);\n",
            n);
        put(r, "#ifdef __cplusplus\n}\n#endif\n\n");
    }
    put(r, "#ifdef _WIN32\n#define TS_EXPORT __declspec(dllexport)\n#else\n#define "
           "TS_EXPORT\n#endif\n\n");
    put(r, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    put(r, "TS_EXPORT const TSLanguage *tree_sitter_%s(void);\n", n);
    put(r, "TS_EXPORT const TSLanguage *tree_sitter_%s(void) {\n", n);
    put(r, "  static const TSLanguage language = {\n");
    put(r, "    .version = LANGUAGE_VERSION,\n");
    put(r, "    .symbol_count = SYMBOL_COUNT,\n");
    put(r, "    .alias_count = ALIAS_COUNT,\n");
    put(r, "    .token_count = TOKEN_COUNT,\n");
    put(r, "    .external_token_count = EXTERNAL_TOKEN_COUNT,\n");
    put(r, "    .state_count = STATE_COUNT,\n");
    put(r, "    .large_state_count = LARGE_STATE_COUNT,\n");
    put(r, "    .production_id_count = PRODUCTION_ID_COUNT,\n");
    put(r, "    .field_count = FIELD_COUNT,\n");
    put(r, "    .max_alias_sequence_length = MAX_ALIAS_SEQUENCE_LENGTH,\n");
    put(r, "    .parse_table = &ts_parse_table[0][0],\n");
    if (large < r->pt->n_states) {
        put(r, "    .small_parse_table = ts_small_parse_table,\n");
        put(r, "    .small_parse_table_map = ts_small_parse_table_map,\n");
    }
    put(r, "    .parse_actions = ts_parse_actions,\n");
    put(r, "    .symbol_names = ts_symbol_names,\n");
    if (r->n_fields) {
        put(r, "    .field_names = ts_field_names,\n");
        put(r, "    .field_map_slices = ts_field_map_slices,\n");
        put(r, "    .field_map_entries = ts_field_map_entries,\n");
    }
    put(r, "    .symbol_metadata = ts_symbol_metadata,\n");
    put(r, "    .public_symbol_map = ts_symbol_map,\n");
    put(r, "    .alias_map = ts_non_terminal_alias_map,\n");
    put(r, "    .alias_sequences = &ts_alias_sequences[0][0],\n");
    put(r, "    .lex_modes = ts_lex_modes,\n");
    put(r, "    .lex_fn = ts_lex,\n");
    if (kw) {
        put(r, "    .keyword_lex_fn = ts_lex_keywords,\n");
        put(r, "    .keyword_capture_token = %s,\n", r->enum_id[r->id_of_term[r->syn->word.index]]);
    }
    if (ext) {
        put(r, "    .external_scanner = {\n");
        put(r, "      &ts_external_scanner_states[0][0],\n");
        put(r, "      ts_external_scanner_symbol_map,\n");
        put(r, "      tree_sitter_%s_external_scanner_create,\n", n);
        put(r, "      tree_sitter_%s_external_scanner_destroy,\n", n);
        put(r, "      tree_sitter_%s_external_scanner_scan,\n", n);
        put(r, "      tree_sitter_%s_external_scanner_serialize,\n", n);
        put(r, "      tree_sitter_%s_external_scanner_deserialize,\n", n);
        put(r, "    },\n");
    }
    put(r, "    .primary_state_ids = ts_primary_state_ids,\n");
    put(r, "  };\n  return &language;\n}\n");
    put(r, "#ifdef __cplusplus\n}\n#endif\n\n");
    put(r, "#if defined(__GNUC__) || defined(__clang__)\n#pragma GCC diagnostic pop\n#endif\n");
}

/* Tree-sitter's generator keeps a state dense only while it has more
 * than min(64, symbol_count / 2) entries, which minimises the file: here
 * that left 2 of 1,340 states dense. But the runtime reads a dense cell
 * with one load, while a small state's record is scanned group by group,
 * symbol by symbol, on every action and goto lookup (about 100
 * instructions a lookup on the Dockerfile grammar). Measured on 300
 * corpus files (parse alone), every further dense state helped and none
 * hurt: with the states ordered by falling entry count, dense while
 * entries > 24: 94.50M -> 91.32M instructions, > 8: 89.25M, > 4: 88.77M,
 * all: 88.64M, and D1 misses 99.8K -> 92.2K (all), fewer than any split.
 * The cost is file size (432 KB of rows instead of a 66 KB list here);
 * rows a parse never visits are never read, so start-up does not change
 * (a 3-line lint: 4 to 7 more minor page faults). So every state is
 * dense while the table fits the budget; a bigger grammar keeps as many
 * of the leading states (most entries, so the longest scans) as fit, and
 * always states 0 and 1. */
uint32_t render_dense_state_count(uint32_t n_states, uint32_t symbol_count, size_t budget)
{
    size_t row = (size_t)symbol_count * sizeof(uint16_t);
    size_t fit = row ? budget / row : n_states;
    if (fit < 2)
        fit = 2;
    return fit < n_states ? (uint32_t)fit : n_states;
}

int render_parser(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                  const struct parse_table *pt, const char *name, size_t dense_budget,
                  struct arena *a, struct buf *out, struct err *err)
{
    struct renderer rr;
    struct renderer *r = &rr;
    memset(r, 0, sizeof *r);
    r->syn = syn;
    r->lex = lex;
    r->pt = pt;
    r->name = name;
    r->a = a;
    r->out = out;
    strmap_init(&r->used_ids, a);
    /* Reserve the names parser.h and this file define. */
    static const char *const reserved[] = { "ts_builtin_sym_error", "ts_lex",
                                            "ts_lex_keywords",      "ts_symbol_names",
                                            "ts_symbol_map",        "ts_parse_table",
                                            "ts_lex_modes" };
    for (size_t i = 0; i < DW_ARRAY_LEN(reserved); i++)
        strmap_put(&r->used_ids, reserved[i], 1);

    number_symbols(r);
    if (r->n_syms + r->n_aliases > 65535u)
        return err_set(err, ERR_INVALID, "the grammar has %u symbols; the runtime allows 65535",
                       r->n_syms + r->n_aliases);
    collect_action_lists(r);
    if (r->n_action_slots > 65535u) {
        VEC_RELEASE(&r->lists);
        free(r->list_index);
        free(r->list_map);
        return err_set(err, ERR_INVALID,
                       "the parse table needs %u action slots; the runtime allows 65535",
                       r->n_action_slots);
    }
    uint32_t large = render_dense_state_count(pt->n_states, r->n_syms, dense_budget);

    collect_fields(r);
    render_header(r, large);
    render_symbols(r);
    render_fields(r);
    render_aliases(r);
    render_primary_states(r);
    int rc = render_lexer(r);
    if (rc == 0) {
        put(r, "\n");
        render_lex_modes(r);
        render_parse_table(r, large);
        render_externals(r);
        render_language(r, large);
        rc = r->rc;
    }
    VEC_RELEASE(&r->lists);
    free(r->list_index);
    free(r->list_map);
    if (rc)
        return err_set(err, rc, "parser.c is too large");
    return 0;
}
