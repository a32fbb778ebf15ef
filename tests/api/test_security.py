# Security of the web API: SQL injection strings in every text field,
# script payloads kept inert, CSRF, session fixation, cookies, oversized
# and malformed bodies, path traversal on static files, sign-in rate
# limiting, what the database keeps of passwords and sessions.
# SPDX-License-Identifier: EUPL-1.2
import hashlib
import html
import http.client
import json
import socket
import sqlite3
import time
import urllib.parse

import pytest

from agora_api import API, PASSWORD, cookie_of, rows

SQLI = [
    "' OR 1=1 --",
    "\"; DROP TABLE users; --",
    "admin'--",
    "x'); DELETE FROM sessions; --",
    "' UNION SELECT pw_hash FROM users --",
    "1; UPDATE users SET admin = 1",
]
XSS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</textarea><svg onload=alert(1)>",
    "javascript:alert(1)//'\"",
]
TABLES = {"cities", "spaces", "users", "grants", "sessions", "audit", "assessments",
          "assessment_log"}
MIB = 1 << 20


def tables(db):
    return {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def assert_db_intact(db, users_at_least):
    assert TABLES <= tables(db)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT count(*) FROM users")[0][0] >= users_at_least
    assert rows(db, "SELECT count(*) FROM cities")[0][0] == 2
    assert rows(db, "SELECT count(*) FROM users WHERE admin = 1")[0][0] == 1


def no_500(r, what):
    assert r.status < 500, f"{what}: {r}"
    assert r.header("Content-Type") == "application/json", what
    assert "error" in r.json() or r.status < 400


# ---------- SQL injection ----------

def test_sql_injection_in_sign_in(world, start_server):
    """On a server of its own: these are failed sign-ins, counted per client."""
    srv = start_server()
    api = srv.api
    users_before = rows(srv.db, "SELECT count(*) FROM users")[0][0]
    names = ["viewer", "assessor", "coordinator", "partner", "norole", "pawn"]
    for p in SQLI:
        r = api.request("POST", f"{API}/session", {"user": p, "password": PASSWORD})
        assert r.status == 401, f"user {p!r}: {r}"
        assert not r.headers_all("Set-Cookie")
    for p, name in zip(SQLI, names):
        r = api.request("POST", f"{API}/session", {"user": name, "password": p})
        assert r.status == 401, f"password {p!r}: {r}"
    # the classic bypass: a name that comments out the password check
    r = api.request("POST", f"{API}/session", {"user": "admin' --", "password": "x"})
    assert r.status == 401, r
    assert_db_intact(srv.db, users_before)
    assert rows(srv.db, "SELECT count(*) FROM users")[0][0] == users_before
    s, r = api.login("admin")
    assert s is not None, f"the admin cannot sign in after the attempts: {r}"


def test_sql_injection_in_accounts(world, api, sessions):
    admin = sessions["admin"]
    before = rows(world.db, "SELECT count(*) FROM users")[0][0]
    for p in SQLI + XSS:
        r = api.request("POST", f"{API}/users", {"name": p, "password": PASSWORD}, admin)
        assert r.status == 400, f"name {p!r}: {r}"
        assert "name" in r.json()["error"]
    made = []
    for i in range(3):
        name = f"inject{i}"
        disp, org = SQLI[2 * i], SQLI[2 * i + 1] + " " + XSS[i]
        r = api.request("POST", f"{API}/users", {"name": name, "password": PASSWORD,
                                                 "display_name": disp, "organisation": org},
                        admin)
        assert r.status == 201, r
        assert r.json()["display_name"] == disp and r.json()["organisation"] == org
        made.append((name, disp, org))
    listed = {u["name"]: u for u in api.get(f"{API}/users", admin).json()}
    for name, disp, org in made:
        assert listed[name]["display_name"] == disp
        assert listed[name]["organisation"] == org
        assert rows(world.db, "SELECT display_name, organisation, admin FROM users "
                              "WHERE name = ?", name) == [(disp, org, 0)]
    assert rows(world.db, "SELECT count(*) FROM users")[0][0] == before + 3
    assert_db_intact(world.db, before + 3)


def test_sql_injection_in_member_names(world, api, sessions):
    mon = world.city["Monaco"]
    c = sessions["coordinator"]
    grants = rows(world.db, "SELECT * FROM grants ORDER BY user_id, city_id")
    for p in SQLI + ["1--", "a.b@c-d", "x" * 200]:
        q = urllib.parse.quote(p, safe="")
        for method, body in (("PUT", {"role": "viewer"}), ("DELETE", None)):
            r = api.request(method, f"{API}/cities/{mon}/members/{q}", body, c)
            no_500(r, f"{method} members/{p!r}")
            assert r.status in (400, 404), f"{method} members/{p!r}: {r}"
    assert rows(world.db, "SELECT * FROM grants ORDER BY user_id, city_id") == grants


def test_sql_injection_in_query_and_path(world, api, sessions):
    mon, aid, sid = world.city["Monaco"], world.aid["Monaco"], world.space["Monaco"]
    v, c = sessions["viewer"], sessions["coordinator"]
    for p in SQLI:
        q = urllib.parse.quote(p, safe="")
        for path, s, ok in [
            (f"{API}/catalogue?lang={q}", v, (200,)),
            (f"{API}/cities/{mon}/assessments/{aid}?lang={q}", v, (200,)),
            (f"{API}/cities/{mon}/assessments/{aid}/plan?budget={q}", v, (400,)),
            (f"{API}/cities/{mon}/spaces/{sid}/report?format={q}", v, (400,)),
            (f"{API}/cities/{mon}/audit?limit={q}", c, (400,)),
            (f"{API}/i18n/{q}", None, (404,)),
            (f"{API}/cities/{q}", v, (404,)),
            (f"{API}/cities/{mon}/assessments/{q}", v, (404,)),
        ]:
            r = api.get(path, s)
            no_500(r, path)
            assert r.status in ok, f"{path}: {r}"
    assert_db_intact(world.db, 1)


@pytest.fixture(scope="module")
def injected(world, api, sessions):
    """An assessment of a space of its own, its assessor and reasons made of
    SQL and script payloads, through the API."""
    mon, sid = world.city["Monaco"], world.spare["Monaco"][1]
    a = sessions["assessor"]
    r = api.request("POST", f"{API}/cities/{mon}/spaces/{sid}/assessments",
                    {"assessor": SQLI[0]}, a)
    assert r.status == 201, r
    doc = r.json()
    assert doc["assessor"] == SQLI[0]
    # the report shows the reason of an answer that overrides a computed
    # one: the first script payload goes there
    qs = [q["question"] for q in doc["answers"] if q["computed"] is not None]
    assert qs, "no computed answer to override"
    qs += [q["question"] for q in doc["answers"] if q["question"] not in qs]
    answers = [{"question": q, "answer": 2, "reason": p} for q, p in zip(qs, XSS + SQLI)]
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{doc['id']}",
                    {"rev": doc["rev"], "answers": answers, "assessor": XSS[1]}, a)
    assert r.status == 200, r
    return dict(city=mon, space=sid, aid=doc["id"], answers=answers, assessor=XSS[1],
                response=r)


def test_text_fields_stored_verbatim(world, api, sessions, injected):
    r = api.get(f"{API}/cities/{injected['city']}/assessments/{injected['aid']}",
                sessions["viewer"])
    assert r.status == 200
    got = {a["question"]: a for a in r.json()["answers"]}
    for want in injected["answers"]:
        assert got[want["question"]]["reason"] == want["reason"]
        assert got[want["question"]]["answer"] == 2
    assert r.json()["assessor"] == injected["assessor"]
    doc, assessor = rows(world.db, "SELECT doc, assessor FROM assessments WHERE id = ?",
                         injected["aid"])[0]
    stored = json.loads(doc)["answers"]
    for want in injected["answers"]:
        assert stored[want["question"]]["reason"] == want["reason"]
    assert assessor == injected["assessor"]
    assert_db_intact(world.db, 1)


def test_script_payloads_come_back_as_json(world, api, sessions, injected):
    r = api.get(f"{API}/cities/{injected['city']}/assessments/{injected['aid']}",
                sessions["viewer"])
    assert r.header("Content-Type") == "application/json"
    assert r.header("X-Content-Type-Options") == "nosniff"
    csp = r.header("Content-Security-Policy")
    assert csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    scripts = [d for d in csp.split(";") if d.split()[0] in ("script-src", "default-src")]
    assert not any("'unsafe-inline'" in d or "'unsafe-eval'" in d for d in scripts), csp
    reasons = {a["reason"] for a in r.json()["answers"]}
    for p in XSS:
        assert p in reasons
    # the list of the space, the summary in /spaces: JSON too
    for path in (f"{API}/cities/{injected['city']}/spaces/{injected['space']}",
                 f"{API}/cities/{injected['city']}/spaces"):
        x = api.get(path, sessions["viewer"])
        assert x.status == 200 and x.header("Content-Type") == "application/json"
        x.json()


def test_html_report_escapes_payloads(world, api, sessions, injected):
    r = api.get(f"{API}/cities/{injected['city']}/spaces/{injected['space']}/report"
                "?format=html&lang=en", sessions["viewer"])
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/html")
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Content-Security-Policy")
    assert (r.header("Content-Disposition") or "").startswith("attachment")
    page = r.text
    for p in XSS[:3]:
        assert p not in page, f"{p!r} appears unescaped in the report"
    for live in ("<script>alert", "<img src=x", "<svg onload"):
        assert live not in page
    # the payloads are there, as text
    assert html.escape("<script>alert(1)</script>", quote=False) in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_security_headers_everywhere(api, sessions):
    for path, s in [(f"{API}/health", None), (f"{API}/session", None),
                    (f"{API}/session", sessions["viewer"]), ("/", None), ("/nope.js", None)]:
        r = api.get(path, s)
        assert r.header("X-Content-Type-Options") == "nosniff", path
        assert r.header("Content-Security-Policy"), path
        assert r.header("X-Frame-Options") == "DENY", path
        if path.startswith(API):
            assert r.header("Cache-Control") == "no-store", path
    assert api.get("/").header("Content-Type").startswith("text/html")


# ---------- CSRF ----------

def test_state_changes_need_the_csrf_token(world, api, sessions):
    mon, aid = world.city["Monaco"], world.aid["Monaco"]
    c, admin = sessions["coordinator"], sessions["admin"]
    other = sessions["assessor"].csrf  # a real token, of someone else's session
    rev = api.get(f"{API}/cities/{mon}/assessments/{aid}", c).json()["rev"]
    snapshot_sql = [
        ("SELECT rev, sharing, share_details, doc FROM assessments ORDER BY id", ()),
        ("SELECT user_id, city_id, role, partner FROM grants ORDER BY user_id, city_id", ()),
        ("SELECT name, lang, display_name FROM users ORDER BY id", ()),
        ("SELECT count(*) FROM sessions", ()),
    ]

    def snapshot():
        return [rows(world.db, q, *p) for q, p in snapshot_sql]

    before = snapshot()
    calls = [
        ("PUT", f"{API}/session/lang", {"lang": "fr"}, c),
        ("PUT", f"{API}/cities/{mon}/assessments/{aid}",
         {"rev": rev, "answers": [{"question": "site.footfall", "answer": 1}]}, c),
        ("PUT", f"{API}/cities/{mon}/assessments/{aid}/sharing", {"sharing": "TLP:CLEAR"}, c),
        ("PUT", f"{API}/cities/{mon}/members/pawn", {"role": "assessor"}, c),
        ("DELETE", f"{API}/cities/{mon}/members/pawn", None, c),
        ("POST", f"{API}/cities/{mon}/spaces/{world.spare['Monaco'][2]}/assessments", None, c),
        ("POST", f"{API}/users", {"name": "csrfvictim", "password": PASSWORD}, admin),
        ("DELETE", f"{API}/session", None, c),
    ]
    for method, path, body, s in calls:
        for token in (None, "", "x" * 43, s.csrf[:-1], s.csrf + "x", other):
            r = api.request(method, path, body, s, csrf=token if token else False,
                            headers={"X-CSRF-Token": token} if token == "" else None)
            assert r.status == 403, f"{method} {path} with CSRF token {token!r}: {r}"
            assert "CSRF" in r.json()["error"]
    assert snapshot() == before, "a request refused for its CSRF token changed something"
    assert api.get(f"{API}/session", c).status == 200
    # the token without the cookie is no session
    r = api.request("PUT", f"{API}/session/lang", {"lang": "fr"}, csrf=c.csrf)
    assert r.status == 401


# ---------- sessions ----------

def test_session_cookie_attributes(api):
    s, r = api.login("viewer")
    assert s is not None, r
    raw = [h for h in r.headers_all("Set-Cookie") if h.startswith("agora_session=")]
    assert len(raw) == 1
    attrs = [a.strip().lower() for a in raw[0].split(";")[1:]]
    assert "httponly" in attrs
    assert "samesite=strict" in attrs
    assert "path=/" in attrs
    assert not any(a.startswith("domain") for a in attrs)
    m = cookie_of(r)
    assert 0 < int(m["max-age"]) <= 7 * 24 * 3600
    assert len(s.token) >= 43 and s.csrf and s.csrf != s.token
    assert s.token not in r.text, "the session token is in the body (readable by scripts)"


def test_session_fixation(api):
    # a made-up value brought to sign-in
    planted = "F" * 43
    s, r = api.login("viewer", cookie=f"agora_session={planted}")
    assert s is not None, r
    assert s.token != planted
    assert api.get(f"{API}/session", cookie=f"agora_session={planted}").status == 401
    # an attacker's real session planted on the victim's browser
    attacker = api.must_login("norole")
    victim, r = api.login("assessor", cookie=attacker.cookie())
    assert victim is not None, r
    assert victim.token != attacker.token
    assert api.get(f"{API}/session", victim).json()["user"]["name"] == "assessor"
    r = api.get(f"{API}/session", attacker)
    assert r.status == 401, f"the cookie brought to sign-in still works: {r}"


def test_sign_out_ends_the_session(api):
    s = api.must_login("viewer")
    assert api.get(f"{API}/session", s).status == 200
    r = api.request("DELETE", f"{API}/session", None, s)
    assert r.status == 204, r
    m = cookie_of(r)
    assert m is not None and m.value == "" and m["max-age"] == "0"
    for path in (f"{API}/session", f"{API}/cities"):
        assert api.get(path, s).status == 401
    assert api.request("DELETE", f"{API}/session", None, s).status == 401


def test_sign_in_takes_the_whole_name(world, api, sessions):
    """A user name longer than any account's is no account's, even when it
    begins with one."""
    long = "l" * 63  # the longest name there may be
    r = api.request("POST", f"{API}/users", {"name": long, "password": PASSWORD},
                    sessions["admin"])
    assert r.status == 201, r
    assert api.login(long)[0] is not None
    for name in (long + "x", long + "-anything-after", long + "l" * 100):
        s, r = api.login(name)
        assert s is None and r.status == 401, \
            f"signing in as {name!r} opened a session of {long!r}: {r}"


def test_session_expiry(start_server):
    """12 h without a request or 7 days after sign-in: the session is over.
    (The database is changed behind the server's back to age the session;
    the token's row is found by its BLAKE2b-256 hash.)"""
    srv = start_server()
    api = srv.api
    now = int(time.time())

    def age(session, **cols):
        h = hashlib.blake2b(session.token.encode(), digest_size=32).digest()
        con = sqlite3.connect(srv.db, timeout=10)
        try:
            sets = ", ".join(f"{k} = ?" for k in cols)
            n = con.execute(f"UPDATE sessions SET {sets} WHERE token_hash = ?",
                            (*cols.values(), h)).rowcount
            con.commit()
        finally:
            con.close()
        assert n == 1, "no session row under the BLAKE2b hash of the token"

    def last_seen(session):
        h = hashlib.blake2b(session.token.encode(), digest_size=32).digest()
        return rows(srv.db, "SELECT last_seen FROM sessions WHERE token_hash = ?", h)[0][0]

    active, idle, old = (api.must_login(n) for n in ("viewer", "assessor", "coordinator"))
    # in use an hour ago: alive, and its last use moves on
    age(active, last_seen=now - 3600)
    assert api.get(f"{API}/session", active).status == 200
    assert last_seen(active) >= now
    # idle 12 h and more
    age(idle, last_seen=now - 12 * 3600 - 60)
    r = api.get(f"{API}/session", idle)
    assert r.status == 401 and set(r.json()) == {"error"}, r
    # past its 7 days, though used a minute ago
    age(old, created_at=now - 7 * 24 * 3600 - 60, expires_at=now - 60, last_seen=now - 60)
    assert api.get(f"{API}/session", old).status == 401
    assert api.request("PUT", f"{API}/session/lang", {"lang": "fr"}, old).status == 401


def test_failed_sign_in_names_cannot_forge_audit_lines(start_server, agora):
    """The name of a failed sign-in is written to the audit log; a name with
    a line break or terminal escapes must not come out of `agora audit` as a
    line of its own or as escape sequences."""
    srv = start_server()
    # within the 63 bytes of a user name
    evil = "m\n2030-01-01T00:00:00Z  admin  grant  x: coordinator\u001b[2J"
    assert len(evil.encode()) <= 63
    r = srv.api.request("POST", f"{API}/session", {"user": evil, "password": "whatever"})
    assert r.status in (400, 401), r
    srv.check_stop()
    res = agora("audit", "--db", srv.db, "--limit", "100000")
    assert res.rc == 0, res
    forged = [ln for ln in res.out.splitlines() if ln.startswith("2030-01-01")]
    assert not forged, f"a failed sign-in forged an audit line: {forged}"
    assert "\x1b" not in res.out, "agora audit prints terminal escapes of a sign-in name"


def test_db_keeps_no_password_nor_token(world, api, sessions):
    hashes = rows(world.db, "SELECT name, pw_hash FROM users")
    assert hashes
    for name, h in hashes:
        assert h.startswith("$argon2id$"), f"{name}: {h[:20]}"
        assert PASSWORD not in h
    assert len({h for _, h in hashes}) == len(hashes), "salted hashes are all different"
    s = api.must_login("viewer")
    stored = rows(world.db, "SELECT token_hash FROM sessions")
    assert all(isinstance(t, bytes) and len(t) == 32 for (t,) in stored)
    assert hashlib.blake2b(s.token.encode(), digest_size=32).digest() in {t for (t,) in stored}
    data = b""
    for ext in ("", "-wal"):
        try:
            with open(f"{world.db}{ext}", "rb") as f:
                data += f.read()
        except FileNotFoundError:
            pass
    for sess in list(sessions.values()) + [s]:
        assert sess.token.encode() not in data, f"{sess.name}'s session token is in the database"
    assert PASSWORD.encode() not in data


# ---------- bodies ----------

def raw_exchange(port, head, chunks=(), timeout=60):
    """Sends head (bytes) then each chunk; returns the response."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.sendall(head)
        try:
            for c in chunks:
                sock.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return resp.status, resp.read(), resp.headers
    finally:
        sock.close()


def head_of(method, path, session, extra):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Cookie: {session.cookie()}",
             f"X-CSRF-Token: {session.csrf}", "Content-Type: application/json"] + extra
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def padded(total):
    """A JSON object of exactly total bytes, valid for PUT /session/lang."""
    start, end = b'{"lang":"en","pad":"', b'"}'
    return start + b"x" * (total - len(start) - len(end)) + end


def test_oversized_bodies(server, sessions, api):
    s = sessions["viewer"]
    path = f"{API}/session/lang"
    # just at the limit: read and answered
    r = api.request("PUT", path, padded(MIB), s)
    assert r.status == 200, r
    # over it, announced by Content-Length: refused before it is read
    status, body, _ = raw_exchange(server.port, head_of("PUT", path, s,
                                                        [f"Content-Length: {2 * MIB}"]))
    assert status == 413, body
    assert "error" in json.loads(body)
    status, body, _ = raw_exchange(server.port, head_of("PUT", path, s,
                                                        [f"Content-Length: {MIB + 1}"]),
                                   [padded(MIB + 1)])
    assert status == 413, body
    # chunked, without Content-Length
    big = padded(MIB + 4096)
    chunks = [b"%x\r\n%s\r\n" % (len(big[i:i + 65536]), big[i:i + 65536])
              for i in range(0, len(big), 65536)] + [b"0\r\n\r\n"]
    status, body, _ = raw_exchange(server.port, head_of("PUT", path, s,
                                                        ["Transfer-Encoding: chunked"]), chunks)
    assert status == 413, body
    # a small chunked body is fine
    small = b'{"lang":"en"}'
    status, body, _ = raw_exchange(server.port,
                                   head_of("PUT", path, s, ["Transfer-Encoding: chunked"]),
                                   [b"%x\r\n%s\r\n0\r\n\r\n" % (len(small), small)])
    assert status == 200, body
    # the server is still there
    assert api.get(f"{API}/health").status == 200


@pytest.mark.parametrize("body,words", [
    (b'{"lang": "en",\n  "x": }', ["line 2", "column"]),
    (b'{"lang": "en"', ["line 1", "column"]),
    (b'{"lang": \'fr\'}', ["line 1", "column"]),
    (b'', ["line", "column"]),
    (b'\xff\xfe{"lang": "en"}', ["line", "column"]),
    (b'[{"lang": "en"}]', ["object"]),
    (b'"en"', ["line", "column"]),
    (b'{"lang": "en", "lang": "fr"}', ["line", "column"]),
    (b'{"lang": 5}', ["lang"]),
    (b'{"lang": "en\\u0000fr"}', ["line", "column"]),
    (b'{"lang": "klingon"}', ["lang"]),
])
def test_malformed_json(api, sessions, body, words):
    r = api.request("PUT", f"{API}/session/lang", body, sessions["viewer"])
    assert r.status == 400, r
    msg = r.json()["error"]
    for w in words:
        assert w in msg, f"{msg!r} does not say {w!r}"


def test_malformed_json_elsewhere(world, api, sessions):
    mon, aid = world.city["Monaco"], world.aid["Monaco"]
    a = sessions["assessor"]
    r = api.request("POST", f"{API}/session", b'{"user": "viewer",\n"password": }')
    assert r.status == 400 and "line 2" in r.json()["error"], r
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}", {"answers": []}, a)
    assert r.status == 400 and "rev" in r.json()["error"], r
    rev = api.get(f"{API}/cities/{mon}/assessments/{aid}", a).json()["rev"]
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}",
                    {"rev": rev, "answers": [{"question": "site.footfall", "answer": 9}]}, a)
    assert r.status == 400 and "site.footfall" in r.json()["error"], r
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}",
                    {"rev": rev, "answers": [{"question": "no.such", "answer": 1}]}, a)
    assert r.status == 400 and "no.such" in r.json()["error"], r
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}", {"rev": rev, "bogus": 1}, a)
    assert r.status == 400 and "bogus" in r.json()["error"], r
    assert api.get(f"{API}/cities/{mon}/assessments/{aid}", a).json()["rev"] == rev


# ---------- static files ----------

TRAVERSALS = [
    "/../etc/passwd",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2fetc/passwd",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/vendor/leaflet/../../package.json",
    "/vendor/leaflet/..%2f..%2f..%2fpackage.json",
    "/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/package.json",
    "/.git/config",
    "/%2egit/config",
    "/web/../.git/config",
    "/index.html%00.js",
    "/index.html%00",
    "//etc/passwd",
    "/..\\..\\etc\\passwd",
    "/vendor/leaflet/../../../../../../etc/passwd",
]
SECRETS = [b"root:x:0:0", b"root:", b"[core]", b'"name":', b"repositoryformatversion"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_path_traversal(server, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", "127.0.0.1")
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    assert r.status != 200, f"GET {path}: 200, {len(body)} bytes: {body[:200]!r}"
    for s in SECRETS:
        assert s not in body, f"GET {path}: the response holds {s!r}"
    assert r.status < 500


def test_static_files_are_served(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/index.html")
    r = conn.getresponse()
    body = r.read()
    conn.close()
    assert r.status == 200 and b"<html" in body.lower()
    assert r.getheader("X-Content-Type-Options") == "nosniff"


# ---------- sign-in rate limiting ----------

def test_sign_in_rate_limit_per_name(start_server):
    api = start_server().api
    for i in range(5):
        r = api.request("POST", f"{API}/session", {"user": "viewer", "password": f"wrong{i}"})
        assert r.status == 401, f"attempt {i + 1}: {r}"
    # the sixth, even with the right password
    r = api.request("POST", f"{API}/session", {"user": "viewer", "password": PASSWORD})
    assert r.status == 429, r
    wait = r.header("Retry-After")
    assert wait and wait.isdigit() and 0 < int(wait) <= 600, wait
    assert not r.headers_all("Set-Cookie")
    assert set(r.json()) == {"error"}
    # another name from the same client is not blocked
    s, r = api.login("assessor")
    assert s is not None, r


def test_sign_in_rate_limit_per_client(start_server):
    api = start_server().api
    for i in range(20):
        r = api.request("POST", f"{API}/session", {"user": f"nobody{i}", "password": "wrong"})
        assert r.status == 401, f"attempt {i + 1}: {r}"
    r = api.request("POST", f"{API}/session", {"user": "viewer", "password": PASSWORD})
    assert r.status == 429, r
    assert r.header("Retry-After") and int(r.header("Retry-After")) > 0
