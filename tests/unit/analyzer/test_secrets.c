/* The secret scanner: every token shape of secrets.md section 2 with a
 * constructed positive (random characters of the right alphabet, never a
 * real secret) and near misses, the generic rule and its filters, entropy
 * edges, URL credentials, exact spans, the allow list, contexts, limits
 * and several threads scanning at once. Names, files and masking are in
 * test_secrets_names.c. */
#include "analyzer/secrets.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* ---- helpers ---- */

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"
#define ALNUM UPPER LOWER DIGITS
#define B32 UPPER "234567"
#define HEX DIGITS "abcdef"
#define B64 ALNUM "+/"
#define B64URL ALNUM "_-"

/* n characters of alphabet, pseudo-random but fixed by seed, appended to
 * out (NUL-terminated); returns out. */
static char *fake(char *out, size_t n, const char *alphabet, unsigned seed)
{
    size_t k = strlen(alphabet), at = strlen(out);
    uint32_t x = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[at + i] = alphabet[x % k];
    }
    out[at + n] = '\0';
    return out;
}

/* prefix + n fake characters, in a static rotating buffer. */
static const char *tok(const char *prefix, size_t n, const char *alphabet, unsigned seed)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s", prefix);
    return fake(b, n, alphabet, seed);
}

static struct sec_results scan_opts(struct arena *a, const char *text,
                                    const struct sec_scan_opts *opts)
{
    struct sec_results r;
    struct err e;
    int rc = sec_scan_text(a, text, strlen(text), opts, &r, &e);
    if (rc)
        fail_msg("sec_scan_text failed: %s", e.msg);
    return r;
}

static struct sec_results scan_ctx(struct arena *a, enum sec_context ctx, const char *text)
{
    struct sec_scan_opts o = { ctx, STR_NULL, false, NULL };
    return scan_opts(a, text, &o);
}

static void dump(const char *text, const struct sec_results *r)
{
    for (size_t i = 0; i < r->len; i++)
        print_message("  %s [%u,%u) '%.*s' H=%.2f%s\n", r->items[i].kind->id,
                      r->items[i].value.start, r->items[i].value.end,
                      (int)span_len(r->items[i].value), text + r->items[i].value.start,
                      r->items[i].entropy, r->items[i].in_url ? " in-url" : "");
}

/* Exactly one finding, of kind id, whose value is the first occurrence of
 * value in text. */
static struct sec_finding expect_one_opts(const char *text, const struct sec_scan_opts *o,
                                          const char *id, const char *value)
{
    struct arena a;
    arena_init(&a);
    struct sec_results r = scan_opts(&a, text, o);
    const char *at = strstr(text, value);
    if (!at)
        fail_msg("test bug: '%s' not in '%s'", value, text);
    uint32_t vs = (uint32_t)(at - text), ve = vs + (uint32_t)strlen(value);
    if (r.len != 1 || strcmp(r.items[0].kind->id, id) != 0 || r.items[0].value.start != vs ||
        r.items[0].value.end != ve) {
        print_message("text: %s\nwant: %s [%u,%u)\ngot %zu:\n", text, id, vs, ve, r.len);
        dump(text, &r);
        arena_release(&a);
        fail();
    }
    struct sec_finding f = r.items[0];
    arena_release(&a);
    return f;
}

static struct sec_finding expect_one(enum sec_context ctx, const char *text, const char *id,
                                     const char *value)
{
    struct sec_scan_opts o = { ctx, STR_NULL, false, NULL };
    return expect_one_opts(text, &o, id, value);
}

static void expect_none_opts(const char *text, const struct sec_scan_opts *o)
{
    struct arena a;
    arena_init(&a);
    struct sec_results r = scan_opts(&a, text, o);
    if (r.len != 0) {
        print_message("text: %s\nwant nothing, got %zu:\n", text, r.len);
        dump(text, &r);
        arena_release(&a);
        fail();
    }
    arena_release(&a);
}

static void expect_none(enum sec_context ctx, const char *text)
{
    struct sec_scan_opts o = { ctx, STR_NULL, false, NULL };
    expect_none_opts(text, &o);
}

/* No finding of kind id (others may exist). */
static void expect_no_kind(enum sec_context ctx, const char *text, const char *id)
{
    struct arena a;
    arena_init(&a);
    struct sec_results r = scan_ctx(&a, ctx, text);
    for (size_t i = 0; i < r.len; i++) {
        if (strcmp(r.items[i].kind->id, id) == 0) {
            print_message("text: %s\nunexpected %s:\n", text, id);
            dump(text, &r);
            arena_release(&a);
            fail();
        }
    }
    arena_release(&a);
}

static char T[8192];

/* printf into T. */
DW_PRINTF(1, 2) static const char *text(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(T, sizeof T, fmt, ap);
    va_end(ap);
    return T;
}

/* ---- init, kinds ---- */

static void test_init_and_kinds(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(sec_init(&e), 0);
    print_message("JIT: %s\n", sec_jit_enabled() ? "on" : "off");
    size_t n;
    const struct sec_kind *k = sec_kinds(&n);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(k[i].id);
        assert_non_null(k[i].title);
        for (const char *p = k[i].id; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(k[i].id, k[j].id);
        assert_ptr_equal(sec_kind_find(k[i].id), &k[i]);
    }
    assert_null(sec_kind_find("no-such-kind"));
    assert_null(sec_kind_find(NULL));
    assert_true(sec_kind_find("generic-password")->generic);
    assert_false(sec_kind_find("github-token")->generic);
    assert_int_equal(sec_kind_find("stripe-test-key")->confidence, SEC_CONF_LOW);
    assert_int_equal(sec_kind_find("private-key")->confidence, SEC_CONF_HIGH);
    assert_int_equal(sec_kind_find("generic-secret")->confidence, SEC_CONF_MEDIUM);
}

/* ---- entropy ---- */

static void test_entropy(void **state)
{
    (void)state;
    assert_true(sec_entropy("", 0) == 0.0);
    assert_true(sec_entropy("aaaa", 4) == 0.0);
    assert_true(sec_entropy("ab", 2) == 1.0);
    assert_true(sec_entropy("abcd", 4) == 2.0);
    assert_true(sec_entropy("aabb", 4) == 1.0);
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    assert_true(sec_entropy(all, 256) == 8.0);
    /* 8 characters once and 4 twice: exactly 3.5 bits, the generic gate,
     * which needs strictly more. */
    assert_true(sec_entropy("kqwzmprt33557799", 16) == 3.5);
    expect_none(SEC_CTX_RUN, "export DB_PASSWORD=kqwzmprt33557799");
    /* One more distinct character passes. */
    assert_true(sec_entropy("kqwzmprt3355779y", 16) > 3.5);
    expect_one(SEC_CTX_RUN, "export DB_PASSWORD=kqwzmprt3355779y", "generic-password",
               "kqwzmprt3355779y");
    /* A value of 11 characters can never pass 3.5 (log2 11 < 3.5). */
    expect_none(SEC_CTX_RUN, "export DB_PASSWORD=Zx9!kQ2#pL7");
    /* Prefixed tokens have lower gates: a GitHub token whose body is two
     * characters is rejected (entropy ~1.9), a random one is not. */
    char low[64] = "ghp_";
    for (int i = 0; i < 36; i++)
        strncat(low, i % 2 ? "a" : "b", 2);
    expect_none(SEC_CTX_RUN, low);
    const char *g = tok("ghp_", 36, ALNUM, 1);
    expect_one(SEC_CTX_RUN, g, "github-token", g);
}

/* ---- token shapes ---- */

static void test_aws(void **state)
{
    (void)state;
    const char *id = tok("AKIA", 16, B32, 11);
    struct sec_finding f = expect_one(SEC_CTX_RUN, text("ENV_X=%s", id), "aws-access-key-id", id);
    assert_int_equal(f.confidence, SEC_CONF_HIGH);
    const char *asia = tok("ASIA", 16, B32, 12);
    expect_one(SEC_CTX_TEXT, asia, "aws-access-key-id", asia);
    const char *a3t = tok("A3TX", 16, B32, 13);
    expect_one(SEC_CTX_TEXT, a3t, "aws-access-key-id", a3t);
    /* near misses */
    expect_none(SEC_CTX_TEXT, tok("AKIA", 15, B32, 11));
    expect_none(SEC_CTX_TEXT, text("X%s", tok("AKIA", 16, B32, 11)));
    expect_none(SEC_CTX_TEXT, text("%sQ", tok("AKIA", 16, B32, 11)));
    expect_none(SEC_CTX_TEXT, "AKIA0189018901890189"); /* 0, 1, 8, 9 are not base32 */
    expect_none(SEC_CTX_TEXT, "akia"
                              "abcdefghijklmnop");
    expect_none(SEC_CTX_TEXT, "AKIAIOSFODNN7EXAMPLE"); /* the AWS docs' example id */
    expect_none(SEC_CTX_TEXT, "AKIAAAAAAAAAAAAAAAAA");

    /* The secret key, bound to its name. */
    const char *sk = tok("", 40, B64, 14);
    f = expect_one(SEC_CTX_RUN, text("aws_secret_access_key = %s", sk), "aws-secret-access-key",
                   sk);
    assert_int_equal(f.match.start, 0);
    expect_one(SEC_CTX_HEREDOC, text("{\"AwsSecretKey\": \"%s\"}", sk), "aws-secret-access-key",
               sk);
    /* As an ENV value with the name as the key. */
    struct sec_scan_opts o = { SEC_CTX_ENV, STR_LIT("AWS_SECRET_ACCESS_KEY"), false, NULL };
    f = expect_one_opts(sk, &o, "aws-secret-access-key", sk);
    assert_int_equal(f.value.start, 0);
    assert_int_equal(f.value.end, 40);
    assert_int_equal(f.match.start, 0);
    /* A SHA-1 lookalike is no AWS key; the docs' example key is nothing. */
    expect_no_kind(SEC_CTX_RUN, text("aws_secret_access_key=%s", tok("", 40, HEX, 15)),
                   "aws-secret-access-key");
    expect_none(SEC_CTX_RUN, "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    /* 40 characters without the name mean nothing; 41 are no key. */
    expect_none(SEC_CTX_RUN, text("echo %s", sk));
    expect_no_kind(SEC_CTX_RUN, text("aws_secret_access_key=%sQ", sk), "aws-secret-access-key");
}

static void test_github_gitlab(void **state)
{
    (void)state;
    static const char *const prefixes[] = { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" };
    for (unsigned i = 0; i < 5; i++) {
        const char *t = tok(prefixes[i], 36, ALNUM, 20 + i);
        expect_one(SEC_CTX_RUN, text("git clone --config x=%s repo", t), "github-token", t);
    }
    expect_none(SEC_CTX_RUN, tok("ghp_", 35, ALNUM, 20));
    expect_none(SEC_CTX_RUN, tok("ghx_", 36, ALNUM, 20));
    expect_none(SEC_CTX_RUN, tok("ghp_", 37, ALNUM, 20));
    expect_none(SEC_CTX_RUN, text("x%s", tok("ghp_", 36, ALNUM, 20)));
    char fg[200] = "github_pat_";
    fake(fg, 22, ALNUM, 25);
    strcat(fg, "_");
    fake(fg, 59, ALNUM, 26);
    expect_one(SEC_CTX_RUN, text("GH=%s", fg), "github-fine-grained-pat", fg);
    fg[strlen(fg) - 1] = '\0';
    expect_none(SEC_CTX_TEXT, fg);

    const char *pat = tok("glpat-", 20, B64URL, 27);
    expect_one(SEC_CTX_RUN, text("echo %s", pat), "gitlab-token", pat);
    expect_none(SEC_CTX_RUN, tok("glpat-", 19, ALNUM, 27));
    char routable[200] = "glpat-";
    fake(routable, 40, ALNUM, 28);
    strcat(routable, ".");
    fake(routable, 9, LOWER DIGITS, 29);
    expect_one(SEC_CTX_TEXT, routable, "gitlab-token", routable);
    const char *dt = tok("gldt-", 20, ALNUM, 30);
    expect_one(SEC_CTX_TEXT, dt, "gitlab-token", dt);
    const char *rt = tok("glrt-", 24, ALNUM, 31);
    expect_one(SEC_CTX_TEXT, rt, "gitlab-token", rt);
    const char *ptt = tok("glptt-", 40, HEX, 32);
    expect_one(SEC_CTX_TEXT, ptt, "gitlab-token", ptt);
    expect_none(SEC_CTX_TEXT, tok("glptt-", 40, "ghijklmnopqrstuvwxyz", 32));
    const char *reg = tok("GR1348941", 20, B64URL, 33);
    expect_one(SEC_CTX_TEXT, reg, "gitlab-runner-registration-token", reg);
    expect_none(SEC_CTX_TEXT, tok("GR1348941", 19, ALNUM, 33));
}

static void test_slack_stripe_google(void **state)
{
    (void)state;
    char bot[200] = "xoxb-";
    fake(bot, 11, DIGITS, 40);
    strcat(bot, "-");
    fake(bot, 12, DIGITS, 41);
    strcat(bot, "-");
    fake(bot, 24, ALNUM, 42);
    expect_one(SEC_CTX_RUN, text("SLACK=%s ./notify", bot), "slack-token", bot);
    expect_none(SEC_CTX_RUN, "xoxb-123-abc"); /* team part too short */
    const char *cfg = tok("xoxe-1-", 40, ALNUM, 43);
    expect_one(SEC_CTX_TEXT, cfg, "slack-token", cfg);
    char app[200] = "xapp-1-A";
    fake(app, 10, UPPER DIGITS, 44);
    strcat(app, "-");
    fake(app, 13, DIGITS, 45);
    strcat(app, "-");
    fake(app, 64, LOWER DIGITS, 46);
    expect_one(SEC_CTX_TEXT, app, "slack-app-token", app);
    char hook[200] = "T";
    fake(hook, 8, UPPER DIGITS, 47);
    strcat(hook, "/B");
    fake(hook, 10, UPPER DIGITS, 48);
    strcat(hook, "/");
    fake(hook, 24, ALNUM, 49);
    struct sec_finding f =
        expect_one(SEC_CTX_RUN, text("curl -X POST https://hooks.slack.com/services/%s -d x", hook),
                   "slack-webhook-url", hook);
    assert_true(f.in_url);
    expect_none(SEC_CTX_RUN, "curl https://hooks.slack.com/services/T000/B000/short");

    const char *live = tok("sk_live_", 24, ALNUM, 50);
    f = expect_one(SEC_CTX_ENV, live, "stripe-secret-key", live);
    assert_int_equal(f.confidence, SEC_CONF_HIGH);
    const char *test = tok("sk_test_", 24, ALNUM, 51);
    f = expect_one(SEC_CTX_ENV, test, "stripe-test-key", test);
    assert_int_equal(f.confidence, SEC_CONF_LOW);
    const char *rk = tok("rk_prod_", 30, ALNUM, 52);
    expect_one(SEC_CTX_ENV, rk, "stripe-secret-key", rk);
    expect_none(SEC_CTX_ENV, tok("sk_live_", 9, ALNUM, 50));
    expect_none(SEC_CTX_ENV, tok("sk_beta_", 24, ALNUM, 50));
    expect_none(SEC_CTX_ENV, "sk_test_4eC39HqLyjWDarjtT1zdp7dc"); /* Stripe's docs key */

    const char *g = tok("AIza", 35, B64URL, 53);
    expect_one(SEC_CTX_URL, text("https://maps.googleapis.com/api?key=%s", g), "google-api-key", g);
    expect_none(SEC_CTX_TEXT, tok("AIza", 34, ALNUM, 53));
    expect_none(SEC_CTX_TEXT, tok("AIza", 36, ALNUM, 53));
}

static char *pem(char *out, size_t size, const char *type, size_t body, bool end)
{
    char b[4096] = "";
    for (size_t done = 0; done < body; done += 64) {
        size_t n = body - done < 64 ? body - done : 64;
        fake(b, n, B64, (unsigned)(body + done));
        strcat(b, "\n");
    }
    snprintf(out, size, "-----BEGIN %s-----\n%s%s%s%s", type, b, end ? "-----END " : "",
             end ? type : "", end ? "-----" : "");
    return out;
}

static void test_private_keys(void **state)
{
    (void)state;
    static const char *const types[] = {
        "RSA PRIVATE KEY",     "EC PRIVATE KEY",        "DSA PRIVATE KEY",       "PRIVATE KEY",
        "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK",
    };
    char key[4096];
    for (size_t i = 0; i < DW_ARRAY_LEN(types); i++) {
        pem(key, sizeof key, types[i], 256, true);
        /* The span is the whole armoured block. */
        struct sec_finding f =
            expect_one(SEC_CTX_HEREDOC, text("cat <<EOF\n%s\nEOF\n", key), "private-key", key);
        assert_int_equal(f.confidence, SEC_CONF_HIGH);
    }
    /* Without its end line (cut off): the base64 run. */
    pem(key, sizeof key, "RSA PRIVATE KEY", 128, false);
    key[strlen(key) - 1] = '\0'; /* the last newline */
    expect_one(SEC_CTX_TEXT, text("%s\n\"\n", key), "private-key", key);
    /* Stubs and public material. */
    expect_none(SEC_CTX_TEXT,
                "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n");
    expect_none(SEC_CTX_TEXT, "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE "
                              "KEY-----\n");
    expect_none(SEC_CTX_TEXT, pem(key, sizeof key, "PUBLIC KEY", 256, true));
    expect_none(SEC_CTX_TEXT, pem(key, sizeof key, "CERTIFICATE", 256, true));
    char same[512] = "-----BEGIN PRIVATE KEY-----\n";
    for (int i = 0; i < 100; i++)
        strcat(same, "A");
    strcat(same, "\n-----END PRIVATE KEY-----\n");
    expect_none(SEC_CTX_TEXT, same);
    /* RUN echo with \n escapes keeps the body on one line. */
    char one[1024] = "-----BEGIN OPENSSH PRIVATE KEY-----\\n";
    fake(one, 200, B64, 60);
    strcat(one, "\\n-----END OPENSSH PRIVATE KEY-----");
    expect_one(SEC_CTX_RUN, text("echo \"%s\" > /root/.ssh/id_rsa", one), "private-key", one);
    /* SSH2 and PuTTY. */
    char ssh2[2048] = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"k\"\n";
    fake(ssh2, 64, B64, 61);
    strcat(ssh2, "\n");
    fake(ssh2, 64, B64, 62);
    strcat(ssh2, "\n---- END SSH2 ENCRYPTED PRIVATE KEY ----");
    expect_one(SEC_CTX_TEXT, text("%s\n", ssh2), "private-key", ssh2);
    char putty[2048] = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\n"
                       "Public-Lines: 2\n";
    fake(putty, 64, B64, 63);
    strcat(putty, "\n");
    fake(putty, 20, B64, 64);
    strcat(putty, "\nPrivate-Lines: 1\n");
    fake(putty, 44, B64, 65);
    expect_one(SEC_CTX_TEXT, text("%s\nPrivate-MAC: 00\n", putty), "private-key", putty);
    expect_none(SEC_CTX_TEXT, "PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 1\nAAAA\n");
}

static void test_jwt_npm_pypi_docker(void **state)
{
    (void)state;
    char jwt[512] = "eyJhbGciOiJIUzI1NiJ9.eyJ";
    fake(jwt, 40, B64URL, 70);
    strcat(jwt, ".");
    fake(jwt, 43, B64URL, 71);
    struct sec_finding f = expect_one(SEC_CTX_RUN, text("curl -d 'jwt=%s' x", jwt), "jwt", jwt);
    (void)f;
    expect_none(SEC_CTX_RUN, "eyJhbGciOiJIUzI1NiJ9.notajwt.x");
    /* jwt.io's sample token is a published test value. */
    expect_none(SEC_CTX_TEXT,
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG"
                "4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");

    const char *npm = tok("npm_", 36, ALNUM, 72);
    expect_one(SEC_CTX_RUN, text("NPM=%s npm ci", npm), "npm-token", npm);
    expect_none(SEC_CTX_RUN, tok("npm_", 35, ALNUM, 72));
    /* .npmrc entries: a legacy UUID token after _authToken. */
    const char *uuid = "8f3c2a91-5d7e-4b6a-9c0f-1e2d3c4b5a69";
    f = expect_one(SEC_CTX_HEREDOC, text("//registry.npmjs.org/:_authToken=%s\n", uuid), "npm-auth",
                   uuid);
    expect_one(SEC_CTX_RUN, text("echo \"//npm.pkg.github.com/:_authToken=%s\" > ~/.npmrc", uuid),
               "npm-auth", uuid);
    expect_one(SEC_CTX_RUN, text("npm config set //registry.npmjs.org/:_authToken %s", uuid),
               "npm-auth", uuid);
    expect_one(SEC_CTX_TEXT,
               text("registry=https://r.internal/\n_auth=%s\n", "dXNlcjpwYXNzd29yZA=="), "npm-auth",
               "dXNlcjpwYXNzd29yZA==");
    expect_none(SEC_CTX_RUN,
                "echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > /root/.npmrc");
    expect_none(SEC_CTX_HEREDOC, "//registry.npmjs.org/:_authToken=$NPM_TOKEN\n");

    const char *pypi = tok("pypi-AgEIcHlwaS5vcmc", 80, B64URL, 73);
    expect_one(SEC_CTX_RUN, text("twine upload -p %s dist/*", pypi), "pypi-token", pypi);
    const char *testpypi = tok("pypi-AgENdGVzdC5weXBpLm9yZw", 70, B64URL, 74);
    expect_one(SEC_CTX_TEXT, testpypi, "pypi-token", testpypi);
    expect_none(SEC_CTX_TEXT, tok("pypi-AgEIcHlwaS5vcmc", 20, B64URL, 73));

    const char *pat = tok("dckr_pat_", 27, B64URL, 75);
    expect_one(SEC_CTX_RUN, text("echo %s | docker login -u me --password-stdin", pat),
               "dockerhub-token", pat);
    const char *oat = tok("dckr_oat_", 32, B64URL, 76);
    expect_one(SEC_CTX_TEXT, oat, "dockerhub-token", oat);
    expect_none(SEC_CTX_TEXT, tok("dckr_pat_", 26, ALNUM, 75));
}

static void test_azure_llm(void **state)
{
    (void)state;
    char az[100] = "";
    fake(az, 3, ALNUM, 80);
    strcat(az, "8Q~");
    fake(az, 34, ALNUM "_~.-", 81);
    expect_one(SEC_CTX_ENV, az, "azure-client-secret", az);
    char az_bad[100] = "";
    fake(az_bad, 3, ALNUM, 80);
    strcat(az_bad, "xQ~"); /* index 3 must be a digit */
    fake(az_bad, 34, ALNUM, 81);
    expect_none(SEC_CTX_ENV, az_bad);

    char acct[200] = "";
    fake(acct, 86, B64, 82);
    strcat(acct, "==");
    expect_one(SEC_CTX_ENV,
               text("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=%s;"
                    "EndpointSuffix=core.windows.net",
                    acct),
               "azure-storage-key", acct);

    char sig[100] = "";
    fake(sig, 40, ALNUM, 83);
    strcat(sig, "%3D");
    struct sec_finding f =
        expect_one(SEC_CTX_URL,
                   text("https://acct.blob.core.windows.net/c/b.tgz?sv=2022-11-02&ss=b&srt=o&sp=r&"
                        "se=2030-01-01T00:00:00Z&sig=%s",
                        sig),
                   "azure-sas-token", sig);
    assert_true(f.in_url);
    /* The version may come last; without it the signature is a plain query
     * credential. */
    expect_one(SEC_CTX_URL,
               text("https://a.blob.core.windows.net/c/b?sp=r&sig=%s&sv=2022-11-02", sig),
               "azure-sas-token", sig);
    expect_one(SEC_CTX_URL, text("https://a.blob.core.windows.net/c/b?sp=r&sig=%s", sig),
               "url-query-token", sig);

    char openai[300] = "sk-proj-";
    fake(openai, 40, B64URL, 84);
    strcat(openai, "T3BlbkFJ");
    fake(openai, 40, B64URL, 85);
    expect_one(SEC_CTX_ENV, openai, "openai-api-key", openai);
    expect_none(SEC_CTX_ENV, tok("sk-proj-", 88, ALNUM, 84)); /* no OpenAI marker */
    char ant[300] = "sk-ant-api03-";
    fake(ant, 93, B64URL, 86);
    strcat(ant, "AA");
    expect_one(SEC_CTX_ENV, ant, "anthropic-api-key", ant);
    ant[strlen(ant) - 1] = 'B';
    expect_none(SEC_CTX_ENV, ant);
    const char *hf = tok("hf_", 34, UPPER LOWER, 87);
    expect_one(SEC_CTX_ENV, hf, "huggingface-token", hf);
    expect_none(SEC_CTX_ENV, tok("hf_", 34, ALNUM DIGITS DIGITS, 87));
}

/* ---- URLs ---- */

static void test_url_credentials(void **state)
{
    (void)state;
    struct sec_finding f =
        expect_one(SEC_CTX_RUN, "git clone https://deploy:Zx9kQ2pL7wR4@git.corp.io/org/repo.git",
                   "url-credentials", "Zx9kQ2pL7wR4");
    assert_true(f.in_url);
    assert_int_equal(f.confidence, SEC_CONF_MEDIUM);
    /* The match is the URL up to the host. */
    assert_int_equal(f.match.start, strlen("git clone "));
    expect_one(SEC_CTX_URL, "https://u:p4ss@h.io/archive.tar.gz", "url-credentials", "p4ss");
    expect_one(SEC_CTX_RUN,
               "pip install --index-url https://__token__:Qm7!zR2x@pypi.corp.io/simple pkg",
               "url-credentials", "Qm7!zR2x");
    expect_one(SEC_CTX_ENV, "postgres://app:s3cr3t-Pw@db:5432/app", "url-credentials", "s3cr3t-Pw");
    /* A password may hold ':'. */
    expect_one(SEC_CTX_URL, "ftp://u:a:b:c9@h/x", "url-credentials", "a:b:c9");
    /* Not literal, redacted or placeholders. */
    expect_none(SEC_CTX_RUN, "git clone https://oauth2:${GITLAB_TOKEN}@gitlab.com/x/y.git");
    expect_none(SEC_CTX_RUN, "git clone https://x:$TOKEN@github.com/x/y.git");
    expect_none(SEC_CTX_RUN, "git clone https://x:$(cat /run/secrets/t)@github.com/x/y.git");
    expect_none(SEC_CTX_URL, "https://user:****@host/x");
    expect_none(SEC_CTX_URL, "https://user:%2A%2A%2A@host/x");
    expect_none(SEC_CTX_URL, "https://user:changeme@host/x");
    expect_none(SEC_CTX_URL, "https://user:password@host/x");
    expect_none(SEC_CTX_URL, "https://<user>:<pass>@host/x");
    expect_none(SEC_CTX_URL, "https://user:ab@host/x"); /* too short to judge */
    expect_none(SEC_CTX_URL, "http://localhost:8080/path");
    expect_none(SEC_CTX_URL, "https://user@host/x");
    /* A token as the password or the user: the token kind, in the URL. */
    const char *gh = tok("ghp_", 36, ALNUM, 90);
    f = expect_one(SEC_CTX_RUN, text("git clone https://x-access-token:%s@github.com/o/r", gh),
                   "github-token", gh);
    assert_true(f.in_url);
    f = expect_one(SEC_CTX_RUN, text("git clone https://%s@github.com/o/r", gh), "github-token",
                   gh);
    assert_true(f.in_url);
    f = expect_one(SEC_CTX_RUN, text("echo %s", gh), "github-token", gh);
    assert_false(f.in_url);
}

static void test_url_query(void **state)
{
    (void)state;
    struct sec_finding f = expect_one(
        SEC_CTX_URL, "https://dl.corp.io/pkg.tgz?version=3&access_token=Zx9kQ2pL7wR4vB8n",
        "url-query-token", "Zx9kQ2pL7wR4vB8n");
    assert_true(f.in_url);
    expect_one(SEC_CTX_RUN, "curl -fsSL 'https://api.corp.io/v1/x?token=Zx9kQ2pL7wR4vB8n&y=1'",
               "url-query-token", "Zx9kQ2pL7wR4vB8n");
    expect_one(SEC_CTX_URL,
               "https://bucket.s3.amazonaws.com/k?X-Amz-Signature=9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c",
               "url-query-token", "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c");
    expect_none(SEC_CTX_URL, "https://dl.corp.io/pkg.tgz?token=${TOKEN}");
    expect_none(SEC_CTX_URL, "https://dl.corp.io/pkg.tgz?page=2&sort=name");
    expect_none(SEC_CTX_URL, "https://dl.corp.io/pkg.tgz?token_type=bearer12345");
    expect_none(SEC_CTX_URL, "https://dl.corp.io/pkg.tgz?token=aaaaaaaaaaaa");
}

/* ---- the generic rule ---- */

static void test_generic(void **state)
{
    (void)state;
    const char *v = "Zx9kQ2pL7wR4vB8n";
    expect_one(SEC_CTX_RUN, text("export API_KEY=%s && ./run", v), "generic-api-key", v);
    expect_one(SEC_CTX_RUN, text("export DB_PASSWORD='%s'", v), "generic-password", v);
    expect_one(SEC_CTX_RUN, text("./run --config auth.token=%s", v), "generic-token", v);
    expect_one(SEC_CTX_HEREDOC, text("{\n  \"client_secret\": \"%s\"\n}\n", v), "generic-secret",
               v);
    expect_one(SEC_CTX_HEREDOC, text("db:\n  password: %s\n", v), "generic-password", v);
    expect_one(SEC_CTX_TEXT, text("my %%conf = ('db_pass' => '%s');", v), "generic-password", v);
    expect_one(SEC_CTX_TEXT, text("SECRET_KEY := \"%s\"", v), "generic-secret", v);
    expect_one(SEC_CTX_TEXT, text("dbPassword=%s", v), "generic-password", v);
    expect_one(SEC_CTX_LABEL, text("com.corp.deploy-token=%s", v), "generic-token", v);

    /* Filters of secrets.md section 4. */
    static const char *const none[] = {
        "export DB_PASSWORD=${DB_PASSWORD}",
        "export DB_PASSWORD=$DB_PASSWORD_FROM_ENV",
        "export DB_PASSWORD=\"$(cat /run/secrets/db)\"",
        "export DB_PASSWORD=%DB_PASSWORD_VALUE%",
        "password: {{ .Values.db.password }}",
        "password: ${{ secrets.DB_PASSWORD }}",
        "api_key=<your-api-key-here>",
        "api_key={api_key_value}",
        "export DB_PASSWORD=changeme123456",
        "export DB_PASSWORD=example-pass-1",
        "export DB_PASSWORD=my_dummy_pw_1",
        "export DB_PASSWORD=xxxxxxxxxxxxxxxx",
        "export DB_PASSWORD=abcdefghijklmn",
        "export DB_PASSWORD=0123456789",
        "export DB_PASSWORD=correcthorsebatterystaple", /* letters only */
        "export DB_PASSWORD=12345678901234567",         /* no letters */
        "export TOKEN_PATH=/run/secrets/token_value_1",
        "secret_file=/etc/app/secret-v2.conf",
        "api_key=123e4567-e89b-12d3-a456-426614174000", /* a UUID */
        "password = get_secret(\"db-main-01\")",
        "password = os.environ[\"DB_PASSWORD_1\"]",
        "password = process.env.DB_PASSWORD_1",
        "author=JohnSmith-1234x",
        "key_name=deploy-key-2024x",
        "public_key=Zx9kQ2pL7wR4vB8n",
        "primary_key=Zx9kQ2pL7wR4vB8n",
        "csrf_token=Zx9kQ2pL7wR4vB8n",
        "monkey=Zx9kQ2pL7wR4vB8n",
        "turkey=Zx9kQ2pL7wR4vB8n",
        "accessibility=Zx9kQ2pL7wR4vB8n",
        "API_VERSION=2024-01-01.preview7",
        "client_id=Zx9kQ2pL7wR4vB8n",
        "token_url=https://auth.corp.io/oauth/token1",
        "SECRET_NAME=Zx9kQ2pL7wR4vB8n",
        "ENV_NAME=Zx9kQ2pL7wR4vB8n", /* not a secret key at all */
        "password=Zx9kQ2pL7",        /* too short */
        "ENV GPG_KEY=B42F6819007F00F88E364FD4036A9C25BF357DD4",
        /* seen in real Dockerfiles */
        "$cancelTokenSource = [System.Threading.CancellationTokenSource]::new();",
        "docker run -v /etc/passwd:/etc/passwd:ro img",
        "Culture=Neutral, PublicKeyToken=31bf3856ad364e35, processorArchitecture=amd64",
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(none); i++)
        expect_none(SEC_CTX_RUN, none[i]);
    /* Generic rules are off on a line that mounts a secret. */
    expect_none(SEC_CTX_RUN, text("--mount=type=secret,id=t API_TOKEN=%s ./x", v));
    expect_none(SEC_CTX_RUN, text("--mount=id=t,type=secret \\\n    API_TOKEN=%s ./x", v));
    struct sec_scan_opts o = { SEC_CTX_RUN, STR_NULL, true, NULL };
    expect_none_opts(text("API_TOKEN=%s ./x", v), &o);
    /* ... but another line is judged, and prefixed tokens still count. */
    expect_one(SEC_CTX_HEREDOC, text("--mount=type=secret,id=x\nAPI_TOKEN=%s\n", v),
               "generic-token", v);
    const char *gh = tok("ghp_", 36, ALNUM, 91);
    expect_one(SEC_CTX_RUN, text("--mount=type=secret,id=t GH_TOKEN=%s ./x", gh), "github-token",
               gh);
    /* Specific beats generic on the same value. */
    expect_one(SEC_CTX_RUN, text("export GITHUB_TOKEN=%s", gh), "github-token", gh);
    /* A value with blanks in quotes is not read by the generic rule... */
    expect_none(SEC_CTX_RUN, "export DB_PASSWORD=\"Zx9k Q2pL 7wR4\"");
    /* ... but a keyed ENV value is judged whole. */
    struct sec_scan_opts env = { SEC_CTX_ENV, STR_LIT("DB_PASSWORD"), false, NULL };
    expect_one_opts("Zx9k Q2pL 7wR4 vB8n", &env, "generic-password", "Zx9k Q2pL 7wR4 vB8n");
    expect_one_opts("\"Zx9kQ2pL7wR4vB8n\"", &env, "generic-password", "Zx9kQ2pL7wR4vB8n");
    expect_none_opts("${DB_PASSWORD}", &env);
    expect_none_opts("changeme", &env);
    struct sec_scan_opts gpg = { SEC_CTX_ENV, STR_LIT("GPG_KEY"), false, NULL };
    expect_none_opts("B42F6819007F00F88E364FD4036A9C25BF357DD4", &gpg);
    struct sec_scan_opts label = { SEC_CTX_LABEL, STR_LIT("org.opencontainers.image.authors"),
                                   false, NULL };
    expect_none_opts("Jane Doe <jane9@corp.io>", &label);
    struct sec_scan_opts arg = { SEC_CTX_ARG, STR_LIT("NPM_TOKEN"), false, NULL };
    expect_one_opts(v, &arg, "generic-token", v);
}

/* ---- headers and command lines ---- */

/* The keyword prefilter (three bytes at a time, case folded) must let
 * every keyword through whatever its case and wherever it sits: at the
 * text's first byte, after any number of filler bytes, in upper, lower
 * and mixed case; and a two-byte keyword (pw) ends the text. */
static void test_keywords_any_case_and_place(void **state)
{
    (void)state;
    const char *v = "Zx9kQ2pL7wR4vB8n";
    static const char *const keys[] = { "DB_PASSWORD", "db_password", "Db_PassWord",
                                        "AUTH_TOKEN",  "auth_token",  "aUtH_tOkEn",
                                        "DB_PW",       "db_pw",       "SECRET" };
    static const char *const ids[] = { "generic-password", "generic-password", "generic-password",
                                       "generic-token",    "generic-token",    "generic-token",
                                       "generic-password", "generic-password", "generic-secret" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (int pad = 0; pad < 10; pad++)
            expect_one(SEC_CTX_RUN, text("%.*s%s=%s", pad, "echo x; #", keys[k], v), ids[k], v);
    const char *ghp = tok("ghp_", 36, ALNUM, 7);
    for (int pad = 0; pad < 4; pad++)
        expect_one(SEC_CTX_TEXT, text("%.*s%s", pad, "   ", ghp), "github-token", ghp);
    const char *id = tok("AKIA", 16, B32, 11);
    expect_one(SEC_CTX_TEXT, id, "aws-access-key-id", id);
    expect_none(SEC_CTX_RUN, "echo pw");
    expect_none(SEC_CTX_RUN, "PW");
    /* The operator after the key, its closing quote and blanks (the
     * generic rule asks PCRE2 only when one is there). */
    expect_one(SEC_CTX_HEREDOC, text("{\"db_password\" \t: \"%s\"}", v), "generic-password", v);
    expect_one(SEC_CTX_HEREDOC, text("{'db_password':'%s'}", v), "generic-password", v);
    expect_one(SEC_CTX_TEXT, text("api_key \t=> '%s'", v), "generic-api-key", v);
    expect_none(SEC_CTX_RUN, text("echo db_password %s", v));
    expect_none(SEC_CTX_RUN, text("echo db_password"));
}

static void test_headers(void **state)
{
    (void)state;
    const char *v = "Zx9kQ2pL7wR4vB8n";
    expect_one(SEC_CTX_RUN, text("curl -H \"Authorization: Bearer %s\" https://api.corp.io", v),
               "http-auth-header", v);
    expect_one(SEC_CTX_RUN, text("wget --header='authorization: token %s' https://x.io/a", v),
               "http-auth-header", v);
    expect_one(SEC_CTX_RUN, text("curl -H 'X-Api-Key: %s' https://api.corp.io", v),
               "http-auth-header", v);
    expect_one(SEC_CTX_RUN, text("curl --header \"PRIVATE-TOKEN: %s\" https://gl.corp.io", v),
               "http-auth-header", v);
    expect_none(SEC_CTX_RUN, "curl -H \"Authorization: Bearer $TOKEN\" https://api.corp.io");
    expect_none(SEC_CTX_RUN, "curl -H \"Authorization: Bearer ${TOKEN}\" https://api.corp.io");
    expect_none(SEC_CTX_RUN, "curl -H 'Authorization: Basic <base64>' https://api.corp.io");
    /* A JWT bearer is reported as the JWT. */
    char jwt[512] = "eyJhbGciOiJSUzI1NiJ9.eyJ";
    fake(jwt, 40, B64URL, 92);
    strcat(jwt, ".");
    fake(jwt, 43, B64URL, 93);
    expect_one(SEC_CTX_RUN, text("curl -H 'Authorization: Bearer %s' x", jwt), "jwt", jwt);
}

static void test_command_lines(void **state)
{
    (void)state;
    static const struct {
        const char *cmd, *value;
    } hits[] = {
        { "curl -fsSL -u admin:Zx9kQ2pL7w https://repo.corp.io/x", "Zx9kQ2pL7w" },
        { "curl --user 'ci:Zx9kQ2pL7w' -O https://repo.corp.io/x", "Zx9kQ2pL7w" },
        { "curl -s \\\n  -u ci:Zx9kQ2pL7w https://repo.corp.io/x", "Zx9kQ2pL7w" },
        { "docker login -u me -p Zx9kQ2pL7w registry.corp.io", "Zx9kQ2pL7w" },
        { "az login --service-principal -u app -p Zx9kQ2pL7w --tenant t", "Zx9kQ2pL7w" },
        { "sshpass -p 'Zx9kQ2pL7w' ssh deploy@host", "Zx9kQ2pL7w" },
        { "mysql -uroot -pZx9kQ2pL7w -e 'select 1'", "Zx9kQ2pL7w" },
        { "htpasswd -cb /etc/nginx/.htpasswd admin Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "htpasswd -nb admin Zx9kQ2pL7w > /etc/pw", "Zx9kQ2pL7w" },
        { "htpasswd -bBC 10 /etc/pw admin Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "echo \"root:Docker!\" | chpasswd", "Docker!" },
        { "echo 'app:Zx9kQ2pL7w' | sudo chpasswd", "Zx9kQ2pL7w" },
        { "doctl auth init -t dop_v1_Zx9kQ2pL7wR4vB8n", "dop_v1_Zx9kQ2pL7wR4vB8n" },
        { "poetry config http-basic.corp ci Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "composer config --global http-basic.repo.corp.io ci Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "poetry config pypi-token.corp Zx9kQ2pL7wR4vB8n", "Zx9kQ2pL7wR4vB8n" },
        { "bundle config set --global gems.corp.io ci:Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "openssl rsa -in k.pem -passin pass:Zx9kQ2pL7w -out k2.pem", "Zx9kQ2pL7w" },
        { "wget --password=Zx9kQ2pL7w https://x.corp.io/a", "Zx9kQ2pL7w" },
        { "wget --ftp-password Zx9kQ2pL7w ftp://x.corp.io/a", "Zx9kQ2pL7w" },
        { "./cli --api-token Zx9kQ2pL7wR4vB8n deploy", "Zx9kQ2pL7wR4vB8n" },
        { "npm config set _authToken Zx9kQ2pL7wR4vB8n", "Zx9kQ2pL7wR4vB8n" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(hits); i++) {
        const char *id = strstr(hits[i].cmd, "_authToken") ? "npm-auth" : "cli-credential";
        expect_one(SEC_CTX_RUN, hits[i].cmd, id, hits[i].value);
    }
    /* aws configure with a key-shaped value is the AWS kind. */
    const char *sk = tok("", 40, B64, 94);
    expect_one(SEC_CTX_RUN, text("aws configure set aws_secret_access_key %s", sk),
               "aws-secret-access-key", sk);
    static const char *const misses[] = {
        "curl -u \"$USER:$PASS\" https://x.corp.io",
        "curl -u user:changeme https://x.corp.io",
        "curl -u '<user>:<pass>' https://x.corp.io",
        "curl -u user:*** https://x.corp.io",
        "useradd -u 1000 app && sort -u list",
        "docker login -u me --password-stdin registry.corp.io",
        "docker login -u me -p \"$(cat /run/secrets/pw)\" r.io",
        "mysql -uroot -p -e 'select 1'",
        "mysql --port=3306 -P 3306",
        "htpasswd -c /etc/pw admin",
        "wget --password-file=/run/secrets/pw https://x.corp.io",
        "docker build --secret id=npm,src=.npmrc .",
        "./cli --token-file /run/secrets/t",
        "./cli --api-token abc",
        "echo user:pass | chpasswd",
        "bundle config set --local without 'development:test'",
        "bundle config set path vendor/bundle",
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(misses); i++)
        expect_none(SEC_CTX_RUN, misses[i]);
    /* Secret mounts turn command-line rules off. */
    expect_none(SEC_CTX_RUN, "--mount=type=secret,id=pw curl -u admin:Zx9kQ2pL7w https://x.io");
    /* Command-line rules belong to shell text, not to ENV values or URLs. */
    expect_none(SEC_CTX_ENV, "curl -u admin:Zx9kQ2pL7w https://x.io");
    expect_none(SEC_CTX_URL, "mysql -pZx9kQ2pL7w");
}

/* The prefilter goes over a text two places at a time: keywords at even
 * and odd offsets, first and last in texts of even and odd length. */
static void test_keyword_places(void **state)
{
    (void)state;
    const char *gh = tok("ghp_", 36, ALNUM, 7);
    const char *v = "Zx9kQ2pL7wR4vB8n";
    static const char *const tails[] = { "", " ", " ;", "\n\n\n" };
    for (int pad = 0; pad < 8; pad++) {
        for (size_t k = 0; k < DW_ARRAY_LEN(tails); k++) {
            expect_one(SEC_CTX_RUN, text("%*s%s%s", pad, "", gh, tails[k]), "github-token", gh);
            expect_one(SEC_CTX_RUN, text("%*spw=%s%s", pad, "", v, tails[k]), "generic-password",
                       v);
            expect_one(SEC_CTX_RUN, text("%*sx-api-key: %s%s", pad, "", v, tails[k]),
                       "http-auth-header", v);
        }
    }
}

/* Command-line rules whose keyword is common (`configure`, `bundle`,
 * `-pass`) run only when the word their pattern needs is there: at the
 * text's ends, far from the keyword, or missing. */
static void test_command_words(void **state)
{
    (void)state;
    static const struct {
        const char *cmd, *value;
    } hits[] = {
        { "./configure && make && aws configure set aws_session_token Zx9kQ2pL7wR4vB8n",
          "Zx9kQ2pL7wR4vB8n" },
        { "aws configure set default.aws_secret_access_key Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "-passin pass:Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "openssl pkcs12 -passout 'pass:Zx9kQ2pL7w' -out k.p12", "Zx9kQ2pL7w" },
        { "bundle config gems.corp.io ci:Zx9kQ2pL7w", "Zx9kQ2pL7w" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(hits); i++)
        expect_one(SEC_CTX_RUN, hits[i].cmd, "cli-credential", hits[i].value);
    static const char *const misses[] = {
        "./configure --prefix=/usr && make",
        "aws configure set region eu-west-1",
        "openssl rsa -passin pass:",
        "openssl rsa -passin env:PW",
        "pass:",
        "bundle install && bundle exec rake",
        "bundle",
        "configure",
        "-pass",
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(misses); i++)
        expect_none(SEC_CTX_RUN, misses[i]);
}

/* The generic rule's keys among many key stems: the prefilter notes the
 * first 256 places, later ones are found by scanning on; a stem at the
 * very end of the text. */
static void test_many_stems(void **state)
{
    (void)state;
    const char *v = "Zx9kQ2pL7wR4vB8n";
    static const size_t before[] = { 0, 1, 100, 127, 128, 129, 254, 255, 256, 300 };
    for (size_t b = 0; b < DW_ARRAY_LEN(before); b++) {
        size_t at = 0;
        for (size_t i = 0; i < before[b]; i++)
            at += (size_t)snprintf(T + at, sizeof T - at, "%s ", i % 2 ? "key" : "Pw");
        snprintf(T + at, sizeof T - at, "db_password=%s; echo token pass", v);
        expect_one(SEC_CTX_RUN, T, "generic-password", v);
        /* and again with the finding after a second key among the stems */
        snprintf(T + at, sizeof T - at, "auth x; db_password=%s; echo token pass", v);
        expect_one(SEC_CTX_RUN, T, "generic-password", v);
    }
    expect_none(SEC_CTX_RUN, "echo pw");
    expect_none(SEC_CTX_RUN, "pw");
    expect_one(SEC_CTX_RUN, text("a=1 pw=%s", v), "generic-password", v);
}

/* Options named for a password or token (`--<name>[= ]value`): the name's
 * bounds and length, its place in the text and among other options. */
static void test_option_names(void **state)
{
    (void)state;
    static const struct {
        const char *cmd, *value;
    } hits[] = {
        { "--password Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "cli --password\tZx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "cli --PASSWORD=Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "cli --db-passphrase=Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        { "cli --passwd 'Zx9kQ2pL7w' x", "Zx9kQ2pL7w" },
        { "cli --client-secret Zx9kQ2pL7wR4vB8n", "Zx9kQ2pL7wR4vB8n" },
        { "cli --secret-access-key=Zx9kQ2pL7wR4vB8n", "Zx9kQ2pL7wR4vB8n" },
        { "cli --no-cache --quiet --user-password=Zx9kQ2pL7w --verbose", "Zx9kQ2pL7w" },
        { "cli ---x --a-b-c --user-password=Zx9kQ2pL7w", "Zx9kQ2pL7w" },
        /* 41 name characters, the most the pattern takes */
        { "cli --abcdefghijklmnopqrstuvwxyz012345-password Zx9kQ2pL7w", "Zx9kQ2pL7w" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(hits); i++)
        expect_one(SEC_CTX_RUN, hits[i].cmd, "cli-credential", hits[i].value);
    static const char *const misses[] = {
        "x--password Zx9kQ2pL7w",
        "_--password Zx9kQ2pL7w",
        "cli ---password Zx9kQ2pL7w",
        "cli --compass Zx9kQ2pL7w",
        "cli --bypass=Zx9kQ2pL7w",
        "cli --password",
        "cli --password=",
        "cli --password/Zx9kQ2pL7w",
        "cli --p Zx9kQ2pL7w",
        "cli --tokens Zx9kQ2pL7wR4vB8n",
        /* 42 name characters: the pattern's bounded repeat stops short */
        "cli --abcdefghijklmnopqrstuvwxyz0123456-password Zx9kQ2pL7w",
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(misses); i++)
        expect_none(SEC_CTX_RUN, misses[i]);
    /* Two in one text, with options between and after. */
    const char *two = "cli --password=Zx9kQ2pL7w --x --y-z --api-token Qm3vT8rW2xY7zK4p --v";
    struct arena a;
    arena_init(&a);
    struct sec_results r = scan_ctx(&a, SEC_CTX_RUN, two);
    assert_int_equal(r.len, 2);
    assert_int_equal(r.items[0].value.start, (uint32_t)(strstr(two, "Zx9k") - two));
    assert_int_equal(r.items[1].value.start, (uint32_t)(strstr(two, "Qm3v") - two));
    arena_release(&a);
}

/* ---- allow list ---- */

static void test_allow_list(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct str pats[] = { STR_LIT("^ghp_"), STR_LIT("Q2pL") };
    struct sec_allow *al;
    struct err e;
    assert_int_equal(sec_allow_compile(&a, pats, 2, &al, &e), 0);
    assert_non_null(al);
    assert_true(sec_allow_matches(al, STR_LIT("xQ2pLx")));
    assert_false(sec_allow_matches(al, STR_LIT("xxx")));
    assert_false(sec_allow_matches(NULL, STR_LIT("Q2pL")));
    const char *gh = tok("ghp_", 36, ALNUM, 95);
    const char *gl = tok("glpat-", 20, ALNUM, 96);
    struct sec_scan_opts o = { SEC_CTX_RUN, STR_NULL, false, al };
    expect_one_opts(text("A=%s B=%s", gh, gl), &o, "gitlab-token", gl);
    expect_none_opts("export DB_PASSWORD=Zx9kQ2pL7wR4vB8n", &o);
    /* Without the list both are reported. */
    struct sec_results r = scan_ctx(&a, SEC_CTX_RUN, text("A=%s B=%s", gh, gl));
    assert_int_equal(r.len, 2);
    /* A bad pattern is an error naming it. */
    struct str bad[] = { STR_LIT("ok"), STR_LIT("(unclosed") };
    assert_int_equal(sec_allow_compile(&a, bad, 2, &al, &e), ERR_INVALID);
    assert_null(al);
    assert_non_null(strstr(e.msg, "invalid secrets.allow pattern '(unclosed'"));
    assert_non_null(strstr(e.msg, "at offset"));
    print_message("%s\n", e.msg);
    /* No patterns at all is fine. */
    assert_int_equal(sec_allow_compile(&a, NULL, 0, &al, &e), 0);
    assert_false(sec_allow_matches(al, STR_LIT("x")));
    arena_release(&a);
}

/* ---- spans, several findings, limits ---- */

static void test_spans_and_order(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *gh = tok("ghp_", 36, ALNUM, 97);
    const char *id = tok("AKIA", 16, B32, 98);
    const char *t = text("RUN A=%s \\\n && curl -u u:Zx9kQ2pL7w https://x.io \\\n && B=%s", gh, id);
    struct sec_results r = scan_ctx(&a, SEC_CTX_RUN, t);
    assert_int_equal(r.len, 3);
    assert_string_equal(r.items[0].kind->id, "github-token");
    assert_string_equal(r.items[1].kind->id, "cli-credential");
    assert_string_equal(r.items[2].kind->id, "aws-access-key-id");
    for (size_t i = 0; i < r.len; i++) {
        assert_true(r.items[i].match.start <= r.items[i].value.start);
        assert_true(r.items[i].value.end <= r.items[i].match.end);
        assert_true(r.items[i].match.end <= strlen(t));
        if (i)
            assert_true(r.items[i - 1].value.end <= r.items[i].value.start);
    }
    assert_int_equal(r.items[0].value.start, (uint32_t)(strstr(t, gh) - t));
    assert_memory_equal(t + r.items[1].value.start, "Zx9kQ2pL7w", 10);
    assert_int_equal(span_len(r.items[2].value), 20);
    /* NUL bytes are just bytes. */
    char nul[128];
    size_t n = (size_t)snprintf(nul, sizeof nul, "x_y %s", gh);
    nul[1] = '\0';
    struct err e;
    assert_int_equal(sec_scan_text(&a, nul, n, NULL, &r, &e), 0);
    assert_int_equal(r.len, 1);
    assert_int_equal(r.items[0].value.start, 4);
    /* Empty and NULL text. */
    assert_int_equal(sec_scan_text(&a, NULL, 0, NULL, &r, &e), 0);
    assert_int_equal(r.len, 0);
    assert_null(r.items);
    arena_release(&a);
}

static void test_limits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err e;
    struct sec_results r;
    /* The size check comes before any byte is read. */
    static const char one[] = "x";
    assert_int_equal(sec_scan_text(&a, one, SEC_MAX_TEXT + 1, NULL, &r, &e), ERR_TOO_LARGE);
    assert_int_equal(r.len, 0);
    assert_non_null(strstr(e.msg, "limit"));
    /* More findings than the cap: capped and marked. */
    size_t count = SEC_MAX_FINDINGS + 50;
    char *big = xcalloc(count, 48);
    assert_non_null(big);
    for (size_t i = 0; i < count; i++) {
        char line[64] = "";
        strcat(line, tok("ghp_", 36, ALNUM, (unsigned)(1000 + i)));
        strcat(line, "\n");
        strcat(big, line);
    }
    assert_int_equal(sec_scan_text(&a, big, strlen(big), NULL, &r, &e), 0);
    assert_int_equal(r.len, SEC_MAX_FINDINGS);
    assert_true(r.truncated);
    free(big);
    /* Pathological input stays fast: long runs that start many candidate
     * matches. */
    size_t n = 200000;
    char *path = xmalloc(n + 1);
    assert_non_null(path);
    for (size_t i = 0; i < n; i++)
        path[i] = "curl -u a:b;password=:ghp_eyJ.aws key = "[i % 40];
    path[n] = '\0';
    clock_t t0 = clock();
    assert_int_equal(sec_scan_text(&a, path, n, NULL, &r, &e), 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("pathological 200 KB: %.3f s\n", secs);
    assert_true(secs < 2.0);
    memset(path, '-', n);
    memcpy(path, "-----BEGIN PRIVATE KEY-----", 27);
    assert_int_equal(sec_scan_text(&a, path, n, NULL, &r, &e), 0);
    for (size_t i = 0; i + 27 < n; i += 27)
        memcpy(path + i, "-----BEGIN PRIVATE KEY-----", 27);
    t0 = clock();
    assert_int_equal(sec_scan_text(&a, path, n, NULL, &r, &e), 0);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("7400 PEM headers: %.3f s\n", secs);
    assert_true(secs < 2.0);
    free(path);
    arena_release(&a);
}

/* ---- threads and speed ---- */

static const char *sample_dockerfile(void)
{
    static char buf[4096];
    if (buf[0])
        return buf;
    snprintf(
        buf, sizeof buf,
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12-slim AS build\n"
        "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D\n"
        "ARG PIP_INDEX_URL=https://ci:Zx9kQ2pL7w@pypi.corp.io/simple\n"
        "ENV GITHUB_TOKEN=%s\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates "
        "gnupg \\\n"
        " && curl -fsSL https://deb.nodesource.com/gpgkey/nodesource.gpg.key | gpg --dearmor "
        "-o /usr/share/keyrings/nodesource.gpg \\\n"
        " && rm -rf /var/lib/apt/lists/*\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
        "COPY . .\n"
        "RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > /root/.npmrc\n"
        "LABEL org.opencontainers.image.authors=\"Jane Doe <jane@corp.io>\"\n"
        "HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
        "USER 10001\n"
        "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:wsgi\"]\n",
        tok("ghp_", 36, ALNUM, 99));
    return buf;
}

struct thread_arg {
    const char *text;
    size_t expect;
    int failures;
};

static void *scan_thread(void *p)
{
    struct thread_arg *ta = p;
    for (int i = 0; i < 200; i++) {
        struct arena a;
        arena_init(&a);
        struct sec_results r;
        struct err e;
        if (sec_scan_text(&a, ta->text, strlen(ta->text), NULL, &r, &e) || r.len != ta->expect)
            ta->failures++;
        arena_release(&a);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    const char *t = sample_dockerfile();
    struct arena a;
    arena_init(&a);
    struct sec_results r = scan_ctx(&a, SEC_CTX_TEXT, t);
    dump(t, &r);
    assert_int_equal(r.len, 2); /* the URL password and the GitHub token */
    struct thread_arg args[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){ t, r.len, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, scan_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    arena_release(&a);
}

static void test_speed(void **state)
{
    (void)state;
    const char *t = sample_dockerfile();
    size_t n = strlen(t);
    struct timespec t0, t1;
    size_t rounds = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double secs = 0;
    do {
        struct arena a;
        arena_init(&a);
        struct sec_results r;
        struct err e;
        assert_int_equal(sec_scan_text(&a, t, n, NULL, &r, &e), 0);
        arena_release(&a);
        rounds++;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    } while (secs < 0.2);
    double us = secs / (double)rounds * 1e6;
    print_message("sample Dockerfile (%zu bytes): %.1f us per scan, %.1f MB/s\n", n, us,
                  (double)n * (double)rounds / secs / 1e6);
    /* Generous: a Dockerfile must scan in well under a millisecond even in
     * a sanitizer build on a loaded machine. */
    assert_true(us < 5000.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_kinds),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_aws),
        cmocka_unit_test(test_github_gitlab),
        cmocka_unit_test(test_slack_stripe_google),
        cmocka_unit_test(test_private_keys),
        cmocka_unit_test(test_jwt_npm_pypi_docker),
        cmocka_unit_test(test_azure_llm),
        cmocka_unit_test(test_url_credentials),
        cmocka_unit_test(test_url_query),
        cmocka_unit_test(test_generic),
        cmocka_unit_test(test_keywords_any_case_and_place),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_command_lines),
        cmocka_unit_test(test_option_names),
        cmocka_unit_test(test_many_stems),
        cmocka_unit_test(test_command_words),
        cmocka_unit_test(test_keyword_places),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_spans_and_order),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
