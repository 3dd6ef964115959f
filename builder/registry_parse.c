/* The registry client's parsers, free of any network: image references,
 * WWW-Authenticate challenges, auth files and manifest media types. Each
 * takes untrusted text and is fuzzed (tests/fuzz/fuzz_registry_*.c). */
#include "builder/registry.h"

#include "common/buf.h"
#include "common/fileio.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- references ------------------------------------------------------- */

/* The distribution reference grammar caps the name (domain and path). */
#define REF_NAME_MAX 255

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
    return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* A path component: lower-case alphanumeric runs joined by one '.', one or
 * two '_', or any number of '-'. */
static bool path_component_ok(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (!lower_alnum(p[i]))
            return false;
        while (i < n && lower_alnum(p[i]))
            i++;
        if (i == n)
            return true;
        if (p[i] == '.')
            i++;
        else if (p[i] == '_')
            i += i + 1 < n && p[i + 1] == '_' ? 2 : 1;
        else if (p[i] == '-')
            while (i < n && p[i] == '-')
                i++;
        else
            return false;
        if (i == n)
            return false;
    }
    return n > 0;
}

static bool path_ok(const char *p, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '/') {
            if (!path_component_ok(p + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* host[:port], the host being dot-separated labels or a bracketed IPv6
 * address. */
static bool domain_ok(const char *d, size_t n)
{
    size_t host = n;
    if (n && d[0] == '[') {
        const char *close = memchr(d, ']', n);
        if (!close || close - d < 2)
            return false;
        host = (size_t)(close - d) + 1;
        for (size_t i = 1; i + 1 < host; i++)
            if (!(alnum(d[i]) && strchr("0123456789abcdefABCDEF", d[i])) && d[i] != ':')
                return false;
    } else {
        const char *colon = memchr(d, ':', n);
        if (colon)
            host = (size_t)(colon - d);
        size_t start = 0;
        for (size_t i = 0; i <= host; i++) {
            if (i < host && d[i] != '.') {
                if (!alnum(d[i]) && d[i] != '-')
                    return false;
                continue;
            }
            if (i == start || d[start] == '-' || d[i - 1] == '-')
                return false;
            start = i + 1;
        }
    }
    if (host == n)
        return host > 0;
    if (d[host] != ':' || host + 1 == n)
        return false;
    for (size_t i = host + 1; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            return false;
    return true;
}

static bool tag_ok(const char *t, size_t n)
{
    if (n == 0 || n > 128 || !(alnum(t[0]) || t[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!alnum(t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
            return false;
    return true;
}

int bld_ref_parse(const char *s, struct arena *a, struct bld_ref *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(s);
    if (len == 0)
        return err_set(err, ERR_INVALID, "invalid reference: empty name");
    if (len > 4096)
        return err_set(err, ERR_INVALID, "invalid reference: longer than 4096 characters");
    size_t name_end = len;
    const char *at = strchr(s, '@');
    if (at) {
        name_end = (size_t)(at - s);
        const char *dg = at + 1;
        struct bld_digest d;
        struct err de;
        int rc = bld_digest_parse(dg, &d, &de);
        if (rc == ERR_UNSUPPORTED)
            return err_set(err, ERR_UNSUPPORTED,
                           "reference '%s': only sha256 digests are supported", s);
        if (rc)
            return err_set(err, ERR_INVALID, "invalid reference '%s': bad digest '%s'", s, dg);
        out->digest = arena_strdup(a, dg);
    }
    /* The tag follows the last ':' after the last '/' ("host:5000/x" has
     * a port, not a tag). */
    size_t path_end = name_end;
    size_t last_slash = 0;
    bool slash = false;
    for (size_t i = 0; i < name_end; i++)
        if (s[i] == '/') {
            last_slash = i;
            slash = true;
        }
    for (size_t i = name_end; i > (slash ? last_slash + 1 : 0); i--) {
        if (s[i - 1] == ':') {
            path_end = i - 1;
            break;
        }
    }
    if (path_end < name_end) {
        const char *tag = s + path_end + 1;
        size_t tn = name_end - path_end - 1;
        if (!tag_ok(tag, tn))
            return err_set(err, ERR_INVALID, "invalid reference '%s': bad tag '%.*s'", s, (int)tn,
                           tag);
        out->tag = arena_strndup(a, tag, tn);
    }
    if (path_end == 0)
        return err_set(err, ERR_INVALID, "invalid reference '%s': empty name", s);
    if (path_end > REF_NAME_MAX)
        return err_set(err, ERR_INVALID, "invalid reference '%s': name longer than %d characters",
                       s, REF_NAME_MAX);
    const char *name = s;
    size_t nn = path_end;
    const char *first = memchr(name, '/', nn);
    const char *domain = "docker.io";
    if (first) {
        size_t hn = (size_t)(first - name);
        bool is_domain = memchr(name, '.', hn) || memchr(name, ':', hn) ||
                         (hn == 9 && memcmp(name, "localhost", 9) == 0);
        for (size_t i = 0; i < hn && !is_domain; i++)
            is_domain = name[i] >= 'A' && name[i] <= 'Z';
        if (is_domain) {
            if (!domain_ok(name, hn))
                return err_set(err, ERR_INVALID, "invalid reference '%s': bad registry '%.*s'", s,
                               (int)hn, name);
            domain = arena_strndup(a, name, hn);
            name = first + 1;
            nn -= hn + 1;
        }
    }
    if (!path_ok(name, nn)) {
        for (size_t i = 0; i < nn; i++)
            if (name[i] >= 'A' && name[i] <= 'Z')
                return err_set(err, ERR_INVALID,
                               "invalid reference '%s': repository name must be lowercase", s);
        return err_set(err, ERR_INVALID, "invalid reference '%s': bad repository name '%.*s'", s,
                       (int)nn, name);
    }
    if (strcmp(domain, "index.docker.io") == 0)
        domain = "docker.io";
    out->domain = domain;
    if (strcmp(domain, "docker.io") == 0 && !memchr(name, '/', nn))
        out->path = arena_printf(a, "library/%.*s", (int)nn, name);
    else
        out->path = arena_strndup(a, name, nn);
    if (!out->tag && !out->digest)
        out->tag = "latest";
    return 0;
}

const char *bld_ref_familiar(const struct bld_ref *r, struct arena *a)
{
    const char *path = r->path;
    const char *domain = "";
    const char *sep = "";
    if (strcmp(r->domain, "docker.io") == 0) {
        if (strncmp(path, "library/", 8) == 0 && !strchr(path + 8, '/'))
            path += 8;
        /* docker.io/foo.bar/x and docker.io/localhost/x keep the domain:
         * without it their first element would read as a registry. */
        const char *slash = strchr(path, '/');
        size_t fn = slash ? (size_t)(slash - path) : 0;
        if (slash && (memchr(path, '.', fn) || (fn == 9 && memcmp(path, "localhost", 9) == 0))) {
            domain = r->domain;
            sep = "/";
        }
    } else {
        domain = r->domain;
        sep = "/";
    }
    return arena_printf(a, "%s%s%s%s%s%s%s", domain, sep, path, r->tag ? ":" : "",
                        r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "");
}

const char *bld_ref_api_host(const struct bld_ref *r)
{
    return strcmp(r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain;
}

const char *bld_ref_manifest_ref(const struct bld_ref *r)
{
    return r->digest ? r->digest : r->tag;
}

/* ---- WWW-Authenticate ------------------------------------------------- */

static bool tchar(char c)
{
    return alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool t68char(char c)
{
    return alnum(c) || (c && strchr("-._~+/", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Skips whitespace and commas (empty list elements are allowed). */
static const char *skip_list_sep(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    return p;
}

/* Reads a quoted string at p (after the opening quote); *end receives the
 * position after the closing quote, NULL when unterminated. */
static char *read_quoted(const char *p, struct arena *a, const char **end)
{
    struct buf b = BUF_INIT;
    char *res = NULL;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        if (buf_append_char(&b, *p))
            break;
        p++;
    }
    if (*p == '"') {
        res = arena_strndup(a, buf_cstr(&b), b.len);
        *end = p + 1;
    } else {
        *end = NULL;
    }
    buf_release(&b);
    return res;
}

int bld_auth_parse(const char *header, struct arena *a, struct bld_auth_challenge *out, size_t max,
                   size_t *n, struct err *err)
{
    *n = 0;
    const char *p = skip_list_sep(header);
    if (!*p)
        return err_set(err, ERR_SYNTAX, "empty WWW-Authenticate header");
    while (*p) {
        const char *s = p;
        while (tchar(*p))
            p++;
        if (p == s)
            return err_set(err, ERR_SYNTAX, "WWW-Authenticate: expected an auth scheme at '%.20s'",
                           s);
        struct bld_auth_challenge ch = { arena_strndup(a, s, (size_t)(p - s)), NULL, NULL, NULL,
                                         NULL };
        if (*p && *p != ' ' && *p != '\t' && *p != ',')
            return err_set(err, ERR_SYNTAX, "WWW-Authenticate: unexpected '%c' after scheme '%s'",
                           *p, ch.scheme);
        p = skip_ws(p);
        /* token68 ("Negotiate abc=="): one token of its characters, then
         * '='s only, then the end or a comma. */
        const char *t = p;
        while (t68char(*t))
            t++;
        if (t > p) {
            const char *e = t;
            while (*e == '=')
                e++;
            const char *after = skip_ws(e);
            if (*after == '\0' || *after == ',') {
                p = after;
                goto next;
            }
        }
        /* auth-params: name = token / quoted-string, separated by commas;
         * a name not followed by '=' starts the next challenge. */
        for (;;) {
            const char *save = p;
            p = skip_list_sep(p);
            const char *ks = p;
            while (tchar(*p))
                p++;
            size_t kn = (size_t)(p - ks);
            const char *q = skip_ws(p);
            if (kn == 0 || *q != '=') {
                if (kn == 0 && *q && *q != ',')
                    return err_set(err, ERR_SYNTAX,
                                   "WWW-Authenticate: expected a parameter at '%.20s'", q);
                p = kn == 0 ? q : save;
                break;
            }
            q = skip_ws(q + 1);
            char *val;
            if (*q == '"') {
                const char *end;
                val = read_quoted(q + 1, a, &end);
                if (!end)
                    return err_set(err, ERR_SYNTAX, "WWW-Authenticate: unterminated quoted string");
                q = end;
            } else {
                const char *vs = q;
                while (tchar(*q))
                    q++;
                if (q == vs)
                    return err_set(err, ERR_SYNTAX,
                                   "WWW-Authenticate: parameter '%.*s' has no value", (int)kn, ks);
                val = arena_strndup(a, vs, (size_t)(q - vs));
            }
            q = skip_ws(q);
            if (*q && *q != ',')
                return err_set(err, ERR_SYNTAX, "WWW-Authenticate: unexpected '%c' after parameter",
                               *q);
            if (kn == 5 && strncasecmp(ks, "realm", 5) == 0)
                ch.realm = val;
            else if (kn == 7 && strncasecmp(ks, "service", 7) == 0)
                ch.service = val;
            else if (kn == 5 && strncasecmp(ks, "scope", 5) == 0)
                ch.scope = val;
            else if (kn == 5 && strncasecmp(ks, "error", 5) == 0)
                ch.error = val;
            p = q;
            if (!*p)
                break;
        }
    next:
        if (*n < max)
            out[(*n)++] = ch;
        p = skip_list_sep(p);
    }
    return 0;
}

/* ---- credentials ------------------------------------------------------ */

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes standard base64 (padding optional) into arena memory, NUL
 * terminated; NULL when malformed. */
static char *b64_decode(const char *s, struct arena *a, size_t *outlen)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return NULL;
    char *out = arena_alloc(a, n * 3 / 4 + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return NULL;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* The host an auths key names: "https://host/v1/" and "host" both give
 * host (length in *hn). */
static const char *key_host(const char *key, size_t *hn)
{
    if (strncmp(key, "https://", 8) == 0)
        key += 8;
    else if (strncmp(key, "http://", 7) == 0)
        key += 7;
    const char *slash = strchr(key, '/');
    *hn = slash ? (size_t)(slash - key) : strlen(key);
    return key;
}

static bool key_matches(const char *key, const char *domain)
{
    size_t hn;
    const char *h = key_host(key, &hn);
    if (strlen(domain) == hn && strncmp(h, domain, hn) == 0)
        return true;
    if (strcmp(domain, "docker.io") == 0) {
        static const char *const hub[] = { "index.docker.io", "registry-1.docker.io" };
        for (size_t i = 0; i < sizeof hub / sizeof hub[0]; i++)
            if (strlen(hub[i]) == hn && strncmp(h, hub[i], hn) == 0)
                return true;
    }
    return false;
}

int bld_creds_parse(const char *json, size_t len, const char *what, const char *domain,
                    struct arena *a, struct bld_creds *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return err_set(err, ERR_SYNTAX, "%s:%d:%d: %s", what, je.line, je.column, je.text);
    int rc = ERR_NOT_FOUND;
    json_t *auths = json_object_get(root, "auths");
    if (!json_is_object(root) || (auths && !json_is_object(auths))) {
        rc = err_set(err, ERR_INVALID, "%s: \"auths\" must be an object", what);
        goto done;
    }
    /* An exact key first, then any URL form of the host. */
    json_t *entry = json_object_get(auths, domain);
    if (!entry) {
        const char *key;
        json_t *v;
        json_object_foreach(auths, key, v)
        {
            if (key_matches(key, domain)) {
                entry = v;
                break;
            }
        }
    }
    if (!entry) {
        rc = err_set(err, ERR_NOT_FOUND, "%s has no credentials for %s", what, domain);
        goto done;
    }
    if (!json_is_object(entry)) {
        rc = err_set(err, ERR_INVALID, "%s: the entry of %s must be an object", what, domain);
        goto done;
    }
    const char *auth = json_string_value(json_object_get(entry, "auth"));
    if (auth && *auth) {
        size_t dn;
        char *dec = b64_decode(auth, a, &dn);
        char *colon = dec ? memchr(dec, ':', dn) : NULL;
        if (!colon || strlen(dec) != dn) {
            rc = err_set(err, ERR_INVALID,
                         "%s: the \"auth\" of %s is not base64 of \"user:password\"", what, domain);
            goto done;
        }
        *colon = '\0';
        out->user = dec;
        out->password = colon + 1;
        rc = 0;
        goto done;
    }
    const char *u = json_string_value(json_object_get(entry, "username"));
    const char *p = json_string_value(json_object_get(entry, "password"));
    if (u && p) {
        out->user = arena_strdup(a, u);
        out->password = arena_strdup(a, p);
        rc = 0;
    } else {
        rc = err_set(err, ERR_NOT_FOUND, "%s has no credentials for %s", what, domain);
    }
done:
    json_decref(root);
    return rc;
}

int bld_creds_lookup(const char *domain, struct arena *a, struct bld_creds *out, struct err *err)
{
    const char *paths[3];
    size_t np = 0;
    const char *f = getenv("REGISTRY_AUTH_FILE");
    if (f && *f)
        paths[np++] = f;
    const char *dc = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    if (dc && *dc)
        paths[np++] = arena_printf(a, "%s/config.json", dc);
    else if (home && *home)
        paths[np++] = arena_printf(a, "%s/.docker/config.json", home);
    for (size_t i = 0; i < np; i++) {
        struct buf b = BUF_INIT;
        struct err fe;
        if (file_read_all(paths[i], (size_t)4 << 20, &b, &fe) != 0) {
            buf_release(&b);
            if (fe.code == ERR_IO && fe.sys_errno == ENOENT)
                continue;
            *err = fe;
            return fe.code;
        }
        int rc = bld_creds_parse(buf_cstr(&b), b.len, paths[i], domain, a, out, err);
        buf_release(&b);
        if (rc != ERR_NOT_FOUND)
            return rc;
    }
    return err_set(err, ERR_NOT_FOUND, "no credentials for %s", domain);
}

/* ---- manifest media types --------------------------------------------- */

static const char *const known_types[] = {
    BLD_MT_OCI_INDEX,
    BLD_MT_DOCKER_LIST,
    BLD_MT_OCI_MANIFEST,
    BLD_MT_DOCKER_MANIFEST,
};

/* The known type equal to s[0, n) ignoring case, or NULL. */
static const char *known_type(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof known_types / sizeof known_types[0]; i++)
        if (strlen(known_types[i]) == n && strncasecmp(known_types[i], s, n) == 0)
            return known_types[i];
    return NULL;
}

static bool is_schema1(const char *s, size_t n)
{
    static const char v1[] = "application/vnd.docker.distribution.manifest.v1";
    return n >= sizeof v1 - 1 && strncasecmp(s, v1, sizeof v1 - 1) == 0;
}

int bld_manifest_media_type(const char *content_type, const char *body, size_t len,
                            const char **media_type, struct err *err)
{
    *media_type = NULL;
    if (content_type) {
        const char *ct = skip_ws(content_type);
        size_t n = strcspn(ct, ";");
        while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
            n--;
        const char *k = known_type(ct, n);
        if (k) {
            *media_type = k;
            return 0;
        }
        if (is_schema1(ct, n))
            return err_set(err, ERR_UNSUPPORTED,
                           "Docker schema 1 manifests are not supported (push the image again "
                           "with a current client)");
        bool generic = n == 0 || (n == 16 && strncasecmp(ct, "application/json", n) == 0) ||
                       (n == 10 && strncasecmp(ct, "text/plain", n) == 0) ||
                       (n == 24 && strncasecmp(ct, "application/octet-stream", n) == 0);
        if (!generic)
            return err_set(err, ERR_UNSUPPORTED, "unsupported manifest media type '%.*s'",
                           (int)(n > 200 ? 200 : n), ct);
    }
    json_error_t je;
    json_t *root = body ? json_loadb(body, len, 0, &je) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(err, ERR_INVALID,
                       "the registry returned a manifest that is not a JSON "
                       "object and has no known media type");
    }
    int rc = 0;
    json_t *mt = json_object_get(root, "mediaType");
    const char *s = json_string_value(mt);
    if (s) {
        const char *k = known_type(s, strlen(s));
        if (k)
            *media_type = k;
        else if (is_schema1(s, strlen(s)))
            rc = err_set(err, ERR_UNSUPPORTED, "Docker schema 1 manifests are not supported");
        else
            rc = err_set(err, ERR_UNSUPPORTED, "unsupported manifest media type '%.200s'", s);
    } else if (json_object_get(root, "schemaVersion") &&
               json_integer_value(json_object_get(root, "schemaVersion")) == 1) {
        rc = err_set(err, ERR_UNSUPPORTED, "Docker schema 1 manifests are not supported");
    } else if (json_is_array(json_object_get(root, "manifests"))) {
        *media_type = BLD_MT_OCI_INDEX;
    } else if (json_is_object(json_object_get(root, "config")) &&
               json_is_array(json_object_get(root, "layers"))) {
        *media_type = BLD_MT_OCI_MANIFEST;
    } else {
        rc = err_set(err, ERR_INVALID, "the registry returned a manifest of unknown type");
    }
    json_decref(root);
    return rc;
}
