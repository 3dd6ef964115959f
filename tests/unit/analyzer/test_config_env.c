/* Config layers and discovery: upward search in a temporary tree and the
 * hadolint places, DOCKWRIGHT_* and HADOLINT_* variables (set with setenv
 * here), command-line values, and the precedence cfg_load implements. HOME
 * and XDG_CONFIG_HOME point into the temporary tree, so the user's own
 * files play no part. */
#include "analyzer/config.h"
#include "common/arena.h"
#include "common/err.h"

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

static char root[4096];

static const char *const managed_vars[] = {
    "DOCKWRIGHT_CONFIG",
    "DOCKWRIGHT_SELECT",
    "DOCKWRIGHT_IGNORE",
    "DOCKWRIGHT_TRUSTED_REGISTRIES",
    "DOCKWRIGHT_ALLOWED_BASE_IMAGES",
    "DOCKWRIGHT_EXCLUDE",
    "DOCKWRIGHT_FAILURE_THRESHOLD",
    "DOCKWRIGHT_FORMAT",
    "DOCKWRIGHT_SHELLCHECK",
    "DOCKWRIGHT_RULE_SET",
    "DOCKWRIGHT_CONTEXT",
    "DOCKWRIGHT_PREVIEW",
    "DOCKWRIGHT_NO_COLOR",
    "DOCKWRIGHT_INLINE_IGNORES",
    "NO_COLOR",
    "HADOLINT_NOFAIL",
    "HADOLINT_VERBOSE",
    "HADOLINT_FORMAT",
    "HADOLINT_FAILURE_THRESHOLD",
    "HADOLINT_OVERRIDE_ERROR",
    "HADOLINT_OVERRIDE_WARNING",
    "HADOLINT_OVERRIDE_INFO",
    "HADOLINT_OVERRIDE_STYLE",
    "HADOLINT_IGNORE",
    "HADOLINT_STRICT_LABELS",
    "HADOLINT_DISABLE_IGNORE_PRAGMA",
    "HADOLINT_TRUSTED_REGISTRIES",
    "HADOLINT_REQUIRE_LABELS",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof managed_vars / sizeof managed_vars[0]; i++)
        unsetenv(managed_vars[i]);
}

/* root + "/" + rel, in a rotating set of buffers. */
static const char *at(const char *rel)
{
    static char bufs[8][4200];
    static unsigned n;
    char *b = bufs[n++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
    return b;
}

static void mkdirs(const char *rel)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *s = p + strlen(root) + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    }
    mkdir(p, 0755);
}

static void put(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void rm_tree(const char *path)
{
    /* Small fixed tree: remove what the tests create, deepest first. */
    static const char *const files[] = {
        "repo/.dockwright.yaml",
        "repo/a/.hadolint.yaml",
        "repo/a/.dockwright.yml",
        "repo/a/.dockwright.yaml",
        "other/.hadolint.yaml",
        "other/.hadolint.yml",
        "xdg/hadolint.yaml",
        "xdg/hadolint.yml",
        "home/.config/hadolint.yaml",
        "home/.hadolint/hadolint.yaml",
        "home/.hadolint/hadolint.yml",
        "home/.hadolint/config.yaml",
        "home/.hadolint/config.yml",
        "home/.hadolint.yaml",
        "home/.hadolint.yml",
        "explicit.yaml",
        "bad.yaml",
        "hl/.hadolint.yaml",
        "dirconf/.dockwright.yaml",
        "memo/.dockwright.yaml",
        "memo/.hadolint.yaml",
    };
    static const char *const dirs[] = {
        "dirconf/.dockwright.yaml",
        "dirconf",
        "repo/a/b",
        "repo/a",
        "repo",
        "other/x",
        "other",
        "lone",
        "xdg",
        "home/.config",
        "home/.hadolint",
        "home",
        "hl",
        "memo/x/y",
        "memo/x",
        "memo",
    };
    (void)path;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(at(files[i]));
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        rmdir(at(dirs[i]));
    rmdir(root);
}

static int group_setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dw-config-env-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(root))
        return -1;
    mkdirs("repo/a/b");
    mkdirs("other/x");
    mkdirs("lone");
    mkdirs("xdg");
    mkdirs("home/.config");
    mkdirs("home/.hadolint");
    mkdirs("hl");
    setenv("HOME", at("home"), 1);
    setenv("XDG_CONFIG_HOME", at("xdg"), 1);
    clear_env();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    rm_tree(root);
    return 0;
}

static int test_setup(void **state)
{
    (void)state;
    clear_env();
    return 0;
}

/* ---- discovery ---- */

static void expect_find(const char *start_rel, const char *want_rel, enum cfg_mode mode)
{
    struct arena a;
    arena_init(&a);
    struct cfg_found f;
    struct err e;
    int rc = cfg_find(&a, at(start_rel), &f, &e);
    if (rc)
        fail_msg("cfg_find(%s): %s", start_rel, e.msg);
    if (!want_rel) {
        if (f.path)
            fail_msg("cfg_find(%s) found %s", start_rel, f.path);
        assert_int_equal(f.mode, CFG_MODE_NONE);
    } else {
        char want[4200];
        /* The start directory is made absolute with realpath. */
        char *real = realpath(root, NULL);
        assert_non_null(real);
        snprintf(want, sizeof want, "%s/%s", real, want_rel);
        free(real);
        if (!f.path || strcmp(f.path, want) != 0)
            fail_msg("cfg_find(%s): got %s, want %s", start_rel, f.path ? f.path : "(none)", want);
        assert_int_equal(f.mode, mode);
    }
    arena_release(&a);
}

/* True when a config above the temporary root would be found (a file in
 * /tmp or /): the discovery test cannot be judged then. */
static bool foreign_config(void)
{
    struct arena a;
    arena_init(&a);
    struct cfg_found f;
    struct err e;
    bool foreign = cfg_find(&a, at("lone"), &f, &e) != 0 || f.path != NULL;
    arena_release(&a);
    return foreign;
}

static void test_find(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    expect_find("repo/a/b", NULL, CFG_MODE_NONE);

    /* A .hadolint.yaml on the way up counts only when no .dockwright.yaml
     * is found anywhere above. */
    put("repo/a/.hadolint.yaml", "ignored: [DL3008]\n");
    expect_find("repo/a/b", "repo/a/.hadolint.yaml", CFG_MODE_HADOLINT);
    put("repo/.dockwright.yaml", "select: [DW1]\n");
    expect_find("repo/a/b", "repo/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
    expect_find("repo", "repo/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);

    /* The nearest directory wins; in one directory .yaml before .yml. */
    put("repo/a/.dockwright.yml", "ignore: [DW2]\n");
    expect_find("repo/a/b", "repo/a/.dockwright.yml", CFG_MODE_DOCKWRIGHT);
    put("repo/a/.dockwright.yaml", "ignore: [DW3]\n");
    expect_find("repo/a/b", "repo/a/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
    expect_find("repo/a", "repo/a/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);

    put("other/.hadolint.yml", "ignored: []\n");
    expect_find("other/x", "other/.hadolint.yml", CFG_MODE_HADOLINT);
    put("other/.hadolint.yaml", "ignored: []\n");
    expect_find("other/x", "other/.hadolint.yaml", CFG_MODE_HADOLINT);

    /* hadolint's user-wide places, in its order. */
    put("home/.hadolint.yml", "{}\n");
    expect_find("lone", "home/.hadolint.yml", CFG_MODE_HADOLINT);
    put("home/.hadolint.yaml", "{}\n");
    expect_find("lone", "home/.hadolint.yaml", CFG_MODE_HADOLINT);
    put("home/.hadolint/config.yml", "{}\n");
    expect_find("lone", "home/.hadolint/config.yml", CFG_MODE_HADOLINT);
    put("home/.hadolint/config.yaml", "{}\n");
    expect_find("lone", "home/.hadolint/config.yaml", CFG_MODE_HADOLINT);
    put("home/.hadolint/hadolint.yml", "{}\n");
    expect_find("lone", "home/.hadolint/hadolint.yml", CFG_MODE_HADOLINT);
    put("home/.hadolint/hadolint.yaml", "{}\n");
    expect_find("lone", "home/.hadolint/hadolint.yaml", CFG_MODE_HADOLINT);
    put("home/.config/hadolint.yaml", "{}\n");
    put("xdg/hadolint.yml", "{}\n");
    expect_find("lone", "xdg/hadolint.yml", CFG_MODE_HADOLINT);
    put("xdg/hadolint.yaml", "{}\n");
    expect_find("lone", "xdg/hadolint.yaml", CFG_MODE_HADOLINT);
    /* Without XDG_CONFIG_HOME, $HOME/.config. */
    unsetenv("XDG_CONFIG_HOME");
    expect_find("lone", "home/.config/hadolint.yaml", CFG_MODE_HADOLINT);
    setenv("XDG_CONFIG_HOME", at("xdg"), 1);
    /* The upward walk comes before the user-wide places. */
    expect_find("other/x", "other/.hadolint.yaml", CFG_MODE_HADOLINT);

    static const char *const user_files[] = {
        "home/.hadolint.yml",          "home/.hadolint.yaml",
        "home/.hadolint/config.yml",   "home/.hadolint/config.yaml",
        "home/.hadolint/hadolint.yml", "home/.hadolint/hadolint.yaml",
        "home/.config/hadolint.yaml",  "xdg/hadolint.yml",
        "xdg/hadolint.yaml",
    };
    for (size_t i = 0; i < sizeof user_files / sizeof user_files[0]; i++)
        unlink(at(user_files[i]));
    expect_find("lone", NULL, CFG_MODE_NONE);
}

/* With the memo on, a folder's probes are answered from memory: a config
 * file written afterwards is not seen (what makes the memo a saving) until
 * the memo is turned off; what was found before is found again. */
static void test_find_memo(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    mkdirs("memo/x/y");
    cfg_find_memo(true);
    expect_find("memo/x/y", NULL, CFG_MODE_NONE);
    put("memo/.dockwright.yaml", "select: [DW1]\n");
    expect_find("memo/x/y", NULL, CFG_MODE_NONE);
    expect_find("memo/x", NULL, CFG_MODE_NONE);
    cfg_find_memo(false);
    expect_find("memo/x/y", "memo/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);

    /* A found file is remembered with its name and mode; hadolint's list
     * is not probed while ours finds one. */
    cfg_find_memo(true);
    expect_find("memo/x", "memo/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
    unlink(at("memo/.dockwright.yaml"));
    put("memo/.hadolint.yaml", "ignored: []\n");
    expect_find("memo/x/y", "memo/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
    cfg_find_memo(false);
    expect_find("memo/x/y", "memo/.hadolint.yaml", CFG_MODE_HADOLINT);
    unlink(at("memo/.hadolint.yaml"));
}

/* With the memo on, folders are resolved from their parent's real path:
 * a folder that is a symbolic link, or sits under one, must still be
 * searched upwards from where it really is; a missing one still fails. */
static void test_find_memo_symlinks(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    mkdirs("sym/real/sub");
    mkdirs("sym/other");
    put("sym/real/.dockwright.yaml", "select: [DW1]\n");
    assert_int_equal(symlink("real/sub", at("sym/linked")), 0);
    assert_int_equal(symlink("real", at("sym/lp")), 0);
    assert_int_equal(symlink("../real/sub", at("sym/other/l2")), 0);
    cfg_find_memo(true);
    for (int round = 0; round < 2; round++) { /* resolved, then remembered */
        expect_find("sym/linked", "sym/real/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
        expect_find("sym/lp/sub", "sym/real/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
        expect_find("sym/other/l2", "sym/real/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
        expect_find("sym/linked/..", "sym/real/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
        expect_find("sym/real/sub/", "sym/real/.dockwright.yaml", CFG_MODE_DOCKWRIGHT);
        expect_find("sym/other", NULL, CFG_MODE_NONE);
    }
    struct arena a;
    arena_init(&a);
    struct cfg_found f;
    struct err e;
    assert_int_equal(cfg_find(&a, at("sym/missing"), &f, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot resolve directory"));
    arena_release(&a);
    cfg_find_memo(false);
    unlink(at("sym/other/l2"));
    unlink(at("sym/lp"));
    unlink(at("sym/linked"));
    unlink(at("sym/real/.dockwright.yaml"));
}

static void test_find_errors(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct cfg_found f;
    struct err e;
    assert_int_equal(cfg_find(&a, at("no/such/dir"), &f, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot resolve directory"));
    assert_null(f.path);

    /* A directory where a config file should be. */
    mkdirs("dirconf/.dockwright.yaml");
    assert_int_equal(cfg_find(&a, at("dirconf"), &f, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "is not a regular file"));
    arena_release(&a);
}

static void test_mode_for_path(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        enum cfg_mode mode;
    } cases[] = {
        { ".hadolint.yaml", CFG_MODE_HADOLINT },
        { "x/.hadolint.yml", CFG_MODE_HADOLINT },
        { "cfg/hadolint.yaml", CFG_MODE_HADOLINT },
        { "hadolint.yml", CFG_MODE_HADOLINT },
        { "home/.hadolint/config.yaml", CFG_MODE_HADOLINT },
        { ".hadolint/config.yml", CFG_MODE_HADOLINT },
        { ".dockwright.yaml", CFG_MODE_DOCKWRIGHT },
        { "ci/lint.yaml", CFG_MODE_DOCKWRIGHT },
        { "config.yaml", CFG_MODE_DOCKWRIGHT },
        { "x.hadolint/config.yaml", CFG_MODE_DOCKWRIGHT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cfg_mode_for_path(cases[i].path) != cases[i].mode)
            fail_msg("%s: wrong mode", cases[i].path);
}

/* ---- DOCKWRIGHT_* ---- */

static void check_env_item(const struct cfg_list *l, size_t i, const char *text, const char *var)
{
    assert_true(i < l->len);
    assert_string_equal(l->items[i].text, text);
    assert_int_equal(l->items[i].loc.src, CFG_SRC_ENV);
    assert_string_equal(l->items[i].loc.origin, var);
}

static void test_env_values(void **state)
{
    (void)state;
    setenv("DOCKWRIGHT_SELECT", "DW1, untagged-base-image ,DW3xx", 1);
    setenv("DOCKWRIGHT_IGNORE", "DL3008", 1);
    setenv("DOCKWRIGHT_TRUSTED_REGISTRIES", "docker.io,*.corp.example", 1);
    setenv("DOCKWRIGHT_ALLOWED_BASE_IMAGES", "alpine:*", 1);
    setenv("DOCKWRIGHT_EXCLUDE", "vendor/**,third_party", 1);
    setenv("DOCKWRIGHT_FAILURE_THRESHOLD", "style", 1);
    setenv("DOCKWRIGHT_FORMAT", "json", 1);
    setenv("DOCKWRIGHT_SHELLCHECK", "off", 1);
    setenv("DOCKWRIGHT_RULE_SET", "2", 1);
    setenv("DOCKWRIGHT_CONTEXT", "ctx", 1);
    setenv("DOCKWRIGHT_PREVIEW", "TRUE", 1);
    setenv("DOCKWRIGHT_NO_COLOR", "1", 1);
    setenv("DOCKWRIGHT_INLINE_IGNORES", "off", 1);
    struct cfg *c = cfg_new(CFG_MODE_NONE);
    struct err e;
    assert_int_equal(cfg_apply_env(c, &e), 0);
    assert_int_equal(c->select.len, 3);
    check_env_item(&c->select, 0, "DW1", "DOCKWRIGHT_SELECT");
    check_env_item(&c->select, 1, "untagged-base-image", "DOCKWRIGHT_SELECT");
    check_env_item(&c->select, 2, "DW3xx", "DOCKWRIGHT_SELECT");
    check_env_item(&c->ignore, 0, "DL3008", "DOCKWRIGHT_IGNORE");
    check_env_item(&c->trusted_registries, 1, "*.corp.example", "DOCKWRIGHT_TRUSTED_REGISTRIES");
    check_env_item(&c->allowed_base_images, 0, "alpine:*", "DOCKWRIGHT_ALLOWED_BASE_IMAGES");
    check_env_item(&c->exclude, 1, "third_party", "DOCKWRIGHT_EXCLUDE");
    assert_int_equal(c->failure_threshold, CFG_FAIL_STYLE);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_ENV);
    assert_string_equal(c->failure_threshold_loc.origin, "DOCKWRIGHT_FAILURE_THRESHOLD");
    assert_int_equal(c->format, CFG_FORMAT_JSON);
    assert_int_equal(c->shellcheck, CFG_SHELLCHECK_OFF);
    assert_int_equal(c->rule_set, 2);
    assert_string_equal(c->context, "ctx");
    assert_int_equal(c->context_loc.src, CFG_SRC_ENV);
    assert_true(c->preview);
    assert_true(c->no_color);
    assert_false(c->inline_ignores);
    cfg_free(c);
}

static void test_env_no_color(void **state)
{
    (void)state;
    static const struct {
        const char *no_color, *dw_no_color; /* NULL: unset */
        bool want;
        const char *origin; /* NULL: default */
    } cases[] = {
        { NULL, NULL, false, NULL },
        { "", NULL, false, NULL }, /* empty NO_COLOR is unset (no-color.org) */
        { "1", NULL, true, "NO_COLOR" },
        { "anything", NULL, true, "NO_COLOR" },
        { "1", "false", false, "DOCKWRIGHT_NO_COLOR" },
        { NULL, "yes", true, "DOCKWRIGHT_NO_COLOR" },
        { NULL, "", false, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env();
        if (cases[i].no_color)
            setenv("NO_COLOR", cases[i].no_color, 1);
        if (cases[i].dw_no_color)
            setenv("DOCKWRIGHT_NO_COLOR", cases[i].dw_no_color, 1);
        struct cfg *c = cfg_new(CFG_MODE_NONE);
        struct err e;
        assert_int_equal(cfg_apply_env(c, &e), 0);
        if (c->no_color != cases[i].want)
            fail_msg("case %zu: no_color %d", i, c->no_color);
        if (cases[i].origin)
            assert_string_equal(c->no_color_loc.origin, cases[i].origin);
        else
            assert_int_equal(c->no_color_loc.src, CFG_SRC_DEFAULT);
        cfg_free(c);
    }
}

static void test_env_empty_is_unset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof managed_vars / sizeof managed_vars[0]; i++)
        if (strncmp(managed_vars[i], "DOCKWRIGHT_", 11) == 0)
            setenv(managed_vars[i], "", 1);
    struct cfg *c = cfg_new(CFG_MODE_NONE);
    struct err e;
    assert_int_equal(cfg_apply_env(c, &e), 0);
    assert_int_equal(c->select.len + c->ignore.len + c->exclude.len, 0);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_DEFAULT);
    assert_int_equal(c->preview_loc.src, CFG_SRC_DEFAULT);
    assert_null(c->context);
    cfg_free(c);
}

static void test_env_errors(void **state)
{
    (void)state;
    static const struct {
        const char *var, *value, *msg;
    } cases[] = {
        { "DOCKWRIGHT_FAILURE_THRESHOLD", "fatal",
          "DOCKWRIGHT_FAILURE_THRESHOLD: must be one of error, warning, info, style, none" },
        { "DOCKWRIGHT_FORMAT", "xml",
          "DOCKWRIGHT_FORMAT: must be one of tty, json, sarif, github, gitlab, checkstyle, gnu" },
        { "DOCKWRIGHT_SHELLCHECK", "always",
          "DOCKWRIGHT_SHELLCHECK: must be one of auto, on, off" },
        { "DOCKWRIGHT_RULE_SET", "0", "DOCKWRIGHT_RULE_SET: must be a positive integer" },
        { "DOCKWRIGHT_RULE_SET", "1x", "DOCKWRIGHT_RULE_SET: must be a positive integer" },
        { "DOCKWRIGHT_PREVIEW", "maybe",
          "DOCKWRIGHT_PREVIEW: must be a boolean (1, 0, true, false, yes, no, on, off)" },
        { "DOCKWRIGHT_NO_COLOR", "2",
          "DOCKWRIGHT_NO_COLOR: must be a boolean (1, 0, true, false, yes, no, on, off)" },
        { "DOCKWRIGHT_INLINE_IGNORES", "y",
          "DOCKWRIGHT_INLINE_IGNORES: must be a boolean (1, 0, true, false, yes, no, on, off)" },
        { "DOCKWRIGHT_SELECT", "DW1,,DW2", "DOCKWRIGHT_SELECT: empty item in 'DW1,,DW2'" },
        { "DOCKWRIGHT_IGNORE", "DW1, ", "DOCKWRIGHT_IGNORE: empty item in 'DW1, '" },
        { "DOCKWRIGHT_EXCLUDE", ",", "DOCKWRIGHT_EXCLUDE: empty item in ','" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env();
        setenv(cases[i].var, cases[i].value, 1);
        struct cfg *c = cfg_new(CFG_MODE_NONE);
        struct err e;
        int rc = cfg_apply_env(c, &e);
        if (rc != ERR_INVALID || strcmp(e.msg, cases[i].msg) != 0)
            fail_msg("%s=%s: got %d %s", cases[i].var, cases[i].value, rc, e.msg);
        assert_int_equal(e.line, 0);
        cfg_free(c);
    }
}

/* ---- HADOLINT_* ---- */

static void test_hadolint_env(void **state)
{
    (void)state;
    setenv("HADOLINT_VERBOSE", "Yes", 1);
    setenv("HADOLINT_FORMAT", "gitlab_codeclimate", 1);
    setenv("HADOLINT_FAILURE_THRESHOLD", "warning", 1);
    setenv("HADOLINT_OVERRIDE_ERROR", "DL3001,DL3002", 1);
    setenv("HADOLINT_OVERRIDE_WARNING", "DL3042", 1);
    setenv("HADOLINT_OVERRIDE_INFO", "DL1001", 1);
    setenv("HADOLINT_OVERRIDE_STYLE", "DL3057", 1);
    setenv("HADOLINT_IGNORE", "DL3008,,SC2086", 1); /* hadolint skips the empty item */
    setenv("HADOLINT_STRICT_LABELS", "on", 1);
    setenv("HADOLINT_DISABLE_IGNORE_PRAGMA", "1", 1);
    setenv("HADOLINT_TRUSTED_REGISTRIES", "docker.io,quay.io", 1);
    setenv("HADOLINT_REQUIRE_LABELS", "maintainer:email,version:semver,bad,x:nope", 1);
    struct cfg *c = cfg_new(CFG_MODE_HADOLINT);
    struct err e;
    assert_int_equal(cfg_apply_hadolint_env(c, &e), 0);
    assert_true(c->verbose);
    assert_int_equal(c->verbose_loc.src, CFG_SRC_HADOLINT_ENV);
    assert_int_equal(c->format, CFG_FORMAT_GITLAB);
    assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
    assert_string_equal(c->failure_threshold_loc.origin, "HADOLINT_FAILURE_THRESHOLD");
    assert_int_equal(c->n_severity, 5);
    assert_string_equal(c->severity[0].rule, "DL3001");
    assert_int_equal(c->severity[0].severity, CFG_SEV_ERROR);
    assert_string_equal(c->severity[1].rule, "DL3002");
    assert_int_equal(c->severity[2].severity, CFG_SEV_WARNING);
    assert_int_equal(c->severity[3].severity, CFG_SEV_INFO);
    assert_int_equal(c->severity[4].severity, CFG_SEV_STYLE);
    assert_string_equal(c->severity[4].loc.origin, "HADOLINT_OVERRIDE_STYLE");
    assert_int_equal(c->ignore.len, 2);
    assert_string_equal(c->ignore.items[1].text, "SC2086");
    assert_int_equal(c->ignore.items[1].loc.src, CFG_SRC_HADOLINT_ENV);
    assert_true(c->strict_labels);
    assert_false(c->inline_ignores);
    assert_int_equal(c->trusted_registries.len, 2);
    assert_int_equal(c->n_label_schema, 2);
    assert_string_equal(c->label_schema[0].name, "maintainer");
    assert_int_equal(c->label_schema[0].type, CFG_LABEL_EMAIL);
    assert_int_equal(c->label_schema[1].type, CFG_LABEL_SEMVER);
    assert_int_equal(c->n_warnings, 2);
    char out[512];
    cfg_warning_format(&c->warnings[0], out, sizeof out);
    assert_string_equal(out, "HADOLINT_REQUIRE_LABELS: label schema entry 'bad' ignored: want "
                             "label:type, type one of text, url, semver, hash, rfc3339, spdx, "
                             "email");
    cfg_free(c);
}

static void test_hadolint_env_values(void **state)
{
    (void)state;
    static const struct {
        const char *var, *value;
        int threshold; /* -1: default info */
        bool verbose;
        int format; /* -1: tty by default */
        size_t warnings;
    } cases[] = {
        /* hadolint's truthy words, any case; everything else is false. */
        { "HADOLINT_VERBOSE", "1", -1, true, -1, 0 },
        { "HADOLINT_VERBOSE", "y", -1, true, -1, 0 },
        { "HADOLINT_VERBOSE", "TRUE", -1, true, -1, 0 },
        { "HADOLINT_VERBOSE", "On", -1, true, -1, 0 },
        { "HADOLINT_VERBOSE", "0", -1, false, -1, 0 },
        { "HADOLINT_VERBOSE", "maybe", -1, false, -1, 0 },
        { "HADOLINT_VERBOSE", "", -1, false, -1, 0 },
        { "HADOLINT_NOFAIL", "true", CFG_FAIL_NONE, false, -1, 0 },
        { "HADOLINT_NOFAIL", "no", -1, false, -1, 0 },
        { "HADOLINT_FAILURE_THRESHOLD", "ignore", CFG_FAIL_NONE, false, -1, 0 },
        { "HADOLINT_FAILURE_THRESHOLD", "error", CFG_FAIL_ERROR, false, -1, 0 },
        { "HADOLINT_FAILURE_THRESHOLD", "fatal", -1, false, -1, 1 },
        { "HADOLINT_FORMAT", "sarif", -1, false, CFG_FORMAT_SARIF, 0 },
        { "HADOLINT_FORMAT", "junit", -1, false, CFG_FORMAT_TTY, 1 },
        { "HADOLINT_FORMAT", "xml", -1, false, -1, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env();
        setenv(cases[i].var, cases[i].value, 1);
        struct cfg *c = cfg_new(CFG_MODE_HADOLINT);
        struct err e;
        assert_int_equal(cfg_apply_hadolint_env(c, &e), 0);
        int th = cases[i].threshold < 0 ? CFG_FAIL_INFO : cases[i].threshold;
        if ((int)c->failure_threshold != th || c->verbose != cases[i].verbose ||
            (int)c->format != (cases[i].format < 0 ? CFG_FORMAT_TTY : cases[i].format) ||
            c->n_warnings != cases[i].warnings)
            fail_msg("%s=%s: threshold %d verbose %d format %d warnings %zu", cases[i].var,
                     cases[i].value, c->failure_threshold, c->verbose, c->format, c->n_warnings);
        cfg_free(c);
    }

    /* HADOLINT_NOFAIL beats HADOLINT_FAILURE_THRESHOLD. */
    clear_env();
    setenv("HADOLINT_NOFAIL", "1", 1);
    setenv("HADOLINT_FAILURE_THRESHOLD", "error", 1);
    struct cfg *c = cfg_new(CFG_MODE_HADOLINT);
    struct err e;
    assert_int_equal(cfg_apply_hadolint_env(c, &e), 0);
    assert_int_equal(c->failure_threshold, CFG_FAIL_NONE);
    cfg_free(c);
}

/* ---- the command line ---- */

static void test_cli(void **state)
{
    (void)state;
    const char *sel[] = { "DW1,DW2", "apt-unpinned" };
    const char *ign[] = { "DL3008" };
    struct cfg_cli cli = { 0 };
    cli.select = sel;
    cli.n_select = 2;
    cli.ignore = ign;
    cli.n_ignore = 1;
    cli.failure_threshold = "error";
    cli.format = "github";
    cli.context = "build/ctx";
    cli.rule_set = "1";
    cli.shellcheck = "on";
    cli.preview = CFG_YES;
    cli.no_color = CFG_YES;
    cli.inline_ignores = CFG_NO;
    struct cfg *c = cfg_new(CFG_MODE_NONE);
    struct err e;
    assert_int_equal(cfg_apply_cli(c, &cli, &e), 0);
    assert_int_equal(c->select.len, 3);
    assert_string_equal(c->select.items[1].text, "DW2");
    assert_int_equal(c->select.items[2].loc.src, CFG_SRC_CLI);
    assert_string_equal(c->select.items[2].loc.origin, "--select");
    assert_string_equal(c->ignore.items[0].loc.origin, "--ignore");
    assert_int_equal(c->failure_threshold, CFG_FAIL_ERROR);
    assert_string_equal(c->failure_threshold_loc.origin, "--failure-threshold");
    assert_int_equal(c->format, CFG_FORMAT_GITHUB);
    assert_string_equal(c->context, "build/ctx");
    assert_int_equal(c->rule_set, 1);
    assert_int_equal(c->shellcheck, CFG_SHELLCHECK_ON);
    assert_true(c->preview);
    assert_true(c->no_color);
    assert_false(c->inline_ignores);
    assert_string_equal(c->inline_ignores_loc.origin, "--no-inline-ignores");
    assert_int_equal(cfg_apply_cli(c, NULL, &e), 0);
    cfg_free(c);

    /* Nothing given changes nothing. */
    struct cfg_cli none = { 0 };
    c = cfg_new(CFG_MODE_NONE);
    assert_int_equal(cfg_apply_cli(c, &none, &e), 0);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_DEFAULT);
    assert_true(c->inline_ignores);
    assert_false(c->preview);
    cfg_free(c);
}

static void test_cli_errors(void **state)
{
    (void)state;
    static const struct {
        const char *which, *value, *msg;
    } cases[] = {
        { "failure-threshold", "fatal",
          "--failure-threshold: must be one of error, warning, info, style, none" },
        { "format", "xml",
          "--format: must be one of tty, json, sarif, github, gitlab, checkstyle, gnu" },
        { "shellcheck", "yes", "--shellcheck: must be one of auto, on, off" },
        { "rule-set", "first", "--rule-set: must be a positive integer" },
        { "context", "", "--context: must not be empty" },
        { "select", "DW1,", "--select: empty item in 'DW1,'" },
        { "ignore", "", "--ignore: empty item in ''" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cfg_cli cli = { 0 };
        const char *one[1] = { cases[i].value };
        if (strcmp(cases[i].which, "failure-threshold") == 0)
            cli.failure_threshold = cases[i].value;
        else if (strcmp(cases[i].which, "format") == 0)
            cli.format = cases[i].value;
        else if (strcmp(cases[i].which, "shellcheck") == 0)
            cli.shellcheck = cases[i].value;
        else if (strcmp(cases[i].which, "rule-set") == 0)
            cli.rule_set = cases[i].value;
        else if (strcmp(cases[i].which, "context") == 0)
            cli.context = cases[i].value;
        else if (strcmp(cases[i].which, "select") == 0)
            cli.select = one, cli.n_select = 1;
        else
            cli.ignore = one, cli.n_ignore = 1;
        struct cfg *c = cfg_new(CFG_MODE_NONE);
        struct err e;
        int rc = cfg_apply_cli(c, &cli, &e);
        if (rc != ERR_USAGE || strcmp(e.msg, cases[i].msg) != 0)
            fail_msg("%s %s: got %d %s", cases[i].which, cases[i].value, rc, e.msg);
        cfg_free(c);
    }
}

/* ---- precedence through cfg_load ---- */

static struct cfg *load_from(const char *start_rel, const struct cfg_cli *cli)
{
    struct cfg *c;
    struct err e;
    if (cfg_load(at(start_rel), cli, NULL, 0, &c, &e))
        fail_msg("cfg_load(%s): %u:%u: %s", start_rel, e.line, e.col, e.msg);
    return c;
}

static void check_sources(const struct cfg_list *l, const char *const *texts,
                          const enum cfg_source *srcs, size_t n)
{
    assert_int_equal(l->len, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(l->items[i].text, texts[i]);
        assert_int_equal(l->items[i].loc.src, srcs[i]);
    }
}

static void test_precedence_dockwright(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    put("repo/.dockwright.yaml", "select: [file-sel]\n"
                                 "ignore: [file-ign]\n"
                                 "severity: {DW101: error}\n"
                                 "failure-threshold: info\n"
                                 "format: json\n"
                                 "preview: true\n"
                                 "context: ctx\n");
    unlink(at("repo/a/.dockwright.yaml"));
    unlink(at("repo/a/.dockwright.yml"));
    unlink(at("repo/a/.hadolint.yaml"));

    /* File only. */
    struct cfg *c = load_from("repo/a/b", NULL);
    assert_int_equal(c->mode, CFG_MODE_DOCKWRIGHT);
    assert_int_equal(c->failure_threshold, CFG_FAIL_INFO);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_FILE);
    assert_int_equal(c->format, CFG_FORMAT_JSON);
    assert_true(c->preview);
    cfg_free(c);

    /* Environment over the file; HADOLINT_* is not read for a
     * .dockwright.yaml. */
    setenv("DOCKWRIGHT_SELECT", "env-sel", 1);
    setenv("DOCKWRIGHT_IGNORE", "env-ign1,env-ign2", 1);
    setenv("DOCKWRIGHT_FAILURE_THRESHOLD", "error", 1);
    setenv("DOCKWRIGHT_PREVIEW", "false", 1);
    setenv("HADOLINT_IGNORE", "DL3008", 1);
    setenv("HADOLINT_FORMAT", "sarif", 1);
    c = load_from("repo/a/b", NULL);
    assert_int_equal(c->failure_threshold, CFG_FAIL_ERROR);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_ENV);
    assert_false(c->preview);
    assert_int_equal(c->format, CFG_FORMAT_JSON);
    static const char *const ign_fe[] = { "file-ign", "env-ign1", "env-ign2" };
    static const enum cfg_source src_fe[] = { CFG_SRC_FILE, CFG_SRC_ENV, CFG_SRC_ENV };
    check_sources(&c->ignore, ign_fe, src_fe, 3);
    cfg_free(c);

    /* The command line over both; lists concatenate file, env, CLI. */
    const char *sel[] = { "cli-sel" };
    const char *ign[] = { "cli-ign" };
    struct cfg_cli cli = { 0 };
    cli.select = sel;
    cli.n_select = 1;
    cli.ignore = ign;
    cli.n_ignore = 1;
    cli.failure_threshold = "style";
    cli.preview = CFG_YES;
    cli.format = "tty";
    c = load_from("repo/a/b", &cli);
    assert_int_equal(c->failure_threshold, CFG_FAIL_STYLE);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_CLI);
    assert_true(c->preview);
    assert_int_equal(c->format, CFG_FORMAT_TTY);
    static const char *const sel_all[] = { "file-sel", "env-sel", "cli-sel" };
    static const enum cfg_source src_all[] = { CFG_SRC_FILE, CFG_SRC_ENV, CFG_SRC_CLI };
    check_sources(&c->select, sel_all, src_all, 3);
    static const char *const ign_all[] = { "file-ign", "env-ign1", "env-ign2", "cli-ign" };
    static const enum cfg_source src_ign[] = { CFG_SRC_FILE, CFG_SRC_ENV, CFG_SRC_ENV,
                                               CFG_SRC_CLI };
    check_sources(&c->ignore, ign_all, src_ign, 4);
    assert_int_equal(c->n_severity, 1);
    cfg_free(c);
}

static void test_precedence_hadolint(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    put("hl/.hadolint.yaml", "ignored: [DL3009]\n"
                             "failure-threshold: style\n"
                             "override: {error: [DL3002]}\n");
    /* hadolint's layering: environment, then file; lists concatenate. */
    setenv("HADOLINT_IGNORE", "DL3008", 1);
    setenv("HADOLINT_FAILURE_THRESHOLD", "error", 1);
    setenv("HADOLINT_OVERRIDE_WARNING", "DL3002", 1);
    setenv("HADOLINT_VERBOSE", "1", 1);
    struct cfg *c = load_from("hl", NULL);
    assert_int_equal(c->mode, CFG_MODE_HADOLINT);
    assert_int_equal(c->failure_threshold, CFG_FAIL_STYLE);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_FILE);
    assert_true(c->verbose);
    static const char *const ign[] = { "DL3008", "DL3009" };
    static const enum cfg_source src[] = { CFG_SRC_HADOLINT_ENV, CFG_SRC_FILE };
    check_sources(&c->ignore, ign, src, 2);
    /* Overrides keep layer order, so the file's (later) entry wins. */
    assert_int_equal(c->n_severity, 2);
    assert_int_equal(c->severity[0].severity, CFG_SEV_WARNING);
    assert_int_equal(c->severity[1].severity, CFG_SEV_ERROR);
    assert_int_equal(c->severity[1].loc.src, CFG_SRC_FILE);
    cfg_free(c);

    /* Without the key in the file, the environment's threshold holds;
     * without either, hadolint's default (info). */
    put("hl/.hadolint.yaml", "ignored: [DL3009]\n");
    c = load_from("hl", NULL);
    assert_int_equal(c->failure_threshold, CFG_FAIL_ERROR);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_HADOLINT_ENV);
    cfg_free(c);
    unsetenv("HADOLINT_FAILURE_THRESHOLD");
    c = load_from("hl", NULL);
    assert_int_equal(c->failure_threshold, CFG_FAIL_INFO);
    assert_int_equal(c->failure_threshold_loc.src, CFG_SRC_DEFAULT);
    cfg_free(c);

    /* DOCKWRIGHT_* sits above the .hadolint.yaml, the CLI above all. */
    put("hl/.hadolint.yaml", "failure-threshold: style\nignored: [DL3009]\n");
    setenv("DOCKWRIGHT_FAILURE_THRESHOLD", "warning", 1);
    setenv("DOCKWRIGHT_IGNORE", "DW1", 1);
    c = load_from("hl", NULL);
    assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
    static const char *const ign3[] = { "DL3008", "DL3009", "DW1" };
    static const enum cfg_source src3[] = { CFG_SRC_HADOLINT_ENV, CFG_SRC_FILE, CFG_SRC_ENV };
    check_sources(&c->ignore, ign3, src3, 3);
    cfg_free(c);
    struct cfg_cli cli = { 0 };
    cli.failure_threshold = "none";
    c = load_from("hl", &cli);
    assert_int_equal(c->failure_threshold, CFG_FAIL_NONE);
    cfg_free(c);
    unlink(at("hl/.hadolint.yaml"));
}

static void test_explicit_config(void **state)
{
    (void)state;
    put("explicit.yaml", "select: [from-explicit]\n");
    put("hl/.hadolint.yaml", "ignored: [DL3000]\n");
    setenv("HADOLINT_IGNORE", "DL3008", 1);

    /* DOCKWRIGHT_CONFIG replaces discovery. */
    setenv("DOCKWRIGHT_CONFIG", at("explicit.yaml"), 1);
    struct cfg *c = load_from("repo/a/b", NULL);
    assert_int_equal(c->mode, CFG_MODE_DOCKWRIGHT);
    assert_string_equal(c->path, at("explicit.yaml"));
    assert_int_equal(c->select.len, 1);
    assert_string_equal(c->select.items[0].text, "from-explicit");
    cfg_free(c);

    /* at() reuses its buffers: option values need their own. */
    static char hl_path[4200], missing_path[4200], bad_path[4200], explicit_path[4200];

    /* --config beats DOCKWRIGHT_CONFIG; a hadolint name means hadolint
     * mode, with HADOLINT_* read. */
    struct cfg_cli cli = { 0 };
    snprintf(hl_path, sizeof hl_path, "%s", at("hl/.hadolint.yaml"));
    cli.config = hl_path;
    c = load_from("repo/a/b", &cli);
    assert_int_equal(c->mode, CFG_MODE_HADOLINT);
    assert_int_equal(c->ignore.len, 2);
    assert_string_equal(c->ignore.items[0].text, "DL3008");
    assert_string_equal(c->ignore.items[1].text, "DL3000");
    cfg_free(c);

    /* Errors: a missing file, a bad file, a bad variable, a bad option;
     * nothing is returned. */
    struct err e;
    snprintf(missing_path, sizeof missing_path, "%s", at("missing.yaml"));
    cli.config = missing_path;
    c = (struct cfg *)&e; /* must be reset to NULL */
    assert_int_equal(cfg_load(at("repo"), &cli, NULL, 0, &c, &e), ERR_IO);
    assert_null(c);
    assert_string_equal(e.path, at("missing.yaml"));

    put("bad.yaml", "select: [a]\nfailure-threshold: loud\n");
    snprintf(bad_path, sizeof bad_path, "%s", at("bad.yaml"));
    cli.config = bad_path;
    assert_int_equal(cfg_load(at("repo"), &cli, NULL, 0, &c, &e), ERR_INVALID);
    assert_null(c);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.col, 20);

    snprintf(explicit_path, sizeof explicit_path, "%s", at("explicit.yaml"));
    cli.config = explicit_path;
    setenv("DOCKWRIGHT_PREVIEW", "perhaps", 1);
    assert_int_equal(cfg_load(at("repo"), &cli, NULL, 0, &c, &e), ERR_INVALID);
    assert_null(c);
    unsetenv("DOCKWRIGHT_PREVIEW");
    cli.format = "html";
    assert_int_equal(cfg_load(at("repo"), &cli, NULL, 0, &c, &e), ERR_USAGE);
    assert_null(c);
    cli.format = NULL;

    /* With the registry, a rule section that names no rule fails the load. */
    static const struct cfg_rule_ref reg[] = { { "DW601", "instruction-casing" } };
    put("explicit.yaml", "select: [a]\ninstruction-casng: {mode: upper}\n");
    assert_int_equal(cfg_load(at("repo"), &cli, reg, 1, &c, &e), ERR_INVALID);
    assert_null(c);
    assert_string_equal(e.msg,
                        "unknown key 'instruction-casng' (did you mean 'instruction-casing'?)");
    assert_int_equal(e.line, 2);
    assert_int_equal(e.col, 1);
    assert_string_equal(e.path, at("explicit.yaml"));
    put("explicit.yaml", "instruction-casing: {mode: upper}\n");
    assert_int_equal(cfg_load(at("repo"), &cli, reg, 1, &c, &e), 0);
    assert_non_null(cfg_rule_options(c, "DW601", "instruction-casing"));
    cfg_free(c);

    cli.config = "";
    assert_int_equal(cfg_load(at("repo"), &cli, NULL, 0, &c, &e), ERR_USAGE);
    assert_string_equal(e.msg, "--config: must not be empty");
    assert_null(c);
}

static void test_no_config(void **state)
{
    (void)state;
    if (foreign_config())
        skip();
    /* No file anywhere: dockwright defaults, HADOLINT_* unread. */
    setenv("HADOLINT_IGNORE", "DL3008", 1);
    setenv("DOCKWRIGHT_IGNORE", "DW1", 1);
    struct cfg *c = load_from("lone", NULL);
    assert_int_equal(c->mode, CFG_MODE_NONE);
    assert_null(c->path);
    assert_int_equal(c->failure_threshold, CFG_FAIL_WARNING);
    assert_int_equal(c->ignore.len, 1);
    assert_string_equal(c->ignore.items[0].text, "DW1");
    cfg_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_find, test_setup),
        cmocka_unit_test_setup(test_find_memo, test_setup),
        cmocka_unit_test_setup(test_find_memo_symlinks, test_setup),
        cmocka_unit_test_setup(test_find_errors, test_setup),
        cmocka_unit_test_setup(test_mode_for_path, test_setup),
        cmocka_unit_test_setup(test_env_values, test_setup),
        cmocka_unit_test_setup(test_env_no_color, test_setup),
        cmocka_unit_test_setup(test_env_empty_is_unset, test_setup),
        cmocka_unit_test_setup(test_env_errors, test_setup),
        cmocka_unit_test_setup(test_hadolint_env, test_setup),
        cmocka_unit_test_setup(test_hadolint_env_values, test_setup),
        cmocka_unit_test_setup(test_cli, test_setup),
        cmocka_unit_test_setup(test_cli_errors, test_setup),
        cmocka_unit_test_setup(test_precedence_dockwright, test_setup),
        cmocka_unit_test_setup(test_precedence_hadolint, test_setup),
        cmocka_unit_test_setup(test_explicit_config, test_setup),
        cmocka_unit_test_setup(test_no_config, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
