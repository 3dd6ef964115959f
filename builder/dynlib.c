/* Loading libarchive, libcrypto and libcurl on first use (see dynlib.h):
 * the function table, one loader per library, and a wrapper of each
 * library function's own name, all generated from dynlib.def.
 *
 * The wrappers are compiled with hidden visibility (builder/CMakeLists.txt)
 * so that they never enter the executable's dynamic symbol table: the
 * libraries opened later must bind their internal calls to themselves, not
 * to these wrappers. */
#include "builder/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <openssl/evp.h>

/* CMake defines these from the libraries it found (cmake/DynLib.cmake);
 * the fallbacks are the names on Debian 12. */
#ifndef DW_DYNLIB_ARCHIVE_SONAME
#define DW_DYNLIB_ARCHIVE_SONAME "libarchive.so.13"
#endif
#ifndef DW_DYNLIB_ARCHIVE_PACKAGE
#define DW_DYNLIB_ARCHIVE_PACKAGE "libarchive13"
#endif
#ifndef DW_DYNLIB_CRYPTO_SONAME
#define DW_DYNLIB_CRYPTO_SONAME "libcrypto.so.3"
#endif
#ifndef DW_DYNLIB_CRYPTO_PACKAGE
#define DW_DYNLIB_CRYPTO_PACKAGE "libssl3"
#endif
#ifndef DW_DYNLIB_CURL_SONAME
#define DW_DYNLIB_CURL_SONAME "libcurl.so.4"
#endif
#ifndef DW_DYNLIB_CURL_PACKAGE
#define DW_DYNLIB_CURL_PACKAGE "libcurl4"
#endif

#define DEBUG_FAIL_ENV "DOCKWRIGHT_DEBUG_DYNLIB_FAIL"

/* One pointer per function of dynlib.def, typed from its line. */
struct fn_table {
#define DW_DYNLIB(name, lib, kind, ret, params, args) ret(*name) params;
#include "builder/dynlib.def"
#undef DW_DYNLIB
};

static struct fn_table fns;

struct fn_entry {
    const char *name;
    enum bld_dynlib lib;
    size_t offset; /* of its pointer in struct fn_table */
};

static const struct fn_entry fn_entries[] = {
#define DW_DYNLIB(name, lib, kind, ret, params, args)                                              \
    { #name, BLD_DYNLIB_##lib, offsetof(struct fn_table, name) },
#include "builder/dynlib.def"
#undef DW_DYNLIB
};

struct lib_info {
    const char *key, *soname, *package;
};

static const struct lib_info libs[BLD_DYNLIB_COUNT] = {
    [BLD_DYNLIB_ARCHIVE] = { "archive", DW_DYNLIB_ARCHIVE_SONAME, DW_DYNLIB_ARCHIVE_PACKAGE },
    [BLD_DYNLIB_CRYPTO] = { "crypto", DW_DYNLIB_CRYPTO_SONAME, DW_DYNLIB_CRYPTO_PACKAGE },
    [BLD_DYNLIB_CURL] = { "curl", DW_DYNLIB_CURL_SONAME, DW_DYNLIB_CURL_PACKAGE },
};

/* Written once by the library's loader inside pthread_once, read after
 * pthread_once returns (which orders the two); `loaded` is atomic only for
 * bld_dynlib_is_loaded, which reads it without pthread_once. */
static struct {
    pthread_once_t once;
    int rc;
    atomic_bool loaded;
    char msg[ERR_MSG_MAX];
} state[BLD_DYNLIB_COUNT] = {
    [BLD_DYNLIB_ARCHIVE] = { .once = PTHREAD_ONCE_INIT },
    [BLD_DYNLIB_CRYPTO] = { .once = PTHREAD_ONCE_INIT },
    [BLD_DYNLIB_CURL] = { .once = PTHREAD_ONCE_INIT },
};

/* Whether DOCKWRIGHT_DEBUG_DYNLIB_FAIL names the library's key. */
static bool debug_fail(const char *key)
{
    const char *v = getenv(DEBUG_FAIL_ENV);
    size_t klen = strlen(key);
    while (v && *v) {
        size_t n = strcspn(v, ",");
        if (n == klen && memcmp(v, key, n) == 0)
            return true;
        v += n + (v[n] == ',');
    }
    return false;
}

static void load(enum bld_dynlib lib)
{
    const struct lib_info *li = &libs[lib];
    char *msg = state[lib].msg;
    state[lib].rc = ERR_NOT_FOUND;
    if (debug_fail(li->key)) {
        snprintf(msg, ERR_MSG_MAX, "cannot load %s (%s=%s): install the Debian package %s",
                 li->soname, DEBUG_FAIL_ENV, li->key, li->package);
        return;
    }
    /* Lazy binding inside the library: only the functions resolved below
     * are needed, and each is found by dlsym now. RTLD_LOCAL keeps its
     * symbols out of the global scope, where nothing asks for them. */
    void *h = dlopen(li->soname, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(msg, ERR_MSG_MAX, "cannot load %s (%s): install the Debian package %s", li->soname,
                 why ? why : "not found", li->package);
        return;
    }
    for (size_t i = 0; i < DW_ARRAY_LEN(fn_entries); i++) {
        const struct fn_entry *f = &fn_entries[i];
        if (f->lib != lib)
            continue;
        void *p = dlsym(h, f->name);
        if (!p) {
            snprintf(msg, ERR_MSG_MAX,
                     "cannot load %s: it has no function %s (too old?): install a newer %s",
                     li->soname, f->name, li->package);
            return; /* the handle stays open: harmless, and dlclose could run its destructors */
        }
        /* POSIX makes dlsym's object pointer usable as a function pointer;
         * copying the bytes says so without a cast ISO C leaves undefined. */
        memcpy((char *)&fns + f->offset, &p, sizeof p);
    }
    state[lib].rc = 0;
    msg[0] = '\0';
    atomic_store_explicit(&state[lib].loaded, true, memory_order_release);
}

static void load_archive(void)
{
    load(BLD_DYNLIB_ARCHIVE);
}
static void load_crypto(void)
{
    load(BLD_DYNLIB_CRYPTO);
}
static void load_curl(void)
{
    load(BLD_DYNLIB_CURL);
}

static void (*const loaders[BLD_DYNLIB_COUNT])(void) = {
    [BLD_DYNLIB_ARCHIVE] = load_archive,
    [BLD_DYNLIB_CRYPTO] = load_crypto,
    [BLD_DYNLIB_CURL] = load_curl,
};

int bld_dynlib_load(enum bld_dynlib lib, struct err *err)
{
    if ((unsigned)lib >= BLD_DYNLIB_COUNT)
        DW_BUG("bld_dynlib_load: library %d", (int)lib);
    pthread_once(&state[lib].once, loaders[lib]);
    if (state[lib].rc)
        return err_set(err, state[lib].rc, "%s", state[lib].msg);
    return 0;
}

bool bld_dynlib_is_loaded(enum bld_dynlib lib)
{
    return (unsigned)lib < BLD_DYNLIB_COUNT &&
           atomic_load_explicit(&state[lib].loaded, memory_order_acquire);
}

const char *bld_dynlib_key(enum bld_dynlib lib)
{
    return (unsigned)lib < BLD_DYNLIB_COUNT ? libs[lib].key : "";
}

const char *bld_dynlib_soname(enum bld_dynlib lib)
{
    return (unsigned)lib < BLD_DYNLIB_COUNT ? libs[lib].soname : "";
}

const char *bld_dynlib_package(enum bld_dynlib lib)
{
    return (unsigned)lib < BLD_DYNLIB_COUNT ? libs[lib].package : "";
}

size_t bld_dynlib_fn_count(void)
{
    return DW_ARRAY_LEN(fn_entries);
}

const char *bld_dynlib_fn_name(size_t i)
{
    return i < DW_ARRAY_LEN(fn_entries) ? fn_entries[i].name : NULL;
}

enum bld_dynlib bld_dynlib_fn_lib(size_t i)
{
    return i < DW_ARRAY_LEN(fn_entries) ? fn_entries[i].lib : BLD_DYNLIB_COUNT;
}

/* The wrappers' first step: the library, loaded, or one line and exit 2.
 * A wrapper has no way to return an error its caller would understand
 * (archive_entry_new's NULL means out of memory), and going on would
 * call through a NULL pointer. */
static void need(enum bld_dynlib lib)
{
    pthread_once(&state[lib].once, loaders[lib]);
    if (state[lib].rc) {
        fflush(stdout);
        fprintf(stderr, "dockwright: %s\n", state[lib].msg);
        exit(2);
    }
}

/* ---- the wrappers ---- */

/* The name is parenthesized in every use so that a function-like macro
 * of the same name (curl's typecheck-gcc.h wraps curl_easy_setopt) is not
 * expanded. */
#define DW_DYNLIB_RET(name, lib, ret, params, args)                                                \
    ret(name) params                                                                               \
    {                                                                                              \
        need(BLD_DYNLIB_##lib);                                                                    \
        return (fns.name)args;                                                                     \
    }
#define DW_DYNLIB_VOID(name, lib, ret, params, args)                                               \
    ret(name) params                                                                               \
    {                                                                                              \
        need(BLD_DYNLIB_##lib);                                                                    \
        (fns.name) args;                                                                           \
    }
#define DW_DYNLIB_VARIADIC(name, lib, ret, params, args)
#define DW_DYNLIB(name, lib, kind, ret, params, args) DW_DYNLIB_##kind(name, lib, ret, params, args)
#include "builder/dynlib.def"
#undef DW_DYNLIB

/* C cannot forward a `...`, so the variadic functions read their one
 * argument with the type the library itself reads. */

/* curl's option numbers carry the type of their argument (CURLOPTTYPE_*
 * ranges): a long, an object pointer (string, list, callback data), a
 * function pointer, a curl_off_t, or a pointer to a curl_blob. */
typedef void (*any_fn)(void);

CURLcode(curl_easy_setopt)(CURL *h, CURLoption option, ...)
{
    need(BLD_DYNLIB_CURL);
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        long v = va_arg(ap, long);
        rc = (fns.curl_easy_setopt)(h, option, v);
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        void *v = va_arg(ap, void *);
        rc = (fns.curl_easy_setopt)(h, option, v);
    } else if (option < CURLOPTTYPE_OFF_T) {
        any_fn v = va_arg(ap, any_fn);
        rc = (fns.curl_easy_setopt)(h, option, v);
    } else if (option < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);
        rc = (fns.curl_easy_setopt)(h, option, v);
    } else {
        void *v = va_arg(ap, void *);
        rc = (fns.curl_easy_setopt)(h, option, v);
    }
    va_end(ap);
    return rc;
}

/* Every CURLINFO_* takes a pointer to where the result goes. */
CURLcode(curl_easy_getinfo)(CURL *h, CURLINFO info, ...)
{
    need(BLD_DYNLIB_CURL);
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return (fns.curl_easy_getinfo)(h, info, out);
}

/* The message is formatted here and handed over as "%s". */
void(archive_set_error)(struct archive *a, int code, const char *fmt, ...)
{
    need(BLD_DYNLIB_ARCHIVE);
    if (!fmt) {
        (fns.archive_set_error)(a, code, NULL);
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    (fns.archive_set_error)(a, code, "%s", msg);
}
