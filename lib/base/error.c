/* SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <stdio.h>
#include <string.h>

const char *ag_strerror(int code)
{
    switch (code) {
    case AG_OK:
        return "success";
#define AG__XX(name, c, text)                                                 \
    case AG_##name:                                                           \
        return text;
        AG_ERRNO_MAP(AG__XX)
#undef AG__XX
    default:
        return "unknown error";
    }
}

const char *ag_errname(int code)
{
    switch (code) {
    case AG_OK:
        return "OK";
#define AG__XX(name, c, text)                                                 \
    case AG_##name:                                                           \
        return #name;
        AG_ERRNO_MAP(AG__XX)
#undef AG__XX
    default:
        return "EUNKNOWN";
    }
}

int ag_error_set(struct ag_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int ag_error_prefix(struct ag_error *err, const char *fmt, ...)
{
    if (!err)
        return 0;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Truncation is acceptable: the message is for a person. */
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    const char *tail = old[0] ? old : ag_strerror(err->code);
    size_t plen = strnlen(prefix, sizeof err->msg - 3);
    memcpy(err->msg, prefix, plen);
    memcpy(err->msg + plen, ": ", 2);
    size_t room = sizeof err->msg - plen - 3;
    size_t tlen = strnlen(tail, room);
    memcpy(err->msg + plen + 2, tail, tlen);
    err->msg[plen + 2 + tlen] = '\0';
    return err->code;
}

void ag_error_clear(struct ag_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
