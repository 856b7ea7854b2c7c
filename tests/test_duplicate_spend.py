"""The same invoice keyed twice: spend add warns (stderr, exit 0) naming the line it
may duplicate; the library says which line (fs.spend.possible_duplicate)."""

from __future__ import annotations

import json

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidInput


def test_the_same_invoice_keyed_twice(tmp_path) -> None:
    db = str(tmp_path / "grant.db")
    make_grant(tmp_path / "grant.db")
    runner = CliRunner()
    base = ["--db", db, "spend", "add", "2019-11-14", "18750.00", "training"]
    first = runner.invoke(app, [*base, "--supplier", "MI Training Ltd", "--ref", "INV-1"])
    said = "#1 £18,750.00 training, 14/11/2019, funding year 2019/20 (MI Training Ltd)\n"
    assert (first.exit_code, first.stdout, first.stderr) == (0, said, "")
    # Same date, amount and supplier (another reference): a warning naming line 1.
    again = runner.invoke(app, [*base, "--supplier", "MI Training Ltd", "--ref", "INV-2"])
    assert again.exit_code == 0
    assert again.stdout.startswith("#2 £18,750.00 training, 14/11/2019")
    assert again.stderr.startswith(
        "Warning: line 1 has the same date, amount and supplier: is line 2 the same invoice"
    )
    # Same reference, no supplier: JSON carries possible_duplicate_of.
    js = runner.invoke(app, [*base, "--ref", "INV-1", "--format", "json"])
    assert js.exit_code == 0
    assert json.loads(js.stdout)["possible_duplicate_of"] == 1
    assert "same date, amount and reference" in js.stderr
    # Another amount: no warning.
    other = runner.invoke(
        app, ["--db", db, "spend", "add", "2019-11-14", "18750.01", "training", "--ref", "INV-1"]
    )
    assert (other.stdout, other.stderr) == (
        "#4 £18,750.01 training, 14/11/2019, funding year 2019/20\n",
        "",
    )
    with fsgrant.open(db) as led:
        assert led.spend.possible_duplicate(led.spend.get(4)) is None
        with pytest.raises(InvalidInput):
            led.spend.possible_duplicate(4)
        # Once line 1 is reversed, it is no longer what a new line may duplicate.
        led.spend.reverse(2, "keyed twice")
        led.spend.reverse(3, "keyed twice")
        line = led.spend.add(
            "2019-11-14", "18750.00", "training", supplier="MI Training Ltd", reference="INV-1"
        )
        assert led.spend.possible_duplicate(line) == 1
        led.spend.reverse(1, "keyed against the wrong year")
        assert led.spend.possible_duplicate(line) is None
