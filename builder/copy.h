/* COPY and ADD execution, the way BuildKit's FileOp copy (fsutil's copier)
 * does it, without the Dockerfile model: the planner passes the expanded
 * sources, destination and flag values.
 *
 * A COPY/ADD runs in two phases so that the cache key can be computed
 * before anything is written:
 *
 * 1. bld_copy_select resolves the sources into a selection: each source is
 *    cleaned as if rooted at its tree (`../x` is `x`), globbed (Go's
 *    filepath.Match on each path segment below the first segment holding a
 *    wildcard), a named symlink is followed inside the tree (an absolute
 *    target is taken from the tree's root and ".." stops at the root, so
 *    nothing outside the tree is ever read), and a directory contributes
 *    what it holds (the directory itself is not created at the
 *    destination). Symlinks below a named source are copied as symlinks.
 *    Build-context sources honour the ignore file: an ignored name is an
 *    error, as in BuildKit (the file was never sent), ignored entries under
 *    a named directory are skipped. `--exclude` patterns (the ignore-file
 *    syntax) are matched against paths relative to the copied source (for
 *    a glob match, relative to the directory the glob starts in). ADD
 *    downloads URLs and recognises local tar archives here.
 * 2. bld_copy_apply writes the selection into the destination: a layer's
 *    upper directory over its read-only lower layers, or a plain directory.
 *
 * Destination rules (BuildKit's): the destination is taken against the
 * WORKDIR when relative; a trailing "/" (or "." or "/.") makes it a
 * directory, which is created with its missing parents (0755, owned by the
 * --chown user or 0:0); a file source lands at the destination, or inside
 * it when the destination already is a directory (symlinks on the way are
 * resolved inside the root); a directory source's contents are merged into
 * the destination directory (existing subdirectories take the source's
 * mode, owner and time; the destination directory itself keeps its own);
 * a directory is never replaced by a file nor a file by a directory. More
 * than one source file (after globbing) needs a destination that ends with
 * "/" or is an existing directory (`when using COPY with more than one
 * source file, the destination must be a directory and end with a /`;
 * BuildKit itself lets the last file win).
 *
 * Differences from BuildKit, on purpose: a glob matching nothing copies
 * nothing, as BuildKit does, but a glob whose fixed leading directory is
 * missing fails (BuildKit's lstat error); a --chown name that the image's
 * /etc/passwd or /etc/group lacks is an error (BuildKit silently uses 0);
 * sockets are skipped; ".wh." names inside an ADDed archive are applied as
 * whiteouts within the archive rather than extracted as files.
 *
 * Ownership: --chown user[:group] (names looked up in the destination
 * image's /etc/passwd and /etc/group, numbers taken as they are, a numeric
 * user alone also gives the group) applies to every entry written and
 * every directory created. Without it, build-context files, heredocs and
 * downloads are 0:0 (BuildKit's context transfer resets ownership), files
 * from another tree keep their owner, archives keep their entries' owners.
 * When not running as root only the caller's own ids and 0 (the caller in
 * a rootless build) can be written; other owners fail with ERR_UNSUPPORTED.
 *
 * Times: entries keep their source mtimes (the layer writer normalises
 * them to the epoch anyway) unless opts.epoch >= 0, which sets every
 * written entry and created directory to it, as BuildKit does with
 * SOURCE_DATE_EPOCH. Heredoc files get the epoch (or the time of the copy),
 * downloads the server's Last-Modified (else 1970), as BuildKit does. */
#ifndef DW_BUILDER_COPY_H
#define DW_BUILDER_COPY_H

#include "builder/digest.h"
#include "common/arena.h"
#include "common/compiler.h"
#include "common/err.h"
#include "common/span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct di_file;

/* A directory tree made of layer directories, top first, as overlayfs
 * stacks them: an entry of a higher layer hides the same path below it, a
 * character device 0/0 is a whiteout (the path is deleted), a directory
 * with the xattr trusted.overlay.opaque or user.overlay.opaque = "y" hides
 * what lower layers hold under it. A single plain directory is a tree of
 * one layer. No layers: the empty tree (FROM scratch). */
struct bld_tree {
    const char *const *layers;
    size_t n_layers;
};

/* ---- --chmod and --chown ---------------------------------------------- */

#define BLD_CHMOD_MAX_OPS 32

struct bld_chmod_op {
    unsigned who;  /* affected bits (set-id, sticky and rwx of the classes) */
    char op;       /* '+', '-' or '=' */
    unsigned perm; /* bits named by r, w, x, s, t */
    char copy;     /* 'u', 'g', 'o' to copy that class's bits, else 0 */
    bool cond_x;   /* X: x only for directories or already executable files */
};

/* A parsed --chmod value: octal (up to 07777) or symbolic, as chmod(1)
 * reads it (`u=rwX,go=rX`, `+x`, `g=u-w`). Symbolic clauses without a
 * class letter are limited by the umask 022, as in BuildKit's daemon. */
struct bld_chmod {
    bool set;
    bool symbolic;
    unsigned octal;
    struct bld_chmod_op ops[BLD_CHMOD_MAX_OPS];
    size_t n_ops;
};

/* Parses s; NULL or "" leaves out->set false. ERR_INVALID with BuildKit's
 * message (`invalid chmod parameter: '<s>'. it should be octal string and
 * between 0 and 07777`) for anything else that is not a mode. */
DW_NODISCARD int bld_chmod_parse(const char *s, struct bld_chmod *out, struct err *err);
/* The permission bits (07777) --chmod gives an entry whose current mode is
 * mode (type bits ignored) and which is a directory or not. */
unsigned bld_chmod_apply(const struct bld_chmod *c, unsigned mode, bool is_dir);

/* Resolves a --chown value (NUL-terminated) against the image's passwd and
 * group files (a slice with a NULL ptr stands for a missing file): a
 * numeric user is a uid and, alone, the gid too; a user name takes its uid
 * and primary gid from passwd; a group part (number or name) sets the gid.
 * Errors: ERR_NOT_FOUND for an unknown name (passwd.h's messages),
 * ERR_INVALID for an empty part or an id above 2^31-1. */
DW_NODISCARD int bld_chown_resolve(const char *spec, struct str passwd, struct str group,
                                   uint32_t *uid, uint32_t *gid, struct err *err);

/* ---- selection ------------------------------------------------------- */

enum bld_src_kind {
    /* A path or glob in opts.from; for ADD, an http:// or https:// URL. */
    BLD_SRC_PATH,
    /* An inline file: path is its name (the heredoc delimiter), data/len
     * its final content (expanded and chomped by the caller). */
    BLD_SRC_HEREDOC,
};

struct bld_src {
    enum bld_src_kind kind;
    const char *path;
    const char *data;
    size_t len;
};

struct bld_copy_opts {
    bool add; /* ADD: URLs, local archives, --checksum, --unpack */
    const struct bld_src *srcs;
    size_t n_srcs;
    /* Where path sources are read: the build context (one directory, with
     * from_context set) or another stage's or image's layers. */
    struct bld_tree from;
    bool from_context;
    /* The context's ignore file (from_context only); NULL ignores nothing.
     * Used for its name in messages too. */
    const struct di_file *ignore;
    const char *const *exclude; /* --exclude patterns, unexpanded */
    size_t n_exclude;
    bool parents;         /* COPY --parents */
    const char *chmod;    /* --chmod value, or NULL */
    const char *chown;    /* --chown value, or NULL */
    const char *checksum; /* ADD --checksum=sha256:<hex>, or NULL */
    int unpack;           /* ADD --unpack: -1 default (local archives yes, URLs no), 0, 1 */
    int64_t epoch;        /* -1: keep source times; else see the header comment */
    /* Downloads and archive staging go to a fresh directory below this
     * (NULL: $TMPDIR, else /tmp); it is removed when the selection's arena
     * is released. */
    const char *tmp_dir;
    long fetch_timeout_s; /* 0: no limit */
};

enum bld_sel_type {
    BLD_SEL_DIR,
    BLD_SEL_FILE,
    BLD_SEL_SYMLINK,
    BLD_SEL_FIFO,
    BLD_SEL_CHAR,
    BLD_SEL_BLOCK,
};

/* One entry to write. */
struct bld_sel_entry {
    const char *rel;  /* below the item's root, `/`-separated; "" for a file item */
    const char *host; /* the file to read it from; NULL for inline data */
    enum bld_sel_type type;
    unsigned mode;     /* permission bits to write (after --chmod), 07777 */
    uint32_t uid, gid; /* the owner to write unless --chown */
    uint64_t size;
    const char *link; /* symlink target */
    uint32_t rdev_major, rdev_minor;
    int64_t mtime_sec;
    long mtime_nsec;
    /* Another regular file of the selection with the same inode, written
     * first: this one becomes a hard link to it. -1 when none. The index
     * counts entries across items in order. */
    long link_to;
    uint64_t dev, ino; /* source identity, for hard links */
};

enum bld_item_kind {
    BLD_ITEM_FILE,    /* one file, symlink or node placed at (or inside) the destination */
    BLD_ITEM_DIR,     /* entries merged into the destination directory */
    BLD_ITEM_ARCHIVE, /* a local tar archive extracted into the destination directory */
};

struct bld_sel_item {
    enum bld_item_kind kind;
    const char *name;              /* base name when placed inside a directory */
    const char *source;            /* the source as written, for messages */
    struct bld_sel_entry *entries; /* DIR: walk order, parents first, without the root */
    size_t n_entries;
    const char *data; /* inline content (heredoc) */
    size_t len;
    const char *filter; /* ARCHIVE: "gzip", "bzip2", "xz", "zstd" or NULL */
};

struct bld_copy_sel {
    struct bld_sel_item *items;
    size_t n_items;
    size_t n_files; /* non-directory entries over every item */
    uint64_t bytes; /* their sizes */
    bool add;
    struct bld_chmod chmod;
    const char *chown; /* as given, or NULL */
    int64_t epoch;
    const char *tmp_dir;
    /* ADD URL: the digest of the downloaded content. */
    bool has_url;
    struct bld_digest url_digest;
};

/* Resolves opts into *out (arena a; downloads live in a temporary
 * directory removed with a). Errors (the message names the source):
 * ERR_NOT_FOUND `failed to compute cache key: "/x": not found` for a
 * missing source, a missing leading directory of a glob or an ignored
 * name (the message then names the ignore file's pattern); ERR_INVALID
 * for a bad --chmod, a malformed glob or exclude pattern, a URL in COPY,
 * --checksum misuse (`checksum can't be specified for COPY`, `... for
 * multiple sources`, `checksum requires HTTP(S) or Git sources`); a failed
 * or mismatching download (see bld_fetch); ERR_UNSUPPORTED for git
 * sources; ERR_IO when a tree cannot be read. */
DW_NODISCARD int bld_copy_select(const struct bld_copy_opts *opts, struct arena *a,
                                 struct bld_copy_sel **out, struct err *err);

/* The content digest of a selection, for the cache key: sha256 over, per
 * item in order, its kind and name, and per entry in walk order its
 * relative path, type, permission bits (after --chmod), owner (or, with
 * --chown, the --chown value once), symlink target, device numbers, hard
 * link and the sha256 of its content (read here); never times. ADD URLs
 * count by their downloaded content. ERR_IO when a file cannot be read. */
DW_NODISCARD int bld_copy_digest(const struct bld_copy_sel *sel, struct bld_digest *out,
                                 struct err *err);

/* The content digest of one source path of a tree, the way a RUN
 * --mount=type=bind source counts in a cache key (BuildKit hashes the
 * content of the bound path): bld_copy_select of that single path (build
 * context rules when from_context, with its ignore file) followed by
 * bld_copy_digest. Same errors. */
DW_NODISCARD int bld_source_digest(const struct bld_tree *from, bool from_context,
                                   const struct di_file *ignore, const char *path,
                                   struct bld_digest *out, struct err *err);

/* ---- apply ------------------------------------------------------------ */

struct bld_copy_dest {
    const char *dest;    /* the expanded destination as written */
    const char *workdir; /* absolute; NULL means "/" */
    /* The destination tree: layers[0] receives every write (an overlay
     * upper dir, or a plain root), the others are read to decide what
     * exists. COPY --link passes its fresh empty layer alone. */
    struct bld_tree tree;
    /* Where --chown names are looked up (/etc/passwd, /etc/group); NULL
     * means tree. */
    const struct bld_tree *users;
    const char *instr; /* "COPY" or "ADD", for messages; NULL: "COPY" */
};

struct bld_copy_stats {
    size_t files;   /* non-directory entries written */
    size_t dirs;    /* directories created or updated */
    uint64_t bytes; /* regular-file bytes written */
};

/* Writes sel into d->tree.layers[0]. On error the destination may hold
 * part of the copy (the caller discards the layer). Errors: ERR_INVALID
 * for destination conflicts (`cannot replace directory "/x" with a file`,
 * `cannot copy to non-directory: /x`, a path component that is a file,
 * several files to a non-directory), --chown and archive errors; ERR_IO
 * for system failures; ERR_UNSUPPORTED for owners a non-root process
 * cannot set. stats may be NULL. */
DW_NODISCARD int bld_copy_apply(const struct bld_copy_sel *sel, const struct bld_copy_dest *d,
                                struct bld_copy_stats *stats, struct err *err);

/* ---- ADD URL ---------------------------------------------------------- */

struct bld_fetch_result {
    struct bld_digest digest;
    uint64_t size;
    int64_t last_modified; /* seconds since 1970 from Last-Modified, -1 when absent */
    long status;           /* the final HTTP status */
};

/* Downloads url (http or https only; redirects followed, at most 10, to
 * http or https only) into a new file dir/name with mode 0600, hashing it
 * on the way. expect, when not NULL, must match: `digest mismatch for
 * <url>: got sha256:..., expected sha256:...` (ERR_INVALID, the file is
 * removed). Other errors: ERR_IO for transfer failures (curl's message),
 * ERR_INVALID `invalid response status N` for a status outside 200-399
 * (as BuildKit), ERR_TOO_LARGE past max_bytes (0: no limit). timeout_s 0
 * means none. The file's mtime is left to the caller. */
DW_NODISCARD int bld_fetch(const char *url, const char *dir, const char *name,
                           const struct bld_digest *expect, long timeout_s, uint64_t max_bytes,
                           struct bld_fetch_result *res, struct err *err);

#endif
