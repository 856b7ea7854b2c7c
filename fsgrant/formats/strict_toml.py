"""Reading the TOML files a user writes (a ledger folder's ``grant.toml``, an
extract's mapping) strictly: a mistyped key is refused, never silently ignored.

One reader for both: :func:`loads` turns TOML syntax errors into a
:class:`~fsgrant.errors.SourceError` naming the file and line; :func:`check_keys`
holds a document to the keys each of its tables may have; :func:`unknown_key` is the
one message for a key that is not one of them: the file, the line, the table and the
key, with the nearest known key suggested (``end_date`` -> ``end``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from fsgrant.errors import SourceError

__all__ = ["TableKeys", "check_keys", "line_of", "loads", "unknown_key", "unknown_key_reason"]


class TableKeys:
    """The keys a TOML table may hold: plain keys, sub-tables (``tables``) and arrays
    of tables (``arrays``), each a :class:`TableKeys` of its own. ``hints`` names the
    key meant by a likely slip that difflib would not find (``award`` for ``amount``).
    """

    def __init__(
        self,
        keys: Sequence[str] = (),
        *,
        tables: Mapping[str, TableKeys] | None = None,
        arrays: Mapping[str, TableKeys] | None = None,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        self.keys = tuple(keys)
        self.tables = dict(tables or {})
        self.arrays = dict(arrays or {})
        self.hints = dict(hints or {})

    def known(self) -> list[str]:
        return [*self.keys, *self.tables, *self.arrays]


def loads(text: str, source: str) -> dict[str, Any]:
    """The TOML document in ``text``.

    Raises:
        SourceError: not valid TOML (naming ``source`` and the line).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends "(at line 3, column 7)": name the line as ours do.
        m = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = int(m.group(1)) if m else None
        reason = str(exc)[: m.start()].strip() if m else str(exc)
        raise SourceError(source, line, None, f"not valid TOML ({reason})") from None


def unknown_key_reason(
    key: str, known: Sequence[str], table: str, hints: Mapping[str, str] | None = None
) -> str:
    """Why ``key`` is refused in ``table``: with the nearest of ``known`` suggested."""
    near = (hints or {}).get(key)
    if near is None or near not in known:
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
        near = close[0] if close else None
    reason = f"unknown key '{key}' in {table}"
    if near is not None:
        reason += f" (did you mean '{near}'?)"
    if known:
        reason += f"; expected one of: {', '.join(known)}"
    return reason


def unknown_key(
    source: str,
    text: str,
    loc: Sequence[str | int],
    known: Sequence[str],
    table: str,
    hints: Mapping[str, str] | None = None,
) -> SourceError:
    """The error for the key at ``loc`` (its path, array indexes included) that is
    not one of ``known``."""
    key = str(loc[-1])
    field = ".".join(str(x) for x in loc if not isinstance(x, int))
    return SourceError(
        source, line_of(text, loc), field, unknown_key_reason(key, known, table, hints)
    )


def check_keys(data: Mapping[str, Any], schema: TableKeys, *, source: str, text: str) -> None:
    """Refuse any key of ``data`` (a TOML document) that ``schema`` does not allow.

    Raises:
        SourceError: the first unknown key, in the file's order of tables.
    """
    _check(data, schema, (), "the top level", source, text)


def _check(
    data: Mapping[str, Any],
    schema: TableKeys,
    loc: tuple[str | int, ...],
    table: str,
    source: str,
    text: str,
) -> None:
    known = schema.known()
    for key, value in data.items():
        here = (*loc, key)
        if key not in known:
            raise unknown_key(source, text, here, known, table, schema.hints)
        if key in schema.tables and isinstance(value, Mapping):
            _check(value, schema.tables[key], here, f"[{_dotted(here)}]", source, text)
        elif key in schema.arrays and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    name = f"[[{_dotted(here)}]] #{i + 1}"
                    _check(item, schema.arrays[key], (*here, i), name, source, text)


def _dotted(loc: Sequence[str | int]) -> str:
    return ".".join(str(x) for x in loc if not isinstance(x, int))


def line_of(text: str, loc: Sequence[Any]) -> int | None:
    """The line of TOML ``text`` where the key at ``loc`` is (else its table's line).

    ``loc`` is a path of keys; an integer after a key is an index into an array of
    tables (``("variation", 1, "award")``: ``award`` in the second ``[[variation]]``).
    """
    keys: list[str] = []
    index: dict[int, int] = {}  # depth -> which occurrence of the section
    for part in loc:
        if isinstance(part, int) or str(part).isdigit():
            if keys:
                index[len(keys)] = int(part)
        else:
            keys.append(str(part))
    if not keys:
        return None
    lines = text.splitlines()
    # The deepest section header on the path, then the key after it.
    start, found = 0, None
    for depth in range(len(keys), 0, -1):
        section = re.compile(
            r"\s*\[\[?\s*" + r"\s*\.\s*".join(map(re.escape, keys[:depth])) + r"\s*\]"
        )
        wanted = index.get(depth, 0)
        seen = 0
        for n, line in enumerate(lines):
            if section.match(line):
                if seen == wanted:
                    start, found = n, n + 1
                    break
                seen += 1
        if found:
            break
    key = re.compile(r'\s*["\']?' + re.escape(keys[-1]) + r'["\']?\s*=')
    for n in range(start, len(lines)):
        if n > start and lines[n].lstrip().startswith("[") and found:
            break
        if key.match(lines[n]):
            return n + 1
    return found
