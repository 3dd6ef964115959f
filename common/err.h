/* The error value every fallible function fills: a code, and where the
 * problem is (file, byte span, 1-based line and column) with a message in
 * git's style: lowercase, no final period, what failed first. */
#ifndef DW_COMMON_ERR_H
#define DW_COMMON_ERR_H

#include "compiler.h"
#include "span.h"

#include <stdint.h>

enum err_code {
    ERR_OK = 0,
    ERR_IO = -1,        /* reading or writing a file failed (errno in sys_errno) */
    ERR_SYNTAX = -2,    /* the input does not parse */
    ERR_INVALID = -3,   /* the input parses but is not acceptable */
    ERR_TOO_LARGE = -4, /* the input is over a documented size cap */
    ERR_USAGE = -5,     /* bad arguments from the caller or the user */
    ERR_NOT_FOUND = -6,
    ERR_UNSUPPORTED = -7,
    ERR_INTERNAL = -8,
};

#define ERR_MSG_MAX 512
#define ERR_PATH_MAX 1024

struct err {
    enum err_code code;
    int sys_errno;           /* errno for ERR_IO, else 0 */
    char path[ERR_PATH_MAX]; /* file the error is about, or "" */
    struct span span;        /* byte range in that file, or {0,0} */
    uint32_t line, col;      /* 1-based; 0 when unknown */
    char msg[ERR_MSG_MAX];
};

/* Resets e to "no error". */
void err_clear(struct err *e);
/* Records an error and returns code (negative), so callers can write
 * `return err_set(e, ERR_INVALID, "...")`. e may be NULL. Formats msg with
 * printf semantics; a message longer than ERR_MSG_MAX is truncated. */
DW_PRINTF(3, 4) int err_set(struct err *e, enum err_code code, const char *fmt, ...);
/* Records the file path and position of the error already in e. */
void err_at(struct err *e, const char *path, uint32_t line, uint32_t col);
/* err_set for a failed system call: appends strerror(errno) to the message. */
DW_PRINTF(3, 4) int err_sys(struct err *e, const char *path, const char *fmt, ...);
/* Formats e as "path:line:col: msg" (parts that are unknown are left out;
 * without a position, a message that already names the path is printed as
 * it is) into out, which has room for size bytes. */
void err_format(const struct err *e, char *out, size_t size);
/* A short name for a code ("io error", "syntax error", ...). */
const char *err_code_name(enum err_code code);

#endif
