/* The builder's libraries loaded on first use (builder/dynlib.h): the
 * list is sorted and complete against the installed libraries, calls go
 * through to the real functions (variadic ones included), loading from
 * two threads at once is safe, and a missing library is one line of error
 * and exit status 2, never a crash. */
#include "builder/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>

/* Runs fn in a child process whose DOCKWRIGHT_DEBUG_DYNLIB_FAIL is fail;
 * returns its exit status (or 128 + signal) and its stderr in out. */
static int in_child(const char *fail, void (*fn)(void), char *out, size_t cap)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 2);
        setenv("DOCKWRIGHT_DEBUG_DYNLIB_FAIL", fail, 1);
        fn();
        _exit(0);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(p[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(p[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void child_load_curl(void)
{
    struct err e = { 0 };
    int rc = bld_dynlib_load(BLD_DYNLIB_CURL, &e);
    fprintf(stderr, "%s", e.msg);
    _exit(rc == ERR_NOT_FOUND && !bld_dynlib_is_loaded(BLD_DYNLIB_CURL) ? 0 : 1);
}

static void child_call_archive(void)
{
    struct archive *a = archive_read_new(); /* must not return */
    (void)a;
    _exit(0);
}

/* Runs first: the children must start before this process loads anything. */
static void test_missing_library(void **state)
{
    (void)state;
    char out[2048];
    assert_int_equal(in_child("crypto,curl", child_load_curl, out, sizeof out), 0);
    assert_non_null(strstr(out, bld_dynlib_soname(BLD_DYNLIB_CURL)));
    assert_non_null(strstr(out, bld_dynlib_package(BLD_DYNLIB_CURL)));

    assert_int_equal(in_child("archive", child_call_archive, out, sizeof out), 2);
    char want[256];
    snprintf(want, sizeof want, "dockwright: cannot load %s (",
             bld_dynlib_soname(BLD_DYNLIB_ARCHIVE));
    assert_memory_equal(out, want, strlen(want));
    assert_non_null(strstr(out, bld_dynlib_package(BLD_DYNLIB_ARCHIVE)));
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_string_equal(nl + 1, ""); /* one line */

    /* Another key in the variable leaves the library alone. */
    assert_int_equal(in_child("curl", child_call_archive, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_list_sorted_and_unique(void **state)
{
    (void)state;
    size_t n = bld_dynlib_fn_count();
    assert_true(n > 10);
    for (size_t i = 1; i < n; i++)
        if (strcmp(bld_dynlib_fn_name(i - 1), bld_dynlib_fn_name(i)) >= 0)
            fail_msg("dynlib.def: '%s' must come after '%s'", bld_dynlib_fn_name(i - 1),
                     bld_dynlib_fn_name(i));
    assert_null(bld_dynlib_fn_name(n));
    /* A function's prefix tells its library. */
    for (size_t i = 0; i < n; i++) {
        const char *f = bld_dynlib_fn_name(i);
        enum bld_dynlib lib = bld_dynlib_fn_lib(i);
        const char *want = strncmp(f, "archive_", 8) == 0 ? "archive"
                           : strncmp(f, "curl_", 5) == 0  ? "curl"
                                                          : "crypto";
        if (strcmp(bld_dynlib_key(lib), want) != 0)
            fail_msg("dynlib.def: %s is listed for %s", f, bld_dynlib_key(lib));
    }
}

static void test_resolves_completely(void **state)
{
    (void)state;
    for (int lib = 0; lib < BLD_DYNLIB_COUNT; lib++) {
        struct err e = { 0 };
        if (bld_dynlib_load((enum bld_dynlib)lib, &e) != 0)
            fail_msg("%s", e.msg);
        assert_true(bld_dynlib_is_loaded((enum bld_dynlib)lib));
        /* The loaded object is the one the SONAME names, and it has
         * every function of the list. */
        void *h = dlopen(bld_dynlib_soname((enum bld_dynlib)lib), RTLD_LAZY | RTLD_NOLOAD);
        assert_non_null(h);
        for (size_t i = 0; i < bld_dynlib_fn_count(); i++)
            if ((int)bld_dynlib_fn_lib(i) == lib && !dlsym(h, bld_dynlib_fn_name(i)))
                fail_msg("%s lacks %s", bld_dynlib_soname((enum bld_dynlib)lib),
                         bld_dynlib_fn_name(i));
        dlclose(h);
    }
    /* The wrappers are not exported and the libraries stay out of the
     * global scope: a library opened later binds to itself, never to a
     * wrapper, and the global lookup finds neither. */
    void *self = dlopen(NULL, RTLD_LAZY);
    assert_non_null(self);
    assert_null(dlsym(self, "archive_read_new"));
    assert_null(dlsym(self, "curl_easy_setopt"));
    dlclose(self);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static void test_calls_go_through(void **state)
{
    (void)state;
    /* libarchive, including the variadic archive_set_error. */
    struct archive_entry *e = archive_entry_new();
    assert_non_null(e);
    archive_entry_set_pathname(e, "etc/motd");
    archive_entry_set_size(e, 1234);
    archive_entry_set_mtime(e, 1700000000, 5);
    assert_string_equal(archive_entry_pathname(e), "etc/motd");
    assert_int_equal(archive_entry_size(e), 1234);
    assert_int_equal(archive_entry_mtime(e), 1700000000);
    assert_int_equal(archive_entry_mtime_nsec(e), 5);
    archive_entry_free(e);
    struct archive *a = archive_write_new();
    assert_non_null(a);
    archive_set_error(a, 22, "bad %s at %d", "header", 42);
    assert_string_equal(archive_error_string(a), "bad header at 42");
    assert_int_equal(archive_write_free(a), ARCHIVE_OK);

    /* libcrypto: SHA-256 of "abc" (FIPS 180-2 example). */
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_int_equal(EVP_Digest("abc", 3, md, &len, EVP_sha256(), NULL), 1);
    assert_int_equal(len, 32);
    static const unsigned char abc[4] = { 0xba, 0x78, 0x16, 0xbf };
    assert_memory_equal(md, abc, sizeof abc);

    /* libcurl: setopt with each kind of argument, getinfo with a pointer. */
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, "file:///dev/null"), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 40), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "file"), CURLE_OK);
    /* An unknown option is refused by curl itself, as without the wrapper. */
    assert_int_not_equal(curl_easy_setopt(h, (CURLoption)9999, 0L), CURLE_OK);
    char *url = NULL;
    assert_int_equal(curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url), CURLE_OK);
    assert_string_equal(url, "file:///dev/null");
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
    curl_easy_cleanup(h);
}

static void *load_all(void *arg)
{
    (void)arg;
    struct err e = { 0 };
    for (int lib = 0; lib < BLD_DYNLIB_COUNT; lib++)
        if (bld_dynlib_load((enum bld_dynlib)lib, &e) != 0)
            return (void *)1;
    struct archive_entry *x = archive_entry_new();
    archive_entry_free(x);
    return NULL;
}

/* Two threads that need the libraries at once, in a fresh process so that
 * neither finds them loaded. */
static void child_two_threads(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, load_all, NULL) != 0)
            _exit(3);
    void *r0, *r1;
    pthread_join(t[0], &r0);
    pthread_join(t[1], &r1);
    _exit(r0 || r1 ? 1 : 0);
}

static void test_two_threads(void **state)
{
    (void)state;
    char out[1024];
    assert_int_equal(in_child("", child_two_threads, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_library),        cmocka_unit_test(test_two_threads),
        cmocka_unit_test(test_list_sorted_and_unique), cmocka_unit_test(test_resolves_completely),
        cmocka_unit_test(test_calls_go_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
