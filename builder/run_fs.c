/* Path resolution confined to a container root, and scratch cleanup. */
#define _GNU_SOURCE
#include "run_int.h"

#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux's own limit on symlinks followed in one lookup. */
#define MAX_LINKS 40

/* Copies the next component of *p (skipping slashes) into comp; returns
 * false at the end. */
static bool next_comp(const char **p, char *comp, size_t size, int *err)
{
    const char *s = *p;
    while (*s == '/')
        s++;
    if (!*s)
        return false;
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n >= size || n > NAME_MAX) {
        *err = -ENAMETOOLONG;
        return false;
    }
    memcpy(comp, s, n);
    comp[n] = '\0';
    *p = s + n;
    return true;
}

static bool only_slashes(const char *p)
{
    while (*p == '/')
        p++;
    return *p == '\0';
}

int bld_run_open_beneath(int dirfd, const char *path, int flags)
{
    int fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char comp[NAME_MAX + 1];
    const char *p = path;
    int err = 0;
    while (next_comp(&p, comp, sizeof comp, &err)) {
        bool last = only_slashes(p);
        if (strcmp(comp, "..") == 0) {
            close(fd);
            return -EPERM;
        }
        int nfd = last ? openat(fd, comp, flags | O_NOFOLLOW | O_CLOEXEC)
                       : openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        close(fd);
        if (nfd < 0)
            return -saved;
        fd = nfd;
        if (last)
            return fd;
    }
    if (err) {
        close(fd);
        return err;
    }
    if (flags != (O_PATH | O_DIRECTORY) && flags != O_PATH) {
        /* The path named dirfd itself: reopen it with the requested flags. */
        int nfd = openat(fd, ".", flags | O_CLOEXEC);
        int saved = errno;
        close(fd);
        return nfd < 0 ? -saved : nfd;
    }
    return fd;
}

/* Drops the last component of canon ("/a/b" → "/a", "/a" → ""). */
static void canon_pop(char *canon)
{
    char *s = strrchr(canon, '/');
    if (s)
        *s = '\0';
}

static int canon_push(char *canon, size_t size, const char *comp)
{
    size_t n = strlen(canon);
    int w = snprintf(canon + n, size - n, "/%s", comp);
    return w < 0 || (size_t)w >= size - n ? -ENAMETOOLONG : 0;
}

static int create_entry(int dirfd, const char *comp, bool dir, const struct run_mkpath *mk)
{
    if (dir) {
        if (mkdirat(dirfd, comp, mk->dir_mode) < 0)
            return -errno;
    } else {
        int fd = openat(dirfd, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        mk->file_mode);
        if (fd < 0)
            return -errno;
        close(fd);
    }
    /* mkdir applies the umask; the mode asked for is the mode wanted. */
    if (fchmodat(dirfd, comp, dir ? mk->dir_mode : mk->file_mode, 0) < 0)
        return -errno;
    if (mk->chown && fchownat(dirfd, comp, mk->uid, mk->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    return 0;
}

int bld_run_resolve(int rootfd, const char *path, const struct run_mkpath *mk, char *canon,
                    size_t canon_size)
{
    /* rest holds what is left to walk; a symlink's target is put in front. */
    char *rest = xmalloc(PATH_MAX * 2);
    char *tmp = xmalloc(PATH_MAX * 2);
    char comp[NAME_MAX + 1];
    int dirfd = -1, rc = 0, links = 0;
    if (snprintf(rest, PATH_MAX * 2, "%s", path) >= PATH_MAX * 2) {
        rc = -ENAMETOOLONG;
        goto out;
    }
    canon[0] = '\0';
    dirfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        rc = -errno;
        goto out;
    }
    const char *p = rest;
    int err = 0;
    while (next_comp(&p, comp, sizeof comp, &err)) {
        bool last = only_slashes(p);
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            /* At the root ".." stays at the root, as in a chroot. */
            canon_pop(canon);
            int nfd = bld_run_open_beneath(rootfd, canon, O_PATH | O_DIRECTORY);
            if (nfd < 0) {
                rc = nfd;
                goto out;
            }
            close(dirfd);
            dirfd = nfd;
            continue;
        }
        struct stat st;
        if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT || !mk || mk->make == RUN_MAKE_NONE) {
                rc = -errno;
                goto out;
            }
            bool dir = !last || mk->make == RUN_MAKE_DIR;
            if (mk->before_create)
                mk->before_create(mk->ctx, canon);
            rc = create_entry(dirfd, comp, dir, mk);
            if (rc < 0)
                goto out;
            if ((rc = canon_push(canon, canon_size, comp)) < 0)
                goto out;
            if (mk->created)
                mk->created(mk->ctx, canon, dir);
            canon_pop(canon);
            if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                rc = -errno;
                goto out;
            }
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > MAX_LINKS) {
                rc = -ELOOP;
                goto out;
            }
            char target[PATH_MAX];
            ssize_t n = readlinkat(dirfd, comp, target, sizeof target - 1);
            if (n < 0) {
                rc = -errno;
                goto out;
            }
            target[n] = '\0';
            if (snprintf(tmp, PATH_MAX * 2, "%s/%s", target, p) >= PATH_MAX * 2) {
                rc = -ENAMETOOLONG;
                goto out;
            }
            memcpy(rest, tmp, PATH_MAX * 2);
            p = rest;
            if (target[0] == '/') {
                canon[0] = '\0';
                int nfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (nfd < 0) {
                    rc = -errno;
                    goto out;
                }
                close(dirfd);
                dirfd = nfd;
            }
            continue;
        }
        if (!S_ISDIR(st.st_mode) && !last) {
            rc = -ENOTDIR;
            goto out;
        }
        int nfd = S_ISDIR(st.st_mode)
                      ? openat(dirfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                      : openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            rc = -errno;
            goto out;
        }
        close(dirfd);
        dirfd = nfd;
        if ((rc = canon_push(canon, canon_size, comp)) < 0)
            goto out;
    }
    if (err) {
        rc = err;
        goto out;
    }
    if (mk && mk->make == RUN_MAKE_DIR) {
        struct stat st;
        if (fstat(dirfd, &st) == 0 && !S_ISDIR(st.st_mode)) {
            rc = -ENOTDIR;
            goto out;
        }
    }
    rc = dirfd;
    dirfd = -1;
out:
    if (dirfd >= 0)
        close(dirfd);
    free(rest);
    free(tmp);
    return rc;
}

int bld_run_read_fd(int opath_fd, size_t limit, char **data, size_t *len)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", opath_fd);
    int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > limit) {
                free(b);
                close(fd);
                return -EFBIG;
            }
            cap *= 2;
            b = xrealloc(b, cap + 1);
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(b);
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > limit) {
        free(b);
        return -EFBIG;
    }
    b[n] = '\0';
    *data = b;
    *len = n;
    return 0;
}

/* Removes the entries of the directory open as dfd. */
static int rm_children(int dfd)
{
    int rc = 0;
    int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lfd < 0)
        return -errno;
    DIR *d = fdopendir(lfd);
    if (!d) {
        close(lfd);
        return -errno;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            /* overlayfs leaves its work/work directory with mode 000. */
            int cfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cfd < 0 && errno == EACCES && fchmodat(dfd, de->d_name, 0700, 0) == 0)
                cfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cfd >= 0) {
                int r = rm_children(cfd);
                close(cfd);
                if (r < 0 && rc == 0)
                    rc = r;
            }
            if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0 && rc == 0)
                rc = -errno;
        } else if (unlinkat(dfd, de->d_name, 0) < 0 && rc == 0) {
            rc = -errno;
        }
    }
    closedir(d);
    return rc;
}

int bld_run_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) < 0 ? -errno : 0;
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == EACCES && chmod(path, 0700) == 0)
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    int rc = rm_children(dfd);
    close(dfd);
    if (rmdir(path) < 0 && rc == 0)
        rc = -errno;
    return rc;
}
