# Helpers of the web API tests (tests/api): the command, an HTTP client,
# servers, database reads. The fixtures are in conftest.py.
# SPDX-License-Identifier: EUPL-1.2
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
MONACO_PBF = DEMO / "monaco.osm.pbf"
ANSWERS = DEMO / "place-darmes-assessment.json"
TARGET = "way/4227203"  # Place d'Armes, the space every test assesses
API = "/api/v1"

# The same values as the Makefile exports.
SANITIZER_ENV = {
    "LSAN_OPTIONS": f"suppressions={REPO}/tests/sanitizers/lsan.supp:print_suppressions=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}
SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer"
)

CITIES = ("Monaco", "Nice")  # Nice: the demo file imported a second time
PASSWORD = "correct-horse-battery"

# Who takes part, and their role per city ("none": no grant). The user name
# of each role is the role's name.
ROLES = ("anonymous", "norole", "viewer", "assessor", "coordinator", "partner", "othercoord",
         "admin")
ROLE_IN = {
    "anonymous": {"Monaco": "none", "Nice": "none"},
    "norole": {"Monaco": "none", "Nice": "none"},
    "viewer": {"Monaco": "viewer", "Nice": "none"},
    "assessor": {"Monaco": "assessor", "Nice": "none"},
    "coordinator": {"Monaco": "coordinator", "Nice": "none"},
    "partner": {"Monaco": "viewer", "Nice": "none"},  # a partner organisation
    "othercoord": {"Monaco": "none", "Nice": "coordinator"},
    "admin": {"Monaco": "coordinator", "Nice": "coordinator"},
}
# Accounts besides the roles: pawn (the target of the member routes, viewer
# in both cities) and coord2 (a second coordinator of Monaco).
EXTRA_USERS = {"pawn": {"Monaco": "viewer", "Nice": "viewer"},
               "coord2": {"Monaco": "coordinator"}}


# ---------- the command ----------

@dataclass
class Result:
    args: list
    rc: int
    out: str
    err: str

    def __str__(self):
        return (f"$ {' '.join(map(str, self.args))}\n"
                f"exit code {self.rc}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}")


def agora_binary():
    path = Path(os.environ.get("AGORA") or REPO / "build" / "debug" / "agora")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"the agora binary {path} does not exist; build it (make debug) or set "
                    f"AGORA", pytrace=False)
    return path


def agora_env():
    env = dict(os.environ)
    env.update(SANITIZER_ENV)
    env.pop("AGORA_DB", None)
    env["LC_ALL"] = "C.UTF-8"
    env["USER"] = "api-tests"  # the CLI's audit lines say cli:$USER
    return env


class Agora:
    def __init__(self, binary, env, cwd):
        self.binary, self.env, self.cwd = binary, env, cwd

    def __call__(self, *args, stdin=None, timeout=300):
        """Runs agora with args in a scratch directory; fails the test at once
        when a sanitizer reported anything."""
        argv = [str(self.binary)] + [str(a) for a in args]
        p = subprocess.run(argv, input=stdin.encode() if stdin is not None else None,
                           stdin=None if stdin is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.cwd,
                           env=self.env, timeout=timeout)
        res = Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                     p.stderr.decode("utf-8", "replace"))
        if SANITIZER_REPORT.search(res.err):
            pytest.fail(f"sanitizer report:\n{res}", pytrace=False)
        return res

    def ok(self, *args, **kw):
        res = self(*args, **kw)
        if res.rc != 0:
            pytest.fail(f"setting up the world failed:\n{res}", pytrace=False)
        return res


# ---------- HTTP ----------

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name)

    def headers_all(self, name):
        return self.headers.get_all(name) or []

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:600]!r}>"


@dataclass
class Session:
    name: str
    token: str
    csrf: str
    user: dict = field(default_factory=dict)

    def cookie(self):
        return f"agora_session={self.token}"


def cookie_of(resp):
    """The agora_session morsel of a response's Set-Cookie, or None."""
    for h in resp.headers_all("Set-Cookie"):
        c = SimpleCookie()
        c.load(h)
        if "agora_session" in c:
            return c["agora_session"]
    return None


class Api:
    """A client of one server: every request on a new connection; paths are
    sent as given (http.client does not normalise them)."""

    def __init__(self, host, port):
        self.host, self.port = host, port

    def request(self, method, path, body=None, session=None, csrf=True, headers=None,
                cookie=None, timeout=120):
        """body: a dict/list (sent as JSON), str or bytes (sent as is) or None.
        session: a Session whose cookie is sent; csrf: True sends the
        session's CSRF token on anything but GET/HEAD, a string sends that,
        None/False sends none. cookie: a raw Cookie header instead."""
        h = {}
        if session is not None:
            h["Cookie"] = session.cookie()
            if csrf is True and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = session.csrf
        if cookie is not None:
            h["Cookie"] = cookie
        if isinstance(csrf, str):
            h["X-CSRF-Token"] = csrf
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Resp(r.status, r.headers, r.read())
        finally:
            conn.close()

    def get(self, path, session=None, **kw):
        return self.request("GET", path, session=session, **kw)

    def login(self, name, password=PASSWORD, cookie=None):
        """Signs in; returns (Session or None, Resp)."""
        r = self.request("POST", f"{API}/session", {"user": name, "password": password},
                         cookie=cookie)
        if r.status != 200:
            return None, r
        m = cookie_of(r)
        body = r.json()
        return Session(name, m.value, body["csrf"], body["user"]), r

    def must_login(self, name, password=PASSWORD):
        s, r = self.login(name, password)
        assert s is not None, f"signing in as {name}: {r}"
        return s


# ---------- servers ----------

class Server:
    """agora serve on a database, on a free port of 127.0.0.1."""

    def __init__(self, binary, env, db, workdir, threads=None):
        self.db = Path(db)
        self.out = Path(workdir) / "serve.out"
        self.err = Path(workdir) / "serve.err"
        argv = [str(binary), "serve", "--db", str(db), "--listen", "127.0.0.1:0"]
        if threads:
            argv += ["--threads", str(threads)]
        self.argv = argv
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                                         cwd=workdir, env=env)
        deadline = time.monotonic() + 60
        self.port = None
        while time.monotonic() < deadline:
            m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", self.out.read_text())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.port is None:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"agora serve did not start: exit {self.proc.returncode}\n"
                        f"{self.err.read_text()}", pytrace=False)
        self.api = Api("127.0.0.1", self.port)
        self.stopped = False

    def stderr(self):
        return self.err.read_text(errors="replace")

    def stop(self):
        """SIGTERM; returns (exit code, stderr)."""
        if not self.stopped:
            self.stopped = True
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, self.stderr()

    def kill9(self):
        self.stopped = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def check_stop(self):
        """Stops the server; fails unless it exited 0 without a sanitizer report."""
        was_stopped = self.stopped
        rc, err = self.stop()
        if SANITIZER_REPORT.search(err):
            pytest.fail(f"sanitizer report from agora serve:\n{err}", pytrace=False)
        if not was_stopped:
            assert rc == 0, f"agora serve exited {rc} on SIGTERM:\n{err}"


def copy_db(src, dst):
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    for ext in ("-wal",):
        if Path(f"{src}{ext}").exists():
            shutil.copyfile(f"{src}{ext}", f"{dst}{ext}")
    return dst


def rows(db, sql, *params):
    """Rows of a query on a database, opened read-only (the server may be
    writing it: WAL lets a reader in)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


