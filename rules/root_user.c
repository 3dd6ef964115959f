/* DW401 root-user: the target stage runs as root, because its last USER
 * (following in-file parent stages) is root or because there is no USER
 * and the base image is not known to switch to another user. The fix
 * (unsafe: the process loses root, so writes to root-owned paths and low
 * ports may fail) creates a system user the way the base image's distro
 * does it and switches to it after the last step that needs root. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a target stage that runs as root: its last USER, looking through\n"
    "in-file parent stages, is `root`, `0`, `root:<group>` or `0:<group>`, or\n"
    "no USER is set and the base image is not known to run as another user\n"
    "(distroless `:nonroot` tags, unprivileged nginx, Bitnami images). An\n"
    "ENTRYPOINT that drops privileges itself (`gosu`, `su-exec`, `setpriv`,\n"
    "`runuser`, `s6-setuidgid`, `chpst -u`) and Windows images are exempt\n"
    "(known by the image name, a PowerShell or cmd SHELL, a drive-letter\n"
    "WORKDIR, or a RUN that starts `choco` or a `.exe`, `.bat` or `.cmd`).\n"
    "\n"
    "## Why is this bad?\n"
    "A process running as root in a container is root on the files it can\n"
    "reach and one kernel bug away from root on the host. Kubernetes\n"
    "`runAsNonRoot` refuses such images.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "COPY . /app\n"
    "CMD [\"python\", \"/app/main.py\"]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 "
    "--gid app --no-create-home app\n"
    "COPY . /app\n"
    "USER 10001:10001\n"
    "CMD [\"python\", \"/app/main.py\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe: the program no longer runs as root, so writes to root-owned\n"
    "paths or binding ports below 1024 may fail. The fix creates a system\n"
    "user early in the stage (Debian and Ubuntu `groupadd`/`useradd --system\n"
    "--no-log-init`, Alpine and BusyBox `addgroup -S`/`adduser -S -D -H`,\n"
    "Fedora-like images `groupadd`/`useradd`, installing shadow-utils first\n"
    "when it is missing) and inserts `USER 10001:10001`\n"
    "after the last RUN, COPY, ADD or USER of the stage, before CMD and\n"
    "ENTRYPOINT. On `scratch` and distroless images it only inserts\n"
    "`USER 65532:65532`. When the Dockerfile already switched to a non-root\n"
    "user earlier, the fix switches back to that user instead. No fix is\n"
    "offered when the base image's distro is unknown.\n";

static const struct rule_alias aliases[] = {
    { "DL3002", NULL },
    { NULL, NULL },
};

enum family { FAM_UNKNOWN, FAM_NUMERIC_ONLY, FAM_DEBIAN, FAM_ALPINE, FAM_FEDORA };

static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

/* The USER text (user part and group) of a USER instruction. */
static struct str user_text(const struct df_instr *in)
{
    if (!in->n_args)
        return STR_NULL;
    return unquote(in->args[0].raw);
}

static bool is_root_user(struct str u)
{
    return str_eq_cstr(u, "root") || str_eq_cstr(u, "0") ||
           str_starts_with(u, str_from_cstr("root:")) || str_starts_with(u, str_from_cstr("0:"));
}

/* The last component of an image repository ("library/python" → "python"). */
static struct str repo_base(struct str repo)
{
    for (size_t i = repo.len; i > 0; i--)
        if (repo.ptr[i - 1] == '/')
            return str_slice(repo, i, repo.len);
    return repo;
}

static bool is_windows(const struct df_image_ref *img)
{
    return str_contains(img->repository, "windows") ||
           str_contains(img->repository, "nanoserver") ||
           str_eq_cstr(img->repository, "microsoft/iis") ||
           str_contains(img->repository, "microsoft/aspnet") ||
           str_contains(img->repository, "dotnet-framework") ||
           str_contains(img->repository, "servercore") ||
           str_contains(img->repository, "dotnet/framework") ||
           str_contains(img->tag, "nanoserver") || str_contains(img->tag, "windowsservercore") ||
           str_contains(img->tag, "ltsc");
}

/* Base images whose config already sets a non-root USER. */
static bool runs_non_root(const struct df_image_ref *img)
{
    return str_contains(img->tag, "nonroot") || str_contains(img->repository, "unprivileged") ||
           str_starts_with(img->repository, str_from_cstr("bitnami/"));
}

static bool is_distroless(const struct df_image_ref *img)
{
    return img->is_scratch || str_contains(img->repository, "distroless");
}

static enum family family_of(const struct df_image_ref *img)
{
    static const char *const debian[] = {
        "debian",  "ubuntu", "python",          "node",  "golang", "ruby",   "php",
        "perl",    "rust",   "openjdk",         "gcc",   "nginx",  "httpd",  "buildpack-deps",
        "elixir",  "erlang", "eclipse-temurin", "maven", "gradle", "julia",  "r-base",
        "haskell", "swift",  "clojure",         "mono",  "pypy",   "django", NULL,
    };
    static const char *const fedora[] = {
        "fedora", "centos", "rockylinux",  "almalinux",    "oraclelinux",  "amazonlinux",   "ubi8",
        "ubi9",   "ubi",    "ubi-minimal", "ubi8-minimal", "ubi9-minimal", "centos-stream", NULL,
    };
    if (!img->valid)
        return FAM_UNKNOWN;
    if (is_distroless(img))
        return FAM_NUMERIC_ONLY;
    struct str base = repo_base(img->repository);
    if (str_eq_cstr(base, "alpine") || str_eq_cstr(base, "busybox") ||
        str_contains(img->tag, "alpine"))
        return FAM_ALPINE;
    for (size_t i = 0; fedora[i]; i++)
        if (str_eq_cstr(base, fedora[i]))
            return FAM_FEDORA;
    for (size_t i = 0; debian[i]; i++)
        if (str_eq_cstr(base, debian[i]))
            return FAM_DEBIAN;
    static const char *const codenames[] = { "slim",  "bookworm", "bullseye", "buster", "trixie",
                                             "jammy", "noble",    "focal",    NULL };
    for (size_t i = 0; codenames[i]; i++)
        if (str_contains(img->tag, codenames[i]))
            return FAM_DEBIAN;
    return FAM_UNKNOWN;
}

/* The text of a CMD/ENTRYPOINT as one string, for the privilege-drop test. */
static bool drops_privileges(struct rule_ctx *ctx, const struct df_instr *in)
{
    static const char *const tools[] = { "gosu",         "su-exec", "setpriv", "runuser",
                                         "s6-setuidgid", "chpst",   NULL };
    struct str text = in->shell.raw;
    if (in->form == DF_FORM_EXEC) {
        const char *joined = "";
        for (uint32_t i = 0; i < in->n_exec; i++)
            joined =
                rule_printf(ctx, "%s %.*s", joined, (int)in->exec[i].raw.len, in->exec[i].raw.ptr);
        text = str_from_cstr(joined);
    }
    for (size_t i = 0; tools[i]; i++)
        if (str_contains(text, tools[i]))
            return true;
    return false;
}

/* Offset of the start of the line after the one holding offset off - 1
 * (an instruction's span end); the file length when it is the last line. */
static uint32_t line_after(const struct df_file *f, uint32_t off, bool *at_eof)
{
    *at_eof = false;
    if (off > 0 && f->src[off - 1] == '\n')
        return off;
    while (off < f->len && f->src[off] != '\n')
        off++;
    if (off < f->len)
        return off + 1;
    *at_eof = true;
    return f->len;
}

struct walk {
    const struct df_instr *last_user;    /* the USER in effect, or NULL */
    const struct df_instr *earlier_user; /* a non-root USER before a root one, or NULL */
    const struct df_instr *entrypoint;   /* the ENTRYPOINT in effect, or NULL */
    bool creates_users;                  /* a RUN runs useradd/adduser */
    bool windows_hint; /* a SHELL runs PowerShell or cmd, a WORKDIR is a drive path, or a
                          RUN starts choco or a .exe/.bat/.cmd program */
    const struct df_image_ref *root_image;
};

static bool ends_with_nocase(struct str s, const char *suffix)
{
    struct str suf = str_from_cstr(suffix);
    return s.len > suf.len && str_eq_nocase(str_slice(s, s.len - suf.len, s.len), suf);
}

/* A RUN that starts Chocolatey or a Windows program (`.exe`, `.bat`,
 * `.cmd`) only works on a Windows image; FROM stefanscherer/chocolatey
 * names no Windows repository or tag. */
static bool runs_windows_program(const struct df_instr *in)
{
    const struct sh_script *s = in->script;
    if (!s)
        return false;
    for (uint32_t i = 0; i < s->n_cmds; i++) {
        struct str name = sh_call_name(&s->cmds[i].call);
        if (str_eq_cstr(name, "choco") || ends_with_nocase(name, ".exe") ||
            ends_with_nocase(name, ".bat") || ends_with_nocase(name, ".cmd"))
            return true;
    }
    return false;
}

static bool runs_user_tool(const struct df_instr *in)
{
    const struct sh_script *s = in->script;
    if (!s)
        return false;
    for (uint32_t i = 0; i < s->n_cmds; i++) {
        const struct sh_call *c = &s->cmds[i].call;
        if (sh_call_is(c, "useradd") || sh_call_is(c, "adduser") || sh_call_is(c, "groupadd") ||
            sh_call_is(c, "addgroup"))
            return true;
    }
    return false;
}

/* Follows the target and its in-file parents, newest instruction first. */
static void walk_chain(const struct df_model *m, int stage, struct walk *w)
{
    memset(w, 0, sizeof *w);
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages;
         steps++) {
        const struct df_stage *st = &m->stages[stage];
        for (uint32_t i = st->n_instrs; i > 0; i--) {
            const struct df_instr *x = st->instrs[i - 1];
            if (x->kind == DF_USER) {
                if (!w->last_user)
                    w->last_user = x;
                else if (!w->earlier_user && !is_root_user(user_text(x)))
                    w->earlier_user = x;
            } else if (x->kind == DF_ENTRYPOINT && !w->entrypoint) {
                w->entrypoint = x;
            } else if (x->kind == DF_RUN) {
                w->creates_users = w->creates_users || runs_user_tool(x);
                w->windows_hint = w->windows_hint || runs_windows_program(x);
            } else if (x->kind == DF_SHELL && x->n_exec) {
                struct str sh = x->exec[0].raw;
                w->windows_hint = w->windows_hint || str_contains(sh, "powershell") ||
                                  str_contains(sh, "pwsh") || str_contains(sh, "cmd");
            } else if (x->kind == DF_WORKDIR && x->n_args) {
                struct str d = unquote(x->args[0].raw);
                w->windows_hint = w->windows_hint || (d.len >= 2 && d.ptr[1] == ':');
            }
        }
        if (st->base_stage < 0) {
            w->root_image = st->from ? &st->from->image : NULL;
            return;
        }
        stage = st->base_stage;
    }
}

static const char *create_user_cmd(enum family fam)
{
    switch (fam) {
    case FAM_DEBIAN:
        return "RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid "
               "10001 --gid app --no-create-home app";
    case FAM_FEDORA:
        /* Minimal RHEL-like images (ubi-minimal, amazonlinux:2023) ship
         * without shadow-utils. */
        return "RUN { command -v useradd >/dev/null 2>&1 || dnf install -y shadow-utils || "
               "microdnf install -y shadow-utils || yum install -y shadow-utils; } && groupadd "
               "--system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid "
               "app --no-create-home app";
    case FAM_ALPINE: return "RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app";
    default: return NULL;
    }
}

static void add_fix(struct rule_ctx *ctx, struct rule_finding *fd, const struct df_stage *st,
                    const struct walk *w)
{
    const struct df_file *f = rule_file(ctx);
    const char *nl = f->crlf ? "\r\n" : "\n";
    const char *user_line = NULL;
    const char *create = NULL;
    if (w->earlier_user) {
        struct str u = user_text(w->earlier_user);
        user_line = rule_printf(ctx, "USER %.*s", (int)u.len, u.ptr);
    } else {
        enum family fam = family_of(w->root_image);
        if (fam == FAM_UNKNOWN || (fam != FAM_NUMERIC_ONLY && w->creates_users))
            return;
        if (fam == FAM_NUMERIC_ONLY) {
            user_line = "USER 65532:65532";
        } else {
            create = create_user_cmd(fam);
            user_line = "USER 10001:10001";
        }
    }
    /* The switch goes after the last step that needs root. */
    const struct df_instr *after = st->from;
    for (uint32_t i = 0; i < st->n_instrs; i++) {
        const struct df_instr *x = st->instrs[i];
        if (x->kind == DF_RUN || x->kind == DF_COPY || x->kind == DF_ADD || x->kind == DF_USER)
            after = x;
    }
    /* After a step the parser could not read whole (an unterminated
     * heredoc runs to the end of the file) the USER line would be read as
     * part of it: the stage would still run as root, the finding would
     * come back and the fix never settle. */
    if (after->has_syntax_error)
        return;
    bool eof = false, eof2 = false;
    uint32_t at_user = line_after(f, after->span.end, &eof);
    uint32_t at_create = line_after(f, st->from->span.end, &eof2);
    struct edit edits[2];
    uint32_t n = 0;
    if (create && at_create == at_user) {
        edits[n++] =
            (struct edit){ at_user, at_user,
                           str_from_cstr(rule_printf(ctx, "%s%s%s%s%s", eof ? nl : "", create, nl,
                                                     user_line, eof ? "" : nl)) };
    } else {
        if (create)
            edits[n++] = (struct edit){ at_create, at_create,
                                        str_from_cstr(rule_printf(ctx, "%s%s%s", eof2 ? nl : "",
                                                                  create, eof2 ? "" : nl)) };
        edits[n++] = (struct edit){ at_user, at_user,
                                    str_from_cstr(rule_printf(ctx, "%s%s%s", eof ? nl : "",
                                                              user_line, eof ? "" : nl)) };
    }
    rule_finding_fix(fd, FIX_UNSAFE, rule_printf(ctx, "switch to a non-root user (%s)", user_line),
                     edits, n);
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    if (m->target_stage < 0 || (uint32_t)m->target_stage >= m->n_stages)
        return;
    const struct df_stage *st = &m->stages[m->target_stage];
    if (!st->from || st->from->has_syntax_error)
        return;
    struct walk w;
    walk_chain(m, m->target_stage, &w);
    if (!w.root_image || is_windows(w.root_image) || w.windows_hint || m->escape == '`')
        return;
    if (w.entrypoint && drops_privileges(ctx, w.entrypoint))
        return;
    struct rule_finding *fd;
    if (w.last_user) {
        struct str u = user_text(w.last_user);
        if (!is_root_user(u))
            return;
        fd = rule_report(ctx, w.last_user->args[0].span,
                         "the target stage runs as root: its last USER is '%.*s'; switch to a "
                         "non-root user after the steps that need root",
                         (int)u.len, u.ptr);
    } else {
        if (runs_non_root(w.root_image) || w.root_image->has_variables)
            return;
        const struct df_text *img = &w.root_image->text;
        fd = rule_report(ctx, st->from->n_args ? st->from->args[0].span : st->from->keyword,
                         "the target stage runs as root: no USER is set and base image '%.*s' "
                         "runs as root",
                         (int)img->raw.len, img->raw.ptr);
    }
    if (fd)
        add_fix(ctx, fd, st, &w);
}

const struct rule rule_DW401 = {
    .id = "DW401",
    .name = "root-user",
    .severity = SEV_WARNING,
    .category = CAT_SECURITY,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "the target stage runs as root",
    .aliases = aliases,
    .finish = finish,
    .doc = doc,
};
