/* DW402 hardcoded-secret: a literal credential in the Dockerfile text
 * (ENV, ARG, LABEL values, command text, heredoc bodies, URLs) or, with a
 * build context, in a text file a COPY/ADD sends into an output stage. The
 * detection is the scanner's (analyzer/secrets.h, spec secrets.md); this
 * file decides what text each instruction exposes, where a finding points
 * and how it is worded. Every message shows the value masked (sec_mask). */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a literal credential: provider tokens (GitHub, GitLab, AWS, Slack,\n"
    "Stripe, npm, PyPI, ...), private-key armour, passwords in URLs, headers and\n"
    "command lines, and `password=...`-style assignments whose value passes an\n"
    "entropy test. It looks at ENV values, ARG defaults, LABEL values, the text\n"
    "of RUN, CMD, ENTRYPOINT and HEALTHCHECK, heredoc bodies, ADD URLs and\n"
    "`--mount` values. With a build context, text files that a COPY/ADD sends\n"
    "into an output stage are scanned too. Variable references, placeholders\n"
    "(`changeme`, `example`, `xxxx`), AWS `...EXAMPLE` keys, generic matches on\n"
    "a line that uses `--mount=type=secret` and values matching `secrets.allow`\n"
    "are not reported. Findings confined to builder stages are warnings.\n"
    "\n"
    "## Why is this bad?\n"
    "ENV and LABEL values are stored in the image config; command text is kept\n"
    "in the image history; heredoc bodies and copied files end up in layers.\n"
    "Anyone who can pull the image can read them. Removing the line later does\n"
    "not remove the secret from published images or version control: rotate it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ENV GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN --mount=type=secret,id=gh_token,env=GITHUB_TOKEN ./fetch.sh\n"
    "```\n";

/* Largest context file scanned, and how many files one COPY scans at most:
 * secrets in bigger files are rare and reading them would slow every lint. */
#define MAX_SCAN_FILE ((size_t)1024 * 1024)
#define MAX_SCAN_FILES 2000
#define MAX_SCAN_BYTES ((uint64_t)64 * 1024 * 1024) /* per Dockerfile, all COPYs */

struct state {
    bool allow_done;
    const struct sec_allow *allow;
    uint64_t scanned_bytes; /* context bytes read so far */
};

static const struct sec_allow *compile_allow(struct rule_ctx *ctx)
{
    const struct cfg *c = rule_config(ctx);
    if (!c || !c->secrets_allow.len)
        return NULL;
    struct str *pats = rule_alloc(ctx, c->secrets_allow.len * sizeof *pats);
    for (size_t i = 0; i < c->secrets_allow.len; i++)
        pats[i] = str_from_cstr(c->secrets_allow.items[i].text);
    struct sec_allow *out = NULL;
    struct err err = { 0 };
    /* A pattern PCRE2 refuses is the config loader's to report. */
    if (sec_allow_compile(rule_arena(ctx), pats, c->secrets_allow.len, &out, &err) != 0)
        return NULL;
    return out;
}

static const struct sec_allow *allow_list(struct rule_ctx *ctx)
{
    struct state *st = rule_state(ctx);
    if (!st->allow_done) {
        st->allow_done = true;
        st->allow = compile_allow(ctx);
    }
    return st->allow;
}

/* Maps offset off of a text made of the segments segs (concatenated) to
 * its src offset. */
static uint32_t seg_offset(const struct sh_segment *segs, uint32_t n, uint32_t off)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = segs[i].end - segs[i].start;
        if (off < len)
            return segs[i].start + off;
        off -= len;
    }
    return n ? segs[n - 1].end : 0;
}

/* Whether the instruction (or the instruction it is a trigger of) belongs
 * to an output stage; global ARGs count as output. */
static bool in_output(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    while (in->parent)
        in = in->parent;
    if (in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return true;
    return m->stages[in->stage].is_output;
}

/* One instruction's reported value offsets, so that text seen twice (a
 * shell heredoc is both in the script and a body) is reported once. */
struct seen {
    uint32_t at[64];
    uint32_t n;
};

static bool seen_add(struct seen *s, uint32_t off)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->at[i] == off)
            return false;
    if (s->n < 64)
        s->at[s->n++] = off;
    return true;
}

static void report(struct rule_ctx *ctx, const struct df_instr *in, struct span at,
                   const struct sec_finding *sf, struct str value, const char *where)
{
    char masked[SEC_MASK_MAX];
    sec_mask(value, masked);
    /* The generic kinds' titles already say "hardcoded ...". */
    const char *title = sf->kind->title;
    bool prefixed = !strncmp(title, "hardcoded ", 10);
    struct rule_finding *f =
        rule_report(ctx, at,
                    "%s%s '%s' in %s: rotate it and pass it with a build secret "
                    "(RUN --mount=type=secret) instead",
                    prefixed ? "" : "hardcoded ", title, masked, where);
    if (f && !in_output(ctx, in))
        rule_finding_severity(f, SEV_WARNING);
}

/* Where a scanned text comes from: worded (rule_printf) only when a
 * finding needs it, since most texts hold none. */
enum where_kind { W_PAIR, W_HEREDOC, W_URL, W_COMMAND, W_MOUNT };

struct where {
    enum where_kind kind;
    const char *kw;
    struct str key; /* W_PAIR */
};

static const char *where_text(struct rule_ctx *ctx, const struct where *w)
{
    switch (w->kind) {
    case W_PAIR: return rule_printf(ctx, "%s '%.*s'", w->kw, (int)w->key.len, w->key.ptr);
    case W_HEREDOC: return rule_printf(ctx, "a %s heredoc", w->kw);
    case W_URL: return rule_printf(ctx, "the %s URL", w->kw);
    case W_COMMAND: return rule_printf(ctx, "the %s command", w->kw);
    case W_MOUNT: break;
    }
    return "a --mount value";
}

/* Scans text (len bytes). Findings point into src: through segs when
 * given, else at base + offset when the text is a slice of src at base,
 * else at the fallback span. */
static void scan(struct rule_ctx *ctx, const struct df_instr *in, struct seen *seen,
                 const char *text, size_t len, const struct sec_scan_opts *o,
                 const struct sh_segment *segs, uint32_t n_segs, const uint32_t *pos,
                 struct span fallback, const struct where *where)
{
    const struct df_file *file = rule_file(ctx);
    struct sec_results r = { 0 };
    struct err err; /* err_clear, not = { 0 }: 1.5 KiB written per scanned text */
    err_clear(&err);
    if (!len || sec_scan_text(rule_arena(ctx), text, len, o, &r, &err) != 0)
        return;
    bool slice = text >= file->src && text + len <= file->src + file->len;
    for (size_t i = 0; i < r.len; i++) {
        const struct sec_finding *sf = &r.items[i];
        struct span at = fallback;
        if (pos) {
            at.start = pos[sf->value.start];
            at.end = pos[sf->value.end > sf->value.start ? sf->value.end - 1 : sf->value.start] + 1;
        } else if (segs) {
            at.start = seg_offset(segs, n_segs, sf->value.start);
            at.end = at.start + 1;
        } else if (slice) {
            at.start = (uint32_t)(text - file->src) + sf->value.start;
            at.end = (uint32_t)(text - file->src) + sf->value.end;
        }
        if (at.end < at.start || at.end > file->len)
            at.end = at.start;
        if (!seen_add(seen, at.start))
            continue;
        report(ctx, in, at, sf, str_make(text + sf->value.start, sf->value.end - sf->value.start),
               where_text(ctx, where));
    }
}

static bool has_secret_mount(const struct df_instr *in)
{
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        for (uint32_t k = 0; k < fl->n_mount; k++)
            if (str_eq_cstr(fl->mount[k].key.raw, "type") &&
                str_eq_cstr(fl->mount[k].value.raw, "secret"))
                return true;
    }
    return false;
}

static struct str unquote(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
        return str_slice(v, 1, v.len - 1);
    return v;
}

static void check_pairs(struct rule_ctx *ctx, const struct df_instr *in, struct seen *seen,
                        const struct sec_allow *allow)
{
    const char *kw = df_kind_name(in->kind);
    enum sec_context sc = in->kind == DF_ARG   ? SEC_CTX_ARG
                          : in->kind == DF_ENV ? SEC_CTX_ENV
                                               : SEC_CTX_LABEL;
    for (uint32_t i = 0; i < in->n_pairs; i++) {
        const struct df_pair *p = &in->pairs[i];
        if (!p->value.raw.ptr)
            continue;
        struct str v = unquote(p->value.raw);
        struct sec_scan_opts o = { .context = sc, .key = str_trim(p->key.raw), .allow = allow };
        struct where where = { W_PAIR, kw, o.key };
        scan(ctx, in, seen, v.ptr, v.len, &o, NULL, 0, NULL, p->value.span, &where);
    }
}

/* ---------------------------------------------------- the build context */

/* The context walk the engine shares with the other [ctx] rules; an
 * ignore file BuildKit refuses (DW505's finding) leaves nothing ignored. */
static struct di_context *context_of(struct rule_ctx *ctx)
{
    const struct rule_build_context *bc = rule_build_context(ctx);
    return bc ? bc->walk : NULL;
}

static bool is_url(struct str s)
{
    return str_starts_with(s, str_from_cstr("http://")) ||
           str_starts_with(s, str_from_cstr("https://")) ||
           str_starts_with(s, str_from_cstr("git@"));
}

/* Scans the text files a COPY/ADD source sends from the context. */
static void check_context_source(struct rule_ctx *ctx, const struct df_instr *in,
                                 const struct df_text *src, const struct sec_allow *allow)
{
    struct di_context *c = context_of(ctx);
    if (!c)
        return;
    struct str s = unquote(src->raw);
    if (!s.len || memchr(s.ptr, '$', s.len) || is_url(s))
        return;
    struct di_selection sel = { 0 };
    struct err err = { 0 };
    if (di_select(rule_arena(ctx), c, s.ptr, s.len, &sel, &err) != 0)
        return;
    size_t scanned = 0;
    for (size_t i = 0; i < sel.n_entries && scanned < MAX_SCAN_FILES; i++) {
        const struct di_entry *e = sel.entries[i];
        if (e->type != DI_FILE || e->size == 0 || e->size > MAX_SCAN_FILE)
            continue;
        /* Git's object store is zlib data, never text: skip it unread. */
        if (!strncmp(e->path, ".git/objects/", 13) || strstr(e->path, "/.git/objects/"))
            continue;
        struct state *st = rule_state(ctx);
        if (st->scanned_bytes + e->size > MAX_SCAN_BYTES)
            break;
        st->scanned_bytes += e->size;
        struct str text = STR_NULL;
        bool exists = false;
        if (!rule_context_file(ctx, e->path, &text, &exists) || !exists)
            continue;
        scanned++;
        size_t probe = text.len < 8000 ? text.len : 8000;
        if (memchr(text.ptr, '\0', probe))
            continue; /* binary */
        struct sec_results r = { 0 };
        struct sec_scan_opts o = { .context = SEC_CTX_TEXT, .allow = allow };
        if (sec_scan_text(rule_arena(ctx), text.ptr, text.len, &o, &r, &err) != 0)
            continue;
        for (size_t k = 0; k < r.len; k++) {
            const struct sec_finding *sf = &r.items[k];
            uint32_t line = 1;
            for (uint32_t b = 0; b < sf->value.start && b < text.len; b++)
                line += text.ptr[b] == '\n';
            const char *where =
                rule_printf(ctx, "context file '%s' line %u, which %s copies into the image",
                            e->path, line, df_kind_name(in->kind));
            report(ctx, in, src->span, sf,
                   str_make(text.ptr + sf->value.start, sf->value.end - sf->value.start), where);
        }
    }
}

static void check_copy(struct rule_ctx *ctx, const struct df_instr *in, struct seen *seen,
                       const struct sec_allow *allow)
{
    const char *kw = df_kind_name(in->kind);
    for (uint32_t i = 0; i < in->n_heredocs; i++) {
        const struct df_heredoc *h = &in->heredocs[i];
        struct sec_scan_opts o = { .context = SEC_CTX_HEREDOC, .allow = allow };
        scan(ctx, in, seen, rule_file(ctx)->src + h->body.start, h->body.end - h->body.start, &o,
             NULL, 0, NULL, h->marker, &(struct where){ W_HEREDOC, kw, STR_NULL });
    }
    /* Sources: every word but the destination (exec form: the strings). */
    const struct df_text *w = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    bool from_stage = df_instr_flag(in, "from") != NULL;
    for (uint32_t i = 0; i + 1 < n; i++) {
        struct str s = unquote(w[i].raw);
        if (str_starts_with(s, str_from_cstr("<<")))
            continue;
        if (is_url(s)) {
            struct sec_scan_opts o = { .context = SEC_CTX_URL, .allow = allow };
            scan(ctx, in, seen, s.ptr, s.len, &o, NULL, 0, NULL, w[i].span,
                 &(struct where){ W_URL, kw, STR_NULL });
        } else if (!from_stage && in_output(ctx, in) && !in->parent) {
            check_context_source(ctx, in, &w[i], allow);
        }
    }
}

static void check_command(struct rule_ctx *ctx, const struct df_instr *in, struct seen *seen,
                          const struct sec_allow *allow)
{
    const char *kw = df_kind_name(in->kind);
    bool mount = has_secret_mount(in);
    struct sec_scan_opts o = { .context = SEC_CTX_RUN, .secret_mount = mount, .allow = allow };
    const struct where cmd = { W_COMMAND, kw, STR_NULL };
    const struct where *where = &cmd;
    if (in->form == DF_FORM_EXEC) {
        for (uint32_t i = 0; i < in->n_exec; i++)
            scan(ctx, in, seen, in->exec[i].raw.ptr, in->exec[i].raw.len, &o, NULL, 0, NULL,
                 in->exec[i].span, where);
    } else if (in->script && in->script->len) {
        scan(ctx, in, seen, in->script->text, in->script->len, &o, NULL, 0, in->script->src_pos,
             in->span, where);
    } else if (in->form == DF_FORM_SHELL) {
        scan(ctx, in, seen, in->shell.raw.ptr, in->shell.raw.len, &o, in->shell_segs,
             in->n_shell_segs, NULL, in->shell.span, where);
    }
    for (uint32_t i = 0; i < in->n_heredocs; i++) {
        const struct df_heredoc *h = &in->heredocs[i];
        struct sec_scan_opts ho = { .context = SEC_CTX_HEREDOC,
                                    .secret_mount = mount,
                                    .allow = allow };
        scan(ctx, in, seen, rule_file(ctx)->src + h->body.start, h->body.end - h->body.start, &ho,
             NULL, 0, NULL, h->marker, &(struct where){ W_HEREDOC, kw, STR_NULL });
    }
    /* --mount values: a bind or cache source may be a URL with a token. */
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        for (uint32_t k = 0; k < fl->n_mount; k++) {
            struct str v = unquote(fl->mount[k].value.raw);
            if (!v.ptr || !memchr(v.ptr, ':', v.len))
                continue;
            struct sec_scan_opts uo = { .context = SEC_CTX_URL, .allow = allow };
            scan(ctx, in, seen, v.ptr, v.len, &uo, NULL, 0, NULL, fl->mount[k].value.span,
                 &(struct where){ W_MOUNT, NULL, STR_NULL });
        }
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct seen seen; /* only n needs a value: at[] is written before it is read */
    seen.n = 0;
    const struct sec_allow *allow = allow_list(ctx);
    switch (in->kind) {
    case DF_ENV:
    case DF_ARG:
    case DF_LABEL: check_pairs(ctx, in, &seen, allow); break;
    case DF_COPY:
    case DF_ADD: check_copy(ctx, in, &seen, allow); break;
    default: check_command(ctx, in, &seen, allow); break;
    }
}

const struct rule rule_DW402 = {
    .id = "DW402",
    .name = "hardcoded-secret",
    .severity = SEV_ERROR,
    .category = CAT_SECURITY,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a literal credential is written in the Dockerfile or a copied file",
    .on = DF_ON(DF_ENV) | DF_ON(DF_ARG) | DF_ON(DF_LABEL) | DF_ON(DF_RUN) | DF_ON(DF_CMD) |
          DF_ON(DF_ENTRYPOINT) | DF_ON(DF_HEALTHCHECK) | DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
