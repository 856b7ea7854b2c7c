"""Loading a ledger folder (``fsgrant load``) into a new store in one transaction:
all of it or nothing; an error names the file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.domain.models import LoadResult
from fsgrant.errors import Conflict
from fsgrant.formats.ledgerfiles import KINDS, entry_errors, read_folder

if TYPE_CHECKING:
    from fsgrant.services.ledger import Ledger

__all__ = ["load_folder"]

_APPLY: dict[str, Callable[[Ledger, dict[str, Any]], object]] = {
    "funding_years": lambda fs, f: fs.years.add(**f),
    "variations": lambda fs, f: fs.years.vary(**f),
    "posts": lambda fs, f: fs.posts.add(**f),
    "post_status": lambda fs, f: fs.posts.set_status(**f),
    "estimates": lambda fs, f: fs.estimates.set(**f),
    "spend": lambda fs, f: fs.spend.add(**f),
    "receipts": lambda fs, f: fs.receipts.add(**f),
}


def load_folder(ledger: Ledger, folder: Path) -> LoadResult:
    """Load ``folder`` into ``ledger`` (an empty store) in one transaction.

    Raises:
        SourceError: a bad value, naming the file, line and field.
        Conflict: the store already holds a grant.
    """
    ledger_folder = read_folder(folder)
    existing = ledger.tables.grant.name()
    if existing is not None:
        raise Conflict(
            f"{ledger.path} already holds the grant '{existing}'; load a ledger folder into a new store"
        )
    counts = dict.fromkeys(KINDS, 0)
    # counts fills in as the load goes; the audit entry records it when the load ends
    with ledger.store.transaction("load", str(folder), counts):
        g = ledger_folder.grant
        with entry_errors(None):
            ledger.init(
                g["name"] or "",
                g["funder"] or "",
                g["recipient"] or "",
                funder_org_id=g["funder_org_id"],
                recipient_org_id=g["recipient_org_id"],
            )
        for entry in ledger_folder.entries():
            with entry_errors(entry):
                _APPLY[entry.kind](ledger, entry.fields)
            counts[entry.kind] += 1
    return LoadResult(**counts)
