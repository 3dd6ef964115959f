/* The analysis cache: what layer analysis reads from a layer tar (the
 * sequence of entries with their types and sizes, the tar's diff_id and
 * sizes), kept in the store so that analyzing the same layer again needs
 * no decompression.
 *
 *     <root>/analysis/<blob digest hex>
 *
 * Files are keyed by the digest of the layer blob, so a file never goes
 * stale: the blob it describes cannot change. Garbage collection removes a
 * file whose blob is gone. A file is written to a temporary name in the
 * same directory and renamed; it ends with a SHA-256 of everything before
 * it, so a torn, truncated or corrupt file is detected and ignored (and
 * is therefore never fsynced). The header holds a format version: a file
 * of another version is ignored and rewritten, never misread.
 *
 * Layout (integers little-endian):
 *     "DWANACHE" u32 version u32 0
 *     diff_id[32] u64 tar_size u64 compressed_size u64 n_entries
 *     n_entries × (u8 type, u64 size, u32 path_len, path, NUL)
 *     sha256[32] of all the bytes above */
#ifndef DW_BUILDER_ANACACHE_H
#define DW_BUILDER_ANACACHE_H

#include "builder/analysis.h"
#include "builder/digest.h"
#include "builder/store.h"
#include "common/buf.h"
#include "common/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bump whenever the file layout or the meaning of a recorded entry
 * changes (for example what bld_analysis_entry is given for a tar entry). */
#define BLD_ANACACHE_VERSION 1u
/* The store's subdirectory holding the cache files. */
#define BLD_ANACACHE_DIR "analysis"
/* Larger files are neither written nor read: a few hundred thousand paths
 * make tens of MB, and a layer beyond the cap is read from its tar each
 * time rather than holding its whole entry list in memory twice. */
#define BLD_ANACACHE_MAX_BYTES ((size_t)256 << 20)

/* A cache file being built: entries are appended as the tar is read. */
struct bld_anacache_writer {
    struct buf body; /* the entries */
    uint64_t n;
    bool failed; /* out of memory or too large: nothing will be saved */
};

void bld_anacache_writer_init(struct bld_anacache_writer *w);
void bld_anacache_writer_release(struct bld_anacache_writer *w);
/* Records one entry, exactly as given to bld_analysis_entry. */
void bld_anacache_writer_add(struct bld_anacache_writer *w, const char *path,
                             enum bld_entry_type type, uint64_t size);
/* Writes the file for blob in the store (atomically). Best effort: returns
 * false, leaving nothing behind, when it cannot (read-only store, full
 * disk); a cache that cannot be written only costs time. */
bool bld_anacache_save(const struct bld_store *s, const struct bld_digest *blob,
                       struct bld_anacache_writer *w, const struct bld_digest *diff_id,
                       uint64_t tar_size, uint64_t compressed_size);

/* A cache file read and checked whole: its entries are well formed. */
struct bld_anacache {
    struct buf data;
    struct bld_digest diff_id;
    uint64_t tar_size, compressed_size, n;
    size_t pos; /* of the next entry */
};

/* Reads the file for blob. Returns true when it is present, of this
 * version, complete and intact; false otherwise (c is then released). */
bool bld_anacache_load(const struct bld_store *s, const struct bld_digest *blob,
                       struct bld_anacache *c);
/* The next entry of a loaded file; false after the last one. path points
 * into c and stays valid until release. */
bool bld_anacache_next(struct bld_anacache *c, const char **path, enum bld_entry_type *type,
                       uint64_t *size);
void bld_anacache_release(struct bld_anacache *c);

#endif
