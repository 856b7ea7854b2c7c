"""Random sequences of spend, imports, reversals, variations (extensions, shifts,
amounts, moves, status changes and withdrawals), closings and reopenings against a
plain-Python model of what the totals must be.

Invariants after every step: the store's totals equal the model's, every report
total equals the sum of its rows, and nothing in a closed period changes (writes into
it are refused with PeriodClosed): the store's own figures for a closed period (the
summary and variance as at the closed date, the spend lines dated in it) stay what
they were when it was closed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from reliability_helpers import SLOW, make_grant

import fsgrant
from fsgrant.errors import Conflict, InvalidInput, PeriodClosed, SourceError

D = date.fromisoformat
# Days around the two funding years (2019/20 from 1 Aug 2019, 2020/21 from 1 Aug 2020),
# including days no year covers until a variation extends one.
DAYS = [
    D(x)
    for x in (
        "2019-07-15",
        "2019-08-01",
        "2019-12-31",
        "2020-03-31",
        "2020-07-31",
        "2020-08-01",
        "2020-09-15",
        "2021-03-31",
        "2021-07-31",
        "2021-09-30",
    )
]
LABELS = ["2019/20", "2020/21"]
CATEGORIES = ["training", "staffing"]
pence = st.integers(-500_000, 5_000_000).filter(lambda p: p != 0)


@dataclass
class Line:
    day: date
    pence: int
    category: str
    reversed: bool = False


class Model:
    """What the ledger must say, worked out in plain Python."""

    def __init__(self) -> None:
        # label -> [start, end, award pence, status]; the grant of reliability_helpers.
        self.years = {
            "2019/20": [D("2019-08-01"), D("2020-07-31"), 249_000_000, "confirmed"],
            "2020/21": [D("2020-08-01"), D("2021-07-31"), 160_000_000, "in-principle"],
        }
        self.lines: list[Line] = []  # ordinary lines and reversals (negated copies)
        self.closed: dict[str, date] = {}
        # Lines stored by imports, as (day, pence, category, n): the n-th identical
        # line of its extract. An import adds a line only if that key is new.
        self.imported: set[tuple[date, int, str, int]] = set()
        self.snapshots: dict[str, dict[str, int]] = {}
        # What the store said of each closed period when it was closed.
        self.store_snapshots: dict[str, object] = {}

    def allocate(self, day: date, years: dict[str, list] | None = None) -> str | None:
        # The rule: the year whose period holds the day; on overlap the earliest start
        # (then the earliest first recorded: 2019/20); withdrawn years take nothing.
        covering = [
            (start, label)
            for label, (start, end, _, status) in (years or self.years).items()
            if start <= day <= end and status != "withdrawn"
        ]
        return min(covering)[1] if covering else None

    def withdrawn_holding(self, day: date) -> str | None:
        # Spend in a withdrawn year's period is that year's actual: its closure covers it.
        held = [
            (start, label)
            for label, (start, end, _, status) in self.years.items()
            if start <= day <= end and status == "withdrawn"
        ]
        return min(held)[1] if held else None

    def is_closed(self, day: date, label: str | None) -> bool:
        return label is not None and label in self.closed and day <= self.closed[label]

    def totals(self) -> dict[tuple[str | None, str], int]:
        out: dict[tuple[str | None, str], int] = defaultdict(int)
        for x in self.lines:
            out[(self.allocate(x.day), x.category)] += x.pence
        return {k: v for k, v in out.items() if v}

    def closed_part(self, label: str) -> dict[str, int]:
        through = self.closed[label]
        out: dict[str, int] = defaultdict(int)
        for x in self.lines:
            if x.day <= through and self.allocate(x.day) == label:
                out[x.category] += x.pence
        return dict(out)


class LedgerMachine(RuleBasedStateMachine):
    lines = Bundle("lines")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="fsgrant-sm-"))
        path = self.folder / "grant.db"
        make_grant(path)
        self.led = fsgrant.open(path, create=False)
        self.model = Model()
        self.agreed = D("2020-01-01")  # variations agreed one day apart, in order
        self.extracts: list[Path] = []

    def teardown(self) -> None:
        self.led.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def nothing_yet(self) -> None:
        assert self.led.spend.list() == []

    # ------------------------------------------------------------ rules
    @rule(target=lines, day=st.sampled_from(DAYS), amount=pence, cat=st.sampled_from(CATEGORIES))
    def add_spend(self, day: date, amount: int, cat: str):
        value = Decimal(amount) / 100
        label = self.model.allocate(day)
        if label is None:
            try:
                self.led.spend.add(day, value, cat)
            except Conflict as exc:
                assert not isinstance(exc, PeriodClosed)
                assert "no funding year covers" in exc.message
                return multiple()
            raise AssertionError("spend on a day no year covers was stored")
        if self.model.is_closed(day, label):
            try:
                self.led.spend.add(day, value, cat)
            except PeriodClosed as exc:
                assert exc.funding_year == label
                return multiple()
            raise AssertionError("spend in a closed period was stored")
        line = self.led.spend.add(day, value, cat)
        assert line.funding_year == label
        self.model.lines.append(Line(day, amount, cat))
        return (line.id, len(self.model.lines) - 1)

    @rule(
        target=lines,
        rows=st.lists(
            st.tuples(st.sampled_from(DAYS), pence, st.sampled_from(CATEGORIES)),
            min_size=1,
            max_size=4,
        ),
        again=st.booleans(),
        pick=st.integers(0, 1000),
    )
    def import_extract(self, rows, again: bool, pick: int):
        """Import a small extract in fsgrant's own columns, or import an earlier one
        again (which must add nothing it added before)."""
        if again and self.extracts:
            path = self.extracts[pick % len(self.extracts)]
            rows = _read_extract(path)
        else:
            path = self.folder / f"extract{len(self.extracts)}.csv"
            _write_extract(path, rows)
            self.extracts.append(path)
        refused = [
            (day, label)
            for day, _, _ in rows
            if (label := self.model.allocate(day)) is None or self.model.is_closed(day, label)
        ]
        before = self.led.spend.totals()
        if refused:
            try:
                self.led.imports.import_file(path)
            except SourceError as exc:
                day, label = refused[0]
                why = "no funding year covers" if label is None else "closed through"
                assert why in exc.message, exc.message
                assert self.led.spend.totals() == before  # nothing stored
                return multiple()
            raise AssertionError("an extract with a refused line was stored")
        seen: dict[tuple[date, int, str], int] = defaultdict(int)
        new = []
        for day, amount, cat in rows:
            seen[(day, amount, cat)] += 1
            key = (day, amount, cat, seen[(day, amount, cat)])
            if key not in self.model.imported:
                new.append(key)
        result = self.led.imports.import_file(path)
        assert result.rows_read == len(rows)
        assert result.rows_added == len(new)
        assert result.rows_duplicate == len(rows) - len(new)
        assert result.total_added == Decimal(sum(k[1] for k in new)) / 100
        refs = []
        if result.batch_id is not None:
            stored = sorted(self.led.imports.lines(result.batch_id), key=lambda x: x.id)
            assert [(x.date, x.category) for x in stored] == [(k[0], k[2]) for k in new]
            for x, key in zip(stored, new, strict=True):
                self.model.imported.add(key)
                self.model.lines.append(Line(key[0], key[1], key[2]))
                refs.append((x.id, len(self.model.lines) - 1))
        else:
            assert not new
        return multiple(*refs)

    @rule(ref=lines)
    def reverse(self, ref):
        line_id, index = ref
        original = self.model.lines[index]
        label = self.model.allocate(original.day) or self.model.withdrawn_holding(original.day)
        if original.reversed:
            try:
                self.led.spend.reverse(line_id, "again")
            except Conflict as exc:
                assert "already reversed" in exc.message
                return
            raise AssertionError("a line was reversed twice")
        if self.model.is_closed(original.day, label):
            try:
                self.led.spend.reverse(line_id, "correction")
            except PeriodClosed:
                return
            raise AssertionError("a line in a closed period was reversed")
        rev = self.led.spend.reverse(line_id, "correction")
        assert rev.amount == -Decimal(original.pence) / 100
        original.reversed = True
        self.model.lines.append(Line(original.day, -original.pence, original.category, True))

    def _vary(self, label: str, proposed: dict[str, list], **change) -> None:
        self.agreed += timedelta(days=1)
        moved = [
            c
            for c, through in self.model.closed.items()
            if any(
                (self.model.allocate(d) == c) != (self.model.allocate(d, proposed) == c)
                for d in _days(D("2019-01-01"), through)
            )
        ]

        # Nor may another year's period come to hold a day of a closed window (from
        # the closed year's start to its closed date).
        def covers(years: dict[str, list], y: str, d: date) -> bool:
            start, end, _, status = years[y]
            return status != "withdrawn" and start <= d <= end

        moved += [
            c
            for c, through in self.model.closed.items()
            if c not in moved
            and any(
                covers(proposed, y, d) and not covers(self.model.years, y, d)
                for y in proposed
                if y != c
                for d in _days(self.model.years[c][0], through)
            )
        ]
        # A variation agreed on or before the closed date of its year (or of the
        # year money moves to) is refused whatever it changes.
        bears_on = [label, *([change["to"]] if "to" in change else [])]
        dated = [
            c for c in bears_on if c in self.model.closed and self.agreed <= self.model.closed[c]
        ]
        if moved or dated:
            try:
                self.led.years.vary(label, agreed_on=self.agreed, reason="test", **change)
            except PeriodClosed as exc:
                assert exc.funding_year in dated or exc.funding_year in moved
                return
            raise AssertionError("a variation changed what a closed period showed")
        # A variation leaving a line some open year held in none is refused unless the
        # user says so; then it is recorded (and check lists those lines).
        orphaned = [
            x
            for x in self.model.lines
            if self.model.allocate(x.day) is not None
            and self.model.allocate(x.day, proposed) is None
        ]
        if orphaned:
            try:
                self.led.years.vary(label, agreed_on=self.agreed, reason="test", **change)
            except Conflict as exc:
                assert f"{len(orphaned)} spend line(s)" in exc.message, exc.message
            else:
                raise AssertionError("a variation orphaned spend without being told it may")
            self.led.years.vary(
                label, agreed_on=self.agreed, reason="test", orphan_ok=True, **change
            )
            # As at a day when the variation is agreed and the lines are dated.
            as_at = max(self.agreed, *(x.day for x in orphaned))
            codes = {f.code for f in self.led.check(as_at)}
            assert "spend-outside-periods" in codes
        else:
            self.led.years.vary(label, agreed_on=self.agreed, reason="test", **change)
        self.model.years = proposed

    @rule(label=st.sampled_from(LABELS), end=st.sampled_from(DAYS))
    def extend(self, label: str, end: date):
        start = self.model.years[label][0]
        if end < start:
            try:
                self.led.years.vary(label, agreed_on="2020-01-01", reason="x", end=end)
            except InvalidInput:
                return
            raise AssertionError("a year was made to end before it starts")
        proposed = {k: list(v) for k, v in self.model.years.items()}
        proposed[label][1] = end
        self._vary(label, proposed, end=end)

    @rule(source=st.sampled_from(LABELS), amount=st.integers(1, 300_000_000))
    def move(self, source: str, amount: int):
        target = next(x for x in LABELS if x != source)
        if amount > self.model.years[source][2]:
            try:
                self.led.years.vary(
                    source,
                    agreed_on="2020-01-01",
                    reason="x",
                    move=Decimal(amount) / 100,
                    to=target,
                )
            except InvalidInput:
                return
            raise AssertionError("more than the award was moved")
        proposed = {k: list(v) for k, v in self.model.years.items()}
        proposed[source][2] -= amount
        proposed[target][2] += amount
        self._vary(source, proposed, move=Decimal(amount) / 100, to=target)

    @rule(label=st.sampled_from(LABELS), start=st.sampled_from(DAYS), end=st.sampled_from(DAYS))
    def shift(self, label: str, start: date, end: date):
        if end < start:
            try:
                self.led.years.vary(label, agreed_on="2020-01-01", reason="x", start=start, end=end)
            except InvalidInput:
                return
            raise AssertionError("a year was shifted to end before it starts")
        proposed = {k: list(v) for k, v in self.model.years.items()}
        proposed[label][0], proposed[label][1] = start, end
        self._vary(label, proposed, start=start, end=end)

    @rule(label=st.sampled_from(LABELS), amount=st.integers(0, 300_000_000))
    def amount(self, label: str, amount: int):
        proposed = {k: list(v) for k, v in self.model.years.items()}
        proposed[label][2] = amount
        self._vary(label, proposed, award=Decimal(amount) / 100)

    @rule(
        label=st.sampled_from(LABELS),
        status=st.sampled_from(["confirmed", "in-principle", "withdrawn", "withdrawn"]),
    )
    def status(self, label: str, status: str):
        if status == self.model.years[label][3]:
            try:
                self.led.years.vary(label, agreed_on="2020-01-01", reason="x", status=status)
            except InvalidInput:
                return
            raise AssertionError("a year was given the status it has")
        proposed = {k: list(v) for k, v in self.model.years.items()}
        proposed[label][3] = status
        self._vary(label, proposed, status=status)

    def _closed_figures(self, label: str, through: date):
        """The store's figures for a closed period, read from the store."""
        lines: dict[str, int] = defaultdict(int)
        for x in self.led.spend.list(year=label, to_date=through):
            lines[x.category] += int(x.amount * 100)
        summary = {y.label: y.actual for y in self.led.reports.summary(as_at=through).funding_years}
        variance = self.led.reports.variance(label, as_at=through)
        return (
            {k: v for k, v in lines.items() if v},
            summary[label],
            {x.category: x.actual for x in variance.lines if x.actual},
            variance.totals.actual,
        )

    @rule(label=st.sampled_from(LABELS), through=st.sampled_from(DAYS))
    def close(self, label: str, through: date):
        start = self.model.years[label][0]
        current = self.model.closed.get(label)
        if through < start or (current is not None and through < current):
            try:
                self.led.periods.close(label, through, "return")
            except InvalidInput:
                return
            raise AssertionError("an impossible closure was accepted")
        self.led.periods.close(label, through, f"return to {through}")
        self.model.closed[label] = through
        self.model.snapshots[label] = self.model.closed_part(label)
        self.model.store_snapshots[label] = self._closed_figures(label, through)

    @rule(label=st.sampled_from(LABELS))
    def reopen(self, label: str):
        if label not in self.model.closed:
            try:
                self.led.periods.reopen(label, "why not")
            except Conflict:
                return
            raise AssertionError("an open year was reopened")
        self.led.periods.reopen(label, "late invoice")
        del self.model.closed[label]
        del self.model.snapshots[label]
        del self.model.store_snapshots[label]

    # ------------------------------------------------------------ invariants
    @invariant()
    def store_totals_equal_the_model(self):
        stored = {k: v for k, v in self.led.spend.totals().items() if v}
        expected = {k: Decimal(v) / 100 for k, v in self.model.totals().items()}
        assert stored == expected

    @invariant()
    def report_totals_equal_the_sum_of_their_rows(self):
        report = self.led.reports.summary()
        actual = {y.label: y.actual for y in report.funding_years}
        # A withdrawn year's actual is the spend dated in its period that no open year
        # holds (the earliest starting withdrawn year, where they overlap); its award 0.
        withdrawn = sorted(
            (start, label) for label, (start, _, _, status) in self.model.years.items()
            if status == "withdrawn"
        )  # fmt: skip
        stranded: dict[str, int] = defaultdict(int)
        for x in self.model.lines:
            if self.model.allocate(x.day) is None:
                for start, label in withdrawn:
                    if start <= x.day <= self.model.years[label][1]:
                        stranded[label] += x.pence
                        break
        for label in LABELS:
            want = sum((v for (lab, _), v in self.model.totals().items() if lab == label), 0)
            assert actual[label] == Decimal(want + stranded[label]) / 100
            status = self.model.years[label][3]
            award = 0 if status == "withdrawn" else self.model.years[label][2]
            assert {y.label: y.award for y in report.funding_years}[label] == (Decimal(award) / 100)
        for field in ("award", "actual", "remaining", "received"):
            assert report.total(field) == sum(
                (getattr(y, field) for y in report.funding_years), Decimal(0)
            )

    @invariant()
    def nothing_in_a_closed_period_changes(self):
        assert set(self.led.periods.closures()) == set(self.model.closed)
        for label, snapshot in self.model.snapshots.items():
            assert self.model.closed_part(label) == snapshot
        for label, figures in self.model.store_snapshots.items():
            assert self._closed_figures(label, self.model.closed[label]) == figures


EXTRACT_HEADER = "date,amount,category,post,supplier,description,reference,year"


def _write_extract(path: Path, rows) -> None:
    body = [f"{day.isoformat()},{Decimal(p) / 100:.2f},{cat},,,,," for day, p, cat in rows]
    path.write_text("\n".join([EXTRACT_HEADER, *body]) + "\n", encoding="utf-8")


def _read_extract(path: Path) -> list[tuple[date, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        day, amount, cat = line.split(",")[:3]
        out.append((D(day), int(Decimal(amount) * 100), cat))
    return out


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


LedgerMachine.TestCase.settings = settings(
    max_examples=150 if SLOW else 20,
    stateful_step_count=30 if SLOW else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedger = LedgerMachine.TestCase
