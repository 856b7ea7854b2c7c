"""Every table command in an 80- and a 100-column terminal: no money or date cell is
cut (text columns wrap or narrow first; a table too wide for the terminal is shown
one record at a time)."""

import csv
import io
import re
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.domain.money import format_pounds

runner = CliRunner()

MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out / "demo.db"


TABLES = [
    ["spend", "list"],
    ["post", "list", "--as-at", "2020-03-31"],
    ["post", "show", "PROB-N1"],
    ["year", "list"],
    ["estimate", "list"],
    ["receipt", "list"],
    ["imports", "list"],
    ["imports", "show", "1"],
    ["report", "variance", "--year", "2019/20", "--as-at", "2020-03-31"],
    ["report", "posts", "--as-at", "2020-03-31"],
    ["report", "profile", "--year", "2019/20", "--as-at", "2020-03-31"],
    ["report", "spend", "--by", "month"],
    ["report", "summary", "--as-at", "2020-03-31"],
    ["period", "list"],
    ["check", "--as-at", "2020-03-31"],
]


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("args", TABLES, ids=" ".join)
def test_no_money_or_date_is_cut(demo_db, args, width):
    machine = runner.invoke(app, ["--db", str(demo_db), *args, "-f", "csv"])
    table = runner.invoke(app, ["--db", str(demo_db), *args], env={"COLUMNS": str(width)})
    assert table.exit_code == machine.exit_code, table.output
    assert "…" not in table.stdout
    # Table lines fit the terminal (messages printed after a table may be wrapped by it).
    for line in table.stdout.splitlines():
        if "£" in line or "│" in line:
            assert len(line) <= width, (width, line)
    figures = [
        c
        for row in csv.reader(io.StringIO(machine.stdout))
        for c in row
        if MONEY.match(c) or DAY.match(c)
    ]
    if args[0] not in ("period", "check"):  # the demo has no closed period, no dated finding
        assert figures, "the command shows figures or dates"
    for figure in figures:
        shown = format_pounds(Decimal(figure)) if MONEY.match(figure) else figure
        assert shown in table.stdout or figure in table.stdout, (args, width, figure)
