"""The audit trail: every write says who, when, with which command, and what changed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from reliability_helpers import child_env, make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.store.connection import current_user


def test_every_library_write_records_who_when_which_call_and_what(tmp_path):
    start = datetime.now(UTC)
    path = tmp_path / "grant.db"
    with fsgrant.open(path) as led:
        led.init("Family Safeguarding roll-out", "Department for Education", "The council")
        led.categories.add("travel", "Mileage")
        led.years.add("2019/20", "2490000.00", "2019-08-01")
        led.years.add("2020/21", "1600000.00", "2020-08-01", status="in-principle")
        led.years.vary("2019/20", agreed_on="2020-02-14", reason="late posts", end="2021-03-31")
        led.estimates.set("2019/20", "training", "250000.00", on="2019-08-01")
        line = led.spend.add("2019-10-01", "1234.56", "training", reference="INV1")
        rev = led.spend.reverse(line.id, "keyed twice")
        led.receipts.add("2019-09-30", "1245000.00", "2019/20")
        led.periods.close("2019/20", "2019-12-31", "DfE return Q2")
        led.periods.reopen("2019/20", "late invoice")
        log = led.audit.log()

    assert [e.action for e in log] == [
        "init",
        "category.add",
        "year.add",
        "year.add",
        "year.vary",
        "estimate.set",
        "spend.add",
        "spend.reverse",
        "receipt.add",
        "period.close",
        "period.reopen",
    ]
    for e in log:
        assert e.user == current_user()
        assert e.command == f"api:{e.action}"  # a library call, not a command line
        at = e.at  # a timezone-aware datetime (UTC)
        assert at.tzinfo is not None
        assert start - timedelta(seconds=1) <= at <= datetime.now(UTC)
    by_action = {e.action: e for e in log}
    assert by_action["spend.add"].detail == {
        "id": line.id,
        "date": "2019-10-01",
        "amount": "1234.56",
        "category": "training",
    }
    assert by_action["spend.reverse"].subject == str(line.id)
    assert by_action["spend.reverse"].detail["id"] == rev.id
    assert by_action["spend.reverse"].detail["amount"] == "-1234.56"
    assert by_action["year.vary"].detail["new_end"] == "2021-03-31"
    assert by_action["period.close"].detail["reference"] == "DfE return Q2"
    assert by_action["period.reopen"].detail == {
        "id": 2,
        "reason": "late invoice",
        "was_closed_through": "2019-12-31",
    }


def test_each_audited_row_is_written_with_its_change(tmp_path):
    # The audit entry is in the same transaction as the change: one spend.add entry
    # per spend line, however many lines there are.
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path) as led:
        ids = [led.spend.add("2019-10-01", f"{i}.00", "training").id for i in range(1, 6)]
        logged = [e.detail["id"] for e in led.audit.log() if e.action == "spend.add"]
    assert logged == ids


def test_the_command_line_is_recorded(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "fsgrant", "--db", str(path), "spend", "add"),
            *("04/02/2020", "£1,234.56", "training", "--ref", "INV 7"),
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    with fsgrant.open(path, create=False) as led:
        last = led.audit.log()[-1]
    assert last.command == (
        f"fsgrant --db {path} spend add 04/02/2020 '£1,234.56' training --ref 'INV 7'"
    )
    assert last.action == "spend.add"
    # spend add answers with what it recorded: "#1 £1,234.56 training, ...".
    assert f"#{last.detail['id']} £1,234.56 training" in proc.stdout


def test_an_embedded_cli_run_records_the_command_and_then_forgets_it(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    r = CliRunner().invoke(
        app, ["--db", str(path), "spend", "add", "2019-10-01", "12.00", "training"]
    )
    assert r.exit_code == 0, r.stderr
    with fsgrant.open(path, create=False) as led:
        led.spend.add("2019-10-02", "1.00", "training")
        a, b = led.audit.log()[-2:]
    assert a.command.startswith("fsgrant spend add ")
    assert "amount=12.00" in a.command
    assert b.command == "api:spend.add"  # the CLI's command does not leak into later calls


def test_log_command_filters_by_day_and_prints_json(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    run = CliRunner()
    r = run.invoke(app, ["--db", str(path), "log", "-f", "json"])
    assert r.exit_code == 0, r.stderr
    entries = json.loads(r.output)
    assert [e["action"] for e in entries] == ["init", "year.add", "year.add"]
    assert entries[1]["detail"] == {"award": "2490000.00"}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    r = run.invoke(app, ["--db", str(path), "log", "--since", tomorrow, "-f", "csv"])
    assert r.output.strip() == "id,at,user,command,action,subject,detail"
    r = run.invoke(app, ["--db", str(path), "log", "--since", "31/02/2020"])
    assert r.exit_code == 2 and "not a real day" in r.stderr


def test_every_admin_command_has_help():
    run = CliRunner()
    for args in (
        ["period", "close"],
        ["period", "reopen"],
        ["period", "list"],
        ["log"],
        ["backup"],
        ["doctor"],
    ):
        r = run.invoke(app, [*args, "--help"])
        assert r.exit_code == 0, args
        assert "Usage:" in r.output and len(r.output.splitlines()) > 3


def test_a_load_records_what_it_stored(tmp_path):
    from fsgrant.services.demo import example_ledger_path

    with fsgrant.open(tmp_path / "grant.db") as led:
        counts = led.load(example_ledger_path())
        last = led.audit.log()[-1]
    assert last.action == "load"
    assert last.detail == counts.model_dump()
    assert counts.spend > 0


def test_the_store_stamps_who_and_when_on_what_it_records(new_ledger):
    led = new_ledger()
    before = datetime.now(UTC).isoformat(timespec="microseconds")
    line = led.spend.add("2019-09-30", "120.00", "training")
    row = led.store.query_one("SELECT recorded_at, recorded_by FROM spend WHERE id = ?", [line.id])
    assert row is not None
    assert row["recorded_by"] == current_user()
    assert before <= row["recorded_at"] <= datetime.now(UTC).isoformat(timespec="microseconds")
    # A closure is stamped in its own columns (at, by); a record giving them keeps them.
    assert led.store.stamped("period_events", {"through": "2019-08-31"}).keys() >= {"at", "by"}
    given = {"recorded_at": "2020-01-01T00:00:00+00:00", "recorded_by": "loader"}
    assert led.store.stamped("spend", given) == given
