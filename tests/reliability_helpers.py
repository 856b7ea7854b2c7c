"""Shared pieces of the reliability tests: a small grant, generated ledgers, workers.

Kept importable by child processes (``python -c`` with this folder on ``sys.path``),
so the concurrency and crash tests drive fsgrant from real separate processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import fsgrant

TESTS = Path(__file__).resolve().parent
SLOW = os.environ.get("FSGRANT_SLOW") == "1"

# The grant used by most reliability tests (figures from the committee report):
# 2019/20 from 1 August 2019, up to £2,490,000 (ends 31 July 2020);
# 2020/21 from 1 August 2020, £1,600,000 in principle (ends 31 July 2021).
GRANT_YEARS = (
    ("2019/20", "2490000.00", "2019-08-01", "confirmed"),
    ("2020/21", "1600000.00", "2020-08-01", "in-principle"),
)


def make_grant(path: Path) -> None:
    """A store holding the grant and its two funding years, and nothing else."""
    with fsgrant.open(path) as led:
        led.init("Family Safeguarding roll-out", "Department for Education", "The council")
        for label, award, start, status in GRANT_YEARS:
            led.years.add(label, award, start, status=status)


def spend_amount(worker: int, i: int) -> Decimal:
    """A distinct, exact amount for line ``i`` of ``worker`` (pence vary)."""
    return Decimal(100 * (worker + 1) + i) + Decimal(i % 100) / 100


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def run_python(code: str, **env: str) -> subprocess.Popen[bytes]:
    """Start ``python -c code`` with this folder importable."""
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=child_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def library_worker(db: str, worker: int, count: int, go: str | None = None) -> None:
    """Add ``count`` spend lines through the library, each in its own transaction,
    starting when the file ``go`` appears (so that the workers really overlap)."""
    with fsgrant.open(db, create=False) as led:
        while go is not None and not os.path.exists(go):
            time.sleep(0.005)
        for i in range(count):
            led.spend.add(
                "2019-10-01",
                spend_amount(worker, i),
                "training",
                reference=f"w{worker}-{i}",
            )


def write_ledger_folder(folder: Path, lines: int) -> Decimal:
    """A ledger folder (grant.toml + spend.csv) with ``lines`` generated spend lines;
    returns their total."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "grant.toml").write_text(
        """[grant]
name = "Family Safeguarding roll-out"
funder = "Department for Education"
recipient = "The council"

[[funding_year]]
label = "2019/20"
award = "2490000.00"
start = 2019-08-01
""",
        encoding="utf-8",
    )
    total = Decimal(0)
    rows = ["date,amount,category,reference"]
    for i in range(lines):
        amount = spend_amount(0, i % 5000)
        total += amount
        day = 1 + i % 28
        rows.append(f"2019-09-{day:02d},{amount},training,GEN{i:06d}")
    (folder / "spend.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return total


def extract_amount(extract: int, i: int) -> Decimal:
    """A distinct, exact amount for line ``i`` of extract ``extract``."""
    return Decimal(50_000 + 1000 * extract + i) + Decimal(i % 97) / 100


def write_extract(path: Path, extract: int, lines: int) -> Decimal:
    """An extract in fsgrant's own columns with ``lines`` lines referenced
    ``x<extract>-<i>`` (dated in 2019/20 of the reliability grant); returns their total."""
    rows = ["date,amount,category,post,supplier,description,reference,year"]
    total = Decimal(0)
    for i in range(lines):
        amount = extract_amount(extract, i)
        total += amount
        rows.append(
            f"2019-11-{1 + i % 28:02d},{amount},staffing,,Supplier {extract},,x{extract}-{i},"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return total


def import_worker(db: str, extract: str, go: str | None = None) -> None:
    """Import an extract through the library once the file ``go`` appears, and print
    how many lines it added and how many were duplicates."""
    with fsgrant.open(db, create=False) as led:
        while go is not None and not os.path.exists(go):
            time.sleep(0.005)
        result = led.imports.import_file(extract)
        print(f"added={result.rows_added} duplicate={result.rows_duplicate}")


def crash_child(kind: str, db: str, arg: str, at: int, pause: str) -> None:
    """The work of a crash test, telling its parent on stdout where it is.

    ``kind`` is ``load`` (load the ledger folder ``arg``), ``spend`` (add spend lines
    as worker ``arg``, one transaction each, until killed) or ``export`` (write the
    2019/20 return as at 31 March 2020 to ``arg``; ``at`` 1 means ``force``).

    It prints ``mid`` once it is inside the write that matters: the first spend row
    of the load stored in its still open transaction; line ``at`` of the spend
    entries stored, not yet committed; the return written to its temporary file, not
    yet moved into place. With ``pause="inside"`` it stops there (so a kill lands
    inside the write for certain); it prints ``done`` once that write is committed
    (the load, line ``at``, the return in place) and with ``pause="after"`` stops
    there. Otherwise it carries on and the parent kills it when it likes.
    """
    from fsgrant.services import exports as export_service
    from fsgrant.store.connection import Store

    def mid() -> None:
        print("mid", flush=True)
        if pause == "inside":
            time.sleep(300)

    def done() -> None:
        print("done", flush=True)
        if pause == "after":
            time.sleep(300)

    stored = [0]
    insert = Store.insert

    def spend_row(table: str) -> None:
        if table == "spend":
            if stored[0] == (at if kind == "spend" else 0):
                mid()
            stored[0] += 1

    def hooked_insert(self: Store, table: str, record: dict[str, object]) -> int:
        rowid = insert(self, table, record)
        spend_row(table)
        return rowid

    Store.insert = hooked_insert  # type: ignore[method-assign]
    write_atomically = export_service.write_atomically

    def hooked_write_atomically(target, write, **options):  # type: ignore[no-untyped-def]
        def then_mid(tmp):  # type: ignore[no-untyped-def]
            write(tmp)
            mid()

        return write_atomically(target, then_mid, **options)

    export_service.write_atomically = hooked_write_atomically  # type: ignore[assignment]

    with fsgrant.open(db) as led:
        if kind == "load":
            led.load(arg)
            done()
        elif kind == "export":
            led.exports.write_return("2019/20", "2020-03-31", out=arg, force=at == 1)
            done()
        else:
            worker = int(arg)
            for i in range(1_000_000):
                led.spend.add(
                    "2019-10-01", spend_amount(worker, i), "training", reference=f"w{worker}-{i}"
                )
                if i == at:
                    done()
