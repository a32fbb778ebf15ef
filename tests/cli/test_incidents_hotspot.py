# agora incidents kde | gistar | moran | spaces, and the report's incident
# section, end to end: small incident files written here, imported into a
# fresh database (or into a copy of the demo city Monaco), and every number
# checked against a second computation in Python from the same records:
# kernel sums by brute force over every cell and every point, grid counts
# recounted, Gi* / Moran's I from their textbook formulas in exact rational
# arithmetic, Benjamini-Hochberg by sorting, point-in-polygon and distances
# in the set's plane with the coordinates projected by PROJ's own cs2cs, and
# the Poisson trend by Newton's method (docs/methodology.md §12, §14).
# SPDX-License-Identifier: EUPL-1.2
import csv
import json
import math
import random
import re
import shutil
import statistics
import subprocess
from fractions import Fraction

import pytest

BAD_INPUT = 2  # README, "Exit codes": 2 bad usage or bad input

# Generated points are whole metres from an origin in UTM zone 18N
# (EPSG:32618, metric: the plane is the CRS itself, coordinates kept as
# written), so that cell centres and distances are exact in doubles.
X0, Y0 = 580000, 4510000


# ---------------------------------------------------------------- helpers

def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def import_set(agora, db, path, name, crs="EPSG:32618"):
    args = ["incidents", "import", path, "--db", db, "--set", name, "--time", "date"]
    if crs:
        args += ["--crs", crs]
    res = agora(*args)
    assert res.rc == 0, res
    return res


def run_json(agora, *args):
    res = agora(*args, "--json")
    assert res.rc == 0, res
    return json.loads(res.out)


def close(a, b, rel=1e-9, abs_=0.0):
    return a is not None and b is not None and abs(a - b) <= rel * abs(b) + abs_


def p_normal(z):
    """Two-sided normal p-value of a z-score."""
    return math.erfc(abs(z) / math.sqrt(2))


def bh(p):
    """Benjamini-Hochberg adjusted p-values, by sorting (R's p.adjust "BH")."""
    n = len(p)
    order = sorted(range(n), key=lambda i: p[i])
    q = [0.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, n * p[i] / rank)
        q[i] = running
    return q


def cs2cs(src, dst, pts):
    """pts (a, b) transformed by PROJ's command-line tool from the PROJ string
    src to dst (both in east, north order: longlat strings give lon, lat)."""
    tool = shutil.which("cs2cs")
    if not tool:
        pytest.skip("cs2cs (proj-bin) is not available")
    inp = "".join(f"{a!r} {b!r}\n" for a, b in pts)
    p = subprocess.run([tool, "-f", "%.12f", *src.split(), "+to", *dst.split()], input=inp,
                       capture_output=True, text=True, check=True)
    out = [tuple(map(float, ln.split()[:2])) for ln in p.stdout.splitlines()]
    assert len(out) == len(pts), p.stdout + p.stderr
    return out


LONGLAT = "+proj=longlat +ellps=WGS84 +type=crs"
UTM18 = "+proj=utm +zone=18 +ellps=WGS84 +units=m +type=crs"


def tmerc(plane):
    """The PROJ string of agora's plane "tmerc:LON,LAT" (methodology §1)."""
    m = re.fullmatch(r"tmerc:(-?[\d.]+),(-?[\d.]+)", plane)
    assert m, plane
    return (f"+proj=tmerc +lat_0={m.group(2)} +lon_0={m.group(1)} +k=1 +x_0=0 +y_0=0 "
            f"+ellps=WGS84 +units=m +type=crs")


def assert_usage(res, *needles):
    assert res.rc == BAD_INPUT, res
    assert res.out == "", res
    assert res.err.startswith("agora: "), res
    for n in needles:
        assert n in res.err, res


# ---------------------------------------------------------------- kde

def kde_points():
    """30 incidents over Jan-Jun 2016: half in a cluster around (300, 300),
    the rest spread over 1000 x 800 m, and three outside that rectangle
    (whose kernels still reach into a grid over it)."""
    rng = random.Random(20160101)
    pts = [(300 + rng.randint(-60, 60), 300 + rng.randint(-60, 60)) for _ in range(15)]
    pts += [(rng.randint(0, 1000), rng.randint(0, 800)) for _ in range(12)]
    pts += [(-120, 400), (1080, 820), (500, -150)]
    dates = [f"2016-{1 + i % 6:02d}-{1 + (7 * i) % 28:02d}" for i in range(len(pts))]
    return [(X0 + x, Y0 + y) for x, y in pts], dates


@pytest.fixture(scope="module")
def kde_db(agora, tmp_path_factory):
    d = tmp_path_factory.mktemp("kde")
    pts, dates = kde_points()
    rows = [(x, y, t) for (x, y), t in zip(pts, dates)]
    db = d / "kde.db"
    import_set(agora, db, write_csv(d / "kde.csv", ("X", "Y", "date"), rows), "kde")
    return db, [(float(x), float(y)) for x, y in pts]


KDE_EXTENT = f"{X0},{Y0},{X0 + 1000},{Y0 + 800}"


def centres(grid):
    """Cell centres in the order of the JSON values: row by row from the
    south-west."""
    c = grid["cell_m"]
    return [(grid["x0"] + (ix + 0.5) * c, grid["y0"] + (iy + 0.5) * c)
            for iy in range(grid["ny"]) for ix in range(grid["nx"])]


def quartic_brute(pts, grid, h):
    """Σ_i 3/(π h²) (1 − d²/h²)² over d < h, per km²."""
    h2 = h * h
    out = []
    for cx, cy in centres(grid):
        v = 0.0
        for x, y in pts:
            d2 = (cx - x) ** 2 + (cy - y) ** 2
            if d2 < h2:
                v += 3 / (math.pi * h2) * ((h2 - d2) / h2) ** 2
        out.append(v * 1e6)
    return out


def gauss_brute(pts, grid, s):
    """Σ_i 1/(2π σ²) exp(−d²/2σ²) over every point (untruncated), per km²."""
    out = []
    for cx, cy in centres(grid):
        v = sum(math.exp(-((cx - x) ** 2 + (cy - y) ** 2) / (2 * s * s)) for x, y in pts)
        out.append(v / (2 * math.pi * s * s) * 1e6)
    return out


def gauss_cutoff_abs(n, s):
    """The most a cell can lose to the 7σ cutoff, per km² (methodology §14)."""
    return n * math.exp(-24.5) / (2 * math.pi * s * s) * 1e6


def test_kde_quartic_equals_a_brute_force_sum_over_every_cell(agora, kde_db):
    db, pts = kde_db
    r = run_json(agora, "incidents", "kde", "--db", db, "--kernel", "quartic", "--bandwidth", 250,
                 "--cell", 50, "--extent", KDE_EXTENT)
    assert (r["method"], r["kernel"], r["bandwidth_m"], r["bandwidth_source"]) == (
        "kde", "quartic", 250, "given")
    assert r["n"] == 30 and r["unit"] == "per km2" and r["edge_correction"] is False
    assert r["grid"] == {"x0": X0, "y0": Y0, "cell_m": 50, "nx": 20, "ny": 16}
    expected = quartic_brute(pts, r["grid"], 250.0)
    peak = 3 / (math.pi * 250 ** 2) * 1e6
    assert len(r["values"]) == len(expected)
    for got, want in zip(r["values"], expected):
        assert close(got, want, 1e-9, 1e-15 * peak), (got, want)
    assert r["max"] == max(r["values"])
    mass = sum(r["values"]) * 50 * 50 / 1e6
    assert r["mass"] == pytest.approx(mass, rel=1e-12)
    # cells the kernels do not reach are exactly 0, and there are some
    assert any(v == 0 for v in r["values"]) and all(v >= 0 for v in r["values"])


def test_kde_gaussian_equals_a_brute_force_sum_within_the_cutoff(agora, kde_db):
    db, pts = kde_db
    r = run_json(agora, "incidents", "kde", "--db", db, "--kernel", "gaussian", "--bandwidth",
                 100, "--cell", 50, "--extent", KDE_EXTENT)
    assert (r["kernel"], r["bandwidth_m"]) == ("gaussian", 100)
    assert r["grid"] == {"x0": X0, "y0": Y0, "cell_m": 50, "nx": 20, "ny": 16}
    expected = gauss_brute(pts, r["grid"], 100.0)
    tol = gauss_cutoff_abs(len(pts), 100.0)
    for got, want in zip(r["values"], expected):
        assert close(got, want, 1e-9, tol), (got, want)


def test_kde_csv_and_geojson_carry_the_json_values(agora, kde_db):
    db, _ = kde_db
    args = ("incidents", "kde", "--db", db, "--bandwidth", 250, "--cell", 50, "--extent",
            KDE_EXTENT)
    j = run_json(agora, *args)
    g = j["grid"]
    res = agora(*args, "--csv")
    assert res.rc == 0, res
    rows = list(csv.DictReader(res.out.splitlines()))
    assert list(rows[0].keys()) == ["ix", "iy", "x", "y", "lon", "lat", "per_km2"]
    assert len(rows) == len(j["values"])
    cs = centres(g)
    for k, row in enumerate(rows):
        assert (int(row["ix"]), int(row["iy"])) == (k % g["nx"], k // g["nx"])
        assert (float(row["x"]), float(row["y"])) == cs[k]
        assert float(row["per_km2"]) == j["values"][k]
    # lon/lat of a few centres against PROJ (UTM zone 18N on WGS 84)
    some = [0, len(rows) // 2, len(rows) - 1]
    ll = cs2cs(UTM18, LONGLAT, [cs[k] for k in some])
    for k, (lon, lat) in zip(some, ll):
        assert abs(float(rows[k]["lon"]) - lon) < 2e-9 and abs(float(rows[k]["lat"]) - lat) < 2e-9

    res = agora(*args, "--geojson")
    assert res.rc == 0, res
    fc = json.loads(res.out)
    assert fc["type"] == "FeatureCollection"
    positive = [k for k, v in enumerate(j["values"]) if v > 0]
    assert 0 < len(positive) < len(j["values"])
    feats = fc["features"]
    assert [f["properties"]["iy"] * g["nx"] + f["properties"]["ix"] for f in feats] == positive
    for f in feats:
        k = f["properties"]["iy"] * g["nx"] + f["properties"]["ix"]
        assert f["properties"]["per_km2"] == j["values"][k]
    # the first cell's corners in lon/lat against PROJ
    f = feats[0]
    ix, iy = f["properties"]["ix"], f["properties"]["iy"]
    x0, y0, c = g["x0"] + ix * g["cell_m"], g["y0"] + iy * g["cell_m"], g["cell_m"]
    corners = [(x0, y0), (x0 + c, y0), (x0 + c, y0 + c), (x0, y0 + c), (x0, y0)]
    ring = f["geometry"]["coordinates"][0]
    assert f["geometry"]["type"] == "Polygon" and len(ring) == 5
    for (lon, lat), (elon, elat) in zip(ring, cs2cs(UTM18, LONGLAT, corners)):
        assert abs(lon - elon) < 1e-7 and abs(lat - elat) < 1e-7


def scott_sigma(pts):
    """spatstat bw.scott(isotropic=TRUE): sqrt(sd_x sd_y) n^(-1/6), sample sd."""
    sx = statistics.stdev(x for x, _ in pts)
    sy = statistics.stdev(y for _, y in pts)
    return math.sqrt(sx * sy) * len(pts) ** (-1 / 6)


def silverman_sigma(pts):
    """0.9 min(SD, sqrt(1/ln 2) D_m) n^(-1/5), SD the standard distance (n
    denominator), D_m the median distance to the mean centre."""
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    d = [math.hypot(x - mx, y - my) for x, y in pts]
    sd = math.sqrt(sum(v * v for v in d) / n)
    return 0.9 * min(sd, math.sqrt(1 / math.log(2)) * statistics.median(d)) * n ** -0.2


def default_grid(pts, cell, reach):
    """The default grid: the bounding box widened by the kernel's reach,
    ceil(side / cell) cells, centred on it (incidents_kde.c, inc_grid)."""
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    x0, x1 = min(xs) - reach, max(xs) + reach
    y0, y1 = min(ys) - reach, max(ys) + reach
    nx, ny = math.ceil((x1 - x0) / cell), math.ceil((y1 - y0) / cell)
    return {"x0": (x0 + x1) / 2 - nx * cell / 2, "y0": (y0 + y1) / 2 - ny * cell / 2,
            "cell_m": cell, "nx": nx, "ny": ny}


def assert_grid(got, want):
    assert (got["nx"], got["ny"]) == (want["nx"], want["ny"])
    for k in ("x0", "y0", "cell_m"):
        assert got[k] == pytest.approx(want[k], rel=1e-12), k


def test_kde_default_bandwidth_is_scotts_rule(agora, kde_db):
    """Scott's σ; the quartic gets the radius of the same spread, √8 σ; the
    default cell is a quarter of the radius (quartic) or half of σ."""
    db, pts = kde_db
    sigma = scott_sigma(pts)
    q = run_json(agora, "incidents", "kde", "--db", db)
    h = math.sqrt(8) * sigma
    assert q["kernel"] == "quartic" and q["bandwidth_source"] == "Scott's rule"
    assert q["bandwidth_m"] == pytest.approx(h, rel=1e-12)
    assert_grid(q["grid"], default_grid(pts, h / 4, h))
    for got, want in zip(q["values"], quartic_brute(pts, q["grid"], q["bandwidth_m"])):
        assert close(got, want, 1e-9, 1e-15 * 3e6 / (math.pi * h * h))
    # the grid reaches the whole support of every kernel: it holds all 30
    # incidents (cell h/4: within 0.16 % per point, methodology §14)
    assert q["mass"] == pytest.approx(len(pts), rel=0.01)

    g = run_json(agora, "incidents", "kde", "--db", db, "--kernel", "gaussian",
                 "--bw-rule", "scott")
    assert g["bandwidth_m"] == pytest.approx(sigma, rel=1e-12)
    assert g["bandwidth_source"] == "Scott's rule"
    assert_grid(g["grid"], default_grid(pts, sigma / 2, 4 * sigma))
    # 4σ on every side of the box: at most exp(-8) of a point's mass is off
    assert g["mass"] == pytest.approx(len(pts), rel=0.01)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kde_silverman_rule_is_used_as_is(agora, kde_db, kernel):
    db, pts = kde_db
    r = run_json(agora, "incidents", "kde", "--db", db, "--kernel", kernel, "--bw-rule",
                 "silverman")
    assert r["bandwidth_m"] == pytest.approx(silverman_sigma(pts), rel=1e-12)
    assert r["bandwidth_source"] == "Silverman's robust rule"


@pytest.mark.parametrize("kernel,bw", [("quartic", 250), ("gaussian", 100)])
def test_kde_mass_is_the_number_of_incidents_on_a_wide_grid(agora, kde_db, kernel, bw):
    db, pts = kde_db
    reach = bw if kernel == "quartic" else 7 * bw
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    ext = f"{min(xs) - reach},{min(ys) - reach},{max(xs) + reach},{max(ys) + reach}"
    r = run_json(agora, "incidents", "kde", "--db", db, "--kernel", kernel, "--bandwidth", bw,
                 "--cell", 50, "--extent", ext)
    assert r["mass"] == pytest.approx(sum(r["values"]) * 50 * 50 / 1e6, rel=1e-12)
    assert r["mass"] == pytest.approx(len(pts), rel=0.01)


def test_kde_gaussian_edge_correction_divides_by_the_kernel_share_inside(agora, kde_db):
    """Diggle's uniform correction: the value at u over
    [Φ((x1 − u_x)/σ) − Φ((x0 − u_x)/σ)] · [same in y] (methodology §14)."""
    db, pts = kde_db
    s = 100.0
    args = ("incidents", "kde", "--db", db, "--kernel", "gaussian", "--bandwidth", s, "--cell",
            50, "--extent", KDE_EXTENT)
    raw = run_json(agora, *args)
    edge = run_json(agora, *args, "--edge")
    assert edge["edge_correction"] is True and edge["grid"] == raw["grid"]
    g = raw["grid"]
    x1, y1 = g["x0"] + g["nx"] * g["cell_m"], g["y0"] + g["ny"] * g["cell_m"]

    def share(u, lo, hi):
        r = s * math.sqrt(2)
        return 0.5 * (math.erf((hi - u) / r) + math.erf((u - lo) / r))

    brute = gauss_brute(pts, g, s)
    tol = gauss_cutoff_abs(len(pts), s)
    for k, (cx, cy) in enumerate(centres(g)):
        e = share(cx, g["x0"], x1) * share(cy, g["y0"], y1)
        assert close(edge["values"][k], raw["values"][k] / e, 1e-10), k
        assert close(edge["values"][k], brute[k] / e, 1e-9, tol / e), k
    # the south-west corner cell: a quarter-cell from two sides, about 0.36
    # of the kernel inside
    corner = share(g["x0"] + 25, g["x0"], x1) * share(g["y0"] + 25, g["y0"], y1)
    assert 0.3 < corner < 0.4
    assert edge["values"][0] == pytest.approx(raw["values"][0] / corner, rel=1e-10)
    assert edge["values"][0] > raw["values"][0] > 0


# ---------------------------------------------------------------- gistar / moran on a grid

# 8 x 8 cells of 100 m over [X0, X0 + 800] x [Y0, Y0 + 800]: 1 to 3
# incidents a cell, a 3 x 3 block of 8 to 10 in the north-east (a hot spot)
# and an empty 3 x 3 block in the south-west (a cold spot).
GRID_N, GRID_CELL = 8, 100
GRID_EXTENT = f"{X0},{Y0},{X0 + 800},{Y0 + 800}"


def grid_points():
    rng = random.Random(7)
    pts = []
    for iy in range(GRID_N):
        for ix in range(GRID_N):
            if ix >= 5 and iy >= 5:
                k = rng.randint(8, 10)
            elif ix <= 2 and iy <= 2:
                k = 0
            else:
                k = rng.randint(1, 3)
            for _ in range(k):
                pts.append((X0 + ix * 100 + rng.randint(1, 99), Y0 + iy * 100 + rng.randint(1, 99)))
    # on an inner cell boundary (belongs to the cell east / north of it), on
    # the grid's far edges (the last cell), and outside the grid (no cell)
    pts += [(X0 + 300, Y0 + 450), (X0 + 450, Y0 + 600), (X0 + 800, Y0 + 350),
            (X0 + 350, Y0 + 800), (X0 + 800, Y0 + 800), (X0 + 850, Y0 + 50), (X0 - 1, Y0 + 10)]
    return pts


@pytest.fixture(scope="module")
def grid_db(agora, tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    pts = grid_points()
    rows = [(x, y, f"2016-{1 + i % 12:02d}-15") for i, (x, y) in enumerate(pts)]
    db = d / "grid.db"
    import_set(agora, db, write_csv(d / "grid.csv", ("X", "Y", "date"), rows), "grid")
    return db, pts


def recount(pts, x0, y0, cell, nx, ny):
    """Incidents per cell: [x0 + i c, x0 + (i+1) c), the far edge in the last
    cell, points outside in none (methodology §14, "Units")."""
    counts = [0] * (nx * ny)
    x1, y1 = x0 + nx * cell, y0 + ny * cell
    for x, y in pts:
        fx, fy = math.floor((x - x0) / cell), math.floor((y - y0) / cell)
        fx = nx - 1 if x == x1 else fx
        fy = ny - 1 if y == y1 else fy
        if 0 <= fx < nx and 0 <= fy < ny:
            counts[fy * nx + fx] += 1
    return counts


def lattice_neighbours(nx, ny, kind, band=None, cell=None):
    """Neighbour sets (self excluded) of the cells of an nx x ny lattice."""
    nb = []
    for i in range(nx * ny):
        ix, iy = i % nx, i // nx
        s = set()
        for j in range(nx * ny):
            jx, jy = j % nx, j // nx
            if j == i:
                continue
            dx, dy = abs(ix - jx), abs(iy - jy)
            if kind == "queen" and max(dx, dy) == 1:
                s.add(j)
            elif kind == "rook" and dx + dy == 1:
                s.add(j)
            elif kind == "band" and math.hypot(dx * cell, dy * cell) <= band:
                s.add(j)
        nb.append(s)
    return nb


def getis_ord(x, nbrs, star):
    """Ord & Getis (1995) z-scores with binary weights, in exact arithmetic up
    to the square root: z_i = (Σ_j w_ij x_j − X̄ W_i) / (S sqrt((n' Σ w² − W²)
    / (n' − 1))), over j including i and all n values (Gi*) or over j ≠ i
    and the n − 1 others (Gi). None where undefined."""
    n = len(x)
    out = []
    for i in range(n):
        if star:
            js = nbrs[i] | {i}
            vals = x
        else:
            js = nbrs[i] - {i}
            vals = x[:i] + x[i + 1:]
        nn = len(vals)
        mean = Fraction(sum(vals), nn)
        s2 = Fraction(sum(v * v for v in vals), nn) - mean * mean
        W = len(js)  # binary: Σ w = Σ w² = W
        spread = Fraction(nn * W - W * W, nn - 1)
        if W == 0 or s2 <= 0 or spread <= 0:
            out.append(None)
            continue
        num = sum(x[j] for j in js) - mean * W
        out.append(float(num) / (math.sqrt(s2) * math.sqrt(spread)))
    return out


def check_gistar_results(r, counts, z, fdr=0.05, perm=False):
    """Counts, z, normal p, BH q and classes of a gistar JSON result against
    the oracle's counts and z-scores."""
    res = r["results"]
    assert len(res) == len(z)
    assert [u["count"] for u in res] == counts
    pn = []
    for u, zi in zip(res, z):
        if zi is None:
            assert u["z"] is None and u["p_normal"] == 1
            pn.append(1.0)
        else:
            assert close(u["z"], zi, 1e-9, 1e-12), (u, zi)
            assert close(u["p_normal"], p_normal(zi), 1e-9, 1e-15), u
            pn.append(p_normal(zi))
    p = [u["p_perm"] for u in res] if perm else pn
    q = bh(p)
    hot = cold = 0
    for u, qi, zi in zip(res, q, z):
        assert close(u["q"], qi, 1e-9, 1e-15), (u, qi)
        cls = "hot" if qi <= fdr and zi is not None and zi > 0 else \
            "cold" if qi <= fdr and zi is not None and zi < 0 else ""
        # a q within rounding of the rate could fall either way
        if abs(qi - fdr) > 1e-9:
            assert u["class"] == cls, (u, qi)
        hot += u["class"] == "hot"
        cold += u["class"] == "cold"
    assert (r["hot"], r["cold"]) == (hot, cold)
    return hot, cold


@pytest.mark.parametrize("opts,kind,star", [
    ((), "queen", True),
    (("--gi",), "queen", False),
    (("--band", 200), "band", True),        # 200 m apart exactly: inclusive
    (("--contiguity", "rook", "--gi"), "rook", False),
])
def test_gistar_on_a_grid_equals_ord_getis(agora, grid_db, opts, kind, star):
    db, pts = grid_db
    r = run_json(agora, "incidents", "gistar", "--db", db, "--cell", GRID_CELL, "--extent",
                 GRID_EXTENT, "--perm", 0, *opts)
    assert r["method"] == ("gistar" if star else "gi") and r["units"] == "grid"
    assert r["grid"] == {"x0": X0, "y0": Y0, "cell_m": GRID_CELL, "nx": GRID_N, "ny": GRID_N}
    assert r["n"] == len(pts) and r["nperm"] == 0
    counts = recount(pts, X0, Y0, GRID_CELL, GRID_N, GRID_N)
    assert sum(counts) == len(pts) - 2  # the two outside the grid
    nbrs = lattice_neighbours(GRID_N, GRID_N, kind, band=200, cell=GRID_CELL)
    if kind == "band":
        assert 2 in nbrs[0] and 9 in nbrs[0] and 18 not in nbrs[0]
    z = getis_ord(counts, nbrs, star)
    for k, u in enumerate(r["results"]):
        assert (u["ix"], u["iy"]) == (k % GRID_N, k // GRID_N)
        assert (u["x"], u["y"]) == (X0 + (u["ix"] + 0.5) * GRID_CELL,
                                    Y0 + (u["iy"] + 0.5) * GRID_CELL)
        assert u["p_perm"] is None
    hot, cold = check_gistar_results(r, counts, z)
    if (kind, star) == ("queen", True):
        # the planted blocks come out as hot and cold spots
        assert hot >= 1 and cold >= 1
        assert r["results"][6 * GRID_N + 6]["class"] == "hot"
        assert r["results"][1 * GRID_N + 1]["class"] == "cold"


def test_grid_counts_only_the_incidents_on_the_grid(agora, grid_db):
    """An --extent over the south-west quarter: the incidents on its north
    and east edges are in the last cells, those past them in none (as past
    the south and west edges): [x0, x1] x [y0, y1] closed, nothing else."""
    db, pts = grid_db
    r = run_json(agora, "incidents", "gistar", "--db", db, "--cell", GRID_CELL, "--extent",
                 f"{X0},{Y0},{X0 + 400},{Y0 + 400}", "--perm", 0)
    assert (r["grid"]["nx"], r["grid"]["ny"]) == (4, 4)
    counts = [u["count"] for u in r["results"]]
    assert counts == recount(pts, X0, Y0, GRID_CELL, 4, 4)
    on_grid = [p for p in pts if X0 <= p[0] <= X0 + 400 and Y0 <= p[1] <= Y0 + 400]
    assert sum(counts) == len(on_grid) < len(pts)
    # the incidents 0-100 m east of the grid are not in its last column
    assert any(X0 + 400 < x < X0 + 500 and Y0 <= y <= Y0 + 400 for x, y in pts)


def test_gistar_csv_and_geojson_carry_the_json_results(agora, grid_db):
    db, _ = grid_db
    args = ("incidents", "gistar", "--db", db, "--cell", GRID_CELL, "--extent", GRID_EXTENT,
            "--perm", 0)
    j = run_json(agora, *args)["results"]
    res = agora(*args, "--csv")
    assert res.rc == 0, res
    rows = list(csv.DictReader(res.out.splitlines()))
    assert list(rows[0]) == ["ix", "iy", "x", "y", "count", "z", "p_normal", "p_perm", "q",
                             "class"]
    assert len(rows) == len(j)
    for row, u in zip(rows, j):
        assert (int(row["ix"]), int(row["iy"]), float(row["x"]), float(row["y"])) == (
            u["ix"], u["iy"], u["x"], u["y"])
        assert float(row["count"]) == u["count"] and float(row["z"]) == u["z"]
        assert float(row["q"]) == u["q"] and row["p_perm"] == "" and row["class"] == u["class"]
    res = agora(*args, "--geojson")
    assert res.rc == 0, res
    feats = json.loads(res.out)["features"]
    assert [f["properties"] for f in feats] == j
    assert all(f["geometry"]["type"] == "Polygon" for f in feats)


def test_gistar_fdr_option_moves_the_class_threshold(agora, grid_db):
    db, pts = grid_db
    counts = recount(pts, X0, Y0, GRID_CELL, GRID_N, GRID_N)
    z = getis_ord(counts, lattice_neighbours(GRID_N, GRID_N, "queen"), True)
    r = run_json(agora, "incidents", "gistar", "--db", db, "--cell", GRID_CELL, "--extent",
                 GRID_EXTENT, "--perm", 0, "--fdr", 0.0001)
    assert r["fdr"] == 0.0001
    strict = check_gistar_results(r, counts, z, fdr=0.0001)
    loose = check_gistar_results(run_json(agora, "incidents", "gistar", "--db", db, "--cell",
                                          GRID_CELL, "--extent", GRID_EXTENT, "--perm", 0),
                                 counts, z)
    assert sum(strict) < sum(loose)


def test_gistar_permutations_are_reproducible_and_on_the_1_over_n_plus_1_lattice(agora, grid_db):
    db, pts = grid_db
    args = ("incidents", "gistar", "--db", db, "--cell", GRID_CELL, "--extent", GRID_EXTENT,
            "--perm", 99, "--seed", 7, "--json")
    a, b = agora(*args), agora(*args)
    assert a.rc == 0 and b.rc == 0, a
    assert a.out == b.out
    r = json.loads(a.out)
    assert (r["nperm"], r["seed"]) == (99, 7)
    counts = recount(pts, X0, Y0, GRID_CELL, GRID_N, GRID_N)
    z = getis_ord(counts, lattice_neighbours(GRID_N, GRID_N, "queen"), True)
    for u in r["results"]:
        k = u["p_perm"] * 100
        # (min(m, 99 − m) + 1) / 100: 1/100 to 50/100
        assert abs(k - round(k)) < 1e-9 and 1 <= round(k) <= 50, u
    # q-values are Benjamini-Hochberg of the permutation p-values
    check_gistar_results(r, counts, z, perm=True)
    # the hot block's centre is more extreme than every one of 99 shuffles
    assert r["results"][6 * GRID_N + 6]["p_perm"] == pytest.approx(0.01)
    other = agora(*args[:-3], "--seed", 8, "--json")
    assert other.rc == 0 and other.out != a.out


def dense_weights(nbrs, row):
    n = len(nbrs)
    w = [[Fraction(0)] * n for _ in range(n)]
    for i, s in enumerate(nbrs):
        for j in s:
            w[i][j] = Fraction(1, len(s)) if row else Fraction(1)
    return w


def moran_global(x, w):
    """Moran's I with its moments under normality and randomisation (Cliff &
    Ord 1981), exact up to the square roots."""
    n = len(x)
    mean = Fraction(sum(x), n)
    z = [xi - mean for xi in x]
    m2 = sum(v * v for v in z)
    m4 = sum(v ** 4 for v in z)
    s0 = sum(sum(r) for r in w)
    s1 = sum((w[i][j] + w[j][i]) ** 2 for i in range(n) for j in range(n)) / 2
    s2 = sum((sum(w[i]) + sum(w[j][i] for j in range(n))) ** 2 for i in range(n))
    cross = sum(w[i][j] * z[i] * z[j] for i in range(n) for j in range(n) if w[i][j])
    I = n / s0 * cross / m2
    EI = Fraction(-1, n - 1)
    var_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - EI * EI
    b2 = n * m4 / (m2 * m2)
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    var_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - EI * EI
    return {"I": float(I), "EI": float(EI), "var_norm": float(var_norm),
            "var_rand": float(var_rand),
            "z_norm": float(I - EI) / math.sqrt(var_norm),
            "z_rand": float(I - EI) / math.sqrt(var_rand)}


@pytest.mark.parametrize("binary", [False, True])
def test_moran_global_equals_cliff_and_ord(agora, grid_db, binary):
    db, pts = grid_db
    r = run_json(agora, "incidents", "moran", "--db", db, "--cell", GRID_CELL, "--extent",
                 GRID_EXTENT, *(["--binary"] if binary else []))
    assert r["style"] == ("binary" if binary else "row-standardised")
    assert r["unit_count"] == GRID_N * GRID_N and r["units"] == "grid"
    counts = recount(pts, X0, Y0, GRID_CELL, GRID_N, GRID_N)
    want = moran_global(counts, dense_weights(lattice_neighbours(GRID_N, GRID_N, "queen"),
                                              row=not binary))
    g = r["global"]
    for k, v in want.items():
        assert close(g[k], v, 1e-9, 1e-14), (k, g[k], v)
    assert close(g["p_norm"], p_normal(want["z_norm"]), 1e-9, 1e-15)
    assert close(g["p_rand"], p_normal(want["z_rand"]), 1e-9, 1e-15)
    # the planted blocks make the counts clustered
    assert g["I"] > 0.3 and g["p_rand"] < 1e-6


def test_moran_local_equals_anselin(agora, grid_db):
    db, pts = grid_db
    r = run_json(agora, "incidents", "moran", "--db", db, "--cell", GRID_CELL, "--extent",
                 GRID_EXTENT, "--local", "--perm", 0)
    assert r["method"] == "moran_local" and r["nperm"] == 0
    x = recount(pts, X0, Y0, GRID_CELL, GRID_N, GRID_N)
    n = len(x)
    w = dense_weights(lattice_neighbours(GRID_N, GRID_N, "queen"), row=True)
    mean = Fraction(sum(x), n)
    z = [xi - mean for xi in x]
    m2 = sum(v * v for v in z) / n
    m4 = sum(v ** 4 for v in z) / n
    b2 = m4 / (m2 * m2)
    lags = [sum(w[i][j] * x[j] for j in range(n)) for i in range(n)]
    lag_mean = sum(lags) / n
    local = r["local"]
    assert len(local) == n
    zs, ps = [], []
    for i, u in enumerate(local):
        wi = sum(w[i])
        wi2 = sum(v * v for v in w[i])
        I = z[i] / m2 * sum(w[i][j] * z[j] for j in range(n))
        EI = -wi / (n - 1)
        VI = (wi2 * (n - b2) / (n - 1) + (wi * wi - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
              - EI * EI)
        zi = float(I - EI) / math.sqrt(VI)
        assert u["count"] == x[i]
        assert close(u["I"], float(I), 1e-9, 1e-14), (i, u)
        assert close(u["EI"], float(EI), 1e-12), (i, u)
        assert close(u["VI"], float(VI), 1e-9), (i, u)
        assert close(u["z"], zi, 1e-9, 1e-12), (i, u)
        assert close(u["p"], p_normal(zi), 1e-9, 1e-15), (i, u)
        quad = ("H" if x[i] > mean else "L") + ("H" if lags[i] > lag_mean else "L")
        assert u["quadrant"] == quad, (i, u)
        zs.append(zi)
        ps.append(p_normal(zi))
    q = bh(ps)
    for u, qi in zip(local, q):
        assert close(u["q"], qi, 1e-9, 1e-15)
        if abs(qi - 0.05) > 1e-9:
            assert u["significant"] == (qi <= 0.05)
    # Σ_i I_i = S0 · I (row-standardised: S0 = n)
    assert sum(u["I"] for u in local) == pytest.approx(n * r["global"]["I"], rel=1e-9)
    assert any(u["quadrant"] == "HH" and u["significant"] for u in local)


# ---------------------------------------------------------------- public spaces (Monaco)

# Three spaces of the demo city, incidents placed around their edges. The
# first gets enough incidents inside for a trend, the others fewer than 10.
SPACES = {63: 14, 94: 3, 5: 2}  # space id: random incidents inside (besides the edge ones)
EDGES = {63: 4, 94: 2, 5: 3}    # edges that get a row of incidents across them
OUTWARD = (3, 20, 45, 56, 85)   # metres outward from an edge's midpoint
INWARD = 3                      # ... and inward
AROUND = 50


def ring_contains(ring, p):
    """Even-odd rule (crossing number) for a closed ring of (x, y)."""
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                inside = not inside
    return inside


def seg_dist(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    L2 = dx * dx + dy * dy
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def polys_of(geometry):
    """A GeoJSON Polygon or MultiPolygon as a list of polygons (lists of rings)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon"
    return geometry["coordinates"]


def space_distance(polys, p):
    """(inside, distance to the outline): inside an outer ring and in none of
    its holes; the distance is the nearest edge of any ring."""
    inside = any(ring_contains(pg[0], p) and not any(ring_contains(h, p) for h in pg[1:])
                 for pg in polys)
    d = min(seg_dist(p, a, b) for pg in polys for ring in pg for a, b in zip(ring, ring[1:]))
    return inside, d


def local_metres(lon0, lat0):
    """A rough lon/lat <-> metres conversion near (lon0, lat0), only to place
    the generated points (the oracle projects them with PROJ)."""
    kx = 111320.0 * math.cos(math.radians(lat0))
    ky = 110950.0
    fwd = lambda lon, lat: ((lon - lon0) * kx, (lat - lat0) * ky)  # noqa: E731
    inv = lambda x, y: (lon0 + x / kx, lat0 + y / ky)  # noqa: E731
    return fwd, inv


def monaco_points(agora, db):
    """Incidents (lon, lat, date) in and around SPACES, with their outlines as
    `agora spaces show ID --geojson` gives them."""
    rng = random.Random(43)
    outlines = {}
    pts = []
    for sid, n_inside in SPACES.items():
        res = agora("spaces", "show", sid, "--geojson", "--db", db)
        assert res.rc == 0, res
        feat = json.loads(res.out)
        outlines[sid] = feat["geometry"]
        ring = polys_of(feat["geometry"])[0][0]
        lon0, lat0 = feat["properties"]["centroid"]
        fwd, inv = local_metres(lon0, lat0)
        loc = [fwd(*v) for v in ring]
        xs, ys = [x for x, _ in loc], [y for _, y in loc]
        k = 0
        while k < n_inside:
            p = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
            if ring_contains(loc, p) and min(seg_dist(p, a, b) for a, b in zip(loc, loc[1:])) > 3:
                pts.append(inv(*p))
                k += 1
        edges = sorted(range(len(loc) - 1), key=lambda e: -math.dist(loc[e], loc[e + 1]))
        for e in sorted(edges[:EDGES[sid]]):
            (ax, ay), (bx, by) = loc[e], loc[e + 1]
            L = math.dist(loc[e], loc[e + 1])
            mx, my = (ax + bx) / 2, (ay + by) / 2
            nx, ny = -(by - ay) / L, (bx - ax) / L
            if ring_contains(loc, (mx + nx, my + ny)):
                nx, ny = -nx, -ny  # make it point outward
            for d in OUTWARD:
                pts.append(inv(mx + nx * d, my + ny * d))
            pts.append(inv(mx - nx * INWARD, my - ny * INWARD))
    # dates over eight months, more of them later in the year
    months = [m for m in range(1, 9) for _ in range(m)]
    dated = []
    for lon, lat in pts:
        m, day = rng.choice(months), rng.randint(1, 28)
        when = f"2016-{m:02d}-{day:02d}" + (f" {rng.randint(0, 23):02d}:30" if day % 2 else "")
        dated.append((f"{lon:.9f}", f"{lat:.9f}", when))
    return dated, outlines


@pytest.fixture(scope="module")
def monaco_incidents(agora, monaco_import, db_copy, tmp_path_factory):
    """A copy of the demo city's database with the generated incidents as set
    "monaco" (lon/lat: agora puts them on a local tmerc plane). Tests only
    read it."""
    d = tmp_path_factory.mktemp("monaco-incidents")
    db = db_copy(monaco_import.db, d / "monaco.db")
    rows, outlines = monaco_points(agora, db)
    import_set(agora, db, write_csv(d / "monaco.csv", ("lon", "lat", "date"), rows), "monaco",
               crs=None)
    sets = run_json(agora, "incidents", "list", "--db", db)
    assert [s["name"] for s in sets] == ["monaco"] and sets[0]["crs"] == "EPSG:4326"
    plane = sets[0]["plane"]
    spaces = run_json(agora, "spaces", "list", "--db", db)
    geo = agora("incidents", "spaces", "--db", db, "--geojson")
    assert geo.rc == 0, geo
    geometry = {f["properties"]["space_id"]: f["geometry"] for f in json.loads(geo.out)["features"]}
    assert sorted(geometry) == sorted(s["id"] for s in spaces)
    for sid, g in outlines.items():  # what `spaces show` gives is what is counted against
        assert geometry[sid] == g

    # Everything into the set's plane by PROJ: incidents, outlines, centroids.
    lonlat = [(float(lon), float(lat)) for lon, lat, _ in rows]
    verts = [v for g in geometry.values() for pg in polys_of(g) for ring in pg for v in ring]
    cents = [tuple(s["centroid"]) for s in spaces]
    xy = cs2cs(LONGLAT, tmerc(plane), lonlat + verts + cents)
    pts_xy, rest = xy[:len(lonlat)], xy[len(lonlat):]
    polys, k = {}, 0
    for sid, g in geometry.items():
        polys[sid] = []
        for pg in polys_of(g):
            rings = []
            for ring in pg:
                rings.append(rest[k:k + len(ring)])
                k += len(ring)
            polys[sid].append(rings)
    centroid_xy = dict(zip((s["id"] for s in spaces), rest[k:]))
    return dict(db=db, rows=rows, plane=plane, spaces={s["id"]: s for s in spaces},
                polys=polys, pts_xy=pts_xy, centroid_xy=centroid_xy, outlines=outlines)


def month_index(when):
    return int(when[:4]) * 12 + int(when[5:7]) - 1


def spaces_oracle(m, around=AROUND):
    """Per space: (inside, around) counts and the indices of the incidents
    inside, from point-in-polygon and point-to-segment distances in the plane.
    Refuses to judge points within 1 cm of an outline or of the margin, where
    the two projections' last digits could decide."""
    out = {}
    for sid, polys in m["polys"].items():
        inside_idx, n_around = [], 0
        for k, p in enumerate(m["pts_xy"]):
            inside, d = space_distance(polys, p)
            assert d > 0.01 and abs(d - around) > 0.01, (sid, k, d)
            if inside:
                inside_idx.append(k)
            if inside or d <= around:
                n_around += 1
        out[sid] = (inside_idx, n_around)
    return out


def poisson_trend(y):
    """Log-linear Poisson fit of counts y_t, t = 0..n-1: Newton's method on the
    profile log-likelihood Y (b d − ln Σ e^{bt}), whose root solves
    d = E_b[t]; returns b and se(b) = 1 / sqrt(Y V_b[t])."""
    n, Y = len(y), sum(y)
    d = sum(t * v for t, v in enumerate(y)) / Y

    def moments(b):
        top = max(b * t for t in range(n))
        w = [math.exp(b * t - top) for t in range(n)]
        s = sum(w)
        e = sum(t * v for t, v in enumerate(w)) / s
        return e, sum((t - e) ** 2 * v for t, v in enumerate(w)) / s

    b = 0.0
    for _ in range(100):
        e, v = moments(b)
        step = (d - e) / v
        b += step
        if abs(step) <= 1e-15 * max(1.0, abs(b)):
            break
    else:
        raise AssertionError("Newton did not converge")
    _, v = moments(b)
    return b, 1 / math.sqrt(Y * v)


def test_spaces_inside_and_around_equal_point_in_polygon(agora, monaco_incidents):
    m = monaco_incidents
    r = run_json(agora, "incidents", "spaces", "--db", m["db"], "--around", AROUND)
    assert (r["method"], r["city"], r["around_m"], r["n"]) == ("spaces", "Monaco", AROUND,
                                                               len(m["rows"]))
    assert r["plane"] == m["plane"] and r["plane"].startswith("tmerc:")
    months = [month_index(w) for _, _, w in m["rows"]]
    nmonths = max(months) - min(months) + 1
    assert r["months"] == nmonths == 8
    oracle = spaces_oracle(m)
    got = {s["space_id"]: s for s in r["spaces"]}
    assert sorted(got) == sorted(m["spaces"])  # every space, in or out
    for sid, (inside_idx, n_around) in oracle.items():
        s = got[sid]
        assert (s["within"], s["around"]) == (len(inside_idx), n_around), (sid, s)
        listed = m["spaces"][sid]
        assert s["name"] == listed["name"] and s["kind"] == listed["kind"]
        assert s["area_m2"] == pytest.approx(listed["area_m2"], abs=0.0051)
        assert s["per_ha"] == pytest.approx(len(inside_idx) / (s["area_m2"] / 1e4), rel=1e-12)
        assert s["per_year"] == pytest.approx(len(inside_idx) / (nmonths / 12), rel=1e-12)
    # the data exercise what they should: incidents inside, in the margin, beyond
    for sid in SPACES:
        inside, n_around = len(oracle[sid][0]), oracle[sid][1]
        assert inside >= SPACES[sid] and n_around > inside, (sid, inside, n_around)
    assert sum(1 for k in range(len(m["rows"]))
               if not any(k in o[0] for o in oracle.values())) > 0
    # listed from the most incidents inside (then around) to the fewest
    keys = [(s["within"], s["around"]) for s in r["spaces"]]
    assert keys == sorted(keys, reverse=True)

    # a wider margin only adds
    wide = run_json(agora, "incidents", "spaces", "--db", m["db"], "--around", 100)
    for s in wide["spaces"]:
        assert s["within"] == got[s["space_id"]]["within"]
        assert s["around"] >= got[s["space_id"]]["around"]


def test_spaces_trend_is_the_poisson_fit_of_the_monthly_counts(agora, monaco_incidents):
    m = monaco_incidents
    r = run_json(agora, "incidents", "spaces", "--db", m["db"], "--around", AROUND)
    oracle = spaces_oracle(m)
    m0 = min(month_index(w) for _, _, w in m["rows"])
    with_trend = 0
    for s in r["spaces"]:
        inside_idx = oracle[s["space_id"]][0]
        if len(inside_idx) < 10:
            assert s["trend"] is None, s
            assert "too few incidents" in s["trend_note"] and "10" in s["trend_note"], s
            continue
        series = [0] * r["months"]
        for k in inside_idx:
            series[month_index(m["rows"][k][2]) - m0] += 1
        b, se = poisson_trend(series)
        t = s["trend"]
        assert t is not None, s
        assert t["per_year"] == pytest.approx(math.exp(12 * b) - 1, rel=1e-8, abs=1e-8)
        assert t["rate_ratio_month"] == pytest.approx(math.exp(b), rel=1e-10)
        assert t["z"] == pytest.approx(b / se, rel=1e-8)
        assert t["p"] == pytest.approx(p_normal(b / se), rel=1e-7, abs=1e-15)
        with_trend += 1
    assert with_trend >= 1  # space 63
    assert next(s for s in r["spaces"] if s["space_id"] == 63)["trend"] is not None
    assert next(s for s in r["spaces"] if s["space_id"] == 94)["trend"] is None


def test_gistar_on_public_spaces_uses_their_counts_and_centroid_bands(agora, monaco_incidents):
    m = monaco_incidents
    band = 300
    r = run_json(agora, "incidents", "gistar", "--db", m["db"], "--units", "spaces", "--band",
                 band, "--perm", 0)
    assert r["units"] == "spaces" and "300" in r["weights"] and "centroids" in r["weights"]
    ids = [u["space_id"] for u in r["results"]]
    assert sorted(ids) == sorted(m["spaces"])
    # the counts are those of `incidents spaces` (inside)
    sp = run_json(agora, "incidents", "spaces", "--db", m["db"])
    within = {s["space_id"]: s["within"] for s in sp["spaces"]}
    counts = [within[i] for i in ids]
    assert sum(counts) > 0
    # distance-band weights between the centroids projected by PROJ; no pair
    # within 5 cm of the band, where the listed centroids' 7 decimals (1 cm)
    # could decide
    c = [m["centroid_xy"][i] for i in ids]
    nbrs = []
    for i in range(len(c)):
        s = set()
        for j in range(len(c)):
            d = math.dist(c[i], c[j])
            assert j == i or abs(d - band) > 0.05, (ids[i], ids[j], d)
            if j != i and d <= band:
                s.add(j)
        nbrs.append(s)
    z = getis_ord(counts, nbrs, True)
    for u, zi in zip(r["results"], z):
        assert u["count"] == within[u["space_id"]]
        assert close(u["z"], zi, 1e-6, 1e-9), (u, zi)
    check_gistar_results(r, counts, z)


def test_gistar_on_public_spaces_needs_band_or_gal(agora, monaco_incidents):
    m = monaco_incidents
    res = agora("incidents", "gistar", "--db", m["db"], "--units", "spaces", "--perm", 0)
    assert_usage(res, "public spaces need --band M", "--gal FILE")
    res = agora("incidents", "moran", "--db", m["db"], "--units", "spaces",
                "--contiguity", "queen")
    assert_usage(res, "--contiguity is for grids")


# ---------------------------------------------------------------- report

REPORT_ROW = re.compile(
    r'<tr><td>(.*?) <span class="none">\(id (\d+)\)</span></td><td>(.*?)</td>'
    r'<td class="n">([\d,]+)</td><td class="n">([\d,]+)</td><td class="n">([\d.,]+)</td></tr>')


def test_report_incident_section_matches_the_spaces_command(agora, monaco_incidents, tmp_path):
    m = monaco_incidents
    out = tmp_path / "report"
    res = agora("report", "--out", out, "--db", m["db"])
    assert res.rc == 0, res
    html = (out / "index.html").read_text()
    assert '<h2 id="incidents">Incidents</h2>' in html
    section = html[html.index('id="incidents"'):]
    assert "<h3>monaco</h3>" in section
    assert f'<p class="k">{len(m["rows"])} incidents from ' in section
    dates = sorted(w[:10] for _, _, w in m["rows"])
    assert f"{dates[0]} to {dates[-1]}" in section
    table = section[section.index("Public spaces with the most incidents"):]
    table = table[:table.index("</table>")]
    assert "Within 50 m" in table
    rows = REPORT_ROW.findall(table)
    sp = run_json(agora, "incidents", "spaces", "--db", m["db"], "--around", 50)
    top = [s for s in sp["spaces"] if s["within"] or s["around"]][:10]
    assert len(rows) == len(top) >= 3
    for (name, sid, kind, within, around, per_ha), s in zip(rows, top):
        assert int(sid) == s["space_id"], (rows, top)
        assert (int(within), int(around)) == (s["within"], s["around"])
        assert per_ha == f"{s['per_ha']:.2f}"
        assert kind == s["kind"]
    assert int(rows[0][3]) >= SPACES[63]


def test_report_without_incident_sets_has_no_incident_section(agora, monaco_db, tmp_path):
    out = tmp_path / "report"
    res = agora("report", "--out", out, "--db", monaco_db)
    assert res.rc == 0, res
    html = (out / "index.html").read_text()
    assert 'id="incidents"' not in html and "Public spaces with the most incidents" not in html


# ---------------------------------------------------------------- usage errors

@pytest.mark.parametrize("args,message", [
    (("kde", "--kernel", "foo"), '--kernel: expected quartic or gaussian, not "foo"'),
    (("kde", "--bandwidth", 0), '--bandwidth: expected a number greater than 0, not "0"'),
    (("kde", "--bandwidth", -5), "--bandwidth"),
    (("kde", "--bandwidth", 100, "--bw-rule", "scott"), "give --bandwidth or --bw-rule, not both"),
    (("kde", "--bw-rule", "median"), '--bw-rule: expected scott or silverman, not "median"'),
    (("kde", "--cell", -1), '--cell: expected a number greater than 0, not "-1"'),
    (("kde", "--extent", "1,2,3"), "--extent: expected XMIN,YMIN,XMAX,YMAX"),
    (("kde", "--extent", f"{X0 + 10},{Y0},{X0},{Y0 + 10}"), "XMIN < XMAX"),
    (("kde", "--json", "--csv"), "choose one of --json, --geojson and --csv"),
    (("gistar", "--contiguity", "queen", "--band", 100),
     "give one of --band, --contiguity and --gal"),
    (("gistar", "--contiguity", "bishop"), '--contiguity: expected queen or rook, not "bishop"'),
    (("gistar", "--band", 0), "--band: expected metres > 0"),
    (("gistar", "--fdr", 1.5), "--fdr: expected a rate between 0 and 1"),
    (("gistar", "--fdr", 0), "--fdr"),
    (("gistar", "--units", "nowhere"), '--units: expected grid or spaces, not "nowhere"'),
    (("gistar", "--perm", 1000001), "--perm"),
    (("gistar", "--units", "spaces", "--cell", 100), "--cell and --extent are for grids"),
    (("gistar", "--city", "Monaco"), "--city goes with --units spaces"),
    (("moran", "--geojson"), "--geojson needs --local"),
    (("moran", "--fdr", 1), "--fdr: expected a rate between 0 and 1"),
    (("spaces", "--around", -1), "--around"),
])
def test_usage_errors_exit_2_with_a_message(agora, grid_db, args, message):
    db, _ = grid_db
    res = agora("incidents", *args, "--db", db)
    assert_usage(res, message)


@pytest.mark.parametrize("cmd", [("kde",), ("gistar",), ("moran",), ("spaces",)])
def test_a_set_that_does_not_exist_is_bad_input(agora, grid_db, cmd):
    """AG_ENOTFOUND is bad input (tool_exit_code; README "Exit codes": an
    unknown space or city, and so an unknown set): exit 2, the set named."""
    db, _ = grid_db
    res = agora("incidents", *cmd, "--db", db, "--set", "nope")
    assert_usage(res, 'no incident set named "nope"')


def test_spaces_of_a_database_without_a_city_is_refused(agora, grid_db):
    db, _ = grid_db
    res = agora("incidents", "spaces", "--db", db)
    assert_usage(res, "no city")


@pytest.mark.parametrize("cmd", ["kde", "gistar", "moran", "spaces"])
def test_help_is_printed_with_exit_0(agora, cmd):
    res = agora("incidents", cmd, "--help")
    assert res.rc == 0 and "Usage: agora incidents " + cmd in res.out, res
