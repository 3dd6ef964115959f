/* The local image store: an OCI image layout in a cache directory, shared
 * by every dockwright process of the user.
 *
 *     <root>/oci-layout              {"imageLayoutVersion":"1.0.0"}
 *     <root>/index.json              named references (annotation
 *                                    org.opencontainers.image.ref.name)
 *     <root>/blobs/sha256/<hex>      content-addressed blobs
 *     <root>/layers/<diff-id hex>/   layers extracted once, shared by builds
 *     <root>/tmp/                    blobs being written
 *     <root>/analysis/<blob hex>     layer analyses (builder/anacache.h)
 *     <root>/lock                    flock'ed exclusively by writers
 *
 * Blobs are written to tmp/, fsynced, checked against their digest and only
 * then renamed into blobs/, so a crash or a bad download never leaves a
 * blob whose name lies about its content. index.json changes and garbage
 * collection hold the lock; two processes sharing the cache never corrupt
 * it. Reads check size and digest. */
#ifndef DW_BUILDER_STORE_H
#define DW_BUILDER_STORE_H

#include "builder/digest.h"
#include "builder/oci.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bld_store {
    char *root;          /* heap copy of the store directory */
    int lock_fd;         /* <root>/lock, open for the store's lifetime */
    unsigned lock_depth; /* bld_store_lock nests within one process */
    /* Skips fsync of blobs and exports: a crash may then leave a truncated
     * blob under its final name (reads still detect it). For throwaway
     * stores such as tests', like dpkg's --force-unsafe-io. Off by
     * default. */
    bool unsafe_no_fsync;
};

/* Appends the default store directory to out: $XDG_CACHE_HOME/dockwright,
 * else $HOME/.cache/dockwright. ERR_NOT_FOUND when neither variable is set
 * to an absolute path. */
DW_NODISCARD int bld_store_default_root(struct buf *out, struct err *err);

/* Opens (creating when needed, with parents) the store at root. Refuses a
 * directory that has an oci-layout of another version. Release with
 * bld_store_close. */
DW_NODISCARD int bld_store_open(struct bld_store *s, const char *root, struct err *err);
void bld_store_close(struct bld_store *s);

/* Takes the store's exclusive lock (blocking); nests within one process,
 * each call needs one bld_store_unlock. Hold it across a sequence of writes
 * that must appear together (blobs, then the reference naming them) so
 * that garbage collection cannot run between them. */
DW_NODISCARD int bld_store_lock(struct bld_store *s, struct err *err);
void bld_store_unlock(struct bld_store *s);

/* ---- blobs ------------------------------------------------------------ */

/* A blob being written: bytes go to a temporary file and a running digest. */
struct bld_blob_writer {
    struct bld_store *store;
    int fd;
    char *tmp_path; /* heap */
    struct bld_sha256 hash;
    uint64_t size;
};

DW_NODISCARD int bld_blob_writer_open(struct bld_blob_writer *w, struct bld_store *s,
                                      struct err *err);
DW_NODISCARD int bld_blob_writer_write(struct bld_blob_writer *w, const void *p, size_t n,
                                       struct err *err);
/* Finishes the blob: fsync, then, when expect is not NULL, compares the
 * digest (and expect_size when >= 0) and fails with ERR_INVALID on a
 * mismatch; else renames it to blobs/sha256/<hex>. The writer is released
 * in every case. out and size (either may be NULL) receive the result. */
DW_NODISCARD int bld_blob_writer_commit(struct bld_blob_writer *w, const struct bld_digest *expect,
                                        int64_t expect_size, struct bld_digest *out, uint64_t *size,
                                        struct err *err);
/* Drops an unfinished blob; harmless after commit. */
void bld_blob_writer_abort(struct bld_blob_writer *w);

/* Stores n bytes as a blob; out receives its digest. */
DW_NODISCARD int bld_store_put_blob(struct bld_store *s, const void *p, size_t n,
                                    struct bld_digest *out, struct err *err);
/* Moves the file at path (on the store's filesystem, normally under
 * bld_store_tmp_dir, already checked by the caller to hash to d) into the
 * store as blob d. */
DW_NODISCARD int bld_store_adopt_blob(struct bld_store *s, const char *path,
                                      const struct bld_digest *d, struct err *err);
/* The store's directory for temporary files, in arena a. */
const char *bld_store_tmp_dir(const struct bld_store *s, struct arena *a);
/* The path of a blob (whether or not it exists), in arena a. */
const char *bld_store_blob_path(const struct bld_store *s, const struct bld_digest *d,
                                struct arena *a);
bool bld_store_has_blob(const struct bld_store *s, const struct bld_digest *d);
/* Appends the blob to out after checking its size (when size >= 0) and its
 * digest. ERR_NOT_FOUND when absent, ERR_INVALID when corrupt,
 * ERR_TOO_LARGE above limit bytes. */
DW_NODISCARD int bld_store_read_blob(const struct bld_store *s, const struct bld_digest *d,
                                     int64_t size, size_t limit, struct buf *out, struct err *err);
/* Hashes the blob on disk and checks it, without keeping it in memory. */
DW_NODISCARD int bld_store_verify_blob(const struct bld_store *s, const struct bld_digest *d,
                                       int64_t size, struct err *err);

/* ---- references ------------------------------------------------------- */

/* Names desc (an image manifest or index already in the store) as name in
 * index.json, replacing a previous descriptor of that name. */
DW_NODISCARD int bld_store_ref_set(struct bld_store *s, const char *name,
                                   const struct bld_descriptor *desc, struct err *err);
/* Finds the descriptor named name, else one whose name is the same
 * reference as Docker reads it ("alpine:3.20" finds
 * "docker.io/library/alpine:3.20" and the reverse); ERR_NOT_FOUND when
 * there is none. */
DW_NODISCARD int bld_store_ref_get(struct bld_store *s, const char *name, struct arena *a,
                                   struct bld_descriptor *out, struct err *err);
/* Removes the name; ERR_NOT_FOUND when there is none. Blobs stay until gc. */
DW_NODISCARD int bld_store_ref_delete(struct bld_store *s, const char *name, struct err *err);
/* Reads index.json (every named and unnamed descriptor). */
DW_NODISCARD int bld_store_index(struct bld_store *s, struct arena *a, struct bld_index *out,
                                 struct err *err);

/* Reads, verifies and parses an image manifest of the store. */
DW_NODISCARD int bld_store_read_manifest(const struct bld_store *s,
                                         const struct bld_descriptor *desc, struct arena *a,
                                         struct bld_manifest *out, struct err *err);
/* Reads, verifies and parses an image configuration of the store. */
DW_NODISCARD int bld_store_read_config(const struct bld_store *s, const struct bld_descriptor *desc,
                                       struct arena *a, struct bld_image_config *out,
                                       struct err *err);

/* ---- garbage collection ----------------------------------------------- */

struct bld_gc_stats {
    size_t blobs_kept, blobs_removed;
    uint64_t bytes_removed;
    size_t layers_kept, layers_removed;
    size_t analyses_removed; /* analysis/ files whose layer blob is gone */
};

/* Removes every blob that no reference of index.json reaches (index →
 * manifests and nested indexes → config and layers), every extracted layer
 * whose diff_id no reachable config lists, and leftovers in tmp/. Blobs and
 * temporary files younger than min_age seconds are kept, which protects
 * writers that do not hold the lock between writing blobs and naming them.
 * Holds the lock. Fails without removing anything when a reachable
 * manifest or index is missing or corrupt. */
DW_NODISCARD int bld_store_gc(struct bld_store *s, long min_age, struct bld_gc_stats *stats,
                              struct err *err);

/* ---- extracted layers ------------------------------------------------- */

/* Makes sure the layer blob desc, whose uncompressed digest is diff_id, is
 * extracted under layers/<diff-id hex>/ for use as an overlay lower
 * directory (whiteouts recorded as overlay whiteouts; user.overlay.*
 * xattrs when user_xattrs, else trusted.overlay.*). Extraction happens once:
 * into a temporary directory, checked against diff_id, then renamed; a
 * concurrent process extracting the same layer is harmless. *dir receives
 * the directory, in arena a. */
DW_NODISCARD int bld_store_unpack_layer(struct bld_store *s, const struct bld_descriptor *desc,
                                        const struct bld_digest *diff_id, bool user_xattrs,
                                        struct arena *a, const char **dir, struct err *err);

#endif
