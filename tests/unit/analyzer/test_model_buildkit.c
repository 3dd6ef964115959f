/* The model against BuildKit's own reading: for every
 * grammar/test/buildkit/NAME.Dockerfile, BuildKit's AST dump rebuilt from
 * the model alone (keyword, flag words, exec strings, the shell text of
 * the shell form, words, pairs, triggers) must equal NAME.result byte for
 * byte. The logical texts (continuations, comment and blank lines dropped,
 * the escape directive) are what those files show. The directory is found
 * from this file's path: tests/unit/analyzer/ is three levels below the
 * repository root. */
#include "test_model_util.h"

#include "analyzer/syntax.h"
#include "common/buf.h"
#include "common/fileio.h"
#include "common/goquote.h"

#include <dirent.h>
#include <stdlib.h>

static char buildkit_dir[4096];

static void quote(struct buf *out, struct str s)
{
    assert_int_equal(buf_append_char(out, ' '), 0);
    assert_int_equal(go_quote(out, s.ptr ? s.ptr : "", s.len), 0);
}

/* BuildKit's flag word: quotes group and go, the escape char keeps the
 * next character, a trailing one is dropped. */
static void flag_word(struct buf *out, const struct df_flag *fl, int escape)
{
    struct buf w = BUF_INIT;
    assert_int_equal(buf_append_cstr(&w, "--"), 0);
    assert_int_equal(buf_append_str(&w, fl->name.raw), 0);
    if (fl->value.raw.ptr) {
        assert_int_equal(buf_append_char(&w, '='), 0);
        struct str v = fl->value.raw;
        char q = 0;
        for (size_t i = 0; i < v.len; i++) {
            char c = v.ptr[i];
            if (q) {
                if (c == q)
                    q = 0;
                else
                    assert_int_equal(buf_append_char(&w, c), 0);
            } else if (c == '\'' || c == '"') {
                q = c;
            } else if (c == escape) {
                if (i + 1 < v.len)
                    assert_int_equal(buf_append_char(&w, v.ptr[++i]), 0);
            } else {
                assert_int_equal(buf_append_char(&w, c), 0);
            }
        }
    }
    assert_int_equal(go_quote(out, w.data ? w.data : "", w.len), 0);
    buf_release(&w);
}

static void dump(struct buf *out, const struct df_file *f, const struct df_instr *in)
{
    assert_int_equal(buf_append_char(out, '('), 0);
    for (uint32_t k = in->keyword.start; k < in->keyword.end; k++) {
        char c = f->src[k];
        assert_int_equal(buf_append_char(out, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c), 0);
    }
    if (in->n_flags) {
        assert_int_equal(buf_append_cstr(out, " ["), 0);
        for (uint32_t i = 0; i < in->n_flags; i++) {
            if (i)
                assert_int_equal(buf_append_char(out, ' '), 0);
            flag_word(out, &in->flags[i], f->model.escape);
        }
        assert_int_equal(buf_append_char(out, ']'), 0);
    }
    switch (in->kind) {
    case DF_ENV:
    case DF_LABEL:
        for (uint32_t i = 0; i < in->n_pairs; i++) {
            quote(out, in->pairs[i].key.raw);
            quote(out, in->pairs[i].value.raw);
            quote(out, in->pairs[i].legacy ? STR_LIT("") : STR_LIT("="));
        }
        break;
    case DF_ARG:
        for (uint32_t i = 0; i < in->n_pairs; i++) {
            struct buf w = BUF_INIT;
            assert_int_equal(buf_append_str(&w, in->pairs[i].key.raw), 0);
            if (in->pairs[i].value.raw.ptr) {
                assert_int_equal(buf_append_char(&w, '='), 0);
                assert_int_equal(buf_append_str(&w, in->pairs[i].value.raw), 0);
            }
            quote(out, buf_str(&w));
            buf_release(&w);
        }
        break;
    case DF_ONBUILD:
        if (in->trigger) {
            assert_int_equal(buf_append_char(out, ' '), 0);
            dump(out, f, in->trigger);
        }
        break;
    case DF_UNKNOWN: quote(out, STR_LIT("")); break;
    default:
        for (uint32_t i = 0; i < in->n_args; i++)
            quote(out, in->args[i].raw);
        for (uint32_t i = 0; i < in->n_exec; i++)
            quote(out, in->exec[i].raw);
        if (in->form == DF_FORM_SHELL)
            quote(out, in->shell.raw);
        break;
    }
    assert_int_equal(buf_append_char(out, ')'), 0);
}

static void test_buildkit_results(void **state)
{
    (void)state;
    DIR *d = opendir(buildkit_dir);
    if (!d)
        skip();
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 11 || strcmp(e->d_name + len - 11, ".Dockerfile") != 0)
            continue;
        char path[8192], want_path[8192];
        snprintf(path, sizeof path, "%s/%s", buildkit_dir, e->d_name);
        snprintf(want_path, sizeof want_path, "%s/%.*s.result", buildkit_dir, (int)(len - 11),
                 e->d_name);
        struct buf src = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
        struct err er;
        assert_int_equal(file_read_all(path, 0, &src, &er), 0);
        assert_int_equal(file_read_all(want_path, 0, &want, &er), 0);
        struct df_file *f = df_file_new(path, buf_cstr(&src), src.len, NULL, &er);
        assert_non_null(f);
        for (uint32_t i = 0; i < f->model.n_instrs; i++) {
            dump(&got, f, f->model.instrs[i]);
            assert_int_equal(buf_append_char(&got, '\n'), 0);
        }
        if (strcmp(buf_cstr(&got), buf_cstr(&want)) != 0)
            fail_msg("%s: the model reads\n%s\nBuildKit reads\n%s", e->d_name, buf_cstr(&got),
                     buf_cstr(&want));
        df_file_free(f);
        buf_release(&src);
        buf_release(&want);
        buf_release(&got);
        n++;
    }
    closedir(d);
    assert_true(n >= 10);
}

int main(void)
{
    /* __FILE__ is <root>/tests/unit/analyzer/test_model_buildkit.c. */
    snprintf(buildkit_dir, sizeof buildkit_dir, "%s", __FILE__);
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(buildkit_dir, '/');
        if (!slash)
            return 77;
        *slash = '\0';
    }
    size_t n = strlen(buildkit_dir);
    snprintf(buildkit_dir + n, sizeof buildkit_dir - n, "/grammar/test/buildkit");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buildkit_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
