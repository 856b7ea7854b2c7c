"""The types of the values a program passes to the library, checked at the boundary.

Python does not check annotations, and SQLite takes ``True`` for 1 and a float for the
whole number under it; a huge int overflows its 64-bit integers. So every public
method of a service (and :func:`fsgrant.open`) checks its arguments against its own
annotations before it runs, through :func:`checked`:

* ``int``: a whole number, never a bool or a float, within SQLite's 64-bit range;
* ``str``: text; ``bool``: ``True`` or ``False``;
* ``str | os.PathLike[str]``: a path as text or a path object;
* ``Sequence[str]``: a list or tuple of texts (never one text, read letter by letter);
* ``date`` and ``tuple[date, date]``: a date object, a pair of them;
* ``X | None`` as ``X`` or ``None``.

Other annotations (dates, amounts, mappings) are left to the rules that read them,
which already refuse what they cannot read. A wrong value raises
:class:`~fsgrant.errors.InvalidInput` naming the parameter; never a bare
``TypeError`` or ``OverflowError``.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from fsgrant.errors import InvalidDate, InvalidInput

if TYPE_CHECKING:
    from datetime import date

    from fsgrant.domain.periods import DateLike

__all__ = ["ID_MAX", "checked", "date_range", "require_id", "require_text"]

ID_MAX = 2**63 - 1
"""The largest integer SQLite stores (a record id, a batch or return number)."""

T = TypeVar("T")


def _kind(value: object) -> str:
    return "None" if value is None else type(value).__name__


def require_id(value: object, field: str) -> int:
    """``value`` if it is a whole number SQLite can hold (ids, counts).

    Raises:
        InvalidInput: a bool, a float, text or any other type, or a number beyond
            SQLite's 64-bit range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"{field} must be a whole number, not {_kind(value)}", field=field, value=value
        )
    if not -ID_MAX - 1 <= value <= ID_MAX:
        raise InvalidInput(
            f"{field} {value} is out of range: the largest is {ID_MAX}", field=field, value=value
        )
    return value


def require_text(value: object, field: str, *, optional: bool = False) -> str | None:
    """``value`` if it is text (or ``None`` when ``optional``).

    Raises:
        InvalidInput: any other type.
    """
    if isinstance(value, str) or (optional and value is None):
        return value
    raise InvalidInput(f"{field} must be text, not {_kind(value)}", field=field, value=value)


def _require_bool(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(
            f"{field} must be True or False, not {_kind(value)}", field=field, value=value
        )


def _require_path(value: object, field: str) -> None:
    if not isinstance(value, str | os.PathLike):
        raise InvalidInput(
            f"{field} must be a path (text or a Path), not {_kind(value)}",
            field=field,
            value=value,
        )


def _require_texts(value: object, field: str) -> None:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInput(
            f"{field} must be a list of texts, not {_kind(value)}", field=field, value=value
        )
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput(
                f"{field} must hold texts only, not {_kind(item)}", field=field, value=item
            )


def _require_day(value: object, field: str) -> None:
    from datetime import date

    if not isinstance(value, date):
        raise InvalidInput(f"{field} must be a date, not {_kind(value)}", field=field, value=value)


def _require_days(value: object, field: str) -> None:
    if not isinstance(value, tuple) or len(value) != 2:
        raise InvalidInput(
            f"{field} must be a pair of dates (first, last), not {_kind(value)}",
            field=field,
            value=value,
        )
    for day in value:
        _require_day(day, field)


_CHECKS: dict[str, Callable[[object, str], object]] = {
    "int": require_id,
    "str": require_text,
    "bool": _require_bool,
    "str | os.PathLike[str]": _require_path,
    "os.PathLike[str] | str": _require_path,
    "str | PathLike[str]": _require_path,
    "PathLike[str] | str": _require_path,
    "Sequence[str]": _require_texts,
    "date": _require_day,
    "tuple[date, date]": _require_days,
}


def _check_for(annotation: object) -> tuple[Callable[[object, str], object], bool] | None:
    """The check an annotation (as written, a string) asks for, and whether it allows
    ``None``; ``None`` when it asks for none."""
    if not isinstance(annotation, str):
        return None
    text = annotation.replace(" ", "")
    optional = False
    for none in ("|None", "None|"):
        if none in text:
            text = text.replace(none, "")
            optional = True
    text = text.replace("|", " | ")
    check = _CHECKS.get(text)
    return None if check is None else (check, optional)


def _checked_function(fn: Callable[..., T]) -> Callable[..., T]:
    signature = inspect.signature(fn)
    checks = {
        name: found
        for name, p in signature.parameters.items()
        if name not in ("self", "cls") and (found := _check_for(p.annotation)) is not None
    }
    if not checks:
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise InvalidInput(f"{fn.__name__}(): {exc}") from None
        for name, value in bound.arguments.items():
            found = checks.get(name)
            if found is None:
                continue
            check, optional = found
            if value is None and optional:
                continue
            check(value, name)
        return fn(*args, **kwargs)

    return wrapper


def checked(target: T) -> T:
    """Check the arguments of a function, or of every public method of a class,
    against their annotations (see the module's docstring).

    Used as a decorator on a service class: ``@checked`` above ``class SpendService``.
    """
    if inspect.isclass(target):
        for name, member in list(vars(target).items()):
            if name.startswith("_") or not inspect.isfunction(member):
                continue
            setattr(target, name, _checked_function(member))
        return target
    return _checked_function(target)  # type: ignore[arg-type,return-value]


def date_range(
    from_date: DateLike | None, to_date: DateLike | None
) -> tuple[date | None, date | None]:
    """The dates of a ``from_date``..``to_date`` filter, either open (None).

    Raises:
        InvalidDate: a bad date, or ``to_date`` before ``from_date`` (a range that
            holds nothing would report 0.00 as if there were no spend).
    """
    from fsgrant.domain.periods import parse_date

    start = parse_date(from_date, field="from") if from_date is not None else None
    end = parse_date(to_date, field="to") if to_date is not None else None
    if start is not None and end is not None and end < start:
        raise InvalidDate(
            f"to_date {end.isoformat()} is before from_date {start.isoformat()}: "
            "the range holds no day",
            field="to",
            value=str(to_date),
        )
    return start, end
