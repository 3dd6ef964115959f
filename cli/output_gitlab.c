/* `--format gitlab`: a GitLab Code Quality report (a JSON array of Code
 * Climate issues, artifacts:reports:codequality). The fingerprint must be
 * unique per finding and stable while unrelated lines move: it hashes the
 * path, the rule id, the normalised instruction text and the occurrence
 * of that text in the file, never a line number. */
#include "cli/output.h"
#include "cli/output_int.h"
#include "common/xalloc.h"

#include <stdio.h>
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

/* 128 bits as 32 hex digits: two FNV-1a runs with different seeds over the
 * same text (a hex string, so the result does not depend on byte order). */
static void fingerprint(const char *path, uint64_t text_hash, uint32_t occurrence, char out[33])
{
    char tail[48];
    int n = snprintf(tail, sizeof tail, "\n%016llx\n%u", (unsigned long long)text_hash, occurrence);
    uint64_t a = out_fnv1a(OUT_FNV_INIT, path, strlen(path));
    a = out_fnv1a(a, tail, (size_t)n);
    uint64_t b = out_fnv1a(OUT_FNV_INIT ^ UINT64_C(0x9e3779b97f4a7c15), path, strlen(path));
    b = out_fnv1a(b, tail, (size_t)n);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

int out_gitlab_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    if (!f->n_findings)
        return 0;
    uint64_t *hashes = xmalloc((size_t)f->n_findings * sizeof *hashes);
    uint32_t *occ = xmalloc((size_t)f->n_findings * sizeof *occ);
    out_fingerprints(f, hashes, occ);
    int rc = 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        json_t *j = json_object();
        json_object_set_new(j, "type", json_string("issue"));
        json_object_set_new(j, "check_name", out_jcstr(x->rule->id));
        json_object_set_new(j, "description", out_jcstr(x->message ? x->message : ""));
        json_t *cats = json_array();
        json_array_append_new(cats, json_string(category_of(x->rule->category)));
        json_object_set_new(j, "categories", cats);
        struct buf body = BUF_INIT;
        if (buf_printf(&body, "%s %s: %s\n\n", x->rule->id, x->rule->name,
                       x->rule->summary ? x->rule->summary : "") == 0 &&
            out_rule_help_uri(x->rule, &body) == 0) {
            json_t *content = json_object();
            json_object_set_new(content, "body", out_jstr(buf_cstr(&body), body.len));
            json_object_set_new(j, "content", content);
        }
        buf_release(&body);
        json_object_set_new(j, "severity", json_string(severity_of(x)));
        char fp[33];
        fingerprint(f->path, hashes[i], occ[i], fp);
        json_object_set_new(j, "fingerprint", json_string(fp));
        json_t *lines = json_object();
        json_object_set_new(lines, "begin", json_integer(x->line));
        json_object_set_new(lines, "end",
                            json_integer(x->end_line >= x->line ? x->end_line : x->line));
        json_t *loc = json_object();
        json_object_set_new(loc, "path", out_jcstr(f->path));
        json_object_set_new(loc, "lines", lines);
        json_object_set_new(j, "location", loc);
        rc = buf_append_cstr(&c->part[0], i ? ",\n  " : "\n  ");
        if (rc)
            json_decref(j);
        else
            rc = out_jdump(j, 2, &c->part[0]);
    }
    free(hashes);
    free(occ);
    return rc ? ERR_TOO_LARGE : 0;
}
