/* eng_lint over real Dockerfiles with fake rules: dispatch by instruction
 * kind (ONBUILD triggers only for rules that ask), zeroed per-file state
 * and finish(), sorting by offset then rule id, 1-based positions, alias
 * kinds with per-kind ignore and severity, the finding's own severity,
 * pragmas of every origin and scope (and --no-inline-ignores), in-file
 * `check=experimental=`, rule options of the wrong type, and rule bugs
 * turned into warnings. */
#include "analyzer/config.h"
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/buf.h"
#include "common/err.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* ------------------------------------------------------------ fake rules */

static void report_keyword(struct rule_ctx *ctx, const struct df_instr *in)
{
    rule_report(ctx, in->keyword, "%s seen", df_kind_name(in->kind));
}

/* DW101: every FROM and RUN, triggers excluded. */
static const struct rule r101 = {
    .id = "DW101",
    .name = "from-or-run",
    .severity = SEV_WARNING,
    .status = RULE_STABLE,
    .on = DF_ON(DF_FROM) | DF_ON(DF_RUN),
    .check = report_keyword,
    .summary = "x",
    .doc = "x",
};

/* DW102: RUN, triggers included; also reports at the same offset as DW101
 * to test the order of equal offsets. */
static const struct rule r102 = {
    .id = "DW102",
    .name = "run-anywhere",
    .severity = SEV_INFO,
    .status = RULE_STABLE,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = report_keyword,
    .summary = "x",
    .doc = "x",
};

/* DW103: counts instructions in zeroed state, reports the count at the
 * end of the file from finish(). */
struct count_state {
    uint32_t n;
};
static void count_check(struct rule_ctx *ctx, const struct df_instr *in)
{
    (void)in;
    struct count_state *s = rule_state(ctx);
    s->n++;
}
static void count_finish(struct rule_ctx *ctx)
{
    struct count_state *s = rule_state(ctx);
    uint32_t len = rule_file(ctx)->len;
    rule_report(ctx, span_make(len, len), "%u instructions", s->n);
}
static const struct rule r103 = {
    .id = "DW103",
    .name = "instruction-count",
    .severity = SEV_STYLE,
    .status = RULE_OFF,
    .on = DF_ON_ALL,
    .check = count_check,
    .finish = count_finish,
    .state_size = sizeof(struct count_state),
    .summary = "x",
    .doc = "x",
};

/* DW114: several kinds, reported with their alias. */
static const struct rule_alias a114[] = {
    { "DL4003", "cmd" },
    { "DL4004", "entrypoint" },
    { "MultipleInstructionsDisallowed", NULL },
    { NULL, NULL },
};
static void kind_check(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct rule_finding *f = rule_report(ctx, in->keyword, "overridden %s", df_kind_name(in->kind));
    if (f)
        rule_finding_alias(f, in->kind == DF_CMD ? "DL4003" : "DL4004");
}
static const struct rule r114 = {
    .id = "DW114",
    .name = "overridden-instruction",
    .severity = SEV_WARNING,
    .status = RULE_STABLE,
    .aliases = a114,
    .on = DF_ON(DF_CMD) | DF_ON(DF_ENTRYPOINT),
    .check = kind_check,
    .summary = "x",
    .doc = "x",
};

/* DW402: sets its own severity per finding; reads options. */
static const char *const opts402[] = { "level", "min", "strict", NULL };
static void own_severity(struct rule_ctx *ctx, const struct df_instr *in)
{
    const char *level = rule_option_string(ctx, "level", "high");
    long long min = rule_option_int(ctx, "min", 3);
    bool strict = rule_option_bool(ctx, "strict", false);
    struct rule_finding *f =
        rule_report(ctx, in->keyword, "level=%s min=%lld strict=%d", level, min, strict);
    if (f && in->stage == 0)
        rule_finding_severity(f, SEV_WARNING);
}
static const struct rule r402 = {
    .id = "DW402",
    .name = "hardcoded-secret",
    .severity = SEV_ERROR,
    .status = RULE_STABLE,
    .on = DF_ON(DF_ENV),
    .check = own_severity,
    .options = opts402,
    .summary = "x",
    .doc = "x",
};

/* DW501: a [ctx] rule. */
static const struct rule r501 = {
    .id = "DW501",
    .name = "context-only",
    .severity = SEV_WARNING,
    .status = RULE_STABLE,
    .on = DF_ON(DF_COPY),
    .check = report_keyword,
    .needs_context = true,
    .summary = "x",
    .doc = "x",
};

/* DW602: BuildKit alias, off by default (experimental in BuildKit). */
static const struct rule_alias a602[] = { { "JSONArgsRecommended", NULL }, { NULL, NULL } };
static const struct rule r602 = {
    .id = "DW602",
    .name = "exec-form-cmd",
    .severity = SEV_WARNING,
    .status = RULE_OFF,
    .aliases = a602,
    .on = DF_ON(DF_CMD),
    .check = report_keyword,
    .summary = "x",
    .doc = "x",
};

/* DW699: a rule with bugs: a bad alias, overlapping edits, a second fix. */
static void buggy(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct rule_finding *f = rule_report(ctx, in->keyword, "buggy");
    if (!f)
        return;
    rule_finding_alias(f, "NotMine");
    struct edit e[2] = { { in->keyword.start, in->keyword.end, STR_LIT("A") },
                         { in->keyword.start + 1, in->keyword.end, STR_LIT("B") } };
    rule_finding_fix(f, FIX_SAFE, "overlapping", e, 2);
    rule_finding_fix(f, FIX_SAFE, "second", e, 1);
}
static const struct rule r699 = {
    .id = "DW699",
    .name = "buggy-rule",
    .severity = SEV_STYLE,
    .status = RULE_OFF,
    .on = DF_ON(DF_USER),
    .check = buggy,
    .summary = "x",
    .doc = "x",
};

/* DW111: hadolint's DL3000 is an error where this rule's default is a
 * warning. */
static const struct rule_alias a111[] = { { "DL3000", NULL }, { NULL, NULL } };
static const struct rule r111 = {
    .id = "DW111",
    .name = "relative-workdir",
    .severity = SEV_WARNING,
    .status = RULE_STABLE,
    .aliases = a111,
    .on = DF_ON(DF_WORKDIR),
    .check = report_keyword,
    .summary = "x",
    .doc = "x",
};

/* DW614: reports how every pragma name was used, from a late finish(). */
static void judge(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    char buf[256] = "";
    size_t n = 0;
    for (uint32_t p = 0; p < m->n_pragmas; p++) {
        for (uint32_t k = 0; k < m->pragmas[p].n_names && n + 2 < sizeof buf; k++) {
            enum rule_pragma_use u = rule_pragma_use(ctx, p, k);
            buf[n++] = u == RULE_PRAGMA_USED ? 'U' : u == RULE_PRAGMA_UNUSED ? 'u' : '-';
        }
        if (n + 2 < sizeof buf)
            buf[n++] = '|';
    }
    buf[n] = '\0';
    rule_report(ctx, span_make(0, 0), "%s", buf);
}
static const struct rule r614 = {
    .id = "DW614",
    .name = "unused-suppression",
    .severity = SEV_INFO,
    .status = RULE_OFF,
    .finish = judge,
    .late = true,
    .summary = "x",
    .doc = "x",
};

static const struct rule *const reg[] = { &r101, &r102, &r103, &r111, &r114,
                                          &r402, &r501, &r602, &r614, &r699 };
#define NREG (sizeof reg / sizeof reg[0])

/* ---------------------------------------------------------------- helpers */

struct run {
    struct eng *e;
    struct df_file *f;
    struct eng_result r;
};

static void lint(struct run *run, const struct eng_options *o, const char *text)
{
    struct err err;
    run->e = eng_new(reg, NREG, o, &err);
    if (!run->e)
        fail_msg("eng_new: %s", err.msg);
    run->f = df_file_new("Dockerfile", text, strlen(text), NULL, &err);
    assert_non_null(run->f);
    assert_int_equal(eng_lint(run->e, run->f, &run->r, &err), 0);
}

static void done(struct run *run)
{
    df_file_free(run->f);
    eng_free(run->e);
}

/* "line:col ID message" of finding i. */
static const char *fmt(const struct run *run, uint32_t i)
{
    static char buf[512];
    assert_true(i < run->r.n_findings);
    const struct eng_finding *x = &run->r.findings[i];
    snprintf(buf, sizeof buf, "%u:%u %s %s", x->line, x->col, x->rule->id, x->message);
    return buf;
}

/* ------------------------------------------------------------------ tests */

static void test_dispatch_sort_positions(void **state)
{
    (void)state;
    const char *only[] = { "DW101", "DW102", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o,
         "FROM alpine\n"
         "RUN a \\\n"
         "  b\n"
         "ONBUILD RUN c\n"
         "  RUN d\n");
    assert_int_equal(run.r.n_findings, 6);
    assert_string_equal(fmt(&run, 0), "1:1 DW101 FROM seen");
    assert_string_equal(fmt(&run, 1), "2:1 DW101 RUN seen");
    assert_string_equal(fmt(&run, 2), "2:1 DW102 RUN seen");
    assert_string_equal(fmt(&run, 3), "4:9 DW102 RUN seen"); /* the trigger, DW102 only */
    assert_string_equal(fmt(&run, 4), "5:3 DW101 RUN seen");
    assert_string_equal(fmt(&run, 5), "5:3 DW102 RUN seen");
    const struct eng_finding *x = &run.r.findings[1];
    assert_int_equal(x->end_line, 2);
    assert_int_equal(x->end_col, 4);
    assert_int_equal(x->severity, SEV_WARNING);
    assert_int_equal(run.r.findings[2].severity, SEV_INFO);
    assert_null(x->fix);
    assert_int_equal(run.r.n_warnings, 0);
    done(&run);
}

static void test_state_and_finish(void **state)
{
    (void)state;
    const char *only[] = { "instruction-count", NULL };
    struct eng_options o = { .only = only };
    for (int k = 0; k < 2; k++) { /* fresh zeroed state per file */
        struct run run;
        lint(&run, &o, "FROM a\nRUN b\nCMD c");
        assert_int_equal(run.r.n_findings, 1);
        assert_string_equal(fmt(&run, 0), "3:6 DW103 3 instructions");
        done(&run);
    }
}

static void test_alias_kinds(void **state)
{
    (void)state;
    const char *text = "FROM a\nCMD x\nENTRYPOINT y\nCMD z\n";
    struct run run;
    struct eng_options o = { 0 };
    const char *only[] = { "DW114", NULL };
    o.only = only;
    lint(&run, &o, text);
    assert_int_equal(run.r.n_findings, 3);
    assert_string_equal(run.r.findings[0].alias, "DL4003");
    assert_string_equal(run.r.findings[1].alias, "DL4004");
    done(&run);

    /* Ignoring a peer name drops its kind only; a severity for a peer
     * name changes its kind only. */
    struct cfg *c = cfg_new(CFG_MODE_DOCKWRIGHT);
    struct err err;
    const char *y = "ignore: [DL4003]\nseverity: {DL4004: error}\n";
    assert_int_equal(cfg_load_text(c, ".dockwright.yaml", y, strlen(y), &err), 0);
    o = (struct eng_options){ .cfg = c };
    lint(&run, &o, text);
    uint32_t n = 0;
    for (uint32_t i = 0; i < run.r.n_findings; i++)
        if (run.r.findings[i].rule == &r114) {
            n++;
            assert_string_equal(run.r.findings[i].message, "overridden ENTRYPOINT");
            assert_int_equal(run.r.findings[i].severity, SEV_ERROR);
        }
    assert_int_equal(n, 1);
    done(&run);
    cfg_free(c);
}

static void test_own_severity_and_options(void **state)
{
    (void)state;
    const char *text = "FROM a\nENV A=1\nFROM b\nENV B=2\n";
    const char *only[] = { "DW402", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o, text);
    assert_int_equal(run.r.n_findings, 2);
    assert_int_equal(run.r.findings[0].severity, SEV_WARNING); /* the rule's choice */
    assert_int_equal(run.r.findings[1].severity, SEV_ERROR);
    assert_string_equal(run.r.findings[0].message, "level=high min=3 strict=0");
    done(&run);

    /* A user override beats the rule's own choice; options are read; a
     * value of the wrong type warns once per file and the default applies. */
    struct cfg *c = cfg_new(CFG_MODE_DOCKWRIGHT);
    struct err err;
    const char *y = "severity: {hardcoded-secret: info}\n"
                    "hardcoded-secret:\n  level: low\n  min: many\n  strict: true\n";
    assert_int_equal(cfg_load_text(c, ".dockwright.yaml", y, strlen(y), &err), 0);
    o = (struct eng_options){ .cfg = c, .only = only };
    lint(&run, &o, text);
    assert_int_equal(run.r.n_findings, 2);
    assert_int_equal(run.r.findings[0].severity, SEV_INFO);
    assert_int_equal(run.r.findings[1].severity, SEV_INFO);
    assert_string_equal(run.r.findings[0].message, "level=low min=3 strict=1");
    assert_int_equal(run.r.n_warnings, 1);
    assert_non_null(strstr(run.r.warnings[0], ".dockwright.yaml:4:"));
    assert_non_null(strstr(run.r.warnings[0], "min"));
    done(&run);
    cfg_free(c);
}

static void test_context_rules(void **state)
{
    (void)state;
    const char *text = "FROM a\nCOPY . /app\n";
    const char *only[] = { "DW501", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o, text);
    assert_int_equal(run.r.n_findings, 0); /* no context: skipped */
    done(&run);
    o.context_dir = ".";
    lint(&run, &o, text);
    assert_int_equal(run.r.n_findings, 1);
    done(&run);
}

static void test_pragmas(void **state)
{
    (void)state;
    const char *only[] = { "DW101", "DW102", "DW114", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    /* Next-instruction scope, stacked comments, names and peer aliases,
     * multi-line instructions covered as a whole. */
    lint(&run, &o,
         "FROM a\n"
         "# dockwright ignore=DW101\n"
         "# a comment between\n"
         "RUN one \\\n"
         "  two\n"
         "RUN three\n"
         "# hadolint ignore=DL4003\n"
         "CMD x\n"
         "# hadolint ignore=DL4004\n"
         "CMD y\n");
    assert_int_equal(run.r.n_findings, 5);
    assert_string_equal(fmt(&run, 0), "1:1 DW101 FROM seen");
    assert_string_equal(fmt(&run, 1), "4:1 DW102 RUN seen");
    assert_string_equal(fmt(&run, 2), "6:1 DW101 RUN seen");
    assert_string_equal(fmt(&run, 3), "6:1 DW102 RUN seen");
    assert_string_equal(fmt(&run, 4), "10:1 DW114 overridden CMD"); /* DL4004 is another kind */
    done(&run);
}

static void test_pragma_scopes(void **state)
{
    (void)state;
    const char *only[] = { "DW101", "DW102", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o,
         "FROM a\n"
         "RUN one\n"
         "# dockwright stage ignore=DW102\n"
         "FROM b\n"
         "RUN two\n"
         "FROM c\n"
         "RUN three\n"
         "# dockwright global ignore=from-or-run\n");
    assert_int_equal(run.r.n_findings, 2);
    assert_string_equal(fmt(&run, 0), "2:1 DW102 RUN seen");
    assert_string_equal(fmt(&run, 1), "7:1 DW102 RUN seen");
    done(&run);

    /* --no-inline-ignores disregards every pragma. */
    o.no_inline_ignores = true;
    lint(&run, &o, "FROM a\n# dockwright ignore=DW101\nRUN one\n# hadolint global ignore=DW1\n");
    assert_int_equal(run.r.n_findings, 3);
    done(&run);
}

static void test_buildkit_pragmas(void **state)
{
    (void)state;
    /* `check=skip=` compares BuildKit names exactly, `all` skips the rules
     * with a BuildKit alias, and per-instruction `check=` lines work. */
    const char *only[] = { "DW101", "DW602", "DW114", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o, "# check=skip=jsonargsrecommended\nFROM a\nCMD x\n");
    assert_int_equal(run.r.n_findings, 3);
    done(&run);
    lint(&run, &o, "# check=skip=JSONArgsRecommended\nFROM a\nCMD x\n");
    assert_int_equal(run.r.n_findings, 2);
    done(&run);
    lint(&run, &o, "# check=skip=all\nFROM a\nCMD x\n");
    assert_int_equal(run.r.n_findings, 1);
    assert_string_equal(fmt(&run, 0), "2:1 DW101 FROM seen");
    done(&run);
    lint(&run, &o,
         "FROM a\n# check=skip=DW101,MultipleInstructionsDisallowed\nCMD x\n"
         "CMD y\n");
    assert_int_equal(run.r.n_findings, 4);
    done(&run);
    lint(&run, &o,
         "FROM a\n# check=skip=exec-form-cmd,MultipleInstructionsDisallowed\nCMD x\n"
         "CMD y\n");
    assert_int_equal(run.r.n_findings, 3);
    done(&run);
}

static void test_experimental_directive(void **state)
{
    (void)state;
    struct eng_options o = { 0 };
    struct run run;
    lint(&run, &o, "FROM a\nCMD x\n");
    for (uint32_t i = 0; i < run.r.n_findings; i++)
        assert_ptr_not_equal(run.r.findings[i].rule, &r602);
    done(&run);
    lint(&run, &o, "# check=experimental=JSONArgsRecommended\nFROM a\nCMD x\n");
    bool seen = false;
    for (uint32_t i = 0; i < run.r.n_findings; i++)
        seen |= run.r.findings[i].rule == &r602;
    assert_true(seen);
    done(&run);
    /* An explicit ignore wins over the file. */
    const char *ign[] = { "DW602", NULL };
    o.ignore = ign;
    lint(&run, &o, "# check=experimental=all\nFROM a\nCMD x\n");
    for (uint32_t i = 0; i < run.r.n_findings; i++)
        assert_ptr_not_equal(run.r.findings[i].rule, &r602);
    done(&run);
}

static void test_rule_bugs_are_warnings(void **state)
{
    (void)state;
    const char *only[] = { "DW699", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o, "FROM a\nUSER x\n");
    assert_int_equal(run.r.n_findings, 1);
    assert_null(run.r.findings[0].fix);
    assert_null(run.r.findings[0].alias);
    assert_int_equal(run.r.n_warnings, 3);
    assert_non_null(strstr(run.r.warnings[0], "not one of the rule's aliases"));
    assert_non_null(strstr(run.r.warnings[1], "overlapping"));
    assert_non_null(strstr(run.r.warnings[2], "second fix"));
    done(&run);
}

static void test_pragma_use(void **state)
{
    (void)state;
    const char *only[] = { "DW101", "DW114", "DW614", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o,
         "FROM a\n"
         "# dockwright ignore=DW101,DW102,DL4003,nope,SC2086\n"
         "RUN x\n"
         "# hadolint ignore=DL4003\n"
         "CMD y\n"
         "# dockwright ignore=DW101\n");
    assert_int_equal(run.r.n_findings, 2);
    assert_string_equal(fmt(&run, 0), "1:1 DW101 FROM seen");
    assert_string_equal(fmt(&run, 1), "1:1 DW614 U-u--|U|-|");
    done(&run);
}

static void test_repeated_pragma_names(void **state)
{
    (void)state;
    /* A name repeated for the same range covers once; the repetition is
     * unused (redundant). */
    const char *only[] = { "DW101", "DW614", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o,
         "# dockwright global ignore=DW101\n"
         "FROM a\n"
         "# dockwright ignore=DW101\n"
         "# hadolint ignore=DW101,from-or-run\n"
         "RUN x\n"
         "# dockwright global ignore=from-or-run\n");
    assert_int_equal(run.r.n_findings, 1);
    assert_string_equal(fmt(&run, 0), "1:1 DW614 U|U|uu|u|");
    done(&run);
}

static void test_many_pragmas(void **state)
{
    (void)state;
    /* Thousands of pragmas and findings: lookups stay cheap. */
    enum { N = 20000 };
    struct buf b = BUF_INIT;
    assert_int_equal(buf_append_cstr(&b, "FROM a\n"), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(buf_printf(&b,
                                    "# dockwright global ignore=DW102,DL4003\n"
                                    "# dockwright ignore=DW102,DW3\nRUN x%d\n",
                                    i),
                         0);
    const char *only[] = { "DW101", "DW102", NULL };
    struct eng_options o = { .only = only };
    struct run run;
    lint(&run, &o, buf_cstr(&b));
    assert_int_equal(run.r.n_findings, N + 1);
    done(&run);
    buf_release(&b);
}

static void test_hadolint_severities(void **state)
{
    (void)state;
    struct cfg *c = cfg_new(CFG_MODE_HADOLINT);
    const char *only[] = { "DW111", "DW114", NULL };
    struct eng_options o = { .cfg = c, .only = only };
    struct run run;
    lint(&run, &o, "FROM a\nWORKDIR app\nCMD x\nENTRYPOINT y\n");
    assert_int_equal(run.r.n_findings, 3);
    assert_int_equal(run.r.findings[0].severity, SEV_ERROR);   /* DL3000 */
    assert_int_equal(run.r.findings[1].severity, SEV_WARNING); /* DL4003 */
    assert_int_equal(run.r.findings[2].severity, SEV_ERROR);   /* DL4004 */
    done(&run);
    cfg_free(c);
    /* Outside compatibility mode the rule's own severity stands. */
    o.cfg = NULL;
    lint(&run, &o, "FROM a\nWORKDIR app\n");
    assert_int_equal(run.r.findings[0].severity, SEV_WARNING);
    done(&run);
}

/* The engine is read-only after eng_new: threads lint files at once. */
struct job {
    const struct eng *e;
    int id;
    int ok;
};

static void *lint_job(void *arg)
{
    struct job *j = arg;
    char text[256];
    snprintf(text, sizeof text, "FROM a%d\n# dockwright ignore=DW102\nRUN x\nONBUILD RUN y\n",
             j->id);
    for (int round = 0; round < 50; round++) {
        struct err err;
        struct df_file *f = df_file_new("Dockerfile", text, strlen(text), NULL, &err);
        struct eng_result r;
        if (!f || eng_lint(j->e, f, &r, &err) || r.n_findings != 3)
            j->ok = 0;
        if (f)
            df_file_free(f);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    const char *only[] = { "DW101", "DW102", NULL };
    struct eng_options o = { .only = only };
    struct err err;
    struct eng *e = eng_new(reg, NREG, &o, &err);
    assert_non_null(e);
    pthread_t t[4];
    struct job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct job){ e, i, 1 };
        assert_int_equal(pthread_create(&t[i], NULL, lint_job, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(jobs[i].ok);
    }
    eng_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_sort_positions),
        cmocka_unit_test(test_state_and_finish),
        cmocka_unit_test(test_alias_kinds),
        cmocka_unit_test(test_own_severity_and_options),
        cmocka_unit_test(test_context_rules),
        cmocka_unit_test(test_pragmas),
        cmocka_unit_test(test_pragma_scopes),
        cmocka_unit_test(test_buildkit_pragmas),
        cmocka_unit_test(test_experimental_directive),
        cmocka_unit_test(test_rule_bugs_are_warnings),
        cmocka_unit_test(test_pragma_use),
        cmocka_unit_test(test_repeated_pragma_names),
        cmocka_unit_test(test_many_pragmas),
        cmocka_unit_test(test_hadolint_severities),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
