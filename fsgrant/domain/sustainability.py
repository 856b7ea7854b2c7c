"""The onward-sustainability plan: what the model costs in each council financial year,
including after the grant has ended, and what pays for it. Pure, no I/O.

The method
----------
For each financial year (1 April - 31 March, labelled ``FY2021/22``) in the range:

* **Posts cost**: every post's expected cost in the year's months by the
  calendar-month method and the post's recorded timeline
  (:func:`fsgrant.domain.posts.cost_by_month`: statuses, expected starts, end dates,
  changes of details). A post runs on past the grant's end unless it has an end
  date. Each month is rounded half-up once, so the year is the sum of its months.
  The timeline is the roster as recorded (:mod:`fsgrant.domain.time_rule`): a status
  change, an expected start, a pay award or a leaving date effective after the as-at
  date counts, as it does in the forecast of the grant. A submitted return keeps its
  figures: what is recorded after it was sent, effective later, is a change of
  estimate that moves later returns only. Plan sources, funding, costs and targets
  are dated decisions, so the as-at date chooses among them.
* **Other cost**: the recurring costs not driven by posts (``plan cost``), one per
  category and year: the latest set on or before the as-at date; none set by then,
  none counted (the rule of time, :mod:`fsgrant.domain.time_rule`).
* **Grant**: the part of the grant's forecast outturn (actual spend plus the monthly
  forecast profile of each funding year) dated in the year. Over all financial years
  the grant column adds up to the total forecast outturn.
* **Funding** from each source added to the plan on or before the as-at date: the
  latest ``plan fund`` amount set on or before it. A savings source linked to a
  measure gives ``max(0, baseline - level) x unit cost``, rounded half-up to the
  penny, where the level is the measure's target for the year (the latest set on or
  before the as-at date) if any, else the mean of the observations dated in the year
  (and on or before the as-at date); no level, no saving. Only the council's own
  savings count toward its gap: a savings source whose ``beneficiary`` is the police,
  health or another body is left out of the funding and shown, with the council's,
  in ``savings_by_beneficiary``: the case for partners to contribute.
* **Gap** = total cost - grant - funding (positive: unfunded). **Funded %** =
  (grant + funding) / total cost x 100, to one decimal place half-up (none when the
  cost is zero).
* **Sustainable from**: the first year from which every later year in the range
  has a gap of zero or less (none if the last year's gap is positive).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, Field, PlainSerializer

# The rule lives with the funding years; the plan names it by its old name.
from fsgrant.domain.funding import first_financial_year_after as first_year_after
from fsgrant.domain.horizon import readable_financial_year
from fsgrant.domain.models import Day, Money
from fsgrant.domain.money import ZERO, percent, round_half_up
from fsgrant.domain.periods import Period, financial_year_label, financial_year_period
from fsgrant.domain.posts import Post, cost_by_month
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.reports import Percent
from fsgrant.errors import InvalidInput

K = TypeVar("K")

__all__ = [
    "BENEFICIARIES",
    "SOURCE_KINDS",
    "Beneficiary",
    "MeasureObservation",
    "MeasureTarget",
    "PlanCost",
    "PlanFunding",
    "PlanSource",
    "SourceKind",
    "SustainabilityReport",
    "SustainabilityYear",
    "build_sustainability",
    "current_observations",
    "financial_years",
    "first_year_after",
    "funded_pct",
    "measure_level",
    "parse_financial_year",
    "parse_measure_value",
    "posts_cost",
    "posts_cost_by_year",
    "savings_amount",
    "sustainable_from",
]

SourceKind = Literal["base-budget", "partner", "savings", "other"]
SOURCE_KINDS: tuple[str, ...] = ("base-budget", "partner", "savings", "other")

Beneficiary = Literal["council", "police", "health", "other"]
"""Who gains a source's savings. Only the council's own count toward its gap; savings
that land with partners are the case for partners to contribute."""
BENEFICIARIES: tuple[str, ...] = ("council", "police", "health", "other")

MAX_YEARS = 60
"""The longest range of financial years a report covers."""


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


MeasureValue = Annotated[Decimal, PlainSerializer(_plain, return_type=str, when_used="json")]
"""A measure's value (a count such as 739, or a rate such as 34.5); text in JSON."""


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class PlanSource(_Record):
    """What pays for the model once the grant ends: the council's base budget, a
    partner, the savings the model makes, or other. A savings source may be linked to
    a measure, with the measure's baseline and the unit cost of each one fewer."""

    name: str
    kind: SourceKind
    description: str | None = None
    measure: str | None = None
    baseline: MeasureValue | None = None
    unit_cost: Money | None = None
    added_on: Day
    """When it was added to the plan: as at an earlier date it is not part of it."""
    beneficiary: Beneficiary = "council"
    """Who gains its savings (a savings source): only the council's count toward its gap."""
    recorded_at: datetime
    recorded_by: str

    @property
    def counts_toward_gap(self) -> bool:
        """Whether its money closes the council's gap: every source but savings that
        land with a partner."""
        return self.kind != "savings" or self.beneficiary == "council"


class PlanFunding(_Record):
    """Funding committed by a source in a financial year, as set on a date (the
    earliest-dated of each source and year is the original; later ones are revisions
    kept beside it)."""

    id: int
    source: str
    financial_year: str
    amount: Money
    set_on: Day
    note: str | None = None
    original: bool
    recorded_at: datetime
    recorded_by: str


class PlanCost(_Record):
    """A recurring cost of the model not driven by posts (licences, training, a
    manager), for a category and financial year, as set on a date."""

    id: int
    category: str
    financial_year: str
    amount: Money
    set_on: Day
    note: str | None = None
    original: bool
    recorded_at: datetime
    recorded_by: str


class MeasureObservation(_Record):
    """An observed outcome: a measure's value on a date (children in care: 739 on 4
    February 2020)."""

    id: int
    measure: str
    observed_on: Day
    value: MeasureValue
    note: str | None = None
    series: str | None = None
    """A benchmark series (England, a region, another council); None: the council's own."""
    source_file: str | None = None
    """The published file it was imported from, if any."""
    revises: int | None = None
    """The observation of the same day it corrects (a published figure revised)."""
    recorded_at: datetime
    recorded_by: str


class MeasureTarget(_Record):
    """The level a measure is expected to reach in a financial year, as set on a date."""

    id: int
    measure: str
    financial_year: str
    value: MeasureValue
    set_on: Day
    recorded_at: datetime
    recorded_by: str


class SustainabilityYear(_Record):
    """One financial year of the plan. ``total_cost`` = ``posts_cost`` +
    ``other_cost``; ``funding_total`` is the sum of ``funding``; ``gap`` = total cost -
    grant - funding total."""

    financial_year: str
    posts_cost: Money
    other_cost: Money
    total_cost: Money
    grant: Money
    funding: dict[str, Money]
    funding_total: Money
    gap: Money
    funded_pct: Percent | None
    savings_by_beneficiary: dict[str, Money] = Field(default_factory=dict)
    """The savings of the year by who gains them (the council's are in ``funding`` too;
    a partner's are not: they are the case for that partner to contribute)."""


class SustainabilityReport(_Record):
    """The plan by financial year as at a date (``fsgrant report sustainability``)."""

    as_at: date
    years: tuple[SustainabilityYear, ...]
    sustainable_from: str | None
    grant_end: date | None = Field(default=None, exclude=True)
    """The last day of the grant (the latest end of a funding year not withdrawn)."""

    @property
    def first_year_after_grant(self) -> SustainabilityYear | None:
        """The first financial year that starts after the grant ends, if in range."""
        if self.grant_end is None:
            return None
        label = first_year_after(self.grant_end)
        return next((y for y in self.years if y.financial_year == label), None)


# ---------------------------------------------------------------------- parsing
def parse_financial_year(value: str, *, field: str = "financial_year") -> str:
    """The canonical label (``FY2021/22``) of a financial-year label.

    Raises:
        InvalidInput: not of the ``FYyyyy/yy`` form, or a year with no day from 1990
            to 2199 (:mod:`fsgrant.domain.horizon`).
    """
    try:
        period = financial_year_period(value)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field, value=value) from None
    label = financial_year_label(period.start)
    if not readable_financial_year(label):
        raise InvalidInput(
            f"{field}: {label} is outside FY1989/90 to FY2199/00, the years anything may "
            "be dated in",
            field=field,
            value=value,
        )
    return label


def parse_measure_value(value: object, *, field: str = "value") -> Decimal:
    """Read a measure's value (or baseline): text such as ``739`` or ``34.5``, a
    ``Decimal`` or an ``int``; not negative, at most four decimal places, floats refused.

    Raises:
        InvalidInput: a float, bad text or a negative value.
    """
    if isinstance(value, bool | float):
        raise InvalidInput(
            f"{field}: floating-point numbers are refused; give text such as '739'",
            field=field,
            value=value,
        )
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text or "e" in text.lower():
            raise InvalidInput(f"{field}: '{value}' is not a number", field=field, value=value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(
                f"{field}: '{value}' is not a number", field=field, value=value
            ) from None
    else:
        raise InvalidInput(f"{field}: cannot read {type(value).__name__}", field=field)
    if not number.is_finite():
        raise InvalidInput(f"{field}: '{value}' is not a number", field=field, value=value)
    if number < 0:
        raise InvalidInput(f"{field}: {value} cannot be negative", field=field, value=value)
    # The size first: quantizing a number of 29 digits or more overflows the context.
    if number >= Decimal("1e12"):
        raise InvalidInput(f"{field}: {value} is too large", field=field, value=value)
    if number != number.quantize(Decimal("0.0001")):
        raise InvalidInput(
            f"{field}: {value} has more than four decimal places", field=field, value=value
        )
    return number


# ---------------------------------------------------------------------- the rules
def financial_years(
    first: str, last: str, *, keep: Literal["first", "last"] | None = None
) -> list[str]:
    """The labels from ``first`` to ``last`` inclusive; with ``keep``, a range over
    60 years is cut to the 60 from ``first`` (or to ``last``): a default range,
    which a year stored far out must not make fail.

    Raises:
        InvalidInput: ``last`` is before ``first``, or the range is over 60 years
            and not to be cut.
    """
    a = financial_year_period(first).start.year
    b = financial_year_period(last).start.year
    if b < a:
        raise InvalidInput(f"{last} is before {first}", field="to")
    if b - a + 1 > MAX_YEARS and keep == "first":
        b = a + MAX_YEARS - 1
    elif b - a + 1 > MAX_YEARS and keep == "last":
        a = b - MAX_YEARS + 1
    if b - a + 1 > MAX_YEARS:
        raise InvalidInput(f"at most {MAX_YEARS} financial years in one report", field="to")
    return [financial_year_label(date(y, 4, 1)) for y in range(a, b + 1)]


def posts_cost(posts: Iterable[Post], label: str) -> Decimal:
    """The posts' expected cost in a financial year: the sum of each post's months by
    the calendar-month method."""
    window = financial_year_period(label)
    return sum((sum(cost_by_month(p, window).values(), ZERO) for p in posts), ZERO)


def posts_cost_by_year(posts: Iterable[Post], labels: Sequence[str]) -> dict[str, Decimal]:
    """:func:`posts_cost` of each financial year in ``labels``, each post's months
    worked out once over the span of them all: a financial year is whole calendar
    months, so each month comes to what it does in its own year's window."""
    if not labels:
        return {}
    periods = [financial_year_period(label) for label in labels]
    window = Period(min(p.start for p in periods), max(p.end for p in periods))
    out = dict.fromkeys(labels, ZERO)
    for post in posts:
        for first, amount in cost_by_month(post, window).items():
            label = financial_year_label(first)
            if label in out:
                out[label] += amount
    return out


def current_observations(
    observations: Iterable[MeasureObservation],
) -> list[MeasureObservation]:
    """The observations no later one revises (a published figure corrected keeps its
    history, but only the latest value counts)."""
    given = list(observations)
    revised = {o.revises for o in given if o.revises is not None}
    return [o for o in given if o.id not in revised]


def measure_level(target: Decimal | None, observations: Sequence[Decimal]) -> Decimal | None:
    """A measure's level in a year: its target if set, else the mean of the year's
    observations (exact), else None."""
    if target is not None:
        return target
    if not observations:
        return None
    return sum(observations, Decimal(0)) / len(observations)


def savings_amount(baseline: Decimal, level: Decimal | None, unit_cost: Decimal) -> Decimal:
    """``max(0, baseline - level) x unit cost``, rounded half-up to the penny (zero with
    no level)."""
    if level is None:
        return ZERO
    return round_half_up(max(Decimal(0), baseline - level) * unit_cost)


def funded_pct(cost: Decimal, funded: Decimal) -> Decimal | None:
    """``funded / cost x 100`` to one decimal place half-up; None for no cost."""
    return percent(funded, cost)


def sustainable_from(gaps: Sequence[tuple[str, Decimal]]) -> str | None:
    """The first year from which every later year (in order) has a gap of zero or less."""
    found: str | None = None
    for label, gap in reversed(gaps):
        if gap > 0:
            break
        found = label
    return found


def build_sustainability(
    labels: Sequence[str],
    as_at: date,
    *,
    posts: Sequence[Post],
    other_cost: Mapping[str, Decimal],
    grant: Mapping[str, Decimal],
    funding: Mapping[str, Mapping[str, Decimal]],
    grant_end: date | None = None,
    savings: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> SustainabilityReport:
    """The plan over ``labels`` (financial years, in order).

    Args:
        posts: every post, with its history and changes.
        other_cost: the recurring costs not driven by posts, per year (summed over
            categories).
        grant: the grant's outturn dated in each year.
        funding: per source (in the order to show), its amount in each year: the
            sources that count toward the council's gap.
        savings: per beneficiary, the savings in each year (shown, not counted unless
            they are in ``funding``).
    """
    rows: list[SustainabilityYear] = []
    by_year = posts_cost_by_year(posts, labels)
    for label in labels:
        pc = by_year[label]
        oc = other_cost.get(label, ZERO)
        total = pc + oc
        g = grant.get(label, ZERO)
        by_source = {name: amounts.get(label, ZERO) for name, amounts in funding.items()}
        fund_total = sum(by_source.values(), ZERO)
        rows.append(
            SustainabilityYear(
                financial_year=label,
                posts_cost=pc,
                other_cost=oc,
                total_cost=total,
                grant=g,
                funding=by_source,
                funding_total=fund_total,
                gap=total - g - fund_total,
                funded_pct=funded_pct(total, g + fund_total),
                savings_by_beneficiary={
                    who: by_year_amounts.get(label, ZERO)
                    for who, by_year_amounts in (savings or {}).items()
                },
            )
        )
    return SustainabilityReport(
        as_at=as_at,
        years=tuple(rows),
        sustainable_from=sustainable_from([(r.financial_year, r.gap) for r in rows]),
        grant_end=grant_end,
    )
