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

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
    pytest.mark.slow,
]

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


def _kill_child(
    kind: str, db, arg: str, at: int, pause: str, delay: float = 0.0, **env: str
) -> tuple[bool, float]:
    """Run :func:`reliability_helpers.crash_child` and kill it: at once when it says it
    is inside the write (``pause="inside"``, where it waits), once the write is
    committed (``pause="after"``), or ``delay`` seconds after it said it was inside.

    Returns whether the write had been committed when the kill landed, and the time
    from inside the write to its commit (measured with ``pause="after"``)."""
    proc = run_python(
        f"from reliability_helpers import crash_child; "
        f"crash_child({kind!r}, {str(db)!r}, {arg!r}, {at}, {pause!r})",
        **env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first != b"mid\n":
        _out, err = proc.communicate(timeout=60)
        raise AssertionError(f"the child never got inside the write: {first!r} {err.decode()}")
    inside = time.monotonic()
    took = 0.0
    if pause == "after":
        assert proc.stdout.readline() == b"done\n"
        took = time.monotonic() - inside
    elif pause != "inside":
        time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    rest, _err = proc.communicate(timeout=60)
    committed = pause == "after" or b"done" in rest
    return committed, took


def _plan(kills: int) -> list[str]:
    """A kill inside the write, one after its commit, then kills at random moments."""
    return ["inside", "after"] + ["random"] * kills


def test_load_killed_at_random_moments_is_all_or_nothing(tmp_path, rng):
    folder = tmp_path / "ledger"
    total = write_ledger_folder(folder, LOAD_LINES)
    outcomes = []
    took = 0.0
    for attempt, how in enumerate(_plan(KILLS)):
        path = tmp_path / f"store{attempt}.db"
        # Kills at random land from inside the load's transaction (after its first
        # spend rows) to a little after its commit.
        committed, elapsed = _kill_child(
            "load", path, str(folder), 0, how, rng.uniform(0.0, max(took, 0.05) * 1.2)
        )
        took = elapsed or took
        with fsgrant.open(path) as led:
            lines = led.store.query_one("SELECT count(*), sum(amount_pence) FROM spend")
            has_grant = led.store.query_one("SELECT 1 FROM grant_info") is not None
        _doctor_is_clean(path)
        assert lines is not None
        if lines[0] == 0:
            assert not has_grant  # nothing at all
            outcome = "nothing"
        else:
            assert has_grant
            assert lines[0] == LOAD_LINES  # everything
            assert Decimal(lines[1]) / 100 == total
            outcome = "all"
        if how == "inside":
            assert outcome == "nothing"
        if committed:
            assert outcome == "all"
        outcomes.append((how, outcome))
    print(f"load took {took:.2f} s from its first spend rows; {outcomes}")
    # A kill inside the transaction left none of it; after the commit, all of it.
    assert {o for _, o in outcomes} == {"nothing", "all"}
    # A store a killed load left empty takes the load again.
    with fsgrant.open(tmp_path / "store0.db") as led:
        assert led.load(folder).spend == LOAD_LINES


def test_a_series_of_spend_entries_killed_at_random_keeps_every_committed_line(tmp_path, rng):
    path = tmp_path / "grant.db"
    make_grant(path)
    committed = 0
    in_flight = []
    for attempt, how in enumerate(_plan(KILLS)):
        worker = attempt + 1
        # Stopped inside (or just after) line `at`; killed at random some time after
        # line 0 was inside its transaction.
        at = rng.randrange(30) if how != "random" else 0
        _kill_child("spend", path, str(worker), at, how, rng.uniform(0.2, 1.0))
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
        if how == "inside":
            assert len(refs) == at  # the line being written is not there, nor its audit
            in_flight.append("none of it")
        elif how == "after":
            assert len(refs) == at + 1  # the committed line is there, with its audit
            in_flight.append("all of it")
        _doctor_is_clean(path)
    assert sorted(in_flight) == ["all of it", "none of it"]
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
            led.store.execute_many(
                "INSERT INTO spend (date, amount_pence, category, description, reference,"
                " funding_year, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
        _is_the_ledgers_return(led, target)
    target.unlink()

    # Killed with the return written to its temporary file, not yet moved into place:
    # no return under the target's name. Killed once it is in place: the whole return.
    committed, _ = _kill_child("export", db, str(target), 0, "inside", TMPDIR=str(scratch))
    assert not committed and not target.exists()
    assert all(p in temporary_files(target) for p in out.iterdir())
    assert list(out.iterdir())  # the temporary file was there: the kill landed mid-write
    committed, _ = _kill_child("export", db, str(target), 0, "after", TMPDIR=str(scratch))
    assert committed
    with fsgrant.open(db, create=False) as led:
        _is_the_ledgers_return(led, target)
    target.unlink()
    outcomes = ["killed", "finished"]
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
                _is_the_ledgers_return(led, target)
        _doctor_is_clean(db)
    print(f"one export {took:.2f} s; {outcomes}")
    assert {"killed", "finished"} <= set(outcomes)

    # The next export to the same target removes what killed exports left behind.
    proc = _export(db, target, "--force", tmpdir=scratch)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert sorted(out.iterdir()) == [target]
    with fsgrant.open(db, create=False) as led:
        _is_the_ledgers_return(led, target)


def _is_the_ledgers_return(led, target) -> None:
    """The file is a whole return and every figure in it is what the ledger gives."""
    check = led.exports.verify(target)
    assert check.ledger_matches and check.fingerprint_matches, check.summary
    assert check.changes == ()


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
