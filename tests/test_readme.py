"""The README's promises, checked: every command in its fenced shell blocks runs (in
order, against a scratch store, from a scratch folder holding the example ledger), every
synopsis line names only options that exist, its Python blocks run, and the figures it
quotes are the ones `fsgrant demo` prints."""

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.services.demo import example_ledger_path

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()
# A synopsis shows optional parts in brackets and placeholders in capitals.
SYNOPSIS = re.compile(r"\[|\b(?:FILE|ID|PATH|DATE|DIR|MAPPING\.toml|COMMAND)\b")


def blocks():
    """(language, text) of every fenced block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def commands(text):
    """The logical lines of a shell block (continuations joined, comments kept)."""
    lines: list[str] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if line.startswith("#") and lines:
            lines[-1] += " " + line  # a comment on a line of its own goes with the line above
        elif line:
            lines.append(line)
    return lines


def _command(argv):
    cmd = typer.main.get_command(app)
    for token in argv:
        sub = getattr(cmd, "commands", {}).get(token)
        if sub is None:
            break
        cmd = sub
    return cmd


def _options(cmd):
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}


def _check_synopsis(line):
    words = [w for w in re.split(r"[\s\[\]|]+", line.split("#")[0]) if w]
    cmd = _command(words[1:])
    for word in words:
        if word.startswith("--"):
            assert word in _options(cmd), f"README names {word} for {cmd.name!r}: {line}"


# A council's published "spending over £500" file, as the README's import examples
# name it (two of the lines are the directorate's).
PUBLISHED = (
    "Body Name,Body,Date,Transaction Number,Invoice Number,Amount,Supplier Name,"
    "Supplier ID,VAT Registration Number,Expense Area,Expense Type,Expense Code,"
    "Creditor Type\r\n"
    "A County Council,E10000003,2020-02-03 00:00:00,T100,I1,974.24,MI Training Ltd,S1,,"
    "Children's Services,Training,5100,Vendor\r\n"
    "A County Council,E10000003,2020-02-10 00:00:00,T101,I2,890.4999999999999,Agency Ltd,"
    "S2,,Children's Services,Agency Staff,5200,Vendor\r\n"
    "A County Council,E10000003,2020-02-11 00:00:00,T102,I3,1200.00,Roads Ltd,S3,,"
    "Highways,Premises,6100,Vendor\r\n"
)


def test_every_readme_command_runs(tmp_path, monkeypatch):
    shutil.copytree(example_ledger_path(), tmp_path / "ledgers" / "cambridgeshire")
    # The README's months file: 20,000.00 in March and 100,000.00 in April 2020 make
    # up its 120,000.00 staffing estimate exactly.
    (tmp_path / "staffing-months.csv").write_text(
        "month,amount\n2020-03,20000.00\n2020-04,100000.00\n"
    )
    for name in ("spend-over-500-2020-02.csv", "spend-over-500.csv"):
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + PUBLISHED.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    env = {"FSGRANT_DB": str(tmp_path / "fsgrant.db")}
    ran = 0
    for lang, text in blocks():
        if lang == "python":
            exec(compile(text, "README.md", "exec"), {"__name__": "readme"})
            ran += 1
            continue
        if lang not in ("sh", ""):
            continue
        for line in commands(text):
            if line.startswith("export FSGRANT_DB="):
                env["FSGRANT_DB"] = str(
                    tmp_path / shlex.split(line, comments=True)[1].split("=", 1)[1]
                )
                continue
            if not line.startswith("fsgrant "):
                continue
            if SYNOPSIS.search(line.split("#")[0]):
                _check_synopsis(line)
                continue
            argv = shlex.split(line, comments=True)[1:]
            result = runner.invoke(app, argv, env=env)
            # A command the README shows refused says so in its comment: "(exit 1)".
            said = re.search(r"\(exit (\d)\)", line.partition(" #")[2])
            expected = int(said.group(1)) if said else 0
            assert result.exit_code == expected, f"{line}\n{result.output}\n{result.exception!r}"
            ran += 1
    assert ran >= 40  # the README's examples, not a handful of them


def _demo_output(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_readme_quotes_what_the_demo_prints(tmp_path):
    text = README.read_text(encoding="utf-8")
    out = _demo_output(tmp_path)
    shown = re.search(r"```\n(┏.*?)\n```", text, re.S)
    assert shown, "the README shows the demo's summary"
    for line in shown.group(1).splitlines():
        if line.strip() and line.strip() != "...":
            assert line.rstrip() in out, line
    # The figures quoted in prose: with the sample import (what the demo prints) ...
    assert "£593,822.21" in out
    assert "£593,822.21 is still at risk" in text
    # ... and as at 13 February 2020, before the envelope moved back.
    early = runner.invoke(
        app,
        ["--db", str(tmp_path / "demo.db"), "report", "summary", "--as-at", "2020-02-13"],
        env={"COLUMNS": "160"},
    )
    assert "£1,347,099.90" in early.stdout
    assert text.count("£1,347,099.90") >= 2


@pytest.mark.parametrize("lang", ["sh"])
def test_the_readme_has_shell_blocks(lang):
    assert any(language == lang for language, _ in blocks())


def test_commands_in_inline_code_name_real_commands():
    # `fsgrant COMMAND ...` mentioned in prose names a command that exists.
    text = README.read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for mention in re.findall(r"`fsgrant ([a-z0-9-]+(?: [a-z0-9-]+)?)", text):
        first, *rest = mention.split()
        if first.startswith("-"):
            assert first in _options(root), mention
            continue
        assert first in root.commands or first in ("COMMAND",), mention
        sub = root.commands.get(first)
        if sub is not None and rest and hasattr(sub, "commands"):
            assert rest[0] in sub.commands, mention
    assert os.path.exists(README)
