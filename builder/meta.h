/* Image config updates for the metadata instructions and the history
 * entries of every step, as BuildKit's Dockerfile frontend writes them
 * (dockerfile2llb dispatch functions, studied at mainline 2025/26).
 *
 * The planner passes already-expanded, already-parsed values; these
 * functions change struct bld_image_config (oci.h) and append the history
 * entry BuildKit appends:
 *
 *   ENV        Env: a key is replaced in place, a new one appended   "ENV a=1 b=2"
 *   LABEL      Labels set (key replaced)                             "LABEL a=1 b=2"
 *   EXPOSE     ExposedPorts "80/tcp" (ranges expanded, proto lower)  "EXPOSE [80/tcp 81/udp]"
 *   USER       User                                                  "USER app"
 *   WORKDIR    WorkingDir, relative to the previous one              "WORKDIR /app"
 *   CMD        Cmd (shell form: SHELL or /bin/sh -c + the text)      "CMD [\"/bin/sh\" \"-c\"
 * \"x\"]" ENTRYPOINT Entrypoint; Cmd cleared unless a CMD came earlier in the same stage
 * "ENTRYPOINT [\"x\"]" HEALTHCHECK Healthcheck "HEALTHCHECK {Test:[CMD-SHELL x] Interval:30s ...}"
 *   SHELL      Shell                                                 "SHELL [/bin/bash -c]"
 *   STOPSIGNAL StopSignal (checked: a name with or without SIG, or a
 *              non-zero number)                                      "STOPSIGNAL SIGTERM"
 *   VOLUME     Volumes                                               "VOLUME [/data]"
 *   ONBUILD    OnBuild trigger appended; no history entry (BuildKit writes none)
 *   MAINTAINER author                                                "MAINTAINER x"
 *   ARG        history only                                          "ARG a=1 b"
 *
 * Metadata entries are empty_layer; RUN, COPY and ADD entries end with
 * " # buildkit" and have a layer (their text comes from bld_meta_run_text
 * and bld_meta_copy_text); WORKDIR has a layer unless it is "/" (BuildKit
 * creates the directory in a file operation). Every entry gets BuildKit's
 * comment "buildkit.dockerfile.v0" and the time in bld_meta.created
 * (SOURCE_DATE_EPOCH when set, see bld_meta_time). The CMD/ENTRYPOINT
 * "ArgsEscaped" flag is not kept: oci.h's config has no such field.
 *
 * Strings and arrays written into the config come from bld_meta.arena;
 * arrays are replaced, never modified in place, so a config parsed into
 * another arena may be updated. */
#ifndef DW_BUILDER_META_H
#define DW_BUILDER_META_H

#include "builder/oci.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLD_HISTORY_COMMENT "buildkit.dockerfile.v0"

/* The metadata state of one stage being built. */
struct bld_meta {
    struct bld_image_config *config;
    struct arena *arena;
    const char *created; /* history time (RFC 3339), or NULL to leave it out */
    bool cmd_set;        /* a CMD was dispatched in this stage */
};

/* Starts a stage on config (the base image's, or a zeroed one for
 * scratch): cmd_set false; the base's ONBUILD triggers are moved to
 * *triggers and *n (arena memory, for the planner to run right after FROM) and
 * cleared from the config, as BuildKit does. triggers may be NULL. */
void bld_meta_begin(struct bld_meta *m, struct bld_image_config *config, struct arena *a,
                    const char *created, const char *const **triggers, size_t *n);

/* The time of history entries and of the config: epoch >= 0 gives that
 * second ("1970-01-01T00:00:00Z" form, as SOURCE_DATE_EPOCH makes BuildKit
 * write), -1 the current time with nanoseconds (Go's RFC3339Nano, trailing
 * zeros trimmed). Arena string. */
const char *bld_meta_time(int64_t epoch, struct arena *a);

/* Reads a SOURCE_DATE_EPOCH build-arg value as BuildKit does: NULL or ""
 * is unset (*epoch -1), a decimal number of seconds is taken, "context"
 * is unset too (a local context has no commit time). ERR_INVALID
 * `invalid SOURCE_DATE_EPOCH: <v>` otherwise: negative values, and the
 * stage and named-context forms of newer BuildKit, which dockwright does
 * not resolve. */
DW_NODISCARD int bld_meta_parse_epoch(const char *value, int64_t *epoch, struct err *err);

/* Sets the config's created to m->created. */
void bld_meta_finish(struct bld_meta *m);

/* Appends a history entry with created_by text (copied), empty_layer,
 * m->created and BuildKit's comment. */
void bld_meta_history(struct bld_meta *m, const char *created_by, bool empty_layer);

DW_NODISCARD int bld_meta_env(struct bld_meta *m, const struct bld_kv *kv, size_t n,
                              struct err *err);
DW_NODISCARD int bld_meta_label(struct bld_meta *m, const struct bld_kv *kv, size_t n,
                                struct err *err);
/* ports: expanded words ("80", "8000-8002/udp", "127.0.0.1:80:80/tcp").
 * ERR_INVALID with BuildKit's messages (`invalid containerPort: x`,
 * `invalid proto: x`, `no port specified: /tcp<empty>`, ...). */
DW_NODISCARD int bld_meta_expose(struct bld_meta *m, const char *const *ports, size_t n,
                                 struct err *err);
DW_NODISCARD int bld_meta_user(struct bld_meta *m, const char *user, struct err *err);
/* *resolved (may be NULL) receives the new working directory;
 * *needs_layer (may be NULL) whether BuildKit makes a layer creating it
 * (every directory but "/"). ERR_INVALID for an empty path. */
DW_NODISCARD int bld_meta_workdir(struct bld_meta *m, const char *path, const char **resolved,
                                  bool *needs_layer, struct err *err);
/* argv: the exec-form words, or for shell_form the one text. */
DW_NODISCARD int bld_meta_cmd(struct bld_meta *m, const char *const *argv, size_t n,
                              bool shell_form, struct err *err);
DW_NODISCARD int bld_meta_entrypoint(struct bld_meta *m, const char *const *argv, size_t n,
                                     bool shell_form, struct err *err);
/* hc: as parsed (Test ["CMD-SHELL", x], ["CMD", ...] or ["NONE"];
 * durations in nanoseconds, 0 for unset). Copied. */
DW_NODISCARD int bld_meta_healthcheck(struct bld_meta *m, const struct bld_healthcheck *hc,
                                      struct err *err);
DW_NODISCARD int bld_meta_shell(struct bld_meta *m, const char *const *argv, size_t n,
                                struct err *err);
/* ERR_INVALID `invalid signal: X` as moby/sys/signal.ParseSignal judges. */
DW_NODISCARD int bld_meta_stopsignal(struct bld_meta *m, const char *sig, struct err *err);
/* ERR_INVALID `VOLUME specified can not be an empty string`. */
DW_NODISCARD int bld_meta_volume(struct bld_meta *m, const char *const *paths, size_t n,
                                 struct err *err);
DW_NODISCARD int bld_meta_onbuild(struct bld_meta *m, const char *trigger, struct err *err);
DW_NODISCARD int bld_meta_maintainer(struct bld_meta *m, const char *text, struct err *err);
/* History only. kv value NULL: an ARG without a value. */
DW_NODISCARD int bld_meta_arg(struct bld_meta *m, const struct bld_kv *kv, size_t n,
                              struct err *err);

/* The argv a shell-form command runs as: the config's SHELL (or
 * /bin/sh -c) plus the text. Arena array of *n strings. */
const char **bld_meta_with_shell(const struct bld_meta *m, const char *text, size_t *n);

/* RUN's history text: "RUN [|N k=v ...] argv... # buildkit" (the build
 * args of the stage with their values; argv is the final command, shell
 * included). Arena. */
const char *bld_meta_run_text(struct arena *a, const char *const *argv, size_t n,
                              const struct bld_kv *args, size_t n_args);

/* COPY/ADD's history text: "COPY [--parents] [--chown=x] [--chmod=y]
 * src... [<<name...] dest # buildkit" with the expanded values as written.
 * Arena. */
const char *bld_meta_copy_text(struct arena *a, bool add, bool parents, const char *chown,
                               const char *chmod, const char *const *srcs, size_t n_srcs,
                               const char *const *heredocs, size_t n_heredocs, const char *dest);

/* Go's %q of a string list (`["a" "b\n"]`), as BuildKit prints CMD and
 * ENTRYPOINT. Arena. */
const char *bld_meta_quote_list(struct arena *a, const char *const *v, size_t n);

/* Go's time.Duration String ("1m30s", "500ms", "0s"). Arena. */
const char *bld_meta_duration(struct arena *a, int64_t ns);

#endif
