/* OCI image objects: descriptors, image manifests, image indexes and image
 * configurations, parsed from JSON into arena memory and written back as
 * canonical JSON (compact, keys sorted) so that the same object always has
 * the same bytes and therefore the same digest.
 *
 * Docker's schema-2 media types are accepted wherever the OCI ones are; the
 * objects dockwright writes use the OCI types. Parsing keeps the fields the
 * builder uses: an imported manifest or config is stored with its original
 * bytes, never re-serialised, so the fields dropped here are not lost. */
#ifndef DW_BUILDER_OCI_H
#define DW_BUILDER_OCI_H

#include "builder/digest.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLD_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BLD_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define BLD_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define BLD_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define BLD_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define BLD_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define BLD_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define BLD_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define BLD_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define BLD_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define BLD_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
/* The index.json annotation naming an image ("alpine:3.20"). */
#define BLD_ANNOT_REF_NAME "org.opencontainers.image.ref.name"
/* Size caps for JSON objects read from blobs or archives: far above what
 * real images use, low enough that input cannot exhaust memory. */
#define BLD_JSON_MAX ((size_t)16 * 1024 * 1024)

/* One key and value (annotations, labels). */
struct bld_kv {
    const char *key, *value;
};

/* A list of strings; set distinguishes an absent or null list from []. */
struct bld_strs {
    const char **items;
    size_t len;
    bool set;
};

struct bld_platform {
    const char *os, *architecture, *variant; /* variant may be NULL */
};

/* A content descriptor: what a blob is, its digest and size. */
struct bld_descriptor {
    const char *media_type;
    struct bld_digest digest;
    int64_t size;
    struct bld_kv *annotations; /* sorted by key when written */
    size_t n_annotations;
    struct bld_platform *platform; /* NULL when absent */
};

struct bld_manifest {
    const char *media_type; /* NULL when the JSON has none */
    struct bld_descriptor config;
    struct bld_descriptor *layers;
    size_t n_layers;
    struct bld_kv *annotations;
    size_t n_annotations;
};

struct bld_index {
    const char *media_type;
    struct bld_descriptor *manifests;
    size_t n_manifests;
    struct bld_kv *annotations;
    size_t n_annotations;
};

/* Durations are nanoseconds, as in Docker's config JSON; 0 = unset. */
struct bld_healthcheck {
    struct bld_strs test;
    int64_t interval, timeout, start_period, start_interval;
    int64_t retries;
};

struct bld_history {
    const char *created, *created_by, *author, *comment; /* each may be NULL */
    bool empty_layer;
};

/* The "config" member of an image configuration (what a container runs). */
struct bld_container_config {
    const char *user, *working_dir, *stop_signal; /* NULL when unset */
    struct bld_strs env, entrypoint, cmd, on_build, shell;
    struct bld_strs exposed_ports, volumes; /* JSON objects with empty values */
    struct bld_kv *labels;
    size_t n_labels;
    struct bld_healthcheck *healthcheck; /* NULL when unset */
};

struct bld_image_config {
    const char *created, *author, *architecture, *os, *variant;
    struct bld_container_config config;
    struct bld_digest *diff_ids; /* rootfs.diff_ids, bottom layer first */
    size_t n_diff_ids;
    struct bld_history *history;
    size_t n_history;
};

/* Parsers: read len bytes of JSON into *out, every string and array in
 * arena a (valid until it is released). Errors: ERR_SYNTAX for bad JSON
 * (with line and column), ERR_INVALID for a wrong type or a missing
 * required member (the message names the member), ERR_TOO_LARGE above
 * BLD_JSON_MAX. `what` names the object in messages ("manifest 'x'"). */
DW_NODISCARD int bld_manifest_parse(const char *json, size_t len, const char *what, struct arena *a,
                                    struct bld_manifest *out, struct err *err);
DW_NODISCARD int bld_index_parse(const char *json, size_t len, const char *what, struct arena *a,
                                 struct bld_index *out, struct err *err);
DW_NODISCARD int bld_config_parse(const char *json, size_t len, const char *what, struct arena *a,
                                  struct bld_image_config *out, struct err *err);

/* Writers: append the canonical JSON of the object to out (no final
 * newline). Absent optional members are left out. Fail only with
 * ERR_TOO_LARGE from a capped buffer or ERR_INVALID for an object that
 * cannot be valid (a descriptor without a media type). */
DW_NODISCARD int bld_manifest_write(const struct bld_manifest *m, struct buf *out, struct err *err);
DW_NODISCARD int bld_index_write(const struct bld_index *ix, struct buf *out, struct err *err);
DW_NODISCARD int bld_config_write(const struct bld_image_config *c, struct buf *out,
                                  struct err *err);

/* Checks the content of an oci-layout file: imageLayoutVersion "1.0.0". */
DW_NODISCARD int bld_layout_check(const char *json, size_t len, const char *what, struct err *err);

/* The value of an annotation, or NULL. */
const char *bld_descriptor_annotation(const struct bld_descriptor *d, const char *key);
/* Media-type classes (OCI and Docker spellings). */
bool bld_media_type_is_manifest(const char *mt);
bool bld_media_type_is_index(const char *mt);
/* The layer media type for a compression ("gzip", "zstd" or NULL for a
 * plain tar) in the OCI spelling. */
const char *bld_layer_media_type(const char *compression);

#endif
