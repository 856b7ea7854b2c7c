"""Hostile files, paths, numbers and library calls: each refused before anything is
written, with fsgrant's own message and exit code, no traceback, nothing lost.

One table of command lines (what is given, the command, a fragment of the message
worked out by hand, the exit code) and one of library calls. Each case runs on a copy
of a small store; afterwards the store's spend lines, receipts and audit trail, and
every file in the folder, are as they were. The cases that need more than a row (a
full disk, a pipe, random arguments) are in test_hostile_inputs_more.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hostile_helpers import (
    BIG,
    EXTRACT,
    GRANT_TOML,
    HUGE,
    IMPORT,
    ROWS,
    Case,
    mapping_toml,
    refused,
    state,
    xlsx,
)

import fsgrant
from fsgrant.errors import InvalidInput

# ------------------------------------------------------------------ the store
# ------------------------------------------------------------- the CLI table
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
        files={"b.xlsx": xlsx(["date", "amount", "category"], ["2019-09-03", True, "training"])},
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
            "d.xlsx": xlsx(["date", "amount", "category", " AMOUNT"], ["2019-09-03", 5, "x", 6])
        },
    ),
    # Mappings that would read text with a text codec, or backtrack for ever.
    Case(
        "mapping encoding rot13",
        ["spend", "import", "{dir}/a.csv", "--mapping", "{dir}/m.toml"],
        "m.toml, line 2, field 'source.encoding': 'rot13' is not a text encoding",
        2,
        files={"a.csv": EXTRACT, "m.toml": mapping_toml('[source]\nencoding = "rot13"')},
    ),
    Case(
        "mapping encoding base64 in mapping check",
        ["mapping", "check", "{dir}/m.toml", "--file", "{dir}/a.csv"],
        "'base64' is not a text encoding",
        2,
        files={"a.csv": EXTRACT, "m.toml": mapping_toml('[source]\nencoding = "base64"')},
    ),
    Case(
        "mapping says UTF-16 of a UTF-8 file",
        ["spend", "import", "{dir}/a.csv", "--mapping", "{dir}/m.toml"],
        "a.csv: not utf-16 text",
        2,
        files={"a.csv": EXTRACT, "m.toml": mapping_toml('[source]\nencoding = "utf-16"')},
    ),
    Case(
        "mapping regex with nested quantifiers",
        ["mapping", "check", "{dir}/m.toml", "--file", "{dir}/a.csv"],
        "'(a+)+$' repeats what can match the same text in many ways (a quantifier inside",
        2,
        files={
            "a.csv": EXTRACT,
            "m.toml": mapping_toml(
                rule='[[categories.rules]]\ncolumn = "category"\nmatches = "(a+)+$"\n'
                'category = "training"\n'
            ),
        },
    ),
    Case(
        "mapping regex that backtracks past the check, on a cell that nearly matches",
        ["spend", "import", "{dir}/p.csv", "--mapping", "{dir}/m.toml"],
        "p.csv, line 2, field 'category': the rule pattern '(a|aa)+' took over 0.25 s",
        2,
        files={
            "p.csv": b"date,amount,category\n2019-09-03,5.00," + b"a" * 60 + b"b\n",
            "m.toml": mapping_toml(
                rule='[[categories.rules]]\ncolumn = "category"\nmatches = "(a|aa)+"\n'
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
        files={"a.csv": EXTRACT, "m.toml": mapping_toml('[source]\nencodng = "utf-8"')},
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
