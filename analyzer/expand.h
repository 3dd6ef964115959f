/* BuildKit-exact variable expansion of one Dockerfile word (the shell lexer
 * of BuildKit's frontend/dockerfile/shell, spec dockerfile.md section 10):
 * quote processing, escapes, `$name`, `${name}` and every modifier
 * (`:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`) with its pattern
 * language, optional re-splitting into words, and the list of every variable
 * reference with its byte span, for rules (undefined variables) and the LSP
 * (go to definition).
 *
 * Which variables are visible (ARG/ENV scoping, the snapshot rule that every
 * substitution of one instruction sees the environment as it was before it)
 * is the caller's business: it answers lookups through struct exp_env. */
#ifndef DW_ANALYZER_EXPAND_H
#define DW_ANALYZER_EXPAND_H

#include "common/compiler.h"
#include "common/span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;

/* The environment: lookup(ctx, name, &value) returns true and sets *value
 * (borrowed; must stay valid until exp_word returns) when name is set, even
 * to the empty string; false when it is unset. Names are compared as given:
 * case folding (BuildKit folds on Windows only) is the callback's choice.
 * lookup may be NULL: then every variable is unset. */
struct exp_env {
    bool (*lookup)(void *ctx, struct str name, struct str *value);
    void *ctx;
};

/* Flags of struct exp_opts. */
enum {
    /* Also split the result into words the way BuildKit's ProcessWords does
     * (EXPOSE): after expansion, at Unicode white space that was neither
     * quoted nor escaped; text from `$` expansions is split too, quoted text
     * never; empty words are dropped. */
    EXP_SPLIT = 1u << 0,
    /* Quotes are ordinary characters (heredoc bodies of COPY/ADD with an
     * unquoted delimiter, dockerfile.md section 7): `$` expands and the
     * escape character escapes, but nothing is removed for being quoted.
     * BuildKit uses `\` there whatever the escape directive says, so pass
     * escape '\\' with this flag. */
    EXP_NO_QUOTES = 1u << 1,
};

struct exp_opts {
    char escape;    /* the escape directive's character: '\\' or '`' */
    unsigned flags; /* EXP_SPLIT, EXP_NO_QUOTES */
    size_t max_len; /* cap on the result and on any intermediate word;
                       0 means EXP_DEFAULT_MAX_LEN */
};

#define EXP_DEFAULT_MAX_LEN ((size_t)4 * 1024 * 1024)
/* Deepest nesting of `${a:-${b:-...}}` accepted (BuildKit has no limit;
 * we keep the C stack bounded). */
#define EXP_MAX_DEPTH 200

/* What a reference does to its variable. */
enum exp_modifier {
    EXP_MOD_NONE,             /* $v or ${v} */
    EXP_MOD_DEFAULT,          /* ${v-w}: w when v is unset */
    EXP_MOD_DEFAULT_NULL,     /* ${v:-w}: w when v is unset or empty */
    EXP_MOD_ALT,              /* ${v+w}: w when v is set */
    EXP_MOD_ALT_NULL,         /* ${v:+w}: w when v is set and not empty */
    EXP_MOD_ERROR,            /* ${v?w}: error when v is unset */
    EXP_MOD_ERROR_NULL,       /* ${v:?w}: error when v is unset or empty */
    EXP_MOD_TRIM_PREFIX,      /* ${v#p}: shortest matching prefix removed */
    EXP_MOD_TRIM_PREFIX_LONG, /* ${v##p} */
    EXP_MOD_TRIM_SUFFIX,      /* ${v%p}: shortest matching suffix removed */
    EXP_MOD_TRIM_SUFFIX_LONG, /* ${v%%p} */
    EXP_MOD_REPLACE,          /* ${v/p/r}: first match replaced */
    EXP_MOD_REPLACE_ALL,      /* ${v//p/r}: every match replaced */
    EXP_MOD_INVALID,          /* an unsupported modifier (the word failed) */
};

enum exp_ref_kind {
    EXP_REF_NAME,       /* letters, digits and `_`, not starting with a digit */
    EXP_REF_POSITIONAL, /* $1, ${10}: digits only */
    EXP_REF_SPECIAL,    /* $@ $* $# $? $- $$ $! $0 */
};

/* One variable reference. Every reference is looked up, including those in
 * a modifier's word whose value ends up unused (`${a:-$b}` looks up b even
 * when a is set), exactly as BuildKit does when it reports undefined
 * variables. */
struct exp_ref {
    struct str name;       /* borrowed from the input word */
    struct span span;      /* the whole `$name` or `${...}` */
    struct span name_span; /* the name alone */
    enum exp_ref_kind kind;
    enum exp_modifier mod;
    bool braced;    /* written ${...} */
    bool set;       /* the lookup found it (possibly empty) */
    uint32_t depth; /* 0 at top level, 1 inside another's word, ... */
};

struct exp_result {
    struct str value;  /* arena memory, NUL-terminated */
    struct str *words; /* EXP_SPLIT only: arena, each NUL-terminated */
    size_t n_words;
    struct exp_ref *refs; /* arena; in source order of their `$` */
    size_t n_refs;
};

/* Expands word[0, len), a slice of the Dockerfile whose first byte is at
 * source offset src_offset: every span reported (references, errors) is a
 * source span, i.e. offset in word + src_offset. A word must not span a line
 * continuation; a caller that joins lines maps offsets itself. opts NULL
 * means escape '\\', no flags, the default cap. On success fills *out from
 * arena a and returns 0.
 *
 * On failure returns ERR_SYNTAX (malformed substitution, quoting or
 * pattern), ERR_INVALID (`${v?msg}`/`${v:?msg}` on an unset or empty
 * variable) or ERR_TOO_LARGE (a result over max_len, nesting over
 * EXP_MAX_DEPTH, a pattern match over the work cap), with BuildKit's message
 * in err->msg (e.g. "syntax error: missing '}'", "syntax error: bad
 * substitution", "unsupported modifier (:=) in substitution", "syntax error:
 * missing '/' in ${}", "v: is not allowed to be unset") and err->span set to
 * the source bytes of the problem. BuildKit prefixes these with `failed to
 * process "<word>": `; that wrapping is the caller's. Even on failure
 * out->refs/n_refs hold the references read before the problem (value and
 * words are empty). */
DW_NODISCARD int exp_word(struct arena *a, const char *word, size_t len, uint32_t src_offset,
                          const struct exp_env *env, const struct exp_opts *opts,
                          struct exp_result *out, struct err *err);

/* The character classes BuildKit's lexer uses (Go's unicode package, Unicode
 * 15.0): letters and decimal digits may form names; white space splits words
 * in EXP_SPLIT mode. */
bool exp_is_letter(uint32_t cp);
bool exp_is_digit(uint32_t cp);
bool exp_is_space(uint32_t cp);

#endif
