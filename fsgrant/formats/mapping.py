"""How a finance-system extract maps onto spend lines: the TOML mapping, and the
reading of one row into a draft spend line by the same rules as ``spend add``.

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

Amounts are read by :func:`read_extract_amount`: the documented money rule, plus
spreadsheet float noise (``890.4999999999999``) within a millionth of a penny of a
whole penny read as that penny and counted; ``12.345`` is still an error.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from hashlib import sha256
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import ClosedPeriod, FundingYearState
from fsgrant.domain.money import MAX_AMOUNT, parse_amount, to_pence
from fsgrant.domain.periods import parse_date
from fsgrant.errors import FsgrantError, InvalidAmount, InvalidInput, SourceError

__all__ = [
    "DEFAULT_MAPPING",
    "Draft",
    "ExtractMapping",
    "LedgerRules",
    "RowReader",
    "load_mapping",
    "parse_mapping",
    "read_extract_amount",
]

NOISE_TOLERANCE_PENCE = Decimal("0.000001")
"""Float noise allowed around a whole penny: a millionth of a penny."""

EMPTY_HINT_XLSX = (
    "the cell is empty, or holds a formula whose value was never saved (open the file in "
    "Excel and save it, or paste the values); an empty money cell is never read as zero"
)


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


# ---------------------------------------------------------------------- amounts
# ASCII digits only (``\d`` alone would take any script's digits, which parse_amount
# refuses), and at most 12 digits of whole pounds: never above MAX_AMOUNT.
_FAST = re.compile(r"(-)?£?(\d{1,3}(?:,\d{3}){1,3}|\d{1,12})(?:\.(\d{1,2}))?", re.ASCII)
_LONG_DECIMALS = re.compile(r"\.\d{3,}", re.ASCII)
_NOISY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{3,}", re.ASCII)


def read_extract_amount(text: str, *, field: str = "amount") -> tuple[int, bool]:
    """Read an amount cell: integer pence, and whether float noise was snapped.

    The rule of :func:`fsgrant.domain.money.parse_amount` (``£1,234.56``, ``(12.00)``,
    ``-5``; no exponents, NaN or sub-penny amounts), except that a value within a
    millionth of a penny of a whole penny (``890.4999999999999``, the binary
    floating-point noise spreadsheets write) is read as that penny.

    Raises:
        InvalidAmount: anything else, such as ``12.345`` or ``1e3``.
    """
    s = text.strip()
    # The common forms without Decimal: -1234.5, 1,234.56, £1,234.56, (1,234.56).
    bracketed = s[:1] == "(" and s[-1:] == ")"
    m = _FAST.fullmatch(s[1:-1] if bracketed else s)
    if m is not None and not (bracketed and m.group(1)):
        pence = int(m.group(2).replace(",", "")) * 100 + int(((m.group(3) or "") + "00")[:2])
        return (-pence if (bracketed or m.group(1)) else pence), False
    if _LONG_DECIMALS.search(s):
        snapped = _snap(s)
        if snapped is not None:
            return snapped, True
    return to_pence(parse_amount(s, field=field)), False


def _snap(s: str) -> int | None:
    negative = False
    t = s
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    if t.startswith("-"):
        if negative:
            return None
        negative, t = True, t[1:].strip()
    if t.startswith("£"):
        t = t[1:].strip()
        if t.startswith("-") and not negative:
            negative, t = True, t[1:].strip()
    if not _NOISY.fullmatch(t):
        return None
    exact = Decimal(t.replace(",", "")) * 100
    nearest = exact.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(exact - nearest) > NOISE_TOLERANCE_PENCE:
        return None
    if nearest > MAX_AMOUNT * 100:
        return None
    pence = int(nearest)
    return -pence if negative else pence


# ---------------------------------------------------------------------- the ledger's rules
class LedgerRules:
    """What a row is checked against, read once per import: the same rules as
    :meth:`fsgrant.services.ledger_core.LedgerCore.add_spend` (known category and post, a
    funding year covering the date, no closed period)."""

    def __init__(
        self,
        categories: Sequence[str],
        posts: Sequence[str],
        years: Sequence[FundingYearState],
        closures: dict[str, ClosedPeriod],
    ) -> None:
        self.categories = frozenset(categories)
        self.posts = frozenset(posts)
        self.years = list(years)
        self.by_label = {y.label: y for y in self.years}
        self.closures = closures
        self.allocator = Allocator(self.years)
        self._days: dict[tuple[date, str | None], str | None] = {}

    def check_day(self, day: date, label: str | None) -> str | None:
        """The reason a spend line dated ``day`` (for year ``label``) is refused, or None."""
        key = (day, label)
        try:
            return self._days[key]
        except KeyError:
            reason = self._days[key] = self._day_reason(day, label)
            return reason

    def _day_reason(self, day: date, label: str | None) -> str | None:
        if label is not None:
            y = self.by_label.get(label)
            if y is None:
                return f"no funding year {label}; known: {', '.join(self.by_label) or 'none yet'}"
            if day not in y.period:
                return f"{day.isoformat()} is outside funding year {label} ({y.start} to {y.end})"
            target: str | None = label
        else:
            target = self.allocator(day)
            if target is None:
                spans = "; ".join(
                    f"{y.label}: {y.start} to {y.end}"
                    for y in self.years
                    if y.status != "withdrawn"
                )
                return (
                    f"no funding year covers {day.isoformat()} ({spans or 'no funding years yet'})"
                )
        c = self.closures.get(target) if target is not None else None
        if c is not None and day <= c.through:
            return (
                f"spend dated {day.isoformat()} falls in funding year {c.funding_year}, closed "
                f"through {c.through.isoformat()} (reference '{c.reference}'); reopen it with "
                "'fsgrant period reopen' first"
            )
        return None


# ---------------------------------------------------------------------- rows
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
    key: str
    """``ref:<source>:<reference>``, or ``hash:<sha256>`` to which the occurrence
    number of that identical line within the file is added."""
    snapped: bool


def _clean(text: str) -> str | None:
    """A cell's text, trimmed, inner runs of white space made one space; None if empty."""
    value = text.strip()
    if "  " in value or "\t" in value or "\n" in value or "\r" in value:
        value = " ".join(value.split())
    return value or None


def _opt(cells: Sequence[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return _clean(cells[index])


_new_draft = tuple.__new__


class RowReader:
    """A mapping bound to one extract's header and the ledger's rules.

    Raises:
        SourceError: the header lacks a mapped column.
    """

    def __init__(
        self,
        mapping: ExtractMapping,
        header: Sequence[str],
        rules: LedgerRules,
        *,
        source: str,
        header_line: int,
        kind: str = "csv",
    ) -> None:
        self.mapping = mapping
        self.rules = rules
        self.source = source
        self.kind = kind
        self.header = list(header)
        normal = [" ".join(h.split()).casefold() for h in header]
        index: dict[str, int | None] = {}
        for role, name in mapping.column_names().items():
            wanted = " ".join(name.split()).casefold()
            if wanted in normal:
                index[role] = normal.index(wanted)
            elif role in mapping.optional_columns:
                index[role] = None
            else:
                raise SourceError(
                    source,
                    header_line,
                    name,
                    f"the header has no column '{name}' (mapped as {role})",
                )
        self.index = index
        self.names = mapping.column_names()
        g = index.get
        self.i_date = g("date")
        self.i_amount, self.i_debit, self.i_credit = g("amount"), g("debit"), g("credit")
        self.i_supplier, self.i_description = g("supplier"), g("description")
        self.i_refs = [g(r) for r in self.names if r.startswith("reference")]
        self.i_cc, self.i_code = g("cost_centre"), g("expense_code")
        self.i_category, self.i_post, self.i_year = g("category"), g("post"), g("year")
        self.width = max((i for i in index.values() if i is not None), default=0) + 1
        self.cost_centres = frozenset(mapping.filter.cost_centres)
        self.by_reference = mapping.dedupe_by == "reference"
        self.source_name = mapping.source_name
        fmt = mapping.source.date_format
        self.date_format = None if fmt in ("day-first", "iso", "") else fmt
        self._dates: dict[str, date | str] = {}
        self._accepted_days: dict[tuple[str, str | None], str] = {}
        self.ref_prefix = f"ref:{self.source_name}:"
        # The categories of expense codes, checked against the ledger once; a code
        # not here goes the careful way (cost centre, default, or an error).
        self._by_code = {
            code: cat
            for code, cat in mapping.categories.expense_code.items()
            if cat in rules.categories
        }
        self.maps_posts = bool(
            self.i_post is not None or mapping.posts.expense_code or mapping.posts.cost_centre
        )

    def belongs(self, cells: Sequence[str]) -> bool:
        """False for a row of another cost centre (skipped, not an error)."""
        if not self.cost_centres:
            return True
        i = self.i_cc
        assert i is not None  # ExtractMapping.check guarantees it
        cc = cells[i].strip() if i < len(cells) else ""
        return cc in self.cost_centres

    def _error(self, line: int, role: str | None, reason: str, value: object = None) -> SourceError:
        name = self.names.get(role) if role else None
        if self.kind == "xlsx" and role is not None and self.index.get(role) is not None:
            from openpyxl.utils import get_column_letter

            col = self.index[role]
            assert col is not None
            reason = f"cell {get_column_letter(col + 1)}{line}: {reason}"
        return SourceError(self.source, line, name, reason, value=value)

    def _day(self, text: str) -> date | str:
        """A date, or the reason it is not one (memoised: extracts repeat dates)."""
        got = self._dates.get(text)
        if got is None:
            if len(self._dates) > 50_000:
                self._dates.clear()
            try:
                if self.date_format is None:
                    got = parse_date(text)
                else:
                    moment = datetime.strptime(text.strip(), self.date_format)
                    got = (
                        moment.date()
                        if moment.time() == datetime.min.time()
                        else f"'{text}' carries a time of day"
                    )
            except FsgrantError as exc:
                got = exc.message.removeprefix("date: ")
            except ValueError:
                got = f"'{text}' is not a date in the format {self.date_format}"
            self._dates[text] = got
        return got

    def _amount(self, line: int, cells: Sequence[str]) -> tuple[int, bool]:
        empty_hint = EMPTY_HINT_XLSX if self.kind == "xlsx" else "empty"
        if self.i_amount is not None:
            text = cells[self.i_amount]
            if not text.strip():
                raise self._error(line, "amount", f"no amount: {empty_hint}")
            try:
                return read_extract_amount(text)
            except InvalidAmount as exc:
                raise self._error(line, "amount", _amount_reason(exc), text) from None
        pence, snapped, seen = 0, False, False
        for role, sign in (("debit", 1), ("credit", -1)):
            i = self.index.get(role)
            if i is None:
                continue
            text = cells[i]
            if not text.strip():
                continue
            seen = True
            try:
                value, noisy = read_extract_amount(text, field=role)
            except InvalidAmount as exc:
                raise self._error(line, role, _amount_reason(exc), text) from None
            pence += sign * value
            snapped = snapped or noisy
        if not seen:
            cols = " or ".join(self.names[r] for r in ("debit", "credit") if r in self.names)
            raise self._error(
                line,
                "debit" if self.i_debit is not None else "credit",
                f"no amount in {cols}: {empty_hint}",
            )
        if abs(pence) > MAX_AMOUNT * 100:
            raise self._error(
                line,
                "debit" if self.i_debit is not None else "credit",
                f"debit less credit is too large for an amount (the limit is {MAX_AMOUNT:,})",
            )
        return pence, snapped

    def read(self, line: int, cells: list[str]) -> Draft:
        """Read one row into a draft spend line.

        Raises:
            SourceError: naming the file, line and column, and what was wrong.
        """
        # Written for speed (it runs once per row of files of a million rows): the
        # common path makes no method call it can avoid; anything unusual goes to
        # the careful path (_accept_day, _amount, _category), which has the messages.
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        date_text = cells[self.i_date]  # type: ignore[index]
        if self.i_year is None:
            year = None
            iso = self._accepted_days.get((date_text, None))
        else:
            year = _opt(cells, self.i_year)
            iso = self._accepted_days.get((date_text, year))
        if iso is None:
            iso = self._accept_day(line, date_text, year)
        snapped = False
        i = self.i_amount
        m = _FAST.fullmatch(cells[i]) if i is not None else None
        if m is not None:
            negative, whole, frac = m.groups()
            pence = int(whole.replace(",", "") + ((frac or "") + "00")[:2])
            if negative:
                pence = -pence
        else:
            pence, snapped = self._amount(line, cells)
        if pence == 0:
            raise self._error(
                line,
                "amount" if self.i_amount is not None else "debit",
                "a spend line of 0.00 records nothing",
            )
        i = self.i_cc
        cc = _clean(cells[i]) if i is not None else None
        i = self.i_code
        code = _clean(cells[i]) if i is not None else None
        category = self._by_code.get(code) if self.i_category is None else None  # type: ignore[arg-type]
        if category is None:
            category = self._category(line, cells, cc, code)
        post = self._post(line, cells, cc, code) if self.maps_posts else None
        refs = self.i_refs
        if len(refs) == 1:
            i = refs[0]
            reference = _clean(cells[i]) if i is not None else None
        else:
            reference = "/".join(r for r in (_opt(cells, i) for i in refs) if r) or None
        i = self.i_supplier
        supplier = _clean(cells[i]) if i is not None else None
        i = self.i_description
        description = _clean(cells[i]) if i is not None else None
        if self.by_reference:
            if reference is None:
                raise self._error(
                    line,
                    "reference",
                    "no transaction reference: every line needs one to be imported only once "
                    "(or set [dedupe] by = 'hash' in the mapping)",
                )
            key = self.ref_prefix + reference
        else:
            fields = (
                self.source_name,
                iso,
                str(pence),
                supplier or "",
                description or "",
                reference or "",
                cc or "",
                code or "",
                _opt(cells, self.i_category) or "",
                _opt(cells, self.i_post) or "",
                year or "",
            )
            key = "hash:" + sha256("\x1f".join(fields).encode()).hexdigest()
        return _new_draft(
            Draft,
            (
                line,
                iso,
                pence,
                category,
                post,
                supplier,
                description,
                reference,
                year,
                key,
                snapped,
            ),
        )

    def _accept_day(self, line: int, date_text: str, year: str | None) -> str:
        """Check a row's date (and year) against the ledger; remember it if good."""
        if not date_text.strip():
            raise self._error(line, "date", "no date")
        day = self._day(date_text)
        if isinstance(day, str):
            raise self._error(line, "date", day, date_text)
        reason = self.rules.check_day(day, year)
        if reason is not None:
            raise self._error(line, "year" if year else "date", reason, date_text)
        if len(self._accepted_days) > 50_000:
            self._accepted_days.clear()
        iso = self._accepted_days[(date_text, year)] = day.isoformat()
        return iso

    def _category(self, line: int, cells: Sequence[str], cc: str | None, code: str | None) -> str:
        m = self.mapping.categories
        raw = _opt(cells, self.i_category)
        role: str | None = "category"
        if raw is not None:
            category = raw.lower()
        elif code is not None and code in m.expense_code:
            category, role = m.expense_code[code], "expense_code"
        elif cc is not None and cc in m.cost_centre:
            category, role = m.cost_centre[cc], "cost_centre"
        elif m.default is not None:
            category, role = m.default, None
        else:
            what = [f"expense code '{code}'" if code else "", f"cost centre '{cc}'" if cc else ""]
            found = " or ".join(w for w in what if w) or "this row"
            raise self._error(
                line,
                "expense_code" if code else ("cost_centre" if cc else "category"),
                f"no category for {found}, and the mapping has no [categories] default",
            )
        if category not in self.rules.categories:
            raise self._error(
                line,
                role,
                f"unknown category '{category}'; known: {', '.join(sorted(self.rules.categories))}",
            )
        return category

    def _post(
        self, line: int, cells: Sequence[str], cc: str | None, code: str | None
    ) -> str | None:
        m = self.mapping.posts
        post = _opt(cells, self.i_post)
        role = "post"
        if post is None and code is not None and code in m.expense_code:
            post, role = m.expense_code[code], "expense_code"
        if post is None and cc is not None and cc in m.cost_centre:
            post, role = m.cost_centre[cc], "cost_centre"
        if post is not None and post not in self.rules.posts:
            raise self._error(line, role, f"no post {post}; add it with 'fsgrant post add'")
        return post


def _amount_reason(exc: InvalidAmount) -> str:
    msg = exc.message
    for prefix in ("amount: ", "debit: ", "credit: "):
        msg = msg.removeprefix(prefix)
    return msg
