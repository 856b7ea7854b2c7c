"""Every public method of every service of the library, given a value of the wrong
type for any one argument, raises fsgrant's own error (or, where the value is usable,
succeeds): never a bare TypeError, AttributeError or IndexError, and a refused call
leaves the store as it was.
"""

from __future__ import annotations

import inspect
import shutil
import tempfile
from pathlib import Path

import pytest

import fsgrant
from fsgrant.errors import FsgrantError

SERVICES = (
    "audit",
    "categories",
    "commitments",
    "conditions",
    "estimates",
    "exports",
    "forecasts",
    "grant",
    "imports",
    "measures",
    "periods",
    "plan",
    "posts",
    "receipts",
    "reports",
    "returns",
    "settings",
    "spend",
    "years",
)
"""The services a ledger composes (``fs.spend``, ``fs.imports``, ...)."""

WRONG = (3, 1.5, True, object(), b"x", ["x"])
"""Values of the wrong type for most arguments (an int for text, a float for an id, ...)."""


def _arguments(method) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(method).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _probes() -> list[tuple[str, str, str]]:
    """(service, method, argument) for every argument of every public method."""
    found = []
    with tempfile.TemporaryDirectory() as folder, fsgrant.open(Path(folder) / "p.db") as led:
        for service in SERVICES:
            for name, method in inspect.getmembers(getattr(led, service), inspect.ismethod):
                if not name.startswith("_"):
                    found += [(service, name, p.name) for p in _arguments(method)]
    return found


PROBES = _probes()


def _filler(p: inspect.Parameter) -> object:
    """A plausible value for a required argument the test is not probing."""
    if "date" in p.name or p.name in ("on", "day", "as_at", "start", "end"):
        return "2019-09-01"
    return "x"


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    path = tmp_path_factory.mktemp("types") / "p.db"
    with fsgrant.open(path) as led:
        led.init("Family Safeguarding", "Department for Education", "A council")
        led.years.add("2019/20", "2490000.00", "2019-08-01")
        led.spend.add("2019-09-01", "10.00", "training")
    return path


def test_every_service_is_probed():
    assert {service for service, _, _ in PROBES} == set(SERVICES)
    assert len(PROBES) > 300, len(PROBES)


@pytest.mark.parametrize(("service", "method", "argument"), PROBES)
def test_a_wrong_type_gets_fsgrants_own_error(original, tmp_path, service, method, argument):
    path = tmp_path / "p.db"
    shutil.copy(original, path)
    with fsgrant.open(path) as led:
        before = led.exports.fingerprint(), len(led.audit.log())
        call = getattr(getattr(led, service), method)
        for wrong in WRONG:
            kwargs = {
                p.name: wrong if p.name == argument else _filler(p)
                for p in _arguments(call)
                if p.name == argument or p.default is p.empty
            }
            try:
                call(**kwargs)
            except FsgrantError:
                assert (led.exports.fingerprint(), len(led.audit.log())) == before, wrong
            except Exception as exc:  # what this test exists to find
                pytest.fail(f"fs.{service}.{method}({argument}={wrong!r}): {exc!r}")
            else:
                return  # usable after all (a value shown as text): it may have written
