"""Outcome measures from the statistics DfE publishes, and the outcomes report. Pure.

DfE publishes every council's figures yearly on explore-education-statistics as CSV,
one row per year, geography and breakdown ("Children looked after in England including
adoptions": ``time_period, time_identifier, geographic_level, country_code,
country_name, region_code, region_name, old_la_code, la_name, new_la_code,
population_type, population_estimate, children_count, rate_per_10000``; the
children-in-need census tables have value columns of their own). The rules of reading
one (:func:`read_published`):

* **Whose row.** ``--la`` matches a row's ``new_la_code``, ``old_la_code`` or
  ``la_name`` (case and spaces aside); a row of the national level matches
  ``country_name`` or ``country_code`` (``England``), a regional one ``region_name``
  or ``region_code``. A geography the file does not hold is refused, naming some it
  does.
* **Which rows.** Each ``--where COLUMN=VALUE`` keeps the rows whose cell equals the
  value (case and spaces aside); after them, one row a year: two for the same year are
  refused, naming the year and the columns that tell them apart (give ``--where``).
* **When.** A ``time_period`` of ``2020`` or ``201920`` is the position at 31 March
  2020 (the end of the reporting year).
* **The value.** The column ``--value`` names, by default the file's one column
  ending in ``_count``. A cell holding a suppression or missing code (``c``
  suppressed, ``x`` and ``:`` not available, ``z`` not applicable, ``k`` below half a
  unit, ``u`` low reliability, ``low``) is never a number, and never a zero: it is
  counted and reported ("2022: suppressed (c)").
* **Again.** A year already observed with the same value adds nothing; with another
  value it is a revision, kept as history (:func:`plan_observations`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.sustainability import (
    MeasureObservation,
    MeasureTarget,
    MeasureValue,
    current_observations,
    parse_measure_value,
)
from fsgrant.domain.time_rule import latest_on_or_before
from fsgrant.errors import InvalidInput, SourceError

__all__ = [
    "GAP_CODES",
    "REQUIRED_COLUMNS",
    "MeasureImport",
    "MeasureOutcome",
    "ObservationPlan",
    "OutcomeRow",
    "OutcomesReport",
    "Published",
    "build_outcomes",
    "plan_observations",
    "published_day",
    "read_published",
]

GAP_CODES: dict[str, str] = {
    "c": "suppressed",
    "x": "not available",
    ":": "not available",
    "z": "not applicable",
    "k": "below half a unit",
    "u": "low reliability",
    "low": "low",
}
"""The codes a published cell holds instead of a number, with what each means."""

REQUIRED_COLUMNS: tuple[str, ...] = ("time_period", "geographic_level")
"""Columns every file in the published layout has."""

_WHO_COLUMNS = {
    "national": ("country_name", "country_code"),
    "regional": ("region_name", "region_code"),
}
_LA_COLUMNS = ("new_la_code", "old_la_code", "la_name")
_PERIOD = re.compile(r"(\d{4})(\d{2})?", re.ASCII)


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def published_day(period: str) -> date | None:
    """The day a published ``time_period`` speaks for: 31 March of the reporting
    year's end (``2020`` and ``201920`` are 31 March 2020); None when it is neither."""
    m = _PERIOD.fullmatch(period.strip())
    if m is None:
        return None
    first = int(m.group(1))
    if m.group(2) is None:
        return date(first, 3, 31)
    if (first + 1) % 100 != int(m.group(2)):
        return None
    return date(first + 1, 3, 31)


@dataclass
class Published:
    """What a published file holds for one geography: values and gaps by day."""

    values: dict[date, Decimal] = field(default_factory=dict)
    gaps: dict[date, str] = field(default_factory=dict)
    """The code a year's cell held instead of a number."""
    value_column: str = ""


def _value_column(header: Sequence[str], value: str | None, source: str) -> str:
    if value is not None:
        if value not in header:
            raise SourceError(
                source,
                1,
                value,
                f"no column '{value}'; the file's columns are {', '.join(header)}",
            )
        return value
    counts = [h for h in header if h.endswith("_count")]
    if len(counts) != 1:
        found = ", ".join(counts) if counts else "none"
        raise SourceError(
            source,
            1,
            None,
            f"name the value column with --value (columns ending in _count: {found})",
        )
    return counts[0]


def _is_whose(row: Mapping[str, str], la: str) -> bool:
    level = _fold(row.get("geographic_level"))
    columns = _WHO_COLUMNS.get(level, _LA_COLUMNS)
    return any(_fold(row.get(c)) == la for c in columns)


def read_published(
    source: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    la: str,
    value: str | None = None,
    where: Sequence[tuple[str, str]] = (),
) -> Published:
    """The values (and gaps) of one geography in a published file (see the module's
    rules).

    Args:
        source: the file's name, for messages.
        header: its columns.
        rows: (line number, row by column) pairs.

    Raises:
        SourceError: another layout (columns missing), no such value or filter
            column, the geography not in the file, two rows for one year, a period or
            value that cannot be read.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing or not any(c in header for c in _LA_COLUMNS):
        raise SourceError(
            source,
            1,
            None,
            "not a file in DfE's published layout: expected columns "
            f"{', '.join(REQUIRED_COLUMNS)} and la_name or new_la_code "
            f"(missing {', '.join(missing) or 'la_name, new_la_code'})",
        )
    column = _value_column(header, value, source)
    for name, _ in where:
        if name not in header:
            raise SourceError(
                source, 1, name, f"no column '{name}' to filter on; columns: {', '.join(header)}"
            )
    who = _fold(la)
    wanted = [(name, _fold(v)) for name, v in where]
    out = Published(value_column=column)
    seen: dict[date, tuple[int, Mapping[str, str]]] = {}
    geographies: dict[str, None] = {}
    for line, row in rows:
        geographies.setdefault(row.get("la_name") or row.get("region_name") or "", None)
        if not _is_whose(row, who) or any(_fold(row.get(n)) != v for n, v in wanted):
            continue
        day = published_day(row.get("time_period", ""))
        if day is None:
            raise SourceError(
                source,
                line,
                "time_period",
                f"'{row.get('time_period')}' is not a reporting year like 2020 or 201920",
            )
        if day in seen:
            first_line, first = seen[day]
            differ = [h for h in header if h != column and first.get(h) != row.get(h)]
            raise SourceError(
                source,
                line,
                None,
                f"a second row for {day.year} (the first is line {first_line}); they differ "
                f"in {', '.join(differ) or 'nothing'}: choose one with --where COLUMN=VALUE",
            )
        seen[day] = (line, row)
        cell = (row.get(column) or "").strip()
        if cell.casefold() in GAP_CODES:
            out.gaps[day] = cell.casefold()
            continue
        try:
            out.values[day] = parse_measure_value(cell, field=column)
        except InvalidInput as exc:
            raise SourceError(source, line, column, exc.message, value=cell) from None
    if not seen:
        known = [g for g in geographies if g][:5]
        raise SourceError(
            source,
            None,
            None,
            f"no row for '{la}'"
            + (" with " + ", ".join(f"{n}={v}" for n, v in where) if where else "")
            + (f"; the file holds e.g. {', '.join(known)}" if known else ""),
        )
    return out


@dataclass(frozen=True)
class ObservationPlan:
    """What importing a file's values changes: new observations, revisions of those
    already stored (the id each revises), and the values that are there already."""

    new: tuple[tuple[date, Decimal], ...]
    revised: tuple[tuple[date, Decimal, int], ...]
    unchanged: tuple[date, ...]


def plan_observations(
    values: Mapping[date, Decimal], stored: Iterable[MeasureObservation]
) -> ObservationPlan:
    """Compare a file's values with the observations stored for the same measure and
    series (the latest of each day counts): a day not observed is new, a day observed
    with another value is revised (the history kept), the same value adds nothing."""
    latest: dict[date, MeasureObservation] = {}
    revised_ids = {o.revises for o in stored if o.revises is not None}
    for o in stored:
        if o.id not in revised_ids:
            held = latest.get(o.observed_on)
            if held is None or o.id > held.id:
                latest[o.observed_on] = o
    new, revised, same = [], [], []
    for day in sorted(values):
        v = values[day]
        held = latest.get(day)
        if held is None:
            new.append((day, v))
        elif held.value == v:
            same.append(day)
        else:
            revised.append((day, v, held.id))
    return ObservationPlan(tuple(new), tuple(revised), tuple(same))


# ---------------------------------------------------------------- the report
class _Rec(BaseModel):
    model_config = RECORD_CONFIG


class MeasureImport(_Rec):
    """What ``measure import`` did with a published file."""

    file: str
    measure: str
    series: str | None
    """The benchmark series filled (None: the council's own)."""
    value_column: str
    added: int
    revised: int
    unchanged: int
    gaps: dict[str, str]
    """Per reporting year (``2022``) the code its cell held instead of a number."""

    @property
    def summary(self) -> str:
        """One line, in words."""
        whose = f"benchmark {self.series}" if self.series else "the council"
        gaps = "; ".join(f"{y}: {GAP_CODES[c]} ({c})" for y, c in self.gaps.items())
        return (
            f"{self.file}: {self.measure} for {whose} from {self.value_column}: "
            f"{self.added} added, {self.revised} revised, {self.unchanged} unchanged"
            + (f"; not numbers: {gaps}" if gaps else "")
        )


class OutcomeRow(_Rec):
    """A measure on one day: the council's value (or the code published instead),
    its change since the baseline, and each benchmark's value."""

    on: date
    value: MeasureValue | None
    gap: str | None = None
    change: MeasureValue | None = None
    """Value less the baseline (the council's first observation); None without both."""
    benchmarks: dict[str, MeasureValue | None] = {}


class MeasureOutcome(_Rec):
    """One measure over time against its targets and benchmarks."""

    measure: str
    baseline: MeasureValue | None
    """The plan's baseline for it (a savings source's), else its first observation."""
    baseline_on: date | None
    """When the baseline was observed (None: the plan's stated baseline)."""
    rows: tuple[OutcomeRow, ...]
    targets: dict[str, MeasureValue]
    """Per financial year, the target in force as at the report's date."""
    benchmarks: tuple[str, ...]


class OutcomesReport(_Rec):
    """``fsgrant report outcomes``: every measure, as at a date."""

    as_at: date
    measures: tuple[MeasureOutcome, ...]


def build_outcomes(
    as_at: date,
    observations: Iterable[MeasureObservation],
    gaps: Iterable[tuple[str, str | None, date, str]],
    targets: Iterable[MeasureTarget],
    baselines: Mapping[str, Decimal] | None = None,
) -> OutcomesReport:
    """Each measure's observations dated on or before ``as_at`` (as last revised), the
    council's beside each benchmark's, the gaps published instead of numbers, the
    change since the baseline and the targets in force (the latest set on or before
    ``as_at``).

    Args:
        gaps: (measure, series, day, code) of each published gap.
        baselines: a measure's baseline where the plan states one (a savings source's
            level without the model); else the baseline is the council's first
            observation.
    """
    current = [o for o in current_observations(observations) if o.observed_on <= as_at]
    held_gaps = [g for g in gaps if g[2] <= as_at]
    in_force = latest_on_or_before(
        targets, as_at, key=lambda t: (t.measure, t.financial_year), on=_set_on, order=_id
    )
    names = sorted(
        {o.measure for o in current} | {g[0] for g in held_gaps} | {m for m, _ in in_force}
    )
    out = []
    for name in names:
        mine = sorted(
            (o for o in current if o.measure == name), key=lambda o: (o.observed_on, o.id)
        )
        own = {o.observed_on: o.value for o in mine if o.series is None}
        series = sorted({o.series for o in mine if o.series is not None})
        by_series = {s: {o.observed_on: o.value for o in mine if o.series == s} for s in series}
        own_gaps = {g[2]: g[3] for g in held_gaps if g[0] == name and g[1] is None}
        days = sorted({o.observed_on for o in mine} | {g[2] for g in held_gaps if g[0] == name})
        first = min(own) if own else None
        stated = (baselines or {}).get(name)
        base = stated if stated is not None else (own[first] if first is not None else None)
        first = None if stated is not None else first
        rows = tuple(
            OutcomeRow(
                on=day,
                value=own.get(day),
                gap=own_gaps.get(day),
                change=None if base is None or day not in own else own[day] - base,
                benchmarks={s: by_series[s].get(day) for s in series},
            )
            for day in days
        )
        out.append(
            MeasureOutcome(
                measure=name,
                baseline=base,
                baseline_on=first,
                rows=rows,
                targets={fy: t.value for (m, fy), t in sorted(in_force.items()) if m == name},
                benchmarks=tuple(series),
            )
        )
    return OutcomesReport(as_at=as_at, measures=tuple(out))


def _set_on(t: MeasureTarget) -> date:
    return t.set_on


def _id(t: MeasureTarget) -> int:
    return t.id
