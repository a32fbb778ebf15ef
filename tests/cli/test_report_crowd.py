# agora report: the "Crowd safety" section (lib/report/crowd.c), checked
# against `agora crowd capacity SPACE --json` and a hand calculation of the
# SFPE flow time on the demo city.
# SPDX-License-Identifier: EUPL-1.2
import json
import math
import re

import pytest

# An egress-limited park with three exits (one discounted) and a square
# limited by its area.
EGRESS_LIMITED = "way/157719660"  # Jardins du Cafe de Paris
HOLDING_LIMITED = "way/4227203"  # Place d'Armes
NO_EXIT = "Place du Palais"

# docs/methodology.md §15, 3: SFPE maximum specific flow (persons/s per metre
# of effective width), level and stairs 178/279 mm; boundary layer per side.
FS_LEVEL, FS_STAIRS, BOUNDARY_M = 1.3, 1.01, 0.15


@pytest.fixture(scope="module")
def report(agora, monaco_import, tmp_path_factory, db_copy):
    d = tmp_path_factory.mktemp("report-crowd")
    db = db_copy(monaco_import.db, d / "db" / "monaco.db")
    res = agora("report", "--db", db, "--out", d / "out")
    assert res.rc == 0, res
    html = (d / "out" / "index.html").read_text(encoding="utf-8")
    start = html.index('<h2 id="crowd">')
    end = html.find("<h2", start + 1)
    return {"db": db, "html": html, "section": html[start:end if end >= 0 else len(html)]}


def text(cell):
    return re.sub(r"<[^>]+>", "", cell).replace("&ndash;", "-").strip()


def number(cell):
    return float(re.match(r"[\d,.]+", text(cell)).group(0).replace(",", ""))


def row(section, space_id):
    m = re.search(rf'<tr id="crowd-{space_id}"[^>]*>(.*?)</tr>', section)
    assert m, f"no row for space {space_id}"
    return re.findall(r"<td[^>]*>.*?</td>", m.group(1))


def capacity(agora, db, ref):
    res = agora("crowd", "capacity", ref, "--db", db, "--json")
    assert res.rc == 0, res
    return json.loads(res.out)


def sfpe_flow_time(exits, people):
    """Balanced sharing without distances, by hand: people in proportion to
    each exit's flow, whole persons by largest remainder, the time of the
    slowest exit (docs/methodology.md §15, 3.1)."""
    flows = [(FS_STAIRS if x["stairs"] else FS_LEVEL) * max(0.0, x["width_m"] - 2 * BOUNDARY_M)
             for x in exits]
    total = sum(flows)
    share = [people * f / total for f in flows]
    n = [math.floor(s) for s in share]
    for i in sorted(range(len(n)), key=lambda i: (-(share[i] - n[i]), i))[:people - sum(n)]:
        n[i] += 1
    return max(k / f for k, f in zip(n, flows) if f > 0)


def test_report_has_a_crowd_safety_section_with_its_parameters(report):
    sec = report["section"]
    assert "Crowd safety" in sec
    assert '<table class="ct">' in sec
    for words in ("2 persons/m&sup2;", "8 minutes", "82", "66", "assumed blocked",
                  "premovement 0", "lower bound", "&sect;15", "Order"):
        assert words in sec, words
    assert len(re.findall(r'<tr id="crowd-\d+"', sec)) >= 50
    # Small enough for a city page: well under a tenth of the report.
    assert len(sec) < 80_000


@pytest.mark.parametrize("ref,limit", [(EGRESS_LIMITED, "egress"), (HOLDING_LIMITED, "holding")])
def test_a_space_line_equals_agora_crowd_capacity(agora, report, ref, limit):
    cap = capacity(agora, report["db"], ref)
    assert cap["limit"] == limit
    cells = row(report["section"], cap["space"]["id"])
    assert number(cells[1]) == round(cap["area_m2"])
    assert number(cells[2]) == len(cap["exits"])
    assert number(cells[3]) == pytest.approx(cap["exit_width_m"], abs=0.05)
    assert number(cells[4]) == cap["holding_persons"]
    assert number(cells[5]) == cap["egress_persons"]
    assert number(cells[6]) == cap["capacity_persons"]
    assert text(cells[7]) == cap["limit"]
    # Tier 2: the SFPE flow time of the capacity, every exit open.
    secs = float(re.search(r'data-s="([\d.]+)"', cells[8]).group(1))
    assert secs == pytest.approx(sfpe_flow_time(cap["exits"], int(cap["capacity_persons"])),
                                 abs=0.06)


def test_the_flow_time_is_a_lower_bound_of_agora_crowd_egress(agora, report):
    cap = capacity(agora, report["db"], HOLDING_LIMITED)
    people = int(cap["capacity_persons"])
    res = agora("crowd", "egress", HOLDING_LIMITED, "--db", report["db"], "--people", people,
                "--json", timeout=300)
    assert res.rc == 0, res
    secs = float(re.search(r'data-s="([\d.]+)"',
                           row(report["section"], cap["space"]["id"])[8]).group(1))
    assert 0 < secs <= json.loads(res.out)["total_s"] + 0.05


def test_spaces_limited_by_their_exits_come_first(report):
    limits = [text(c[7]) for c in (re.findall(r"<td[^>]*>.*?</td>", m)
                                   for m in re.findall(r'<tr id="crowd-\d+"[^>]*>(.*?)</tr>',
                                                       report["section"]))]
    assert "egress" in limits and "holding" in limits
    assert limits == sorted(limits, key=lambda x: x != "egress")


def test_spaces_without_exits_are_listed_with_the_reason(report):
    sec = report["section"]
    m = re.search(r'<p class="skip" id="crowd-skip-1">(.*?)</p>', sec)
    assert m, "no list of spaces without exits"
    assert "no street meets its outline: draw its exits in a layout" in m.group(1)
    assert NO_EXIT in text(m.group(1))
    # ... and no line in the table.
    assert not re.search(rf'<tr id="crowd-\d+"[^>]*><td><a[^>]*>{NO_EXIT}<', sec)
