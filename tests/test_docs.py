"""The documentation site's promises, checked: every shell block marked runnable
(`<!-- run -->` on the line before its fence) runs, page by page in the site's order,
against a scratch store; every command `fsgrant --help` lists is in the generated
command reference; the figures the pages quote are the ones fsgrant prints; the
pictures the pages show exist and can be remade."""

import importlib.util
import re
import sys

import pytest
import typer.main
from examples import ROOT, options, run_examples, scratch_folder
from typer.testing import CliRunner

from fsgrant.cli import app, load_commands

DOCS = ROOT / "docs"
runner = CliRunner()


def pages():
    """The site's Markdown pages in the order of mkdocs.yml's nav."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    names = re.findall(r"^\s*- (?:[^:\n]+: )?([\w/.-]+\.md)\s*$", nav, re.M)
    return [DOCS / name for name in names if (DOCS / name).exists()]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_reference"] = module
    spec.loader.exec_module(module)
    return module


def test_every_page_in_docs_is_in_the_nav():
    written = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    listed = {p.relative_to(DOCS).as_posix() for p in pages()}
    assert written == listed


def test_every_runnable_docs_example_runs(tmp_path, monkeypatch):
    scratch_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    ran = run_examples(pages(), tmp_path, marked_only=True)
    # With the README's tour, well over the forty commands the README once ran alone.
    assert ran >= 40


def test_every_command_in_help_is_in_the_reference():
    load_commands()
    reference = _generator().cli_reference()
    headings = set(re.findall(r"^#+ `(fsgrant[^`]*)`$", reference, re.M))

    def listed(argv):
        out = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "200"}).stdout
        panel = out.split("\nCommands:\n", 1)[1] if "\nCommands:\n" in out else ""
        return re.findall(r"^  ([a-z0-9][a-z0-9-]*)(?:\s|$)", panel, re.M)

    root = listed([])
    assert "spend" in root and "export" in root
    for name in root:
        assert f"fsgrant {name}" in headings, name
        sub = typer.main.get_command(app).commands[name]
        for child in listed([name]) if hasattr(sub, "commands") else []:
            assert f"fsgrant {name} {child}" in headings, f"{name} {child}"


def test_the_reference_names_every_option():
    reference = _generator().cli_reference()
    spend_add = typer.main.get_command(app).commands["spend"].commands["add"]
    section = reference.split("`fsgrant spend add`", 1)[1].split("\n#", 1)[0]
    for option in {o for o in options(spend_add) if o.startswith("-")} - {"--help"}:
        assert f"`{option}`" in section, option


def test_the_docs_quote_what_fsgrant_prints():
    forecasts = (DOCS / "how-to" / "forecasts.md").read_text(encoding="utf-8")
    # The demo (with its sample import) prints £593,822.21 as at 31 March 2020, and
    # £1,347,099.90 as at 13 February 2020 (tests/test_readme.py runs both).
    assert "£593,822.21 is still at risk" in forecasts
    assert "£1,347,099.90" in forecasts
    explained = (DOCS / "explanation" / "forecasts.md").read_text(encoding="utf-8")
    assert "£593,822.21" in explained and "£1,347,099.90" in explained


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_pictures_exist(page):
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
        assert (page.parent / picture).resolve().exists(), picture


def test_every_picture_can_be_remade():
    script = (DOCS / "pictures.py").read_text(encoding="utf-8")
    for picture in DOCS.glob("*.png"):
        assert picture.name in script, picture.name
