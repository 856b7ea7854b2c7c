from scenario import two_year_grant


def test_views_agree_with_the_library(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    for day in ("2019-09-01", "2020-07-31", "2020-08-01", "2020-12-31", "2021-05-01"):
        led.spend.add(day, "10.00", "training")
    led.years.vary("2019/20", agreed_on="2020-02-14", reason="moved back", end="2021-03-31")
    led.years.vary("2019/20", agreed_on="2020-03-01", reason="top up", award="2500000.00")
    led.years.vary(
        "2019/20", agreed_on="2020-04-01", reason="reprofile", move="100000.00", to="2020/21"
    )
    led.years.vary("2020/21", agreed_on="2020-09-01", reason="confirmed", status="confirmed")
    years = {
        r["label"]: (r["status"], r["start"], r["end"], r["award_pence"])
        for r in led.store.query("SELECT * FROM funding_years_current")
    }
    # 2019/20: 2,500,000.00 (the amount variation) - 100,000.00 moved = 2,400,000.00
    # 2020/21: 1,600,000.00 + 100,000.00 = 1,700,000.00
    assert years == {
        "2019/20": ("confirmed", "2019-08-01", "2021-03-31", 240_000_000),
        "2020/21": ("confirmed", "2020-08-01", "2021-07-31", 170_000_000),
    }
    in_sql = {r["id"]: r["funding_year"] for r in led.store.query("SELECT * FROM spend_allocated")}
    in_python = {line.id: line.funding_year for line in led.spend.list()}
    # 1 Aug and 31 Dec 2020 fall in both periods: the older year takes them.
    assert (
        in_sql
        == in_python
        == {1: "2019/20", 2: "2019/20", 3: "2019/20", 4: "2019/20", 5: "2020/21"}
    )
    amounts = [r["amount"] for r in led.store.query("SELECT amount FROM spend_allocated")]
    assert amounts == ["10.00"] * 5


def test_post_lookups_still_use_an_index(tmp_path):
    # Schema 4 keeps the post index only for lines that name a post; a look-up by post
    # must still use it rather than scan the table.
    led = two_year_grant(tmp_path / "s.db")
    plan = led.store.query(
        "EXPLAIN QUERY PLAN SELECT sum(amount_pence) FROM spend WHERE post = ?", ["X"]
    )
    assert any("spend_post" in row[3] for row in plan)


def test_reports_and_check_read_spend_through_the_covering_index(tmp_path):
    # Every report sums spend from spend_date_totals alone (no table rows, no full
    # scan of the table), and check reads it once with the summary, not twice.
    led = two_year_grant(tmp_path / "s.db")
    led.spend.add("2019-09-01", "10.00", "training")
    seen: list[str] = []
    led.store.conn.set_trace_callback(seen.append)
    try:
        led.check("2020-03-31")
        led.reports.profile("2019/20", "2020-03-31")
        for by in ("funding-year", "financial-year", "month", "category", "post"):
            led.reports.spend(by)
    finally:
        led.store.conn.set_trace_callback(None)
    sums = [sql for sql in seen if "sum(amount_pence)" in sql and "FROM spend " in sql]
    for sql in sums:
        plan = " | ".join(row[3] for row in led.store.query(f"EXPLAIN QUERY PLAN {sql}"))
        # Walked in the index's own order: no table rows, no sort of the lines.
        assert "COVERING INDEX spend_date_totals" in plan, (sql, plan)
        assert "TEMP B-TREE" not in plan, (sql, plan)
    # check and the profile as at 31 March 2020 read the spend once; each of the five
    # views of report spend reads it once (the three views of time by date and year).
    as_at = [sql for sql in sums if "date <= '2020-03-31'" in sql]
    assert len(as_at) == 1, as_at
    assert len(sums) == 6, sums
