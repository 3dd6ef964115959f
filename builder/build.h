/* `dockwright build`: the planner and executor that assemble the builder's
 * parts into an image.
 *
 * The planner takes the Dockerfile model (analyzer/model.h, built with the
 * target and build args) and builds, in file order, every stage the target
 * needs (df_stage.reaches_target). The executor runs each instruction of a
 * stage against the stage's state (its image config and layers):
 *
 * - FROM: scratch, a previous stage, or an image of the store by reference
 *   (as given, else with ":latest" added when it has no tag or digest);
 *   --platform must name the host's platform (ERR_UNSUPPORTED otherwise);
 * - metadata instructions change the config only (meta.h);
 * - RUN: run.h over overlayfs, the stage's extracted layers as lower dirs
 *   and a fresh upper dir, which becomes the step's layer (layer.h);
 * - COPY/ADD: copy.h from the context (with its .dockerignore), from a
 *   stage or from an image of the store; heredoc sources;
 * - WORKDIR other than "/": a layer holding the directory, as BuildKit.
 *
 * Every step has a cache key (cachekey.h) chained from the base. The cache
 * index lives in the store directory, <store>/buildcache/<key hex>: one
 * line, "-" for a step without a layer, or the layer's blob digest, blob
 * size, diff_id and tar size. On a hit the layer is reused (the config
 * state is replayed: metadata steps are deterministic); a hit whose blob
 * has since been collected is a miss. --no-cache reads no entry but still
 * records every step.
 *
 * The ONBUILD triggers of a base image or stage run right after its FROM,
 * parsed as a Dockerfile of their own: their variables see only that
 * text (not the downstream ARGs) and the config's ENV through the shell.
 *
 * Times: the layer epoch and the history/config "created" come from
 * SOURCE_DATE_EPOCH (environment, else the build arg of that name), else
 * 0: the same Dockerfile and context give the same image digest.
 *
 * The build holds no store lock while running steps; the final image
 * (config, manifest, reference) is written under the lock. A failed step
 * leaves the store consistent: blobs are only ever added whole. */
#ifndef DW_BUILDER_BUILD_H
#define DW_BUILDER_BUILD_H

#include "builder/digest.h"
#include "builder/report.h"
#include "builder/run.h"
#include "builder/store.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A secret RUN --mount=type=secret can use: its id and the host file. */
struct bld_build_secret {
    const char *id, *src;
};

struct bld_build_opts {
    const char *dockerfile;        /* path, for messages and the .dockerignore lookup */
    const char *text;              /* the Dockerfile's bytes */
    size_t len;                    /* their length */
    const char *context;           /* the build context directory */
    const char *target;            /* stage name, or NULL for the last stage */
    const char *const *build_args; /* "NAME=value", NULL-terminated; NULL: none */
    const char *tag;               /* reference to name the image in the store, or NULL */
    bool no_cache;                 /* run every step; the cache index is still written */
    enum bld_net net;              /* RUN's network unless RUN --network says otherwise */
    /* Progress lines ("[stage i/n] STEP k/m: INSTRUCTION", then CACHED or
     * DONE with the time) go here; NULL: none. RUN output goes here too,
     * each line prefixed with the step's "[stage i/n] STEP k/m". */
    FILE *progress;
    bool quiet; /* no progress lines (RUN output still shows) */
    /* Secrets for RUN --mount=type=secret, ending with an entry whose id is
     * NULL; NULL: none. A secret mount whose id has no entry is skipped
     * unless required. Secret contents never enter a cache key. */
    const struct bld_build_secret *secrets;
    /* Set by a SIGINT handler to cancel a running RUN; may be NULL. */
    const volatile sig_atomic_t *cancel;
};

struct bld_build_result {
    bool has_image;
    struct bld_digest manifest; /* the image manifest written */
    int64_t manifest_size;
    /* A RUN that exited non-zero: its status (shell-style); else 0. */
    int run_status;
};

/* Builds the image described by opts into store s, filling report r (steps
 * then image) and res. The image is named opts->tag when set; without a
 * tag no name reaches it and the next gc collects it. Returns 0, or an
 * error whose message names the Dockerfile position of the failing
 * instruction (a RUN that exits non-zero: ERR_INVALID, res->run_status
 * set). RUN --mount supports bind (from the context, or with from= a
 * stage or store image, whose source is copied out of its layers for the
 * run), cache (without from=, refused with ERR_UNSUPPORTED), tmpfs and
 * secret. */
DW_NODISCARD int bld_build(struct bld_store *s, const struct bld_build_opts *opts,
                           struct bld_report *r, struct bld_build_result *res, struct err *err);

#endif
