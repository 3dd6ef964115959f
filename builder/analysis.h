/* Layer analysis: what each layer of an image adds, and how much of it the
 * final filesystem never shows (files a later layer deletes or
 * overwrites), with dive's efficiency score alongside.
 *
 * Layers are fed bottom first, either as tar streams (any compression
 * libarchive detects), as blobs of the store, as a whole image of the
 * store, or entry by entry. Nothing of a file's content is kept: the
 * analysis works on tar headers (path, type, size), so memory grows with
 * the number of paths, never with their bytes.
 *
 * Two accounts are kept (docs/build-report.md has worked examples):
 *
 * Exact (ours). Every regular file an entry adds is either live, visible
 * in the filesystem merged from all layers, or wasted: hidden by a later
 * layer that writes the same path (any type), whites it out or one of its
 * parent directories, marks a parent directory opaque, or puts a
 * non-directory where a parent directory was. A layer's wasted_bytes are
 * the bytes of its own files that later layers hide this way; a file
 * written twice in the same tar wastes its first copy. Sizes are the tar
 * header sizes of regular files (hard links, symlinks, directories and
 * whiteouts count 0). For every image: size = live_bytes + wasted_bytes.
 * rewritten_live_bytes are the live files whose path held another file
 * before: dive counts them as waste, we report them apart.
 *
 * dive-compatible (wagoodman/dive's efficiency.go, as restated in
 * spec/layer-analysis.md section 1.2). Each layer's entries form a tree;
 * every leaf of it (a file, an empty directory, a whiteout) is one
 * occurrence of its path: an entry counts its header size, a whiteout of a
 * file 0, a whiteout of a directory the sizes of everything under that
 * directory in dive's merged view of the lower layers (which ignores
 * opaque markers; "a directory" means a path with a directory entry);
 * opaque markers are dropped. efficiency = sum over paths of the smallest
 * occurrence / sum of all occurrences (1 when that is 0); wasted_bytes =
 * all occurrences of paths that occur twice or more (the live copy
 * included); user_size_bytes = the sizes of every layer but the first;
 * wasted_user_percent = wasted_bytes / user_size_bytes, a ratio (1.0 is
 * 100 %), INFINITY when user_size_bytes is 0 but wasted_bytes is not, 0
 * when both are 0. So `rm -rf /dir`, recorded as one whiteout of the
 * directory, counts no waste in dive when the directory only had files
 * below it, and counts all of them in the exact account. */
#ifndef DW_BUILDER_ANALYSIS_H
#define DW_BUILDER_ANALYSIS_H

#include "builder/digest.h"
#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps that keep a hostile archive from exhausting memory: far above any
 * real image (the largest common images hold a few hundred thousand
 * paths). Exceeding one fails with ERR_TOO_LARGE. */
#define BLD_ANALYSIS_MAX_PATHS ((size_t)8 * 1024 * 1024)
#define BLD_ANALYSIS_MAX_PATH_LEN ((size_t)16 * 1024)
#define BLD_ANALYSIS_MAX_LAYERS ((size_t)4096)

enum bld_entry_type {
    BLD_ENTRY_FILE,     /* a regular file: the only kind whose size counts */
    BLD_ENTRY_DIR,      /* a directory */
    BLD_ENTRY_SYMLINK,  /* a symbolic link */
    BLD_ENTRY_HARDLINK, /* a hard link to an earlier entry */
    BLD_ENTRY_OTHER,    /* device, fifo, socket */
};

/* What one layer holds and what of it is wasted. */
struct bld_layer_stats {
    /* Known when the layer was read from a tar (diff_id, tar_size,
     * compressed_size) or from the store (digest, compressed_size too). */
    bool has_diff_id, has_digest;
    struct bld_digest diff_id; /* sha256 of the uncompressed tar */
    struct bld_digest digest;  /* sha256 of the blob */
    uint64_t tar_size;         /* bytes of the uncompressed tar, 0 when unknown */
    uint64_t compressed_size;  /* bytes of the blob or file read, 0 when unknown */
    uint64_t size;             /* regular-file bytes from the tar headers (dive's size) */
    uint64_t entries;          /* tar entries, the root directory and whiteouts included */
    uint64_t files;            /* entries that are neither directories nor whiteouts */
    uint64_t dirs;             /* directory entries */
    uint64_t whiteouts;        /* ".wh." entries, opaque markers included */
    uint64_t wasted_bytes;     /* of size: bytes later layers delete or overwrite */
    uint64_t removed_bytes;    /* bytes of lower layers this layer deletes or overwrites */
};

/* A file hidden by a later layer (exact account). */
struct bld_wasted_file {
    const char *path; /* "/opt/sdk.tgz" */
    uint64_t size;    /* its bytes */
    uint32_t layer;   /* index of the layer that added it */
    uint32_t removed; /* index of the layer that hid it (== layer for a
                       * duplicate entry within one tar) */
    bool overwritten; /* hidden by a new entry at the path (else deleted) */
};

/* A path that occurs in two or more layers (dive's inefficiency). */
struct bld_dive_path {
    const char *path;
    uint64_t cumulative; /* sum of its occurrences */
    uint64_t minimum;    /* the smallest occurrence */
    uint32_t count;      /* occurrences */
};

struct bld_dive_score {
    double efficiency;
    uint64_t wasted_bytes;
    uint64_t user_size_bytes;
    double wasted_user_percent;  /* a ratio; see the header comment */
    struct bld_dive_path *paths; /* cumulative descending */
    size_t n_paths;
};

struct bld_image_analysis {
    struct bld_layer_stats *layers; /* bottom first */
    size_t n_layers;
    uint64_t size;                  /* sum of the layers' sizes */
    uint64_t tar_size;              /* sum of the layers' tar sizes (0 when unknown) */
    uint64_t compressed_size;       /* sum of the layers' compressed sizes */
    uint64_t live_bytes;            /* regular-file bytes of the merged filesystem */
    uint64_t live_files;            /* regular files in it */
    uint64_t wasted_bytes;          /* size - live_bytes: sum of the layers' wasted_bytes */
    uint64_t rewritten_live_bytes;  /* live files whose path held another file before */
    double efficiency;              /* live_bytes / size; 1 when size is 0 */
    struct bld_wasted_file *wasted; /* size descending, then layer */
    size_t n_wasted;                /* at most max_paths of them */
    size_t n_wasted_total;          /* how many there were */
    struct bld_dive_score dive;
};

/* An analysis in progress: the merged tree of every layer fed so far.
 * Opaque; one per image. */
struct bld_analysis;

/* A new, empty analysis (heap; bld_analysis_free releases it). */
struct bld_analysis *bld_analysis_new(void);
void bld_analysis_free(struct bld_analysis *an);
/* Layers fed so far. */
size_t bld_analysis_layer_count(const struct bld_analysis *an);

/* ---- feeding entries by hand ------------------------------------------ */

/* Starts the next layer. ERR_USAGE when one is already open, ERR_TOO_LARGE
 * above BLD_ANALYSIS_MAX_LAYERS. */
DW_NODISCARD int bld_analysis_layer_begin(struct bld_analysis *an, struct err *err);
/* Adds one entry of the open layer. path is the tar member name: "./" and
 * "/" prefixes, "." components and a final "/" are ignored; a base name
 * ".wh.x" is a whiteout of x and ".wh..wh..opq" an opaque marker of its
 * directory (type and size are then ignored), other ".wh..wh." names are
 * skipped as aufs metadata. size counts for BLD_ENTRY_FILE only. Errors
 * (ERR_INVALID): a ".." component, an empty whiteout name, a path naming
 * the root ("", "./") that is not a directory; no open layer
 * (ERR_USAGE); ERR_TOO_LARGE beyond the caps. */
DW_NODISCARD int bld_analysis_entry(struct bld_analysis *an, const char *path,
                                    enum bld_entry_type type, uint64_t size, struct err *err);
/* Ends the open layer: applies its whiteouts (to the layers below it
 * only), then its entries, and records dive's occurrences. */
DW_NODISCARD int bld_analysis_layer_end(struct bld_analysis *an, struct err *err);
/* The statistics of layer i so far (wasted_bytes grow as later layers are
 * added); NULL when there is no such layer. Borrowed until the next call
 * that adds a layer. */
struct bld_layer_stats *bld_analysis_layer(struct bld_analysis *an, size_t i);

/* ---- feeding layers --------------------------------------------------- */

/* Reads one layer tar (plain or compressed) from fd to its end and adds it
 * as the next layer, recording its diff_id, tar size and (when fd is a
 * regular file) the bytes read as compressed_size. name is used in
 * messages ("layer 'name': entry 'x': ..."). On error the analysis must
 * not be used further, except to free it. */
DW_NODISCARD int bld_analysis_add_tar_fd(struct bld_analysis *an, int fd, const char *name,
                                         struct err *err);
/* The same for a file. */
DW_NODISCARD int bld_analysis_add_tar_file(struct bld_analysis *an, const char *path,
                                           struct err *err);
/* Adds the layer blob desc of the store (its digest and size are recorded;
 * when diff_id is not NULL the tar must hash to it, else ERR_INVALID). */
DW_NODISCARD int bld_analysis_add_blob(struct bld_analysis *an, const struct bld_store *s,
                                       const struct bld_descriptor *desc,
                                       const struct bld_digest *diff_id, struct err *err);
/* Adds every layer of the image desc of the store (a manifest, or an index
 * of which exactly one platform is in the store, else the host's),
 * checking each against the config's rootfs.diff_ids. */
DW_NODISCARD int bld_analysis_add_image(struct bld_analysis *an, const struct bld_store *s,
                                        const struct bld_descriptor *desc, struct err *err);
/* Resolves desc (manifest or index) to the manifest analysis would use and
 * reads it and its config into arena a. */
DW_NODISCARD int bld_analysis_resolve_image(const struct bld_store *s,
                                            const struct bld_descriptor *desc, struct arena *a,
                                            struct bld_manifest *manifest,
                                            struct bld_image_config *config, struct err *err);

/* ---- results ---------------------------------------------------------- */

/* Computes the totals over every layer fed (a layer still open is an
 * ERR_USAGE error). At most max_paths wasted files and dive paths are
 * listed (0: none, SIZE_MAX: all), the largest first. Everything in out
 * lives in arena a; the analysis may be fed more layers and finished
 * again. */
DW_NODISCARD int bld_analysis_finish(struct bld_analysis *an, size_t max_paths, struct arena *a,
                                     struct bld_image_analysis *out, struct err *err);

#endif
