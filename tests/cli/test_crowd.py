# agora crowd end to end: an event layout written here (the 30 m x 20 m room
# of RiMEA test 9, near Monaco, four exits of 1 m), its capacity and egress
# time checked against hand calculations (docs/methodology.md §15-16, the
# same figures as tests/unit/test_crowd_static.c), the simulation's outputs
# and determinism, every bad input refused with the feature named and
# nothing written, and stored spaces of the demo city.
# SPDX-License-Identifier: EUPL-1.2
import json
import math

import pytest

BAD_INPUT = 2  # README, "Exit codes"

# Degrees per metre at 43.73 N on WGS 84: a degree of latitude is
# M pi / 180 = 111,106.97 m, of longitude N cos(lat) pi / 180 = 80,569.02 m
# (M = a (1 - e²) / W³, N = a / W, W = sqrt(1 - e² sin² lat)); over 30 m
# this is exact to about 1e-6, and agora's transverse Mercator plane to
# about 1e-6 too.
LON0, LAT0 = 7.42, 43.73
M_LAT, M_LON = 111106.97, 80569.02


def ll(x, y):
    return [LON0 + x / M_LON, LAT0 + y / M_LAT]


# The room is drawn 1 mm wider and longer than 30 m x 20 m (600.05 m²):
# products that are whole numbers at exactly 600 m² (600 x 2 = 1200) would
# otherwise fall either side of the integer with the projection's 1e-6.
W, H = 30.001, 20.001
EXITS = {"South": ((14.5, 0), (15.5, 0)), "North": ((14.5, H), (15.5, H)),
         "West": ((0, 9.5), (0, 10.5)), "East": ((W, 9.5), (W, 10.5))}


def feature(role, gtype, coords, **props):
    return {"type": "Feature", "properties": dict(role=role, **props),
            "geometry": {"type": gtype, "coordinates": coords}}


def room(exits=("South", "North", "West", "East"), extra=()):
    area = feature("area", "Polygon", [[ll(0, 0), ll(W, 0), ll(W, H), ll(0, H), ll(0, 0)]],
                   name="Room")
    feats = [area]
    for name in exits:
        a, b = EXITS[name]
        feats.append(feature("exit", "LineString", [ll(*a), ll(*b)], name=name, width_m=1.0))
    feats.extend(extra)
    return {"type": "FeatureCollection", "features": feats}


@pytest.fixture
def layout(tmp_path):
    def write(doc, name="layout.geojson"):
        p = tmp_path / name
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return p
    return write


def run_json(agora, *args):
    r = agora(*args, "--json")
    assert r.rc == 0, r
    return json.loads(r.out)


# ---- tier 1 ----

# Fruin's lower bounds of each level in ft² per person, times 0.09290304.
QUEUING_FT2 = (13, 10, 7, 3, 2)
WALKWAY_FT2 = (35, 25, 15, 10, 5)


def test_capacity_of_the_room_matches_the_hand_calculation(agora, layout):
    c = run_json(agora, "crowd", "capacity", "--layout", layout(room()))
    area = W * H  # 600.05 m²
    assert c["area_m2"] == pytest.approx(area, abs=0.01)
    # Queuing: 600.05 / 1.20773952 = 496.8 -> 496; / 0.9290304 = 645.9;
    # / 0.65032128 = 922.7; / 0.27870912 = 2153.0 -> 2152 (2152.98);
    # / 0.18580608 = 3229.4; F: 600.05 x 5.4 = 3240.3 -> 3240.
    assert [c["queuing"][l] for l in "ABCDEF"] == [496, 645, 922, 2152, 3229, 3240]
    # Walkway: 184.5, 258.3, 430.6, 645.9, 1291.8, and F as above.
    assert [c["walkway"][l] for l in "ABCDEF"] == [184, 258, 430, 645, 1291, 3240]
    for i, ft2 in enumerate(QUEUING_FT2):
        assert c["queuing"]["ABCDE"[i]] == math.floor(area / (ft2 * 0.09290304))
    # Holding 600.05 x 2 = 1200.1 -> 1200. Egress: 1 m x 82 x 8 = 656 per
    # exit, the first of four equal exits discounted: 3 x 656 = 1968.
    assert c["holding_persons"] == 1200
    assert c["exit_width_m"] == pytest.approx(4.0)
    assert c["exit_width_used_m"] == pytest.approx(3.0)
    assert c["discounted_exit"] == 1
    assert c["egress_persons"] == 1968
    assert c["capacity_persons"] == 1200 and c["limit"] == "holding"
    assert [e["name"] for e in c["exits"]] == ["South", "North", "West", "East"]


def test_capacity_with_two_exits_is_limited_by_egress_and_says_so(agora, layout):
    p = layout(room(exits=("South", "North")))
    c = run_json(agora, "crowd", "capacity", "--layout", p)
    # One exit left: 1 x 82 x 8 = 656 < 1200.
    assert c["egress_persons"] == 656 and c["capacity_persons"] == 656
    assert c["limit"] == "egress"
    # Ten minutes: 1 x 82 x 10 = 820; and a denser plan: 600.05 x 3 = 1800.
    c = run_json(agora, "crowd", "capacity", "--layout", p, "--egress-minutes", "10",
                 "--density", "3")
    assert c["egress_persons"] == 820 and c["holding_persons"] == 1800
    r = agora("crowd", "capacity", "--layout", p)
    assert r.rc == 0, r
    assert "Capacity: 656 people, limited by the exits" in r.out
    assert "exit 1 (South) (1.0 m) assumed blocked" in r.out


# ---- tier 2 ----

def test_egress_of_1000_people_matches_the_sfpe_hand_calculation(agora, layout):
    e = run_json(agora, "crowd", "egress", "--layout", layout(room()), "--people", "1000")
    # 1000 / 600.05 = 1.667 persons/m²: S = 1.40 (1 - 0.266 x 1.667) = 0.779 m/s.
    # Each exit: We = 1 - 2 x 0.15 = 0.70 m, F = 1.3 x 0.70 = 0.91 /s; 250
    # people each (balanced): 250 / 0.91 = 274.73 s, plus the walk of the
    # first of them to the door (under 2 m at 0.78 m/s).
    assert e["density_pm2"] == pytest.approx(1000 / (W * H), rel=1e-5)
    assert e["speed_ms"] == pytest.approx(1.40 * (1 - 0.266 * 1000 / (W * H)), rel=1e-5)
    assert sum(x["people"] for x in e["by_exit"]) == 1000
    for x in e["by_exit"]:
        assert x["flow_ps"] == pytest.approx(0.91)
        assert 245 <= x["people"] <= 255
    lo = 250 / 0.91
    assert lo - 6 / 0.91 <= e["total_s"] <= lo + 6 / 0.91 + 3
    # Default people: the holding capacity.
    assert run_json(agora, "crowd", "egress", "--layout", layout(room()))["people"] == 1200


def test_egress_premovement_adds_to_the_time_and_text_names_the_last_exit(agora, layout):
    p = layout(room())
    base = run_json(agora, "crowd", "egress", "--layout", p, "--people", "400")
    late = run_json(agora, "crowd", "egress", "--layout", p, "--people", "400",
                    "--premovement", "60")
    assert late["total_s"] == pytest.approx(base["total_s"] + 60, abs=1e-3)
    r = agora("crowd", "egress", "--layout", p, "--people", "400")
    assert r.rc == 0, r
    assert "Everyone out after" in r.out and "the last to clear is exit" in r.out


# ---- tier 3 ----

def test_simulate_writes_its_outputs_and_repeats_itself(agora, layout, tmp_path):
    p = layout(room())
    outs = []
    for i in (1, 2):
        out = tmp_path / f"run{i}"
        r = agora("crowd", "simulate", "--layout", p, "--people", "200", "--seed", "1",
                  "--out", out)
        assert r.rc == 0, r
        assert "everyone out after" in r.out and "95 % out after" in r.out
        assert "quickest exit, quickest path" in r.out
        assert "tier 1" in r.out and "tier 2" in r.out and "tier 3" in r.out
        outs.append(out)
    names = sorted(f.name for f in outs[0].iterdir())
    assert names == ["density.csv", "evacuation.csv", "los-map.svg", "summary.json",
                     "trajectories.txt"]
    a = (outs[0] / "summary.json").read_text()
    assert a == (outs[1] / "summary.json").read_text()
    for f in names:
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    s = json.loads(a)
    assert s["complete"] and s["people_out"] == 200 and sum(s["out_by_exit"]) == 200
    # Tier 1: 200 people / (4 m x 82 / 60 s) = 36.59 s.
    assert s["tiers"]["tier1_s"] == pytest.approx(200 / (4 * 82 / 60), abs=0.01)
    assert s["tiers"]["tier3_s"] == s["evacuation_s"] > s["t95_s"] > 0
    curve = (outs[0] / "evacuation.csv").read_text().splitlines()
    assert curve[0] == "time_s,people_out,exit" and len(curve) == 201
    traj = (outs[0] / "trajectories.txt").read_text()
    assert "# framerate: 10.00 fps" in traj
    assert (outs[0] / "los-map.svg").read_text().startswith("<?xml")
    # Another seed, another run.
    r = agora("crowd", "simulate", "--layout", p, "--people", "200", "--seed", "2", "--json")
    assert r.rc == 0, r
    assert json.loads(r.out)["evacuation_s"] != s["evacuation_s"]


def test_simulate_field_shortest_is_the_static_floor_field(agora, layout):
    # --field quickest (the default) solves the floor field again with the
    # congestion; shortest keeps the walking distance: same people, another
    # run. A bad value is refused, and --help names both.
    p = layout(room())
    args = ("crowd", "simulate", "--layout", p, "--people", "300", "--seed", "3",
            "--route", "nearest")
    quick = run_json(agora, *args)
    short = run_json(agora, *args, "--field", "shortest")
    assert quick["field"] == "quickest" and short["field"] == "shortest"
    for s in (quick, short):
        assert s["complete"] and s["people_out"] == 300
    assert quick["evacuation_s"] != short["evacuation_s"]
    assert run_json(agora, *args, "--field", "quickest") == quick
    r = agora("crowd", "simulate", "--layout", p, "--people", "10", "--field", "fastest")
    assert r.rc == BAD_INPUT and "--field: expected quickest or shortest" in r.err
    r = agora("crowd", "simulate", "--help")
    assert r.rc == 0 and "--field F" in r.out and "shortest" in r.out


def test_simulate_needs_people(agora, layout):
    r = agora("crowd", "simulate", "--layout", layout(room()))
    assert r.rc == BAD_INPUT and "--people N is required" in r.err


# ---- bad input: a clear message naming the feature, nothing written ----

def bad_cases():
    far = feature("exit", "LineString", [ll(40, 10), ll(41, 10)], name="Gate B")
    stall = feature("stall", "Polygon", [[ll(1, 1), ll(2, 1), ll(2, 2), ll(1, 1)]], name="Crepes")
    return {
        "invalid JSON": ('{"type": "FeatureCollection", "features": [',
                         "not valid GeoJSON: line 1"),
        "exit outside the area": (room(extra=[far]),
                                  "features[5] (Gate B): exit outside the area"),
        "no exit": (room(exits=()), "no exit"),
        "unknown role": (room(extra=[stall]), "features[5] (Crepes): unknown role \"stall\""),
    }


@pytest.mark.parametrize("case", ["invalid JSON", "exit outside the area", "no exit",
                                  "unknown role"])
@pytest.mark.parametrize("cmd", ["capacity", "egress", "simulate"])
def test_bad_layouts_are_refused_and_nothing_is_written(agora, layout, tmp_path, case, cmd):
    doc, expect = bad_cases()[case]
    p = layout(doc)
    out = tmp_path / "out"
    extra = ["--people", "100", "--out", out] if cmd == "simulate" else []
    r = agora("crowd", cmd, "--layout", p, *extra)
    assert r.rc == BAD_INPUT, r
    assert expect in r.err, r
    assert "layout.geojson" in r.err
    assert not out.exists()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["layout.geojson"]


@pytest.mark.parametrize("cmd", ["egress", "simulate"])
def test_more_people_than_fit_are_refused(agora, layout, tmp_path, cmd):
    out = tmp_path / "out"
    extra = ["--out", out] if cmd == "simulate" else []
    # 600.05 m² x 5.4 = 3240.27: 3241 people do not fit.
    r = agora("crowd", cmd, "--layout", layout(room()), "--people", "3241", *extra)
    assert r.rc == BAD_INPUT, r
    assert "above the physical maximum of 5.40 persons/m²: at most 3240 fit" in r.err
    assert not out.exists()


def test_usage_errors(agora, layout):
    assert agora("crowd").rc == BAD_INPUT
    r = agora("crowd", "capacity")
    assert r.rc == BAD_INPUT and "give a SPACE or --layout FILE" in r.err
    r = agora("crowd", "egress", "--layout", layout(room()), "--rule", "fastest")
    assert r.rc == BAD_INPUT and "--rule" in r.err
    r = agora("crowd", "capacity", "--help")
    assert r.rc == 0 and "Fruin" in r.out
    r = agora("crowd", "--help")
    assert r.rc == 0 and "simulate" in r.out


# ---- stored spaces of the demo city ----

def test_capacity_of_place_d_armes_from_the_street_network(agora, monaco_db, snapshot):
    before = snapshot(monaco_db.parent)
    c = run_json(agora, "crowd", "capacity", "way/4227203", "--db", monaco_db)
    assert c["space"]["name"] == "Place d'Armes"
    # The square is open along Avenue du Port and where Place d'Armes (the
    # street) meets it; its holding capacity is its area at 2 persons/m².
    assert len(c["exits"]) >= 2
    assert any(e["name"] == "Avenue du Port" for e in c["exits"])
    assert c["holding_persons"] == math.floor(c["area_m2"] * 2)
    assert 2000 < c["area_m2"] <= 2313.5  # the stored polygon: 2,313 m²
    e = run_json(agora, "crowd", "egress", "way/4227203", "--db", monaco_db, "--people", "1000")
    assert e["total_s"] > 0 and sum(x["people"] for x in e["by_exit"]) == 1000
    assert snapshot(monaco_db.parent) == before  # nothing stored


def test_a_space_without_exit_says_so_and_suggests_a_layout(agora, monaco_db, snapshot):
    before = snapshot(monaco_db.parent)
    # Place du Palais: the road around it runs 8-9 m from its outline and
    # no street reaches it in the imported network.
    for cmd in ("capacity", "egress"):
        r = agora("crowd", cmd, "way/4227155", "--db", monaco_db)
        assert r.rc == BAD_INPUT, r
        assert "Place du Palais (space" in r.err and "has no exit" in r.err
        assert "--layout FILE" in r.err
    assert snapshot(monaco_db.parent) == before
