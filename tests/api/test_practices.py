"""The good-practice library on the server: a city publishes an entry from a
measure implemented in one of its assessments (filled from the catalogue,
in the user's language), another city finds it by filtering, the sharing
label decides who sees an entry (docs/internals/partnership.md, "Good
practices"), text comes back inert, bad input is named, every change is
audited."""
import csv
import re

import pytest

from agora_api import API, REPO, Server, copy_db, rows

MEASURES = {m["id"]: m for m in csv.DictReader(open(REPO / "data" / "measures.csv",
                                                    encoding="utf-8"))}
SCENARIOS = {s["id"]: s for s in csv.DictReader(open(REPO / "data" / "scenarios.csv",
                                                     encoding="utf-8"))}


def po_messages(lang):
    """msgid -> msgstr of po/<lang>.po (untranslated entries left out)."""
    out, cur, key = {}, {}, None

    def unq(s):
        s = s.strip()[1:-1]
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)

    def flush():
        if cur.get("msgid") and cur.get("msgstr") and "msgctxt" not in cur:
            out[cur["msgid"]] = cur["msgstr"]

    for line in open(REPO / "po" / f"{lang}.po", encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            cur, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            cur[key] += unq(line)
        else:
            key, _, rest = line.partition(" ")
            cur[key] = unq(rest)
    flush()
    return out


FR = po_messages("fr")


def fr(text):
    return FR.get(text, text)


def reduces(mid):
    return [x.split(":")[0] for x in MEASURES[mid]["reduces"].split(";") if x]


@pytest.fixture(scope="module")
def srv(world, agora, tmp_path_factory):
    """A server of its own, on a copy of the template: the partnerships and
    languages set here stay here."""
    d = tmp_path_factory.mktemp("practices")
    s = Server(agora.binary, agora.env, copy_db(world.template, d / "agora.db"), d)
    yield s
    s.check_stop()


@pytest.fixture(scope="module")
def who(srv):
    return {n: srv.api.must_login(n) for n in
            ("assessor", "coordinator", "viewer", "partner", "othercoord", "norole", "admin")}


def new(a, s, cid, **kw):
    body = {"title": "Night buses", "what": "Buses every 10 minutes until 2 am",
            "threats": ["street_crime"], "sharing": "TLP:GREEN"}
    body.update(kw)
    return a.request("POST", f"{API}/cities/{cid}/practices", body, s)


def listed(a, s, query=""):
    r = a.get(f"{API}/practices{query}", s)
    assert r.status == 200, r
    return r.json()


def ids(body):
    return [p["id"] for p in body["practices"]]


def facet(body, kind):
    return {str(f["id"]): f["count"] for f in body["facets"][kind]}


# ---------- publishing from a measure ----------

def test_publish_from_an_implemented_measure(world, srv, who):
    a = srv.api
    mon, aid = world.city["Monaco"], world.aid["Monaco"]
    assessor = who["assessor"]
    cur = a.get(f"{API}/cities/{mon}/assessments/{aid}", assessor).json()
    status = {m["id"]: m["status"] for m in cur["measures"]}
    assert status["cctv"] == "existing", status  # the demo answers put it in place
    not_in_place = next(m for m, st in status.items() if st != "existing")
    space = a.get(f"{API}/cities/{mon}/spaces/{world.space['Monaco']}", assessor).json()["name"]
    # the assessor writes in French
    assert a.request("PUT", f"{API}/session/lang", {"lang": "fr"}, assessor).status == 200
    try:
        r = a.request("POST", f"{API}/cities/{mon}/practices/from-measure",
                      {"assessment": aid, "measure": "cctv", "results": "Fewer thefts",
                       "contact": "securite@example.mc"}, assessor)
        assert r.status == 201, r
        p = r.json()
        m = MEASURES["cctv"]
        assert p["title"] == fr(m["name"]) and p["title"] != m["name"]
        assert p["what"] == fr(m["description"])
        assert p["lang"] == "fr" and p["sharing"] == "TLP:GREEN"
        assert p["measure"] == {"id": "cctv", "name": fr(m["name"])}
        assert [t["id"] for t in p["threats"]] == reduces("cctv")
        assert [t["name"] for t in p["threats"]] == \
            [fr(SCENARIOS[t]["name"]) for t in reduces("cctv")]
        assert p["cost_eur"] == (float(m["cost_min_eur"]) + float(m["cost_max_eur"])) / 2
        assert p["place"] == f"{space}, Monaco"
        assert p["assessment"] == aid and p["city"] == {"id": mon, "name": "Monaco"}
        assert p["results"] == "Fewer thefts" and p["contact"] == "securite@example.mc"
        assert p["created_by"] == "assessor"
        # a measure not in place: 409; another city's assessment: 404
        r = a.request("POST", f"{API}/cities/{mon}/practices/from-measure",
                      {"assessment": aid, "measure": not_in_place}, assessor)
        assert r.status == 409 and not_in_place in r.json()["error"], r
        for other in (world.aid["Nice"], 987654):
            r = a.request("POST", f"{API}/cities/{mon}/practices/from-measure",
                          {"assessment": other, "measure": "cctv"}, assessor)
            assert r.status == 404, r
        for bad, field in [({"assessment": aid, "measure": "teleport"}, "measure"),
                           ({"measure": "cctv"}, "assessment"),
                           ({"assessment": aid, "measure": "cctv", "sharing": "TLP:PINK"},
                            "sharing")]:
            r = a.request("POST", f"{API}/cities/{mon}/practices/from-measure", bad, assessor)
            assert r.status == 400 and r.json()["error"].startswith(field), (bad, r)
    finally:
        a.request("PUT", f"{API}/session/lang", {"lang": "en"}, assessor)
    # in English for an English-speaking coordinator
    r = a.request("POST", f"{API}/cities/{mon}/practices/from-measure",
                  {"assessment": aid, "measure": "lighting", "sharing": "TLP:CLEAR"},
                  who["coordinator"])
    assert r.status == 201, r
    assert r.json()["title"] == MEASURES["lighting"]["name"] and r.json()["lang"] == "en"
    # another city finds the French entry by threat, by city, by language
    other = who["othercoord"]
    for q in (f"?threat={reduces('cctv')[0]}", f"?city={mon}", "?lang=fr",
              f"?threat={reduces('cctv')[-1]}&city={mon}&lang=fr&measure=cctv",
              "?q=fewer%20THEFTS"):
        body = listed(a, other, q)
        assert p["id"] in ids(body), q
        summary = next(x for x in body["practices"] if x["id"] == p["id"])
        assert summary["title"] == fr(MEASURES["cctv"]["name"]) and "what" not in summary
        # names in the reader's language (English), the entry's text as written
        assert summary["measure"]["name"] == MEASURES["cctv"]["name"]
        assert facet(body, "city")[str(mon)] >= 1 and facet(body, "lang")["fr"] >= 1
        assert facet(body, "measure")["cctv"] >= 1
        for t in reduces("cctv"):
            assert facet(body, "threat")[t] >= 1
    assert p["id"] not in ids(listed(a, other, "?lang=de"))
    assert p["id"] not in ids(listed(a, other, "?threat=vehicle_ramming"))
    assert p["id"] not in ids(listed(a, other, f"?city={world.city['Nice']}"))
    # a facet counts past its own filter: with lang=de, the French entries still show
    assert facet(listed(a, other, "?lang=de"), "lang").get("fr", 0) >= 1
    r = a.get(f"{API}/practices/{p['id']}", other)
    assert r.status == 200 and r.json()["what"] == fr(MEASURES["cctv"]["description"]), r


# ---------- who sees what ----------

def test_labels_decide_who_sees_an_entry(world, srv, who):
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    coord = who["coordinator"]
    made = {}
    for label, measure in [("TLP:RED", "wayfinding_signage"), ("TLP:AMBER", "public_information"),
                           ("TLP:GREEN", None), ("TLP:CLEAR", None)]:
        r = new(a, coord, mon, title=f"Entry {label}", sharing=label, measure=measure)
        assert r.status == 201, r
        made[label] = r.json()["id"]
    missing = a.get(f"{API}/practices/987654", who["othercoord"])
    assert missing.status == 404

    def sees(name, label):
        s = who[name]
        r = a.get(f"{API}/practices/{made[label]}", s)
        body = listed(a, s)
        in_list = made[label] in ids(body)
        assert (r.status == 200) == in_list, (name, label, r)
        if r.status != 200:
            assert r.status == 404, (name, label, r)
            # exactly like a missing entry, but for the id
            assert r.json()["error"].replace(str(made[label]), "N") == \
                missing.json()["error"].replace("987654", "N")
        # the facets count only what the list shows
        assert sum(facet(body, "city").values()) == len(body["practices"]), name
        assert sum(facet(body, "lang").values()) == len(body["practices"]), name
        return in_list

    everyone = ("viewer", "partner", "othercoord", "norole", "admin", "coordinator")
    want = {"TLP:RED": {"viewer", "admin", "coordinator"},
            "TLP:AMBER": {"viewer", "partner", "admin", "coordinator"},
            "TLP:GREEN": {"viewer", "partner", "othercoord", "admin", "coordinator"},
            "TLP:CLEAR": set(everyone)}
    for label, who_sees in want.items():
        for name in everyone:
            assert sees(name, label) == (name in who_sees), (name, label)
    # the RED entry's measure is in no facet of another city's user
    assert "wayfinding_signage" not in facet(listed(a, who["othercoord"]), "measure")
    assert "wayfinding_signage" not in facet(listed(a, who["partner"]), "measure")
    assert facet(listed(a, who["viewer"]), "measure")["wayfinding_signage"] == 1
    # AMBER: once Nice is an active member of a partnership Monaco is in
    r = a.request("POST", f"{API}/partnerships",
                  {"name": "Practices partnership", "starts": "2026-01-01",
                   "ends": "2027-12-31", "city": mon}, coord)
    assert r.status == 201, r
    pid = r.json()["id"]
    r = a.request("POST", f"{API}/partnerships/{pid}/members", {"city": nice, "role": "member"},
                  coord)
    assert r.status == 201, r
    mid = r.json()["id"]
    assert not sees("othercoord", "TLP:AMBER")  # invited is not a member yet
    r = a.request("POST", f"{API}/partnerships/{pid}/members/{mid}/accept", None,
                  who["othercoord"])
    assert r.status == 200, r
    assert sees("othercoord", "TLP:AMBER")
    assert "public_information" in facet(listed(a, who["othercoord"]), "measure")
    assert not sees("othercoord", "TLP:RED")
    # an organisation's people: AMBER and GREEN through the partnership
    assert not sees("norole", "TLP:GREEN")
    r = a.request("POST", f"{API}/partnerships/{pid}/members",
                  {"organisation": "Police of the practices", "kind": "police",
                   "role": "observer", "people": ["norole"]}, coord)
    assert r.status == 201, r
    assert sees("norole", "TLP:GREEN") and sees("norole", "TLP:AMBER")
    assert not sees("norole", "TLP:RED")
    # leaving the partnership hides AMBER again
    r = a.request("DELETE", f"{API}/partnerships/{pid}/members/{mid}", None, coord)
    assert r.status == 204, r
    assert not sees("othercoord", "TLP:AMBER") and sees("othercoord", "TLP:GREEN")
    # an entry another city cannot see cannot be changed through that city either
    r = a.request("PUT", f"{API}/cities/{nice}/practices/{made['TLP:CLEAR']}",
                  {"title": "Taken"}, who["othercoord"])
    assert r.status == 404, r
    r = a.request("DELETE", f"{API}/cities/{nice}/practices/{made['TLP:CLEAR']}", None,
                  who["othercoord"])
    assert r.status == 404, r
    assert a.get(f"{API}/practices/{made['TLP:CLEAR']}", coord).json()["title"] == \
        "Entry TLP:CLEAR"


# ---------- text, input, audit ----------

def test_script_payloads_come_back_inert(world, srv, who):
    a = srv.api
    mon = world.city["Monaco"]
    title = '<script>alert("t")</script>'
    what = "</script><img src=x onerror=alert(1)> & done\nsecond line"
    r = new(a, who["assessor"], mon, title=title, what=what, place="<b>Quai</b>",
            results="<svg onload=alert(2)>", contact='"><script>x</script>', sharing="TLP:CLEAR")
    assert r.status == 201, r
    pid = r.json()["id"]
    for path in (f"{API}/practices/{pid}", f"{API}/practices?q=onerror"):
        r = a.get(path, who["norole"])
        assert r.status == 200, r
        assert r.header("Content-Type") == "application/json"
        assert r.header("X-Content-Type-Options") == "nosniff"
        for raw in ("<script", "<img", "<svg", "<b>", "</script"):
            assert raw not in r.text, f"{path}: {raw} unescaped in {r.text[:300]}"
    p = a.get(f"{API}/practices/{pid}", who["norole"]).json()
    assert (p["title"], p["what"], p["place"], p["results"], p["contact"]) == \
        (title, what, "<b>Quai</b>", "<svg onload=alert(2)>", '"><script>x</script>')
    assert [x["id"] for x in listed(a, who["norole"], "?q=onerror")["practices"]] == [pid]
    # LIKE wildcards are taken literally
    assert pid not in ids(listed(a, who["norole"], "?q=%25"))
    assert pid not in ids(listed(a, who["norole"], "?q=_"))


@pytest.mark.parametrize("change,field", [
    ({"threats": ["vehicle_ramming", "alien_invasion"]}, "threats[2]"),
    ({"threats": "vehicle_ramming"}, "threats"),
    ({"measure": "teleport"}, "measure"),
    ({"lang": "es"}, "lang"),
    ({"sharing": "TLP:PINK"}, "sharing"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"title": "a\u0007bell"}, "title"),
    ({"what": None}, "what"),
    ({"what": "y" * 8001}, "what"),
    ({"results": "z" * 8001}, "results"),
    ({"contact": "c" * 501}, "contact"),
    ({"cost_eur": -1}, "cost_eur"),
    ({"cost_eur": "cheap"}, "cost_eur"),
    ({"threats": [], "problem": ""}, "threats"),
    ({"assessment": 987654}, "assessment"),
])
def test_bad_input_is_named(world, srv, who, change, field):
    a = srv.api
    mon = world.city["Monaco"]
    body = {"title": "Bad", "what": "Bad", "threats": ["street_crime"]}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = rows(srv.db, "SELECT count(*) FROM practices")[0][0]
    r = a.request("POST", f"{API}/cities/{mon}/practices", body, who["assessor"])
    assert r.status == 400, r
    assert r.json()["error"].startswith(field), r
    assert rows(srv.db, "SELECT count(*) FROM practices")[0][0] == before


def test_bad_filters_are_named(srv, who):
    for q, field in [("threat=nope", "threat"), ("measure=nope", "measure"), ("lang=xx", "lang"),
                     ("city=abc", "city"), ("q=" + "w" * 201, "q")]:
        r = srv.api.get(f"{API}/practices?{q}", who["viewer"])
        assert r.status == 400 and r.json()["error"].startswith(field), (q, r)


def test_change_delete_and_audit(world, srv, who):
    a = srv.api
    mon, nice = world.city["Monaco"], world.city["Nice"]
    r = new(a, who["assessor"], mon, title="Street pastors", cost_eur=12000,
            problem="Fights at closing time", threats=[], lang="en", sharing="TLP:GREEN")
    assert r.status == 201, r
    p = r.json()
    assert p["cost_eur"] == 12000 and p["threats"] == [] and p["problem"] == "Fights at closing time"
    pid = p["id"]
    body = listed(a, who["othercoord"], "?q=street%20pastors")  # no threat: in no threat facet
    assert ids(body) == [pid] and body["facets"]["threat"] == [], body
    r = a.request("PUT", f"{API}/cities/{mon}/practices/{pid}",
                  {"title": "Street pastors on Fridays", "sharing": "TLP:AMBER",
                   "threats": ["street_crime", "street_crime"], "cost_eur": None},
                  who["assessor"])
    assert r.status == 200, r
    q = r.json()
    assert (q["title"], q["sharing"], [t["id"] for t in q["threats"]], q["cost_eur"]) == \
        ("Street pastors on Fridays", "TLP:AMBER", ["street_crime"], None)
    assert q["what"] == p["what"] and q["created_at"] == p["created_at"]
    # through another city's path: 404, as if it did not exist
    r = a.request("PUT", f"{API}/cities/{nice}/practices/{pid}", {"title": "No"},
                  who["othercoord"])
    assert r.status == 404, r
    r = a.request("PUT", f"{API}/cities/{mon}/practices/{pid}", {"lang": "xx"},
                  who["assessor"])
    assert r.status == 400 and r.json()["error"].startswith("lang"), r
    # a partner organisation's account does not label RED
    r = a.request("PUT", f"{API}/cities/{mon}/members/partner",
                  {"role": "assessor", "partner": True}, who["admin"])
    assert r.status == 200, r
    r = new(a, who["partner"], mon, sharing="TLP:RED")
    assert r.status == 400 and r.json()["error"].startswith("sharing"), r
    assert a.request("DELETE", f"{API}/cities/{mon}/practices/{pid}", None,
                     who["assessor"]).status == 403  # a coordinator's
    r = a.request("DELETE", f"{API}/cities/{mon}/practices/{pid}", None, who["coordinator"])
    assert r.status == 204, r
    assert a.get(f"{API}/practices/{pid}", who["coordinator"]).status == 404
    assert a.request("DELETE", f"{API}/cities/{mon}/practices/{pid}", None,
                     who["coordinator"]).status == 404
    log = a.get(f"{API}/cities/{mon}/audit", who["coordinator"]).json()
    mine = [(x["action"], x["who"]) for x in log if x["target"] == f"practice {pid}"]
    assert mine == [("practice.delete", "coordinator"), ("practice.update", "assessor"),
                    ("practice.create", "assessor")], mine
    published = rows(srv.db, "SELECT count(*) FROM audit WHERE action = 'practice.publish' "
                             "AND city_id = ?", mon)[0][0]
    assert published >= 1
