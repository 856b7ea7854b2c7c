"""The sizes of all spend lines added up (the limit that keeps every total showable)
are kept with the last line counted, so logging a line reads only the lines added
since: by fsgrant or by any other program writing to the store."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from fsgrant.errors import InvalidInput


@pytest.fixture
def led(new_ledger):
    return new_ledger()


def other_program_adds(led, pence: int) -> None:
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute(
            "INSERT INTO spend (date, amount_pence, category, recorded_at, recorded_by) "
            "VALUES ('2019-09-02', ?, 'training', '2019-09-02T00:00:00+00:00', 'other')",
            [pence],
        )


def test_lines_added_by_another_program_count_towards_the_limit(led):
    first = led.spend.add("2019-09-01", "100.00", "training")
    led.spend.reverse(first.id, reason="entered twice")
    led.spend.add("2019-09-01", "-40.00", "training")
    # 40.00 by size: the 100.00 line and its reversal net to zero and take no room.
    assert led.tables.spend.gross_pence() == 4_000
    # Another program adds 999,999,999,800.00: 999,999,999,840.00 by size in all.
    other_program_adds(led, 99_999_999_980_000)
    assert led.tables.spend.gross_pence() == 99_999_999_984_000
    # The limit is 999,999,999,999.99: 159.99 more fits, 160.00 does not.
    with pytest.raises(InvalidInput, match="add up to"):
        led.spend.add("2019-09-03", "160.00", "training")
    led.spend.add("2019-09-03", "159.99", "training")
    assert led.tables.spend.gross_pence() == 99_999_999_999_999


def test_doctor_says_when_the_kept_size_does_not_match_the_lines(led):
    led.spend.add("2019-09-01", "100.00", "training")
    led.spend.add("2019-09-02", "25.00", "training")  # the mark now counts both lines
    assert {f.code: f.severity for f in led.doctor()}["spend_gross"] == "ok"
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute(
            "UPDATE fsgrant_meta SET value = '2 10000' WHERE key = 'spend_gross_unreversed'"
        )
    bad = [f for f in led.doctor() if f.code == "spend_gross"]
    assert bad[0].severity == "error"
    assert "is 10000 pence but its lines add up to 12500" in bad[0].message
    assert Decimal("125.00") == sum(line.amount for line in led.spend.list())


def test_doctor_checks_that_receipt_reversals_net_to_zero(led):
    # The store's trigger refuses a reversal that does not net its receipt to zero; a
    # store written around it (the trigger dropped by another program) is caught.
    led.receipts.add("2019-09-01", "500.00", "2019/20")
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER receipts_reversal_matches")
        conn.execute(
            "INSERT INTO receipts (date, amount_pence, funding_year, reverses, reason, "
            "recorded_at, recorded_by) VALUES ('2019-09-01', -40000, '2019/20', 1, 'typo', "
            "'2019-09-02T00:00:00+00:00', 'other')"
        )
    found = [f for f in led.doctor() if f.code == "reversals"]
    assert [(f.severity, f.message) for f in found] == [
        ("error", "receipt 2 does not net line 1 to zero")
    ]


def test_a_reversed_mistake_takes_no_room(led):
    # 999,999,999,999.00 typed for 999.00: a penny short of the limit's
    # 999,999,999,999.99, by 99 pence.
    typo = led.spend.add("2019-09-01", "999999999999.00", "training")
    with pytest.raises(InvalidInput, match="add up to"):
        led.spend.add("2019-09-02", "1.00", "training")  # 100 pence more than the 99 left
    led.spend.reverse(typo.id, reason="typed for 999.00")
    # The line and its reversal net to zero: nothing counts, and a normal line fits.
    assert led.tables.spend.gross_pence() == 0
    led.spend.add("2019-09-02", "999.00", "training")
    assert led.tables.spend.gross_pence() == 99_900
    assert {f.code: f.severity for f in led.doctor()}["spend_gross"] == "ok"
    # An unreversed huge line still blocks: 999,999,999,000.00 + 999.00 by size leaves
    # 0.99, so 1.00 more is refused.
    led.spend.add("2019-09-03", "999999999000.00", "training")
    with pytest.raises(InvalidInput, match="add up to"):
        led.spend.add("2019-09-04", "1.00", "training")
    led.spend.add("2019-09-04", "0.99", "training")
    assert led.tables.spend.gross_pence() == 99_999_999_999_999
    assert {f.code: f.severity for f in led.doctor()}["spend_gross"] == "ok"


def test_a_reversal_read_with_its_line_in_one_pass_nets_to_zero(led):
    # Both lines come after the kept mark: counted together, they take no room.
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute("DELETE FROM fsgrant_meta WHERE key = 'spend_gross_unreversed'")
    big = led.spend.add("2019-09-01", "500.00", "training")
    led.spend.add("2019-09-01", "20.00", "training")
    led.spend.reverse(big.id, reason="wrong grant")
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute("DELETE FROM fsgrant_meta WHERE key = 'spend_gross_unreversed'")
    assert led.tables.spend.gross_pence() == 2_000  # 20.00 only


def test_a_store_kept_by_an_older_fsgrant_is_counted_again(led):
    # fsgrant before this counted a reversed line under the key 'spend_gross'; that sum
    # is not read (it would overstate), and is dropped when the new one is written.
    big = led.spend.add("2019-09-01", "500.00", "training")
    led.spend.reverse(big.id, reason="wrong grant")
    with sqlite3.connect(led.path, isolation_level=None) as conn:
        conn.execute("DELETE FROM fsgrant_meta WHERE key = 'spend_gross_unreversed'")
        conn.execute("INSERT INTO fsgrant_meta (key, value) VALUES ('spend_gross', '2 50000')")
    led.spend.add("2019-09-02", "20.00", "training")
    assert led.tables.spend.gross_pence() == 2_000
    with sqlite3.connect(led.path) as conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM fsgrant_meta WHERE key LIKE 'spend%'")}
    assert keys == {"spend_gross_unreversed"}


def test_a_reversed_receipt_takes_no_room(led):
    first = led.receipts.add("2019-09-01", "999999999999.00", "2019/20")
    led.receipts.reverse(first.id, reason="typed for 999.00")
    led.receipts.add("2019-09-02", "999.00", "2019/20")
    assert led.tables.receipts.gross_pence() == 99_900
