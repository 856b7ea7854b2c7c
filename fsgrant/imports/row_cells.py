"""The cells of an extract's row, as text, and the draft spend line read from them:
the JSON array an imported line keeps of the cells, a cell cleaned as every reader of
a row reads it, and a description template filled in from them."""

from __future__ import annotations

import json.encoder
import re
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from fsgrant.imports.mapping import template_fields

__all__ = [
    "Draft",
    "cells_json",
    "cells_json_parts",
    "clean_cell",
    "compile_template",
    "render_template",
]


class Draft(NamedTuple):
    """One row read into a spend line, not yet deduplicated or stored."""

    line: int
    date: str
    pence: int
    category: str
    post: str | None
    supplier: str | None
    description: str | None
    reference: str | None
    year: str | None
    key: str | bytes
    """The reference key (text, the whole key), or the digest of the line's fields
    (bytes) to which the occurrence number of that identical line within the file is
    added (see :mod:`fsgrant.domain.dedupe_keys`)."""
    snapped: bool
    source_fields: str
    """The whole source row, as a JSON array of its cells (see :func:`fsgrant.domain.text.source_fields_of`)."""
    earlier_key: str | None = None
    """For a hash key, when the store holds keys of fsgrant 0.1: that version's base
    (``hash:<sha256 hex>``), to which the same occurrence number is added."""


def _cells_json_parts() -> Callable[[Sequence[str], int], Any] | None:
    """Python's C JSON encoder, made once for a row's cells: ``"".join(parts(cells, 0))``
    is what ``json.dumps(list(cells), ensure_ascii=False, separators=(",", ":"))``
    gives (in half the time of encoding each cell and joining); None where this
    Python has no such encoder, or it does not give exactly that JSON."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return None
    try:
        parts = make(None, None, encode_basestring, None, ":", ",", False, False, False)
        sample = ["", 'a "b" \\ \u00e9 \u2028 \x00', "\ud800"]
        if "".join(parts(sample, 0)) != _cells_one_by_one(sample):  # pragma: no cover
            return None
    except (TypeError, ValueError):  # pragma: no cover - another signature
        return None
    return parts  # type: ignore[no-any-return]


def _cells_one_by_one(cells: Sequence[str]) -> str:
    return "[" + ",".join(map(encode_basestring, cells)) + "]"


cells_json_parts = _cells_json_parts()
"""The C encoder of a row's cells (see :func:`_cells_json_parts`), or None."""


def cells_json(cells: Sequence[str]) -> str:
    """A row's cells as the JSON array an imported line keeps: what
    ``json.dumps(list(cells), ensure_ascii=False, separators=(",", ":"))`` gives."""
    if cells_json_parts is None:  # pragma: no cover - CPython has it
        return _cells_one_by_one(cells)
    return "".join(cells_json_parts(cells, 0))


def clean_cell(text: str) -> str | None:
    """A cell's text, trimmed, inner runs of white space made one space; None if empty."""
    value = text.strip()
    if "  " in value or "\t" in value or "\n" in value or "\r" in value:
        value = " ".join(value.split())
    return value or None


def compile_template(template: str, find: Callable[[str], int]) -> list[tuple[str, int | None]]:
    """A description template as (literal text, column index or None) parts."""
    parts: list[tuple[str, int | None]] = []
    names = iter(template_fields(template))
    pos = 0
    for m in re.finditer(r"\{\{|\}\}|\{[^{}]*\}", template):
        parts.append((template[pos : m.start()], None))
        token = m.group(0)
        if token in ("{{", "}}"):
            parts.append((token[0], None))
        else:
            parts.append(("", find(next(names))))
        pos = m.end()
    parts.append((template[pos:], None))
    return [p for p in parts if p[0] or p[1] is not None]


def render_template(parts: list[tuple[str, int | None]], cells: Sequence[str]) -> str | None:
    """A description from a template: the cells' text is data, inserted as it is."""
    out = []
    for text, index in parts:
        if index is None:
            out.append(text)
        elif index < len(cells):
            out.append(cells[index])
    return clean_cell("".join(out))
