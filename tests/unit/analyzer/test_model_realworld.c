/* Models for every file of the real-world corpus (../shared/corpus/realworld
 * beside the repository; exits 77 when it is absent): no crash, the
 * model's invariants hold, and syntax errors appear exactly in the files
 * grammar/test/realworld_invalid.txt lists. The paths are found from this
 * file's path: tests/unit/analyzer/ is three levels below the root.
 *
 *   test_model_realworld --bench [ROUNDS]   prints the time to parse every
 *       file (one reused parser) and to build every model (df_file_new +
 *       df_file_free), best of ROUNDS (default 10), and the peak RSS. Use a
 *       Release build for figures. */
#include "test_model_util.h"

#include "common/buf.h"
#include "common/fileio.h"
#include "common/xalloc.h"

#include "grammar/grammar.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <tree_sitter/api.h>

static char root[4096];
static char corpus[4200];
static struct buf invalid_list = BUF_INIT;
static int n_files, n_invalid;

static bool listed(const char *rel)
{
    size_t n = strlen(rel);
    const char *p = buf_cstr(&invalid_list);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && p[0] != '#' && strncmp(p, rel, n) == 0 && (p[n] == '\t' || p[n] == ' '))
            return true;
        if (!eol)
            break;
        p = eol + 1;
    }
    return false;
}

static void check_instr(const struct df_file *f, const struct df_instr *in)
{
    assert_true(in->span.start <= in->span.end && in->span.end <= f->len);
    assert_true(span_contains(in->span, in->keyword));
    for (uint32_t i = 0; i < in->n_args; i++)
        assert_true(in->args[i].span.end <= f->len);
    if (in->form == DF_FORM_SHELL) {
        /* The shell text is its segments, in order. */
        size_t len = 0;
        for (uint32_t i = 0; i < in->n_shell_segs; i++) {
            const struct sh_segment *s = &in->shell_segs[i];
            assert_true(s->start < s->end && s->end <= f->len);
            assert_memory_equal(in->shell.raw.ptr + len, f->src + s->start, s->end - s->start);
            len += s->end - s->start;
        }
        assert_int_equal(len, in->shell.raw.len);
        if (in->kind == DF_RUN && in->n_heredocs == 0)
            assert_non_null(in->script);
    }
    for (uint32_t i = 0; i < in->n_heredocs; i++) {
        const struct df_heredoc *h = &in->heredocs[i];
        assert_true(h->marker.end <= h->body.start && h->body.end <= h->end.start);
    }
    /* Every word the builder expands expands without crashing. */
    struct exp_result r;
    struct err e;
    for (uint32_t i = 0; i < in->n_pairs; i++)
        if (in->pairs[i].value.raw.ptr && df_expand(f, in, &in->pairs[i].value, 0, &r, &e))
            assert_true(e.span.end <= f->len);
    for (uint32_t i = 0; i < in->n_args; i++)
        if (df_expand(f, in, &in->args[i], 0, &r, &e))
            assert_true(e.span.end <= f->len);
    if (in->trigger) {
        assert_ptr_equal(in->trigger->parent, in);
        check_instr(f, in->trigger);
    }
}

static void check_file(const char *rel, const char *text, size_t len)
{
    struct err e;
    struct df_file *f = df_file_new(rel, text, len, NULL, &e);
    if (!f)
        fail_msg("%s: %s", rel, e.msg);
    const struct df_model *m = &f->model;
    for (uint32_t i = 0; i < m->n_all_instrs; i++)
        assert_int_equal(m->all_instrs[i]->index, i);
    uint32_t prev_end = 0;
    for (uint32_t i = 0; i < m->n_instrs; i++) {
        const struct df_instr *in = m->instrs[i];
        assert_true(in->span.start >= prev_end);
        prev_end = in->span.end;
        check_instr(f, in);
    }
    for (uint32_t i = 0; i < m->n_stages; i++) {
        assert_int_equal(m->stages[i].from->kind, DF_FROM);
        assert_true(m->stages[i].base_stage < (int)i);
    }
    for (uint32_t i = 0; i < m->n_syntax_errors; i++) {
        assert_true(m->syntax_errors[i].span.end <= f->len);
        assert_true(m->syntax_errors[i].message[0] >= 'a' && m->syntax_errors[i].message[0] <= 'z');
    }
    for (uint32_t i = 1; i < m->n_dropped; i++)
        assert_true(m->dropped[i - 1].end <= m->dropped[i].start);
    bool bad = m->n_syntax_errors > 0;
    if (bad != listed(rel))
        fail_msg("%s: %s syntax errors (%s)", rel, bad ? "has" : "has no",
                 bad ? m->syntax_errors[0].message : "listed as invalid");
    n_invalid += bad;
    n_files++;
    df_file_free(f);
}

typedef void (*file_fn)(const char *rel, const char *text, size_t len);

static void walk(const char *rel, file_fn fn)
{
    char dir[8192];
    snprintf(dir, sizeof dir, "%s%s%s", corpus, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        char sub[2048], full[8192];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", corpus, sub);
        struct stat st;
        if (lstat(full, &st))
            continue;
        size_t n = strlen(sub);
        if (S_ISDIR(st.st_mode)) {
            walk(sub, fn);
        } else if (S_ISREG(st.st_mode) && strcmp(sub, "MANIFEST.tsv") != 0 &&
                   !(n >= 13 && strcmp(sub + n - 13, ".dockerignore") == 0)) {
            struct buf b = BUF_INIT;
            struct err er;
            assert_int_equal(file_read_all(full, 0, &b, &er), 0);
            fn(sub, buf_cstr(&b), b.len);
            buf_release(&b);
        }
    }
    closedir(d);
}

static void test_realworld(void **state)
{
    (void)state;
    walk("", check_file);
    assert_true(n_files > 100);
    print_message("%d files, %d with syntax errors\n", n_files, n_invalid);
}

/* ---------------------------------------------------------------- bench */

struct loaded {
    char *text;
    size_t len;
};
static struct loaded *loaded;
static size_t n_loaded, cap_loaded;

static void load_file(const char *rel, const char *text, size_t len)
{
    (void)rel;
    if (n_loaded == cap_loaded) {
        cap_loaded = cap_loaded ? 2 * cap_loaded : 256;
        loaded = xreallocarray(loaded, cap_loaded, sizeof *loaded);
    }
    loaded[n_loaded].text = xmalloc(len + 1);
    memcpy(loaded[n_loaded].text, text, len);
    loaded[n_loaded++].len = len;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(int rounds)
{
    walk("", load_file);
    size_t bytes = 0;
    for (size_t i = 0; i < n_loaded; i++)
        bytes += loaded[i].len;
    TSParser *p = ts_parser_new();
    if (!ts_parser_set_language(p, tree_sitter_dockwright_dockerfile()))
        return 2;
    double parse = 1e30, model = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (size_t i = 0; i < n_loaded; i++)
            ts_tree_delete(
                ts_parser_parse_string(p, NULL, loaded[i].text, (uint32_t)loaded[i].len));
        double t1 = now();
        for (size_t i = 0; i < n_loaded; i++) {
            struct err e;
            df_file_free(df_file_new("Dockerfile", loaded[i].text, loaded[i].len, NULL, &e));
        }
        double t2 = now();
        if (t1 - t0 < parse)
            parse = t1 - t0;
        if (t2 - t1 < model)
            model = t2 - t1;
    }
    ts_parser_delete(p);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("files %zu, bytes %zu, best of %d rounds: bare parse %.1f ms, model %.1f ms "
           "(%.2fx the parse), peak RSS %ld KiB\n",
           n_loaded, bytes, rounds, parse * 1e3, model * 1e3, model / parse, ru.ru_maxrss);
    for (size_t i = 0; i < n_loaded; i++)
        free(loaded[i].text);
    free(loaded);
    return 0;
}

int main(int argc, char **argv)
{
    snprintf(root, sizeof root, "%s", __FILE__);
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(root, '/');
        if (!slash)
            return 77;
        *slash = '\0';
    }
    snprintf(corpus, sizeof corpus, "%s/../shared/corpus/realworld", root);
    struct stat st;
    if (stat(corpus, &st) || !S_ISDIR(st.st_mode)) {
        printf("corpus directory '%s' not found: skipped\n", corpus);
        return 77;
    }
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
        return bench(rounds > 0 && rounds < 1000 ? (int)rounds : 10);
    }
    char list[4300];
    snprintf(list, sizeof list, "%s/grammar/test/realworld_invalid.txt", root);
    struct err e;
    if (file_read_all(list, 0, &invalid_list, &e)) {
        printf("cannot read '%s': %s\n", list, e.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realworld),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    buf_release(&invalid_list);
    return rc;
}
