/* DW403 secret-file-copied: a COPY/ADD puts a credential file into a
 * stage. Names are judged by the scanner (sec_path_is_secret_file); with a
 * build context the sources are matched against what is really sent, so a
 * directory copy that sweeps a key in is found, files the ignore file
 * leaves out are exempt (never sent), and files whose kind depends on
 * their content (.npmrc, .pem) are read. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a COPY or ADD that puts a credential file into a stage: SSH\n"
    "private keys (`id_rsa*`, `id_ed25519*`, `id_ecdsa*`), `.pem`/`.key` files\n"
    "holding a private key, key stores (`*.p12`, `*.pfx`, `*.jks`), `.env` and\n"
    "`.env.*`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,\n"
    "`.aws/credentials`, `.docker/config.json`, `kubeconfig`, `*.tfstate`,\n"
    "`credentials*.json` and `*.ovpn`, whether named, matched by a glob or,\n"
    "with the build context, swept in by a directory copy. `.env.example`\n"
    "(and `.sample`, `.template`, `.dist`), files the ignore file excludes,\n"
    "and readable `.npmrc`/`.pypirc`/`.netrc` files without credentials or\n"
    "`.pem` files holding only certificates are not reported. Findings in\n"
    "builder stages are warnings.\n"
    "\n"
    "## Why is this bad?\n"
    "The file lands in a layer of the image (or of the build cache), and a\n"
    "later `RUN rm` does not remove it from that layer. Anyone who can pull the\n"
    "image can extract it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "COPY .npmrc /root/.npmrc\n"
    "RUN npm ci\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
    "```\n";

/* Most files listed in one message. */
#define MAX_LISTED 3

/* The context walk the engine shares with the other [ctx] rules; an
 * ignore file BuildKit refuses (DW505's finding) leaves nothing ignored. */
static struct di_context *context_of(struct rule_ctx *ctx)
{
    const struct rule_build_context *bc = rule_build_context(ctx);
    return bc ? bc->walk : NULL;
}

static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

static bool in_output(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    while (in->parent)
        in = in->parent;
    if (in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return true;
    return m->stages[in->stage].is_output;
}

/* A secret id made from a file name: `.npmrc` is `npmrc`, an odd character
 * becomes `_`, and a glob names no one file (`secret`). */
static const char *secret_id(struct rule_ctx *ctx, const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    while (*base == '.')
        base++;
    if (strpbrk(base, "*?[\\"))
        return "secret";
    size_t n = strlen(base);
    char *id = rule_alloc(ctx, n + 7);
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        id[i] = ok ? c : '_';
    }
    id[n] = '\0';
    if (!n || strspn(id, "_.") == n)
        memcpy(id, "secret", 7);
    return id;
}

static void report(struct rule_ctx *ctx, const struct df_instr *in, const struct df_text *src,
                   const char *what, const char *name)
{
    const char *id = secret_id(ctx, name);
    bool glob = strpbrk(name, "*?[") != NULL;
    struct rule_finding *f = rule_report(
        ctx, src->span,
        "%s puts %s into the image: mount it for the one RUN that needs it "
        "(RUN --mount=type=secret,id=%s,target=...) and build with --secret id=%s,src=%s",
        df_kind_name(in->kind), what, id, id, glob ? "<file>" : name);
    if (f && !in_output(ctx, in))
        rule_finding_severity(f, SEV_WARNING);
}

/* Whether a context file of a content-decided kind really holds a
 * credential; true when it cannot be read (the name is all we know). */
static bool content_secret(struct rule_ctx *ctx, const struct sec_file_match *m, const char *path)
{
    if (!m->content_decides)
        return true;
    struct str text = STR_NULL;
    bool exists = false;
    if (!rule_context_file(ctx, path, &text, &exists) || !exists)
        return true;
    return sec_file_content_is_secret(m->kind, text.ptr, text.len);
}

/* A source judged against the walked context: every sent file it selects. */
static bool check_in_context(struct rule_ctx *ctx, const struct df_instr *in,
                             const struct df_text *src, struct str s)
{
    struct di_context *c = context_of(ctx);
    if (!c)
        return false;
    struct di_selection sel = { 0 };
    struct err err = { 0 };
    if (di_select(rule_arena(ctx), c, s.ptr, s.len, &sel, &err) != 0)
        return false;
    /* A source that selects nothing (missing, or all ignored) is judged
     * by DW502 and DW503; a name the ignore file excludes is never sent. */
    if (!sel.n_entries)
        return true;
    const char *first = NULL, *first_reason = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sel.n_entries; i++) {
        const struct di_entry *e = sel.entries[i];
        if (e->type == DI_DIR)
            continue;
        struct sec_file_match m = { 0 };
        if (!sec_path_is_secret_file(str_from_cstr(e->path), &m))
            continue;
        if (!content_secret(ctx, &m, e->path))
            continue;
        if (!first) {
            first = e->path;
            first_reason = m.reason;
        }
        n++;
    }
    if (!n)
        return true;
    const char *what = n == 1 ? rule_printf(ctx, "%s '%s'", first_reason, first)
                              : rule_printf(ctx, "%zu credential files (%s '%s' and %zu more)", n,
                                            first_reason, first, n - 1);
    report(ctx, in, src, what, first);
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    bool from_stage = df_instr_flag(in, "from") != NULL;
    for (uint32_t i = 0; i + 1 < n; i++) {
        struct str s = unquote(w[i].raw);
        if (!s.len || str_starts_with(s, str_from_cstr("<<")) || memchr(s.ptr, '$', s.len) ||
            str_starts_with(s, str_from_cstr("http://")) ||
            str_starts_with(s, str_from_cstr("https://")) ||
            str_starts_with(s, str_from_cstr("git@")))
            continue;
        if (!from_stage && !in->parent && check_in_context(ctx, in, &w[i], s))
            continue;
        struct sec_file_match m = { 0 };
        if (!sec_path_is_secret_file(s, &m))
            continue;
        /* From another stage the content cannot be read; a .pem there is
         * almost always a CA certificate bundle, so only a name that says
         * "key" is reported. */
        if (from_stage && m.kind == SEC_FILE_PEM && !str_ends_with(s, str_from_cstr(".key")))
            continue;
        const char *name = rule_printf(ctx, "%.*s", (int)s.len, s.ptr);
        report(ctx, in, &w[i], rule_printf(ctx, "%s '%s'", m.reason, name), name);
    }
}

const struct rule rule_DW403 = {
    .id = "DW403",
    .name = "secret-file-copied",
    .severity = SEV_ERROR,
    .category = CAT_SECURITY,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a COPY/ADD puts a credential file into a stage",
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
