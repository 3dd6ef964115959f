#include "report.h"

#include "common/fileio.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- building ------------------------------------------------------------ */

void bld_report_init(struct bld_report *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena);
}

void bld_report_release(struct bld_report *r)
{
    arena_release(&r->arena);
    VEC_RELEASE(&r->steps);
    memset(r, 0, sizeof *r);
    arena_init(&r->arena);
}

struct bld_report_step *bld_report_add_step(struct bld_report *r, const char *stage, uint32_t line,
                                            const char *instruction, enum bld_cache_result cache,
                                            double seconds)
{
    struct bld_report_step *st = VEC_PUSH_ZERO(&r->steps);
    st->stage = arena_strdup(&r->arena, stage ? stage : "");
    st->line = line;
    st->instruction = arena_strdup(&r->arena, instruction ? instruction : "");
    st->cache = cache;
    /* A clock that went backwards, or did not work, is no time at all. */
    st->seconds = seconds >= 0 && isfinite(seconds) ? seconds : 0;
    st->layer.index = -1;
    return st;
}

static void copy_stats(struct bld_report_layer *l, const struct bld_layer_stats *ls)
{
    if (ls->has_digest) {
        l->has_digest = true;
        l->digest = ls->digest;
    }
    if (ls->has_diff_id) {
        l->has_diff_id = true;
        l->diff_id = ls->diff_id;
    }
    l->size = ls->size;
    if (ls->tar_size)
        l->tar_size = ls->tar_size;
    if (ls->compressed_size)
        l->compressed_size = ls->compressed_size;
    l->files = ls->files;
    l->whiteouts = ls->whiteouts;
    l->wasted_bytes = ls->wasted_bytes;
    l->removed_bytes = ls->removed_bytes;
}

void bld_report_step_set_layer(struct bld_report_step *st, const struct bld_layer_stats *ls)
{
    memset(&st->layer, 0, sizeof st->layer);
    st->has_layer = true;
    st->layer.index = -1;
    copy_stats(&st->layer, ls);
}

static bool same_layer(const struct bld_report_layer *l, const struct bld_layer_stats *ls)
{
    if (l->has_digest && ls->has_digest)
        return bld_digest_eq(&l->digest, &ls->digest);
    return l->has_diff_id && ls->has_diff_id && bld_digest_eq(&l->diff_id, &ls->diff_id);
}

void bld_report_set_image(struct bld_report *r, const struct bld_digest *manifest,
                          const struct bld_image_analysis *an, size_t max_paths)
{
    struct bld_report_image *im = &r->image;
    memset(im, 0, sizeof *im);
    r->has_image = true;
    if (manifest) {
        im->has_digest = true;
        im->digest = *manifest;
    }
    im->layers = an->n_layers;
    im->size = an->size;
    im->tar_size = an->tar_size;
    im->compressed_size = an->compressed_size;
    im->wasted_bytes = an->wasted_bytes;
    im->live_bytes = an->live_bytes;
    im->rewritten_live_bytes = an->rewritten_live_bytes;
    im->efficiency = an->efficiency;
    im->dive_efficiency = an->dive.efficiency;
    im->dive_wasted_bytes = an->dive.wasted_bytes;
    im->dive_user_size_bytes = an->dive.user_size_bytes;
    im->dive_wasted_user_percent = an->dive.wasted_user_percent;
    im->n_wasted_paths = an->n_wasted < max_paths ? an->n_wasted : max_paths;
    im->wasted_paths = ARENA_NEW_ARRAY(&r->arena, struct bld_report_path, im->n_wasted_paths + 1);
    for (size_t i = 0; i < im->n_wasted_paths; i++) {
        const struct bld_wasted_file *w = &an->wasted[i];
        im->wasted_paths[i] = (struct bld_report_path){ arena_strdup(&r->arena, w->path), w->size,
                                                        w->layer, w->removed, w->overwritten };
    }
    /* Steps come in build order and so do the final stage's layers: each
     * step takes the first matching layer after the last one taken, so two
     * steps with identical layers (empty ones, say) get one each. */
    size_t next = 0;
    for (size_t i = 0; i < r->steps.len; i++) {
        struct bld_report_step *st = &r->steps.items[i];
        if (!st->has_layer)
            continue;
        st->layer.index = -1;
        for (size_t j = next; j < an->n_layers; j++) {
            if (same_layer(&st->layer, &an->layers[j])) {
                copy_stats(&st->layer, &an->layers[j]);
                st->layer.index = (int64_t)j;
                next = j + 1;
                break;
            }
        }
    }
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *json_u64(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

static json_t *json_digest(bool has, const struct bld_digest *d)
{
    if (!has)
        return json_null();
    char s[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(d, s);
    return json_string(s);
}

/* The length of the valid UTF-8 sequence at p (at most left bytes), or 0:
 * no overlong forms, surrogates or code points above U+10FFFF, the
 * sequences jansson refuses. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (left < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A JSON string of s. jansson takes UTF-8 only, and file names and
 * Dockerfiles may hold anything: each byte that is not part of a valid
 * sequence becomes '?'. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *copy = xmalloc(n + 1);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len((const unsigned char *)s + i, n - i);
        if (k == 0) {
            copy[i++] = '?';
            continue;
        }
        memcpy(copy + i, s + i, k);
        i += k;
    }
    copy[n] = '\0';
    j = json_string(copy);
    free(copy);
    return j;
}

/* A ratio, or null when it is not a number JSON can hold. */
static json_t *json_ratio(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Seconds to whole milliseconds (without libm, which the module does not
 * link); times are never negative. */
static double millis(double s)
{
    if (!(s > 0) || !isfinite(s))
        return 0;
    if (s > 1e12)
        return s;
    return (double)(int64_t)(s * 1000.0 + 0.5) / 1000.0;
}

static void totals(const struct bld_report *r, size_t *hits, double *seconds)
{
    *hits = 0;
    *seconds = 0;
    for (size_t i = 0; i < r->steps.len; i++) {
        *hits += r->steps.items[i].cache == BLD_CACHE_HIT;
        *seconds += r->steps.items[i].seconds;
    }
}

static json_t *layer_json(const struct bld_report_layer *l)
{
    json_t *o = json_object();
    json_object_set_new(o, "digest", json_digest(l->has_digest, &l->digest));
    json_object_set_new(o, "size", json_u64(l->size));
    json_object_set_new(o, "compressed_size", json_u64(l->compressed_size));
    json_object_set_new(o, "files", json_u64(l->files));
    json_object_set_new(o, "wasted_bytes", json_u64(l->wasted_bytes));
    json_object_set_new(o, "diff_id", json_digest(l->has_diff_id, &l->diff_id));
    json_object_set_new(o, "index", l->index >= 0 ? json_integer(l->index) : json_null());
    json_object_set_new(o, "tar_size", json_u64(l->tar_size));
    json_object_set_new(o, "whiteouts", json_u64(l->whiteouts));
    json_object_set_new(o, "removed_bytes", json_u64(l->removed_bytes));
    return o;
}

static json_t *image_json(const struct bld_report_image *im)
{
    json_t *o = json_object();
    json_object_set_new(o, "digest", json_digest(im->has_digest, &im->digest));
    json_object_set_new(o, "size", json_u64(im->size));
    json_object_set_new(o, "compressed_size", json_u64(im->compressed_size));
    json_object_set_new(o, "layers", json_u64(im->layers));
    json_object_set_new(o, "wasted_bytes", json_u64(im->wasted_bytes));
    json_object_set_new(o, "efficiency", json_ratio(im->efficiency));
    json_object_set_new(o, "tar_size", json_u64(im->tar_size));
    json_object_set_new(o, "live_bytes", json_u64(im->live_bytes));
    json_object_set_new(o, "rewritten_live_bytes", json_u64(im->rewritten_live_bytes));
    json_t *dive = json_object();
    json_object_set_new(dive, "efficiency", json_ratio(im->dive_efficiency));
    json_object_set_new(dive, "wasted_bytes", json_u64(im->dive_wasted_bytes));
    json_object_set_new(dive, "user_size_bytes", json_u64(im->dive_user_size_bytes));
    json_object_set_new(dive, "wasted_user_percent", json_ratio(im->dive_wasted_user_percent));
    json_object_set_new(o, "dive", dive);
    json_t *paths = json_array();
    for (size_t i = 0; i < im->n_wasted_paths; i++) {
        const struct bld_report_path *p = &im->wasted_paths[i];
        json_array_append_new(paths,
                              json_pack("{s:o,s:o,s:I,s:I,s:s}", "path", json_text(p->path), "size",
                                        json_u64(p->size), "layer", (json_int_t)p->layer,
                                        "removed_by", (json_int_t)p->removed, "how",
                                        p->overwritten ? "overwritten" : "deleted"));
    }
    json_object_set_new(o, "wasted_paths", paths);
    return o;
}

int bld_report_write_json(const struct bld_report *r, struct buf *out, struct err *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "version", json_integer(BLD_REPORT_VERSION));
    json_object_set_new(root, "image", r->has_image ? image_json(&r->image) : json_null());
    json_t *steps = json_array();
    for (size_t i = 0; i < r->steps.len; i++) {
        const struct bld_report_step *st = &r->steps.items[i];
        json_t *o = json_object();
        json_object_set_new(o, "stage", json_text(st->stage));
        json_object_set_new(o, "line", json_integer(st->line));
        json_object_set_new(o, "instruction", json_text(st->instruction));
        json_object_set_new(o, "cache", json_string(st->cache == BLD_CACHE_HIT ? "hit" : "miss"));
        /* Milliseconds are all a wall time means here, and they print
         * without binary noise. */
        json_object_set_new(o, "seconds", json_real(millis(st->seconds)));
        json_object_set_new(o, "layer", st->has_layer ? layer_json(&st->layer) : json_null());
        json_array_append_new(steps, o);
    }
    json_object_set_new(root, "steps", steps);
    size_t hits;
    double seconds;
    totals(r, &hits, &seconds);
    json_object_set_new(root, "totals",
                        json_pack("{s:I,s:I,s:I,s:f}", "steps", (json_int_t)r->steps.len,
                                  "cache_hits", (json_int_t)hits, "cache_misses",
                                  (json_int_t)(r->steps.len - hits), "seconds", millis(seconds)));
    /* Fifteen digits: every double read back prints the same again. */
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!s)
        return err_set(err, ERR_INTERNAL, "cannot serialise the build report");
    int rc = buf_append_cstr(out, s) || buf_append_char(out, '\n')
                 ? err_set(err, ERR_TOO_LARGE, "build report too large")
                 : 0;
    free(s);
    return rc;
}

int bld_report_save(const struct bld_report *r, const char *path, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = bld_report_write_json(r, &b, err);
    if (!rc)
        rc = file_write_atomic(path, buf_cstr(&b), b.len, 0644, err);
    buf_release(&b);
    return rc;
}

/* Reading: each getter names the member in its error ("steps[2].cache"). */
struct reader {
    const char *what;
    struct err *err;
    char where[96];
};

static int bad(struct reader *rd, const char *key, const char *expected)
{
    return err_set(rd->err, ERR_INVALID, "build report '%s': %s%s%s: expected %s", rd->what,
                   rd->where, *rd->where ? "." : "", key, expected);
}

static int get_u64(struct reader *rd, json_t *o, const char *key, bool required, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v && !required)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return bad(rd, key, "a non-negative integer");
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_ratio(struct reader *rd, json_t *o, const char *key, bool required, double *out)
{
    json_t *v = json_object_get(o, key);
    if (!v && !required)
        return 0;
    if (json_is_null(v)) {
        *out = INFINITY;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) < 0)
        return bad(rd, key, "a non-negative number or null");
    *out = json_number_value(v);
    return 0;
}

static int get_digest(struct reader *rd, json_t *o, const char *key, bool required, bool *has,
                      struct bld_digest *out)
{
    json_t *v = json_object_get(o, key);
    *has = false;
    if ((!v && !required) || json_is_null(v))
        return 0;
    struct err e;
    if (!json_is_string(v) || bld_digest_parse(json_string_value(v), out, &e) != 0)
        return bad(rd, key, "a digest (\"sha256:\" and 64 hex digits) or null");
    *has = true;
    return 0;
}

static int get_str(struct reader *rd, struct arena *a, json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return bad(rd, key, "a string");
    *out = arena_strndup(a, json_string_value(v), json_string_length(v));
    return 0;
}

static int read_layer(struct reader *rd, json_t *o, struct bld_report_layer *l)
{
    memset(l, 0, sizeof *l);
    l->index = -1;
    int rc = get_digest(rd, o, "digest", true, &l->has_digest, &l->digest);
    if (!rc)
        rc = get_u64(rd, o, "size", true, &l->size);
    if (!rc)
        rc = get_u64(rd, o, "compressed_size", true, &l->compressed_size);
    if (!rc)
        rc = get_u64(rd, o, "files", true, &l->files);
    if (!rc)
        rc = get_u64(rd, o, "wasted_bytes", true, &l->wasted_bytes);
    if (!rc)
        rc = get_digest(rd, o, "diff_id", false, &l->has_diff_id, &l->diff_id);
    json_t *ix = json_object_get(o, "index");
    if (!rc && ix && !json_is_null(ix)) {
        if (!json_is_integer(ix) || json_integer_value(ix) < 0)
            return bad(rd, "index", "a non-negative integer or null");
        l->index = json_integer_value(ix);
    }
    if (!rc)
        rc = get_u64(rd, o, "tar_size", false, &l->tar_size);
    if (!rc)
        rc = get_u64(rd, o, "whiteouts", false, &l->whiteouts);
    if (!rc)
        rc = get_u64(rd, o, "removed_bytes", false, &l->removed_bytes);
    return rc;
}

static int read_image(struct reader *rd, struct bld_report *r, json_t *o)
{
    struct bld_report_image *im = &r->image;
    memset(im, 0, sizeof *im);
    int rc = get_digest(rd, o, "digest", true, &im->has_digest, &im->digest);
    if (!rc)
        rc = get_u64(rd, o, "size", true, &im->size);
    if (!rc)
        rc = get_u64(rd, o, "compressed_size", true, &im->compressed_size);
    if (!rc)
        rc = get_u64(rd, o, "layers", true, &im->layers);
    if (!rc)
        rc = get_u64(rd, o, "wasted_bytes", true, &im->wasted_bytes);
    if (!rc)
        rc = get_ratio(rd, o, "efficiency", true, &im->efficiency);
    if (!rc)
        rc = get_u64(rd, o, "tar_size", false, &im->tar_size);
    if (!rc)
        rc = get_u64(rd, o, "live_bytes", false, &im->live_bytes);
    if (!rc)
        rc = get_u64(rd, o, "rewritten_live_bytes", false, &im->rewritten_live_bytes);
    if (rc)
        return rc;
    im->dive_efficiency = 1.0;
    json_t *dive = json_object_get(o, "dive");
    if (dive && !json_is_null(dive)) {
        if (!json_is_object(dive))
            return bad(rd, "dive", "an object");
        snprintf(rd->where, sizeof rd->where, "image.dive");
        rc = get_ratio(rd, dive, "efficiency", true, &im->dive_efficiency);
        if (!rc)
            rc = get_u64(rd, dive, "wasted_bytes", true, &im->dive_wasted_bytes);
        if (!rc)
            rc = get_u64(rd, dive, "user_size_bytes", true, &im->dive_user_size_bytes);
        if (!rc)
            rc = get_ratio(rd, dive, "wasted_user_percent", true, &im->dive_wasted_user_percent);
        if (rc)
            return rc;
    }
    json_t *paths = json_object_get(o, "wasted_paths");
    if (!paths || json_is_null(paths))
        return 0;
    snprintf(rd->where, sizeof rd->where, "image");
    if (!json_is_array(paths))
        return bad(rd, "wasted_paths", "an array");
    size_t n = json_array_size(paths);
    im->wasted_paths = ARENA_NEW_ARRAY(&r->arena, struct bld_report_path, n + 1);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(paths, i);
        snprintf(rd->where, sizeof rd->where, "image.wasted_paths[%zu]", i);
        if (!json_is_object(p))
            return err_set(rd->err, ERR_INVALID, "build report '%s': %s: expected an object",
                           rd->what, rd->where);
        struct bld_report_path *w = &im->wasted_paths[i];
        uint64_t layer = 0, removed = 0;
        rc = get_str(rd, &r->arena, p, "path", &w->path);
        if (!rc)
            rc = get_u64(rd, p, "size", true, &w->size);
        if (!rc)
            rc = get_u64(rd, p, "layer", true, &layer);
        if (!rc)
            rc = get_u64(rd, p, "removed_by", true, &removed);
        if (rc)
            return rc;
        if (layer > UINT32_MAX || removed > UINT32_MAX)
            return bad(rd, "layer", "a layer index");
        w->layer = (uint32_t)layer;
        w->removed = (uint32_t)removed;
        json_t *how = json_object_get(p, "how");
        w->overwritten = json_is_string(how) && strcmp(json_string_value(how), "overwritten") == 0;
        im->n_wasted_paths = i + 1;
    }
    return 0;
}

static int read_step(struct reader *rd, struct bld_report *r, json_t *o, size_t i)
{
    snprintf(rd->where, sizeof rd->where, "steps[%zu]", i);
    if (!json_is_object(o))
        return err_set(rd->err, ERR_INVALID, "build report '%s': %s: expected an object", rd->what,
                       rd->where);
    const char *stage = "", *instruction = "";
    uint64_t line = 0;
    double seconds;
    int rc = get_str(rd, &r->arena, o, "stage", &stage);
    if (!rc)
        rc = get_u64(rd, o, "line", true, &line);
    if (!rc && line > UINT32_MAX)
        rc = bad(rd, "line", "a line number");
    if (!rc)
        rc = get_str(rd, &r->arena, o, "instruction", &instruction);
    if (rc)
        return rc;
    json_t *cache = json_object_get(o, "cache");
    const char *cs = json_is_string(cache) ? json_string_value(cache) : "";
    if (strcmp(cs, "hit") != 0 && strcmp(cs, "miss") != 0)
        return bad(rd, "cache", "\"hit\" or \"miss\"");
    json_t *sec = json_object_get(o, "seconds");
    if (!json_is_number(sec) || json_number_value(sec) < 0)
        return bad(rd, "seconds", "a non-negative number");
    seconds = json_number_value(sec);
    struct bld_report_step *st = VEC_PUSH_ZERO(&r->steps);
    st->stage = stage;
    st->line = (uint32_t)line;
    st->instruction = instruction;
    st->cache = strcmp(cs, "hit") == 0 ? BLD_CACHE_HIT : BLD_CACHE_MISS;
    st->seconds = seconds;
    st->layer.index = -1;
    json_t *layer = json_object_get(o, "layer");
    if (!layer)
        return bad(rd, "layer", "an object or null");
    if (json_is_null(layer))
        return 0;
    if (!json_is_object(layer))
        return bad(rd, "layer", "an object or null");
    snprintf(rd->where, sizeof rd->where, "steps[%zu].layer", i);
    st->has_layer = true;
    return read_layer(rd, layer, &st->layer);
}

int bld_report_parse_json(const char *json, size_t len, const char *what, struct bld_report *r,
                          struct err *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        err_set(err, ERR_SYNTAX, "%s", je.text);
        err_at(err, what, je.line > 0 ? (uint32_t)je.line : 0,
               je.column > 0 ? (uint32_t)je.column : 0);
        return ERR_SYNTAX;
    }
    struct reader rd = { what, err, "" };
    int rc = 0;
    json_t *version = json_object_get(root, "version");
    if (!json_is_object(root)) {
        rc = err_set(err, ERR_INVALID, "build report '%s': expected a JSON object", what);
    } else if (!json_is_integer(version)) {
        rc = bad(&rd, "version", "an integer");
    } else if (json_integer_value(version) != BLD_REPORT_VERSION) {
        rc = err_set(err, ERR_UNSUPPORTED,
                     "build report '%s': version %lld is not supported (this dockwright reads "
                     "version %d)",
                     what, (long long)json_integer_value(version), BLD_REPORT_VERSION);
    }
    json_t *image = rc ? NULL : json_object_get(root, "image");
    if (!rc && image && !json_is_null(image)) {
        snprintf(rd.where, sizeof rd.where, "image");
        if (!json_is_object(image)) {
            rd.where[0] = '\0';
            rc = bad(&rd, "image", "an object or null");
        } else {
            rc = read_image(&rd, r, image);
            r->has_image = rc == 0;
        }
    }
    json_t *steps = rc ? NULL : json_object_get(root, "steps");
    if (!rc && !json_is_array(steps)) {
        rd.where[0] = '\0';
        rc = bad(&rd, "steps", "an array");
    }
    for (size_t i = 0; !rc && i < json_array_size(steps); i++)
        rc = read_step(&rd, r, json_array_get(steps, i), i);
    json_decref(root);
    return rc;
}

int bld_report_load(const char *path, struct bld_report *r, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = file_read_all(path, BLD_REPORT_MAX_BYTES, &b, err);
    if (!rc)
        rc = bld_report_parse_json(buf_cstr(&b), b.len, path, r, err);
    buf_release(&b);
    return rc;
}

/* ---- the table ----------------------------------------------------------- */

const char *bld_human_size(uint64_t n, char out[BLD_HUMAN_SIZE_MAX])
{
    static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
    if (n < 1000) {
        snprintf(out, BLD_HUMAN_SIZE_MAX, "%u B", (unsigned)n);
        return out;
    }
    double v = (double)n;
    size_t u = 0;
    while (v >= 1000.0 && u + 1 < DW_ARRAY_LEN(units)) {
        v /= 1000.0;
        u++;
    }
    /* 999.7 kB would print as "1000 kB": carry it to the next unit. */
    if (v >= 999.5 && u + 1 < DW_ARRAY_LEN(units)) {
        v /= 1000.0;
        u++;
    }
    int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    snprintf(out, BLD_HUMAN_SIZE_MAX, "%.*f %s", decimals, v, units[u]);
    return out;
}

/* Characters a cell takes on the terminal: UTF-8 continuation bytes take
 * none. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The instruction on one line: whitespace runs become one space, control
 * characters '?', and text past width characters is cut with "...". */
static const char *one_line(struct arena *a, const char *s, size_t width)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + 4);
    size_t len = 0, chars = 0, cut = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = len > 0;
            continue;
        }
        if (space) {
            out[len++] = ' ';
            chars++;
            space = false;
        }
        bool starts_char = (c & 0xC0) != 0x80;
        if (starts_char && chars + 3 <= width)
            cut = len;
        out[len++] = (char)(c < 0x20 || c == 0x7F ? '?' : c);
        chars += starts_char;
    }
    if (chars > width && width >= 3) {
        while (cut > 0 && out[cut - 1] == ' ')
            cut--;
        memcpy(out + cut, "...", 3);
        len = cut + 3;
    }
    out[len] = '\0';
    return out;
}

enum col {
    C_STEP,
    C_STAGE,
    C_LINE,
    C_INSTR,
    C_CACHE,
    C_TIME,
    C_LAYER,
    C_SIZE,
    C_COMP,
    C_FILES,
    C_WASTED,
    N_COLS
};

static const char *const col_names[N_COLS] = { "STEP",       "STAGE", "LINE",  "INSTRUCTION",
                                               "CACHE",      "TIME",  "LAYER", "SIZE",
                                               "COMPRESSED", "FILES", "WASTED" };
/* Numbers are right-aligned, text left-aligned. */
static const bool col_right[N_COLS] = { false, false, true, false, false, true,
                                        true,  true,  true, true,  true };

static const char *size_cell(struct arena *a, uint64_t n)
{
    char s[BLD_HUMAN_SIZE_MAX];
    return arena_strdup(a, bld_human_size(n, s));
}

static const char *seconds_cell(struct arena *a, double s)
{
    return arena_printf(a, "%.1fs", s);
}

static int put_row(struct buf *out, const char *const *cells, const size_t *widths,
                   const bool *hidden)
{
    size_t len0 = out->len;
    bool first = true;
    for (int c = 0; c < N_COLS; c++) {
        if (hidden[c])
            continue;
        size_t pad = widths[c] - text_width(cells[c]);
        if (!first && buf_append_cstr(out, "  "))
            return ERR_TOO_LARGE;
        first = false;
        if (col_right[c])
            for (size_t k = 0; k < pad; k++)
                if (buf_append_char(out, ' '))
                    return ERR_TOO_LARGE;
        if (buf_append_cstr(out, cells[c]))
            return ERR_TOO_LARGE;
        if (!col_right[c] && c + 1 < N_COLS)
            for (size_t k = 0; k < pad; k++)
                if (buf_append_char(out, ' '))
                    return ERR_TOO_LARGE;
    }
    /* No trailing blanks, whatever the last cells were. */
    while (out->len > len0 && out->data[out->len - 1] == ' ')
        out->len--;
    out->data[out->len] = '\0';
    return buf_append_char(out, '\n');
}

static const char *percent(struct arena *a, double ratio)
{
    return isfinite(ratio) ? arena_printf(a, "%.1f%%", ratio * 100.0) : "n/a";
}

static int image_lines(const struct bld_report *r, const struct bld_report_table_opts *opts,
                       struct arena *a, struct buf *out)
{
    const struct bld_report_image *im = &r->image;
    char sz[BLD_HUMAN_SIZE_MAX], cz[BLD_HUMAN_SIZE_MAX], wz[BLD_HUMAN_SIZE_MAX],
        dz[BLD_HUMAN_SIZE_MAX], uz[BLD_HUMAN_SIZE_MAX];
    char digest[BLD_DIGEST_STR_LEN + 1] = "";
    if (im->has_digest)
        bld_digest_string(&im->digest, digest);
    int rc = buf_printf(out,
                        "\nimage %.19s%s%llu layer%s, %s, %s compressed; wasted %s, "
                        "efficiency %s\n",
                        digest, im->has_digest ? ": " : "", (unsigned long long)im->layers,
                        im->layers == 1 ? "" : "s", bld_human_size(im->size, sz),
                        bld_human_size(im->compressed_size, cz),
                        bld_human_size(im->wasted_bytes, wz), percent(a, im->efficiency));
    if (!rc)
        rc = buf_printf(out, "dive  efficiency %s, wasted %s, user size %s, wasted/user %s\n",
                        percent(a, im->dive_efficiency), bld_human_size(im->dive_wasted_bytes, dz),
                        bld_human_size(im->dive_user_size_bytes, uz),
                        percent(a, im->dive_wasted_user_percent));
    size_t n = im->n_wasted_paths < opts->max_paths ? im->n_wasted_paths : opts->max_paths;
    if (rc || n == 0)
        return rc;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(bld_human_size(im->wasted_paths[i].size, sz));
        w = k > w ? k : w;
    }
    rc = buf_printf(out, "wasted files (largest %zu):\n", n);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct bld_report_path *p = &im->wasted_paths[i];
        rc = buf_printf(out, "  %*s  %s  (layer %u, %s in layer %u)\n", (int)w,
                        bld_human_size(p->size, sz), one_line(a, p->path, SIZE_MAX), p->layer + 1,
                        p->overwritten ? "overwritten" : "deleted", p->removed + 1);
    }
    return rc;
}

int bld_report_write_table(const struct bld_report *r, const struct bld_report_table_opts *opts,
                           struct buf *out, struct err *err)
{
    struct bld_report_table_opts defaults = { 0, 0, false };
    if (!opts)
        opts = &defaults;
    size_t iw = opts->instruction_width ? opts->instruction_width : 48;
    if (iw < 8)
        iw = 8; /* room for a word and "..." */
    struct arena a;
    arena_init(&a);
    size_t rows = r->steps.len + 2; /* header, steps, totals */
    const char **cells = ARENA_NEW_ARRAY(&a, const char *, rows *N_COLS);
    for (int c = 0; c < N_COLS; c++)
        cells[c] = col_names[c];
    uint64_t size = 0, comp = 0, files = 0, wasted = 0;
    for (size_t i = 0; i < r->steps.len; i++) {
        const struct bld_report_step *st = &r->steps.items[i];
        const char **row = cells + (i + 1) * N_COLS;
        row[C_STEP] = arena_printf(&a, "%zu", i + 1);
        row[C_STAGE] = one_line(&a, st->stage, 24);
        row[C_LINE] = arena_printf(&a, "%u", st->line);
        row[C_INSTR] = one_line(&a, st->instruction, iw);
        row[C_CACHE] = st->cache == BLD_CACHE_HIT ? "hit" : "miss";
        row[C_TIME] = seconds_cell(&a, st->seconds);
        if (st->has_layer) {
            const struct bld_report_layer *l = &st->layer;
            row[C_LAYER] = l->index >= 0 ? arena_printf(&a, "%lld", (long long)l->index + 1) : "-";
            row[C_SIZE] = size_cell(&a, l->size);
            row[C_COMP] = size_cell(&a, l->compressed_size);
            row[C_FILES] = arena_printf(&a, "%llu", (unsigned long long)l->files);
            row[C_WASTED] = size_cell(&a, l->wasted_bytes);
            size += l->size;
            comp += l->compressed_size;
            files += l->files;
            wasted += l->wasted_bytes;
        } else {
            row[C_LAYER] = row[C_SIZE] = row[C_COMP] = row[C_FILES] = row[C_WASTED] = "-";
        }
    }
    size_t hits;
    double seconds;
    totals(r, &hits, &seconds);
    const char **row = cells + (rows - 1) * N_COLS;
    row[C_STEP] = "total";
    row[C_STAGE] = row[C_LINE] = row[C_INSTR] = row[C_LAYER] = "";
    row[C_CACHE] = arena_printf(&a, "%zu/%zu", hits, r->steps.len);
    row[C_TIME] = seconds_cell(&a, seconds);
    row[C_SIZE] = size_cell(&a, size);
    row[C_COMP] = size_cell(&a, comp);
    row[C_FILES] = arena_printf(&a, "%llu", (unsigned long long)files);
    row[C_WASTED] = size_cell(&a, wasted);
    size_t widths[N_COLS] = { 0 };
    for (size_t i = 0; i < rows; i++)
        for (int c = 0; c < N_COLS; c++) {
            size_t w = text_width(cells[i * N_COLS + c]);
            widths[c] = w > widths[c] ? w : widths[c];
        }
    bool hidden[N_COLS] = { false };
    if (opts->history)
        hidden[C_STAGE] = hidden[C_LINE] = hidden[C_CACHE] = hidden[C_TIME] = true;
    int rc = 0;
    for (size_t i = 0; !rc && i < rows; i++)
        rc = put_row(out, cells + i * N_COLS, widths, hidden);
    if (!rc && r->has_image)
        rc = image_lines(r, opts, &a, out);
    arena_release(&a);
    return rc ? err_set(err, ERR_TOO_LARGE, "build report table too large") : 0;
}
