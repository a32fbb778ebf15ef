# agora incidents knox | profile | nni end to end: small incident files
# written here (and two reference data sets of tests/data/incidents),
# imported into a fresh database, every number checked against a second
# computation in Python from the same records: pairs counted one by one,
# Counter over datetime fields, nearest neighbours by brute force, and the
# published Near Repeat Calculator and pointpats values (docs/methodology.md
# §12).
# SPDX-License-Identifier: EUPL-1.2
import csv
import datetime as dt
import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "incidents"

BAD_INPUT = 2  # README, "Exit codes": 2 bad usage or bad input
EPOCH = dt.datetime(1970, 1, 1)
# Origin x, y of the generated points: somewhere in UTM zone 18N (New York).
# The generated coordinates are whole metres, so that distances such as
# 3-4-5 triangles are exact in double precision on both sides.
X0, Y0 = 580000, 4510000


# ---------------------------------------------------------------- helpers

def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def import_set(agora, db, path, name, crs="EPSG:32618", time=True):
    args = ["incidents", "import", path, "--db", db, "--set", name, "--crs", crs]
    if time:
        args += ["--time", "date"]
    res = agora(*args)
    assert res.rc == 0, res
    return res


def run_json(agora, *args):
    res = agora(*args, "--json")
    assert res.rc == 0, res
    return json.loads(res.out)


def days(when):
    """Local civil days since 1970 as agora computes them: seconds / 86400."""
    return int((when - EPOCH).total_seconds()) / 86400.0


def parse_when(text):
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d"), False
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M"), True


def euclid(a, b):
    dx, dy = a[0] - b[0], a[1] - b[1]
    return math.sqrt(dx * dx + dy * dy)


def manhattan(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def poisson_sf(k, lam):
    """P(X > k) for X ~ Poisson(lam), by summing the terms."""
    term, cdf = math.exp(-lam), 0.0
    for j in range(k + 1):
        cdf += term
        term *= lam / (j + 1)
    return 1.0 - cdf


# A dozen-odd incidents 0-700 m apart over three months, with pairs placed
# exactly on the limits the tests use: 300 m apart (180, 240) and 100 m
# apart (60, 80), 3 and 7 days apart to the minute, and two at one place.
GENERATED = [
    # x, y (m from X0, Y0), when
    (0, 0, "2016-01-04 22:15"),
    (180, 240, "2016-01-07 22:15"),     # 300 m and exactly 3 days from the first
    (60, 80, "2016-01-11 22:15"),       # 100 m from the first, 7 days after it
    (60, 80, "2016-01-12 03:40"),       # same place as the one before
    (400, 50, "2016-01-15"),            # a date only
    (410, 60, "2016-01-16 08:05"),
    (700, 700, "2016-01-30 23:59"),
    (650, 690, "2016-03-02 00:00"),
    (20, 650, "2016-03-05 12:30"),
    (25, 655, "2016-03-05 18:45"),
    (300, 300, "2016-03-08"),           # a date only
    (330, 340, "2016-03-09 17:00"),
    (500, 120, "2016-03-26 09:10"),
    (505, 118, "2016-03-31 14:20"),
]


@pytest.fixture
def generated(agora, tmp_path):
    """The GENERATED records imported as set "gen" (EPSG:32618: metric, so the
    plane is the CRS itself and the coordinates are used as written)."""
    db = tmp_path / "inc.db"
    rows = [(X0 + x, Y0 + y, when) for x, y, when in GENERATED]
    import_set(agora, db, write_csv(tmp_path / "gen.csv", ("X", "Y", "date"), rows), "gen")
    pts = [(float(X0 + x), float(Y0 + y)) for x, y, _ in GENERATED]
    whens = [parse_when(w) for _, _, w in GENERATED]
    return db, pts, whens


def brute_knox(pts, t, delta, tau, dist):
    table = [[0, 0], [0, 0]]
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            s = dist(pts[i], pts[j]) <= delta
            c = abs(t[i] - t[j]) <= tau
            table[0 if s else 1][0 if c else 1] += 1
    return table


# ---------------------------------------------------------------- knox: 2 x 2

@pytest.mark.parametrize("metric,dist", [("euclidean", euclid), ("manhattan", manhattan)])
@pytest.mark.parametrize("delta,tau", [(100, 3), (300, 7), (0, 0.5), (1000, 100)])
def test_knox_table_equals_a_count_of_every_pair(agora, generated, metric, dist, delta, tau):
    db, pts, whens = generated
    t = [days(w) for w, _ in whens]
    r = run_json(agora, "incidents", "knox", "--db", db, "--delta", delta, "--tau", tau,
                 "--metric", metric, "--perm", 0)
    table = brute_knox(pts, t, delta, tau, dist)
    n = len(pts)
    N = n * (n - 1) // 2
    assert r["table"] == table
    assert r["pairs"] == N == sum(map(sum, table))
    assert r["n_space"] == table[0][0] + table[0][1]
    assert r["n_time"] == table[0][0] + table[1][0]
    expected = r["n_space"] * r["n_time"] / N
    assert r["expected"] == pytest.approx(expected, rel=1e-15)
    if expected > 0:
        assert r["p_poisson"] == pytest.approx(poisson_sf(table[0][0], expected), abs=1e-13)
    assert r["parameters"] == {"delta_m": delta, "tau_days": tau, "inclusive": True,
                               "metric": metric, "perm": 0, "seed": 1}
    assert r["p_perm"] is None and r["nperm"] == 0


def test_knox_limits_are_inclusive(agora, generated):
    """Pairs exactly 300 m and exactly 3 days apart count as close."""
    db, pts, whens = generated
    r = run_json(agora, "incidents", "knox", "--db", db, "--delta", 300, "--tau", 3, "--perm", 0)
    t = [days(w) for w, _ in whens]
    assert euclid(pts[0], pts[1]) == 300 and t[1] - t[0] == 3
    strict = [[0, 0], [0, 0]]
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            s = euclid(pts[i], pts[j]) < 300
            c = abs(t[i] - t[j]) < 3
            strict[0 if s else 1][0 if c else 1] += 1
    assert r["table"][0][0] > strict[0][0]


def test_knox_burkitt_matches_pointpats(agora, tmp_path):
    """Burkitt's lymphoma cases (tests/data/incidents/burkitt): T is in days, so
    the file is written again with dates T days after an arbitrary origin.
    X and Y are planar grid coordinates; any CRS in metres keeps them as they
    are (the plane of a metric CRS is the CRS itself), EPSG:32618 here."""
    origin = dt.date(1960, 1, 1)
    with open(DATA / "burkitt" / "burkitt.csv", newline="") as f:
        src = list(csv.DictReader(f))
    rows = [(r["X"], r["Y"], (origin + dt.timedelta(days=int(r["T"]))).isoformat()) for r in src]
    db = tmp_path / "b.db"
    import_set(agora, db, write_csv(tmp_path / "burkitt.csv", ("X", "Y", "date"), rows),
               "burkitt")
    r = run_json(agora, "incidents", "knox", "--db", db, "--delta", 20, "--tau", 5)
    # pointpats tests/test_spacetime.py (and tests/data/incidents/README.md §4)
    assert r["table"] == [[13, 3416], [39, 14110]]
    assert (r["n_space"], r["n_time"], r["pairs"]) == (3429, 52, 17578)
    assert r["expected"] == pytest.approx(10.143816, abs=1e-6)
    assert r["p_poisson"] == pytest.approx(0.14624558197140414, rel=1e-12)
    # Monte Carlo: (1 + k) / (999 + 1), reproducible with the same seed
    assert r["nperm"] == 999
    k = r["p_perm"] * 1000 - 1
    assert abs(k - round(k)) < 1e-9 and 0 <= round(k) <= 999
    again = run_json(agora, "incidents", "knox", "--db", db, "--delta", 20, "--tau", 5)
    assert again["p_perm"] == r["p_perm"]
    # the text output names every number a reader needs
    res = agora("incidents", "knox", "--db", db, "--delta", 20, "--tau", 5)
    assert res.rc == 0, res
    for text in ("3,416", "14,110", "17,578", "3,429", "10.14", "0.146", "999 shuffles",
                 "seed 1", "inclusive", "euclidean"):
        assert text in res.out, res
    # CSV: the four cells, expected = row total x column total / pairs
    res = agora("incidents", "knox", "--db", db, "--delta", 20, "--tau", 5, "--csv",
                "--perm", 0)
    assert res.rc == 0, res
    cells = list(csv.DictReader(res.out.splitlines()))
    assert [int(c["observed"]) for c in cells] == [13, 3416, 39, 14110]
    rows_t, cols_t = (3429, 14149), (52, 17526)
    for i, c in enumerate(cells):
        e = rows_t[i // 2] * cols_t[i % 2] / 17578
        assert float(c["expected"]) == pytest.approx(e, rel=1e-14)
        assert float(c["knox_ratio"]) == pytest.approx(int(c["observed"]) / e, rel=1e-14)
        assert c["p_value"] == ""  # --perm 0


# ---------------------------------------------------------------- knox: near repeat

NRC_TABLE = [[28, 5, 5, 2], [44, 13, 8, 4], [97, 56, 19, 16], [77, 67, 45, 20],
             [182194, 146149, 95237, 45879]]


@pytest.fixture
def chicago(agora, tmp_path):
    """The Near Repeat Calculator's Chicago month (no header in the file: a
    copy with the header X,Y,date), EPSG:26971 metres."""
    src = DATA / "near_repeat_calculator_reference" / "chicago_be_month1.csv"
    path = tmp_path / "chicago.csv"
    path.write_text("X,Y,date\n" + src.read_text())
    db = tmp_path / "chicago.db"
    import_set(agora, db, path, "chicago", crs="EPSG:26971")
    return db


def test_near_repeat_nrc_mode_reproduces_the_calculator(agora, chicago):
    r = run_json(agora, "incidents", "knox", "--db", chicago, "--nrc", "--metric", "manhattan",
                 "--band", 100, "--bands", 3, "--tband", 7, "--tbands", 3, "--perm", 0)
    assert r["observed"] == NRC_TABLE
    assert r["pairs"] == 970 * 969 // 2
    assert [row["label"] for row in r["rows"]] == [
        "same location", ">0 to <100 m", "100 to <200 m", "200 to <300 m", "300 m or more"]
    assert [c["label"] for c in r["cols"]] == [
        "0 to 6 days", "7 to 13 days", "14 to 20 days", "21 days or more"]
    assert r["rows"][1] == {"label": ">0 to <100 m", "min_m": 0, "min_inclusive": False,
                            "max_m": 100, "max_inclusive": False}
    assert r["parameters"]["nrc"] is True
    assert all(v is None for row in r["expected"] for v in row)


def test_near_repeat_monte_carlo_tables_are_consistent(agora, chicago):
    args = ("incidents", "knox", "--db", chicago, "--nrc", "--metric", "manhattan", "--band",
            100, "--bands", 3, "--tband", 7, "--tbands", 3, "--perm", 99, "--seed", 42)
    r = run_json(agora, *args)
    assert r["observed"] == NRC_TABLE and r["nperm"] == 99
    for i, row in enumerate(r["observed"]):
        for j, obs in enumerate(row):
            e, ratio, p = r["expected"][i][j], r["knox_ratio"][i][j], r["p_value"][i][j]
            assert ratio == pytest.approx(obs / e, rel=1e-15)
            k = p * 100 - 1  # p = (1 + k) / (99 + 1)
            assert abs(k - round(k)) < 1e-9 and 0 <= round(k) <= 99
    # shuffling the times keeps every column's total over all pairs
    for j in range(4):
        assert sum(r["expected"][i][j] for i in range(5)) == pytest.approx(
            sum(r["observed"][i][j] for i in range(5)), rel=1e-12)
    # the repeats at the same place within a week are what the NRC found (ratio 1.65)
    assert r["knox_ratio"][0][0] > 1.3 and r["p_value"][0][0] == pytest.approx(0.01)
    # CSV: the same cells, one per line, rows first
    res = agora(*args, "--csv")
    assert res.rc == 0, res
    cells = list(csv.DictReader(res.out.splitlines()))
    assert list(cells[0]) == ["row_label", "col_label", "observed", "expected", "knox_ratio",
                              "p_value"]
    assert len(cells) == 20
    for k, c in enumerate(cells):
        i, j = divmod(k, 4)
        assert (c["row_label"], c["col_label"]) == (r["rows"][i]["label"],
                                                     r["cols"][j]["label"])
        assert int(c["observed"]) == r["observed"][i][j]
        assert float(c["expected"]) == r["expected"][i][j]
        assert float(c["knox_ratio"]) == r["knox_ratio"][i][j]
        assert float(c["p_value"]) == r["p_value"][i][j]
    # text: the four tables and the NRC's reading
    res = agora(*args)
    assert res.rc == 0, res
    for text in ("Observed pairs", "Expected pairs", "Knox ratio", "p-value", "same location",
                 "0 to 6 days", "182,194", "NRC mode"):
        assert text in res.out, res


@pytest.mark.parametrize("metric,dist", [("euclidean", euclid), ("manhattan", manhattan)])
@pytest.mark.parametrize("band,bands,tband,tbands,same", [
    (100, 3, 7, 2, None), (150, 2, 3, 3, 10), (100, 7, 1, 30, None)])
def test_near_repeat_default_mode_equals_a_count_of_every_pair(agora, generated, metric, dist,
                                                               band, bands, tband, tbands, same):
    """Default bands: same location d <= same (0 by default), spatial band k
    ((k - 1) b, k b], the first from `same` up; temporal band 1 [0, b_t], band k
    ((k - 1) b_t, k b_t]; the last row and column beyond."""
    db, pts, whens = generated
    t = [days(w) for w, _ in whens]
    args = ["incidents", "knox", "--db", db, "--metric", metric, "--band", band, "--bands",
            bands, "--tband", tband, "--tbands", tbands, "--perm", 0]
    if same is not None:
        args += ["--same", same]
    r = run_json(agora, *args)
    s = same or 0
    table = [[0] * (tbands + 1) for _ in range(bands + 2)]
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            d, lag = dist(pts[i], pts[j]), abs(t[i] - t[j])
            row = 0 if d <= s else next((k for k in range(1, bands + 1) if d <= k * band),
                                        bands + 1)
            col = next((k for k in range(tbands) if lag <= (k + 1) * tband), tbands)
            table[row][col] += 1
    assert r["observed"] == table
    labels = [row["label"] for row in r["rows"]]
    assert labels[0] == ("same location" if not s else f"same location (0 to {s:g} m)")
    assert labels[1] == f">{s:g} to {band:g} m"
    assert labels[-1] == f"over {bands * band:g} m"
    assert r["cols"][0]["label"] == f"0 to {tband:g} days"
    assert r["cols"][1]["label"] == f">{tband:g} to {2 * tband:g} days"
    assert r["cols"][0]["min_inclusive"] and r["cols"][0]["max_inclusive"]
    assert not r["cols"][1]["min_inclusive"] and r["cols"][1]["max_inclusive"]


# ---------------------------------------------------------------- profile

def test_profile_counts_equal_a_counter_over_the_records(agora, generated):
    db, _, whens = generated
    r = run_json(agora, "incidents", "profile", "--db", db)
    timed = [w for w, has in whens if has]
    hw = Counter((w.weekday(), w.hour) for w in timed)
    assert r["weekdays"][0] == "Monday"
    assert r["hour_weekday"] == [[hw[(d, h)] for h in range(24)] for d in range(7)]
    wd = Counter(w.weekday() for w, _ in whens)
    assert r["weekday"] == [wd[d] for d in range(7)]
    hours = Counter(w.hour for w in timed)
    assert r["hour"] == [hours[h] for h in range(24)]
    assert r["no_time"] == sum(1 for _, has in whens if not has) == 2
    assert r["with_time"] == len(timed)
    months = Counter(w.strftime("%Y-%m") for w, _ in whens)
    # February has none: it is in the series with 0
    assert r["monthly"] == [{"month": m, "count": months[m]}
                            for m in ("2016-01", "2016-02", "2016-03")]
    assert r["first_date"] == "2016-01-04" and r["last_date"] == "2016-03-31"
    assert r["trend"]["periods"] == 3 and r["trend_error"] is None
    # --csv is the monthly series
    res = agora("incidents", "profile", "--db", db, "--csv")
    assert res.rc == 0, res
    assert res.out.splitlines() == ["month,count"] + [f"{m['month']},{m['count']}"
                                                      for m in r["monthly"]]
    res = agora("incidents", "profile", "--db", db)
    assert res.rc == 0, res
    for text in ("Mon", "Sun", "22:00-22:59", "date only", "2016-02", "rate ratio"):
        assert text in res.out, res


def test_profile_trend_over_two_months_is_the_ratio_of_their_counts(agora, tmp_path):
    """With two periods the Poisson MLE is b = log(y1 / y0), se(b) =
    sqrt(1/y0 + 1/y1) (the Wald interval of a log rate ratio)."""
    y0, y1 = 8, 13
    rows = ([(X0 + i, Y0, f"2017-05-{1 + i:02d} 10:00") for i in range(y0)]
            + [(X0 + i, Y0 + 5, f"2017-06-{1 + i:02d} 21:30") for i in range(y1)])
    db = tmp_path / "t.db"
    import_set(agora, db, write_csv(tmp_path / "two.csv", ("X", "Y", "date"), rows), "two")
    r = run_json(agora, "incidents", "profile", "--db", db)
    tr = r["trend"]
    b = math.log(y1 / y0)
    se = math.sqrt(1 / y0 + 1 / y1)
    z = b / se
    assert tr["rate_ratio_month"] == pytest.approx(y1 / y0, rel=1e-10)
    assert tr["rate_ratio_year"] == pytest.approx((y1 / y0) ** 12, rel=1e-9)
    assert tr["b"] == pytest.approx(b, rel=1e-10)
    assert tr["se_b"] == pytest.approx(se, rel=1e-9)
    assert tr["z"] == pytest.approx(z, rel=1e-9)
    assert tr["p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-8)
    assert r["monthly"] == [{"month": "2017-05", "count": y0}, {"month": "2017-06", "count": y1}]


def test_profile_without_a_trend_says_why(agora, tmp_path):
    rows = [(X0 + i, Y0, f"2017-05-{1 + i:02d} 10:00") for i in range(5)]
    db = tmp_path / "t.db"
    import_set(agora, db, write_csv(tmp_path / "one.csv", ("X", "Y", "date"), rows), "one")
    r = run_json(agora, "incidents", "profile", "--db", db)
    assert r["trend"] is None and "single month" in r["trend_error"]
    res = agora("incidents", "profile", "--db", db)
    assert res.rc == 0 and "not computed" in res.out and "single month" in res.out, res


# ---------------------------------------------------------------- nni

# A convex pentagon (with a point in the middle of one edge) around points
# inside it: the convex hull is the pentagon by construction.
PENTAGON = [(0, 0), (1000, 0), (1300, 600), (500, 1000), (-200, 500)]
NNI_POINTS = PENTAGON + [(500, 0), (450, 400), (470, 430), (520, 380), (600, 600), (610, 590),
                         (300, 500), (800, 300), (805, 305)]


def shoelace(poly):
    return abs(sum(poly[i][0] * poly[i - 1][1] - poly[i - 1][0] * poly[i][1]
                   for i in range(len(poly)))) / 2


def clark_evans(pts, area):
    n = len(pts)
    nn = [min(euclid(p, q) for j, q in enumerate(pts) if j != i) for i, p in enumerate(pts)]
    mean = sum(nn) / n
    expected = 0.5 * math.sqrt(area / n)
    se = math.sqrt((4 - math.pi) / (4 * math.pi)) * math.sqrt(area) / n
    z = (mean - expected) / se
    return dict(mean_nn_m=mean, min_nn_m=min(nn), max_nn_m=max(nn), expected_nn_m=expected,
                se_m=se, R=mean / expected, z=z, p_two_sided=math.erfc(abs(z) / math.sqrt(2)))


@pytest.fixture
def nni_db(agora, tmp_path):
    db = tmp_path / "n.db"
    rows = [(X0 + x, Y0 + y) for x, y in NNI_POINTS]
    import_set(agora, db, write_csv(tmp_path / "pts.csv", ("X", "Y"), rows), "pts", time=False)
    return db, [(float(X0 + x), float(Y0 + y)) for x, y in NNI_POINTS]


@pytest.mark.parametrize("area_opt", ["bbox", None, "hull", "2500000"])
def test_nni_equals_a_brute_force_nearest_neighbour_computation(agora, nni_db, area_opt):
    db, pts = nni_db
    args = ["incidents", "nni", "--db", db] + (["--area", area_opt] if area_opt else [])
    r = run_json(agora, *args)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    area = {"bbox": (max(xs) - min(xs)) * (max(ys) - min(ys)), None: 1500 * 1000,
            "hull": shoelace(PENTAGON), "2500000": 2.5e6}[area_opt]
    if area_opt is None:
        assert area == (max(xs) - min(xs)) * (max(ys) - min(ys))
    assert r["area_method"] == {"bbox": "bbox", None: "bbox", "hull": "hull",
                                "2500000": "given"}[area_opt]
    assert r["area_m2"] == pytest.approx(area, rel=1e-12)
    assert r["n"] == len(pts)
    for key, v in clark_evans(pts, area).items():
        assert r[key] == pytest.approx(v, rel=1e-10, abs=1e-300), key


def test_nni_csv_holds_the_json_numbers(agora, nni_db):
    db, _ = nni_db
    r = run_json(agora, "incidents", "nni", "--db", db, "--area", "hull")
    res = agora("incidents", "nni", "--db", db, "--area", "hull", "--csv")
    assert res.rc == 0, res
    head, row, *rest = res.out.splitlines()
    assert rest == []
    got = dict(zip(head.split(","), row.split(",")))
    assert int(got["n"]) == r["n"] and got["area_method"] == "hull"
    assert got["reading"] == r["reading"]
    for key in ("area_m2", "mean_nn_m", "min_nn_m", "max_nn_m", "expected_nn_m", "se_m", "R",
                "z", "p_two_sided"):
        assert float(got[key]) == r[key], key


def test_nni_reading_follows_r_and_p(agora, nni_db, tmp_path):
    db, pts = nni_db
    # a huge area: the same points are far closer than random ones would be
    res = agora("incidents", "nni", "--db", db, "--area", "1e9")
    assert res.rc == 0 and "reading: clustered" in res.out, res
    assert "1,000,000,000.0 m²" in res.out and "as given" in res.out, res
    # the area at which R is exactly 1: no evidence either way
    mean = clark_evans(pts, 1.0)["mean_nn_m"]
    res = agora("incidents", "nni", "--db", db, "--area", repr((2 * mean) ** 2 * len(pts)))
    assert res.rc == 0 and "no evidence against randomness" in res.out, res
    # a regular 4 x 4 lattice in its bounding box: R = 1 / 0.375
    lattice = tmp_path / "lattice.csv"
    write_csv(lattice, ("X", "Y"), [(X0 + 100 * i, Y0 + 100 * j) for i in range(4)
                                    for j in range(4)])
    ldb = tmp_path / "l.db"
    import_set(agora, ldb, lattice, "lattice", time=False)
    r = run_json(agora, "incidents", "nni", "--db", ldb)
    assert r["R"] == pytest.approx(1 / 0.375, rel=1e-12) and r["reading"] == "dispersed"
    res = agora("incidents", "nni", "--db", ldb)
    assert res.rc == 0 and "reading: dispersed" in res.out and "300.0 m x 300.0 m" in res.out


def test_nni_points_on_a_line_need_an_area(agora, tmp_path):
    db = tmp_path / "line.db"
    write_csv(tmp_path / "line.csv", ("X", "Y"), [(X0 + 10 * i, Y0) for i in range(5)])
    import_set(agora, db, tmp_path / "line.csv", "line", time=False)
    for area in ("bbox", "hull"):
        res = agora("incidents", "nni", "--db", db, "--area", area)
        assert res.rc == BAD_INPUT and "--area M2" in res.err and '"line"' in res.err, res
    res = agora("incidents", "nni", "--db", db, "--area", "5000")
    assert res.rc == 0, res


# ---------------------------------------------------------------- usage errors

@pytest.mark.parametrize("args,message", [
    ((), "give --delta M --tau DAYS"),
    (("--delta", 100, "--tau", 7, "--band", 100), "not both"),
    (("--delta", 100, "--tau", 7, "--nrc"), "not both"),
    (("--delta", 100), "needs both --delta M and --tau DAYS"),
    (("--band", 100, "--bands", 3), "missing: --tband --tbands"),
    (("--delta", 100, "--tau", 7, "--perm", -1), "--perm"),
    (("--delta", 100, "--tau", 7, "--perm", 1000001), "--perm"),
    (("--delta", -1, "--tau", 7), "--delta"),
    (("--delta", 100, "--tau", 7, "--metric", "chebyshev"), "--metric"),
    (("--delta", 100, "--tau", 7, "--seed", "x"), "--seed"),
    (("--delta", 100, "--tau", 7, "--json", "--csv"), "--json"),
    (("--band", 100, "--bands", 0, "--tband", 7, "--tbands", 3), "--bands"),
    (("--band", 100, "--bands", 3, "--tband", 7, "--tbands", 3, "--same", 100), "--same"),
    (("--band", 100, "--bands", 3, "--tband", 7, "--tbands", 3, "--same", 1, "--nrc"), "--same"),
    (("--band", 100, "--bands", 3, "--tband", 3.5, "--tbands", 3, "--nrc"), "whole number"),
])
def test_knox_usage_errors(agora, generated, args, message):
    db, _, _ = generated
    res = agora("incidents", "knox", "--db", db, *args)
    assert res.rc == BAD_INPUT and message in res.err and res.out == "", res


@pytest.mark.parametrize("args", [("--csv", "--json"), ("--geojson",), ("--area", "0"),
                                  ("--area", "box"), ("--area", "-5")])
def test_nni_usage_errors(agora, generated, args):
    db, _, _ = generated
    res = agora("incidents", "nni", "--db", db, *args)
    assert res.rc == BAD_INPUT and res.out == "", res


def test_profile_usage_errors(agora, generated):
    db, _, _ = generated
    res = agora("incidents", "profile", "--db", db, "--json", "--csv")
    assert res.rc == BAD_INPUT and res.out == "", res


@pytest.mark.parametrize("cmd", [("knox", "--delta", 100, "--tau", 7), ("profile",)])
def test_a_set_without_times_is_refused_by_name(agora, nni_db, cmd):
    db, _ = nni_db
    res = agora("incidents", *cmd, "--db", db)
    assert res.rc == BAD_INPUT and 'set "pts"' in res.err and "--time" in res.err, res


@pytest.mark.parametrize("cmd", ["knox", "profile", "nni"])
def test_help_is_printed_with_exit_0(agora, cmd):
    res = agora("incidents", cmd, "--help")
    assert res.rc == 0 and "Usage: agora incidents " + cmd in res.out, res
