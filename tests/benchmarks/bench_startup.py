"""Start-up time of the command line against ``python -c "import typer"``.

Run: python tests/benchmarks/bench_startup.py [runs]

Prints the median wall time of each command over several runs and its ratio to the
baseline measured in the same run (targets: ``fsgrant --help`` at most 1.3x, ``fsgrant
spend add`` at most 3x). The package is byte-compiled first, as an installed one is.
"""

from __future__ import annotations

import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_TYPER = """
import typer
app = typer.Typer()
@app.command()
def add(date: str, amount: str, category: str) -> None:
    print(1)
app(["2020-02-04", "12.00", "training"])
"""


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_walls(cases: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median and minimum wall time of each command; the commands take turns, so a
    busy moment on the machine slows them all alike."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            times[name].append(wall(cmd))
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    # An installed package has its .pyc files; a checkout may not have them all yet.
    compileall.compile_dir(Path(__file__).parents[2] / "fsgrant", quiet=1)
    exe = Path(sys.executable)
    script = exe.with_name("fsgrant")
    fsgrant = [str(script)] if script.exists() else [sys.executable, "-m", "fsgrant"]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        base = [*fsgrant, "--db", db]
        subprocess.run(
            [*base, "init", "--grant", "G", "--funder", "DfE", "--recipient", "Council"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*base, "year", "add", "2019/20", "--amount", "2490000", "--start", "2019-08-01"],
            check=True,
            capture_output=True,
        )
        cases = {
            'python -c "import typer" (baseline)': [sys.executable, "-c", "import typer"],
            # What typer itself costs to run one command with three text arguments:
            # it builds a pydantic TypeAdapter per parameter, so it imports pydantic.
            "a bare typer command (reference)": [sys.executable, "-c", BARE_TYPER],
            "fsgrant --help": [*fsgrant, "--help"],
            "fsgrant spend add": [*base, "spend", "add", "04/02/2020", "12.00", "training"],
        }
        median_walls(cases, 1)  # warm the file cache
        results = median_walls(cases, runs)
    baseline, base_min = next(iter(results.values()))
    print(f"start-up over {runs} runs ({shutil.which('fsgrant') or ' '.join(fsgrant)})")
    print(f"  {'command':<42} {'median':>9} {'ratio':>6} {'min':>9} {'ratio':>6}")
    for name, (med, low) in results.items():
        print(
            f"  {name:<42} {med * 1000:6.1f} ms {med / baseline:5.2f}x"
            f" {low * 1000:6.1f} ms {low / base_min:5.2f}x"
        )
    print("  targets: fsgrant --help at most 1.3x, fsgrant spend add at most 3x the baseline")


if __name__ == "__main__":
    main()
