"""Benchmark: ``export verify`` of a DfE return with many transactions, against the
export of the same return.

Not collected by pytest (``norecursedirs``). Run it by hand::

    python tests/benchmarks/bench_verify.py [ROWS ...]     # default: 200000

For each size it builds a store (as ``bench_export.py`` does), then, each in a fresh
process, measures:

* ``export``: ``Ledger.exports.write_return`` (the baseline: its peak memory is flat
  in the number of lines);
* ``verify``: ``Ledger.exports.verify`` of that file, never submitted (its figures
  read from the file, then every cell compared);
* ``submitted``: the file registered (``return submit``), then verified again (the
  figures as registered).

It prints wall time, the process's peak resident size and each peak as a ratio to
the export's. The target: verify's peak at most twice the export's.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import AS_AT, LABEL, build_store


def child(kind: str, db: str, out: str) -> None:
    import fsgrant

    t0 = time.perf_counter()
    with fsgrant.open(Path(db), create=False) as led:
        if kind == "export":
            led.exports.write_return(LABEL, AS_AT, out=Path(out), force=True)
        elif kind == "verify":
            check = led.exports.verify(out)
            assert check.ledger_matches and not check.edited, check.summary
        elif kind == "submit":
            led.returns.submit(out, on=AS_AT)
        else:
            check = led.exports.verify(out)
            assert check.file_matches_submission and check.ledger_matches, check.summary
    seconds = time.perf_counter() - t0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rss_kb": rss_kb}))


def measure(kind: str, db: Path, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(db), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int]) -> None:
    print(f"export verify benchmark (Python {sys.version.split()[0]})")
    print(f"{'rows':>8} {'what':>10} {'time s':>8} {'max RSS MB':>11} {'x export':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            db = Path(tmp) / f"bench-{rows}.db"
            build_store(db, rows)
            out = Path(tmp) / f"return-{rows}.xlsx"
            runs = {kind: measure(kind, db, out) for kind in ("export", "verify", "submit")}
            runs["submitted"] = measure("submitted", db, out)
            base = runs["export"]["rss_kb"]
            for kind, run in runs.items():
                print(
                    f"{rows:>8} {kind:>10} {run['seconds']:>8.2f} "
                    f"{run['rss_kb'] / 1024:>11.1f} {run['rss_kb'] / base:>9.2f}"
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main([int(a) for a in sys.argv[1:]] or [200_000])
