/* Build-cache keys: one sha256 per build step, chained from the base image
 * through every instruction, so that a change anywhere changes the key of
 * every step after it (layer-analysis.md section 3).
 *
 * A step's key covers, each field tagged and length-prefixed (so no two
 * different inputs can produce the same byte stream):
 * - the parent key (the previous step's chain key, or the base key);
 * - the platform;
 * - the expanded instruction text as the planner renders it (for RUN the
 *   command with its shell and flags, for COPY/ADD the flags, sources and
 *   destination after expansion, for metadata instructions their text);
 * - the build args the step depends on, sorted by name (RUN: every ARG in
 *   scope, since BuildKit injects them into the environment; other
 *   instructions: the ones their expansion used). A declared ARG without
 *   a value and one set to "" hash differently;
 * - COPY/ADD: the content digest of the selected files (bld_copy_digest:
 *   paths, modes, owners, symlink targets, contents, never times). ADD of
 *   a URL counts by the downloaded content's digest (dockwright downloads
 *   before computing the key; with --checksum the checksum is that
 *   digest);
 * - RUN --mount: each mount's options, sorted by key (as BuildKit hashes
 *   the whole mount list; cache mounts' id and sharing included, secret
 *   contents never), and for bind mounts the content digest of the bound
 *   source (as BuildKit's content-based dependency on the mount input).
 *
 * Nothing else: time, the network, files a RUN reads that are not bound
 * into it. A step with COPY --link also gets a layer key that leaves out
 * the parent: its layer does not depend on what is below it, so it can be
 * reused on top of a changed base (the chain key still changes). */
#ifndef DW_BUILDER_CACHEKEY_H
#define DW_BUILDER_CACHEKEY_H

#include "builder/digest.h"
#include "builder/oci.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>

/* One RUN --mount as far as the key is concerned. */
struct bld_key_mount {
    const struct bld_kv *opts; /* expanded key=value options ("type", "target", ...) */
    size_t n_opts;
    const struct bld_digest *content; /* bind mounts: digest of the bound source, else NULL */
};

struct bld_step_input {
    const struct bld_digest *parent; /* NULL only for a step without a base (never in practice) */
    const char *platform;            /* "linux/amd64"; NULL: none */
    const char *instruction;         /* required */
    const struct bld_kv *args;       /* build args; value NULL: declared without a value */
    size_t n_args;
    const struct bld_digest *content; /* COPY/ADD content digest, else NULL */
    const struct bld_key_mount *mounts;
    size_t n_mounts;
    bool link; /* COPY/ADD --link */
};

struct bld_step_keys {
    struct bld_digest chain; /* the key of the state after this step; the next step's parent */
    struct bld_digest
        layer; /* the key of the layer this step makes (chain, or parent-free for --link) */
};

/* The key of a stage's base: the image manifest digest and platform, or
 * scratch when manifest is NULL. Fails only when OpenSSL cannot hash. */
DW_NODISCARD int bld_key_base(const struct bld_digest *manifest, const char *platform,
                              struct bld_digest *out, struct err *err);

/* The keys of one step. ERR_USAGE when instruction is NULL or an option
 * has a NULL key; ERR_INTERNAL when OpenSSL cannot hash. Deterministic:
 * the same input gives the same keys, whatever the order of args and
 * mount options. */
DW_NODISCARD int bld_step_key(const struct bld_step_input *in, struct bld_step_keys *out,
                              struct err *err);

#endif
