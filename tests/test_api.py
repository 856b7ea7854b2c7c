import functools

import pydantic
import pytest

import fsgrant


def test_public_api_is_pinned():
    assert fsgrant.__all__ == sorted(fsgrant.__all__)
    assert set(fsgrant.__all__) >= {
        "FsgrantError",
        "Ledger",
        "SpendLine",
        "SummaryReport",
        "open",
        "parse_amount",
        "parse_date",
    }
    for name in fsgrant.__all__:
        assert getattr(fsgrant, name) is not None, name


def test_one_exception_root():
    for name in (
        "InvalidInput",
        "InvalidAmount",
        "InvalidDate",
        "SourceError",
        "NotFound",
        "Conflict",
        "PeriodClosed",
        "StoreError",
    ):
        assert issubclass(getattr(fsgrant, name), fsgrant.FsgrantError)


def test_errors_survive_pickling_with_their_details():
    # A program that runs fsgrant in worker processes gets its errors back whole.
    import pickle

    source = fsgrant.SourceError("april.csv", 12, "amount", "not an amount", value="12,3")
    back = pickle.loads(pickle.dumps(source))
    assert type(back) is fsgrant.SourceError
    assert (back.source, back.line, back.field, back.reason, back.value, back.code) == (
        "april.csv",
        12,
        "amount",
        "not an amount",
        "12,3",
        "bad_source",
    )
    assert str(back) == "april.csv, line 12, field 'amount': not an amount"
    store = pickle.loads(pickle.dumps(fsgrant.StoreError("the store is locked")))
    assert (type(store), str(store)) == (fsgrant.StoreError, "the store is locked")


def test_library_round_trip(tmp_path):
    with fsgrant.open(tmp_path / "lib.db") as led:
        led.init("G", "F", "R")
        led.years.add("2019/20", "100.00", "2019-08-01")
        line = led.spend.add("2019-08-02", "0.10", "other")
        led.spend.add("2019-08-03", "0.20", "other")
        assert isinstance(line, fsgrant.SpendLine)
        report = led.reports.summary()
        assert isinstance(report, fsgrant.SummaryReport)
        # 0.10 + 0.20 is exactly 0.30, not 0.30000000000000004.
        assert str(report.funding_years[0].actual) == "0.30"


def test_the_public_names_are_exactly_these():
    # A change here is a change of the public API: say so in the CHANGELOG.
    assert fsgrant.__all__ == [
        "AuditEntry",
        "ClosedPeriod",
        "Commitment",
        "Conflict",
        "CostCategory",
        "Estimate",
        "ExtractMapping",
        "Finding",
        "FsgrantError",
        "FundingYear",
        "FundingYearState",
        "Grant",
        "ImportBatch",
        "ImportResult",
        "InvalidAmount",
        "InvalidDate",
        "InvalidInput",
        "Ledger",
        "LoadResult",
        "MappingCheck",
        "MeasureObservation",
        "MeasureTarget",
        "NotFound",
        "PeriodClosed",
        "PeriodEvent",
        "PlanCost",
        "PlanFunding",
        "PlanSource",
        "Post",
        "PostChange",
        "PostsReport",
        "ProfileReport",
        "Receipt",
        "ReturnData",
        "ReturnDifference",
        "SetForecast",
        "Setting",
        "SourceError",
        "SpendByReport",
        "SpendLine",
        "StatusChange",
        "StoreError",
        "SummaryReport",
        "SustainabilityReport",
        "SustainabilityYear",
        "VarianceReport",
        "Variation",
        "YearSummary",
        "__version__",
        "financial_year_label",
        "load_mapping",
        "open",
        "parse_amount",
        "parse_date",
    ]


# The command line's groups and the ledger's services: fs.<service> does what
# `fsgrant <group> ...` does.
CLI_GROUP_TO_SERVICE = {
    "grant": "grant",
    "year": "years",
    "category": "categories",
    "estimate": "estimates",
    "spend": "spend",
    "receipt": "receipts",
    "commit": "commitments",
    "post": "posts",
    "forecast": "forecasts",
    "settings": "settings",
    "report": "reports",
    "imports": "imports",
    "mapping": "imports",
    "export": "exports",
    "period": "periods",
    "return": "returns",
    "plan": "plan",
    "measure": "measures",
    "condition": "conditions",
}
TOP_LEVEL_COMMANDS = {"init", "load", "check", "doctor", "backup", "log", "demo", "browse"}


def test_the_library_mirrors_the_command_line(tmp_path):
    import typer.main

    from fsgrant.cli import app

    group = typer.main.get_group(app)
    groups = {name for name, cmd in group.commands.items() if hasattr(cmd, "commands")}
    commands = set(group.commands) - groups
    assert groups == set(CLI_GROUP_TO_SERVICE)
    assert commands == TOP_LEVEL_COMMANDS
    with fsgrant.open(tmp_path / "api.db") as fs:
        # The services are built on first use: each is a cached property of the
        # class, and the instance holds only its store until one is reached.
        assert {name for name in vars(fs) if not name.startswith("_")} == {"store"}
        services = {
            name
            for name, member in vars(type(fs)).items()
            if isinstance(member, functools.cached_property)
        }
        assert services == {"tables", *CLI_GROUP_TO_SERVICE.values(), "audit"}
        assert {name for name in dir(fs) if not name.startswith("_")} == {
            "store",
            "path",
            *services,
            "init",
            "load",
            "check",
            "doctor",
            "backup",
            "close",
        }
        for service in CLI_GROUP_TO_SERVICE.values():
            assert not callable(getattr(fs, service)), service  # a service, not a method
        for service in services:
            assert getattr(fs, service) is getattr(fs, service), service  # built once
        assert {name for name in vars(fs) if not name.startswith("_")} == {"store", *services}
        # One way to do each thing: the ledger's own methods are the top-level commands.
        methods = {
            name
            for name in dir(type(fs))
            if not name.startswith("_") and callable(getattr(type(fs), name))
        }
        assert methods == {"init", "load", "check", "doctor", "backup", "close"}


def test_adding_spend_imports_only_what_it_needs(tmp_path):
    # The services and tables are built on first use: adding a spend line through the
    # command line reaches neither the reports nor the exports, imports or plan.
    import subprocess
    import sys

    db = str(tmp_path / "lazy.db")
    with fsgrant.open(db) as fs:
        fs.init("G", "F", "R")
        fs.years.add("2019/20", "100.00", "2019-08-01")
    code = (
        "import sys\n"
        "from fsgrant.cli import app\n"
        f"try: app(['--db', {db!r}, 'spend', 'add', '04/02/2020', '12.00', 'training'])\n"
        "except SystemExit as exc: assert not exc.code, exc.code\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('fsgrant'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = set(out.split())
    assert "fsgrant.services.spend" in loaded
    for heavy in (
        "fsgrant.services.reports",
        "fsgrant.services.exports",
        "fsgrant.imports.service",
        "fsgrant.services.plan",
        "fsgrant.services.estimates",
        "fsgrant.domain.reports",
        "fsgrant.domain.checks",
        "fsgrant.domain.phasing",
        "fsgrant.imports.mapping",
        "fsgrant.store.health",
    ):
        assert heavy not in loaded, heavy
    # Nor does it import the command modules of the other groups: only the one that
    # registers `spend` (its `spend import` comes from fsgrant.cli.imports, not needed),
    # and the few words it answers with.
    assert sorted(m for m in loaded if m.startswith("fsgrant.cli.")) == [
        "fsgrant.cli._common",
        "fsgrant.cli._render",
        "fsgrant.cli._words",
        "fsgrant.cli.spend",
    ]
    with fsgrant.open(db) as fs:
        assert [str(line.amount) for line in fs.spend.list()] == ["12.00"]


_RECORDS_AT_IMPORT = """
import importlib, pkgutil, sys
import pydantic
import fsgrant.domain
records = []
for pkg in (fsgrant.domain,):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        records += [
            v for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, pydantic.BaseModel) and v.__module__ == info.name
        ]
built = [r.__name__ for r in records if r.__pydantic_complete__]
print(len(records), built)
from fsgrant.domain.models import Grant
try:
    Grant(name="G", funder="F", recipient="R", colour="red")
except pydantic.ValidationError as exc:
    print(exc.errors()[0]["type"], exc.errors()[0]["loc"])
print(Grant.__pydantic_complete__)
"""


def test_records_are_built_on_first_use_and_validate_as_before():
    # Importing the domain builds no record's validator (a command pays only for those
    # it uses); the first use builds it, and refuses as it always did. (The mapping
    # presets of fsgrant.formats are records made at import: those are built then.)
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _RECORDS_AT_IMPORT], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    count, built = out[0].split(" ", 1)
    assert int(count) > 50 and built == "[]"
    assert out[1:] == ["extra_forbidden ('colour',)", "True"]
    # In this process: a float is refused for money, a bad id is a validation error
    # naming its field, and the JSON forms are unchanged.
    from fsgrant.domain.models import Receipt

    fields = {
        "id": 1,
        "date": "04/02/2020",
        "funding_year": "2019/20",
        "recorded_at": "2020-02-04T10:00:00",
        "recorded_by": "fo",
    }
    with pytest.raises(fsgrant.InvalidAmount, match="floating-point numbers are refused"):
        Receipt(amount=0.1, **fields)
    with pytest.raises(pydantic.ValidationError) as exc:
        Receipt(amount="1.00", **{**fields, "id": "first"})
    assert [(e["type"], e["loc"]) for e in exc.value.errors()] == [("int_parsing", ("id",))]
    receipt = Receipt(amount="1245000.00", **fields)
    assert receipt.model_dump(mode="json")["amount"] == "1245000.00"
    assert receipt.model_dump(mode="json")["date"] == "2020-02-04"
    assert Receipt.model_json_schema()["required"] == [
        "id",
        "date",
        "amount",
        "funding_year",
        "recorded_at",
        "recorded_by",
    ]
