/* The output formats on hand-built findings: exact tty (no colour), json,
 * github, gnu and checkstyle text; SARIF structure and UTF-16 columns;
 * GitLab fingerprints stable under line moves and unique per finding. */
#include "cli/output.h"
#include "common/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

static const struct rule_alias aliases_301[] = { { "DL3009", NULL }, { NULL, NULL } };

static const struct rule r_casing = {
    .id = "DW601",
    .name = "instruction-casing",
    .severity = SEV_STYLE,
    .category = CAT_STYLE,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "instruction keywords should be upper case",
    .doc = "## What it does\n\nFlags instruction keywords\nwritten in lower case.\n\n## Why is "
           "this bad?\n\nConsistency.\n",
};

static const struct rule r_apt = {
    .id = "DW301",
    .name = "apt-lists-not-cleaned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "apt lists are left in the layer",
    .aliases = aliases_301,
};

static const struct rule r_secret = {
    .id = "DW402",
    .name = "hardcoded-secret",
    .severity = SEV_ERROR,
    .category = CAT_SECURITY,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a secret is written in the Dockerfile",
};

static const struct rule *const registry[] = { &r_apt, &r_secret, &r_casing };

/* Line 2 starts at 17, line 3 at 36. */
static const char src[] = "FROM alpine:3.20\n"
                          "run apt-get update\n"
                          "ENV TOKEN=\"a%b,c:d\"\n";

static const struct edit casing_edit = { 17, 20, { "RUN", 3 } };
static const struct edit ignore_edit = { 0, 0, { "secrets/\n", 9 } };
static const struct eng_file_edits others[] = { { ".dockerignore", &ignore_edit, 1 } };
static const struct eng_fix casing_fix = { FIX_SAFE, "upper-case 'run'", &casing_edit, 1, NULL, 0 };
static const struct edit secret_edit = { 46, 55, { "", 0 } };
static const struct eng_fix secret_fix = {
    FIX_UNSAFE, "drop the value", &secret_edit, 1, others, 1
};

static struct eng_finding findings[3];

static void make_findings(void)
{
    findings[0] = (struct eng_finding){ .rule = &r_casing,
                                        .severity = SEV_STYLE,
                                        .span = { 17, 20 },
                                        .line = 2,
                                        .col = 1,
                                        .end_line = 2,
                                        .end_col = 4,
                                        .message = "instruction 'run' should be upper case",
                                        .fix = &casing_fix };
    findings[1] = (struct eng_finding){ .rule = &r_apt,
                                        .alias = "DL3009",
                                        .severity = SEV_WARNING,
                                        .span = { 21, 35 },
                                        .line = 2,
                                        .col = 5,
                                        .end_line = 2,
                                        .end_col = 19,
                                        .message = "apt lists are not removed" };
    findings[2] = (struct eng_finding){ .rule = &r_secret,
                                        .severity = SEV_ERROR,
                                        .span = { 46, 55 },
                                        .line = 3,
                                        .col = 11,
                                        .end_line = 3,
                                        .end_col = 20,
                                        .message = "secret <in> \"TOKEN\" & 100%\nsecond line",
                                        .fix = &secret_fix };
}

static struct out_options opts(enum cfg_format f)
{
    return (struct out_options){
        .format = f, .tool_version = "1.2.3", .rule_set = 1, .registry = registry, .n_rules = 3
    };
}

static struct out_file sample(void)
{
    make_findings();
    return (struct out_file){ .path = "app/Dockerfile",
                              .src = src,
                              .len = sizeof src - 1,
                              .findings = findings,
                              .n_findings = 3 };
}

static char *render(enum cfg_format f, const struct out_file *files, size_t n)
{
    struct out_options o = opts(f);
    struct buf b = BUF_INIT;
    assert_int_equal(out_render(&o, files, n, &b), 0);
    return buf_detach(&b, NULL);
}

static void test_tty_exact(void **state)
{
    (void)state;
    struct out_file f = sample();
    struct out_file clean = { .path = "b/Dockerfile", .src = "FROM a\n", .len = 7 };
    struct out_file files[] = { f, clean };
    char *s = render(CFG_FORMAT_TTY, files, 2);
    const char *want =
        "app/Dockerfile:2:1: style[DW601 instruction-casing] instruction 'run' should be upper "
        "case\n"
        "  |\n"
        "2 | run apt-get update\n"
        "  | ^^^ (fix: upper-case 'run')\n"
        "  = help: instruction keywords should be upper case\n"
        "\n"
        "app/Dockerfile:2:5: warning[DW301 apt-lists-not-cleaned] apt lists are not removed\n"
        "  |\n"
        "2 | run apt-get update\n"
        "  |     ^^^^^^^^^^^^^^\n"
        "  = help: apt lists are left in the layer\n"
        "\n"
        "app/Dockerfile:3:11: error[DW402 hardcoded-secret] secret <in> \"TOKEN\" & 100%?second "
        "line\n"
        "  |\n"
        "3 | ENV TOKEN=\"a%b,c:d\"\n"
        "  |           ^^^^^^^^^ (unsafe fix: drop the value)\n"
        "  = help: a secret is written in the Dockerfile\n"
        "\n"
        "3 problems (1 error, 1 warning, 1 style) in 1 of 2 files; 1 fixable with --fix; 1 more "
        "with --fix --unsafe-fixes\n";
    assert_string_equal(s, want);
    free(s);
}

static void test_tty_tabs_multiline_and_no_findings(void **state)
{
    (void)state;
    const char text[] = "FROM a\nRUN\tx \\\n\ty\n";
    struct eng_finding x = { .rule = &r_apt,
                             .severity = SEV_WARNING,
                             .span = { 10, 16 },
                             .line = 2,
                             .col = 4,
                             .end_line = 3,
                             .end_col = 3,
                             .message = "m" };
    struct out_file f = {
        .path = "D", .src = text, .len = sizeof text - 1, .findings = &x, .n_findings = 1
    };
    char *s = render(CFG_FORMAT_TTY, &f, 1);
    const char *want = "D:2:4: warning[DW301 apt-lists-not-cleaned] m\n"
                       "  |\n"
                       "2 | RUN x \\\n"
                       "  |    ^^^^\n"
                       "3 |     y\n"
                       "  | ^^^^^\n"
                       "  = help: apt lists are left in the layer\n"
                       "\n"
                       "1 problem (1 warning) in 1 of 1 file\n";
    assert_string_equal(s, want);
    free(s);
    struct out_file none = { .path = "D", .src = text, .len = sizeof text - 1 };
    s = render(CFG_FORMAT_TTY, &none, 1);
    assert_string_equal(s, "no problems in 1 file\n");
    free(s);
}

static void test_tty_color(void **state)
{
    (void)state;
    struct out_file f = sample();
    struct out_options o = opts(CFG_FORMAT_TTY);
    o.color = true;
    struct buf b = BUF_INIT;
    assert_int_equal(out_render(&o, &f, 1, &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "\033[1;31merror\033[0m"));
    buf_release(&b);
    /* Without colour, no escape at all, even from the file's text. */
    char *s = render(CFG_FORMAT_TTY, &f, 1);
    assert_null(strchr(s, '\033'));
    free(s);
}

static void test_json_exact(void **state)
{
    (void)state;
    struct out_file f = sample();
    f.n_findings = 1;
    struct out_file clean = { .path = "b/Dockerfile", .src = "FROM a\n", .len = 7 };
    struct out_file files[] = { f, clean };
    char *s = render(CFG_FORMAT_JSON, files, 2);
    const char *want = "{\n"
                       "  \"version\": 1,\n"
                       "  \"rule_set\": 1,\n"
                       "  \"tool\": {\n"
                       "    \"name\": \"dockwright\",\n"
                       "    \"version\": \"1.2.3\"\n"
                       "  },\n"
                       "  \"files\": [\n"
                       "    {\n"
                       "      \"path\": \"app/Dockerfile\",\n"
                       "      \"findings\": [\n"
                       "        {\n"
                       "          \"rule\": \"DW601\",\n"
                       "          \"name\": \"instruction-casing\",\n"
                       "          \"severity\": \"style\",\n"
                       "          \"line\": 2,\n"
                       "          \"column\": 1,\n"
                       "          \"end_line\": 2,\n"
                       "          \"end_column\": 4,\n"
                       "          \"start_byte\": 17,\n"
                       "          \"end_byte\": 20,\n"
                       "          \"message\": \"instruction 'run' should be upper case\",\n"
                       "          \"alias\": null,\n"
                       "          \"aliases\": [],\n"
                       "          \"help_uri\": \"" DW_TEST_PROJECT_URL
                       "/blob/main/docs/rules/instruction-casing.md\",\n"
                       "          \"related\": [],\n"
                       "          \"fix\": {\n"
                       "            \"applicability\": \"safe\",\n"
                       "            \"title\": \"upper-case 'run'\",\n"
                       "            \"edits\": [\n"
                       "              {\n"
                       "                \"path\": \"app/Dockerfile\",\n"
                       "                \"start_byte\": 17,\n"
                       "                \"end_byte\": 20,\n"
                       "                \"text\": \"RUN\"\n"
                       "              }\n"
                       "            ]\n"
                       "          }\n"
                       "        }\n"
                       "      ]\n"
                       "    },\n"
                       "    {\n"
                       "      \"path\": \"b/Dockerfile\",\n"
                       "      \"findings\": []\n"
                       "    }\n"
                       "  ],\n"
                       "  \"summary\": {\n"
                       "    \"files\": 2,\n"
                       "    \"errors\": 0,\n"
                       "    \"warnings\": 0,\n"
                       "    \"infos\": 0,\n"
                       "    \"styles\": 1,\n"
                       "    \"fixable\": 1,\n"
                       "    \"fixable_unsafe\": 0,\n"
                       "    \"fixed\": 0\n"
                       "  }\n"
                       "}\n";
    assert_string_equal(s, want);
    free(s);
}

static void test_json_parses_and_other_file_edits(void **state)
{
    (void)state;
    struct out_file f = sample();
    char *s = render(CFG_FORMAT_JSON, &f, 1);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    json_t *x = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "files"), 0), "findings"), 2);
    assert_string_equal(json_string_value(json_object_get(x, "message")),
                        "secret <in> \"TOKEN\" & 100%\nsecond line");
    json_t *edits = json_object_get(json_object_get(x, "fix"), "edits");
    assert_int_equal(json_array_size(edits), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(edits, 1), "path")),
                        "app/.dockerignore");
    x = json_array_get(json_object_get(json_array_get(json_object_get(j, "files"), 0), "findings"),
                       1);
    assert_string_equal(json_string_value(json_object_get(x, "alias")), "DL3009");
    assert_string_equal(json_string_value(json_array_get(json_object_get(x, "aliases"), 0)),
                        "DL3009");
    json_decref(j);
    free(s);
    /* An empty report is valid JSON too. */
    s = render(CFG_FORMAT_JSON, NULL, 0);
    j = json_loads(s, 0, &je);
    assert_non_null(j);
    json_decref(j);
    free(s);
}

static void test_json_invalid_utf8(void **state)
{
    (void)state;
    struct eng_finding x = { .rule = &r_apt,
                             .line = 1,
                             .col = 1,
                             .end_line = 1,
                             .end_col = 1,
                             .message = "bad \xff\xfe byte" };
    struct out_file f = { .path = "p\xc3", .findings = &x, .n_findings = 1 };
    char *s = render(CFG_FORMAT_JSON, &f, 1);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    json_t *file = json_array_get(json_object_get(j, "files"), 0);
    assert_string_equal(json_string_value(json_object_get(file, "path")), "p\xEF\xBF\xBD");
    json_decref(j);
    free(s);
}

static void test_github_escaping(void **state)
{
    (void)state;
    struct out_file f = sample();
    f.path = "a,b:c%/Dockerfile";
    char *s = render(CFG_FORMAT_GITHUB, &f, 1);
    const char *want =
        "::error file=a%2Cb%3Ac%25/Dockerfile,line=3,endLine=3,col=11,endColumn=20,"
        "title=DW402 hardcoded-secret::secret <in> \"TOKEN\" & 100%25%0Asecond line\n"
        "::warning file=a%2Cb%3Ac%25/Dockerfile,line=2,endLine=2,col=5,endColumn=19,"
        "title=DW301 apt-lists-not-cleaned::apt lists are not removed\n"
        "::notice file=a%2Cb%3Ac%25/Dockerfile,line=2,endLine=2,col=1,endColumn=4,"
        "title=DW601 instruction-casing::instruction 'run' should be upper case\n"
        "dockwright: 3 problems (1 error, 1 warning, 1 style) in 1 of 1 file; 1 fixable with "
        "--fix; 1 more with --fix --unsafe-fixes\n";
    assert_string_equal(s, want);
    free(s);
    /* Multi-line findings carry no columns. */
    struct eng_finding x = findings[1];
    x.end_line = 3;
    struct out_file g = { .path = "D", .findings = &x, .n_findings = 1 };
    s = render(CFG_FORMAT_GITHUB, &g, 1);
    assert_non_null(strstr(s, "::warning file=D,line=2,endLine=3,title=DW301"));
    free(s);
}

static void test_github_errors_first_across_files(void **state)
{
    (void)state;
    struct out_file a = sample(), b = sample();
    a.path = "a";
    b.path = "b";
    struct out_file files[] = { a, b };
    char *s = render(CFG_FORMAT_GITHUB, files, 2);
    const char *e1 = strstr(s, "::error file=a"), *e2 = strstr(s, "::error file=b");
    const char *w1 = strstr(s, "::warning file=a");
    assert_non_null(e1);
    assert_non_null(e2);
    assert_non_null(w1);
    assert_true(e1 < e2 && e2 < w1);
    free(s);
}

static void test_gnu(void **state)
{
    (void)state;
    struct out_file f = sample();
    char *s = render(CFG_FORMAT_GNU, &f, 1);
    assert_string_equal(s, "app/Dockerfile:2:1: style: instruction 'run' should be upper case "
                           "[DW601]\n"
                           "app/Dockerfile:2:5: warning: apt lists are not removed [DW301]\n"
                           "app/Dockerfile:3:11: error: secret <in> \"TOKEN\" & 100% second line "
                           "[DW402]\n");
    free(s);
}

static void test_checkstyle_escaping(void **state)
{
    (void)state;
    struct out_file f = sample();
    f.path = "a&b<'\">.Dockerfile";
    f.findings = &findings[2];
    f.n_findings = 1;
    struct out_file clean = { .path = "clean" };
    struct out_file files[] = { f, clean };
    char *s = render(CFG_FORMAT_CHECKSTYLE, files, 2);
    assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<checkstyle version=\"4.3\">\n"
                           "<file name=\"a&amp;b&lt;&apos;&quot;&gt;.Dockerfile\">\n"
                           "  <error line=\"3\" column=\"11\" severity=\"error\" message=\"secret "
                           "&lt;in&gt; &quot;TOKEN&quot; &amp; 100%&#10;second line\" "
                           "source=\"DW402\"/>\n"
                           "</file>\n"
                           "</checkstyle>\n");
    free(s);
    /* Control characters XML cannot carry become U+FFFD. */
    struct eng_finding x = findings[1];
    x.message = "a\001b";
    struct out_file g = { .path = "D", .findings = &x, .n_findings = 1 };
    s = render(CFG_FORMAT_CHECKSTYLE, &g, 1);
    assert_non_null(strstr(s, "message=\"a\xEF\xBF\xBD"
                              "b\""));
    free(s);
}

static const char *fingerprint_of(json_t *arr, size_t i)
{
    return json_string_value(json_object_get(json_array_get(arr, i), "fingerprint"));
}

static void test_gitlab_fingerprints(void **state)
{
    (void)state;
    struct out_file f = sample();
    char *s1 = render(CFG_FORMAT_GITLAB, &f, 1);
    char *s2 = render(CFG_FORMAT_GITLAB, &f, 1);
    assert_string_equal(s1, s2); /* deterministic */
    json_error_t je;
    json_t *a = json_loads(s1, 0, &je);
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 3);
    json_t *first = json_array_get(a, 0);
    assert_string_equal(json_string_value(json_object_get(first, "check_name")), "DW601");
    assert_string_equal(json_string_value(json_object_get(first, "severity")), "info");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "severity")),
                        "minor");
    /* An error of a security rule is critical. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 2), "severity")),
                        "critical");
    json_t *loc = json_object_get(first, "location");
    assert_string_equal(json_string_value(json_object_get(loc, "path")), "app/Dockerfile");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(loc, "lines"), "begin")),
                     2);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(strlen(fingerprint_of(a, i)), 32);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(fingerprint_of(a, i), fingerprint_of(a, k));
    }

    /* Two lines added above: the fingerprints stay. */
    static const char moved[] = "# a comment\n\nFROM alpine:3.20\n"
                                "run apt-get update\n"
                                "ENV TOKEN=\"a%b,c:d\"\n";
    struct eng_finding m[3];
    memcpy(m, findings, sizeof m);
    for (int i = 0; i < 3; i++) {
        m[i].line += 2;
        m[i].end_line += 2;
        m[i].span.start += 13;
        m[i].span.end += 13;
    }
    struct out_file g = { .path = "app/Dockerfile",
                          .src = moved,
                          .len = sizeof moved - 1,
                          .findings = m,
                          .n_findings = 3 };
    char *s3 = render(CFG_FORMAT_GITLAB, &g, 1);
    json_t *b = json_loads(s3, 0, &je);
    assert_non_null(b);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(fingerprint_of(a, i), fingerprint_of(b, i));
    json_decref(b);

    /* Another path: other fingerprints. */
    g.path = "other/Dockerfile";
    char *s4 = render(CFG_FORMAT_GITLAB, &g, 1);
    b = json_loads(s4, 0, &je);
    assert_string_not_equal(fingerprint_of(a, 0), fingerprint_of(b, 0));
    json_decref(b);

    /* The same finding twice on identical lines: distinct (occurrence). */
    static const char twice[] = "run a\nrun a\n";
    struct eng_finding t[2] = { findings[0], findings[0] };
    t[0].line = t[0].end_line = 1;
    t[1].line = t[1].end_line = 2;
    struct out_file h = {
        .path = "D", .src = twice, .len = sizeof twice - 1, .findings = t, .n_findings = 2
    };
    char *s5 = render(CFG_FORMAT_GITLAB, &h, 1);
    b = json_loads(s5, 0, &je);
    assert_string_not_equal(fingerprint_of(b, 0), fingerprint_of(b, 1));
    json_decref(b);
    json_decref(a);
    free(s1);
    free(s2);
    free(s3);
    free(s4);
    free(s5);
    /* No findings: an empty array. */
    struct out_file clean = { .path = "c" };
    char *s6 = render(CFG_FORMAT_GITLAB, &clean, 1);
    assert_string_equal(s6, "[]\n");
    free(s6);
}

/* ---- SARIF ---- */

static json_t *get(json_t *o, const char *key, json_type type)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        fail_msg("missing property '%s'", key);
    if (json_typeof(v) != type)
        fail_msg("property '%s' has the wrong type", key);
    return v;
}

static void check_region(json_t *r)
{
    const char *keys[] = { "startLine", "startColumn", "endLine", "endColumn" };
    for (int i = 0; i < 4; i++)
        assert_true(json_integer_value(get(r, keys[i], JSON_INTEGER)) >= 1);
    assert_true(json_integer_value(json_object_get(r, "endLine")) >=
                json_integer_value(json_object_get(r, "startLine")));
}

static void test_sarif_structure(void **state)
{
    (void)state;
    struct out_file f = sample();
    char *s = render(CFG_FORMAT_SARIF, &f, 1);
    json_error_t je;
    json_t *root = json_loads(s, 0, &je);
    if (!root)
        fail_msg("SARIF is not JSON: %s at %d:%d", je.text, je.line, je.column);
    assert_string_equal(json_string_value(get(root, "version", JSON_STRING)), "2.1.0");
    assert_non_null(strstr(json_string_value(get(root, "$schema", JSON_STRING)), "sarif-2.1.0"));
    json_t *runs = get(root, "runs", JSON_ARRAY);
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    assert_string_equal(json_string_value(get(run, "columnKind", JSON_STRING)), "utf16CodeUnits");
    json_t *driver = get(get(run, "tool", JSON_OBJECT), "driver", JSON_OBJECT);
    assert_string_equal(json_string_value(get(driver, "name", JSON_STRING)), "dockwright");
    assert_string_equal(json_string_value(get(driver, "semanticVersion", JSON_STRING)), "1.2.3");
    assert_true(
        strncmp(json_string_value(get(driver, "informationUri", JSON_STRING)), "https://", 8) == 0);
    json_t *rules = get(driver, "rules", JSON_ARRAY);
    assert_int_equal(json_array_size(rules), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *r = json_array_get(rules, i);
        assert_string_equal(json_string_value(get(r, "id", JSON_STRING)), registry[i]->id);
        assert_string_equal(json_string_value(get(r, "name", JSON_STRING)), registry[i]->name);
        const char *sd =
            json_string_value(get(get(r, "shortDescription", JSON_OBJECT), "text", JSON_STRING));
        const char *fd =
            json_string_value(get(get(r, "fullDescription", JSON_OBJECT), "text", JSON_STRING));
        assert_true(*sd && strlen(sd) <= 1024);
        assert_true(*fd && strlen(fd) <= 1024);
        json_t *help = get(r, "help", JSON_OBJECT);
        get(help, "text", JSON_STRING);
        get(help, "markdown", JSON_STRING);
        assert_true(strncmp(json_string_value(get(r, "helpUri", JSON_STRING)), "https://", 8) == 0);
        const char *lvl = json_string_value(
            get(get(r, "defaultConfiguration", JSON_OBJECT), "level", JSON_STRING));
        assert_true(strcmp(lvl, "none") == 0 || strcmp(lvl, "note") == 0 ||
                    strcmp(lvl, "warning") == 0 || strcmp(lvl, "error") == 0);
        json_t *props = get(r, "properties", JSON_OBJECT);
        assert_true(json_array_size(get(props, "tags", JSON_ARRAY)) <= 20);
    }
    /* The doc's first paragraph becomes the full description. */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(rules, 2), "fullDescription"), "text")),
                        "Flags instruction keywords written in lower case.");
    /* Security rules carry a security-severity. */
    json_t *sec = json_object_get(json_array_get(rules, 1), "properties");
    get(sec, "security-severity", JSON_STRING);

    json_t *results = get(run, "results", JSON_ARRAY);
    assert_int_equal(json_array_size(results), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *res = json_array_get(results, i);
        const char *id = json_string_value(get(res, "ruleId", JSON_STRING));
        json_int_t idx = json_integer_value(get(res, "ruleIndex", JSON_INTEGER));
        assert_true(idx >= 0 && idx < 3);
        assert_string_equal(id, registry[idx]->id);
        const char *lvl = json_string_value(get(res, "level", JSON_STRING));
        assert_true(strcmp(lvl, "none") == 0 || strcmp(lvl, "note") == 0 ||
                    strcmp(lvl, "warning") == 0 || strcmp(lvl, "error") == 0);
        get(get(res, "message", JSON_OBJECT), "text", JSON_STRING);
        json_t *locs = get(res, "locations", JSON_ARRAY);
        assert_int_equal(json_array_size(locs), 1);
        json_t *phys = get(json_array_get(locs, 0), "physicalLocation", JSON_OBJECT);
        json_t *art = get(phys, "artifactLocation", JSON_OBJECT);
        assert_string_equal(json_string_value(get(art, "uri", JSON_STRING)), "app/Dockerfile");
        assert_string_equal(json_string_value(get(art, "uriBaseId", JSON_STRING)), "%SRCROOT%");
        check_region(get(phys, "region", JSON_OBJECT));
        const char *fp = json_string_value(get(get(res, "partialFingerprints", JSON_OBJECT),
                                               "primaryLocationLineHash", JSON_STRING));
        assert_non_null(strchr(fp, ':'));
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0), "level")),
                        "note");
    assert_string_equal(json_string_value(json_object_get(json_array_get(results, 2), "level")),
                        "error");
    /* Fixes: replacements with a deleted region and inserted content, the
     * other file's change under its own artifact. */
    json_t *fixes = get(json_array_get(results, 2), "fixes", JSON_ARRAY);
    json_t *fix = json_array_get(fixes, 0);
    get(get(fix, "description", JSON_OBJECT), "text", JSON_STRING);
    json_t *changes = get(fix, "artifactChanges", JSON_ARRAY);
    assert_int_equal(json_array_size(changes), 2);
    json_t *rep = json_array_get(get(json_array_get(changes, 0), "replacements", JSON_ARRAY), 0);
    json_t *del = get(rep, "deletedRegion", JSON_OBJECT);
    check_region(del);
    assert_int_equal(json_integer_value(json_object_get(del, "startColumn")), 11);
    assert_int_equal(json_integer_value(json_object_get(del, "endColumn")), 20);
    get(get(rep, "insertedContent", JSON_OBJECT), "text", JSON_STRING);
    json_t *other = get(json_array_get(changes, 1), "artifactLocation", JSON_OBJECT);
    assert_string_equal(json_string_value(json_object_get(other, "uri")), "app/.dockerignore");
    assert_null(json_object_get(json_array_get(results, 1), "fixes"));
    json_decref(root);
    free(s);
}

static void test_sarif_utf16_columns_and_uris(void **state)
{
    (void)state;
    /* "é" is 2 bytes / 1 unit, the emoji 4 bytes / 2 units. */
    static const char text[] = "LABEL a=\"\xC3\xA9\xF0\x9F\x90\xB3\" b=1\n";
    struct eng_finding x = { .rule = &r_apt,
                             .severity = SEV_WARNING,
                             .line = 1,
                             .col = 18,
                             .end_line = 1,
                             .end_col = 21,
                             .message = "m" };
    struct out_file f = { .path = "my dir/Dockerfile",
                          .src = text,
                          .len = sizeof text - 1,
                          .findings = &x,
                          .n_findings = 1 };
    char *s = render(CFG_FORMAT_SARIF, &f, 1);
    json_error_t je;
    json_t *root = json_loads(s, 0, &je);
    assert_non_null(root);
    json_t *res = json_array_get(
        json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results"), 0);
    json_t *phys =
        json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
    json_t *region = json_object_get(phys, "region");
    /* Byte column 18 ("b") comes after 9 ASCII bytes, the 2 + 4 bytes of
     * the two characters and `" `: 9 + 1 + 2 + 2 = 14 units before it. */
    assert_int_equal(json_integer_value(json_object_get(region, "startColumn")), 15);
    assert_int_equal(json_integer_value(json_object_get(region, "endColumn")), 18);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
        "my%20dir/Dockerfile");
    json_decref(root);
    free(s);
}

static void test_sarif_no_results(void **state)
{
    (void)state;
    struct out_file clean = { .path = "c" };
    char *s = render(CFG_FORMAT_SARIF, &clean, 1);
    json_error_t je;
    json_t *root = json_loads(s, 0, &je);
    assert_non_null(root);
    json_t *run = json_array_get(json_object_get(root, "runs"), 0);
    assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
    json_decref(root);
    free(s);
}

static void test_helpers(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_int_equal(out_append_utf8(&b, "a\xC3\xA9\xC0\x80z\xED\xA0\x80", 9), 0);
    assert_string_equal(buf_cstr(&b), "a\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD"
                                      "\xEF\xBF\xBD");
    buf_release(&b);

    struct out_lines l;
    out_lines_init(&l, "ab\r\ncd\n", 7);
    assert_int_equal(l.count, 3);
    struct str t = out_line_text(&l, 1);
    assert_int_equal(t.len, 2);
    uint32_t line, col;
    out_lines_locate(&l, 4, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    out_lines_locate(&l, 100, &line, &col);
    assert_int_equal(line, 3);
    out_lines_release(&l);

    struct out_file f = { .path = "x/y/Dockerfile" };
    assert_int_equal(out_other_path(&f, ".dockerignore", &b), 0);
    assert_string_equal(buf_cstr(&b), "x/y/.dockerignore");
    buf_reset(&b);
    f.path = "Dockerfile";
    assert_int_equal(out_other_path(&f, ".dockerignore", &b), 0);
    assert_string_equal(buf_cstr(&b), ".dockerignore");
    buf_reset(&b);
    f.context_dir = "ctx/";
    assert_int_equal(out_other_path(&f, ".dockerignore", &b), 0);
    assert_string_equal(buf_cstr(&b), "ctx/.dockerignore");
    buf_release(&b);
}

/* out_append_utf8 copies runs of ASCII eight bytes at a time: a bad byte
 * at any offset of a long line is still replaced, valid UTF-8 kept; and
 * out_append_u32 writes what "%u" writes. */
static void test_helpers_long_text(void **state)
{
    (void)state;
    for (size_t len = 1; len < 40; len++) {
        for (size_t at = 0; at < len; at++) {
            char text[48], want[160];
            memset(text, 'a', len);
            text[at] = '\xFF';
            size_t w = 0;
            for (size_t i = 0; i < len; i++) {
                if (i == at) {
                    memcpy(want + w, "\xEF\xBF\xBD", 3);
                    w += 3;
                } else {
                    want[w++] = 'a';
                }
            }
            struct buf b = BUF_INIT;
            assert_int_equal(out_append_utf8(&b, text, len), 0);
            assert_int_equal(b.len, w);
            assert_memory_equal(b.data, want, w);
            buf_reset(&b);
            text[at] = '\xC3'; /* a two-byte sequence when a byte follows */
            if (at + 1 < len) {
                text[at + 1] = '\xA9';
                assert_int_equal(out_append_utf8(&b, text, len), 0);
                assert_int_equal(b.len, len);
                assert_memory_equal(b.data, text, len);
            }
            buf_release(&b);
        }
    }
    static const uint32_t nums[] = { 0, 7, 10, 99, 100, 4294967295u };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char want[16];
        snprintf(want, sizeof want, "%u", nums[i]);
        struct buf b = BUF_INIT;
        assert_int_equal(out_append_u32(&b, nums[i]), 0);
        assert_string_equal(buf_cstr(&b), want);
        buf_release(&b);
    }
}

static void test_summary_fix_mode(void **state)
{
    (void)state;
    struct out_options o = opts(CFG_FORMAT_TTY);
    o.fix_mode = true;
    struct out_totals t = { .files = 2, .fixes_applied = 3, .files_fixed = 1 };
    struct buf b = BUF_INIT;
    assert_int_equal(out_summary_text(&o, &t, &b), 0);
    assert_string_equal(buf_cstr(&b), "fixed 3 problems in 1 file; no problems left in 2 files");
    buf_reset(&b);
    t.by_severity[SEV_WARNING] = 1;
    t.files_with_findings = 1;
    t.fixable_unsafe = 1;
    assert_int_equal(out_summary_text(&o, &t, &b), 0);
    assert_string_equal(buf_cstr(&b), "fixed 3 problems in 1 file; 1 problem (1 warning) in 1 of "
                                      "2 files; 1 fixable with --unsafe-fixes");
    buf_release(&b);
}

static char *diff(const char *a, const char *b, const char *old_name)
{
    struct buf out = BUF_INIT;
    assert_int_equal(out_unified_diff(old_name, "x", a, strlen(a), b, strlen(b), &out), 0);
    return buf_detach(&out, NULL);
}

static void test_unified_diff(void **state)
{
    (void)state;
    char *s = diff("a\nb\nc\n", "a\nB\nc\n", "x");
    assert_string_equal(s, "--- x\n+++ x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
    free(s);
    s = diff("same\n", "same\n", "x");
    assert_string_equal(s, "");
    free(s);
    s = diff("x\ny", "x\nz", "x");
    assert_string_equal(s, "--- x\n+++ x\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n"
                           "+z\n\\ No newline at end of file\n");
    free(s);
    s = diff("", "secrets/\n", "/dev/null");
    assert_string_equal(s, "--- /dev/null\n+++ x\n@@ -0,0 +1,1 @@\n+secrets/\n");
    free(s);
    s = diff("a\nb\n", "", "x");
    assert_string_equal(s, "--- x\n+++ x\n@@ -1,2 +0,0 @@\n-a\n-b\n");
    free(s);

    /* Twenty lines: changes far apart make two hunks, six equal lines
     * between them make one. */
    struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
    for (int i = 1; i <= 20; i++) {
        assert_int_equal(buf_printf(&a, "l%d\n", i), 0);
        assert_int_equal(buf_printf(&b, i == 2 || i == 18 ? "L%d\n" : "l%d\n", i), 0);
        assert_int_equal(buf_printf(&c, i == 2 || i == 9 ? "L%d\n" : "l%d\n", i), 0);
    }
    s = diff(buf_cstr(&a), buf_cstr(&b), "x");
    assert_string_equal(s, "--- x\n+++ x\n"
                           "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n"
                           "@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n l20\n");
    free(s);
    s = diff(buf_cstr(&a), buf_cstr(&c), "x");
    assert_string_equal(s, "--- x\n+++ x\n"
                           "@@ -1,12 +1,12 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n l6\n l7\n l8\n"
                           "-l9\n+L9\n l10\n l11\n l12\n");
    free(s);
    /* An inserted line in the middle is aligned, not a whole replacement. */
    s = diff("a\nb\nc\nd\n", "a\nb\nNEW\nc\nd\n", "x");
    assert_string_equal(s, "--- x\n+++ x\n@@ -1,4 +1,5 @@\n a\n b\n+NEW\n c\n d\n");
    free(s);
    buf_release(&a);
    buf_release(&b);
    buf_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tty_exact),
        cmocka_unit_test(test_tty_tabs_multiline_and_no_findings),
        cmocka_unit_test(test_tty_color),
        cmocka_unit_test(test_json_exact),
        cmocka_unit_test(test_json_parses_and_other_file_edits),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_github_escaping),
        cmocka_unit_test(test_github_errors_first_across_files),
        cmocka_unit_test(test_gnu),
        cmocka_unit_test(test_checkstyle_escaping),
        cmocka_unit_test(test_gitlab_fingerprints),
        cmocka_unit_test(test_sarif_structure),
        cmocka_unit_test(test_sarif_utf16_columns_and_uris),
        cmocka_unit_test(test_sarif_no_results),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_helpers_long_text),
        cmocka_unit_test(test_summary_fix_mode),
        cmocka_unit_test(test_unified_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
