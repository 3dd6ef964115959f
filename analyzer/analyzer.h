/* The analyzer: the semantic model of a Dockerfile (instructions, stages,
 * ARG/ENV scopes, expansion, the shell inside RUN), .dockerignore matching,
 * the rule engine, configuration and the fix engine. Built in issue #5;
 * this header is the module's public entry point. */
#ifndef DW_ANALYZER_ANALYZER_H
#define DW_ANALYZER_ANALYZER_H

#include "common/span.h"

#endif
