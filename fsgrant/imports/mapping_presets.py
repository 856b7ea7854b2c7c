"""The built-in mappings: :data:`DEFAULT_MAPPING` (fsgrant's own spend CSV, used
without ``--mapping``) and :data:`PRESETS` by the name given to ``--mapping``
(:data:`TRANSPARENCY_CODE`).
"""

from __future__ import annotations

from fsgrant.imports.mapping import Columns, DedupeRules, ExtractMapping, SourceOptions
from fsgrant.imports.mapping_rules import CodeMaps

__all__ = ["DEFAULT_MAPPING", "PRESETS", "TRANSPARENCY_CODE"]


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
