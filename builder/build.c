/* The build planner and executor (build.h): stages in file order, one
 * step per instruction, each keyed, cached or run. */
#include "builder/build.h"

#include "analyzer/dockerignore.h"
#include "analyzer/model.h"
#include "builder/cachekey.h"
#include "builder/copy.h"
#include "builder/extract.h"
#include "builder/layer.h"
#include "builder/meta.h"
#include "builder/oci.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The state of one stage: what its image is after the last step run. */
struct stage_state {
    bool done;
    struct bld_image_config cfg;
    struct bld_descriptor *layers; /* bottom first; cfg.diff_ids match */
    size_t n_layers;
    struct bld_digest key; /* chain key after the last step */
    const char *platform;  /* what the stage builds for ("linux/arm64") */
};

/* A platform as BuildKit normalizes it (containerd's platforms package):
 * os lowercase, architecture and variant in their canonical spelling. */
struct plat {
    const char *os, *arch, *variant; /* variant "" when none */
    const char *name;                /* "os/arch[/variant]" */
};

/* What the planner found out about a stage before building any: its
 * platform, its base image (config and layers, when FROM an image) and
 * the ONBUILD triggers to run after its FROM. */
struct stage_plan {
    bool resolved;
    struct plat plat;
    bool has_image;
    struct stage_state image; /* has_image: the base image */
    struct bld_digest manifest;
    const char **env;            /* the base image's Env, NULL-terminated; NULL: none */
    const char *const *triggers; /* texts, n_triggers of them */
    size_t n_triggers;
};

/* Trigger text spliced into the Dockerfile after a FROM line: bytes
 * [start, start + len) of the model's text stand for the FROM at offset
 * from (in the text given) and are not in that text. */
struct splice {
    uint32_t start, len, from;
};

struct build {
    struct bld_store *s;
    const struct bld_build_opts *o;
    struct bld_report *r;
    struct bld_build_result *res;
    struct arena a;
    struct df_file *f;  /* the model built (f0 with the triggers spliced in) */
    struct df_file *f0; /* the model of the Dockerfile as given */
    struct splice *splices;
    size_t n_splices;
    struct stage_state *st;
    struct stage_plan *plan;
    struct plat host, target;
    const char *platform; /* target.name */
    bool saw_enoexec;     /* the running RUN printed an exec format error */
    int64_t epoch;
    const char *created;
    struct di_file *ignore;
    /* progress */
    unsigned stage_no, n_planned, step_no, n_steps;
    char prefix[64];
    bool at_line_start;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The offset in the Dockerfile as given of an offset of b->f: spliced
 * trigger text stands at its FROM. */
static uint32_t orig_offset(const struct build *b, uint32_t off)
{
    uint32_t shift = 0;
    if (b->f == b->f0)
        return off;
    for (size_t i = 0; i < b->n_splices; i++) {
        const struct splice *sp = &b->splices[i];
        if (off < sp->start)
            break;
        if (off < sp->start + sp->len)
            return sp->from;
        shift += sp->len;
    }
    return off - shift;
}

/* True when the instruction is an ONBUILD trigger spliced in. */
static bool is_trigger(const struct build *b, const struct df_instr *in)
{
    if (b->f == b->f0)
        return false;
    for (size_t i = 0; i < b->n_splices; i++)
        if (in->span.start >= b->splices[i].start &&
            in->span.start < b->splices[i].start + b->splices[i].len)
            return true;
    return false;
}

/* Line and column in the Dockerfile as given of an offset of b->f. */
static void locate(const struct build *b, uint32_t off, uint32_t *line, uint32_t *col)
{
    df_file_locate(b->f0, orig_offset(b, off), line, col);
}

/* Puts the instruction's position in front of the error already in err. */
static int at_instr(struct build *b, const struct df_instr *in, int rc, struct err *err)
{
    uint32_t line, col;
    locate(b, in->span.start, &line, &col);
    err->span = span_make(orig_offset(b, in->span.start), orig_offset(b, in->span.end));
    err_at(err, b->o->dockerfile, line, col);
    return rc;
}

/* The instruction as written, on one line, whitespace runs collapsed. */
static const char *one_line(struct build *b, const struct df_instr *in, size_t max)
{
    struct buf t = BUF_INIT;
    bool space = false;
    for (uint32_t i = in->span.start; i < in->span.end && t.len < max; i++) {
        char c = b->f->src[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && t.len && buf_append_char(&t, ' '))
            break;
        space = false;
        if (buf_append_char(&t, c))
            break;
    }
    if (t.len >= max && buf_append_cstr(&t, "...")) {
        /* keep what fits */
    }
    const char *out = arena_strdup(&b->a, buf_cstr(&t));
    buf_release(&t);
    return out;
}

/* The source text of an instruction, exact. */
static const char *raw_text(struct build *b, struct span sp)
{
    return arena_strndup(&b->a, b->f->src + sp.start, span_len(sp));
}

static int expand(struct build *b, const struct df_instr *in, const struct df_text *w,
                  unsigned flags, struct exp_result *out, struct err *err)
{
    int rc = df_expand(b->f, in, w, flags, out, err);
    if (rc) {
        char msg[ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        err_set(err, rc, "failed to process \"%.*s\": %s", (int)w->raw.len, w->raw.ptr, msg);
        return at_instr(b, in, rc, err);
    }
    return 0;
}

static int expand_str(struct build *b, const struct df_instr *in, const struct df_text *w,
                      const char **out, struct err *err)
{
    struct exp_result r;
    int rc = expand(b, in, w, 0, &r, err);
    if (!rc)
        *out = r.value.ptr;
    return rc;
}

/* ---- progress ------------------------------------------------------------- */

static void progress_begin(struct build *b, const struct df_instr *in)
{
    snprintf(b->prefix, sizeof b->prefix, "[stage %u/%u] STEP %u/%u", b->stage_no, b->n_planned,
             b->step_no, b->n_steps);
    if (b->o->progress && !b->o->quiet) {
        fprintf(b->o->progress, "%s: %s\n", b->prefix, one_line(b, in, 100));
        fflush(b->o->progress);
    }
}

static void progress_end(struct build *b, bool cached, double secs)
{
    if (!b->o->progress || b->o->quiet)
        return;
    if (cached)
        fprintf(b->o->progress, "%s: CACHED\n", b->prefix);
    else
        fprintf(b->o->progress, "%s: DONE %.2fs\n", b->prefix, secs);
    fflush(b->o->progress);
}

static void on_output(void *ctx, enum bld_stream stream, const char *data, size_t len)
{
    struct build *b = ctx;
    (void)stream;
    FILE *out = b->o->progress;
    /* What the kernel says for a binary of another architecture (the
     * executor prints strerror(ENOEXEC) on the command's stderr). */
    static const char enoexec[] = "Exec format error";
    for (size_t i = 0; i + sizeof enoexec - 1 <= len && !b->saw_enoexec; i++)
        b->saw_enoexec = memcmp(data + i, enoexec, sizeof enoexec - 1) == 0;
    if (!out || !len)
        return;
    if (b->at_line_start)
        fprintf(out, "%s: ", b->prefix);
    fwrite(data, 1, len, out);
    b->at_line_start = data[len - 1] == '\n';
    fflush(out);
}

/* ---- platform, time --------------------------------------------------------- */

/* Fills p from os, arch and variant in containerd's canonical spelling:
 * x86_64 is amd64, aarch64 arm64 (its v8 variant dropped), armhf arm/v7,
 * armel arm/v6, a bare arm arm/v7, i386 and i686 386; a variant "7" is
 * "v7". Strings are copied into the build's arena. */
static void plat_set(struct build *b, struct plat *p, const char *os, const char *arch,
                     const char *variant)
{
    char o[64], v[64];
    size_t i;
    for (i = 0; os[i] && i + 1 < sizeof o; i++)
        o[i] = (os[i] >= 'A' && os[i] <= 'Z') ? (char)(os[i] + 32) : os[i];
    o[i] = '\0';
    if (!variant)
        variant = "";
    if (variant[0] >= '0' && variant[0] <= '9')
        snprintf(v, sizeof v, "v%s", variant);
    else
        snprintf(v, sizeof v, "%s", variant);
    if (!strcmp(arch, "x86_64") || !strcmp(arch, "x86-64") || !strcmp(arch, "amd64")) {
        arch = "amd64";
        if (!strcmp(v, "v1"))
            v[0] = '\0';
    } else if (!strcmp(arch, "aarch64") || !strcmp(arch, "arm64")) {
        arch = "arm64";
        if (!strcmp(v, "v8"))
            v[0] = '\0';
    } else if (!strcmp(arch, "armhf")) {
        arch = "arm";
        snprintf(v, sizeof v, "v7");
    } else if (!strcmp(arch, "armel")) {
        arch = "arm";
        snprintf(v, sizeof v, "v6");
    } else if (!strcmp(arch, "arm") && !v[0]) {
        snprintf(v, sizeof v, "v7");
    } else if (!strcmp(arch, "i386") || !strcmp(arch, "i686") || !strcmp(arch, "x86")) {
        arch = "386";
    }
    p->os = arena_strdup(&b->a, o);
    p->arch = arena_strdup(&b->a, arch);
    p->variant = arena_strdup(&b->a, v);
    p->name =
        v[0] ? arena_printf(&b->a, "%s/%s/%s", o, arch, v) : arena_printf(&b->a, "%s/%s", o, arch);
}

/* The platform this process runs on. */
static void host_plat(struct build *b, struct plat *p)
{
    struct utsname u;
    const char *m = uname(&u) == 0 ? u.machine : "x86_64";
    const char *variant = NULL;
    if (!strncmp(m, "armv", 4) && m[4] >= '5' && m[4] <= '8') {
        static const char *const vs[] = { "v5", "v6", "v7", "v8" };
        variant = vs[m[4] - '5'];
        m = "arm";
    }
    plat_set(b, p, "linux", m, variant);
}

static bool is_known_os(const char *s)
{
    static const char *const oses[] = { "linux",   "windows", "darwin",  "freebsd", "netbsd",
                                        "openbsd", "solaris", "illumos", "aix",     "android" };
    for (size_t i = 0; i < DW_ARRAY_LEN(oses); i++)
        if (!strcmp(s, oses[i]))
            return true;
    return false;
}

/* Parses a platform specifier as BuildKit does (os[/arch[/variant]], or a
 * lone architecture for the host's os): ERR_INVALID for an empty one or
 * one with other characters than letters, digits, '_' and '-'. */
static int plat_parse(struct build *b, const char *text, struct plat *p, struct err *err)
{
    char parts[3][64];
    int n = 0;
    size_t k = 0;
    for (const char *c = text;; c++) {
        if (*c == '/' || !*c) {
            if (k == 0 || n == 3)
                goto bad;
            parts[n++][k] = '\0';
            k = 0;
            if (!*c)
                break;
            continue;
        }
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        if (!ok || k + 1 >= sizeof parts[0])
            goto bad;
        parts[n][k++] = *c;
    }
    if (n == 1) {
        char low[64];
        size_t i;
        for (i = 0; parts[0][i]; i++)
            low[i] =
                (parts[0][i] >= 'A' && parts[0][i] <= 'Z') ? (char)(parts[0][i] + 32) : parts[0][i];
        low[i] = '\0';
        if (is_known_os(low))
            plat_set(b, p, low, b->host.arch, b->host.variant);
        else
            plat_set(b, p, b->host.os, parts[0], NULL);
    } else {
        plat_set(b, p, parts[0], parts[1], n == 3 ? parts[2] : NULL);
    }
    return 0;
bad:
    return err_set(err, ERR_INVALID, "invalid platform '%s': expected os/arch[/variant]", text);
}

/* An image config's or index entry's platform, normalized. */
static bool plat_matches(struct build *b, const struct plat *want, const char *os, const char *arch,
                         const char *variant)
{
    if (!os || !arch)
        return false;
    struct plat p;
    plat_set(b, &p, os, arch, variant);
    return !strcmp(p.name, want->name);
}

/* ---- stage layers ------------------------------------------------------------ */

static void add_layer(struct build *b, struct stage_state *st, const struct bld_descriptor *desc,
                      const struct bld_digest *diff_id)
{
    struct bld_descriptor *l = ARENA_NEW_ARRAY(&b->a, struct bld_descriptor, st->n_layers + 1);
    if (st->n_layers)
        memcpy(l, st->layers, st->n_layers * sizeof *l);
    l[st->n_layers] = *desc;
    struct bld_digest *d = ARENA_NEW_ARRAY(&b->a, struct bld_digest, st->cfg.n_diff_ids + 1);
    if (st->cfg.n_diff_ids)
        memcpy(d, st->cfg.diff_ids, st->cfg.n_diff_ids * sizeof *d);
    d[st->cfg.n_diff_ids] = *diff_id;
    st->layers = l;
    st->n_layers++;
    st->cfg.diff_ids = d;
    st->cfg.n_diff_ids++;
}

/* The extracted layer directories of a state, bottom first, *n of them.
 * A layer that occurs twice (two identical layers, empty ones say) is kept
 * only at its top position: overlayfs refuses a directory given twice, and
 * the lower copy cannot show through the upper one anyway. */
static int layer_dirs(struct build *b, const struct stage_state *st, const char ***out, size_t *n,
                      struct err *err)
{
    const char **dirs = ARENA_NEW_ARRAY(&b->a, const char *, st->n_layers + 1);
    for (size_t i = 0; i < st->n_layers; i++) {
        int rc = bld_store_unpack_layer(b->s, &st->layers[i], &st->cfg.diff_ids[i], geteuid() != 0,
                                        &b->a, &dirs[i], err);
        if (rc)
            return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < st->n_layers; i++) {
        bool later = false;
        for (size_t j = i + 1; j < st->n_layers && !later; j++)
            later = strcmp(dirs[i], dirs[j]) == 0;
        if (!later)
            dirs[k++] = dirs[i];
    }
    *out = dirs;
    *n = k;
    return 0;
}

/* The same, top first, as a tree. */
static int state_tree(struct build *b, const struct stage_state *st, struct bld_tree *tree,
                      struct err *err)
{
    const char **dirs;
    size_t n;
    int rc = layer_dirs(b, st, &dirs, &n, err);
    if (rc)
        return rc;
    const char **top = ARENA_NEW_ARRAY(&b->a, const char *, n + 1);
    for (size_t i = 0; i < n; i++)
        top[i] = dirs[n - 1 - i];
    tree->layers = top;
    tree->n_layers = n;
    return 0;
}

/* ---- images of the store ------------------------------------------------------- */

static bool ref_has_tag(const char *ref)
{
    if (strchr(ref, '@'))
        return true;
    const char *slash = strrchr(ref, '/');
    return strchr(slash ? slash : ref, ':') != NULL;
}

/* Loads the image named ref into st (config, layers) and its manifest
 * digest; from an index, the manifest for platform want. */
static int load_image(struct build *b, const char *ref, const struct plat *want,
                      struct stage_state *st, struct bld_digest *manifest, struct err *err)
{
    struct bld_descriptor desc;
    int rc = bld_store_ref_get(b->s, ref, &b->a, &desc, err);
    if (rc == ERR_NOT_FOUND && !ref_has_tag(ref))
        rc = bld_store_ref_get(b->s, arena_printf(&b->a, "%s:latest", ref), &b->a, &desc, err);
    if (rc == ERR_NOT_FOUND)
        return err_set(err, ERR_NOT_FOUND,
                       "image '%s' is not in the store: import it first with "
                       "'dockwright image import'",
                       ref);
    if (rc)
        return rc;
    if (bld_media_type_is_index(desc.media_type)) {
        struct buf j = BUF_INIT;
        struct bld_index ix;
        rc = bld_store_read_blob(b->s, &desc.digest, desc.size, BLD_JSON_MAX, &j, err);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&j), j.len, ref, &b->a, &ix, err);
        buf_release(&j);
        if (rc)
            return rc;
        const struct bld_descriptor *pick = NULL;
        for (size_t i = 0; i < ix.n_manifests && !pick; i++) {
            const struct bld_platform *p = ix.manifests[i].platform;
            if (p && plat_matches(b, want, p->os, p->architecture, p->variant))
                pick = &ix.manifests[i];
        }
        if (!pick)
            return err_set(err, ERR_NOT_FOUND, "image '%s' has no manifest for %s", ref,
                           want->name);
        desc = *pick;
    }
    struct bld_manifest m;
    rc = bld_store_read_manifest(b->s, &desc, &b->a, &m, err);
    if (!rc)
        rc = bld_store_read_config(b->s, &m.config, &b->a, &st->cfg, err);
    if (rc)
        return rc;
    if (m.n_layers != st->cfg.n_diff_ids)
        return err_set(err, ERR_INVALID, "image '%s': %zu layers but %zu diff_ids", ref, m.n_layers,
                       st->cfg.n_diff_ids);
    /* A single-platform image must be of that platform, as containerd's
     * matcher decides for BuildKit ("no match for platform in manifest"). */
    if (st->cfg.os && st->cfg.architecture &&
        !plat_matches(b, want, st->cfg.os, st->cfg.architecture, st->cfg.variant))
        return err_set(err, ERR_NOT_FOUND, "image '%s' is for %s/%s%s%s, not %s", ref, st->cfg.os,
                       st->cfg.architecture, st->cfg.variant ? "/" : "",
                       st->cfg.variant ? st->cfg.variant : "", want->name);
    st->layers = m.layers;
    st->n_layers = m.n_layers;
    *manifest = desc.digest;
    return 0;
}

/* ---- the cache index ------------------------------------------------------------ */

struct cache_entry {
    bool has_layer;
    struct bld_descriptor desc;
    struct bld_digest diff_id;
    uint64_t tar_size;
};

static const char *cache_path(struct build *b, const struct bld_digest *key)
{
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(key, hex);
    return arena_printf(&b->a, "%s/buildcache/%s", b->s->root, hex);
}

/* True on a usable hit. */
static bool cache_get(struct build *b, const struct bld_digest *key, struct cache_entry *e)
{
    if (b->o->no_cache)
        return false;
    struct buf t = BUF_INIT;
    struct err err;
    memset(e, 0, sizeof *e);
    bool hit = false;
    if (file_read_all(cache_path(b, key), 4096, &t, &err) == 0) {
        const char *p = buf_cstr(&t);
        if (strcmp(p, "-\n") == 0) {
            hit = true;
        } else {
            char dg[80], di[80];
            long long size;
            unsigned long long tar;
            if (sscanf(p, "L %79s %lld %79s %llu", dg, &size, di, &tar) == 4 &&
                bld_digest_parse(dg, &e->desc.digest, &err) == 0 &&
                bld_digest_parse(di, &e->diff_id, &err) == 0 && size >= 0) {
                e->has_layer = true;
                e->desc.media_type = BLD_MT_OCI_LAYER_GZIP;
                e->desc.size = size;
                e->tar_size = tar;
                hit = bld_store_has_blob(b->s, &e->desc.digest);
            }
        }
    }
    buf_release(&t);
    return hit;
}

/* Records an entry; a failure only costs a later cache miss. */
static void cache_put(struct build *b, const struct bld_digest *key, const struct cache_entry *e)
{
    char line[256];
    if (e->has_layer) {
        char dg[BLD_DIGEST_STR_LEN + 1], di[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&e->desc.digest, dg);
        bld_digest_string(&e->diff_id, di);
        snprintf(line, sizeof line, "L %s %lld %s %llu\n", dg, (long long)e->desc.size, di,
                 (unsigned long long)e->tar_size);
    } else {
        snprintf(line, sizeof line, "-\n");
    }
    const char *dir = arena_printf(&b->a, "%s/buildcache", b->s->root);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return;
    struct err err;
    if (file_write_atomic(cache_path(b, key), line, strlen(line), 0644, &err) != 0) {
        /* the cache is best effort */
    }
}

/* ---- scratch directories --------------------------------------------------------- */

static int make_tmp(struct build *b, const char *what, const char **out, struct err *err)
{
    char *path = arena_printf(&b->a, "%s/build-%s-XXXXXX", bld_store_tmp_dir(b->s, &b->a), what);
    if (!mkdtemp(path))
        return err_sys(err, path, "cannot create a scratch directory");
    *out = path;
    return 0;
}

static void remove_tmp(const char *path)
{
    struct err err;
    if (path && bld_remove_tree(path, &err) != 0) {
        /* leftovers in the store's tmp/ are removed by gc */
    }
}

/* True when dir holds no entry: the step changed nothing, and BuildKit
 * exports no layer for an empty diff (the history entry says
 * empty_layer). */
static bool dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool empty = true;
    const struct dirent *e;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* Records a step without a layer in the cache; returns 0. */
static int cache_put_none(struct build *b, const struct bld_digest *key)
{
    struct cache_entry none = { .has_layer = false };
    cache_put(b, key, &none);
    return 0;
}

/* Writes dir as a layer and adds it to the stage and the cache. */
static int commit_layer(struct build *b, struct stage_state *st, const char *dir,
                        const struct bld_digest *key, struct bld_report_step *rs, struct err *err)
{
    struct bld_layer_opts lo = { .epoch = b->epoch, .xattrs = false, .level = 0 };
    struct bld_layer_info info;
    struct bld_descriptor desc;
    int rc = bld_layer_store(b->s, dir, &lo, &info, &desc, err);
    if (rc)
        return rc;
    add_layer(b, st, &desc, &info.diff_id);
    struct cache_entry e = {
        .has_layer = true, .desc = desc, .diff_id = info.diff_id, .tar_size = info.tar_size
    };
    cache_put(b, key, &e);
    rs->has_layer = true;
    rs->layer.has_digest = rs->layer.has_diff_id = true;
    rs->layer.digest = desc.digest;
    rs->layer.diff_id = info.diff_id;
    rs->layer.index = -1;
    rs->layer.compressed_size = info.size;
    rs->layer.tar_size = info.tar_size;
    rs->layer.files = info.files;
    rs->layer.size = info.content_bytes;
    rs->layer.whiteouts = info.whiteouts;
    return 0;
}

static void reuse_layer(struct build *b, struct stage_state *st, const struct cache_entry *e,
                        struct bld_report_step *rs)
{
    add_layer(b, st, &e->desc, &e->diff_id);
    rs->has_layer = true;
    rs->layer.has_digest = rs->layer.has_diff_id = true;
    rs->layer.digest = e->desc.digest;
    rs->layer.diff_id = e->diff_id;
    rs->layer.index = -1;
    rs->layer.compressed_size = (uint64_t)e->desc.size;
    rs->layer.tar_size = e->tar_size;
}

/* ---- build args in scope ------------------------------------------------------------ */

static bool kv_has(const struct bld_kv *kv, size_t n, const char *key, size_t klen)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(kv[i].key) == klen && memcmp(kv[i].key, key, klen) == 0)
            return true;
    return false;
}

/* Every ARG of the stage (and its in-file parents) declared before `at`,
 * with its value as `at` sees it, as BuildKit lists a RUN's build args
 * (runCommandString): the base stage's first, in declaration order, a
 * name once; the value is the environment's at `at` (an ENV or the image
 * may have set it since), NULL when unset. */
static void args_in_scope(struct build *b, const struct df_instr *at, struct bld_kv **out,
                          size_t *n)
{
    VEC(struct bld_kv) v = VEC_INIT;
    const struct df_model *md = &b->f->model;
    const struct df_stage **chain =
        ARENA_NEW_ARRAY(&b->a, const struct df_stage *, md->n_stages + 1);
    size_t depth = 0;
    for (const struct df_stage *stg = df_stage_of(b->f, at); stg && depth < md->n_stages;
         stg = stg->base_stage >= 0 ? &md->stages[stg->base_stage] : NULL)
        chain[depth++] = stg;
    while (depth-- > 0) {
        const struct df_stage *stg = chain[depth];
        for (uint32_t i = 0; i < stg->n_instrs; i++) {
            const struct df_instr *in = stg->instrs[i];
            if (in->index >= at->index)
                break;
            if (in->kind != DF_ARG)
                continue;
            for (uint32_t p = 0; p < in->n_pairs; p++) {
                struct str name = in->pairs[p].key.raw;
                if (kv_has(v.items, v.len, name.ptr, name.len))
                    continue;
                struct df_var var;
                if (!df_lookup(b->f, at, name, &var))
                    continue;
                struct bld_kv kv = { arena_strndup(&b->a, name.ptr, name.len),
                                     var.set ? arena_strndup(&b->a, var.value.ptr, var.value.len)
                                             : NULL };
                VEC_PUSH(&v, kv);
            }
        }
    }
    *n = v.len;
    *out = ARENA_NEW_ARRAY(&b->a, struct bld_kv, v.len + 1);
    if (v.len)
        memcpy(*out, v.items, v.len * sizeof **out);
    VEC_RELEASE(&v);
}

static int step_key(struct build *b, struct stage_state *st, const char *text,
                    const struct bld_kv *args, size_t n_args, const struct bld_digest *content,
                    bool link, struct bld_digest *out, struct err *err)
{
    struct bld_step_input in = { .parent = &st->key,
                                 .platform = st->platform,
                                 .instruction = text,
                                 .args = args,
                                 .n_args = n_args,
                                 .content = content,
                                 .link = link };
    struct bld_step_keys keys;
    int rc = bld_step_key(&in, &keys, err);
    if (!rc)
        *out = keys.chain;
    return rc;
}

/* ---- flags --------------------------------------------------------------------------- */

static bool flag_is(const struct df_flag *fl, const char *name)
{
    return str_eq_cstr(fl->name.raw, name);
}

static int bad_flag(struct build *b, const struct df_instr *in, const struct df_flag *fl,
                    struct err *err)
{
    err_set(err, ERR_UNSUPPORTED, "%s --%.*s is not supported by dockwright build",
            df_kind_name(in->kind), (int)fl->name.raw.len, fl->name.raw.ptr);
    return at_instr(b, in, ERR_UNSUPPORTED, err);
}

/* ---- RUN ------------------------------------------------------------------------------ */

static const char *heredoc_body(struct build *b, const struct df_heredoc *h)
{
    const char *p = b->f->src + h->body.start;
    size_t n = span_len(h->body);
    if (!h->strip_tabs)
        return arena_strndup(&b->a, p, n);
    struct buf t = BUF_INIT;
    bool bol = true;
    for (size_t i = 0; i < n; i++) {
        if (bol && p[i] == '\t')
            continue;
        bol = p[i] == '\n';
        if (buf_append_char(&t, p[i]))
            break;
    }
    const char *out = arena_strdup(&b->a, buf_cstr(&t));
    buf_release(&t);
    return out;
}

static int load_ignore(struct build *b, struct err *err)
{
    if (b->ignore)
        return 0;
    const char *path = NULL;
    int rc = di_find(&b->a, b->o->dockerfile, b->o->context, &path, err);
    if (rc)
        return rc;
    if (path)
        return di_load_file(&b->a, path, &b->ignore, err);
    return 0;
}

/* The tree named by a --from value: an earlier stage (built) or an image of
 * the store. */
static int from_tree(struct build *b, const struct df_instr *in, const char *from,
                     struct bld_tree *tree, struct err *err)
{
    int si = df_stage_lookup(b->f, in, str_from_cstr(from));
    const struct stage_state *src = NULL;
    if (si >= 0) {
        src = &b->st[si];
        if (!src->done) {
            err_set(err, ERR_INTERNAL, "stage '%s' was not built", from);
            return at_instr(b, in, ERR_INTERNAL, err);
        }
    } else {
        struct stage_state *img = ARENA_NEW(&b->a, struct stage_state);
        struct bld_digest md;
        int rc = load_image(b, from, &b->target, img, &md, err);
        if (rc)
            return at_instr(b, in, rc, err);
        src = img;
    }
    int rc = state_tree(b, src, tree, err);
    return rc ? at_instr(b, in, rc, err) : 0;
}

/* A bind mount's source copied into a scratch directory right before the
 * RUN (on a cache miss only): from another stage's or image's layers, or
 * from the build context when an ignore file applies (BuildKit's mount
 * sees only what the context sends, as COPY does). */
struct mount_from {
    struct bld_tree tree; /* n_layers 0 and source NULL: nothing to copy */
    const char *source;
    bool context;                 /* tree is the build context */
    const struct di_file *ignore; /* context: its ignore file */
};

/* Copies mf's source into dir and points mt at the copy. */
static int materialize(struct build *b, const struct df_instr *in, const struct mount_from *mf,
                       const char *dir, struct bld_mount *mt, struct err *err)
{
    struct bld_src src = { BLD_SRC_PATH, mf->source, NULL, 0 };
    struct bld_copy_opts co = { .srcs = &src,
                                .n_srcs = 1,
                                .from = mf->tree,
                                .from_context = mf->context,
                                .ignore = mf->ignore,
                                .unpack = 0,
                                .epoch = -1,
                                .tmp_dir = bld_store_tmp_dir(b->s, &b->a) };
    struct bld_copy_sel *sel;
    int rc = bld_copy_select(&co, &b->a, &sel, err);
    if (rc)
        return at_instr(b, in, rc, err);
    const char *layers[1] = { dir };
    struct bld_copy_dest d = { .dest = "/content/", .tree = { layers, 1 }, .instr = "RUN --mount" };
    rc = bld_copy_apply(sel, &d, NULL, err);
    if (rc)
        return at_instr(b, in, rc, err);
    if (sel->n_items == 1 && sel->items[0].kind == BLD_ITEM_FILE)
        mt->source = arena_printf(&b->a, "%s/content/%s", dir, sel->items[0].name);
    else
        mt->source = arena_printf(&b->a, "%s/content", dir);
    return 0;
}

/* A secret's host file, from --secret id=..,src=..; NULL when not given. */
static const char *secret_source(struct build *b, const char *id)
{
    for (const struct bld_build_secret *sc = b->o->secrets; sc && sc->id; sc++)
        if (strcmp(sc->id, id) == 0)
            return sc->src;
    return NULL;
}

/* The host path of a bind source in the build context; refuses a path
 * through a symlink, which could lead out of the context. */
static int context_source(struct build *b, const struct df_instr *in, const char *src,
                          const char **out, struct err *err)
{
    const char *clean = di_clean(&b->a, src, strlen(src));
    while (*clean == '/')
        clean++;
    if (strcmp(clean, ".") == 0)
        clean = "";
    const char *path = arena_printf(&b->a, "%s/%s", b->o->context, clean);
    size_t base = strlen(b->o->context) + 1;
    for (size_t i = base; path[i - 1]; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        const char *prefix = arena_strndup(&b->a, path, i);
        struct stat sb;
        if (lstat(prefix, &sb) != 0) {
            err_set(err, ERR_NOT_FOUND, "failed to compute cache key: \"/%s\": not found", clean);
            return at_instr(b, in, ERR_NOT_FOUND, err);
        }
        if (S_ISLNK(sb.st_mode)) {
            err_set(err, ERR_UNSUPPORTED, "RUN --mount source \"/%s\" goes through a symlink",
                    clean);
            return at_instr(b, in, ERR_UNSUPPORTED, err);
        }
        if (!path[i])
            break;
    }
    *out = path;
    return 0;
}

static bool parse_bool(const char *v)
{
    return !v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* One RUN --mount into the executor's and the cache key's forms. */
static int parse_mount(struct build *b, const struct df_instr *in, const struct df_flag *fl,
                       struct bld_mount *mt, struct bld_key_mount *km, struct mount_from *mf,
                       struct err *err)
{
    memset(mt, 0, sizeof *mt);
    memset(km, 0, sizeof *km);
    memset(mf, 0, sizeof *mf);
    struct bld_kv *kv = ARENA_NEW_ARRAY(&b->a, struct bld_kv, fl->n_mount + 1);
    const char *type = "bind", *source = NULL, *from = NULL;
    for (uint32_t i = 0; i < fl->n_mount; i++) {
        const struct df_mount_opt *o = &fl->mount[i];
        const char *k = arena_strndup(&b->a, o->key.raw.ptr, o->key.raw.len);
        const char *v = NULL;
        if (o->value.raw.ptr) {
            int rc = expand_str(b, in, &o->value, &v, err);
            if (rc)
                return rc;
        }
        kv[i] = (struct bld_kv){ k, v ? v : "" };
        if (strcmp(k, "type") == 0 && v)
            type = v;
        else if ((strcmp(k, "target") == 0 || strcmp(k, "dst") == 0 ||
                  strcmp(k, "destination") == 0) &&
                 v)
            mt->target = v;
        else if ((strcmp(k, "source") == 0 || strcmp(k, "src") == 0) && v)
            source = v;
        else if (strcmp(k, "from") == 0 && v)
            from = v;
        else if (strcmp(k, "id") == 0 && v)
            mt->id = v;
        else if (strcmp(k, "ro") == 0 || strcmp(k, "readonly") == 0)
            mt->access = parse_bool(v) ? BLD_ACCESS_RO : BLD_ACCESS_RW;
        else if (strcmp(k, "rw") == 0 || strcmp(k, "readwrite") == 0)
            mt->access = parse_bool(v) ? BLD_ACCESS_RW : BLD_ACCESS_RO;
        else if (strcmp(k, "sharing") == 0 && v) {
            if (strcmp(v, "shared") == 0)
                mt->sharing = BLD_SHARING_SHARED;
            else if (strcmp(v, "private") == 0)
                mt->sharing = BLD_SHARING_PRIVATE;
            else if (strcmp(v, "locked") == 0)
                mt->sharing = BLD_SHARING_LOCKED;
            else
                goto bad;
        } else if ((strcmp(k, "mode") == 0 || strcmp(k, "uid") == 0 || strcmp(k, "gid") == 0 ||
                    strcmp(k, "size") == 0) &&
                   v) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(v, &end, strcmp(k, "mode") == 0 ? 8 : 10);
            if (!*v || *end || errno || n > 0xffffffffull)
                goto bad;
            if (k[0] == 'm') {
                mt->has_mode = true;
                mt->mode = (unsigned)n & 07777;
            } else if (k[0] == 'u') {
                mt->uid = (uint32_t)n;
            } else if (k[0] == 'g') {
                mt->gid = (uint32_t)n;
            } else {
                mt->size = n;
            }
        } else if (strcmp(k, "required") == 0) {
            mt->required = parse_bool(v);
        } else if (strcmp(k, "env") == 0 && v) {
            mt->env = v;
        } else {
            goto bad;
        }
    }
    km->opts = kv;
    km->n_opts = fl->n_mount;
    if (strcmp(type, "bind") == 0) {
        mt->type = BLD_MOUNT_BIND;
        if (from) {
            int rc = from_tree(b, in, from, &mf->tree, err);
            if (rc)
                return rc;
            mf->source = source ? source : "/";
            struct bld_digest *d = ARENA_NEW(&b->a, struct bld_digest);
            rc = bld_source_digest(&mf->tree, false, NULL, mf->source, d, err);
            if (rc)
                return at_instr(b, in, rc, err);
            km->content = d;
            return 0;
        }
        int rc = load_ignore(b, err);
        if (rc)
            return at_instr(b, in, rc, err);
        rc = context_source(b, in, source ? source : ".", &mt->source, err);
        if (rc)
            return rc;
        const char **ctx = ARENA_NEW_ARRAY(&b->a, const char *, 1);
        ctx[0] = b->o->context;
        struct bld_tree tree = { ctx, 1 };
        struct bld_digest *d = ARENA_NEW(&b->a, struct bld_digest);
        rc = bld_source_digest(&tree, true, b->ignore, source ? source : ".", d, err);
        if (rc)
            return at_instr(b, in, rc, err);
        km->content = d;
        if (b->ignore) {
            /* The context on the host holds what the ignore file keeps
             * out: mount a copy of what is sent instead. */
            mf->tree = tree;
            mf->source = source ? source : ".";
            mf->context = true;
            mf->ignore = b->ignore;
        }
    } else if (strcmp(type, "cache") == 0) {
        mt->type = BLD_MOUNT_CACHE;
        if (from) {
            err_set(err, ERR_UNSUPPORTED, "RUN --mount from= is not supported by dockwright build");
            return at_instr(b, in, ERR_UNSUPPORTED, err);
        }
    } else if (strcmp(type, "tmpfs") == 0) {
        mt->type = BLD_MOUNT_TMPFS;
    } else if (strcmp(type, "secret") == 0) {
        mt->type = BLD_MOUNT_SECRET;
        const char *id = mt->id;
        if (!id && mt->target) {
            const char *slash = strrchr(mt->target, '/');
            id = slash ? slash + 1 : mt->target;
            mt->id = id;
        }
        mt->source = id ? secret_source(b, id) : NULL;
    } else if (strcmp(type, "ssh") == 0) {
        mt->type = BLD_MOUNT_SSH;
    } else {
        err_set(err, ERR_INVALID, "unsupported mount type \"%s\"", type);
        return at_instr(b, in, ERR_INVALID, err);
    }
    return 0;
bad:
    err_set(err, ERR_INVALID, "invalid RUN --mount option '%.*s'", (int)span_len(fl->span),
            b->f->src + fl->span.start);
    return at_instr(b, in, ERR_INVALID, err);
}

static int do_run(struct build *b, struct stage_state *st, struct bld_meta *m,
                  const struct df_instr *in, struct bld_report_step *rs, bool *cached,
                  struct err *err)
{
    enum bld_net net = b->o->net;
    bool insecure = false;
    struct bld_mount *mounts = ARENA_NEW_ARRAY(&b->a, struct bld_mount, in->n_flags + 1);
    struct bld_key_mount *kmounts = ARENA_NEW_ARRAY(&b->a, struct bld_key_mount, in->n_flags + 1);
    struct mount_from *mfrom = ARENA_NEW_ARRAY(&b->a, struct mount_from, in->n_flags + 1);
    size_t n_mounts = 0;
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        if (flag_is(fl, "mount")) {
            int rc = parse_mount(b, in, fl, &mounts[n_mounts], &kmounts[n_mounts], &mfrom[n_mounts],
                                 err);
            if (rc)
                return rc;
            n_mounts++;
        } else if (flag_is(fl, "network") && fl->value.raw.ptr) {
            if (str_eq_cstr(fl->value.raw, "none"))
                net = BLD_NET_NONE;
            else if (str_eq_cstr(fl->value.raw, "host") || str_eq_cstr(fl->value.raw, "default"))
                net = BLD_NET_HOST;
            else
                return bad_flag(b, in, fl, err);
        } else if (flag_is(fl, "security") && fl->value.raw.ptr &&
                   str_eq_cstr(fl->value.raw, "insecure")) {
            insecure = true;
        } else if (!(flag_is(fl, "security") && str_eq_cstr(fl->value.raw, "sandbox"))) {
            return bad_flag(b, in, fl, err);
        }
    }

    /* The command. */
    struct bld_run_opts ro;
    bld_run_opts_init(&ro);
    const char **argv = NULL;
    size_t argc = 0;
    if (in->form == DF_FORM_EXEC) {
        if (in->n_exec == 0) {
            err_set(err, ERR_INVALID, "RUN needs a command");
            return at_instr(b, in, ERR_INVALID, err);
        }
        argv = ARENA_NEW_ARRAY(&b->a, const char *, in->n_exec + 1);
        for (uint32_t i = 0; i < in->n_exec; i++)
            argv[i] = arena_strndup(&b->a, in->exec[i].raw.ptr, in->exec[i].raw.len);
        argc = in->n_exec;
        ro.form = BLD_CMD_EXEC;
        ro.argv = argv;
        ro.argc = argc;
    } else if (in->form == DF_FORM_SHELL) {
        const char *text = arena_strndup(&b->a, in->shell.raw.ptr, in->shell.raw.len);
        struct str trimmed = str_trim(in->shell.raw);
        if (in->n_heredocs == 1 &&
            str_eq(trimmed, str_make(b->f->src + in->heredocs[0].marker.start,
                                     span_len(in->heredocs[0].marker)))) {
            ro.form = BLD_CMD_HEREDOC;
            ro.text = heredoc_body(b, &in->heredocs[0]);
            ro.heredoc_name =
                arena_strndup(&b->a, in->heredocs[0].delimiter.ptr, in->heredocs[0].delimiter.len);
            argv = bld_meta_with_shell(m, text, &argc);
        } else {
            if (in->n_heredocs) {
                /* The shell reads the bodies after the command line. */
                struct buf t = BUF_INIT;
                int rc = buf_append_cstr(&t, text);
                for (uint32_t h = 0; h < in->n_heredocs && !rc; h++) {
                    const struct df_heredoc *hd = &in->heredocs[h];
                    rc = buf_append_char(&t, '\n');
                    if (!rc)
                        rc = buf_append_cstr(&t, heredoc_body(b, hd));
                    if (!rc)
                        rc = buf_append(&t, b->f->src + hd->end.start, span_len(hd->end));
                }
                text = arena_strdup(&b->a, buf_cstr(&t));
                buf_release(&t);
                if (rc)
                    return err_set(err, ERR_TOO_LARGE, "RUN command too large");
            }
            ro.form = BLD_CMD_SHELL;
            ro.text = text;
            argv = bld_meta_with_shell(m, text, &argc);
        }
    } else {
        err_set(err, ERR_INVALID, "RUN needs a command");
        return at_instr(b, in, ERR_INVALID, err);
    }

    struct bld_kv *args;
    size_t n_args;
    args_in_scope(b, in, &args, &n_args);
    const char *hist = bld_meta_run_text(&b->a, argv, argc, args, n_args);
    const char *keytext =
        arena_printf(&b->a, "%s\nnetwork=%s%s", raw_text(b, in->span),
                     net == BLD_NET_NONE ? "none" : "host", insecure ? "\nsecurity=insecure" : "");
    struct bld_digest key;
    struct bld_step_input ki = { .parent = &st->key,
                                 .platform = st->platform,
                                 .instruction = keytext,
                                 .args = args,
                                 .n_args = n_args,
                                 .mounts = kmounts,
                                 .n_mounts = n_mounts };
    struct bld_step_keys keys;
    int rc = bld_step_key(&ki, &keys, err);
    if (rc)
        return rc;
    key = keys.chain;
    struct cache_entry ce;
    if (cache_get(b, &key, &ce)) {
        if (ce.has_layer)
            reuse_layer(b, st, &ce, rs);
        bld_meta_history(m, hist, !ce.has_layer);
        st->key = key;
        *cached = true;
        return 0;
    }

    /* Environment: the config's, with the build args in scope. */
    const struct bld_strs *env = &st->cfg.config.env;
    const char **envv = ARENA_NEW_ARRAY(&b->a, const char *, env->len + n_args + 1);
    size_t n_env = 0;
    for (size_t i = 0; i < env->len; i++)
        envv[n_env++] = env->items[i];
    for (size_t i = 0; i < n_args; i++) {
        if (!args[i].value)
            continue;
        /* The value the scope gives at this RUN: an ARG defined after an
         * ENV (or the image) of that name wins, as in BuildKit's state;
         * an ENV after the ARG gave both the same value. */
        size_t kl = strlen(args[i].key);
        const char *kv = arena_printf(&b->a, "%s=%s", args[i].key, args[i].value);
        bool replaced = false;
        for (size_t j = 0; j < env->len && !replaced; j++)
            if (strncmp(envv[j], args[i].key, kl) == 0 && envv[j][kl] == '=') {
                envv[j] = kv;
                replaced = true;
            }
        if (!replaced)
            envv[n_env++] = kv;
    }

    const char **lower;
    size_t n_lower;
    rc = layer_dirs(b, st, &lower, &n_lower, err);
    if (rc)
        return at_instr(b, in, rc, err);
    const char *tmp;
    rc = make_tmp(b, "run", &tmp, err);
    if (rc)
        return rc;
    const char *upper = arena_printf(&b->a, "%s/upper", tmp);
    const char *work = arena_printf(&b->a, "%s/work", tmp);
    if (mkdir(upper, 0755) != 0 || mkdir(work, 0700) != 0) {
        rc = err_sys(err, tmp, "cannot create a scratch directory");
        remove_tmp(tmp);
        return rc;
    }
    for (size_t i = 0; i < n_mounts; i++) {
        if (!mfrom[i].source)
            continue;
        const char *mdir = arena_printf(&b->a, "%s/mount%zu", tmp, i);
        if (mkdir(mdir, 0755) != 0)
            rc = err_sys(err, mdir, "cannot create a scratch directory");
        else
            rc = materialize(b, in, &mfrom[i], mdir, &mounts[i], err);
        if (rc) {
            remove_tmp(tmp);
            return rc;
        }
    }
    ro.lower = lower;
    ro.n_lower = n_lower;
    ro.upper = upper;
    ro.work = work;
    ro.shell = st->cfg.config.shell.len ? st->cfg.config.shell.items : NULL;
    ro.n_shell = st->cfg.config.shell.len;
    ro.env = envv;
    ro.n_env = n_env;
    ro.workdir = st->cfg.config.working_dir && st->cfg.config.working_dir[0]
                     ? st->cfg.config.working_dir
                     : NULL;
    ro.user = st->cfg.config.user && st->cfg.config.user[0] ? st->cfg.config.user : NULL;
    ro.net = net;
    ro.insecure = insecure;
    ro.mounts = mounts;
    ro.n_mounts = n_mounts;
    ro.cache_root = arena_printf(&b->a, "%s/runcache", b->s->root);
    ro.tmp_dir = bld_store_tmp_dir(b->s, &b->a);
    ro.on_output = on_output;
    ro.output_ctx = b;
    ro.cancel = b->o->cancel;
    b->at_line_start = true;
    b->saw_enoexec = false;
    struct bld_run_result res;
    rc = bld_run(&ro, &res, err);
    if (b->o->progress && !b->at_line_start)
        fputc('\n', b->o->progress);
    if (rc) {
        remove_tmp(tmp);
        return at_instr(b, in, rc, err);
    }
    if (res.status != 0) {
        remove_tmp(tmp);
        b->res->run_status = res.status;
        struct buf cmd = BUF_INIT;
        for (size_t i = 0; i < argc; i++)
            if (buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]))
                break;
        if (res.outcome == BLD_RUN_EXITED && b->saw_enoexec &&
            strcmp(st->platform, b->host.name) != 0)
            /* The kernel cannot run the stage's binaries: BuildKit needs
             * the same emulation (its "exec format error"). */
            err_set(err, ERR_UNSUPPORTED,
                    "process \"%s\" did not complete successfully: exit code: %d: exec format "
                    "error: this %s host cannot run %s binaries; RUN in a %s stage needs "
                    "binfmt_misc emulation for it (e.g. qemu-user-binfmt)",
                    buf_cstr(&cmd), res.exit_code, b->host.name, st->platform, st->platform);
        else if (res.outcome == BLD_RUN_EXITED)
            err_set(err, ERR_INVALID, "process \"%s\" did not complete successfully: exit code: %d",
                    buf_cstr(&cmd), res.exit_code);
        else if (res.outcome == BLD_RUN_SIGNALED)
            err_set(err, ERR_INVALID, "process \"%s\" was killed by signal %d", buf_cstr(&cmd),
                    res.signal);
        else
            err_set(err, ERR_INVALID, "process \"%s\" was %s", buf_cstr(&cmd),
                    res.outcome == BLD_RUN_TIMED_OUT ? "timed out" : "cancelled");
        buf_release(&cmd);
        return at_instr(b, in, err->code, err);
    }
    bool empty = dir_is_empty(upper);
    rc = empty ? cache_put_none(b, &key) : commit_layer(b, st, upper, &key, rs, err);
    remove_tmp(tmp);
    if (rc)
        return at_instr(b, in, rc, err);
    bld_meta_history(m, hist, empty);
    st->key = key;
    return 0;
}

/* ---- COPY / ADD --------------------------------------------------------------------------- */

static int do_copy(struct build *b, struct stage_state *st, struct bld_meta *m,
                   const struct df_instr *in, struct bld_report_step *rs, bool *cached,
                   struct err *err)
{
    bool add = in->kind == DF_ADD;
    struct bld_copy_opts co = { .add = add, .unpack = -1, .epoch = b->epoch };
    const char *from = NULL, *chown = NULL, *chmod = NULL;
    bool link = false;
    VEC(const char *) excl = VEC_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < in->n_flags && !rc; i++) {
        const struct df_flag *fl = &in->flags[i];
        const char *val = NULL;
        if (fl->value.raw.ptr)
            rc = expand_str(b, in, &fl->value, &val, err);
        if (rc)
            break;
        if (flag_is(fl, "from") && val)
            from = val;
        else if (flag_is(fl, "chown") && val)
            chown = val;
        else if (flag_is(fl, "chmod") && val)
            chmod = val;
        else if (flag_is(fl, "link"))
            link = !val || strcmp(val, "false") != 0;
        else if (flag_is(fl, "parents"))
            co.parents = !val || strcmp(val, "false") != 0;
        else if (flag_is(fl, "exclude") && val)
            VEC_PUSH(&excl, arena_strndup(&b->a, fl->value.raw.ptr, fl->value.raw.len));
        else if (add && flag_is(fl, "checksum") && val)
            co.checksum = val;
        else if (add && flag_is(fl, "unpack"))
            co.unpack = !val || strcmp(val, "false") != 0;
        else if (add && flag_is(fl, "keep-git-dir"))
            continue;
        else
            rc = bad_flag(b, in, fl, err);
    }
    if (rc) {
        VEC_RELEASE(&excl);
        return rc;
    }
    co.exclude = ARENA_NEW_ARRAY(&b->a, const char *, excl.len + 1);
    if (excl.len)
        memcpy((void *)co.exclude, excl.items, excl.len * sizeof *excl.items);
    co.n_exclude = excl.len;
    VEC_RELEASE(&excl);
    co.chown = chown;
    co.chmod = chmod;

    /* Sources and destination. */
    const struct df_text *words = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n_words = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    if (n_words < 2) {
        err_set(err, ERR_INVALID, "%s requires at least two arguments", df_kind_name(in->kind));
        return at_instr(b, in, ERR_INVALID, err);
    }
    struct bld_src *srcs = ARENA_NEW_ARRAY(&b->a, struct bld_src, n_words);
    const char **paths = ARENA_NEW_ARRAY(&b->a, const char *, n_words);
    const char **hnames = ARENA_NEW_ARRAY(&b->a, const char *, n_words);
    size_t n_paths = 0, n_h = 0;
    for (uint32_t i = 0; i + 1 < n_words; i++) {
        const struct df_heredoc *hd = NULL;
        for (uint32_t h = 0; h < in->n_heredocs && in->form != DF_FORM_EXEC; h++)
            if (in->heredocs[h].marker.start == words[i].span.start)
                hd = &in->heredocs[h];
        if (hd) {
            const char *body = heredoc_body(b, hd);
            if (!hd->quoted) {
                struct df_text w = { str_from_cstr(body), hd->body };
                struct exp_result er;
                rc = expand(b, in, &w, EXP_NO_QUOTES, &er, err);
                if (rc)
                    return rc;
                body = er.value.ptr;
            }
            srcs[i] = (struct bld_src){ BLD_SRC_HEREDOC,
                                        arena_strndup(&b->a, hd->delimiter.ptr, hd->delimiter.len),
                                        body, strlen(body) };
            hnames[n_h++] = arena_printf(&b->a, "<<%s", srcs[i].path);
        } else {
            const char *p;
            rc = expand_str(b, in, &words[i], &p, err);
            if (rc)
                return rc;
            srcs[i] = (struct bld_src){ BLD_SRC_PATH, p, NULL, 0 };
            paths[n_paths++] = p;
        }
    }
    const char *dest;
    rc = expand_str(b, in, &words[n_words - 1], &dest, err);
    if (rc)
        return rc;
    co.srcs = srcs;
    co.n_srcs = n_words - 1;

    /* Where sources come from. */
    if (from) {
        rc = from_tree(b, in, from, &co.from, err);
        if (rc)
            return rc;
    } else {
        rc = load_ignore(b, err);
        if (rc)
            return at_instr(b, in, rc, err);
        const char **ctx = ARENA_NEW_ARRAY(&b->a, const char *, 1);
        ctx[0] = b->o->context;
        co.from = (struct bld_tree){ ctx, 1 };
        co.from_context = true;
        co.ignore = b->ignore;
    }
    co.tmp_dir = bld_store_tmp_dir(b->s, &b->a);

    struct bld_copy_sel *sel;
    rc = bld_copy_select(&co, &b->a, &sel, err);
    if (rc)
        return at_instr(b, in, rc, err);
    struct bld_digest content;
    rc = bld_copy_digest(sel, &content, err);
    if (rc)
        return at_instr(b, in, rc, err);
    /* The build args count only through what they expand to (BuildKit's
     * file operation has no environment): the expanded sources, owner,
     * mode and checksum are in the key, the args in scope are not. */
    struct buf kt = BUF_INIT;
    rc = buf_printf(&kt, "%s\nfrom=%s\ndest=%s\nworkdir=%s\nchown=%s\nchmod=%s\nchecksum=%s",
                    raw_text(b, in->span), from ? from : "", dest,
                    st->cfg.config.working_dir ? st->cfg.config.working_dir : "/",
                    chown ? chown : "", chmod ? chmod : "", co.checksum ? co.checksum : "");
    for (size_t i = 0; i < co.n_srcs && !rc; i++)
        rc = buf_printf(&kt, "\nsrc=%s", srcs[i].path);
    const char *keytext = arena_strdup(&b->a, buf_cstr(&kt));
    buf_release(&kt);
    if (rc)
        return at_instr(b, in, err_set(err, ERR_TOO_LARGE, "instruction too large"), err);
    struct bld_digest key;
    rc = step_key(b, st, keytext, NULL, 0, &content, link, &key, err);
    if (rc)
        return rc;
    const char *hist =
        bld_meta_copy_text(&b->a, add, co.parents, chown, chmod, paths, n_paths, hnames, n_h, dest);
    struct cache_entry ce;
    if (cache_get(b, &key, &ce)) {
        if (ce.has_layer)
            reuse_layer(b, st, &ce, rs);
        bld_meta_history(m, hist, !ce.has_layer);
        st->key = key;
        *cached = true;
        return 0;
    }

    struct bld_tree below;
    rc = state_tree(b, st, &below, err);
    if (rc)
        return at_instr(b, in, rc, err);
    const char *tmp;
    rc = make_tmp(b, "copy", &tmp, err);
    if (rc)
        return rc;
    const char **layers = ARENA_NEW_ARRAY(&b->a, const char *, below.n_layers + 1);
    layers[0] = tmp;
    for (size_t i = 0; i < below.n_layers; i++)
        layers[i + 1] = below.layers[i];
    struct bld_tree full = { layers, below.n_layers + 1 };
    struct bld_tree only = { layers, 1 };
    struct bld_copy_dest d = { .dest = dest,
                               .workdir = st->cfg.config.working_dir,
                               .tree = link ? only : full,
                               .users = &full,
                               .instr = add ? "ADD" : "COPY" };
    rc = bld_copy_apply(sel, &d, NULL, err);
    bool empty = !rc && dir_is_empty(tmp);
    if (!rc)
        rc = empty ? cache_put_none(b, &key) : commit_layer(b, st, tmp, &key, rs, err);
    remove_tmp(tmp);
    if (rc)
        return at_instr(b, in, rc, err);
    bld_meta_history(m, hist, empty);
    st->key = key;
    return 0;
}

/* ---- WORKDIR's layer ------------------------------------------------------------------------ */

/* Whether path is a directory in the tree (its top layer that has it),
 * every component a directory too (not a symlink). */
static bool tree_has_dir(struct build *b, const struct bld_tree *t, const char *path)
{
    struct buf rel = BUF_INIT;
    bool ok = true;
    for (const char *p = path; *p && ok;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (!n)
            break;
        if (buf_append_char(&rel, '/') || buf_append(&rel, p, n)) {
            ok = false;
            break;
        }
        bool found = false;
        for (size_t i = 0; i < t->n_layers && !found; i++) {
            struct stat sb;
            const char *lp = arena_printf(&b->a, "%s%s", t->layers[i], buf_cstr(&rel));
            if (lstat(lp, &sb) == 0) {
                found = true;
                ok = S_ISDIR(sb.st_mode);
            }
        }
        ok = ok && found;
        p += n;
    }
    buf_release(&rel);
    return ok;
}

/* The text of a file of the tree (its top layer that has it); ptr NULL
 * when no layer has it as a regular file (missing, whited out). */
static struct str tree_file(struct build *b, const struct bld_tree *t, const char *path)
{
    for (size_t i = 0; i < t->n_layers; i++) {
        const char *lp = arena_printf(&b->a, "%s%s", t->layers[i], path);
        struct stat sb;
        if (lstat(lp, &sb) != 0)
            continue;
        struct buf text = BUF_INIT;
        struct err e;
        struct str out = STR_NULL;
        if (S_ISREG(sb.st_mode) && file_read_all(lp, (size_t)4 << 20, &text, &e) == 0)
            out = str_make(arena_strndup(&b->a, buf_cstr(&text), text.len), text.len);
        buf_release(&text);
        return out;
    }
    return STR_NULL;
}

/* The directory path made in an empty upper dir, each component with the
 * mode and owner it has below (0755 and uid:gid when new: BuildKit makes
 * WORKDIR as the USER); nothing when the whole path is already a
 * directory. */
static int make_workdir_layer(struct build *b, const struct bld_tree *below, const char *upper,
                              const char *path, uid_t new_uid, gid_t new_gid, struct err *err)
{
    if (tree_has_dir(b, below, path))
        return 0;
    struct buf rel = BUF_INIT;
    int rc = 0;
    const char *p = path;
    while (*p && !rc) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!n)
            break;
        if (buf_append_char(&rel, '/') || buf_append(&rel, p, n)) {
            rc = err_set(err, ERR_TOO_LARGE, "WORKDIR path too long");
            break;
        }
        struct stat sb;
        mode_t mode = 0755;
        uid_t uid = new_uid;
        gid_t gid = new_gid;
        bool symlink = false;
        for (size_t i = 0; i < below->n_layers; i++) {
            const char *lp = arena_printf(&b->a, "%s%s", below->layers[i], buf_cstr(&rel));
            if (lstat(lp, &sb) == 0) {
                if (S_ISDIR(sb.st_mode)) {
                    mode = sb.st_mode & 07777;
                    uid = sb.st_uid;
                    gid = sb.st_gid;
                }
                symlink = S_ISLNK(sb.st_mode);
                break;
            }
        }
        /* A symlink on the way (/var/run -> /run) must stay one: the
         * directory is left for RUN to create through it. */
        if (symlink)
            break;
        const char *up = arena_printf(&b->a, "%s%s", upper, buf_cstr(&rel));
        if (mkdir(up, mode) != 0 || chmod(up, mode) != 0 ||
            (geteuid() == 0 && lchown(up, uid, gid) != 0))
            rc = err_sys(err, up, "cannot create the WORKDIR directory");
        p += n;
    }
    buf_release(&rel);
    return rc;
}

/* ---- metadata instructions --------------------------------------------------------------------
 */

static int pairs_kv(struct build *b, const struct df_instr *in, bool keep_null, struct bld_kv **out,
                    size_t *n, struct err *err)
{
    struct bld_kv *kv = ARENA_NEW_ARRAY(&b->a, struct bld_kv, in->n_pairs + 1);
    for (uint32_t i = 0; i < in->n_pairs; i++) {
        const struct df_pair *p = &in->pairs[i];
        int rc = expand_str(b, in, &p->key, &kv[i].key, err);
        if (rc)
            return rc;
        if (p->value.raw.ptr) {
            rc = expand_str(b, in, &p->value, &kv[i].value, err);
            if (rc)
                return rc;
        } else {
            kv[i].value = keep_null ? NULL : "";
        }
    }
    *out = kv;
    *n = in->n_pairs;
    return 0;
}

/* Go's time.ParseDuration, for HEALTHCHECK flags. */
static int parse_duration(const char *s, int64_t *out)
{
    double total = 0;
    const char *p = s;
    if (!*p)
        return -1;
    if (strcmp(p, "0") == 0) {
        *out = 0;
        return 0;
    }
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0)
            return -1;
        p = end;
        double unit;
        if (strncmp(p, "ns", 2) == 0)
            unit = 1, p += 2;
        else if (strncmp(p, "us", 2) == 0 || strncmp(p, "\xc2\xb5s", 3) == 0)
            unit = 1e3, p += (*p == 'u' ? 2 : 3);
        else if (strncmp(p, "ms", 2) == 0)
            unit = 1e6, p += 2;
        else if (*p == 's')
            unit = 1e9, p++;
        else if (*p == 'm')
            unit = 60e9, p++;
        else if (*p == 'h')
            unit = 3600e9, p++;
        else
            return -1;
        total += v * unit;
    }
    if (total > 9.2e18)
        return -1;
    *out = (int64_t)total;
    return 0;
}

static const char **words_of(struct build *b, const struct df_text *w, uint32_t n)
{
    const char **v = ARENA_NEW_ARRAY(&b->a, const char *, n + 1);
    for (uint32_t i = 0; i < n; i++)
        v[i] = arena_strndup(&b->a, w[i].raw.ptr, w[i].raw.len);
    return v;
}

static int do_healthcheck(struct build *b, struct bld_meta *m, const struct df_instr *in,
                          struct err *err)
{
    struct bld_healthcheck hc;
    memset(&hc, 0, sizeof hc);
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        const char *val = "";
        if (fl->value.raw.ptr) {
            int rc = expand_str(b, in, &fl->value, &val, err);
            if (rc)
                return rc;
        }
        int64_t *dst = flag_is(fl, "interval")         ? &hc.interval
                       : flag_is(fl, "timeout")        ? &hc.timeout
                       : flag_is(fl, "start-period")   ? &hc.start_period
                       : flag_is(fl, "start-interval") ? &hc.start_interval
                                                       : NULL;
        if (dst) {
            if (parse_duration(val, dst) != 0) {
                err_set(err, ERR_INVALID, "invalid duration for --%.*s: %s", (int)fl->name.raw.len,
                        fl->name.raw.ptr, val);
                return at_instr(b, in, ERR_INVALID, err);
            }
        } else if (flag_is(fl, "retries")) {
            char *end;
            long v = strtol(val, &end, 10);
            if (!*val || *end || v < 0) {
                err_set(err, ERR_INVALID, "invalid value for --retries: %s", val);
                return at_instr(b, in, ERR_INVALID, err);
            }
            hc.retries = v;
        } else {
            return bad_flag(b, in, fl, err);
        }
    }
    bool none = in->n_args && str_eq_nocase(in->args[0].raw, str_from_cstr("NONE"));
    if (none) {
        hc.test.items = ARENA_NEW_ARRAY(&b->a, const char *, 1);
        hc.test.items[0] = "NONE";
        hc.test.len = 1;
    } else if (in->form == DF_FORM_EXEC) {
        const char **w = words_of(b, in->exec, in->n_exec);
        hc.test.items = ARENA_NEW_ARRAY(&b->a, const char *, in->n_exec + 2);
        hc.test.items[0] = "CMD";
        for (uint32_t i = 0; i < in->n_exec; i++)
            hc.test.items[i + 1] = w[i];
        hc.test.len = in->n_exec + 1;
    } else {
        hc.test.items = ARENA_NEW_ARRAY(&b->a, const char *, 2);
        hc.test.items[0] = "CMD-SHELL";
        hc.test.items[1] = arena_strndup(&b->a, in->shell.raw.ptr, in->shell.raw.len);
        hc.test.len = 2;
    }
    hc.test.set = true;
    return bld_meta_healthcheck(m, &hc, err);
}

/* Applies a metadata instruction to the config. WORKDIR's layer is made by
 * the caller (*workdir receives the resolved directory when it needs one). */
static int do_meta(struct build *b, struct bld_meta *m, const struct df_instr *in,
                   const char **workdir, struct err *err)
{
    int rc = 0;
    struct bld_kv *kv;
    size_t n;
    const char *v;
    switch (in->kind) {
    case DF_ENV:
        rc = pairs_kv(b, in, false, &kv, &n, err);
        if (!rc)
            rc = bld_meta_env(m, kv, n, err);
        break;
    case DF_LABEL:
        rc = pairs_kv(b, in, false, &kv, &n, err);
        if (!rc)
            rc = bld_meta_label(m, kv, n, err);
        break;
    case DF_ARG:
        rc = pairs_kv(b, in, true, &kv, &n, err);
        if (!rc) {
            /* History shows the value the build uses. */
            for (size_t i = 0; i < n; i++) {
                struct df_var var;
                if (df_lookup(b->f, in, str_from_cstr(kv[i].key), &var) && var.set)
                    kv[i].value = arena_strndup(&b->a, var.value.ptr, var.value.len);
            }
            rc = bld_meta_arg(m, kv, n, err);
        }
        break;
    case DF_EXPOSE: {
        VEC(const char *) ports = VEC_INIT;
        for (uint32_t i = 0; i < in->n_args && !rc; i++) {
            struct exp_result er;
            rc = expand(b, in, &in->args[i], EXP_SPLIT, &er, err);
            for (size_t w = 0; !rc && w < er.n_words; w++)
                VEC_PUSH(&ports, er.words[w].ptr);
        }
        if (!rc)
            rc = bld_meta_expose(m, ports.items, ports.len, err);
        VEC_RELEASE(&ports);
        break;
    }
    case DF_USER:
        rc = in->n_args ? expand_str(b, in, &in->args[0], &v, err) : 0;
        if (!rc)
            rc = bld_meta_user(m, in->n_args ? v : "", err);
        break;
    case DF_WORKDIR: {
        bool needs = false;
        const char *resolved = NULL;
        rc = in->n_args ? expand_str(b, in, &in->args[0], &v, err) : 0;
        if (!rc)
            rc = bld_meta_workdir(m, in->n_args ? v : "", &resolved, &needs, err);
        *workdir = !rc && needs ? resolved : NULL;
        break;
    }
    case DF_CMD:
    case DF_ENTRYPOINT: {
        bool shell = in->form != DF_FORM_EXEC;
        const char **argv;
        size_t argc;
        if (shell) {
            argv = ARENA_NEW_ARRAY(&b->a, const char *, 1);
            argv[0] = arena_strndup(&b->a, in->shell.raw.ptr, in->shell.raw.len);
            argc = 1;
        } else {
            argv = words_of(b, in->exec, in->n_exec);
            argc = in->n_exec;
        }
        rc = in->kind == DF_CMD ? bld_meta_cmd(m, argv, argc, shell, err)
                                : bld_meta_entrypoint(m, argv, argc, shell, err);
        break;
    }
    case DF_SHELL:
        if (in->form != DF_FORM_EXEC) {
            rc = err_set(err, ERR_INVALID, "SHELL requires the arguments to be in JSON form");
            break;
        }
        rc = bld_meta_shell(m, words_of(b, in->exec, in->n_exec), in->n_exec, err);
        break;
    case DF_STOPSIGNAL:
        rc = in->n_args ? expand_str(b, in, &in->args[0], &v, err) : 0;
        if (!rc)
            rc = bld_meta_stopsignal(m, in->n_args ? v : "", err);
        break;
    case DF_VOLUME: {
        const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
        uint32_t nw = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
        const char **paths = ARENA_NEW_ARRAY(&b->a, const char *, nw + 1);
        for (uint32_t i = 0; i < nw && !rc; i++)
            rc = expand_str(b, in, &w[i], &paths[i], err);
        if (!rc)
            rc = bld_meta_volume(m, paths, nw, err);
        break;
    }
    case DF_MAINTAINER:
        rc = bld_meta_maintainer(
            m, in->n_args ? arena_strndup(&b->a, in->args[0].raw.ptr, in->args[0].raw.len) : "",
            err);
        break;
    case DF_ONBUILD:
        if (!in->trigger) {
            rc = err_set(err, ERR_INVALID, "ONBUILD needs an instruction");
            break;
        }
        rc = bld_meta_onbuild(m, raw_text(b, in->trigger->span), err);
        break;
    case DF_HEALTHCHECK: rc = do_healthcheck(b, m, in, err); break;
    default:
        rc = err_set(err, ERR_INVALID, "unknown instruction: %.*s", (int)span_len(in->keyword),
                     b->f->src + in->keyword.start);
        break;
    }
    if (rc && err->line == 0)
        return at_instr(b, in, rc, err);
    return rc;
}

/* ---- stages -------------------------------------------------------------------------------------
 */

/* PATH as BuildKit adds it to a Linux image config that lacks one. */
static const char default_path_env[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static bool env_has(const struct bld_strs *env, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < env->len; i++)
        if (strncmp(env->items[i], key, n) == 0 && env->items[i][n] == '=')
            return true;
    return false;
}

/* The config's Env with PATH added when missing, as BuildKit makes sure
 * every stage has one (Windows excepted). */
static void ensure_path(struct build *b, struct bld_image_config *cfg)
{
    struct bld_strs *env = &cfg->config.env;
    if ((cfg->os && strcmp(cfg->os, "windows") == 0) || env_has(env, "PATH"))
        return;
    const char **v = ARENA_NEW_ARRAY(&b->a, const char *, env->len + 2);
    if (env->len)
        memcpy(v, env->items, env->len * sizeof *v);
    v[env->len] = default_path_env;
    env->items = v;
    env->len++;
    env->set = true;
}

/* Resolves stage i of the Dockerfile as given (b->f0): its platform
 * (FROM --platform, expanded in the global scope; a stage built on
 * another has that one's), its base image when FROM an image, and the
 * ONBUILD triggers to run after its FROM (the base image's, or the ONBUILD
 * instructions of the in-file base stage). */
static int resolve_stage(struct build *b, uint32_t i, struct err *err)
{
    struct stage_plan *p = &b->plan[i];
    const struct df_stage *stg = &b->f0->model.stages[i];
    const struct df_instr *in = stg->from;
    struct df_file *saved = b->f;
    b->f = b->f0;
    p->resolved = true;
    p->plat = b->target;
    int rc = 0;
    for (uint32_t k = 0; k < in->n_flags && !rc; k++) {
        const struct df_flag *fl = &in->flags[k];
        const char *v = NULL;
        if (!flag_is(fl, "platform") || !fl->value.raw.ptr) {
            rc = bad_flag(b, in, fl, err);
            break;
        }
        rc = expand_str(b, in, &fl->value, &v, err);
        if (!rc && !*v) {
            err_set(err, ERR_INVALID, "empty platform value from expression %.*s",
                    (int)fl->value.raw.len, fl->value.raw.ptr);
            rc = at_instr(b, in, ERR_INVALID, err);
        } else if (!rc && plat_parse(b, v, &p->plat, err)) {
            rc = at_instr(b, in, err->code, err);
        }
    }
    if (rc) {
        b->f = saved;
        return rc;
    }
    if (stg->base_stage >= 0) {
        const struct df_stage *parent = &b->f0->model.stages[stg->base_stage];
        p->plat = b->plan[stg->base_stage].plat;
        const char **t = ARENA_NEW_ARRAY(&b->a, const char *, parent->n_instrs + 1);
        size_t n = 0;
        for (uint32_t k = 0; k < parent->n_instrs; k++)
            if (parent->instrs[k]->kind == DF_ONBUILD && parent->instrs[k]->trigger)
                t[n++] = raw_text(b, parent->instrs[k]->trigger->span);
        p->triggers = t;
        p->n_triggers = n;
    } else if (!in->image.is_scratch) {
        const struct df_image_ref *ref = &in->image;
        if (ref->has_variables && !ref->valid) {
            err_set(err, ERR_INVALID, "base name (%.*s) should not be blank or invalid",
                    (int)ref->text.raw.len, ref->text.raw.ptr);
            rc = at_instr(b, in, ERR_INVALID, err);
        } else {
            const char *name = arena_strndup(&b->a, ref->expanded.ptr, ref->expanded.len);
            rc = load_image(b, name, &p->plat, &p->image, &p->manifest, err);
            if (rc)
                rc = at_instr(b, in, rc, err);
        }
        if (!rc) {
            p->has_image = true;
            ensure_path(b, &p->image.cfg);
            const struct bld_strs *env = &p->image.cfg.config.env;
            p->env = ARENA_NEW_ARRAY(&b->a, const char *, env->len + 1);
            if (env->len)
                memcpy(p->env, env->items, env->len * sizeof *p->env);
            p->triggers = p->image.cfg.config.on_build.items;
            p->n_triggers = p->image.cfg.config.on_build.len;
        }
    }
    b->f = saved;
    return rc;
}

/* The instructions of the spliced model whose text starts in sp,
 * counted; *first receives the first one. */
static size_t instrs_in(const struct df_file *f, const struct splice *sp,
                        const struct df_instr **first)
{
    size_t n = 0;
    *first = NULL;
    for (uint32_t i = 0; i < f->model.n_instrs; i++) {
        const struct df_instr *in = f->model.instrs[i];
        if (in->span.start >= sp->start && in->span.start < sp->start + sp->len) {
            if (!n)
                *first = in;
            n++;
        }
    }
    return n;
}

/* Checks the spliced model: every trigger one instruction of an allowed
 * kind, no syntax error. Errors name the FROM the triggers run after. */
static int check_splice(struct build *b, struct df_file *f, const struct splice *trig,
                        const char *const *texts, const uint32_t *owner, size_t n_trig,
                        struct err *err)
{
    const char *why = NULL;
    size_t bad = 0;
    if (!n_trig)
        return 0; /* the text is the Dockerfile's, which parsed */
    for (size_t k = 0; k < n_trig && !why; k++) {
        const struct df_instr *in;
        size_t n = instrs_in(f, &trig[k], &in);
        bad = k;
        if (n != 1)
            why = "onbuild trigger should be a single expression";
        else if (in->kind == DF_ONBUILD)
            why = "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";
        else if (in->kind == DF_FROM || in->kind == DF_MAINTAINER)
            why = in->kind == DF_FROM ? "FROM isn't allowed as an ONBUILD trigger"
                                      : "MAINTAINER isn't allowed as an ONBUILD trigger";
        else if (in->kind == DF_UNKNOWN)
            why = "unknown instruction in an ONBUILD trigger";
    }
    char msg[ERR_MSG_MAX];
    int code = ERR_INVALID;
    if (!why && f->model.n_syntax_errors) {
        const struct df_syntax_error *se = &f->model.syntax_errors[0];
        for (size_t k = 0; k < n_trig; k++)
            if (se->span.start >= trig[k].start)
                bad = k;
        snprintf(msg, sizeof msg, "%s", se->message);
        why = msg;
        code = ERR_SYNTAX;
    }
    if (!why)
        return 0;
    const struct df_instr *from = b->f0->model.stages[owner[bad]].from;
    uint32_t line, col;
    df_file_locate(b->f0, from->span.start, &line, &col);
    err_set(err, code, "ONBUILD trigger '%.60s': %s", texts[bad], why);
    err->span = from->span;
    err_at(err, b->o->dockerfile, line, col);
    return code;
}

/* Rebuilds b->f from the Dockerfile with every resolved stage's ONBUILD
 * triggers spliced in after its FROM line (BuildKit runs them first in
 * the stage, in the stage's scope: they see the base's environment and
 * build args, their ARGs and ENVs stay visible to the stage) and the base
 * images' Env given to the model. */
static int splice_model(struct build *b, const struct df_build_opts *base_opts, struct err *err)
{
    const struct df_model *m0 = &b->f0->model;
    const char *src = b->f0->src;
    size_t len = b->f0->len;
    struct buf t = BUF_INIT;
    VEC(struct splice) sps = VEC_INIT;
    VEC(struct splice) trig = VEC_INIT;
    VEC(uint32_t) owner = VEC_INIT;
    VEC(const char *) texts = VEC_INIT;
    const char *const **envs = ARENA_NEW_ARRAY(&b->a, const char *const *, m0->n_stages + 1);
    size_t pos = 0;
    int rc = 0;
    for (uint32_t i = 0; i < m0->n_stages && !rc; i++) {
        const struct stage_plan *p = &b->plan[i];
        envs[i] = p->env;
        if (!p->resolved || !p->n_triggers)
            continue;
        size_t at = m0->stages[i].from->span.end;
        while (at < len && src[at] != '\n')
            at++;
        if (at < len)
            at++;
        rc = buf_append(&t, src + pos, at - pos);
        pos = at;
        struct splice sp = { (uint32_t)t.len, 0, m0->stages[i].from->span.start };
        if (!rc && (t.len == 0 || t.data[t.len - 1] != '\n'))
            rc = buf_append_char(&t, '\n');
        for (size_t k = 0; k < p->n_triggers && !rc; k++) {
            struct splice one = { (uint32_t)t.len, 0, sp.from };
            rc = buf_append_cstr(&t, p->triggers[k]);
            if (!rc)
                rc = buf_append_char(&t, '\n');
            one.len = (uint32_t)t.len - one.start;
            VEC_PUSH(&trig, one);
            VEC_PUSH(&owner, i);
            VEC_PUSH(&texts, p->triggers[k]);
        }
        sp.len = (uint32_t)t.len - sp.start;
        VEC_PUSH(&sps, sp);
    }
    if (!rc)
        rc = buf_append(&t, src + pos, len - pos);
    struct df_file *f = NULL;
    if (rc) {
        rc = err_set(err, ERR_TOO_LARGE,
                     "%s: the Dockerfile with its ONBUILD triggers is too large", b->o->dockerfile);
    } else {
        struct df_build_opts o = *base_opts;
        o.base_env = envs;
        o.n_base_env = m0->n_stages;
        f = df_file_new(b->o->dockerfile, t.data ? t.data : "", t.len, &o, err);
        if (!f)
            rc = err->code ? err->code : ERR_INTERNAL;
    }
    if (!rc)
        rc = check_splice(b, f, trig.items, texts.items, owner.items, trig.len, err);
    if (!rc && f->model.n_stages != m0->n_stages)
        rc = err_set(err, ERR_INVALID, "%s: FROM isn't allowed as an ONBUILD trigger",
                     b->o->dockerfile);
    if (rc) {
        if (f)
            df_file_free(f);
    } else {
        if (b->f != b->f0)
            df_file_free(b->f);
        b->f = f;
        b->n_splices = sps.len;
        b->splices = ARENA_NEW_ARRAY(&b->a, struct splice, sps.len + 1);
        if (sps.len)
            memcpy(b->splices, sps.items, sps.len * sizeof *sps.items);
    }
    VEC_RELEASE(&sps);
    VEC_RELEASE(&trig);
    VEC_RELEASE(&owner);
    VEC_RELEASE(&texts);
    buf_release(&t);
    return rc;
}

/* Resolves every stage the target needs, then splices. A trigger may
 * name a stage (COPY --from) that nothing else needed: BuildKit then
 * resolves again, and so do we, until no stage is added. */
static int plan_stages(struct build *b, const struct df_build_opts *base_opts, struct err *err)
{
    uint32_t ns = b->f0->model.n_stages;
    for (uint32_t round = 0; round <= ns; round++) {
        bool added = false;
        for (uint32_t i = 0; i < ns; i++) {
            if (!b->f->model.stages[i].reaches_target || b->plan[i].resolved)
                continue;
            int rc = resolve_stage(b, i, err);
            if (rc)
                return rc;
            added = true;
        }
        if (!added)
            return 0;
        int rc = splice_model(b, base_opts, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int do_from(struct build *b, const struct df_stage *stg, struct stage_state *st,
                   struct err *err)
{
    const struct stage_plan *p = &b->plan[stg->index];
    memset(st, 0, sizeof *st);
    if (stg->base_stage >= 0) {
        *st = b->st[stg->base_stage];
        st->done = false;
        return 0;
    }
    st->platform = p->plat.name;
    if (!p->has_image) {
        st->cfg.os = p->plat.os;
        st->cfg.architecture = p->plat.arch;
        st->cfg.variant = p->plat.variant[0] ? p->plat.variant : NULL;
        ensure_path(b, &st->cfg);
        return bld_key_base(NULL, st->platform, &st->key, err);
    }
    *st = p->image;
    st->platform = p->plat.name;
    return bld_key_base(&p->manifest, st->platform, &st->key, err);
}

/* Runs one instruction of b->f on the stage and records its report step. */
static int run_step(struct build *b, struct stage_state *st, struct bld_meta *m,
                    const struct df_instr *in, const char *stage_name, uint32_t line,
                    struct err *err)
{
    if (b->o->cancel && *b->o->cancel) {
        err_set(err, ERR_INTERNAL, "build cancelled");
        return at_instr(b, in, ERR_INTERNAL, err);
    }
    progress_begin(b, in);
    double t0 = now_s();
    struct bld_report_step step;
    memset(&step, 0, sizeof step);
    bool cached = false;
    int rc;
    if (in->kind == DF_RUN) {
        rc = do_run(b, st, m, in, &step, &cached, err);
    } else if (in->kind == DF_COPY || in->kind == DF_ADD) {
        rc = do_copy(b, st, m, in, &step, &cached, err);
    } else {
        const char *workdir = NULL;
        rc = do_meta(b, m, in, &workdir, err);
        struct bld_kv *args;
        size_t n_args;
        args_in_scope(b, in, &args, &n_args);
        struct bld_digest key;
        if (!rc)
            rc = step_key(b, st, raw_text(b, in->span), args, n_args, NULL, false, &key, err);
        struct cache_entry ce;
        bool no_layer = false;
        if (!rc && cache_get(b, &key, &ce) && (workdir || !ce.has_layer)) {
            cached = true;
            if (ce.has_layer)
                reuse_layer(b, st, &ce, &step);
            else
                no_layer = workdir != NULL;
        } else if (!rc && workdir) {
            struct bld_tree below;
            const char *tmp = NULL;
            rc = state_tree(b, st, &below, err);
            if (!rc)
                rc = make_tmp(b, "workdir", &tmp, err);
            uint32_t uid = 0, gid = 0;
            const char *user = st->cfg.config.user;
            if (!rc && user && *user)
                rc = bld_chown_resolve(user, tree_file(b, &below, "/etc/passwd"),
                                       tree_file(b, &below, "/etc/group"), &uid, &gid, err);
            if (!rc)
                rc = make_workdir_layer(b, &below, tmp, workdir, uid, gid, err);
            no_layer = !rc && dir_is_empty(tmp);
            if (!rc)
                rc =
                    no_layer ? cache_put_none(b, &key) : commit_layer(b, st, tmp, &key, &step, err);
            remove_tmp(tmp);
            if (rc && err->line == 0)
                rc = at_instr(b, in, rc, err);
        } else if (!rc) {
            struct cache_entry none = { .has_layer = false };
            cache_put(b, &key, &none);
        }
        /* A WORKDIR that already exists changes nothing: no layer, as
         * BuildKit drops the empty diff of its mkdir. */
        if (!rc && no_layer && st->cfg.n_history)
            st->cfg.history[st->cfg.n_history - 1].empty_layer = true;
        if (!rc)
            st->key = key;
    }
    if (rc)
        return rc;
    double secs = now_s() - t0;
    progress_end(b, cached, secs);
    struct bld_report_step *added =
        bld_report_add_step(b->r, stage_name, line, one_line(b, in, 4096),
                            cached ? BLD_CACHE_HIT : BLD_CACHE_MISS, secs);
    added->has_layer = step.has_layer;
    added->layer = step.layer;
    return 0;
}

static int build_stage(struct build *b, const struct df_stage *stg, struct err *err)
{
    struct stage_state *st = &b->st[stg->index];
    /* The spliced ONBUILD triggers come first and run as part of the FROM
     * step: they keep its step number and do not count in the total. */
    uint32_t n_trig = 0;
    for (uint32_t i = 0; i < stg->n_instrs; i++)
        n_trig += is_trigger(b, stg->instrs[i]);
    b->step_no = 1;
    b->n_steps = stg->n_instrs - n_trig + 1;
    const char *stage_name = stg->name.ptr ? arena_strndup(&b->a, stg->name.ptr, stg->name.len)
                                           : arena_printf(&b->a, "%u", stg->index);
    double t0 = now_s();
    progress_begin(b, stg->from);
    int rc = do_from(b, stg, st, err);
    if (rc)
        return rc;
    progress_end(b, true, now_s() - t0);
    uint32_t line, col;
    locate(b, stg->from->span.start, &line, &col);
    bld_report_add_step(b->r, stage_name, line, one_line(b, stg->from, 4096), BLD_CACHE_HIT,
                        now_s() - t0);

    struct bld_meta m;
    bld_meta_begin(&m, &st->cfg, &b->a, b->created, NULL, NULL);
    for (uint32_t i = 0; i < stg->n_instrs; i++) {
        const struct df_instr *in = stg->instrs[i];
        bool trig = is_trigger(b, in);
        b->step_no = trig ? 1 : i - n_trig + 2;
        locate(b, in->span.start, &line, &col);
        rc = run_step(b, st, &m, in, stage_name, line, err);
        if (rc && trig) {
            /* Named as BuildKit would, on the FROM line. */
            uint32_t l = err->line, c = err->col;
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            err_set(err, rc, "ONBUILD trigger '%s': %s", one_line(b, in, 60), msg);
            err->span = span_make(orig_offset(b, in->span.start), orig_offset(b, in->span.end));
            err_at(err, b->o->dockerfile, l, c);
        }
        if (rc)
            return rc;
    }
    bld_meta_finish(&m);
    st->done = true;
    return 0;
}

/* ---- independent stages at once ------------------------------------------------------- */

/* Whether stage i needs stage j built first: its base, or a stage its
 * COPY --from or RUN --mount from= names (spliced triggers included). */
static bool stage_needs(const struct df_model *md, uint32_t i, uint32_t j)
{
    if (md->stages[i].base_stage == (int)j)
        return true;
    for (uint32_t e = 0; e < md->n_edges; e++)
        if (md->edges[e].from_stage == i && md->edges[e].to_stage == (int)j)
            return true;
    return false;
}

/* The lowest stage to build that is not started and whose needs are
 * done, or -1. Stages only name earlier ones. */
static int next_ready(const struct df_model *md, const bool *started, const bool *done)
{
    for (uint32_t i = 0; i < md->n_stages; i++) {
        if (!md->stages[i].reaches_target || started[i])
            continue;
        bool ok = true;
        for (uint32_t j = 0; j < i && ok; j++)
            ok = done[j] || !stage_needs(md, i, j);
        if (ok)
            return (int)i;
    }
    return -1;
}

/* Whether two stages could ever build at once (else the stages form a
 * chain and are built in order, in this process). */
static bool stages_overlap(struct build *b, const struct df_model *md)
{
    bool *started = ARENA_NEW_ARRAY(&b->a, bool, md->n_stages + 1);
    bool *done = ARENA_NEW_ARRAY(&b->a, bool, md->n_stages + 1);
    for (;;) {
        int i = next_ready(md, started, done);
        if (i < 0)
            return false;
        started[i] = true;
        if (next_ready(md, started, done) >= 0)
            return true;
        done[i] = true;
    }
}

/* In a child process: builds stage i and writes what the parent needs to
 * file: "S\n" then the platform, the chain key, and the lengths and bytes
 * of the layers (as a manifest), the config and the report steps (JSON);
 * or "E\n" and the error. Returns the exit status. */
static int stage_child(struct build *b, uint32_t i, const char *file)
{
    struct bld_report rep;
    struct bld_build_result res;
    bld_report_init(&rep);
    memset(&res, 0, sizeof res);
    b->r = &rep;
    b->res = &res;
    struct err e;
    err_clear(&e);
    int rc = build_stage(b, &b->f->model.stages[i], &e);
    struct buf out = BUF_INIT, mj = BUF_INIT, cj = BUF_INIT, rj = BUF_INIT;
    int wrc = 0;
    if (!rc) {
        const struct stage_state *st = &b->st[i];
        struct bld_manifest m;
        memset(&m, 0, sizeof m);
        m.media_type = BLD_MT_OCI_MANIFEST;
        m.config.media_type = BLD_MT_OCI_CONFIG;
        m.layers = st->layers;
        m.n_layers = st->n_layers;
        char key[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&st->key, key);
        rc = bld_manifest_write(&m, &mj, &e);
        if (!rc)
            rc = bld_config_write(&st->cfg, &cj, &e);
        if (!rc)
            rc = bld_report_write_json(&rep, &rj, &e);
        if (!rc && buf_printf(&out, "S\n%s\n%s\n%zu\n", st->platform, key, mj.len))
            rc = err_set(&e, ERR_TOO_LARGE, "stage result too large");
        if (!rc && (buf_append(&out, mj.data, mj.len) || buf_printf(&out, "%zu\n", cj.len) ||
                    buf_append(&out, cj.data, cj.len) || buf_printf(&out, "%zu\n", rj.len) ||
                    buf_append(&out, rj.data, rj.len)))
            rc = err_set(&e, ERR_TOO_LARGE, "stage result too large");
    }
    if (rc) {
        out.len = 0;
        if (buf_append(&out, "E\n", 2) || buf_append(&out, &e, sizeof e) ||
            buf_append(&out, &res.run_status, sizeof res.run_status))
            wrc = -1;
    }
    struct err we;
    if (!wrc)
        wrc = file_write_atomic(file, out.data, out.len, 0600, &we);
    if (b->o->progress)
        fflush(b->o->progress);
    return rc || wrc ? 1 : 0;
}

/* Reads one length-prefixed field of a stage result. */
static const char *take(const char **p, const char *end, size_t *len)
{
    char *nl;
    errno = 0;
    unsigned long long n = strtoull(*p, &nl, 10);
    if (errno || nl == *p || nl >= end || *nl != '\n' || n > (size_t)(end - nl - 1))
        return NULL;
    *len = (size_t)n;
    const char *data = nl + 1;
    *p = data + n;
    return data;
}

/* Reads what the child that built stage i wrote (stage_child) into the
 * stage's state and rep; returns the child's error when it failed. */
static int stage_collect(struct build *b, uint32_t i, const char *file, int status,
                         struct bld_report *rep, struct err *err)
{
    struct buf t = BUF_INIT;
    int rc = file_read_all(file, (size_t)256 << 20, &t, err);
    if (rc && WIFSIGNALED(status))
        rc = err_set(err, ERR_INTERNAL, "the process building stage %u was killed by signal %d", i,
                     WTERMSIG(status));
    else if (rc)
        rc = err_set(err, ERR_INTERNAL, "the process building stage %u ended without a result", i);
    const char *p = buf_cstr(&t), *end = p + t.len;
    if (!rc && t.len == 2 + sizeof *err + sizeof(int) && p[0] == 'E') {
        memcpy(err, p + 2, sizeof *err);
        err->msg[ERR_MSG_MAX - 1] = '\0';
        err->path[ERR_PATH_MAX - 1] = '\0';
        memcpy(&b->res->run_status, p + 2 + sizeof *err, sizeof(int));
        rc = err->code ? err->code : ERR_INTERNAL;
    } else if (!rc &&
               (t.len < 2 || p[0] != 'S' || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        rc = err_set(err, ERR_INTERNAL, "the process building stage %u failed", i);
    } else if (!rc) {
        struct stage_state *st = &b->st[i];
        p += 2;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *nl2 = nl ? memchr(nl + 1, '\n', (size_t)(end - nl - 1)) : NULL;
        size_t ml = 0, cl = 0, rl = 0;
        const char *mj = NULL, *cj = NULL, *rj = NULL;
        if (nl2) {
            st->platform = arena_strndup(&b->a, p, (size_t)(nl - p));
            const char *key = arena_strndup(&b->a, nl + 1, (size_t)(nl2 - nl - 1));
            p = nl2 + 1;
            mj = take(&p, end, &ml);
            cj = mj ? take(&p, end, &cl) : NULL;
            rj = cj ? take(&p, end, &rl) : NULL;
            if (rj)
                rc = bld_digest_parse(key, &st->key, err);
        }
        struct bld_manifest m;
        if (!rj)
            rc = err_set(err, ERR_INTERNAL, "stage %u: its result is malformed", i);
        if (!rc)
            rc = bld_manifest_parse(mj, ml, "stage result", &b->a, &m, err);
        if (!rc)
            rc = bld_config_parse(cj, cl, "stage result", &b->a, &st->cfg, err);
        if (!rc)
            rc = bld_report_parse_json(rj, rl, "stage result", rep, err);
        if (!rc) {
            st->layers = m.layers;
            st->n_layers = m.n_layers;
            st->done = true;
        }
    }
    buf_release(&t);
    return rc;
}

/* Builds the stages the target needs, each in a child process of its
 * own, as many at once as their dependencies and the CPUs allow (at most
 * 4): the state of a finished stage comes back through a file, and the
 * report lists the steps stage by stage in file order whatever the order
 * they ran in. Forked children, never threads: the executor forks its
 * containers, which a multi-threaded process could not do safely. After
 * a failure no stage starts; those running finish; the first error is
 * returned. */
static int build_parallel(struct build *b, struct err *err)
{
    const struct df_model *md = &b->f->model;
    uint32_t ns = md->n_stages;
    bool *started = ARENA_NEW_ARRAY(&b->a, bool, ns + 1);
    bool *done = ARENA_NEW_ARRAY(&b->a, bool, ns + 1);
    pid_t *pids = ARENA_NEW_ARRAY(&b->a, pid_t, ns + 1);
    struct bld_report *reps = ARENA_NEW_ARRAY(&b->a, struct bld_report, ns + 1);
    for (uint32_t i = 0; i < ns; i++)
        bld_report_init(&reps[i]);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = ncpu < 2 ? 2 : ncpu > 4 ? 4 : (int)ncpu;
    const char *dir;
    int rc = make_tmp(b, "stages", &dir, err);
    if (rc)
        return rc;
    int running = 0;
    bool stop = false;
    for (;;) {
        int i;
        while (!stop && running < jobs && (i = next_ready(md, started, done)) >= 0) {
            started[i] = true;
            b->stage_no++;
            if (b->o->progress)
                fflush(b->o->progress);
            pid_t pid = fork();
            if (pid == 0)
                _exit(stage_child(b, (uint32_t)i, arena_printf(&b->a, "%s/%d", dir, i)));
            if (pid < 0) {
                rc = err_sys(err, NULL, "cannot fork to build stage %d", i);
                stop = true;
                break;
            }
            pids[i] = pid;
            running++;
        }
        if (!running)
            break;
        bool reaped = false;
        for (uint32_t k = 0; k < ns && !reaped; k++) {
            if (!pids[k])
                continue;
            int status;
            pid_t w = waitpid(pids[k], &status, WNOHANG);
            if (w == 0 || (w < 0 && errno == EINTR))
                continue;
            pids[k] = 0;
            running--;
            reaped = true;
            struct err e;
            err_clear(&e);
            int src = w < 0 ? err_sys(&e, NULL, "cannot wait for the stage builder")
                            : stage_collect(b, k, arena_printf(&b->a, "%s/%u", dir, k), status,
                                            &reps[k], &e);
            if (!src)
                done[k] = true;
            else if (!rc) {
                rc = src;
                *err = e;
                stop = true;
            }
        }
        if (!reaped) {
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    for (uint32_t i = 0; i < ns; i++) {
        for (size_t k = 0; k < reps[i].steps.len; k++) {
            const struct bld_report_step *s = &reps[i].steps.items[k];
            struct bld_report_step *added =
                bld_report_add_step(b->r, s->stage, s->line, s->instruction, s->cache, s->seconds);
            added->has_layer = s->has_layer;
            added->layer = s->layer;
        }
        bld_report_release(&reps[i]);
    }
    remove_tmp(dir);
    if (!rc && !done[md->target_stage])
        rc = err_set(err, ERR_INTERNAL, "%s: stage %d was not built", b->o->dockerfile,
                     md->target_stage);
    return rc;
}

/* ---- the image
 * ------------------------------------------------------------------------------------ */

static int write_image(struct build *b, struct stage_state *st, struct err *err)
{
    struct buf cj = BUF_INIT, mj = BUF_INIT;
    struct bld_manifest man;
    memset(&man, 0, sizeof man);
    int rc = bld_config_write(&st->cfg, &cj, err);
    if (rc)
        goto out;
    rc = bld_store_lock(b->s, err);
    if (rc)
        goto out;
    man.media_type = BLD_MT_OCI_MANIFEST;
    man.config.media_type = BLD_MT_OCI_CONFIG;
    man.config.size = (int64_t)cj.len;
    rc = bld_store_put_blob(b->s, cj.data, cj.len, &man.config.digest, err);
    if (!rc) {
        man.layers = st->layers;
        man.n_layers = st->n_layers;
        rc = bld_manifest_write(&man, &mj, err);
    }
    struct bld_descriptor desc;
    memset(&desc, 0, sizeof desc);
    desc.media_type = BLD_MT_OCI_MANIFEST;
    desc.size = (int64_t)mj.len;
    if (!rc)
        rc = bld_store_put_blob(b->s, mj.data, mj.len, &desc.digest, err);
    if (!rc && b->o->tag)
        rc = bld_store_ref_set(b->s, b->o->tag, &desc, err);
    bld_store_unlock(b->s);
    if (rc)
        goto out;
    b->res->has_image = true;
    b->res->manifest = desc.digest;
    b->res->manifest_size = desc.size;

    struct bld_analysis *an = bld_analysis_new();
    struct bld_image_analysis ia;
    rc = bld_analysis_add_image(an, b->s, &desc, err);
    if (!rc)
        rc = bld_analysis_finish(an, 10, &b->a, &ia, err);
    if (!rc)
        bld_report_set_image(b->r, &desc.digest, &ia, 10);
    bld_analysis_free(an);
out:
    buf_release(&cj);
    buf_release(&mj);
    return rc;
}

static int run_build(struct build *b, struct err *err)
{
    const struct bld_build_opts *o = b->o;
    struct df_build_opts dopts = { .target = o->target,
                                   .build_args = o->build_args,
                                   .platform = b->platform };
    b->f0 = b->f = df_file_new(o->dockerfile, o->text, o->len, &dopts, err);
    if (!b->f)
        return err->code ? err->code : ERR_INTERNAL;
    const struct df_model *md = &b->f->model;
    if (md->n_syntax_errors) {
        const struct df_syntax_error *se = &md->syntax_errors[0];
        uint32_t line, col;
        df_file_locate(b->f, se->span.start, &line, &col);
        err_set(err, ERR_SYNTAX, "%s", se->message);
        err->span = se->span;
        err_at(err, o->dockerfile, line, col);
        return ERR_SYNTAX;
    }
    if (md->n_stages == 0)
        return err_set(err, ERR_INVALID, "%s: the Dockerfile has no FROM instruction",
                       o->dockerfile);
    if (o->target) {
        bool found = false;
        for (uint32_t i = 0; i < md->n_stages && !found; i++)
            found = md->stages[i].name.ptr &&
                    str_eq_nocase(md->stages[i].name, str_from_cstr(o->target));
        if (!found)
            return err_set(err, ERR_USAGE, "target stage '%s' could not be found", o->target);
    }
    for (uint32_t i = 0; i < md->n_instrs; i++)
        if (md->instrs[i]->kind == DF_UNKNOWN) {
            const struct df_instr *in = md->instrs[i];
            err_set(err, ERR_INVALID, "unknown instruction: %.*s", (int)span_len(in->keyword),
                    b->f->src + in->keyword.start);
            return at_instr(b, in, ERR_INVALID, err);
        }

    /* SOURCE_DATE_EPOCH: the environment, else the build arg, else 0. */
    int rc = bld_source_date_epoch(&b->epoch, err);
    if (rc)
        return rc;
    if (!getenv("SOURCE_DATE_EPOCH") || !*getenv("SOURCE_DATE_EPOCH")) {
        for (const char *const *a = o->build_args; a && *a; a++)
            if (strncmp(*a, "SOURCE_DATE_EPOCH=", 18) == 0) {
                int64_t e;
                rc = bld_meta_parse_epoch(*a + 18, &e, err);
                if (rc)
                    return rc;
                b->epoch = e < 0 ? 0 : e;
            }
    }
    b->created = bld_meta_time(b->epoch, &b->a);

    b->plan = ARENA_NEW_ARRAY(&b->a, struct stage_plan, md->n_stages);
    rc = plan_stages(b, &dopts, err);
    if (rc)
        return rc;
    md = &b->f->model;
    b->st = ARENA_NEW_ARRAY(&b->a, struct stage_state, md->n_stages);
    b->n_planned = 0;
    for (uint32_t i = 0; i < md->n_stages; i++)
        if (md->stages[i].reaches_target)
            b->n_planned++;
    b->stage_no = 0;
    if (stages_overlap(b, md)) {
        rc = build_parallel(b, err);
        if (rc)
            return rc;
    } else {
        for (uint32_t i = 0; i < md->n_stages; i++) {
            const struct df_stage *stg = &md->stages[i];
            if (!stg->reaches_target)
                continue;
            b->stage_no++;
            rc = build_stage(b, stg, err);
            if (rc)
                return rc;
        }
    }
    struct stage_state *final = &b->st[md->target_stage];
    if (o->platform) {
        /* An explicit target platform names the image's, as BuildKit's
         * finalizeResultImage does. */
        bool same =
            final->cfg.os && final->cfg.architecture &&
            plat_matches(b, &b->target, final->cfg.os, final->cfg.architecture, final->cfg.variant);
        if (!same) {
            final->cfg.os = b->target.os;
            final->cfg.architecture = b->target.arch;
            final->cfg.variant = b->target.variant[0] ? b->target.variant : NULL;
        }
    }
    return write_image(b, final, err);
}

int bld_build(struct bld_store *s, const struct bld_build_opts *opts, struct bld_report *r,
              struct bld_build_result *res, struct err *err)
{
    struct build b;
    memset(&b, 0, sizeof b);
    memset(res, 0, sizeof *res);
    err_clear(err);
    b.s = s;
    b.o = opts;
    b.r = r;
    b.res = res;
    arena_init(&b.a);
    host_plat(&b, &b.host);
    b.target = b.host;
    int rc = 0;
    if (opts->platform && plat_parse(&b, opts->platform, &b.target, err))
        rc = err_set(err, ERR_USAGE, "invalid --platform '%s': expected os/arch[/variant]",
                     opts->platform);
    b.platform = b.target.name;
    if (!rc)
        rc = run_build(&b, err);
    if (b.f && b.f != b.f0)
        df_file_free(b.f);
    if (b.f0)
        df_file_free(b.f0);
    arena_release(&b.a);
    return rc;
}
