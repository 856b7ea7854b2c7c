"""Loading a ledger folder (``fsgrant load``) into a new store in one transaction:
all of it or nothing; an error names the file, line and field. Every record goes
through the service the command line uses (``fs.years``, ``fs.posts``, ...,
``fs.measures``, ``fs.plan``), so a folder is held to the same rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fsgrant.domain.models import LoadResult
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput, SourceError
from fsgrant.formats.ledgerfiles import KINDS, FolderEntry, entry_errors, read_folder

if TYPE_CHECKING:
    from fsgrant.domain.models import Grant
    from fsgrant.services.commitments import CommitmentsService
    from fsgrant.services.conditions import ConditionsService
    from fsgrant.services.estimates import EstimatesService
    from fsgrant.services.forecasts import ForecastsService
    from fsgrant.services.measures import MeasuresService
    from fsgrant.services.plan import PlanService
    from fsgrant.services.posts import PostsService
    from fsgrant.services.receipts import ReceiptsService
    from fsgrant.services.spend import SpendService
    from fsgrant.services.years import YearsService
    from fsgrant.store.connection import Store
    from fsgrant.store.tables import Tables

__all__ = ["Ledger", "load_folder"]


class Ledger(Protocol):
    """What a load needs of a ledger: :class:`fsgrant.services.ledger.Ledger` is one
    (named here, not imported, so that the ledger can import this module)."""

    @property
    def store(self) -> Store: ...
    @property
    def tables(self) -> Tables: ...
    @property
    def path(self) -> Path: ...
    @property
    def years(self) -> YearsService: ...
    @property
    def posts(self) -> PostsService: ...
    @property
    def estimates(self) -> EstimatesService: ...
    @property
    def spend(self) -> SpendService: ...
    @property
    def receipts(self) -> ReceiptsService: ...
    @property
    def conditions(self) -> ConditionsService: ...
    @property
    def measures(self) -> MeasuresService: ...
    @property
    def plan(self) -> PlanService: ...
    @property
    def forecasts(self) -> ForecastsService: ...
    @property
    def commitments(self) -> CommitmentsService: ...

    def init(
        self,
        name: str,
        funder: str,
        recipient: str,
        *,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
    ) -> Grant: ...


def _apply(fs: Ledger, kind: str, fields: dict[str, Any]) -> None:
    """Record one entry through the service the command line would use."""
    if kind == "funding_years":
        fs.years.add(**fields)
    elif kind == "variations":
        fs.years.vary(**fields)
    elif kind == "posts":
        fs.posts.add(**fields)
    elif kind == "post_status":
        fs.posts.set_status(**fields)
    elif kind == "post_changes":
        fs.posts.change(**fields)
    elif kind == "estimates":
        fs.estimates.set(**fields)
    elif kind == "estimate_phasing":
        fs.estimates.phase(
            fields["label"], fields["category"], months=fields["months"], on=fields["on"]
        )
    elif kind == "forecast_additions":
        fs.forecasts.add(**fields)
    elif kind == "commitments":
        order = dict(fields)
        on, reason = order.pop("cancelled_on"), order.pop("cancel_reason")
        added = fs.commitments.add(**order)
        if on is not None or reason is not None:
            if on is None or reason is None:
                raise InvalidInput(
                    "a cancelled commitment gives both cancelled_on and cancel_reason",
                    field="cancelled_on" if on is None else "cancel_reason",
                )
            fs.commitments.cancel(added.id, on=on, reason=reason)
    elif kind == "spend":
        line = dict(fields)
        reverse_on = line.pop("reverse_on")
        if reverse_on is None:
            fs.spend.add(**line)
        elif line.pop("year") is not None:
            raise InvalidInput("an accrual (reverse_on) names no year", field="year")
        else:
            fs.spend.accrue(**line, reverse_on=reverse_on)
    elif kind == "conditions":
        fs.conditions.add(**fields)
    elif kind == "condition_events":
        event = dict(fields)
        what = event.pop("kind")
        if what == "evidence":
            fs.conditions.add_evidence(**event)
        elif what == "status":
            fs.conditions.set_status(**event)
        elif what == "amend":
            fs.conditions.set(**event)
        else:
            raise InvalidInput(f"kind '{what}' is not evidence, status or amend", field="kind")
    elif kind == "measures":
        fs.measures.add(**fields)
    elif kind == "measure_targets":
        fs.measures.target(**fields)
    elif kind == "plan_sources":
        if fields.get("on") is None:
            # A folder describes the grant from its start: a source with no date has
            # been part of the plan since the first funding year began.
            starts = [y.start for y in fs.years.list()]
            fields = {**fields, "on": min(starts) if starts else None}
        fs.plan.add_source(**fields)
    elif kind == "plan_funding":
        fs.plan.fund(**fields)
    elif kind == "plan_costs":
        fs.plan.cost(**fields)
    else:
        fs.receipts.add(**fields)


@contextmanager
def _month_lines(entry: FolderEntry) -> Iterator[None]:
    """A phasing's error about one month names the line that month was written on
    (any other error names the phasing's first line)."""
    try:
        yield
    except InvalidInput as exc:
        lines = entry.fields.get("month_lines") if entry.kind == "estimate_phasing" else None
        if lines is None or isinstance(exc, SourceError) or exc.field != "month":
            raise
        line = lines.get(str(exc.value), entry.line)
        raise SourceError(entry.source, line, "month", exc.message, value=exc.value) from None


def load_folder(ledger: Ledger, folder: Path) -> LoadResult:
    """Load ``folder`` into ``ledger`` (an empty store) in one transaction.

    Raises:
        SourceError: a bad value, naming the file, line and field.
        Conflict: the store already holds a grant.
    """
    ledger_folder = read_folder(folder)
    existing = ledger.tables.grant.name()
    if existing is not None:
        raise Conflict(
            f"{ledger.path} already holds the grant '{existing}'; load a ledger folder into a new store"
        )
    counts = dict.fromkeys(KINDS, 0)
    # counts fills in as the load goes; the audit entry records it when the load ends
    with ledger.store.transaction(Action.LOAD, str(folder), counts):
        g = ledger_folder.grant
        with entry_errors(None):
            ledger.init(
                g["name"] or "",
                g["funder"] or "",
                g["recipient"] or "",
                funder_org_id=g["funder_org_id"],
                recipient_org_id=g["recipient_org_id"],
            )
        for entry in ledger_folder.entries():
            with entry_errors(entry), _month_lines(entry):
                _apply(ledger, entry.kind, entry.fields)
            counts[entry.kind] += 1
    return LoadResult(**counts)
