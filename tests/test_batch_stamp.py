"""An import's lines carry their batch's stamp (migration 0026): stored once with the
batch, read with every line, and the ledger's fingerprint unchanged by the upgrade.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from old_stores import AT, BY, GRANT_YEARS, migrations_before, old_store

import fsgrant
from fsgrant.store import schema


def _store_with_an_import(path, *, lines_stamped=True):
    """A store of 0025 (or of today, with ``lines_stamped`` False): a line typed in
    (INV-7, 100.00) and two imported in batch 1 (12.34 and 12.35), every row stamped
    AT by BY as fsgrant 0.1 stored them (or, unstamped, the imported lines carrying
    their batch's, as today's fsgrant stores them)."""
    old_store(
        path,
        migrations_before("0026_import_lines_carry_batch_stamp")
        if lines_stamped
        else schema.MIGRATIONS,
        years=GRANT_YEARS,
        spend=[("2019-10-01", 10000, "training", "INV-7")],
    )
    stamp = (AT, BY) if lines_stamped else (None, None)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO import_batches (id, file_name, sha256, imported_at, imported_by, "
                "rows_read, rows_added, rows_duplicate, rows_skipped, rows_rejected, "
                "total_added_pence) VALUES (1, 'old.csv', 'ab', ?, ?, 2, 2, 0, 0, 0, 2469)",
                [AT, BY],
            )
            conn.executemany(
                "INSERT INTO spend (date, amount_pence, category, import_batch, source_line, "
                "dedupe_key, recorded_at, recorded_by) VALUES (?, ?, 'training', 1, ?, ?, ?, ?)",
                [
                    ("2019-10-02", 1234, 2, "ref:old:1", *stamp),
                    ("2019-10-03", 1235, 3, "ref:old:2", *stamp),
                ],
            )
    finally:
        conn.close()


def test_the_upgrade_keeps_every_stamp_and_the_fingerprint(tmp_path):
    path = tmp_path / "grant.db"
    _store_with_an_import(path)
    # The fingerprint of that store as fsgrant worked it out before 0026 (over the
    # rows written above, with their own stamps): a return made then carries it.
    before = "b7d778353021251a68191b2af70a6f29948dcd4e23719bd48c2135feb56dcf54"
    with fsgrant.open(path, create=False) as led:
        assert led.store.applied_migrations()[-1] == "0026_import_lines_carry_batch_stamp"
        assert led.exports.fingerprint() == before
        stamps = {(x.recorded_at, x.recorded_by) for x in led.spend.list()}
        assert stamps == {(datetime.fromisoformat(AT), BY)}
        assert not [f for f in led.doctor() if f.problem]
    conn = sqlite3.connect(path)
    try:
        # Stored lines are not rewritten (the table is append-only).
        stored = conn.execute("SELECT recorded_at, recorded_by FROM spend ORDER BY id").fetchall()
        assert stored == [(AT, BY)] * 3
    finally:
        conn.close()
    # The same ledger stored as today's fsgrant stores it (the imported lines carrying
    # their batch's stamp) has the same fingerprint.
    today = tmp_path / "today.db"
    _store_with_an_import(today, lines_stamped=False)
    with fsgrant.open(today, create=False) as led:
        assert led.exports.fingerprint() == before


def test_new_imported_lines_store_no_stamp_and_read_their_batchs(tmp_path, new_ledger):
    led = new_ledger()
    extract = tmp_path / "sept.csv"
    extract.write_text(
        "date,amount,category\n2019-09-02,10.00,training\n2019-09-03,20.00,other\n",
        encoding="utf-8",
    )
    typed = led.spend.add("2019-09-04", "5.00", "other")
    result = led.imports.import_file(extract)
    lines = led.imports.lines(result.batch_id)
    conn = sqlite3.connect(led.path)
    try:
        stored_batch = conn.execute(
            "SELECT imported_at, imported_by FROM import_batches WHERE id = ?", [result.batch_id]
        ).fetchone()
        at, by = datetime.fromisoformat(stored_batch[0]), stored_batch[1]
        assert [(x.recorded_at, x.recorded_by) for x in lines] == [(at, by)] * 2
        assert led.spend.get(lines[0].id).recorded_at == at
        raw = conn.execute(
            "SELECT id, recorded_at IS NULL, recorded_by IS NULL FROM spend ORDER BY id"
        ).fetchall()
        # The typed line keeps its own stamp; the two imported carry none of their own.
        assert raw == [(typed.id, 0, 0), (lines[0].id, 1, 1), (lines[1].id, 1, 1)]
        readable = conn.execute(
            "SELECT recorded_at, recorded_by FROM spend_readable WHERE import_batch = ?",
            [result.batch_id],
        ).fetchall()
        assert readable == [stored_batch] * 2
    finally:
        conn.close()


def test_a_line_from_no_import_must_carry_its_own_stamp(new_ledger):
    led = new_ledger()
    conn = sqlite3.connect(led.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="when and by whom"):
            conn.execute(
                "INSERT INTO spend (date, amount_pence, category) "
                "VALUES ('2019-10-01', 100, 'training')"
            )
        conn.execute("DROP TRIGGER spend_stamped")
        conn.commit()
    finally:
        conn.close()
    problems = [f for f in led.doctor() if f.problem]
    assert [(f.code, f.message) for f in problems] == [
        ("append_only", "spend is not protected: trigger spend_stamped missing")
    ]
