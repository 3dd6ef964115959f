/* Safe extraction of layer tarballs, and the decompressing tar reader that
 * import shares.
 *
 * A layer is untrusted input. Extraction refuses (as an error naming the
 * entry, never by skipping) absolute paths, ".." components, paths that
 * would pass through a symlink leading out of the root (absolute targets
 * or ".." above the root), symlinks whose relative target climbs above the
 * root, hard links whose target is not inside the root, and device nodes
 * when not running as root. Every path is resolved one component at a time
 * with openat(O_NOFOLLOW) from a descriptor of the root, so nothing is ever
 * written outside it, whatever the archive created earlier. */
#ifndef DW_BUILDER_EXTRACT_H
#define DW_BUILDER_EXTRACT_H

#include "builder/digest.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct archive;
struct archive_entry;

/* ---- decompressing tar reader ------------------------------------------ */

/* Reads a tar that may be compressed (gzip, zstd, xz, bzip2: whatever
 * libarchive detects) while hashing the uncompressed bytes, so that the
 * diff_id of a layer comes out of the same pass that reads it. */
struct bld_tar_stream {
    struct archive *outer; /* raw format: decompression only */
    struct archive *inner; /* tar format over the decompressed bytes */
    struct bld_sha256 hash;
    uint64_t tar_size;             /* uncompressed bytes read so far */
    const char *name;              /* for messages; borrowed */
    char *chunk;                   /* heap buffer between the two readers */
    const char *filter;            /* "gzip", "zstd", "xz", "bzip2" or NULL */
    struct archive_entry *current; /* the entry being read, or NULL */
    uint64_t entry_read;           /* bytes of current's data read so far */
    bool entry_done;               /* current's data was read to its end */
    /* The stream ended right after the last entry's data, without its
     * padding and the end-of-archive blocks (umoci 0.4 `insert` layers):
     * nothing is lost, so the archive ends there. */
    bool ended_early;
    bool outer_eof;
    bool failed_read; /* the outer reader failed: its message is in err */
    char outer_msg[256];
};

/* Opens a stream over fd (not closed by the stream; its position is where
 * reading starts). name is used in messages and must outlive the stream. */
DW_NODISCARD int bld_tar_stream_open(struct bld_tar_stream *ts, int fd, const char *name,
                                     struct err *err);
/* Advances to the next entry: returns 1 with *entry set (borrowed until the
 * next call), 0 at the end of the archive, or a negative error. A stream
 * that stops right after an entry's complete data, without the padding and
 * the end-of-archive blocks (bsdtar and Go tools accept such layers), ends
 * there; data cut short is still an error. */
DW_NODISCARD int bld_tar_stream_next(struct bld_tar_stream *ts, struct archive_entry **entry,
                                     struct err *err);
/* Reads up to n bytes of the current entry's data: the count, 0 at its end,
 * or a negative error. */
DW_NODISCARD ssize_t bld_tar_stream_read(struct bld_tar_stream *ts, void *buf, size_t n,
                                         struct err *err);
/* Reads what is left of the uncompressed stream (the end-of-archive blocks
 * and padding count in a diff_id) and gives the digest and size of the whole
 * uncompressed tar. */
DW_NODISCARD int bld_tar_stream_finish(struct bld_tar_stream *ts, struct bld_digest *diff_id,
                                       uint64_t *tar_size, struct err *err);
/* Frees the readers; harmless twice. */
void bld_tar_stream_close(struct bld_tar_stream *ts);

/* ---- extraction -------------------------------------------------------- */

enum bld_whiteout_mode {
    /* Extract onto a merged tree: ".wh.x" deletes x of the lower layers and
     * ".wh..wh..opq" empties its directory of what lower layers put there. */
    BLD_WHITEOUT_APPLY,
    /* Extract one layer for use as an overlayfs layer: ".wh.x" becomes a
     * character device 0/0 named x, ".wh..wh..opq" the opaque xattr on its
     * directory. Needs root, or user_xattrs in a user namespace. */
    BLD_WHITEOUT_OVERLAY,
};

struct bld_extract_opts {
    enum bld_whiteout_mode whiteouts;
    bool user_xattrs; /* overlay mode: user.overlay.opaque, not trusted.overlay.opaque */
};

struct bld_extract_result {
    struct bld_digest diff_id; /* sha256 of the uncompressed tar */
    uint64_t tar_size;         /* its size */
    const char *filter;        /* compression found, NULL for a plain tar; static */
    size_t entries, whiteouts;
};

/* Applies the layer read from fd onto the existing directory root. On
 * error the root may hold part of the layer (the caller extracts into a
 * temporary directory it can discard) but nothing outside it was touched.
 * name is used in messages ("layer 'x': entry 'a/b': ..."). result may be
 * NULL. */
DW_NODISCARD int bld_extract_fd(int fd, const char *name, const char *root,
                                const struct bld_extract_opts *opts,
                                struct bld_extract_result *result, struct err *err);
/* The same, opening the file at path. */
DW_NODISCARD int bld_extract_file(const char *path, const char *root,
                                  const struct bld_extract_opts *opts,
                                  struct bld_extract_result *result, struct err *err);

/* Removes name (a file, or a directory with everything below it) relative
 * to the directory dirfd, never following a symlink. A missing name is not
 * an error. */
DW_NODISCARD int bld_remove_tree_at(int dirfd, const char *name, struct err *err);
/* The same for a path (relative to the working directory or absolute). */
DW_NODISCARD int bld_remove_tree(const char *path, struct err *err);

#endif
