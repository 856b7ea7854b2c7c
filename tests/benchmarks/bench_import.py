"""Benchmark: importing a large finance-system extract (not collected by pytest).

Generates an Agresso-like CSV extract of N rows, in two versions: one where 2% of
the rows are the grant's cost centres, and one where every row is. Each is imported
by ``Ledger.import_spend`` (parse, validate, deduplicate, store, in one transaction)
and compared with two baselines measured in the same run, both reading the file
with the ``csv`` module and inserting the grant's rows with ``sqlite3``
``executemany`` in one transaction (WAL, ``synchronous=FULL``):

* ``plain``: into a table of eight text columns, no index or constraint (the
  cheapest possible store: the issue's baseline);
* ``schema``: into fsgrant's own ``spend`` table (its indexes, checks, trigger and
  unique dedupe key), with naive conversions (no validation, no deduplication).

A third extract is fsgrant's own spend CSV (``date, amount, category, post,
supplier, description, reference, year``), every row new, imported without a mapping
(the default mapping, deduplicated by a hash of the whole line), against the same two
baselines inserting every row.

It prints rows per second, the ratios, and the peak resident memory of each run,
for N and N/10 rows so that any growth with file size shows.

Every measurement runs in its own process, so peak memory is that run's alone; the
import's clock starts after a first small import has loaded fsgrant's modules (start-up
is bench_startup.py's business).

    python tests/benchmarks/bench_import.py                 # N = 1,000,000
    python tests/benchmarks/bench_import.py --rows 200000   # on a slow machine
    python tests/benchmarks/bench_import.py --case hash     # fsgrant's own CSV only
    python tests/benchmarks/bench_import.py --repeat 5      # five rounds (default 3)

Each size is measured in rounds (``--repeat``), each round running the plain
baseline, the schema baseline and the import one after the other; the figures are
each run's median, and ``range`` gives the lowest and highest of the rounds' own
import/plain ratios, so a busy moment on a shared machine shows as a wide range
instead of moving the figure.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HEADER = [
    "Period",
    "Posting Date",
    "Transaction Number",
    "Cost Centre",
    "Expense Code",
    "Supplier Name",
    "Description",
    "Amount",
]
GRANT_CENTRES = ["FS100", "FS110", "FS120"]
OTHER_CENTRES = ["HW300", "LB400", "CS200", "AD500", "PH600"]
CODES = ["1100", "1150", "2400", "3100", "4100", "4500", "5900"]
MAPPING = """
[source]
name = "bench"
[columns]
date = "Posting Date"
amount = "Amount"
reference = "Transaction Number"
supplier = "Supplier Name"
description = "Description"
cost_centre = "Cost Centre"
expense_code = "Expense Code"
[filter]
cost_centres = ["FS100", "FS110", "FS120"]
[categories]
default = "other"
[categories.expense_code]
"1100" = "staffing"
"1150" = "staffing"
"2400" = "training"
"3100" = "case-recording"
"4100" = "programme-management"
"4500" = "evaluation"
"""


def generate(path: Path, rows: int, grant_share: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    first = date(2019, 8, 1)
    days = (date(2021, 3, 31) - first).days + 1
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for n in range(rows):
            day = first + timedelta(days=rng.randrange(days))
            centre = (
                rng.choice(GRANT_CENTRES)
                if rng.random() < grant_share
                else rng.choice(OTHER_CENTRES)
            )
            pence = rng.randrange(-50_000, 5_000_000) or 1
            amount = f"{pence / 100:,.2f}" if pence > 0 else f"({-pence / 100:,.2f})"
            w.writerow(
                [
                    f"{day.year}{day.month:02d}",
                    day.strftime("%d/%m/%Y"),
                    f"AGR-{n:08d}",
                    centre,
                    rng.choice(CODES),
                    rng.choice(["Provider Ltd", "Trainer Ltd", "", "Systems plc"]),
                    f"Line {n} of the benchmark extract",
                    amount,
                ]
            )


OWN_HEADER = ["date", "amount", "category", "post", "supplier", "description", "reference", "year"]
OWN_CATEGORIES = ["staffing", "training", "case-recording", "programme-management", "other"]


def generate_own(path: Path, rows: int, seed: int = 7) -> None:
    """fsgrant's own spend CSV: ISO dates, plain amounts, references that repeat (an
    invoice over several lines), so the lines are told apart by the whole line."""
    rng = random.Random(seed)
    first = date(2019, 8, 1)
    days = (date(2021, 3, 31) - first).days + 1
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(OWN_HEADER)
        for n in range(rows):
            day = first + timedelta(days=rng.randrange(days))
            pence = rng.randrange(-50_000, 5_000_000) or 1
            w.writerow(
                [
                    day.isoformat(),
                    f"{pence / 100:.2f}",
                    rng.choice(OWN_CATEGORIES),
                    "",
                    rng.choice(["Provider Ltd", "Trainer Ltd", "", "Systems plc"]),
                    f"Line {n} of the benchmark spend file",
                    f"INV-{n // 3:07d}",
                    "",
                ]
            )


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ledger(db: Path) -> Any:
    import fsgrant

    led = fsgrant.open(db)
    led.init("Family Safeguarding", "Department for Education", "Benchmark council")
    led.years.add("2019/20", "2490000.00", "2019-08-01")
    led.years.vary("2019/20", agreed_on="2020-02-14", reason="moved back", end="2021-03-31")
    return led


def child_import(extract: Path, mapping: Path, db: Path) -> dict[str, float]:
    # The clock starts once fsgrant's modules are loaded and its models built (a
    # one-off of about 0.1 s per process, which bench_startup.py counts): a first
    # import of the extract's first lines into a store of its own loads them.
    own = None if mapping.name == "-" else mapping
    warm = db.with_name(db.stem + "-warm.csv")
    with extract.open(encoding="utf-8") as f:
        warm.write_text("".join(f.readline() for _ in range(50)), encoding="utf-8")
    with _ledger(db.with_name(db.stem + "-warm.db")) as first:
        first.imports.import_file(warm, own)
    with _ledger(db) as led:
        started = time.perf_counter()
        result = led.imports.import_file(extract, own)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": result.rows_read,
        "added": result.rows_added,
        "peak_mib": _peak_mib(),
    }


def _timed_insert(
    conn, extract: Path, insert_sql: str, convert, own: bool = False
) -> dict[str, float]:
    """Read the extract with the csv module and insert the grant's rows (every row of
    fsgrant's own CSV), converted, with executemany in one transaction: the part both
    baselines share."""
    centres = set(GRANT_CENTRES)
    started = time.perf_counter()
    rows = 0
    with extract.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")

        def grant_rows():
            nonlocal rows
            for row in reader:
                rows += 1
                if own or row[3] in centres:
                    yield convert(row)

        conn.executemany(insert_sql, grant_rows())
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    added = conn.execute("SELECT count(*) FROM spend").fetchone()[0]
    conn.close()
    return {"seconds": seconds, "rows": rows, "added": added, "peak_mib": _peak_mib()}


def child_baseline(extract: Path, db: Path, own: bool = False) -> dict[str, float]:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE spend (period TEXT, date TEXT, reference TEXT, cost_centre TEXT, "
        "code TEXT, supplier TEXT, description TEXT, amount TEXT)"
    )
    return _timed_insert(
        conn, extract, "INSERT INTO spend VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lambda row: row, own
    )


def _as_spend_row(row: list[str]) -> tuple[object, ...]:
    d, m, y = row[1].split("/")
    amount = row[7].replace(",", "").replace("(", "-").replace(")", "")
    return (
        f"{y}-{m}-{d}",
        int(Decimal(amount) * 100),
        "other",
        row[5],
        row[6],
        row[2],
        "ref:bench:" + row[2],
        "2020-04-03T00:00:00+00:00",
        "bench",
    )


def _as_own_spend_row(row: list[str]) -> tuple[object, ...]:
    # A text key the size of the hash keys of fsgrant 0.1 (no hashing: naive).
    return (
        row[0],
        int(Decimal(row[1]) * 100),
        row[2],
        row[4],
        row[5],
        row[6],
        "hash:" + row[5].ljust(64, "0"),
        "2020-04-03T00:00:00+00:00",
        "bench",
    )


def child_schema_baseline(extract: Path, db: Path, own: bool = False) -> dict[str, float]:
    import fsgrant

    with fsgrant.open(db) as led:
        led.init("Family Safeguarding", "Department for Education", "Benchmark council")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return _timed_insert(
        conn,
        extract,
        "INSERT INTO spend (date, amount_pence, category, supplier, description, "
        "reference, dedupe_key, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _as_own_spend_row if own else _as_spend_row,
        own,
    )


def median_rps(rounds: Sequence[tuple[dict[str, float], ...]], k: int) -> float:
    """The median rows per second of the ``k``-th run of each round."""
    return statistics.median(r[k]["rows"] / r[k]["seconds"] for r in rounds)


def run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--case",
        choices=("all", "mapped", "hash"),
        default="all",
        help="the mapped extracts, fsgrant's own CSV (hash), or all",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (median)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # An installed package has its .pyc files; a checkout may not have them all yet.
    compileall.compile_dir(Path(__file__).parents[2] / "fsgrant", quiet=1)
    if args.child:
        kind, *paths = args.child
        own = paths[0].endswith("-own.csv")
        if kind == "import":
            print(json.dumps(child_import(Path(paths[0]), Path(paths[1]), Path(paths[2]))))
        elif kind == "schema":
            print(json.dumps(child_schema_baseline(Path(paths[0]), Path(paths[1]), own)))
        else:
            print(json.dumps(child_baseline(Path(paths[0]), Path(paths[1]), own)))
        return

    print(f"Import benchmark, fsgrant in {Path(__file__).resolve().parents[2]}")
    print(
        f"{'extract':<16} {'rows':>10} {'added':>9} {'import r/s':>11} {'plain r/s':>10} "
        f"{'ratio':>6} {'range':>11} {'schema r/s':>11} {'ratio':>6} {'import MiB':>11} "
        f"{'plain MiB':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="fsgrant-bench-") as tmp:
        folder = Path(tmp)
        mapping = folder / "bench.toml"
        mapping.write_text(MAPPING, encoding="utf-8")
        cases = [(0.02, "2% the grant's"), (1.0, "all the grant's"), (None, "own CSV, hash")]
        if args.case != "all":
            cases = [c for c in cases if (c[0] is None) == (args.case == "hash")]
        for share, label in cases:
            for rows in (args.rows // 10, args.rows):
                tag = "own" if share is None else str(int(share * 100))
                extract = folder / f"extract-{rows}-{tag}.csv"
                if share is None:
                    generate_own(extract, rows)
                else:
                    generate(extract, rows, share)
                rounds = []
                for n in range(max(1, args.repeat)):
                    db = f"{rows}-{tag}-{n}.db"
                    base = run_child("baseline", str(extract), str(folder / f"base-{db}"))
                    schema = run_child("schema", str(extract), str(folder / f"sch-{db}"))
                    imp = run_child(
                        "import",
                        str(extract),
                        "-" if share is None else str(mapping),
                        str(folder / f"imp-{db}"),
                    )
                    assert imp["added"] == base["added"], (imp, base)
                    assert schema["added"] == base["added"], (schema, base)
                    rounds.append((base, schema, imp))
                    for old in folder.glob(f"*-{db}*"):
                        old.unlink()
                base_rps, schema_rps, imp_rps = (median_rps(rounds, k) for k in range(3))
                ratios = [
                    (i["rows"] / i["seconds"]) / (b["rows"] / b["seconds"]) for b, _, i in rounds
                ]
                imp, base = rounds[-1][2], rounds[-1][0]
                peak = max(r[2]["peak_mib"] for r in rounds)
                span = f"{min(ratios):.2f}-{max(ratios):.2f}"
                print(
                    f"{label:<16} {int(imp['rows']):>10,} {int(imp['added']):>9,} "
                    f"{imp_rps:>11,.0f} {base_rps:>10,.0f} {imp_rps / base_rps:>6.2f} "
                    f"{span:>11} {schema_rps:>11,.0f} {imp_rps / schema_rps:>6.2f} "
                    f"{peak:>11.1f} {base['peak_mib']:>10.1f}",
                    flush=True,
                )
                extract.unlink()


if __name__ == "__main__":
    main()
