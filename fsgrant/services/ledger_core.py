"""The core use cases: the grant, funding years, estimates, spend, receipts.

:class:`LedgerCore` is the base of :class:`fsgrant.services.ledger.Ledger`; further use cases
(posts, imports, ...) are mixins over it in ``ledger_*.py`` modules.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from fsgrant.domain.funding import Allocator, apply_variations
from fsgrant.domain.models import (
    CATEGORY_PATTERN,
    DEFAULT_CATEGORIES,
    ClosedPeriod,
    Estimate,
    FundingYear,
    FundingYearState,
    Grant,
    Receipt,
    SpendLine,
    Variation,
)
from fsgrant.domain.money import as_money, from_pence, to_pence
from fsgrant.domain.periods import Period, default_end, financial_year_period, parse_date
from fsgrant.errors import Conflict, InvalidInput, NotFound, PeriodClosed, StoreError
from fsgrant.store.connection import Store, utc_now

if TYPE_CHECKING:
    pass

__all__ = ["LedgerCore"]

DateLike = date | str
AmountLike = Decimal | int | str


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _required(value: str | None, field: str) -> str:
    text = _text(value)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return text


def _today() -> date:
    return date.today()


class LedgerCore:
    """The core of one grant's ledger, backed by a :class:`~fsgrant.store.connection.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._spend_groups_cache: (
            tuple[tuple[Any, ...], bool, list[tuple[date, str | None, str, str | None, int]]] | None
        ) = None

    # -------------------------------------------------------------- lifecycle
    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
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
            Conflict: the store already holds a grant.
        """
        name, funder, recipient = (
            _required(name, "grant"),
            _required(funder, "funder"),
            _required(recipient, "recipient"),
        )
        existing = self.store.query_one("SELECT name FROM grant_info WHERE id = 1")
        if existing is not None:
            raise Conflict(
                f"this store already holds the grant '{existing[0]}'; one store holds one grant"
            )
        with self.store.transaction("init", name, {"funder": funder, "recipient": recipient}):
            self.store.insert(
                "grant_info",
                {
                    "id": 1,
                    "name": name,
                    "funder": funder,
                    "recipient": recipient,
                    "funder_org_id": _text(funder_org_id),
                    "recipient_org_id": _text(recipient_org_id),
                    "created_at": utc_now(),
                },
            )
            for cat, description in DEFAULT_CATEGORIES.items():
                self.store.conn.execute(
                    "INSERT OR IGNORE INTO categories (name, description) VALUES (?, ?)",
                    [cat, description],
                )
        return self.grant

    @property
    def grant(self) -> Grant:
        """The grant this store holds.

        Raises:
            StoreError: the store has no grant yet.
        """
        row = self.store.query_one("SELECT * FROM grant_info WHERE id = 1")
        if row is None:
            raise StoreError(
                f"{self.path} holds no grant yet; run 'fsgrant init --grant ... --funder ... --recipient ...'"
            )
        return Grant(
            name=row["name"],
            funder=row["funder"],
            recipient=row["recipient"],
            funder_org_id=row["funder_org_id"],
            recipient_org_id=row["recipient_org_id"],
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def categories(self) -> dict[str, str]:
        """The cost categories: name -> description."""
        return {
            r[0]: r[1]
            for r in self.store.query("SELECT name, description FROM categories ORDER BY name")
        }

    def add_category(self, name: str, description: str = "") -> str:
        """Add a cost category (a lower-case slug such as ``travel``).

        Raises:
            InvalidInput: not a slug.  Conflict: it exists already.
        """
        slug = name.strip().lower()
        if not CATEGORY_PATTERN.match(slug):
            raise InvalidInput(
                f"category '{name}' must be lower-case letters, digits and hyphens, like 'case-recording'",
                field="category",
            )
        if slug in self.categories():
            raise Conflict(f"category '{slug}' exists already")
        with self.store.transaction("category.add", slug):
            self.store.insert("categories", {"name": slug, "description": description.strip()})
        return slug

    def _check_category(self, category: str) -> str:
        slug = category.strip().lower()
        cats = self.categories()
        if slug not in cats:
            raise InvalidInput(
                f"unknown category '{category}'; known: {', '.join(sorted(cats))} "
                "(add one with 'fsgrant category add')",
                field="category",
                value=category,
            )
        return slug

    # -------------------------------------------------------------- funding years
    def add_year(
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

        The end defaults to start + 12 months - 1 day.

        Raises:
            InvalidInput: a bad amount, date or status, or a label in the financial-year form.
            Conflict: the label exists already.
        """
        self.grant  # noqa: B018 - refuses with a clear message when there is no grant
        label = _required(label, "label")
        if label.upper().startswith("FY"):
            raise InvalidInput(
                f"'{label}' looks like a financial year; funding years are labelled like 2019/20",
                field="label",
            )
        if status not in ("confirmed", "in-principle"):
            raise InvalidInput(
                f"a new funding year is 'confirmed' or 'in-principle', not '{status}'",
                field="status",
            )
        amount = as_money(award, field="amount")
        if amount < 0:
            raise InvalidInput("an award cannot be negative", field="amount")
        start_day = parse_date(start, field="start")
        end_day = parse_date(end, field="end") if end is not None else default_end(start_day)
        Period(start_day, end_day)
        confirmed = (
            parse_date(confirmed_on, field="confirmed-on") if confirmed_on is not None else None
        )
        if status == "confirmed" and confirmed is None:
            confirmed = start_day
        conds = tuple(c.strip() for c in conditions if c.strip())
        if self.store.query_one("SELECT 1 FROM funding_years WHERE label = ?", [label]):
            raise Conflict(
                f"funding year {label} exists already; change it with 'fsgrant year vary'"
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
        with self.store.transaction("year.add", label, {"award": str(amount)}):
            self.store.insert(
                "funding_years",
                {
                    "label": label,
                    "award_pence": to_pence(amount),
                    "status": status,
                    "confirmed_on": confirmed.isoformat() if confirmed else None,
                    "start": start_day.isoformat(),
                    "end": end_day.isoformat(),
                    "conditions": json.dumps(list(conds)),
                    "recorded_at": utc_now(),
                    "recorded_by": self.store.user,
                },
            )
        return year

    def original_years(self) -> list[FundingYear]:
        """The funding years as first recorded, in start order."""
        return [
            FundingYear(
                label=r["label"],
                award=from_pence(r["award_pence"]),
                status=r["status"],
                confirmed_on=r["confirmed_on"],
                start=r["start"],
                end=r["end"],
                conditions=tuple(json.loads(r["conditions"])),
            )
            for r in self.store.query("SELECT * FROM funding_years ORDER BY start, label")
        ]

    def variations(self, label: str | None = None) -> list[Variation]:
        """Every variation (of one year, if given), in the order agreed."""
        where, params = (
            ("WHERE funding_year = ? OR to_year = ?", [label, label]) if label else ("", [])
        )
        return [
            Variation(
                id=r["id"],
                funding_year=r["funding_year"],
                kind=r["kind"],
                agreed_on=r["agreed_on"],
                reason=r["reason"],
                reference=r["reference"],
                new_start=r["new_start"],
                new_end=r["new_end"],
                amount=None if r["amount_pence"] is None else from_pence(r["amount_pence"]),
                to_year=r["to_year"],
                new_status=r["new_status"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"SELECT * FROM variations {where} ORDER BY agreed_on, id", params
            )
        ]

    def years(self, as_at: DateLike | None = None) -> list[FundingYearState]:
        """The funding years as varied by what was agreed on or before ``as_at``
        (all variations when ``as_at`` is None)."""
        day = parse_date(as_at, field="as-at") if as_at is not None else None
        return apply_variations(self.original_years(), self.variations(), day)

    def year(self, label: str, as_at: DateLike | None = None) -> FundingYearState:
        """One funding year as varied.

        Raises:
            NotFound: no such label.
        """
        for y in self.years(as_at):
            if y.label == label:
                return y
        known = ", ".join(y.label for y in self.original_years()) or "none yet"
        raise NotFound("funding year", label, f"known: {known}")

    def vary_year(
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
        """
        current = self.year(label)
        agreed = parse_date(agreed_on, field="agreed-on")
        why = _required(reason, "reason")
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
        record: dict[str, Any] = {
            "funding_year": label,
            "kind": kind,
            "agreed_on": agreed.isoformat(),
            "reason": why,
            "reference": _text(reference),
            "recorded_at": utc_now(),
            "recorded_by": self.store.user,
        }
        if kind == "shift":
            if end is None:
                raise InvalidInput("a shift needs both --start and --end", field="end")
            p = Period(parse_date(start, field="start"), parse_date(end, field="end"))  # type: ignore[arg-type]
            record.update(new_start=p.start.isoformat(), new_end=p.end.isoformat())
        elif kind == "extend":
            new_end = parse_date(end, field="end")  # type: ignore[arg-type]
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
            self.year(to)
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
        with self.store.transaction("year.vary", label, detail):
            before = self.years()
            new_id = detail["id"] = self.store.insert("variations", record)
            # The varied years must still make sense as a whole.
            after = self.years()
            self._guard_closed_allocation(before, after)
        return next(v for v in self.variations(label) if v.id == new_id)

    # -------------------------------------------------------------- estimates
    def set_estimate(
        self,
        label: str,
        category: str,
        amount: AmountLike,
        *,
        post: str | None = None,
        on: DateLike | None = None,
    ) -> Estimate:
        """Set planned spend for a year and category (optionally a post).

        The first estimate for a (year, category, post) is the original; later ones are
        dated revisions kept beside it.

        Raises:
            InvalidInput: bad amount, category or date.  NotFound: no such year or post.
        """
        self.year(label)
        cat = self._check_category(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("an estimate cannot be negative", field="amount")
        post_id = _text(post)
        if post_id is not None:
            self._check_post(post_id)
        day = parse_date(on, field="on") if on is not None else _today()
        detail: dict[str, Any] = {"amount": str(value), "post": post_id, "set_on": day}
        with self.store.transaction("estimate.set", f"{label}/{cat}", detail):
            self.guard_open(day, label, what="an estimate")
            new_id = detail["id"] = self.store.insert(
                "estimates",
                {
                    "funding_year": label,
                    "category": cat,
                    "post": post_id,
                    "amount_pence": to_pence(value),
                    "set_on": day.isoformat(),
                    "recorded_at": utc_now(),
                    "recorded_by": self.store.user,
                },
            )
        return next(e for e in self.estimates(label) if e.id == new_id)

    def estimates(self, label: str | None = None) -> list[Estimate]:
        """Every estimate (of one year, if given): originals and revisions."""
        where, params = ("WHERE funding_year = ?", [label]) if label else ("", [])
        rows = self.store.query(
            f"""SELECT e.*, e.id = (SELECT min(o.id) FROM estimates o
                                    WHERE o.funding_year = e.funding_year AND o.category = e.category
                                      AND o.post IS e.post) AS original
                FROM estimates e {where} ORDER BY funding_year, category, post, set_on, id""",
            params,
        )
        return [
            Estimate(
                id=r["id"],
                funding_year=r["funding_year"],
                category=r["category"],
                post=r["post"],
                amount=from_pence(r["amount_pence"]),
                set_on=r["set_on"],
                original=bool(r["original"]),
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in rows
        ]

    def original_estimates(self) -> dict[str, Decimal]:
        """Total original estimate per funding year."""
        rows = self.store.query(
            """SELECT funding_year, sum(amount_pence) FROM estimates e
               WHERE id = (SELECT min(o.id) FROM estimates o WHERE o.funding_year = e.funding_year
                           AND o.category = e.category AND o.post IS e.post)
               GROUP BY funding_year"""
        )
        return {r[0]: from_pence(r[1]) for r in rows}

    # -------------------------------------------------------------- posts (lookup)
    def _check_post(self, post_id: str) -> str:
        if not self.store.query_one("SELECT 1 FROM posts WHERE id = ?", [post_id]):
            raise NotFound("post", post_id, "add it with 'fsgrant post add'")
        return post_id

    # -------------------------------------------------------------- closed periods
    def closures(self) -> dict[str, ClosedPeriod]:
        """The funding years whose periods are closed now: label -> closure."""
        rows = self.store.query(
            """SELECT e.* FROM period_events e
               WHERE e.id = (SELECT max(id) FROM period_events x WHERE x.funding_year = e.funding_year)
                 AND e.kind = 'close'"""
        )
        return {
            r["funding_year"]: ClosedPeriod(
                funding_year=r["funding_year"],
                through=date.fromisoformat(r["through"]),
                reference=r["reference"] or "",
                at=r["at"],
                by=r["by"],
            )
            for r in rows
        }

    def guard_open(self, day: date, label: str | None, *, what: str = "an entry") -> None:
        """Refuse an entry dated in a closed period of its funding year.

        ``label`` is the funding year the entry is for; when None, the year the day is
        allocated to (all variations applied). Call inside the write transaction.

        Raises:
            PeriodClosed: names the closure (reference, when, by whom).
        """
        closed = self.closures()
        if not closed:
            return
        target = label if label is not None else Allocator(self.years())(day)
        c = closed.get(target) if target is not None else None
        if c is not None and day <= c.through:
            raise PeriodClosed(
                f"{what} dated {day.isoformat()} falls in funding year {c.funding_year}, closed "
                f"through {c.through.isoformat()} (reference '{c.reference}', by {c.by} at "
                f"{c.at[:19].replace('T', ' ')} UTC); reopen it with 'fsgrant period reopen' first",
                funding_year=c.funding_year,
                through=c.through,
                reference=c.reference,
            )

    def _guard_closed_allocation(
        self, before: list[FundingYearState], after: list[FundingYearState]
    ) -> None:
        """Refuse a variation that would move any day of a closed period into or out of
        its funding year (what was submitted must not change under anyone's feet)."""
        closed = self.closures()
        if not closed:
            return
        old, new = Allocator(before), Allocator(after)
        first = min(y.start for y in [*before, *after])
        for label, c in closed.items():
            day = first
            while day <= c.through:
                was, now = old(day) == label, new(day) == label
                if was != now:
                    raise PeriodClosed(
                        f"this variation would move {day.isoformat()} "
                        f"{'out of' if was else 'into'} funding year {label}, closed through "
                        f"{c.through.isoformat()} (reference '{c.reference}', by {c.by}); "
                        "reopen it with 'fsgrant period reopen' first",
                        funding_year=label,
                        through=c.through,
                        reference=c.reference,
                    )
                day += timedelta(days=1)

    def close_period(self, label: str, through: DateLike, reference: str) -> ClosedPeriod:
        """Close a funding year's period through a date (e.g. when a return is submitted):
        entries dated on or before it are refused until it is reopened.

        Raises:
            NotFound: no such year.  InvalidInput: no reference, or an earlier date than
            the current closure.
        """
        y = self.year(label)
        day = parse_date(through, field="through")
        ref = _required(reference, "reference")
        if day < y.start:
            raise InvalidInput(f"{day} is before {label} starts ({y.start})", field="through")
        detail: dict[str, Any] = {"through": day.isoformat(), "reference": ref}
        with self.store.transaction("period.close", label, detail):
            current = self.closures().get(label)
            if current is not None and day < current.through:
                raise InvalidInput(
                    f"{label} is already closed through {current.through}; reopen it before closing an earlier date",
                    field="through",
                )
            detail["id"] = self.store.insert(
                "period_events",
                {
                    "funding_year": label,
                    "kind": "close",
                    "through": day.isoformat(),
                    "reference": ref,
                    "at": utc_now(),
                    "by": self.store.user,
                },
            )
        return self.closures()[label]

    def reopen_period(self, label: str, reason: str) -> None:
        """Reopen a closed funding year (the reopening is recorded with its reason).

        Raises:
            NotFound: no such year.  Conflict: it is not closed.
        """
        self.year(label)
        why = _required(reason, "reason")
        detail: dict[str, Any] = {"reason": why}
        with self.store.transaction("period.reopen", label, detail):
            closed = self.closures().get(label)
            if closed is None:
                raise Conflict(f"funding year {label} is not closed")
            detail["was_closed_through"] = closed.through.isoformat()
            detail["id"] = self.store.insert(
                "period_events",
                {
                    "funding_year": label,
                    "kind": "reopen",
                    "reason": why,
                    "at": utc_now(),
                    "by": self.store.user,
                },
            )

    def period_events(self) -> list[dict[str, Any]]:
        """Every closing and reopening, oldest first."""
        return [dict(r) for r in self.store.query("SELECT * FROM period_events ORDER BY id")]

    # -------------------------------------------------------------- spend
    def _year_for_entry(self, day: date, label: str | None) -> str | None:
        """Check a dated entry against the funding periods (all variations applied).

        Returns the explicit label, or None when the year is derived.
        """
        years = self.years()
        if label is not None:
            y = next((y for y in years if y.label == label), None)
            if y is None:
                raise NotFound("funding year", label)
            if day not in y.period:
                raise Conflict(
                    f"{day.isoformat()} is outside funding year {label} ({y.start} to {y.end})"
                )
            return label
        if Allocator(years)(day) is None:
            spans = "; ".join(
                f"{y.label}: {y.start} to {y.end}" for y in years if y.status != "withdrawn"
            )
            raise Conflict(
                f"no funding year covers {day.isoformat()} ({spans or 'no funding years yet'})"
            )
        return None

    def add_spend(
        self,
        day: DateLike,
        amount: AmountLike,
        category: str,
        *,
        post: str | None = None,
        supplier: str | None = None,
        description: str | None = None,
        reference: str | None = None,
        year: str | None = None,
    ) -> SpendLine:
        """Record a spend line (a credit is negative). Returns the stored line.

        Raises:
            InvalidInput: bad date, amount or category, or a zero amount.
            NotFound: no such post or funding year.
            Conflict: no funding year covers the date, or it is outside the named year.
        """
        d = parse_date(day, field="date")
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("a spend line of 0.00 records nothing", field="amount")
        cat = self._check_category(category)
        post_id = _text(post)
        if post_id is not None:
            self._check_post(post_id)
        record: dict[str, Any] = {
            "date": d.isoformat(),
            "amount_pence": to_pence(value),
            "category": cat,
            "post": post_id,
            "supplier": _text(supplier),
            "description": _text(description),
            "reference": _text(reference),
            "recorded_at": utc_now(),
            "recorded_by": self.store.user,
        }
        detail: dict[str, Any] = {"date": d.isoformat(), "amount": str(value), "category": cat}
        with self.store.transaction("spend.add", None, detail):
            # Checked inside the write lock, so no variation can slip in between.
            record["funding_year"] = self._year_for_entry(d, _text(year))
            self.guard_open(d, record["funding_year"], what="spend")
            new_id = self.store.insert("spend", record)
            detail["id"] = new_id
        return self.spend_line(new_id)

    def reverse_spend(self, line_id: int, reason: str) -> SpendLine:
        """Reverse a spend line: a new line with the negated amount, the same date,
        category, post and funding year, so the two net to zero in the same period.

        Raises:
            NotFound: no such line.  Conflict: already reversed, or itself a reversal.
        """
        why = _required(reason, "reason")
        original = self.spend_line(line_id)
        if original.reverses is not None:
            raise Conflict(
                f"line {line_id} is a reversal (of line {original.reverses}); it cannot be reversed: enter the line again instead"
            )
        if original.reversed_by is not None:
            raise Conflict(f"line {line_id} was already reversed by line {original.reversed_by}")
        explicit = original.funding_year if original.explicit_year else None
        record = {
            "date": original.date.isoformat(),
            "amount_pence": -to_pence(original.amount),
            "category": original.category,
            "post": original.post,
            "supplier": original.supplier,
            "description": f"Reversal of line {line_id}: {why}",
            "reference": original.reference,
            "funding_year": explicit,
            "reverses": line_id,
            "reason": why,
            "recorded_at": utc_now(),
            "recorded_by": self.store.user,
        }
        detail: dict[str, Any] = {"reason": why, "amount": str(-original.amount)}
        with self.store.transaction("spend.reverse", str(line_id), detail):
            # Checked again inside the write lock: another process may have reversed it.
            done = self.store.query_one("SELECT id FROM spend WHERE reverses = ?", [line_id])
            if done is not None:
                raise Conflict(f"line {line_id} was already reversed by line {done[0]}")
            self.guard_open(
                original.date, original.funding_year, what=f"the reversal of line {line_id}"
            )
            new_id = self.store.insert("spend", record)
            detail["id"] = new_id
        return self.spend_line(new_id)

    _SPEND_SQL = """SELECT s.*, (SELECT r.id FROM spend r WHERE r.reverses = s.id) AS reversed_by
                    FROM spend s"""

    def spend_line(self, line_id: int) -> SpendLine:
        """One spend line, with its funding year as allocated now.

        Raises:
            NotFound: no such line.
        """
        row = self.store.query_one(f"{self._SPEND_SQL} WHERE s.id = ?", [int(line_id)])
        if row is None:
            raise NotFound("spend line", line_id)
        return self._spend_model(row, Allocator(self.years()))

    def _spend_model(self, r: Any, allocator: Allocator) -> SpendLine:
        day = date.fromisoformat(r["date"])
        return SpendLine(
            id=r["id"],
            date=day,
            amount=from_pence(r["amount_pence"]),
            category=r["category"],
            post=r["post"],
            supplier=r["supplier"],
            description=r["description"],
            reference=r["reference"],
            funding_year=allocator(day, r["funding_year"]),
            explicit_year=r["funding_year"] is not None,
            reverses=r["reverses"],
            reversed_by=r["reversed_by"],
            reason=r["reason"],
            import_batch=r["import_batch"],
            source_line=r["source_line"],
            recorded_at=datetime.fromisoformat(r["recorded_at"]),
            recorded_by=r["recorded_by"],
        )

    def iter_spend(
        self,
        *,
        year: str | None = None,
        financial_year: str | None = None,
        category: str | None = None,
        as_at: DateLike | None = None,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
    ) -> Iterator[SpendLine]:
        """Spend lines in date order, each with its funding year as allocated as at
        ``as_at`` (all variations when None), filtered as asked. Streams from the store."""
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        allocator = Allocator(self.years(cut))
        if year is not None and year not in allocator.by_label:
            self.year(year)  # raises NotFound
        clauses: list[str] = []
        params: list[Any] = []
        if financial_year is not None:
            p = financial_year_period(financial_year)
            clauses.append("s.date BETWEEN ? AND ?")
            params += [p.start.isoformat(), p.end.isoformat()]
        if category is not None:
            clauses.append("s.category = ?")
            params.append(self._check_category(category))
        if cut is not None:
            clauses.append("s.date <= ?")
            params.append(cut.isoformat())
        if from_date is not None:
            clauses.append("s.date >= ?")
            params.append(parse_date(from_date, field="from").isoformat())
        if to_date is not None:
            clauses.append("s.date <= ?")
            params.append(parse_date(to_date, field="to").isoformat())
        if year is not None:
            y = allocator.by_label[year]
            clauses.append(
                "(s.funding_year = ? OR (s.funding_year IS NULL AND s.date BETWEEN ? AND ?))"
            )
            params += [year, y.start.isoformat(), y.end.isoformat()]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        cur = self.store.conn.execute(f"{self._SPEND_SQL} {where} ORDER BY s.date, s.id", params)
        for row in cur:
            line = self._spend_model(row, allocator)
            if year is None or line.funding_year == year:
                yield line

    def spend(self, **filters: Any) -> list[SpendLine]:
        """:meth:`iter_spend` as a list."""
        return list(self.iter_spend(**filters))

    def spend_totals(
        self, as_at: DateLike | None = None, *, by: Sequence[str] = ("category",)
    ) -> dict[tuple[Any, ...], Decimal]:
        """Actual spend grouped by funding year (as allocated as at ``as_at``) and the
        columns in ``by`` (``category``, ``post``, ``date``); one SQL GROUP BY, so it
        stays fast on a large store.

        Returns:
            ``{(funding_year, *by values): amount}``; funding_year is None for spend no
            year covers.
        """
        allowed = {"category", "post", "date"}
        cols = [c for c in by if c in allowed]
        if len(cols) != len(by):
            raise InvalidInput(f"cannot group spend by {by}", field="by")
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        allocator = Allocator(self.years(cut))
        position = {"date": 0, "category": 2, "post": 3}
        out: dict[tuple[Any, ...], int] = defaultdict(int)
        for group in self._spend_groups(cut, by_post="post" in cols):
            label = allocator(group[0], group[1])
            out[(label, *[group[position[c]] for c in cols])] += group[4]
        return {k: from_pence(v) for k, v in out.items()}

    def _spend_groups(
        self, cut: date | None, *, by_post: bool
    ) -> list[tuple[date, str | None, str, str | None, int]]:
        """Spend pence summed by (date, explicit funding year, category[, post]), dated
        on or before ``cut``: one scan of the table, kept while the store is unchanged,
        so a report that needs several views of the spend (a profile, a return) scans
        once. The post is grouped (and returned, else None) only when asked for: the
        finer grouping costs more on a large store.
        """
        conn = self.store.conn
        version = (cut, conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        cached = self._spend_groups_cache
        if cached is not None and cached[0] == version and (cached[1] or not by_post):
            return cached[2]
        where, params = ("WHERE date <= ?", [cut.isoformat()]) if cut else ("", [])
        columns = "date, funding_year, category" + (", post" if by_post else "")
        # NOT INDEXED: walking the date index to save the sort visits the table row by
        # row, three times slower than one scan on a store of a million lines.
        sql = (
            f"SELECT {columns}, sum(amount_pence) FROM spend NOT INDEXED {where} GROUP BY {columns}"
        )
        days: dict[str, date] = {}
        groups: list[tuple[date, str | None, str, str | None, int]] = []
        for row in conn.execute(sql, params):
            day = days.get(row[0])
            if day is None:
                day = days[row[0]] = date.fromisoformat(row[0])
            groups.append((day, row[1], row[2], row[3] if by_post else None, row[-1]))
        self._spend_groups_cache = (version, by_post, groups)
        return groups

    # -------------------------------------------------------------- receipts
    def add_receipt(
        self, day: DateLike, amount: AmountLike, year: str, *, reference: str | None = None
    ) -> Receipt:
        """Record a grant payment received from the funder.

        Raises:
            InvalidInput: bad date or amount.  NotFound: no such funding year.
        """
        d = parse_date(day, field="date")
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("a receipt of 0.00 records nothing", field="amount")
        self.year(year)
        detail: dict[str, Any] = {"date": d.isoformat(), "amount": str(value)}
        with self.store.transaction("receipt.add", year, detail):
            self.guard_open(d, year, what="a receipt")
            new_id = detail["id"] = self.store.insert(
                "receipts",
                {
                    "date": d.isoformat(),
                    "amount_pence": to_pence(value),
                    "funding_year": year,
                    "reference": _text(reference),
                    "recorded_at": utc_now(),
                    "recorded_by": self.store.user,
                },
            )
        return next(r for r in self.receipts() if r.id == new_id)

    def receipts(self, year: str | None = None, as_at: DateLike | None = None) -> list[Receipt]:
        """Receipts (of one year, on or before ``as_at``), in date order."""
        clauses, params = [], []
        if year is not None:
            clauses.append("funding_year = ?")
            params.append(year)
        if as_at is not None:
            clauses.append("date <= ?")
            params.append(parse_date(as_at, field="as-at").isoformat())
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return [
            Receipt(
                id=r["id"],
                date=r["date"],
                amount=from_pence(r["amount_pence"]),
                funding_year=r["funding_year"],
                reference=r["reference"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(f"SELECT * FROM receipts {where} ORDER BY date, id", params)
        ]

    # -------------------------------------------------------------- reports
