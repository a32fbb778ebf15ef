"""Partnerships on the server: a coordinator of a city creates one, invites
another city, whose coordinator accepts; organisations act through named
accounts; roles reach users as docs/internals/partnership.md says; the
last coordinator stays; non-members see nothing; every change is audited."""
from agora_api import API, rows


def make(a, s, city, name="Security in public spaces", **kw):
    body = {"name": name, "description": "Cities sharing what works",
            "starts": "2026-01-01", "ends": "2027-12-31", "city": city}
    body.update(kw)
    return a.request("POST", f"{API}/partnerships", body, s)


def test_create_invite_accept_and_roles(world, start_server):
    srv = start_server()
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    coord, other = a.must_login("coordinator"), a.must_login("othercoord")
    # only a coordinator of the first city may start one
    assert make(a, a.must_login("assessor"), mon).status == 403
    assert make(a, other, mon).status == 403
    r = make(a, coord, mon)
    assert r.status == 201, r
    p = r.json()
    assert a.get(f"{API}/partnerships/{p['id']}/candidates", coord).json() == \
        {"cities": [{"id": nice, "name": "Nice"}]}
    pid = p["id"]
    assert p["role"] == "coordinator" and p["ends"] == "2027-12-31"
    assert make(a, coord, mon).status == 409  # the name is taken
    # Nice invited: its coordinator sees the invitation, not the content
    r = a.request("POST", f"{API}/partnerships/{pid}/members", {"city": nice, "role": "member"},
                  coord)
    assert r.status == 201, r
    nice_member = r.json()
    assert nice_member["state"] == "invited" and nice_member["name"] == "Nice"
    assert a.request("POST", f"{API}/partnerships/{pid}/members",
                     {"city": nice, "role": "member"}, coord).status == 409
    listed = a.get(f"{API}/partnerships", other).json()
    assert [(x["id"], x["invited"], x["role"]) for x in listed] == [(pid, True, None)]
    assert listed[0]["invitations"] == [{"member": nice_member["id"], "city": nice,
                                         "name": "Nice", "role": "member"}]
    # Monaco's coordinator sees no invitation to accept, and no other city to invite
    mine = a.get(f"{API}/partnerships", coord).json()
    assert mine[0]["invited"] is False and "invitations" not in mine[0]
    assert a.get(f"{API}/partnerships/{pid}/candidates", coord).json() == {"cities": []}
    assert a.get(f"{API}/partnerships/{pid}", other).status == 403
    # a viewer of Nice cannot accept for it; its coordinator can
    mid = nice_member["id"]
    assert a.request("POST", f"{API}/partnerships/{pid}/members/{mid}/accept", None,
                     a.must_login("pawn")).status == 403
    r = a.request("POST", f"{API}/partnerships/{pid}/members/{mid}/accept", None, other)
    assert r.status == 200 and r.json()["state"] == "active", r
    assert a.request("POST", f"{API}/partnerships/{pid}/members/{mid}/accept", None,
                     other).status == 409
    # roles as they reach users
    got = a.get(f"{API}/partnerships/{pid}", other).json()
    assert got["role"] == "member"
    assert [m["name"] for m in got["members"]] == ["Monaco", "Nice"]
    assert a.get(f"{API}/partnerships/{pid}", a.must_login("viewer")).json()["role"] == \
        "observer"  # a viewer of Monaco only observes
    assert a.get(f"{API}/partnerships/{pid}", a.must_login("assessor")).json()["role"] == \
        "coordinator"
    assert a.get(f"{API}/partnerships/{pid}", a.must_login("norole")).status == 403
    # pawn (viewer of both cities) observes; Nice made action leader: pawn still observes
    r = a.request("PUT", f"{API}/partnerships/{pid}/members/{mid}", {"role": "action_leader"},
                  coord)
    assert r.status == 200 and r.json()["role"] == "action_leader"
    assert a.get(f"{API}/partnerships/{pid}", a.must_login("pawn")).json()["role"] == "observer"
    assert a.get(f"{API}/partnerships/{pid}", other).json()["role"] == "action_leader"
    # a member may not manage members
    assert a.request("PUT", f"{API}/partnerships/{pid}/members/{mid}", {"role": "member"},
                     other).status == 403
    # prolonging: never before the start
    r = a.request("PUT", f"{API}/partnerships/{pid}", {"ends": "2028-06-30"}, coord)
    assert r.status == 200 and r.json()["ends"] == "2028-06-30"
    r = a.request("PUT", f"{API}/partnerships/{pid}", {"ends": "2025-01-01"}, coord)
    assert r.status == 400 and "before the start" in r.json()["error"]
    actions = [x for (x,) in rows(srv.db, "SELECT action FROM audit WHERE action LIKE "
                                          "'partnership.%' ORDER BY id")]
    assert actions == ["partnership.create", "partnership.invite", "partnership.accept",
                       "partnership.role", "partnership.prolong"]


def test_organisations_act_through_their_people(world, start_server):
    srv = start_server()
    a = srv.api
    coord = a.must_login("coordinator")
    pid = make(a, coord, world.city["Monaco"], name="With the police").json()["id"]
    # norole has no grant anywhere: it acts for the police through the partnership only
    assert a.get(f"{API}/partnerships/{pid}", a.must_login("norole")).status == 403
    r = a.request("POST", f"{API}/partnerships/{pid}/members",
                  {"organisation": "Police municipale", "kind": "police", "role": "member",
                   "people": ["norole"]}, coord)
    assert r.status == 201, r
    assert r.json()["state"] == "active" and r.json()["people"] == 1 and r.json()["city"] is None
    got = a.get(f"{API}/partnerships/{pid}", a.must_login("norole")).json()
    assert got["role"] == "member"
    for bad, want in [({"organisation": "X", "kind": "army", "role": "member"}, 400),
                      ({"organisation": "X", "kind": "police", "role": "chief"}, 400),
                      ({"organisation": "Y", "kind": "police", "role": "member",
                        "people": ["nobody-here"]}, 400),
                      ({"city": 987654, "role": "member"}, 404),
                      ({"city": world.city["Nice"], "organisation": "Z", "kind": "police",
                        "role": "member"}, 400)]:
        r = a.request("POST", f"{API}/partnerships/{pid}/members", bad, coord)
        assert r.status == want, (bad, r)


def test_the_last_coordinator_stays(world, start_server):
    srv = start_server()
    a = srv.api
    coord = a.must_login("coordinator")
    pid = make(a, coord, world.city["Monaco"], name="Alone").json()["id"]
    monaco = a.get(f"{API}/partnerships/{pid}", coord).json()["members"][0]
    r = a.request("PUT", f"{API}/partnerships/{pid}/members/{monaco['id']}",
                  {"role": "member"}, coord)
    assert r.status == 409 and "no coordinator left" in r.json()["error"]
    r = a.request("DELETE", f"{API}/partnerships/{pid}/members/{monaco['id']}", None, coord)
    assert r.status == 409
    # with a second coordinator, the first may step back
    nice = a.request("POST", f"{API}/partnerships/{pid}/members",
                     {"city": world.city["Nice"], "role": "coordinator"}, coord).json()
    assert a.request("POST", f"{API}/partnerships/{pid}/members/{nice['id']}/accept", None,
                     a.must_login("othercoord")).status == 200
    r = a.request("PUT", f"{API}/partnerships/{pid}/members/{monaco['id']}",
                  {"role": "member"}, coord)
    assert r.status == 200, r
    # Monaco's coordinator is now a member: no more member management
    assert a.request("DELETE", f"{API}/partnerships/{pid}/members/{nice['id']}", None,
                     coord).status == 403


def test_bad_partnerships_are_refused_naming_what_was_expected(world, start_server):
    srv = start_server()
    a = srv.api
    coord = a.must_login("coordinator")
    mon = world.city["Monaco"]
    for body in [{"name": "", "starts": "2026-01-01", "ends": "2026-12-31", "city": mon},
                 {"name": "A", "starts": "2026-02-30", "ends": "2026-12-31", "city": mon},
                 {"name": "A", "starts": "2026-05-01", "ends": "2026-04-30", "city": mon},
                 {"name": "A", "starts": "2026-01-01", "ends": "2026-12-31"},
                 {"name": "x" * 201, "starts": "2026-01-01", "ends": "2026-12-31", "city": mon},
                 {"name": "A\u0007", "starts": "2026-01-01", "ends": "2026-12-31", "city": mon}]:
        r = a.request("POST", f"{API}/partnerships", body, coord)
        assert r.status == 400 and "\"starts\": \"YYYY-MM-DD\"" in r.json()["error"], (body, r)
    assert rows(srv.db, "SELECT count(*) FROM partnerships")[0][0] == 0
