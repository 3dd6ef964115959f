/* `--format gitlab`: a GitLab Code Quality report (a JSON array of Code
 * Climate issues, artifacts:reports:codequality). The fingerprint must be
 * unique per finding and stable while unrelated lines move: it hashes the
 * path, the rule id, the normalised instruction text and the occurrence
 * of that text in the file, never a line number. */
#include "cli/output.h"
#include "cli/output_int.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *severity_of(const struct eng_finding *x)
{
    switch (x->severity) {
    case SEV_ERROR: return x->rule->category == CAT_SECURITY ? "critical" : "major";
    case SEV_WARNING: return "minor";
    case SEV_INFO:
    case SEV_STYLE: return "info";
    }
    return "minor";
}

/* Code Climate's category names. */
static const char *category_of(enum rule_category c)
{
    switch (c) {
    case CAT_SYNTAX:
    case CAT_CORRECTNESS: return "Bug Risk";
    case CAT_CACHE:
    case CAT_PACKAGES:
    case CAT_CONTEXT: return "Performance";
    case CAT_SECURITY: return "Security";
    case CAT_STYLE: return "Style";
    }
    return "Bug Risk";
}

/* Writes v as 16 lowercase hex digits at out, as "%016llx". */
/* 128 bits as 32 hex digits: two FNV-1a runs with different seeds over the
 * same text (a hex string, so the result does not depend on byte order).
 * Formatted by hand: its two snprintf calls cost 2.9k instructions an
 * issue. */
static void fingerprint(const char *path, uint64_t text_hash, uint32_t occurrence, char out[33])
{
    char tail[48]; /* "\n%016llx\n%u" */
    tail[0] = '\n';
    out_fmt_hex16(tail + 1, text_hash);
    tail[17] = '\n';
    size_t n = 18 + out_fmt_u32(tail + 18, occurrence), plen = strlen(path);
    uint64_t a = out_fnv1a(OUT_FNV_INIT, path, plen);
    a = out_fnv1a(a, tail, n);
    uint64_t b = out_fnv1a(OUT_FNV_INIT ^ UINT64_C(0x9e3779b97f4a7c15), path, plen);
    b = out_fnv1a(b, tail, n);
    out_fmt_hex16(out, a);
    out_fmt_hex16(out + 16, b);
    out[32] = '\0';
}

/* Written with the streaming writer (out_jw), laid out as out_jdump would
 * a jansson tree of the same values, which cost more than linting. */
int out_gitlab_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    if (!f->n_findings)
        return 0;
    uint64_t *hashes = xmalloc((size_t)f->n_findings * sizeof *hashes);
    uint32_t *occ = xmalloc((size_t)f->n_findings * sizeof *occ);
    out_fingerprints(f, hashes, occ);
    struct buf *b = &c->part[0];
    /* Room for the usual size of the issues (some 700 bytes each). */
    int rc = !b->limit && buf_reserve(b, (size_t)f->n_findings * 1024) ? ERR_TOO_LARGE : 0;
    struct buf body = BUF_INIT;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        rc = buf_append_cstr(b, i ? ",\n  " : "\n  ");
        if (rc)
            break;
        struct out_jw w;
        out_jw_init(&w, b, 2);
        out_jw_open(&w, '{');
        OUT_JW_KEY(&w, "type");
        out_jw_cstr(&w, "issue");
        OUT_JW_KEY(&w, "check_name");
        out_jw_cstr(&w, x->rule->id);
        OUT_JW_KEY(&w, "description");
        out_jw_cstr(&w, x->message ? x->message : "");
        OUT_JW_KEY(&w, "categories");
        out_jw_open(&w, '[');
        out_jw_cstr(&w, category_of(x->rule->category));
        out_jw_close(&w, ']');
        buf_truncate(&body, 0);
        /* "%s %s: %s\n\n" and the help URI, without printf. */
        if (buf_append_cstr(&body, x->rule->id) == 0 && buf_append_char(&body, ' ') == 0 &&
            buf_append_cstr(&body, x->rule->name) == 0 && buf_append(&body, ": ", 2) == 0 &&
            buf_append_cstr(&body, x->rule->summary ? x->rule->summary : "") == 0 &&
            buf_append(&body, "\n\n", 2) == 0 && out_rule_help_uri(x->rule, &body) == 0) {
            OUT_JW_KEY(&w, "content");
            out_jw_open(&w, '{');
            OUT_JW_KEY(&w, "body");
            out_jw_str(&w, buf_cstr(&body), body.len);
            out_jw_close(&w, '}');
        }
        OUT_JW_KEY(&w, "severity");
        out_jw_cstr(&w, severity_of(x));
        char fp[33];
        fingerprint(f->path, hashes[i], occ[i], fp);
        OUT_JW_KEY(&w, "fingerprint");
        out_jw_cstr(&w, fp);
        OUT_JW_KEY(&w, "location");
        out_jw_open(&w, '{');
        OUT_JW_KEY(&w, "path");
        out_jw_cstr(&w, f->path);
        OUT_JW_KEY(&w, "lines");
        out_jw_open(&w, '{');
        OUT_JW_KEY(&w, "begin");
        out_jw_int(&w, x->line);
        OUT_JW_KEY(&w, "end");
        out_jw_int(&w, x->end_line >= x->line ? x->end_line : x->line);
        out_jw_close(&w, '}');
        out_jw_close(&w, '}');
        out_jw_close(&w, '}');
        rc = out_jw_end(&w);
    }
    buf_release(&body);
    free(hashes);
    free(occ);
    return rc ? ERR_TOO_LARGE : 0;
}
