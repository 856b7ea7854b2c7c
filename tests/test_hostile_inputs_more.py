"""Hostile inputs that need more than a row of the table in test_hostile_inputs.py:
a full disk, a pipe, line breaks in CSV cells, names no file system takes, refused
loads, and random arguments (a property test) to a representative set of commands.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

import pytest
from hostile_helpers import (
    BIG,
    EXTRACT,
    GRANT_TOML,
    HUGE,
    IMPORT,
    refused,
    runner,
    state,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import FsgrantError, InvalidInput


# ------------------------------------------------------------- a full disk
def _disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_writing_rejects_stores_nothing(store, monkeypatch):
    from fsgrant.formats import csv_safe

    (store.parent / "a.csv").write_bytes(EXTRACT)
    real = csv_safe.SafeWriter.writerow
    rows: list[object] = []

    def header_then_full(self: Any, row: Any) -> None:
        rows.append(row)
        if len(rows) > 1:  # the header is written; the rejected row is not
            _disk_full()
        real(self, row)

    monkeypatch.setattr(csv_safe.SafeWriter, "writerow", header_then_full)
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
    from fsgrant.imports.mapping_rules import nested_quantifier

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


@pytest.mark.slow
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


@pytest.mark.parametrize("path", [12345, None, 1.5, b"s.db"])
def test_open_refuses_what_is_not_a_path(path):
    with pytest.raises(InvalidInput, match="path must be a path"):
        fsgrant.open(path)


def test_an_error_is_a_fsgrant_error_with_its_field(store):
    with fsgrant.open(store, create=False) as fs, pytest.raises(FsgrantError) as info:
        fs.spend.get(True)
    assert isinstance(info.value, InvalidInput)
    assert (info.value.field, info.value.value) == ("line_id", True)
