/* The processes of a RUN container: the helper (unshares the namespaces),
 * init (pid 1: mounts, pivot_root, reaper) and the command. Everything
 * here runs in forked children of dockwright: errors are sent as records on
 * the report pipe and the process ends with _exit, never exit (no atexit
 * handlers, no stdio flushes of the parent's buffers). */
#define _GNU_SOURCE
#include "run_int.h"

#include "builder/passwd.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The largest /etc/passwd or /etc/group read. */
#define USER_FILE_LIMIT (4u << 20)

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static void send_rec(const struct run_plan *p, const struct run_rec *r)
{
    const char *b = (const char *)r;
    size_t n = sizeof *r;
    while (n > 0) {
        ssize_t w = write(p->report_fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        b += w;
        n -= (size_t)w;
    }
}

static void send_simple(const struct run_plan *p, int type, int value, const char *text)
{
    struct run_rec r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.value = value;
    if (text)
        snprintf(r.text, sizeof r.text, "%.*s", (int)sizeof r.text - 1, text);
    send_rec(p, &r);
}

/* Reports a setup failure and ends the process. sys_errno, when non-zero,
 * is appended as strerror. */
DW_NORETURN DW_PRINTF(4, 5) static void fail(const struct run_plan *p, enum err_code code,
                                             int sys_errno, const char *fmt, ...)
{
    struct run_rec r;
    memset(&r, 0, sizeof r);
    r.type = RUN_REC_ERROR;
    r.code = code;
    r.value = sys_errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r.text, sizeof r.text, fmt, ap);
    va_end(ap);
    if (sys_errno && n >= 0 && (size_t)n < sizeof r.text)
        snprintf(r.text + n, sizeof r.text - (size_t)n, ": %s", strerror(sys_errno));
    send_rec(p, &r);
    _exit(RUN_EXIT_SETUP);
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        len -= (size_t)w;
    }
    return true;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    bool ok = write_all(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return ok ? 0 : -e;
}

/* The first line of a /proc/sys file as an integer, or -1. */
static long read_sysctl(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char b[32];
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0)
        return -1;
    b[n] = '\0';
    return strtol(b, NULL, 10);
}

/* --- the helper: namespaces ------------------------------------------- */

DW_NORETURN static void fail_userns(const struct run_plan *p, int e)
{
    if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        fail(p, ERR_UNSUPPORTED, 0,
             "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)");
    if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
        fail(p, ERR_UNSUPPORTED, 0, "user namespaces are disabled (user.max_user_namespaces=0)");
    if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        fail(p, ERR_UNSUPPORTED, e,
             "unprivileged user namespaces are restricted by AppArmor "
             "(kernel.apparmor_restrict_unprivileged_userns=1)");
    fail(p, ERR_UNSUPPORTED, e, "cannot create a user namespace");
}

/* Maps the caller's uid and gid to 0 in a new user namespace (the only
 * mapping an unprivileged process may write for itself). */
static void enter_userns(const struct run_plan *p)
{
    /* A process that changed its uid (dockwright started by root, then
     * dropped) is not dumpable, and its /proc/self files then belong to
     * root: it could not write its own id maps. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (unshare(CLONE_NEWUSER) < 0)
        fail_userns(p, errno);
    char map[64];
    int rc = write_file("/proc/self/setgroups", "deny");
    if (rc < 0 && rc != -ENOENT)
        fail(p, ERR_UNSUPPORTED, -rc, "cannot write /proc/self/setgroups of the user namespace");
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)p->host_uid);
    if ((rc = write_file("/proc/self/uid_map", map)) < 0)
        fail(p, ERR_UNSUPPORTED, -rc, "cannot map uid %u in the user namespace",
             (unsigned)p->host_uid);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)p->host_gid);
    if ((rc = write_file("/proc/self/gid_map", map)) < 0)
        fail(p, ERR_UNSUPPORTED, -rc, "cannot map gid %u in the user namespace",
             (unsigned)p->host_gid);
}

DW_NORETURN static void init_main(const struct run_plan *p, int life_fd);

void bld_run_helper_main(const struct run_plan *p)
{
    /* Out of the caller's process group: a terminal's ^C reaches dockwright
     * only, which then kills the container through its init. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (p->userns)
        enter_userns(p);
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
    if (p->net == BLD_NET_NONE)
        flags |= CLONE_NEWNET;
    if (unshare(flags) < 0) {
        int e = errno;
        if (e == EPERM && !p->userns)
            fail(p, ERR_UNSUPPORTED, e, "cannot create namespaces (needs CAP_SYS_ADMIN)");
        fail(p, ERR_UNSUPPORTED, e, "cannot create the container's namespaces");
    }
    /* init watches this pipe: when the helper dies (killed with dockwright)
     * its write end closes. */
    int life[2];
    if (pipe2(life, O_CLOEXEC) < 0)
        fail(p, ERR_IO, errno, "cannot create a pipe");
    pid_t pid = fork();
    if (pid < 0)
        fail(p, ERR_IO, errno, "cannot fork the container init");
    if (pid == 0) {
        close(life[1]);
        init_main(p, life[0]);
    }
    close(life[0]);
    send_simple(p, RUN_REC_PID, (int)pid, NULL);
    /* The helper keeps nothing the command writes to. */
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    close(p->report_fd);
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            _exit(RUN_EXIT_SETUP);
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* --- init: mounts ------------------------------------------------------- */

struct init_ctx {
    const struct run_plan *p;
    int rootfd;
    int upperfd; /* overlay mode: the upper dir, for copy-up detection */
};

static void fd_path(char *out, size_t size, int fd)
{
    snprintf(out, size, "/proc/self/fd/%d", fd);
}

static void stub_created(void *vctx, const char *path, bool is_dir)
{
    struct init_ctx *c = vctx;
    /* A truncated path would make the cleanup remove the wrong entry. */
    if (strlen(path) >= RUN_REC_TEXT)
        fail(c->p, ERR_TOO_LARGE, 0, "mount point path is longer than %d bytes", RUN_REC_TEXT - 1);
    send_simple(c->p, is_dir ? RUN_REC_STUB_DIR : RUN_REC_STUB_FILE, 0, path);
}

/* Before a stub is created inside the image directory parent, every
 * directory on the way that is not yet in the upper dir will be copied up
 * by overlayfs only to hold the stub: report each so that the parent can
 * remove it again when it is still empty and unchanged. */
static void stub_parent(void *vctx, const char *parent)
{
    struct init_ctx *c = vctx;
    if (c->upperfd < 0)
        return;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", parent);
    if (strlen(parent) >= RUN_REC_TEXT)
        fail(c->p, ERR_TOO_LARGE, 0, "mount point path is longer than %d bytes", RUN_REC_TEXT - 1);
    while (path[0]) {
        int fd = bld_run_open_beneath(c->upperfd, path, O_PATH);
        if (fd >= 0) {
            close(fd);
            return; /* already in the upper dir, and so are its parents */
        }
        send_simple(c->p, RUN_REC_COPYUP, 0, path);
        char *s = strrchr(path, '/');
        if (!s)
            break;
        *s = '\0';
    }
}

/* Resolves a container path, creating it (as a stub that is reported) when
 * missing. Returns an O_PATH fd of the mount point. */
static int mount_point(struct init_ctx *c, const char *path, bool dir)
{
    struct run_mkpath mk = {
        .make = dir ? RUN_MAKE_DIR : RUN_MAKE_FILE,
        .dir_mode = 0755,
        .file_mode = 0644,
        .before_create = stub_parent,
        .created = stub_created,
        .ctx = c,
    };
    char canon[PATH_MAX];
    int fd = bld_run_resolve(c->rootfd, path, &mk, canon, sizeof canon);
    if (fd < 0)
        fail(c->p, ERR_IO, -fd, "cannot create mount point %s", path);
    struct stat st;
    if (fstat(fd, &st) == 0 && dir != S_ISDIR(st.st_mode))
        fail(c->p, ERR_INVALID, 0, "cannot mount %s on %s: it is %s",
             dir ? "a directory" : "a file", path,
             S_ISDIR(st.st_mode) ? "a directory" : "not a directory");
    return fd;
}

/* The flags a read-only remount must keep: in a user namespace the kernel
 * refuses to clear nosuid/nodev/noexec/atime flags locked by the host. */
static unsigned long locked_flags(const char *path)
{
    struct statvfs sv;
    unsigned long f = 0;
    if (statvfs(path, &sv) < 0)
        return 0;
    if (sv.f_flag & ST_NOSUID)
        f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        f |= MS_RELATIME;
    return f;
}

/* Bind-mounts host path src onto the container path target; read-only
 * when ro. */
static void bind_at(struct init_ctx *c, const char *src, const char *target, bool dir, bool ro)
{
    int fd = mount_point(c, target, dir);
    char fp[64];
    fd_path(fp, sizeof fp, fd);
    if (mount(src, fp, NULL, MS_BIND | MS_REC, NULL) < 0)
        fail(c->p, ERR_IO, errno, "cannot bind-mount %s on %s", src, target);
    close(fd);
    if (!ro)
        return;
    /* Reopen: the old fd names the mount point under the new mount. */
    fd = bld_run_resolve(c->rootfd, target, NULL, (char[PATH_MAX]){ 0 }, PATH_MAX);
    if (fd < 0)
        fail(c->p, ERR_IO, -fd, "cannot reopen %s", target);
    fd_path(fp, sizeof fp, fd);
    if (mount(NULL, fp, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(fp), NULL) < 0)
        fail(c->p, ERR_IO, errno, "cannot make %s read-only", target);
    close(fd);
}

static void fs_at(struct init_ctx *c, const char *target, const char *type, unsigned long flags,
                  const char *data)
{
    int fd = mount_point(c, target, true);
    char fp[64];
    fd_path(fp, sizeof fp, fd);
    if (mount(type, fp, type, flags, data) < 0)
        fail(c->p, ERR_IO, errno, "cannot mount %s on %s", type, target);
    close(fd);
}

static void overlay_error(const struct run_plan *p, int e, const char *what)
{
    if (p->userns && (e == EPERM || e == EINVAL))
        fail(p, ERR_UNSUPPORTED, e,
             "overlayfs not permitted in a user namespace (needs linux 5.11 or later with "
             "userxattr)");
    if (e == ENODEV)
        fail(p, ERR_UNSUPPORTED, 0, "overlayfs is not available in this kernel (modprobe overlay)");
    fail(p, ERR_IO, e, "cannot mount overlayfs on %s", what);
}

static void mount_root(const struct run_plan *p)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail(p, ERR_UNSUPPORTED, errno, "cannot make the mount namespace private");
    if (p->overlay) {
        if (mount("overlay", p->merged, "overlay", 0, p->root_data) < 0)
            overlay_error(p, errno, "the container root");
    } else if (mount(p->rootfs, p->merged, NULL, MS_BIND | MS_REC, NULL) < 0) {
        fail(p, ERR_IO, errno, "cannot bind-mount the root filesystem %s", p->rootfs);
    }
}

/* Reads a file of the image (through its symlinks, inside the root);
 * missing or unreadable files are reported as a NULL slice. */
static struct str read_image_file(struct init_ctx *c, const char *path)
{
    char canon[PATH_MAX];
    int fd = bld_run_resolve(c->rootfd, path, NULL, canon, sizeof canon);
    if (fd < 0)
        return STR_NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = bld_run_read_fd(fd, USER_FILE_LIMIT, &data, &len);
    close(fd);
    if (rc == -EFBIG)
        fail(c->p, ERR_TOO_LARGE, 0, "%s is larger than %u bytes", path, USER_FILE_LIMIT);
    return rc < 0 ? STR_NULL : str_make(data, len);
}

static void mount_dev(struct init_ctx *c)
{
    static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
    fs_at(c, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    char canon[PATH_MAX];
    int dev = bld_run_resolve(c->rootfd, "/dev", NULL, canon, sizeof canon);
    if (dev < 0)
        fail(c->p, ERR_IO, -dev, "cannot open /dev");
    for (size_t i = 0; i < DW_ARRAY_LEN(nodes); i++) {
        char host[32], fp[64];
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        int fd = openat(dev, nodes[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0)
            fail(c->p, ERR_IO, errno, "cannot create %s", host);
        close(fd);
        fd = openat(dev, nodes[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            fail(c->p, ERR_IO, errno, "cannot open %s", host);
        fd_path(fp, sizeof fp, fd);
        if (mount(host, fp, NULL, MS_BIND, NULL) < 0)
            fail(c->p, ERR_IO, errno, "cannot bind-mount %s", host);
        close(fd);
    }
    static const char *const links[][2] = {
        { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        { "ptmx", "pts/ptmx" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(links); i++)
        if (symlinkat(links[i][1], dev, links[i][0]) < 0)
            fail(c->p, ERR_IO, errno, "cannot create /dev/%s", links[i][0]);
    if (mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0)
        fail(c->p, ERR_IO, errno, "cannot create /dev/pts or /dev/shm");
    if (c->p->script) {
        /* The heredoc script lives on this tmpfs: never in the layer. */
        if (mkdirat(dev, "pipes", 0755) < 0)
            fail(c->p, ERR_IO, errno, "cannot create /dev/pipes");
        char name[NAME_MAX + 8];
        snprintf(name, sizeof name, "pipes/%s", c->p->script_name);
        int fd = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0 || !write_all(fd, c->p->script, c->p->script_len) || fchmod(fd, 0755) < 0)
            fail(c->p, ERR_IO, errno, "cannot write /dev/%s", name);
        close(fd);
    }
    close(dev);
    /* A private devpts instance; where that is refused, a tmpfs stands in
     * (the command then has no terminals, which RUN does not need). */
    int fd = mount_point(c, "/dev/pts", true);
    char fp[64];
    fd_path(fp, sizeof fp, fd);
    if (mount("devpts", fp, "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=0620") < 0 &&
        mount("tmpfs", fp, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
        fail(c->p, ERR_IO, errno, "cannot mount /dev/pts");
    close(fd);
    fs_at(c, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
}

/* Remounts read-only every mount below the container path prefix (a
 * recursive bind brings the host's submounts along, writable). Best
 * effort: mount points with blanks (escaped in mountinfo) are skipped. */
static void readonly_below(struct init_ctx *c, const char *prefix)
{
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s%s", c->p->merged, prefix);
    int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char *info = NULL;
    size_t len = 0;
    int rc = bld_run_read_fd(fd, 1u << 22, &info, &len);
    close(fd);
    if (rc < 0)
        return;
    for (char *line = info; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        /* Fields: id parent major:minor root mount-point ... */
        char *f = line;
        for (int i = 0; i < 4 && f; i++) {
            f = strchr(f, ' ');
            if (f)
                f++;
        }
        char *end = f ? strchr(f, ' ') : NULL;
        if (end) {
            *end = '\0';
            if (strncmp(f, want, strlen(want)) == 0)
                mount(NULL, f, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(f), NULL);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(info);
}

/* sysfs read-only; a user namespace that does not own the network
 * namespace may not mount it: then the host's /sys is bound read-only, and
 * if that fails too the container has an empty /sys. */
static void mount_sys(struct init_ctx *c)
{
    int fd = mount_point(c, "/sys", true);
    char fp[64];
    fd_path(fp, sizeof fp, fd);
    unsigned long fl = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    /* Without MS_REC first: the host's cgroup mounts below /sys would stay
     * writable under a read-only /sys. A user namespace may refuse to bind
     * a mount without the mounts locked on top of it; then recursively. */
    if (mount("sysfs", fp, "sysfs", fl, NULL) < 0 &&
        (mount("/sys", fp, NULL, MS_BIND, NULL) == 0 ||
         mount("/sys", fp, NULL, MS_BIND | MS_REC, NULL) == 0)) {
        close(fd);
        fd = bld_run_resolve(c->rootfd, "/sys", NULL, (char[PATH_MAX]){ 0 }, PATH_MAX);
        if (fd >= 0) {
            fd_path(fp, sizeof fp, fd);
            mount(NULL, fp, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(fp), NULL);
        }
        readonly_below(c, "/sys/");
    }
    if (fd >= 0)
        close(fd);
}

static void mount_secret(struct init_ctx *c, const struct run_mnt *m, size_t index)
{
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/secret%zu", c->p->priv, index);
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || !write_all(fd, m->data, m->len))
        fail(c->p, ERR_IO, errno, "cannot write the secret for %s", m->target);
    if (fchown(fd, m->uid, m->gid) < 0)
        fail(c->p, ERR_INVALID, errno, "cannot give the secret %s to %u:%u", m->target, m->uid,
             m->gid);
    if (fchmod(fd, m->mode) < 0)
        fail(c->p, ERR_IO, errno, "cannot set the mode of the secret %s", m->target);
    close(fd);
    bind_at(c, file, m->target, false, true);
}

static void mount_user(struct init_ctx *c)
{
    for (size_t i = 0; i < c->p->n_mnts; i++) {
        const struct run_mnt *m = &c->p->mnts[i];
        switch (m->kind) {
        case RUN_MNT_BIND: bind_at(c, m->source, m->target, m->dir, m->ro); break;
        case RUN_MNT_OVERLAY: {
            int fd = mount_point(c, m->target, true);
            char fp[64];
            fd_path(fp, sizeof fp, fd);
            if (mount("overlay", fp, "overlay", 0, m->source) < 0)
                overlay_error(c->p, errno, m->target);
            close(fd);
            break;
        }
        case RUN_MNT_TMPFS: {
            char data[64];
            if (m->size)
                snprintf(data, sizeof data, "mode=1777,size=%llu", (unsigned long long)m->size);
            else
                snprintf(data, sizeof data, "mode=1777");
            fs_at(c, m->target, "tmpfs", MS_NOSUID | MS_NODEV | (m->ro ? MS_RDONLY : 0), data);
            break;
        }
        case RUN_MNT_SECRET: mount_secret(c, m, i); break;
        }
    }
}

static void loopback_up(const struct run_plan *p)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        fail(p, ERR_IO, errno, "cannot open a socket to bring lo up");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        fail(p, ERR_IO, errno, "cannot read the flags of lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        fail(p, ERR_IO, errno, "cannot bring lo up");
    close(s);
}

/* --- the command -------------------------------------------------------- */

/* Docker's default capability set for containers (BuildKit's sandbox). */
static bool default_cap(int cap)
{
    switch (cap) {
    case CAP_CHOWN:
    case CAP_DAC_OVERRIDE:
    case CAP_FOWNER:
    case CAP_FSETID:
    case CAP_KILL:
    case CAP_SETGID:
    case CAP_SETUID:
    case CAP_SETPCAP:
    case CAP_NET_BIND_SERVICE:
    case CAP_NET_RAW:
    case CAP_SYS_CHROOT:
    case CAP_MKNOD:
    case CAP_AUDIT_WRITE:
    case CAP_SETFCAP: return true;
    default: return false;
    }
}

/* Builds the final environment: the plan's, plus HOME when absent. */
static char **final_env(const struct run_plan *p, const struct bld_user *u)
{
    size_t n = 0;
    while (p->env[n])
        n++;
    char **env = xcalloc(n + 2, sizeof *env);
    memcpy(env, p->env, n * sizeof *env);
    if (!p->env_has_home) {
        size_t len = strlen(u->home) + 6;
        env[n] = xmalloc(len);
        snprintf(env[n], len, "HOME=%s", u->home);
    }
    return env;
}

static const char *env_get(char **env, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 0; env[i]; i++)
        if (strncmp(env[i], key, k) == 0 && env[i][k] == '=')
            return env[i] + k + 1;
    return NULL;
}

/* execve with a PATH search in the container's PATH (execvpe would use
 * dockwright's). Returns only on failure, with errno of the most telling
 * attempt. */
static void exec_command(char **argv, char **env)
{
    const char *file = argv[0];
    if (strchr(file, '/')) {
        execve(file, argv, env);
        return;
    }
    const char *path = env_get(env, "PATH");
    if (!path)
        path = default_path;
    int best = ENOENT;
    char full[PATH_MAX];
    for (const char *s = path;; s++) {
        const char *e = strchr(s, ':');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int w = n ? snprintf(full, sizeof full, "%.*s/%s", (int)n, s, file)
                  : snprintf(full, sizeof full, "%s", file);
        if (w > 0 && (size_t)w < sizeof full) {
            execve(full, argv, env);
            if (errno == EACCES || errno == ENOEXEC || errno == ENOTDIR)
                best = errno == ENOTDIR ? best : errno;
        }
        if (!e)
            break;
        s = e;
    }
    errno = best;
}

DW_NORETURN static void command_main(const struct run_plan *p, const struct bld_user *u,
                                     int cap_last)
{
    setsid();
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);

    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = p->out_fd >= 0 ? p->out_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
    int errfd = p->err_fd >= 0 ? p->err_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in < 0 || out < 0 || errfd < 0)
        fail(p, ERR_IO, errno, "cannot open /dev/null in the container");
    /* dup2 onto 0-2 clears close-on-exec there; everything else is closed
     * by execve. */
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        fail(p, ERR_IO, errno, "cannot set up the command's standard streams");
    if (in > 2)
        close(in);
    if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) < 0) {
        for (int fd = 3; fd < 1024; fd++)
            if (fd != p->report_fd)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
    }

    if (!p->insecure)
        for (int cap = 0; cap <= cap_last; cap++)
            if (!default_cap(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                fail(p, ERR_IO, errno, "cannot drop capability %d", cap);

    if (!p->userns) {
        gid_t groups[BLD_USER_MAX_GROUPS];
        for (size_t i = 0; i < u->n_groups; i++)
            groups[i] = u->groups[i];
        if (setgroups(u->n_groups, groups) < 0)
            fail(p, ERR_IO, errno, "cannot set the supplementary groups");
    }
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        fail(p, ERR_IO, errno, "cannot change to gid %u", u->gid);
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        fail(p, ERR_IO, errno, "cannot change to uid %u", u->uid);
    if (chdir(p->workdir) < 0)
        fail(p, ERR_IO, errno, "cannot change to the working directory %s", p->workdir);

    char **env = final_env(p, u);
    exec_command(p->argv, env);
    int e = errno;
    /* As a shell does: 127 for a command that is not there, 126 for one
     * that cannot be executed. The message goes to the command's stderr. */
    dprintf(2, "dockwright: exec \"%s\": %s\n", p->argv[0],
            e == ENOENT && !strchr(p->argv[0], '/') ? "executable file not found in $PATH"
                                                    : strerror(e));
    _exit(e == ENOENT ? 127 : 126);
}

/* --- init ---------------------------------------------------------------- */

static void reap_and_report(const struct run_plan *p, pid_t cmd)
{
    int status = 0;
    bool have = false;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: nobody left */
        }
        if (w == cmd) {
            status = st;
            have = true;
            /* The command is done: whatever it left running goes too, as
             * when a container's main process exits. */
            kill(-1, SIGKILL);
        }
    }
    if (have)
        send_simple(p, RUN_REC_STATUS, status, NULL);
}

static void init_main(const struct run_plan *p, int life_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct pollfd pf = { .fd = life_fd, .events = POLLIN };
    if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR)))
        _exit(RUN_EXIT_SETUP); /* the helper died before we could notice */

    struct init_ctx c = { .p = p, .rootfd = -1, .upperfd = -1 };
    mount_root(p);
    c.rootfd = open(p->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c.rootfd < 0)
        fail(p, ERR_IO, errno, "cannot open the container root");
    if (p->probe) {
        fs_at(&c, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        send_simple(p, RUN_REC_PROBE_OK, 0, NULL);
        _exit(0);
    }
    if (p->overlay) {
        c.upperfd = open(p->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c.upperfd < 0)
            fail(p, ERR_IO, errno, "cannot open the upper dir %s", p->upper);
    }
    if (mount("tmpfs", p->priv, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=4m") < 0)
        fail(p, ERR_IO, errno, "cannot mount a private tmpfs");

    struct bld_user user;
    struct err e;
    err_clear(&e);
    struct str passwd = read_image_file(&c, "/etc/passwd");
    struct str group = read_image_file(&c, "/etc/group");
    if (bld_user_resolve(p->user, passwd, group, &user, &e) < 0)
        fail(p, e.code, 0, "%s", e.msg);
    if (p->userns && (user.uid != 0 || user.gid != 0))
        fail(p, ERR_UNSUPPORTED, 0,
             "user %s is %u:%u, but a rootless build maps only uid and gid 0 (no subordinate ids)",
             p->user ? p->user : "root", user.uid, user.gid);

    /* WORKDIR: created like BuildKit does, 0755 and owned by the user; it is
     * a real change of the image, not a stub. */
    struct run_mkpath wd = {
        .make = RUN_MAKE_DIR,
        .dir_mode = 0755,
        .chown = true,
        .uid = user.uid,
        .gid = user.gid,
    };
    char canon[PATH_MAX];
    int wfd = bld_run_resolve(c.rootfd, p->workdir, &wd, canon, sizeof canon);
    if (wfd < 0)
        fail(p, ERR_IO, -wfd, "cannot create the working directory %s", p->workdir);
    close(wfd);

    fs_at(&c, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount_dev(&c);
    mount_sys(&c);
    bind_at(&c, p->resolv, "/etc/resolv.conf", false, true);
    bind_at(&c, p->hosts, "/etc/hosts", false, true);
    mount_user(&c);

    if (sethostname(p->hostname, strlen(p->hostname)) < 0)
        fail(p, ERR_IO, errno, "cannot set the hostname");
    if (p->net == BLD_NET_NONE)
        loopback_up(p);

    long cap_last = read_sysctl("/proc/sys/kernel/cap_last_cap");
    if (cap_last < 0)
        cap_last = CAP_LAST_CAP;

    /* pivot_root(".", "."): the old root ends up mounted on top of the new
     * one and is detached right away (pivot_root(2), NOTES). */
    if (fchdir(c.rootfd) < 0)
        fail(p, ERR_IO, errno, "cannot enter the container root");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        fail(p, ERR_UNSUPPORTED, errno, "pivot_root failed");
    if (umount2(".", MNT_DETACH) < 0)
        fail(p, ERR_IO, errno, "cannot detach the old root");
    if (chdir("/") < 0)
        fail(p, ERR_IO, errno, "cannot enter the new root");
    close(c.rootfd);
    if (c.upperfd >= 0)
        close(c.upperfd);

    pid_t cmd = fork();
    if (cmd < 0)
        fail(p, ERR_IO, errno, "cannot fork the command");
    if (cmd == 0)
        command_main(p, &user, (int)cap_last);
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    reap_and_report(p, cmd);
    _exit(0);
}
