/* DW104 invalid-base-image-reference: the FROM image, evaluated with the
 * global ARG defaults only (build args ignored, as BuildKit's
 * InvalidDefaultArgInFrom does), is empty or not a valid reference. A build
 * without the right `--build-arg` then fails, and the Dockerfile cannot be
 * checked or built by tools that rely on the defaults. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Evaluates each FROM image with the defaults of the global ARGs (build\n"
    "arguments are ignored) and reports one that is empty or not a valid image\n"
    "reference: an upper-case repository, a tag with characters a tag cannot\n"
    "have, an empty tag, a malformed digest. An ARG without a default that\n"
    "stays empty inside a longer valid word (`img:1.2${SUFFIX}`) is fine.\n"
    "\n"
    "## Why is this bad?\n"
    "The build fails unless every needed `--build-arg` is given, and so do\n"
    "tools that resolve the base image from the defaults (BuildKit's checks,\n"
    "Dependabot, scanners). Give the ARG a default that works.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "ARG TAG\n"
    "FROM alpine:$TAG\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "ARG TAG=3.20\n"
    "FROM alpine:$TAG\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "InvalidDefaultArgInFrom", NULL },
    { NULL, NULL },
};

/* ------------------------------------------------------------ evaluation */

/* Looks variables up with the global ARG defaults, leaving out values that
 * only build args give: a global ARG set by a build arg takes its default
 * (expanded the same way), or is unset without one. */
struct dflt_env {
    struct rule_ctx *ctx;
    const struct df_instr *at;
    uint32_t pairs; /* at is a global ARG: its pairs before this one are visible */
    unsigned depth;
};

static bool dflt_lookup(void *p, struct str name, struct str *value);

static bool expand_default(struct dflt_env *e, const struct df_instr *at, uint32_t pairs,
                           struct str raw, struct str *out)
{
    if (e->depth >= 8)
        return false;
    const struct df_file *f = rule_file(e->ctx);
    struct dflt_env inner = { e->ctx, at, pairs, e->depth + 1 };
    struct exp_env env = { dflt_lookup, &inner };
    struct exp_opts o = { (char)f->model.escape, 0, 0 };
    struct exp_result r;
    struct err err;
    if (exp_word(rule_arena(e->ctx), raw.ptr, raw.len, 0, &env, &o, &r, &err) != 0)
        return false;
    *out = r.value;
    return true;
}

static bool dflt_lookup(void *p, struct str name, struct str *value)
{
    struct dflt_env *e = p;
    /* BuildKit evaluates the global ARGs one pair at a time, so a default
     * sees the pairs before it in the same instruction. */
    for (uint32_t k = e->pairs; k-- > 0;) {
        const struct df_pair *pair = &e->at->pairs[k];
        if (str_eq(pair->key.raw, name) && pair->value.raw.ptr)
            return expand_default(e, e->at, k, pair->value.raw, value);
    }
    struct df_var v;
    if (!df_lookup(rule_file(e->ctx), e->at, name, &v) || !v.set)
        return false;
    const struct df_instr *def = v.defined_at;
    if (!def || def->kind != DF_ARG) {
        /* An automatic platform ARG: its value, unless a build arg
         * replaced it (the value it would have is not kept). */
        if (v.origin == DF_VAR_BUILD_ARG)
            return false;
        *value = v.value;
        return true;
    }
    /* A global ARG: its default, expanded with the defaults before it
     * (the model's value may come from a build arg, directly or through
     * an ARG whose default refers to one). */
    for (uint32_t k = def->n_pairs; k-- > 0;) {
        const struct df_pair *pair = &def->pairs[k];
        if (!str_eq(pair->key.raw, name))
            continue;
        if (pair->value.raw.ptr)
            return expand_default(e, def, k, pair->value.raw, value);
        /* `ARG TARGETARCH` without a default imports the automatic
         * value, which no build arg changed when the origin says so. */
        if (v.origin == DF_VAR_BUILD_ARG)
            return false;
        *value = v.value;
        return true;
    }
    return false;
}

static bool has_build_args(const struct df_file *f)
{
    return f->opts && f->opts->build_args && f->opts->build_args[0];
}

/* --------------------------------------------------------------- grammar */

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A repository path: components of lowercase letters and digits joined by
 * '.', '_', '__' or runs of '-', separated by '/'. */
static bool path_ok(struct str p)
{
    if (!p.len)
        return false;
    size_t i = 0;
    while (i < p.len) {
        if (!lower_alnum(p.ptr[i]))
            return false;
        while (i < p.len && lower_alnum(p.ptr[i]))
            i++;
        if (i == p.len)
            return true;
        char c = p.ptr[i];
        if (c == '/' || c == '.') {
            i++;
        } else if (c == '_') {
            i += (i + 1 < p.len && p.ptr[i + 1] == '_') ? 2 : 1;
        } else if (c == '-') {
            while (i < p.len && p.ptr[i] == '-')
                i++;
        } else {
            return false;
        }
        if (i == p.len)
            return false;
    }
    return true;
}

static bool tag_ok(struct str t)
{
    if (!t.len || t.len > 128)
        return false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.ptr[i];
        bool word = isalnum((unsigned char)c) || c == '_';
        if (!word && (i == 0 || (c != '.' && c != '-')))
            return false;
    }
    return true;
}

/* Why s is not a valid reference, in words; NULL when no reason is found
 * among the common ones (the model said invalid anyway). */
static const char *reason(struct rule_ctx *ctx, struct str s)
{
    if (!s.len)
        return "the name is empty";
    for (size_t i = 0; i < s.len; i++)
        if (isspace((unsigned char)s.ptr[i]))
            return "it contains a blank";
    struct str name = s, tag = STR_NULL, digest = STR_NULL;
    long at = str_find_char(s, '@', 0);
    if (at >= 0) {
        digest = str_slice(s, (size_t)at + 1, s.len);
        name = str_slice(s, 0, (size_t)at);
    }
    size_t slash = 0;
    for (size_t i = 0; i < name.len; i++)
        if (name.ptr[i] == '/')
            slash = i + 1;
    long colon = -1;
    for (size_t i = slash; i < name.len; i++)
        if (name.ptr[i] == ':')
            colon = (long)i;
    if (colon >= 0) {
        tag = str_slice(name, (size_t)colon + 1, name.len);
        name = str_slice(name, 0, (size_t)colon);
    }
    long first = str_find_char(name, '/', 0);
    struct str repo = name;
    if (first > 0) {
        struct str head = str_slice(name, 0, (size_t)first);
        bool domain = str_find_char(head, '.', 0) >= 0 || str_find_char(head, ':', 0) >= 0 ||
                      str_eq_cstr(head, "localhost");
        for (size_t i = 0; i < head.len; i++)
            domain |= isupper((unsigned char)head.ptr[i]) != 0;
        if (domain)
            repo = str_slice(name, (size_t)first + 1, name.len);
    }
    if (!path_ok(repo)) {
        for (size_t i = 0; i < repo.len; i++)
            if (isupper((unsigned char)repo.ptr[i]))
                return rule_printf(ctx, "the repository '%.*s' must be lowercase", STR_FMT(repo));
        if (!repo.len)
            return "the repository name is empty";
        return rule_printf(ctx, "the repository '%.*s' is malformed", STR_FMT(repo));
    }
    if (tag.ptr && !tag.len)
        return "the tag after ':' is empty";
    if (tag.ptr && !tag_ok(tag))
        return rule_printf(ctx, "the tag '%.*s' is malformed", STR_FMT(tag));
    if (digest.ptr && !digest.len)
        return "the digest after '@' is empty";
    if (digest.ptr)
        return rule_printf(ctx, "the digest '%.*s' is not an algorithm and its hex value",
                           STR_FMT(digest));
    return NULL;
}

/* ----------------------------------------------------------------- check */

/* Whether s names an earlier stage once lowercased (`FROM Base` for a stage
 * `base` is an image reference to BuildKit, not the stage). */
static const struct df_stage *stage_in_other_case(const struct df_model *m,
                                                  const struct df_instr *in, struct str s)
{
    for (uint32_t i = 0; i < m->n_stages && (int)i < in->stage; i++)
        if (m->stages[i].name.ptr && str_eq_nocase(m->stages[i].name, s))
            return &m->stages[i];
    return NULL;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_image_ref *img = &in->image;
    if (!img->text.raw.ptr || in->has_syntax_error)
        return;
    struct exp_result r;
    struct err err;
    if (df_expand(f, in, &img->text, 0, &r, &err) != 0)
        return; /* DW015 */
    struct str value = img->expanded;
    bool valid = img->valid;
    if (has_build_args(f)) {
        struct dflt_env e = { ctx, in, 0, 0 };
        if (!expand_default(&e, in, 0, img->text.raw, &value))
            return;
        /* The model's verdict holds for its own expansion; another value
         * is judged by the common reasons alone. */
        if (!str_eq(value, img->expanded))
            valid = reason(ctx, value) == NULL;
    }
    if (valid || str_eq_cstr(value, "scratch"))
        return;
    /* A '$' left in the value comes from an ARG default that failed to
     * expand (`${a:b}`): DW015 reports that default, and any reason given
     * here would be about its text. */
    if (memchr(value.ptr, '$', value.len))
        return;
    const char *why = reason(ctx, value);
    if (!why)
        why = "it does not follow the reference grammar";
    const struct df_stage *st = stage_in_other_case(rule_model(ctx), in, value);
    const char *hint =
        st ? rule_printf(ctx, " (FROM matches stage names in lowercase: '%.*s')", STR_FMT(st->name))
           : "";
    if (r.n_refs > 0 && !str_eq(value, img->text.raw))
        rule_report(ctx, img->text.span,
                    "base image '%.*s' is '%.*s' with the global ARG defaults, which is not a "
                    "valid reference: %s%s",
                    STR_FMT(img->text.raw), STR_FMT(value), why, hint);
    else
        rule_report(ctx, img->text.span, "base image '%.*s' is not a valid reference: %s%s",
                    STR_FMT(img->text.raw), why, hint);
}

const struct rule rule_DW104 = {
    .id = "DW104",
    .name = "invalid-base-image-reference",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "the FROM image is not a valid reference with the ARG defaults",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
