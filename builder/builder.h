/* The embedded image builder: image store (OCI layout), import, build
 * planning and execution (overlayfs + namespaces), layers, cache and the
 * build report. Built in issue #7; this header is the module's public entry
 * point. */
#ifndef DW_BUILDER_BUILDER_H
#define DW_BUILDER_BUILDER_H

#include "common/err.h"

#endif
