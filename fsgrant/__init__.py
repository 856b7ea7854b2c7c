"""fsgrant: track the DfE Family Safeguarding grant.

Open a store and work with it; the ledger's services are named as the command
line's nouns, so ``fs.spend.add(...)`` is ``fsgrant spend add ...``::

    import fsgrant

    with fsgrant.open("fsgrant.db") as fs:
        fs.spend.add("2020-02-04", "1234.56", "training", supplier="MI Trainers Ltd")
        print(fs.reports.summary(as_at="2020-03-31").model_dump(mode="json"))

This module is the public API: the records and reports (frozen pydantic models), the
errors, and a few parsing rules. Names are imported on first use, so that
``fsgrant --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fsgrant._lazy import lazy_names
from fsgrant._version import __version__

__all__ = [
    "AuditEntry",
    "ClosedPeriod",
    "Commitment",
    "Conflict",
    "CostCategory",
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
    "LoadResult",
    "MappingCheck",
    "MeasureObservation",
    "MeasureTarget",
    "NotFound",
    "PeriodClosed",
    "PeriodEvent",
    "PlanCost",
    "PlanFunding",
    "PlanSource",
    "Post",
    "PostChange",
    "PostsReport",
    "ProfileReport",
    "Receipt",
    "ReturnData",
    "ReturnDifference",
    "SetForecast",
    "Setting",
    "SourceError",
    "SpendByReport",
    "SpendLine",
    "StatusChange",
    "StoreError",
    "SummaryReport",
    "SustainabilityReport",
    "SustainabilityYear",
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
    "AuditEntry": "domain.models",
    "ClosedPeriod": "domain.models",
    "Commitment": "domain.commitments",
    "Conflict": "errors",
    "CostCategory": "domain.models",
    "Estimate": "domain.models",
    "ExtractMapping": "imports.mapping",
    "Finding": "domain.models",
    "FsgrantError": "errors",
    "FundingYear": "domain.models",
    "FundingYearState": "domain.models",
    "Grant": "domain.models",
    "ImportBatch": "domain.imports",
    "ImportResult": "domain.imports",
    "InvalidAmount": "errors",
    "InvalidDate": "errors",
    "InvalidInput": "errors",
    "Ledger": "services.ledger",
    "LoadResult": "domain.models",
    "MeasureObservation": "domain.sustainability",
    "MeasureTarget": "domain.sustainability",
    "MappingCheck": "domain.imports",
    "NotFound": "errors",
    "PeriodClosed": "errors",
    "PeriodEvent": "domain.models",
    "PlanCost": "domain.sustainability",
    "PlanFunding": "domain.sustainability",
    "PlanSource": "domain.sustainability",
    "Post": "domain.posts",
    "PostChange": "domain.posts",
    "PostsReport": "domain.reports",
    "ProfileReport": "domain.reports",
    "Receipt": "domain.models",
    "ReturnData": "formats.dfe_return",
    "ReturnDifference": "formats.dfe_return",
    "SetForecast": "domain.models",
    "Setting": "domain.models",
    "SourceError": "errors",
    "SpendByReport": "domain.reports",
    "SpendLine": "domain.models",
    "StatusChange": "domain.posts",
    "StoreError": "errors",
    "SummaryReport": "domain.reports",
    "SustainabilityReport": "domain.sustainability",
    "SustainabilityYear": "domain.sustainability",
    "VarianceReport": "domain.reports",
    "Variation": "domain.models",
    "YearSummary": "domain.reports",
    "financial_year_label": "domain.periods",
    "load_mapping": "imports.mapping",
    "parse_amount": "domain.money",
    "parse_date": "domain.periods",
}

if TYPE_CHECKING:
    from fsgrant.domain.commitments import Commitment
    from fsgrant.domain.imports import ImportBatch, ImportResult, MappingCheck
    from fsgrant.domain.models import (
        AuditEntry,
        ClosedPeriod,
        CostCategory,
        Estimate,
        Finding,
        FundingYear,
        FundingYearState,
        Grant,
        LoadResult,
        PeriodEvent,
        Receipt,
        SetForecast,
        Setting,
        SpendLine,
        Variation,
    )
    from fsgrant.domain.money import parse_amount
    from fsgrant.domain.periods import financial_year_label, parse_date
    from fsgrant.domain.posts import Post, PostChange, StatusChange
    from fsgrant.domain.reports import (
        PostsReport,
        ProfileReport,
        SpendByReport,
        SummaryReport,
        VarianceReport,
        YearSummary,
    )
    from fsgrant.domain.sustainability import (
        MeasureObservation,
        MeasureTarget,
        PlanCost,
        PlanFunding,
        PlanSource,
        SustainabilityReport,
        SustainabilityYear,
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
    from fsgrant.imports.mapping import ExtractMapping, load_mapping
    from fsgrant.services.ledger import Ledger


def open(
    path: Any,
    *,
    create: bool = True,
    read_only: bool | None = None,
    allow_network_store: bool = False,
) -> Ledger:
    """Open (or create) the fsgrant store at ``path`` and return its :class:`Ledger`.

    A store the user may read but not write is opened read-only (``read_only=True``
    asks for that always): reports, lists and exports work; a write raises
    :class:`StoreError` saying the file is read-only. A ledger used after
    ``close()`` raises :class:`StoreError` (code ``ledger-closed``).

    A store on a network filesystem (SMB, NFS...) or in a synced folder (OneDrive,
    SharePoint, Dropbox, Google Drive, iCloud) is read but not written, nor made:
    SQLite cannot keep it safe there, and a write raises :class:`StoreError` (code
    ``unsafe-place``) saying why and what to do. ``allow_network_store=True`` writes
    it anyway, with a rollback journal and an exclusive lock (one writer at a time,
    and no reader while it is open).

    Raises:
        StoreError: not an fsgrant store, written by a newer fsgrant, or missing
            with ``create=False``.
    """
    from fsgrant.services.ledger import open_ledger

    return open_ledger(
        path, create=create, read_only=read_only, allow_network_store=allow_network_store
    )


__getattr__ = lazy_names(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
