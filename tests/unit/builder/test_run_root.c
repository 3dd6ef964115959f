/* bld_run over overlayfs with a busybox rootfs: output, exit codes, env,
 * workdir, USER, layers (new files, whiteouts), network none, the pid
 * namespace, heredocs, command not found, timeouts, cancellation, and that
 * neither mounts nor mount points leak. Needs root, namespaces, overlayfs
 * and busybox-static (exits 77 otherwise, saying why). */
#include "builder/run.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "root_env.h"

static char base[256];   /* scratch dir of the whole program */
static char rootfs[300]; /* the busybox rootfs: the lower layer */
static char upper[300], work[300];
static int step;

struct out {
    struct buf o, e;
    volatile sig_atomic_t *cancel_on_line; /* set when a stdout line arrives */
};

static void on_output(void *ctx, enum bld_stream s, const char *data, size_t len)
{
    struct out *out = ctx;
    assert_int_equal(buf_append(s == BLD_STREAM_STDOUT ? &out->o : &out->e, data, len), 0);
    if (s == BLD_STREAM_STDOUT && out->cancel_on_line)
        *out->cancel_on_line = 1;
}

/* Fresh upper and work dirs for each run. */
static void new_layer(void)
{
    step++;
    snprintf(upper, sizeof upper, "%s/upper%d", base, step);
    snprintf(work, sizeof work, "%s/work%d", base, step);
    assert_int_equal(mkdir(upper, 0755), 0);
    assert_int_equal(mkdir(work, 0700), 0);
}

static void opts_for(struct bld_run_opts *o, const char *const *lower, struct out *out)
{
    bld_run_opts_init(o);
    o->lower = lower;
    o->n_lower = 1;
    o->upper = upper;
    o->work = work;
    o->tmp_dir = base;
    o->on_output = on_output;
    o->output_ctx = out;
    o->form = BLD_CMD_SHELL;
}

/* Runs a shell command in a new layer; returns bld_run's result. */
static int run_sh(const char *cmd, struct out *out, struct bld_run_result *res, struct err *e)
{
    static const char *lower[1];
    lower[0] = rootfs;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, out);
    o.text = cmd;
    return bld_run(&o, res, e);
}

static void out_init(struct out *out)
{
    memset(out, 0, sizeof *out);
    buf_init(&out->o, 0);
    buf_init(&out->e, 0);
}

static void out_release(struct out *out)
{
    buf_release(&out->o);
    buf_release(&out->e);
}

static bool exists(const char *dir, const char *rel)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static int count_entries(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
    return system(cmd) == 0 ? 0 : 1;
}

static void read_mountinfo(struct buf *b)
{
    assert_int_equal(root_env_mounts(base, b), 0);
}

/* --- tests ---------------------------------------------------------------- */

static void test_echo_and_clean_layer(void **state)
{
    (void)state;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    struct buf before, after;
    read_mountinfo(&before);
    assert_int_equal(run_sh("echo hi; echo oops >&2", &out, &res, &e), 0);
    read_mountinfo(&after);
    assert_int_equal(res.outcome, BLD_RUN_EXITED);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out.o), "hi\n");
    assert_string_equal(buf_cstr(&out.e), "oops\n");
    assert_true(res.wall_ns > 0);
    /* Mount points (/etc/resolv.conf, /etc/hosts) and the /etc copied up
     * to hold them are gone: the layer of a no-op is empty. */
    assert_int_equal(count_entries(upper), 0);
    /* Nothing stays mounted on the host. */
    assert_string_equal(buf_cstr(&before), buf_cstr(&after));
    buf_release(&before);
    buf_release(&after);
    out_release(&out);
}

static void test_exit_codes(void **state)
{
    (void)state;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    assert_int_equal(run_sh("exit 3", &out, &res, &e), 0);
    assert_int_equal(res.outcome, BLD_RUN_EXITED);
    assert_int_equal(res.exit_code, 3);
    assert_int_equal(res.status, 3);
    assert_int_equal(run_sh("kill -TERM $$", &out, &res, &e), 0);
    assert_int_equal(res.outcome, BLD_RUN_SIGNALED);
    assert_int_equal(res.signal, SIGTERM);
    assert_int_equal(res.status, 128 + SIGTERM);
    out_release(&out);
}

static void test_env_and_workdir(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    const char *env[] = { "FOO=bar baz", "EMPTY=" };
    const char *argv[] = { "env" }; /* exec form: found through the default PATH */
    o.form = BLD_CMD_EXEC;
    o.argv = argv;
    o.argc = 1;
    o.env = env;
    o.n_env = 2;
    o.workdir = "/srv/app/";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out.o),
                        "FOO=bar baz\nEMPTY=\n"
                        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                        "HOME=/root\n");
    /* The workdir was created in the layer, 0755, owned by root. */
    char p[600];
    snprintf(p, sizeof p, "%s/srv/app", upper);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0755);

    /* A given PATH and HOME are kept; the command runs in the workdir. */
    buf_reset(&out.o);
    new_layer();
    opts_for(&o, lower, &out);
    const char *env2[] = { "PATH=/bin", "HOME=/nowhere" };
    o.env = env2;
    o.n_env = 2;
    o.workdir = "/tmp";
    o.text = "pwd; echo $PATH $HOME";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out.o), "/tmp\n/bin /nowhere\n");
    out_release(&out);
}

static void test_user(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    /* A private upper dir: the container's / must still look like the
     * image's (0755), or user app could not reach anything. */
    assert_int_equal(chmod(upper, 0700), 0);
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.user = "app";
    o.workdir = "/data/w";
    o.text = "id -u; id -g; id -G; echo $HOME; touch mine";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out.o), "1000\n1000\n1000 2000\n/home/app\n");
    /* WORKDIR created for the user: owned by them, as BuildKit does. */
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/data/w", upper);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1000);
    snprintf(p, sizeof p, "%s/data/w/mine", upper);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_uid, 1000);

    /* uid:gid and an explicit group. */
    buf_reset(&out.o);
    new_layer();
    opts_for(&o, lower, &out);
    o.user = "4242:extra";
    o.text = "id -u; id -g; id -G";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out.o), "4242\n2000\n2000\n");

    /* An unknown user fails like BuildKit, before anything runs. */
    new_layer();
    opts_for(&o, lower, &out);
    o.user = "ghost";
    o.text = "echo should not run";
    assert_int_equal(bld_run(&o, &res, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "unable to find user ghost: no matching entries in passwd file");
    assert_int_equal(count_entries(upper), 0);
    out_release(&out);
}

static void test_layer_changes(void **state)
{
    (void)state;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    assert_int_equal(
        run_sh("echo data > /tmp/new && rm /bin/ls && mkdir -p /opt/x", &out, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    /* The new file is in the upper dir, not in the lower one. */
    assert_true(exists(upper, "tmp/new"));
    assert_false(exists(rootfs, "tmp/new"));
    assert_true(exists(upper, "opt/x"));
    /* A deleted lower file is an overlay whiteout: a char device 0/0. */
    char p[600];
    snprintf(p, sizeof p, "%s/bin/ls", upper);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(major(st.st_rdev), 0);
    assert_int_equal(minor(st.st_rdev), 0);
    assert_true(exists(rootfs, "bin/ls"));
    /* The stubs are gone, /etc was not left behind. */
    assert_false(exists(upper, "etc"));
    out_release(&out);
}

static void test_network_none(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.net = BLD_NET_NONE;
    o.text = "tail -n +3 /proc/net/dev | sed 's/:.*//; s/ //g'; cat /sys/class/net/lo/operstate";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    /* Only lo; its operstate is "unknown" when up (loopback has no carrier
     * state), "down" otherwise. */
    assert_string_equal(buf_cstr(&out.o), "lo\nunknown\n");

    /* Host networking sees the host's interfaces: more than lo. */
    buf_reset(&out.o);
    new_layer();
    opts_for(&o, lower, &out);
    o.text = "tail -n +3 /proc/net/dev | wc -l";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    FILE *f = fopen("/proc/net/dev", "r");
    assert_non_null(f);
    int host_lines = 0;
    char line[512];
    while (fgets(line, sizeof line, f))
        host_lines++;
    fclose(f);
    char want[32];
    snprintf(want, sizeof want, "%d\n", host_lines - 2);
    assert_string_equal(buf_cstr(&out.o), want);
    out_release(&out);
}

static void test_pid_uts_namespaces(void **state)
{
    (void)state;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    assert_int_equal(
        run_sh("echo $$; set -- /proc/[0-9]*; echo $#; hostname; cat /etc/hosts", &out, &res, &e),
        0);
    assert_int_equal(res.exit_code, 0);
    /* The shell is pid 2 (init is 1), and they are all the namespace holds
     * (the shell counts /proc itself: a pipeline's processes start at
     * their own pace, so `ls /proc | grep -c` saw 3 or 4). */
    assert_string_equal(buf_cstr(&out.o), "2\n2\nbuildkitsandbox\n"
                                          "127.0.0.1\tlocalhost buildkitsandbox\n"
                                          "::1\tlocalhost ip6-localhost ip6-loopback\n");
    out_release(&out);
}

static void test_heredoc(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.form = BLD_CMD_HEREDOC;
    o.heredoc_name = "SCRIPT";
    o.text = "#!/bin/sh\necho \"running $0\"\necho two\n";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out.o), "running /dev/pipes/SCRIPT\ntwo\n");
    /* The script lived on the /dev tmpfs: not in the layer. */
    assert_int_equal(count_entries(upper), 0);

    /* Without #!, the body goes to the shell as one -c argument. */
    buf_reset(&out.o);
    new_layer();
    opts_for(&o, lower, &out);
    o.form = BLD_CMD_HEREDOC;
    o.text = "echo a\necho b $0\n";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out.o), "a\nb /bin/sh\n");

    /* A custom SHELL. */
    buf_reset(&out.o);
    new_layer();
    opts_for(&o, lower, &out);
    const char *shell[] = { "/bin/busybox", "sh", "-c" };
    o.shell = shell;
    o.n_shell = 3;
    o.text = "echo via busybox";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out.o), "via busybox\n");
    out_release(&out);
}

static void test_command_not_found(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    const char *argv[] = { "no-such-command", "x" };
    o.form = BLD_CMD_EXEC;
    o.argv = argv;
    o.argc = 2;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.outcome, BLD_RUN_EXITED);
    assert_int_equal(res.exit_code, 127);
    assert_string_equal(
        buf_cstr(&out.e),
        "dockwright: exec \"no-such-command\": executable file not found in $PATH\n");

    buf_reset(&out.e);
    const char *argv2[] = { "/no/such/file" };
    new_layer();
    opts_for(&o, lower, &out);
    o.form = BLD_CMD_EXEC;
    o.argv = argv2;
    o.argc = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 127);
    assert_non_null(strstr(buf_cstr(&out.e), "No such file or directory"));

    /* A file that is not executable: 126. */
    const char *argv3[] = { "/etc/passwd" };
    new_layer();
    opts_for(&o, lower, &out);
    o.form = BLD_CMD_EXEC;
    o.argv = argv3;
    o.argc = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 126);

    /* Through the shell: the shell's own 127. */
    assert_int_equal(run_sh("no-such-command", &out, &res, &e), 0);
    assert_int_equal(res.exit_code, 127);
    out_release(&out);
}

static void test_timeout_and_leftovers(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.text = "sleep 30";
    o.timeout_ms = 300;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.outcome, BLD_RUN_TIMED_OUT);
    assert_int_equal(res.signal, SIGKILL);
    assert_true(res.wall_ns < 5000000000ull);
    assert_true(res.wall_ns >= 300000000ull);

    /* A background process that keeps the output pipe open does not hold
     * the run: init kills it when the command exits. */
    buf_reset(&out.o);
    assert_int_equal(run_sh("sleep 30 & echo done", &out, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out.o), "done\n");
    assert_true(res.wall_ns < 5000000000ull);
    out_release(&out);
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void raise_sigint(void *ctx, enum bld_stream s, const char *data, size_t len)
{
    on_output(ctx, s, data, len);
    raise(SIGINT);
}

/* Is a process running "sleep 37" (the marker the test starts)? */
static bool marker_sleep_running(void)
{
    FILE *p = popen("grep -l -a -x 'sleep.37.' /proc/[0-9]*/cmdline 2>/dev/null", "r");
    assert_non_null(p);
    char line[256];
    bool found = fgets(line, sizeof line, p) != NULL;
    pclose(p);
    return found;
}

static void test_cancel(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    static volatile sig_atomic_t cancel;
    cancel = 0;
    struct out out;
    out_init(&out);
    out.cancel_on_line = &cancel;
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.cancel = &cancel;
    o.text = "echo started; sleep 30; echo never";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.outcome, BLD_RUN_CANCELLED);
    assert_string_equal(buf_cstr(&out.o), "started\n");
    assert_true(res.wall_ns < 5000000000ull);
    /* Even a killed run leaves no mount point behind. */
    assert_false(exists(upper, "etc/resolv.conf"));

    /* A SIGINT to dockwright, whose handler sets the flag, kills the whole
     * process tree of the container, background processes included. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    assert_int_equal(sigaction(SIGINT, &sa, &old), 0);
    interrupted = 0;
    buf_reset(&out.o);
    out.cancel_on_line = NULL;
    new_layer();
    opts_for(&o, lower, &out);
    o.on_output = raise_sigint;
    o.cancel = &interrupted;
    o.text = "sleep 37 & sleep 37 & echo started; wait";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(sigaction(SIGINT, &old, NULL), 0);
    assert_int_equal(res.outcome, BLD_RUN_CANCELLED);
    assert_false(marker_sleep_running());
    out_release(&out);
}

static void test_fd_sinks(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    char path[400];
    snprintf(path, sizeof path, "%s/stdout-sink", base);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    new_layer();
    struct bld_run_opts o;
    opts_for(&o, lower, &out);
    o.on_output = NULL;
    o.stdout_fd = fd;
    o.stderr_fd = -1; /* discarded */
    o.text = "echo to-fd; echo dropped >&2";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    close(fd);
    struct buf got = BUF_INIT;
    assert_int_equal(file_read_all(path, 0, &got, &e), 0);
    assert_string_equal(buf_cstr(&got), "to-fd\n");
    buf_release(&got);
    out_release(&out);
}

static void test_bad_options(void **state)
{
    (void)state;
    static const char *lower[1];
    lower[0] = rootfs;
    struct out out;
    out_init(&out);
    struct bld_run_result res;
    struct err e;
    struct bld_run_opts o;
    new_layer();
    opts_for(&o, lower, &out);
    o.text = NULL;
    assert_int_equal(bld_run(&o, &res, &e), ERR_USAGE);
    opts_for(&o, lower, &out);
    o.text = "true";
    o.workdir = "relative";
    assert_int_equal(bld_run(&o, &res, &e), ERR_USAGE);
    assert_string_equal(e.msg, "working directory 'relative' is not absolute");
    opts_for(&o, lower, &out);
    o.text = "true";
    const char *env[] = { "NOVALUE" };
    o.env = env;
    o.n_env = 1;
    assert_int_equal(bld_run(&o, &res, &e), ERR_USAGE);
    opts_for(&o, lower, &out);
    o.text = "true";
    struct bld_mount ssh = { .type = BLD_MOUNT_SSH, .target = "/ssh" };
    o.mounts = &ssh;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "RUN --mount=type=ssh is not supported by the embedded builder");
    opts_for(&o, lower, &out);
    o.text = "true";
    struct bld_mount root = { .type = BLD_MOUNT_TMPFS, .target = "/x/.." };
    o.mounts = &root;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), ERR_USAGE);
    assert_string_equal(e.msg, "invalid mount target \"/\"");
    /* A lower dir that does not exist: a setup error, not a crash. */
    const char *missing[] = { "/nonexistent-dw-lower" };
    opts_for(&o, missing, &out);
    o.text = "true";
    assert_true(bld_run(&o, &res, &e) < 0);
    assert_non_null(strstr(e.msg, "overlayfs"));
    out_release(&out);
}

/* --- setup ---------------------------------------------------------------- */

static int teardown_all(void **state)
{
    (void)state;
    return root_env_remove(base);
}

int main(void)
{
    int rc = root_env_setup("the RUN executor tests", "dw-run-test", base, sizeof base, rootfs,
                            sizeof rootfs);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_clean_layer),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_env_and_workdir),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_layer_changes),
        cmocka_unit_test(test_network_none),
        cmocka_unit_test(test_pid_uts_namespaces),
        cmocka_unit_test(test_heredoc),
        cmocka_unit_test(test_command_not_found),
        cmocka_unit_test(test_timeout_and_leftovers),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_fd_sinks),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
