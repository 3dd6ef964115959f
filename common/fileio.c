#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
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

int file_read_all(const char *path, size_t limit, struct buf *out, struct err *err)
{
    if (strcmp(path, "-") == 0)
        return file_read_stream(stdin, "<stdin>", limit, out, err);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_sys(err, path, "cannot open '%s'", path);
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        err_set(err, ERR_IO, "'%s' is a directory", path);
        err_at(err, path, 0, 0);
        return ERR_IO;
    }
    int rc = file_read_stream(fp, path, limit, out, err);
    fclose(fp);
    if (rc)
        err_at(err, path, 0, 0);
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
