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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.domain.models import Grant
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.errors import InvalidInput
from fsgrant.formats.atomic import write_atomically
from fsgrant.services.plan import PlanService
from fsgrant.services.receipts import ReceiptsService
from fsgrant.services.reports import ReportsService
from fsgrant.services.spend import SpendService
from fsgrant.services.years import YearsService
from fsgrant.store.health import fingerprint
from fsgrant.store.tables import Tables

if TYPE_CHECKING:
    from fsgrant.domain.submissions import ReturnCheck
    from fsgrant.formats.dfe_return import ReturnData
    from fsgrant.services.conditions import ConditionsService

__all__ = ["ExportsService", "default_return_name"]


def default_return_name(grant_name: str, label: str, as_at: date) -> str:
    """``<grant-slug>-<year>-return-<as-at>.xlsx``, the year ``2019/20`` as ``2019-20``."""
    from fsgrant.formats.giving360 import grant_slug

    return f"{grant_slug(grant_name)}-{grant_slug(label)}-return-{as_at.isoformat()}.xlsx"


def _default_target(name: str) -> Path:
    folder = Path("exports")
    folder.mkdir(exist_ok=True)
    return folder / name


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
        self, label: str, as_at: DateLike | None = None, *, generated_at: datetime | None = None
    ) -> ReturnData:
        """Everything the DfE return for one funding year shows, as at a date (today
        when None). The transactions are a stream from the store: consume them once.

        Raises:
            NotFound: no such funding year.
        """
        from fsgrant import __version__
        from fsgrant.formats.dfe_return import ReturnData

        day = as_at_day(as_at)
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
            transactions=self._spend.iter(year=label, as_at=day),
            variations=self._years.variations(label),
            years=self._years.list(day),
            conditions=() if self._conditions is None else tuple(self._conditions.list(as_at=day)),
            fingerprint=self.fingerprint(),
            version=__version__,
            generated_at=generated_at or datetime.now(UTC).replace(tzinfo=None),
            sustainability=self._plan.report(as_at=day),
        )

    def write_return(
        self,
        label: str,
        as_at: DateLike | None = None,
        out: str | os.PathLike[str] | None = None,
        force: bool = False,
    ) -> Path:
        """Write the DfE return workbook for a funding year as at a date (today when
        None).

        Args:
            label: the funding year.
            as_at: the date the return speaks for.
            out: the file; default ``exports/<grant-slug>-<year>-return-<as-at>.xlsx``
                (the ``exports`` folder is made if needed).
            force: replace an existing file.

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
        day = as_at_day(as_at)
        data = self.return_data(label, day)
        target = (
            Path(out)
            if out is not None
            else _default_target(default_return_name(data.grant.name, label, data.as_at))
        )
        return write_atomically(target, lambda tmp: write_return(data, tmp), force=force)

    def verify(self, path: str | os.PathLike[str]) -> ReturnCheck:
        """What ``fsgrant export verify`` says of a return: whether the file is the
        one submitted (its SHA-256 in the register of submitted returns), whether the
        ledger still gives the same figures, and each figure that moved, compared by
        label (sheet, row, column), with the records written since that may have
        moved it.

        The figures compared against are those registered when the file was
        submitted; for a file never submitted, those read from the file.

        Raises:
            InvalidInput: not a workbook, or not an fsgrant return.
            NotFound: the return's funding year is not in this store.
        """
        from fsgrant.domain.submissions import ReturnCheck, moved_figures
        from fsgrant.formats.dfe_return import ReturnReader
        from fsgrant.formats.dfe_return.figures import return_figures, return_headers
        from fsgrant.services.returns import file_sha256

        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"no file at {p}", field="path")
        submission = self._tables.returns.by_sha256(file_sha256(p))
        with ReturnReader(p) as reader:
            heading = reader.heading
            label, day = heading.funding_year, heading.as_at
            headers = return_headers(self.return_data(label, day))
            fresh = self.return_data(label, day)
            # A return made before a sheet was added is compared on the sheets it has.
            now = [f for f in return_figures(fresh, headers) if f.sheet in reader.sheets]
            since: datetime | None
            if submission is not None:
                before = list(submission.figures)
                since = submission.submitted_at
                matches: bool | None = True
            else:
                before = reader.figures(headers)
                since = heading.generated_at
                if since is not None and since.tzinfo is None:
                    since = since.replace(tzinfo=UTC)  # a return's times are UTC
                matches = False if self._tables.returns.latest(label, day) is not None else None
        records = [
            e
            for e in self._tables.audit.entries(since.date() if since is not None else None)
            if (since is None or e.at > since) and e.action != "return.submit"
        ]
        post_ids = [p.id for p in self._tables.posts.load()]
        changes = moved_figures(before, now, records, post_ids=post_ids)
        return ReturnCheck(
            file=str(p),
            funding_year=label,
            as_at=day,
            file_matches_submission=matches,
            submission=None
            if submission is None
            else submission.model_copy(update={"figures": ()}),
            ledger_matches=not changes,
            fingerprint_matches=heading.fingerprint == fresh.fingerprint,
            changes=tuple(changes),
        )

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
            target, lambda tmp: tmp.write_text(text, encoding="utf-8"), force=force
        )
