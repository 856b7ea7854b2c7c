"""Stores written by other versions, and files that are not fsgrant stores at all.

A store written by an older fsgrant is upgraded in place with a backup written first;
one from a newer fsgrant, a foreign SQLite database or a file that is not SQLite is
refused with a clear message and never modified. Also ``backup`` and ``doctor``.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest
from old_stores import AT, BY, GRANT_YEARS, migrations_before, old_store
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import StoreError
from fsgrant.store import connection as store
from fsgrant.store import schema

FIRST = schema.MIGRATIONS[:1]
# A test-only later step: a note column that an upgraded store must gain.
TEST_STEP = (
    "0099_test_only_notes",
    ["CREATE TABLE test_notes (id INTEGER PRIMARY KEY, note TEXT)"],
)


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def _version1_store(path, monkeypatch):
    """A store as the first release of fsgrant wrote it (schema version 1)."""
    old_store(path, FIRST, years=GRANT_YEARS, spend=[("2019-10-01", 123456, "training", "INV1")])


def test_an_older_store_is_upgraded_in_place_with_a_backup_first(tmp_path, monkeypatch):
    path = tmp_path / "grant.db"
    _version1_store(path, monkeypatch)
    monkeypatch.setattr(store, "MIGRATIONS", [*schema.MIGRATIONS, TEST_STEP])
    with fsgrant.open(path, create=False) as led:
        assert led.store.applied_migrations() == [
            "0001_initial",
            "0002_allocation_views",
            "0003_append_only_no_replace",
            "0004_lighter_spend_indexes",
            "0005_submitted_returns",
            "0006_allocation_tie_by_label",
            "0007_post_changes",
            "0008_spend_source_fields",
            "0009_grant_history",
            "0010_sustainability_plan",
            "0011_conditions",
            "0012_estimate_phasing",
            "0013_receipt_reversals",
            "0014_covering_spend_index",
            "0015_spend_batch_index",
            "0016_compact_source_fields",
            "0017_plan_source_dated",
            "0018_register_and_s151_officer",
            "0019_commitments",
            "0020_accruals",
            "0021_forecast_additions",
            "0022_condition_amendments",
            "0023_estimate_reasons",
            "0024_spend_orders",
            "0025_outcomes",
            "0026_import_lines_carry_batch_stamp",
            "0099_test_only_notes",
        ]
        backups = led.store.backups
        # Nothing was reinterpreted: the same grant, line and pence.
        assert led.grant.show().name == "Family Safeguarding roll-out"
        assert [(x.reference, x.amount) for x in led.spend.list()] == [("INV1", Decimal("1234.56"))]
        led.store.query("SELECT * FROM test_notes")
        assert not [f for f in led.doctor() if f.problem]
    assert len(backups) == 1
    assert backups[0].parent == tmp_path
    assert backups[0].name.startswith("grant.db.schema1-") and backups[0].name.endswith(".bak")
    # The backup is the store as it was before the upgrade: version 1, same line.
    raw = sqlite3.connect(backups[0])
    try:
        assert [r[0] for r in raw.execute("SELECT name FROM _sqlite_migrations")] == [
            "0001_initial"
        ]
        assert raw.execute("SELECT reference, amount_pence FROM spend").fetchall() == [
            ("INV1", 123456)
        ]
    finally:
        raw.close()
    # Opening again upgrades nothing and writes no second backup.
    before = _files(tmp_path)
    with fsgrant.open(path, create=False) as led:
        assert led.store.backups == []
    assert _files(tmp_path) == before


def test_a_failed_upgrade_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "grant.db"
    _version1_store(path, monkeypatch)
    broken = ("0099_broken", ["CREATE TABLE half_done (x)", "THIS IS NOT SQL"])
    monkeypatch.setattr(store, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    with pytest.raises(StoreError):
        fsgrant.open(path, create=False)
    monkeypatch.setattr(store, "MIGRATIONS", FIRST)
    with fsgrant.open(path, create=False) as led:
        assert led.store.applied_migrations() == ["0001_initial"]
        names = {r[0] for r in led.store.query("SELECT name FROM sqlite_master")}
        assert "half_done" not in names and "spend_no_replace" not in names


def test_a_store_from_a_newer_fsgrant_is_refused_untouched(tmp_path, monkeypatch):
    path = tmp_path / "grant.db"
    with monkeypatch.context() as m:
        m.setattr(store, "MIGRATIONS", [*schema.MIGRATIONS, TEST_STEP])
        make_grant(path)
    before = path.read_bytes()
    files = _files(tmp_path)
    with pytest.raises(StoreError, match="written by a newer fsgrant") as info:
        fsgrant.open(path, create=False)
    assert "0099_test_only_notes" in info.value.message
    assert "upgrade fsgrant" in info.value.message
    assert path.read_bytes() == before
    assert _files(tmp_path) == files
    r = CliRunner().invoke(app, ["--db", str(path), "report", "summary"])
    assert r.exit_code == 1
    assert r.stderr.startswith("fsgrant: error: ") and r.stderr.count("\n") == 1
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b"date,amount,category\n2019-10-01,12.00,training\n",
        b"hello",
        b"SQLite format 3\x00" + b"\xff" * 200,
        bytes(range(256)) * 40,
    ],
    ids=["csv", "short-text", "bad-sqlite-header", "binary"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not an fsgrant store"):
        fsgrant.open(path)
    assert path.read_bytes() == content
    assert _files(tmp_path) == ["notes.db"]
    r = CliRunner().invoke(app, ["--db", str(path), "spend", "add", "2019-10-01", "1", "x"])
    assert r.exit_code == 1 and "not an fsgrant store" in r.stderr
    assert path.read_bytes() == content


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "payroll.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE staff (name TEXT, salary REAL)")
    conn.execute("INSERT INTO staff VALUES ('A. Worker', 30000.0)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(StoreError, match="not an fsgrant store; refusing to touch it"):
            fsgrant.open(path, create=create)
    r = CliRunner().invoke(app, ["--db", str(path), "load", "ledgers/cambridgeshire"])
    assert r.exit_code == 1 and "refusing to touch it" in r.stderr
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["payroll.db"]


def test_a_missing_store_is_not_created_by_a_command_that_only_uses_one(tmp_path):
    path = tmp_path / "typo.db"
    r = CliRunner().invoke(app, ["--db", str(path), "spend", "add", "2019-10-01", "1", "x"])
    assert r.exit_code == 1 and "create one with 'fsgrant init'" in r.stderr
    assert not path.exists()


# ------------------------------------------------------------ backup
def test_backup_writes_a_consistent_self_contained_copy(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path) as led:
        led.spend.add("2019-10-01", "0.10", "training")
        copy = led.backup(tmp_path / "copy.db")
        led.spend.add("2019-10-01", "0.20", "training")  # after the copy: not in it
    assert not (tmp_path / "copy.db-wal").exists()
    with fsgrant.open(copy, create=False) as led:
        assert led.spend.totals() == {("2019/20", "training"): Decimal("0.10")}
    with pytest.raises(StoreError, match="refusing to overwrite"):
        fsgrant.open(path).backup(copy)
    run = CliRunner()
    r = run.invoke(app, ["--db", str(path), "backup", str(tmp_path / "cli.db")])
    assert r.exit_code == 0 and "Wrote a copy" in r.output
    r = run.invoke(app, ["--db", str(path), "backup", str(tmp_path / "cli.db")])
    assert r.exit_code == 1 and "refusing to overwrite" in r.stderr
    r = run.invoke(app, ["--db", str(path), "backup", str(tmp_path / "no" / "such" / "x.db")])
    assert r.exit_code == 1 and "does not exist" in r.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------ doctor
def test_doctor_is_clean_on_a_new_store_and_reports_its_pragmas(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    r = CliRunner().invoke(app, ["--db", str(path), "doctor", "-f", "json"])
    assert r.exit_code == 0, r.stderr
    findings = {f["code"]: f for f in json.loads(r.output)}
    assert {f["severity"] for f in findings.values()} == {"ok"}
    assert findings["integrity"]["message"] == "PRAGMA integrity_check: ok"
    assert findings["journal_mode"]["message"] == "journal_mode: wal"
    assert findings["synchronous"]["message"] == "synchronous: FULL"
    assert findings["foreign_keys_pragma"]["message"] == "foreign_keys: on"
    assert findings["busy_timeout"]["message"].startswith("busy_timeout: 30000 ms")
    assert findings["schema"]["message"].startswith("schema version 26 ")
    assert "30 tables" in findings["append_only"]["message"]


def test_doctor_finds_a_removed_trigger_and_a_forged_reversal(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path) as led:
        line = led.spend.add("2019-10-01", "100.00", "training")
        led.spend.reverse(line.id, "wrong")
    # Someone with the file drops the protection and edits the reversal.
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER spend_no_update")
    raw.execute("UPDATE spend SET amount_pence = -1 WHERE reverses IS NOT NULL")
    raw.commit()
    raw.close()
    r = CliRunner().invoke(app, ["--db", str(path), "doctor", "-f", "csv"])
    assert r.exit_code == 1
    assert (
        "error,append_only,spend is not protected: trigger(s) spend_no_update missing" in r.output
    )
    assert f"error,reversals,spend line 2 does not net line {line.id} to zero" in r.output
    assert r.stderr == "fsgrant: 2 problem(s) found\n"


def test_doctor_warns_when_no_grant_is_recorded(tmp_path):
    path = tmp_path / "empty.db"
    with fsgrant.open(path) as led:
        findings = led.doctor()
    assert [f.code for f in findings if f.severity == "warning"] == ["grant"]
    assert not [f for f in findings if f.problem]


def test_a_store_upgraded_to_keep_source_fields_keeps_its_lines_and_fingerprint(
    tmp_path, monkeypatch
):
    path = tmp_path / "grant.db"
    old_store(
        path,
        migrations_before("0005_submitted_returns"),
        years=GRANT_YEARS,
        spend=[("2019-10-01", 10000, "training", "INV-7")],
    )
    # The fingerprint of that store before the upgrade (as the first release worked it
    # out, over the rows written above): a return made then carries it.
    before = "08924b8c5ff9720e62c854fa38927d2ad573e794e0b6532055af93c8d4a9cd49"
    with fsgrant.open(path, create=False) as led:
        assert "0008_spend_source_fields" in led.store.applied_migrations()
        assert len(led.store.backups) == 1
        # The line stored before the upgrade is as it was, with no source row.
        [old] = led.spend.list()
        assert (old.amount, old.reference, old.source_fields) == (
            Decimal("100.00"),
            "INV-7",
            None,
        )
        # A return made before the upgrade still verifies: the fingerprint is the same.
        assert led.exports.fingerprint() == before
        second = tmp_path / "april.csv"
        second.write_text(
            "date,amount,category,Invoice Number\n2019-11-01,5.00,training,INV-8\n",
            encoding="utf-8",
        )
        led.imports.import_file(second)
        new = [x for x in led.spend.list() if x.import_batch == 1]
        assert (led.imports.get(1).rows_zero, led.imports.get(1).skipped_by) == (0, {})
        assert new[0].source_fields == {
            "date": "2019-11-01",
            "amount": "5.00",
            "category": "training",
            "Invoice Number": "INV-8",
        }
        # The table stays append-only, and the new column refuses what is not JSON.
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE spend SET source_fields = '{}' WHERE id = ?", [new[0].id])
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
            conn.execute(
                "INSERT INTO spend (date, amount_pence, category, source_fields, recorded_at, "
                "recorded_by) VALUES ('2019-12-01', 1, 'training', 'not json', 'now', 'me')"
            )
    finally:
        conn.close()


def test_lines_imported_before_the_names_were_kept_with_the_batch_read_as_they_were(
    tmp_path,
):
    """A store of 0015 holds a line whose source row is a JSON object keyed by the
    header; after the upgrade it reads the same, a new import stores its cells as an
    array with the names once in its batch, and both read as the row keyed by the
    header, in the library and in the spend_source view."""
    path = tmp_path / "grant.db"
    old_store(path, migrations_before("0016_compact_source_fields"), years=GRANT_YEARS)
    old_row = {"Posting Date": "01/10/2019", "Amount": "12.34", "Note": 'a "quoted" note'}
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO import_batches (id, file_name, sha256, imported_at, "
                "imported_by, rows_read, rows_added, rows_duplicate, rows_skipped, "
                "rows_rejected, total_added_pence) "
                "VALUES (1, 'old.csv', 'ab', ?, ?, 1, 1, 0, 0, 0, 1234)",
                [AT, BY],
            )
            conn.execute(
                "INSERT INTO spend (date, amount_pence, category, import_batch, source_line, "
                "dedupe_key, source_fields, recorded_at, recorded_by) "
                "VALUES ('2019-10-01', 1234, 'training', 1, 2, 'ref:old:1', ?, ?, ?)",
                [json.dumps(old_row), AT, BY],
            )
    finally:
        conn.close()
    new_file = tmp_path / "new.csv"
    new_file.write_text(
        "date,amount,category,,Note,Note\n2019-11-01,5.00,training,x,first,second,extra\n",
        encoding="utf-8",
    )
    with fsgrant.open(path, create=False) as led:
        assert "0016_compact_source_fields" in led.store.applied_migrations()
        [old] = led.spend.list()
        assert old.source_fields == old_row
        result = led.imports.import_file(new_file)
        [new] = led.imports.lines(result.batch_id)
        keyed = {
            "date": "2019-11-01",
            "amount": "5.00",
            "category": "training",
            "column 4": "x",
            "Note": "first",
            "Note (2)": "second",
            "column 7": "extra",
        }
        assert new.source_fields == keyed
        assert led.spend.get(new.id).source_fields == keyed
        assert not [f for f in led.doctor() if f.problem]
    conn = sqlite3.connect(path)
    try:
        # Stored: the cells, and the names once, with the batch.
        assert conn.execute(
            "SELECT source_fields FROM spend WHERE id = ?", [new.id]
        ).fetchone() == ('["2019-11-01","5.00","training","x","first","second","extra"]',)
        assert conn.execute(
            "SELECT source_names FROM import_batches WHERE id = ?", [result.batch_id]
        ).fetchone() == ('["date", "amount", "category", "column 4", "Note", "Note (2)"]',)
        view = dict(conn.execute("SELECT id, source_fields FROM spend_source ORDER BY id"))
        assert json.loads(view[old.id]) == old_row
        assert json.loads(view[new.id]) == keyed
        assert list(json.loads(view[new.id])) == list(keyed)  # in the file's order
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
            conn.execute(
                "INSERT INTO import_batches (file_name, sha256, imported_at, "
                "imported_by, rows_read, rows_added, rows_duplicate, rows_skipped, "
                "rows_rejected, total_added_pence, source_names) "
                "VALUES ('x', 'x', 'now', 'me', 0, 0, 0, 0, 0, 0, '{}')"
            )
    finally:
        conn.close()


def test_doctor_finds_source_cells_with_no_names_and_they_still_read(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO spend (date, amount_pence, category, source_fields, recorded_at, "
                "recorded_by) VALUES ('2019-10-01', 100, 'training', '[\"a\",\"b\"]', ?, ?)",
                [AT, BY],
            )
            line_id = conn.execute("SELECT max(id) FROM spend").fetchone()[0]
    finally:
        conn.close()
    with fsgrant.open(path, create=False) as led:
        [finding] = [f for f in led.doctor() if f.code == "source_names"]
        assert finding.severity == "error"
        assert finding.subject == f"spend/{line_id}"
        assert finding.message.startswith("1 spend line(s) keep their source row's cells")
        assert led.spend.get(line_id).source_fields == {"column 1": "a", "column 2": "b"}
