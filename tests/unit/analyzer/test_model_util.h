/* Helpers shared by the model's unit tests (tests/unit/analyzer/test_model*.c):
 * building a model from a string and comparing texts and spans with
 * messages that name the test's own line. */
#ifndef DW_TESTS_TEST_MODEL_UTIL_H
#define DW_TESTS_TEST_MODEL_UTIL_H

#include "analyzer/model.h"
#include "common/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static inline struct df_file *tm_parse_opts(const char *text, const struct df_build_opts *o)
{
    struct err e;
    err_clear(&e);
    struct df_file *f = df_file_new("Dockerfile", text, strlen(text), o, &e);
    if (!f)
        fail_msg("df_file_new failed: %s", e.msg);
    return f;
}

static inline struct df_file *tm_parse(const char *text)
{
    return tm_parse_opts(text, NULL);
}

/* The offset of the nth (0-based) occurrence of needle in the file. */
static inline uint32_t tm_off_at(const struct df_file *f, const char *needle, int nth,
                                 const char *file, int line)
{
    const char *p = f->src;
    for (;;) {
        const char *q = strstr(p, needle);
        if (!q) {
            print_error("'%s' (occurrence %d) not in the file\n", needle, nth);
            _fail(file, line);
        }
        if (nth-- == 0)
            return (uint32_t)(q - f->src);
        p = q + 1;
    }
}
#define TM_OFF(f, needle, nth) tm_off_at((f), (needle), (nth), __FILE__, __LINE__)

static inline void tm_str_at(struct str s, const char *want, const char *file, int line)
{
    if (!want) {
        if (s.ptr) {
            print_error("expected no text, got [%.*s]\n", (int)s.len, s.ptr);
            _fail(file, line);
        }
        return;
    }
    if (!s.ptr || s.len != strlen(want) || memcmp(s.ptr, want, s.len) != 0) {
        print_error("expected [%s], got [%.*s]%s\n", want, s.ptr ? (int)s.len : 0,
                    s.ptr ? s.ptr : "", s.ptr ? "" : " (null)");
        _fail(file, line);
    }
}
#define TM_STR(s, want) tm_str_at((s), (want), __FILE__, __LINE__)
#define TM_TEXT(t, want) tm_str_at((t).raw, (want), __FILE__, __LINE__)

static inline void tm_span_at(struct span s, uint32_t start, uint32_t end, const char *file,
                              int line)
{
    if (s.start != start || s.end != end) {
        print_error("expected span [%u, %u), got [%u, %u)\n", start, end, s.start, s.end);
        _fail(file, line);
    }
}
#define TM_SPAN(s, a, b) tm_span_at((s), (a), (b), __FILE__, __LINE__)

/* The text of src a span covers. */
static inline void tm_src_at(const struct df_file *f, struct span s, const char *want,
                             const char *file, int line)
{
    tm_str_at(str_make(f->src + s.start, s.end - s.start), want, file, line);
}
#define TM_SRC(f, s, want) tm_src_at((f), (s), (want), __FILE__, __LINE__)

#endif
