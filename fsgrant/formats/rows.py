"""Reading one row of a finance-system extract into a draft spend line, by a mapping
(:mod:`fsgrant.formats.mapping`) and the same rules as ``spend add``.

Amounts are read by :func:`read_extract_amount`: the documented money rule, plus
spreadsheet float noise (``890.4999999999999``) within a millionth of a penny of a
whole penny read as that penny and counted; ``12.345`` is still an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from hashlib import sha256
from typing import NamedTuple

from fsgrant.domain.closures import entry_day_problem
from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import ClosedPeriod, FundingYearState
from fsgrant.domain.money import MAX_AMOUNT, parse_amount, split_sign, to_pence
from fsgrant.domain.periods import parse_date
from fsgrant.errors import FsgrantError, InvalidAmount, SourceError
from fsgrant.formats.mapping import ExtractMapping

__all__ = ["Draft", "LedgerRules", "RowReader", "read_extract_amount"]


NOISE_TOLERANCE_PENCE = Decimal("0.000001")
"""Float noise allowed around a whole penny: a millionth of a penny."""

EMPTY_HINT_XLSX = (
    "the cell is empty, or holds a formula whose value was never saved (open the file in "
    "Excel and save it, or paste the values); an empty money cell is never read as zero"
)


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
    signed = split_sign(s)
    if signed is None:
        return None
    negative, t = signed
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
    :meth:`fsgrant.services.spend.SpendService.add` (known category and post, a
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
        problem = entry_day_problem(day, label, self.allocator, self.closures, name_who=False)
        return None if problem is None else problem.message


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
