/* Image import into the store, and export out of it.
 *
 * Import reads three formats:
 *  - an OCI image layout directory (oci-layout, index.json, blobs/);
 *  - an oci-archive: a tar (possibly compressed) of such a layout;
 *  - a docker-archive (`docker save`): manifest.json listing, per image,
 *    Config, RepoTags and Layers, with the files they name.
 * Every blob is checked against its digest (and size) before it enters the
 * store; nothing is named in index.json unless all of an image's blobs were
 * stored. OCI manifests and indexes are kept byte for byte, so the imported
 * image has the digest it had. A docker-archive has no manifest: import
 * writes an OCI manifest for it (canonical JSON, so importing the same
 * archive twice gives the same digest) and keeps the config and layer bytes
 * as they are; each layer's media type says how it is compressed (plain
 * tar, as `docker save` writes it, tar+gzip or tar+zstd), and each layer's
 * uncompressed digest is checked against the config's rootfs.diff_ids.
 * An archive that holds both an OCI layout and a manifest.json (Docker 25
 * and later) is read as an OCI layout.
 *
 * Export writes an image of the store as an OCI layout directory, an
 * oci-archive or a docker-archive. The docker-archive is the layout written
 * by Docker 25: the OCI layout plus manifest.json (Config and Layers point
 * into blobs/sha256/), which both `docker load` and `podman load` read.
 * Outputs appear whole or not at all (written under a temporary name, then
 * renamed). */
#ifndef DW_BUILDER_IMPORT_H
#define DW_BUILDER_IMPORT_H

#include "builder/oci.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stddef.h>

enum bld_archive_kind {
    BLD_ARCHIVE_OCI_LAYOUT,  /* a directory */
    BLD_ARCHIVE_OCI_ARCHIVE, /* a tar of a layout */
    BLD_ARCHIVE_DOCKER,      /* docker save */
};

struct bld_imported_image {
    const char *name;           /* the reference recorded in index.json */
    struct bld_descriptor desc; /* the manifest (or index) it names */
};

struct bld_import_result {
    enum bld_archive_kind kind;
    struct bld_imported_image *images;
    size_t n_images;
};

/* Imports the images of path (a directory or an archive file) into s.
 * With ref, exactly one image is imported and named ref: the one whose
 * org.opencontainers.image.ref.name is ref, else the only one. Without ref,
 * every image is imported under its own names (ref.name or the containerd
 * image name annotation for OCI, RepoTags for docker-archive); an image
 * without a name is an error asking for a reference. Strings of the result
 * live in arena a. Errors: ERR_INVALID for a malformed archive or a blob
 * that does not match its digest, ERR_NOT_FOUND for a missing blob or file,
 * ERR_USAGE when a reference is needed or ambiguous. */
DW_NODISCARD int bld_import(struct bld_store *s, const char *path, const char *ref, struct arena *a,
                            struct bld_import_result *out, struct err *err);

enum bld_export_kind {
    BLD_EXPORT_OCI_DIR,
    BLD_EXPORT_OCI_ARCHIVE,
    BLD_EXPORT_DOCKER_ARCHIVE,
};

/* Writes the image named ref to dest in the given format, naming it name
 * (NULL: ref) in index.json and, for docker-archive, in RepoTags. dest must
 * not exist (an empty directory is accepted for BLD_EXPORT_OCI_DIR).
 * Every blob is verified while it is copied. A docker-archive holds one
 * platform: ref must name an image manifest, not an index. */
DW_NODISCARD int bld_export(struct bld_store *s, const char *ref, const char *name,
                            enum bld_export_kind kind, const char *dest, struct err *err);

/* "oci-layout", "oci-archive", "docker-archive". */
const char *bld_archive_kind_name(enum bld_archive_kind kind);

#endif
