/* The POSIX-shell reader for RUN bodies: it turns the shell text of a RUN
 * (continuation lines joined, or a heredoc body) into a syntax tree whose
 * every position is a byte offset in the Dockerfile, and answers the
 * questions rules ask of it: which commands run, in which order, joined by
 * what, with which flags and arguments.
 *
 * Reading never fails. Broken input (an unterminated quote, `$(` without
 * `)`, a heredoc without its delimiter line, nesting deeper than
 * SH_MAX_DEPTH) gives a partial tree plus a list of problems with spans.
 * Time is linear in the text (nesting is capped); everything is allocated
 * from the caller's arena and lives until that arena is released. Nothing
 * here mutates the source text.
 *
 * What is read: lists (`;`, newline, `&`), and-or lists (`&&`, `||`),
 * pipelines (`|`, `|&`, `!`), simple commands (assignments, words,
 * redirections, heredocs), subshells, groups, if/while/until/for/case,
 * function definitions, `$( )`, backticks, `$(( ))`, `${ }`, `$'…'` and
 * the bash forms `[[ ]]`, `(( ))`, `<( )`, `>( )`, `&>`, `<<<`, arrays
 * `a=(…)` (the bash forms set sh_script.bash). Commands inside `$( )`,
 * backticks and process substitutions are parsed as nested lists; the
 * argument of `sh -c` / `bash -c` (also behind wrappers) is parsed as a
 * nested script, one level deep; so are substitutions in the bodies of
 * heredocs with an unquoted delimiter. Not read: alias expansion, brace
 * and tilde expansion, `coproc`, bash `for … { }`; arithmetic is kept as
 * text (only the expansions inside it are read). */
#ifndef DW_ANALYZER_SHELL_H
#define DW_ANALYZER_SHELL_H

#include "common/span.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct arena;

/* The deepest nesting of compound commands, substitutions, `${ }` and
 * nested scripts that is read; deeper input stops the reading with a
 * problem ("nesting deeper than 64 levels"). */
#define SH_MAX_DEPTH 64

/* ------------------------------------------------------------------ input */

/* A byte range [start, end) of the source. */
struct sh_segment {
    uint32_t start, end;
};

/* The shell text is the concatenation of src[segs[i].start..segs[i].end)
 * in order: the model passes one segment per physical line of a continued
 * RUN (escape character, trailing blanks, line ending, comment and blank
 * lines already left out), or one segment for a heredoc body. A shell
 * heredoc (`RUN cat <<EOF > f`) is read the POSIX way, from the lines after
 * the command line, so pass its body with the newline before it and its
 * delimiter line: the segment that starts at the line ending of the
 * command's last line and ends after the delimiter line. Segments must lie
 * inside src; a segment with start > end is skipped. */
struct sh_input {
    const char *src;
    const struct sh_segment *segs;
    uint32_t n_segs;
};

/* ------------------------------------------------------------------ words */

enum sh_word_flag {
    SH_WORD_QUOTED = 1u << 0,    /* some part was quoted: '…', "…", $'…' or a backslash */
    SH_WORD_EXPANSION = 1u << 1, /* an unquoted $VAR, ${…}, $(…), `…`, $((…)) or <(…) */
    SH_WORD_QUOTED_EXPANSION = 1u << 2, /* an expansion inside double quotes */
    SH_WORD_GLOB = 1u << 3,             /* an unquoted *, ? or [ */
    SH_WORD_SUBST = 1u << 4,            /* a command or process substitution (quoted or not) */
};

enum sh_exp_kind {
    SH_EXP_PARAM,     /* $NAME, $1, $@, $?, … */
    SH_EXP_BRACE,     /* ${…} */
    SH_EXP_CMDSUBST,  /* $(…) */
    SH_EXP_BACKTICK,  /* `…` */
    SH_EXP_ARITH,     /* $((…)) */
    SH_EXP_PROCSUBST, /* <(…) or >(…) (bash) */
};

struct sh_node;

/* One expansion inside a word, in source order; expansions nested inside
 * `${…}` (`${X:-$(cmd)}`) follow their outer one. */
struct sh_expansion {
    enum sh_exp_kind kind;
    bool quoted;      /* inside double quotes */
    struct span span; /* from `$` (or the backquote, `<`) to the closing character */
    /* PARAM and BRACE: the parameter name ("HOME", "1", "@"; for `${#X}`,
     * `${X:-d}`, `${!X}` it is "X"), borrowed from sh_script.text; empty
     * when the braces hold no name. */
    struct str name;
    /* CMDSUBST, BACKTICK, PROCSUBST: the commands inside, an SH_LIST whose
     * parent is the node holding the word (role SH_ROLE_SUBST). NULL for
     * the other kinds. */
    struct sh_node *body;
};

/* A word: an argument, an assignment, a redirection target, a heredoc
 * delimiter, a for item or a case pattern. */
struct sh_word {
    /* From the word's first byte to its last byte in src; a word that
     * spans a joined continuation covers the bytes between as well. */
    struct span span;
    /* The word as written in the shell text (quotes kept, continuations
     * joined); borrowed from sh_script.text. */
    struct str raw;
    /* Quotes removed and escapes resolved ('a b' → a b, "x\"y" → x"y,
     * \  → space, $'\t' → tab); expansions are kept as written ("$HOME/x"
     * → $HOME/x). NUL-terminated, arena-owned. */
    struct str value;
    /* value.len + 1 src offsets: value_src[i] is where value byte i came
     * from; value_src[value.len] is span.end. */
    const uint32_t *value_src;
    struct sh_expansion *exps;
    /* flags beside n_exps: no padding, a word fills 64 bytes. */
    unsigned flags; /* enum sh_word_flag bits */
    uint32_t n_exps;
};

/* The name of an assignment word (`A` of `A=b`, `A+=b`) and its value
 * (`b`, quotes removed); empty slices when w is not an assignment. */
struct str sh_word_assign_name(const struct sh_word *w);
struct str sh_word_assign_value(const struct sh_word *w);
/* True when the value equals s (a NUL-terminated string). Inline: rules
 * ask it with literals, whose lengths the compiler then knows. */
static inline bool sh_word_is(const struct sh_word *w, const char *s)
{
    return str_eq_cstr(w->value, s);
}
/* The src span of value bytes [from, to) of w (clamped to the value):
 * where a flag's value or a package name inside a word really is. */
struct span sh_word_value_span(const struct sh_word *w, uint32_t from, uint32_t to);

/* --------------------------------------------------------- redirections */

enum sh_redir_kind {
    SH_REDIR_IN,             /* <  */
    SH_REDIR_OUT,            /* >  */
    SH_REDIR_APPEND,         /* >> */
    SH_REDIR_CLOBBER,        /* >| */
    SH_REDIR_READ_WRITE,     /* <> */
    SH_REDIR_DUP_IN,         /* <& */
    SH_REDIR_DUP_OUT,        /* >&, 2>&1 */
    SH_REDIR_OUT_ERR,        /* &>  (bash) */
    SH_REDIR_APPEND_OUT_ERR, /* &>> (bash) */
    SH_REDIR_HEREDOC,        /* << */
    SH_REDIR_HEREDOC_TABS,   /* <<- */
    SH_REDIR_HERESTRING,     /* <<< (bash) */
};

struct sh_redir {
    enum sh_redir_kind kind;
    int fd;           /* the number written before the operator, or -1 */
    struct span span; /* from the fd (or operator) to the end of the target */
    /* The file, the fd word ("1" of 2>&1, "-"), the here-string, or the
     * heredoc delimiter (value: the delimiter with quotes removed). */
    struct sh_word target;
    /* Heredocs only. */
    bool body_expands;     /* the delimiter was not quoted */
    bool body_terminated;  /* false: the text ended before the delimiter line */
    struct str body;       /* the body lines with their newlines (leading tabs
                            * kept for <<-), without the delimiter line;
                            * borrowed from sh_script.text */
    struct span body_span; /* the body in src */
    /* When body_expands: the expansions in the body ($VAR, ${…}, $(…),
     * backquotes; the commands of substitutions are visited). */
    struct sh_expansion *body_exps;
    uint32_t n_body_exps;
    struct sh_redir *next; /* the next redirection of the same command */
};

/* ------------------------------------------------------------------ nodes */

enum sh_node_kind {
    SH_LIST,      /* kids joined by `;`, newline or `&` */
    SH_AND_OR,    /* two or more kids joined by && / || */
    SH_PIPELINE,  /* two or more kids joined by | / |&, or one negated by ! */
    SH_SIMPLE,    /* assignments, argv, redirections */
    SH_SUBSHELL,  /* ( list ): kids[0] is the list */
    SH_GROUP,     /* { list; }: kids[0] is the list */
    SH_IF,        /* kids: cond, then, [cond, then]... (elif), [else] */
    SH_WHILE,     /* kids: cond, body */
    SH_UNTIL,     /* kids: cond, body */
    SH_FOR,       /* name, items (has_in), kids: body; also bash for ((;;)) */
    SH_CASE,      /* name is the subject; kids are SH_CASE_ITEMs */
    SH_CASE_ITEM, /* items are the patterns; kids[0] is the body list */
    SH_FUNCTION,  /* name; kids[0] is the body (a compound command) */
    SH_ARITH,     /* bash (( … )); only its span */
};

/* What a node is to its parent. */
enum sh_role {
    SH_ROLE_NONE,      /* an element of a list, and-or list or pipeline */
    SH_ROLE_ROOT,      /* the root list of a script */
    SH_ROLE_COND,      /* condition of if/elif/while/until */
    SH_ROLE_THEN,      /* then-branch of if/elif */
    SH_ROLE_ELSE,      /* else-branch */
    SH_ROLE_BODY,      /* body of a subshell, group, loop, case item or function */
    SH_ROLE_CASE_ITEM, /* an item of a case */
    SH_ROLE_SUBST,     /* commands inside a $( ), backticks or <( ) of a word */
    SH_ROLE_SH_C,      /* the root of a `sh -c` script; parent is the sh command */
};

/* What joins a node (or a visited command) to the one before it. */
enum sh_op {
    SH_OP_NONE,       /* nothing: first of its list, or a boundary (see sh_visit) */
    SH_OP_SEMI,       /* ; */
    SH_OP_NEWLINE,    /* newline */
    SH_OP_BACKGROUND, /* & (the previous one runs in the background) */
    SH_OP_AND,        /* && */
    SH_OP_OR,         /* || */
    SH_OP_PIPE,       /* | */
    SH_OP_PIPE_ERR,   /* |& (bash) */
    SH_OP_WRAPPER,    /* started by the wrapper visited just before (sudo x) */
};

struct sh_script;

struct sh_node {
    enum sh_node_kind kind;
    enum sh_role role;
    enum sh_op op;          /* in a LIST, AND_OR or PIPELINE: the operator before
                             * this kid; SH_OP_NONE for the first kid */
    bool background;        /* ended by & */
    bool negated;           /* SH_PIPELINE: starts with ! */
    bool has_in;            /* SH_FOR: an `in` word list was written */
    struct span span;       /* first to last byte in src */
    struct sh_node *parent; /* NULL only for the root of the top script */
    struct sh_node **kids;
    uint32_t n_kids;
    /* SH_SIMPLE */
    struct sh_word *assigns; /* A=b words before the command word */
    uint32_t n_assigns;
    struct sh_word *argv; /* argv[0] is the command word; argc may be 0 */
    uint32_t argc;
    /* The commands this simple command runs, as indexes into argv: runs[0]
     * is 0, and each wrapper (env, sudo, xargs, nice, nohup, time,
     * timeout, command, exec, stdbuf) adds the index of the command it
     * starts: `sudo -u x env A=1 apt-get update` has runs 0, 3, 5.
     * n_runs is 0 when argc is 0. */
    const uint32_t *runs;
    uint32_t n_runs;
    /* The script given to `sh -c`, `bash -c` … (after the last wrapper),
     * read one level deep; NULL otherwise. */
    struct sh_script *nested;
    /* Every command kind: redirections in source order (for compound
     * commands those written after the closing word). */
    struct sh_redir *redirs;
    /* SH_FOR: the variable; SH_CASE: the subject; SH_FUNCTION: the name. */
    struct sh_word *name;
    /* SH_FOR: the words after `in`; SH_CASE_ITEM: the patterns. */
    struct sh_word *items;
    uint32_t n_items;
};

/* A syntax problem of the text: what failed, where (src span). */
struct sh_problem {
    struct span span;
    const char *msg; /* git style: lowercase, no final period */
};

/* --------------------------------------------------------------- commands */

/* A command as run: argv[0] is the program. For a wrapped command it is a
 * suffix of the simple command's argv (node->argv + node->runs[k]). */
struct sh_call {
    const struct sh_node *node; /* the SH_SIMPLE node */
    const struct sh_word *argv;
    uint32_t argc; /* at least 1 */
};

/* Where a visited command sits (bits of sh_visit.ctx). */
enum sh_ctx {
    SH_IN_SUBSHELL = 1u << 0,   /* inside ( ) */
    SH_IN_GROUP = 1u << 1,      /* inside { } */
    SH_IN_SUBST = 1u << 2,      /* inside $( ), backticks or <( ) */
    SH_IN_CONDITION = 1u << 3,  /* in the condition of if/elif/while/until */
    SH_IN_BRANCH = 1u << 4,     /* in a then/else branch or a case item */
    SH_IN_LOOP = 1u << 5,       /* in the body of while/until/for */
    SH_IN_FUNCTION = 1u << 6,   /* in a function body (runs only when called) */
    SH_IN_SH_C = 1u << 7,       /* in the script of a `sh -c` */
    SH_IN_PIPELINE = 1u << 8,   /* an element of a pipeline of two or more */
    SH_IN_BACKGROUND = 1u << 9, /* it, or a list around it, ends with & */
};

/* One command run, in execution order (see sh_script.cmds). */
struct sh_visit {
    struct sh_call call;
    /* The operator written before the command: its own when it is not the
     * first of its list, and-or list or pipeline, else that of the
     * enclosing one, looking through subshells, groups and the first
     * condition of if/while/until. SH_OP_NONE at the start of the script,
     * of a branch or loop body, a case item, a function body, a
     * substitution or a `sh -c` script. SH_OP_WRAPPER for a command started
     * by a wrapper. */
    enum sh_op op;
    unsigned ctx;   /* enum sh_ctx bits */
    uint32_t depth; /* enclosing compound commands, substitutions and nested scripts */
    uint32_t wrap;  /* k: call is node->argv + node->runs[k] */
    const struct sh_script *script; /* the (top or sh -c) script holding the command */
};

/* ----------------------------------------------------------------- script */

struct sh_script {
    /* The logical text (segments concatenated, or the `sh -c` argument's
     * value), NUL-terminated, and for each of its len bytes the src offset
     * it came from; src_pos[len] is the end of the last segment. */
    const char *text;
    uint32_t len;
    const uint32_t *src_pos;
    struct sh_node *root; /* an SH_LIST, never NULL (maybe without kids) */
    /* For a `sh -c` script: the shell command whose argument it is. */
    const struct sh_node *owner;
    /* For a `sh -c` script: the shell was started with -o pipefail. */
    bool pipefail_at_start;
    /* Bash-only syntax was seen ([[ ]], (( )), <( ), $'…', &>, |&, <<<,
     * arrays, `function`, ${x/…}, ${x:1}, …); bash_span is the first. */
    bool bash;
    struct span bash_span;
    /* Top script only (sh -c scripts leave these empty; their problems and
     * commands are in the top script's lists). At most 256 problems are
     * kept, in the order they were found. */
    struct sh_problem *problems;
    uint32_t n_problems;
    /* Every command with a program word, in execution order: the commands
     * of substitutions in a command's words come before it, a wrapper
     * before the command it starts, a `sh -c` script's commands after the
     * shell command. Function bodies are listed where they are defined
     * (ctx has SH_IN_FUNCTION). */
    struct sh_visit *cmds;
    uint32_t n_cmds;
    /* The same list as pointers (cmd_refs[i] is &cmds[i]; NULL when n_cmds
     * is 0), made once with it: callers that hand out one pointer list
     * over several scripts (pkgmgr's pm_run_cmds, asked by many rules per
     * RUN) return it as is when there is one script. */
    const struct sh_visit *const *cmd_refs;
};

/* Reads the shell text of in. Never NULL, never fails: problems are in the
 * result. Everything (the text copy, the tree, the lists) is allocated from
 * a and valid until it is released; in->src must stay valid as long as
 * spans are used. */
struct sh_script *sh_parse(const struct sh_input *in, struct arena *a);
/* sh_parse of the single segment src[start, end). */
struct sh_script *sh_parse_range(const char *src, uint32_t start, uint32_t end, struct arena *a);

/* -------------------------------------------------------- command queries */

/* The program name of a call: argv[0]'s value after the last '/'
 * ("/usr/bin/apt-get" → "apt-get"). Inline: rules ask it of every
 * command, most of which have no '/' (one forward memchr then). */
static inline struct str sh_call_name(const struct sh_call *c)
{
    struct str v = c->argv[0].value;
    if (!v.len || !memchr(v.ptr, '/', v.len))
        return v;
    size_t k = v.len;
    while (k > 0 && v.ptr[k - 1] != '/')
        k--;
    return str_make(v.ptr + k, v.len - k);
}
/* True when sh_call_name(c) equals name. Inline: rules ask it of every
 * command for many literal names, whose lengths the compiler then knows.
 * It compares the tail first, without finding the basename; a name with
 * a '/' never equals a basename. */
static inline bool sh_call_is(const struct sh_call *c, const char *name)
{
    struct str v = c->argv[0].value;
    size_t n = strlen(name);
    if (n > v.len || (n < v.len && v.ptr[v.len - n - 1] != '/'))
        return false;
    return memcmp(v.ptr + v.len - n, name, n) == 0 && !memchr(name, '/', n);
}

/* Which flags of a tool take a value; the per-tool tables are the rules'.
 * A short flag listed in short_values takes the rest of its word (`-oX`)
 * or, when it ends the word, the next word (`-o X`); a long flag listed in
 * long_values (names without "--") takes the next word when written
 * without '=' (`--target x`). `--name=value` always carries its value. A
 * NULL spec means no flag takes a value. */
struct sh_flag_spec {
    const char *short_values;       /* e.g. "ot"; NULL for none */
    const char *const *long_values; /* NULL-terminated; NULL for none */
    bool stop_at_operand;           /* the first operand ends the flags (sh, env) */
};

enum sh_arg_kind {
    SH_ARG_OPERAND, /* not a flag (also everything after `--`) */
    SH_ARG_SHORT,   /* -x, -xyz, -oVALUE */
    SH_ARG_LONG,    /* --name, --name=value */
    SH_ARG_END,     /* the word `--` */
};

struct sh_arg {
    enum sh_arg_kind kind;
    uint32_t index; /* of the word in call->argv */
    /* SHORT: the flag letters up to and including the one taking a value
     * ("qy" of -qy, "o" of -oX); LONG: the name without "--" and without
     * "=value"; OPERAND: the whole value. Slices of the word's value. */
    struct str name;
    bool has_value;
    struct str value;     /* the value of the flag (a slice of a word's value) */
    uint32_t value_index; /* the word holding the value (index or index + 1) */
};

struct sh_arg_iter {
    const struct sh_call *call;
    const struct sh_flag_spec *spec;
    uint32_t i;
    bool flags_done;
};

/* Iterates over call->argv[from..]: sh_arg_next fills *out and returns true
 * until the words are used up. The words a flag takes as its value are
 * not returned on their own. */
void sh_arg_iter_init(struct sh_arg_iter *it, const struct sh_call *c, uint32_t from,
                      const struct sh_flag_spec *spec);
/* sh_arg_next for a word that starts with '-' while flags are read: not
 * for callers (use sh_arg_next). */
bool sh_arg_next_flag(struct sh_arg_iter *it, struct sh_arg *out);
/* Inline: rules walk the words of every command with it, and most words
 * are operands, answered here. */
static inline bool sh_arg_next(struct sh_arg_iter *it, struct sh_arg *out)
{
    const struct sh_call *c = it->call;
    uint32_t i = it->i;
    if (i >= c->argc)
        return false;
    struct str v = c->argv[i].value;
    if (!it->flags_done && v.len >= 2 && v.ptr[0] == '-')
        return sh_arg_next_flag(it, out);
    it->i = i + 1;
    *out = (struct sh_arg){ .kind = SH_ARG_OPERAND, .index = i, .name = v, .value_index = i };
    if (it->spec && it->spec->stop_at_operand)
        it->flags_done = true;
    return true;
}

/* True when call has the short flag `-c`, alone or in a cluster (`-y` in
 * `-qy`, but not after a letter that takes a value: `-oy` is -o with "y"). */
bool sh_call_has_short(const struct sh_call *c, char flag, const struct sh_flag_spec *spec);
/* True when call has `--name` or `--name=…`. */
bool sh_call_has_long(const struct sh_call *c, const char *name, const struct sh_flag_spec *spec);
/* Finds the first occurrence of the short flag (0 for none) or the long flag
 * (NULL for none); fills *out (its value, if any) and returns true. */
bool sh_call_find_flag(const struct sh_call *c, char short_flag, const char *long_name,
                       const struct sh_flag_spec *spec, struct sh_arg *out);
/* The k-th operand (0-based, flags and their values skipped) or NULL:
 * for `apt-get install -y curl=1.2 wget`, operand 0 is install, 1 is
 * curl=1.2, 2 is wget. */
const struct sh_word *sh_call_operand(const struct sh_call *c, uint32_t k,
                                      const struct sh_flag_spec *spec);
/* All operands from the k-th on, as an arena array of *n pointers into
 * call->argv (NULL when *n is 0). */
const struct sh_word **sh_call_operands(const struct sh_call *c, uint32_t k,
                                        const struct sh_flag_spec *spec, struct arena *a,
                                        uint32_t *n);

/* --------------------------------------------------------- script queries */

/* The script that holds node (top is the script sh_parse returned, node a
 * node of its tree or of a sh -c script in it). */
const struct sh_script *sh_script_of(const struct sh_script *top, const struct sh_node *node);
/* True when `pipefail` is on when node (a pipeline or any node) starts:
 * `set -o pipefail` (`set -eo pipefail`, `set -euxo pipefail`, …) ran
 * before it in the same shell (not in a subshell, substitution, pipeline
 * element or background job it is not part of) and no `set +o pipefail`
 * after that, or a `sh -c` script's shell was started with -o pipefail.
 * Linear in the number of commands of the script. */
bool sh_pipefail_before(const struct sh_script *top, const struct sh_node *node);
/* The pipeline of two or more commands that node is an element of, or is
 * inside an element of (`(a; b) | c`), with *index set to that element's
 * position; NULL when there is none up to the enclosing substitution or
 * script. For `curl … | sh`, the sh command's pipeline at index 1. */
const struct sh_node *sh_pipeline_of(const struct sh_node *node, uint32_t *index);
/* Every expansion of the script in src order: in words, heredoc bodies,
 * substitutions and the `sh -c` script (an expansion inside a double-quoted
 * `sh -c "…$X…"` argument is listed once; bare names inside `$(( ))`
 * are not expansions here). An arena array of *n pointers
 * into the tree; NULL when *n is 0. For DW102-style questions: which
 * variables does this RUN read. */
const struct sh_expansion **sh_script_expansions(const struct sh_script *top, struct arena *a,
                                                 uint32_t *n);
/* True when anc is node or one of its ancestors (through sh -c owners). */
bool sh_node_contains(const struct sh_node *anc, const struct sh_node *node);

#endif
