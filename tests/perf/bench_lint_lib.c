/* The lint as a library over files already in memory, one thread: the
 * counterpart of a Node.js program calling dockerfile-utils' validate() on
 * every file (tests/perf/bench_lint.sh runs both).
 *
 *   bench_lint_lib ROUNDS FILE...
 *
 * Reads every file first, makes the engine `dockwright lint --select
 * DW0,...,DW6 --preview` makes (no --context: the [ctx] rules are skipped,
 * as rules.md says and the CLI does), then times ROUNDS passes of parse +
 * model + every rule + free over all files and prints the best pass and
 * the number of findings: the CLI reports the same number for the same
 * files; what it does besides is process start-up, reading the files and
 * formatting the report. */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/buf.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct input {
    const char *path;
    char *text;
    size_t len;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_lint_lib ROUNDS FILE...\n");
        return 2;
    }
    long rounds = strtol(argv[1], NULL, 10);
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "bench_lint_lib: ROUNDS must be 1..1000\n");
        return 2;
    }
    static const char *const blocks[] = { "DW0", "DW1", "DW2", "DW3", "DW4", "DW5", "DW6", NULL };
    struct err e;
    struct eng_options o = { .select = blocks, .preview = true };
    struct eng *eng = eng_new(rule_registry, rule_registry_len, &o, &e);
    if (!eng) {
        fprintf(stderr, "bench_lint_lib: %s\n", e.msg);
        return 2;
    }
    int rc = 0;
    size_t n = (size_t)argc - 2, bytes = 0;
    struct input *in = xcalloc(n, sizeof *in);
    for (size_t i = 0; i < n; i++) {
        in[i].path = argv[i + 2];
        struct buf b = BUF_INIT;
        if (file_read_all(in[i].path, 0, &b, &e)) {
            fprintf(stderr, "bench_lint_lib: %s\n", e.msg);
            buf_release(&b);
            rc = 2;
            goto out;
        }
        in[i].text = buf_detach(&b, &in[i].len);
        bytes += in[i].len;
    }
    double best = 1e30;
    unsigned long findings = 0;
    for (long r = 0; r < rounds; r++) {
        findings = 0;
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            struct df_file *f = df_file_new(in[i].path, in[i].text, in[i].len, NULL, &e);
            struct eng_result res;
            if (!f || eng_lint(eng, f, &res, &e)) {
                fprintf(stderr, "bench_lint_lib: %s: %s\n", in[i].path, e.msg);
                df_file_free(f);
                rc = 2;
                goto out;
            }
            findings += res.n_findings;
            df_file_free(f);
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    printf("files %zu, bytes %zu, findings %lu, best of %ld rounds: %.1f ms\n", n, bytes, findings,
           rounds, best * 1e3);
out:
    eng_free(eng);
    for (size_t i = 0; i < n; i++)
        free(in[i].text);
    free(in);
    return rc;
}
