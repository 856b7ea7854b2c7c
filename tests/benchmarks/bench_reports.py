"""Report timings on a large store (prints figures; not a test).

Run from the checkout root:  python tests/benchmarks/bench_reports.py [LINES [STORE]]

Builds the Cambridgeshire example (in STORE, kept, when given: a second run times the
reports on it again without building it), adds LINES (default 100,000; the target is stated for
1,000,000) spend lines spread over 1 August 2019 - 31 March 2021 across the categories
and posts (inserted in one transaction), then times each report: the best of five runs,
and the first (cold) run. The baseline, measured in the same run on the same table, is a
hand-written SQL ``GROUP BY`` (a full scan, which beats the date index here) giving the
same totals without funding-year allocation:
summary, variance, posts and check against a GROUP BY category, profile against a
GROUP BY month. Target: each at most 0.5x its baseline.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import fsgrant
from fsgrant.services.demo import example_ledger_path
from fsgrant.store.connection import utc_now


def build(path: Path, lines: int) -> fsgrant.Ledger:
    led = fsgrant.open(path)
    led.load(example_ledger_path())
    rng = random.Random(20200331)
    categories = ["training", "case-recording", "programme-management", "evaluation", "other"]
    posts = [p.id for p in led.posts.list(as_at="2020-03-31") if p.role != "probation"]
    start, days = date(2019, 8, 1), (date(2021, 3, 31) - date(2019, 8, 1)).days + 1
    now, user = utc_now(), "bench"

    def rows() -> Iterator[tuple[object, ...]]:  # made as inserted: memory stays flat
        for i in range(lines):
            day = (start + timedelta(days=rng.randrange(days))).isoformat()
            pence = rng.randrange(1, 500_00)
            if rng.random() < 0.5:
                cat, post = "staffing", rng.choice(posts)
            else:
                cat, post = rng.choice(categories), None
            yield (day, pence, cat, post, "Supplier", f"line {i}", now, user)

    cols = ["date", "amount_pence", "category", "post", "supplier", "description",
            "recorded_at", "recorded_by"]  # fmt: skip
    t0 = time.perf_counter()
    # Building the store is not what is measured: a page cache of 2 GiB for it, so that
    # the indexes of 10 million lines are not written out again and again.
    led.store.conn.execute("PRAGMA cache_size = -2097152")
    with led.store.transaction("bench.insert", None, {"lines": lines}):
        led.store.execute_many(
            f"INSERT INTO spend ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            rows(),
        )
    led.store.conn.execute("PRAGMA cache_size = -2000")
    print(f"inserted {lines:,} spend lines in {time.perf_counter() - t0:.2f} s", flush=True)
    return led


def cold(led: object) -> None:
    """Drop the ledger's services (each a cached property), so the next call builds
    them afresh from the store, with nothing cached."""
    for name, attr in vars(type(led)).items():
        if isinstance(attr, cached_property):
            vars(led).pop(name, None)


def timed(
    name: str, fn: object, runs: int = 5, baseline: float | None = None, led: object = None
) -> float:
    times = []
    for _ in range(runs):
        if led is not None:
            # Each run starts cold: a report reuses a scan only while the store is
            # unchanged, so drop what the last run kept.
            cold(led)
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    best = min(times)
    ratio = f"   {best / baseline:5.2f}x baseline" if baseline else ""
    print(
        f"{name:<44} first {times[0] * 1000:7.1f} ms   best {best * 1000:7.1f} ms{ratio}",
        flush=True,
    )
    return best


BY_CATEGORY = """SELECT category, sum(amount_pence) FROM spend NOT INDEXED
                 WHERE date BETWEEN '2019-08-01' AND '2020-03-31' GROUP BY category"""
BY_MONTH = """SELECT substr(date, 1, 7), sum(amount_pence) FROM spend NOT INDEXED
              WHERE date BETWEEN '2019-08-01' AND '2020-03-31' GROUP BY substr(date, 1, 7)"""


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    # A store built once may be kept and timed again (10 million lines take minutes).
    kept = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as tmp:
        if kept is not None and kept.exists():
            led = fsgrant.open(kept)
        else:
            led = build(kept or Path(tmp) / "bench.db", lines)
        total = led.store.query_one("SELECT count(*) FROM spend")[0]
        print(f"spend lines in the store: {total:,}")
        conn = led.store.conn
        by_cat = timed(
            "baseline: SQL GROUP BY category", lambda: conn.execute(BY_CATEGORY).fetchall()
        )
        by_month = timed("baseline: SQL GROUP BY month", lambda: conn.execute(BY_MONTH).fetchall())
        timed(
            "report summary --as-at 2020-03-31",
            lambda: led.reports.summary("2020-03-31"),
            baseline=by_cat,
            led=led,
        )
        timed("report variance --year 2019/20", lambda: led.reports.variance("2019/20", "2020-03-31"),
              baseline=by_cat, led=led)  # fmt: skip
        timed("report profile --year 2019/20", lambda: led.reports.profile("2019/20", "2020-03-31"),
              baseline=by_month, led=led)  # fmt: skip
        timed(
            "report posts --year 2019/20",
            lambda: led.reports.posts("2020-03-31", "2019/20"),
            baseline=by_cat,
            led=led,
        )
        for by in ("funding-year", "financial-year", "month", "category", "post"):
            timed(f"report spend --by {by}", lambda by=by: led.reports.spend(by), led=led)
        timed("check --as-at 2020-03-31", lambda: led.check("2020-03-31"), baseline=by_cat, led=led)
        s = {y.label: y for y in led.reports.summary("2020-03-31").funding_years}["2019/20"]
        print(f"2019/20 as at 2020-03-31: actual {s.actual}, outturn {s.forecast_outturn}")
        led.close()


if __name__ == "__main__":
    main()
