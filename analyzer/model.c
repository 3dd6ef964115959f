/* The model of one Dockerfile: the file object, the walk over the top level
 * of the syntax tree (directives, comments, instructions, ERROR nodes), the
 * stage graph and the small queries of model.h. Instructions are built in
 * model_instr.c, errors worded in model_error.c, pragmas read in
 * model_pragma.c, image references split in model_image.c and variables
 * scoped in model_scope.c. */
#include "analyzer/model_int.h"

#include "analyzer/syntax.h"
#include "common/xalloc.h"
#include "grammar/grammar.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BuildKit has no size limit of its own; ours keeps offsets in uint32_t
 * and memory bounded. */
#define DF_MAX_FILE ((size_t)64 * 1024 * 1024)

static const char *const kind_names[DF_KIND_COUNT] = {
    "FROM",    "RUN",        "CMD",         "LABEL",  "MAINTAINER", "EXPOSE",  "ENV",
    "ADD",     "COPY",       "ENTRYPOINT",  "VOLUME", "USER",       "WORKDIR", "ARG",
    "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",  "",
};

const char *df_kind_name(enum df_kind kind)
{
    return (unsigned)kind < DF_KIND_COUNT ? kind_names[kind] : "";
}

/* ------------------------------------------------------------------ symbols */

struct sym_name {
    const char *name;
    bool named;
    uint8_t sym;
};

static const struct sym_name sym_names[] = {
    { "from_instruction", true, S_FROM_I },
    { "run_instruction", true, S_RUN_I },
    { "cmd_instruction", true, S_CMD_I },
    { "label_instruction", true, S_LABEL_I },
    { "maintainer_instruction", true, S_MAINTAINER_I },
    { "expose_instruction", true, S_EXPOSE_I },
    { "env_instruction", true, S_ENV_I },
    { "add_instruction", true, S_ADD_I },
    { "copy_instruction", true, S_COPY_I },
    { "entrypoint_instruction", true, S_ENTRYPOINT_I },
    { "volume_instruction", true, S_VOLUME_I },
    { "user_instruction", true, S_USER_I },
    { "workdir_instruction", true, S_WORKDIR_I },
    { "arg_instruction", true, S_ARG_I },
    { "onbuild_instruction", true, S_ONBUILD_I },
    { "stopsignal_instruction", true, S_STOPSIGNAL_I },
    { "healthcheck_instruction", true, S_HEALTHCHECK_I },
    { "shell_instruction", true, S_SHELL_I },
    { "unknown_instruction", true, S_UNKNOWN_I },
    { "FROM", false, S_KW_FROM },
    { "RUN", false, S_KW_RUN },
    { "CMD", false, S_KW_CMD },
    { "LABEL", false, S_KW_LABEL },
    { "MAINTAINER", false, S_KW_MAINTAINER },
    { "EXPOSE", false, S_KW_EXPOSE },
    { "ENV", false, S_KW_ENV },
    { "ADD", false, S_KW_ADD },
    { "COPY", false, S_KW_COPY },
    { "ENTRYPOINT", false, S_KW_ENTRYPOINT },
    { "VOLUME", false, S_KW_VOLUME },
    { "USER", false, S_KW_USER },
    { "WORKDIR", false, S_KW_WORKDIR },
    { "ARG", false, S_KW_ARG },
    { "ONBUILD", false, S_KW_ONBUILD },
    { "STOPSIGNAL", false, S_KW_STOPSIGNAL },
    { "HEALTHCHECK", false, S_KW_HEALTHCHECK },
    { "SHELL", false, S_KW_SHELL },
    { "AS", false, S_KW_AS },
    { "NONE", false, S_KW_NONE },
    { "parser_directive", true, S_PARSER_DIRECTIVE },
    { "directive_name", true, S_DIRECTIVE_NAME },
    { "directive_value", true, S_DIRECTIVE_VALUE },
    { "comment", true, S_COMMENT },
    { "line_continuation", true, S_LINE_CONTINUATION },
    { "flag", true, S_FLAG },
    { "flag_name", true, S_FLAG_NAME },
    { "flag_value", true, S_FLAG_VALUE },
    { "mount_options", true, S_MOUNT_OPTIONS },
    { "mount_option", true, S_MOUNT_OPTION },
    { "mount_key", true, S_MOUNT_KEY },
    { "mount_value", true, S_MOUNT_VALUE },
    { "image_spec", true, S_IMAGE_SPEC },
    { "image_alias", true, S_IMAGE_ALIAS },
    { "shell_command", true, S_SHELL_COMMAND },
    { "shell_fragment", true, S_SHELL_FRAGMENT },
    { "heredoc_marker", true, S_HEREDOC_MARKER },
    { "heredoc_block", true, S_HEREDOC_BLOCK },
    { "heredoc_body", true, S_HEREDOC_BODY },
    { "heredoc_end", true, S_HEREDOC_END },
    { "json_string_array", true, S_JSON_ARRAY },
    { "json_string", true, S_JSON_STRING },
    { "json_escape_sequence", true, S_JSON_ESCAPE },
    { "text", true, S_TEXT },
    { "path", true, S_PATH },
    { "expose_port", true, S_EXPOSE_PORT },
    { "env_pair", true, S_ENV_PAIR },
    { "label_pair", true, S_LABEL_PAIR },
    { "arg_pair", true, S_ARG_PAIR },
    { "key", true, S_KEY },
    { "value", true, S_VALUE },
    { "legacy_value", true, S_LEGACY_VALUE },
    { "user_name", true, S_USER_NAME },
    { "user_group", true, S_USER_GROUP },
    { "signal", true, S_SIGNAL },
    { "maintainer_text", true, S_MAINTAINER_TEXT },
    { "instruction_name", true, S_INSTRUCTION_NAME },
    { "arguments", true, S_ARGUMENTS },
    { "expansion", true, S_EXPANSION },
    { "simple_expansion", true, S_SIMPLE_EXPANSION },
    { "variable", true, S_VARIABLE },
    { "double_quoted_string", true, S_DQ_STRING },
    { "single_quoted_string", true, S_SQ_STRING },
    { "escape_sequence", true, S_ESCAPE_SEQUENCE },
    { "[", false, S_T_LBRACKET },
    { "]", false, S_T_RBRACKET },
    { "=", false, S_T_EQ },
    { ":", false, S_T_COLON },
    { ",", false, S_T_COMMA },
    { "\"", false, S_T_DQUOTE },
    { "'", false, S_T_SQUOTE },
    { "}", false, S_T_RBRACE },
    { "${", false, S_T_DOLLAR_BRACE },
    { "--", false, S_T_DASHDASH },
};

/* The language is static, so its symbol map is computed once per process
 * (the CLI lints with several threads). */
static pthread_once_t symmap_once = PTHREAD_ONCE_INIT;
static uint8_t *symmap_table;
static uint32_t symmap_count;

/* Slots of the name hash of symmap_init: a power of two, over twice the
 * number of sym_names so that probes stay short. */
#define SYMMAP_SLOTS 256
_Static_assert(DW_ARRAY_LEN(sym_names) * 2 <= SYMMAP_SLOTS, "symmap hash too small");

static uint32_t symmap_hash(const char *name, bool named)
{
    uint32_t h = named ? 2166136261u : 2166136263u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static void symmap_init(void)
{
    /* Every grammar symbol looks its name up in a hash of sym_names: a
     * strcmp against each of them was 15% of a 3-line file's lint. Slots
     * hold an index + 1 into sym_names; the first entry of a name wins, as
     * the table order did. */
    uint8_t slot[SYMMAP_SLOTS] = { 0 };
    for (size_t k = 0; k < DW_ARRAY_LEN(sym_names); k++) {
        uint32_t h = symmap_hash(sym_names[k].name, sym_names[k].named) & (SYMMAP_SLOTS - 1);
        while (slot[h])
            h = (h + 1) & (SYMMAP_SLOTS - 1);
        slot[h] = (uint8_t)(k + 1);
    }
    const TSLanguage *lang = tree_sitter_dockwright_dockerfile();
    uint32_t n = ts_language_symbol_count(lang);
    uint8_t *map = xmalloc(n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        map[i] = S_OTHER;
        const char *name = ts_language_symbol_name(lang, (TSSymbol)i);
        TSSymbolType type = ts_language_symbol_type(lang, (TSSymbol)i);
        if (!name || type == TSSymbolTypeAuxiliary)
            continue;
        bool named = type == TSSymbolTypeRegular;
        uint32_t h = symmap_hash(name, named) & (SYMMAP_SLOTS - 1);
        size_t best = SIZE_MAX;
        for (; slot[h]; h = (h + 1) & (SYMMAP_SLOTS - 1)) {
            size_t k = slot[h] - 1u;
            if (k < best && sym_names[k].named == named && strcmp(sym_names[k].name, name) == 0)
                best = k;
        }
        if (best != SIZE_MAX)
            map[i] = sym_names[best].sym;
    }
    symmap_table = map;
    symmap_count = n;
}

uint16_t mb_sym_of(const struct mb *b, TSNode n)
{
    TSSymbol s = ts_node_symbol(n);
    if (s == (TSSymbol)-1)
        return S_ERROR;
    return s < b->n_sym ? b->symmap[s] : S_OTHER;
}

uint32_t mb_kids(struct mb *b, TSNode node, uint32_t *n)
{
    uint32_t base = (uint32_t)b->kids.len;
    ts_tree_cursor_reset(&b->cur, node);
    if (ts_tree_cursor_goto_first_child(&b->cur)) {
        do {
            TSNode c = ts_tree_cursor_current_node(&b->cur);
            struct mb_kid *k = VEC_PUSH_ZERO(&b->kids);
            k->node = c;
            k->start = ts_node_start_byte(c);
            k->end = ts_node_end_byte(c);
            k->sym = mb_sym_of(b, c);
            k->missing = ts_node_is_missing(c);
            k->kids = MB_NO_KIDS;
        } while (ts_tree_cursor_goto_next_sibling(&b->cur));
    }
    *n = (uint32_t)b->kids.len - base;
    return base;
}

/* ------------------------------------------------------------ text helpers */

void *mb_dup(struct mb *b, const void *items, size_t n, size_t sz)
{
    if (!n)
        return NULL;
    void *p = arena_alloc(b->a, n * sz);
    memcpy(p, items, n * sz);
    return p;
}

/* The first dropped range of the current instruction that ends after pos. */
static uint32_t first_drop_after(const struct mb *b, uint32_t pos)
{
    uint32_t lo = b->drop_base, hi = (uint32_t)b->dropped.len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->dropped.items[mid].end <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void mb_pieces(struct mb *b, uint32_t start, uint32_t end)
{
    uint32_t pos = start;
    for (uint32_t i = first_drop_after(b, start); i < b->dropped.len && pos < end; i++) {
        struct span d = b->dropped.items[i];
        if (d.start >= end)
            break;
        if (d.start > pos)
            VEC_PUSH(&b->segs, ((struct sh_segment){ pos, d.start }));
        if (d.end > pos)
            pos = d.end;
    }
    if (pos < end)
        VEC_PUSH(&b->segs, ((struct sh_segment){ pos, end }));
}

struct df_text mb_text(struct mb *b, uint32_t start, uint32_t end)
{
    struct df_text t = { { b->src + start, end - start }, { start, end } };
    if (end <= start) {
        t.raw.len = 0;
        t.span.end = start;
        return t;
    }
    uint32_t i = first_drop_after(b, start);
    if (i >= b->dropped.len || b->dropped.items[i].start >= end)
        return t;
    size_t base = b->segs.len;
    mb_pieces(b, start, end);
    size_t total = 0;
    for (size_t k = base; k < b->segs.len; k++)
        total += b->segs.items[k].end - b->segs.items[k].start;
    char *p = arena_alloc(b->a, total + 1);
    size_t off = 0;
    for (size_t k = base; k < b->segs.len; k++) {
        struct sh_segment s = b->segs.items[k];
        memcpy(p + off, b->src + s.start, s.end - s.start);
        off += s.end - s.start;
    }
    p[off] = '\0';
    b->segs.len = base;
    t.raw = str_make(p, total);
    return t;
}

void mb_error(struct mb *b, struct span span, enum df_syntax_kind kind, const struct df_instr *in,
              const char *fmt, ...)
{
    struct buf m = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(&m, fmt, ap);
    va_end(ap);
    struct df_syntax_error *e = VEC_PUSH_ZERO(&b->errors);
    e->span = span;
    e->kind = kind;
    e->instr = in;
    e->message = arena_strdup(b->a, rc ? "syntax error" : buf_cstr(&m));
    buf_release(&m);
}

/* ------------------------------------------------------------------- walk */

static bool gap_has_newline(const struct mb *b, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to && i < b->len; i++)
        if (b->src[i] == '\n')
            return true;
    return false;
}

static void start_stage(struct mb *b, struct df_instr *from)
{
    struct df_stage *st = VEC_PUSH_ZERO(&b->stages);
    st->index = (uint32_t)b->stages.len - 1;
    st->from = from;
    st->base_stage = -1;
    if (from->stage_name.raw.ptr) {
        char *name = arena_strndup(b->a, from->stage_name.raw.ptr, from->stage_name.raw.len);
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        st->name = str_make(name, from->stage_name.raw.len);
    }
    b->cur_stage = (int32_t)st->index;
    from->stage = b->cur_stage;
}

/* A top-level instruction was built: give it its stage and its pragmas. */
static void add_top(struct mb *b, struct df_instr *in)
{
    if (in->kind == DF_FROM)
        start_stage(b, in);
    VEC_PUSH(&b->top, in);
    mb_pragmas_before_instr(b, in);
}

static struct df_instr *build_top(struct mb *b, TSNode node, enum df_kind kind, bool from_error)
{
    b->drop_base = (uint32_t)b->dropped.len;
    struct df_instr *in = mb_instr(b, node, kind, from_error, NULL);
    add_top(b, in);
    return in;
}

/* Words of an ERROR node from byte `from` to `to` that no instruction
 * took: the end of the instruction `prev` when on its line, else stray. */
static void leftover(struct mb *b, TSNode node, struct df_instr *prev, uint32_t prev_end,
                     uint32_t from, uint32_t to)
{
    if (prev && !gap_has_newline(b, prev_end, from)) {
        /* Words the parser could not fit are still part of the line. */
        if (prev->span.end < to)
            prev->span.end = to;
        mb_report_trailing_error(b, prev, node, from);
    } else {
        mb_report_stray_error(b, from, to);
    }
}

/* A top-level ERROR node: an instruction that lost its shape (it starts
 * with a keyword), or instructions the parser completed with words it
 * could not place after them (or before them: after the instruction on
 * the line above). */
static struct df_instr *top_error(struct mb *b, TSNode node, struct df_instr *prev,
                                  uint32_t *prev_end)
{
    uint32_t n;
    uint32_t base = mb_kids(b, node, &n);
    int kind = -1;
    uint32_t first = 0;
    while (first < n && (mb_kid_at(b, base + first).sym == S_COMMENT ||
                         mb_kid_at(b, base + first).sym == S_LINE_CONTINUATION))
        first++;
    if (first < n)
        kind = mb_keyword_kind(mb_kid_at(b, base + first).sym);
    mb_kids_pop(b, base);
    struct df_instr *last = prev;
    const struct df_instr *onbuild = NULL;
    if (kind >= 0) {
        last = build_top(b, node, (enum df_kind)kind, true);
        *prev_end = ts_node_end_byte(node);
        if (kind == DF_ONBUILD)
            onbuild = last;
    }
    /* Instructions inside, and the runs of other words between them. */
    uint32_t end = ts_node_end_byte(node);
    uint32_t run = UINT32_MAX;
    base = mb_kids(b, node, &n);
    for (uint32_t i = kind >= 0 ? n : 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_COMMENT || k.sym == S_LINE_CONTINUATION)
            continue;
        if (k.sym > S_UNKNOWN_I) {
            if (run == UINT32_MAX)
                run = k.start;
            continue;
        }
        if (run != UINT32_MAX) {
            leftover(b, node, last, *prev_end, run, k.start);
            run = UINT32_MAX;
        }
        last = build_top(b, k.node, (enum df_kind)k.sym, false);
        *prev_end = k.end;
    }
    if (run != UINT32_MAX)
        leftover(b, node, last, *prev_end, run, end);
    /* A keyword ERROR: the instructions the parser finished inside it (not
     * the trigger of an ONBUILD that starts it). */
    for (uint32_t i = 0; kind >= 0 && i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym > S_UNKNOWN_I)
            continue;
        if (onbuild && onbuild->trigger && onbuild->trigger->span.start == k.start)
            continue;
        last = build_top(b, k.node, (enum df_kind)k.sym, false);
        *prev_end = k.end;
    }
    mb_kids_pop(b, base);
    return last;
}

static void walk(struct mb *b, TSNode root)
{
    TSTreeCursor *c = &b->walk_cur;
    ts_tree_cursor_reset(c, root);
    struct df_instr *prev = NULL;
    uint32_t prev_end = 0;
    TSNode pending_comment = { { 0 }, NULL, NULL };
    bool have_comment = false;
    if (ts_tree_cursor_goto_first_child(c)) {
        do {
            TSNode node = ts_tree_cursor_current_node(c);
            uint16_t sym = mb_sym_of(b, node);
            uint32_t start = ts_node_start_byte(node);
            if (have_comment) {
                mb_comment(b, pending_comment, start);
                have_comment = false;
            }
            if (sym == S_COMMENT) {
                pending_comment = node;
                have_comment = true;
            } else if (sym == S_PARSER_DIRECTIVE) {
                mb_directive(b, node);
            } else if (sym <= S_UNKNOWN_I) {
                prev = build_top(b, node, (enum df_kind)sym, false);
                prev_end = ts_node_end_byte(node);
            } else if (sym == S_ERROR) {
                prev = top_error(b, node, prev, &prev_end);
            }
            /* A line continuation on the last line of the file ends the
             * instruction (dockerfile.md section 4); nothing to record. */
        } while (ts_tree_cursor_goto_next_sibling(c));
    }
    if (have_comment)
        mb_comment(b, pending_comment, b->len);
}

/* ------------------------------------------------------------ stage graph */

/* The latest of stages[0, before) with that name: exactly (FROM compares
 * with the lowercased names as they are) or ignoring case (COPY --from,
 * --mount from=, --target). A later duplicate wins. */
static int stage_by_name(const struct df_stage *stages, uint32_t before, struct str name,
                         bool nocase)
{
    for (uint32_t i = before; i-- > 0;) {
        struct str s = stages[i].name;
        if (!s.ptr)
            continue;
        if (nocase ? str_eq_nocase(s, name) : str_eq(s, name))
            return (int)i;
    }
    return -1;
}

/* A stage reference of COPY --from / --mount from=: an index (digits only)
 * or a name, case-insensitive, among stages[0, before). */
static int stage_ref(const struct df_stage *stages, uint32_t before, struct str ref)
{
    if (ref.len == 0)
        return -1;
    bool digits = true;
    for (size_t i = 0; i < ref.len; i++)
        if (ref.ptr[i] < '0' || ref.ptr[i] > '9')
            digits = false;
    if (!digits)
        return stage_by_name(stages, before, ref, true);
    if (ref.len > 9)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < ref.len; i++)
        v = v * 10 + (uint32_t)(ref.ptr[i] - '0');
    return v < before ? (int)v : -1;
}

static void add_edge(struct mb *b, uint32_t from, int to, const struct df_instr *in,
                     struct df_text ref)
{
    struct df_stage_edge *e = VEC_PUSH_ZERO(&b->edges);
    e->from_stage = from;
    e->to_stage = to;
    e->instr = in;
    e->ref = ref;
}

static void stage_edges(struct mb *b)
{
    for (size_t i = 0; i < b->top.len; i++) {
        const struct df_instr *in = b->top.items[i];
        if (in->stage < 0)
            continue;
        uint32_t st = (uint32_t)in->stage;
        if (in->kind == DF_FROM) {
            struct df_stage *s = &b->stages.items[st];
            /* FROM compares the expanded name exactly with the lowercased
             * stage names (dockerfile.md section 12). */
            if (in->image.expanded.ptr)
                s->base_stage = stage_by_name(b->stages.items, st, in->image.expanded, false);
            if (s->base_stage >= 0)
                add_edge(b, st, s->base_stage, in, in->image.text);
        } else if (in->kind == DF_COPY) {
            for (uint32_t k = 0; k < in->n_flags; k++) {
                const struct df_flag *fl = &in->flags[k];
                if (!str_eq_cstr(fl->name.raw, "from") || !fl->value.raw.ptr)
                    continue;
                struct str ref = mb_flag_unquote(b->a, fl->value.raw, b->escape);
                add_edge(b, st, stage_ref(b->stages.items, st, ref), in, fl->value);
            }
        } else if (in->kind == DF_RUN) {
            for (uint32_t k = 0; k < in->n_flags; k++) {
                const struct df_flag *fl = &in->flags[k];
                for (uint32_t m = 0; m < fl->n_mount; m++) {
                    const struct df_mount_opt *o = &fl->mount[m];
                    if (!str_eq_nocase(o->key.raw, STR_LIT("from")) || !o->value.raw.ptr)
                        continue;
                    struct str ref = mb_flag_unquote(b->a, o->value.raw, b->escape);
                    add_edge(b, st, stage_ref(b->stages.items, st, ref), in, o->value);
                }
            }
        }
    }
}

static void stage_target(struct mb *b)
{
    int target = b->stages.len ? (int)b->stages.len - 1 : -1;
    if (b->opts && b->opts->target) {
        target = stage_by_name(b->stages.items, (uint32_t)b->stages.len,
                               str_from_cstr(b->opts->target), true);
        /* --target 0 is no stage name: BuildKit looks names up only. */
    }
    b->f->model.target_stage = target;
    if (target >= 0)
        b->stages.items[target].is_target = true;
}

static void stage_reach(struct mb *b)
{
    int target = b->f->model.target_stage;
    if (target < 0)
        return;
    for (int s = target; s >= 0; s = b->stages.items[s].base_stage) {
        if (b->stages.items[s].is_output)
            break;
        b->stages.items[s].is_output = true;
    }
    /* Edges point to earlier stages only, so one backward sweep from the
     * target closes over them. */
    b->stages.items[target].reaches_target = true;
    for (size_t s = (size_t)target + 1; s-- > 0;) {
        if (!b->stages.items[s].reaches_target)
            continue;
        for (size_t e = 0; e < b->edges.len; e++) {
            const struct df_stage_edge *ed = &b->edges.items[e];
            if (ed->from_stage == s && ed->to_stage >= 0)
                b->stages.items[ed->to_stage].reaches_target = true;
        }
    }
}

static void stage_instrs(struct mb *b)
{
    uint32_t *count = xcalloc(b->stages.len + 1, sizeof *count);
    for (size_t i = 0; i < b->top.len; i++)
        if (b->top.items[i]->stage >= 0 && b->top.items[i]->kind != DF_FROM)
            count[b->top.items[i]->stage]++;
    const struct df_instr **all = arena_alloc(b->a, (b->top.len + 1) * sizeof *all);
    size_t off = 0;
    for (size_t s = 0; s < b->stages.len; s++) {
        b->stages.items[s].instrs = (const struct df_instr *const *)(all + off);
        off += count[s];
        count[s] = 0;
    }
    for (size_t i = 0; i < b->top.len; i++) {
        const struct df_instr *in = b->top.items[i];
        if (in->stage < 0 || in->kind == DF_FROM)
            continue;
        struct df_stage *st = &b->stages.items[in->stage];
        ((const struct df_instr **)st->instrs)[count[in->stage]++] = in;
        st->n_instrs = count[in->stage];
    }
    free(count);
}

/* ------------------------------------------------------------------ build */

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

/* Errors by position (then extent and kind, so that the order does not
 * depend on qsort). */
static int cmp_error(const void *x, const void *y)
{
    const struct df_syntax_error *a = x, *b = y;
    int c = cmp_u32(a->span.start, b->span.start);
    if (!c)
        c = cmp_u32(a->span.end, b->span.end);
    if (!c)
        c = cmp_u32((uint32_t)a->kind, (uint32_t)b->kind);
    return c;
}

/* Pragmas by position; the parts of one `check=` value by their names. */
static int cmp_pragma(const void *x, const void *y)
{
    const struct df_pragma *a = x, *b = y;
    int c = cmp_u32(a->span.start, b->span.start);
    if (!c && a->n_names && b->n_names)
        c = cmp_u32(a->names[0].span.start, b->names[0].span.start);
    return c;
}

/* The work vectors of a build. */
#define MB_VECTORS(X)                                                                              \
    X(kids)                                                                                        \
    X(dropped)                                                                                     \
    X(comments)                                                                                    \
    X(errors)                                                                                      \
    X(top)                                                                                         \
    X(all)                                                                                         \
    X(directives)                                                                                  \
    X(pragmas)                                                                                     \
    X(stages)                                                                                      \
    X(edges)                                                                                       \
    X(flags)                                                                                       \
    X(mopts)                                                                                       \
    X(texts)                                                                                       \
    X(exec)                                                                                        \
    X(pairs)                                                                                       \
    X(heredocs)                                                                                    \
    X(segs)                                                                                        \
    X(errs)                                                                                        \
    X(pend_next)                                                                                   \
    X(names)

/* A vector over this size goes back to malloc after its build rather
 * than stay with the thread. */
#define MB_KEEP_BYTES ((size_t)256 * 1024)

/* The work vectors and the two cursors, kept by each thread from one
 * build to the next: growing twenty vectors and two cursor stacks from
 * nothing, and freeing them, for every file cost 1% of a corpus lint. The
 * thread-local storage keeps them reachable for leak checkers; the key's
 * destructor frees them when a worker thread ends. */
struct mb_keep {
    struct mb b; /* only the vectors, all empty */
    TSTreeCursor walk_cur, cur;
    bool have_cursors;
};

static _Thread_local struct mb_keep keep;
static pthread_key_t keep_key;
static bool keep_key_ok;
static pthread_once_t keep_key_once = PTHREAD_ONCE_INIT;

static void keep_free(void *unused)
{
    (void)unused;
#define RELEASE_KEPT(v) VEC_RELEASE(&keep.b.v);
    MB_VECTORS(RELEASE_KEPT)
#undef RELEASE_KEPT
    if (keep.have_cursors) {
        ts_tree_cursor_delete(&keep.walk_cur);
        ts_tree_cursor_delete(&keep.cur);
        keep.have_cursors = false;
    }
}

static void keep_key_init(void)
{
    keep_key_ok = pthread_key_create(&keep_key, keep_free) == 0;
}

/* Gives b the thread's kept vectors and cursors (new ones the first time),
 * the cursors at root. */
static void mb_take(struct mb *b, TSNode root)
{
#define TAKE(v)                                                                                    \
    b->v = keep.b.v;                                                                               \
    memset(&keep.b.v, 0, sizeof keep.b.v);
    MB_VECTORS(TAKE)
#undef TAKE
    if (keep.have_cursors) {
        b->walk_cur = keep.walk_cur;
        b->cur = keep.cur;
        keep.have_cursors = false;
        ts_tree_cursor_reset(&b->walk_cur, root);
        ts_tree_cursor_reset(&b->cur, root);
    } else {
        b->walk_cur = ts_tree_cursor_new(root);
        b->cur = ts_tree_cursor_new(root);
    }
}

/* Hands b's vectors (emptied) and cursors back to the thread. */
static void mb_give(struct mb *b)
{
    pthread_once(&keep_key_once, keep_key_init);
    if (keep_key_ok)
        pthread_setspecific(keep_key, &keep);
        /* A kept vector is only replaced if a nested build left one (none
         * does today): free it rather than lose it. */
#define GIVE(v)                                                                                    \
    VEC_RELEASE(&keep.b.v);                                                                        \
    if (b->v.cap * sizeof *b->v.items <= MB_KEEP_BYTES) {                                          \
        keep.b.v = b->v;                                                                           \
        keep.b.v.len = 0;                                                                          \
    } else {                                                                                       \
        VEC_RELEASE(&b->v);                                                                        \
    }
    MB_VECTORS(GIVE)
#undef GIVE
    if (keep.have_cursors) {
        ts_tree_cursor_delete(&b->walk_cur);
        ts_tree_cursor_delete(&b->cur);
    } else {
        keep.walk_cur = b->walk_cur;
        keep.cur = b->cur;
        keep.have_cursors = true;
    }
}

static void build(struct df_file *f, const struct df_build_opts *opts)
{
    pthread_once(&symmap_once, symmap_init);
    struct mb b;
    memset(&b, 0, sizeof b);
    b.f = f;
    b.a = &f->arena;
    b.src = f->src;
    b.len = f->len;
    b.opts = opts;
    b.symmap = symmap_table;
    b.n_sym = symmap_count;
    b.block_check = -1;
    b.cur_stage = -1;
    TSNode root = ts_tree_root_node(f->tree);
    mb_take(&b, root);
    b.tree_has_error = ts_node_has_error(root);
    b.escape = '\\';

    /* Directives come first in the tree; the escape char they set is
     * needed before any instruction is read. */
    walk(&b, root);
    mb_pragmas_finish(&b);
    mb_check_lines(&b);

    struct df_model *m = &f->model;
    m->escape = b.escape;
    stage_target(&b);
    mb_scope_global(&b);
    for (size_t i = 0; i < b.all.len; i++)
        if (b.all.items[i]->kind == DF_FROM)
            mb_expand_from(&b, b.all.items[i]);
    stage_edges(&b);
    stage_reach(&b);
    stage_instrs(&b);
    mb_scope_stages(&b);

    qsort(b.errors.items, b.errors.len, sizeof *b.errors.items, cmp_error);
    qsort(b.pragmas.items, b.pragmas.len, sizeof *b.pragmas.items, cmp_pragma);
    m->directives = mb_dup(&b, b.directives.items, b.directives.len, sizeof *b.directives.items);
    m->n_directives = (uint32_t)b.directives.len;
    m->instrs = mb_dup(&b, b.top.items, b.top.len, sizeof *b.top.items);
    m->n_instrs = (uint32_t)b.top.len;
    m->all_instrs = mb_dup(&b, b.all.items, b.all.len, sizeof *b.all.items);
    m->n_all_instrs = (uint32_t)b.all.len;
    m->stages = mb_dup(&b, b.stages.items, b.stages.len, sizeof *b.stages.items);
    m->n_stages = (uint32_t)b.stages.len;
    m->edges = mb_dup(&b, b.edges.items, b.edges.len, sizeof *b.edges.items);
    m->n_edges = (uint32_t)b.edges.len;
    m->pragmas = mb_dup(&b, b.pragmas.items, b.pragmas.len, sizeof *b.pragmas.items);
    m->n_pragmas = (uint32_t)b.pragmas.len;
    m->syntax_errors = mb_dup(&b, b.errors.items, b.errors.len, sizeof *b.errors.items);
    m->n_syntax_errors = (uint32_t)b.errors.len;
    m->comments = mb_dup(&b, b.comments.items, b.comments.len, sizeof *b.comments.items);
    m->n_comments = (uint32_t)b.comments.len;
    m->dropped = mb_dup(&b, b.dropped.items, b.dropped.len, sizeof *b.dropped.items);
    m->n_dropped = (uint32_t)b.dropped.len;

    mb_give(&b);
}

static const struct df_build_opts *copy_opts(struct arena *a, const struct df_build_opts *o)
{
    if (!o)
        return NULL;
    struct df_build_opts *c = ARENA_NEW(a, struct df_build_opts);
    c->target = o->target ? arena_strdup(a, o->target) : NULL;
    c->platform = o->platform ? arena_strdup(a, o->platform) : NULL;
    if (o->build_args) {
        size_t n = 0;
        while (o->build_args[n])
            n++;
        const char **args = arena_alloc(a, (n + 1) * sizeof *args);
        for (size_t i = 0; i < n; i++)
            args[i] = arena_strdup(a, o->build_args[i]);
        args[n] = NULL;
        c->build_args = args;
    }
    if (o->base_env && o->n_base_env) {
        const char *const **envs = arena_calloc(a, o->n_base_env, sizeof *envs);
        for (uint32_t s = 0; s < o->n_base_env; s++) {
            size_t n = 0;
            while (o->base_env[s] && o->base_env[s][n])
                n++;
            const char **v = arena_alloc(a, (n + 1) * sizeof *v);
            for (size_t i = 0; i < n; i++)
                v[i] = arena_strdup(a, o->base_env[s][i]);
            v[n] = NULL;
            envs[s] = o->base_env[s] ? v : NULL;
        }
        c->base_env = envs;
        c->n_base_env = o->n_base_env;
    }
    return c;
}

struct df_file *df_file_new(const char *path, const char *text, size_t len,
                            const struct df_build_opts *opts, struct err *err)
{
    if (!path)
        path = "-";
    if (len > DF_MAX_FILE) {
        err_set(err, ERR_TOO_LARGE, "'%s' is larger than 64 MiB (%zu bytes)", path, len);
        err_at(err, path, 0, 0);
        return NULL;
    }
    struct df_file *f = xcalloc(1, sizeof *f);
    arena_init(&f->arena);
    char *copy = arena_alloc(&f->arena, len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    f->src = copy;
    f->len = (uint32_t)len;
    f->path = arena_strdup(&f->arena, path);
    line_index_build(&f->lines, &f->arena, copy, len);
    f->bom = len >= 3 && memcmp(copy, "\xEF\xBB\xBF", 3) == 0;
    f->final_newline = len > 0 && copy[len - 1] == '\n';
    const char *nl = memchr(copy, '\n', len);
    f->crlf = nl && nl > copy && nl[-1] == '\r';
    f->opts = copy_opts(&f->arena, opts);
    f->tree = syn_parse(copy, (uint32_t)len);
    if (!f->tree) {
        df_file_free(f);
        err_set(err, ERR_INTERNAL, "cannot parse '%s': the Dockerfile grammar did not load", path);
        err_at(err, path, 0, 0);
        return NULL;
    }
    build(f, f->opts);
    return f;
}

void df_file_free(struct df_file *f)
{
    if (!f)
        return;
    if (f->tree)
        ts_tree_delete(f->tree);
    arena_release(&f->arena);
    free(f);
}

void df_file_locate(const struct df_file *f, uint32_t offset, uint32_t *line, uint32_t *col)
{
    line_index_locate(&f->lines, offset, line, col);
}

/* ------------------------------------------------------------------ queries */

const struct df_stage *df_stage_of(const struct df_file *f, const struct df_instr *in)
{
    if (!in || in->stage < 0 || (uint32_t)in->stage >= f->model.n_stages)
        return NULL;
    return &f->model.stages[in->stage];
}

int df_stage_lookup(const struct df_file *f, const struct df_instr *at, struct str ref)
{
    uint32_t before = f->model.n_stages;
    if (at && at->stage >= 0)
        before = (uint32_t)at->stage;
    return stage_ref(f->model.stages, before, ref);
}

const struct df_flag *df_instr_flag(const struct df_instr *in, const char *name)
{
    const struct df_flag *found = NULL;
    for (uint32_t i = 0; in && i < in->n_flags; i++)
        if (str_eq_cstr(in->flags[i].name.raw, name))
            found = &in->flags[i];
    return found;
}
