"""`fsgrant browse`: Datasette over the example store, in-process (its ASGI test client).

The canned queries restate report rules in SQL; here they are held to the library's
figures to the penny (as at fixed dates), and to figures worked out by hand from the
example ledger (ledgers/cambridgeshire).
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.services.browse import INSTALL_HINT, browser
from fsgrant.services.demo import run_demo

AS_AT = "2020-03-31"


def get(ds: Any, path: str) -> Any:
    async def fetch() -> Any:
        return await ds.client.get(path)

    return asyncio.run(fetch())


def rows(ds: Any, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    response = get(ds, f"{path}{sep}_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


def query(ds: Any, name: str, **params: str) -> list[dict[str, Any]]:
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    return rows(ds, f"/demo/{name}.json" + (f"?{qs}" if qs else ""))


def pence(value: Decimal) -> int:
    return int(value * 100)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example (the ledger and its finance extract), with its 2019/20
    return as at 31/03/2020 submitted, and one change recorded after it."""
    out = tmp_path_factory.mktemp("browse")
    result = run_demo(out)
    with fsgrant.open(result.store) as fs:
        fs.returns.submit(result.outputs[0], reference="Q4 return")
        fs.posts.set_status("DA-N1", "vacant", "2020-05-01", reason="Practitioner left")
    return result.store


@pytest.fixture(scope="module")
def ds(example: Path) -> Any:
    return browser(example).datasette


def test_the_pages_load(ds):
    from fsgrant.store.browse import TABLES
    from fsgrant.store.browse_queries import CANNED_QUERIES

    assert get(ds, "/").status_code == 200
    home = get(ds, "/demo")
    assert home.status_code == 200
    assert "Family Safeguarding roll-out" in home.text
    for table in TABLES:
        assert get(ds, f"/demo/{table}").status_code == 200, table
    for name in CANNED_QUERIES:
        page = get(ds, f"/demo/{name}")
        assert page.status_code == 200, name
        assert str(markupsafe.escape(CANNED_QUERIES[name]["title"])) in page.text


def test_internal_tables_are_hidden(ds):
    home = get(ds, "/demo").text
    for hidden in ("_sqlite_migrations", "fsgrant_meta", "settings"):
        assert f'href="/demo/{hidden}"' not in home, hidden
    for shown in ("spend", "posts", "spend_readable"):
        assert f'href="/demo/{shown}"' in home, shown
    tables = {t["name"]: t for t in get(ds, "/demo.json").json()["tables"]}
    assert tables["_sqlite_migrations"]["hidden"] is True
    assert tables["settings"]["hidden"] is True
    assert tables["spend"]["hidden"] is False


def test_funding_years_equal_the_summary_to_the_penny(ds, example):
    got = {r["funding_year"]: r for r in query(ds, "funding_years_as_at", as_at=AS_AT)}
    # By hand from grant.toml and receipts.csv: 2019/20 is awarded 2,490,000.00, extended
    # to 31/03/2021 (agreed 14/02/2020); received 1,245,000.00 + 622,500.00 = 1,867,500.00.
    assert got["2019/20"]["award_pence"] == 249_000_000
    assert got["2019/20"]["end"] == "2021-03-31"
    assert got["2019/20"]["received_pence"] == 186_750_000
    assert got["2020/21"]["status"] == "in-principle"
    with fsgrant.open(example) as fs:
        for day in (AS_AT, "2020-02-13"):
            summary = fs.reports.summary(day)
            got = {r["funding_year"]: r for r in query(ds, "funding_years_as_at", as_at=day)}
            assert list(got) == [y.label for y in summary.funding_years]
            for y in summary.funding_years:
                row = got[y.label]
                assert row["as_at"] == day
                assert (row["status"], row["start"], row["end"]) == (
                    y.status,
                    y.start.isoformat(),
                    y.end.isoformat(),
                )
                assert row["award_pence"] == pence(y.award)
                assert row["received_pence"] == pence(y.received)
                assert row["original_estimate_pence"] == pence(y.estimate_original)
                assert row["actual_pence"] == pence(y.actual)
                assert row["award_less_actual_pence"] == pence(y.remaining)
    # The day before the extension was agreed, 2019/20 still ended on 31/07/2020
    # (1 August 2019 + 12 months - 1 day).
    before = {r["funding_year"]: r for r in query(ds, "funding_years_as_at", as_at="2020-02-13")}
    assert before["2019/20"]["end"] == "2020-07-31"
    # Day first, as the command line reads it: 31/03/2020 is 31 March 2020.
    uk = query(ds, "funding_years_as_at", as_at="31/03/2020")
    assert uk[0]["as_at"] == AS_AT


def test_blocked_and_vacant_posts_equal_the_posts_report(ds, example):
    got = {r["post"]: r for r in query(ds, "blocked_and_vacant_posts", as_at=AS_AT)}
    # post_status.csv: the four probation posts blocked since 14/10/2019 (the TUPE
    # transfer); 14/10/2019 to 31/03/2020 is 17 + 30 + 31 + 31 + 29 + 31 = 169 days.
    # SM-S3 vacant since 01/03/2020: 30 days.
    assert sorted(got) == ["PROB-N1", "PROB-N2", "PROB-S1", "PROB-S2", "SM-S3"]
    assert got["PROB-N1"]["status"] == "blocked"
    assert (got["PROB-N1"]["since"], got["PROB-N1"]["days"]) == ("2019-10-14", 169)
    assert "TUPE transfer" in got["PROB-N1"]["reason"]
    assert (got["SM-S3"]["status"], got["SM-S3"]["days"]) == ("vacant", 30)
    with fsgrant.open(example) as fs:
        report = fs.reports.posts(AS_AT)
    blocked = {b.id: b for b in report.blocked}
    assert {k for k, r in got.items() if r["status"] == "blocked"} == set(blocked)
    for post_id, b in blocked.items():
        assert got[post_id]["since"] == b.since.isoformat()
        assert got[post_id]["days"] == b.days_blocked
        assert got[post_id]["reason"] == b.reason
    stuck = {p.id: p for p in report.posts if p.status in ("blocked", "vacant")}
    assert set(stuck) == set(got)
    for post_id, p in stuck.items():
        assert got[post_id]["since"] == p.status_since.isoformat()
        assert got[post_id]["reason"] == p.reason
    # The change recorded after the return: DA-N1 vacant from 01/05/2020.
    later = {r["post"]: r for r in query(ds, "blocked_and_vacant_posts", as_at="2020-05-31")}
    assert (later["DA-N1"]["status"], later["DA-N1"]["days"]) == ("vacant", 30)


def test_spend_by_month_equals_the_spend_report(ds, example):
    with fsgrant.open(example) as fs:
        for year in (None, "2019/20"):
            report = fs.reports.spend("month", year=year)
            got = query(ds, "spend_by_month_and_category", funding_year=year or "")
            months: dict[str, int] = {}
            for r in got:
                months[r["month"]] = months.get(r["month"], 0) + r["amount_pence"]
            assert months == {r.key: pence(r.amount) for r in report.rows}
            assert sum(months.values()) == pence(report.total)
        by_category = fs.reports.spend("category")
    got = query(ds, "spend_by_month_and_category")
    categories: dict[str, int] = {}
    for r in got:
        categories[r["category"]] = categories.get(r["category"], 0) + r["amount_pence"]
    assert categories == {r.key: pence(r.amount) for r in by_category.rows}
    # By hand from spend.csv: case-recording in February 2020 is the credit of
    # -1,250.00 from Workbook Systems Ltd alone.
    feb = {(r["month"], r["category"]): r for r in got}[("2020-02", "case-recording")]
    assert (feb["lines"], feb["amount_pence"]) == (1, -125_000)


def test_a_suppliers_lines(ds, example):
    got = query(ds, "supplier_lines", supplier="workbook")
    # spend.csv: 45,000.00 + 38,250.00 - 1,250.00; the extract: 1,200.00 = 83,200.00.
    assert [r["amount_pence"] for r in got] == [4_500_000, 3_825_000, -125_000, 120_000]
    assert sum(r["amount_pence"] for r in got) == 8_320_000
    with fsgrant.open(example) as fs:
        lines = fs.spend.list(supplier="workbook")
    assert [r["id"] for r in got] == [line.id for line in lines]


def test_import_batches_and_submitted_returns(ds, example):
    (batch,) = query(ds, "import_batches")
    # The demo's note: 17 rows read, 10 new, 7 skipped; £24,574.71 added.
    assert (batch["rows_read"], batch["rows_added"], batch["rows_skipped"]) == (17, 10, 7)
    assert batch["total_added_pence"] == 2_457_471
    assert batch["lines_now_pence"] == 2_457_471
    (submitted,) = query(ds, "submitted_returns")
    with fsgrant.open(example) as fs:
        record = fs.returns.get(1)
    assert (submitted["id"], submitted["funding_year"], submitted["as_at"]) == (1, "2019/20", AS_AT)
    assert submitted["reference"] == "Q4 return"
    assert submitted["figures"] == len(record.figures) > 0
    assert submitted["earlier_for_same_date"] == 0
    # One change since: DA-N1's status.
    assert submitted["changes_since"] == 1
    since = query(ds, "changes_since_last_return")
    assert [(e["action"], e["subject"]) for e in since] == [("post.status", "DA-N1")]
    figures = query(ds, "submitted_return_figures", return_id="1")
    assert [(f["sheet"], f["row_label"], f["column_header"], f["value"]) for f in figures] == [
        (f.sheet, f.row, f.column, f.value) for f in record.figures
    ]


def test_the_audit_of_the_last_30_days(ds, example):
    got = query(ds, "audit_last_30_days")
    with fsgrant.open(example) as fs:
        entries = fs.audit.log()
    # Every entry was recorded by this test run, so all are within 30 days.
    assert [e["id"] for e in got] == sorted((e.id for e in entries), reverse=True)


def test_pence_render_as_pounds_on_pages_and_in_csv_and_stay_exact_in_json(ds):
    page = get(ds, "/demo/funding_years_as_at?as_at=2020-03-31").text
    cells = re.findall(r'<td class="col-award_pence[^"]*">([^<]*)</td>', page)
    assert cells == ["£2,490,000.00", "£1,600,000.00"]
    credit = get(ds, "/demo/supplier_lines?supplier=workbook").text
    assert "-£1,250.00" in credit
    table = get(ds, "/demo/spend?amount_pence=-125000").text
    assert re.search(r'<td class="col-amount_pence[^"]*">-£1,250.00</td>', table)
    data = get(ds, "/demo/spend.json?amount_pence=-125000&_shape=array").json()
    assert data[0]["amount_pence"] == -125_000
    download = get(ds, "/demo/funding_years_as_at.csv?as_at=2020-03-31").text
    parsed = list(csv.DictReader(io.StringIO(download)))
    assert [r["award"] for r in parsed] == ["2490000.00", "1600000.00"]
    assert not any(name.endswith("_pence") for name in parsed[0])
    lines = get(ds, "/demo/spend.csv?amount_pence=-125000").text
    assert [r["amount"] for r in csv.DictReader(io.StringIO(lines))] == ["-1250.00"]


def test_user_text_is_data_not_markup(tmp_path):
    with fsgrant.open(tmp_path / "demo.db") as fs:
        fs.init("G", "F", "R")
        fs.years.add("2019/20", "100.00", "2019-08-01")
        fs.spend.add("2019-08-02", "1.00", "other", supplier="<b>Acme</b> & Sons")
    page = get(browser(tmp_path / "demo.db").datasette, "/demo/spend").text
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Sons" in page
    assert "<b>Acme</b>" not in page


def test_no_write_is_possible_through_the_served_store(ds, example):
    with fsgrant.open(example) as fs:
        before = fs.exports.fingerprint()
        lines = len(fs.spend.list())
    refused = get(ds, "/demo.json?sql=insert+into+categories+(name)+values+('x')")
    assert refused.status_code == 400
    db = ds.get_database("demo")

    async def write(sql: str) -> None:
        await db.execute_write(sql)

    for sql in (
        "INSERT INTO categories (name) VALUES ('hacked')",
        "DELETE FROM settings",
        "CREATE TABLE x (y)",
    ):
        with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
            asyncio.run(write(sql))
    with fsgrant.open(example) as fs:
        assert fs.exports.fingerprint() == before
        assert len(fs.spend.list()) == lines
        assert "hacked" not in {c.name for c in fs.categories.list()}


def test_the_command_serves_and_prints_the_address(example, monkeypatch):
    from fsgrant.services import browse

    served: list[tuple[str, int]] = []

    def serve(self: browse.Browser, sock: Any) -> None:
        served.append(sock.getsockname())
        sock.close()

    monkeypatch.setattr(browse.Browser, "serve", serve)
    port = free_port()
    result = CliRunner().invoke(app, ["--db", str(example), "browse", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"read-only at http://127.0.0.1:{port}/ (Ctrl+C to stop)" in result.output
    assert served == [("127.0.0.1", port)]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_port_in_use_fails_before_saying_it_serves(example):
    import socket

    taken = socket.socket()
    try:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(app, ["--db", str(example), "browse", "--port", port])
    finally:
        taken.close()
    assert result.exit_code == 1
    assert "Serving" not in result.output
    assert f"cannot serve at 127.0.0.1 port {port}" in result.output


def test_without_the_extra_the_command_says_how_to_install_it(example, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "datasette" else real(name, *a),
    )
    result = CliRunner().invoke(app, ["--db", str(example), "browse"])
    assert result.exit_code == 1
    assert result.output.strip() == f"fsgrant: error: {INSTALL_HINT}"
    assert "pip install 'fsgrant[browse]'" in result.output


def test_a_missing_store_is_refused_cleanly(tmp_path):
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "browse"])
    assert result.exit_code == 1
    assert "no fsgrant store" in result.output
    assert not (tmp_path / "none.db").exists()


def test_commitments_equal_the_library_to_the_penny(ds, example):
    got = query(ds, "commitments_as_at", as_at=AS_AT)
    with fsgrant.open(example) as fs:
        want = fs.commitments.list(as_at=AS_AT)
    assert [(r["reference"], r["drawn_pence"], r["open_pence"], r["status"]) for r in got] == [
        (c.reference, pence(c.drawn), pence(c.open), c.status) for c in want
    ]
    # PO-40117: 6,000.00 less the 1,500.00 invoice quoting it; PO-40088 cancelled.
    assert sum(r["open_pence"] for r in got) == 2325000
