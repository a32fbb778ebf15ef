# agora vehicle, kerb-side entries (docs/methodology.md §13) on the demo city
# data/demo/monaco.osm.pbf: what agora finds is checked against the same
# rule applied here, in Python, to the stored geometry (its own plane, its
# own sampling every 0.5 m, its own segment tests), and against what is
# known of the places.
# SPDX-License-Identifier: EUPL-1.2
import csv
import json
import math
import struct
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PLACE_D_ARMES = "way/4227203"
# A park walled all round (barrier=wall, which stops a vehicle), with a road
# within reach outside the wall.
WALLED_PARK = "way/257071658"  # Square Bellandro de Castro
# A pedestrian street of an old village, shut in by houses on both sides.
SHUT_IN = "way/125740858"  # Passage des Sarrazins

REACH = 6.0  # m, the default (AG_VEHICLE_KERB_DEFAULT_M)
with open(REPO / "data" / "vehicle-classes.csv", encoding="utf-8") as f:
    CLASSES = {r["id"]: r for r in csv.DictReader(f)}
NARROWEST = min(float(c["width_m"]) for c in CLASSES.values())


def run_json(agora, *args):
    res = agora("vehicle", *args, "--json")
    assert res.rc == 0, str(res)
    return [json.loads(line) for line in res.out.splitlines()]


# ---------------------------------------------------------------- geometry

def wkb(blob):
    """Rings (lists of (lon, lat)) of a WKB point, line, polygon or
    multipolygon (little endian, 2D, as agora stores them)."""
    def geom(o):
        kind = struct.unpack_from("<I", blob, o + 1)[0]
        o += 5
        if kind == 1:
            return [[struct.unpack_from("<dd", blob, o)]], o + 16
        if kind == 2:
            n = struct.unpack_from("<I", blob, o)[0]
            return [[struct.unpack_from("<dd", blob, o + 4 + 16 * i) for i in range(n)]], \
                o + 4 + 16 * n
        if kind == 3:
            nr = struct.unpack_from("<I", blob, o)[0]
            o += 4
            rings = []
            for _ in range(nr):
                n = struct.unpack_from("<I", blob, o)[0]
                rings.append([struct.unpack_from("<dd", blob, o + 4 + 16 * i) for i in range(n)])
                o += 4 + 16 * n
            return rings, o
        if kind == 6:
            n = struct.unpack_from("<I", blob, o)[0]
            o += 4
            rings = []
            for _ in range(n):
                r, o = geom(o)
                rings += r
            return rings, o
        raise ValueError(f"WKB type {kind}")
    return geom(0)[0]


class Plane:
    """Metres east and north of a point, on the WGS 84 ellipsoid's radii of
    curvature there (good to a few 1e-6 over a few hundred metres)."""

    def __init__(self, lon, lat):
        a, f = 6378137.0, 1 / 298.257223563
        e2 = f * (2 - f)
        s2 = math.sin(math.radians(lat)) ** 2
        n = a / math.sqrt(1 - e2 * s2)
        m = a * (1 - e2) / (1 - e2 * s2) ** 1.5
        self.lon, self.lat = lon, lat
        self.kx = n * math.cos(math.radians(lat)) * math.pi / 180
        self.ky = m * math.pi / 180

    def xy(self, p):
        return ((p[0] - self.lon) * self.kx, (p[1] - self.lat) * self.ky)


def seg_d2(p, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    l2 = dx * dx + dy * dy
    t = 0 if l2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2))
    q = (a[0] + t * dx, a[1] + t * dy)
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2, q


def cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def seg_seg(a, b, c, d):
    d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return 0.0
    return math.sqrt(min(seg_d2(a, c, d)[0], seg_d2(b, c, d)[0], seg_d2(c, a, b)[0],
                         seg_d2(d, a, b)[0]))


def inside(p, rings):
    odd = False
    for r in rings:
        for a, b in zip(r, r[1:]):
            if (a[1] > p[1]) != (b[1] > p[1]) and \
                    p[0] < a[0] + (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]):
                odd = not odd
    return odd


def nearest(p, rings):
    best = (math.inf, None)
    for r in rings:
        for a, b in zip(r, r[1:]):
            d2, q = seg_d2(p, a, b)
            if d2 < best[0]:
                best = (d2, q)
    return math.sqrt(best[0]), best[1]


def polyline_length(pts):
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:]))


class City:
    """A space of the stored city with what lies around it, in a plane
    centred on it."""

    def __init__(self, db_query, db, ref, around=150):
        otype, oid = ref.split("/")
        (geom, lon, lat), = db_query(db, "SELECT geom, centroid_lon, centroid_lat FROM spaces "
                                         "WHERE osm_type = ? AND osm_id = ?", otype, int(oid))
        self.plane = pl = Plane(lon, lat)
        self.rings = [[pl.xy(p) for p in r] for r in wkb(geom)]
        dlon, dlat = around / pl.kx, around / pl.ky
        box = (lon - dlon, lon + dlon, lat - dlat, lat + dlat)
        self.roads = []
        for way, name, width, tunnel, bridge, g in db_query(
                db, "SELECT osm_way_id, name, width_m, tunnel, bridge, geom FROM road_edges"):
            pts = [pl.xy(p) for p in wkb(g)[0]]
            if min(math.hypot(*p) for p in pts) < 3 * around:
                self.roads.append((way, name, width, tunnel or bridge, pts))
        self.obstacles = []  # (rings, is_area)
        for building, g in db_query(
                db, "SELECT building, geom FROM buildings WHERE max_lon > ? AND min_lon < ? "
                    "AND max_lat > ? AND min_lat < ?", box[0], box[1], box[2], box[3]):
            if building not in ("roof", "carport"):
                self.obstacles.append(([[pl.xy(p) for p in r] for r in wkb(g)], True))
        for (g,) in db_query(db, "SELECT geom FROM barriers WHERE blocks_vehicle = 1"):
            line = [pl.xy(p) for p in wkb(g)[0]]
            if len(line) > 1:
                self.obstacles.append(([line], False))

    def clearance(self, a, b):
        best = math.inf
        for rings, area in self.obstacles:
            if area and (inside(a, rings) or inside(b, rings)):
                return 0.0
            for r in rings:
                for c, d in zip(r, r[1:]):
                    best = min(best, seg_seg(a, b, c, d))
        return best

    def samples(self, step=0.5):
        """Every road point (not in a tunnel or on a bridge) within reach:
        (way, name, point, nearest point of the perimeter, gap, clearance)."""
        for way, name, width, up, pts in self.roads:
            if up or width < 1.8:
                continue
            for k, (a, b) in enumerate(zip(pts, pts[1:])):
                n = max(1, math.ceil(math.dist(a, b) / step))
                # Each point once: a segment's last is the next one's first.
                for i in range(n + 1 if k == len(pts) - 2 else n):
                    p = (a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n)
                    dist, q = nearest(p, self.rings)
                    gap = dist - width / 2
                    if gap > REACH + 0.5 or inside(p, self.rings):
                        continue
                    off = min(width / 2, dist)
                    e = (p[0] + (q[0] - p[0]) * off / dist, p[1] + (q[1] - p[1]) * off / dist)
                    yield way, name, p, q, gap, self.clearance(e, q)


def road_label(name, way):
    return name if name else f"way {way}"


# ---------------------------------------------------------------- Place d'Armes

def test_place_d_armes_has_kerb_side_entries_on_the_streets_beside_it(agora, monaco_db,
                                                                      db_query):
    # Place d'Armes (the Condamine market square) is touched by no drivable
    # way, only by steps and a footway: before kerb-side entries it had no
    # entry at all. Avenue du Port runs along its south side and Rue Grimaldi
    # down its west side to the roundabout (the road named Place d'Armes);
    # Avenue Prince Pierre and Boulevard Charles III pass behind buildings or
    # farther than the reach (11 m and 9.8 m from the carriageway's edge in
    # this extract).
    res, = run_json(agora, PLACE_D_ARMES, "--db", monaco_db)
    entries = res["entries"]
    assert [e["kind"] for e in entries] == ["kerb-side"] * len(entries)
    names = {road_label(e["road"], e["way"]) for e in entries}
    assert {"Rue Grimaldi", "Avenue du Port"} <= names, names
    assert not names & {"Avenue Prince Pierre", "Boulevard Charles III"}, names

    # The same rule, applied here: every road with 6 m or more of frontage
    # within reach and clear of obstacles for the narrowest class has an
    # entry (stretches of one street drawn as several ways are
    # one entry); every entry's road has some.
    city = City(db_query, monaco_db, PLACE_D_ARMES)
    frontage = {}
    for way, name, p, q, gap, clear in city.samples(0.25):
        if gap <= REACH - 0.01 and clear >= NARROWEST / 2 + 0.01:
            frontage[road_label(name, way)] = frontage.get(road_label(name, way), 0) + 0.25
    assert {n for n, m in frontage.items() if m >= 6} <= names, (frontage, names)
    assert names <= set(frontage), (frontage, names)
    # And as much road in all: counting points a quarter metre apart (each
    # stretch's count is up to a point over, and a road edge's end is
    # counted with the next edge's start), within 5 %.
    total = sum(e["frontage_m"] for e in entries)
    assert total == pytest.approx(sum(frontage.values()), rel=0.05), (frontage, entries)

    for e in entries:
        assert e["node"] is None
        assert 0 <= e["gap_m"] <= REACH
        assert e["width_m"] >= e["frontage_m"] - 0.05
        for c in e["by_class"]:
            # Plausible: a vehicle of the class reaches it, no faster than
            # the class can go; the rating is the next standard test speed.
            assert 0 < c["speed_kmh"] <= float(CLASSES[c["class"]]["max_speed_kmh"]) + 0.01, c
            if c["speed_kmh"] <= 112:
                speed = int(c["rating"].split("/")[2])
                assert speed - 16 < c["speed_kmh"] <= speed + 1e-6, c
            # The path runs along roads to the point where the vehicle leaves
            # the road, then straight to the perimeter, which it meets at its
            # nearest point from there: that leg is the pavement crossed plus
            # half the carriageway.
            path = [city.plane.xy(p) for p in c["path"]]
            leave, hit = path[-2], path[-1]
            dist, q = nearest(hit, city.rings)
            assert dist < 0.05, (c["class"], dist)
            d_leave, q_leave = nearest(leave, city.rings)
            assert math.dist(q_leave, hit) < 0.05
            on_road = [wd for _, _, wd, _, pts in city.roads
                       if any(seg_d2(leave, a, b)[0] < 0.05 ** 2 for a, b in zip(pts, pts[1:]))]
            assert on_road, (c["class"], leave)
            assert c["across_m"] <= REACH + 0.05
            assert any(abs(max(0.0, d_leave - wd / 2) - c["across_m"]) < 0.1 for wd in on_road)
            # The run-up is the length of the path on the roads.
            assert polyline_length(path[:-1]) == pytest.approx(c["run_up_m"], abs=0.2, rel=2e-3)

    # The text output says where and on which road.
    text = agora("vehicle", PLACE_D_ARMES, "--db", monaco_db)
    assert text.rc == 0, str(text)
    assert "no entry" not in text.out
    assert "kerb-side: " in text.out and "of Avenue du Port (way " in text.out, text.out


def test_kerb_side_entries_leave_the_way_entries_as_they_were(agora, monaco_db):
    # The same analysis without kerb-side entries (--kerb 0) gives the same
    # way entries, number for number and figure for figure.
    with_kerb = run_json(agora, "--all", "--db", monaco_db)
    without = run_json(agora, "--all", "--kerb", "0", "--db", monaco_db)
    assert [r["space"] for r in with_kerb] == [r["space"] for r in without]
    kerb_total = 0
    for a, b in zip(with_kerb, without):
        ways = [e for e in a["entries"] if e["kind"] == "way"]
        kerb_total += len(a["entries"]) - len(ways)
        assert ways == b["entries"]
        # Way entries come first and keep their numbers.
        assert [e["id"] for e in a["entries"]] == list(range(1, len(a["entries"]) + 1))
        assert a["entries"][:len(ways)] == ways
    assert kerb_total > 0


# ---------------------------------------------------------------- shut in

@pytest.mark.parametrize("ref", [WALLED_PARK, SHUT_IN], ids=["walled-park", "shut-in-street"])
def test_space_shut_in_by_walls_or_buildings_has_no_kerb_side_entry(agora, monaco_db, db_query,
                                                                     ref):
    # Roads pass within reach, but every line from them to the space runs
    # into a building or a wall (checked here), so no vehicle gets across.
    city = City(db_query, monaco_db, ref)
    near = [(gap, clear) for _, _, _, _, gap, clear in city.samples() if gap <= REACH - 0.1]
    assert near, "no road within reach: the case tests nothing"
    assert max(clear for _, clear in near) < NARROWEST / 2, near
    res, = run_json(agora, ref, "--db", monaco_db)
    assert [e for e in res["entries"] if e["kind"] == "kerb-side"] == []


# ---------------------------------------------------------------- option

@pytest.mark.parametrize("value", ["-1", "51", "six"])
def test_bad_kerb_reach_is_refused(agora, monaco_db, value):
    res = agora("vehicle", PLACE_D_ARMES, "--kerb", value, "--db", monaco_db)
    assert res.rc == 2, str(res)
    assert res.out == ""
    assert "--kerb" in res.err and value in res.err


def test_kerb_reach_is_a_parameter_and_is_stored(agora, monaco_db, db_query):
    near, = run_json(agora, PLACE_D_ARMES, "--kerb", "2", "--db", monaco_db)
    far, = run_json(agora, PLACE_D_ARMES, "--db", monaco_db)
    # A shorter reach keeps only the roads whose carriageway passes within 2 m.
    assert 0 < len(near["entries"]) < len(far["entries"])
    assert all(e["gap_m"] <= 2 for e in near["entries"])
    params = [json.loads(p) for p, in db_query(monaco_db, "SELECT params FROM vehicle_runs "
                                                          "ORDER BY id")]
    assert [p["kerb_m"] for p in params] == [2.0, 6.0]
