/* Config files: every .dockwright.yaml key and its type, every error with
 * its line and column, unknown keys with suggestions, rule options and
 * their typed accessors, and the .hadolint.yaml compatibility mapping. The
 * YAML texts are written to files in a temporary directory and loaded with
 * cfg_load_file. */
#include "analyzer/config.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[4096];

static int group_setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/dw-config-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char p[4200];
    static const char *const names[] = { ".dockwright.yaml", ".hadolint.yaml" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    return rmdir(tmpdir);
}

/* Writes text (n bytes) to the temp dir under name; returns the path. */
static const char *write_file(const char *name, const char *text, size_t n)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Loads text as a config of mode; returns the cfg, or NULL with e set. */
static struct cfg *load_n(enum cfg_mode mode, const char *text, size_t n, struct err *e)
{
    const char *name = mode == CFG_MODE_HADOLINT ? ".hadolint.yaml" : ".dockwright.yaml";
    const char *path = write_file(name, text, n);
    struct cfg *c = cfg_new(mode);
    err_clear(e);
    if (cfg_load_file(c, path, e)) {
        cfg_free(c);
        return NULL;
    }
    return c;
}

static struct cfg *load(enum cfg_mode mode, const char *text, struct err *e)
{
    return load_n(mode, text, strlen(text), e);
}

static struct cfg *load_ok(enum cfg_mode mode, const char *text)
{
    struct err e;
    struct cfg *c = load(mode, text, &e);
    if (!c)
        fail_msg("loading [%s] failed: %u:%u: %s", text, e.line, e.col, e.msg);
    return c;
}

static void check_item(const struct cfg_list *l, size_t i, const char *text, uint32_t line,
                       uint32_t col)
{
    assert_true(i < l->len);
    assert_string_equal(l->items[i].text, text);
    assert_int_equal(l->items[i].loc.src, CFG_SRC_FILE);
    assert_int_equal(l->items[i].loc.line, line);
    assert_int_equal(l->items[i].loc.col, col);
}

static void check_loc(const struct cfg_loc *loc, uint32_t line, uint32_t col)
{
    assert_int_equal(loc->src, CFG_SRC_FILE);
    assert_int_equal(loc->line, line);
    assert_int_equal(loc->col, col);
    assert_non_null(strstr(loc->origin, ".yaml"));
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    (void)state;
    struct cfg *c = cfg_new(CFG_MODE_NONE);
    assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_DEFAULT);
    assert_true(c->inline_ignores);
    assert_false(c->preview);
    assert_int_equal(c->rule_set, 0);
    assert_int_equal(c->shellcheck, CFG_SHELLCHECK_AUTO);
    assert_int_equal(c->shellcheck_timeout_ms, 10000);
    assert_null(c->shellcheck_path);
    assert_int_equal(c->format, CFG_FORMAT_TTY);
    assert_false(c->no_color);
    assert_null(c->context);
    assert_null(c->path);
    assert_int_equal(c->select.len + c->ignore.len + c->n_severity + c->n_rules, 0);
    cfg_free(c);
    c = cfg_new(CFG_MODE_HADOLINT);
    assert_int_equal(c->failure_threshold, CFG_FAIL_INFO);
    cfg_free(c);
    cfg_free(NULL);
}

/* ---- every key ---- */

static void test_all_keys(void **state)
{
    (void)state;
    const char *text = "# every key\n"
                       "select: [DW1, untagged-base-image]\n"
                       "ignore:\n"
                       "  - DL3008\n"
                       "  - 'SC2086'\n"
                       "severity:\n"
                       "  DW101: error\n"
                       "  apt-unpinned: off\n"
                       "  DW6: style\n"
                       "failure-threshold: info\n"
                       "trusted-registries: [docker.io, '*.corp.example']\n"
                       "allowed-base-images: [\"alpine:*\"]\n"
                       "secrets:\n"
                       "  allow: ['^AKIA.*EXAMPLE$']\n"
                       "context: ctx\n"
                       "preview: yes\n"
                       "rule-set: 1\n"
                       "inline-ignores: false\n"
                       "build-contexts: [deps, tools]\n"
                       "label-schema:\n"
                       "  org.opencontainers.image.source: url\n"
                       "  version: semver\n"
                       "strict-labels: true\n"
                       "shellcheck: {mode: on, path: bin/shellcheck, timeout: 2.5}\n"
                       "exclude: ['vendor/**', third_party]\n"
                       "format: sarif\n"
                       "no-color: On\n"
                       "instruction-casing: {mode: consistent}\n";
    struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
    assert_int_equal(c->mode, CFG_MODE_DOCKWRIGHT);
    assert_non_null(strstr(c->path, ".dockwright.yaml"));
    assert_string_equal(c->dir, tmpdir);

    assert_int_equal(c->select.len, 2);
    check_item(&c->select, 0, "DW1", 2, 10);
    check_item(&c->select, 1, "untagged-base-image", 2, 15);
    assert_int_equal(c->ignore.len, 2);
    check_item(&c->ignore, 0, "DL3008", 4, 5);
    check_item(&c->ignore, 1, "SC2086", 5, 5);

    assert_int_equal(c->n_severity, 3);
    assert_string_equal(c->severity[0].rule, "DW101");
    assert_int_equal(c->severity[0].severity, CFG_SEV_ERROR);
    check_loc(&c->severity[0].loc, 7, 3);
    assert_string_equal(c->severity[1].rule, "apt-unpinned");
    assert_int_equal(c->severity[1].severity, CFG_SEV_OFF);
    assert_int_equal(c->severity[2].severity, CFG_SEV_STYLE);

    assert_int_equal(c->failure_threshold, CFG_FAIL_INFO);
    check_loc(&c->failure_threshold_loc, 10, 20);
    assert_int_equal(c->trusted_registries.len, 2);
    check_item(&c->trusted_registries, 1, "*.corp.example", 11, 33);
    check_item(&c->allowed_base_images, 0, "alpine:*", 12, 23);
    check_item(&c->secrets_allow, 0, "^AKIA.*EXAMPLE$", 14, 11);

    char want[4300];
    snprintf(want, sizeof want, "%s/ctx", tmpdir);
    assert_string_equal(c->context, want);
    check_loc(&c->context_loc, 15, 10);
    assert_true(c->preview);
    assert_int_equal(c->rule_set, 1);
    assert_false(c->inline_ignores);
    check_loc(&c->inline_ignores_loc, 18, 17);

    assert_int_equal(c->n_build_contexts, 2);
    assert_string_equal(c->build_contexts[0].name, "deps");
    assert_null(c->build_contexts[0].value);
    assert_string_equal(c->build_contexts[1].name, "tools");

    assert_int_equal(c->n_label_schema, 2);
    assert_string_equal(c->label_schema[0].name, "org.opencontainers.image.source");
    assert_int_equal(c->label_schema[0].type, CFG_LABEL_URL);
    assert_int_equal(c->label_schema[1].type, CFG_LABEL_SEMVER);
    check_loc(&c->label_schema[1].loc, 22, 3);
    assert_true(c->strict_labels);

    assert_int_equal(c->shellcheck, CFG_SHELLCHECK_ON);
    snprintf(want, sizeof want, "%s/bin/shellcheck", tmpdir);
    assert_string_equal(c->shellcheck_path, want);
    assert_int_equal(c->shellcheck_timeout_ms, 2500);
    check_loc(&c->shellcheck_timeout_loc, 24, 55);

    assert_int_equal(c->exclude.len, 2);
    check_item(&c->exclude, 1, "third_party", 25, 24);
    assert_int_equal(c->format, CFG_FORMAT_SARIF);
    assert_true(c->no_color);

    assert_int_equal(c->n_rules, 1);
    assert_string_equal(c->rules[0].rule, "instruction-casing");
    assert_int_equal(c->n_warnings, 0);
    cfg_free(c);
}

/* ---- scalar forms and YAML details ---- */

struct value_case {
    const char *yaml;
    size_t offset; /* offsetof the bool in struct cfg */
    bool want;
};

static void test_booleans(void **state)
{
    (void)state;
    static const struct value_case cases[] = {
        { "preview: true", offsetof(struct cfg, preview), true },
        { "preview: True", offsetof(struct cfg, preview), true },
        { "preview: YES", offsetof(struct cfg, preview), true },
        { "preview: y", offsetof(struct cfg, preview), true },
        { "preview: on", offsetof(struct cfg, preview), true },
        { "preview: false", offsetof(struct cfg, preview), false },
        { "preview: No", offsetof(struct cfg, preview), false },
        { "preview: OFF", offsetof(struct cfg, preview), false },
        { "preview: n", offsetof(struct cfg, preview), false },
        { "inline-ignores: no", offsetof(struct cfg, inline_ignores), false },
        { "inline-ignores: yes", offsetof(struct cfg, inline_ignores), true },
        { "strict-labels: on", offsetof(struct cfg, strict_labels), true },
        { "no-color: TRUE", offsetof(struct cfg, no_color), true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, cases[i].yaml);
        bool got = *(bool *)((char *)c + cases[i].offset);
        if (got != cases[i].want)
            fail_msg("[%s]: got %d", cases[i].yaml, got);
        cfg_free(c);
    }
}

static void test_enums(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        int threshold, format, shellcheck;
    } cases[] = {
        { "failure-threshold: error", CFG_FAIL_ERROR, -1, -1 },
        { "failure-threshold: warning", CFG_FAIL_WARNING, -1, -1 },
        { "failure-threshold: style", CFG_FAIL_STYLE, -1, -1 },
        { "failure-threshold: 'none'", CFG_FAIL_NONE, -1, -1 },
        { "format: tty", -1, CFG_FORMAT_TTY, -1 },
        { "format: json", -1, CFG_FORMAT_JSON, -1 },
        { "format: github", -1, CFG_FORMAT_GITHUB, -1 },
        { "format: gitlab", -1, CFG_FORMAT_GITLAB, -1 },
        { "format: checkstyle", -1, CFG_FORMAT_CHECKSTYLE, -1 },
        { "format: gnu", -1, CFG_FORMAT_GNU, -1 },
        { "shellcheck: auto", -1, -1, CFG_SHELLCHECK_AUTO },
        { "shellcheck: on", -1, -1, CFG_SHELLCHECK_ON },
        { "shellcheck: off", -1, -1, CFG_SHELLCHECK_OFF },
        { "shellcheck: {mode: off}", -1, -1, CFG_SHELLCHECK_OFF },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, cases[i].yaml);
        if (cases[i].threshold >= 0)
            assert_int_equal(c->failure_threshold, cases[i].threshold);
        if (cases[i].format >= 0)
            assert_int_equal(c->format, cases[i].format);
        if (cases[i].shellcheck >= 0)
            assert_int_equal(c->shellcheck, cases[i].shellcheck);
        cfg_free(c);
    }
}

static void test_shellcheck_forms(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        uint32_t ms;
        const char *path; /* NULL: unset; "@" prefix: relative to the temp dir */
    } cases[] = {
        { "shellcheck: {timeout: 10}", 10000, NULL },
        { "shellcheck: {timeout: 500ms}", 500, NULL },
        { "shellcheck: {timeout: 2 s}", 2000, NULL },
        { "shellcheck: {timeout: 1m}", 60000, NULL },
        { "shellcheck: {timeout: 0.25}", 250, NULL },
        { "shellcheck: {path: shellcheck-0.10}", 10000, "shellcheck-0.10" },
        { "shellcheck: {path: /opt/sc/shellcheck}", 10000, "/opt/sc/shellcheck" },
        { "shellcheck: {path: ./tools/sc}", 10000, "@./tools/sc" },
        { "shellcheck: {mode: ~, path: ~}", 10000, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, cases[i].yaml);
        assert_int_equal(c->shellcheck_timeout_ms, cases[i].ms);
        if (!cases[i].path) {
            assert_null(c->shellcheck_path);
        } else if (cases[i].path[0] == '@') {
            char want[4300];
            snprintf(want, sizeof want, "%s/%s", tmpdir, cases[i].path + 1);
            assert_string_equal(c->shellcheck_path, want);
        } else {
            assert_string_equal(c->shellcheck_path, cases[i].path);
        }
        cfg_free(c);
    }
}

static void test_yaml_forms(void **state)
{
    (void)state;
    /* Block and flow lists, quoting styles, comments, nulls, an absolute
     * context, the map form of build-contexts. */
    const char *text = "select:   # trailing comment\n"
                       "- a\n"
                       "- \"b c\"\n"
                       "- >-\n"
                       "  folded\n"
                       "ignore: ~\n"
                       "exclude:\n"
                       "context: /abs/ctx\n"
                       "build-contexts:\n"
                       "  deps: ../deps\n"
                       "  base: docker-image://alpine:3.20\n"
                       "label-schema: {}\n"
                       "secrets: {allow: null}\n";
    struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
    assert_int_equal(c->select.len, 3);
    check_item(&c->select, 0, "a", 2, 3);
    check_item(&c->select, 1, "b c", 3, 3);
    check_item(&c->select, 2, "folded", 4, 3);
    assert_int_equal(c->ignore.len, 0);
    assert_int_equal(c->exclude.len, 0);
    assert_string_equal(c->context, "/abs/ctx");
    assert_int_equal(c->n_build_contexts, 2);
    assert_string_equal(c->build_contexts[0].name, "deps");
    assert_string_equal(c->build_contexts[0].value, "../deps");
    assert_string_equal(c->build_contexts[1].value, "docker-image://alpine:3.20");
    check_loc(&c->build_contexts[1].loc, 11, 3);
    assert_int_equal(c->n_label_schema, 0);
    assert_int_equal(c->secrets_allow.len, 0);
    cfg_free(c);

    /* Empty files, comments only, an empty document: all defaults. */
    static const char *const empty[] = { "", "# nothing\n", "---\n", "--- ~\n", "---\n...\n" };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        c = load_ok(CFG_MODE_DOCKWRIGHT, empty[i]);
        assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
        assert_int_equal(c->select.len, 0);
        cfg_free(c);
    }

    /* Byte columns: a BOM is not counted, a two-byte character is two
     * columns, CR LF ends a line. */
    c = load_ok(CFG_MODE_DOCKWRIGHT, "\xEF\xBB\xBF"
                                     "select: [\"\xC3\xA9\", x]\r\n"
                                     "ignore: [y]\r\n");
    check_item(&c->select, 0, "\xC3\xA9", 1, 10);
    check_item(&c->select, 1, "x", 1, 16);
    check_item(&c->ignore, 0, "y", 2, 10);
    cfg_free(c);
}

/* ---- errors ---- */

struct error_case {
    const char *yaml;
    enum err_code code;
    uint32_t line, col;
    const char *msg;
};

static void run_errors(enum cfg_mode mode, const struct error_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct err e;
        struct cfg *c = load(mode, cases[i].yaml, &e);
        if (c) {
            cfg_free(c);
            fail_msg("[%s] loaded; want %s", cases[i].yaml, cases[i].msg);
        }
        if (e.code != cases[i].code || e.line != cases[i].line || e.col != cases[i].col ||
            strcmp(e.msg, cases[i].msg) != 0)
            fail_msg("[%s]\n got %d %u:%u: %s\nwant %d %u:%u: %s", cases[i].yaml, e.code, e.line,
                     e.col, e.msg, cases[i].code, cases[i].line, cases[i].col, cases[i].msg);
        assert_non_null(strstr(e.path, ".yaml"));
    }
}

static void test_type_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "select: DW1", ERR_INVALID, 1, 9, "select: must be a list of strings" },
        { "select: {a: b}", ERR_INVALID, 1, 9, "select: must be a list of strings" },
        { "select: [a, [b]]", ERR_INVALID, 1, 13, "select: must be a list of strings" },
        { "select:\n  - a\n  -\n", ERR_INVALID, 3, 4, "select: must be a list of strings" },
        { "select: [a, '']", ERR_INVALID, 1, 13, "select: items must not be empty" },
        { "ignore: 3", ERR_INVALID, 1, 9, "ignore: must be a list of strings" },
        { "severity: [DW101]", ERR_INVALID, 1, 11,
          "severity: must be a mapping of rule names to severities" },
        { "severity:\n  DW101: fatal\n", ERR_INVALID, 2, 10,
          "severity.DW101: must be one of error, warning, info, style, off" },
        { "severity: {DW101: }", ERR_INVALID, 1, 19,
          "severity.DW101: must be one of error, warning, info, style, off" },
        { "severity: {'': error}", ERR_INVALID, 1, 12, "severity: rule names must not be empty" },
        { "failure-threshold: fatal", ERR_INVALID, 1, 20,
          "failure-threshold: must be one of error, warning, info, style, none" },
        { "failure-threshold: [error]", ERR_INVALID, 1, 20,
          "failure-threshold: must be one of error, warning, info, style, none" },
        { "trusted-registries: docker.io", ERR_INVALID, 1, 21,
          "trusted-registries: must be a list of strings" },
        { "allowed-base-images: 3", ERR_INVALID, 1, 22,
          "allowed-base-images: must be a list of strings" },
        { "secrets: [x]", ERR_INVALID, 1, 10, "secrets: must be a mapping with the key allow" },
        { "secrets:\n  alow: [x]\n", ERR_INVALID, 2, 3,
          "unknown key 'secrets.alow' (did you mean 'secrets.allow'?)" },
        { "secrets: {other: 1}", ERR_INVALID, 1, 11, "unknown key 'secrets.other'" },
        { "secrets: {allow: x}", ERR_INVALID, 1, 18, "secrets.allow: must be a list of strings" },
        { "context: [a]", ERR_INVALID, 1, 10, "context: must be a string" },
        { "context: ''", ERR_INVALID, 1, 10, "context: must not be empty" },
        { "preview: maybe", ERR_INVALID, 1, 10, "preview: must be true or false" },
        { "preview: 'true'", ERR_INVALID, 1, 10, "preview: must be true or false" },
        { "preview: 1", ERR_INVALID, 1, 10, "preview: must be true or false" },
        { "rule-set: 0", ERR_INVALID, 1, 11, "rule-set: must be a positive integer" },
        { "rule-set: one", ERR_INVALID, 1, 11, "rule-set: must be a positive integer" },
        { "rule-set: '1'", ERR_INVALID, 1, 11, "rule-set: must be a positive integer" },
        { "rule-set: -1", ERR_INVALID, 1, 11, "rule-set: must be a positive integer" },
        { "inline-ignores: nope", ERR_INVALID, 1, 17, "inline-ignores: must be true or false" },
        { "build-contexts: deps", ERR_INVALID, 1, 17,
          "build-contexts: must be a list of names or a mapping of names to locations" },
        { "build-contexts: [deps, [x]]", ERR_INVALID, 1, 24, "build-contexts: must be a string" },
        { "build-contexts: {deps: [x]}", ERR_INVALID, 1, 24,
          "build-contexts.deps: must be a string" },
        { "label-schema: [a]", ERR_INVALID, 1, 15,
          "label-schema: must be a mapping of label names to types" },
        { "label-schema:\n  maintainer: person\n", ERR_INVALID, 2, 15,
          "label-schema.maintainer: must be one of text, url, semver, hash, rfc3339, spdx, "
          "email" },
        { "strict-labels: [true]", ERR_INVALID, 1, 16, "strict-labels: must be true or false" },
        { "shellcheck: maybe", ERR_INVALID, 1, 13,
          "shellcheck: must be one of auto, on, off, or a mapping with the keys mode, path, "
          "timeout" },
        { "shellcheck: true", ERR_INVALID, 1, 13,
          "shellcheck: must be one of auto, on, off, or a mapping with the keys mode, path, "
          "timeout" },
        { "shellcheck: [on]", ERR_INVALID, 1, 13,
          "shellcheck: must be one of auto, on, off, or a mapping with the keys mode, path, "
          "timeout" },
        { "shellcheck: {mode: always}", ERR_INVALID, 1, 20,
          "shellcheck.mode: must be one of auto, on, off" },
        { "shellcheck:\n  pth: /bin/sc\n", ERR_INVALID, 2, 3,
          "unknown key 'shellcheck.pth' (did you mean 'shellcheck.path'?)" },
        { "shellcheck: {path: [a]}", ERR_INVALID, 1, 20, "shellcheck.path: must be a string" },
        { "shellcheck: {timeout: 0}", ERR_INVALID, 1, 23,
          "shellcheck.timeout: must be a duration from 1ms to 1h (seconds, or a number with the "
          "unit ms, s or m)" },
        { "shellcheck: {timeout: 2h}", ERR_INVALID, 1, 23,
          "shellcheck.timeout: must be a duration from 1ms to 1h (seconds, or a number with the "
          "unit ms, s or m)" },
        { "shellcheck: {timeout: 61m}", ERR_INVALID, 1, 23,
          "shellcheck.timeout: must be a duration from 1ms to 1h (seconds, or a number with the "
          "unit ms, s or m)" },
        { "exclude: vendor", ERR_INVALID, 1, 10, "exclude: must be a list of strings" },
        { "format: xml", ERR_INVALID, 1, 9,
          "format: must be one of tty, json, sarif, github, gitlab, checkstyle, gnu" },
        { "no-color: [x]", ERR_INVALID, 1, 11, "no-color: must be true or false" },
        { "instruction-casing:\n  mode: {a: b}\n", ERR_INVALID, 2, 9,
          "instruction-casing.mode: must be a scalar or a list of scalars" },
        { "root-user: {non-root-images: [a, [b]]}", ERR_INVALID, 1, 34,
          "root-user.non-root-images: must be a scalar or a list of scalars" },
        { "root-user: {'': a}", ERR_INVALID, 1, 13, "root-user: option names must not be empty" },
    };
    run_errors(CFG_MODE_DOCKWRIGHT, cases, sizeof cases / sizeof cases[0]);
}

static void test_unknown_keys(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "selct: [DW1]", ERR_INVALID, 1, 1, "unknown key 'selct' (did you mean 'select'?)" },
        { "select: [a]\nignroe: [b]\n", ERR_INVALID, 2, 1,
          "unknown key 'ignroe' (did you mean 'ignore'?)" },
        { "failure_threshold: error", ERR_INVALID, 1, 1,
          "unknown key 'failure_threshold' (did you mean 'failure-threshold'?)" },
        { "nocolor: true", ERR_INVALID, 1, 1, "unknown key 'nocolor' (did you mean 'no-color'?)" },
        /* A mapping under a near-miss is a typo, not a rule section. */
        { "severty: {DW101: off}", ERR_INVALID, 1, 1,
          "unknown key 'severty' (did you mean 'severity'?)" },
        { "verbose: true", ERR_INVALID, 1, 1, "unknown key 'verbose'" },
        { "  totally-unknown: [1]", ERR_INVALID, 1, 3, "unknown key 'totally-unknown'" },
        { "secrets.allow: [x]", ERR_INVALID, 1, 1,
          "unknown key 'secrets.allow' (nest it: 'secrets: {allow: ...}')" },
    };
    run_errors(CFG_MODE_DOCKWRIGHT, cases, sizeof cases / sizeof cases[0]);
}

static void test_yaml_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "select: b: c", ERR_SYNTAX, 1, 10,
          "malformed YAML: mapping values are not allowed in this context" },
        { "select: [a, b\n", ERR_SYNTAX, 2, 1,
          "malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence at "
          "line 1, column 9)" },
        { "select:\n  - a\n ignore: [b]\n", ERR_SYNTAX, 3, 2,
          "malformed YAML: did not find expected key (while parsing a block mapping at line 1, "
          "column 1)" },
        { "select: 'abc\n", ERR_SYNTAX, 2, 1,
          "malformed YAML: found unexpected end of stream (while scanning a quoted scalar at "
          "line 1, column 9)" },
        { "select:\n\t- a\n", ERR_SYNTAX, 2, 1,
          "malformed YAML: found character that cannot start any token (while scanning for the "
          "next token at line 2, column 1)" },
        { "[a, b]", ERR_INVALID, 1, 1, "config must be a mapping of keys to values" },
        { "just text", ERR_INVALID, 1, 1, "config must be a mapping of keys to values" },
        { "select: [a]\nfailure-threshold: error\nselect: [b]\n", ERR_INVALID, 3, 1,
          "duplicate key 'select' (first at line 1)" },
        { "severity:\n  DW1: off\n  DW2: off\n  DW1: error\n", ERR_INVALID, 4, 3,
          "duplicate key 'DW1' (first at line 2)" },
        { "? [a]\n: b\n", ERR_INVALID, 1, 3, "mapping keys must be strings" },
        { "select: &names [a]\nignore: *names\n", ERR_SYNTAX, 1, 9,
          "YAML anchors are not supported ('&names')" },
        { "select: !!set {a}\n", ERR_SYNTAX, 1, 9,
          "YAML tags are not supported ('tag:yaml.org,2002:set')" },
        { "select: !custom [a]\n", ERR_SYNTAX, 1, 9, "YAML tags are not supported ('!custom')" },
        { "select: [a]\n---\nignore: [b]\n", ERR_SYNTAX, 2, 1,
          "a config file holds one YAML document, found a second one" },
        { "select: [\"a\\0b\"]", ERR_INVALID, 1, 10, "strings must not contain NUL characters" },
        { "select: [a]\nignore: [\xff]\n", ERR_SYNTAX, 2, 10,
          "malformed YAML: invalid leading UTF-8 octet (#xFF)" },
        { "\xff\xfes\0e\0", ERR_SYNTAX, 1, 1, "config files must be UTF-8, not UTF-16" },
    };
    run_errors(CFG_MODE_DOCKWRIGHT, cases, sizeof cases / sizeof cases[0]);

    /* An alias on its own line (after an anchor is refused anyway). */
    struct err e;
    assert_null(load(CFG_MODE_DOCKWRIGHT, "select: *names\n", &e));
    assert_int_equal(e.code, ERR_SYNTAX);

    /* Nesting deeper than CFG_MAX_DEPTH. */
    char deep[400];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "select: ");
    for (int i = 0; i < CFG_MAX_DEPTH + 5; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    assert_null(load(CFG_MODE_DOCKWRIGHT, deep, &e));
    assert_int_equal(e.code, ERR_SYNTAX);
    assert_string_equal(e.msg, "YAML nesting is deeper than 64 levels");
    assert_int_equal(e.line, 1);
    assert_int_equal(e.col, 9 + CFG_MAX_DEPTH - 1);
}

static void test_file_errors(void **state)
{
    (void)state;
    struct err e;
    char path[4300];
    snprintf(path, sizeof path, "%s/missing.yaml", tmpdir);
    struct cfg *c = cfg_new(CFG_MODE_DOCKWRIGHT);
    assert_int_equal(cfg_load_file(c, path, &e), ERR_IO);
    assert_string_equal(e.path, path);
    assert_string_equal(e.msg, "cannot read config file: No such file or directory");
    assert_int_equal(cfg_load_file(c, tmpdir, &e), ERR_IO);
    cfg_free(c);

    /* Over the size cap. */
    size_t big = CFG_MAX_FILE + 1;
    char *text = xmalloc(big);
    memset(text, '#', big);
    assert_null(load_n(CFG_MODE_DOCKWRIGHT, text, big, &e));
    assert_int_equal(e.code, ERR_TOO_LARGE);
    free(text);

    /* The formatted error carries file:line:col. */
    assert_null(load(CFG_MODE_DOCKWRIGHT, "select: [a]\nselct: [b]\n", &e));
    char out[5000], want[5000];
    err_format(&e, out, sizeof out);
    snprintf(want, sizeof want,
             "%s/.dockwright.yaml:2:1: unknown key 'selct' (did you mean 'select'?)", tmpdir);
    assert_string_equal(out, want);
}

/* ---- rule options ---- */

static void test_rule_options(void **state)
{
    (void)state;
    const char *text = "instruction-casing:\n"
                       "  mode: consistent\n"
                       "dockerignore-gap: {max-file-size: 5MiB}\n"
                       "removed-in-later-layer: {min-bytes: 1024}\n"
                       "root-user:\n"
                       "  non-root-images: [gcr.io/distroless/*:nonroot, 'chainguard/*']\n"
                       "maintainer-deprecated: {label: org.opencontainers.image.authors}\n"
                       "DW999: {flag: yes, count: 7, empty: ~}\n"
                       "DW998:\n";
    struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
    assert_int_equal(c->n_rules, 7);
    struct err e;

    const struct cfg_rule_options *o = cfg_rule_options(c, "DW601", "instruction-casing");
    assert_non_null(o);
    check_loc(&o->loc, 1, 1);
    static const char *const modes[] = { "upper", "consistent" };
    size_t idx;
    assert_int_equal(cfg_value_enum(cfg_option(o, "mode"), modes, 2, &idx, &e), 0);
    assert_int_equal(idx, 1);
    static const char *const casing_keys[] = { "mode" };
    assert_int_equal(cfg_option_check_keys(o, casing_keys, 1, &e), 0);
    assert_null(cfg_option(o, "other"));
    assert_null(cfg_option(NULL, "mode"));

    uint64_t bytes;
    o = cfg_rule_options(c, NULL, "dockerignore-gap");
    assert_int_equal(cfg_value_bytes(cfg_option(o, "max-file-size"), &bytes, &e), 0);
    assert_int_equal(bytes, 5 * 1024 * 1024);
    o = cfg_rule_options(c, "DW204", "removed-in-later-layer");
    assert_int_equal(cfg_value_bytes(cfg_option(o, "min-bytes"), &bytes, &e), 0);
    assert_int_equal(bytes, 1024);

    o = cfg_rule_options(c, "DW401", "root-user");
    const struct cfg_value *items;
    size_t n;
    assert_int_equal(cfg_value_list(cfg_option(o, "non-root-images"), &items, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].text, "gcr.io/distroless/*:nonroot");
    assert_string_equal(items[1].text, "chainguard/*");
    check_loc(&items[1].loc, 6, 50);
    const char *s;
    assert_int_equal(cfg_value_string(&items[1], &s, &e), 0);

    o = cfg_rule_options(c, "DW603", "maintainer-deprecated");
    assert_int_equal(cfg_value_string(cfg_option(o, "label"), &s, &e), 0);
    assert_string_equal(s, "org.opencontainers.image.authors");

    /* By id, in any case; null options are left out. */
    o = cfg_rule_options(c, "dw999", "no-such-name");
    assert_non_null(o);
    assert_int_equal(o->n_opts, 2);
    bool b;
    assert_int_equal(cfg_value_bool(cfg_option(o, "flag"), &b, &e), 0);
    assert_true(b);
    int64_t i64;
    assert_int_equal(cfg_value_int(cfg_option(o, "count"), 0, 10, &i64, &e), 0);
    assert_int_equal(i64, 7);
    assert_null(cfg_option(o, "empty"));
    o = cfg_rule_options(c, "DW998", NULL);
    assert_non_null(o);
    assert_int_equal(o->n_opts, 0);
    assert_null(cfg_rule_options(c, "DW100", "nothing"));
    cfg_free(c);
}

static void check_err(const struct err *e, uint32_t line, uint32_t col, const char *msg)
{
    if (e->code != ERR_INVALID || e->line != line || e->col != col || strcmp(e->msg, msg) != 0)
        fail_msg("got %d %u:%u: %s\nwant %u:%u: %s", e->code, e->line, e->col, e->msg, line, col,
                 msg);
    assert_non_null(strstr(e->path, ".dockwright.yaml"));
}

static void test_option_type_errors(void **state)
{
    (void)state;
    const char *text = "instruction-casing: {mode: lower}\n"
                       "dockerignore-gap: {max-file-size: 10 parsecs}\n"
                       "x-rule: {flag: 'yes', count: 11, list: one, name: [a], size: -1}\n"
                       "y-rule: {mdoe: upper}\n";
    struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
    struct err e;
    static const char *const modes[] = { "upper", "consistent" };
    size_t idx;
    const struct cfg_rule_options *o = cfg_rule_options(c, NULL, "instruction-casing");
    assert_int_equal(cfg_value_enum(cfg_option(o, "mode"), modes, 2, &idx, &e), ERR_INVALID);
    check_err(&e, 1, 28, "instruction-casing.mode: must be one of upper, consistent");

    uint64_t bytes;
    o = cfg_rule_options(c, NULL, "dockerignore-gap");
    assert_int_equal(cfg_value_bytes(cfg_option(o, "max-file-size"), &bytes, &e), ERR_INVALID);
    check_err(&e, 2, 35,
              "dockerignore-gap.max-file-size: must be a size (a number of bytes, or with a unit "
              "B, kB, MB, GB, KiB, MiB, GiB)");

    o = cfg_rule_options(c, NULL, "x-rule");
    bool b;
    assert_int_equal(cfg_value_bool(cfg_option(o, "flag"), &b, &e), ERR_INVALID);
    check_err(&e, 3, 16, "x-rule.flag: must be true or false");
    int64_t i64;
    assert_int_equal(cfg_value_int(cfg_option(o, "count"), 0, 10, &i64, &e), ERR_INVALID);
    check_err(&e, 3, 30, "x-rule.count: must be an integer from 0 to 10");
    const struct cfg_value *items;
    size_t n;
    assert_int_equal(cfg_value_list(cfg_option(o, "list"), &items, &n, &e), ERR_INVALID);
    check_err(&e, 3, 40, "x-rule.list: must be a list");
    const char *s;
    assert_int_equal(cfg_value_string(cfg_option(o, "name"), &s, &e), ERR_INVALID);
    check_err(&e, 3, 51, "x-rule.name: must be a string");
    assert_int_equal(cfg_value_bytes(cfg_option(o, "size"), &bytes, &e), ERR_INVALID);
    assert_int_equal(cfg_value_int(cfg_option(o, "name"), 0, 10, &i64, &e), ERR_INVALID);

    o = cfg_rule_options(c, NULL, "y-rule");
    static const char *const keys[] = { "mode" };
    assert_int_equal(cfg_option_check_keys(o, keys, 1, &e), ERR_INVALID);
    check_err(&e, 4, 10, "unknown key 'y-rule.mdoe' (did you mean 'y-rule.mode'?)");
    static const char *const other[] = { "threshold" };
    assert_int_equal(cfg_option_check_keys(o, other, 1, &e), ERR_INVALID);
    check_err(&e, 4, 10, "unknown key 'y-rule.mdoe'");
    cfg_free(c);
}

static void test_bytes_units(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        uint64_t want;
    } cases[] = {
        { "0", 0 },
        { "17", 17 },
        { "3B", 3 },
        { "2kB", 2000 },
        { "2KB", 2000 },
        { "1MB", 1000000 },
        { "1GB", 1000000000 },
        { "2KiB", 2048 },
        { "1 MiB", 1048576 },
        { "3GiB", 3221225472ULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "r: {size: %s}\n", cases[i].v);
        struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
        struct err e;
        uint64_t got;
        assert_int_equal(
            cfg_value_bytes(cfg_option(cfg_rule_options(c, NULL, "r"), "size"), &got, &e), 0);
        if (got != cases[i].want)
            fail_msg("%s: got %llu", cases[i].v, (unsigned long long)got);
        cfg_free(c);
    }
    static const char *const bad[] = {
        "MiB", "1.5MiB", "1 TiB", "99999999999999999999", "20000000000GiB", "1mib"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "r: {size: %s}\n", bad[i]);
        struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, text);
        struct err e;
        uint64_t got;
        if (cfg_value_bytes(cfg_option(cfg_rule_options(c, NULL, "r"), "size"), &got, &e) !=
            ERR_INVALID)
            fail_msg("%s accepted", bad[i]);
        cfg_free(c);
    }
}

static void test_check_rules(void **state)
{
    (void)state;
    static const struct cfg_rule_ref reg[] = {
        { "DW204", "removed-in-later-layer" },
        { "DW401", "root-user" },
        { "DW601", "instruction-casing" },
    };
    struct err e;
    struct cfg *c = load_ok(CFG_MODE_DOCKWRIGHT, "instruction-casing: {mode: upper}\n"
                                                 "dw401: {non-root-images: [x]}\n");
    assert_int_equal(cfg_check_rules(c, reg, 3, &e), 0);
    cfg_free(c);

    c = load_ok(CFG_MODE_DOCKWRIGHT, "select: [a]\ninstruction-casng: {mode: upper}\n");
    assert_int_equal(cfg_check_rules(c, reg, 3, &e), ERR_INVALID);
    check_err(&e, 2, 1, "unknown key 'instruction-casng' (did you mean 'instruction-casing'?)");
    cfg_free(c);

    c = load_ok(CFG_MODE_DOCKWRIGHT, "DW602: {x: 1}\n");
    assert_int_equal(cfg_check_rules(c, reg, 3, &e), ERR_INVALID);
    check_err(&e, 1, 1, "unknown key 'DW602' (did you mean 'DW601'?)");
    cfg_free(c);

    c = load_ok(CFG_MODE_DOCKWRIGHT, "whatever-this-is: {x: 1}\n");
    assert_int_equal(cfg_check_rules(c, reg, 3, &e), ERR_INVALID);
    check_err(&e, 1, 1, "unknown key 'whatever-this-is' (neither a config key nor a rule)");
    cfg_free(c);

    c = load_ok(CFG_MODE_DOCKWRIGHT, "root-user: {a: 1}\n"
                                     "select: [x]\n"
                                     "DW401: {b: 2}\n");
    assert_int_equal(cfg_check_rules(c, reg, 3, &e), ERR_INVALID);
    check_err(&e, 3, 1, "options for rule 'root-user' given twice (first at line 1)");
    cfg_free(c);
}

/* ---- .hadolint.yaml ---- */

static void test_hadolint_mapping(void **state)
{
    (void)state;
    const char *text = "ignored:\n"
                       "  - DL3008\n"
                       "  - SC2086\n"
                       "override:\n"
                       "  error: [DL3001]\n"
                       "  warning: [DL3042, DL3015]\n"
                       "  info: [DL1001]\n"
                       "  style: [DL3057]\n"
                       "failure-threshold: warning\n"
                       "trustedRegistries: [docker.io, my-company.com:5000]\n"
                       "label-schema:\n"
                       "  author: text\n"
                       "  created: rfc3339\n"
                       "  contact: email\n"
                       "strict-labels: true\n"
                       "disable-ignore-pragma: true\n"
                       "format: gitlab_codeclimate\n"
                       "no-color: true\n"
                       "verbose: true\n";
    struct cfg *c = load_ok(CFG_MODE_HADOLINT, text);
    assert_int_equal(c->mode, CFG_MODE_HADOLINT);
    assert_int_equal(c->ignore.len, 2);
    check_item(&c->ignore, 0, "DL3008", 2, 5);
    check_item(&c->ignore, 1, "SC2086", 3, 5);
    assert_int_equal(c->n_severity, 5);
    static const struct {
        const char *rule;
        enum cfg_severity sev;
    } want[] = { { "DL3001", CFG_SEV_ERROR },
                 { "DL3042", CFG_SEV_WARNING },
                 { "DL3015", CFG_SEV_WARNING },
                 { "DL1001", CFG_SEV_INFO },
                 { "DL3057", CFG_SEV_STYLE } };
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(c->severity[i].rule, want[i].rule);
        assert_int_equal(c->severity[i].severity, want[i].sev);
    }
    check_loc(&c->severity[2].loc, 6, 21);
    assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
    assert_int_equal(c->trusted_registries.len, 2);
    check_item(&c->trusted_registries, 1, "my-company.com:5000", 10, 32);
    assert_int_equal(c->n_label_schema, 3);
    assert_int_equal(c->label_schema[0].type, CFG_LABEL_TEXT);
    assert_int_equal(c->label_schema[1].type, CFG_LABEL_RFC3339);
    assert_int_equal(c->label_schema[2].type, CFG_LABEL_EMAIL);
    assert_true(c->strict_labels);
    assert_false(c->inline_ignores);
    check_loc(&c->inline_ignores_loc, 16, 24);
    assert_int_equal(c->format, CFG_FORMAT_GITLAB);
    assert_true(c->no_color);
    assert_true(c->verbose);
    assert_int_equal(c->n_warnings, 0);
    cfg_free(c);
}

static void test_hadolint_values(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        int threshold; /* -1: default (info) */
        int format;    /* -1: not set */
        size_t warnings;
    } cases[] = {
        { "failure-threshold: ignore", CFG_FAIL_NONE, -1, 0 },
        { "failure-threshold: none", CFG_FAIL_NONE, -1, 0 },
        { "failure-threshold: style", CFG_FAIL_STYLE, -1, 0 },
        { "no-fail: true", CFG_FAIL_NONE, -1, 0 },
        { "no-fail: false", -1, -1, 0 },
        /* no-fail wins over a threshold, before or after it. */
        { "no-fail: true\nfailure-threshold: error", CFG_FAIL_NONE, -1, 0 },
        { "failure-threshold: error\nno-fail: true", CFG_FAIL_NONE, -1, 0 },
        { "failure-threshold: error\nno-fail: false", CFG_FAIL_ERROR, -1, 0 },
        { "format: tty", -1, CFG_FORMAT_TTY, 0 },
        { "format: json", -1, CFG_FORMAT_JSON, 0 },
        { "format: sarif", -1, CFG_FORMAT_SARIF, 0 },
        { "format: checkstyle", -1, CFG_FORMAT_CHECKSTYLE, 0 },
        { "format: gnu", -1, CFG_FORMAT_GNU, 0 },
        { "format: junit", -1, CFG_FORMAT_TTY, 1 },
        { "format: codeclimate", -1, CFG_FORMAT_TTY, 1 },
        { "format: codacy", -1, CFG_FORMAT_TTY, 1 },
        { "format: sonarqube", -1, CFG_FORMAT_TTY, 1 },
        { "formats: [json]", -1, CFG_FORMAT_JSON, 0 },
        { "formats: [sarif, json, tty]", -1, CFG_FORMAT_SARIF, 1 },
        { "format: json\nformats: [sarif]", -1, CFG_FORMAT_JSON, 1 },
        { "unknown-key: 1\nignroed: [DL3008]", -1, -1, 2 },
        { "override: {fatal: [DL3000], eror: [DL3001]}", -1, -1, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cfg *c = load_ok(CFG_MODE_HADOLINT, cases[i].yaml);
        int th = cases[i].threshold < 0 ? CFG_FAIL_INFO : cases[i].threshold;
        if ((int)c->failure_threshold != th)
            fail_msg("[%s]: threshold %d", cases[i].yaml, c->failure_threshold);
        if (cases[i].format >= 0) {
            assert_int_equal(c->format, cases[i].format);
            assert_int_equal(c->format_loc.src, CFG_SRC_FILE);
        } else {
            assert_int_equal(c->format_loc.src, CFG_SRC_DEFAULT);
        }
        if (c->n_warnings != cases[i].warnings)
            fail_msg("[%s]: %zu warnings", cases[i].yaml, c->n_warnings);
        cfg_free(c);
    }

    /* trustedRegistries takes one string too; the older spelling works. */
    struct cfg *c = load_ok(CFG_MODE_HADOLINT, "trustedRegistries: docker.io\n"
                                               "trusted-registries: [quay.io]\n");
    assert_int_equal(c->trusted_registries.len, 2);
    check_item(&c->trusted_registries, 0, "docker.io", 1, 20);
    check_item(&c->trusted_registries, 1, "quay.io", 2, 22);
    cfg_free(c);
}

static void test_hadolint_warnings(void **state)
{
    (void)state;
    struct cfg *c = load_ok(CFG_MODE_HADOLINT, "ignored: [DL3008]\n"
                                               "ignroed: [DL3009]\n"
                                               "rules: {}\n"
                                               "formats: [junit, json]\n");
    assert_int_equal(c->ignore.len, 1);
    assert_int_equal(c->n_warnings, 4);
    char out[5000], want[5000];
    cfg_warning_format(&c->warnings[0], out, sizeof out);
    snprintf(want, sizeof want,
             "%s/.hadolint.yaml:2:1: unknown key 'ignroed' ignored (did you mean 'ignored'?)",
             tmpdir);
    assert_string_equal(out, want);
    assert_string_equal(c->warnings[1].msg, "unknown key 'rules' ignored");
    assert_string_equal(c->warnings[2].msg,
                        "format 'junit' has no dockwright equivalent; using tty");
    check_loc(&c->warnings[2].loc, 4, 11);
    assert_string_equal(c->warnings[3].msg,
                        "dockwright writes one output format; using 'junit', ignoring the other 1");
    assert_int_equal(c->format, CFG_FORMAT_TTY);
    cfg_free(c);
}

static void test_hadolint_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "ignored: DL3008", ERR_INVALID, 1, 10, "ignored: must be a list of strings" },
        { "override: [DL3008]", ERR_INVALID, 1, 11,
          "override: must be a mapping of error, warning, info, style to lists of rule codes" },
        { "override: {error: DL3008}", ERR_INVALID, 1, 19,
          "override.error: must be a list of strings" },
        { "failure-threshold: fatal", ERR_INVALID, 1, 20,
          "failure-threshold: must be one of error, warning, info, style, ignore, none" },
        { "no-fail: sometimes", ERR_INVALID, 1, 10, "no-fail: must be true or false" },
        { "trustedRegistries: {a: b}", ERR_INVALID, 1, 20,
          "trustedRegistries: must be a list of strings" },
        { "label-schema: {author: person}", ERR_INVALID, 1, 24,
          "label-schema.author: must be one of text, url, semver, hash, rfc3339, spdx, email" },
        { "strict-labels: x", ERR_INVALID, 1, 16, "strict-labels: must be true or false" },
        { "disable-ignore-pragma: x", ERR_INVALID, 1, 24,
          "disable-ignore-pragma: must be true or false" },
        { "format: xml", ERR_INVALID, 1, 9,
          "format: must be one of tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, "
          "codacy, sonarqube, sarif, junit" },
        { "formats: json", ERR_INVALID, 1, 10, "formats: must be a list of strings" },
        { "formats: [json, xml]", ERR_INVALID, 1, 17,
          "formats: must be one of tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, "
          "codacy, sonarqube, sarif, junit" },
        { "no-color: x", ERR_INVALID, 1, 11, "no-color: must be true or false" },
        { "verbose: x", ERR_INVALID, 1, 10, "verbose: must be true or false" },
        { "ignored: [a\n", ERR_SYNTAX, 2, 1,
          "malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence at "
          "line 1, column 10)" },
        { "- DL3008\n", ERR_INVALID, 1, 1, "config must be a mapping of keys to values" },
    };
    run_errors(CFG_MODE_HADOLINT, cases, sizeof cases / sizeof cases[0]);
}

/* ---- formatting helpers ---- */

static void test_formatting(void **state)
{
    (void)state;
    char out[256];
    struct cfg_loc l = { CFG_SRC_FILE, "a/.dockwright.yaml", 3, 7 };
    cfg_loc_format(&l, out, sizeof out);
    assert_string_equal(out, "a/.dockwright.yaml:3:7");
    l = (struct cfg_loc){ CFG_SRC_ENV, "DOCKWRIGHT_SELECT", 0, 0 };
    cfg_loc_format(&l, out, sizeof out);
    assert_string_equal(out, "environment variable DOCKWRIGHT_SELECT");
    l = (struct cfg_loc){ CFG_SRC_CLI, "--ignore", 0, 0 };
    cfg_loc_format(&l, out, sizeof out);
    assert_string_equal(out, "option --ignore");
    l = (struct cfg_loc){ CFG_SRC_DEFAULT, NULL, 0, 0 };
    cfg_loc_format(&l, out, sizeof out);
    assert_string_equal(out, "default");
    struct cfg_warning w = { { CFG_SRC_HADOLINT_ENV, "HADOLINT_FORMAT", 0, 0 }, "bad" };
    cfg_warning_format(&w, out, sizeof out);
    assert_string_equal(out, "HADOLINT_FORMAT: bad");

    assert_string_equal(cfg_severity_name(CFG_SEV_OFF), "off");
    assert_string_equal(cfg_threshold_name(CFG_FAIL_NONE), "none");
    assert_string_equal(cfg_label_type_name(CFG_LABEL_SPDX), "spdx");
    assert_string_equal(cfg_shellcheck_name(CFG_SHELLCHECK_ON), "on");
    assert_string_equal(cfg_format_name(CFG_FORMAT_CHECKSTYLE), "checkstyle");
    assert_string_equal(cfg_format_name((enum cfg_format)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),          cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_booleans),          cmocka_unit_test(test_enums),
        cmocka_unit_test(test_shellcheck_forms),  cmocka_unit_test(test_yaml_forms),
        cmocka_unit_test(test_type_errors),       cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_yaml_errors),       cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_rule_options),      cmocka_unit_test(test_option_type_errors),
        cmocka_unit_test(test_bytes_units),       cmocka_unit_test(test_check_rules),
        cmocka_unit_test(test_hadolint_mapping),  cmocka_unit_test(test_hadolint_values),
        cmocka_unit_test(test_hadolint_warnings), cmocka_unit_test(test_hadolint_errors),
        cmocka_unit_test(test_formatting),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
