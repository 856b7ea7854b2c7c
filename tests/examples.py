"""Runs the examples in the README and the documentation site the way a reader would:
every command of a runnable shell block, in order, against a scratch store, from a
scratch folder holding the example ledger; Python blocks are executed. A command shown
refused says so in its comment ("(exit 1)"); a synopsis line (optional parts in brackets,
placeholders in capitals) is not run, but every option it names must exist."""

import re
import shlex
import shutil
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.services.demo import example_ledger_path

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
# A synopsis shows optional parts in brackets and placeholders in capitals.
SYNOPSIS = re.compile(r"\[|\b(?:FILE|ID|PATH|DATE|DIR|MAPPING\.toml|COMMAND)\b")
# The docs mark a block the tests run with an HTML comment on the line before its fence.
RUN_MARK = "<!-- run -->"

# A council's published "spending over £500" file, as the import examples name it (two
# of the lines are the directorate's).
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


def blocks(text: str, *, marked_only: bool = False) -> list[tuple[str, str]]:
    """(language, text) of every fenced block, in order (only those marked runnable)."""
    found = re.findall(r"^(<!-- run -->\n)?```(\w*)[^\n]*\n(.*?)^```", text, re.M | re.S)
    return [(lang, body) for mark, lang, body in found if mark or not marked_only]


def commands(text: str) -> list[str]:
    """The logical lines of a shell block (continuations joined, comments kept)."""
    lines: list[str] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if line.startswith("#") and lines:
            lines[-1] += " " + line  # a comment on a line of its own goes with the line above
        elif line:
            lines.append(line)
    return lines


def command_for(argv):
    cmd = typer.main.get_command(app)
    for token in argv:
        sub = getattr(cmd, "commands", {}).get(token)
        if sub is None:
            break
        cmd = sub
    return cmd


def options(cmd) -> set[str]:
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}


def check_synopsis(line: str, where: str) -> None:
    words = [w for w in re.split(r"[\s\[\]|]+", line.split("#")[0]) if w]
    cmd = command_for(words[1:])
    for word in words:
        if word.startswith("--"):
            assert word in options(cmd), f"{where} names {word} for {cmd.name!r}: {line}"


def scratch_folder(tmp_path: Path) -> None:
    """The folder the examples run in: the example ledger, the months file and the
    published spend files they name."""
    shutil.copytree(example_ledger_path(), tmp_path / "ledgers" / "cambridgeshire")
    # 20,000.00 in March and 100,000.00 in April 2020 make up the 120,000.00 staffing
    # estimate exactly.
    (tmp_path / "staffing-months.csv").write_text(
        "month,amount\n2020-03,20000.00\n2020-04,100000.00\n"
    )
    for name in ("spend-over-500-2020-02.csv", "spend-over-500.csv"):
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + PUBLISHED.encode("utf-8"))


def run_examples(pages: list[Path], tmp_path: Path, *, marked_only: bool) -> int:
    """Run the examples of `pages` in order, in one scratch folder; return how many ran."""
    env = {"FSGRANT_DB": str(tmp_path / "fsgrant.db")}
    ran = 0
    for page in pages:
        where = str(page.relative_to(ROOT))
        for lang, text in blocks(page.read_text(encoding="utf-8"), marked_only=marked_only):
            if lang == "python":
                exec(compile(text, where, "exec"), {"__name__": "docs_example"})
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
                    check_synopsis(line, where)
                    continue
                argv = shlex.split(line, comments=True)[1:]
                result = runner.invoke(app, argv, env=env)
                said = re.search(r"\(exit (\d)\)", line.partition(" #")[2])
                expected = int(said.group(1)) if said else 0
                assert result.exit_code == expected, (
                    f"{where}: {line}\n{result.output}\n{result.exception!r}"
                )
                ran += 1
    return ran
