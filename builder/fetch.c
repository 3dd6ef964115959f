/* ADD <url>: one HTTP(S) download with libcurl, hashed while it is
 * written, with BuildKit's status and checksum rules (source/http). */
#include "builder/copy.h"

#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    int fd;
    struct bld_sha256 hash;
    uint64_t size, max;
    bool too_large;
    int write_errno;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t len = size * n;
    if (s->max && s->size + len > s->max) {
        s->too_large = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(s->fd, p + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            s->write_errno = errno;
            return 0;
        }
        off += (size_t)w;
    }
    bld_sha256_update(&s->hash, p, len);
    s->size += len;
    return len;
}

int bld_fetch(const char *url, const char *dir, const char *name, const struct bld_digest *expect,
              long timeout_s, uint64_t max_bytes, struct bld_fetch_result *res, struct err *err)
{
    memset(res, 0, sizeof *res);
    res->last_modified = -1;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return err_set(err, ERR_INVALID, "'%s': only http and https URLs can be downloaded", url);
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return err_set(err, ERR_INVALID, "invalid download file name '%s'", name);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return err_set(err, ERR_INTERNAL, "cannot initialise libcurl: %s",
                       curl_easy_strerror(curl_init_rc));
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = xmalloc(plen);
    snprintf(path, plen, "%s/%s", dir, name);
    struct sink s;
    memset(&s, 0, sizeof s);
    s.max = max_bytes;
    s.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s.fd < 0) {
        int rc = err_sys(err, path, "cannot create '%s'", path);
        free(path);
        return rc;
    }
    int rc = bld_sha256_init(&s.hash, err);
    CURL *h = rc ? NULL : curl_easy_init();
    if (!rc && !h)
        rc = err_set(err, ERR_INTERNAL, "cannot create a libcurl handle");
    char errbuf[CURL_ERROR_SIZE] = "";
    if (!rc) {
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        /* Go's http.Client: redirects followed (10 at most), proxies from
         * the environment (libcurl reads them too), gzip transfer
         * encoding decoded. Only http and https, also after a redirect. */
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
        curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "dockwright");
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        if (timeout_s > 0)
            curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        CURLcode cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
            if (s.too_large)
                rc = err_set(err, ERR_TOO_LARGE, "'%s': download larger than %llu bytes", url,
                             (unsigned long long)max_bytes);
            else if (s.write_errno)
                rc = err_set(err, ERR_IO, "'%s': cannot write '%s': %s", url, path,
                             strerror(s.write_errno));
            else
                rc = err_set(err, ERR_IO, "'%s': %s", url,
                             errbuf[0] ? errbuf : curl_easy_strerror(cc));
        }
    }
    if (!rc) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        res->status = status;
        curl_off_t ft = -1;
        if (curl_easy_getinfo(h, CURLINFO_FILETIME_T, &ft) == CURLE_OK && ft >= 0)
            res->last_modified = (int64_t)ft;
        /* BuildKit accepts 200-399 (a 304 included). */
        if (status < 200 || status >= 400)
            rc = err_set(err, ERR_INVALID, "'%s': invalid response status %ld", url, status);
    }
    if (h)
        curl_easy_cleanup(h);
    if (!rc && fsync(s.fd) != 0 && errno != EINVAL)
        rc = err_sys(err, path, "cannot write '%s'", path);
    if (close(s.fd) != 0 && !rc)
        rc = err_sys(err, path, "cannot write '%s'", path);
    if (!rc) {
        bld_sha256_final(&s.hash, &res->digest);
        res->size = s.size;
        if (expect && !bld_digest_eq(expect, &res->digest)) {
            char got[BLD_DIGEST_STR_LEN + 1], want[BLD_DIGEST_STR_LEN + 1];
            bld_digest_string(&res->digest, got);
            bld_digest_string(expect, want);
            rc = err_set(err, ERR_INVALID, "digest mismatch for %s: got %s, expected %s", url, got,
                         want);
        }
    } else {
        bld_sha256_release(&s.hash);
    }
    if (rc)
        unlink(path);
    free(path);
    return rc;
}
