# End-to-end tests of agora assess / plan / report SPACE on the Monaco demo,
# with the numbers recomputed here from the catalogues and the stored
# answers by an independent implementation of docs/methodology.md §18.
# SPDX-License-Identifier: EUPL-1.2
import csv
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
DEMO_ANSWERS = DATA / "demo" / "place-darmes-assessment.json"
PLACE = "way/4227203"  # Place d'Armes
LANGS = ["en", "fr", "de", "it", "nl"]


def rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def model():
    return {r["parameter"]: float(r["value"]) for r in rows("risk-model.csv")}


def links(text):
    out = {}
    for item in filter(None, text.split(";")):
        k, v = item.split(":")
        out[k] = float(v)
    return out


def oracle(doc):
    """Risk per scenario id from a stored assessment document."""
    m = model()
    ctx = doc["context"]
    rating = lambda v: v if v and 1 <= v <= 5 else 3  # noqa: E731
    a = (m["w_symbolic"] * rating(ctx["symbolic"]) + m["w_crowd"] * rating(ctx["crowd"])
         + m["w_media"] * rating(ctx["media"])) / (m["w_symbolic"] + m["w_crowd"] + m["w_media"])
    term = m["attractiveness_floor"] + (1 - m["attractiveness_floor"]) * (a - 1) / 4
    people = ctx.get("people")
    e = 0.5 if people is None else min(1, max(0, math.log10(max(1, people))
                                              / math.log10(m["people_reference"])))
    cons_term = m["w_people"] * e + m["w_critical"] * rating(ctx["critical"]) / 5
    levels = [m[f"level_vulnerability_{k}"] for k in range(1, 6)]
    answers = {q: v["answer"] for q, v in doc["answers"].items() if v["answer"]}
    out = {}
    for s in rows("scenarios.csv"):
        t = ctx["threat"].get(s["id"], int(s["default_threat"]))
        lik = t / 5 * term
        num = den = 0.0
        for q in rows("checklist.csv"):
            w = links(q["scenarios"]).get(s["id"])
            if w is None:
                continue
            lv = answers.get(q["id"])
            v = levels[lv - 1] if lv else (m["unanswered_lo"] + m["unanswered_hi"]) / 2
            num += w * v
            den += w
        vul = num / den
        c = int(s["severity"]) / 5 * cons_term
        out[s["id"]] = 100 * lik * vul * c
    return out


def greedy(doc, base, budget):
    """The plan of §18.4, recomputed: (chosen ids, total after)."""
    risk = dict(base)
    status = doc["measures"]
    cand = [r for r in rows("measures.csv") if status.get(r["id"], "candidate") == "candidate"]
    spent, chosen = 0.0, []
    while True:
        best = None
        for i, r in enumerate(cand):
            if r["id"] in chosen:
                continue
            cost = (float(r["cost_min_eur"]) + float(r["cost_max_eur"])) / 2
            red = sum(f * risk[s] for s, f in links(r["reduces"]).items())
            if red <= 0 or cost > budget - spent:
                continue
            key = (red / cost, -cost, -i)
            if best is None or key > best[0]:
                best = (key, r, cost)
        if best is None:
            break
        _, r, cost = best
        for s, f in links(r["reduces"]).items():
            risk[s] *= 1 - f
        spent += cost
        chosen.append(r["id"])
    return chosen, sum(risk.values()), spent


@pytest.fixture
def assessed(agora, monaco_db):
    """Monaco with a vehicle run and the demo assessment of Place d'Armes."""
    r = agora("vehicle", "--all", "--db", monaco_db)
    assert r.rc == 0, r
    r = agora("assess", "new", PLACE, "--db", monaco_db, "--assessor", "Test")
    assert r.rc == 0, r
    assert "Assessment 1: Place d'Armes" in r.out
    r = agora("assess", "answer", "1", "--file", DEMO_ANSWERS, "--db", monaco_db)
    assert r.rc == 0, r
    return monaco_db


def show(agora, db, ident):
    r = agora("assess", "show", str(ident), "--json", "--db", db)
    assert r.rc == 0, r
    return json.loads(r.out)


def test_score_matches_an_independent_calculation(agora, assessed):
    doc = show(agora, assessed, 1)["doc"]
    # the vehicle question was computed from the stored analysis
    vq = doc["answers"]["perimeter.vehicle_impact"]
    assert vq["source"] == "computed" and vq["evidence"]["engine"] == "vehicle"
    # the answers file gave the people expected: the crowd answer followed
    crowd = doc["answers"]["crowds.capacity"]
    assert crowd["source"] == "computed" and crowd["evidence"]["engine"] == "crowd"
    assert crowd["evidence"]["people"] == 3000
    r = agora("assess", "score", "1", "--json", "--db", assessed)
    assert r.rc == 0, r
    got = json.loads(r.out)
    want = oracle(doc)
    assert len(got["scenarios"]) == 13
    for s in got["scenarios"]:
        assert s["risk"]["value"] == pytest.approx(want[s["id"]], abs=1e-3), s["id"]
        assert s["risk"]["lo"] <= s["risk"]["value"] <= s["risk"]["hi"]
    assert got["total_risk"] == pytest.approx(sum(want.values()), abs=1e-2)
    text = agora("assess", "score", "1", "--db", assessed)
    assert text.rc == 0 and "Vehicle ramming" in text.out and "Total risk" in text.out


def test_plan_matches_an_independent_greedy_ranking(agora, assessed):
    doc = show(agora, assessed, 1)["doc"]
    base = oracle(doc)
    for budget in (0, 50000, 250000, 2000000):
        r = agora("plan", "1", "--budget", str(budget), "--json", "--db", assessed)
        assert r.rc == 0, r
        got = json.loads(r.out)
        chosen, after, spent = greedy(doc, base, budget)
        assert [s["measure"] for s in got["steps"]] == chosen, budget
        assert got["spent_eur"] == pytest.approx(spent)
        assert got["total_risk_after"] == pytest.approx(after, abs=1e-2)
        assert got["spent_eur"] <= budget
        for m in ("cctv", "guarding_patrols", "lighting"):  # in place: never proposed
            assert m not in chosen
    text = agora("plan", "1", "--budget", "250000", "--db", assessed)
    assert text.rc == 0 and "Residual risk per scenario" in text.out
    bad = agora("plan", "1", "--budget", "lots", "--db", assessed)
    assert bad.rc == 2 and "--budget" in bad.err


def test_versions_and_diff(agora, assessed):
    r = agora("assess", "new", PLACE, "--db", assessed)
    assert r.rc == 0, r
    assert "version 2" in r.out and "starting from the previous version" in r.out
    # version 2 recomputes the evidence with version 1's people
    doc2 = show(agora, assessed, 2)
    assert doc2["based_on"] == 1 and doc2["version"] == 2
    crowd = doc2["doc"]["answers"]["crowds.capacity"]
    assert crowd["source"] == "computed" and crowd["evidence"]["engine"] == "crowd"
    ratio = crowd["evidence"]["people"] / crowd["evidence"]["capacity"]
    bands = [(1.0, 1), (0.9, 2), (0.7, 3), (0.5, 4)]
    level = next((lv for edge, lv in bands if (ratio > edge if lv == 1 else ratio >= edge)), 5)
    assert crowd["answer"] == level
    change = {"answers": [{"question": "design.lighting", "answer": 2}],
              "measures": {"existing": ["rated_bollards"]}}
    f = Path(assessed).parent / "change.json"
    f.write_text(json.dumps(change))
    assert agora("assess", "answer", "2", "--file", f, "--db", assessed).rc == 0
    r = agora("assess", "diff", "1", "2", "--json", "--db", assessed)
    assert r.rc == 0, r
    d = json.loads(r.out)
    qs = {a["question"]: a for a in d["answers"]}
    assert qs["design.lighting"]["from"] == 4 and qs["design.lighting"]["to"] == 2
    assert {"measure": "rated_bollards", "from": "candidate", "to": "existing"} in d["measures"]
    want1, want2 = oracle(show(agora, assessed, 1)["doc"]), oracle(show(agora, assessed, 2)["doc"])
    for x in d["risk"]:
        assert x["from"] == pytest.approx(want1[x["scenario"]], abs=1e-3)
        assert x["to"] == pytest.approx(want2[x["scenario"]], abs=1e-3)
    text = agora("assess", "diff", "1", "2", "--db", assessed)
    assert text.rc == 0 and "design.lighting" in text.out and "4 (low) → 2 (high)" in text.out
    lst = agora("assess", "list", "--db", assessed)
    assert lst.rc == 0 and lst.out.count("Place d'Armes") == 2
    log = agora("assess", "log", "2", "--db", assessed)
    assert "created version 2" in log.out and "change.json" in log.out


def digest(path):
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("content,expect", [
    ('{"answers": [{"question": "site.nope", "answer": 2}]}',
     'answers[0] (question "site.nope"): unknown question'),
    ('{"answers": [{"question": "design.lighting", "answer": 2},'
     ' {"question": "design.activity", "answer": 9}]}',
     'answers[1] (question "design.activity"): answer 9 is out of range'),
    ('{"answers": [{"question": "design.lighting"}]}',
     'answers[0] (question "design.lighting"): the field "answer" is missing'),
    ('{"answers": [{"question": "design.lighting", "answer": 2}',
     "not valid JSON"),
    ('{"answers": [{"question": "perimeter.vehicle_impact", "answer": 3}]}',
     "to override it give a \"reason\""),
])
def test_bad_answers_file_names_the_item_and_stores_nothing(agora, assessed, content, expect):
    f = Path(assessed).parent / "bad.json"
    f.write_text(content)
    before = digest(assessed)
    r = agora("assess", "answer", "1", "--file", f, "--db", assessed)
    assert r.rc == 2, r
    assert expect in r.err and "bad.json" in r.err
    assert digest(assessed) == before


def test_missing_things_are_explained(agora, monaco_db, tmp_path):
    r = agora("assess", "score", "7", "--db", monaco_db)
    assert r.rc == 2 and "no such assessment" in r.err
    r = agora("assess", "new", "way/1", "--db", monaco_db)
    assert r.rc == 2, r
    r = agora("report", PLACE, "--out", tmp_path / "x.html", "--db", monaco_db)
    assert r.rc == 2 and "has no assessment yet" in r.err
    assert not (tmp_path / "x.html").exists()
    r = agora("assess", "answer", "1", "--db", monaco_db)  # no --file, stdin not a terminal
    assert r.rc == 2
    r = agora("report", PLACE, "--out", tmp_path / "x.pdf", "--lang", "es", "--db", monaco_db)
    assert r.rc == 2 and "en fr de it nl" in r.err


def test_interactive_answers_on_a_terminal(agora, agora_bin, agora_env, assessed):
    # question by question: keep, 5, skip, then stop
    p = subprocess.run([str(agora_bin), "assess", "answer", "1", "--db", str(assessed)],
                       input="\n5\ns\nq\n", capture_output=True, text=True,
                       env=dict(agora_env, AGORA_INTERACTIVE="1"), timeout=120)
    assert p.returncode == 0, p.stderr
    assert "[1/43]" in p.stdout and "Why it matters" in p.stdout
    assert "Saved 1 answer(s)" in p.stdout
    doc = show(agora, assessed, 1)["doc"]
    first_two = [r["id"] for r in rows("checklist.csv")][:2]
    assert doc["answers"][first_two[1]]["answer"] == 5


def po_translation(lang, msgid):
    """msgstr of msgid in po/<lang>.po (single-line entries, --no-wrap)."""
    text = (REPO / "po" / f"{lang}.po").read_text(encoding="utf-8")
    m = re.search(r'^msgid "' + re.escape(msgid) + r'"\nmsgstr "(.*)"$', text, re.M)
    assert m and m.group(1), f"{lang}: no translation of {msgid!r}"
    return m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def text_of_pdf(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def nonblank_pages(path, outdir):
    prefix = outdir / "page"
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(prefix)], check=True)
    pages = sorted(outdir.glob("page*.pgm"))
    counts = []
    for p in pages:
        data = p.read_bytes()
        # binary PGM: P5 <w> <h> <max> then w*h bytes
        head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        w, h = int(head.group(1)), int(head.group(2))
        pixels = data[head.end():head.end() + w * h]
        counts.append(sum(1 for b in pixels if b < 200))
    return counts


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
@pytest.mark.parametrize("lang", LANGS)
def test_report_pdf_in_every_language(agora, assessed, tmp_path, lang):
    out = tmp_path / f"place-darmes-{lang}.pdf"
    r = agora("report", PLACE, "--lang", lang, "--format", "pdf", "--budget", "250000",
              "--out", out, "--db", assessed)
    assert r.rc == 0, r
    assert out.read_bytes()[:5] == b"%PDF-"
    pages = nonblank_pages(out, tmp_path)
    assert len(pages) >= 3
    assert all(c > 50 for c in pages), pages
    text = text_of_pdf(out)
    for heading in ("Risk register", "Protection plan", "Scenario sheets", "Summary"):
        want = heading if lang == "en" else po_translation(lang, heading)
        assert want in text, (lang, heading, want)
    name = "Vehicle ramming" if lang == "en" else po_translation(lang, "Vehicle ramming")
    assert name in text
    assert "Place d'Armes" in text or "Place d’Armes" in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_html_and_overview(agora, assessed, tmp_path, lang):
    out = tmp_path / "r.html"
    r = agora("report", PLACE, "--lang", lang, "--out", out, "--db", assessed)
    assert r.rc == 0, r
    html = out.read_text(encoding="utf-8")
    assert f'lang="{lang}"' in html
    heading = "Risk register" if lang == "en" else po_translation(lang, "Risk register")
    assert heading in html
    ov = tmp_path / "overview.pdf"
    r = agora("report", "--overview", "--lang", lang, "--format", "pdf", "--out", ov,
              "--db", assessed)
    assert r.rc == 0, r
    assert "Place d'Armes" in text_of_pdf(ov) or "Place d’Armes" in text_of_pdf(ov)
