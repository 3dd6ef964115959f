/* The common module: allocation, buffers, vectors, spans and errors. */
#ifndef DW_COMMON_COMMON_H
#define DW_COMMON_COMMON_H

#include "arena.h"
#include "buf.h"
#include "compiler.h"
#include "err.h"
#include "span.h"
#include "utf8.h"
#include "vec.h"
#include "xalloc.h"

#endif
