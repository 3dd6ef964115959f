/* tsgen: grammar.json -> parser.c for libtree-sitter 0.20.7 (ABI 14).
 *
 *   tsgen GRAMMAR.json -o parser.c [--node-types FILE] [--stats]
 *
 * Exit status: 0 on success, 1 when the grammar is wrong (the message says
 * where), 2 on usage or I/O errors. Outputs are written atomically: a
 * failed run leaves no file behind and an existing one untouched. */
#include "common/fileio.h"
#include "tsgen_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* grammar.json files are a few hundred kilobytes; refuse absurd input. */
#define MAX_GRAMMAR_BYTES ((size_t)64 * 1024 * 1024)

static void usage(FILE *fp)
{
    fputs("usage: tsgen GRAMMAR.json -o parser.c [--node-types FILE] [--stats]\n"
          "\n"
          "Generates a tree-sitter parser (language ABI 14, for libtree-sitter 0.20.7)\n"
          "from a grammar in tree-sitter's grammar.json format.\n"
          "\n"
          "  -o FILE              write the parser to FILE\n"
          "  --node-types FILE    also write node-types.json to FILE\n"
          "  --stats              print table sizes and timing to stderr\n"
          "  -h, --help           show this help\n",
          fp);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *grammar = NULL, *output = NULL, *node_types = NULL;
    bool stats = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "tsgen: option '%s' needs a file\n", a);
                return 2;
            }
            output = argv[i];
        } else if (strcmp(a, "--node-types") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "tsgen: option '%s' needs a file\n", a);
                return 2;
            }
            node_types = argv[i];
        } else if (strcmp(a, "--stats") == 0) {
            stats = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tsgen: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!grammar) {
            grammar = a;
        } else {
            fprintf(stderr, "tsgen: more than one grammar given ('%s' and '%s')\n", grammar, a);
            return 2;
        }
    }
    if (!grammar || !output) {
        fprintf(stderr, "tsgen: %s\n", !grammar ? "no grammar given" : "no output file (-o)");
        usage(stderr);
        return 2;
    }

    struct err err;
    err_clear(&err);
    struct buf text = BUF_INIT;
    if (file_read_all(grammar, MAX_GRAMMAR_BYTES, &text, &err)) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX + 64];
        err_format(&err, msg, sizeof msg);
        fprintf(stderr, "tsgen: %s\n", msg);
        buf_release(&text);
        return 2;
    }
    double t0 = seconds();
    struct tsgen_output out;
    int rc = tsgen_generate(text.data ? text.data : "", text.len, node_types != NULL, &out, &err);
    double t1 = seconds();
    buf_release(&text);
    if (rc) {
        if (err.line)
            fprintf(stderr, "tsgen: %s:%u:%u: %s\n", grammar, err.line, err.col, err.msg);
        else
            fprintf(stderr, "tsgen: %s: %s\n", grammar, err.msg);
        if (out.report.len)
            fprintf(stderr, "\n%s", buf_cstr(&out.report));
        tsgen_output_release(&out);
        return rc == ERR_INVALID || rc == ERR_SYNTAX ? 1 : 2;
    }
    int status = 0;
    /* node-types.json first: build systems watch parser.c, which must not
     * look fresh when its companion could not be written. */
    if ((node_types && file_write_atomic(node_types, buf_cstr(&out.node_types), out.node_types.len,
                                         0644, &err)) ||
        file_write_atomic(output, out.parser_c.data ? out.parser_c.data : "", out.parser_c.len,
                          0644, &err)) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX + 64];
        err_format(&err, msg, sizeof msg);
        fprintf(stderr, "tsgen: %s\n", msg);
        status = 2;
    }
    if (stats && status == 0)
        fprintf(stderr, "tsgen: %s: %u LR(1) states, %u parse states, %zu bytes, %.3f s\n", grammar,
                out.n_lr1_states, out.n_states, out.parser_c.len, t1 - t0);
    tsgen_output_release(&out);
    return status;
}
