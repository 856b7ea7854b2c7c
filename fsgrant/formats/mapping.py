"""How a finance-system extract maps onto spend lines: the TOML mapping.

A mapping file (see the README for a full example)::

    [source]
    name = "agresso"            # namespaces transaction references (default: file stem)
    sheet = "Ledger"            # XLSX: default the first sheet
    date_format = "day-first"   # ISO or 04/02/2020 (day first); or a strftime format
    # encoding = "cp1252"       # CSV: default found from the bytes (UTF-8, else Windows-1252)
    # header_row = 3            # default: the first row naming every mapped column

    [columns]                   # header names in the extract
    date = "Posting Date"
    amount = "Amount"           # or: debit = "Debit" and credit = "Credit"
    reference = "Transaction Number"   # or a list of columns that together are unique
    supplier = "Supplier Name"
    description = "Description"
    cost_centre = "Cost Centre"
    expense_code = "Expense Code"

    [filter]
    cost_centres = ["FS100", "FS110"]  # rows for other cost centres are skipped and counted

    [categories]
    default = "other"           # optional: without it an unmapped row is an error
    [categories.expense_code]
    "5100" = "staffing"
    [categories.cost_centre]
    "FS110" = "training"

    [posts.cost_centre]         # optional: charge rows to posts
    "FS120" = "DA-01"

    [dedupe]
    by = "reference"            # default when a reference column is named; else "hash"

A row's category is, in order: the ``category`` column when mapped and not empty,
the expense code's entry, the cost centre's entry, the default. Its post likewise
(``post`` column, expense code, cost centre, none).

Reading one row by a mapping is :mod:`fsgrant.formats.rows`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fsgrant.errors import InvalidInput, SourceError

__all__ = ["DEFAULT_MAPPING", "ExtractMapping", "load_mapping", "parse_mapping"]


# ---------------------------------------------------------------------- the mapping model
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


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceOptions(_Section):
    name: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    date_format: str = "day-first"

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = {"tab": "\t", "\\t": "\t", "comma": ","}.get(v, v)
        if len(v) != 1:
            raise ValueError("delimiter is one character, or 'tab'")
        return v


class Columns(_Section):
    date: str
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    supplier: str | None = None
    description: str | None = None
    reference: tuple[str, ...] = ()
    cost_centre: str | None = None
    expense_code: str | None = None
    category: str | None = None
    post: str | None = None
    year: str | None = None

    @field_validator("reference", mode="before")
    @classmethod
    def _reference(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v


class FilterRules(_Section):
    cost_centres: tuple[str, ...] = ()

    @field_validator("cost_centres", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        return _texts(v)


class CodeMaps(_Section):
    default: str | None = None
    expense_code: dict[str, str] = Field(default_factory=dict)
    cost_centre: dict[str, str] = Field(default_factory=dict)

    @field_validator("expense_code", "cost_centre", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        return _texts(v)


class DedupeRules(_Section):
    by: Literal["reference", "hash"] | None = None


class ExtractMapping(_Section):
    """A mapping from an extract's columns to spend lines (see the module docstring)."""

    source: SourceOptions = Field(default_factory=SourceOptions)
    columns: Columns
    filter: FilterRules = Field(default_factory=FilterRules)
    categories: CodeMaps = Field(default_factory=CodeMaps)
    posts: CodeMaps = Field(default_factory=CodeMaps)
    dedupe: DedupeRules = Field(default_factory=DedupeRules)
    optional_columns: frozenset[str] = frozenset()
    """Columns that may be missing from the file (only the built-in mapping has any)."""

    @property
    def source_name(self) -> str:
        return self.source.name or "extract"

    @property
    def dedupe_by(self) -> str:
        if self.dedupe.by is not None:
            return self.dedupe.by
        return "reference" if self.columns.reference else "hash"

    def column_names(self) -> dict[str, str]:
        """The mapped columns: role -> header name (references as reference, reference2...)."""
        out: dict[str, str] = {}
        for role in (
            "date",
            "amount",
            "debit",
            "credit",
            "supplier",
            "description",
            "cost_centre",
            "expense_code",
            "category",
            "post",
            "year",
        ):
            value = getattr(self.columns, role)
            if value:
                out[role] = value
        for i, ref in enumerate(self.columns.reference, start=1):
            out["reference" if i == 1 else f"reference{i}"] = ref
        return out

    def required_columns(self) -> list[str]:
        return [c for r, c in self.column_names().items() if r not in self.optional_columns]

    def check(self) -> None:
        """Refuse a mapping that cannot work (before any row is read).

        Raises:
            InvalidInput: what is wrong, naming the key.
        """
        c = self.columns
        if bool(c.amount) == bool(c.debit or c.credit):
            raise InvalidInput(
                "map either 'amount', or 'debit' and/or 'credit', under [columns]",
                field="columns.amount",
            )
        if self.filter.cost_centres and not c.cost_centre:
            raise InvalidInput(
                "[filter] cost_centres needs a 'cost_centre' column under [columns]",
                field="filter.cost_centres",
            )
        for section, maps in (("categories", self.categories), ("posts", self.posts)):
            if maps.expense_code and not c.expense_code:
                raise InvalidInput(
                    f"[{section}.expense_code] needs an 'expense_code' column under [columns]",
                    field=f"{section}.expense_code",
                )
            if maps.cost_centre and not c.cost_centre:
                raise InvalidInput(
                    f"[{section}.cost_centre] needs a 'cost_centre' column under [columns]",
                    field=f"{section}.cost_centre",
                )
        if self.dedupe_by == "reference" and not c.reference:
            raise InvalidInput(
                "[dedupe] by = 'reference' needs a 'reference' column under [columns]",
                field="dedupe.by",
            )


DEFAULT_MAPPING = ExtractMapping(
    source=SourceOptions(name="fsgrant"),
    columns=Columns(
        date="date",
        amount="amount",
        category="category",
        post="post",
        supplier="supplier",
        description="description",
        reference=("reference",),
        year="year",
    ),
    # fsgrant's own reference column holds invoice or journal numbers, which may
    # repeat across lines of one invoice: deduplicate on the whole line instead.
    dedupe=DedupeRules(by="hash"),
    optional_columns=frozenset({"post", "supplier", "description", "reference", "year"}),
)
"""Without a mapping: fsgrant's own spend CSV columns
(``date, amount, category, post, supplier, description, reference, year``)."""


def load_mapping(path: str | Path) -> ExtractMapping:
    """Read a mapping TOML file (its source name defaults to the file's stem).

    Raises:
        SourceError: not valid TOML, an unknown key, a missing ``[columns] date``...
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(p.name, None, None, "no such mapping file") from None
    except UnicodeDecodeError as exc:
        raise SourceError(p.name, None, None, f"not UTF-8 text ({exc.reason})") from None
    return parse_mapping(text, p.name, default_name=p.stem)


def parse_mapping(
    text: str, name: str = "mapping.toml", *, default_name: str = "extract"
) -> ExtractMapping:
    """A mapping from TOML text.

    Raises:
        SourceError: as :func:`load_mapping`.
    """
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(name, None, None, f"not valid TOML ({exc})") from None
    data.pop("optional_columns", None)
    try:
        mapping = ExtractMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise SourceError(name, None, where, first["msg"]) from None
    if mapping.source.name is None:
        mapping = mapping.model_copy(
            update={"source": mapping.source.model_copy(update={"name": default_name})}
        )
    try:
        mapping.check()
    except InvalidInput as exc:
        raise SourceError(name, None, exc.field, exc.message) from None
    return mapping
