/* `--format json`: dockwright's own versioned format, documented in
 * docs/json-output.md. Keys are written in a fixed order; every file
 * linted is listed, clean ones with an empty findings array. */
#include "cli/output.h"
#include "cli/output_int.h"

#include <string.h>

static json_t *fix_json(const struct out_file *f, const struct eng_fix *fix)
{
    if (!fix)
        return json_null();
    const char *app = fix->safety == FIX_SAFE     ? "safe"
                      : fix->safety == FIX_UNSAFE ? "unsafe"
                                                  : "display-only";
    json_t *edits = json_array();
    for (uint32_t i = 0; i < fix->n_edits; i++) {
        const struct edit *e = &fix->edits[i];
        json_t *je = json_object();
        json_object_set_new(je, "path", out_jcstr(f->path));
        json_object_set_new(je, "start_byte", json_integer(e->start));
        json_object_set_new(je, "end_byte", json_integer(e->end));
        json_object_set_new(je, "text", out_jstr(e->text.ptr, e->text.len));
        json_array_append_new(edits, je);
    }
    for (uint32_t k = 0; k < fix->n_others; k++) {
        const struct eng_file_edits *o = &fix->others[k];
        struct buf path = BUF_INIT;
        if (out_other_path(f, o->path, &path))
            buf_truncate(&path, 0);
        for (uint32_t i = 0; i < o->n_edits; i++) {
            const struct edit *e = &o->edits[i];
            json_t *je = json_object();
            json_object_set_new(je, "path", out_jstr(buf_cstr(&path), path.len));
            json_object_set_new(je, "start_byte", json_integer(e->start));
            json_object_set_new(je, "end_byte", json_integer(e->end));
            json_object_set_new(je, "text", out_jstr(e->text.ptr, e->text.len));
            json_array_append_new(edits, je);
        }
        buf_release(&path);
    }
    json_t *j = json_object();
    json_object_set_new(j, "applicability", json_string(app));
    json_object_set_new(j, "title", out_jcstr(fix->title));
    json_object_set_new(j, "edits", edits);
    return j;
}

static json_t *finding_json(const struct out_file *f, const struct eng_finding *x)
{
    const struct rule *r = x->rule;
    json_t *j = json_object();
    json_object_set_new(j, "rule", out_jcstr(r->id));
    json_object_set_new(j, "name", out_jcstr(r->name));
    json_object_set_new(j, "severity", json_string(out_severity_name(x->severity)));
    json_object_set_new(j, "line", json_integer(x->line));
    json_object_set_new(j, "column", json_integer(x->col));
    json_object_set_new(j, "end_line", json_integer(x->end_line));
    json_object_set_new(j, "end_column", json_integer(x->end_col));
    json_object_set_new(j, "start_byte", json_integer(x->span.start));
    json_object_set_new(j, "end_byte", json_integer(x->span.end));
    json_object_set_new(j, "message", out_jcstr(x->message));
    json_object_set_new(j, "alias", out_jcstr(x->alias));
    json_object_set_new(j, "aliases", out_jaliases(r));
    struct buf uri = BUF_INIT;
    if (out_rule_help_uri(r, &uri) == 0)
        json_object_set_new(j, "help_uri", out_jstr(buf_cstr(&uri), uri.len));
    buf_release(&uri);
    json_t *rel = json_array();
    for (uint32_t i = 0; i < x->n_related; i++) {
        const struct eng_related *e = &x->related[i];
        json_t *je = json_object();
        json_object_set_new(je, "line", json_integer(e->line));
        json_object_set_new(je, "column", json_integer(e->col));
        json_object_set_new(je, "end_line", json_integer(e->end_line));
        json_object_set_new(je, "end_column", json_integer(e->end_col));
        json_object_set_new(je, "message", out_jcstr(e->message));
        json_array_append_new(rel, je);
    }
    json_object_set_new(j, "related", rel);
    json_object_set_new(j, "fix", fix_json(f, x->fix));
    return j;
}

int out_json_begin(const struct out_options *o, struct buf *b)
{
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("dockwright"));
    json_object_set_new(tool, "version", out_jcstr(o->tool_version ? o->tool_version : ""));
    if (buf_printf(b, "{\n  \"version\": %d,\n  \"rule_set\": %u,\n  \"tool\": ", OUT_JSON_VERSION,
                   o->rule_set)) {
        json_decref(tool);
        return ERR_TOO_LARGE;
    }
    if (out_jdump(tool, 2, b))
        return ERR_TOO_LARGE;
    return buf_append_cstr(b, ",\n  \"files\": [");
}

int out_json_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    json_t *j = json_object();
    json_object_set_new(j, "path", out_jcstr(f->path));
    json_t *arr = json_array();
    for (uint32_t i = 0; i < f->n_findings; i++)
        json_array_append_new(arr, finding_json(f, &f->findings[i]));
    json_object_set_new(j, "findings", arr);
    if (buf_append_cstr(&c->part[0], "\n    ")) {
        json_decref(j);
        return ERR_TOO_LARGE;
    }
    return out_jdump(j, 4, &c->part[0]);
}

int out_json_end(const struct out_options *o, const struct out_totals *t, struct buf *b)
{
    (void)o;
    json_t *s = json_object();
    json_object_set_new(s, "files", json_integer(t->files));
    json_object_set_new(s, "errors", json_integer(t->by_severity[SEV_ERROR]));
    json_object_set_new(s, "warnings", json_integer(t->by_severity[SEV_WARNING]));
    json_object_set_new(s, "infos", json_integer(t->by_severity[SEV_INFO]));
    json_object_set_new(s, "styles", json_integer(t->by_severity[SEV_STYLE]));
    json_object_set_new(s, "fixable", json_integer(t->fixable_safe));
    json_object_set_new(s, "fixable_unsafe", json_integer(t->fixable_unsafe));
    json_object_set_new(s, "fixed", json_integer(t->fixes_applied));
    if (buf_append_cstr(b, t->files ? "\n  ],\n  \"summary\": " : "],\n  \"summary\": ")) {
        json_decref(s);
        return ERR_TOO_LARGE;
    }
    if (out_jdump(s, 2, b))
        return ERR_TOO_LARGE;
    return buf_append_cstr(b, "\n}\n");
}
