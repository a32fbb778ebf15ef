# agora vehicle end to end: small hand-written road networks
# (tests/data/osm/vehicle-*.osm) imported into a fresh database, analysed
# with a hand-made class table, and every number checked against a hand
# calculation from the fixture's own coordinates (docs/methodology.md
# §5, §6, §9, §10, §11).
# SPDX-License-Identifier: EUPL-1.2
import json
import math
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OSM = REPO / "tests" / "data" / "osm"
DEFAULT_CLASSES = REPO / "data" / "vehicle-classes.csv"

BAD_INPUT = 2  # README, "Exit codes": 2 bad usage or bad input

G = 9.80665  # m/s², the standard gravity the methodology uses (§10)
TEST_SPEEDS = (16, 32, 48, 64, 80, 96, 112)  # km/h, ISO 22343-1 test speeds

# Relative tolerance on speeds and energies. The expected values are computed
# from the fixtures' coordinates on the WGS 84 ellipsoid with a local
# approximation good to 1e-9 over these few hundred metres (see seg; agora
# measures in a transverse Mercator projection, exact to about 1e-6 here,
# §1); agora prints speeds with 2 decimals (≤ 2e-4 of the slowest speed
# here). 0.1 % leaves room for both and still catches a length measured on
# the sphere instead of the ellipsoid (0.3 % east-west at this latitude).
REL = 1e-3

# Two simple classes: whole numbers for hand calculations. 1000 kW keeps
# the power model traction-limited below the top speed (P/(m a0) is 222 m/s
# for CAR), so the power model and the constant model agree on them.
CAR = dict(id="CAR", mass=1500.0, accel=3.0, power_kw=1000.0, vmax_kmh=200.0, lat=6.0, width=1.8)
WIDE = dict(id="WIDE", mass=3000.0, accel=1.0, power_kw=1000.0, vmax_kmh=200.0, lat=6.0,
            width=3.0)
HEADER = ("id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,width_m,"
          "source")


def class_row(c, description):
    return (f"{c['id']},{description},{c['mass']:g},{c['accel']:g},{c['power_kw']:g},"
            f"{c['vmax_kmh']:g},{c['lat']:g},{c['width']:g},hand-made for test_vehicle.py")


CLASSES_CSV = "\n".join([HEADER, class_row(CAR, "test car"),
                         class_row(WIDE, "test wide vehicle")]) + "\n"
CLASSES = (CAR, WIDE)


# ---------------------------------------------------------------- geometry by hand

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)


def seg(p, q):
    """The vector from p to q ((lon, lat) in degrees) in metres east and
    north: the ellipsoid's radii of curvature at the mean latitude (N cos φ
    along a parallel, M along a meridian). Checked against PROJ's
    `geod -I +ellps=WGS84`: within 1e-9 of the geodesic for 1 to 600 m
    near lon 7.42, lat 43.73."""
    phi = math.radians((p[1] + q[1]) / 2)
    s2 = math.sin(phi) ** 2
    n = WGS84_A / math.sqrt(1 - WGS84_E2 * s2)
    m = WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * s2) ** 1.5
    return (n * math.cos(phi) * math.radians(q[0] - p[0]), m * math.radians(q[1] - p[1]))


def dist(p, q):
    return math.hypot(*seg(p, q))


def turn(p, q, r):
    """Signed heading change (radians, left positive) at q on p -> q -> r."""
    a, b = seg(p, q), seg(q, r)
    t = math.atan2(b[1], b[0]) - math.atan2(a[1], a[0])
    return (t + math.pi) % (2 * math.pi) - math.pi


def corner_radius(theta, w):
    """Largest arc through a sharp corner turning by theta on a road of
    width w: r = w / (1 - cos(θ/2)) (§10, "Sharp corner")."""
    return w / (1 - math.cos(abs(theta) / 2))


def drive(pts, c, width, incline_pct=0.0):
    """Constant model along a polyline from rest at its first point: over a
    run of s metres v² += 2 (a0 - g sin(atan(p/100))) s, clipped to
    [0, vmax²]; at every vertex the speed is clipped to √(a_lat r), r the
    sharp-corner radius. Valid only where the bend-merging rule of §10 keeps
    each vertex a corner of its own (the callers check it). Returns the speed
    (m/s), the radius of the last bend that clipped it (or None) and that
    vertex's index."""
    a = c["accel"] - G * math.sin(math.atan(incline_pct / 100))
    vmax2 = (c["vmax_kmh"] / 3.6) ** 2
    v2, limiting = 0.0, (None, None)
    for i in range(len(pts) - 1):
        if i > 0:
            r = corner_radius(turn(pts[i - 1], pts[i], pts[i + 1]), width)
            if v2 > c["lat"] * r:
                v2, limiting = c["lat"] * r, (r, i)
        v2 = min(max(v2 + 2 * a * dist(pts[i], pts[i + 1]), 0.0), vmax2)
    return math.sqrt(v2), limiting[0], limiting[1]


def path_length(pts):
    return sum(dist(p, q) for p, q in zip(pts, pts[1:]))


def rating(c, v):
    """Impact speed v (m/s) rounded up to the next test speed, as a rating
    string, or None above 112 km/h."""
    for t in TEST_SPEEDS:
        if v * 3.6 <= t:
            return f"V/{c['mass']:.0f}[{c['id']}]/{t}/90"
    return None


class Osm:
    """The nodes and ways of a fixture: the source of every expected value."""

    def __init__(self, name):
        self.path = OSM / name
        root = ET.parse(self.path).getroot()
        self.nodes = {int(n.get("id")): (float(n.get("lon")), float(n.get("lat")))
                      for n in root.iter("node")}
        self.ways = {int(w.get("id")): [int(nd.get("ref")) for nd in w.iter("nd")]
                     for w in root.iter("way")}
        self.tags = {int(w.get("id")): {t.get("k"): t.get("v") for t in w.iter("tag")}
                     for w in root.iter("way")}

    def pts(self, *ids):
        return [self.nodes[i] for i in ids]

    def way_pts(self, wid):
        return self.pts(*self.ways[wid])


# ---------------------------------------------------------------- running agora

def ok(res):
    assert res.rc == 0, str(res)
    return res


def import_fixture(agora, tmp_path, name):
    db = tmp_path / "db" / "city.db"
    db.parent.mkdir()
    ok(agora("import", OSM / name, "--db", db))
    return db


def write_classes(tmp_path, text=CLASSES_CSV, name="classes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_vehicle(agora, db, classes, *args, model="constant"):
    """agora vehicle --all --json; returns {space name: result object}."""
    margs = ["--model", model] if model else []
    res = ok(agora("vehicle", "--all", "--json", *margs, "--classes", classes, "--db", db, *args))
    assert res.err == "", str(res)
    results = [json.loads(line) for line in res.out.splitlines()]
    names = [r["space"]["name"] for r in results]
    assert len(set(names)) == len(names), names
    for r in results:
        assert r["model"] == (model or "power")
    return {r["space"]["name"]: r for r in results}


def analyse(agora, tmp_path, fixture, model="constant"):
    db = import_fixture(agora, tmp_path, fixture)
    return run_vehicle(agora, db, write_classes(tmp_path), model=model)


def only_entry(result):
    assert len(result["entries"]) == 1, json.dumps(result)
    e = result["entries"][0]
    assert e["id"] == 1
    return e


def per_class(entry):
    got = {c["class"]: c for c in entry["by_class"]}
    assert list(got) == [c["id"] for c in CLASSES], entry
    return got


def at(point, lonlat):
    """A printed [lon, lat] (7 decimals) is this node's position."""
    return point == pytest.approx(list(lonlat), abs=2e-7)


def check_impact(got, c, v, run_up):
    """speed (km/h), energy ½ m v² (kJ), rating and run-up of one class at
    one entry against the hand calculation (v in m/s, run_up in m)."""
    assert got["speed_kmh"] == pytest.approx(v * 3.6, rel=REL), got
    assert got["energy_kj"] == pytest.approx(0.5 * c["mass"] * v * v / 1000, rel=2 * REL), got
    assert got["rating"] == rating(c, v), got
    assert got["rating"] == rating(c, got["speed_kmh"] / 3.6), got  # rounded up, not to nearest
    if got["rating"] is None:
        assert "112 km/h" in got["rating_note"], got
    else:
        assert "rating_note" not in got, got
    assert got["run_up_m"] == pytest.approx(run_up, abs=0.06), got


# ---------------------------------------------------------------- 1. straight

def test_straight_approach_speed_energy_rating_and_run_up(agora, tmp_path):
    osm = Osm("vehicle-straight.osm")
    res = analyse(agora, tmp_path, "vehicle-straight.osm")
    assert list(res) == ["Straight"]
    assert res["Straight"]["space"]["osm"] == "way/100"
    e = only_entry(res["Straight"])
    assert (e["way"], e["node"]) == (101, 12)
    assert at([e["lon"], e["lat"]], osm.nodes[12])
    assert e["width_m"] == 5.5  # residential without a width tag (§5)
    s = dist(*osm.pts(11, 12))
    assert 200 < s < 201  # about 200 m: the fixture is what the test thinks
    got = per_class(e)
    for c in CLASSES:
        v = math.sqrt(2 * c["accel"] * s)
        check_impact(got[c["id"]], c, v, s)
        assert got[c["id"]]["limiting_bend"] is None
        path = got[c["id"]]["path"]
        assert len(path) == 2 and at(path[0], osm.nodes[11]) and at(path[-1], osm.nodes[12])
    # 124.9 km/h for CAR: above the highest test speed, no rating; 72.1 km/h
    # for WIDE: rounded up to 80.
    assert got["CAR"]["rating"] is None
    assert got["WIDE"]["rating"] == "V/3000[WIDE]/80/90"


def test_text_output_names_the_entry_and_each_class(agora, tmp_path):
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    res = ok(agora("vehicle", "--all", "--model", "constant", "--classes", write_classes(tmp_path),
                   "--db", db))
    assert res.err == ""
    lines = res.out.splitlines()
    assert lines[0] == "Straight (id 1, way/100, constant model)", res.out
    assert lines[1].startswith("  entry 1 at 7.420000 43.730000, opening 5.5 m"), res.out
    assert "CAR" in lines[2] and "above 112 km/h: no standard rating" in lines[2], res.out
    assert "WIDE" in lines[3] and lines[3].endswith("V/3000[WIDE]/80/90"), res.out


def test_geojson_has_entries_as_points_and_worst_paths_as_lines(agora, tmp_path):
    db = import_fixture(agora, tmp_path, "vehicle-service.osm")
    classes = write_classes(tmp_path)
    by_json = run_vehicle(agora, db, classes)
    res = ok(agora("vehicle", "--all", "--geojson", "--model", "constant", "--classes", classes,
                   "--db", db))
    assert res.err == ""
    fc = json.loads(res.out)
    assert fc["type"] == "FeatureCollection"
    points = [f for f in fc["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) + len(lines) == len(fc["features"])
    entries = {(r["space"]["id"], e["id"]): e for r in by_json.values() for e in r["entries"]}
    assert len(points) == len(entries) == 3  # two on the Plaza, one on the Corner
    for p in points:
        e = entries[(p["properties"]["space_id"], p["properties"]["entry"])]
        assert p["geometry"]["coordinates"] == pytest.approx([e["lon"], e["lat"]], abs=1e-9)
        assert p["properties"]["width_m"] == e["width_m"]
    assert len(lines) == 2 * len(entries)  # one worst path per class and entry
    for f in lines:
        pr = f["properties"]
        c = per_class(entries[(pr["space_id"], pr["entry"])])[pr["class"]]
        assert (pr["speed_kmh"], pr["rating"]) == (c["speed_kmh"], c["rating"])
        coords = f["geometry"]["coordinates"]
        assert len(coords) == len(c["path"]) >= 2
        assert all(at(p, q) for p, q in zip(coords, c["path"]))


# ---------------------------------------------------------------- power model

def test_power_model_equals_constant_while_power_never_binds(agora, tmp_path):
    # The default model is power; with 1000 kW the traction limit a0 holds
    # up to 222 m/s, beyond the 200 km/h top speed: the same speeds, on the
    # level and on slopes.
    db = import_fixture(agora, tmp_path, "vehicle-slope.osm")
    classes = write_classes(tmp_path)
    power = run_vehicle(agora, db, classes, model=None)
    const = run_vehicle(agora, db, classes, model="constant")
    assert sorted(power) == sorted(const) == ["Downhill", "Drawn away", "Uphill"]
    for name in power:
        p, k = per_class(only_entry(power[name])), per_class(only_entry(const[name]))
        for c in CLASSES:
            assert p[c["id"]]["speed_kmh"] == pytest.approx(k[c["id"]]["speed_kmh"], rel=1e-4)


def test_power_model_straight_approach_by_hand(agora, tmp_path):
    # A class whose power binds: P/(m a0) = 45 kW / (1500 kg · 3 m/s²) =
    # 10 m/s. Up to v1 = 10 m/s, v² = 2 a0 s (s1 = v1²/(2 a0) = 16.7 m); then
    # d(v³)/ds = 3 P/m, so v³ = v1³ + 3 (P/m) (s - s1) (§10).
    osm = Osm("vehicle-straight.osm")
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    pwr = dict(CAR, id="PWR", power_kw=45.0)
    classes = write_classes(tmp_path, HEADER + "\n" + class_row(pwr, "power-limited car") + "\n")
    res = run_vehicle(agora, db, classes, model="power")
    got = {c["class"]: c for c in only_entry(res["Straight"])["by_class"]}
    s = dist(*osm.pts(11, 12))
    pm = pwr["power_kw"] * 1000 / pwr["mass"]
    v1 = pm / pwr["accel"]
    s1 = v1 * v1 / (2 * pwr["accel"])
    v = (v1 ** 3 + 3 * pm * (s - s1)) ** (1 / 3)
    assert v < math.sqrt(2 * pwr["accel"] * s) * 0.8  # the power limit matters here
    check_impact(got["PWR"], pwr, v, s)


# ---------------------------------------------------------------- 2. a corner

def test_right_angle_corner_50_m_before_the_square(agora, tmp_path):
    osm = Osm("vehicle-corner.osm")
    res = analyse(agora, tmp_path, "vehicle-corner.osm")
    e = only_entry(res["Corner"])
    assert (e["way"], e["node"], e["width_m"]) == (201, 23, 6.0)
    a, corner, b = osm.pts(21, 22, 23)
    theta = turn(a, corner, b)
    assert theta == pytest.approx(-math.pi / 2, abs=0.01)  # a right turn of about 90°
    w = 6.0  # width=6
    r = corner_radius(theta, w)  # 20.5 m at exactly 90°
    leg1, leg2 = dist(a, corner), dist(corner, b)
    got = per_class(e)
    for c in CLASSES:
        # 150 m of run-up is more than enough to reach the corner's limit...
        assert 2 * c["accel"] * leg1 > c["lat"] * r
        # ... so the speed at the square is v² = a_lat r + 2 a 50 m.
        v = math.sqrt(c["lat"] * r + 2 * c["accel"] * leg2)
        assert drive(osm.pts(21, 22, 23), c, w)[0] == pytest.approx(v)
        check_impact(got[c["id"]], c, v, leg1 + leg2)
        bend = got[c["id"]]["limiting_bend"]
        assert bend["radius_m"] == pytest.approx(r, abs=0.06)
        assert at(bend["at"], corner)
        assert [at(p, q) for p, q in zip(got[c["id"]]["path"], osm.pts(21, 22, 23))] == [True] * 3
    assert got["CAR"]["rating"] == "V/1500[CAR]/80/90"  # 74.1 km/h


# ---------------------------------------------------------------- 3. a chain of corners

def test_chain_of_corners_each_clips_the_speed_it_can(agora, tmp_path):
    # Right 90°, left 60°, right 30°, with 60 m, 60 m and 40 m between them:
    # the 90° corner clips, the 60° corner clips again (the speed gained over
    # 60 m exceeds its limit), the 30° corner does not (its limit is above
    # what 60 m adds): v² = a_lat r60 + 2 a (60 + 40) m for CAR.
    osm = Osm("vehicle-chain.osm")
    res = analyse(agora, tmp_path, "vehicle-chain.osm")
    e = only_entry(res["Chain"])
    assert (e["way"], e["node"], e["width_m"]) == (301, 35, 6.0)
    pts = osm.way_pts(301)
    turns = [turn(*pts[i - 1:i + 2]) for i in range(1, len(pts) - 1)]
    assert [round(math.degrees(t)) for t in turns] == [-90, 60, -30]
    # Turns alternate in sign: no two corners merge into one bend (§10).
    assert all((x > 0) != (y > 0) for x, y in zip(turns, turns[1:]))
    w = 6.0
    got = per_class(e)
    for c in CLASSES:
        v, r, i = drive(pts, c, w)
        check_impact(got[c["id"]], c, v, path_length(pts))
        bend = got[c["id"]]["limiting_bend"]
        assert bend["radius_m"] == pytest.approx(r, abs=0.06)
        assert at(bend["at"], pts[i])
    # For CAR the last clipping corner is the 60° one (node 33), and the 30°
    # one (node 34) lets it through: check the hand reasoning, not only the
    # shared function.
    v, r, i = drive(pts, CAR, w)
    assert (i, r) == (2, pytest.approx(corner_radius(turns[1], w)))
    v2_at_34 = CAR["lat"] * r + 2 * CAR["accel"] * dist(pts[2], pts[3])
    assert v2_at_34 < CAR["lat"] * corner_radius(turns[2], w)
    assert v == pytest.approx(math.sqrt(v2_at_34 + 2 * CAR["accel"] * dist(pts[3], pts[4])))
    assert got["CAR"]["rating"] == "V/1500[CAR]/112/90"  # 106.2 km/h


# ---------------------------------------------------------------- 4. rings of 4 to 64 nodes

# Ring k of the fixture (way 10000 (k + 1) and up): "single" rings first.
RINGS = [
    pytest.param(variant, n, 10000 * (k + 1), id=f"{variant}-{n}")
    for k, (variant, n) in enumerate((v, n) for v in ("single", "entry") for n in (4, 8, 16, 64))]


@pytest.mark.parametrize("variant,n,base", RINGS)
def test_ring_drawn_with_n_nodes_caps_the_exit_speed(agora, tmp_path, variant, n, base):
    # A roundabout of centreline radius 20 m (width 6 m) drawn with n nodes;
    # the exit leaves its bottom node along the tangent and runs 40 m
    # straight to the square. However the ring is drawn, a vehicle leaving it
    # is at most at √(a_lat (R + w)) and can reach √(a_lat R) by circling
    # (§10, "Rounded bend"), so v² at the square lies in
    # [a_lat R + 2 a L, a_lat (R + w) + 2 a L].
    # "single": the exit is at the ring way's closing node (one closed edge);
    # "entry": an entry road joins the top node, the exit leaves node n/2:
    # the ring is two edges between two junctions.
    osm = Osm("vehicle-rings.osm")
    res = analyse(agora, tmp_path, "vehicle-rings.osm")
    assert len(res) == 8
    ring_ids = osm.ways[base + 1][:-1]
    assert len(set(ring_ids)) == len(ring_ids) == n
    assert osm.tags[base + 1]["junction"] == "roundabout"
    ring = osm.pts(*ring_ids)
    centre = (sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n)
    radii = [dist(centre, p) for p in ring]
    r_min, r_max = min(radii), max(radii)
    assert 19.9 < r_min <= r_max < 20.1  # the ellipsoid flattens the drawn circle by 0.35 %
    exit_from, square_node = osm.ways[base + 2]
    if variant == "single":
        assert exit_from == osm.ways[base + 1][0]  # the closing node: one closed edge
    else:
        assert exit_from == ring_ids[n // 2] and len(osm.ways[base + 3]) == 2  # an entry road
    L = dist(*osm.pts(exit_from, square_node))
    w = 6.0
    e = only_entry(res[f"Ring {n} {variant}"])
    assert e["node"] == square_node
    got = per_class(e)
    outside = []
    for c in CLASSES:
        v2 = (got[c["id"]]["speed_kmh"] / 3.6) ** 2
        lo = c["lat"] * r_min + 2 * c["accel"] * L
        hi = c["lat"] * (r_max + w) + 2 * c["accel"] * L
        if not lo * (1 - REL) <= v2 <= hi * (1 + REL):
            outside.append(
                f"{c['id']}: {got[c['id']]['speed_kmh']} km/h, v² {v2:.1f} outside "
                f"[{lo:.1f}, {hi:.1f}]: exit speed² {v2 - 2 * c['accel'] * L:.1f} outside "
                f"[{c['lat'] * r_min:.1f}, {c['lat'] * (r_max + w):.1f}] "
                f"(run-up {got[c['id']]['run_up_m']} m, {got[c['id']]['limiting_bend']})")
        assert got[c["id"]]["limiting_bend"] is not None
        assert at(got[c["id"]]["path"][-1], osm.nodes[square_node])
    assert not outside, "\n".join(outside)


# ---------------------------------------------------------------- 5. one-way

def test_one_way_street_is_driven_the_wrong_way(agora, tmp_path, db_query):
    osm = Osm("vehicle-oneway.osm")
    db = import_fixture(agora, tmp_path, "vehicle-oneway.osm")
    # The import read the tag: way 501 is one-way, away from the square.
    assert db_query(db, "SELECT oneway FROM road_edges WHERE osm_way_id = 501") == [(1,)]
    assert db_query(db, "SELECT oneway FROM road_edges WHERE osm_way_id = 511") == [(0,)]
    assert osm.ways[501] == [52, 51]  # drawn from the square outward
    res = run_vehicle(agora, db, write_classes(tmp_path))
    one, two = per_class(only_entry(res["One-way"])), per_class(only_entry(res["Two-way"]))
    s1, s2 = dist(*osm.pts(51, 52)), dist(*osm.pts(61, 62))
    for c in CLASSES:
        check_impact(one[c["id"]], c, math.sqrt(2 * c["accel"] * s1), s1)
        check_impact(two[c["id"]], c, math.sqrt(2 * c["accel"] * s2), s2)
        assert one[c["id"]]["speed_kmh"] == pytest.approx(two[c["id"]]["speed_kmh"], rel=REL)
        # Driven against the way's direction: from node 51 to node 52.
        path = one[c["id"]]["path"]
        assert at(path[0], osm.nodes[51]) and at(path[-1], osm.nodes[52])


# ---------------------------------------------------------------- 6. steps, bollards

def test_steps_block_the_approach(agora, tmp_path):
    # Road 61-62, steps 62-63, road 63-64 to the square: only the 40 m after
    # the steps count.
    osm = Osm("vehicle-blocked.osm")
    res = analyse(agora, tmp_path, "vehicle-blocked.osm")
    assert osm.tags[602]["highway"] == "steps"
    e = only_entry(res["Steps"])
    assert (e["way"], e["node"]) == (603, 64)
    s = dist(*osm.pts(63, 64))
    got = per_class(e)
    for c in CLASSES:
        check_impact(got[c["id"]], c, math.sqrt(2 * c["accel"] * s), s)
        assert at(got[c["id"]]["path"][0], osm.nodes[63])


def test_bollard_blocks_and_is_not_an_entry(agora, tmp_path, db_query):
    # One way 71-72-73 with a bollard at node 72, 50 m before the square:
    # the run-up is the 50 m beyond the bollard; the vehicle may hit the
    # bollard, but the bollard is not where it meets the square.
    osm = Osm("vehicle-blocked.osm")
    db = import_fixture(agora, tmp_path, "vehicle-blocked.osm")
    assert db_query(db, "SELECT barrier, blocks_vehicle FROM road_nodes WHERE osm_id = 72") == [
        ("bollard", 1)]
    res = run_vehicle(agora, db, write_classes(tmp_path))
    e = only_entry(res["Bollard"])
    assert (e["way"], e["node"]) == (611, 73)
    assert at([e["lon"], e["lat"]], osm.nodes[73])
    s = dist(*osm.pts(72, 73))
    assert dist(*osm.pts(71, 72)) > 2 * s  # the part before the bollard would give far more
    got = per_class(e)
    for c in CLASSES:
        check_impact(got[c["id"]], c, math.sqrt(2 * c["accel"] * s), s)
        path = got[c["id"]]["path"]
        assert len(path) == 2 and at(path[0], osm.nodes[72]) and at(path[1], osm.nodes[73])


# ---------------------------------------------------------------- 7. service road across

def crossing(p, q, c, d):
    """Where segment p-q meets segment c-d: (t along p-q, point), in a local
    plane around c (a few hundred metres: the plane's scale error, ~1e-5, is
    far below the tolerance)."""
    P, Q, D = seg(c, p), seg(c, q), seg(c, d)
    rx, ry = Q[0] - P[0], Q[1] - P[1]
    den = rx * D[1] - ry * D[0]
    t = ((0 - P[0]) * D[1] - (0 - P[1]) * D[0]) / den
    u = ((0 - P[0]) * ry - (0 - P[1]) * rx) / den
    assert 0 < t < 1 and 0 <= u <= 1
    return t, (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def test_service_road_across_a_pedestrian_area_gives_two_entries(agora, tmp_path):
    # A straight service road 71-72 crosses the Plaza: one entry on each
    # side, each approached only from its own outside end (a state whose last
    # segment lies inside the space does not approach an entry).
    osm = Osm("vehicle-service.osm")
    res = analyse(agora, tmp_path, "vehicle-service.osm")
    plaza = res["Plaza"]
    assert len(plaza["entries"]) == 2, json.dumps(plaza)
    w_end, e_end = osm.pts(71, 72)
    sw, se, ne, nw = osm.pts(901, 902, 903, 904)
    t_west, west = crossing(w_end, e_end, sw, nw)
    t_east, east = crossing(w_end, e_end, se, ne)
    length = dist(w_end, e_end)
    expected = {"west": (west, w_end, t_west * length),
                "east": (east, e_end, (1 - t_east) * length)}
    seen = set()
    for e in plaza["entries"]:
        # A crossing between nodes; a service road is 3.5 m wide by default.
        assert (e["way"], e["node"], e["width_m"]) == (701, None, 3.5)
        side = next(k for k, (pt, _, _) in expected.items() if at([e["lon"], e["lat"]], pt))
        seen.add(side)
        pt, start, s = expected[side]
        got = per_class(e)
        for c in CLASSES:
            check_impact(got[c["id"]], c, math.sqrt(2 * c["accel"] * s), s)
            path = got[c["id"]]["path"]
            assert len(path) == 2 and at(path[0], start) and at(path[1], pt)
    assert seen == {"west", "east"}
    assert {e["id"] for e in plaza["entries"]} == {1, 2}


def test_crossings_closer_than_5_m_are_one_entry(agora, tmp_path):
    # A service road cuts the corner of the "Corner" square: it enters 1.5 m
    # above the corner (120 m from node 81) and leaves 1.5 m right of it
    # (90 m from node 82), 2.1 m apart: one entry, with the faster of the
    # two outside approaches.
    osm = Osm("vehicle-service.osm")
    res = analyse(agora, tmp_path, "vehicle-service.osm")
    e = only_entry(res["Corner"])
    p, q = osm.pts(81, 82)
    sw, se, ne, nw = osm.pts(911, 912, 913, 914)
    t_w, west = crossing(p, q, sw, nw)
    t_s, south = crossing(p, q, sw, se)
    assert dist(west, south) < 5
    assert at([e["lon"], e["lat"]], west) or at([e["lon"], e["lat"]], south)
    length = dist(p, q)
    s = max(t_w * length, (1 - t_s) * length)  # 120 m from node 81
    got = per_class(e)
    for c in CLASSES:
        check_impact(got[c["id"]], c, math.sqrt(2 * c["accel"] * s), s)
        path = got[c["id"]]["path"]
        assert at(path[0], p) and at(path[-1], west)


# ---------------------------------------------------------------- 8. slopes

def test_slope_slows_uphill_and_speeds_downhill(agora, tmp_path, db_query):
    # v² = 2 (a0 ∓ g sin(atan(0.08))) s; incline is uphill in the way's
    # direction, so "Drawn away" (drawn from the square, incline=8%) is
    # downhill toward the square.
    osm = Osm("vehicle-slope.osm")
    db = import_fixture(agora, tmp_path, "vehicle-slope.osm")
    assert sorted(db_query(db, "SELECT osm_way_id, incline_pct FROM road_edges")) == [
        (801, 8.0), (811, -8.0), (821, 8.0)]
    res = run_vehicle(agora, db, write_classes(tmp_path))
    cases = {"Uphill": (81, 82, +8.0), "Downhill": (91, 92, -8.0), "Drawn away": (101, 102, -8.0)}
    for name, (a, b, uphill_pct) in cases.items():
        got = per_class(only_entry(res[name]))
        s = dist(*osm.pts(a, b))
        for c in CLASSES:
            v = math.sqrt(2 * (c["accel"] - G * math.sin(math.atan(uphill_pct / 100))) * s)
            assert drive(osm.pts(a, b), c, 5.5, uphill_pct)[0] == pytest.approx(v)
            check_impact(got[c["id"]], c, v, s)
            assert at(got[c["id"]]["path"][0], osm.nodes[a])
    # Uphill WIDE barely accelerates: a = 1.0 - 0.78 m/s².
    assert res["Uphill"]["entries"][0]["by_class"][1]["speed_kmh"] < 25


# ---------------------------------------------------------------- 9. width

def test_wide_class_cannot_use_a_narrower_way(agora, tmp_path, db_query):
    # Way 901 is 2.5 m wide: CAR (1.8 m) drives it, WIDE (3.0 m) cannot; way
    # 911 is exactly 3 m: both drive it.
    osm = Osm("vehicle-narrow.osm")
    db = import_fixture(agora, tmp_path, "vehicle-narrow.osm")
    assert sorted(db_query(db, "SELECT osm_way_id, width_m, width_source FROM road_edges")) == [
        (901, 2.5, "tag:width"), (911, 3.0, "tag:width")]
    res = run_vehicle(agora, db, write_classes(tmp_path))
    narrow, exact = only_entry(res["Narrow"]), only_entry(res["Exact"])
    assert narrow["width_m"] == 2.5 and exact["width_m"] == 3.0
    s = dist(*osm.pts(91, 92))
    got = per_class(narrow)
    check_impact(got["CAR"], CAR, math.sqrt(2 * CAR["accel"] * s), s)
    wide = got["WIDE"]
    assert (wide["speed_kmh"], wide["energy_kj"], wide["run_up_m"], wide["rating"],
            wide["path"]) == (0, 0, 0, None, [])
    got = per_class(exact)
    s = dist(*osm.pts(101, 102))
    for c in CLASSES:
        check_impact(got[c["id"]], c, math.sqrt(2 * c["accel"] * s), s)
    text = ok(agora("vehicle", "way/900", "--model", "constant",
                    "--classes", write_classes(tmp_path), "--db", db)).out
    assert "WIDE" in text and "cannot reach" in text, text


def test_class_that_cannot_reach_has_no_limiting_bend(agora, tmp_path):
    res = analyse(agora, tmp_path, "vehicle-narrow.osm")
    wide = per_class(only_entry(res["Narrow"]))["WIDE"]
    assert wide["speed_kmh"] == 0
    assert wide["limiting_bend"] is None, wide


# ---------------------------------------------------------------- 10. no vehicle access

def test_space_without_vehicle_access_has_no_entries(agora, tmp_path):
    # A park reached only by a footway without a width tag (not drivable,
    # §5); a road ends 10 m short of it. No entry is a valid answer.
    db = import_fixture(agora, tmp_path, "vehicle-park.osm")
    classes = write_classes(tmp_path)
    res = run_vehicle(agora, db, classes)
    assert list(res) == ["Jardin"]
    assert res["Jardin"]["space"]["osm"] == "way/1000"
    assert res["Jardin"]["entries"] == []
    text = ok(agora("vehicle", "way/1000", "--classes", classes, "--db", db))
    assert text.err == ""
    assert text.out.splitlines() == ["Jardin (id 1, way/1000, power model)",
                                     "  no entry: no drivable way reaches this space"]


# ---------------------------------------------------------------- 11. bad input

def assert_refused(res, *needles):
    assert res.rc == BAD_INPUT, str(res)
    assert res.out == "", str(res)
    lines = res.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("agora: "), str(res)
    for needle in needles:
        assert needle in res.err, f"{needle!r} missing from the message\n{res}"


GOOD_ROWS = CLASSES_CSV.splitlines()[1:]
BAD_CLASSES = {
    # header without lateral_accel_ms2 (and the rows without the value)
    "header-missing-column": (
        HEADER.replace("lateral_accel_ms2,", "") + "\n"
        + "\n".join(r.replace(",6,", ",") for r in GOOD_ROWS) + "\n",
        [":1:", "lateral_accel_ms2", "missing"]),
    # line 3 stops after width_m: no source
    "row-missing-column": (
        "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1].rsplit(",", 1)[0]]) + "\n",
        [":3:", "column source", "missing"]),
    # line 3, power_kw "fast"
    "non-numeric": (
        "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace(",1000,", ",fast,")]) + "\n",
        [':3: column power_kw: expected a number, found "fast"']),
}


@pytest.mark.parametrize("case", sorted(BAD_CLASSES))
def test_bad_class_file_is_refused_naming_file_line_and_column(agora, tmp_path, snapshot, case):
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    text, needles = BAD_CLASSES[case]
    assert text.count("\n") == 3
    path = write_classes(tmp_path, text, name=f"{case}.csv")
    before = snapshot(db.parent)
    res = agora("vehicle", "--all", "--classes", path, "--db", db)
    assert_refused(res, str(path), *needles)
    assert snapshot(db.parent) == before


def db_dump(db, tmp_path):
    """The database's content as SQL text, read from a copy."""
    copy = tmp_path / "dump" / "copy.db"
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(db, copy)
    con = sqlite3.connect(copy)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()
        shutil.rmtree(copy.parent)


@pytest.mark.parametrize("args,needles", [
    (["--all", "--model", "fast"], ["--model", '"fast"']),
    (["way/100", "--all"], ["SPACE", "--all"]),
    ([], ["SPACE", "--all"]),
], ids=["model-fast", "space-and-all", "neither"])
def test_bad_usage_is_refused_and_database_unchanged(agora, tmp_path, snapshot, args, needles):
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    classes = write_classes(tmp_path)
    before = snapshot(db.parent)
    res = agora("vehicle", *args, "--classes", classes, "--db", db)
    assert_refused(res, *needles)
    assert snapshot(db.parent) == before


UNKNOWN_SPACES = {"unknown-osm-ref": ["way/999999"], "unknown-id": ["99"],
                  "one-of-two-unknown": ["way/100", "way/999999"]}


@pytest.mark.parametrize("case", sorted(UNKNOWN_SPACES))
def test_unknown_space_is_refused_naming_it_and_nothing_stored(agora, tmp_path, snapshot, case):
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    classes = write_classes(tmp_path)
    before, content = snapshot(db.parent), db_dump(db, tmp_path)
    res = agora("vehicle", *UNKNOWN_SPACES[case], "--classes", classes, "--db", db)
    assert_refused(res, "no space", UNKNOWN_SPACES[case][-1])
    assert sorted(snapshot(db.parent)) == sorted(before)  # no file added or left behind
    assert db_dump(db, tmp_path) == content  # no run stored, nothing else changed


def test_unknown_space_leaves_the_database_byte_for_byte(agora, tmp_path, snapshot):
    db = import_fixture(agora, tmp_path, "vehicle-straight.osm")
    before = snapshot(db.parent)
    res = agora("vehicle", "way/999999", "--classes", write_classes(tmp_path), "--db", db)
    assert_refused(res, "way/999999")
    assert snapshot(db.parent) == before


# ---------------------------------------------------------------- 12. results are stored

def test_results_are_stored_with_the_model_and_the_classes(agora, tmp_path, db_query):
    db = import_fixture(agora, tmp_path, "vehicle-slope.osm")
    classes = write_classes(tmp_path)
    res = ok(agora("vehicle", "--all", "--json", "--model", "constant", "--classes", classes,
                   "--db", db))
    printed = [json.loads(line) for line in res.out.splitlines()]
    runs = db_query(db, "SELECT id, model, classes, params FROM vehicle_runs")
    assert len(runs) == 1
    run_id, model, csv, params = runs[0]
    assert model == "constant"
    assert csv == CLASSES_CSV  # the table's text, byte for byte
    assert json.loads(params)["classes_file"] == "custom"
    spaces = db_query(db, "SELECT id FROM spaces")
    stored = db_query(db, "SELECT run_id, space_id, result FROM vehicle_results")
    assert len(stored) == len(spaces) == len(printed) == 3
    assert {r[0] for r in stored} == {run_id}
    assert {r[1] for r in stored} == {s[0] for s in spaces} == {p["space"]["id"] for p in printed}
    by_space = {r[1]: json.loads(r[2]) for r in stored}
    for p in printed:
        assert by_space[p["space"]["id"]] == p

    # A second run (the default table and model) is kept beside the first.
    ok(agora("vehicle", "way/800", "--db", db))
    runs = db_query(db, "SELECT model, classes, params FROM vehicle_runs ORDER BY id")
    assert [r[0] for r in runs] == ["constant", "power"]
    assert runs[1][1] == DEFAULT_CLASSES.read_text(encoding="utf-8")
    assert json.loads(runs[1][2])["classes_file"] == "data/vehicle-classes.csv"
    assert len(db_query(db, "SELECT * FROM vehicle_results")) == 4
    assert sorted(p.name for p in db.parent.iterdir()) == ["city.db"]  # no -wal, -shm left
