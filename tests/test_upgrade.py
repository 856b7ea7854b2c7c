import sqlite3

import fsgrant
from fsgrant import schema


def test_a_store_from_schema_1_is_upgraded_in_place_with_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr("fsgrant.store.MIGRATIONS", schema.MIGRATIONS[:1])
    with fsgrant.open(path) as old:
        old.init("G", "F", "R")
        old.add_year("2019/20", "100.00", "2019-08-01")
        old.add_spend("2019-09-01", "12.34", "training")
        assert old.store.applied_migrations() == ["0001_initial"]
    monkeypatch.undo()

    with fsgrant.open(path) as new:
        assert new.store.applied_migrations() == ["0001_initial", "0002_allocation_views"]
        assert len(new.store.backups) == 1
        backup = new.store.backups[0]
        rows = new.store.query("SELECT funding_year, amount FROM spend_allocated")
        assert [tuple(r) for r in rows] == [("2019/20", "12.34")]
    # The backup is the store as it was: schema 1, the same line, no new views.
    con = sqlite3.connect(backup)
    assert con.execute("SELECT amount_pence FROM spend").fetchall() == [(1234,)]
    views = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert "spend_allocated" not in views
    con.close()
    # Opening again upgrades nothing and writes no second backup.
    with fsgrant.open(path) as again:
        assert again.store.backups == []


def test_a_store_from_a_newer_fsgrant_is_refused(tmp_path):
    path = tmp_path / "new.db"
    with fsgrant.open(path) as led:
        led.init("G", "F", "R")
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('fsgrant', '0099_future', 'x')"
    )
    con.commit()
    con.close()
    try:
        fsgrant.open(path)
    except fsgrant.StoreError as exc:
        assert "newer fsgrant" in str(exc) and "0099_future" in str(exc)
    else:
        raise AssertionError("a newer store was opened")
