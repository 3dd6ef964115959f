/* `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it
 * (editors.md section 7). One run; tool.driver.rules[] lists the whole
 * registry (so ruleIndex is the registry index and files can be written
 * in parallel); regions are 1-based with UTF-16 columns, as the run's
 * columnKind says; paths are relative URIs against %SRCROOT%. */
#include "cli/output.h"
#include "cli/output_int.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* reportingDescriptor texts are limited to 1024 characters by GitHub. */
#define SARIF_TEXT_MAX 1024

static const char *level_of(enum rule_severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_INFO:
    case SEV_STYLE: return "note";
    }
    return "warning";
}

/* GitHub sorts security alerts by this score ("0.1" to "10.0"). */
static const char *security_severity(enum rule_severity s)
{
    switch (s) {
    case SEV_ERROR: return "8.0";
    case SEV_WARNING: return "5.0";
    case SEV_INFO: return "3.0";
    case SEV_STYLE: return "1.0";
    }
    return "5.0";
}

static const char *problem_severity(enum rule_severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_INFO:
    case SEV_STYLE: return "recommendation";
    }
    return "warning";
}

/* Appends a relative URI reference for a path: bytes outside RFC 3986's
 * unreserved set and '/' are percent-encoded. */
static void uri_append(struct buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
        if (plain ? buf_append_char(b, (char)c) : buf_append(b, enc, 3))
            break;
    }
}

static bool is_absolute(const char *path)
{
    return path[0] == '/';
}

/* A path's artifactLocation, made once and written for each result that
 * points into the file. */
struct artifact {
    struct buf uri;
    bool relative; /* against %SRCROOT% */
};

static void artifact_init(struct artifact *a, const char *path)
{
    buf_init(&a->uri, 0);
    a->relative = !is_absolute(path);
    if (!a->relative && buf_append_cstr(&a->uri, "file://"))
        return;
    uri_append(&a->uri, path);
}

static void artifact_json(struct out_jw *w, const struct artifact *a)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "uri");
    out_jw_str(w, buf_cstr(&a->uri), a->uri.len);
    if (a->relative) {
        OUT_JW_KEY(w, "uriBaseId");
        out_jw_cstr(w, "%SRCROOT%");
    }
    out_jw_close(w, '}');
}

static void region_json(struct out_jw *w, const struct out_lines *l, bool have_src, uint32_t line,
                        uint32_t col, uint32_t end_line, uint32_t end_col)
{
    if (line < 1)
        line = 1;
    if (col < 1)
        col = 1;
    if (end_line < line) {
        end_line = line;
        end_col = col;
    }
    if (end_line == line && end_col < col)
        end_col = col;
    uint32_t c0 = have_src ? out_utf16_column(l, line, col) : col;
    uint32_t c1 = have_src ? out_utf16_column(l, end_line, end_col) : end_col;
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "startLine");
    out_jw_int(w, line);
    OUT_JW_KEY(w, "startColumn");
    out_jw_int(w, c0);
    OUT_JW_KEY(w, "endLine");
    out_jw_int(w, end_line);
    OUT_JW_KEY(w, "endColumn");
    out_jw_int(w, c1 < 1 ? 1 : c1);
    out_jw_close(w, '}');
}

static void offset_region(struct out_jw *w, const struct out_lines *l, bool have_src,
                          uint32_t start, uint32_t end)
{
    if (!have_src) {
        out_jw_open(w, '{');
        OUT_JW_KEY(w, "byteOffset");
        out_jw_int(w, start);
        OUT_JW_KEY(w, "byteLength");
        out_jw_int(w, end >= start ? end - start : 0);
        out_jw_close(w, '}');
        return;
    }
    uint32_t a, b, c, d;
    out_lines_locate(l, start, &a, &b);
    out_lines_locate(l, end, &c, &d);
    region_json(w, l, true, a, b, c, d);
}

static void replacement(struct out_jw *w, const struct out_lines *l, bool have_src,
                        const struct edit *e)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "deletedRegion");
    offset_region(w, l, have_src, e->start, e->end);
    OUT_JW_KEY(w, "insertedContent");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "text");
    out_jw_str(w, e->text.ptr, e->text.len);
    out_jw_close(w, '}');
    out_jw_close(w, '}');
}

static void fixes_json(struct out_jw *w, const struct out_file *f, const struct out_lines *l,
                       const struct artifact *file, const struct eng_fix *fix)
{
    out_jw_open(w, '[');
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "description");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "text");
    out_jw_cstr(w, fix->title ? fix->title : "apply the fix");
    out_jw_close(w, '}');
    OUT_JW_KEY(w, "artifactChanges");
    out_jw_open(w, '[');
    if (fix->n_edits) {
        out_jw_open(w, '{');
        OUT_JW_KEY(w, "artifactLocation");
        artifact_json(w, file);
        OUT_JW_KEY(w, "replacements");
        out_jw_open(w, '[');
        for (uint32_t i = 0; i < fix->n_edits; i++)
            replacement(w, l, f->src != NULL, &fix->edits[i]);
        out_jw_close(w, ']');
        out_jw_close(w, '}');
    }
    for (uint32_t k = 0; k < fix->n_others; k++) {
        const struct eng_file_edits *o = &fix->others[k];
        struct buf path = BUF_INIT;
        if (out_other_path(f, o->path, &path)) {
            buf_release(&path);
            continue;
        }
        struct artifact other;
        artifact_init(&other, buf_cstr(&path));
        out_jw_open(w, '{');
        OUT_JW_KEY(w, "artifactLocation");
        artifact_json(w, &other);
        OUT_JW_KEY(w, "replacements");
        out_jw_open(w, '[');
        /* The other file's text is not at hand: byte regions. */
        for (uint32_t i = 0; i < o->n_edits; i++)
            replacement(w, l, false, &o->edits[i]);
        out_jw_close(w, ']');
        out_jw_close(w, '}');
        buf_release(&other.uri);
        buf_release(&path);
    }
    out_jw_close(w, ']');
    out_jw_close(w, '}');
    out_jw_close(w, ']');
}

static void text_obj(struct out_jw *w, const char *s, size_t n)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "text");
    out_jw_str(w, s, n);
    out_jw_close(w, '}');
}

static void rule_json(struct out_jw *w, const struct rule *r)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "id");
    out_jw_cstr(w, r->id);
    OUT_JW_KEY(w, "name");
    out_jw_cstr(w, r->name);
    struct buf b = BUF_INIT;
    const char *summary = r->summary && *r->summary ? r->summary : r->name;
    size_t n = strlen(summary);
    if (n > SARIF_TEXT_MAX)
        n = SARIF_TEXT_MAX;
    while (n > 0 && n < strlen(summary) && ((unsigned char)summary[n] & 0xC0) == 0x80)
        n--;
    OUT_JW_KEY(w, "shortDescription");
    text_obj(w, summary, n);
    if (out_rule_description(r, SARIF_TEXT_MAX, &b) == 0) {
        OUT_JW_KEY(w, "fullDescription");
        text_obj(w, buf_cstr(&b), b.len);
    }
    buf_release(&b);
    const char *doc = r->doc && *r->doc ? r->doc : summary;
    OUT_JW_KEY(w, "help");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "text");
    out_jw_cstr(w, doc);
    OUT_JW_KEY(w, "markdown");
    out_jw_cstr(w, doc);
    out_jw_close(w, '}');
    OUT_JW_KEY(w, "helpUri");
    out_jw_help_uri(w, r);
    OUT_JW_KEY(w, "defaultConfiguration");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "enabled");
    out_jw_bool(w, r->status == RULE_STABLE);
    OUT_JW_KEY(w, "level");
    out_jw_cstr(w, level_of(r->severity));
    out_jw_close(w, '}');
    OUT_JW_KEY(w, "properties");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "tags");
    out_jw_open(w, '[');
    out_jw_cstr(w, out_category_name(r->category));
    if (r->category == CAT_SECURITY)
        out_jw_cstr(w, "security");
    out_jw_close(w, ']');
    OUT_JW_KEY(w, "precision");
    out_jw_cstr(w, "high");
    OUT_JW_KEY(w, "problem.severity");
    out_jw_cstr(w, problem_severity(r->severity));
    if (r->category == CAT_SECURITY) {
        OUT_JW_KEY(w, "security-severity");
        out_jw_cstr(w, security_severity(r->severity));
    }
    out_jw_close(w, '}');
    out_jw_close(w, '}');
}

/* The document is written with the streaming writer (out_jw), which lays
 * it out as out_jdump would jansson trees of the same values: building a
 * tree per result and dumping it cost twice the lint itself. */

int out_sarif_begin(const struct out_options *o, struct buf *b)
{
    if (buf_printf(b,
                   "{\n  \"$schema\": \"%s\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n"
                   "    {\n      \"tool\": ",
                   SARIF_SCHEMA))
        return ERR_TOO_LARGE;
    struct out_jw w;
    out_jw_init(&w, b, 6);
    out_jw_open(&w, '{');
    OUT_JW_KEY(&w, "driver");
    out_jw_open(&w, '{');
    OUT_JW_KEY(&w, "name");
    out_jw_cstr(&w, "dockwright");
    OUT_JW_KEY(&w, "version");
    out_jw_cstr(&w, o->tool_version ? o->tool_version : "0");
    OUT_JW_KEY(&w, "semanticVersion");
    out_jw_cstr(&w, o->tool_version ? o->tool_version : "0");
    OUT_JW_KEY(&w, "informationUri");
    out_jw_cstr(&w, out_project_url());
    OUT_JW_KEY(&w, "rules");
    out_jw_open(&w, '[');
    for (size_t i = 0; i < o->n_rules; i++)
        rule_json(&w, o->registry[i]);
    out_jw_close(&w, ']');
    out_jw_close(&w, '}');
    out_jw_close(&w, '}');
    if (out_jw_end(&w))
        return ERR_TOO_LARGE;
    if (buf_append_cstr(b, ",\n      \"automationDetails\": "))
        return ERR_TOO_LARGE;
    out_jw_init(&w, b, 6);
    out_jw_open(&w, '{');
    OUT_JW_KEY(&w, "id");
    out_jw_cstr(&w, "dockwright/lint/");
    out_jw_close(&w, '}');
    if (out_jw_end(&w) || buf_append_cstr(b, ",\n      \"properties\": "))
        return ERR_TOO_LARGE;
    out_jw_init(&w, b, 6);
    out_jw_open(&w, '{');
    OUT_JW_KEY(&w, "ruleSet");
    out_jw_int(&w, o->rule_set);
    out_jw_close(&w, '}');
    if (out_jw_end(&w))
        return ERR_TOO_LARGE;
    return buf_append_cstr(b, ",\n      \"columnKind\": \"utf16CodeUnits\",\n"
                              "      \"results\": [");
}

static long rule_index(const struct out_options *o, const struct rule *r)
{
    for (size_t i = 0; i < o->n_rules; i++)
        if (o->registry[i] == r)
            return (long)i;
    return -1;
}

static void result_json(struct out_jw *w, const struct out_options *o, const struct out_file *f,
                        const struct out_lines *l, const struct artifact *file,
                        const struct eng_finding *x, uint64_t hash, uint32_t occ)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "ruleId");
    out_jw_cstr(w, x->rule->id);
    long idx = rule_index(o, x->rule);
    if (idx >= 0) {
        OUT_JW_KEY(w, "ruleIndex");
        out_jw_int(w, idx);
    }
    OUT_JW_KEY(w, "level");
    out_jw_cstr(w, level_of(x->severity));
    OUT_JW_KEY(w, "message");
    text_obj(w, x->message ? x->message : "", x->message ? strlen(x->message) : 0);
    OUT_JW_KEY(w, "locations");
    out_jw_open(w, '[');
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "physicalLocation");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "artifactLocation");
    artifact_json(w, file);
    OUT_JW_KEY(w, "region");
    region_json(w, l, f->src != NULL, x->line, x->col, x->end_line, x->end_col);
    out_jw_close(w, '}');
    out_jw_close(w, '}');
    out_jw_close(w, ']');
    if (x->n_related) {
        OUT_JW_KEY(w, "relatedLocations");
        out_jw_open(w, '[');
        for (uint32_t k = 0; k < x->n_related; k++) {
            const struct eng_related *e = &x->related[k];
            out_jw_open(w, '{');
            OUT_JW_KEY(w, "id");
            out_jw_int(w, k + 1);
            OUT_JW_KEY(w, "physicalLocation");
            out_jw_open(w, '{');
            OUT_JW_KEY(w, "artifactLocation");
            artifact_json(w, file);
            OUT_JW_KEY(w, "region");
            region_json(w, l, f->src != NULL, e->line, e->col, e->end_line, e->end_col);
            out_jw_close(w, '}');
            OUT_JW_KEY(w, "message");
            text_obj(w, e->message ? e->message : "", e->message ? strlen(e->message) : 0);
            out_jw_close(w, '}');
        }
        out_jw_close(w, ']');
    }
    /* "%016llx:%u", without printf's cost per result. */
    char fp[40];
    out_fmt_hex16(fp, hash);
    fp[16] = ':';
    size_t nl = out_fmt_u32(fp + 17, occ);
    OUT_JW_KEY(w, "partialFingerprints");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "primaryLocationLineHash");
    out_jw_str(w, fp, 17 + nl);
    out_jw_close(w, '}');
    if (x->fix && (x->fix->n_edits || x->fix->n_others)) {
        OUT_JW_KEY(w, "fixes");
        fixes_json(w, f, l, file, x->fix);
    }
    OUT_JW_KEY(w, "properties");
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "severity");
    out_jw_cstr(w, out_severity_name(x->severity));
    OUT_JW_KEY(w, "name");
    out_jw_cstr(w, x->rule->name);
    if (x->alias) {
        OUT_JW_KEY(w, "alias");
        out_jw_cstr(w, x->alias);
    }
    if (x->fix) {
        OUT_JW_KEY(w, "fixApplicability");
        out_jw_cstr(w, x->fix->safety == FIX_SAFE     ? "safe"
                       : x->fix->safety == FIX_UNSAFE ? "unsafe"
                                                      : "display-only");
    }
    out_jw_close(w, '}');
    out_jw_close(w, '}');
}

int out_sarif_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    if (!f->n_findings)
        return 0;
    struct out_lines l;
    out_lines_init(&l, f->src, f->len);
    uint64_t *hashes = xmalloc((size_t)f->n_findings * sizeof *hashes);
    uint32_t *occ = xmalloc((size_t)f->n_findings * sizeof *occ);
    out_fingerprints(f, hashes, occ);
    struct artifact file;
    artifact_init(&file, f->path);
    struct buf *b = &c->part[0];
    /* Room for the usual size of the results (some 1.5 KB each), so that
     * the part does not grow by doubling from nothing. */
    int rc = !b->limit && buf_reserve(b, (size_t)f->n_findings * 2048) ? ERR_TOO_LARGE : 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        rc = buf_append_cstr(b, i ? ",\n        " : "\n        ");
        if (rc)
            break;
        struct out_jw w;
        out_jw_init(&w, b, 8);
        result_json(&w, o, f, &l, &file, &f->findings[i], hashes[i], occ[i]);
        rc = out_jw_end(&w);
    }
    buf_release(&file.uri);
    free(hashes);
    free(occ);
    out_lines_release(&l);
    return rc ? ERR_TOO_LARGE : 0;
}

int out_sarif_end(const struct out_options *o, const struct out_totals *t, struct buf *b)
{
    (void)o;
    uint32_t total = 0;
    for (int i = 0; i < 4; i++)
        total += t->by_severity[i];
    return buf_append_cstr(b, total ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
}
