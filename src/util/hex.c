#include "hex.h"

#include <stdlib.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void skip_prefix(const char **s, size_t *len)
{
    if (*len >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
        *s += 2;
        *len -= 2;
    }
}

static bool decode_into(const char *s, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool pv_hex_decode_alloc(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    skip_prefix(&s, &len);
    if (len % 2)
        return false;
    uint8_t *buf = malloc(len / 2 + 1);
    if (!buf)
        abort();
    if (!decode_into(s, len, buf)) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len / 2;
    return true;
}

bool pv_hex_decode_fixed(const char *s, size_t len, uint8_t *out, size_t out_len)
{
    skip_prefix(&s, &len);
    return len == 2 * out_len && decode_into(s, len, out);
}

char *pv_hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = digits[data[i] >> 4];
        out[3 + 2 * i] = digits[data[i] & 15];
    }
    out[2 + 2 * len] = 0;
    return out;
}
