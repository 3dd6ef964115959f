/* The secret scanner (secrets.md): a table of rules, each a PCRE2 pattern
 * written here from the token shapes of secrets.md section 2, a handler
 * that turns a match into a candidate, the filters of section 4, and an
 * overlap pass that keeps the most specific finding.
 *
 * Speed comes from a keyword prefilter, as gitleaks and trufflehog do it:
 * one pass over the text notes which lowercase literals (`ghp_`, `akia`,
 * `-----begin`, `pass`, ...) occur, and a rule's pattern runs only when
 * one of its keywords did. The two rules without a literal start, the
 * generic assignment and the URL rules, run anchored at the places their
 * stems (`pass`, `token`, ... and `://`) occur instead of at every byte.
 * Patterns avoid unbounded backtracking (bounded or possessive repeats),
 * so the cost of a pattern stays linear in the text. */
#include "analyzer/secrets.h"

#include "common/arena.h"
#include "common/err.h"
#include "common/vec.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- kinds ---- */

enum kind_id {
    K_AWS_ID,
    K_AWS_SECRET,
    K_GITHUB,
    K_GITHUB_FG,
    K_GITLAB,
    K_GITLAB_RUNNER,
    K_SLACK,
    K_SLACK_APP,
    K_SLACK_WEBHOOK,
    K_STRIPE,
    K_STRIPE_TEST,
    K_GOOGLE,
    K_PRIVATE_KEY,
    K_JWT,
    K_NPM,
    K_NPM_AUTH,
    K_PYPI,
    K_DOCKERHUB,
    K_AZURE_SECRET,
    K_AZURE_STORAGE,
    K_AZURE_SAS,
    K_OPENAI,
    K_ANTHROPIC,
    K_HF,
    K_URL_CREDS,
    K_URL_QUERY,
    K_HTTP_HEADER,
    K_CLI,
    K_GEN_PASSWORD,
    K_GEN_TOKEN,
    K_GEN_API_KEY,
    K_GEN_SECRET,
    K_COUNT
};

#define HIGH SEC_CONF_HIGH
#define MED SEC_CONF_MEDIUM
#define LOW SEC_CONF_LOW

static const struct sec_kind kinds[K_COUNT] = {
    [K_AWS_ID] = { "aws-access-key-id", "AWS access key ID", HIGH, false },
    [K_AWS_SECRET] = { "aws-secret-access-key", "AWS secret access key", HIGH, false },
    [K_GITHUB] = { "github-token", "GitHub token", HIGH, false },
    [K_GITHUB_FG] = { "github-fine-grained-pat", "GitHub fine-grained personal access token", HIGH,
                      false },
    [K_GITLAB] = { "gitlab-token", "GitLab token", HIGH, false },
    [K_GITLAB_RUNNER] = { "gitlab-runner-registration-token", "GitLab runner registration token",
                          HIGH, false },
    [K_SLACK] = { "slack-token", "Slack token", HIGH, false },
    [K_SLACK_APP] = { "slack-app-token", "Slack app-level token", HIGH, false },
    [K_SLACK_WEBHOOK] = { "slack-webhook-url", "Slack webhook URL", HIGH, false },
    [K_STRIPE] = { "stripe-secret-key", "Stripe secret key", HIGH, false },
    [K_STRIPE_TEST] = { "stripe-test-key", "Stripe test-mode key", LOW, false },
    [K_GOOGLE] = { "google-api-key", "Google API key", HIGH, false },
    [K_PRIVATE_KEY] = { "private-key", "private key", HIGH, false },
    [K_JWT] = { "jwt", "JSON Web Token", MED, false },
    [K_NPM] = { "npm-token", "npm access token", HIGH, false },
    [K_NPM_AUTH] = { "npm-auth", "npm registry credential", MED, false },
    [K_PYPI] = { "pypi-token", "PyPI API token", HIGH, false },
    [K_DOCKERHUB] = { "dockerhub-token", "Docker Hub access token", HIGH, false },
    [K_AZURE_SECRET] = { "azure-client-secret", "Azure Entra ID client secret", HIGH, false },
    [K_AZURE_STORAGE] = { "azure-storage-key", "Azure storage account key", HIGH, false },
    [K_AZURE_SAS] = { "azure-sas-token", "Azure shared access signature", HIGH, false },
    [K_OPENAI] = { "openai-api-key", "OpenAI API key", HIGH, false },
    [K_ANTHROPIC] = { "anthropic-api-key", "Anthropic API key", HIGH, false },
    [K_HF] = { "huggingface-token", "Hugging Face access token", HIGH, false },
    [K_URL_CREDS] = { "url-credentials", "password in a URL", MED, false },
    [K_URL_QUERY] = { "url-query-token", "credential in a URL query", MED, false },
    [K_HTTP_HEADER] = { "http-auth-header", "credential in an HTTP header", MED, false },
    [K_CLI] = { "cli-credential", "credential on a command line", MED, false },
    [K_GEN_PASSWORD] = { "generic-password", "hardcoded password", MED, true },
    [K_GEN_TOKEN] = { "generic-token", "hardcoded token", MED, true },
    [K_GEN_API_KEY] = { "generic-api-key", "hardcoded API key", MED, true },
    [K_GEN_SECRET] = { "generic-secret", "hardcoded secret", MED, true },
};

/* Which finding survives an overlap: a token recognised by its shape beats
 * a credential recognised by its surroundings (URL, header, option), which
 * beats the generic keyword rule (gitleaks keeps the specific finding). */
static int kind_priority(enum kind_id k)
{
    switch (k) {
    case K_URL_CREDS:
    case K_URL_QUERY:
    case K_HTTP_HEADER:
    case K_CLI:
    case K_NPM_AUTH: return 2;
    case K_GEN_PASSWORD:
    case K_GEN_TOKEN:
    case K_GEN_API_KEY:
    case K_GEN_SECRET: return 1;
    default: return 3;
    }
}

const struct sec_kind *sec_kinds(size_t *n)
{
    *n = K_COUNT;
    return kinds;
}

const struct sec_kind *sec_kind_find(const char *id)
{
    for (size_t i = 0; id && i < K_COUNT; i++)
        if (strcmp(kinds[i].id, id) == 0)
            return &kinds[i];
    return NULL;
}

/* ---- rules ---- */

enum handler {
    H_PLAIN,    /* the value is capture group `group` */
    H_PEM,      /* PEM (or SSH2) armour: look for the end line and the body */
    H_PUTTY,    /* PuTTY key file: the Private-Lines block */
    H_GENERIC,  /* key operator: judge the key, read the value */
    H_QUERY,    /* a URL query: judge each parameter */
    H_FLAG,     /* --some-option value: judge the option name */
    H_HTPASSWD, /* htpasswd -b: the password is a positional argument */
};

/* Filters (secrets.md section 4) a rule applies to its value. */
enum {
    F_PH = 1u << 0,    /* sec_value_is_placeholder */
    F_GEN = 1u << 1,   /* the generic rule's extra rejections */
    F_MOUNT = 1u << 2, /* off on a line that mounts a secret */
    F_HEX40 = 1u << 3, /* drop 40 lowercase hex digits (a SHA-1, not an AWS key) */
};

#define CTX(c) (1u << (c))
#define C_ALL 0x7Fu
#define C_SHELL (CTX(SEC_CTX_RUN) | CTX(SEC_CTX_HEREDOC) | CTX(SEC_CTX_TEXT))
#define C_NOURL (C_ALL & ~CTX(SEC_CTX_URL))

/* Token boundaries of secrets.md section 2 (`B`). */
#define BL "(?<![A-Za-z0-9_])"
#define BR "(?![A-Za-z0-9_])"
/* Where a command's option list runs: the rest of the logical line. */
#define ARGS "(?:[^\\n;|&]|\\\\\\n){0,400}?"

struct rule {
    enum kind_id kind;
    const char *pattern;
    const char *keywords; /* '|'-separated lowercase literals; a rule runs when one occurs */
    enum handler handler;
    uint8_t group;     /* capture group of the value (H_PLAIN) */
    uint8_t filters;   /* F_* */
    uint8_t contexts;  /* CTX() mask */
    uint8_t min_len;   /* shortest value accepted */
    float min_entropy; /* the value needs more than this (0: no gate) */
    bool entropy_incl; /* ... or exactly this much (trufflehog's AWS rule) */
    const char *end;   /* H_PEM: the marker that closes the block */
};

static const struct rule rules[] = {
    /* AWS: key id prefixes (AKIA long-term, ASIA STS, ABIA, ACCA, A3T*) +
     * 16 base32 characters; the secret is 40 base64 characters bound to an
     * `aws ... secret|key` name. */
    { K_AWS_ID, BL "((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})" BR,
      "akia|asia|abia|acca|a3t", H_PLAIN, 1, F_PH, C_ALL, 20, 3.0f, true, NULL },
    { K_AWS_SECRET,
      "(?i:aws[A-Za-z0-9_.-]{0,20}?(?:secret|key)[A-Za-z0-9_.\"'-]{0,20}?)"
      "(?:[ \\t]*+(?:=>|:=|=|:)[ \\t]*+|[ \\t]++)[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
      "aws", H_PLAIN, 1, F_PH | F_HEX40, C_ALL, 40, 4.25f, true, NULL },
    /* GitHub: classic ghp_/gho_/ghu_/ghs_/ghr_ + 36, fine-grained PAT. */
    { K_GITHUB, BL "(gh[pousr]_[A-Za-z0-9]{36})" BR, "ghp_|gho_|ghu_|ghs_|ghr_", H_PLAIN, 1, F_PH,
      C_ALL, 40, 3.0f, false, NULL },
    { K_GITHUB_FG, BL "(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" BR, "github_pat_", H_PLAIN, 1,
      F_PH, C_ALL, 93, 3.0f, false, NULL },
    /* GitLab: personal (legacy 20 characters, or the routable form with a
     * dotted suffix), the other prefixed families, trigger tokens in hex. */
    { K_GITLAB,
      BL "(glpat-(?:[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{9}|[A-Za-z0-9_-]{20}))(?![A-Za-z0-9_.-])",
      "glpat-", H_PLAIN, 1, F_PH, C_ALL, 26, 3.0f, false, NULL },
    { K_GITLAB,
      BL "(gl(?:(?:dt|rt|ft|soat|cbt|oas|imt|agent)-[A-Za-z0-9_-]{20,}|ptt-[0-9a-f]{40}))"
         "(?![A-Za-z0-9_-])",
      "gldt-|glrt-|glft-|glsoat-|glcbt-|gloas-|glimt-|glagent-|glptt-", H_PLAIN, 1, F_PH, C_ALL, 24,
      3.0f, false, NULL },
    { K_GITLAB_RUNNER, BL "(GR1348941[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])", "gr1348941", H_PLAIN, 1,
      F_PH, C_ALL, 29, 3.0f, false, NULL },
    /* Slack: bot/user/legacy tokens carry a numeric team part; workspace
     * access/refresh/config tokens; app-level tokens; webhook URLs. */
    { K_SLACK, BL "(xox(?:[bpos]-[0-9]{8,14}-[A-Za-z0-9-]{8,}|[are]-(?:[0-9]-)?[A-Za-z0-9-]{8,}))",
      "xoxb-|xoxp-|xoxo-|xoxs-|xoxa-|xoxr-|xoxe-", H_PLAIN, 1, F_PH, C_ALL, 13, 2.0f, false, NULL },
    { K_SLACK_APP, BL "(xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+)", "xapp-", H_PLAIN, 1, F_PH, C_ALL,
      12, 2.0f, false, NULL },
    { K_SLACK_WEBHOOK,
      "(?i:https?://hooks\\.slack\\.com/)(?:services|workflows|triggers)/"
      "([A-Za-z0-9+/]{40,60})(?![A-Za-z0-9+/])",
      "hooks.slack.com", H_PLAIN, 1, F_PH, C_ALL, 40, 0.0f, false, NULL },
    /* Stripe: sk_ secret and rk_ restricted keys; test mode is low. */
    { K_STRIPE, BL "([rs]k_(?:live|prod)_[A-Za-z0-9]{10,99})" BR,
      "sk_live_|rk_live_|sk_prod_|rk_prod_", H_PLAIN, 1, F_PH, C_ALL, 18, 2.0f, false, NULL },
    { K_STRIPE_TEST, BL "([rs]k_test_[A-Za-z0-9]{10,99})" BR, "sk_test_|rk_test_", H_PLAIN, 1, F_PH,
      C_ALL, 18, 2.0f, false, NULL },
    { K_GOOGLE, BL "(AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])", "aiza", H_PLAIN, 1, F_PH, C_ALL, 39,
      4.0f, false, NULL },
    /* Private keys: PEM armour of any type (RSA, EC, DSA, OPENSSH,
     * ENCRYPTED, none, PGP ... BLOCK), SSH2 encrypted keys, PuTTY files. */
    { K_PRIVATE_KEY, "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----", "-----begin", H_PEM,
      0, 0, C_ALL, 0, 0.0f, false, "-----END" },
    { K_PRIVATE_KEY, "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", "---- begin ssh2", H_PEM, 0, 0,
      C_ALL, 0, 0.0f, false, "---- END" },
    { K_PRIVATE_KEY, "PuTTY-User-Key-File-[23]:", "putty-user-key-file-", H_PUTTY, 0, 0, C_ALL, 0,
      0.0f, false, NULL },
    /* JWT: three base64url segments, the first two JSON objects (`eyJ` is
     * `{"`, `ewo` a pretty-printed `{`). */
    { K_JWT,
      "(?<![A-Za-z0-9_-])((?:eyJ|ewo)[A-Za-z0-9_-]{10,}+\\.(?:eyJ|ewo)[A-Za-z0-9_-]{10,}+\\."
      "[A-Za-z0-9_-]{10,}+)",
      "eyj|ewo", H_PLAIN, 1, F_PH, C_ALL, 36, 3.0f, false, NULL },
    /* npm: new tokens; .npmrc credential entries (host-scoped or bare),
     * also written through `npm config set`. */
    { K_NPM, BL "(npm_[A-Za-z0-9]{36})" BR, "npm_", H_PLAIN, 1, F_PH, C_ALL, 40, 2.0f, false,
      NULL },
    { K_NPM_AUTH,
      "//[^\\s'\"]{1,256}?/:_(?:authToken|auth|password)(?:[ \\t]*+=[ \\t]*+|[ \\t]++)"
      "([\"']?)([^\\s'\"]++)\\1",
      ":_auth|:_password", H_PLAIN, 2, F_PH, C_NOURL, 6, 0.0f, false, NULL },
    { K_NPM_AUTH,
      "(?<![A-Za-z0-9_/:.-])_(?:authToken|auth|password)[ \\t]*+=[ \\t]*+([\"']?)([^\\s'\"]++)"
      "\\1",
      "_auth|_password", H_PLAIN, 2, F_PH, C_NOURL, 6, 0.0f, false, NULL },
    { K_NPM_AUTH,
      "(?<![A-Za-z0-9_-])npm[ \\t]++config[ \\t]++set[ \\t]++_(?:authToken|auth|password)"
      "(?:[ \\t]*+=[ \\t]*+|[ \\t]++)([\"']?)([^\\s'\"]++)\\1",
      "npm", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 6, 0.0f, false, NULL },
    /* PyPI macaroons: the prefix is base64 of a header naming the index. */
    { K_PYPI, "(?<![A-Za-z0-9_-])(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})",
      "pypi-age", H_PLAIN, 1, F_PH, C_ALL, 60, 0.0f, false, NULL },
    { K_DOCKERHUB, BL "(dckr_(?:pat_[A-Za-z0-9_-]{27}|oat_[A-Za-z0-9_-]{32}))(?![A-Za-z0-9_-])",
      "dckr_", H_PLAIN, 1, F_PH, C_ALL, 36, 3.0f, false, NULL },
    /* Azure: Entra ID client secrets (a digit then `Q~` at index 3),
     * storage account keys in connection strings. SAS signatures are
     * judged with the URL query (H_QUERY). */
    { K_AZURE_SECRET,
      "(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])",
      "q~", H_PLAIN, 1, F_PH, C_ALL, 37, 3.0f, false, NULL },
    { K_AZURE_STORAGE, "(?i:AccountKey)=([A-Za-z0-9+/]{86}==)", "accountkey=", H_PLAIN, 1, F_PH,
      C_ALL, 88, 3.0f, false, NULL },
    /* LLM providers: OpenAI keys hold base64 "OpenAI"; Anthropic keys end
     * in AA; Hugging Face tokens are hf_ + 34 letters. */
    { K_OPENAI, "(?<![A-Za-z0-9_-])(sk-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})", "t3blbkfj",
      H_PLAIN, 1, F_PH, C_ALL, 51, 3.0f, false, NULL },
    { K_ANTHROPIC,
      "(?<![A-Za-z0-9_-])(sk-ant-(?:api|admin)0[0-9]-[A-Za-z0-9_-]{78,}AA)"
      "(?![A-Za-z0-9_-])",
      "sk-ant-", H_PLAIN, 1, F_PH, C_ALL, 90, 3.0f, false, NULL },
    { K_HF, BL "(hf_[A-Za-z]{34})" BR, "hf_", H_PLAIN, 1, F_PH, C_ALL, 37, 3.0f, false, NULL },
    /* scheme://user:password@host (the password may hold `:`). */
    { K_URL_CREDS,
      "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,15}://([^\\s/?#@:'\"<>`]{0,128}):"
      "([^\\s/?#@'\"<>`]{1,256})@[A-Za-z0-9\\[]",
      "://", H_PLAIN, 2, F_PH, C_ALL, 3, 0.0f, false, NULL },
    { K_URL_QUERY,
      "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\\s'\"?#<>`]{1,2048}+\\?"
      "([^\\s'\"#<>`]{1,4096}+)",
      "://", H_QUERY, 1, F_PH, C_ALL, 8, 3.0f, false, NULL },
    /* The generic assignment: a key, an operator; the rest is judged in C
     * (secrets.md section 3). */
    { K_GEN_SECRET,
      "(?<![A-Za-z0-9_./:-])([\"']?)([A-Za-z0-9_.-]{2,80}+)\\1[ \\t]*+(?:=>|:=|=(?![=~])|:(?!:))",
      "pass|pw|secret|token|key|auth|cred|access", H_GENERIC, 2, F_PH | F_GEN | F_MOUNT, C_NOURL,
      10, 3.5f, false, NULL },
    /* HTTP headers (curl -H, wget --header, config files). */
    { K_HTTP_HEADER,
      "(?i)(?<![A-Za-z0-9_-])(?:proxy-)?authorization[ \\t]*+:[ \\t]*+"
      "(?:basic|bearer|token|apikey|api-key|digest)[ \\t]++([^\\s'\"\\\\]++)",
      "authorization", H_PLAIN, 1, F_PH, C_SHELL, 8, 2.0f, false, NULL },
    { K_HTTP_HEADER,
      "(?i)(?<![A-Za-z0-9_-])(?:x-api-key|x-auth-token|x-access-token|private-token|job-token|"
      "x-goog-api-key)[ \\t]*+:[ \\t]*+([^\\s'\"\\\\]++)",
      "x-api-key|x-auth-token|x-access-token|private-token|job-token|x-goog-api-key", H_PLAIN, 1,
      F_PH, C_SHELL, 8, 2.0f, false, NULL },
    /* Command lines (secrets.md section 5, RUN). */
    { K_CLI,
      "(?<![A-Za-z0-9_-])curl(?=[ \\t])" ARGS "[ \\t](?:-u[ \\t]*+|--user(?:=|[ \\t]++))"
      "([\"']?)([^\\s:'\"]{1,128}):([^\\s'\"]{1,256})\\1",
      "curl", H_PLAIN, 3, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI, "(?<![A-Za-z0-9_-])--([A-Za-z0-9][A-Za-z0-9-]{0,40}+)(?:=|[ \\t]++)",
      "pass|token|key|secret", H_FLAG, 1, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])(?:docker|podman|buildah|skopeo|oras|nerdctl|az|helm[ \\t]++registry|"
      "crane[ \\t]++auth)[ \\t]++login" ARGS "[ \\t]-p[ \\t]*+([\"']?)([^\\s'\"]++)\\1",
      "login", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])sshpass[ \\t]++(?:-[^p\\s][^\\s]*+[ \\t]++)*-p[ \\t]*+([\"']?)"
      "([^\\s'\"]++)\\1",
      "sshpass", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)(?=[ \\t])" ARGS
      "[ \\t]-p([\"']?)([^\\s'\"-][^\\s'\"]*+)\\1",
      "mysql|mariadb", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI, "(?<![A-Za-z0-9_-])htpasswd[ \\t]", "htpasswd", H_HTPASSWD, 0, F_PH | F_MOUNT, C_SHELL,
      3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])(?:echo|printf)[ \\t]++(?:-[en]++[ \\t]++)?([\"']?)([^\\s:'\"]++):"
      "([^\\s'\"|]++)\\1[ \\t]*+\\|[ \\t]*+(?:sudo[ \\t]++)?chpasswd",
      "chpasswd", H_PLAIN, 3, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])doctl[ \\t]++auth[ \\t]++init" ARGS "[ \\t]-t[ \\t]*+([\"']?)"
      "([^\\s'\"]++)\\1",
      "doctl", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])(?:poetry|composer)[ \\t]++config(?:[ \\t]++-[^\\s]*+)*+[ \\t]++"
      "http-basic\\.[^\\s]++[ \\t]++([\"']?)[^\\s'\"]++\\1[ \\t]++([\"']?)([^\\s'\"]++)\\2",
      "http-basic", H_PLAIN, 3, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])poetry[ \\t]++config(?:[ \\t]++-[^\\s]*+)*+[ \\t]++pypi-token\\.[^\\s]++"
      "[ \\t]++([\"']?)([^\\s'\"]++)\\1",
      "pypi-token.", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])bundle[ \\t]++config(?:[ \\t]++set)?(?:[ \\t]++--[a-z]++)*+[ \\t]++"
      "[^\\s]++[ \\t]++([\"']?)([^\\s:'\"/]++):([^\\s'\"/]++)\\1",
      "bundle", H_PLAIN, 3, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI,
      "(?<![A-Za-z0-9_-])aws[ \\t]++configure[ \\t]++set[ \\t]++(?:[A-Za-z0-9_-]++\\.)?"
      "aws_(?:secret_access_key|session_token)[ \\t]++([\"']?)([^\\s'\"]++)\\1",
      "configure", H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
    { K_CLI, "(?<![A-Za-z0-9_-])-pass(?:in|out)?[ \\t]++([\"']?)pass:([^\\s'\"]++)\\1", "-pass",
      H_PLAIN, 2, F_PH | F_MOUNT, C_SHELL, 3, 0.0f, false, NULL },
};

#define N_RULES (sizeof rules / sizeof rules[0])

/* Values published as documentation examples; never a finding. The AWS
 * pair of the AWS docs is dropped by the placeholder word `example`. */
static const char *const known_test_values[] = {
    /* jwt.io's default token (HS256, "John Doe") */
    ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
     "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    /* Stripe's API reference test keys */
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    /* RFC 6749's client credentials (Basic), access and refresh tokens;
     * RFC 6750's bearer token */
    "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "mF_9.B5f-4.1JqM",
};

/* ---- compiled state (once per process) ----
 *
 * The keyword tables are built on first use; each pattern is compiled
 * only when a scan first runs its rule. Compiling every pattern up front
 * cost more than the whole lint of a small Dockerfile, and most files
 * never meet most keywords. A pattern first runs interpreted: its JIT
 * compile costs more than interpreting a few kilobytes, which is all a
 * single small file gives it. It switches to a JIT copy once it has run
 * over JIT_AFTER bytes of text in this process (a lint of many files, or
 * one long text). Both give the same results; only PCRE2's match limits,
 * reached on pathological input (reported as truncated), differ. */

#define JIT_AFTER 16384

#define MAX_KEYWORDS 128
#define RULE_WORDS ((N_RULES + 63) / 64)
#define N_CONTEXTS (SEC_CTX_URL + 1)

/* The stems every secret key word contains: the generic rule tries its
 * pattern only at words holding one (see stem_from). */
static const char *const key_stems[] = { "pass", "pw",  "token", "secret",
                                         "cred", "key", "auth",  "access" };

struct keyword {
    const char *text; /* lowercase, not NUL-terminated */
    uint8_t len;
};

/* The prefilters' folding: the low five bits of a byte are the same for a
 * letter's two cases; they map some other bytes onto each other too ('-'
 * onto 'm', '_' onto '?'), which only lets a few more positions through to
 * the exact test. fold5(lower(c)) == fold5(c) for every byte. */
static inline unsigned fold5(unsigned char c)
{
    return c & 31u;
}

static struct {
    /* Set once, under compile_mu; read without the lock by match_at. */
    _Atomic(pcre2_code *) code[N_RULES]; /* interpreted */
    _Atomic(pcre2_code *) jit[N_RULES];  /* JIT-compiled copy */
    bool jit_tried[N_RULES];             /* under compile_mu */
    _Atomic size_t scanned[N_RULES];     /* bytes the rule ran over, until its JIT copy */
    uint64_t rule_kw[N_RULES][2];        /* keyword bits that enable the rule */
    /* The same, turned around: the rules each keyword enables, and the
     * rules that apply in each context, as bit sets of rule indexes; a
     * scan runs the rules of the keywords it found in ascending order
     * instead of testing every rule. */
    uint64_t kw_rules[MAX_KEYWORDS][RULE_WORDS];
    uint64_t ctx_rules[N_CONTEXTS][RULE_WORDS];
    uint64_t always_rules[RULE_WORDS]; /* rules without keywords */
    struct keyword kw[MAX_KEYWORDS];
    size_t n_kw;
    /* Keywords by the folded pair of their first two bytes (a bigram
     * index, below): kw_order[kw_pair_start[p] .. kw_pair_start[p + 1])
     * are the indexes of those of pair p, the only ones worth comparing
     * at a place of the text whose first two bytes fold to p (a few, where
     * a first byte has a dozen). */
    uint8_t kw_pair_start[32 * 32 + 1];
    uint8_t kw_order[MAX_KEYWORDS];
    /* Bit (fold5(a) << 10 | fold5(b) << 5 | fold5(c)) is set when some
     * keyword starts with the bytes a b c (a two-byte keyword: a b and any
     * byte): most positions of a text are rejected by this one test.
     * bigram has the first two bytes, for the text's last position. */
    uint64_t trigram[32 * 32 * 32 / 64];
    uint64_t bigram[32 * 32 / 64];
    /* Bit (fold5(b) << 5 | fold5(c)) is set when some trigram bit a b c or
     * b c d is: the middle pair of four bytes tells whether a keyword may
     * start at the first or the second (see prefilter). */
    uint64_t mid[32 * 32 / 64];
    int kw_type_secret;  /* bit index of "type=secret" */
    uint64_t stem_kw[2]; /* keyword bits of key_stems */
    /* Bit (fold5(a) << 5 | fold5(b)) is set when a key stem starts with
     * the bytes a b (next_key_stem). */
    uint64_t stem_pairs[32 * 32 / 64];
    bool have_jit;   /* PCRE2 was built with JIT */
    bool jit_failed; /* a JIT copy could not be made: long texts run interpreted */
    /* The first failure, of do_init or of a compile (under compile_mu):
     * msg is written before rc is published, and never again. */
    _Atomic int rc;
    char msg[ERR_MSG_MAX];
} S;

static pthread_once_t init_once_ctl = PTHREAD_ONCE_INIT;
static pthread_mutex_t compile_mu = PTHREAD_MUTEX_INITIALIZER;

static int add_keyword(const char *p, size_t len)
{
    if (len < 2 || len > 255)
        return -1; /* the prefilter tests two bytes at once */
    for (size_t i = 0; i < S.n_kw; i++)
        if (S.kw[i].len == len && memcmp(S.kw[i].text, p, len) == 0)
            return (int)i;
    if (S.n_kw == MAX_KEYWORDS)
        return -1;
    S.kw[S.n_kw] = (struct keyword){ p, (uint8_t)len };
    return (int)S.n_kw++;
}

/* The bigram index of a keyword's first two bytes. */
static unsigned kw_pair(const struct keyword *kw)
{
    const unsigned char *k = (const unsigned char *)kw->text;
    return fold5(k[0]) << 5 | fold5(k[1]);
}

static void init_fail(const char *what, const char *pattern, const char *why)
{
    snprintf(S.msg, sizeof S.msg, "secret pattern '%s' %s%s", pattern, what, why);
    atomic_store_explicit(&S.rc, ERR_INTERNAL, memory_order_release);
}

static void do_init(void)
{
    uint32_t have_jit = 0;
    if (pcre2_config(PCRE2_CONFIG_JIT, &have_jit) < 0)
        have_jit = 0;
    S.have_jit = have_jit != 0;
    for (size_t r = 0; r < N_RULES; r++) {
        const char *k = rules[r].keywords;
        while (k && *k) {
            const char *bar = strchr(k, '|');
            size_t len = bar ? (size_t)(bar - k) : strlen(k);
            int idx = add_keyword(k, len);
            if (idx < 0) {
                init_fail("has too many keywords", rules[r].pattern, "");
                return;
            }
            S.rule_kw[r][idx / 64] |= (uint64_t)1 << (idx % 64);
            S.kw_rules[idx][r / 64] |= (uint64_t)1 << (r % 64);
            k += len + (bar ? 1 : 0);
        }
    }
    for (size_t r = 0; r < N_RULES; r++) {
        if (!S.rule_kw[r][0] && !S.rule_kw[r][1]) /* runs whatever the text holds */
            S.always_rules[r / 64] |= (uint64_t)1 << (r % 64);
        for (unsigned c = 0; c < N_CONTEXTS; c++)
            if (rules[r].contexts & CTX(c))
                S.ctx_rules[c][r / 64] |= (uint64_t)1 << (r % 64);
    }
    for (size_t i = 0; i < sizeof key_stems / sizeof key_stems[0]; i++) {
        int idx = add_keyword(key_stems[i], strlen(key_stems[i]));
        if (idx < 0) {
            init_fail("has too many keywords", key_stems[i], "");
            return;
        }
        S.stem_kw[idx / 64] |= (uint64_t)1 << (idx % 64);
        const unsigned char *w = (const unsigned char *)key_stems[i];
        unsigned pair = fold5(w[0]) << 5 | fold5(w[1]);
        S.stem_pairs[pair / 64] |= (uint64_t)1 << (pair % 64);
    }
    S.kw_type_secret = add_keyword("type=secret", 11);
    if (S.kw_type_secret < 0) {
        init_fail("has too many keywords", "type=secret", "");
        return;
    }
    /* Counting sort of the keywords by folded first pair. */
    size_t count[32 * 32] = { 0 };
    for (size_t i = 0; i < S.n_kw; i++)
        count[kw_pair(&S.kw[i])]++;
    size_t at = 0;
    for (unsigned p = 0; p < 32 * 32; p++) {
        S.kw_pair_start[p] = (uint8_t)at;
        at += count[p];
    }
    S.kw_pair_start[32 * 32] = (uint8_t)at;
    for (size_t i = 0; i < S.n_kw; i++) {
        const unsigned char *k = (const unsigned char *)S.kw[i].text;
        unsigned idx = kw_pair(&S.kw[i]);
        S.bigram[idx / 64] |= (uint64_t)1 << (idx % 64);
        for (unsigned c = 0; c < 32; c++) {
            if (S.kw[i].len > 2 && c != fold5(k[2]))
                continue;
            unsigned t3 = idx << 5 | c;
            S.trigram[t3 / 64] |= (uint64_t)1 << (t3 % 64);
            unsigned first = t3 >> 5, last = t3 & 0x3FFu;
            S.mid[first / 64] |= (uint64_t)1 << (first % 64);
            S.mid[last / 64] |= (uint64_t)1 << (last % 64);
        }
    }
    size_t fill[32 * 32];
    for (unsigned p = 0; p < 32 * 32; p++)
        fill[p] = S.kw_pair_start[p];
    for (size_t i = 0; i < S.n_kw; i++)
        S.kw_order[fill[kw_pair(&S.kw[i])]++] = (uint8_t)i;
}

/* Rule r's compiled pattern, compiled on the first call; NULL when it does
 * not compile (S.rc and S.msg say why: a bug in the table). Safe from
 * several threads: one compiles under compile_mu, the others wait, and
 * later calls take the published pointer without the lock. */
static pcre2_code *rule_code(size_t r)
{
    pcre2_code *c = atomic_load_explicit(&S.code[r], memory_order_acquire);
    if (c)
        return c;
    pthread_mutex_lock(&compile_mu);
    c = atomic_load_explicit(&S.code[r], memory_order_relaxed);
    if (!c && !atomic_load_explicit(&S.rc, memory_order_relaxed)) {
        int code;
        PCRE2_SIZE off;
        c = pcre2_compile((PCRE2_SPTR)rules[r].pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off,
                          NULL);
        if (!c) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(code, buf, sizeof buf);
            init_fail("does not compile: ", rules[r].pattern, (const char *)buf);
        } else {
            atomic_store_explicit(&S.code[r], c, memory_order_release);
        }
    }
    pthread_mutex_unlock(&compile_mu);
    return c;
}

/* Rule r's pattern: with want_jit the JIT copy (made on the first call,
 * under compile_mu like rule_code), else, or when PCRE2 has no JIT or the
 * JIT fails, the interpreted one (slower, same results). */
static pcre2_code *rule_code_for(size_t r, bool want_jit)
{
    if (!want_jit)
        return rule_code(r);
    pcre2_code *j = atomic_load_explicit(&S.jit[r], memory_order_acquire);
    if (j)
        return j;
    pcre2_code *c = rule_code(r);
    if (!c)
        return NULL;
    pthread_mutex_lock(&compile_mu);
    j = atomic_load_explicit(&S.jit[r], memory_order_relaxed);
    if (!j && !S.jit_tried[r]) {
        S.jit_tried[r] = true;
        pcre2_code *copy = S.have_jit ? pcre2_code_copy(c) : NULL;
        if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) == 0) {
            j = copy;
            atomic_store_explicit(&S.jit[r], j, memory_order_release);
        } else {
            pcre2_code_free(copy);
            S.jit_failed = true;
        }
    }
    pthread_mutex_unlock(&compile_mu);
    return j ? j : c;
}

/* The first failure of the tables or of a pattern, into err; no lock, as
 * sec_scan_text asks at every call. */
static int init_error(struct err *err)
{
    if (atomic_load_explicit(&S.rc, memory_order_acquire))
        return err_set(err, ERR_INTERNAL, "%s", S.msg);
    return 0;
}

int sec_init(struct err *err)
{
    pthread_once(&init_once_ctl, do_init);
    for (size_t r = 0; r < N_RULES; r++)
        if (!rule_code_for(r, true))
            break;
    return init_error(err);
}

bool sec_jit_enabled(void)
{
    struct err e;
    if (sec_init(&e))
        return false;
    pthread_mutex_lock(&compile_mu);
    bool jit = S.have_jit && !S.jit_failed;
    pthread_mutex_unlock(&compile_mu);
    return jit;
}

/* ---- small text helpers ---- */

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}
static inline bool is_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
static inline bool is_alnum(unsigned char c)
{
    return is_alpha(c) || is_digit(c);
}
static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}
static inline bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
static inline bool is_b64(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '/' || c == '=';
}

/* memmem without _GNU_SOURCE: the first m-byte needle in s[0, n), or NULL. */
static const char *find_bytes(const char *s, size_t n, const char *needle, size_t m)
{
    if (m == 0)
        return s;
    while (n >= m) {
        const char *p = memchr(s, needle[0], n - m + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, m) == 0)
            return p;
        n -= (size_t)(p - s) + 1;
        s = p + 1;
    }
    return NULL;
}

/* A literal with its length. */
struct word {
    const char *s;
    size_t n;
};
#define W(lit)                                                                                     \
    {                                                                                              \
        (lit), sizeof(lit) - 1                                                                     \
    }

/* Case-insensitive search of the lowercase needle (m bytes) in s. */
static bool contains_nocase(const char *s, size_t n, const char *needle, size_t m)
{
    if (m == 0)
        return true;
    for (size_t i = 0; i + m <= n; i++) {
        if (lower((unsigned char)s[i]) != (unsigned char)needle[0])
            continue;
        size_t j = 1;
        while (j < m && lower((unsigned char)s[i + j]) == (unsigned char)needle[j])
            j++;
        if (j == m)
            return true;
    }
    return false;
}

static bool eq_nocase(const char *s, size_t n, const char *word)
{
    size_t m = strlen(word);
    if (m != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != (unsigned char)word[i])
            return false;
    return true;
}

static bool ends_with_nocase(const char *s, size_t n, const char *word)
{
    size_t m = strlen(word);
    return m <= n && eq_nocase(s + n - m, m, word);
}

/* log2 of a positive integer without libm (the analyzer does not link it):
 * x = 2^e * m with m in [1, 2), ln m = 2 atanh((m-1)/(m+1)) by its series,
 * which converges fast since (m-1)/(m+1) <= 1/3. Exact for powers of two. */
static double log2_count(size_t x)
{
    int e = 0;
    while (x >= ((size_t)1 << (e + 1)) && e < 62)
        e++;
    double m = (double)x / (double)((size_t)1 << e);
    if (m == 1.0)
        return (double)e;
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k < 60; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return (double)e + 2.0 * sum / 0.693147180559945309417232121458176568;
}

double sec_entropy(const char *s, size_t len)
{
    if (len == 0)
        return 0.0;
    uint32_t count[256] = { 0 };
    if (len > UINT32_MAX)
        len = UINT32_MAX; /* longer than any text sec_scan_text takes */
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    /* H = -sum (c/n) log2 (c/n) = log2 n - (1/n) sum c log2 c */
    double sum = 0.0;
    for (int c = 0; c < 256; c++)
        if (count[c] > 1)
            sum += (double)count[c] * log2_count(count[c]);
    return log2_count(len) - sum / (double)len;
}

/* ---- placeholders (secrets.md section 4) ---- */

static bool is_ident_start(unsigned char c)
{
    return is_alpha(c) || c == '_';
}
static bool is_ident(unsigned char c)
{
    return is_alnum(c) || c == '_';
}

/* Whether s[i] opens `{name}` or `<name>`: letters, digits, `_`, `-`, `.`
 * or blanks up to the closing bracket, with at least one letter. */
static bool closes_placeholder(const char *s, size_t n, size_t i, char close)
{
    size_t j = i + 1;
    bool letter = false;
    while (j < n && (is_ident((unsigned char)s[j]) || s[j] == '-' || s[j] == ' ' || s[j] == '.')) {
        letter |= is_alpha((unsigned char)s[j]);
        j++;
    }
    return letter && j < n && s[j] == close;
}

/* `$X`, `${X}`, `$(cmd)`, `$1`, `%X%`, `@X@`, `{{ x }}`, `{x}`, `<x>`,
 * backquotes. */
static bool has_reference(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned char d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
        switch (c) {
        case '$':
            if (is_ident_start(d) || is_digit(d) || d == '{' || d == '(')
                return true;
            break;
        case '`': return true;
        case '%':
        case '@': {
            if (!is_ident_start(d))
                break;
            size_t j = i + 1;
            while (j < n && is_ident((unsigned char)s[j]))
                j++;
            if (j < n && (unsigned char)s[j] == c)
                return true;
            break;
        }
        case '{':
            if (d == '{' || closes_placeholder(s, n, i, '}'))
                return true;
            break;
        case '<':
            if (closes_placeholder(s, n, i, '>'))
                return true;
            break;
        default: break;
        }
    }
    return false;
}

static const struct word placeholder_parts[] = {
    W("example"), W("sample"),   W("changeme"), W("changeit"), W("placeholder"), W("dummy"),
    W("fake"),    W("redacted"), W("your_"),    W("your-"),    W("replace"),     W("todo"),
    W("xxxxxx"),  W("aaaaaa"),   W("abcde"),    W("00000"),    W("*****"),
};

static const struct word placeholder_words[] = {
    W("password"), W("passwd"), W("pass"), W("pwd"),  W("test"),      W("secret"),
    W("token"),    W("xxx"),    W("***"),  W("null"), W("nil"),       W("none"),
    W("true"),     W("false"),  W("yes"),  W("no"),   W("undefined"), W("empty"),
};

static const char *const sequences[] = {
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "0123456789",
    "1234567890",
    "9876543210",
    "qwertyuiopasdfghjklzxcvbnm",
};

static bool is_sequence(const char *s, size_t n)
{
    if (n < 4)
        return false;
    for (size_t k = 0; k < DW_ARRAY_LEN(sequences); k++) {
        const char *q = sequences[k];
        size_t m = strlen(q);
        for (size_t at = 0; at + n <= m; at++) {
            size_t i = 0;
            while (i < n && lower((unsigned char)s[i]) == (unsigned char)q[at + i])
                i++;
            if (i == n)
                return true;
        }
    }
    /* The base64 alphabet in order (case matters there). */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n >= 6 && n <= sizeof b64 - 1) {
        for (size_t at = 0; at + n <= sizeof b64 - 1; at++)
            if (memcmp(s, b64 + at, n) == 0)
                return true;
    }
    return false;
}

/* Only `*` or `%2A`: a value someone already redacted. */
static bool is_redacted(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == '*')
            i++;
        else if (i + 3 <= n && s[i] == '%' && s[i + 1] == '2' &&
                 lower((unsigned char)s[i + 2]) == 'a')
            i += 3;
        else
            return false;
    }
    return n > 0;
}

bool sec_value_is_placeholder(struct str value)
{
    const char *s = value.ptr;
    size_t n = value.len;
    if (!s || n == 0)
        return true;
    if (has_reference(s, n))
        return true;
    /* Placeholder words sit near the start of a value; a lowercase copy of
     * the first KiB lets each word be found with memchr. */
    char low[1024];
    size_t ln = n < sizeof low ? n : sizeof low;
    for (size_t i = 0; i < ln; i++)
        low[i] = (char)lower((unsigned char)s[i]);
    for (size_t k = 0; k < DW_ARRAY_LEN(placeholder_parts); k++)
        if (find_bytes(low, ln, placeholder_parts[k].s, placeholder_parts[k].n))
            return true;
    for (size_t k = 0; k < DW_ARRAY_LEN(placeholder_words); k++)
        if (placeholder_words[k].n == n && eq_nocase(s, n, placeholder_words[k].s))
            return true;
    size_t same = 1;
    while (same < n && s[same] == s[0])
        same++;
    if (same == n)
        return true;
    return is_sequence(s, n) || is_redacted(s, n);
}

bool sec_value_is_key_fingerprint(struct str value)
{
    const char *s = value.ptr;
    size_t n = value.len;
    if (!s)
        return false;
    /* Strip one pair of quotes. */
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s++;
        n -= 2;
    }
    size_t groups4 = 0, pieces = 0, i = 0;
    bool all4 = true;
    while (i < n) {
        while (i < n && (is_blank((unsigned char)s[i]) || s[i] == ','))
            i++;
        if (i == n)
            break;
        size_t st = i;
        while (i < n && !is_blank((unsigned char)s[i]) && s[i] != ',')
            i++;
        const char *p = s + st;
        size_t len = i - st;
        if (len > 2 && p[0] == '0' && lower((unsigned char)p[1]) == 'x') {
            p += 2;
            len -= 2;
        }
        for (size_t j = 0; j < len; j++)
            if (!is_hex((unsigned char)p[j]))
                return false;
        pieces++;
        if (len == 4)
            groups4++;
        else
            all4 = false;
        if (len != 4 && len != 8 && len != 16 && len != 40 && len != 64)
            return false;
    }
    if (pieces == 0)
        return false;
    /* A fingerprint printed in groups of four (gpg's display form). */
    if (groups4 && !(all4 && groups4 % 10 == 0))
        return false;
    return true;
}

/* ---- the generic rule: judging keys and values ---- */

/* Lowercase pieces of a name split on `_`, `-`, `.`, blanks and camelCase
 * (`dbPassword` -> db, password; `APIKey` -> api, key). */
struct pieces {
    struct str p[24];
    size_t n;
    char buf[96];
};

static void split_name(const char *s, size_t n, struct pieces *out)
{
    out->n = 0;
    if (n > sizeof out->buf)
        n = sizeof out->buf;
    size_t start = 0;
    bool in = false;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : 0;
        bool sep = i == n || !is_alnum(c);
        bool boundary = false;
        if (!sep && in && i > start) {
            unsigned char prev = (unsigned char)s[i - 1];
            unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            bool up = c >= 'A' && c <= 'Z';
            /* aB | ABc: a lower-to-upper step, or the last capital of a run
             * that a lowercase letter follows. */
            if (up && prev >= 'a' && prev <= 'z')
                boundary = true;
            else if (up && prev >= 'A' && prev <= 'Z' && next >= 'a' && next <= 'z')
                boundary = true;
        }
        if ((sep || boundary) && in) {
            if (out->n < DW_ARRAY_LEN(out->p))
                out->p[out->n++] = (struct str){ out->buf + start, i - start };
            in = false;
        }
        if (!sep && !in) {
            start = i;
            in = true;
        }
        if (i < n)
            out->buf[i] = (char)lower(c);
    }
}

static bool piece_is(struct str p, const char *w)
{
    return eq_nocase(p.ptr, p.len, w);
}

/* Words a secret keyword may sit inside without meaning a secret: the
 * keyword is at offset `at` of a lowercase name. */
static bool keyword_is_innocent(const char *s, size_t n, size_t at, const char *kw)
{
    size_t m = strlen(kw);
    const char *after = s + at + m;
    size_t left = n - at - m;
#define AFTER(w) (left >= strlen(w) && memcmp(after, (w), strlen(w)) == 0)
#define BEFORE(w) (at >= strlen(w) && memcmp(s + at - strlen(w), (w), strlen(w)) == 0)
    if (strcmp(kw, "auth") == 0)
        return AFTER("or") && !AFTER("oriz") && !AFTER("oris"); /* author, not authorization */
    if (strcmp(kw, "access") == 0)
        return AFTER("ib") || AFTER("or"); /* accessible, accessibility, accessor */
    if (strcmp(kw, "key") == 0)
        return BEFORE("mon") || BEFORE("tur") || BEFORE("pub") || BEFORE("don") || BEFORE("hoc") ||
               BEFORE("whis") || AFTER("board") || AFTER("ring") || AFTER("server") ||
               AFTER("word") || AFTER("stroke") || AFTER("frame") || AFTER("store");
    if (strcmp(kw, "token") == 0)
        return BEFORE("csrf_") || BEFORE("csrf") || BEFORE("xsrf_") || BEFORE("xsrf");
#undef AFTER
#undef BEFORE
    return false;
}

static bool has_keyword_n(const char *low, size_t n, const char *kw, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(low + i, kw, m) == 0 && !keyword_is_innocent(low, n, i, kw))
            return true;
    return false;
}

#define has_keyword(low, n, lit) has_keyword_n((low), (n), (lit), sizeof(lit) - 1)

/* The generic kind a key names, or -1 (secrets.md section 3 with its list
 * of names that only look secret). */
static int generic_key_kind(const char *key, size_t n)
{
    while (n && (*key == '-' || *key == '.' || *key == '_')) {
        key++;
        n--;
    }
    if (n == 0 || n > 90)
        return -1;
    char low[96];
    for (size_t i = 0; i < n; i++)
        low[i] = (char)lower((unsigned char)key[i]);
    /* Most keys of a text (`https:`, `python:3`, `--chown=`) hold none of
     * the stems every secret word contains; leave those at once. */
    bool stem = false;
    for (size_t i = 0; i + 2 <= n && !stem; i++) {
        switch (low[i]) {
        case 'p': stem = low[i + 1] == 'a' || low[i + 1] == 'w'; break;
        case 's': stem = i + 3 <= n && low[i + 1] == 'e' && low[i + 2] == 'c'; break;
        case 't': stem = i + 3 <= n && low[i + 1] == 'o' && low[i + 2] == 'k'; break;
        case 'k': stem = low[i + 1] == 'e'; break;
        case 'a': stem = i + 3 <= n && low[i + 1] == 'u' && low[i + 2] == 't'; break;
        case 'c': stem = i + 3 <= n && low[i + 1] == 'r' && low[i + 2] == 'e'; break;
        default: break;
        }
        if (!stem && low[i] == 'a' && i + 3 <= n && low[i + 1] == 'c' && low[i + 2] == 'c')
            stem = true;
    }
    if (!stem)
        return -1;
    struct pieces pc;
    split_name(key, n, &pc);
    if (pc.n == 0)
        return -1;
    for (size_t i = 0; i < pc.n; i++)
        if (piece_is(pc.p[i], "public") || piece_is(pc.p[i], "primary") ||
            piece_is(pc.p[i], "csrf") || piece_is(pc.p[i], "xsrf"))
            return -1;
    static const char *const innocent_last[] = {
        "id",     "ids", "name",    "names", "size",        "path",   "paths",  "file",   "files",
        "url",    "uri", "version", "dir",   "type",        "length", "len",    "format", "prefix",
        "suffix", "env", "ttl",     "algo",  "fingerprint", "count",  "header", "hdr",
    };
    struct str last = pc.p[pc.n - 1];
    for (size_t k = 0; k < DW_ARRAY_LEN(innocent_last); k++)
        if (piece_is(last, innocent_last[k]))
            return -1;
    if (has_keyword(low, n, "password") || has_keyword(low, n, "passwd") ||
        has_keyword(low, n, "passphrase"))
        return K_GEN_PASSWORD;
    for (size_t i = 0; i < pc.n; i++)
        if (piece_is(pc.p[i], "pass") || piece_is(pc.p[i], "pwd") || piece_is(pc.p[i], "pw"))
            return K_GEN_PASSWORD;
    if (has_keyword(low, n, "apikey") || has_keyword(low, n, "api_key") ||
        has_keyword(low, n, "api-key") || has_keyword(low, n, "api.key"))
        return K_GEN_API_KEY;
    if (has_keyword(low, n, "token"))
        return K_GEN_TOKEN;
    if (has_keyword(low, n, "secret") || has_keyword(low, n, "credential") ||
        has_keyword(low, n, "creds") || has_keyword(low, n, "private_key") ||
        has_keyword(low, n, "privatekey") || has_keyword(low, n, "auth") ||
        has_keyword(low, n, "access") || has_keyword(low, n, "key"))
        return K_GEN_SECRET;
    return -1;
}

static bool is_uuid(const char *s, size_t n)
{
    static const size_t groups[] = { 8, 4, 4, 4, 12 };
    if (n != 36)
        return false;
    size_t at = 0;
    for (size_t g = 0; g < 5; g++) {
        for (size_t i = 0; i < groups[g]; i++, at++)
            if (!is_hex((unsigned char)s[at]))
                return false;
        if (g < 4 && s[at++] != '-')
            return false;
    }
    return true;
}

static bool is_path_like(const char *s, size_t n)
{
    if (!(s[0] == '/' || (n > 1 && s[0] == '~' && s[1] == '/') ||
          (n > 1 && s[0] == '.' && (s[1] == '/' || s[1] == '.'))))
        return false;
    size_t slashes = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/')
            slashes++;
        else if (!is_alnum(c) && c != '_' && c != '.' && c != '-' && c != '~' && c != ':')
            return false; /* ':' for mount specs such as /etc/passwd:ro */
    }
    return slashes >= 2 || s[0] != '/';
}

/* `get_secret()`, `os.environ[...]`, `process.env.X`: the value is looked
 * up, not written. */
static bool is_indirect(const char *s, size_t n)
{
    size_t i = 0;
    if (is_ident_start((unsigned char)s[0])) {
        while (i < n && (is_ident((unsigned char)s[i]) || s[i] == '.'))
            i++;
        if (i < n && (s[i] == '(' || s[i] == '['))
            return true;
    }
    /* `[Type]::New()` (PowerShell), `x.get()`: calls and static members. */
    if (s[0] == '[' || find_bytes(s, n, "()", 2) || find_bytes(s, n, "::", 2))
        return true;
    return contains_nocase(s, n, "process.env", 11) || contains_nocase(s, n, "os.environ", 10) ||
           contains_nocase(s, n, "getenv", 6);
}

/* The rejections only the generic rule makes (secrets.md sections 3, 4). */
static bool generic_value_rejected(const char *s, size_t n)
{
    bool letter = false, other = false;
    for (size_t i = 0; i < n; i++) {
        if (is_alpha((unsigned char)s[i]))
            letter = true;
        else
            other = true;
    }
    if (!letter || !other)
        return true;
    /* Identifiers, not passwords: letters, `_` and `.` only (`key_password`,
     * `python.xml.sax.parser`), or an UPPER_SNAKE constant with digits
     * (`NL80211_KEY_MAX`). */
    size_t ident = 0, upper = 0, unders = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        ident += is_alpha(c) || c == '_' || c == '.';
        upper += (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
        unders += c == '_';
    }
    if (ident == n || (upper == n && unders > 0 && !is_digit((unsigned char)s[0])))
        return true;
    if (is_path_like(s, n) || is_uuid(s, n) || is_indirect(s, n))
        return true;
    for (size_t i = 0; i + 3 <= n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return true; /* a URL: its credentials are the URL rule's business */
    return false;
}

/* ---- one scan ---- */

struct cand {
    enum kind_id kind;
    struct span value, match;
    double entropy;
    bool in_url;
};

struct scan {
    const char *t; /* the text as scanned (with the virtual key prefix) */
    size_t n;
    size_t off; /* length of the virtual `key=` prefix */
    const struct sec_scan_opts *opts;
    uint64_t present[2];
    /* Where key stems start, in order, as the prefilter met them: the
     * generic rule tries its pattern there. Only the first STEMS_MAX are
     * kept (stems_full: the rest are found by next_key_stem). */
    uint32_t *stems; /* STEMS_MAX entries, not zeroed */
    size_t n_stems;
    bool stems_full;
    VEC(struct cand) cands;
    bool truncated;
    bool failed; /* a pattern did not compile (S.msg) */
    bool jit;    /* the rule being run uses its JIT copy */
};

static bool kw_present(const struct scan *sc, int idx)
{
    return idx >= 0 && (sc->present[idx / 64] >> (idx % 64)) & 1;
}

#define STEMS_MAX 256

/* Marks the keywords that start at t[i] as present (the exact test), and
 * notes a key stem there; pair is the bigram index of t[i], t[i + 1]. */
static void prefilter_at(struct scan *sc, size_t i, unsigned pair)
{
    const unsigned char *t = (const unsigned char *)sc->t;
    size_t n = sc->n;
    uint8_t a = S.kw_pair_start[pair], b = S.kw_pair_start[pair + 1];
    for (uint8_t k = a; k < b; k++) {
        unsigned id = S.kw_order[k];
        uint64_t bit = (uint64_t)1 << (id % 64);
        /* A keyword seen once is not looked for again, except a stem:
         * every place of those counts. */
        bool stem = S.stem_kw[id / 64] & bit;
        if ((sc->present[id / 64] & bit) && !stem)
            continue;
        const struct keyword *kw = &S.kw[id];
        if (i + kw->len > n)
            continue;
        size_t j = 0; /* from the first byte: a pair of folded bytes is no match */
        while (j < kw->len && lower(t[i + j]) == (unsigned char)kw->text[j])
            j++;
        if (j < kw->len)
            continue;
        sc->present[id / 64] |= bit;
        /* Positions only grow, and two stems never start at one place. */
        if (stem) {
            if (sc->n_stems < STEMS_MAX)
                sc->stems[sc->n_stems++] = (uint32_t)i;
            else
                sc->stems_full = true;
        }
    }
}

static void prefilter(struct scan *sc)
{
    const unsigned char *t = (const unsigned char *)sc->t;
    size_t n = sc->n;
    sc->n_stems = 0;
    sc->stems_full = false;
    if (n < 2)
        return;
    /* Places go by two: one test of the folded pair t[i + 1], t[i + 2]
     * (S.mid) rejects both i and i + 1 at most places of a text; where it
     * does not, each place's three folded bytes are tested (S.trigram)
     * before the exact comparison. */
    size_t i = 0;
    for (; i + 3 < n; i += 2) {
        unsigned mid = fold5(t[i + 1]) << 5 | fold5(t[i + 2]);
        if (!((S.mid[mid / 64] >> (mid % 64)) & 1))
            continue;
        unsigned a = fold5(t[i]) << 10 | mid, b = mid << 5 | fold5(t[i + 3]);
        if ((S.trigram[a / 64] >> (a % 64)) & 1)
            prefilter_at(sc, i, a >> 5);
        if ((S.trigram[b / 64] >> (b % 64)) & 1)
            prefilter_at(sc, i + 1, b >> 5);
    }
    unsigned idx;
    if (i + 2 < n) { /* one place left with three bytes */
        idx = fold5(t[i]) << 10 | fold5(t[i + 1]) << 5 | fold5(t[i + 2]);
        if ((S.trigram[idx / 64] >> (idx % 64)) & 1)
            prefilter_at(sc, i, idx >> 5);
    }
    /* The last position has two bytes: only a two-byte keyword fits. */
    idx = fold5(t[n - 2]) << 5 | fold5(t[n - 1]);
    if ((S.bigram[idx / 64] >> (idx % 64)) & 1)
        prefilter_at(sc, n - 2, idx);
}

/* Whether the logical line (backslash continuations joined) around pos
 * mounts a secret: `--mount=` and `type=secret` on it. */
static bool line_mounts_secret(const struct scan *sc, size_t pos)
{
    if (sc->opts->secret_mount)
        return true;
    if (!kw_present(sc, S.kw_type_secret))
        return false;
    const char *t = sc->t;
    size_t lo = pos, hi = pos;
    size_t lim_lo = pos > 8192 ? pos - 8192 : 0, lim_hi = sc->n - pos > 8192 ? pos + 8192 : sc->n;
    while (lo > lim_lo && !(t[lo - 1] == '\n' && !(lo >= 2 && t[lo - 2] == '\\')))
        lo--;
    while (hi < lim_hi && !(t[hi] == '\n' && !(hi >= 1 && t[hi - 1] == '\\')))
        hi++;
    return find_bytes(t + lo, hi - lo, "--mount=", 8) &&
           find_bytes(t + lo, hi - lo, "type=secret", 11);
}

/* Whether the value lies in a URL: its word (up to a blank or quote)
 * holds `://` before it. */
static bool value_in_url(const struct scan *sc, struct span v)
{
    const char *t = sc->t;
    size_t lo = v.start;
    size_t lim = v.start > 4096 ? v.start - 4096 : 0;
    while (lo > lim) {
        unsigned char c = (unsigned char)t[lo - 1];
        if (is_blank(c) || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == '(')
            break;
        lo--;
    }
    for (size_t i = lo; i + 3 <= v.start; i++)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
            return true;
    return false;
}

static void push(struct scan *sc, enum kind_id kind, size_t vs, size_t ve, size_t ms, size_t me,
                 double h)
{
    if (sc->cands.len >= SEC_MAX_FINDINGS) {
        sc->truncated = true;
        return;
    }
    struct cand c = {
        kind, { (uint32_t)vs, (uint32_t)ve }, { (uint32_t)ms, (uint32_t)me }, h, false
    };
    VEC_PUSH(&sc->cands, c);
}

/* Applies a rule's length, filters and entropy gate to the value
 * [vs, ve) and records it. */
static void judge(struct scan *sc, const struct rule *r, enum kind_id kind, size_t vs, size_t ve,
                  size_t ms, size_t me)
{
    if (ve <= vs || vs < sc->off)
        return;
    const char *v = sc->t + vs;
    size_t n = ve - vs;
    if (n < r->min_len)
        return;
    if ((r->filters & F_PH) && sec_value_is_placeholder(str_make(v, n)))
        return;
    if ((r->filters & F_GEN) && generic_value_rejected(v, n))
        return;
    if ((r->filters & F_HEX40) && n == 40) {
        size_t i = 0;
        while (i < n && (is_digit((unsigned char)v[i]) || (v[i] >= 'a' && v[i] <= 'f')))
            i++;
        if (i == n)
            return;
    }
    double h = sec_entropy(v, n);
    if (r->min_entropy > 0) {
        double min = (double)r->min_entropy;
        if (h < min || (h == min && !r->entropy_incl))
            return;
    }
    if ((r->filters & F_MOUNT) && line_mounts_secret(sc, vs))
        return;
    push(sc, kind, vs, ve, ms < sc->off ? sc->off : ms, me, h);
}

/* Reads an option or assignment value at pos: an optional quote, then
 * characters up to the closing quote (no blank allowed inside) or, when
 * unquoted, up to a blank, quote, backquote, `;`, `|`, `&` or a
 * backslash-newline. Returns false when there is none. */
static bool read_value(const struct scan *sc, size_t pos, size_t max, size_t *vs, size_t *ve,
                       size_t *end)
{
    const char *t = sc->t;
    size_t n = sc->n;
    char q = 0;
    if (pos < n && (t[pos] == '"' || t[pos] == '\'')) {
        q = t[pos];
        pos++;
    }
    size_t i = pos;
    while (i < n && i - pos <= max) {
        unsigned char c = (unsigned char)t[i];
        if (q ? (c == (unsigned char)q || is_blank(c))
              : (is_blank(c) || c == '"' || c == '\'' || c == '`' || c == ';' || c == '|' ||
                 c == '&' || (c == '\\' && i + 1 < n && t[i + 1] == '\n')))
            break;
        i++;
    }
    if (i == pos || i - pos > max)
        return false;
    if (q && (i == n || t[i] != q))
        return false;
    *vs = pos;
    *ve = i;
    *end = q ? i + 1 : i;
    return true;
}

/* For an unquoted value [vs, *ve) of the generic rule (build-context
 * files are often source code): drops one trailing `,` or `;` from *ve,
 * then says whether the rest is an expression rather than a literal: it
 * holds brackets (calls, templates, subscripts, blocks) or is a chain of
 * identifiers (`self.password`, `winreg.KEY_READ`). */
static bool looks_like_code(const char *t, size_t vs, size_t *ve)
{
    if (*ve - vs > 1 && (t[*ve - 1] == ',' || t[*ve - 1] == ';'))
        (*ve)--;
    const char *v = t + vs;
    size_t n = *ve - vs;
    for (size_t i = 0; i < n; i++)
        if (strchr("()[]{}<>", v[i]) && v[i] != '\0')
            return true;
    size_t i = 0, dots = 0;
    for (;;) {
        if (i == n || !(is_ident_start((unsigned char)v[i]) || v[i] == '$'))
            return false;
        while (i < n && (is_ident((unsigned char)v[i]) || v[i] == '$'))
            i++;
        if (i == n)
            return dots > 0;
        if (v[i] != '.')
            return false;
        dots++;
        i++;
    }
}

/* H_GENERIC: ov[2..] hold the key; the operator ends at ov[1]. Returns
 * where the next search starts. */
static size_t handle_generic(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    size_t ks = ov[4], ke = ov[5], op_end = ov[1];
    int kind = generic_key_kind(sc->t + ks, ke - ks);
    /* The virtual `key=` of ENV/ARG/LABEL is judged on the whole value by
     * scan_keyed_value, which allows blanks in it. */
    if (kind < 0 || ks < sc->off)
        return op_end;
    size_t pos = op_end;
    while (pos < sc->n && (sc->t[pos] == ' ' || sc->t[pos] == '\t'))
        pos++;
    size_t vs, ve, end;
    if (!read_value(sc, pos, 150, &vs, &ve, &end))
        return op_end;
    char low[96];
    size_t kl = ke - ks < sizeof low ? ke - ks : sizeof low;
    for (size_t i = 0; i < kl; i++)
        low[i] = (char)lower((unsigned char)sc->t[ks + i]);
    /* GPG_KEY=<fingerprint> names a public key (the python images do it). */
    bool gpgish = find_bytes(low, kl, "gpg", 3) || find_bytes(low, kl, "pgp", 3) ||
                  find_bytes(low, kl, "fingerprint", 11) || find_bytes(low, kl, "keyid", 5);
    if (gpgish && sec_value_is_key_fingerprint(str_make(sc->t + vs, ve - vs)))
        return end;
    if (vs == pos && looks_like_code(sc->t, vs, &ve))
        return end;
    judge(sc, r, (enum kind_id)kind, vs, ve, ov[0], end);
    return end;
}

/* H_QUERY: each `name=value` of the query ov[2..3]. */
static void handle_query(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    const char *t = sc->t;
    size_t qs = ov[2], qe = ov[3];
    bool sas_version = false;
    for (size_t i = qs; i + 13 <= qe; i++) { /* sv=YYYY-MM-DD */
        if ((i == qs || t[i - 1] == '&') && t[i] == 's' && t[i + 1] == 'v' && t[i + 2] == '=' &&
            is_digit((unsigned char)t[i + 3]) && t[i + 7] == '-' && t[i + 10] == '-') {
            sas_version = true;
            break;
        }
    }
    size_t p = qs;
    while (p < qe) {
        size_t amp = p;
        while (amp < qe && t[amp] != '&')
            amp++;
        size_t eq = p;
        while (eq < amp && t[eq] != '=')
            eq++;
        if (eq < amp) {
            const char *name = t + p;
            size_t nl = eq - p;
            bool sig = eq_nocase(name, nl, "sig") || eq_nocase(name, nl, "signature") ||
                       ends_with_nocase(name, nl, "-signature") ||
                       eq_nocase(name, nl, "x-amz-security-token");
            enum kind_id kind =
                sig && sas_version && eq_nocase(name, nl, "sig") ? K_AZURE_SAS : K_URL_QUERY;
            if (sig || generic_key_kind(name, nl) >= 0)
                judge(sc, r, kind, eq + 1, amp, ov[0], ov[1]);
        }
        p = amp + 1;
    }
}

/* H_PEM: the header is ov[0..1]; the body must hold 64 base64 characters
 * (stubs such as `-----BEGIN RSA PRIVATE KEY-----\n...` are skipped) of at
 * least 8 different values (not `AAAA...`). The body runs to the first
 * `----`, which is the end line in a real key; looking no further keeps a
 * text of many headers linear. Returns where the next search starts. */
static size_t handle_pem(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    const char *t = sc->t;
    size_t hs = ov[0], he = ov[1];
    size_t lim = sc->n - he > 65536 ? he + 65536 : sc->n;
    size_t count = 0, last = he, i = he;
    size_t freq[256] = { 0 };
    while (i < lim) {
        unsigned char c = (unsigned char)t[i];
        if (c == '-' && i + 4 <= sc->n && memcmp(t + i, "----", 4) == 0)
            break;
        if (is_b64(c)) {
            count++;
            freq[c]++;
            last = i + 1;
        }
        i++;
    }
    size_t distinct = 0;
    for (int c = 0; c < 256; c++)
        distinct += freq[c] != 0;
    if (count < 64 || distinct < 8)
        return he;
    size_t mlen = strlen(r->end), value_end = last;
    if (i < lim && sc->n - i >= mlen && memcmp(t + i, r->end, mlen) == 0) {
        /* The end line closes with the dashes the header used. */
        const char *dashes = r->end[4] == '-' ? "-----" : "----";
        size_t dl = strlen(dashes), after = i + mlen;
        size_t line_lim = sc->n - after > 80 ? after + 80 : sc->n;
        const char *close = find_bytes(t + after, line_lim - after, dashes, dl);
        const char *nl = memchr(t + after, '\n', line_lim - after);
        if (close && (!nl || close < nl))
            value_end = (size_t)(close - t) + dl;
        else
            value_end = nl ? (size_t)(nl - t) : line_lim;
    }
    judge(sc, r, K_PRIVATE_KEY, hs, value_end, hs, value_end);
    return value_end;
}

/* H_PUTTY: the header line, then `Private-Lines: N` and N lines of base64. */
static size_t handle_putty(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    const char *t = sc->t;
    size_t hs = ov[0], he = ov[1];
    size_t lim = sc->n - he > 65536 ? he + 65536 : sc->n;
    const char *pl = find_bytes(t + he, lim - he, "Private-Lines:", 14);
    if (!pl)
        return he;
    size_t i = (size_t)(pl - t) + 14;
    while (i < lim && (t[i] == ' ' || t[i] == '\t'))
        i++;
    long lines = 0;
    while (i < lim && is_digit((unsigned char)t[i]) && lines < 10000)
        lines = lines * 10 + (t[i++] - '0');
    while (i < lim && t[i] != '\n')
        i++;
    size_t count = 0, end = i;
    for (long l = 0; l < lines && i < lim; l++) {
        i++; /* the newline */
        size_t st = i;
        while (i < lim && is_b64((unsigned char)t[i]))
            i++;
        if (i == st)
            break;
        count += i - st;
        end = i;
        while (i < lim && t[i] == '\r')
            i++;
        if (i < lim && t[i] != '\n')
            break;
    }
    if (count < 32)
        return he;
    judge(sc, r, K_PRIVATE_KEY, hs, end, hs, end);
    return end;
}

/* Whether an option name ends in a password word (*pw) or a token word
 * (*tok), as the whole name or after a `-`. */
static void flag_words(const char *name, size_t nl, bool *pw, bool *tok)
{
    static const char *const pw_words[] = { "password", "passwd", "pass", "passphrase" };
    static const char *const tok_words[] = {
        "token",         "api-key",           "apikey", "access-key", "secret-key",
        "client-secret", "secret-access-key",
    };
    *pw = *tok = false;
    for (size_t k = 0; k < DW_ARRAY_LEN(pw_words); k++)
        if (ends_with_nocase(name, nl, pw_words[k]) &&
            (nl == strlen(pw_words[k]) || name[nl - strlen(pw_words[k]) - 1] == '-'))
            *pw = true;
    for (size_t k = 0; k < DW_ARRAY_LEN(tok_words); k++)
        if (ends_with_nocase(name, nl, tok_words[k]) &&
            (nl == strlen(tok_words[k]) || name[nl - strlen(tok_words[k]) - 1] == '-'))
            *tok = true;
}

/* H_FLAG: `--<name>[= ]value`, where the name ends in a password or token
 * word. Returns where the next search starts. */
static size_t handle_flag(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    bool pw, tok;
    flag_words(sc->t + ov[2], ov[3] - ov[2], &pw, &tok);
    if (!pw && !tok)
        return ov[1];
    size_t vs, ve, end;
    if (!read_value(sc, ov[1], 512, &vs, &ve, &end) || sc->t[vs] == '-')
        return ov[1];
    if (tok) {
        /* A token is random; a short or plain word is not one. */
        if (ve - vs < 8 || sec_entropy(sc->t + vs, ve - vs) <= 3.0)
            return end;
    }
    judge(sc, r, K_CLI, vs, ve, ov[0], end);
    return end;
}

/* H_HTPASSWD: `htpasswd [-flags] [-C cost] [file] user password` with a
 * `b` flag; `n` means there is no file argument. */
static size_t handle_htpasswd(struct scan *sc, const struct rule *r, const PCRE2_SIZE *ov)
{
    const char *t = sc->t;
    size_t i = ov[1];
    bool b = false, nflag = false, want_arg = false;
    size_t pos_s[3], pos_e[3], npos = 0;
    while (i < sc->n && npos < 3) {
        while (i < sc->n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i >= sc->n || t[i] == '\n' || t[i] == ';' || t[i] == '|' || t[i] == '&')
            break;
        size_t st = i;
        while (i < sc->n && !is_blank((unsigned char)t[i]) && t[i] != ';' && t[i] != '|' &&
               t[i] != '&')
            i++;
        if (want_arg) {
            want_arg = false;
        } else if (t[st] == '-' && npos == 0) {
            for (size_t j = st + 1; j < i; j++) {
                b |= t[j] == 'b';
                nflag |= t[j] == 'n';
                want_arg |= t[j] == 'C' && j + 1 == i;
            }
        } else {
            pos_s[npos] = st;
            pos_e[npos] = i;
            npos++;
        }
    }
    size_t want = nflag ? 1 : 2;
    if (!b || npos <= want)
        return i;
    size_t vs = pos_s[want], ve = pos_e[want];
    if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
        vs++;
        ve--;
    }
    judge(sc, r, K_CLI, vs, ve, ov[0], pos_e[want]);
    return i;
}

/* Acts on one match (rc from pcre2_match); returns where the next search
 * may start (at least past start). */
static size_t dispatch(struct scan *sc, const struct rule *rule, int rc, const PCRE2_SIZE *ov,
                       size_t start)
{
    size_t next = ov[1] > start ? ov[1] : start + 1;
    switch (rule->handler) {
    case H_PLAIN: {
        size_t g = rule->group;
        if ((int)g < rc && ov[2 * g] != PCRE2_UNSET)
            judge(sc, rule, rule->kind, ov[2 * g], ov[2 * g + 1], ov[0], ov[1]);
        break;
    }
    case H_PEM: next = handle_pem(sc, rule, ov); break;
    case H_PUTTY: next = handle_putty(sc, rule, ov); break;
    case H_GENERIC: next = handle_generic(sc, rule, ov); break;
    case H_QUERY: handle_query(sc, rule, ov); break;
    case H_FLAG: next = handle_flag(sc, rule, ov); break;
    case H_HTPASSWD: next = handle_htpasswd(sc, rule, ov); break;
    }
    return next > start ? next : start + 1;
}

/* pcre2_match at pos; false on no match, and on an error, which ends the
 * rule: the match or JIT stack limit on pathological input (reported as
 * truncated). */
static bool match_at(struct scan *sc, size_t r, pcre2_match_data *md, size_t pos, uint32_t opts,
                     int *rc, bool *stop)
{
    pcre2_code *code = rule_code_for(r, sc->jit);
    if (!code) {
        sc->failed = true;
        *stop = true;
        *rc = PCRE2_ERROR_NOMATCH;
        return false;
    }
    *rc = pcre2_match(code, (PCRE2_SPTR)sc->t, sc->n, pos, opts, md, NULL);
    if (*rc >= 0)
        return true;
    if (*rc != PCRE2_ERROR_NOMATCH) {
        sc->truncated = true;
        *stop = true;
    }
    return false;
}

static bool is_key_char(unsigned char c)
{
    return is_alnum(c) || c == '_' || c == '.' || c == '-';
}
static bool is_scheme_char(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '.' || c == '-';
}

/* The next position at or after i where a stem every secret key word
 * contains begins (pass, pw, token, secret, cred, key, auth, access), or n. */
static size_t next_key_stem(const struct scan *sc, size_t i)
{
    const unsigned char *t = (const unsigned char *)sc->t;
    size_t n = sc->n;
    if (i + 2 > n)
        return n;
    /* The folded byte pair slides along: a stem starts only where the pair
     * is the first two letters of one (S.stem_pairs), which letters such
     * as t, s and a alone are far too often. */
    unsigned idx = fold5(t[i]);
    for (; i + 2 <= n; i++) {
        idx = (idx << 5 | fold5(t[i + 1])) & 0x3FFu;
        if (!((S.stem_pairs[idx / 64] >> (idx % 64)) & 1))
            continue;
        unsigned char c = lower(t[i]);
        for (size_t k = 0; k < DW_ARRAY_LEN(key_stems); k++) {
            const char *w = key_stems[k];
            if (w[0] != (char)c)
                continue;
            size_t j = 1;
            while (w[j] && i + j < n && lower(t[i + j]) == (unsigned char)w[j])
                j++;
            if (!w[j])
                return i;
        }
    }
    return n;
}

/* Whether the m-byte literal lit occurs in t[0, n), searched by its byte
 * lit[r]: memchr on a rarer byte than the first stops less often. */
static bool find_rare(const char *t, size_t n, const char *lit, size_t m, size_t r)
{
    for (size_t at = r; at + m - r <= n;) {
        const char *p = memchr(t + at, lit[r], n - (m - r) + 1 - at);
        if (!p)
            return false;
        size_t i = (size_t)(p - t);
        if (memcmp(p - r, lit, m) == 0)
            return true;
        at = i + 1;
    }
    return false;
}

/* Whether the text holds a literal the rule's pattern cannot match
 * without (case-sensitive, as the patterns are): a keyword as common as
 * `curl` or `://` would otherwise compile and run a pattern that cannot
 * match, the dearest step of linting a small file. The command-line
 * rules' keywords (`configure`, `mysql`) come with many a build script;
 * the word their patterns need is much rarer. */
static bool has_needed_literal(const struct scan *sc, const struct rule *rule)
{
    const char *t = sc->t;
    size_t n = sc->n;
    if (rule->kind == K_URL_CREDS) /* scheme://user:password@host */
        return memchr(t, '@', n) != NULL;
    if (rule->kind == K_URL_QUERY) /* scheme://host/path?query */
        return memchr(t, '?', n) != NULL;
    if (rule->kind == K_NPM_AUTH) /* _authToken, _auth, _password */
        return find_bytes(t, n, "_auth", 5) || find_bytes(t, n, "_password", 9);
    if (rule->kind != K_CLI || !rule->keywords)
        return true;
    const char *kw = rule->keywords;
    if (strcmp(kw, "curl") == 0) /* -u, --user */
        return find_bytes(t, n, "-u", 2) != NULL;
    if (strcmp(kw, "-pass") == 0) /* -passin pass:... */
        return find_rare(t, n, "pass:", 5, 4);
    /* aws configure set aws_secret_access_key|aws_session_token */
    if (strcmp(kw, "configure") == 0)
        return find_rare(t, n, "aws_s", 5, 3);
    if (strcmp(kw, "bundle") == 0) /* bundle config */
        return find_rare(t, n, "config", 6, 3);
    return true;
}

/* Whether an operator may follow a key that ends at ke: the generic
 * pattern (the one H_GENERIC rule) matches the key's whole run of key
 * characters, its closing quote if it was quoted, blanks ([ \t]) and then
 * an operator that starts with '=' or ':'. Without one there, neither
 * anchored match can succeed; PCRE2 is asked only when there is, which
 * spares it most stems of a RUN text (`apt-key add`, `--auth-type x`). */
static bool operator_follows(const struct scan *sc, size_t ke)
{
    const char *t = sc->t;
    size_t p = ke;
    if (p < sc->n && (t[p] == '"' || t[p] == '\''))
        p++;
    while (p < sc->n && (t[p] == ' ' || t[p] == '\t'))
        p++;
    return p < sc->n && (t[p] == '=' || t[p] == ':');
}

/* Whether the H_FLAG pattern can match at the `--` at t[at] and
 * handle_flag would act on the match: `--` after no [A-Za-z0-9_-], a name
 * of 1 to 41 [A-Za-z0-9-] starting with a letter or digit (the pattern's
 * possessive repeat fails on a longer one), then '=' or a blank, and the
 * name ends in a password or token word. */
static bool flag_may_match(const struct scan *sc, size_t at)
{
    const unsigned char *t = (const unsigned char *)sc->t;
    if (at > 0 && (is_alnum(t[at - 1]) || t[at - 1] == '_' || t[at - 1] == '-'))
        return false;
    size_t ns = at + 2, ne = ns;
    if (ns >= sc->n || !is_alnum(t[ns]))
        return false;
    while (ne < sc->n && ne - ns <= 41 && (is_alnum(t[ne]) || t[ne] == '-'))
        ne++;
    if (ne - ns > 41 || ne == sc->n || !(t[ne] == '=' || t[ne] == ' ' || t[ne] == '\t'))
        return false;
    /* Every password and token word ends in one of these pairs: rd, wd,
     * ss, se, en, ey, et (a name of one character ends in none). */
    if (ne - ns < 2)
        return false;
    unsigned pair = (unsigned)lower(t[ne - 2]) << 8 | lower(t[ne - 1]);
    switch (pair) {
    case 'r' << 8 | 'd':
    case 'w' << 8 | 'd':
    case 's' << 8 | 's':
    case 's' << 8 | 'e':
    case 'e' << 8 | 'n':
    case 'e' << 8 | 'y':
    case 'e' << 8 | 't': break;
    default: return false;
    }
    bool pw, tok;
    flag_words(sc->t + ns, ne - ns, &pw, &tok);
    return pw || tok;
}

/* The first place at or after i where a key stem starts, or n: from the
 * prefilter's list (*k walks it), then, when the list was full, by
 * scanning past its end. */
static size_t stem_from(const struct scan *sc, size_t *k, size_t i)
{
    while (*k < sc->n_stems && sc->stems[*k] < i)
        (*k)++;
    if (*k < sc->n_stems)
        return sc->stems[*k];
    return sc->stems_full ? next_key_stem(sc, i) : sc->n;
}

static void run_rule(struct scan *sc, size_t r, pcre2_match_data *md)
{
    const struct rule *rule = &rules[r];
    const char *t = sc->t;
    bool stop = false;
    int rc;
    sc->jit =
        atomic_load_explicit(&S.jit[r], memory_order_relaxed) ||
        atomic_fetch_add_explicit(&S.scanned[r], sc->n, memory_order_relaxed) + sc->n >= JIT_AFTER;
    if (rule->handler == H_GENERIC) {
        /* Only keys holding a stem can be secret keys: find the stems and
         * try the pattern anchored at the start of their word (or at the
         * quote before it), instead of at every position of the text. */
        size_t k = 0;
        size_t i = stem_from(sc, &k, 0);
        while (i < sc->n && !stop && !sc->truncated) {
            size_t ks = i, ke = i;
            while (ks > 0 && i - ks < 81 && is_key_char((unsigned char)t[ks - 1]))
                ks--;
            while (ke < sc->n && is_key_char((unsigned char)t[ke]))
                ke++;
            size_t next = ke;
            bool quoted = ks > 0 && (t[ks - 1] == '"' || t[ks - 1] == '\'');
            if (operator_follows(sc, ke) &&
                ((quoted && match_at(sc, r, md, ks - 1, PCRE2_ANCHORED, &rc, &stop)) ||
                 (!stop && match_at(sc, r, md, ks, PCRE2_ANCHORED, &rc, &stop)))) {
                size_t d = dispatch(sc, rule, rc, pcre2_get_ovector_pointer(md), ks);
                next = d > ke ? d : ke;
            }
            i = stem_from(sc, &k, next);
        }
        return;
    }
    if (rule->handler == H_FLAG) {
        /* RUN texts hold many options (`--no-install-recommends`) and few
         * that name a password or token: read each `--name` here and ask
         * PCRE2 only about those handle_flag would act on. Skipping the
         * others cannot move a later match: no match starts inside an
         * option name or the blanks after it. */
        size_t at = 0;
        const char *p;
        while (at + 1 < sc->n && !stop && !sc->truncated &&
               (p = memchr(t + at, '-', sc->n - 1 - at)) != NULL) {
            at = (size_t)(p - t);
            if (t[at + 1] == '-' && flag_may_match(sc, at) &&
                match_at(sc, r, md, at, PCRE2_ANCHORED, &rc, &stop))
                at = dispatch(sc, rule, rc, pcre2_get_ovector_pointer(md), at);
            else
                at++;
        }
        return;
    }
    if (rule->kind == K_URL_CREDS || rule->kind == K_URL_QUERY) {
        /* A URL starts at most 16 scheme characters before its `://`. */
        size_t pos = 0;
        const char *p;
        while (pos < sc->n && !stop && !sc->truncated &&
               (p = find_bytes(t + pos, sc->n - pos, "://", 3)) != NULL) {
            size_t at = (size_t)(p - t), s = at;
            while (s > 0 && at - s < 17 && is_scheme_char((unsigned char)t[s - 1]))
                s--;
            size_t next = at + 3;
            if (s < at && match_at(sc, r, md, s, PCRE2_ANCHORED, &rc, &stop)) {
                size_t d = dispatch(sc, rule, rc, pcre2_get_ovector_pointer(md), s);
                next = d > next ? d : next;
            }
            pos = next;
        }
        return;
    }
    size_t start = 0;
    while (start < sc->n && !stop && !sc->truncated) {
        if (!match_at(sc, r, md, start, 0, &rc, &stop))
            break;
        start = dispatch(sc, rule, rc, pcre2_get_ovector_pointer(md), start);
    }
}

/* ENV/ARG/LABEL with a secret-sounding key: the whole value (quotes
 * stripped, blanks allowed) is a generic candidate. */
static void scan_keyed_value(struct scan *sc)
{
    const struct str key = sc->opts->key;
    int kind = generic_key_kind(key.ptr, key.len);
    if (kind < 0)
        return;
    size_t vs = sc->off, ve = sc->n;
    while (vs < ve && is_blank((unsigned char)sc->t[vs]))
        vs++;
    while (ve > vs && is_blank((unsigned char)sc->t[ve - 1]))
        ve--;
    if (ve - vs >= 2 && (sc->t[vs] == '"' || sc->t[vs] == '\'') && sc->t[ve - 1] == sc->t[vs]) {
        vs++;
        ve--;
    }
    if (ve - vs > 150)
        return;
    char low[96];
    size_t kl = key.len < sizeof low ? key.len : sizeof low;
    for (size_t i = 0; i < kl; i++)
        low[i] = (char)lower((unsigned char)key.ptr[i]);
    bool gpgish = find_bytes(low, kl, "gpg", 3) || find_bytes(low, kl, "pgp", 3) ||
                  find_bytes(low, kl, "fingerprint", 11) || find_bytes(low, kl, "keyid", 5);
    if (gpgish && sec_value_is_key_fingerprint(str_make(sc->t + vs, ve - vs)))
        return;
    static const struct rule keyed = { K_GEN_SECRET, NULL, NULL, H_GENERIC, 0,   F_PH | F_GEN,
                                       C_ALL,        10,   3.5f, false,     NULL };
    judge(sc, &keyed, (enum kind_id)kind, vs, ve, sc->off, sc->n);
}

static bool is_known_test_value(const char *s, size_t n)
{
    for (size_t k = 0; k < DW_ARRAY_LEN(known_test_values); k++)
        if (strlen(known_test_values[k]) == n && memcmp(known_test_values[k], s, n) == 0)
            return true;
    return false;
}

static int cmp_priority(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    int d = kind_priority(b->kind) - kind_priority(a->kind);
    if (d)
        return d;
    if (a->value.start != b->value.start)
        return a->value.start < b->value.start ? -1 : 1;
    if (a->value.end != b->value.end)
        return a->value.end > b->value.end ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

static int cmp_position(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->value.start != b->value.start)
        return a->value.start < b->value.start ? -1 : 1;
    if (a->value.end != b->value.end)
        return a->value.end < b->value.end ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

int sec_scan_text(struct arena *a, const char *text, size_t len, const struct sec_scan_opts *opts,
                  struct sec_results *out, struct err *err)
{
    out->items = NULL;
    out->len = 0;
    out->truncated = false;
    pthread_once(&init_once_ctl, do_init);
    if (init_error(err))
        return ERR_INTERNAL;
    if (len > SEC_MAX_TEXT)
        return err_set(err, ERR_TOO_LARGE, "text of %zu bytes is over the secret scanner's limit",
                       len);
    static const struct sec_scan_opts defaults = { SEC_CTX_TEXT, { NULL, 0 }, false, NULL };
    if (!opts)
        opts = &defaults;
    if (!text)
        text = "";

    struct scan sc = { 0 };
    uint32_t stems[STEMS_MAX];
    sc.stems = stems;
    sc.opts = opts;
    char *virt = NULL;
    bool keyed = (opts->context == SEC_CTX_ENV || opts->context == SEC_CTX_ARG ||
                  opts->context == SEC_CTX_LABEL) &&
                 opts->key.ptr && opts->key.len > 0 && opts->key.len <= 256;
    if (keyed) {
        /* `key=value`, so that shapes bound to a keyword (the AWS secret
         * key) see the key; findings must lie in the value. */
        virt = xmalloc(opts->key.len + 1 + len + 1);
        memcpy(virt, opts->key.ptr, opts->key.len);
        virt[opts->key.len] = '=';
        if (len)
            memcpy(virt + opts->key.len + 1, text, len);
        virt[opts->key.len + 1 + len] = '\0';
        sc.t = virt;
        sc.off = opts->key.len + 1;
        sc.n = sc.off + len;
    } else {
        sc.t = text;
        sc.n = len;
    }

    prefilter(&sc);
    /* The rules to run: those of a keyword found that apply here. */
    uint64_t todo[RULE_WORDS];
    memcpy(todo, S.always_rules, sizeof todo);
    for (int w = 0; w < 2; w++)
        for (uint64_t bits = sc.present[w]; bits; bits &= bits - 1) {
            size_t id = (size_t)w * 64 + (size_t)__builtin_ctzll(bits);
            for (size_t k = 0; k < RULE_WORDS; k++)
                todo[k] |= S.kw_rules[id][k];
        }
    for (size_t k = 0; k < RULE_WORDS; k++)
        todo[k] &= (unsigned)opts->context < N_CONTEXTS ? S.ctx_rules[opts->context][k] : 0;
    pcre2_match_data *md = NULL; /* made when a rule runs: most texts run none */
    for (size_t k = 0; k < RULE_WORDS; k++)
        for (uint64_t bits = todo[k]; bits; bits &= bits - 1) {
            size_t r = k * 64 + (size_t)__builtin_ctzll(bits);
            if (!has_needed_literal(&sc, &rules[r]))
                continue;
            if (!md && !(md = pcre2_match_data_create(16, NULL))) {
                VEC_RELEASE(&sc.cands);
                free(virt);
                return err_set(err, ERR_INTERNAL, "out of memory for secret matching");
            }
            run_rule(&sc, r, md);
        }
    if (md)
        pcre2_match_data_free(md);
    if (sc.failed) {
        VEC_RELEASE(&sc.cands);
        free(virt);
        return init_error(err);
    }
    if (keyed)
        scan_keyed_value(&sc);

    /* Allow list, published test values, then overlaps: the most specific
     * finding wins. */
    size_t kept = 0;
    for (size_t i = 0; i < sc.cands.len; i++) {
        struct cand *c = &sc.cands.items[i];
        struct str v = str_make(sc.t + c->value.start, span_len(c->value));
        if (is_known_test_value(v.ptr, v.len) || sec_allow_matches(opts->allow, v))
            continue;
        c->in_url = value_in_url(&sc, c->value);
        sc.cands.items[kept++] = *c;
    }
    sc.cands.len = kept;
    if (kept > 1)
        qsort(sc.cands.items, kept, sizeof *sc.cands.items, cmp_priority);
    size_t n_out = 0;
    for (size_t i = 0; i < sc.cands.len; i++) {
        bool overlaps = false;
        for (size_t j = 0; j < n_out && !overlaps; j++)
            overlaps = span_overlaps(sc.cands.items[j].value, sc.cands.items[i].value);
        if (!overlaps)
            sc.cands.items[n_out++] = sc.cands.items[i];
    }
    if (n_out > 1)
        qsort(sc.cands.items, n_out, sizeof *sc.cands.items, cmp_position);

    out->items = n_out ? ARENA_NEW_ARRAY(a, struct sec_finding, n_out) : NULL;
    for (size_t i = 0; i < n_out; i++) {
        const struct cand *c = &sc.cands.items[i];
        uint32_t off = (uint32_t)sc.off;
        out->items[i] = (struct sec_finding){
            .kind = &kinds[c->kind],
            .value = { c->value.start - off, c->value.end - off },
            .match = { c->match.start - off, c->match.end - off },
            .confidence = kinds[c->kind].confidence,
            .entropy = c->entropy,
            .in_url = c->in_url,
        };
    }
    out->len = n_out;
    out->truncated = sc.truncated;
    VEC_RELEASE(&sc.cands);
    free(virt);
    return 0;
}

/* ---- allow list ---- */

struct sec_allow {
    pcre2_code **codes;
    size_t n;
};

static void allow_release(void *p)
{
    struct sec_allow *al = p;
    for (size_t i = 0; i < al->n; i++)
        pcre2_code_free(al->codes[i]);
}

int sec_allow_compile(struct arena *a, const struct str *patterns, size_t n, struct sec_allow **out,
                      struct err *err)
{
    *out = NULL;
    struct sec_allow *al = ARENA_NEW(a, struct sec_allow);
    al->codes = n ? ARENA_NEW_ARRAY(a, pcre2_code *, n) : NULL;
    arena_on_release(a, allow_release, al);
    for (size_t i = 0; i < n; i++) {
        int code;
        PCRE2_SIZE off;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)(patterns[i].ptr ? patterns[i].ptr : ""),
                                      patterns[i].len, 0, &code, &off, NULL);
        if (!c) {
            PCRE2_UCHAR buf[160];
            pcre2_get_error_message(code, buf, sizeof buf);
            int shown = patterns[i].len > 200 ? 200 : (int)patterns[i].len;
            return err_set(err, ERR_INVALID,
                           "invalid secrets.allow pattern '%.*s%s': %s at offset %zu", shown,
                           patterns[i].ptr ? patterns[i].ptr : "",
                           patterns[i].len > 200 ? "..." : "", (const char *)buf, (size_t)off);
        }
        (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* the interpreter if it fails */
        al->codes[al->n++] = c;
    }
    *out = al;
    return 0;
}

bool sec_allow_matches(const struct sec_allow *allow, struct str value)
{
    if (!allow || allow->n == 0)
        return false;
    bool hit = false;
    for (size_t i = 0; i < allow->n && !hit; i++) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(allow->codes[i], NULL);
        if (!md)
            break;
        int rc = pcre2_match(allow->codes[i], (PCRE2_SPTR)(value.ptr ? value.ptr : ""), value.len,
                             0, 0, md, NULL);
        hit = rc >= 0;
        pcre2_match_data_free(md);
    }
    return hit;
}
