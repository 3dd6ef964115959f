/* The Dockerfile language for libtree-sitter, generated from grammar.js by
 * dockwright's own generator (grammar/generator, `tsgen`). */
#ifndef DW_GRAMMAR_GRAMMAR_H
#define DW_GRAMMAR_GRAMMAR_H

#include <tree_sitter/api.h>

/* The language; static, never freed. */
const TSLanguage *tree_sitter_dockwright_dockerfile(void);

#endif
