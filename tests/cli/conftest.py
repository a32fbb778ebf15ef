# End-to-end tests of the agora command: shared fixtures.
# SPDX-License-Identifier: EUPL-1.2
#
# The binary under test is $AGORA (the Makefile sets it to build/debug/agora,
# built with AddressSanitizer and UBSan); without $AGORA the debug build of
# this tree is used, so `python3 -m pytest tests/cli` works by hand too.
#
# Fixtures for every test file of tests/cli:
#   agora             run the command: agora(*args) -> Result(rc, out, err)
#   monaco_import     data/demo/monaco.osm.pbf imported ONCE per session (city
#                     "Monaco") into a template database (.db, .result of the
#                     import, .dir); run agora on copies only (monaco_db): even
#                     a reading command leaves files next to a database
#   monaco_db         a private copy of that database (function scope)
#   db_copy           db_copy(src, dst): copy a database and its -wal if any
#   snapshot          snapshot(dir): every file under dir with its digest
#   db_query          db_query(db, sql): rows, read from a copy of the db
#   unprivileged      .path: a directory under /tmp that user nobody can
#                     enter, for read-only cases (tests run as root in CI)
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
MONACO_PBF = REPO / "data" / "demo" / "monaco.osm.pbf"

# The same values as the Makefile exports.
SANITIZER_ENV = {
    "LSAN_OPTIONS": f"suppressions={REPO}/tests/sanitizers/lsan.supp:print_suppressions=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}

NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]

SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer"
)


@dataclass
class Result:
    args: list
    rc: int
    out: str
    err: str

    def __str__(self):
        return (f"$ {' '.join(map(str, self.args))}\n"
                f"exit code {self.rc}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}")


class Agora:
    def __init__(self, binary, env, cwd, nobody_data):
        self.binary = binary
        self.env = env
        self.cwd = cwd
        # User nobody reads the data tables from a world-readable copy, and
        # runs a copy of the programs beside it: the checkout may sit in a
        # directory only root can enter (a mktemp dir). setpriv finds the
        # program it starts with root's rights, but agora, running as nobody,
        # could not then run agora-full from there.
        self.nobody_env = dict(env, AGORA_DATA_DIR=str(nobody_data))
        self.nobody_binary = binary
        bindir = nobody_data.parent / "bin"
        if os.geteuid() == 0 and not bindir.exists():
            bindir.mkdir()
            os.chmod(bindir, 0o755)
            for name in (binary.name, "agora-full"):
                if (binary.parent / name).is_file():
                    shutil.copy2(binary.parent / name, bindir / name)
                    os.chmod(bindir / name, 0o755)
        if (bindir / binary.name).is_file():
            self.nobody_binary = bindir / binary.name

    def __call__(self, *args, cwd=None, as_nobody=False, stderr=subprocess.PIPE, timeout=120):
        """Runs agora with args (paths are turned into strings), stdin closed,
        stdout and stderr piped, in cwd (default: a scratch directory, so that
        a command falling back to ./agora.db never writes into the source
        tree). as_nobody: run as user nobody when the tests run as root (root
        ignores file permissions). Fails the test at once when a sanitizer
        reported anything."""
        argv = [str(self.binary)] + [str(a) for a in args]
        env = self.env
        if as_nobody and os.geteuid() == 0:
            argv = AS_NOBODY + [str(self.nobody_binary)] + argv[1:]
            env = self.nobody_env
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=stderr, cwd=cwd or self.cwd, env=env, timeout=timeout)
        res = Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                     (p.stderr or b"").decode("utf-8", "replace"))
        if SANITIZER_REPORT.search(res.err):
            pytest.fail(f"sanitizer report:\n{res}", pytrace=False)
        return res


@pytest.fixture(scope="session")
def agora_env():
    env = dict(os.environ)
    env.update(SANITIZER_ENV)
    env.pop("AGORA_DB", None)  # every test names its database with --db
    env["LC_ALL"] = "C.UTF-8"
    return env


@pytest.fixture(scope="session")
def agora_bin():
    path = Path(os.environ.get("AGORA") or REPO / "build" / "debug" / "agora")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"the agora binary {path} does not exist; build it (make debug) or set "
                    f"AGORA", pytrace=False)
    return path


@pytest.fixture(scope="session")
def agora(agora_bin, agora_env, tmp_path_factory, nobody_data):
    return Agora(agora_bin, agora_env, tmp_path_factory.mktemp("cwd"), nobody_data)


@pytest.fixture(scope="session")
def nobody_data():
    """A world-readable copy of the data tables, under /tmp (whose parents
    everybody can traverse), for commands run as user nobody."""
    root = Path(tempfile.mkdtemp(prefix="agora-data-", dir="/tmp"))
    data = root / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("demo"))
    for dirpath, _, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    yield data
    shutil.rmtree(root, ignore_errors=True)


def copy_db(src, dst):
    """Copies a database written by a process that has exited (its WAL was
    checkpointed on close); a -wal file that is still there goes along."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    wal = Path(f"{src}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{dst}-wal")
    return dst


@pytest.fixture(scope="session")
def db_copy():
    """db_copy(src, dst): copies a database (see copy_db)."""
    return copy_db


@pytest.fixture(scope="session")
def monaco_import(agora, tmp_path_factory):
    """The demo city imported once: .db (template database), .result (the
    Result of the import), .dir."""
    d = tmp_path_factory.mktemp("monaco-template")
    db = d / "monaco.db"
    res = agora("import", MONACO_PBF, "--db", db, "--city", "Monaco", timeout=300)
    if res.rc != 0:
        pytest.fail(f"importing the demo city failed:\n{res}", pytrace=False)
    return SimpleNamespace(db=db, result=res, dir=d)


@pytest.fixture
def monaco_db(monaco_import, tmp_path):
    """A private copy of the demo city's database, alone in its directory."""
    return copy_db(monaco_import.db, tmp_path / "db" / "monaco.db")


def _snapshot(root):
    root = Path(root)
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        for d in dirnames:
            snap[str(rel / d) + "/"] = "dir"
        for f in filenames:
            p = Path(dirpath) / f
            if f.endswith("-shm"):
                # SQLite's shared-memory index: readers update it; it holds no data.
                snap[str(rel / f)] = "shm"
                continue
            snap[str(rel / f)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return snap


@pytest.fixture(scope="session")
def snapshot():
    """snapshot(dir) -> {relative path: sha256 of the bytes} of every file and
    directory under dir (an empty dict for a missing or empty dir)."""
    return _snapshot


@pytest.fixture
def db_query(tmp_path):
    """db_query(db, sql, *params) -> list of rows. Reads a throw-away copy, so
    the database under test is never opened by anything but agora."""
    counter = [0]

    def query(db, sql, *params):
        counter[0] += 1
        copy = copy_db(db, tmp_path / f"query-{counter[0]}" / "copy.db")
        con = sqlite3.connect(copy)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    return query


class Unprivileged:
    """A fresh directory under /tmp whose parents user nobody can traverse
    (pytest's tmp_path parents may be 0700), and the permission changes the
    read-only tests need. Commands on paths in it run with as_nobody=True:
    the tests run as root in CI, and root ignores file permissions."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="agora-cli-", dir="/tmp"))
        os.chmod(self.path, 0o755)

    def readable_copy(self, src):
        """A copy of an input file that user nobody can read."""
        dst = self.path / Path(src).name
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o644)
        return dst

    def read_only(self, path):
        """0444 for a file, 0555 for a directory."""
        path = Path(path)
        os.chmod(path, 0o555 if path.is_dir() else 0o444)

    def writable_by_runner(self, directory):
        """Lets the user the command runs as write into directory."""
        if os.geteuid() == 0:
            os.chown(directory, NOBODY, NOBODY)
        os.chmod(directory, 0o755)

    def remove(self):
        for dirpath, dirnames, _ in os.walk(self.path):
            for n in dirnames:
                os.chmod(os.path.join(dirpath, n), 0o755)
        shutil.rmtree(self.path, ignore_errors=True)


@pytest.fixture
def unprivileged():
    u = Unprivileged()
    yield u
    u.remove()
