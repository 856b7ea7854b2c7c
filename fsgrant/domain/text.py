"""How text typed by a user is read: trimmed, empty meaning absent, choices checked.

One rule for every use case: surrounding white space is not part of a value, and
text that is only white space is no value at all.
"""

from __future__ import annotations

from fsgrant.errors import InvalidInput

__all__ = ["choice", "clean_text", "required_text"]


def clean_text(value: str | None) -> str | None:
    """The text trimmed; None for None or text that is only white space."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def required_text(value: str | None, field: str) -> str:
    """The text trimmed.

    Raises:
        InvalidInput: it is missing or only white space (naming ``field``).
    """
    text = clean_text(value)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", field=field)
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
