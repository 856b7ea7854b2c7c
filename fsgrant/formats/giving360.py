"""The grant in the 360Giving Data Standard (version 1.4): a JSON data package.

Pure: takes the grant, its funding years as varied and the payments received, and
returns the package as plain data ready for ``json.dumps``.

One 360Giving grant record per **confirmed** funding year (an award is a decision:
an in-principle year is not one yet, a withdrawn year no longer is):

* ``amountAwarded``: the award as varied as at the date; ``awardDate``: when it was
  confirmed (its start when no date was recorded);
* ``plannedDates``: the funding period as varied, with its length in months;
* ``amountDisbursed`` and ``disbursementTransaction``: the payments received from the
  funder for that year (fsgrant's receipts), each with its date and reference (a
  reversed receipt and its reversal are left out);
* ``recipientOrganization`` / ``fundingOrganization``: names and org ids (English
  councils' ids use the prefix ``GB-LAE``, central government's ``GB-GOR``).

Amounts are JSON numbers written with at most two decimal places, exactly as stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.models import FundingYearState, Grant, Receipt
from fsgrant.domain.periods import months_between
from fsgrant.domain.text import org_id
from fsgrant.errors import InvalidInput

__all__ = ["SCHEMA_VERSION", "build_package", "grant_slug", "json_number"]

SCHEMA_VERSION = "1.4"
"""The 360Giving schema version the package follows (major.minor)."""

DEFAULT_ID_PREFIX = "360G-fsgrant"


def grant_slug(text: str) -> str:
    """A lower-case slug of a name: ``Family Safeguarding roll-out`` ->
    ``family-safeguarding-roll-out``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "grant"


def json_number(value: Decimal) -> int | float:
    """A money amount as a JSON number that prints exactly as the Decimal does.

    Raises:
        ValueError: the amount cannot be carried exactly by a JSON number.
    """
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    # repr() gives the shortest text that reads back as the same float: for pounds
    # and pence below 10**13 that is the amount itself.
    if Decimal(repr(number)) != value:
        raise ValueError(f"{value} cannot be written exactly as a JSON number")
    return number


def _iso_moment(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_package(
    grant: Grant,
    years: Sequence[FundingYearState],
    receipts: Sequence[Receipt],
    *,
    as_at: date,
    modified: datetime,
    funder_org_id: str | None = None,
    recipient_org_id: str | None = None,
    id_prefix: str = DEFAULT_ID_PREFIX,
    publisher: str | None = None,
) -> dict[str, Any]:
    """The 360Giving data package for the grant's confirmed funding years.

    Args:
        grant: the grant (its org ids are used unless others are given).
        years: the funding years as varied as at ``as_at``.
        receipts: the payments received on or before ``as_at``.
        as_at: the date the package speaks for (its ``issued`` date).
        modified: when the data it is built from last changed (``dateModified``).
        funder_org_id, recipient_org_id: org ids to use instead of the grant's.
        id_prefix: the publisher's 360Giving prefix for grant ids.
        publisher: who publishes the data (default: the recipient).

    Raises:
        InvalidInput: an org id is missing, or no funding year is confirmed.
    """
    funder_id = org_id(funder_org_id or grant.funder_org_id, "funder_org_id") or ""
    recipient_id = org_id(recipient_org_id or grant.recipient_org_id, "recipient_org_id") or ""
    if not funder_id or not recipient_id:
        missing = "funder" if not funder_id else "recipient"
        raise InvalidInput(
            f"the 360Giving standard needs the {missing}'s org id: record it with "
            f"'fsgrant grant set --{missing}-org-id ID' (fs.grant.set({missing}_org_id=...)) "
            f"or give it for this export",
            field=f"{missing}_org_id",
        )
    prefix = id_prefix.strip().rstrip("-") or DEFAULT_ID_PREFIX
    stamp = _iso_moment(modified)
    slug = grant_slug(grant.name)
    programme = {"code": slug, "title": grant.name}
    grants: list[dict[str, Any]] = []
    for y in years:
        if y.status != "confirmed":
            continue
        grant_id = f"{prefix}-{recipient_id}-{slug}-{grant_slug(y.label)}"
        # A reversed receipt and its reversal (same date, netting to zero) were never
        # paid: neither is a disbursement.
        paid = [
            r
            for r in receipts
            if r.funding_year == y.label
            and r.date <= as_at
            and r.reverses is None
            and r.reversed_by is None
        ]
        awarded = y.confirmed_on or y.start
        record: dict[str, Any] = {
            "id": grant_id,
            "title": f"{grant.name} {y.label}"[:140],
            "description": (
                f"{grant.funder} grant to {grant.recipient} for {grant.name}, funding year "
                f"{y.label} ({y.start.isoformat()} to {y.end.isoformat()}): an award of up "
                f"to {y.award:,.2f} GBP."
            ),
            "currency": "GBP",
            "amountAwarded": json_number(y.award),
            "amountDisbursed": json_number(sum((r.amount for r in paid), Decimal("0.00"))),
            "awardDate": awarded.isoformat(),
            "plannedDates": [
                {
                    "startDate": y.start.isoformat(),
                    "endDate": y.end.isoformat(),
                    "duration": len(months_between(y.start, y.end)),
                }
            ],
            "recipientOrganization": [{"id": recipient_id, "name": grant.recipient}],
            "fundingOrganization": [{"id": funder_id, "name": grant.funder}],
            "grantProgramme": [programme],
            "dateModified": stamp,
        }
        if paid:
            record["disbursementTransaction"] = [
                {
                    "id": f"{grant_id}-payment-{r.id}",
                    "transactionDate": r.date.isoformat(),
                    "value": json_number(r.amount),
                    "currency": "GBP",
                    "description": r.reference or f"Payment received {r.date.isoformat()}",
                    "provider": funder_id,
                    "recipient": recipient_id,
                }
                for r in paid
            ]
        grants.append(record)
    if not grants:
        raise InvalidInput(
            "no confirmed funding year to publish: 360Giving records awards made",
            field="year",
        )
    return {
        "version": SCHEMA_VERSION,
        "title": f"{grant.name}: {grant.funder} grant to {grant.recipient}",
        "description": (
            f"Confirmed funding years of the {grant.name} grant as at {as_at.isoformat()}, "
            "with the payments received. Produced by fsgrant."
        ),
        "issued": as_at.isoformat(),
        "modified": stamp,
        "identifier": f"{prefix}-{recipient_id}-{slug}-{as_at.isoformat()}",
        "publisher": {"name": publisher or grant.recipient, "identifier": recipient_id},
        "grants": grants,
    }
