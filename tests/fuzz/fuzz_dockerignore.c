/* libFuzzer target for .dockerignore files. The input is the file; every
 * line of it is also tried as a path and as a COPY-style glob. Errors are
 * expected; crashes, sanitizer reports and broken invariants (abort) are
 * not: cleaning is idempotent, a path is never excluded by an exception,
 * and a glob that loaded as a pattern never reports a syntax error. */
#include "analyzer/dockerignore.h"
#include "common/arena.h"
#include "common/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixed_paths[] = {
    "a",         "a/b",   "a/b/c",      "node_modules/x/y.js", "build",
    ".git/HEAD", "x.log", "logs/x.log", "README.md",           "d/e/f",
};

static void try_path(struct arena *a, const struct di_file *f, const char *p, size_t n)
{
    if (memchr(p, '\0', n))
        return; /* no file name holds a NUL */
    int dec = -2;
    bool ex = di_match(f, p, n, &dec);
    if (dec < -1 || dec >= (int)f->n_patterns)
        abort();
    if (ex && (dec < 0 || f->patterns[dec].exclusion))
        abort();
    if (!ex && dec >= 0 && !f->patterns[dec].exclusion)
        abort();
    /* Matching is a function of the cleaned path. */
    char *c = di_clean(a, p, n);
    if (di_match(f, c, strlen(c), NULL) != ex)
        abort();
    char *cc = di_clean(a, c, strlen(c));
    if (strcmp(c, cc) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    const char *text = (const char *)data;
    struct arena a;
    arena_init(&a);
    struct di_file *f;
    struct err e;
    int rc = di_load(&a, "fuzz/.dockerignore", text, size, &f, &e);
    if (rc) {
        if (f || !e.msg[0] || !e.line)
            abort();
        arena_release(&a);
        return 0;
    }
    for (size_t i = 0; i < f->n_patterns; i++) {
        const struct di_pattern *p = &f->patterns[i];
        if (p->text.ptr[p->text.len] != '\0' || !p->line)
            abort();
        /* Every loaded pattern is a valid filepath.Match pattern. */
        if (di_glob_match(p->text.ptr, p->text.len, ".", 1) < 0)
            abort();
    }
    for (size_t i = 0; i < sizeof fixed_paths / sizeof fixed_paths[0]; i++)
        try_path(&a, f, fixed_paths[i], strlen(fixed_paths[i]));
    size_t lines = 0;
    for (size_t pos = 0; pos < size && lines < 64; lines++) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - text) : size;
        try_path(&a, f, text + pos, end - pos);
        for (size_t k = 0; k < 4 && k < sizeof fixed_paths / sizeof fixed_paths[0]; k++) {
            int g = di_glob_match(text + pos, end - pos, fixed_paths[k], strlen(fixed_paths[k]));
            if (g != 0 && g != 1 && g != ERR_SYNTAX)
                abort();
        }
        pos = end + 1;
    }
    arena_release(&a);
    return 0;
}
