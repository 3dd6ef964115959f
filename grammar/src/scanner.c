/* External scanner of the dockwright Dockerfile grammar.
 *
 * It scans what depends on the escape character or on context the LR lexer
 * cannot see, following BuildKit's line parser (shared/spec/dockerfile.md):
 *
 * - line continuations (escape char, blanks, line end; blank-only lines that
 *   follow are dropped with it, as BuildKit drops them);
 * - comments, which exist only where a line starts with '#'; a comment token
 *   takes its line end and the blank lines after it, so that comment lines
 *   inside a continued instruction do not end it;
 * - parser directives at the top of the file, and the escape character the
 *   `# escape=` directive sets;
 * - shell text of RUN/CMD/ENTRYPOINT/SHELL (verbatim, up to a continuation
 *   or the line end), with heredoc markers cut out of RUN text;
 * - heredoc markers, bodies and terminators;
 * - escape sequences and the other of '\' and '`' inside words;
 * - '[' of an exec form, emitted only when the instruction's text is a JSON
 *   array (otherwise BuildKit reads shell form);
 * - the "--" of a flag, only where flags may appear;
 * - a zero-width end of the last line when the file lacks a final newline.
 *
 * The state (escape character, whether directives are over, pending
 * heredocs) is serialized after every external token, as the runtime
 * requires. This file includes only tree-sitter's parser.h. */
#include <tree_sitter/parser.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum token_type {
    LINE_CONTINUATION,
    COMMENT,
    DIRECTIVE_START,
    SHELL_FRAGMENT,
    HEREDOC_MARKER,
    HEREDOC_NL,
    HEREDOC_BODY,
    HEREDOC_END,
    ESCAPE_SEQUENCE,
    IMM_ESCAPE_SEQUENCE,
    PLAIN_BACKSLASH,
    IMM_PLAIN_BACKSLASH,
    JSON_OPEN,
    FLAG_START,
    EOF_TOKEN,
    DIRECTIVE_VALUE,
    ERROR_SENTINEL,
};

/* Heredocs waiting for their bodies. The serialization buffer is 1024
 * bytes; a delimiter longer than MAX_DELIM is cut (matching then compares
 * the cut name, which a real Dockerfile never reaches). */
#define MAX_HEREDOCS 8
#define MAX_DELIM 96

struct heredoc {
    bool strip_tabs; /* <<- */
    uint8_t len;
    char delim[MAX_DELIM];
};

struct scanner {
    int32_t escape; /* '\\' or '`' */
    /* The escape char an `# escape=` directive sets once its value token is
     * read (setting it earlier would make the value '`' a continuation). */
    int32_t pending_escape;
    bool directives_done;
    /* Some external token was produced before: false only at the start of
     * the file (see the BOM case in scan()). */
    bool started;
    /* The last external token is a line continuation that touches the text
     * before it (no blank before its escape char): BuildKit joins the lines
     * first, so a word cut there goes on at the next line's start. */
    bool joins;
    uint8_t n_pending;
    struct heredoc pending[MAX_HEREDOCS];
};

/* ------------------------------------------------------------------ */
/* State                                                               */

void *tree_sitter_dockwright_dockerfile_external_scanner_create(void)
{
    struct scanner *s = calloc(1, sizeof *s);
    if (s)
        s->escape = '\\';
    return s;
}

void tree_sitter_dockwright_dockerfile_external_scanner_destroy(void *payload)
{
    free(payload);
}

/* The runtime deserializes before every scan call and serializes after
 * every external token, so the encoding is short and cheap: no bytes for
 * the state before any external token (what the runtime passes then), else
 * one byte of flags and, per pending heredoc, a length byte (bit 7: <<-)
 * and the delimiter. Each state has exactly one encoding: the runtime
 * compares encodings to tell whether a token changed the state. */
enum {
    STATE_BACKTICK = 1 << 0, /* escape is '`' */
    STATE_DIRECTIVES_DONE = 1 << 1,
    STATE_STARTED = 1 << 2,
    STATE_PENDING_BACKSLASH = 1 << 3, /* pending_escape is '\\' */
    STATE_PENDING_BACKTICK = 1 << 4,  /* pending_escape is '`' */
    STATE_JOINS = 1 << 5,
    STATE_STRIP_TABS = 1 << 7, /* in a heredoc's length byte */
};

unsigned tree_sitter_dockwright_dockerfile_external_scanner_serialize(void *payload, char *buf)
{
    const struct scanner *s = payload;
    unsigned flags =
        (s->escape == '`' ? STATE_BACKTICK : 0u) |
        (s->directives_done ? STATE_DIRECTIVES_DONE : 0u) | (s->started ? STATE_STARTED : 0u) |
        (s->pending_escape == '\\' ? STATE_PENDING_BACKSLASH : 0u) |
        (s->pending_escape == '`' ? STATE_PENDING_BACKTICK : 0u) | (s->joins ? STATE_JOINS : 0u);
    if (flags == 0 && s->n_pending == 0)
        return 0;
    unsigned n = 0;
    buf[n++] = (char)flags;
    for (unsigned i = 0; i < s->n_pending; i++) {
        const struct heredoc *h = &s->pending[i];
        buf[n++] = (char)(h->len | (h->strip_tabs ? STATE_STRIP_TABS : 0u));
        memcpy(buf + n, h->delim, h->len);
        n += h->len;
    }
    return n;
}

void tree_sitter_dockwright_dockerfile_external_scanner_deserialize(void *payload, const char *buf,
                                                                    unsigned len)
{
    struct scanner *s = payload;
    /* Only the first n_pending heredocs are ever read: no need to clear
     * the others. */
    s->escape = '\\';
    s->pending_escape = 0;
    s->directives_done = false;
    s->started = false;
    s->joins = false;
    s->n_pending = 0;
    if (len == 0)
        return;
    unsigned flags = (unsigned char)buf[0];
    if (flags & STATE_BACKTICK)
        s->escape = '`';
    if (flags & STATE_PENDING_BACKSLASH)
        s->pending_escape = '\\';
    else if (flags & STATE_PENDING_BACKTICK)
        s->pending_escape = '`';
    s->directives_done = (flags & STATE_DIRECTIVES_DONE) != 0;
    s->started = (flags & STATE_STARTED) != 0;
    s->joins = (flags & STATE_JOINS) != 0;
    unsigned n = 1;
    while (n < len && s->n_pending < MAX_HEREDOCS) {
        unsigned head = (unsigned char)buf[n++];
        unsigned l = head & ~(unsigned)STATE_STRIP_TABS;
        if (l > MAX_DELIM || n + l > len)
            break;
        struct heredoc *h = &s->pending[s->n_pending++];
        h->strip_tabs = (head & STATE_STRIP_TABS) != 0;
        h->len = (uint8_t)l;
        memcpy(h->delim, buf + n, l);
        n += l;
    }
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void advance(TSLexer *lx)
{
    lx->advance(lx, false);
}

static void skip(TSLexer *lx)
{
    lx->advance(lx, true);
}

static bool is_blank(int32_t c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* A character of at most ' ' that shell text runs through: not a blank,
 * a line end or 0 (the end of input, or a NUL byte checked separately). */
static bool is_text_control(int32_t c)
{
    return c != 0 && c != ' ' && c != '\n' && c != '\r' && !is_blank(c);
}

/* At the end of the input. The runtime's lookahead is 0 there, so the
 * (indirect) eof call is made only for a 0, which a NUL byte also gives:
 * this is asked for about every byte. */
static bool at_end(TSLexer *lx)
{
    return lx->lookahead == 0 && lx->eof(lx);
}

static bool at_eol(TSLexer *lx)
{
    return lx->lookahead == '\n' || at_end(lx);
}

/* Consumes a line ending (\n or \r\n) if one is next; a lone \r is data. */
static bool consume_newline(TSLexer *lx)
{
    if (lx->lookahead == '\n') {
        advance(lx);
        return true;
    }
    return false;
}

/* Consumes blank-only lines (each with its line ending), marking the end
 * after each. Stops at the first line that has content; blanks consumed at
 * its start are not part of the token. */
static void absorb_blank_lines(TSLexer *lx)
{
    for (;;) {
        while (is_blank(lx->lookahead) || lx->lookahead == '\r')
            advance(lx);
        if (lx->lookahead != '\n')
            return;
        advance(lx);
        lx->mark_end(lx);
    }
}

/* ------------------------------------------------------------------ */
/* Parser directives                                                   */

static bool ascii_alpha(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ascii_alnum(int32_t c)
{
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}

static int32_t lower(int32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Called with the lexer just past '#' (already marked as the token end).
 * Reads the rest of the line; returns whether it is a directive with a key
 * BuildKit knows (`# key = value`, value not empty). Sets the escape
 * character when the line is a valid escape directive. Stops at the line
 * end without consuming it. */
static bool scan_directive_line(struct scanner *s, TSLexer *lx)
{
    while (is_blank(lx->lookahead))
        advance(lx);
    char key[16];
    unsigned klen = 0;
    if (!ascii_alpha(lx->lookahead))
        return false;
    while (ascii_alnum(lx->lookahead)) {
        if (klen < sizeof key - 1)
            key[klen] = (char)lower(lx->lookahead);
        klen++;
        advance(lx);
    }
    if (klen >= sizeof key)
        return false;
    key[klen] = '\0';
    while (is_blank(lx->lookahead))
        advance(lx);
    if (lx->lookahead != '=')
        return false;
    advance(lx);
    while (is_blank(lx->lookahead))
        advance(lx);
    int32_t first = 0;
    unsigned vlen = 0;
    int32_t last_nonblank_count = 0;
    while (!at_eol(lx)) {
        int32_t c = lx->lookahead;
        if (vlen == 0)
            first = c;
        vlen++;
        if (!is_blank(c) && c != '\r')
            last_nonblank_count = (int32_t)vlen;
        advance(lx);
    }
    if (last_nonblank_count == 0)
        return false;
    bool known =
        strcmp(key, "syntax") == 0 || strcmp(key, "escape") == 0 || strcmp(key, "check") == 0;
    if (!known)
        return false;
    /* `# escape=X`: only the exact values are honoured; anything else is an
     * error the analyzer reports, and the escape stays what it was. */
    if (strcmp(key, "escape") == 0 && last_nonblank_count == 1 && (first == '\\' || first == '`'))
        s->pending_escape = first;
    return true;
}

/* Consumes the rest of a comment line, its line ending and blank lines
 * after it, marking the end. */
static void finish_comment(TSLexer *lx)
{
    while (!at_eol(lx))
        advance(lx);
    lx->mark_end(lx);
    if (consume_newline(lx)) {
        lx->mark_end(lx);
        absorb_blank_lines(lx);
    }
}

/* ------------------------------------------------------------------ */
/* Heredocs                                                            */

/* Reads a heredoc marker at the current position, which must be a word
 * start: [digits] "<<" ["-"] [blanks] delimiter-word. On success the lexer
 * is just past the marker and *h holds the delimiter. The delimiter word
 * follows shell quoting with backslash escapes (whatever the escape
 * directive says, as BuildKit does) and must not contain '<'. */
static bool scan_heredoc_marker(TSLexer *lx, struct heredoc *h)
{
    while (lx->lookahead >= '0' && lx->lookahead <= '9')
        advance(lx);
    if (lx->lookahead != '<')
        return false;
    advance(lx);
    if (lx->lookahead != '<')
        return false;
    advance(lx);
    h->strip_tabs = false;
    h->len = 0;
    if (lx->lookahead == '-') {
        h->strip_tabs = true;
        advance(lx);
    }
    while (is_blank(lx->lookahead))
        advance(lx);
    int32_t quote = 0;
    bool any = false;
    for (;;) {
        int32_t c = lx->lookahead;
        if (at_end(lx) || c == '\n' || c == '\r')
            break;
        if (!quote && is_blank(c))
            break;
        if (c == '<')
            return false;
        if (quote) {
            if (c == quote) {
                quote = 0;
                advance(lx);
                continue;
            }
            if (quote == '"' && c == '\\') {
                advance(lx);
                c = lx->lookahead;
                if (at_end(lx) || c == '\n')
                    return false;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            any = true;
            advance(lx);
            continue;
        } else if (c == '\\') {
            advance(lx);
            c = lx->lookahead;
            if (at_end(lx) || c == '\n')
                return false;
        }
        if (h->len < MAX_DELIM) {
            /* Store UTF-8 bytes of the code point; delimiters are ASCII in
             * practice, others are compared byte-for-byte below. */
            if (c < 0x80) {
                h->delim[h->len++] = (char)c;
            } else {
                h->delim[h->len++] = (char)(0xC0 | ((c >> 6) & 0x1F));
            }
        }
        any = true;
        advance(lx);
    }
    if (quote || !any || h->len == 0)
        return false;
    return true;
}

/* Compares the current line with the delimiter of h, consuming the line up
 * to (not including) its line ending. Returns whether it terminates h. */
static bool line_is_terminator(TSLexer *lx, const struct heredoc *h)
{
    if (h->strip_tabs)
        while (lx->lookahead == '\t')
            advance(lx);
    unsigned i = 0;
    bool match = true;
    while (!at_eol(lx)) {
        int32_t c = lx->lookahead;
        if (c == '\r') {
            /* A CR right before the LF is part of the line ending. */
            advance(lx);
            if (at_eol(lx))
                break;
            match = false;
            continue;
        }
        if (i >= h->len || (c < 0x80 ? (char)c : (char)(0xC0 | ((c >> 6) & 0x1F))) != h->delim[i])
            match = false;
        i++;
        advance(lx);
    }
    return match && i == h->len;
}

static void pop_heredoc(struct scanner *s)
{
    memmove(&s->pending[0], &s->pending[1], sizeof s->pending[0] * (s->n_pending - 1u));
    s->n_pending--;
}

static bool scan_heredoc_body(struct scanner *s, TSLexer *lx, const bool *valid)
{
    const struct heredoc *h = &s->pending[0];
    bool any_line = false;
    for (;;) {
        if (at_end(lx)) {
            if (any_line && valid[HEREDOC_BODY]) {
                lx->result_symbol = HEREDOC_BODY;
                return true;
            }
            return false;
        }
        if (line_is_terminator(lx, h)) {
            if (any_line) {
                if (!valid[HEREDOC_BODY])
                    return false;
                lx->result_symbol = HEREDOC_BODY;
                return true;
            }
            if (!valid[HEREDOC_END])
                return false;
            /* The terminator; with more heredocs to come, its line ending
             * too (the next body starts on the next line). */
            lx->mark_end(lx);
            pop_heredoc(s);
            if (s->n_pending > 0 && consume_newline(lx))
                lx->mark_end(lx);
            lx->result_symbol = HEREDOC_END;
            return true;
        }
        consume_newline(lx);
        lx->mark_end(lx);
        any_line = true;
    }
}

/* ------------------------------------------------------------------ */
/* JSON (exec form)                                                    */

/* The JSON reader works on the logical line: a continuation (escape char,
 * blanks, line end) is removed, so it is looked through. It can only look
 * ahead on the current physical line once a continuation is crossed, so a
 * JSON array continued on later lines is accepted as soon as its first line
 * is valid so far (BuildKit would fall back to shell form if a later line
 * broke it; the parser then reports an error there instead). */
enum json_result { JSON_INVALID, JSON_VALID, JSON_CONTINUED };

struct json_reader {
    TSLexer *lx;
    int32_t escape;
    bool crossed; /* a continuation was crossed */
};

/* Skips blanks; crosses a continuation. Returns false at the logical end. */
static void json_blanks(struct json_reader *r)
{
    TSLexer *lx = r->lx;
    for (;;) {
        while (is_blank(lx->lookahead) || lx->lookahead == '\r')
            advance(lx);
        if (lx->lookahead == r->escape) {
            advance(lx);
            while (is_blank(lx->lookahead) || lx->lookahead == '\r')
                advance(lx);
            if (lx->lookahead == '\n') {
                r->crossed = true;
                return;
            }
            /* An escape char in JSON outside a string is invalid anyway. */
            return;
        }
        return;
    }
}

static enum json_result json_string(struct json_reader *r)
{
    TSLexer *lx = r->lx;
    advance(lx); /* '"' */
    for (;;) {
        int32_t c = lx->lookahead;
        if (at_end(lx) || c == '\n')
            return JSON_INVALID;
        if (c == '"') {
            advance(lx);
            return JSON_VALID;
        }
        if (c == '\\') {
            advance(lx);
            c = lx->lookahead;
            if (c == 'u') {
                advance(lx);
                for (int i = 0; i < 4; i++) {
                    c = lx->lookahead;
                    bool hex =
                        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    if (!hex)
                        return JSON_INVALID;
                    advance(lx);
                }
                continue;
            }
            if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                c == 't') {
                advance(lx);
                continue;
            }
            /* A backslash at the line end continues the line (when it is the
             * escape char); JSON never allows it, so the array is invalid
             * unless the line goes on: accept that case as continued. */
            if (r->escape == '\\') {
                while (is_blank(lx->lookahead) || lx->lookahead == '\r')
                    advance(lx);
                if (lx->lookahead == '\n')
                    return JSON_CONTINUED;
            }
            return JSON_INVALID;
        }
        if (c < 0x20 && c != '\t')
            return JSON_INVALID;
        if (c == r->escape && r->escape == '`') {
            advance(lx);
            while (is_blank(lx->lookahead) || lx->lookahead == '\r')
                advance(lx);
            if (lx->lookahead == '\n')
                return JSON_CONTINUED;
            continue;
        }
        advance(lx);
    }
}

/* Skips one JSON scalar that is not a string (number, true, false, null);
 * the array is still JSON, and BuildKit rejects it as not all strings. */
static bool json_scalar(struct json_reader *r)
{
    TSLexer *lx = r->lx;
    bool any = false;
    while (!at_end(lx)) {
        int32_t c = lx->lookahead;
        if (!(ascii_alnum(c) || c == '-' || c == '+' || c == '.'))
            break;
        any = true;
        advance(lx);
    }
    return any;
}

/* Called at '[' (already consumed and marked). Reads to the logical line
 * end. */
static enum json_result scan_json_array(struct json_reader *r)
{
    TSLexer *lx = r->lx;
    json_blanks(r);
    if (r->crossed)
        return JSON_CONTINUED;
    if (lx->lookahead == ']') {
        advance(lx);
    } else {
        for (;;) {
            json_blanks(r);
            if (r->crossed)
                return JSON_CONTINUED;
            enum json_result e;
            if (lx->lookahead == '"')
                e = json_string(r);
            else
                e = json_scalar(r) ? JSON_VALID : JSON_INVALID;
            if (e != JSON_VALID)
                return e;
            json_blanks(r);
            if (r->crossed)
                return JSON_CONTINUED;
            if (lx->lookahead == ',') {
                advance(lx);
                continue;
            }
            if (lx->lookahead == ']') {
                advance(lx);
                break;
            }
            return JSON_INVALID;
        }
    }
    /* Nothing but blanks may follow the array. */
    json_blanks(r);
    if (r->crossed)
        return JSON_VALID;
    return at_eol(lx) ? JSON_VALID : JSON_INVALID;
}

/* ------------------------------------------------------------------ */
/* Shell text                                                          */

/* Scans shell text from the current position (a non-blank character) to
 * the end of the physical line, a continuation, or a heredoc marker at a
 * word start (when markers are valid). The token excludes trailing blanks.
 * `started` says whether characters were already consumed into the token
 * (for example a "-" that turned out not to start a flag).
 *
 * This loop sees most bytes of a Dockerfile, and each lexer call is an
 * indirect call into the runtime: the token end is marked once per run of
 * text (before the lexer moves past a blank, a CR or an escape char, which
 * may end up outside the token), not after every character. */
static bool scan_shell_fragment(struct scanner *s, TSLexer *lx, const bool *valid, bool started)
{
    const int32_t escape = s->escape;
    bool any = started;
    if (started)
        lx->mark_end(lx);
    bool unmarked = false; /* text consumed after the last mark_end */
    int32_t prev = 0;
    int32_t quote = 0;
    bool word_start = !started;
    for (;;) {
        int32_t c = lx->lookahead;
        if (c == '\n' || at_end(lx))
            break;
        if (c == '\r' || c == escape || is_blank(c)) {
            /* What comes next may end the token before c. */
            if (unmarked) {
                lx->mark_end(lx);
                unmarked = false;
            }
            if (c == '\r') {
                advance(lx);
                if (at_eol(lx))
                    break;
                prev = '\r';
                word_start = false;
                continue;
            }
            if (c == escape && prev != escape) {
                /* A continuation ends the fragment; otherwise the escape
                 * char and what follows are text. */
                advance(lx);
                while (is_blank(lx->lookahead) || lx->lookahead == '\r')
                    advance(lx);
                if (at_eol(lx))
                    break;
                prev = escape;
                word_start = false;
                any = true;
                lx->mark_end(lx);
                continue;
            }
            if (is_blank(c)) {
                advance(lx);
                prev = c;
                word_start = !quote;
                continue;
            }
            /* An escape char right after one is text. */
        }
        if (word_start && !quote && valid[HEREDOC_MARKER] && (c == '<' || (c >= '0' && c <= '9'))) {
            /* Maybe a heredoc marker: the fragment ends before it. A word
             * starts after a blank, so nothing is unmarked here. */
            struct heredoc h;
            if (scan_heredoc_marker(lx, &h)) {
                if (any) {
                    lx->result_symbol = SHELL_FRAGMENT;
                    return true;
                }
                return false; /* cannot happen: markers are tried first */
            }
            any = true;
            lx->mark_end(lx);
            prev = 'x';
            word_start = false;
            continue;
        }
        /* A run of text up to a character the branches above handle. */
        do {
            if (quote) {
                if (c == quote)
                    quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            }
            prev = c;
            advance(lx);
            c = lx->lookahead;
        } while (c > ' ' ? c != escape : is_text_control(c));
        unmarked = true;
        any = true;
        word_start = false;
    }
    if (unmarked)
        lx->mark_end(lx);
    if (!any)
        return false;
    lx->result_symbol = SHELL_FRAGMENT;
    return true;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */

static bool scan(struct scanner *s, TSLexer *lx, const bool *valid, bool joined);

bool tree_sitter_dockwright_dockerfile_external_scanner_scan(void *payload, TSLexer *lx,
                                                             const bool *valid)
{
    struct scanner *s = payload;
    bool joins = s->joins;
    s->joins = false; /* a continuation's branch sets it again */
    if (!scan(s, lx, valid, joins))
        return false; /* the state is deserialized again before the next call */
    s->started = true;
    return true;
}

/* Whether the token starts a line (only blanks before it on its line)
 * decides comments, and with the blanks before it, word boundaries.
 * get_column rescans the line from its start, so a line of many touching
 * tokens would cost quadratic time if every call asked: scan() asks at
 * most once, only when a decision depends on the answer, and always
 * before the lexer moves (the answer is about the token's start). */
struct token_start {
    uint32_t skipped; /* characters skipped before the token */
    int line_start;   /* -1 until asked */
};

static bool starts_line(const struct scanner *s, TSLexer *lx, struct token_start *t)
{
    if (t->line_start < 0) {
        uint32_t col = lx->get_column(lx);
        /* The runtime skips a byte-order mark at the very start before it
         * calls the scanner, so the first line's column is then one more:
         * only there, before any external token, can that happen. */
        t->line_start = col == t->skipped || (!s->started && col == t->skipped + 1);
    }
    return t->line_start;
}

static bool scan(struct scanner *s, TSLexer *lx, const bool *valid, bool joined)
{
    bool recovering = valid[ERROR_SENTINEL];

    /* Heredoc bodies are raw: nothing else is scanned there. */
    if (!recovering && s->n_pending > 0 && (valid[HEREDOC_BODY] || valid[HEREDOC_END]))
        return scan_heredoc_body(s, lx, valid);

    struct token_start t = { 0, -1 };
    while (is_blank(lx->lookahead) || lx->lookahead == 0xFEFF) {
        skip(lx);
        t.skipped++;
    }
    if (lx->lookahead == '\r') {
        /* Only a CR of a CRLF line ending is skipped here. */
        skip(lx);
        t.skipped++;
        if (lx->lookahead != '\n')
            return false;
    }
    /* With a blank before it, the token starts a word whatever its column.
     * (The column is never asked at the end of input: libtree-sitter
     * 0.20.7's get_column then leaves the position at the line start, its
     * loop stopping on eof before moving back, which would give a token of
     * negative length.) */
    bool blank_before = t.skipped > 0;
    /* At the start of the line after a continuation that touches a word,
     * where that word may go on (a flag's value: then a shell command may
     * start there too), the word goes on, as in BuildKit's joined line. */
    bool glued = joined && !blank_before && valid[IMM_ESCAPE_SEQUENCE];

    if (at_end(lx)) {
        if (valid[HEREDOC_NL] && s->n_pending > 0 && !recovering) {
            /* `RUN <<EOF` on the last line: the body is missing; let the
             * parser report the missing terminator. */
            lx->mark_end(lx);
            lx->result_symbol = HEREDOC_NL;
            return true;
        }
        if (valid[EOF_TOKEN] && !recovering) {
            lx->mark_end(lx);
            lx->result_symbol = EOF_TOKEN;
            return true;
        }
        return false;
    }

    int32_t c = lx->lookahead;

    if (c == '\n') {
        if (valid[HEREDOC_NL] && s->n_pending > 0 && !recovering) {
            advance(lx);
            lx->mark_end(lx);
            lx->result_symbol = HEREDOC_NL;
            return true;
        }
        return false;
    }

    if (valid[DIRECTIVE_VALUE] && !recovering && c != '\n') {
        /* The rest of the directive line, without trailing blanks. */
        while (!at_eol(lx)) {
            bool blank = is_blank(lx->lookahead) || lx->lookahead == '\r';
            advance(lx);
            if (!blank)
                lx->mark_end(lx);
        }
        if (s->pending_escape)
            s->escape = s->pending_escape;
        s->pending_escape = 0;
        lx->result_symbol = DIRECTIVE_VALUE;
        return true;
    }

    /* Comments and directives exist only where a line starts with '#'. */
    if (c == '#' && starts_line(s, lx, &t)) {
        advance(lx);
        lx->mark_end(lx);
        if (valid[DIRECTIVE_START] && !s->directives_done && !recovering &&
            scan_directive_line(s, lx)) {
            lx->result_symbol = DIRECTIVE_START;
            return true;
        }
        if (!valid[COMMENT])
            return false;
        s->directives_done = true;
        finish_comment(lx);
        lx->result_symbol = COMMENT;
        return true;
    }

    if (c == s->escape) {
        /* A continuation; or, inside a word, an escape sequence (the escape
         * char and the next character) or, where escapes do not exist (in
         * single quotes), the escape char as plain text. mark_end can only
         * move forward, so each case marks its end before looking further. */
        bool want_escape = valid[ESCAPE_SEQUENCE] || valid[IMM_ESCAPE_SEQUENCE];
        bool want_plain = !want_escape && (valid[PLAIN_BACKSLASH] || valid[IMM_PLAIN_BACKSLASH]);
        /* Touching what comes before it (imm), asked only where it picks
         * the token, and before the lexer moves. */
        bool need_imm = !blank_before &&
                        ((want_escape && valid[ESCAPE_SEQUENCE] && valid[IMM_ESCAPE_SEQUENCE]) ||
                         (want_plain && valid[PLAIN_BACKSLASH] && valid[IMM_PLAIN_BACKSLASH]) ||
                         (!want_escape && !want_plain && valid[SHELL_FRAGMENT] && !recovering));
        bool imm = need_imm && (glued || !starts_line(s, lx, &t));
        advance(lx);
        if (want_plain)
            lx->mark_end(lx);
        bool escaped = false; /* the escape sequence's end is marked */
        if (is_blank(lx->lookahead) || lx->lookahead == '\r') {
            advance(lx);
            if (want_escape) {
                lx->mark_end(lx);
                escaped = true;
            }
            while (is_blank(lx->lookahead) || lx->lookahead == '\r')
                advance(lx);
        }
        if (at_eol(lx)) {
            if (!valid[LINE_CONTINUATION])
                return false;
            consume_newline(lx);
            lx->mark_end(lx);
            absorb_blank_lines(lx);
            s->joins = !blank_before;
            lx->result_symbol = LINE_CONTINUATION;
            return true;
        }
        if (want_escape) {
            if (!escaped) {
                advance(lx);
                lx->mark_end(lx);
            }
            lx->result_symbol = (imm && valid[IMM_ESCAPE_SEQUENCE]) || !valid[ESCAPE_SEQUENCE]
                                    ? IMM_ESCAPE_SEQUENCE
                                    : ESCAPE_SEQUENCE;
            return true;
        }
        if (want_plain) {
            lx->result_symbol = (imm && valid[IMM_PLAIN_BACKSLASH]) || !valid[PLAIN_BACKSLASH]
                                    ? IMM_PLAIN_BACKSLASH
                                    : PLAIN_BACKSLASH;
            return true;
        }
        if (valid[SHELL_FRAGMENT] && !recovering && !imm)
            return scan_shell_fragment(s, lx, valid, true);
        return false;
    }

    if ((c == '\\' || c == '`') && (valid[PLAIN_BACKSLASH] || valid[IMM_PLAIN_BACKSLASH])) {
        bool imm = !blank_before && valid[PLAIN_BACKSLASH] && valid[IMM_PLAIN_BACKSLASH] &&
                   (glued || !starts_line(s, lx, &t));
        advance(lx);
        lx->mark_end(lx);
        lx->result_symbol = (imm && valid[IMM_PLAIN_BACKSLASH]) || !valid[PLAIN_BACKSLASH]
                                ? IMM_PLAIN_BACKSLASH
                                : PLAIN_BACKSLASH;
        return true;
    }

    if (recovering)
        return false;

    if (c == '-' && valid[FLAG_START] && (blank_before || (!glued && starts_line(s, lx, &t)))) {
        advance(lx);
        if (lx->lookahead == '-') {
            advance(lx);
            int32_t n = lx->lookahead;
            if (!at_end(lx) && !is_blank(n) && n != '\n' && n != '\r') {
                lx->mark_end(lx);
                lx->result_symbol = FLAG_START;
                return true;
            }
        }
        if (valid[SHELL_FRAGMENT])
            return scan_shell_fragment(s, lx, valid, true);
        return false;
    }

    if (valid[HEREDOC_MARKER] && (c == '<' || (c >= '0' && c <= '9')) &&
        (blank_before || starts_line(s, lx, &t))) {
        struct heredoc h;
        if (scan_heredoc_marker(lx, &h)) {
            lx->mark_end(lx);
            if (s->n_pending < MAX_HEREDOCS)
                s->pending[s->n_pending++] = h;
            lx->result_symbol = HEREDOC_MARKER;
            return true;
        }
        /* Not a marker: it is text of the fragment or of a path. */
        if (valid[SHELL_FRAGMENT])
            return scan_shell_fragment(s, lx, valid, true);
        return false;
    }

    if (c == '[' && valid[JSON_OPEN] && (blank_before || starts_line(s, lx, &t))) {
        advance(lx);
        lx->mark_end(lx);
        struct json_reader r = { lx, s->escape, false };
        if (scan_json_array(&r) != JSON_INVALID) {
            lx->result_symbol = JSON_OPEN;
            return true;
        }
        /* Not JSON: BuildKit reads shell form. When the check crossed no
         * continuation, everything read so far is shell text. */
        if (valid[SHELL_FRAGMENT] && !r.crossed)
            return scan_shell_fragment(s, lx, valid, true);
        return false;
    }

    if (valid[SHELL_FRAGMENT] && (blank_before || (!glued && starts_line(s, lx, &t))))
        return scan_shell_fragment(s, lx, valid, false);

    return false;
}
