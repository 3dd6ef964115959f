/* External scanner of the `externals` test grammar: here-documents.
 *
 *   cat <<EOF        heredoc_start: "<<" and a delimiter word, remembered
 *   line one         heredoc_body: every line up to the delimiter line
 *   EOF              heredoc_end: the delimiter line and its newline
 *
 * The delimiter lives in the scanner's state between tokens, so it must
 * survive serialize/deserialize: the runtime restores the state saved after
 * the last external token before every call, and an incremental reparse
 * that starts inside a body only works when it does. */
#include "common/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tree_sitter/parser.h>

/* Indices in the grammar's `externals` list. */
enum heredoc_token { HEREDOC_START, HEREDOC_BODY, HEREDOC_END };

#define DELIMITER_MAX 64

struct heredoc_scanner {
    bool pending; /* a heredoc started and has not ended */
    uint8_t len;
    char delimiter[DELIMITER_MAX];
};

/* The five entry points are called by the parser that tsgen generates. */
void *tree_sitter_externals_external_scanner_create(void);
void tree_sitter_externals_external_scanner_destroy(void *payload);
unsigned tree_sitter_externals_external_scanner_serialize(void *payload, char *buffer);
void tree_sitter_externals_external_scanner_deserialize(void *payload, const char *buffer,
                                                        unsigned length);
bool tree_sitter_externals_external_scanner_scan(void *payload, TSLexer *lexer,
                                                 const bool *valid_symbols);

void *tree_sitter_externals_external_scanner_create(void)
{
    return xcalloc(1, sizeof(struct heredoc_scanner));
}

void tree_sitter_externals_external_scanner_destroy(void *payload)
{
    free(payload);
}

unsigned tree_sitter_externals_external_scanner_serialize(void *payload, char *buffer)
{
    const struct heredoc_scanner *s = payload;
    buffer[0] = (char)s->pending;
    buffer[1] = (char)s->len;
    memcpy(buffer + 2, s->delimiter, s->len);
    return 2u + s->len;
}

void tree_sitter_externals_external_scanner_deserialize(void *payload, const char *buffer,
                                                        unsigned length)
{
    struct heredoc_scanner *s = payload;
    memset(s, 0, sizeof *s);
    if (length < 2)
        return;
    unsigned len = (uint8_t)buffer[1];
    /* A state this scanner did not write: start afresh. */
    if (len > DELIMITER_MAX || length != 2u + len)
        return;
    s->pending = buffer[0] != 0;
    s->len = (uint8_t)len;
    memcpy(s->delimiter, buffer + 2, len);
}

static bool is_delimiter_char(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool scan_start(struct heredoc_scanner *s, TSLexer *lexer)
{
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t')
        lexer->advance(lexer, true);
    for (int i = 0; i < 2; i++) {
        if (lexer->lookahead != '<')
            return false;
        lexer->advance(lexer, false);
    }
    uint8_t len = 0;
    char delimiter[DELIMITER_MAX];
    while (is_delimiter_char(lexer->lookahead)) {
        if (len == DELIMITER_MAX)
            return false;
        delimiter[len++] = (char)lexer->lookahead;
        lexer->advance(lexer, false);
    }
    if (len == 0)
        return false;
    s->pending = true;
    s->len = len;
    memcpy(s->delimiter, delimiter, len);
    lexer->mark_end(lexer);
    lexer->result_symbol = HEREDOC_START;
    return true;
}

/* At the start of a line: consumes characters while they spell the
 * delimiter; true when the whole line is the delimiter. The characters are
 * consumed either way (the caller decides where the token ends) and
 * *consumed is set when there were any. */
static bool at_delimiter_line(const struct heredoc_scanner *s, TSLexer *lexer, bool *consumed)
{
    for (uint8_t i = 0; i < s->len; i++) {
        if (lexer->lookahead != s->delimiter[i] || lexer->eof(lexer))
            return false;
        lexer->advance(lexer, false);
        *consumed = true;
    }
    return lexer->lookahead == '\n' || lexer->eof(lexer);
}

static bool scan_body_or_end(struct heredoc_scanner *s, TSLexer *lexer, const bool *valid)
{
    bool consumed = false;
    if (at_delimiter_line(s, lexer, &consumed)) {
        if (!valid[HEREDOC_END])
            return false;
        if (lexer->lookahead == '\n')
            lexer->advance(lexer, false);
        lexer->mark_end(lexer);
        s->pending = false;
        s->len = 0;
        lexer->result_symbol = HEREDOC_END;
        return true;
    }
    if (!valid[HEREDOC_BODY])
        return false;
    /* The body: whole lines up to the next delimiter line or the end of
     * the input. The line being read may have started with part of the
     * delimiter. */
    for (;;) {
        while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
            lexer->advance(lexer, false);
            consumed = true;
        }
        if (lexer->eof(lexer)) {
            if (!consumed)
                return false;
            lexer->mark_end(lexer);
            break;
        }
        lexer->advance(lexer, false);
        consumed = true;
        lexer->mark_end(lexer);
        if (at_delimiter_line(s, lexer, &consumed))
            break;
    }
    lexer->result_symbol = HEREDOC_BODY;
    return true;
}

bool tree_sitter_externals_external_scanner_scan(void *payload, TSLexer *lexer,
                                                 const bool *valid_symbols)
{
    struct heredoc_scanner *s = payload;
    /* Error recovery marks every external token valid at once, which never
     * happens otherwise: decline and let the internal lexer go on. */
    if (valid_symbols[HEREDOC_START] && valid_symbols[HEREDOC_BODY] && valid_symbols[HEREDOC_END])
        return false;
    if (s->pending && (valid_symbols[HEREDOC_BODY] || valid_symbols[HEREDOC_END]))
        return scan_body_or_end(s, lexer, valid_symbols);
    if (valid_symbols[HEREDOC_START])
        return scan_start(s, lexer);
    return false;
}
