#!/usr/bin/env python3
"""Writes the translatable texts of agora to a gettext template (.pot).

Three sources: the C sources (texts passed to ag_tr, ag_trc or the T() macro
of lib/report, found by xgettext), the web front end (texts passed to t() in
web/js/*.js, found by xgettext as JavaScript; served to the browser by
GET /api/v1/i18n/{lang}) and the assessment catalogues in data/ (names,
descriptions, questions, answers: translated by their English text, which is
their msgid). Usage: po/extract.py OUT.pot  (run from anywhere).
SPDX-License-Identifier: EUPL-1.2
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# file -> the columns whose text a reader sees
CSV_FIELDS = {
    "data/scenarios.csv": ["name", "description"],
    "data/checklist-areas.csv": ["name", "description"],
    "data/checklist.csv": ["question", "why", "answer_1", "answer_2", "answer_3",
                           "answer_4", "answer_5"],
    "data/measures.csv": ["name", "description"],
    "data/survey-questions.csv": ["text", "low", "high"],
    "data/indicators.csv": ["name"],
    "data/funding-instruments.csv": ["name", "description"],
}

# JSON files -> (the list key, the field of each entry a reader sees)
JSON_FIELDS = {
    "data/training/reference/place-darmes.json": ("answers", "reason"),
}

C_SOURCES = ["lib/report/assess.c", "lib/i18n/strings.c", "src/server/api_training.c",
             "src/server/api_actions.c"]
JS_DIR = "web/js"


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


def csv_pot(path):
    entries = {}  # msgid -> [references]
    for rel, cols in CSV_FIELDS.items():
        with open(os.path.join(ROOT, rel), newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for row in reader:
                line = reader.line_num
                for col in cols:
                    text = row[col]
                    if text:
                        entries.setdefault(text, []).append(f"{rel}:{line}")
    for rel, (key, field) in JSON_FIELDS.items():
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            doc = json.load(f)
        for k, entry in enumerate(doc[key]):
            text = entry.get(field)
            if text:
                entries.setdefault(text, []).append(f"{rel}:{key}[{k}]")
    with open(path, "w", encoding="utf-8") as out:
        out.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        for msgid, refs in entries.items():
            out.write("#: " + " ".join(refs) + "\n")
            if "%" in msgid:
                out.write("#, no-c-format\n")
            out.write(f"msgid {po_quote(msgid)}\nmsgstr \"\"\n\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: po/extract.py OUT.pot")
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        c_pot = os.path.join(tmp, "c.pot")
        d_pot = os.path.join(tmp, "data.pot")
        js_pot = os.path.join(tmp, "js.pot")
        sources = [s for s in C_SOURCES if os.path.exists(os.path.join(ROOT, s))]
        subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "--keyword=ag_tr:2",
                        "--keyword=ag_trc:2c,3", "--keyword=T", "--add-comments=TRANSLATORS:",
                        "--package-name=agora", "--package-version=0.1.0",
                        "--msgid-bugs-address=https://agora.invalid/issues",
                        "--omit-header" if False else "--no-wrap", "-o", c_pot] + sources,
                       cwd=ROOT, check=True)
        pots = [c_pot]
        js = sorted(os.path.join(JS_DIR, f) for f in os.listdir(os.path.join(ROOT, JS_DIR))
                    if f.endswith(".js")) if os.path.isdir(os.path.join(ROOT, JS_DIR)) else []
        if js:
            # t("text") and t("text {n}", {n: 3}): the first argument only
            subprocess.run(["xgettext", "--from-code=UTF-8", "--language=JavaScript",
                            "--keyword=", "--keyword=t:1", "--add-comments=TRANSLATORS:",
                            "--no-wrap", "-o", js_pot] + js, cwd=ROOT, check=True)
            if os.path.exists(js_pot):  # xgettext writes nothing when it finds nothing
                pots.append(js_pot)
        csv_pot(d_pot)
        pots.append(d_pot)
        subprocess.run(["msgcat", "--use-first", "--no-wrap", "-o", out] + pots,
                       cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
