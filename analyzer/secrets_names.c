/* Names and files: which ARG/ENV keys name a secret (secrets.md section 6,
 * DW404), which COPY/ADD sources are credential files (DW403), whether a
 * file's content really holds one, and the masked form of a value. */
#include "analyzer/secrets.h"

#include <string.h>

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}
static inline bool is_alnum(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static inline bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool eq_nocase(const char *s, size_t n, const char *w)
{
    /* No strlen(w) first: most calls try a name against every entry of a
     * table and differ at the first byte. */
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)w[i]))
            return false;
    return i == n && w[i] == '\0';
}

static bool starts_nocase(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    return m <= n && eq_nocase(s, m, w);
}

static bool ends_nocase(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    return m <= n && eq_nocase(s + n - m, m, w);
}

/* ---- ARG/ENV names ---- */

/* Credential variables of providers and CI systems, compared without
 * case; many would also pass the word test, the list catches the ones
 * that carry an allow word (`_ID`, `_URL`) or no secret word at all. */
/* A word and its length: a name is tried against every entry of a table,
 * and most entries differ from it in length. */
struct word {
    const char *s;
    size_t n;
};
#define W(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    }

static const struct word provider_names[] = {
    W("AWS_ACCESS_KEY_ID"),
    W("AWS_SECRET_ACCESS_KEY"),
    W("AWS_SESSION_TOKEN"),
    W("AZURE_CLIENT_SECRET"),
    W("AZURE_STORAGE_KEY"),
    W("AZURE_STORAGE_CONNECTION_STRING"),
    W("ARM_CLIENT_SECRET"),
    W("GITHUB_TOKEN"),
    W("GH_TOKEN"),
    W("GH_ENTERPRISE_TOKEN"),
    W("GITLAB_TOKEN"),
    W("CI_JOB_TOKEN"),
    W("OPENAI_API_KEY"),
    W("ANTHROPIC_API_KEY"),
    W("HF_TOKEN"),
    W("HUGGING_FACE_HUB_TOKEN"),
    W("DOCKERHUB_PASSWORD"),
    W("DOCKERHUB_TOKEN"),
    W("DOCKER_PASSWORD"),
    W("DOCKER_AUTH_CONFIG"),
    W("HEROKU_API_KEY"),
    W("NPM_TOKEN"),
    W("NPM_AUTH_TOKEN"),
    W("NODE_AUTH_TOKEN"),
    W("YARN_NPM_AUTH_TOKEN"),
    W("PYPI_TOKEN"),
    W("PYPI_API_TOKEN"),
    W("TWINE_PASSWORD"),
    W("NUGET_API_KEY"),
    W("VAULT_TOKEN"),
    W("VAULT_SECRET_ID"),
    W("SLACK_TOKEN"),
    W("SLACK_BOT_TOKEN"),
    W("SLACK_WEBHOOK_URL"),
    W("STRIPE_SECRET_KEY"),
    W("STRIPE_API_KEY"),
    W("SENDGRID_API_KEY"),
    W("TWILIO_AUTH_TOKEN"),
    W("SENTRY_AUTH_TOKEN"),
    W("SENTRY_DSN"),
    W("DATADOG_API_KEY"),
    W("DD_API_KEY"),
    W("DD_APP_KEY"),
    W("CODECOV_TOKEN"),
    W("SONAR_TOKEN"),
    W("SNYK_TOKEN"),
    W("CLOUDFLARE_API_TOKEN"),
    W("DIGITALOCEAN_ACCESS_TOKEN"),
    W("GOOGLE_API_KEY"),
    W("CIRCLE_TOKEN"),
    W("ARTIFACTORY_API_KEY"),
    W("JFROG_ACCESS_TOKEN"),
    W("BUNDLE_GITHUB__COM"),
};

/* Prefixes that bundlers expose to browser code; the name behind them is
 * still a provider credential. */
static const char *const exposed_prefixes[] = { "VITE_", "REACT_APP_", "NEXT_PUBLIC_" };

static const struct word deny_words[] = {
    W("apikey"),   W("auth"),   W("credential"), W("credentials"), W("key"),
    W("password"), W("passwd"), W("pword"),      W("secret"),      W("token"),
};

static const struct word allow_words[] = {
    W("public"), W("file"), W("path"), W("version"), W("url"), W("name"), W("id"), W("fingerprint"),
};

/* The entry of words (n of them) equal to s[0, len) without case, or NULL. */
static const struct word *find_word(const struct word *words, size_t n, const char *s, size_t len)
{
    for (size_t k = 0; k < n; k++)
        if (words[k].n == len && eq_nocase(s, len, words[k].s))
            return &words[k];
    return NULL;
}

bool sec_name_is_secretish(struct str name, const char **why)
{
    const char *s = name.ptr;
    size_t n = name.len;
    if (!s || n == 0 || n > 256)
        return false;
    for (size_t p = 0; p <= DW_ARRAY_LEN(exposed_prefixes); p++) {
        const char *rest = s;
        size_t rn = n;
        if (p > 0) {
            if (!starts_nocase(s, n, exposed_prefixes[p - 1]))
                continue;
            rest += strlen(exposed_prefixes[p - 1]);
            rn -= strlen(exposed_prefixes[p - 1]);
        }
        if (find_word(provider_names, DW_ARRAY_LEN(provider_names), rest, rn)) {
            if (why)
                *why = "provider credential name";
            return true;
        }
    }
    /* Split on `_`, `-`, `.` (any non-alphanumeric) and camelCase. */
    const char *hit = NULL;
    size_t i = 0;
    while (i < n) {
        while (i < n && !is_alnum((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        size_t st = i++;
        while (i < n && is_alnum((unsigned char)s[i])) {
            unsigned char c = (unsigned char)s[i], prev = (unsigned char)s[i - 1];
            unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            bool up = c >= 'A' && c <= 'Z';
            if (up && prev >= 'a' && prev <= 'z')
                break; /* dbPassword */
            if (up && prev >= 'A' && prev <= 'Z' && next >= 'a' && next <= 'z')
                break; /* APIKey: API | Key */
            i++;
        }
        const char *piece = s + st;
        size_t pl = i - st;
        if (find_word(allow_words, DW_ARRAY_LEN(allow_words), piece, pl))
            return false;
        const struct word *d =
            hit ? NULL : find_word(deny_words, DW_ARRAY_LEN(deny_words), piece, pl);
        if (d)
            hit = d->s;
    }
    if (hit && why)
        *why = hit;
    return hit != NULL;
}

/* ---- secret files ---- */

bool sec_path_is_secret_file(struct str path, struct sec_file_match *out)
{
    struct sec_file_match m = { SEC_FILE_NONE, NULL, false };
    const char *s = path.ptr;
    size_t n = path.len;
    while (n > 0 && s[n - 1] == '/')
        n--;
    size_t slash = n;
    while (slash > 0 && s[slash - 1] != '/')
        slash--;
    const char *base = s + slash;
    size_t bn = n - slash;
    const char *parent = NULL;
    size_t pn = 0;
    if (slash > 0) {
        size_t pe = slash - 1, ps = pe;
        while (ps > 0 && s[ps - 1] != '/')
            ps--;
        parent = s + ps;
        pn = pe - ps;
    }
#define PARENT(w) (parent && eq_nocase(parent, pn, (w)))
    if (bn == 0) {
        /* nothing: the context root or "/" */
    } else if ((starts_nocase(base, bn, "id_rsa") || starts_nocase(base, bn, "id_dsa") ||
                starts_nocase(base, bn, "id_ecdsa") || starts_nocase(base, bn, "id_ed25519")) &&
               !ends_nocase(base, bn, ".pub")) {
        m = (struct sec_file_match){ SEC_FILE_SSH_KEY, "SSH private key", false };
    } else if (ends_nocase(base, bn, ".pem") || ends_nocase(base, bn, ".key")) {
        m = (struct sec_file_match){ SEC_FILE_PEM, "key file that may hold a private key", true };
    } else if (ends_nocase(base, bn, ".p12") || ends_nocase(base, bn, ".pfx")) {
        m = (struct sec_file_match){ SEC_FILE_KEYSTORE, "PKCS#12 key store", false };
    } else if (ends_nocase(base, bn, ".jks")) {
        m = (struct sec_file_match){ SEC_FILE_KEYSTORE, "Java key store", false };
    } else if ((eq_nocase(base, bn, ".env") || (bn > 4 && starts_nocase(base, bn, ".env") &&
                                                base[4] && strchr(".*?[", base[4]))) &&
               !ends_nocase(base, bn, ".example") && !ends_nocase(base, bn, ".sample") &&
               !ends_nocase(base, bn, ".template") && !ends_nocase(base, bn, ".dist")) {
        m = (struct sec_file_match){ SEC_FILE_ENV, "environment file", false };
    } else if (eq_nocase(base, bn, ".npmrc")) {
        m = (struct sec_file_match){ SEC_FILE_NPMRC,
                                     "npm configuration that may hold registry tokens", true };
    } else if (eq_nocase(base, bn, ".pypirc")) {
        m = (struct sec_file_match){ SEC_FILE_PYPIRC, "PyPI configuration that may hold passwords",
                                     true };
    } else if (eq_nocase(base, bn, ".netrc") || eq_nocase(base, bn, "_netrc")) {
        m = (struct sec_file_match){ SEC_FILE_NETRC, "netrc login file", true };
    } else if (eq_nocase(base, bn, ".git-credentials")) {
        m = (struct sec_file_match){ SEC_FILE_GIT_CREDS, "git credential store", false };
    } else if (eq_nocase(base, bn, "credentials") && PARENT(".aws")) {
        m = (struct sec_file_match){ SEC_FILE_AWS_CREDS, "AWS credentials file", false };
    } else if (eq_nocase(base, bn, "config.json") && PARENT(".docker")) {
        m = (struct sec_file_match){ SEC_FILE_DOCKER_CONFIG,
                                     "Docker client configuration with registry logins", false };
    } else if (eq_nocase(base, bn, "kubeconfig") || starts_nocase(base, bn, "kubeconfig.") ||
               (eq_nocase(base, bn, "config") && PARENT(".kube"))) {
        m = (struct sec_file_match){ SEC_FILE_KUBECONFIG, "Kubernetes client configuration",
                                     false };
    } else if (ends_nocase(base, bn, ".tfstate") || ends_nocase(base, bn, ".tfstate.backup")) {
        m = (struct sec_file_match){ SEC_FILE_TFSTATE, "Terraform state (holds resource secrets)",
                                     false };
    } else if (starts_nocase(base, bn, "credentials") && ends_nocase(base, bn, ".json")) {
        m = (struct sec_file_match){ SEC_FILE_CREDS_JSON, "credentials JSON file", false };
    } else if (ends_nocase(base, bn, ".ovpn")) {
        m = (struct sec_file_match){ SEC_FILE_OVPN, "OpenVPN profile with keys", false };
    }
#undef PARENT
    if (out)
        *out = m;
    return m.kind != SEC_FILE_NONE;
}

/* The next line of data from *pos, without its newline. */
static bool next_line(const char *data, size_t len, size_t *pos, struct str *line)
{
    if (*pos >= len)
        return false;
    const char *nl = memchr(data + *pos, '\n', len - *pos);
    size_t end = nl ? (size_t)(nl - data) : len;
    *line = str_trim(str_make(data + *pos, end - *pos));
    *pos = nl ? end + 1 : len;
    return true;
}

/* A literal value: not empty and not a variable reference. */
static bool literal_value(struct str v)
{
    v = str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0]) {
        v.ptr++;
        v.len -= 2;
    }
    return v.len > 0 && !sec_value_is_placeholder(v);
}

static bool npmrc_has_credentials(const char *data, size_t len)
{
    size_t pos = 0;
    struct str line;
    while (next_line(data, len, &pos, &line)) {
        if (line.len == 0 || line.ptr[0] == '#' || line.ptr[0] == ';')
            continue;
        long eq = str_find_char(line, '=', 0);
        if (eq < 0)
            continue;
        struct str key = str_trim(str_slice(line, 0, (size_t)eq));
        if ((ends_nocase(key.ptr, key.len, "_authToken") ||
             ends_nocase(key.ptr, key.len, "_auth") ||
             ends_nocase(key.ptr, key.len, "_password")) &&
            literal_value(str_slice(line, (size_t)eq + 1, line.len)))
            return true;
    }
    return false;
}

static bool pypirc_has_credentials(const char *data, size_t len)
{
    size_t pos = 0;
    struct str line;
    while (next_line(data, len, &pos, &line)) {
        if (line.len == 0 || line.ptr[0] == '#' || line.ptr[0] == ';')
            continue;
        size_t i = 0;
        while (i < line.len && line.ptr[i] != '=' && line.ptr[i] != ':')
            i++;
        if (i == line.len)
            continue;
        struct str key = str_trim(str_slice(line, 0, i));
        struct str v = str_trim(str_slice(line, i + 1, line.len));
        /* `%(VAR)s` interpolation is no literal either. */
        if (eq_nocase(key.ptr, key.len, "password") && literal_value(v) &&
            !(v.len > 1 && v.ptr[0] == '%' && v.ptr[1] == '('))
            return true;
    }
    return false;
}

static bool netrc_has_credentials(const char *data, size_t len)
{
    size_t i = 0;
    bool want_value = false;
    while (i < len) {
        while (i < len && is_blank((unsigned char)data[i]))
            i++;
        size_t st = i;
        while (i < len && !is_blank((unsigned char)data[i]))
            i++;
        if (i == st)
            break;
        struct str tok = str_make(data + st, i - st);
        if (want_value) {
            if (literal_value(tok))
                return true;
            want_value = false;
        } else if (str_eq_cstr(tok, "password")) {
            want_value = true;
        }
    }
    return false;
}

static bool has_private_key_armour(const char *data, size_t len)
{
    size_t pos = 0;
    struct str line;
    while (next_line(data, len, &pos, &line)) {
        struct str l = line;
        bool begin = false, priv = false;
        for (size_t i = 0; i + 5 <= l.len && !begin; i++)
            begin = memcmp(l.ptr + i, "BEGIN", 5) == 0;
        for (size_t i = 0; i + 11 <= l.len && !priv; i++)
            priv = memcmp(l.ptr + i, "PRIVATE KEY", 11) == 0;
        if ((begin && priv) || str_starts_with(l, STR_LIT("PuTTY-User-Key-File-")))
            return true;
    }
    return false;
}

bool sec_file_content_is_secret(enum sec_file_kind kind, const char *data, size_t len)
{
    if (!data)
        len = 0;
    switch (kind) {
    case SEC_FILE_PEM: return has_private_key_armour(data, len);
    case SEC_FILE_NPMRC: return npmrc_has_credentials(data, len);
    case SEC_FILE_PYPIRC: return pypirc_has_credentials(data, len);
    case SEC_FILE_NETRC: return netrc_has_credentials(data, len);
    case SEC_FILE_NONE: return false;
    default: return true;
    }
}

/* ---- masking ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t want;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        want = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        want = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        want = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < want || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < want; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return want;
}

void sec_mask(struct str value, char out[SEC_MASK_MAX])
{
    const unsigned char *s = (const unsigned char *)value.ptr;
    size_t n = s ? value.len : 0;
    size_t chars = 0;
    for (size_t i = 0; i < n && chars < 12; chars++) {
        size_t l = utf8_len(s + i, n - i);
        i += l ? l : 1;
    }
    if (chars < 12) {
        memcpy(out, "****", 5);
        return;
    }
    size_t o = 0, i = 0;
    for (size_t c = 0; c < 4; c++) {
        size_t l = utf8_len(s + i, n - i);
        /* C0 and C1 controls and DEL would act on a terminal. */
        bool control =
            l == 1 ? (s[i] < 0x20 || s[i] == 0x7F) : (l == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0);
        if (l == 0 || control) {
            out[o++] = '?';
            i += l ? l : 1;
        } else {
            memcpy(out + o, s + i, l);
            o += l;
            i += l;
        }
    }
    memcpy(out + o, "\xE2\x80\xA6", 4); /* U+2026 and the terminator */
}
