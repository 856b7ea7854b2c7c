import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest
import typer
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.services.demo import example_ledger_path

runner = CliRunner()


def run(db, *args, ok=True):
    result = runner.invoke(app, ["--db", str(db), *args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def set_up(db):
    run(
        db,
        "init",
        "--grant",
        "Family Safeguarding",
        "--funder",
        "Department for Education",
        "--recipient",
        "Cambridgeshire County Council",
    )
    run(
        db,
        "year",
        "add",
        "2019/20",
        "--amount",
        "2,490,000.00",
        "--start",
        "01/08/2019",
        "--confirmed-on",
        "01/08/2019",
    )
    run(
        db,
        "year",
        "add",
        "2020/21",
        "--amount",
        "1600000",
        "--start",
        "2020-08-01",
        "--status",
        "in-principle",
        "--condition",
        "Evidence of onward sustainability",
        "--condition",
        "Spend in line with original estimates",
    )


def test_summary_json_contract(tmp_path):
    db = tmp_path / "s.db"
    set_up(db)
    run(db, "estimate", "set", "2019/20", "training", "250000")
    first = run(db, "spend", "add", "14/11/2019", "18750.00", "training", "--supplier", "MI Ltd")
    # spend add says what it recorded, in pounds, with the funding year it went to.
    assert (
        first.output.strip() == "#1 £18,750.00 training, 14/11/2019, funding year 2019/20 (MI Ltd)"
    )
    run(db, "spend", "add", "2020-02-28", "(1,250.00)", "case-recording")
    run(db, "receipt", "add", "15/10/2019", "1245000.00", "--year", "2019/20")
    out = json.loads(
        run(db, "report", "summary", "--as-at", "2020-03-31", "--format", "json").output
    )
    assert out["as_at"] == "2020-03-31"
    assert out["grant"] == {
        "name": "Family Safeguarding",
        "funder": "Department for Education",
        "recipient": "Cambridgeshire County Council",
    }
    y = out["funding_years"][0]
    # 18,750.00 - 1,250.00 = 17,500.00 actual; 2,490,000.00 - 17,500.00 remaining.
    assert {
        k: y[k]
        for k in (
            "label",
            "status",
            "start",
            "end",
            "award",
            "received",
            "estimate_original",
            "actual",
            "remaining",
        )
    } == {
        "label": "2019/20",
        "status": "confirmed",
        "start": "2019-08-01",
        "end": "2020-07-31",
        "award": "2490000.00",
        "received": "1245000.00",
        "estimate_original": "250000.00",
        "actual": "17500.00",
        "remaining": "2472500.00",
    }
    y2 = out["funding_years"][1]
    assert (y2["status"], y2["award"], y2["actual"], y2["end"]) == (
        "in-principle",
        "1600000.00",
        "0.00",
        "2021-07-31",
    )
    # Without --as-at the report is as at today, and says so.
    from datetime import date

    today = json.loads(run(db, "report", "summary", "--format", "json").output)["as_at"]
    assert today == date.today().isoformat()


def test_spend_list_json_and_reversal(tmp_path):
    db = tmp_path / "s.db"
    set_up(db)
    run(
        db,
        "spend",
        "add",
        "2020-03-31",
        "100.10",
        "training",
        "--ref",
        "INV-1",
        "--description",
        '=HYPERLINK("x")',
    )
    run(db, "spend", "reverse", "1", "--reason", "wrong cost centre")
    rows = json.loads(run(db, "spend", "list", "--format", "json").output)
    assert [(r["id"], r["amount"], r["reverses"]) for r in rows] == [
        (1, "100.10", None),
        (2, "-100.10", 1),
    ]
    keys = {
        "id",
        "date",
        "amount",
        "category",
        "post",
        "supplier",
        "description",
        "reference",
        "funding_year",
        "financial_year",
        "reverses",
    }
    assert keys <= set(rows[0])
    assert (rows[0]["funding_year"], rows[0]["financial_year"], rows[0]["date"]) == (
        "2019/20",
        "FY2019/20",
        "2020-03-31",
    )
    csv_out = run(db, "spend", "list", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("id,date,amount,category")
    table = run(db, "spend", "list").output
    assert "£100.10" in table and "-£100.10" in table


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["spend", "add", "2019-09-01", "12.345", "training"], 2, "more than two decimal places"),
        (["spend", "add", "2019-09-01", "1e3", "training"], 2, "no exponents"),
        (["spend", "add", "31/02/2020", "1.00", "training"], 2, "not a real day"),
        (["spend", "add", "2019-09-01", "1.00", "travel"], 2, "unknown category 'travel'"),
        (
            ["spend", "add", "2019-07-01", "1.00", "training"],
            1,
            "no funding year covers 2019-07-01",
        ),
        (["spend", "reverse", "42", "--reason", "x"], 1, "no spend line 42"),
        (["year", "add", "2019/20", "--amount", "1", "--start", "2019-08-01"], 1, "exists already"),
        (
            ["year", "vary", "2019/20", "--agreed-on", "2020-01-01", "--reason", "x"],
            2,
            "exactly one change",
        ),
        (["report", "summary", "--as-at", "yesterday"], 2, "is not a date"),
        (["spend", "add", "2019-09-01", "1.00", "training", "--post", "DA-N1"], 1, "no post DA-N1"),
    ],
)
def test_user_mistakes_get_one_line_and_no_traceback(tmp_path, args, code, message):
    db = tmp_path / "s.db"
    set_up(db)
    result = run(db, *args, ok=False)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_commands_on_a_missing_store_say_how_to_start(tmp_path):
    result = run(tmp_path / "nope.db", "report", "summary", ok=False)
    assert result.exit_code == 1
    assert "no fsgrant store" in result.stderr and "fsgrant init" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_load_the_worked_example(tmp_path):
    db = tmp_path / "cambs.db"
    result = run(db, "load", str(example_ledger_path()))
    assert "2 funding years" in result.output
    out = json.loads(run(db, "report", "summary", "--as-at", "2020-03-31", "-f", "json").output)
    years = {y["label"]: y for y in out["funding_years"]}
    # grant.toml: the agreed extension moves the 2019/20 end to 31 March 2021.
    assert (years["2019/20"]["start"], years["2019/20"]["end"]) == ("2019-08-01", "2021-03-31")
    assert years["2019/20"]["award"] == "2490000.00"
    # receipts.csv: 1,245,000.00 + 622,500.00
    assert years["2019/20"]["received"] == "1867500.00"
    assert years["2020/21"]["status"] == "in-principle"
    assert Decimal(years["2019/20"]["remaining"]) == Decimal(years["2019/20"]["award"]) - Decimal(
        years["2019/20"]["actual"]
    )
    again = run(db, "load", str(example_ledger_path()), ok=False)
    assert again.exit_code == 1 and "already holds the grant" in again.stderr


def test_demo_writes_its_store(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "demo.db").exists()
    assert "2019/20" in result.output and "£2,490,000.00" in result.output


def _commands(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [(click_group, list(prefix))]
    while stack:
        cmd, path = stack.pop()
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            stack.append((sub, [*path, name]))


def test_every_command_has_help():
    seen = 0
    for path, cmd in _commands(app):
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert (cmd.help or "").strip(), f"no help for {' '.join(path)}"
        seen += 1
    assert seen > 15


def test_python_dash_m_and_help_do_not_import_heavy_modules():
    code = (
        "import sys, runpy; sys.argv=['fsgrant','--help']\n"
        "try:\n    runpy.run_module('fsgrant', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('openpyxl', 'sqlite_utils', 'pydantic', 'fsgrant.services.ledger', 'datasette', 'uvicorn') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage" in out
    assert "HEAVY []" in out


def test_app_is_a_typer_app():
    assert isinstance(app, typer.Typer)


def test_root_help_lists_every_command_with_the_help_it_gives_itself():
    # `fsgrant --help` lists the commands without building them from their functions;
    # each line must still say what the built command says of itself.
    import typer.main

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    listed: dict[str, str] = {}
    name = None
    for line in result.output.split("Commands:", 1)[1].splitlines():
        match = re.match(r"^  (\S+)\s+(.*)$", line)
        if match:
            name, listed[match[1]] = match[1], match[2]
        elif name is not None and line.strip():
            listed[name] += " " + line.strip()
    root = typer.main.get_command(app)
    assert set(listed) == set(root.commands)
    for name, cmd in root.commands.items():
        assert listed[name] == " ".join(cmd.get_short_help_str(limit=1000).split()), name


# Run in a fresh interpreter: what `import fsgrant.cli` imports, then what each command
# module puts on the root (commands and groups, in the order registered) and which
# other modules add commands to its groups.
_WHAT_THE_MODULES_REGISTER = """
import json, sys
import fsgrant.cli as cli
before = sorted(m for m in sys.modules if m.startswith("fsgrant.cli."))
cli.load_commands()
owners = {}
for name in cli.COMMAND_MODULES:
    module = sys.modules["fsgrant.cli." + name]
    for value in vars(module).values():
        if isinstance(value, cli.typer.Typer):
            owners.setdefault(id(value), name)
table = []
for cmd in cli._registry.registered_commands:
    table.append([cmd.name, [cmd.callback.__module__.rsplit(".", 1)[1]]])
for grp in cli._registry.registered_groups:
    owner = owners[id(grp.typer_instance)]
    guests = [c.callback.__module__.rsplit(".", 1)[1] for c in grp.typer_instance.registered_commands]
    table.append([grp.name, [owner, *dict.fromkeys(g for g in guests if g != owner)]])
print(json.dumps({"before": before, "table": table}))
"""


def test_the_root_table_says_what_each_command_module_registers():
    # The command line imports a command module only when a command line names what
    # it registers, by the table in fsgrant.cli: it must not drift from the modules.
    from fsgrant.cli import COMMAND_MODULES, ROOT_NAMES

    out = subprocess.run(
        [sys.executable, "-c", _WHAT_THE_MODULES_REGISTER],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out)
    assert found["before"] == ["fsgrant.cli._common"]
    assert [(name, tuple(modules)) for name, modules in found["table"]] == list(ROOT_NAMES.items())
    # Guests in the order the modules register (--help of a group lists them so).
    for name, (_owner, *guests) in ROOT_NAMES.items():
        assert guests == sorted(guests, key=COMMAND_MODULES.index), name
    assert {m for modules in ROOT_NAMES.values() for m in modules} == set(COMMAND_MODULES)
    # Written out by hand, so that a table built from the modules could not pass alone:
    # `spend import` comes from the imports module, five modules add to `report`.
    assert ROOT_NAMES["spend"] == ("spend", "imports")
    assert ROOT_NAMES["report"] == ("reports", "posts", "forecast", "plan", "pack")
    assert len(ROOT_NAMES) == 27


def test_a_group_lists_its_commands_in_one_order_whatever_ran_before():
    # `check` imports the module that adds `report variance`, `profile` and `spend`;
    # `report --help` after it, in the same interpreter, still lists `report posts`
    # second, as on a fresh start (the modules' order, not the order imported).
    code = (
        "from fsgrant.cli import app\n"
        "for args in (['check', '--help'], ['report', '--help']):\n"
        "    try: app(args)\n"
        "    except SystemExit as exc: assert not exc.code, exc.code\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    listed = re.findall(r"^  (\S+)\s", out.split("Commands:", 1)[1], re.M)
    assert listed == [
        "summary",
        "posts",
        "variance",
        "profile",
        "spend",
        "sustainability",
        "outcomes",
        "pack",
    ]


def test_a_typo_is_answered_with_suggestions_from_every_module():
    result = runner.invoke(app, ["spnd"])
    assert result.exit_code == 2
    assert "No such command 'spnd'. Did you mean 'spend'?" in result.output
    # A command another module adds to a group is suggested too.
    result = runner.invoke(app, ["report", "varance"])
    assert result.exit_code == 2
    assert "Did you mean 'variance'?" in result.output


def test_the_command_line_skips_the_plugin_lookup_it_has_disabled(tmp_path):
    # With pydantic's plugins disabled (as `fsgrant` does by default), its plugin
    # loader and the importlib.metadata it needs are never imported; the command runs.
    db = str(tmp_path / "plugins.db")
    set_up(db)
    code = (
        "import sys\n"
        f"sys.argv = ['fsgrant', '--db', {db!r}, 'spend', 'add', '04/02/2020', '12.00', 'training']\n"
        "import fsgrant.cli\n"
        "try: fsgrant.cli.main()\n"
        "except SystemExit as exc: assert not exc.code, exc.code\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    # What was recorded, then: metadata not imported.
    assert out == ["#1 £12.00 training, 04/02/2020, funding year 2019/20", "False"]


_PLUGIN_LOADER_SEEN = """
import os, sys
from fsgrant.cli import no_plugin_loader
no_plugin_loader()
from pydantic import TypeAdapter
assert TypeAdapter(int).validate_python("3") == 3
from pydantic.plugin._loader import get_plugins
print(list(get_plugins()), "importlib.metadata" in sys.modules, end=" ")
# A name the stand-in does not have brings in the real loader.
from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP
print(PYDANTIC_ENTRY_POINT_GROUP, "importlib.metadata" in sys.modules)
"""


@pytest.mark.parametrize(
    ("disabled", "expected"),
    [
        ("__all__", "[] False pydantic True"),
        # Only some plugins disabled: the real loader looks up the others.
        ("some-plugin", "[] True pydantic True"),
    ],
)
def test_the_plugin_loader_stands_aside_only_when_every_plugin_is_off(disabled, expected):
    import os

    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": disabled}
    out = subprocess.run(
        [sys.executable, "-c", _PLUGIN_LOADER_SEEN],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert out.strip() == expected
