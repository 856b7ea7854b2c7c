"""Hostile text through every command: markup, formula prefixes, control characters,
right-to-left marks, 10,000-character strings and characters outside the BMP, stored in
every kind of record, then every listing and report run in every format and the
return written and read back. No traceback; CSV and JSON parse; the text comes back
as typed (JSON), neutralised (CSV, XLSX) or shown as typed (tables)."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.formats.csv_safe import neutralise

runner = CliRunner()

LONG = "x" * 10_000
HOSTILE = {
    "markup_close": "[/bold] Acme",
    "markup_open": "Smith [bold]Ltd",
    "markup_link": "[link=http://x]click[/link]",
    "formula": '=HYPERLINK("http://x","y")',
    "plus": "+1+2",
    "minus": "-2+3",
    "at": "@SUM(1)",
    "tab": "\tTabbed",
    "cr": "\rCarriage",
    "escape": "red\x1b[31m\x07bell",
    "rtl": "\u202eevil\u202c and \u200fmark",
    "long": LONG,
    "astral": "Grin \U0001f600 \U0001d518",
    "error_literal": "#N/A",
}
# What a table shows of each: as typed, control characters as U+FFFD.
PRINTABLE = ("markup_close", "markup_open", "markup_link", "formula", "plus", "at", "astral")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "h.db"
    h = HOSTILE
    with fsgrant.open(db) as fs:
        fs.init(h["markup_close"], h["formula"], h["rtl"])
        fs.years.add(
            "2019/20",
            "100000.00",
            "2019-08-01",
            conditions=[h["markup_open"], h["long"], h["escape"], h["astral"]],
        )
        fs.years.vary(
            "2019/20", agreed_on="2020-02-14", end="2021-03-31", reason=h["at"], reference=h["plus"]
        )
        fs.categories.add("travel", h["markup_link"])
        fs.estimates.set("2019/20", "training", "5000.00", on="2019-08-01")
        fs.estimates.set("2019/20", "travel", "1000.00", on="2019-08-01")
        fs.posts.add(
            "DA-1",
            role="domestic-abuse",
            host=h["long"],
            fte="0.5",
            annual_cost="40000.00",
            planned_start="2019-11-01",
            title=h["markup_close"],
            team=h["rtl"],
        )
        fs.posts.set_status("DA-1", "blocked", on="2019-12-01", reason=h["formula"])
        for i, key in enumerate(HOSTILE):
            fs.spend.add(
                f"2019-09-{i + 1:02d}",
                f"-{i + 1}.00" if i % 3 == 0 else f"{i + 1}.50",
                "travel" if i % 2 else "training",
                supplier=HOSTILE[key],
                description=HOSTILE[key],
                reference=f"{HOSTILE[key]}-{i}",
            )
        line = fs.spend.add("2019-10-01", "12.00", "training", supplier=h["cr"])
        fs.spend.reverse(line.id, h["tab"])
        fs.receipts.add("2019-10-15", "50000.00", "2019/20", reference=h["minus"])
        fs.forecasts.set("2019/20", "travel", "300.00", on="2020-01-31", note=h["astral"])
        fs.periods.close("2019/20", "2019-08-31", h["error_literal"])
        fs.periods.reopen("2019/20", h["markup_open"])
    extract = folder / "x.csv"
    rows = [["date", "amount", "category", "supplier", "description"]]
    rows += [["2019-11-01", "1.00", "training", v, v] for v in HOSTILE.values()]
    rows += [["2019-11-02", "bad", "training", h["formula"], h["at"]]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    extract.write_text(buf.getvalue(), encoding="utf-8")
    r = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "spend",
            "import",
            str(extract),
            "--skip-invalid",
            "--rejects",
            str(folder / "rej.csv"),
        ],
    )
    assert r.exit_code == 0, r.output
    return db


COMMANDS = [
    ["year", "list"],
    ["year", "list", "--as-at", "2020-01-01"],
    ["category", "list"],
    ["estimate", "list"],
    ["spend", "list"],
    ["receipt", "list"],
    ["post", "list", "--as-at", "2020-03-31"],
    ["post", "show", "DA-1"],
    ["report", "summary", "--as-at", "2020-03-31"],
    ["report", "variance", "--year", "2019/20", "--as-at", "2020-03-31"],
    ["report", "profile", "--year", "2019/20", "--as-at", "2020-03-31"],
    ["report", "spend", "--by", "category"],
    ["report", "spend", "--by", "post"],
    ["report", "posts", "--as-at", "2020-03-31"],
    ["imports", "list"],
    ["imports", "show", "1"],
    ["period", "list"],
    ["period", "list", "--history"],
    ["settings", "list"],
    ["grant", "show"],
    ["log"],
    ["check", "--as-at", "2020-03-31"],
    ["doctor"],
]


def invoke(db, args, env=None):
    result = runner.invoke(app, ["--db", str(db), *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output, args
    # check exits 1 when it finds an error; anything else is a clean success.
    assert result.exit_code in ((0, 1) if args[0] == "check" else (0,)), (
        args,
        result.output[-500:],
    )
    return result.stdout


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_in_every_format(store, args):
    # Wide enough that no text cell is folded (piped, tables are drawn at 100 columns).
    table = invoke(store, args, env={"COLUMNS": "240"})
    as_json = invoke(store, [*args, "-f", "json"])
    as_csv = invoke(store, [*args, "-f", "csv"])
    data = json.loads(as_json) if as_json.strip() else None
    cells = [c for row in csv.reader(io.StringIO(as_csv)) for c in row]
    # No CSV cell is a live formula: each is plain, a number, or carries the apostrophe.
    for cell in cells:
        assert cell == neutralise(cell), (args, cell[:40])
    # Text the JSON carries is shown as typed in the table, where the table has
    # every field the JSON has (listings of records).
    texts = set(_strings(data))
    if args in [a for a, _ in LISTINGS] or args[:2] == ["year", "list"]:
        for key in PRINTABLE:
            if HOSTILE[key] in texts:
                assert HOSTILE[key] in table, (args, key)


# Record listings whose JSON and CSV carry a text field of every row, as typed
# (JSON) and neutralised (CSV).
LISTINGS = [
    (["spend", "list"], "supplier"),
    (["spend", "list"], "reference"),
    (["receipt", "list"], "reference"),
    (["post", "list", "--as-at", "2020-03-31"], "host"),
    (["post", "list", "--as-at", "2020-03-31"], "reason"),
    (["category", "list"], "description"),
    (["period", "list", "--history"], "reference"),
    (["period", "list", "--history"], "reason"),
]


@pytest.mark.parametrize(
    ("args", "field"), LISTINGS, ids=lambda a: " ".join(a) if isinstance(a, list) else a
)
def test_text_round_trips_through_json_and_is_neutralised_in_csv(store, args, field):
    rows = json.loads(invoke(store, [*args, "-f", "json"]))
    csv_rows = list(csv.DictReader(io.StringIO(invoke(store, [*args, "-f", "csv"]))))
    assert len(csv_rows) == len(rows)
    for row, csv_row in zip(rows, csv_rows, strict=True):
        value = row[field]
        assert csv_row[field] == ("" if value is None else neutralise(value))
    # The listing did carry hostile text (which the store keeps, trimmed of edge spaces).
    assert any(v.strip() in (r[field] or "") for r in rows for v in HOSTILE.values())


def test_conditions_round_trip(store):
    years = json.loads(invoke(store, ["year", "list", "-f", "json"]))
    h = HOSTILE
    assert years[0]["conditions"] == [h["markup_open"], h["long"], h["escape"], h["astral"]]


def test_markup_and_control_characters_in_tables_are_shown_not_run(store):
    out = invoke(store, ["spend", "list"], env={"COLUMNS": "240"})
    assert "[/bold] Acme" in out
    assert "Smith [bold]Ltd" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "\u202e" not in out
    assert "\U0001f600" in out


def test_the_long_text_is_not_lost(store):
    rows = json.loads(invoke(store, ["spend", "list", "-f", "json"]))
    assert any(r["supplier"] == LONG for r in rows)
    table = invoke(store, ["spend", "list"], env={"COLUMNS": "100"})
    # Folded over many lines, every character is there.
    assert table.count("x") >= 2 * 10_000  # supplier and description


def test_the_rejects_file_is_neutralised(store):
    rejects = store.parent / "rej.csv"
    rows = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert rows[1][3] == "'" + HOSTILE["formula"]
    assert rows[1][4] == "'" + HOSTILE["at"]


def test_the_return_holds_hostile_text_as_text(store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    r = runner.invoke(
        app,
        [
            "--db",
            str(store),
            "export",
            "return",
            "--year",
            "2019/20",
            "--as-at",
            "2020-03-31",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value[:40])
    suppliers = [c.value for c in wb["Transactions"]["G"] if isinstance(c.value, str)]
    assert HOSTILE["formula"] in suppliers
    verified = runner.invoke(app, ["--db", str(store), "export", "verify", str(out)])
    assert verified.exit_code == 0, verified.output


def test_the_360giving_package_round_trips(store):
    r = runner.invoke(
        app,
        [
            "--db",
            str(store),
            "export",
            "360giving",
            "--out",
            "-",
            "--as-at",
            "2020-03-31",
            "--funder-org-id",
            "GB-GOR-PB1",
            "--recipient-org-id",
            "GB-LAE-CAM",
        ],
    )
    assert r.exit_code == 0, r.output
    package = json.loads(r.stdout)
    assert package["grants"][0]["fundingOrganization"][0]["name"] == HOSTILE["formula"]


# Characters that would drive a terminal: escape, bell, carriage return, line feed and
# the bidirectional overrides, embeddings and isolates.
DRIVERS = "\x1b\x07\r\n\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_confirmations_show_user_text_as_tables_do(tmp_path):
    """A confirmation echoes the name, reason or text just given: each terminal-driving
    character comes out as U+FFFD, the rest as typed."""
    db = tmp_path / "c.db"
    name = "Grant\x1b[2J\u202eevil"
    funder = "DfE\x07"
    said = [
        invoke(
            db, ["init", "--grant", name, "--funder", funder, "--recipient", "Council\nfsgrant: ok"]
        ),
        invoke(db, ["grant", "set", "--name", "New\x1b]0;title\x07name"]),
        invoke(db, ["year", "add", "2019/20", "--amount", "1000.00", "--start", "2019-08-01"]),
        invoke(db, ["condition", "add", "2019/20", "Evidence\x1b[31m of \u2067spend"]),
        invoke(db, ["plan", "source", "add", "Base\x1b[0m budget", "--kind", "base-budget"]),
    ]
    text = "".join(said)
    assert not set(DRIVERS) & set(text.replace("\n", "")), repr(text)
    # One message a line: the recipient's line feed is a space, as in a table, and does
    # not start a line of its own. "Grant" ESC "[2J" RLO "evil": two marks.
    assert said[0].count("\n") == 1
    assert "'Grant\ufffd[2J\ufffdevil' (DfE\ufffd -> Council fsgrant: ok)" in said[0]
    assert "'New\ufffd]0;title\ufffdname'" in said[1]
    assert "Evidence\ufffd[31m of \ufffdspend" in said[3]
    assert "Base\ufffd[0m budget" in said[4]
