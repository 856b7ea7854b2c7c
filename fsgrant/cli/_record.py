"""One record shown as a two-column table (``spend show``, ``grant show``, ``imports
show``), formatted as the lists format it: field names in words (``funding year``),
money in pounds (``-£1,250.00``), dates as ISO, moments recorded to the second in UTC.
CSV keeps the field names and machine values (``-1250.00``); JSON is the caller's, as
the model gives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from fsgrant.cli._common import OutputFormat, emit_rows

__all__ = ["emit_record"]


def _shown(value: Any, is_money: bool) -> Any:
    from fsgrant.cli._words import pounds, when

    if is_money and isinstance(value, Decimal):
        return pounds(value)
    if isinstance(value, datetime):
        return when(value)
    return value


def emit_record(
    fields: Mapping[str, Any],
    fmt: OutputFormat,
    *,
    title: str,
    money: Iterable[str] = (),
) -> None:
    """Print ``fields`` (name -> value, in order) as a field/value table or CSV."""
    if fmt is OutputFormat.table:
        money_fields = set(money)
        rows = [
            {"field": k.replace("_", " "), "value": _shown(v, k in money_fields)}
            for k, v in fields.items()
        ]
    else:
        rows = [{"field": k, "value": v} for k, v in fields.items()]
    emit_rows(rows, ["field", "value"], fmt, title=title)
