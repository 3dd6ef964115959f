/* The builder's heavy libraries, loaded when a command first needs them.
 *
 * libarchive, libcurl and OpenSSL's libcrypto pull in dozens of shared
 * objects (libxml2, ICU, krb5, ldap, nghttp2, ...) whose relocation cost
 * several milliseconds at every start of the process, although `lint`,
 * `explain` and `lsp` never call them. So the builder does not link them:
 * builder/dynlib.def lists every function it calls, and dynlib.c defines a
 * function of each name (hidden from the dynamic symbol table) that opens
 * the library by its SONAME on first use and calls the real function
 * through a table resolved at that moment. Call sites keep calling
 * archive_read_new() and friends unchanged; a function missing from
 * dynlib.def is an undefined reference at link time.
 *
 * When a library cannot be loaded, the first call into it prints one line,
 * "dockwright: cannot load libarchive.so.13 (...): install the Debian
 * package libarchive13", and the process exits with status 2. Code with a
 * `struct err` can ask first with bld_dynlib_load and report the error
 * itself.
 *
 * The hidden environment variable DOCKWRIGHT_DEBUG_DYNLIB_FAIL, a comma-
 * separated list of library keys (archive, crypto, curl), makes those
 * loads fail as if the library were missing: tests of that path use it. */
#ifndef DW_BUILDER_DYNLIB_H
#define DW_BUILDER_DYNLIB_H

#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>

enum bld_dynlib { BLD_DYNLIB_ARCHIVE, BLD_DYNLIB_CRYPTO, BLD_DYNLIB_CURL, BLD_DYNLIB_COUNT };

/* Loads lib and resolves every function dynlib.def lists for it, once per
 * process: concurrent callers wait for the one load (pthread_once), later
 * callers get its result. Returns 0, or ERR_NOT_FOUND with a one-line
 * message naming the library and the Debian package that provides it (the
 * library is missing, or lacks one of the functions: too old). */
DW_NODISCARD int bld_dynlib_load(enum bld_dynlib lib, struct err *err);

/* Whether lib has been loaded by this process (never loads it). */
bool bld_dynlib_is_loaded(enum bld_dynlib lib);

/* The key ("archive", "crypto", "curl"), the SONAME dlopen asks for
 * ("libarchive.so.13", read from the library CMake found) and the Debian
 * package that provides it: static strings. */
const char *bld_dynlib_key(enum bld_dynlib lib);
const char *bld_dynlib_soname(enum bld_dynlib lib);
const char *bld_dynlib_package(enum bld_dynlib lib);

/* The functions of dynlib.def in file order (for tests): how many, and the
 * name and library of the i-th (i < bld_dynlib_fn_count()). */
size_t bld_dynlib_fn_count(void);
const char *bld_dynlib_fn_name(size_t i);
enum bld_dynlib bld_dynlib_fn_lib(size_t i);

#endif
