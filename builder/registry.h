/* The registry client: pull images from and push images to a registry
 * that speaks the OCI distribution API (Docker Hub, distribution's
 * registry, GHCR, ...), with Docker's token authentication.
 *
 * The pure parts (references, WWW-Authenticate challenges, credential
 * files, manifest media types) need no network and are unit tested and
 * fuzzed on their own; registry.c holds the HTTP side, over libcurl.
 *
 * Transport: HTTPS with certificate verification. Plain HTTP (and HTTPS
 * without verification) is used only for hosts that are local
 * (localhost, 127.0.0.0/8, ::1) or named insecure (--insecure-registry,
 * DOCKWRIGHT_INSECURE_REGISTRIES), as Docker does for its insecure
 * registries: HTTPS is tried first and HTTP after a TLS or connection
 * failure. Only GET and HEAD are retried (transport errors, 429 and 5xx,
 * three attempts); uploads are not, since a half-finished upload cannot
 * be resumed safely by every registry. */
#ifndef DW_BUILDER_REGISTRY_H
#define DW_BUILDER_REGISTRY_H

#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- references ------------------------------------------------------- */

/* A reference normalised as Docker does: "alpine" is
 * docker.io/library/alpine:latest. Strings live in the arena given to
 * bld_ref_parse. */
struct bld_ref {
    const char *domain; /* "docker.io", "ghcr.io", "127.0.0.1:5000" */
    const char *path;   /* "library/alpine", "team/app" */
    const char *tag;    /* "latest" when neither a tag nor a digest was given; NULL with a
                         * digest alone */
    const char *digest; /* "sha256:<hex>" or NULL */
};

/* Parses s with the distribution reference grammar (the one FROM uses):
 * [domain/]path[:tag][@digest]. The first path element is a domain when it
 * holds '.' or ':' or is "localhost"; otherwise the domain is docker.io,
 * where a one-element path gets "library/". "index.docker.io" reads as
 * docker.io. Errors: ERR_INVALID with what is wrong (upper case in the
 * path, a bad tag or digest, an empty name, over 255 characters);
 * ERR_UNSUPPORTED for a digest algorithm other than sha256. */
DW_NODISCARD int bld_ref_parse(const char *s, struct arena *a, struct bld_ref *out,
                               struct err *err);
/* Docker's familiar form, the name the store records a pulled image under:
 * "alpine:latest", "team/app:1", "127.0.0.1:5000/app:1", "alpine@sha256:..."
 * (tag and digest both kept when both were given; "docker.io/" kept when
 * the path's first element would read as a registry: "docker.io/a.b/c").
 * In arena a. */
const char *bld_ref_familiar(const struct bld_ref *r, struct arena *a);
/* The host the API is reached at: registry-1.docker.io for docker.io, else
 * the domain itself. Static or borrowed from r. */
const char *bld_ref_api_host(const struct bld_ref *r);
/* What to ask the manifests endpoint for: the digest when there is one,
 * else the tag. Borrowed from r. */
const char *bld_ref_manifest_ref(const struct bld_ref *r);

/* ---- WWW-Authenticate ------------------------------------------------- */

/* One challenge of a WWW-Authenticate header (RFC 7235). Parameters the
 * registry protocol does not use are skipped. */
struct bld_auth_challenge {
    const char *scheme; /* as sent: "Bearer", "Basic" (compare ignoring case) */
    const char *realm, *service, *scope, *error; /* each NULL when absent */
};

#define BLD_AUTH_MAX_CHALLENGES 8

/* Parses a header value into up to max challenges (*n receives how many;
 * more are ignored). Quoted strings are unescaped. Errors: ERR_SYNTAX when
 * the value is not a challenge list (an unterminated quote, a parameter
 * without a name, no scheme). Strings live in arena a. */
DW_NODISCARD int bld_auth_parse(const char *header, struct arena *a, struct bld_auth_challenge *out,
                                size_t max, size_t *n, struct err *err);

/* ---- credentials ------------------------------------------------------ */

struct bld_creds {
    const char *user, *password;
};

/* Finds the credentials for domain in the "auths" object of a Docker or
 * containers auth file (JSON text, len bytes; what names it in messages):
 * an entry keyed by the domain, or by a URL of it ("https://host/v1/"); for
 * docker.io also "https://index.docker.io/v1/". The entry's "auth" is
 * base64 of "user:password"; "username" and "password" members are read
 * when "auth" is absent. ERR_NOT_FOUND when no entry matches (or it holds
 * neither), ERR_SYNTAX/ERR_INVALID for a malformed file or entry. */
DW_NODISCARD int bld_creds_parse(const char *json, size_t len, const char *what, const char *domain,
                                 struct arena *a, struct bld_creds *out, struct err *err);
/* Looks domain up in the first auth file that exists of:
 * $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, $HOME/.docker/config.json.
 * ERR_NOT_FOUND when no file has credentials for it. Credential helpers
 * (credsStore, credHelpers) are not run. */
DW_NODISCARD int bld_creds_lookup(const char *domain, struct arena *a, struct bld_creds *out,
                                  struct err *err);

/* ---- manifest media types --------------------------------------------- */

/* The Accept header of a manifest request: OCI index and manifest, Docker
 * manifest list and schema 2 manifest. */
#define BLD_REGISTRY_ACCEPT                                                                        \
    BLD_MT_OCI_INDEX ", " BLD_MT_DOCKER_LIST ", " BLD_MT_OCI_MANIFEST ", " BLD_MT_DOCKER_MANIFEST

/* Decides the media type of a manifest the registry returned: the
 * Content-Type (parameters and case dropped) when it is one of the four
 * accepted types; else (missing, application/json, text/plain, ...) the
 * body's "mediaType", else the shape of the body ("manifests" is an index,
 * "layers" a manifest). *media_type receives a static string. Errors:
 * ERR_UNSUPPORTED for Docker schema 1 and other types, ERR_INVALID when
 * nothing decides. */
DW_NODISCARD int bld_manifest_media_type(const char *content_type, const char *body, size_t len,
                                         const char **media_type, struct err *err);

/* ---- the client --------------------------------------------------------- */

enum bld_pull_policy {
    BLD_PULL_MISSING, /* pull what the store does not have (BuildKit's default) */
    BLD_PULL_NEVER,   /* use the store only */
    BLD_PULL_ALWAYS,  /* ask the registry again for every reference */
};

struct bld_registry_opts {
    /* Extra hosts ("host" or "host:port") reached over plain HTTP or
     * unverified HTTPS, NULL-terminated; NULL: none. The comma list in
     * DOCKWRIGHT_INSECURE_REGISTRIES is added. */
    const char *const *insecure;
    /* "os/arch[/variant]" to pick from an index; NULL: the host's. */
    const char *platform;
    /* Lines "pulling REF", "pushed ..." here; NULL: none. */
    FILE *progress;
    /* Push: blobs larger than this go in PATCH chunks of this size; 0 picks
     * 64 MiB (DOCKWRIGHT_PUSH_CHUNK_SIZE overrides, for tests). */
    uint64_t chunk_size;
};

struct bld_pull_result {
    const char *name;           /* the store name (familiar form), in the arena */
    struct bld_descriptor desc; /* the image manifest named */
    struct bld_digest top;      /* what the registry returned first (an index or the manifest) */
    size_t blobs_fetched;       /* blobs downloaded (the others were in the store) */
};

/* Pulls ref into store s and names it there with its familiar form (see
 * bld_ref_familiar). From an index, the manifest for the platform is
 * pulled and named. Every blob is streamed to a temporary file of the
 * store, hashed while downloading and renamed only when its digest and
 * size match; blobs already in the store are not downloaded. The store
 * lock is held from the first blob to the name (other writers wait), so
 * garbage collection cannot take a blob the image needs. Strings of out
 * live in arena a. Errors: ERR_NOT_FOUND (no such image, or no
 * manifest for the platform), ERR_INVALID (a bad reference, a digest
 * mismatch, a malformed manifest), ERR_UNSUPPORTED (schema 1), ERR_IO
 * (transport, HTTP and authentication errors, with the registry's error
 * message). */
DW_NODISCARD int bld_registry_pull(struct bld_store *s, const char *ref,
                                   const struct bld_registry_opts *o, struct arena *a,
                                   struct bld_pull_result *out, struct err *err);

/* Pushes the image the store names src (a manifest, or an index whose
 * manifests are all present) to dest (a reference; src itself when NULL):
 * each blob unless the registry has it (HEAD), mounted from src's
 * repository when src names one on the same registry, else uploaded
 * (monolithic PUT, or PATCH chunks above the chunk size); then the
 * manifests, byte for byte, so the digest is unchanged. *digest receives
 * the digest of what dest names. Errors as for bld_registry_pull. */
DW_NODISCARD int bld_registry_push(struct bld_store *s, const char *src, const char *dest,
                                   const struct bld_registry_opts *o, struct bld_digest *digest,
                                   struct err *err);

/* Whether host ("name", "name:port", "[v6]:port") may be reached over
 * plain HTTP or unverified HTTPS: a local host (localhost, an IPv4 address
 * in 127.0.0.0/8, [::1]), or one listed in o->insecure or
 * DOCKWRIGHT_INSECURE_REGISTRIES ("name" covers every port of it,
 * "name:port" that port only). o may be NULL. */
bool bld_registry_host_insecure(const struct bld_registry_opts *o, const char *host);

/* The host's platform, "linux/amd64" and the like. Static. */
const char *bld_registry_host_platform(void);

#endif
