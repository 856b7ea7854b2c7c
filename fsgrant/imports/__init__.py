"""The import engine: finance-system extracts and plain rows, read through a mapping,
checked, deduplicated and stored as spend lines in one transaction.

It sits between the use cases and the files and store it works on
(``cli > services > imports > formats | store > domain``): the ledger gives it its
rules (categories, posts, funding years, closed periods); it reads files itself and
stores through :mod:`fsgrant.store.imports`. An import goes through these stages,
one module each:

====================  ====================================================================
``extracts``          a CSV or XLSX file opened, its header found, its rows as text
                      (``xlsx_guard`` checks an XLSX for bombs before any XML is parsed)
``plain``             plain rows a program holds, as an extract of the same rows
``mapping``           the TOML mapping: columns, codes, filters and category rules
                      (``mapping_rules``, ``mapping_presets`` for the built-in ones)
``rows``              one row read into a draft spend line (``amounts`` reads money,
                      ``row_rules`` the ledger's rules, ``row_cells`` the cells)
``row_batches``       the plain rows of a batch read a column at a time (fast path)
``reading``           rows read into parcels of drafts on a thread of their own
``chunks``            a parcel's dedupe keys worked out and its new lines stored
``rejects``           the rows left out, with why, as a CSV beside the extract
``check``             the mapping check: an import previewed, storing nothing
``service``           :class:`ImportsService` (``fs.imports``), which runs it all
====================  ====================================================================

The public API is :class:`ImportsService` (reached as ``fs.imports``):
``import_file`` for a file, ``import_rows`` for plain rows, ``check_mapping``;
:class:`~fsgrant.imports.mapping.ExtractMapping` and
:func:`~fsgrant.imports.mapping.load_mapping` for mappings; and
:func:`~fsgrant.imports.plain.plain_extract` and
:func:`~fsgrant.imports.extracts.open_extract`, which give any reader the same
``(line, cells)`` rows the engine reads. Names load when first used, so importing a
stage does not load the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fsgrant._lazy import lazy_names

__all__ = [
    "Extract",
    "ExtractMapping",
    "ImportsService",
    "load_mapping",
    "open_extract",
    "plain_extract",
]

_LAZY = {
    "Extract": "extracts",
    "ExtractMapping": "mapping",
    "ImportsService": "service",
    "load_mapping": "mapping",
    "open_extract": "extracts",
    "plain_extract": "plain",
}

if TYPE_CHECKING:
    from fsgrant.imports.extracts import Extract, open_extract
    from fsgrant.imports.mapping import ExtractMapping, load_mapping
    from fsgrant.imports.plain import plain_extract
    from fsgrant.imports.service import ImportsService


__getattr__ = lazy_names(__name__, _LAZY)
