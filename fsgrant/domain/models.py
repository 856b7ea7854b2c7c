"""The records fsgrant keeps, as frozen pydantic models.

Money fields are :data:`Money`: a ``Decimal`` with two decimal places, read from
text by :func:`fsgrant.domain.money.parse_amount` and refusing floats; in JSON it is a
string such as ``"2490000.00"``. Dates are ``datetime.date`` (ISO in JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, PlainSerializer

from fsgrant.domain.money import as_figure, format_money
from fsgrant.domain.periods import Period, financial_year_label, parse_date
from fsgrant.domain.record import RECORD_CONFIG

__all__ = [
    "CATEGORY_PATTERN",
    "DEFAULT_CATEGORIES",
    "AuditEntry",
    "Category",
    "ClosedPeriod",
    "CostCategory",
    "Estimate",
    "Finding",
    "ForecastAddition",
    "FundingYear",
    "FundingYearState",
    "FundingYearStatus",
    "Grant",
    "LoadResult",
    "Money",
    "PeriodEvent",
    "Receipt",
    "SetForecast",
    "Setting",
    "SpendLine",
    "Variation",
    "VariationKind",
]


def _money(value: object) -> Decimal:
    # Records are built from the store or from input already read by as_money (which
    # holds the limit): a total must never make a report fail.
    return as_figure(value)


def _day(value: object) -> date:
    if isinstance(value, str | date):
        return parse_date(value)
    raise ValueError(f"expected a date, got {type(value).__name__}")


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(format_money, return_type=str, when_used="json"),
]
"""Exact pounds and pence; floats refused; a two-decimal string in JSON."""

Day = Annotated[date, BeforeValidator(_day)]
"""A calendar day, read from ISO or UK day-first text."""

CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

Category = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)]
"""A cost category slug such as ``staffing`` or ``case-recording``."""

DEFAULT_CATEGORIES: dict[str, str] = {
    "staffing": "Adult practitioner staffing (posts)",
    "training": "Motivational Interviewing and other training",
    "case-recording": "Electronic case recording system (the workbook)",
    "programme-management": "Programme management and implementation support",
    "evaluation": "Evaluation",
    "other": "Other costs",
}

FundingYearStatus = Literal["confirmed", "in-principle", "withdrawn"]
VariationKind = Literal["extend", "shift", "amount", "move", "status"]


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class Grant(_Record):
    """The one grant a store holds: one funder's award programme to one recipient."""

    name: str
    funder: str
    recipient: str
    funder_org_id: str | None = None
    recipient_org_id: str | None = None
    s151_officer: str | None = None
    """The recipient's Section 151 officer (name and title), for a return's sign-off."""
    created_at: datetime | None = None


class FundingYear(_Record):
    """A funding year as first recorded (the original, never overwritten)."""

    label: str
    award: Money
    status: FundingYearStatus
    confirmed_on: Day | None = None
    start: Day
    end: Day
    conditions: tuple[str, ...] = ()


class Variation(_Record):
    """A dated, agreed change to a funding year."""

    id: int
    funding_year: str
    kind: VariationKind
    agreed_on: Day
    reason: str
    reference: str | None = None
    new_start: Day | None = None
    new_end: Day | None = None
    amount: Money | None = None
    to_year: str | None = None
    new_status: FundingYearStatus | None = None
    recorded_at: datetime
    recorded_by: str

    def describe(
        self,
        *,
        money: Callable[[Decimal], str] = str,
        day: Callable[[date | None], str] = str,
    ) -> str:
        """One line in the users' words (``money`` and ``day`` format its amount and
        dates: plain text by default)."""
        if self.kind == "extend":
            return f"end moved to {day(self.new_end)}"
        if self.kind == "shift":
            return f"period moved to {day(self.new_start)} - {day(self.new_end)}"
        if self.kind == "amount":
            return f"award changed to {'' if self.amount is None else money(self.amount)}"
        if self.kind == "move":
            return f"{'' if self.amount is None else money(self.amount)} moved to {self.to_year}"
        return f"status changed to {self.new_status}"


class FundingYearState(_Record):
    """A funding year as varied, as at a date: what reports work from."""

    label: str
    status: FundingYearStatus
    confirmed_on: Day | None = None
    start: Day
    end: Day
    award: Money
    original_start: Day
    original_end: Day
    original_award: Money
    original_status: FundingYearStatus
    conditions: tuple[str, ...] = ()
    variations: tuple[Variation, ...] = ()

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def secure(self) -> bool:
        """Only a confirmed year's money is secure."""
        return self.status == "confirmed"


class Estimate(_Record):
    """Planned spend for a funding year and category (optionally a post)."""

    id: int
    funding_year: str
    category: Category
    post: str | None = None
    amount: Money
    set_on: Day
    original: bool
    reason: str | None = None
    """Why a revision was made (a virement's reason)."""
    reference: str | None = None
    """The approval's reference, if any."""
    recorded_at: datetime
    recorded_by: str


class SpendLine(_Record):
    """Money spent. Credits are negative. Never edited: corrected by a reversal."""

    id: int
    date: Day
    amount: Money
    category: Category
    post: str | None = None
    supplier: str | None = None
    description: str | None = None
    reference: str | None = None
    funding_year: str | None = None
    """The funding year the line is allocated to (explicit, or derived as at the query)."""
    explicit_year: bool = False
    reverses: int | None = None
    reversed_by: int | None = None
    reason: str | None = None
    import_batch: int | None = None
    source_line: int | None = None
    source_fields: dict[str, str] | None = None
    """An imported line's whole source row, keyed by the extract's header."""
    accrual: Literal["accrual", "reversal"] | None = None
    """``accrual``: work done, not yet invoiced, charged to its day; ``reversal``: the
    line that takes it out again (see ``accrual_of``)."""
    accrual_of: int | None = None
    """On an accrual's reversal: the accrual it reverses."""
    accrual_reversed_by: int | None = None
    """On an accrual: the line reversing it."""
    recorded_at: datetime
    recorded_by: str

    @property
    def financial_year(self) -> str:
        return financial_year_label(self.date)


class Receipt(_Record):
    """A grant payment received from the funder. Never edited: a mistake is undone by a
    reversal (the negated amount, same date and year) pointing at it."""

    id: int
    date: Day
    amount: Money
    funding_year: str
    reference: str | None = None
    reverses: int | None = None
    """The receipt this one reverses."""
    reversed_by: int | None = None
    """The reversal that undoes this receipt."""
    reason: str | None = None
    """Why it was reversed (on a reversal)."""
    recorded_at: datetime
    recorded_by: str


class ClosedPeriod(_Record):
    """A funding year closed through a date (its return submitted)."""

    funding_year: str
    through: Day
    reference: str
    at: datetime
    by: str


Severity = Literal["ok", "warning", "error"]


class Finding(_Record):
    """A finding of ``fsgrant check`` or ``fsgrant doctor``: data, not an exception."""

    severity: Severity
    """``error`` (a problem: the command exits 1), ``warning`` or ``ok``."""
    code: str
    """A stable short code, e.g. ``spend-outside-periods`` or ``integrity``."""
    message: str
    subject: str | None = None
    """What it is about: a funding year, a post, a table, a date."""

    @property
    def problem(self) -> bool:
        return self.severity == "error"


class CostCategory(_Record):
    """A cost category: what money is spent on."""

    name: str
    description: str


class PeriodEvent(_Record):
    """A closing or a reopening of a funding year's period, as recorded."""

    id: int
    funding_year: str
    kind: Literal["close", "reopen"]
    through: Day | None = None
    """The closed date (closings only)."""
    reference: str | None = None
    reason: str | None = None
    """Why it was reopened (reopenings only)."""
    at: datetime
    by: str


class SetForecast(_Record):
    """A forecast of remaining spend set for a funding year and category."""

    id: int
    funding_year: str
    category: str
    amount: Money
    set_on: Day
    """Spend still expected after this day."""
    note: str | None = None
    recorded_at: datetime
    recorded_by: str


class ForecastAddition(_Record):
    """An addition to a post-driven category's forecast that its posts do not show
    (agency cover for a blocked post, backfill, overtime). The latest set on or before
    a date for its year, category and reason is in force."""

    id: int
    funding_year: str
    category: str
    amount: Money
    """Spend still expected for it after ``set_on``, on top of the posts' cost."""
    reason: str
    set_on: Day
    recorded_at: datetime
    recorded_by: str


class Setting(_Record):
    """A store setting with its value (the default when none is stored)."""

    key: str
    value: str
    stored: bool
    """False when the value shown is the default."""
    description: str


class AuditEntry(_Record):
    """One entry of the audit trail: who changed what, when, with which command."""

    id: int
    at: datetime
    """When (UTC)."""
    user: str
    command: str
    action: str
    subject: str | None
    detail: dict[str, object]


class LoadResult(_Record):
    """How many records of each kind a ledger folder load stored."""

    funding_years: int = 0
    variations: int = 0
    conditions: int = 0
    posts: int = 0
    post_status: int = 0
    post_changes: int = 0
    estimates: int = 0
    estimate_phasing: int = 0
    """Phasings: the rows of one year, category and date set count once."""
    forecast_additions: int = 0
    commitments: int = 0
    """Commitments (purchase orders), a cancelled one counted once."""
    spend: int = 0
    receipts: int = 0
    condition_events: int = 0
    measures: int = 0
    """Observations of outcome measures."""
    measure_targets: int = 0
    plan_sources: int = 0
    plan_funding: int = 0
    plan_costs: int = 0
