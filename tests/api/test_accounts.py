# Accounts from the command line (agora user, agora city) and the audit log
# (agora audit) of the changes made there and through the web API.
# SPDX-License-Identifier: EUPL-1.2
import pytest

from agora_api import API, PASSWORD, copy_db, rows


@pytest.fixture
def db(world, tmp_path):
    """A private copy of the world's database (before any server ran)."""
    return copy_db(world.template, tmp_path / "db" / "agora.db")


@pytest.fixture
def pwfile(tmp_path):
    def make(text, name="pw"):
        p = tmp_path / name
        p.write_text(text + "\n")
        return p
    return make


def users(db):
    return [r[0] for r in rows(db, "SELECT name FROM users ORDER BY id")]


def test_user_add_refuses_a_short_password(agora, db, pwfile):
    res = agora("user", "add", "shorty", "--password-file", pwfile("123456789"), "--db", db)
    assert res.rc == 2, res
    assert "10 characters" in res.err, res
    assert "shorty" not in users(db)
    res = agora("user", "add", "shorty", "--password-file", pwfile(""), "--db", db)
    assert res.rc != 0 and res.err.strip(), res
    assert "shorty" not in users(db)


def test_user_add_refuses_a_duplicate_name(agora, db, pwfile):
    before = rows(db, "SELECT id, pw_hash FROM users WHERE name = 'viewer'")
    res = agora("user", "add", "viewer", "--password-file", pwfile(PASSWORD + "-other"),
                "--db", db)
    assert res.rc != 0, res
    assert '"viewer"' in res.err or "viewer" in res.err, res
    assert "exists" in res.err, res
    assert rows(db, "SELECT id, pw_hash FROM users WHERE name = 'viewer'") == before


@pytest.mark.parametrize("name", ["bad name", "a/b", "x" * 64, "' OR 1=1 --", "émile",
                                  "semi;colon", "tab\there", "quote\"d"])
def test_user_add_refuses_a_bad_name(agora, db, pwfile, name):
    n = len(users(db))
    res = agora("user", "add", name, "--password-file", pwfile(PASSWORD), "--db", db)
    assert res.rc == 2, res
    assert "user name" in res.err, res
    assert len(users(db)) == n


def test_user_add_takes_the_password_from_stdin(agora, db):
    name = "n" * 63  # the longest name
    res = agora("user", "add", name, "--display-name", "' OR 1=1 --", "--db", db,
                stdin=PASSWORD + "\n")
    assert res.rc == 0, res
    h, disp = rows(db, "SELECT pw_hash, display_name FROM users WHERE name = ?", name)[0]
    assert h.startswith("$argon2id$") and disp == "' OR 1=1 --"


def test_city_grant_refuses_a_bad_role(agora, db):
    before = rows(db, "SELECT * FROM grants ORDER BY user_id, city_id")
    for role in ("boss", "admin", "Viewer", ""):
        res = agora("city", "grant", "Monaco", "pawn", "--role", role, "--db", db)
        assert res.rc == 2, res
        assert "viewer, assessor or coordinator" in res.err, res
    res = agora("city", "grant", "Monaco", "pawn", "--db", db)
    assert res.rc == 2, res
    res = agora("city", "grant", "Atlantis", "pawn", "--role", "viewer", "--db", db)
    assert res.rc != 0 and "Atlantis" in res.err, res
    res = agora("city", "grant", "Monaco", "nobody-here", "--role", "viewer", "--db", db)
    assert res.rc != 0 and "nobody-here" in res.err, res
    assert rows(db, "SELECT * FROM grants ORDER BY user_id, city_id") == before


def test_user_passwd_takes_a_password_file(agora, db, pwfile):
    """`agora user passwd NAME [--password-file FILE]`, as its help says."""
    before = rows(db, "SELECT pw_hash FROM users WHERE name = 'pawn'")[0][0]
    res = agora("user", "passwd", "pawn", "--password-file", pwfile("another-password-2"),
                "--db", db)
    assert res.rc == 0, res
    after = rows(db, "SELECT pw_hash FROM users WHERE name = 'pawn'")[0][0]
    assert after != before and after.startswith("$argon2id$")
    res = agora("user", "passwd", "pawn", "--password-file", pwfile("short"), "--db", db)
    assert res.rc == 2 and "10 characters" in res.err, res
    res = agora("user", "passwd", "nobody-here", "--password-file",
                pwfile("another-password-2"), "--db", db)
    assert res.rc != 0 and "nobody-here" in res.err, res


def test_cli_changes_apply_to_a_running_server(agora, db, start_server, pwfile):
    """A new password ends the user's sessions; a revoked role ends the
    access, at the next request."""
    srv = start_server(db=db)
    api = srv.api
    mon = rows(db, "SELECT id FROM cities WHERE name = 'Monaco'")[0][0]
    v, p = api.must_login("viewer"), api.must_login("partner")
    assert api.get(f"{API}/cities/{mon}", v).status == 200
    res = agora("user", "passwd", "viewer", "--db", db, stdin="a-new-password-1\n")
    assert res.rc == 0, res
    assert api.get(f"{API}/session", v).status == 401, "a session outlived the password"
    assert api.login("viewer")[0] is None
    assert api.login("viewer", "a-new-password-1")[0] is not None
    res = agora("city", "revoke", "Monaco", "partner", "--db", db)
    assert res.rc == 0, res
    r = api.get(f"{API}/cities/{mon}", p)
    assert r.status == 403 and r.body == b'{"error":"forbidden"}', r
    assert api.get(f"{API}/cities", p).json() == []


def audit_lines(agora, db, *args):
    res = agora("audit", "--db", db, "--limit", "10000", *args)
    assert res.rc == 0, res
    return res.out.splitlines()


def test_audit_lists_grants_and_web_changes(agora, db, start_server, world):
    srv = start_server(db=db)
    api = srv.api
    mon, aid = world.city["Monaco"], world.aid["Monaco"]
    c, a, adm = api.must_login("coordinator"), api.must_login("assessor"), api.must_login("admin")
    r = api.request("PUT", f"{API}/cities/{mon}/members/pawn", {"role": "assessor"}, c)
    assert r.status == 200, r
    rev = api.get(f"{API}/cities/{mon}/assessments/{aid}", a).json()["rev"]
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}",
                    {"rev": rev, "answers": [{"question": "site.footfall", "answer": 1}]}, a)
    assert r.status == 200, r
    r = api.request("PUT", f"{API}/cities/{mon}/assessments/{aid}/sharing",
                    {"sharing": "TLP:GREEN"}, c)
    assert r.status == 200, r
    r = api.request("POST", f"{API}/users", {"name": "webmade", "password": PASSWORD}, adm)
    assert r.status == 201, r
    r = api.request("DELETE", f"{API}/cities/{mon}/members/pawn", None, c)
    assert r.status == 204, r
    # the city's log through the API, newest first
    log = api.get(f"{API}/cities/{mon}/audit", c)
    assert log.status == 200
    acts = [(x["who"], x["action"]) for x in log.json()]
    assert acts[:4] == [("coordinator", "revoke"), ("coordinator", "assessment.sharing"),
                        ("assessor", "assessment.answer"), ("coordinator", "grant")], acts
    srv.check_stop()

    lines = audit_lines(agora, db)

    def has(who, action, *words):
        return any(ln.split()[1:3] == [who, action] and all(w in ln for w in words)
                   for ln in lines)

    # the grants made on the command line while setting up
    for u, role in (("viewer", "viewer"), ("assessor", "assessor"),
                    ("coordinator", "coordinator"), ("othercoord", "coordinator")):
        assert has("cli:api-tests", "grant", u, role), (u, lines)
    assert has("cli:api-tests", "user.add", "admin", "administrator"), lines
    # and the changes through the web
    assert has("coordinator", "grant", "pawn", "assessor"), lines
    assert has("coordinator", "revoke", "pawn"), lines
    assert has("assessor", "assessment.answer", f"assessment {aid}"), lines
    assert has("coordinator", "assessment.sharing", f"assessment {aid}", "TLP:GREEN"), lines
    assert has("admin", "user.add", "webmade"), lines
    assert has("assessor", "session.login"), lines
    # newest first
    assert lines[0].split()[1:3] == ["coordinator", "revoke"], lines[:3]
    # a city's own: not the other city's grants
    monaco = audit_lines(agora, db, "--city", "Monaco")
    assert any("assessment.sharing" in ln for ln in monaco)
    assert not any("othercoord" in ln for ln in monaco), monaco


def test_audit_grant_lines_name_the_city(agora, db):
    """pawn is viewer in Monaco and in Nice: the two grant lines of
    `agora audit` must say which city each is for."""
    lines = [ln for ln in audit_lines(agora, db) if " grant " in ln and "pawn" in ln]
    assert len(lines) == 2, lines
    assert any("Monaco" in ln for ln in lines) and any("Nice" in ln for ln in lines), \
        f"the grant lines do not say in which city: {lines}"
