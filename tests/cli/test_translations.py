# The five languages are complete: every text of the catalogues and of the
# reports is translated in po/{fr,de,it,nl}.po, nothing is fuzzy, the
# template is up to date with the sources, and msgfmt accepts each file.
# Needs no agora binary. SPDX-License-Identifier: EUPL-1.2
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "po"
LANGS = ["fr", "de", "it", "nl"]


def entries(path):
    """(msgid, msgstr, flags) of every entry but the header; obsolete
    entries (#~) are left out."""
    text = path.read_text(encoding="utf-8")
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        flags = set()
        cur, parts = None, {"msgid": "", "msgstr": "", "msgctxt": None}
        for ln in lines:
            if ln.startswith("#,"):
                flags |= {f.strip() for f in ln[2:].split(",")}
            elif ln.startswith("#"):
                continue
            else:
                m = re.match(r'(msgctxt|msgid|msgstr)\s+"(.*)"$', ln)
                if m:
                    cur = m.group(1)
                    parts[cur] = m.group(2)
                elif ln.startswith('"') and cur:
                    parts[cur] += ln[1:-1]
        if cur is None or parts["msgid"] == "":
            continue
        key = (parts["msgctxt"], parts["msgid"])
        out.append((key, parts["msgstr"], flags))
    return out


def test_template_is_up_to_date(tmp_path):
    fresh = tmp_path / "agora.pot"
    subprocess.run([sys.executable, str(PO / "extract.py"), str(fresh)], check=True)
    want = {k for k, _, _ in entries(fresh)}
    have = {k for k, _, _ in entries(PO / "agora.pot")}
    missing, stale = sorted(want - have), sorted(have - want)
    assert not missing and not stale, (
        f"po/agora.pot is out of date: run po/update, then translate. "
        f"New: {missing[:5]}{'...' if len(missing) > 5 else ''}; gone: {stale[:5]}")


@pytest.mark.parametrize("lang", LANGS)
def test_language_is_complete(lang):
    template = {k for k, _, _ in entries(PO / "agora.pot")}
    got = {k: (s, f) for k, s, f in entries(PO / f"{lang}.po")}
    missing = sorted(k[1] for k in template if k not in got)
    untranslated = sorted(k[1] for k in template if k in got and not got[k][0])
    fuzzy = sorted(k[1] for k in template if k in got and "fuzzy" in got[k][1])
    assert not missing, f"{lang}: not in po/{lang}.po (run po/update): {missing[:5]}"
    assert not untranslated, f"{lang}: untranslated: {untranslated[:5]}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy[:5]}"
    # a text left in English is allowed (a code, a word both languages
    # share), but not as a way of leaving the work undone
    same = [k[1] for k in template if got[k][0] == k[1]]
    assert len(same) <= 0.02 * len(template), f"{lang}: {len(same)} texts left in English: {same}"


@pytest.mark.parametrize("lang", LANGS)
def test_msgfmt_accepts_the_catalogue(lang, tmp_path):
    r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"),
                        str(PO / f"{lang}.po")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "untranslated" not in r.stderr and "fuzzy" not in r.stderr, r.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    spec = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:zu|lld|ld|d|s|g|f|c|%)")
    for (ctx, msgid), msgstr, flags in entries(PO / f"{lang}.po"):
        if "no-c-format" in flags or not msgstr:
            continue
        assert spec.findall(msgid) == spec.findall(msgstr), (lang, msgid, msgstr)
