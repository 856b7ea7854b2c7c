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
            assert led.load(folder).spend == LOAD_LINES


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
            audited = sum(1 for e in led.audit.log() if e.action == "spend.add")
            assert audited == committed  # each line with its audit entry, never apart
        _doctor_is_clean(path)
    assert committed > 0


EXPORT_LINES = 20000 if SLOW else 2500


def _big_example_store(path) -> None:
    """The Cambridgeshire example plus EXPORT_LINES generated spend lines in 2019/20,
    so that writing its return takes a noticeable time."""
    from fsgrant.services.demo import example_ledger_path

    with fsgrant.open(path) as led:
        led.load(example_ledger_path())
        stamp = "2020-04-01T09:00:00"
        rows = (
            (
                f"2019-{9 + i % 4:02d}-{1 + i % 28:02d}",
                100 + i % 9000,
                "training",
                f"Generated line {i}",
                f"GEN{i:06d}",
                "2019/20",
                stamp,
                "test",
            )
            for i in range(EXPORT_LINES)
        )
        with led.store.transaction("test.fill", "spend", {"lines": EXPORT_LINES}):
            led.store.insert_many(
                "spend",
                (
                    "date",
                    "amount_pence",
                    "category",
                    "description",
                    "reference",
                    "funding_year",
                    "recorded_at",
                    "recorded_by",
                ),
                rows,
            )


def _export(db, target, *extra: str, tmpdir) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "fsgrant", "--db", str(db), "export", "return"),
            *("--year", "2019/20", "--as-at", "2020-03-31", "--out", str(target), *extra),
        ],
        # openpyxl streams each sheet through a temporary file of its own: keep those
        # of killed exports out of the machine's temporary folder.
        env=child_env(TMPDIR=str(tmpdir)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_an_export_killed_at_random_moments_leaves_a_whole_return_or_none(tmp_path, rng):
    from fsgrant.formats.atomic import temporary_files

    db = tmp_path / "grant.db"
    _big_example_store(db)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "return.xlsx"

    # How long one export takes here, start to finish (kills land within it).
    started = time.monotonic()
    proc = _export(db, target, tmpdir=scratch)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    took = time.monotonic() - started
    with fsgrant.open(db, create=False) as led:
        assert led.exports.verify(target) == []
    target.unlink()

    outcomes = []
    for attempt in range(KILLS + 1):
        # Now and then replace a whole return already there (--force): then the
        # target must be the old return or the new one, never a mixture.
        force = attempt % 2 == 1 and target.exists()
        proc = _export(db, target, *(["--force"] if force else []), tmpdir=scratch)
        # Start-up takes part of that time: most kills land while the file is written.
        _kill_after(proc, rng.uniform(took * 0.3, took * 1.1))
        if proc.returncode == 0:
            outcomes.append("finished")
        elif target.exists() and not force:
            outcomes.append("killed after the move")
        else:
            outcomes.append("killed")
        # Nothing but whole returns under the target's name, and nothing a person
        # would take for a return: leftovers are dot-files named after the target.
        assert {p.name for p in out.iterdir() if not p.name.startswith(".")} <= {target.name}
        assert all(p in temporary_files(target) for p in out.iterdir() if p != target)
        if target.exists():
            with fsgrant.open(db, create=False) as led:
                assert led.exports.verify(target) == []
        _doctor_is_clean(db)
    print(f"one export {took:.2f} s; {outcomes}")

    # The next export to the same target removes what killed exports left behind.
    proc = _export(db, target, "--force", tmpdir=scratch)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert sorted(out.iterdir()) == [target]
    with fsgrant.open(db, create=False) as led:
        assert led.exports.verify(target) == []


def test_leftovers_of_killed_exports_are_removed_but_not_a_living_writers_file(tmp_path):
    import fcntl

    from fsgrant.formats.atomic import temporary_files, write_atomically

    target = tmp_path / "return.xlsx"
    dead = tmp_path / f".{target.name}.0123456789ab.part"
    dead.write_bytes(b"half a return")
    living = tmp_path / f".{target.name}.ba9876543210.part"
    living.write_bytes(b"being written")
    other = tmp_path / ".other.xlsx.0123456789ab.part"  # another target's: not touched
    other.write_bytes(b"x")
    assert temporary_files(target) == [dead, living]
    holder = os.open(living, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # as a living export holds its file
        write_atomically(target, lambda tmp: tmp.write_bytes(b"whole"), force=False)
        assert not dead.exists() and living.exists() and other.exists()
        assert target.read_bytes() == b"whole"
    finally:
        os.close(holder)
