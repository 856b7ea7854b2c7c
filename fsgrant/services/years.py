"""Funding years and their agreed variations (``fsgrant year``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.closures import refuse_closed, refuse_moving_closed_days
from fsgrant.domain.funding import Orphans, apply_variations, orphans_made
from fsgrant.domain.models import FundingYear, FundingYearState, Grant, Variation
from fsgrant.domain.money import AmountLike, as_money, format_money, from_pence, to_pence
from fsgrant.domain.periods import DateLike, Period, default_end, parse_date
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput, NotFound
from fsgrant.services.horizon import entered_day
from fsgrant.store.tables import Tables

__all__ = ["YearsService"]

# A funding year is labelled by the two years it spans: 2019/20.
_LABEL = re.compile(r"^([0-9]{4})/([0-9]{2})$")


@checked
class YearsService:
    """``fs.years``: record funding years, vary them, and read them as varied."""

    def __init__(self, tables: Tables, grant: Callable[[], Grant]) -> None:
        self._tables = tables
        self._grant = grant

    def add(
        self,
        label: str,
        award: AmountLike,
        start: DateLike,
        *,
        end: DateLike | None = None,
        status: str = "confirmed",
        confirmed_on: DateLike | None = None,
        conditions: Iterable[str] = (),
    ) -> FundingYear:
        """Record a funding year: its award (a cap), period and status.

        The end defaults to the day before the start's anniversary.

        Raises:
            InvalidInput: a bad amount, date or status, or a label not like ``2019/20``
                or not matching the start (a year starting in August 2019 is 2019/20;
                one starting in January-July 2020 may be 2019/20 or 2020/21).
            Conflict: the label exists already, or the period overlaps another year's
                period as first agreed (only an agreed variation makes years overlap).
            StoreError: the store holds no grant yet.
        """
        self._grant()  # refuses with a clear message when there is no grant
        label = required_text(label, "label")
        if label.upper().startswith("FY"):
            raise InvalidInput(
                f"'{label}' looks like a financial year; funding years are labelled like 2019/20",
                field="label",
            )
        match = _LABEL.match(label)
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise InvalidInput(
                f"'{label}' is not a funding year label: label a year by the years it "
                "spans, like 2019/20",
                field="label",
                value=label,
            )
        if status not in ("confirmed", "in-principle"):
            raise InvalidInput(
                f"a new funding year is 'confirmed' or 'in-principle', not '{status}'",
                field="status",
            )
        amount = as_money(award, field="amount")
        if amount < 0:
            raise InvalidInput("an award cannot be negative", field="amount")
        start_day = entered_day(self._tables, start, field="start")
        end_day = (
            entered_day(self._tables, end, field="end")
            if end is not None
            else default_end(start_day)
        )
        Period(start_day, end_day)
        confirmed = (
            entered_day(self._tables, confirmed_on, field="confirmed-on")
            if confirmed_on is not None
            else None
        )
        if status == "confirmed" and confirmed is None:
            confirmed = start_day
        conds = tuple(c.strip() for c in conditions if c.strip())
        if self._tables.years.exists(label):
            raise Conflict(
                f"funding year {label} exists already; change it with 'fsgrant year vary'"
            )
        if int(match[1]) not in (start_day.year, start_day.year - 1):
            expected = f"{start_day.year}/{(start_day.year + 1) % 100:02d}"
            raise InvalidInput(
                f"funding year {label} cannot start on {start_day}: a year starting then "
                f"is labelled {expected}",
                field="label",
                value=label,
            )
        for other in self._tables.years.originals():
            if other.start <= end_day and start_day <= other.end:
                raise Conflict(
                    f"funding year {label} ({start_day} to {end_day}) overlaps {other.label} "
                    f"({other.start} to {other.end}); years overlap only when an agreed "
                    f"variation extends one ('fsgrant year vary {other.label} --end ...')"
                )
        year = FundingYear(
            label=label,
            award=amount,
            status=status,
            confirmed_on=confirmed,
            start=start_day,
            end=end_day,
            conditions=conds,
        )
        store = self._tables.store
        with store.transaction(Action.YEAR_ADD, label, {"award": str(amount)}):
            self._tables.years.insert(
                {
                    "label": label,
                    "award_pence": to_pence(amount),
                    "status": status,
                    "confirmed_on": confirmed.isoformat() if confirmed else None,
                    "start": start_day.isoformat(),
                    "end": end_day.isoformat(),
                    "conditions": json.dumps(list(conds)),
                }
            )
        return year

    def originals(self) -> list[FundingYear]:
        """The funding years as first recorded, in start order."""
        return self._tables.years.originals()

    def variations(self, label: str | None = None) -> list[Variation]:
        """Every variation (of one year, if given), in the order agreed."""
        return self._tables.years.variations(label)

    def list(self, as_at: DateLike | None = None) -> list[FundingYearState]:
        """The funding years as varied by what was agreed on or before ``as_at``
        (all variations when ``as_at`` is None)."""
        day = parse_date(as_at, field="as-at") if as_at is not None else None
        return apply_variations(self.originals(), self.variations(), day)

    def get(self, label: str, as_at: DateLike | None = None) -> FundingYearState:
        """One funding year as varied (as at ``as_at``; all variations when None).

        Raises:
            NotFound: no such label.
        """
        for y in self.list(as_at):
            if y.label == label:
                return y
        known = ", ".join(y.label for y in self.originals()) or "none yet"
        raise NotFound("funding year", label, f"known: {known}")

    def _orphans_made(
        self, before: Sequence[FundingYearState], after: Sequence[FundingYearState]
    ) -> Orphans | None:
        days = list(self._tables.spend.day_totals(date.max))
        receipts = [(r.funding_year, to_pence(r.amount)) for r in self._tables.receipts.list()]
        return orphans_made(before, after, days, receipts)

    def vary(
        self,
        label: str,
        *,
        agreed_on: DateLike,
        reason: str,
        reference: str | None = None,
        start: DateLike | None = None,
        end: DateLike | None = None,
        award: AmountLike | None = None,
        move: AmountLike | None = None,
        to: str | None = None,
        status: str | None = None,
        orphan_ok: bool = False,
    ) -> Variation:
        """Record an agreed variation. Exactly one kind per call:

        * ``end`` alone: extend (or shorten) the period;
        * ``start`` and ``end``: shift the period;
        * ``award``: a new award for the year;
        * ``move`` and ``to``: move an amount of award to another year;
        * ``status``: e.g. in-principle -> confirmed.

        Raises:
            InvalidInput: no kind or more than one, or the result would be impossible.
            NotFound: the year (or the ``to`` year) does not exist.
            PeriodClosed: it is agreed on or before the closed date of its year (or of
                the year money moves to), or it would move a day of a closed period
                into or out of its year.
            Conflict: it would leave recorded spend or receipts outside every open
                funding year (an end moved before existing lines, a withdrawal), unless
                ``orphan_ok`` says so; ``check`` then lists those lines.
        """
        current = self.get(label)
        agreed = entered_day(self._tables, agreed_on, field="agreed-on")
        why = required_text(reason, "reason")
        kinds = [
            k
            for k, present in (
                ("shift", start is not None),
                ("extend", end is not None and start is None),
                ("amount", award is not None),
                ("move", move is not None or to is not None),
                ("status", status is not None),
            )
            if present
        ]
        if len(kinds) != 1:
            raise InvalidInput(
                "give exactly one change: --end, --start with --end, --amount, --move with --to, or --status",
                field="variation",
            )
        kind = kinds[0]
        store = self._tables.store
        record: dict[str, Any] = {
            "funding_year": label,
            "kind": kind,
            "agreed_on": agreed.isoformat(),
            "reason": why,
            "reference": clean_text(reference),
        }
        if kind == "shift":
            if end is None:
                raise InvalidInput("a shift needs both --start and --end", field="end")
            p = Period(
                entered_day(self._tables, start, field="start"),  # type: ignore[arg-type]
                entered_day(self._tables, end, field="end"),
            )
            record.update(new_start=p.start.isoformat(), new_end=p.end.isoformat())
        elif kind == "extend":
            new_end = entered_day(self._tables, end, field="end")  # type: ignore[arg-type]
            if new_end < current.start:
                raise InvalidInput(
                    f"{label} would end before it starts ({current.start})", field="end"
                )
            record["new_end"] = new_end.isoformat()
        elif kind == "amount":
            amount = as_money(award, field="amount")
            if amount < 0:
                raise InvalidInput("an award cannot be negative", field="amount")
            record["amount_pence"] = to_pence(amount)
        elif kind == "move":
            if move is None or to is None:
                raise InvalidInput("a move needs both --move AMOUNT and --to LABEL", field="move")
            amount = as_money(move, field="move")
            if amount <= 0:
                raise InvalidInput("the amount moved must be positive", field="move")
            if to == label:
                raise InvalidInput("cannot move money to the same funding year", field="to")
            self.get(to)
            if amount > current.award:
                raise InvalidInput(
                    f"cannot move {amount} out of {label}: its award is {current.award}",
                    field="move",
                )
            record.update(amount_pence=to_pence(amount), to_year=to)
        else:
            if status not in ("confirmed", "in-principle", "withdrawn"):
                raise InvalidInput(f"unknown status '{status}'", field="status")
            if status == current.status:
                raise InvalidInput(f"{label} is already {status}", field="status")
            record["new_status"] = status
        detail = {k: v for k, v in record.items() if v}
        with store.transaction(Action.YEAR_VARY, label, detail, dated=agreed):
            closures = self._tables.periods.closures()
            refuse_closed(
                "variation",
                agreed,
                closures,
                [],
                named=[label] if to is None else [label, to],
                what=f"a variation of {label}",
            )
            # The years and variations are read once; each day is worked out from them.
            originals = self.originals()
            before = apply_variations(originals, self.variations())
            new_id = detail["id"] = self._tables.years.insert_variation(record)
            variations = self.variations()
            # The varied years must still make sense as a whole (apply_variations
            # raises if not), and no closed day may change year.
            after = apply_variations(originals, variations)
            # So must they as at the day it was agreed and every later day another
            # was: a report as at a day applies only the variations agreed by then.
            for day in sorted({v.agreed_on for v in variations if v.agreed_on >= agreed}):
                try:
                    apply_variations(originals, variations, day)
                except InvalidInput as exc:
                    raise InvalidInput(
                        f"{exc.message} as at {day.isoformat()}, before the variations "
                        "agreed later apply",
                        field=exc.field,
                    ) from None
            refuse_moving_closed_days(before, after, closures)
            made = self._orphans_made(before, after)
            if made is not None:
                if not orphan_ok:
                    raise Conflict(_orphan_message(label, made))
                detail["orphan_ok"] = True
                detail["orphaned"] = _orphan_text(made)
        return next(v for v in self.variations(label) if v.id == new_id)


def _orphan_text(made: Orphans) -> str:
    parts = []
    if made.spend_lines:
        parts.append(
            f"{made.spend_lines} spend line(s) (total {format_money(from_pence(made.spend_pence))})"
        )
    if made.receipts:
        parts.append(
            f"{made.receipts} receipt(s) (total {format_money(from_pence(made.receipt_pence))})"
        )
    return " and ".join(parts)


def _orphan_message(label: str, made: Orphans) -> str:
    return (
        f"this variation of {label} would leave {_orphan_text(made)} outside every open "
        "funding year; first vary a year to hold them (or reverse and re-enter the lines), "
        "or record it anyway with --orphan-ok (orphan_ok=True): check then lists them"
    )
