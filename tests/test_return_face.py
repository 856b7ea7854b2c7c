"""The return as a person reads it: the worked example's quarterly return (2019/20 Q3,
as at 30 April 2020) after its return as at 31 March 2020 was sent and one late
invoice came in. The Summary speaks DfE's language (no tool text, categories by
their description, the quarter with its budget, the Section 151 officer named), and
the Changes sheet tells the correction once."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

import fsgrant
from fsgrant.services.demo import run_demo

MARCH = "family-safeguarding-roll-out-2019-20-return-2020-03-31.xlsx"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """(store, march return, quarterly return) of the worked example."""
    folder = tmp_path_factory.mktemp("example")
    result = run_demo(folder)
    with fsgrant.open(result.store, create=False) as led:
        led.returns.submit(folder / MARCH, on="2020-04-15", reference="Q2 return")
        led.grant.set(s151_officer="A. Finance, Executive Director of Resources")
        led.spend.add(
            "2020-01-20", "4200.00", "training", supplier="MI Training Ltd", reference="INV-0112"
        )
        q3 = led.exports.write_return("2019/20", out=folder / "q3.xlsx", quarter="Q3")
    return result.store, folder / MARCH, q3


def _values(path, sheet):
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_the_summary_holds_no_tool_text(example):
    _, _, q3 = example
    text = [str(v) for row in _values(q3, "Summary") for v in row if v is not None]
    joined = "\n".join(text)
    for word in ("fsgrant", "verify", "SHA-256", "entry ", "plan.fund", "spend.add"):
        assert word not in joined, word
    assert not re.search(r"\b[0-9a-f]{64}\b", joined)
    # Categories by their description, never their slug.
    for slug in ("case-recording", "programme-management", "staffing", "training"):
        assert slug not in text, slug
    assert "Motivational Interviewing and other training" in text
    # The officer who signs, named where recorded; the quarter with its budget.
    rows = {r[0]: r[1:] for r in _values(q3, "Summary") if r and r[0]}
    assert rows["Section 151 officer"][0] == "A. Finance, Executive Director of Resources"
    assert rows["Spend by category"][:3] == ("Spend", "Budget", "Variance")
    assert "Quarter total" in rows and "Year to date" in rows
    # What made the file is on its last sheet.
    about = {r[0]: r[1] for r in _values(q3, "About this file") if r and r[0]}
    assert re.fullmatch(r"[0-9a-f]{64}", about["Ledger fingerprint (SHA-256)"])


def test_the_changes_sheet_tells_the_late_invoice_once(example):
    _, _, q3 = example
    rows = _values(q3, "Changes since the last return")
    assert all(len(str(v)) <= 300 for r in rows for v in r if v is not None)
    causes = [r for r in rows if r[0] and str(r[0]).startswith("MI Training Ltd")]
    assert len(causes) == 1
    assert causes[0][0].startswith(
        "MI Training Ltd, INV-0112, £4,200.00, dated 20/01/2020, recorded "
    )
    assert causes[0][1] == 4200
    by_label = {r[0]: r[1:] for r in rows if r and r[0]}
    assert by_label["Corrections since"][0] == 1
    # The March return's actual spend, restated by the invoice: +4,200.00.
    submitted, now, change, corrections = by_label["Actual spend to date"][:4]
    assert (round(now - submitted, 2), change, corrections) == (4200, 4200, 1)


# ------------------------------------------------------------ every figure fits
def _as_shown(value, number_format):
    """What a spreadsheet shows for a number or date under the formats a return uses
    (worked out here from the format, not by the writer's own rule)."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, datetime | date):
        if number_format == "mmm yyyy":
            return "Sep 2020"
        return "31/12/2020 23:59:59" if "hh" in number_format else "31/12/2020"
    n = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number_format == "£#,##0.00":
        return ("-" if n < 0 else "") + f"£{abs(n):,.2f}"
    if number_format == "0.0%":
        return f"{n * 100:.1f}%"
    if number_format == "0.00":
        return f"{n:.2f}"
    return str(n)  # General: a whole number as it is


def test_every_number_and_date_fits_its_column(example):
    from openpyxl.utils import get_column_letter

    _, _, q3 = example
    wb = load_workbook(q3)  # not read-only: column widths and formats
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    v = c.value
                    if v is None or isinstance(v, str | bool):
                        continue
                    shown = _as_shown(v, c.number_format)
                    bold = 1.1 if c.font is not None and c.font.b else 1.0
                    width = ws.column_dimensions[get_column_letter(c.column)].width
                    # One unit per character (a tenth more in bold) and a margin.
                    assert len(shown) * bold + 1 <= width, (ws.title, c.coordinate, shown, width)
    finally:
        wb.close()


def test_each_table_header_comes_from_its_sheet_s_definition(example):
    from fsgrant.formats.dfe_return.layout import (
        POSTS_HEADERS,
        TRANSACTION_HEADERS,
        VARIANCE_HEADERS,
    )
    from fsgrant.formats.dfe_return.layout_changes import CAUSE_HEADERS, HEADLINE_HEADERS

    _, _, q3 = example
    for sheet, headers in (
        ("Spend vs estimate", VARIANCE_HEADERS),
        ("Posts", POSTS_HEADERS),
        ("Transactions", TRANSACTION_HEADERS),
        ("Changes since the last return", CAUSE_HEADERS),
        ("Changes since the last return", HEADLINE_HEADERS),
    ):
        rows = _values(q3, sheet)
        assert any(r[: len(headers)] == headers for r in rows), sheet


# ------------------------------------------------------------ printed as finance prints it
def test_the_quarterly_return_prints_whole(example, tmp_path):
    """Rendered by LibreOffice (skipped where it is not installed): no ``###`` in the
    PDF's text, the Summary on one page, and the whole return in 12 pages or fewer
    (it was 10 pages with 3 ``###`` before columns were sized by their content)."""
    import shutil
    import subprocess

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        pytest.skip("LibreOffice (soffice) and poppler (pdftotext) are needed to render")
    _, _, q3 = example
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(q3)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "q3.pdf"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    pages = pages[:-1] if pages and not pages[-1].strip() else pages
    assert "###" not in text
    # The Summary is one page (the page after it is Spend vs estimate).
    assert "DfE grant return" in pages[0] and "Spend vs estimate:" in pages[1]
    assert len(pages) <= 12, len(pages)
