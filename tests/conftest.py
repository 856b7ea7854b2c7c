"""Fixtures the tests share: fresh ledgers, the stores the reliability and
hostile-input tests start from, and one place that closes every store a test opened.

A test module that needs a different ledger defines its own fixture of the same name,
which takes the place of the one here for that module.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import fsgrant
from fsgrant.services.ledger import Ledger
from fsgrant.store.connection import Store

GRANT = ("Family Safeguarding", "Department for Education", "A council")
"""The grant of a fresh ledger: name, funder, recipient."""
ONE_YEAR = (("2019/20", "2490000.00", "2019-08-01"),)
"""2019/20: up to 2,490,000.00 from 1 August 2019 (to 31 July 2020), confirmed."""


@pytest.fixture(autouse=True)
def close_stores(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every store the test opened in its own thread, when it ends (a test or
    fixture may still close one itself: closing twice does nothing)."""
    opened: list[Store] = []
    here = threading.get_ident()
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def open_and_keep(cls: type[Store], *args: Any, **kwargs: Any) -> Store:
        store = real_open(cls, *args, **kwargs)
        if threading.get_ident() == here:
            opened.append(store)
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_and_keep))
    yield
    for store in opened:
        store.close()


@pytest.fixture
def new_ledger(tmp_path: Path) -> Callable[..., Ledger]:
    """A factory of fresh ledgers in the test's folder: ``new_ledger()`` is the grant
    (:data:`GRANT`) with 2019/20 (:data:`ONE_YEAR`) in ``grant.db``.

    ``years`` are (label, award, start) or (label, award, start, status); ``grant=None``
    leaves the store empty. The store is closed when the test ends.
    """

    def make(
        name: str = "grant.db",
        *,
        grant: tuple[str, str, str] | None = GRANT,
        years: Sequence[tuple[str, ...]] = ONE_YEAR,
    ) -> Ledger:
        led = fsgrant.open(tmp_path / name)
        if grant is not None:
            led.init(*grant)
        for label, award, start, *status in years:
            led.years.add(label, award, start, **({"status": status[0]} if status else {}))
        return led

    return make


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store holding the grant and its two funding years (2019/20 confirmed, 2020/21
    in principle), and nothing else: ``reliability_helpers.make_grant``."""
    from reliability_helpers import make_grant

    path = tmp_path / "grant.db"
    make_grant(path)
    return path


@pytest.fixture
def led(store_path: Path) -> Ledger:
    """The store at ``store_path``, open."""
    return fsgrant.open(store_path, create=False)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile-input tests' small store (``hostile_helpers.make_store``), made once
    per module."""
    from hostile_helpers import make_store

    return make_store(tmp_path_factory.mktemp("hostile-store") / "s.db")


@pytest.fixture
def store(original: Path, tmp_path: Path) -> Path:
    """A copy of :func:`original` for one test to change."""
    db = tmp_path / "s.db"
    shutil.copy(original, db)
    return db
