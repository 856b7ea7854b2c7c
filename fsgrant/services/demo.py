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
from fsgrant.errors import InvalidInput, StoreError
from fsgrant.formats.atomic import check_output
from fsgrant.services.exports import default_return_name
from fsgrant.services.ledger import Ledger, open_ledger
from fsgrant.store.place import store_place

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
    """The example's onward-sustainability plan as at the demo's date (its measures,
    sources, funding and costs are in the ledger folder: the outcome figures are the
    committee report's, the amounts and unit costs illustrative)."""
    conditions: list[ConditionState] = field(default_factory=list)
    """Every condition as at the date, with its evidence and computed check."""


def run_demo(
    out: Path,
    *,
    as_at: str = "2020-03-31",
    source: Path | None = None,
    force: bool = False,
    allow_network_store: bool = False,
) -> DemoResult:
    """Load the example into ``out/demo.db``, report on it as at ``as_at`` and write
    the DfE return of the funding year that covers that date (else the first) into
    ``out``.

    Raises:
        Conflict: ``out/demo.db`` or the return exists already and ``force`` is false
            (checked before either is written).
        InvalidInput: ``out`` is a file, or ``demo.db`` there is a folder.
        StoreError: ``out`` is on a network share or in a synced folder (see
            :mod:`fsgrant.domain.store_place`) and ``allow_network_store`` is false.
    """
    folder = source or example_ledger_path()
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"out: {out} is not a folder", field="out", value=str(out))
    target = out / "demo.db"
    place = None if allow_network_store else store_place(target)
    if place is not None:
        raise StoreError(place.message(target), code="unsafe-place")
    if out.is_dir():
        check_output(target, force=force)
    out.mkdir(parents=True, exist_ok=True)
    # Build the new store beside the old one, then swap, so a failure leaves the
    # previous demo store as it was.
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".db", dir=out)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    written_return: Path | None = None
    try:
        with open_ledger(tmp, allow_network_store=allow_network_store) as led:
            led.load(folder)
            notes = _import_example_extract(led, folder)
            notes += _import_example_outcomes(led, folder)
            summary = led.reports.summary(as_at)
            plan = led.plan.report(as_at=as_at)
            conditions = led.conditions.list(as_at=as_at)
            label = _return_year(summary)
            if label is not None:
                name = default_return_name(led.grant.show().name, label, parse_date(as_at))
                written_return = check_output(out / name, force=force)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    outputs: list[Path] = []
    if label is not None and written_return is not None:
        with open_ledger(target, create=False, allow_network_store=allow_network_store) as led:
            outputs.append(led.exports.write_return(label, as_at, out=written_return, force=force))
    return DemoResult(
        source=folder,
        store=target,
        summary=summary,
        outputs=outputs,
        notes=notes,
        plan=plan,
        conditions=conditions,
    )


def _return_year(summary: SummaryReport) -> str | None:
    """The funding year whose return the demo writes: the one covering the report's
    date, else the first (withdrawn years aside); None when there is none."""
    years = [y for y in summary.funding_years if y.status != "withdrawn"]
    if not years:
        return None
    day = summary.as_at
    return next(
        (y.label for y in years if day is not None and y.start <= day <= y.end), years[0].label
    )


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


# The example's published statistics (an illustrative file in DfE's published layout):
# the council's children in care, and England's beside them as a benchmark.
_OUTCOME_IMPORTS: tuple[tuple[str, str, str | None], ...] = (
    ("children-looked-after-illustrative.csv", "Cambridgeshire", None),
    ("children-looked-after-illustrative.csv", "England", "England"),
)


def _import_example_outcomes(led: Ledger, folder: Path) -> list[str]:
    """Import the example's published-format outcome file (illustrative), if any."""
    notes = []
    for name, la, benchmark in _OUTCOME_IMPORTS:
        path = folder / "published" / name
        if path.exists():
            done = led.measures.import_published(
                path, la=la, measure="children-in-care", benchmark=benchmark
            )
            notes.append(f"Imported published statistics (illustrative): {done.summary}.")
    return notes
