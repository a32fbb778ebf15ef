"""Perception surveys on the server: the public form needs no account and
keeps nothing personal, answers are checked, a client is rate-limited, and
the city sees the perception index recomputed here."""
import math
import statistics

from agora_api import API, rows
from test_security import raw_exchange

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


def test_own_questions_choices_closing_and_results(world, start_server):
    srv = start_server()
    a = srv.api
    coord = a.must_login("coordinator")
    cid, sid = world.city["Monaco"], world.space["Monaco"]
    own = [{"kind": "scale", "text": "<b>Clean?</b>", "low": "Dirty", "high": "Clean"},
           {"kind": "choice", "text": "When do you come?", "options": ["Morning", "Evening"]}]
    for bad, want in [([{"kind": "choice", "text": "x", "options": ["one"]}],
                       "questions[1].options"),
                      ({"kind": "scale"}, "expected an array"),
                      ([{"kind": "scale", "text": "x" * 301, "low": "a", "high": "b"}],
                       "questions[1].text")]:
        r = a.request("POST", f"{API}/cities/{cid}/surveys",
                      {"space": sid, "title": "T", "questions": bad}, coord)
        assert r.status == 400 and want in r.json()["error"], (bad, r)
    r = a.request("POST", f"{API}/cities/{cid}/surveys",
                  {"space": sid, "title": "Market", "questions": own}, coord)
    assert r.status == 201, r
    vid, token = r.json()["id"], r.json()["token"]
    form = a.request("GET", f"{API}/public/surveys/{token}?lang=de").json()
    q = {x["id"]: x for x in form["questions"]}
    # the city's own questions as written (a script payload stays text), the
    # standard ones translated
    assert q["own1"]["own"] and q["own1"]["text"] == "<b>Clean?</b>"
    assert [o["text"] for o in q["own2"]["options"]] == ["Morning", "Evening"]
    assert q["safer"]["kind"] == "choice" and not q["safer"]["own"]
    assert q["safer"]["options"][0] == {"id": "lighting", "text": "Bessere Beleuchtung"}
    given = [{"safe_day": 4, "safer": ["lighting", "patrols"], "own1": 2, "own2": ["1"]},
             {"safe_night": 2, "safer": ["lighting"], "own2": ["1", "2"]}]
    for g in given:
        r = a.request("POST", f"{API}/public/surveys/{token}/responses", {"answers": g})
        assert r.status == 201, r
    r = a.get(f"{API}/cities/{cid}/surveys/{vid}?lang=fr", a.must_login("viewer"))
    assert r.status == 200, r
    body = r.json()
    assert body["survey"]["token"] is None  # a viewer does not get the form's address
    t = body["tally"]
    assert t["responses"] == 2 and t["respondents"] == 2
    assert math.isclose(t["index"], (75 + 25) / 2, abs_tol=0.01)
    tq = {x["id"]: x for x in t["questions"]}
    assert tq["safe_day"]["counts"] == [0, 0, 0, 1, 0]
    assert {o["id"]: o["count"] for o in tq["safer"]["options"]}["lighting"] == 2
    assert tq["safer"]["text"].startswith("Qu")  # translated
    assert [o["count"] for o in tq["own2"]["options"]] == [2, 1]
    # closing: the form says so and takes no more answers; an assessor cannot
    r = a.request("PUT", f"{API}/cities/{cid}/surveys/{vid}", {"open": False},
                  a.must_login("assessor"))
    assert r.status == 403
    for bad in [{"open": "no"}, {}, {"open": False, "title": "x"}]:
        r = a.request("PUT", f"{API}/cities/{cid}/surveys/{vid}", bad, coord)
        assert r.status == 400, (bad, r)
    r = a.request("PUT", f"{API}/cities/{cid}/surveys/{vid}", {"open": False}, coord)
    assert r.status == 200 and r.json() == {"id": vid, "open": False}
    assert a.request("GET", f"{API}/public/surveys/{token}").json()["open"] is False
    r = a.request("POST", f"{API}/public/surveys/{token}/responses",
                  {"answers": {"safe_day": 3}})
    assert r.status == 409
    assert rows(srv.db, "SELECT action FROM audit ORDER BY id DESC LIMIT 1")[0][0] == \
        "survey.close"
    # a survey of another city is not found through this one
    other = world.city["Nice"]
    r = a.get(f"{API}/cities/{other}/surveys/{vid}", a.must_login("admin"))
    assert r.status == 404


def test_abuse_of_the_public_endpoint_is_refused_and_stores_nothing(world, start_server):
    srv = start_server()
    a = srv.api
    coord = a.must_login("coordinator")
    cid, sid = world.city["Monaco"], world.space["Monaco"]
    token = a.request("POST", f"{API}/cities/{cid}/surveys", {"space": sid, "title": "T"},
                      coord).json()["token"]
    url = f"{API}/public/surveys/{token}/responses"
    bad = [
        {"answers": {"<script>alert(1)</script>": 3}},
        {"answers": {"safe_day": "<script>alert(1)</script>"}},
        {"answers": {"safer": ["<img src=x onerror=alert(1)>"]}},
        {"answers": {"safer": ["lighting", "lighting"]}},
        {"answers": {"safer": ["lighting"] * 50}},
        {"answers": {"safe_day": [[[[[[[[4]]]]]]]]}},
        {"answers": {"safe_day": 1e308}},
        {"answers": {"safe_day": None}},
        {"answers": "safe_day=4"},
    ]
    statuses = [a.request("POST", url, b).status for b in bad]
    # the limit counts every attempt: 10 in 10 minutes from one client
    assert statuses[:9] == [400] * 9, statuses
    # oversized and malformed bodies (a new server: this client is spent)
    srv2 = start_server()
    b = srv2.api
    tok2 = b.request("POST", f"{API}/cities/{cid}/surveys", {"space": sid, "title": "T2"},
                     b.must_login("coordinator")).json()["token"]
    url2 = f"{API}/public/surveys/{tok2}/responses"
    big = b'{"answers": {"safe_day": 4, "x": "' + b"a" * (2 << 20) + b'"}}'
    head = (f"POST {url2} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(big)}\r\n\r\n").encode()
    status, body, _ = raw_exchange(srv2.port, head, [big])
    assert status == 413, body
    r = b.request("POST", url2, b'{"answers": {"safe_day": 4')
    assert r.status == 400, r
    r = b.request("POST", url2, b"\xff\xfe{}")
    assert r.status == 400, r
    for db in (srv.db, srv2.db):
        assert rows(db, "SELECT count(*) FROM survey_responses")[0][0] == 0


def test_no_address_or_personal_data_in_any_stored_row(world, start_server, agora, tmp_path):
    """The survey is made on the command line, so that the public answer is
    the only request the server ever sees (staff sign-ins are audited with
    their address, by design)."""
    from agora_api import copy_db
    db = copy_db(world.template, tmp_path / "private" / "agora.db")
    out = agora.ok("survey", "create", "way/4227203", "--title", "T", "--db", db,
                   "--city", "Monaco").out
    token = out.split("/#/survey/")[1].split()[0]
    srv = start_server(db)
    r = srv.api.request("POST", f"{API}/public/surveys/{token}/responses",
                        {"answers": {"safe_day": 4, "safer": ["help"]}},
                        headers={"User-Agent": "Phone-Browser/1.0 (unique-agent-4711)",
                                 "X-Forwarded-For": "203.0.113.9"})
    assert r.status == 201, r
    (rid, survey, day, source, answers), = rows(db, "SELECT * FROM survey_responses")
    assert source == "web" and len(day) == 10 and day[4] == "-"
    assert answers == '{"safe_day":4,"safer":["help"]}'
    # neither the client's address nor its browser anywhere in the database
    dump = "\n".join(str(x) for t, in rows(db, "SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")
                     for row in rows(db, f'SELECT * FROM "{t}"') for x in row)
    for trace in ("127.0.0.1", "203.0.113.9", "unique-agent-4711", "Phone-Browser"):
        assert trace not in dump, trace


def inside(lon, lat, geometry):
    """Even-odd rule over every ring of a GeoJSON (Multi)Polygon."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" \
        else [geometry["coordinates"]]
    n = 0
    for poly in polys:
        for ring in poly:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    n += 1
    return n % 2 == 1


def mid_ranks(values):
    return [(sum(w < v for w in values) + (sum(w == v for w in values) + 1) / 2 - 0.5) /
            len(values) for v in values]


def test_perception_beside_incidents_matches_a_hand_computation(world, start_server, agora,
                                                                 tmp_path):
    """Four spaces surveyed (answers imported), incidents planted at their
    centres in numbers chosen so that the most feared space has the fewest
    incidents; the index, the density and the ranks recomputed here."""
    from agora_api import copy_db
    db = copy_db(world.template, tmp_path / "perception" / "agora.db")
    cid = world.city["Monaco"]
    spaces = [world.space["Monaco"]] + world.spare["Monaco"][:3]
    answers = {  # safe_day per respondent; insecurity falls along the list
        spaces[0]: [1, 1, 2], spaces[1]: [2, 3, 3], spaces[2]: [4, 4, 3], spaces[3]: [5, 5, 4]}
    planted = {spaces[0]: 1, spaces[1]: 4, spaces[2]: 6, spaces[3]: 12}
    srv = start_server(db)
    a = srv.api
    coord = a.must_login("coordinator")
    csv_rows = ["lon,lat,date"]
    geo, vid = {}, {}
    for k, s in enumerate(spaces):
        sp = a.get(f"{API}/cities/{cid}/spaces/{s}", coord).json()
        geo[s] = sp
        lon, lat = sp["center"]
        csv_rows += [f"{lon:.7f},{lat:.7f},2025-0{1 + i % 9}-01" for i in range(planted[s])]
        r = a.request("POST", f"{API}/cities/{cid}/surveys", {"space": s, "title": f"S{k}"},
                      coord)
        assert r.status == 201, r
        vid[s] = r.json()["id"]
    srv.stop()
    f = tmp_path / "responses.csv"
    for s in spaces:
        f.write_text("safe_day\n" + "".join(f"{v}\n" for v in answers[s]))
        agora.ok("survey", "import", vid[s], f, "--db", db, "--city", "Monaco")
    inc = tmp_path / "planted.csv"
    inc.write_text("\n".join(csv_rows) + "\n")
    agora.ok("incidents", "import", inc, "--set", "planted", "--time", "date", "--db", db)
    srv = start_server(db)
    a = srv.api
    r = a.get(f"{API}/cities/{cid}/perception", a.must_login("viewer"))
    assert r.status == 200, r
    got = {x["space"]: x for x in r.json()["spaces"]}
    assert r.json()["incident_sets"] == ["planted"]
    assert set(got) == set(spaces)
    idx = [statistics.mean(100 * (v - 1) / 4 for v in answers[s]) for s in spaces]
    counts = [sum(planted[t] for t in spaces
                  if inside(*geo[t]["center"], geo[s]["geometry"])) for s in spaces]
    dens = [c / (geo[s]["area_m2"] / 1e4) for c, s in zip(counts, spaces)]
    rf, ri = mid_ranks([100 - i for i in idx]), mid_ranks(dens)
    for k, s in enumerate(spaces):
        g = got[s]
        assert g["respondents"] == 3
        assert math.isclose(g["index"], idx[k], abs_tol=0.01)
        assert g["incidents"] == counts[k]
        assert math.isclose(g["per_ha"], dens[k], rel_tol=1e-3, abs_tol=1e-3)
        assert math.isclose(g["rank_fear"], rf[k], abs_tol=1e-4)
        assert math.isclose(g["rank_incidents"], ri[k], abs_tol=1e-4)
        d = rf[k] - ri[k]
        want = "fear" if d >= 0.5 else "incidents" if d <= -0.5 else "agree"
        assert g["diverges"] == want, (s, g)
