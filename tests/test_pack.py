"""The month-end pack (``fs.reports.pack``, ``fsgrant report pack``): its figures are the
reports' figures, its charts are drawn, user text in it is shown and never run, and the
page renders in a real browser.

The worked example (ledgers/cambridgeshire, illustrative figures) as at 31 March 2020,
funding year 2019/20 (1 August 2019 - 31 March 2021 as extended on 14 February 2020):

- Phased budget: the non-staffing estimates (840,000.00) fall evenly over the 20 months
  of the extended year, 42,000.00 a month; staffing is phased by months, nothing in
  August - October 2019 and 90,000.00 in November. Cumulative: August 42,000.00,
  September 84,000.00, October 126,000.00, November 126,000 + 42,000 + 90,000 =
  258,000.00.
- The four probation posts are blocked since 14 October 2019: to 31 March 2020 that is
  17 + 30 + 31 + 31 + 29 + 31 = 169 days. SM-S3 is vacant since 1 March 2020: 30 days.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from reliability_helpers import GRANT_YEARS
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.formats.pack import render_html, render_markdown
from fsgrant.services.demo import example_ledger_path

runner = CliRunner()
AS_AT = "2020-03-31"
IMG = re.compile(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "example.db"
    with fsgrant.open(path) as led:
        led.load(example_ledger_path())
    return path


@pytest.fixture(scope="module")
def pack(example):
    with fsgrant.open(example, create=False) as led:
        return led.reports.pack(as_at=AS_AT)


@pytest.fixture(scope="module")
def html(pack):
    return render_html(pack)


def cli_json(path, *args):
    result = runner.invoke(app, ["--db", str(path), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ------------------------------------------------------------ the figures
def test_the_packs_figures_are_the_reports_json_to_the_penny(example, pack):
    dumped = pack.model_dump(mode="json")
    assert dumped["summary"] == cli_json(example, "report", "summary", "--as-at", AS_AT)
    variance = ["report", "variance", "--year", "2019/20", "--as-at", AS_AT, "--to-date"]
    assert dumped["variance"] == cli_json(example, *variance)
    posts = cli_json(example, "report", "posts", "--as-at", AS_AT, "--year", "2019/20")
    assert dumped["posts"] == posts
    # And the JSON the pack command gives is the model's.
    assert cli_json(example, "report", "pack", "--as-at", AS_AT) == dumped


def test_the_pack_is_about_the_year_the_date_falls_in(pack):
    assert (pack.funding_year, pack.as_at.isoformat()) == ("2019/20", AS_AT)
    assert pack.since_last_return is None  # the example has submitted no return


def test_the_pack_lists_the_open_commitments(pack, html):
    # The example's orders as at 31 March 2020: PO-40088 (2,400.00) was cancelled on
    # 16 March; PO-40117 (6,000.00) has 1,500.00 invoiced against it, 4,500.00 left;
    # PO-40152 (18,750.00) is untouched. Still committed: 4,500.00 + 18,750.00 =
    # 23,250.00, the variance report's committed.
    assert pack.open_commitments is not None
    assert [(c.reference, c.drawn, c.open) for c in pack.open_commitments] == [
        ("PO-40117", D("1500.00"), D("4500.00")),
        ("PO-40152", D("0.00"), D("18750.00")),
    ]
    assert pack.variance.totals.committed == D("23250.00")
    assert "Total still committed" in html and "£23,250.00" in html


def test_spend_against_profile_is_cumulative_and_stops_actual_at_the_date(pack):
    points = pack.spend_against_profile
    assert [p.budget for p in points[:4]] == [
        D("42000.00"),
        D("84000.00"),
        D("126000.00"),
        D("258000.00"),
    ]
    assert points[0].month == "2019-08" and points[-1].month == "2021-03"
    # Actual to the as-at month, then none; the last outturn is the variance outturn.
    assert [p.month for p in points if p.actual is not None][-1] == "2020-03"
    assert points[7].actual == pack.variance.totals.actual
    # 2,490,000.00 - 608,986.42 at risk (the ledger folder alone: the virement of
    # 100,000.00 and 24,000.00 of agency cover moved it from 732,986.42).
    assert points[-1].outturn == pack.variance.totals.outturn == D("1881013.58")
    assert points[-1].budget == pack.variance.totals.estimate_original == D("2490000.00")


def test_posts_by_status_end_with_the_posts_report(pack):
    months = pack.posts_over_time
    assert months[0].month == "2019-08" and months[-1].month == "2020-03"
    last = {k: v for k, v in months[-1].counts.items() if v}
    assert last == {s: c.posts for s, c in pack.posts.by_status.items() if c.posts}
    # Before 14 October 2019 nothing was blocked; from then on four were.
    assert [m.counts["blocked"] for m in months[:4]] == [0, 0, 4, 4]


def test_blocked_and_vacant_posts_say_for_how_long_and_why(pack):
    rows = [(a.id, a.status, a.days) for a in pack.attention]
    assert rows == [
        ("PROB-N1", "blocked", 169),
        ("PROB-N2", "blocked", 169),
        ("PROB-S1", "blocked", 169),
        ("PROB-S2", "blocked", 169),
        ("SM-S3", "vacant", 30),
    ]
    assert "TUPE transfer" in (pack.attention[0].reason or "")


# ------------------------------------------------------------ the page
def test_the_page_is_one_file_with_both_charts_drawn(html, pack):
    charts = IMG.findall(html)
    assert [alt.split(",")[0].split(" at ")[0] for alt, _ in charts] == [
        "Spend against profile",
        "Posts by status",
        "Outcome measures",
    ]
    for _alt, data in charts:
        svg = ET.fromstring(base64.b64decode(data))
        drawn = [e for e in svg.iter() if e.tag.endswith(("path", "use"))]
        assert len(drawn) > 50  # axes, ticks, lines and bars, not an empty frame
    # Nothing is fetched and nothing runs: no script, no link, no remote URL.
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@media print" in html and "size: A4" in html
    # The summary's figures appear as the tables show them.
    # At risk 608,986.42 in 2019/20, and with 2020/21's 894,955.76, 1,503,942.18.
    assert "£608,986.42" in html and "£1,503,942.18" in html


def test_the_markdown_has_the_same_figures_in_under_120_lines(example, pack):
    result = runner.invoke(
        app, ["--db", str(example), "report", "pack", "--as-at", AS_AT, "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert text == render_markdown(pack)
    assert len(text.splitlines()) < 120
    # Variance to date -831,972.97 before the example's invoice against an order
    # (1,500.00) and its accrual (3,200.00): -827,272.97.
    for figure in ("£608,986.42", "£894,955.76", "-£827,272.97", "£1,881,013.58"):
        assert figure in text
    assert "| PROB-N1 | blocked | 14 Oct 2019 | 169 |" in text


def test_the_html_pack_is_written_to_a_file_and_never_to_the_terminal(example, tmp_path):
    out = tmp_path / "pack.html"
    args = ["--db", str(example), "report", "pack", "--as-at", AS_AT]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "give --out FILE.html" in result.output
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"bytes): {out}" in result.output
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 1  # an existing file is kept without --force


def test_a_missing_extra_says_how_to_install_it(pack, monkeypatch):
    import importlib

    real = importlib.import_module

    def without_matplotlib(name, *args):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_matplotlib)
    with pytest.raises(fsgrant.FsgrantError, match=r"pip install 'fsgrant\[pack\]'") as caught:
        render_html(pack)
    assert caught.value.code == "missing-extra"


# ------------------------------------------------------------ hostile text, returns
HOSTILE = "<script>alert(1)</script> **bold** [x](http://e.test) {{ 7*7 }} \u202eevil|pipe"


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "grant.db"
    with fsgrant.open(path) as led:
        led.init(HOSTILE, "Department for Education", "The council")
        for label, award, start, status in GRANT_YEARS:
            led.years.add(label, award, start, status=status)
        led.posts.add(
            "DA-N1",
            role="domestic-abuse",
            host="Cambridgeshire County Council",
            fte="1",
            annual_cost="46500.00",
            planned_start="2019-11-01",
        )
        led.posts.set_status("DA-N1", "blocked", "2020-01-06", reason=HOSTILE)
        led.conditions.add("2020/21", HOSTILE, due="2020-07-31")
        led.spend.add("2020-01-31", "3875.00", "staffing", post="DA-N1")
    return path


def test_hostile_text_is_shown_escaped_never_run(hostile):
    with fsgrant.open(hostile, create=False) as led:
        pack = led.reports.pack(as_at="2020-03-31")
    page = render_html(pack)
    assert "<script>" not in page and "\u202e" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and ">49<" not in page  # the template never reads user text
    assert '<a href="http://e.test"' not in page
    text = render_markdown(pack)
    assert "\u202e" not in text and "<script>" not in text
    assert r"\<script\>alert(1)\</script\> \*\*bold\*\* \[x\](http://e.test)" in text
    assert "\ufffdevil\\|pipe" in text


def test_what_changed_since_the_last_return_is_listed(hostile, tmp_path):
    with fsgrant.open(hostile, create=False) as led:
        path = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "ret.xlsx")
        led.returns.submit(path, reference="Q4 return", close=True)
        assert led.reports.pack(as_at="2020-03-31").since_last_return.restatements == ()
        led.periods.reopen("2019/20", "late invoice")
        led.spend.add("2020-03-20", "4200.00", "training", reference="INV-0112")
        pack = led.reports.pack(as_at="2020-03-31")
    changes = pack.since_last_return
    assert (changes.return_id, changes.reference) == (1, "Q4 return")
    moved = {(r.sheet, r.row): (r.submitted, r.now) for r in changes.restatements}
    # Actual 3,875.00 + the late 4,200.00 = 8,075.00.
    assert moved[("Summary", "Actual spend to date")] == ("3875.00", "8075.00")
    page = render_html(pack)
    assert "Return #1 as at 31 Mar 2020 (reference Q4 return)" in page
    assert "<td>Actual spend to date</td>" in page


# ------------------------------------------------------------ in a real browser
def test_the_page_renders_in_headless_chromium(html, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: .ci/run installs it from the distribution")
    page = tmp_path / "pack.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "pack.png"
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 50_000  # tables and charts, not a blank page


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_a_new_grant_with_nothing_recorded_still_makes_a_pack(tmp_path):
    # One funding year, no posts, no spend, as at a day before the year begins and a
    # month into it: both charts drawn (warnings are errors here), nothing at risk yet.
    with fsgrant.open(tmp_path / "new.db") as led:
        led.init("A new grant", "Department for Education", "The council")
        led.years.add("2019/20", "1000.00", "2019-08-01")
        for as_at in ("2019-07-01", "2019-09-01"):
            pack = led.reports.pack(as_at=as_at)
            assert pack.funding_year == "2019/20" and pack.attention == ()
            assert len(IMG.findall(render_html(pack))) == 2
            assert "No post is blocked or vacant." in render_markdown(pack)


def test_the_pack_shows_outcomes_and_savings_by_beneficiary(pack, html):
    # The example's plan as at 31 March 2020 (hand-worked in test_plan_folder): in
    # FY2022/23 the council's savings are (739 - 670) x 3,500.00 = 241,500.00; the
    # police's 25,000.00 and the NHS's 40,000.00 are shown, not counted.
    assert pack.sustainability is not None
    fy = {y.financial_year: y for y in pack.sustainability.years}["FY2022/23"]
    assert fy.savings_by_beneficiary == {
        "council": D("241500.00"),
        "police": D("25000.00"),
        "health": D("40000.00"),
    }
    assert "Savings to police" in html and "£241,500.00" in html
    # The outcomes as at the date (the ledger folder: the report's own figures), charted
    # against the plan's baseline of 739.
    assert pack.outcomes is not None
    cic = next(m for m in pack.outcomes.measures if m.measure == "children-in-care")
    assert [(r.on.isoformat(), r.value, r.change) for r in cic.rows] == [
        ("2020-02-04", D("739"), D("0"))
    ]
    assert cic.targets == {"FY2022/23": D("670"), "FY2023/24": D("560")}
    assert [alt.split(",")[0] for alt, _ in IMG.findall(html)][-1] == "Outcome measures"
