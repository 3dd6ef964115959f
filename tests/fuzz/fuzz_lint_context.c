/* libFuzzer target for the lint path with what `dockwright build` and a
 * build context add to it: the input is NUL-separated sections
 *   Dockerfile NUL build args NUL base-image env NUL file 0 NUL file 1 ...
 * (args and env one "NAME=value" per line; the env is every stage's base
 * image Env), and file k is written to the context directory under the
 * k-th name of context_files (a missing section: no such file). Every rule
 * runs with the context (the [ctx] rules, .dockerignore, .yarnrc.yml,
 * yarn.lock, package files, secret files); fixing (safe, then unsafe)
 * converges, adds no syntax error, edits only files inside the context,
 * and fixing again, with the fixed files written, changes nothing. */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/xalloc.h"
#include "rules/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const context_files[] = {
    ".dockerignore",
    "Dockerfile.dockerignore",
    ".yarnrc.yml",
    "yarn.lock",
    ".pnp.cjs",
    "package.json",
    "package-lock.json",
    "requirements.txt",
    ".npmrc",
    ".pypirc",
    "Gemfile",
    "go.mod",
    "app/main.py",
    ".env",
    "id_rsa",
    "pyproject.toml",
};
#define N_FILES (sizeof context_files / sizeof context_files[0])
#define MAX_VARS 16
#define N_STAGES 4

static char base[512];
static struct eng *engine;

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static const char *path(const char *rel)
{
    static char p[4][700];
    static int turn;
    turn = (turn + 1) % 4;
    snprintf(p[turn], sizeof p[turn], "%s/%s", base, rel);
    return p[turn];
}

static void put_file(const char *rel, const char *text, size_t len)
{
    int fd = open(path(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0);
    check(len == 0 || write(fd, text, len) == (ssize_t)len);
    close(fd);
}

static void drop_file(const char *rel)
{
    check(unlink(path(rel)) == 0 || errno == ENOENT);
}

struct input {
    struct str sect[3 + N_FILES];
    size_t n_sect;
};

/* Writes the context as the input describes it (again after a fix wrote
 * into it). */
static void write_context(const struct input *in)
{
    for (size_t k = 0; k < N_FILES; k++) {
        if (3 + k < in->n_sect)
            put_file(context_files[k], in->sect[3 + k].ptr, in->sect[3 + k].len);
        else
            drop_file(context_files[k]);
    }
    put_file("Dockerfile", in->sect[0].ptr, in->sect[0].len);
}

/* Up to MAX_VARS lines of s as NUL-terminated strings, into vars (a
 * NULL-terminated list; each string heap-allocated). */
static void split_vars(struct str s, char **vars)
{
    size_t n = 0, pos = 0;
    while (pos < s.len && n < MAX_VARS) {
        const char *nl = memchr(s.ptr + pos, '\n', s.len - pos);
        size_t end = nl ? (size_t)(nl - s.ptr) : s.len;
        char *v = xmalloc(end - pos + 1);
        memcpy(v, s.ptr + pos, end - pos);
        v[end - pos] = '\0';
        vars[n++] = v;
        pos = end + 1;
    }
    vars[n] = NULL;
}

static void free_vars(char **vars)
{
    for (size_t i = 0; vars[i]; i++)
        free(vars[i]);
}

static void check_fix(struct df_file *f, const struct input *in, enum eng_fix_mode mode)
{
    write_context(in);
    struct eng_fixed fixed;
    struct err e;
    if (eng_fix(engine, f, mode, base, &fixed, &e))
        return; /* resource limits only */
    check(fixed.converged);
    check(fixed.result != NULL);
    check(fixed.result->model.n_syntax_errors <= f->model.n_syntax_errors);
    /* Write what the fix made, as `lint --fix` does, then fix again. */
    for (uint32_t i = 0; i < fixed.n_files; i++) {
        const char *p = fixed.files[i].path;
        if (p)
            check(p[0] && p[0] != '/' && strstr(p, "..") == NULL);
        put_file(p ? p : "Dockerfile", fixed.files[i].text.ptr, fixed.files[i].text.len);
    }
    struct eng_fixed again;
    if (eng_fix(engine, fixed.result, mode, base, &again, &e) == 0) {
        /* Fixing twice is fixing once. */
        check(again.n_files == 0 && again.n_applied == 0);
        df_file_free(again.result);
    }
    df_file_free(fixed.result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    if (!base[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(base, sizeof base, "%s/dw-fuzz-ctx-XXXXXX", t && *t ? t : "/tmp");
        check(mkdtemp(base) != NULL);
        check(mkdir(path("app"), 0755) == 0);
        static const char *const all[] = { "DW0", "DW1", "DW2", "DW3", "DW4", "DW5", "DW6", NULL };
        struct eng_options o;
        memset(&o, 0, sizeof o);
        o.select = all;
        o.preview = true;
        o.context_dir = base;
        struct err e;
        engine = eng_new(rule_registry, rule_registry_len, &o, &e);
        check(engine != NULL);
    }
    struct input in = { { { NULL, 0 } }, 0 };
    const char *p = (const char *)data;
    size_t left = size;
    while (in.n_sect < sizeof in.sect / sizeof in.sect[0]) {
        const char *nul = memchr(p, '\0', left);
        size_t n = nul ? (size_t)(nul - p) : left;
        in.sect[in.n_sect++] = str_make(p, n);
        if (!nul)
            break;
        p = nul + 1;
        left -= n + 1;
    }
    write_context(&in);

    char *args[MAX_VARS + 1] = { NULL }, *env[MAX_VARS + 1] = { NULL };
    if (in.n_sect > 1)
        split_vars(in.sect[1], args);
    if (in.n_sect > 2)
        split_vars(in.sect[2], env);
    const char *const *stage_env[N_STAGES];
    for (size_t i = 0; i < N_STAGES; i++)
        stage_env[i] = (const char *const *)env;
    struct df_build_opts bo = { NULL, (const char *const *)args, NULL, stage_env, N_STAGES };

    struct err e;
    struct df_file *f = df_file_new(path("Dockerfile"), in.sect[0].ptr ? in.sect[0].ptr : "",
                                    in.sect[0].len, in.n_sect > 1 ? &bo : NULL, &e);
    if (f) {
        struct eng_result r;
        if (eng_lint(engine, f, &r, &e) == 0)
            for (uint32_t i = 0; i < r.n_findings; i++)
                check(r.findings[i].span.start <= r.findings[i].span.end &&
                      r.findings[i].span.end <= f->len);
        check_fix(f, &in, ENG_FIX_SAFE);
        check_fix(f, &in, ENG_FIX_UNSAFE);
        df_file_free(f);
    }
    free_vars(args);
    free_vars(env);
    return 0;
}
