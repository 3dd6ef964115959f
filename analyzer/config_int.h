/* Private to analyzer/config*.c: the YAML tree the loader interprets, and
 * helpers shared by the reader, the key tables and the layers. */
#ifndef DW_ANALYZER_CONFIG_INT_H
#define DW_ANALYZER_CONFIG_INT_H

#include "analyzer/config.h"
#include "common/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;

enum cfg_node_kind { CFG_NODE_SCALAR, CFG_NODE_SEQ, CFG_NODE_MAP };

/* One YAML node, as libyaml's events describe it; arena memory. */
struct cfg_node {
    enum cfg_node_kind kind;
    uint32_t line, col; /* 1-based; byte column */
    const char *text;   /* SCALAR: NUL-terminated (may hold NULs before len) */
    size_t len;
    bool plain;   /* SCALAR: plain style, no tag: YAML 1.1 types resolve */
    bool is_null; /* SCALAR: plain "", "~", "null", "Null", "NULL" */
    /* SEQ: the items; MAP: key, value, key, value, ... (keys are scalars). */
    struct cfg_node **kids;
    size_t n_kids;
};

/* Reads one YAML document with libyaml's event API. *root is NULL for an
 * empty stream. Errors are ERR_SYNTAX at path:line:col (see cfg_load_file);
 * keys that are not scalars and duplicate keys are reported here as well
 * (ERR_INVALID). */
DW_NODISCARD int cfg_yaml_parse(struct arena *a, const char *path, const char *text, size_t len,
                                struct cfg_node **root, struct err *err);

/* Interprets the document of one config file (mode from c->mode) as the
 * FILE layer; path is the arena copy used in locations. */
DW_NODISCARD int cfg_interpret(struct cfg *c, const char *path, const struct cfg_node *root,
                               struct err *err);

/* ---- shared helpers (config.c) ---- */

/* Appends to a list setting (text copied into c's arena). */
void cfg_list_push(struct cfg *c, struct cfg_list *l, const char *text, size_t len,
                   struct cfg_loc loc);
void cfg_push_severity(struct cfg *c, const char *rule, size_t len, enum cfg_severity s,
                       struct cfg_loc loc);
/* Sets the type of a label, replacing an earlier entry for it. */
void cfg_set_label(struct cfg *c, const char *name, size_t len, enum cfg_label_type t,
                   struct cfg_loc loc);
void cfg_push_build_context(struct cfg *c, const char *name, const char *value, struct cfg_loc loc);
struct cfg_rule_options *cfg_push_rule_options(struct cfg *c);
DW_PRINTF(3, 4) void cfg_warn(struct cfg *c, struct cfg_loc loc, const char *fmt, ...);

/* Grows an arena array of elem-sized items to hold need items. */
void *cfg_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t need, size_t elem);

/* Optimal-string-alignment distance (a transposition counts as one edit),
 * capped: returns limit+1 when the distance exceeds limit. */
size_t cfg_edit_distance(const char *a, const char *b, size_t limit);
/* The candidate closest to word within distance 2 (the first one on a
 * tie), or NULL. */
const char *cfg_suggest(const char *word, const char *const *cands, size_t n);

/* YAML 1.1 boolean spellings; returns -1 when text is none. */
int cfg_yaml_bool(const char *text, size_t len);
/* Index of text among names, or -1. */
int cfg_lookup(const char *text, size_t len, const char *const *names, size_t n);
/* "a, b, c" into an arena string. */
const char *cfg_join(struct arena *a, const char *const *names, size_t n);

/* Value names, indexed by the enums of config.h. */
extern const char *const cfg_severity_names[5];
extern const char *const cfg_threshold_names[5];
extern const char *const cfg_label_type_names[7];
extern const char *const cfg_shellcheck_names[3];
extern const char *const cfg_format_names[7];

/* A hadolint output format name: 0 and *format (an enum cfg_format, or -1
 * when dockwright has no equivalent), or -1 when hadolint has no such
 * format. */
int cfg_hadolint_format(const char *name, size_t len, int *format);

/* Parses a duration for shellcheck.timeout: a number of seconds (decimals
 * allowed) or a number with a unit ms, s or m. Returns 0 and *ms (1 ms to
 * one hour), or -1. */
int cfg_parse_duration_ms(const char *text, size_t len, uint32_t *ms);
/* Parses a positive rule-set number; -1 when text is not one. */
int cfg_parse_rule_set(const char *text, size_t len, unsigned *out);

#endif
