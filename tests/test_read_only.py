"""A store the user may read but not write: reports, lists and exports work; writes say
the file is read-only. A ledger used after close() says it is closed."""

import json
import os
import stat

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app

runner = CliRunner()


def make_store(path):
    with fsgrant.open(path) as fs:
        fs.init("G", "DfE", "Council")
        fs.years.add("2019/20", "1000.00", "2019-08-01")
        fs.estimates.set("2019/20", "training", "600.00", on="2019-08-01")
        fs.spend.add("2019-09-01", "100.00", "training")
    return path


@pytest.fixture
def unwritable(monkeypatch):
    """The files are not writable by this user. Root can write through chmod, so the
    check the store makes (os.access) is answered as for an ordinary user; SQLite's
    read-only open then refuses writes even to root."""
    real = os.access

    def access(path, mode, *a, **k):
        if mode & os.W_OK:
            return False
        return real(path, mode, *a, **k)

    monkeypatch.setattr(os, "access", access)


def invoke(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


def test_reports_lists_and_exports_work_on_a_read_only_store(tmp_path, unwritable):
    db = make_store(tmp_path / "s.db")
    before = db.read_bytes()
    summary = invoke(db, "report", "summary", "--as-at", "2020-03-31", "-f", "json")
    assert summary.exit_code == 0, summary.output
    # award 1000.00 - actual 100.00 - forecast (600.00 - 100.00 assumed) = 400.00
    assert json.loads(summary.output)["funding_years"][0]["underspend_at_risk"] == "400.00"
    assert invoke(db, "spend", "list").exit_code == 0
    out = tmp_path / "r.xlsx"
    made = invoke(
        db, "export", "return", "--year", "2019/20", "--as-at", "2020-03-31", "--out", str(out)
    )
    assert made.exit_code == 0, made.output
    checked = invoke(db, "export", "verify", str(out))
    assert checked.exit_code == 0, checked.output
    wrote = invoke(db, "spend", "add", "2019-10-01", "5.00", "training")
    assert wrote.exit_code == 1
    assert f"{db} is read-only" in wrote.output
    assert "Traceback" not in wrote.output
    assert db.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes; see the test above")
def test_a_chmod_read_only_store(tmp_path):
    db = make_store(tmp_path / "s.db")
    for p in tmp_path.iterdir():
        p.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert invoke(db, "report", "summary", "--as-at", "2020-03-31").exit_code == 0
        wrote = invoke(db, "receipt", "add", "2019-10-01", "5.00", "--year", "2019/20")
        assert wrote.exit_code == 1
        assert "is read-only" in wrote.output
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_read_only_asked_for_in_the_library(tmp_path):
    db = make_store(tmp_path / "s.db")
    with fsgrant.open(db, read_only=True) as fs:
        assert [line.amount for line in fs.spend.list()] == [fsgrant_decimal("100.00")]
        with pytest.raises(fsgrant.StoreError) as err:
            fs.receipts.add("2019-10-01", "5.00", "2019/20")
        assert err.value.code == "read-only"
    with fsgrant.open(db) as fs:
        assert fs.receipts.list() == []


def fsgrant_decimal(text):
    from decimal import Decimal

    return Decimal(text)


def test_a_closed_ledger_raises_an_fsgrant_error(tmp_path):
    fs = fsgrant.open(make_store(tmp_path / "s.db"))
    fs.close()
    with pytest.raises(fsgrant.StoreError) as err:
        fs.spend.list()
    assert err.value.code == "ledger-closed"
    assert "closed" in str(err.value)
    fs.close()  # closing twice is harmless
