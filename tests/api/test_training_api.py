"""Training over the API: an order exercise never reaches the page in its
right order (the lesson file's), and the right order, given in the places
the learner saw, scores 1. Oracle: the numbered lists of the lesson files,
read here."""
import re

import pytest

from agora_api import API, REPO

TRAINING = REPO / "data" / "training"


def order_exercises():
    """(lesson id, exercise id, options in the right order) of every order
    exercise of the English lesson files."""
    out = []
    for f in sorted(TRAINING.glob("m*/*.en.md")):
        text = f.read_text(encoding="utf-8")
        lesson = re.search(r"^id: (\S+)$", text, re.M).group(1)
        for m in re.finditer(r"^::: order (\S+)\n(.*?)^:::$", text, re.M | re.S):
            opts = re.findall(r"^\d+\. (.*)$", m.group(2), re.M)
            out.append((lesson, m.group(1), opts))
    return out


@pytest.mark.skipif(not (TRAINING / "modules.csv").exists(), reason="no training data")
def test_order_exercises_come_shuffled_and_score_in_shown_places(start_server):
    srv = start_server()
    a = srv.api
    found = order_exercises()
    assert len(found) >= 3, "the lessons have order exercises"
    for user in ("viewer", "assessor"):
        s = a.must_login(user)
        for lesson, ex_id, right in found:
            body = a.get(f"{API}/training/lessons/{lesson}?lang=en", s).json()
            ex = [e for e in body["exercises"] if e["id"] == ex_id][0]
            shown = ex["options"]
            assert sorted(shown) == sorted(right)
            assert shown != right, f"{ex_id} shown in its right order"
            # the right order, in the places shown
            answer = [shown.index(o) for o in right]
            r = a.request("POST", f"{API}/training/exercises/{ex_id}", {"answer": answer}, s)
            assert r.status == 200, r
            got = r.json()
            assert got["score"] == 1, (ex_id, got)
            assert got["correct"] == answer and got["answer"] == answer
            # the page gets the same places back with the lesson
            again = a.get(f"{API}/training/lessons/{lesson}?lang=en", s).json()
            ex2 = [e for e in again["exercises"] if e["id"] == ex_id][0]
            assert ex2["options"] == shown and ex2["answer"] == answer
            # the file's order, sent as places, is not the right answer
            r = a.request("POST", f"{API}/training/exercises/{ex_id}",
                          {"answer": list(range(len(right)))}, s)
            assert r.json()["score"] < 1
