#include "oci.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- reading ---------------------------------------------------------- */

/* Parses JSON text into a jansson value; duplicate keys are refused because
 * two readers could pick different ones (a known smuggling trick). */
static json_t *load_json(const char *json, size_t len, const char *what, struct err *err)
{
    if (len > BLD_JSON_MAX) {
        err_set(err, ERR_TOO_LARGE, "%s is larger than %zu bytes", what, BLD_JSON_MAX);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        err_set(err, ERR_SYNTAX, "%s is not valid JSON: %s", what, jerr.text);
        err->line = jerr.line > 0 ? (uint32_t)jerr.line : 0;
        err->col = jerr.column > 0 ? (uint32_t)jerr.column : 0;
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        err_set(err, ERR_INVALID, "%s is not a JSON object", what);
        return NULL;
    }
    return root;
}

static int bad_type(struct err *err, const char *what, const char *member, const char *expected)
{
    return err_set(err, ERR_INVALID, "%s: '%s' is not %s", what, member, expected);
}

/* An optional string member; null counts as absent. */
static int get_str(json_t *obj, const char *key, const char *what, struct arena *a,
                   const char **out, struct err *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad_type(err, what, key, "a string");
    *out = arena_strndup(a, json_string_value(v), json_string_length(v));
    return 0;
}

static int get_strs(json_t *obj, const char *key, const char *what, struct arena *a,
                    struct bld_strs *out, struct err *err)
{
    json_t *v = json_object_get(obj, key);
    memset(out, 0, sizeof *out);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return bad_type(err, what, key, "an array of strings");
    size_t n = json_array_size(v);
    out->items = ARENA_NEW_ARRAY(a, const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s))
            return bad_type(err, what, key, "an array of strings");
        out->items[i] = arena_strndup(a, json_string_value(s), json_string_length(s));
    }
    out->len = n;
    out->set = true;
    return 0;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_kv(const void *x, const void *y)
{
    return strcmp(((const struct bld_kv *)x)->key, ((const struct bld_kv *)y)->key);
}

/* An object used as a set ({"80/tcp": {}}): its keys, sorted. */
static int get_set(json_t *obj, const char *key, const char *what, struct arena *a,
                   struct bld_strs *out, struct err *err)
{
    json_t *v = json_object_get(obj, key);
    memset(out, 0, sizeof *out);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad_type(err, what, key, "an object");
    size_t n = json_object_size(v), i = 0;
    out->items = ARENA_NEW_ARRAY(a, const char *, n ? n : 1);
    const char *k;
    json_t *val;
    json_object_foreach(v, k, val) out->items[i++] = arena_strdup(a, k);
    qsort(out->items, n, sizeof *out->items, cmp_cstr);
    out->len = n;
    out->set = true;
    return 0;
}

/* A string-to-string object (annotations, labels), sorted by key. */
static int get_kv(json_t *obj, const char *key, const char *what, struct arena *a,
                  struct bld_kv **out, size_t *count, struct err *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    *count = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad_type(err, what, key, "an object of strings");
    size_t n = json_object_size(v), i = 0;
    struct bld_kv *kv = ARENA_NEW_ARRAY(a, struct bld_kv, n ? n : 1);
    const char *k;
    json_t *val;
    json_object_foreach(v, k, val)
    {
        if (!json_is_string(val))
            return bad_type(err, what, key, "an object of strings");
        kv[i].key = arena_strdup(a, k);
        kv[i].value = arena_strndup(a, json_string_value(val), json_string_length(val));
        i++;
    }
    qsort(kv, n, sizeof *kv, cmp_kv);
    *out = kv;
    *count = n;
    return 0;
}

static int get_int(json_t *obj, const char *key, const char *what, int64_t *out, struct err *err)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return bad_type(err, what, key, "an integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int parse_descriptor(json_t *d, const char *what, struct arena *a,
                            struct bld_descriptor *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(d))
        return err_set(err, ERR_INVALID, "%s is not an object", what);
    int rc = get_str(d, "mediaType", what, a, &out->media_type, err);
    if (rc)
        return rc;
    if (!out->media_type || !*out->media_type)
        return err_set(err, ERR_INVALID, "%s: missing 'mediaType'", what);
    json_t *dg = json_object_get(d, "digest");
    if (!json_is_string(dg))
        return err_set(err, ERR_INVALID, "%s: missing 'digest'", what);
    struct err sub;
    if (bld_digest_parse(json_string_value(dg), &out->digest, &sub) != 0)
        return err_set(err, sub.code, "%s: %s", what, sub.msg);
    json_t *sz = json_object_get(d, "size");
    if (!json_is_integer(sz) || json_integer_value(sz) < 0)
        return err_set(err, ERR_INVALID, "%s: 'size' is missing or not a non-negative integer",
                       what);
    out->size = (int64_t)json_integer_value(sz);
    if ((rc = get_kv(d, "annotations", what, a, &out->annotations, &out->n_annotations, err)))
        return rc;
    json_t *p = json_object_get(d, "platform");
    if (p && !json_is_null(p)) {
        if (!json_is_object(p))
            return bad_type(err, what, "platform", "an object");
        out->platform = ARENA_NEW(a, struct bld_platform);
        if ((rc = get_str(p, "os", what, a, &out->platform->os, err)) ||
            (rc = get_str(p, "architecture", what, a, &out->platform->architecture, err)) ||
            (rc = get_str(p, "variant", what, a, &out->platform->variant, err)))
            return rc;
    }
    return 0;
}

static int check_schema(json_t *root, const char *what, struct err *err)
{
    json_t *v = json_object_get(root, "schemaVersion");
    if (!json_is_integer(v) || json_integer_value(v) != 2)
        return err_set(err, ERR_INVALID, "%s: 'schemaVersion' must be 2", what);
    return 0;
}

int bld_manifest_parse(const char *json, size_t len, const char *what, struct arena *a,
                       struct bld_manifest *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_json(json, len, what, err);
    if (!root)
        return err->code;
    int rc = check_schema(root, what, err);
    if (!rc)
        rc = get_str(root, "mediaType", what, a, &out->media_type, err);
    if (!rc && out->media_type && !bld_media_type_is_manifest(out->media_type))
        rc = err_set(err, ERR_INVALID, "%s: media type '%s' is not an image manifest", what,
                     out->media_type);
    if (!rc) {
        json_t *c = json_object_get(root, "config");
        if (!c)
            rc = err_set(err, ERR_INVALID, "%s: missing 'config'", what);
        else
            rc = parse_descriptor(c, arena_printf(a, "%s: config", what), a, &out->config, err);
    }
    if (!rc) {
        json_t *l = json_object_get(root, "layers");
        if (!json_is_array(l))
            rc = err_set(err, ERR_INVALID, "%s: 'layers' is missing or not an array", what);
        else {
            out->n_layers = json_array_size(l);
            out->layers = ARENA_NEW_ARRAY(a, struct bld_descriptor, out->n_layers + 1);
            for (size_t i = 0; !rc && i < out->n_layers; i++)
                rc = parse_descriptor(json_array_get(l, i),
                                      arena_printf(a, "%s: layer %zu", what, i + 1), a,
                                      &out->layers[i], err);
        }
    }
    if (!rc)
        rc = get_kv(root, "annotations", what, a, &out->annotations, &out->n_annotations, err);
    json_decref(root);
    return rc;
}

int bld_index_parse(const char *json, size_t len, const char *what, struct arena *a,
                    struct bld_index *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_json(json, len, what, err);
    if (!root)
        return err->code;
    int rc = check_schema(root, what, err);
    if (!rc)
        rc = get_str(root, "mediaType", what, a, &out->media_type, err);
    if (!rc && out->media_type && !bld_media_type_is_index(out->media_type))
        rc = err_set(err, ERR_INVALID, "%s: media type '%s' is not an image index", what,
                     out->media_type);
    if (!rc) {
        json_t *m = json_object_get(root, "manifests");
        if (!json_is_array(m))
            rc = err_set(err, ERR_INVALID, "%s: 'manifests' is missing or not an array", what);
        else {
            out->n_manifests = json_array_size(m);
            out->manifests = ARENA_NEW_ARRAY(a, struct bld_descriptor, out->n_manifests + 1);
            for (size_t i = 0; !rc && i < out->n_manifests; i++)
                rc = parse_descriptor(json_array_get(m, i),
                                      arena_printf(a, "%s: manifest %zu", what, i + 1), a,
                                      &out->manifests[i], err);
        }
    }
    if (!rc)
        rc = get_kv(root, "annotations", what, a, &out->annotations, &out->n_annotations, err);
    json_decref(root);
    return rc;
}

static int parse_healthcheck(json_t *h, const char *what, struct arena *a,
                             struct bld_healthcheck **out, struct err *err)
{
    *out = NULL;
    if (!h || json_is_null(h))
        return 0;
    if (!json_is_object(h))
        return bad_type(err, what, "Healthcheck", "an object");
    struct bld_healthcheck *hc = ARENA_NEW(a, struct bld_healthcheck);
    int rc;
    if ((rc = get_strs(h, "Test", what, a, &hc->test, err)) ||
        (rc = get_int(h, "Interval", what, &hc->interval, err)) ||
        (rc = get_int(h, "Timeout", what, &hc->timeout, err)) ||
        (rc = get_int(h, "StartPeriod", what, &hc->start_period, err)) ||
        (rc = get_int(h, "StartInterval", what, &hc->start_interval, err)) ||
        (rc = get_int(h, "Retries", what, &hc->retries, err)))
        return rc;
    *out = hc;
    return 0;
}

static int parse_container_config(json_t *c, const char *what, struct arena *a,
                                  struct bld_container_config *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    if (!c || json_is_null(c))
        return 0;
    if (!json_is_object(c))
        return bad_type(err, what, "config", "an object");
    int rc;
    if ((rc = get_str(c, "User", what, a, &out->user, err)) ||
        (rc = get_str(c, "WorkingDir", what, a, &out->working_dir, err)) ||
        (rc = get_str(c, "StopSignal", what, a, &out->stop_signal, err)) ||
        (rc = get_strs(c, "Env", what, a, &out->env, err)) ||
        (rc = get_strs(c, "Entrypoint", what, a, &out->entrypoint, err)) ||
        (rc = get_strs(c, "Cmd", what, a, &out->cmd, err)) ||
        (rc = get_strs(c, "OnBuild", what, a, &out->on_build, err)) ||
        (rc = get_strs(c, "Shell", what, a, &out->shell, err)) ||
        (rc = get_set(c, "ExposedPorts", what, a, &out->exposed_ports, err)) ||
        (rc = get_set(c, "Volumes", what, a, &out->volumes, err)) ||
        (rc = get_kv(c, "Labels", what, a, &out->labels, &out->n_labels, err)) ||
        (rc =
             parse_healthcheck(json_object_get(c, "Healthcheck"), what, a, &out->healthcheck, err)))
        return rc;
    return 0;
}

int bld_config_parse(const char *json, size_t len, const char *what, struct arena *a,
                     struct bld_image_config *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_json(json, len, what, err);
    if (!root)
        return err->code;
    int rc;
    if ((rc = get_str(root, "created", what, a, &out->created, err)) ||
        (rc = get_str(root, "author", what, a, &out->author, err)) ||
        (rc = get_str(root, "architecture", what, a, &out->architecture, err)) ||
        (rc = get_str(root, "os", what, a, &out->os, err)) ||
        (rc = get_str(root, "variant", what, a, &out->variant, err)) ||
        (rc = parse_container_config(json_object_get(root, "config"), what, a, &out->config, err)))
        goto out;
    json_t *rootfs = json_object_get(root, "rootfs");
    if (!json_is_object(rootfs)) {
        rc = err_set(err, ERR_INVALID, "%s: 'rootfs' is missing or not an object", what);
        goto out;
    }
    json_t *ids = json_object_get(rootfs, "diff_ids");
    if (!json_is_array(ids)) {
        rc = err_set(err, ERR_INVALID, "%s: 'rootfs.diff_ids' is missing or not an array", what);
        goto out;
    }
    out->n_diff_ids = json_array_size(ids);
    out->diff_ids = ARENA_NEW_ARRAY(a, struct bld_digest, out->n_diff_ids + 1);
    for (size_t i = 0; i < out->n_diff_ids; i++) {
        json_t *s = json_array_get(ids, i);
        struct err sub;
        if (!json_is_string(s) || bld_digest_parse(json_string_value(s), &out->diff_ids[i], &sub)) {
            rc = err_set(err, ERR_INVALID, "%s: 'rootfs.diff_ids' entry %zu is not a digest", what,
                         i + 1);
            goto out;
        }
    }
    json_t *hist = json_object_get(root, "history");
    if (hist && !json_is_null(hist)) {
        if (!json_is_array(hist)) {
            rc = bad_type(err, what, "history", "an array");
            goto out;
        }
        out->n_history = json_array_size(hist);
        out->history = ARENA_NEW_ARRAY(a, struct bld_history, out->n_history + 1);
        for (size_t i = 0; i < out->n_history; i++) {
            json_t *h = json_array_get(hist, i);
            struct bld_history *o = &out->history[i];
            if (!json_is_object(h)) {
                rc = bad_type(err, what, "history", "an array of objects");
                goto out;
            }
            if ((rc = get_str(h, "created", what, a, &o->created, err)) ||
                (rc = get_str(h, "created_by", what, a, &o->created_by, err)) ||
                (rc = get_str(h, "author", what, a, &o->author, err)) ||
                (rc = get_str(h, "comment", what, a, &o->comment, err)))
                goto out;
            json_t *e = json_object_get(h, "empty_layer");
            if (e && !json_is_boolean(e)) {
                rc = bad_type(err, what, "history.empty_layer", "a boolean");
                goto out;
            }
            o->empty_layer = e && json_is_true(e);
        }
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* Object construction never fails except on out of memory, which jansson
 * reports as NULL; we treat it like xmalloc does. */
static json_t *must(json_t *v)
{
    if (!v)
        DW_BUG("jansson: out of memory");
    return v;
}

static void put(json_t *obj, const char *key, json_t *v)
{
    if (json_object_set_new(obj, key, must(v)) != 0)
        DW_BUG("jansson: cannot set '%s'", key);
}

static void put_str(json_t *obj, const char *key, const char *s)
{
    if (s)
        put(obj, key, json_string(s));
}

static void put_strs(json_t *obj, const char *key, const struct bld_strs *s)
{
    if (!s->set)
        return;
    json_t *arr = must(json_array());
    for (size_t i = 0; i < s->len; i++)
        json_array_append_new(arr, must(json_string(s->items[i])));
    put(obj, key, arr);
}

static void put_set(json_t *obj, const char *key, const struct bld_strs *s)
{
    if (!s->set)
        return;
    json_t *o = must(json_object());
    for (size_t i = 0; i < s->len; i++)
        put(o, s->items[i], json_object());
    put(obj, key, o);
}

static void put_kv(json_t *obj, const char *key, const struct bld_kv *kv, size_t n)
{
    if (!n)
        return;
    json_t *o = must(json_object());
    for (size_t i = 0; i < n; i++)
        put(o, kv[i].key, json_string(kv[i].value));
    put(obj, key, o);
}

static int put_descriptor(json_t *obj, const char *key, json_t *arr, const struct bld_descriptor *d,
                          struct err *err)
{
    if (!d->media_type)
        return err_set(err, ERR_INVALID, "descriptor without a media type");
    json_t *o = must(json_object());
    char dg[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d->digest, dg);
    put(o, "mediaType", json_string(d->media_type));
    put(o, "digest", json_string(dg));
    put(o, "size", json_integer((json_int_t)d->size));
    put_kv(o, "annotations", d->annotations, d->n_annotations);
    if (d->platform) {
        json_t *p = must(json_object());
        put_str(p, "os", d->platform->os);
        put_str(p, "architecture", d->platform->architecture);
        put_str(p, "variant", d->platform->variant);
        put(o, "platform", p);
    }
    if (arr)
        json_array_append_new(arr, o);
    else
        put(obj, key, o);
    return 0;
}

/* Canonical form: compact, keys sorted, UTF-8 kept as is. */
static int dump(json_t *root, struct buf *out, struct err *err)
{
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!s)
        DW_BUG("jansson: cannot serialise");
    int rc = buf_append_cstr(out, s);
    free(s);
    if (rc)
        return err_set(err, ERR_TOO_LARGE, "JSON object too large");
    return 0;
}

int bld_manifest_write(const struct bld_manifest *m, struct buf *out, struct err *err)
{
    json_t *root = must(json_object());
    put(root, "schemaVersion", json_integer(2));
    put(root, "mediaType", json_string(m->media_type ? m->media_type : BLD_MT_OCI_MANIFEST));
    int rc = put_descriptor(root, "config", NULL, &m->config, err);
    json_t *layers = must(json_array());
    for (size_t i = 0; !rc && i < m->n_layers; i++)
        rc = put_descriptor(NULL, NULL, layers, &m->layers[i], err);
    put(root, "layers", layers);
    put_kv(root, "annotations", m->annotations, m->n_annotations);
    if (rc) {
        json_decref(root);
        return rc;
    }
    return dump(root, out, err);
}

int bld_index_write(const struct bld_index *ix, struct buf *out, struct err *err)
{
    json_t *root = must(json_object());
    put(root, "schemaVersion", json_integer(2));
    put(root, "mediaType", json_string(ix->media_type ? ix->media_type : BLD_MT_OCI_INDEX));
    json_t *arr = must(json_array());
    int rc = 0;
    for (size_t i = 0; !rc && i < ix->n_manifests; i++)
        rc = put_descriptor(NULL, NULL, arr, &ix->manifests[i], err);
    put(root, "manifests", arr);
    put_kv(root, "annotations", ix->annotations, ix->n_annotations);
    if (rc) {
        json_decref(root);
        return rc;
    }
    return dump(root, out, err);
}

int bld_config_write(const struct bld_image_config *c, struct buf *out, struct err *err)
{
    json_t *root = must(json_object());
    put_str(root, "created", c->created);
    put_str(root, "author", c->author);
    put_str(root, "architecture", c->architecture);
    put_str(root, "os", c->os);
    put_str(root, "variant", c->variant);
    const struct bld_container_config *cc = &c->config;
    json_t *cfg = must(json_object());
    put_str(cfg, "User", cc->user);
    put_str(cfg, "WorkingDir", cc->working_dir);
    put_str(cfg, "StopSignal", cc->stop_signal);
    put_strs(cfg, "Env", &cc->env);
    put_strs(cfg, "Entrypoint", &cc->entrypoint);
    put_strs(cfg, "Cmd", &cc->cmd);
    put_strs(cfg, "OnBuild", &cc->on_build);
    put_strs(cfg, "Shell", &cc->shell);
    put_set(cfg, "ExposedPorts", &cc->exposed_ports);
    put_set(cfg, "Volumes", &cc->volumes);
    put_kv(cfg, "Labels", cc->labels, cc->n_labels);
    if (cc->healthcheck) {
        const struct bld_healthcheck *h = cc->healthcheck;
        json_t *ho = must(json_object());
        put_strs(ho, "Test", &h->test);
        if (h->interval)
            put(ho, "Interval", json_integer((json_int_t)h->interval));
        if (h->timeout)
            put(ho, "Timeout", json_integer((json_int_t)h->timeout));
        if (h->start_period)
            put(ho, "StartPeriod", json_integer((json_int_t)h->start_period));
        if (h->start_interval)
            put(ho, "StartInterval", json_integer((json_int_t)h->start_interval));
        if (h->retries)
            put(ho, "Retries", json_integer((json_int_t)h->retries));
        put(cfg, "Healthcheck", ho);
    }
    put(root, "config", cfg);
    json_t *rootfs = must(json_object());
    json_t *ids = must(json_array());
    for (size_t i = 0; i < c->n_diff_ids; i++) {
        char dg[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&c->diff_ids[i], dg);
        json_array_append_new(ids, must(json_string(dg)));
    }
    put(rootfs, "type", json_string("layers"));
    put(rootfs, "diff_ids", ids);
    put(root, "rootfs", rootfs);
    if (c->n_history) {
        json_t *hist = must(json_array());
        for (size_t i = 0; i < c->n_history; i++) {
            const struct bld_history *h = &c->history[i];
            json_t *ho = must(json_object());
            put_str(ho, "created", h->created);
            put_str(ho, "created_by", h->created_by);
            put_str(ho, "author", h->author);
            put_str(ho, "comment", h->comment);
            if (h->empty_layer)
                put(ho, "empty_layer", json_true());
            json_array_append_new(hist, ho);
        }
        put(root, "history", hist);
    }
    return dump(root, out, err);
}

/* ---- small helpers ---------------------------------------------------- */

int bld_layout_check(const char *json, size_t len, const char *what, struct err *err)
{
    json_t *root = load_json(json, len, what, err);
    if (!root)
        return err->code;
    json_t *v = json_object_get(root, "imageLayoutVersion");
    int rc = 0;
    if (!json_is_string(v))
        rc = err_set(err, ERR_INVALID, "%s: missing 'imageLayoutVersion'", what);
    else if (strcmp(json_string_value(v), "1.0.0") != 0)
        rc = err_set(err, ERR_UNSUPPORTED, "%s: unsupported image layout version '%s'", what,
                     json_string_value(v));
    json_decref(root);
    return rc;
}

const char *bld_descriptor_annotation(const struct bld_descriptor *d, const char *key)
{
    for (size_t i = 0; i < d->n_annotations; i++)
        if (strcmp(d->annotations[i].key, key) == 0)
            return d->annotations[i].value;
    return NULL;
}

bool bld_media_type_is_manifest(const char *mt)
{
    return mt && (strcmp(mt, BLD_MT_OCI_MANIFEST) == 0 || strcmp(mt, BLD_MT_DOCKER_MANIFEST) == 0);
}

bool bld_media_type_is_index(const char *mt)
{
    return mt && (strcmp(mt, BLD_MT_OCI_INDEX) == 0 || strcmp(mt, BLD_MT_DOCKER_LIST) == 0);
}

const char *bld_layer_media_type(const char *compression)
{
    if (!compression)
        return BLD_MT_OCI_LAYER;
    if (strcmp(compression, "gzip") == 0)
        return BLD_MT_OCI_LAYER_GZIP;
    if (strcmp(compression, "zstd") == 0)
        return BLD_MT_OCI_LAYER_ZSTD;
    return NULL;
}
