/* The semantic model of one Dockerfile: what BuildKit would make of it,
 * built from the syntax tree and never from re-scanning text by hand.
 *
 *   struct df_file   one Dockerfile: its bytes, line index, syntax tree and
 *                    model, all in one arena (STYLE.md section 7)
 *   struct df_model  instructions with typed arguments, stages, the stage
 *                    graph, parser directives, inline pragmas
 *   df_lookup / df_expand   ARG/ENV scoping and BuildKit-exact expansion
 *                    with the values from before an instruction
 *
 * Positions are byte offsets into df_file.src (half-open spans); lines and
 * columns exist only through df_file_locate. Everything a function here
 * returns is borrowed from the df_file and valid until df_file_free, unless
 * said otherwise. Rules see the model only through const pointers. */
#ifndef DW_ANALYZER_MODEL_H
#define DW_ANALYZER_MODEL_H

#include "analyzer/expand.h"
#include "analyzer/shell.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"
#include "common/span.h"

#include <stdbool.h>
#include <stdint.h>

struct TSTree;

/* ------------------------------------------------------------ instructions */

enum df_kind {
    DF_FROM,
    DF_RUN,
    DF_CMD,
    DF_LABEL,
    DF_MAINTAINER,
    DF_EXPOSE,
    DF_ENV,
    DF_ADD,
    DF_COPY,
    DF_ENTRYPOINT,
    DF_VOLUME,
    DF_USER,
    DF_WORKDIR,
    DF_ARG,
    DF_ONBUILD,
    DF_STOPSIGNAL,
    DF_HEALTHCHECK,
    DF_SHELL,
    DF_UNKNOWN, /* an instruction name BuildKit does not know */
    DF_KIND_COUNT
};

/* Bit masks of kinds, for rules subscribing to instructions (rule.on). */
#define DF_ON(kind) (1u << (kind))
#define DF_ON_ALL ((1u << DF_KIND_COUNT) - 1u)

/* The upper-case keyword of a kind ("FROM"); "" for DF_UNKNOWN. */
const char *df_kind_name(enum df_kind kind);

/* A piece of source text: its raw bytes as written (the node's logical
 * text: continuations and comment lines inside it left out, so it may not
 * be a slice of src when it spans lines) and the span it covers in src. */
struct df_text {
    struct str raw;
    struct span span;
};

/* One `--mount` option: key[=value]. */
struct df_mount_opt {
    struct df_text key;
    struct df_text value; /* raw.ptr == NULL when there is no '=' */
};

/* A flag: --name[=value]. */
struct df_flag {
    struct df_text name;  /* without the leading "--" */
    struct df_text value; /* raw.ptr == NULL when there is no '='; "" for "--x=" */
    struct span span;     /* the whole flag, "--" included */
    /* --mount: its options; NULL/0 for other flags. */
    const struct df_mount_opt *mount;
    uint32_t n_mount;
};

/* An ENV/LABEL pair, or an ARG declaration. */
struct df_pair {
    struct df_text key;
    struct df_text value; /* raw.ptr == NULL: no '=' (ARG without default, legacy forms
                           * always have a value) */
    bool legacy;          /* `ENV key value` / `LABEL key value` */
    struct span span;
};

/* A heredoc of RUN/COPY/ADD. */
struct df_heredoc {
    struct str delimiter; /* with shell quoting removed */
    bool strip_tabs;      /* <<- */
    bool quoted;          /* some part of the delimiter was quoted: no expansion */
    struct span marker;   /* <<EOF as written */
    struct span body;     /* the body lines (empty span at the body start when empty) */
    struct span end;      /* the terminator line without its line ending (leading
                           * tabs included for <<-); empty at the body end when
                           * unterminated */
    bool terminated;
    /* RUN only: the body parsed as a script when a POSIX shell runs it (the
     * whole command is the marker and the body has no shebang or a
     * sh/bash/dash/ash one, or the body feeds the stdin of sh/bash/dash/ash
     * started without a script operand); NULL otherwise. */
    const struct sh_script *script;
};

/* An image reference split the way the distribution spec reads it. The
 * parts are slices of expanded (NULL when absent). */
struct df_image_ref {
    struct df_text text; /* as written (may hold variables) */
    struct str expanded; /* with global ARG defaults substituted (FROM); == raw when no
                          * variables */
    bool has_variables;
    bool valid;            /* expanded is a well-formed reference */
    struct str registry;   /* NULL when implicit (no "docker.io" is added) */
    struct str repository; /* as written: "alpine", not "library/alpine" */
    struct str tag;
    struct str digest;
    bool is_scratch;
};

enum df_form {
    DF_FORM_NONE,  /* no command (RUN with nothing after it, HEALTHCHECK NONE) */
    DF_FORM_SHELL, /* shell form */
    DF_FORM_EXEC,  /* JSON exec form */
};

struct df_instr {
    enum df_kind kind;
    uint32_t index;                /* in file order, from 0 (nested ONBUILD triggers too) */
    struct span span;              /* the whole instruction, heredoc bodies (and words the parser
                                    * could not place on its last line) included */
    struct span keyword;           /* the instruction name as written */
    int stage;                     /* index of the stage it belongs to; -1 before the first FROM */
    const struct df_instr *parent; /* the ONBUILD holding this trigger, else NULL */
    bool has_syntax_error;         /* an ERROR or MISSING node inside: arguments may be partial */

    const struct df_flag *flags;
    uint32_t n_flags;

    /* Command of RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD. COPY, ADD
     * and VOLUME in JSON form are DF_FORM_EXEC too (else DF_FORM_NONE). */
    enum df_form form;
    const struct df_text *exec; /* DF_FORM_EXEC: the decoded JSON strings (raw = decoded
                                 * value, span = the string literal with quotes) */
    uint32_t n_exec;
    bool exec_non_string; /* the JSON array holds a non-string element (BuildKit
                           * refuses it; exec holds its strings) */
    /* DF_FORM_SHELL: the shell text BuildKit hands to the shell, and the
     * segments of src it is made of (for shell_reader input and mapping). */
    struct df_text shell;
    const struct sh_segment *shell_segs;
    uint32_t n_shell_segs;
    /* The parsed shell script (RUN shell form, and RUN heredocs whose
     * interpreter is a POSIX shell); NULL otherwise. For `RUN <<EOF` (the
     * command is one marker) it is the body's script (heredocs[0].script);
     * for other RUN shell forms with heredocs it is the command line with
     * the bodies read as the shell reads them (BuildKit joins them with
     * newlines); for a plain shell form, the command text. */
    const struct sh_script *script;

    /* Blank-split words: FROM (image [AS name], AS as written), COPY/ADD/VOLUME
     * sources and destination (shell form, heredoc markers included as
     * written; exec form uses `exec`), EXPOSE entries. For
     * USER, WORKDIR, STOPSIGNAL, MAINTAINER: one word, the whole text. For
     * HEALTHCHECK: the type word (CMD or NONE). For DF_UNKNOWN: the rest of
     * the line as one word (if any). */
    const struct df_text *args;
    uint32_t n_args;

    const struct df_pair *pairs; /* ENV, LABEL, ARG */
    uint32_t n_pairs;

    const struct df_heredoc *heredocs;
    uint32_t n_heredocs;

    /* FROM */
    struct df_image_ref image;
    struct df_text stage_name; /* raw.ptr NULL when no AS */
    struct span as_keyword;

    /* ONBUILD */
    const struct df_instr *trigger;

    /* USER: the user and group parts of the one argument, split at the first
     * ':' outside quotes (raw.ptr NULL when absent; "" for `USER app:`). */
    struct df_text user, group;
};

/* ------------------------------------------------------------------ stages */

struct df_stage {
    uint32_t index;
    const struct df_instr *from;
    struct str name;                      /* lowercased stage name, or NULL */
    int base_stage;                       /* the in-file stage FROM names, else -1 */
    const struct df_instr *const *instrs; /* the stage's instructions after FROM */
    uint32_t n_instrs;
    bool is_target;      /* the target stage (the last one, or --target) */
    bool is_output;      /* the target or a stage it is built FROM (transitively) */
    bool reaches_target; /* built for the target at all (FROM, COPY --from,
                          * RUN --mount from=, transitively) */
};

/* A `COPY --from` / `RUN --mount from=` / `FROM` edge between stages: one
 * per FROM that names an earlier stage, one per COPY --from and per
 * `from=` of a RUN --mount (ONBUILD triggers excluded: they name stages of
 * a downstream build), in file order. */
struct df_stage_edge {
    uint32_t from_stage; /* the stage that uses */
    int to_stage;        /* the stage used, -1 when the reference is no stage */
    const struct df_instr *instr;
    struct df_text ref; /* the reference as written */
};

/* ---------------------------------------------------- directives, pragmas */

struct df_directive {
    struct df_text name; /* as written; keys compare case-insensitively */
    struct df_text value;
    bool duplicate; /* a second directive with the same key */
};

enum df_pragma_scope {
    DF_PRAGMA_NEXT,   /* the next instruction */
    DF_PRAGMA_STAGE,  /* the stage whose FROM follows */
    DF_PRAGMA_GLOBAL, /* the whole file */
};

enum df_pragma_origin { DF_PRAGMA_DOCKWRIGHT, DF_PRAGMA_HADOLINT, DF_PRAGMA_BUILDKIT };

/* One ignore pragma: the names it lists, as written. The engine resolves
 * the names against the rule registry and reports invalid ones. */
struct df_pragma {
    enum df_pragma_origin origin;
    enum df_pragma_scope scope;
    struct span span; /* the comment */
    const struct df_text *names;
    uint32_t n_names;
    const struct df_instr *target; /* NEXT: the instruction it covers; STAGE: the FROM;
                                    * NULL when nothing follows (an invalid pragma) */
};

/* What a syntax error is about, so that the rule that owns a more specific
 * diagnostic (DW005, DW012) can claim it and DW001 reports the rest. */
enum df_syntax_kind {
    DF_SYN_GENERIC,           /* any other ERROR or MISSING node */
    DF_SYN_MISSING_ARGUMENTS, /* an instruction without (enough) arguments */
    DF_SYN_EXTRA_ARGUMENTS,   /* unexpected words after the arguments (FROM a b c) */
    DF_SYN_UNCLOSED_QUOTE,    /* a quote or ${ without its closing character */
    DF_SYN_UNTERMINATED_HEREDOC,
    DF_SYN_JSON_NON_STRING,     /* a JSON array with a non-string element */
    DF_SYN_PAIR_WITHOUT_EQUALS, /* ENV/LABEL word without '=' (or legacy form without value) */
    DF_SYN_LINE_TOO_LONG,       /* a physical line over 65535 bytes */
};

/* A syntax problem found while building the model (ERROR/MISSING nodes,
 * unterminated heredocs, unclosed quotes in expanded words...). The
 * syntax rules report them. */
struct df_syntax_error {
    struct span span;
    const char *message; /* says what was expected, e.g. "expected a command after RUN" */
    enum df_syntax_kind kind;
    const struct df_instr *instr; /* the instruction it is in or after, or NULL */
};

struct df_model {
    int escape; /* '\\' or '`' */
    const struct df_directive *directives;
    uint32_t n_directives;
    const struct df_instr *const *instrs; /* top-level instructions in file order */
    uint32_t n_instrs;
    const struct df_stage *stages;
    uint32_t n_stages;
    const struct df_stage_edge *edges;
    uint32_t n_edges;
    int target_stage; /* -1 when the file has no stage */
    const struct df_pragma *pragmas;
    uint32_t n_pragmas;
    const struct df_syntax_error *syntax_errors;
    uint32_t n_syntax_errors;
    /* Comment lines as spans (pragmas are also comments), without their
     * line endings; comment lines inside continued instructions too. */
    const struct span *comments;
    uint32_t n_comments;
    /* Every instruction, ONBUILD triggers included: all_instrs[i]->index == i. */
    const struct df_instr *const *all_instrs;
    uint32_t n_all_instrs;
    /* The src ranges BuildKit's line parser drops inside instructions, sorted:
     * each line continuation (escape char, the blanks after it, the line
     * ending and the empty or blank lines that follow) and each comment line
     * inside a continued instruction (with the blanks before its '#' and the
     * blank lines after it). The logical text of a span is its src bytes
     * minus these. */
    const struct span *dropped;
    uint32_t n_dropped;
    /* `# dockwright shell=X` / `# hadolint shell=X`: the value (the last
     * one wins); raw.ptr NULL when absent. */
    struct df_text shell_pragma;
};

/* ------------------------------------------------------------------- file */

/* Build arguments and target, as `dockwright build` passes them; NULL
 * everywhere else (then ARG defaults apply and the last stage is the
 * target). */
struct df_build_opts {
    const char *target;            /* stage name, or NULL */
    const char *const *build_args; /* "NAME=value" strings, NULL-terminated */
    const char *platform;          /* "linux/amd64"; NULL: the host's */
    /* The Env of each stage's base image ("NAME=value" strings, NULL-
     * terminated), indexed by stage; NULL, a NULL entry or a stage FROM
     * another stage or scratch: none known. BuildKit seeds a stage's
     * environment with them, below its ARG and ENV: df_lookup finds them
     * as DF_VAR_BASE_IMAGE. Copied by df_file_new. */
    const char *const *const *base_env;
    uint32_t n_base_env;
};

struct df_scopes; /* model_scope.c: the variable tables behind df_lookup */

struct df_file {
    struct arena arena;
    const char *path; /* as given; "-" or the --stdin-filename for stdin */
    const char *src;  /* a copy of the bytes, NUL-terminated */
    uint32_t len;
    struct line_index lines;
    struct TSTree *tree; /* owned; freed by df_file_free */
    struct df_model model;
    /* Facts of the text that fixes must keep. */
    bool crlf;                        /* the file uses CRLF line endings */
    bool bom;                         /* starts with a UTF-8 byte-order mark */
    bool final_newline;               /* ends with a line ending */
    const struct df_build_opts *opts; /* a copy of the options given (arena), or NULL */
    const struct df_scopes *scopes;   /* private to the model */
};

/* Parses text (copied) and builds the model. Never fails on bad Dockerfile
 * content (that becomes syntax errors in the model); fails only with
 * ERR_TOO_LARGE (over 64 MiB, or a physical line over 65535 bytes is NOT a
 * failure: it is a syntax error) or when tree-sitter refuses the language
 * (ERR_INTERNAL). opts may be NULL. The result is owned by the caller. */
DW_NODISCARD struct df_file *df_file_new(const char *path, const char *text, size_t len,
                                         const struct df_build_opts *opts, struct err *err);
/* Frees the file, its tree and everything the model holds. */
void df_file_free(struct df_file *f);

/* 1-based line and byte column of offset. */
void df_file_locate(const struct df_file *f, uint32_t offset, uint32_t *line, uint32_t *col);

/* ------------------------------------------------------ variables, expansion */

enum df_var_origin {
    DF_VAR_UNSET,      /* declared by ARG without a value anywhere: set == false */
    DF_VAR_ARG,        /* an ARG of the stage (or an in-file parent stage) */
    DF_VAR_GLOBAL_ARG, /* a global ARG (only visible in FROM lines) */
    DF_VAR_ENV,        /* an ENV of the stage or an in-file parent */
    DF_VAR_PREDEFINED, /* TARGETPLATFORM, BUILDARCH, ... (global scope) */
    DF_VAR_BUILD_ARG,  /* from df_build_opts.build_args */
    DF_VAR_BASE_IMAGE, /* from the base image's config (when known to the caller) */
};

struct df_var {
    enum df_var_origin origin;
    bool declared; /* an ARG/ENV of that name is in scope (even without a value) */
    bool set;      /* it has a value (possibly empty) */
    struct str value;
    const struct df_instr *defined_at; /* the ARG/ENV instruction, or NULL */
    struct span def_span;              /* the name in that instruction */
};

/* Looks up name as BuildKit would when expanding instruction `at`: global
 * ARGs and the predefined platform ARGs for FROM lines (and instructions
 * before the first FROM); otherwise the stage's ARG and ENV from before
 * `at` (snapshot rule: an instruction sees the environment from before
 * it), inherited from in-file parent stages; build args give declared
 * ARGs their values (an undeclared build arg is not visible). ONBUILD
 * triggers look up as their ONBUILD; at NULL means the end of the global
 * scope. Returns whether the name is declared at all; *out is zeroed when
 * not. */
bool df_lookup(const struct df_file *f, const struct df_instr *at, struct str name,
               struct df_var *out);

/* Expands a word of instruction `at` (escape char of the file, environment
 * from before `at`): quotes removed, every reference reported in out (see
 * expand.h). flags are EXP_* of expand.h; with EXP_NO_QUOTES (COPY/ADD
 * heredoc bodies) the escape char is '\\' whatever the directive says, as
 * in BuildKit. word is a df_text of the model (or one built the same way:
 * raw is the logical text of span): reference and error spans are src
 * spans even when the word spans continuation lines; for a decoded JSON
 * string they point into its literal. The result lives in the file's
 * arena, so one file must not be expanded from two threads at once.
 * Returns 0 or the expansion error (message as BuildKit's, span, path,
 * line and column in err). */
DW_NODISCARD int df_expand(const struct df_file *f, const struct df_instr *at,
                           const struct df_text *word, unsigned flags, struct exp_result *out,
                           struct err *err);

/* The stage an instruction belongs to, or NULL. */
const struct df_stage *df_stage_of(const struct df_file *f, const struct df_instr *in);
/* The stage a name or index refers to from instruction `at` (case-insensitive
 * as COPY --from and --target compare; only earlier stages), or -1. */
int df_stage_lookup(const struct df_file *f, const struct df_instr *at, struct str ref);
/* The flag of an instruction by name, or NULL (the last one when repeated). */
const struct df_flag *df_instr_flag(const struct df_instr *in, const char *name);

#endif
