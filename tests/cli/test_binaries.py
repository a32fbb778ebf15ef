# The two programs of the command (docs/internals/cli.md): agora, which runs
# the commands that need only the light libraries and loads none of the heavy
# ones, and agora-full beside it, which agora execs for every other command.
# SPDX-License-Identifier: EUPL-1.2
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLACE_D_ARMES_OSM = REPO / "tests" / "data" / "monaco-place-d-armes.osm"

# The shared libraries that make a program start slowly (PROJ, pango/cairo,
# GEOS, libmicrohttpd, and what they pull in): agora must not need them.
HEAVY = re.compile(r"^lib(proj|pango|cairo|geos|microhttpd)")
SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer"
)


def needed(binary):
    """The DT_NEEDED entries of an ELF file, from readelf -d."""
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.fail("readelf is missing (Debian: apt-get install binutils)", pytrace=False)
    p = subprocess.run([readelf, "-d", str(binary)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, check=False)
    assert p.returncode == 0, f"readelf -d {binary}: {p.stderr}"
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", p.stdout)


@pytest.fixture(scope="module")
def full_bin(agora_bin):
    full = agora_bin.resolve().parent / "agora-full"
    assert full.is_file() and os.access(full, os.X_OK), \
        f"{full} is missing: agora runs most commands through it"
    return full


def run(binary, *args, env, cwd):
    """(exit code, stdout, stderr) of binary with args; fails the test when a
    sanitizer reported anything (as the agora fixture does)."""
    p = subprocess.run([str(binary)] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                       timeout=120, text=True, errors="replace")
    if SANITIZER_REPORT.search(p.stderr):
        pytest.fail(f"sanitizer report from {binary} {args}:\n{p.stderr}", pytrace=False)
    return p.returncode, p.stdout, p.stderr


# ------------------------------------------------------------ the libraries

def test_agora_loads_none_of_the_heavy_libraries(agora_bin, full_bin):
    lean = needed(agora_bin)
    assert lean, f"readelf found no NEEDED entry in {agora_bin}"
    heavy = [lib for lib in lean if HEAVY.match(lib)]
    assert heavy == [], (f"{agora_bin} needs {', '.join(heavy)}: a command compiled into agora "
                         f"(src/cli/main.c, outside #ifndef AGORA_CLI_LEAN) reaches code that "
                         f"uses them; move it to agora-full (docs/internals/cli.md)")
    # The check can see them: agora-full, the complete program, needs each.
    full = needed(full_bin)
    for name in ("proj", "pangocairo", "cairo", "geos_c", "microhttpd"):
        assert any(re.match(rf"lib{name}[-.]", lib) for lib in full), (name, full)


# ------------------------------------------------- same answers through agora

# Each is run by agora and by agora-full directly: the same exit code, stdout
# and stderr. --version and --help are answered by agora itself, user and
# survey are compiled into it, the others go through agora-full.
SAME = [
    ([], 2),
    (["--version"], 0),
    (["--help"], 0),
    (["user", "--help"], 0),
    (["survey", "--help"], 0),
    (["vehicle", "--frobnicate"], 2),
    (["report", "--help"], 0),
    (["import", "--help"], 0),
    (["serve", "--help"], 0),
    (["import"], 2),
    (["crowd", "--frobnicate"], 2),
    (["frobnicate"], 2),
]


@pytest.mark.parametrize("args,rc", SAME, ids=[" ".join(a) or "no-args" for a, _ in SAME])
def test_agora_answers_as_agora_full(agora_bin, full_bin, agora_env, tmp_path, args, rc):
    lean = run(agora_bin, *args, env=agora_env, cwd=tmp_path)
    full = run(full_bin, *args, env=agora_env, cwd=tmp_path)
    assert lean[0] == rc, lean
    assert lean == full


def test_version(agora_bin, agora_env, tmp_path):
    rc, out, err = run(agora_bin, "--version", env=agora_env, cwd=tmp_path)
    assert (rc, err) == (0, "")
    assert re.fullmatch(r"agora \d+\.\d+\.\d+ \(store schema \d+\)\n", out), out


def test_a_full_command_replaces_agora_in_its_process(agora_bin, full_bin, agora_env, tmp_path):
    """agora serve is agora-full in the process that was started, so that
    whoever started it can signal it by its pid."""
    db = tmp_path / "serve.db"
    rc, out, err = run(agora_bin, "import", PLACE_D_ARMES_OSM, "--db", db, "--city", "Monaco",
                       env=agora_env, cwd=tmp_path)
    assert rc == 0, (out, err)
    log = tmp_path / "serve.out"
    with open(log, "wb") as o:
        proc = subprocess.Popen([str(agora_bin), "serve", "--db", str(db), "--listen",
                                 "127.0.0.1:0"], stdin=subprocess.DEVNULL, stdout=o,
                                stderr=subprocess.PIPE, cwd=tmp_path, env=agora_env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if "serving http://" in log.read_text():
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"agora serve exited {proc.returncode}"
        assert Path(os.readlink(f"/proc/{proc.pid}/exe")) == full_bin.resolve()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    err = err.decode(errors="replace")
    assert proc.returncode == 0 and not SANITIZER_REPORT.search(err), err


# ------------------------------------------------------ without agora-full

def compiled_in(binary):
    """Where agora looks for agora-full once installed, compiled into it: the
    path from its own directory (../libexec/agora/agora-full) and the
    configured one (/usr/local/libexec/agora/agora-full)."""
    found = re.findall(rb"([^\0]*/agora-full)\0", Path(binary).read_bytes())
    from_bin = [p.decode() for p in found if p.startswith(b"..")]
    installed = [p.decode() for p in found if p.startswith(b"/")]
    assert len(from_bin) == 1 and len(installed) == 1, found
    return from_bin[0], installed[0]


def test_without_agora_full(agora_bin, agora_env, tmp_path):
    alone = tmp_path / "bin" / "agora"
    alone.parent.mkdir()
    shutil.copy2(agora_bin, alone)
    from_bin, installed = compiled_in(alone)
    if os.path.exists(installed):
        pytest.skip(f"{installed} is installed here: agora would run it")
    # The commands of agora itself still work...
    rc, out, err = run(alone, "--version", env=agora_env, cwd=tmp_path)
    assert (rc, err) == (0, "") and out.startswith("agora "), (rc, out, err)
    rc, out, err = run(alone, "user", "--help", env=agora_env, cwd=tmp_path)
    assert (rc, err) == (0, "") and "agora user" in out, (rc, out, err)
    # ...the others fail, saying where agora-full was looked for.
    for args in (["report", "--help"], ["import", "x.osm"], ["frobnicate"]):
        rc, out, err = run(alone, *args, env=agora_env, cwd=tmp_path)
        assert (rc, out) == (1, ""), (args, rc, out, err)
        where = f"{alone.parent}/agora-full, {alone.parent}/{from_bin} and {installed}"
        assert err == (f'agora: error: agora-full is missing (it runs "{args[0]}"): '
                       f"looked for {where}\n"), err
