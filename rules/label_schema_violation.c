/* DW123 label-schema-violation: with `label-schema: {label: type}` in the
 * configuration, every stage carries every schema label with a non-empty
 * value of its type, and with `strict-labels` no other label. The kinds
 * are hadolint's DL3049-DL3058 (alias kinds, each with its severity):
 * missing and unexpected labels are info, bad values warnings. A stage
 * gets its labels from its own LABELs and from the in-file stage it is
 * built on (LABEL values persist in the image config). A stage missing a
 * label is excused when a later stage built on it or copying from it has
 * the label. Values are checked after expansion; one whose variables have
 * no known value is not judged. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Active when the configuration has a `label-schema` mapping label names to\n"
    "types (`text`, `url`, `semver`, `hash`, `rfc3339`, `spdx`, `email`).\n"
    "Reports a stage that lacks a schema label (its own or from an in-file\n"
    "stage it is built on), unless a later stage built on it or copying from\n"
    "it has the label; a schema label with an empty value or a value not of\n"
    "its type; and, with `strict-labels: true`, a label the schema does not\n"
    "name. Types: `url` an absolute URI with a scheme, `semver` a Semantic\n"
    "Versioning 2.0.0 version, `hash` a git object id (7 to 40 or 64\n"
    "hexadecimal digits), `rfc3339` a date and time with offset, `spdx` an\n"
    "SPDX license expression over the common SPDX identifiers and\n"
    "`LicenseRef-` names, `email` an RFC 5322 address (`local@domain`).\n"
    "Each kind has its own hadolint name (DL3049 missing, DL3050 unexpected,\n"
    "DL3051 empty, DL3052 url, DL3053 rfc3339, DL3054 spdx, DL3055 hash,\n"
    "DL3056 semver, DL3058 email) that ignores and severities can use.\n"
    "\n"
    "## Why is this bad?\n"
    "Registries, scanners and deployment tools read image labels such as\n"
    "`org.opencontainers.image.source` or `.version`. A missing or malformed\n"
    "label breaks them silently, long after the build.\n"
    "\n"
    "## Example\n"
    "With this configuration:\n"
    "```yaml\n"
    "label-schema:\n"
    "  org.opencontainers.image.version: semver\n"
    "```\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "LABEL org.opencontainers.image.version=v1.2\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "LABEL org.opencontainers.image.version=1.2.0\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3049", "missing" }, { "DL3050", "unexpected" }, { "DL3051", "empty" },
    { "DL3052", "url" },     { "DL3053", "rfc3339" },    { "DL3054", "spdx" },
    { "DL3055", "hash" },    { "DL3056", "semver" },     { "DL3058", "email" },
    { NULL, NULL },
};

/* ------------------------------------------------------------ value types */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986: scheme ":" and at least one more character, every character
 * allowed in a URI, '%' followed by two hex digits. */
static bool valid_url(struct str v)
{
    if (!v.len || !is_alpha(v.ptr[0]))
        return false;
    size_t i = 1;
    while (i < v.len && (is_alpha(v.ptr[i]) || is_digit(v.ptr[i]) || v.ptr[i] == '+' ||
                         v.ptr[i] == '-' || v.ptr[i] == '.'))
        i++;
    if (i >= v.len || v.ptr[i] != ':' || i + 1 >= v.len)
        return false;
    for (i++; i < v.len; i++) {
        char c = v.ptr[i];
        if (c == '%') {
            if (i + 2 >= v.len || !is_hex(v.ptr[i + 1]) || !is_hex(v.ptr[i + 2]))
                return false;
            i += 2;
            continue;
        }
        if (is_alpha(c) || is_digit(c) || strchr("-._~:/?#[]@!$&'()*+,;=", c))
            continue;
        return false;
    }
    return true;
}

/* A Semantic Versioning 2.0.0 numeric identifier: no leading zero. */
static bool numeric_ident(struct str s)
{
    if (!s.len || (s.len > 1 && s.ptr[0] == '0'))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!is_digit(s.ptr[i]))
            return false;
    return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; pre-release ones that are
 * all digits must not have a leading zero. */
static bool semver_idents(struct str s, bool prerelease)
{
    size_t b = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i < s.len && s.ptr[i] != '.')
            continue;
        struct str id = str_slice(s, b, i);
        if (!id.len)
            return false;
        bool digits = true;
        for (size_t k = 0; k < id.len; k++) {
            char c = id.ptr[k];
            if (!is_alpha(c) && !is_digit(c) && c != '-')
                return false;
            digits &= is_digit(c);
        }
        if (prerelease && digits && !numeric_ident(id))
            return false;
        b = i + 1;
    }
    return true;
}

static bool valid_semver(struct str v)
{
    size_t end = v.len;
    long plus = str_find_char(v, '+', 0);
    if (plus >= 0) {
        if (!semver_idents(str_slice(v, (size_t)plus + 1, v.len), false))
            return false;
        end = (size_t)plus;
    }
    struct str core = str_slice(v, 0, end);
    long dash = str_find_char(core, '-', 0);
    if (dash >= 0) {
        if (!semver_idents(str_slice(core, (size_t)dash + 1, core.len), true))
            return false;
        core = str_slice(core, 0, (size_t)dash);
    }
    int parts = 0;
    size_t b = 0;
    for (size_t i = 0; i <= core.len; i++) {
        if (i < core.len && core.ptr[i] != '.')
            continue;
        if (!numeric_ident(str_slice(core, b, i)))
            return false;
        parts++;
        b = i + 1;
    }
    return parts == 3;
}

/* A git object id: an abbreviated or full SHA-1 (7 to 40 hex digits) or a
 * full SHA-256 (64). */
static bool valid_hash(struct str v)
{
    if (!((v.len >= 7 && v.len <= 40) || v.len == 64))
        return false;
    for (size_t i = 0; i < v.len; i++)
        if (!is_hex(v.ptr[i]))
            return false;
    return true;
}

/* n digits at v[*i], as a number. */
static bool digits(struct str v, size_t *i, size_t n, int *out)
{
    if (*i + n > v.len)
        return false;
    int x = 0;
    for (size_t k = 0; k < n; k++) {
        char c = v.ptr[*i + k];
        if (!is_digit(c))
            return false;
        x = x * 10 + (c - '0');
    }
    *i += n;
    *out = x;
    return true;
}

static bool expect_char(struct str v, size_t *i, const char *set)
{
    if (*i >= v.len || !strchr(set, v.ptr[*i]))
        return false;
    (*i)++;
    return true;
}

/* RFC 3339 date-time: full-date ("T" | "t" | " ") full-time, with the
 * calendar checked (leap years) and a leap second allowed. */
static bool valid_rfc3339(struct str v)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    size_t i = 0;
    int y, mo, d, h, mi, s;
    if (!digits(v, &i, 4, &y) || !expect_char(v, &i, "-") || !digits(v, &i, 2, &mo) ||
        !expect_char(v, &i, "-") || !digits(v, &i, 2, &d) || !expect_char(v, &i, "Tt ") ||
        !digits(v, &i, 2, &h) || !expect_char(v, &i, ":") || !digits(v, &i, 2, &mi) ||
        !expect_char(v, &i, ":") || !digits(v, &i, 2, &s))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return false;
    if (i < v.len && v.ptr[i] == '.') {
        i++;
        size_t f = i;
        while (i < v.len && is_digit(v.ptr[i]))
            i++;
        if (i == f)
            return false;
    }
    if (i < v.len && (v.ptr[i] == 'Z' || v.ptr[i] == 'z'))
        return i + 1 == v.len;
    int oh, om;
    if (!expect_char(v, &i, "+-") || !digits(v, &i, 2, &oh) || !expect_char(v, &i, ":") ||
        !digits(v, &i, 2, &om))
        return false;
    return i == v.len && oh <= 23 && om <= 59;
}

/* RFC 5322 addr-spec: local-part "@" domain, the local part a dot-atom or
 * a quoted string, the domain a dot-atom or a domain literal. */
static bool atext(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c)) ||
           (unsigned char)c >= 0x80;
}

static bool dot_atom(struct str s)
{
    if (!s.len || s.ptr[0] == '.' || s.ptr[s.len - 1] == '.')
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '.') {
            if (s.ptr[i + 1] == '.')
                return false;
        } else if (!atext(s.ptr[i])) {
            return false;
        }
    }
    return true;
}

static bool valid_email(struct str v)
{
    long at = -1;
    /* The last '@' separates, since a quoted local part may hold one. */
    for (size_t i = v.len; i > 0; i--)
        if (v.ptr[i - 1] == '@') {
            at = (long)i - 1;
            break;
        }
    if (at <= 0 || (size_t)at + 1 >= v.len)
        return false;
    struct str local = str_slice(v, 0, (size_t)at), domain = str_slice(v, (size_t)at + 1, v.len);
    bool local_ok;
    if (local.ptr[0] == '"') {
        local_ok = local.len >= 2 && local.ptr[local.len - 1] == '"';
        for (size_t i = 1; local_ok && i + 1 < local.len; i++) {
            unsigned char c = (unsigned char)local.ptr[i];
            if (c == '\\') {
                i++;
                local_ok = i + 1 < local.len;
            } else if (c == '"' || c < 0x20) {
                local_ok = false;
            }
        }
    } else {
        local_ok = dot_atom(local);
    }
    if (!local_ok)
        return false;
    if (domain.ptr[0] == '[') {
        if (domain.ptr[domain.len - 1] != ']' || domain.len < 3)
            return false;
        for (size_t i = 1; i + 1 < domain.len; i++) {
            unsigned char c = (unsigned char)domain.ptr[i];
            if (c == '[' || c == ']' || c == '\\' || c <= 0x20)
                return false;
        }
        return true;
    }
    return dot_atom(domain);
}

/* ----------------------------------------------------------------- SPDX */

/* Common identifiers of the SPDX license list (deprecated ones included:
 * they are still valid ids), compared without regard to case as SPDX
 * specifies. */
static const char *const spdx_ids[] = {
    "0BSD",
    "AAL",
    "AFL-1.1",
    "AFL-1.2",
    "AFL-2.0",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-1.0",
    "AGPL-1.0-only",
    "AGPL-1.0-or-later",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APL-1.0",
    "APSL-1.0",
    "APSL-1.1",
    "APSL-1.2",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-cl8",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "Beerware",
    "BitTorrent-1.0",
    "BitTorrent-1.1",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-FreeBSD",
    "BSD-2-Clause-NetBSD",
    "BSD-2-Clause-Patent",
    "BSD-2-Clause-Views",
    "BSD-3-Clause",
    "BSD-3-Clause-Attribution",
    "BSD-3-Clause-Clear",
    "BSD-3-Clause-LBNL",
    "BSD-3-Clause-Modification",
    "BSD-3-Clause-No-Nuclear-License",
    "BSD-3-Clause-No-Nuclear-Warranty",
    "BSD-3-Clause-Open-MPI",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSD-Protection",
    "BSD-Source-Code",
    "BSL-1.0",
    "BUSL-1.1",
    "bzip2-1.0.5",
    "bzip2-1.0.6",
    "CAL-1.0",
    "CAL-1.0-Combined-Work-Exception",
    "CATOSL-1.1",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-NC-1.0",
    "CC-BY-NC-2.0",
    "CC-BY-NC-2.5",
    "CC-BY-NC-3.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-ND-1.0",
    "CC-BY-NC-ND-2.0",
    "CC-BY-NC-ND-2.5",
    "CC-BY-NC-ND-3.0",
    "CC-BY-NC-ND-4.0",
    "CC-BY-NC-SA-1.0",
    "CC-BY-NC-SA-2.0",
    "CC-BY-NC-SA-2.5",
    "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-1.0",
    "CC-BY-ND-2.0",
    "CC-BY-ND-2.5",
    "CC-BY-ND-3.0",
    "CC-BY-ND-4.0",
    "CC-BY-SA-1.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC-PDDC",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "CECILL-1.0",
    "CECILL-1.1",
    "CECILL-2.0",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "ClArtistic",
    "CNRI-Jython",
    "CNRI-Python",
    "CNRI-Python-GPL-Compatible",
    "Condor-1.1",
    "CPAL-1.0",
    "CPL-1.0",
    "CPOL-1.02",
    "CUA-OPL-1.0",
    "curl",
    "ECL-1.0",
    "ECL-2.0",
    "EFL-1.0",
    "EFL-2.0",
    "Entessa",
    "EPL-1.0",
    "EPL-2.0",
    "ErlPL-1.2",
    "EUDatagrid",
    "EUPL-1.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "Fair",
    "Frameworx-1.0",
    "FreeImage",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.1",
    "GFDL-1.1-only",
    "GFDL-1.1-or-later",
    "GFDL-1.2",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-2.0-with-autoconf-exception",
    "GPL-2.0-with-bison-exception",
    "GPL-2.0-with-classpath-exception",
    "GPL-2.0-with-font-exception",
    "GPL-2.0-with-GCC-exception",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "GPL-3.0-with-autoconf-exception",
    "GPL-3.0-with-GCC-exception",
    "HPND",
    "HPND-sell-variant",
    "ICU",
    "IJG",
    "ImageMagick",
    "Imlib2",
    "Info-ZIP",
    "Intel",
    "IPA",
    "IPL-1.0",
    "ISC",
    "JasPer-2.0",
    "JSON",
    "LAL-1.2",
    "LAL-1.3",
    "LGPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LGPLLR",
    "Libpng",
    "libpng-2.0",
    "libtiff",
    "LiLiQ-P-1.1",
    "LiLiQ-R-1.1",
    "LiLiQ-Rplus-1.1",
    "LPL-1.0",
    "LPL-1.02",
    "LPPL-1.0",
    "LPPL-1.1",
    "LPPL-1.2",
    "LPPL-1.3a",
    "LPPL-1.3c",
    "MirOS",
    "MIT",
    "MIT-0",
    "MIT-advertising",
    "MIT-CMU",
    "MIT-enna",
    "MIT-feh",
    "MIT-Modern-Variant",
    "MITNFA",
    "Motosoto",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "MulanPSL-1.0",
    "MulanPSL-2.0",
    "Multics",
    "NASA-1.3",
    "Naumen",
    "NCSA",
    "NGPL",
    "NLOD-1.0",
    "NLOD-2.0",
    "Nokia",
    "NPL-1.0",
    "NPL-1.1",
    "NPOSL-3.0",
    "NTP",
    "ODbL-1.0",
    "ODC-By-1.0",
    "OFL-1.0",
    "OFL-1.1",
    "OFL-1.1-no-RFN",
    "OFL-1.1-RFN",
    "OGL-UK-1.0",
    "OGL-UK-2.0",
    "OGL-UK-3.0",
    "OGTSL",
    "OLDAP-2.8",
    "OpenSSL",
    "OPL-1.0",
    "OSL-1.0",
    "OSL-1.1",
    "OSL-2.0",
    "OSL-2.1",
    "OSL-3.0",
    "PDDL-1.0",
    "PHP-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Python-2.0.1",
    "QPL-1.0",
    "RPL-1.1",
    "RPL-1.5",
    "RPSL-1.0",
    "RSCPL",
    "Ruby",
    "SGI-B-2.0",
    "SimPL-2.0",
    "SISSL",
    "Sleepycat",
    "SMLNJ",
    "SPL-1.0",
    "SSPL-1.0",
    "StandardML-NJ",
    "TCL",
    "UCL-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2015",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "VSL-1.0",
    "W3C",
    "W3C-19980720",
    "W3C-20150513",
    "Watcom-1.0",
    "WTFPL",
    "X11",
    "XFree86-1.1",
    "Xnet",
    "YPL-1.1",
    "Zend-2.0",
    "Zlib",
    "zlib-acknowledgement",
    "ZPL-1.1",
    "ZPL-2.0",
    "ZPL-2.1",
};

static const char *const spdx_exceptions[] = {
    "389-exception",
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Bootloader-exception",
    "Classpath-exception-2.0",
    "CLISP-exception-2.0",
    "DigiRule-FOSS-exception",
    "eCos-exception-2.0",
    "Fawkes-Runtime-exception",
    "FLTK-exception",
    "Font-exception-2.0",
    "freertos-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "gnu-javamail-exception",
    "GPL-3.0-linking-exception",
    "GPL-3.0-linking-source-exception",
    "GPL-CC-1.0",
    "i2p-gpl-java-exception",
    "LGPL-3.0-linking-exception",
    "Libtool-exception",
    "Linux-syscall-note",
    "LLVM-exception",
    "LZMA-exception",
    "mif-exception",
    "Nokia-Qt-exception-1.1",
    "OCaml-LGPL-linking-exception",
    "OCCT-exception-1.0",
    "OpenJDK-assembly-exception-1.0",
    "openvpn-openssl-exception",
    "PS-or-PDF-font-exception-20170817",
    "Qt-GPL-exception-1.0",
    "Qt-LGPL-exception-1.1",
    "Qwt-exception-1.0",
    "SHL-2.0",
    "SHL-2.1",
    "Swift-exception",
    "u-boot-exception-2.0",
    "Universal-FOSS-exception-1.0",
    "WxWindows-exception-3.1",
};

static bool in_list(struct str s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq_nocase(s, str_from_cstr(list[i])))
            return true;
    return false;
}

/* idstring: letters, digits, '-' and '.'. */
static bool idstring(struct str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!is_alpha(s.ptr[i]) && !is_digit(s.ptr[i]) && s.ptr[i] != '-' && s.ptr[i] != '.')
            return false;
    return true;
}

struct spdx_lexer {
    struct str v;
    size_t i;
    struct str tok; /* the current token; empty at the end */
};

static void spdx_next(struct spdx_lexer *lx)
{
    while (lx->i < lx->v.len && (lx->v.ptr[lx->i] == ' ' || lx->v.ptr[lx->i] == '\t'))
        lx->i++;
    size_t s = lx->i;
    if (lx->i < lx->v.len && (lx->v.ptr[lx->i] == '(' || lx->v.ptr[lx->i] == ')')) {
        lx->i++;
    } else {
        while (lx->i < lx->v.len && lx->v.ptr[lx->i] != ' ' && lx->v.ptr[lx->i] != '\t' &&
               lx->v.ptr[lx->i] != '(' && lx->v.ptr[lx->i] != ')')
            lx->i++;
    }
    lx->tok = str_slice(lx->v, s, lx->i);
}

/* SPDX operators are written all upper or all lower case. */
static bool is_op(struct str t, const char *upper, const char *lower)
{
    return str_eq_cstr(t, upper) || str_eq_cstr(t, lower);
}

static bool spdx_license(struct str t)
{
    if (t.len && t.ptr[t.len - 1] == '+')
        t = str_slice(t, 0, t.len - 1);
    if (str_starts_with(t, STR_LIT("LicenseRef-")))
        return idstring(str_slice(t, 11, t.len));
    if (str_starts_with(t, STR_LIT("DocumentRef-"))) {
        long colon = str_find_char(t, ':', 0);
        if (colon < 0)
            return false;
        struct str doc_id = str_slice(t, 12, (size_t)colon);
        struct str lic = str_slice(t, (size_t)colon + 1, t.len);
        return idstring(doc_id) && str_starts_with(lic, STR_LIT("LicenseRef-")) &&
               idstring(str_slice(lic, 11, lic.len));
    }
    return in_list(t, spdx_ids, sizeof spdx_ids / sizeof spdx_ids[0]);
}

static bool spdx_expr(struct spdx_lexer *lx, int depth);

/* simple-expression [WITH exception] | "(" expression ")" */
static bool spdx_term(struct spdx_lexer *lx, int depth)
{
    if (str_eq_cstr(lx->tok, "(")) {
        spdx_next(lx);
        if (!spdx_expr(lx, depth + 1) || !str_eq_cstr(lx->tok, ")"))
            return false;
        spdx_next(lx);
        return true;
    }
    if (!spdx_license(lx->tok))
        return false;
    spdx_next(lx);
    if (is_op(lx->tok, "WITH", "with")) {
        spdx_next(lx);
        if (!in_list(lx->tok, spdx_exceptions, sizeof spdx_exceptions / sizeof spdx_exceptions[0]))
            return false;
        spdx_next(lx);
    }
    return true;
}

/* term ((AND | OR) term)*: precedence does not matter for validity. */
static bool spdx_expr(struct spdx_lexer *lx, int depth)
{
    if (depth > 32 || !spdx_term(lx, depth))
        return false;
    while (is_op(lx->tok, "AND", "and") || is_op(lx->tok, "OR", "or")) {
        spdx_next(lx);
        if (!spdx_term(lx, depth))
            return false;
    }
    return true;
}

static bool valid_spdx(struct str v)
{
    struct spdx_lexer lx = { v, 0, STR_NULL };
    spdx_next(&lx);
    return spdx_expr(&lx, 0) && !lx.tok.len;
}

/* ------------------------------------------------------------- labels */

struct label {
    struct str key;
    struct str value;
    bool known; /* the value is known (no variable without a value) */
    const struct df_pair *pair;
};

struct stage_labels {
    struct label *items; /* the last occurrence of each key */
    uint32_t n;
};

static bool refs_known(const struct exp_result *r)
{
    for (size_t i = 0; i < r->n_refs; i++) {
        const struct exp_ref *ref = &r->refs[i];
        if (!ref->set && ref->mod != EXP_MOD_DEFAULT && ref->mod != EXP_MOD_DEFAULT_NULL &&
            ref->mod != EXP_MOD_ALT && ref->mod != EXP_MOD_ALT_NULL)
            return false;
    }
    return true;
}

/* The labels a stage sets itself, each key once with its last value. */
static void collect(struct rule_ctx *ctx, const struct df_stage *st, struct stage_labels *out)
{
    const struct df_file *f = rule_file(ctx);
    uint32_t cap = 0;
    for (uint32_t i = 0; i < st->n_instrs; i++)
        if (st->instrs[i]->kind == DF_LABEL && !st->instrs[i]->parent)
            cap += st->instrs[i]->n_pairs;
    out->n = 0;
    out->items = cap ? rule_alloc(ctx, cap * sizeof *out->items) : NULL;
    for (uint32_t i = 0; i < st->n_instrs; i++) {
        const struct df_instr *in = st->instrs[i];
        if (in->kind != DF_LABEL || in->parent)
            continue;
        for (uint32_t k = 0; k < in->n_pairs; k++) {
            const struct df_pair *p = &in->pairs[k];
            if (!p->key.raw.ptr)
                continue;
            struct label l = { p->key.raw, STR_LIT(""), true, p };
            struct exp_result r;
            struct err err;
            if (!df_expand(f, in, &p->key, 0, &r, &err))
                l.key = r.value;
            if (p->value.raw.ptr) {
                if (df_expand(f, in, &p->value, 0, &r, &err))
                    l.known = false;
                else {
                    l.value = r.value;
                    l.known = refs_known(&r);
                }
            }
            uint32_t j = 0;
            while (j < out->n && !str_eq(out->items[j].key, l.key))
                j++;
            out->items[j] = l;
            if (j == out->n)
                out->n++;
        }
    }
}

static bool has_own(const struct stage_labels *sl, struct str key)
{
    for (uint32_t j = 0; j < sl->n; j++)
        if (str_eq(sl->items[j].key, key))
            return true;
    return false;
}

/* The label is set in stage s or in an in-file stage it is built on. */
static bool has_label(const struct df_model *m, const struct stage_labels *all, int s,
                      struct str key)
{
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        if (has_own(&all[s], key))
            return true;
        s = m->stages[s].base_stage;
    }
    return false;
}

/* A later stage built on s or copying from it has the label. */
static bool excused(const struct df_model *m, const struct stage_labels *all, uint32_t s,
                    struct str key)
{
    for (uint32_t i = 0; i < m->n_edges; i++) {
        const struct df_stage_edge *e = &m->edges[i];
        if (e->to_stage == (int)s && e->from_stage > s &&
            has_label(m, all, (int)e->from_stage, key))
            return true;
    }
    return false;
}

static const char *type_name(enum cfg_label_type t)
{
    switch (t) {
    case CFG_LABEL_URL: return "url";
    case CFG_LABEL_SEMVER: return "semver";
    case CFG_LABEL_HASH: return "hash";
    case CFG_LABEL_RFC3339: return "rfc3339";
    case CFG_LABEL_SPDX: return "spdx";
    case CFG_LABEL_EMAIL: return "email";
    default: return "text";
    }
}

static void report_kind(struct rule_finding *rf, const char *alias, enum rule_severity sev)
{
    if (!rf)
        return;
    rule_finding_alias(rf, alias);
    rule_finding_severity(rf, sev);
}

static void check_value(struct rule_ctx *ctx, const struct label *l, const struct cfg_label *def)
{
    if (!l->known)
        return;
    struct span at = l->pair->value.raw.ptr ? l->pair->value.span : l->pair->key.span;
    if (!l->value.len) {
        report_kind(rule_report(ctx, at,
                                "label '%.*s' is empty, but the label schema requires a %s",
                                STR_FMT(l->key), type_name(def->type)),
                    "DL3051", SEV_WARNING);
        return;
    }
    const char *alias = NULL, *what = NULL;
    switch (def->type) {
    case CFG_LABEL_TEXT: return;
    case CFG_LABEL_URL:
        if (!valid_url(l->value))
            alias = "DL3052", what = "a URL";
        break;
    case CFG_LABEL_RFC3339:
        if (!valid_rfc3339(l->value))
            alias = "DL3053", what = "an RFC 3339 date and time";
        break;
    case CFG_LABEL_SPDX:
        if (!valid_spdx(l->value))
            alias = "DL3054", what = "an SPDX license expression";
        break;
    case CFG_LABEL_HASH:
        if (!valid_hash(l->value))
            alias = "DL3055", what = "a git commit hash";
        break;
    case CFG_LABEL_SEMVER:
        if (!valid_semver(l->value))
            alias = "DL3056", what = "a semantic version";
        break;
    case CFG_LABEL_EMAIL:
        if (!valid_email(l->value))
            alias = "DL3058", what = "an email address";
        break;
    }
    if (!alias)
        return;
    int shown = l->value.len > 80 ? 80 : (int)l->value.len;
    report_kind(rule_report(ctx, at, "label '%.*s' is not %s: '%.*s%s'", STR_FMT(l->key), what,
                            shown, l->value.ptr, l->value.len > 80 ? "..." : ""),
                alias, SEV_WARNING);
}

static const struct cfg_label *schema_entry(const struct cfg *c, struct str key)
{
    for (size_t i = 0; i < c->n_label_schema; i++)
        if (c->label_schema[i].name && str_eq_cstr(key, c->label_schema[i].name))
            return &c->label_schema[i];
    return NULL;
}

static void finish(struct rule_ctx *ctx)
{
    const struct cfg *c = rule_config(ctx);
    const struct df_model *m = rule_model(ctx);
    if (!c || !c->n_label_schema || !m->n_stages)
        return;
    struct stage_labels *all = rule_alloc(ctx, m->n_stages * sizeof *all);
    for (uint32_t s = 0; s < m->n_stages; s++)
        collect(ctx, &m->stages[s], &all[s]);

    for (uint32_t s = 0; s < m->n_stages; s++) {
        const struct df_stage *st = &m->stages[s];
        if (!st->from)
            continue;
        for (size_t k = 0; k < c->n_label_schema; k++) {
            const struct cfg_label *def = &c->label_schema[k];
            struct str key = str_from_cstr(def->name);
            if (has_label(m, all, (int)s, key) || excused(m, all, s, key))
                continue;
            struct rule_finding *rf;
            if (st->name.ptr)
                rf = rule_report(ctx, st->from->keyword,
                                 "stage '%.*s' has no label '%s', which the label schema requires",
                                 STR_FMT(st->name), def->name);
            else
                rf = rule_report(ctx, st->from->keyword,
                                 "stage %u has no label '%s', which the label schema requires", s,
                                 def->name);
            report_kind(rf, "DL3049", SEV_INFO);
        }
        for (uint32_t j = 0; j < all[s].n; j++) {
            const struct label *l = &all[s].items[j];
            const struct cfg_label *def = schema_entry(c, l->key);
            if (def)
                check_value(ctx, l, def);
            else if (c->strict_labels)
                report_kind(rule_report(ctx, l->pair->key.span,
                                        "label '%.*s' is not in the label schema (strict-labels)",
                                        STR_FMT(l->key)),
                            "DL3050", SEV_INFO);
        }
    }
}

const struct rule rule_DW123 = {
    .id = "DW123",
    .name = "label-schema-violation",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_CONFIG,
    .fix = FIX_NONE,
    .summary = "a stage's labels do not follow the configured label schema",
    .aliases = aliases,
    .finish = finish,
    .config_key = "label-schema",
    .doc = doc,
};
