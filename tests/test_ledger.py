import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario import two_year_grant

import fsgrant
from fsgrant.errors import Conflict, InvalidInput, NotFound, SourceError, StoreError


def test_spend_is_allocated_by_date_and_by_financial_year(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    a = led.spend.add("31/03/2020", "100.00", "training")  # 2019/20, FY2019/20
    b = led.spend.add("2020-04-01", "50.00", "training")  # 2019/20, FY2020/21
    c = led.spend.add("2020-08-01", "25.00", "training")  # 2020/21, FY2020/21
    assert (a.funding_year, a.financial_year) == ("2019/20", "FY2019/20")
    assert (b.funding_year, b.financial_year) == ("2019/20", "FY2020/21")
    assert (c.funding_year, c.financial_year) == ("2020/21", "FY2020/21")
    fy = {line.id for line in led.spend.list(financial_year="FY2020/21")}
    assert fy == {b.id, c.id}


def test_a_date_no_funding_year_covers_is_refused(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    with pytest.raises(Conflict, match=r"no funding year covers 2019-07-31"):
        led.spend.add("2019-07-31", "10.00", "training")
    with pytest.raises(Conflict, match="outside funding year 2020/21"):
        led.spend.add("2020-07-31", "10.00", "training", year="2020/21")
    assert led.spend.list() == []


def test_overlap_after_an_extension_goes_to_the_earlier_year(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    line = led.spend.add("2020-09-15", "1000.00", "staffing")
    assert line.funding_year == "2020/21"
    # Agreed 14 Feb 2021: 2019/20 may run to 31 March 2021. From 1 Aug 2020 to
    # 31 Mar 2021 both years cover the day: older money (2019/20) is used first.
    led.years.vary(
        "2019/20", agreed_on="2021-02-14", reason="envelope moved back", end="2021-03-31"
    )
    assert led.spend.get(line.id).funding_year == "2019/20"
    # As at a date before the agreement, the line still belongs to 2020/21.
    as_before = led.spend.list(as_at="2021-02-13")
    assert [x.funding_year for x in as_before] == ["2020/21"]
    # A line explicitly charged to 2020/21 stays there.
    explicit = led.spend.add("2020-09-16", "5.00", "staffing", year="2020/21")
    assert led.spend.get(explicit.id).funding_year == "2020/21"
    summary = {y.label: y for y in led.reports.summary().funding_years}
    assert summary["2019/20"].actual == Decimal("1000.00")
    assert summary["2020/21"].actual == Decimal("5.00")


def test_variations_apply_as_at_their_agreed_date(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    led.years.vary("2019/20", agreed_on="2020-02-14", reason="moved back", end="2021-03-31")
    led.years.vary("2020/21", agreed_on="2020-09-01", reason="confirmed", status="confirmed")
    led.years.vary(
        "2019/20", agreed_on="2020-10-01", reason="reprofile", move="90000.00", to="2020/21"
    )
    before = {y.label: y for y in led.years.list("2020-02-13")}
    assert before["2019/20"].end.isoformat() == "2020-07-31"
    assert before["2020/21"].status == "in-principle"
    mid = {y.label: y for y in led.years.list("2020-09-01")}
    assert mid["2019/20"].end.isoformat() == "2021-03-31"
    assert mid["2020/21"].status == "confirmed"
    assert mid["2020/21"].confirmed_on.isoformat() == "2020-09-01"
    assert mid["2019/20"].award == Decimal("2490000.00")
    now = {y.label: y for y in led.years.list()}
    # 2,490,000.00 - 90,000.00 = 2,400,000.00; 1,600,000.00 + 90,000.00 = 1,690,000.00
    assert now["2019/20"].award == Decimal("2400000.00")
    assert now["2020/21"].award == Decimal("1690000.00")
    assert now["2019/20"].original_award == Decimal("2490000.00")
    assert now["2019/20"].original_end.isoformat() == "2020-07-31"
    assert len(led.years.variations()) == 3


def test_variations_refuse_nonsense(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    with pytest.raises(InvalidInput, match="exactly one change"):
        led.years.vary("2019/20", agreed_on="2020-01-01", reason="x")
    with pytest.raises(InvalidInput, match="exactly one change"):
        led.years.vary(
            "2019/20", agreed_on="2020-01-01", reason="x", end="2021-01-01", award="1.00"
        )
    with pytest.raises(InvalidInput, match="cannot move"):
        led.years.vary(
            "2019/20", agreed_on="2020-01-01", reason="x", move="3000000.00", to="2020/21"
        )
    with pytest.raises(NotFound):
        led.years.vary("2018/19", agreed_on="2020-01-01", reason="x", end="2021-01-01")
    with pytest.raises(InvalidInput, match="before it starts"):
        led.years.vary("2019/20", agreed_on="2020-01-01", reason="x", end="2019-01-01")
    with pytest.raises(InvalidInput, match="reason"):
        led.years.vary("2019/20", agreed_on="2020-01-01", reason=" ", end="2021-01-01")
    assert led.years.variations() == []


def test_funding_year_rules(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    with pytest.raises(Conflict, match="exists already"):
        led.years.add("2019/20", "1.00", "2021-08-01")
    with pytest.raises(InvalidInput, match="financial year"):
        led.years.add("FY2021/22", "1.00", "2021-08-01")
    with pytest.raises(InvalidInput, match="in-principle"):
        led.years.add("2021/22", "1.00", "2021-08-01", status="withdrawn")
    y = led.years.get("2020/21")
    assert y.conditions == (
        "Evidence of onward sustainability",
        "Spend in line with original estimates",
    )
    assert not y.secure


def test_reversal_nets_to_zero_in_the_same_period(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    led.spend.add("2020-03-31", "200.00", "training")
    wrong = led.spend.add("2020-03-31", "1234.56", "training", supplier="Typo Ltd")
    rev = led.spend.reverse(wrong.id, "keyed twice")
    assert rev.amount == Decimal("-1234.56")
    assert (rev.date, rev.category, rev.funding_year) == (
        wrong.date,
        wrong.category,
        wrong.funding_year,
    )
    assert rev.reverses == wrong.id
    assert led.spend.get(wrong.id).reversed_by == rev.id
    # 200.00 + 1234.56 - 1234.56 = 200.00
    y = {r.label: r for r in led.reports.summary().funding_years}["2019/20"]
    assert y.actual == Decimal("200.00")
    with pytest.raises(Conflict, match="already reversed"):
        led.spend.reverse(wrong.id, "again")
    with pytest.raises(Conflict, match="cannot be reversed"):
        led.spend.reverse(rev.id, "undo the undo")
    with pytest.raises(NotFound):
        led.spend.reverse(999, "nothing")


def test_estimates_keep_the_original(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    led.estimates.set("2019/20", "training", "250000.00", on="2019-08-01")
    led.estimates.set("2019/20", "training", "200000.00", on="2020-01-10", reason="virement")
    led.estimates.set("2019/20", "evaluation", "60000.00", on="2019-08-01")
    est = led.estimates.list("2019/20")
    assert [(e.category, e.amount, e.original) for e in est] == [
        ("evaluation", Decimal("60000.00"), True),
        ("training", Decimal("250000.00"), True),
        ("training", Decimal("200000.00"), False),
    ]
    # Original total: 250,000.00 + 60,000.00 (the revision does not count).
    assert led.estimates.original_totals()["2019/20"] == Decimal("310000.00")
    with pytest.raises(InvalidInput, match="unknown category 'trainng'"):
        led.estimates.set("2019/20", "trainng", "1.00")


def test_summary_figures_by_hand(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    led.estimates.set("2019/20", "training", "250000.00", on="2019-08-01")
    led.spend.add("2019-11-14", "18750.00", "training")
    led.spend.add("2020-04-10", "18750.00", "training")
    led.spend.add("2020-02-28", "-1250.00", "case-recording")
    led.receipts.add("2019-10-15", "1245000.00", "2019/20")
    s = led.reports.summary(as_at="2020-03-31")
    y = {r.label: r for r in s.funding_years}["2019/20"]
    # Actual to 31 March: 18,750.00 - 1,250.00 = 17,500.00 (the April line is later).
    assert y.actual == Decimal("17500.00")
    assert y.remaining == Decimal("2472500.00")  # 2,490,000.00 - 17,500.00
    assert y.received == Decimal("1245000.00")
    assert y.estimate_original == Decimal("250000.00")
    assert s.total("actual") == Decimal("17500.00")


def test_a_failed_write_stores_nothing(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    bad = tmp_path / "ledger"
    bad.mkdir()
    (bad / "grant.toml").write_text(
        '[grant]\nname = "G"\nfunder = "F"\nrecipient = "R"\n'
        '[[funding_year]]\nlabel = "2019/20"\naward = "100.00"\nstart = 2019-08-01\n'
    )
    (bad / "spend.csv").write_text(
        "date,amount,category\n2019-09-01,10.00,training\n2019-09-02,12.345,training\n"
    )
    fresh = fsgrant.open(tmp_path / "fresh.db")
    with pytest.raises(SourceError) as err:
        fresh.load(bad)
    assert str(err.value) == (
        "spend.csv, line 3, field 'amount': '12.345' has more than two decimal places;"
        " amounts are never rounded silently"
    )
    assert (err.value.line, err.value.field, err.value.code) == (3, "amount", "invalid_amount")
    # Nothing of the folder was stored: no grant, no year, no line.
    assert fresh.store.query("SELECT count(*) FROM funding_years")[0][0] == 0
    assert fresh.store.query("SELECT count(*) FROM spend")[0][0] == 0
    assert fresh.store.query("SELECT count(*) FROM grant_info")[0][0] == 0
    led.close()


@pytest.mark.parametrize(
    "table", ["spend", "estimates", "receipts", "variations", "funding_years", "audit"]
)
def test_the_store_itself_refuses_edits_and_deletes(tmp_path, table):
    led = two_year_grant(tmp_path / "s.db")
    led.estimates.set("2019/20", "training", "1.00")
    led.spend.add("2019-09-01", "10.00", "training")
    led.receipts.add("2019-10-01", "10.00", "2019/20")
    led.years.vary("2019/20", agreed_on="2020-01-01", reason="x", end="2021-01-31")
    led.close()
    raw = sqlite3.connect(tmp_path / "s.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(
            f"UPDATE {table} SET recorded_by = 'mallory'"
            if table != "audit"
            else "UPDATE audit SET user = 'm'"
        )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(f"DELETE FROM {table}")
    raw.close()


def test_the_store_refuses_real_pence_and_bad_reversals(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    line = led.spend.add("2019-09-01", "10.00", "training")
    led.close()
    raw = sqlite3.connect(tmp_path / "s.db")
    cols = "(date, amount_pence, category, recorded_at, recorded_by)"
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute(f"INSERT INTO spend {cols} VALUES ('2019-09-01', 10.5, 'training', 'x', 'x')")
    with pytest.raises(sqlite3.IntegrityError, match="must carry"):
        raw.execute(
            "INSERT INTO spend (date, amount_pence, category, reverses, reason, recorded_at, recorded_by)"
            f" VALUES ('2019-09-01', -999, 'training', {line.id}, 'r', 'x', 'x')"
        )
    raw.close()


def test_opening_something_that_is_not_a_store(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database at all")
    with pytest.raises(StoreError, match="not an fsgrant store"):
        fsgrant.open(text)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not an fsgrant store"):
        fsgrant.open(other)
    assert other.read_bytes() == before
    with pytest.raises(StoreError, match="no fsgrant store"):
        fsgrant.open(tmp_path / "missing.db", create=False)


amounts = st.integers(min_value=-(10**9), max_value=10**9).filter(lambda p: p != 0)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(amounts, min_size=1, max_size=15))
def test_stored_pence_equal_the_decimal_sum_of_what_was_entered(tmp_path_factory, pence_list):
    path = tmp_path_factory.mktemp("prop") / "s.db"
    led = two_year_grant(path)
    entered = []
    for i, p in enumerate(pence_list):
        text = f"{Decimal(p) / 100:.2f}"
        if i % 3 == 1 and p < 0:
            text = f"({-Decimal(p) / 100:,.2f})"  # brackets and separators
        elif i % 3 == 2:
            text = ("-" if p < 0 else "") + f"£{abs(Decimal(p)) / 100:,.2f}"
        entered.append(Decimal(p) / 100)
        led.spend.add("2019-09-01", text, "other")
    stored = led.store.query("SELECT sum(amount_pence), typeof(sum(amount_pence)) FROM spend")[0]
    assert stored[1] == "integer"
    assert Decimal(stored[0]) / 100 == sum(entered)
    assert led.reports.summary().funding_years[0].actual == sum(entered)
    led.close()


def test_report_figures_follow_every_write_even_from_another_process(tmp_path):
    # Reports reuse one scan of the spend table while the store is unchanged; a write
    # here, or a commit by another connection, must show at once.
    led = two_year_grant(tmp_path / "s.db")
    led.spend.add("2019-09-01", "10.00", "training")
    assert led.spend.totals("2020-03-31") == {("2019/20", "training"): Decimal("10.00")}
    led.spend.add("2019-09-02", "5.00", "training")
    assert led.spend.totals("2020-03-31") == {("2019/20", "training"): Decimal("15.00")}
    with fsgrant.open(tmp_path / "s.db") as other:
        other.spend.add("2019-09-03", "2.50", "other")
    assert led.spend.totals("2020-03-31") == {
        ("2019/20", "training"): Decimal("15.00"),
        ("2019/20", "other"): Decimal("2.50"),
    }
    assert led.spend.totals("2019-09-01", by=("date",)) == {
        ("2019/20", date(2019, 9, 1)): Decimal("10.00")
    }
    led.close()


def test_totals_by_post_after_totals_by_category(tmp_path):
    # The category totals come from a coarser scan than the post totals; asking for the
    # posts afterwards must not reuse the coarser one (every post would read as None).
    led = two_year_grant(tmp_path / "s.db")
    led.posts.add("DA-N1", role="domestic-abuse", host="Council", fte="1", annual_cost="46500.00",
                 planned_start="2019-09-01")  # fmt: skip
    led.spend.add("2019-09-30", "3875.00", "staffing", post="DA-N1")
    led.spend.add("2019-09-30", "100.00", "staffing")
    assert led.spend.totals("2020-03-31") == {("2019/20", "staffing"): Decimal("3975.00")}
    assert led.spend.totals("2020-03-31", by=("post",)) == {
        ("2019/20", "DA-N1"): Decimal("3875.00"),
        ("2019/20", None): Decimal("100.00"),
    }
    # And the coarse view can be read from the finer scan.
    assert led.spend.totals("2020-03-31", by=("category",)) == {
        ("2019/20", "staffing"): Decimal("3975.00")
    }
    led.close()
