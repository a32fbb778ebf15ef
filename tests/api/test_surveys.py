"""Perception surveys on the server: the public form needs no account and
keeps nothing personal, answers are checked, a client is rate-limited, and
the city sees the perception index recomputed here."""
import math
import statistics

from agora_api import API, rows

T975 = {2: 4.302653, 3: 3.182446}


def test_public_form_answers_and_index(world, start_server):
    srv = start_server()  # its own server: the rate limit is per server
    a = srv.api
    coord = a.must_login("coordinator")
    cid, sid = world.city["Monaco"], world.space["Monaco"]
    r = a.request("POST", f"{API}/cities/{cid}/surveys", {"space": sid, "title": "Autumn"},
                  coord)
    assert r.status == 201, r
    token = r.json()["token"]
    # the form, in French, without a session
    r = a.request("GET", f"{API}/public/surveys/{token}?lang=fr")
    assert r.status == 200, r
    form = r.json()
    assert form["open"] and [q["id"] for q in form["questions"]][:2] == ["safe_day", "safe_night"]
    assert form["questions"][0]["text"].startswith("Vous sentez-vous en sécurité")
    assert form["questions"][0]["high"] == "Tout à fait en sécurité"
    # answers: each respondent's index is the mean of 100·(a − 1)/4
    given = [{"safe_day": 5, "safe_night": 3}, {"safe_day": 2}, {"worry": 4, "avoid": 4}]
    for g in given:
        r = a.request("POST", f"{API}/public/surveys/{token}/responses", {"answers": g})
        assert r.status == 201, r
        assert not r.headers_all("Set-Cookie")
    for bad in [{"answers": {"safe_day": 6}}, {"answers": {"colour": 3}}, {"answers": {}},
                {"nothing": 1}]:
        r = a.request("POST", f"{API}/public/surveys/{token}/responses", bad)
        assert r.status == 400, (bad, r)
    r = a.get(f"{API}/cities/{cid}/surveys", coord)
    assert r.status == 200, r
    sv = [s for s in r.json() if s["token"] == token][0]
    idx = [statistics.mean(100 * (v - 1) / 4 for v in g.values()) for g in given]
    mean = statistics.mean(idx)
    half = T975[2] * statistics.stdev(idx) / math.sqrt(3)
    assert sv["respondents"] == 3
    assert math.isclose(sv["index"], mean, abs_tol=0.01)
    assert math.isclose(sv["lo"], max(0, mean - half), abs_tol=0.01)
    assert math.isclose(sv["hi"], min(100, mean + half), abs_tol=0.01)
    # a viewer sees the index, not the token of the form
    r = a.get(f"{API}/cities/{cid}/surveys", a.must_login("viewer"))
    assert [s for s in r.json() if s["id"] == sv["id"]][0]["token"] is None
    # nothing personal is kept: answers and the day
    assert [c[1] for c in rows(srv.db, "PRAGMA table_info(survey_responses)")] == \
        ["id", "survey_id", "day", "source", "answers"]
    # a client that answers too often waits (10 in 10 minutes, bad ones included)
    statuses = [a.request("POST", f"{API}/public/surveys/{token}/responses",
                          {"answers": {"safe_day": 3}}).status for _ in range(10)]
    assert 429 in statuses and statuses[0] == 201
    r = a.request("POST", f"{API}/public/surveys/{token}/responses", {"answers": {"safe_day": 3}})
    assert r.status == 429 and r.header("Retry-After")
    # an unknown token
    r = a.request("GET", f"{API}/public/surveys/{'x' * 43}")
    assert r.status == 404
