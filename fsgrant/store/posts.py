"""Funded posts and their recruitment status history: rows to records."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.money import from_pence
from fsgrant.domain.posts import Post, PostChange, StatusChange
from fsgrant.store.connection import Store

__all__ = ["PostsTable"]


class PostsTable:
    """``posts``, ``post_status`` and ``post_changes`` (all append-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self, post_id: str) -> bool:
        return self.store.query_one("SELECT 1 FROM posts WHERE id = ?", [post_id]) is not None

    def ids(self) -> list[str]:
        return [r[0] for r in self.store.query("SELECT id FROM posts ORDER BY id")]

    def naming(self, category: str) -> int:
        """How many posts charge to ``category``."""
        row = self.store.query_one("SELECT count(*) FROM posts WHERE category = ?", [category])
        return 0 if row is None else int(row[0])

    def load(self, post_id: str | None = None) -> list[Post]:
        """Posts (one, or all by id) with their status history in effective order."""
        one, params = ("id = ?", [post_id]) if post_id is not None else ("1", [])
        sone = "post = ?" if post_id is not None else "1"
        # The roster as known at a horizon, when reads have one (Store.known_as).
        posts_known, p_params = self.store.roster_clause("post")
        status_known, s_params = self.store.roster_clause("post-status")
        changes_known, c_params = self.store.roster_clause("post-change")
        history: dict[str, list[StatusChange]] = defaultdict(list)
        for r in self.store.query(
            f"SELECT * FROM post_status WHERE {sone} AND {status_known} ORDER BY effective, id",
            [*params, *s_params],
        ):
            history[r["post"]].append(
                StatusChange(
                    id=r["id"],
                    post=r["post"],
                    status=r["status"],
                    effective=r["effective"],
                    reason=r["reason"],
                    expected_start=r["expected_start"],
                    recorded_at=datetime.fromisoformat(r["recorded_at"]),
                    recorded_by=r["recorded_by"],
                )
            )
        changes: dict[str, list[PostChange]] = defaultdict(list)
        for r in self.store.query(
            f"SELECT * FROM post_changes WHERE {sone} AND {changes_known} ORDER BY effective, id",
            [*params, *c_params],
        ):
            changes[r["post"]].append(_change(r))
        return [
            Post(
                id=r["id"],
                title=r["title"],
                role=r["role"],
                team=r["team"],
                host=r["host"],
                route=r["route"],
                fte=r["fte"],
                annual_cost=from_pence(r["annual_cost_pence"]),
                salary=None if r["salary_pence"] is None else from_pence(r["salary_pence"]),
                on_cost_rate=None if r["on_cost_rate"] is None else Decimal(r["on_cost_rate"]),
                category=r["category"],
                planned_start=r["planned_start"],
                end=r["end_date"],
                history=tuple(history.get(r["id"], ())),
                changes=tuple(changes.get(r["id"], ())),
            )
            for r in self.store.query(
                f"SELECT * FROM posts WHERE {one} AND {posts_known} ORDER BY id",
                [*params, *p_params],
            )
        ]

    def insert(self, record: dict[str, Any]) -> None:
        self.store.insert("posts", record)

    def insert_status(self, record: dict[str, Any]) -> int:
        return self.store.insert("post_status", record)

    def insert_change(self, record: dict[str, Any]) -> int:
        return self.store.insert("post_changes", record)


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else from_pence(pence)


def _change(r: Any) -> PostChange:
    return PostChange(
        id=r["id"],
        post=r["post"],
        effective=r["effective"],
        annual_cost=_pounds(r["annual_cost_pence"]),
        salary=_pounds(r["salary_pence"]),
        on_cost_rate=None if r["on_cost_rate"] is None else Decimal(r["on_cost_rate"]),
        fte=r["fte"],
        host=r["host"],
        route=r["route"],
        team=r["team"],
        title=r["title"],
        end=r["end_date"],
        reason=r["reason"],
        recorded_at=datetime.fromisoformat(r["recorded_at"]),
        recorded_by=r["recorded_by"],
    )
