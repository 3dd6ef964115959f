/* DW326 go-install-unpinned: `go install`, `go get` or `go run` fetches a
 * remote module path without a version, or with a moving one (@latest,
 * @master, @main) (hadolint DL3062). A path is remote when its first
 * element holds a dot (a host name), as the go command decides; local
 * packages (`.`, `./...`, `./cmd/x`), standard-library packages and .go
 * files are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports `go install`, `go get` and `go run` given a remote package path\n"
    "(its first element is a host name: `github.com/...`, `golang.org/x/...`)\n"
    "without `@version`, or with the moving versions `@latest`, `@master` or\n"
    "`@main`. Local packages (`.`, `./...`, `../x`, absolute paths), `.go`\n"
    "files and standard-library packages are exempt, and so is a version\n"
    "taken from a variable. For `go run` only the package is checked; the\n"
    "words after it are the program's arguments.\n"
    "\n"
    "`go install pkg` and `go run pkg` without a version are also left alone\n"
    "when the RUN sees a main module: go.mod or go.work copied earlier in the\n"
    "stage (or a stage it is built on), a whole directory copied (`COPY . .`),\n"
    "or a bind mount of them or of the context. There they build the version\n"
    "go.mod requires (and since Go 1.16 they refuse to run without a version\n"
    "outside a module). `go get pkg` always resolves the newest release and\n"
    "is reported.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a fixed version the go command resolves the newest release (or\n"
    "branch head) at build time: rebuilding the same Dockerfile gives another\n"
    "binary, and a breaking release upstream breaks the build.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM golang:1.22\n"
    "RUN go install golang.org/x/tools/gopls@latest\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM golang:1.22\n"
    "RUN go install golang.org/x/tools/gopls@v0.16.1\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3062", NULL },
    { NULL, NULL },
};

/* Build flags of the go command that take the next word as their value
 * when written without '=' (go reads -flag and --flag alike). */
static bool takes_value(struct str name)
{
    static const char *const names[] = {
        "o",        "p",         "C",        "tags",       "ldflags",
        "gcflags",  "asmflags",  "mod",      "modfile",    "pkgdir",
        "toolexec", "buildmode", "compiler", "gccgoflags", "installsuffix",
        "overlay",  "pgo",       "exec",     "covermode",  "coverpkg",
        NULL,
    };
    for (size_t i = 0; names[i]; i++)
        if (str_eq_cstr(name, names[i]))
            return true;
    return false;
}

/* Whether path names a package of a remote module: not a local path, and
 * its first element contains a dot. */
static bool remote_path(struct str path)
{
    if (!path.len || path.ptr[0] == '.' || path.ptr[0] == '/' || path.ptr[0] == '~' ||
        str_ends_with(path, STR_LIT(".go")))
        return false;
    long slash = str_find_char(path, '/', 0);
    struct str first = slash < 0 ? path : str_slice(path, 0, (size_t)slash);
    return str_find_char(first, '.', 0) > 0 && str_find_char(first, '$', 0) < 0;
}

/* Whether a COPY/ADD source or a bind mount path brings the module
 * files: go.mod or go.work by name, or a whole directory (`.`). */
static bool module_source(struct str s)
{
    while (s.len > 1 && s.ptr[s.len - 1] == '/')
        s.len--;
    if (str_eq_cstr(s, ".") || str_eq_cstr(s, "*") || str_eq_cstr(s, "/"))
        return true;
    long slash = -1;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '/')
            slash = (long)i;
    struct str base = str_slice(s, (size_t)(slash + 1), s.len);
    return str_starts_with(base, STR_LIT("go.mod")) || str_starts_with(base, STR_LIT("go.work")) ||
           str_starts_with(base, STR_LIT("go.*"));
}

/* Per file: for each stage, the index of its first COPY/ADD that brings
 * module files (UINT32_MAX: none), computed on first use. */
struct state {
    const uint32_t *first_module_copy;
};

static const uint32_t *first_module_copy(struct rule_ctx *ctx)
{
    struct state *st = rule_state(ctx);
    if (st->first_module_copy)
        return st->first_module_copy;
    const struct df_model *m = rule_model(ctx);
    uint32_t *first = rule_alloc(ctx, ((size_t)m->n_stages + 1) * sizeof *first);
    for (uint32_t s = 0; s < m->n_stages; s++) {
        first[s] = UINT32_MAX;
        for (uint32_t i = 0; i < m->stages[s].n_instrs && first[s] == UINT32_MAX; i++) {
            const struct df_instr *o = m->stages[s].instrs[i];
            if (o->kind != DF_COPY && o->kind != DF_ADD)
                continue;
            const struct df_text *words = o->form == DF_FORM_EXEC ? o->exec : o->args;
            uint32_t nw = o->form == DF_FORM_EXEC ? o->n_exec : o->n_args;
            for (uint32_t k = 0; k + 1 < nw; k++)
                if (module_source(words[k].raw))
                    first[s] = o->index;
        }
    }
    st->first_module_copy = first;
    return first;
}

/* Whether the RUN sees a main module: a bind mount of go.mod/go.work or of
 * the whole context, or a COPY/ADD of them (or of a directory) earlier in
 * the stage or the stages it is built on. There `go install pkg` and `go
 * run pkg` without a version build the versions go.mod requires (since Go
 * 1.16 they fail outside a module instead of fetching the latest). */
static bool module_context(struct rule_ctx *ctx, const struct df_instr *in)
{
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        if (!str_eq_cstr(fl->name.raw, "mount"))
            continue;
        bool bind = true, has_source = false, mod = false;
        for (uint32_t k = 0; k < fl->n_mount; k++) {
            struct str key = fl->mount[k].key.raw, val = fl->mount[k].value.raw;
            if (str_eq_cstr(key, "type"))
                bind = val.ptr && str_eq_cstr(val, "bind");
            else if (val.ptr && (str_eq_cstr(key, "source") || str_eq_cstr(key, "src"))) {
                has_source = true;
                mod = mod || module_source(val);
            } else if (val.ptr && (str_eq_cstr(key, "target") || str_eq_cstr(key, "dst") ||
                                   str_eq_cstr(key, "destination")))
                mod = mod || module_source(val);
        }
        if (bind && (mod || !has_source))
            return true;
    }
    if (in->parent)
        return false;
    const struct df_model *m = rule_model(ctx);
    const uint32_t *first = first_module_copy(ctx);
    int s = in->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        /* A stage built upon counts whole. */
        if (first[s] != UINT32_MAX && (hops > 0 || first[s] < in->index))
            return true;
        s = m->stages[s].base_stage;
    }
    return false;
}

static void check_word(struct rule_ctx *ctx, const struct df_instr *in, struct str sub,
                       const struct sh_word *w)
{
    struct str v = w->value;
    long at = str_find_char(v, '@', 0);
    struct str path = at < 0 ? v : str_slice(v, 0, (size_t)at);
    if (!remote_path(path))
        return;
    /* A variable elsewhere in the path does not pin it: `@latest` written
     * out is still moving. A variable in the version counts as a pin. */
    if (pm_word_dynamic(w) && (at < 0 || str_find_char(v, '$', (size_t)at) >= 0))
        return;
    if (at < 0) {
        if (!str_eq_cstr(sub, "get") && module_context(ctx, in))
            return;
        rule_report(ctx, w->span, "'go %.*s' fetches '%.*s' without a version: append '@<version>'",
                    STR_FMT(sub), STR_FMT(v));
        return;
    }
    struct str ver = str_slice(v, (size_t)at + 1, v.len);
    if (str_eq_cstr(ver, "latest") || str_eq_cstr(ver, "master") || str_eq_cstr(ver, "main"))
        rule_report(ctx, w->span,
                    "'go %.*s' fetches '%.*s' at the moving version '%.*s': pin a release "
                    "tag or commit",
                    STR_FMT(sub), STR_FMT(v), STR_FMT(ver));
}

static void check_call(struct rule_ctx *ctx, const struct df_instr *in, const struct sh_call *c)
{
    if (!sh_call_is(c, "go") || c->argc < 2)
        return;
    const struct sh_word *subw = &c->argv[1];
    bool run = sh_word_is(subw, "run");
    if (!run && !sh_word_is(subw, "install") && !sh_word_is(subw, "get"))
        return;
    for (uint32_t i = 2; i < c->argc; i++) {
        const struct sh_word *w = &c->argv[i];
        struct str v = w->value;
        if (str_eq_cstr(v, "--")) {
            for (i++; i < c->argc; i++) {
                check_word(ctx, in, subw->value, &c->argv[i]);
                if (run)
                    return;
            }
            return;
        }
        if (v.len > 1 && v.ptr[0] == '-') {
            struct str name = str_slice(v, v.ptr[1] == '-' ? 2 : 1, v.len);
            if (str_find_char(name, '=', 0) < 0 && takes_value(name))
                i++;
            continue;
        }
        check_word(ctx, in, subw->value, w);
        if (run)
            return; /* the rest are the program's arguments */
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++)
        check_call(ctx, in, &cmds[i]->call);
}

const struct rule rule_DW326 = {
    .id = "DW326",
    .name = "go-install-unpinned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "go install, get or run fetches a module without a fixed version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
