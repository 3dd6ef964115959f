/* `--format json`: dockwright's own versioned format, documented in
 * docs/json-output.md. Keys are written in a fixed order; every file
 * linted is listed, clean ones with an empty findings array. */
#include "cli/output.h"
#include "cli/output_int.h"

#include <string.h>

/* The file's part is written with the streaming writer (out_jw), which
 * lays it out as out_jdump would a jansson tree of the same values: the
 * report of a large tree is a few times cheaper that way. */

static void edit_json(struct out_jw *w, const char *path, size_t path_len, const struct edit *e)
{
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "path");
    if (path)
        out_jw_str(w, path, path_len);
    else
        out_jw_null(w);
    OUT_JW_KEY(w, "start_byte");
    out_jw_int(w, e->start);
    OUT_JW_KEY(w, "end_byte");
    out_jw_int(w, e->end);
    OUT_JW_KEY(w, "text");
    out_jw_str(w, e->text.ptr, e->text.len);
    out_jw_close(w, '}');
}

static void fix_json(struct out_jw *w, const struct out_file *f, const struct eng_fix *fix)
{
    if (!fix) {
        out_jw_null(w);
        return;
    }
    const char *app = fix->safety == FIX_SAFE     ? "safe"
                      : fix->safety == FIX_UNSAFE ? "unsafe"
                                                  : "display-only";
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "applicability");
    out_jw_cstr(w, app);
    OUT_JW_KEY(w, "title");
    out_jw_cstr(w, fix->title);
    OUT_JW_KEY(w, "edits");
    out_jw_open(w, '[');
    size_t path_len = f->path ? strlen(f->path) : 0;
    for (uint32_t i = 0; i < fix->n_edits; i++)
        edit_json(w, f->path, path_len, &fix->edits[i]);
    for (uint32_t k = 0; k < fix->n_others; k++) {
        const struct eng_file_edits *o = &fix->others[k];
        struct buf path = BUF_INIT;
        if (out_other_path(f, o->path, &path))
            buf_truncate(&path, 0);
        for (uint32_t i = 0; i < o->n_edits; i++)
            edit_json(w, buf_cstr(&path), path.len, &o->edits[i]);
        buf_release(&path);
    }
    out_jw_close(w, ']');
    out_jw_close(w, '}');
}

/* The 1-based line and byte-column keys of a finding or a related place. */
static void place_json(struct out_jw *w, uint32_t line, uint32_t col, uint32_t end_line,
                       uint32_t end_col)
{
    OUT_JW_KEY(w, "line");
    out_jw_int(w, line);
    OUT_JW_KEY(w, "column");
    out_jw_int(w, col);
    OUT_JW_KEY(w, "end_line");
    out_jw_int(w, end_line);
    OUT_JW_KEY(w, "end_column");
    out_jw_int(w, end_col);
}

static void finding_json(struct out_jw *w, const struct out_file *f, const struct eng_finding *x)
{
    const struct rule *r = x->rule;
    out_jw_open(w, '{');
    OUT_JW_KEY(w, "rule");
    out_jw_cstr(w, r->id);
    OUT_JW_KEY(w, "name");
    out_jw_cstr(w, r->name);
    OUT_JW_KEY(w, "severity");
    out_jw_cstr(w, out_severity_name(x->severity));
    place_json(w, x->line, x->col, x->end_line, x->end_col);
    OUT_JW_KEY(w, "start_byte");
    out_jw_int(w, x->span.start);
    OUT_JW_KEY(w, "end_byte");
    out_jw_int(w, x->span.end);
    OUT_JW_KEY(w, "message");
    out_jw_cstr(w, x->message);
    OUT_JW_KEY(w, "alias");
    out_jw_cstr(w, x->alias);
    OUT_JW_KEY(w, "aliases");
    out_jw_aliases(w, r);
    OUT_JW_KEY(w, "help_uri");
    out_jw_help_uri(w, r);
    OUT_JW_KEY(w, "related");
    out_jw_open(w, '[');
    for (uint32_t i = 0; i < x->n_related; i++) {
        const struct eng_related *e = &x->related[i];
        out_jw_open(w, '{');
        place_json(w, e->line, e->col, e->end_line, e->end_col);
        OUT_JW_KEY(w, "message");
        out_jw_cstr(w, e->message);
        out_jw_close(w, '}');
    }
    out_jw_close(w, ']');
    OUT_JW_KEY(w, "fix");
    fix_json(w, f, x->fix);
    out_jw_close(w, '}');
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
    /* Room for the usual size of the file's part (a finding takes some
     * 800 bytes), so that it does not grow by doubling from nothing; a
     * capped buffer grows as it needs, up to its cap. */
    struct buf *b = &c->part[0];
    if ((!b->limit && buf_reserve(b, 128 + (size_t)f->n_findings * 1024)) ||
        buf_append_cstr(b, "\n    "))
        return ERR_TOO_LARGE;
    struct out_jw w;
    out_jw_init(&w, b, 4);
    out_jw_open(&w, '{');
    OUT_JW_KEY(&w, "path");
    out_jw_cstr(&w, f->path);
    OUT_JW_KEY(&w, "findings");
    out_jw_open(&w, '[');
    for (uint32_t i = 0; i < f->n_findings; i++)
        finding_json(&w, f, &f->findings[i]);
    out_jw_close(&w, ']');
    out_jw_close(&w, '}');
    return out_jw_end(&w);
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
