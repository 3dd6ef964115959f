/* libFuzzer target for the secret scanner. The first byte picks the
 * context; for ENV/ARG/LABEL the first line is the key and the rest the
 * value; the first line is also tried as an allow pattern. Crashes,
 * sanitizer reports and broken invariants (abort) are bugs: scanning
 * succeeds, findings lie inside the text with the value inside the match,
 * are sorted and disjoint, at most SEC_MAX_FINDINGS, the same on a second
 * scan, and every mask is a short NUL-terminated string. */
#include "analyzer/secrets.h"
#include "common/arena.h"
#include "common/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *text, size_t len, const struct sec_results *r)
{
    size_t nk;
    const struct sec_kind *kinds = sec_kinds(&nk);
    if (r->len > SEC_MAX_FINDINGS || (r->len && !r->items))
        abort();
    for (size_t i = 0; i < r->len; i++) {
        const struct sec_finding *f = &r->items[i];
        if (f->kind < kinds || f->kind >= kinds + nk)
            abort();
        if (f->value.start >= f->value.end || f->value.end > len)
            abort();
        if (f->match.start > f->value.start || f->value.end > f->match.end || f->match.end > len)
            abort();
        if (i && r->items[i - 1].value.end > f->value.start)
            abort();
        if (!(f->entropy >= 0.0 && f->entropy <= 8.0))
            abort();
        char m[SEC_MASK_MAX];
        sec_mask(str_make(text + f->value.start, span_len(f->value)), m);
        if (memchr(m, '\0', sizeof m) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    enum sec_context ctx = (enum sec_context)(data[0] % 7);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *nl = memchr(text, '\n', len);
    struct str first = str_make(text, nl ? (size_t)(nl - text) : len);

    struct arena a;
    arena_init(&a);
    struct err e;
    struct sec_scan_opts o = { ctx, STR_NULL, (data[0] & 0x80) != 0, NULL };
    if (first.len <= 32) {
        struct sec_allow *al = NULL;
        if (sec_allow_compile(&a, &first, 1, &al, &e) == 0) {
            if (!al)
                abort();
            if (data[0] & 0x40)
                o.allow = al;
        } else if (al || !e.msg[0]) {
            abort();
        }
    }
    const char *body = text;
    size_t blen = len;
    if ((ctx == SEC_CTX_ENV || ctx == SEC_CTX_ARG || ctx == SEC_CTX_LABEL) && nl) {
        o.key = first;
        body = nl + 1;
        blen = len - first.len - 1;
    }
    struct sec_results r1, r2;
    if (sec_scan_text(&a, body, blen, &o, &r1, &e) != 0)
        abort();
    check(body, blen, &r1);
    if (sec_scan_text(&a, body, blen, &o, &r2, &e) != 0 || r1.len != r2.len ||
        r1.truncated != r2.truncated)
        abort();
    for (size_t i = 0; i < r1.len; i++)
        if (r1.items[i].kind != r2.items[i].kind ||
            r1.items[i].value.start != r2.items[i].value.start ||
            r1.items[i].value.end != r2.items[i].value.end)
            abort();

    /* The judgements on each line. */
    size_t pos = 0, lines = 0;
    while (pos <= len && lines++ < 64) {
        const char *e2 = memchr(text + pos, '\n', len - pos);
        size_t end = e2 ? (size_t)(e2 - text) : len;
        struct str line = str_make(text + pos, end - pos);
        const char *why = NULL;
        if (sec_name_is_secretish(line, &why) && (!why || !why[0]))
            abort();
        struct sec_file_match fm;
        bool secret_file = sec_path_is_secret_file(line, &fm);
        if (secret_file != (fm.kind != SEC_FILE_NONE) || (secret_file && !fm.reason))
            abort();
        (void)sec_file_content_is_secret((enum sec_file_kind)(lines % 15), text, len);
        (void)sec_value_is_placeholder(line);
        (void)sec_value_is_key_fingerprint(line);
        char m[SEC_MASK_MAX];
        sec_mask(line, m);
        if (memchr(m, '\0', sizeof m) == NULL)
            abort();
        pos = end + 1;
    }
    arena_release(&a);
    return 0;
}
