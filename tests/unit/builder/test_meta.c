/* Image config updates and history entries for the metadata instructions,
 * with BuildKit's texts, and the RUN/COPY history texts. */
#include "builder/meta.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct fixture {
    struct arena a;
    struct bld_image_config cfg;
    struct bld_meta m;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    arena_init(&f.a);
    bld_meta_begin(&f.m, &f.cfg, &f.a, bld_meta_time(0, &f.a), NULL, NULL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    arena_release(&f->a);
    return 0;
}

static const struct bld_history *last(const struct fixture *f)
{
    assert_true(f->cfg.n_history > 0);
    return &f->cfg.history[f->cfg.n_history - 1];
}

static void assert_history(const struct fixture *f, const char *text, bool empty_layer)
{
    const struct bld_history *h = last(f);
    assert_string_equal(h->created_by, text);
    assert_int_equal(h->empty_layer, empty_layer);
    assert_string_equal(h->comment, "buildkit.dockerfile.v0");
    assert_string_equal(h->created, "1970-01-01T00:00:00Z");
}

static void assert_strs(const struct bld_strs *s, const char *const *want, size_t n)
{
    assert_int_equal(s->len, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(s->items[i], want[i]);
}

static void test_env_label(void **state)
{
    struct fixture *f = *state;
    struct err err;
    const struct bld_kv base[] = { { "PATH", "/usr/bin" }, { "A", "1" } };
    assert_int_equal(bld_meta_env(&f->m, base, 2, &err), 0);
    const struct bld_kv more[] = { { "A", "2" }, { "B", "x y" } };
    assert_int_equal(bld_meta_env(&f->m, more, 2, &err), 0);
    const char *want[] = { "PATH=/usr/bin", "A=2", "B=x y" };
    assert_strs(&f->cfg.config.env, want, 3);
    assert_history(f, "ENV A=2 B=x y", true);
    /* Keys are case-sensitive on Linux. */
    const struct bld_kv lower[] = { { "a", "3" } };
    assert_int_equal(bld_meta_env(&f->m, lower, 1, &err), 0);
    assert_int_equal(f->cfg.config.env.len, 4);
    const struct bld_kv blank[] = { { "", "3" } };
    assert_int_equal(bld_meta_env(&f->m, blank, 1, &err), ERR_INVALID);
    assert_string_equal(err.msg, "ENV names can not be blank");

    const struct bld_kv l1[] = { { "z", "1" }, { "a", "1" } };
    assert_int_equal(bld_meta_label(&f->m, l1, 2, &err), 0);
    const struct bld_kv l2[] = { { "a", "2" }, { "org.opencontainers.image.title", "t" } };
    assert_int_equal(bld_meta_label(&f->m, l2, 2, &err), 0);
    assert_int_equal(f->cfg.config.n_labels, 3);
    assert_string_equal(f->cfg.config.labels[0].key, "a");
    assert_string_equal(f->cfg.config.labels[0].value, "2");
    assert_string_equal(f->cfg.config.labels[1].key, "org.opencontainers.image.title");
    assert_string_equal(f->cfg.config.labels[2].key, "z");
    assert_history(f, "LABEL a=2 org.opencontainers.image.title=t", true);
}

static void test_expose(void **state)
{
    struct fixture *f = *state;
    struct err err;
    const char *ports[] = { "80", "443/udp", "8000-8002/TCP", "127.0.0.1:8080:90", "80/tcp" };
    assert_int_equal(bld_meta_expose(&f->m, ports, 5, &err), 0);
    const char *want[] = { "80/tcp", "443/udp", "8000/tcp", "8001/tcp", "8002/tcp", "90/tcp" };
    assert_strs(&f->cfg.config.exposed_ports, want, 6);
    assert_history(f, "EXPOSE [80/tcp 443/udp 8000/tcp 8001/tcp 8002/tcp 90/tcp 80/tcp]", true);
    static const struct {
        const char *port, *msg;
    } bad[] = {
        { "80/xyz", "invalid proto: xyz" },
        { "abc", "invalid containerPort: abc" },
        { "/tcp", "no port specified: /tcp<empty>" },
        { "70000", "invalid containerPort: 70000" },
        { "9000-8000", "invalid containerPort: 9000-8000" },
        { "x:80", "invalid hostPort: x" },
        { "300.1.1.1:80:80", "invalid IP address: 300.1.1.1" },
        { "8000-8001:80-90", "invalid ranges specified for container and host Ports: 80-90 and "
                             "8000-8001" },
    };
    size_t before = f->cfg.n_history;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(bld_meta_expose(&f->m, &bad[i].port, 1, &err), ERR_INVALID);
        assert_string_equal(err.msg, bad[i].msg);
    }
    assert_int_equal(f->cfg.n_history, before); /* nothing recorded on error */
}

static void test_user_workdir(void **state)
{
    struct fixture *f = *state;
    struct err err;
    assert_int_equal(bld_meta_user(&f->m, "app:staff", &err), 0);
    assert_string_equal(f->cfg.config.user, "app:staff");
    assert_history(f, "USER app:staff", true);
    const char *wd;
    bool layer;
    assert_int_equal(bld_meta_workdir(&f->m, "/app", &wd, &layer, &err), 0);
    assert_string_equal(wd, "/app");
    assert_true(layer);
    assert_history(f, "WORKDIR /app", false);
    assert_int_equal(bld_meta_workdir(&f->m, "sub//dir/", &wd, &layer, &err), 0);
    assert_string_equal(wd, "/app/sub/dir");
    assert_int_equal(bld_meta_workdir(&f->m, "../../x", &wd, &layer, &err), 0);
    assert_string_equal(wd, "/app/x");
    assert_int_equal(bld_meta_workdir(&f->m, "/../..", &wd, &layer, &err), 0);
    assert_string_equal(wd, "/");
    assert_false(layer);
    assert_history(f, "WORKDIR /", true);
    assert_string_equal(f->cfg.config.working_dir, "/");
    assert_int_equal(bld_meta_workdir(&f->m, "", &wd, &layer, &err), ERR_INVALID);
}

static void test_cmd_entrypoint(void **state)
{
    struct fixture *f = *state;
    struct err err;
    /* An inherited CMD is dropped by ENTRYPOINT. */
    const char *inherited[] = { "sh" };
    f->cfg.config.cmd.items = inherited;
    f->cfg.config.cmd.len = 1;
    f->cfg.config.cmd.set = true;
    const char *ep[] = { "/app", "--serve" };
    assert_int_equal(bld_meta_entrypoint(&f->m, ep, 2, false, &err), 0);
    assert_false(f->cfg.config.cmd.set);
    assert_history(f, "ENTRYPOINT [\"/app\" \"--serve\"]", true);
    /* A CMD of this stage stays. */
    const char *text[] = { "echo \"hi\" $HOME" };
    assert_int_equal(bld_meta_cmd(&f->m, text, 1, true, &err), 0);
    const char *want[] = { "/bin/sh", "-c", "echo \"hi\" $HOME" };
    assert_strs(&f->cfg.config.cmd, want, 3);
    assert_history(f, "CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\" $HOME\"]", true);
    assert_int_equal(bld_meta_entrypoint(&f->m, ep, 2, false, &err), 0);
    assert_true(f->cfg.config.cmd.set);
    /* Shell form uses SHELL. */
    const char *sh[] = { "/bin/bash", "-o", "pipefail", "-c" };
    assert_int_equal(bld_meta_shell(&f->m, sh, 4, &err), 0);
    assert_history(f, "SHELL [/bin/bash -o pipefail -c]", true);
    const char *run[] = { "run.sh" };
    assert_int_equal(bld_meta_entrypoint(&f->m, run, 1, true, &err), 0);
    const char *want_ep[] = { "/bin/bash", "-o", "pipefail", "-c", "run.sh" };
    assert_strs(&f->cfg.config.entrypoint, want_ep, 5);
    /* ENTRYPOINT [] clears it (set, empty). */
    assert_int_equal(bld_meta_entrypoint(&f->m, NULL, 0, false, &err), 0);
    assert_true(f->cfg.config.entrypoint.set);
    assert_int_equal(f->cfg.config.entrypoint.len, 0);
    assert_history(f, "ENTRYPOINT []", true);
    assert_int_equal(bld_meta_shell(&f->m, NULL, 0, &err), ERR_INVALID);
    /* A new stage forgets the CMD. */
    bld_meta_begin(&f->m, &f->cfg, &f->a, f->m.created, NULL, NULL);
    assert_int_equal(bld_meta_entrypoint(&f->m, ep, 2, false, &err), 0);
    assert_false(f->cfg.config.cmd.set);
}

static void test_healthcheck(void **state)
{
    struct fixture *f = *state;
    struct err err;
    const char *test[] = { "CMD-SHELL", "curl -f http://localhost/" };
    struct bld_healthcheck hc;
    memset(&hc, 0, sizeof hc);
    hc.test.items = test;
    hc.test.len = 2;
    hc.test.set = true;
    hc.interval = 30000000000LL;
    hc.start_period = 90000000000LL;
    hc.timeout = 1500000000LL;
    hc.retries = 3;
    assert_int_equal(bld_meta_healthcheck(&f->m, &hc, &err), 0);
    assert_non_null(f->cfg.config.healthcheck);
    assert_int_equal(f->cfg.config.healthcheck->retries, 3);
    assert_string_equal(f->cfg.config.healthcheck->test.items[1], "curl -f http://localhost/");
    assert_history(f,
                   "HEALTHCHECK {Test:[CMD-SHELL curl -f http://localhost/] Interval:30s "
                   "Timeout:1.5s StartPeriod:1m30s StartInterval:0s Retries:3}",
                   true);
    const char *none[] = { "NONE" };
    memset(&hc, 0, sizeof hc);
    hc.test.items = none;
    hc.test.len = 1;
    assert_int_equal(bld_meta_healthcheck(&f->m, &hc, &err), 0);
    assert_history(f,
                   "HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s "
                   "StartInterval:0s Retries:0}",
                   true);
}

static void test_signal_volume_onbuild(void **state)
{
    struct fixture *f = *state;
    struct err err;
    static const char *const good[] = { "SIGTERM",    "sigkill", "TERM",    "9",
                                        "SIGRTMIN+3", "RTMAX-1", "SIGWINCH" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (bld_meta_stopsignal(&f->m, good[i], &err))
            fail_msg("'%s' refused: %s", good[i], err.msg);
        assert_string_equal(f->cfg.config.stop_signal, good[i]);
    }
    assert_history(f, "STOPSIGNAL SIGWINCH", true);
    static const char *const bad[] = { "SIGFOO", "0", "", "SIGRTMIN+16", "RTMAX-15", "9x" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(bld_meta_stopsignal(&f->m, bad[i], &err), ERR_INVALID);
        char want[64];
        snprintf(want, sizeof want, "invalid signal: %s", bad[i]);
        assert_string_equal(err.msg, want);
    }
    const char *vols[] = { "/data", "/logs", "/data" };
    assert_int_equal(bld_meta_volume(&f->m, vols, 3, &err), 0);
    const char *want[] = { "/data", "/logs" };
    assert_strs(&f->cfg.config.volumes, want, 2);
    assert_history(f, "VOLUME [/data /logs /data]", true);
    const char *empty[] = { "" };
    assert_int_equal(bld_meta_volume(&f->m, empty, 1, &err), ERR_INVALID);
    assert_string_equal(err.msg, "VOLUME specified can not be an empty string");
    size_t n = f->cfg.n_history;
    assert_int_equal(bld_meta_onbuild(&f->m, "RUN echo hi", &err), 0);
    assert_int_equal(bld_meta_onbuild(&f->m, "COPY . /src", &err), 0);
    assert_int_equal(f->cfg.n_history, n); /* BuildKit writes no entry */
    const char *ob[] = { "RUN echo hi", "COPY . /src" };
    assert_strs(&f->cfg.config.on_build, ob, 2);
    /* The next stage built on it gets the triggers, and they are gone
     * from its config. */
    const char *const *trig;
    size_t nt;
    bld_meta_begin(&f->m, &f->cfg, &f->a, NULL, &trig, &nt);
    assert_int_equal(nt, 2);
    assert_string_equal(trig[1], "COPY . /src");
    assert_false(f->cfg.config.on_build.set);
    assert_int_equal(f->cfg.config.on_build.len, 0);
    /* Without a time, history entries have none. */
    assert_int_equal(bld_meta_maintainer(&f->m, "Jane <j@example.com>", &err), 0);
    assert_string_equal(f->cfg.author, "Jane <j@example.com>");
    assert_string_equal(last(f)->created_by, "MAINTAINER Jane <j@example.com>");
    assert_null(last(f)->created);
    const struct bld_kv args[] = { { "A", "1" }, { "B", NULL } };
    assert_int_equal(bld_meta_arg(&f->m, args, 2, &err), 0);
    assert_string_equal(last(f)->created_by, "ARG A=1 B");
}

static void test_texts(void **state)
{
    struct fixture *f = *state;
    const char *argv[] = { "/bin/sh", "-c", "apt-get update" };
    assert_string_equal(bld_meta_run_text(&f->a, argv, 3, NULL, 0),
                        "RUN /bin/sh -c apt-get update # buildkit");
    const struct bld_kv args[] = { { "A", "1" }, { "B", NULL }, { "A", "3" } };
    assert_string_equal(bld_meta_run_text(&f->a, argv, 3, args, 3),
                        "RUN |2 A=3 B= /bin/sh -c apt-get update # buildkit");
    const char *srcs[] = { "a.txt", "dir/" };
    const char *docs[] = { "EOF" };
    assert_string_equal(
        bld_meta_copy_text(&f->a, false, false, "app:app", "755", srcs, 2, NULL, 0, "/dst/"),
        "COPY --chown=app:app --chmod=755 a.txt dir/ /dst/ # buildkit");
    assert_string_equal(bld_meta_copy_text(&f->a, true, true, NULL, NULL, srcs, 1, docs, 1, "."),
                        "ADD --parents a.txt <<EOF . # buildkit");
    size_t n;
    const char **sh = bld_meta_with_shell(&f->m, "make", &n);
    assert_int_equal(n, 3);
    assert_string_equal(sh[2], "make");
    const char *q[] = { "a\"b",        "tab\t",        "caf\xc3\xa9", "\x01",
                        "back\\slash", "nbsp\xc2\xa0", "bad\xff" };
    assert_string_equal(bld_meta_quote_list(&f->a, q, 7),
                        "[\"a\\\"b\" \"tab\\t\" \"caf\xc3\xa9\" \"\\x01\" \"back\\\\slash\" "
                        "\"nbsp\\u00a0\" \"bad\\xff\"]");
    assert_string_equal(bld_meta_quote_list(&f->a, NULL, 0), "[]");
    static const struct {
        int64_t ns;
        const char *s;
    } d[] = {
        { 0, "0s" },
        { 999, "999ns" },
        { 1500, "1.5\xc2\xb5s" },
        { 500000000, "500ms" },
        { 1500000000, "1.5s" },
        { 30000000000LL, "30s" },
        { 90000000000LL, "1m30s" },
        { 3600000000000LL, "1h0m0s" },
        { 3661000000000LL, "1h1m1s" },
        { 5000000001LL, "5.000000001s" },
        { -2000000000LL, "-2s" },
    };
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        assert_string_equal(bld_meta_duration(&f->a, d[i].ns), d[i].s);
    assert_string_equal(bld_meta_time(0, &f->a), "1970-01-01T00:00:00Z");
    assert_string_equal(bld_meta_time(1700000000, &f->a), "2023-11-14T22:13:20Z");
    int64_t e;
    struct err err;
    assert_int_equal(bld_meta_parse_epoch(NULL, &e, &err), 0);
    assert_int_equal(e, -1);
    assert_int_equal(bld_meta_parse_epoch("", &e, &err), 0);
    assert_int_equal(e, -1);
    assert_int_equal(bld_meta_parse_epoch("context", &e, &err), 0);
    assert_int_equal(e, -1);
    assert_int_equal(bld_meta_parse_epoch("1700000000", &e, &err), 0);
    assert_int_equal(e, 1700000000);
    assert_int_equal(bld_meta_parse_epoch("0", &e, &err), 0);
    assert_int_equal(e, 0);
    static const char *const bad_epochs[] = { "-1",    "1.5", "abc",
                                              "build", "+",   "99999999999999999999" };
    for (size_t i = 0; i < sizeof bad_epochs / sizeof *bad_epochs; i++) {
        assert_int_equal(bld_meta_parse_epoch(bad_epochs[i], &e, &err), ERR_INVALID);
        char want[64];
        snprintf(want, sizeof want, "invalid SOURCE_DATE_EPOCH: %s", bad_epochs[i]);
        assert_string_equal(err.msg, want);
    }
    const char *now = bld_meta_time(-1, &f->a);
    assert_true(strlen(now) >= 20 && now[4] == '-' && now[strlen(now) - 1] == 'Z');
}

static void test_config_json(void **state)
{
    struct fixture *f = *state;
    struct err err;
    f->cfg.architecture = "amd64";
    f->cfg.os = "linux";
    const struct bld_kv env[] = { { "A", "1" } };
    assert_int_equal(bld_meta_env(&f->m, env, 1, &err), 0);
    const char *argv[] = { "/bin/sh", "-c", "true" };
    bld_meta_history(&f->m, bld_meta_run_text(&f->a, argv, 3, NULL, 0), false);
    bld_meta_finish(&f->m);
    struct buf out = BUF_INIT;
    assert_int_equal(bld_config_write(&f->cfg, &out, &err), 0);
    const char *j = buf_cstr(&out);
    assert_non_null(strstr(j, "\"created\":\"1970-01-01T00:00:00Z\""));
    assert_non_null(strstr(j, "\"Env\":[\"A=1\"]"));
    assert_non_null(strstr(j, "\"created_by\":\"RUN /bin/sh -c true # buildkit\""));
    assert_non_null(strstr(j, "\"comment\":\"buildkit.dockerfile.v0\""));
    assert_non_null(strstr(j, "\"empty_layer\":true"));
    /* And it parses back. */
    struct bld_image_config back;
    assert_int_equal(bld_config_parse(out.data, out.len, "config", &f->a, &back, &err), 0);
    assert_int_equal(back.n_history, 2);
    assert_false(back.history[1].empty_layer);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_env_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_workdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmd_entrypoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_healthcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signal_volume_onbuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
