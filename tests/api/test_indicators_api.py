"""Urban indicators and funding on the server: Monaco and Nice in one
partnership each enter values, some hidden. Nice's user sees Monaco's
visible values only, and no hidden Monaco number appears in any answer (the
JSON and the SVG chart searched as text); Monaco's user sees all of
Monaco's; a bad import is refused with its line and field and stores
nothing; funding links of measures and actions go round."""
import csv
import json
import sqlite3

from agora_api import API, REPO, rows

# Hidden numbers: distinctive, so that finding one in any answer is a leak
MONACO_CSV = ("indicator,year,value,visible,note\n"
              "sos_night_city,2021,60,yes,\n"
              "sos_night_city,2022,62.5,yes,QoL survey\n"
              "sos_night_city,2023,12345.678,no,not yet published\n"
              "us_robberies,2022,98765.4321,no,\n")
MONACO_HIDDEN = ("12345.678", "98765.4321", "not yet published")
NICE_HIDDEN = ("24680.135",)
CSV_HEADERS = {"Content-Type": "text/csv"}


def partnership(a, world, coord, other):
    r = a.request("POST", f"{API}/partnerships",
                  {"name": "Indicators partnership", "starts": "2026-01-01", "ends": "2028-12-31",
                   "city": world.city["Monaco"]}, coord)
    assert r.status == 201, r
    pid = r.json()["id"]
    r = a.request("POST", f"{API}/partnerships/{pid}/members",
                  {"city": world.city["Nice"], "role": "member"}, coord)
    assert r.status == 201, r
    nice_member = r.json()["id"]
    # before Nice accepts, its values are not the partnership's
    r = a.request("POST", f"{API}/partnerships/{pid}/members/{nice_member}/accept", None, other)
    assert r.status == 200, r
    return pid, nice_member


def series(got):
    return {c["name"]: [(v["year"], v["value"], v["visible"]) for v in c["values"]]
            for c in got["cities"]}


def test_hidden_values_never_reach_another_city(world, start_server):
    srv = start_server()
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    coord, other = a.must_login("coordinator"), a.must_login("othercoord")
    assessor = a.must_login("assessor")
    pid, _ = partnership(a, world, coord, other)
    # Monaco imports its CSV; Nice enters JSON
    r = a.request("POST", f"{API}/cities/{mon}/indicators/import", MONACO_CSV, assessor,
                  headers=CSV_HEADERS)
    assert r.status == 200, r
    assert len(r.json()["values"]) == 4
    r = a.request("PUT", f"{API}/cities/{nice}/indicators",
                  {"values": [{"indicator": "sos_night_city", "year": 2022, "value": 55,
                               "visible": True},
                              {"indicator": "sos_night_city", "year": 2023,
                               "value": 24680.135, "visible": False, "note": "draft"}]}, other)
    assert r.status == 200, r
    # Nice's user: Monaco's visible values only, all of Nice's, marked
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city", other)
    assert r.status == 200, r
    got = r.json()
    assert got["indicator"]["unit"] == "%" and got["indicator"]["better"] == "higher"
    assert series(got) == {"Monaco": [(2021, 60, True), (2022, 62.5, True)],
                           "Nice": [(2022, 55, True), (2023, 24680.135, False)]}
    own = {c["name"]: c["own"] for c in got["cities"]}
    assert own == {"Monaco": False, "Nice": True}
    # the indicator Monaco keeps hidden entirely: Monaco listed, no value
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=us_robberies", other)
    assert series(r.json()) == {"Monaco": [], "Nice": []}
    # Monaco's user: all of Monaco's, Nice's visible ones
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city", coord)
    assert series(r.json()) == {
        "Monaco": [(2021, 60, True), (2022, 62.5, True), (2023, 12345.678, False)],
        "Nice": [(2022, 55, True)]}
    # the chart: both cities, their visible points; nothing hidden from the other
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city&format=svg",
              other)
    assert r.status == 200 and r.header("Content-Type") == "image/svg+xml", r
    svg = r.body.decode()
    assert svg.startswith("<svg ") and "Monaco" in svg and "Nice" in svg
    assert "<title>2022: 62.5 %</title>" in svg and "<title>2022: 55 %</title>" in svg
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city&format=svg",
              coord)
    assert "12345.68" in r.body.decode() or "12345.678" in r.body.decode()
    # every answer Nice's user can get, searched as text
    answers = [a.get(p, other) for p in (
        f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city",
        f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city&format=svg",
        f"{API}/partnerships/{pid}/indicators?indicator=us_robberies",
        f"{API}/partnerships/{pid}/indicators?indicator=us_robberies&format=svg",
        f"{API}/partnerships/{pid}", f"{API}/partnerships", f"{API}/cities/{nice}/indicators",
        f"{API}/cities/{mon}/indicators", f"{API}/cities")]
    for r in answers:
        text = r.body.decode()
        for hidden in MONACO_HIDDEN:
            assert hidden not in text, (r, hidden)
    assert a.get(f"{API}/cities/{mon}/indicators", other).status == 403
    # Monaco's own view has everything; a viewer of Monaco observes it all too
    r = a.get(f"{API}/cities/{mon}/indicators", a.must_login("viewer"))
    assert r.status == 200
    assert {(v["indicator"], v["year"]): v["visible"] for v in r.json()["values"]} == {
        ("sos_night_city", 2021): True, ("sos_night_city", 2022): True,
        ("sos_night_city", 2023): False, ("us_robberies", 2022): False}
    for r in [a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city", coord),
              a.get(f"{API}/cities/{mon}/indicators", coord)]:
        for hidden in NICE_HIDDEN:
            assert hidden not in r.body.decode()
    # a non-member sees nothing of the partnership
    assert a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city",
                 a.must_login("norole")).status == 403
    # Monaco makes a value visible: now Nice sees it
    r = a.request("PUT", f"{API}/cities/{mon}/indicators",
                  {"values": [{"indicator": "sos_night_city", "year": 2023, "value": 64,
                               "visible": True}]}, assessor)
    assert r.status == 200, r
    r = a.get(f"{API}/partnerships/{pid}/indicators?indicator=sos_night_city", other)
    assert series(r.json())["Monaco"][-1] == (2023, 64, True)
    actions = [x for (x,) in rows(srv.db, "SELECT action FROM audit WHERE action = "
                                          "'indicators.put'")]
    assert len(actions) == 3


def test_bad_input_is_refused_with_line_and_field(world, start_server):
    srv = start_server()
    a = srv.api
    mon = world.city["Monaco"]
    assessor = a.must_login("assessor")
    for body, want in [
        ("indicator,year,value\nsos_night_city,2022,60\nsos_night_city,2022x,61\n",
         "line 3: year:"),
        ("indicator,year,value\nsos_night_city,2022,60\nnobody_knows,2022,61\n",
         "line 3: indicator:"),
        ("indicator,year,value,visible\nsos_night_city,2022,60,si\n", "line 2: visible:"),
        ("indicator,year,value\nsos_night_city,2022,1e400\n", "line 2: value:"),
        ("indicator,year,value\nsos_night_city,2022,1\nsos_night_city,2022,2\n",
         "line 3: indicator, year:"),
        ("", "empty file")]:
        r = a.request("POST", f"{API}/cities/{mon}/indicators/import", body, assessor,
                      headers=CSV_HEADERS)
        assert r.status == 400, (body, r)
        assert want in r.json()["error"], (want, r)
    for values, want in [
        ([{"indicator": "sos_night_city", "year": 2022, "value": 1},
          {"indicator": "sos_night_city", "year": 1800, "value": 1}], "values[2]: year:"),
        ([{"indicator": "nope", "year": 2022, "value": 1}], "values[1]: indicator:"),
        ([{"indicator": "sos_night_city", "year": 2022, "value": "1"}], "values[1]: value:"),
        ([{"indicator": "sos_night_city", "year": 2022, "value": 1, "visible": "yes"}],
         "values[1]: visible:"),
        ([{"indicator": "sos_night_city", "year": 2022, "value": 1, "note": "a\u0001"}],
         "values[1]: note:"),
        ([{"indicator": "sos_night_city", "year": 2022, "value": 1},
          {"indicator": "sos_night_city", "year": 2022, "value": 2}], "values[2]: year:")]:
        r = a.request("PUT", f"{API}/cities/{mon}/indicators", {"values": values}, assessor)
        assert r.status == 400, (values, r)
        assert want in r.json()["error"], (want, r)
    assert rows(srv.db, "SELECT count(*) FROM indicator_values") == [(0,)]
    # a viewer may not enter values
    r = a.request("POST", f"{API}/cities/{mon}/indicators/import",
                  "indicator,year,value\nsos_night_city,2022,60\n", a.must_login("viewer"),
                  headers=CSV_HEADERS)
    assert r.status == 403


def test_definitions_and_instruments(world, api, sessions):
    r = api.get(f"{API}/indicators?lang=fr", sessions["norole"])
    assert r.status == 200, r
    with open(REPO / "data" / "indicators.csv", newline="", encoding="utf-8") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    assert [x["id"] for x in r.json()] == ids
    r = api.get(f"{API}/funding", sessions["norole"])
    assert r.status == 200, r
    got = {x["id"]: x for x in r.json()}
    assert {"isf_police", "eui", "erdf", "esf_plus", "cerv", "horizon_cl3", "interreg"} <= \
        set(got)
    assert all(x["url"].startswith("https://") for x in got.values())


def test_funding_links_round_trip(world, start_server):
    srv = start_server()
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    coord, other, viewer = a.must_login("coordinator"), a.must_login("othercoord"), \
        a.must_login("viewer")
    with open(REPO / "data" / "measures.csv", newline="", encoding="utf-8") as f:
        measure = next(csv.DictReader(f))["id"]
    r = a.request("POST", f"{API}/cities/{mon}/funding",
                  {"measure": measure, "instrument": "isf_police", "note": "call 2026"},
                  a.must_login("assessor"))
    assert r.status == 201, r
    link = r.json()
    assert (link["measure"], link["instrument"], link["city"], link["action"]) == \
        (measure, "isf_police", mon, None)
    for body, want in [({"measure": measure, "instrument": "lottery"}, "instrument:"),
                       ({"measure": "no_such_measure", "instrument": "erdf"}, "measure:")]:
        r = a.request("POST", f"{API}/cities/{mon}/funding", body, coord)
        assert r.status == 400 and want in r.json()["error"], r
    r = a.get(f"{API}/cities/{mon}/funding", viewer)
    assert r.status == 200 and [(x["id"], x["note"]) for x in r.json()] == \
        [(link["id"], "call 2026")]
    assert a.get(f"{API}/cities/{mon}/funding", other).status == 403
    assert a.get(f"{API}/cities/{nice}/funding", other).json() == []
    # an action led by Nice (the actions table, written directly here)
    pid, nice_member = partnership(a, world, coord, other)
    with sqlite3.connect(srv.db, timeout=30) as db:
        cur = db.execute("INSERT INTO actions (partnership_id, title, status, leader, created_at, "
                         "created_by, updated_at) VALUES (?, 'Safer squares', 'ongoing', ?, "
                         "'2026-01-02T00:00:00Z', 'test', '2026-01-02T00:00:00Z')",
                         (pid, nice_member))
        action = cur.lastrowid
    db.close()
    path = f"{API}/partnerships/{pid}/actions/{action}/funding"
    r = a.request("POST", path, {"instrument": "eui", "note": "innovative actions"}, other)
    assert r.status == 201, r  # Nice leads the action
    assert (r.json()["action"], r.json()["city"], r.json()["measure"]) == (action, None, None)
    r = a.request("POST", path, {"instrument": "horizon_cl3"}, coord)
    assert r.status == 201, r  # a coordinator of the partnership
    assert a.request("POST", path, {"instrument": "erdf"}, viewer).status == 403
    r = a.get(path, viewer)
    assert r.status == 200 and [x["instrument"] for x in r.json()] == ["eui", "horizon_cl3"]
    assert a.get(path, a.must_login("norole")).status == 403
    assert a.get(f"{API}/partnerships/{pid}/actions/987654/funding", coord).status == 404
    assert a.request("POST", f"{API}/partnerships/{pid}/actions/987654/funding",
                     {"instrument": "eui"}, coord).status == 404
    # Nice, a member but no longer the leader, may not add to it
    with sqlite3.connect(srv.db, timeout=30) as db:
        db.execute("UPDATE actions SET leader = NULL WHERE id = ?", (action,))
    db.close()
    assert a.request("POST", path, {"instrument": "erdf"}, other).status == 403
    audit = [x for (x,) in rows(srv.db, "SELECT target FROM audit WHERE action = "
                                        "'funding.link' ORDER BY id")]
    assert audit == [f"measure {measure}", f"action {action}", f"action {action}"]
    json.dumps(audit)


def test_a_funding_link_can_be_removed_only_where_it_belongs(world, start_server):
    srv = start_server()
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    coord = a.must_login("coordinator")
    r = a.request("POST", f"{API}/cities/{mon}/funding",
                  {"measure": "cctv", "instrument": "erdf", "note": "first try"}, coord)
    assert r.status == 201, r
    link = r.json()["id"]
    # not through another city's path, even by its coordinator
    r = a.request("DELETE", f"{API}/cities/{nice}/funding/{link}", None,
                  a.must_login("othercoord"))
    assert r.status == 404, r
    # a viewer of Monaco may not remove it
    r = a.request("DELETE", f"{API}/cities/{mon}/funding/{link}", None, a.must_login("viewer"))
    assert r.status == 403
    r = a.request("DELETE", f"{API}/cities/{mon}/funding/{link}", None, coord)
    assert r.status == 204, r
    assert a.get(f"{API}/cities/{mon}/funding", coord).json() == []
    assert a.request("DELETE", f"{API}/cities/{mon}/funding/{link}", None, coord).status == 404
    assert rows(srv.db, "SELECT action, target FROM audit ORDER BY id DESC LIMIT 1") == \
        [("funding.unlink", f"funding link {link}")]
