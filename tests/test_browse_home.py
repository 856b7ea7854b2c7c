"""The home page of `fsgrant browse` (where the grant stands as at a date) and the
safety of every download: figures held to the command line's JSON to the penny, dates
read as the command line reads them, CSV that a spreadsheet opens as text, a store on
a read-only share, SQL functions that reveal memory turned off.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import os
import re
import shutil
import stat
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from reliability_helpers import SLOW
from test_browse_property import _build, ledgers
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.formats.browse_csv import safe_csv
from fsgrant.formats.browse_home import visible
from fsgrant.services.browse import browser
from fsgrant.services.demo import run_demo

MONEY = re.compile(r'data-year="([^"]+)" data-field="([a-z_]+)">\s*([^<]*)</td>')


def get(ds: Any, path: str) -> Any:
    async def fetch() -> Any:
        return await ds.client.get(path)

    return asyncio.run(fetch())


def standing(page: str) -> dict[tuple[str, str], Decimal]:
    """The standing table's money cells, read back from the page as pounds."""
    return {
        (html.unescape(year), field): Decimal(text.replace("£", "").replace(",", ""))
        for year, field, text in MONEY.findall(page)
    }


def summary_json(store: Path, as_at: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["--db", str(store), "report", "summary", "--as-at", as_at, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_page_equals_cli(page: str, report: dict[str, Any]) -> None:
    cells = standing(page)
    fields = {f for _, f in cells}
    assert {"award", "actual", "forecast_outturn", "underspend_at_risk"} <= fields
    for y in report["funding_years"]:
        for field in fields:
            assert cells[(y["label"], field)] == Decimal(y[field]), (y["label"], field)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("home")
    result = run_demo(out)
    with fsgrant.open(result.store) as fs:
        fs.returns.submit(result.outputs[0], reference="Q4 return")
    return result.store


@pytest.fixture(scope="module")
def ds(example: Path) -> Any:
    return browser(example).datasette


@pytest.mark.parametrize("as_at", ["31/03/2020", "1/4/2020", "2020-08-01"])
def test_the_home_page_says_what_report_summary_says(ds, example, as_at):
    response = get(ds, f"/?as_at={as_at}")
    assert response.status_code == 200
    assert_page_equals_cli(response.text, summary_json(example, as_at))


def test_1_april_2020_reads_as_the_command_line_reads_it(ds):
    # Spend to 1 April 2020 less the accrual reversed that day (worked out in the
    # README's month-end): the command line's 2019/20 actual as at 1/4/2020.
    cells = standing(get(ds, "/?as_at=1/4/2020").text)
    assert cells[("2019/20", "actual")] == Decimal("350101.74")


@pytest.mark.parametrize(
    ("as_at", "why"),
    [
        ("garbage", "'garbage' is not a date like 2020-02-04 or 04/02/2020"),
        ("2020-02-30", "'2020-02-30' is not a real day"),
        ("31/02/2020", "'31/02/2020' is not a real day"),
    ],
)
def test_a_bad_date_gets_a_400_saying_why_as_the_command_line_does(ds, example, as_at, why):
    response = get(ds, f"/?as_at={as_at}")
    assert response.status_code == 400
    assert why in html.unescape(response.text)
    cli = CliRunner().invoke(app, ["--db", str(example), "report", "summary", "--as-at", as_at])
    assert cli.exit_code == 2
    assert why in cli.output


def test_no_date_means_today(ds):
    assert get(ds, "/").status_code == 200
    assert get(ds, "/?as_at=").status_code == 200


def test_the_home_page_shows_posts_as_at_the_date_with_their_current_cost(ds, example):
    with fsgrant.open(example) as fs:
        posts = {p.id: p for p in fs.reports.posts(as_at="2020-03-31").posts}
    page = get(ds, "/?as_at=31/03/2020").text
    shown = dict(re.findall(r'data-post="([^"]+)" data-field="annual_cost">([^<]*)<', page))
    assert shown.keys() == posts.keys()
    for post_id, text in shown.items():
        assert Decimal(text.replace("£", "").replace(",", "")) == posts[post_id].annual_cost


def test_the_home_page_shows_the_grid_the_stuck_posts_and_the_last_return(ds, example):
    page = html.unescape(get(ds, "/?as_at=31/03/2020").text)
    with fsgrant.open(example) as fs:
        total = fs.reports.spend(by="month", to_date="2020-03-31").total
    assert "Spend by month and category" in page
    assert f"£{total:,.2f}" in page
    assert "PROB-N1 Probation officer" in page
    assert "TUPE transfer" in page
    assert "Return #1 (Q4 return) as at 31 Mar 2020" in page
    assert "no figure has moved since" in page


@settings(
    max_examples=10 if SLOW else 4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ledgers())
def test_on_random_stores_the_page_equals_the_command_line(ledger):
    years, ops, as_at = ledger
    folder = Path(tempfile.mkdtemp(prefix="fsgrant-home-"))
    try:
        store = folder / "s.db"
        with fsgrant.open(store) as led:
            _build(led, years, ops)
        ds = browser(store).datasette
        for day in as_at:
            page = get(ds, f"/?as_at={day:%d/%m/%Y}").text
            assert_page_equals_cli(page, summary_json(store, day.isoformat()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


HOSTILE = ['=HYPERLINK("http://x","y")', "-2+3", "@cmd", "+1+1", "\tx"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("hostile") / "demo.db"
    with fsgrant.open(store) as fs:
        fs.init("G", "F", "R")
        fs.years.add("2019/20", "2490000.00", "2019-08-01")
        for i, text in enumerate(HOSTILE):
            fs.spend.add("2019-08-02", f"{i + 1}.25", "other", supplier=text, description=text)
        fs.spend.add("2019-08-03", "-12.00", "other", supplier="Credit \u202eevil")
    return store


@pytest.mark.parametrize(
    "path",
    [
        "/demo/spend.csv",
        "/demo/spend.csv?_labels=on",
        "/demo/funding_years.csv",
        "/demo/supplier_lines.csv?supplier=",
        "/demo.csv?sql=select+supplier,+amount_pence+from+spend",
        "/demo/spend.csv?_stream=on",
    ],
)
def test_every_csv_download_is_pounds_and_holds_no_formula(hostile, path):
    response = get(browser(hostile).datasette, path)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) > 1
    assert not any(name.endswith("_pence") for name in rows[0])
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or re.fullmatch(r"-[0-9]+(\.[0-9]+)?", cell), cell
    if "amount" in rows[0]:
        amounts = [row[rows[0].index("amount")] for row in rows[1:]]
        assert "1.25" in amounts and "-12.00" in amounts


def test_json_keeps_exact_pence_and_text_as_typed(hostile):
    data = get(browser(hostile).datasette, "/demo/spend.json?_shape=array").json()
    assert {r["supplier"] for r in data} >= set(HOSTILE[:4])
    assert -1200 in {r["amount_pence"] for r in data}


def test_safe_csv_rewrites_pence_and_neutralises_formulas():
    text = 'award_pence,label\r\n249000000,"=1+1"\r\n-125000,-2+3\r\n,plain\r\n'
    assert safe_csv(text, pence_suffix="_pence") == (
        "award,label\r\n2490000.00,'=1+1\r\n-1250.00,'-2+3\r\n,plain\r\n"
    )


def test_bidi_controls_are_shown_not_obeyed(hostile):
    assert visible("Credit \u202eevil") == "Credit <U+202E>evil"
    page = get(browser(hostile).datasette, "/demo/spend").text
    assert "\u202e" not in page
    assert "Credit &lt;U+202E&gt;evil" in page


def test_fts3_tokenizer_is_turned_off(ds):
    response = get(ds, "/demo.json?sql=select+fts3_tokenizer('simple')")
    assert response.status_code == 400
    assert "not authorized" in response.json()["error"]
    ok = get(ds, "/demo.json?sql=select+count(*)+from+spend")
    assert ok.status_code == 200


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_a_store_on_a_read_only_share_is_served(example, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    copy = share / "demo.db"
    with fsgrant.open(example) as fs:
        fs.backup(copy)
    copy.chmod(stat.S_IRUSR)
    share.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        ds = browser(copy).datasette
        assert get(ds, "/demo/spend").status_code == 200
        assert get(ds, "/?as_at=31/03/2020").status_code == 200
    finally:
        share.chmod(stat.S_IRWXU)
        copy.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_store_that_cannot_be_written_is_served_immutable(example, tmp_path, monkeypatch):
    from fsgrant.formats import browse as formats_browse

    with fsgrant.open(example) as fs:
        fs.backup(tmp_path / "demo.db")
    monkeypatch.setattr(formats_browse.os, "access", lambda *a: False)
    assert formats_browse.served_immutable(tmp_path / "demo.db")
    ds = browser(tmp_path / "demo.db").datasette
    assert not ds.databases["demo"].is_mutable
    assert get(ds, "/demo/spend").status_code == 200
