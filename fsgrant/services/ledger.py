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
from pathlib import Path
from typing import Self

from fsgrant.domain.checks import run_checks
from fsgrant.domain.models import Finding, Grant, LoadResult
from fsgrant.domain.periods import DateLike
from fsgrant.domain.text import clean_text, required_text
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.services.audit import AuditService
from fsgrant.services.categories import CategoriesService
from fsgrant.services.conditions import ConditionsService
from fsgrant.services.estimates import EstimatesService
from fsgrant.services.exports import ExportsService
from fsgrant.services.forecasts import ForecastsService, SettingsService
from fsgrant.services.grant import GrantService
from fsgrant.services.imports import ImportsService
from fsgrant.services.measures import MeasuresService
from fsgrant.services.periods import PeriodsService
from fsgrant.services.plan import PlanService
from fsgrant.services.posts import PostsService
from fsgrant.services.receipts import ReceiptsService
from fsgrant.services.reports import ReportsService
from fsgrant.services.returns import ReturnsService
from fsgrant.services.spend import SpendService
from fsgrant.services.years import YearsService
from fsgrant.store.connection import Store, utc_now
from fsgrant.store.health import doctor
from fsgrant.store.tables import Tables

__all__ = ["Ledger", "open_ledger"]


class Ledger:
    """One grant's ledger, backed by a :class:`~fsgrant.store.connection.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tables = t = Tables(store)
        self.grant = GrantService(t)
        grant = self.grant.show
        self.years = YearsService(t, grant)
        self.categories = CategoriesService(t)
        self.periods = PeriodsService(t, self.years)
        self.estimates = EstimatesService(t, self.years, self.categories, self.periods)
        self.spend = SpendService(t, self.years, self.categories, self.periods)
        self.receipts = ReceiptsService(t, self.years, self.periods)
        self.posts = PostsService(t, self.years, self.categories, self.periods)
        self.forecasts = ForecastsService(t, self.years, self.categories, self.periods)
        self.settings = SettingsService(t)
        self.reports = ReportsService(
            t,
            grant,
            self.years,
            self.estimates,
            self.spend,
            self.receipts,
            self.posts,
            self.forecasts,
            self.settings,
        )
        # The sustainability check reads the onward-sustainability plan (``fs.plan``)
        # when this ledger has one; without it the check says it is not available.
        self.conditions = ConditionsService(
            t,
            self.years,
            self.periods,
            self.reports,
            self.settings,
            plan=lambda: self.plan,
        )
        self.imports = ImportsService(t, grant, self.years)
        self.measures = MeasuresService(t, self.periods)
        self.plan = PlanService(
            t,
            self.years,
            self.categories,
            self.periods,
            self.posts,
            self.reports,
            self.measures,
        )
        self.exports = ExportsService(
            t,
            grant,
            self.years,
            self.spend,
            self.receipts,
            self.reports,
            self.plan,
            conditions=self.conditions,
        )
        self.returns = ReturnsService(t, self.exports, self.periods)
        self.audit = AuditService(t)

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
            InvalidInput: an empty name, funder or recipient.
            Conflict: the store already holds a grant.
        """
        name, funder, recipient = (
            required_text(name, "grant"),
            required_text(funder, "funder"),
            required_text(recipient, "recipient"),
        )
        existing = self.tables.grant.name()
        if existing is not None:
            raise Conflict(
                f"this store already holds the grant '{existing}'; one store holds one grant"
            )
        with self.store.transaction("init", name, {"funder": funder, "recipient": recipient}):
            self.tables.grant.insert(
                {
                    "name": name,
                    "funder": funder,
                    "recipient": recipient,
                    "funder_org_id": clean_text(funder_org_id),
                    "recipient_org_id": clean_text(recipient_org_id),
                    "created_at": utc_now(),
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
        facts = self.reports.facts(as_at)
        unread: list[Finding] = []
        if self.plan.sources():
            # the plan is read only when there is one: a ledger without it checks as fast
            try:
                facts = replace(facts, plan=self.plan.report(as_at=facts.day).years)
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

    def doctor(self) -> list[Finding]:
        """Check the store itself; returns every finding (problems have level ``error``);
        see :mod:`fsgrant.store.health`."""
        return doctor(self.store)

    def backup(self, path: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the store to ``path`` (a new file), even while
        other processes write to it.

        Raises:
            StoreError: ``path`` exists already or cannot be written.
        """
        return self.store.backup(path)


def open_ledger(
    path: str | os.PathLike[str], *, create: bool = True, read_only: bool | None = None
) -> Ledger:
    """Open the store at ``path`` (creating an empty one unless ``create=False``).

    ``read_only`` None opens read-only a store the user may not write; True always.

    Raises:
        StoreError: not an fsgrant store, from a newer fsgrant, or missing with ``create=False``.
    """
    return Ledger(Store.open(path, create=create, read_only=read_only))
