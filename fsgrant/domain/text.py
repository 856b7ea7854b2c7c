"""How text typed by a user is read: trimmed, empty meaning absent, choices checked.

One rule for every use case: surrounding white space is not part of a value, and
text that is only white space is no value at all. A column's header name in a file is
matched ignoring case and how white space is laid out (:func:`header_key`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fsgrant.errors import InvalidInput

__all__ = [
    "choice",
    "clean_text",
    "header_key",
    "org_id",
    "required_text",
    "source_field_names",
    "source_fields_of",
]


def clean_text(value: str | None) -> str | None:
    """The text trimmed; None for None or text that is only white space."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def header_key(text: str) -> str:
    """A header name as it is matched: case folded, white space trimmed and each run
    of it read as one space (``"  Cost\tCentre "`` matches ``"cost centre"``)."""
    return " ".join(text.split()).casefold()


def required_text(value: str | None, field: str) -> str:
    """The text trimmed.

    Raises:
        InvalidInput: it is missing or only white space (naming ``field``).
    """
    text = clean_text(value)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return text


_ORG_ID = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", re.ASCII)


def org_id(value: str | None, field: str) -> str | None:
    """An organisation's id (org-id.guide, as 360Giving uses: ``GB-LAE-CAM``), trimmed;
    None for None or empty text (no id).

    Raises:
        InvalidInput: anything but ASCII letters and digits in hyphen-separated parts
            (a line break, ``=cmd``, a space), or over 100 characters.
    """
    text = clean_text(value)
    if text is not None and (len(text) > 100 or not _ORG_ID.fullmatch(text)):
        raise InvalidInput(
            f"{field} '{text[:100]}' is not an org id like GB-LAE-CAM: letters, digits and "
            "hyphens only",
            field=field,
            value=value,
        )
    return text


def choice(value: str, choices: tuple[str, ...], field: str) -> str:
    """``value`` trimmed and lower-cased, if it is one of ``choices``.

    Raises:
        InvalidInput: it is not one of them (naming ``field`` and the choices).
    """
    v = value.strip().lower()
    if v not in choices:
        raise InvalidInput(
            f"{field} '{value}' is not one of: {', '.join(choices)}", field=field, value=value
        )
    return v


def source_field_names(header: Sequence[str]) -> list[str]:
    """The keys a row's source fields are stored under: the header names, with an empty
    one as ``column N`` and a repeated one as ``NAME (2)``, so no cell is lost."""
    names: list[str] = []
    seen: set[str] = set()
    for n, h in enumerate(header, start=1):
        name = h.strip() or f"column {n}"
        base, k = name, 1
        while name in seen:
            k += 1
            name = f"{base} ({k})"
        seen.add(name)
        names.append(name)
    return names


def source_fields_of(cells: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """A source row stored as its cells, keyed by the names of its batch
    (:func:`source_field_names` of the header): a cell past the header goes under
    ``column N``, as it would have gone in the header."""
    if len(cells) > len(names):
        names = source_field_names([*names, *[""] * (len(cells) - len(names))])
    return dict(zip(names, cells, strict=False))
