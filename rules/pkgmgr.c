/* Helpers of the package-manager rules DW301-DW317: see pkgmgr.h. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char *const apt_long[] = {
    "option", "target-release", "default-release", "config-file", "host-architecture", NULL,
};
const struct sh_flag_spec pm_apt_spec = { "otca", apt_long, false };

static const char *const apk_long[] = {
    "repository",        "root",          "virtual", "arch", "cache-dir", "keys-dir",
    "repositories-file", "cache-max-age", "timeout", NULL,
};
const struct sh_flag_spec pm_apk_spec = { "Xpt", apk_long, false };

static const char *const rpm_long[] = {
    "setopt",       "enablerepo",   "disablerepo", "repo",         "repoid",
    "installroot",  "releasever",   "exclude",     "config",       "debuglevel",
    "errorlevel",   "forcearch",    "downloaddir", "destdir",      "disableplugin",
    "enableplugin", "repofrompath", "color",       "rpmverbosity", "advisory",
    "bz",           "cve",          "secseverity", NULL,
};
const struct sh_flag_spec pm_rpm_spec = { "cdexR", rpm_long, false };

static const char *const zypper_long[] = {
    "root",          "config", "cache-dir", "reposd-dir", "raw-cache-dir", "solv-cache-dir",
    "pkg-cache-dir", "type",   "repo",      "from",       "download",      NULL,
};
const struct sh_flag_spec pm_zypper_spec = { "cCDRtr", zypper_long, false };

static void add_script(const struct sh_script *s, const struct sh_visit **out, uint32_t *n)
{
    for (uint32_t i = 0; i < s->n_cmds; i++)
        out[(*n)++] = &s->cmds[i];
}

/* An exec-form RUN as one simple command. */
static const struct sh_visit *const *exec_cmds(struct rule_ctx *ctx, const struct df_instr *in,
                                               uint32_t *n)
{
    if (!in->n_exec || in->n_exec > 4096)
        return NULL;
    struct sh_word *argv = rule_alloc(ctx, in->n_exec * sizeof *argv);
    for (uint32_t i = 0; i < in->n_exec; i++) {
        const struct df_text *t = &in->exec[i];
        struct sh_word *w = &argv[i];
        *w = (struct sh_word){ 0 };
        w->span = t->span;
        w->raw = t->raw;
        w->value = str_from_cstr(rule_printf(ctx, "%.*s", STR_FMT(t->raw)));
        uint32_t *pos = rule_alloc(ctx, ((size_t)w->value.len + 1) * sizeof *pos);
        /* Decoded bytes map to the literal approximately (escapes shift
         * them); only the whole span is used for reporting. */
        for (size_t k = 0; k < w->value.len; k++) {
            uint32_t p = t->span.start + 1 + (uint32_t)k;
            pos[k] = p < t->span.end ? p : t->span.end;
        }
        pos[w->value.len] = t->span.end;
        w->value_src = pos;
        w->flags = SH_WORD_QUOTED;
    }
    uint32_t *runs = rule_alloc(ctx, sizeof *runs);
    runs[0] = 0;
    struct sh_node *node = rule_alloc(ctx, sizeof *node);
    *node = (struct sh_node){ 0 };
    node->kind = SH_SIMPLE;
    node->span = in->span;
    node->argv = argv;
    node->argc = in->n_exec;
    node->runs = runs;
    node->n_runs = 1;
    struct sh_visit *v = rule_alloc(ctx, sizeof *v);
    *v = (struct sh_visit){ 0 };
    v->call = (struct sh_call){ node, argv, in->n_exec };
    const struct sh_visit **out = rule_alloc(ctx, sizeof *out);
    out[0] = v;
    *n = 1;
    return out;
}

bool pm_fixable(const struct df_instr *in)
{
    return in->form == DF_FORM_SHELL;
}

const struct sh_visit *const *pm_run_cmds_all(struct rule_ctx *ctx, const struct df_instr *in,
                                              uint32_t *n)
{
    *n = 0;
    if (in->kind == DF_RUN && in->form == DF_FORM_EXEC && !in->exec_non_string)
        return exec_cmds(ctx, in, n);
    if (in->kind != DF_RUN || in->form != DF_FORM_SHELL)
        return NULL;
    uint32_t own = in->script ? in->script->n_cmds : 0, total = own;
    for (uint32_t h = 0; h < in->n_heredocs; h++) {
        const struct sh_script *s = in->heredocs[h].script;
        if (s && s != in->script)
            total += s->n_cmds;
    }
    if (!total)
        return NULL;
    /* Most RUNs have one script: its own pointer list, made by the
     * reader, serves every rule that asks (no copy per rule and RUN). */
    if (total == own) {
        *n = total;
        return in->script->cmd_refs;
    }
    const struct sh_visit **out = rule_alloc(ctx, total * sizeof *out);
    if (in->script)
        add_script(in->script, out, n);
    for (uint32_t h = 0; h < in->n_heredocs; h++) {
        const struct sh_script *s = in->heredocs[h].script;
        if (s && s != in->script)
            add_script(s, out, n);
    }
    return out;
}

bool pm_output_scope(const struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->parent)
        return true;
    const struct df_model *m = rule_model(ctx);
    if (in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return false;
    return m->stages[in->stage].is_output;
}

static struct str strip_slashes(struct str s)
{
    while (s.len > 1 && s.ptr[s.len - 1] == '/')
        s.len--;
    return s;
}

bool pm_each_cache_target(const struct df_instr *in, bool (*fn)(struct str, const void *),
                          const void *arg)
{
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        if (!str_eq_cstr(fl->name.raw, "mount"))
            continue;
        bool cacheish = false;
        struct str target = STR_NULL;
        for (uint32_t k = 0; k < fl->n_mount; k++) {
            struct str key = fl->mount[k].key.raw;
            struct str val = fl->mount[k].value.raw;
            if (!val.ptr)
                continue;
            if (str_eq_cstr(key, "type"))
                cacheish = str_eq_cstr(val, "cache") || str_eq_cstr(val, "tmpfs");
            else if (str_eq_cstr(key, "target") || str_eq_cstr(key, "dst") ||
                     str_eq_cstr(key, "destination"))
                target = val;
        }
        if (cacheish && target.ptr && target.len && fn(strip_slashes(target), arg))
            return true;
    }
    return false;
}

static bool target_is_dir(struct str target, const void *arg)
{
    const char *const *dirs = arg;
    for (size_t d = 0; dirs[d]; d++)
        if (str_eq_cstr(target, dirs[d]))
            return true;
    return false;
}

bool pm_cache_mount(const struct df_instr *in, const char *const *dirs)
{
    return pm_each_cache_target(in, target_is_dir, dirs);
}

/* Whether path (an rm operand) removes dir or all of its content. */
static bool path_covers(struct str path, const char *dir)
{
    struct str d = str_from_cstr(dir);
    if (str_ends_with(path, STR_LIT("/*")))
        path.len -= 2;
    else if (str_ends_with(path, STR_LIT("/**")))
        path.len -= 3;
    path = strip_slashes(path);
    if (!path.len || path.ptr[0] != '/')
        return false;
    if (str_eq(path, d))
        return true;
    /* A parent of dir. */
    return path.len < d.len && !memcmp(d.ptr, path.ptr, path.len) && d.ptr[path.len] == '/';
}

bool pm_rm_covers(const struct sh_call *c, const char *dir)
{
    if (!sh_call_is(c, "rm"))
        return false;
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, NULL);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_OPERAND && path_covers(a.name, dir))
            return true;
    return false;
}

uint32_t pm_operand_index(const struct sh_call *c, uint32_t k, const struct sh_flag_spec *spec)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, spec);
    uint32_t seen = 0;
    while (sh_arg_next(&it, &a)) {
        if (a.kind != SH_ARG_OPERAND)
            continue;
        if (seen++ == k)
            return a.index;
    }
    return UINT32_MAX;
}

const struct sh_word *pm_operand(const struct sh_call *c, uint32_t k,
                                 const struct sh_flag_spec *spec)
{
    uint32_t i = pm_operand_index(c, k, spec);
    return i == UINT32_MAX ? NULL : &c->argv[i];
}

bool pm_word_dynamic(const struct sh_word *w)
{
    if (w->flags & (SH_WORD_EXPANSION | SH_WORD_QUOTED_EXPANSION | SH_WORD_SUBST))
        return true;
    return str_find_char(w->value, '$', 0) >= 0;
}

bool pm_local_file(struct str v, const char *suffix)
{
    if (str_ends_with(v, str_from_cstr(suffix)))
        return true;
    /* Asked of every package operand: the first byte picks the prefixes
     * worth comparing. */
    switch (v.len ? v.ptr[0] : '\0') {
    case '/': return true;
    case '.': return str_starts_with(v, STR_LIT("./")) || str_starts_with(v, STR_LIT("../"));
    case '~': return str_starts_with(v, STR_LIT("~/"));
    case 'h':
        return str_starts_with(v, STR_LIT("http://")) || str_starts_with(v, STR_LIT("https://"));
    case 'f':
        return str_starts_with(v, STR_LIT("ftp://")) || str_starts_with(v, STR_LIT("file://"));
    default: return false;
    }
}

bool pm_append_edit(struct rule_ctx *ctx, const struct df_instr *in, const char *cmd,
                    struct edit *out)
{
    if (in->kind != DF_RUN || in->form != DF_FORM_SHELL || !in->script || in->script->n_problems)
        return false;
    const struct sh_node *root = in->script->root;
    if (!root || !root->n_kids)
        return false;
    if (in->n_heredocs) {
        /* `RUN <<EOF`: the body is the script; add a line at the start of
         * the terminator line. */
        const struct df_heredoc *h = &in->heredocs[0];
        const struct df_file *f = rule_file(ctx);
        uint32_t at = h->end.start;
        if (in->n_heredocs != 1 || h->script != in->script || !h->terminated || at == 0 ||
            f->src[at - 1] != '\n')
            return false;
        *out =
            (struct edit){ at, at,
                           str_from_cstr(rule_printf(ctx, "%s%s", cmd, f->crlf ? "\r\n" : "\n")) };
        return true;
    }
    const struct sh_node *last = root->kids[root->n_kids - 1];
    if (last->background)
        return false;
    uint32_t at = last->span.end;
    if (at <= in->span.start || at > in->span.end)
        return false;
    *out = (struct edit){ at, at, str_from_cstr(rule_printf(ctx, " && %s", cmd)) };
    return true;
}

static char lower_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool match_nocase_at(const char *s, uint32_t len, uint32_t i, const char *w)
{
    size_t n = strlen(w);
    if (i + n > len)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower_ascii(s[i + k]) != lower_ascii(w[k]))
            return false;
    return true;
}

/* Whether src[from, to) holds key followed (after blanks, quotes, '=' or
 * ':') by one of values. */
static bool text_sets(const char *src, uint32_t from, uint32_t to, const char *key,
                      const char *const *values)
{
    size_t kn = strlen(key);
    /* Every byte of the stage is a candidate: its first byte is compared
     * here before the whole key is. */
    char k0 = lower_ascii(key[0]);
    for (uint32_t i = from; i + kn <= to; i++) {
        if ((kn && lower_ascii(src[i]) != k0) || !match_nocase_at(src, to, i, key))
            continue;
        uint32_t j = i + (uint32_t)kn;
        while (j < to && (src[j] == ' ' || src[j] == '\t' || src[j] == '"' || src[j] == '\'' ||
                          src[j] == '\\' || src[j] == '='))
            j++;
        for (size_t v = 0; values[v]; v++)
            if (match_nocase_at(src, to, j, values[v]))
                return true;
    }
    return false;
}

bool pm_apt_config_before(const struct df_file *f, const struct df_instr *in, uint32_t upto,
                          const char *key, const char *const *values)
{
    const struct df_model *m = &f->model;
    int s = in->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        uint32_t from = st->from ? st->from->span.start : 0;
        if (from < upto && text_sets(f->src, from, upto, key, values))
            return true;
        s = st->base_stage;
        /* A parent stage counts whole, up to its last instruction. */
        if (s >= 0 && (uint32_t)s < m->n_stages) {
            const struct df_stage *p = &m->stages[s];
            upto = p->n_instrs ? p->instrs[p->n_instrs - 1]->span.end
                               : (p->from ? p->from->span.end : 0);
        }
    }
    return false;
}

bool pm_stage_builds_on(const struct df_model *m, int s, int base)
{
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        if (s == base)
            return true;
        s = m->stages[s].base_stage;
    }
    return false;
}

struct span pm_word_span(const struct sh_word *w)
{
    return w->span;
}

bool pm_rpm_sub(struct rule_ctx *ctx, const struct sh_call *c, const char **name,
                const struct sh_word **last, uint32_t *first_arg)
{
    if (!sh_call_is(c, "dnf") && !sh_call_is(c, "dnf5") && !sh_call_is(c, "dnf-3") &&
        !sh_call_is(c, "microdnf") && !sh_call_is(c, "yum"))
        return false;
    const struct sh_word *w = pm_operand(c, 0, &pm_rpm_spec);
    if (!w || !w->value.len)
        return false;
    *last = w;
    *first_arg = 1;
    *name = w->value.ptr;
    if (sh_word_is(w, "module") || sh_word_is(w, "group") || sh_word_is(w, "groups")) {
        const struct sh_word *w2 = pm_operand(c, 1, &pm_rpm_spec);
        if (w2 && w2->value.len) {
            *last = w2;
            *first_arg = 2;
            *name = rule_printf(ctx, "%s %s", sh_word_is(w, "groups") ? "group" : w->value.ptr,
                                w2->value.ptr);
        }
    }
    return true;
}

bool pm_rpm_yes(const struct sh_call *c)
{
    return sh_call_has_short(c, 'y', &pm_rpm_spec) ||
           sh_call_has_long(c, "assumeyes", &pm_rpm_spec) ||
           sh_call_has_long(c, "assume-yes", &pm_rpm_spec);
}

const struct sh_word *pm_zypper_cmd(const struct sh_call *c, uint32_t *index)
{
    if (!sh_call_is(c, "zypper"))
        return NULL;
    uint32_t i = pm_operand_index(c, 0, &pm_zypper_spec);
    if (i == UINT32_MAX)
        return NULL;
    *index = i;
    return &c->argv[i];
}

bool pm_word_in(const struct sh_word *w, const char *const *names)
{
    for (size_t i = 0; w && names[i]; i++)
        if (sh_word_is(w, names[i]))
            return true;
    return false;
}

bool pm_apt_simulates(const struct sh_call *c)
{
    static const char *const longs[] = {
        "simulate", "dry-run", "just-print", "recon", "no-act", NULL,
    };
    /* One walk over the arguments for all six flags. */
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, &pm_apt_spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind == SH_ARG_SHORT && memchr(a.name.ptr, 's', a.name.len))
            return true;
        if (a.kind != SH_ARG_LONG)
            continue;
        for (size_t i = 0; longs[i]; i++)
            if (str_eq_cstr(a.name, longs[i]))
                return true;
    }
    return false;
}

void pm_rpm_report_unpinned(struct rule_ctx *ctx, const struct sh_call *c, uint32_t first,
                            bool module)
{
    for (uint32_t k = first;; k++) {
        const struct sh_word *w = pm_operand(c, k, &pm_rpm_spec);
        if (!w)
            break;
        struct str v = w->value;
        if (!v.len || v.ptr[0] == '@' || pm_word_dynamic(w) || pm_local_file(v, ".rpm") ||
            str_find_char(v, '(', 0) >= 0 || str_find_char(v, '/', 0) >= 0)
            continue;
        if (module) {
            if (str_find_char(v, ':', 0) < 0)
                rule_report(ctx, w->span, "module '%.*s' has no stream: use '%.*s:<stream>'",
                            STR_FMT(v), STR_FMT(v));
        } else if (!pm_rpm_has_version(v)) {
            rule_report(ctx, w->span, "package '%.*s' is not pinned: use '%.*s-<version>'",
                        STR_FMT(v), STR_FMT(v));
        }
    }
}

bool pm_rpm_has_version(struct str v)
{
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c == '=' || c == '<' || c == '>')
            return true;
        if (c == '-' && i + 1 < v.len && v.ptr[i + 1] >= '0' && v.ptr[i + 1] <= '9' && i > 0)
            return true;
    }
    return false;
}

/* ------------------------------------------------ npm and Yarn (DW320-DW323) */

/* npm config keys that take a value when written `--key value` (npm reads
 * every other flag as a boolean and leaves the next word alone). */
static const char *const npm_long[] = {
    "cache",
    "registry",
    "prefix",
    "loglevel",
    "tag",
    "omit",
    "include",
    "workspace",
    "userconfig",
    "globalconfig",
    "location",
    "install-strategy",
    "before",
    "fetch-retries",
    "fetch-timeout",
    "fetch-retry-mintimeout",
    "fetch-retry-maxtimeout",
    "fetch-retry-factor",
    "maxsockets",
    "proxy",
    "https-proxy",
    "noproxy",
    "scope",
    "save-prefix",
    "only",
    "also",
    "arch",
    "platform",
    "os",
    "cpu",
    "libc",
    "nodedir",
    "python",
    "otp",
    "auth-type",
    "script-shell",
    "cafile",
    "ca",
    "cert",
    "key",
    "access",
    "depth",
    "umask",
    "lockfile-version",
    "tmp",
    "node-options",
    "dist-url",
    "target_arch",
    "target_platform",
    "cache-min",
    "cache-max",
    "replace-registry-host",
    NULL,
};
const struct sh_flag_spec pm_npm_spec = { "wC", npm_long, false };

static const char *const yarn_long[] = {
    "cwd",
    "cache-folder",
    "modules-folder",
    "network-timeout",
    "mutex",
    "registry",
    "global-folder",
    "link-folder",
    "preferred-cache-folder",
    "network-concurrency",
    "use-yarnrc",
    "proxy",
    "https-proxy",
    NULL,
};
const struct sh_flag_spec pm_yarn_spec = { NULL, yarn_long, false };

/* npm's own alias table (lib/utils/cmd-list.js) for the commands the
 * rules ask about. */
static const struct {
    const char *alias, *name;
} npm_aliases[] = {
    { "i", "install" },
    { "add", "install" },
    { "in", "install" },
    { "ins", "install" },
    { "inst", "install" },
    { "insta", "install" },
    { "instal", "install" },
    { "isnt", "install" },
    { "isnta", "install" },
    { "isntal", "install" },
    { "isntall", "install" },
    { "clean-install", "ci" },
    { "ic", "ci" },
    { "install-clean", "ci" },
    { "isntall-clean", "ci" },
    { "it", "install-test" },
    { "cit", "install-ci-test" },
    { "clean-install-test", "install-ci-test" },
    { "sit", "install-ci-test" },
};

const char *pm_npm_sub(const struct sh_call *c, uint32_t *index)
{
    if (!sh_call_is(c, "npm"))
        return NULL;
    uint32_t i = pm_operand_index(c, 0, &pm_npm_spec);
    if (i == UINT32_MAX || !c->argv[i].value.len)
        return NULL;
    *index = i;
    const struct sh_word *w = &c->argv[i];
    for (size_t k = 0; k < sizeof npm_aliases / sizeof npm_aliases[0]; k++)
        if (sh_word_is(w, npm_aliases[k].alias))
            return npm_aliases[k].name;
    return w->value.ptr;
}

bool pm_yarn_sub(const struct sh_call *c, const struct sh_word **sub, uint32_t *index)
{
    if (!sh_call_is(c, "yarn") && !sh_call_is(c, "yarnpkg"))
        return false;
    uint32_t i = pm_operand_index(c, 0, &pm_yarn_spec);
    *index = i;
    *sub = i == UINT32_MAX ? NULL : &c->argv[i];
    return true;
}

bool pm_path_covers_tail(struct str path, const char *tail)
{
    if (str_ends_with(path, STR_LIT("/*")))
        path.len -= 2;
    path = strip_slashes(path);
    if (!path.len || str_eq_cstr(path, "/"))
        return false;
    struct str t = str_from_cstr(tail);
    /* Each leading part of tail that ends at a component boundary: for
     * "/.cache/yarn", "/.cache" and "/.cache/yarn". */
    for (size_t end = 1; end <= t.len; end++) {
        if (end < t.len && t.ptr[end] != '/')
            continue;
        struct str part = str_slice(t, 0, end);
        if (str_ends_with(path, part))
            return true;
        /* A relative path ("~" aside) reads as if rooted: ".npm" is "/.npm". */
        if (path.ptr[0] != '/' && path.len == part.len - 1 &&
            !memcmp(path.ptr, part.ptr + 1, path.len))
            return true;
    }
    return false;
}

bool pm_rm_covers_tail(const struct sh_call *c, const char *const *tails)
{
    if (!sh_call_is(c, "rm"))
        return false;
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, NULL);
    while (sh_arg_next(&it, &a)) {
        if (a.kind != SH_ARG_OPERAND)
            continue;
        for (size_t k = 0; tails[k]; k++)
            if (pm_path_covers_tail(a.name, tails[k]))
                return true;
    }
    return false;
}

static bool target_covers_tails(struct str target, const void *arg)
{
    const char *const *tails = arg;
    for (size_t k = 0; tails[k]; k++)
        if (pm_path_covers_tail(target, tails[k]))
            return true;
    return false;
}

bool pm_cache_mount_tail(const struct df_instr *in, const char *const *tails)
{
    return pm_each_cache_target(in, target_covers_tails, tails);
}

static bool target_holds(struct str target, const void *arg)
{
    struct str path = strip_slashes(*(const struct str *)arg);
    if (str_eq_cstr(target, "/"))
        return path.len && path.ptr[0] == '/';
    return str_starts_with(path, target) && (path.len == target.len || path.ptr[target.len] == '/');
}

bool pm_in_cache_mount(const struct df_instr *in, struct str path)
{
    return pm_each_cache_target(in, target_holds, &path);
}

bool pm_plain_word(struct str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '/' || ch == '.' || ch == '_' || ch == '-' || ch == '~'))
            return false;
    }
    return true;
}

static bool shell_word_not_posix(struct str w)
{
    static const char *const names[] = {
        "pwsh", "pwsh.exe", "powershell", "powershell.exe", "cmd", "cmd.exe", NULL,
    };
    /* The program name after the last '/' or '\\'. */
    size_t i = w.len;
    while (i && w.ptr[i - 1] != '/' && w.ptr[i - 1] != '\\')
        i--;
    struct str base = str_slice(w, i, w.len);
    for (size_t k = 0; names[k]; k++)
        if (str_eq_nocase(base, str_from_cstr(names[k])))
            return true;
    return false;
}

static bool image_windows(const struct df_image_ref *ref)
{
    static const char *const marks[] = { "windows", "nanoserver", "servercore", "dotnet/framework",
                                         NULL };
    struct str parts[] = { ref->repository, ref->tag };
    for (size_t p = 0; p < 2; p++) {
        struct str s = parts[p];
        for (size_t k = 0; s.ptr && marks[k]; k++) {
            size_t n = strlen(marks[k]);
            for (size_t i = 0; i + n <= s.len; i++)
                if (str_eq_nocase(str_slice(s, i, i + n), str_from_cstr(marks[k])))
                    return true;
        }
    }
    return false;
}

/* A SHELL's verdict; a stage without one has its root image's. */
enum { SHELL_NONE, SHELL_POSIX, SHELL_OTHER };

static uint8_t *shell_verdicts(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    uint8_t *v = rule_alloc(ctx, m->n_all_instrs + 1);
    uint8_t *end = rule_alloc(ctx, m->n_stages + 1);
    uint8_t *win = rule_alloc(ctx, m->n_stages + 1);
    memset(v, 0, m->n_all_instrs + 1);
    bool pragma = m->shell_pragma.raw.ptr && shell_word_not_posix(m->shell_pragma.raw);
    /* A stage is built FROM an earlier one only, so one pass in stage
     * order sees every parent's final SHELL first. */
    for (uint32_t s = 0; s < m->n_stages; s++) {
        const struct df_stage *st = &m->stages[s];
        int b = st->base_stage;
        bool inherit = b >= 0 && (uint32_t)b < s;
        uint8_t state = inherit ? end[b] : SHELL_NONE;
        win[s] = inherit ? win[b] : (uint8_t)(st->from && image_windows(&st->from->image));
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *x = st->instrs[i];
            uint8_t other = pragma || state == SHELL_OTHER || (state == SHELL_NONE && win[s]);
            if (x->index < m->n_all_instrs)
                v[x->index] = other;
            if (x->trigger && x->trigger->index < m->n_all_instrs)
                v[x->trigger->index] = other;
            if (x->kind == DF_SHELL)
                state = x->form == DF_FORM_EXEC && x->n_exec && shell_word_not_posix(x->exec[0].raw)
                            ? SHELL_OTHER
                            : SHELL_POSIX;
        }
        end[s] = state;
    }
    return v;
}

bool pm_shell_not_posix(struct rule_ctx *ctx, const struct df_instr *in, uint8_t **cache)
{
    const struct df_model *m = rule_model(ctx);
    if (!*cache)
        *cache = shell_verdicts(ctx);
    return in->index < m->n_all_instrs && (*cache)[in->index];
}

bool pm_visit_sudo(const struct sh_visit *v)
{
    const struct sh_node *node = v->call.node;
    for (uint32_t k = 0; k < v->wrap && k < node->n_runs; k++) {
        const struct sh_word *w = &node->argv[node->runs[k]];
        struct str name = w->value;
        long slash = -1;
        for (size_t i = 0; i < name.len; i++)
            if (name.ptr[i] == '/')
                slash = (long)i;
        if (str_eq_cstr(str_slice(name, (size_t)(slash + 1), name.len), "sudo"))
            return true;
    }
    return false;
}

bool pm_visit_conditional(const struct sh_visit *v)
{
    return (v->ctx &
            (SH_IN_CONDITION | SH_IN_BRANCH | SH_IN_LOOP | SH_IN_FUNCTION | SH_IN_BACKGROUND)) ||
           v->op == SH_OP_OR;
}
/* ---------------------------------------- end of npm and Yarn (DW320-DW323) */

/* ------------------------------------------------------------------------
 * pip, pipx and gem (DW318, DW319, DW324, DW325)
 * ---------------------------------------------------------------------- */

static const char *const pip_long[] = {
    "requirement",
    "constraint",
    "editable",
    "target",
    "platform",
    "python-version",
    "implementation",
    "abi",
    "root",
    "prefix",
    "src",
    "upgrade-strategy",
    "install-option",
    "global-option",
    "config-settings",
    "no-binary",
    "only-binary",
    "progress-bar",
    "index-url",
    "extra-index-url",
    "find-links",
    "report",
    "log",
    "log-file",
    "cache-dir",
    "proxy",
    "retries",
    "timeout",
    "exists-action",
    "trusted-host",
    "cert",
    "client-cert",
    "python",
    "keyring-provider",
    "use-feature",
    "use-deprecated",
    "root-user-action",
    "group",
    NULL,
};
const struct sh_flag_spec pm_pip_spec = { "rcetifC", pip_long, false };

static const char *const pipx_long[] = {
    "python", "pip-args", "index-url", "suffix", "spec", "preinstall", "backend", NULL,
};
const struct sh_flag_spec pm_pipx_spec = { NULL, pipx_long, false };

static const char *const gem_long[] = {
    "version",  "install-dir",  "bindir",     "source",         "http-proxy",      "file",
    "platform", "trust-policy", "build-root", "bulk-threshold", "target-rbconfig", "config-file",
    "without",  NULL,
};
const struct sh_flag_spec pm_gem_spec = { "vinspgPB", gem_long, false };

uint32_t pm_operand_index_from(const struct sh_call *c, uint32_t from, uint32_t k,
                               const struct sh_flag_spec *spec)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, from, spec);
    uint32_t seen = 0;
    while (sh_arg_next(&it, &a)) {
        if (a.kind != SH_ARG_OPERAND)
            continue;
        if (seen++ == k)
            return a.index;
    }
    return UINT32_MAX;
}

bool pm_has_long_from(const struct sh_call *c, uint32_t from, const char *name,
                      const struct sh_flag_spec *spec)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, from, spec);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, name))
            return true;
    return false;
}

/* Whether s is prefix followed by a version suffix: nothing, digits and
 * dots ("3.11"), or '-' and such a version ("-3.8"). */
static bool name_with_version(struct str s, const char *prefix)
{
    /* Asked of every command three times; the first byte rules out most. */
    if (!s.len || s.ptr[0] != prefix[0])
        return false;
    struct str p = str_from_cstr(prefix);
    if (!str_starts_with(s, p))
        return false;
    size_t i = p.len;
    if (i < s.len && s.ptr[i] == '-')
        i++;
    if (i == s.len)
        return i == p.len;
    for (; i < s.len; i++)
        if (!(s.ptr[i] >= '0' && s.ptr[i] <= '9') && s.ptr[i] != '.')
            return false;
    return s.ptr[p.len] != '.';
}

/* For a Python interpreter call: the index of the first word after
 * `-m pip` (also `-mpip` and clusters such as `-Bm pip`), or 0 when the
 * interpreter runs something else. */
static uint32_t python_m_pip(const struct sh_call *c)
{
    for (uint32_t i = 1; i < c->argc; i++) {
        struct str w = c->argv[i].value;
        if (w.len < 2 || w.ptr[0] != '-')
            return 0; /* a script or `-` (stdin) */
        if (w.ptr[1] == '-')
            continue; /* --version, -- ... */
        for (size_t k = 1; k < w.len; k++) {
            char ch = w.ptr[k];
            if (ch == 'c')
                return 0;
            if (ch == 'W' || ch == 'X') {
                if (k + 1 == w.len)
                    i++; /* the value is the next word */
                break;
            }
            if (ch == 'm') {
                struct str mod = str_slice(w, k + 1, w.len);
                uint32_t next = i + 1;
                if (!mod.len) {
                    if (i + 1 >= c->argc)
                        return 0;
                    mod = c->argv[i + 1].value;
                    next = i + 2;
                }
                return str_eq_cstr(mod, "pip") ? next : 0;
            }
        }
    }
    return 0;
}

bool pm_pip_install(struct rule_ctx *ctx, const struct sh_call *c, bool pipx,
                    struct pm_install *out)
{
    struct str name = sh_call_name(c);
    const struct sh_flag_spec *spec = &pm_pip_spec;
    bool python = false;
    *out = (struct pm_install){ PM_PIP, 1, 0, NULL };
    if (name_with_version(name, "pip")) {
        /* named below, once it is an install */
    } else if (pipx && str_eq_cstr(name, "pipx")) {
        out->tool = PM_PIPX;
        out->name = "pipx";
        spec = &pm_pipx_spec;
    } else if (name_with_version(name, "python") || name_with_version(name, "pypy")) {
        out->args = python_m_pip(c);
        if (!out->args)
            return false;
        python = true;
    } else {
        return false;
    }
    uint32_t sub = pm_operand_index_from(c, out->args, 0, spec);
    if (sub == UINT32_MAX || !sh_word_is(&c->argv[sub], "install"))
        return false;
    out->sub = sub;
    if (python)
        out->name = rule_printf(ctx, "%.*s -m pip", STR_FMT(name));
    else if (out->tool == PM_PIP)
        out->name = rule_printf(ctx, "%.*s", STR_FMT(name));
    return true;
}

bool pm_gem_install(const struct sh_call *c, struct pm_install *out)
{
    if (!sh_call_is(c, "gem"))
        return false;
    uint32_t sub = pm_operand_index_from(c, 1, 0, &pm_gem_spec);
    if (sub == UINT32_MAX ||
        !(sh_word_is(&c->argv[sub], "install") || sh_word_is(&c->argv[sub], "i")))
        return false;
    *out = (struct pm_install){ PM_PIP_NONE, 1, sub, "gem" };
    return true;
}

/* end of the pip, pipx and gem block */
