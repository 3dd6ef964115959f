/* eng_lint: one walk over the model calling each enabled rule for the
 * instruction kinds it subscribed to, then every finish(); the rule_ctx
 * API rules report through; pragmas, alias kinds and severities applied to
 * what they report; findings sorted by offset, then rule id. */
#include "analyzer/engine_int.h"
#include "common/fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx_file {
    const char *path;
    bool ok, exists;
    struct str text;
};

struct rule_ctx {
    const struct eng *e;
    struct df_file *f;
    uint32_t cur; /* the rule being called */
    void **state; /* per rule, zeroed */
    bool *extra;  /* rules this file turns on (`# check=experimental=`) */
    bool any_extra;
    struct eng_pragmas pragmas;
    VEC(struct rule_finding *) findings;
    VEC(const char *) warnings;
    VEC(const char *) warned;          /* "DW601.mode": option problems already reported */
    const struct eng_overlay *overlay; /* the fix engine's view of other files, or NULL */
    /* Context files read so far (rule_context_file), by path. */
    VEC(struct ctx_file) files;
    bool build_context_read;
    struct rule_build_context *build_context; /* rule_build_context */
};

/* ------------------------------------------------------------- the context */

const struct df_file *rule_file(const struct rule_ctx *ctx)
{
    return ctx->f;
}

const struct df_model *rule_model(const struct rule_ctx *ctx)
{
    return &ctx->f->model;
}

void *rule_state(struct rule_ctx *ctx)
{
    return ctx->state[ctx->cur];
}

void *rule_alloc(struct rule_ctx *ctx, size_t n)
{
    return arena_calloc(&ctx->f->arena, 1, n);
}

void *rule_alloc_uninit(struct rule_ctx *ctx, size_t n)
{
    return arena_alloc(&ctx->f->arena, n);
}

struct arena *rule_arena(struct rule_ctx *ctx)
{
    return &ctx->f->arena;
}

/* ---------------------------------------------------------------- messages
 *
 * Every finding's message is formatted, thousands per lint of a corpus, and
 * glibc's vsnprintf spends about 1.9k instructions on one (stream set-up,
 * the general conversion machinery). Rule messages use a handful of
 * conversions; fmt_fast writes those itself and gives up on anything else,
 * so that vformat formats that message with vsnprintf instead: the text is
 * always what vsnprintf gives. */

/* Appends s[0, n) to out (len bytes used of cap); false when it does not
 * fit with a terminator. */
static bool fmt_put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (n >= cap - *len)
        return false;
    memcpy(out + *len, s, n);
    *len += n;
    return true;
}

/* Appends the decimal digits of v, after a '-' when neg. */
static bool fmt_put_dec(char *out, size_t cap, size_t *len, unsigned long long v, bool neg)
{
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        d[--i] = '-';
    return fmt_put(out, cap, len, d + i, sizeof d - i);
}

/* Formats fmt into out (cap bytes, NUL-terminated, *len without the NUL),
 * taking the arguments from *ap, for the conversions %s, %.*s, %c, %d,
 * %ld, %lld, %u, %lu, %llu, %zu and %% with no flag or width. Returns
 * false, with *ap partly read, for any other conversion, a NULL string
 * (whose printing is the C library's business) or a result of cap bytes
 * or more. */
static bool fmt_fast(char *out, size_t cap, size_t *len, const char *fmt, va_list *ap)
{
    size_t n = 0;
    for (const char *p = fmt;;) {
        size_t lit = strcspn(p, "%"); /* glibc: a vector search, not a byte loop */
        if (lit && !fmt_put(out, cap, &n, p, lit))
            return false;
        p += lit;
        if (!*p)
            break;
        p++; /* the '%' */
        int prec = -1;
        if (p[0] == '.' && p[1] == '*' && p[2] == 's') {
            prec = va_arg(*ap, int);
            p += 2;
        }
        char mod = 0; /* 'l' (long), 'L' (long long), 'z' (size_t) */
        if (p[0] == 'l' && p[1] == 'l') {
            mod = 'L';
            p += 2;
        } else if (p[0] == 'l' || p[0] == 'z') {
            mod = *p++;
        }
        char conv = *p++;
        if (mod && conv != 'd' && conv != 'u')
            return false;
        switch (conv) {
        case '%':
            if (!fmt_put(out, cap, &n, "%", 1))
                return false;
            break;
        case 's': {
            const char *s = va_arg(*ap, const char *);
            if (!s)
                return false;
            size_t k = prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
            if (!fmt_put(out, cap, &n, s, k))
                return false;
            break;
        }
        case 'c': {
            char c = (char)(unsigned char)va_arg(*ap, int);
            if (!fmt_put(out, cap, &n, &c, 1))
                return false;
            break;
        }
        case 'd': {
            if (mod == 'z')
                return false; /* %zd: a signed size_t, not worth a case */
            long long v = mod == 'L'   ? va_arg(*ap, long long)
                          : mod == 'l' ? va_arg(*ap, long)
                                       : va_arg(*ap, int);
            unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            if (!fmt_put_dec(out, cap, &n, u, v < 0))
                return false;
            break;
        }
        case 'u': {
            unsigned long long v = mod == 'L'   ? va_arg(*ap, unsigned long long)
                                   : mod == 'l' ? va_arg(*ap, unsigned long)
                                   : mod == 'z' ? va_arg(*ap, size_t)
                                                : va_arg(*ap, unsigned);
            if (!fmt_put_dec(out, cap, &n, v, false))
                return false;
            break;
        }
        default: return false;
        }
    }
    out[n] = '\0';
    *len = n;
    return true;
}

static const char *vformat(struct arena *a, const char *fmt, va_list ap) DW_PRINTF(2, 0);
static const char *vformat(struct arena *a, const char *fmt, va_list ap)
{
    /* Messages are short: one formatting pass into a local buffer, a
     * second only for the rare message that does not fit. */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    size_t len;
    bool fast = fmt_fast(small, sizeof small, &len, fmt, &ap2);
    va_end(ap2);
    if (fast) {
        char *s = arena_alloc(a, len + 1);
        memcpy(s, small, len + 1);
        return s;
    }
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return "";
    char *s = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small)
        memcpy(s, small, (size_t)n + 1);
    else
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

const char *rule_printf(struct rule_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = vformat(&ctx->f->arena, fmt, ap);
    va_end(ap);
    return s;
}

static void ctx_warn(struct rule_ctx *ctx, const char *fmt, ...) DW_PRINTF(2, 3);
static void ctx_warn(struct rule_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = vformat(&ctx->f->arena, fmt, ap);
    va_end(ap);
    VEC_PUSH(&ctx->warnings, s);
}

const char *rule_context_dir(const struct rule_ctx *ctx)
{
    return ctx->overlay ? ctx->overlay->dir : ctx->e->context_dir;
}

bool eng_safe_relative_path(const char *p)
{
    if (!p || !*p || *p == '/')
        return false;
    for (const char *s = p;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

static void read_context_file(struct rule_ctx *ctx, const char *dir, struct ctx_file *cf)
{
    if (ctx->overlay && ctx->overlay->lookup &&
        ctx->overlay->lookup(ctx->overlay->ud, cf->path, &cf->text, &cf->exists)) {
        cf->text =
            str_make(arena_strndup(&ctx->f->arena, cf->text.len ? cf->text.ptr : "", cf->text.len),
                     cf->text.len);
        cf->ok = true;
        return;
    }
    struct buf path = BUF_INIT, content = BUF_INIT;
    struct err err;
    if (buf_printf(&path, "%s/%s", dir, cf->path))
        DW_BUG("unbounded buffer refused an append");
    if (!file_read_all(buf_cstr(&path), ENG_OTHER_FILE_MAX, &content, &err)) {
        cf->ok = cf->exists = true;
        cf->text =
            str_make(arena_strndup(&ctx->f->arena, buf_cstr(&content), content.len), content.len);
    } else if (err.code == ERR_IO && err.sys_errno == ENOENT) {
        cf->ok = true;
        cf->text = STR_LIT("");
    }
    buf_release(&path);
    buf_release(&content);
}

bool rule_context_file(struct rule_ctx *ctx, const char *path, struct str *text, bool *exists)
{
    const char *dir = rule_context_dir(ctx);
    *text = STR_LIT("");
    *exists = false;
    if (!dir || !eng_safe_relative_path(path))
        return false;
    struct ctx_file *cf = NULL;
    for (size_t i = 0; i < ctx->files.len && !cf; i++)
        if (!strcmp(ctx->files.items[i].path, path))
            cf = &ctx->files.items[i];
    if (!cf) {
        cf = VEC_PUSH_ZERO(&ctx->files);
        cf->path = arena_strdup(&ctx->f->arena, path);
        read_context_file(ctx, dir, cf);
    }
    if (!cf->ok)
        return false;
    *text = cf->text;
    *exists = cf->exists;
    return true;
}

/* path relative to dir when it lies inside it, else NULL. */
static const char *relative_to(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (strncmp(path, dir, n) || path[n] != '/')
        return NULL;
    return path + n + 1;
}

const struct rule_build_context *rule_build_context(struct rule_ctx *ctx)
{
    if (ctx->build_context_read)
        return ctx->build_context;
    ctx->build_context_read = true;
    const char *dir = rule_context_dir(ctx);
    if (!dir)
        return NULL;
    struct arena *a = &ctx->f->arena;
    struct rule_build_context *bc = arena_calloc(a, 1, sizeof *bc);
    bc->dir = dir;
    struct err err = { 0 };
    const char *found = NULL;
    if (di_find(a, ctx->f->path, dir, &found, &err) != 0)
        return NULL;
    /* An ignore file inside the context is read as the fix engine sees it,
     * so that a pass after a fix that edited it sees the edit. */
    bc->dockerfile_rel = ctx->f->path ? relative_to(dir, ctx->f->path) : NULL;
    bc->ignore_rel = found ? relative_to(dir, found) : ".dockerignore";
    bc->ignore_name = bc->ignore_rel ? bc->ignore_rel : found;
    bc->ignore_text = STR_LIT("");
    int rc = 0;
    if (bc->ignore_rel) {
        if (!rule_context_file(ctx, bc->ignore_rel, &bc->ignore_text, &bc->ignore_exists))
            return NULL;
        if (bc->ignore_exists)
            rc = di_load(a, bc->ignore_rel, bc->ignore_text.ptr, bc->ignore_text.len, &bc->ignore,
                         &err);
    } else {
        bc->ignore_exists = true;
        rc = di_load_file(a, found, &bc->ignore, &err);
    }
    if (rc) {
        bc->ignore = NULL;
        bc->ignore_broken = true;
    }
    if (di_walk(a, dir, bc->ignore, NULL, &bc->walk, &err) != 0)
        return NULL;
    ctx->build_context = bc;
    return bc;
}

const struct cfg *rule_config(const struct rule_ctx *ctx)
{
    return ctx->e->cfg;
}

enum rule_name_status rule_name_check(const struct rule_ctx *ctx, struct str name,
                                      enum df_pragma_origin origin)
{
    struct eng_name nm;
    eng_name_resolve(ctx->e->registry, ctx->e->n_rules, name, origin == DF_PRAGMA_BUILDKIT, &nm);
    if (nm.cls != ENG_NAME_UNKNOWN)
        return RULE_NAME_VALID;
    return nm.case_mismatch ? RULE_NAME_CASE_MISMATCH : RULE_NAME_UNKNOWN;
}

static bool active(const struct rule_ctx *ctx, uint32_t r);

enum rule_pragma_use rule_pragma_use(const struct rule_ctx *ctx, uint32_t pragma, uint32_t name)
{
    const struct eng_pragmas *p = &ctx->pragmas;
    if (!p->n || pragma >= ctx->f->model.n_pragmas || !p->item_of[pragma])
        return RULE_PRAGMA_NOT_JUDGED;
    const struct eng_pragma *it = &p->items[p->item_of[pragma] - 1];
    if (name >= it->n_names)
        return RULE_PRAGMA_NOT_JUDGED;
    const struct eng_name *nm = &it->names[name];
    bool ran = false;
    for (size_t r = 0; r < ctx->e->n_rules && !ran; r++)
        ran = (eng_name_matches(ctx->e, nm, (uint32_t)r, NULL) ||
               (nm->cls == ENG_NAME_RULE && nm->rule == r)) &&
              active(ctx, (uint32_t)r);
    if (!ran)
        return RULE_PRAGMA_NOT_JUDGED;
    return it->used[name] ? RULE_PRAGMA_USED : RULE_PRAGMA_UNUSED;
}

/* The option's value, or NULL when unset. */
static const struct cfg_value *option(struct rule_ctx *ctx, const char *key)
{
    return cfg_option(ctx->e->rules[ctx->cur].options, key);
}

/* A value of the wrong type: one warning per rule and key and file, and
 * the default applies. */
static void option_problem(struct rule_ctx *ctx, const char *key, const struct err *err)
{
    const char *id = ctx->e->registry[ctx->cur]->id;
    for (size_t i = 0; i < ctx->warned.len; i++) {
        const char *w = ctx->warned.items[i];
        size_t n = strlen(id);
        if (!strncmp(w, id, n) && w[n] == '.' && !strcmp(w + n + 1, key))
            return;
    }
    VEC_PUSH(&ctx->warned, rule_printf(ctx, "%s.%s", id, key));
    char buf[ERR_MSG_MAX + ERR_PATH_MAX + 32];
    err_format(err, buf, sizeof buf);
    ctx_warn(ctx, "%s (the default applies)", buf);
}

const char *rule_option_string(struct rule_ctx *ctx, const char *key, const char *def)
{
    const struct cfg_value *v = option(ctx, key);
    const char *out;
    struct err err;
    if (!v)
        return def;
    if (cfg_value_string(v, &out, &err)) {
        option_problem(ctx, key, &err);
        return def;
    }
    return out;
}

long long rule_option_int(struct rule_ctx *ctx, const char *key, long long def)
{
    const struct cfg_value *v = option(ctx, key);
    int64_t out;
    struct err err;
    if (!v)
        return def;
    if (cfg_value_int(v, INT64_MIN, INT64_MAX, &out, &err)) {
        option_problem(ctx, key, &err);
        return def;
    }
    return (long long)out;
}

bool rule_option_bool(struct rule_ctx *ctx, const char *key, bool def)
{
    const struct cfg_value *v = option(ctx, key);
    bool out;
    struct err err;
    if (!v)
        return def;
    if (cfg_value_bool(v, &out, &err)) {
        option_problem(ctx, key, &err);
        return def;
    }
    return out;
}

/* ---------------------------------------------------------------- reporting */

struct rule_finding *rule_report(struct rule_ctx *ctx, struct span span, const char *fmt, ...)
{
    uint32_t len = ctx->f->len;
    /* A span outside the file is a rule bug; clamp it rather than crash
     * in the output code. */
    if (span.start > len)
        span.start = len;
    if (span.end < span.start || span.end > len)
        span.end = span.end < span.start ? span.start : len;
    if (eng_pragmas_cover(ctx->e, ctx->f, &ctx->pragmas, ctx->cur, NULL, false, span.start, true))
        return NULL;
    struct rule_finding *f = ARENA_NEW(&ctx->f->arena, struct rule_finding);
    f->ctx = ctx;
    f->rule = ctx->cur;
    f->seq = (uint32_t)ctx->findings.len;
    f->span = span;
    f->related_tail = &f->related;
    f->others_tail = &f->others;
    va_list ap;
    va_start(ap, fmt);
    f->message = vformat(&ctx->f->arena, fmt, ap);
    va_end(ap);
    VEC_PUSH(&ctx->findings, f);
    return f;
}

static const char *rule_id(const struct rule_finding *f)
{
    return f->ctx->e->registry[f->rule]->id;
}

void rule_finding_alias(struct rule_finding *f, const char *alias_name)
{
    const struct rule *r = f->ctx->e->registry[f->rule];
    for (const struct rule_alias *a = r->aliases; alias_name && a && a->name; a++)
        if (!strcmp(a->name, alias_name)) {
            f->alias = a->name;
            return;
        }
    ctx_warn(f->ctx, "%s: '%s' is not one of the rule's aliases (a bug in the rule)", r->id,
             alias_name ? alias_name : "(null)");
}

void rule_finding_severity(struct rule_finding *f, enum rule_severity sev)
{
    f->has_severity = true;
    f->severity = sev;
}

void rule_finding_related(struct rule_finding *f, struct span span, const char *message)
{
    struct rule_ctx *ctx = f->ctx;
    uint32_t len = ctx->f->len;
    if (span.start > len)
        span.start = len;
    if (span.end < span.start || span.end > len)
        span.end = span.end < span.start ? span.start : len;
    struct eng_related_node *n = ARENA_NEW(&ctx->f->arena, struct eng_related_node);
    n->span = span;
    n->message = arena_strdup(&ctx->f->arena, message ? message : "");
    *f->related_tail = n;
    f->related_tail = &n->next;
    f->n_related++;
}

bool eng_edits_normalize(struct edit *edits, uint32_t n, uint32_t len)
{
    /* Insertion sort: stable, and fixes have a handful of edits. An insert
     * at a point sorts before a replacement starting there. */
    for (uint32_t i = 1; i < n; i++) {
        struct edit x = edits[i];
        uint32_t j = i;
        while (j > 0 && (edits[j - 1].start > x.start ||
                         (edits[j - 1].start == x.start && edits[j - 1].end > x.end))) {
            edits[j] = edits[j - 1];
            j--;
        }
        edits[j] = x;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (edits[i].start > edits[i].end || edits[i].end > len)
            return false;
        if (i && edits[i - 1].end > edits[i].start)
            return false;
    }
    return true;
}

static struct edit *copy_edits(struct arena *a, const struct edit *edits, uint32_t n)
{
    struct edit *out = ARENA_NEW_ARRAY(a, struct edit, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        out[i].start = edits[i].start;
        out[i].end = edits[i].end;
        const char *t = edits[i].text.len ? edits[i].text.ptr : "";
        out[i].text = str_make(arena_strndup(a, t, edits[i].text.len), edits[i].text.len);
    }
    return out;
}

void rule_finding_fix(struct rule_finding *f, enum fix_safety safety, const char *title,
                      const struct edit *edits, uint32_t n_edits)
{
    struct rule_ctx *ctx = f->ctx;
    if (f->has_fix) {
        ctx_warn(ctx, "%s: a second fix for one finding was ignored (a bug in the rule)",
                 rule_id(f));
        return;
    }
    struct edit *copy = copy_edits(&ctx->f->arena, edits, n_edits);
    f->has_fix = true;
    f->safety = safety;
    f->title = arena_strdup(&ctx->f->arena, title ? title : "");
    f->edits = copy;
    f->n_edits = n_edits;
    if (!eng_edits_normalize(copy, n_edits, ctx->f->len)) {
        f->fix_bad = true;
        ctx_warn(ctx,
                 "%s: dropped a fix with overlapping or out-of-range edits (a bug in the rule)",
                 rule_id(f));
    }
}

void rule_finding_fix_other(struct rule_finding *f, const char *path, const struct edit *edits,
                            uint32_t n_edits)
{
    struct rule_ctx *ctx = f->ctx;
    if (!f->has_fix) {
        ctx_warn(ctx, "%s: edits of '%s' without a fix were ignored (a bug in the rule)",
                 rule_id(f), path ? path : "(null)");
        return;
    }
    if (!eng_safe_relative_path(path)) {
        f->fix_bad = true;
        ctx_warn(ctx,
                 "%s: dropped a fix of '%s', which is not inside the context (a bug in the rule)",
                 rule_id(f), path ? path : "(null)");
        return;
    }
    struct eng_other_node *o = ARENA_NEW(&ctx->f->arena, struct eng_other_node);
    struct edit *copy = copy_edits(&ctx->f->arena, edits, n_edits);
    o->path = arena_strdup(&ctx->f->arena, path);
    o->edits = copy;
    o->n_edits = n_edits;
    /* The other file's length is known only when the fix engine reads it;
     * here only order and overlap are checked. */
    if (!eng_edits_normalize(copy, n_edits, UINT32_MAX)) {
        f->fix_bad = true;
        ctx_warn(ctx, "%s: dropped a fix with overlapping edits of '%s' (a bug in the rule)",
                 rule_id(f), path);
    }
    *f->others_tail = o;
    f->others_tail = &o->next;
    f->n_others++;
}

/* --------------------------------------------------------------------- run */

/* `# check=experimental=Name|all` (peers/buildkit-checks.md) turns on
 * experimental BuildKit checks for this file: the rules carrying that
 * BuildKit alias, unless the configuration turned them off by name. */
static void experimental_rules(struct rule_ctx *ctx)
{
    const struct df_model *m = &ctx->f->model;
    const struct eng *e = ctx->e;
    for (uint32_t i = 0; i < m->n_directives; i++) {
        const struct df_directive *d = &m->directives[i];
        if (d->duplicate || !str_eq_nocase(d->name.raw, STR_LIT("check")))
            continue;
        struct str v = d->value.raw;
        long sp = str_find_char(v, ' ', 0);
        if (sp >= 0)
            v = str_slice(v, 0, (size_t)sp);
        size_t b = 0;
        for (size_t k = 0; k <= v.len; k++) {
            if (k < v.len && v.ptr[k] != ';')
                continue;
            struct str part = str_trim(str_slice(v, b, k));
            b = k + 1;
            if (!str_starts_with(part, STR_LIT("experimental=")))
                continue;
            struct str names = str_slice(part, 13, part.len);
            size_t nb = 0;
            for (size_t j = 0; j <= names.len; j++) {
                if (j < names.len && names.ptr[j] != ',')
                    continue;
                struct str nm = str_trim(str_slice(names, nb, j));
                nb = j + 1;
                bool all = str_eq_cstr(nm, "all");
                struct eng_name res;
                if (!all)
                    eng_name_resolve(e->registry, e->n_rules, nm, true, &res);
                for (size_t r = 0; r < e->n_rules; r++) {
                    const struct eng_rule *er = &e->rules[r];
                    if (!er->has_buildkit_alias || er->explicitly_disabled)
                        continue;
                    if (all ? er->rule->status == RULE_OFF
                            : res.cls == ENG_NAME_RULE && res.rule == r)
                        ctx->extra[r] = ctx->any_extra = true;
                }
            }
        }
    }
}

static bool active(const struct rule_ctx *ctx, uint32_t r)
{
    const struct eng_rule *er = &ctx->e->rules[r];
    if (!er->enabled && !ctx->extra[r])
        return false;
    return !er->rule->needs_context || rule_context_dir(ctx);
}

static void dispatch(struct rule_ctx *ctx, const struct df_instr *in, bool trigger)
{
    const struct eng *e = ctx->e;
    if ((unsigned)in->kind >= DF_KIND_COUNT)
        return;
    if (!ctx->any_extra) {
        /* The common case: the engine's enabled rules, in the same order;
         * of active() only the context test is left. */
        bool have_dir = rule_context_dir(ctx) != NULL;
        for (uint32_t i = 0; i < e->n_run_by_kind[in->kind]; i++) {
            const struct eng_check *run = &e->run_by_kind[in->kind][i];
            if ((run->needs_context && !have_dir) || (trigger && !run->on_triggers))
                continue;
            ctx->cur = run->rule;
            run->check(ctx, in);
        }
        return;
    }
    for (uint32_t i = 0; i < e->n_by_kind[in->kind]; i++) {
        uint32_t r = e->by_kind[in->kind][i];
        const struct rule *rule = e->registry[r];
        if (!rule->check || !active(ctx, r) || (trigger && !rule->on_triggers))
            continue;
        ctx->cur = r;
        rule->check(ctx, in);
    }
}

static int finding_cmp(const void *pa, const void *pb)
{
    const struct rule_finding *a = *(const struct rule_finding *const *)pa;
    const struct rule_finding *b = *(const struct rule_finding *const *)pb;
    if (a->span.start != b->span.start)
        return a->span.start < b->span.start ? -1 : 1;
    if (a->rule != b->rule) /* the registry is sorted by id */
        return a->rule < b->rule ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const struct eng_fix *make_fix(struct rule_ctx *ctx, const struct rule_finding *rf)
{
    struct arena *a = &ctx->f->arena;
    struct eng_fix *fx = ARENA_NEW(a, struct eng_fix);
    fx->safety = rf->safety;
    fx->title = rf->title;
    fx->edits = rf->edits;
    fx->n_edits = rf->n_edits;
    if (rf->n_others) {
        struct eng_file_edits *o = ARENA_NEW_ARRAY(a, struct eng_file_edits, rf->n_others);
        uint32_t i = 0;
        for (const struct eng_other_node *n = rf->others; n; n = n->next, i++)
            o[i] = (struct eng_file_edits){ n->path, n->edits, n->n_edits };
        fx->others = o;
        fx->n_others = rf->n_others;
    }
    return fx;
}

static void mark_kinds(struct rule_ctx *ctx)
{
    for (size_t i = 0; i < ctx->findings.len; i++) {
        const struct rule_finding *rf = ctx->findings.items[i];
        const char *kind = eng_alias_kind(ctx->e->registry[rf->rule], rf->alias);
        const struct eng_slot *slot = eng_slot_of(ctx->e, rf->rule, kind);
        if (kind && (slot->enabled || ctx->extra[rf->rule]))
            (void)eng_pragmas_cover(ctx->e, ctx->f, &ctx->pragmas, rf->rule, kind, true,
                                    rf->span.start, true);
    }
}

static void assemble(struct rule_ctx *ctx, struct eng_result *out)
{
    const struct eng *e = ctx->e;
    struct df_file *f = ctx->f;
    size_t kept = 0;
    for (size_t i = 0; i < ctx->findings.len; i++) {
        struct rule_finding *rf = ctx->findings.items[i];
        const struct rule *r = e->registry[rf->rule];
        const char *kind = eng_alias_kind(r, rf->alias);
        const struct eng_slot *slot = eng_slot_of(e, rf->rule, kind);
        if (!slot->enabled && !ctx->extra[rf->rule])
            continue;
        if (eng_pragmas_cover(e, f, &ctx->pragmas, rf->rule, kind, true, rf->span.start, true))
            continue;
        ctx->findings.items[kept++] = rf;
    }
    ctx->findings.len = kept;
    if (kept)
        qsort(ctx->findings.items, kept, sizeof *ctx->findings.items, finding_cmp);

    struct eng_finding *fs = ARENA_NEW_ARRAY(&f->arena, struct eng_finding, kept + 1);
    for (size_t i = 0; i < kept; i++) {
        const struct rule_finding *rf = ctx->findings.items[i];
        const struct rule *r = e->registry[rf->rule];
        const struct eng_slot *slot = eng_slot_of(e, rf->rule, eng_alias_kind(r, rf->alias));
        struct eng_finding *o = &fs[i];
        o->rule = r;
        o->alias = rf->alias;
        o->severity = slot->sev_fixed    ? slot->severity
                      : rf->has_severity ? rf->severity
                                         : slot->severity;
        o->span = rf->span;
        df_file_locate(f, rf->span.start, &o->line, &o->col);
        df_file_locate(f, rf->span.end, &o->end_line, &o->end_col);
        o->message = rf->message;
        if (rf->n_related) {
            struct eng_related *rel = ARENA_NEW_ARRAY(&f->arena, struct eng_related, rf->n_related);
            uint32_t k = 0;
            for (const struct eng_related_node *n = rf->related; n; n = n->next, k++) {
                rel[k].span = n->span;
                rel[k].message = n->message;
                df_file_locate(f, n->span.start, &rel[k].line, &rel[k].col);
                df_file_locate(f, n->span.end, &rel[k].end_line, &rel[k].end_col);
            }
            o->related = rel;
            o->n_related = rf->n_related;
        }
        if (rf->has_fix && !rf->fix_bad)
            o->fix = make_fix(ctx, rf);
    }
    out->findings = fs;
    out->n_findings = (uint32_t)kept;
    const char **w = ARENA_NEW_ARRAY(&f->arena, const char *, ctx->warnings.len + 1);
    if (ctx->warnings.len)
        memcpy(w, ctx->warnings.items, ctx->warnings.len * sizeof *w);
    out->warnings = w;
    out->n_warnings = (uint32_t)ctx->warnings.len;
}

int eng_lint(const struct eng *e, struct df_file *f, struct eng_result *out, struct err *err)
{
    return eng_lint_with(e, f, NULL, out, err);
}

int eng_lint_with(const struct eng *e, struct df_file *f, const struct eng_overlay *ov,
                  struct eng_result *out, struct err *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    struct rule_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.e = e;
    ctx.f = f;
    ctx.overlay = ov;
    size_t n = e->n_rules ? e->n_rules : 1;
    ctx.state = ARENA_NEW_ARRAY(&f->arena, void *, n);
    ctx.extra = ARENA_NEW_ARRAY(&f->arena, bool, n);
    experimental_rules(&ctx);
    bool have_dir = rule_context_dir(&ctx) != NULL;
    if (!ctx.any_extra) {
        /* The common case: the engine's enabled rules (active() is their
         * context test); the same rules in the same order as below. */
        for (uint32_t i = 0; i < e->n_stateful; i++) {
            const struct eng_run *run = &e->stateful[i];
            if (!run->needs_context || have_dir)
                ctx.state[run->rule] = arena_calloc(&f->arena, 1, run->state_size);
        }
    } else {
        for (size_t r = 0; r < e->n_rules; r++)
            if (active(&ctx, (uint32_t)r) && e->registry[r]->state_size)
                ctx.state[r] = arena_calloc(&f->arena, 1, e->registry[r]->state_size);
    }
    eng_pragmas_build(e, f, &ctx.pragmas);

    const struct df_model *m = &f->model;
    for (uint32_t i = 0; i < m->n_instrs; i++) {
        const struct df_instr *in = m->instrs[i];
        dispatch(&ctx, in, false);
        /* ONBUILD triggers go to rules that asked for them (rules.md:
         * RUN-based rules check `ONBUILD RUN` too). */
        for (const struct df_instr *t = in->kind == DF_ONBUILD ? in->trigger : NULL; t;
             t = t->kind == DF_ONBUILD ? t->trigger : NULL)
            dispatch(&ctx, t, true);
    }
    bool any_late = false;
    if (!ctx.any_extra) {
        for (uint32_t i = 0; i < e->n_finishing; i++) {
            const struct eng_run *run = &e->finishing[i];
            if (run->needs_context && !have_dir)
                continue;
            any_late |= run->late;
            if (run->finish && !run->late) {
                ctx.cur = run->rule;
                run->finish(&ctx);
            }
        }
    } else {
        for (size_t r = 0; r < e->n_rules; r++) {
            const struct rule *rule = e->registry[r];
            any_late |= rule->late && active(&ctx, (uint32_t)r);
            if (rule->finish && !rule->late && active(&ctx, (uint32_t)r)) {
                ctx.cur = (uint32_t)r;
                rule->finish(&ctx);
            }
        }
    }
    if (any_late) {
        /* Pragma names of one alias kind are marked used only once the
         * findings' kinds are known: mark them before the late rules judge. */
        mark_kinds(&ctx);
        for (size_t r = 0; r < e->n_rules; r++) {
            const struct rule *rule = e->registry[r];
            if (rule->finish && rule->late && active(&ctx, (uint32_t)r)) {
                ctx.cur = (uint32_t)r;
                rule->finish(&ctx);
            }
        }
    }
    assemble(&ctx, out);
    VEC_RELEASE(&ctx.findings);
    VEC_RELEASE(&ctx.warnings);
    VEC_RELEASE(&ctx.warned);
    VEC_RELEASE(&ctx.files);
    return 0;
}
