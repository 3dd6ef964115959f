/* `dockwright build`: the planner and executor that assemble the builder's
 * parts into an image.
 *
 * The planner takes the Dockerfile model (analyzer/model.h, built with the
 * target and build args) and builds, in file order, every stage the target
 * needs (df_stage.reaches_target). When two of them need nothing from each
 * other (no FROM, COPY --from or RUN --mount from= between them), each
 * stage is built in a forked child process, as many at once as the CPUs
 * allow (at most 4), a stage starting when those it needs are done; the
 * report still lists the steps in file order. The executor runs each
 * instruction of a stage against the stage's state (its image config and
 * layers):
 *
 * - FROM: scratch, a previous stage, or an image of the store by reference
 *   (as given, else with ":latest" added when it has no tag or digest);
 *   from an image index, the manifest of the stage's platform: FROM
 *   --platform (expanded in the global scope, so $BUILDPLATFORM and
 *   $TARGETPLATFORM work), else the target platform (opts.platform, else
 *   the host's). A stage of another platform builds as long as its RUNs
 *   can execute: a RUN the kernel cannot run fails with ERR_UNSUPPORTED
 *   naming the platform and binfmt_misc emulation;
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
 * Before building, every stage the target needs is resolved (platform,
 * base image) and the model is rebuilt with two things BuildKit knows
 * only then: the base images' Env, which seeds each stage's variables
 * below its ARG and ENV (and PATH is added to a config without one, as
 * BuildKit does), and the ONBUILD triggers of each stage's base (the
 * image's, or the ONBUILD instructions of the in-file stage it is built
 * on), spliced in right after the FROM line: they run first, in the
 * stage's scope (they see the base's environment, build args and
 * imported global ARGs; their ARG and ENV stay visible to the stage), on
 * the FROM step's number, and their errors name the FROM line.
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
    const char *dockerfile; /* path, for messages and the .dockerignore lookup */
    const char *text;       /* the Dockerfile's bytes */
    size_t len;             /* their length */
    const char *context;    /* the build context directory */
    const char *target;     /* stage name, or NULL for the last stage */
    /* The target platform ("linux/arm64"), as `docker build --platform`:
     * TARGETPLATFORM and its parts, the platform of stages without FROM
     * --platform and of the image; NULL: the host's. ERR_USAGE when it
     * does not parse. */
    const char *platform;
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
