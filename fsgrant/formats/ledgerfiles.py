"""Grant ledgers kept as plain files in a folder, loaded in one transaction.

The folder holds:

* ``grant.toml``: ``[grant]`` (name, funder, recipient, optional org ids),
  ``[[funding_year]]`` tables, ``[[variation]]`` tables and ``[[condition]]`` tables
  (``funding_year``, ``text``, optional ``due``, ``agreed_on``, ``check``,
  ``check_year``: numbered after the conditions listed with their year);
* ``posts.csv``: ``id,title,role,team,host,route,fte,annual_cost,salary,on_cost_rate,category,planned_start,end``
  (a post per row: ``annual_cost``, or ``salary`` with ``on_cost_rate`` in percent);
* ``post_status.csv``: ``post,status,effective,reason,expected_start`` (recruitment
  status changes, kept as history);
* ``post_changes.csv``: ``post,effective,reason,annual_cost,salary,on_cost_rate,fte,host,route,team,title,end``
  (dated changes of a post's details: pay awards, FTE changes, leaving dates; an empty
  cell keeps the value in force);
* ``estimates.csv``: ``funding_year,category,post,amount,set_on,reason,reference``
  (a revision, after the first of its year, category and post, gives its reason);
* ``estimate_phasing.csv``: ``funding_year,category,month,amount,set_on`` (how an
  estimate falls by month: the rows of one funding year, category and ``set_on``
  make one phasing, whose months must add up exactly to the estimate in force on
  ``set_on``, as ``estimate phase --months`` requires);
* ``forecast_additions.csv``: ``funding_year,category,amount,reason,set_on`` (additions
  to a post-driven forecast the posts do not show, such as agency cover; a later row
  with the same reason revises an earlier one);
* ``commitments.csv``: ``date,amount,category,reference,supplier,post,description,cancelled_on,cancel_reason``
  (purchase orders raised and not yet invoiced; spend lines quoting the reference draw
  them down; a cancelled one gives the day and the reason);
* ``spend.csv``: ``date,amount,category,post,supplier,description,reference,year,reverse_on``
  (a line with ``reverse_on`` is an accrual, reversed on that day; it names no year);
* ``receipts.csv``: ``date,amount,funding_year,reference``;
* ``condition_events.csv``: ``funding_year,number,kind,on,status,note,document,reason,reference,due,check,text``
  (``kind`` is ``evidence``, with a note and optionally a document, ``status``,
  with a status and, for ``not-met`` and ``waived``, a reason, or ``amend``, with a
  reason and the terms that change: ``due``, ``check``, ``text``);
* ``measures.csv``: ``name,date,value,note`` (observed outcome measures, such as
  children in care on a date);
* ``measure_targets.csv``: ``name,financial_year,value,set_on`` (the level a measure
  is expected to reach in a council financial year, ``FY2023/24``);
* ``plan_sources.csv``:
  ``name,kind,description,measure,baseline,unit_cost,added_on,beneficiary`` (what pays
  for the model once the grant ends; a ``savings`` source may name a measure, with its
  baseline and unit cost, all three together; ``added_on``, when it joined the plan,
  default the first funding year's start; ``beneficiary``, who gains a savings
  source's savings: ``council`` (default), ``police``, ``health`` or ``other``);
* ``plan_funding.csv``: ``source,financial_year,amount,set_on,note`` (funding a
  source commits in a financial year);
* ``plan_costs.csv``: ``category,financial_year,amount,set_on,note`` (recurring costs
  no post drives).

The plan files are loaded last, measures before the sources that name them. Each CSV
is optional. Lines starting with ``#`` are comments (the example ledger
uses them to say its figures are illustrative). Money is text (``"2490000.00"``) or
a whole number of pounds, never a TOML float; dates are ISO or UK day-first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fsgrant.errors import FsgrantError, InvalidInput, NotFound, SourceError
from fsgrant.formats import strict_toml
from fsgrant.formats.input_files import check_input_file, check_input_folder
from fsgrant.formats.ledger_columns import COLUMNS, CSV_FILES

__all__ = ["FolderEntry", "LedgerFolder", "entry_errors", "read_csv_rows", "read_folder"]

KINDS = (
    "funding_years",
    "variations",
    "conditions",
    "posts",
    "post_status",
    "post_changes",
    "estimates",
    "estimate_phasing",
    "forecast_additions",
    "commitments",
    "spend",
    "receipts",
    "condition_events",
    "measures",
    "measure_targets",
    "plan_sources",
    "plan_funding",
    "plan_costs",
)
"""What a folder holds, in the order it is loaded (posts first: estimates and spend
lines may name them; measures before the plan sources linked to them; posts before
plan costs, which may not be for a category posts are charged to)."""


@dataclass(frozen=True)
class FolderEntry:
    """One record of a ledger folder: what kind, where it was written, its fields
    (named as the library's parameters)."""

    kind: str
    source: str
    """The file it came from, e.g. ``spend.csv``."""
    line: int | None
    """Its line, for a CSV row."""
    where: str | None = None
    """Its table, for a TOML table, e.g. ``[[variation]] #2``."""
    fields: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    """The file's column for a parameter whose name differs (``on`` -> ``set_on``),
    so an error names the column the user wrote."""


@dataclass(frozen=True)
class LedgerFolder:
    """A ledger folder read: the grant's details up front, the rest as a stream."""

    path: Path
    grant: dict[str, str | None]
    tables: list[FolderEntry]
    """The funding years and variations of ``grant.toml``."""

    def entries(self) -> Iterator[FolderEntry]:
        """Every record in load order (see :data:`KINDS`); CSV files are read as the
        stream is consumed.

        Raises:
            SourceError: unreadable text, or a missing or unknown column.
        """
        yield from self.tables
        for kind, file_name, required, optional, fields in CSV_FILES:
            path = self.path / file_name
            if not path.exists():
                continue
            if kind == "estimate_phasing":
                yield from _phasing_entries(path, required, optional)
                continue
            columns = COLUMNS.get(kind, {})
            for line, row in read_csv_rows(path, required, optional):
                yield FolderEntry(kind, file_name, line, None, fields(row), columns)


def _phasing_entries(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[FolderEntry]:
    """One entry per phasing of ``estimate_phasing.csv``: the rows of one (funding
    year, category, set_on), in the order each first appears. Its ``months`` map
    month to amount; ``month_lines`` says on which line each month was written, so an
    error about a month can name its line (the entry's own line is the first row's).

    Raises:
        SourceError: a bad month or amount, or a month given twice for one phasing.
    """
    from fsgrant.domain.money import parse_amount
    from fsgrant.domain.phasing import parse_month

    name = path.name
    groups: dict[tuple[str, str, str], FolderEntry] = {}
    for line, row in read_csv_rows(path, required, optional):
        for column in required:
            if not row[column]:
                raise SourceError(name, line, column, "is empty")
        try:
            month = parse_month(row["month"])
        except InvalidInput as exc:
            raise SourceError(name, line, "month", exc.message, value=row["month"]) from None
        try:
            amount = parse_amount(row["amount"])
        except InvalidInput as exc:
            raise SourceError(name, line, "amount", exc.message, value=row["amount"]) from None
        key = (row["funding_year"], row["category"], row.get("set_on", ""))
        entry = groups.get(key)
        if entry is None:
            entry = groups[key] = FolderEntry(
                "estimate_phasing",
                name,
                line,
                None,
                {
                    "label": key[0],
                    "category": key[1],
                    "on": key[2] or None,
                    "months": {},
                    "month_lines": {},
                },
            )
        if month in entry.fields["months"]:
            raise SourceError(
                name,
                line,
                "month",
                f"{month} is given twice for {key[0]} {key[1]}"
                + (f" set on {key[2]}" if key[2] else ""),
                value=row["month"],
            )
        entry.fields["months"][month] = amount
        entry.fields["month_lines"][month] = line
    yield from groups.values()


@contextmanager
def entry_errors(entry: FolderEntry | None, source: str = "grant.toml") -> Iterator[None]:
    """Turn any error raised inside into a :class:`SourceError` naming the entry's
    file, line (or TOML table) and field. With no entry: the grant's own details."""
    try:
        yield
    except FsgrantError as exc:
        if entry is None:
            raise _located(source, None, exc) from None
        if entry.where is not None and not isinstance(exc, SourceError):
            exc = InvalidInput(f"{entry.where}: {exc.message}", field=getattr(exc, "field", None))
        if isinstance(exc, NotFound):
            # name the field that held the missing key (a spend line's post, a source)
            named = [k for k, v in entry.fields.items() if v is not None and str(v) == str(exc.key)]
            if named:
                exc = InvalidInput(exc.message, field=named[0], code=exc.code)
        raise _located(entry.source, entry.line, exc, entry.columns) from None


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


def _located(
    source: str, line: int | None, exc: FsgrantError, columns: dict[str, str] | None = None
) -> SourceError:
    if isinstance(exc, SourceError):
        return exc
    field = exc.field if isinstance(exc, InvalidInput) else None
    reason = exc.message
    if field and reason.startswith(f"{field}: "):
        reason = reason[len(field) + 2 :]
    if field and columns:
        field = columns.get(field, field)
    return SourceError(source, line, field, reason, code=exc.code)


def _toml_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise InvalidInput('money in grant.toml must be text like "2490000.00", not a float')
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


GRANT_TOML = strict_toml.TableKeys(
    tables={
        "grant": strict_toml.TableKeys(
            ("name", "funder", "recipient", "funder_org_id", "recipient_org_id")
        )
    },
    arrays={
        "funding_year": strict_toml.TableKeys(
            ("label", "award", "start", "end", "status", "confirmed_on", "conditions"),
            hints={"amount": "award"},
        ),
        "variation": strict_toml.TableKeys(
            (
                *("funding_year", "agreed_on", "reason", "reference"),
                *("start", "end", "amount", "move", "to", "status"),
            ),
            hints={"award": "amount"},
        ),
        "condition": strict_toml.TableKeys(
            ("funding_year", "text", "due", "agreed_on", "check", "check_year")
        ),
    },
)
"""The keys ``grant.toml`` may hold, table by table: any other is refused."""


def read_folder(folder: Path) -> LedgerFolder:
    """Read a ledger folder's ``grant.toml`` (the CSV files are read as its entries
    are consumed); see the module docstring.

    Raises:
        InvalidInput: not a folder, or no ``grant.toml``.
        SourceError: bad TOML, an unknown key (naming the table, the key and the
            nearest known one), or a malformed table (naming it).
    """
    check_input_folder(folder)
    grant_file = folder / "grant.toml"
    if not grant_file.exists():
        raise InvalidInput(f"{folder} has no grant.toml", field="folder")
    check_input_file(grant_file)
    try:
        text = grant_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError("grant.toml", None, None, f"not UTF-8 text ({exc.reason})") from None
    config = strict_toml.loads(text, "grant.toml")
    strict_toml.check_keys(config, GRANT_TOML, source="grant.toml", text=text)
    with entry_errors(None):
        g = config.get("grant")
        if not isinstance(g, dict):
            raise InvalidInput(
                "needs a [grant] table with name, funder and recipient", field="grant"
            )
        grant = {
            "name": str(g.get("name", "")),
            "funder": str(g.get("funder", "")),
            "recipient": str(g.get("recipient", "")),
            "funder_org_id": _toml_text(g.get("funder_org_id")),
            "recipient_org_id": _toml_text(g.get("recipient_org_id")),
        }
        tables = [
            _toml_entry("funding_years", f"[[funding_year]] #{i}", fy, _year_fields)
            for i, fy in enumerate(_tables(config, "funding_year"), start=1)
        ]
        tables += [
            _toml_entry("variations", f"[[variation]] #{i}", v, _variation_fields)
            for i, v in enumerate(_tables(config, "variation"), start=1)
        ]
        tables += [
            _toml_entry("conditions", f"[[condition]] #{i}", c, _condition_fields)
            for i, c in enumerate(_tables(config, "condition"), start=1)
        ]
    return LedgerFolder(folder, grant, tables)


def _tables(config: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InvalidInput(f"'{key}' must be written as [[{key}]] tables", field=key)
    return value


def _toml_entry(kind: str, where: str, table: dict[str, Any], fields: Any) -> FolderEntry:
    """An entry for one TOML table; an error names the table."""
    try:
        return FolderEntry(kind, "grant.toml", None, where, fields(table))
    except KeyError as exc:
        raise InvalidInput(f"{where}: missing {exc.args[0]}", field=str(exc.args[0])) from None
    except FsgrantError as exc:
        raise InvalidInput(f"{where}: {exc.message}", field=getattr(exc, "field", None)) from None


def _year_fields(fy: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": str(fy["label"]),
        "award": _toml_text(fy["award"]) or "",
        "start": _toml_text(fy["start"]) or "",
        "end": _toml_text(fy.get("end")),
        "status": fy.get("status", "confirmed"),
        "confirmed_on": _toml_text(fy.get("confirmed_on")),
        "conditions": [str(c) for c in fy.get("conditions", [])],
    }


def _variation_fields(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": str(v["funding_year"]),
        "agreed_on": _toml_text(v["agreed_on"]) or "",
        "reason": str(v["reason"]),
        "reference": _toml_text(v.get("reference")),
        "start": _toml_text(v.get("start")),
        "end": _toml_text(v.get("end")),
        "award": _toml_text(v.get("amount")),
        "move": _toml_text(v.get("move")),
        "to": _toml_text(v.get("to")),
        "status": v.get("status"),
    }


def _condition_fields(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": str(c["funding_year"]),
        "text": str(c["text"]),
        "due": _toml_text(c.get("due")),
        "agreed_on": _toml_text(c.get("agreed_on")),
        "check": _toml_text(c.get("check")),
        "check_year": _toml_text(c.get("check_year")),
    }
