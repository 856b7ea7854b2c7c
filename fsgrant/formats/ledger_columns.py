"""What each CSV file of a ledger folder holds: its required and optional columns,
and how a row's columns become the fields (the library's parameters) of a
:class:`~fsgrant.formats.ledgerfiles.FolderEntry`.

:data:`CSV_FILES` lists the files in load order (see
:data:`fsgrant.formats.ledgerfiles.KINDS`); :data:`COLUMNS` says, per kind, which
column a parameter of a different name came from, so an error names the column the
user wrote.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COLUMNS", "CSV_FILES"]


def _condition_event_fields(row: dict[str, str]) -> dict[str, Any]:
    kind = row["kind"].strip().lower()
    fields: dict[str, Any] = {
        "kind": kind,
        "label": row["funding_year"],
        "number": row["number"],
        "on": row["on"],
    }
    if kind == "evidence":
        fields.update(note=row.get("note", ""), document=_opt(row, "document"))
    elif kind == "status":
        fields.update(
            status=row.get("status", ""),
            reason=_opt(row, "reason"),
            reference=_opt(row, "reference"),
        )
    elif kind == "amend":
        fields.update(
            reason=row.get("reason", ""),
            due=_opt(row, "due"),
            check=_opt(row, "check"),
            text=_opt(row, "text"),
        )
    return fields


def _opt(row: dict[str, str], key: str) -> str | None:
    value = row.get(key, "").strip()
    return value or None


def _post_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "post_id": row["id"],
        "role": row["role"],
        "host": row["host"],
        "fte": row["fte"],
        "planned_start": row["planned_start"],
        "annual_cost": _opt(row, "annual_cost"),
        "salary": _opt(row, "salary"),
        "on_cost_rate": _opt(row, "on_cost_rate"),
        "title": _opt(row, "title"),
        "team": _opt(row, "team"),
        "route": _opt(row, "route") or "direct",
        "category": _opt(row, "category") or "staffing",
        "end": _opt(row, "end"),
    }


def _post_status_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "post_id": row["post"],
        "status": row["status"],
        "on": row["effective"],
        "reason": _opt(row, "reason"),
        "expected_start": _opt(row, "expected_start"),
    }


def _post_change_fields(row: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "post_id": row["post"],
        "on": row["effective"],
        "reason": row["reason"],
    }
    for key in _POST_CHANGE_DETAILS:
        fields[key] = _opt(row, key)
    return fields


_POST_CHANGE_DETAILS = (
    "annual_cost",
    "salary",
    "on_cost_rate",
    "fte",
    "host",
    "route",
    "team",
    "title",
    "end",
)


def _estimate_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "label": row["funding_year"],
        "category": row["category"],
        "amount": row["amount"],
        "post": _opt(row, "post"),
        "on": _opt(row, "set_on"),
        "reason": _opt(row, "reason"),
        "reference": _opt(row, "reference"),
    }


def _spend_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "day": row["date"],
        "amount": row["amount"],
        "category": row["category"],
        "post": _opt(row, "post"),
        "supplier": _opt(row, "supplier"),
        "description": _opt(row, "description"),
        "reference": _opt(row, "reference"),
        "year": _opt(row, "year"),
        "reverse_on": _opt(row, "reverse_on"),
    }


def _forecast_addition_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "label": row["funding_year"],
        "category": row["category"],
        "amount": row["amount"],
        "reason": row["reason"],
        "on": _opt(row, "set_on"),
    }


def _commitment_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "day": row["date"],
        "amount": row["amount"],
        "category": row["category"],
        "reference": row["reference"],
        "supplier": _opt(row, "supplier"),
        "post": _opt(row, "post"),
        "description": _opt(row, "description"),
        "cancelled_on": _opt(row, "cancelled_on"),
        "cancel_reason": _opt(row, "cancel_reason"),
    }


def _receipt_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "day": row["date"],
        "amount": row["amount"],
        "year": row["funding_year"],
        "reference": _opt(row, "reference"),
    }


def _measure_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "on": row["date"],
        "value": row["value"],
        "note": _opt(row, "note"),
    }


def _measure_target_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "financial_year": row["financial_year"],
        "value": row["value"],
        "on": _opt(row, "set_on"),
    }


def _plan_source_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "kind": row["kind"],
        "description": _opt(row, "description"),
        "measure": _opt(row, "measure"),
        "baseline": _opt(row, "baseline"),
        "unit_cost": _opt(row, "unit_cost"),
        "on": _opt(row, "added_on"),
        "beneficiary": _opt(row, "beneficiary") or "council",
    }


def _plan_funding_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "source": row["source"],
        "financial_year": row["financial_year"],
        "amount": row["amount"],
        "on": _opt(row, "set_on"),
        "note": _opt(row, "note"),
    }


def _plan_cost_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "category": row["category"],
        "financial_year": row["financial_year"],
        "amount": row["amount"],
        "on": _opt(row, "set_on"),
        "note": _opt(row, "note"),
    }


_SET_ON = {"on": "set_on"}
COLUMNS: dict[str, dict[str, str]] = {
    "estimates": _SET_ON,
    "measure_targets": _SET_ON,
    "plan_funding": _SET_ON,
    "plan_costs": _SET_ON,
    "post_status": {"on": "effective", "post_id": "post"},
    "post_changes": {"on": "effective", "post_id": "post"},
    "posts": {"post_id": "id"},
    "spend": {"day": "date"},
    "forecast_additions": {"label": "funding_year", "on": "set_on"},
    "commitments": {"day": "date", "on": "cancelled_on", "reason": "cancel_reason"},
    "receipts": {"day": "date", "year": "funding_year"},
}
"""Per kind, the column a parameter of a different name came from."""


CSV_FILES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], Any], ...] = (
    (
        "posts",
        "posts.csv",
        ("id", "role", "host", "fte", "planned_start"),
        ("title", "team", "route", "annual_cost", "salary", "on_cost_rate", "category", "end"),
        _post_fields,
    ),
    (
        "post_status",
        "post_status.csv",
        ("post", "status", "effective"),
        ("reason", "expected_start"),
        _post_status_fields,
    ),
    (
        "post_changes",
        "post_changes.csv",
        ("post", "effective", "reason"),
        _POST_CHANGE_DETAILS,
        _post_change_fields,
    ),
    (
        "estimates",
        "estimates.csv",
        ("funding_year", "category", "amount"),
        ("post", "set_on", "reason", "reference"),
        _estimate_fields,
    ),
    (
        "estimate_phasing",
        "estimate_phasing.csv",
        ("funding_year", "category", "month", "amount"),
        ("set_on",),
        None,
    ),
    (
        "forecast_additions",
        "forecast_additions.csv",
        ("funding_year", "category", "amount", "reason"),
        ("set_on",),
        _forecast_addition_fields,
    ),
    (
        "commitments",
        "commitments.csv",
        ("date", "amount", "category", "reference"),
        ("supplier", "post", "description", "cancelled_on", "cancel_reason"),
        _commitment_fields,
    ),
    (
        "spend",
        "spend.csv",
        ("date", "amount", "category"),
        ("post", "supplier", "description", "reference", "year", "reverse_on"),
        _spend_fields,
    ),
    (
        "receipts",
        "receipts.csv",
        ("date", "amount", "funding_year"),
        ("reference",),
        _receipt_fields,
    ),
    (
        "condition_events",
        "condition_events.csv",
        ("funding_year", "number", "kind", "on"),
        ("status", "note", "document", "reason", "reference", "due", "check", "text"),
        _condition_event_fields,
    ),
    ("measures", "measures.csv", ("name", "date", "value"), ("note",), _measure_fields),
    (
        "measure_targets",
        "measure_targets.csv",
        ("name", "financial_year", "value"),
        ("set_on",),
        _measure_target_fields,
    ),
    (
        "plan_sources",
        "plan_sources.csv",
        ("name", "kind"),
        ("description", "measure", "baseline", "unit_cost", "added_on", "beneficiary"),
        _plan_source_fields,
    ),
    (
        "plan_funding",
        "plan_funding.csv",
        ("source", "financial_year", "amount"),
        ("set_on", "note"),
        _plan_funding_fields,
    ),
    (
        "plan_costs",
        "plan_costs.csv",
        ("category", "financial_year", "amount"),
        ("set_on", "note"),
        _plan_cost_fields,
    ),
)
