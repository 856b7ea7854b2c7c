"""Grant ledgers kept as plain files in a folder, loaded in one transaction.

The folder holds:

* ``grant.toml``: ``[grant]`` (name, funder, recipient, optional org ids),
  ``[[funding_year]]`` tables and ``[[variation]]`` tables;
* ``posts.csv``: ``id,title,role,team,host,route,fte,annual_cost,salary,on_cost_rate,category,planned_start,end``
  (a post per row: ``annual_cost``, or ``salary`` with ``on_cost_rate`` in percent);
* ``post_status.csv``: ``post,status,effective,reason,expected_start`` (recruitment
  status changes, kept as history);
* ``estimates.csv``: ``funding_year,category,post,amount,set_on``;
* ``spend.csv``: ``date,amount,category,post,supplier,description,reference,year``;
* ``receipts.csv``: ``date,amount,funding_year,reference``.

Each CSV is optional. Lines starting with ``#`` are comments (the example ledger
uses them to say its figures are illustrative). Money is text (``"2490000.00"``) or
a whole number of pounds, never a TOML float; dates are ISO or UK day-first.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.errors import Conflict, FsgrantError, InvalidInput, SourceError

if TYPE_CHECKING:
    from fsgrant.services.ledger import Ledger

__all__ = ["load_folder", "read_csv_rows"]

RowLoader = Callable[["Ledger", dict[str, str]], object]


def read_csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` from a ledger CSV, skipping ``#`` comment lines.

    Raises:
        SourceError: unreadable text, or a missing or unknown column.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(name, None, None, f"not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines()
    numbered = [
        (i + 1, line)
        for i, line in enumerate(lines)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return
    reader = csv.reader([line for _, line in numbered], strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in required if c not in header]
        if missing:
            raise SourceError(
                name, numbered[0][0], missing[0], f"missing column(s): {', '.join(missing)}"
            )
        unknown = [c for c in header if c not in required + optional]
        if unknown:
            raise SourceError(
                name,
                numbered[0][0],
                unknown[0],
                f"unknown column(s): {', '.join(unknown)}; expected {', '.join(required + optional)}",
            )
        for index, cells in enumerate(reader, start=1):
            line_no = numbered[index][0]
            if len(cells) != len(header):
                raise SourceError(
                    name, line_no, None, f"has {len(cells)} fields; the header has {len(header)}"
                )
            yield line_no, {h: c.strip() for h, c in zip(header, cells, strict=True)}
    except csv.Error as exc:
        raise SourceError(name, None, None, f"not valid CSV ({exc})") from None


def _located(source: str, line: int | None, exc: FsgrantError) -> SourceError:
    if isinstance(exc, SourceError):
        return exc
    field = exc.field if isinstance(exc, InvalidInput) else None
    reason = exc.message
    if field and reason.startswith(f"{field}: "):
        reason = reason[len(field) + 2 :]
    return SourceError(source, line, field, reason, code=exc.code)


def _toml_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise InvalidInput('money in grant.toml must be text like "2490000.00", not a float')
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def load_folder(ledger: Ledger, folder: Path) -> dict[str, int]:
    """Load ``folder`` into ``ledger`` in one transaction; see the module docstring."""
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder", field="folder")
    grant_file = folder / "grant.toml"
    if not grant_file.exists():
        raise InvalidInput(f"{folder} has no grant.toml", field="folder")
    try:
        config = tomllib.loads(grant_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError("grant.toml", None, None, f"not valid TOML ({exc})") from None
    existing = ledger.store.query_one("SELECT name FROM grant_info WHERE id = 1")
    if existing is not None:
        raise Conflict(
            f"{ledger.path} already holds the grant '{existing[0]}'; load a ledger folder into a new store"
        )
    counts = {
        "funding_years": 0,
        "variations": 0,
        "posts": 0,
        "post_status": 0,
        "estimates": 0,
        "spend": 0,
        "receipts": 0,
    }
    # counts fills in as the load goes; the audit entry records it when the load ends
    with ledger.store.transaction("load", str(folder), counts):
        _load_grant(ledger, config, counts)
        # Posts first: estimates and spend lines may name them.
        _load_csv(
            ledger,
            folder / "posts.csv",
            counts,
            "posts",
            _post,
            ("id", "role", "host", "fte", "planned_start"),
            ("title", "team", "route", "annual_cost", "salary", "on_cost_rate", "category", "end"),
        )
        _load_csv(
            ledger,
            folder / "post_status.csv",
            counts,
            "post_status",
            _post_status,
            ("post", "status", "effective"),
            ("reason", "expected_start"),
        )
        _load_csv(
            ledger,
            folder / "estimates.csv",
            counts,
            "estimates",
            _estimate,
            ("funding_year", "category", "amount"),
            ("post", "set_on"),
        )
        _load_csv(
            ledger,
            folder / "spend.csv",
            counts,
            "spend",
            _spend,
            ("date", "amount", "category"),
            ("post", "supplier", "description", "reference", "year"),
        )
        _load_csv(
            ledger,
            folder / "receipts.csv",
            counts,
            "receipts",
            _receipt,
            ("date", "amount", "funding_year"),
            ("reference",),
        )
    return counts


def _tables(config: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InvalidInput(f"'{key}' must be written as [[{key}]] tables", field=key)
    return value


@contextmanager
def _toml_entry(where: str) -> Iterator[None]:
    """Name the TOML table at fault in any error raised inside."""
    try:
        yield
    except KeyError as exc:
        raise InvalidInput(f"{where}: missing {exc.args[0]}", field=str(exc.args[0])) from None
    except FsgrantError as exc:
        raise InvalidInput(f"{where}: {exc.message}", field=getattr(exc, "field", None)) from None


def _load_grant(ledger: Ledger, config: dict[str, Any], counts: dict[str, int]) -> None:
    src = "grant.toml"
    try:
        g = config.get("grant")
        if not isinstance(g, dict):
            raise InvalidInput(
                "needs a [grant] table with name, funder and recipient", field="grant"
            )
        ledger.init(
            str(g.get("name", "")),
            str(g.get("funder", "")),
            str(g.get("recipient", "")),
            funder_org_id=_toml_text(g.get("funder_org_id")),
            recipient_org_id=_toml_text(g.get("recipient_org_id")),
        )
        for i, fy in enumerate(_tables(config, "funding_year"), start=1):
            with _toml_entry(f"[[funding_year]] #{i}"):
                ledger.add_year(
                    str(fy["label"]),
                    _toml_text(fy["award"]) or "",
                    _toml_text(fy["start"]) or "",
                    end=_toml_text(fy.get("end")),
                    status=fy.get("status", "confirmed"),
                    confirmed_on=_toml_text(fy.get("confirmed_on")),
                    conditions=[str(c) for c in fy.get("conditions", [])],
                )
            counts["funding_years"] += 1
        for i, v in enumerate(_tables(config, "variation"), start=1):
            with _toml_entry(f"[[variation]] #{i}"):
                ledger.vary_year(
                    str(v["funding_year"]),
                    agreed_on=_toml_text(v["agreed_on"]) or "",
                    reason=str(v["reason"]),
                    reference=_toml_text(v.get("reference")),
                    start=_toml_text(v.get("start")),
                    end=_toml_text(v.get("end")),
                    award=_toml_text(v.get("amount")),
                    move=_toml_text(v.get("move")),
                    to=_toml_text(v.get("to")),
                    status=v.get("status"),
                )
            counts["variations"] += 1
    except FsgrantError as exc:
        raise _located(src, None, exc) from None


def _load_csv(
    ledger: Ledger,
    path: Path,
    counts: dict[str, int],
    kind: str,
    loader: RowLoader,
    required: tuple[str, ...],
    optional: tuple[str, ...],
) -> None:
    if not path.exists():
        return
    for line, row in read_csv_rows(path, required, optional):
        try:
            loader(ledger, row)
        except FsgrantError as exc:
            raise _located(path.name, line, exc) from None
        counts[kind] += 1


def _opt(row: dict[str, str], key: str) -> str | None:
    value = row.get(key, "").strip()
    return value or None


def _post(ledger: Ledger, row: dict[str, str]) -> object:
    return ledger.add_post(
        row["id"],
        role=row["role"],
        host=row["host"],
        fte=row["fte"],
        planned_start=row["planned_start"],
        annual_cost=_opt(row, "annual_cost"),
        salary=_opt(row, "salary"),
        on_cost_rate=_opt(row, "on_cost_rate"),
        title=_opt(row, "title"),
        team=_opt(row, "team"),
        route=_opt(row, "route") or "direct",
        category=_opt(row, "category") or "staffing",
        end=_opt(row, "end"),
    )


def _post_status(ledger: Ledger, row: dict[str, str]) -> object:
    return ledger.post_status(
        row["post"],
        row["status"],
        row["effective"],
        reason=_opt(row, "reason"),
        expected_start=_opt(row, "expected_start"),
    )


def _estimate(ledger: Ledger, row: dict[str, str]) -> object:
    return ledger.set_estimate(
        row["funding_year"],
        row["category"],
        row["amount"],
        post=_opt(row, "post"),
        on=_opt(row, "set_on"),
    )


def _spend(ledger: Ledger, row: dict[str, str]) -> object:
    return ledger.add_spend(
        row["date"],
        row["amount"],
        row["category"],
        post=_opt(row, "post"),
        supplier=_opt(row, "supplier"),
        description=_opt(row, "description"),
        reference=_opt(row, "reference"),
        year=_opt(row, "year"),
    )


def _receipt(ledger: Ledger, row: dict[str, str]) -> object:
    return ledger.add_receipt(
        row["date"], row["amount"], row["funding_year"], reference=_opt(row, "reference")
    )
