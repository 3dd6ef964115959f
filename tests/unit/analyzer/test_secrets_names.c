/* The secret scanner's judgements that need no scanning: ARG/ENV names
 * (secrets.md section 6, DW404), credential file names and contents
 * (DW403), placeholder values, key fingerprints, and masking. */
#include "analyzer/secrets.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct str S(const char *s) {
    return str_from_cstr(s);
}

/* ---- names ---- */

static void
test_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bool secret;
        const char *why; /* NULL: not checked */
    } cases[] = {
        /* BuildKit's examples */
        { "GITHUB_TOKEN", true, NULL },
        { "DB_PASSWORD", true, "password" },
        { "API_KEY", true, "key" },
        { "AUTH", true, "auth" },
        { "TOKEN_FILE", false, NULL },
        { "PUBLIC_KEY", false, NULL },
        { "KEY_VERSION", false, NULL },
        { "GPG_KEY", true, "key" },
        /* camelCase and other delimiters, which BuildKit misses */
        { "dbPassword", true, "password" },
        { "APIKey", true, "key" },
        { "apikey", true, "apikey" },
        { "client-secret", true, "secret" },
        { "app.credentials", true, "credentials" },
        { "MY_CREDENTIAL", true, "credential" },
        { "SMTP_PASSWD", true, "passwd" },
        { "pword", true, "pword" },
        { "my_token", true, "token" },
        /* allow words win */
        { "SECRET_PATH", false, NULL },
        { "SECRET_NAME", false, NULL },
        { "TOKEN_URL", false, NULL },
        { "API_KEY_ID", false, NULL },
        { "KEY_FINGERPRINT", false, NULL },
        { "authPath", false, NULL },
        /* no secret word as a piece */
        { "DBPASSWORD", false, NULL }, /* no delimiter: the rule's stated limit */
        { "PASSENGER_VERSION", false, NULL },
        { "KEYBOARD", false, NULL },
        { "AUTHOR", false, NULL },
        { "TOKENIZER", false, NULL },
        { "NODE_VERSION", false, NULL },
        { "HOME", false, NULL },
        { "", false, NULL },
        /* the provider list, also behind bundler prefixes */
        { "AWS_ACCESS_KEY_ID", true, "provider credential name" },
        { "aws_secret_access_key", true, "provider credential name" },
        { "VAULT_SECRET_ID", true, "provider credential name" },
        { "SLACK_WEBHOOK_URL", true, "provider credential name" },
        { "SENTRY_DSN", true, "provider credential name" },
        { "NEXT_PUBLIC_OPENAI_API_KEY", true, "provider credential name" },
        { "VITE_STRIPE_SECRET_KEY", true, "provider credential name" },
        { "REACT_APP_GH_TOKEN", true, "provider credential name" },
        { "NEXT_PUBLIC_API_URL", false, NULL },
        { "AWS_REGION", false, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = NULL;
        bool got = sec_name_is_secretish(S(cases[i].name), &why);
        if (got != cases[i].secret)
            fail_msg("'%s': want %s", cases[i].name, cases[i].secret ? "secret" : "not secret");
        if (got && cases[i].why && (!why || strcmp(why, cases[i].why) != 0))
            fail_msg("'%s': why '%s', want '%s'", cases[i].name, why ? why : "(null)",
                     cases[i].why);
    }
    assert_false(sec_name_is_secretish(STR_NULL, NULL));
    assert_true(sec_name_is_secretish(S("TOKEN"), NULL));
}

/* ---- files ---- */

static void test_secret_files(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        enum sec_file_kind kind;
        bool content_decides;
    } cases[] = {
        { "id_rsa", SEC_FILE_SSH_KEY, false },
        { ".ssh/id_ed25519", SEC_FILE_SSH_KEY, false },
        { "keys/id_ecdsa_sk", SEC_FILE_SSH_KEY, false },
        { "id_rsa*", SEC_FILE_SSH_KEY, false },
        { "id_rsa.pub", SEC_FILE_NONE, false },
        { "server.pem", SEC_FILE_PEM, true },
        { "certs/TLS.KEY", SEC_FILE_PEM, true },
        { "*.pem", SEC_FILE_PEM, true },
        { "server.crt", SEC_FILE_NONE, false },
        { "client.p12", SEC_FILE_KEYSTORE, false },
        { "client.pfx", SEC_FILE_KEYSTORE, false },
        { "app/keystore.jks", SEC_FILE_KEYSTORE, false },
        { ".env", SEC_FILE_ENV, false },
        { "./.env", SEC_FILE_ENV, false },
        { ".env.production", SEC_FILE_ENV, false },
        { ".env*", SEC_FILE_ENV, false },
        { ".env.example", SEC_FILE_NONE, false },
        { ".env.sample", SEC_FILE_NONE, false },
        { ".env.template", SEC_FILE_NONE, false },
        { ".env.dist", SEC_FILE_NONE, false },
        { ".envrc", SEC_FILE_NONE, false },
        { "environment", SEC_FILE_NONE, false },
        { ".npmrc", SEC_FILE_NPMRC, true },
        { "/root/.pypirc", SEC_FILE_PYPIRC, true },
        { ".netrc", SEC_FILE_NETRC, true },
        { ".git-credentials", SEC_FILE_GIT_CREDS, false },
        { ".aws/credentials", SEC_FILE_AWS_CREDS, false },
        { "home/.aws/credentials", SEC_FILE_AWS_CREDS, false },
        { "credentials", SEC_FILE_NONE, false },
        { ".docker/config.json", SEC_FILE_DOCKER_CONFIG, false },
        { "config.json", SEC_FILE_NONE, false },
        { "kubeconfig", SEC_FILE_KUBECONFIG, false },
        { "kubeconfig.yaml", SEC_FILE_KUBECONFIG, false },
        { ".kube/config", SEC_FILE_KUBECONFIG, false },
        { "config", SEC_FILE_NONE, false },
        { "infra/terraform.tfstate", SEC_FILE_TFSTATE, false },
        { "terraform.tfstate.backup", SEC_FILE_TFSTATE, false },
        { "credentials.json", SEC_FILE_CREDS_JSON, false },
        { "credentials-prod.json", SEC_FILE_CREDS_JSON, false },
        { "vpn/office.ovpn", SEC_FILE_OVPN, false },
        { "secrets/", SEC_FILE_NONE, false },
        { ".", SEC_FILE_NONE, false },
        { "*", SEC_FILE_NONE, false },
        { "", SEC_FILE_NONE, false },
        { "/", SEC_FILE_NONE, false },
        { "package.json", SEC_FILE_NONE, false },
        { "README.md", SEC_FILE_NONE, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sec_file_match m;
        bool got = sec_path_is_secret_file(S(cases[i].path), &m);
        if (got != (cases[i].kind != SEC_FILE_NONE) || m.kind != cases[i].kind)
            fail_msg("'%s': kind %d, want %d", cases[i].path, m.kind, cases[i].kind);
        if (got && (!m.reason || !m.reason[0] || m.content_decides != cases[i].content_decides))
            fail_msg("'%s': reason or content flag wrong", cases[i].path);
        if (!got && m.reason)
            fail_msg("'%s': a reason without a match", cases[i].path);
    }
    assert_false(sec_path_is_secret_file(S("x"), NULL));
    assert_true(sec_path_is_secret_file(S("id_rsa"), NULL));
}

static void test_file_contents(void **state)
{
    (void)state;
    static const struct {
        enum sec_file_kind kind;
        const char *content;
        bool secret;
    } cases[] = {
        { SEC_FILE_PEM, "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
          true },
        { SEC_FILE_PEM, "-----BEGIN PRIVATE KEY-----\nMIIE\n", true },
        { SEC_FILE_PEM, "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", false },
        { SEC_FILE_PEM, "PuTTY-User-Key-File-3: ssh-ed25519\n", true },
        { SEC_FILE_PEM, "", false },
        { SEC_FILE_NPMRC, "registry=https://r.corp.io/\n//r.corp.io/:_authToken=abc123\n", true },
        { SEC_FILE_NPMRC, "_auth = dXNlcjpwYXNz\n", true },
        { SEC_FILE_NPMRC, "//r.corp.io/:_authToken=${NPM_TOKEN}\n", false },
        { SEC_FILE_NPMRC, "; _authToken=abc\nregistry=https://r.corp.io/\n", false },
        { SEC_FILE_NPMRC, "save-exact=true\n", false },
        { SEC_FILE_PYPIRC, "[pypi]\nusername = __token__\npassword = pypi-AgEIabc\n", true },
        { SEC_FILE_PYPIRC, "[pypi]\nusername: u\npassword: s3cr3t\n", true },
        { SEC_FILE_PYPIRC, "[distutils]\nindex-servers = pypi\n[pypi]\nusername = u\n", false },
        { SEC_FILE_PYPIRC, "[pypi]\npassword = %(PYPI_PASSWORD)s\n", false },
        { SEC_FILE_NETRC, "machine github.com login u password s3cr3t\n", true },
        { SEC_FILE_NETRC, "machine github.com\n  login u\n  password\n    s3cr3t\n", true },
        { SEC_FILE_NETRC, "machine h login u password $TOKEN\n", false },
        { SEC_FILE_NETRC, "default login anonymous\n", false },
        { SEC_FILE_ENV, "", true },
        { SEC_FILE_SSH_KEY, "x", true },
        { SEC_FILE_NONE, "password = x", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got =
            sec_file_content_is_secret(cases[i].kind, cases[i].content, strlen(cases[i].content));
        if (got != cases[i].secret)
            fail_msg("case %zu (kind %d): want %s", i, cases[i].kind,
                     cases[i].secret ? "secret" : "clean");
    }
    assert_false(sec_file_content_is_secret(SEC_FILE_NPMRC, NULL, 10));
}

/* ---- values ---- */

static void test_placeholders(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "",
        "$TOKEN",
        "${TOKEN}",
        "${TOKEN:-x}",
        "$(cat /run/secrets/t)",
        "`cat t`",
        "$1",
        "pre${X}post",
        "%APPDATA_TOKEN%",
        "@TOKEN@",
        "{{ .Values.token }}",
        "${{ secrets.TOKEN }}",
        "<token>",
        "<your-api-key>",
        "{api_key}",
        "example-key-123",
        "mySAMPLEkey",
        "changeme",
        "ChangeIt1",
        "placeholder",
        "dummy-token",
        "fake_secret_1",
        "REDACTED",
        "your_token_here",
        "your-token",
        "replace-me",
        "TODO",
        "xxxxxxxx",
        "aaaaaa-1",
        "abcdef12",
        "000001",
        "*****",
        "***",
        "%2A%2A%2A",
        "password",
        "Password",
        "test",
        "secret",
        "null",
        "true",
        "qqqqqqqqqqqq",
        "abcdefg",
        "0123456",
        "9876",
        "qwertyuiop",
        "ABCDEFGHIJKLMNOP",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!sec_value_is_placeholder(S(yes[i])))
            fail_msg("'%s' should be a placeholder", yes[i]);
    static const char *const no[] = {
        "Zx9kQ2pL7wR4vB8n", "s3cr3t-Pw", "Docker!", "testing123x", "100%", "a$", "{}", "<a1",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (sec_value_is_placeholder(S(no[i])))
            fail_msg("'%s' should be literal", no[i]);
    /* An opening template alone is a reference; one character is no secret. */
    assert_true(sec_value_is_placeholder(S("{{")));
    assert_true(sec_value_is_placeholder(S("$")));
    assert_true(sec_value_is_placeholder(STR_NULL));
}

static void test_fingerprints(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "B42F6819007F00F88E364FD4036A9C25BF357DD4",
        "0xB42F6819007F00F88E364FD4036A9C25BF357DD4",
        "\"B42F6819007F00F88E364FD4036A9C25BF357DD4\"",
        "B42F 6819 007F 00F8 8E36 4FD4 036A 9C25 BF35 7DD4",
        "4FD4036A9C25BF35",
        "BF357DD4",
        "A035C8C19219BA821ECEA86B64E628F8D684696D 7169605F62C751356D054A26A821E680E5FA6305",
        "A035C8C19219BA821ECEA86B64E628F8D684696D,7169605F62C751356D054A26A821E680E5FA6305",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!sec_value_is_key_fingerprint(S(yes[i])))
            fail_msg("'%s' should be a fingerprint", yes[i]);
    static const char *const no[] = {
        "",
        "B42F6819007F00F88E364FD4036A9C25BF357DD", /* 39 */
        "G42F6819007F00F88E364FD4036A9C25BF357DD4",
        "B42F 6819",
        "Zx9kQ2pL7wR4vB8n",
        "0x",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (sec_value_is_key_fingerprint(S(no[i])))
            fail_msg("'%s' should not be a fingerprint", no[i]);
    assert_false(sec_value_is_key_fingerprint(STR_NULL));
}

/* ---- masking ---- */

static void test_mask(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_\xE2\x80\xA6" },
        { "123456789012", "1234\xE2\x80\xA6" }, /* 12: the first four shown */
        { "12345678901", "****" },              /* 11: fully masked */
        { "", "****" },
        { "x", "****" },
        { "\xC3\xA9t\xC3\xA9-secret-pw", "\xC3\xA9t\xC3\xA9-\xE2\x80\xA6" }, /* code points */
        { "\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91xxxxxxxx",
          "\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xE2\x80\xA6" },
        { "\x1b[31mabcdefghijk", "?[31\xE2\x80\xA6" }, /* escape sequences neutralised */
        { "\xFF\xFE\xC3"
          "abcdefghijk",
          "???a\xE2\x80\xA6" }, /* invalid UTF-8 */
        { "\xC2\x85"
          "abcdefghijklm",
          "?abc\xE2\x80\xA6" }, /* a C1 control */
        { "-----BEGIN RSA PRIVATE KEY-----", "----\xE2\x80\xA6" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[SEC_MASK_MAX];
        memset(out, 'Z', sizeof out);
        sec_mask(S(cases[i].in), out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu: mask '%s', want '%s'", i, out, cases[i].out);
    }
    /* The worst case fits: four 4-byte characters, the ellipsis, NUL. */
    char out[SEC_MASK_MAX];
    sec_mask(S("\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91"
               "\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91"
               "\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91\xF0\x9F\x94\x91"),
             out);
    assert_int_equal(strlen(out), 19);
    sec_mask(STR_NULL, out);
    assert_string_equal(out, "****");
    /* Never more than four characters of the secret. */
    sec_mask(S("hunter2hunter2hunter2"), out);
    assert_string_equal(out, "hunt\xE2\x80\xA6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),         cmocka_unit_test(test_secret_files),
        cmocka_unit_test(test_file_contents), cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_fingerprints),  cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
