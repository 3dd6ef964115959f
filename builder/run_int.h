/* Private to builder/run*.c: the prepared plan the container processes
 * follow, the records they send back to dockwright, and filesystem helpers
 * that resolve container paths without following symlinks out of the root.
 * Never included from outside builder/. */
#ifndef DW_BUILDER_RUN_INT_H
#define DW_BUILDER_RUN_INT_H

#include "builder/run.h"
#include "common/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A mount as the container init performs it; paths prepared by the parent. */
enum run_mnt_kind {
    RUN_MNT_BIND,    /* source: host path (file or dir) */
    RUN_MNT_OVERLAY, /* source: overlay options (rw bind of a dir, scratch upper) */
    RUN_MNT_TMPFS,
    RUN_MNT_SECRET, /* data/len written to a private tmpfs, then bound */
};

struct run_mnt {
    enum run_mnt_kind kind;
    char *target; /* absolute, lexically clean, never "/" */
    char *source;
    bool ro;
    bool dir; /* the mount point is a directory (else a file) */
    uint64_t size;
    unsigned mode; /* secret file */
    uint32_t uid, gid;
    const char *data; /* secret value */
    size_t len;
};

struct run_plan {
    bool probe; /* set up the root and /proc only, then report success */
    bool overlay;
    char *root_data;    /* overlay options for the root */
    const char *rootfs; /* plain mode */
    const char *upper;  /* overlay mode, for copy-up detection */
    char *merged;       /* scratch mount point of the root */
    char *priv;         /* scratch mount point of a private tmpfs (secrets) */
    char *resolv, *hosts;
    char **argv;                      /* NULL-terminated */
    const char *script_name, *script; /* heredoc script for /dev/pipes, or NULL */
    size_t script_len;
    char **env; /* NULL-terminated, PATH included; HOME added by init when absent */
    bool env_has_home;
    const char *workdir;
    const char *user;
    const char *hostname;
    enum bld_net net;
    bool insecure;
    bool userns;
    uid_t host_uid;
    gid_t host_gid;
    struct run_mnt *mnts; /* sorted so that parents are mounted first */
    size_t n_mnts;
    int report_fd;      /* write end of the record pipe (close-on-exec) */
    int out_fd, err_fd; /* the command's stdout/stderr, -1 for /dev/null */
};

/* Records sent on the report pipe, one write() each (atomic: smaller than
 * PIPE_BUF). */
enum run_rec_type {
    RUN_REC_PID = 1,   /* value: host pid of the container init */
    RUN_REC_STUB_DIR,  /* text: a mount point directory that init created */
    RUN_REC_STUB_FILE, /* text: a mount point file that init created */
    RUN_REC_COPYUP,    /* text: an image directory copied up to hold a stub */
    RUN_REC_ERROR,     /* code, value (errno or 0), text: message */
    RUN_REC_STATUS,    /* value: wait status of the command */
    RUN_REC_PROBE_OK,  /* probe: everything worked */
};

#define RUN_REC_TEXT 2048

struct run_rec {
    int32_t type;
    int32_t code;
    int32_t value;
    char text[RUN_REC_TEXT];
};

/* Exit status of the helper and init when setup failed (after an error
 * record), as runc's 125-ish "could not start" codes. */
#define RUN_EXIT_SETUP 125

/* The helper process (child of dockwright): unshares, forks init, waits for
 * it and exits with its status. Never returns. */
DW_NORETURN void bld_run_helper_main(const struct run_plan *plan);

/* --- filesystem helpers (run_fs.c) --- */

/* What bld_run_resolve does with a missing path component. */
enum run_make {
    RUN_MAKE_NONE, /* fail with -ENOENT */
    RUN_MAKE_DIR,  /* create missing directories, the last one included */
    RUN_MAKE_FILE, /* create missing directories and the last one as an empty file */
};

struct run_mkpath {
    enum run_make make;
    mode_t dir_mode, file_mode;
    bool chown; /* give created entries uid:gid */
    uid_t uid;
    gid_t gid;
    /* Called before an entry is created inside the existing directory
     * parent (canonical container path, "" for the root), then after it
     * was created with its own canonical path. Either may be NULL. */
    void (*before_create)(void *ctx, const char *parent);
    void (*created)(void *ctx, const char *path, bool is_dir);
    void *ctx;
};

/* Resolves path (absolute or relative to the root; "..", "." and symlinks,
 * absolute ones included, are resolved inside the root as if rootfd were
 * "/") and returns an O_PATH file descriptor of the final entry, creating
 * what mk asks for. canon receives the symlink-free path ("/a/b"). Returns
 * the fd or a negative errno (-ELOOP after 40 links, -ENOTDIR,
 * -ENAMETOOLONG, ...). A dangling symlink is followed and its target
 * created, as runc does for mount points. */
int bld_run_resolve(int rootfd, const char *path, const struct run_mkpath *mk, char *canon,
                    size_t canon_size);

/* Opens path (components separated by '/', relative to dirfd) refusing
 * every symlink on the way; flags are added to O_NOFOLLOW|O_CLOEXEC for
 * the last component (intermediate ones are opened O_PATH|O_DIRECTORY).
 * "" opens dirfd itself. Returns the fd or a negative errno. */
int bld_run_open_beneath(int dirfd, const char *path, int flags);

/* Reads a regular file of at most limit bytes through an O_PATH fd into a
 * fresh heap buffer (free() it). Returns 0, or a negative errno (-EFBIG
 * when over the limit, -EINVAL when not a regular file). */
int bld_run_read_fd(int opath_fd, size_t limit, char **data, size_t *len);

/* Removes path and everything below it without following symlinks,
 * making directories writable when needed. Returns 0 or a negative errno
 * (the first failure; it keeps going). ENOENT is not an error. */
int bld_run_rmtree(const char *path);

#endif
