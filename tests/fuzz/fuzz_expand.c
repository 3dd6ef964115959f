/* libFuzzer target for variable expansion. The input is
 *   <mode byte> <word> [NUL <value of A> [NUL <value of B>]]
 * where the mode byte picks the escape character and the flags. Errors are
 * expected; crashes, sanitizer reports, spans outside the word and results
 * over the cap are not (they abort). */
#include "analyzer/expand.h"
#include "common/arena.h"
#include "common/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_LEN ((size_t)64 * 1024)
#define OFFSET 1000u

struct fuzz_env {
    struct str a, b;
    bool has_b;
};

static bool lookup(void *ctx, struct str name, struct str *value)
{
    const struct fuzz_env *e = ctx;
    if (str_eq_cstr(name, "A")) {
        *value = e->a;
        return true;
    }
    if (str_eq_cstr(name, "B") && e->has_b) {
        *value = e->b;
        return true;
    }
    if (str_eq_cstr(name, "EMPTY")) {
        *value = STR_LIT("");
        return true;
    }
    if (str_eq_cstr(name, "SP")) {
        *value = STR_LIT(" a  b ");
        return true;
    }
    return false;
}

static void check_span(struct span s, size_t len)
{
    if (s.start > s.end || s.start < OFFSET || s.end > OFFSET + len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    uint8_t mode = data[0];
    const char *word = (const char *)data + 1;
    size_t len = size - 1;
    struct fuzz_env fe = { STR_LIT("xxyy"), STR_NULL, false };
    const char *nul = memchr(word, '\0', len);
    if (nul) {
        size_t wl = (size_t)(nul - word);
        const char *rest = nul + 1;
        size_t rl = len - wl - 1;
        const char *nul2 = memchr(rest, '\0', rl);
        fe.a = str_make(rest, nul2 ? (size_t)(nul2 - rest) : rl);
        if (nul2) {
            fe.has_b = true;
            fe.b = str_make(nul2 + 1, rl - (size_t)(nul2 - rest) - 1);
        }
        len = wl;
    }
    struct exp_env env = { lookup, &fe };
    struct exp_opts opts = {
        (mode & 1) ? '`' : '\\',
        ((mode & 2) ? EXP_SPLIT : 0u) | ((mode & 4) ? EXP_NO_QUOTES : 0u),
        FUZZ_MAX_LEN,
    };
    struct arena a;
    arena_init(&a);
    struct exp_result r;
    struct err e;
    int rc = exp_word(&a, word, len, OFFSET, &env, &opts, &r, &e);
    for (size_t i = 0; i < r.n_refs; i++) {
        check_span(r.refs[i].span, len);
        check_span(r.refs[i].name_span, len);
        if (!span_contains(r.refs[i].span, r.refs[i].name_span))
            abort();
        if (r.refs[i].name.ptr != word + (r.refs[i].name_span.start - OFFSET))
            abort();
    }
    if (rc == 0) {
        if (r.value.len > FUZZ_MAX_LEN || r.value.ptr[r.value.len] != '\0')
            abort();
        size_t total = 0;
        for (size_t i = 0; i < r.n_words; i++) {
            if (r.words[i].len == 0)
                abort(); /* empty words are never produced */
            total += r.words[i].len;
        }
        if (total > r.value.len)
            abort();
        if (!(opts.flags & EXP_SPLIT) && r.n_words)
            abort();
    } else {
        if (rc != e.code || !e.msg[0])
            abort();
        if (rc != ERR_SYNTAX && rc != ERR_INVALID && rc != ERR_TOO_LARGE)
            abort();
        check_span(e.span, len);
    }
    arena_release(&a);
    return 0;
}
