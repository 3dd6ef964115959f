/* ARG and ENV scoping as BuildKit does it (dockerfile.md sections 10-11),
 * df_lookup and df_expand.
 *
 * - Global scope: the predefined platform ARGs of the target and build
 *   platforms (TARGETPLATFORM ... TARGETSTAGE), overridden by build args,
 *   and the ARGs before the first FROM, in order; a global ARG takes its
 *   build arg, else its default expanded with the global ARGs before it
 *   (BuildKit processes them one by one), else the predefined value of
 *   that name. It is visible in FROM lines and later global ARG defaults
 *   only.
 * - Stage scope: the in-file parent stage's whole environment (FROM
 *   otherstage; ARGs included), then the stage's ARG and ENV instructions
 *   in order, each visible from the next instruction on. A stage ARG takes
 *   its build arg, else its default, else the global value of that name
 *   (that is how a global ARG is imported), else it is declared but unset.
 *   Every substitution of one instruction sees the environment from before
 *   it (the snapshot rule: `ENV a=2 b=$a` gives b the old a).
 *
 * The base image's own environment comes from the caller (the builder
 * knows it, df_build_opts.base_env): it sits below the stage's first
 * instruction, so every ARG and ENV overrides it, except that an ARG with
 * no value at all (no build arg, default or global) leaves the variable
 * as it was, as BuildKit adds nothing to the environment then. Without
 * it a name the image sets is simply not found. */
#include "analyzer/model_int.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* One definition: a name and its value from some instruction on. */
struct df_var_def {
    struct str name;
    uint32_t after; /* visible to instructions whose index is greater */
    struct df_var var;
};

struct df_scopes {
    const struct df_var_def *predef;
    uint32_t n_predef;
    const struct df_var_def *global;
    uint32_t n_global;
    const struct df_var_def **stage; /* per stage, in order */
    uint32_t *n_stage;
    const int *base; /* base stage per stage, -1 for none */
    uint32_t n_stages;
};

/* ------------------------------------------------------------------ lookup */

static const struct df_var_def *find_in(const struct df_var_def *defs, uint32_t n, struct str name,
                                        uint32_t before)
{
    for (uint32_t i = n; i-- > 0;)
        if (defs[i].after < before && str_eq(defs[i].name, name))
            return &defs[i];
    return NULL;
}

static const struct df_var_def *find_global(const struct df_scopes *sc, struct str name,
                                            uint32_t before)
{
    const struct df_var_def *d = find_in(sc->global, sc->n_global, name, before);
    if (!d)
        d = find_in(sc->predef, sc->n_predef, name, UINT32_MAX);
    return d;
}

/* The stage scope of stage s for an instruction with index `before`, then
 * the whole environments of its in-file ancestors. */
static const struct df_var_def *find_stage(const struct df_scopes *sc, int s, struct str name,
                                           uint32_t before)
{
    while (s >= 0 && (uint32_t)s < sc->n_stages) {
        const struct df_var_def *d = find_in(sc->stage[s], sc->n_stage[s], name, before);
        if (d)
            return d;
        before = UINT32_MAX;
        s = sc->base[s];
    }
    return NULL;
}

/* Which scope an instruction expands in: ONBUILD triggers stand where
 * their ONBUILD is; FROM and everything before the first FROM use the
 * global scope. */
static const struct df_var_def *find_at(const struct df_scopes *sc, const struct df_instr *at,
                                        struct str name)
{
    while (at && at->parent)
        at = at->parent;
    if (!at)
        return find_global(sc, name, UINT32_MAX);
    if (at->kind == DF_FROM || at->stage < 0)
        return find_global(sc, name, at->index);
    return find_stage(sc, at->stage, name, at->index);
}

bool df_lookup(const struct df_file *f, const struct df_instr *at, struct str name,
               struct df_var *out)
{
    memset(out, 0, sizeof *out);
    if (!f->scopes)
        return false;
    const struct df_var_def *d = find_at(f->scopes, at, name);
    if (!d)
        return false;
    *out = d->var;
    return true;
}

struct env_ctx {
    const struct df_scopes *sc;
    const struct df_instr *at;
};

static bool env_lookup(void *ctx, struct str name, struct str *value)
{
    const struct env_ctx *c = ctx;
    const struct df_var_def *d = find_at(c->sc, c->at, name);
    if (!d || !d->var.set)
        return false;
    *value = d->var.value;
    return true;
}

/* --------------------------------------------------------------- building */

struct scope_build {
    struct mb *b;
    struct df_scopes *sc;
    VEC(struct df_var_def) defs; /* the scope being built */
};

static struct str build_arg(const struct mb *b, struct str name)
{
    if (!b->opts || !b->opts->build_args)
        return STR_NULL;
    struct str found = STR_NULL;
    for (const char *const *p = b->opts->build_args; *p; p++) {
        const char *eq = strchr(*p, '=');
        if (!eq)
            continue;
        if (str_eq(str_make(*p, (size_t)(eq - *p)), name))
            found = str_from_cstr(eq + 1);
    }
    return found;
}

/* Expands a value (logical text) with env; on an expansion error the text
 * is kept as written (the syntax rules report it through df_expand). */
static struct str expand_value(struct mb *b, struct str raw, const struct exp_env *env)
{
    bool plain = true;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.ptr[i];
        if (c == '$' || c == '\'' || c == '"' || c == b->escape)
            plain = false;
    }
    if (plain)
        return raw;
    struct exp_opts o = { (char)b->escape, 0, 0 };
    struct exp_result r;
    struct err e;
    if (exp_word(b->a, raw.ptr, raw.len, 0, env, &o, &r, &e))
        return raw;
    return r.value;
}

/* Environment over the global ARGs built so far (BuildKit expands each
 * global ARG default with the ones before it, pair by pair). */
static bool global_so_far(void *ctx, struct str name, struct str *value)
{
    struct scope_build *s = ctx;
    for (size_t i = s->defs.len; i-- > 0;)
        if (str_eq(s->defs.items[i].name, name)) {
            if (!s->defs.items[i].var.set)
                return false;
            *value = s->defs.items[i].var.value;
            return true;
        }
    const struct df_var_def *d = find_in(s->sc->predef, s->sc->n_predef, name, UINT32_MAX);
    if (!d)
        return false;
    *value = d->var.value;
    return true;
}

static void platform_split(const char *plat, struct str parts[3])
{
    parts[0] = parts[1] = parts[2] = STR_LIT("");
    struct str s = str_from_cstr(plat);
    size_t start = 0;
    int k = 0;
    for (size_t i = 0; i <= s.len && k < 3; i++) {
        if (i == s.len || s.ptr[i] == '/') {
            parts[k++] = str_slice(s, start, i);
            start = i + 1;
        }
    }
}

/* The host as BuildKit names platforms (os/arch[/variant]), found once
 * per process. */
static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static char host_buf[256] = "linux/amd64";

static void host_init(void)
{
    struct utsname u;
    if (uname(&u) != 0)
        return;
    const char *m = u.machine;
    const char *arch = m, *variant = "";
    if (!strcmp(m, "x86_64") || !strcmp(m, "amd64"))
        arch = "amd64";
    else if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
        arch = "arm64";
    else if (!strncmp(m, "armv7", 5))
        arch = "arm", variant = "v7";
    else if (!strncmp(m, "armv6", 5))
        arch = "arm", variant = "v6";
    else if (!strcmp(m, "i386") || !strcmp(m, "i686"))
        arch = "386";
    char os[sizeof u.sysname];
    size_t n = strlen(u.sysname);
    for (size_t i = 0; i <= n; i++)
        os[i] =
            (u.sysname[i] >= 'A' && u.sysname[i] <= 'Z') ? (char)(u.sysname[i] + 32) : u.sysname[i];
    snprintf(host_buf, sizeof host_buf, "%s/%s%s%s", os, arch, *variant ? "/" : "", variant);
}

static const char *host_platform(void)
{
    pthread_once(&host_once, host_init);
    return host_buf;
}

static void predef(struct scope_build *s, const char *name, struct str value)
{
    struct df_var_def *d = VEC_PUSH_ZERO(&s->defs);
    d->name = str_from_cstr(name);
    struct str ba = build_arg(s->b, d->name);
    d->var.origin = ba.ptr ? DF_VAR_BUILD_ARG : DF_VAR_PREDEFINED;
    d->var.declared = true;
    d->var.set = true;
    d->var.value = ba.ptr ? ba : value;
    d->var.def_span = span_make(0, 0);
}

static struct df_var_def *finish_defs(struct scope_build *s, uint32_t *n)
{
    *n = (uint32_t)s->defs.len;
    struct df_var_def *out = mb_dup(s->b, s->defs.items, s->defs.len, sizeof *s->defs.items);
    s->defs.len = 0;
    return out;
}

void mb_scope_global(struct mb *b)
{
    struct df_scopes *sc = ARENA_NEW(b->a, struct df_scopes);
    b->f->scopes = sc;
    struct scope_build s = { b, sc, VEC_INIT };

    const char *build = host_platform();
    const char *target = b->opts && b->opts->platform ? b->opts->platform : build;
    struct str bp[3], tp[3];
    platform_split(build, bp);
    platform_split(target, tp);
    struct str stage = STR_LIT("default");
    int ts = b->f->model.target_stage;
    if (ts >= 0 && b->stages.items[ts].name.ptr)
        stage = b->stages.items[ts].name;
    predef(&s, "TARGETPLATFORM", str_from_cstr(target));
    predef(&s, "TARGETOS", tp[0]);
    predef(&s, "TARGETOSVERSION", STR_LIT(""));
    predef(&s, "TARGETARCH", tp[1]);
    predef(&s, "TARGETVARIANT", tp[2]);
    predef(&s, "BUILDPLATFORM", str_from_cstr(build));
    predef(&s, "BUILDOS", bp[0]);
    predef(&s, "BUILDOSVERSION", STR_LIT(""));
    predef(&s, "BUILDARCH", bp[1]);
    predef(&s, "BUILDVARIANT", bp[2]);
    predef(&s, "TARGETSTAGE", stage);
    sc->predef = finish_defs(&s, &sc->n_predef);

    struct exp_env env = { global_so_far, &s };
    for (size_t i = 0; i < b->top.len; i++) {
        const struct df_instr *in = b->top.items[i];
        if (in->kind == DF_FROM)
            break;
        if (in->kind != DF_ARG)
            continue;
        for (uint32_t k = 0; k < in->n_pairs; k++) {
            const struct df_pair *p = &in->pairs[k];
            if (!p->key.raw.len)
                continue;
            struct df_var_def d;
            memset(&d, 0, sizeof d);
            d.name = p->key.raw;
            d.after = in->index;
            d.var.declared = true;
            d.var.defined_at = in;
            d.var.def_span = p->key.span;
            struct str ba = build_arg(b, d.name);
            const struct df_var_def *pre;
            if (ba.ptr) {
                d.var.origin = DF_VAR_BUILD_ARG;
                d.var.set = true;
                d.var.value = ba;
            } else if (p->value.raw.ptr) {
                d.var.origin = DF_VAR_GLOBAL_ARG;
                d.var.set = true;
                d.var.value = expand_value(b, p->value.raw, &env);
            } else if ((pre = find_in(sc->predef, sc->n_predef, d.name, UINT32_MAX))) {
                d.var.origin = DF_VAR_GLOBAL_ARG;
                d.var.set = true;
                d.var.value = pre->var.value;
            } else {
                d.var.origin = DF_VAR_UNSET;
            }
            VEC_PUSH(&s.defs, d);
        }
    }
    sc->global = finish_defs(&s, &sc->n_global);
    VEC_RELEASE(&s.defs);
}

void mb_expand_from(struct mb *b, struct df_instr *in)
{
    struct df_image_ref *ref = &in->image;
    struct str raw = ref->text.raw;
    ref->expanded = raw;
    if (!raw.ptr) {
        df_image_parse(ref, STR_NULL);
        return;
    }
    bool failed = false;
    bool plain = true;
    for (size_t i = 0; i < raw.len; i++)
        if (raw.ptr[i] == '$' || raw.ptr[i] == '\'' || raw.ptr[i] == '"' || raw.ptr[i] == b->escape)
            plain = false;
    if (!plain) {
        struct env_ctx ctx = { b->f->scopes, in };
        struct exp_env env = { env_lookup, &ctx };
        struct exp_opts o = { (char)b->escape, 0, 0 };
        struct exp_result r;
        struct err e;
        if (exp_word(b->a, raw.ptr, raw.len, 0, &env, &o, &r, &e) == 0) {
            ref->has_variables = r.n_refs > 0;
            if (!str_eq(r.value, raw))
                ref->expanded = r.value;
        } else {
            ref->has_variables = r.n_refs > 0;
            failed = true;
        }
    }
    df_image_parse(ref, ref->expanded);
    if (failed)
        ref->valid = false;
}

void mb_scope_stages(struct mb *b)
{
    struct df_scopes *sc = (struct df_scopes *)b->f->scopes;
    uint32_t ns = (uint32_t)b->stages.len;
    sc->n_stages = ns;
    sc->stage = arena_calloc(b->a, ns + 1, sizeof *sc->stage);
    sc->n_stage = arena_calloc(b->a, ns + 1, sizeof *sc->n_stage);
    int *base = arena_calloc(b->a, ns + 1, sizeof *base);
    for (uint32_t i = 0; i < ns; i++)
        base[i] = b->stages.items[i].base_stage;
    sc->base = base;

    VEC(struct df_var_def) defs = VEC_INIT;
    VEC(struct df_var_def) news = VEC_INIT;
    for (uint32_t st = 0; st < ns; st++) {
        const struct df_stage *stage = &b->stages.items[st];
        const struct df_build_opts *o = b->opts;
        if (stage->base_stage < 0 && stage->from && !stage->from->image.is_scratch && o &&
            st < o->n_base_env && o->base_env[st])
            for (const char *const *e = o->base_env[st]; *e; e++) {
                const char *eq = strchr(*e, '=');
                struct df_var_def d;
                memset(&d, 0, sizeof d);
                d.name = eq ? str_make(*e, (size_t)(eq - *e)) : str_from_cstr(*e);
                if (!d.name.len)
                    continue;
                d.after = stage->from->index;
                d.var.origin = DF_VAR_BASE_IMAGE;
                d.var.declared = true;
                d.var.set = true;
                d.var.value = eq ? str_from_cstr(eq + 1) : STR_LIT("");
                VEC_PUSH(&defs, d);
            }
        for (uint32_t i = 0; i < stage->n_instrs; i++) {
            const struct df_instr *in = stage->instrs[i];
            if (in->kind != DF_ARG && in->kind != DF_ENV)
                continue;
            /* The snapshot rule: every pair sees the scope from before the
             * instruction, so the new definitions are added afterwards. */
            sc->stage[st] = defs.items;
            sc->n_stage[st] = (uint32_t)defs.len;
            struct env_ctx ctx = { sc, in };
            struct exp_env env = { env_lookup, &ctx };
            for (uint32_t k = 0; k < in->n_pairs; k++) {
                const struct df_pair *p = &in->pairs[k];
                struct df_var_def d;
                memset(&d, 0, sizeof d);
                d.name = in->kind == DF_ENV ? expand_value(b, p->key.raw, &env) : p->key.raw;
                if (!d.name.len)
                    continue;
                d.after = in->index;
                d.var.declared = true;
                d.var.defined_at = in;
                d.var.def_span = p->key.span;
                if (in->kind == DF_ENV) {
                    if (!p->value.raw.ptr)
                        continue;
                    d.var.origin = DF_VAR_ENV;
                    d.var.set = true;
                    d.var.value = expand_value(b, p->value.raw, &env);
                } else {
                    struct str ba = build_arg(b, d.name);
                    const struct df_var_def *g;
                    if (ba.ptr) {
                        d.var.origin = DF_VAR_BUILD_ARG;
                        d.var.set = true;
                        d.var.value = ba;
                    } else if (p->value.raw.ptr) {
                        d.var.origin = DF_VAR_ARG;
                        d.var.set = true;
                        d.var.value = expand_value(b, p->value.raw, &env);
                    } else if ((g = find_global(sc, d.name, UINT32_MAX)) && g->var.set) {
                        /* `ARG NAME` imports the global value (or the
                         * predefined one). */
                        d.var.origin = DF_VAR_ARG;
                        d.var.set = true;
                        d.var.value = g->var.value;
                    } else if ((g = find_stage(sc, (int)st, d.name, in->index)) && g->var.set) {
                        /* No value to add: the image's or an ENV's stays. */
                        d.var.origin = g->var.origin;
                        d.var.set = true;
                        d.var.value = g->var.value;
                    } else {
                        d.var.origin = DF_VAR_UNSET;
                    }
                }
                VEC_PUSH(&news, d);
            }
            for (size_t k = 0; k < news.len; k++)
                VEC_PUSH(&defs, news.items[k]);
            news.len = 0;
        }
        sc->stage[st] = mb_dup(b, defs.items, defs.len, sizeof *defs.items);
        sc->n_stage[st] = (uint32_t)defs.len;
        defs.len = 0;
    }
    VEC_RELEASE(&defs);
    VEC_RELEASE(&news);
}

/* ---------------------------------------------------------------- expand */

/* Where logical offsets of a word come from in src. */
struct piece {
    uint32_t logical, start, len;
};

static uint32_t map_pos(const struct piece *p, size_t n, uint32_t l, bool is_end)
{
    if (n == 0)
        return 0;
    if (is_end) {
        if (l == 0)
            return p[0].start;
        return map_pos(p, n, l - 1, false) + 1;
    }
    for (size_t i = n; i-- > 0;)
        if (l >= p[i].logical)
            return p[i].start + (l - p[i].logical < p[i].len ? l - p[i].logical : p[i].len);
    return p[0].start;
}

static struct span map_span(const struct piece *p, size_t n, struct span s)
{
    return span_make(map_pos(p, n, s.start, false), map_pos(p, n, s.end, true));
}

int df_expand(const struct df_file *f, const struct df_instr *at, const struct df_text *word,
              unsigned flags, struct exp_result *out, struct err *err)
{
    struct env_ctx ctx = { f->scopes, at };
    struct exp_env env = { env_lookup, &ctx };
    char esc = (flags & EXP_NO_QUOTES) ? '\\' : (char)f->model.escape;
    struct exp_opts o = { esc, flags, 0 };
    struct arena *a = (struct arena *)&f->arena;
    struct str raw = word->raw;
    struct span sp = word->span;
    memset(out, 0, sizeof *out);
    if (!raw.ptr)
        raw = STR_LIT("");

    /* A slice of src, or the word BuildKit joined from several lines: the
     * pieces of the span that survive the dropped ranges. */
    const struct span *d = f->model.dropped;
    uint32_t nd = f->model.n_dropped, lo = 0, hi = nd;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (d[mid].end <= sp.start)
            lo = mid + 1;
        else
            hi = mid;
    }
    if ((lo >= nd || d[lo].start >= sp.end) && raw.ptr == f->src + sp.start &&
        raw.len == span_len(sp)) {
        /* A plain slice of src: spans come out right as they are. */
        int rc = exp_word(a, raw.ptr, raw.len, sp.start, &env, &o, out, err);
        if (rc && err) {
            uint32_t line, col;
            df_file_locate(f, err->span.start, &line, &col);
            err_at(err, f->path, line, col);
        }
        return rc;
    }
    /* The word BuildKit joined from several lines: the pieces of the span
     * that survive the dropped ranges map logical offsets back to src. */
    struct piece local[16];
    struct piece *pieces = local;
    size_t n_pieces = 0, cap = DW_ARRAY_LEN(local);
    uint32_t total = 0;
    uint32_t pos = sp.start;
    for (uint32_t i = lo; i <= nd && pos < sp.end; i++) {
        uint32_t cut = i < nd && d[i].start < sp.end ? d[i].start : sp.end;
        if (cut > pos) {
            if (n_pieces == cap) {
                struct piece *bigger = xmalloc(2 * cap * sizeof *bigger);
                memcpy(bigger, pieces, n_pieces * sizeof *pieces);
                if (pieces != local)
                    free(pieces);
                pieces = bigger;
                cap *= 2;
            }
            pieces[n_pieces++] = (struct piece){ total, pos, cut - pos };
            total += cut - pos;
        }
        if (cut == sp.end)
            break;
        if (d[i].end > pos)
            pos = d[i].end;
    }
    int rc;
    if (total == raw.len) {
        rc = exp_word(a, raw.ptr, raw.len, 0, &env, &o, out, err);
        for (size_t i = 0; i < out->n_refs; i++) {
            out->refs[i].span = map_span(pieces, n_pieces, out->refs[i].span);
            out->refs[i].name_span = map_span(pieces, n_pieces, out->refs[i].name_span);
        }
        if (rc && err)
            err->span = map_span(pieces, n_pieces, err->span);
    } else {
        /* A decoded JSON string: offsets past the opening quote, as long as
         * no escape changed the length; clamped to the literal. */
        uint32_t off = sp.start;
        if (span_len(sp) == raw.len + 2)
            off = sp.start + 1;
        rc = exp_word(a, raw.ptr, raw.len, off, &env, &o, out, err);
        for (size_t i = 0; i < out->n_refs; i++) {
            struct exp_ref *r = &out->refs[i];
            if (r->span.end > sp.end)
                r->span.end = sp.end;
            if (r->name_span.end > sp.end)
                r->name_span.end = sp.end;
            if (r->span.start > r->span.end)
                r->span.start = r->span.end;
            if (r->name_span.start > r->name_span.end)
                r->name_span.start = r->name_span.end;
        }
        if (rc && err && err->span.end > sp.end)
            err->span = span_make(sp.start, sp.end);
    }
    if (pieces != local)
        free(pieces);
    if (rc && err) {
        uint32_t line, col;
        df_file_locate(f, err->span.start, &line, &col);
        err_at(err, f->path, line, col);
    }
    return rc;
}
