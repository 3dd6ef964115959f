/* The registry client over libcurl: the distribution API's pull and push
 * flows with Docker's token authentication (registry.h).
 *
 * A client talks to one registry for one repository. It first asks
 * GET /v2/ (the "ping"), which tells the scheme that works (HTTPS, or HTTP
 * for local and insecure hosts) and the authentication the registry wants
 * (its WWW-Authenticate challenge). A Bearer challenge sends the client to
 * the realm for a token covering the repository scopes it needs; a Basic
 * challenge takes the user and password of the auth file. A 401 later on
 * (a token that expired, a scope the registry asks for) gets one new
 * token and one retry. */
#include "builder/registry.h"

#include "common/buf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

/* Error bodies and token replies are small; a registry that sends more is
 * cut off there. */
#define SMALL_BODY_MAX ((size_t)1 << 20)
/* Blobs above this are refused whatever their descriptor says. */
#define BLOB_MAX ((uint64_t)64 << 30)
#define DEFAULT_CHUNK ((uint64_t)64 << 20)
#define GET_ATTEMPTS 3

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *bld_registry_host_platform(void)
{
#if defined(__x86_64__)
    return "linux/amd64";
#elif defined(__aarch64__)
    return "linux/arm64";
#elif defined(__i386__)
    return "linux/386";
#elif defined(__arm__)
    return "linux/arm/v7";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return "linux/ppc64le";
#elif defined(__s390x__)
    return "linux/s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    return "linux/riscv64";
#else
    return "linux/amd64";
#endif
}

/* ---- the client --------------------------------------------------------- */

struct client {
    struct arena *a;
    const struct bld_registry_opts *o;
    const char *domain; /* as in references */
    const char *host;   /* API host */
    const char *base;   /* "https://host" or "http://host", set by ping */
    bool insecure;      /* plain HTTP and unverified TLS allowed */
    const char *scopes[2];
    size_t n_scopes;
    struct bld_auth_challenge ch; /* the registry's challenge; scheme NULL: none */
    const char *token;            /* Bearer token */
    struct bld_creds creds;
    bool have_creds;
    CURL *h;
};

struct body_src {
    const char *mem; /* memory body, or NULL */
    int fd;          /* file body when mem is NULL and fd >= 0 */
    uint64_t off, len, pos;
};

struct http_req {
    const char *method; /* GET HEAD PUT POST PATCH */
    const char *url;
    const char *accept, *content_type, *content_range;
    struct body_src body; /* len 0 and no mem: no body */
    bool has_body;
    struct buf *out;           /* 2xx body into this capped buffer, or */
    struct bld_blob_writer *w; /* into this blob writer, at most max bytes */
    uint64_t max;
    bool no_auth; /* send no credentials (the token request sends its own) */
    const char *basic_user, *basic_pass;
};

struct http_resp {
    long status;
    const char *location, *content_type, *docker_digest, *www_auth, *range;
    struct buf errbody; /* non-2xx body, capped */
    uint64_t written;
    bool too_large;
    int write_rc; /* an error from the writer */
    struct err write_err;
    struct arena *a;
};

/* localhost, ::1 or an IPv4 address in 127.0.0.0/8 (four numbers: a name
 * such as "127.example.com" is not local). */
static bool host_is_local(const char *host)
{
    size_t n = strcspn(host, ":");
    if (host[0] == '[')
        return strncmp(host, "[::1]", 5) == 0 && (host[5] == '\0' || host[5] == ':');
    if (n == 9 && strncmp(host, "localhost", 9) == 0)
        return true;
    if (strncmp(host, "127.", 4) != 0)
        return false;
    int parts = 2; /* "127" and the number after its dot */
    size_t digits = 0;
    for (size_t i = 4; i < n; i++) {
        if (host[i] == '.') {
            if (digits == 0)
                return false;
            parts++;
            digits = 0;
        } else if (host[i] >= '0' && host[i] <= '9' && digits < 3) {
            digits++;
        } else {
            return false;
        }
    }
    return parts == 4 && digits > 0;
}

static bool host_listed(const char *host, const char *list, size_t n)
{
    /* "host" covers every port of it; "host:port" that one only. */
    size_t hn = strcspn(host, ":");
    if (host[0] == '[') {
        const char *c = strchr(host, ']');
        hn = c ? (size_t)(c - host) + 1 : strlen(host);
    }
    return (strlen(host) == n && strncmp(host, list, n) == 0) ||
           (hn == n && strncmp(host, list, n) == 0);
}

bool bld_registry_host_insecure(const struct bld_registry_opts *o, const char *host)
{
    if (host_is_local(host))
        return true;
    for (size_t i = 0; o && o->insecure && o->insecure[i]; i++)
        if (host_listed(host, o->insecure[i], strlen(o->insecure[i])))
            return true;
    const char *env = getenv("DOCKWRIGHT_INSECURE_REGISTRIES");
    while (env && *env) {
        size_t n = strcspn(env, ", ");
        if (n && host_listed(host, env, n))
            return true;
        env += n;
        env += strspn(env, ", ");
    }
    return false;
}

/* ---- one HTTP exchange -------------------------------------------------- */

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct http_resp *r = ctx;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or 100 Continue) */
        const char *sp = memchr(p, ' ', len);
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->location = r->content_type = r->docker_digest = r->www_auth = r->range = NULL;
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t kn = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vn = len - kn - 1;
    while (vn && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
        vn--;
    static const struct {
        const char *name;
        size_t off;
    } keep[] = {
        { "location", offsetof(struct http_resp, location) },
        { "content-type", offsetof(struct http_resp, content_type) },
        { "docker-content-digest", offsetof(struct http_resp, docker_digest) },
        { "www-authenticate", offsetof(struct http_resp, www_auth) },
        { "range", offsetof(struct http_resp, range) },
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        if (strlen(keep[i].name) == kn && strncasecmp(keep[i].name, p, kn) == 0) {
            const char **slot = (const char **)(void *)((char *)r + keep[i].off);
            /* Several WWW-Authenticate headers make one list (RFC 9110
             * 5.3); the other headers keep the last value. */
            if (i == 3 && *slot)
                *slot = arena_printf(r->a, "%s, %.*s", *slot, (int)vn, v);
            else
                *slot = arena_strndup(r->a, v, vn);
        }
    }
    return len;
}

struct sink_ctx {
    struct http_resp *resp;
    const struct http_req *req;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct sink_ctx *c = ctx;
    struct http_resp *r = c->resp;
    size_t len = size * n;
    if (r->status < 200 || r->status > 299) {
        /* An error body: kept for its message, the rest dropped. */
        size_t room = SMALL_BODY_MAX - r->errbody.len;
        if (buf_append(&r->errbody, p, len < room ? len : room)) {
            /* capped */
        }
        return len;
    }
    if (c->req->max && r->written + len > c->req->max) {
        r->too_large = true;
        return 0;
    }
    r->written += len;
    if (c->req->w) {
        r->write_rc = bld_blob_writer_write(c->req->w, p, len, &r->write_err);
        return r->write_rc ? 0 : len;
    }
    if (c->req->out && buf_append(c->req->out, p, len)) {
        r->too_large = true;
        return 0;
    }
    return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *ctx)
{
    struct body_src *b = ctx;
    size_t want = size * n;
    if (b->pos >= b->len)
        return 0;
    if (want > b->len - b->pos)
        want = (size_t)(b->len - b->pos);
    if (b->mem) {
        memcpy(p, b->mem + b->off + b->pos, want);
        b->pos += want;
        return want;
    }
    for (;;) {
        ssize_t got = pread(b->fd, p, want, (off_t)(b->off + b->pos));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        b->pos += (uint64_t)got;
        return (size_t)got;
    }
}

static int on_seek(void *ctx, curl_off_t off, int origin)
{
    struct body_src *b = ctx;
    if (origin != SEEK_SET || off < 0 || (uint64_t)off > b->len)
        return CURL_SEEKFUNC_CANTSEEK;
    b->pos = (uint64_t)off;
    return CURL_SEEKFUNC_OK;
}

static bool is_get(const struct http_req *q)
{
    return strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
}

/* Sends one request. Returns 0 with resp filled whatever the status, or a
 * transport error (ERR_IO), ERR_TOO_LARGE, or the writer's error. */
static int http_once(struct client *c, struct http_req *q, struct http_resp *r, bool verify,
                     struct err *err)
{
    memset(r, 0, sizeof *r);
    r->a = c->a;
    buf_init(&r->errbody, SMALL_BODY_MAX);
    CURL *h = c->h;
    curl_easy_reset(h);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    struct sink_ctx sc = { r, q };
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "dockwright");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled transfer fails; a slow large layer does not. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    /* A redirect never downgrades a secure registry's transfer to plain
     * HTTP (blob storage URLs are https); insecure registries may. */
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, c->insecure ? "http,https" : "https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
                     c->insecure ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)
                                 : (long)CURLPROTO_HTTPS);
#endif
    if (!verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    /* Blob GETs are often redirected to storage elsewhere; libcurl sends
     * the Authorization header only to the original host. */
    if (is_get(q)) {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    }
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sc);
    if (q->accept)
        hdr = curl_slist_append(hdr, arena_printf(c->a, "Accept: %s", q->accept));
    if (q->content_type)
        hdr = curl_slist_append(hdr, arena_printf(c->a, "Content-Type: %s", q->content_type));
    if (q->content_range)
        hdr = curl_slist_append(hdr, arena_printf(c->a, "Content-Range: %s", q->content_range));
    if (q->basic_user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, q->basic_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, q->basic_pass ? q->basic_pass : "");
    } else if (!q->no_auth && c->token) {
        hdr = curl_slist_append(hdr, arena_printf(c->a, "Authorization: Bearer %s", c->token));
    } else if (!q->no_auth && c->have_creds && c->ch.scheme &&
               strcasecmp(c->ch.scheme, "basic") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->creds.user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->creds.password);
    }
    hdr = curl_slist_append(hdr, "Expect:");
    if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "PUT") == 0) {
        q->body.pos = 0;
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body.len);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &q->body);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, &q->body);
    } else if (strcmp(q->method, "POST") == 0 || strcmp(q->method, "PATCH") == 0) {
        q->body.pos = 0;
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body.len);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &q->body);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, &q->body);
        if (strcmp(q->method, "PATCH") == 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hdr);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status)
        r->status = status;
    if (cc == CURLE_OK)
        return 0;
    /* A failed exchange keeps no body: callers may return at once. */
    buf_release(&r->errbody);
    if (r->write_rc) {
        *err = r->write_err;
        return r->write_rc;
    }
    if (r->too_large)
        return err_set(err, ERR_TOO_LARGE, "%s %s: response larger than %llu bytes", q->method,
                       q->url, (unsigned long long)q->max);
    return err_set(err, ERR_IO, "%s %s: %s", q->method, q->url,
                   errbuf[0] ? errbuf : curl_easy_strerror(cc));
}

static void resp_release(struct http_resp *r)
{
    buf_release(&r->errbody);
}

/* "STATUS CODE: message" from a distribution error body, else the
 * status alone. */
static const char *status_text(struct client *c, const struct http_resp *r)
{
    json_error_t je;
    json_t *root =
        r->errbody.len ? json_loadb(buf_cstr(&r->errbody), r->errbody.len, 0, &je) : NULL;
    json_t *first = json_array_get(json_object_get(root, "errors"), 0);
    const char *code = json_string_value(json_object_get(first, "code"));
    const char *msg = json_string_value(json_object_get(first, "message"));
    const char *s = code || msg ? arena_printf(c->a, "%ld %s%s%.300s", r->status, code ? code : "",
                                               code && msg ? ": " : "", msg ? msg : "")
                                : arena_printf(c->a, "status %ld", r->status);
    json_decref(root);
    return s;
}

/* ---- authentication ----------------------------------------------------- */

static int url_escape(struct client *c, const char *s, const char **out, struct err *err)
{
    char *e = curl_easy_escape(c->h, s, 0);
    if (!e)
        return err_set(err, ERR_INTERNAL, "cannot escape '%s' for a URL", s);
    *out = arena_strdup(c->a, e);
    curl_free(e);
    return 0;
}

/* Gets a Bearer token from the challenge's realm for the client's scopes
 * (and the challenge's own, when it names another). */
static int fetch_token(struct client *c, const struct bld_auth_challenge *ch, struct err *err)
{
    if (!ch->realm ||
        (strncmp(ch->realm, "https://", 8) != 0 && strncmp(ch->realm, "http://", 7) != 0))
        return err_set(err, ERR_IO, "registry %s: token realm '%s' is not an http(s) URL",
                       c->domain, ch->realm ? ch->realm : "");
    /* Credentials go to the realm: over plain HTTP only for a registry that
     * is itself allowed plain HTTP (loopback, --insecure-registry). */
    if (strncmp(ch->realm, "http://", 7) == 0 && !c->insecure && c->have_creds)
        return err_set(err, ERR_IO,
                       "registry %s: token realm '%s' is plain HTTP; refusing to send credentials "
                       "there (--insecure-registry %s allows it)",
                       c->domain, ch->realm, c->domain);
    struct buf url = BUF_INIT;
    int rc = buf_append_cstr(&url, ch->realm);
    char sep = strchr(ch->realm, '?') ? '&' : '?';
    const char *esc;
    if (!rc && ch->service) {
        rc = url_escape(c, ch->service, &esc, err);
        if (!rc)
            rc = buf_printf(&url, "%cservice=%s", sep, esc);
        sep = '&';
    }
    for (size_t i = 0; !rc && i <= c->n_scopes; i++) {
        const char *sc = i < c->n_scopes ? c->scopes[i] : ch->scope;
        if (!sc)
            continue;
        bool dup = false;
        for (size_t k = 0; k < c->n_scopes && i == c->n_scopes; k++)
            dup = dup || strcmp(c->scopes[k], sc) == 0;
        if (dup)
            continue;
        rc = url_escape(c, sc, &esc, err);
        if (!rc)
            rc = buf_printf(&url, "%cscope=%s", sep, esc);
        sep = '&';
    }
    if (rc) {
        buf_release(&url);
        return rc < 0 ? rc : err_set(err, ERR_TOO_LARGE, "token URL too long");
    }
    struct buf body;
    buf_init(&body, SMALL_BODY_MAX);
    struct http_req q = {
        .method = "GET", .url = buf_cstr(&url), .out = &body, .max = SMALL_BODY_MAX, .no_auth = true
    };
    if (c->have_creds) {
        q.basic_user = c->creds.user;
        q.basic_pass = c->creds.password;
    }
    struct http_resp r;
    bool verify = strncmp(ch->realm, "https://", 8) != 0 || !c->insecure;
    rc = http_once(c, &q, &r, verify, err);
    if (!rc && r.status != 200)
        rc = err_set(err, ERR_IO, "registry %s: cannot get a token from %s: %s%s", c->domain,
                     ch->realm, status_text(c, &r),
                     c->have_creds ? "" : " (no credentials: see 'docker login')");
    if (!rc) {
        json_error_t je;
        json_t *root = json_loadb(buf_cstr(&body), body.len, 0, &je);
        const char *tok = json_string_value(json_object_get(root, "token"));
        if (!tok || !*tok)
            tok = json_string_value(json_object_get(root, "access_token"));
        if (tok && *tok)
            c->token = arena_strdup(c->a, tok);
        else
            rc = err_set(err, ERR_IO, "registry %s: the token reply of %s has no token", c->domain,
                         ch->realm);
        json_decref(root);
    }
    resp_release(&r);
    buf_release(&body);
    buf_release(&url);
    return rc;
}

/* Acts on a challenge: a token for Bearer, the auth file's credentials for
 * Basic. */
static int answer_challenge(struct client *c, const char *header, struct err *err)
{
    struct bld_auth_challenge chs[BLD_AUTH_MAX_CHALLENGES];
    size_t n;
    struct err pe;
    if (bld_auth_parse(header, c->a, chs, BLD_AUTH_MAX_CHALLENGES, &n, &pe) != 0)
        return err_set(err, ERR_IO, "registry %s: %s", c->domain, pe.msg);
    const struct bld_auth_challenge *bearer = NULL, *basic = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(chs[i].scheme, "bearer") == 0 && !bearer)
            bearer = &chs[i];
        else if (strcasecmp(chs[i].scheme, "basic") == 0 && !basic)
            basic = &chs[i];
    }
    if (bearer) {
        c->ch = *bearer;
        return fetch_token(c, bearer, err);
    }
    if (basic) {
        c->ch = *basic;
        if (!c->have_creds)
            return err_set(err, ERR_IO,
                           "registry %s asks for a user and password and the auth files have none "
                           "(set REGISTRY_AUTH_FILE or DOCKER_CONFIG, or 'docker login %s')",
                           c->domain, c->domain);
        return 0;
    }
    return err_set(err, ERR_UNSUPPORTED, "registry %s: unsupported authentication '%.100s'",
                   c->domain, header);
}

/* The ping: finds the scheme and the challenge, and authenticates. */
static int client_open(struct client *c, struct arena *a, const struct bld_registry_opts *o,
                       const struct bld_ref *ref, const char *actions, const char *mount_from,
                       struct err *err)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->o = o;
    c->domain = ref->domain;
    c->host = bld_ref_api_host(ref);
    c->insecure = bld_registry_host_insecure(o, c->domain);
    c->scopes[c->n_scopes++] = arena_printf(a, "repository:%s:%s", ref->path, actions);
    if (mount_from)
        c->scopes[c->n_scopes++] = arena_printf(a, "repository:%s:pull", mount_from);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return err_set(err, ERR_INTERNAL, "cannot initialise libcurl: %s",
                       curl_easy_strerror(curl_init_rc));
    c->h = curl_easy_init();
    if (!c->h)
        return err_set(err, ERR_INTERNAL, "cannot create a libcurl handle");
    struct err ce;
    int crc = bld_creds_lookup(c->domain, a, &c->creds, &ce);
    if (crc == 0)
        c->have_creds = true;
    else if (crc != ERR_NOT_FOUND) {
        *err = ce;
        return crc;
    }
    static const char *const schemes[] = { "https", "http" };
    struct http_resp r;
    int rc = 0;
    for (size_t i = 0; i < 2; i++) {
        c->base = arena_printf(a, "%s://%s", schemes[i], c->host);
        struct http_req q = { .method = "GET",
                              .url = arena_printf(a, "%s/v2/", c->base),
                              .no_auth = true,
                              .max = SMALL_BODY_MAX };
        struct buf ignore;
        buf_init(&ignore, SMALL_BODY_MAX);
        q.out = &ignore;
        rc = http_once(c, &q, &r, !c->insecure, err);
        buf_release(&ignore);
        if (rc == 0)
            break;
        resp_release(&r);
        /* Docker's insecure registries: HTTP after HTTPS fails. */
        if (!c->insecure)
            break;
    }
    if (rc) {
        char msg[ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return err_set(err, rc, "cannot reach registry %s: %s", c->domain, msg);
    }
    if (r.status == 401 && r.www_auth)
        rc = answer_challenge(c, r.www_auth, err);
    else if (r.status == 401)
        rc = err_set(err, ERR_IO, "registry %s: 401 without a WWW-Authenticate challenge",
                     c->domain);
    else if (r.status != 200 && r.status != 404)
        rc = err_set(err, ERR_IO, "registry %s: GET /v2/: %s", c->domain, status_text(c, &r));
    resp_release(&r);
    return rc;
}

static void client_close(struct client *c)
{
    if (c->h)
        curl_easy_cleanup(c->h);
    c->h = NULL;
}

/* A request with authentication: one retry after a 401 (new token); GET
 * and HEAD into memory are also retried on transport errors, 429 and
 * 5xx. */
static int client_do(struct client *c, struct http_req *q, struct http_resp *r, struct err *err)
{
    bool reauth = false;
    int attempts = is_get(q) && !q->w ? GET_ATTEMPTS : 1;
    for (int i = 0;; i++) {
        size_t out_len = q->out ? q->out->len : 0;
        int rc = http_once(c, q, r, !c->insecure, err);
        bool retry_status = !rc && (r->status == 429 || r->status >= 500);
        if ((rc == ERR_IO || retry_status) && i + 1 < attempts) {
            resp_release(r);
            if (q->out)
                buf_truncate(q->out, out_len);
            sleep((unsigned)(i + 1));
            continue;
        }
        if (rc || r->status != 401 || reauth)
            return rc;
        reauth = true;
        const char *wa = r->www_auth ? arena_strdup(c->a, r->www_auth) : NULL;
        resp_release(r);
        if (!wa)
            return err_set(err, ERR_IO, "registry %s: 401 without a WWW-Authenticate challenge",
                           c->domain);
        c->token = NULL;
        rc = answer_challenge(c, wa, err);
        if (rc)
            return rc;
        if (q->out)
            buf_truncate(q->out, out_len);
        i--; /* the retry after authentication is not a failed attempt */
    }
}

static const char *api_url(struct client *c, const char *path, const char *what, const char *ref)
{
    return arena_printf(c->a, "%s/v2/%s/%s/%s", c->base, path, what, ref);
}

/* Resolves a Location header against the registry's base URL. */
static const char *resolve_location(struct client *c, const char *loc)
{
    if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0)
        return loc;
    if (loc[0] == '/')
        return arena_printf(c->a, "%s%s", c->base, loc);
    return arena_printf(c->a, "%s/%s", c->base, loc);
}

static int http_error(struct client *c, const struct http_req *q, const struct http_resp *r,
                      struct err *err)
{
    const char *u = q->url;
    if (strncmp(u, c->base, strlen(c->base)) == 0)
        u += strlen(c->base);
    enum err_code code = r->status == 404 ? ERR_NOT_FOUND : ERR_IO;
    const char *hint = "";
    if (r->status == 401 || r->status == 403)
        hint = c->have_creds ? " (the registry refused the credentials of the auth file)"
                             : " (no credentials for it in the auth files)";
    return err_set(err, code, "registry %s: %s %.200s: %s%s", c->domain, q->method, u,
                   status_text(c, r), hint);
}

/* ---- pull ----------------------------------------------------------------- */

/* Fetches a manifest by tag or digest into body (capped), checking it
 * against the digest when one is given or returned. */
static int get_manifest(struct client *c, const char *path, const char *ref,
                        const struct bld_digest *expect, struct buf *body, const char **mt,
                        struct bld_digest *dg, struct err *err)
{
    buf_init(body, BLD_JSON_MAX);
    struct http_req q = { .method = "GET",
                          .url = api_url(c, path, "manifests", ref),
                          .accept = BLD_REGISTRY_ACCEPT,
                          .out = body,
                          .max = BLD_JSON_MAX };
    struct http_resp r;
    int rc = client_do(c, &q, &r, err);
    if (!rc && r.status != 200)
        rc = http_error(c, &q, &r, err);
    if (!rc) {
        bld_digest_of(buf_cstr(body), body->len, dg);
        char got[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(dg, got);
        if (expect && !bld_digest_eq(expect, dg)) {
            char want[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(expect, want);
            rc = err_set(err, ERR_INVALID, "registry %s: manifest %s of %s has digest %s",
                         c->domain, want, path, got);
        } else if (r.docker_digest && strncmp(r.docker_digest, "sha256:", 7) == 0 &&
                   strcmp(r.docker_digest, got) != 0) {
            rc = err_set(err, ERR_INVALID,
                         "registry %s: manifest %s:%s has digest %s, the registry says %.80s",
                         c->domain, path, ref, got, r.docker_digest);
        }
    }
    if (!rc)
        rc = bld_manifest_media_type(r.content_type, buf_cstr(body), body->len, mt, err);
    resp_release(&r);
    return rc;
}

static bool platform_matches(const struct bld_platform *p, const char *want)
{
    if (!p || !p->os || !p->architecture)
        return false;
    size_t on = strlen(p->os), an = strlen(p->architecture);
    if (strncmp(want, p->os, on) != 0 || want[on] != '/' ||
        strncmp(want + on + 1, p->architecture, an) != 0)
        return false;
    const char *rest = want + on + 1 + an;
    if (*rest == '\0')
        return true;
    return *rest == '/' && p->variant && strcmp(rest + 1, p->variant) == 0;
}

/* Streams a blob into the store unless it is there. */
static int fetch_blob(struct client *c, struct bld_store *s, const char *path,
                      const struct bld_descriptor *d, bool *fetched, struct err *err)
{
    *fetched = false;
    if (bld_store_has_blob(s, &d->digest))
        return 0;
    char dg[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d->digest, dg);
    if (d->size < 0 || (uint64_t)d->size > BLOB_MAX)
        return err_set(err, ERR_TOO_LARGE, "registry %s: blob %s of %s: size %lld out of range",
                       c->domain, dg, path, (long long)d->size);
    for (int attempt = 0;; attempt++) {
        struct bld_blob_writer w;
        int rc = bld_blob_writer_open(&w, s, err);
        if (rc)
            return rc;
        struct http_req q = {
            .method = "GET",
            .url = api_url(c, path, "blobs", dg),
            .w = &w,
            .max = d->size ? (uint64_t)d->size : 1 /* 0: no cap */
        };
        struct http_resp r;
        rc = client_do(c, &q, &r, err);
        bool again = (rc == ERR_IO || (!rc && (r.status == 429 || r.status >= 500))) &&
                     attempt + 1 < GET_ATTEMPTS;
        if (!rc && r.status != 200 && !again)
            rc = http_error(c, &q, &r, err);
        if (rc == ERR_TOO_LARGE)
            rc = err_set(err, ERR_INVALID,
                         "registry %s: blob %s of %s is larger than its %lld bytes", c->domain, dg,
                         path, (long long)d->size);
        resp_release(&r);
        if (rc || again) {
            bld_blob_writer_abort(&w);
            if (again) {
                sleep((unsigned)(attempt + 1));
                continue;
            }
            return rc;
        }
        rc = bld_blob_writer_commit(&w, &d->digest, d->size, NULL, NULL, err);
        if (rc) {
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            return err_set(err, rc, "registry %s: %s: %s", c->domain, path, msg);
        }
        *fetched = true;
        if (c->o && c->o->progress)
            fprintf(c->o->progress, "  fetched %.19s (%lld bytes)\n", dg, (long long)d->size);
        return 0;
    }
}

int bld_registry_pull(struct bld_store *s, const char *refstr, const struct bld_registry_opts *o,
                      struct arena *a, struct bld_pull_result *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    struct bld_ref ref;
    int rc = bld_ref_parse(refstr, a, &ref, err);
    if (rc)
        return rc;
    const char *platform = o && o->platform ? o->platform : bld_registry_host_platform();
    out->name = bld_ref_familiar(&ref, a);
    if (o && o->progress)
        fprintf(o->progress, "pulling %s\n", out->name);
    struct client c;
    rc = client_open(&c, a, o, &ref, "pull", NULL, err);
    struct buf body = BUF_INIT;
    const char *mt = NULL;
    struct bld_digest dg, want;
    bool locked = false;
    if (!rc && ref.digest)
        rc = bld_digest_parse(ref.digest, &want, err);
    if (!rc)
        rc = get_manifest(&c, ref.path, bld_ref_manifest_ref(&ref), ref.digest ? &want : NULL,
                          &body, &mt, &dg, err);
    if (rc == ERR_NOT_FOUND) {
        char msg[ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = err_set(err, ERR_NOT_FOUND, "image '%s' not found: %s", refstr, msg);
    }
    if (!rc)
        out->top = dg;
    if (!rc && bld_media_type_is_index(mt)) {
        struct bld_index ix;
        rc = bld_index_parse(buf_cstr(&body), body.len, refstr, a, &ix, err);
        const struct bld_descriptor *pick = NULL;
        for (size_t i = 0; !rc && i < ix.n_manifests && !pick; i++)
            if (bld_media_type_is_manifest(ix.manifests[i].media_type) &&
                platform_matches(ix.manifests[i].platform, platform))
                pick = &ix.manifests[i];
        /* "linux/arm64" also takes "linux/arm64/v8". */
        for (size_t i = 0; !rc && i < ix.n_manifests && !pick; i++) {
            const struct bld_platform *p = ix.manifests[i].platform;
            if (bld_media_type_is_manifest(ix.manifests[i].media_type) && p && p->variant &&
                platform_matches(&(struct bld_platform){ p->os, p->architecture, NULL }, platform))
                pick = &ix.manifests[i];
        }
        if (!rc && !pick)
            rc = err_set(err, ERR_NOT_FOUND, "image '%s' has no manifest for %s", refstr, platform);
        if (!rc) {
            char pd[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&pick->digest, pd);
            struct bld_digest pdg = pick->digest;
            buf_release(&body);
            rc = get_manifest(&c, ref.path, pd, &pdg, &body, &mt, &dg, err);
            if (!rc && !bld_media_type_is_manifest(mt))
                rc = err_set(err, ERR_INVALID, "image '%s': %s is not an image manifest", refstr,
                             pd);
        }
    }
    struct bld_manifest m;
    if (!rc)
        rc = bld_manifest_parse(buf_cstr(&body), body.len, refstr, a, &m, err);
    if (!rc) {
        rc = bld_store_lock(s, err);
        locked = rc == 0;
    }
    /* The lock is held from here to the name: gc cannot take a blob this
     * pull relies on. */
    struct bld_digest stored;
    if (!rc)
        rc = bld_store_put_blob(s, buf_cstr(&body), body.len, &stored, err);
    bool f;
    if (!rc) {
        if (m.config.size > (int64_t)BLD_JSON_MAX)
            rc = err_set(err, ERR_TOO_LARGE, "image '%s': config of %lld bytes", refstr,
                         (long long)m.config.size);
        else
            rc = fetch_blob(&c, s, ref.path, &m.config, &f, err);
        out->blobs_fetched += !rc && f;
    }
    for (size_t i = 0; !rc && i < m.n_layers; i++) {
        rc = fetch_blob(&c, s, ref.path, &m.layers[i], &f, err);
        out->blobs_fetched += !rc && f;
    }
    if (!rc) {
        struct bld_image_config cfg;
        rc = bld_store_read_config(s, &m.config, a, &cfg, err);
        if (!rc && cfg.n_diff_ids != m.n_layers)
            rc = err_set(err, ERR_INVALID, "image '%s': %zu layers but %zu diff_ids", refstr,
                         m.n_layers, cfg.n_diff_ids);
    }
    if (!rc) {
        out->desc.media_type = mt;
        out->desc.digest = dg;
        out->desc.size = (int64_t)body.len;
        rc = bld_store_ref_set(s, out->name, &out->desc, err);
    }
    if (locked)
        bld_store_unlock(s);
    if (!rc && o && o->progress) {
        char d[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&dg, d);
        fprintf(o->progress, "pulled %s (%s)\n", out->name, d);
    }
    buf_release(&body);
    client_close(&c);
    return rc;
}

/* ---- push ----------------------------------------------------------------- */

struct pusher {
    struct client c;
    struct bld_store *s;
    const char *path;       /* destination repository */
    const char *mount_from; /* a repository of the same registry, or NULL */
    uint64_t chunk;
};

static const char *with_digest(struct client *c, const char *loc, const char *dg)
{
    const char *esc = dg;
    if (url_escape(c, dg, &esc, NULL)) {
        /* unescaped: "sha256:hex" is accepted by registries as it is */
    }
    return arena_printf(c->a, "%s%cdigest=%s", loc, strchr(loc, '?') ? '&' : '?', esc);
}

static int upload_blob(struct pusher *p, const struct bld_descriptor *d, struct err *err)
{
    struct client *c = &p->c;
    char dg[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d->digest, dg);
    struct http_req q = { .method = "HEAD", .url = api_url(c, p->path, "blobs", dg) };
    struct http_resp r;
    int rc = client_do(c, &q, &r, err);
    long st = r.status;
    resp_release(&r);
    if (rc)
        return rc;
    if (st == 200)
        return 0;
    rc = bld_store_verify_blob(p->s, &d->digest, d->size, err);
    if (rc)
        return rc;
    const char *post = arena_printf(c->a, "%s/v2/%s/blobs/uploads/", c->base, p->path);
    if (p->mount_from) {
        const char *e1, *e2;
        if (url_escape(c, dg, &e1, err) || url_escape(c, p->mount_from, &e2, err))
            return err->code;
        post = arena_printf(c->a, "%s?mount=%s&from=%s", post, e1, e2);
    }
    struct http_req pq = { .method = "POST", .url = post, .has_body = true };
    pq.body.fd = -1;
    rc = client_do(c, &pq, &r, err);
    if (rc)
        return rc;
    if (r.status == 201) {
        resp_release(&r);
        if (c->o && c->o->progress)
            fprintf(c->o->progress, "  mounted %.19s from %s\n", dg, p->mount_from);
        return 0;
    }
    if (r.status != 202 || !r.location) {
        rc = r.status == 202
                 ? err_set(err, ERR_IO, "registry %s: upload without a Location", c->domain)
                 : http_error(c, &pq, &r, err);
        resp_release(&r);
        return rc;
    }
    const char *loc = resolve_location(c, r.location);
    resp_release(&r);
    const char *bpath = bld_store_blob_path(p->s, &d->digest, c->a);
    int fd = open(bpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, bpath, "cannot open blob '%s'", bpath);
    uint64_t size = (uint64_t)d->size, off = 0;
    if (size > p->chunk) {
        /* Chunks in order: Content-Range is inclusive, and each answer
         * gives the Location of the next. */
        while (!rc && off < size) {
            uint64_t n = size - off < p->chunk ? size - off : p->chunk;
            struct http_req cq = { .method = "PATCH",
                                   .url = loc,
                                   .content_type = "application/octet-stream",
                                   .content_range =
                                       arena_printf(c->a, "%llu-%llu", (unsigned long long)off,
                                                    (unsigned long long)(off + n - 1)),
                                   .has_body = true };
            cq.body = (struct body_src){ NULL, fd, off, n, 0 };
            rc = client_do(c, &cq, &r, err);
            if (!rc && r.status != 202)
                rc = http_error(c, &cq, &r, err);
            if (!rc && r.location)
                loc = resolve_location(c, r.location);
            resp_release(&r);
            off += n;
        }
        if (!rc) {
            struct http_req fq = { .method = "PUT",
                                   .url = with_digest(c, loc, dg),
                                   .content_type = "application/octet-stream",
                                   .has_body = true };
            fq.body = (struct body_src){ "", -1, 0, 0, 0 };
            rc = client_do(c, &fq, &r, err);
            if (!rc && r.status != 201)
                rc = http_error(c, &fq, &r, err);
            resp_release(&r);
        }
    } else {
        struct http_req uq = { .method = "PUT",
                               .url = with_digest(c, loc, dg),
                               .content_type = "application/octet-stream",
                               .has_body = true };
        uq.body = (struct body_src){ NULL, fd, 0, size, 0 };
        rc = client_do(c, &uq, &r, err);
        if (!rc && r.status != 201)
            rc = http_error(c, &uq, &r, err);
        resp_release(&r);
    }
    close(fd);
    if (!rc && c->o && c->o->progress)
        fprintf(c->o->progress, "  pushed %.19s (%lld bytes%s)\n", dg, (long long)size,
                size > p->chunk ? ", chunked" : "");
    return rc;
}

static int put_manifest(struct pusher *p, const struct bld_descriptor *d, const char *ref,
                        struct err *err)
{
    struct client *c = &p->c;
    struct buf body = BUF_INIT;
    int rc = bld_store_read_blob(p->s, &d->digest, d->size, BLD_JSON_MAX, &body, err);
    if (rc) {
        buf_release(&body);
        return rc;
    }
    struct http_req q = { .method = "PUT",
                          .url = api_url(c, p->path, "manifests", ref),
                          .content_type = d->media_type,
                          .has_body = true };
    q.body = (struct body_src){ buf_cstr(&body), -1, 0, body.len, 0 };
    struct http_resp r;
    rc = client_do(c, &q, &r, err);
    if (!rc && r.status != 201 && r.status != 200)
        rc = http_error(c, &q, &r, err);
    if (!rc && r.docker_digest) {
        char want[BLD_DIGEST_STR_LEN + 1];
        bld_digest_string(&d->digest, want);
        if (strcmp(want, r.docker_digest) != 0)
            rc = err_set(err, ERR_INVALID, "registry %s stored manifest %s as %.80s", c->domain,
                         want, r.docker_digest);
    }
    resp_release(&r);
    buf_release(&body);
    return rc;
}

static int push_image(struct pusher *p, const struct bld_descriptor *d, struct err *err)
{
    struct bld_manifest m;
    int rc = bld_store_read_manifest(p->s, d, p->c.a, &m, err);
    if (!rc)
        rc = upload_blob(p, &m.config, err);
    for (size_t i = 0; !rc && i < m.n_layers; i++)
        rc = upload_blob(p, &m.layers[i], err);
    return rc;
}

int bld_registry_push(struct bld_store *s, const char *src, const char *dest,
                      const struct bld_registry_opts *o, struct bld_digest *digest, struct err *err)
{
    struct arena a;
    arena_init(&a);
    struct bld_ref dref, sref;
    bool src_parsed = false;
    struct bld_descriptor desc;
    int rc = bld_ref_parse(dest ? dest : src, &a, &dref, err);
    if (!rc) {
        struct err se;
        src_parsed = bld_ref_parse(src, &a, &sref, &se) == 0;
        /* The name as given, else its familiar form ("x" is "x:latest"). */
        rc = bld_store_ref_get(s, src, &a, &desc, err);
        if (rc == ERR_NOT_FOUND && src_parsed)
            rc = bld_store_ref_get(s, bld_ref_familiar(&sref, &a), &a, &desc, err);
        if (rc == ERR_NOT_FOUND)
            rc = err_set(err, ERR_NOT_FOUND, "image '%s' is not in the store", src);
    }
    struct pusher p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.path = dref.path;
    if (!rc && src_parsed && strcmp(sref.domain, dref.domain) == 0 &&
        strcmp(sref.path, dref.path) != 0)
        p.mount_from = sref.path;
    p.chunk = o && o->chunk_size ? o->chunk_size : DEFAULT_CHUNK;
    const char *env = getenv("DOCKWRIGHT_PUSH_CHUNK_SIZE");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end || v == 0)
            rc = rc ? rc : err_set(err, ERR_USAGE, "invalid DOCKWRIGHT_PUSH_CHUNK_SIZE '%s'", env);
        else
            p.chunk = v;
    }
    if (!rc)
        rc = client_open(&p.c, &a, o, &dref, "pull,push", p.mount_from, err);
    if (!rc && o && o->progress)
        fprintf(o->progress, "pushing %s to %s\n", src, bld_ref_familiar(&dref, &a));
    const char *mref = bld_ref_manifest_ref(&dref);
    if (!rc && dref.digest) {
        struct bld_digest want;
        rc = bld_digest_parse(dref.digest, &want, err);
        if (!rc && !bld_digest_eq(&want, &desc.digest))
            rc =
                err_set(err, ERR_INVALID, "image '%s' does not have the digest of '%s'", src, dest);
    }
    if (!rc && bld_media_type_is_index(desc.media_type)) {
        struct buf j = BUF_INIT;
        struct bld_index ix;
        rc = bld_store_read_blob(s, &desc.digest, desc.size, BLD_JSON_MAX, &j, err);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&j), j.len, src, &a, &ix, err);
        buf_release(&j);
        for (size_t i = 0; !rc && i < ix.n_manifests; i++) {
            const struct bld_descriptor *md = &ix.manifests[i];
            if (!bld_media_type_is_manifest(md->media_type))
                rc = err_set(err, ERR_UNSUPPORTED, "image '%s': nested indexes cannot be pushed",
                             src);
            else if (!bld_store_has_blob(s, &md->digest))
                rc = err_set(err, ERR_NOT_FOUND,
                             "image '%s': manifest %zu of its index is not in the store", src, i);
            if (!rc)
                rc = push_image(&p, md, err);
            char d[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&md->digest, d);
            if (!rc)
                rc = put_manifest(&p, md, d, err);
        }
    } else if (!rc) {
        rc = push_image(&p, &desc, err);
    }
    if (!rc)
        rc = put_manifest(&p, &desc, mref, err);
    if (!rc) {
        *digest = desc.digest;
        if (o && o->progress) {
            char d[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&desc.digest, d);
            fprintf(o->progress, "pushed %s (%s)\n", bld_ref_familiar(&dref, &a), d);
        }
    }
    client_close(&p.c);
    arena_release(&a);
    return rc;
}
