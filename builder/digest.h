/* SHA-256 content digests, the identity of every blob in the image store:
 * streaming hashing (OpenSSL EVP underneath, hidden from callers) and the
 * OCI string form "sha256:<64 lowercase hex digits>". */
#ifndef DW_BUILDER_DIGEST_H
#define DW_BUILDER_DIGEST_H

#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLD_DIGEST_SIZE 32
#define BLD_DIGEST_HEX_LEN 64
/* "sha256:" plus the hex digits, without the terminator. */
#define BLD_DIGEST_STR_LEN 71

struct bld_digest {
    unsigned char bytes[BLD_DIGEST_SIZE];
};

/* A running SHA-256. The context pointer is private (an EVP_MD_CTX). */
struct bld_sha256 {
    void *ctx;
};

/* Starts a hash. Fails (ERR_INTERNAL) only when OpenSSL cannot provide
 * SHA-256; h must then not be used except with bld_sha256_release. */
DW_NODISCARD int bld_sha256_init(struct bld_sha256 *h, struct err *err);
/* Feeds n bytes. */
void bld_sha256_update(struct bld_sha256 *h, const void *p, size_t n);
/* Writes the digest of everything fed and releases the context; h may be
 * initialised again afterwards. */
void bld_sha256_final(struct bld_sha256 *h, struct bld_digest *out);
/* Releases the context without a result (error paths); harmless after
 * bld_sha256_final or on a zeroed struct. */
void bld_sha256_release(struct bld_sha256 *h);

/* The digest of a byte range in one call. */
void bld_digest_of(const void *p, size_t n, struct bld_digest *out);
/* The digest and size of a file's content, read in chunks. */
DW_NODISCARD int bld_digest_file(const char *path, struct bld_digest *out, uint64_t *size,
                                 struct err *err);

/* Writes the 64 hex digits and a NUL into out. */
void bld_digest_hex(const struct bld_digest *d, char out[BLD_DIGEST_HEX_LEN + 1]);
/* Writes "sha256:<hex>" and a NUL into out. */
void bld_digest_string(const struct bld_digest *d, char out[BLD_DIGEST_STR_LEN + 1]);
/* Parses "sha256:<hex>" (exactly 64 lowercase hex digits, as the OCI spec
 * requires for sha256). Other registered algorithms (sha512) fail with
 * ERR_UNSUPPORTED, anything else with ERR_INVALID; out is untouched on
 * failure. */
DW_NODISCARD int bld_digest_parse(const char *s, struct bld_digest *out, struct err *err);
/* Parses 64 lowercase hex digits alone (a blob file name). */
DW_NODISCARD int bld_digest_parse_hex(const char *hex, size_t len, struct bld_digest *out);
static inline bool bld_digest_eq(const struct bld_digest *a, const struct bld_digest *b)
{
    for (size_t i = 0; i < BLD_DIGEST_SIZE; i++)
        if (a->bytes[i] != b->bytes[i])
            return false;
    return true;
}

#endif
