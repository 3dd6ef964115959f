/* The RUN executor: runs one command in a throwaway container made of
 * Linux namespaces over an overlayfs (or a plain directory), the way
 * BuildKit's runc worker does, without a container engine.
 *
 * Root filesystem, one of:
 * - overlay: lower layer dirs (read-only, bottom to top; none for FROM
 *   scratch), an upper dir that receives every change (it becomes the
 *   step's layer, deletions as overlay whiteouts: char devices 0/0) and an
 *   empty work dir on the upper dir's filesystem;
 * - plain: one directory used as the root and modified in place. For tests
 *   and for filesystems where overlayfs cannot be mounted (the caller then
 *   diffs the directory itself).
 *
 * Isolation: new mount, pid, uts and ipc namespaces, a new net namespace
 * with only lo up for BLD_NET_NONE. Mounts: / made private first, then the
 * root, /proc, a tmpfs /dev with null, zero, full, random, urandom and tty
 * bind-mounted from the host, devpts at /dev/pts, tmpfs /dev/shm, sysfs
 * read-only at /sys where permitted, generated /etc/resolv.conf and
 * /etc/hosts (read-only), then the RUN --mount list; pivot_root; the
 * user's uid, gid and supplementary groups; the Docker default capability
 * set unless insecure. Everything is mounted in the container's private
 * mount namespace, so nothing is ever left mounted on the host.
 * Mount points that did not exist in the image (and directories that
 * overlayfs copied up only to hold them) are removed from the upper dir
 * (or the plain root) afterwards, so neither they nor a secret's mount
 * point land in a layer.
 *
 * Process tree: dockwright → helper (unshares) → init (pid 1 of the new pid
 * namespace, reaper) → the command. When the command exits, init kills
 * everything left in the namespace. A timeout or cancellation kills init,
 * which makes the kernel kill the whole namespace.
 *
 * Rootless: when dockwright is not root (or force_userns is set), a user
 * namespace maps the caller's uid and gid to 0 and overlayfs is mounted
 * with "userxattr" (Linux 5.11+). Only uid/gid 0 exist in the container
 * then (no subordinate id ranges, newuidmap is not used): a USER other than
 * root fails with ERR_UNSUPPORTED, supplementary groups are not set, and
 * files the caller does not own (layers extracted by another user) cannot
 * be changed. The upper dir receives files owned by the caller.
 *
 * The upper dir's own mode and owner are set to those of the top lower
 * layer's root before the run: overlayfs shows them as the container's /.
 *
 * Rootful runs need a kernel with overlayfs and the namespaces (any 4.x+);
 * rootless ones Linux 5.11 or later (overlayfs in a user namespace). */
#ifndef DW_BUILDER_RUN_H
#define DW_BUILDER_RUN_H

#include "common/compiler.h"
#include "common/err.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bld_cmd_form {
    BLD_CMD_SHELL,   /* shell + [text]; RUN echo hi */
    BLD_CMD_EXEC,    /* argv as given; RUN ["echo", "hi"] */
    BLD_CMD_HEREDOC, /* RUN <<EOF: text is the body (see bld_run_opts.heredoc_name) */
};

enum bld_net {
    BLD_NET_HOST, /* the host's network namespace (BuildKit's default without CNI) */
    BLD_NET_NONE, /* a new network namespace with only lo, up */
};

enum bld_mount_type {
    BLD_MOUNT_BIND,
    BLD_MOUNT_CACHE,
    BLD_MOUNT_TMPFS,
    BLD_MOUNT_SECRET,
    BLD_MOUNT_SSH, /* refused: ERR_UNSUPPORTED */
};

/* Read-only or writable; DEFAULT follows BuildKit: read-only for bind and
 * secret, writable for cache and tmpfs. */
enum bld_mount_access {
    BLD_ACCESS_DEFAULT,
    BLD_ACCESS_RO,
    BLD_ACCESS_RW,
};

enum bld_cache_sharing {
    BLD_SHARING_SHARED,  /* concurrent runs use the same directory */
    BLD_SHARING_PRIVATE, /* a busy cache makes this run use another directory */
    BLD_SHARING_LOCKED,  /* this run waits until no other locked/private run holds it */
};

/* One RUN --mount. Zero-initialise and fill what applies. */
struct bld_mount {
    enum bld_mount_type type;
    /* Path in the container; a relative one is taken against the workdir.
     * Required except for secrets (default /run/secrets/<id>, or none when
     * env is set). "/" is refused. */
    const char *target;
    /* bind: host file or directory; secret: host file holding the value. */
    const char *source;
    /* cache: the cache's id (default: target); secret: its id. */
    const char *id;
    enum bld_mount_access access;
    /* bind rw: writes go to a scratch layer discarded after the run (the
     * host source is never modified), as in BuildKit. */
    enum bld_cache_sharing sharing;
    /* cache (applied when the directory is created) and secret file mode;
     * has_mode false means 0755 for a cache, 0400 for a secret. */
    bool has_mode;
    unsigned mode;
    uint32_t uid, gid; /* cache and secret owner, default 0:0 */
    uint64_t size;     /* tmpfs size in bytes; 0 = the kernel's default */
    bool required;     /* secret: a missing source is an error, else the mount is skipped */
    const char *env;   /* secret: also (or only) expose it as this variable */
};

/* Where the command's output goes: per stream, either a callback receiving
 * whole lines (each with its '\n'; a last unterminated line and lines over
 * 16 KiB arrive in pieces) or a file descriptor written directly by the
 * container. Neither: discarded. */
enum bld_stream {
    BLD_STREAM_STDOUT = 1,
    BLD_STREAM_STDERR = 2,
};

struct bld_run_opts {
    /* Root filesystem: rootfs for plain mode, else overlay. */
    const char *const *lower; /* bottom to top */
    size_t n_lower;
    const char *upper, *work;
    const char *rootfs;

    /* The command. */
    enum bld_cmd_form form;
    const char *const *argv; /* BLD_CMD_EXEC: argc entries, argc >= 1 */
    size_t argc;
    const char *text;         /* BLD_CMD_SHELL: the command; BLD_CMD_HEREDOC: the body */
    const char *const *shell; /* SHELL; NULL means /bin/sh -c */
    size_t n_shell;
    /* A heredoc body starting with "#!" is written to
     * /dev/pipes/<heredoc_name> (a tmpfs, never in the layer) and run
     * directly; any other body runs as shell + [body]. Default "EOF". */
    const char *heredoc_name;

    /* KEY=VALUE entries, exactly what the command sees, plus PATH
     * (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin) and
     * HOME (the user's, from passwd) when absent, as BuildKit and runc do. */
    const char *const *env;
    size_t n_env;
    /* Absolute; created if missing (mode 0755, owned by the user, as
     * BuildKit does). NULL means "/". */
    const char *workdir;
    /* USER: name or uid, optionally ":group" or ":gid", resolved against
     * the container's /etc/passwd and /etc/group (see passwd.h). NULL: root. */
    const char *user;
    enum bld_net net;
    const char *hostname; /* NULL: "buildkitsandbox" */
    bool insecure;        /* RUN --security=insecure: keep every capability */

    const struct bld_mount *mounts;
    size_t n_mounts;
    /* Host directory holding cache mounts, one subdirectory per id;
     * required when a cache mount is used. Created if missing. */
    const char *cache_root;
    /* Where the run's scratch directory goes; NULL: $TMPDIR or /tmp. */
    const char *tmp_dir;

    /* Output sinks (see enum bld_stream): callback when set, else fd >= 0. */
    void (*on_output)(void *ctx, enum bld_stream stream, const char *data, size_t len);
    void *output_ctx;
    int stdout_fd, stderr_fd;

    /* 0 = no limit. */
    uint64_t timeout_ms;
    /* When non-NULL and set non-zero (typically by the caller's SIGINT
     * handler), the container is killed and the run ends as
     * BLD_RUN_CANCELLED. Checked at least every 100 ms. */
    const volatile sig_atomic_t *cancel;
    /* Use a user namespace even when running as root (for tests). */
    bool force_userns;
};

enum bld_run_outcome {
    BLD_RUN_EXITED,    /* exit_code is valid */
    BLD_RUN_SIGNALED,  /* the command died of signal */
    BLD_RUN_TIMED_OUT, /* killed after timeout_ms */
    BLD_RUN_CANCELLED, /* killed because *cancel was set */
};

struct bld_run_result {
    enum bld_run_outcome outcome;
    int exit_code;    /* EXITED: 0-255; 127 when the command could not be found */
    int signal;       /* SIGNALED: the signal; TIMED_OUT/CANCELLED: SIGKILL */
    int status;       /* shell-style: exit_code, or 128 + signal */
    uint64_t wall_ns; /* from the start of the helper to the end of the namespace */
};

/* Sets opts to the defaults: zeroes, net host, fds -1. */
void bld_run_opts_init(struct bld_run_opts *opts);

/* Runs the command described by opts and waits for it (and for every
 * process it started) to end. Returns 0 when the command was started,
 * whatever its exit status (in res; a command that cannot be executed
 * exits 126 or 127 with a message on its stderr stream), or a negative
 * error when the container could not be set up: ERR_USAGE for bad opts,
 * ERR_NOT_FOUND for an unknown USER (BuildKit's message) or a missing
 * required secret, ERR_UNSUPPORTED when the kernel or the privileges do
 * not allow it (the message names what is missing), ERR_TOO_LARGE for a
 * secret over 500 KiB or overlay options over a page, ERR_INTERNAL when
 * the timeout or cancellation hit while waiting for a locked cache,
 * ERR_IO otherwise. Mount points created before a setup failure are
 * removed as after a run.
 * The caller's process, mounts and working directory are never changed.
 * Blocks; do not call from a thread that may exit before it returns. */
DW_NODISCARD int bld_run(const struct bld_run_opts *opts, struct bld_run_result *res,
                         struct err *err);

/* Checks that this process can run containers: the namespaces, a private
 * mount namespace and (when overlay) an overlayfs mount in a scratch dir
 * under tmp_dir (NULL: $TMPDIR or /tmp), as root or rootless as bld_run
 * would. Returns 0 or ERR_UNSUPPORTED with the reason. */
DW_NODISCARD int bld_run_probe(const char *tmp_dir, bool overlay, bool force_userns,
                               struct err *err);

#endif
