"""The reports as people see them in a real terminal: each command runs in a
pseudo-terminal of 80 and of 120 columns (a real one, with its window size set, not
only $COLUMNS), on the worked example (``fsgrant demo``).

At 80 columns every report reads as a table: `report summary` in at most 30 lines,
`report variance` in at most 45, no line wider than the terminal, and every figure
and date whole (each figure the report's JSON gives is found, unbroken, in the text).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
from decimal import Decimal as D

import pytest
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.domain.money import format_pounds

AS_AT = "2020-03-31"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return str(out / "demo.db")


def in_terminal(db: str, columns: int, *args: str) -> list[str]:
    """The lines ``fsgrant --db DB ARGS`` shows in a pseudo-terminal ``columns`` wide."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fsgrant", "--db", db, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has finished
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    return text.rstrip("\n").split("\n")


def as_json(db: str, *args: str):
    result = CliRunner().invoke(app, ["--db", db, *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def whole(lines: list[str], figures) -> None:
    text = "\n".join(lines)
    for figure in figures:
        assert figure in text, f"{figure} is not shown whole"


def narrow_enough(lines: list[str], columns: int) -> None:
    assert max(len(line.rstrip()) for line in lines) <= columns


SUMMARY = ("report", "summary", "--as-at", AS_AT)
VARIANCE = ("report", "variance", "--year", "2019/20", "--as-at", AS_AT)


def _summary_figures(data) -> list[str]:
    money = ("award", "received", "actual", "forecast_outturn", "underspend_at_risk")
    years = data["funding_years"]
    figures = [format_pounds(D(y[f])) for y in years for f in money]
    return figures + [y[f] for y in years for f in ("start", "end")]


def test_the_summary_at_80_columns_is_a_table_of_at_most_30_lines(demo):
    lines = in_terminal(demo, 80, *SUMMARY)
    assert len(lines) <= 30
    narrow_enough(lines, 80)
    whole(lines, _summary_figures(as_json(demo, *SUMMARY)))
    # The status in a word, the detail in a note under the table.
    assert any(line.startswith("* 2020/21: in-principle (not secure") for line in lines)
    # The demo's money at risk: 717,822.21 less the virement (100,000.00) and the
    # agency cover (24,000.00) of the example's routines.
    assert "£593,822.21" in "\n".join(lines)


def test_the_summary_at_120_columns_keeps_the_status_in_words(demo):
    lines = in_terminal(demo, 120, *SUMMARY)
    narrow_enough(lines, 120)
    assert "in-principle (not secure: 0 of 2 conditions met)" in "\n".join(lines)
    whole(lines, _summary_figures(as_json(demo, *SUMMARY)))


def test_the_variance_at_80_columns_is_two_tables_in_at_most_45_lines(demo):
    lines = in_terminal(demo, 80, *VARIANCE)
    assert len(lines) <= 45
    narrow_enough(lines, 80)
    data = as_json(demo, *VARIANCE)
    fields = ("estimate_original", "actual", "outturn", "variance", "budget_to_date")
    whole(lines, [format_pounds(D(x[f])) for x in [*data["lines"], data["totals"]] for f in fields])
    assert "Award £2,490,000.00; underspend at risk £593,822.21; overspend £0.00." in lines


@pytest.mark.parametrize("columns", [80, 120])
def test_posts_and_spend_keep_every_figure_whole(demo, columns):
    posts = ("report", "posts", "--as-at", AS_AT)
    lines = in_terminal(demo, columns, *posts)
    narrow_enough(lines, columns)
    data = as_json(demo, *posts)
    whole(lines, [format_pounds(D(p["forecast_cost"])) for p in data["posts"]])
    whole(lines, [p["status_since"] for p in data["posts"] if p["status_since"]])
    # The days each blocked post has been stuck (14 October 2019 to 31 March: 169).
    assert "Blocked: PROB-N1 since 2019-10-14 (169 days)" in lines
    lines = in_terminal(demo, columns, "spend", "list")
    narrow_enough(lines, columns)
    spend = as_json(demo, "spend", "list")
    whole(lines, [format_pounds(D(x["amount"])) for x in spend if x["amount"]])
    whole(lines, [x["date"] for x in spend if x["date"]])


def test_a_listing_too_wide_for_the_terminal_is_split_into_tables_not_records(demo):
    # `post list` has fourteen columns: at 80 it is a few tables of the same posts,
    # the post's id first in each, rather than a block of lines per post.
    args = ("post", "list", "--as-at", AS_AT)
    lines = in_terminal(demo, 80, *args)
    narrow_enough(lines, 80)
    titles = [line.strip() for line in lines if line.strip().startswith("Posts as at")]
    assert titles[0] == f"Posts as at {AS_AT} (1 of {len(titles)})" and len(titles) > 1
    posts = as_json(demo, *args)
    whole(lines, [format_pounds(D(p["annual_cost"])) for p in posts])
    whole(lines, [p[f] for p in posts for f in ("planned_start", "status_since") if p[f]])
    assert len(lines) < 200  # a block of lines per post took 312
