/* The secret scanner behind DW402 (hardcoded-secret), DW403
 * (secret-file-copied) and DW404 (secret-name-in-arg-env), spec secrets.md:
 * provider token shapes, private-key armour, credentials in URLs, HTTP
 * headers and command lines, and the generic `password=...` assignment
 * with its entropy gate and false-positive filters; judging ARG/ENV names
 * and COPY/ADD source names; and the masked form of a secret that every
 * output shows.
 *
 * The patterns are compiled once per process, on first use, behind
 * pthread_once (JIT when PCRE2 has it), so any number of threads may scan
 * at once; every function here is thread-safe. */
#ifndef DW_ANALYZER_SECRETS_H
#define DW_ANALYZER_SECRETS_H

#include "common/compiler.h"
#include "common/span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;

/* ---- what was found ---- */

/* How sure a finding is (secrets.md section 1): high for a prefixed or
 * structured token, medium for a keyword assignment or a credential in a
 * URL, header or command line, low for test-mode keys. */
enum sec_confidence {
    SEC_CONF_LOW = 1,
    SEC_CONF_MEDIUM = 2,
    SEC_CONF_HIGH = 3,
};

/* One kind of secret. The table is static; pointers to it stay valid for
 * the life of the process. */
struct sec_kind {
    const char *id;    /* stable kebab-case id: "github-token", "private-key" */
    const char *title; /* for messages: "GitHub token" */
    enum sec_confidence confidence;
    bool generic; /* found by a keyword, not by the value's shape */
};

/* Every kind, in a fixed order; *n receives the count. */
const struct sec_kind *sec_kinds(size_t *n);
/* The kind with this id, or NULL. */
const struct sec_kind *sec_kind_find(const char *id);

/* Where scanned text comes from; the rules that run and the filters that
 * apply differ (secrets.md sections 4 and 5). */
enum sec_context {
    SEC_CTX_TEXT,    /* the content of a file (a build-context file): all rules */
    SEC_CTX_ENV,     /* an ENV value; give its key in sec_scan_opts.key */
    SEC_CTX_ARG,     /* an ARG default; give its key */
    SEC_CTX_LABEL,   /* a LABEL value; give its key */
    SEC_CTX_RUN,     /* shell text of RUN, CMD, ENTRYPOINT or HEALTHCHECK */
    SEC_CTX_HEREDOC, /* a heredoc body (RUN script or COPY/ADD file) */
    SEC_CTX_URL,     /* one URL: an ADD source, a git remote, a pip index */
};

struct sec_allow; /* compiled secrets.allow patterns; see sec_allow_compile */

struct sec_scan_opts {
    enum sec_context context;
    /* For SEC_CTX_ENV, SEC_CTX_ARG and SEC_CTX_LABEL: the key the text is
     * the value of (STR_NULL when unknown). A secret-sounding key makes the
     * whole value a candidate of the generic rule (`ENV DB_PASSWORD=...`,
     * also the legacy `ENV K v` form), and lets keyword-bound shapes such as
     * the AWS secret access key see their keyword. Ignored elsewhere. */
    struct str key;
    /* The instruction mounts a secret (`RUN --mount=type=secret,...`): the
     * generic rule and the command-line rules are off, as on any line of
     * the text that itself says `--mount=` and `type=secret`. */
    bool secret_mount;
    const struct sec_allow *allow; /* secrets.allow, or NULL */
};

struct sec_finding {
    const struct sec_kind *kind; /* static */
    /* The secret value itself (no quotes, no key, no `user:`), as a byte
     * range of the scanned text. For a private key: the armoured block from
     * `-----BEGIN` through the closing `-----`. */
    struct span value;
    /* The text that identified it (the assignment, URL, header or command
     * option; the value alone for a bare token), clamped to the text. */
    struct span match;
    enum sec_confidence confidence;
    double entropy; /* Shannon entropy of the value, bits per byte */
    /* The value sits inside a URL (`scheme://...`): its userinfo
     * (`https://user:pass@host`, also a token given as the user), a query
     * parameter or a webhook path. */
    bool in_url;
};

/* Largest number of findings one scan returns. */
#define SEC_MAX_FINDINGS 1000
/* Largest text one scan accepts (spans are 32-bit). */
#define SEC_MAX_TEXT ((size_t)256 * 1024 * 1024)

struct sec_results {
    struct sec_finding *items; /* sorted by value.start; arena memory */
    size_t len;
    /* Some findings may be missing: SEC_MAX_FINDINGS was reached, or a
     * pattern hit PCRE2's match limit on pathological input. */
    bool truncated;
};

/* Compiles every pattern (once per process; later calls return the first
 * result). Calling it is optional: sec_scan_text compiles each pattern the
 * first time it needs it. Returns 0, or ERR_INTERNAL naming the pattern
 * that failed (a bug). */
DW_NODISCARD int sec_init(struct err *err);

/* Whether the patterns can run as JIT code (false: the interpreter,
 * because PCRE2 was built without JIT or the JIT could not allocate); a
 * pattern runs interpreted until it has scanned 16 KiB of text in the
 * process. Compiles every pattern, as sec_init does. */
bool sec_jit_enabled(void);

/* Finds every secret in text[0, len) as seen from opts->context (opts may
 * be NULL: SEC_CTX_TEXT, no key, no allow list). Where a generic finding
 * overlaps a specific one, only the specific one is kept; findings whose
 * value matches an allow pattern, a placeholder or a known test value are
 * dropped (secrets.md section 4).
 *
 * Fills *out (items in arena a, borrowed until the arena is released) and
 * returns 0; returns ERR_TOO_LARGE when len > SEC_MAX_TEXT and ERR_INTERNAL
 * when the patterns failed to compile, with out empty. Text may hold any
 * bytes, NULs included. */
DW_NODISCARD int sec_scan_text(struct arena *a, const char *text, size_t len,
                               const struct sec_scan_opts *opts, struct sec_results *out,
                               struct err *err);

/* ---- the allow list (config `secrets.allow`) ---- */

/* Compiles n PCRE2 patterns (unanchored; a finding is dropped when one
 * matches its value). The compiled code lives until arena a is released.
 * Returns 0 and *out, or ERR_INVALID for a pattern PCRE2 rejects, with the
 * message "invalid secrets.allow pattern '<text>': <reason> at offset <n>"
 * and *out NULL. n may be 0. */
DW_NODISCARD int sec_allow_compile(struct arena *a, const struct str *patterns, size_t n,
                                   struct sec_allow **out, struct err *err);
/* Whether some pattern of allow matches value (false when allow is NULL). */
bool sec_allow_matches(const struct sec_allow *allow, struct str value);

/* ---- value tests ---- */

/* Shannon entropy of s in bits per byte: -sum(p * log2 p) over the byte
 * values present; 0 for an empty string. */
double sec_entropy(const char *s, size_t len);

/* Whether value is no literal secret (secrets.md section 4): a variable
 * reference or template (`$X`, `${X}`, `$(cmd)`, `%X%`, `@X@`, `{{ x }}`,
 * `<token>`, `{token}`), a placeholder word (`changeme`, `example`, `xxxxxx`,
 * `your_...`, ...; `password`, `test`, `secret` as the whole value), a
 * boolean or null word, one repeated character, a run of an alphabet in
 * order (`abcdef`, `123456`), or a redaction (`***`, `%2A%2A`). */
bool sec_value_is_placeholder(struct str value);

/* Whether value is one or more OpenPGP key ids or fingerprints (8, 16, 40 or
 * 64 hex digits, optional `0x`, a fingerprint may be written in groups of
 * four), separated by blanks or commas: the exemption of DW404 for
 * `GPG_KEY`-style keys. */
bool sec_value_is_key_fingerprint(struct str value);

/* ---- names ---- */

/* Whether an ARG or ENV key names a secret (secrets.md section 6, DW404):
 * a provider credential name (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, ...,
 * also behind `VITE_`, `REACT_APP_` and `NEXT_PUBLIC_`), or a name that,
 * split on `_`, `-`, `.` and camelCase, has a piece apikey, auth,
 * credential(s), key, password, passwd, pword, secret or token and no piece
 * public, file, path, version, url, name, id or fingerprint. Pieces compare
 * case-insensitively. When why is not NULL it receives, on true, the
 * static word that decided ("token", or "provider credential name"). */
bool sec_name_is_secretish(struct str name, const char **why);

/* ---- secret files (COPY/ADD sources) ---- */

enum sec_file_kind {
    SEC_FILE_NONE,
    SEC_FILE_SSH_KEY,       /* id_rsa*, id_dsa*, id_ecdsa*, id_ed25519* (not *.pub) */
    SEC_FILE_PEM,           /* *.pem, *.key: secret when they hold a private key */
    SEC_FILE_KEYSTORE,      /* *.p12, *.pfx, *.jks */
    SEC_FILE_ENV,           /* .env, .env.* (not .example/.sample/.template/.dist) */
    SEC_FILE_NPMRC,         /* .npmrc: secret when it has credential entries */
    SEC_FILE_PYPIRC,        /* .pypirc: likewise */
    SEC_FILE_NETRC,         /* .netrc: likewise */
    SEC_FILE_GIT_CREDS,     /* .git-credentials */
    SEC_FILE_AWS_CREDS,     /* .aws/credentials */
    SEC_FILE_DOCKER_CONFIG, /* .docker/config.json */
    SEC_FILE_KUBECONFIG,    /* kubeconfig, kubeconfig.*, .kube/config */
    SEC_FILE_TFSTATE,       /* *.tfstate, *.tfstate.backup */
    SEC_FILE_CREDS_JSON,    /* credentials*.json */
    SEC_FILE_OVPN,          /* *.ovpn */
};

struct sec_file_match {
    enum sec_file_kind kind;
    const char *reason; /* static, for messages: "SSH private key" */
    /* Reading the file can clear it (sec_file_content_is_secret). */
    bool content_decides;
};

/* Whether a COPY/ADD source path names a credential file (DW403's list).
 * path uses `/` separators and may be a glob (`*.pem`, `id_rsa*`, `.env*`
 * match as the names they stand for); only the last component and, for
 * `.aws/credentials`, `.docker/config.json` and `.kube/config`, its parent
 * count; extensions compare case-insensitively. Fills *out when not NULL
 * (kind SEC_FILE_NONE on false). */
bool sec_path_is_secret_file(struct str path, struct sec_file_match *out);

/* For a file of a kind with content_decides: whether its content really
 * holds a credential (a private key in a .pem/.key; a literal `_authToken`,
 * `_auth` or `_password` entry in .npmrc; a literal `password` in .pypirc
 * or .netrc). Any other kind: true. */
bool sec_file_content_is_secret(enum sec_file_kind kind, const char *data, size_t len);

/* ---- masking ---- */

/* Bytes sec_mask writes at most, terminator included. */
#define SEC_MASK_MAX 24

/* The form of a secret every output shows (DW402): the first four
 * characters followed by `…` when the value has 12 characters or more,
 * else `****` whatever its length. Characters are UTF-8 code points;
 * control characters and bytes that are not valid UTF-8 show as `?`.
 * Writes a NUL-terminated string into out. */
void sec_mask(struct str value, char out[SEC_MASK_MAX]);

#endif
