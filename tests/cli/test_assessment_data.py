# The vulnerability assessment catalogues (data/scenarios.csv,
# data/checklist-areas.csv, data/checklist.csv, data/measures.csv) and their
# bibliography (data/ASSESSMENT-SOURCES.md), checked mechanically: format,
# headers, counts, identifiers, references both ways, ranges, lengths, the
# three evidence questions and their bands. Reads the files only: needs no
# agora binary and none of the fixtures of conftest.py.
# SPDX-License-Identifier: EUPL-1.2
import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SOURCES_MD = DATA / "ASSESSMENT-SOURCES.md"

HEADERS = {
    "scenarios.csv": ["id", "code", "name", "description", "severity", "default_threat", "source"],
    "checklist-areas.csv": ["id", "name", "description"],
    "checklist.csv": ["id", "area", "question", "why", "answer_1", "answer_2", "answer_3",
                      "answer_4", "answer_5", "scenarios", "measures", "evidence"],
    "measures.csv": ["id", "name", "description", "category", "cost_min_eur", "cost_max_eur",
                     "reduces", "accessibility", "multifunctionality", "proportionality",
                     "sustainability", "aesthetics", "source"],
}

SCENARIO_IDS = ["vehicle_ramming", "marauding_blade", "marauding_firearm", "placed_ied", "pbied",
                "vbied", "drone", "fire_weapon", "cbrn", "crowd_crush", "street_crime",
                "hostile_recon", "hoax_panic"]
AREAS = {
    "site": "Site and surroundings",
    "perimeter": "Perimeter and vehicle access",
    "crowds": "Crowds and events",
    "surveillance": "Surveillance and detection",
    "organisation": "Organisation and response",
    "communication": "Communication and training",
    "design": "Design and maintenance",
}
CATEGORIES = {"hvm", "detection", "lighting", "training", "procedures", "crowd", "design",
              "communication"}
# Measures the catalogue must offer (the required list, by id), and categories
# that must each hold at least one measure.
REQUIRED_MEASURES = {"total_traffic_exclusion", "controlled_inclusion", "footway_protection",
                     "traffic_calming", "temporary_barriers", "rated_bollards", "cctv",
                     "event_search", "lighting", "staff_training", "evacuation_plan",
                     "crowd_management", "drone_detection", "guarding_patrols",
                     "protective_street_furniture", "sightline_clearance",
                     "maintenance_programme", "public_information", "emergency_alerting"}
SBD = ["accessibility", "multifunctionality", "proportionality", "sustainability", "aesthetics"]

# evidence key -> (area, the five bands as they must appear, case-insensitive, in
# answer_1 .. answer_5). The engines compute these bands: order matters.
EVIDENCE = {
    "vehicle_impact": ("perimeter", [r"48 km/h or more", r"\b32 to 48 km/h", r"\b16 to 32 km/h",
                                     r"below 16 km/h", r"no entry without a rated barrier.*"
                                                       r"no vehicle access"]),
    "crowd_capacity": ("crowds", [r"above the safe capacity", r"\b90 to 100 %",
                                  r"\b70 to 90 %", r"\b50 to 70 %", r"below 50 %"]),
    "incident_density": ("site", [r"more than 3 times", r"\b2 to 3 times", r"\b1 to 2 times",
                                  r"\b0\.5 to 1 times", r"below half.*\bnone\b|\bno recorded"]),
}

MAX_LEN = {  # (file, column) -> characters
    ("scenarios.csv", "name"): 45,
    ("scenarios.csv", "description"): 300,
    ("checklist-areas.csv", "name"): 45,
    ("checklist-areas.csv", "description"): 200,
    ("checklist.csv", "question"): 200,
    ("checklist.csv", "why"): 300,
    **{("checklist.csv", f"answer_{i}"): 160 for i in range(1, 6)},
    # Not fixed by the specification; kept short so that reports can print them.
    ("measures.csv", "name"): 60,
    ("measures.csv", "description"): 400,
}
TEXT_COLUMNS = {
    "scenarios.csv": ["name", "description"],
    "checklist-areas.csv": ["name", "description"],
    "checklist.csv": ["question", "why"] + [f"answer_{i}" for i in range(1, 6)],
    "measures.csv": ["name", "description"],
}

MARKDOWN_OR_HTML = re.compile(
    r"\*\*|__|`|\[[^\]]*\]\(|<[A-Za-z/!]|&[a-z]+;|^\s*(#|>|[-*+] |\d+\. )|~~")
# American spellings that British English writes otherwise.
AMERICAN = re.compile(
    r"\b(organiz\w*|recogniz\w*|minimiz\w*|prioritiz\w*|utiliz\w*|analyz\w*|realiz\w*|"
    r"behavior\w*|neighbor\w*|color\w*|center|centers|centered|defense|offense|meter|meters|"
    r"liter|liters|program|programs|favor\w*|labor|gray|traveled|traveling|catalog|"
    r"fulfill)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
KEY_LINE = re.compile(r"^- ([A-Za-z0-9][A-Za-z0-9.-]*): \S", re.MULTILINE)


def load(name):
    raw = (DATA / name).read_bytes()
    text = raw.decode("utf-8")  # strict: fails on invalid UTF-8
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    return raw, text, rows


@pytest.fixture(scope="module")
def tables():
    out = {}
    for name, header in HEADERS.items():
        _, _, rows = load(name)
        assert rows, f"{name} is empty"
        assert rows[0] == header, f"{name}: header {rows[0]} != {header}"
        out[name] = [dict(zip(header, r)) for r in rows[1:]]
    return out


@pytest.fixture(scope="module")
def source_keys():
    text = SOURCES_MD.read_bytes().decode("utf-8")
    keys = KEY_LINE.findall(text)
    dup = [k for k, n in Counter(keys).items() if n > 1]
    assert not dup, f"ASSESSMENT-SOURCES.md defines these keys twice: {dup}"
    return set(keys)


def split_list(value, sep=";"):
    return [] if value == "" else value.split(sep)


def weighted(value, what):
    """'id:x;id:y' -> [(id, 'x'), ...], every item checked for form."""
    out = []
    for item in split_list(value):
        assert item.count(":") == 1, f"{what}: '{item}' is not id:value"
        out.append(tuple(item.split(":")))
    return out


# ------------------------------------------------------------------ format

@pytest.mark.parametrize("name", list(HEADERS))
def test_file_format(name):
    raw, text, rows = load(name)
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: UTF-8 byte order mark"
    assert b"\r" not in raw, f"{name}: CR found; line endings must be LF"
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n"), \
        f"{name}: must end with exactly one LF"
    width = len(HEADERS[name])
    for n, row in enumerate(rows, 1):
        assert len(row) == width, f"{name} record {n}: {len(row)} fields, expected {width}"
        for field in row:
            assert "\n" not in field, f"{name} record {n}: a field spans lines: {field!r}"
            assert field == field.strip(), f"{name} record {n}: spaces around {field!r}"
            assert "  " not in field, f"{name} record {n}: double space in {field!r}"
            assert all(ord(c) >= 32 and c != "\x7f" for c in field), \
                f"{name} record {n}: control character in {field!r}"
    # RFC 4180 with minimal quoting: writing the records back gives the same bytes
    # (commas and quotes quoted, quotes doubled, nothing else quoted).
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    assert buf.getvalue() == text, f"{name}: not in RFC 4180 minimal-quoting form"


@pytest.mark.parametrize("name", list(HEADERS))
def test_text_fields_plain_british(tables, name):
    for row in tables[name]:
        for col in TEXT_COLUMNS[name]:
            value = row[col]
            assert value, f"{name} {row['id']}: empty {col}"
            assert not MARKDOWN_OR_HTML.search(value), \
                f"{name} {row['id']}: Markdown or HTML in {col}: {value!r}"
            m = AMERICAN.search(value)
            assert not m, f"{name} {row['id']}: American spelling '{m.group(0)}' in {col}"
            limit = MAX_LEN.get((name, col))
            if limit:
                assert len(value) <= limit, \
                    f"{name} {row['id']}: {col} has {len(value)} characters, limit {limit}"


def test_no_duplicate_ids_or_texts(tables):
    for name, rows in tables.items():
        ids = [r["id"] for r in rows]
        dup = [i for i, n in Counter(ids).items() if n > 1]
        assert not dup, f"{name}: duplicate ids {dup}"
        for col in TEXT_COLUMNS[name]:
            texts = [r[col].casefold() for r in rows]
            dup = [t for t, n in Counter(texts).items() if n > 1]
            assert not dup, f"{name}: duplicate {col}: {dup}"
    answers = [r[f"answer_{i}"].casefold() for r in tables["checklist.csv"] for i in range(1, 6)]
    dup = [t for t, n in Counter(answers).items() if n > 1]
    assert not dup, f"checklist.csv: the same answer text twice: {dup}"


# --------------------------------------------------------------- scenarios

def test_scenarios(tables, source_keys):
    rows = tables["scenarios.csv"]
    assert [r["id"] for r in rows] == SCENARIO_IDS
    assert [r["code"] for r in rows] == [f"S{i}" for i in range(1, 14)]
    for r in rows:
        for col in ("severity", "default_threat"):
            assert re.fullmatch(r"[1-5]", r[col]), f"{r['id']}: {col} {r[col]!r} not 1-5"
        n = len(SENTENCE_END.findall(r["description"]))
        assert 1 <= n <= 2 and r["description"].endswith("."), \
            f"{r['id']}: description must be one or two sentences"
        keys = r["source"].split("; ")
        assert all(keys) and len(set(keys)) == len(keys), f"{r['id']}: bad source {r['source']!r}"
        missing = set(keys) - source_keys
        assert not missing, f"{r['id']}: source keys not in ASSESSMENT-SOURCES.md: {missing}"
    sev = {r["id"]: int(r["severity"]) for r in rows}
    # The specification's anchors: reconnaissance is a precursor, street crime is low,
    # hoax-induced panic moderate.
    assert sev["hostile_recon"] == 1
    assert sev["street_crime"] <= 2
    assert 2 <= sev["hoax_panic"] <= 4


# ------------------------------------------------------------------- areas

def test_areas(tables):
    rows = tables["checklist-areas.csv"]
    assert {r["id"]: r["name"] for r in rows} == AREAS
    assert [r["id"] for r in rows] == list(AREAS)
    assert "ISO 22341" in next(r for r in rows if r["id"] == "design")["description"]


# --------------------------------------------------------------- checklist

def test_checklist_shape(tables):
    rows = tables["checklist.csv"]
    assert 35 <= len(rows) <= 45, f"{len(rows)} questions, expected 35 to 45"
    per_area = Counter(r["area"] for r in rows)
    assert set(per_area) == set(AREAS), f"areas used: {sorted(per_area)}"
    thin = {a: n for a, n in per_area.items() if n < 4}
    assert not thin, f"areas with fewer than 4 questions: {thin}"
    for r in rows:
        assert re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", r["id"]) and \
            re.fullmatch(r"[a-z0-9_.]+", r["id"]), f"bad question id {r['id']!r}"
        assert r["id"].split(".")[0] == r["area"], f"{r['id']}: id does not start with its area"
        assert r["question"].endswith("?"), f"{r['id']}: question must end with '?'"
        n = len(SENTENCE_END.findall(r["why"]))
        assert 1 <= n <= 2 and r["why"].endswith("."), f"{r['id']}: why must be 1-2 sentences"
        answers = [r[f"answer_{i}"] for i in range(1, 6)]
        assert len({a.casefold() for a in answers}) == 5, f"{r['id']}: repeated answers"


def test_checklist_references(tables):
    rows = tables["checklist.csv"]
    measures = {m["id"]: m for m in tables["measures.csv"]}
    reduces = {m: {s for s, _ in weighted(v["reduces"], m)} for m, v in measures.items()}
    coverage = Counter()
    referenced = set()
    for r in rows:
        pairs = weighted(r["scenarios"], r["id"])
        assert pairs, f"{r['id']}: bears on no scenario"
        ids = [s for s, _ in pairs]
        assert len(set(ids)) == len(ids), f"{r['id']}: a scenario listed twice"
        for s, w in pairs:
            assert s in SCENARIO_IDS, f"{r['id']}: unknown scenario {s!r}"
            assert re.fullmatch(r"[1-3]", w), f"{r['id']}: weight {w!r} of {s} not 1-3"
            coverage[s] += 1
        ms = split_list(r["measures"])
        assert len(set(ms)) == len(ms), f"{r['id']}: a measure listed twice"
        for m in ms:
            assert m in measures, f"{r['id']}: unknown measure {m!r}"
            # A suggested measure must act on at least one scenario of the question.
            assert reduces[m] & set(ids), \
                f"{r['id']}: measure {m} reduces none of the question's scenarios"
        referenced.update(ms)
    thin = {s: coverage[s] for s in SCENARIO_IDS if coverage[s] < 3}
    assert not thin, f"scenarios covered by fewer than 3 questions: {thin}"
    unused = set(measures) - referenced
    assert not unused, f"measures no question suggests: {sorted(unused)}"


def test_evidence_questions(tables):
    rows = tables["checklist.csv"]
    used = Counter(r["evidence"] for r in rows if r["evidence"])
    assert set(used) <= set(EVIDENCE), f"unknown evidence keys: {set(used) - set(EVIDENCE)}"
    for key, (area, bands) in EVIDENCE.items():
        qs = [r for r in rows if r["evidence"] == key]
        assert len(qs) == 1, f"evidence {key}: {len(qs)} questions, expected exactly 1"
        r = qs[0]
        assert r["area"] == area, f"evidence {key} belongs in {area}, found in {r['area']}"
        for i, band in enumerate(bands, 1):
            answer = r[f"answer_{i}"]
            assert re.search(band, answer, re.IGNORECASE), \
                f"{r['id']} answer_{i} {answer!r} does not state the band /{band}/"


# ---------------------------------------------------------------- measures

def test_measures(tables, source_keys):
    rows = tables["measures.csv"]
    assert 28 <= len(rows) <= 40, f"{len(rows)} measures, expected 28 to 40"
    ids = {r["id"] for r in rows}
    missing = REQUIRED_MEASURES - ids
    assert not missing, f"required measures missing: {sorted(missing)}"
    assert {r["category"] for r in rows} == CATEGORIES
    for r in rows:
        mid = r["id"]
        assert re.fullmatch(r"[a-z0-9_]+", mid), f"bad measure id {mid!r}"
        assert r["category"] in CATEGORIES, f"{mid}: category {r['category']!r}"
        for col in ("cost_min_eur", "cost_max_eur"):
            assert re.fullmatch(r"0|[1-9][0-9]*", r[col]), f"{mid}: {col} {r[col]!r} not an integer"
        assert int(r["cost_min_eur"]) <= int(r["cost_max_eur"]), f"{mid}: cost min > max"
        last = [s for s in re.split(r"(?<=[.!?])\s+", r["description"]) if s][-1]
        assert last.startswith("Cost basis: ") and last.endswith("."), \
            f"{mid}: the description's last sentence must state the cost basis"
        pairs = weighted(r["reduces"], mid)
        assert pairs, f"{mid}: reduces no scenario"
        seen = [s for s, _ in pairs]
        assert len(set(seen)) == len(seen), f"{mid}: a scenario listed twice in reduces"
        for s, f in pairs:
            assert s in SCENARIO_IDS, f"{mid}: unknown scenario {s!r}"
            assert re.fullmatch(r"0\.[0-9]{1,2}", f) and 0 < float(f) < 1, \
                f"{mid}: fraction {f!r} for {s} not in (0,1) with at most two decimals"
        for col in SBD:
            assert re.fullmatch(r"[1-5]", r[col]), f"{mid}: {col} {r[col]!r} not 1-5"
        keys = r["source"].split("; ")
        assert all(keys) and len(set(keys)) == len(keys), f"{mid}: bad source {r['source']!r}"
        unknown = set(keys) - source_keys
        assert not unknown, f"{mid}: source keys not in ASSESSMENT-SOURCES.md: {unknown}"
    by_id = {r["id"]: r for r in rows}
    # The specification's anchors for hostile vehicle mitigation.
    assert by_id["rated_bollards"]["category"] == "hvm"
    assert "vehicle_ramming" in by_id["rated_bollards"]["reduces"]
    assert int(by_id["total_traffic_exclusion"]["proportionality"]) <= 2


def test_every_scenario_reduced_by_some_measure(tables):
    reduced = {s for r in tables["measures.csv"] for s, _ in weighted(r["reduces"], r["id"])}
    assert reduced == set(SCENARIO_IDS), f"no measure for {set(SCENARIO_IDS) - reduced}"


# ----------------------------------------------------------------- sources

def test_sources_file(tables, source_keys):
    raw = SOURCES_MD.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n") and not raw.startswith(b"\xef\xbb\xbf")
    cited = set()
    for name in ("scenarios.csv", "measures.csv"):
        for r in tables[name]:
            cited.update(r["source"].split("; "))
    uncited = source_keys - cited
    assert not uncited, f"ASSESSMENT-SOURCES.md lists keys no row cites: {sorted(uncited)}"
