/* Every query file under grammar/queries compiles against the Dockerfile
 * language, and a query naming a node type the language lacks is refused
 * (so the check can fail). Usage: check_queries QUERIES_DIR */
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "grammar/grammar.h"

#include <stdio.h>
#include <string.h>
#include <tree_sitter/api.h>

static const char *const files[] = { "highlights.scm", "injections.scm", "folds.scm",
                                     "locals.scm" };

static const char *error_name(TSQueryError e)
{
    switch (e) {
    case TSQueryErrorNone: return "none";
    case TSQueryErrorSyntax: return "syntax";
    case TSQueryErrorNodeType: return "unknown node type";
    case TSQueryErrorField: return "unknown field";
    case TSQueryErrorCapture: return "capture";
    case TSQueryErrorStructure: return "impossible structure";
    case TSQueryErrorLanguage: return "language";
    }
    return "?";
}

static int compile(const char *name, const char *src, size_t len)
{
    uint32_t off = 0;
    TSQueryError e = TSQueryErrorNone;
    TSQuery *q = ts_query_new(tree_sitter_dockwright_dockerfile(), src, (uint32_t)len, &off, &e);
    if (!q) {
        printf("FAIL %s: %s error at byte %u: %.40s\n", name, error_name(e), off, src + off);
        return 1;
    }
    printf("ok %s: %u patterns, %u captures\n", name, ts_query_pattern_count(q),
           ts_query_capture_count(q));
    ts_query_delete(q);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check_queries QUERIES_DIR\n");
        return 2;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], files[i]);
        struct buf b = BUF_INIT;
        struct err e;
        if (file_read_all(path, 0, &b, &e)) {
            printf("FAIL %s: cannot read\n", path);
            fails++;
            continue;
        }
        fails += compile(files[i], buf_cstr(&b), b.len);
        buf_release(&b);
    }
    /* The checker itself must be able to fail. */
    const char *bogus = "(from_instruction (no_such_node) @x)";
    uint32_t off;
    TSQueryError qe;
    TSQuery *q = ts_query_new(tree_sitter_dockwright_dockerfile(), bogus, (uint32_t)strlen(bogus),
                              &off, &qe);
    if (q || qe != TSQueryErrorNodeType) {
        printf("FAIL: a query with an unknown node type was accepted\n");
        fails++;
        ts_query_delete(q);
    }
    const char *bad_field = "(from_instruction nosuchfield: (image_spec))";
    q = ts_query_new(tree_sitter_dockwright_dockerfile(), bad_field, (uint32_t)strlen(bad_field),
                     &off, &qe);
    if (q || qe != TSQueryErrorField) {
        printf("FAIL: a query with an unknown field was accepted\n");
        fails++;
        ts_query_delete(q);
    }
    return fails ? 1 : 0;
}
