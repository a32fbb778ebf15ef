# End-to-end tests of the web API (agora serve): shared fixtures.
# SPDX-License-Identifier: EUPL-1.2
#
# The binary under test is $AGORA (the Makefile sets it to build/debug/agora,
# built with AddressSanitizer and UBSan); without $AGORA the debug build of
# this tree is used, as in tests/cli. Only the standard library and pytest.
#
# One world per session (building it costs two imports of the demo city and
# an argon2id hash per account):
#   world      .db (the database the main server serves), .template (a copy
#              taken before the server started: fresh servers run on copies
#              of it), .city / .space / .aid / .spare (ids per city name),
#              .password, .users. .spare[city] lists other spaces, for tests
#              that make assessments of their own on the main server: [0] the
#              matrix, [1] test_security's payloads, [2] the CSRF test, [3] to
#              [5] test_concurrency, [6] the partner-assessor test
#   server     the main server on world.db (stopped with SIGTERM at the end of
#              the session: exit code 0 and no sanitizer report, or an error)
#   sessions   one signed-in Session per role (ROLES, less "anonymous")
#   api        an Api client of the main server
#   start_server(db=None, threads=None): another server, on a copy of the
#              template (or on db); stopped at the end of the test
#   agora      run the command: agora(*args) -> Result(rc, out, err)
#   db_rows    db_rows(db, sql, *params): rows, read-only
import re
from types import SimpleNamespace

import pytest

from agora_api import (ANSWERS, CITIES, EXTRA_USERS, MONACO_PBF, PASSWORD, ROLE_IN, ROLES,
                       TARGET, Agora, Server, agora_binary, agora_env, copy_db, rows)


@pytest.fixture(scope="session")
def agora(tmp_path_factory):
    return Agora(agora_binary(), agora_env(), tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def db_rows():
    return rows


# ---------- the world ----------

@pytest.fixture(scope="session")
def world(agora, tmp_path_factory):
    d = tmp_path_factory.mktemp("world")
    db = d / "agora.db"
    for city in CITIES:
        agora.ok("import", MONACO_PBF, "--db", db, "--city", city)
    agora.ok("vehicle", "--all", "--db", db, "--city", "Monaco")
    aid = {}
    for city in CITIES:
        res = agora.ok("assess", "new", TARGET, "--db", db, "--city", city)
        aid[city] = int(re.search(r"Assessment (\d+):", res.out).group(1))
        agora.ok("assess", "answer", aid[city], "--file", ANSWERS, "--db", db, "--city", city)
    pwfile = d / "password"
    pwfile.write_text(PASSWORD + "\n")
    users = [r for r in ROLES if r != "anonymous"] + list(EXTRA_USERS)
    grants = {r: ROLE_IN[r] for r in ROLES if r != "anonymous"}
    grants.update(EXTRA_USERS)
    for u in users:
        extra = ["--admin"] if u == "admin" else []
        agora.ok("user", "add", u, "--password-file", pwfile, "--display-name", f"The {u}",
                 "--organisation", "Police municipale" if u == "partner" else "City", *extra,
                 "--db", db)
        if u == "admin":
            continue
        for city, role in grants[u].items():
            if role != "none":
                agora.ok("city", "grant", city, u, "--role", role,
                         *(["--partner"] if u == "partner" else []), "--db", db)
    city = dict(rows(db, "SELECT name, id FROM cities"))
    space, spare = {}, {}
    for name in CITIES:
        space[name] = rows(db, "SELECT id FROM spaces WHERE city_id = ? AND osm_type = 'way' "
                               "AND osm_id = 4227203", city[name])[0][0]
        # other named spaces of the city, for tests that make assessments of
        # their own without touching Place d'Armes
        spare[name] = [r[0] for r in rows(
            db, "SELECT id FROM spaces WHERE city_id = ? AND id != ? AND name IS NOT NULL "
                "ORDER BY id LIMIT 8", city[name], space[name])]
    template = copy_db(db, d / "template" / "agora.db")
    return SimpleNamespace(dir=d, db=db, template=template, city=city, space=space,
                           spare=spare, aid=aid, password=PASSWORD, users=users)


@pytest.fixture(scope="session")
def server(world, agora):
    s = Server(agora.binary, agora.env, world.db, world.dir)
    yield s
    s.check_stop()


@pytest.fixture(scope="session")
def api(server):
    return server.api


@pytest.fixture(scope="session")
def sessions(api):
    """One session per role, signed in once for the whole run."""
    return {r: api.must_login(r) for r in ROLES if r != "anonymous"}


@pytest.fixture
def start_server(world, agora, tmp_path):
    """start_server(db=None, threads=None) -> Server on a copy of the template
    (or on db); every server still running is stopped (and checked) after
    the test."""
    started = []

    def start(db=None, threads=None):
        n = len(started)
        if db is None:
            db = copy_db(world.template, tmp_path / f"server{n}" / "agora.db")
        wd = tmp_path / f"server{n}-run"
        wd.mkdir(exist_ok=True)
        s = Server(agora.binary, agora.env, db, wd, threads)
        started.append(s)
        return s

    yield start
    for s in started:
        s.check_stop()
