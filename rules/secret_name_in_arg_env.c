/* DW404 secret-name-in-arg-env: an ARG or ENV key names a secret
 * (secrets.md section 6). Build args are written into the history of every
 * later RUN and into provenance; ENV values sit in the image config. The
 * name test is the scanner's (sec_name_is_secretish); a key whose literal
 * value the scanner already reports as a secret is left to DW402, and a
 * GPG_KEY-style key holding a fingerprint is a public value. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an ARG or ENV key that names a secret: a provider credential\n"
    "name (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `NPM_TOKEN`, also behind\n"
    "`VITE_`, `REACT_APP_` and `NEXT_PUBLIC_`), or a name that, split on `_`,\n"
    "`-`, `.` and camelCase, has a piece such as `password`, `secret`,\n"
    "`token`, `key` or `auth` and no piece such as `public`, `file`, `path`,\n"
    "`version`, `url`, `name`, `id` or `fingerprint`. A key whose value is a\n"
    "hex key fingerprint (`GPG_KEY`) is not reported, nor a key whose literal\n"
    "value `hardcoded-secret` (DW402) already reports. Each key is reported\n"
    "once, at its first declaration.\n"
    "\n"
    "## Why is this bad?\n"
    "An ENV value is stored in the image config, visible to anyone who can\n"
    "pull the image. An ARG value, also one given with `--build-arg`, is\n"
    "written into the history of every later RUN of the stage and into\n"
    "provenance attestations. Build secrets are mounted for one RUN only.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "ARG NPM_TOKEN\n"
    "RUN npm ci\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3064", NULL },
    { "SecretsUsedInArgOrEnv", NULL },
    { NULL, NULL },
};

/* The value without one pair of enclosing quotes. */
static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

/* Whether the scanner finds a literal secret in the value: DW402 reports
 * that one, with the value masked. */
static bool value_is_secret(struct rule_ctx *ctx, const struct df_instr *in,
                            const struct df_pair *p, struct str value)
{
    struct sec_scan_opts o = { .context = in->kind == DF_ARG ? SEC_CTX_ARG : SEC_CTX_ENV,
                               .key = p->key.raw };
    struct sec_results r = { 0 };
    struct err err; /* err_clear, not = { 0 }: 1.5 KiB written per value */
    err_clear(&err);
    /* The scanner allocates from an arena; the file's is the one that
     * rule_alloc uses too, and it lives as long as the findings. */
    struct arena *a = (struct arena *)&rule_file(ctx)->arena;
    if (sec_scan_text(a, value.ptr, value.len, &o, &r, &err) != 0)
        return false;
    return r.len > 0;
}

/* Keys already reported in this file: one finding per key, so an ARG
 * declared again to bring it into a stage's scope is not reported twice. */
struct state {
    struct str *keys;
    uint32_t n, cap;
};

static bool first_time(struct rule_ctx *ctx, struct str key)
{
    struct state *st = rule_state(ctx);
    for (uint32_t i = 0; i < st->n; i++)
        if (str_eq(st->keys[i], key))
            return false;
    if (st->n == st->cap) {
        uint32_t cap = st->cap ? st->cap * 2 : 16;
        struct str *k = rule_alloc(ctx, cap * sizeof *k);
        if (st->n)
            memcpy(k, st->keys, st->n * sizeof *k);
        st->keys = k;
        st->cap = cap;
    }
    st->keys[st->n++] = key;
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const char *kw = in->kind == DF_ARG ? "ARG" : "ENV";
    for (uint32_t i = 0; i < in->n_pairs; i++) {
        const struct df_pair *p = &in->pairs[i];
        struct str key = str_trim(p->key.raw);
        const char *why = NULL;
        if (!key.len || !sec_name_is_secretish(key, &why))
            continue;
        bool has_value = p->value.raw.ptr != NULL;
        struct str value = has_value ? unquote(p->value.raw) : STR_NULL;
        if (has_value && value.len) {
            if (sec_value_is_key_fingerprint(value))
                continue;
            if (value_is_secret(ctx, in, p, value))
                continue;
        }
        if (!first_time(ctx, key))
            continue;
        const char *where = in->kind == DF_ARG
                                ? "its value is written into the history of every later RUN and "
                                  "into provenance"
                                : "its value is stored in the image config";
        rule_report(ctx, p->key.span,
                    "%s '%.*s' names a secret (%s): %s; pass it with a build secret "
                    "(RUN --mount=type=secret,id=...) instead",
                    kw, (int)key.len, key.ptr, why ? why : "secret-like name", where);
    }
}

const struct rule rule_DW404 = {
    .id = "DW404",
    .name = "secret-name-in-arg-env",
    .severity = SEV_WARNING,
    .category = CAT_SECURITY,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "an ARG or ENV key names a secret",
    .aliases = aliases,
    .on = DF_ON(DF_ARG) | DF_ON(DF_ENV),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
