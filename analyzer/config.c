/* Configuration: lifecycle, the layers other than the file (environment,
 * command line), discovery, rule option accessors and shared helpers. The
 * YAML reader is config_yaml.c, the key tables config_keys.c. */
#include "analyzer/config.h"
#include "analyzer/config_int.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/strdist.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- names ---- */

const char *const cfg_severity_names[5] = { "error", "warning", "info", "style", "off" };
const char *const cfg_threshold_names[5] = { "error", "warning", "info", "style", "none" };
const char *const cfg_label_type_names[7] = { "text",    "url",  "semver", "hash",
                                              "rfc3339", "spdx", "email" };
const char *const cfg_shellcheck_names[3] = { "auto", "on", "off" };
const char *const cfg_format_names[7] = { "tty",    "json",       "sarif", "github",
                                          "gitlab", "checkstyle", "gnu" };

const char *cfg_severity_name(enum cfg_severity s)
{
    return (unsigned)s < DW_ARRAY_LEN(cfg_severity_names) ? cfg_severity_names[s] : "?";
}
const char *cfg_threshold_name(enum cfg_threshold t)
{
    return (unsigned)t < DW_ARRAY_LEN(cfg_threshold_names) ? cfg_threshold_names[t] : "?";
}
const char *cfg_label_type_name(enum cfg_label_type t)
{
    return (unsigned)t < DW_ARRAY_LEN(cfg_label_type_names) ? cfg_label_type_names[t] : "?";
}
const char *cfg_shellcheck_name(enum cfg_shellcheck s)
{
    return (unsigned)s < DW_ARRAY_LEN(cfg_shellcheck_names) ? cfg_shellcheck_names[s] : "?";
}
const char *cfg_format_name(enum cfg_format f)
{
    return (unsigned)f < DW_ARRAY_LEN(cfg_format_names) ? cfg_format_names[f] : "?";
}

/* ---- lifecycle ---- */

struct cfg *cfg_new(enum cfg_mode mode)
{
    struct cfg *c = xcalloc(1, sizeof *c);
    arena_init(&c->arena);
    c->mode = mode;
    /* rules.md "Severity and stability": warning by default; hadolint's
     * own default (info) in compatibility mode, so switching tools keeps
     * exit codes. */
    c->failure_threshold = mode == CFG_MODE_HADOLINT ? CFG_FAIL_INFO : CFG_FAIL_WARNING;
    c->inline_ignores = true;
    c->shellcheck = CFG_SHELLCHECK_AUTO;
    c->shellcheck_timeout_ms = 10000;
    c->format = CFG_FORMAT_TTY;
    return c;
}

void cfg_free(struct cfg *c)
{
    if (!c)
        return;
    arena_release(&c->arena);
    free(c);
}

/* ---- shared helpers ---- */

void *cfg_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return items;
    size_t n = *cap ? *cap * 2 : 4;
    while (n < need)
        n *= 2;
    void *fresh = arena_calloc(a, n, elem);
    if (len)
        memcpy(fresh, items, len * elem);
    *cap = n;
    return fresh;
}

void cfg_list_push(struct cfg *c, struct cfg_list *l, const char *text, size_t len,
                   struct cfg_loc loc)
{
    l->items = cfg_grow(&c->arena, l->items, l->len, &l->cap, l->len + 1, sizeof *l->items);
    l->items[l->len++] = (struct cfg_item){ arena_strndup(&c->arena, text, len), loc };
}

void cfg_push_severity(struct cfg *c, const char *rule, size_t len, enum cfg_severity s,
                       struct cfg_loc loc)
{
    c->severity = cfg_grow(&c->arena, c->severity, c->n_severity, &c->cap_severity,
                           c->n_severity + 1, sizeof *c->severity);
    c->severity[c->n_severity++] =
        (struct cfg_severity_entry){ arena_strndup(&c->arena, rule, len), s, loc };
}

void cfg_set_label(struct cfg *c, const char *name, size_t len, enum cfg_label_type t,
                   struct cfg_loc loc)
{
    for (size_t i = 0; i < c->n_label_schema; i++) {
        struct cfg_label *l = &c->label_schema[i];
        if (strlen(l->name) == len && memcmp(l->name, name, len) == 0) {
            l->type = t;
            l->loc = loc;
            return;
        }
    }
    c->label_schema = cfg_grow(&c->arena, c->label_schema, c->n_label_schema, &c->cap_label_schema,
                               c->n_label_schema + 1, sizeof *c->label_schema);
    c->label_schema[c->n_label_schema++] =
        (struct cfg_label){ arena_strndup(&c->arena, name, len), t, loc };
}

void cfg_push_build_context(struct cfg *c, const char *name, const char *value, struct cfg_loc loc)
{
    c->build_contexts =
        cfg_grow(&c->arena, c->build_contexts, c->n_build_contexts, &c->cap_build_contexts,
                 c->n_build_contexts + 1, sizeof *c->build_contexts);
    c->build_contexts[c->n_build_contexts++] =
        (struct cfg_build_context){ arena_strdup(&c->arena, name),
                                    value ? arena_strdup(&c->arena, value) : NULL, loc };
}

struct cfg_rule_options *cfg_push_rule_options(struct cfg *c)
{
    c->rules =
        cfg_grow(&c->arena, c->rules, c->n_rules, &c->cap_rules, c->n_rules + 1, sizeof *c->rules);
    struct cfg_rule_options *o = &c->rules[c->n_rules++];
    memset(o, 0, sizeof *o);
    return o;
}

void cfg_warn(struct cfg *c, struct cfg_loc loc, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->warnings = cfg_grow(&c->arena, c->warnings, c->n_warnings, &c->cap_warnings,
                           c->n_warnings + 1, sizeof *c->warnings);
    c->warnings[c->n_warnings++] = (struct cfg_warning){ loc, arena_strdup(&c->arena, msg) };
}

size_t cfg_edit_distance(const char *a, const char *b, size_t limit)
{
    unsigned d = str_distance(str_from_cstr(a), str_from_cstr(b), false);
    return d > limit ? limit + 1 : d;
}

const char *cfg_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = cfg_edit_distance(word, cands[i], 2);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

int cfg_yaml_bool(const char *t, size_t n)
{
    /* YAML 1.1's bool type, as libyaml-based loaders resolve it. */
    static const char *const yes[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
                                       "True", "TRUE", "on",  "On",  "ON" };
    static const char *const no[] = { "n",     "N",     "no",  "No",  "NO", "false",
                                      "False", "FALSE", "off", "Off", "OFF" };
    if (cfg_lookup(t, n, yes, DW_ARRAY_LEN(yes)) >= 0)
        return 1;
    if (cfg_lookup(t, n, no, DW_ARRAY_LEN(no)) >= 0)
        return 0;
    return -1;
}

int cfg_lookup(const char *text, size_t len, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], text, len) == 0)
            return (int)i;
    return -1;
}

const char *cfg_join(struct arena *a, const char *const *names, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 2;
    char *out = arena_alloc(a, total);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (i) {
            memcpy(out + pos, ", ", 2);
            pos += 2;
        }
        memcpy(out + pos, names[i], l);
        pos += l;
    }
    out[pos] = '\0';
    return out;
}

/* Parses an unsigned decimal number with an optional fraction into
 * thousandths; returns the number of bytes read, 0 when there is none. */
static size_t parse_milli(const char *t, size_t n, uint64_t *milli)
{
    size_t i = 0;
    uint64_t whole = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9') {
        if (whole > UINT64_MAX / 10000)
            return 0;
        whole = whole * 10 + (uint64_t)(t[i] - '0');
        i++;
    }
    if (i == 0)
        return 0;
    uint64_t frac = 0, scale = 100;
    if (i < n && t[i] == '.') {
        i++;
        size_t digits = 0;
        while (i < n && t[i] >= '0' && t[i] <= '9') {
            frac += (uint64_t)(t[i] - '0') * scale;
            scale /= 10;
            i++;
            digits++;
        }
        if (!digits)
            return 0;
    }
    *milli = whole * 1000 + frac;
    return i;
}

int cfg_parse_duration_ms(const char *t, size_t n, uint32_t *ms)
{
    uint64_t milli;
    size_t i = parse_milli(t, n, &milli);
    if (!i)
        return -1;
    while (i < n && t[i] == ' ')
        i++;
    const char *unit = t + i;
    size_t ul = n - i;
    uint64_t v;
    if (ul == 0 || (ul == 1 && unit[0] == 's'))
        v = milli; /* seconds */
    else if (ul == 2 && memcmp(unit, "ms", 2) == 0)
        v = milli / 1000;
    else if (ul == 1 && unit[0] == 'm')
        v = milli > UINT64_MAX / 60 ? UINT64_MAX : milli * 60;
    else
        return -1;
    if (v < 1 || v > 3600u * 1000u)
        return -1;
    *ms = (uint32_t)v;
    return 0;
}

int cfg_parse_rule_set(const char *t, size_t n, unsigned *out)
{
    if (n == 0 || n > 4)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(t[i] - '0');
    }
    if (v == 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- locations ---- */

void cfg_loc_format(const struct cfg_loc *loc, char *out, size_t size)
{
    if (!size)
        return;
    switch (loc->src) {
    case CFG_SRC_FILE:
        if (loc->line)
            snprintf(out, size, "%s:%u:%u", loc->origin ? loc->origin : "", loc->line, loc->col);
        else
            snprintf(out, size, "%s", loc->origin ? loc->origin : "");
        break;
    case CFG_SRC_ENV:
    case CFG_SRC_HADOLINT_ENV:
        snprintf(out, size, "environment variable %s", loc->origin ? loc->origin : "");
        break;
    case CFG_SRC_CLI: snprintf(out, size, "option %s", loc->origin ? loc->origin : ""); break;
    default: snprintf(out, size, "default"); break;
    }
}

void cfg_warning_format(const struct cfg_warning *w, char *out, size_t size)
{
    if (!size)
        return;
    if (w->loc.src == CFG_SRC_FILE || w->loc.src == CFG_SRC_ENV ||
        w->loc.src == CFG_SRC_HADOLINT_ENV) {
        char where[ERR_PATH_MAX + 32];
        if (w->loc.src == CFG_SRC_FILE)
            cfg_loc_format(&w->loc, where, sizeof where);
        else
            snprintf(where, sizeof where, "%s", w->loc.origin ? w->loc.origin : "");
        snprintf(out, size, "%s: %s", where, w->msg);
    } else {
        snprintf(out, size, "%s", w->msg);
    }
}

/* ---- the file layer ---- */

static const char *dir_of(struct arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return arena_strndup(a, path, (size_t)(slash - path));
}

int cfg_load_text(struct cfg *c, const char *path, const char *text, size_t len, struct err *err)
{
    if (len > CFG_MAX_FILE) {
        err_set(err, ERR_TOO_LARGE, "config file is larger than %zu bytes", CFG_MAX_FILE);
        err_at(err, path, 0, 0);
        return ERR_TOO_LARGE;
    }
    const char *p = arena_strdup(&c->arena, path);
    c->path = p;
    c->dir = dir_of(&c->arena, p);
    if (c->mode == CFG_MODE_NONE)
        c->mode = CFG_MODE_DOCKWRIGHT;
    struct cfg_node *root;
    int rc = cfg_yaml_parse(&c->arena, p, text, len, &root, err);
    if (rc)
        return rc;
    return cfg_interpret(c, p, root, err);
}

int cfg_load_file(struct cfg *c, const char *path, struct err *err)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = file_read_all(path, CFG_MAX_FILE, &b, err);
    if (rc) {
        if (rc == ERR_TOO_LARGE)
            err_set(err, ERR_TOO_LARGE, "config file is larger than %zu bytes", CFG_MAX_FILE);
        else if (rc == ERR_IO && err && err->sys_errno)
            err_set(err, ERR_IO, "cannot read config file: %s", strerror(err->sys_errno));
        err_at(err, path, 0, 0);
        buf_release(&b);
        return rc;
    }
    rc = cfg_load_text(c, path, buf_cstr(&b), b.len, err);
    buf_release(&b);
    return rc;
}

/* ---- the environment ---- */

static struct cfg_loc env_loc(enum cfg_source src, const char *name)
{
    return (struct cfg_loc){ src, name, 0, 0 };
}

/* Splits a comma list; blanks around items are dropped. With strict, an
 * empty item is an error; without (hadolint's lists), it is skipped. */
static int push_comma_list(struct cfg *c, struct cfg_list *l, const char *value, struct cfg_loc loc,
                           bool strict, enum err_code code, struct err *err)
{
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && (p[0] == ' ' || p[0] == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n)
            cfg_list_push(c, l, p, n, loc);
        else if (strict)
            return err_set(err, code, "%s: empty item in '%s'", loc.origin, value);
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static const char *env_get(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int strict_bool(const char *v)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < DW_ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int env_bool(const char *name, bool *out, struct cfg_loc *loc, struct err *err)
{
    const char *v = env_get(name);
    if (!v)
        return 0;
    int b = strict_bool(v);
    if (b < 0)
        return err_set(err, ERR_INVALID,
                       "%s: must be a boolean (1, 0, true, false, yes, no, on, off)", name);
    *out = b;
    *loc = env_loc(CFG_SRC_ENV, name);
    return 0;
}

static int env_enum(const char *name, const char *const *names, size_t n, int *out,
                    struct cfg_loc *loc, struct arena *a, struct err *err)
{
    const char *v = env_get(name);
    if (!v)
        return 0;
    int i = cfg_lookup(v, strlen(v), names, n);
    if (i < 0)
        return err_set(err, ERR_INVALID, "%s: must be one of %s", name, cfg_join(a, names, n));
    *out = i;
    *loc = env_loc(CFG_SRC_ENV, name);
    return 0;
}

int cfg_apply_env(struct cfg *c, struct err *err)
{
    static const struct {
        const char *name;
        size_t offset;
    } lists[] = {
        { "DOCKWRIGHT_SELECT", offsetof(struct cfg, select) },
        { "DOCKWRIGHT_IGNORE", offsetof(struct cfg, ignore) },
        { "DOCKWRIGHT_TRUSTED_REGISTRIES", offsetof(struct cfg, trusted_registries) },
        { "DOCKWRIGHT_ALLOWED_BASE_IMAGES", offsetof(struct cfg, allowed_base_images) },
        { "DOCKWRIGHT_EXCLUDE", offsetof(struct cfg, exclude) },
    };
    int rc;
    for (size_t i = 0; i < DW_ARRAY_LEN(lists); i++) {
        const char *v = env_get(lists[i].name);
        struct cfg_list *l = (struct cfg_list *)((char *)c + lists[i].offset);
        if (v && (rc = push_comma_list(c, l, v, env_loc(CFG_SRC_ENV, lists[i].name), true,
                                       ERR_INVALID, err)))
            return rc;
    }
    int e;
    e = (int)c->failure_threshold;
    if ((rc = env_enum("DOCKWRIGHT_FAILURE_THRESHOLD", cfg_threshold_names,
                       DW_ARRAY_LEN(cfg_threshold_names), &e, &c->failure_threshold_loc, &c->arena,
                       err)))
        return rc;
    c->failure_threshold = (enum cfg_threshold)e;
    e = (int)c->format;
    if ((rc = env_enum("DOCKWRIGHT_FORMAT", cfg_format_names, DW_ARRAY_LEN(cfg_format_names), &e,
                       &c->format_loc, &c->arena, err)))
        return rc;
    c->format = (enum cfg_format)e;
    e = (int)c->shellcheck;
    if ((rc = env_enum("DOCKWRIGHT_SHELLCHECK", cfg_shellcheck_names,
                       DW_ARRAY_LEN(cfg_shellcheck_names), &e, &c->shellcheck_loc, &c->arena, err)))
        return rc;
    c->shellcheck = (enum cfg_shellcheck)e;

    const char *v = env_get("DOCKWRIGHT_RULE_SET");
    if (v) {
        if (cfg_parse_rule_set(v, strlen(v), &c->rule_set) < 0)
            return err_set(err, ERR_INVALID, "DOCKWRIGHT_RULE_SET: must be a positive integer");
        c->rule_set_loc = env_loc(CFG_SRC_ENV, "DOCKWRIGHT_RULE_SET");
    }
    v = env_get("DOCKWRIGHT_CONTEXT");
    if (v) {
        c->context = arena_strdup(&c->arena, v);
        c->context_loc = env_loc(CFG_SRC_ENV, "DOCKWRIGHT_CONTEXT");
    }
    if ((rc = env_bool("DOCKWRIGHT_PREVIEW", &c->preview, &c->preview_loc, err)))
        return rc;
    if ((rc = env_bool("DOCKWRIGHT_INLINE_IGNORES", &c->inline_ignores, &c->inline_ignores_loc,
                       err)))
        return rc;
    /* no-color.org: any non-empty NO_COLOR turns colour off; the specific
     * variable, when set, has the last word. */
    if (env_get("NO_COLOR")) {
        c->no_color = true;
        c->no_color_loc = env_loc(CFG_SRC_ENV, "NO_COLOR");
    }
    return env_bool("DOCKWRIGHT_NO_COLOR", &c->no_color, &c->no_color_loc, err);
}

/* hadolint's reading of a boolean variable: a fixed set of truthy words,
 * anything else is false. */
static void hl_env_bool(const char *name, bool *out, struct cfg_loc *loc)
{
    const char *v = getenv(name);
    if (!v)
        return;
    static const char *const truthy[] = { "1", "y", "on", "true", "yes" };
    bool b = false;
    for (size_t i = 0; i < DW_ARRAY_LEN(truthy); i++)
        if (strcasecmp(v, truthy[i]) == 0)
            b = true;
    *out = b;
    *loc = env_loc(CFG_SRC_HADOLINT_ENV, name);
}

/* hadolint format names and what they become here; NULL: no equivalent. */
struct hl_format {
    const char *name;
    int format; /* enum cfg_format, or -1 */
};
static const struct hl_format hl_formats[] = {
    { "tty", CFG_FORMAT_TTY },
    { "json", CFG_FORMAT_JSON },
    { "checkstyle", CFG_FORMAT_CHECKSTYLE },
    { "codeclimate", -1 },
    { "gitlab_codeclimate", CFG_FORMAT_GITLAB },
    { "gnu", CFG_FORMAT_GNU },
    { "codacy", -1 },
    { "sonarqube", -1 },
    { "sarif", CFG_FORMAT_SARIF },
    { "junit", -1 },
};

int cfg_hadolint_format(const char *name, size_t len, int *format)
{
    for (size_t i = 0; i < DW_ARRAY_LEN(hl_formats); i++) {
        if (strlen(hl_formats[i].name) == len && memcmp(hl_formats[i].name, name, len) == 0) {
            *format = hl_formats[i].format;
            return 0;
        }
    }
    return -1;
}

int cfg_apply_hadolint_env(struct cfg *c, struct err *err)
{
    (void)err;
    bool b = false;
    struct cfg_loc loc = { 0 };
    hl_env_bool("HADOLINT_NOFAIL", &b, &loc);
    if (loc.src && b) {
        c->failure_threshold = CFG_FAIL_NONE;
        c->failure_threshold_loc = loc;
    }
    hl_env_bool("HADOLINT_VERBOSE", &c->verbose, &c->verbose_loc);
    /* hadolint reads NO_COLOR as "set at all" (newer) or truthy (older);
     * no-color.org's "set and not empty" is what DOCKWRIGHT's layer uses,
     * so NO_COLOR is left to cfg_apply_env. */
    const char *v = getenv("HADOLINT_FORMAT");
    if (v) {
        int f;
        struct cfg_loc l = env_loc(CFG_SRC_HADOLINT_ENV, "HADOLINT_FORMAT");
        if (cfg_hadolint_format(v, strlen(v), &f) < 0) {
            cfg_warn(c, l, "unknown format '%s' ignored", v);
        } else if (f < 0) {
            cfg_warn(c, l, "format '%s' has no dockwright equivalent; using tty", v);
            c->format = CFG_FORMAT_TTY;
            c->format_loc = l;
        } else {
            c->format = (enum cfg_format)f;
            c->format_loc = l;
        }
    }
    v = getenv("HADOLINT_FAILURE_THRESHOLD");
    if (v) {
        struct cfg_loc l = env_loc(CFG_SRC_HADOLINT_ENV, "HADOLINT_FAILURE_THRESHOLD");
        int t = cfg_lookup(v, strlen(v), cfg_threshold_names, DW_ARRAY_LEN(cfg_threshold_names));
        if (t < 0 && strcmp(v, "ignore") == 0)
            t = CFG_FAIL_NONE;
        if (t < 0) {
            cfg_warn(c, l, "unknown failure threshold '%s' ignored", v);
        } else if (!(c->failure_threshold_loc.src == CFG_SRC_HADOLINT_ENV &&
                     c->failure_threshold == CFG_FAIL_NONE)) {
            /* HADOLINT_NOFAIL wins over a threshold: hadolint never fails
             * with no-fail set. */
            c->failure_threshold = (enum cfg_threshold)t;
            c->failure_threshold_loc = l;
        }
    }
    static const char *const overrides[4] = { "HADOLINT_OVERRIDE_ERROR",
                                              "HADOLINT_OVERRIDE_WARNING", "HADOLINT_OVERRIDE_INFO",
                                              "HADOLINT_OVERRIDE_STYLE" };
    for (size_t i = 0; i < 4; i++) {
        v = getenv(overrides[i]);
        if (!v)
            continue;
        struct cfg_list tmp = { 0 };
        struct cfg_loc l = env_loc(CFG_SRC_HADOLINT_ENV, overrides[i]);
        (void)push_comma_list(c, &tmp, v, l, false, ERR_INVALID, NULL);
        for (size_t j = 0; j < tmp.len; j++)
            cfg_push_severity(c, tmp.items[j].text, strlen(tmp.items[j].text), (enum cfg_severity)i,
                              l);
    }
    v = getenv("HADOLINT_IGNORE");
    if (v)
        (void)push_comma_list(c, &c->ignore, v, env_loc(CFG_SRC_HADOLINT_ENV, "HADOLINT_IGNORE"),
                              false, ERR_INVALID, NULL);
    hl_env_bool("HADOLINT_STRICT_LABELS", &c->strict_labels, &c->strict_labels_loc);
    b = false;
    loc = (struct cfg_loc){ 0 };
    hl_env_bool("HADOLINT_DISABLE_IGNORE_PRAGMA", &b, &loc);
    if (loc.src) {
        c->inline_ignores = !b;
        c->inline_ignores_loc = loc;
    }
    v = getenv("HADOLINT_TRUSTED_REGISTRIES");
    if (v)
        (void)push_comma_list(c, &c->trusted_registries, v,
                              env_loc(CFG_SRC_HADOLINT_ENV, "HADOLINT_TRUSTED_REGISTRIES"), false,
                              ERR_INVALID, NULL);
    v = getenv("HADOLINT_REQUIRE_LABELS");
    if (v) {
        struct cfg_list tmp = { 0 };
        struct cfg_loc l = env_loc(CFG_SRC_HADOLINT_ENV, "HADOLINT_REQUIRE_LABELS");
        (void)push_comma_list(c, &tmp, v, l, false, ERR_INVALID, NULL);
        for (size_t j = 0; j < tmp.len; j++) {
            const char *pair = tmp.items[j].text;
            const char *colon = strchr(pair, ':');
            int t = colon ? cfg_lookup(colon + 1, strlen(colon + 1), cfg_label_type_names,
                                       DW_ARRAY_LEN(cfg_label_type_names))
                          : -1;
            if (t < 0 || colon == pair)
                cfg_warn(
                    c, l, "label schema entry '%s' ignored: want label:type, type one of %s", pair,
                    cfg_join(&c->arena, cfg_label_type_names, DW_ARRAY_LEN(cfg_label_type_names)));
            else
                cfg_set_label(c, pair, (size_t)(colon - pair), (enum cfg_label_type)t, l);
        }
    }
    return 0;
}

/* ---- the command line ---- */

static int cli_enum(const char *opt, const char *v, const char *const *names, size_t n, int *out,
                    struct cfg_loc *loc, struct arena *a, struct err *err)
{
    if (!v)
        return 0;
    int i = cfg_lookup(v, strlen(v), names, n);
    if (i < 0)
        return err_set(err, ERR_USAGE, "%s: must be one of %s", opt, cfg_join(a, names, n));
    *out = i;
    *loc = (struct cfg_loc){ CFG_SRC_CLI, opt, 0, 0 };
    return 0;
}

static void cli_bool(const char *opt, enum cfg_tristate t, bool *out, struct cfg_loc *loc)
{
    if (t == CFG_UNSET)
        return;
    *out = t == CFG_YES;
    *loc = (struct cfg_loc){ CFG_SRC_CLI, opt, 0, 0 };
}

int cfg_apply_cli(struct cfg *c, const struct cfg_cli *cli, struct err *err)
{
    if (!cli)
        return 0;
    int rc;
    for (size_t i = 0; i < cli->n_select; i++)
        if ((rc = push_comma_list(c, &c->select, cli->select[i],
                                  (struct cfg_loc){ CFG_SRC_CLI, "--select", 0, 0 }, true,
                                  ERR_USAGE, err)))
            return rc;
    for (size_t i = 0; i < cli->n_ignore; i++)
        if ((rc = push_comma_list(c, &c->ignore, cli->ignore[i],
                                  (struct cfg_loc){ CFG_SRC_CLI, "--ignore", 0, 0 }, true,
                                  ERR_USAGE, err)))
            return rc;
    int e = (int)c->failure_threshold;
    if ((rc = cli_enum("--failure-threshold", cli->failure_threshold, cfg_threshold_names,
                       DW_ARRAY_LEN(cfg_threshold_names), &e, &c->failure_threshold_loc, &c->arena,
                       err)))
        return rc;
    c->failure_threshold = (enum cfg_threshold)e;
    e = (int)c->format;
    if ((rc = cli_enum("--format", cli->format, cfg_format_names, DW_ARRAY_LEN(cfg_format_names),
                       &e, &c->format_loc, &c->arena, err)))
        return rc;
    c->format = (enum cfg_format)e;
    e = (int)c->shellcheck;
    if ((rc = cli_enum("--shellcheck", cli->shellcheck, cfg_shellcheck_names,
                       DW_ARRAY_LEN(cfg_shellcheck_names), &e, &c->shellcheck_loc, &c->arena, err)))
        return rc;
    c->shellcheck = (enum cfg_shellcheck)e;
    if (cli->rule_set) {
        if (cfg_parse_rule_set(cli->rule_set, strlen(cli->rule_set), &c->rule_set) < 0)
            return err_set(err, ERR_USAGE, "--rule-set: must be a positive integer");
        c->rule_set_loc = (struct cfg_loc){ CFG_SRC_CLI, "--rule-set", 0, 0 };
    }
    if (cli->context) {
        if (!*cli->context)
            return err_set(err, ERR_USAGE, "--context: must not be empty");
        c->context = arena_strdup(&c->arena, cli->context);
        c->context_loc = (struct cfg_loc){ CFG_SRC_CLI, "--context", 0, 0 };
    }
    cli_bool("--preview", cli->preview, &c->preview, &c->preview_loc);
    cli_bool("--no-color", cli->no_color, &c->no_color, &c->no_color_loc);
    cli_bool("--no-inline-ignores", cli->inline_ignores, &c->inline_ignores,
             &c->inline_ignores_loc);
    return 0;
}

/* ---- discovery ---- */

/* 1 when path is a regular file, 0 when it does not exist, else an error. */
static int probe(const char *path, struct err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_sys(err, path, "cannot examine config file '%s'", path);
    }
    if (!S_ISREG(st.st_mode)) {
        err_set(err, ERR_IO, "config file '%s' is not a regular file", path);
        err_at(err, path, 0, 0);
        return ERR_IO;
    }
    return 1;
}

/* The discovery memo (cfg_find_memo): what probe_names found in a folder
 * for a list of names, so that the files of one folder tree stat each
 * parent once, not once per folder and twice per lookup. A linear table
 * with the hash compared first: a lint run meets tens of folders, rarely
 * thousands. Errors are not remembered. */
struct probe_memo {
    const char *const *names; /* the list probed (static) */
    char *dir;                /* heap */
    uint32_t hash;
    int found; /* index into names, or -1 */
};

static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;
static bool memo_on;
static struct probe_memo *memo;
static size_t memo_len, memo_cap;

static uint32_t memo_hash(const char *const *names, const char *dir)
{
    uint32_t h = 2166136261u ^ (uint32_t)(uintptr_t)names; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)dir; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The remembered result for (names, dir): 1 and *found, or 0. */
static int memo_get(const char *const *names, const char *dir, uint32_t h, int *found)
{
    int hit = 0;
    pthread_mutex_lock(&memo_mu);
    for (size_t i = 0; memo_on && i < memo_len && !hit; i++) {
        if (memo[i].hash == h && memo[i].names == names && strcmp(memo[i].dir, dir) == 0) {
            *found = memo[i].found;
            hit = 1;
        }
    }
    pthread_mutex_unlock(&memo_mu);
    return hit;
}

static void memo_put(const char *const *names, const char *dir, uint32_t h, int found)
{
    pthread_mutex_lock(&memo_mu);
    if (memo_on) {
        if (memo_len == memo_cap) {
            memo_cap = memo_cap ? memo_cap * 2 : 64;
            memo = xreallocarray(memo, memo_cap, sizeof *memo);
        }
        memo[memo_len++] = (struct probe_memo){ names, xstrdup(dir), h, found };
    }
    pthread_mutex_unlock(&memo_mu);
}

/* Folders resolved by realpath while the memo is on: realpath reads every
 * component of a path with a readlink, and the folders of a lint share
 * their parents. */
struct real_memo {
    char *dir;  /* as given; heap */
    char *real; /* heap */
};
static struct real_memo *reals;
static size_t reals_len, reals_cap;

void cfg_find_memo(bool on)
{
    pthread_mutex_lock(&memo_mu);
    memo_on = on;
    if (!on) {
        for (size_t i = 0; i < memo_len; i++)
            free(memo[i].dir);
        free(memo);
        memo = NULL;
        memo_len = memo_cap = 0;
        for (size_t i = 0; i < reals_len; i++) {
            free(reals[i].dir);
            free(reals[i].real);
        }
        free(reals);
        reals = NULL;
        reals_len = reals_cap = 0;
    }
    pthread_mutex_unlock(&memo_mu);
}

/* realpath(dir) (heap; NULL with errno set when it fails), remembered
 * while the memo is on. */
static char *memo_realpath(const char *dir)
{
    pthread_mutex_lock(&memo_mu);
    for (size_t i = 0; memo_on && i < reals_len; i++) {
        if (strcmp(reals[i].dir, dir) == 0) {
            char *r = xstrdup(reals[i].real);
            pthread_mutex_unlock(&memo_mu);
            return r;
        }
    }
    pthread_mutex_unlock(&memo_mu);
    char *r = realpath(dir, NULL);
    if (!r)
        return NULL;
    pthread_mutex_lock(&memo_mu);
    if (memo_on) {
        if (reals_len == reals_cap) {
            reals_cap = reals_cap ? reals_cap * 2 : 16;
            reals = xreallocarray(reals, reals_cap, sizeof *reals);
        }
        reals[reals_len++] = (struct real_memo){ xstrdup(dir), xstrdup(r) };
    }
    pthread_mutex_unlock(&memo_mu);
    return r;
}

/* realpath(dir), as cfg_find needs it for each folder of a lint: while the
 * memo is on, a folder that is no symbolic link is its parent's real path
 * (resolved once for all the folders in it) and its own name, which one
 * lstat confirms; anything else, and every failure, goes to realpath. */
static char *resolve_dir(const char *dir)
{
    const char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    bool on;
    pthread_mutex_lock(&memo_mu);
    on = memo_on;
    pthread_mutex_unlock(&memo_mu);
    if (!on || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return on ? memo_realpath(dir) : realpath(dir, NULL);
    char *parent = slash ? xstrndup(dir, slash == dir ? 1 : (size_t)(slash - dir)) : xstrdup(".");
    char *preal = memo_realpath(parent);
    free(parent);
    struct stat st;
    if (!preal || lstat(dir, &st) != 0 || S_ISLNK(st.st_mode)) {
        free(preal);
        return realpath(dir, NULL);
    }
    size_t pn = strlen(preal), nn = strlen(name);
    bool root = pn == 1 && preal[0] == '/';
    char *r = xmalloc(pn + !root + nn + 1);
    memcpy(r, preal, pn);
    if (!root)
        r[pn] = '/';
    memcpy(r + pn + !root, name, nn + 1);
    free(preal);
    return r;
}

/* Probes dir/name for each name; the first that exists goes to *out. */
static int probe_names(struct arena *a, const char *dir, const char *const *names, size_t n,
                       const char **out, struct err *err)
{
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    uint32_t h = memo_hash(names, dir);
    int found;
    if (memo_get(names, dir, h, &found)) {
        if (found < 0)
            return 0;
        *out = arena_printf(a, "%s%s%s", dir, sep, names[found]);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char *p = arena_printf(a, "%s%s%s", dir, sep, names[i]);
        int rc = probe(p, err);
        if (rc < 0)
            return rc;
        if (rc) {
            memo_put(names, dir, h, (int)i);
            *out = p;
            return 1;
        }
    }
    memo_put(names, dir, h, -1);
    return 0;
}

/* Walks from abs_dir to "/", probing names in each directory. */
static int walk_up(struct arena *a, const char *abs_dir, const char *const *names, size_t n,
                   const char **out, struct err *err)
{
    char *dir = arena_strdup(a, abs_dir);
    for (;;) {
        int rc = probe_names(a, dir, names, n, out, err);
        if (rc)
            return rc;
        char *slash = strrchr(dir, '/');
        if (!slash || (slash == dir && dir[1] == '\0'))
            return 0;
        if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
}

int cfg_find(struct arena *a, const char *start_dir, struct cfg_found *out, struct err *err)
{
    out->path = NULL;
    out->mode = CFG_MODE_NONE;
    const char *start = start_dir && *start_dir ? start_dir : ".";
    char *abs = resolve_dir(start);
    if (!abs)
        return err_sys(err, start, "cannot resolve directory '%s'", start);
    const char *dir = arena_strdup(a, abs);
    free(abs);

    static const char *const ours[] = { ".dockwright.yaml", ".dockwright.yml" };
    static const char *const hidden[] = { ".hadolint.yaml", ".hadolint.yml" };
    static const char *const visible[] = { "hadolint.yaml", "hadolint.yml" };
    static const char *const appdata[] = { "hadolint.yaml", "hadolint.yml", "config.yaml",
                                           "config.yml" };
    const char *found = NULL;
    int rc = walk_up(a, dir, ours, DW_ARRAY_LEN(ours), &found, err);
    if (rc < 0)
        return rc;
    if (rc) {
        out->path = found;
        out->mode = CFG_MODE_DOCKWRIGHT;
        return 0;
    }
    /* hadolint looks only in the current directory; following our own
     * upward walk is what rules.md asks, so a repository-level
     * .hadolint.yaml applies to Dockerfiles in subdirectories. */
    rc = walk_up(a, dir, hidden, DW_ARRAY_LEN(hidden), &found, err);
    const char *home = getenv("HOME");
    if (home && !*home)
        home = NULL;
    if (rc == 0) {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        const char *xdg_dir =
            xdg && *xdg ? xdg : (home ? arena_printf(a, "%s/.config", home) : NULL);
        if (xdg_dir)
            rc = probe_names(a, xdg_dir, visible, DW_ARRAY_LEN(visible), &found, err);
    }
    if (rc == 0 && home)
        rc = probe_names(a, arena_printf(a, "%s/.hadolint", home), appdata, DW_ARRAY_LEN(appdata),
                         &found, err);
    if (rc == 0 && home)
        rc = probe_names(a, home, hidden, DW_ARRAY_LEN(hidden), &found, err);
    if (rc < 0)
        return rc;
    if (rc) {
        out->path = found;
        out->mode = CFG_MODE_HADOLINT;
    }
    return 0;
}

enum cfg_mode cfg_mode_for_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    static const char *const names[] = { ".hadolint.yaml", ".hadolint.yml", "hadolint.yaml",
                                         "hadolint.yml" };
    if (cfg_lookup(base, strlen(base), names, DW_ARRAY_LEN(names)) >= 0)
        return CFG_MODE_HADOLINT;
    if (slash) {
        const char *p = slash;
        while (p > path && p[-1] != '/')
            p--;
        if ((size_t)(slash - p) == 9 && memcmp(p, ".hadolint", 9) == 0)
            return CFG_MODE_HADOLINT;
    }
    return CFG_MODE_DOCKWRIGHT;
}

int cfg_load(const char *start_dir, const struct cfg_cli *cli, const struct cfg_rule_ref *rules,
             size_t n_rules, struct cfg **out, struct err *err)
{
    *out = NULL;
    struct arena tmp;
    arena_init(&tmp);
    const char *path = cli ? cli->config : NULL;
    enum cfg_mode mode = CFG_MODE_NONE;
    if (path && !*path) {
        arena_release(&tmp);
        return err_set(err, ERR_USAGE, "--config: must not be empty");
    }
    if (!path)
        path = env_get("DOCKWRIGHT_CONFIG");
    if (path) {
        mode = cfg_mode_for_path(path);
    } else {
        struct cfg_found f;
        int rc = cfg_find(&tmp, start_dir, &f, err);
        if (rc) {
            arena_release(&tmp);
            return rc;
        }
        path = f.path;
        mode = f.mode;
    }
    struct cfg *c = cfg_new(mode);
    int rc = 0;
    if (mode == CFG_MODE_HADOLINT)
        rc = cfg_apply_hadolint_env(c, err);
    if (!rc && path)
        rc = cfg_load_file(c, path, err);
    arena_release(&tmp);
    if (!rc)
        rc = cfg_apply_env(c, err);
    if (!rc)
        rc = cfg_apply_cli(c, cli, err);
    if (!rc && rules)
        rc = cfg_check_rules(c, rules, n_rules, err);
    if (rc) {
        cfg_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- rule options ---- */

static bool rule_matches(const char *written, const char *id, const char *name)
{
    return (id && strcasecmp(written, id) == 0) || (name && strcmp(written, name) == 0);
}

const struct cfg_rule_options *cfg_rule_options(const struct cfg *c, const char *id,
                                                const char *name)
{
    for (size_t i = 0; i < c->n_rules; i++)
        if (rule_matches(c->rules[i].rule, id, name))
            return &c->rules[i];
    return NULL;
}

const struct cfg_value *cfg_option(const struct cfg_rule_options *o, const char *key)
{
    if (!o)
        return NULL;
    for (size_t i = 0; i < o->n_opts; i++)
        if (strcmp(o->opts[i].key, key) == 0)
            return &o->opts[i].value;
    return NULL;
}

static DW_PRINTF(4, 5) int fail_at(struct err *err, enum err_code code, const struct cfg_loc *loc,
                                   const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, code, "%s", msg);
    if (loc->src == CFG_SRC_FILE)
        err_at(err, loc->origin, loc->line, loc->col);
    return code;
}

int cfg_check_rules(const struct cfg *c, const struct cfg_rule_ref *rules, size_t n,
                    struct err *err)
{
    /* first[r]: 1 + the index of the first section that names rule r. */
    size_t *first = xcalloc(n ? n : 1, sizeof *first);
    int rc = 0;
    for (size_t i = 0; i < c->n_rules && !rc; i++) {
        const struct cfg_rule_options *o = &c->rules[i];
        size_t r = n;
        for (size_t j = 0; j < n; j++) {
            if (rule_matches(o->rule, rules[j].id, rules[j].name)) {
                r = j;
                break;
            }
        }
        if (r == n) {
            /* Suggest a rule name, or an id when the section looks like one. */
            const char *best = NULL;
            size_t best_d = 3;
            for (size_t j = 0; j < n; j++) {
                const char *cands[2] = { rules[j].name, rules[j].id };
                for (size_t k = 0; k < 2; k++) {
                    if (!cands[k])
                        continue;
                    size_t d = cfg_edit_distance(o->rule, cands[k], 2);
                    if (d < best_d) {
                        best_d = d;
                        best = cands[k];
                    }
                }
            }
            if (best)
                rc = fail_at(err, ERR_INVALID, &o->loc, "unknown key '%s' (did you mean '%s'?)",
                             o->rule, best);
            else
                rc = fail_at(err, ERR_INVALID, &o->loc,
                             "unknown key '%s' (neither a config key nor a rule)", o->rule);
            break;
        }
        if (first[r]) {
            const char *shown = rules[r].name ? rules[r].name : rules[r].id;
            rc = fail_at(err, ERR_INVALID, &o->loc,
                         "options for rule '%s' given twice (first at line %u)", shown,
                         c->rules[first[r] - 1].loc.line);
            break;
        }
        first[r] = i + 1;
    }
    free(first);
    return rc;
}

int cfg_option_check_keys(const struct cfg_rule_options *o, const char *const *keys, size_t n,
                          struct err *err)
{
    if (!o)
        return 0;
    for (size_t i = 0; i < o->n_opts; i++) {
        const struct cfg_rule_option *opt = &o->opts[i];
        if (cfg_lookup(opt->key, strlen(opt->key), keys, n) >= 0)
            continue;
        const char *s = cfg_suggest(opt->key, keys, n);
        if (s)
            return fail_at(err, ERR_INVALID, &opt->key_loc,
                           "unknown key '%s.%s' (did you mean '%s.%s'?)", o->rule, opt->key,
                           o->rule, s);
        return fail_at(err, ERR_INVALID, &opt->key_loc, "unknown key '%s.%s'", o->rule, opt->key);
    }
    return 0;
}

int cfg_value_string(const struct cfg_value *v, const char **out, struct err *err)
{
    if (v->kind != CFG_VALUE_SCALAR)
        return fail_at(err, ERR_INVALID, &v->loc, "%s: must be a string", v->name);
    *out = v->text;
    return 0;
}

int cfg_value_bool(const struct cfg_value *v, bool *out, struct err *err)
{
    int b = v->kind == CFG_VALUE_SCALAR && v->plain ? cfg_yaml_bool(v->text, v->len) : -1;
    if (b < 0)
        return fail_at(err, ERR_INVALID, &v->loc, "%s: must be true or false", v->name);
    *out = b;
    return 0;
}

int cfg_value_int(const struct cfg_value *v, int64_t min, int64_t max, int64_t *out,
                  struct err *err)
{
    bool ok = v->kind == CFG_VALUE_SCALAR && v->plain && v->len > 0;
    int64_t val = 0;
    if (ok) {
        errno = 0;
        char *end;
        long long x = strtoll(v->text, &end, 10);
        ok = errno == 0 && *end == '\0' &&
             (v->text[0] == '-' || v->text[0] == '+' || (v->text[0] >= '0' && v->text[0] <= '9'));
        val = (int64_t)x;
    }
    if (!ok || val < min || val > max)
        return fail_at(err, ERR_INVALID, &v->loc,
                       "%s: must be an integer from %" PRId64 " to %" PRId64, v->name, min, max);
    *out = val;
    return 0;
}

int cfg_value_bytes(const struct cfg_value *v, uint64_t *out, struct err *err)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
        { "", 1 },
        { "B", 1 },
        { "kB", 1000 },
        { "KB", 1000 },
        { "MB", 1000 * 1000 },
        { "GB", 1000 * 1000 * 1000 },
        { "KiB", 1024 },
        { "MiB", 1024 * 1024 },
        { "GiB", 1024 * 1024 * 1024 },
    };
    if (v->kind == CFG_VALUE_SCALAR) {
        const char *t = v->text;
        size_t i = 0;
        uint64_t n = 0;
        bool overflow = false;
        while (t[i] >= '0' && t[i] <= '9') {
            if (n > (UINT64_MAX - 9) / 10)
                overflow = true;
            n = n * 10 + (uint64_t)(t[i] - '0');
            i++;
        }
        size_t j = i;
        while (t[j] == ' ')
            j++;
        for (size_t u = 0; i > 0 && !overflow && u < DW_ARRAY_LEN(units); u++) {
            if (strcmp(t + j, units[u].unit) != 0)
                continue;
            if (n > UINT64_MAX / units[u].mult)
                break;
            *out = n * units[u].mult;
            return 0;
        }
    }
    return fail_at(err, ERR_INVALID, &v->loc,
                   "%s: must be a size (a number of bytes, or with a unit B, kB, MB, GB, KiB, "
                   "MiB, GiB)",
                   v->name);
}

int cfg_value_enum(const struct cfg_value *v, const char *const *choices, size_t n, size_t *out,
                   struct err *err)
{
    int i = v->kind == CFG_VALUE_SCALAR ? cfg_lookup(v->text, v->len, choices, n) : -1;
    if (i < 0) {
        char list[ERR_MSG_MAX / 2];
        size_t pos = 0;
        list[0] = '\0';
        for (size_t k = 0; k < n && pos < sizeof list; k++) {
            int w = snprintf(list + pos, sizeof list - pos, "%s%s", k ? ", " : "", choices[k]);
            if (w < 0)
                break;
            pos += (size_t)w;
        }
        return fail_at(err, ERR_INVALID, &v->loc, "%s: must be one of %s", v->name, list);
    }
    *out = (size_t)i;
    return 0;
}

int cfg_value_list(const struct cfg_value *v, const struct cfg_value **items, size_t *n,
                   struct err *err)
{
    if (v->kind != CFG_VALUE_LIST)
        return fail_at(err, ERR_INVALID, &v->loc, "%s: must be a list", v->name);
    *items = v->items;
    *n = v->n_items;
    return 0;
}
