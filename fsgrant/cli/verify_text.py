"""What ``export verify`` prints for a person: a screen, not an audit dump.

The verdict on one line; then each correction once, one line each, with its effect
on the headline figures; the headline figures restated (submitted, now, change); the
changes of estimate since; and how to see every figure. ``--detail`` adds every
figure moved, cell by cell, with the records that moved it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from fsgrant.domain.money import format_pounds
from fsgrant.domain.restatements import Cause, HeadlineFigure, signed_pounds
from fsgrant.domain.submissions import ReturnCheck

__all__ = ["MAX_LISTED", "verify_lines"]

MAX_LISTED = 10
"""Corrections (and changes of estimate) listed before the rest is counted."""


def _shown(text: str | None) -> str:
    if text is None:
        return "nothing"
    try:
        n = Decimal(text)
    except InvalidOperation:
        return text
    return format_pounds(n) if "." in text and n.as_tuple().exponent == -2 else text


# The headline figure a record's own amount moves by exactly that amount.
_OWN_FIGURE = {
    "spend.add": "Actual spend to date",
    "spend.reverse": "Actual spend to date",
    "receipt.add": "Received from funder",
    "receipt.reverse": "Received from funder",
}


def _effect(cause: Cause, headline: dict[str, HeadlineFigure]) -> str:
    """``Actual spend to date +£4,200.00, 2 more headline figure(s), 61 figure(s) in
    all``: the record's own effect where its amount says it, else the figure's change
    (with others, when other corrections moved it too)."""
    parts: list[str] = []
    own = _OWN_FIGURE.get(cause.entry.action) if cause.entry is not None else None
    shown = 0
    if own is not None and own in cause.headline and cause.amount is not None:
        parts.append(f"{own} {signed_pounds(cause.amount)}")
        shown = 1
    elif cause.headline:
        name = cause.headline[0]
        h = headline.get(name)
        if h is not None:
            moved = name if h.change is None else f"{name} {signed_pounds(h.change)}"
            parts.append(moved + (" (with others)" if h.causes > 1 else ""))
            shown = 1
    more = len(cause.headline) - shown
    if more > 0:
        parts.append(f"{more} more headline figure(s)")
    parts.append(f"{cause.figures_moved} figure(s) in all")
    return ", ".join(parts)


def verify_lines(check: ReturnCheck, *, detail: bool = False) -> Iterator[str]:
    """The lines ``export verify`` prints (without ``--format``)."""
    yield check.summary
    headline = {h.figure: h for h in check.headline}
    if check.causes:
        yield "Corrections since (each once, with its effect):"
        for cause in check.causes[:MAX_LISTED]:
            yield f"  {cause.words}: {_effect(cause, headline)}"
        if len(check.causes) > MAX_LISTED:
            yield f"  and {len(check.causes) - MAX_LISTED} more correction(s)"
    if check.headline:
        yield "Headline figures restated (submitted -> now):"
        for h in check.headline:
            change = "" if h.change is None else f" ({signed_pounds(h.change)})"
            yield f"  {h.figure}: {_shown(h.submitted)} -> {_shown(h.now)}{change}"
    if check.edited:
        yield "Cells that differ from the return as written:"
        for cell in check.edited[:MAX_LISTED]:
            yield f"  {cell}"
    if check.changes_of_estimate_words:
        yield "Changes of estimate since (they move later returns, not this one):"
        words = check.changes_of_estimate_words
        for w in words[:MAX_LISTED]:
            yield f"  {w}"
        if len(words) > MAX_LISTED:
            yield f"  and {len(words) - MAX_LISTED} more"
    if not check.changes:
        return
    if not detail:
        yield "Every figure moved, cell by cell: add --detail (or --format json)."
        return
    from fsgrant.errors import one_line

    yield "Every figure moved (sheet / row / column: submitted -> now):"
    for c in check.changes:
        was = "nothing" if c.submitted is None else c.submitted
        now = "nothing" if c.now is None else c.now
        yield one_line(f"  {c.sheet} / {c.row} / {c.column}: {was} -> {now}")
        for e in c.because:
            what = f"{e.action} {e.subject}" if e.subject else e.action
            yield "      because " + one_line(
                f"{what} (entry {e.id}, by {e.user} at {e.at:%Y-%m-%d %H:%M:%S})"
            )
