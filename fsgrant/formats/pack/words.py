"""How the pack's figures and user text read, the same in HTML and Markdown: money as
pounds (``£1,234.56``, ``-£12.00``), dates as ``31 Mar 2020``, percentages signed, a
condition's check in one line, and user text with control characters and
bidirectional overrides shown as U+FFFD (escaping for HTML or Markdown is the
renderer's job, on top of this)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.money import format_pounds

__all__ = ["check_words", "day", "percent", "pounds", "standing_word", "text"]

# Embeddings, overrides and isolates would reorder the text around them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def text(value: object) -> str:
    """User text as shown: line breaks and tabs as spaces, other control characters
    and bidirectional controls as U+FFFD; None as empty."""
    if value is None:
        return ""
    out = []
    for c in str(value):
        if c in "\t\n\r":
            out.append(" ")
        elif c in _BIDI_CONTROLS or unicodedata.category(c) == "Cc":
            out.append("\ufffd")
        else:
            out.append(c)
    return "".join(out)


def pounds(value: Decimal | None) -> str:
    """``£1,234.56``; empty for None."""
    return "" if value is None else format_pounds(value)


def day(value: date | datetime | None) -> str:
    """``31 Mar 2020`` (a time of day, when there is one, as ``14:05 UTC``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d %b %Y %H:%M} UTC"
    return f"{value:%d %b %Y}"


def percent(value: Decimal | None) -> str:
    """``+12.5%``; ``n/a`` for None (no estimate to compare against)."""
    return "n/a" if value is None else f"{value:+}%"


def standing_word(year: Any) -> str:
    """A funding year's standing in a word or two (``confirmed``, ``in-principle``);
    the detail (``not secure: 1 of 2 conditions met``) goes in a note."""
    return str(year.status)


def check_words(check: Any) -> str:
    """A condition's computed check in one line; empty when it has none."""
    if check is None:
        return ""
    if check.kind == "estimates":
        verdict = "within" if check.within_tolerance else "outside"
        words = (
            f"{check.funding_year}: outturn {pounds(check.forecast_outturn)} against original "
            f"{pounds(check.original_estimate)}, {percent(check.variance_pct)} ({verdict} "
            f"{check.tolerance_pct}%)"
        )
        if check.worst_category is not None:
            worst = next(c for c in check.categories if c.category == check.worst_category)
            words += f"; furthest out: {worst.category} {percent(worst.variance_pct)}"
        return words
    if not check.available:
        return str(check.note)
    funded = "n/a" if check.funded_pct is None else f"{check.funded_pct}%"
    return f"{check.financial_year}: gap {pounds(check.gap)}, {funded} funded"
