/* DW118 pipe-without-pipefail: a shell-form RUN pipes commands while
 * pipefail is off, so a failure left of the last `|` is lost (hadolint
 * DL4006). pipefail is on when the SHELL in effect passes `-o pipefail`
 * (SHELL resets at FROM and follows in-file parents) or when `set -o
 * pipefail` ran earlier in the same shell (the shell reader answers that,
 * also for `sh -c` scripts and heredoc bodies fed to a shell, which start
 * a shell of their own without the SHELL's options). Exempt: non-POSIX
 * shells, pipelines whose left-hand commands cannot fail in a way that
 * matters (echo, printf, yes, true, cat of a heredoc) and heredoc scripts
 * with a shebang. One finding per RUN, at its first unprotected pipe. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a shell-form RUN (or `ONBUILD RUN`) that contains a pipeline\n"
    "while pipefail is off: the SHELL in effect (set in the stage or an\n"
    "in-file parent, else `/bin/sh -c`) does not pass `-o pipefail`, and no\n"
    "`set -o pipefail` (alone or among other options, as in `set -eux -o\n"
    "pipefail`) ran before the pipeline in the same shell. A `sh -c` script\n"
    "or a heredoc fed to `bash` starts a shell of its own and needs its own\n"
    "`set -o pipefail`. Exempt: a SHELL or `# dockwright shell=` pragma naming\n"
    "pwsh, powershell or cmd, and Windows base images without a SHELL (their\n"
    "default shell is cmd); pipelines whose left-hand commands are only\n"
    "`echo`, `printf`, `yes`, `true` or `cat` of a heredoc; heredoc scripts\n"
    "with a shebang line.\n"
    "\n"
    "## Why is this bad?\n"
    "A pipeline's status is that of its last command. In `curl -fsSL $URL |\n"
    "tar -xz`, a failed download gives `tar` an empty input; depending on the\n"
    "command the step then succeeds and the image is built without the files.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
    "RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. When no SHELL is in effect and the stage's base image is known\n"
    "to ship bash (Debian, Ubuntu, Fedora and the official language images)\n"
    "or BusyBox ash (Alpine, BusyBox, `-alpine` tags), the fix inserts\n"
    "`SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (or `/bin/ash`) before\n"
    "the first such RUN of the stage. Every later shell-form RUN, CMD and\n"
    "ENTRYPOINT of the stage and of stages built on it then runs with that\n"
    "shell, and a pipeline that used to pass may now fail the build.\n";

static const struct rule_alias aliases[] = {
    { "DL4006", NULL },
    { NULL, NULL },
};

/* Per file: which stages got a fix already (one SHELL per stage). */
struct state {
    bool *fixed;
};

static struct str base_name(struct str s)
{
    for (size_t i = s.len; i > 0; i--)
        if (s.ptr[i - 1] == '/' || s.ptr[i - 1] == '\\')
            return str_slice(s, i, s.len);
    return s;
}

static bool non_posix(struct str exe)
{
    static const char *const names[] = {
        "pwsh", "pwsh.exe", "powershell", "powershell.exe", "cmd", "cmd.exe",
    };
    struct str b = base_name(exe);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (str_eq_nocase(b, str_from_cstr(names[i])))
            return true;
    return false;
}

/* Whether a SHELL array passes -o pipefail: `-o pipefail`, `-opipefail`,
 * or a cluster ending in o (`-euo pipefail`). */
static bool shell_has_pipefail(const struct df_instr *sh)
{
    for (uint32_t i = 1; i < sh->n_exec; i++) {
        struct str a = sh->exec[i].raw;
        if (str_eq_cstr(a, "-opipefail"))
            return true;
        if (a.len >= 2 && a.ptr[0] == '-' && a.ptr[1] != '-' && a.ptr[a.len - 1] == 'o' &&
            i + 1 < sh->n_exec && str_eq_cstr(sh->exec[i + 1].raw, "pipefail"))
            return true;
    }
    return false;
}

/* The last SHELL of stage s before `before` (NULL: the whole stage),
 * else that of its in-file parents; NULL when the default shell applies. */
static const struct df_instr *shell_in_effect(const struct df_model *m, int s,
                                              const struct df_instr *before)
{
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        const struct df_instr *found = NULL;
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *in = st->instrs[i];
            if (in == before)
                break;
            if (in->kind == DF_SHELL && !in->parent && in->form == DF_FORM_EXEC && in->n_exec &&
                !in->exec_non_string)
                found = in;
        }
        if (found)
            return found;
        before = NULL;
        s = st->base_stage;
    }
    return NULL;
}

/* Whether the stage's root image is a Windows one, whose default shell is
 * cmd: Microsoft's Windows and .NET Framework images, and the
 * `windowsservercore` / `nanoserver` tags of official images. */
static bool windows_base(const struct df_model *m, int s)
{
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        if (st->base_stage >= 0) {
            s = st->base_stage;
            continue;
        }
        if (!st->from)
            return false;
        const struct df_image_ref *img = &st->from->image;
        struct str repo = img->repository, tag = img->tag;
        if (img->registry.ptr && str_eq_nocase(img->registry, STR_LIT("mcr.microsoft.com")) &&
            repo.ptr &&
            (str_starts_with(repo, STR_LIT("windows")) ||
             str_starts_with(repo, STR_LIT("dotnet/framework/"))))
            return true;
        if (repo.ptr && (str_eq_cstr(repo, "microsoft/windowsservercore") ||
                         str_eq_cstr(repo, "microsoft/nanoserver")))
            return true;
        for (size_t i = 0; tag.ptr && i < tag.len; i++)
            if (str_starts_with(str_slice(tag, i, tag.len), STR_LIT("windowsservercore")) ||
                str_starts_with(str_slice(tag, i, tag.len), STR_LIT("nanoserver")))
                return true;
        return false;
    }
    return false;
}

/* ------------------------------------------------------------ pipelines */

static bool cat_of_heredoc(const struct sh_node *n)
{
    for (uint32_t i = 1; i < n->argc; i++)
        if (!n->argv[i].value.len || n->argv[i].value.ptr[0] != '-')
            return false;
    for (const struct sh_redir *r = n->redirs; r; r = r->next)
        if (r->kind == SH_REDIR_HEREDOC || r->kind == SH_REDIR_HEREDOC_TABS ||
            r->kind == SH_REDIR_HERESTRING)
            return true;
    return false;
}

/* A left-hand command whose failure a pipeline can lose without harm. */
static bool harmless(const struct sh_node *n)
{
    if (n->kind != SH_SIMPLE || !n->argc)
        return false;
    struct sh_call c = { n, n->argv, n->argc };
    if (sh_call_is(&c, "echo") || sh_call_is(&c, "printf") || sh_call_is(&c, "yes") ||
        sh_call_is(&c, "true"))
        return true;
    return sh_call_is(&c, "cat") && cat_of_heredoc(n);
}

static bool left_side_harmless(const struct sh_node *p)
{
    for (uint32_t k = 0; k + 1 < p->n_kids; k++)
        if (!harmless(p->kids[k]))
            return false;
    return true;
}

/* The `|` (or `|&`) before kid k of pipeline p: the first non-blank byte
 * before the kid, looking past line continuations. */
static struct span pipe_span(const struct df_file *f, const struct sh_node *p, uint32_t k)
{
    uint32_t lo = p->kids[k - 1]->span.start;
    uint32_t i = p->kids[k]->span.start;
    for (uint32_t steps = 0; i > lo && steps < 4096; steps++) {
        char c = f->src[i - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == (char)f->model.escape) {
            i--;
            continue;
        }
        if (c == '|')
            return span_make(i - 1, i);
        if (c == '&' && i - 1 > lo && f->src[i - 2] == '|')
            return span_make(i - 2, i);
        break;
    }
    return p->kids[k]->span;
}

/* What failed, for messages: "'curl'" for a simple command, else a
 * description of the compound command. */
static const char *element_name(struct rule_ctx *ctx, const struct sh_node *n)
{
    if (n->kind == SH_SIMPLE && n->argc) {
        struct sh_call c = { n, n->argv, n->argc };
        struct str name = sh_call_name(&c);
        return rule_printf(ctx, "'%.*s'", (int)(name.len > 60 ? 60 : name.len), name.ptr);
    }
    return "the commands";
}

#define MAX_PIPELINES 64

struct found {
    const struct sh_node *pipeline;
    bool same_shell; /* in the RUN's own shell (the SHELL applies) */
};

/* The first pipeline of script s that pipefail does not cover. top_shell:
 * s is the RUN's own script, run by the SHELL in effect; shell_pipefail:
 * that SHELL passes -o pipefail. */
static bool first_unprotected(const struct sh_script *s, bool top_shell, bool shell_pipefail,
                              struct found *out)
{
    /* sh_pipefail_before is linear in the script's commands, so the number
     * of pipelines judged is capped to keep huge generated RUNs fast; the
     * elements of one pipeline are visited one after the other. */
    const struct sh_node *last = NULL;
    uint32_t judged = 0;
    for (uint32_t i = 0; i < s->n_cmds && judged < MAX_PIPELINES; i++) {
        const struct sh_visit *v = &s->cmds[i];
        if (!(v->ctx & SH_IN_PIPELINE))
            continue;
        uint32_t idx;
        const struct sh_node *p = sh_pipeline_of(v->call.node, &idx);
        if (!p || p->n_kids < 2 || p == last)
            continue;
        last = p;
        judged++;
        bool same = top_shell && v->script == s;
        if (same && shell_pipefail)
            continue;
        if (sh_pipefail_before(s, p) || left_side_harmless(p))
            continue;
        out->pipeline = p;
        out->same_shell = same;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ fix */

/* The repository of an image as Docker Hub names it (`library/` dropped),
 * when the reference is a Docker Hub one without variables. */
static bool hub_repository(const struct df_image_ref *img, struct str *repo)
{
    if (img->has_variables || !img->valid || img->is_scratch || !img->repository.ptr)
        return false;
    if (img->registry.ptr && !str_eq_cstr(img->registry, "docker.io") &&
        !str_eq_cstr(img->registry, "index.docker.io") &&
        !str_eq_cstr(img->registry, "registry-1.docker.io"))
        return false;
    *repo = img->repository;
    if (str_starts_with(*repo, STR_LIT("library/")))
        *repo = str_slice(*repo, 8, repo->len);
    return true;
}

/* The shell the stage's base image is known to ship with pipefail
 * support: "/bin/bash", "/bin/ash", or NULL when unknown. */
static const char *known_shell(const struct df_model *m, int s)
{
    static const char *const ash_images[] = { "alpine", "busybox" };
    static const char *const bash_images[] = {
        "debian",          "ubuntu",      "fedora",    "centos",         "rockylinux", "almalinux",
        "amazonlinux",     "oraclelinux", "archlinux", "buildpack-deps", "python",     "node",
        "golang",          "ruby",        "php",       "perl",           "rust",       "openjdk",
        "eclipse-temurin", "maven",       "gradle",    "nginx",          "httpd",      "postgres",
        "redis",
    };
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        if (st->base_stage >= 0) {
            s = st->base_stage;
            continue;
        }
        struct str repo;
        if (!st->from || !hub_repository(&st->from->image, &repo))
            return NULL;
        struct str tag = st->from->image.tag;
        if (tag.ptr && (str_contains(tag, "windowsservercore") || str_contains(tag, "nanoserver")))
            return NULL;
        for (size_t i = 0; i < sizeof ash_images / sizeof ash_images[0]; i++)
            if (str_eq_cstr(repo, ash_images[i]))
                return "/bin/ash";
        for (size_t i = 0; i < sizeof bash_images / sizeof bash_images[0]; i++)
            if (str_eq_cstr(repo, bash_images[i]))
                return tag.ptr && str_contains(tag, "alpine") ? "/bin/ash" : "/bin/bash";
        return NULL;
    }
    return NULL;
}

/* Where to insert a line before `in`: the start of its line, or of the
 * comment lines directly above it (pragmas stay with the RUN). */
static uint32_t insert_point(const struct df_file *f, const struct df_instr *in, struct str *indent)
{
    uint32_t at = in->span.start;
    while (at > 0 && (f->src[at - 1] == ' ' || f->src[at - 1] == '\t'))
        at--;
    *indent = str_make(f->src + at, in->span.start - at);
    const struct df_model *m = &f->model;
    for (;;) {
        if (at == 0)
            break;
        /* The line before: is it one of the model's comment lines? */
        uint32_t prev_end = at - 1; /* the '\n' ending the previous line */
        bool matched = false;
        for (uint32_t i = 0; i < m->n_comments; i++) {
            struct span c = m->comments[i];
            uint32_t e = c.end;
            if (e < f->len && f->src[e] == '\r')
                e++;
            if (e != prev_end)
                continue;
            uint32_t ls = c.start;
            while (ls > 0 && f->src[ls - 1] != '\n')
                ls--;
            at = ls;
            matched = true;
            break;
        }
        if (!matched)
            break;
    }
    return at;
}

static void add_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    struct state *st = rule_state(ctx);
    /* The SHELL line must become an instruction of its own: in a file the
     * parser could not fully read it may land inside a broken region and
     * change nothing, and the fix would repeat forever. */
    if (in->parent || in->stage < 0 || (uint32_t)in->stage >= m->n_stages || m->n_syntax_errors)
        return;
    if (!st->fixed) {
        st->fixed = rule_alloc(ctx, m->n_stages * sizeof *st->fixed);
        memset(st->fixed, 0, m->n_stages * sizeof *st->fixed);
    }
    /* One SHELL per stage, and none when a stage it is built on gets one
     * in the same pass (the inherited SHELL covers it). */
    int s = in->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        if (st->fixed[s])
            return;
        s = m->stages[s].base_stage;
    }
    const char *shell = known_shell(m, in->stage);
    if (!shell)
        return;
    st->fixed[in->stage] = true;
    struct str indent;
    uint32_t at = insert_point(f, in, &indent);
    const char *text = rule_printf(ctx, "%.*sSHELL [\"%s\", \"-o\", \"pipefail\", \"-c\"]%s",
                                   STR_FMT(indent), shell, f->crlf ? "\r\n" : "\n");
    struct edit e = { at, at, str_from_cstr(text) };
    /* The title names the stage: the fix engine tells fixes apart across
     * passes by title and replaced text, and inserts replace nothing. */
    const struct df_stage *stage = &m->stages[in->stage];
    const char *title =
        stage->name.ptr
            ? rule_printf(ctx, "run the RUNs of stage '%.*s' with %s -o pipefail",
                          STR_FMT(stage->name), shell)
            : rule_printf(ctx, "run the RUNs of stage %u with %s -o pipefail", stage->index, shell);
    rule_finding_fix(rf, FIX_UNSAFE, title, &e, 1);
}

/* ---------------------------------------------------------------- check */

static bool has_shebang(const struct df_file *f, const struct sh_script *s,
                        const struct df_instr *in)
{
    for (uint32_t h = 0; h < in->n_heredocs; h++) {
        const struct df_heredoc *d = &in->heredocs[h];
        if (d->script == s && span_len(d->body) >= 2 && f->src[d->body.start] == '#' &&
            f->src[d->body.start + 1] == '!')
            return true;
    }
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (in->form != DF_FORM_SHELL)
        return;
    if (m->shell_pragma.raw.ptr && non_posix(m->shell_pragma.raw))
        return;
    /* A trigger runs in a downstream build, whose shell is the one this
     * stage leaves in the image config: its last SHELL. */
    const struct df_instr *sh = shell_in_effect(m, in->stage, in->parent ? NULL : in);
    if (sh ? non_posix(sh->exec[0].raw) : windows_base(m, in->stage))
        return;
    bool shell_pipefail = sh && shell_has_pipefail(sh);

    struct found fd;
    bool hit = false;
    if (in->script && !has_shebang(f, in->script, in))
        hit = first_unprotected(in->script, true, shell_pipefail, &fd);
    for (uint32_t h = 0; !hit && h < in->n_heredocs; h++) {
        const struct sh_script *s = in->heredocs[h].script;
        if (s && s != in->script && !has_shebang(f, s, in))
            hit = first_unprotected(s, false, false, &fd);
    }
    if (!hit)
        return;
    const struct sh_node *p = fd.pipeline;
    const char *left = element_name(ctx, p->kids[0]);
    struct span at = pipe_span(f, p, 1);
    struct rule_finding *rf;
    if (fd.same_shell)
        rf = rule_report(ctx, at,
                         "pipe without pipefail: a failure of %s before '|' does not fail the "
                         "build, only the status of the last command counts",
                         left);
    else
        rf = rule_report(ctx, at,
                         "pipe without pipefail in a shell started by the RUN: a failure of "
                         "%s before '|' is lost (that shell needs its own 'set -o pipefail')",
                         left);
    if (rf && fd.same_shell && !sh)
        add_fix(ctx, rf, in);
}

const struct rule rule_DW118 = {
    .id = "DW118",
    .name = "pipe-without-pipefail",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a RUN pipeline without pipefail loses failures left of '|'",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
