import functools

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
        "fsgrant.services.imports",
        "fsgrant.services.plan",
        "fsgrant.services.estimates",
        "fsgrant.domain.reports",
        "fsgrant.domain.checks",
        "fsgrant.formats.mapping",
        "fsgrant.store.health",
    ):
        assert heavy not in loaded, heavy
    # Nor does it import the command modules of the other groups: only the one that
    # registers `spend` (its `spend import` comes from fsgrant.cli.imports, not needed).
    assert sorted(m for m in loaded if m.startswith("fsgrant.cli.")) == [
        "fsgrant.cli._common",
        "fsgrant.cli._render",
        "fsgrant.cli.spend",
    ]
    with fsgrant.open(db) as fs:
        assert [str(line.amount) for line in fs.spend.list()] == ["12.00"]
