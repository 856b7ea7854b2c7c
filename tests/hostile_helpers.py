"""What the hostile-input tests share: a small store, what must not change in it, and
the files and values they feed to fsgrant (tests/test_hostile_inputs*.py)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from scenario import two_year_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app

runner = CliRunner()


def make_store(db: Path) -> Path:
    """2019/20 and 2020/21 (two_year_grant), spend line 1 of 10.00 in training,
    receipt 1 of 500.00, post SW1."""
    with two_year_grant(db) as fs:
        fs.spend.add("2019-09-01", "10.00", "training", supplier="Acme")
        fs.receipts.add("2019-10-15", "500.00", year="2019/20")
        fs.posts.add(
            "SW1",
            role="mental-health",
            host="NHS",
            fte="1",
            planned_start="2019-09-01",
            annual_cost="40000.00",
        )
    return db


def state(db: Path) -> dict[str, Any]:
    """What must not change: the records, their totals and every file beside the store."""
    with fsgrant.open(db, create=False) as fs:
        lines = list(fs.spend.iter())
        facts: dict[str, Any] = {
            "spend": [(x.id, x.amount) for x in lines],
            "spend_total": sum((x.amount for x in lines), Decimal(0)),
            "receipts": [(r.id, r.amount) for r in fs.receipts.list()],
            "audit": len(fs.audit.log()),
        }
    facts["files"] = {
        str(p.relative_to(db.parent)): (
            "folder" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(db.parent.rglob("*"))
        if p.name not in (db.name, f"{db.name}-wal", f"{db.name}-shm")
        and (p.is_dir() or p.is_file())
    }
    return facts


def refused(db: Path, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


EXTRACT = b"date,amount,category\n2019-09-03,5.00,training\n2019-09-04,abc,training\n"
IMPORT = ["spend", "import", "{dir}/a.csv", "--skip-invalid"]

ROWS = "date,amount,category\n2019-09-03,5.00,training\n"


def xlsx(*rows: list[object]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def mapping_toml(source: str = "", rule: str = "") -> bytes:
    return (
        f'{source}\n[columns]\ndate = "date"\namount = "amount"\ncategory = "category"\n{rule}'
    ).encode()


# A ledger folder's grant.toml, its keys all known (the cases each mistype one).
GRANT_TOML = """[grant]
name = "G"
funder = "F"
recipient = "R"

[[funding_year]]
label = "2019/20"
award = "1000.00"
start = 2019-08-01
status = "in-principle"

[[variation]]
funding_year = "2019/20"
end = 2021-03-31
agreed_on = 2020-02-14
reason = "later start"

[[variation]]
funding_year = "2019/20"
amount = "10.00"
agreed_on = 2020-02-15
reason = "more"
"""

BIG = "99999999999999999999"  # 20 digits: past SQLite's 9223372036854775807
HUGE = "1" * 29


@dataclass(frozen=True)
class Case:
    """``args`` (``{dir}`` is the store's folder) run after ``files`` are written
    there (name -> bytes); the message holds ``message``; the exit code is ``code``."""

    name: str
    args: list[str]
    message: str
    code: int
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    folders: tuple[str, ...] = ()


# An extract with one good row and one bad (line 3): what --skip-invalid rejects.
