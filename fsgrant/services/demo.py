"""The worked example: the Cambridgeshire grant from the March 2020 committee report."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fsgrant.domain.conditions import ConditionState
from fsgrant.domain.money import format_pounds
from fsgrant.domain.periods import parse_date
from fsgrant.domain.reports import SummaryReport
from fsgrant.domain.sustainability import SustainabilityReport
from fsgrant.errors import InvalidInput
from fsgrant.services.exports import default_return_name
from fsgrant.services.ledger import Ledger, open_ledger

__all__ = ["DemoResult", "example_ledger_path", "run_demo"]


def example_ledger_path() -> Path:
    """The bundled Cambridgeshire ledger folder.

    Looks in the source checkout (``ledgers/cambridgeshire``) and then in the
    installed package (``fsgrant/_example/cambridgeshire``).
    """
    here = Path(__file__).resolve().parent
    for candidate in (
        here.parent.parent / "ledgers" / "cambridgeshire",
        here.parent / "_example" / "cambridgeshire",
    ):
        if (candidate / "grant.toml").exists():
            return candidate
    raise InvalidInput("the worked example ledger is not installed with this copy of fsgrant")


@dataclass(frozen=True)
class DemoResult:
    """What the demo did: the ledger folder it loaded, the store it made, where the
    grant stands, the files it wrote and what it imported."""

    source: Path
    store: Path
    summary: SummaryReport
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: SustainabilityReport | None = None
    """The illustrative onward-sustainability plan as at the demo's date."""
    conditions: list[ConditionState] = field(default_factory=list)
    """Every condition as at the date, with its evidence and computed check."""


def run_demo(out: Path, *, as_at: str = "2020-03-31", source: Path | None = None) -> DemoResult:
    """Load the example into ``out/demo.db`` (replacing an earlier demo store), report
    on it as at ``as_at`` and write the DfE return of the funding year that covers
    that date (else the first) into ``out`` (replacing an earlier one)."""
    folder = source or example_ledger_path()
    out.mkdir(parents=True, exist_ok=True)
    target = out / "demo.db"
    # Build the new store beside the old one, then swap, so a failure leaves the
    # previous demo store as it was.
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".db", dir=out)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    try:
        with open_ledger(tmp) as led:
            led.load(folder)
            notes = _import_example_extract(led, folder)
            _example_plan(led)
            summary = led.reports.summary(as_at)
            plan = led.plan.report(as_at=as_at)
            conditions = led.conditions.list(as_at=as_at)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    outputs: list[Path] = []
    with open_ledger(target, create=False) as led:
        years = [y for y in summary.funding_years if y.status != "withdrawn"]
        if years:
            day = summary.as_at
            label = next(
                (y.label for y in years if day is not None and y.start <= day <= y.end),
                years[0].label,
            )
            written = led.exports.write_return(
                label,
                as_at,
                out=out / default_return_name(led.grant.show().name, label, parse_date(as_at)),
                force=True,
            )
            outputs.append(written)
    return DemoResult(
        source=folder,
        store=target,
        summary=summary,
        outputs=outputs,
        notes=notes,
        plan=plan,
        conditions=conditions,
    )


# The outcome figures are the committee report's own (March 2020); every amount and
# unit cost of the plan is ILLUSTRATIVE: the report gives none.
_SET_ON = "2020-03-01"


def _example_plan(led: Ledger) -> None:
    """Record the report's outcome measures and an illustrative onward-sustainability
    plan: the council's base budget, partners, and the savings of fewer children in
    care (739 on 4 February 2020; about 670 at the statistical neighbours' average
    rate; about 560 at Hertfordshire's rate of 34 per 10,000)."""
    m = led.measures
    m.add("children-in-care", "2020-02-04", "739", note="committee report, March 2020")
    m.add("cp-plans", "2019-04-30", "581", note="the peak of child protection plans, April 2019")
    m.target("children-in-care", "FY2022/23", "670", on=_SET_ON)
    m.target("children-in-care", "FY2023/24", "560", on=_SET_ON)
    p = led.plan
    p.add_source("council-base", "base-budget", description="Children's services base budget")
    p.add_source("partners", "partner", description="NHS, police and crime commissioner")
    p.add_source(
        "care-savings",
        "savings",
        description="Fewer children in care: ILLUSTRATIVE £3,500 net a year each",
        measure="children-in-care",
        baseline="739",
        unit_cost="3500.00",
    )
    for fy, base in (
        ("FY2021/22", "200000.00"),
        ("FY2022/23", "300000.00"),
        ("FY2023/24", "350000.00"),
    ):
        note = "illustrative"
        p.fund("council-base", fy, base, on=_SET_ON, note=note)
        p.fund("partners", fy, "100000.00", on=_SET_ON, note=note)
        p.cost("case-recording", fy, "40000.00", on=_SET_ON, note="workbook licence, illustrative")
        p.cost("training", fy, "20000.00", on=_SET_ON, note="MI refresher, illustrative")


def _import_example_extract(led: Ledger, folder: Path) -> list[str]:
    """Import the example's finance-system extract (illustrative), if it has one."""
    mapping = folder / "agresso-mapping.toml"
    extracts = sorted((folder / "extracts").glob("*.csv"))
    if not mapping.exists() or not extracts:
        return []
    notes = []
    for extract in extracts:
        r = led.imports.import_file(extract, mapping)
        notes.append(
            f"Imported the finance-system extract {r.file_name} (illustrative) as batch "
            f"{r.batch_id}: {r.rows_read} rows read, {r.rows_added} new, {r.rows_duplicate} "
            f"duplicate, {r.rows_skipped} skipped ("
            + ("; ".join(f"{k}: {v}" for k, v in r.skipped_by.items()) or "none")
            + f"), {r.rows_zero} of 0.00 (skipped), {r.rows_rejected} "
            f"rejected, {r.amounts_snapped} amounts snapped to the penny; "
            f"{format_pounds(r.total_added)} added."
        )
    return notes
