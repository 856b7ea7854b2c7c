"""Benchmark: the DfE return for a funding year with 100,000 transactions.

Not collected by pytest (``norecursedirs``). Run it by hand::

    python tests/benchmarks/bench_export.py [ROWS ...]     # default: 25000 100000

For each size it builds a store, then measures, each in a fresh process:

* ``export``: ``Ledger.export_return`` (reading the store, the reports, all six
  sheets with their formatting, the atomic write);
* ``baseline``: openpyxl in write-only mode writing the same Transactions cells
  (read from the same store, the same values) with no formatting at all.

The machine may be shared, so each timing is the best of ``REPEAT`` runs (default
3; set ``FSGRANT_BENCH_REPEAT``), the baseline and the export taking turns. It
prints wall time and peak memory: Python's peak allocation (tracemalloc, in a
separate run so that tracing does not slow the timed one) and the process's peak
resident size. The target: export time within 2x of the baseline's, and peak
memory that does not grow with the number of transactions.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

LABEL = "2019/20"
AS_AT = "2020-07-31"


def build_store(path: Path, rows: int) -> None:
    import fsgrant

    rng = random.Random(rows)
    with fsgrant.open(path) as led:
        led.init("Benchmark grant", "Department for Education", "Example Council")
        led.years.add(LABEL, "99999999.00", "2019-08-01")
        led.estimates.set(LABEL, "staffing", "5000000.00", on="2019-08-01")
        cats = ["staffing", "training", "case-recording", "programme-management", "other"]
        start = date(2019, 8, 1)
        stamp = "2020-08-01T00:00:00.000000+00:00"

        def line(n: int) -> tuple[object, ...]:
            day = start + timedelta(days=rng.randrange(365))
            return (
                day.isoformat(),
                rng.randrange(-5000, 500000),
                cats[n % len(cats)],
                f"Supplier {n % 997} Ltd",
                f"Invoice for services, batch {n // 100}",
                f"INV{n:07d}",
                stamp,
                "bench",
            )

        with led.store.transaction("bench.load"):
            led.store.execute_many(
                "INSERT INTO spend (date, amount_pence, category, supplier, description,"
                " reference, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (line(n) for n in range(rows)),
            )


def run_export(db: Path, out: Path) -> None:
    import fsgrant

    with fsgrant.open(db, create=False) as led:
        led.exports.write_return(LABEL, AS_AT, out=out, force=True)


def run_baseline(db: Path, out: Path) -> None:
    import sqlite3

    from openpyxl import Workbook

    from fsgrant.domain.periods import financial_year_label

    conn = sqlite3.connect(db)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Transactions")
    ws.append(["Line", "Date", "Financial year", "Funding year", "Category", "Post",
               "Supplier", "Description", "Reference", "Amount", "Reverses line",
               "Import batch", "Source line"])  # fmt: skip
    for r in conn.execute(
        "SELECT id, date, category, post, supplier, description, reference, amount_pence, "
        "reverses, import_batch, source_line FROM spend WHERE date <= ? ORDER BY date, id",
        [AS_AT],
    ):
        day = date.fromisoformat(r[1])
        ws.append([r[0], day, financial_year_label(day), LABEL, r[2], r[3], r[4], r[5], r[6],
                   r[7] / 100, r[8], r[9], r[10]])  # fmt: skip
    wb.save(out)
    conn.close()


def child(kind: str, db: str, out: str, trace: bool) -> None:
    import resource
    import tracemalloc

    fn = run_export if kind == "export" else run_baseline
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    fn(Path(db), Path(out))
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak": peak, "rss_kb": rss_kb}))


def measure(kind: str, db: Path, out: Path, *, trace: bool) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(db), str(out)]
    if trace:
        cmd.append("--trace")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int]) -> None:
    print(f"DfE return export benchmark (Python {sys.version.split()[0]})")
    print(
        f"{'rows':>8} {'what':>9} {'time s':>8} {'x base':>7} {'py peak MB':>11} {'max RSS MB':>11} {'file MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            db = Path(tmp) / f"bench-{rows}.db"
            build_store(db, rows)
            repeat = int(os.environ.get("FSGRANT_BENCH_REPEAT", "3"))
            best: dict[str, dict[str, float]] = {}
            for _ in range(repeat):
                for kind in ("baseline", "export"):
                    out = Path(tmp) / f"{kind}-{rows}.xlsx"
                    run = measure(kind, db, out, trace=False)
                    if kind not in best or run["seconds"] < best[kind]["seconds"]:
                        best[kind] = run
            base_time = best["baseline"]["seconds"]
            for kind in ("baseline", "export"):
                out = Path(tmp) / f"{kind}-{rows}.xlsx"
                timed = best[kind]
                traced = measure(kind, db, out, trace=True)
                ratio = timed["seconds"] / base_time
                print(
                    f"{rows:>8} {kind:>9} {timed['seconds']:>8.2f} {ratio:>7.2f} "
                    f"{traced['peak'] / 1e6:>11.1f} {timed['rss_kb'] / 1024:>11.1f} "
                    f"{os.path.getsize(out) / 1e6:>8.1f}"
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], "--trace" in sys.argv)
    else:
        main([int(a) for a in sys.argv[1:]] or [25_000, 100_000])
