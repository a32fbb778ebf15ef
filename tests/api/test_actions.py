"""The action plan of a partnership on the server: actions with a leader,
status reports and deliverables by whoever acts for the leader, meetings
whose minutes link actions, links to member cities' assessments that keep
each city's sharing, the plan as HTML and PDF, bad input refused naming the
field, and every change in the audit log (docs/internals/partnership.md,
"Actions, reports and meetings")."""
import csv

from agora_api import API, REPO, rows

MEASURE = next(csv.DictReader(open(REPO / "data" / "measures.csv", encoding="utf-8")))
SCRIPT_TITLE = "<script>alert('plan')</script> & lighting"


def ok(r, status=200):
    assert r.status == status, r
    return r.json() if r.header("Content-Type") == "application/json" else r


def refused(r):
    assert r.status == 403 and r.body == b'{"error":"forbidden"}', r


def bad(r, field, status=400):
    assert r.status == status, r
    msg = r.json()["error"]
    assert msg.startswith(field), f"the error should name {field!r}: {msg!r}"
    return msg


def make_partnership(world, srv, name="Security in public spaces"):
    """Monaco coordinates; Nice (action leader) accepted; the police, an
    organisation member, acts through the account norole. Returns the
    sessions and the member ids."""
    a = srv.api
    s = {u: a.must_login(u) for u in ("coordinator", "othercoord", "norole", "viewer", "admin",
                                      "assessor")}
    p = ok(a.request("POST", f"{API}/partnerships",
                     {"name": name, "description": "Cities sharing what works",
                      "starts": "2026-01-01", "ends": "2027-12-31",
                      "city": world.city["Monaco"]}, s["coordinator"]), 201)
    pid = p["id"]
    nice = ok(a.request("POST", f"{API}/partnerships/{pid}/members",
                        {"city": world.city["Nice"], "role": "action_leader"},
                        s["coordinator"]), 201)
    ok(a.request("POST", f"{API}/partnerships/{pid}/members/{nice['id']}/accept", None,
                 s["othercoord"]))
    police = ok(a.request("POST", f"{API}/partnerships/{pid}/members",
                          {"organisation": "Police nationale", "kind": "police",
                           "role": "member", "people": ["norole"]}, s["coordinator"]), 201)
    members = ok(a.get(f"{API}/partnerships/{pid}", s["coordinator"]))["members"]
    mid = {m["name"]: m["id"] for m in members}
    assert set(mid) == {"Monaco", "Nice", "Police nationale"}
    assert police["id"] == mid["Police nationale"]
    return pid, s, mid


def test_actions_reports_deliverables_and_meetings(world, start_server):
    srv = start_server()
    a = srv.api
    pid, s, mid = make_partnership(world, srv)
    base = f"{API}/partnerships/{pid}"
    oc, coord, police = s["othercoord"], s["coordinator"], s["norole"]
    # an action leader (Nice's coordinator) proposes an action that Nice leads
    body = {"title": "Hostile vehicle mitigation at markets",
            "objective": "Protect the weekly markets.\nShare the barrier plans.",
            "leader": mid["Nice"], "members": [mid["Nice"], mid["Police nationale"]]}
    a1 = ok(a.request("POST", f"{base}/actions", body, oc), 201)
    assert a1["title"] == body["title"] and a1["objective"] == body["objective"]
    assert a1["status"] == "proposed"
    assert a1["leader"] == {"member": mid["Nice"], "name": "Nice"}
    assert sorted(m["member"] for m in a1["members"]) == sorted(body["members"])
    assert a1["may_edit"] is True and a1["reports"] == [] and a1["last_report"] is None
    a2 = ok(a.request("POST", f"{base}/actions",
                      {"title": SCRIPT_TITLE, "leader": mid["Monaco"], "status": "ongoing"},
                      coord), 201)
    assert a2["title"] == SCRIPT_TITLE and a2["status"] == "ongoing"
    # the police are a member, not an action leader: no new actions
    refused(a.request("POST", f"{base}/actions", {"title": "Mine", "leader": mid["Monaco"]},
                      police))

    # the leader reports; the action takes the report's status
    rep = {"status": "ongoing", "text": "Barriers ordered for three markets.",
           "next_steps": "Install them before the summer.\nTrain the stewards."}
    r1 = ok(a.request("POST", f"{base}/actions/{a1['id']}/reports", rep, oc), 201)
    assert {k: r1[k] for k in rep} == rep and r1["author"] == "othercoord"
    rep2 = {"status": "implemented", "text": "Installed at the Cours Saleya market."}
    r2 = ok(a.request("POST", f"{base}/actions/{a1['id']}/reports", rep2, oc), 201)
    deliv = {"title": "Barrier plan of the markets", "url": "https://nice.example/plan.pdf"}
    d1 = ok(a.request("POST", f"{base}/actions/{a1['id']}/deliverables", deliv, oc), 201)
    assert d1["title"] == deliv["title"] and d1["url"] == deliv["url"]
    d2 = ok(a.request("POST", f"{base}/actions/{a1['id']}/deliverables",
                      {"title": "Workshop notes"}, oc), 201)
    assert d2["url"] is None
    # a member who does not act for the leader cannot, nor an observer
    for sess in (police, s["viewer"]):
        refused(a.request("POST", f"{base}/actions/{a1['id']}/reports", rep, sess))
        refused(a.request("POST", f"{base}/actions/{a1['id']}/deliverables", deliv, sess))
        refused(a.request("PUT", f"{base}/actions/{a1['id']}", {"title": "Taken over"}, sess))
    # Nice does not lead Monaco's action
    refused(a.request("POST", f"{base}/actions/{a2['id']}/reports", rep, oc))
    assert ok(a.get(f"{base}/actions/{a2['id']}", oc))["may_edit"] is False

    # the leader edits the action, but only a coordinator names another leader
    got = ok(a.request("PUT", f"{base}/actions/{a1['id']}",
                       {"objective": "Protect every market.", "members": [mid["Nice"]]}, oc))
    assert got["objective"] == "Protect every market."
    assert [m["member"] for m in got["members"]] == [mid["Nice"]]
    refused(a.request("PUT", f"{base}/actions/{a1['id']}", {"leader": mid["Monaco"]}, oc))
    ok(a.request("PUT", f"{base}/actions/{a1['id']}", {"leader": mid["Nice"]}, oc))  # the same
    got = ok(a.request("PUT", f"{base}/actions/{a2['id']}",
                       {"leader": mid["Police nationale"]}, coord))
    assert got["leader"]["name"] == "Police nationale"
    # an organisation acts through its people: the police now report on it
    ok(a.request("POST", f"{base}/actions/{a2['id']}/reports",
                 {"status": "stopped", "text": "Merged into the lighting plan."}, police), 201)

    # a meeting whose minutes link the two actions
    meeting = {"date": "2026-03-12", "place": "Nice, Palais des congrès",
               "agenda": "1. Markets\n2. Lighting", "minutes": "The markets are done.",
               "outcomes": "Lighting action stopped.",
               "participants": [mid["Monaco"], mid["Nice"]], "actions": [a1["id"], a2["id"]]}
    refused(a.request("POST", f"{base}/meetings", meeting, police))
    m = ok(a.request("POST", f"{base}/meetings", meeting, oc), 201)
    for k in ("date", "place", "agenda", "minutes", "outcomes"):
        assert m[k] == meeting[k], k
    assert sorted(p["member"] for p in m["participants"]) == sorted(meeting["participants"])
    assert [x["id"] for x in m["actions"]] == [a1["id"], a2["id"]]
    assert [x["title"] for x in m["actions"]] == [body["title"], SCRIPT_TITLE]
    m = ok(a.request("PUT", f"{base}/meetings/{m['id']}",
                     {"outcomes": "Both actions reviewed.", "actions": [a1["id"]]}, oc))
    assert m["outcomes"] == "Both actions reviewed." and m["minutes"] == meeting["minutes"]
    assert [x["id"] for x in m["actions"]] == [a1["id"]]
    m = ok(a.request("PUT", f"{base}/meetings/{m['id']}",
                     {"actions": [a1["id"], a2["id"]]}, oc))
    listed = ok(a.get(f"{base}/meetings", s["viewer"]))
    assert [x["id"] for x in listed] == [m["id"]] and "minutes" not in listed[0]
    assert ok(a.get(f"{base}/meetings/{m['id']}", s["viewer"]))["minutes"] == meeting["minutes"]

    # the action as an observer sees it: reports newest first, the meeting
    full = ok(a.get(f"{base}/actions/{a1['id']}", s["viewer"]))
    assert full["status"] == "implemented" and full["may_edit"] is False
    assert [x["id"] for x in full["reports"]] == [r2["id"], r1["id"]]
    assert full["reports"][1]["next_steps"] == rep["next_steps"]
    assert [x["title"] for x in full["deliverables"]] == [deliv["title"], "Workshop notes"]
    assert full["meetings"] == [{"id": m["id"], "date": "2026-03-12",
                                 "place": meeting["place"]}]
    lst = ok(a.get(f"{base}/actions", s["viewer"]))
    assert [x["id"] for x in lst] == [a1["id"], a2["id"]]
    assert lst[0]["last_report"] == r2["at"] and lst[0]["leader"]["member"] == mid["Nice"]
    assert lst[1]["status"] == "stopped" and lst[1]["leader"]["name"] == "Police nationale"
    # a viewer of a member city observes: it reads, and changes nothing
    refused(a.request("PUT", f"{base}/meetings/{m['id']}", {"place": "Monaco"}, s["viewer"]))

    audit = [x for (x,) in rows(srv.db, "SELECT action FROM audit WHERE action LIKE 'action.%' "
                                        "OR action LIKE 'meeting.%' ORDER BY id")]
    assert audit == ["action.create", "action.create", "action.report", "action.report",
                     "action.deliverable", "action.deliverable", "action.update",
                     "action.update", "action.update", "action.report", "meeting.create",
                     "meeting.update", "meeting.update"]
    who = rows(srv.db, "SELECT who, target FROM audit WHERE action = 'action.report' "
                       "ORDER BY id")
    assert who[0] == ("othercoord", f"partnership {pid}, action {a1['id']}")
    assert who[2] == ("norole", f"partnership {pid}, action {a2['id']}")


def set_sharing(a, s, city, aid, label):
    r = a.request("PUT", f"{API}/cities/{city}/assessments/{aid}/sharing",
                  {"sharing": label, "share_details": False}, s)
    assert r.status == 200, r


def test_links_keep_each_citys_sharing(world, start_server):
    srv = start_server()
    a = srv.api
    pid, s, mid = make_partnership(world, srv, name="Links")
    base = f"{API}/partnerships/{pid}"
    oc, coord = s["othercoord"], s["coordinator"]
    nice, mon = world.city["Nice"], world.city["Monaco"]
    naid, maid = world.aid["Nice"], world.aid["Monaco"]
    act = ok(a.request("POST", f"{base}/actions",
                       {"title": "Markets", "leader": mid["Nice"]}, oc), 201)
    links = f"{base}/actions/{act['id']}/links"
    # Nice's coordinator links Nice's assessment and a measure of the catalogue
    l1 = ok(a.request("POST", links, {"city": nice, "assessment": naid}, oc), 201)
    assert l1["city"] == {"id": nice, "name": "Nice"} and l1["measure"] is None
    assert l1["assessment"]["shared"] is True and l1["assessment"]["id"] == naid
    assert l1["assessment"]["space"]["name"] == "Place d'Armes"
    assert l1["assessment"]["version"] == 1
    l2 = ok(a.request("POST", links, {"city": nice, "measure": MEASURE["id"]}, oc), 201)
    assert l2["measure"] == {"id": MEASURE["id"], "name": MEASURE["name"]}
    assert l2["assessment"] is None
    bad(a.request("POST", links, {"city": nice, "measure": MEASURE["id"]}, oc), "the action",
        409)
    # only someone who works on that city's assessments links them
    refused(a.request("POST", links, {"city": nice, "assessment": naid}, coord))
    refused(a.request("POST", links, {"city": mon, "assessment": maid}, oc))
    refused(a.request("POST", links, {"city": mon, "assessment": maid}, s["viewer"]))
    ok(a.request("POST", links, {"city": mon, "assessment": maid, "measure": MEASURE["id"]},
                 s["assessor"]), 201)
    bad(a.request("POST", links, {"city": mon, "assessment": naid}, s["admin"]), "assessment")
    bad(a.request("POST", links, {"city": nice, "measure": "moat_with_crocodiles"}, oc),
        "measure")
    bad(a.request("POST", links, {"city": nice}, oc), "expected")
    bad(a.request("POST", links, {"assessment": naid}, oc), "city")

    def nice_link(sess):
        full = ok(a.get(f"{base}/actions/{act['id']}", sess))
        return [x for x in full["links"] if x["id"] == l1["id"]][0], full

    # AMBER (the answers file's label): Monaco's users do not see Nice's
    link, full = nice_link(coord)
    assert link["assessment"] == {"shared": False, "note": "not shared with you"}
    assert link["city"]["name"] == "Nice"
    # RED: nor does anyone outside Nice's own staff; Nice sees its own
    set_sharing(a, oc, nice, naid, "TLP:RED")
    for who in ("coordinator", "viewer", "assessor"):
        link, full = nice_link(s[who])
        assert link["assessment"] == {"shared": False, "note": "not shared with you"}, who
        assert "Place d'Armes" not in [x["assessment"].get("space", {}).get("name")
                                       for x in full["links"]
                                       if x["city"]["id"] == nice and x["assessment"]]
    link, _ = nice_link(oc)
    assert link["assessment"]["shared"] is True and link["assessment"]["sharing"] == "TLP:RED"
    page = a.get(f"{base}/plan?format=html", coord)
    assert page.status == 200, page
    assert "an assessment not shared with you" in page.text
    assert "assessment of Place d" in page.text  # Monaco's own, which it sees
    assert page.text.count("assessment of Place d") == 1
    # GREEN: the partnership sees the summary (space and version)
    set_sharing(a, oc, nice, naid, "TLP:GREEN")
    link, _ = nice_link(coord)
    assert link["assessment"]["shared"] is True
    assert link["assessment"]["space"]["name"] == "Place d'Armes"
    # a city that is invited but has not accepted cannot be linked
    pid2 = ok(a.request("POST", f"{API}/partnerships",
                        {"name": "Invited only", "starts": "2026-01-01", "ends": "2026-12-31",
                         "city": mon}, coord), 201)["id"]
    ok(a.request("POST", f"{API}/partnerships/{pid2}/members",
                 {"city": nice, "role": "member"}, coord), 201)
    monaco2 = ok(a.get(f"{API}/partnerships/{pid2}", coord))["members"][0]["id"]
    act2 = ok(a.request("POST", f"{API}/partnerships/{pid2}/actions",
                        {"title": "Alone", "leader": monaco2}, coord), 201)
    bad(a.request("POST", f"{API}/partnerships/{pid2}/actions/{act2['id']}/links",
                  {"city": nice, "measure": MEASURE["id"]}, s["admin"]), "city")
    link_audit = rows(srv.db, "SELECT city_id, detail FROM audit WHERE action = 'action.link' "
                              "ORDER BY id")
    assert link_audit == [(nice, f"assessment {naid}"), (nice, f"measure {MEASURE['id']}"),
                          (mon, f"assessment {maid}, measure {MEASURE['id']}")]


def test_plan_export_html_and_pdf(world, start_server):
    srv = start_server()
    a = srv.api
    pid, s, mid = make_partnership(world, srv, name="Plan & <b>export</b>")
    base = f"{API}/partnerships/{pid}"
    oc, coord = s["othercoord"], s["coordinator"]
    a1 = ok(a.request("POST", f"{base}/actions",
                      {"title": SCRIPT_TITLE, "objective": "Light the dark corners.",
                       "leader": mid["Nice"], "members": [mid["Police nationale"]]}, oc), 201)
    a2 = ok(a.request("POST", f"{base}/actions",
                      {"title": "Crowd management", "leader": mid["Monaco"]}, coord), 201)
    ok(a.request("POST", f"{base}/actions/{a1['id']}/reports",
                 {"status": "ongoing", "text": "Old report.", "next_steps": "Old steps."}, oc),
       201)
    ok(a.request("POST", f"{base}/actions/{a1['id']}/reports",
                 {"status": "ongoing", "text": "Twelve lamps installed.",
                  "next_steps": "Measure the sense of safety."}, oc), 201)
    ok(a.request("POST", f"{base}/actions/{a1['id']}/deliverables",
                 {"title": "Lighting survey", "url": "https://nice.example/survey?a=1&b=2"},
                 oc), 201)
    ok(a.request("POST", f"{base}/meetings",
                 {"date": "2026-04-02", "place": "Monaco, Yacht Club", "minutes": "Agreed.",
                  "actions": [a1["id"], a2["id"]]}, oc), 201)
    r = a.get(f"{base}/plan?format=html&lang=en", s["viewer"])
    assert r.status == 200 and r.header("Content-Type").startswith("text/html"), r
    assert "attachment" in r.header("Content-Disposition")
    page = r.text
    assert "<script>" not in page and "&lt;script&gt;alert(" in page
    assert "Plan &amp; &lt;b&gt;export&lt;/b&gt;" in page and "<b>export" not in page
    for text in ("Action plan", "Members", "Monaco", "Nice", "Police nationale", "Actions",
                 "Ongoing", "Proposed", "Light the dark corners.", "Twelve lamps installed.",
                 "Measure the sense of safety.", "Lighting survey",
                 "https://nice.example/survey?a=1&amp;b=2", "Crowd management", "Meetings",
                 "2026-04-02", "Monaco, Yacht Club", "Actions discussed", "Agreed.",
                 "No status report yet."):
        assert text in page, text
    assert "Old report." not in page  # the latest report only
    # the interface words in the reader's language, user content as written
    fr = a.get(f"{base}/plan?format=html&lang=fr", s["viewer"])
    assert fr.status == 200 and 'lang="fr"' in fr.text and "Twelve lamps installed." in fr.text
    pdf = a.get(f"{base}/plan?format=pdf", s["viewer"])
    assert pdf.status == 200 and pdf.header("Content-Type") == "application/pdf", pdf
    assert pdf.body.startswith(b"%PDF-") and len(pdf.body) > 10000, len(pdf.body)
    bad(a.get(f"{base}/plan?format=docx", coord), "format")
    bad(a.get(f"{base}/plan?format=html&lang=xx", coord), "lang")
    # the police (norole) read the plan; once they have left, nothing, as for a
    # partnership that does not exist
    assert a.get(f"{base}/plan?format=html", s["norole"]).status == 200
    assert a.request("DELETE", f"{base}/members/{mid['Police nationale']}", None,
                     coord).status == 204
    refused(a.get(f"{base}/plan?format=html", s["norole"]))
    refused(a.get(f"{API}/partnerships/987654/plan?format=html", s["norole"]))


def test_bad_input_names_the_field(world, start_server):
    srv = start_server()
    a = srv.api
    pid, s, mid = make_partnership(world, srv, name="Bad input")
    base = f"{API}/partnerships/{pid}"
    coord = s["coordinator"]
    good = {"title": "Good", "leader": mid["Monaco"]}
    for body, field in [
            ({}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201, "leader": mid["Monaco"]}, "title"),
            ({"title": "A\u0007", "leader": mid["Monaco"]}, "title"),
            ({"title": "A"}, "leader"),
            ({"title": "A", "leader": "Monaco"}, "leader"),
            ({"title": "A", "leader": 987654}, "leader"),
            ({"title": "A", "leader": mid["Monaco"], "status": "done"}, "status"),
            ({"title": "A", "leader": mid["Monaco"], "objective": "x" * 4001}, "objective"),
            ({"title": "A", "leader": mid["Monaco"], "objective": "bell\u0007"}, "objective"),
            ({"title": "A", "leader": mid["Monaco"], "members": [mid["Nice"], 987654]},
             "members[2]: not a member of this partnership"),
            ({"title": "A", "leader": mid["Monaco"], "members": [mid["Nice"], mid["Nice"]]},
             "members[2]: listed twice"),
            ({"title": "A", "leader": mid["Monaco"], "members": [mid["Nice"], "x"]},
             "members[2]"),
            ({"title": "A", "leader": mid["Monaco"], "members": 3}, "members")]:
        bad(a.request("POST", f"{base}/actions", body, coord), field)
    assert rows(srv.db, "SELECT count(*) FROM actions")[0][0] == 0
    act = ok(a.request("POST", f"{base}/actions", good, coord), 201)
    bad(a.request("POST", f"{base}/actions", good, coord), "title", 409)
    # an invited city does not lead until it has accepted
    pid2 = ok(a.request("POST", f"{API}/partnerships",
                        {"name": "Second", "starts": "2026-01-01", "ends": "2026-12-31",
                         "city": world.city["Monaco"]}, coord), 201)["id"]
    invited = ok(a.request("POST", f"{API}/partnerships/{pid2}/members",
                           {"city": world.city["Nice"], "role": "member"}, coord), 201)
    bad(a.request("POST", f"{API}/partnerships/{pid2}/actions",
                  {"title": "B", "leader": invited["id"]}, coord),
        "leader: not an active member")
    # a member of another partnership is no member of this one
    bad(a.request("POST", f"{base}/actions", {"title": "C", "leader": invited["id"]}, coord),
        "leader: not a member of this partnership")
    # ids of the path: 404 when not in this partnership
    other = ok(a.request("POST", f"{API}/partnerships/{pid2}/actions",
                         {"title": "Other's", "leader": ok(a.get(
                             f"{API}/partnerships/{pid2}", coord))["members"][0]["id"]},
                         coord), 201)
    for path in (f"{base}/actions/987654", f"{base}/actions/{other['id']}"):
        assert a.get(path, coord).status == 404
        assert a.request("PUT", path, {"title": "X"}, coord).status == 404
        assert a.request("POST", path + "/reports", {"status": "ongoing", "text": "x"},
                         coord).status == 404
        assert a.request("POST", path + "/deliverables", {"title": "x"}, coord).status == 404
        assert a.request("POST", path + "/links",
                         {"city": world.city["Monaco"], "measure": MEASURE["id"]},
                         coord).status == 404
    assert rows(srv.db, "SELECT title FROM actions WHERE id = ?", other["id"]) == [("Other's",)]
    # PUT: at least one field, each checked
    ap = f"{base}/actions/{act['id']}"
    bad(a.request("PUT", ap, {}, coord), "expected at least one")
    bad(a.request("PUT", ap, {"title": ""}, coord), "title")
    bad(a.request("PUT", ap, {"status": "finished"}, coord), "status")
    bad(a.request("PUT", ap, {"leader": 987654}, coord), "leader")
    # reports and deliverables
    bad(a.request("POST", f"{ap}/reports", {"status": "ongoing"}, coord), "text")
    bad(a.request("POST", f"{ap}/reports", {"text": "x"}, coord), "status")
    bad(a.request("POST", f"{ap}/reports", {"status": "ongoing", "text": "x",
                                            "next_steps": "y" * 4001}, coord), "next_steps")
    for url in ("javascript:alert(1)", "ftp://example.org/x", "https://", "http://a b",
                "https://example.org/\"onmouseover"):
        bad(a.request("POST", f"{ap}/deliverables", {"title": "D", "url": url}, coord), "url")
    bad(a.request("POST", f"{ap}/deliverables", {"url": "https://example.org"}, coord), "title")
    # meetings
    for body, field in [({}, "date"), ({"date": "2026-02-30"}, "date"),
                        ({"date": "2026-03-01", "place": "x" * 201}, "place"),
                        ({"date": "2026-03-01", "minutes": "x" * 16001}, "minutes"),
                        ({"date": "2026-03-01", "participants": [987654]},
                         "participants[1]: not a member of this partnership"),
                        ({"date": "2026-03-01", "actions": [act["id"], other["id"]]},
                         "actions[2]: not an action of this partnership")]:
        bad(a.request("POST", f"{base}/meetings", body, coord), field)
    assert rows(srv.db, "SELECT count(*) FROM meetings")[0][0] == 0
    m = ok(a.request("POST", f"{base}/meetings", {"date": "2026-03-01"}, coord), 201)
    assert m["place"] == "" and m["actions"] == [] and m["participants"] == []
    bad(a.request("PUT", f"{base}/meetings/{m['id']}", {}, coord), "expected at least one")
    bad(a.request("PUT", f"{base}/meetings/{m['id']}", {"date": "1 March"}, coord), "date")
    assert a.get(f"{base}/meetings/987654", coord).status == 404
    m2 = ok(a.request("POST", f"{API}/partnerships/{pid2}/meetings", {"date": "2026-05-05"},
                      coord), 201)
    assert a.get(f"{base}/meetings/{m2['id']}", coord).status == 404
    assert a.request("PUT", f"{base}/meetings/{m2['id']}", {"place": "X"}, coord).status == 404
    # nothing of a partnership reaches a user outside it, existing or not
    outsider = a.must_login("partner")  # Monaco's partner viewer: an observer of pid
    assert a.get(f"{base}/actions", outsider).status == 200
    nobody = s["norole"]  # the police of pid only
    for path in (f"{API}/partnerships/{pid2}/actions", f"{API}/partnerships/987654/actions",
                 f"{API}/partnerships/{pid2}/meetings/{m2['id']}",
                 f"{API}/partnerships/{pid2}/plan"):
        refused(a.get(path, nobody))
