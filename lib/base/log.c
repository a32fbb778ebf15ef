/* Logging, progress, clocks and small string helpers.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum ag_log_level log_level = AG_LOG_WARN;
static int progress_forced = -1;

void ag_log_set_level(enum ag_log_level level) { log_level = level; }
enum ag_log_level ag_log_get_level(void) { return log_level; }

void ag_log(enum ag_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level > log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "agora: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double ag_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ag_progress_force(int v) { progress_forced = v; }

void ag_progress_start(struct ag_progress *p, const char *label, uint64_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->started = ag_now();
    p->last_draw = 0;
    p->drawn = false;
    p->active = progress_forced >= 0 ? progress_forced == 1 : isatty(STDERR_FILENO) == 1;
}

static void progress_draw(struct ag_progress *p)
{
    if (p->total) {
        double f = (double)p->done / (double)p->total;
        if (f > 1)
            f = 1;
        int width = 30, filled = (int)(f * width);
        char bar[31];
        for (int i = 0; i < width; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r%-24s [%s] %3d%%", p->label, bar, (int)(f * 100));
    } else {
        fprintf(stderr, "\r%-24s %llu", p->label, (unsigned long long)p->done);
    }
    fflush(stderr);
    p->drawn = true;
}

void ag_progress_update(struct ag_progress *p, uint64_t done)
{
    p->done = done;
    if (!p->active)
        return;
    double t = ag_now();
    if (t - p->last_draw < 0.1)
        return;
    p->last_draw = t;
    progress_draw(p);
}

void ag_progress_end(struct ag_progress *p)
{
    if (!p->active)
        return;
    if (p->total)
        p->done = p->total;
    progress_draw(p);
    fprintf(stderr, " %.1fs\n", ag_now() - p->started);
    p->active = false;
}

bool ag_parse_double(const char *s, double *out)
{
    if (!s)
        return false;
    while (isspace((unsigned char)*s))
        s++;
    /* Accept only [-+]digits[.digits][e[-+]digits]: strtod would also take
     * hex, "inf" and "nan", and honours the locale's decimal point. */
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    double v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        double scale = 0.1;
        while (isdigit((unsigned char)*p)) {
            v += (*p - '0') * scale;
            scale /= 10;
            p++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        int esign = 1, e = 0, ed = 0;
        if (*p == '-' || *p == '+')
            esign = *p++ == '-' ? -1 : 1;
        while (isdigit((unsigned char)*p)) {
            if (e < 400)
                e = e * 10 + (*p - '0');
            p++;
            ed++;
        }
        if (!ed)
            return false;
        v *= pow(10.0, esign * e);
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p || !isfinite(v))
        return false;
    *out = s[0] == '-' ? -v : v;
    return true;
}

char *ag_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
