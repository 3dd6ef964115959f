/* The build report: per step, its instruction, cache hit or miss, wall
 * time and the layer it made; for the image, its sizes, wasted bytes and
 * efficiency (builder/analysis.h defines the numbers). Written as JSON
 * ({"version": 1, ...}, documented field by field in docs/build-report.md),
 * read back from it, and printed as a table for the terminal.
 *
 * A report owns everything it points to (one arena): strings given to it
 * are copied. */
#ifndef DW_BUILDER_REPORT_H
#define DW_BUILDER_REPORT_H

#include "builder/analysis.h"
#include "builder/digest.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/err.h"
#include "common/vec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLD_REPORT_VERSION 1
/* A report file larger than this is refused when read. */
#define BLD_REPORT_MAX_BYTES ((size_t)64 * 1024 * 1024)

enum bld_cache_result {
    BLD_CACHE_MISS, /* the step ran */
    BLD_CACHE_HIT,  /* its result came from the cache */
};

struct bld_report_layer {
    bool has_digest, has_diff_id;
    struct bld_digest digest;  /* the compressed blob */
    struct bld_digest diff_id; /* the uncompressed tar */
    int64_t index;             /* position in the final image (0 = bottom), -1 if absent */
    uint64_t size;             /* regular-file bytes (dive's layer size) */
    uint64_t tar_size;         /* uncompressed tar bytes, 0 when unknown */
    uint64_t compressed_size;  /* blob bytes */
    uint64_t files;            /* entries that are neither directories nor whiteouts */
    uint64_t whiteouts;
    uint64_t wasted_bytes;  /* of size: bytes a later layer deletes or overwrites */
    uint64_t removed_bytes; /* bytes of lower layers this one deletes or overwrites */
};

struct bld_report_step {
    const char *stage;       /* the stage's name, or its index in decimal */
    uint32_t line;           /* 1-based line of the instruction */
    const char *instruction; /* its text as written */
    enum bld_cache_result cache;
    double seconds; /* wall time */
    bool has_layer; /* false for steps that change the config only */
    struct bld_report_layer layer;
};

/* A file of the image that a later layer hid. */
struct bld_report_path {
    const char *path;
    uint64_t size;
    uint32_t layer;   /* image layer that added it (0 = bottom) */
    uint32_t removed; /* image layer that deleted or overwrote it */
    bool overwritten;
};

struct bld_report_image {
    bool has_digest;
    struct bld_digest digest; /* the image manifest */
    uint64_t layers;
    uint64_t size, tar_size, compressed_size;
    uint64_t wasted_bytes, live_bytes, rewritten_live_bytes;
    double efficiency;
    double dive_efficiency;
    uint64_t dive_wasted_bytes, dive_user_size_bytes;
    double dive_wasted_user_percent;      /* INFINITY: undefined (null in JSON) */
    struct bld_report_path *wasted_paths; /* the largest first */
    size_t n_wasted_paths;
};

struct bld_report {
    struct arena arena; /* strings and arrays of the report */
    VEC(struct bld_report_step) steps;
    bool has_image;
    struct bld_report_image image;
};

/* An empty report; allocates nothing. */
void bld_report_init(struct bld_report *r);
/* Frees everything; r is empty and reusable. */
void bld_report_release(struct bld_report *r);

/* Appends a step (stage and instruction copied; NULL reads as ""). The
 * pointer is valid until the next call that adds a step. */
struct bld_report_step *bld_report_add_step(struct bld_report *r, const char *stage, uint32_t line,
                                            const char *instruction, enum bld_cache_result cache,
                                            double seconds);
/* Records the layer of a step from the analysis of the stage that made it
 * (index -1 until bld_report_set_image finds it in the image). */
void bld_report_step_set_layer(struct bld_report_step *st, const struct bld_layer_stats *ls);
/* Records the image: its manifest digest (NULL when there is none yet)
 * and the analysis of its layers, of which the max_paths largest wasted
 * files are kept. Steps whose layer (by blob digest, else diff_id) is one
 * of the image's get that layer's index and numbers, wasted bytes
 * included, which only the whole image determines. */
void bld_report_set_image(struct bld_report *r, const struct bld_digest *manifest,
                          const struct bld_image_analysis *an, size_t max_paths);

/* Appends the JSON of the report to out (two-space indentation, a final
 * newline). ERR_TOO_LARGE when out is capped. */
DW_NODISCARD int bld_report_write_json(const struct bld_report *r, struct buf *out,
                                       struct err *err);
/* Writes the JSON to path atomically (mode 0644). */
DW_NODISCARD int bld_report_save(const struct bld_report *r, const char *path, struct err *err);
/* Reads a report written by bld_report_write_json into r (initialised,
 * empty). what names the input in messages. Errors: ERR_SYNTAX for bad
 * JSON (line and column set), ERR_INVALID naming the member for a wrong
 * type or value or a missing member, ERR_UNSUPPORTED for another version.
 * Members it does not know are ignored; "totals" is recomputed. On error
 * r holds what was read so far and must still be released. */
DW_NODISCARD int bld_report_parse_json(const char *json, size_t len, const char *what,
                                       struct bld_report *r, struct err *err);
/* bld_report_parse_json of a file (at most BLD_REPORT_MAX_BYTES). */
DW_NODISCARD int bld_report_load(const char *path, struct bld_report *r, struct err *err);

/* Options of the table printer. */
struct bld_report_table_opts {
    unsigned instruction_width; /* widest INSTRUCTION cell (at least 8); 0: 48 */
    size_t max_paths;           /* wasted files listed under the table; 0: none */
    /* The report describes an image that was not built here (its steps
     * come from the config's history): the STAGE, LINE, CACHE and TIME
     * columns are left out. */
    bool history;
};

/* Appends the table of the report to out: one row per step, aligned
 * columns (text left, numbers right), sizes human-readable, a totals row,
 * then a line about the image and its largest wasted files (when the
 * report has an image). Instructions are shown on one line, whitespace
 * runs collapsed, cut to the width with "...". */
DW_NODISCARD int bld_report_write_table(const struct bld_report *r,
                                        const struct bld_report_table_opts *opts, struct buf *out,
                                        struct err *err);

/* Longest text bld_human_size writes, with its NUL. */
#define BLD_HUMAN_SIZE_MAX 16
/* Writes n bytes human-readable into out, in decimal units as docker and
 * dive print them, three significant digits: "0 B", "999 B", "1.00 kB",
 * "45.2 MB", "123 GB". Returns out. */
const char *bld_human_size(uint64_t n, char out[BLD_HUMAN_SIZE_MAX]);

#endif
