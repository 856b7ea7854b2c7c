"""Reading rows a batch at a time, a column at a time (:class:`BatchReader`).

:meth:`fsgrant.imports.rows.RowReader.read` reads one row with Python's statements;
on a file of a million rows that is most of an import's time, and the interpreter it
holds is the one the storing thread needs. Most rows of an extract are plain (an
amount such as ``1,234.56``, a date seen before, a category the map names), and for
those the same work can be done a column at a time by the interpreter's built-in
functions (``map`` over ``str.strip``, ``dict.get``, the regular expression...), with
no Python statement per cell.

A batch reader gives, for each row, the very draft line ``read`` would give, or None
where the row is not plain (an amount in another form, a date not seen before, an
unknown category, white space to tidy, a zero): the caller reads those with ``read``,
which has the messages. So the two ways cannot disagree: a row either reads plainly
to the same line, or goes the careful way (the property tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import is_not, itemgetter
from typing import Any

from fsgrant.domain.dedupe_keys import line_bytes, line_digest
from fsgrant.errors import SourceError
from fsgrant.imports.amounts import FAST_AMOUNT
from fsgrant.imports.row_cells import cells_json_parts, clean_cell
from fsgrant.imports.rows import Draft, RowReader

__all__ = ["BatchReader"]


def _untidy(text: str) -> bool:
    """Whether text (trimmed) has inner white space :func:`fsgrant.imports.row_cells.clean_cell`
    tidies: a double space, a tab or a line break."""
    return "  " in text or "\t" in text or "\n" in text or "\r" in text


_new = tuple.__new__
_strip = str.strip


def _cleaned(column: list[str]) -> list[str | None]:
    """The column's cells as :func:`fsgrant.imports.row_cells.clean_cell` reads them: trimmed,
    None if empty (and, for the few with inner white space, tidied by it)."""
    stripped = list(map(_strip, column))
    # One look over the whole column (joined by a character none of the checks
    # looks for); cell by cell only when some cell needs tidying.
    if _untidy("\x00".join(stripped)):
        return [clean_cell(s) if _untidy(s) else (s or None) for s in stripped]
    return [s or None for s in stripped]


class BatchReader:
    """Reads plain rows of one extract a batch at a time (see the module's text).

    Built for a :class:`~fsgrant.imports.rows.RowReader`; :attr:`usable` says whether
    its mapping is one this reader knows (one amount column, no rules, a post only
    from a post column, one reference column or none, no description template, keys
    by reference or by hash without the earlier form); where it is not, every row is
    read with ``read``.
    """

    def __init__(self, reader: RowReader) -> None:
        self.reader = reader
        r = reader
        self.usable = (
            r.i_amount is not None
            and r.i_date is not None
            and not r.category_rules
            and not r.maps_posts_otherwise
            and len(r.i_refs) <= 1
            and r.template is None
            and not r.earlier_keys
            and cells_json_parts is not None
        )
        self._by_code_cc: dict[tuple[str | None, str | None], str | None] = {}

    def _column(self, index: int | None, rows: list[list[str]]) -> list[str | None] | None:
        """A column's cells, cleaned; None when the mapping has no such column."""
        if index is None:
            return None
        return _cleaned(list(map(itemgetter(index), rows)))

    def _default_category(self, code: str | None, cc: str | None) -> str | None:
        """The category of a row with no category column and no rules, by its expense
        code and cost centre (what ``read`` works out for it), or None if ``read``
        would refuse the row; worked out once per pair."""
        key = (code, cc)
        try:
            return self._by_code_cc[key]
        except KeyError:
            pass
        try:
            category: str | None = self.reader.category_of(0, [], cc, code)
        except SourceError:
            category = None
        self._by_code_cc[key] = category
        return category

    def read(self, batch: Sequence[tuple[int, list[str]]]) -> list[Draft | None]:
        """The draft line of each row of ``batch``, or None for a row to read with
        :meth:`fsgrant.imports.rows.RowReader.read`."""
        n = len(batch)
        if not self.usable or not n:
            return [None] * n
        r = self.reader
        width = r.width
        lines = list(map(itemgetter(0), batch))
        rows = list(map(itemgetter(1), batch))
        if not all(map(width.__le__, map(len, rows))):
            rows = [c if len(c) >= width else c + [""] * (width - len(c)) for c in rows]

        # Amounts: the plain forms only (the regular expression read() tries first).
        pences: list[int | None] = []
        add = pences.append
        for m in map(FAST_AMOUNT.fullmatch, map(itemgetter(r.i_amount), rows)):
            if m is None:
                add(None)
                continue
            negative, whole, frac = m.groups()
            pence = int(whole.replace(",", "") + ((frac or "") + "00")[:2])
            add((-pence if negative else pence) or None)  # 0 goes the careful way

        years = self._column(r.i_year, rows)
        dates = map(itemgetter(r.i_date), rows)
        isos = list(map(r.accepted_days.get, zip(dates, years or repeat(None), strict=False)))
        ccs = self._column(r.i_cc, rows)
        codes = self._column(r.i_code, rows)
        raw_categories = self._column(r.i_category, rows)
        if raw_categories is not None:
            known = r.categories
            categories = [
                c.lower() if c is not None and c.lower() in known else None for c in raw_categories
            ]
        else:
            by_code = r.by_code
            default = self._default_category
            categories = [
                by_code.get(code) or default(code, cc)  # type: ignore[arg-type]
                for code, cc in zip(codes or [None] * n, ccs or [None] * n, strict=True)
            ]
        raw_posts = self._column(r.i_post, rows)
        posts: list[str | None] | None = None
        if raw_posts is not None:
            known_posts = r.known_posts
            # A post the ledger does not have goes the careful way (marked False).
            posts = [p if p is None or p in known_posts else False for p in raw_posts]  # type: ignore[misc]
        references = self._column(r.i_refs[0] if r.i_refs else None, rows)
        suppliers = self._column(r.i_supplier, rows)
        descriptions = self._column(r.i_description, rows)
        keys = self._keys(
            r,
            pences,
            isos,
            suppliers,
            descriptions,
            references,
            ccs,
            codes,
            raw_categories,
            raw_posts,
            years,
        )
        parts = cells_json_parts
        assert parts is not None  # usable says so
        sources = list(map("".join, map(parts, rows, repeat(0))))
        none = repeat(None)
        drafts = list(
            map(
                _new,
                repeat(Draft),
                zip(
                    lines,
                    isos,
                    pences,
                    categories,
                    posts or none,
                    suppliers or none,
                    descriptions or none,
                    references or none,
                    years or none,
                    keys,
                    repeat(False),
                    sources,
                    none,
                ),
            )
        )
        plain = map(all, zip(isos, pences, categories, keys, strict=True))
        if posts is not None:
            plain = map(all, zip(plain, map(is_not, posts, repeat(False)), strict=False))
        return [d if ok else None for d, ok in zip(drafts, plain, strict=True)]

    @staticmethod
    def _keys(
        r: RowReader,
        pences: list[int | None],
        isos: list[str | None],
        suppliers: list[str | None] | None,
        descriptions: list[str | None] | None,
        references: list[str | None] | None,
        ccs: list[str | None] | None,
        codes: list[str | None] | None,
        raw_categories: list[str | None] | None,
        raw_posts: list[str | None] | None,
        years: list[str | None] | None,
    ) -> list[Any]:
        """Each row's key as ``read`` makes it: by reference (None where a row has
        none: ``read`` refuses it), or the digest of its fields."""
        if r.by_reference:
            prefix = r.ref_prefix
            return [
                None if ref is None else prefix + ref for ref in references or [None] * len(isos)
            ]
        empty = repeat("")

        def texts(column: list[str | None] | None) -> Any:
            return empty if column is None else (v or "" for v in column)

        fields = zip(
            repeat(r.source_name),
            (iso or "" for iso in isos),
            map(str, pences),
            texts(suppliers),
            texts(descriptions),
            texts(references),
            texts(ccs),
            texts(codes),
            texts(raw_categories),
            texts(raw_posts),
            texts(years),
        )
        return list(map(line_digest, map(line_bytes, fields)))
