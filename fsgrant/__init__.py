"""fsgrant: track the DfE Family Safeguarding grant.

Open a store and work with it::

    import fsgrant

    with fsgrant.open("fsgrant.db") as ledger:
        ledger.add_spend("2020-02-04", "1234.56", "training", supplier="MI Trainers Ltd")
        print(ledger.summary(as_at="2020-03-31").model_dump(mode="json"))

Names are imported on first use, so that ``fsgrant --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AuditEntry",
    "Conflict",
    "Estimate",
    "ExtractMapping",
    "Finding",
    "FsgrantError",
    "FundingYear",
    "FundingYearState",
    "Grant",
    "ImportBatch",
    "ImportResult",
    "InvalidAmount",
    "InvalidDate",
    "InvalidInput",
    "Ledger",
    "MappingCheck",
    "NotFound",
    "PeriodClosed",
    "Post",
    "PostsReport",
    "ProfileReport",
    "Receipt",
    "ReturnData",
    "ReturnDifference",
    "SourceError",
    "SpendByReport",
    "SpendLine",
    "StatusChange",
    "StoreError",
    "SummaryReport",
    "VarianceReport",
    "Variation",
    "YearSummary",
    "__version__",
    "financial_year_label",
    "load_mapping",
    "open",
    "parse_amount",
    "parse_date",
]

_LAZY = {
    "AuditEntry": "services.ledger_admin",
    "Conflict": "errors",
    "FsgrantError": "errors",
    "InvalidAmount": "errors",
    "InvalidDate": "errors",
    "InvalidInput": "errors",
    "NotFound": "errors",
    "PeriodClosed": "errors",
    "SourceError": "errors",
    "StoreError": "errors",
    "Estimate": "domain.models",
    "FundingYear": "domain.models",
    "FundingYearState": "domain.models",
    "Grant": "domain.models",
    "Receipt": "domain.models",
    "SpendLine": "domain.models",
    "Variation": "domain.models",
    "Ledger": "services.ledger",
    "Post": "domain.posts",
    "StatusChange": "domain.posts",
    "PostsReport": "domain.reports",
    "Finding": "domain.models",
    "ProfileReport": "domain.reports",
    "SpendByReport": "domain.reports",
    "VarianceReport": "domain.reports",
    "ExtractMapping": "formats.mapping",
    "load_mapping": "formats.mapping",
    "ImportBatch": "services.ledger_imports",
    "ImportResult": "services.ledger_imports",
    "MappingCheck": "services.ledger_imports",
    "ReturnData": "formats.dfe_return",
    "ReturnDifference": "formats.dfe_return",
    "SummaryReport": "domain.reports",
    "YearSummary": "domain.reports",
    "financial_year_label": "domain.periods",
    "parse_amount": "domain.money",
    "parse_date": "domain.periods",
}

if TYPE_CHECKING:
    from fsgrant.domain.models import (
        Estimate,
        Finding,
        FundingYear,
        FundingYearState,
        Grant,
        Receipt,
        SpendLine,
        Variation,
    )
    from fsgrant.domain.money import parse_amount
    from fsgrant.domain.periods import financial_year_label, parse_date
    from fsgrant.domain.posts import Post, StatusChange
    from fsgrant.domain.reports import (
        PostsReport,
        ProfileReport,
        SpendByReport,
        SummaryReport,
        VarianceReport,
        YearSummary,
    )
    from fsgrant.errors import (
        Conflict,
        FsgrantError,
        InvalidAmount,
        InvalidDate,
        InvalidInput,
        NotFound,
        PeriodClosed,
        SourceError,
        StoreError,
    )
    from fsgrant.formats.dfe_return import ReturnData, ReturnDifference
    from fsgrant.formats.mapping import ExtractMapping, load_mapping
    from fsgrant.services.ledger import Ledger
    from fsgrant.services.ledger_admin import AuditEntry
    from fsgrant.services.ledger_imports import ImportBatch, ImportResult, MappingCheck


def open(path: Any, *, create: bool = True) -> Ledger:
    """Open (or create) the fsgrant store at ``path`` and return its :class:`Ledger`.

    Raises:
        StoreError: not an fsgrant store, written by a newer fsgrant, or missing
            with ``create=False``.
    """
    from fsgrant.services.ledger import open_ledger

    return open_ledger(path, create=create)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fsgrant' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"fsgrant.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
