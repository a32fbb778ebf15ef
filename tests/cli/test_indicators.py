"""agora indicators: list, import (a whole-file check: a bad file is refused
naming its line and field, and the database is left as it was), show.
Oracle: the values of the file itself, and the data files' sources."""
import csv
import hashlib
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

GOOD = ("indicator,year,value,visible,note\n"
        "sos_night_city,2022,61.5,yes,\"survey, autumn\"\n"
        "sos_night_city,2023,63,yes,\n"
        "us_homicides,2023,1.25,no,provisional\n"
        "mi_poverty,2021,18.4,,\n")
WANT = {("sos_night_city", 2022): (61.5, True, "survey, autumn"),
        ("sos_night_city", 2023): (63.0, True, ""),
        ("us_homicides", 2023): (1.25, False, "provisional"),
        ("mi_poverty", 2021): (18.4, False, "")}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shown(agora, db):
    r = agora("indicators", "show", "--json", "--db", db)
    assert r.rc == 0, r
    got = json.loads(r.out)
    return {(v["indicator"], v["year"]): (v["value"], v["visible"], v["note"])
            for v in got["values"]}


def test_list_shows_every_indicator_of_the_file(agora):
    r = agora("indicators", "list")
    assert r.rc == 0, r
    with open(REPO / "data" / "indicators.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert re.search(rf"^  {row['id']} .* {row['better']} +{re.escape(row['name'])}$", r.out,
                         re.M), row["id"]
    for dim in ("quality_of_life", "social_cohesion", "public_space_liveability",
                "sense_of_safety", "urban_security", "background_conditions",
                "migrant_inclusion"):
        assert f"\n{dim}\n" in "\n" + r.out, dim
        assert sum(x["dimension"] == dim for x in rows) >= 3, dim


def test_every_source_resolves():
    text = (REPO / "data" / "INDICATOR-SOURCES.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"^- ([A-Z0-9-]+): ", text, re.M))
    for name in ("indicators.csv", "funding-instruments.csv"):
        with open(REPO / "data" / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                assert row["source"] in keys, (name, row["id"], row["source"])
                if "url" in row:
                    assert re.match(r"https://([a-z0-9-]+\.)*(europa\.eu|urban-initiative\.eu)/",
                                    row["url"]), row


def test_import_then_show_gives_the_values_of_the_file(agora, monaco_db, tmp_path, db_query):
    f = tmp_path / "monaco.csv"
    f.write_text(GOOD)
    r = agora("indicators", "import", f, "--db", monaco_db)
    assert r.rc == 0, r
    assert "4 values imported for Monaco (2 visible" in r.out
    got = shown(agora, monaco_db)
    assert got.keys() == WANT.keys()
    for k, (value, visible, note) in WANT.items():
        assert abs(got[k][0] - value) < 1e-9 and got[k][1:] == (visible, note), k
    # the text view: each value, * for visible ones
    r = agora("indicators", "show", "--db", monaco_db)
    assert r.rc == 0, r
    assert re.search(r"2022 +61\.50 %.*\*  survey, autumn", r.out)
    assert re.search(r"2023 +1\.25 per 100 000 +  provisional", r.out)
    # importing again replaces a year's value and adds new ones
    f.write_text("indicator,year,value\nsos_night_city,2023,64.5\nsos_night_city,2024,66\n")
    assert agora("indicators", "import", f, "--db", monaco_db).rc == 0
    got = shown(agora, monaco_db)
    assert got[("sos_night_city", 2023)] == (64.5, False, "")
    assert len(got) == 5
    audit = db_query(monaco_db, "SELECT action, detail FROM audit WHERE action = "
                                "'indicators.put' ORDER BY id")
    assert audit == [("indicators.put", "4 values (2 visible)"),
                     ("indicators.put", "2 values (0 visible)")]


def test_a_bad_file_is_refused_whole(agora, monaco_db, tmp_path, db_query):
    before = digest(monaco_db)
    cases = [
        ("indicator,year,value\nsos_night_city,2022,60\nsos_night_town,2022,60\n",
         ":3: indicator:"),
        ("indicator,year,value\nsos_night_city,2022,60\nsos_night_city,1850,60\n", ":3: year:"),
        ("indicator,year,value\nsos_night_city,2022,60\nsos_night_city,2023,\"60,5\"\n",
         ":3: value:"),
        ("indicator,year,value\nsos_night_city,2022,nan\n", ":2: value:"),
        ("indicator,year,value,visible\nsos_night_city,2022,60,perhaps\n", ":2: visible:"),
        ("indicator,year,value\nsos_night_city,2022,60\nus_robberies,2022,3\n"
         "sos_night_city,2022,61\n", ":4: indicator, year:"),
        ("indicator;year;value\nsos_night_city;2022;60\n", ":1: column 1:"),
        ("indicator,value\nsos_night_city,60\n", ":1: the header has no column year"),
    ]
    for i, (text, want) in enumerate(cases):
        f = tmp_path / f"bad{i}.csv"
        f.write_text(text)
        r = agora("indicators", "import", f, "--db", monaco_db)
        assert r.rc == 2, r
        assert f"agora: error: {f}{want}" in r.err, (want, r)
        assert r.out == ""
    assert digest(monaco_db) == before
    assert db_query(monaco_db, "SELECT count(*) FROM indicator_values") == [(0,)]
    r = agora("indicators", "import", tmp_path / "missing.csv", "--db", monaco_db)
    assert r.rc == 2 and "missing.csv" in r.err, r
    assert digest(monaco_db) == before


def test_show_without_values_and_usage(agora, monaco_db):
    r = agora("indicators", "show", "--db", monaco_db)
    assert r.rc == 0 and "No value yet for Monaco" in r.out, r
    assert agora("indicators").rc == 2
    r = agora("indicators", "--help")
    assert r.rc == 0 and "indicator,year,value" in r.out
    assert agora("indicators", "frobnicate").rc == 2
    assert agora("indicators", "import", "--db", monaco_db).rc == 2
