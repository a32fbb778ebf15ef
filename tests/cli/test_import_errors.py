# Bad input never harms a database: every refusal exits with the documented
# code (2: bad usage or bad input), says on stderr which file is wrong and
# why, and leaves the database directory byte for byte as it was (no database
# created where there was none, no journal or temporary file left behind).
# SPDX-License-Identifier: EUPL-1.2
import gzip
import json
import random
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MONACO_PBF = REPO / "data" / "demo" / "monaco.osm.pbf"
PLACE_D_ARMES_OSM = REPO / "tests" / "data" / "monaco-place-d-armes.osm"
GEOJSON = REPO / "tests" / "data" / "geojson"
OSM = REPO / "tests" / "data" / "osm"

BAD_INPUT = 2  # README, "Exit codes": 2 bad usage or bad input


def assert_refused(res, *needles, code=BAD_INPUT):
    """The run failed with exit code `code`, printed nothing on stdout and one
    line on stderr, "agora: ...", containing every needle."""
    assert res.rc == code, f"expected exit code {code}\n{res}"
    assert res.out == "", f"a refused command printed on stdout\n{res}"
    lines = res.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("agora: "), \
        f"expected one 'agora: ...' line on stderr\n{res}"
    for needle in needles:
        assert needle in res.err, f"{needle!r} missing from the message\n{res}"


class Target:
    """The database a command is pointed at, and the state of its directory
    before the command ran."""

    def __init__(self, db, snapshot):
        self.db = db
        self.dir = db.parent
        self._snapshot = snapshot
        self.existed = db.exists()
        self.before = snapshot(self.dir)

    def assert_unchanged(self):
        after = self._snapshot(self.dir)
        assert after == self.before, (
            f"the database directory changed:\nbefore {self.before}\nafter  {after}")
        if not self.existed:
            assert not self.db.exists() and after == {}, "a database was created"


@pytest.fixture(params=["existing-db", "no-db"])
def target(request, tmp_path, snapshot):
    """Each bad input is tried against an imported city (the demo database)
    and against a database path where there is no database yet."""
    if request.param == "existing-db":
        db = request.getfixturevalue("monaco_db")
    else:
        db = tmp_path / "db" / "monaco.db"
        db.parent.mkdir()
    return Target(db, snapshot)


@pytest.fixture
def city(monaco_db, snapshot):
    """An imported city (a copy of the demo database), for commands that need
    one."""
    return Target(monaco_db, snapshot)


# ---------------------------------------------------------------- import

def test_missing_file_is_refused_and_database_unchanged(agora, target, tmp_path):
    missing = tmp_path / "missing.osm.pbf"
    res = agora("import", missing, "--db", target.db)
    assert_refused(res, str(missing), "No such file")
    target.assert_unchanged()


def test_empty_file_is_refused_and_database_unchanged(agora, target, tmp_path):
    empty = tmp_path / "empty.osm"
    empty.write_bytes(b"")
    res = agora("import", empty, "--db", target.db)
    assert_refused(res, str(empty), "empty")
    target.assert_unchanged()


def test_truncated_pbf_is_refused_and_database_unchanged(agora, target, tmp_path):
    cut = tmp_path / "x.osm.pbf"
    cut.write_bytes(MONACO_PBF.read_bytes()[:800000])
    res = agora("import", cut, "--db", target.db)
    assert_refused(res, str(cut), "truncated")
    target.assert_unchanged()


def test_pbf_of_random_bytes_is_refused_and_database_unchanged(agora, target, tmp_path):
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(random.Random(20240521).randbytes(256 * 1024))
    res = agora("import", garbage, "--db", target.db)
    assert_refused(res, str(garbage), "corrupt")
    target.assert_unchanged()


HTML_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="fr">
  <head><meta charset="utf-8"/><title>Monaco - OpenStreetMap</title></head>
  <body>
    <h1>Monaco</h1>
    <p>Saved from the browser with "Save page as..." instead of the export.</p>
    <a href="https://www.openstreetmap.org/export">Export</a>
  </body>
</html>
"""


def test_html_page_saved_as_osm_is_refused_and_database_unchanged(agora, target, tmp_path):
    page = tmp_path / "monaco.osm"
    page.write_text(HTML_PAGE, encoding="utf-8")
    res = agora("import", page, "--db", target.db)
    assert_refused(res, str(page))
    assert re.search(r"no OpenStreetMap (nodes|data)|not an? (OSM|OpenStreetMap)", res.err), \
        f"the message does not say the XML is not OpenStreetMap data\n{res}"
    target.assert_unchanged()


def test_osm_without_anything_usable_is_refused_and_database_unchanged(agora, target):
    src = OSM / "nothing-usable.osm"
    res = agora("import", src, "--db", target.db)
    assert_refused(res, str(src), "no public space, road or building")
    target.assert_unchanged()


def test_truncated_osm_xml_is_refused_and_database_unchanged(agora, target, tmp_path):
    text = PLACE_D_ARMES_OSM.read_bytes()
    cut = tmp_path / "cut.osm"
    cut.write_bytes(text[: len(text) // 2])
    res = agora("import", cut, "--db", target.db)
    assert_refused(res, str(cut), "XML", "truncated")
    target.assert_unchanged()


def test_gzipped_osm_is_refused_with_a_hint_to_decompress(agora, target, tmp_path):
    gz = tmp_path / "monaco-place-d-armes.osm.gz"
    gz.write_bytes(gzip.compress(PLACE_D_ARMES_OSM.read_bytes()))
    res = agora("import", gz, "--db", target.db)
    assert_refused(res, str(gz), "decompress")
    target.assert_unchanged()


# ---------------------------------------------------------------- spaces add

def add(agora, db, geojson, kind="marketplace", *extra):
    return agora("spaces", "add", "--geojson", geojson, "--kind", kind, "--db", db, *extra)


def test_linestring_is_refused_as_a_perimeter_and_database_unchanged(agora, target):
    src = GEOJSON / "line.geojson"
    res = add(agora, target.db, src)
    assert_refused(res, str(src), "LineString", "Polygon")
    target.assert_unchanged()


def test_self_intersecting_polygon_is_refused_naming_the_crossing_edges(agora, target):
    # bowtie.geojson: vertices 1 (SW), 2 (NE), 3 (SE), 4 (NW): the diagonals
    # 1-2 and 3-4 cross.
    src = GEOJSON / "bowtie.geojson"
    res = add(agora, target.db, src)
    assert_refused(res, str(src), "crosses itself", "edge 1-2", "edge 3-4")
    target.assert_unchanged()


def test_broken_json_is_refused_with_line_and_column(agora, target):
    src = GEOJSON / "broken.geojson"  # a missing comma on line 3
    res = add(agora, target.db, src)
    assert_refused(res, str(src), "line 3")
    assert re.search(r"column \d+", res.err), f"no column in the message\n{res}"
    target.assert_unchanged()


def test_empty_geojson_is_refused_and_database_unchanged(agora, target):
    src = GEOJSON / "empty.geojson"
    assert src.stat().st_size == 0
    res = add(agora, target.db, src)
    assert_refused(res, str(src), "empty")
    target.assert_unchanged()


def test_unknown_kind_is_refused_listing_the_kinds(agora, target):
    res = add(agora, target.db, GEOJSON / "market.geojson", "bazaar")
    assert_refused(res, '"bazaar"', "--kind", "marketplace", "event_site", "other")
    target.assert_unchanged()


def test_spaces_add_without_a_database_is_refused_and_creates_none(agora, tmp_path, snapshot):
    d = tmp_path / "db"
    d.mkdir()
    db = d / "none.db"
    res = add(agora, db, GEOJSON / "market.geojson")
    assert_refused(res, str(db), "no such database")
    assert snapshot(d) == {}


# ---------------------------------------------------------------- where the database is

# The input each writer reads; user nobody gets a readable copy of it.
WRITERS = {
    "import": (PLACE_D_ARMES_OSM,
               lambda src, db: ["import", src, "--db", db, "--city", "Monaco"]),
    "spaces-add": (GEOJSON / "market.geojson",
                   lambda src, db: ["spaces", "add", "--geojson", src, "--kind", "marketplace",
                                    "--db", db]),
}


def writer_argv(writer, db, unprivileged):
    src, argv = WRITERS[writer]
    return argv(unprivileged.readable_copy(src), db)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_read_only_database_directory_is_refused_and_database_unchanged(
        agora, writer, monaco_import, unprivileged, snapshot, db_copy):
    d = unprivileged.path / "ro"
    db = db_copy(monaco_import.db, d / "city.db")
    unprivileged.read_only(db)
    unprivileged.read_only(d)
    before = snapshot(d)
    res = agora(*writer_argv(writer, db, unprivileged), as_nobody=True, cwd=unprivileged.path)
    assert_refused(res, str(db), str(d), "not writable")
    assert snapshot(d) == before


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_read_only_database_file_is_refused_and_database_unchanged(
        agora, writer, monaco_import, unprivileged, snapshot, db_copy):
    d = unprivileged.path / "rw"
    db = db_copy(monaco_import.db, d / "city.db")
    unprivileged.read_only(db)
    unprivileged.writable_by_runner(d)  # only the file is read-only
    before = snapshot(d)
    res = agora(*writer_argv(writer, db, unprivileged), as_nobody=True, cwd=unprivileged.path)
    assert_refused(res, str(db), "read-only")
    assert snapshot(d) == before


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_database_in_a_missing_directory_is_refused_and_nothing_created(
        agora, writer, tmp_path, snapshot):
    root = tmp_path / "root"
    root.mkdir()
    db = root / "no" / "such" / "dir" / "city.db"
    src, argv = WRITERS[writer]
    res = agora(*argv(src, db))
    if writer == "spaces-add":
        # Nothing to add a space to: no database there.
        assert_refused(res, str(db))
    else:
        assert_refused(res, str(db), f"the directory {db.parent} does not exist")
    assert snapshot(root) == {}


# ---------------------------------------------------------------- read-only commands

@pytest.mark.parametrize("ref", ["way/1", "999999", "plaza/7"])
def test_unknown_space_reference_is_refused_and_database_unchanged(agora, city, ref, snapshot):
    res = agora("spaces", "show", ref, "--db", city.db)
    assert_refused(res, f'{ref}')
    if ref == "plaza/7":
        assert "not a space reference" in res.err, str(res)
    else:
        assert "no space" in res.err, str(res)
    city.assert_unchanged()


def test_unknown_report_language_is_refused_and_nothing_written(agora, city, tmp_path):
    out = tmp_path / "report"
    res = agora("report", "--db", city.db, "--out", out, "--lang", "xx")
    assert_refused(res, '"xx"', "en")
    assert not out.exists(), "a report directory was created"
    city.assert_unchanged()


# ---------------------------------------------------------------- importing again

def list_json(agora, db):
    res = agora("spaces", "list", "--json", "--db", db)
    assert res.rc == 0, str(res)
    return json.loads(res.out)


TABLES = ["cities", "spaces", "road_nodes", "road_edges", "barriers", "buildings"]


def test_reimport_of_the_same_city_updates_in_place_and_keeps_custom_spaces(
        agora, tmp_path, db_query):
    db = tmp_path / "db" / "city.db"
    db.parent.mkdir()
    first = agora("import", PLACE_D_ARMES_OSM, "--db", db, "--city", "Monaco", "--json")
    assert first.rc == 0, str(first)
    summary = json.loads(first.out)
    assert summary["created"] is True
    n_osm = summary["spaces"]
    assert n_osm > 0
    added = agora("spaces", "add", "--geojson", GEOJSON / "market.geojson",
                  "--kind", "marketplace", "--db", db)
    assert added.rc == 0, str(added)

    spaces_before = list_json(agora, db)
    counts_before = {t: db_query(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert len(spaces_before) == n_osm + 1

    again = agora("import", PLACE_D_ARMES_OSM, "--db", db, "--city", "Monaco")
    assert again.rc == 0, str(again)
    assert again.err == ""
    assert "re-import" in again.out.splitlines()[0], str(again)
    assert f"public spaces: {n_osm} (0 new, {n_osm} updated, 0 removed)" in again.out, str(again)

    spaces_after = list_json(agora, db)
    assert spaces_after == spaces_before  # same ids, names, measures, and the custom space
    assert [s["name"] for s in spaces_after if s["origin"] == "custom"] == ["Marché de Noël"]
    counts_after = {t: db_query(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert counts_after == counts_before  # no duplicated roads, buildings, barriers
    assert db_query(db, "SELECT name, import_count FROM cities") == [("Monaco", 2)]


def test_reimport_of_changed_data_keeps_ids_removes_what_vanished_and_keeps_custom_spaces(
        agora, tmp_path):
    # squares-v1.osm: way/501 Place Alpha, way/502 Parc Bravo. squares-v2.osm:
    # way/501 renamed and enlarged, way/502 gone, way/503 Place Charlie new.
    db = tmp_path / "db" / "city.db"
    db.parent.mkdir()
    assert agora("import", OSM / "squares-v1.osm", "--db", db, "--city", "Sq").rc == 0
    assert add(agora, db, GEOJSON / "market.geojson").rc == 0
    before = {s["ref"] or s["name"]: s for s in list_json(agora, db)}
    assert set(before) == {"way/501", "way/502", "Marché de Noël"}

    res = agora("import", OSM / "squares-v2.osm", "--db", db, "--city", "Sq", "--json")
    assert res.rc == 0, str(res)
    summary = json.loads(res.out)
    assert (summary["created"], summary["spaces_inserted"], summary["spaces_updated"],
            summary["spaces_removed"]) == (False, 1, 1, 1), str(res)

    after = {s["ref"] or s["name"]: s for s in list_json(agora, db)}
    assert set(after) == {"way/501", "way/503", "Marché de Noël"}
    assert after["way/501"]["id"] == before["way/501"]["id"]
    assert after["way/501"]["name"] == "Place Alpha-Centauri"
    assert after["way/501"]["area_m2"] > before["way/501"]["area_m2"] * 1.3
    assert after["Marché de Noël"] == before["Marché de Noël"]
    assert after["way/503"]["id"] not in {s["id"] for s in before.values()}


# ---------------------------------------------------------------- found by fuzzing

def test_osm_tag_without_value_is_refused_with_its_position(agora, target, tmp_path):
    # readosm 1.1.0 crashes on this; agora's XML pre-check must refuse it first.
    src = tmp_path / "tagless.osm"
    src.write_text("<osm version='0.6'>\n <node id='1' lat='43.73' lon='7.42'><tag k='a'/></node>\n"
                   "</osm>\n", encoding="utf-8")
    res = agora("import", src, "--db", target.db)
    assert_refused(res, f"{src}:2:", "<tag> without the attribute v")
    target.assert_unchanged()


def test_node_off_the_earth_is_refused_naming_the_node(agora, target, tmp_path):
    src = tmp_path / "pole.osm"
    src.write_text("<osm version='0.6'>\n <node id='7' lat='100' lon='7.42'/>\n"
                   " <node id='8' lat='43.73' lon='7.42'/>\n</osm>\n", encoding="utf-8")
    res = agora("import", src, "--db", target.db)
    assert_refused(res, str(src), "node/7", "not on Earth")
    target.assert_unchanged()


def test_multipolygon_with_an_empty_member_way_does_not_crash(agora, target, tmp_path):
    src = tmp_path / "empty-member.osm"
    src.write_text(
        "<osm version='0.6'>\n"
        " <node id='1' lat='43.7300' lon='7.4200'/><node id='2' lat='43.7300' lon='7.4210'/>\n"
        " <node id='3' lat='43.7310' lon='7.4210'/>\n"
        " <way id='10'/>\n"
        " <way id='11'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='1'/>"
        "<tag k='building' v='yes'/></way>\n"
        " <relation id='20'><member type='way' ref='10' role='outer'/>"
        "<tag k='type' v='multipolygon'/><tag k='leisure' v='park'/></relation>\n"
        "</osm>\n", encoding="utf-8")
    res = agora("import", src, "--db", target.db, "--verbose")
    assert res.rc == 0, str(res)
    assert "relation/20 (space): member way/10 has fewer than 2 nodes" in res.out, str(res)
