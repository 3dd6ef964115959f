/* The layer writer: turns a directory (a build step's overlay upper
 * directory) into a reproducible OCI layer, a gzip-compressed tar.
 *
 * The tar is written with libarchive in pax format (extended headers only
 * where ustar cannot hold a value), entries in byte order of their paths,
 * every mtime set to the epoch (SOURCE_DATE_EPOCH, else 0), no atime or
 * ctime, numeric uid/gid kept and user/group names left empty. Overlay
 * whiteouts (character devices 0/0) become ".wh.<name>" entries, opaque
 * directories (xattr trusted.overlay.opaque or user.overlay.opaque = "y")
 * get a ".wh..wh..opq" entry; hard links inside the tree stay hard links;
 * sockets are skipped. zlib compresses at a fixed level with a gzip header
 * holding no name and no time. Both digests, the diff_id (sha256 of the
 * tar) and the blob digest (sha256 of the gzip), and the sizes come out of
 * the same streaming pass: a layer is never held in memory. The same tree
 * and epoch give the same bytes, with the same zlib. */
#ifndef DW_BUILDER_LAYER_H
#define DW_BUILDER_LAYER_H

#include "builder/digest.h"
#include "builder/oci.h"
#include "builder/store.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bld_layer_opts {
    int64_t epoch; /* mtime of every entry, seconds since 1970 (>= 0) */
    bool xattrs;   /* copy extended attributes (never overlay's or security.selinux) */
    int level;     /* gzip level 1-9; 0 means 6 */
};

/* What the writer produced, for the image and the build report. */
struct bld_layer_info {
    struct bld_digest diff_id; /* sha256 of the uncompressed tar */
    struct bld_digest digest;  /* sha256 of the gzip blob */
    uint64_t tar_size;         /* bytes of the uncompressed tar */
    uint64_t size;             /* bytes of the blob */
    uint64_t entries;          /* tar entries, whiteouts included */
    uint64_t files;            /* entries that are neither directories nor whiteouts */
    uint64_t content_bytes;    /* regular-file bytes (the sum of tar header sizes) */
    uint64_t whiteouts;        /* .wh. entries, opaque markers included */
};

/* Receives the compressed bytes; returns 0 or a negative error (in err). */
struct bld_layer_sink {
    int (*write)(void *ctx, const void *p, size_t n, struct err *err);
    void *ctx;
};

/* Reads SOURCE_DATE_EPOCH: *epoch is its value, or 0 when it is unset or
 * empty. ERR_INVALID when it is not a non-negative decimal integer. */
DW_NODISCARD int bld_source_date_epoch(int64_t *epoch, struct err *err);

/* Writes the layer of the directory dir to sink and fills info. Errors name
 * the path that failed (unreadable file, a file that changed size while it
 * was read). */
DW_NODISCARD int bld_layer_write(const char *dir, const struct bld_layer_opts *opts,
                                 const struct bld_layer_sink *sink, struct bld_layer_info *info,
                                 struct err *err);
/* Writes the layer to the file descriptor fd. */
DW_NODISCARD int bld_layer_write_fd(const char *dir, const struct bld_layer_opts *opts, int fd,
                                    struct bld_layer_info *info, struct err *err);
/* Writes the layer as a blob of the store; desc receives its descriptor
 * (media type tar+gzip, no annotations). */
DW_NODISCARD int bld_layer_store(struct bld_store *s, const char *dir,
                                 const struct bld_layer_opts *opts, struct bld_layer_info *info,
                                 struct bld_descriptor *desc, struct err *err);

#endif
