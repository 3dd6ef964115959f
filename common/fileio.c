#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_stream(FILE *fp, const char *name, size_t limit, struct buf *out, struct err *err)
{
    size_t start = out->len;
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, fp);
        if (n) {
            if ((limit && out->len - start + n > limit) || buf_append(out, chunk, n)) {
                buf_truncate(out, start);
                return err_set(err, ERR_TOO_LARGE, "'%s' is larger than %zu bytes", name, limit);
            }
        }
        if (n < sizeof chunk) {
            if (ferror(fp)) {
                buf_truncate(out, start);
                return err_sys(err, name, "cannot read '%s'", name);
            }
            return 0;
        }
    }
}

/* One open, fstat and read of the file's size and a byte more: falling
 * short of that byte is the end of a regular file, so a small file costs
 * four system calls (stdio made it two fstats and two reads, which showed
 * in a lint of a thousand small files). A file that grew meanwhile, or no
 * regular file, is read on to its end. */
int file_read_all(const char *path, size_t limit, struct buf *out, struct err *err)
{
    if (strcmp(path, "-") == 0)
        return file_read_stream(stdin, "<stdin>", limit, out, err);
    return file_read_all_at(AT_FDCWD, path, path, limit, out, err);
}

int file_dir_at(struct file_dir *d, const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    *name = path;
    if (!slash || slash == path || !slash[1])
        return AT_FDCWD;
    size_t len = (size_t)(slash - path);
    if (!d->dir || d->len != len || memcmp(d->dir, path, len) != 0) {
        file_dir_release(d);
        d->dir = malloc(len + 1);
        if (!d->dir)
            return AT_FDCWD;
        memcpy(d->dir, path, len);
        d->dir[len] = '\0';
        d->len = len;
        d->fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (d->fd < 0)
        return AT_FDCWD;
    *name = slash + 1;
    return d->fd;
}

void file_dir_release(struct file_dir *d)
{
    if (d->fd >= 0)
        close(d->fd);
    free(d->dir);
    *d = (struct file_dir)FILE_DIR_INIT;
}

int file_read_all_at(int dirfd, const char *name, const char *path, size_t limit, struct buf *out,
                     struct err *err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    size_t start = out->len, max = limit ? limit : SIZE_MAX / 2;
    size_t size = 0, want = 65536;
    bool regular = false;
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            close(fd);
            err_set(err, ERR_IO, "'%s' is a directory", path);
            err_at(err, path, 0, 0);
            return ERR_IO;
        }
        regular = S_ISREG(st.st_mode) && st.st_size >= 0 && (uintmax_t)st.st_size < max;
        if (regular) {
            size = (size_t)st.st_size;
            want = size + 1;
        }
    }
    int rc = 0;
    for (;;) {
        /* Never ask for more than the limit allows, plus one byte that
         * tells a file at the limit from one over it. */
        size_t room = max - (out->len - start) + 1;
        if (want > room)
            want = room;
        if (buf_reserve(out, want)) {
            rc = err_set(err, ERR_TOO_LARGE, "'%s' is larger than %zu bytes", path, max);
            break;
        }
        ssize_t n = read(fd, out->data + out->len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_sys(err, path, "cannot read '%s'", path);
            break;
        }
        out->len += (size_t)n;
        out->data[out->len] = '\0';
        if (out->len - start > max) {
            rc = err_set(err, ERR_TOO_LARGE, "'%s' is larger than %zu bytes", path, max);
            break;
        }
        if (n == 0 || (regular && (size_t)n < want && out->len - start == size))
            break;
        want = 65536;
    }
    close(fd);
    if (rc) {
        buf_truncate(out, start);
        err_at(err, path, 0, 0);
    }
    return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                      struct err *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return err_set(err, ERR_IO, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".dwtmp.XXXXXX", 14);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = err_sys(err, path, "cannot create a temporary file beside '%s'", path);
        free(tmp);
        return rc;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return 0;
fail:;
    int rc = err_sys(err, path, "cannot write '%s'", path);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return rc;
}
