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
/* The same, with the file opened as name under the folder descriptor dirfd
 * (AT_FDCWD: the working folder); path names it in messages. */
DW_NODISCARD int file_read_all_at(int dirfd, const char *name, const char *path, size_t limit,
                                  struct buf *out, struct err *err);

/* An open descriptor of the folder of the last path given to file_dir_at:
 * files of one folder opened one after another through it each cost the
 * lookup of their last component, where a whole path is walked again for
 * every file. Used by one thread at a time. */
struct file_dir {
    char *dir; /* the folder part of the last path, or NULL */
    size_t len;
    int fd; /* a descriptor of dir, or -1 */
};
#define FILE_DIR_INIT                                                                              \
    {                                                                                              \
        NULL, 0, -1                                                                                \
    }

/* The descriptor and name under which path opens: the cached folder's
 * descriptor and path's last component, or AT_FDCWD and path itself (no
 * folder part, the root, or a folder that does not open). */
int file_dir_at(struct file_dir *d, const char *path, const char **name);
void file_dir_release(struct file_dir *d);

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
