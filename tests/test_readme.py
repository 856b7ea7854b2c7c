"""The README's promises, checked: every command in its shell blocks runs (in order,
against a scratch store, from a scratch folder holding the example ledger), every
synopsis line names only options that exist, the demo output it shows is what `fsgrant
demo` prints, and the commands and pages it names exist. The documentation site's
examples are run by tests/test_docs.py."""

import re

import typer.main
from examples import ROOT, options, run_examples, scratch_folder
from typer.testing import CliRunner

from fsgrant.cli import app

README = ROOT / "README.md"
runner = CliRunner()


def test_every_readme_command_runs(tmp_path, monkeypatch):
    scratch_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    ran = run_examples([README], tmp_path, marked_only=False)
    assert ran >= 5  # the five-command tour


def test_the_readme_shows_what_the_demo_prints(tmp_path):
    text = README.read_text(encoding="utf-8")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    shown = re.search(r"```\n(┏.*?)\n```", text, re.S)
    assert shown, "the README shows the demo's summary"
    for line in shown.group(1).splitlines():
        if line.strip() and line.strip() != "...":
            assert line.rstrip() in result.stdout, line
    # ... and as at 13 February 2020, before the envelope moved back.
    early = runner.invoke(
        app,
        ["--db", str(tmp_path / "demo.db"), "report", "summary", "--as-at", "2020-02-13"],
        env={"COLUMNS": "160"},
    )
    assert "£1,347,099.90" in early.stdout
    assert "£1,347,099.90" in text


def test_commands_in_inline_code_name_real_commands():
    # `fsgrant COMMAND ...` mentioned in prose names a command that exists.
    text = README.read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for mention in re.findall(r"`fsgrant ([a-z0-9-]+(?: [a-z0-9-]+)?)", text):
        first, *rest = mention.split()
        if first.startswith("-"):
            assert first in options(root), mention
            continue
        assert first in root.commands or first in ("COMMAND",), mention
        sub = root.commands.get(first)
        if sub is not None and rest and hasattr(sub, "commands"):
            assert rest[0] in sub.commands, mention


def test_the_readme_links_to_files_that_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)
    assert links
    for link in links:
        assert (ROOT / link).exists(), link


def test_the_readme_is_a_front_page():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 300
