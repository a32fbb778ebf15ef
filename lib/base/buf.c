/* Bounded buffers and small file helpers.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ag_buf_init(struct ag_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ag_buf_free(struct ag_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void ag_buf_reset(struct ag_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_grow(struct ag_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return AG_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return AG_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int ag_buf_append(struct ag_buf *b, const void *data, size_t len)
{
    int rc = buf_grow(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int ag_buf_puts(struct ag_buf *b, const char *s)
{
    return ag_buf_append(b, s, strlen(s));
}

int ag_buf_vprintf(struct ag_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return AG_EINVAL;
    int rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int ag_buf_printf(struct ag_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ag_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* Both escapers append piece by piece, so on failure they cut the buffer
 * back to where it was: an append never leaves half of itself behind. */
int ag_buf_put_html(struct ag_buf *b, const char *s)
{
    size_t start = b->len;
    int rc = 0;
    for (const char *p = s; *p && !rc; p++) {
        switch (*p) {
        case '&': rc = ag_buf_puts(b, "&amp;"); break;
        case '<': rc = ag_buf_puts(b, "&lt;"); break;
        case '>': rc = ag_buf_puts(b, "&gt;"); break;
        case '"': rc = ag_buf_puts(b, "&quot;"); break;
        case '\'': rc = ag_buf_puts(b, "&#39;"); break;
        default: rc = ag_buf_append(b, p, 1);
        }
    }
    if (rc && b->data) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

int ag_buf_put_fixed(struct ag_buf *b, double v, int decimals)
{
    if (!isfinite(v))
        return ag_buf_puts(b, "null");
    char s[48];
    ag_format_fixed(s, sizeof s, v, decimals);
    return ag_buf_puts(b, s);
}

int ag_buf_put_json_str(struct ag_buf *b, const char *s)
{
    size_t start = b->len;
    int rc = ag_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        switch (*p) {
        case '"': rc = ag_buf_puts(b, "\\\""); break;
        case '\\': rc = ag_buf_puts(b, "\\\\"); break;
        case '\n': rc = ag_buf_puts(b, "\\n"); break;
        case '\r': rc = ag_buf_puts(b, "\\r"); break;
        case '\t': rc = ag_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                rc = ag_buf_printf(b, "\\u%04x", *p);
            else
                rc = ag_buf_append(b, p, 1);
        }
    }
    if (!rc)
        rc = ag_buf_puts(b, "\"");
    if (rc && b->data) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

char *ag_buf_take(struct ag_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int ag_file_read(const char *path, struct ag_buf *b, struct ag_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_error_set(err, errno == ENOENT ? AG_ENOENT : AG_EIO,
                            "%s: cannot open: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = ag_buf_append(b, chunk, n);
        if (rc) {
            ag_error_set(err, rc, "%s: file larger than the limit of %zu bytes",
                         path, b->max);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = ag_error_set(err, AG_EIO, "%s: read error: %s", path,
                          strerror(errno));
    fclose(f);
    if (!rc && !b->data)
        ag_buf_append(b, "", 0);
    return rc;
}

int ag_file_write_atomic(const char *path, const void *data, size_t len,
                         struct ag_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ag_error_set(err, (e == EACCES || e == EROFS) ? AG_EREADONLY : AG_EIO,
                            "%s: cannot write: %s", path, strerror(e));
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return ag_error_set(err, AG_EIO, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    fchmod(fd, 0644);
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return ag_error_set(err, AG_EIO, "%s: cannot finish writing: %s", path,
                            strerror(e));
    }
    free(tmp);
    return 0;
}

int ag_mkdirs(const char *path, struct ag_error *err)
{
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                int e = errno;
                int rc = ag_error_set(err, (e == EACCES || e == EROFS) ? AG_EREADONLY : AG_EIO,
                                      "%s: cannot create directory: %s", p, strerror(e));
                free(p);
                return rc;
            }
            p[i] = c;
        }
    }
    free(p);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return ag_error_set(err, AG_EIO, "%s: not a directory", path);
    return 0;
}
