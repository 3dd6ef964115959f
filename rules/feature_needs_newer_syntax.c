/* DW017 feature-needs-newer-syntax (preview): the file pins its frontend
 * with `# syntax=docker/dockerfile:X[.Y]` and uses a feature that frontend
 * does not have yet, or a labs-only feature without a `-labs` frontend.
 * The versions come from the Dockerfile reference ("minimum Dockerfile
 * version" of each flag) and the frontend release notes; they are kept in
 * the table below. Files without a pin, or pinned to `1`, `latest` or
 * another image, are not judged (the newest stable frontend has every
 * stable feature). */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a Dockerfile feature that is newer than the frontend pinned by\n"
    "`# syntax=docker/dockerfile:X.Y`: heredocs (1.4), `RUN --mount` (1.2),\n"
    "`RUN --network` (1.3), `RUN --security` (1.20), secret mounts with\n"
    "`env=` (1.10), `COPY`/`ADD --link` (1.4), `--chmod` (1.2, symbolic modes\n"
    "1.14), `--exclude` (1.19), `COPY --parents` (1.20), `ADD --checksum`\n"
    "(1.6), `ADD --unpack` (1.17), the `check` directive (1.8) and the\n"
    "`${var#...}`, `${var%...}` and `${var/.../...}` substitutions (1.7);\n"
    "and `RUN --device`, which only the labs channel has (1.14-labs).\n"
    "\n"
    "## Why is this bad?\n"
    "The pinned frontend parses the file: it refuses the flag, ignores the\n"
    "directive, or reads a heredoc as instructions. The build fails, or does\n"
    "something else than the file says, although the file looks right.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "# syntax=docker/dockerfile:1.3\n"
    "FROM alpine:3.20\n"
    "COPY --link app /app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "# syntax=docker/dockerfile:1.4\n"
    "FROM alpine:3.20\n"
    "COPY --link app /app\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix raises the pinned version to the lowest one that has\n"
    "every feature the file uses (with `-labs` when a labs-only feature is\n"
    "used or the pin was labs already), and drops a `@sha256:` digest that\n"
    "pinned the old image. A newer frontend may build the file differently\n"
    "in other respects.\n";

/* A frontend version; minor -1 means "the newest of that major". */
struct version {
    int major, minor;
};

enum feature {
    FT_HEREDOC,
    FT_RUN_MOUNT,
    FT_RUN_NETWORK,
    FT_RUN_SECURITY,
    FT_RUN_DEVICE,
    FT_SECRET_ENV,
    FT_LINK,
    FT_CHMOD,
    FT_CHMOD_SYMBOLIC,
    FT_EXCLUDE,
    FT_PARENTS,
    FT_CHECKSUM,
    FT_UNPACK,
    FT_CHECK_DIRECTIVE,
    FT_PATTERN_SUBST,
    FT_COUNT
};

/* When each feature arrived: in the stable channel ({0, 0}: never) and in
 * the labs channel ({0, 0}: with the stable one). */
static const struct {
    const char *what;
    struct version stable, labs;
} features[FT_COUNT] = {
    [FT_HEREDOC] = { "heredocs", { 1, 4 }, { 1, 3 } },
    [FT_RUN_MOUNT] = { "RUN --mount", { 1, 2 }, { 0, 0 } },
    [FT_RUN_NETWORK] = { "RUN --network", { 1, 3 }, { 0, 0 } },
    [FT_RUN_SECURITY] = { "RUN --security", { 1, 20 }, { 1, 1 } },
    [FT_RUN_DEVICE] = { "RUN --device", { 0, 0 }, { 1, 14 } },
    [FT_SECRET_ENV] = { "secret mounts with env=", { 1, 10 }, { 0, 0 } },
    [FT_LINK] = { "--link", { 1, 4 }, { 0, 0 } },
    [FT_CHMOD] = { "--chmod", { 1, 2 }, { 0, 0 } },
    [FT_CHMOD_SYMBOLIC] = { "symbolic --chmod modes", { 1, 14 }, { 0, 0 } },
    [FT_EXCLUDE] = { "--exclude", { 1, 19 }, { 1, 7 } },
    [FT_PARENTS] = { "COPY --parents", { 1, 20 }, { 1, 7 } },
    [FT_CHECKSUM] = { "ADD --checksum", { 1, 6 }, { 1, 5 } },
    [FT_UNPACK] = { "ADD --unpack", { 1, 17 }, { 0, 0 } },
    [FT_CHECK_DIRECTIVE] = { "the check directive", { 1, 8 }, { 0, 0 } },
    [FT_PATTERN_SUBST] = { "${var#...}, ${var%...} and ${var/...} substitutions",
                           { 1, 7 },
                           { 0, 0 } },
};

static int cmp(struct version a, struct version b)
{
    if (a.major != b.major)
        return a.major < b.major ? -1 : 1;
    int am = a.minor < 0 ? 1 << 20 : a.minor, bm = b.minor < 0 ? 1 << 20 : b.minor;
    return am < bm ? -1 : am > bm;
}

static bool never(struct version v)
{
    return v.major == 0 && v.minor == 0;
}

/* The pin: where the tag (and digest) is written, the version, labs. */
struct pin {
    struct span tag; /* the tag and any @digest, replaced by the fix */
    struct version v;
    bool labs;
    const char *text; /* the value as written, for messages */
};

/* The lowest version of the pin's channel with feature f, or {0, 0}. */
static struct version needed(const struct pin *p, enum feature f)
{
    struct version s = features[f].stable, l = features[f].labs;
    if (!p->labs || never(l))
        return s;
    if (never(s) || cmp(l, s) < 0)
        return l;
    return s;
}

static bool parse_int(const char **p, const char *end, int *out)
{
    const char *s = *p;
    int v = 0;
    while (*p < end && isdigit((unsigned char)**p) && v < 100000)
        v = v * 10 + (*(*p)++ - '0');
    *out = v;
    return *p > s;
}

/* Reads `[docker.io/]docker/dockerfile:X[.Y[.Z]][-labs][@digest]`. */
static bool read_pin(struct rule_ctx *ctx, struct pin *p)
{
    const struct df_model *m = rule_model(ctx);
    const struct df_directive *d = NULL;
    for (uint32_t i = 0; i < m->n_directives && !d; i++)
        if (!m->directives[i].duplicate &&
            str_eq_nocase(m->directives[i].name.raw, STR_LIT("syntax")))
            d = &m->directives[i];
    if (!d || !d->value.raw.ptr)
        return false;
    struct str v = d->value.raw;
    size_t n = 0;
    while (n < v.len && v.ptr[n] != ' ' && v.ptr[n] != '\t')
        n++;
    v.len = n;
    p->text = rule_printf(ctx, "%.*s", STR_FMT(v));
    if (str_starts_with(v, STR_LIT("docker.io/")))
        v = str_slice(v, 10, v.len);
    if (!str_starts_with(v, STR_LIT("docker/dockerfile:")))
        return false;
    const char *s = v.ptr + 18, *end = v.ptr + v.len;
    const char *at = memchr(s, '@', (size_t)(end - s));
    const char *tag_end = at ? at : end;
    p->tag = span_make(d->value.span.start + (uint32_t)(s - d->value.raw.ptr),
                       d->value.span.start + (uint32_t)(end - d->value.raw.ptr));
    const char *q = s;
    p->labs = false;
    if (!parse_int(&q, tag_end, &p->v.major))
        return false; /* `latest`, `labs`, `master`: the newest */
    p->v.minor = -1;
    if (q < tag_end && *q == '.') {
        q++;
        if (!parse_int(&q, tag_end, &p->v.minor))
            return false;
        int patch;
        if (q < tag_end && *q == '.') {
            q++;
            if (!parse_int(&q, tag_end, &patch))
                return false;
        }
    }
    if (tag_end - q == 5 && !memcmp(q, "-labs", 5)) {
        p->labs = true;
        q += 5;
    }
    return q == tag_end;
}

/* ------------------------------------------------------------ collection */

struct use {
    enum feature f;
    struct span at;
    const char *what; /* NULL: the table's */
};

#define MAX_USES 512

struct state {
    struct use uses[MAX_USES];
    uint32_t n;
};

static void use(struct state *st, enum feature f, struct span at, const char *what)
{
    if (st->n < MAX_USES)
        st->uses[st->n++] = (struct use){ f, at, what };
}

static bool all_digits(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!isdigit((unsigned char)s.ptr[i]))
            return false;
    return s.len > 0;
}

/* The substitutions of one expanded word with a pattern operator. */
static void scan_word(struct rule_ctx *ctx, struct state *st, const struct df_instr *in,
                      const struct df_text *w, unsigned flags)
{
    if (!w->raw.ptr || !memchr(w->raw.ptr, '$', w->raw.len))
        return;
    struct exp_result r;
    struct err e;
    memset(&e, 0, sizeof e);
    if (df_expand(rule_file(ctx), in, w, flags, &r, &e))
        return; /* DW015's */
    for (size_t i = 0; i < r.n_refs; i++) {
        enum exp_modifier mod = r.refs[i].mod;
        if (mod >= EXP_MOD_TRIM_PREFIX && mod <= EXP_MOD_REPLACE_ALL)
            use(st, FT_PATTERN_SUBST, r.refs[i].span, NULL);
    }
}

static void scan_words(struct rule_ctx *ctx, struct state *st, const struct df_instr *in)
{
    switch (in->kind) {
    case DF_FROM: scan_word(ctx, st, in, &in->image.text, 0); break;
    case DF_ARG:
    case DF_ENV:
    case DF_LABEL:
        for (uint32_t i = 0; i < in->n_pairs; i++) {
            scan_word(ctx, st, in, &in->pairs[i].key, 0);
            scan_word(ctx, st, in, &in->pairs[i].value, 0);
        }
        break;
    case DF_COPY:
    case DF_ADD:
    case DF_VOLUME:
    case DF_EXPOSE:
    case DF_WORKDIR:
    case DF_USER:
    case DF_STOPSIGNAL: {
        bool exec = in->form == DF_FORM_EXEC;
        uint32_t n = exec ? in->n_exec : in->n_args;
        for (uint32_t i = 0; i < n; i++)
            scan_word(ctx, st, in, exec ? &in->exec[i] : &in->args[i], 0);
        break;
    }
    default: break;
    }
    for (uint32_t i = 0; i < in->n_flags; i++)
        if (in->kind != DF_RUN)
            scan_word(ctx, st, in, &in->flags[i].value, 0);
}

static void scan_flags(struct rule_ctx *ctx, struct state *st, const struct df_instr *in)
{
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        struct str name = fl->name.raw;
        struct span at = span_make(fl->span.start, fl->name.span.end);
        const char *kw = df_kind_name(in->kind);
        if (in->kind == DF_RUN) {
            if (str_eq_cstr(name, "mount")) {
                use(st, FT_RUN_MOUNT, at, NULL);
                bool secret = false;
                const struct df_mount_opt *env = NULL;
                for (uint32_t j = 0; j < fl->n_mount; j++) {
                    const struct df_mount_opt *o = &fl->mount[j];
                    if (str_eq_nocase(o->key.raw, STR_LIT("type")) &&
                        str_eq_nocase(o->value.raw, STR_LIT("secret")))
                        secret = true;
                    if (str_eq_nocase(o->key.raw, STR_LIT("env")) && o->value.raw.ptr)
                        env = o;
                }
                if (secret && env)
                    use(st, FT_SECRET_ENV, env->key.span, NULL);
            } else if (str_eq_cstr(name, "network")) {
                use(st, FT_RUN_NETWORK, at, NULL);
            } else if (str_eq_cstr(name, "security")) {
                use(st, FT_RUN_SECURITY, at, NULL);
            } else if (str_eq_cstr(name, "device")) {
                use(st, FT_RUN_DEVICE, at, NULL);
            }
        } else if (in->kind == DF_COPY || in->kind == DF_ADD) {
            if (str_eq_cstr(name, "link")) {
                use(st, FT_LINK, at, rule_printf(ctx, "%s --link", kw));
            } else if (str_eq_cstr(name, "chmod")) {
                struct str v = fl->value.raw;
                bool symbolic = v.len && !all_digits(v) && !memchr(v.ptr, '$', v.len);
                use(st, symbolic ? FT_CHMOD_SYMBOLIC : FT_CHMOD, at,
                    symbolic ? NULL : rule_printf(ctx, "%s --chmod", kw));
            } else if (str_eq_cstr(name, "exclude")) {
                use(st, FT_EXCLUDE, at, rule_printf(ctx, "%s --exclude", kw));
            } else if (in->kind == DF_COPY && str_eq_cstr(name, "parents")) {
                use(st, FT_PARENTS, at, NULL);
            } else if (in->kind == DF_ADD && str_eq_cstr(name, "checksum")) {
                use(st, FT_CHECKSUM, at, NULL);
            } else if (in->kind == DF_ADD && str_eq_cstr(name, "unpack")) {
                use(st, FT_UNPACK, at, NULL);
            }
        }
    }
}

static void collect(struct rule_ctx *ctx, struct state *st)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_directives; i++)
        if (str_eq_nocase(m->directives[i].name.raw, STR_LIT("check")))
            use(st, FT_CHECK_DIRECTIVE, m->directives[i].name.span, NULL);
    for (uint32_t i = 0; i < m->n_all_instrs; i++) {
        const struct df_instr *in = m->all_instrs[i];
        if (in->has_syntax_error)
            continue;
        for (uint32_t h = 0; h < in->n_heredocs; h++)
            use(st, FT_HEREDOC, in->heredocs[h].marker, NULL);
        scan_flags(ctx, st, in);
        scan_words(ctx, st, in);
    }
}

/* ----------------------------------------------------------------- report */

static void finish(struct rule_ctx *ctx)
{
    struct pin p;
    memset(&p, 0, sizeof p);
    if (!read_pin(ctx, &p))
        return;
    struct state *st = rule_alloc(ctx, sizeof *st);
    st->n = 0;
    collect(ctx, st);

    /* What the fix pins: the lowest version with every feature used. */
    struct version target = p.v;
    bool labs = p.labs, any = false;
    for (uint32_t i = 0; i < st->n; i++) {
        enum feature f = st->uses[i].f;
        struct version need = needed(&p, f);
        if (never(need)) {
            labs = true;
            need = features[f].labs;
        }
        if (cmp(need, p.v) > 0 || (never(features[f].stable) && !p.labs)) {
            any = true;
            if (target.minor >= 0 && cmp(need, target) > 0)
                target = need;
        }
    }
    if (!any)
        return;
    /* `1` stays `1` (only a labs feature can be missing from it). */
    const char *fix_tag =
        target.minor < 0
            ? rule_printf(ctx, "%d%s", target.major, labs ? "-labs" : "")
            : rule_printf(ctx, "%d.%d%s", target.major, target.minor, labs ? "-labs" : "");

    for (uint32_t i = 0; i < st->n; i++) {
        const struct use *u = &st->uses[i];
        const char *what = u->what ? u->what : features[u->f].what;
        struct version need = needed(&p, u->f);
        struct rule_finding *rf = NULL;
        if (never(features[u->f].stable) && !p.labs) {
            struct version l = features[u->f].labs;
            rf = rule_report(ctx, u->at,
                             "the pinned %s lacks %s, which only the labs channel has "
                             "(docker/dockerfile:%d.%d-labs or later)",
                             p.text, what, l.major, l.minor);
        } else if (cmp(need, p.v) > 0) {
            rf = rule_report(ctx, u->at,
                             "the pinned %s predates %s, which needs Dockerfile syntax %d.%d%s "
                             "or later",
                             p.text, what, need.major, need.minor, p.labs ? "-labs" : "");
        }
        if (!rf)
            continue;
        struct edit e = { p.tag.start, p.tag.end, str_from_cstr(fix_tag) };
        rule_finding_fix(rf, FIX_UNSAFE, rule_printf(ctx, "pin docker/dockerfile:%s", fix_tag), &e,
                         1);
    }
}

const struct rule rule_DW017 = {
    .id = "DW017",
    .name = "feature-needs-newer-syntax",
    .severity = SEV_INFO,
    .category = CAT_SYNTAX,
    .status = RULE_PREVIEW,
    .fix = FIX_ALWAYS,
    .summary = "a feature newer than the pinned Dockerfile syntax",
    .finish = finish,
    .doc = doc,
};
