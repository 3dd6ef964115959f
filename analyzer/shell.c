/* The shell reader: a recursive-descent parser over the logical text of a
 * RUN, in the shape of the POSIX shell grammar (XCU 2.10), with the common
 * bash extensions. Every recursion passes through enter(), which caps the
 * nesting at SH_MAX_DEPTH; past the cap the reader stops (p->abort) and
 * every loop unwinds, so the partial tree stays consistent. Every loop
 * consumes input or stops, so the time is linear in the text apart from
 * the look-ahead scans of `$((` and `((`, which are bounded by the depth
 * cap as well. */
#include "analyzer/shell.h"

#include "analyzer/shell_int.h"
#include "common/arena.h"
#include "common/compiler.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The logical text is limited so that offsets and lengths stay far from
 * UINT32_MAX; a RUN body is a few KB, so this only stops abuse. */
#define SH_MAX_TEXT ((size_t)256 * 1024 * 1024)
/* A broken text can produce a problem every few bytes; the first ones are
 * the useful ones. */
#define SH_MAX_PROBLEMS 256

/* parser.peek_i when no answer is kept: no cursor gets there (SH_MAX_TEXT). */
#define NO_PEEK UINT32_MAX

/* A heredoc waiting for the newline after which its body starts. */
struct pending {
    struct sh_redir *r;
    struct sh_node *owner; /* the command the redirection belongs to */
    struct pending *next;
};

/* One text being read: the top text, the inside of backquotes, or the
 * argument of `sh -c`. */
struct lex {
    const char *s;
    uint32_t n, i;
    const uint32_t *pos; /* n + 1 src offsets */
    uint32_t last_end;   /* end of the last token consumed, for node spans */
    struct pending *hd_first, **hd_tail;
    struct sh_script *script; /* receives the bash mark */
};

enum tok_kind {
    TK_EOF,
    TK_NEWLINE,
    TK_WORD,
    TK_SEMI,
    TK_DSEMI,
    TK_SEMI_AMP,
    TK_DSEMI_AMP,
    TK_AMP,
    TK_AND,
    TK_OR,
    TK_PIPE,
    TK_PIPE_ERR,
    TK_LPAREN,
    TK_RPAREN,
    TK_REDIR,
};

/* The enums are kept in bytes so that a token fits in two registers:
 * peek returns one by value, about once per word. */
struct tok {
    uint32_t start, len;
    uint8_t kind;  /* enum tok_kind */
    uint8_t redir; /* enum sh_redir_kind */
    int16_t fd;    /* the io number (at most 4 digits), -1 for none */
};

struct parser {
    struct arena *a;
    struct lex *lx;
    struct sh_script *top;
    struct sh_problem *probs;
    uint32_t n_probs, cap_probs;
    uint32_t depth;
    bool abort; /* the nesting cap was hit: stop reading */
    uint32_t sh_c_level;
    /* peek's last answer, for the cursor at peek_i (after the blanks): the
     * parser asks for the same token several times before consuming it.
     * NO_PEEK: none. Whatever changes the text under the cursor (set_lex,
     * the cut of a heredoc body) sets NO_PEEK, so that one comparison
     * tells whether the answer holds. */
    uint32_t peek_i;
    struct tok peek_tok;
    /* The reserved word at that place, once asked (the parser asks it of
     * the same word several times): valid while peek_rw_known. */
    bool peek_rw_known;
    uint8_t peek_rw; /* enum rw */
    uint32_t peek_rw_len;
};

enum rw {
    RW_NONE,
    RW_IF,
    RW_THEN,
    RW_ELSE,
    RW_ELIF,
    RW_FI,
    RW_DO,
    RW_DONE,
    RW_CASE,
    RW_ESAC,
    RW_WHILE,
    RW_UNTIL,
    RW_FOR,
    RW_SELECT,
    RW_IN,
    RW_LBRACE,
    RW_RBRACE,
    RW_BANG,
    RW_FUNCTION,
    RW_DLBRACK,
};

/* Builds a word's value with the src offset of each byte. While mute is
 * non-zero nothing is added: the reader of `${…}`, `$((…))` and the like
 * walks the inside for nested expansions, then copies the raw text. */
struct wb {
    struct parser *p;
    struct sh_node *owner;
    char *v;
    uint32_t *m;
    uint32_t len, cap;
    struct sh_expansion *exps;
    uint32_t n_exps, cap_exps;
    unsigned flags;
    uint32_t mute;
};

static struct sh_node *parse_command(struct parser *p, struct sh_node *parent);
static struct sh_node *parse_list(struct parser *p, struct sh_node *parent, enum sh_role role);
static void parse_list_recover(struct parser *p, struct sh_node *list, bool until_rparen);
static void parse_word(struct parser *p, struct sh_node *owner, struct sh_word *w,
                       bool allow_assign);
static void dollar(struct parser *p, struct wb *b, bool quoted);
static void backtick(struct parser *p, struct wb *b, bool quoted);
static void dquote(struct parser *p, struct wb *b);
static void wb_init(struct wb *b, struct parser *p, struct sh_node *owner);

/* ---------------------------------------------------------------- helpers */

/* Grows an arena array to hold one more item; the old copy is abandoned
 * (arena memory), which costs at most as much again. */
static void *grow_slow(struct arena *a, void *items, uint32_t len, uint32_t *cap, size_t size)
{
    uint32_t nc = *cap ? *cap * 2 : 4;
    void *n = arena_alloc(a, (size_t)nc * size);
    if (len)
        memcpy(n, items, (size_t)len * size);
    *cap = nc;
    return n;
}

/* Inline: every word and node is pushed, and most pushes find room. */
static inline void *grow(struct arena *a, void *items, uint32_t len, uint32_t *cap, size_t size)
{
    return len < *cap ? items : grow_slow(a, items, len, cap, size);
}

#define PUSH(a, arr, len, cap)                                                                     \
    ((arr) = grow((a), (arr), (len), &(cap), sizeof *(arr)), &(arr)[(len)++])

/* The src span of logical bytes [a, b) of the current text. */
static struct span lspan(const struct lex *lx, uint32_t a, uint32_t b)
{
    if (a > lx->n)
        a = lx->n;
    if (b > lx->n)
        b = lx->n;
    uint32_t s = lx->pos[a];
    if (b <= a)
        return span_make(s, s);
    uint32_t e = lx->pos[b - 1] + 1;
    if (e < s)
        e = s;
    return span_make(s, e);
}

DW_PRINTF(4, 5)
static void problem(struct parser *p, uint32_t a, uint32_t b, const char *fmt, ...)
{
    if (p->n_probs >= SH_MAX_PROBLEMS)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct sh_problem *pr = PUSH(p->a, p->probs, p->n_probs, p->cap_probs);
    pr->span = lspan(p->lx, a, b);
    pr->msg = arena_strdup(p->a, msg);
}

static void mark_bash(struct parser *p, uint32_t a, uint32_t b)
{
    struct sh_script *s = p->lx->script;
    if (!s->bash) {
        s->bash = true;
        s->bash_span = lspan(p->lx, a, b);
    }
}

/* Enters one level of nesting; false (and the reading stops) past the cap. */
static bool enter(struct parser *p)
{
    if (p->abort)
        return false;
    if (p->depth >= SH_MAX_DEPTH) {
        struct lex *lx = p->lx;
        problem(p, lx->i, lx->i < lx->n ? lx->i + 1 : lx->i,
                "nesting deeper than %d levels; the rest of the text is not read", SH_MAX_DEPTH);
        p->abort = true;
        return false;
    }
    p->depth++;
    return true;
}

static void leave(struct parser *p)
{
    p->depth--;
}

static bool is_meta(char c)
{
    return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')' ||
           c == '\n';
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A blank between tokens; CR counts when it ends a CRLF line. */
static bool is_blank_at(const struct lex *lx, uint32_t i)
{
    char c = lx->s[i];
    return c == ' ' || c == '\t' || (c == '\r' && i + 1 < lx->n && lx->s[i + 1] == '\n');
}

/* Length of a backslash-newline line continuation at i, or 0. */
static uint32_t cont_len(const struct lex *lx, uint32_t i)
{
    if (lx->s[i] != '\\' || i + 1 >= lx->n)
        return 0;
    if (lx->s[i + 1] == '\n')
        return 2;
    if (lx->s[i + 1] == '\r' && i + 2 < lx->n && lx->s[i + 2] == '\n')
        return 3;
    return 0;
}

bool sh_int_assignment(struct str s, uint32_t *name_len)
{
    if (s.len == 0 || !is_name_start(s.ptr[0]))
        return false;
    size_t k = 1;
    while (k < s.len && is_name_char(s.ptr[k]))
        k++;
    if (name_len)
        *name_len = (uint32_t)k;
    if (k < s.len && s.ptr[k] == '=')
        return true;
    return k + 1 < s.len && s.ptr[k] == '+' && s.ptr[k + 1] == '=';
}

/* ----------------------------------------------------------------- tokens */

/* Skips blanks, line continuations and a comment (a `#` at a token start
 * runs to the end of the line); stops at a newline. */
static void skip_blanks(struct lex *lx)
{
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];
        if (is_blank_at(lx, lx->i)) {
            lx->i++;
            continue;
        }
        uint32_t k = c == '\\' ? cont_len(lx, lx->i) : 0;
        if (k) {
            lx->i += k;
            continue;
        }
        if (c == '#') {
            while (lx->i < lx->n && lx->s[lx->i] != '\n')
                lx->i++;
            continue;
        }
        break;
    }
}

static void set_redir(struct tok *t, enum sh_redir_kind k, uint32_t len)
{
    t->kind = TK_REDIR;
    t->redir = (uint8_t)k;
    t->len += len;
}

/* The first bytes of operators, and digits (an io number may follow). */
static const bool tok_special[256] = {
    ['\n'] = true, [';'] = true, ['&'] = true, ['|'] = true, ['('] = true, [')'] = true,
    ['<'] = true,  ['>'] = true, ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true,
    ['4'] = true,  ['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
};

/* Classifies the token at the cursor (after blanks) without consuming it. */
static struct tok lex_peek(struct lex *lx)
{
    skip_blanks(lx);
    struct tok t = { lx->i, 0, TK_EOF, SH_REDIR_IN, -1 };
    uint32_t i = lx->i, n = lx->n;
    const char *s = lx->s;
    if (i >= n)
        return t;
    char c = s[i];
    /* Most tokens are words that start with a byte of no operator and no
     * io number: decided before the look-ahead bytes are read. */
    if (!tok_special[(unsigned char)c]) {
        t.kind = TK_WORD;
        t.len = 1;
        return t;
    }
    char c1 = i + 1 < n ? s[i + 1] : '\0';
    char c2 = i + 2 < n ? s[i + 2] : '\0';
    t.len = 1;
    if (is_digit(c)) {
        /* An io number: digits directly followed by < or >. */
        uint32_t j = i;
        while (j < n && is_digit(s[j]) && j - i < 5)
            j++;
        if (j < n && j - i < 5 && (s[j] == '<' || s[j] == '>') && !(j + 1 < n && s[j + 1] == '(')) {
            int fd = 0;
            for (uint32_t k = i; k < j; k++)
                fd = fd * 10 + (s[k] - '0');
            t.fd = (int16_t)fd;
            t.len = j - i; /* set_redir adds the operator's length */
            i = j;
            c = s[i];
            c1 = i + 1 < n ? s[i + 1] : '\0';
            c2 = i + 2 < n ? s[i + 2] : '\0';
            goto redirect;
        }
        t.kind = TK_WORD;
        return t;
    }
    switch (c) {
    case '\n': t.kind = TK_NEWLINE; return t;
    case ';':
        if (c1 == ';' && c2 == '&') {
            t.kind = TK_DSEMI_AMP;
            t.len = 3;
        } else if (c1 == ';') {
            t.kind = TK_DSEMI;
            t.len = 2;
        } else if (c1 == '&') {
            t.kind = TK_SEMI_AMP;
            t.len = 2;
        } else {
            t.kind = TK_SEMI;
        }
        return t;
    case '&':
        if (c1 == '&') {
            t.kind = TK_AND;
            t.len = 2;
        } else if (c1 == '>' && c2 == '>') {
            t.len = 0;
            set_redir(&t, SH_REDIR_APPEND_OUT_ERR, 3);
        } else if (c1 == '>') {
            t.len = 0;
            set_redir(&t, SH_REDIR_OUT_ERR, 2);
        } else {
            t.kind = TK_AMP;
        }
        return t;
    case '|':
        if (c1 == '|') {
            t.kind = TK_OR;
            t.len = 2;
        } else if (c1 == '&') {
            t.kind = TK_PIPE_ERR;
            t.len = 2;
        } else {
            t.kind = TK_PIPE;
        }
        return t;
    case '(': t.kind = TK_LPAREN; return t;
    case ')': t.kind = TK_RPAREN; return t;
    case '<':
    case '>':
        if (c1 == '(') {
            t.kind = TK_WORD; /* process substitution */
            return t;
        }
        t.len = 0;
        goto redirect;
    default: t.kind = TK_WORD; return t;
    }
redirect:
    if (c == '<') {
        if (c1 == '<' && c2 == '<')
            set_redir(&t, SH_REDIR_HERESTRING, 3);
        else if (c1 == '<' && c2 == '-')
            set_redir(&t, SH_REDIR_HEREDOC_TABS, 3);
        else if (c1 == '<')
            set_redir(&t, SH_REDIR_HEREDOC, 2);
        else if (c1 == '>')
            set_redir(&t, SH_REDIR_READ_WRITE, 2);
        else if (c1 == '&')
            set_redir(&t, SH_REDIR_DUP_IN, 2);
        else
            set_redir(&t, SH_REDIR_IN, 1);
    } else {
        if (c1 == '>')
            set_redir(&t, SH_REDIR_APPEND, 2);
        else if (c1 == '|')
            set_redir(&t, SH_REDIR_CLOBBER, 2);
        else if (c1 == '&')
            set_redir(&t, SH_REDIR_DUP_OUT, 2);
        else
            set_redir(&t, SH_REDIR_OUT, 1);
    }
    return t;
}

static struct tok peek_miss(struct parser *p)
{
    struct lex *lx = p->lx;
    struct tok t = lex_peek(lx);
    p->peek_i = lx->i;
    p->peek_tok = t;
    p->peek_rw_known = false;
    return t;
}

/* Inline: most calls find the answer kept from the call before. */
static inline struct tok peek(struct parser *p)
{
    const struct lex *lx = p->lx;
    if (lx->i == p->peek_i)
        return p->peek_tok;
    return peek_miss(p);
}

static void set_lex(struct parser *p, struct lex *lx)
{
    p->lx = lx;
    p->peek_i = NO_PEEK;
}

static void consume(struct parser *p, const struct tok *t)
{
    p->lx->i = t->start + t->len;
    p->lx->last_end = p->lx->i;
}

/* The reserved word at the cursor (after peek returned TK_WORD), if the
 * whole word is one: `{echo` and `if"x"` are not. */
static enum rw reserved_at(const struct lex *lx, uint32_t *len)
{
    uint32_t i = lx->i, j = i;
    /* Most words start with no reserved word's first byte: decided here,
     * before the word is measured (this runs several times per word). */
    if (i >= lx->n)
        return RW_NONE;
    switch (lx->s[i]) {
    case 'i':
    case 't':
    case 'e':
    case 'f':
    case 'd':
    case 'c':
    case 'w':
    case 'u':
    case 's':
    case '{':
    case '}':
    case '!':
    case '[': break;
    default: return RW_NONE;
    }
    while (j < lx->n && j - i < 9) {
        char c = lx->s[j];
        if (!(is_name_char(c) || c == '{' || c == '}' || c == '!' || c == '['))
            break;
        j++;
    }
    if (j == i || (j < lx->n && !is_blank_at(lx, j) && !is_meta(lx->s[j])))
        return RW_NONE;
    /* By length, then by text: one or two comparisons of known length. */
    const char *w = lx->s + i;
    enum rw rw = RW_NONE;
    switch (j - i) {
    case 1:
        rw = w[0] == '{' ? RW_LBRACE : w[0] == '}' ? RW_RBRACE : w[0] == '!' ? RW_BANG : RW_NONE;
        break;
    case 2:
        rw = !memcmp(w, "if", 2)   ? RW_IF
             : !memcmp(w, "fi", 2) ? RW_FI
             : !memcmp(w, "do", 2) ? RW_DO
             : !memcmp(w, "in", 2) ? RW_IN
             : !memcmp(w, "[[", 2) ? RW_DLBRACK
                                   : RW_NONE;
        break;
    case 3: rw = !memcmp(w, "for", 3) ? RW_FOR : RW_NONE; break;
    case 4:
        rw = !memcmp(w, "then", 4)   ? RW_THEN
             : !memcmp(w, "else", 4) ? RW_ELSE
             : !memcmp(w, "elif", 4) ? RW_ELIF
             : !memcmp(w, "done", 4) ? RW_DONE
             : !memcmp(w, "case", 4) ? RW_CASE
             : !memcmp(w, "esac", 4) ? RW_ESAC
                                     : RW_NONE;
        break;
    case 5:
        rw = !memcmp(w, "while", 5) ? RW_WHILE : !memcmp(w, "until", 5) ? RW_UNTIL : RW_NONE;
        break;
    case 6: rw = !memcmp(w, "select", 6) ? RW_SELECT : RW_NONE; break;
    case 8: rw = !memcmp(w, "function", 8) ? RW_FUNCTION : RW_NONE; break;
    default: break;
    }
    if (rw != RW_NONE && len)
        *len = j - i;
    return rw;
}

/* reserved_at, kept with peek's answer when the cursor is where peek
 * looked. Inline: the parser asks it several times per command. */
static inline enum rw reserved(struct parser *p, uint32_t *len)
{
    const struct lex *lx = p->lx;
    if (lx->i != p->peek_i)
        return reserved_at(lx, len);
    if (!p->peek_rw_known) {
        p->peek_rw = (uint8_t)reserved_at(lx, &p->peek_rw_len);
        p->peek_rw_known = true;
    }
    if (p->peek_rw != RW_NONE && len)
        *len = p->peek_rw_len;
    return (enum rw)p->peek_rw;
}

static bool is_closer(enum rw rw)
{
    return rw == RW_THEN || rw == RW_ELSE || rw == RW_ELIF || rw == RW_FI || rw == RW_DO ||
           rw == RW_DONE || rw == RW_ESAC || rw == RW_RBRACE;
}

/* The reserved word expected at the cursor, consumed; false if absent. */
static bool accept_rw(struct parser *p, enum rw want)
{
    struct tok t = peek(p);
    uint32_t len = 0;
    if (t.kind != TK_WORD || reserved(p, &len) != want)
        return false;
    p->lx->i += len;
    p->lx->last_end = p->lx->i;
    return true;
}

static bool can_start_command(struct parser *p, const struct tok *t)
{
    if (t->kind == TK_LPAREN || t->kind == TK_REDIR)
        return true;
    return t->kind == TK_WORD && !is_closer(reserved(p, NULL));
}

/* The text of a token for messages. */
static uint32_t tok_text_len(struct parser *p, const struct tok *t)
{
    uint32_t len = t->len;
    if (t->kind == TK_WORD) {
        reserved(p, &len);
        if (len == 0)
            len = 1;
    }
    if (t->kind == TK_NEWLINE || t->kind == TK_EOF)
        len = 0;
    return len;
}

static void unexpected(struct parser *p, const struct tok *t)
{
    const struct lex *lx = p->lx;
    if (t->kind == TK_EOF) {
        problem(p, t->start, t->start, "syntax error: unexpected end of text");
        return;
    }
    if (t->kind == TK_NEWLINE) {
        problem(p, t->start, t->start + 1, "syntax error near unexpected newline");
        return;
    }
    uint32_t len = tok_text_len(p, t);
    problem(p, t->start, t->start + len, "syntax error near unexpected token '%.*s'", (int)len,
            lx->s + t->start);
}

/* --------------------------------------------------------------- heredocs */

static void flush_heredocs(struct parser *p);

/* The expansions of a heredoc body [from, to): read like the inside of
 * double quotes (quotes are plain text), with the text cut at the body's
 * end so that a broken `$(` cannot run into the lines after it. */
static void body_expansions(struct parser *p, const struct pending *h, uint32_t from, uint32_t to)
{
    struct lex *lx = p->lx;
    uint32_t saved_i = lx->i, saved_n = lx->n, saved_end = lx->last_end;
    struct wb b;
    wb_init(&b, p, h->owner);
    b.mute = 1;
    lx->n = to;
    lx->i = from;
    p->peek_i = NO_PEEK;
    while (lx->i < lx->n && !p->abort) {
        char c = lx->s[lx->i];
        if (c == '\\')
            lx->i += lx->i + 1 < lx->n ? 2 : 1;
        else if (c == '$')
            dollar(p, &b, true);
        else if (c == '`')
            backtick(p, &b, true);
        else
            lx->i++;
    }
    if (lx->hd_first) /* a heredoc inside a substitution of the body */
        flush_heredocs(p);
    lx->n = saved_n;
    lx->i = saved_i;
    lx->last_end = saved_end;
    p->peek_i = NO_PEEK;
    h->r->body_exps = b.exps;
    h->r->n_body_exps = b.n_exps;
}

/* Reads the bodies of the pending heredocs from the cursor, which is just
 * past the newline that ends their command line. */
static void read_heredocs(struct parser *p)
{
    struct lex *lx = p->lx;
    /* Detached first: substitutions in a body may queue heredocs of their own. */
    struct pending *list = lx->hd_first;
    lx->hd_first = NULL;
    lx->hd_tail = &lx->hd_first;
    for (struct pending *h = list; h; h = h->next) {
        struct sh_redir *r = h->r;
        bool tabs = r->kind == SH_REDIR_HEREDOC_TABS;
        struct str d = r->target.value;
        uint32_t body = lx->i, body_end = lx->n;
        bool found = false;
        while (lx->i < lx->n) {
            uint32_t ls = lx->i, le = ls;
            while (le < lx->n && lx->s[le] != '\n')
                le++;
            uint32_t cs = ls, ce = le;
            if (tabs)
                while (cs < ce && lx->s[cs] == '\t')
                    cs++;
            if (ce > cs && lx->s[ce - 1] == '\r')
                ce--;
            lx->i = le < lx->n ? le + 1 : le;
            if (ce - cs == d.len && memcmp(lx->s + cs, d.ptr, d.len) == 0) {
                found = true;
                body_end = ls;
                break;
            }
        }
        r->body_terminated = found;
        r->body = str_make(lx->s + body, body_end - body);
        r->body_span = lspan(lx, body, body_end);
        if (!found)
            problem(p, (uint32_t)(r->target.raw.ptr - lx->s),
                    (uint32_t)(r->target.raw.ptr - lx->s + r->target.raw.len),
                    "unterminated heredoc: no line '%.*s' before the end of the text",
                    (int)(d.len > 64 ? 64 : d.len), d.ptr);
        if (r->body_expands && body_end > body)
            body_expansions(p, h, body, body_end);
    }
}

/* At the end of a text: heredocs still waiting never got a body. */
static void flush_heredocs(struct parser *p)
{
    struct lex *lx = p->lx;
    lx->i = lx->n;
    if (lx->hd_first)
        read_heredocs(p);
}

static void eat_linebreaks(struct parser *p)
{
    for (;;) {
        struct tok t = peek(p);
        if (t.kind != TK_NEWLINE)
            return;
        p->lx->i = t.start + 1;
        read_heredocs(p);
    }
}

/* ------------------------------------------------------------------ words */

static void wb_init(struct wb *b, struct parser *p, struct sh_node *owner)
{
    memset(b, 0, sizeof *b);
    b->p = p;
    b->owner = owner;
}

/* Makes room for extra more bytes and the final NUL. The offsets and the
 * bytes share one block (offsets first, for their alignment); the first
 * block fits what is asked, so a word of one run costs one allocation. */
static void wb_grow(struct wb *b, uint32_t extra)
{
    uint32_t need = b->len + extra + 1;
    uint32_t nc = b->cap ? b->cap * 2 : 16;
    if (nc < need)
        nc = need;
    uint32_t *m = arena_alloc(b->p->a, (size_t)nc * (sizeof *m + 1));
    char *v = (char *)(m + nc);
    if (b->len) {
        memcpy(v, b->v, b->len);
        memcpy(m, b->m, (size_t)b->len * sizeof *m);
    }
    b->v = v;
    b->m = m;
    b->cap = nc;
}

/* One byte with its src offset: a resolved escape, or a byte that is
 * copied on its own rather than as part of a run. */
static inline void wb_put(struct wb *b, char c, uint32_t src)
{
    if (b->mute)
        return;
    if (b->len + 1 >= b->cap)
        wb_grow(b, 1);
    b->v[b->len] = c;
    b->m[b->len] = src;
    b->len++;
}

/* Copies logical bytes [from, to) as they are, with their offsets. */
static void wb_raw(struct wb *b, uint32_t from, uint32_t to)
{
    const struct lex *lx = b->p->lx;
    if (to > lx->n)
        to = lx->n;
    if (b->mute || to <= from)
        return;
    uint32_t k = to - from;
    if (b->len + k >= b->cap)
        wb_grow(b, k);
    memcpy(b->v + b->len, lx->s + from, k);
    memcpy(b->m + b->len, lx->pos + from, (size_t)k * sizeof *b->m);
    b->len += k;
}

/* The bytes that end a run of plain word bytes, copied as they are: what
 * ends a word, quotes, escapes, expansions, glob characters and CR (a
 * blank before LF). Tested once per byte, so a table. */
static const bool word_stop[256] = {
    [' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true, [';'] = true,
    ['&'] = true, ['|'] = true,  ['<'] = true,  ['>'] = true,  ['('] = true,
    [')'] = true, ['\\'] = true, ['\''] = true, ['"'] = true,  ['`'] = true,
    ['$'] = true, ['*'] = true,  ['?'] = true,  ['['] = true,  ['\0'] = true,
};

/* The end of the run of plain bytes from i. Every text has a NUL at its
 * end (lx->n may cut a longer one short: then the NUL lies further on),
 * and a NUL stops the table: so the loop reads one table entry a byte
 * and leaves the end test to the stop. A NUL inside the text is a plain
 * byte, and the scan goes on past it. */
static uint32_t plain_run(const struct lex *lx, uint32_t i)
{
    const unsigned char *s = (const unsigned char *)lx->s;
    for (;;) {
        while (!word_stop[s[i]])
            i++;
        if (s[i] != '\0' || i >= lx->n)
            break;
        i++;
    }
    return i < lx->n ? i : lx->n;
}

static uint32_t add_exp(struct wb *b, enum sh_exp_kind kind, bool quoted)
{
    struct sh_expansion *e = PUSH(b->p->a, b->exps, b->n_exps, b->cap_exps);
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->quoted = quoted;
    b->flags |= quoted ? SH_WORD_QUOTED_EXPANSION : SH_WORD_EXPANSION;
    if (kind == SH_EXP_CMDSUBST || kind == SH_EXP_BACKTICK || kind == SH_EXP_PROCSUBST)
        b->flags |= SH_WORD_SUBST;
    return b->n_exps - 1;
}

static void wb_finish(struct wb *b, struct sh_word *w, uint32_t start, uint32_t end)
{
    const struct lex *lx = b->p->lx;
    memset(w, 0, sizeof *w);
    w->span = lspan(lx, start, end);
    w->raw = str_make(lx->s + (start < lx->n ? start : lx->n), end > start ? end - start : 0);
    uint32_t saved = b->mute;
    b->mute = 0;
    wb_put(b, '\0', w->span.end);
    b->mute = saved;
    b->len--;
    w->value = str_make(b->v, b->len);
    w->value_src = b->m;
    w->flags = b->flags;
    w->exps = b->exps;
    w->n_exps = b->n_exps;
}

static void squote(struct parser *p, struct wb *b)
{
    struct lex *lx = p->lx;
    uint32_t q = lx->i++;
    b->flags |= SH_WORD_QUOTED;
    const char *close = memchr(lx->s + lx->i, '\'', lx->n - lx->i);
    uint32_t end = close ? (uint32_t)(close - lx->s) : lx->n;
    wb_raw(b, lx->i, end);
    lx->i = end;
    if (lx->i >= lx->n)
        problem(p, q, lx->n, "unterminated single quote");
    else
        lx->i++;
}

/* The bytes that end a run of plain bytes inside double quotes. */
static bool dquote_stop(char c)
{
    return c == '"' || c == '\\' || c == '$' || c == '`';
}

static void dquote(struct parser *p, struct wb *b)
{
    struct lex *lx = p->lx;
    uint32_t q = lx->i++;
    b->flags |= SH_WORD_QUOTED;
    while (lx->i < lx->n && !p->abort) {
        uint32_t i = lx->i;
        char c = lx->s[i];
        if (c == '"') {
            lx->i++;
            return;
        }
        if (c == '\\') {
            uint32_t k = cont_len(lx, i);
            if (k) {
                lx->i += k;
                continue;
            }
            char d = i + 1 < lx->n ? lx->s[i + 1] : '\0';
            if (d == '$' || d == '`' || d == '"' || d == '\\') {
                wb_put(b, d, lx->pos[i + 1]);
                lx->i += 2;
            } else {
                wb_put(b, c, lx->pos[i]);
                lx->i++;
            }
            continue;
        }
        if (c == '$') {
            dollar(p, b, true);
            continue;
        }
        if (c == '`') {
            backtick(p, b, true);
            continue;
        }
        uint32_t j = i + 1;
        while (j < lx->n && !dquote_stop(lx->s[j]))
            j++;
        wb_raw(b, i, j);
        lx->i = j;
    }
    if (!p->abort)
        problem(p, q, lx->n, "unterminated double quote");
}

/* $'…' (bash): backslash escapes resolved; each byte maps to its escape. */
static void ansi_c(struct parser *p, struct wb *b)
{
    struct lex *lx = p->lx;
    uint32_t q = lx->i;
    mark_bash(p, q, q + 2);
    b->flags |= SH_WORD_QUOTED;
    lx->i += 2;
    while (lx->i < lx->n && lx->s[lx->i] != '\'') {
        uint32_t i = lx->i;
        char c = lx->s[i];
        if (c != '\\' || i + 1 >= lx->n) {
            wb_put(b, c, lx->pos[i]);
            lx->i++;
            continue;
        }
        char d = lx->s[i + 1];
        uint32_t used = 2;
        int out = -1;
        switch (d) {
        case 'n': out = '\n'; break;
        case 't': out = '\t'; break;
        case 'r': out = '\r'; break;
        case 'a': out = 7; break;
        case 'b': out = 8; break;
        case 'e':
        case 'E': out = 27; break;
        case 'f': out = 12; break;
        case 'v': out = 11; break;
        case '\\':
        case '\'':
        case '"':
        case '?': out = d; break;
        case 'x': {
            int v = 0, k = 0;
            while (k < 2 && i + 2 + k < lx->n) {
                char h = lx->s[i + 2 + k];
                int hv = is_digit(h)              ? h - '0'
                         : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                         : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                  : -1;
                if (hv < 0)
                    break;
                v = v * 16 + hv;
                k++;
            }
            if (k) {
                out = v;
                used = 2 + (uint32_t)k;
            }
            break;
        }
        case 'c':
            if (i + 2 < lx->n) {
                out = lx->s[i + 2] & 31;
                used = 3;
            }
            break;
        default:
            if (d >= '0' && d <= '7') {
                int v = 0, k = 0;
                while (k < 3 && i + 1 + k < lx->n && lx->s[i + 1 + k] >= '0' &&
                       lx->s[i + 1 + k] <= '7') {
                    v = v * 8 + (lx->s[i + 1 + k] - '0');
                    k++;
                }
                out = v & 0xff;
                used = 1 + (uint32_t)k;
            }
            break;
        }
        if (out < 0) {
            wb_put(b, c, lx->pos[i]);
            wb_put(b, d, lx->pos[i + 1]);
        } else {
            wb_put(b, (char)out, lx->pos[i]);
        }
        lx->i += used;
    }
    if (lx->i >= lx->n)
        problem(p, q, lx->n, "unterminated $'...' string");
    else
        lx->i++;
}

/* Finds the end of `$((…))` / `((…))` from the first byte inside: the
 * index after the closing `))`, or 0 when the parentheses close one at a
 * time (then it was `$( (…) )`, a subshell in a substitution). Lexical
 * only, so that a failed attempt costs one scan and no nested parse. */
static uint32_t arith_scan(const struct lex *lx, uint32_t from)
{
    uint32_t d = 0;
    for (uint32_t j = from; j < lx->n; j++) {
        char c = lx->s[j];
        if (c == '\\') {
            j++;
        } else if (c == '\'' || c == '"') {
            j++;
            while (j < lx->n && lx->s[j] != c) {
                if (c == '"' && lx->s[j] == '\\')
                    j++;
                j++;
            }
            if (j >= lx->n)
                return 0;
        } else if (c == '(') {
            d++;
        } else if (c == ')') {
            if (d > 0)
                d--;
            else
                return j + 1 < lx->n && lx->s[j + 1] == ')' ? j + 2 : 0;
        }
    }
    return 0;
}

/* Walks [from, to) of an arithmetic text for the expansions inside. */
static void scan_arith(struct parser *p, struct wb *b, uint32_t from, uint32_t to)
{
    struct lex *lx = p->lx;
    b->mute++;
    lx->i = from;
    while (lx->i < to && !p->abort) {
        char c = lx->s[lx->i];
        if (c == '$')
            dollar(p, b, false);
        else if (c == '`')
            backtick(p, b, false);
        else if (c == '"')
            dquote(p, b);
        else
            lx->i++;
    }
    b->mute--;
    if (lx->i < to)
        lx->i = to;
}

/* ${…}: the name, the bash-only operators, and nested expansions. */
static void brace(struct parser *p, struct wb *b, bool quoted)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i;
    uint32_t idx = add_exp(b, SH_EXP_BRACE, quoted);
    if (!enter(p))
        return;
    const char *s = lx->s;
    uint32_t n = lx->n, k = start + 2;
    if (k < n && (s[k] == '#' || s[k] == '!') && k + 1 < n && s[k + 1] != '}' &&
        (is_name_char(s[k + 1]) || (s[k + 1] != '\0' && strchr("@*#?-$!", s[k + 1])))) {
        if (s[k] == '!')
            mark_bash(p, start, k + 1);
        k++;
    }
    uint32_t ns = k;
    if (k < n && is_name_start(s[k])) {
        while (k < n && is_name_char(s[k]))
            k++;
    } else if (k < n && is_digit(s[k])) {
        while (k < n && is_digit(s[k]))
            k++;
    } else if (k < n && s[k] != '\0' && strchr("@*#?-$!", s[k])) {
        k++;
    }
    struct str name = str_make(s + ns, k - ns);
    if (k < n && (s[k] == '/' || s[k] == '^' || s[k] == ',' || s[k] == '['))
        mark_bash(p, start, k + 1);
    if (k + 1 < n && s[k] == ':' && !strchr("-=?+", s[k + 1]))
        mark_bash(p, start, k + 1);
    lx->i = k;
    b->mute++;
    while (lx->i < n && !p->abort) {
        uint32_t i = lx->i;
        char c = s[i];
        if (c == '}')
            break;
        if (c == '\\') {
            lx->i = i + 2 < n ? i + 2 : n;
        } else if (c == '\'' && !quoted) {
            squote(p, b);
        } else if (c == '"') {
            dquote(p, b);
        } else if (c == '$') {
            dollar(p, b, quoted);
        } else if (c == '`') {
            backtick(p, b, quoted);
        } else {
            lx->i++;
        }
    }
    b->mute--;
    if (lx->i >= n) {
        if (!p->abort)
            problem(p, start, n, "unterminated parameter expansion: missing '}'");
    } else if (!p->abort) {
        lx->i++;
    }
    leave(p);
    b->exps[idx].name = name;
    b->exps[idx].span = lspan(lx, start, lx->i);
    wb_raw(b, start, lx->i);
}

/* $(…) and <(…) / >(…): the inside is a nested list. */
static void subst(struct parser *p, struct wb *b, bool quoted, enum sh_exp_kind kind)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i;
    uint32_t idx = add_exp(b, kind, quoted);
    if (kind == SH_EXP_PROCSUBST)
        mark_bash(p, start, start + 2);
    if (!enter(p))
        return;
    lx->i = start + 2;
    lx->last_end = lx->i;
    struct sh_node *body = parse_list(p, b->owner, SH_ROLE_SUBST);
    parse_list_recover(p, body, true);
    struct tok t = peek(p);
    if (t.kind == TK_RPAREN) {
        consume(p, &t);
    } else if (!p->abort) {
        problem(p, start, lx->i,
                kind == SH_EXP_CMDSUBST ? "unterminated command substitution: missing ')'"
                                        : "unterminated process substitution: missing ')'");
    }
    leave(p);
    b->exps[idx].body = body;
    b->exps[idx].span = lspan(lx, start, lx->i);
    wb_raw(b, start, lx->i);
}

static void arith(struct parser *p, struct wb *b, bool quoted, uint32_t end)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i;
    uint32_t idx = add_exp(b, SH_EXP_ARITH, quoted);
    if (!enter(p))
        return;
    scan_arith(p, b, start + 3, end - 2);
    if (lx->i < end)
        lx->i = end;
    leave(p);
    b->exps[idx].span = lspan(lx, start, lx->i);
    wb_raw(b, start, lx->i);
}

static void dollar(struct parser *p, struct wb *b, bool quoted)
{
    struct lex *lx = p->lx;
    uint32_t i = lx->i, n = lx->n;
    const char *s = lx->s;
    char c = i + 1 < n ? s[i + 1] : '\0';
    if (i + 1 >= n) {
        wb_put(b, '$', lx->pos[i]);
        lx->i++;
        return;
    }
    if (c == '{') {
        brace(p, b, quoted);
        return;
    }
    if (c == '(') {
        uint32_t end = i + 2 < n && s[i + 2] == '(' ? arith_scan(lx, i + 3) : 0;
        if (end)
            arith(p, b, quoted, end);
        else
            subst(p, b, quoted, SH_EXP_CMDSUBST);
        return;
    }
    if (c == '\'' && !quoted) {
        ansi_c(p, b);
        return;
    }
    if (c == '"' && !quoted) {
        /* $"…" (locale translation) reads as "…". */
        mark_bash(p, i, i + 2);
        lx->i++;
        dquote(p, b);
        return;
    }
    uint32_t j = i + 1;
    if (is_name_start(c)) {
        while (j < n && is_name_char(s[j]))
            j++;
    } else if (is_digit(c) || (c != '\0' && strchr("@*#?-$!", c))) {
        j++;
    } else {
        wb_put(b, '$', lx->pos[i]);
        lx->i++;
        return;
    }
    uint32_t idx = add_exp(b, SH_EXP_PARAM, quoted);
    b->exps[idx].name = str_make(s + i + 1, j - i - 1);
    b->exps[idx].span = lspan(lx, i, j);
    lx->i = j;
    wb_raw(b, i, j);
}

/* `…`: the inside, with \$ \` \\ (and \" inside double quotes) resolved,
 * is read as a text of its own whose bytes map back to src. */
static void backtick(struct parser *p, struct wb *b, bool quoted)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i, j = start + 1;
    while (j < lx->n && lx->s[j] != '`')
        j += lx->s[j] == '\\' && j + 1 < lx->n ? 2 : 1;
    bool terminated = j < lx->n;
    if (j > lx->n)
        j = lx->n;
    uint32_t idx = add_exp(b, SH_EXP_BACKTICK, quoted);
    if (!terminated)
        problem(p, start, lx->n, "unterminated backquote");
    if (enter(p)) {
        uint32_t cap = j - (start + 1);
        char *t = arena_alloc(p->a, (size_t)cap + 1);
        uint32_t *tp = arena_alloc(p->a, ((size_t)cap + 1) * sizeof *tp);
        uint32_t m = 0;
        for (uint32_t k = start + 1; k < j;) {
            char d = k + 1 < j ? lx->s[k + 1] : '\0';
            if (lx->s[k] == '\\' && k + 1 < j &&
                (d == '$' || d == '`' || d == '\\' || (quoted && d == '"'))) {
                t[m] = d;
                tp[m++] = lx->pos[k + 1];
                k += 2;
            } else {
                t[m] = lx->s[k];
                tp[m++] = lx->pos[k];
                k++;
            }
        }
        t[m] = '\0';
        tp[m] = lx->pos[j];
        struct lex sub = { t, m, 0, tp, 0, NULL, NULL, lx->script };
        sub.hd_tail = &sub.hd_first;
        set_lex(p, &sub);
        struct sh_node *body = parse_list(p, b->owner, SH_ROLE_SUBST);
        parse_list_recover(p, body, false);
        flush_heredocs(p);
        set_lex(p, lx);
        leave(p);
        b->exps[idx].body = body;
    }
    lx->i = terminated ? j + 1 : lx->n;
    b->exps[idx].span = lspan(lx, start, lx->i);
    wb_raw(b, start, lx->i);
}

/* Reads a balanced ( … ) lexically: the list of a bash array assignment. */
static void array_list(struct parser *p, struct wb *b)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i, d = 0, j = start;
    mark_bash(p, start, start + 1);
    for (; j < lx->n; j++) {
        char c = lx->s[j];
        if (c == '\\') {
            j++;
        } else if (c == '\'' || c == '"') {
            j++;
            while (j < lx->n && lx->s[j] != c)
                j += c == '"' && lx->s[j] == '\\' ? 2 : 1;
        } else if (c == '(') {
            d++;
        } else if (c == ')' && --d == 0) {
            j++;
            break;
        }
    }
    if (j > lx->n)
        j = lx->n;
    if (d != 0)
        problem(p, start, j, "unterminated array assignment: missing ')'");
    lx->i = j;
    wb_raw(b, start, j);
}

/* The common word: one run of plain bytes [start, end) that a blank, a
 * newline or an operator other than `(` ends. Its value is a copy of the
 * run; its offsets are the text's own when they run on to the word's end
 * (no segment boundary right after it), else a copy. What wb_finish would
 * make of the run, without the builder. */
static bool plain_word(struct parser *p, struct sh_word *w, uint32_t start)
{
    struct lex *lx = p->lx;
    uint32_t end = plain_run(lx, start);
    if (end == start)
        return false;
    if (end < lx->n) {
        char c = lx->s[end];
        if (c == '(' || !(c == ' ' || c == '\t' || is_meta(c) || is_blank_at(lx, end)))
            return false;
    }
    uint32_t len = end - start;
    memset(w, 0, sizeof *w);
    w->span = lspan(lx, start, end);
    w->raw = str_make(lx->s + start, len);
    char *v = arena_alloc(p->a, (size_t)len + 1);
    memcpy(v, lx->s + start, len);
    v[len] = '\0';
    w->value = str_make(v, len);
    if (lx->pos[end] == w->span.end) {
        w->value_src = lx->pos + start;
    } else {
        uint32_t *m = arena_alloc(p->a, ((size_t)len + 1) * sizeof *m);
        memcpy(m, lx->pos + start, (size_t)len * sizeof *m);
        m[len] = w->span.end;
        w->value_src = m;
    }
    lx->i = end;
    lx->last_end = end;
    return true;
}

static void parse_word(struct parser *p, struct sh_node *owner, struct sh_word *w,
                       bool allow_assign)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i;
    if (!p->abort && plain_word(p, w, start))
        return;
    struct wb b;
    wb_init(&b, p, owner);
    while (lx->i < lx->n && !p->abort) {
        uint32_t i = lx->i;
        char c = lx->s[i];
        if (!word_stop[(unsigned char)c]) {
            uint32_t j = plain_run(lx, i + 1);
            wb_raw(&b, i, j);
            lx->i = j;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || is_blank_at(lx, i))
            break;
        if ((c == '<' || c == '>') && i == start && i + 1 < lx->n && lx->s[i + 1] == '(') {
            subst(p, &b, false, SH_EXP_PROCSUBST);
            continue;
        }
        if (c == '(' && allow_assign && b.n_exps == 0 && i > start && lx->s[i - 1] == '=' &&
            sh_int_assignment(str_make(lx->s + start, i - start), NULL)) {
            array_list(p, &b);
            continue;
        }
        if (is_meta(c))
            break;
        switch (c) {
        case '\\': {
            uint32_t k = cont_len(lx, i);
            if (k) {
                lx->i += k;
            } else if (i + 1 >= lx->n) {
                wb_put(&b, c, lx->pos[i]);
                lx->i++;
            } else {
                b.flags |= SH_WORD_QUOTED;
                wb_put(&b, lx->s[i + 1], lx->pos[i + 1]);
                lx->i += 2;
            }
            break;
        }
        case '\'': squote(p, &b); break;
        case '"': dquote(p, &b); break;
        case '`': backtick(p, &b, false); break;
        case '$': dollar(p, &b, false); break;
        case '*':
        case '?':
        case '[':
            b.flags |= SH_WORD_GLOB;
            wb_put(&b, c, lx->pos[i]);
            lx->i++;
            break;
        default:
            wb_put(&b, c, lx->pos[i]);
            lx->i++;
            break;
        }
    }
    lx->last_end = lx->i;
    wb_finish(&b, w, start, lx->i);
}

/* A word made of one operator token (inside [[ ]]). */
static void op_word(struct parser *p, struct sh_node *owner, struct sh_word *w, const struct tok *t)
{
    struct wb b;
    wb_init(&b, p, owner);
    wb_raw(&b, t->start, t->start + t->len);
    consume(p, t);
    wb_finish(&b, w, t->start, t->start + t->len);
}

/* The right side of `=~` in [[ ]]: one word up to a blank outside
 * parentheses, `(a|b)` included; read lexically, its value is the text. */
static void regex_word(struct parser *p, struct sh_node *owner, struct sh_word *w)
{
    struct lex *lx = p->lx;
    uint32_t start = lx->i, d = 0, j = start;
    while (j < lx->n) {
        char c = lx->s[j];
        if (d == 0 && (c == ' ' || c == '\t' || c == '\n' || is_blank_at(lx, j)))
            break;
        if (c == '\\') {
            j += 2;
        } else if (c == '\'' || c == '"') {
            j++;
            while (j < lx->n && lx->s[j] != c)
                j += c == '"' && lx->s[j] == '\\' ? 2 : 1;
            j++;
        } else {
            d += c == '(';
            d -= c == ')' && d > 0;
            j++;
        }
    }
    if (j > lx->n)
        j = lx->n;
    struct wb b;
    wb_init(&b, p, owner);
    wb_raw(&b, start, j);
    lx->i = j;
    lx->last_end = j;
    wb_finish(&b, w, start, j);
}

/* ------------------------------------------------------------------ nodes */

static struct sh_node *new_node(struct parser *p, enum sh_node_kind kind, struct sh_node *parent,
                                enum sh_role role)
{
    struct sh_node *n = ARENA_NEW(p->a, struct sh_node);
    n->kind = kind;
    n->parent = parent;
    n->role = role;
    return n;
}

static void finish_span(struct parser *p, struct sh_node *n, uint32_t start)
{
    uint32_t end = p->lx->last_end;
    n->span = lspan(p->lx, start, end > start ? end : start);
}

struct kids {
    struct sh_node **v;
    uint32_t n, cap;
};

static void kids_push(struct parser *p, struct kids *k, struct sh_node *x)
{
    *PUSH(p->a, k->v, k->n, k->cap) = x;
}

static void kids_done(struct sh_node *n, const struct kids *k)
{
    n->kids = k->v;
    n->n_kids = k->n;
}

static struct sh_redir *parse_redir(struct parser *p, struct sh_node *owner, const struct tok *t)
{
    struct lex *lx = p->lx;
    struct sh_redir *r = ARENA_NEW(p->a, struct sh_redir);
    r->kind = t->redir;
    r->fd = t->fd;
    consume(p, t);
    if (r->kind == SH_REDIR_OUT_ERR || r->kind == SH_REDIR_APPEND_OUT_ERR ||
        r->kind == SH_REDIR_HERESTRING)
        mark_bash(p, t->start, t->start + t->len);
    struct tok w = peek(p);
    if (w.kind == TK_WORD) {
        parse_word(p, owner, &r->target, false);
    } else {
        problem(p, t->start, t->start + t->len, "missing the word after redirection '%.*s'",
                (int)t->len, lx->s + t->start);
        struct wb b;
        wb_init(&b, p, owner);
        wb_finish(&b, &r->target, lx->last_end, lx->last_end);
    }
    r->span = lspan(lx, t->start, lx->last_end);
    if (r->kind == SH_REDIR_HEREDOC || r->kind == SH_REDIR_HEREDOC_TABS) {
        r->body_expands = !(r->target.flags & SH_WORD_QUOTED);
        struct pending *h = ARENA_NEW(p->a, struct pending);
        h->r = r;
        h->owner = owner;
        *lx->hd_tail = h;
        lx->hd_tail = &h->next;
    }
    return r;
}

/* Redirections after a compound command. */
static void trailing_redirs(struct parser *p, struct sh_node *n)
{
    struct sh_redir **tail = &n->redirs;
    while (*tail)
        tail = &(*tail)->next;
    while (!p->abort) {
        struct tok t = peek(p);
        if (t.kind != TK_REDIR)
            break;
        *tail = parse_redir(p, n, &t);
        tail = &(*tail)->next;
    }
}

/* `sh -c 'text'`: the argument's value is read as a script of its own,
 * one level deep, its bytes mapped to src through the word's value map. */
static void parse_nested(struct parser *p, struct sh_node *cmd, const struct sh_word *w, bool pf)
{
    if (!enter(p))
        return;
    struct sh_script *ns = ARENA_NEW(p->a, struct sh_script);
    ns->text = w->value.ptr;
    ns->len = (uint32_t)w->value.len;
    ns->src_pos = w->value_src;
    ns->owner = cmd;
    ns->pipefail_at_start = pf;
    struct lex *saved = p->lx;
    struct lex sub = { ns->text, ns->len, 0, ns->src_pos, 0, NULL, NULL, ns };
    sub.hd_tail = &sub.hd_first;
    set_lex(p, &sub);
    p->sh_c_level++;
    ns->root = parse_list(p, cmd, SH_ROLE_SH_C);
    parse_list_recover(p, ns->root, false);
    flush_heredocs(p);
    ns->root->span = lspan(&sub, 0, sub.n);
    p->sh_c_level--;
    set_lex(p, saved);
    leave(p);
    cmd->nested = ns;
}

/* The shells accept only a compound command as a function body. */
static void check_function_body(struct parser *p, const struct sh_node *body)
{
    if (body->kind == SH_SIMPLE && body->argc > 0 && !p->abort && p->n_probs < SH_MAX_PROBLEMS) {
        struct sh_problem *pr = PUSH(p->a, p->probs, p->n_probs, p->cap_probs);
        pr->span = body->argv[0].span;
        pr->msg = "a function body must be a compound command ({ ...; } or ( ... ))";
    }
}

static struct sh_node *parse_simple(struct parser *p, struct sh_node *parent)
{
    struct lex *lx = p->lx;
    struct sh_node *n = new_node(p, SH_SIMPLE, parent, SH_ROLE_NONE);
    struct tok t = peek(p);
    uint32_t start = t.start;
    uint32_t cap_argv = 0, cap_assigns = 0;
    struct sh_redir **tail = &n->redirs;
    bool test = false; /* inside [[ … ]] */
    uint32_t test_start = 0;
    while (!p->abort) {
        t = peek(p);
        if (test && (t.kind == TK_AND || t.kind == TK_OR || t.kind == TK_LPAREN ||
                     t.kind == TK_RPAREN || t.kind == TK_PIPE ||
                     (t.kind == TK_REDIR && t.fd < 0 &&
                      (t.redir == SH_REDIR_IN || t.redir == SH_REDIR_OUT)))) {
            op_word(p, n, PUSH(p->a, n->argv, n->argc, cap_argv), &t);
            continue;
        }
        if (t.kind == TK_REDIR) {
            *tail = parse_redir(p, n, &t);
            tail = &(*tail)->next;
            continue;
        }
        if (t.kind != TK_WORD)
            break;
        /* The word is read in place, in the argv slot it will most likely
         * keep; an assignment moves to assigns. */
        bool first = n->argc == 0;
        bool regex = test && sh_word_is(&n->argv[n->argc - 1], "=~");
        struct sh_word *wp = PUSH(p->a, n->argv, n->argc, cap_argv);
        if (regex)
            regex_word(p, n, wp);
        else
            parse_word(p, n, wp, first);
        if (first && sh_int_assignment(wp->raw, NULL)) {
            *PUSH(p->a, n->assigns, n->n_assigns, cap_assigns) = *wp;
            n->argc--;
            continue;
        }
        if (test && wp->flags == 0 && str_eq_cstr(wp->value, "]]"))
            test = false;
        if (n->argc != 1 || (wp->flags & ~(unsigned)SH_WORD_GLOB) != 0)
            continue;
        if (str_eq_cstr(wp->value, "[[")) {
            test = true;
            test_start = t.start;
            mark_bash(p, t.start, t.start + 2);
            continue;
        }
        /* name ( ) compound-command: a function definition. */
        if (n->n_assigns == 0 && !n->redirs && wp->flags == 0 && is_name_start(wp->value.ptr[0])) {
            uint32_t k = lx->i;
            while (k < lx->n && (lx->s[k] == ' ' || lx->s[k] == '\t'))
                k++;
            if (k < lx->n && lx->s[k] == '(') {
                k++;
                while (k < lx->n && (lx->s[k] == ' ' || lx->s[k] == '\t'))
                    k++;
                if (k < lx->n && lx->s[k] == ')') {
                    lx->i = k + 1;
                    lx->last_end = lx->i;
                    n->kind = SH_FUNCTION;
                    n->name = ARENA_NEW(p->a, struct sh_word);
                    *n->name = *wp;
                    n->argv = NULL;
                    n->argc = 0;
                    eat_linebreaks(p);
                    if (enter(p)) {
                        struct sh_node *body = parse_command(p, n);
                        body->role = SH_ROLE_BODY;
                        check_function_body(p, body);
                        n->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
                        n->kids[0] = body;
                        n->n_kids = 1;
                        leave(p);
                    }
                    finish_span(p, n, start);
                    return n;
                }
            }
        }
    }
    if (test && !p->abort)
        problem(p, test_start, test_start + 2, "missing ']]' to close '[['");
    if (n->argc == 0)
        n->argv = NULL; /* the slot of an assignment, emptied */
    finish_span(p, n, start);
    struct str name = sh_int_unwrap(n, p->a);
    if (p->sh_c_level == 0 && !p->abort) {
        bool pf = false;
        int32_t k = sh_int_shell_c(n, name, &pf);
        if (k >= 0)
            parse_nested(p, n, &n->argv[k], pf);
    }
    return n;
}

static struct sh_node *parse_paren(struct parser *p, struct sh_node *parent, const struct tok *t)
{
    struct lex *lx = p->lx;
    /* (( … )) is a bash arithmetic command when the parentheses close
     * together; otherwise it is a subshell in a subshell. */
    if (t->start + 1 < lx->n && lx->s[t->start + 1] == '(') {
        uint32_t end = arith_scan(lx, t->start + 2);
        if (end) {
            struct sh_node *n = new_node(p, SH_ARITH, parent, SH_ROLE_NONE);
            mark_bash(p, t->start, t->start + 2);
            if (enter(p)) {
                struct wb b;
                wb_init(&b, p, n);
                scan_arith(p, &b, t->start + 2, end - 2);
                wb_raw(&b, t->start + 2, end - 2);
                n->items = ARENA_NEW(p->a, struct sh_word);
                n->n_items = 1;
                wb_finish(&b, n->items, t->start + 2, end - 2);
                leave(p);
            }
            if (lx->i < end)
                lx->i = end;
            lx->last_end = lx->i;
            finish_span(p, n, t->start);
            return n;
        }
    }
    struct sh_node *n = new_node(p, SH_SUBSHELL, parent, SH_ROLE_NONE);
    if (!enter(p))
        return n;
    consume(p, t);
    struct sh_node *body = parse_list(p, n, SH_ROLE_BODY);
    n->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
    n->kids[0] = body;
    n->n_kids = 1;
    struct tok c = peek(p);
    if (c.kind == TK_RPAREN)
        consume(p, &c);
    else if (!p->abort)
        problem(p, t->start, t->start + 1, "missing ')' to close the subshell");
    leave(p);
    finish_span(p, n, t->start);
    return n;
}

static void missing(struct parser *p, uint32_t at, uint32_t len, const char *what,
                    const char *opener)
{
    if (!p->abort)
        problem(p, at, at + len, "missing '%s' to close '%s'", what, opener);
}

static struct sh_node *parse_if(struct parser *p, struct sh_node *parent, uint32_t start)
{
    struct sh_node *n = new_node(p, SH_IF, parent, SH_ROLE_NONE);
    struct kids k = { 0 };
    accept_rw(p, RW_IF);
    for (;;) {
        kids_push(p, &k, parse_list(p, n, SH_ROLE_COND));
        if (!accept_rw(p, RW_THEN)) {
            missing(p, start, 2, "then", "if");
            break;
        }
        kids_push(p, &k, parse_list(p, n, SH_ROLE_THEN));
        if (accept_rw(p, RW_ELIF))
            continue;
        if (accept_rw(p, RW_ELSE))
            kids_push(p, &k, parse_list(p, n, SH_ROLE_ELSE));
        if (!accept_rw(p, RW_FI))
            missing(p, start, 2, "fi", "if");
        break;
    }
    kids_done(n, &k);
    return n;
}

static struct sh_node *parse_loop(struct parser *p, struct sh_node *parent, enum rw rw,
                                  uint32_t start)
{
    struct sh_node *n = new_node(p, rw == RW_WHILE ? SH_WHILE : SH_UNTIL, parent, SH_ROLE_NONE);
    const char *kw = rw == RW_WHILE ? "while" : "until";
    struct kids k = { 0 };
    accept_rw(p, rw);
    kids_push(p, &k, parse_list(p, n, SH_ROLE_COND));
    if (!accept_rw(p, RW_DO)) {
        missing(p, start, (uint32_t)strlen(kw), "do", kw);
    } else {
        kids_push(p, &k, parse_list(p, n, SH_ROLE_BODY));
        if (!accept_rw(p, RW_DONE))
            missing(p, start, (uint32_t)strlen(kw), "done", kw);
    }
    kids_done(n, &k);
    return n;
}

static struct sh_node *parse_for(struct parser *p, struct sh_node *parent, enum rw rw,
                                 uint32_t start)
{
    struct lex *lx = p->lx;
    struct sh_node *n = new_node(p, SH_FOR, parent, SH_ROLE_NONE);
    const char *kw = rw == RW_FOR ? "for" : "select";
    uint32_t kwlen = (uint32_t)strlen(kw);
    accept_rw(p, rw);
    if (rw == RW_SELECT)
        mark_bash(p, start, start + kwlen);
    struct tok t = peek(p);
    if (t.kind == TK_LPAREN && t.start + 1 < lx->n && lx->s[t.start + 1] == '(') {
        /* bash: for (( init; cond; step )) */
        uint32_t end = arith_scan(lx, t.start + 2);
        mark_bash(p, t.start, t.start + 2);
        if (!end) {
            problem(p, t.start, t.start + 2, "missing '))' to close 'for (('");
            return n;
        }
        struct wb b;
        wb_init(&b, p, n);
        scan_arith(p, &b, t.start + 2, end - 2);
        wb_raw(&b, t.start + 2, end - 2);
        n->items = ARENA_NEW(p->a, struct sh_word);
        n->n_items = 1;
        wb_finish(&b, n->items, t.start + 2, end - 2);
        lx->i = end > lx->i ? end : lx->i;
        lx->last_end = lx->i;
        t = peek(p);
        if (t.kind == TK_SEMI)
            consume(p, &t);
    } else {
        if (t.kind != TK_WORD) {
            problem(p, start, start + kwlen, "missing the variable name after '%s'", kw);
            return n;
        }
        n->name = ARENA_NEW(p->a, struct sh_word);
        parse_word(p, n, n->name, false);
        eat_linebreaks(p);
        if (accept_rw(p, RW_IN)) {
            n->has_in = true;
            uint32_t cap = 0;
            while (!p->abort && (t = peek(p)).kind == TK_WORD)
                parse_word(p, n, PUSH(p->a, n->items, n->n_items, cap), false);
            t = peek(p);
            if (t.kind == TK_SEMI)
                consume(p, &t);
        } else {
            t = peek(p);
            if (t.kind == TK_SEMI)
                consume(p, &t);
        }
    }
    eat_linebreaks(p);
    if (!accept_rw(p, RW_DO)) {
        missing(p, start, kwlen, "do", kw);
        return n;
    }
    struct sh_node *body = parse_list(p, n, SH_ROLE_BODY);
    n->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
    n->kids[0] = body;
    n->n_kids = 1;
    if (!accept_rw(p, RW_DONE))
        missing(p, start, kwlen, "done", kw);
    return n;
}

static struct sh_node *parse_case(struct parser *p, struct sh_node *parent, uint32_t start)
{
    struct lex *lx = p->lx;
    struct sh_node *n = new_node(p, SH_CASE, parent, SH_ROLE_NONE);
    accept_rw(p, RW_CASE);
    struct tok t = peek(p);
    if (t.kind != TK_WORD) {
        problem(p, start, start + 4, "missing the word after 'case'");
        return n;
    }
    n->name = ARENA_NEW(p->a, struct sh_word);
    parse_word(p, n, n->name, false);
    eat_linebreaks(p);
    if (!accept_rw(p, RW_IN)) {
        problem(p, start, start + 4, "missing 'in' after 'case WORD'");
        return n;
    }
    struct kids k = { 0 };
    for (;;) {
        eat_linebreaks(p);
        if (p->abort || accept_rw(p, RW_ESAC))
            break;
        t = peek(p);
        if (t.kind == TK_EOF) {
            missing(p, start, 4, "esac", "case");
            break;
        }
        uint32_t before = lx->i;
        struct sh_node *item = new_node(p, SH_CASE_ITEM, n, SH_ROLE_CASE_ITEM);
        uint32_t istart = t.start, cap = 0;
        if (t.kind == TK_LPAREN)
            consume(p, &t);
        while (!p->abort) {
            t = peek(p);
            if (t.kind != TK_WORD)
                break;
            parse_word(p, item, PUSH(p->a, item->items, item->n_items, cap), false);
            t = peek(p);
            if (t.kind != TK_PIPE)
                break;
            consume(p, &t);
        }
        t = peek(p);
        if (t.kind == TK_RPAREN) {
            consume(p, &t);
        } else {
            if (!p->abort)
                problem(p, istart, lx->i > istart ? lx->i : istart + 1,
                        "missing ')' after the case pattern");
            if (lx->i == before)
                break;
        }
        struct sh_node *body = parse_list(p, item, SH_ROLE_BODY);
        item->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
        item->kids[0] = body;
        item->n_kids = 1;
        finish_span(p, item, istart);
        kids_push(p, &k, item);
        t = peek(p);
        if (t.kind == TK_DSEMI || t.kind == TK_SEMI_AMP || t.kind == TK_DSEMI_AMP) {
            if (t.kind != TK_DSEMI)
                mark_bash(p, t.start, t.start + t.len);
            consume(p, &t);
            continue;
        }
        if (accept_rw(p, RW_ESAC))
            break;
        if (!p->abort)
            missing(p, start, 4, "esac", "case");
        break;
    }
    kids_done(n, &k);
    return n;
}

static struct sh_node *parse_group(struct parser *p, struct sh_node *parent, uint32_t start)
{
    struct sh_node *n = new_node(p, SH_GROUP, parent, SH_ROLE_NONE);
    accept_rw(p, RW_LBRACE);
    struct sh_node *body = parse_list(p, n, SH_ROLE_BODY);
    n->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
    n->kids[0] = body;
    n->n_kids = 1;
    if (!accept_rw(p, RW_RBRACE))
        missing(p, start, 1, "}", "{");
    return n;
}

/* bash: function NAME [()] compound-command */
static struct sh_node *parse_function(struct parser *p, struct sh_node *parent, uint32_t start)
{
    struct sh_node *n = new_node(p, SH_FUNCTION, parent, SH_ROLE_NONE);
    accept_rw(p, RW_FUNCTION);
    mark_bash(p, start, start + 8);
    struct tok t = peek(p);
    if (t.kind != TK_WORD) {
        problem(p, start, start + 8, "missing the name after 'function'");
        return n;
    }
    n->name = ARENA_NEW(p->a, struct sh_word);
    parse_word(p, n, n->name, false);
    t = peek(p);
    if (t.kind == TK_LPAREN) {
        consume(p, &t);
        t = peek(p);
        if (t.kind == TK_RPAREN)
            consume(p, &t);
        else
            problem(p, t.start, t.start + 1, "missing ')' after 'function %.*s ('",
                    (int)n->name->raw.len, n->name->raw.ptr);
    }
    eat_linebreaks(p);
    struct sh_node *body = parse_command(p, n);
    body->role = SH_ROLE_BODY;
    check_function_body(p, body);
    n->kids = ARENA_NEW_ARRAY(p->a, struct sh_node *, 1);
    n->kids[0] = body;
    n->n_kids = 1;
    return n;
}

static struct sh_node *parse_command(struct parser *p, struct sh_node *parent)
{
    struct tok t = peek(p);
    struct sh_node *n = NULL;
    if (t.kind == TK_LPAREN) {
        n = parse_paren(p, parent, &t);
        trailing_redirs(p, n);
        finish_span(p, n, t.start);
        return n;
    }
    if (t.kind == TK_WORD) {
        enum rw rw = reserved(p, NULL);
        if (rw == RW_IF || rw == RW_WHILE || rw == RW_UNTIL || rw == RW_FOR || rw == RW_SELECT ||
            rw == RW_CASE || rw == RW_LBRACE || rw == RW_FUNCTION) {
            if (!enter(p))
                return new_node(p, SH_SIMPLE, parent, SH_ROLE_NONE);
            switch (rw) {
            case RW_IF: n = parse_if(p, parent, t.start); break;
            case RW_WHILE:
            case RW_UNTIL: n = parse_loop(p, parent, rw, t.start); break;
            case RW_FOR:
            case RW_SELECT: n = parse_for(p, parent, rw, t.start); break;
            case RW_CASE: n = parse_case(p, parent, t.start); break;
            case RW_LBRACE: n = parse_group(p, parent, t.start); break;
            default: n = parse_function(p, parent, t.start); break;
            }
            leave(p);
            trailing_redirs(p, n);
            finish_span(p, n, t.start);
            return n;
        }
        if (!is_closer(rw))
            return parse_simple(p, parent);
    }
    if (t.kind == TK_REDIR)
        return parse_simple(p, parent);
    if (!p->abort)
        unexpected(p, &t);
    n = new_node(p, SH_SIMPLE, parent, SH_ROLE_NONE);
    n->span = lspan(p->lx, t.start, t.start);
    return n;
}

static struct sh_node *parse_pipeline(struct parser *p, struct sh_node *parent)
{
    struct tok t = peek(p);
    uint32_t start = t.start;
    bool neg = false, bang = false;
    while (t.kind == TK_WORD && reserved(p, NULL) == RW_BANG) {
        accept_rw(p, RW_BANG);
        neg = !neg;
        bang = true;
        t = peek(p);
    }
    struct sh_node *first = parse_command(p, parent);
    t = peek(p);
    if (!bang && t.kind != TK_PIPE && t.kind != TK_PIPE_ERR)
        return first;
    struct sh_node *n = new_node(p, SH_PIPELINE, parent, SH_ROLE_NONE);
    n->negated = neg;
    struct kids k = { 0 };
    first->parent = n;
    kids_push(p, &k, first);
    while (!p->abort && (t.kind == TK_PIPE || t.kind == TK_PIPE_ERR)) {
        enum sh_op op = t.kind == TK_PIPE ? SH_OP_PIPE : SH_OP_PIPE_ERR;
        if (op == SH_OP_PIPE_ERR)
            mark_bash(p, t.start, t.start + 2);
        consume(p, &t);
        eat_linebreaks(p);
        struct tok c = peek(p);
        if (!can_start_command(p, &c)) {
            problem(p, t.start, t.start + t.len, "missing the command after '%.*s'", (int)t.len,
                    p->lx->s + t.start);
            break;
        }
        struct sh_node *x = parse_command(p, n);
        x->op = op;
        kids_push(p, &k, x);
        t = peek(p);
    }
    kids_done(n, &k);
    finish_span(p, n, start);
    return n;
}

static struct sh_node *parse_and_or(struct parser *p, struct sh_node *parent)
{
    uint32_t start = peek(p).start;
    struct sh_node *first = parse_pipeline(p, parent);
    struct tok t = peek(p);
    if (t.kind != TK_AND && t.kind != TK_OR)
        return first;
    struct sh_node *n = new_node(p, SH_AND_OR, parent, SH_ROLE_NONE);
    struct kids k = { 0 };
    first->parent = n;
    kids_push(p, &k, first);
    while (!p->abort && (t.kind == TK_AND || t.kind == TK_OR)) {
        enum sh_op op = t.kind == TK_AND ? SH_OP_AND : SH_OP_OR;
        consume(p, &t);
        eat_linebreaks(p);
        struct tok c = peek(p);
        if (!can_start_command(p, &c)) {
            problem(p, t.start, t.start + 2, "missing the command after '%.*s'", 2,
                    p->lx->s + t.start);
            break;
        }
        struct sh_node *x = parse_pipeline(p, n);
        x->op = op;
        kids_push(p, &k, x);
        t = peek(p);
    }
    kids_done(n, &k);
    finish_span(p, n, start);
    return n;
}

/* Reads and-or lists into list until a token that cannot continue it: the
 * end of the text, `)`, `;;`, or a closing reserved word. */
static void parse_list_into(struct parser *p, struct sh_node *list, struct kids *k)
{
    struct lex *lx = p->lx;
    enum sh_op op = k->n ? SH_OP_SEMI : SH_OP_NONE;
    eat_linebreaks(p);
    while (!p->abort) {
        struct tok t = peek(p);
        if (t.kind == TK_EOF || t.kind == TK_RPAREN || t.kind == TK_DSEMI ||
            t.kind == TK_SEMI_AMP || t.kind == TK_DSEMI_AMP)
            break;
        if (t.kind == TK_WORD && is_closer(reserved(p, NULL)))
            break;
        if (!can_start_command(p, &t)) {
            unexpected(p, &t);
            consume(p, &t);
            continue;
        }
        uint32_t before = lx->i;
        struct sh_node *item = parse_and_or(p, list);
        item->op = k->n ? op : SH_OP_NONE;
        kids_push(p, k, item);
        if (lx->i == before && !p->abort) {
            /* Cannot happen with the token classes above; a guarantee of
             * progress all the same. */
            unexpected(p, &t);
            lx->i++;
        }
        t = peek(p);
        if (t.kind == TK_SEMI) {
            consume(p, &t);
            op = SH_OP_SEMI;
            eat_linebreaks(p);
        } else if (t.kind == TK_AMP) {
            consume(p, &t);
            item->background = true;
            op = SH_OP_BACKGROUND;
            eat_linebreaks(p);
        } else if (t.kind == TK_NEWLINE) {
            eat_linebreaks(p);
            op = SH_OP_NEWLINE;
        } else if (can_start_command(p, &t) && !p->abort) {
            problem(p, t.start, t.start + tok_text_len(p, &t),
                    "missing ';' or a newline before '%.*s'", (int)tok_text_len(p, &t),
                    lx->s + t.start);
            op = SH_OP_SEMI;
        } else {
            break;
        }
    }
}

static struct sh_node *parse_list(struct parser *p, struct sh_node *parent, enum sh_role role)
{
    struct sh_node *n = new_node(p, SH_LIST, parent, role);
    uint32_t start = peek(p).start;
    struct kids k = { 0 };
    parse_list_into(p, n, &k);
    kids_done(n, &k);
    finish_span(p, n, start);
    return n;
}

/* Reads list to the end of the text (or to a `)` when until_rparen):
 * stray closing words and operators are reported and skipped. */
static void parse_list_recover(struct parser *p, struct sh_node *list, bool until_rparen)
{
    struct kids k = { list->kids, list->n_kids, list->n_kids };
    while (!p->abort) {
        struct tok t = peek(p);
        if (t.kind == TK_EOF || (until_rparen && t.kind == TK_RPAREN))
            break;
        unexpected(p, &t);
        uint32_t len = tok_text_len(p, &t);
        p->lx->i = t.start + (len ? len : 1);
        /* The separator after a stray word (`fi;`) is part of the same
         * mistake; one problem is enough. */
        t = peek(p);
        if (t.kind == TK_SEMI || t.kind == TK_AMP)
            consume(p, &t);
        parse_list_into(p, list, &k);
    }
    kids_done(list, &k);
    if (k.n && k.v[k.n - 1]->span.end > list->span.end)
        list->span.end = k.v[k.n - 1]->span.end;
}

/* ------------------------------------------------------------------ entry */

static struct sh_script *parse_text(struct arena *a, struct sh_script *s, const char *text,
                                    uint32_t len, const uint32_t *pos)
{
    struct parser p = { 0 };
    p.peek_i = NO_PEEK;
    p.a = a;
    p.top = s;
    struct lex lx = { text, len, 0, pos, 0, NULL, NULL, s };
    lx.hd_tail = &lx.hd_first;
    p.lx = &lx;
    s->text = text;
    s->len = len;
    s->src_pos = pos;
    s->root = parse_list(&p, NULL, SH_ROLE_ROOT);
    parse_list_recover(&p, s->root, false);
    flush_heredocs(&p);
    s->root->span = lspan(&lx, 0, len);
    s->problems = p.probs;
    s->n_problems = p.n_probs;
    sh_int_collect(s, a);
    return s;
}

struct sh_script *sh_parse(const struct sh_input *in, struct arena *a)
{
    struct sh_script *s = ARENA_NEW(a, struct sh_script);
    size_t total = 0;
    bool truncated = false;
    for (uint32_t k = 0; in->src && k < in->n_segs; k++) {
        const struct sh_segment *g = &in->segs[k];
        if (g->start > g->end)
            continue;
        if (total + (g->end - g->start) > SH_MAX_TEXT) {
            truncated = true;
            break;
        }
        total += g->end - g->start;
    }
    char *text = arena_alloc(a, total + 1);
    uint32_t *pos = arena_alloc(a, (total + 1) * sizeof *pos);
    uint32_t m = 0, first = UINT32_MAX;
    for (uint32_t k = 0; in->src && k < in->n_segs && m < total; k++) {
        const struct sh_segment *g = &in->segs[k];
        if (g->start > g->end)
            continue;
        if (first == UINT32_MAX)
            first = g->start;
        uint32_t len = g->end - g->start;
        if (len > total - m)
            len = (uint32_t)(total - m);
        memcpy(text + m, in->src + g->start, len);
        uint32_t *d = pos + m, o = 0, base = g->start;
#if defined(__GNUC__)
        /* This fills one entry per byte of every RUN: eight a step, as two
         * vectors of four (GCC and clang vector types: SSE2 on x86-64,
         * plain code where there is none), stored with memcpy as d need
         * not be aligned. */
        typedef uint32_t u32x4 __attribute__((vector_size(16)));
        u32x4 v = { base, base + 1, base + 2, base + 3 };
        const u32x4 four = { 4, 4, 4, 4 };
        for (; o + 8 <= len; o += 8) {
            memcpy(d + o, &v, sizeof v);
            v += four;
            memcpy(d + o + 4, &v, sizeof v);
            v += four;
        }
        if (o + 4 <= len) {
            memcpy(d + o, &v, sizeof v);
            o += 4;
        }
        base += o;
#endif
        for (; o < len; o++, base++)
            d[o] = base;
        m += len;
    }
    if (first == UINT32_MAX)
        first = in->n_segs && in->segs[0].start <= in->segs[0].end ? in->segs[0].start : 0;
    text[m] = '\0';
    /* The end sentinel: just past the last byte, for empty spans at the end. */
    pos[m] = m ? pos[m - 1] + 1 : first;
    parse_text(a, s, text, m, pos);
    if (truncated && s->n_problems < SH_MAX_PROBLEMS) {
        /* Only reachable with a text of hundreds of MB. */
        struct sh_problem *np = arena_alloc(a, (s->n_problems + 1) * sizeof *np);
        if (s->n_problems)
            memcpy(np, s->problems, s->n_problems * sizeof *np);
        np[s->n_problems].span = span_make(pos[m], pos[m]);
        np[s->n_problems].msg = "shell text too large; the rest is not read";
        s->problems = np;
        s->n_problems++;
    }
    return s;
}

struct sh_script *sh_parse_range(const char *src, uint32_t start, uint32_t end, struct arena *a)
{
    struct sh_segment seg = { start, end };
    struct sh_input in = { src, &seg, 1 };
    return sh_parse(&in, a);
}

/* ------------------------------------------------------------ word helpers */

struct str sh_word_assign_name(const struct sh_word *w)
{
    uint32_t len = 0;
    if (!sh_int_assignment(w->raw, &len))
        return str_make(w->value.ptr, 0);
    return str_make(w->value.ptr, len);
}

struct str sh_word_assign_value(const struct sh_word *w)
{
    uint32_t len = 0;
    if (!sh_int_assignment(w->raw, &len))
        return str_make(w->value.ptr, 0);
    /* The name is unquoted, so it has the same length in raw and value. */
    size_t at = len + (w->value.ptr[len] == '+' ? 2 : 1);
    if (at > w->value.len)
        at = w->value.len;
    return str_make(w->value.ptr + at, w->value.len - at);
}

struct span sh_word_value_span(const struct sh_word *w, uint32_t from, uint32_t to)
{
    uint32_t len = (uint32_t)w->value.len;
    if (to > len)
        to = len;
    if (from > to)
        from = to;
    if (from == to)
        return span_make(w->value_src[from], w->value_src[from]);
    uint32_t s = w->value_src[from], e = w->value_src[to - 1] + 1;
    return span_make(s, e > s ? e : s);
}
