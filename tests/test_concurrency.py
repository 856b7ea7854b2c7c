"""Several processes writing to one store at once: one waits, nothing is lost or
doubled, and no "database is locked" reaches a user. A writer that cannot get the
lock within FSGRANT_BUSY_TIMEOUT fails with a clear message.

Real processes (library workers and ``python -m fsgrant spend add``), not threads.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from reliability_helpers import (
    SLOW,
    child_env,
    extract_amount,
    make_grant,
    run_python,
    spend_amount,
    write_extract,
)
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import StoreError

pytestmark = pytest.mark.slow

LIBRARY_WORKERS = 3
LINES_PER_LIBRARY_WORKER = 1000 if SLOW else 150
CLI_WORKERS = 2
LINES_PER_CLI_WORKER = 15 if SLOW else 4


def _cli_worker_code(db: str, worker: int, count: int) -> str:
    # Each `spend add` is its own process, as when people log spend at the same time.
    return f"""
import subprocess, sys
from reliability_helpers import spend_amount
for i in range({count}):
    proc = subprocess.run(
        [sys.executable, "-m", "fsgrant", "--db", {db!r}, "spend", "add", "2019-10-01",
         str(spend_amount({worker}, i)), "training", "--ref", f"w{worker}-{{i}}"],
        capture_output=True, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        sys.exit(proc.returncode)
"""


def test_processes_adding_spend_at_once_lose_and_double_nothing(tmp_path):
    db = str(tmp_path / "grant.db")
    go = str(tmp_path / "go")
    make_grant(tmp_path / "grant.db")
    procs = []
    expected: dict[str, Decimal] = {}
    for w in range(LIBRARY_WORKERS):
        code = f"from reliability_helpers import library_worker; library_worker({db!r}, {w}, {LINES_PER_LIBRARY_WORKER}, {go!r})"
        procs.append(run_python(code))
        expected |= {f"w{w}-{i}": spend_amount(w, i) for i in range(LINES_PER_LIBRARY_WORKER)}
    for w in range(LIBRARY_WORKERS, LIBRARY_WORKERS + CLI_WORKERS):
        procs.append(run_python(_cli_worker_code(db, w, LINES_PER_CLI_WORKER)))
        expected |= {f"w{w}-{i}": spend_amount(w, i) for i in range(LINES_PER_CLI_WORKER)}
    time.sleep(0.5)  # let the library workers open the store, then start them together
    open(go, "w").close()
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        text = err.decode()
        assert "locked" not in text and "Traceback" not in text, text
        assert p.returncode == 0, text

    with fsgrant.open(db, create=False) as led:
        lines = led.spend.list()
        counts = Counter(x.reference for x in lines)
        assert set(counts) == set(expected)
        assert max(counts.values()) == 1  # every line exactly once
        assert {x.reference: x.amount for x in lines} == expected
        total = sum(expected.values(), Decimal("0.00"))
        assert led.spend.totals() == {("2019/20", "training"): total}
        assert led.reports.summary().funding_years[0].actual == total
        # each line has its audit entry, written in the same transaction
        audited = [e.detail["id"] for e in led.audit.log() if e.action == "spend.add"]
        assert sorted(audited) == sorted(x.id for x in lines)
        assert not [f for f in led.doctor() if f.problem]


@pytest.fixture
def locked_store(tmp_path, monkeypatch):
    """A store whose write lock another connection holds (BEGIN IMMEDIATE)."""
    path = tmp_path / "grant.db"
    make_grant(path)
    monkeypatch.setenv("FSGRANT_BUSY_TIMEOUT", "0.3")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    yield path, holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_writer_that_cannot_get_the_lock_fails_clearly(locked_store):
    path, _holder = locked_store
    with fsgrant.open(path, create=False) as led:
        started = time.monotonic()
        with pytest.raises(StoreError, match="busy") as info:
            led.spend.add("2019-10-01", "12.00", "training")
        waited = time.monotonic() - started
        assert "kept it locked for 0.3 s" in info.value.message
        assert "FSGRANT_BUSY_TIMEOUT" in info.value.message
        assert 0.25 <= waited < 5
        # Reading is never blocked by a writer (WAL).
        assert led.spend.list() == []


def test_the_cli_says_the_store_is_busy_in_one_line(locked_store):
    path, _holder = locked_store
    r = CliRunner().invoke(
        app, ["--db", str(path), "spend", "add", "2019-10-01", "12.00", "training"]
    )
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1 and "is busy" in r.stderr
    assert "database is locked" not in r.stderr and "Traceback" not in r.output
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "fsgrant", "--db", str(path)),
            *("spend", "add", "2019-10-01", "12.00", "training"),
        ],
        env=child_env(FSGRANT_BUSY_TIMEOUT="0.3"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("fsgrant: error: the store ") and "is busy" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_a_writer_waits_for_a_lock_released_within_the_timeout(locked_store, monkeypatch):
    path, holder = locked_store
    monkeypatch.setenv("FSGRANT_BUSY_TIMEOUT", "10")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    with fsgrant.open(path, create=False) as led:
        release.start()
        try:
            line = led.spend.add("2019-10-01", "12.00", "training")
        finally:
            release.join()
    assert line.amount == Decimal("12.00")


EXTRACT_LINES = 3000 if SLOW else 400


def test_imports_and_spend_entries_at_once_store_every_line_once(tmp_path):
    """Library and CLI spend entries, two imports of different extracts (library and
    CLI) and the same extract imported by two processes at once."""
    db = str(tmp_path / "grant.db")
    go = str(tmp_path / "go")
    make_grant(tmp_path / "grant.db")
    extracts = [tmp_path / f"extract{e}.csv" for e in range(3)]
    expected: dict[str, Decimal] = {}
    for e, path in enumerate(extracts):
        write_extract(path, e, EXTRACT_LINES)
        expected |= {f"x{e}-{i}": extract_amount(e, i) for i in range(EXTRACT_LINES)}

    def cli_import(path) -> str:
        return f"""
import os, subprocess, sys, time
while not os.path.exists({go!r}):
    time.sleep(0.005)
proc = subprocess.run([sys.executable, "-m", "fsgrant", "--db", {db!r}, "spend", "import",
                       {str(path)!r}], capture_output=True, text=True)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
sys.exit(proc.returncode)
"""

    def library_import(path) -> str:
        return f"from reliability_helpers import import_worker; import_worker({db!r}, {str(path)!r}, {go!r})"

    procs = {
        "library import 0": run_python(library_import(extracts[0])),
        "cli import 1": run_python(cli_import(extracts[1])),
        "library import 2": run_python(library_import(extracts[2])),
        "cli import 2": run_python(cli_import(extracts[2])),
    }
    for w in range(2):
        code = f"from reliability_helpers import library_worker; library_worker({db!r}, {w}, {LINES_PER_LIBRARY_WORKER}, {go!r})"
        procs[f"library spend {w}"] = run_python(code)
        expected |= {f"w{w}-{i}": spend_amount(w, i) for i in range(LINES_PER_LIBRARY_WORKER)}
    procs["cli spend"] = run_python(_cli_worker_code(db, 2, LINES_PER_CLI_WORKER))
    expected |= {f"w2-{i}": spend_amount(2, i) for i in range(LINES_PER_CLI_WORKER)}
    time.sleep(0.5)
    open(go, "w").close()
    outputs = {name: p.communicate(timeout=240) for name, p in procs.items()}
    for name, p in procs.items():
        err = outputs[name][1].decode()
        assert "locked" not in err and "Traceback" not in err, f"{name}: {err}"
        assert p.returncode == 0, f"{name}: {err}"

    # The same extract twice at once: one import stored it, the other added nothing.
    both = [outputs["library import 2"][0].decode(), outputs["cli import 2"][0].decode()]
    lib_added = int(both[0].split("added=")[1].split()[0])
    assert lib_added in (0, EXTRACT_LINES), both
    with fsgrant.open(db, create=False) as led:
        batches = {b.file_name: [] for b in led.imports.list()}
        for b in led.imports.list():
            batches[b.file_name].append(b.rows_added)
        # The second import of the same file through the same mapping records no batch.
        assert batches["extract2.csv"] == [EXTRACT_LINES]
        assert batches["extract0.csv"] == batches["extract1.csv"] == [EXTRACT_LINES]
        lines = led.spend.list()
        counts = Counter(x.reference for x in lines)
        assert set(counts) == set(expected)
        assert max(counts.values()) == 1  # every line exactly once
        assert {x.reference: x.amount for x in lines} == expected
        # Totals against the hand sum, category by category.
        training = sum((v for k, v in expected.items() if k.startswith("w")), Decimal("0.00"))
        staffing = sum((v for k, v in expected.items() if k.startswith("x")), Decimal("0.00"))
        assert led.spend.totals() == {
            ("2019/20", "training"): training,
            ("2019/20", "staffing"): staffing,
        }
        assert led.reports.summary().funding_years[0].actual == training + staffing
        assert not [f for f in led.doctor() if f.problem]
