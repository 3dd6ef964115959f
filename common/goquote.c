#include "goquote.h"

#include "err.h"
#include "utf8.h"

bool go_is_print(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD)
        return false;
    if ((cp >= 0x600 && cp <= 0x605) || cp == 0x61C || cp == 0x6DD || cp == 0x70F)
        return false;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
        (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF)
        return false;
    if ((cp >= 0xD800 && cp <= 0xF8FF) || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
        (cp & 0xFFFE) == 0xFFFE || (cp >= 0xE0000 && cp <= 0xE007F) || cp >= 0xF0000)
        return false;
    return true;
}

int go_quote(struct buf *out, const char *s, size_t len)
{
    int rc = buf_append_char(out, '"');
    for (size_t i = 0; i < len && !rc;) {
        size_t n;
        uint32_t cp = utf8_decode(s, len, i, &n);
        if (cp == UTF8_RUNE_ERROR && n == 1) {
            rc = buf_printf(out, "\\x%02x", (unsigned char)s[i]);
        } else if (cp == '"' || cp == '\\') {
            rc = buf_printf(out, "\\%c", (char)cp);
        } else if (cp >= '\a' && cp <= '\r') {
            static const char esc[] = "abtnvfr";
            rc = buf_printf(out, "\\%c", esc[cp - '\a']);
        } else if (cp < 0x20 || cp == 0x7F) {
            rc = buf_printf(out, "\\x%02x", (unsigned)cp);
        } else if (cp < 0x80 || go_is_print(cp)) {
            rc = buf_append(out, s + i, n);
        } else if (cp < 0x10000) {
            rc = buf_printf(out, "\\u%04x", (unsigned)cp);
        } else {
            rc = buf_printf(out, "\\U%08x", (unsigned)cp);
        }
        i += n;
    }
    if (!rc)
        rc = buf_append_char(out, '"');
    return rc ? ERR_TOO_LARGE : 0;
}
