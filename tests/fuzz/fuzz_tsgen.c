/* libFuzzer target for tsgen: the input bytes drive the construction of a
 * random but well-formed grammar.json (rules built from SEQ, CHOICE, REPEAT,
 * REPEAT1, STRING, PATTERN, SYMBOL, BLANK, FIELD, ALIAS, TOKEN,
 * IMMEDIATE_TOKEN and the PREC family, with extras, conflicts, inline, word
 * and supertypes), which is then compiled. tsgen must either produce a
 * parser or report a grammar error: never crash, hang or leak. Inputs that
 * start with '{' are passed through as raw JSON, so malformed documents are
 * fuzzed too. */
#include "common/buf.h"
#include "common/err.h"
#include "tsgen_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rng {
    const uint8_t *p;
    size_t n;
};

static unsigned take(struct rng *r, unsigned mod)
{
    if (!r->n || !mod)
        return 0;
    unsigned v = *r->p++;
    r->n--;
    return v % mod;
}

static const char *const strings[] = { "a", "b", "if", "else", "(",  ")",
                                       "+", "-", "*",  ";",    "ab", "=" };
static const char *const patterns[] = { "[a-z]+", "\\\\d+", "[^\\\\n]*x",   "a|b",
                                        "(ab)?c", "\\\\s",  "[0-9a-f]{2,4}" };

static int rule(struct rng *r, struct buf *b, unsigned n_rules, int depth)
{
    unsigned k = depth > 4 ? take(r, 3) : take(r, 14);
    int rc = 0;
    switch (k) {
    case 0: return buf_printf(b, "{\"type\":\"STRING\",\"value\":\"%s\"}", strings[take(r, 12)]);
    case 1: return buf_printf(b, "{\"type\":\"SYMBOL\",\"name\":\"r%u\"}", take(r, n_rules));
    case 2: return buf_printf(b, "{\"type\":\"PATTERN\",\"value\":\"%s\"}", patterns[take(r, 7)]);
    case 3: return buf_append_cstr(b, "{\"type\":\"BLANK\"}");
    case 4:
    case 5: {
        unsigned m = 1 + take(r, 3);
        rc = buf_printf(b, "{\"type\":\"%s\",\"members\":[", k == 4 ? "SEQ" : "CHOICE");
        for (unsigned i = 0; i < m && !rc; i++) {
            if (i)
                rc = buf_append_char(b, ',');
            if (!rc)
                rc = rule(r, b, n_rules, depth + 1);
        }
        return rc ? rc : buf_append_cstr(b, "]}");
    }
    default: {
        static const char *const unary[] = { "REPEAT", "REPEAT1", "TOKEN", "IMMEDIATE_TOKEN",
                                             "FIELD",  "ALIAS",   "PREC",  "PREC_LEFT" };
        const char *t = unary[(k - 6) % 8];
        rc = buf_printf(b, "{\"type\":\"%s\",", t);
        if (!rc && strcmp(t, "FIELD") == 0)
            rc = buf_printf(b, "\"name\":\"f%u\",", take(r, 3));
        if (!rc && strcmp(t, "ALIAS") == 0)
            rc = buf_printf(b, "\"value\":\"al%u\",\"named\":%s,", take(r, 3),
                            take(r, 2) ? "true" : "false");
        if (!rc && strncmp(t, "PREC", 4) == 0)
            rc = buf_printf(b, "\"value\":%d,", (int)take(r, 5) - 2);
        if (!rc)
            rc = buf_append_cstr(b, "\"content\":");
        if (!rc)
            rc = rule(r, b, n_rules, depth + 1);
        return rc ? rc : buf_append_char(b, '}');
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    struct buf b = BUF_INIT;
    if (size && data[0] == '{') {
        if (buf_append(&b, data, size))
            abort();
    } else {
        struct rng r = { data, size };
        unsigned n_rules = 1 + take(&r, 5);
        int rc = buf_append_cstr(&b, "{\"name\":\"fuzz\",\"rules\":{");
        for (unsigned i = 0; i < n_rules && !rc; i++) {
            rc = buf_printf(&b, "%s\"r%u\":", i ? "," : "", i);
            if (!rc)
                rc = rule(&r, &b, n_rules, 0);
        }
        if (!rc)
            rc = buf_printf(&b, "},\"extras\":[{\"type\":\"PATTERN\",\"value\":\"\\\\s\"}]");
        if (!rc && take(&r, 2))
            rc = buf_printf(&b, ",\"conflicts\":[[\"r0\",\"r%u\"]]", take(&r, n_rules));
        if (!rc && take(&r, 3) == 0)
            rc = buf_printf(&b, ",\"inline\":[\"r%u\"]", take(&r, n_rules));
        if (!rc && take(&r, 3) == 0)
            rc = buf_printf(&b, ",\"word\":\"r%u\"", take(&r, n_rules));
        if (!rc)
            rc = buf_append_char(&b, '}');
        if (rc)
            abort();
    }
    struct tsgen_output out;
    struct err e;
    /* On failure too, out may hold a conflict report: always released. */
    (void)tsgen_generate(buf_cstr(&b), b.len, true, &out, &e);
    tsgen_output_release(&out);
    buf_release(&b);
    return 0;
}
