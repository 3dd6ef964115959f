/* dockwright image: the images of the local store (builder/store.h):
 * import from an OCI layout, an oci-archive or a docker-archive, list,
 * analyze (the layer analysis of builder/analysis.h, printed as a build
 * report), export, remove names, and pull from or push to a registry
 * (builder/registry.h).
 *
 * Exit codes: 0 done, 2 usage, I/O or store errors (a damaged image
 * included). */
#include "builder/analysis.h"
#include "builder/import.h"
#include "builder/oci.h"
#include "builder/registry.h"
#include "builder/report.h"
#include "builder/store.h"
#include "cli/cli.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/vec.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { O_CACHE_DIR, O_OUTPUT, O_NAME, O_FORMAT, O_PATHS, O_PLATFORM, O_INSECURE, N_OPTS };

static const struct cli_opt image_opts[] = {
    [O_CACHE_DIR] = { "cache-dir", 0, CLI_OPT_STRING, "DIR",
                      "the image store (default: $XDG_CACHE_HOME/dockwright, else "
                      "~/.cache/dockwright)" },
    [O_OUTPUT] = { "output", 'o', CLI_OPT_STRING, "KIND:DEST",
                   "export: oci:DIR, oci-archive:FILE or docker-archive:FILE" },
    [O_NAME] = { "name", 0, CLI_OPT_STRING, "NAME",
                 "export: the name of the image in the output (default: REF)" },
    [O_FORMAT] = { "format", 'f', CLI_OPT_STRING, "FORMAT",
                   "ls and analyze: table (default) or json" },
    [O_PATHS] = { "paths", 0, CLI_OPT_STRING, "N",
                  "analyze: how many wasted files to list (default 10)" },
    [O_PLATFORM] = { "platform", 0, CLI_OPT_STRING, "OS/ARCH[/VARIANT]",
                     "pull: the platform to take from a multi-platform image (default: the "
                     "host's)" },
    [O_INSECURE] = { "insecure-registry", 0, CLI_OPT_LIST, "HOST[:PORT]",
                     "pull and push: allow plain HTTP and unverified TLS for this registry "
                     "(local hosts always are)" },
};

static int cmd_image(int argc, char **argv);

const struct cli_cmd cli_cmd_image = {
    .name = "image",
    .run = cmd_image,
    .summary = "import, list, analyze, export, remove, pull and push images of the local store",
    .usage = "dockwright image import FILE|DIR [REF]\n"
             "       dockwright image ls [--format table|json]\n"
             "       dockwright image analyze REF [--format table|json] [--paths N]\n"
             "       dockwright image export REF --output oci:DIR|oci-archive:FILE|"
             "docker-archive:FILE [--name NAME]\n"
             "       dockwright image rm REF...\n"
             "       dockwright image pull REF [--platform OS/ARCH] [--insecure-registry HOST]\n"
             "       dockwright image push REF [DEST] [--insecure-registry HOST]",
    .details = "import reads an OCI image layout directory, an oci-archive or a docker-archive\n"
               "(`docker save`); without REF every named image in it is imported under its\n"
               "own name. analyze measures the layers of an image: per layer its size, files\n"
               "and the bytes a later layer deletes or overwrites, for the image its wasted\n"
               "bytes and efficiency, with dive's figures (docs/build-report.md). rm removes\n"
               "names only: 'dockwright cache prune' frees what no name reaches anymore.\n"
               "pull names the image by Docker's short form (alpine:latest); push sends REF\n"
               "to DEST (default: REF itself). Credentials come from $REGISTRY_AUTH_FILE,\n"
               "$DOCKER_CONFIG/config.json or ~/.docker/config.json; hosts listed in\n"
               "DOCKWRIGHT_INSECURE_REGISTRIES (comma-separated) are insecure too.",
    .opts = image_opts,
    .n_opts = N_OPTS,
};

static int fail(const struct err *e)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(e, msg, sizeof msg);
    cli_error("%s", msg);
    return CLI_EXIT_ERROR;
}

/* Opens the store of --cache-dir, else the default one. */
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

static int write_out(const struct buf *b)
{
    if (fwrite(buf_cstr(b), 1, b->len, stdout) != b->len || fflush(stdout)) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static const char *format_of(const struct cli_args *args, bool *json)
{
    const char *f = args->opts[O_FORMAT].value ? args->opts[O_FORMAT].value : "table";
    *json = strcmp(f, "json") == 0;
    return strcmp(f, "table") == 0 || *json ? NULL : f;
}

/* ---- import ----------------------------------------------------------- */

static int image_import(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional < 2 || args->n_positional > 3) {
        cli_error("'image import' takes FILE|DIR and an optional REF; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    const char *path = args->positional[1];
    const char *ref = args->n_positional == 3 ? args->positional[2] : NULL;
    struct arena a;
    arena_init(&a);
    struct bld_import_result res;
    struct err e;
    int status = CLI_EXIT_OK;
    if (bld_import(s, path, ref, &a, &res, &e) != 0) {
        status = fail(&e);
    } else {
        for (size_t i = 0; i < res.n_images; i++) {
            char d[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&res.images[i].desc.digest, d);
            printf("imported %s (%s) from %s '%s'\n", res.images[i].name, d,
                   bld_archive_kind_name(res.kind), path);
        }
    }
    arena_release(&a);
    return status;
}

/* ---- ls --------------------------------------------------------------- */

struct row {
    const char *name, *digest, *platform, *layers, *size;
    uint64_t n_layers, bytes;
    bool is_index;
};

static int cmp_row(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->digest, b->digest);
}

static const char *platform_of(struct arena *a, const struct bld_image_config *c)
{
    return arena_printf(a, "%s/%s%s%s", c->os ? c->os : "?",
                        c->architecture ? c->architecture : "?", c->variant ? "/" : "",
                        c->variant ? c->variant : "");
}

/* Fills the platform, layer count and compressed size of the image desc. */
static int describe(const struct bld_store *s, const struct bld_descriptor *desc, struct arena *a,
                    struct row *row, struct err *e)
{
    if (bld_media_type_is_index(desc->media_type)) {
        struct buf b = BUF_INIT;
        struct bld_index ix;
        int rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, e);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&b), b.len, "image index", a, &ix, e);
        buf_release(&b);
        size_t present = 0;
        for (size_t i = 0; !rc && i < ix.n_manifests; i++) {
            const struct bld_descriptor *m = &ix.manifests[i];
            if (!bld_media_type_is_manifest(m->media_type) || !bld_store_has_blob(s, &m->digest))
                continue;
            struct bld_manifest man;
            rc = bld_store_read_manifest(s, m, a, &man, e);
            for (size_t k = 0; !rc && k < man.n_layers; k++)
                row->bytes += man.layers[k].size > 0 ? (uint64_t)man.layers[k].size : 0;
            present++;
        }
        row->is_index = true;
        row->platform = arena_printf(a, "%zu platform%s", present, present == 1 ? "" : "s");
        return rc;
    }
    struct bld_manifest m;
    struct bld_image_config c;
    int rc = bld_analysis_resolve_image(s, desc, a, &m, &c, e);
    if (rc)
        return rc;
    row->platform = platform_of(a, &c);
    row->n_layers = m.n_layers;
    for (size_t k = 0; k < m.n_layers; k++)
        row->bytes += m.layers[k].size > 0 ? (uint64_t)m.layers[k].size : 0;
    return 0;
}

static int print_rows_table(const struct row *rows, size_t n)
{
    static const char *const head[] = { "REFERENCE", "DIGEST", "PLATFORM", "LAYERS", "COMPRESSED" };
    size_t w[5];
    for (int c = 0; c < 5; c++)
        w[c] = strlen(head[c]);
    for (size_t i = 0; i < n; i++) {
        const char *cells[] = { rows[i].name, rows[i].digest, rows[i].platform, rows[i].layers,
                                rows[i].size };
        for (int c = 0; c < 5; c++)
            w[c] = strlen(cells[c]) > w[c] ? strlen(cells[c]) : w[c];
    }
    struct buf out = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; !rc && i <= n; i++) {
        const char *const *cells =
            i == 0
                ? head
                : (const char *const[]){ rows[i - 1].name, rows[i - 1].digest, rows[i - 1].platform,
                                         rows[i - 1].layers, rows[i - 1].size };
        rc = buf_printf(&out, "%-*s  %-*s  %-*s  %*s  %*s\n", (int)w[0], cells[0], (int)w[1],
                        cells[1], (int)w[2], cells[2], (int)w[3], cells[3], (int)w[4], cells[4]);
    }
    int status = rc ? CLI_EXIT_ERROR : write_out(&out);
    buf_release(&out);
    return status;
}

static int print_rows_json(const struct row *rows, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:I}", "name", rows[i].name, "digest", rows[i].digest,
                      "platform", rows[i].platform, "compressed_size", (json_int_t)rows[i].bytes);
        if (!o) /* a name that is not UTF-8 */
            continue;
        json_object_set_new(o, "layers",
                            rows[i].is_index ? json_null()
                                             : json_integer((json_int_t)rows[i].n_layers));
        json_array_append_new(arr, o);
    }
    char *s = json_dumps(arr, JSON_INDENT(2));
    json_decref(arr);
    struct buf out = BUF_INIT;
    int status = CLI_EXIT_ERROR;
    if (s && !buf_append_cstr(&out, s) && !buf_append_char(&out, '\n'))
        status = write_out(&out);
    free(s);
    buf_release(&out);
    return status;
}

static int image_ls(const struct cli_args *args, struct bld_store *s)
{
    bool json;
    const char *bad = format_of(args, &json);
    if (bad) {
        cli_error("unknown format '%s' for 'image ls' (use table or json)", bad);
        return CLI_EXIT_ERROR;
    }
    if (args->n_positional != 1) {
        cli_error("'image ls' takes no arguments");
        return CLI_EXIT_ERROR;
    }
    struct arena a;
    arena_init(&a);
    struct bld_index ix;
    struct err e;
    if (bld_store_index(s, &a, &ix, &e) != 0) {
        arena_release(&a);
        return fail(&e);
    }
    struct row *rows = ARENA_NEW_ARRAY(&a, struct row, ix.n_manifests + 1);
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < ix.n_manifests; i++) {
        const struct bld_descriptor *d = &ix.manifests[i];
        struct row *r = &rows[i];
        const char *name = bld_descriptor_annotation(d, BLD_ANNOT_REF_NAME);
        r->name = name ? name : "<none>";
        char dg[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&d->digest, dg);
        r->digest = arena_printf(&a, "%.19s", dg);
        if (describe(s, d, &a, r, &e) != 0) {
            /* The other images are still listed; the damage is an error. */
            status = fail(&e);
            r->platform = "(damaged)";
        }
        char hs[BLD_HUMAN_SIZE_MAX];
        r->layers = r->is_index ? "-" : arena_printf(&a, "%llu", (unsigned long long)r->n_layers);
        r->size = arena_strdup(&a, bld_human_size(r->bytes, hs));
        if (json)
            r->digest = arena_strdup(&a, dg);
    }
    if (ix.n_manifests)
        qsort(rows, ix.n_manifests, sizeof *rows, cmp_row);
    int rc = json ? print_rows_json(rows, ix.n_manifests) : print_rows_table(rows, ix.n_manifests);
    arena_release(&a);
    return rc ? rc : status;
}

/* ---- analyze ---------------------------------------------------------- */

/* The created_by of a history entry, trimmed, without the shell prefix
 * Docker's classic builder gives metadata instructions. */
static const char *history_text(struct arena *a, const char *created_by)
{
    static const char nop[] = "/bin/sh -c #(nop)";
    if (!created_by)
        return "";
    while (*created_by == ' ')
        created_by++;
    if (strncmp(created_by, nop, sizeof nop - 1) == 0)
        created_by += sizeof nop - 1;
    while (*created_by == ' ')
        created_by++;
    size_t n = strlen(created_by);
    while (n > 0 && created_by[n - 1] == ' ')
        n--;
    return arena_strndup(a, created_by, n);
}

static int image_analyze(const struct cli_args *args, struct bld_store *s)
{
    bool json;
    const char *bad = format_of(args, &json);
    if (bad) {
        cli_error("unknown format '%s' for 'image analyze' (use table or json)", bad);
        return CLI_EXIT_ERROR;
    }
    if (args->n_positional != 2) {
        cli_error("'image analyze' takes exactly one REF; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    size_t max_paths = 10;
    if (args->opts[O_PATHS].value) {
        const char *v = args->opts[O_PATHS].value;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (!*v || *end || errno || v[0] == '-' || n > 100000) {
            cli_error("invalid --paths '%s': expected a number from 0 to 100000", v);
            return CLI_EXIT_ERROR;
        }
        max_paths = (size_t)n;
    }
    const char *ref = args->positional[1];
    struct arena a;
    arena_init(&a);
    struct err e;
    struct bld_descriptor desc;
    struct bld_manifest m;
    struct bld_image_config c;
    struct bld_analysis *an = bld_analysis_new();
    struct bld_report r;
    bld_report_init(&r);
    int status = CLI_EXIT_ERROR;
    struct bld_image_analysis res;
    if (bld_store_ref_get(s, ref, &a, &desc, &e) != 0) {
        fail(&e);
        goto done;
    }
    if (bld_analysis_resolve_image(s, &desc, &a, &m, &c, &e) != 0 ||
        bld_analysis_add_image(an, s, &desc, &e) != 0 ||
        bld_analysis_finish(an, max_paths, &a, &res, &e) != 0) {
        fail(&e);
        goto done;
    }
    /* One step per history entry; entries with a layer take the image's
     * layers in order, when they are as many as the layers. */
    size_t with_layer = 0;
    for (size_t i = 0; i < c.n_history; i++)
        with_layer += !c.history[i].empty_layer;
    if (with_layer == res.n_layers && c.n_history > 0) {
        size_t k = 0;
        for (size_t i = 0; i < c.n_history; i++) {
            struct bld_report_step *st = bld_report_add_step(
                &r, "", 0, history_text(&a, c.history[i].created_by), BLD_CACHE_HIT, 0);
            if (!c.history[i].empty_layer)
                bld_report_step_set_layer(st, &res.layers[k++]);
        }
    } else {
        for (size_t k = 0; k < res.n_layers; k++) {
            char text[32];
            snprintf(text, sizeof text, "layer %zu", k + 1);
            struct bld_report_step *st = bld_report_add_step(&r, "", 0, text, BLD_CACHE_HIT, 0);
            bld_report_step_set_layer(st, &res.layers[k]);
        }
    }
    /* The digest the name points to, a manifest or an index. */
    bld_report_set_image(&r, &desc.digest, &res, max_paths);
    struct buf out = BUF_INIT;
    struct bld_report_table_opts topts = { 0, max_paths, true };
    int rc =
        json ? bld_report_write_json(&r, &out, &e) : bld_report_write_table(&r, &topts, &out, &e);
    status = rc ? fail(&e) : write_out(&out);
    buf_release(&out);
done:
    bld_report_release(&r);
    bld_analysis_free(an);
    arena_release(&a);
    return status;
}

/* ---- export ----------------------------------------------------------- */

static int image_export(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional != 2) {
        cli_error("'image export' takes exactly one REF; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    const char *out = args->opts[O_OUTPUT].value;
    if (!out) {
        cli_error("'image export' needs --output oci:DIR, oci-archive:FILE or "
                  "docker-archive:FILE");
        return CLI_EXIT_ERROR;
    }
    static const struct {
        const char *prefix;
        enum bld_export_kind kind;
    } kinds[] = {
        { "oci:", BLD_EXPORT_OCI_DIR },
        { "oci-archive:", BLD_EXPORT_OCI_ARCHIVE },
        { "docker-archive:", BLD_EXPORT_DOCKER_ARCHIVE },
    };
    const char *dest = NULL;
    enum bld_export_kind kind = BLD_EXPORT_OCI_DIR;
    for (size_t i = 0; i < DW_ARRAY_LEN(kinds); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(out, kinds[i].prefix, n) == 0) {
            dest = out + n;
            kind = kinds[i].kind;
        }
    }
    if (!dest || !*dest) {
        cli_error("invalid --output '%s': expected oci:DIR, oci-archive:FILE or "
                  "docker-archive:FILE",
                  out);
        return CLI_EXIT_ERROR;
    }
    const char *ref = args->positional[1];
    struct err e;
    if (bld_export(s, ref, args->opts[O_NAME].value, kind, dest, &e) != 0)
        return fail(&e);
    printf("exported %s to %s\n", ref, out);
    return CLI_EXIT_OK;
}

/* ---- rm --------------------------------------------------------------- */

static int image_rm(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional < 2) {
        cli_error("'image rm' takes one or more REF; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    int status = CLI_EXIT_OK;
    for (int i = 1; i < args->n_positional; i++) {
        const char *ref = args->positional[i];
        struct err e;
        if (bld_store_ref_delete(s, ref, &e) != 0) {
            status = fail(&e);
            continue;
        }
        printf("removed %s\n", ref);
    }
    return status;
}

/* ---- pull and push ------------------------------------------------------ */

static int image_pull(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional != 2) {
        cli_error("'image pull' takes exactly one REF; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    const char *plat = args->opts[O_PLATFORM].value;
    if (plat) {
        const char *slash = strchr(plat, '/');
        if (!slash || slash == plat || !slash[1] || slash[1] == '/' ||
            plat[strlen(plat) - 1] == '/') {
            cli_error("invalid --platform '%s': expected OS/ARCH or OS/ARCH/VARIANT", plat);
            return CLI_EXIT_ERROR;
        }
    }
    struct bld_registry_opts o = {
        .insecure = args->opts[O_INSECURE].values,
        .platform = plat,
        .progress = stdout,
    };
    struct arena a;
    arena_init(&a);
    struct bld_pull_result res;
    struct err e;
    int status = CLI_EXIT_OK;
    if (bld_registry_pull(s, args->positional[1], &o, &a, &res, &e) != 0)
        status = fail(&e);
    arena_release(&a);
    if (fflush(stdout) && status == CLI_EXIT_OK) {
        cli_error("cannot write to standard output");
        status = CLI_EXIT_ERROR;
    }
    return status;
}

static int image_push(const struct cli_args *args, struct bld_store *s)
{
    if (args->n_positional != 2 && args->n_positional != 3) {
        cli_error("'image push' takes REF and an optional DEST; see 'dockwright help image'");
        return CLI_EXIT_ERROR;
    }
    struct bld_registry_opts o = {
        .insecure = args->opts[O_INSECURE].values,
        .progress = stdout,
    };
    struct bld_digest d;
    struct err e;
    int status = CLI_EXIT_OK;
    if (bld_registry_push(s, args->positional[1],
                          args->n_positional == 3 ? args->positional[2] : NULL, &o, &d, &e) != 0)
        status = fail(&e);
    if (fflush(stdout) && status == CLI_EXIT_OK) {
        cli_error("cannot write to standard output");
        status = CLI_EXIT_ERROR;
    }
    return status;
}

/* ---- dispatch --------------------------------------------------------- */

struct sub {
    const char *name;
    int (*run)(const struct cli_args *args, struct bld_store *s);
    unsigned opts; /* bit i: option i applies */
};

#define BIT(o) (1u << (o))

static const struct sub subs[] = {
    { "import", image_import, BIT(O_CACHE_DIR) },
    { "ls", image_ls, BIT(O_CACHE_DIR) | BIT(O_FORMAT) },
    { "analyze", image_analyze, BIT(O_CACHE_DIR) | BIT(O_FORMAT) | BIT(O_PATHS) },
    { "export", image_export, BIT(O_CACHE_DIR) | BIT(O_OUTPUT) | BIT(O_NAME) },
    { "rm", image_rm, BIT(O_CACHE_DIR) },
    { "pull", image_pull, BIT(O_CACHE_DIR) | BIT(O_PLATFORM) | BIT(O_INSECURE) },
    { "push", image_push, BIT(O_CACHE_DIR) | BIT(O_INSECURE) },
};

static int cmd_image(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_image, argc, argv, &args))
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    const struct sub *sub = NULL;
    if (args.n_positional == 0) {
        cli_error("'image' needs a subcommand: import, ls, analyze, export, rm, pull or push; "
                  "see 'dockwright help image'");
        goto done;
    }
    for (size_t i = 0; i < DW_ARRAY_LEN(subs); i++)
        if (strcmp(subs[i].name, args.positional[0]) == 0)
            sub = &subs[i];
    if (!sub) {
        cli_error("'%s' is not an 'image' subcommand (use import, ls, analyze, export, rm, pull "
                  "or push)",
                  args.positional[0]);
        goto done;
    }
    for (int o = 0; o < N_OPTS; o++) {
        if (args.opts[o].set && !(sub->opts & BIT(o))) {
            cli_error("option '--%s' does not apply to 'image %s'", image_opts[o].name, sub->name);
            goto done;
        }
    }
    struct bld_store s;
    if (open_store(&args, &s))
        goto done;
    status = sub->run(&args, &s);
    bld_store_close(&s);
done:
    cli_args_release(&args);
    return status;
}
