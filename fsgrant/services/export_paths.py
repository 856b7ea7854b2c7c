"""Where exports go when no file is named: the folder and the names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

__all__ = ["default_return_name", "default_target"]


def default_return_name(grant_name: str, label: str, as_at: date, period: str | None = None) -> str:
    """``<grant-slug>-<year>-return-<as-at>.xlsx``, the year ``2019/20`` as ``2019-20``;
    a quarterly return's name holds its period before the date."""
    from fsgrant.formats.giving360 import grant_slug

    middle = "" if period is None else f"{grant_slug(period)}-"
    return f"{grant_slug(grant_name)}-{grant_slug(label)}-return-{middle}{as_at.isoformat()}.xlsx"


def default_target(name: str) -> Path:
    """``exports/<name>``, the folder made if missing: where an export goes by default."""
    folder = Path("exports")
    folder.mkdir(exist_ok=True)
    return folder / name
