"""Each correction since a return was sent, told once and in words (what, how much,
dated when, recorded when and by whom), with the headline figures it moved: what the
Changes since the last return sheet and ``export verify`` show a person (see
:mod:`fsgrant.domain.restatements`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from fsgrant.domain.models import AuditEntry
from fsgrant.domain.money import format_pounds
from fsgrant.domain.restatements import Cause, cut_words, group_by_cause, headline_name
from fsgrant.domain.submissions import Restatement
from fsgrant.domain.time_rule import Action
from fsgrant.services.since_return import record_date
from fsgrant.store.tables import Tables

__all__ = ["causes_of", "record_words"]

NO_RECORD = "No record since explains it (the file may have been edited, or the store replaced)"


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _amount(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        n = Decimal(str(value))
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def _category(tables: Tables, name: object) -> str:
    """A category as a person reads it: its description, else its name."""
    if not name:
        return "Spend"
    described = {c.name: c.description for c in tables.grant.categories()}
    return described.get(str(name)) or str(name)


def _what(tables: Tables, e: AuditEntry, amount: Decimal | None) -> list[str]:
    """The record itself, as a list of phrases (before its amount and dates)."""
    d = e.detail
    money = [] if amount is None else [format_pounds(amount)]
    if e.action in (Action.SPEND_ADD, Action.SPEND_REVERSE):
        line = d.get("id") if e.action == Action.SPEND_ADD else e.subject
        supplier, reference = (None, None)
        if line is not None and str(line).isdigit():
            supplier, reference = tables.spend.supplier_and_reference(int(str(line)))
        head = (
            [f"Reversal of line {e.subject}"]
            if e.action == Action.SPEND_REVERSE
            else [supplier or f"{_category(tables, d.get('category'))}, no supplier named"]
        )
        if e.action == Action.SPEND_REVERSE and supplier:
            head.append(supplier)
        return [*head, *([reference] if reference else []), *money]
    if e.action == Action.SPEND_IMPORT:
        added = d.get("added")
        lines = f"{added} line(s)" if isinstance(added, int) else None
        return [f"Import of {e.subject or 'a ledger extract'}", *([lines] if lines else []), *money]
    if e.action in (Action.RECEIPT_ADD, Action.RECEIPT_REVERSE):
        what = "Receipt from the funder" if e.action == Action.RECEIPT_ADD else "Receipt reversed"
        return [what, *money]
    if e.action == Action.YEAR_VARY:
        kind = d.get("kind")
        return [f"Variation of {e.subject}" + (f" ({kind})" if kind else ""), *money]
    if e.action in (Action.ESTIMATE_SET, Action.ESTIMATE_PHASE):
        what = "Estimate" if e.action == Action.ESTIMATE_SET else "Estimate phased"
        return [f"{what} for {e.subject}", *money]
    if e.action in (Action.POST_ADD, Action.POST_CHANGE, Action.POST_STATUS):
        status = d.get("status")
        names = {"post.add": "New post", "post.change": "Post changed", "post.status": "Post"}
        return [
            f"{names[e.action]} {e.subject}" + (f" {status}" if status else ""),
            *money,
        ]
    subject = f" {e.subject}" if e.subject else ""
    return [f"{e.action}{subject}", *money]


def record_words(tables: Tables, e: AuditEntry) -> tuple[str, Decimal | None, date | None]:
    """A record written after a return was sent, in words, with its own amount and
    the date that decides for it: ``MI Training Ltd, INV-0112, £4,200.00, dated
    20/01/2020, recorded 02/05/2020 by jsmith``."""
    amount = _amount(e.detail.get("amount"))
    dated = record_date(tables, e)
    parts = _what(tables, e, amount)
    if dated is not None:
        parts.append(f"dated {_uk(dated)}")
    parts.append(f"recorded {_uk(e.at.date())} by {e.user}")
    return cut_words(", ".join(p for p in parts if p)), amount, dated


def causes_of(tables: Tables, changes: Iterable[Restatement]) -> list[Cause]:
    """Each correction behind ``changes`` once, oldest first, in words, with how many
    figures it moved and the headline figures among them; last, the figures no
    record explains (if any)."""
    out: list[Cause] = []
    for entry, moved in group_by_cause(changes):
        headline = tuple(n for n in (headline_name(r) for r in moved) if n is not None)
        if entry is None:
            out.append(
                Cause(entry=None, words=NO_RECORD, headline=headline, figures_moved=len(moved))
            )
            continue
        words, amount, dated = record_words(tables, entry)
        out.append(
            Cause(
                entry=entry,
                words=words,
                amount=amount,
                dated=dated,
                headline=headline,
                figures_moved=len(moved),
            )
        )
    return out
