"""Hostile files, paths, numbers and library calls: each refused before anything is
written, with fsgrant's own message and exit code, no traceback, nothing lost.

One table of command lines (what is given, the command, a fragment of the message
worked out by hand, the exit code) and one of library calls. Each case runs on a copy
of a small store; afterwards the store's spend lines, receipts and audit trail, and
every file in the folder, are as they were.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario import two_year_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import FsgrantError, InvalidInput

runner = CliRunner()


# ------------------------------------------------------------------ the store
@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """2019/20 and 2020/21 (two_year_grant), spend line 1 of 10.00 in training,
    receipt 1 of 500.00, post SW1."""
    db = tmp_path_factory.mktemp("hostile-store") / "s.db"
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


@pytest.fixture
def store(original, tmp_path):
    db = tmp_path / "s.db"
    shutil.copy(original, db)
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


# ------------------------------------------------------------- the CLI table
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
EXTRACT = b"date,amount,category\n2019-09-03,5.00,training\n2019-09-04,abc,training\n"
IMPORT = ["spend", "import", "{dir}/a.csv", "--skip-invalid"]

ROWS = "date,amount,category\n2019-09-03,5.00,training\n"


def _xlsx(*rows: list[object]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _mapping(source: str = "", rule: str = "") -> bytes:
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

CASES = [
    # Files the user has, lost to an output.
    Case(
        "rejects is the extract",
        [*IMPORT, "--rejects", "{dir}/a.csv"],
        "rejects: {dir}/a.csv is the file being read",
        2,
        files={"a.csv": EXTRACT},
    ),
    Case(
        "rejects is the extract by another name",
        [*IMPORT, "--rejects", "{dir}/sub/../a.csv"],
        "is the file being read",
        2,
        files={"a.csv": EXTRACT},
        folders=("sub",),
    ),
    Case(
        "rejects file exists",
        IMPORT,
        "{dir}/a-rejects.csv exists already; use --force to replace it",
        1,
        files={"a.csv": EXTRACT, "a-rejects.csv": b"keep me\n"},
    ),
    Case(
        "rejects is a folder",
        [*IMPORT, "--rejects", "{dir}/sub"],
        "rejects: {dir}/sub is a folder; name a file in it",
        2,
        files={"a.csv": EXTRACT},
        folders=("sub",),
    ),
    Case(
        "rejects in a missing folder",
        [*IMPORT, "--rejects", "{dir}/none/r.csv"],
        "rejects: folder {dir}/none does not exist",
        2,
        files={"a.csv": EXTRACT},
    ),
    Case(
        "rejects to /dev/null",
        [*IMPORT, "--rejects", "/dev/null", "--force"],
        "rejects: /dev/null is not a regular file",
        2,
        files={"a.csv": EXTRACT},
    ),
    Case(
        "export return to a folder with --force",
        ["export", "return", "--year", "2019/20", "--out", "{dir}/r.xlsx", "--force"],
        "out: {dir}/r.xlsx is a folder; name a file in it",
        2,
        folders=("r.xlsx",),
    ),
    Case(
        "export return over a file without --force",
        ["export", "return", "--year", "2019/20", "--out", "{dir}/r.xlsx"],
        "{dir}/r.xlsx exists already; use --force to replace it",
        1,
        files={"r.xlsx": b"an earlier return"},
    ),
    Case(
        "export return to a name too long for the file system",
        ["export", "return", "--year", "2019/20", "--out", "{dir}/" + "r" * 300 + ".xlsx"],
        "out: cannot write {dir}/rrr",
        2,
    ),
    Case(
        "backup to a name too long for the file system",
        ["backup", "{dir}/" + "b" * 300],
        "cannot write a backup to {dir}/bbb",
        1,
    ),
    Case(
        "backup over a folder",
        ["backup", "{dir}/sub"],
        "refusing to overwrite {dir}/sub: it is a folder",
        1,
        folders=("sub",),
    ),
    Case(
        "load from a name too long for the file system",
        ["load", "{dir}/" + "l" * 300],
        "cannot be read: File name too long",
        2,
    ),
    Case(
        "demo over an existing store",
        ["demo", "--out", "{dir}/d"],
        "{dir}/d/demo.db exists already; use --force to replace it",
        1,
        files={"d/demo.db": b"my own demo"},
    ),
    # Dates in other scripts' digits (amounts refuse them too).
    Case(
        "Arabic-Indic digits in a date",
        ["spend", "add", "\u0662\u0660\u0661\u0669-\u0660\u0669-\u0660\u0662", "1.00", "training"],
        "is not a date like 2020-02-04 or 04/02/2020",
        2,
    ),
    Case(
        "full-width digits in a date",
        ["spend", "add", "\uff10\uff12/\uff10\uff19/\uff12\uff10\uff11\uff19", "1.00", "training"],
        "is not a date like 2020-02-04 or 04/02/2020",
        2,
    ),
    Case(
        "report spend --from after --to",
        ["report", "spend", "--from", "2020-01-01", "--to", "2019-12-31"],
        "--to 2019-12-31 is before --from 2020-01-01",
        2,
    ),
    Case(
        "spend list --from after --to",
        ["spend", "list", "--from", "2020-01-01", "--to", "2019-12-31"],
        "--to 2019-12-31 is before --from 2020-01-01",
        2,
    ),
    # Org ids: letters, digits and hyphens.
    Case(
        "org id with a newline",
        ["grant", "set", "--funder-org-id", "GB-GOR\nPB1"],
        "funder_org_id 'GB-GOR\\nPB1' is not an org id like GB-LAE-CAM",
        2,
    ),
    Case(
        "org id starting a formula",
        ["grant", "set", "--recipient-org-id", "=cmd|' /C calc'!A0"],
        "recipient_org_id '=cmd|' /C calc'!A0' is not an org id like GB-LAE-CAM",
        2,
    ),
    Case(
        "org id given to init",
        [
            "init",
            "--grant",
            "G",
            "--funder",
            "F",
            "--recipient",
            "R",
            "--recipient-org-id",
            "GB LAE CAM",
        ],
        "recipient_org_id 'GB LAE CAM' is not an org id",
        2,
    ),
    # Extracts that are not what they seem.
    Case(
        "extract is a folder",
        ["spend", "import", "{dir}/sub"],
        "sub: is a folder, not a file",
        2,
        folders=("sub",),
    ),
    Case(
        "mapping is a folder",
        ["spend", "import", "{dir}/a.csv", "--mapping", "{dir}/sub"],
        "sub: is a folder, not a file",
        2,
        files={"a.csv": EXTRACT},
        folders=("sub",),
    ),
    Case(
        "return to verify is a folder",
        ["export", "verify", "{dir}/r.xlsx"],
        "r.xlsx: is a folder, not a file",
        2,
        folders=("r.xlsx",),
    ),
    Case(
        "return to submit is a device",
        ["return", "submit", "/dev/null"],
        "null: is not a regular file",
        2,
    ),
    Case(
        "extract is /dev/null",
        ["spend", "import", "/dev/null"],
        "null: is not a regular file (a device, pipe or socket)",
        2,
    ),
    Case(
        "extract in UTF-16 with a byte-order mark",
        ["spend", "import", "{dir}/u.csv"],
        "u.csv: UTF-16 text: save it as UTF-8 or CSV",
        2,
        files={"u.csv": ROWS.encode("utf-16")},
    ),
    Case(
        "extract in UTF-16 without a mark",
        ["spend", "import", "{dir}/u.csv"],
        "u.csv: UTF-16 text: save it as UTF-8 or CSV",
        2,
        files={"u.csv": ROWS.encode("utf-16-be")},
    ),
    Case(
        "extract in UTF-32",
        ["spend", "import", "{dir}/u.csv"],
        "u.csv: UTF-32 text",
        2,
        files={"u.csv": ROWS.encode("utf-32")},
    ),
    Case(
        "XLSX boolean in the amount column",
        ["spend", "import", "{dir}/b.xlsx"],
        "b.xlsx, line 2, field 'amount': cell B2: a TRUE/FALSE cell is not an amount",
        2,
        files={"b.xlsx": _xlsx(["date", "amount", "category"], ["2019-09-03", True, "training"])},
    ),
    Case(
        "two columns of the mapped name (CSV)",
        ["spend", "import", "{dir}/d.csv"],
        "d.csv, line 1, field 'amount': the header has 2 columns named 'amount' (columns 2 and 4)",
        2,
        files={"d.csv": b"date,amount,category,Amount\n2019-09-03,5.00,training,7.00\n"},
    ),
    Case(
        "two columns of the mapped name (XLSX)",
        ["spend", "import", "{dir}/d.xlsx"],
        "the header has 2 columns named 'amount' (columns B and D)",
        2,
        files={
            "d.xlsx": _xlsx(["date", "amount", "category", " AMOUNT"], ["2019-09-03", 5, "x", 6])
        },
    ),
    # Mappings that would read text with a text codec, or backtrack for ever.
    Case(
        "mapping encoding rot13",
        ["spend", "import", "{dir}/a.csv", "--mapping", "{dir}/m.toml"],
        "m.toml, line 2, field 'source.encoding': 'rot13' is not a text encoding",
        2,
        files={"a.csv": EXTRACT, "m.toml": _mapping('[source]\nencoding = "rot13"')},
    ),
    Case(
        "mapping encoding base64 in mapping check",
        ["mapping", "check", "{dir}/m.toml", "--file", "{dir}/a.csv"],
        "'base64' is not a text encoding",
        2,
        files={"a.csv": EXTRACT, "m.toml": _mapping('[source]\nencoding = "base64"')},
    ),
    Case(
        "mapping says UTF-16 of a UTF-8 file",
        ["spend", "import", "{dir}/a.csv", "--mapping", "{dir}/m.toml"],
        "a.csv: not utf-16 text",
        2,
        files={"a.csv": EXTRACT, "m.toml": _mapping('[source]\nencoding = "utf-16"')},
    ),
    Case(
        "mapping regex with nested quantifiers",
        ["mapping", "check", "{dir}/m.toml", "--file", "{dir}/a.csv"],
        "'(a+)+$' repeats what can match the same text in many ways (a quantifier inside",
        2,
        files={
            "a.csv": EXTRACT,
            "m.toml": _mapping(
                rule='[[categories.rules]]\ncolumn = "category"\nmatches = "(a+)+$"\n'
                'category = "training"\n'
            ),
        },
    ),
    # Keys mistyped in a TOML file the user writes.
    *(
        Case(
            f"grant.toml: {typo}",
            ["load", "{dir}/ledger"],
            message,
            2,
            files={"ledger/grant.toml": GRANT_TOML.replace(right, typo).encode()},
        )
        for right, typo, message in [
            (
                "end = 2021-03-31",
                "end_date = 2021-03-31",
                "grant.toml, line 14, field 'variation.end_date': unknown key 'end_date' in "
                "[[variation]] #1 (did you mean 'end'?); expected one of: funding_year,",
            ),
            (
                'status = "in-principle"',
                'statuss = "in-principle"',
                "grant.toml, line 10, field 'funding_year.statuss': unknown key 'statuss' in "
                "[[funding_year]] #1 (did you mean 'status'?)",
            ),
            (
                'amount = "10.00"',
                'award = "10.00"',
                "grant.toml, line 20, field 'variation.award': unknown key 'award' in "
                "[[variation]] #2 (did you mean 'amount'?)",
            ),
            (
                'recipient = "R"',
                'recipent = "R"',
                "grant.toml, line 4, field 'grant.recipent': unknown key 'recipent' in "
                "[grant] (did you mean 'recipient'?)",
            ),
            (
                "[[funding_year]]",
                "[[funding_years]]",
                "grant.toml, line 6, field 'funding_years': unknown key 'funding_years' in the "
                "top level (did you mean 'funding_year'?)",
            ),
        ]
    ),
    Case(
        "mapping: a key mistyped",
        ["mapping", "check", "{dir}/m.toml", "--file", "{dir}/a.csv"],
        "m.toml, line 2, field 'source.encodng': unknown key 'encodng' in [source] "
        "(did you mean 'encoding'?); expected one of: name, sheet, encoding,",
        2,
        files={"a.csv": EXTRACT, "m.toml": _mapping('[source]\nencodng = "utf-8"')},
    ),
    # Ids past SQLite's integer range.
    Case("spend show huge id", ["spend", "show", BIG], f"{BIG} is out of range", 2),
    Case(
        "spend reverse huge id",
        ["spend", "reverse", BIG, "--reason", "x"],
        f"{BIG} is out of range",
        2,
    ),
    Case("imports show huge id", ["imports", "show", BIG], f"{BIG} is out of range", 2),
    Case("return show huge id", ["return", "show", BIG], f"{BIG} is out of range", 2),
    Case("spend list --batch huge", ["spend", "list", "--batch", BIG], "batch", 2),
    # Numbers of 29 digits in measures.
    Case(
        "measure add 29 digits",
        ["measure", "add", "children-in-care", "2020-01-31", HUGE],
        f"value: {HUGE} is too large",
        2,
    ),
    Case(
        "measure target 29 digits",
        ["measure", "target", "children-in-care", "FY2020/21", HUGE],
        f"{HUGE} is too large",
        2,
    ),
    # The busy timeout from the environment.
    *(
        Case(
            f"FSGRANT_BUSY_TIMEOUT={v}",
            ["spend", "add", "2019-09-02", "1.00", "training"],
            f"FSGRANT_BUSY_TIMEOUT='{v}' is not a number of seconds from 0 to 86400",
            2,
            env={"FSGRANT_BUSY_TIMEOUT": v},
        )
        for v in ("1e308", "nan", "-1", "inf")
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_refused_through_the_command_line(store, case):
    folder = store.parent
    for name in case.folders:
        (folder / name).mkdir()
    for name, content in case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    before = state(store)
    args = [a.replace("{dir}", str(folder)) for a in case.args]
    code, output = refused(store, args, env=case.env or None)
    assert case.message.replace("{dir}", str(folder)) in output, output
    assert output.startswith("fsgrant: error: "), output
    assert code == case.code, output
    assert state(store) == before


# ---------------------------------------------------------- the library table
LIBRARY: list[tuple[str, Callable[[Any], object], str]] = [
    ("spend.add category None", lambda fs: fs.spend.add("2019-09-02", "1", None), "category"),
    (
        "spend.add supplier 123",
        lambda fs: fs.spend.add("2019-09-02", "1", "training", supplier=123),
        "supplier must be text, not int",
    ),
    ("spend.get text", lambda fs: fs.spend.get("abc"), "line_id must be a whole number, not str"),
    ("spend.get 2**70", lambda fs: fs.spend.get(2**70), f"line_id {2**70} is out of range"),
    ("spend.get True", lambda fs: fs.spend.get(True), "line_id must be a whole number, not bool"),
    (
        "spend.reverse 1.5",
        lambda fs: fs.spend.reverse(1.5, "typo"),
        "line_id must be a whole number, not float",
    ),
    (
        "spend.iter batch 2**64",
        lambda fs: list(fs.spend.iter(batch=2**64)),
        f"batch {2**64} is out of range",
    ),
    (
        "receipts.reverse None",
        lambda fs: fs.receipts.reverse(None, "x"),
        "receipt_id must be a whole number, not None",
    ),
    ("receipts.get True", lambda fs: fs.receipts.get(True), "receipt_id must be a whole number"),
    (
        "receipts.add year 2019",
        lambda fs: fs.receipts.add("2019-10-16", "1", year=2019),
        "year must be text, not int",
    ),
    ("posts.get 5", lambda fs: fs.posts.get(5), "post_id must be text, not int"),
    (
        "posts.set_status reason 1",
        lambda fs: fs.posts.set_status("SW1", "filled", "2019-09-01", reason=1),
        "reason must be text, not int",
    ),
    ("imports.get 2**64", lambda fs: fs.imports.get(2**64), f"batch_id {2**64} is out of range"),
    ("imports.lines 1.0", lambda fs: fs.imports.lines(1.0), "batch_id must be a whole number"),
    (
        "imports.import_file 42",
        lambda fs: fs.imports.import_file(42),
        "path must be a path (text or a Path), not int",
    ),
    (
        "returns.get '1'",
        lambda fs: fs.returns.get("1"),
        "return_id must be a whole number, not str",
    ),
    ("returns.list year 2019", lambda fs: fs.returns.list(2019), "year must be text, not int"),
    ("years.get 2019", lambda fs: fs.years.get(2019), "label must be text, not int"),
    ("grant.set name 5", lambda fs: fs.grant.set(name=5), "name must be text, not int"),
    ("categories.add None", lambda fs: fs.categories.add(None), "name must be text, not None"),
    (
        "exports.write_return force 'yes'",
        lambda fs: fs.exports.write_return("2019/20", "2020-03-31", force="yes"),
        "force must be True or False, not str",
    ),
    (
        "exports.write_360giving over the store",
        lambda fs: fs.exports.write_360giving(
            fs.path, True, funder_org_id="GB-GOR-PB1", recipient_org_id="GB-LAE-CAM"
        ),
        "s.db is the file being read",
    ),
    (
        "imports rejects to the store",
        lambda fs: fs.imports.import_file(
            fs.path.parent / "a.csv", skip_invalid=True, rejects=fs.path, force=True
        ),
        "s.db is the file being read",
    ),
]


@pytest.mark.parametrize(("name", "call", "message"), LIBRARY, ids=[c[0] for c in LIBRARY])
def test_wrong_types_from_a_program_are_invalid_input(store, name, call, message):
    (store.parent / "a.csv").write_bytes(EXTRACT)
    before = state(store)
    with fsgrant.open(store, create=False) as fs, pytest.raises(InvalidInput) as info:
        call(fs)
    assert message in info.value.message
    assert state(store) == before


@pytest.mark.parametrize("path", [12345, None, 1.5, b"s.db"])
def test_open_refuses_what_is_not_a_path(path):
    with pytest.raises(InvalidInput, match="path must be a path"):
        fsgrant.open(path)


def test_an_error_is_a_fsgrant_error_with_its_field(store):
    with fsgrant.open(store, create=False) as fs, pytest.raises(FsgrantError) as info:
        fs.spend.get(True)
    assert isinstance(info.value, InvalidInput)
    assert (info.value.field, info.value.value) == ("line_id", True)


# ------------------------------------------------------------- a full disk
def _disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_writing_rejects_stores_nothing(store, monkeypatch):
    from fsgrant.formats import csv_safe

    (store.parent / "a.csv").write_bytes(EXTRACT)
    real = csv_safe._SafeWriter.writerow
    rows: list[object] = []

    def header_then_full(self: Any, row: Any) -> None:
        rows.append(row)
        if len(rows) > 1:  # the header is written; the rejected row is not
            _disk_full()
        real(self, row)

    monkeypatch.setattr(csv_safe._SafeWriter, "writerow", header_then_full)
    before = state(store)
    code, output = refused(store, [a.replace("{dir}", str(store.parent)) for a in IMPORT])
    assert (code, output.strip()) == (
        1,
        f"fsgrant: error: cannot write {store.parent}/a-rejects.csv: No space left on device; "
        "nothing was written",
    )
    assert state(store) == before  # no line stored, no temporary file left


def test_a_full_disk_while_exporting_leaves_nothing(store, monkeypatch):
    import fsgrant.formats.dfe_return as dfe_return

    def half_then_full(data: Any, path: Path, **kwargs: Any) -> None:
        path.write_bytes(b"PK half a workbook")
        _disk_full()

    monkeypatch.setattr(dfe_return, "write_return", half_then_full)
    before = state(store)
    out = store.parent / "r.xlsx"
    code, output = refused(store, ["export", "return", "--year", "2019/20", "--out", str(out)])
    assert (code, output.strip()) == (
        1,
        f"fsgrant: error: cannot write {out}: No space left on device; nothing was written",
    )
    assert state(store) == before


# --------------------------------------------------- CSV cells with line breaks
def test_a_carriage_return_cannot_start_a_formula_in_any_csv(store):
    line = ["spend", "add", "2019-09-05", "-12.00", "training", "--description", "x\r=1+2"]
    added = runner.invoke(app, ["--db", str(store), *line, "--supplier", "Acme\n@SUM(1)"])
    assert added.exit_code == 0, added.output
    listing = runner.invoke(app, ["--db", str(store), "spend", "list", "-f", "csv"]).stdout
    show = runner.invoke(app, ["--db", str(store), "spend", "show", "2", "-f", "csv"]).stdout
    log = runner.invoke(app, ["--db", str(store), "log", "-f", "csv"]).stdout
    # Quoted, each line neutralised; the amount a plain number.
    assert '"x\r\'=1+2"' in listing and '"Acme\n\'@SUM(1)"' in listing
    assert ",-12.00," in listing
    assert '"x\r\'=1+2"' in show
    # Split on every CR and LF, as a careless reader would: no piece is a formula.
    for text in (listing, show, log):
        for piece in text.replace("\r", "\n").split("\n"):
            for cell in piece.split(","):
                assert not cell.strip('"').startswith(("=", "+", "@")), (text, cell)


def test_a_pipe_given_as_an_extract_is_not_read(store):
    import os

    fifo = store.parent / "pipe.csv"
    os.mkfifo(fifo)
    before = state(store)
    code, output = refused(store, ["spend", "import", str(fifo)])
    # Refused from its kind, not by opening it (which would wait for a writer).
    assert (code, output.strip()) == (
        2,
        "fsgrant: error: pipe.csv: is not a regular file (a device, pipe or socket); "
        "give the file itself",
    )
    assert state(store) == before


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+$", True),
        ("(a*)*", True),
        ("(\\w+\\s?)*$", True),
        ("(?:x|y+)+", True),
        ("(a{1,3})+", True),
        ("(a|a)+$", True),  # parsed as a(|)+: two empty alternatives
        ("(a|ab)+$", False),  # a(|b)+: one way each time
        ("(x|\\d)+", False),  # a character set
        ("FS1\\d\\d", False),
        ("(FS100|FS110)", False),
        ("a+b+", False),
        ("(ab)+", False),
        ("[a+]+", False),
    ],
)
def test_nested_quantifiers_are_found(pattern, nested):
    from fsgrant.formats.mapping_rules import nested_quantifier

    assert nested_quantifier(pattern) is nested


def test_the_grant_toml_of_the_cases_loads_when_no_key_is_mistyped(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "grant.toml").write_text(GRANT_TOML, encoding="utf-8")
    result = runner.invoke(app, ["--db", str(tmp_path / "l.db"), "load", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 funding years, 2 variations" in result.output


# ------------------------------------------------- random arguments (property)

# What a hostile argument may be: any text, bytes read as Latin-1, huge and odd
# numbers, and the near misses seen in the table above.
ARGUMENT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.binary(max_size=24).map(lambda b: b.decode("latin-1")),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            *(BIG, HUGE, "-1", "0", "1", "nan", "1e308", "-0", "2019-09-01", "31/12/2019"),
            *("10.00", "(1.00)", "£1,234.56", "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0661"),
            *("SW1", "2019/20", "filled", "=1+2", "x\r=1", "--help", "-", ""),
        ]
    ),
)


# The commands tried: each with a valid argument for every place, which the test
# replaces by a hostile one at random (so the checks behind the first are reached).
COMMANDS: list[tuple[list[str], tuple[str, ...]]] = [
    (["spend", "add", "{0}", "{1}", "{2}"], ("2019-09-01", "10.00", "training")),
    (["spend", "show", "{0}"], ("1",)),
    (["spend", "reverse", "{0}", "--reason", "{1}"], ("1", "typo")),
    (["receipt", "add", "{0}", "{1}", "--year", "{2}"], ("2019-10-01", "5.00", "2019/20")),
    (["measure", "add", "{0}", "{1}", "{2}"], ("children-in-care", "2020-01-31", "739")),
    (["report", "spend", "--from", "{0}", "--to", "{1}"], ("2019-09-01", "2020-03-31")),
    (["post", "status", "{0}", "{1}", "--on", "{2}"], ("SW1", "advertised", "2019-09-01")),
]


@st.composite
def hostile_command(draw: Any) -> list[str]:
    template, valid = draw(st.sampled_from(COMMANDS))
    given = [draw(st.one_of(st.just(v), ARGUMENT)) for v in valid]
    return [given[int(a[1])] if a in ("{0}", "{1}", "{2}") else a for a in template]


# Exit codes the command line documents: 0 done, 1 refused (fix and retry), 2 bad input
# or usage.
DOCUMENTED_EXITS = {0, 1, 2}


@pytest.fixture(scope="module")
def random_store(original, tmp_path_factory):
    db = tmp_path_factory.mktemp("random") / "s.db"
    shutil.copy(original, db)
    return db


@settings(
    max_examples=800,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hostile_command())
def test_random_arguments_never_give_a_traceback(random_store, command):
    before = state(random_store)
    result = runner.invoke(app, ["--db", str(random_store), *command])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        command,
        repr(result.exception),
    )
    assert "Traceback" not in result.output, command
    assert result.exit_code in DOCUMENTED_EXITS, (command, result.output)
    if result.exit_code != 0:
        assert state(random_store) == before, (command, result.output)


def test_a_store_name_too_long_for_the_file_system(tmp_path):
    db = tmp_path / ("s" * 300 + ".db")
    result = runner.invoke(app, ["--db", str(db), "spend", "list"])
    assert "Traceback" not in result.output and result.exit_code == 1
    assert result.output == f"fsgrant: error: cannot open a store at {db}: File name too long\n"


def test_the_rejects_file_quotes_a_line_break_and_neutralises_each_line(store):
    extract = store.parent / "cr.csv"
    extract.write_bytes(
        b"date,amount,category,description\n"
        b'2019-09-03,5.00,training,fine\n2019-09-04,abc,training,"x\r=1+2"\n'
    )
    args = ["--db", str(store), "spend", "import", str(extract), "--skip-invalid"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    raw = (store.parent / "cr-rejects.csv").read_bytes().decode("utf-8-sig")
    # The rejected row: the description quoted and its second line neutralised; the
    # source line (3) a plain number.
    assert "\r\n2019-09-04,abc,training,\"x\r'=1+2\",3,\"'abc' is not an amount" in raw


# Names no file system takes: a NUL character, 300 characters in one name.
NAMES = [
    ("open a NUL name", lambda fs, d: fsgrant.open(d / "t\x00.db"), "cannot open a store at"),
    ("backup to a NUL name", lambda fs, d: fs.backup(d / "b\x00.db"), "not a file name"),
    (
        "return to a NUL name",
        lambda fs, d: fs.exports.write_return("2019/20", "2020-03-31", out=d / "r\x00.xlsx"),
        "out: cannot write",
    ),
    ("import a NUL name", lambda fs, d: fs.imports.import_file(d / "a\x00.csv"), "NUL character"),
    (
        "mapping of a NUL name",
        lambda fs, d: fs.imports.mapping(str(d / "m\x00.toml")),
        "NUL character",
    ),
    ("load a long name", lambda fs, d: fs.load(d / ("l" * 300)), "File name too long"),
]


@pytest.mark.parametrize(("name", "call", "message"), NAMES, ids=[n[0] for n in NAMES])
def test_names_the_file_system_refuses_are_fsgrant_errors(store, name, call, message):
    before = state(store)
    with fsgrant.open(store, create=False) as fs, pytest.raises(FsgrantError) as info:
        call(fs, store.parent)
    assert message in info.value.message
    assert state(store) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["load", "{dir}/ledger"],
            "grant.toml, line 14, field 'variation.end_date': unknown key 'end_date'",
        ),
        (
            [
                "init",
                "--grant",
                "G",
                "--funder",
                "F",
                "--recipient",
                "R",
                "--funder-org-id",
                "GB\nGOR",
            ],
            "funder_org_id 'GB\\nGOR' is not an org id",
        ),
        (["init", "--grant", " ", "--funder", "F", "--recipient", "R"], "grant must not be empty"),
    ],
)
def test_a_refused_load_or_init_leaves_no_store_behind(tmp_path, args, message):
    (tmp_path / "ledger").mkdir()
    typo = GRANT_TOML.replace("end = 2021-03-31", "end_date = 2021-03-31")
    (tmp_path / "ledger" / "grant.toml").write_text(typo, encoding="utf-8")
    db = tmp_path / "new.db"
    args = [a.replace("{dir}", str(tmp_path)) for a in args]
    code, output = refused(db, args)
    assert code == 2 and message in output, output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger"]
