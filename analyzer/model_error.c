/* Syntax errors of the model: a message for every ERROR and MISSING node of
 * the tree that says what was expected where, worded from the instruction
 * around it (git style: lowercase, no final period), plus the line-level
 * error BuildKit raises that the grammar accepts (a physical line over
 * 65535 bytes). The matching BuildKit texts are in dockerfile.md section
 * 14; ours name the token and the expectation instead. */
#include "analyzer/model_int.h"

#include <string.h>

/* BuildKit's bufio.Scanner refuses longer lines (dockerfile.md section 1). */
#define DF_MAX_LINE 65535u

const char *mb_expected_args(enum df_kind kind)
{
    switch (kind) {
    case DF_FROM: return "an image";
    case DF_RUN:
    case DF_CMD:
    case DF_ENTRYPOINT: return "a command";
    case DF_LABEL: return "a label (key=value)";
    case DF_MAINTAINER: return "a name";
    case DF_EXPOSE: return "a port";
    case DF_ENV: return "a variable (name=value)";
    case DF_ADD:
    case DF_COPY: return "a source and a destination";
    case DF_VOLUME: return "a path";
    case DF_USER: return "a user";
    case DF_WORKDIR: return "a path";
    case DF_ARG: return "a name";
    case DF_ONBUILD: return "an instruction";
    case DF_STOPSIGNAL: return "a signal";
    case DF_HEALTHCHECK: return "CMD or NONE";
    case DF_SHELL: return "a JSON array";
    default: return "arguments";
    }
}

/* The instruction's name for messages: the keyword as BuildKit spells it,
 * or the unknown name as written. */
static struct str kw_name(const struct mb *b, const struct df_instr *in)
{
    if (in->kind != DF_UNKNOWN)
        return str_from_cstr(df_kind_name(in->kind));
    return str_make(b->src + in->keyword.start, span_len(in->keyword));
}

/* Up to 40 bytes of src[start, end) on its first line, for quoting. */
static struct str snippet(const struct mb *b, uint32_t start, uint32_t end)
{
    uint32_t e = start;
    while (e < end && e - start < 40 && b->src[e] != '\n' && b->src[e] != '\r')
        e++;
    /* Not in the middle of a UTF-8 sequence. */
    if (e < end && e > start && ((unsigned char)b->src[e] & 0xC0) == 0x80)
        while (e > start && ((unsigned char)b->src[e] & 0xC0) == 0x80)
            e--;
    while (e > start && (b->src[e - 1] == ' ' || b->src[e - 1] == '\t'))
        e--;
    /* Messages go to terminals and JSON: control bytes and invalid UTF-8
     * become '?'. */
    const unsigned char *p = (const unsigned char *)b->src + start;
    size_t n = e - start;
    bool clean = true;
    for (size_t i = 0; i < n && clean; i++)
        if (p[i] < 0x20 || p[i] >= 0x7F)
            clean = false;
    if (clean)
        return str_make(b->src + start, n);
    char *out = arena_alloc(b->a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        bool ok = len > 0 && i + len <= n && !(c < 0x80 && (c < 0x20 || c == 0x7F)) &&
                  !(len == 2 && c < 0xC2);
        for (size_t k = 1; ok && k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                ok = false;
        if (ok) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    out[o] = '\0';
    return str_make(out, o);
}

/* The end of the JSON element starting at `at`: the ',' or ']' that ends
 * it outside brackets, braces and strings, or the end of the line. */
static uint32_t element_end(const struct mb *b, uint32_t at)
{
    int depth = 0;
    bool str = false;
    uint32_t i = at;
    for (; i < b->len && b->src[i] != '\n'; i++) {
        char c = b->src[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = false;
        } else if (c == '"') {
            str = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (depth == 0 && (c == ',' || c == ']' || c == ' ' || c == '\t')) {
            break;
        }
    }
    return i;
}

static bool is_extra(uint16_t sym)
{
    return sym == S_COMMENT || sym == S_LINE_CONTINUATION;
}

/* How a node type reads in "expected X". */
static const char *describe(uint16_t sym, TSNode n)
{
    switch (sym) {
    case S_IMAGE_SPEC: return "an image";
    case S_IMAGE_ALIAS: return "a stage name";
    case S_FLAG_NAME: return "a flag name";
    case S_FLAG_VALUE: return "a flag value";
    case S_MOUNT_OPTION:
    case S_MOUNT_KEY: return "a mount option";
    case S_MOUNT_VALUE: return "a mount option value";
    case S_KEY: return "a name";
    case S_VALUE:
    case S_LEGACY_VALUE: return "a value";
    case S_PATH: return "a path";
    case S_EXPOSE_PORT: return "a port";
    case S_JSON_STRING: return "a JSON string";
    case S_USER_NAME: return "a user";
    case S_USER_GROUP: return "a group";
    case S_SIGNAL: return "a signal";
    case S_HEREDOC_END: return "the heredoc delimiter line";
    case S_VARIABLE: return "a variable name";
    case S_T_LBRACKET: return "'['";
    case S_T_RBRACKET: return "']'";
    case S_T_EQ: return "'='";
    case S_T_COLON: return "':'";
    case S_T_COMMA: return "','";
    case S_T_RBRACE: return "'}'";
    case S_KW_AS: return "AS";
    case S_KW_CMD: return "CMD";
    case S_KW_NONE: return "NONE";
    default: return ts_node_type(n);
    }
}

/* The key of an ENV/LABEL/ARG pair node. */
static struct str pair_key(struct mb *b, TSNode pair)
{
    struct str key = STR_NULL;
    uint32_t n;
    uint32_t base = mb_kids(b, pair, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_KEY) {
            key = snippet(b, k.start, k.end);
            break;
        }
    }
    mb_kids_pop(b, base);
    return key;
}

static void report_missing(struct mb *b, struct df_instr *in, const struct mb_errnode *e)
{
    struct str kw = kw_name(b, in);
    uint32_t ps = ts_node_start_byte(e->parent);
    struct span at = span_make(e->k.start, e->k.end);
    switch (e->k.sym) {
    case S_T_DQUOTE:
        mb_error(b, span_make(ps, e->k.start), DF_SYN_UNCLOSED_QUOTE, in,
                 "unclosed quote: expected '\"' before the end of the line in %.*s", STR_FMT(kw));
        return;
    case S_T_SQUOTE:
        mb_error(b, span_make(ps, e->k.start), DF_SYN_UNCLOSED_QUOTE, in,
                 "unclosed quote: expected \"'\" before the end of the line in %.*s", STR_FMT(kw));
        return;
    case S_T_RBRACE:
        mb_error(b, span_make(ps, e->k.start), DF_SYN_UNCLOSED_QUOTE, in,
                 "expected '}' to close '${' in %.*s", STR_FMT(kw));
        return;
    case S_T_EQ:
        if (e->parent_sym == S_ENV_PAIR || e->parent_sym == S_LABEL_PAIR) {
            struct str key = pair_key(b, e->parent);
            mb_error(b, span_make(ps, ts_node_end_byte(e->parent)), DF_SYN_PAIR_WITHOUT_EQUALS, in,
                     "expected '=' or a value after '%.*s' in %.*s", STR_FMT(key), STR_FMT(kw));
            return;
        }
        break;
    case S_KW_NONE:
    case S_KW_CMD:
        if (in->kind == DF_HEALTHCHECK) {
            mb_error(b, in->keyword, DF_SYN_MISSING_ARGUMENTS, in,
                     "expected CMD or NONE after HEALTHCHECK");
            return;
        }
        break;
    case S_TEXT:
        if (e->parent_sym == S_IMAGE_SPEC) {
            mb_error(b, span_make(in->keyword.start, e->k.end), DF_SYN_MISSING_ARGUMENTS, in,
                     "expected an image after %s", in->n_flags ? "the flags of FROM" : "FROM");
            return;
        }
        if (in->n_args == 0 && in->n_pairs == 0) {
            /* The first word is missing (`ONBUILD COPY`). */
            mb_error(b, span_make(in->keyword.start, e->k.end), DF_SYN_MISSING_ARGUMENTS, in,
                     "expected %s after %.*s", mb_expected_args(in->kind), STR_FMT(kw));
            return;
        }
        break;
    case S_T_RBRACKET:
        mb_error(b, at, DF_SYN_GENERIC, in, "expected ']' to close the JSON array of %.*s",
                 STR_FMT(kw));
        return;
    case S_SHELL_FRAGMENT:
        mb_error(b, span_make(in->keyword.start, e->k.end), DF_SYN_MISSING_ARGUMENTS, in,
                 "expected a command after %.*s%s", STR_FMT(kw),
                 in->kind == DF_HEALTHCHECK ? " CMD" : "");
        return;
    default:
        if (mb_keyword_kind(e->k.sym) >= 0 && in->kind == DF_ONBUILD) {
            mb_error(b, in->keyword, DF_SYN_MISSING_ARGUMENTS, in,
                     "expected an instruction after ONBUILD");
            return;
        }
        break;
    }
    mb_error(b, at, DF_SYN_GENERIC, in, "expected %s in %.*s", describe(e->k.sym, e->k.node),
             STR_FMT(kw));
}

/* The JSON strings among the children of an ERROR node become the exec
 * list of in (the parser gave up at the non-string element). */
static void json_strings_of(struct mb *b, TSNode node, struct df_instr *in)
{
    if (in->n_exec)
        return;
    uint32_t n;
    uint32_t base = mb_kids(b, node, &n);
    size_t eb = b->exec.len;
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid c = mb_kid_at(b, base + i);
        if (c.sym == S_JSON_STRING)
            VEC_PUSH(&b->exec, mb_json_string(b, c));
    }
    mb_kids_pop(b, base);
    in->n_exec = (uint32_t)(b->exec.len - eb);
    /* With no string at all the vector may still be unallocated (NULL):
     * even NULL + 0 is undefined. */
    in->exec = in->n_exec ? mb_dup(b, b->exec.items + eb, in->n_exec, sizeof *b->exec.items) : NULL;
    b->exec.len = eb;
}

/* An ERROR child holding a non-string element of a JSON array. */
static void report_json(struct mb *b, struct df_instr *in, TSNode err, uint32_t from)
{
    struct str kw = kw_name(b, in);
    uint32_t n;
    uint32_t base = mb_kids(b, err, &n);
    uint32_t bad = from, bad_end = ts_node_end_byte(err);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.start < from || k.sym == S_T_LBRACKET || k.sym == S_JSON_STRING ||
            k.sym == S_T_COMMA || is_extra(k.sym))
            continue;
        bad = k.start;
        break;
    }
    mb_kids_pop(b, base);
    if (bad == from) {
        /* The ERROR holds only the strings: the element is what follows
         * (COPY ["a", 1] keeps `1]` as a path). */
        bad = bad_end;
        while (bad < b->len && (b->src[bad] == ' ' || b->src[bad] == '\t'))
            bad++;
        bad_end = bad;
        while (bad_end < b->len && b->src[bad_end] != '\n')
            bad_end++;
    }
    uint32_t e = element_end(b, bad);
    struct str s = snippet(b, bad, e);
    in->exec_non_string = true;
    in->form = DF_FORM_EXEC;
    json_strings_of(b, err, in);
    mb_error(b, span_make(bad, e > bad ? e : bad_end), DF_SYN_JSON_NON_STRING, in,
             "expected a JSON string in the exec form of %.*s, found '%.*s' (BuildKit accepts "
             "arrays of strings only)",
             STR_FMT(kw), STR_FMT(s));
}

/* The innermost instruction at pos: an ONBUILD trigger when pos is in it. */
static struct df_instr *innermost(struct df_instr *in, uint32_t pos)
{
    while (in->trigger && in->trigger->span.start <= pos && pos <= in->trigger->span.end)
        in = (struct df_instr *)in->trigger; /* built here, in the arena */
    return in;
}

void mb_report_errors(struct mb *b, struct df_instr *top, uint32_t errs_base)
{
    for (size_t i = errs_base; i < b->errs.len; i++) {
        struct mb_errnode e = b->errs.items[i];
        struct df_instr *in = innermost(top, e.k.start);
        if (e.k.missing) {
            report_missing(b, in, &e);
            continue;
        }
        struct str kw = kw_name(b, in);
        if (e.parent_sym == S_ENV_PAIR || e.parent_sym == S_LABEL_PAIR) {
            /* `ENV A=1 # B=2`: a word without '=' became the pair's key. */
            struct str key = pair_key(b, e.parent);
            mb_error(b, span_make(ts_node_start_byte(e.parent), e.k.end),
                     DF_SYN_PAIR_WITHOUT_EQUALS, in,
                     "expected '=' after '%.*s' in %.*s (every word must be name=value)",
                     STR_FMT(key), STR_FMT(kw));
            continue;
        }
        if (e.parent_sym == S_JSON_ARRAY) {
            /* `SHELL [1]`: the parser kept the array around the element. */
            uint32_t end = element_end(b, e.k.start);
            struct str s = snippet(b, e.k.start, end);
            in->exec_non_string = true;
            mb_error(b, span_make(e.k.start, end), DF_SYN_JSON_NON_STRING, in,
                     "expected a JSON string in the exec form of %.*s, found '%.*s' (BuildKit "
                     "accepts arrays of strings only)",
                     STR_FMT(kw), STR_FMT(s));
            continue;
        }
        uint32_t n;
        uint32_t base = mb_kids(b, e.k.node, &n);
        bool json = n > 0 && mb_kid_at(b, base).sym == S_T_LBRACKET;
        mb_kids_pop(b, base);
        if (json) {
            report_json(b, in, e.k.node, e.k.start);
            continue;
        }
        struct str s = snippet(b, e.k.start, e.k.end);
        mb_error(b, span_make(e.k.start, e.k.end), DF_SYN_GENERIC, in, "unexpected '%.*s' in %.*s",
                 STR_FMT(s), STR_FMT(kw));
    }
}

void mb_report_keyword_error(struct mb *b, struct df_instr *in, TSNode node)
{
    /* An ONBUILD that lost its shape holds its trigger in the same ERROR:
     * what is missing is the trigger's. */
    while (in->trigger)
        in = (struct df_instr *)in->trigger; /* built here, in the arena */
    for (uint32_t h = 0; h < in->n_heredocs; h++)
        if (!in->heredocs[h].terminated)
            return; /* reported as an unterminated heredoc already */
    struct str kw = kw_name(b, in);
    uint32_t n;
    uint32_t base = mb_kids(b, node, &n);
    uint32_t i = 0;
    while (i < n && mb_kid_at(b, base + i).start < in->keyword.start)
        i++;
    while (i < n && (is_extra(mb_kid_at(b, base + i).sym) ||
                     mb_keyword_kind(mb_kid_at(b, base + i).sym) >= 0 ||
                     mb_kid_at(b, base + i).sym == S_FLAG))
        i++;
    if (i >= n) {
        mb_kids_pop(b, base);
        mb_error(b, in->keyword, DF_SYN_MISSING_ARGUMENTS, in, "expected %s after %.*s",
                 mb_expected_args(in->kind), STR_FMT(kw));
        return;
    }
    struct mb_kid k = mb_kid_at(b, base + i);
    mb_kids_pop(b, base);
    struct str s = snippet(b, k.start, ts_node_end_byte(node));
    mb_error(b, span_make(k.start, ts_node_end_byte(node)), DF_SYN_GENERIC, in,
             "unexpected '%.*s' in %.*s: expected %s", STR_FMT(s), STR_FMT(kw),
             mb_expected_args(in->kind));
}

void mb_report_trailing_error(struct mb *b, struct df_instr *prev, TSNode err, uint32_t from)
{
    prev->has_syntax_error = true;
    struct str kw = kw_name(b, prev);
    uint32_t es = from, ee = ts_node_end_byte(err);
    uint32_t n;
    uint32_t base = mb_kids(b, err, &n);
    uint32_t i = 0, real = 0;
    while (i < n && (mb_kid_at(b, base + i).start < from || is_extra(mb_kid_at(b, base + i).sym)))
        i++;
    for (uint32_t j = i; j < n; j++)
        if (!is_extra(mb_kid_at(b, base + j).sym))
            real++;
    struct mb_kid first = i < n ? mb_kid_at(b, base + i) : (struct mb_kid){ 0 };
    struct mb_kid second = i + 1 < n ? mb_kid_at(b, base + i + 1) : (struct mb_kid){ 0 };
    mb_kids_pop(b, base);
    struct str s = snippet(b, es, ee);

    if (i < n && first.sym == S_T_LBRACKET) {
        report_json(b, prev, err, es);
        return;
    }
    if (i < n && (first.sym == S_T_SQUOTE || first.sym == S_T_DQUOTE)) {
        /* `ENV a='x\'y'`: the backslash is literal inside single quotes,
         * so the last quote opens a string that never closes. */
        mb_error(b, span_make(es, ee), DF_SYN_UNCLOSED_QUOTE, prev,
                 "unclosed quote: expected %s before the end of the line in %.*s",
                 first.sym == S_T_SQUOTE ? "\"'\"" : "'\"'", STR_FMT(kw));
        return;
    }
    if (prev->kind == DF_FROM) {
        if (first.sym == S_KW_AS && real == 1) {
            mb_error(b, span_make(first.start, first.end), DF_SYN_MISSING_ARGUMENTS, prev,
                     "expected a stage name after AS");
        } else if (prev->stage_name.raw.ptr) {
            mb_error(b, span_make(es, ee), DF_SYN_EXTRA_ARGUMENTS, prev,
                     "unexpected '%.*s' after the stage name in FROM", STR_FMT(s));
        } else {
            mb_error(b, span_make(es, ee), DF_SYN_EXTRA_ARGUMENTS, prev,
                     "unexpected '%.*s' after the image in FROM: expected 'AS name' or the end "
                     "of the line",
                     STR_FMT(s));
        }
        return;
    }
    if (first.sym == S_T_COMMA && prev->n_flags && prev->flags[prev->n_flags - 1].span.end == es &&
        prev->flags[prev->n_flags - 1].n_mount) {
        mb_error(b, span_make(es, ee), DF_SYN_GENERIC, prev,
                 "expected a mount option after ',' in --mount of %.*s", STR_FMT(kw));
        return;
    }
    if (first.sym == S_T_DASHDASH) {
        struct str name = second.sym == S_FLAG_NAME
                              ? str_make(b->src + second.start, second.end - second.start)
                              : STR_NULL;
        if (str_eq_cstr(name, "mount"))
            mb_error(b, span_make(es, ee), DF_SYN_MISSING_ARGUMENTS, prev,
                     "expected '=' and mount options after --mount in %.*s", STR_FMT(kw));
        else
            mb_error(b, span_make(es, ee), DF_SYN_GENERIC, prev, "unexpected '%.*s' in %.*s",
                     STR_FMT(s), STR_FMT(kw));
        return;
    }
    if (prev->kind == DF_ENV || prev->kind == DF_LABEL) {
        mb_error(b, span_make(es, ee), DF_SYN_PAIR_WITHOUT_EQUALS, prev,
                 "expected '=' in '%.*s': %.*s takes name=value pairs", STR_FMT(s), STR_FMT(kw));
        return;
    }
    mb_error(b, span_make(es, ee), DF_SYN_EXTRA_ARGUMENTS, prev,
             "unexpected '%.*s' after the arguments of %.*s", STR_FMT(s), STR_FMT(kw));
}

void mb_report_stray_error(struct mb *b, uint32_t es, uint32_t ee)
{
    struct str s = snippet(b, es, ee);
    mb_error(b, span_make(es, ee), DF_SYN_GENERIC, NULL,
             "unexpected '%.*s': expected an instruction", STR_FMT(s));
}

void mb_check_lines(struct mb *b)
{
    const struct line_index *li = &b->f->lines;
    for (uint32_t i = 0; i < li->count; i++) {
        uint32_t s = li->starts[i];
        uint32_t e = i + 1 < li->count ? li->starts[i + 1] : b->len;
        uint32_t content = e > s && b->src[e - 1] == '\n' ? e - 1 : e;
        if (content - s > DF_MAX_LINE)
            mb_error(b, span_make(s, content), DF_SYN_LINE_TOO_LONG, NULL,
                     "line is %u bytes long: BuildKit refuses lines over %u bytes", content - s,
                     DF_MAX_LINE);
    }
}
