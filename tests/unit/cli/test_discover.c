/* Dockerfile discovery: the names that count, the folders skipped, the
 * config's exclude globs, in a temporary tree. */
#include "analyzer/config.h"
#include "cli/discover.h"
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

static char root[512];
static char oldcwd[4096];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dw-discover-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root) || !getcwd(oldcwd, sizeof oldcwd))
        return -1;
    return chdir(root);
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(oldcwd) != 0)
        return -1;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("FROM scratch\n", f);
    fclose(f);
}

static void test_names(void **state)
{
    (void)state;
    const char *yes[] = { "Dockerfile",     "Containerfile",      "Dockerfile.dev",
                          "api.Dockerfile", "Containerfile.prod", "dockerfile",
                          "Dockerfile-dev", "app.dockerfile",     "x.containerfile",
                          "containerfile",  "a.Dockerfile.prod",  "dockerfile.prod" };
    const char *no[] = { "Dockerfile.dockerignore",
                         ".dockerignore",
                         "dockerfiles",
                         "Dockerfilex",
                         "mydockerfile",
                         "docker-compose.yml",
                         "README.md",
                         "DOCKERFILE",
                         "x.dockerfile.txt" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!cli_is_dockerfile_name(yes[i]))
            fail_msg("'%s' should be a Dockerfile", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (cli_is_dockerfile_name(no[i]))
            fail_msg("'%s' should not be a Dockerfile", no[i]);
    assert_true(cli_is_skipped_dir(".git"));
    assert_true(cli_is_skipped_dir("node_modules"));
    assert_true(cli_is_skipped_dir("vendor"));
    assert_true(cli_is_skipped_dir(".venv"));
    assert_false(cli_is_skipped_dir(".github"));
    assert_false(cli_is_skipped_dir(".devcontainer"));
    assert_false(cli_is_skipped_dir("src"));
}

static struct cfg *config(const char *yaml)
{
    struct cfg *c = cfg_new(CFG_MODE_DOCKWRIGHT);
    char path[600];
    snprintf(path, sizeof path, "%s/.dockwright.yaml", root);
    struct err e;
    if (cfg_load_text(c, path, yaml, strlen(yaml), &e))
        fail_msg("config: %s", e.msg);
    return c;
}

static void test_walk(void **state)
{
    (void)state;
    touch("Dockerfile");
    touch("sub/api.Dockerfile");
    touch("sub/notes.txt");
    touch("sub/Dockerfile.dockerignore");
    touch(".git/Dockerfile");
    touch("node_modules/x/Dockerfile");
    touch("vendor/Dockerfile");
    touch(".devcontainer/Dockerfile");
    touch("build/Dockerfile");
    touch("docs/old/Dockerfile");
    touch("docs/new/Dockerfile");
    touch("deep/a/Dockerfile.test");
    touch("deep/b/Dockerfile.test");
    assert_int_equal(symlink("Dockerfile", "link.Dockerfile"), 0);
    assert_int_equal(symlink("sub", "linkdir"), 0);

    struct cfg *c = config("exclude: ['build/', 'docs/old', '*.test', '!deep/b/*.test']\n");
    struct cli_excludes *ex;
    struct err e;
    assert_int_equal(cli_excludes_new(c, &ex, &e), 0);
    struct cli_discovery d = { 0 };
    assert_int_equal(cli_discover(".", ex, &d, &e), 0);
    cli_paths_sort_unique(&d.files);
    const char *want[] = { ".devcontainer/Dockerfile", "Dockerfile", "deep/b/Dockerfile.test",
                           "docs/new/Dockerfile", "sub/api.Dockerfile" };
    assert_int_equal(d.files.len, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < d.files.len; i++)
        assert_string_equal(d.files.items[i], want[i]);
    assert_int_equal(d.warnings.len, 0);
    cli_discovery_release(&d);

    /* A sub-folder keeps its prefix as given; excludes still apply from the
     * config's folder. */
    struct cli_discovery d2 = { 0 };
    assert_int_equal(cli_discover("docs/", ex, &d2, &e), 0);
    assert_int_equal(d2.files.len, 1);
    assert_string_equal(d2.files.items[0], "docs/new/Dockerfile");
    cli_discovery_release(&d2);

    /* Absolute roots give absolute paths. */
    struct cli_discovery d3 = { 0 };
    char abs[600];
    snprintf(abs, sizeof abs, "%s/sub", root);
    assert_int_equal(cli_discover(abs, NULL, &d3, &e), 0);
    assert_int_equal(d3.files.len, 1);
    char want_abs[700];
    snprintf(want_abs, sizeof want_abs, "%s/sub/api.Dockerfile", root);
    assert_string_equal(d3.files.items[0], want_abs);
    cli_discovery_release(&d3);

    /* Without a config nothing is excluded but the skipped folders. */
    struct cli_discovery d4 = { 0 };
    assert_int_equal(cli_discover(".", NULL, &d4, &e), 0);
    assert_int_equal(d4.files.len, 8);
    cli_discovery_release(&d4);

    cli_excludes_free(ex);
    cfg_free(c);
}

static void test_walk_errors(void **state)
{
    (void)state;
    struct cli_discovery d = { 0 };
    struct err e;
    assert_int_equal(cli_discover("missing-folder", NULL, &d, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "missing-folder"));
    touch("plain");
    assert_int_not_equal(cli_discover("plain", NULL, &d, &e), 0);
    assert_non_null(strstr(e.msg, "not a folder"));
    cli_discovery_release(&d);
    if (geteuid() != 0) {
        /* An unreadable folder below the root is a warning, not an error. */
        touch("locked/Dockerfile");
        assert_int_equal(chmod("locked", 0), 0);
        struct cli_discovery d2 = { 0 };
        assert_int_equal(cli_discover(".", NULL, &d2, &e), 0);
        assert_int_equal(d2.warnings.len, 1);
        assert_non_null(strstr(d2.warnings.items[0], "locked"));
        cli_discovery_release(&d2);
        assert_int_equal(chmod("locked", 0755), 0);
    }
}

static void test_exclude_globs(void **state)
{
    (void)state;
    struct cfg *c = config("exclude:\n  - '**/gen/**'\n  - '/top.Dockerfile'\n"
                           "  - 'a/**/z/Dockerfile'\n");
    struct cli_excludes *ex;
    struct err e;
    assert_int_equal(cli_excludes_new(c, &ex, &e), 0);
    assert_true(cli_excludes_match(ex, "x/gen/y/Dockerfile", false));
    assert_true(cli_excludes_match(ex, "gen/Dockerfile", false));
    assert_true(cli_excludes_match(ex, "top.Dockerfile", false));
    assert_false(cli_excludes_match(ex, "sub/top.Dockerfile", false));
    assert_true(cli_excludes_match(ex, "a/z/Dockerfile", false));
    assert_true(cli_excludes_match(ex, "a/b/c/z/Dockerfile", false));
    assert_false(cli_excludes_match(ex, "a/b/c/z/Dockerfile.x", false));
    /* Globs of a config file are relative to its folder. */
    assert_false(cli_excludes_match(ex, "/elsewhere/top.Dockerfile", false));
    cli_excludes_free(ex);
    cfg_free(c);

    c = config("exclude: ['ok', 'a[']\n");
    assert_int_equal(cli_excludes_new(c, &ex, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, ".dockwright.yaml:1:"));
    assert_non_null(strstr(e.msg, "malformed glob 'a['"));
    cfg_free(c);
}

static void test_abs_path(void **state)
{
    (void)state;
    char *p = cli_abs_path("a/../b/./c//d/");
    char want[700];
    snprintf(want, sizeof want, "%s/b/c/d", root);
    /* root may itself hold a symbolic link (TMPDIR): compare lexically. */
    char *r = cli_abs_path(".");
    snprintf(want, sizeof want, "%s/b/c/d", r);
    assert_string_equal(p, want);
    free(p);
    free(r);
    p = cli_abs_path("/x/../../y");
    assert_string_equal(p, "/y");
    free(p);
    p = cli_abs_path("/");
    assert_string_equal(p, "/");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exclude_globs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abs_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
