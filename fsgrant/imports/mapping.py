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
    # po = "PO Number"          # the purchase order a line quotes: draws its commitment down

    [filter]
    cost_centres = ["FS100", "FS110"]  # rows for other cost centres are skipped and counted
    [[filter.where]]                   # filters on any column, all applying
    column = "Expense Area"
    include = ["Children's Services"]  # and/or: exclude = [...]; case_insensitive = true

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

Filter values and rule values are compared with the cell after trimming and Unicode
normalisation (:func:`~fsgrant.imports.mapping_rules.normalise_value`: NFKC, typographic
apostrophes and quotes as ``'`` and ``"``, any run of white space as one space),
case-insensitively when asked.

A row's category is, in order: the ``category`` column when mapped and not empty,
the first ``[[categories.rules]]`` that matches (a column equals / starts with /
matches a regular expression / is one of a list, optionally ``also`` a second
column's condition), the expense code's entry, the cost centre's entry, the default.
Its post likewise (``post`` column, ``[[posts.rules]]``, expense code, cost centre,
none).

``description_template = "{Expense Type} - {Invoice Number}"`` under ``[columns]``
composes the description from any columns (``{{`` and ``}}`` for literal braces).

The filter and rule models are :mod:`fsgrant.imports.mapping_rules`; the built-in
mappings :mod:`fsgrant.imports.mapping_presets`. Reading one row by a mapping is
:mod:`fsgrant.imports.rows`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from fsgrant.domain.text import header_key
from fsgrant.errors import InvalidInput, SourceError
from fsgrant.formats import strict_toml
from fsgrant.formats.input_files import check_input_file
from fsgrant.imports.mapping_rules import CodeMaps, ColumnFilter, FilterRules, MappingSection

__all__ = [
    "Columns",
    "DedupeRules",
    "ExtractMapping",
    "SourceOptions",
    "load_mapping",
    "parse_mapping",
    "template_fields",
]


# ---------------------------------------------------------------------- description templates
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_fields(template: str) -> list[str]:
    """The column names a description template uses, in order.

    Raises:
        ValueError: an empty ``{}`` or a lone brace.
    """
    names: list[str] = []
    for m in _FIELD.finditer(template):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise ValueError(f"a lone '{token}' in the template (write '{token * 2}' for a brace)")
        name = m.group(1).strip()
        if not name:
            raise ValueError("an empty {} in the template; name a column: {Expense Type}")
        names.append(name)
    return names


# ---------------------------------------------------------------------- the mapping model
class SourceOptions(MappingSection):
    name: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    date_format: str = "day-first"
    zero_rows: Literal["skip", "reject"] = "skip"
    """A 0.00 row (a cancelled payment): skipped and counted, or rejected as an error."""

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        if v is None:
            return None
        import codecs

        try:
            info = codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown encoding '{v}'; use utf-8 or cp1252") from None
        # rot13, base64, zlib... are codecs between text and text or bytes and bytes.
        if not getattr(info, "_is_text_encoding", True):
            raise ValueError(f"'{v}' is not a text encoding (bytes to text); use utf-8 or cp1252")
        return v

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = {"tab": "\t", "\\t": "\t", "comma": ","}.get(v, v)
        if len(v) != 1:
            raise ValueError("delimiter is one character, or 'tab'")
        return v


class Columns(MappingSection):
    date: str
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    supplier: str | None = None
    description: str | None = None
    description_template: str | None = None
    reference: tuple[str, ...] = ()
    cost_centre: str | None = None
    expense_code: str | None = None
    category: str | None = None
    post: str | None = None
    year: str | None = None
    po: str | None = None
    """A column holding the purchase order a line quotes: it draws that commitment down."""

    @field_validator("reference", mode="before")
    @classmethod
    def _reference(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v

    @field_validator("description_template")
    @classmethod
    def _template(cls, v: str | None) -> str | None:
        if v is not None:
            template_fields(v)
        return v


class DedupeRules(MappingSection):
    by: Literal["reference", "hash"] | None = None


class ExtractMapping(MappingSection):
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

    def filters(self) -> list[ColumnFilter]:
        """Every filter, in order: ``cost_centres`` (on the cost-centre column) first."""
        out = []
        if self.filter.cost_centres and self.columns.cost_centre:
            out.append(
                ColumnFilter(column=self.columns.cost_centre, include=self.filter.cost_centres)
            )
        return out + list(self.filter.where)

    def patterns(self) -> list[str]:
        """The regular expressions (``matches``) of the category and post rules, each
        run under a time bound a cell (see :data:`fsgrant.imports.row_rules.PATTERN_SECONDS`)."""
        return [
            c.matches
            for maps in (self.categories, self.posts)
            for rule in maps.rules
            for c in (rule, rule.also)
            if c is not None and c.matches is not None
        ]

    def other_columns(self) -> list[str]:
        """Columns that filters, rules and the description template read (not roles)."""
        names: list[str] = [f.column for f in self.filters()]
        for maps in (self.categories, self.posts):
            for rule in maps.rules:
                names += rule.columns()
        if self.columns.description_template:
            names += template_fields(self.columns.description_template)
        if self.columns.po:
            names.append(self.columns.po)
        seen: dict[str, None] = {}
        for n in names:
            seen.setdefault(n, None)
        return list(seen)

    def required_columns(self) -> list[str]:
        """The header names the extract must hold (to find its header row, and to read)."""
        mapped = [c for r, c in self.column_names().items() if r not in self.optional_columns]
        known = {header_key(c) for c in mapped}
        return mapped + [c for c in self.other_columns() if header_key(c) not in known]

    def with_filters(self, filters: list[ColumnFilter]) -> ExtractMapping:
        """This mapping with more filters (``--where`` on the command line)."""
        if not filters:
            return self
        where = self.filter.where + tuple(filters)
        return self.model_copy(update={"filter": self.filter.model_copy(update={"where": where})})

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
        if c.description and c.description_template:
            raise InvalidInput(
                "map 'description' or 'description_template' under [columns], not both",
                field="columns.description_template",
            )
        for section, maps in (("categories", self.categories), ("posts", self.posts)):
            what = "category" if section == "categories" else "post"
            for n, rule in enumerate(maps.rules, start=1):
                if getattr(rule, what) is None or getattr(
                    rule, "post" if what == "category" else "category"
                ):
                    raise InvalidInput(
                        f"each [[{section}.rules]] gives a '{what}' (and nothing else)",
                        field=f"{section}.rules.{n}",
                    )
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


def load_mapping(path: str | Path) -> ExtractMapping:
    """Read a mapping TOML file (its source name defaults to the file's stem).

    Raises:
        SourceError: not valid TOML, an unknown key, a missing ``[columns] date``...
    """
    p = Path(path)
    try:
        check_input_file(p)
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(p.name, None, None, "no such mapping file") from None
    except SourceError as exc:
        raise SourceError(
            p.name, None, None, exc.reason.replace("no such file", "no such mapping file")
        ) from None
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
    data = strict_toml.loads(text, name)
    data.pop("optional_columns", None)
    try:
        mapping = ExtractMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(x) for x in loc)
        reason = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            table = loc[:-1]
            reason = strict_toml.unknown_key_reason(
                str(loc[-1]), _expected_keys(table), _table_name(table)
            )
        elif first["type"] == "missing":
            reason = "missing: this key is required"
        raise SourceError(name, strict_toml.line_of(text, loc), where, reason) from None
    if mapping.source.name is None:
        mapping = mapping.model_copy(
            update={"source": mapping.source.model_copy(update={"name": default_name})}
        )
    try:
        mapping.check()
    except InvalidInput as exc:
        loc = tuple(exc.field.split(".")) if exc.field else ()
        raise SourceError(name, strict_toml.line_of(text, loc), exc.field, exc.message) from None
    return mapping


def _expected_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at ``loc`` (a section path), for an unknown key."""
    model: Any = ExtractMapping
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return []
        model = _model_of(info.annotation)
        if model is None:
            return []
    return [k for k in model.model_fields if k != "optional_columns"]


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _table_name(loc: tuple[Any, ...]) -> str:
    """``[source]``, ``[[categories.rules]] #2`` or ``the top level``, for a message."""
    keys = [str(x) for x in loc if not isinstance(x, int)]
    if not keys:
        return "the top level"
    if isinstance(loc[-1], int):
        return f"[[{'.'.join(keys)}]] #{loc[-1] + 1}"
    return f"[{'.'.join(keys)}]"
