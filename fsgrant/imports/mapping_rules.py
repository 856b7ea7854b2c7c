"""A mapping's filters and rules: which rows of an extract an import keeps
(``[filter]``, ``[[filter.where]]``, ``--where``) and the ``[[categories.rules]]`` and
``[[posts.rules]]`` that give a row its category or post, with how their values are
compared with a cell (:func:`normalise_value`). The whole mapping is
:mod:`fsgrant.imports.mapping`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.errors import InvalidInput

__all__ = [
    "CodeMaps",
    "ColumnFilter",
    "Condition",
    "FilterRules",
    "MappingSection",
    "Rule",
    "normalise_value",
    "where_filters",
]


# ---------------------------------------------------------------------- comparing values
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the curly apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent, typed for an apostrophe
        "\u0060": "'",  # grave accent, likewise
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
    }
)


def normalise_value(text: str, *, case_insensitive: bool = False) -> str:
    """A cell or filter value as compared: NFKC (which makes a non-breaking space a
    space), typographic apostrophes, quotes and dashes as their ASCII forms, trimmed,
    inner white space one space; case-folded when ``case_insensitive``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    value = " ".join(text.split())
    return value.casefold() if case_insensitive else value


# ---------------------------------------------------------------------- filters and rules
def _texts(value: object) -> object:
    """TOML may give numbers for codes (``cost_centres = [4410]``): read them as text."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value).strip()
    if isinstance(value, list | tuple):
        return [str(v).strip() if isinstance(v, int | str) else v for v in value]
    if isinstance(value, dict):
        return {
            str(k).strip(): str(v).strip() if isinstance(v, int | str) else v
            for k, v in value.items()
        }
    return value


# The base of every section of a mapping file (here and in fsgrant.imports.mapping):
# frozen, and an unknown key is refused.
class MappingSection(BaseModel):
    model_config = RECORD_CONFIG


class ColumnFilter(MappingSection):
    """Keep a row only if its ``column`` is one of ``include`` (when given) and none of
    ``exclude``."""

    column: str = Field(min_length=1)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    case_insensitive: bool = False

    @field_validator("include", "exclude", mode="before")
    @classmethod
    def _values(cls, v: object) -> object:
        return [v] if isinstance(v, str) else _texts(v)

    @model_validator(mode="after")
    def _something(self) -> ColumnFilter:
        if not self.include and not self.exclude:
            raise ValueError("a filter needs 'include' or 'exclude' (a list of values)")
        return self

    def label(self) -> str:
        """How the import's counts name what this filter skipped."""
        parts = []
        if self.include:
            parts.append(f"{self.column} not in [{', '.join(self.include)}]")
        if self.exclude:
            parts.append(f"{self.column} in [{', '.join(self.exclude)}]")
        return " or ".join(parts)


class FilterRules(MappingSection):
    cost_centres: tuple[str, ...] = ()
    where: tuple[ColumnFilter, ...] = ()

    @field_validator("cost_centres", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        return _texts(v)


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def nested_quantifier(pattern: str) -> bool:
    """Whether the regular expression repeats (``+``, ``*``, ``{2,}``) something that
    itself holds a repeat, ``(a+)+``, ``(\\w*x?)*``, or two alike alternatives,
    ``(a|a)+``. Such patterns backtrack exponentially on a long cell that nearly
    matches; a mapping refuses them.
    """
    import importlib

    sre_parse: Any = importlib.import_module("re._parser")  # the stdlib's own parser

    def children(av: object) -> Iterator[Any]:
        if isinstance(av, sre_parse.SubPattern):
            yield av
        elif isinstance(av, tuple | list):
            for x in av:
                yield from children(x)

    def nested(items: Any, inside: bool) -> bool:
        for op, av in items:
            repeats = str(op) in _REPEATS and av[1] > 1
            if repeats and inside:
                return True
            if inside and str(op) == "BRANCH":
                # Two alternatives alike (the parser takes out a common start, so
                # (a|a)+ is a(|)+): each repetition may take either, 2**n ways.
                alternatives = [repr(list(alt)) for alt in av[1]]
                if len(set(alternatives)) < len(alternatives):
                    return True
            if any(nested(sub, inside or repeats) for sub in children(av)):
                return True
        return False

    return nested(sre_parse.parse(pattern), False)


class Condition(MappingSection):
    """One test of one column: exactly one of ``equals``, ``starts_with``, ``matches``
    (a regular expression the whole value must match) or ``one_of``."""

    column: str = Field(min_length=1)
    equals: str | None = None
    starts_with: str | None = None
    matches: str | None = None
    one_of: tuple[str, ...] = ()
    case_insensitive: bool = False

    @field_validator("equals", "starts_with", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return _texts(v)

    @field_validator("one_of", mode="before")
    @classmethod
    def _list(cls, v: object) -> object:
        return [v] if isinstance(v, str) else _texts(v)

    @field_validator("matches")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            import regex

            try:
                re.compile(v)
                regex.compile(v)  # the engine the import runs it on (with a time bound)
            except (re.error, regex.error) as exc:
                raise ValueError(f"not a regular expression ({exc})") from None
            if nested_quantifier(v):
                raise ValueError(
                    f"'{v}' repeats what can match the same text in many ways (a "
                    "quantifier inside a quantifier, like (a+)+, or one alternative "
                    "twice, like (a|a)+): on a cell that almost matches it can take "
                    "minutes (catastrophic backtracking); write it without, like a+"
                )
        return v

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [
            k
            for k in ("equals", "starts_with", "matches", "one_of")
            if getattr(self, k) not in (None, ())
        ]
        if len(given) != 1:
            raise ValueError(
                "a rule tests its column with exactly one of equals, starts_with, matches "
                f"or one_of (got {', '.join(given) or 'none'})"
            )
        return self

    def label(self) -> str:
        if self.equals is not None:
            return f"{self.column} = {self.equals!r}"
        if self.starts_with is not None:
            return f"{self.column} starts with {self.starts_with!r}"
        if self.matches is not None:
            return f"{self.column} matches {self.matches!r}"
        return f"{self.column} one of [{', '.join(self.one_of)}]"


class Rule(Condition):
    """A condition (and optionally ``also`` a second one) giving a category or a post."""

    also: Condition | None = None
    category: str | None = None
    post: str | None = None

    def label(self) -> str:
        first = super().label()
        return first if self.also is None else f"{first} and {self.also.label()}"

    def columns(self) -> list[str]:
        return [self.column] + ([self.also.column] if self.also else [])


class CodeMaps(MappingSection):
    default: str | None = None
    rules: tuple[Rule, ...] = ()
    expense_code: dict[str, str] = Field(default_factory=dict)
    cost_centre: dict[str, str] = Field(default_factory=dict)

    @field_validator("expense_code", "cost_centre", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        return _texts(v)


def where_filters(texts: list[str] | tuple[str, ...]) -> list[ColumnFilter]:
    """Filters from ``COLUMN=VALUE`` (keep), ``COLUMN!=VALUE`` (drop) texts; several
    values separated by ``|``; ``~=`` and ``!~=`` compare ignoring case.

    Raises:
        InvalidInput: a text without ``=`` or with an empty column or value.
    """
    out = []
    for text in texts:
        m = re.fullmatch(r"\s*([^=!~]+?)\s*(!~=|~=|!=|=)(.*)", text, re.DOTALL)
        values = [v.strip() for v in m.group(3).split("|")] if m else []
        if m is None or not all(values):
            raise InvalidInput(
                f"--where '{text}': expected COLUMN=VALUE (or COLUMN!=VALUE; several values "
                "as A|B)",
                field="where",
                value=text,
            )
        column, op = m.group(1), m.group(2)
        key = "exclude" if op.startswith("!") else "include"
        out.append(
            ColumnFilter.model_validate(
                {"column": column, key: values, "case_insensitive": "~" in op}
            )
        )
    return out
