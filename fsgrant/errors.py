"""The exceptions fsgrant raises.

Every error a user or a calling program can cause is an :class:`FsgrantError`, so
callers need catch only one class. Each carries the context needed to say what went
wrong without a traceback::

    FsgrantError
    ├── InvalidInput            bad text, a bad value or an impossible request
    │   ├── InvalidAmount       money text that is not an exact amount in pounds and pence
    │   ├── InvalidDate         a date that is not ISO or UK day-first
    │   └── SourceError         a bad row or cell in a file (names file, line, field)
    ├── NotFound                a funding year, spend line, post... that does not exist
    ├── Conflict                the request contradicts what is stored (a duplicate label,
    │   │                       a second reversal, a date outside every funding period)
    │   └── PeriodClosed        the date falls in a closed (submitted) period
    └── StoreError              the file is not an fsgrant store, is from a newer version,
                                is read-only, or is where SQLite cannot keep it safe

The command line maps :class:`InvalidInput` to exit code 2 and every other
:class:`FsgrantError` to exit code 1.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Conflict",
    "FsgrantError",
    "InvalidAmount",
    "InvalidDate",
    "InvalidInput",
    "NotFound",
    "PeriodClosed",
    "SourceError",
    "StoreError",
]


def one_line(text: str) -> str:
    """``text`` with control characters (newlines, escape sequences) shown escaped, so
    hostile input echoed in a message cannot break it over lines or drive a terminal."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


class FsgrantError(Exception):
    """Root of every error fsgrant raises on purpose.

    Attributes:
        message: one line for a person: control characters of text it quotes (a
            newline or escape sequence in a bad cell) are shown escaped (``\\n``).
        code: a stable short code that programs and tests can match.
    """

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole, so a program running fsgrant in worker processes gets its
        # errors back: the class, message and attributes, whatever the constructor takes.
        return (_restored, (type(self), self.args, self.__dict__))


def _restored(cls: type[FsgrantError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error as :meth:`FsgrantError.__reduce__` pickled it."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidInput(FsgrantError):
    """A value given by a user or a program is not acceptable.

    Attributes:
        field: the name of the field or option at fault, when known.
        value: the offending text or value, when known.
    """

    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: object = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.value = value


class InvalidAmount(InvalidInput):
    """Money text that fsgrant will not read (sub-penny, exponent, NaN, float...)."""

    code = "invalid_amount"


class InvalidDate(InvalidInput):
    """A date that is neither ISO ``2020-02-04`` nor UK day-first ``04/02/2020``."""

    code = "invalid_date"


class SourceError(InvalidInput):
    """A bad value in a file: names the file, the line and the field.

    Attributes:
        source: the file name.
        line: the 1-based line (CSV) or row (XLSX) number.
        field: the column name.
        reason: what was wrong, without the location.
    """

    code = "bad_source"

    def __init__(
        self,
        source: str,
        line: int | None,
        field: str | None,
        reason: str,
        *,
        value: object = None,
        code: str | None = None,
    ) -> None:
        where = source
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {reason}", field=field, value=value, code=code)
        self.source = source
        self.line = line
        self.reason = one_line(reason)


class NotFound(FsgrantError):
    """Something named does not exist in the store.

    Attributes:
        kind: what was looked for (``"funding year"``, ``"spend line"``, ``"post"``).
        key: the name or id given.
    """

    code = "not_found"

    def __init__(self, kind: str, key: object, hint: str = "") -> None:
        message = f"no {kind} {key!s}" + (f": {hint}" if hint else "")
        super().__init__(message)
        self.kind = kind
        self.key = key


class Conflict(FsgrantError):
    """The request contradicts what is already stored."""

    code = "conflict"


class PeriodClosed(Conflict):
    """The date falls on or before the closed-through date of a funding year.

    Attributes:
        funding_year: the label of the closed funding year.
        through: the closed-through date.
        reference: the closure's reference (for example the return it was submitted with).
    """

    code = "period_closed"

    def __init__(self, message: str, *, funding_year: str, through: object, reference: str) -> None:
        super().__init__(message)
        self.funding_year = funding_year
        self.through = through
        self.reference = reference


class StoreError(FsgrantError):
    """The file cannot be used as an fsgrant store."""

    code = "store"
