"""A return with no date of its own speaks for a sensible day: today within its
funding year; once the year has ended, the year's last day as varied by then."""

from __future__ import annotations

from datetime import date

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)  # 2019/20 from 1 August 2019 (to 31 July 2020); 2020/21 from 1 August 2020
    return path


def test_an_ended_year_speaks_as_at_its_last_day_as_varied_by_then(db):
    with fsgrant.open(db, create=False) as led:
        ex = led.exports
        # Within the year (and before it): today.
        assert ex.default_as_at("2019/20", date(2020, 3, 31)) == (date(2020, 3, 31), False)
        assert ex.default_as_at("2019/20", date(2019, 6, 1)) == (date(2019, 6, 1), False)
        # Ended: 1 August 2019 + 12 months - 1 day = 31 July 2020.
        assert ex.default_as_at("2019/20", date(2021, 1, 5)) == (date(2020, 7, 31), True)
        # Extended to 30 September 2020 by a variation agreed on 1 June 2020: ended on
        # the new last day.
        led.years.vary("2019/20", agreed_on="2020-06-01", reason="late start", end="2020-09-30")
        assert ex.default_as_at("2019/20", date(2021, 1, 5)) == (date(2020, 9, 30), True)
        assert ex.default_as_at("2019/20", date(2020, 8, 15)) == (date(2020, 8, 15), False)
        # The library's default is the same day.
        assert ex.return_data("2019/20", changes=False).as_at == date(2020, 9, 30)


def test_cli_says_an_ended_year_is_as_at_its_end(db, tmp_path):
    out = tmp_path / "ret.xlsx"
    r = CliRunner().invoke(
        app, ["--db", str(db), "export", "return", "--year", "2019/20", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert (
        "Funding year 2019/20 ended on 31/07/2020: the return is as at that day "
        "(give --as-at for another)." in r.output
    )
    with fsgrant.open(db, create=False) as led:
        assert led.exports.verify(out).as_at == date(2020, 7, 31)
