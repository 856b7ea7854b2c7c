"""Processes killed with SIGKILL at random moments: afterwards ``fsgrant doctor`` is
clean and each operation is all there or not there at all.

Bounded for CI (a few kills); FSGRANT_SLOW=1 repeats many more. The random seed is
printed, so a failure can be replayed with FSGRANT_CRASH_SEED.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from reliability_helpers import (
    SLOW,
    child_env,
    make_grant,
    run_python,
    spend_amount,
    write_ledger_folder,
)
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

KILLS = 20 if SLOW else 3
LOAD_LINES = 4000 if SLOW else 1500


@pytest.fixture
def rng():
    seed = int(os.environ.get("FSGRANT_CRASH_SEED") or random.randrange(1 << 30))
    print(f"FSGRANT_CRASH_SEED={seed}")
    return random.Random(seed)


def _kill_after(proc: subprocess.Popen[bytes], delay: float) -> None:
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)  # reaps it and closes its pipes


def _doctor_is_clean(path) -> None:
    r = CliRunner().invoke(app, ["--db", str(path), "doctor", "-f", "csv"])
    assert r.exit_code == 0, r.output + r.stderr
    assert "error," not in r.output


def test_load_killed_at_random_moments_is_all_or_nothing(tmp_path, rng):
    folder = tmp_path / "ledger"
    total = write_ledger_folder(folder, LOAD_LINES)
    outcomes = []
    for attempt in range(KILLS):
        path = tmp_path / f"store{attempt}.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "fsgrant", "--db", str(path), "load", str(folder)],
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Once the store file appears, the load takes ~0.5-1.5 s: kills land while the
        # store is created, during the load and (now and then) after it.
        while not path.exists() and proc.poll() is None:
            time.sleep(0.005)
        _kill_after(proc, rng.uniform(0.0, 2.5 if SLOW else 1.0))
        if not path.exists():
            outcomes.append("not started")
            continue
        with fsgrant.open(path) as led:  # an empty or half-created file is a new store
            lines = led.store.query_one("SELECT count(*), sum(amount_pence) FROM spend")
            has_grant = led.store.query_one("SELECT 1 FROM grant_info") is not None
        _doctor_is_clean(path)
        assert lines is not None
        if lines[0] == 0:
            assert not has_grant  # nothing at all
            outcomes.append("nothing")
        else:
            assert has_grant
            assert lines[0] == LOAD_LINES  # everything
            assert Decimal(lines[1]) / 100 == total
            outcomes.append("all")
    print(outcomes)
    # The store a killed load left behind takes the load again.
    last = tmp_path / f"store{KILLS - 1}.db"
    with fsgrant.open(last) as led:
        if led.store.query_one("SELECT 1 FROM grant_info") is None:
            assert led.load(folder)["spend"] == LOAD_LINES


def test_a_series_of_spend_entries_killed_at_random_keeps_every_committed_line(tmp_path, rng):
    path = tmp_path / "grant.db"
    make_grant(path)
    committed = 0
    for attempt in range(KILLS):
        worker = attempt + 1
        proc = run_python(
            f"from reliability_helpers import library_worker; "
            f"library_worker({str(path)!r}, {worker}, 100000)"
        )
        _kill_after(proc, rng.uniform(0.4, 1.2))
        with fsgrant.open(path, create=False) as led:
            refs = [
                r[0]
                for r in led.store.query(
                    "SELECT reference FROM spend WHERE reference LIKE ? ORDER BY id",
                    [f"w{worker}-%"],
                )
            ]
            # One process writes in order: what is there is exactly lines 0..k-1.
            assert refs == [f"w{worker}-{i}" for i in range(len(refs))]
            row = led.store.query_one(
                "SELECT sum(amount_pence) FROM spend WHERE reference LIKE ?", [f"w{worker}-%"]
            )
            expected = sum((spend_amount(worker, i) for i in range(len(refs))), Decimal(0))
            assert Decimal(row[0] or 0) / 100 == expected
            committed += len(refs)
            audited = sum(1 for e in led.audit_log() if e.action == "spend.add")
            assert audited == committed  # each line with its audit entry, never apart
        _doctor_is_clean(path)
    assert committed > 0
