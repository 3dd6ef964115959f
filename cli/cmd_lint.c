/* dockwright lint: finds the Dockerfiles, loads the configuration that
 * applies to each, runs the rule engine (and the fix engine for --fix and
 * --diff) on parallel threads, and prints one report in path order.
 *
 * Exit codes: 0 nothing at or above the failure threshold, 1 findings at
 * or above it (--diff: something would change), 2 usage, configuration or
 * I/O errors. Files are independent: a file that cannot be read is
 * reported on stderr and the others are still linted (exit 2). */
#include "analyzer/config.h"
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "cli/cli.h"
#include "cli/discover.h"
#include "cli/output.h"
#include "cli/version.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "rules/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest Dockerfile read (the model refuses more anyway). */
#define LINT_MAX_FILE ((size_t)64 * 1024 * 1024)
#define LINT_MAX_JOBS 256

enum {
    O_FIX,
    O_UNSAFE_FIXES,
    O_DIFF,
    O_FORMAT,
    O_SELECT,
    O_IGNORE,
    O_THRESHOLD,
    O_CONFIG,
    O_CONTEXT,
    O_JOBS,
    O_STDIN_FILENAME,
    O_NO_COLOR,
    O_PREVIEW,
    O_NO_INLINE_IGNORES,
    O_RULE_SET,
};

static const struct cli_opt lint_opts[] = {
    [O_FIX] = { "fix", 0, CLI_OPT_FLAG, NULL,
                "apply safe fixes to the files, then report what is left" },
    [O_UNSAFE_FIXES] = { "unsafe-fixes", 0, CLI_OPT_FLAG, NULL,
                         "with --fix or --diff, apply unsafe fixes too" },
    [O_DIFF] = { "diff", 0, CLI_OPT_FLAG, NULL,
                 "print a unified diff of what --fix would change; write nothing" },
    [O_FORMAT] = { "format", 'f', CLI_OPT_STRING, "FORMAT",
                   "tty (default), json, sarif, github, gitlab, checkstyle or gnu" },
    [O_SELECT] = { "select", 0, CLI_OPT_LIST, "RULE,...",
                   "also enable rules: ids, names, peer names, prefixes (DW3), ALL" },
    [O_IGNORE] = { "ignore", 0, CLI_OPT_LIST, "RULE,...",
                   "disable rules; the more specific name wins (--ignore ALL --select DW301)" },
    [O_THRESHOLD] = { "failure-threshold", 0, CLI_OPT_STRING, "LEVEL",
                      "lowest severity that fails: error, warning (default), info, style, none" },
    [O_CONFIG] = { "config", 'c', CLI_OPT_STRING, "FILE",
                   "read this config instead of the .dockwright.yaml found upwards" },
    [O_CONTEXT] = { "context", 0, CLI_OPT_STRING, "DIR",
                    "build context for context rules and .dockerignore fixes" },
    [O_JOBS] = { "jobs", 'j', CLI_OPT_STRING, "N",
                 "lint N files in parallel (default: the number of processors)" },
    [O_STDIN_FILENAME] = { "stdin-filename", 0, CLI_OPT_STRING, "NAME",
                           "name of the Dockerfile read from '-' (config lookup, context)" },
    [O_NO_COLOR] = { "no-color", 0, CLI_OPT_FLAG, NULL, "no colours (also: NO_COLOR=1)" },
    [O_PREVIEW] = { "preview", 0, CLI_OPT_FLAG, NULL, "enable preview rules" },
    [O_NO_INLINE_IGNORES] = { "no-inline-ignores", 0, CLI_OPT_FLAG, NULL,
                              "disregard ignore pragmas in the files" },
    [O_RULE_SET] = { "rule-set", 0, CLI_OPT_STRING, "N",
                     "use the defaults of rule set N (pins which rules are on)" },
};

static int cmd_lint(int argc, char **argv);

const struct cli_cmd cli_cmd_lint = {
    .name = "lint",
    .run = cmd_lint,
    .summary = "check Dockerfiles, and fix them with --fix",
    .usage = "dockwright lint [options] [PATH|-]...",
    .details = "A folder is searched for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*,\n"
               "*.containerfile (and lower-case forms), skipping .git, node_modules, vendor,\n"
               ".venv and the like and what the config's `exclude` globs match; no PATH\n"
               "searches the current folder. '-' reads standard input (--stdin-filename names\n"
               "it); with --fix the fixed text goes to standard output and the report to\n"
               "standard error. Each file uses the .dockwright.yaml (or .hadolint.yaml) found\n"
               "upwards from it, unless --config is given.\n"
               "\n"
               "Exit status: 0 nothing at or above the failure threshold, 1 findings at or\n"
               "above it (with --diff: something would change), 2 usage, configuration or\n"
               "I/O errors.",
    .opts = lint_opts,
    .n_opts = (int)(sizeof lint_opts / sizeof lint_opts[0]),
};

/* ----------------------------------------------------------- configurations */

/* One loaded configuration and the engine built from it. */
struct lint_cfg {
    char *key;       /* the config file's path, "" for none */
    struct cfg *cfg; /* owned */
    struct eng *eng; /* owned */
};

struct lint {
    struct cli_args args;
    struct cfg_cli cli;
    struct cfg_rule_ref *refs;
    bool single_config; /* --config or DOCKWRIGHT_CONFIG: one config for every file */
    bool fix, diff;
    enum eng_fix_mode mode;
    const char *context; /* --context as given */
    const char *stdin_name;
    struct lint_cfg *cfgs;
    size_t n_cfgs;
    struct cli_paths failed_keys; /* configurations that failed to load (reported once) */
    /* Directory -> index in cfgs, so each folder is looked up once. */
    char **dir_keys;
    long *dir_vals; /* -1: its configuration failed (reported once) */
    size_t n_dirs;
    struct out_options out;
    bool report_to_stderr; /* stdin with --fix: stdout holds the fixed text */
    bool error;
};

/* A failing step prints its message (with file:line:col when there is
 * one) and turns the run into exit 2. */
static void report_err(const struct err *e)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(e, msg, sizeof msg);
    cli_error("%s", msg);
}

static void print_cfg_warnings(const struct cfg *c)
{
    for (size_t i = 0; i < c->n_warnings; i++) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX + 64];
        cfg_warning_format(&c->warnings[i], msg, sizeof msg);
        cli_error("warning: %s", msg);
    }
}

/* Loads the configuration that applies to files in dir (NULL: the current
 * folder), builds its engine (with ctx as the build context when not NULL,
 * else --context), and returns its index in l->cfgs, or -1 after printing
 * the error. */
static long load_config(struct lint *l, const char *dir, const char *key, const char *ctx)
{
    for (size_t i = 0; i < l->n_cfgs; i++)
        if (strcmp(l->cfgs[i].key, key) == 0)
            return (long)i;
    for (size_t i = 0; i < l->failed_keys.len; i++)
        if (strcmp(l->failed_keys.items[i], key) == 0)
            return -1;
    struct err e;
    err_clear(&e);
    struct cfg *c = NULL;
    if (cfg_load(dir, &l->cli, l->refs, rule_registry_len, &c, &e)) {
        report_err(&e);
        cli_paths_push(&l->failed_keys, key);
        return -1;
    }
    /* A variant with another context repeats a configuration whose
     * warnings were printed already. */
    if (!ctx)
        print_cfg_warnings(c);
    struct eng_options eo = {
        .cfg = c,
        .preview = l->args.opts[O_PREVIEW].set,
        .no_inline_ignores = l->args.opts[O_NO_INLINE_IGNORES].set,
        .context_dir = ctx ? ctx : l->context,
    };
    struct eng *eng = eng_new(rule_registry, rule_registry_len, &eo, &e);
    if (!eng) {
        report_err(&e);
        cfg_free(c);
        cli_paths_push(&l->failed_keys, key);
        return -1;
    }
    uint32_t nw = 0;
    const char *const *w = eng_warnings(eng, &nw);
    for (uint32_t i = 0; i < nw && !ctx; i++)
        cli_error("warning: %s", w[i]);
    l->cfgs = xreallocarray(l->cfgs, l->n_cfgs + 1, sizeof *l->cfgs);
    l->cfgs[l->n_cfgs] = (struct lint_cfg){ xstrdup(key), c, eng };
    return (long)l->n_cfgs++;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* The configuration for files in dir: the one cfg_find picks there. */
static long config_for_dir(struct lint *l, const char *dir)
{
    if (l->single_config)
        return 0;
    for (size_t i = 0; i < l->n_dirs; i++)
        if (strcmp(l->dir_keys[i], dir) == 0)
            return l->dir_vals[i];
    struct arena a;
    arena_init(&a);
    struct cfg_found found = { 0 };
    struct err e;
    err_clear(&e);
    long idx;
    if (cfg_find(&a, dir, &found, &e)) {
        report_err(&e);
        idx = -1;
    } else {
        idx = load_config(l, dir, found.path ? found.path : "", NULL);
    }
    arena_release(&a);
    l->dir_keys = xreallocarray(l->dir_keys, l->n_dirs + 1, sizeof *l->dir_keys);
    l->dir_vals = xreallocarray(l->dir_vals, l->n_dirs + 1, sizeof *l->dir_vals);
    l->dir_keys[l->n_dirs] = xstrdup(dir);
    l->dir_vals[l->n_dirs++] = idx;
    return idx;
}

/* ------------------------------------------------------------------- jobs */

struct job {
    const char *path; /* as printed */
    bool is_stdin;
    long cfg;          /* index in lint.cfgs */
    char *context_dir; /* where other files a fix edits live (heap) */
    /* results */
    struct out_chunk chunk;
    struct out_totals totals;
    struct buf diff;
    struct buf fixed_text; /* stdin with --fix: the text for stdout */
    struct cli_paths messages;
    bool error, failed, changed;
};

static void job_msg(struct job *j, const char *prefix, const char *msg)
{
    struct buf b = BUF_INIT;
    if (buf_printf(&b, "%s%s", prefix, msg) == 0)
        cli_paths_push(&j->messages, buf_cstr(&b));
    buf_release(&b);
}

static void job_err(struct job *j, const struct err *e)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(e, msg, sizeof msg);
    job_msg(j, "", msg);
    j->error = true;
}

/* The instruction each finding belongs to: what fingerprints hash. */
static struct span *anchors_of(const struct df_file *f, const struct eng_finding *x, uint32_t n)
{
    if (!n)
        return NULL;
    struct span *a = xcalloc(n, sizeof *a);
    const struct df_model *m = &f->model;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = x[i].span.start, lo = 0, hi = m->n_instrs;
        while (lo < hi) { /* first instruction ending after `at` */
            uint32_t mid = lo + (hi - lo) / 2;
            if (m->instrs[mid]->span.end <= at)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < m->n_instrs && m->instrs[lo]->span.start <= at)
            a[i] = m->instrs[lo]->span;
    }
    return a;
}

static bool fails(const struct cfg *c, const struct eng_finding *x, uint32_t n)
{
    if (c->failure_threshold == CFG_FAIL_NONE)
        return false;
    /* error -> SEV_ERROR (3), warning -> 2, info -> 1, style -> 0 */
    int lowest = SEV_ERROR - (int)c->failure_threshold;
    for (uint32_t i = 0; i < n; i++)
        if ((int)x[i].severity >= lowest)
            return true;
    return false;
}

static int join_path(const char *dir, const char *rel, struct buf *b)
{
    if (strcmp(dir, ".") == 0)
        return buf_append_cstr(b, rel);
    size_t n = strlen(dir);
    return buf_append_cstr(b, dir) || (n && dir[n - 1] != '/' && buf_append_char(b, '/')) ||
                   buf_append_cstr(b, rel)
               ? ERR_TOO_LARGE
               : 0;
}

/* The file --fix writes for path: a symbolic link's target, so the link
 * stays a link. Heap. */
static char *write_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real)
            return real;
    }
    return xstrdup(path);
}

/* Writes (or diffs) the other files a fix changed, such as the context's
 * .dockerignore. Returns false when a write failed. */
static bool apply_others(const struct lint *l, struct job *j, const struct eng_fixed *fx)
{
    bool ok = true;
    for (uint32_t k = 0; k < fx->n_files; k++) {
        const struct eng_fixed_file *ff = &fx->files[k];
        if (!ff->path)
            continue;
        struct buf other = BUF_INIT;
        if (join_path(j->context_dir, ff->path, &other)) {
            buf_release(&other);
            ok = false;
            continue;
        }
        struct err e;
        err_clear(&e);
        if (l->diff) {
            struct buf cur = BUF_INIT;
            if (!ff->created && file_read_all(buf_cstr(&other), LINT_MAX_FILE, &cur, &e))
                job_err(j, &e);
            else if (out_unified_diff(ff->created ? "/dev/null" : buf_cstr(&other),
                                      buf_cstr(&other), buf_cstr(&cur), cur.len, ff->text.ptr,
                                      ff->text.len, &j->diff))
                job_msg(j, "", "the diff is too large to print");
            buf_release(&cur);
        } else if (j->is_stdin) {
            struct buf m = BUF_INIT;
            if (buf_printf(&m, "warning: %s: not writing '%s' for standard input", j->path,
                           buf_cstr(&other)) == 0)
                job_msg(j, "", buf_cstr(&m));
            buf_release(&m);
        } else if (file_write_atomic(buf_cstr(&other), ff->text.ptr, ff->text.len, 0644, &e)) {
            job_err(j, &e);
            ok = false;
        }
        buf_release(&other);
    }
    return ok;
}

/* Writes (or diffs) what a fix made of the files: the other files first,
 * then the Dockerfile only if they were written, so a failure never leaves
 * a Dockerfile that relies on a .dockerignore line that is not there.
 * Returns whether the fixed Dockerfile is now what is on disk (or on
 * standard output, or only shown as a diff). */
static bool apply_changes(const struct lint *l, struct job *j, const struct df_file *orig,
                          const struct eng_fixed *fx)
{
    if (!apply_others(l, j, fx))
        return false;
    for (uint32_t k = 0; k < fx->n_files; k++) {
        const struct eng_fixed_file *ff = &fx->files[k];
        if (ff->path)
            continue;
        if (l->diff) {
            if (out_unified_diff(j->path, j->path, orig->src, orig->len, ff->text.ptr, ff->text.len,
                                 &j->diff))
                job_msg(j, "", "the diff is too large to print");
        } else if (j->is_stdin) {
            buf_truncate(&j->fixed_text, 0);
            if (buf_append(&j->fixed_text, ff->text.ptr, ff->text.len)) {
                job_msg(j, "", "the fixed text is too large to print");
                return false;
            }
        } else {
            char *target = write_target(j->path);
            struct err e;
            err_clear(&e);
            int rc = file_write_atomic(target, ff->text.ptr, ff->text.len, 0644, &e);
            free(target);
            if (rc) {
                job_err(j, &e);
                return false;
            }
        }
    }
    return true;
}

/* Reads the job's file: dir is the calling thread's descriptor of the
 * folder it read from last. */
static int read_job(struct job *j, struct file_dir *dir, struct buf *text, struct err *e)
{
    if (j->is_stdin)
        return file_read_all("-", LINT_MAX_FILE, text, e);
    const char *name;
    int at = file_dir_at(dir, j->path, &name);
    return file_read_all_at(at, name, j->path, LINT_MAX_FILE, text, e);
}

static void run_job(const struct lint *l, struct job *j, struct file_dir *dir)
{
    const struct lint_cfg *lc = &l->cfgs[j->cfg];
    struct buf text = BUF_INIT;
    struct err e;
    err_clear(&e);
    if (read_job(j, dir, &text, &e)) {
        if (j->is_stdin && !e.path[0])
            snprintf(e.path, sizeof e.path, "%s", j->path);
        job_err(j, &e);
        buf_release(&text);
        return;
    }
    struct df_file *f = df_file_new(j->path, buf_cstr(&text), text.len, NULL, &e);
    if (!f) {
        if (!e.path[0])
            snprintf(e.path, sizeof e.path, "%s", j->path);
        job_err(j, &e);
        buf_release(&text);
        return;
    }
    struct eng_fixed fx;
    memset(&fx, 0, sizeof fx);
    struct eng_result res;
    memset(&res, 0, sizeof res);
    const struct df_file *shown = f;
    if (l->fix || l->diff) {
        if (eng_fix(lc->eng, f, l->mode, j->context_dir, &fx, &e)) {
            if (!e.path[0])
                snprintf(e.path, sizeof e.path, "%s", j->path);
            job_err(j, &e);
            goto done;
        }
        for (uint32_t i = 0; i < fx.n_dropped; i++) {
            struct buf m = BUF_INIT;
            if (buf_printf(&m, "warning: %s: fix not applied: %s", j->path, fx.dropped[i]) == 0)
                job_msg(j, "", buf_cstr(&m));
            buf_release(&m);
        }
        if (j->is_stdin && !l->diff && buf_append(&j->fixed_text, f->src, f->len))
            j->error = true;
        if (!fx.converged) {
            struct buf m = BUF_INIT;
            if (buf_printf(&m,
                           "internal error: %s: the fixes did not settle after %u passes; "
                           "nothing written",
                           j->path, fx.passes) == 0)
                job_msg(j, "", buf_cstr(&m));
            buf_release(&m);
            j->error = true;
        } else if (fx.n_files) {
            j->changed = true;
            if (apply_changes(l, j, f, &fx)) {
                j->totals.fixes_applied = fx.n_applied;
                j->totals.files_fixed = 1;
            } else {
                fx.converged = false; /* report the file as it still is, below */
            }
        }
        if (fx.converged) {
            res = fx.remaining;
            shown = fx.result;
        }
    }
    if (shown == f && eng_lint(lc->eng, f, &res, &e)) {
        if (!e.path[0])
            snprintf(e.path, sizeof e.path, "%s", j->path);
        job_err(j, &e);
        goto done;
    }
    for (uint32_t i = 0; i < res.n_warnings; i++) {
        struct buf m = BUF_INIT;
        if (buf_printf(&m, "warning: %s: %s", j->path, res.warnings[i]) == 0)
            job_msg(j, "", buf_cstr(&m));
        buf_release(&m);
    }
    struct span *anchors = anchors_of(shown, res.findings, res.n_findings);
    struct out_file of = {
        .path = j->path,
        .src = shown->src,
        .len = shown->len,
        .findings = res.findings,
        .n_findings = res.n_findings,
        .anchors = anchors,
        .context_dir = j->context_dir,
    };
    if (!l->diff && out_file(&l->out, &of, &j->chunk))
        job_msg(j, "", "the report is too large to print");
    uint32_t fixed = j->totals.fixes_applied, files_fixed = j->totals.files_fixed;
    out_totals_add(&j->totals, &of, &l->out);
    j->totals.fixes_applied = fixed;
    j->totals.files_fixed = files_fixed;
    j->failed = fails(lc->cfg, res.findings, res.n_findings);
    free(anchors);
done:
    if (fx.result)
        df_file_free(fx.result);
    df_file_free(f);
    buf_release(&text);
}

/* ---------------------------------------------------------------- threads */

/* Work units: one file each, except with --fix, where the files sharing a
 * context folder form one unit run in path order, so that two Dockerfiles
 * fixing the same .dockerignore never race.
 *
 * Results are taken in path order as soon as every file before them is
 * done (whichever thread finishes the next one takes it): their messages
 * print, their totals add up, and their report goes out to the stream, so
 * that the report of a thousand files is never held whole (its memory
 * was most of a corpus lint's page faults). */
struct pool {
    const struct lint *l;
    struct job *jobs;
    size_t n_jobs;
    size_t **units; /* each: job indexes, ended by SIZE_MAX */
    size_t n_units;
    atomic_size_t next; /* the next unit to run */
    atomic_bool *done;  /* per job: its results are ready */
    pthread_mutex_t mu;
    /* taking results, under mu */
    size_t taken;              /* jobs before this one are taken */
    struct out_stream *stream; /* NULL: chunks stay in their jobs */
    struct cli_paths seen;     /* messages printed */
    struct out_totals tot;
    bool error, failed, changed;
};

static void take(struct pool *p, struct job *j)
{
    for (size_t k = 0; k < j->messages.len; k++) {
        /* The same warning from many files (a rule option) prints once. */
        bool dup = false;
        for (size_t s = 0; s < p->seen.len && !dup; s++)
            dup = strcmp(p->seen.items[s], j->messages.items[k]) == 0;
        if (dup)
            continue;
        cli_paths_push(&p->seen, j->messages.items[k]);
        cli_error("%s", j->messages.items[k]);
    }
    p->error |= j->error;
    p->failed |= j->failed;
    p->changed |= j->changed;
    if (!j->error || j->totals.files) {
        p->tot.files += j->totals.files;
        p->tot.files_with_findings += j->totals.files_with_findings;
        for (int s = 0; s < 4; s++)
            p->tot.by_severity[s] += j->totals.by_severity[s];
        p->tot.fixable_safe += j->totals.fixable_safe;
        p->tot.fixable_unsafe += j->totals.fixable_unsafe;
        p->tot.fixes_applied += j->totals.fixes_applied;
        p->tot.files_fixed += j->totals.files_fixed;
    }
    if (p->stream)
        out_stream_file(p->stream, &j->chunk);
}

/* Takes the finished jobs that are next in order. Under mu. */
static void drain(struct pool *p)
{
    while (p->taken < p->n_jobs && atomic_load_explicit(&p->done[p->taken], memory_order_acquire))
        take(p, &p->jobs[p->taken++]);
}

/* Runs units until none is left. A finished job is taken (its report
 * printed) by whichever thread finds mu free; a thread that finds it busy
 * goes on with its next job rather than wait for the other to print, and
 * run_all takes what is left after the last job. */
static void *worker(void *arg)
{
    struct pool *p = arg;
    struct file_dir dir = FILE_DIR_INIT;
    for (;;) {
        size_t u = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (u >= p->n_units)
            break;
        for (size_t *k = p->units[u]; *k != SIZE_MAX; k++) {
            run_job(p->l, &p->jobs[*k], &dir);
            atomic_store_explicit(&p->done[*k], true, memory_order_release);
            if (pthread_mutex_trylock(&p->mu) == 0) {
                drain(p);
                pthread_mutex_unlock(&p->mu);
            }
        }
    }
    file_dir_release(&dir);
    return NULL;
}

static void run_all(struct pool *pp, long n_threads)
{
    struct pool p = *pp;
    struct job *jobs = p.jobs;
    size_t n = p.n_jobs;
    const struct lint *l = p.l;
    p.done = xcalloc(n ? n : 1, sizeof *p.done);
    for (size_t i = 0; i < n; i++)
        atomic_init(&p.done[i], false);
    atomic_init(&p.next, 0);
    pthread_mutex_init(&p.mu, NULL);
    p.units = xcalloc(n ? n : 1, sizeof *p.units);
    bool *taken = xcalloc(n ? n : 1, sizeof *taken);
    for (size_t i = 0; i < n; i++) {
        if (taken[i])
            continue;
        /* The unit's size first: an array of n - i entries per unit made
         * this quadratic in memory (5.7 MB for 1,200 files). */
        size_t cnt = 1;
        bool group = l->fix && !l->diff;
        if (group)
            for (size_t k = i + 1; k < n; k++)
                cnt += !taken[k] && strcmp(jobs[k].context_dir, jobs[i].context_dir) == 0;
        size_t *u = xmalloc((cnt + 1) * sizeof *u);
        cnt = 0;
        u[cnt++] = i;
        taken[i] = true;
        if (group)
            for (size_t k = i + 1; k < n; k++)
                if (!taken[k] && strcmp(jobs[k].context_dir, jobs[i].context_dir) == 0) {
                    u[cnt++] = k;
                    taken[k] = true;
                }
        u[cnt] = SIZE_MAX;
        p.units[p.n_units++] = u;
    }
    free(taken);
    if (n_threads > (long)p.n_units)
        n_threads = (long)p.n_units;
    if (n_threads <= 1) {
        worker(&p);
    } else {
        pthread_t *t = xcalloc((size_t)n_threads, sizeof *t);
        long started = 0;
        for (long i = 0; i < n_threads; i++)
            if (pthread_create(&t[i], NULL, worker, &p) == 0)
                started++;
            else
                break;
        if (started == 0)
            worker(&p); /* no thread could start: do the work here */
        for (long i = 0; i < started; i++)
            pthread_join(t[i], NULL);
        free(t);
    }
    drain(&p);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < p.n_units; i++)
        free(p.units[i]);
    free(p.units);
    free(p.done);
    *pp = p;
}

/* ----------------------------------------------------------------- driver */

static int write_all(FILE *fp, const char *s, size_t n)
{
    return n && fwrite(s, 1, n, fp) != n ? -1 : 0;
}

static long parse_jobs(const char *s)
{
    if (!s) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (n > LINT_MAX_JOBS ? LINT_MAX_JOBS : n) : 1;
    }
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 0 || n > LINT_MAX_JOBS)
        return -1;
    if (n == 0)
        return parse_jobs(NULL);
    return n;
}

/* stat(2) of a name on the command line, through the descriptor of the
 * folder of the name before (most lists are sorted, so the names of a
 * folder come together): walking every whole path was 4 of lint's 80 ms
 * with 1,192 files given as arguments. Whatever the descriptor cannot
 * answer goes to stat itself, so errors read as stat's. */
static int stat_arg(struct file_dir *d, const char *p, struct stat *st)
{
    const char *name;
    int dirfd = file_dir_at(d, p, &name);
    if (dirfd != AT_FDCWD && fstatat(dirfd, name, st, 0) == 0)
        return 0;
    return stat(p, st);
}

/* Adds the files named on the command line to paths: folders are searched,
 * files taken as given. */
static void collect(struct lint *l, struct cli_paths *paths, bool *have_stdin)
{
    struct file_dir ad = FILE_DIR_INIT;
    int n = l->args.n_positional;
    const char *const dot[] = { "." };
    const char *const *pos = n ? l->args.positional : dot;
    if (!n)
        n = 1;
    for (int i = 0; i < n; i++) {
        const char *p = pos[i];
        if (strcmp(p, "-") == 0) {
            if (*have_stdin) {
                cli_error("'-' (standard input) is given twice");
                l->error = true;
            }
            *have_stdin = true;
            continue;
        }
        struct stat st;
        if (stat_arg(&ad, p, &st) != 0) {
            cli_error("cannot read '%s': %s", p, strerror(errno));
            l->error = true;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            cli_paths_push(paths, p);
            continue;
        }
        long ci = config_for_dir(l, p);
        if (ci < 0) {
            l->error = true;
            continue;
        }
        struct cli_excludes *ex = NULL;
        struct err e;
        err_clear(&e);
        if (cli_excludes_new(l->cfgs[ci].cfg, &ex, &e)) {
            report_err(&e);
            l->error = true;
            continue;
        }
        struct cli_discovery d = { 0 };
        if (cli_discover(p, ex, &d, &e)) {
            report_err(&e);
            l->error = true;
        }
        for (size_t k = 0; k < d.warnings.len; k++)
            cli_error("warning: %s", d.warnings.items[k]);
        for (size_t k = 0; k < d.files.len; k++)
            cli_paths_push(paths, d.files.items[k]);
        cli_discovery_release(&d);
        cli_excludes_free(ex);
    }
    file_dir_release(&ad);
}

static bool want_color(const struct cfg *c, FILE *fp)
{
    if (c->no_color)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(fp));
}

static int cmd_lint(int argc, char **argv)
{
    struct lint l;
    memset(&l, 0, sizeof l);
    if (cli_parse_args(&cli_cmd_lint, argc, argv, &l.args))
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    struct cli_paths paths = { 0 };
    struct job *jobs = NULL;
    size_t n_jobs = 0;
    struct cli_opt_value *o = l.args.opts;
    /* No config file comes or goes during a lint: each folder's parents are
     * probed once for the whole run. */
    cfg_find_memo(true);

    l.fix = o[O_FIX].set;
    l.diff = o[O_DIFF].set;
    l.mode = o[O_UNSAFE_FIXES].set ? ENG_FIX_UNSAFE : ENG_FIX_SAFE;
    l.context = o[O_CONTEXT].value;
    l.stdin_name = o[O_STDIN_FILENAME].value;
    long n_threads = parse_jobs(o[O_JOBS].value);
    if (n_threads < 0) {
        cli_error("--jobs: '%s' is not a number from 0 to %d (0: one per processor)",
                  o[O_JOBS].value, LINT_MAX_JOBS);
        goto done;
    }
    if (l.context) {
        struct stat st;
        if (stat(l.context, &st) != 0 || !S_ISDIR(st.st_mode)) {
            cli_error("--context: '%s' is not a folder", l.context);
            goto done;
        }
    }
    if (l.stdin_name && !*l.stdin_name) {
        cli_error("--stdin-filename: the name must not be empty");
        goto done;
    }
    const char *format = o[O_FORMAT].value;
    bool auto_format = format && strcmp(format, "auto") == 0;
    l.cli = (struct cfg_cli){
        .config = o[O_CONFIG].value,
        .select = o[O_SELECT].values,
        .n_select = (size_t)o[O_SELECT].count,
        .ignore = o[O_IGNORE].values,
        .n_ignore = (size_t)o[O_IGNORE].count,
        .failure_threshold = o[O_THRESHOLD].value,
        .format = auto_format ? NULL : format,
        .context = l.context,
        .rule_set = o[O_RULE_SET].value,
        .preview = o[O_PREVIEW].set ? CFG_YES : CFG_UNSET,
        .no_color = o[O_NO_COLOR].set ? CFG_YES : CFG_UNSET,
        .inline_ignores = o[O_NO_INLINE_IGNORES].set ? CFG_NO : CFG_UNSET,
    };
    l.refs = xcalloc(rule_registry_len ? rule_registry_len : 1, sizeof *l.refs);
    for (size_t i = 0; i < rule_registry_len; i++)
        l.refs[i] = (struct cfg_rule_ref){ rule_registry[i]->id, rule_registry[i]->name };
    const char *env_config = getenv("DOCKWRIGHT_CONFIG");
    l.single_config = l.cli.config || (env_config && *env_config);

    /* The configuration of the current folder (or the named one) decides
     * the report's format and colours, and the excludes of a search of
     * "."; each file is then linted with the configuration found from its
     * own folder. Standard input counts as living where --stdin-filename
     * says. */
    bool only_stdin = l.args.n_positional == 1 && strcmp(l.args.positional[0], "-") == 0;
    char *base_dir = l.stdin_name && only_stdin ? dir_of(l.stdin_name) : xstrdup(".");
    long base;
    if (l.single_config) {
        base = load_config(&l, NULL, "\x01single", NULL);
    } else {
        base = config_for_dir(&l, base_dir);
    }
    free(base_dir);
    if (base < 0)
        goto done;
    const struct cfg *bc = l.cfgs[base].cfg;

    bool have_stdin = false;
    collect(&l, &paths, &have_stdin);
    if (have_stdin)
        cli_paths_push(&paths, l.stdin_name ? l.stdin_name : "-");
    cli_paths_sort_unique(&paths);
    if (!paths.len && !l.error) {
        cli_error("warning: no Dockerfiles found");
        status = CLI_EXIT_OK;
        goto done;
    }

    l.out = (struct out_options){
        .format = bc->format,
        .tool_version = DW_VERSION,
        .rule_set = bc->rule_set ? bc->rule_set : OUT_RULE_SET_CURRENT,
        .registry = rule_registry,
        .n_rules = rule_registry_len,
        .fix_mode = l.fix && !l.diff,
        .unsafe_fixes = o[O_UNSAFE_FIXES].set,
    };
    const char *gha = getenv("GITHUB_ACTIONS");
    if ((auto_format || bc->format_loc.src == CFG_SRC_DEFAULT) && gha && strcmp(gha, "true") == 0 &&
        !isatty(STDOUT_FILENO))
        l.out.format = CFG_FORMAT_GITHUB;
    l.report_to_stderr = have_stdin && l.fix && !l.diff;
    l.out.color =
        l.out.format == CFG_FORMAT_TTY && want_color(bc, l.report_to_stderr ? stderr : stdout);

    jobs = xcalloc(paths.len, sizeof *jobs);
    for (size_t i = 0; i < paths.len; i++) {
        struct job *j = &jobs[n_jobs];
        j->path = paths.items[i];
        /* A file given both as itself and as --stdin-filename of '-' is
         * read once, from standard input. */
        j->is_stdin = have_stdin && strcmp(j->path, l.stdin_name ? l.stdin_name : "-") == 0;
        char *dir = dir_of(j->is_stdin && !l.stdin_name ? "./-" : j->path);
        j->cfg = l.single_config ? base : config_for_dir(&l, dir);
        if (j->cfg < 0) {
            free(dir);
            l.error = true;
            continue;
        }
        const struct cfg *c = l.cfgs[j->cfg].cfg;
        if (j->is_stdin && l.stdin_name && !l.context && !c->context) {
            /* Text from an editor: its file's folder is the build context,
             * as the language server takes it, so context rules run. */
            struct buf key = BUF_INIT;
            if (buf_printf(&key, "%s\x01context=%s", l.cfgs[j->cfg].key, dir) == 0)
                j->cfg = load_config(&l, l.single_config ? NULL : dir, buf_cstr(&key), dir);
            buf_release(&key);
            if (j->cfg < 0) {
                free(dir);
                l.error = true;
                continue;
            }
            c = l.cfgs[j->cfg].cfg;
        }
        j->context_dir = l.context ? xstrdup(l.context) : c->context ? xstrdup(c->context) : dir;
        if (j->context_dir != dir)
            free(dir);
        n_jobs++;
    }
    if (l.error && !n_jobs)
        goto done;

    /* With --diff the diffs print first, then the summary; with --fix on
     * standard input the fixed text goes to stdout and the report to
     * stderr. Otherwise the report streams as files finish. */
    FILE *rep = l.report_to_stderr ? stderr : stdout;
    struct out_stream stream;
    struct pool pool = { .l = &l, .jobs = jobs, .n_jobs = n_jobs };
    if (!l.diff) {
        out_stream_begin(&stream, &l.out, rep);
        pool.stream = &stream;
    }
    run_all(&pool, n_threads);
    cli_paths_release(&pool.seen);
    l.error |= pool.error;
    bool failed = pool.failed, changed = pool.changed;
    struct out_totals tot = pool.tot;
    bool write_failed = false;
    if (l.diff) {
        for (size_t i = 0; i < n_jobs; i++)
            write_failed |= write_all(stdout, jobs[i].diff.data, jobs[i].diff.len) != 0;
        if (tot.fixes_applied)
            cli_error("--diff: %u %s in %u %s would be fixed", tot.fixes_applied,
                      tot.fixes_applied == 1 ? "problem" : "problems", tot.files_fixed,
                      tot.files_fixed == 1 ? "file" : "files");
    } else {
        for (size_t i = 0; i < n_jobs; i++)
            if (jobs[i].is_stdin && l.fix)
                write_failed |=
                    write_all(stdout, jobs[i].fixed_text.data, jobs[i].fixed_text.len) != 0;
        write_failed |= out_stream_end(&stream, &tot) != 0;
    }
    if (fflush(stdout) != 0 || write_failed) {
        cli_error("cannot write to standard output: %s", strerror(errno));
        l.error = true;
    }
    if (l.error)
        status = CLI_EXIT_ERROR;
    else if (l.diff)
        status = changed ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    else
        status = failed ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
done:
    for (size_t i = 0; i < n_jobs; i++) {
        out_chunk_release(&jobs[i].chunk);
        buf_release(&jobs[i].diff);
        buf_release(&jobs[i].fixed_text);
        cli_paths_release(&jobs[i].messages);
        free(jobs[i].context_dir);
    }
    free(jobs);
    cli_paths_release(&paths);
    for (size_t i = 0; i < l.n_cfgs; i++) {
        eng_free(l.cfgs[i].eng);
        cfg_free(l.cfgs[i].cfg);
        free(l.cfgs[i].key);
    }
    free(l.cfgs);
    cli_paths_release(&l.failed_keys);
    for (size_t i = 0; i < l.n_dirs; i++)
        free(l.dir_keys[i]);
    free(l.dir_keys);
    free(l.dir_vals);
    free(l.refs);
    cli_args_release(&l.args);
    cfg_find_memo(false);
    return status;
}
