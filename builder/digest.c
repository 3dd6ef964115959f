#include "digest.h"

#include "common/compiler.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

int bld_sha256_init(struct bld_sha256 *h, struct err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    h->ctx = ctx;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        bld_sha256_release(h);
        return err_set(err, ERR_INTERNAL, "cannot start a sha256 digest (openssl)");
    }
    return 0;
}

void bld_sha256_update(struct bld_sha256 *h, const void *p, size_t n)
{
    /* With a context that started, SHA-256 update cannot fail: a failure
     * here is a broken OpenSSL, not bad input. */
    if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
        DW_BUG("EVP_DigestUpdate failed");
}

void bld_sha256_final(struct bld_sha256 *h, struct bld_digest *out)
{
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(h->ctx, out->bytes, &len) != 1 || len != BLD_DIGEST_SIZE)
        DW_BUG("EVP_DigestFinal_ex failed");
    bld_sha256_release(h);
}

void bld_sha256_release(struct bld_sha256 *h)
{
    if (h->ctx)
        EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

void bld_digest_of(const void *p, size_t n, struct bld_digest *out)
{
    unsigned int len = 0;
    if (EVP_Digest(p, n, out->bytes, &len, EVP_sha256(), NULL) != 1 || len != BLD_DIGEST_SIZE)
        DW_BUG("EVP_Digest failed");
}

int bld_digest_file(const char *path, struct bld_digest *out, uint64_t *size, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open '%s'", path);
    struct bld_sha256 h;
    int rc = bld_sha256_init(&h, err);
    if (rc) {
        close(fd);
        return rc;
    }
    uint64_t total = 0;
    unsigned char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_sys(err, path, "cannot read '%s'", path);
            bld_sha256_release(&h);
            close(fd);
            return rc;
        }
        if (n == 0)
            break;
        bld_sha256_update(&h, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    bld_sha256_final(&h, out);
    if (size)
        *size = total;
    return 0;
}

void bld_digest_hex(const struct bld_digest *d, char out[BLD_DIGEST_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < BLD_DIGEST_SIZE; i++) {
        out[2 * i] = hex[d->bytes[i] >> 4];
        out[2 * i + 1] = hex[d->bytes[i] & 15];
    }
    out[BLD_DIGEST_HEX_LEN] = '\0';
}

void bld_digest_string(const struct bld_digest *d, char out[BLD_DIGEST_STR_LEN + 1])
{
    memcpy(out, "sha256:", 7);
    bld_digest_hex(d, out + 7);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    /* Upper case is not accepted: the OCI grammar for sha256 is [a-f0-9]. */
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int bld_digest_parse_hex(const char *hex, size_t len, struct bld_digest *out)
{
    if (len != BLD_DIGEST_HEX_LEN)
        return ERR_INVALID;
    struct bld_digest d;
    for (size_t i = 0; i < BLD_DIGEST_SIZE; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ERR_INVALID;
        d.bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    *out = d;
    return 0;
}

int bld_digest_parse(const char *s, struct bld_digest *out, struct err *err)
{
    if (!s)
        return err_set(err, ERR_INVALID, "missing digest");
    const char *colon = strchr(s, ':');
    if (!colon || colon == s)
        return err_set(err, ERR_INVALID, "invalid digest '%.80s': expected 'sha256:<hex>'", s);
    size_t alg_len = (size_t)(colon - s);
    if (alg_len == 6 && memcmp(s, "sha256", 6) == 0) {
        if (bld_digest_parse_hex(colon + 1, strlen(colon + 1), out) != 0)
            return err_set(err, ERR_INVALID,
                           "invalid digest '%.80s': sha256 needs 64 lowercase hex digits", s);
        return 0;
    }
    if (alg_len == 6 && memcmp(s, "sha512", 6) == 0)
        return err_set(err, ERR_UNSUPPORTED, "unsupported digest algorithm 'sha512' in '%.80s'", s);
    return err_set(err, ERR_INVALID, "invalid digest '%.80s': unknown algorithm '%.*s'", s,
                   (int)(alg_len > 32 ? 32 : alg_len), s);
}
