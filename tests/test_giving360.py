"""The 360Giving export, validated offline against the standard's own schemas."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.formats.giving360 import json_number

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
if not STANDARDS.is_dir():  # a checkout beside /work/shared, or CI's copy of it
    STANDARDS = Path("/work/shared/standards")


def validator() -> Draft202012Validator:
    """The package schema, with the grant schema it refers to registered under the
    URLs it is published at, so nothing is fetched."""
    grant = json.loads((STANDARDS / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((STANDARDS / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    ref = package["properties"]["grants"]["items"]["$ref"]
    # The schemas name their dialect as http://json-schema.org/draft/2020-12/schema
    # (http, not https), which referencing does not recognise: say it outright.
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(ref, resource), (grant["$id"], resource)])
    # Format checks matter here: the standard's dates are oneOf a date-time format
    # and a YYYY-MM-DD pattern, so without a date-time check a plain date matches
    # both. A strict RFC 3339 check, so that the test needs no extra package.
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value
        ):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    return Draft202012Validator(package, registry=registry, format_checker=checker)


@pytest.fixture
def ledger(tmp_path):
    # 2019/20: £2,490,000.00, confirmed 01/08/2019, extended to 31/03/2021 on 14/02/2020;
    # 2020/21: £1,600,000.00 in principle (not an award yet: not published).
    # Paid for 2019/20: 1,245,000.00 on 15/10/2019 and 622,500.50 on 20/03/2020.
    led = fsgrant.open(tmp_path / "s.db")
    led.init(
        "Family Safeguarding roll-out",
        "Department for Education",
        "Cambridgeshire County Council",
        funder_org_id="GB-GOR-PB1",
        recipient_org_id="GB-LAE-CAM",
    )
    led.years.add("2019/20", "2490000.00", "2019-08-01", confirmed_on="2019-08-01")
    led.years.add("2020/21", "1600000.00", "2020-08-01", status="in-principle")
    led.years.vary("2019/20", agreed_on="2020-02-14", end="2021-03-31", reason="Moved back")
    led.receipts.add("15/10/2019", "1245000.00", "2019/20", reference="FS-CAM-001")
    led.receipts.add("20/03/2020", "622500.50", "2019/20", reference="FS-CAM-002")
    return led


def test_package_is_valid_against_the_standard_schema(ledger):
    package = ledger.exports.giving360_package("2020-03-31")
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_package_fields_worked_by_hand(ledger):
    package = ledger.exports.giving360_package("2020-03-31")
    assert package["version"] == "1.4"
    assert package["issued"] == "2020-03-31"
    (grant,) = package["grants"]  # 2020/21 is in principle: not an award yet
    assert grant["id"] == "360G-fsgrant-GB-LAE-CAM-family-safeguarding-roll-out-2019-20"
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == 2490000
    # 1,245,000.00 + 622,500.50 = 1,867,500.50
    assert grant["amountDisbursed"] == 1867500.5
    assert grant["awardDate"] == "2019-08-01"
    # As varied: August 2019 to March 2021 is 20 months.
    assert grant["plannedDates"] == [
        {"startDate": "2019-08-01", "endDate": "2021-03-31", "duration": 20}
    ]
    assert grant["recipientOrganization"] == [
        {"id": "GB-LAE-CAM", "name": "Cambridgeshire County Council"}
    ]
    assert grant["fundingOrganization"] == [
        {"id": "GB-GOR-PB1", "name": "Department for Education"}
    ]
    payments = grant["disbursementTransaction"]
    assert [(p["transactionDate"], p["value"], p["description"]) for p in payments] == [
        ("2019-10-15", 1245000, "FS-CAM-001"),
        ("2020-03-20", 622500.5, "FS-CAM-002"),
    ]
    assert all(p["provider"] == "GB-GOR-PB1" and p["recipient"] == "GB-LAE-CAM" for p in payments)


def test_as_at_leaves_out_later_payments_and_variations(ledger):
    (grant,) = ledger.exports.giving360_package("2019-12-31")["grants"]
    assert grant["amountDisbursed"] == 1245000
    assert grant["plannedDates"][0]["endDate"] == "2020-07-31"  # not yet extended
    assert len(grant["disbursementTransaction"]) == 1
    assert not list(validator().iter_errors(ledger.exports.giving360_package("2019-12-31")))


def test_org_ids_are_configurable_and_required(tmp_path):
    led = fsgrant.open(tmp_path / "s.db")
    led.init("Grant", "Funder", "Recipient")
    led.years.add("2019/20", "1000.00", "2019-08-01")
    with pytest.raises(InvalidInput, match="funder's org id"):
        led.exports.giving360_package("2020-01-01")
    package = led.exports.giving360_package(
        "2020-01-01", funder_org_id="GB-GOR-X", recipient_org_id="GB-LAE-Y", id_prefix="360G-abc"
    )
    (grant,) = package["grants"]
    assert grant["id"] == "360G-abc-GB-LAE-Y-grant-2019-20"
    assert grant["fundingOrganization"][0]["id"] == "GB-GOR-X"
    assert "disbursementTransaction" not in grant
    assert not list(validator().iter_errors(package))
    led.close()


def test_json_numbers_are_exact():
    assert json.dumps(json_number(Decimal("1234.56"))) == "1234.56"
    assert json.dumps(json_number(Decimal("0.10"))) == "0.1"
    assert json.dumps(json_number(Decimal("2490000.00"))) == "2490000"
    assert json.dumps(json_number(Decimal("99999999999.99"))) == "99999999999.99"


def test_cli_writes_the_package_and_refuses_to_overwrite(ledger, tmp_path):
    runner = CliRunner()
    out = tmp_path / "g.json"
    args = ["--db", str(ledger.path), "export", "360giving", "--as-at", "2020-03-31"]
    r = runner.invoke(app, [*args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    package = json.loads(out.read_text(encoding="utf-8"))
    assert not list(validator().iter_errors(package))
    r = runner.invoke(app, [*args, "--out", str(out)])
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(app, [*args, "--out", "-"])
    assert r.exit_code == 0 and json.loads(r.output) == package
    with pytest.raises(Conflict):
        ledger.exports.write_360giving(out)


def test_the_validator_does_check_each_grant(ledger):
    # A check that the schema of a grant is really applied (not silently skipped).
    package = ledger.exports.giving360_package("2020-03-31")
    del package["grants"][0]["fundingOrganization"]
    package["grants"][0]["awardDate"] = "01/08/2019"
    messages = [e.message for e in validator().iter_errors(package)]
    assert messages  # both problems are caught under the grant's oneOf
    assert any("is not valid under any of the given schemas" in m for m in messages)
