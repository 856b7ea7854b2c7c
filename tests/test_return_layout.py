"""The DfE return's layout, without openpyxl: the layout module imports none, and a
few rows laid out from a small hand-built return carry figures worked out by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

from fsgrant.domain.models import FundingYearState, Grant, SpendLine
from fsgrant.domain.reports import (
    PeriodSpan,
    PostRow,
    PostsReport,
    ProfileMonth,
    ProfileReport,
    ProfileTotals,
    VarianceLine,
    VarianceReport,
    YearSummary,
)
from fsgrant.formats.dfe_return.layout import (
    posts_rows,
    profile_rows,
    sheet_rows,
    summary_rows,
    transaction_rows,
    variance_rows,
)
from fsgrant.formats.dfe_return.model import Cell, ReturnData, Row, needs_quote_prefix

D = Decimal
LABEL = "2019/20"
AS_AT = date(2020, 3, 31)
# Title, subtitle, blank row, then the table's header: the first body row is the 5th.
FIRST_BODY = 4


def test_the_layout_imports_no_openpyxl():
    code = "import fsgrant.formats.dfe_return.layout, sys; assert 'openpyxl' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- a small return
def _variance_line(cat, est, actual, forecast, outturn, variance, pct, rag) -> VarianceLine:
    return VarianceLine(
        category=cat,
        estimate_original=D(est),
        estimate_revised=D(est),
        actual=D(actual),
        forecast_remaining=D(forecast),
        forecast_assumed=False,
        outturn=D(outturn),
        variance=D(variance),
        variance_pct=D(pct),
        rag=rag,
    )


def _variance() -> VarianceReport:
    # staffing: estimate 60,000.00; actual 5,000.00 + forecast 50,000.00 = 55,000.00;
    #   variance -5,000.00, -8.3% (amber)
    # training: estimate 40,000.00; actual 1,000.00 + forecast 39,000.00 = 40,000.00;
    #   variance 0.00 (green)
    # total: estimate 100,000.00, actual 6,000.00, forecast 89,000.00,
    #   outturn 95,000.00, variance -5,000.00 = -5.0% of 100,000.00 (amber)
    return VarianceReport(
        funding_year=LABEL,
        as_at=AS_AT,
        period=PeriodSpan(start=date(2019, 8, 1), end=date(2020, 7, 31)),
        award=D("100000.00"),
        lines=(
            _variance_line(
                "staffing",
                "60000.00",
                "5000.00",
                "50000.00",
                "55000.00",
                "-5000.00",
                "-8.3",
                "amber",
            ),
            _variance_line(
                "training",
                "40000.00",
                "1000.00",
                "39000.00",
                "40000.00",
                "0.00",
                "0.0",
                "green",
            ),
        ),
        totals=_variance_line(
            "total", "100000.00", "6000.00", "89000.00", "95000.00", "-5000.00", "-5.0", "amber"
        ),
        underspend_at_risk=D("5000.00"),
        overspend=D("0.00"),
    )


def _profile() -> ProfileReport:
    # February: actual 4,000.00; March: actual 2,000.00; April: forecast 9,000.00.
    def month(m, actual, forecast, cum, cum_est) -> ProfileMonth:
        return ProfileMonth(
            month=m,
            estimate=D("10000.00"),
            actual=D(actual),
            forecast=D(forecast),
            cumulative=D(cum),
            cumulative_estimate=D(cum_est),
        )

    return ProfileReport(
        funding_year=LABEL,
        as_at=AS_AT,
        award=D("100000.00"),
        months=(
            month("2020-02", "4000.00", "0.00", "4000.00", "10000.00"),
            month("2020-03", "2000.00", "0.00", "6000.00", "20000.00"),
            month("2020-04", "0.00", "9000.00", "15000.00", "30000.00"),
        ),
        totals=ProfileTotals(estimate=D("30000.00"), actual=D("6000.00"), forecast=D("9000.00")),
    )


def _post(pid, fte, status, cost, to_date, forecast) -> PostRow:
    return PostRow(
        id=pid,
        title="Worker",
        role="worker",
        host="Council",
        route="direct",
        fte=D(fte),
        status=status,
        status_since=date(2019, 11, 1),
        reason=None,
        expected_start=None,
        annual_cost=D(cost),
        cost_to_date=D(to_date),
        forecast_cost=D(forecast),
    )


def _posts() -> PostsReport:
    # DA-01: 1.00 FTE, £48,000.00 a year, £12,000.00 to date, £36,000.00 forecast.
    # PROB-01 (blocked): 0.50 FTE, £24,000.00 a year, nothing spent or forecast.
    # Totals: 1.50 FTE, £72,000.00, £12,000.00, £36,000.00.
    return PostsReport(
        as_at=AS_AT,
        funding_year=LABEL,
        posts=(
            _post("DA-01", "1.00", "in-post", "48000.00", "12000.00", "36000.00"),
            _post("PROB-01", "0.50", "blocked", "24000.00", "0.00", "0.00"),
        ),
        by_status={},
        blocked=(),
        fte_planned=D("1.50"),
        fte_in_post=D("1.00"),
    )


def _spend(n: int, day: date, amount: str, supplier: str | None) -> SpendLine:
    return SpendLine(
        id=n,
        date=day,
        amount=D(amount),
        category="training",
        supplier=supplier,
        funding_year=LABEL,
        recorded_at=datetime(2020, 1, 1, 12, 0),
        recorded_by="test",
    )


def _data(**changes) -> ReturnData:
    year = FundingYearState(
        label=LABEL,
        status="confirmed",
        start=date(2019, 8, 1),
        end=date(2020, 7, 31),
        award=D("100000.00"),
        original_start=date(2019, 8, 1),
        original_end=date(2020, 7, 31),
        original_award=D("100000.00"),
        original_status="confirmed",
    )
    fields = {
        "grant": Grant(
            name="Test grant", funder="Department for Education", recipient="Example Council"
        ),
        "year": year,
        "as_at": AS_AT,
        "summary": YearSummary(
            label=LABEL,
            status="confirmed",
            start=year.start,
            end=year.end,
            award=D("100000.00"),
            received=D("50000.00"),
            estimate_original=D("100000.00"),
            actual=D("6000.00"),
            remaining=D("94000.00"),
            forecast_remaining=D("89000.00"),
            forecast_outturn=D("95000.00"),
            underspend_at_risk=D("5000.00"),
            overspend=D("0.00"),
            secure=True,
        ),
        "variance": _variance(),
        "profile": _profile(),
        "posts": _posts(),
        # 5,000.00 + 1,234.56 - 234.56 = 6,000.00 over 3 lines.
        "transactions": [
            _spend(1, date(2019, 9, 30), "5000.00", "Agency A"),
            _spend(2, date(2019, 10, 15), "1234.56", '=HYPERLINK("x")'),
            _spend(3, date(2020, 1, 10), "-234.56", None),
        ],
        "variations": [],
        "years": [year],
        "fingerprint": "0" * 64,
        "version": "9.9.9",
        "generated_at": datetime(2020, 4, 1, 9, 30),
    }
    fields.update(changes)
    return ReturnData(**fields)


def values(row: Row) -> tuple[object, ...]:
    return tuple(None if c is None else c.value for c in row.cells)


def cell(row: Row, col: int) -> Cell:
    found = row.cells[col]
    assert found is not None
    return found


# ---------------------------------------------------------------- the sheets
def test_variance_rows_give_each_category_and_the_totals_worked_out_by_hand():
    rows = list(variance_rows(_data()))
    staffing, training, total = rows[FIRST_BODY : FIRST_BODY + 3]
    assert values(staffing)[:8] == (
        "staffing",
        D("60000.00"),
        D("60000.00"),
        D("5000.00"),
        D("50000.00"),
        D("55000.00"),
        D("-5000.00"),
        D("-0.083"),  # -8.3% as Excel holds it
    )
    assert values(training)[:7] == (
        "training",
        D("40000.00"),
        D("40000.00"),
        D("1000.00"),
        D("39000.00"),
        D("40000.00"),
        D("0.00"),
    )
    assert total.role == "total"
    assert values(total) == (
        "Total",
        D("100000.00"),
        D("100000.00"),
        D("6000.00"),
        D("89000.00"),
        D("95000.00"),
        D("-5000.00"),
        D("-0.05"),
        "Amber",
        "No",
        D("0.00"),  # nothing committed
        None,  # no commentary box on the totals row
    )
    assert [cell(total, c).kind for c in range(1, 8)] == ["money"] * 6 + ["percent"]
    assert cell(staffing, 8).fill == "amber" and cell(training, 8).fill == "green"
    assert cell(total, 10).kind == "money"
    assert cell(staffing, 11).kind == "input"
    # After a blank row: the award, underspend at risk (amber) and overspend.
    assert [values(r) for r in rows[FIRST_BODY + 4 :]] == [
        ("Award (as varied)", D("100000.00")),
        ("Underspend at risk", D("5000.00")),
        ("Overspend", D("0.00")),
    ]
    assert cell(rows[-2], 1).fill == "amber" and cell(rows[-1], 1).fill is None


def test_transaction_rows_total_the_lines_and_keep_formula_like_text_as_text():
    rows = list(transaction_rows(_data()))
    body = [r for r in rows if r.role == "body"]
    assert [r.key for r in body] == [
        (date(2019, 9, 30), 1),
        (date(2019, 10, 15), 2),
        (date(2020, 1, 10), 3),
    ]
    supplier = cell(body[1], 6)  # column G
    assert supplier.value == '=HYPERLINK("x")'
    assert supplier.kind == "text"
    assert needs_quote_prefix(supplier.value)
    assert not needs_quote_prefix(cell(body[0], 6).value)
    assert body[2].cells[6] is None  # no supplier: an empty cell
    assert cell(body[2], 9).value == D("-234.56")
    total = rows[-1]
    assert total.role == "total"
    assert cell(total, 0).value == "Total (3 lines)"
    assert cell(total, 9).value == D("6000.00")  # column J, under the amounts
    assert cell(total, 9).kind == "money" and cell(total, 9).total


def test_posts_total_row_adds_up_fte_and_costs():
    rows = list(posts_rows(_data()))
    da, prob, total = rows[FIRST_BODY : FIRST_BODY + 3]
    assert cell(da, 7).value == "in-post" and cell(da, 7).fill is None
    # One spelling of a status everywhere: blocked stands out by its fill and bold.
    assert cell(prob, 7).value == "blocked" and cell(prob, 7).fill == "blocked"
    assert cell(prob, 7).bold
    assert all(c is not None and c.fill == "blocked" for c in prob.cells)
    # Funded annual cost = annual cost x FTE: 48,000.00 x 1.00 and 24,000.00 x 0.50.
    assert values(da)[11:13] == (D("48000.00"), D("48000.00"))
    assert values(prob)[11:13] == (D("24000.00"), D("12000.00"))
    assert total.role == "total"
    assert cell(total, 6).value == D("1.50")
    assert cell(total, 6).kind == "fte"
    # The 1.0-FTE costs are not added up (their sum is no one's bill); the funded
    # costs are: 48,000.00 + 12,000.00 = 60,000.00.
    assert values(total)[11:] == ("", D("60000.00"), D("12000.00"), D("36000.00"))


def test_profile_rows_add_actual_and_forecast_per_month():
    rows = list(profile_rows(_data()))
    months = [r for r in rows if r.role == "body"]
    assert [values(r)[0] for r in months] == [date(2020, 2, 1), date(2020, 3, 1), date(2020, 4, 1)]
    assert [cell(r, 4).value for r in months] == [D("4000.00"), D("2000.00"), D("9000.00")]
    assert {cell(r, 7).value for r in months} == {D("100000.00")}  # the award on each
    assert values(rows[-1]) == (
        "Total",
        D("30000.00"),
        D("6000.00"),
        D("9000.00"),
        D("15000.00"),
    )


def test_summary_rows_flag_the_underspend_and_read_back_labels():
    rows = list(summary_rows(_data()))
    pairs = {r.cells[0].value: r.cells[1:] for r in rows if len(r.cells) > 1 and r.cells[0]}
    underspend, note = pairs["Underspend at risk"]
    assert underspend.value == D("5000.00") and underspend.fill == "amber" and underspend.bold
    assert note.value == "DfE may reclaim funds not used"
    assert len(pairs["Overspend"]) == 1 and pairs["Overspend"][0].fill is None
    assert pairs["Funding year"][0].value == LABEL
    assert pairs["As at"][0].value == AS_AT and pairs["As at"][0].kind == "date"
    assert pairs["Varied"][0].value == "No"
    assert pairs["Condition"][0].value == "None attached to this funding year"
    assert "Ledger fingerprint (SHA-256)" not in pairs
    about = {
        r.cells[0].value: r.cells[1:]
        for r in sheet_rows("About this file", _data())
        if len(r.cells) > 1
    }
    assert about["Ledger fingerprint (SHA-256)"][0].kind == "fingerprint"


def test_sheet_rows_lays_out_each_sheet_by_name():
    first = {
        name: cell(next(sheet_rows(name, _data())), 0).value
        for name in ("Summary", "Spend vs estimate", "Transactions")
    }
    assert first == {
        "Summary": "DfE grant return: Test grant",
        "Spend vs estimate": (
            "Spend vs estimate: Test grant: funding year 2019/20, as at 31/03/2020"
        ),
        "Transactions": "Transactions: Test grant: funding year 2019/20, as at 31/03/2020",
    }


def test_posts_long_text_wraps_in_a_row_tall_enough_to_print_whole():
    long_host = "Cambridgeshire and Peterborough NHS Foundation Trust, adult mental health"
    posts = _posts().model_copy(
        update={
            "posts": (
                _post("DA-01", "1.00", "in-post", "48000.00", "12000.00", "36000.00").model_copy(
                    update={"host": long_host}
                ),
            )
        }
    )
    body = list(posts_rows(_data(posts=posts)))[FIRST_BODY]
    host = cell(body, 4)
    assert host.value == long_host and host.wrap and host.top
    assert cell(body, 1).wrap  # the title wraps too
    assert not cell(body, 11).wrap  # money never wraps
    # 73 characters in a column 24 wide (22 to a line): 4 lines of 15 points.
    assert body.height == 60.0
