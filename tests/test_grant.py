"""The grant's details: shown, changed (audited), the details replaced kept by the store."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app

runner = CliRunner()


def invoke(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "g.db"
    with fsgrant.open(path) as fs:
        fs.init("Family Safeguarding", "Department for Education", "Cambridgeshire CC")
        fs.years.add("2019/20", "2490000.00", "2019-08-01", confirmed_on="2019-08-01")
    return path


def test_a_360giving_export_without_org_ids_names_the_command_that_records_them(db):
    r = invoke(db, "export", "360giving", "--out", "-")
    assert r.exit_code == 2
    assert "fsgrant grant set --funder-org-id" in r.output
    assert invoke(db, "grant", "set", "--funder-org-id", "GB-GOR-PB1").exit_code == 0
    assert invoke(db, "grant", "set", "--recipient-org-id", "GB-LAE-CAM").exit_code == 0
    package = json.loads(invoke(db, "export", "360giving", "--out", "-").output)
    grant = package["grants"][0]
    assert grant["fundingOrganization"][0]["id"] == "GB-GOR-PB1"
    assert grant["recipientOrganization"][0]["id"] == "GB-LAE-CAM"


def test_a_change_is_audited_and_the_replaced_details_are_kept(db):
    with fsgrant.open(db) as fs:
        g = fs.grant.set(name="Family Safeguarding roll-out", recipient_org_id="GB-LAE-CAM")
        assert (g.name, g.funder, g.recipient_org_id) == (
            "Family Safeguarding roll-out",
            "Department for Education",
            "GB-LAE-CAM",
        )
        assert fs.grant.show() == g
        assert fs.grant.changes() == 1
        # The same details again change nothing and record nothing.
        fs.grant.set(name="Family Safeguarding roll-out")
        assert fs.grant.changes() == 1
        entry = fs.audit.log()[-1]
        assert entry.action == "grant-set"
        assert entry.detail == {
            "name": {"from": "Family Safeguarding", "to": "Family Safeguarding roll-out"},
            "recipient_org_id": {"from": None, "to": "GB-LAE-CAM"},
        }
        with pytest.raises(fsgrant.InvalidInput):
            fs.grant.set(funder="  ")
        with pytest.raises(fsgrant.InvalidInput, match="nothing to change"):
            fs.grant.set()
        # An empty org id clears it.
        assert fs.grant.set(recipient_org_id="").recipient_org_id is None
    raw = sqlite3.connect(db)
    try:
        kept = raw.execute(
            "SELECT name, recipient_org_id FROM grant_history ORDER BY id"
        ).fetchall()
        assert kept == [
            ("Family Safeguarding", None),
            ("Family Safeguarding roll-out", "GB-LAE-CAM"),
        ]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM grant_history")
        with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
            raw.execute("DELETE FROM grant_info")
    finally:
        raw.close()


def test_grant_show_and_set_on_the_command_line(db):
    shown = json.loads(invoke(db, "grant", "show", "-f", "json").output)
    assert shown["name"] == "Family Safeguarding"
    nothing = invoke(db, "grant", "set")
    assert nothing.exit_code == 2
    assert "--name" in nothing.output
    assert invoke(db, "grant", "set", "--funder", "DfE").exit_code == 0
    table = invoke(db, "grant", "show").output
    assert "DfE" in table
    assert "Changed 1 time(s)" in table


def test_export_return_refuses_standard_output_and_a_csv_name(db, tmp_path):
    dash = invoke(
        db, "export", "return", "--year", "2019/20", "--as-at", "2020-03-31", "--out", "-"
    )
    assert dash.exit_code == 2
    assert "--out FILE.xlsx" in dash.output
    assert not (tmp_path / "-").exists()
    csv_name = tmp_path / "r.csv"
    r = invoke(
        db, "export", "return", "--year", "2019/20", "--as-at", "2020-03-31", "--out", str(csv_name)
    )
    assert r.exit_code == 2
    assert "name its file .xlsx" in r.output
    assert not csv_name.exists()


def test_an_existing_return_names_the_option_on_the_command_line_and_the_parameter_in_python(
    db, tmp_path
):
    out = tmp_path / "r.xlsx"
    args = ["export", "return", "--year", "2019/20", "--as-at", "2020-03-31", "--out", str(out)]
    assert invoke(db, *args).exit_code == 0
    again = invoke(db, *args)
    assert again.exit_code == 1
    assert "use --force to replace it" in again.output
    with fsgrant.open(db) as fs, pytest.raises(fsgrant.Conflict) as err:
        fs.exports.write_return("2019/20", "2020-03-31", out=out)
    assert "pass force=True" in str(err.value)
    assert err.value.code == "file-exists"


def test_a_return_before_the_year_starts_says_so(db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "early.xlsx"
    r = invoke(
        db, "export", "return", "--year", "2019/20", "--as-at", "2019-07-01", "--out", str(out)
    )
    assert r.exit_code == 0, r.output
    subtitle = load_workbook(out, read_only=True)["Summary"]["A2"].value
    assert "before the year starts on 01/08/2019" in subtitle
    assert invoke(db, "export", "verify", str(out)).exit_code == 0
