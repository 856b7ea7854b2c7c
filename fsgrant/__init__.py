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
    "AuditEntry": "ledger_admin",
    "Conflict": "errors",
    "FsgrantError": "errors",
    "InvalidAmount": "errors",
    "InvalidDate": "errors",
    "InvalidInput": "errors",
    "NotFound": "errors",
    "PeriodClosed": "errors",
    "SourceError": "errors",
    "StoreError": "errors",
    "Estimate": "models",
    "FundingYear": "models",
    "FundingYearState": "models",
    "Grant": "models",
    "Receipt": "models",
    "SpendLine": "models",
    "Variation": "models",
    "Ledger": "ledger",
    "Post": "posts",
    "StatusChange": "posts",
    "PostsReport": "reports",
    "Finding": "models",
    "ProfileReport": "reports",
    "SpendByReport": "reports",
    "VarianceReport": "reports",
    "ExtractMapping": "mapping",
    "load_mapping": "mapping",
    "ImportBatch": "ledger_imports",
    "ImportResult": "ledger_imports",
    "MappingCheck": "ledger_imports",
    "ReturnData": "xlsx_return",
    "ReturnDifference": "xlsx_return",
    "SummaryReport": "reports",
    "YearSummary": "reports",
    "financial_year_label": "periods",
    "parse_amount": "money",
    "parse_date": "periods",
}

if TYPE_CHECKING:
    from .errors import (
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
    from .ledger import Ledger
    from .ledger_admin import AuditEntry
    from .ledger_imports import ImportBatch, ImportResult, MappingCheck
    from .mapping import ExtractMapping, load_mapping
    from .models import (
        Estimate,
        Finding,
        FundingYear,
        FundingYearState,
        Grant,
        Receipt,
        SpendLine,
        Variation,
    )
    from .money import parse_amount
    from .periods import financial_year_label, parse_date
    from .posts import Post, StatusChange
    from .reports import (
        PostsReport,
        ProfileReport,
        SpendByReport,
        SummaryReport,
        VarianceReport,
        YearSummary,
    )
    from .xlsx_return import ReturnData, ReturnDifference


def open(path: Any, *, create: bool = True) -> Ledger:
    """Open (or create) the fsgrant store at ``path`` and return its :class:`Ledger`.

    Raises:
        StoreError: not an fsgrant store, written by a newer fsgrant, or missing
            with ``create=False``.
    """
    from .ledger import open_ledger

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
