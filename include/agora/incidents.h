/* agora — incidents: the statistics behind hotspot and near-repeat analysis.
 *
 * Spatial weights, Getis-Ord Gi/Gi*, global and local Moran's I, the
 * Clark-Evans nearest-neighbour index, the Knox test and Ratcliffe's
 * near-repeat tables. Points are in a projected plane in metres (struct
 * ag_xy), times are in days (a double: any origin, fractions allowed). Every
 * output array is owned by the caller; the few results that carry arrays of
 * their own come with a _free function.
 *
 * Random numbers: every Monte-Carlo procedure takes a seed and uses
 * xoshiro256** 1.0 (D. Blackman, S. Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 47, 2021) whose state is filled by splitmix64
 * from the seed; bounded integers by Lemire's unbiased multiply-and-reject
 * (D. Lemire, "Fast random integer generation in an interval", ACM TOMACS
 * 29, 2019). The same seed, data and parameters give the same p-values on
 * every platform.
 *
 * Formulas and their sources: docs/methodology.md, "Incidents: spatial
 * statistics".
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INCIDENTS_H
#define AGORA_INCIDENTS_H

#include "agora/base.h"
#include "agora/geo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Permutations used when the caller has no reason to choose (pysal, the
 * Near Repeat Calculator and R's NearRepeat all default to 999). */
#define AG_INCIDENTS_NPERM_DEFAULT 999u
/* Upper bound on the permutations one call accepts. */
#define AG_INCIDENTS_NPERM_MAX 1000000u
/* Limits on a .gal file (untrusted input). */
#define AG_INCIDENTS_GAL_MAX_BYTES ((size_t)512 << 20)
#define AG_INCIDENTS_GAL_MAX_UNITS 10000000u
#define AG_INCIDENTS_GAL_MAX_LINKS 200000000u
#define AG_INCIDENTS_GAL_MAX_ID 255u
/* Point sets are indexed with 32-bit integers. */
#define AG_INCIDENTS_MAX_POINTS 0xFFFFFFFEu

/* ---- spatial weights ----
 * A sparse row structure: the neighbours of unit i are nbr[start[i]] ..
 * nbr[start[i + 1] - 1], in ascending order, with weights w[...] at the same
 * positions. A self-weight, when present, is an ordinary entry with
 * nbr == i. ids is NULL except for weights read from a .gal file, where it
 * holds the n unit ids in file order (unit i is the i-th record of the
 * file). Zero-initialise before the first use; ag_incidents_weights_free
 * releases and zeroes it. */
struct ag_incidents_weights {
    size_t n;
    size_t *start; /* n + 1 offsets */
    size_t *nbr;
    double *w;
    char **ids;
};

enum ag_incidents_wstyle {
    AG_INCIDENTS_W_BINARY, /* every stored link weighs 1 */
    AG_INCIDENTS_W_ROW,    /* each row divided by its sum (rows summing to 0 stay as they are) */
};

void ag_incidents_weights_free(struct ag_incidents_weights *w);

/* Distance-band weights: j is a neighbour of i when the Euclidean distance
 * is <= band_m (inclusive, as esda/libpysal DistanceBand), weight 1. With
 * self true every unit is also its own neighbour (w_ii = 1), as Gi* needs.
 * Found with a uniform grid of cell band_m, so the work is proportional to
 * the number of links, not n². AG_EINVAL for n == 0, a band that is not
 * finite and > 0, or a coordinate that is not finite; AG_ELIMIT for more
 * than AG_INCIDENTS_MAX_POINTS points. out is overwritten (free it first if
 * it held weights). */
int ag_incidents_weights_band(const struct ag_xy *pts, size_t n, double band_m, bool self,
                              struct ag_incidents_weights *out, struct ag_error *err);

/* Contiguity on a regular nrows × ncols lattice of cells numbered row by
 * row (cell (r, c) is unit r * ncols + c): rook (shared edge) or, with
 * queen true, also shared corners. Binary weights, no self-weight. */
int ag_incidents_weights_lattice(size_t nrows, size_t ncols, bool queen,
                                 struct ag_incidents_weights *out, struct ag_error *err);

/* Reads GeoDa's GAL contiguity format from text[0..len): a header line
 * holding n (or "0 n shapefile idvariable"), then for each of the n units a
 * line "id k" followed by a line with the k neighbour ids (the neighbour line
 * may be empty or absent when k is 0; blank lines are ignored). The text is
 * untrusted: AG_EPARSE with "name:line: what" for a malformed count, a
 * missing or short neighbour line, a duplicate unit or neighbour, a unit
 * listing itself, a neighbour that is not a unit of the file, too many or
 * too few units; AG_ELIMIT beyond the AG_INCIDENTS_GAL_MAX_* bounds. Links
 * are binary (weight 1) and kept as given (asymmetric files stay
 * asymmetric). Units are numbered in file order; out->ids holds their ids. */
int ag_incidents_weights_read_gal(const char *text, size_t len, const char *name,
                                  struct ag_incidents_weights *out, struct ag_error *err);
/* The same from a file (at most AG_INCIDENTS_GAL_MAX_BYTES). */
int ag_incidents_weights_load_gal(const char *path, struct ag_incidents_weights *out,
                                  struct ag_error *err);

/* Index of the unit whose id is `id` (weights read from a .gal file);
 * AG_ENOTFOUND when there is none, AG_EINVAL when w has no ids. */
int ag_incidents_weights_find(const struct ag_incidents_weights *w, const char *id, size_t *index);

/* Gives every unit a self-weight w_ii = value (added when missing, replaced
 * when present), e.g. value 1 to turn contiguity weights into the Gi*
 * weights of Ord & Getis 1995. Apply before row-standardising. */
int ag_incidents_weights_set_self(struct ag_incidents_weights *w, double value,
                                  struct ag_error *err);

/* Rewrites the weights in place: binary or row-standardised. */
int ag_incidents_weights_transform(struct ag_incidents_weights *w, enum ag_incidents_wstyle style);

/* ---- Getis-Ord local statistics (Ord & Getis 1995) ----
 * z[i] receives the z-score of Gi (star false: sums over j != i, mean and
 * variance of the n - 1 other values; any w_ii is ignored) or of Gi* (star
 * true: sums over every j including i with the w_ii stored in w, mean and
 * variance of all n values):
 *   z_i = (Σ w_ij x_j − X̄ W_i) / (S sqrt((n' Σ w_ij² − W_i²) / (n' − 1)))
 * with W_i = Σ w_ij, n' = n (Gi*) or n − 1 (Gi). z[i] is NaN where the
 * statistic is undefined: no neighbours, every unit a neighbour, or the
 * values concerned all equal. AG_EINVAL when n < 3 or x holds a value that
 * is not finite. */
int ag_incidents_getis_ord(const struct ag_incidents_weights *w, const double *x, bool star,
                           double *z, struct ag_error *err);

/* Conditional permutation pseudo p-values for Gi / Gi* (the "conditional
 * randomisation" of Anselin 1995, as esda does it): x_i stays in place and
 * its k_i neighbours (self excluded) receive k_i values drawn without
 * replacement from the n − 1 others, nperm times. With m the number of
 * draws whose statistic is >= the observed one,
 *   p[i] = (min(m, nperm − m) + 1) / (nperm + 1):
 * one-sided in the direction of the observed value, in (0, 1]. Units whose
 * z-score is NaN (no neighbours, ...) get p = 1. nperm in
 * 1..AG_INCIDENTS_NPERM_MAX. The draws depend only on seed, w and nperm:
 * the same call gives the same p-values. */
int ag_incidents_getis_ord_perm(const struct ag_incidents_weights *w, const double *x, bool star,
                                unsigned nperm, uint64_t seed, double *p, struct ag_error *err);

/* Benjamini & Hochberg (1995) step-up adjusted p-values ("q-values"):
 * q_(i) = min over k >= i of min(1, n p_(k) / k) for p sorted ascending.
 * Then q >= p, q is monotone in p, and the units with q <= α are those the
 * BH procedure rejects at false discovery rate α. p and q may be the same
 * array. AG_EINVAL when a p is outside [0, 1] or NaN. */
int ag_incidents_fdr_bh(const double *p, size_t n, double *q, struct ag_error *err);

/* ---- Moran's I ---- */

/* Global Moran's I (Moran 1950) with its moments under the normality and
 * randomisation hypotheses (Cliff & Ord 1981, ch. 1-2):
 *   I = (n / S0) Σ_i Σ_j w_ij z_i z_j / Σ_i z_i², z = x − x̄,
 *   E[I] = −1 / (n − 1).
 * var_rand and z_rand are NaN when n < 4. */
struct ag_incidents_moran {
    double I;
    double EI;
    double var_norm;
    double var_rand;
    double z_norm;
    double z_rand;
    double s0, s1, s2; /* Cliff & Ord's weight sums */
};

/* AG_EINVAL when n < 2, the weights sum to 0, x holds a non-finite value or
 * is constant. Self-weights, if any, are used as stored. */
int ag_incidents_moran_global(const struct ag_incidents_weights *w, const double *x,
                              struct ag_incidents_moran *out, struct ag_error *err);

/* Local Moran's I (Anselin 1995) with its expectation and variance under
 * total randomisation (Anselin 1995, derived again in docs/methodology.md):
 *   I_i = (z_i / m2) Σ_{j≠i} w_ij z_j,  m2 = Σ z² / n,
 *   E[I_i] = −w_i / (n − 1),
 *   Var[I_i] = w_i(2) (n − b2) / (n − 1)
 *            + (w_i² − w_i(2)) (2 b2 − n) / ((n − 1)(n − 2)) − w_i² / (n − 1)²
 * with w_i = Σ_{j≠i} w_ij, w_i(2) = Σ_{j≠i} w_ij², b2 = m4 / m2².
 * Self-weights are ignored. z = (I − E) / sqrt(Var), NaN when Var is 0. */
struct ag_incidents_lisa {
    double I;
    double EI;
    double VI;
    double z;
};

/* AG_EINVAL when n < 3, x holds a non-finite value or is constant. */
int ag_incidents_moran_local(const struct ag_incidents_weights *w, const double *x,
                             struct ag_incidents_lisa *out, struct ag_error *err);

/* Conditional permutation pseudo p-values for local Moran's I, drawn and
 * folded exactly as ag_incidents_getis_ord_perm. */
int ag_incidents_moran_local_perm(const struct ag_incidents_weights *w, const double *x,
                                  unsigned nperm, uint64_t seed, double *p, struct ag_error *err);

/* ---- nearest neighbours and the Clark-Evans index ---- */

enum ag_incidents_nn_method {
    AG_INCIDENTS_NN_AUTO,  /* brute force for small n, the grid otherwise */
    AG_INCIDENTS_NN_BRUTE, /* every pair: O(n²) */
    AG_INCIDENTS_NN_GRID,  /* uniform grid searched ring by ring */
};

/* Euclidean distance from each point to its nearest other point (0 for a
 * duplicate) into dist[i] and, when idx is not NULL, that neighbour's index
 * (the smallest index among equally near ones). Both methods give identical
 * results. AG_EINVAL for n < 2 or a non-finite coordinate. */
int ag_incidents_nn(const struct ag_xy *pts, size_t n, enum ag_incidents_nn_method method,
                    double *dist, size_t *idx, struct ag_error *err);

/* Clark & Evans (1954): R = r̄_obs / r̄_exp with r̄_exp = 0.5 sqrt(A / n),
 * standard error σ = sqrt((4 − π) / (4π)) · sqrt(A) / n (the paper's
 * 0.26136), z = (r̄_obs − r̄_exp) / σ, p two-sided under the normal
 * approximation. R < 1: clustered; R > 1: dispersed. No edge correction: A
 * is the study area the caller chose (say which in reports; a larger A makes
 * the same points look more clustered). */
struct ag_incidents_clark_evans {
    size_t n;
    double area_m2;
    double mean_nn_m;
    double min_nn_m;
    double max_nn_m;
    double expected_nn_m;
    double se_m;
    double R;
    double z;
    double p_two_sided;
};

/* AG_EINVAL for n < 2, a non-finite coordinate or area_m2 not finite and
 * > 0. */
int ag_incidents_clark_evans(const struct ag_xy *pts, size_t n, double area_m2,
                             enum ag_incidents_nn_method method,
                             struct ag_incidents_clark_evans *out, struct ag_error *err);

/* ---- space-time interaction ---- */

enum ag_incidents_metric {
    AG_INCIDENTS_EUCLIDEAN,
    AG_INCIDENTS_MANHATTAN,
};

/* Knox (1964) test. A pair of events is close in space when d <= delta_m
 * and close in time when |Δt| <= tau_days (both inclusive, as pointpats).
 * The observed close-close count is compared with
 *   expected = N_s N_t / N, N = n (n − 1) / 2 pairs,
 * by P(X > observed) for X ~ Poisson(expected) (pointpats' p_poisson, which
 * is the chance of strictly more), and, when nperm > 0, by a Monte-Carlo
 * p-value (1 + #{sim >= observed}) / (nperm + 1) where each simulation
 * shuffles the times among the events (Mantel 1967). */
struct ag_incidents_knox_params {
    double delta_m;
    double tau_days;
    enum ag_incidents_metric metric;
    unsigned nperm; /* 0: no simulation */
    uint64_t seed;
};

struct ag_incidents_knox {
    /* table[0][0] close in space and time, [0][1] close in space only,
     * [1][0] close in time only, [1][1] neither */
    uint64_t table[2][2];
    uint64_t pairs;   /* N */
    uint64_t n_space; /* N_s */
    uint64_t n_time;  /* N_t */
    double expected;
    double p_poisson;
    unsigned nperm;
    double sim_mean; /* mean close-close count over the simulations */
    double p_perm;   /* NaN when nperm is 0 */
};

/* AG_EINVAL for n < 2, a non-finite coordinate or time, a negative or
 * non-finite threshold, nperm > AG_INCIDENTS_NPERM_MAX; AG_ELIMIT beyond
 * AG_INCIDENTS_MAX_POINTS. */
int ag_incidents_knox(const struct ag_xy *pts, const double *t_days, size_t n,
                      const struct ag_incidents_knox_params *params, struct ag_incidents_knox *out,
                      struct ag_error *err);

/* Near-repeat analysis as in Ratcliffe's Near Repeat Calculator (NRC):
 * every pair of events falls in one cell of a table whose rows are "same
 * location", n_bands spatial bands of band_m and "beyond", and whose columns
 * are n_tbands temporal bands of band_days and "beyond". The times are
 * shuffled among the events nperm times; each cell gets the mean simulated
 * count (expected), the Knox ratio observed / expected and the p-value
 * (1 + #{sim >= observed}) / (nperm + 1).
 *
 * Default mode (nrc_exact false), consistent with ag_incidents_knox:
 *   same location: d <= same_m (same_m >= 0, usually 0);
 *   spatial band k = ((k − 1) band_m, k band_m], first band from same_m up;
 *   temporal band 1 = [0, band_days], band k = ((k − 1) band_days, k band_days].
 * NRC mode (nrc_exact true) reproduces the NRC 1.3 tables exactly:
 *   coordinates rounded to 32-bit floats before any distance is taken;
 *   same location: d == 0; spatial band k = [(k − 1) band_m, k band_m)
 *   without 0; times floored to whole days; temporal band k =
 *   [(k − 1) band_days, k band_days) in whole days (so the NRC's "0 to 7
 *   days" is Δ = 0..6); band_days must then be a whole number >= 1. */
struct ag_incidents_nr_params {
    enum ag_incidents_metric metric;
    double band_m;
    unsigned n_bands;
    double band_days;
    unsigned n_tbands;
    double same_m; /* default mode only */
    bool nrc_exact;
    unsigned nperm; /* 0: observed table only */
    uint64_t seed;
};

/* Tables of rows × cols, row-major: row 0 same location, rows 1..n_bands
 * the spatial bands, row n_bands + 1 beyond; column n_tbands beyond. */
struct ag_incidents_nr {
    unsigned rows;
    unsigned cols;
    unsigned nperm;
    uint64_t pairs;
    uint64_t *observed;
    double *expected;   /* NaN when nperm is 0 */
    double *knox_ratio; /* observed / expected; NaN when expected is 0 */
    double *p_value;    /* NaN when nperm is 0 */
};

void ag_incidents_nr_free(struct ag_incidents_nr *r);

/* AG_EINVAL for n < 2, a non-finite coordinate or time, a band that is not
 * finite and > 0, no band, more than 1000 bands of either kind, same_m
 * outside [0, band_m) (default mode), band_days not whole (NRC mode),
 * nperm > AG_INCIDENTS_NPERM_MAX; AG_ELIMIT beyond AG_INCIDENTS_MAX_POINTS.
 * out is overwritten (free it first if it held a table); on failure it is
 * left empty. Work: a grid finds the P pairs closer than the outermost
 * band once, then each simulation costs O(n + P). */
int ag_incidents_near_repeat(const struct ag_xy *pts, const double *t_days, size_t n,
                             const struct ag_incidents_nr_params *params,
                             struct ag_incidents_nr *out, struct ag_error *err);

/* ---- kernel density on a grid ----
 * A regular grid of nx × ny square cells of side cell_m whose lower-left
 * corner is (x0, y0) in the points' plane (metres). Cell (ix, iy) has its
 * centre at (x0 + (ix + 0.5) cell_m, y0 + (iy + 0.5) cell_m) and is element
 * iy * nx + ix of every grid array: row 0 is the southernmost. */
struct ag_incidents_grid {
    double x0, y0;
    double cell_m;
    size_t nx, ny;
};

/* Adds 1 to counts[iy * nx + ix] for every point in cell (ix, iy), the
 * half-open square [x0 + ix·c, x0 + (ix + 1)·c) × [y0 + iy·c, y0 + (iy + 1)·c);
 * a point on the grid's far east or north edge (within 1e-12 of the
 * coordinates' size, for origins that are computed) belongs to the last
 * cell; points outside the grid count nowhere. counts has nx * ny elements
 * and is not zeroed. */
void ag_incidents_grid_count(const struct ag_incidents_grid *grid, const struct ag_xy *pts,
                             size_t n, double *counts);

/* Upper bound on nx * ny for one grid. */
#define AG_INCIDENTS_GRID_MAX_CELLS ((size_t)100000000u)

enum ag_incidents_kernel {
    /* Quartic (biweight), the crime-mapping default (CrimeStat, ArcGIS):
     *   K(d) = 3 / (π h²) (1 − d²/h²)² for d < h, 0 beyond; h the radius. */
    AG_INCIDENTS_KERNEL_QUARTIC,
    /* Isotropic Gaussian, as spatstat density.ppp and scikit-learn:
     *   K(d) = 1 / (2π σ²) exp(−d² / (2σ²)); σ the bandwidth. Summed over
     * d <= cutoff σ (AG_INCIDENTS_GAUSS_CUTOFF): the part left out is
     * exp(−cutoff²/2) of each point's mass. */
    AG_INCIDENTS_KERNEL_GAUSSIAN,
};

/* Radius, in bandwidths, beyond which the Gaussian kernel is not summed:
 * exp(−7²/2) = 2.3e-11 of a point's mass is left out. */
#define AG_INCIDENTS_GAUSS_CUTOFF 7.0

struct ag_incidents_kde_params {
    enum ag_incidents_kernel kernel;
    double bandwidth_m; /* quartic: the radius h; Gaussian: σ */
    /* Uniform edge correction (Diggle 1985; spatstat's edge=TRUE,
     * diggle=FALSE): the density at each cell centre u is divided by the
     * share of the kernel centred on u that falls inside the grid's
     * rectangle. */
    bool edge_correct;
    unsigned threads; /* 0: as many as the machine has cores, at most 8 */
};

/* Intensity at every cell centre, in events per square metre (multiply by
 * 1e6 for events per km²): out[c] = Σ_i w_i K(|u_c − p_i|), with w_i = 1
 * when weights is NULL. out has nx * ny elements and is overwritten.
 * Points outside the grid count where their kernel reaches it. Sums are
 * exact to rounding: each point adds its kernel to every cell centre within
 * its support (the Gaussian's cutoff), no binning. Each cell receives its
 * terms in the same order whatever params->threads, so the grid is the same
 * to the bit for any number of threads. AG_EINVAL for a grid with no cell,
 * a cell that is not finite and > 0 or an origin or extent that is not
 * finite, a bandwidth that is not finite and > 0 (or so extreme, below
 * about 1e-154 m or above about 1e153 m, that its square under- or
 * overflows), an unknown kernel, a coordinate or weight that is not finite;
 * AG_ELIMIT beyond AG_INCIDENTS_GRID_MAX_CELLS cells or
 * AG_INCIDENTS_MAX_POINTS points; n == 0 gives a zero grid. */
int ag_incidents_kde(const struct ag_xy *pts, const double *weights, size_t n,
                     const struct ag_incidents_grid *grid,
                     const struct ag_incidents_kde_params *params, double *out,
                     struct ag_error *err);

enum ag_incidents_bw_rule {
    /* Scott's rule, isotropic, as spatstat bw.scott(isotropic = TRUE)
     * (R/bw.scott.R: the geometric mean of the per-axis sd, times
     * n^(−1/(d+4)), d = 2): σ = sqrt(s_x s_y) n^(−1/6), s the sample
     * standard deviations (n − 1 denominator, as R's sd). */
    AG_INCIDENTS_BW_SCOTT,
    /* The robust Silverman rule crime-mapping tools use (ArcGIS Kernel
     * Density's default search radius): σ = 0.9 min(SD, sqrt(1/ln 2) D_m)
     * n^(−1/5), with SD = sqrt(Σ d_i² / n) the standard distance (n
     * denominator, as Esri's Standard Distance) and D_m the median of the
     * distances d_i to the mean centre (for even n the mean of the two
     * middle ones). ArcGIS uses this value as the quartic's radius itself;
     * ag_incidents_quartic_radius(σ) is √8 ≈ 2.83 times larger. To
     * reproduce ArcGIS, pass σ as the quartic bandwidth_m. */
    AG_INCIDENTS_BW_SILVERMAN,
};

/* A Gaussian σ chosen by rule from the points (weights ignored). For the
 * quartic kernel use ag_incidents_quartic_radius(σ), the radius whose kernel
 * has the same spread. AG_EINVAL for n < 2, a non-finite coordinate, an
 * unknown rule, or points for which the rule gives 0 (Scott: no spread
 * along x or along y, where spatstat would floor the sd at the machine
 * epsilon; Silverman: all points at one place, or more than half of them at
 * the mean centre) or a spread too large for double precision. */
int ag_incidents_bandwidth(const struct ag_xy *pts, size_t n, enum ag_incidents_bw_rule rule,
                           double *sigma_m, struct ag_error *err);

/* The radius of the quartic kernel with the same standard deviation per axis
 * as a Gaussian of σ: the quartic's per-axis variance is h²/8, so h = √8 σ. */
double ag_incidents_quartic_radius(double sigma_m);

/* ---- when: temporal profile and trend ----
 * Times are "local civil seconds": seconds since 1970-01-01 00:00 of the
 * wall clock where the events happened, without a time zone (the hour of
 * day and weekday are those of the record as published). */

/* Splits a local civil time into its calendar fields (proleptic Gregorian;
 * weekday 0 = Monday ... 6 = Sunday, month 1..12; times before 1970 are
 * negative and round down, -1 is 1969-12-31 23:59:59). Times outside the
 * years INT_MIN .. INT_MAX (|t| above about 6.8e16 s) give the first or
 * last second of that range. */
struct ag_civil {
    int year, month, day, hour, minute, second, weekday;
};
struct ag_civil ag_civil_from_seconds(int64_t t);
/* The inverse; AG_EINVAL when a field is out of range (month 13, 31
 * April, 29 February of a common year, hour 24, ...). weekday is ignored. */
int ag_civil_to_seconds(const struct ag_civil *c, int64_t *t);

struct ag_incidents_profile {
    uint64_t n;                  /* events counted */
    uint64_t no_time;            /* of which without a time of day */
    uint64_t hour_weekday[7][24]; /* events with a time of day */
    uint64_t weekday[7];         /* every event */
    uint64_t hour[24];           /* events with a time of day */
    int first_year, first_month; /* of monthly[0] */
    size_t nmonths;              /* first to last month with an event */
    uint64_t *monthly;           /* nmonths counts, zero months included */
};

/* has_time[i] false: the record gave a date only (its time is ignored for
 * the hour of day). has_time NULL: every record has a time. AG_EINVAL for n
 * == 0 or a time outside the years ag_civil_from_seconds can represent;
 * AG_ELIMIT for a span of more than 12,000 months. On failure out holds no
 * memory; on success release it with ag_incidents_profile_free. */
int ag_incidents_profile(const int64_t *t, const bool *has_time, size_t n,
                         struct ag_incidents_profile *out, struct ag_error *err);
void ag_incidents_profile_free(struct ag_incidents_profile *p);

/* Log-linear Poisson trend of counts y_0 .. y_{n−1} over equal periods:
 * log E[y_t] = a + b t, fitted by maximum likelihood (Newton-Raphson on the
 * profile likelihood of b, kept in a bracket by bisection; the estimate is
 * that of IRLS), with the Wald test of b = 0 (z = b / se(b), se from the
 * inverse Fisher information, two-sided normal p) and the rate ratio per
 * period exp(b). Counts need not be whole numbers. */
struct ag_incidents_trend {
    size_t periods;
    double a, b;      /* intercept and slope (per period) */
    double se_b;
    double z, p;
    double rate_ratio; /* exp(b) */
};

/* AG_EINVAL for n < 2, a count that is negative or not finite, counts that
 * are all 0, or counts that are 0 in every period but the first or the last
 * (the maximum likelihood slope is then ±∞, and the message says so; it is
 * finite in every other case, zeros at both ends included). Also AG_EINVAL,
 * with a message saying so, for counts too extreme for double precision:
 * a sum beyond 1.8e308, or counts so concentrated in the first or the last
 * period that doubles cannot tell them from the infinite case. */
int ag_incidents_trend(const double *y, size_t n, struct ag_incidents_trend *out,
                       struct ag_error *err);

/* P(X > k) for X ~ Poisson(lambda), accurate in the far tails (through the
 * regularised incomplete gamma function); NaN for lambda < 0. */
double ag_incidents_poisson_sf(uint64_t k, double lambda);

#ifdef __cplusplus
}
#endif
#endif
