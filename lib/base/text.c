/* Text checks shared by the readers of outside files.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <math.h>
#include <stdio.h>

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) and no
 * control characters: text fields end up in HTML, JSON and terminals. */
bool ag_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            p++;
            continue;
        }
        int n;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        for (int k = 1; k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

void ag_format_fixed(char *out, size_t cap, double v, int decimals)
{
    long long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    long long fixed = llround(fabs(v) * (double)scale);
    snprintf(out, cap, "%s%lld.%0*lld", v < 0 ? "-" : "", fixed / scale, decimals, fixed % scale);
}

const char *ag_excerpt(const char *s, char *buf, size_t cap)
{
    size_t j = 0, i = 0;
    for (; s[i] && j + 4 < cap && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[j++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
    }
    if (s[i] && j + 4 < cap) {
        buf[j++] = '.';
        buf[j++] = '.';
        buf[j++] = '.';
    }
    buf[j] = '\0';
    return buf;
}
