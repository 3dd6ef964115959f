#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->sys_errno = 0;
    e->path[0] = '\0';
    e->span = span_make(0, 0);
    e->line = e->col = 0;
    e->msg[0] = '\0';
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
    if (!e)
        return code;
    err_clear(e);
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void err_at(struct err *e, const char *path, uint32_t line, uint32_t col)
{
    if (!e)
        return;
    if (path)
        snprintf(e->path, sizeof e->path, "%s", path);
    e->line = line;
    e->col = col;
}

int err_sys(struct err *e, const char *path, const char *fmt, ...)
{
    int saved = errno;
    if (!e)
        return ERR_IO;
    err_clear(e);
    e->code = ERR_IO;
    e->sys_errno = saved;
    if (path)
        snprintf(e->path, sizeof e->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", strerror(saved));
    return ERR_IO;
}

void err_format(const struct err *e, char *out, size_t size)
{
    if (!size)
        return;
    if (e->path[0] && e->line)
        snprintf(out, size, "%s:%u:%u: %s", e->path, e->line, e->col ? e->col : 1, e->msg);
    else if (e->path[0] && !strstr(e->msg, e->path))
        snprintf(out, size, "%s: %s", e->path, e->msg); /* else the message names it already */
    else
        snprintf(out, size, "%s", e->msg);
}

const char *err_code_name(enum err_code code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_IO: return "io error";
    case ERR_SYNTAX: return "syntax error";
    case ERR_INVALID: return "invalid input";
    case ERR_TOO_LARGE: return "input too large";
    case ERR_USAGE: return "usage error";
    case ERR_NOT_FOUND: return "not found";
    case ERR_UNSUPPORTED: return "unsupported";
    case ERR_INTERNAL: return "internal error";
    }
    return "error";
}
