"""Small scenarios shared by the tests (plain functions, not fixtures)."""

from __future__ import annotations

from pathlib import Path

import fsgrant
from fsgrant.services.ledger import Ledger

FS_GRANT = ("FS", "DfE", "Council")
"""A grant's name, funder and recipient, short (for the ``new_ledger`` fixture)."""
TWO_YEARS = (
    ("2019/20", "2490000.00", "2019-08-01"),
    ("2020/21", "1600000.00", "2020-08-01", "in-principle"),
)
"""2019/20: 1 Aug 2019 - 31 Jul 2020, confirmed; 2020/21: 1 Aug 2020 - 31 Jul 2021, in
principle (for the ``new_ledger`` fixture)."""


def two_year_grant(path: Path) -> Ledger:
    """The report's grant in miniature.

    2019/20: 2,490,000.00, 1 Aug 2019 - 31 Jul 2020 (default end), confirmed.
    2020/21: 1,600,000.00, 1 Aug 2020 - 31 Jul 2021, in principle, two conditions.
    """
    led = fsgrant.open(path)
    led.init("Family Safeguarding", "Department for Education", "Cambridgeshire County Council")
    led.years.add("2019/20", "2490000.00", "2019-08-01", confirmed_on="2019-08-01")
    led.years.add(
        "2020/21",
        "1600000.00",
        "01/08/2020",
        status="in-principle",
        conditions=["Evidence of onward sustainability", "Spend in line with original estimates"],
    )
    return led
