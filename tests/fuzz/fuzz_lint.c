/* libFuzzer target for the whole lint path: any bytes give a model, every
 * rule runs on it (preview rules too), and fixing (safe, then unsafe) ends
 * at a fixed point that adds no syntax error, and fixing the result again
 * changes nothing (idempotence). */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "rules/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct eng *engine;

static struct eng *get_engine(void)
{
    if (!engine) {
        static const char *const all[] = { "DW0", "DW1", "DW2", "DW3", "DW4", "DW5", "DW6", NULL };
        struct eng_options o;
        memset(&o, 0, sizeof o);
        o.select = all;
        o.preview = true;
        struct err e;
        engine = eng_new(rule_registry, rule_registry_len, &o, &e);
        if (!engine)
            abort();
    }
    return engine;
}

static void check_fix(struct df_file *f, enum eng_fix_mode mode)
{
    struct eng_fixed fixed;
    struct err e;
    if (eng_fix(get_engine(), f, mode, NULL, &fixed, &e))
        return; /* an I/O-free fix only fails on resource limits */
    if (!fixed.converged)
        abort();
    if (fixed.result && fixed.n_files) {
        /* Fixes must not add syntax errors. */
        if (fixed.result->model.n_syntax_errors > f->model.n_syntax_errors)
            abort();
        /* A second round changes nothing. */
        struct eng_fixed again;
        if (eng_fix(get_engine(), fixed.result, mode, NULL, &again, &e) == 0) {
            /* Without a context the Dockerfile is the only file, and a
             * converged fix leaves nothing to apply in it: fixing twice is
             * fixing once. */
            if (again.n_files != 0 || again.n_applied != 0)
                abort();
            if (again.result)
                df_file_free(again.result);
        }
    }
    if (fixed.result)
        df_file_free(fixed.result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct err e;
    struct df_file *f = df_file_new("fuzz.Dockerfile", (const char *)data, size, NULL, &e);
    if (!f)
        return 0;
    struct eng_result r;
    if (eng_lint(get_engine(), f, &r, &e) == 0) {
        for (uint32_t i = 0; i < r.n_findings; i++)
            if (r.findings[i].span.end > f->len ||
                r.findings[i].span.start > r.findings[i].span.end)
                abort();
    }
    check_fix(f, ENG_FIX_SAFE);
    check_fix(f, ENG_FIX_UNSAFE);
    df_file_free(f);
    return 0;
}
