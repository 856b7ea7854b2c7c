"""Logging spend on a big store: 1,000 ``add_spend`` calls through the library on a
store holding 1,000,000 spend lines, against a bare one-row SQLite insert (its own
``BEGIN IMMEDIATE`` ... ``COMMIT``, same pragmas) measured on the same store.

Run: python tests/benchmarks/bench_spend.py [lines] [calls]

Target: under 5 ms per call (entry stays instant as the store grows).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from functools import cached_property
from pathlib import Path

import fsgrant


def fill(led: fsgrant.Ledger, lines: int) -> float:
    """Insert ``lines`` spend lines quickly (one transaction); returns the seconds taken."""
    start = time.perf_counter()
    cols = ("date", "amount_pence", "category", "reference", "recorded_at", "recorded_by")
    days = [f"2019-{m:02d}-{d:02d}" for m in range(8, 13) for d in range(1, 29)]
    days += [f"2020-{m:02d}-{d:02d}" for m in range(1, 8) for d in range(1, 29)]
    cats = ("staffing", "training", "case-recording", "programme-management")
    rows = (
        (days[i % len(days)], 100 + i % 99_999, cats[i % 4], f"BULK{i}", "2020-01-01", "bench")
        for i in range(lines)
    )
    with led.store.transaction("bench.fill", None, {"lines": lines}):
        led.store.execute_many(
            f"INSERT INTO spend ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            rows,
        )
    return time.perf_counter() - start


def cold(led: fsgrant.Ledger) -> None:
    """Drop the ledger's services (each a cached property), so the next call builds
    them afresh from the store, with nothing cached."""
    for name, attr in vars(type(led)).items():
        if isinstance(attr, cached_property):
            vars(led).pop(name, None)


def per_call(fn, calls: int) -> list[float]:
    times = []
    for i in range(calls):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"median {statistics.median(ms):6.3f} ms  p95 {p95:6.3f} ms  mean {statistics.fmean(ms):6.3f} ms"


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        with fsgrant.open(path) as led:
            led.init("Family Safeguarding roll-out", "Department for Education", "Council")
            led.years.add("2019/20", "2490000.00", "2019-08-01")
            led.years.add("2020/21", "1600000.00", "2020-08-01", status="in-principle")
            led.periods.close("2019/20", "2019-08-31", "DfE return Q1")
            seconds = fill(led, lines)
            print(f"filled {lines:,} spend lines in {seconds:.1f} s")

            conn = led.store.conn

            def bare_insert(i: int) -> None:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO spend (date, amount_pence, category, reference, recorded_at,"
                    " recorded_by) VALUES ('2020-02-04', ?, 'training', ?, '2020-02-04', 'bench')",
                    [1234 + i, f"BARE{i}"],
                )
                conn.execute("COMMIT")

            def add_spend(i: int) -> None:
                led.spend.add("04/02/2020", f"{12 + i % 50}.34", "training", reference=f"B{i}")

            # take turns in blocks, so that a busy moment slows both alike
            bare: list[float] = []
            lib: list[float] = []
            block = max(calls // 10, 1)
            for _ in range(0, calls, block):
                bare += per_call(bare_insert, block)
                lib += per_call(add_spend, block)

            # The summary report on the same store against a hand-written GROUP BY.
            def hand_sql(_: int) -> None:
                conn.execute(
                    "SELECT CASE WHEN date < '2020-08-01' THEN '2019/20' ELSE '2020/21' END,"
                    " sum(amount_pence) FROM spend GROUP BY 1"
                ).fetchall()

            def cold_summary(_: int) -> None:
                # Each call starts cold: a report reuses its scan only while nothing changes.
                cold(led)
                led.reports.summary()

            sql_times = per_call(hand_sql, 5)
            report_times = per_call(cold_summary, 5)
    base = statistics.median(bare)
    print(f"{calls:,} calls on a store of {lines:,} lines")
    print(f"  bare SQLite insert + commit (baseline)  {summary(bare)}")
    print(f"  Ledger.add_spend                        {summary(lib)}")
    print(f"  ratio (median): {statistics.median(lib) / base:.1f}x the bare insert")
    verdict = "meets" if statistics.median(lib) < 0.005 else "misses"
    print(f"  target: under 5 ms per call ({verdict} it)")
    sql, report = statistics.median(sql_times), statistics.median(report_times)
    print(f"summary report on {lines:,} lines, median of 5")
    print(f"  hand-written SQL GROUP BY (baseline)    {sql * 1000:8.1f} ms")
    print(f"  Ledger.summary()                        {report * 1000:8.1f} ms")
    print(
        f"  ratio: {report / sql:.2f}x (target: at most 0.5x; bench_reports.py rates each report)"
    )


if __name__ == "__main__":
    main()
