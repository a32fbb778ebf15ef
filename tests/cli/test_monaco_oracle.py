"""Import of Monaco checked against an independent oracle.

The oracle is osmium-tool (Debian's osmium-tool): `osmium tags-filter`
selects every object carrying a tag of data/space-tags.csv, and this file
applies the table's rules to osmium's OPL output in Python: first matching
rule wins; an "area" rule takes a closed way (at least 4 node references,
first = last) or a type=multipolygon relation; a "line" rule takes a way.
Nodes never make a space. The counts per kind must equal what agora stored
in its SQLite database.
SPDX-License-Identifier: EUPL-1.2
"""
import csv
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PBF = ROOT / "data" / "demo" / "monaco.osm.pbf"

pytestmark = pytest.mark.skipif(shutil.which("osmium") is None,
                                reason="osmium-tool is installed by scripts/setup")


def _opl_unescape(s):
    # OPL escapes characters as %<hex codepoint>%.
    return re.sub(r"%([0-9a-fA-F]+)%", lambda m: chr(int(m.group(1), 16)), s)


def _parse_opl(text):
    for line in text.splitlines():
        fields = line.split(" ")
        obj = {"type": fields[0][0], "id": int(fields[0][1:]), "tags": {}, "nodes": []}
        for f in fields[1:]:
            if f.startswith("T") and len(f) > 1:
                for kv in f[1:].split(","):
                    k, _, v = kv.partition("=")
                    obj["tags"][_opl_unescape(k)] = _opl_unescape(v)
            elif f.startswith("N") and len(f) > 1:
                obj["nodes"] = [int(n[1:]) for n in f[1:].split(",")]
        yield obj


def _rules():
    with open(ROOT / "data" / "space-tags.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def oracle_counts():
    rules = _rules()
    exprs = sorted({f"wr/{r['key']}={r['value']}" for r in rules})
    out = subprocess.run(["osmium", "tags-filter", "--omit-referenced", str(PBF), *exprs,
                          "-f", "opl", "-o", "-"], check=True, capture_output=True,
                         text=True).stdout
    counts = {}
    for obj in _parse_opl(out):
        tags = obj["tags"]
        is_rel = obj["type"] == "r"
        if is_rel and tags.get("type") != "multipolygon":
            continue
        nodes = obj["nodes"]
        closed = len(nodes) >= 4 and nodes[0] == nodes[-1]
        for r in rules:
            if tags.get(r["key"]) != r["value"]:
                continue
            if r["also_key"] and tags.get(r["also_key"]) != r["also_value"]:
                continue
            fits = (not is_rel) if r["geometry"] == "line" else (is_rel or closed)
            if fits:
                counts[r["kind"]] = counts.get(r["kind"], 0) + 1
                break
    return counts


def test_space_counts_per_kind_equal_osmium_tags_filter(monaco_import):
    expected = oracle_counts()
    # A read-only URI: the template database is shared by the whole session.
    con = sqlite3.connect(f"file:{monaco_import.db}?mode=ro", uri=True)
    stored = dict(con.execute("SELECT kind, count(*) FROM spaces WHERE origin = 'osm' "
                              "GROUP BY kind").fetchall())
    con.close()
    assert stored == expected
    # Sanity of the oracle itself: Monaco has the 18 pedestrian areas its
    # README lists (highway=pedestrian + area=yes), and spaces of many kinds.
    assert expected["pedestrian_area"] == 18
    assert len(expected) >= 6
    assert f"public spaces: {sum(expected.values())}" in monaco_import.result.out


def test_stored_outline_of_place_d_armes_is_osmiums_node_list(monaco_db, agora):
    out = subprocess.run(["osmium", "getid", "-r", str(PBF), "w4227203", "-f", "opl", "-o", "-"],
                         check=True, capture_output=True, text=True).stdout
    coords, refs = {}, None
    for line in out.splitlines():
        f = line.split(" ")
        if f[0].startswith("n"):
            x = next(v for v in f if v.startswith("x"))
            y = next(v for v in f if v.startswith("y"))
            coords[int(f[0][1:])] = (float(x[1:]), float(y[1:]))
        elif f[0] == "w4227203":
            refs = [int(n[1:]) for n in next(v for v in f if v.startswith("N"))[1:].split(",")]
    ring_osmium = [coords[r] for r in refs]
    res = agora("spaces", "show", "way/4227203", "--geojson", "--db", monaco_db)
    assert res.rc == 0, str(res)
    geom = json.loads(res.out)["geometry"]
    assert geom["type"] == "Polygon"
    ring = [tuple(p) for p in geom["coordinates"][0]]
    # agora orients outer rings counter-clockwise (RFC 7946); osmium keeps the
    # way's order. Same ring either way round.
    if ring[1:] != ring_osmium[1:] and ring_osmium[0] == ring_osmium[-1]:
        ring = list(reversed(ring))
    assert len(ring) == len(ring_osmium)
    for (ax, ay), (bx, by) in zip(ring, ring_osmium):
        assert abs(ax - bx) < 1e-7 and abs(ay - by) < 1e-7
