"""Cost categories: what money is spent on (``fsgrant category``)."""

from __future__ import annotations

from fsgrant.domain.arguments import checked
from fsgrant.domain.models import CATEGORY_PATTERN, CostCategory
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.store.tables import Tables

__all__ = ["CategoriesService"]


@checked
class CategoriesService:
    """``fs.categories``: list and add cost categories."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def list(self) -> list[CostCategory]:
        """The cost categories, by name."""
        return self._tables.grant.categories()

    def add(self, name: str, description: str = "") -> CostCategory:
        """Add a cost category (a lower-case slug such as ``travel``).

        Raises:
            InvalidInput: not a slug.  Conflict: it exists already.
        """
        slug = name.strip().lower()
        if not CATEGORY_PATTERN.match(slug):
            raise InvalidInput(
                f"category '{name}' must be lower-case letters, digits and hyphens, like 'case-recording'",
                field="category",
            )
        if slug in self._tables.grant.category_names():
            raise Conflict(f"category '{slug}' exists already")
        with self._tables.store.transaction(Action.CATEGORY_ADD, slug):
            self._tables.grant.insert_category(slug, description.strip())
        return CostCategory(name=slug, description=description.strip())

    def require(self, category: str) -> str:
        """The category's slug, if it exists.

        Raises:
            InvalidInput: unknown category (listing the known ones).
        """
        slug = category.strip().lower()
        names = self._tables.grant.category_names()
        if slug not in names:
            raise InvalidInput(
                f"unknown category '{category}'; known: {', '.join(sorted(names))} "
                "(add one with 'fsgrant category add')",
                field="category",
                value=category,
            )
        return slug
