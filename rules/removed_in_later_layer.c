/* DW204 removed-in-later-layer: a file that one layer of an output stage
 * creates is deleted by a RUN of a later layer. The later layer records a
 * whiteout only; the bytes stay in the earlier layer and every pull still
 * downloads them (optimizations.md (d)). Statically the created paths are
 * COPY/ADD destinations and what a RUN downloads or clones to a named
 * path; they are matched against later `rm` operands, globs and parent
 * directories included. */
#include "analyzer/rule_api.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char doc[] =
    "## What it does\n"
    "Reports an `rm` in a RUN of an output stage that deletes a path an\n"
    "earlier layer of the same stage created: a COPY or ADD destination, or\n"
    "a file a RUN downloaded or cloned to a named path (`curl -o`, `wget -O`,\n"
    "`git clone URL DIR`, `tar -x -C DIR`, `unzip -d DIR`). The operand may\n"
    "name the path, a glob matching it, or a parent directory. A file copied\n"
    "from the build context whose size is known to be below `min-bytes`\n"
    "(option, default 1 MiB) is not reported. Package-manager caches are\n"
    "left to the rules that check their cleanup (DW301, DW305, ...).\n"
    "\n"
    "## Why is this bad?\n"
    "Layers only add. Deleting a file in a later layer writes a whiteout\n"
    "entry that hides it, while its bytes stay in the layer that created it\n"
    "and are pulled by every client: the image does not get smaller.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN curl -fsSLo /tmp/sdk.tgz https://example.com/sdk.tgz && tar -xzf /tmp/sdk.tgz -C /opt\n"
    "RUN rm -f /tmp/sdk.tgz\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN curl -fsSLo /tmp/sdk.tgz https://example.com/sdk.tgz && tar -xzf /tmp/sdk.tgz -C /opt \\\n"
    " && rm -f /tmp/sdk.tgz\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe when the file was created by a RUN of the same stage, the deletion\n"
    "is a top-level `rm` step (alone or joined with `&&`) whose operands are\n"
    "absolute paths all created by that RUN, and nothing between the two\n"
    "(other instructions, earlier commands of the deleting RUN) names the\n"
    "file: the `rm` is appended to the creating RUN with `&&` and dropped\n"
    "from the later one (with the whole RUN when nothing else remains).\n"
    "Unsafe for files a COPY (or ADD) created: the COPY is removed and the\n"
    "deleting RUN, and every RUN between the two that names the files,\n"
    "reads them from `--mount=type=bind` of the same sources instead\n"
    "(`from=` for `COPY --from`); the `rm` operand that named them goes\n"
    "(a mount point cannot be removed), with the whole `rm` when it was the\n"
    "only operand. Literal sources get one mount per file at the path the\n"
    "COPY gave them; a directory source is mounted at the destination;\n"
    "wildcards are served by mounting the one directory that holds every\n"
    "source at the destination directory, only when the build context is\n"
    "known and that directory sends nothing the sources do not match (the\n"
    "mount would show those files too). The mounts see the build context\n"
    "as COPY does, `.dockerignore` included. A RUN that changes the files\n"
    "in place (`chmod +x` before running one) gets `rw` mounts, whose\n"
    "writes are thrown away after the step. The rewrite needs BuildKit.\n"
    "\n"
    "There is no fix when the mounts could show other files or owners than\n"
    "the COPY did: `--chown` or `--chmod` while a RUN reads the files (a\n"
    "bind mount has no owner or mode option; it is fine when nothing reads\n"
    "them), other COPY flags (`--parents`, `--exclude`), the exec form, a\n"
    "heredoc, sources in several directories when one is a wildcard, a\n"
    "wildcard without a known context or from another stage, a\n"
    "wildcard in a directory name, an ADD that may fetch a URL or unpack an\n"
    "archive (ADD needs a known build context whose file is a directory or\n"
    "does not start like a tar or compressed file), an `rm` that deletes\n"
    "only some of the copied files or a parent of the destination, a\n"
    "destination a base image may fill (`/tmp`, `/usr/local/bin`, ...) or\n"
    "that an earlier step wrote to, a step in between that changes, moves\n"
    "or deletes the files or is not a RUN and names them (`WORKDIR`), and a\n"
    "deleting RUN that moves them, redirects into them or changes directory\n"
    "into them. A source without a trailing `/` is taken as a file unless\n"
    "the build context shows a directory.\n";

static const char *const options[] = { "min-bytes", NULL };

enum { MAX_CREATED = 256 };

struct created {
    const char *path; /* absolute, normalised */
    const struct df_instr *by;
    const char *how; /* "COPY", "curl -o", ... */
    const char *wd;  /* the WORKDIR of the creating step, NULL when unknown */
    bool alive;
};

struct walk {
    struct rule_ctx *ctx;
    struct created items[MAX_CREATED];
    uint32_t n;
    const char *wd; /* the WORKDIR of the instruction walked */
};

/* ----------------------------------------------------------------- paths */

/* Joins base and p (p absolute: base ignored) and normalises: no empty,
 * "." or ".." components, no trailing '/'. NULL when p holds a variable
 * or base is needed but unknown. */
static const char *resolve(struct rule_ctx *ctx, const char *base, struct str p)
{
    if (!p.len || memchr(p.ptr, '$', p.len))
        return NULL;
    const char *full;
    if (p.ptr[0] == '/')
        full = rule_printf(ctx, "%.*s", STR_FMT(p));
    else if (base)
        full = rule_printf(ctx, "%s/%.*s", base, STR_FMT(p));
    else
        return NULL;
    size_t n = strlen(full);
    char *out = rule_alloc(ctx, n + 2);
    size_t o = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && full[i] == '/')
            i++;
        size_t s = i;
        while (i < n && full[i] != '/')
            i++;
        size_t len = i - s;
        if (!len || (len == 1 && full[s] == '.'))
            continue;
        if (len == 2 && full[s] == '.' && full[s + 1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, full + s, len);
        o += len;
    }
    if (!o)
        out[o++] = '/';
    out[o] = 0;
    return out;
}

static struct str base_name(struct str s)
{
    while (s.len > 1 && s.ptr[s.len - 1] == '/')
        s.len--;
    size_t b = s.len;
    while (b > 0 && s.ptr[b - 1] != '/')
        b--;
    return str_slice(s, b, s.len);
}

static bool has_glob(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '*' || s.ptr[i] == '?' || s.ptr[i] == '[')
            return true;
    return false;
}

/* Whether the rm operand pattern (absolute, normalised) removes path:
 * it names the path or one of its parent directories. */
static bool removes(const char *pattern, const char *path)
{
    if (!strcmp(pattern, "/"))
        return false; /* rm -rf / is another problem */
    size_t n = strlen(path);
    char tmp[4096];
    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, path, n + 1);
    while (n > 1) {
        if (fnmatch(pattern, tmp, FNM_PATHNAME) == 0)
            return true;
        while (n > 0 && tmp[n - 1] != '/')
            n--;
        if (n <= 1)
            break;
        tmp[--n] = 0;
    }
    return false;
}

/* -------------------------------------------------------------- creation */

static void add(struct walk *w, const char *path, const struct df_instr *by, const char *how)
{
    if (!path || !strcmp(path, "/") || w->n == MAX_CREATED)
        return;
    w->items[w->n++] = (struct created){ path, by, how, w->wd, true };
}

/* The size of a context file, or -1 when unknown. */
static long long context_size(struct rule_ctx *ctx, struct str rel)
{
    const char *dir = rule_context_dir(ctx);
    if (!dir || has_glob(rel) || memchr(rel.ptr, '$', rel.len) || memchr(rel.ptr, ':', rel.len))
        return -1;
    const char *p = rule_printf(ctx, "%s/%.*s", dir, STR_FMT(rel));
    struct stat st;
    if (stat(p, &st) || !S_ISREG(st.st_mode))
        return -1;
    return (long long)st.st_size;
}

/* Whether a directory is one a base image may already hold files in: a
 * mount there would hide them, and an rm of it deleted more than the
 * COPY's files. */
static bool standard_dir(const char *d)
{
    static const char *const dirs[] = {
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib64",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/bin",
        "/usr/lib",
        "/usr/sbin",
        "/usr/share",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/lib",
        "/usr/local/share",
        "/usr/local/sbin",
        "/var",
        "/var/lib",
        "/var/tmp",
        "/var/cache",
        "/var/log",
        "/app",
        "/src",
        "/workspace",
        "/workspaces",
        "/code",
        "/data",
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (!strcmp(d, dirs[i]))
            return true;
    return false;
}

/* The bytes of the context files a wildcard source matches (the wildcard
 * in its last component only), or -1 when unknown: no context, a
 * wildcard directory, a match that is not a regular file. */
static long long glob_size(struct rule_ctx *ctx, struct str src)
{
    const char *root = rule_context_dir(ctx);
    if (!root || memchr(src.ptr, '$', src.len))
        return -1;
    struct str b = base_name(src);
    struct str dir = str_make(src.ptr, (size_t)(b.ptr - src.ptr));
    if (!has_glob(b) || has_glob(dir))
        return -1;
    const char *pat = rule_printf(ctx, "%.*s", STR_FMT(b));
    const char *path = rule_printf(ctx, "%s/%.*s", root, STR_FMT(dir));
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long long sum = 0;
    struct dirent *de;
    while (sum >= 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || fnmatch(pat, de->d_name, 0))
            continue;
        struct stat st;
        if (stat(rule_printf(ctx, "%s/%s", path, de->d_name), &st) || !S_ISREG(st.st_mode))
            sum = -1;
        else
            sum += (long long)st.st_size;
    }
    closedir(d);
    return sum;
}

static void copy_created(struct walk *w, const struct df_instr *in, const char *wd)
{
    struct rule_ctx *ctx = w->ctx;
    const struct df_text *args = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    if (n < 2 || in->n_heredocs)
        return;
    struct str dest = args[n - 1].raw;
    bool dir = dest.len && dest.ptr[dest.len - 1] == '/';
    bool from = df_instr_flag(in, "from") != NULL;
    long long min = rule_option_int(ctx, "min-bytes", 1048576);
    const char *how = in->kind == DF_COPY ? "COPY" : "ADD";
    if (!dir && n == 2) {
        struct str src = args[0].raw;
        if (!from && !str_starts_with(src, STR_LIT("http"))) {
            long long size = context_size(ctx, src);
            if (size >= 0 && size < min)
                return;
        }
        add(w, resolve(ctx, wd, dest), in, how);
        return;
    }
    if (!dir)
        return;
    /* Wildcards whose matches are all known and small together. */
    long long globbed = 0;
    for (uint32_t i = 0; i + 1 < n && globbed >= 0 && !from; i++) {
        if (!has_glob(args[i].raw)) {
            globbed = -1;
            break;
        }
        long long size = glob_size(ctx, args[i].raw);
        globbed = size < 0 ? -1 : globbed + size;
    }
    if (!from && globbed >= 0 && globbed < min)
        return;
    for (uint32_t i = 0; i + 1 < n; i++) {
        struct str src = args[i].raw;
        struct str b = base_name(src);
        if (has_glob(src) || !b.len || str_eq_cstr(b, ".") || str_eq_cstr(b, "..") ||
            src.ptr[src.len - 1] == '/') {
            /* What a wildcard or a directory brings is unknown: the
             * destination stands for it, unless a base image may have
             * filled it already. */
            const char *d = resolve(ctx, wd, dest);
            if (d && !standard_dir(d) && !str_starts_with(src, STR_LIT("http")) &&
                !(w->n && w->items[w->n - 1].by == in && !strcmp(w->items[w->n - 1].path, d)))
                add(w, d, in, how);
            continue;
        }
        if (!from && !str_starts_with(src, STR_LIT("http"))) {
            long long size = context_size(ctx, src);
            if (size >= 0 && size < min)
                continue;
        }
        const char *d = resolve(ctx, wd, dest);
        if (d)
            add(w, resolve(ctx, d, b), in, how);
    }
}

static const char *const curl_long[] = {
    "output",  "header",          "data",           "user",      "request",    "user-agent",
    "referer", "proxy",           "upload-file",    "write-out", "max-time",   "continue-at",
    "config",  "cookie",          "cookie-jar",     "cert",      "form",       "range",
    "retry",   "connect-timeout", "data-binary",    "data-raw",  "url",        "cacert",
    "key",     "retry-delay",     "retry-max-time", "resolve",   "max-redirs", NULL,
};
static const struct sh_flag_spec curl_spec = { "oHduXAexTwmCKbcEFrYyzUQ", curl_long, false };
static const char *const wget_long[] = {
    "output-document", "output-file", "append-output", "directory-prefix",
    "tries",           "timeout",     "user",          "password",
    "header",          "user-agent",  "input-file",    NULL,
};
static const struct sh_flag_spec wget_spec = { "OoaPtTUiQeBwlD", wget_long, false };
static const char *const git_long[] = {
    "branch",        "depth",           "origin",   "config",           "reference",
    "jobs",          "filter",          "template", "separate-git-dir", "upload-pack",
    "shallow-since", "shallow-exclude", NULL,
};
static const struct sh_flag_spec git_spec = { "bocjuC", git_long, false };
static const char *const tar_long[] = { "directory", "file", "exclude", "transform", NULL };
static const struct sh_flag_spec tar_spec = { "CfXT", tar_long, false };
static const struct sh_flag_spec unzip_spec = { "dx", NULL, false };

static bool tar_extracts(const struct sh_call *c)
{
    if (c->argc < 2)
        return false;
    struct str first = c->argv[1].value;
    if (first.len && first.ptr[0] != '-' && memchr(first.ptr, 'x', first.len))
        return true; /* old style: tar xzf a.tgz */
    return sh_call_has_short(c, 'x', &tar_spec) || sh_call_has_long(c, "extract", &tar_spec) ||
           sh_call_has_long(c, "get", &tar_spec);
}

/* What one command of a RUN creates at a named path. cwd is the working
 * directory of the command, NULL when unknown. */
static void run_created(struct walk *w, const struct df_instr *in, const struct sh_call *c,
                        const char *cwd)
{
    struct rule_ctx *ctx = w->ctx;
    struct sh_arg a;
    if (sh_call_is(c, "curl")) {
        if (sh_call_find_flag(c, 'o', "output", &curl_spec, &a) && a.has_value &&
            !str_eq_cstr(a.value, "-") && !str_eq_cstr(a.value, "/dev/null"))
            add(w, resolve(ctx, cwd, a.value), in, "curl -o");
    } else if (sh_call_is(c, "wget")) {
        if (sh_call_find_flag(c, 'O', "output-document", &wget_spec, &a) && a.has_value &&
            !str_eq_cstr(a.value, "-") && !str_eq_cstr(a.value, "/dev/null"))
            add(w, resolve(ctx, cwd, a.value), in, "wget -O");
    } else if (sh_call_is(c, "git")) {
        const struct sh_word *sub = sh_call_operand(c, 0, &git_spec);
        if (!sub || !sh_word_is(sub, "clone"))
            return;
        const struct sh_word *repo = sh_call_operand(c, 1, &git_spec);
        const struct sh_word *dir = sh_call_operand(c, 2, &git_spec);
        if (dir) {
            add(w, resolve(ctx, cwd, dir->value), in, "git clone");
        } else if (repo) {
            struct str b = base_name(repo->value);
            if (str_ends_with(b, STR_LIT(".git")))
                b.len -= 4;
            if (b.len)
                add(w, resolve(ctx, cwd, b), in, "git clone");
        }
    } else if (sh_call_is(c, "tar")) {
        if (tar_extracts(c) && sh_call_find_flag(c, 'C', "directory", &tar_spec, &a) && a.has_value)
            add(w, resolve(ctx, cwd, a.value), in, "tar -x -C");
    } else if (sh_call_is(c, "unzip")) {
        if (sh_call_find_flag(c, 'd', NULL, &unzip_spec, &a) && a.has_value)
            add(w, resolve(ctx, cwd, a.value), in, "unzip -d");
    }
}

/* ------------------------------------------------------------------ fix */

static bool plain_shell_run(const struct df_instr *in)
{
    return in->kind == DF_RUN && in->form == DF_FORM_SHELL && in->n_heredocs == 0 && in->script &&
           !in->has_syntax_error && in->script->n_problems == 0 &&
           !memchr(in->shell.raw.ptr, '#', in->shell.raw.len);
}

static bool single_and_list(const struct sh_script *s)
{
    const struct sh_node *root = s->root;
    if (root->n_kids != 1 || root->kids[0]->background)
        return false;
    const struct sh_node *k = root->kids[0];
    if (k->kind == SH_AND_OR)
        for (uint32_t i = 1; i < k->n_kids; i++)
            if (k->kids[i]->op != SH_OP_AND)
                return false;
    return true;
}

static struct span whole_lines(const struct df_file *f, struct span s)
{
    uint32_t a = s.start, b = s.end;
    while (a > 0 && f->src[a - 1] != '\n')
        a--;
    while (b < f->len && f->src[b] != '\n')
        b++;
    if (b < f->len)
        b++;
    return span_make(a, b);
}

static bool text_names(struct str text, struct str name)
{
    if (!name.len || text.len < name.len)
        return false;
    for (size_t i = 0; i + name.len <= text.len; i++)
        if (!memcmp(text.ptr + i, name.ptr, name.len))
            return true;
    return false;
}

/* What to delete to drop the command node from RUN del: the RUN's lines
 * when it is the whole RUN (*whole set), else the node with the && that
 * joins it. False when the node is not a plain && step. */
static bool removal_span(const struct df_file *f, const struct df_instr *del,
                         const struct sh_node *node, struct span *out, bool *whole)
{
    const struct sh_node *root = del->script->root;
    if (root->n_kids != 1 || root->kids[0]->background)
        return false;
    const struct sh_node *top = root->kids[0];
    if (whole)
        *whole = top == node;
    if (top == node) {
        *out = whole_lines(f, del->span);
        return true;
    }
    if (top->kind != SH_AND_OR || node->parent != top || !single_and_list(del->script))
        return false;
    uint32_t j = 0;
    while (j < top->n_kids && top->kids[j] != node)
        j++;
    if (j == top->n_kids)
        return false;
    *out = j > 0 ? span_make(top->kids[j - 1]->span.end, node->span.end)
                 : span_make(node->span.start, top->kids[1]->span.start);
    return true;
}

/* The fix for the rm command node of RUN del, whose operands delete only
 * files that RUN by created. */
static void add_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_stage *st,
                    const struct df_instr *by, const struct df_instr *del,
                    const struct sh_node *node, const char *const *paths, uint32_t n_paths)
{
    const struct df_file *f = rule_file(ctx);
    if (!plain_shell_run(by) || !plain_shell_run(del) || by->parent || del->parent ||
        node->redirs || node->kind != SH_SIMPLE || by->script->root->n_kids != 1 ||
        by->script->root->kids[0]->background)
        return;
    struct span remove;
    if (!removal_span(f, del, node, &remove, NULL))
        return;
    /* Nothing in between may read the files: no later instruction before
     * the deleting RUN and no earlier command of that RUN names them. */
    uint32_t i = 0;
    while (i < st->n_instrs && st->instrs[i] != by)
        i++;
    for (i++; i < st->n_instrs && st->instrs[i] != del; i++) {
        const struct df_instr *x = st->instrs[i];
        struct str text = str_make(f->src + x->span.start, span_len(x->span));
        for (uint32_t k = 0; k < n_paths; k++)
            if (text_names(text, base_name(str_from_cstr(paths[k]))))
                return;
    }
    struct str before = str_make(
        f->src + del->shell.span.start,
        node->span.start > del->shell.span.start ? node->span.start - del->shell.span.start : 0);
    for (uint32_t k = 0; k < n_paths; k++)
        if (text_names(before, base_name(str_from_cstr(paths[k]))))
            return;
    struct str text = STR_NULL;
    for (uint32_t k = 0; k < node->n_assigns + node->argc; k++) {
        const struct sh_word *w =
            k < node->n_assigns ? &node->assigns[k] : &node->argv[k - node->n_assigns];
        text.ptr = text.ptr ? rule_printf(ctx, "%.*s %.*s", STR_FMT(text), STR_FMT(w->raw))
                            : rule_printf(ctx, "%.*s", STR_FMT(w->raw));
        text.len = strlen(text.ptr);
    }
    struct edit edits[2] = {
        { by->shell.span.end, by->shell.span.end,
          str_from_cstr(rule_printf(ctx, " %c%s && %.*s", rule_model(ctx)->escape,
                                    f->crlf ? "\r\n" : "\n", STR_FMT(text))) },
        { remove.start, remove.end, STR_LIT("") },
    };
    rule_finding_fix(rf, FIX_SAFE, "delete the files in the RUN that creates them", edits, 2);
}

/* The unsafe fix for files a COPY (or ADD) cp created and the rm command
 * node of RUN del deletes with the operand op (resolved: path). The COPY
 * goes; del, and every RUN between the two that names the files, reads
 * them from bind mounts of the same sources instead; the operand goes
 * from the rm (a mount point cannot be removed). Declined whenever the
 * mounts would not show the same files at the same paths. */
struct copy_plan {
    struct rule_ctx *ctx;
    const char *from; /* "from=NAME," or "" */
    const char *dest; /* the resolved destination */
    bool dest_dir;    /* files go below dest */
    const char *srcs[MAX_CREATED];
    const char *tgts[MAX_CREATED];
    uint32_t n;                     /* mounts */
    const char *names[MAX_CREATED]; /* what a step reading the files names */
    uint32_t n_names;
    bool owned; /* --chown/--chmod: the mounts would not show them */
};

/* Whether the context file rel may be an archive ADD would unpack: it is
 * not a directory and its first bytes are not those of a plain file. */
static bool add_may_unpack(struct rule_ctx *ctx, const char *rel)
{
    const char *dir = rule_context_dir(ctx);
    if (!dir)
        return true;
    const char *p = rule_printf(ctx, "%s/%s", dir, rel);
    struct stat st;
    if (stat(p, &st))
        return true;
    if (S_ISDIR(st.st_mode))
        return false;
    if (!S_ISREG(st.st_mode))
        return true;
    unsigned char b[512] = { 0 };
    FILE *fp = fopen(p, "rb");
    if (!fp)
        return true;
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    if (n >= 2 && b[0] == 0x1f && (b[1] == 0x8b || b[1] == 0x9d || b[1] == 0xa0))
        return true; /* gzip, compress, lzip-like */
    if (n >= 3 && !memcmp(b, "BZh", 3))
        return true;
    if (n >= 6 && !memcmp(b,
                          "\xfd"
                          "7zXZ\0",
                          6))
        return true;
    if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
        return true; /* zstd */
    if (n >= 262 && !memcmp(b + 257, "ustar", 5))
        return true;
    return n == 0 && st.st_size > 0;
}

/* Whether the context directory rel (".": the root) sends nothing but
 * what the sources of cp match: mounted whole, it then shows the same
 * files the COPY did. False when the context is unknown or unreadable. */
static bool dir_holds_only(struct rule_ctx *ctx, const char *rel, const struct df_instr *cp)
{
    const struct rule_build_context *bc = rule_build_context(ctx);
    if (!bc || bc->ignore_broken)
        return false;
    DIR *d = opendir(rule_printf(ctx, "%s/%s", bc->dir, rel));
    if (!d)
        return false;
    bool only = true;
    struct dirent *de;
    while (only && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        const char *path =
            strcmp(rel, ".") ? rule_printf(ctx, "%s/%s", rel, de->d_name) : de->d_name;
        if (di_match(bc->ignore, path, strlen(path), NULL))
            continue; /* not sent: neither COPY nor the mount sees it */
        bool matched = false;
        for (uint32_t i = 0; i + 1 < cp->n_args && !matched; i++) {
            const char *pat = rule_printf(ctx, "%.*s", STR_FMT(base_name(cp->args[i].raw)));
            matched = fnmatch(pat, de->d_name, 0) == 0;
        }
        only = matched;
    }
    closedir(d);
    return only;
}

/* The mounts that show what cp copied; false when none do exactly. */
static bool plan_mounts(struct copy_plan *pl, const struct df_instr *cp, const char *wd)
{
    struct rule_ctx *ctx = pl->ctx;
    if (cp->form == DF_FORM_EXEC || cp->n_heredocs || cp->n_args < 2 || cp->parent)
        return false;
    for (uint32_t i = 0; i < cp->n_flags; i++) {
        const struct df_flag *fl = &cp->flags[i];
        struct str v = fl->value.raw;
        if (str_eq_cstr(fl->name.raw, "from") && v.ptr && v.len && cp->kind == DF_COPY &&
            !memchr(v.ptr, '$', v.len) && !memchr(v.ptr, ',', v.len) &&
            !memchr(v.ptr, '"', v.len) && !memchr(v.ptr, '\'', v.len))
            pl->from = rule_printf(ctx, "from=%.*s,", STR_FMT(v));
        else if (str_eq_cstr(fl->name.raw, "chown") || str_eq_cstr(fl->name.raw, "chmod"))
            pl->owned = true;
        else if (!str_eq_cstr(fl->name.raw, "link"))
            return false; /* --parents, --exclude, --checksum, ... */
    }
    struct str dest = cp->args[cp->n_args - 1].raw;
    pl->dest = resolve(ctx, wd, dest);
    if (!pl->dest || memchr(dest.ptr, ',', dest.len) || memchr(dest.ptr, '"', dest.len) ||
        memchr(dest.ptr, '\'', dest.len) || memchr(dest.ptr, '=', dest.len))
        return false;
    uint32_t n_src = cp->n_args - 1;
    pl->dest_dir = dest.ptr[dest.len - 1] == '/' || n_src > 1;
    bool any_glob = false;
    const char *dir = NULL; /* the one directory of every source, or "" for several */
    for (uint32_t i = 0; i < n_src; i++) {
        struct str s = cp->args[i].raw;
        if (!s.len || memchr(s.ptr, '$', s.len) || memchr(s.ptr, ',', s.len) ||
            memchr(s.ptr, '=', s.len) || memchr(s.ptr, '"', s.len) || memchr(s.ptr, '\'', s.len) ||
            text_names(s, STR_LIT("..")) || text_names(s, STR_LIT("://")) ||
            str_starts_with(s, STR_LIT("git@")))
            return false;
        const char *abs = resolve(ctx, "/", s);
        if (!abs)
            return false;
        /* The context is the root for COPY; another stage's root for
         * --from. */
        const char *src = pl->from[0] ? abs : (abs[1] ? abs + 1 : ".");
        struct str sd = str_from_cstr(abs);
        struct str b = base_name(sd);
        const char *parent =
            rule_printf(ctx, "%.*s", (int)(b.ptr - sd.ptr > 1 ? b.ptr - sd.ptr - 1 : 1), abs);
        if (has_glob(sd)) {
            if (has_glob(str_make(abs, (size_t)(b.ptr - sd.ptr))) || cp->kind == DF_ADD)
                return false; /* a wildcard directory; ADD is checked file by file */
            any_glob = true;
        } else {
            bool is_dir = s.ptr[s.len - 1] == '/' || !strcmp(abs, "/");
            if (!is_dir && !pl->from[0] && rule_context_dir(ctx)) {
                struct stat st;
                const char *p = rule_printf(ctx, "%s/%s", rule_context_dir(ctx), src);
                is_dir = !stat(p, &st) && S_ISDIR(st.st_mode);
            }
            if (cp->kind == DF_ADD && add_may_unpack(ctx, src))
                return false;
            if (is_dir) {
                /* Its contents go to dest: one mount shows exactly them,
                 * and only when it is the sole source. */
                if (n_src != 1)
                    return false;
                pl->srcs[0] = src;
                pl->tgts[0] = pl->dest;
                pl->names[pl->n_names++] = pl->dest;
                pl->n = 1;
                return true;
            }
            if (pl->n == MAX_CREATED || pl->n_names + 1 >= MAX_CREATED)
                return false;
            pl->srcs[pl->n] = src;
            pl->tgts[pl->n] = pl->dest_dir ? resolve(ctx, pl->dest, b) : pl->dest;
            pl->names[pl->n_names++] = rule_printf(ctx, "%.*s", STR_FMT(b));
            pl->n++;
        }
        if (!dir)
            dir = parent;
        else if (strcmp(dir, parent))
            dir = "";
    }
    if (pl->dest_dir)
        pl->names[pl->n_names++] = pl->dest;
    if (!any_glob)
        return pl->n > 0;
    /* Wildcards: the directory that holds every source, mounted at dest,
     * shows the matched files at the same paths (and the rest of that
     * directory beside them). dest must be a directory of its own. */
    if (!dir || !dir[0] || !pl->dest_dir || standard_dir(pl->dest) || pl->from[0])
        return false;
    pl->srcs[0] = dir[1] ? dir + 1 : ".";
    if (!dir_holds_only(ctx, pl->srcs[0], cp))
        return false;
    pl->tgts[0] = pl->dest;
    pl->n = 1;
    return true;
}

static bool plan_named_in(const struct copy_plan *pl, struct str text)
{
    for (uint32_t i = 0; i < pl->n_names; i++)
        if (text_names(text, str_from_cstr(pl->names[i])))
            return true;
    return false;
}

/* How a RUN that gets the mounts treats the files: 0 reads them, 1 writes
 * them in place (the mounts need rw), -1 moves, removes or redirects into
 * them (no fix). skip is the rm node the fix edits. */
static int run_access(const struct copy_plan *pl, const struct df_instr *in,
                      const struct sh_node *skip)
{
    /* Commands that change a file in place; cp, tar, unzip and the
     * like only read the ones named before their destination. */
    static const char *const writers[] = { "chmod", "chown",    "chgrp",    "sed",
                                           "touch", "truncate", "dos2unix", "patch" };
    int acc = 0;
    for (uint32_t k = 0; k < in->script->n_cmds; k++) {
        const struct sh_call *c = &in->script->cmds[k].call;
        if (c->node == skip)
            continue;
        for (const struct sh_redir *r = c->node->redirs; r; r = r->next)
            if (plan_named_in(pl, r->target.raw))
                return -1;
        bool names = false;
        for (uint32_t a = 1; a < c->argc; a++)
            names |= plan_named_in(pl, c->argv[a].raw);
        if (!names)
            continue;
        if (sh_call_is(c, "mv") || sh_call_is(c, "rm") || sh_call_is(c, "rmdir") ||
            sh_call_is(c, "cd") || sh_call_is(c, "pushd"))
            return -1;
        for (size_t j = 0; j < sizeof writers / sizeof writers[0]; j++)
            if (sh_call_is(c, writers[j]))
                acc = 1;
    }
    return acc;
}

/* Whether RUN in has an `rm` whose operand is dir. */
static bool run_removes(struct rule_ctx *ctx, const struct df_instr *in, const char *dir)
{
    if (!in->script)
        return false;
    for (uint32_t k = 0; k < in->script->n_cmds; k++) {
        const struct sh_call *c = &in->script->cmds[k].call;
        if (!sh_call_is(c, "rm"))
            continue;
        for (uint32_t a = 1; a < c->argc; a++) {
            const char *p = resolve(ctx, NULL, c->argv[a].value);
            if (p && !strcmp(p, dir))
                return true;
        }
    }
    return false;
}

static const char *mount_text(const struct copy_plan *pl, bool rw)
{
    const char *t = "";
    for (uint32_t i = 0; i < pl->n; i++)
        t = rule_printf(pl->ctx, "%s--mount=type=bind,%ssource=%s,target=%s%s ", t, pl->from,
                        pl->srcs[i], pl->tgts[i], rw ? ",rw" : "");
    return t;
}

static void add_copy_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_stage *st,
                         const struct df_instr *cp, const struct df_instr *del,
                         const struct sh_node *node, const struct sh_word *op, const char *path,
                         uint32_t n_ops, const char *wd)
{
    const struct df_file *f = rule_file(ctx);
    if (del->parent || !plain_shell_run(del) || node->redirs || node->kind != SH_SIMPLE)
        return;
    /* Not rule_alloc: zeroing the three arrays (6 KiB, filled only up to
     * n and n_names) cost more than the rest of the plan. */
    struct copy_plan *pl = rule_alloc_uninit(ctx, sizeof *pl);
    pl->ctx = ctx;
    pl->from = "";
    pl->dest = NULL;
    pl->dest_dir = false;
    pl->n = 0;
    pl->n_names = 0;
    pl->owned = false;
    if (!plan_mounts(pl, cp, wd))
        return;
    /* The rm must delete everything the COPY made: its directory, or its
     * one file. A directory the base image may fill is not the COPY's. */
    bool one_file = pl->n == 1 && strcmp(pl->tgts[0], pl->dest);
    if (!(pl->dest_dir && !strcmp(path, pl->dest) && !standard_dir(pl->dest)) &&
        !((one_file || !pl->dest_dir) && pl->n == 1 && !strcmp(path, pl->tgts[0])))
        return;
    uint32_t i = 0;
    while (i < st->n_instrs && st->instrs[i] != cp)
        i++;
    uint32_t at_cp = i;
    /* Nothing before the COPY may have put files in its directory (since
     * a RUN last removed it). */
    if (pl->dest_dir && !strcmp(path, pl->dest))
        for (uint32_t k = at_cp; k-- > 0;) {
            const struct df_instr *x = st->instrs[k];
            if (!text_names(str_make(f->src + x->span.start, span_len(x->span)),
                            str_from_cstr(pl->dest)))
                continue;
            if (x->kind != DF_RUN || !run_removes(ctx, x, pl->dest))
                return;
            break;
        }
    struct edit *edits = rule_alloc(ctx, (st->n_instrs + 3) * sizeof *edits);
    uint32_t n = 0;
    struct span cl = whole_lines(f, cp->span);
    edits[n++] = (struct edit){ cl.start, cl.end, STR_LIT("") };
    bool reads = false;
    for (i = at_cp + 1; i < st->n_instrs && st->instrs[i] != del; i++) {
        const struct df_instr *x = st->instrs[i];
        if (!plan_named_in(pl, str_make(f->src + x->span.start, span_len(x->span))))
            continue;
        /* A RUN that reads the files gets the mounts; one that changes
         * them would have to pass the change on, anything else that
         * names them (WORKDIR, COPY --from, ...) sees no mount. */
        if (!plain_shell_run(x) || x->parent || run_access(pl, x, NULL) != 0)
            return;
        reads = true;
        edits[n++] = (struct edit){ x->shell.span.start, x->shell.span.start,
                                    str_from_cstr(mount_text(pl, false)) };
    }
    struct span remove;
    bool whole = false;
    if (!removal_span(f, del, node, &remove, &whole))
        return;
    if (n_ops > 1) {
        /* Drop the operand only, with the blank before it. */
        uint32_t s = op->span.start;
        while (s > node->span.start && (f->src[s - 1] == ' ' || f->src[s - 1] == '\t'))
            s--;
        remove = span_make(s, op->span.end);
        whole = false;
    }
    if (whole) {
        edits[n++] = (struct edit){ remove.start, remove.end, STR_LIT("") };
    } else {
        int acc = run_access(pl, del, node);
        if (acc < 0)
            return;
        reads = true;
        struct str mount = str_from_cstr(mount_text(pl, acc > 0));
        uint32_t at = del->shell.span.start;
        if (remove.start == at) {
            edits[n++] = (struct edit){ remove.start, remove.end, mount };
        } else {
            edits[n++] = (struct edit){ at, at, mount };
            edits[n++] = (struct edit){ remove.start, remove.end, STR_LIT("") };
        }
    }
    /* A bind mount has no owner or mode option: files a step reads keep
     * those of their source. */
    if (reads && pl->owned)
        return;
    rule_finding_fix(rf, FIX_UNSAFE, "read the files from a bind mount instead of copying them",
                     edits, n);
}

/* ---------------------------------------------------------------- deletion */

static void rm_call(struct walk *w, const struct df_stage *st, const struct df_instr *in,
                    const struct sh_call *c, const char *cwd)
{
    struct rule_ctx *ctx = w->ctx;
    uint32_t n_ops = 0;
    const struct sh_word **ops = NULL;
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, NULL);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_OPERAND)
            n_ops++;
    if (!n_ops)
        return;
    ops = rule_alloc(ctx, n_ops * sizeof *ops);
    n_ops = 0;
    sh_arg_iter_init(&it, c, 1, NULL);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_OPERAND)
            ops[n_ops++] = &c->argv[a.index];

    /* The fix needs every operand absolute and created by one RUN. */
    const struct df_instr *only = NULL;
    bool fixable = c->argv == c->node->argv;
    const char **paths = rule_alloc(ctx, n_ops * sizeof *paths);
    struct rule_finding *first = NULL;
    bool mixed_any = false, several = false;
    uint32_t copy_op = 0, n_hit = 0;
    const char *copy_wd = NULL;
    for (uint32_t k = 0; k < n_ops; k++) {
        const struct sh_word *op = ops[k];
        const char *pat = resolve(ctx, cwd, op->value);
        paths[k] = pat;
        if (!pat || op->value.ptr[0] != '/' || has_glob(op->value))
            fixable = false;
        if (!pat) {
            continue;
        }
        const struct created *hit = NULL;
        bool mixed = false;
        for (uint32_t i = 0; i < w->n; i++) {
            struct created *cr = &w->items[i];
            if (!cr->alive || !removes(pat, cr->path))
                continue;
            cr->alive = false;
            if (cr->by == in)
                continue; /* created and deleted in one layer: fine */
            if (hit && hit->by != cr->by)
                mixed = true;
            if (!hit)
                hit = cr;
        }
        if (!hit) {
            fixable = false;
            continue;
        }
        if (mixed || hit->by->kind != DF_RUN || (only && only != hit->by))
            fixable = false;
        mixed_any |= mixed;
        several |= only && only != hit->by;
        only = hit->by;
        copy_op = k;
        copy_wd = hit->wd;
        n_hit++;
        uint32_t line, col;
        df_file_locate(rule_file(ctx), hit->by->keyword.start, &line, &col);
        struct rule_finding *rf =
            str_eq_cstr(op->value, hit->path)
                ? rule_report(ctx, op->span,
                              "'%s' was created in an earlier layer (%s on line %u); deleting "
                              "it here leaves its bytes in that layer",
                              hit->path, hit->how, line)
                : rule_report(ctx, op->span,
                              "'%.*s' deletes '%s', created in an earlier layer (%s on line "
                              "%u); its bytes stay in that layer",
                              STR_FMT(op->value), hit->path, hit->how, line);
        if (!first)
            first = rf;
    }
    if (first && fixable && only && only->kind == DF_RUN)
        add_fix(ctx, first, st, only, in, c->node, paths, n_ops);
    else if (first && n_hit == 1 && !mixed_any && !several && only &&
             (only->kind == DF_COPY || only->kind == DF_ADD) && paths[copy_op] &&
             c->argv == c->node->argv && !has_glob(ops[copy_op]->value))
        add_copy_fix(ctx, first, st, only, in, c->node, ops[copy_op], paths[copy_op], n_ops,
                     copy_wd);
}

static void walk_stage(struct walk *w, const struct df_stage *st)
{
    struct rule_ctx *ctx = w->ctx;
    const char *wd = NULL;
    w->n = 0;
    for (uint32_t i = 0; i < st->n_instrs; i++) {
        const struct df_instr *in = st->instrs[i];
        switch (in->kind) {
        case DF_WORKDIR:
            if (in->n_args == 1) {
                struct str p = in->args[0].raw;
                wd = (p.len && p.ptr[0] == '/') || wd ? resolve(ctx, wd, p) : NULL;
            }
            break;
        case DF_COPY:
        case DF_ADD:
            w->wd = wd;
            copy_created(w, in, wd);
            w->wd = NULL;
            break;
        case DF_RUN: {
            const struct sh_script *s = in->script;
            if (!s)
                break;
            bool cd = false;
            for (uint32_t k = 0; k < s->n_cmds; k++) {
                const struct sh_visit *v = &s->cmds[k];
                const struct sh_call *c = &v->call;
                if (sh_call_is(c, "cd") || sh_call_is(c, "pushd") || sh_call_is(c, "popd"))
                    cd = true;
                if (v->ctx & SH_IN_FUNCTION)
                    continue;
                const char *cwd = cd ? NULL : wd;
                if (sh_call_is(c, "rm"))
                    rm_call(w, st, in, c, cwd);
                else
                    run_created(w, in, c, cwd);
            }
            break;
        }
        default: break;
        }
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    /* items[] is filled only up to n: not zeroed (10 KiB per file). */
    struct walk *w = rule_alloc_uninit(ctx, sizeof *w);
    w->ctx = ctx;
    w->n = 0;
    w->wd = NULL;
    for (uint32_t s = 0; s < m->n_stages; s++)
        if (m->stages[s].is_output)
            walk_stage(w, &m->stages[s]);
}

const struct rule rule_DW204 = {
    .id = "DW204",
    .name = "removed-in-later-layer",
    .severity = SEV_WARNING,
    .category = CAT_CACHE,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a file is deleted in a later layer than the one that created it",
    .on = 0,
    .finish = finish,
    .doc = doc,
    .options = options,
};
