# The commands doing their job: import, spaces list/show/add, report, help
# and usage errors, and a quiet stderr when nobody watches.
# SPDX-License-Identifier: EUPL-1.2
import json
import math
import os
import pty
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MONACO_PBF = REPO / "data" / "demo" / "monaco.osm.pbf"
PLACE_D_ARMES_OSM = REPO / "tests" / "data" / "monaco-place-d-armes.osm"
GEOJSON = REPO / "tests" / "data" / "geojson"

PLACE_D_ARMES = "way/4227203"


def ok(res):
    assert res.rc == 0, str(res)
    return res


def list_json(agora, db):
    res = ok(agora("spaces", "list", "--json", "--db", db))
    assert res.err == "", str(res)
    return json.loads(res.out)


def by_ref(spaces, ref):
    found = [s for s in spaces if s["ref"] == ref]
    assert len(found) == 1, f"{ref}: {len(found)} spaces"
    return found[0]


# ---------------------------------------------------------------- import

def test_import_prints_a_summary_and_exits_0(agora, monaco_import, monaco_db):
    res = monaco_import.result
    assert res.rc == 0, str(res)
    lines = res.out.splitlines()
    assert lines[0] == f"Imported Monaco from {MONACO_PBF} into {monaco_import.db}", str(res)
    m = re.search(r"^  read: (\d+) nodes, (\d+) ways, (\d+) relations$", res.out, re.M)
    assert m and all(int(g) > 0 for g in m.groups()), str(res)
    m = re.search(r"^  public spaces: (\d+)$", res.out, re.M)
    assert m, str(res)
    n_spaces = int(m.group(1))
    by_kind = re.findall(r"^    (\w+) +(\d+)$", res.out, re.M)
    assert sum(int(n) for _, n in by_kind) == n_spaces
    assert ("pedestrian_area" in dict(by_kind))
    assert re.search(r"^  road network: [1-9]\d* edges, [1-9]\d* nodes$", res.out, re.M), str(res)
    assert re.search(r"^  barriers: \d+ \(\d+ stop a vehicle\)$", res.out, re.M), str(res)
    assert re.search(r"^  buildings: [1-9]\d*$", res.out, re.M), str(res)
    # The summary counts what was stored.
    spaces = list_json(agora, monaco_db)
    assert len(spaces) == n_spaces
    assert Counter(s["kind"] for s in spaces) == {k: int(n) for k, n in by_kind}


def test_import_leaves_only_the_database_file(monaco_import):
    # The WAL is checkpointed and removed when the import closes the database:
    # no -wal, -shm, -journal or temporary file stays behind.
    assert sorted(os.listdir(monaco_import.dir)) == [monaco_import.db.name]


def test_import_is_quiet_on_stderr_when_not_a_terminal(monaco_import):
    # The tests pipe stderr: no progress bar, no warning, nothing.
    assert monaco_import.result.err == "", str(monaco_import.result)


def test_import_draws_progress_on_a_terminal(agora, tmp_path):
    # The other side of the test above: the quiet stderr is a decision taken
    # on isatty, not a progress display that is simply missing.
    try:
        master, slave = pty.openpty()
    except OSError as e:
        pytest.skip(f"no pseudo-terminal here: {e}")
    try:
        res = agora("import", PLACE_D_ARMES_OSM, "--db", tmp_path / "city.db", stderr=slave)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the terminal has no writer left
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    tty = b"".join(chunks).decode("utf-8", "replace")
    assert res.rc == 0, f"{res}\n--- terminal ---\n{tty}"
    assert "reading OSM objects" in tty, tty
    assert "ERROR:" not in tty and "runtime error" not in tty, tty


def test_import_json_summary_agrees_with_the_stored_spaces(agora, tmp_path):
    db = tmp_path / "city.db"
    res = ok(agora("import", PLACE_D_ARMES_OSM, "--db", db, "--json"))
    assert res.err == ""
    s = json.loads(res.out)
    assert s["city"] == "monaco-place-d-armes"  # the file name without .osm
    assert s["created"] is True
    assert s["source"] == str(PLACE_D_ARMES_OSM)
    assert s["spaces"] == s["spaces_inserted"] > 0
    assert (s["spaces_updated"], s["spaces_removed"]) == (0, 0)
    assert sum(s["spaces_by_kind"].values()) == s["spaces"]
    spaces = list_json(agora, db)
    assert len(spaces) == s["spaces"]
    assert {k: n for k, n in s["spaces_by_kind"].items() if n} == Counter(x["kind"] for x in spaces)


# ---------------------------------------------------------------- spaces list / show

def test_spaces_list_shows_place_d_armes_as_a_pedestrian_area(agora, monaco_db):
    res = ok(agora("spaces", "list", "--db", monaco_db))
    assert res.err == ""
    lines = res.out.splitlines()
    assert lines[0].split() == ["id", "ref", "kind", "area", "m2", "perim.", "m", "name"]
    row = [ln for ln in lines if f" {PLACE_D_ARMES} " in ln]
    assert len(row) == 1, res.out
    assert re.match(r"^\d+ +way/4227203 +pedestrian_area +[\d,]+ +[\d,]+  Place d'Armes$",
                    row[0]), row[0]
    m = re.fullmatch(r"(\d+) spaces in Monaco", lines[-1])
    assert m, lines[-1]
    assert int(m.group(1)) == len(lines) - 2 == len(list_json(agora, monaco_db))


def test_spaces_list_json_has_place_d_armes_as_a_pedestrian_area(agora, monaco_db):
    spaces = list_json(agora, monaco_db)
    pda = by_ref(spaces, PLACE_D_ARMES)
    assert pda["name"] == "Place d'Armes"
    assert pda["kind"] == "pedestrian_area"
    assert pda["origin"] == "osm"
    assert pda["area_m2"] > 0 and pda["perimeter_m"] > 0
    lon, lat = pda["centroid"]
    assert 7.41 < lon < 7.43 and 43.72 < lat < 43.74  # La Condamine
    assert len({s["id"] for s in spaces}) == len(spaces)
    assert len({s["ref"] for s in spaces}) == len(spaces)
    assert all(s["origin"] == "osm" for s in spaces)


def test_spaces_show_by_reference_and_by_id_print_the_same(agora, monaco_db):
    pda = by_ref(list_json(agora, monaco_db), PLACE_D_ARMES)
    by_osm = ok(agora("spaces", "show", PLACE_D_ARMES, "--db", monaco_db))
    by_id = ok(agora("spaces", "show", pda["id"], "--db", monaco_db))
    assert by_osm.out == by_id.out
    assert by_osm.err == by_id.err == ""
    fields = dict(re.findall(r"^(\w+): +(.*)$", by_osm.out, re.M))
    assert fields["id"] == str(pda["id"])
    assert fields["name"] == "Place d'Armes"
    assert fields["kind"] == "pedestrian_area"
    assert fields["source"] == f"OpenStreetMap {PLACE_D_ARMES}"
    assert float(fields["area"].split()[0].replace(",", "")) == pytest.approx(pda["area_m2"],
                                                                              abs=0.06)


def test_spaces_show_geojson_is_a_feature_with_closed_rings(agora, monaco_db):
    spaces = list_json(agora, monaco_db)
    res = ok(agora("spaces", "show", PLACE_D_ARMES, "--geojson", "--db", monaco_db))
    f = json.loads(res.out)
    assert f["type"] == "Feature"
    assert f["properties"] == by_ref(spaces, PLACE_D_ARMES)
    geom = f["geometry"]
    assert geom["type"] in ("Polygon", "MultiPolygon")
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    assert polygons
    for polygon in polygons:
        assert polygon
        for ring in polygon:
            assert len(ring) >= 4, ring
            assert ring[0] == ring[-1], "ring not closed"
            for lon, lat in ring:
                assert 7.41 < lon < 7.43 and 43.72 < lat < 43.74


# ---------------------------------------------------------------- spaces add

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563


def ellipsoid_rectangle(lon1, lat1, lon2, lat2):
    """Area (m2) and perimeter (m) of the lon/lat rectangle on the WGS84
    ellipsoid. Area between two parallels over dlon (radians), from the
    authalic latitude: A = b^2 dlon / 2 [q(lat2) - q(lat1)] with
    q(p) = sin p / (1 - e^2 sin^2 p) + 1/(2e) ln((1 + e sin p) / (1 - e sin p)).
    Perimeter: the two parallel arcs (N cos lat dlon) and the two meridian
    arcs (M dlat, M at the mean latitude: exact enough for 30 m)."""
    e2 = WGS84_F * (2 - WGS84_F)
    e = math.sqrt(e2)
    b = WGS84_A * (1 - WGS84_F)

    def q(lat):
        s = math.sin(lat)
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    area = b * b * dl / 2 * (q(p2) - q(p1))

    def n(lat):
        return WGS84_A / math.sqrt(1 - e2 * math.sin(lat) ** 2)

    pm = (p1 + p2) / 2
    m = WGS84_A * (1 - e2) / (1 - e2 * math.sin(pm) ** 2) ** 1.5
    perimeter = (n(p1) * math.cos(p1) + n(p2) * math.cos(p2)) * dl + 2 * m * (p2 - p1)
    return area, perimeter


def test_spaces_add_market_is_listed_as_custom_with_its_measured_area(agora, monaco_db):
    src = GEOJSON / "market.geojson"
    feature = json.loads(src.read_text(encoding="utf-8"))
    ring = feature["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert sorted(set(lons)) == [min(lons), max(lons)] and len(ring) == 5  # a rectangle
    area, perimeter = ellipsoid_rectangle(min(lons), min(lats), max(lons), max(lats))
    assert 1000 < area < 1400  # a hand check of the formula: about 40 m by 30 m

    osm_before = list_json(agora, monaco_db)
    res = ok(agora("spaces", "add", "--geojson", src, "--kind", "marketplace",
                   "--db", monaco_db))
    assert res.err == ""
    m = re.fullmatch(r'Added space (\d+) "Marché de Noël" \(marketplace, [\d,]+ m2\) to Monaco\n',
                     res.out)
    assert m, str(res)

    spaces = list_json(agora, monaco_db)
    custom = [s for s in spaces if s["origin"] == "custom"]
    assert len(custom) == 1
    c = custom[0]
    assert c["id"] == int(m.group(1))
    assert c["id"] not in {s["id"] for s in osm_before}
    assert c["name"] == feature["properties"]["name"]
    assert c["kind"] == "marketplace"
    assert c["ref"] is None
    assert c["area_m2"] == pytest.approx(area, rel=0.01)
    assert c["perimeter_m"] == pytest.approx(perimeter, rel=0.01)
    assert c["centroid"][0] == pytest.approx((min(lons) + max(lons)) / 2, abs=1e-6)
    assert c["centroid"][1] == pytest.approx((min(lats) + max(lats)) / 2, abs=1e-6)
    assert [s for s in spaces if s["origin"] == "osm"] == osm_before

    shown = ok(agora("spaces", "show", c["id"], "--db", monaco_db))
    assert "source:      custom perimeter" in shown.out
    assert "name:        Marché de Noël" in shown.out


# ---------------------------------------------------------------- report

class ReportParser(HTMLParser):
    """Collects the text of every card title (<h3>) and counts <svg>s."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles, self.svgs, self._in_h3 = [], 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "h3":
            self._in_h3 = True
            self.titles.append("")
        elif tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in_h3 = False

    def handle_data(self, data):
        if self._in_h3:
            self.titles[-1] += data


ODD_NAME = "Fête <b>des</b> \"Lumières\" & l'été"


def test_report_lists_every_space_with_a_map_and_needs_no_network(agora, monaco_db, tmp_path):
    # A space whose name must be escaped in HTML.
    ok(agora("spaces", "add", "--geojson", GEOJSON / "market.geojson", "--kind", "event_site",
             "--name", ODD_NAME, "--db", monaco_db))
    spaces = list_json(agora, monaco_db)
    out = tmp_path / "report"
    res = ok(agora("report", "--db", monaco_db, "--out", out))
    assert res.out == f"Report written to {out}/index.html\n"
    assert res.err == ""
    assert sorted(os.listdir(out)) == ["index.html"]  # no temporary file left behind
    html = (out / "index.html").read_text(encoding="utf-8")

    page = ReportParser()
    page.feed(html)
    page.close()
    names = [s["name"] if s["name"] is not None else "(unnamed)" for s in spaces]
    assert Counter(page.titles) == Counter(names)
    assert "<b>des</b>" not in html and "des&lt;/b&gt;" in html
    assert page.svgs == len(spaces) == html.count("<svg")

    # Self-contained: nothing is fetched when the page is opened.
    low = html.lower()
    assert "<script" not in low
    assert "<link" not in low
    assert "<iframe" not in low and "<img" not in low
    assert "url(" not in low and "@import" not in low
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", low)
    urls = Counter(re.findall(r"https?://[^\s\"'<>)]*", html))
    allowed = {"http://www.w3.org/2000/svg", "https://www.openstreetmap.org/copyright"}
    assert set(u.rstrip(".,;") for u in urls) <= allowed, urls
    assert html.count('xmlns="http://www.w3.org/2000/svg"') == urls["http://www.w3.org/2000/svg"]
    assert "OpenStreetMap contributors" in html


# ---------------------------------------------------------------- help and usage

HELP_COMMANDS = [
    ["--help"], ["-h"], ["help"],
    ["import", "--help"],
    ["spaces", "--help"],
    ["spaces", "list", "--help"],
    ["spaces", "show", "--help"],
    ["spaces", "add", "--help"],
    ["report", "--help"],
]


@pytest.mark.parametrize("args", HELP_COMMANDS, ids=" ".join)
def test_help_exits_0_and_prints_usage(agora, args):
    res = agora(*args)
    assert res.rc == 0, str(res)
    assert "Usage: agora" in res.out
    assert res.err == ""


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["spaces"],
    ["spaces", "frobnicate"],
    ["import"],
    ["report"],
    ["spaces", "show"],
    ["spaces", "add", "--kind", "marketplace"],
], ids=" ".join)
def test_incomplete_or_unknown_command_exits_2(agora, args, tmp_path):
    res = agora(*args, "--db", tmp_path / "none.db")
    assert res.rc == 2, str(res)
    assert res.out == ""
    assert res.err.startswith("agora: ") and len(res.err.splitlines()) == 1, str(res)
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("args", [
    ["import", str(PLACE_D_ARMES_OSM), "--frobnicate"],
    ["spaces", "list", "--frobnicate"],
    ["spaces", "show", PLACE_D_ARMES, "--frobnicate"],
    ["spaces", "add", "--frobnicate"],
    ["report", "--out", "r", "--frobnicate"],
], ids=lambda a: " ".join(a[:2]))
def test_unknown_option_exits_2(agora, args, tmp_path):
    res = agora(*args, "--db", tmp_path / "none.db", cwd=tmp_path)
    assert res.rc == 2, str(res)
    assert res.out == ""
    assert "unknown option --frobnicate" in res.err, str(res)
    assert os.listdir(tmp_path) == []


def test_no_arguments_exits_2_with_usage_on_stderr(agora):
    res = agora()
    assert res.rc == 2, str(res)
    assert res.out == ""
    assert "Usage: agora" in res.err


# ---------------------------------------------------------------- reading needs no write access

READERS = {
    "spaces-list": lambda db, out: ["spaces", "list", "--db", db],
    "spaces-show": lambda db, out: ["spaces", "show", PLACE_D_ARMES, "--db", db],
    "report": lambda db, out: ["report", "--db", db, "--out", out],
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_read_only_commands_leave_no_files_next_to_the_database(
        agora, monaco_db, reader, snapshot, tmp_path):
    before = snapshot(monaco_db.parent)
    ok(agora(*READERS[reader](monaco_db, tmp_path / "report")))
    assert snapshot(monaco_db.parent) == before


@pytest.mark.parametrize("reader", sorted(READERS))
def test_read_only_commands_work_on_a_database_in_a_read_only_directory(
        agora, monaco_import, reader, unprivileged, db_copy, snapshot):
    d = unprivileged.path / "ro"
    db = db_copy(monaco_import.db, d / "city.db")
    unprivileged.read_only(db)
    unprivileged.read_only(d)
    before = snapshot(d)
    out = unprivileged.path / "report"
    unprivileged.path.chmod(0o777)  # the report may be written next to ro/
    res = agora(*READERS[reader](db, out), as_nobody=True, cwd=unprivileged.path)
    assert res.rc == 0, str(res)
    assert "not an agora database" not in res.err
    assert snapshot(d) == before
