/* libFuzzer target: a city's indicator values imported from CSV (agora
 * indicators import, POST /cities/{cid}/indicators/import), then drawn as
 * the comparison chart with the notes as city names. Invariants: every
 * value read passes ag_ivalue_check, no (indicator, year) comes twice, a
 * refused file yields no value, and every name reaches the SVG's legend
 * escaped. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/indicators.h"

#include <stdlib.h>
#include <string.h>

static const struct ag_indicator IND[] = {
    {"sos_night_city", "sense_of_safety", "Feel safe at night", "%", true, "K"},
    {"us_robberies", "urban_security", "Robberies", "per 100 000", false, "K"},
    {"mi_poverty", "migrant_inclusion", "Poverty", "%", false, "K"},
};
#define NIND (sizeof IND / sizeof IND[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_error err = {0};
    int rc = ag_indicator_csv_read((const char *)data, size, "fuzz.csv", IND, NIND, &v, &err);
    if (rc && v.len)
        abort();
    for (size_t i = 0; i < v.len; i++) {
        const struct ag_ivalue *a = &AG_VEC_AT(&v, struct ag_ivalue, i);
        if (ag_ivalue_check(a, IND, NIND, "fuzz", &err))
            abort();
        for (size_t k = 0; k < i; k++) {
            const struct ag_ivalue *b = &AG_VEC_AT(&v, struct ag_ivalue, k);
            if (a->year == b->year && !strcmp(a->indicator, b->indicator))
                abort();
        }
    }
    if (v.len) {
        /* one series per value, named by its note */
        struct ag_series *s = calloc(v.len, sizeof *s);
        int *years = calloc(v.len, sizeof *years);
        double *values = calloc(v.len, sizeof *values);
        if (!s || !years || !values)
            abort();
        for (size_t i = 0; i < v.len; i++) {
            const struct ag_ivalue *a = &AG_VEC_AT(&v, struct ag_ivalue, i);
            years[i] = a->year;
            values[i] = a->value;
            s[i] = (struct ag_series){a->note, years + i, values + i, 1};
        }
        struct ag_buf b;
        ag_buf_init(&b, 64 << 20);
        if (ag_indicator_svg("t", "u", s, v.len, &b))
            abort();
        if (b.len < 7 || strcmp(b.data + b.len - 7, "</svg>\n"))
            abort();
        struct ag_buf esc;
        ag_buf_init(&esc, 1 << 16);
        for (size_t i = 0; i < v.len; i++) {
            ag_buf_reset(&esc);
            ag_buf_puts(&esc, ">");
            if (ag_buf_put_html(&esc, AG_VEC_AT(&v, struct ag_ivalue, i).note) ||
                ag_buf_puts(&esc, "</text>") || !strstr(b.data, esc.data))
                abort();
        }
        ag_buf_free(&esc);
        ag_buf_free(&b);
        free(s);
        free(years);
        free(values);
    }
    ag_vec_free(&v);
    return 0;
}
