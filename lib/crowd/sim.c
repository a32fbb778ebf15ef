/* The collision-free speed model (Tordeux, Chraibi & Seyfried 2016,
 * arXiv:1512.05597) on the floor fields of field.c.
 *
 * One step of length dt, for every agent i that has passed its premovement
 * time, reads only the state at the start of the step (a Jacobi update):
 *
 *   e0_i  desired direction: the descent direction of the agent's floor
 *         field (with the congestion-aware field: of the floor field plus
 *         the delay congestion adds, solved again every 2 s from the
 *         agents' density and pace), or, within 1 m of its exit, straight
 *         at the exit segment;
 *   e_i   = normalise(e0_i + sum_j R(s_ij) n_ij + sum_w Rw(d_iw) n_iw),
 *         R(s) = a exp((l_ij - s)/D) over neighbours j at distance s_ij
 *         (n_ij the unit vector from j to i, l_ij the mean of the two
 *         diameters), Rw(d) = a_w exp((l_i/2 - d)/D_w) for the nearest wall
 *         point at distance d (n_iw from the wall to i);
 *   v_i   = min(v0_i, max(0, min_j (s_ij - l_ij)/T)) over the neighbours
 *         ahead whose body overlaps the path: (x_j - x_i).e_i > 0 and
 *         |(x_j - x_i) x e_i| < l_ij (the paper's set J_i);
 *   x_i  += v_i e_i dt  (explicit Euler, as in the paper).
 *
 * The new positions are computed for all agents (in parallel) before any is
 * applied, and every sum runs over the neighbours in a fixed order (the
 * cell list is built serially by agent index), so the result does not
 * depend on the number of threads. A step that would cross a wall is
 * replaced by its component along the wall, or cancelled when that also
 * crosses one: nobody ever passes through a wall (RiMEA test 6).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* An agent closer than this to an exit segment heads straight for it. */
#define EXIT_APPROACH_M 1.0
/* An agent through an exit walks on, straight away from the exit line at
 * its desired speed, until it is this far beyond it, and is a neighbour to
 * the agents behind it until then (docs/methodology.md 16.3, "Exits"). */
#ifndef EXIT_BEYOND_M
#define EXIT_BEYOND_M 2.0
#endif
#define NB_LOCAL 192
/* cells of the neighbour list per cut-off (not periodic) */
#ifndef CELL_DIV
#define CELL_DIV 4
#endif

struct line {
    struct ag_xy a, b;
    struct ag_crowd_crossing *c;
    size_t n, cap;
};

struct move {
    double x, y, hx, hy, v;
    double frac; /* exit: fraction of the step where it crossed */
    int exit;    /* -1: still inside */
};

struct ag_crowd_sim {
    struct ag_crowd_sim_params p;
    struct ag_crowd_nav *nav;
    double t;
    uint64_t steps;
    /* agents, structure of arrays */
    size_t n, cap;
    double *x, *y, *hx, *hy, *v, *v0, *len, *tpre, *start, *outt, *walked;
    int *route, *target, *exit_out, *group;
    uint8_t *state;
    /* agents still on the area, ascending index, and those already out
     * but still walking away from their exit (state AG_CROWD_OUT, nghost
     * of them among the nplay) */
    uint32_t *play;
    size_t nplay, nghost;
    struct move *mv;
    /* periodic corridor along x: period [pxlo, pxlo + pL) */
    bool per;
    double pxlo, pL;
    /* cell list (chx: cell width in x; the period in whole cells when
     * periodic, else ch) */
    double cx0, cy0, ch, chx;
    double inv_ch, inv_chx; /* 1 / ch, 1 / chx */
    size_t cnx, cny;
    uint32_t *cstart, *cidx;
    double *sx, *sy, *sl; /* x, y, diameter in cell-list order (cache) */
    uint32_t *sk;         /* position in play of each cell-list entry */
    double slmax;         /* largest diameter in the cell list */
    /* results */
    size_t *nout;
    double *times;
    size_t ntimes;
    struct line *lines;
    size_t nlines;
    /* density */
    bool dens_on;
    double dens_t0, dens_t1, dens_acc;
    struct ag_crowd_grid dens;
    /* trajectories */
    FILE *traj;
    uint64_t traj_every;
    double traj_fps;
    /* route choice */
    double next_choice;
    bool any_choice;
    /* congestion-aware field (nav->coarse): agents per coarse cell, the
     * relative speed per coarse cell, the field slots in use */
    double next_dyn;
    double *dwork; /* 5 x the coarse cells: counts, pace, area, scratch */
    float *dspeed;
    uint8_t *dused;
};

void ag_crowd_sim_defaults(struct ag_crowd_sim_params *p)
{
    memset(p, 0, sizeof *p);
    ag_crowd_nav_defaults(&p->nav);
    p->dt_s = 0.05;
    p->time_gap_s = 1.0;
    p->rep_a = 5.0;
    p->rep_d_m = 0.1;
    p->wall_a = 1.0; /* calibrated on the Juelich bottleneck, docs/validation.md */
    p->wall_d_m = 0.05;
    p->neighbour_cut_m = 2.0;
    p->threads = 0;
    p->choice_period_s = 2.0;
    p->exit_flow_ps_m = 1.3;
    p->dyn.on = true;
    p->dyn.period_s = 2.0;
    p->dyn.cell_m = 0.5;
    p->dyn.free_density_pm2 = 0.5;
    p->dyn.pace_density_pm2 = 3.0;
    p->dyn.min_speed = 0.1;
}

int ag_crowd_sim_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void ag_crowd_grid_free(struct ag_crowd_grid *g)
{
    if (!g)
        return;
    free(g->v);
    g->v = NULL;
    g->nx = g->ny = 0;
}

void ag_crowd_sim_free(struct ag_crowd_sim *s)
{
    if (!s)
        return;
    ag_crowd_nav_free(s->nav);
    double *d[] = {s->x,   s->y,    s->hx,    s->hy,   s->v,      s->v0,
                   s->len, s->tpre, s->start, s->outt, s->walked, s->times};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        free(d[i]);
    free(s->route);
    free(s->target);
    free(s->exit_out);
    free(s->group);
    free(s->state);
    free(s->play);
    free(s->mv);
    free(s->cstart);
    free(s->cidx);
    free(s->sx);
    free(s->sy);
    free(s->sl);
    free(s->sk);
    free(s->nout);
    free(s->dwork);
    free(s->dspeed);
    free(s->dused);
    for (size_t l = 0; l < s->nlines; l++)
        free(s->lines[l].c);
    free(s->lines);
    ag_crowd_grid_free(&s->dens);
    free(s);
}

int ag_crowd_sim_new(const struct ag_crowd_geom *g, const struct ag_crowd_sim_params *p,
                     struct ag_crowd_sim **out, struct ag_error *err)
{
    *out = NULL;
    struct ag_crowd_sim_params def;
    if (!p) {
        ag_crowd_sim_defaults(&def);
        p = &def;
    }
    if (!(p->dt_s > 0 && p->dt_s <= 0.1) || !(p->time_gap_s > 0) || !(p->rep_a >= 0) ||
        !(p->rep_d_m > 0) || !(p->wall_a >= 0) || !(p->wall_d_m > 0) ||
        !(p->neighbour_cut_m >= 0.5) || p->threads < 0 || !(p->choice_period_s > 0) ||
        !(p->exit_flow_ps_m > 0))
        return ag_error_set(err, AG_EINVAL,
                            "simulation parameters: dt_s must be in (0, 0.1], "
                            "time_gap_s, rep_d_m, wall_d_m, choice_period_s "
                            "and exit_flow_ps_m > 0, neighbour_cut_m >= 0.5");
    if (p->dyn.on &&
        (!(p->dyn.period_s > 0) || !(p->dyn.cell_m >= 0.05 && p->dyn.cell_m <= 5) ||
         !(p->dyn.free_density_pm2 >= 0) || !(p->dyn.pace_density_pm2 > p->dyn.free_density_pm2) ||
         !(p->dyn.min_speed > 0 && p->dyn.min_speed <= 1)))
        return ag_error_set(err, AG_EINVAL,
                            "congestion-aware field: period_s must be > 0, cell_m in [0.05, 5], "
                            "0 <= free_density_pm2 < pace_density_pm2, min_speed in (0, 1]");
    struct ag_crowd_sim *s = calloc(1, sizeof *s);
    if (!s)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    s->p = *p;
    int rc = ag__crowd_nav_new(g, &p->nav, p->periodic_x, &s->nav, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->nout = calloc(s->nav->nexit + 1, sizeof *s->nout);
    if (p->dyn.on && !p->periodic_x) {
        /* a periodic corridor has no field to make congestion-aware */
        rc = ag__crowd_nav_coarse_init(s->nav, p->dyn.cell_m);
        size_t nc = rc ? 0 : s->nav->coarse->nx * s->nav->coarse->ny;
        if (!rc) {
            s->dwork = malloc(5 * nc * sizeof *s->dwork);
            s->dspeed = malloc(nc * sizeof *s->dspeed);
            s->dused = malloc(s->nav->nexit + 1);
        }
        if (rc || !s->dwork || !s->dspeed || !s->dused) {
            ag_crowd_sim_free(s);
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        }
    }
    /* cells of a quarter of the cut-off (an agent scans only the cells
     * its disc of neighbours meets, not a 3 x 3 block of cut-off cells),
     * with a margin of twice the cut-off around the grid */
    s->ch = s->chx = p->neighbour_cut_m / CELL_DIV;
    s->cx0 = s->nav->x0 - 2 * CELL_DIV * s->ch;
    s->cy0 = s->nav->y0 - 2 * CELL_DIV * s->ch;
    s->cnx = (size_t)ceil((double)s->nav->nx * s->nav->h / s->ch) + 4 * CELL_DIV;
    if (p->periodic_x) {
        s->per = true;
        s->ch = s->chx = p->neighbour_cut_m;
        s->cy0 = s->nav->y0 - 2 * s->ch;
        s->pxlo = s->nav->pxlo;
        s->pL = s->nav->pxhi - s->nav->pxlo;
        /* whole cells over the period, each at least the cut-off wide; at
         * least three, so the 3 columns an agent scans are distinct */
        double ncol = floor(s->pL / s->ch);
        if (ncol < 3) {
            double period = s->pL;
            ag_crowd_sim_free(s);
            return ag_error_set(err, AG_EINVAL,
                                "periodic corridor: the period (%.2f m) must be at least "
                                "3 neighbour_cut_m (%.2f m)",
                                period, 3 * p->neighbour_cut_m);
        }
        s->cnx = (size_t)ncol;
        s->chx = s->pL / ncol;
        s->cx0 = s->pxlo;
    }
    s->cny = (size_t)ceil((double)s->nav->ny * s->nav->h / s->ch) + (s->per ? 4 : 4 * CELL_DIV);
    s->inv_ch = 1 / s->ch;
    s->inv_chx = 1 / s->chx;
    s->cstart = calloc(s->cnx * s->cny + 1, sizeof *s->cstart);
    if (!s->nout || !s->cstart) {
        ag_crowd_sim_free(s);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

const struct ag_crowd_nav *ag_crowd_sim_nav(const struct ag_crowd_sim *s)
{
    return s->nav;
}

static int reserve(struct ag_crowd_sim *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    if (need > UINT32_MAX - 1)
        return AG_ELIMIT;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need)
        cap *= 2;
    double **d[] = {&s->x,   &s->y,    &s->hx,    &s->hy,   &s->v,     &s->v0,
                    &s->len, &s->tpre, &s->start, &s->outt, &s->walked};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        void *q = realloc(*d[i], cap * sizeof **d[i]);
        if (!q)
            return AG_ENOMEM;
        *d[i] = q;
    }
    int **in[] = {&s->route, &s->target, &s->exit_out, &s->group};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        void *q = realloc(*in[i], cap * sizeof **in[i]);
        if (!q)
            return AG_ENOMEM;
        *in[i] = q;
    }
    void *q = realloc(s->state, cap);
    if (!q)
        return AG_ENOMEM;
    s->state = q;
    if (!(q = realloc(s->play, cap * sizeof *s->play)))
        return AG_ENOMEM;
    s->play = q;
    if (!(q = realloc(s->mv, cap * sizeof *s->mv)))
        return AG_ENOMEM;
    s->mv = q;
    if (!(q = realloc(s->times, cap * sizeof *s->times)))
        return AG_ENOMEM;
    s->times = q;
    if (!(q = realloc(s->cidx, cap * sizeof *s->cidx)))
        return AG_ENOMEM;
    s->cidx = q;
    if (!(q = realloc(s->sk, cap * sizeof *s->sk)))
        return AG_ENOMEM;
    s->sk = q;
    double **c[] = {&s->sx, &s->sy, &s->sl};
    for (size_t i = 0; i < 3; i++) {
        if (!(q = realloc(*c[i], cap * sizeof **c[i])))
            return AG_ENOMEM;
        *c[i] = q;
    }
    s->cap = cap;
    return 0;
}

static int add_one(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a, int group)
{
    size_t i = s->n;
    s->x[i] = a->pos.x;
    s->y[i] = a->pos.y;
    struct ag_xy d;
    int k = a->exit >= 0 ? a->exit : -1;
    if (!ag_crowd_nav_direction(s->nav, k, a->pos, &d))
        d = (struct ag_xy){1, 0};
    s->hx[i] = d.x;
    s->hy[i] = d.y;
    s->v[i] = 0;
    s->v0[i] = a->v0_ms;
    s->len[i] = a->length_m > 0 ? a->length_m : 0.3;
    s->tpre[i] = a->premove_s > 0 ? a->premove_s : 0;
    s->start[i] = NAN;
    s->outt[i] = NAN;
    s->walked[i] = 0;
    s->route[i] = a->exit;
    s->target[i] = k;
    s->exit_out[i] = -1;
    s->group[i] = group;
    s->state[i] = AG_CROWD_WAITING;
    s->play[s->nplay++] = (uint32_t)i;
    s->n++;
    return 0;
}

static int check_spec(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a, size_t idx,
                      struct ag_error *err)
{
    if (!isfinite(a->pos.x) || !isfinite(a->pos.y) || !ag_crowd_nav_walkable(s->nav, a->pos))
        return ag_error_set(err, AG_EINVAL,
                            "agent %zu: position (%.2f, %.2f) is not on the "
                            "walkable area",
                            idx + 1, a->pos.x, a->pos.y);
    if (!(a->v0_ms > 0 && a->v0_ms <= 5))
        return ag_error_set(err, AG_EINVAL, "agent %zu: desired speed %.2f m/s not in (0, 5]",
                            idx + 1, a->v0_ms);
    if (!(a->length_m <= 1.5) || !(a->premove_s < 1e7))
        return ag_error_set(err, AG_EINVAL,
                            "agent %zu: diameter above 1.5 m or premovement "
                            "time not finite",
                            idx + 1);
    if (a->exit >= (int)s->nav->nexit || a->exit < AG_CROWD_EXIT_CHOICE)
        return ag_error_set(err, AG_EINVAL, "agent %zu: no exit %d", idx + 1, a->exit + 1);
    if (s->per && a->exit != AG_CROWD_EXIT_NEAREST)
        return ag_error_set(err, AG_EINVAL,
                            "agent %zu: a periodic corridor has no exits to "
                            "assign or choose",
                            idx + 1);
    int rc = 0;
    if (a->exit >= 0)
        rc = ag_crowd_nav_prepare_exit(s->nav, (size_t)a->exit, err);
    if (a->exit == AG_CROWD_EXIT_CHOICE) {
        for (size_t k = 0; k < s->nav->nexit && !rc; k++)
            rc = ag_crowd_nav_prepare_exit(s->nav, k, err);
        s->any_choice = true;
    }
    return rc;
}

static int add_many(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a, const int *groups,
                    size_t n, struct ag_error *err)
{
    if (n > 0 && !a)
        return ag_error_set(err, AG_EINVAL, "no agents given");
    for (size_t i = 0; i < n; i++) {
        int rc = check_spec(s, &a[i], s->n + i, err);
        if (rc)
            return rc;
    }
    int rc = reserve(s, s->n + n);
    if (rc)
        return ag_error_set(err, rc, "agents: %s", ag_strerror(rc));
    for (size_t i = 0; i < n; i++)
        add_one(s, &a[i], groups ? groups[i] : -1);
    return 0;
}

int ag_crowd_sim_add(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a, size_t n,
                     struct ag_error *err)
{
    return add_many(s, a, NULL, n, err);
}

int ag__crowd_sim_add_grouped(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a,
                              const int *groups, size_t n, struct ag_error *err)
{
    return add_many(s, a, groups, n, err);
}

int ag_crowd_sim_add_line(struct ag_crowd_sim *s, struct ag_xy a, struct ag_xy b)
{
    if (!s || !isfinite(a.x) || !isfinite(a.y) || !isfinite(b.x) || !isfinite(b.y) ||
        ag_xy_dist(a, b) <= 0)
        return AG_EINVAL;
    void *q = realloc(s->lines, (s->nlines + 1) * sizeof *s->lines);
    if (!q)
        return AG_ENOMEM;
    s->lines = q;
    s->lines[s->nlines] = (struct line){a, b, NULL, 0, 0};
    return (int)s->nlines++;
}

const struct ag_crowd_crossing *ag_crowd_sim_crossings(const struct ag_crowd_sim *s, size_t line,
                                                       size_t *n)
{
    if (!s || line >= s->nlines) {
        *n = 0;
        return NULL;
    }
    *n = s->lines[line].n;
    return s->lines[line].c;
}

int ag_crowd_sim_density_enable(struct ag_crowd_sim *s, double cell_m, double t0_s, double t1_s)
{
    if (!s || !(cell_m >= 0.1 && cell_m <= 10) || !(t1_s > t0_s))
        return AG_EINVAL;
    ag_crowd_grid_free(&s->dens);
    const struct ag_crowd_nav *nav = s->nav;
    s->dens.x0 = nav->x0;
    s->dens.y0 = nav->y0;
    s->dens.cell_m = cell_m;
    s->dens.nx = (size_t)ceil((double)nav->nx * nav->h / cell_m);
    s->dens.ny = (size_t)ceil((double)nav->ny * nav->h / cell_m);
    s->dens.v = calloc(s->dens.nx * s->dens.ny, sizeof *s->dens.v);
    if (!s->dens.v)
        return AG_ENOMEM;
    s->dens_on = true;
    s->dens_t0 = t0_s;
    s->dens_t1 = t1_s;
    s->dens_acc = 0;
    return 0;
}

int ag_crowd_sim_density(const struct ag_crowd_sim *s, struct ag_crowd_grid *out)
{
    memset(out, 0, sizeof *out);
    if (!s->dens_on || !(s->dens_acc > 0))
        return AG_EEMPTY;
    *out = s->dens;
    size_t n = s->dens.nx * s->dens.ny;
    out->v = malloc(n * sizeof *out->v);
    if (!out->v)
        return AG_ENOMEM;
    double a = s->dens.cell_m * s->dens.cell_m * s->dens_acc;
    for (size_t i = 0; i < n; i++)
        out->v[i] = s->dens.v[i] / a;
    return 0;
}

static void write_frame(struct ag_crowd_sim *s)
{
    uint64_t frame = s->steps / s->traj_every;
    for (size_t k = 0; k < s->nplay; k++) {
        uint32_t i = s->play[k];
        if (s->state[i] == AG_CROWD_OUT)
            continue;
        fprintf(s->traj, "%u\t%llu\t%.4f\t%.4f\t0.0000\n", i + 1, (unsigned long long)frame,
                s->x[i], s->y[i]);
    }
}

int ag_crowd_sim_trajectories(struct ag_crowd_sim *s, FILE *f, double fps)
{
    if (!s || !f || !(fps > 0) || !(fps * s->p.dt_s <= 1.0))
        return AG_EINVAL;
    double every = round(1.0 / (fps * s->p.dt_s));
    if (every < 1)
        every = 1;
    s->traj = f;
    s->traj_every = (uint64_t)every;
    s->traj_fps = 1.0 / (every * s->p.dt_s);
    fprintf(f, "# agora crowd simulation: collision-free speed model "
               "(Tordeux, Chraibi & Seyfried 2016)\n");
    fprintf(f, "# framerate: %.2f fps\n", s->traj_fps);
    fprintf(f, "# unit: x/m (coordinates in metres)\n");
    fprintf(f, "# id frame x/m y/m z/m\n");
    if (s->steps % s->traj_every == 0)
        write_frame(s);
    return ferror(f) ? AG_EIO : 0;
}

/* ---- the model ---- */

/* v clamped to [lo, hi], NaN to lo (fmin and fmax are calls to libm on
 * plain x86-64, and these sit in the neighbour search). */
static inline double clampd(double v, double lo, double hi)
{
    return !(v >= lo) ? lo : (v > hi ? hi : v);
}

/* Column of the cell list holding x (clamped to the grid). */
static size_t cell_col(const struct ag_crowd_sim *s, double x)
{
    double fx = floor((x - s->cx0) * s->inv_chx);
    return (size_t)clampd(fx, 0, (double)s->cnx - 1);
}

/* The three columns an agent in column cx scans, left to right: wrapped
 * round the period when periodic; otherwise cx is kept off the grid's
 * edge (agents never are there: the grid has two cells of margin). */
static void scan_cols(const struct ag_crowd_sim *s, size_t *cx, size_t col[3])
{
    if (s->per) {
        col[0] = (*cx + s->cnx - 1) % s->cnx;
        col[1] = *cx;
        col[2] = (*cx + 1) % s->cnx;
        return;
    }
    if (*cx < 1)
        *cx = 1;
    if (*cx > s->cnx - 2)
        *cx = s->cnx - 2;
    col[0] = *cx - 1;
    col[1] = *cx;
    col[2] = *cx + 1;
}

/* x_j - x_i, the nearest image across the seam when periodic. */
static double sep_x(const struct ag_crowd_sim *s, double dx)
{
    if (s->per) {
        if (dx > 0.5 * s->pL)
            dx -= s->pL;
        else if (dx < -0.5 * s->pL)
            dx += s->pL;
    }
    return dx;
}

static void build_cells(struct ag_crowd_sim *s)
{
    size_t nc = s->cnx * s->cny;
    memset(s->cstart, 0, (nc + 1) * sizeof *s->cstart);
    /* counting sort by cell, stable in agent index */
    uint32_t *cell = (uint32_t *)s->mv; /* scratch: mv is rewritten later */
    for (size_t k = 0; k < s->nplay; k++) {
        uint32_t i = s->play[k];
        double fy = floor((s->y[i] - s->cy0) * s->inv_ch);
        fy = clampd(fy, 0, (double)s->cny - 1);
        cell[k] = (uint32_t)((size_t)fy * s->cnx + cell_col(s, s->x[i]));
        s->cstart[cell[k] + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        s->cstart[c + 1] += s->cstart[c];
    /* fill from the back so the counts need no copy: walk agents in
     * reverse and decrement the end pointer of their cell */
    for (size_t c = nc; c > 0; c--)
        s->cstart[c] = s->cstart[c - 1];
    s->cstart[0] = 0;
    double lmax = 0;
    for (size_t k = 0; k < s->nplay; k++) {
        uint32_t at = s->cstart[cell[k] + 1]++, i = s->play[k];
        s->cidx[at] = i;
        s->sk[at] = (uint32_t)k;
        s->sx[at] = s->x[i];
        s->sy[at] = s->y[i];
        s->sl[at] = s->len[i];
        if (s->len[i] > lmax)
            lmax = s->len[i];
    }
    s->slmax = lmax;
}

static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/* Fraction of p->q where it crosses a-b, or -1. */
static double crossing(struct ag_xy p, struct ag_xy q, struct ag_xy a, struct ag_xy b)
{
    double d1 = orient(a, b, p), d2 = orient(a, b, q);
    if (!((d1 > 0 && d2 <= 0) || (d1 < 0 && d2 >= 0)))
        return -1;
    double d3 = orient(p, q, a), d4 = orient(p, q, b);
    if ((d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0))
        return -1;
    return d1 / (d1 - d2);
}

/* Closest point of exit k to p, the exit shrunk by half a body at each end
 * so agents aim through the opening rather than at its jambs. */
static struct ag_xy exit_aim(const struct ag__crowd_exit *x, struct ag_xy p, double half)
{
    double dx = x->b.x - x->a.x, dy = x->b.y - x->a.y, l = hypot(dx, dy);
    double m = l > 2 * half ? half / l : 0.5;
    double t = ((p.x - x->a.x) * dx + (p.y - x->a.y) * dy) / (l * l);
    t = fmin(fmax(t, m), 1 - m);
    return (struct ag_xy){x->a.x + t * dx, x->a.y + t * dy};
}

/* The desired direction of agent i in *e0: straight at its exit when near
 * it, else its floor field's direction, and then, on the congestion-aware
 * field, the delay's gradient in *g with true in *dyn (the direction is
 * made once the wall distance is known, in move_agent). */
static bool desired(const struct ag_crowd_sim *s, uint32_t i, struct ag_xy *e0, struct ag_xy *g,
                    bool *dyn)
{
    *dyn = false;
    const struct ag_crowd_nav *nav = s->nav;
    struct ag_xy p = {s->x[i], s->y[i]};
    int k = s->target[i];
    /* near an exit: straight at it */
    double best = EXIT_APPROACH_M;
    int bk = -1;
    if (k >= 0) {
        double d = ag_xy_seg_dist(p, nav->exit[k].a, nav->exit[k].b);
        if (d < best)
            bk = k;
    } else if (nav->nexit <= 64 || ag_crowd_nav_cost(nav, -1, p) < 2.0) {
        for (size_t e = 0; e < nav->nexit; e++) {
            /* the distance to the segment's bounding box is a lower bound:
             * most agents are far from every exit */
            const struct ag__crowd_exit *x = &nav->exit[e];
            bool ox = x->a.x < x->b.x, oy = x->a.y < x->b.y;
            double xlo = ox ? x->a.x : x->b.x, xhi = ox ? x->b.x : x->a.x;
            double ylo = oy ? x->a.y : x->b.y, yhi = oy ? x->b.y : x->a.y;
            double bx = p.x < xlo ? xlo - p.x : (p.x > xhi ? p.x - xhi : 0);
            double by = p.y < ylo ? ylo - p.y : (p.y > yhi ? p.y - yhi : 0);
            if (bx >= best || by >= best)
                continue;
            double d = ag_xy_seg_dist(p, nav->exit[e].a, nav->exit[e].b);
            if (d < best) {
                best = d;
                bk = (int)e;
            }
        }
    }
    if (bk >= 0) {
        struct ag_xy q = exit_aim(&nav->exit[bk], p, 0.5 * s->len[i]);
        double dx = q.x - p.x, dy = q.y - p.y, l = hypot(dx, dy);
        if (l > 1e-9) {
            *e0 = (struct ag_xy){dx / l, dy / l};
            return true;
        }
        /* on the segment: keep walking the way it faces */
        *e0 = (struct ag_xy){s->hx[i], s->hy[i]};
        return true;
    }
    if (!ag_crowd_nav_direction(nav, k, p, e0))
        return false;
    *dyn = ag__crowd_nav_delay_grad(nav, k, p, g);
    return true;
}

struct nb {
    double dx, dy, s, l; /* x_j - x_i, distance, l_ij */
};

#define MAX_RANGES (2 * CELL_DIV + 4)

/* The runs of the cell list (entries [r[k][0], r[k][1])) that hold every
 * agent within r_m of p, in cell-list order; returns how many. Periodic:
 * the 3 x 3 cells of the cut-off around p (wrapped in x). Otherwise, per
 * row of cells that the disc of radius r_m meets, the contiguous columns
 * its chord spans (rows are contiguous in the cell list); the edge rows
 * and columns, which hold everybody clamped onto them, count as
 * unbounded. */
static size_t scan_ranges(const struct ag_crowd_sim *s, struct ag_xy p, double r_m,
                          uint32_t r[MAX_RANGES][2])
{
    size_t n = 0;
    if (s->per) {
        double fy = floor((p.y - s->cy0) * s->inv_ch);
        fy = fmin(fmax(fy, 1), (double)s->cny - 2);
        size_t cx = cell_col(s, p.x), cy = (size_t)fy, col[3];
        scan_cols(s, &cx, col);
        for (size_t yy = cy - 1; yy <= cy + 1; yy++)
            for (size_t cc = 0; cc < 3; cc++) {
                size_t c = yy * s->cnx + col[cc];
                r[n][0] = s->cstart[c];
                r[n][1] = s->cstart[c + 1];
                n++;
            }
        return n;
    }
    double ylo = floor((p.y - r_m - s->cy0) * s->inv_ch);
    double yhi = floor((p.y + r_m - s->cy0) * s->inv_ch);
    ylo = clampd(ylo, 0, (double)s->cny - 1);
    yhi = clampd(yhi, 0, (double)s->cny - 1);
    for (size_t yy = (size_t)ylo; yy <= (size_t)yhi && n < MAX_RANGES; yy++) {
        double dy = 0;
        if (yy > 0 && yy + 1 < s->cny) {
            double b = s->cy0 + (double)yy * s->ch, t = b + s->ch;
            dy = p.y < b ? b - p.y : (p.y > t ? p.y - t : 0);
            dy = dy > 1e-9 ? dy - 1e-9 : 0; /* slack for the rounding of b, t */
        }
        double w = r_m * r_m - dy * dy;
        w = (w > 0 ? sqrt(w) : 0) + 1e-9;
        size_t c0 = cell_col(s, p.x - w), c1 = cell_col(s, p.x + w);
        r[n][0] = s->cstart[yy * s->cnx + c0];
        r[n][1] = s->cstart[yy * s->cnx + c1 + 1];
        n++;
    }
    return n;
}

/* Radius beyond which no neighbour of agent i acts on it: neither the
 * repulsion (cut at l_ij + 8 D) nor the speed rule (a neighbour at
 * s - l_ij >= v0 T allows v0 or more) reaches past it, whatever the
 * neighbour's diameter; never more than the cut-off. */
static double reach(const struct ag_crowd_sim *s, uint32_t i)
{
    const struct ag_crowd_sim_params *P = &s->p;
    double lmax = 0.5 * (s->len[i] + s->slmax);
    double a = 8 * P->rep_d_m, b = s->v0[i] * P->time_gap_s;
    double r = lmax + (a > b ? a : b) + 1e-6;
    return r < P->neighbour_cut_m ? r : P->neighbour_cut_m;
}

/* The speed the paper's rule allows in direction (ex, ey): the distance to
 * the nearest neighbour ahead whose body overlaps the path strip, minus
 * l_ij, over T; v0 when none. */
static double strip_speed(const struct nb *nb, size_t nnb, double ex, double ey, double v0,
                          double T)
{
    double v = v0;
    for (size_t q = 0; q < nnb; q++) {
        double ahead = nb[q].dx * ex + nb[q].dy * ey;
        if (ahead <= 0 || fabs(nb[q].dx * ey - nb[q].dy * ex) >= nb[q].l)
            continue;
        double vq = (nb[q].s - nb[q].l) / T;
        if (vq < v)
            v = vq;
    }
    return v;
}

/* strip_speed over every neighbour, for the rare agent with more than
 * NB_LOCAL of them within the cut-off. */
static double rescan_speed(const struct ag_crowd_sim *s, uint32_t i, uint32_t self, struct ag_xy p,
                           double ex, double ey)
{
    double v = s->v0[i], rr = reach(s, i), r2 = rr * rr;
    uint32_t rg[MAX_RANGES][2];
    size_t nr = scan_ranges(s, p, rr, rg);
    for (size_t k = 0; k < nr; k++)
        for (uint32_t q = rg[k][0]; q < rg[k][1]; q++) {
            double dx = sep_x(s, s->sx[q] - p.x), dy = s->sy[q] - p.y;
            double d2 = dx * dx + dy * dy;
            if (d2 >= r2 || d2 <= 0 || q == self)
                continue;
            double d = sqrt(d2), l = 0.5 * (s->len[i] + s->sl[q]);
            double ahead = dx * ex + dy * ey;
            if (ahead <= 0 || fabs(dx * ey - dy * ex) >= l)
                continue;
            double vq = (d - l) / s->p.time_gap_s;
            if (vq < v)
                v = vq;
        }
    return v;
}

/* Agents are moved in cell-list order, but their own arrays are in index
 * order: ask for what the move of the agent in cell-list slot a will read
 * a few agents ahead (a cache hint only; no effect on any result). */
#define PREFETCH_AHEAD 6
static void prefetch_agent(const struct ag_crowd_sim *s, uint32_t a)
{
#if defined(__GNUC__)
    uint32_t i = s->cidx[a];
    __builtin_prefetch(&s->hx[i]);
    __builtin_prefetch(&s->hy[i]);
    __builtin_prefetch(&s->v0[i]);
    __builtin_prefetch(&s->len[i]);
    __builtin_prefetch(&s->tpre[i]);
    __builtin_prefetch(&s->target[i]);
    __builtin_prefetch(&s->state[i]);
    __builtin_prefetch(&s->mv[s->sk[a]], 1);
    ag__crowd_nav_prefetch(s->nav, s->target[i], (struct ag_xy){s->sx[a], s->sy[a]});
#else
    (void)s;
    (void)a;
#endif
}

static void move_agent(const struct ag_crowd_sim *s, uint32_t self, struct move *m)
{
    const struct ag_crowd_sim_params *P = &s->p;
    uint32_t i = s->cidx[self];
    struct ag_xy p = {s->sx[self], s->sy[self]};
    m->x = p.x;
    m->y = p.y;
    m->hx = s->hx[i];
    m->hy = s->hy[i];
    m->v = 0;
    m->exit = -1;
    m->frac = 0;
    if (s->state[i] == AG_CROWD_OUT) {
        /* out: straight on, away from the exit line (heading set when it
         * crossed), walls and neighbours ignored */
        m->v = s->v0[i];
        m->x = p.x + m->v * m->hx * P->dt_s;
        m->y = p.y + m->v * m->hy * P->dt_s;
        return;
    }
    if (s->t + 1e-9 < s->tpre[i])
        return;
    struct ag_xy e0, g;
    bool dyn;
    if (!desired(s, i, &e0, &g, &dyn))
        e0 = (struct ag_xy){s->hx[i], s->hy[i]};
    /* on the congestion-aware field e0 joins the sum below once the wall
     * distance is known */
    double ex = dyn ? 0 : e0.x, ey = dyn ? 0 : e0.y;

    /* neighbours: repulsion now, the set ahead once the direction is known */
    struct nb nb[NB_LOCAL];
    size_t nnb = 0;
    bool overflow = false;
    /* only neighbours within reach(): the others act on nothing; only
     * those that could slow it below v0 are kept for the speed rule */
    double rr = reach(s, i), r2 = rr * rr, li = s->len[i], rep8 = 8 * P->rep_d_m;
    double inv_d = 1 / P->rep_d_m;
    double vT = s->v0[i] * P->time_gap_s;
    uint32_t rg[MAX_RANGES][2];
    size_t nr = scan_ranges(s, p, rr, rg);
    for (size_t k = 0; k < nr; k++)
        for (uint32_t q = rg[k][0]; q < rg[k][1]; q++) {
            double dx = sep_x(s, s->sx[q] - p.x), dy = s->sy[q] - p.y;
            double d2 = dx * dx + dy * dy;
            if (d2 >= r2 || d2 <= 0 || q == self)
                continue;
            double d = sqrt(d2), l = 0.5 * (li + s->sl[q]);
            if (d < l + rep8) {
                /* R(s) n_ij: one division for the exponent and the unit
                 * vector together */
                double r = P->rep_a * exp((l - d) * inv_d) / d;
                ex -= r * dx;
                ey -= r * dy;
            }
            if (d - l >= vT * (1 + 1e-12)) /* (d - l)/T >= v0: no effect */
                continue;
            if (nnb < NB_LOCAL)
                nb[nnb++] = (struct nb){dx, dy, d, l};
            else
                overflow = true;
        }
    struct ag_xy wn;
    double half = 0.5 * s->len[i], wcap = half + 8 * P->wall_d_m;
    double wd = ag__crowd_nav_wall_normal(s->nav, p, wcap, &wn);
    if (dyn) {
        /* -grad(phi + delay): the floor field's gradient has the magnitude
         * 1 / F (eikonal) */
        double inv_f = 1 / ag__crowd_nav_speed_at(s->nav, p, wd, wcap);
        double dx = e0.x * inv_f - g.x, dy = e0.y * inv_f - g.y, dl = sqrt(dx * dx + dy * dy);
        if (dl > 1e-9)
            e0 = (struct ag_xy){dx / dl, dy / dl};
        ex += e0.x;
        ey += e0.y;
    }
    if (wn.x != 0 || wn.y != 0) {
        double r = P->wall_a * exp((half - wd) / P->wall_d_m);
        ex += r * wn.x;
        ey += r * wn.y;
    }
    double el = sqrt(ex * ex + ey * ey);
    if (el > 1e-9) {
        ex /= el;
        ey /= el;
    } else {
        ex = e0.x;
        ey = e0.y;
    }

    /* speed from the nearest neighbour whose body overlaps the path */
    double v = overflow ? rescan_speed(s, i, self, p, ex, ey)
                        : strip_speed(nb, nnb, ex, ey, s->v0[i], P->time_gap_s);
    if (v < 0)
        v = 0;
    m->hx = ex;
    m->hy = ey;
    if (v <= 0)
        return;

    struct ag_xy q = {p.x + v * ex * P->dt_s, p.y + v * ey * P->dt_s};
    /* out through an exit? Only between its jambs: a centre that would
     * cross within half a body of an end of the opening would put the body
     * through the door frame, so such a step is treated as meeting a wall
     * (the walls themselves stop only centres). */
    struct ag_xy w;
    bool jamb = false;
    for (size_t k = 0; k < s->nav->nexit; k++) {
        const struct ag__crowd_exit *x = &s->nav->exit[k];
        double f = crossing(p, q, x->a, x->b);
        if (f < 0)
            continue;
        double xl = hypot(x->b.x - x->a.x, x->b.y - x->a.y);
        double cx = p.x + f * (q.x - p.x) - x->a.x, cy = p.y + f * (q.y - p.y) - x->a.y;
        double u = (cx * (x->b.x - x->a.x) + cy * (x->b.y - x->a.y)) / xl;
        if (xl > 2 * half && (u < half || u > xl - half)) {
            jamb = true;
            w = (struct ag_xy){(x->b.x - x->a.x) / xl, (x->b.y - x->a.y) / xl};
            break;
        }
        m->x = q.x;
        m->y = q.y;
        m->v = v;
        m->exit = (int)k;
        m->frac = f;
        return;
    }
    /* a step shorter than the distance to the nearest wall less 2 mm (the
     * blocking rule's 1 mm and as much again) can neither cross a wall nor
     * end or pass within 1 mm of one: only steps near a wall are checked
     * (wd is that distance, or the cap when no wall is nearer) */
    bool near_wall = wd - v * P->dt_s <= 2e-3;
    if (jamb || (near_wall && ag__crowd_nav_step_blocked(s->nav, p, q, &w))) {
        /* slide along the wall, or stay */
        double along = (q.x - p.x) * w.x + (q.y - p.y) * w.y;
        struct ag_xy q2 = {p.x + along * w.x, p.y + along * w.y};
        if (fabs(along) < 1e-12 || ag__crowd_nav_step_blocked(s->nav, p, q2, NULL))
            return;
        q = q2;
        v = fabs(along) / P->dt_s;
    }
    m->x = q.x;
    m->y = q.y;
    m->v = v;
}

/* ---- route choice ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t count_below(const double *a, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Every agent under route choice takes the exit with the least estimated
 * time: its walking distance over its desired speed, plus the people ahead
 * of it at that exit (closer to it by the field, and heading for it) over
 * the exit's capacity (exit_flow_ps_m x width). Decisions are taken one
 * agent after the other in index order, each seeing the choices made
 * before it; an agent changes only for a gain above 10 % and never within
 * 2 m of its exit, so the crowd does not swing between exits. */
static int choose_routes(struct ag_crowd_sim *s)
{
    size_t ne = s->nav->nexit;
    double **q = calloc(ne, sizeof *q);
    size_t *nq = calloc(ne, sizeof *nq);
    int rc = AG_ENOMEM;
    if (!q || !nq)
        goto out;
    for (size_t k = 0; k < ne; k++) {
        q[k] = malloc((s->nplay + 1) * sizeof **q);
        if (!q[k])
            goto out;
    }
    for (size_t a = 0; a < s->nplay; a++) {
        uint32_t i = s->play[a];
        int k = s->target[i];
        if (k >= 0 && s->state[i] != AG_CROWD_OUT)
            q[k][nq[k]++] = ag_crowd_nav_cost(s->nav, k, (struct ag_xy){s->x[i], s->y[i]});
    }
    for (size_t k = 0; k < ne; k++)
        qsort(q[k], nq[k], sizeof **q, cmp_double);
    for (size_t a = 0; a < s->nplay; a++) {
        uint32_t i = s->play[a];
        if (s->route[i] != AG_CROWD_EXIT_CHOICE || s->state[i] == AG_CROWD_OUT)
            continue;
        struct ag_xy p = {s->x[i], s->y[i]};
        int cur = s->target[i];
        double tcur = INFINITY, tbest = INFINITY, dcur = INFINITY;
        int best = cur;
        for (size_t k = 0; k < ne; k++) {
            double d = ag_crowd_nav_cost(s->nav, (int)k, p);
            if (isinf(d))
                continue;
            double w = s->nav->exit[k].width_m > 0
                           ? s->nav->exit[k].width_m
                           : ag_xy_dist(s->nav->exit[k].a, s->nav->exit[k].b);
            double tk =
                d / s->v0[i] + (double)count_below(q[k], nq[k], d) / (s->p.exit_flow_ps_m * w);
            if ((int)k == cur) {
                tcur = tk;
                dcur = d;
            }
            if (tk < tbest) {
                tbest = tk;
                best = (int)k;
            }
        }
        if (best == cur || (cur >= 0 && (dcur < 2.0 || tbest > 0.9 * tcur)))
            continue;
        /* move its own entry from the old queue to the new one */
        if (cur >= 0) {
            size_t at = count_below(q[cur], nq[cur], dcur);
            if (at < nq[cur]) {
                memmove(&q[cur][at], &q[cur][at + 1], (nq[cur] - at - 1) * sizeof **q);
                nq[cur]--;
            }
        }
        double d = ag_crowd_nav_cost(s->nav, best, p);
        size_t at = count_below(q[best], nq[best], d);
        memmove(&q[best][at + 1], &q[best][at], (nq[best] - at) * sizeof **q);
        q[best][at] = d;
        nq[best]++;
        s->target[i] = best;
    }
    rc = 0;
out:
    if (q)
        for (size_t k = 0; k < ne; k++)
            free(q[k]);
    free(q);
    free(nq);
    return rc;
}

/* ---- congestion-aware field ---- */

/* Half the side of the square of coarse cells over which the crowd's
 * density and pace are taken (5 x 5 cells, 2.5 m with the default cell). */
#define DYN_WINDOW 2

/* Sums v over the (2 DYN_WINDOW + 1)^2 cells around each cell of an nx x ny
 * grid into out (cells off the grid count 0), a pass along x into tmp and
 * one along y; the same order of additions every time. */
static void box_sum(const double *v, size_t nx, size_t ny, double *tmp, double *out)
{
    const long r = DYN_WINDOW;
    for (size_t y = 0; y < ny; y++)
        for (size_t x = 0; x < nx; x++) {
            double sum = 0;
            for (long d = -r; d <= r; d++) {
                long xx = (long)x + d;
                if (xx >= 0 && xx < (long)nx)
                    sum += v[y * nx + (size_t)xx];
            }
            tmp[y * nx + x] = sum;
        }
    for (size_t y = 0; y < ny; y++)
        for (size_t x = 0; x < nx; x++) {
            double sum = 0;
            for (long d = -r; d <= r; d++) {
                long yy = (long)y + d;
                if (yy >= 0 && yy < (long)ny)
                    sum += tmp[(size_t)yy * nx + x];
            }
            out[y * nx + x] = sum;
        }
}

/* The relative walking speed through every coarse cell, from the people
 * around it: their pace u (the speed of their last step along their floor
 * field's direction over their desired speed, in [0, 1]; people standing
 * have 0), averaged, counts as far as they crowd the cell,
 *
 *   F = 1 - clamp((rho - rho_0) / (rho_c - rho_0), 0, 1) (1 - mean u),
 *
 * rho the density over the window, rho_0 = dyn.free_density_pm2, rho_c =
 * dyn.pace_density_pm2: in a crowd of rho_c or more one walks at its pace,
 * in a sparser one partly past it, below rho_0 (and in an empty cell) at
 * one's own speed. Then the fields in use are solved again (not at all
 * when F is 1 everywhere: no delay anywhere). The counts are serial, in
 * agent order, and each field is solved by one thread alone: the same
 * result for any number of threads. */
static int dyn_update(struct ag_crowd_sim *s, int nt)
{
    const struct ag__crowd_coarse *c = s->nav->coarse;
    size_t nc = c->nx * c->ny;
    double *cnt = s->dwork, *pace = cnt + nc, *area = pace + nc, *tmp = area + nc, *sum = tmp + nc;
    memset(cnt, 0, 2 * nc * sizeof *cnt);
    memset(s->dused, 0, s->nav->nexit + 1);
    for (size_t a = 0; a < s->nplay; a++) {
        uint32_t i = s->play[a];
        if (s->state[i] == AG_CROWD_OUT)
            continue;
        int k = s->target[i];
        s->dused[k < 0 ? 0 : k + 1] = 1;
        double fx = floor((s->x[i] - c->x0) / c->h), fy = floor((s->y[i] - c->y0) / c->h);
        if (!(fx >= 0 && fy >= 0 && fx < (double)c->nx && fy < (double)c->ny))
            continue;
        size_t ci = (size_t)fy * c->nx + (size_t)fx;
        struct ag_xy d;
        double u = 0;
        if (ag_crowd_nav_direction(s->nav, k, (struct ag_xy){s->x[i], s->y[i]}, &d)) {
            double along = s->hx[i] * d.x + s->hy[i] * d.y;
            u = along > 0 ? s->v[i] * along / s->v0[i] : 0;
        }
        cnt[ci] += 1;
        pace[ci] += u < 1 ? u : 1;
    }
    for (size_t i = 0; i < nc; i++)
        area[i] = c->area[i];
    /* the window sums, each back into its own array */
    box_sum(cnt, c->nx, c->ny, tmp, sum);
    memcpy(cnt, sum, nc * sizeof *cnt);
    box_sum(pace, c->nx, c->ny, tmp, sum);
    memcpy(pace, sum, nc * sizeof *pace);
    box_sum(area, c->nx, c->ny, tmp, sum);
    const struct ag_crowd_dyn_params *D = &s->p.dyn;
    bool flat = true;
    for (size_t i = 0; i < nc; i++) {
        double f = 1;
        if (c->walk[i] && cnt[i] > 0) {
            double w = (cnt[i] / sum[i] - D->free_density_pm2) /
                       (D->pace_density_pm2 - D->free_density_pm2);
            if (w > 0)
                f = 1 - (w < 1 ? w : 1) * (1 - pace[i] / cnt[i]);
        }
        s->dspeed[i] = (float)(f > D->min_speed ? f : D->min_speed);
        flat = flat && s->dspeed[i] == 1;
    }
    return ag__crowd_nav_coarse_update(s->nav, s->dspeed, s->dused, flat, nt);
}

/* ---- stepping ---- */

static void record_crossings(struct ag_crowd_sim *s, uint32_t i, struct ag_xy p, struct ag_xy q)
{
    for (size_t l = 0; l < s->nlines; l++) {
        struct line *L = &s->lines[l];
        double f = crossing(p, q, L->a, L->b);
        if (f < 0)
            continue;
        if (L->n == L->cap) {
            void *n = ag_grow(L->c, &L->cap, L->n + 1, sizeof *L->c, 64);
            if (!n)
                continue; /* out of memory: the crossing is lost, the run
                             goes on */
            L->c = n;
        }
        L->c[L->n++] = (struct ag_crowd_crossing){s->t + f * s->p.dt_s, i + 1,
                                                  orient(L->a, L->b, p) > 0 ? 1 : -1};
    }
}

int ag_crowd_sim_step(struct ag_crowd_sim *s)
{
    if (!s)
        return AG_EINVAL;
    double dt = s->p.dt_s;
    if (s->any_choice && s->t + 1e-9 >= s->next_choice) {
        int rc = choose_routes(s);
        if (rc)
            return rc;
        s->next_choice = s->t + s->p.choice_period_s;
    }
#ifdef _OPENMP
    int nt = s->p.threads > 0 ? s->p.threads : omp_get_max_threads();
#else
    int nt = 1;
#endif
    /* the congestion-aware field solved in the last step is the one this
     * step reads; if it is due, the next one is solved from the state at
     * the start of this step by one thread while the others move the
     * agents (it reads the agents, writes only its own arrays), and is
     * read from the next step on: the same for any number of threads */
    bool dyn_now = s->nav->coarse && s->t + 1e-9 >= s->next_dyn;
    int dyn_rc = 0;
    ag__crowd_nav_coarse_commit(s->nav);
    build_cells(s);
    long np = (long)s->nplay;
#ifdef _OPENMP
    /* a parallel region costs more than a few hundred agents' moves */
    /* dynamic chunks: a thread that shares its core with another process
     * (or solves the field) does not hold the others up at the end of the
     * loop; which thread moves an agent does not change its move */
#pragma omp parallel num_threads(nt) if (np >= 256)
#endif
    {
#ifdef _OPENMP
#pragma omp single nowait
#endif
        if (dyn_now)
            dyn_rc = dyn_update(s, nt);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 64)
#endif
        /* in cell-list order, so neighbours and field cells are read from
         * memory close to the previous agent's; each move lands in its
         * agent's place in play */
        for (long a = 0; a < np; a++) {
            if (a + PREFETCH_AHEAD < np)
                prefetch_agent(s, (uint32_t)(a + PREFETCH_AHEAD));
            move_agent(s, (uint32_t)a, &s->mv[s->sk[a]]);
        }
    }
    if (dyn_rc)
        return dyn_rc;
    if (dyn_now)
        s->next_dyn = s->t + s->p.dyn.period_s;

    /* apply, in index order */
    size_t keep = 0, first_new = s->ntimes;
    for (size_t k = 0; k < s->nplay; k++) {
        uint32_t i = s->play[k];
        const struct move *m = &s->mv[k];
        struct ag_xy p = {s->x[i], s->y[i]}, q = {m->x, m->y};
        if (s->state[i] == AG_CROWD_OUT) {
            /* walking away from its exit: gone once EXIT_BEYOND_M beyond
             * it, its position then back on the exit line where it crossed
             * (it walked straight along the normal (hx, hy)) */
            const struct ag__crowd_exit *x = &s->nav->exit[s->exit_out[i]];
            double beyond = fabs(orient(x->a, x->b, q)) / ag_xy_dist(x->a, x->b);
            if (beyond >= EXIT_BEYOND_M) {
                s->x[i] = q.x - beyond * s->hx[i];
                s->y[i] = q.y - beyond * s->hy[i];
                s->v[i] = 0;
                s->nghost--;
                continue;
            }
            s->x[i] = q.x;
            s->y[i] = q.y;
            s->v[i] = m->v;
            s->play[keep++] = i;
            continue;
        }
        double d = sqrt((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y));
        if (s->t + 1e-9 >= s->tpre[i] && s->state[i] == AG_CROWD_WAITING)
            s->state[i] = AG_CROWD_WALKING;
        if (d > 0 && isnan(s->start[i]))
            s->start[i] = s->t;
        if (s->nlines)
            record_crossings(s, i, p, q);
        if (s->per && (q.x >= s->pxlo + s->pL || q.x < s->pxlo)) {
            /* through the seam: the same step seen from the other end */
            double shift = q.x < s->pxlo ? s->pL : -s->pL;
            struct ag_xy p2 = {p.x + shift, p.y};
            q.x += shift;
            if (q.x >= s->pxlo + s->pL || q.x < s->pxlo) /* rounding at the seam */
                q.x = s->pxlo;
            if (s->nlines)
                record_crossings(s, i, p2, q);
        }
        s->x[i] = q.x;
        s->y[i] = q.y;
        s->hx[i] = m->hx;
        s->hy[i] = m->hy;
        s->v[i] = m->v;
        if (m->exit >= 0) {
            s->walked[i] += d * m->frac;
            s->x[i] = p.x + m->frac * (q.x - p.x);
            s->y[i] = p.y + m->frac * (q.y - p.y);
            s->state[i] = AG_CROWD_OUT;
            s->outt[i] = s->t + m->frac * dt;
            s->exit_out[i] = m->exit;
            s->nout[m->exit]++;
            s->times[s->ntimes++] = s->outt[i];
            /* it walks on, away from the exit line, and stays a neighbour
             * of those behind it for EXIT_BEYOND_M: the exit is a line to
             * walk through, not a hole that swallows whoever touches it */
            const struct ag__crowd_exit *x = &s->nav->exit[m->exit];
            double ux = x->b.x - x->a.x, uy = x->b.y - x->a.y, ul = hypot(ux, uy);
            double side = orient(x->a, x->b, p) > 0 ? 1 : -1; /* to the far side */
            s->hx[i] = side * uy / ul;
            s->hy[i] = -side * ux / ul;
            s->nghost++;
            s->play[keep++] = i;
            continue;
        }
        s->walked[i] += d;
        s->play[keep++] = i;
    }
    s->nplay = keep;
    /* keep the curve sorted: the new times in this step are within dt */
    for (size_t a = first_new + 1; a < s->ntimes; a++)
        for (size_t b = a; b > 0 && s->times[b] < s->times[b - 1]; b--) {
            double t = s->times[b];
            s->times[b] = s->times[b - 1];
            s->times[b - 1] = t;
        }
    if (s->dens_on && s->t + 1e-9 >= s->dens_t0 && s->t + 1e-9 < s->dens_t1) {
        for (size_t k = 0; k < s->nplay; k++) {
            uint32_t i = s->play[k];
            if (s->state[i] == AG_CROWD_OUT)
                continue;
            double fx = floor((s->x[i] - s->dens.x0) / s->dens.cell_m);
            double fy = floor((s->y[i] - s->dens.y0) / s->dens.cell_m);
            if (fx >= 0 && fy >= 0 && fx < (double)s->dens.nx && fy < (double)s->dens.ny)
                s->dens.v[(size_t)fy * s->dens.nx + (size_t)fx] += dt;
        }
        s->dens_acc += dt;
    }
    s->steps++;
    s->t = (double)s->steps * dt;
    if (s->traj && s->steps % s->traj_every == 0)
        write_frame(s);
    return 0;
}

int ag_crowd_sim_run(struct ag_crowd_sim *s, double t_max_s)
{
    while (s->nplay > s->nghost) {
        if (s->t + 1e-9 >= t_max_s)
            return AG_ELIMIT;
        int rc = ag_crowd_sim_step(s);
        if (rc)
            return rc;
    }
    return 0;
}

double ag_crowd_sim_time(const struct ag_crowd_sim *s)
{
    return s->t;
}
size_t ag_crowd_sim_agents(const struct ag_crowd_sim *s)
{
    return s->n;
}
size_t ag_crowd_sim_remaining(const struct ag_crowd_sim *s)
{
    return s->nplay - s->nghost;
}

size_t ag_crowd_sim_out(const struct ag_crowd_sim *s, int k)
{
    if (k < 0)
        return s->ntimes;
    return (size_t)k < s->nav->nexit ? s->nout[k] : 0;
}

int ag_crowd_sim_agent(const struct ag_crowd_sim *s, size_t i, struct ag_crowd_agent_info *o)
{
    if (!s || i >= s->n)
        return AG_EINVAL;
    o->id = (uint32_t)(i + 1);
    o->state = (enum ag_crowd_agent_state)s->state[i];
    o->pos = (struct ag_xy){s->x[i], s->y[i]};
    o->heading = (struct ag_xy){s->hx[i], s->hy[i]};
    o->speed_ms = s->v[i];
    o->v0_ms = s->v0[i];
    o->length_m = s->len[i];
    o->premove_s = s->tpre[i];
    o->start_s = s->start[i];
    o->out_s = s->outt[i];
    o->walked_m = s->walked[i];
    o->exit_out = s->exit_out[i];
    o->target = s->route[i] == AG_CROWD_EXIT_CHOICE ? s->target[i] : s->route[i];
    o->group = s->group[i];
    return 0;
}

const double *ag_crowd_sim_exit_times(const struct ag_crowd_sim *s, size_t *n)
{
    *n = s->ntimes;
    return s->times;
}

int ag_crowd_sim_write_curve(const struct ag_crowd_sim *s, FILE *f)
{
    fprintf(f, "time_s,people_out,exit\n");
    /* exit of each time: find agents in exit-time order */
    size_t *order = malloc((s->ntimes + 1) * sizeof *order);
    if (!order)
        return AG_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->state[i] == AG_CROWD_OUT)
            order[m++] = i;
    /* insertion sort by (time, index): stable, and m is the people out */
    for (size_t a = 1; a < m; a++)
        for (size_t b = a; b > 0 && s->outt[order[b]] < s->outt[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (size_t k = 0; k < m; k++)
        fprintf(f, "%.3f,%zu,%d\n", s->outt[order[k]], k + 1, s->exit_out[order[k]] + 1);
    free(order);
    return ferror(f) ? AG_EIO : 0;
}

int ag_crowd_sim_write_crossings(const struct ag_crowd_sim *s, size_t line, FILE *f)
{
    if (line >= s->nlines)
        return AG_EINVAL;
    fprintf(f, "time_s,id,direction\n");
    const struct line *L = &s->lines[line];
    for (size_t k = 0; k < L->n; k++)
        fprintf(f, "%.3f,%u,%d\n", L->c[k].t_s, L->c[k].id, L->c[k].sign);
    return ferror(f) ? AG_EIO : 0;
}

int ag_crowd_grid_write(const struct ag_crowd_grid *g, FILE *f)
{
    fprintf(f, "x_m,y_m,density_pm2\n");
    for (size_t iy = 0; iy < g->ny; iy++)
        for (size_t ix = 0; ix < g->nx; ix++) {
            double v = g->v[iy * g->nx + ix];
            if (v > 0)
                fprintf(f, "%.3f,%.3f,%.4f\n", g->x0 + ((double)ix + 0.5) * g->cell_m,
                        g->y0 + ((double)iy + 0.5) * g->cell_m, v);
        }
    return ferror(f) ? AG_EIO : 0;
}
