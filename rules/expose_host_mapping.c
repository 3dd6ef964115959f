/* DW122 expose-host-mapping: an EXPOSE entry written like a `docker run -p`
 * mapping (`8080:80`, `127.0.0.1:80:80`). EXPOSE records container ports
 * only; BuildKit keeps the part after the last ':' and warns
 * (ExposeInvalidFormat). The fix deletes the host part, which leaves the
 * recorded ports as they were. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an EXPOSE entry that carries a host port or a host address in\n"
    "front of the container port, as `docker run -p` takes them: `8080:80`,\n"
    "`127.0.0.1:80:80`, `127.0.0.1::80`. Entries with variables are checked\n"
    "with the values the variables have at that point.\n"
    "\n"
    "## Why is this bad?\n"
    "EXPOSE documents which ports the container listens on; it cannot\n"
    "publish a port on the host. BuildKit drops the host part and records\n"
    "only the container port, so the instruction does not do what it seems\n"
    "to say, and BuildKit plans to refuse the form.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "EXPOSE 8080:80/tcp\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "EXPOSE 80/tcp\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe. The fix keeps only the container port and protocol, which is what\n"
    "BuildKit records anyway, so the image's exposed ports stay the same. It\n"
    "is offered when the entry is written without variables or quotes.\n";

static const struct rule_alias aliases[] = {
    { "ExposeInvalidFormat", NULL },
    { NULL, NULL },
};

/* Whether every variable of the word has a known value. */
static bool value_known(const struct exp_result *r)
{
    for (size_t i = 0; i < r->n_refs; i++) {
        const struct exp_ref *ref = &r->refs[i];
        if (ref->set)
            continue;
        switch (ref->mod) {
        case EXP_MOD_DEFAULT:
        case EXP_MOD_DEFAULT_NULL:
        case EXP_MOD_ALT:
        case EXP_MOD_ALT_NULL: continue;
        default: return false;
        }
    }
    return true;
}

/* The host part of an entry (before its last ':') split Docker's way: one
 * ':' is `host:container`; more are `ip:host:container`, the ip being
 * everything before the second-to-last ':' (IPv6 addresses hold colons). */
static void describe(struct rule_ctx *ctx, struct str v, size_t last_colon, const char **what)
{
    struct str host = str_slice(v, 0, last_colon);
    long prev = -1;
    for (size_t i = host.len; i > 0; i--)
        if (host.ptr[i - 1] == ':') {
            prev = (long)i - 1;
            break;
        }
    if (prev < 0) {
        *what = rule_printf(ctx, "host port '%.*s'", STR_FMT(host));
        return;
    }
    struct str ip = str_slice(host, 0, (size_t)prev);
    struct str port = str_slice(host, (size_t)prev + 1, host.len);
    if (port.len)
        *what = rule_printf(ctx, "host address '%.*s' and host port '%.*s'", STR_FMT(ip),
                            STR_FMT(port));
    else
        *what = rule_printf(ctx, "host address '%.*s'", STR_FMT(ip));
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    for (uint32_t i = 0; i < in->n_args; i++) {
        const struct df_text *w = &in->args[i];
        if (!w->raw.ptr || !w->raw.len)
            continue;
        struct exp_result r;
        struct err err;
        if (df_expand(f, in, w, EXP_SPLIT, &r, &err) || !value_known(&r))
            continue;
        bool literal = r.n_words == 1 && !r.n_refs && str_eq(r.words[0], w->raw) &&
                       span_len(w->span) == w->raw.len &&
                       !memcmp(f->src + w->span.start, w->raw.ptr, w->raw.len);
        for (size_t k = 0; k < r.n_words; k++) {
            struct str v = r.words[k];
            size_t colon = v.len;
            for (size_t j = v.len; j > 0; j--)
                if (v.ptr[j - 1] == ':') {
                    colon = j - 1;
                    break;
                }
            if (colon == v.len)
                continue;
            const char *what;
            describe(ctx, v, colon, &what);
            struct str container = str_slice(v, colon + 1, v.len);
            struct rule_finding *rf;
            if (literal)
                rf = rule_report(ctx, span_make(w->span.start, w->span.start + (uint32_t)colon + 1),
                                 "the EXPOSE entry '%.*s' names %s, but EXPOSE records only the "
                                 "container port ('%.*s')",
                                 STR_FMT(v), what, STR_FMT(container));
            else
                rf = rule_report(
                    ctx, w->span,
                    "the EXPOSE entry '%.*s' (from '%.*s') names %s, but EXPOSE records "
                    "only the container port ('%.*s')",
                    STR_FMT(v), STR_FMT(w->raw), what, STR_FMT(container));
            if (!rf || !literal || in->has_syntax_error)
                continue;
            struct edit e = { w->span.start, w->span.start + (uint32_t)colon + 1, STR_LIT("") };
            rule_finding_fix(
                rf, FIX_SAFE,
                rule_printf(ctx, "keep only the container port '%.*s'", STR_FMT(container)), &e, 1);
        }
    }
}

const struct rule rule_DW122 = {
    .id = "DW122",
    .name = "expose-host-mapping",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "an EXPOSE entry names a host port or address, which EXPOSE drops",
    .aliases = aliases,
    .on = DF_ON(DF_EXPOSE),
    .check = check,
    .doc = doc,
};
