"""Reading one row of a finance-system extract into a draft spend line, by a mapping
(:mod:`fsgrant.imports.mapping`) and the same rules as ``spend add``
(:mod:`fsgrant.imports.row_rules`).

Amounts are read by :func:`fsgrant.imports.amounts.read_extract_amount`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from fsgrant.domain.dedupe_keys import earlier_line_hash, line_bytes, line_digest, reference_key
from fsgrant.domain.money import MAX_AMOUNT
from fsgrant.domain.periods import parse_date
from fsgrant.domain.text import header_key as _norm_header
from fsgrant.domain.text import source_field_names
from fsgrant.errors import FsgrantError, InvalidAmount, SourceError
from fsgrant.imports.amounts import FAST_AMOUNT, read_extract_amount
from fsgrant.imports.mapping import ExtractMapping
from fsgrant.imports.row_cells import (
    Draft,
    cells_json,
    cells_json_parts,
    clean_cell,
    compile_template,
    render_template,
)
from fsgrant.imports.row_rules import (
    BoundRule,
    LedgerRules,
    RowFilter,
    column_position,
    first_rule,
)

__all__ = [
    "Draft",
    "RowReader",
    "ZeroAmount",
    "cells_json",
    "cells_json_parts",
    "clean_cell",
    "source_field_names",
]


EMPTY_HINT_XLSX = (
    "the cell is empty, or holds a formula whose value was never saved (open the file in "
    "Excel and save it, or paste the values); an empty money cell is never read as zero"
)


class ZeroAmount(Exception):
    """A row of 0.00 (a cancelled payment): skipped and counted, not an error."""


# ---------------------------------------------------------------------- rows
def _opt(cells: Sequence[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return clean_cell(cells[index])


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
        earlier_keys: bool = False,
    ) -> None:
        """``earlier_keys``: also work out each line's hash key as fsgrant 0.1 made it
        (when the store holds any), so lines imported before an upgrade are found."""
        self.mapping = mapping
        self.earlier_keys = earlier_keys
        self.rules = rules
        self.source = source
        self.kind = kind
        self.header = list(header)
        normal = [_norm_header(h) for h in header]
        index: dict[str, int | None] = {}
        self.names = mapping.column_names()

        def position(name: str) -> int | None:
            key = _norm_header(name)
            return column_position(
                normal, key, name, source=source, header_line=header_line, kind=kind
            )

        for role, name in self.names.items():
            at = position(name)
            if at is not None:
                index[role] = at
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

        def find(name: str) -> int:
            at = position(name)
            if at is None:
                raise SourceError(source, header_line, name, f"the header has no column '{name}'")
            return at

        self.filters = [RowFilter(f, find(f.column)) for f in mapping.filters()]
        self.category_rules = [BoundRule(r, find) for r in mapping.categories.rules]
        self.post_rules = [BoundRule(r, find) for r in mapping.posts.rules]
        template = mapping.columns.description_template
        self.template: list[tuple[str, int | None]] | None = None
        if template is not None:
            self.template = compile_template(template, find)
        self.field_names = source_field_names(header)
        self.skip_zero = mapping.source.zero_rows == "skip"
        g = index.get
        self.i_date = g("date")
        self.i_amount, self.i_debit, self.i_credit = g("amount"), g("debit"), g("credit")
        self.i_supplier, self.i_description = g("supplier"), g("description")
        self.i_refs = [g(r) for r in self.names if r.startswith("reference")]
        self.i_cc, self.i_code = g("cost_centre"), g("expense_code")
        self.i_category, self.i_post, self.i_year = g("category"), g("post"), g("year")
        self.width = max((i for i in index.values() if i is not None), default=0) + 1
        for f in self.filters:
            self.width = max(self.width, f.index + 1)
        self.by_reference = mapping.dedupe_by == "reference"
        self.source_name = mapping.source_name
        fmt = mapping.source.date_format
        self.date_format = None if fmt in ("day-first", "iso", "") else fmt
        self._dates: dict[str, date | str] = {}
        self.accepted_days: dict[tuple[str, str | None], str] = {}
        """The ISO day of each (date text, funding year) read so far (a cache)."""
        self.ref_prefix = reference_key(self.source_name, "")
        # The categories of expense codes, checked against the ledger once; a code
        # not here goes the careful way (cost centre, default, or an error).
        # Rules come before the expense codes: with any, every row goes the careful way.
        self.by_code = (
            {}
            if self.category_rules
            else {
                code: cat
                for code, cat in mapping.categories.expense_code.items()
                if cat in rules.categories
            }
        )
        self.maps_posts_otherwise = bool(
            mapping.posts.expense_code or mapping.posts.cost_centre or self.post_rules
        )
        """Whether a row without a post may get one from a rule or a map."""
        self.maps_posts = self.i_post is not None or self.maps_posts_otherwise
        self.categories = rules.categories
        """The ledger's categories."""
        self.known_posts = rules.posts
        """The ledger's posts."""
        self.never_filled: frozenset[str] = frozenset(
            name
            for name, never in (
                # As read() reads them: no column to read from, and no rule or map.
                ("post", not self.maps_posts),
                ("year", self.i_year is None),
                ("supplier", self.i_supplier is None),
                ("description", self.i_description is None and self.template is None),
                ("reference", all(i is None for i in self.i_refs)),
            )
            if never
        )
        """The fields of :class:`Draft` that are None in every line this reader reads
        (the import leaves their columns out of its statements; see
        :class:`fsgrant.imports.chunks.RowShape`)."""

    def skipped_by(self, cells: Sequence[str]) -> RowFilter | None:
        """The first filter that skips this row (not an error), or None if all keep it."""
        for f in self.filters:
            cell = f.cell(cells)
            ok = f.verdicts.get(cell)
            if ok is None:
                ok = f.keeps(cell)
            if not ok:
                return f
        return None

    def is_totals(self, cells: Sequence[str]) -> bool:
        """A totals row at the foot of an extract: no date, and a cell that says total."""
        i = self.i_date
        if i is None or (i < len(cells) and cells[i].strip()):
            return False
        return any(c.strip().casefold().startswith(("total", "grand total")) for c in cells)

    def category_source(self, line: int, cells: list[str]) -> tuple[str, str]:
        """A row's category and what gave it (a rule's label, a map, the default)."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        cc = _opt(cells, self.i_cc)
        code = _opt(cells, self.i_code)
        return self._category_with_source(line, cells, cc, code)

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
        # the careful path (_accept_day, _amount, category_of), which has the messages.
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        snapped = False
        i = self.i_amount
        m = FAST_AMOUNT.fullmatch(cells[i]) if i is not None else None
        if m is not None:
            negative, whole, frac = m.groups()
            pence = int(whole.replace(",", "") + ((frac or "") + "00")[:2])
            if negative:
                pence = -pence
        else:
            pence, snapped = self._amount(line, cells)
        if pence == 0:
            if self.skip_zero:
                raise ZeroAmount
            raise self._error(
                line,
                "amount" if self.i_amount is not None else "debit",
                "a spend line of 0.00 records nothing",
            )
        date_text = cells[self.i_date]  # type: ignore[index]
        if self.i_year is None:
            year = None
            iso = self.accepted_days.get((date_text, None))
        else:
            year = _opt(cells, self.i_year)
            iso = self.accepted_days.get((date_text, year))
        if iso is None:
            iso = self._accept_day(line, date_text, year)
        i = self.i_cc
        cc = clean_cell(cells[i]) if i is not None else None
        i = self.i_code
        code = clean_cell(cells[i]) if i is not None else None
        i = self.i_category
        if i is None:
            raw_category = None
            category = self.by_code.get(code)  # type: ignore[arg-type]
        else:
            # A category column comes before every other rule: a known one is the answer.
            raw_category = clean_cell(cells[i])
            category = raw_category.lower() if raw_category is not None else None
            if category not in self.categories:
                category = None
        if category is None:
            category = self.category_of(line, cells, cc, code)
        i = self.i_post
        raw_post = clean_cell(cells[i]) if i is not None else None
        if raw_post is None and not self.maps_posts_otherwise:
            post = None
        elif raw_post is not None and raw_post in self.known_posts:
            post = raw_post  # a post column comes first, as in _post
        else:
            post = self._post(line, cells, cc, code) if self.maps_posts else None
        refs = self.i_refs
        if len(refs) == 1:
            i = refs[0]
            reference = clean_cell(cells[i]) if i is not None else None
        else:
            reference = "/".join(r for r in (_opt(cells, i) for i in refs) if r) or None
        i = self.i_supplier
        supplier = clean_cell(cells[i]) if i is not None else None
        if self.template is None:
            i = self.i_description
            description = clean_cell(cells[i]) if i is not None else None
        else:
            description = render_template(self.template, cells)
        key: str | bytes
        earlier: str | None = None
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
                raw_category or "",
                raw_post or "",
                year or "",
            )
            data = line_bytes(fields)
            key = line_digest(data)
            if self.earlier_keys:
                earlier = earlier_line_hash(data)
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
                cells_json(cells),
                earlier,
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
        if len(self.accepted_days) > 50_000:
            self.accepted_days.clear()
        iso = self.accepted_days[(date_text, year)] = day.isoformat()
        return iso

    def category_of(self, line: int, cells: Sequence[str], cc: str | None, code: str | None) -> str:
        """The category of a row by its rules, expense code, cost centre or the default.

        Raises:
            SourceError: no category applies, or one the ledger does not have.
        """
        return self._category_with_source(line, cells, cc, code)[0]

    def _category_with_source(
        self, line: int, cells: Sequence[str], cc: str | None, code: str | None
    ) -> tuple[str, str]:
        m = self.mapping.categories
        raw = _opt(cells, self.i_category)
        role: str | None = "category"
        rule = first_rule(self.category_rules, cells, self.source, line)
        if raw is not None:
            category, source = raw.lower(), f"column {self.names['category']}"
        elif rule is not None:
            assert rule.category is not None  # ExtractMapping.check guarantees it
            category, role, source = rule.category, None, f"rule: {rule.label}"
        elif code is not None and code in m.expense_code:
            category, role = m.expense_code[code], "expense_code"
            source = f"{self.names['expense_code']} {code}"
        elif cc is not None and cc in m.cost_centre:
            category, role = m.cost_centre[cc], "cost_centre"
            source = f"{self.names['cost_centre']} {cc}"
        elif m.default is not None:
            category, role, source = m.default, None, "default"
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
                f"unknown category '{category}' (from {source}); known: "
                f"{', '.join(sorted(self.rules.categories))}",
            )
        return category, source

    def _post(
        self, line: int, cells: Sequence[str], cc: str | None, code: str | None
    ) -> str | None:
        m = self.mapping.posts
        post = _opt(cells, self.i_post)
        role = "post"
        if post is None:
            rule = first_rule(self.post_rules, cells, self.source, line)
            if rule is not None:
                post, role = rule.post, "post"
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
