/* Private to analyzer/model*.c: the state of one model build (one walk of
 * the syntax tree with a TSTreeCursor), the node types the model reads, and
 * the helpers the model files share. Nothing outside the model includes
 * this header. */
#ifndef DW_ANALYZER_MODEL_INT_H
#define DW_ANALYZER_MODEL_INT_H

#include "analyzer/model.h"
#include "common/buf.h"
#include "common/vec.h"

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* The node types the model reads. The language's symbols are mapped to
 * these once per build, so the walk compares small integers, never type
 * names. The instruction symbols come first, in enum df_kind order. */
enum mb_sym {
    S_FROM_I,
    S_RUN_I,
    S_CMD_I,
    S_LABEL_I,
    S_MAINTAINER_I,
    S_EXPOSE_I,
    S_ENV_I,
    S_ADD_I,
    S_COPY_I,
    S_ENTRYPOINT_I,
    S_VOLUME_I,
    S_USER_I,
    S_WORKDIR_I,
    S_ARG_I,
    S_ONBUILD_I,
    S_STOPSIGNAL_I,
    S_HEALTHCHECK_I,
    S_SHELL_I,
    S_UNKNOWN_I,
    /* Keyword tokens (anonymous), same order. */
    S_KW_FROM,
    S_KW_RUN,
    S_KW_CMD,
    S_KW_LABEL,
    S_KW_MAINTAINER,
    S_KW_EXPOSE,
    S_KW_ENV,
    S_KW_ADD,
    S_KW_COPY,
    S_KW_ENTRYPOINT,
    S_KW_VOLUME,
    S_KW_USER,
    S_KW_WORKDIR,
    S_KW_ARG,
    S_KW_ONBUILD,
    S_KW_STOPSIGNAL,
    S_KW_HEALTHCHECK,
    S_KW_SHELL,
    S_KW_AS,
    S_KW_NONE,
    /* Named nodes. */
    S_ERROR,
    S_PARSER_DIRECTIVE,
    S_DIRECTIVE_NAME,
    S_DIRECTIVE_VALUE,
    S_COMMENT,
    S_LINE_CONTINUATION,
    S_FLAG,
    S_FLAG_NAME,
    S_FLAG_VALUE,
    S_MOUNT_OPTIONS,
    S_MOUNT_OPTION,
    S_MOUNT_KEY,
    S_MOUNT_VALUE,
    S_IMAGE_SPEC,
    S_IMAGE_ALIAS,
    S_SHELL_COMMAND,
    S_SHELL_FRAGMENT,
    S_HEREDOC_MARKER,
    S_HEREDOC_BLOCK,
    S_HEREDOC_BODY,
    S_HEREDOC_END,
    S_JSON_ARRAY,
    S_JSON_STRING,
    S_JSON_ESCAPE,
    S_TEXT,
    S_PATH,
    S_EXPOSE_PORT,
    S_ENV_PAIR,
    S_LABEL_PAIR,
    S_ARG_PAIR,
    S_KEY,
    S_VALUE,
    S_LEGACY_VALUE,
    S_USER_NAME,
    S_USER_GROUP,
    S_SIGNAL,
    S_MAINTAINER_TEXT,
    S_INSTRUCTION_NAME,
    S_ARGUMENTS,
    S_EXPANSION,
    S_SIMPLE_EXPANSION,
    S_VARIABLE,
    S_DQ_STRING,
    S_SQ_STRING,
    S_ESCAPE_SEQUENCE,
    /* Punctuation tokens (anonymous). */
    S_T_LBRACKET,
    S_T_RBRACKET,
    S_T_EQ,
    S_T_COLON,
    S_T_COMMA,
    S_T_DQUOTE,
    S_T_SQUOTE,
    S_T_RBRACE,
    S_T_DOLLAR_BRACE,
    S_T_DASHDASH,
    S_OTHER, /* anything else */
    S_COUNT
};

/* One child of a node, as the cursor saw it. */
struct mb_kid {
    TSNode node;
    uint32_t start, end;
    uint16_t sym; /* enum mb_sym */
    bool missing;
    /* Its own children when the scan of the instruction already read them
     * (index in b->kids and count), else kids == MB_NO_KIDS. */
    uint32_t kids, n_kids;
};
#define MB_NO_KIDS UINT32_MAX

/* An ERROR or MISSING node met while scanning an instruction, with its
 * parent (for the message). */
struct mb_errnode {
    struct mb_kid k;
    TSNode parent;
    uint16_t parent_sym;
};

/* A pragma waiting for the instruction it covers. */
struct mb_pending {
    uint32_t pragma; /* index in mb.pragmas */
};

/* The state of one build. Temporary vectors are used as stacks: a function
 * remembers their length on entry and restores it when it has copied what
 * it pushed into the arena, so nested instructions (ONBUILD triggers) can
 * reuse them. */
struct mb {
    struct df_file *f;
    struct arena *a;
    const char *src;
    uint32_t len;
    int escape;
    const struct df_build_opts *opts;

    uint8_t *symmap; /* language symbol -> enum mb_sym */
    uint32_t n_sym;

    TSTreeCursor walk_cur; /* the walk over the root's children */
    TSTreeCursor cur;      /* scratch cursor for mb_kids */
    VEC(struct mb_kid) kids;
    /* b->kids below this index hold the children the scan of the current
     * instruction read; mb_kids_pop leaves them for the instruction's
     * build to reuse. */
    uint32_t kids_floor;

    /* Model-wide results, in file order. */
    VEC(struct span) dropped;
    VEC(struct span) comments;
    VEC(struct df_syntax_error) errors;
    VEC(struct df_instr *) top;
    VEC(struct df_instr *) all;
    VEC(struct df_directive) directives;
    /* Keys seen so far (syntax, escape, check, other), for duplicates. */
    bool directive_seen[4];
    VEC(struct df_pragma) pragmas;
    VEC(struct df_stage) stages;
    VEC(struct df_stage_edge) edges;

    /* First index in dropped of the instruction being built. */
    uint32_t drop_base;

    /* Stacks for building one instruction. */
    VEC(struct df_flag) flags;
    VEC(struct df_mount_opt) mopts;
    VEC(struct df_text) texts; /* args */
    VEC(struct df_text) exec;  /* JSON strings */
    VEC(struct df_text) names; /* pragma names */
    VEC(struct df_pair) pairs;
    VEC(struct df_heredoc) heredocs;
    VEC(struct sh_segment) segs;
    VEC(struct mb_errnode) errs; /* ERROR/MISSING nodes of the instruction */

    /* Pragma placement. */
    VEC(uint32_t) pend_next; /* dockwright/hadolint NEXT and STAGE pragmas */
    int32_t block_check;     /* the first `# check=` of the comment block, or -1 */
    int32_t cur_stage;       /* the stage instructions go to, -1 before FROM */
    bool header_open;        /* in the comment lines below a `#!` first line */

    /* Set when ts_node_has_error said the tree has errors anywhere. */
    bool tree_has_error;
};

/* Children of node pushed on b->kids; returns the index of the first and
 * sets *n. Pop them with mb_kids_pop(b, base). Extras (continuations,
 * comments) are included. */
uint32_t mb_kids(struct mb *b, TSNode node, uint32_t *n);
/* The children of kid k: those the instruction's scan read already, else
 * pushed by mb_kids. Pop them with mb_kids_pop(b, base) all the same. */
static inline uint32_t mb_kids_of(struct mb *b, struct mb_kid k, uint32_t *n)
{
    if (k.kids != MB_NO_KIDS) {
        *n = k.n_kids;
        return k.kids;
    }
    return mb_kids(b, k.node, n);
}
static inline void mb_kids_pop(struct mb *b, uint32_t base)
{
    if (base >= b->kids_floor)
        b->kids.len = base;
}
static inline struct mb_kid mb_kid_at(const struct mb *b, uint32_t i)
{
    return b->kids.items[i];
}
/* The mb_sym of a node. */
uint16_t mb_sym_of(const struct mb *b, TSNode n);

/* The logical text of src[start, end): the dropped ranges of the current
 * instruction (continuations, comment lines) left out. A slice of src when
 * nothing is dropped inside, else a copy in the arena. */
struct df_text mb_text(struct mb *b, uint32_t start, uint32_t end);
/* Pieces of [start, end) that survive the dropped ranges, appended to
 * b->segs (empty pieces skipped). */
void mb_pieces(struct mb *b, uint32_t start, uint32_t end);

/* Copies n items of size sz into the arena (NULL when n is 0). */
void *mb_dup(struct mb *b, const void *items, size_t n, size_t sz);

/* Adds a syntax error. */
void mb_error(struct mb *b, struct span span, enum df_syntax_kind kind, const struct df_instr *in,
              const char *fmt, ...) DW_PRINTF(5, 6);

/* model_instr.c: builds an instruction from an instruction node (or an
 * ERROR node that starts with a keyword, kind given). */
struct df_instr *mb_instr(struct mb *b, TSNode node, enum df_kind kind, bool from_error,
                          const struct df_instr *parent);
/* model_instr.c: a json_string node decoded (raw) with its literal span. */
struct df_text mb_json_string(struct mb *b, struct mb_kid str);
/* model_instr.c: the keyword kind of a keyword symbol, or -1. */
int mb_keyword_kind(uint16_t sym);

/* model_error.c: messages for the ERROR and MISSING nodes collected in
 * b->errs while building instruction in (NULL at top level). */
void mb_report_errors(struct mb *b, struct df_instr *in, uint32_t errs_base);
/* model_error.c: an instruction built from an ERROR node that starts with
 * its keyword: what is missing or unexpected. */
void mb_report_keyword_error(struct mb *b, struct df_instr *in, TSNode node);
/* model_error.c: the part of an ERROR node from byte `from` on, next to
 * instruction prev on its line. */
void mb_report_trailing_error(struct mb *b, struct df_instr *prev, TSNode err, uint32_t from);
/* model_error.c: text [from, to) at top level that belongs to no
 * instruction. */
void mb_report_stray_error(struct mb *b, uint32_t from, uint32_t to);
/* model_error.c: physical lines over BuildKit's limit. */
void mb_check_lines(struct mb *b);
/* A human name for what a kind expects as arguments ("an image"). */
const char *mb_expected_args(enum df_kind kind);

/* model_image.c: splits an image reference (already expanded). */
void df_image_parse(struct df_image_ref *ref, struct str s);

/* model_pragma.c */
void mb_directive(struct mb *b, TSNode node);
void mb_comment(struct mb *b, TSNode node, uint32_t next_start);
void mb_pragmas_before_instr(struct mb *b, struct df_instr *in);
void mb_pragmas_finish(struct mb *b);
/* Parses a `check=` value at [start, end) of src into names of a pragma. */
void mb_check_pragma(struct mb *b, uint32_t start, uint32_t end, enum df_pragma_scope scope,
                     struct span comment, const struct df_instr *target);

/* model_scope.c: the global scope (predefined ARGs, build args, global
 * ARGs), computed once the target stage is known. */
void mb_scope_global(struct mb *b);
/* model_scope.c: FROM image expansion with the global scope, and the
 * image reference split. */
void mb_expand_from(struct mb *b, struct df_instr *in);
/* model_scope.c: the variables of every stage (needs base stages). */
void mb_scope_stages(struct mb *b);

/* model_instr.c: removes BuildKit's flag-word quoting (quotes group, the escape char
 * escapes) from s into arena memory. */
struct str mb_flag_unquote(struct arena *a, struct str s, int escape);

#endif
