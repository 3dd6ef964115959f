/* .dockerignore: reading (dockerfile.md section 13), matching with
 * BuildKit's semantics, Go's filepath.Match and filepath.Clean, the file
 * choice rule, and the context walker over a real temporary tree. */
#include "analyzer/dockerignore.h"
#include "common/arena.h"
#include "common/err.h"

#include <dirent.h>
#include <fcntl.h>
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

/* ---- helpers ---- */

static struct di_file *load(struct arena *a, const char *text)
{
    struct di_file *f;
    struct err e;
    int rc = di_load(a, ".dockerignore", text, strlen(text), &f, &e);
    if (rc)
        fail_msg("di_load failed: %s", e.msg);
    return f;
}

static bool excluded(const struct di_file *f, const char *path)
{
    return di_match(f, path, strlen(path), NULL);
}

struct match_case {
    const char *ignore;
    const char *path;
    bool excluded;
};

static void run_matches(const struct match_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct arena a;
        arena_init(&a);
        struct di_file *f = load(&a, cases[i].ignore);
        if (excluded(f, cases[i].path) != cases[i].excluded)
            fail_msg("patterns [%s] on '%s': want %s", cases[i].ignore, cases[i].path,
                     cases[i].excluded ? "excluded" : "included");
        arena_release(&a);
    }
}

/* ---- reading ---- */

static void test_load_lines(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *text = "\xEF\xBB\xBF# comment\r\n"
                       "\n"
                       "   \t\n"
                       "  # not a comment\n"
                       "  foo  \r\n"
                       "!  bar/ \n"
                       "/abs\n"
                       "./dot/./x//y/../z/\n"
                       "a/../../up\n"
                       "! /root-exc\n"
                       "/\n"
                       "/ spaced\n"
                       "last";
    struct di_file *f = load(&a, text);
    static const struct {
        const char *text;
        bool exclusion;
        uint32_t line, col;
    } want[] = {
        { "# not a comment", false, 4, 3 },
        { "foo", false, 5, 3 },
        { "bar", true, 6, 1 },
        { "abs", false, 7, 1 },
        { "dot/x/z", false, 8, 1 },
        { "../up", false, 9, 1 },
        { "root-exc", true, 10, 1 },
        { "/", false, 11, 1 },
        { "spaced", false, 12, 1 },
        { "last", false, 13, 1 },
    };
    assert_int_equal(f->n_patterns, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < f->n_patterns; i++) {
        const struct di_pattern *p = &f->patterns[i];
        if (!str_eq_cstr(p->text, want[i].text))
            fail_msg("pattern %zu is [%.*s], want [%s]", i, STR_FMT(p->text), want[i].text);
        assert_int_equal(p->exclusion, want[i].exclusion);
        assert_int_equal(p->line, want[i].line);
        assert_int_equal(p->col, want[i].col);
    }
    assert_true(f->has_exclusions);
    assert_string_equal(f->path, ".dockerignore");
    /* `  # not a comment` is a pattern, and it matches its own name. */
    assert_true(excluded(f, "# not a comment"));

    /* `/foo/`, `./foo` and `foo` are the same pattern. */
    static const char *const same[] = { "/foo/", "./foo", "foo", "foo/", "//foo", "foo/." };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        struct di_file *g = load(&a, same[i]);
        assert_int_equal(g->n_patterns, 1);
        assert_string_equal(g->patterns[0].text.ptr, "foo");
        assert_true(excluded(g, "foo/x"));
    }

    /* Empty input, only comments: no patterns, nothing excluded. */
    struct di_file *none = load(&a, "# x\n\n#y");
    assert_int_equal(none->n_patterns, 0);
    assert_false(excluded(none, "x"));
    assert_false(di_match(NULL, "x", 1, NULL));
    arena_release(&a);
}

struct load_err_case {
    const char *text;
    int code;
    const char *msg;
    uint32_t line, col;
};

static void test_load_errors(void **state)
{
    (void)state;
    static const struct load_err_case cases[] = {
        { "ok\n!\n", ERR_SYNTAX, "illegal exclusion pattern: \"!\"", 2, 1 },
        { "  !  \n", ERR_SYNTAX, "illegal exclusion pattern: \"!\"", 1, 3 },
        { "!/\n", ERR_SYNTAX, "illegal exclusion pattern: \"!\"", 1, 1 },
        { "a\nb\n  [abc\n", ERR_SYNTAX, "syntax error in pattern: \"[abc\"", 3, 3 },
        { "x[", ERR_SYNTAX, "syntax error in pattern: \"x[\"", 1, 1 },
        { "[]a]", ERR_SYNTAX, "syntax error in pattern: \"[]a]\"", 1, 1 },
        { "[a-]", ERR_SYNTAX, "syntax error in pattern: \"[a-]\"", 1, 1 },
        { "!a\\", ERR_SYNTAX, "syntax error in pattern: \"a\\\"", 1, 1 },
        { "a*b[", ERR_SYNTAX, "syntax error in pattern: \"a*b[\"", 1, 1 },
        /* Escapes go to Go's regexp: some it rejects... */
        { "a\\yb", ERR_SYNTAX, "syntax error in pattern: \"a\\yb\"", 1, 1 },
        { "a\\9", ERR_SYNTAX, "syntax error in pattern: \"a\\9\"", 1, 1 },
        /* ...and some it accepts that we do not implement. */
        { "foo\\bar", ERR_UNSUPPORTED, "unsupported escape '\\b' in pattern: \"foo\\bar\"", 1, 1 },
    };
    struct arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct di_file *f = (struct di_file *)1;
        struct err e;
        int rc = di_load(&a, "ctx/.dockerignore", cases[i].text, strlen(cases[i].text), &f, &e);
        if (rc != cases[i].code || strcmp(e.msg, cases[i].msg) != 0)
            fail_msg("[%s]: got %d \"%s\", want %d \"%s\"", cases[i].text, rc, rc ? e.msg : "",
                     cases[i].code, cases[i].msg);
        assert_null(f);
        assert_string_equal(e.path, "ctx/.dockerignore");
        assert_int_equal(e.line, cases[i].line);
        assert_int_equal(e.col, cases[i].col);
    }
    /* A line of 64 KiB or more stops BuildKit's reader. */
    size_t n = 70000;
    char *big = arena_alloc(&a, n + 3);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n);
    big[n + 2] = '\0';
    struct di_file *f;
    struct err e;
    assert_int_equal(di_load(&a, "i", big, n + 2, &f, &e), ERR_TOO_LARGE);
    assert_int_equal(e.line, 2);
    big[2 + 65535] = '\n';
    assert_int_equal(di_load(&a, "i", big, n + 2, &f, &e), 0);
    arena_release(&a);
}

/* ---- matching ---- */

static void test_match_basics(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        /* Anchored at the context root, a pattern also covers what is below. */
        { "build", "build", true },
        { "build", "build/x/y", true },
        { "build", "src/build", false },
        { "build", "buildx", false },
        { "node_modules", "web/node_modules", false },
        { "*.log", "a.log", true },
        { "*.log", "logs/a.log", false },
        { "*/*.log", "logs/a.log", true },
        { "*", "anything", true },
        { "*", "a/b", true },
        /* `*` and `?` stay inside one segment; classes and escapes. */
        { "a*b", "a/b", false },
        { "a?b", "a/b", false },
        { "a?b", "axb", true },
        { "a?b",
          "a\xe2\x98\xba"
          "b",
          true },
        { "file[0-9].txt", "file7.txt", true },
        { "file[0-9].txt", "filex.txt", false },
        { "file[^0-9].txt", "filex.txt", true },
        { "file[^0-9].txt", "file7.txt", false },
        { "[\\]]x", "]x", true },
        { "a\\*b", "a*b", true },
        { "a\\*b", "axb", false },
        { "a.b", "axb", false },
        { "a+(b)|{c}$", "a+(b)|{c}$", true },
        /* `**` forms. */
        { "**/x", "x", true },
        { "**/x", "a/x", true },
        { "**/x", "a/b/x", true },
        { "**/x", "a/bx", false },
        { "**/x", "x/y", true },
        { "a/**/b", "a/b", true },
        { "a/**/b", "a/q/b", true },
        { "a/**/b", "a/q/r/b", true },
        { "a/**/b", "a/qb", false },
        { "a/**", "a", false },
        { "a/**", "a/x", true },
        { "a/**", "a/x/y", true },
        { "**", "a", true },
        { "**", "a/b/c", true },
        { "**/*.go", "main.go", true },
        { "**/*.go", "cmd/x/main.go", true },
        { "**/*.go", "cmd/x/main.c", false },
        { "**/node_modules", "web/app/node_modules/x/y.js", true },
        { "a/**/*.txt", "a/x.txt", true },
        { "a/**/*.txt", "a/b/c/x.txt", true },
        /* BuildKit compares `lit**` as a string prefix and `**lit` as a
         * string suffix. */
        { "a**", "abc", true },
        { "a**", "a/b", true },
        { "**foo", "xfoo", true },
        { "**foo", "a/xfoo", true },
        { "**foo", "foox", false },
        /* `.` of `**` stops at a newline; `*` does not. */
        { "a/**/b", "a/x\ny/b", false },
        { "a*b", "a\nb", true },
        /* Escapes that Go's regexp gives a meaning to. */
        { "a\\d", "a7", true },
        { "a\\d", "ad", false },
        { "tab\\tx", "tab\tx", true },
        /* Paths are cleaned; the root is never excluded. */
        { "foo", "./foo/", true },
        { "foo", "/foo", true },
        { "*", ".", false },
        { "*", "", false },
    };
    run_matches(cases, sizeof cases / sizeof cases[0]);
}

static void test_match_exceptions(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        /* The last matching pattern decides. */
        { "*.md\n!README.md", "README.md", false },
        { "*.md\n!README.md", "CHANGES.md", true },
        { "!README.md\n*.md", "README.md", true },
        { "*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true },
        { "*.md\n!README*.md\nREADME-secret.md", "README-public.md", false },
        /* Exceptions re-include files inside excluded directories. */
        { "node_modules\n!node_modules/keep.js", "node_modules/keep.js", false },
        { "node_modules\n!node_modules/keep.js", "node_modules/other.js", true },
        { "node_modules\n!node_modules/keep.js", "node_modules", true },
        { "docs\n!docs/**/*.md", "docs/a/b/x.md", false },
        { "docs\n!docs/**/*.md", "docs/a/b/x.txt", true },
        { "**\n!src", "src/a/b.c", false },
        { "**\n!src", "other", true },
        { "*\n!keep\n", "keep/inner", false },
        /* An exception for a directory re-includes what is below it. */
        { "a\n!a/b", "a/b/c/d", false },
        /* The walk's rule: a pattern skipped for a directory (it could not
         * change the outcome there) is not applied to the directory's
         * contents either, so a re-exclusion of `d` after `!d/e` does not
         * reach d/e/f. */
        { "d\n!d/e\nd", "d/e/f", false },
        { "d\n!d/e\nd", "d/x", true },
    };
    run_matches(cases, sizeof cases / sizeof cases[0]);

    struct arena a;
    arena_init(&a);
    struct di_file *f = load(&a, "*.md\n!README.md\n");
    int dec = 42;
    assert_true(di_match(f, "x.md", 4, &dec));
    assert_int_equal(dec, 0);
    assert_false(di_match(f, "README.md", 9, &dec));
    assert_int_equal(dec, 1);
    assert_false(di_match(f, "x.c", 3, &dec));
    assert_int_equal(dec, -1);
    arena_release(&a);
}

/* ---- filepath.Match and filepath.Clean ---- */

static void test_glob(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *name;
        int want;
    } cases[] = {
        { "abc", "abc", 1 },
        { "*", "abc", 1 },
        { "*c", "abc", 1 },
        { "a*", "a", 1 },
        { "a*", "abc", 1 },
        { "a*", "ab/c", 0 },
        { "a*/b", "abc/b", 1 },
        { "a*/b", "a/c/b", 0 },
        { "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
        { "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
        { "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
        { "a*b?c*x", "abxbbxdbxebxczzx", 1 },
        { "a*b?c*x", "abxbbxdbxebxczzy", 0 },
        { "ab[c]", "abc", 1 },
        { "ab[b-d]", "abc", 1 },
        { "ab[e-g]", "abc", 0 },
        { "ab[^c]", "abc", 0 },
        { "ab[^b-d]", "abc", 0 },
        { "ab[^e-g]", "abc", 1 },
        { "a\\*b", "a*b", 1 },
        { "a\\*b", "ab", 0 },
        { "a?b",
          "a\xe2\x98\xba"
          "b",
          1 },
        { "a[^a]b",
          "a\xe2\x98\xba"
          "b",
          1 },
        { "a???b",
          "a\xe2\x98\xba"
          "b",
          0 },
        { "[a-\xce\xb6]*", "\xce\xb1", 1 },
        { "*[a-\xce\xb6]", "A", 0 },
        { "a?b", "a/b", 0 },
        { "a*b", "a/b", 0 },
        { "[\\]a]", "]", 1 },
        { "[\\-]", "-", 1 },
        { "[x\\-]", "x", 1 },
        { "[x\\-]", "-", 1 },
        { "[x\\-]", "z", 0 },
        { "[\\-x]", "x", 1 },
        { "*x", "xxx", 1 },
        /* Classes do not stop at `/` (Go's filepath.Match does not check). */
        { "a[^x]b", "a/b", 1 },
        /* Malformed patterns fail even when the name would not match. */
        { "[]a]", "]", ERR_SYNTAX },
        { "[-]", "-", ERR_SYNTAX },
        { "[x-]", "x", ERR_SYNTAX },
        { "[-x]", "x", ERR_SYNTAX },
        { "\\", "a", ERR_SYNTAX },
        { "[a-b-c]", "a", ERR_SYNTAX },
        { "[", "a", ERR_SYNTAX },
        { "[^", "a", ERR_SYNTAX },
        { "[^bc", "a", ERR_SYNTAX },
        { "a[", "a", ERR_SYNTAX },
        { "a[", "ab", ERR_SYNTAX },
        { "a[", "x", ERR_SYNTAX },
        { "a/b[", "x", ERR_SYNTAX },
        { "x*[", "abc", ERR_SYNTAX },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = di_glob_match(cases[i].pattern, strlen(cases[i].pattern), cases[i].name,
                                strlen(cases[i].name));
        if (got != cases[i].want)
            fail_msg("Match(%s, %s) = %d, want %d", cases[i].pattern, cases[i].name, got,
                     cases[i].want);
    }
}

static void test_clean(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        { "", "." },
        { "abc", "abc" },
        { "abc/def", "abc/def" },
        { ".", "." },
        { "..", ".." },
        { "../..", "../.." },
        { "../../abc", "../../abc" },
        { "/abc", "/abc" },
        { "/", "/" },
        { "abc/", "abc" },
        { "./", "." },
        { "../", ".." },
        { "/abc/", "/abc" },
        { "abc//def//ghi", "abc/def/ghi" },
        { "//abc", "/abc" },
        { "///abc//", "/abc" },
        { "abc/./def", "abc/def" },
        { "/./abc/def", "/abc/def" },
        { "abc/.", "abc" },
        { "abc/def/ghi/../jkl", "abc/def/jkl" },
        { "abc/def/../ghi/../jkl", "abc/jkl" },
        { "abc/def/..", "abc" },
        { "abc/def/../..", "." },
        { "/abc/def/../..", "/" },
        { "abc/def/../../..", ".." },
        { "/abc/def/../../..", "/" },
        { "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
        { "/../abc", "/abc" },
        { "abc/./../def", "def" },
        { "abc//./../def", "def" },
        { "abc/../../././../def", "../../def" },
    };
    struct arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = di_clean(&a, cases[i][0], strlen(cases[i][0]));
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("Clean(%s) = %s, want %s", cases[i][0], got, cases[i][1]);
    }
    arena_release(&a);
}

/* ---- files on disk ---- */

static char tmp[512];

static void put_file(const char *rel, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < size; i++)
        fputc('x', fp);
    assert_int_equal(fclose(fp), 0);
}

static void put_text(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void put_dir(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void remove_tree(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) {
        unlinkat(dirfd, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            remove_tree(fd, de->d_name);
    }
    if (d)
        closedir(d);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/dw-ignore-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(AT_FDCWD, tmp);
    return 0;
}

static void test_find(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    put_dir("find");
    put_dir("find/docker");
    put_text("find/docker/app.Dockerfile", "FROM x\n");
    const char *got = (const char *)1;
    struct err e;
    char df[1024], ctx[1024], want[1200];
    snprintf(df, sizeof df, "%s/find/docker/app.Dockerfile", tmp);
    snprintf(ctx, sizeof ctx, "%s/find", tmp);

    /* Neither exists. */
    assert_int_equal(di_find(&a, df, ctx, &got, &e), 0);
    assert_null(got);
    /* The context's file. */
    put_text("find/.dockerignore", "x\n");
    assert_int_equal(di_find(&a, df, ctx, &got, &e), 0);
    snprintf(want, sizeof want, "%s/.dockerignore", ctx);
    assert_string_equal(got, want);
    /* <Dockerfile>.dockerignore beside the Dockerfile wins. */
    put_text("find/docker/app.Dockerfile.dockerignore", "y\n");
    assert_int_equal(di_find(&a, df, ctx, &got, &e), 0);
    snprintf(want, sizeof want, "%s.dockerignore", df);
    assert_string_equal(got, want);
    /* ...and is used alone, never merged. */
    struct di_file *f;
    assert_int_equal(di_load_file(&a, got, &f, &e), 0);
    assert_int_equal(f->n_patterns, 1);
    assert_string_equal(f->patterns[0].text.ptr, "y");
    assert_string_equal(f->path, got);
    /* Stdin has no name, so only the context's counts. */
    assert_int_equal(di_find(&a, "-", ctx, &got, &e), 0);
    snprintf(want, sizeof want, "%s/.dockerignore", ctx);
    assert_string_equal(got, want);
    assert_int_equal(di_find(&a, NULL, ctx, &got, &e), 0);
    assert_string_equal(got, want);
    /* A directory where the file should be is an error naming it. */
    put_dir("find/sub");
    put_dir("find/sub/.dockerignore");
    snprintf(ctx, sizeof ctx, "%s/find/sub/", tmp);
    assert_int_equal(di_find(&a, NULL, ctx, &got, &e), ERR_IO);
    assert_non_null(strstr(e.path, "sub/.dockerignore"));
    /* di_load_file on a missing file. */
    snprintf(want, sizeof want, "%s/find/nope", tmp);
    assert_int_equal(di_load_file(&a, want, &f, &e), ERR_IO);
    arena_release(&a);
}

static const struct di_entry *find_entry(const struct di_context *c, const char *path)
{
    for (size_t i = 0; i < c->n_entries; i++)
        if (strcmp(c->entries[i].path, path) == 0)
            return &c->entries[i];
    return NULL;
}

static const struct di_top *find_top(const struct di_context *c, const char *name)
{
    for (size_t i = 0; i < c->n_tops; i++)
        if (strcmp(c->tops[i].name, name) == 0)
            return &c->tops[i];
    return NULL;
}

/* The tree of the walker tests:
 *   Dockerfile 10, .dockerignore, app/{main.c 100, util.c 50, README.md 7},
 *   node_modules/{keep.js 30, a/index.js 1000}, build/out.bin 5000,
 *   logs/a.log 20, x.log 3, link -> the outside directory (not followed),
 *   and an outside directory beside the context holding secret 99. */
static const char ignore_text[] = "# the context's ignore file\n"
                                  "node_modules\n"
                                  "!node_modules/keep.js\n"
                                  "build/\n"
                                  "*.log\n";

static void make_context(void)
{
    static bool made;
    if (made)
        return;
    made = true;
    put_dir("ctx");
    put_file("ctx/Dockerfile", 10);
    put_text("ctx/.dockerignore", ignore_text);
    put_dir("ctx/app");
    put_file("ctx/app/main.c", 100);
    put_file("ctx/app/util.c", 50);
    put_file("ctx/app/README.md", 7);
    put_dir("ctx/node_modules");
    put_file("ctx/node_modules/keep.js", 30);
    put_dir("ctx/node_modules/a");
    put_file("ctx/node_modules/a/index.js", 1000);
    put_dir("ctx/build");
    put_file("ctx/build/out.bin", 5000);
    put_dir("ctx/logs");
    put_file("ctx/logs/a.log", 20);
    put_file("ctx/x.log", 3);
    put_dir("outside");
    put_file("outside/secret", 99);
    char target[1024], link[1024];
    snprintf(target, sizeof target, "%s/outside", tmp);
    snprintf(link, sizeof link, "%s/ctx/link", tmp);
    assert_int_equal(symlink(target, link), 0);
}

static void test_walk(void **state)
{
    (void)state;
    make_context();
    struct arena a;
    arena_init(&a);
    char ctxdir[1024];
    snprintf(ctxdir, sizeof ctxdir, "%s/ctx", tmp);
    struct di_file *f;
    struct err e;
    char ipath[1100];
    snprintf(ipath, sizeof ipath, "%s/.dockerignore", ctxdir);
    assert_int_equal(di_load_file(&a, ipath, &f, &e), 0);

    struct di_context *c;
    assert_int_equal(di_walk(&a, ctxdir, f, NULL, &c, &e), 0);
    size_t ign = sizeof ignore_text - 1;
    /* Walk order: byte order within a directory, a directory before its
     * contents. */
    static const char *const order[] = {
        ".dockerignore",
        "Dockerfile",
        "app",
        "app/README.md",
        "app/main.c",
        "app/util.c",
        "build",
        "link",
        "logs",
        "logs/a.log",
        "node_modules",
        "node_modules/a",
        "node_modules/keep.js",
        "x.log",
    };
    assert_int_equal(c->n_entries, sizeof order / sizeof order[0]);
    for (size_t i = 0; i < c->n_entries; i++)
        assert_string_equal(c->entries[i].path, order[i]);

    const struct di_entry *en;
    /* The symlink is an entry of its own and is not followed. */
    en = find_entry(c, "link");
    assert_int_equal(en->type, DI_SYMLINK);
    assert_false(en->excluded);
    assert_null(find_entry(c, "link/secret"));
    /* No exception can reach into build/: pruned, as BuildKit does. */
    en = find_entry(c, "build");
    assert_true(en->excluded && en->pruned);
    assert_int_equal(en->decider, 2);
    assert_null(find_entry(c, "build/out.bin"));
    /* node_modules is excluded but walked for its exception; a/ cannot hold
     * it and is pruned. */
    en = find_entry(c, "node_modules");
    assert_true(en->excluded && !en->pruned);
    assert_true(find_entry(c, "node_modules/a")->pruned);
    en = find_entry(c, "node_modules/keep.js");
    assert_false(en->excluded);
    assert_int_equal(en->size, 30);
    assert_int_equal(en->decider, 1);
    /* `*.log` is anchored at the root. */
    assert_true(find_entry(c, "x.log")->excluded);
    assert_false(find_entry(c, "logs/a.log")->excluded);

    const struct di_top *t = find_top(c, "app");
    assert_int_equal(t->included_bytes, 157);
    assert_int_equal(t->included_files, 3);
    assert_int_equal(t->excluded_bytes, 0);
    t = find_top(c, "node_modules");
    assert_int_equal(t->included_bytes, 30);
    assert_int_equal(t->excluded_bytes, 0);
    assert_true(t->pruned);
    t = find_top(c, "x.log");
    assert_int_equal(t->excluded_bytes, 3);
    assert_int_equal(t->excluded_files, 1);
    assert_int_equal(c->n_tops, 8);
    assert_int_equal(c->included_bytes, 10 + ign + 157 + 30 + 20);
    assert_int_equal(c->included_files, 8); /* the link counts as a file */
    assert_int_equal(c->excluded_bytes, 3);

    /* Measuring descends everywhere and counts what is left out. */
    struct di_walk_opts measure = { 0, true };
    assert_int_equal(di_walk(&a, ctxdir, f, &measure, &c, &e), 0);
    assert_int_equal(c->n_entries, sizeof order / sizeof order[0] + 2);
    en = find_entry(c, "build/out.bin");
    assert_true(en->excluded);
    assert_int_equal(en->size, 5000);
    assert_true(find_entry(c, "node_modules/a/index.js")->excluded);
    t = find_top(c, "build");
    assert_int_equal(t->excluded_bytes, 5000);
    assert_false(t->pruned);
    t = find_top(c, "node_modules");
    assert_int_equal(t->included_bytes, 30);
    assert_int_equal(t->excluded_bytes, 1000);
    assert_int_equal(c->excluded_bytes, 6003);
    assert_int_equal(c->included_bytes, 10 + ign + 157 + 30 + 20);

    /* No ignore file: everything is included. */
    assert_int_equal(di_walk(&a, ctxdir, NULL, NULL, &c, &e), 0);
    assert_int_equal(c->excluded_files, 0);
    assert_int_equal(c->included_bytes, 10 + ign + 157 + 1030 + 5000 + 20 + 3);

    /* Exceptions with wildcards: nothing excluded is pruned. */
    struct di_file *g = load(&a, "node_modules\nbuild\n!**/*.md\n");
    assert_int_equal(di_walk(&a, ctxdir, g, NULL, &c, &e), 0);
    assert_non_null(find_entry(c, "build/out.bin"));
    assert_true(find_entry(c, "build/out.bin")->excluded);
    assert_false(find_entry(c, "build")->pruned);
    arena_release(&a);
}

static void test_select(void **state)
{
    (void)state;
    make_context();
    struct arena a;
    arena_init(&a);
    char ctxdir[1024];
    snprintf(ctxdir, sizeof ctxdir, "%s/ctx", tmp);
    struct di_file *f = load(&a, ignore_text);
    struct di_context *c;
    struct err e;
    assert_int_equal(di_walk(&a, ctxdir, f, NULL, &c, &e), 0);
    static const struct {
        const char *src, *cleaned;
        size_t n_entries;
        uint64_t files, bytes;
        size_t n_ignored;
    } cases[] = {
        { ".", ".", 10, 8, 10 + sizeof ignore_text - 1 + 157 + 30 + 20, 0 },
        { "", ".", 10, 8, 10 + sizeof ignore_text - 1 + 157 + 30 + 20, 0 },
        { "./", ".", 10, 8, 10 + sizeof ignore_text - 1 + 157 + 30 + 20, 0 },
        { "app", "app", 4, 3, 157, 0 },
        { "app/", "app", 4, 3, 157, 0 },
        { "app/*.c", "app/*.c", 2, 2, 150, 0 },
        { "app/[mu]*.?", "app/[mu]*.?", 2, 2, 150, 0 },
        { "*/*.c", "*/*.c", 2, 2, 150, 0 },
        { "*.c", "*.c", 0, 0, 0, 0 },
        /* A glob is not taken to reach into an unwalked directory. */
        { "*/*.bin", "*/*.bin", 0, 0, 0, 0 },
        { "../../app/main.c", "app/main.c", 1, 1, 100, 0 },
        { "/app/../app/main.c", "app/main.c", 1, 1, 100, 0 },
        { "logs/*.log", "logs/*.log", 1, 1, 20, 0 },
        /* Sources the ignore file leaves out. */
        { "*.log", "*.log", 0, 0, 0, 1 },
        { "x.log", "x.log", 0, 0, 0, 1 },
        { "node_modules", "node_modules", 1, 1, 30, 1 },
        { "node_modules/a/index.js", "node_modules/a/index.js", 0, 0, 0, 1 },
        { "build/out.bin", "build/out.bin", 0, 0, 0, 1 },
        { "link", "link", 1, 1, 0, 0 },
        { "missing", "missing", 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct di_selection s;
        int rc = di_select(&a, c, cases[i].src, strlen(cases[i].src), &s, &e);
        if (rc)
            fail_msg("%s: %s", cases[i].src, e.msg);
        assert_string_equal(s.cleaned, cases[i].cleaned);
        if (s.n_entries != cases[i].n_entries || s.files != cases[i].files ||
            s.bytes != cases[i].bytes || s.n_ignored != cases[i].n_ignored)
            fail_msg("%s: %zu entries %llu files %llu bytes %zu ignored, want %zu %llu %llu %zu",
                     cases[i].src, s.n_entries, (unsigned long long)s.files,
                     (unsigned long long)s.bytes, s.n_ignored, cases[i].n_entries,
                     (unsigned long long)cases[i].files, (unsigned long long)cases[i].bytes,
                     cases[i].n_ignored);
        for (size_t k = 0; k < s.n_entries; k++)
            assert_false(s.entries[k]->excluded);
    }
    struct di_selection s;
    assert_int_equal(di_select(&a, c, "node_modules/a/x", 16, &s, &e), 0);
    assert_string_equal(s.ignored[0]->path, "node_modules/a");
    assert_int_equal(di_select(&a, c, "app/[", 5, &s, &e), ERR_SYNTAX);
    assert_string_equal(e.msg, "syntax error in pattern: \"app/[\"");
    arena_release(&a);
}

static void test_walk_limits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char dir[1024];
    struct di_context *c;
    struct err e;

    /* A context that does not exist: the error names it. */
    snprintf(dir, sizeof dir, "%s/no-such-context", tmp);
    assert_int_equal(di_walk(&a, dir, NULL, NULL, &c, &e), ERR_IO);
    assert_string_equal(e.path, dir);
    assert_null(c);

    /* The entry cap. */
    put_dir("many");
    put_file("many/a", 1);
    put_file("many/b", 1);
    put_file("many/c", 1);
    put_file("many/d", 1);
    snprintf(dir, sizeof dir, "%s/many", tmp);
    struct di_walk_opts cap = { 3, false };
    assert_int_equal(di_walk(&a, dir, NULL, &cap, &c, &e), ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "more than 3 entries"));
    cap.max_entries = 4;
    assert_int_equal(di_walk(&a, dir, NULL, &cap, &c, &e), 0);
    assert_int_equal(c->n_entries, 4);

    /* The depth cap. */
    char rel[2048] = "deep";
    size_t rl = strlen(rel);
    put_dir(rel);
    for (int i = 0; i < DI_MAX_DEPTH + 1; i++) {
        rl += (size_t)snprintf(rel + rl, sizeof rel - rl, "/d");
        put_dir(rel);
    }
    snprintf(dir, sizeof dir, "%s/deep", tmp);
    assert_int_equal(di_walk(&a, dir, NULL, NULL, &c, &e), ERR_TOO_LARGE);
    assert_string_equal(e.msg, "directory nested more than 256 levels deep");
    assert_non_null(strstr(e.path, "deep/d/d/d/d"));
    /* Excluding the deep part prunes it, so the walk succeeds. */
    struct di_file *f = load(&a, "d/d/d");
    assert_int_equal(di_walk(&a, dir, f, NULL, &c, &e), 0);
    assert_int_equal(c->n_entries, 3);

    /* An unreadable directory is an error naming it (root can read it
     * anyway, so this part needs an ordinary user). */
    if (geteuid() != 0) {
        put_dir("locked");
        put_dir("locked/in");
        snprintf(dir, sizeof dir, "%s/locked/in", tmp);
        assert_int_equal(chmod(dir, 0), 0);
        snprintf(dir, sizeof dir, "%s/locked", tmp);
        assert_int_equal(di_walk(&a, dir, NULL, NULL, &c, &e), ERR_IO);
        assert_non_null(strstr(e.path, "locked/in"));
        struct di_file *g = load(&a, "in");
        assert_int_equal(di_walk(&a, dir, g, NULL, &c, &e), 0);
        snprintf(dir, sizeof dir, "%s/locked/in", tmp);
        assert_int_equal(chmod(dir, 0755), 0);
    }
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_lines),   cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_match_basics), cmocka_unit_test(test_match_exceptions),
        cmocka_unit_test(test_glob),         cmocka_unit_test(test_clean),
        cmocka_unit_test(test_find),         cmocka_unit_test(test_walk),
        cmocka_unit_test(test_select),       cmocka_unit_test(test_walk_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
