#include "anacache.h"

#include "common/arena.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "DWANACHE"
#define MAGIC_LEN 8
/* magic, version, reserved, diff_id, tar_size, compressed_size, n */
#define HEADER_LEN (MAGIC_LEN + 4 + 4 + BLD_DIGEST_SIZE + 8 + 8 + 8)
/* type, size, path_len */
#define ENTRY_FIXED_LEN (1 + 8 + 4)

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void bld_anacache_writer_init(struct bld_anacache_writer *w)
{
    buf_init(&w->body, BLD_ANACACHE_MAX_BYTES - HEADER_LEN - BLD_DIGEST_SIZE);
    w->n = 0;
    w->failed = false;
}

void bld_anacache_writer_release(struct bld_anacache_writer *w)
{
    buf_release(&w->body);
}

void bld_anacache_writer_add(struct bld_anacache_writer *w, const char *path,
                             enum bld_entry_type type, uint64_t size)
{
    if (w->failed)
        return;
    size_t len = strlen(path);
    unsigned char fixed[ENTRY_FIXED_LEN];
    fixed[0] = (unsigned char)type;
    put_u64(fixed + 1, size);
    put_u32(fixed + 9, (uint32_t)len);
    if (len > UINT32_MAX || buf_append(&w->body, fixed, sizeof fixed) ||
        buf_append(&w->body, path, len + 1)) {
        /* Too large to cache: the analysis goes on from the tar. */
        w->failed = true;
        buf_release(&w->body);
        return;
    }
    w->n++;
}

static bool write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        c += k;
        n -= (size_t)k;
    }
    return true;
}

bool bld_anacache_save(const struct bld_store *s, const struct bld_digest *blob,
                       struct bld_anacache_writer *w, const struct bld_digest *diff_id,
                       uint64_t tar_size, uint64_t compressed_size)
{
    if (w->failed)
        return false;
    unsigned char head[HEADER_LEN];
    memcpy(head, MAGIC, MAGIC_LEN);
    put_u32(head + MAGIC_LEN, BLD_ANACACHE_VERSION);
    put_u32(head + MAGIC_LEN + 4, 0);
    unsigned char *p = head + MAGIC_LEN + 8;
    memcpy(p, diff_id->bytes, BLD_DIGEST_SIZE);
    p += BLD_DIGEST_SIZE;
    put_u64(p, tar_size);
    put_u64(p + 8, compressed_size);
    put_u64(p + 16, w->n);
    struct bld_sha256 h;
    struct err e;
    if (bld_sha256_init(&h, &e) != 0)
        return false;
    bld_sha256_update(&h, head, sizeof head);
    bld_sha256_update(&h, w->body.data, w->body.len);
    struct bld_digest sum;
    bld_sha256_final(&h, &sum);

    struct arena a;
    arena_init(&a);
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(blob, hex);
    const char *dir = arena_printf(&a, "%s/" BLD_ANACACHE_DIR, s->root);
    const char *final = arena_printf(&a, "%s/%s", dir, hex);
    /* Temporary names are not digests: gc removes them once old. */
    char *tmp = arena_printf(&a, "%s/.tmp-%.16s-XXXXXX", dir, hex);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        arena_release(&a);
        return false;
    }
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    if (ok) {
        ok = write_all(fd, head, sizeof head) && write_all(fd, w->body.data, w->body.len) &&
             write_all(fd, sum.bytes, sizeof sum.bytes);
        ok = close(fd) == 0 && ok;
        (void)chmod(tmp, 0644);
        if (ok)
            ok = rename(tmp, final) == 0;
        if (!ok)
            unlink(tmp);
    }
    arena_release(&a);
    return ok;
}

void bld_anacache_release(struct bld_anacache *c)
{
    buf_release(&c->data);
    memset(c, 0, sizeof *c);
}

bool bld_anacache_load(const struct bld_store *s, const struct bld_digest *blob,
                       struct bld_anacache *c)
{
    memset(c, 0, sizeof *c);
    buf_init(&c->data, BLD_ANACACHE_MAX_BYTES);
    struct arena a;
    arena_init(&a);
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(blob, hex);
    const char *path = arena_printf(&a, "%s/" BLD_ANACACHE_DIR "/%s", s->root, hex);
    struct err e;
    bool ok = file_read_all(path, BLD_ANACACHE_MAX_BYTES, &c->data, &e) == 0;
    arena_release(&a);
    const unsigned char *d = (const unsigned char *)c->data.data;
    size_t len = ok ? c->data.len : 0;
    ok = ok && len >= HEADER_LEN + BLD_DIGEST_SIZE && memcmp(d, MAGIC, MAGIC_LEN) == 0 &&
         get_u32(d + MAGIC_LEN) == BLD_ANACACHE_VERSION;
    if (ok) {
        struct bld_digest sum;
        bld_digest_of(d, len - BLD_DIGEST_SIZE, &sum);
        ok = memcmp(sum.bytes, d + len - BLD_DIGEST_SIZE, BLD_DIGEST_SIZE) == 0;
    }
    if (ok) {
        const unsigned char *p = d + MAGIC_LEN + 8;
        memcpy(c->diff_id.bytes, p, BLD_DIGEST_SIZE);
        p += BLD_DIGEST_SIZE;
        c->tar_size = get_u64(p);
        c->compressed_size = get_u64(p + 8);
        c->n = get_u64(p + 16);
        /* The checksum only proves the file is the one written: check the
         * entries' bounds too, so that iterating cannot go astray. */
        size_t end = len - BLD_DIGEST_SIZE, at = HEADER_LEN;
        for (uint64_t i = 0; ok && i < c->n; i++) {
            if (end - at < ENTRY_FIXED_LEN) {
                ok = false;
                break;
            }
            size_t plen = get_u32(d + at + 9);
            ok = d[at] <= BLD_ENTRY_OTHER && end - at - ENTRY_FIXED_LEN > plen &&
                 d[at + ENTRY_FIXED_LEN + plen] == '\0' &&
                 memchr(d + at + ENTRY_FIXED_LEN, '\0', plen) == NULL;
            at += ENTRY_FIXED_LEN + plen + 1;
        }
        ok = ok && at == end;
    }
    if (!ok) {
        bld_anacache_release(c);
        return false;
    }
    c->pos = HEADER_LEN;
    return true;
}

bool bld_anacache_next(struct bld_anacache *c, const char **path, enum bld_entry_type *type,
                       uint64_t *size)
{
    if (c->pos + BLD_DIGEST_SIZE >= c->data.len)
        return false;
    const unsigned char *d = (const unsigned char *)c->data.data + c->pos;
    *type = (enum bld_entry_type)d[0];
    *size = get_u64(d + 1);
    size_t plen = get_u32(d + 9);
    *path = (const char *)d + ENTRY_FIXED_LEN;
    c->pos += ENTRY_FIXED_LEN + plen + 1;
    return true;
}
