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

/* A relative URI reference for a path: bytes outside RFC 3986's unreserved
 * set and '/' are percent-encoded. */
static json_t *uri_json(const char *path)
{
    struct buf b = BUF_INIT;
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
        if (plain ? buf_append_char(&b, (char)c) : buf_append(&b, enc, 3))
            break;
    }
    json_t *j = out_jstr(buf_cstr(&b), b.len);
    buf_release(&b);
    return j;
}

static bool is_absolute(const char *path)
{
    return path[0] == '/';
}

static json_t *artifact_location(const char *path)
{
    json_t *a = json_object();
    if (is_absolute(path)) {
        struct buf b = BUF_INIT;
        if (buf_append_cstr(&b, "file://") == 0) {
            json_t *u = uri_json(path);
            if (buf_append_cstr(&b, json_string_value(u)) == 0)
                json_object_set_new(a, "uri", out_jstr(buf_cstr(&b), b.len));
            json_decref(u);
        }
        buf_release(&b);
    } else {
        json_object_set_new(a, "uri", uri_json(path));
        json_object_set_new(a, "uriBaseId", json_string("%SRCROOT%"));
    }
    return a;
}

static json_t *region_json(const struct out_lines *l, bool have_src, uint32_t line, uint32_t col,
                           uint32_t end_line, uint32_t end_col)
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
    json_t *r = json_object();
    json_object_set_new(r, "startLine", json_integer(line));
    json_object_set_new(r, "startColumn", json_integer(c0));
    json_object_set_new(r, "endLine", json_integer(end_line));
    json_object_set_new(r, "endColumn", json_integer(c1 < 1 ? 1 : c1));
    return r;
}

static json_t *offset_region(const struct out_lines *l, bool have_src, uint32_t start, uint32_t end)
{
    if (!have_src) {
        json_t *r = json_object();
        json_object_set_new(r, "byteOffset", json_integer(start));
        json_object_set_new(r, "byteLength", json_integer(end >= start ? end - start : 0));
        return r;
    }
    uint32_t a, b, c, d;
    out_lines_locate(l, start, &a, &b);
    out_lines_locate(l, end, &c, &d);
    return region_json(l, true, a, b, c, d);
}

static json_t *replacement(json_t *region, const struct edit *e)
{
    json_t *r = json_object();
    json_object_set_new(r, "deletedRegion", region);
    json_t *ins = json_object();
    json_object_set_new(ins, "text", out_jstr(e->text.ptr, e->text.len));
    json_object_set_new(r, "insertedContent", ins);
    return r;
}

static json_t *fixes_json(const struct out_file *f, const struct out_lines *l,
                          const struct eng_fix *fix)
{
    json_t *changes = json_array();
    if (fix->n_edits) {
        json_t *reps = json_array();
        for (uint32_t i = 0; i < fix->n_edits; i++)
            json_array_append_new(reps,
                                  replacement(offset_region(l, f->src != NULL, fix->edits[i].start,
                                                            fix->edits[i].end),
                                              &fix->edits[i]));
        json_t *ch = json_object();
        json_object_set_new(ch, "artifactLocation", artifact_location(f->path));
        json_object_set_new(ch, "replacements", reps);
        json_array_append_new(changes, ch);
    }
    for (uint32_t k = 0; k < fix->n_others; k++) {
        const struct eng_file_edits *o = &fix->others[k];
        struct buf path = BUF_INIT;
        if (out_other_path(f, o->path, &path)) {
            buf_release(&path);
            continue;
        }
        /* The other file's text is not at hand: byte regions. */
        json_t *reps = json_array();
        for (uint32_t i = 0; i < o->n_edits; i++)
            json_array_append_new(
                reps, replacement(offset_region(l, false, o->edits[i].start, o->edits[i].end),
                                  &o->edits[i]));
        json_t *ch = json_object();
        json_object_set_new(ch, "artifactLocation", artifact_location(buf_cstr(&path)));
        json_object_set_new(ch, "replacements", reps);
        json_array_append_new(changes, ch);
        buf_release(&path);
    }
    json_t *desc = json_object();
    json_object_set_new(desc, "text", out_jcstr(fix->title ? fix->title : "apply the fix"));
    json_t *one = json_object();
    json_object_set_new(one, "description", desc);
    json_object_set_new(one, "artifactChanges", changes);
    json_t *arr = json_array();
    json_array_append_new(arr, one);
    return arr;
}

static json_t *text_obj(const char *s, size_t n)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", out_jstr(s, n));
    return o;
}

static json_t *rule_json(const struct rule *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", out_jcstr(r->id));
    json_object_set_new(j, "name", out_jcstr(r->name));
    struct buf b = BUF_INIT;
    const char *summary = r->summary && *r->summary ? r->summary : r->name;
    size_t n = strlen(summary);
    if (n > SARIF_TEXT_MAX)
        n = SARIF_TEXT_MAX;
    while (n > 0 && n < strlen(summary) && ((unsigned char)summary[n] & 0xC0) == 0x80)
        n--;
    json_object_set_new(j, "shortDescription", text_obj(summary, n));
    if (out_rule_description(r, SARIF_TEXT_MAX, &b) == 0)
        json_object_set_new(j, "fullDescription", text_obj(buf_cstr(&b), b.len));
    buf_reset(&b);
    const char *doc = r->doc && *r->doc ? r->doc : summary;
    json_t *help = json_object();
    json_object_set_new(help, "text", out_jcstr(doc));
    json_object_set_new(help, "markdown", out_jcstr(doc));
    json_object_set_new(j, "help", help);
    if (out_rule_help_uri(r, &b) == 0)
        json_object_set_new(j, "helpUri", out_jstr(buf_cstr(&b), b.len));
    buf_release(&b);
    json_t *conf = json_object();
    json_object_set_new(conf, "enabled", json_boolean(r->status == RULE_STABLE));
    json_object_set_new(conf, "level", json_string(level_of(r->severity)));
    json_object_set_new(j, "defaultConfiguration", conf);
    json_t *props = json_object();
    json_t *tags = json_array();
    json_array_append_new(tags, json_string(out_category_name(r->category)));
    if (r->category == CAT_SECURITY)
        json_array_append_new(tags, json_string("security"));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "precision", json_string("high"));
    json_object_set_new(props, "problem.severity", json_string(problem_severity(r->severity)));
    if (r->category == CAT_SECURITY)
        json_object_set_new(props, "security-severity",
                            json_string(security_severity(r->severity)));
    json_object_set_new(j, "properties", props);
    return j;
}

int out_sarif_begin(const struct out_options *o, struct buf *b)
{
    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("dockwright"));
    json_object_set_new(driver, "version", out_jcstr(o->tool_version ? o->tool_version : "0"));
    json_object_set_new(driver, "semanticVersion",
                        out_jcstr(o->tool_version ? o->tool_version : "0"));
    json_object_set_new(driver, "informationUri", json_string(out_project_url()));
    json_t *rules = json_array();
    for (size_t i = 0; i < o->n_rules; i++)
        json_array_append_new(rules, rule_json(o->registry[i]));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);
    int rc = buf_printf(b,
                        "{\n  \"$schema\": \"%s\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n"
                        "    {\n      \"tool\": ",
                        SARIF_SCHEMA);
    if (rc) {
        json_decref(tool);
        return ERR_TOO_LARGE;
    }
    if (out_jdump(tool, 6, b))
        return ERR_TOO_LARGE;
    json_t *auto_ = json_object();
    json_object_set_new(auto_, "id", json_string("dockwright/lint/"));
    if (buf_append_cstr(b, ",\n      \"automationDetails\": ") || out_jdump(auto_, 6, b))
        return ERR_TOO_LARGE;
    json_t *props = json_object();
    json_object_set_new(props, "ruleSet", json_integer(o->rule_set));
    if (buf_append_cstr(b, ",\n      \"properties\": ") || out_jdump(props, 6, b))
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

int out_sarif_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    if (!f->n_findings)
        return 0;
    struct out_lines l;
    out_lines_init(&l, f->src, f->len);
    uint64_t *hashes = xmalloc((size_t)f->n_findings * sizeof *hashes);
    uint32_t *occ = xmalloc((size_t)f->n_findings * sizeof *occ);
    out_fingerprints(f, hashes, occ);
    int rc = 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        json_t *j = json_object();
        json_object_set_new(j, "ruleId", out_jcstr(x->rule->id));
        long idx = rule_index(o, x->rule);
        if (idx >= 0)
            json_object_set_new(j, "ruleIndex", json_integer(idx));
        json_object_set_new(j, "level", json_string(level_of(x->severity)));
        json_object_set_new(
            j, "message",
            text_obj(x->message ? x->message : "", x->message ? strlen(x->message) : 0));
        json_t *phys = json_object();
        json_object_set_new(phys, "artifactLocation", artifact_location(f->path));
        json_object_set_new(
            phys, "region",
            region_json(&l, f->src != NULL, x->line, x->col, x->end_line, x->end_col));
        json_t *loc = json_object();
        json_object_set_new(loc, "physicalLocation", phys);
        json_t *locs = json_array();
        json_array_append_new(locs, loc);
        json_object_set_new(j, "locations", locs);
        if (x->n_related) {
            json_t *rel = json_array();
            for (uint32_t k = 0; k < x->n_related; k++) {
                const struct eng_related *e = &x->related[k];
                json_t *p = json_object();
                json_object_set_new(p, "artifactLocation", artifact_location(f->path));
                json_object_set_new(
                    p, "region",
                    region_json(&l, f->src != NULL, e->line, e->col, e->end_line, e->end_col));
                json_t *rl = json_object();
                json_object_set_new(rl, "id", json_integer(k + 1));
                json_object_set_new(rl, "physicalLocation", p);
                json_object_set_new(
                    rl, "message",
                    text_obj(e->message ? e->message : "", e->message ? strlen(e->message) : 0));
                json_array_append_new(rel, rl);
            }
            json_object_set_new(j, "relatedLocations", rel);
        }
        char fp[40];
        snprintf(fp, sizeof fp, "%016llx:%u", (unsigned long long)hashes[i], occ[i]);
        json_t *fps = json_object();
        json_object_set_new(fps, "primaryLocationLineHash", json_string(fp));
        json_object_set_new(j, "partialFingerprints", fps);
        if (x->fix && (x->fix->n_edits || x->fix->n_others))
            json_object_set_new(j, "fixes", fixes_json(f, &l, x->fix));
        json_t *props = json_object();
        json_object_set_new(props, "severity", json_string(out_severity_name(x->severity)));
        json_object_set_new(props, "name", out_jcstr(x->rule->name));
        if (x->alias)
            json_object_set_new(props, "alias", out_jcstr(x->alias));
        if (x->fix)
            json_object_set_new(props, "fixApplicability",
                                json_string(x->fix->safety == FIX_SAFE     ? "safe"
                                            : x->fix->safety == FIX_UNSAFE ? "unsafe"
                                                                           : "display-only"));
        json_object_set_new(j, "properties", props);
        rc = buf_append_cstr(&c->part[0], i ? ",\n        " : "\n        ");
        if (rc)
            json_decref(j);
        else
            rc = out_jdump(j, 8, &c->part[0]);
    }
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
