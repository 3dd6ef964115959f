/* Variable expansion: every modifier of dockerfile.md section 10, every
 * error text, quoting with both escape characters, word splitting, the
 * quote-keeping heredoc mode and the reference list. */
#include "analyzer/expand.h"
#include "common/arena.h"
#include "common/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* The environment every case sees. E is set but empty; U is never set. */
static const char *const env_table[][2] = {
    { "FOO", "xxyy" },
    { "E", "" },
    { "PWD", "/home" },
    { "K", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4" }, /* 한국어 */
    { "\xc3\xa9t\xc3\xa9", "summer" },               /* été */
    { "NEEDLE", "\\*/" },
    { "PATHS", "/foo*/*/*.txt" },
    { "TMP", "/tmp/tmp/bar.txt" },
    { "URL", "http://example.org" },
    { "S", "a b  c" },
    { "NL", "ab\ncd" },
    { "STARS", "a***yy*" },
    { "SPECIAL", "()[]{}^$.*?|\\x" },
    { "X", "x" },
    { "HASHX", "#x" },
    { "_u9", "under" },
    { "1", "one" },
};

static bool env_lookup(void *ctx, struct str name, struct str *value)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof env_table / sizeof env_table[0]; i++) {
        if (str_eq_cstr(name, env_table[i][0])) {
            *value = str_from_cstr(env_table[i][1]);
            return true;
        }
    }
    return false;
}

static const struct exp_env env = { env_lookup, NULL };

struct ok_case {
    const char *in;
    const char *out;
};

static void run_ok(const struct ok_case *cases, size_t n, char escape, unsigned flags)
{
    struct arena a;
    arena_init(&a);
    struct exp_opts opts = { escape, flags, 0 };
    for (size_t i = 0; i < n; i++) {
        struct exp_result r;
        struct err e;
        int rc = exp_word(&a, cases[i].in, strlen(cases[i].in), 0, &env, &opts, &r, &e);
        if (rc != 0)
            fail_msg("%s: unexpected error %s", cases[i].in, e.msg);
        if (strlen(cases[i].out) != r.value.len || memcmp(cases[i].out, r.value.ptr, r.value.len))
            fail_msg("%s: got [%.*s], want [%s]", cases[i].in, STR_FMT(r.value), cases[i].out);
        assert_int_equal(r.value.ptr[r.value.len], '\0');
    }
    arena_release(&a);
}

/* The table of section 10, each row in its set, empty and unset cases. */
static void test_modifier_table(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "", "" },
        { "plain", "plain" },
        { "$FOO", "xxyy" },
        { "${FOO}", "xxyy" },
        { "a${FOO}b", "axxyyb" },
        { "$U", "" },
        { "${U}x", "x" },
        /* :- and - */
        { "${FOO:-d}", "xxyy" },
        { "${E:-d}", "d" },
        { "${U:-d}", "d" },
        { "${FOO-d}", "xxyy" },
        { "${E-d}", "" },
        { "${U-d}", "d" },
        { "${U:-}", "" },
        /* :+ and + */
        { "${FOO:+w}", "w" },
        { "${E:+w}", "" },
        { "${U:+w}", "" },
        { "${FOO+w}", "w" },
        { "${E+w}", "w" },
        { "${U+w}", "" },
        /* :? and ? when nothing fails */
        { "${FOO:?msg}", "xxyy" },
        { "${FOO?msg}", "xxyy" },
        { "${E?msg}", "" },
        /* # ## % %% */
        { "${FOO#x}", "xyy" },
        { "${FOO##x}", "xyy" },
        { "${FOO#*x}", "xyy" },
        { "${FOO##*x}", "yy" },
        { "${FOO#*}", "xxyy" },
        { "${FOO##*}", "" },
        { "${FOO#*x*y}", "y" },
        { "${FOO##*x*y}", "" },
        { "${FOO#}", "xxyy" },
        { "${FOO##}", "xxyy" },
        { "${FOO#z*}", "xxyy" },
        { "${FOO%y}", "xxy" },
        { "${FOO%%y}", "xxy" },
        { "${FOO%y*}", "xxy" },
        { "${FOO%%y*}", "xx" },
        { "${FOO%x*}", "x" },
        { "${FOO%%x*}", "" },
        { "${FOO%}", "xxyy" },
        { "${FOO%%}", "xxyy" },
        { "${FOO%?}", "xxy" },
        { "${FOO%%?}", "xxy" },
        { "${FOO#??}", "yy" },
        { "${U#x}", "" },
        { "${E%%*}", "" },
        { "${PWD#/}", "home" },
        { "${PWD%/*}", "" },
        { "${URL#*//}", "example.org" },
        { "${URL%.*}", "http://example" },
        /* / and // (greedy, not anchored) */
        { "${FOO/x/z}", "zxyy" },
        { "${FOO//x/z}", "zzyy" },
        { "${FOO/x*/z}", "z" },
        { "${FOO//y/}", "xx" },
        { "${FOO/q/z}", "xxyy" },
        { "${FOO/?/-}", "-xyy" },
        { "${FOO//?/-}", "----" },
        { "${FOO///}", "xxyy" },
        { "${FOO///-}", "-x-x-y-y-" },
        { "${U/x/z}", "" },
        { "${URL/http:\\/\\//https:\\/\\/}", "https:\\/\\/example.org" },
        { "${PATHS/$NEEDLE/.} - ${PATHS//$NEEDLE/.}", "/foo.*/*.txt - /foo..*.txt" },
        { "${TMP/\\/tmp/} - ${TMP//\\/tmp/}", "/tmp/bar.txt - /bar.txt" },
        { "${TMP//\\//\\/}", "\\/tmp\\/tmp\\/bar.txt" },
        /* In // the replacement is a Go template: $0 is the match. */
        { "${FOO//x/<\\$0>}", "<\\x><\\x>yy" },
        { "${FOO/x/<\\$0>}", "<\\$0>xyy" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '\\', 0);
}

/* Patterns: `*` `?` and `\` escapes, shortest against longest, and the
 * characters regular expressions would treat specially. */
static void test_patterns(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "${STARS%%\\**\\*}", "a" },
        { "${STARS%\\**\\*}", "a**" },
        { "${STARS#*\\*}", "**yy*" },
        { "${STARS##*\\*}", "" },
        { "${STARS#a\\*\\*}", "*yy*" },
        { "${STARS%y\\*}", "a***y" },
        { "${SPECIAL#()[]{\\}^$.\\*\\?|\\\\}", "x" },
        { "${SPECIAL#(*)}", "[]{}^$.*?|\\x" },
        { "${FOO#?\\?}", "xxyy" },
        { "${FOO#$X}", "xyy" },
        { "${FOO#$E}", "xxyy" },
        /* The first character after expansion decides: `#$HASHX` is ##x. */
        { "${FOO#$HASHX}", "xyy" },
        /* `*` and `?` never match a newline. */
        { "${NL%%*}", "ab\n" },
        { "${NL##*}", "\ncd" },
        { "${NL#??}", "\ncd" },
        { "${NL#???}", "ab\ncd" },
        { "${NL//?/.}", "..\n.." },
        /* `?` is one character, not one byte. */
        { "${K#?}", "\xea\xb5\xad\xec\x96\xb4" },
        { "${K%?}", "\xed\x95\x9c\xea\xb5\xad" },
        { "${K//?/.}", "..." },
        /* Quotes inside a pattern are processed. */
        { "${FOO#'x'}", "xyy" },
        { "${FOO#\"*\"}", "xxyy" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '\\', 0);
}

static void test_quoting(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "'$FOO'", "$FOO" },
        { "'a\\b'", "a\\b" },
        { "\"$FOO\"", "xxyy" },
        { "\"a\\\"b\"", "a\"b" },
        { "\"a\\$FOO\"", "a$FOO" },
        { "\"a\\\\b\"", "a\\b" },
        { "\"a\\nb\"", "a\\nb" },
        { "\"'x'\"", "'x'" },
        { "'\"x\"'", "\"x\"" },
        { "a\\nb", "anb" },
        { "\\$FOO", "$FOO" },
        { "\\'x", "'x" },
        { "a\\", "a" },
        { "x\\ y", "x y" },
        { "a'b c'd", "ab cd" },
        { "\"\"", "" },
        { "$", "$" },
        { "$.", "$." },
        { "a$", "a$" },
        { "$/x", "$/x" },
        { "${FOO:-'a b'}", "xxyy" },
        { "${U:-'a b'}", "a b" },
        { "${U:-\"$FOO\"}", "xxyy" },
        { "${U:-\\}}", "}" },
        { "${U:-a\\b}", "ab" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '\\', 0);
}

/* With `# escape=``, the backtick escapes and `\` is an ordinary character;
 * the pattern language keeps using `\`. */
static void test_backtick_escape(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "`$FOO", "$FOO" },
        { "\\$FOO", "\\xxyy" },
        { "C:\\path\\$FOO", "C:\\path\\xxyy" },
        { "\"a`\"b\"", "a\"b" },
        { "\"a`$FOO\"", "a$FOO" },
        { "\"a``b\"", "a`b" },
        { "\"a`xb\"", "a`xb" },
        { "\"a\\b\"", "a\\b" },
        { "a`", "a" },
        { "${U:-`}}", "}" },
        { "${STARS%%\\**\\*}", "a" },
        { "${FOO#`x}", "xxyy" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '`', 0);
}

/* Names: the longest run of letters, digits and `_` (Unicode letters
 * count); a digit start takes digits only; special parameters one char. */
static void test_names(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "$1x", "onex" },
        { "${1}x", "onex" },
        { "$12", "" },
        { "$_u9!", "under!" },
        { "$FOO.bar", "xxyy.bar" },
        { "$FOO-x", "xxyy-x" },
        { "$K", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4" },
        { "$\xc3\xa9t\xc3\xa9!", "summer!" },
        { "${\xc3\xa9t\xc3\xa9}", "summer" },
        { "$@x", "x" },
        { "$*x", "x" },
        { "$#x", "x" },
        { "$?x", "x" },
        { "$-x", "x" },
        { "$$x", "x" },
        { "$!x", "x" },
        { "$0x", "x" },
        { "${#}", "" },
        { "${a:-${b:-c}}", "c" },
        { "${a:-${FOO:-c}}", "xxyy" },
        { "${FOO:+${b:-in}}", "in" },
        { "${a:-x${FOO}y}", "xxxyyy" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '\\', 0);
}

struct err_case {
    const char *in;
    int code;
    const char *msg;
    uint32_t start, end; /* expected span, with the word at offset 10 */
};

static void test_errors(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        { "${", ERR_SYNTAX, "syntax error: missing '}'", 10, 12 },
        { "${FOO", ERR_SYNTAX, "syntax error: missing '}'", 10, 15 },
        { "${FOO:", ERR_SYNTAX, "syntax error: missing '}'", 10, 16 },
        { "${FOO:-x", ERR_SYNTAX, "syntax error: missing '}'", 10, 18 },
        { "a${FOO:-'x}", ERR_SYNTAX, "syntax error: missing '}'", 11, 21 },
        { "${FOO#x", ERR_SYNTAX, "syntax error: missing '}'", 10, 17 },
        { "${a:-${b}", ERR_SYNTAX, "syntax error: missing '}'", 10, 19 },
        { "${}", ERR_SYNTAX, "syntax error: bad substitution", 10, 13 },
        { "${}aaa", ERR_SYNTAX, "syntax error: bad substitution", 10, 13 },
        { "${:x}", ERR_SYNTAX, "syntax error: bad substitution", 10, 13 },
        { "${{x}", ERR_SYNTAX, "syntax error: bad substitution", 10, 13 },
        { "${FOO:=x}", ERR_SYNTAX, "unsupported modifier (:=) in substitution", 15, 17 },
        { "${FOO=x}", ERR_SYNTAX, "unsupported modifier (=) in substitution", 15, 16 },
        { "${FOO:1}", ERR_SYNTAX, "unsupported modifier (:1) in substitution", 15, 17 },
        { "${FOO^^}", ERR_SYNTAX, "unsupported modifier (^) in substitution", 15, 16 },
        { "${FOO:#x}", ERR_SYNTAX, "unsupported modifier (:#) in substitution", 15, 17 },
        { "${FOO:%x}", ERR_SYNTAX, "unsupported modifier (:%) in substitution", 15, 17 },
        { "${#FOO}", ERR_SYNTAX, "unsupported modifier (F) in substitution", 13, 14 },
        { "${FOO:=x", ERR_SYNTAX, "syntax error: missing '}'", 10, 18 },
        /* After `:` any character is an operator, `}` too: its word runs to
         * the next `}`. */
        { "${FOO:}", ERR_SYNTAX, "syntax error: missing '}'", 10, 17 },
        { "${FOO:}x}", ERR_SYNTAX, "unsupported modifier (:}) in substitution", 15, 17 },
        { "${FOO/x}", ERR_SYNTAX, "syntax error: missing '/' in ${}", 10, 18 },
        { "${FOO//}", ERR_SYNTAX, "syntax error: missing '/' in ${}", 10, 18 },
        { "${FOO//ww}", ERR_SYNTAX, "syntax error: missing '/' in ${}", 10, 20 },
        { "${FOO/x/y", ERR_SYNTAX, "syntax error: missing '}'", 10, 19 },
        { "${U?}", ERR_INVALID, "U: is not allowed to be unset", 10, 15 },
        { "${U:?}", ERR_INVALID, "U: is not allowed to be unset", 10, 16 },
        { "${E:?}", ERR_INVALID, "E: is not allowed to be empty", 10, 16 },
        { "${U?custom text}", ERR_INVALID, "U: custom text", 10, 26 },
        { "${E:?need $FOO}", ERR_INVALID, "E: need xxyy", 10, 25 },
        { "x ${a:-${U?inner}} y", ERR_INVALID, "U: inner", 17, 27 },
        { "'abc", ERR_SYNTAX, "unexpected end of statement while looking for matching single-quote",
          10, 14 },
        { "\"abc", ERR_SYNTAX,
          "unexpected end of statement while looking for matching double-quote", 10, 14 },
        { "\"abc\\", ERR_SYNTAX,
          "unexpected end of statement while looking for matching double-quote", 10, 15 },
        { "${FOO#\\x}", ERR_SYNTAX, "invalid pattern (\\x) in substitution: invalid escape '\\x'",
          10, 19 },
        { "${FOO%a\\x}", ERR_SYNTAX, "invalid pattern (\\xa) in substitution: invalid escape '\\x'",
          10, 20 },
        { "${FOO/\\x/y}", ERR_SYNTAX, "invalid pattern (\\x) in substitution: invalid escape '\\x'",
          10, 21 },
    };
    struct arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct err_case *c = &cases[i];
        struct exp_result r;
        struct err e;
        int rc = exp_word(&a, c->in, strlen(c->in), 10, &env, NULL, &r, &e);
        if (rc != c->code || strcmp(e.msg, c->msg) != 0)
            fail_msg("%s: got %d \"%s\", want %d \"%s\"", c->in, rc, rc ? e.msg : "", c->code,
                     c->msg);
        if (e.span.start != c->start || e.span.end != c->end)
            fail_msg("%s: span [%u,%u), want [%u,%u)", c->in, e.span.start, e.span.end, c->start,
                     c->end);
        assert_int_equal(e.code, c->code);
        assert_int_equal(r.value.len, 0);
    }
    arena_release(&a);
}

struct split_case {
    const char *in;
    const char *words[4];
};

/* EXP_SPLIT: ProcessWords. Splits after expansion, never inside quotes. */
static void test_split(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        { "80", { "80" } },
        { "80 443/tcp", { "80", "443/tcp" } },
        { "  a\t b  ", { "a", "b" } },
        { "$S", { "a", "b", "c" } },
        { "\"$S\"", { "a b  c" } },
        { "'a b' c", { "a b", "c" } },
        { "x\\ y z", { "x y", "z" } },
        { "\"\" a", { "a" } },
        { "\"\"", { NULL } },
        { "", { NULL } },
        { "$U", { NULL } },
        { "a$S", { "aa", "b", "c" } },
        { "${U:-\"p q\"}", { "p", "q" } },
        { "1\xc2\xa0"
          "2",
          { "1", "2" } },
    };
    struct arena a;
    arena_init(&a);
    struct exp_opts opts = { '\\', EXP_SPLIT, 0 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exp_result r;
        struct err e;
        int rc = exp_word(&a, cases[i].in, strlen(cases[i].in), 0, &env, &opts, &r, &e);
        assert_int_equal(rc, 0);
        size_t n = 0;
        while (n < 4 && cases[i].words[n])
            n++;
        if (r.n_words != n)
            fail_msg("%s: %zu words, want %zu", cases[i].in, r.n_words, n);
        for (size_t k = 0; k < n; k++) {
            if (!str_eq_cstr(r.words[k], cases[i].words[k]))
                fail_msg("%s: word %zu is [%.*s], want [%s]", cases[i].in, k, STR_FMT(r.words[k]),
                         cases[i].words[k]);
        }
    }
    /* Without EXP_SPLIT there are no words. */
    struct exp_result r;
    struct err e;
    assert_int_equal(exp_word(&a, "a b", 3, 0, &env, NULL, &r, &e), 0);
    assert_int_equal(r.n_words, 0);
    arena_release(&a);
}

/* EXP_NO_QUOTES: heredoc bodies keep their quotes; `\` still escapes. */
static void test_no_quotes(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        { "'$FOO' \"$FOO\"\n", "'xxyy' \"xxyy\"\n" },
        { "\\$FOO \\\\ x\n", "$FOO \\ x\n" },
        { "it's\n", "it's\n" },
        { "${U:-'a'}", "'a'" },
        { "a \"b\n", "a \"b\n" },
    };
    run_ok(cases, sizeof cases / sizeof cases[0], '\\', EXP_NO_QUOTES);
}

static void test_refs(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct exp_result r;
    struct err e;
    const char *w = "a $FOO ${U:-${E}} $1x ${PWD##*/} $$";
    assert_int_equal(exp_word(&a, w, strlen(w), 100, &env, NULL, &r, &e), 0);
    assert_int_equal(r.n_refs, 6);
    static const struct {
        const char *name;
        uint32_t start, end, nstart, nend;
        bool set, braced;
        enum exp_modifier mod;
        enum exp_ref_kind kind;
        uint32_t depth;
    } want[] = {
        { "FOO", 102, 106, 103, 106, true, false, EXP_MOD_NONE, EXP_REF_NAME, 0 },
        { "U", 107, 117, 109, 110, false, true, EXP_MOD_DEFAULT_NULL, EXP_REF_NAME, 0 },
        { "E", 112, 116, 114, 115, true, true, EXP_MOD_NONE, EXP_REF_NAME, 1 },
        { "1", 118, 120, 119, 120, true, false, EXP_MOD_NONE, EXP_REF_POSITIONAL, 0 },
        { "PWD", 122, 132, 124, 127, true, true, EXP_MOD_TRIM_PREFIX_LONG, EXP_REF_NAME, 0 },
        { "$", 133, 135, 134, 135, false, false, EXP_MOD_NONE, EXP_REF_SPECIAL, 0 },
    };
    for (size_t i = 0; i < 6; i++) {
        const struct exp_ref *ref = &r.refs[i];
        assert_true(str_eq_cstr(ref->name, want[i].name));
        assert_int_equal(ref->span.start, want[i].start);
        assert_int_equal(ref->span.end, want[i].end);
        assert_int_equal(ref->name_span.start, want[i].nstart);
        assert_int_equal(ref->name_span.end, want[i].nend);
        assert_int_equal(ref->set, want[i].set);
        assert_int_equal(ref->braced, want[i].braced);
        assert_int_equal(ref->mod, want[i].mod);
        assert_int_equal(ref->kind, want[i].kind);
        assert_int_equal(ref->depth, want[i].depth);
        /* The name slice points into the word, at name_span. */
        assert_ptr_equal(ref->name.ptr, w + (ref->name_span.start - 100));
    }
    assert_string_equal(r.value.ptr, "a xxyy  onex home ");

    /* The modifier word is looked up even when it is not used (BuildKit
     * reports it as undefined), and every modifier is recorded. */
    const char *w2 = "${FOO:-$NOPE}${FOO-a}${FOO+a}${FOO:+a}${FOO?a}${FOO:?a}${FOO#a}${FOO%a}"
                     "${FOO%%a}${FOO/a/b}${FOO//a/b}";
    assert_int_equal(exp_word(&a, w2, strlen(w2), 0, &env, NULL, &r, &e), 0);
    assert_int_equal(r.n_refs, 12);
    assert_true(str_eq_cstr(r.refs[1].name, "NOPE"));
    assert_false(r.refs[1].set);
    static const enum exp_modifier mods[] = {
        EXP_MOD_DEFAULT_NULL, EXP_MOD_NONE,
        EXP_MOD_DEFAULT,      EXP_MOD_ALT,
        EXP_MOD_ALT_NULL,     EXP_MOD_ERROR,
        EXP_MOD_ERROR_NULL,   EXP_MOD_TRIM_PREFIX,
        EXP_MOD_TRIM_SUFFIX,  EXP_MOD_TRIM_SUFFIX_LONG,
        EXP_MOD_REPLACE,      EXP_MOD_REPLACE_ALL,
    };
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(r.refs[i].mod, mods[i]);

    /* On failure the references read so far are still reported. */
    const char *w3 = "$FOO ${U:?gone} $E";
    assert_int_equal(exp_word(&a, w3, strlen(w3), 0, &env, NULL, &r, &e), ERR_INVALID);
    assert_int_equal(r.n_refs, 2);
    assert_true(str_eq_cstr(r.refs[1].name, "U"));
    assert_false(r.refs[1].set);
    assert_int_equal(r.refs[1].mod, EXP_MOD_ERROR_NULL);

    /* No environment at all: everything is unset. */
    assert_int_equal(exp_word(&a, "[$FOO]", 6, 0, NULL, NULL, &r, &e), 0);
    assert_string_equal(r.value.ptr, "[]");
    assert_false(r.refs[0].set);
    arena_release(&a);
}

static void test_limits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct exp_result r;
    struct err e;
    struct exp_opts small = { '\\', 0, 16 };
    assert_int_equal(exp_word(&a, "$FOO$FOO$FOO", 12, 0, &env, &small, &r, &e), 0);
    assert_string_equal(r.value.ptr, "xxyyxxyyxxyy");
    assert_int_equal(exp_word(&a, "$FOO$FOO$FOO$FOO$FOO", 20, 0, &env, &small, &r, &e),
                     ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "exceeds 16 bytes"));
    assert_int_equal(exp_word(&a, "${FOO//?/$URL}", 14, 0, &env, &small, &r, &e), ERR_TOO_LARGE);

    /* Nesting is bounded; below the bound it works. */
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < EXP_MAX_DEPTH + 5; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "${a:-");
    for (int i = 0; i < EXP_MAX_DEPTH + 5; i++)
        deep[n++] = '}';
    assert_int_equal(exp_word(&a, deep, n, 0, &env, NULL, &r, &e), ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "nested"));
    n = 0;
    for (int i = 0; i < EXP_MAX_DEPTH; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "${a:-");
    deep[n++] = 'z';
    for (int i = 0; i < EXP_MAX_DEPTH; i++)
        deep[n++] = '}';
    assert_int_equal(exp_word(&a, deep, n, 0, &env, NULL, &r, &e), 0);
    assert_string_equal(r.value.ptr, "z");
    assert_int_equal(r.n_refs, EXP_MAX_DEPTH);
    arena_release(&a);
}

static void test_classes(void **state)
{
    (void)state;
    assert_true(exp_is_letter('a'));
    assert_true(exp_is_letter(0xE9));    /* é */
    assert_true(exp_is_letter(0xD55C));  /* 한 */
    assert_true(exp_is_letter(0x31350)); /* CJK extension H, Unicode 15.0 */
    assert_false(exp_is_letter('_'));
    assert_false(exp_is_letter('1'));
    assert_false(exp_is_letter(0x2028));
    assert_true(exp_is_digit('7'));
    assert_true(exp_is_digit(0x0663)); /* Arabic-Indic three */
    assert_false(exp_is_digit(0xB2));  /* superscript two is No, not Nd */
    assert_true(exp_is_space(' '));
    assert_true(exp_is_space(0x85));
    assert_true(exp_is_space(0x3000));
    assert_false(exp_is_space(0x200B));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modifier_table), cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_quoting),        cmocka_unit_test(test_backtick_escape),
        cmocka_unit_test(test_names),          cmocka_unit_test(test_errors),
        cmocka_unit_test(test_split),          cmocka_unit_test(test_no_quotes),
        cmocka_unit_test(test_refs),           cmocka_unit_test(test_limits),
        cmocka_unit_test(test_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
