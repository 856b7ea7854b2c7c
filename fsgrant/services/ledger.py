"""One grant's ledger: the services of an open store, named as the command line's
nouns.

Open a store with :func:`fsgrant.open`; the :class:`Ledger` it returns holds one
service per noun of the command line, so ``fs.spend.add(...)`` is ``fsgrant spend
add ...``:

========================  =====================================================
``fs.grant``              the grant's details (``grant``)
``fs.years``              funding years and their variations (``year``)
``fs.categories``         cost categories (``category``)
``fs.estimates``          estimates, originals and revisions (``estimate``)
``fs.spend``              spend lines and reversals (``spend``)
``fs.receipts``           grant payments received (``receipt``)
``fs.commitments``        purchase orders raised, not yet invoiced (``commit``)
``fs.posts``              funded posts, their status history and changes (``post``)
``fs.forecasts``          forecasts of remaining spend (``forecast``)
``fs.conditions``         conditions of funding years, evidence, status (``condition``)
``fs.settings``           store settings (``settings``)
``fs.reports``            every report (``report``)
``fs.imports``            finance-system extracts (``spend import``, ``imports``, ``mapping``)
``fs.exports``            the DfE return and 360Giving (``export``)
``fs.periods``            closed periods (``period``)
``fs.returns``            the register of submitted returns (``return``)
``fs.audit``              the audit trail (``log``)
``fs.measures``           outcome measures: observations and targets (``measure``)
``fs.plan``               the onward-sustainability plan (``plan``, ``report sustainability``)
========================  =====================================================

The commands without a noun are methods of the ledger itself: :meth:`Ledger.init`,
:meth:`Ledger.load`, :meth:`Ledger.check`, :meth:`Ledger.doctor`,
:meth:`Ledger.backup`. Each service is a class built on the store's tables and the
services it needs (composition: no service inherits another).
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self

from fsgrant.domain.arguments import checked
from fsgrant.domain.text import org_id, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.store.connection import Store

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fsgrant.domain.models import Finding, Grant, LoadResult
    from fsgrant.domain.periods import DateLike
    from fsgrant.domain.sustainability import SustainabilityYear
    from fsgrant.imports.service import ImportsService
    from fsgrant.services.audit import AuditService
    from fsgrant.services.categories import CategoriesService
    from fsgrant.services.commitments import CommitmentsService
    from fsgrant.services.conditions import ConditionsService
    from fsgrant.services.estimates import EstimatesService
    from fsgrant.services.exports import ExportsService
    from fsgrant.services.forecasts import ForecastsService, SettingsService
    from fsgrant.services.grant import GrantService
    from fsgrant.services.measures import MeasuresService
    from fsgrant.services.pack import PackService
    from fsgrant.services.periods import PeriodsService
    from fsgrant.services.plan import PlanService
    from fsgrant.services.posts import PostsService
    from fsgrant.services.receipts import ReceiptsService
    from fsgrant.services.reports import ReportsService
    from fsgrant.services.returns import ReturnsService
    from fsgrant.services.spend import SpendService
    from fsgrant.services.years import YearsService
    from fsgrant.store.tables import Tables

__all__ = ["Ledger", "open_ledger"]


@checked
class Ledger:
    """One grant's ledger, backed by a :class:`~fsgrant.store.connection.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -------------------------------------------------------------- services
    # Each service is built on first use (and kept), importing its module then, so
    # that a command imports only the services it reaches: ``fsgrant spend add``
    # needs the spend service and the few it is built on, not the reports,
    # exports, imports or plan.
    @cached_property
    def tables(self) -> Tables:
        """The store's tables (one query module per kind of record)."""
        from fsgrant.store.tables import Tables

        return Tables(self.store)

    @cached_property
    def grant(self) -> GrantService:
        """The grant's details (``grant``)."""
        from fsgrant.services.grant import GrantService

        return GrantService(self.tables)

    @cached_property
    def years(self) -> YearsService:
        """Funding years and their variations (``year``)."""
        from fsgrant.services.years import YearsService

        return YearsService(self.tables, self.grant.show)

    @cached_property
    def categories(self) -> CategoriesService:
        """Cost categories (``category``)."""
        from fsgrant.services.categories import CategoriesService

        return CategoriesService(self.tables)

    @cached_property
    def periods(self) -> PeriodsService:
        """Closed periods (``period``)."""
        from fsgrant.services.periods import PeriodsService

        return PeriodsService(self.tables, self.years)

    @cached_property
    def estimates(self) -> EstimatesService:
        """Estimates, originals and revisions (``estimate``)."""
        from fsgrant.services.estimates import EstimatesService

        return EstimatesService(self.tables, self.years, self.categories, self.periods)

    @cached_property
    def spend(self) -> SpendService:
        """Spend lines and reversals (``spend``)."""
        from fsgrant.services.spend import SpendService

        return SpendService(self.tables, self.years, self.categories, self.periods)

    @cached_property
    def commitments(self) -> CommitmentsService:
        """Purchase orders raised and not yet invoiced (``commit``)."""
        from fsgrant.services.commitments import CommitmentsService

        return CommitmentsService(self.tables, self.years, self.categories, self.periods)

    @cached_property
    def receipts(self) -> ReceiptsService:
        """Grant payments received (``receipt``)."""
        from fsgrant.services.receipts import ReceiptsService

        return ReceiptsService(self.tables, self.years, self.periods)

    @cached_property
    def posts(self) -> PostsService:
        """Funded posts, their status history and changes (``post``)."""
        from fsgrant.services.posts import PostsService

        return PostsService(self.tables, self.years, self.categories, self.periods)

    @cached_property
    def forecasts(self) -> ForecastsService:
        """Forecasts of remaining spend (``forecast``)."""
        from fsgrant.services.forecasts import ForecastsService

        return ForecastsService(self.tables, self.years, self.categories, self.periods)

    @cached_property
    def settings(self) -> SettingsService:
        """Store settings (``settings``)."""
        from fsgrant.services.forecasts import SettingsService

        return SettingsService(self.tables)

    @cached_property
    def reports(self) -> ReportsService:
        """Every report (``report``)."""
        from fsgrant.services.reports import ReportsService

        return ReportsService(
            self.tables,
            self.grant.show,
            self.years,
            self.estimates,
            self.spend,
            self.receipts,
            self.posts,
            self.forecasts,
            self.settings,
            self.commitments,
            pack=self._pack,
        )

    def _pack(self) -> PackService:
        from fsgrant.services.pack import PackService

        return PackService(
            self.reports,
            self.years,
            self.posts,
            self.conditions,
            self.returns,
            self.exports,
            self.commitments,
            self.measures,
            self.plan,
        )

    @cached_property
    def conditions(self) -> ConditionsService:
        """Conditions of funding years, evidence, status (``condition``)."""
        from fsgrant.services.conditions import ConditionsService

        # The sustainability check reads the onward-sustainability plan (``fs.plan``)
        # when this ledger has one; without it the check says it is not available.
        return ConditionsService(
            self.tables,
            self.years,
            self.periods,
            self.reports,
            self.settings,
            plan=lambda: self.plan,
        )

    @cached_property
    def imports(self) -> ImportsService:
        """Finance-system extracts (``spend import``, ``imports``, ``mapping``)."""
        from fsgrant.imports.service import ImportsService

        return ImportsService(self.tables, self.grant.show, self.years.list)

    @cached_property
    def measures(self) -> MeasuresService:
        """Outcome measures: observations and targets (``measure``)."""
        from fsgrant.services.measures import MeasuresService

        return MeasuresService(self.tables, self.periods)

    @cached_property
    def plan(self) -> PlanService:
        """The onward-sustainability plan (``plan``, ``report sustainability``)."""
        from fsgrant.services.plan import PlanService

        return PlanService(
            self.tables,
            self.years,
            self.categories,
            self.periods,
            self.posts,
            self.reports,
            self.measures,
        )

    @cached_property
    def exports(self) -> ExportsService:
        """The DfE return and 360Giving (``export``)."""
        from fsgrant.services.exports import ExportsService

        return ExportsService(
            self.tables,
            self.grant.show,
            self.years,
            self.spend,
            self.receipts,
            self.reports,
            self.plan,
            conditions=self.conditions,
        )

    @cached_property
    def returns(self) -> ReturnsService:
        """The register of submitted returns (``return``)."""
        from fsgrant.services.returns import ReturnsService

        return ReturnsService(self.tables, self.exports, self.periods)

    @cached_property
    def audit(self) -> AuditService:
        """The audit trail (``log``)."""
        from fsgrant.services.audit import AuditService

        return AuditService(self.tables)

    # -------------------------------------------------------------- lifecycle
    @property
    def path(self) -> Path:
        """The store's file."""
        return self.store.path

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- the grant
    def init(
        self,
        name: str,
        funder: str,
        recipient: str,
        *,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
    ) -> Grant:
        """Record the grant this store holds (once) and the default cost categories.

        Raises:
            InvalidInput: an empty name, funder or recipient, or an org id that is
                not one (letters, digits and hyphens: ``GB-LAE-CAM``).
            Conflict: the store already holds a grant.
        """
        name, funder, recipient = (
            required_text(name, "grant"),
            required_text(funder, "funder"),
            required_text(recipient, "recipient"),
        )
        funder_id = org_id(funder_org_id, "funder_org_id")
        recipient_id = org_id(recipient_org_id, "recipient_org_id")
        existing = self.tables.grant.name()
        if existing is not None:
            raise Conflict(
                f"this store already holds the grant '{existing}'; one store holds one grant"
            )
        with self.store.transaction(Action.INIT, name, {"funder": funder, "recipient": recipient}):
            self.tables.grant.insert(
                {
                    "name": name,
                    "funder": funder,
                    "recipient": recipient,
                    "funder_org_id": funder_id,
                    "recipient_org_id": recipient_id,
                }
            )
        return self.grant.show()

    def load(self, folder: str | os.PathLike[str]) -> LoadResult:
        """Load a grant ledger kept as plain files into this (empty) store, in one
        transaction: all of it or nothing.

        Returns:
            How many records of each kind were loaded.

        Raises:
            SourceError: a bad value, naming the file, line and field.
            Conflict: the store already holds a grant.
        """
        from fsgrant.services.loading import load_folder

        return load_folder(self, Path(folder))

    # -------------------------------------------------------------- checks
    def check(self, as_at: DateLike | None = None) -> list[Finding]:
        """Problems in the ledger as at ``as_at`` (today when None), as data: errors
        first, then warnings (see :mod:`fsgrant.domain.checks`). Nothing is raised
        for a problem found."""
        from fsgrant.domain.checks import run_checks
        from fsgrant.domain.models import Finding

        facts = self.reports.facts(as_at)
        unread: list[Finding] = []
        if self.plan.sources():
            # the plan is read only when there is one: a ledger without it checks as fast
            try:
                facts = replace(facts, plan=self.plan.report(as_at=facts.day).years)
                unread += self._plan_years_unchecked(facts.plan)
            except InvalidInput as exc:  # a plan spanning more years than a report shows
                unread.append(
                    Finding(
                        severity="warning",
                        code="plan-not-checked",
                        message=f"the onward-sustainability plan was not checked: {exc.message}",
                        subject=None,
                    )
                )
        return run_checks(facts) + unread

    def _plan_years_unchecked(self, shown: Sequence[SustainabilityYear]) -> list[Finding]:
        """A warning naming the plan's years past the 60 its report covers (the default
        range is cut there), if any."""
        from fsgrant.domain.models import Finding

        if not shown:
            return []
        last = shown[-1].financial_year
        named = {f.financial_year for f in self.plan.funding()}
        named |= {c.financial_year for c in self.plan.costs()}
        past = sorted(label for label in named if label[2:6] > last[2:6])
        if not past:
            return []
        return [
            Finding(
                severity="warning",
                code="plan-not-checked",
                message=f"the onward-sustainability plan was checked to {last}, the 60 "
                f"financial years a report covers: {', '.join(past)} not checked",
                subject=None,
            )
        ]

    def doctor(self) -> list[Finding]:
        """Check the store itself; returns every finding (problems have level ``error``);
        see :mod:`fsgrant.store.health`."""
        from fsgrant.store.health import doctor

        return doctor(self.store)

    def backup(self, path: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the store to ``path`` (a new file), even while
        other processes write to it.

        Raises:
            StoreError: ``path`` exists already or cannot be written.
        """
        return self.store.backup(path)


@checked
def open_ledger(
    path: str | os.PathLike[str],
    *,
    create: bool = True,
    read_only: bool | None = None,
    allow_network_store: bool = False,
) -> Ledger:
    """Open the store at ``path`` (creating an empty one unless ``create=False``).

    ``read_only`` None opens read-only a store the user may not write; True always.
    ``allow_network_store`` writes a store on a network filesystem or in a synced
    folder (see :mod:`fsgrant.domain.store_place`), else read only there.

    Raises:
        StoreError: not an fsgrant store, from a newer fsgrant, or missing with ``create=False``.
    """
    return Ledger(
        Store.open(path, create=create, read_only=read_only, allow_network=allow_network_store)
    )
