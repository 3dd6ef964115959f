/* Image references as the distribution reference grammar reads them
 * (github.com/distribution/reference, as BuildKit's FROM uses it):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path
 *   domain     := host [ ":" port ]      host: dot-separated components of
 *                                        letters, digits and inner '-', or [IPv6]
 *   path       := component { "/" component }
 *   component  := alnum { separator alnum }   lowercase; separator: . _ __ -+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex      sha256/384/512 with 64/96/128 hex
 *
 * The first path element is a domain when it holds '.' or ':', is
 * "localhost", or has upper-case letters (Docker's normalisation rule);
 * otherwise the name is a Docker Hub repository and no domain is added. */
#include "analyzer/model_int.h"

#include <string.h>

#define NAME_MAX_TOTAL 255

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
    return is_alnum(c) || c == '_';
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One path component: alnum runs joined by '.', '_', '__' or dashes. */
static bool component_ok(struct str c)
{
    size_t i = 0;
    if (c.len == 0 || !is_lower_alnum(c.ptr[0]))
        return false;
    while (i < c.len) {
        while (i < c.len && is_lower_alnum(c.ptr[i]))
            i++;
        if (i == c.len)
            return true;
        size_t sep = i;
        if (c.ptr[i] == '.') {
            i++;
        } else if (c.ptr[i] == '_') {
            i++;
            if (i < c.len && c.ptr[i] == '_')
                i++;
        } else if (c.ptr[i] == '-') {
            while (i < c.len && c.ptr[i] == '-')
                i++;
        } else {
            return false;
        }
        if (i == sep || i == c.len || !is_lower_alnum(c.ptr[i]))
            return false;
    }
    return true;
}

static bool path_ok(struct str p)
{
    if (p.len == 0)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= p.len; i++) {
        if (i == p.len || p.ptr[i] == '/') {
            if (!component_ok(str_slice(p, start, i)))
                return false;
            start = i + 1;
        }
    }
    return true;
}

static bool domain_component_ok(struct str c)
{
    if (c.len == 0 || !is_alnum(c.ptr[0]) || !is_alnum(c.ptr[c.len - 1]))
        return false;
    for (size_t i = 0; i < c.len; i++)
        if (!is_alnum(c.ptr[i]) && c.ptr[i] != '-')
            return false;
    return true;
}

static bool domain_ok(struct str d)
{
    if (d.len == 0)
        return false;
    size_t hostlen = d.len;
    if (d.ptr[0] == '[') {
        const char *close = memchr(d.ptr, ']', d.len);
        if (!close)
            return false;
        hostlen = (size_t)(close - d.ptr) + 1;
        for (size_t i = 1; i + 1 < hostlen; i++)
            if (!is_hex(d.ptr[i]) && d.ptr[i] != ':')
                return false;
        if (hostlen < 3)
            return false;
    } else {
        long colon = str_find_char(d, ':', 0);
        if (colon >= 0)
            hostlen = (size_t)colon;
        size_t start = 0;
        for (size_t i = 0; i <= hostlen; i++) {
            if (i == hostlen || d.ptr[i] == '.') {
                if (!domain_component_ok(str_slice(d, start, i)))
                    return false;
                start = i + 1;
            }
        }
    }
    if (hostlen == d.len)
        return true;
    if (d.ptr[hostlen] != ':' || hostlen + 1 == d.len)
        return false;
    for (size_t i = hostlen + 1; i < d.len; i++)
        if (d.ptr[i] < '0' || d.ptr[i] > '9')
            return false;
    return true;
}

static bool tag_ok(struct str t)
{
    if (t.len == 0 || t.len > 128 || !is_word(t.ptr[0]))
        return false;
    for (size_t i = 1; i < t.len; i++)
        if (!is_word(t.ptr[i]) && t.ptr[i] != '.' && t.ptr[i] != '-')
            return false;
    return true;
}

/* The grammar, then go-digest's check of the algorithms it knows: any
 * other algorithm is unsupported and the reference fails to parse. */
static bool digest_ok(struct str d)
{
    long colon = str_find_char(d, ':', 0);
    if (colon <= 0)
        return false;
    struct str alg = str_slice(d, 0, (size_t)colon), hex = str_slice(d, (size_t)colon + 1, d.len);
    bool at_start = true;
    for (size_t i = 0; i < alg.len; i++) {
        char c = alg.ptr[i];
        if (at_start) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                return false;
            at_start = false;
        } else if (c == '+' || c == '.' || c == '_' || c == '-') {
            at_start = true;
        } else if (!is_alnum(c)) {
            return false;
        }
    }
    if (at_start || hex.len < 32)
        return false;
    for (size_t i = 0; i < hex.len; i++)
        if (!is_hex(hex.ptr[i]))
            return false;
    size_t want = str_eq_cstr(alg, "sha256")   ? 64
                  : str_eq_cstr(alg, "sha384") ? 96
                  : str_eq_cstr(alg, "sha512") ? 128
                                               : 0;
    if (want == 0 || hex.len != want)
        return false;
    for (size_t i = 0; i < hex.len; i++)
        if (hex.ptr[i] >= 'A' && hex.ptr[i] <= 'F')
            return false;
    return true;
}

void df_image_parse(struct df_image_ref *ref, struct str s)
{
    ref->registry = ref->repository = ref->tag = ref->digest = STR_NULL;
    ref->valid = false;
    ref->is_scratch = str_eq_cstr(s, "scratch");
    if (!s.ptr || s.len == 0)
        return;
    struct str name = s;
    long at = str_find_char(s, '@', 0);
    if (at >= 0) {
        ref->digest = str_slice(s, (size_t)at + 1, s.len);
        name = str_slice(s, 0, (size_t)at);
    }
    /* A tag is after the last ':' that follows the last '/'. */
    size_t slash = 0;
    bool has_slash = false;
    for (size_t i = 0; i < name.len; i++)
        if (name.ptr[i] == '/') {
            slash = i;
            has_slash = true;
        }
    long colon = str_find_char(name, ':', has_slash ? slash + 1 : 0);
    if (colon >= 0) {
        long next;
        while ((next = str_find_char(name, ':', (size_t)colon + 1)) >= 0)
            colon = next;
        ref->tag = str_slice(name, (size_t)colon + 1, name.len);
        name = str_slice(name, 0, (size_t)colon);
    }
    long first = str_find_char(name, '/', 0);
    if (first > 0) {
        struct str head = str_slice(name, 0, (size_t)first);
        bool upper = false;
        for (size_t i = 0; i < head.len; i++)
            if (head.ptr[i] >= 'A' && head.ptr[i] <= 'Z')
                upper = true;
        if (str_find_char(head, '.', 0) >= 0 || str_find_char(head, ':', 0) >= 0 ||
            str_eq_cstr(head, "localhost") || upper) {
            ref->registry = head;
            name = str_slice(name, (size_t)first + 1, name.len);
        }
    }
    ref->repository = name;
    bool ok = path_ok(name);
    if (ok && ref->registry.ptr)
        ok = domain_ok(ref->registry);
    if (ok && ref->tag.ptr)
        ok = tag_ok(ref->tag);
    if (ok && ref->digest.ptr)
        ok = digest_ok(ref->digest);
    size_t total = name.len + (ref->registry.ptr ? ref->registry.len + 1 : 0);
    if (total > NAME_MAX_TOTAL)
        ok = false;
    ref->valid = ok;
}
