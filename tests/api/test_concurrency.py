# Concurrent edits of one assessment lose no write silently (a conflict is
# reported), and kill -9 of the server during writes loses no committed
# (acknowledged) change. SPDX-License-Identifier: EUPL-1.2
import http.client
import json
import sqlite3
import threading
import time

import pytest

from agora_api import API, rows

FREE_QUESTIONS = ["site.footfall", "site.escape_directions", "crowds.queues",
                  "surveillance.patrols"]


def new_assessment(api, world, session, spare_index):
    mon, sid = world.city["Monaco"], world.spare["Monaco"][spare_index]
    r = api.request("POST", f"{API}/cities/{mon}/spaces/{sid}/assessments", None, session)
    assert r.status == 201, r
    return mon, r.json()["id"], r.json()["rev"]


def answer(api, session, city, aid, rev, question, value, reason):
    return api.request("PUT", f"{API}/cities/{city}/assessments/{aid}",
                       {"rev": rev, "answers": [{"question": question, "answer": value,
                                                 "reason": reason}]}, session)


def answers_of(doc_json):
    """{question: (answer, reason)} of an assessment of the API."""
    return {a["question"]: (a["answer"], a["reason"]) for a in doc_json["answers"]}


def stored(db, aid, rw=False):
    """(rev, {question: (answer, reason)}) of the stored assessment."""
    if rw:
        con = sqlite3.connect(db, timeout=10)
        try:
            rev, doc = con.execute("SELECT rev, doc FROM assessments WHERE id = ?",
                                   (aid,)).fetchone()
        finally:
            con.close()
    else:
        rev, doc = rows(db, "SELECT rev, doc FROM assessments WHERE id = ?", aid)[0]
    ans = json.loads(doc)["answers"]
    return rev, {q: (a.get("answer"), a.get("reason")) for q, a in ans.items()}


def test_conflict_is_reported(world, api, sessions):
    a, c = sessions["assessor"], sessions["coordinator"]
    city, aid, _ = new_assessment(api, world, a, 3)
    path = f"{API}/cities/{city}/assessments/{aid}"
    ra, rc = api.get(path, a), api.get(path, c)
    assert ra.json()["rev"] == rc.json()["rev"]
    rev = ra.json()["rev"]
    first = answer(api, a, city, aid, rev, "site.footfall", 1, "the first change")
    assert first.status == 200, first
    assert first.json()["rev"] == rev + 1
    second = answer(api, c, city, aid, rev, "site.footfall", 5, "the second change")
    assert second.status == 409, second
    body = second.json()
    assert "error" in body and "current" in body
    assert body["current"]["rev"] == rev + 1
    assert answers_of(body["current"])["site.footfall"] == (1, "the first change")
    db_rev, ans = stored(world.db, aid)
    assert db_rev == rev + 1
    assert ans["site.footfall"] == (1, "the first change")
    # the loser reloads and makes the change again: accepted
    again = answer(api, c, city, aid, body["current"]["rev"], "site.footfall", 5, "again")
    assert again.status == 200, again
    assert stored(world.db, aid) == (rev + 2, {**ans, "site.footfall": (5, "again")})


def test_simultaneous_saves(world, api, sessions):
    """Two users press save at the same moment, from the same revision:
    exactly one is taken, the other told, and the database has the one."""
    a, c = sessions["assessor"], sessions["coordinator"]
    city, aid, rev = new_assessment(api, world, a, 4)
    for round_ in range(6):
        barrier = threading.Barrier(2)
        out = {}

        def save(who, s, value):
            barrier.wait()
            out[who] = answer(api, s, city, aid, rev, "site.footfall", value,
                              f"round {round_} by {who}")

        ts = [threading.Thread(target=save, args=("assessor", a, 1)),
              threading.Thread(target=save, args=("coordinator", c, 5))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        statuses = sorted(r.status for r in out.values())
        assert statuses == [200, 409], out
        winner = [w for w, r in out.items() if r.status == 200][0]
        loser = [w for w, r in out.items() if r.status == 409][0]
        assert out[loser].json()["current"]["rev"] == rev + 1
        db_rev, ans = stored(world.db, aid)
        assert db_rev == rev + 1
        assert ans["site.footfall"][1] == f"round {round_} by {winner}", (out, ans)
        assert answers_of(out[winner].json()) == answers_of(out[loser].json()["current"])
        rev = db_rev


def test_sharing_change_keeps_concurrent_answers(world, api, sessions):
    """Changing the sharing of an assessment while someone saves answers must
    not put back the answers as they were before that save."""
    a, c = sessions["assessor"], sessions["coordinator"]
    city, aid, rev = new_assessment(api, world, a, 5)
    path = f"{API}/cities/{city}/assessments/{aid}"
    done = threading.Event()
    lost, errors = [], []

    def share():
        labels = ["TLP:GREEN", "TLP:AMBER"]
        i = 0
        while not done.is_set():
            r = api.request("PUT", path + "/sharing", {"sharing": labels[i % 2]}, c)
            if r.status != 200:
                errors.append(r)
                return
            i += 1

    t = threading.Thread(target=share)
    t.start()
    last = None
    try:
        deadline = time.monotonic() + 25
        n = 0
        while n < 40 and time.monotonic() < deadline:
            cur = api.get(path, a)
            assert cur.status == 200, cur
            got = answers_of(cur.json())["site.footfall"]
            if last is not None and got != last:
                lost.append((last, got, cur.json()["rev"]))
                last = got
            n += 1
            want = (n % 5 + 1, f"save {n}")
            r = answer(api, a, city, aid, cur.json()["rev"], "site.footfall", *want)
            if r.status == 200:
                last = want
            elif r.status == 409:
                n -= 1
            else:
                pytest.fail(f"saving: {r}")
    finally:
        done.set()
        t.join(120)
        api.request("PUT", path + "/sharing", {"sharing": "TLP:AMBER"}, c)
    assert not errors, errors
    final = answers_of(api.get(path, a).json())["site.footfall"]
    if final != last:
        lost.append((last, final, "at the end"))
    assert not lost, (f"acknowledged answers were undone by concurrent sharing changes "
                      f"(acknowledged, then found, rev): {lost[:5]}")


def test_kill_9_loses_no_acknowledged_change(world, start_server):
    srv = start_server(threads=4)
    api = srv.api
    sess = [api.must_login("assessor"), api.must_login("coordinator")]
    city, aid = world.city["Monaco"], world.aid["Monaco"]
    path = f"{API}/cities/{city}/assessments/{aid}"
    lock = threading.Lock()
    acked = []  # (rev, thread, n, {question: (answer, reason)}) of every 200
    stop = threading.Event()
    failures = []

    def writer(i):
        s = sess[i % 2]
        q = FREE_QUESTIONS[i]
        try:
            rev = api.get(path, s).json()["rev"]
        except OSError:
            return
        n = 0
        while not stop.is_set():
            n += 1
            try:
                r = answer(api, s, city, aid, rev, q, n % 5 + 1, f"t{i}-{n}")
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if r.status == 200:
                body = r.json()
                with lock:
                    acked.append((body["rev"], i, n, answers_of(body)))
                rev = body["rev"]
            elif r.status == 409:
                rev = r.json()["current"]["rev"]
            else:
                failures.append(r)
                return

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(FREE_QUESTIONS))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 40:
                break
        time.sleep(0.02)
    srv.kill9()  # mid-stream: the writers are still sending
    stop.set()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert len(acked) >= 10, f"only {len(acked)} changes acknowledged before the kill"

    con = sqlite3.connect(srv.db, timeout=10)  # recovers the WAL
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        logged = con.execute("SELECT count(*) FROM audit WHERE action = 'assessment.answer' "
                             "AND target = ?", (f"assessment {aid}",)).fetchone()[0]
        changes = con.execute("SELECT count(*) FROM assessment_log WHERE assessment_id = ?",
                              (aid,)).fetchone()[0]
    finally:
        con.close()
    db_rev, ans = stored(srv.db, aid, rw=True)
    top = max(acked, key=lambda x: x[0])
    assert db_rev >= top[0], f"the database is at rev {db_rev}, {top[0]} was acknowledged"
    assert logged >= len(acked), f"{logged} audit lines for {len(acked)} acknowledged changes"
    assert changes >= len(acked)
    for i, q in enumerate(FREE_QUESTIONS):
        mine = [x for x in acked if x[1] == i]
        if not mine:
            continue
        last_n = max(x[2] for x in mine)
        got = ans[q][1]
        assert got.startswith(f"t{i}-") and int(got.split("-")[1]) >= last_n, \
            f"{q}: acknowledged t{i}-{last_n}, the database has {got}"
    if db_rev == top[0]:
        # nothing was saved after the last acknowledgement: the stored
        # document is the one that response showed
        differ = {q: (v, ans.get(q)) for q, v in top[3].items()
                  if ans.get(q, (None, None)) != v}
        assert not differ, f"the stored document is not the last acknowledged one: {differ}"

    # the server starts again on it and serves the same
    again = start_server(db=srv.db)
    s = again.api.must_login("viewer")
    r = again.api.get(path, s)
    assert r.status == 200, r
    assert r.json()["rev"] == db_rev
    served = answers_of(r.json())
    for q in FREE_QUESTIONS:
        assert served[q] == ans[q]
