"""The built-in mappings: :data:`DEFAULT_MAPPING` (fsgrant's own spend CSV, used
without ``--mapping``) and :data:`PRESETS` by the name given to ``--mapping``
(:data:`TRANSPARENCY_CODE`); and :func:`resolve_mapping`, which turns what an import
is given (a file, a name, a model, nothing; filters) into the mapping it uses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from fsgrant.errors import InvalidInput
from fsgrant.imports.mapping import (
    Columns,
    DedupeRules,
    ExtractMapping,
    SourceOptions,
    load_mapping,
)
from fsgrant.imports.mapping_rules import CodeMaps, ColumnFilter, where_filters

__all__ = [
    "DEFAULT_MAPPING",
    "PRESETS",
    "TRANSPARENCY_CODE",
    "MappingLike",
    "WhereLike",
    "resolve_mapping",
]

MappingLike = ExtractMapping | str | os.PathLike[str] | None
"""A mapping: a TOML file, a built-in mapping's name (``transparency-code``), a model,
or None for fsgrant's own columns."""
WhereLike = str | Sequence[str | ColumnFilter]
"""Filters added to a mapping: ``"Expense Area=Children's Services"`` texts (see
:func:`fsgrant.imports.mapping_rules.where_filters`) or filter models."""


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


TRANSPARENCY_CODE = ExtractMapping(
    source=SourceOptions(name="transparency-code"),
    columns=Columns(
        date="Date",
        amount="Amount",
        reference=("Transaction Number",),
        supplier="Supplier Name",
        description_template="{Expense Type}",
    ),
    categories=CodeMaps(default="other"),
    # A payment's transaction number may repeat over the lines it is split into:
    # deduplicate on the whole line (the number is part of it).
    dedupe=DedupeRules(by="hash"),
)
"""The spending over £500 file English councils publish under the Local Government
Transparency Code 2015 (``Body, Body Name, Date, Transaction Number, Invoice Number,
Amount, Supplier Name, Supplier ID, VAT Registration Number, Expense Area, Expense Type,
Expense Code, Creditor Type``): date, amount, transaction number, supplier and expense
type are read; every column is kept with the line. Lines go to the category ``other``;
filter the directorate with ``--where "Expense Area=Children's Services"``."""

PRESETS: dict[str, ExtractMapping] = {"transparency-code": TRANSPARENCY_CODE}
"""Built-in mappings, by the name given to ``--mapping``."""


def resolve_mapping(mapping: MappingLike, where: WhereLike = ()) -> ExtractMapping:
    """The mapping an import uses: a file, a built-in mapping's name, a model (checked)
    or, for None, :data:`DEFAULT_MAPPING`; with the ``where`` filters added.

    Raises:
        InvalidInput: ``mapping`` or ``where`` is of the wrong type.
        SourceError: the mapping file is bad (naming the file, the line and the key).
    """
    if mapping is not None and not isinstance(mapping, ExtractMapping | str | os.PathLike):
        raise InvalidInput(
            "mapping must be a mapping file's path, a built-in mapping's name or an "
            f"ExtractMapping, not {type(mapping).__name__}",
            field="mapping",
        )
    if isinstance(where, str):
        where = (where,)
    if isinstance(where, bytes) or not isinstance(where, Sequence):
        raise InvalidInput(
            f"where must be a filter's text or a list of them, not {type(where).__name__}",
            field="where",
        )
    for w in where:
        if not isinstance(w, str | ColumnFilter):
            raise InvalidInput(
                f"where must hold filters' texts only, not {type(w).__name__}", field="where"
            )
    if mapping is None:
        mp = DEFAULT_MAPPING
    elif isinstance(mapping, ExtractMapping):
        mapping.check()
        mp = mapping
    elif str(mapping) in PRESETS and not Path(mapping).exists():
        mp = PRESETS[str(mapping)]
    else:
        mp = load_mapping(Path(mapping))
    return mp.with_filters(
        [w for w in where if isinstance(w, ColumnFilter)]
        + where_filters([w for w in where if isinstance(w, str)])
    )
