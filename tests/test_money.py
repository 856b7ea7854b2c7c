from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsgrant.domain.money import (
    as_money,
    format_money,
    format_pounds,
    from_pence,
    parse_amount,
    percent,
    round_half_up,
    split_evenly,
    to_pence,
)
from fsgrant.errors import InvalidAmount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("-12.00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("(£1,234.56)", "-1234.56"),
        ("-£5", "-5.00"),
        ("£-5", "-5.00"),
        ("250", "250.00"),
        ("  0.1 ", "0.10"),
        ("1,000,000.5", "1000000.50"),
    ],
)
def test_accepted_amount_forms(text, expected):
    assert parse_amount(text) == Decimal(expected)
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12.345", "more than two decimal places"),
        ("1e3", "no exponents"),
        ("1E3", "no exponents"),
        ("NaN", "no exponents, NaN or infinity"),
        ("inf", "no exponents, NaN or infinity"),
        ("-Infinity", "no exponents, NaN or infinity"),
        ("", "empty amount"),
        ("   ", "empty amount"),
        ("1,23.00", "is not an amount"),
        ("12,34", "is not an amount"),
        ("abc", "is not an amount"),
        ("--5", "is not an amount"),
        ("(-5)", "two minus signs"),
        ("£", "is not an amount"),
        ("1.2.3", "is not an amount"),
    ],
)
def test_refused_amount_forms_say_why(text, words):
    with pytest.raises(InvalidAmount) as err:
        parse_amount(text)
    assert words in str(err.value)


def test_floats_and_bools_are_refused_by_the_api():
    with pytest.raises(InvalidAmount, match="floating-point"):
        as_money(0.1)
    with pytest.raises(InvalidAmount):
        as_money(True)
    with pytest.raises(InvalidAmount, match="more than two decimal places"):
        as_money(Decimal("0.105"))
    with pytest.raises(InvalidAmount, match="finite"):
        as_money(Decimal("NaN"))
    assert as_money(Decimal("0.100")) == Decimal("0.10")
    assert as_money(7) == Decimal("7.00")


def test_half_up_not_bankers():
    # Banker's rounding would give 0.02 and 2.34; the UK rule rounds halves up.
    assert round_half_up(Decimal("0.025")) == Decimal("0.03")
    assert round_half_up(Decimal("2.345")) == Decimal("2.35")
    assert round_half_up(Decimal("-2.345")) == Decimal("-2.35")
    assert round_half_up(Decimal("2.3449")) == Decimal("2.34")


def test_percent_is_to_one_place_half_up():
    # 1 / 16 = 6.25%: half-up gives 6.3 (banker's rounding would give 6.2).
    assert percent(Decimal("1"), Decimal("16")) == Decimal("6.3")
    assert percent(Decimal("-1"), Decimal("16")) == Decimal("-6.3")
    # 1 / 3 = 33.333...% -> 33.3; 2 / 3 = 66.666...% -> 66.7.
    assert percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert percent(Decimal("2"), Decimal("3")) == Decimal("66.7")
    # 500.00 over 2,000.00 = 25%, shown to one place.
    assert str(percent(Decimal("500.00"), Decimal("2000.00"))) == "25.0"
    assert percent(Decimal("5"), Decimal("0")) is None


def test_split_adds_up_exactly():
    assert split_evenly(Decimal("10.00"), 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert split_evenly(Decimal("-0.05"), 2) == [Decimal("-0.03"), Decimal("-0.02")]
    # 2,490,000.00 over 12 months: 207,500.00 each, no remainder.
    assert set(split_evenly(Decimal("2490000.00"), 12)) == {Decimal("207500.00")}


def test_pence_round_trip_and_formats():
    assert to_pence(Decimal("1234.56")) == 123456
    assert from_pence(-1) == Decimal("-0.01")
    with pytest.raises(InvalidAmount):
        to_pence(Decimal("0.001"))
    assert format_money(Decimal("2490000")) == "2490000.00"
    assert format_pounds(Decimal("2490000")) == "£2,490,000.00"
    assert format_pounds(Decimal("-12")) == "-£12.00"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_any_pence_value_round_trips_through_text(pence):
    text = format_money(from_pence(pence))
    assert to_pence(parse_amount(text)) == pence
