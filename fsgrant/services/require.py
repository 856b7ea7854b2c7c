"""Checks that a record a command names exists, shared by the services (kept apart
so that a service needing one imports no other service's module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fsgrant.errors import NotFound

if TYPE_CHECKING:
    from fsgrant.store.tables import Tables

__all__ = ["require_post"]


def require_post(tables: Tables, post_id: str) -> str:
    """``post_id``, if the post exists.

    Raises:
        NotFound: no such post.
    """
    if not tables.posts.exists(post_id):
        raise NotFound("post", post_id, "add it with 'fsgrant post add'")
    return post_id
