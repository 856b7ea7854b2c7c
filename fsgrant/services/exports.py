"""Exports (``fsgrant export``): the DfE return workbook, checking a return against
the store, and the 360Giving data package.

:class:`ExportsService` gathers the figures (the same reports the command line
shows) and hands them to the writers in :mod:`fsgrant.formats`. Files are written
through :func:`fsgrant.formats.atomic.write_atomically`, so a failed export never
leaves half a file, and an existing file is only replaced when asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.models import Grant
from fsgrant.domain.money import ZERO
from fsgrant.domain.periods import (
    DateLike,
    Period,
    as_at_day,
    parse_date,
    period_label,
    quarter_period,
)
from fsgrant.errors import InvalidInput
from fsgrant.formats.atomic import write_atomically
from fsgrant.services.export_paths import default_return_name
from fsgrant.services.export_paths import default_target as _default_target
from fsgrant.services.plan import PlanService
from fsgrant.services.receipts import ReceiptsService
from fsgrant.services.reports import ReportsService
from fsgrant.services.spend import SpendService
from fsgrant.services.years import YearsService
from fsgrant.store.health import fingerprint
from fsgrant.store.tables import Tables

if TYPE_CHECKING:
    from fsgrant.domain.submissions import Restatement, ReturnCheck, SubmittedReturn
    from fsgrant.formats.dfe_return import ReturnData, ReturnQuarter
    from fsgrant.formats.dfe_return.model import ReturnChanges
    from fsgrant.services.conditions import ConditionsService
    from fsgrant.services.return_check import ReturnChecker

__all__ = ["ExportsService", "default_return_name"]


@checked
class ExportsService:
    """``fs.exports``: the DfE return, its verification, the 360Giving package."""

    def __init__(
        self,
        tables: Tables,
        grant: Callable[[], Grant],
        years: YearsService,
        spend: SpendService,
        receipts: ReceiptsService,
        reports: ReportsService,
        plan: PlanService,
        *,
        conditions: ConditionsService | None = None,
    ) -> None:
        self._tables = tables
        self._conditions = conditions
        self._grant = grant
        self._years = years
        self._spend = spend
        self._receipts = receipts
        self._reports = reports
        self._plan = plan

    def fingerprint(self) -> str:
        """A SHA-256 over every row of the ledger's data tables: any change to the
        ledger changes it (see :func:`fsgrant.store.health.fingerprint`)."""
        return fingerprint(self._tables.store)

    # ------------------------------------------------------------ the return
    def return_data(
        self,
        label: str,
        as_at: DateLike | None = None,
        *,
        generated_at: datetime | None = None,
        quarter: str | None = None,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        changes: bool = True,
        source_fields: bool = False,
    ) -> ReturnData:
        """Everything the DfE return for one funding year shows, as at a date (when
        None, today, or the year's last day once it has ended: see
        :meth:`default_as_at`). The transactions are a stream from the store: consume them once.

        With ``changes`` (the default), the figures of the latest return of the year
        submitted as at an earlier date that the ledger now gives differently (the
        Changes since the last return sheet).
        With ``source_fields``, the Transactions sheet adds one column per source
        header of the year's imported lines (their union, in first-seen order).

        A quarterly return (``quarter`` ``Q3`` of the funding year or ``FY2019/20 Q4``,
        or ``from_date``/``to_date``) is as at the period's end and also shows the
        period's spend by category beside the year to date and the forecast.

        Raises:
            NotFound: no such funding year.  InvalidInput: a bad quarter or dates, a
                quarter with ``as_at`` or with dates, or a period outside the year.
        """
        from fsgrant._version import __version__
        from fsgrant.formats.dfe_return import ReturnData

        span = self._return_period(label, as_at, quarter, from_date, to_date)
        if span is not None:
            day = span[1].end
        else:
            day = as_at_day(as_at) if as_at is not None else self.default_as_at(label)[0]
        year = self._years.get(label, day)
        summary = self._reports.summary(day)
        year_summary = next(y for y in summary.funding_years if y.label == label)
        return ReturnData(
            grant=self._grant(),
            year=year,
            as_at=day,
            summary=year_summary,
            variance=self._reports.variance(label, day),
            profile=self._reports.profile(label, day),
            posts=self._reports.posts(day, year=label),
            # The lean rows of the Transactions sheet; full lines when their source
            # fields are shown too.
            transactions=(
                self._spend.iter(year=label, as_at=day)
                if source_fields
                else self._spend.transaction_lines(label, day)
            ),
            variations=self._years.variations(label),
            years=self._years.list(day),
            conditions=() if self._conditions is None else tuple(self._conditions.list(as_at=day)),
            fingerprint=self.fingerprint(),
            version=__version__,
            generated_at=generated_at or datetime.now(UTC).replace(tzinfo=None),
            sustainability=self._plan.report(as_at=day),
            quarter=None if span is None else self._quarter(label, span[0], span[1]),
            changes=self._changes_since(label, day) if changes else None,
            category_names={
                c.name: c.description or c.name for c in self._tables.grant.categories()
            },
            source_fields=self._source_fields(label, day) if source_fields else (),
        )

    def default_as_at(self, label: str, today: date | None = None) -> tuple[date, bool]:
        """The day a return of ``label`` speaks for when no date is given: today
        within the year (or before it); once the year has ended, its last day as
        varied by then. The flag says the year has ended."""
        now = today or date.today()
        end = self._years.get(label, now).end
        if now <= end:
            return now, False
        then = self._years.get(label, end).end
        return (then, True) if then < now else (now, False)

    def _source_fields(self, label: str, day: date) -> tuple[str, ...]:
        """The source headers of the year's lines up to ``day``, in first-seen order."""
        seen: dict[str, None] = {}
        for line in self._spend.iter(year=label, as_at=day):
            for name in line.source_fields or {}:
                if name.strip():
                    seen.setdefault(name, None)
        return tuple(seen)

    def return_data_for(
        self,
        label: str,
        day: date,
        period: tuple[date, date] | None,
        *,
        changes: bool = True,
        source_fields: bool = False,
    ) -> ReturnData:
        """A return's figures recomputed as its Summary reads: as at ``day``, or for the
        quarter ``period`` (first and last day) of a quarterly return; with the lines'
        source fields when the return has them."""
        if period is None:
            return self.return_data(label, day, changes=changes, source_fields=source_fields)
        return self.return_data(
            label,
            from_date=period[0],
            to_date=period[1],
            changes=changes,
            source_fields=source_fields,
        )

    def _changes_since(self, label: str, day: date) -> ReturnChanges | None:
        """The latest return of ``label`` submitted as at a date before ``day``, and
        what moved since (see :mod:`fsgrant.services.return_check`); None when none was."""
        return self._checker().changes_since(label, day)

    def _checker(self) -> ReturnChecker:
        from fsgrant.services.return_check import ReturnChecker

        return ReturnChecker(self._tables, self)

    def restatements(self, submission: SubmittedReturn) -> list[Restatement]:
        """Each figure of a submitted return that the ledger now gives differently,
        with the records written since that moved it (see
        :func:`fsgrant.domain.submissions.moved_figures`). The return's own Changes
        since the last return sheet is left out: it restates an earlier return."""
        from fsgrant.domain.submissions import SubmittedReturn

        if not isinstance(submission, SubmittedReturn):
            raise InvalidInput(
                "submission must be a submitted return (fs.returns.get(id)), "
                f"not {type(submission).__name__}",
                field="submission",
            )
        return self._checker().restatements(submission)

    def _return_period(
        self,
        label: str,
        as_at: DateLike | None,
        quarter: str | None,
        from_date: DateLike | None,
        to_date: DateLike | None,
    ) -> tuple[str, Period] | None:
        """The label and days of a quarterly return's period, or None."""
        dated = from_date is not None or to_date is not None
        if quarter is None and not dated:
            return None
        if as_at is not None:
            raise InvalidInput(
                "a quarterly return is as at its period's end: give --quarter or --from/--to, "
                "not --as-at",
                field="as-at",
            )
        if quarter is not None and dated:
            raise InvalidInput("give --quarter or --from/--to, not both", field="quarter")
        if quarter is not None:
            # The quarters of the year as varied by the end of the year's period.
            y = self._years.get(label)
            name, span = quarter_period(label, y.start, y.end, quarter)
            y = self._years.get(label, span.end)
            return name, quarter_period(label, y.start, y.end, quarter)[1]
        if from_date is None or to_date is None:
            raise InvalidInput("give both --from and --to", field="from")
        start, end = parse_date(from_date, field="from"), parse_date(to_date, field="to")
        y = self._years.get(label, end)
        if end < start:
            raise InvalidInput(f"--to ({end}) is before --from ({start})", field="to")
        if not (y.start <= start and end <= y.end):
            raise InvalidInput(
                f"{start} to {end} is not within funding year {label} ({y.start} to {y.end})",
                field="from",
            )
        span = Period(start, end)
        return period_label(label, y.start, y.end, span), span

    def _quarter(self, label: str, name: str, span: Period) -> ReturnQuarter:
        from fsgrant.domain.quarter import quarter_lines
        from fsgrant.formats.dfe_return import ReturnQuarter

        spent: dict[str, Decimal] = {}
        for (lbl, day, category), amount in self._spend.totals(
            span.end, by=("date", "category")
        ).items():
            if lbl == label and span.start <= day <= span.end:
                spent[category] = spent.get(category, ZERO) + amount
        figures = self._reports.figures(span.end)[label]
        lines = quarter_lines(figures.categories, figures.year.period, span, spent)
        return ReturnQuarter(
            label=name,
            start=span.start,
            end=span.end,
            spend=tuple((x.category, x.spend) for x in sorted(lines, key=lambda x: x.category)),
            lines=tuple(sorted(lines, key=lambda x: x.category)),
        )

    def write_return(
        self,
        label: str,
        as_at: DateLike | None = None,
        out: str | os.PathLike[str] | None = None,
        force: bool = False,
        *,
        quarter: str | None = None,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        progress: Callable[[float], None] | None = None,
        source_fields: bool = False,
    ) -> Path:
        """Write the DfE return workbook for a funding year as at a date (when None,
        today, or the year's last day once it has ended), or a quarterly return as at the end of ``quarter`` (``Q3``, ``FY2019/20
        Q4``) or of ``from_date``..``to_date`` (see :meth:`return_data`).

        Args:
            label: the funding year.
            as_at: the date the return speaks for.
            out: the file; default ``exports/<grant-slug>-<year>-return-<as-at>.xlsx``
                (the ``exports`` folder is made if needed).
            force: replace an existing file.
            progress: called, while the transactions are written, with the share
                of them written so far (0.0 to 1.0).
            source_fields: add to the Transactions sheet one column per source header
                of the year's imported lines, each line's value as text.

        Returns:
            The path written.

        Raises:
            NotFound: no such funding year.  Conflict: the file exists (without force).
            InvalidInput: a bad date, an ``out`` not named ``.xlsx``, or the folder of
                ``out`` does not exist.

        A return as at a date before the year starts is labelled so on its Summary
        sheet (every figure is then a forecast).
        """
        from fsgrant.formats.dfe_return import write_return

        if out is not None and Path(out).suffix.lower() != ".xlsx":
            raise InvalidInput(
                f"the DfE return is an Excel workbook: name its file .xlsx, not '{out}'",
                field="out",
                value=str(out),
            )
        data = self.return_data(
            label,
            as_at,
            quarter=quarter,
            from_date=from_date,
            to_date=to_date,
            source_fields=source_fields,
        )
        target = (
            Path(out)
            if out is not None
            else _default_target(
                default_return_name(
                    data.grant.name,
                    label,
                    data.as_at,
                    None if data.quarter is None else data.quarter.label,
                )
            )
        )
        lines: Callable[[int], None] | None = None
        if progress is not None:
            report = progress
            expected = max(self._spend.transaction_count(label, data.as_at), 1)

            def lines(done: int) -> None:
                report(min(done / expected, 1.0))

        return write_atomically(
            target,
            lambda tmp: write_return(data, tmp, progress=lines),
            force=force,
            inputs=(self._tables.store.path,),
        )

    def verify(self, path: str | os.PathLike[str]) -> ReturnCheck:
        """What ``fsgrant export verify`` says of a return: whether the file is the
        one submitted (its SHA-256 in the register of submitted returns), whether the
        ledger still gives the same figures, and each figure that moved, compared by
        label (sheet, row, column), with the records written since that may have
        moved it.

        The figures compared against are those registered when the file was
        submitted; for a file never submitted, those read from the file, and then
        every cell against the return as written (``edited``: a copy changed by
        hand). Each correction behind the moved figures is told once, in words
        (``causes``), with the headline figures it moved (``headline``). Both sides
        are streamed: memory stays flat however many lines the year has.

        Raises:
            InvalidInput: not a workbook, or not an fsgrant return.
            NotFound: the return's funding year is not in this store.
        """
        return self._checker().verify(path)

    # ------------------------------------------------------------ 360Giving
    def giving360_package(
        self,
        as_at: DateLike | None = None,
        *,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
        id_prefix: str | None = None,
    ) -> dict[str, Any]:
        """The grant as a 360Giving data package (plain JSON data, as the standard
        defines it); see :mod:`fsgrant.formats.giving360`.

        Raises:
            InvalidInput: an org id is missing, or no funding year is confirmed.
        """
        from fsgrant.formats.giving360 import DEFAULT_ID_PREFIX, build_package

        day = as_at_day(as_at)
        modified = self._tables.years.last_recorded() or datetime.combine(day, datetime.min.time())
        return build_package(
            self._grant(),
            self._years.list(day),
            self._receipts.list(as_at=day),
            as_at=day,
            modified=modified,
            funder_org_id=funder_org_id,
            recipient_org_id=recipient_org_id,
            id_prefix=id_prefix or DEFAULT_ID_PREFIX,
        )

    def write_360giving(
        self,
        out: str | os.PathLike[str] | None = None,
        force: bool = False,
        *,
        as_at: DateLike | None = None,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
        id_prefix: str | None = None,
    ) -> Path:
        """Write the 360Giving data package as JSON; default
        ``exports/<grant-slug>-360giving.json``.

        Raises:
            InvalidInput: an org id is missing, or no funding year is confirmed.
            Conflict: the file exists (without force).
        """
        from fsgrant.formats.giving360 import grant_slug

        package = self.giving360_package(
            as_at,
            funder_org_id=funder_org_id,
            recipient_org_id=recipient_org_id,
            id_prefix=id_prefix,
        )
        target = (
            Path(out)
            if out is not None
            else _default_target(f"{grant_slug(self._grant().name)}-360giving.json")
        )
        text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
        return write_atomically(
            target,
            lambda tmp: tmp.write_text(text, encoding="utf-8"),
            force=force,
            inputs=(self._tables.store.path,),
        )
