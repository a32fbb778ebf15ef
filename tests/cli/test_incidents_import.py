# agora incidents import / list end to end: every documented failure path
# refuses the file with exit code 2, a message naming the file and line (or
# feature) and what was expected, and leaves the database as it was (not
# created, or byte for byte the same); the good paths store what the file
# says, checked against the database with sqlite3 and, for coordinates,
# against PROJ's own command-line tool (cs2cs) or pyproj.
# SPDX-License-Identifier: EUPL-1.2
import calendar
import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

BAD_INPUT = 2  # README, "Exit codes": 2 bad usage or bad input

HEADER_ONLY_GOOD = "lon,lat,date,cat\n"
GOOD_CSV = (HEADER_ONLY_GOOD
            + "7.4200,43.7300,2016-02-01 13:45,theft\n"
            + "7.4210,43.7310,2016-02-02,assault\n"
            + "7.4220,43.7320,2016-02-29T23:59:59,theft\n")


# ---------------------------------------------------------------- helpers

def civil(*fields):
    """Local civil seconds of a calendar date and time (see incidents.h)."""
    return calendar.timegm(datetime(*fields).timetuple())


def write(path, content):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def run_import(agora, src, db, *args):
    return agora("incidents", "import", src, "--db", db, *args)


def listed(agora, db):
    res = agora("incidents", "list", "--db", db, "--json")
    assert res.rc == 0, str(res)
    return {s["name"]: s for s in json.loads(res.out)}


def assert_bad_input(res, *needles):
    """Refused with exit code 2, nothing on stdout, the last stderr line
    "agora: error: ..." and every needle somewhere on stderr."""
    assert res.rc == BAD_INPUT, f"expected exit code {BAD_INPUT}\n{res}"
    assert res.out == "", f"a refused import printed on stdout\n{res}"
    lines = res.err.splitlines()
    assert lines and lines[-1].startswith("agora: "), f"no 'agora: ...' line\n{res}"
    for needle in needles:
        assert needle in res.err, f"{needle!r} missing from the message\n{res}"


def bad_lines(res, src):
    """The line numbers that stderr reports as bad for src."""
    return sorted({int(m) for m in re.findall(rf"{re.escape(str(src))}:(\d+): ", res.err)})


def rows(db_query, db, set_name, cols="line, lon, lat, x, y, t, has_time, category"):
    return db_query(db, f"SELECT {cols} FROM incidents JOIN incident_sets s ON s.id = set_id "
                        f"WHERE s.name = ? ORDER BY line", set_name)


@pytest.fixture
def prev(agora, tmp_path, snapshot):
    """A database holding one good import ("earlier"), alone in its
    directory; .db, .dir, .before (the directory's snapshot)."""
    d = tmp_path / "prev"
    d.mkdir()
    src = write(tmp_path / "earlier.csv", GOOD_CSV)
    db = d / "incidents.db"
    res = run_import(agora, src, db, "--time", "date", "--category", "cat")
    assert res.rc == 0, str(res)

    class Prev:
        pass

    p = Prev()
    p.db, p.dir, p.bytes, p.before = db, d, db.read_bytes(), snapshot(d)
    return p


def assert_refused_without_damage(agora, tmp_path, snapshot, prev, src, args, needles):
    """The import is refused into a new database (which is not created) and
    into an existing one (which stays byte-identical)."""
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir(exist_ok=True)
    fresh = fresh_dir / "new.db"
    res = run_import(agora, src, fresh, *args)
    assert_bad_input(res, *needles)
    assert not fresh.exists(), f"a refused import created the database\n{res}"
    assert snapshot(fresh_dir) == {}, f"a refused import left files\n{res}"

    res = run_import(agora, src, prev.db, *args)
    assert_bad_input(res, *needles)
    assert prev.db.read_bytes() == prev.bytes, f"a refused import changed the database\n{res}"
    assert snapshot(prev.dir) == prev.before
    return res


# ---------------------------------------------------------------- failure paths

# name: (file name, content, extra arguments, needles besides the file's path)
# The bad record is always on line 3 of a CSV file (line 2 is good), so a
# file with one bad record is refused as a whole.
ONE_GOOD = "lon,lat\n7.42,43.73\n"
ONE_GOOD_T = "lon,lat,date\n7.42,43.73,2016-01-01\n"
ONE_GOOD_F = "lon,lat,date\n7.42,43.73,01/01/2016 10:00\n"
FMT = ["--time", "date", "--time-format", "%d/%m/%Y %H:%M"]
FAILURES = {
    "lon-not-a-number": ("bad.csv", ONE_GOOD + "abc,43.73\n", [],
                         [":3: ", 'column "lon"', '"abc" is not a number']),
    "lat-not-a-number": ("bad.csv", ONE_GOOD + "7.42,4x\n", [],
                         [":3: ", 'column "lat"', '"4x" is not a number']),
    "lon-out-of-range": ("bad.csv", ONE_GOOD + "200,43.73\n", [],
                         [":3: ", "(200, 43.73)", "-180..180, -90..90", "--crs EPSG:N"]),
    "lat-out-of-range": ("bad.csv", ONE_GOOD + "7.42,95\n", [],
                         [":3: ", "(7.42, 95)", "-180..180, -90..90"]),
    "lon-empty": ("bad.csv", ONE_GOOD + ",43.73\n", [],
                  [":3: ", 'column "lon"', '"" is not a number']),
    "lat-infinite": ("bad.csv", ONE_GOOD + "7.42,inf\n", [],
                     [":3: ", 'column "lat"', '"inf" is not a number']),
    "month-13": ("bad.csv", ONE_GOOD_T + "7.42,43.73,2016-13-01\n", ["--time", "date"],
                 [":3: ", 'column "date"', '"2016-13-01" is not a valid date']),
    "february-30": ("bad.csv", ONE_GOOD_T + "7.42,43.73,2016-02-30\n", ["--time", "date"],
                    [":3: ", 'column "date"', '"2016-02-30" is not a valid date']),
    "hour-25": ("bad.csv", ONE_GOOD_T + "7.42,43.73,2016-02-01 25:00\n", ["--time", "date"],
                [":3: ", 'column "date"', "is not a valid date or time of day"]),
    "date-yesterday": ("bad.csv", ONE_GOOD_T + "7.42,43.73,yesterday\n", ["--time", "date"],
                       [":3: ", 'column "date"', '"yesterday" is not a date',
                        "expected YYYY-MM-DD"]),
    "date-empty": ("bad.csv", ONE_GOOD_T + "7.42,43.73,\n", ["--time", "date"],
                   [":3: ", 'column "date"', "empty (expected a date)"]),
    "format-month-13": ("bad.csv", ONE_GOOD_F + "7.42,43.73,01/13/2016 10:00\n", FMT,
                        [":3: ", 'column "date"', "is not a valid date"]),
    "format-february-30": ("bad.csv", ONE_GOOD_F + "7.42,43.73,30/02/2016 10:00\n", FMT,
                           [":3: ", 'column "date"', "is not a valid date"]),
    "format-yesterday": ("bad.csv", ONE_GOOD_F + "7.42,43.73,yesterday\n", FMT,
                         [":3: ", 'column "date"',
                          '"yesterday" does not match the time format "%d/%m/%Y %H:%M"']),
    "format-iso-date": ("bad.csv", ONE_GOOD_F + "7.42,43.73,2016-01-02 10:00\n", FMT,
                        [":3: ", 'does not match the time format "%d/%m/%Y %H:%M"']),
    "format-empty": ("bad.csv", ONE_GOOD_F + "7.42,43.73,\n", FMT,
                     [":3: ", 'column "date"', "empty (expected a date)"]),
    "format-without-year": ("bad.csv", ONE_GOOD_F, ["--time", "date", "--time-format", "%d/%m"],
                            ['time format "%d/%m"', "expected %Y, %m and %d"]),
    "format-unknown-directive": ("bad.csv", ONE_GOOD_F,
                                 ["--time", "date", "--time-format", "%d/%m/%Y %I:%M"],
                                 ['time format "%d/%m/%Y %I:%M"', "only %Y %m %d %H %M %S"]),
    "crs-unknown-epsg": ("ok.csv", ONE_GOOD, ["--crs", "EPSG:999999"],
                         ["--crs", 'unknown CRS "EPSG:999999"', "EPSG:4326"]),
    "crs-not-a-crs": ("ok.csv", ONE_GOOD, ["--crs", "foo"],
                      ["--crs", 'unknown CRS "foo"', "EPSG:N"]),
    "crs-geocentric": ("ok.csv", ONE_GOOD, ["--crs", "EPSG:4978"],
                       ["--crs", '"EPSG:4978" is neither geographic 2D nor projected']),
    "x-column-missing": ("ok.csv", "lon,lat,date\n7.42,43.73,2016-01-01\n", ["--x", "nope"],
                         [":1: ", 'no x column "nope"',
                          'the header has "lon", "lat", "date"']),
    "time-column-missing": ("ok.csv", "lon,lat,date\n7.42,43.73,2016-01-01\n",
                            ["--time", "nope"],
                            [":1: ", 'no time column "nope"',
                             'the header has "lon", "lat", "date"']),
    "category-column-missing": ("ok.csv", ONE_GOOD, ["--category", "kind"],
                                [":1: ", 'no category column "kind"',
                                 'the header has "lon", "lat"']),
    "no-coordinate-column": ("ok.csv", "a,b\n1,2\n", [],
                             [":1: ", "cannot tell which column holds x", "--x",
                              'the header has "a", "b"']),
    "two-longitude-columns": ("ok.csv", "lon,lng,lat\n1,2,3\n", [],
                              [":1: ", "several candidates", "--x"]),
    "empty-file": ("empty.csv", "", [], ["empty file", "expected a header line"]),
    "blank-file": ("empty.csv", "\n\n  \n", [], ["empty file"]),
    "header-only": ("header.csv", "lon,lat\n", [], ["a header but no incident"]),
    "unterminated-quote": ("bad.csv", ONE_GOOD + '"7.42,43.73\n7.43,43.74\n', [],
                           [":3: ", "a quoted field is never closed"]),
    "too-many-fields": ("bad.csv", ONE_GOOD + "7.42,43.73,9\n", [],
                        [":3: ", "3 fields, but the header has 2"]),
    "too-few-fields": ("bad.csv", ONE_GOOD + "7.42\n", [],
                       [":3: ", "1 fields, but the header has 2"]),
    "text-after-quote": ("bad.csv", ONE_GOOD + '"7.42"x,43.73\n', [],
                         [":3: ", "text after a closing quote"]),
    "nul-byte": ("bad.csv", ONE_GOOD + "7.42,43.7\0\n", [], [":3: ", "a NUL byte"]),
    "category-invalid-utf8": ("bad.csv", b"lon,lat,cat\n7.42,43.73,ok\n7.42,43.73,\xff\xfe\n",
                              ["--category", "cat"],
                              [":3: ", 'column "cat"', "expected UTF-8 text"]),
    "category-control-character": ("bad.csv", "lon,lat,cat\n7.42,43.73,ok\n7.42,43.73,a\x01b\n",
                                   ["--category", "cat"],
                                   [":3: ", 'column "cat"', "without control characters"]),
    "geojson-not-a-collection": (
        "bad.geojson",
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]}}', [],
        ['expected a GeoJSON FeatureCollection with a "features" array']),
    "geojson-features-not-an-array": (
        "bad.geojson", '{"type":"FeatureCollection","features":{}}', [],
        ['expected a GeoJSON FeatureCollection']),
    "geojson-linestring": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        '"properties":{}},'
        '{"type":"Feature","geometry":{"type":"LineString","coordinates":[[7.42,43.73],'
        '[7.43,43.74]]},"properties":{}}]}', [],
        [": feature 2: ", "geometry is a LineString (expected a Point)"]),
    "geojson-point-out-of-range": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]}},'
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[43.73,700]}}]}', [],
        [": feature 2: ", "(43.73, 700)", "-180..180, -90..90"]),
    "geojson-coordinates-not-numbers": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]}},'
        '{"type":"Feature","geometry":{"type":"Point","coordinates":["7.42",43.73]}}]}', [],
        [": feature 2: ", "coordinates: expected [x, y] numbers"]),
    "geojson-no-geometry": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]}},'
        '{"type":"Feature","geometry":null}]}', [],
        [": feature 2: ", "no geometry (expected a Point)"]),
    "geojson-bad-date": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        '"properties":{"when":"2016-01-01"}},'
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        '"properties":{"when":"2016-02-30"}}]}', ["--time", "when"],
        [": feature 2: ", 'property "when"', '"2016-02-30" is not a valid date']),
    "geojson-date-not-text": (
        "bad.geojson",
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        '"properties":{"when":"2016-01-01"}},'
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        '"properties":{"when":20160101}}]}', ["--time", "when"],
        [": feature 2: ", 'property "when": expected a date as text']),
    "geojson-invalid-json": ("bad.geojson", '{"type":"FeatureCollection","features":[{', [],
                             [":1:", "not valid JSON"]),
    "geojson-empty": ("bad.geojson", "", [], ["empty file", "FeatureCollection"]),
    "geojson-no-features": ("bad.geojson", '{"type":"FeatureCollection","features":[]}', [],
                            ["a FeatureCollection without features"]),
    "missing-file": (None, None, [], ["cannot open"]),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_bad_file_is_refused_naming_file_and_line_and_database_untouched(
        agora, tmp_path, snapshot, prev, case):
    name, content, args, needles = FAILURES[case]
    if content is None:
        src = tmp_path / "input" / "missing.csv"
    else:
        src = write(tmp_path / "input" / name, content)
    # ":LINE: " needles are the file's path and line; a message about an
    # option (--crs, --time-format) need not name the file, any other does.
    needles = [str(src) + n if n.startswith(":") else n for n in needles]
    if not case.startswith(("crs-", "format-without", "format-unknown")):
        needles.append(str(src))
    assert_refused_without_damage(agora, tmp_path, snapshot, prev, src, args, needles)


def test_refused_file_summary_counts_bad_records_and_suggests_skip_bad(agora, tmp_path):
    src = write(tmp_path / "bad.csv", ONE_GOOD + "abc,43.73\n")
    res = run_import(agora, src, tmp_path / "t.db")
    assert_bad_input(res, f"{src}: 1 of 2 records are bad", "nothing was stored",
                     "--skip-bad stores the others")


@pytest.mark.parametrize("args,needle", [
    (["--time-format", "%d/%m/%Y"], "--time-format needs --time COL"),
    (["--decimal-comma"], "--decimal-comma needs another --delimiter"),
    (["--delimiter", "ab"], "--delimiter: expected one character or tab"),
    (["--set", ""], "--set"),
])
def test_bad_option_is_refused_and_nothing_created(agora, tmp_path, snapshot, args, needle):
    src = write(tmp_path / "in" / "ok.csv", ONE_GOOD)
    d = tmp_path / "fresh"
    d.mkdir()
    res = run_import(agora, src, d / "new.db", *args)
    assert_bad_input(res, needle)
    assert snapshot(d) == {}


def test_unknown_file_type_is_refused(agora, tmp_path, snapshot):
    src = write(tmp_path / "in" / "incidents.xlsx", ONE_GOOD)
    d = tmp_path / "fresh"
    d.mkdir()
    res = run_import(agora, src, d / "new.db")
    assert_bad_input(res, str(src), "expected a .csv, .txt, .geojson or .json file")
    assert snapshot(d) == {}


def test_every_bad_line_is_listed_and_nothing_stored(agora, tmp_path, snapshot, prev):
    src = write(tmp_path / "many.csv",
                "lon,lat,date\n"
                "7.42,43.73,2016-01-01\n"      # 2 good
                "x,43.73,2016-01-01\n"         # 3 bad number
                "7.42,43.73,2016-01-01\n"      # 4 good
                "7.42,91,2016-01-01\n"         # 5 out of range
                "7.42,43.73,2016-02-30\n"      # 6 bad date
                "\n"                           # 7 blank: skipped, not a record
                "7.42,43.73\n"                 # 8 too few fields
                "7.42,43.73,2016-01-01 10:00\n"  # 9 good
                "7.42,43.73,soon\n")           # 10 bad date
    res = assert_refused_without_damage(agora, tmp_path, snapshot, prev, src,
                                        ["--time", "date"], [str(src), "5 of 8 records"])
    assert bad_lines(res, src) == [3, 5, 6, 8, 10]
    # One line per bad record, in file order, then the summary.
    listing = [ln for ln in res.err.splitlines() if ln.startswith(str(src))]
    assert [int(re.match(rf"{re.escape(str(src))}:(\d+):", ln).group(1)) for ln in listing] \
        == [3, 5, 6, 8, 10]


def test_all_records_bad_hints_at_the_crs(agora, tmp_path):
    # Projected coordinates given without --crs: every record is out of range.
    src = write(tmp_path / "projected.csv", "x,y\n358379.758,579013.499\n355000,575000\n")
    res = run_import(agora, src, tmp_path / "t.db")
    assert_bad_input(res, f"{src}:2: ", f"{src}:3: ", "2 of 2 records are bad",
                     "for projected coordinates give --crs EPSG:N")
    assert "--skip-bad" not in res.err.splitlines()[-1]


# ---------------------------------------------------------------- --skip-bad

def test_skip_bad_stores_good_rows_and_lists_bad_ones(agora, tmp_path, db_query):
    src = write(tmp_path / "mixed.csv",
                "lon,lat,date\n"
                "7.42,43.73,2016-01-01\n"
                "nope,43.73,2016-01-01\n"
                "7.43,43.74,2016-01-02 08:30\n"
                "7.42,43.73,2016-13-01\n")
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--time", "date", "--skip-bad")
    assert res.rc == 0, str(res)
    assert "Imported 2 incidents" in res.out
    assert "skipped: 2 bad records" in res.out
    skipped = [ln for ln in res.err.splitlines() if ln.startswith("skipped: ")]
    assert len(skipped) == 2
    assert f"{src}:3: " in skipped[0] and '"nope" is not a number' in skipped[0]
    assert f"{src}:5: " in skipped[1] and "2016-13-01" in skipped[1]
    s = listed(agora, db)["mixed"]
    assert (s["records"], s["skipped"]) == (2, 2)
    assert [r[0] for r in rows(db_query, db, "mixed")] == [2, 4]


def test_skip_bad_json_summary_lists_bad_records(agora, tmp_path):
    src = write(tmp_path / "mixed.csv", "lon,lat\n7.42,43.73\n7.42,x\n")
    res = run_import(agora, src, tmp_path / "t.db", "--skip-bad", "--json")
    assert res.rc == 0, str(res)
    j = json.loads(res.out)
    assert (j["records"], j["stored"], j["skipped"]) == (2, 1, 1)
    assert len(j["bad"]) == 1 and j["bad"][0].startswith(f"{src}:3: ")


def test_skip_bad_with_no_good_record_is_refused(agora, tmp_path, snapshot, prev):
    src = write(tmp_path / "allbad.csv", "lon,lat\nx,1\n1,y\n")
    res = assert_refused_without_damage(agora, tmp_path, snapshot, prev, src, ["--skip-bad"],
                                        [str(src), "2 of 2 records are bad"])
    assert bad_lines(res, src) == [2, 3]


# ---------------------------------------------------------------- good paths

def test_json_summary_fields(agora, tmp_path):
    src = write(tmp_path / "monaco.csv", GOOD_CSV)
    res = run_import(agora, src, tmp_path / "t.db", "--time", "date", "--category", "cat",
                     "--json")
    assert res.rc == 0, str(res)
    j = json.loads(res.out)
    assert set(j) == {"set", "set_id", "replaced", "source", "crs", "plane", "records",
                      "stored", "skipped", "columns", "bad"}
    assert j["set"] == "monaco" and isinstance(j["set_id"], int)
    assert j["replaced"] is False
    assert j["source"] == str(src)
    assert j["crs"] == "EPSG:4326"
    assert j["plane"] == "tmerc:7.4210000,43.7310000"
    assert (j["records"], j["stored"], j["skipped"], j["bad"]) == (3, 3, 0, [])
    assert j["columns"] == {"format": "csv", "x": "lon", "y": "lat", "time": "date",
                            "time_format": None, "category": "cat"}


def test_text_summary_names_columns_plane_and_set(agora, tmp_path):
    src = write(tmp_path / "monaco.csv", GOOD_CSV)
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--time", "date", "--category", "cat")
    assert res.rc == 0, str(res)
    assert f'Imported 3 incidents from {src} into {db} as set "monaco"' in res.out
    assert 'columns "lon", "lat" in EPSG:4326' in res.out
    assert "distances in: tmerc:7.4210000,43.7310000" in res.out
    assert res.err == ""


def test_times_and_categories_are_stored_as_written(agora, tmp_path, db_query):
    src = write(tmp_path / "monaco.csv", GOOD_CSV)
    db = tmp_path / "t.db"
    assert run_import(agora, src, db, "--time", "date", "--category", "cat").rc == 0
    got = rows(db_query, db, "monaco", "line, t, has_time, category")
    assert got == [(2, civil(2016, 2, 1, 13, 45), 1, "theft"),
                   (3, civil(2016, 2, 2), 0, "assault"),
                   (4, civil(2016, 2, 29, 23, 59, 59), 1, "theft")]


def test_time_format_and_zone_designators(agora, tmp_path, db_query):
    src = write(tmp_path / "fr.csv",
                "lon,lat,quand\n"
                "7.42,43.73,31/12/2016 23:59\n"
                "7.42,43.73,1/2/2016 7:05\n")
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--time", "quand", "--time-format", "%d/%m/%Y %H:%M")
    assert res.rc == 0, str(res)
    assert rows(db_query, db, "fr", "t, has_time") == [
        (civil(2016, 12, 31, 23, 59), 1), (civil(2016, 2, 1, 7, 5), 1)]
    # ISO 8601 with a zone: the clock time is kept as written.
    src = write(tmp_path / "iso.csv",
                "lon,lat,t\n7.42,43.73,2016-07-01T10:00:00Z\n7.42,43.73,2016-07-01T10:00:00.5+02:00\n")
    assert run_import(agora, src, db, "--time", "t").rc == 0
    assert rows(db_query, db, "iso", "t") == [(civil(2016, 7, 1, 10),)] * 2


def test_reimport_with_the_same_set_replaces_it(agora, tmp_path, db_query):
    src = write(tmp_path / "a.csv", GOOD_CSV)
    db = tmp_path / "t.db"
    assert run_import(agora, src, db, "--set", "S").rc == 0
    res = run_import(agora, src, db, "--set", "S", "--json")
    assert res.rc == 0, str(res)
    assert json.loads(res.out)["replaced"] is True
    sets = listed(agora, db)
    assert list(sets) == ["S"] and sets["S"]["records"] == 3
    assert db_query(db, "SELECT count(*) FROM incidents") == [(3,)]
    # A smaller file under the same name leaves only its own records.
    small = write(tmp_path / "b.csv", ONE_GOOD)
    assert run_import(agora, small, db, "--set", "S").rc == 0
    assert listed(agora, db)["S"]["records"] == 1
    assert db_query(db, "SELECT count(*) FROM incidents") == [(1,)]


def test_set_name_defaults_to_the_file_name(agora, tmp_path):
    src = write(tmp_path / "dir.d" / "chicago-2016.v2.csv", ONE_GOOD)
    db = tmp_path / "t.db"
    assert run_import(agora, src, db).rc == 0
    s = listed(agora, db)["chicago-2016.v2"]
    assert s["source"] == str(src) and s["records"] == 1


def test_semicolon_delimiter_and_decimal_comma(agora, tmp_path, db_query):
    src = write(tmp_path / "eu.csv", 'lon;lat;cat\n7,42;43,73;"a;b"\n"7,425";43,735;c\n')
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--delimiter", ";", "--decimal-comma", "--category", "cat")
    assert res.rc == 0, str(res)
    assert rows(db_query, db, "eu", "line, lon, lat, category") == [
        (2, 7.42, 43.73, "a;b"), (3, 7.425, 43.735, "c")]


def test_decimal_comma_refuses_a_point(agora, tmp_path):
    src = write(tmp_path / "eu.csv", "lon;lat\n7,42;43,73\n7.42;43,73\n")
    res = run_import(agora, src, tmp_path / "t.db", "--delimiter", ";", "--decimal-comma")
    assert_bad_input(res, f"{src}:3: ", '"7.42" is not a number')


def test_quoted_fields_keep_later_line_numbers_right(agora, tmp_path, db_query):
    # The note column is not imported: a category may not hold a line break
    # (a control character), a column that is not read may.
    src = write(tmp_path / "q.csv",
                'lon,lat,note,cat\n'
                '7.42,43.73,"first\nsecond","one, ""two"""\n'  # lines 2-3
                '"7.43","43.74",,plain\n'                        # line 4
                '7.44,43.75,"a\n\nb",x\n'                       # lines 5-7
                '7.45,bad,,x\n')                                  # line 8
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--category", "cat")
    assert_bad_input(res, f"{src}:8: ")
    assert bad_lines(res, src) == [8]
    res = run_import(agora, src, db, "--category", "cat", "--skip-bad")
    assert res.rc == 0, str(res)
    assert rows(db_query, db, "q", "line, lon, lat, category") == [
        (2, 7.42, 43.73, 'one, "two"'),
        (4, 7.43, 43.74, "plain"),
        (5, 7.44, 43.75, "x")]


def test_line_break_in_a_category_is_a_bad_record(agora, tmp_path):
    src = write(tmp_path / "nl.csv", 'lon,lat,cat\n7.42,43.73,"a\nb"\n7.42,43.73,c\n')
    res = run_import(agora, src, tmp_path / "t.db", "--category", "cat")
    assert_bad_input(res, f"{src}:2: ", 'column "cat"', "without control characters")
    assert bad_lines(res, src) == [2]


def test_crlf_line_endings_and_byte_order_mark(agora, tmp_path, db_query):
    src = write(tmp_path / "win.csv",
                b"\xef\xbb\xbflon,lat,date\r\n7.42,43.73,2016-01-01\r\n\r\n"
                b"7.43,43.74,2016-01-02 10:00\r\n7.44,x,2016-01-03\r\n")
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--time", "date")
    assert_bad_input(res, f"{src}:5: ", '"x" is not a number')
    assert bad_lines(res, src) == [5]
    res = run_import(agora, src, db, "--time", "date", "--skip-bad", "--json")
    assert res.rc == 0, str(res)
    assert json.loads(res.out)["columns"]["x"] == "lon"  # not "\ufefflon"
    assert rows(db_query, db, "win", "line, lon, lat, t") == [
        (2, 7.42, 43.73, civil(2016, 1, 1)), (4, 7.43, 43.74, civil(2016, 1, 2, 10))]


def test_tab_separated_file(agora, tmp_path, db_query):
    src = write(tmp_path / "tabs.tsv", "lon\tlat\n7.42\t43.73\n")
    db = tmp_path / "t.db"
    assert run_import(agora, src, db).rc == 0
    assert rows(db_query, db, "tabs", "lon, lat") == [(7.42, 43.73)]


def test_geojson_points_with_properties(agora, tmp_path, db_query):
    src = write(tmp_path / "pts.geojson", (
        b"\xef\xbb\xbf"
        b'{"type":"FeatureCollection","features":['
        b'{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},'
        b'"properties":{"when":"2016-03-01 12:00","kind":"theft"}},'
        b'{"type":"Feature","geometry":{"type":"Point","coordinates":[7.43,43.74,12.5]},'
        b'"properties":{"when":"2016-03-02","kind":7}}]}'))
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--time", "when", "--category", "kind", "--json")
    assert res.rc == 0, str(res)
    j = json.loads(res.out)
    assert j["columns"]["format"] == "geojson" and j["columns"]["x"] is None
    assert rows(db_query, db, "pts", "line, lon, lat, t, has_time, category") == [
        (1, 7.42, 43.73, civil(2016, 3, 1, 12), 1, "theft"),
        (2, 7.43, 43.74, civil(2016, 3, 2), 0, "7")]


def test_geojson_refuses_csv_options(agora, tmp_path):
    src = write(tmp_path / "pts.geojson", '{"type":"FeatureCollection","features":[]}')
    res = run_import(agora, src, tmp_path / "t.db", "--x", "a")
    assert_bad_input(res, "--x, --y, --delimiter and --decimal-comma are for CSV files")


# ---------------------------------------------------------------- coordinates

def proj_transform(src_crs, dst_crs, points):
    """points transformed by PROJ outside agora: pyproj when /usr/bin/python3
    has it, else the cs2cs tool. Returns (a, b) in the target CRS's axis
    order as PROJ's authority defines it (EPSG:4326: latitude first)."""
    try:
        from pyproj import Transformer
    except ImportError:
        Transformer = None
    if Transformer is not None:
        tr = Transformer.from_crs(src_crs, dst_crs)
        return [tr.transform(a, b) for a, b in points]
    cs2cs = shutil.which("cs2cs")
    if not cs2cs:
        pytest.skip("neither pyproj nor cs2cs (proj-bin) is available")
    inp = "".join(f"{a!r} {b!r}\n" for a, b in points)
    if src_crs.startswith("+"):  # PROJ strings: cs2cs takes them as "+... +to +..."
        crs_args = src_crs.split() + ["+to"] + dst_crs.split()
    else:
        crs_args = [src_crs, dst_crs]
    p = subprocess.run([cs2cs, "-f", "%.12f", *crs_args], input=inp,
                       capture_output=True, text=True, check=True)
    out = [tuple(map(float, ln.split()[:2])) for ln in p.stdout.splitlines()]
    assert len(out) == len(points), p.stdout + p.stderr
    return out


# Points in downtown Chicago in NAD83 / Illinois East (metres).
CHICAGO_26971 = [(358379.758, 579013.499), (355000.0, 575000.0), (360500.25, 590250.5)]


def test_projected_crs_is_the_plane_and_lonlat_match_proj(agora, tmp_path, db_query):
    src = write(tmp_path / "chicago.csv",
                "X,Y\n" + "".join(f"{x},{y}\n" for x, y in CHICAGO_26971))
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--crs", "EPSG:26971", "--json")
    assert res.rc == 0, str(res)
    j = json.loads(res.out)
    assert (j["crs"], j["plane"]) == ("EPSG:26971", "EPSG:26971")
    assert db_query(db, "SELECT crs, plane FROM incident_sets WHERE name = 'chicago'") == [
        ("EPSG:26971", "EPSG:26971")]
    expected = proj_transform("EPSG:26971", "EPSG:4326", CHICAGO_26971)  # lat, lon
    got = rows(db_query, db, "chicago", "lon, lat, x, y")
    assert len(got) == len(CHICAGO_26971)
    for (lon, lat, x, y), (elat, elon), (sx, sy) in zip(got, expected, CHICAGO_26971):
        assert abs(lon - elon) < 1e-8 and abs(lat - elat) < 1e-8
        assert (x, y) == (sx, sy)  # distances in the source CRS itself
        assert -88 < lon < -87 and 41.6 < lat < 42.1


def test_lonlat_file_gets_a_local_tmerc_plane_matching_proj(agora, tmp_path, db_query):
    pts = [(7.4150, 43.7295), (7.4245, 43.7355), (7.4201, 43.7312)]
    src = write(tmp_path / "monaco.csv",
                "latitude,longitude\n" + "".join(f"{b},{a}\n" for a, b in pts))
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--json")
    assert res.rc == 0, str(res)
    j = json.loads(res.out)
    lon0 = (7.4150 + 7.4245) / 2
    lat0 = (43.7295 + 43.7355) / 2
    assert j["plane"] == f"tmerc:{lon0:.7f},{lat0:.7f}"
    assert (j["columns"]["x"], j["columns"]["y"]) == ("longitude", "latitude")
    tmerc = (f"+proj=tmerc +lat_0={lat0:.7f} +lon_0={lon0:.7f} +k=1 +x_0=0 +y_0=0 "
             f"+ellps=WGS84 +units=m +type=crs")
    expected = proj_transform("+proj=longlat +ellps=WGS84 +type=crs", tmerc, pts)
    got = rows(db_query, db, "monaco", "lon, lat, x, y")
    for (lon, lat, x, y), (a, b), (ex, ey) in zip(got, pts, expected):
        assert (lon, lat) == (a, b)
        assert abs(x - ex) < 1e-3 and abs(y - ey) < 1e-3


def test_named_coordinate_columns_in_the_crs_order(agora, tmp_path, db_query):
    src = write(tmp_path / "named.csv", "E,N,lat\n358379.758,579013.499,99\n")
    db = tmp_path / "t.db"
    res = run_import(agora, src, db, "--x", "e", "--y", "n", "--crs", "epsg:26971")
    assert res.rc == 0, str(res)
    assert 'columns "E", "N" in EPSG:26971' in res.out
    (elat, elon), = proj_transform("EPSG:26971", "EPSG:4326", [(358379.758, 579013.499)])
    (lon, lat), = rows(db_query, db, "named", "lon, lat")
    assert abs(lon - elon) < 1e-8 and abs(lat - elat) < 1e-8


# ---------------------------------------------------------------- list

def test_list_shows_every_set(agora, tmp_path):
    db = tmp_path / "t.db"
    assert run_import(agora, write(tmp_path / "a.csv", GOOD_CSV), db).rc == 0
    assert run_import(agora, write(tmp_path / "b.csv", ONE_GOOD), db).rc == 0
    res = agora("incidents", "list", "--db", db)
    assert res.rc == 0, str(res)
    lines = res.out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["a", "3", "incidents"]
    assert lines[1].split()[:3] == ["b", "1", "incidents"]
    sets = listed(agora, db)
    assert set(sets["a"]) == {"id", "name", "source", "imported_at", "crs", "plane", "records",
                              "skipped", "columns"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", sets["a"]["imported_at"])


def test_list_of_a_database_without_sets(agora, tmp_path, monaco_db):
    res = agora("incidents", "list", "--db", monaco_db)
    assert res.rc == 0, str(res)
    assert "No incident set" in res.out
    res = agora("incidents", "list", "--db", monaco_db, "--json")
    assert res.rc == 0 and json.loads(res.out) == []


def test_list_of_a_missing_database_is_refused_and_not_created(agora, tmp_path, snapshot):
    d = tmp_path / "none"
    d.mkdir()
    res = agora("incidents", "list", "--db", d / "missing.db")
    assert res.rc == BAD_INPUT, str(res)
    assert str(d / "missing.db") in res.err
    assert snapshot(d) == {}


def test_import_into_a_city_database_keeps_the_city(agora, tmp_path, monaco_db, db_query):
    before = db_query(monaco_db, "SELECT count(*) FROM spaces")
    src = write(tmp_path / "monaco.csv", GOOD_CSV)
    assert run_import(agora, src, monaco_db).rc == 0
    assert db_query(monaco_db, "SELECT count(*) FROM spaces") == before
    assert listed(agora, monaco_db)["monaco"]["records"] == 3


# ---------------------------------------------------------------- read-only location

def test_import_into_a_read_only_directory_fails_cleanly(
        agora, tmp_path, unprivileged, snapshot, db_copy, prev):
    d = unprivileged.path / "ro"
    db = db_copy(prev.db, d / "incidents.db")
    unprivileged.read_only(db)
    unprivileged.read_only(d)
    before = snapshot(d)
    src = unprivileged.readable_copy(write(tmp_path / "in" / "more.csv", GOOD_CSV))
    res = agora("incidents", "import", src, "--db", db, as_nobody=True, cwd=unprivileged.path)
    assert_bad_input(res, str(db), "not writable")
    assert snapshot(d) == before
    # A new database in that directory is not created either.
    res = agora("incidents", "import", src, "--db", d / "new.db", as_nobody=True,
                cwd=unprivileged.path)
    assert_bad_input(res, str(d), "not writable")
    assert snapshot(d) == before
