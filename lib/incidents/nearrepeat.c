/* Near-repeat tables as in J. H. Ratcliffe's Near Repeat Calculator
 * (version 1.3, Temple University, 2009; method: M. B. Short, M. R.
 * D'Orsogna, P. J. Brantingham, G. E. Tita, "Measuring and modeling repeat
 * and near-repeat burglary effects", J. Quant. Criminol. 25, 2009, and
 * M. Townsley, R. Homel, J. Chaseling, "Infectious burglaries", Br. J.
 * Criminol. 43, 2003): Knox's table generalised to several spatial and
 * temporal bands, with Monte-Carlo expectations from shuffling the times.
 *
 * Why it is fast: shuffling the times leaves the multiset of all pairwise
 * time lags unchanged, so the column totals over all n (n − 1) / 2 pairs are
 * counted once on the sorted times, and the "beyond" row of every simulated
 * table is those totals minus the near rows. A simulation only visits the
 * pairs closer than the outermost band, found once through a grid.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NR_MAX_BANDS 1000u
/* NRC mode floors the times to whole days and compares lags exactly: keep
 * them integers a double holds exactly. */
#define NR_MAX_ABS_DAYS 1e15

/* v rounded to the nearest 32-bit float. Through a volatile: GCC 12.2 at
 * -O2 drops the round trip (double)(float) when its SLP vectoriser merges
 * the x and y stores of a loop (checked with gcc -S; -fno-tree-slp-vectorize
 * keeps it), which silently turns NRC mode into double precision. */
static double to_single(double v)
{
    volatile float f = (float)v;
    return (double)f;
}

void ag_incidents_nr_free(struct ag_incidents_nr *r)
{
    if (!r)
        return;
    free(r->observed);
    free(r->expected);
    free(r->knox_ratio);
    free(r->p_value);
    memset(r, 0, sizeof *r);
}

/* thr[k] = k · band for k = 0 .. nb: the band limits, each computed once so
 * that every comparison uses the same rounded value. */
static double *band_limits(double band, unsigned nb)
{
    double *thr = malloc(((size_t)nb + 1) * sizeof *thr);
    if (thr)
        for (unsigned k = 0; k <= nb; k++)
            thr[k] = (double)k * band;
    return thr;
}

/* Number of limits thr[1..nb] that v has reached: v >= thr[k] when
 * half_open ([a, b) bands), v > thr[k] otherwise ((a, b] bands). */
static unsigned band_of(const double *thr, unsigned nb, double v, bool half_open)
{
    unsigned lo = 0, hi = nb; /* answer in [lo, hi] */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo + 1) / 2;
        bool reached = half_open ? v >= thr[mid] : v > thr[mid];
        if (reached)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* band_of from a guess: v / band rounded the way the bands are closed
 * (floor for [a, b), ceil − 1 for (a, b]), then corrected by the very
 * comparisons band_of makes, so both always agree; the corrections only run
 * when v / band was rounded across a limit. Called once per near pair and
 * simulation, hence no branch in the common case. */
static inline unsigned band_guess(const double *thr, unsigned nb, double inv_band, double v,
                                  bool half_open)
{
    double g = half_open ? floor(v * inv_band) : ceil(v * inv_band) - 1;
    unsigned c = g <= 0 ? 0 : g >= (double)nb ? nb : (unsigned)g;
    if (half_open) {
        while (c > 0 && !(v >= thr[c]))
            c--;
        while (c < nb && v >= thr[c + 1])
            c++;
    } else {
        while (c > 0 && !(v > thr[c]))
            c--;
        while (c < nb && v > thr[c + 1])
            c++;
    }
    return c;
}

/* One table of counts for the current times: the near rows from the pair
 * lists, the last row from the column totals. */
struct nr_work {
    unsigned nb, ntb, cols;
    bool half_open;
    const uint32_t *pa, *pb;
    const size_t *row_start; /* nb + 2 offsets: pairs of row r */
    const uint64_t *coltot;
    const double *tthr;
    double inv_band;
};

static void nr_count(const struct nr_work *wk, const double *t, uint64_t *table)
{
    unsigned cols = wk->cols, ntb = wk->ntb;
    double lim = wk->tthr[ntb];
    for (unsigned r = 0; r <= wk->nb; r++) {
        uint64_t *row = table + (size_t)r * cols;
        for (unsigned c = 0; c < cols; c++)
            row[c] = 0;
        /* Pairs beyond the last temporal limit are most of them: they are
         * not counted but found from the row total, which shuffling the
         * times cannot change. */
        for (size_t k = wk->row_start[r]; k < wk->row_start[r + 1]; k++) {
            double v = fabs(t[wk->pa[k]] - t[wk->pb[k]]);
            if (wk->half_open ? v >= lim : v > lim)
                continue;
            row[band_guess(wk->tthr, ntb, wk->inv_band, v, wk->half_open)]++;
        }
        uint64_t rest = wk->row_start[r + 1] - wk->row_start[r];
        for (unsigned c = 0; c < ntb; c++)
            rest -= row[c];
        row[ntb] = rest;
    }
    uint64_t *last = table + (size_t)(wk->nb + 1) * cols;
    for (unsigned c = 0; c < cols; c++) {
        uint64_t rest = wk->coltot[c];
        for (unsigned r = 0; r <= wk->nb; r++)
            rest -= table[(size_t)r * cols + c];
        last[c] = rest;
    }
}

int ag_incidents_near_repeat(const struct ag_xy *pts, const double *t_days, size_t n,
                             const struct ag_incidents_nr_params *params,
                             struct ag_incidents_nr *out, struct ag_error *err)
{
    if (!params || !out)
        return ag_error_set(err, AG_EINVAL, "near repeat: no parameters or no output");
    memset(out, 0, sizeof *out);
    int rc = ag__incidents_check_points(pts, t_days, n, 2, "near repeat", err);
    if (rc)
        return rc;
    if (!t_days)
        return ag_error_set(err, AG_EINVAL, "near repeat: no times");
    const struct ag_incidents_nr_params *P = params;
    bool nrc = P->nrc_exact;
    if (P->metric != AG_INCIDENTS_EUCLIDEAN && P->metric != AG_INCIDENTS_MANHATTAN)
        return ag_error_set(err, AG_EINVAL, "near repeat: unknown metric %d", (int)P->metric);
    if (!isfinite(P->band_m) || !(P->band_m > 0) || !isfinite(P->band_days) || !(P->band_days > 0))
        return ag_error_set(err, AG_EINVAL,
                            "near repeat: band widths must be finite and > 0, got %g m, %g days",
                            P->band_m, P->band_days);
    if (P->n_bands < 1 || P->n_bands > NR_MAX_BANDS || P->n_tbands < 1 ||
        P->n_tbands > NR_MAX_BANDS)
        return ag_error_set(err, AG_EINVAL,
                            "near repeat: %u spatial and %u temporal bands, expected 1 to %u each",
                            P->n_bands, P->n_tbands, NR_MAX_BANDS);
    if (!isfinite((double)P->n_bands * P->band_m))
        return ag_error_set(err, AG_EINVAL, "near repeat: outermost band is not finite");
    if (nrc && P->band_days != floor(P->band_days))
        return ag_error_set(err, AG_EINVAL,
                            "near repeat: NRC mode needs whole-day temporal bands, got %g",
                            P->band_days);
    if (!nrc && (!isfinite(P->same_m) || P->same_m < 0 || P->same_m >= P->band_m))
        return ag_error_set(err, AG_EINVAL,
                            "near repeat: same-location tolerance %g m must be >= 0 and below "
                            "the band width",
                            P->same_m);
    if (P->nperm > AG_INCIDENTS_NPERM_MAX)
        return ag_error_set(err, AG_EINVAL, "near repeat: %u permutations exceed the limit of %u",
                            P->nperm, AG_INCIDENTS_NPERM_MAX);

    unsigned nb = P->n_bands, ntb = P->n_tbands;
    unsigned rows = nb + 2, cols = ntb + 1;
    size_t cells = (size_t)rows * cols;
    struct ag_xy *xy = NULL;
    double *t = NULL, *tsort = NULL, *sthr = NULL, *tthr = NULL, *sum = NULL;
    uint64_t *coltot = NULL, *sim = NULL, *ge = NULL;
    uint32_t *pa = NULL, *pb = NULL;
    size_t *row_start = NULL;
    struct ag__pairs pairs = {0};

    xy = malloc(n * sizeof *xy);
    t = malloc(n * sizeof *t);
    tsort = malloc(n * sizeof *tsort);
    sthr = band_limits(P->band_m, nb);
    tthr = band_limits(P->band_days, ntb);
    coltot = calloc(cols, sizeof *coltot);
    out->observed = calloc(cells, sizeof *out->observed);
    out->expected = malloc(cells * sizeof *out->expected);
    out->knox_ratio = malloc(cells * sizeof *out->knox_ratio);
    out->p_value = malloc(cells * sizeof *out->p_value);
    if (!xy || !t || !tsort || !sthr || !tthr || !coltot || !out->observed || !out->expected ||
        !out->knox_ratio || !out->p_value) {
        rc = ag_error_set(err, AG_ENOMEM, "near repeat: out of memory");
        goto done;
    }
    out->rows = rows;
    out->cols = cols;
    out->nperm = P->nperm;
    out->pairs = (uint64_t)n * (uint64_t)(n - 1) / 2;

    for (size_t i = 0; i < n; i++) {
        if (nrc) {
            /* The NRC stores coordinates in single precision and dates as
             * days: both roundings change which band a pair falls in. */
            xy[i].x = to_single(pts[i].x);
            xy[i].y = to_single(pts[i].y);
            if (fabs(t_days[i]) > NR_MAX_ABS_DAYS) {
                rc = ag_error_set(err, AG_EINVAL, "near repeat: time %zu (%g days) out of range",
                                  i + 1, t_days[i]);
                goto done;
            }
            t[i] = floor(t_days[i]);
        } else {
            xy[i] = pts[i];
            t[i] = t_days[i];
        }
    }

    /* Near pairs and their row, once. */
    double reach = sthr[nb];
    rc = ag__incidents_pairs_within(xy, n, reach, nrc, P->metric, &pairs, err);
    if (rc)
        goto done;
    /* Grouped by row (a counting sort), so that a simulation reads two
     * compact index arrays and knows each row's total without counting. */
    pa = malloc((pairs.len ? pairs.len : 1) * sizeof *pa);
    pb = malloc((pairs.len ? pairs.len : 1) * sizeof *pb);
    row_start = calloc((size_t)nb + 2, sizeof *row_start);
    uint32_t *rowof = malloc((pairs.len ? pairs.len : 1) * sizeof *rowof);
    if (!pa || !pb || !row_start || !rowof) {
        free(rowof);
        rc = ag_error_set(err, AG_ENOMEM, "near repeat: out of memory for %zu pairs", pairs.len);
        goto done;
    }
    for (size_t k = 0; k < pairs.len; k++) {
        double d = pairs.v[k].d;
        unsigned row;
        if (nrc ? d == 0 : d <= P->same_m)
            row = 0;
        else
            row = 1 + band_of(sthr, nb, d, nrc);
        rowof[k] = row;
        if (row <= nb) /* row nb + 1 only through the rounding of reach */
            row_start[row + 1]++;
    }
    for (unsigned r = 0; r <= nb; r++)
        row_start[r + 1] += row_start[r];
    {
        size_t fill[NR_MAX_BANDS + 1];
        for (unsigned r = 0; r <= nb; r++)
            fill[r] = row_start[r];
        for (size_t k = 0; k < pairs.len; k++) {
            if (rowof[k] > nb)
                continue;
            size_t at = fill[rowof[k]]++;
            pa[at] = pairs.v[k].a;
            pb[at] = pairs.v[k].b;
        }
    }
    free(rowof);
    ag__incidents_pairs_free(&pairs);

    /* Column totals over all pairs: cumulative counts of lags below each
     * temporal limit on the sorted times. */
    memcpy(tsort, t, n * sizeof *tsort);
    qsort(tsort, n, sizeof *tsort, ag__incidents_cmp_double);
    {
        uint64_t prev = 0;
        for (unsigned c = 0; c < ntb; c++) {
            uint64_t cum = ag__incidents_time_pairs_within(tsort, n, tthr[c + 1], nrc);
            coltot[c] = cum - prev;
            prev = cum;
        }
        coltot[ntb] = out->pairs - prev;
    }

    struct nr_work wk = {.nb = nb,
                         .ntb = ntb,
                         .cols = cols,
                         .half_open = nrc,
                         .pa = pa,
                         .pb = pb,
                         .row_start = row_start,
                         .coltot = coltot,
                         .tthr = tthr,
                         .inv_band = 1.0 / P->band_days};
    nr_count(&wk, t, out->observed);

    for (size_t c = 0; c < cells; c++) {
        out->expected[c] = NAN;
        out->knox_ratio[c] = NAN;
        out->p_value[c] = NAN;
    }
    if (P->nperm == 0)
        goto done;

    sim = malloc(cells * sizeof *sim);
    ge = calloc(cells, sizeof *ge);
    sum = calloc(cells, sizeof *sum);
    if (!sim || !ge || !sum) {
        rc = ag_error_set(err, AG_ENOMEM, "near repeat: out of memory");
        goto done;
    }
    struct ag_rng rng;
    ag_rng_seed(&rng, P->seed);
    for (unsigned s = 0; s < P->nperm; s++) {
        ag__incidents_shuffle(&rng, t, n);
        nr_count(&wk, t, sim);
        for (size_t c = 0; c < cells; c++) {
            sum[c] += (double)sim[c];
            ge[c] += sim[c] >= out->observed[c];
        }
    }
    for (size_t c = 0; c < cells; c++) {
        out->expected[c] = sum[c] / P->nperm;
        out->knox_ratio[c] =
            out->expected[c] > 0 ? (double)out->observed[c] / out->expected[c] : NAN;
        out->p_value[c] = (double)(ge[c] + 1) / (double)(P->nperm + 1);
    }

done:
    ag__incidents_pairs_free(&pairs);
    free(xy);
    free(t);
    free(tsort);
    free(sthr);
    free(tthr);
    free(coltot);
    free(pa);
    free(pb);
    free(row_start);
    free(sim);
    free(ge);
    free(sum);
    if (rc)
        ag_incidents_nr_free(out);
    return rc;
}
