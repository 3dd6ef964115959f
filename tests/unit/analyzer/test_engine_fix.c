/* eng_fix over real Dockerfiles with fake rules: a fixed point over
 * several passes, overlapping fixes deferred to the next pass, touching
 * edits and inserts at one point applied together, safe/unsafe/display-only
 * filtering, CRLF translation, BOM and missing final newline kept, a
 * syntax-breaking fix dropped and reported while the others apply (and
 * tried again on the final text, where a later fix may have made it
 * valid), a fix that never converges stopped after 10 passes, no-op fixes
 * ignored, edits of other files (created, or appended to their current
 * content, and seen by the rule in the next pass), and idempotence of
 * every result. */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ------------------------------------------------------------ fake rules */

/* The offset of needle inside the instruction, or -1. */
static long find_in(const struct rule_ctx *ctx, const struct df_instr *in, const char *needle)
{
    const char *src = rule_file(ctx)->src;
    size_t n = strlen(needle);
    for (uint32_t i = in->span.start; i + n <= in->span.end; i++)
        if (!memcmp(src + i, needle, n))
            return (long)i;
    return -1;
}

static void fix1(struct rule_ctx *ctx, struct span at, enum fix_safety safety, uint32_t start,
                 uint32_t end, const char *text)
{
    struct rule_finding *f = rule_report(ctx, at, "fixable");
    if (!f)
        return;
    struct edit e = { start, end, str_from_cstr(text) };
    rule_finding_fix(f, safety, "fix it", &e, 1);
}

static void upper_keyword(struct rule_ctx *ctx, const struct df_instr *in)
{
    const char *src = rule_file(ctx)->src;
    const char *want = df_kind_name(in->kind);
    size_t n = in->keyword.end - in->keyword.start;
    if (!*want || (strlen(want) == n && !memcmp(src + in->keyword.start, want, n)))
        return;
    fix1(ctx, in->keyword, FIX_SAFE, in->keyword.start, in->keyword.end, want);
}

static void replace_pair(struct rule_ctx *ctx, const struct df_instr *in, const char *a,
                         const char *b, const char *with)
{
    long at = find_in(ctx, in, a);
    if (at < 0 && b)
        at = find_in(ctx, in, b);
    if (at >= 0)
        fix1(ctx, span_make((uint32_t)at, (uint32_t)at + 2), FIX_SAFE, (uint32_t)at,
             (uint32_t)at + 2, with);
}
static void ab_upper(struct rule_ctx *ctx, const struct df_instr *in)
{
    replace_pair(ctx, in, "ab", NULL, "AB");
}
static void bc_upper(struct rule_ctx *ctx, const struct df_instr *in)
{
    replace_pair(ctx, in, "bc", "Bc", "BC");
}
static void cd_upper(struct rule_ctx *ctx, const struct df_instr *in)
{
    replace_pair(ctx, in, "cd", NULL, "CD");
}

static void add_user(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    const struct df_file *f = rule_file(ctx);
    for (uint32_t i = 0; i < m->n_instrs; i++)
        if (m->instrs[i]->kind == DF_USER)
            return;
    bool nl = f->len && f->src[f->len - 1] == '\n';
    fix1(ctx, span_make(0, 0), FIX_UNSAFE, f->len, f->len, nl ? "USER app\n" : "\nUSER app\n");
}

static void insert_comment(struct rule_ctx *ctx, const struct df_instr *in, const char *line)
{
    if (strstr(rule_file(ctx)->src, line))
        return;
    fix1(ctx, in->keyword, FIX_SAFE, 0, 0, line);
}
static void comment_c(struct rule_ctx *ctx, const struct df_instr *in)
{
    insert_comment(ctx, in, "ARG C=1\n");
}
static void comment_d(struct rule_ctx *ctx, const struct df_instr *in)
{
    insert_comment(ctx, in, "ARG D=1\n");
}

static void breaks_syntax(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (find_in(ctx, in, "break") >= 0)
        fix1(ctx, in->keyword, FIX_SAFE, in->keyword.start, in->keyword.end, "RUN <<EOF");
}

/* Appends "x" to the first line of a heredoc RUN (which breaks it: the
 * delimiter changes) and of `LABEL k=v`: the same title and text at two
 * places, one bad. */
static void append_x(struct rule_ctx *ctx, const struct df_instr *in)
{
    const char *src = rule_file(ctx)->src;
    uint32_t eol = in->span.start;
    while (eol < in->span.end && src[eol] != '\n')
        eol++;
    bool heredoc = find_in(ctx, in, "<<EOF") >= 0 && src[eol - 1] == 'F';
    bool label = in->kind == DF_LABEL && eol - in->span.start == 9 &&
                 !memcmp(src + in->span.start, "LABEL k=v", 9);
    if (heredoc || label)
        fix1(ctx, in->keyword, FIX_SAFE, eol, eol, "x");
}

/* LABEL k=w becomes LABEL k=v, which append_x then wants to extend. */
static void w_to_v(struct rule_ctx *ctx, const struct df_instr *in)
{
    long at = find_in(ctx, in, "k=w");
    if (at >= 0)
        fix1(ctx, in->keyword, FIX_SAFE, (uint32_t)at + 2, (uint32_t)at + 3, "v");
}

/* `RUN later` opens a heredoc (a syntax error until an EOF line follows);
 * `RUN AB` (what DW610 makes of `RUN ab`) becomes that EOF line. */
static void opens_heredoc(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (find_in(ctx, in, "later") >= 0 && find_in(ctx, in, "<<") < 0)
        fix1(ctx, in->keyword, FIX_SAFE, in->keyword.start, in->keyword.end, "RUN <<EOF");
}
static void ab_to_eof(struct rule_ctx *ctx, const struct df_instr *in)
{
    long at = find_in(ctx, in, "RUN AB");
    if (at >= 0 && (uint32_t)at == in->span.start)
        fix1(ctx, in->keyword, FIX_SAFE, in->span.start, (uint32_t)at + 6, "EOF");
}

static void grows(struct rule_ctx *ctx, const struct df_instr *in)
{
    fix1(ctx, in->keyword, FIX_SAFE, in->span.end, in->span.end, "x");
}

static void same_text(struct rule_ctx *ctx, const struct df_instr *in)
{
    fix1(ctx, in->keyword, FIX_SAFE, in->keyword.start, in->keyword.end, "FROM");
}

static void display_only(struct rule_ctx *ctx, const struct df_instr *in)
{
    fix1(ctx, in->keyword, FIX_DISPLAY_ONLY, in->keyword.start, in->keyword.end, "XXXX");
}

/* Adds `.git` to .dockerignore, reading the file as the fix engine has it. */
static void ignore_git(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct str text;
    bool exists;
    if (!rule_context_file(ctx, ".dockerignore", &text, &exists))
        return;
    for (size_t i = 0; i + 5 <= text.len; i++)
        if (!memcmp(text.ptr + i, ".git\n", 5) && (i == 0 || text.ptr[i - 1] == '\n'))
            return;
    struct rule_finding *f = rule_report(ctx, in->keyword, ".git is sent to the builder");
    if (!f)
        return;
    rule_finding_fix(f, FIX_SAFE, "ignore .git", NULL, 0);
    bool nl = !text.len || text.ptr[text.len - 1] == '\n';
    struct edit e = { (uint32_t)text.len, (uint32_t)text.len,
                      nl ? STR_LIT(".git\n") : STR_LIT("\n.git\n") };
    rule_finding_fix_other(f, ".dockerignore", &e, 1);
}

#define FAKE(ID, NAME, ON, CHECK, FINISH)                                                          \
    static const struct rule r##ID = { .id = #ID,                                                  \
                                       .name = NAME,                                               \
                                       .severity = SEV_WARNING,                                    \
                                       .status = RULE_OFF,                                         \
                                       .fix = FIX_SOMETIMES,                                       \
                                       .on = ON,                                                   \
                                       .check = CHECK,                                             \
                                       .finish = FINISH,                                           \
                                       .summary = "x",                                             \
                                       .doc = "x" }

FAKE(DW601, "keyword-not-uppercase", DF_ON_ALL & ~DF_ON(DF_UNKNOWN), upper_keyword, NULL);
FAKE(DW610, "ab-lowercase", DF_ON(DF_RUN), ab_upper, NULL);
FAKE(DW611, "bc-lowercase", DF_ON(DF_RUN), bc_upper, NULL);
FAKE(DW612, "cd-lowercase", DF_ON(DF_RUN), cd_upper, NULL);
FAKE(DW620, "no-user", 0, NULL, add_user);
FAKE(DW621, "comment-c-missing", DF_ON(DF_FROM), comment_c, NULL);
FAKE(DW622, "comment-d-missing", DF_ON(DF_FROM), comment_d, NULL);
FAKE(DW630, "break-word", DF_ON(DF_RUN), breaks_syntax, NULL);
FAKE(DW631, "append-x", DF_ON(DF_RUN) | DF_ON(DF_LABEL), append_x, NULL);
FAKE(DW632, "w-to-v", DF_ON(DF_LABEL), w_to_v, NULL);
FAKE(DW633, "opens-heredoc", DF_ON(DF_RUN), opens_heredoc, NULL);
FAKE(DW634, "ab-to-eof", DF_ON(DF_RUN), ab_to_eof, NULL);
FAKE(DW640, "always-fixable", DF_ON(DF_FROM), grows, NULL);
FAKE(DW641, "same-text", DF_ON(DF_FROM), same_text, NULL);
FAKE(DW650, "git-not-ignored", DF_ON(DF_COPY), ignore_git, NULL);
FAKE(DW660, "display-only-fix", DF_ON(DF_FROM), display_only, NULL);

static const struct rule *const reg[] = { &rDW601, &rDW610, &rDW611, &rDW612, &rDW620, &rDW621,
                                          &rDW622, &rDW630, &rDW631, &rDW632, &rDW633, &rDW634,
                                          &rDW640, &rDW641, &rDW650, &rDW660 };
#define NREG (sizeof reg / sizeof reg[0])

/* ---------------------------------------------------------------- helpers */

struct fixrun {
    struct eng *e;
    struct df_file *f;
    struct eng_fixed out;
};

static void run_fix(struct fixrun *r, const char *rules, const char *text, size_t len,
                    enum eng_fix_mode mode, const char *context)
{
    static char names[256];
    const char *only[8] = { 0 };
    snprintf(names, sizeof names, "%s", rules);
    size_t n = 0;
    for (char *p = names; p && *p && n < 7;) {
        only[n++] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    struct eng_options o = { .only = only };
    struct err err;
    r->e = eng_new(reg, NREG, &o, &err);
    if (!r->e)
        fail_msg("eng_new: %s", err.msg);
    r->f = df_file_new("Dockerfile", text, len, NULL, &err);
    assert_non_null(r->f);
    assert_int_equal(eng_fix(r->e, r->f, mode, context, &r->out, &err), 0);
    assert_non_null(r->out.result);

    /* Idempotence: fixing the result changes nothing. */
    struct eng_fixed again;
    assert_int_equal(eng_fix(r->e, r->out.result, mode, context, &again, &err), 0);
    /* (Other files are read from the context again, which eng_fix never
     * writes, so only the Dockerfile can be compared.) */
    if (r->out.converged) {
        for (uint32_t i = 0; i < again.n_files; i++)
            assert_non_null(again.files[i].path);
        const struct df_file *a = again.result, *b = r->out.result;
        if ((!context && again.n_applied) || a->len != b->len || memcmp(a->src, b->src, a->len))
            fail_msg("a second fix run changed \"%.*s\" to \"%.*s\"", (int)b->len, b->src,
                     (int)a->len, a->src);
    }
    df_file_free(again.result);
}

static void fixrun_done(struct fixrun *r)
{
    df_file_free(r->out.result);
    df_file_free(r->f);
    eng_free(r->e);
}

static void assert_text(const struct fixrun *r, const char *want, size_t len)
{
    const struct df_file *res = r->out.result;
    if (res->len != len || memcmp(res->src, want, len))
        fail_msg("fixed text is \"%.*s\", want \"%.*s\"", (int)res->len, res->src, (int)len, want);
}
#define ASSERT_TEXT(r, lit) assert_text((r), (lit), sizeof(lit) - 1)
#define RUN(r, rules, lit, mode) run_fix((r), (rules), (lit), sizeof(lit) - 1, (mode), NULL)

/* ------------------------------------------------------------------ tests */

static void test_fixed_point(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW601", "from a\nrun ab\nCmd x\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN ab\nCMD x\n");
    assert_true(r.out.converged);
    assert_int_equal(r.out.passes, 1);
    assert_int_equal(r.out.n_applied, 3);
    assert_int_equal(r.out.n_files, 1);
    assert_null(r.out.files[0].path);
    assert_int_equal(r.out.files[0].text.len, r.out.result->len);
    assert_int_equal(r.out.remaining.n_findings, 0);
    assert_int_equal(r.out.n_dropped, 0);
    fixrun_done(&r);

    /* Nothing to fix: no files, still a result to read findings from. */
    RUN(&r, "DW601", "FROM a\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\n");
    assert_int_equal(r.out.n_files, 0);
    assert_int_equal(r.out.passes, 0);
    assert_true(r.out.converged);
    fixrun_done(&r);
}

static void test_overlap_deferred(void **state)
{
    (void)state;
    struct fixrun r;
    /* "ab" and "bc" overlap: the first by offset, then id, wins the pass;
     * the other is found again on the new text and applies next. */
    RUN(&r, "DW610,DW611", "FROM a\nRUN abc\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN ABC\n");
    assert_int_equal(r.out.passes, 2);
    assert_int_equal(r.out.n_applied, 2);
    fixrun_done(&r);
}

static void test_touching_and_same_point(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW610,DW612", "FROM a\nRUN abcd\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN ABCD\n");
    assert_int_equal(r.out.passes, 1);
    assert_int_equal(r.out.n_applied, 2);
    fixrun_done(&r);

    RUN(&r, "DW621,DW622", "FROM a\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "ARG C=1\nARG D=1\nFROM a\n");
    assert_int_equal(r.out.passes, 1);
    assert_int_equal(r.out.n_applied, 2);
    fixrun_done(&r);
}

static void test_modes(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW601,DW620", "from a\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\n");
    assert_int_equal(r.out.remaining.n_findings, 1); /* the unsafe one is left */
    assert_non_null(r.out.remaining.findings[0].fix);
    fixrun_done(&r);
    RUN(&r, "DW601,DW620", "from a\n", ENG_FIX_UNSAFE);
    ASSERT_TEXT(&r, "FROM a\nUSER app\n");
    fixrun_done(&r);
    RUN(&r, "DW660", "FROM a\n", ENG_FIX_UNSAFE);
    ASSERT_TEXT(&r, "FROM a\n");
    assert_int_equal(r.out.n_files, 0);
    fixrun_done(&r);
}

static void test_text_facts(void **state)
{
    (void)state;
    struct fixrun r;
    /* CRLF: an inserted "\n" is written "\r\n". */
    RUN(&r, "DW620", "FROM a\r\nRUN x\r\n", ENG_FIX_UNSAFE);
    ASSERT_TEXT(&r, "FROM a\r\nRUN x\r\nUSER app\r\n");
    assert_true(r.out.result->crlf);
    fixrun_done(&r);
    /* No final newline: none is added. */
    RUN(&r, "DW620", "FROM a\nRUN x", ENG_FIX_UNSAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN x\nUSER app");
    fixrun_done(&r);
    /* A byte-order mark stays first. */
    RUN(&r, "DW621",
        "\xEF\xBB\xBF"
        "FROM a\n",
        ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "\xEF\xBB\xBF"
                    "ARG C=1\nFROM a\n");
    fixrun_done(&r);
    /* The escape directive and CRLF survive a keyword fix. */
    RUN(&r, "DW601", "# escape=`\r\nfrom a\r\nrun echo `\r\n  b\r\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "# escape=`\r\nFROM a\r\nRUN echo `\r\n  b\r\n");
    fixrun_done(&r);
}

static void test_syntax_breaking_dropped(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW610,DW630", "FROM a\nRUN ab\nRUN break\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN AB\nRUN break\n");
    assert_true(r.out.converged);
    assert_int_equal(r.out.n_applied, 1);
    assert_int_equal(r.out.n_dropped, 1);
    assert_string_equal(r.out.dropped[0], "DW630 at 3:1: the fix would leave a syntax error");
    assert_int_equal(r.out.result->model.n_syntax_errors, 0);
    fixrun_done(&r);

    /* Several good and bad fixes in one pass: the bad ones are found and
     * dropped, every good one applies. */
    RUN(&r, "DW610,DW630", "FROM a\nRUN ab\nRUN break\nRUN ab\nRUN ab\nRUN ab\nRUN break\nRUN ab\n",
        ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN AB\nRUN break\nRUN AB\nRUN AB\nRUN AB\nRUN break\nRUN AB\n");
    assert_int_equal(r.out.n_applied, 5);
    assert_int_equal(r.out.passes, 1);
    assert_int_equal(r.out.n_dropped, 2);
    assert_string_equal(r.out.dropped[0], "DW630 at 3:1: the fix would leave a syntax error");
    assert_string_equal(r.out.dropped[1], "DW630 at 7:1: the fix would leave a syntax error");
    fixrun_done(&r);
}

/* A dropped fix must not take down a later fix with the same title and
 * text at another place (the fix's key includes where it applies). */
static void test_dropped_fix_spares_its_twin(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW631,DW632", "FROM a\nRUN <<EOF\necho hi\nEOF\nLABEL k=w\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN <<EOF\necho hi\nEOF\nLABEL k=vx\n");
    assert_true(r.out.converged);
    assert_int_equal(r.out.n_applied, 2);
    assert_int_equal(r.out.n_dropped, 1);
    assert_string_equal(r.out.dropped[0], "DW631 at 2:1: the fix would leave a syntax error");
    fixrun_done(&r);
}

/* A fix dropped for a syntax error in one pass is tried again on the
 * final text, where a later fix has made it valid: a second run would
 * otherwise apply it (found by fuzz_lint with DW002 and DW114). */
static void test_dropped_fix_retried_on_final_text(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW610,DW633,DW634", "FROM a\nRUN later\nRUN ab\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN <<EOF later\nEOF\n");
    assert_true(r.out.converged);
    assert_int_equal(r.out.n_applied, 3);
    assert_int_equal(r.out.n_dropped, 0);
    fixrun_done(&r);

    /* Still a syntax error on the final text: dropped and reported once. */
    RUN(&r, "DW633", "FROM a\nRUN later\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM a\nRUN later\n");
    assert_true(r.out.converged);
    assert_int_equal(r.out.n_dropped, 1);
    assert_string_equal(r.out.dropped[0], "DW633 at 2:1: the fix would leave a syntax error");
    fixrun_done(&r);
}

static void test_no_convergence_and_noop(void **state)
{
    (void)state;
    struct fixrun r;
    RUN(&r, "DW640", "FROM a\n", ENG_FIX_SAFE);
    ASSERT_TEXT(&r, "FROM axxxxxxxxxx\n");
    assert_false(r.out.converged);
    assert_int_equal(r.out.passes, 10);
    assert_int_equal(r.out.n_applied, 10);
    assert_int_equal(r.out.remaining.n_findings, 1);
    fixrun_done(&r);

    /* A fix that rewrites text to itself is no progress. */
    RUN(&r, "DW641", "FROM a\n", ENG_FIX_SAFE);
    assert_true(r.out.converged);
    assert_int_equal(r.out.passes, 0);
    assert_int_equal(r.out.n_files, 0);
    fixrun_done(&r);
}

static char tmpdir[4096];

static void write_file(const char *name, const char *text)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_other_files(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/dw-engine-fix-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(tmpdir));
    char ign[4200];
    snprintf(ign, sizeof ign, "%s/.dockerignore", tmpdir);

    /* Created when missing; the next pass sees it and stops. */
    struct fixrun r;
    const char df[] = "FROM a\nCOPY . /app\n";
    run_fix(&r, "DW650", df, sizeof df - 1, ENG_FIX_SAFE, tmpdir);
    assert_int_equal(r.out.n_files, 1);
    assert_string_equal(r.out.files[0].path, ".dockerignore");
    assert_true(r.out.files[0].created);
    assert_int_equal(r.out.files[0].text.len, 5);
    assert_memory_equal(r.out.files[0].text.ptr, ".git\n", 5);
    assert_int_equal(r.out.passes, 1);
    assert_true(r.out.converged);
    assert_int_equal(r.out.remaining.n_findings, 0);
    fixrun_done(&r);
    assert_int_not_equal(access(ign, F_OK), 0); /* nothing written */

    /* Appended to the current content. */
    write_file(".dockerignore", "node_modules");
    run_fix(&r, "DW650", df, sizeof df - 1, ENG_FIX_SAFE, tmpdir);
    assert_int_equal(r.out.n_files, 1);
    assert_false(r.out.files[0].created);
    assert_int_equal(r.out.files[0].text.len, 18);
    assert_memory_equal(r.out.files[0].text.ptr, "node_modules\n.git\n", 18);
    fixrun_done(&r);

    /* Nothing to do when it is already there. */
    write_file(".dockerignore", "x\n.git\n");
    run_fix(&r, "DW650", df, sizeof df - 1, ENG_FIX_SAFE, tmpdir);
    assert_int_equal(r.out.n_files, 0);
    fixrun_done(&r);
    unlink(ign);
    rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_point),
        cmocka_unit_test(test_overlap_deferred),
        cmocka_unit_test(test_touching_and_same_point),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_text_facts),
        cmocka_unit_test(test_syntax_breaking_dropped),
        cmocka_unit_test(test_dropped_fix_spares_its_twin),
        cmocka_unit_test(test_dropped_fix_retried_on_final_text),
        cmocka_unit_test(test_no_convergence_and_noop),
        cmocka_unit_test(test_other_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
