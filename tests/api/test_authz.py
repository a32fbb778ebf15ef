# The authorisation matrix of the web API: every route of `agora serve
# --routes` x every role x its own city (Monaco) and another city (Nice),
# allowed or refused, and refusals that leak nothing; then sharing (TLP).
# SPDX-License-Identifier: EUPL-1.2
import itertools
import json
import math
import sqlite3
import subprocess
from dataclasses import dataclass

import pytest

from agora_api import API, PASSWORD, REPO, ROLE_IN, ROLES, agora_binary, agora_env, rows

# What the test expects of every route: its access as --routes prints it
# (public, user, admin, viewer, assessor, coordinator) and whether the
# handler decides for users without a role in the city ("shared"). A route
# that --routes prints and this table does not know fails the test.
EXPECTED = {
    ("GET", "/api/v1/health"): ("public", False),
    ("GET", "/api/v1/i18n/{lang}"): ("public", False),
    ("POST", "/api/v1/session"): ("public", False),
    ("GET", "/api/v1/session"): ("user", False),
    ("DELETE", "/api/v1/session"): ("user", False),
    ("PUT", "/api/v1/session/lang"): ("user", False),
    ("GET", "/api/v1/cities"): ("user", False),
    ("GET", "/api/v1/catalogue"): ("user", False),
    ("GET", "/api/v1/shared"): ("user", False),
    ("GET", "/api/v1/users"): ("admin", False),
    ("POST", "/api/v1/users"): ("admin", False),
    ("GET", "/api/v1/cities/{cid}"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/spaces"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/tiles/{z}/{x}/{y}"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/spaces/{sid}"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/spaces/{sid}/vehicle"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/spaces/{sid}/report"): ("viewer", False),
    ("POST", "/api/v1/cities/{cid}/spaces/{sid}/assessments"): ("assessor", False),
    ("GET", "/api/v1/cities/{cid}/assessments/{aid}"): ("viewer", True),
    ("PUT", "/api/v1/cities/{cid}/assessments/{aid}"): ("assessor", False),
    ("PUT", "/api/v1/cities/{cid}/assessments/{aid}/sharing"): ("coordinator", False),
    ("GET", "/api/v1/cities/{cid}/assessments/{aid}/plan"): ("viewer", False),
    ("GET", "/api/v1/cities/{cid}/members"): ("coordinator", False),
    ("PUT", "/api/v1/cities/{cid}/members/{user}"): ("coordinator", False),
    ("DELETE", "/api/v1/cities/{cid}/members/{user}"): ("coordinator", False),
    ("GET", "/api/v1/cities/{cid}/audit"): ("coordinator", False),
    ("GET", "/api/v1/training"): ("user", False),
    ("GET", "/api/v1/training/lessons/{item}"): ("user", False),
    ("POST", "/api/v1/training/exercises/{item}"): ("user", False),
    ("GET", "/api/v1/training/practical/{item}"): ("user", False),
    ("POST", "/api/v1/training/practical/{item}"): ("user", False),
    ("GET", "/api/v1/training/certificate"): ("user", False),
    ("GET", "/api/v1/public/surveys/{token}"): ("public", False),
    ("POST", "/api/v1/public/surveys/{token}/responses"): ("public", False),
    ("GET", "/api/v1/cities/{cid}/surveys"): ("viewer", False),
    ("POST", "/api/v1/cities/{cid}/surveys"): ("coordinator", False),
    ("GET", "/api/v1/cities/{cid}/surveys/{vid}"): ("viewer", False),
    ("PUT", "/api/v1/cities/{cid}/surveys/{vid}"): ("coordinator", False),
    ("GET", "/api/v1/cities/{cid}/perception"): ("viewer", False),
    # partnerships: p-* levels are roles in the matrix partnership (P_ROLE)
    ("GET", "/api/v1/partnerships"): ("user", False),
    ("POST", "/api/v1/partnerships"): ("user", True),
    ("GET", "/api/v1/partnerships/{pid}"): ("p-observer", False),
    ("PUT", "/api/v1/partnerships/{pid}"): ("p-coordinator", False),
    ("POST", "/api/v1/partnerships/{pid}/members"): ("p-coordinator", False),
    ("GET", "/api/v1/partnerships/{pid}/candidates"): ("p-coordinator", False),
    ("PUT", "/api/v1/partnerships/{pid}/members/{mid}"): ("p-coordinator", False),
    ("DELETE", "/api/v1/partnerships/{pid}/members/{mid}"): ("p-coordinator", False),
    ("POST", "/api/v1/partnerships/{pid}/members/{mid}/accept"): ("user", True),
    # the action plan: changes to an action need its leader or a coordinator
    # (the matrix action is led by Nice), a link a role >= assessor in the city
    ("GET", "/api/v1/partnerships/{pid}/actions"): ("p-observer", False),
    ("POST", "/api/v1/partnerships/{pid}/actions"): ("p-action_leader", False),
    ("GET", "/api/v1/partnerships/{pid}/actions/{action}"): ("p-observer", False),
    ("PUT", "/api/v1/partnerships/{pid}/actions/{action}"): ("p-member", False),
    ("POST", "/api/v1/partnerships/{pid}/actions/{action}/reports"): ("p-member", False),
    ("POST", "/api/v1/partnerships/{pid}/actions/{action}/deliverables"): ("p-member", False),
    ("POST", "/api/v1/partnerships/{pid}/actions/{action}/links"): ("p-member", False),
    ("GET", "/api/v1/partnerships/{pid}/meetings"): ("p-observer", False),
    ("POST", "/api/v1/partnerships/{pid}/meetings"): ("p-action_leader", False),
    ("GET", "/api/v1/partnerships/{pid}/meetings/{meeting}"): ("p-observer", False),
    ("PUT", "/api/v1/partnerships/{pid}/meetings/{meeting}"): ("p-action_leader", False),
    ("GET", "/api/v1/partnerships/{pid}/plan"): ("p-observer", False),
    # urban indicators and funding
    ("GET", "/api/v1/indicators"): ("user", False),
    ("GET", "/api/v1/cities/{cid}/indicators"): ("viewer", False),
    ("PUT", "/api/v1/cities/{cid}/indicators"): ("assessor", False),
    ("POST", "/api/v1/cities/{cid}/indicators/import"): ("assessor", False),
    ("GET", "/api/v1/partnerships/{pid}/indicators"): ("p-observer", False),
    ("GET", "/api/v1/funding"): ("user", False),
    ("GET", "/api/v1/partnerships/{pid}/actions/{action}/funding"): ("p-observer", False),
    ("POST", "/api/v1/partnerships/{pid}/actions/{action}/funding"): ("p-member", False),
    ("GET", "/api/v1/cities/{cid}/funding"): ("viewer", False),
    ("POST", "/api/v1/cities/{cid}/funding"): ("assessor", False),
    ("DELETE", "/api/v1/partnerships/{pid}/actions/{action}/funding/{link}"): ("p-member", False),
    ("DELETE", "/api/v1/cities/{cid}/funding/{link}"): ("assessor", False),
    # the good-practice library
    ("GET", "/api/v1/practices"): ("user", False),
    ("GET", "/api/v1/practices/{practice}"): ("user", False),
    ("POST", "/api/v1/cities/{cid}/practices"): ("assessor", False),
    ("POST", "/api/v1/cities/{cid}/practices/from-measure"): ("assessor", False),
    ("PUT", "/api/v1/cities/{cid}/practices/{practice}"): ("assessor", False),
    ("DELETE", "/api/v1/cities/{cid}/practices/{practice}"): ("coordinator", False),
}

_survey_token = []


def survey_token(api, w, admin):
    """The public token of a survey of Place d'Armes in Monaco (made once)."""
    if not _survey_token:
        cid = w.city["Monaco"]
        r = api.request("POST", f"{API}/cities/{cid}/surveys",
                        {"space": w.space["Monaco"], "title": "Matrix survey"}, admin)
        assert r.status == 201, r
        _survey_token.append(r.json()["token"])
    return _survey_token[0]

# Routes open to every user whose handler decides: a partnership is made by
# a coordinator of its first city (here Monaco, POSTed by each role), an
# invitation accepted by a coordinator of the invited city (here Nice).
SHARED_USER = {
    ("POST", "/api/v1/partnerships"): {
        "norole": 403, "viewer": 403, "assessor": 403, "coordinator": "ok", "partner": 403,
        "othercoord": 403, "admin": "ok"},
    ("POST", "/api/v1/partnerships/{pid}/members/{mid}/accept"): {
        "norole": 403, "viewer": 403, "assessor": 403, "coordinator": 403, "partner": 403,
        "othercoord": "ok", "admin": "ok"},
}

_partnership = {}


def partnership(api, w, sessions):
    """The matrix partnership: Monaco coordinates, Nice is a member."""
    if not _partnership:
        coord = sessions["coordinator"]
        r = api.request("POST", f"{API}/partnerships",
                        {"name": "Matrix partnership", "starts": "2026-01-01",
                         "ends": "2028-12-31", "city": w.city["Monaco"]}, coord)
        assert r.status == 201, r
        pid = r.json()["id"]
        r = api.request("POST", f"{API}/partnerships/{pid}/members",
                        {"city": w.city["Nice"], "role": "member"}, coord)
        assert r.status == 201, r
        r = api.request("POST", f"{API}/partnerships/{pid}/members/{r.json()['id']}/accept",
                        None, sessions["othercoord"])
        assert r.status == 200, r
        _partnership["pid"] = pid
    return _partnership["pid"]


def org_member(api, pid, sessions):
    """A fresh organisation member of the matrix partnership."""
    r = api.request("POST", f"{API}/partnerships/{pid}/members",
                    {"organisation": f"Matrix police {next(_counter)}", "kind": "police",
                     "role": "observer"}, sessions["coordinator"])
    assert r.status == 201, r
    return r.json()["id"]


def practice_of(api, city_id, admin, label="TLP:GREEN"):
    """A fresh good-practice entry of the city (made by the administrator)."""
    r = api.request("POST", f"{API}/cities/{city_id}/practices",
                    {"title": f"Matrix practice {next(_counter)}", "what": "Tried in the matrix",
                     "threats": ["street_crime"], "sharing": label}, admin)
    assert r.status == 201, r
    return r.json()["id"]


_clear_practice = []


def clear_practice(api, w, admin):
    """A TLP:CLEAR entry of Monaco, which every signed-in user reads (made once)."""
    if not _clear_practice:
        _clear_practice.append(practice_of(api, w.city["Monaco"], admin, "TLP:CLEAR"))
    return _clear_practice[0]


_funded_action = {}


def funded_action(w, pid):
    """An action of the matrix partnership led by Nice, written into the
    database directly (the indicators tests do not depend on the actions
    API): Nice's coordinator may link it to funding as its leader."""
    if pid not in _funded_action:
        (nice,), = rows(w.db, "SELECT id FROM partnership_members WHERE partnership_id = ? "
                              "AND city_id = ?", pid, w.city["Nice"])
        with sqlite3.connect(w.db, timeout=60) as db:
            _funded_action[pid] = db.execute(
                "INSERT INTO actions (partnership_id, title, status, leader, created_at, "
                "created_by, updated_at) VALUES (?, 'Matrix funded action', 'ongoing', ?, "
                "'2026-01-01T00:00:00Z', 'matrix', '2026-01-01T00:00:00Z')",
                (pid, nice)).lastrowid
        db.close()
    return _funded_action[pid]


_plan = {}


def nice_member(api, pid, sessions):
    """Nice's member id in the matrix partnership."""
    if "nice" not in _plan:
        r = api.get(f"{API}/partnerships/{pid}", sessions["admin"])
        assert r.status == 200, r
        _plan["nice"] = [m["id"] for m in r.json()["members"] if m["name"] == "Nice"][0]
    return _plan["nice"]


def matrix_action(api, pid, sessions, fresh=False):
    """An action of the matrix partnership led by Nice (made once, or a new
    one when fresh): Nice's coordinator changes it as its leader."""
    if fresh or "action" not in _plan:
        r = api.request("POST", f"{API}/partnerships/{pid}/actions",
                        {"title": f"Matrix plan action {next(_counter)}",
                         "leader": nice_member(api, pid, sessions)}, sessions["admin"])
        assert r.status == 201, r
        if fresh:
            return r.json()["id"]
        _plan["action"] = r.json()["id"]
    return _plan["action"]


def matrix_meeting(api, pid, sessions):
    if "meeting" not in _plan:
        r = api.request("POST", f"{API}/partnerships/{pid}/meetings",
                        {"date": "2026-05-01", "actions": [matrix_action(api, pid, sessions)]},
                        sessions["admin"])
        assert r.status == 201, r
        _plan["meeting"] = r.json()["id"]
    return _plan["meeting"]


_survey_ids = {}


def survey_id(api, w, admin, city):
    """The id of a survey of the city's space (one per city, made once)."""
    if city not in _survey_ids:
        cid = w.city[city]
        r = api.request("POST", f"{API}/cities/{cid}/surveys",
                        {"space": w.space[city], "title": f"Matrix survey of {city}"}, admin)
        assert r.status == 201, r
        _survey_ids[city] = r.json()["id"]
    return _survey_ids[city]

# The training routes answer 404 while data/training is not installed.
TRAINING = REPO / "data" / "training"
HAS_TRAINING = (TRAINING / "modules.csv").exists()


def practical_lesson():
    """The id of the practical lesson (kind: practical), if any."""
    for f in sorted(TRAINING.glob("m*/*.en.md")):
        text = f.read_text(encoding="utf-8")
        if "\nkind: practical\n" in text:
            return text.split("\nid: ", 1)[1].split("\n", 1)[0].strip()
    return "m4-02"

LEVEL = {"none": 0, "viewer": 1, "assessor": 2, "coordinator": 3}

# Each role's part in the matrix partnership: Monaco coordinates it, Nice
# is a member (invited and accepted); a viewer of a member city observes.
P_ROLE = {"anonymous": "none", "norole": "none", "viewer": "observer",
          "assessor": "coordinator", "coordinator": "coordinator", "partner": "observer",
          "othercoord": "member", "admin": "coordinator"}
P_LEVEL = {"none": 0, "observer": 1, "member": 2, "action_leader": 3, "coordinator": 4}
# Partnership routes whose handler also decides, for the roles it refuses
# above the route's level: the matrix links Monaco's measures to an action,
# which Nice's coordinator may not (no role in Monaco).
P_HANDLER = {
    ("POST", "/api/v1/partnerships/{pid}/actions/{action}/links"): {"othercoord": 403},
}
FORBIDDEN = b'{"error":"forbidden"}'


def parse_routes(text):
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split("\t")
        assert len(f) in (3, 4) and (len(f) == 3 or f[3] == "shared"), \
            f"--routes: unexpected line {line!r}"
        out.append((f[0], f[1], f[2], len(f) == 4))
    return out


def listed_routes():
    """The routes of --routes (at collection: they parametrise the matrix),
    plus those of the table, so that a route missing from either shows."""
    try:
        p = subprocess.run([str(agora_binary()), "serve", "--routes"], capture_output=True,
                           env=agora_env(), timeout=60)
        listed = [(m, pat) for m, pat, _, _ in parse_routes(p.stdout.decode())]
    except BaseException:  # no binary: test_route_table says why
        listed = []
    return listed + [k for k in EXPECTED if k not in listed]


def test_route_table_matches_the_server(agora):
    res = agora("serve", "--routes")
    assert res.rc == 0, res
    routes = parse_routes(res.out)
    assert routes, res
    unknown = [(m, p) for m, p, _, _ in routes if (m, p) not in EXPECTED]
    assert not unknown, f"routes the authorisation matrix does not know (add them): {unknown}"
    for m, p, access, shared in routes:
        assert EXPECTED[(m, p)] == (access, shared), \
            f"{m} {p}: --routes says {access}{' shared' if shared else ''}, " \
            f"the matrix expects {EXPECTED[(m, p)]}"
    stale = [k for k in EXPECTED if k not in {(m, p) for m, p, _, _ in routes}]
    assert not stale, f"routes the matrix expects but the server lacks: {stale}"


def expectation(access, shared, role, city, route=None):
    """'ok', 401 or 403. Shared routes: the assessments are TLP:AMBER (the
    answers file sets it; test_sharing puts it back), so a user without a
    role in the city is refused."""
    if access == "public":
        return "ok"
    if role == "anonymous":
        return 401
    if access == "user" and not shared:
        return "ok"
    if access == "admin":
        return "ok" if role == "admin" else 403
    if access.startswith("p-"):
        if route in P_HANDLER and role in P_HANDLER[route]:
            return P_HANDLER[route][role]
        return "ok" if P_LEVEL[P_ROLE[role]] >= P_LEVEL[access[2:]] else 403
    if access == "user" and shared:
        return SHARED_USER[route][role]
    have = ROLE_IN[role][city]
    return "ok" if LEVEL[have] >= LEVEL[access] else 403


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) /
             math.pi) / 2 * n)
    return x, y


@dataclass
class Call:
    path: str
    body: object = None
    ok: tuple = (200,)


_counter = itertools.count(1)


def make_call(method, pattern, city, w, api, sessions):
    """The request of a route in a city, with real ids and a minimal valid
    body; state-changing calls are set up so that an allowed one succeeds."""
    cid = w.city[city] if city else None
    admin = sessions["admin"]
    sid = w.space[city] if city else None
    aid = w.aid[city] if city else None
    z = 15
    if city:
        lon, lat = rows(w.db, "SELECT centroid_lon, centroid_lat FROM spaces WHERE id = ?",
                        sid)[0]
        x, y = tile_of(lon, lat, z)
    path = (pattern.replace("{cid}", str(cid)).replace("{sid}", str(sid))
            .replace("{aid}", str(aid)).replace("{lang}", "fr").replace("{user}", "pawn")
            .replace("{z}", str(z)))
    if city:
        path = path.replace("{x}", str(x)).replace("{y}", str(y))
    key = (method, pattern)
    if key == ("POST", "/api/v1/session"):
        return Call(path, {"user": "viewer", "password": PASSWORD})
    if key == ("DELETE", "/api/v1/session"):
        return Call(path, ok=(204,))
    if key == ("PUT", "/api/v1/session/lang"):
        return Call(path, {"lang": "en"})
    if key == ("POST", "/api/v1/users"):
        return Call(path, {"name": f"made{next(_counter)}", "password": PASSWORD,
                           "display_name": "Made in the matrix"}, ok=(201,))
    if key == ("GET", "/api/v1/cities/{cid}/spaces/{sid}/vehicle"):
        # the vehicle analysis was only run for Monaco: 404 past authorisation
        return Call(path, ok=(200,) if city == "Monaco" else (404,))
    if key == ("GET", "/api/v1/cities/{cid}/spaces/{sid}/report"):
        return Call(path + "?format=html")
    if key == ("POST", "/api/v1/cities/{cid}/spaces/{sid}/assessments"):
        # a space of its own: Place d'Armes keeps one version
        return Call(path.replace(f"/spaces/{sid}/", f"/spaces/{w.spare[city][0]}/"),
                    ok=(201,))
    if key == ("PUT", "/api/v1/cities/{cid}/assessments/{aid}"):
        cur = api.get(f"{API}/cities/{cid}/assessments/{aid}", admin)
        assert cur.status == 200, cur
        return Call(path, {"rev": cur.json()["rev"],
                           "answers": [{"question": "site.footfall", "answer": 3}]})
    if key == ("PUT", "/api/v1/cities/{cid}/assessments/{aid}/sharing"):
        return Call(path, {"sharing": "TLP:AMBER", "share_details": False})
    if key == ("PUT", "/api/v1/cities/{cid}/members/{user}"):
        return Call(path, {"role": "viewer", "partner": False})
    if "{token}" in pattern:
        path = path.replace("{token}", survey_token(api, w, admin))
        if method == "POST":
            return Call(path, {"answers": {"safe_day": 4}}, ok=(201,))
        return Call(path)
    if key == ("POST", "/api/v1/cities/{cid}/surveys"):
        return Call(path, {"space": sid, "title": "A survey"}, ok=(201,))
    if "/practices" in pattern:
        if key == ("GET", "/api/v1/practices/{practice}"):
            return Call(path.replace("{practice}", str(clear_practice(api, w, admin))))
        if key == ("POST", "/api/v1/cities/{cid}/practices"):
            return Call(path, {"title": "Made in the matrix", "what": "A practice",
                               "threats": ["vehicle_ramming"]}, ok=(201,))
        if key == ("POST", "/api/v1/cities/{cid}/practices/from-measure"):
            # the demo answers put cctv in place in both cities' assessments
            return Call(path, {"assessment": aid, "measure": "cctv"}, ok=(201,))
        if "{practice}" in pattern:  # PUT, DELETE: a fresh entry of the path's city
            path = path.replace("{practice}", str(practice_of(api, cid, admin)))
            if method == "PUT":
                return Call(path, {"title": "Changed in the matrix"})
            return Call(path, ok=(204,))
        return Call(path)
    if key == ("PUT", "/api/v1/cities/{cid}/indicators"):
        return Call(path, {"values": [{"indicator": "sos_night_city", "year": 2022,
                                       "value": 50, "visible": False}]})
    if key == ("POST", "/api/v1/cities/{cid}/indicators/import"):
        return Call(path, "indicator,year,value\nsos_night_city,2021,48\n")
    if key == ("POST", "/api/v1/cities/{cid}/funding"):
        return Call(path, {"measure": "cctv", "instrument": "isf_police"}, ok=(201,))
    if key == ("DELETE", "/api/v1/cities/{cid}/funding/{link}"):
        r = api.request("POST", f"{API}/cities/{cid}/funding",
                        {"measure": "cctv", "instrument": "erdf"}, admin)
        assert r.status == 201, r
        return Call(path.replace("{link}", str(r.json()["id"])), ok=(204,))
    if "{pid}" in pattern:
        pid = partnership(api, w, sessions)
        path = path.replace("{pid}", str(pid))
        if key == ("GET", "/api/v1/partnerships/{pid}/indicators"):
            return Call(path + "?indicator=sos_night_city")
        if key[1] == "/api/v1/partnerships/{pid}/actions/{action}/funding/{link}":
            path = path.replace("{action}", str(funded_action(w, pid)))
            r = api.request("POST", path.rsplit("/", 1)[0], {"instrument": "eui"}, admin)
            assert r.status == 201, r
            return Call(path.replace("{link}", str(r.json()["id"])), ok=(204,))
        if key[1] == "/api/v1/partnerships/{pid}/actions/{action}/funding":
            path = path.replace("{action}", str(funded_action(w, pid)))
            if method == "POST":
                return Call(path, {"instrument": "eui"}, ok=(201,))
            return Call(path)
        if "/actions" in pattern and "/funding" not in pattern:
            if key == ("POST", "/api/v1/partnerships/{pid}/actions"):
                return Call(path, {"title": f"Matrix action {next(_counter)}",
                                   "leader": nice_member(api, pid, sessions)}, ok=(201,))
            if key[1].endswith("/links"):  # a fresh action: the same link twice is 409
                aid = matrix_action(api, pid, sessions, fresh=True)
                return Call(path.replace("{action}", str(aid)),
                            {"city": w.city["Monaco"], "measure": "total_traffic_exclusion"},
                            ok=(201,))
            path = path.replace("{action}", str(matrix_action(api, pid, sessions)))
            if key[1].endswith("/reports"):
                return Call(path, {"status": "ongoing", "text": "Matrix report"}, ok=(201,))
            if key[1].endswith("/deliverables"):
                return Call(path, {"title": "Matrix deliverable",
                                   "url": "https://example.org/matrix"}, ok=(201,))
            if method == "PUT":
                return Call(path, {"objective": f"Matrix objective {next(_counter)}"})
            return Call(path)
        if "/meetings" in pattern:
            if method == "POST":
                return Call(path, {"date": "2026-06-01", "place": "Matrix"}, ok=(201,))
            path = path.replace("{meeting}", str(matrix_meeting(api, pid, sessions)))
            if method == "PUT":
                return Call(path, {"minutes": f"Matrix minutes {next(_counter)}"})
            return Call(path)
        if key == ("GET", "/api/v1/partnerships/{pid}/plan"):
            return Call(path + "?format=html")
        if key == ("PUT", "/api/v1/partnerships/{pid}"):
            return Call(path, {"ends": "2029-06-30"})
        if key == ("POST", "/api/v1/partnerships/{pid}/members"):
            return Call(path, {"organisation": f"Matrix operator {next(_counter)}",
                               "kind": "operator", "role": "member"}, ok=(201,))
        if key == ("PUT", "/api/v1/partnerships/{pid}/members/{mid}"):
            return Call(path.replace("{mid}", str(org_member(api, pid, sessions))),
                        {"role": "member"})
        if key == ("DELETE", "/api/v1/partnerships/{pid}/members/{mid}"):
            return Call(path.replace("{mid}", str(org_member(api, pid, sessions))), ok=(204,))
        if key == ("POST", "/api/v1/partnerships/{pid}/members/{mid}/accept"):
            # a partnership of its own, coordinated by Monaco, inviting Nice
            coord = sessions["coordinator"]
            r = api.request("POST", f"{API}/partnerships",
                            {"name": f"Invitation {next(_counter)}", "starts": "2026-01-01",
                             "ends": "2026-12-31", "city": w.city["Monaco"]}, coord)
            assert r.status == 201, r
            own = r.json()["id"]
            r = api.request("POST", f"{API}/partnerships/{own}/members",
                            {"city": w.city["Nice"], "role": "member"}, coord)
            assert r.status == 201, r
            return Call(f"{API}/partnerships/{own}/members/{r.json()['id']}/accept")
        return Call(path)
    if key == ("POST", "/api/v1/partnerships"):
        return Call(path, {"name": f"Made in the matrix {next(_counter)}",
                           "starts": "2026-01-01", "ends": "2026-12-31",
                           "city": w.city["Monaco"]},
                    ok=(201,))
    if "{vid}" in pattern:
        path = path.replace("{vid}", str(survey_id(api, w, admin, city)))
        if method == "PUT":
            return Call(path, {"open": True})
        return Call(path)
    if pattern.startswith("/api/v1/training"):
        ok = (200,) if HAS_TRAINING else (404,)
        if key == ("GET", "/api/v1/training/lessons/{item}"):
            return Call(path.replace("{item}", "m1-01"), ok=ok)
        if key == ("POST", "/api/v1/training/exercises/{item}"):
            return Call(path.replace("{item}", "m1-01-q1"), {"answer": [0]}, ok=ok)
        if key[1] == "/api/v1/training/practical/{item}":
            body = ({"answers": [{"question": "site.footfall", "answer": 3}]}
                    if method == "POST" else None)
            return Call(path.replace("{item}", practical_lesson()), body, ok=ok)
        if key == ("GET", "/api/v1/training/certificate"):
            # nobody of the matrix has passed the modules
            return Call(path, ok=(409,) if HAS_TRAINING else (404,))
        return Call(path, ok=ok)
    if key == ("DELETE", "/api/v1/cities/{cid}/members/{user}"):
        r = api.request("PUT", f"{API}/cities/{cid}/members/pawn", {"role": "viewer"},
                        admin)
        assert r.status == 200, r
        return Call(path, ok=(204,))
    return Call(path)


def cases():
    for method, pattern in listed_routes():
        cities = ("Monaco", "Nice") if "{cid}" in pattern else (None,)
        for role in ROLES:
            for city in cities:
                where = {"Monaco": "own city", "Nice": "other city", None: "-"}[city]
                yield pytest.param(method, pattern, role, city,
                                   id=f"{method} {pattern} | {role} | {where}")


def check_refusal(r, status, what):
    assert r.status == status, f"{what}: expected {status}, got {r}"
    assert r.header("Content-Type") == "application/json", what
    assert not r.headers_all("Set-Cookie"), f"{what}: a refusal sets a cookie"
    if status == 403:
        assert r.body == FORBIDDEN, f"{what}: the 403 body must be exactly {FORBIDDEN}"
    else:
        body = r.json()
        assert list(body) == ["error"] and isinstance(body["error"], str), \
            f"{what}: a 401 carries no data: {r}"


@pytest.mark.parametrize("method,pattern,role,city", list(cases()))
def test_matrix(method, pattern, role, city, world, api, sessions):
    if (method, pattern) not in EXPECTED:
        pytest.fail(f"{method} {pattern} is served but the matrix has no expectation for it",
                    pytrace=False)
    access, shared = EXPECTED[(method, pattern)]
    want = expectation(access, shared, role, city, (method, pattern))
    call = make_call(method, pattern, city, world, api, sessions)
    session = None
    if role != "anonymous":
        session = sessions[role]
        if (method, pattern) in (("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")):
            session = api.must_login(role)  # a session of its own: these end it
    what = f"{role} {method} {call.path}"
    r = api.request(method, call.path, call.body, session)
    if want == "ok":
        assert r.status in call.ok, f"{what}: expected {call.ok}, got {r}"
        ctype = r.header("Content-Type")
        if call.path.endswith("format=html"):
            assert ctype.startswith("text/html"), what
        else:
            assert ctype == "application/json", what
        if (method, pattern) == ("DELETE", "/api/v1/session"):
            assert api.get(f"{API}/session", session).status == 401, \
                "the session lives on after signing out"
    else:
        check_refusal(r, want, what)


# ---------- refusals leak nothing ----------

def test_403_same_for_existing_and_missing(world, api, sessions):
    """A Monaco user probing Nice: whether the assessment, space or city
    exists makes no difference to the refusal."""
    v = sessions["viewer"]
    nice, aid, sid = world.city["Nice"], world.aid["Nice"], world.space["Nice"]
    probes = [
        ("GET", f"{API}/cities/{nice}/assessments/{aid}", f"{API}/cities/{nice}/assessments/987654", None),
        ("GET", f"{API}/cities/{nice}/assessments/{aid}/plan", f"{API}/cities/{nice}/assessments/987654/plan", None),
        ("PUT", f"{API}/cities/{nice}/assessments/{aid}", f"{API}/cities/{nice}/assessments/987654",
         {"rev": 1, "answers": []}),
        ("PUT", f"{API}/cities/{nice}/assessments/{aid}/sharing", f"{API}/cities/{nice}/assessments/987654/sharing",
         {"sharing": "TLP:CLEAR"}),
        ("GET", f"{API}/cities/{nice}/spaces/{sid}", f"{API}/cities/{nice}/spaces/987654", None),
        ("GET", f"{API}/cities/{nice}/spaces/{sid}/report", f"{API}/cities/{nice}/spaces/987654/report", None),
        ("GET", f"{API}/cities/{nice}", f"{API}/cities/987654", None),
        ("GET", f"{API}/cities/{nice}/members", f"{API}/cities/987654/members", None),
    ]
    for method, existing, missing, body in probes:
        a = api.request(method, existing, body, v)
        b = api.request(method, missing, body, v)
        check_refusal(a, 403, f"{method} {existing}")
        check_refusal(b, 403, f"{method} {missing}")
        assert a.body == b.body
        strip = {"Date"}
        ha = {k: v_ for k, v_ in a.headers.items() if k not in strip}
        hb = {k: v_ for k, v_ in b.headers.items() if k not in strip}
        assert ha == hb, f"{existing} and {missing}: the headers differ"
    # within the own city, a role too low: the same, existing or not
    mon = world.city["Monaco"]
    a = api.request("PUT", f"{API}/cities/{mon}/assessments/{world.aid['Monaco']}/sharing",
                    {"sharing": "TLP:CLEAR"}, v)
    b = api.request("PUT", f"{API}/cities/{mon}/assessments/987654/sharing",
                    {"sharing": "TLP:CLEAR"}, v)
    check_refusal(a, 403, "viewer sharing")
    check_refusal(b, 403, "viewer sharing, no such assessment")


def test_401_same_for_existing_and_missing(world, api):
    nice, aid = world.city["Nice"], world.aid["Nice"]
    a = api.get(f"{API}/cities/{nice}/assessments/{aid}")
    b = api.get(f"{API}/cities/987654/assessments/987654")
    check_refusal(a, 401, "anonymous")
    check_refusal(b, 401, "anonymous")
    assert a.body == b.body
    # a cookie that is no session is no better than none
    c = api.get(f"{API}/cities/{nice}/assessments/{aid}", cookie="agora_session=" + "A" * 43)
    check_refusal(c, 401, "a made-up cookie")


def test_ids_of_another_city_are_not_reachable_through_ones_own(world, api, sessions):
    """Monaco's users naming Nice's space or assessment under Monaco's city
    id: 404, and nothing of Nice's comes back or changes."""
    mon = world.city["Monaco"]
    naid, nsid = world.aid["Nice"], world.space["Nice"]
    before = rows(world.db, "SELECT rev, sharing, doc FROM assessments WHERE id = ?", naid)
    a, c = sessions["assessor"], sessions["coordinator"]
    for method, path, body, s in [
        ("GET", f"{API}/cities/{mon}/assessments/{naid}", None, a),
        ("GET", f"{API}/cities/{mon}/assessments/{naid}/plan", None, a),
        ("PUT", f"{API}/cities/{mon}/assessments/{naid}",
         {"rev": before[0][0], "answers": [{"question": "site.footfall", "answer": 1}]}, a),
        ("PUT", f"{API}/cities/{mon}/assessments/{naid}/sharing", {"sharing": "TLP:CLEAR"}, c),
        ("GET", f"{API}/cities/{mon}/spaces/{nsid}", None, a),
        ("GET", f"{API}/cities/{mon}/spaces/{nsid}/vehicle", None, a),
        ("GET", f"{API}/cities/{mon}/spaces/{nsid}/report?format=html", None, a),
        ("POST", f"{API}/cities/{mon}/spaces/{nsid}/assessments", None, a),
    ]:
        r = api.request(method, path, body, s)
        assert r.status == 404, f"{method} {path}: {r}"
        assert list(r.json()) == ["error"]
    assert rows(world.db, "SELECT rev, sharing, doc FROM assessments WHERE id = ?",
                naid) == before
    assert rows(world.db, "SELECT count(*) FROM assessments WHERE space_id = ?", nsid)[0][0] == 1


def test_coordinator_cannot_grant_coordinator(world, api, sessions):
    mon = world.city["Monaco"]
    assert api.request("PUT", f"{API}/cities/{mon}/members/pawn", {"role": "viewer"},
                       sessions["admin"]).status == 200
    r = api.request("PUT", f"{API}/cities/{mon}/members/pawn", {"role": "coordinator"},
                    sessions["coordinator"])
    check_refusal(r, 403, "a coordinator making a coordinator")
    assert rows(world.db, "SELECT g.role FROM grants g JOIN users u ON u.id = g.user_id "
                          "WHERE u.name = 'pawn' AND g.city_id = ?", mon)[0][0] == "viewer"


def test_coordinator_cannot_remove_another_coordinator(world, api, sessions):
    mon = world.city["Monaco"]
    r = api.request("DELETE", f"{API}/cities/{mon}/members/coord2", None,
                    sessions["coordinator"])
    check_refusal(r, 403, "a coordinator removing another")


def test_coordinator_cannot_demote_another_coordinator(world, api, sessions):
    """DELETE of another coordinator is refused; the same through PUT (a
    lower role) must be too, or a coordinator removes a peer in two steps."""
    mon = world.city["Monaco"]
    role_of = ("SELECT g.role FROM grants g JOIN users u ON u.id = g.user_id "
               "WHERE u.name = 'coord2' AND g.city_id = ?")
    try:
        r = api.request("PUT", f"{API}/cities/{mon}/members/coord2", {"role": "viewer"},
                        sessions["coordinator"])
        now = rows(world.db, role_of, mon)[0][0]
        assert r.status == 403 and now == "coordinator", \
            f"a coordinator demoted another coordinator: {r}; coord2 is now {now}"
    finally:
        api.request("PUT", f"{API}/cities/{mon}/members/coord2", {"role": "coordinator"},
                    sessions["admin"])


# ---------- sharing ----------

def set_sharing(api, s, city_id, aid, label, details=False):
    r = api.request("PUT", f"{API}/cities/{city_id}/assessments/{aid}/sharing",
                    {"sharing": label, "share_details": details}, s)
    assert r.status == 200, r
    assert r.json()["sharing"] == label and r.json()["share_details"] is details
    return r


SUMMARY_KEYS = {"id", "city", "space", "version", "sharing", "created_at", "updated_at",
                "measures", "detail"}
DETAIL_KEYS = {"answers", "risk", "context", "assessor", "total", "areas"}


def test_sharing_with_other_cities(world, api, sessions):
    nice, naid = world.city["Nice"], world.aid["Nice"]
    path = f"{API}/cities/{nice}/assessments/{naid}"
    oc, v = sessions["othercoord"], sessions["viewer"]
    try:
        # AMBER: not for Monaco
        check_refusal(api.get(path, v), 403, "AMBER, another city")
        # GREEN: the partnership sees the summary
        set_sharing(api, oc, nice, naid, "TLP:GREEN")
        for role in ("viewer", "assessor", "coordinator", "partner"):
            r = api.get(path, sessions[role])
            assert r.status == 200, f"{role}: {r}"
            body = r.json()
            assert body["detail"] == "summary", role
            assert not DETAIL_KEYS & set(body), f"{role}: a summary with {DETAIL_KEYS & set(body)}"
            assert SUMMARY_KEYS <= set(body)
            assert all(m["status"] == "existing" for m in body["measures"])
            for word in ("\"answers\"", "\"risk\"", "\"evidence\"", "\"reason\""):
                assert word not in r.text
        # nor the plan, the space or the report, which are not shared
        check_refusal(api.get(path + "/plan", v), 403, "plan of a GREEN summary")
        check_refusal(api.get(f"{API}/cities/{nice}/spaces/{world.space['Nice']}", v), 403,
                      "space of another city")
        # a user with no role anywhere is not in the partnership
        check_refusal(api.get(path, sessions["norole"]), 403, "GREEN, no role anywhere")
        shared = api.get(f"{API}/shared", v)
        assert shared.status == 200
        assert naid in [x["id"] for x in shared.json()], shared
        assert naid not in [x["id"] for x in api.get(f"{API}/shared", sessions["norole"]).json()]
        # share_details: the full assessment
        set_sharing(api, oc, nice, naid, "TLP:GREEN", True)
        r = api.get(path, v)
        assert r.status == 200 and r.json()["detail"] == "full", r
        assert DETAIL_KEYS <= set(r.json())
        # CLEAR: every signed-in user, the summary
        set_sharing(api, oc, nice, naid, "TLP:CLEAR")
        r = api.get(path, sessions["norole"])
        assert r.status == 200 and r.json()["detail"] == "summary", r
        check_refusal(api.get(path), 401, "CLEAR, anonymous")
        # back to AMBER: refused again
        set_sharing(api, oc, nice, naid, "TLP:AMBER")
        check_refusal(api.get(path, v), 403, "AMBER again")
        check_refusal(api.get(path, sessions["norole"]), 403, "AMBER again, no role")
    finally:
        set_sharing(api, sessions["admin"], nice, naid, "TLP:AMBER")


def test_red_is_not_for_partners(world, api, sessions):
    mon, maid, msid = world.city["Monaco"], world.aid["Monaco"], world.space["Monaco"]
    path = f"{API}/cities/{mon}/assessments/{maid}"
    c, p, v = sessions["coordinator"], sessions["partner"], sessions["viewer"]
    try:
        set_sharing(api, c, mon, maid, "TLP:RED")
        check_refusal(api.get(path, p), 403, "RED, partner")
        check_refusal(api.get(path + "/plan", p), 403, "RED plan, partner")
        sp = api.get(f"{API}/cities/{mon}/spaces/{msid}", p)
        assert sp.status == 200
        assert maid not in [a["id"] for a in sp.json()["assessments"]], sp
        assert sp.json()["latest_assessment"] != maid
        rep = api.get(f"{API}/cities/{mon}/spaces/{msid}/report?format=html", p)
        assert rep.status == 404, rep
        feats = api.get(f"{API}/cities/{mon}/spaces", p).json()["features"]
        risk = [f["properties"]["risk"] for f in feats if f["properties"]["id"] == msid][0]
        assert risk is None, "the risk of a RED assessment shown to a partner"
        # the city's own staff still sees it
        r = api.get(path, v)
        assert r.status == 200 and r.json()["detail"] == "full", r
        # AMBER: the partner sees it, in full
        set_sharing(api, c, mon, maid, "TLP:AMBER")
        r = api.get(path, p)
        assert r.status == 200 and r.json()["detail"] == "full", r
        assert api.get(path + "/plan", p).status == 200
    finally:
        set_sharing(api, sessions["admin"], mon, maid, "TLP:AMBER")


def test_red_stays_hidden_from_a_partner_assessor(world, api, sessions):
    """A partner with the assessor role starts a new version of a space whose
    assessment is TLP:RED: the new version starts from the RED one's
    answers, which the partner must not get to read that way."""
    mon, sid = world.city["Monaco"], world.spare["Monaco"][6]
    a, c, admin = sessions["assessor"], sessions["coordinator"], sessions["admin"]
    secret = "the side gate has no lock (RED)"
    r = api.request("POST", f"{API}/cities/{mon}/spaces/{sid}/assessments", None, a)
    assert r.status == 201, r
    aid, rev = r.json()["id"], r.json()["rev"]
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}",
                    {"rev": rev, "answers": [{"question": "site.footfall", "answer": 1,
                                              "reason": secret}]}, a)
    assert r.status == 200, r
    set_sharing(api, c, mon, aid, "TLP:RED")
    r = api.request("PUT", f"{API}/cities/{mon}/members/pawn",
                    {"role": "assessor", "partner": True}, admin)
    assert r.status == 200, r
    try:
        pawn = api.must_login("pawn")
        check_refusal(api.get(f"{API}/cities/{mon}/assessments/{aid}", pawn), 403,
                      "RED, partner assessor")
        r = api.request("POST", f"{API}/cities/{mon}/spaces/{sid}/assessments", None, pawn)
        assert r.status in (201, 403), r
        assert secret not in r.text, \
            f"a partner read a TLP:RED assessment by starting a new version of it: {r}"
    finally:
        api.request("PUT", f"{API}/cities/{mon}/members/pawn", {"role": "viewer"}, admin)


def test_assessors_cannot_change_sharing_through_answers(world, api, sessions):
    mon, maid = world.city["Monaco"], world.aid["Monaco"]
    path = f"{API}/cities/{mon}/assessments/{maid}"
    rev = api.get(path, sessions["assessor"]).json()["rev"]
    r = api.request("PUT", path, {"rev": rev, "sharing": "TLP:CLEAR"}, sessions["assessor"])
    check_refusal(r, 403, "an assessor sharing through the answers")
    assert rows(world.db, "SELECT sharing FROM assessments WHERE id = ?", maid)[0][0] == \
        "TLP:AMBER"


def test_session_lists_only_own_cities(api, sessions, world):
    got = {r: sorted(c["name"] for c in api.get(f"{API}/cities", sessions[r]).json())
           for r in sessions}
    assert got["norole"] == []
    assert got["viewer"] == ["Monaco"] and got["othercoord"] == ["Nice"]
    assert got["admin"] == ["Monaco", "Nice"]
    partner = api.get(f"{API}/session", sessions["partner"]).json()
    assert partner["cities"][0]["partner"] is True
    users = api.get(f"{API}/users", sessions["admin"]).json()
    assert all("pw_hash" not in u and "password" not in json.dumps(u) for u in users)
