/* Whole-file reads with a size cap, and atomic writes that never leave a
 * partial file behind. */
#ifndef DW_COMMON_FILEIO_H
#define DW_COMMON_FILEIO_H

#include "buf.h"
#include "compiler.h"
#include "err.h"

#include <stdio.h>

/* Appends the content of path ("-" reads stdin) to out. Fails with
 * ERR_TOO_LARGE when the file exceeds limit bytes (0 = no limit), ERR_IO
 * with errno otherwise; out keeps what it had before on failure. */
DW_NODISCARD int file_read_all(const char *path, size_t limit, struct buf *out, struct err *err);
/* Appends everything readable from fp to out (same rules as file_read_all;
 * name is used in messages). */
DW_NODISCARD int file_read_stream(FILE *fp, const char *name, size_t limit, struct buf *out,
                                  struct err *err);
/* Replaces path with data: writes a temporary file in the same directory,
 * fsyncs it, gives it the mode of the existing file (or mode when the file
 * is new) and renames it over path. On any failure the original file is
 * untouched and the temporary file removed. */
DW_NODISCARD int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                                   struct err *err);

#endif
