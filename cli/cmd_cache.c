/* dockwright cache: the disk the local store takes (du) and its garbage
 * collection (prune): blobs no image name reaches, extracted layers no
 * image uses, leftovers of interrupted writes.
 *
 * Exit codes: 0 done, 2 usage, I/O or store errors. */
#include "builder/digest.h"
#include "builder/oci.h"
#include "builder/report.h"
#include "builder/store.h"
#include "cli/cli.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Blobs younger than this are kept by default: a build writes its layers
 * before it names the image, and may take that long. */
#define DEFAULT_MIN_AGE "1h"
/* Deeper trees than this in an extracted layer are not measured. */
#define MAX_DEPTH 256

enum { O_CACHE_DIR, O_MIN_AGE, N_OPTS };

static const struct cli_opt cache_opts[] = {
    [O_CACHE_DIR] = { "cache-dir", 0, CLI_OPT_STRING, "DIR",
                      "the image store (default: $XDG_CACHE_HOME/dockwright, else "
                      "~/.cache/dockwright)" },
    [O_MIN_AGE] = { "min-age", 0, CLI_OPT_STRING, "AGE",
                    "prune: keep unreferenced files younger than AGE: seconds, or a number "
                    "with s, m, h or d (default " DEFAULT_MIN_AGE ")" },
};

static int cmd_cache(int argc, char **argv);

const struct cli_cmd cli_cmd_cache = {
    .name = "cache",
    .run = cmd_cache,
    .summary = "show or free the disk the image store and build cache take",
    .usage = "dockwright cache du\n"
             "       dockwright cache prune [--min-age AGE]",
    .details = "du counts the blobs that image names reach (in use) and the others, the\n"
               "layers extracted for builds, the cached layer analyses (what image analyze\n"
               "and build reports read from each layer) and the temporary files. prune\n"
               "removes every blob that no name reaches, the extracted layers no image uses,\n"
               "the analyses of removed blobs and leftovers of interrupted writes; files\n"
               "younger than --min-age are kept, so that a build running at the same time\n"
               "keeps the layers it has not named yet (--min-age 0 removes them all).",
    .opts = cache_opts,
    .n_opts = N_OPTS,
};

static int fail(const struct err *e)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(e, msg, sizeof msg);
    cli_error("%s", msg);
    return CLI_EXIT_ERROR;
}

static int open_store(const struct cli_args *args, struct bld_store *s)
{
    struct err e;
    struct buf root = BUF_INIT;
    const char *dir = args->opts[O_CACHE_DIR].value;
    if (!dir) {
        if (bld_store_default_root(&root, &e)) {
            buf_release(&root);
            return fail(&e);
        }
        dir = buf_cstr(&root);
    }
    int rc = bld_store_open(s, dir, &e);
    buf_release(&root);
    return rc ? fail(&e) : 0;
}

/* "90", "90s", "15m", "1h", "7d" in seconds; -1 when malformed. */
static long parse_age(const char *v)
{
    char *end;
    errno = 0;
    if (!*v || *v == '-' || *v == '+' || *v == ' ')
        return -1;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v)
        return -1;
    unsigned long unit = 1;
    if (*end) {
        if (end[1])
            return -1;
        switch (*end) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return -1;
        }
    }
    /* A hundred years is forever enough. */
    if (n > 3153600000UL / unit)
        return -1;
    return (long)(n * unit);
}

static int cache_prune(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional != 1) {
        cli_error("'cache prune' takes no arguments");
        return CLI_EXIT_ERROR;
    }
    const char *v = args->opts[O_MIN_AGE].value ? args->opts[O_MIN_AGE].value : DEFAULT_MIN_AGE;
    long age = parse_age(v);
    if (age < 0) {
        cli_error("invalid --min-age '%s': expected seconds, or a number with s, m, h or d", v);
        return CLI_EXIT_ERROR;
    }
    struct bld_gc_stats st;
    struct err e;
    if (bld_store_gc(s, age, &st, &e) != 0)
        return fail(&e);
    char hs[BLD_HUMAN_SIZE_MAX];
    printf("removed %zu blob%s (%s) and %zu extracted layer%s; kept %zu blob%s and %zu extracted "
           "layer%s\n",
           st.blobs_removed, st.blobs_removed == 1 ? "" : "s", bld_human_size(st.bytes_removed, hs),
           st.layers_removed, st.layers_removed == 1 ? "" : "s", st.blobs_kept,
           st.blobs_kept == 1 ? "" : "s", st.layers_kept, st.layers_kept == 1 ? "" : "s");
    if (st.analyses_removed)
        printf("removed %zu layer analys%s of removed blobs\n", st.analyses_removed,
               st.analyses_removed == 1 ? "is" : "es");
    return CLI_EXIT_OK;
}

/* ---- du --------------------------------------------------------------- */

struct digests {
    VEC(struct bld_digest) v;
    bool sorted;
};

static int cmp_digest(const void *x, const void *y)
{
    return memcmp(x, y, BLD_DIGEST_SIZE);
}

/* Linear until sort() (few manifests are walked), a binary search after
 * (every blob of the store is looked up). */
static bool has(const struct digests *d, const struct bld_digest *x)
{
    if (d->sorted)
        return d->v.len && bsearch(x, d->v.items, d->v.len, sizeof *x, cmp_digest) != NULL;
    for (size_t i = 0; i < d->v.len; i++)
        if (bld_digest_eq(&d->v.items[i], x))
            return true;
    return false;
}

static void add(struct digests *d, const struct bld_digest *x)
{
    VEC_PUSH(&d->v, *x);
}

static void sort(struct digests *d)
{
    if (d->v.len)
        qsort(d->v.items, d->v.len, sizeof *d->v.items, cmp_digest);
    d->sorted = true;
}

/* Records the blobs desc reaches and the diff_ids its configs list. A
 * damaged image is an error; what was reached before still counts. */
static int reach(const struct bld_store *s, const struct bld_descriptor *desc,
                 struct digests *blobs, struct digests *diff_ids, int depth, struct err *e)
{
    if (has(blobs, &desc->digest) || !bld_store_has_blob(s, &desc->digest))
        return 0;
    add(blobs, &desc->digest);
    if (depth > 8)
        return err_set(e, ERR_INVALID, "image indexes nested too deeply");
    struct arena a;
    arena_init(&a);
    int rc = 0;
    if (bld_media_type_is_index(desc->media_type)) {
        struct buf b = BUF_INIT;
        struct bld_index ix;
        rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, e);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&b), b.len, "image index", &a, &ix, e);
        buf_release(&b);
        for (size_t i = 0; !rc && i < ix.n_manifests; i++)
            rc = reach(s, &ix.manifests[i], blobs, diff_ids, depth + 1, e);
    } else if (bld_media_type_is_manifest(desc->media_type)) {
        struct bld_manifest m;
        rc = bld_store_read_manifest(s, desc, &a, &m, e);
        if (!rc) {
            add(blobs, &m.config.digest);
            for (size_t i = 0; i < m.n_layers; i++)
                add(blobs, &m.layers[i].digest);
            struct bld_image_config c;
            if (bld_store_read_config(s, &m.config, &a, &c, e) == 0)
                for (size_t i = 0; i < c.n_diff_ids; i++)
                    add(diff_ids, &c.diff_ids[i]);
        }
    }
    arena_release(&a);
    return rc;
}

struct usage {
    size_t count;
    uint64_t bytes;
};

/* Bytes of the regular files below the directory dirfd/name, never
 * following a symlink. */
static void tree_bytes(int dirfd, const char *name, int depth, uint64_t *bytes)
{
    if (depth > MAX_DEPTH)
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(st.st_mode))
            *bytes += (uint64_t)st.st_size;
        else if (S_ISDIR(st.st_mode))
            tree_bytes(fd, de->d_name, depth + 1, bytes);
    }
    closedir(d);
}

/* Counts the entries of root/sub: blobs (files) split by whether used
 * holds them, or directories (measured whole). */
static int scan(const struct bld_store *s, const char *sub, const struct digests *used,
                struct usage *in_use, struct usage *other, struct err *e)
{
    struct arena a;
    arena_init(&a);
    const char *path = arena_printf(&a, "%s/%s", s->root, sub);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int rc = err_sys(e, path, "cannot read '%s'", path);
        if (fd >= 0)
            close(fd);
        arena_release(&a);
        return rc;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        uint64_t bytes = 0;
        if (S_ISDIR(st.st_mode))
            tree_bytes(fd, de->d_name, 0, &bytes);
        else
            bytes = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
        struct bld_digest dg;
        bool named = bld_digest_parse_hex(de->d_name, strlen(de->d_name), &dg) == 0;
        struct usage *u = used && named && has(used, &dg) ? in_use : other;
        u->count++;
        u->bytes += bytes;
    }
    closedir(d);
    arena_release(&a);
    return 0;
}

static int cache_du(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional != 1) {
        cli_error("'cache du' takes no arguments");
        return CLI_EXIT_ERROR;
    }
    struct arena a;
    arena_init(&a);
    struct digests blobs = { VEC_INIT, false }, diff_ids = { VEC_INIT, false };
    struct bld_index ix;
    struct err e;
    int status = CLI_EXIT_OK;
    if (bld_store_index(s, &a, &ix, &e) != 0) {
        status = fail(&e);
        goto done;
    }
    for (size_t i = 0; i < ix.n_manifests; i++)
        if (reach(s, &ix.manifests[i], &blobs, &diff_ids, 0, &e) != 0)
            status = fail(&e); /* still measured: its blobs count as unused */
    sort(&blobs);
    sort(&diff_ids);
    struct usage used = { 0, 0 }, unused = { 0, 0 }, layers = { 0, 0 }, stale = { 0, 0 },
                 tmp = { 0, 0 }, ignored = { 0, 0 }, analyses = { 0, 0 };
    if (scan(s, "blobs/sha256", &blobs, &used, &unused, &e) != 0 ||
        scan(s, "layers", &diff_ids, &layers, &stale, &e) != 0 ||
        scan(s, "tmp", NULL, &ignored, &tmp, &e) != 0 ||
        scan(s, "analysis", NULL, &ignored, &analyses, &e) != 0) {
        status = fail(&e);
        goto done;
    }
    const struct {
        const char *what;
        struct usage u;
    } rows[] = {
        { "blobs in use", used },   { "blobs unused", unused },     { "layers extracted", layers },
        { "layers unused", stale }, { "layer analyses", analyses }, { "temporary", tmp },
    };
    struct usage total = { 0, 0 };
    printf("%-18s %7s  %s\n", "KIND", "COUNT", "SIZE");
    char hs[BLD_HUMAN_SIZE_MAX];
    for (size_t i = 0; i < DW_ARRAY_LEN(rows); i++) {
        printf("%-18s %7zu  %s\n", rows[i].what, rows[i].u.count,
               bld_human_size(rows[i].u.bytes, hs));
        total.count += rows[i].u.count;
        total.bytes += rows[i].u.bytes;
    }
    printf("%-18s %7zu  %s\n", "total", total.count, bld_human_size(total.bytes, hs));
    printf("store: %s\n", s->root);
    if (fflush(stdout)) {
        cli_error("cannot write to standard output");
        status = CLI_EXIT_ERROR;
    }
done:
    VEC_RELEASE(&blobs.v);
    VEC_RELEASE(&diff_ids.v);
    arena_release(&a);
    return status;
}

/* ---- dispatch --------------------------------------------------------- */

static int cmd_cache(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_cache, argc, argv, &args))
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    int (*run)(const struct cli_args *, struct bld_store *) = NULL;
    if (args.n_positional == 0) {
        cli_error("'cache' needs a subcommand: du or prune; see 'dockwright help cache'");
        goto done;
    }
    const char *sub = args.positional[0];
    if (strcmp(sub, "du") == 0) {
        run = cache_du;
        if (args.opts[O_MIN_AGE].set) {
            cli_error("option '--min-age' does not apply to 'cache du'");
            goto done;
        }
    } else if (strcmp(sub, "prune") == 0) {
        run = cache_prune;
    } else {
        cli_error("'%s' is not a 'cache' subcommand (use du or prune)", sub);
        goto done;
    }
    struct bld_store s;
    if (open_store(&args, &s))
        goto done;
    status = run(&args, &s);
    bld_store_close(&s);
done:
    cli_args_release(&args);
    return status;
}
