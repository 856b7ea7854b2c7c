"""The rules a row of an extract is checked and matched against: the ledger's
(:class:`LedgerRules`: known categories and posts, funding years, closed periods) and
the mapping's filters and category/post rules bound to the extract's header
(:class:`RowFilter`, :class:`BoundRule`). Reading the row is :mod:`fsgrant.imports.rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from fsgrant.domain.closures import entry_day_problem
from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import ClosedPeriod, FundingYearState
from fsgrant.errors import InvalidInput, SourceError
from fsgrant.imports.mapping_rules import ColumnFilter, Condition, Rule, normalise_value

__all__ = [
    "MAX_SLOW_CELLS",
    "PATTERN_SECONDS",
    "BoundRule",
    "LedgerRules",
    "PatternTimeout",
    "RowFilter",
    "column_position",
    "first_rule",
]


def column_position(
    keys: Sequence[str], wanted: str, name: str, *, source: str, header_line: int, kind: str
) -> int | None:
    """Where the column the mapping names ``name`` (``wanted``, its header key) is in a
    header whose keys are ``keys``; None when absent.

    Raises:
        SourceError: two or more columns carry the name: the mapping cannot say which
            it means (the first was taken silently before).
    """
    at = [i for i, key in enumerate(keys) if key == wanted]
    if len(at) > 1:
        if kind == "xlsx":
            from openpyxl.utils import get_column_letter

            places = [get_column_letter(i + 1) for i in at]
        else:
            places = [str(i + 1) for i in at]
        raise SourceError(
            source,
            header_line,
            name,
            f"the header has {len(at)} columns named '{name}' (columns "
            f"{', '.join(places[:-1])} and {places[-1]}); the mapping cannot tell which it "
            "means: rename all but one",
        )
    return at[0] if at else None


# ---------------------------------------------------------------------- the ledger's rules
class LedgerRules:
    """What a row is checked against, read once per import: the same rules as
    :meth:`fsgrant.services.spend.SpendService.add` (known category and post, a
    funding year covering the date, no closed period)."""

    def __init__(
        self,
        categories: Sequence[str],
        posts: Sequence[str],
        years: Sequence[FundingYearState],
        closures: dict[str, ClosedPeriod],
    ) -> None:
        self.categories = frozenset(categories)
        self.posts = frozenset(posts)
        self.years = list(years)
        self.by_label = {y.label: y for y in self.years}
        self.closures = closures
        self.allocator = Allocator(self.years)
        self._days: dict[tuple[date, str | None], str | None] = {}

    def check_day(self, day: date, label: str | None) -> str | None:
        """The reason a spend line dated ``day`` (for year ``label``) is refused, or None."""
        key = (day, label)
        try:
            return self._days[key]
        except KeyError:
            reason = self._days[key] = self._day_reason(day, label)
            return reason

    def _day_reason(self, day: date, label: str | None) -> str | None:
        problem = entry_day_problem(day, label, self.allocator, self.closures, name_who=False)
        return None if problem is None else problem.message


# ---------------------------------------------------------------------- filters and rules
class RowFilter:
    """A :class:`~fsgrant.imports.mapping_rules.ColumnFilter` bound to a column of the header.

    ``keeps`` is memoised per raw cell text (extracts repeat their values), and the
    values of the rows it skipped are counted, so an import that keeps nothing can
    show what the column actually holds.
    """

    def __init__(self, spec: ColumnFilter, index: int | None) -> None:
        self.spec = spec
        self.label = spec.label()
        self.index = -1 if index is None else index
        ci = spec.case_insensitive
        self.include = frozenset(normalise_value(v, case_insensitive=ci) for v in spec.include)
        self.exclude = frozenset(normalise_value(v, case_insensitive=ci) for v in spec.exclude)
        self.verdicts: dict[str, bool] = {}
        self.skipped: dict[str, int] = {}
        """Raw cell text -> rows skipped with it."""

    def keeps(self, cell: str) -> bool:
        value = normalise_value(cell, case_insensitive=self.spec.case_insensitive)
        ok = (not self.include or value in self.include) and value not in self.exclude
        if len(self.verdicts) < 100_000:
            self.verdicts[cell] = ok
        return ok

    def cell(self, cells: Sequence[str]) -> str:
        i = self.index
        return cells[i] if 0 <= i < len(cells) else ""

    def most_frequent(self, n: int = 5) -> list[tuple[str, int]]:
        """The values most often seen in the rows this filter skipped (trimmed)."""
        merged: dict[str, int] = {}
        for raw, count in self.skipped.items():
            key = " ".join(raw.split())
            merged[key] = merged.get(key, 0) + count
        return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


PATTERN_SECONDS = 0.25
"""How long a rule's pattern (``matches``) may take on one cell. Patterns run on the
``regex`` engine, which can stop a match: one that backtracks past this (a pattern
that matches the same text in many ways, on a cell that nearly matches) refuses the
row, naming the pattern, instead of running for minutes."""

MAX_SLOW_CELLS = 20
"""How many different cells a pattern may run out of time on before the import stops
(rows skipped as invalid would otherwise cost :data:`PATTERN_SECONDS` each)."""


class PatternTimeout(Exception):
    """A rule's pattern ran past :data:`PATTERN_SECONDS` on a cell of ``column``; it
    stops the import (``fatal``) once it has on :data:`MAX_SLOW_CELLS` cells."""

    def __init__(self, column: str, pattern: str, *, fatal: bool = False) -> None:
        super().__init__(column, pattern)
        self.column = column
        self.pattern = pattern
        self.fatal = fatal

    def reason(self) -> str:
        """Why the row is refused, for a person."""
        return (
            f"the rule pattern {self.pattern!r} took over {PATTERN_SECONDS:g} s on the "
            f"{self.column!r} cell (it can match the same text in many ways, so it "
            "backtracks): write it so that it cannot"
        )


def _bounded_match(column: str, pattern: str, ci: bool) -> Callable[[str], bool]:
    import regex

    compiled = regex.compile(pattern, regex.IGNORECASE if ci else 0)

    def test(value: str) -> bool:
        try:
            return compiled.fullmatch(value, timeout=PATTERN_SECONDS) is not None
        except TimeoutError:
            raise PatternTimeout(column, pattern) from None

    return test


class _Test:
    """One rule condition bound to a column: a memoised verdict per raw cell text."""

    def __init__(self, cond: Condition, index: int) -> None:
        ci = cond.case_insensitive
        self.index = index
        self.ci = ci
        self.verdicts: dict[str, bool] = {}
        self.slow: dict[str, PatternTimeout] = {}
        if cond.equals is not None:
            want = normalise_value(cond.equals, case_insensitive=ci)
            self.test: Callable[[str], bool] = lambda v: v == want
        elif cond.starts_with is not None:
            prefix = normalise_value(cond.starts_with, case_insensitive=ci)
            self.test = lambda v: v.startswith(prefix)
        elif cond.matches is not None:
            self.test = _bounded_match(cond.column, cond.matches, ci)
        else:
            options = frozenset(normalise_value(x, case_insensitive=ci) for x in cond.one_of)
            self.test = lambda v: v in options

    def __call__(self, cells: Sequence[str]) -> bool:
        raw = cells[self.index] if self.index < len(cells) else ""
        got = self.verdicts.get(raw)
        if got is None:
            if raw in self.slow:  # timed out once: the same cell is not tried again
                raise self.slow[raw]
            try:
                got = self.test(normalise_value(raw, case_insensitive=self.ci))
            except PatternTimeout as slow:
                self.slow[raw] = slow
                if len(self.slow) >= MAX_SLOW_CELLS:
                    raise PatternTimeout(slow.column, slow.pattern, fatal=True) from None
                raise
            if len(self.verdicts) < 100_000:
                self.verdicts[raw] = got
        return got


class BoundRule:
    def __init__(self, rule: Rule, find: Callable[[str], int]) -> None:
        self.label = rule.label()
        self.category = rule.category
        self.post = rule.post
        self.tests = [_Test(rule, find(rule.column))]
        if rule.also is not None:
            self.tests.append(_Test(rule.also, find(rule.also.column)))

    def matches(self, cells: Sequence[str]) -> bool:
        return all(t(cells) for t in self.tests)


def first_rule(
    rules: Sequence[BoundRule], cells: Sequence[str], source: str, line: int
) -> BoundRule | None:
    """The first of ``rules`` the row ``cells`` matches.

    Raises:
        SourceError: a rule's pattern ran too long on a cell (naming the line and column).
        InvalidInput: it has on :data:`MAX_SLOW_CELLS` cells: the import stops.
    """
    try:
        return next((r for r in rules if r.matches(cells)), None)
    except PatternTimeout as slow:
        if slow.fatal:
            raise InvalidInput(
                f"{source}, line {line}: the rule pattern {slow.pattern!r} ran out of time "
                f"({PATTERN_SECONDS:g} s) on {MAX_SLOW_CELLS} cells of {slow.column!r}, so the "
                "import stops: write the pattern so that it cannot match the same text in "
                "many ways",
                field=slow.column,
            ) from None
        raise SourceError(source, line, slow.column, slow.reason()) from None
