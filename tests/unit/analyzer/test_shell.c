/* The shell reader (analyzer/shell.h): structure, words, quoting, spans
 * across joined segments, heredocs, substitutions, compound commands and
 * malformed input. Structure is compared through a compact dump:
 *   (list A ; B)  (&& A B)  (| A B)  [cmd arg >file]  (sub L)  (group L)
 *   (if L L ...)  (while L L)  (for x: a b L)  (case w (a|b L) ...)  (fn f B)
 * Words print as their value; a word with substitutions prints the body of
 * each after it as {L}. */
#include "analyzer/shell.h"
#include "common/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct out {
    char buf[8192];
    size_t len;
};

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
    if (o->len >= sizeof o->buf)
        o->len = sizeof o->buf - 1;
}

static void dump_node(struct out *o, const struct sh_node *n);

static void dump_word(struct out *o, const struct sh_word *w)
{
    put(o, "%.*s", (int)w->value.len, w->value.ptr);
    for (uint32_t k = 0; k < w->n_exps; k++) {
        if (!w->exps[k].body)
            continue;
        put(o, "{");
        dump_node(o, w->exps[k].body);
        put(o, "}");
    }
}

static const char *redir_op(enum sh_redir_kind k)
{
    static const char *const ops[] = { "<",  ">",  ">>",  ">|", "<>",  "<&",
                                       ">&", "&>", "&>>", "<<", "<<-", "<<<" };
    return ops[k];
}

static void dump_redirs(struct out *o, const struct sh_redir *r)
{
    for (; r; r = r->next) {
        put(o, " ");
        if (r->fd >= 0)
            put(o, "%d", r->fd);
        put(o, "%s", redir_op(r->kind));
        dump_word(o, &r->target);
        if (r->kind == SH_REDIR_HEREDOC || r->kind == SH_REDIR_HEREDOC_TABS)
            put(o, "{%.*s}", (int)r->body.len, r->body.ptr);
    }
}

static const char *op_text(enum sh_op op)
{
    switch (op) {
    case SH_OP_SEMI: return ";";
    case SH_OP_NEWLINE: return "nl";
    case SH_OP_BACKGROUND: return "&";
    case SH_OP_AND: return "&&";
    case SH_OP_OR: return "||";
    case SH_OP_PIPE: return "|";
    case SH_OP_PIPE_ERR: return "|&";
    default: return "?";
    }
}

static void dump_kids(struct out *o, const struct sh_node *n)
{
    for (uint32_t k = 0; k < n->n_kids; k++) {
        put(o, " ");
        dump_node(o, n->kids[k]);
    }
}

static void dump_node(struct out *o, const struct sh_node *n)
{
    switch (n->kind) {
    case SH_LIST:
        put(o, "(list");
        for (uint32_t k = 0; k < n->n_kids; k++) {
            if (k)
                put(o, " %s", op_text(n->kids[k]->op));
            put(o, " ");
            dump_node(o, n->kids[k]);
        }
        put(o, ")");
        return;
    case SH_AND_OR:
    case SH_PIPELINE:
        put(o, "(%s%s", n->kind == SH_PIPELINE ? "|" : "&&", n->negated ? " !" : "");
        for (uint32_t k = 0; k < n->n_kids; k++) {
            if (k)
                put(o, " %s", op_text(n->kids[k]->op));
            put(o, " ");
            dump_node(o, n->kids[k]);
        }
        put(o, ")");
        break;
    case SH_SIMPLE:
        put(o, "[");
        for (uint32_t k = 0; k < n->n_assigns; k++) {
            put(o, k ? " " : "");
            dump_word(o, &n->assigns[k]);
        }
        for (uint32_t k = 0; k < n->argc; k++) {
            put(o, (k || n->n_assigns) ? " " : "");
            dump_word(o, &n->argv[k]);
        }
        dump_redirs(o, n->redirs);
        put(o, "]");
        if (n->nested) {
            put(o, "{sh-c ");
            dump_node(o, n->nested->root);
            put(o, "}");
        }
        break;
    case SH_SUBSHELL:
        put(o, "(sub");
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_GROUP:
        put(o, "(group");
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_IF:
        put(o, "(if");
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_WHILE:
        put(o, "(while");
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_UNTIL:
        put(o, "(until");
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_FOR:
        put(o, "(for ");
        if (n->name)
            dump_word(o, n->name);
        put(o, ":");
        for (uint32_t k = 0; k < n->n_items; k++) {
            put(o, " ");
            dump_word(o, &n->items[k]);
        }
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_CASE:
        put(o, "(case ");
        if (n->name)
            dump_word(o, n->name);
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_CASE_ITEM:
        put(o, "(");
        for (uint32_t k = 0; k < n->n_items; k++) {
            put(o, k ? "|" : "");
            dump_word(o, &n->items[k]);
        }
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_FUNCTION:
        put(o, "(fn ");
        if (n->name)
            dump_word(o, n->name);
        dump_kids(o, n);
        put(o, ")");
        break;
    case SH_ARITH:
        put(o, "(( ");
        if (n->n_items)
            dump_word(o, &n->items[0]);
        put(o, " ))");
        break;
    }
    if (n->kind != SH_SIMPLE && n->kind != SH_LIST)
        dump_redirs(o, n->redirs);
    if (n->background)
        put(o, " &");
}

static struct arena A;

static int setup(void **state)
{
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&A);
    return 0;
}

static const struct sh_script *parse(const char *text)
{
    return sh_parse_range(text, 0, (uint32_t)strlen(text), &A);
}

/* The dump of the root list's kids (without the outer "(list …)" when the
 * root has one kid), with a " !N" suffix when there are N problems. */
static const char *dump_script(const struct sh_script *s)
{
    struct out *o = arena_alloc(&A, sizeof *o);
    o->len = 0;
    o->buf[0] = '\0';
    if (s->root->n_kids == 1)
        dump_node(o, s->root->kids[0]);
    else
        dump_node(o, s->root);
    if (s->n_problems)
        put(o, " !%u", s->n_problems);
    return o->buf;
}

static const char *dump(const char *text)
{
    return dump_script(parse(text));
}

static void assert_span(struct span s, uint32_t start, uint32_t end)
{
    assert_int_equal(s.start, start);
    assert_int_equal(s.end, end);
}

/* The src offset of the n-th (0-based) occurrence of needle in text. */
static uint32_t at(const char *text, const char *needle, int nth)
{
    const char *p = text;
    for (;;) {
        p = strstr(p, needle);
        assert_non_null(p);
        if (nth-- == 0)
            return (uint32_t)(p - text);
        p++;
    }
}

static bool has_problem(const struct sh_script *s, const char *fragment)
{
    for (uint32_t k = 0; k < s->n_problems; k++)
        if (strstr(s->problems[k].msg, fragment))
            return true;
    return false;
}

/* ---------------------------------------------------------------- words */

static void test_simple_words_and_spans(void **state)
{
    (void)state;
    const char *t = "  echo hello\tworld  ";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s), "[echo hello world]");
    const struct sh_node *c = s->root->kids[0];
    assert_int_equal(c->kind, SH_SIMPLE);
    assert_int_equal(c->argc, 3);
    assert_span(c->argv[0].span, 2, 6);
    assert_span(c->argv[1].span, 7, 12);
    assert_span(c->argv[2].span, 13, 18);
    assert_span(c->span, 2, 18);
    assert_int_equal(c->argv[0].flags, 0);
    assert_int_equal(s->n_cmds, 1);
    assert_true(sh_call_is(&s->cmds[0].call, "echo"));
}

static void test_quoting_and_escapes(void **state)
{
    (void)state;
    const char *t = "echo 'a b' \"x\\\"y\" a\\ b \"$HOME/x\" '$HOME' \"a\"'b'c \"\\q\" $X";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    const struct sh_node *c = s->root->kids[0];
    assert_int_equal(c->argc, 9);
    const char *want[] = { "echo", "a b", "x\"y", "a b", "$HOME/x", "$HOME", "abc", "\\q", "$X" };
    for (int k = 0; k < 9; k++)
        assert_string_equal(c->argv[k].value.ptr, want[k]);
    assert_int_equal(c->argv[1].flags, SH_WORD_QUOTED);
    assert_int_equal(c->argv[3].flags, SH_WORD_QUOTED);
    assert_int_equal(c->argv[4].flags, SH_WORD_QUOTED | SH_WORD_QUOTED_EXPANSION);
    assert_int_equal(c->argv[5].flags, SH_WORD_QUOTED);
    assert_int_equal(c->argv[8].flags, SH_WORD_EXPANSION);
    /* Raw text keeps the quotes; the span covers them. */
    assert_true(str_eq_cstr(c->argv[2].raw, "\"x\\\"y\""));
    assert_span(c->argv[2].span, at(t, "\"x", 0), at(t, "\"x", 0) + 6);
    /* Per-byte mapping: x, the escaped quote, y. */
    const struct sh_word *w = &c->argv[2];
    assert_int_equal(w->value_src[0], at(t, "x\\", 0));
    assert_int_equal(w->value_src[1], at(t, "x\\", 0) + 2);
    assert_int_equal(w->value_src[2], at(t, "x\\", 0) + 3);
    assert_int_equal(w->value_src[3], w->span.end);
    /* Expansions: name and span. */
    assert_int_equal(c->argv[4].n_exps, 1);
    assert_int_equal(c->argv[4].exps[0].kind, SH_EXP_PARAM);
    assert_true(c->argv[4].exps[0].quoted);
    assert_true(str_eq_cstr(c->argv[4].exps[0].name, "HOME"));
    assert_span(c->argv[4].exps[0].span, at(t, "$HOME", 0), at(t, "$HOME", 0) + 5);
    assert_int_equal(c->argv[5].n_exps, 0);
}

static void test_word_value_span(void **state)
{
    (void)state;
    const char *t = "apt-get install -y \"curl\"=7.88";
    const struct sh_script *s = parse(t);
    const struct sh_word *w = &s->root->kids[0]->argv[3];
    assert_string_equal(w->value.ptr, "curl=7.88");
    assert_span(sh_word_value_span(w, 0, 4), at(t, "curl", 0), at(t, "curl", 0) + 4);
    assert_span(sh_word_value_span(w, 5, 99), at(t, "7.88", 0), at(t, "7.88", 0) + 4);
}

static void test_comments(void **state)
{
    (void)state;
    assert_string_equal(dump("echo a # comment; rm -rf /\necho b#c"),
                        "(list [echo a] nl [echo b#c])");
    assert_string_equal(dump("# only a comment"), "(list)");
    assert_string_equal(dump("echo a;# c\n"), "[echo a]");
}

static void test_segments_join(void **state)
{
    (void)state;
    /* RUN echo ab\<newline>cd && ls: the model drops the escape and the line
     * ending, so "ab" and "cd" form one word across the join. */
    const char *src = "RUN echo ab\\\ncd && ls\n";
    struct sh_segment segs[] = { { 4, 11 }, { 13, 21 } };
    struct sh_input in = { src, segs, 2 };
    const struct sh_script *s = sh_parse(&in, &A);
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(s->text, "echo abcd && ls");
    assert_string_equal(dump_script(s), "(&& [echo abcd] && [ls])");
    const struct sh_node *echo = s->root->kids[0]->kids[0];
    const struct sh_word *w = &echo->argv[1];
    assert_span(w->span, 9, 15); /* from 'a' to 'd' in src */
    assert_int_equal(w->value_src[1], 10);
    assert_int_equal(w->value_src[2], 13);
    assert_span(echo->span, 4, 15);
    const struct sh_node *ls = s->root->kids[0]->kids[1];
    assert_span(ls->argv[0].span, 19, 21);
    assert_span(sh_word_value_span(w, 1, 3), 10, 14);
    /* A continuation line keeps its leading blanks: two words. */
    const char *src2 = "RUN echo a \\\n    b";
    struct sh_segment segs2[] = { { 4, 11 }, { 13, 18 } };
    struct sh_input in2 = { src2, segs2, 2 };
    s = sh_parse(&in2, &A);
    assert_string_equal(dump_script(s), "[echo a b]");
    assert_span(s->root->kids[0]->argv[2].span, 17, 18);
    /* No segments at all: an empty script. */
    struct sh_input none = { src, NULL, 0 };
    s = sh_parse(&none, &A);
    assert_int_equal(s->len, 0);
    assert_int_equal(s->root->n_kids, 0);
    assert_int_equal(s->n_cmds, 0);
}

static void test_line_continuation_in_text(void **state)
{
    (void)state;
    /* Inside a heredoc script or a sh -c string the shell joins lines. */
    assert_string_equal(dump("apt-get install \\\n  curl \\\r\n  wget"),
                        "[apt-get install curl wget]");
    assert_string_equal(dump("echo ab\\\ncd"), "[echo abcd]");
    assert_string_equal(dump("echo 'a\\\nb'"), "[echo a\\\nb]");
    /* CRLF line ends are blanks, not word bytes. */
    assert_string_equal(dump("echo a\r\necho b\r\n"), "(list [echo a] nl [echo b])");
}

/* ------------------------------------------------------------ structure */

static void test_operators(void **state)
{
    (void)state;
    assert_string_equal(dump("a && b || c; d | e & f"),
                        "(list (&& [a] && [b] || [c]) ; (| [d] | [e]) & & [f])");
    assert_string_equal(dump("a &&\n b |\n c"), "(&& [a] && (| [b] | [c]))");
    assert_string_equal(dump("! a | b"), "(| ! [a] | [b])");
    assert_string_equal(dump("! a"), "(| ! [a])");
    assert_string_equal(dump("a |& b"), "(| [a] |& [b])");
    assert_string_equal(dump("a;b;"), "(list [a] ; [b])");
    assert_string_equal(dump("\n\n a \n\n b \n"), "(list [a] nl [b])");
    assert_string_equal(dump("find . -name x -exec rm {} \\; ; echo"),
                        "(list [find . -name x -exec rm {} ;] ; [echo])");
}

static void test_redirections(void **state)
{
    (void)state;
    assert_string_equal(dump("cmd >out 2>&1 <in >>log 2>/dev/null &>all &>>all2 3<>rw >|c"),
                        "[cmd >out 2>&1 <in >>log 2>/dev/null &>all &>>all2 3<>rw >|c]");
    const struct sh_script *s = parse("cmd 2>&1");
    const struct sh_redir *r = s->root->kids[0]->redirs;
    assert_int_equal(r->kind, SH_REDIR_DUP_OUT);
    assert_int_equal(r->fd, 2);
    assert_string_equal(r->target.value.ptr, "1");
    assert_span(r->span, 4, 8);
    assert_false(s->bash);
    assert_true(parse("cmd &>/dev/null")->bash);
    assert_string_equal(dump("cat <<< \"$x\""), "[cat <<<$x]");
    /* A word of digits not followed by < or > is a plain word. */
    assert_string_equal(dump("echo 2 > f"), "[echo 2 >f]");
    assert_string_equal(dump("> f"), "[ >f]");
}

static void test_assignments(void **state)
{
    (void)state;
    const struct sh_script *s = parse("A=1 B+=\"x y\" cmd C=2");
    const struct sh_node *c = s->root->kids[0];
    assert_int_equal(c->n_assigns, 2);
    assert_int_equal(c->argc, 2);
    assert_true(str_eq_cstr(sh_word_assign_name(&c->assigns[0]), "A"));
    assert_true(str_eq_cstr(sh_word_assign_value(&c->assigns[0]), "1"));
    assert_true(str_eq_cstr(sh_word_assign_name(&c->assigns[1]), "B"));
    assert_true(str_eq_cstr(sh_word_assign_value(&c->assigns[1]), "x y"));
    assert_true(str_eq_cstr(sh_word_assign_name(&c->argv[1]), "C"));
    assert_true(str_eq_cstr(sh_word_assign_name(&c->argv[0]), ""));
    /* Assignments alone run no command. */
    s = parse("A=1 B=2");
    assert_int_equal(s->root->kids[0]->n_assigns, 2);
    assert_int_equal(s->n_cmds, 0);
    s = parse("arr=(a 'b c' $(ls)) cmd");
    assert_true(s->bash);
    assert_string_equal(s->root->kids[0]->assigns[0].value.ptr, "arr=(a 'b c' $(ls))");
}

static void test_apt_chain(void **state)
{
    (void)state;
    const char *t = "apt-get update && apt-get install -y --no-install-recommends "
                    "curl=7.* wget && rm -rf /var/lib/apt/lists/*";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->n_cmds, 3);
    static const struct sh_flag_spec apt = { "oct", NULL, false };
    const struct sh_call *c0 = &s->cmds[0].call, *c1 = &s->cmds[1].call, *c2 = &s->cmds[2].call;
    assert_true(sh_call_is(c0, "apt-get"));
    assert_int_equal(s->cmds[0].op, SH_OP_NONE);
    assert_int_equal(s->cmds[1].op, SH_OP_AND);
    assert_int_equal(s->cmds[2].op, SH_OP_AND);
    assert_true(sh_word_is(sh_call_operand(c0, 0, &apt), "update"));
    assert_true(sh_word_is(sh_call_operand(c1, 0, &apt), "install"));
    assert_true(sh_call_has_short(c1, 'y', &apt));
    assert_false(sh_call_has_short(c1, 'q', &apt));
    assert_true(sh_call_has_long(c1, "no-install-recommends", &apt));
    uint32_t n = 0;
    const struct sh_word **pk = sh_call_operands(c1, 1, &apt, &A, &n);
    assert_int_equal(n, 2);
    assert_string_equal(pk[0]->value.ptr, "curl=7.*");
    assert_true(pk[0]->flags & SH_WORD_GLOB);
    assert_string_equal(pk[1]->value.ptr, "wget");
    assert_span(pk[1]->span, at(t, "wget", 0), at(t, "wget", 0) + 4);
    assert_true(sh_call_is(c2, "rm"));
    assert_true(sh_call_has_short(c2, 'r', NULL));
    assert_true(sh_call_has_short(c2, 'f', NULL));
    assert_string_equal(sh_call_operand(c2, 0, NULL)->value.ptr, "/var/lib/apt/lists/*");
    assert_null(sh_call_operand(c2, 1, NULL));
    for (uint32_t k = 0; k < 3; k++) {
        assert_int_equal(s->cmds[k].ctx, 0);
        assert_int_equal(s->cmds[k].depth, 0);
    }
}

static void test_flags(void **state)
{
    (void)state;
    static const char *const longs[] = { "target", NULL };
    static const struct sh_flag_spec spec = { "ot", longs, false };
    const struct sh_script *s =
        parse("tool -qy -oDir::Cache=/x -o Dir::Etc=/y --yes=true --target a --target=b "
              "-t c pos1 -- -z --not-a-flag");
    const struct sh_call *c = &s->cmds[0].call;
    struct sh_arg a;
    assert_true(sh_call_has_short(c, 'q', &spec));
    assert_true(sh_call_has_short(c, 'y', &spec));
    assert_false(sh_call_has_short(c, 'z', &spec)); /* after -- */
    assert_false(sh_call_has_short(c, 'D', &spec)); /* inside -o's value */
    assert_true(sh_call_has_long(c, "yes", &spec));
    assert_false(sh_call_has_long(c, "not-a-flag", &spec));
    assert_true(sh_call_find_flag(c, 'o', NULL, &spec, &a));
    assert_true(a.has_value);
    assert_true(str_eq_cstr(a.value, "Dir::Cache=/x"));
    assert_int_equal(a.value_index, a.index);
    assert_true(sh_call_find_flag(c, '\0', "yes", &spec, &a));
    assert_true(str_eq_cstr(a.value, "true"));
    assert_true(sh_call_find_flag(c, '\0', "target", &spec, &a));
    assert_true(str_eq_cstr(a.value, "a"));
    assert_int_equal(a.value_index, a.index + 1);
    assert_true(sh_call_find_flag(c, 't', NULL, &spec, &a));
    assert_true(str_eq_cstr(a.value, "c"));
    /* Operands: value words are skipped; after -- everything is one. */
    assert_string_equal(sh_call_operand(c, 0, &spec)->value.ptr, "pos1");
    assert_string_equal(sh_call_operand(c, 1, &spec)->value.ptr, "-z");
    assert_string_equal(sh_call_operand(c, 2, &spec)->value.ptr, "--not-a-flag");
    assert_null(sh_call_operand(c, 3, &spec));
    /* Iteration reports every word once. */
    struct sh_arg_iter it;
    sh_arg_iter_init(&it, c, 1, &spec);
    int kinds[5] = { 0 };
    while (sh_arg_next(&it, &a))
        kinds[a.kind]++;
    assert_int_equal(kinds[SH_ARG_SHORT], 4);
    assert_int_equal(kinds[SH_ARG_LONG], 3);
    assert_int_equal(kinds[SH_ARG_OPERAND], 3);
    assert_int_equal(kinds[SH_ARG_END], 1);
    /* -qo with its value in the next word; -y before a value letter. */
    s = parse("apt-get -yo Acquire::Retries=3 install x");
    c = &s->cmds[0].call;
    assert_true(sh_call_find_flag(c, 'y', NULL, &spec, &a));
    assert_false(a.has_value);
    assert_true(sh_call_find_flag(c, 'o', NULL, &spec, &a));
    assert_true(str_eq_cstr(a.value, "Acquire::Retries=3"));
    assert_string_equal(sh_call_operand(c, 0, &spec)->value.ptr, "install");
    /* stop_at_operand: the first operand ends the flags. */
    static const struct sh_flag_spec stop = { NULL, NULL, true };
    s = parse("docker run img -it");
    c = &s->cmds[0].call;
    assert_false(sh_call_has_short(c, 'i', &stop));
    assert_true(sh_call_has_short(c, 'i', NULL));
    /* Every field of each answer: "-" and a lone word are operands, a
     * flag after the first operand of a stop_at_operand spec is one too. */
    s = parse("x - op -ab --k=v");
    c = &s->cmds[0].call;
    sh_arg_iter_init(&it, c, 1, &stop);
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_OPERAND);
    assert_int_equal(a.index, 1);
    assert_true(str_eq_cstr(a.name, "-"));
    assert_false(a.has_value);
    assert_int_equal(a.value.len, 0);
    assert_int_equal(a.value_index, 1);
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_OPERAND);
    assert_true(str_eq_cstr(a.name, "op"));
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_OPERAND);
    assert_true(str_eq_cstr(a.name, "-ab"));
    assert_int_equal(a.index, 3);
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_OPERAND);
    assert_false(sh_arg_next(&it, &a));
    sh_arg_iter_init(&it, c, 3, NULL);
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_SHORT);
    assert_true(str_eq_cstr(a.name, "ab"));
    assert_false(a.has_value);
    assert_int_equal(a.value_index, 3);
    assert_true(sh_arg_next(&it, &a));
    assert_int_equal(a.kind, SH_ARG_LONG);
    assert_true(str_eq_cstr(a.name, "k"));
    assert_true(str_eq_cstr(a.value, "v"));
    assert_int_equal(a.index, 4);
    assert_false(sh_arg_next(&it, &a));
    assert_int_equal(it.i, 5);
    /* The program name after the last '/', and without one. */
    s = parse("/usr/local/bin/pip3 x; ./y; z/; w");
    assert_int_equal(s->n_cmds, 4);
    assert_true(str_eq_cstr(sh_call_name(&s->cmds[0].call), "pip3"));
    assert_true(str_eq_cstr(sh_call_name(&s->cmds[1].call), "y"));
    assert_int_equal(sh_call_name(&s->cmds[2].call).len, 0);
    assert_true(str_eq_cstr(sh_call_name(&s->cmds[3].call), "w"));
}

static void test_wrappers(void **state)
{
    (void)state;
    const struct sh_script *s =
        parse("sudo -u app -E env -i A=1 B=2 nice -n 10 timeout -s KILL 5m nohup xargs -0 "
              "-n1 stdbuf -oL time -p command exec apt-get update");
    const struct sh_node *c = s->root->kids[0];
    const char *names[] = { "sudo",   "env",  "nice",    "timeout", "nohup",  "xargs",
                            "stdbuf", "time", "command", "exec",    "apt-get" };
    assert_int_equal(c->n_runs, 11);
    assert_int_equal(s->n_cmds, 11);
    for (int k = 0; k < 11; k++) {
        assert_true(sh_call_is(&s->cmds[k].call, names[k]));
        assert_int_equal(s->cmds[k].wrap, k);
        assert_int_equal(s->cmds[k].op, k ? SH_OP_WRAPPER : SH_OP_NONE);
    }
    assert_int_equal(s->cmds[10].call.argc, 2);
    /* Nothing is started: command -v, env alone, sudo -l, a bare timeout. */
    assert_int_equal(parse("command -v curl")->n_cmds, 1);
    assert_int_equal(parse("env")->n_cmds, 1);
    assert_int_equal(parse("env A=1")->n_cmds, 1);
    assert_int_equal(parse("sudo -l")->n_cmds, 1);
    assert_int_equal(parse("timeout 5")->n_cmds, 1);
    /* Attached values, long options with '=' and a path as program name. */
    s = parse("/usr/bin/sudo --user=root -uroot xargs --max-args 1 -I{} /bin/rm {}");
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[2].call, "rm"));
    /* The wrapper as an argument is not a wrapper. */
    s = parse("apt-get install -y sudo");
    assert_int_equal(s->n_cmds, 1);
    /* Names that share a wrapper's first byte or length, or are a prefix
     * or an extension of one, are not wrappers. */
    const char *near[] = { "c x",    "commands x", "en x",     "envy x",  "exe x",
                           "exit x", "nic x",      "nohups x", "sudoo x", "stdbu x",
                           "tim x",  "timeouts x", "timer x",  "xarg x",  "yes x" };
    for (size_t k = 0; k < sizeof near / sizeof *near; k++) {
        s = parse(near[k]);
        assert_int_equal(s->n_cmds, 1);
        assert_int_equal(s->root->kids[0]->n_runs, 1);
    }
    /* The shell behind the last wrapper is what `-c` is asked of. */
    s = parse("timeout 5 sh -c 'a; b'");
    assert_int_equal(s->n_cmds, 4);
    assert_true(sh_call_is(&s->cmds[1].call, "sh"));
    assert_true(sh_call_is(&s->cmds[3].call, "b"));
    s = parse("sh timeout -c 'a'");
    assert_int_equal(s->n_cmds, 1);
}

static void test_nul_in_word(void **state)
{
    (void)state;
    /* A NUL byte inside the text is a plain byte of its word (the reader
     * stops its runs at the text's final NUL only). */
    static const char t[] = "echo ab\0cd ef\0";
    const struct sh_script *s = sh_parse_range(t, 0, (uint32_t)sizeof t - 1, &A);
    const struct sh_node *c = s->root->kids[0];
    assert_int_equal(c->argc, 3);
    assert_int_equal(c->argv[1].value.len, 5);
    assert_memory_equal(c->argv[1].value.ptr, "ab\0cd", 6);
    assert_int_equal(c->argv[1].flags, 0);
    assert_span(c->argv[1].span, 5, 10);
    assert_int_equal(c->argv[1].value_src[2], 7);
    assert_int_equal(c->argv[1].value_src[5], 10);
    assert_int_equal(c->argv[2].value.len, 3);
    assert_memory_equal(c->argv[2].value.ptr, "ef\0", 4);
    assert_span(c->argv[2].span, 11, 14);
}

static void test_sh_c(void **state)
{
    (void)state;
    const char *t = "RUN sh -c 'apt-get update && apt-get install -y curl'";
    const struct sh_script *s = sh_parse_range(t, 4, (uint32_t)strlen(t), &A);
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[0].call, "sh"));
    assert_true(sh_call_is(&s->cmds[1].call, "apt-get"));
    assert_true(sh_call_is(&s->cmds[2].call, "apt-get"));
    assert_int_equal(s->cmds[1].ctx, SH_IN_SH_C);
    assert_int_equal(s->cmds[1].depth, 1);
    assert_int_equal(s->cmds[1].op, SH_OP_NONE);
    assert_int_equal(s->cmds[2].op, SH_OP_AND);
    const struct sh_script *ns = s->cmds[1].script;
    assert_ptr_equal(ns, s->root->kids[0]->nested);
    assert_ptr_equal(ns->owner, s->root->kids[0]);
    assert_ptr_equal(sh_script_of(s, s->cmds[2].call.node), ns);
    assert_ptr_equal(sh_script_of(s, s->cmds[0].call.node), s);
    /* Inside single quotes the mapping is 1:1. */
    assert_span(s->cmds[2].call.argv[0].span, at(t, "apt-get", 1), at(t, "apt-get", 1) + 7);
    assert_span(s->cmds[2].call.argv[3].span, at(t, "curl", 0), at(t, "curl", 0) + 4);
    /* Double quotes: escapes map to the escaped byte. */
    t = "bash -euxo pipefail -c \"echo \\\"hi\\\" | grep h\"";
    s = parse(t);
    assert_int_equal(s->n_cmds, 3);
    const struct sh_node *echo = s->cmds[1].call.node;
    assert_string_equal(echo->argv[1].value.ptr, "hi");
    assert_span(echo->argv[1].span, at(t, "\"hi", 0), at(t, "hi\\\"", 0) + 4);
    assert_true(s->root->kids[0]->nested->pipefail_at_start);
    assert_true(sh_pipefail_before(s, echo->parent));
    /* Behind wrappers, with options, and only one level deep. */
    s = parse("sudo -E bash -lc \"sh -c 'ls'\"");
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[2].call, "sh"));
    assert_null(s->cmds[2].call.node->nested);
    assert_string_equal(dump_script(s), "[sudo -E bash -lc sh -c 'ls']{sh-c (list [sh -c ls])}");
    /* Not a -c script: a file operand, or -c without its argument. */
    assert_null(parse("sh ./install.sh -c")->root->kids[0]->nested);
    assert_null(parse("bash -c")->root->kids[0]->nested);
    assert_non_null(parse("busybox sh -c 'ls'")->root->kids[0]->nested);
    /* Problems inside the string point into it. */
    t = "sh -c 'echo \"x'";
    s = parse(t);
    assert_true(has_problem(s, "unterminated double quote"));
    assert_int_equal(s->problems[0].span.start, at(t, "\"x", 0));
    /* A substitution in the argument is read once, as part of the script. */
    s = parse("sh -c \"echo $(date)\"");
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[1].call, "date"));
    assert_true(sh_call_is(&s->cmds[2].call, "echo"));
}

static void test_heredoc(void **state)
{
    (void)state;
    const char *t = "cat <<EOF > /etc/x.conf && echo done\nline1\n$HOME\nEOF\necho after";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s), "(list (&& [cat <<EOF{line1\n$HOME\n} >/etc/x.conf] && "
                                        "[echo done]) nl [echo after])");
    const struct sh_redir *r = s->root->kids[0]->kids[0]->redirs;
    assert_int_equal(r->kind, SH_REDIR_HEREDOC);
    assert_true(r->body_expands);
    assert_true(r->body_terminated);
    assert_span(r->body_span, at(t, "line1", 0), at(t, "EOF\necho", 0));
    assert_int_equal(r->next->kind, SH_REDIR_OUT);
    assert_int_equal(s->n_cmds, 3);
    /* Quoted delimiter; <<- strips tabs from the delimiter line; two
     * heredocs on one line take their bodies in order. */
    s = parse("cat <<'E O' <<-X\n$a\nE O\n\tb\n\tX\nls");
    assert_string_equal(dump_script(s), "(list [cat <<E O{$a\n} <<-X{\tb\n}] nl [ls])");
    assert_false(s->root->kids[0]->redirs->body_expands);
    assert_true(s->root->kids[0]->redirs->next->body_expands);
    /* A heredoc inside $( ) and a delimiter at the end without newline. */
    s = parse("x=$(cat <<EOF\nhi\nEOF\n)\necho $x\ncat <<Z\nz\nZ");
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->n_cmds, 3);
    /* CRLF body lines still end at the delimiter. */
    s = parse("cat <<EOF\r\na\r\nEOF\r\nls");
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->n_cmds, 2);
    /* Unterminated: a problem at the delimiter, the body runs to the end. */
    t = "cat <<EOF\nno end\n";
    s = parse(t);
    assert_int_equal(s->n_problems, 1);
    assert_true(has_problem(s, "unterminated heredoc"));
    assert_span(s->problems[0].span, 6, 9);
    assert_false(s->root->kids[0]->redirs->body_terminated);
    assert_true(str_eq_cstr(s->root->kids[0]->redirs->body, "no end\n"));
    s = parse("cat <<EOF");
    assert_true(has_problem(s, "unterminated heredoc"));
    /* Expansions in a body with an unquoted delimiter; none when quoted. */
    t = "cat <<EOF > /etc/conf\nversion=$VERSION\nuid=$(id -u)\nEOF\ncat <<'X'\n$NO\nX";
    s = parse(t);
    assert_int_equal(s->n_problems, 0);
    r = s->root->kids[0]->redirs;
    assert_int_equal(r->n_body_exps, 2);
    assert_int_equal(r->body_exps[0].kind, SH_EXP_PARAM);
    assert_true(str_eq_cstr(r->body_exps[0].name, "VERSION"));
    assert_span(r->body_exps[0].span, at(t, "$VERSION", 0), at(t, "$VERSION", 0) + 8);
    assert_true(r->body_exps[0].quoted);
    assert_int_equal(r->body_exps[1].kind, SH_EXP_CMDSUBST);
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[0].call, "id"));
    assert_int_equal(s->cmds[0].ctx, SH_IN_SUBST);
    assert_span(s->cmds[0].call.argv[0].span, at(t, "id -u", 0), at(t, "id -u", 0) + 2);
    assert_int_equal(s->root->kids[1]->redirs->n_body_exps, 0);
    /* A broken substitution stays inside its body. */
    s = parse("cat <<EOF\n$(echo\nEOF\nls");
    assert_true(has_problem(s, "unterminated command substitution"));
    assert_int_equal(s->n_cmds, 3);
    assert_true(sh_call_is(&s->cmds[2].call, "ls"));
    /* The Dockerfile shape: the command line, then one segment from the
     * line ending through the delimiter line. */
    const char *src = "RUN cat <<EOF > /f \\\n && ls\nbody\nEOF\nCMD x\n";
    struct sh_segment segs[] = { { 4, 19 }, { 21, at(src, "\nCMD", 0) } };
    struct sh_input in = { src, segs, 2 };
    s = sh_parse(&in, &A);
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s), "(&& [cat <<EOF{body\n} >/f] && [ls])");
    assert_span(s->root->kids[0]->kids[0]->redirs->body_span, at(src, "body", 0),
                at(src, "body", 0) + 5);
}

static void test_substitutions(void **state)
{
    (void)state;
    const char *t = "echo $(dirname $(which curl)) `date +%s` \"$(cd /x && pwd)\"";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    const char *order[] = { "which", "dirname", "date", "cd", "pwd", "echo" };
    assert_int_equal(s->n_cmds, 6);
    for (int k = 0; k < 6; k++)
        assert_true(sh_call_is(&s->cmds[k].call, order[k]));
    assert_int_equal(s->cmds[0].ctx, SH_IN_SUBST);
    assert_int_equal(s->cmds[0].depth, 2);
    assert_int_equal(s->cmds[1].depth, 1);
    assert_int_equal(s->cmds[4].op, SH_OP_AND);
    assert_int_equal(s->cmds[5].ctx, 0);
    const struct sh_word *w = &s->root->kids[0]->argv[1];
    assert_string_equal(w->value.ptr, "$(dirname $(which curl))");
    assert_int_equal(w->flags, SH_WORD_EXPANSION | SH_WORD_SUBST);
    assert_int_equal(w->exps[0].kind, SH_EXP_CMDSUBST);
    assert_span(w->exps[0].span, 5, 29);
    assert_ptr_equal(w->exps[0].body->parent, s->root->kids[0]);
    assert_int_equal(w->exps[0].body->role, SH_ROLE_SUBST);
    const struct sh_word *q = &s->root->kids[0]->argv[3];
    assert_int_equal(q->flags, SH_WORD_QUOTED | SH_WORD_QUOTED_EXPANSION | SH_WORD_SUBST);
    /* Backquote spans map to src through the escapes. */
    const struct sh_word *b = &s->root->kids[0]->argv[2];
    assert_int_equal(b->exps[0].kind, SH_EXP_BACKTICK);
    assert_span(s->cmds[2].call.argv[0].span, at(t, "date", 0), at(t, "date", 0) + 4);
    t = "echo `echo \\`ls\\``";
    s = parse(t);
    assert_int_equal(s->n_problems, 0);
    assert_true(sh_call_is(&s->cmds[0].call, "ls"));
    assert_span(s->cmds[0].call.argv[0].span, at(t, "ls", 0), at(t, "ls", 0) + 2);
    /* ${…}: names, nested substitutions, bash-only operators. */
    s = parse("echo ${HOME} ${#x} ${y:-$(pwd)} \"${z%%.*}\"");
    const struct sh_node *c = s->root->kids[0];
    assert_true(str_eq_cstr(c->argv[1].exps[0].name, "HOME"));
    assert_true(str_eq_cstr(c->argv[2].exps[0].name, "x"));
    assert_int_equal(c->argv[3].n_exps, 2);
    assert_true(str_eq_cstr(c->argv[3].exps[0].name, "y"));
    assert_int_equal(c->argv[3].exps[1].kind, SH_EXP_CMDSUBST);
    assert_string_equal(c->argv[3].value.ptr, "${y:-$(pwd)}");
    assert_string_equal(c->argv[4].value.ptr, "${z%%.*}");
    assert_true(sh_call_is(&s->cmds[0].call, "pwd"));
    assert_false(s->bash);
    assert_true(parse("echo ${x//a/b}")->bash);
    assert_true(parse("echo ${x:1:2}")->bash);
    /* Arithmetic, and $( ( …) ) which is a subshell inside a substitution. */
    s = parse("echo $((1 + $(nproc) * 2)) $( (ls) )");
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->root->kids[0]->argv[1].exps[0].kind, SH_EXP_ARITH);
    assert_true(sh_call_is(&s->cmds[0].call, "nproc"));
    assert_true(sh_call_is(&s->cmds[1].call, "ls"));
    assert_int_equal(s->cmds[1].ctx, SH_IN_SUBST | SH_IN_SUBSHELL);
    /* Process substitution (bash). */
    s = parse("bash <(curl -fsSL https://x.invalid/i.sh)");
    assert_true(s->bash);
    assert_int_equal(s->n_cmds, 2);
    assert_true(sh_call_is(&s->cmds[0].call, "curl"));
    assert_int_equal(s->root->kids[0]->argv[1].exps[0].kind, SH_EXP_PROCSUBST);
    /* $'…' */
    s = parse("printf $'a\\tb\\x41\\101\\''");
    assert_true(s->bash);
    assert_string_equal(s->root->kids[0]->argv[1].value.ptr, "a\tbAA'");
    /* A lone $ is a literal. */
    assert_string_equal(dump("echo $ \"$\" a$"), "[echo $ $ a$]");
}

static void test_compound_commands(void **state)
{
    (void)state;
    const struct sh_script *s =
        parse("if [ -f x ]; then apt-get update; elif true; then :; else exit 1; fi");
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s), "(if (list [[ -f x ]]) (list [apt-get update]) "
                                        "(list [true]) (list [:]) (list [exit 1]))");
    assert_int_equal(s->cmds[0].ctx, SH_IN_CONDITION);
    assert_int_equal(s->cmds[1].ctx, SH_IN_BRANCH);
    assert_int_equal(s->cmds[1].depth, 1);
    assert_int_equal(s->root->kids[0]->kids[4]->role, SH_ROLE_ELSE);

    s = parse("for p in a \"b c\" $(ls); do pip install $p; done");
    assert_string_equal(dump_script(s),
                        "(for p: a b c $(ls){(list [ls])} (list [pip install $p]))");
    assert_true(s->root->kids[0]->has_in);
    assert_int_equal(s->cmds[0].ctx, SH_IN_SUBST);
    assert_int_equal(s->cmds[1].ctx, SH_IN_LOOP);
    assert_string_equal(dump("for x\ndo echo $x\ndone"), "(for x: (list [echo $x]))");

    s = parse("while read l; do echo $l; done < file");
    assert_string_equal(dump_script(s), "(while (list [read l]) (list [echo $l])) <file");
    assert_int_equal(s->cmds[0].ctx, SH_IN_CONDITION);
    assert_int_equal(s->cmds[1].ctx, SH_IN_LOOP);
    assert_string_equal(dump("until false\ndo\n  a\ndone"), "(until (list [false]) (list [a]))");

    s = parse("case \"$x\" in\n a|b) echo a;;\n (*) echo other ;;\nesac");
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s), "(case $x (a|b (list [echo a])) (* (list [echo other])))");
    assert_int_equal(s->cmds[0].ctx, SH_IN_BRANCH);
    assert_string_equal(dump("case x in esac"), "(case x)");
    assert_string_equal(dump("case x in a) ;; b) c ;& esac"), "(case x (a (list)) (b (list [c])))");

    assert_string_equal(dump("(cd /x && make) && { echo a; echo b; } >log"),
                        "(&& (sub (list (&& [cd /x] && [make]))) && "
                        "(group (list [echo a] ; [echo b])) >log)");
    s = parse("f() { echo hi; }; f");
    assert_string_equal(dump_script(s), "(list (fn f (group (list [echo hi]))) ; [f])");
    assert_int_equal(s->cmds[0].ctx, SH_IN_FUNCTION | SH_IN_GROUP);
    s = parse("function g { ls; }");
    assert_true(s->bash);
    assert_string_equal(dump_script(s), "(fn g (group (list [ls])))");
    assert_true(has_problem(parse("f() echo hi"), "compound command"));

    s = parse("[[ -f x && $y =~ ^(a|b)$ ]] && echo yes");
    assert_true(s->bash);
    assert_int_equal(s->n_problems, 0);
    assert_int_equal(s->n_cmds, 2);
    assert_int_equal(s->root->kids[0]->kids[0]->argc, 8);
    assert_string_equal(s->root->kids[0]->kids[0]->argv[6].value.ptr, "^(a|b)$");
    s = parse("(( i++ )) && for ((i=0; i<3; i++)); do echo $i; done");
    assert_true(s->bash);
    assert_int_equal(s->n_problems, 0);
    assert_string_equal(dump_script(s),
                        "(&& ((  i++  )) && (for : i=0; i<3; i++ (list [echo $i])))");
    /* Reserved words are only reserved in command position. */
    assert_string_equal(dump("echo if then fi done }"), "[echo if then fi done }]");
    assert_string_equal(dump("{echo,a}"), "[{echo,a}]");
}

static void test_visit_ops_and_ctx(void **state)
{
    (void)state;
    const struct sh_script *s = parse("a && (b; c) | d & e\nf || if g; then h; fi");
    const char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
    enum sh_op ops[] = { SH_OP_NONE,       SH_OP_AND,     SH_OP_SEMI, SH_OP_PIPE,
                         SH_OP_BACKGROUND, SH_OP_NEWLINE, SH_OP_OR,   SH_OP_NONE };
    assert_int_equal(s->n_cmds, 8);
    for (int k = 0; k < 8; k++) {
        assert_true(sh_call_is(&s->cmds[k].call, names[k]));
        assert_int_equal(s->cmds[k].op, ops[k]);
    }
    assert_int_equal(s->cmds[0].ctx, SH_IN_BACKGROUND);
    assert_int_equal(s->cmds[1].ctx, SH_IN_SUBSHELL | SH_IN_PIPELINE | SH_IN_BACKGROUND);
    assert_int_equal(s->cmds[3].ctx, SH_IN_PIPELINE | SH_IN_BACKGROUND);
    assert_int_equal(s->cmds[4].ctx, 0);
    assert_int_equal(s->cmds[7].ctx, SH_IN_BRANCH);
}

static void test_pipeline_of(void **state)
{
    (void)state;
    uint32_t idx = 99;
    const struct sh_script *s = parse("set -e; curl -fsSL x | sudo sh && (a; b) | c");
    /* set, curl, sudo, sh (started by sudo), a, b, c */
    assert_int_equal(s->n_cmds, 7);
    const struct sh_node *pipe = sh_pipeline_of(s->cmds[1].call.node, &idx);
    assert_non_null(pipe);
    assert_int_equal(idx, 0);
    assert_true(sh_call_is(&s->cmds[3].call, "sh"));
    assert_ptr_equal(sh_pipeline_of(s->cmds[3].call.node, &idx), pipe);
    assert_int_equal(idx, 1);
    assert_ptr_equal(pipe->kids[1], s->cmds[3].call.node);
    assert_non_null(sh_pipeline_of(s->cmds[4].call.node, &idx));
    assert_int_equal(idx, 0);
    assert_null(sh_pipeline_of(s->cmds[0].call.node, &idx));
    s = parse("echo $(a | b) && x");
    assert_null(sh_pipeline_of(s->cmds[2].call.node, NULL));
    assert_non_null(sh_pipeline_of(s->cmds[0].call.node, NULL));
}

static void test_expansions_list(void **state)
{
    (void)state;
    const char *t = "FOO=$Z echo $A ${B:-$(cat $C)} \"$D\" 'x$E' <<EOF\n$F\nEOF\n"
                    "sh -c 'echo $G' && sh -c \"echo $H\" && x=$((I + $J))";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 0);
    uint32_t n = 0;
    const struct sh_expansion **e = sh_script_expansions(s, &A, &n);
    const char *names[] = { "Z", "A", "B", "", "C", "D", "F", "G", "H", "", "J" };
    assert_int_equal(n, 11);
    for (uint32_t k = 0; k < n; k++)
        assert_true(str_eq_cstr(e[k]->name, names[k]));
    assert_int_equal(e[3]->kind, SH_EXP_CMDSUBST);
    assert_int_equal(e[9]->kind, SH_EXP_ARITH);
    assert_span(e[7]->span, at(t, "$G", 0), at(t, "$G", 0) + 2);
    assert_span(e[8]->span, at(t, "$H", 0), at(t, "$H", 0) + 2);
    for (uint32_t k = 1; k < n; k++)
        assert_true(e[k - 1]->span.start <= e[k]->span.start);
    assert_null(sh_script_expansions(parse("echo a"), &A, &n));
    assert_int_equal(n, 0);
}

static void test_pipefail(void **state)
{
    (void)state;
    const struct sh_script *s = parse("set -o pipefail && curl x | sh");
    const struct sh_node *pipe = s->root->kids[0]->kids[1];
    assert_int_equal(pipe->kind, SH_PIPELINE);
    assert_true(sh_pipefail_before(s, pipe));
    s = parse("curl x | sh");
    assert_false(sh_pipefail_before(s, s->root->kids[0]));
    const char *on[] = { "set -eo pipefail; a | b", "set -euxo pipefail\na | b",
                         "set -o errexit -o pipefail; a | b", "{ set -o pipefail; }; a | b" };
    for (size_t k = 0; k < sizeof on / sizeof *on; k++) {
        s = parse(on[k]);
        assert_true(sh_pipefail_before(s, s->root->kids[s->root->n_kids - 1]));
    }
    const char *off[] = { "(set -o pipefail); a | b",
                          "a | b; set -o pipefail",
                          "set -o pipefail; set +o pipefail; a | b",
                          "x=$(set -o pipefail); a | b",
                          "set -e; a | b",
                          "f() { set -o pipefail; }; a | b" };
    for (size_t k = 0; k < sizeof off / sizeof *off; k++) {
        s = parse(off[k]);
        assert_false(sh_pipefail_before(s, s->root->kids[s->root->n_kids - 1]));
    }
    /* Inside the same subshell it counts. */
    s = parse("(set -o pipefail; a | b)");
    const struct sh_node *inner = s->root->kids[0]->kids[0]->kids[1];
    assert_int_equal(inner->kind, SH_PIPELINE);
    assert_true(sh_pipefail_before(s, inner));
    /* A sh -c script is a new shell: the outer set does not reach it. */
    s = parse("set -o pipefail; sh -c 'a | b'");
    const struct sh_node *np = s->root->kids[1]->nested->root->kids[0];
    assert_false(sh_pipefail_before(s, np));
    assert_true(sh_node_contains(s->root, np));
}

/* ------------------------------------------------------------ malformed */

static void test_malformed(void **state)
{
    (void)state;
    const char *t = "echo 'abc";
    const struct sh_script *s = parse(t);
    assert_int_equal(s->n_problems, 1);
    assert_string_equal(s->problems[0].msg, "unterminated single quote");
    assert_span(s->problems[0].span, 5, 9);
    assert_string_equal(s->root->kids[0]->argv[1].value.ptr, "abc");

    s = parse("echo \"abc");
    assert_true(has_problem(s, "unterminated double quote"));
    s = parse("echo $(ls -l && pwd");
    assert_true(has_problem(s, "unterminated command substitution: missing ')'"));
    assert_int_equal(s->n_cmds, 3); /* ls, pwd, echo: the partial tree */
    assert_int_equal(s->problems[0].span.start, 5);
    assert_true(has_problem(parse("echo `ls"), "unterminated backquote"));
    assert_true(has_problem(parse("echo ${x"), "missing '}'"));
    assert_true(has_problem(parse("echo $'x"), "unterminated $'...' string"));
    assert_true(has_problem(parse("if true; then echo"), "missing 'fi' to close 'if'"));
    assert_true(has_problem(parse("if true; echo; fi"), "missing 'then'"));
    assert_true(has_problem(parse("while true; echo"), "missing 'do'"));
    assert_true(has_problem(parse("for x in a; echo"), "missing 'do'"));
    assert_true(has_problem(parse("case x in a) echo"), "missing 'esac'"));
    assert_true(has_problem(parse("{ echo"), "missing '}'"));
    assert_true(has_problem(parse("(echo"), "missing ')'"));
    assert_true(has_problem(parse("[[ -f x"), "missing ']]'"));
    assert_true(has_problem(parse("a &&"), "missing the command after '&&'"));
    assert_true(has_problem(parse("a |"), "missing the command after '|'"));
    assert_true(has_problem(parse("echo >"), "missing the word after redirection '>'"));

    s = parse("echo a; fi; echo b ) ;; done");
    assert_int_equal(s->n_problems, 4);
    assert_string_equal(s->problems[0].msg, "syntax error near unexpected token 'fi'");
    assert_span(s->problems[0].span, 8, 10);
    assert_int_equal(s->n_cmds, 2);
    s = parse("&& ls");
    assert_string_equal(s->problems[0].msg, "syntax error near unexpected token '&&'");
    assert_int_equal(s->n_cmds, 1);
    s = parse("{ a; } b");
    assert_true(has_problem(s, "missing ';' or a newline before 'b'"));
    assert_int_equal(s->n_cmds, 2);
}

static void test_deep_nesting_is_capped(void **state)
{
    (void)state;
    const char *units[] = { "$(",   "`",   "(",      "{ ", "if ",        "${x:-",
                            "\"$(", "$((", "a=$(( ", "! ", "for x in $(" };
    size_t levels = 10000;
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t ul = strlen(units[u]);
        char *t = arena_alloc(&A, levels * ul + 1);
        for (size_t k = 0; k < levels; k++)
            memcpy(t + k * ul, units[u], ul);
        t[levels * ul] = '\0';
        const struct sh_script *s = sh_parse_range(t, 0, (uint32_t)(levels * ul), &A);
        /* 10000 backquotes are 5000 empty substitutions; `!` is a loop. */
        if (u == 1)
            assert_int_equal(s->n_problems, 0);
        else if (u == 9)
            assert_true(has_problem(s, "unexpected end of text"));
        else
            assert_true(has_problem(s, "nesting deeper than 64 levels"));
    }
    /* At the cap but not beyond it: no problem. */
    char t[64 * 3 + 64 * 2 + 1];
    size_t len = 0;
    for (int k = 0; k < 60; k++) {
        memcpy(t + len, "$(", 2);
        len += 2;
    }
    t[len++] = 'l';
    for (int k = 0; k < 60; k++)
        t[len++] = ')';
    t[len] = '\0';
    const struct sh_script *s = sh_parse_range(t, 0, (uint32_t)len, &A);
    assert_int_equal(s->n_problems, 0);
    /* Each $( … ) is the command word of the level around it. */
    assert_int_equal(s->n_cmds, 61);
    assert_true(sh_call_is(&s->cmds[0].call, "l"));
    assert_int_equal(s->cmds[0].depth, 60);
}

/* Every span of a tree lies inside the text's src range. */
static void check_spans(const struct sh_node *n, uint32_t lo, uint32_t hi);

static void check_word(const struct sh_word *w, uint32_t lo, uint32_t hi)
{
    assert_true(w->span.start >= lo && w->span.end <= hi && w->span.start <= w->span.end);
    assert_int_equal(w->value.ptr[w->value.len], '\0');
    for (size_t k = 0; k <= w->value.len; k++)
        assert_true(w->value_src[k] >= lo && w->value_src[k] <= hi);
    for (uint32_t k = 0; k < w->n_exps; k++)
        if (w->exps[k].body)
            check_spans(w->exps[k].body, lo, hi);
}

static void check_spans(const struct sh_node *n, uint32_t lo, uint32_t hi)
{
    assert_true(n->span.start >= lo && n->span.end <= hi && n->span.start <= n->span.end);
    for (uint32_t k = 0; k < n->n_kids; k++) {
        assert_ptr_equal(n->kids[k]->parent, n);
        check_spans(n->kids[k], lo, hi);
    }
    for (uint32_t k = 0; k < n->argc; k++)
        check_word(&n->argv[k], lo, hi);
    for (uint32_t k = 0; k < n->n_assigns; k++)
        check_word(&n->assigns[k], lo, hi);
    for (uint32_t k = 0; k < n->n_items; k++)
        check_word(&n->items[k], lo, hi);
    if (n->name)
        check_word(n->name, lo, hi);
    for (const struct sh_redir *r = n->redirs; r; r = r->next)
        check_word(&r->target, lo, hi);
    if (n->nested)
        check_spans(n->nested->root, lo, hi);
}

static void test_spans_stay_in_bounds(void **state)
{
    (void)state;
    const char *cases[] = {
        "",    "'",        "\"",       "\\",          "$",     "${",      "$(",
        "$((", "`",        "<(",       "<<",          "<<EOF", "a <<",    "2>",
        "&>",  "((",       "[[",       "case",        "for",   "for ((",  "function",
        "f(",  "a=(",      "$'\\",     "${#",         "$((1)", "`\\",     "echo \\\r",
        "}",   ";;",       "if; then", "case x in (", "sh -c", "sh -c '", "sh -c \"$(",
        "x\r", "echo a\\", "cat <<-",  "!",           "! !",   "{ }",     "( )",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        /* Put the text in the middle of a larger source. */
        char src[64];
        size_t len = strlen(cases[k]);
        memset(src, '#', sizeof src);
        memcpy(src + 10, cases[k], len);
        const struct sh_script *s = sh_parse_range(src, 10, (uint32_t)(10 + len), &A);
        check_spans(s->root, 10, (uint32_t)(10 + len));
        for (uint32_t p = 0; p < s->n_problems; p++) {
            assert_true(s->problems[p].span.start >= 10);
            assert_true(s->problems[p].span.end <= 10 + len);
        }
    }
}

static void test_linear_time(void **state)
{
    (void)state;
    /* About 1 MB of varied shell text parses quickly (no quadratic scans);
     * the unit test budget is one second with sanitizers on. */
    const char *unit = "apt-get install -y \"$(echo a)\" ${B:-c} $((1+2)) `x` 'q' <<E | f && "
                       "g || { h; } ; ( i ) ; $(( 3 ))\n body\nE\n";
    size_t ul = strlen(unit), reps = 8000;
    char *t = arena_alloc(&A, ul * reps + 1);
    for (size_t k = 0; k < reps; k++)
        memcpy(t + k * ul, unit, ul);
    t[ul * reps] = '\0';
    const struct sh_script *s = sh_parse_range(t, 0, (uint32_t)(ul * reps), &A);
    assert_int_equal(s->n_cmds, reps * 8);
    /* Many sibling `$((` that fail to close as arithmetic. */
    size_t n = 100000;
    char *u = arena_alloc(&A, n * 6 + 1);
    for (size_t k = 0; k < n; k++)
        memcpy(u + k * 6, "$(( )", 5), u[k * 6 + 5] = ' ';
    u[n * 6] = '\0';
    s = sh_parse_range(u, 0, (uint32_t)(n * 6), &A);
    assert_true(s->n_problems > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simple_words_and_spans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoting_and_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_word_value_span, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_continuation_in_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assignments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apt_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrappers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sh_c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heredoc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_substitutions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compound_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visit_ops_and_ctx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expansions_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_in_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipefail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting_is_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spans_stay_in_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
