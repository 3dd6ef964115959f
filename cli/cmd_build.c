/* dockwright build: builds a Dockerfile into the local image store
 * (builder/build.h), prints progress and the build report, optionally
 * exports the image or pushes it to a registry. Base images the store
 * lacks are pulled first (builder/registry.h; --pull).
 *
 * Exit codes: 0 built, 2 usage, I/O, store or build errors (a failing RUN
 * included: its exit code is in the message). */
#include "analyzer/model.h"
#include "builder/build.h"
#include "builder/import.h"
#include "builder/registry.h"
#include "builder/report.h"
#include "builder/store.h"
#include "cli/cli.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    O_FILE,
    O_TAG,
    O_TARGET,
    O_PLATFORM,
    O_BUILD_ARG,
    O_CACHE_DIR,
    O_NO_CACHE,
    O_NETWORK,
    O_OUTPUT,
    O_REPORT,
    O_SECRET,
    O_QUIET,
    O_PULL,
    O_INSECURE,
    N_OPTS
};

static const struct cli_opt build_opts[] = {
    [O_FILE] = { "file", 'f', CLI_OPT_STRING, "FILE",
                 "the Dockerfile (default: CONTEXT/Dockerfile; - reads standard input)" },
    [O_TAG] = { "tag", 't', CLI_OPT_STRING, "REF", "name the image REF in the store" },
    [O_TARGET] = { "target", 0, CLI_OPT_STRING, "STAGE", "build this stage (default: the last)" },
    [O_PLATFORM] = { "platform", 0, CLI_OPT_STRING, "OS/ARCH[/VARIANT]",
                     "the target platform (default: the host's): TARGETPLATFORM, the base "
                     "image's manifest, the image's os and architecture" },
    [O_BUILD_ARG] = { "build-arg", 0, CLI_OPT_STRING, "K=V",
                      "set a build argument (repeatable; K alone takes $K)" },
    [O_CACHE_DIR] = { "cache-dir", 0, CLI_OPT_STRING, "DIR",
                      "the image store and build cache (default: $XDG_CACHE_HOME/dockwright, "
                      "else ~/.cache/dockwright)" },
    [O_NO_CACHE] = { "no-cache", 0, CLI_OPT_FLAG, NULL, "run every step, using no cached result" },
    [O_NETWORK] = { "network", 0, CLI_OPT_STRING, "MODE", "RUN's network: host (default) or none" },
    [O_OUTPUT] = { "output", 'o', CLI_OPT_STRING, "KIND:DEST",
                   "also write the image to oci:DIR, oci-archive:FILE, docker-archive:FILE or "
                   "registry:REF (a push)" },
    [O_REPORT] = { "report", 0, CLI_OPT_STRING, "FILE.json", "write the build report as JSON" },
    [O_SECRET] = { "secret", 0, CLI_OPT_STRING, "id=ID,src=FILE",
                   "a secret for RUN --mount=type=secret (repeatable)" },
    [O_QUIET] = { "quiet", 'q', CLI_OPT_FLAG, NULL,
                  "no progress lines (also when CI=true); RUN output still shows" },
    [O_PULL] = { "pull", 0, CLI_OPT_STRING, "POLICY",
                 "base images from a registry: missing (default: those the store lacks), "
                 "always or never" },
    [O_INSECURE] = { "insecure-registry", 0, CLI_OPT_LIST, "HOST[:PORT]",
                     "allow plain HTTP and unverified TLS for this registry" },
};

static int cmd_build(int argc, char **argv);

const struct cli_cmd cli_cmd_build = {
    .name = "build",
    .run = cmd_build,
    .summary = "build an image from a Dockerfile into the local store",
    .usage = "dockwright build [-f Dockerfile] [CONTEXT] [-t REF] [--target S] "
             "[--platform P] [--build-arg K=V]...\n"
             "       [--cache-dir DIR] [--no-cache] [--network host|none] "
             "[--output KIND:DEST] [--report FILE.json]",
    .details = "Base images come from the local store ('dockwright image import' or 'image\n"
               "pull'); those it lacks are pulled from their registry (--pull never: not).\n"
               "Each step prints '[stage i/n] STEP k/m: INSTRUCTION', then CACHED or\n"
               "DONE with its time; RUN output follows its step's prefix. The build report\n"
               "(per step cache, time and layer sizes; the image's wasted bytes) is printed\n"
               "as a table at the end. Images are reproducible: times come from\n"
               "SOURCE_DATE_EPOCH, else 0. A stage of another platform (--platform, FROM\n"
               "--platform) builds when the kernel can run its RUNs (natively or through\n"
               "binfmt_misc emulation); stages without RUN build for any platform.",
    .opts = build_opts,
    .n_opts = N_OPTS,
};

static volatile sig_atomic_t cancelled;

static void on_sigint(int sig)
{
    (void)sig;
    cancelled = 1;
}

static int fail(const struct err *e)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(e, msg, sizeof msg);
    cli_error("%s", msg);
    return CLI_EXIT_ERROR;
}

/* Sets *kind and *dest, or *push to the reference of "registry:REF". */
static int parse_output(const char *out, enum bld_export_kind *kind, const char **dest,
                        const char **push)
{
    if (strncmp(out, "registry:", 9) == 0 && out[9]) {
        *push = out + 9;
        return 0;
    }
    static const struct {
        const char *prefix;
        enum bld_export_kind kind;
    } kinds[] = {
        { "oci:", BLD_EXPORT_OCI_DIR },
        { "oci-archive:", BLD_EXPORT_OCI_ARCHIVE },
        { "docker-archive:", BLD_EXPORT_DOCKER_ARCHIVE },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(out, kinds[i].prefix, n) == 0 && out[n]) {
            *kind = kinds[i].kind;
            *dest = out + n;
            return 0;
        }
    }
    cli_error("invalid --output '%s': expected oci:DIR, oci-archive:FILE, "
              "docker-archive:FILE or registry:REF",
              out);
    return CLI_EXIT_ERROR;
}

/* Makes sure the store has the image ref (as FROM or COPY --from wrote
 * it) by the policy: under its name as written when the store has it by
 * its familiar form only ("docker.io/library/x:1" and "x:1"), else pulled
 * and named both ways. */
static int ensure_image(struct bld_store *s, const char *ref, enum bld_pull_policy pull,
                        const struct bld_registry_opts *ro, struct arena *a, struct err *e)
{
    struct bld_descriptor d;
    struct bld_ref r;
    struct err pe;
    bool parsed = bld_ref_parse(ref, a, &r, &pe) == 0;
    if (pull != BLD_PULL_ALWAYS) {
        if (bld_store_ref_get(s, ref, a, &d, e) == 0)
            return 0;
        if (!parsed)
            return 0; /* the build reports the bad reference */
        const char *fam = bld_ref_familiar(&r, a);
        if (bld_store_ref_get(s, fam, a, &d, e) == 0) {
            size_t n = strlen(ref);
            bool same = strcmp(fam, ref) == 0 ||
                        (strncmp(fam, ref, n) == 0 && strcmp(fam + n, ":latest") == 0);
            return same ? 0 : bld_store_ref_set(s, ref, &d, e);
        }
        if (pull == BLD_PULL_NEVER)
            return 0;
    }
    if (!parsed)
        return 0;
    struct bld_pull_result res;
    int rc = bld_registry_pull(s, ref, ro, a, &res, e);
    /* "x" needs no alias: the build looks "x:latest" up too. */
    size_t n = strlen(ref);
    if (!rc && strcmp(res.name, ref) != 0 &&
        !(strncmp(res.name, ref, n) == 0 && strcmp(res.name + n, ":latest") == 0))
        rc = bld_store_ref_set(s, ref, &res.desc, e);
    return rc;
}

/* The platform a stage's images are pulled for: its FROM --platform when
 * literal ($BUILDPLATFORM: the host's, NULL), else the build's. */
static const char *stage_platform(const struct df_stage *st, const char *build_platform,
                                  struct arena *a)
{
    const struct df_flag *fl = st->from ? df_instr_flag(st->from, "platform") : NULL;
    if (!fl || !fl->value.raw.ptr || fl->value.raw.len == 0)
        return build_platform;
    struct str v = fl->value.raw;
    if (memchr(v.ptr, '$', v.len))
        return str_eq_cstr(v, "$BUILDPLATFORM") || str_eq_cstr(v, "${BUILDPLATFORM}")
                   ? NULL
                   : build_platform;
    return arena_strndup(a, v.ptr, v.len);
}

/* Pulls the base images (FROM) and COPY --from / RUN --mount from= images
 * of the stages the target needs, before the build: an image missing
 * from the store is an error at its instruction. */
static int pull_bases(struct bld_store *s, const char *file, const struct buf *text,
                      const char *target, const char *const *bargs, enum bld_pull_policy pull,
                      const struct bld_registry_opts *ro, struct err *e)
{
    struct df_build_opts dopts = { .target = target, .build_args = bargs };
    struct df_file *f = df_file_new(file, buf_cstr(text), text->len, &dopts, e);
    if (!f || f->model.n_syntax_errors) {
        df_file_free(f);
        return 0; /* the build reports it, before any download */
    }
    struct arena a;
    arena_init(&a);
    int rc = 0;
    const struct df_model *m = &f->model;
    for (uint32_t i = 0; !rc && i < m->n_stages + m->n_edges; i++) {
        const struct df_instr *in;
        const char *ref;
        struct bld_registry_opts so = *ro;
        if (i < m->n_stages) {
            const struct df_stage *st = &m->stages[i];
            so.platform = stage_platform(st, ro->platform, &a);
            in = st->from;
            if (!st->reaches_target || st->base_stage >= 0 || !in || !in->image.valid ||
                in->image.is_scratch)
                continue;
            ref = arena_strndup(&a, in->image.expanded.ptr, in->image.expanded.len);
        } else {
            const struct df_stage_edge *ed = &m->edges[i - m->n_stages];
            in = ed->instr;
            so.platform = stage_platform(&m->stages[ed->from_stage], ro->platform, &a);
            if (ed->to_stage >= 0 || !m->stages[ed->from_stage].reaches_target ||
                !ed->ref.raw.ptr || memchr(ed->ref.raw.ptr, '$', ed->ref.raw.len))
                continue;
            ref = arena_strndup(&a, ed->ref.raw.ptr, ed->ref.raw.len);
        }
        rc = ensure_image(s, ref, pull, &so, &a, e);
        if (rc) {
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", e->msg);
            uint32_t line, col;
            df_file_locate(f, in->span.start, &line, &col);
            err_clear(e);
            rc =
                err_set(e, rc, "image '%s' is not in the store and cannot be pulled: %s", ref, msg);
            err_at(e, file, line, col);
        }
    }
    arena_release(&a);
    df_file_free(f);
    return rc;
}

/* Every value of the option name ("--name V" or "--name=V"), heap copies,
 * NULL-terminated (free_args releases them). For --build-arg, "K" alone
 * takes the environment's value and is left out when K is unset, as docker
 * does. Values are not split at commas (the option table's lists would). */
static const char **collect_values(int argc, char **argv, const char *name)
{
    const char **v = xcalloc((size_t)argc + 1, sizeof *v);
    size_t nl = strlen(name);
    bool build_arg = strcmp(name, "--build-arg") == 0;
    int k = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        const char *val = NULL;
        if (strcmp(argv[i], name) == 0 && i + 1 < argc)
            val = argv[++i];
        else if (strncmp(argv[i], name, nl) == 0 && argv[i][nl] == '=')
            val = argv[i] + nl + 1;
        if (!val)
            continue;
        if (!build_arg || strchr(val, '=')) {
            v[k++] = xstrdup(val);
            continue;
        }
        const char *env = getenv(val);
        if (!env)
            continue;
        size_t n = strlen(val) + strlen(env) + 2;
        char *kv = xmalloc(n);
        snprintf(kv, n, "%s=%s", val, env);
        v[k++] = kv;
    }
    return v;
}

/* Parses the --secret values ("id=ID,src=FILE"; source= and type=file are
 * accepted too) into secrets, which points into the values. */
static int parse_secrets(const char **vals, struct bld_build_secret *secrets)
{
    size_t n = 0;
    for (size_t i = 0; vals[i]; i++) {
        char *s = (char *)vals[i];
        const char *id = NULL, *src = NULL;
        for (char *part = s; part && *part;) {
            char *comma = strchr(part, ',');
            if (comma)
                *comma = '\0';
            if (strncmp(part, "id=", 3) == 0)
                id = part + 3;
            else if (strncmp(part, "src=", 4) == 0)
                src = part + 4;
            else if (strncmp(part, "source=", 7) == 0)
                src = part + 7;
            else if (strcmp(part, "type=file") != 0) {
                cli_error("invalid --secret option '%s': expected id=ID,src=FILE", part);
                return CLI_EXIT_ERROR;
            }
            part = comma ? comma + 1 : NULL;
        }
        if (!id || !*id) {
            cli_error("--secret needs an id: id=ID,src=FILE");
            return CLI_EXIT_ERROR;
        }
        if (!src || !*src) {
            cli_error("--secret id=%s needs a source file: src=FILE", id);
            return CLI_EXIT_ERROR;
        }
        secrets[n++] = (struct bld_build_secret){ id, src };
    }
    secrets[n] = (struct bld_build_secret){ NULL, NULL };
    return 0;
}

static void free_args(const char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free((void *)v[i]);
    free(v);
}

static int cmd_build(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_build, argc, argv, &args) != 0)
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    struct buf text = BUF_INIT, root = BUF_INIT, rep = BUF_INIT;
    const char **bargs = NULL, **svals = NULL;
    struct bld_build_secret *secrets = NULL;
    struct bld_store store;
    bool store_open = false;
    struct bld_report report;
    bld_report_init(&report);
    struct err e;

    if (args.n_positional > 1) {
        cli_error("'build' takes at most one CONTEXT; see 'dockwright help build'");
        goto out;
    }
    const char *context = args.n_positional ? args.positional[0] : ".";
    struct stat sb;
    if (stat(context, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_error("build context '%s' is not a directory", context);
        goto out;
    }
    const char *file = args.opts[O_FILE].value;
    struct buf dfpath = BUF_INIT;
    if (!file) {
        if (buf_printf(&dfpath, "%s/Dockerfile", context)) {
            cli_error("path too long");
            goto out;
        }
        file = buf_cstr(&dfpath);
    }
    int rc = strcmp(file, "-") == 0 ? file_read_stream(stdin, "-", (size_t)64 << 20, &text, &e)
                                    : file_read_all(file, (size_t)64 << 20, &text, &e);
    if (rc) {
        buf_release(&dfpath);
        status = fail(&e);
        goto out;
    }
    const char *file_name = file;

    enum bld_net net = BLD_NET_HOST;
    const char *network = args.opts[O_NETWORK].value;
    if (network) {
        if (strcmp(network, "none") == 0)
            net = BLD_NET_NONE;
        else if (strcmp(network, "host") != 0 && strcmp(network, "default") != 0) {
            cli_error("invalid --network '%s': expected host or none", network);
            buf_release(&dfpath);
            goto out;
        }
    }
    enum bld_export_kind kind = BLD_EXPORT_OCI_DIR;
    const char *dest = NULL, *push = NULL;
    if (args.opts[O_OUTPUT].value && parse_output(args.opts[O_OUTPUT].value, &kind, &dest, &push)) {
        buf_release(&dfpath);
        goto out;
    }
    enum bld_pull_policy pull = BLD_PULL_MISSING;
    const char *pv = args.opts[O_PULL].value;
    if (pv) {
        if (strcmp(pv, "always") == 0)
            pull = BLD_PULL_ALWAYS;
        else if (strcmp(pv, "never") == 0)
            pull = BLD_PULL_NEVER;
        else if (strcmp(pv, "missing") != 0) {
            cli_error("invalid --pull '%s': expected missing, always or never", pv);
            buf_release(&dfpath);
            goto out;
        }
    }
    if (push) {
        struct arena pa;
        arena_init(&pa);
        struct bld_ref pr;
        int prc = bld_ref_parse(push, &pa, &pr, &e);
        arena_release(&pa);
        if (prc) {
            buf_release(&dfpath);
            status = fail(&e);
            goto out;
        }
    }
    struct bld_registry_opts ropts = { .insecure = args.opts[O_INSECURE].values };
    bargs = collect_values(argc, argv, "--build-arg");
    svals = collect_values(argc, argv, "--secret");
    size_t n_secrets = 0;
    while (svals[n_secrets])
        n_secrets++;
    secrets = xcalloc(n_secrets + 1, sizeof *secrets);
    if (parse_secrets(svals, secrets)) {
        buf_release(&dfpath);
        goto out;
    }

    const char *dir = args.opts[O_CACHE_DIR].value;
    if (!dir) {
        if (bld_store_default_root(&root, &e)) {
            buf_release(&dfpath);
            status = fail(&e);
            goto out;
        }
        dir = buf_cstr(&root);
    }
    if (bld_store_open(&store, dir, &e)) {
        buf_release(&dfpath);
        status = fail(&e);
        goto out;
    }
    store_open = true;

    const char *ci = getenv("CI");
    bool quiet = args.opts[O_QUIET].set || (ci && strcmp(ci, "true") == 0);
    const char *tag = args.opts[O_TAG].value;
    /* An export needs a name in the store; without -t a temporary one. */
    const char *tmp_tag = NULL;
    struct buf tmpname = BUF_INIT;
    if (!tag && (dest || push)) {
        if (buf_printf(&tmpname, "dockwright-build-%ld:latest", (long)getpid())) {
            buf_release(&dfpath);
            goto out;
        }
        tmp_tag = buf_cstr(&tmpname);
    }
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old);
    struct bld_build_opts bo = {
        .dockerfile = file_name,
        .text = buf_cstr(&text),
        .len = text.len,
        .context = context,
        .target = args.opts[O_TARGET].value,
        .platform = args.opts[O_PLATFORM].value,
        .build_args = bargs,
        .tag = tag ? tag : tmp_tag,
        .no_cache = args.opts[O_NO_CACHE].set,
        .net = net,
        .progress = stdout,
        .quiet = quiet,
        .secrets = secrets,
        .cancel = &cancelled,
    };
    struct bld_build_result res;
    ropts.progress = quiet ? NULL : stdout;
    ropts.platform = args.opts[O_PLATFORM].value;
    rc = pull_bases(&store, file_name, &text, bo.target, bargs, pull, &ropts, &e);
    if (!rc)
        rc = bld_build(&store, &bo, &report, &res, &e);
    sigaction(SIGINT, &old, NULL);
    buf_release(&dfpath);
    if (rc) {
        status = fail(&e);
        if (tmp_tag && bld_store_ref_delete(&store, tmp_tag, &e)) {
            /* never named */
        }
        buf_release(&tmpname);
        goto out;
    }
    status = CLI_EXIT_OK;
    if (dest) {
        if (bld_export(&store, tag ? tag : tmp_tag, tag ? NULL : "dockwright-build:latest", kind,
                       dest, &e))
            status = fail(&e);
    }
    if (push && status == CLI_EXIT_OK) {
        struct bld_digest pd;
        if (bld_registry_push(&store, tag ? tag : tmp_tag, push, &ropts, &pd, &e))
            status = fail(&e);
    }
    if (tmp_tag && (dest || push) && bld_store_ref_delete(&store, tmp_tag, &e)) {
        /* already gone */
    }
    buf_release(&tmpname);
    if (status == CLI_EXIT_OK && args.opts[O_REPORT].value &&
        bld_report_save(&report, args.opts[O_REPORT].value, &e))
        status = fail(&e);
    if (status == CLI_EXIT_OK) {
        struct bld_report_table_opts to = { .instruction_width = 48, .max_paths = 5 };
        if (bld_report_write_table(&report, &to, &rep, &e)) {
            status = fail(&e);
        } else {
            char d[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&res.manifest, d);
            fwrite(buf_cstr(&rep), 1, rep.len, stdout);
            printf("built %s%s%s\n", d, tag ? " as " : "", tag ? tag : "");
            if (fflush(stdout)) {
                cli_error("cannot write to standard output");
                status = CLI_EXIT_ERROR;
            }
        }
    }
out:
    if (store_open)
        bld_store_close(&store);
    bld_report_release(&report);
    free_args(bargs);
    free_args(svals);
    free(secrets);
    buf_release(&text);
    buf_release(&root);
    buf_release(&rep);
    cli_args_release(&args);
    return status;
}
