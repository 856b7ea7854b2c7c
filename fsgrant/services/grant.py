"""The grant this store holds (``fsgrant grant``): its details, and changes to them.

The details (name, funder, recipient, their 360Giving org ids) are recorded by
:meth:`fsgrant.Ledger.init` and may be changed later with :meth:`GrantService.set`.
Every change is audited, and the store keeps the details each change replaced
(``grant_history``), so a return made before it stays explainable.
"""

from __future__ import annotations

from fsgrant.domain.arguments import checked
from fsgrant.domain.models import Grant
from fsgrant.domain.text import org_id, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import InvalidInput, StoreError
from fsgrant.store.tables import Tables

__all__ = ["GrantService"]


@checked
class GrantService:
    """``fs.grant``: show and change the grant's details."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def show(self) -> Grant:
        """The grant this store holds.

        Raises:
            StoreError: the store has no grant yet.
        """
        grant = self._tables.grant.get()
        if grant is None:
            raise StoreError(
                f"{self._tables.store.path} holds no grant yet; run "
                "'fsgrant init --grant ... --funder ... --recipient ...'"
            )
        return grant

    def changes(self) -> int:
        """How many times the grant's details have been changed since it was recorded."""
        return self._tables.grant.changes()

    def set(
        self,
        *,
        name: str | None = None,
        funder: str | None = None,
        recipient: str | None = None,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
        s151_officer: str | None = None,
    ) -> Grant:
        """Change the grant's details; a parameter left None is kept as it is.

        An org id or Section 151 officer (name and title, shown in a return's
        sign-off) given as empty text is cleared. The change is audited with the
        details before and after; the store keeps the details it replaced.

        Returns:
            The grant as it now stands.

        Raises:
            InvalidInput: nothing to change, or an empty name, funder or recipient.
            StoreError: the store has no grant yet (see :meth:`fsgrant.Ledger.init`).
        """
        current = self.show()
        wanted: dict[str, str | None] = {}
        for field, value in (
            ("name", name),
            ("funder", funder),
            ("recipient", recipient),
            ("s151_officer", s151_officer),
        ):
            if value is not None:
                wanted[field] = required_text(value, field)
        for field, value in (
            ("funder_org_id", funder_org_id),
            ("recipient_org_id", recipient_org_id),
        ):
            if value is not None:
                wanted[field] = org_id(value, field)
        if not wanted:
            raise InvalidInput(
                "nothing to change: give name, funder, recipient, funder_org_id, "
                "recipient_org_id or s151_officer",
                code="nothing-to-change",
            )
        changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
        if not changes:
            return current
        detail = {k: {"from": getattr(current, k), "to": v} for k, v in changes.items()}
        with self._tables.store.transaction(Action.GRANT_SET, current.name, detail):
            self._tables.grant.update(changes)
        return self.show()
