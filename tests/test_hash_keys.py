"""Hash dedupe keys: 20-byte BLOBs (BLAKE2b-128 of the line's fields, then the
occurrence number of that identical line in the file, 4 bytes big-endian), counted in
memory per file (in a temporary table past a cap), and the text keys earlier versions
stored (``hash:<sha256 hex>:<n>``) still recognised.

The grant: funding year 2019/20 from 1 August 2019; the six default categories.
fsgrant's own CSV is imported without a mapping (deduplicated by hash).
"""

from __future__ import annotations

import hashlib
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fsgrant.store.health import fingerprint

TAXIS = """date,amount,category,supplier,description
2020-03-02,45.00,other,Taxi Co,Home visit taxi
2020-03-02,45.00,other,Taxi Co,Home visit taxi
2020-03-03,12.50,training,,Workbook
"""

# The fields a line is hashed by, joined by \x1f: source name, ISO date, pence,
# supplier, description, reference, cost centre, expense code, category, post, year
# (fsgrant's own CSV has no cost centre, expense code, reference, post or year here).
TAXI_BYTES = (
    b"fsgrant\x1f2020-03-02\x1f4500\x1fTaxi Co\x1fHome visit taxi\x1f\x1f\x1f\x1fother\x1f\x1f"
)
WORKBOOK_BYTES = b"fsgrant\x1f2020-03-03\x1f1250\x1f\x1fWorkbook\x1f\x1f\x1f\x1ftraining\x1f\x1f"

# The keys fsgrant 0.1 stored for those lines (its code run on TAXIS): 'hash:', the
# SHA-256 hex of the bytes above, ':', the occurrence number.
OLD_TAXI = "hash:16d5578c06a923e4cb4fba6a8c9b55d22a152ac6e309508677b605aeddbf96a2"
OLD_WORKBOOK = "hash:27123b87bebcd5bf35d9902c80983430b46b10f89f319f89aeec5c5709866d55"


@pytest.fixture
def led(new_ledger):
    return new_ledger()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def raw(led) -> sqlite3.Connection:
    """A connection of its own to the ledger's store file, as another tool would open."""
    return sqlite3.connect(led.path, isolation_level=None)


def keys(led) -> list[Any]:
    conn = raw(led)
    try:
        return [r[0] for r in conn.execute("SELECT dedupe_key FROM spend ORDER BY id")]
    finally:
        conn.close()


def test_a_hash_key_is_a_20_byte_blob_of_the_digest_and_the_occurrence(led, tmp_path):
    result = led.imports.import_file(write(tmp_path, "taxis.csv", TAXIS))
    assert result.rows_added == 3
    taxi = hashlib.blake2b(TAXI_BYTES, digest_size=16).digest()
    workbook = hashlib.blake2b(WORKBOOK_BYTES, digest_size=16).digest()
    # The same taxi twice: occurrences 1 and 2; the workbook once.
    assert keys(led) == [
        taxi + b"\x00\x00\x00\x01",
        taxi + b"\x00\x00\x00\x02",
        workbook + b"\x00\x00\x00\x01",
    ]
    conn = raw(led)
    try:
        types = conn.execute("SELECT DISTINCT typeof(dedupe_key) FROM spend")
        assert [r[0] for r in types] == ["blob"]
        # The store still refuses a line whose key is stored (the trigger compares BLOBs).
        with pytest.raises(sqlite3.IntegrityError, match="dedupe key is stored already"):
            conn.execute(
                "INSERT INTO spend (date, amount_pence, category, dedupe_key, recorded_at, "
                "recorded_by) VALUES ('2020-03-02', 4500, 'other', ?, 'now', 'me')",
                [taxi + b"\x00\x00\x00\x01"],
            )
    finally:
        conn.close()


def test_occurrences_counted_past_the_cap_give_the_same_keys(tmp_path, monkeypatch):
    import fsgrant.imports.chunks
    import fsgrant.imports.service

    # Five lines, three distinct: the taxi on lines 2, 4 and 6.
    text = (
        "date,amount,category,description\n"
        "2020-03-02,45.00,other,Taxi\n"
        "2020-03-03,10.00,other,Parking\n"
        "2020-03-02,45.00,other,Taxi\n"
        "2020-03-04,20.00,other,Lunch\n"
        "2020-03-02,45.00,other,Taxi\n"
    )
    extract = write(tmp_path, "spend.csv", text)
    stored: list[list[Any]] = []
    for cap in (1_000_000, 1):
        # Chunks of two lines, so with a cap of one distinct line the counts move to
        # the temporary table after the first chunk and go on there.
        monkeypatch.setattr(fsgrant.imports.service, "CHUNK_ROWS", 2)
        monkeypatch.setattr(fsgrant.imports.chunks, "MAX_COUNTED_LINES", cap)
        with fsgrant.open(tmp_path / f"cap-{cap}.db") as ledger:
            ledger.init("Family Safeguarding", "Department for Education", "A council")
            ledger.years.add("2019/20", "2490000.00", "2019-08-01")
            first = ledger.imports.import_file(extract)
            # 45.00 x 3 + 10.00 + 20.00 = 165.00
            assert (first.rows_added, first.total_added) == (5, Decimal("165.00"))
            again = ledger.imports.import_file(extract)
            assert (again.rows_added, again.rows_duplicate) == (0, 5)
            stored.append(keys(ledger))
    in_memory, spilled = stored
    assert spilled == in_memory
    # The taxi's occurrences 1, 2, 3 (lines 2, 4, 6).
    assert [k[16:] for k in in_memory[0::2]] == [
        b"\x00\x00\x00\x01",
        b"\x00\x00\x00\x02",
        b"\x00\x00\x00\x03",
    ]


def _store_old_keys(led) -> None:
    """The three lines of TAXIS as fsgrant 0.1 stored them (text keys)."""
    conn = raw(led)
    with conn:
        conn.executemany(
            "INSERT INTO spend (date, amount_pence, category, supplier, description, "
            "source_line, dedupe_key, recorded_at, recorded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '2020-03-05T10:00:00+00:00', 'finance')",
            [
                ("2020-03-02", 4500, "other", "Taxi Co", "Home visit taxi", 2, OLD_TAXI + ":1"),
                ("2020-03-02", 4500, "other", "Taxi Co", "Home visit taxi", 3, OLD_TAXI + ":2"),
                ("2020-03-03", 1250, "training", None, "Workbook", 4, OLD_WORKBOOK + ":1"),
            ],
        )
    conn.close()


def test_a_file_imported_before_the_upgrade_adds_nothing(led, tmp_path):
    _store_old_keys(led)
    extract = write(tmp_path, "taxis.csv", TAXIS)
    check = led.imports.check_mapping(extract)
    assert [r.status for r in check.rows] == ["stored", "stored", "stored"]
    again = led.imports.import_file(extract)
    assert (again.rows_read, again.rows_added, again.rows_duplicate) == (3, 0, 3)
    # 45.00 + 45.00 + 12.50 = 102.50, as before the import.
    lines = led.spend.list()
    assert (len(lines), sum(x.amount for x in lines)) == (3, Decimal("102.50"))
    # The stored keys are not rewritten.
    assert keys(led) == [OLD_TAXI + ":1", OLD_TAXI + ":2", OLD_WORKBOOK + ":1"]


def test_an_overlapping_file_adds_only_its_new_lines_beside_old_keys(led, tmp_path):
    _store_old_keys(led)
    # The taxi three times (two stored as taxi :1 and :2), the workbook, a new line.
    extract = write(
        tmp_path,
        "later.csv",
        TAXIS + "2020-03-02,45.00,other,Taxi Co,Home visit taxi\n2020-03-09,7.00,other,,Post\n",
    )
    check = led.imports.check_mapping(extract)
    assert [r.status for r in check.rows] == ["stored", "stored", "stored", "new", "new"]
    result = led.imports.import_file(extract)
    # New: the third taxi (45.00) and the post (7.00) = 52.00.
    assert (result.rows_added, result.rows_duplicate) == (2, 3)
    assert result.total_added == Decimal("52.00")
    taxi = hashlib.blake2b(TAXI_BYTES, digest_size=16).digest()
    assert keys(led)[3] == taxi + b"\x00\x00\x00\x03"
    # Once more: nothing; the old keys and the new ones together cover the file.
    again = led.imports.import_file(extract)
    assert (again.rows_added, again.rows_duplicate) == (0, 5)


class _RawStore:
    """Just what :func:`fingerprint` reads, over a hand-made database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def stream(self, sql: str, params: Any = ()) -> Any:
        yield from self.conn.execute(sql, params)


def _raw_store(key: object) -> Any:
    from fsgrant.store.health import FINGERPRINT_TABLES

    conn = sqlite3.connect(":memory:")
    for table in FINGERPRINT_TABLES:
        if table == "spend":
            conn.execute(
                "CREATE TABLE spend (id INTEGER PRIMARY KEY, date TEXT, amount_pence INTEGER, "
                "supplier TEXT, dedupe_key TEXT UNIQUE, source_fields TEXT)"
            )
        else:
            # The tables added since fsgrant 0.1 are there, empty: not counted.
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO categories VALUES (1, 'other')")
    conn.executemany(
        "INSERT INTO spend VALUES (?, ?, ?, ?, ?, ?)",
        [
            (1, "2020-03-02", 4500, "Taxi Co – Cambridge", OLD_TAXI + ":1", "{}"),
            (2, "2020-03-03", 1250, None, key, "{}"),
        ],
    )
    return _RawStore(conn)


def test_the_fingerprint_of_text_keys_is_unchanged_and_a_blob_is_written_as_hex():
    # The value fsgrant 0.1 gave for this store (its fingerprint run on the same rows).
    text = _raw_store(OLD_WORKBOOK + ":1")
    assert fingerprint(text) == "92ac8c590c810e39ab2fb34f0a47a15e943005d3caa9090c103d2b44b044e92d"
    blob = bytes(range(20))
    first = fingerprint(_raw_store(blob))
    assert first == fingerprint(_raw_store(blob))  # deterministic
    # A BLOB is not its hex as text: the two stores differ.
    assert first != fingerprint(_raw_store(blob.hex()))
    assert first != fingerprint(_raw_store(bytes(range(1, 21))))


def test_a_chunk_the_store_refuses_part_way_leaves_nothing_and_is_stored_line_by_line(
    led, tmp_path, monkeypatch
):
    # The fast way inserts a chunk without looking its keys up; the store refuses the
    # chunk at its first stored key, and the savepoint takes back the statements
    # already run for it. Two lines per statement: the Workbook line (stored by the
    # first import) sits in the chunk's second statement.
    import fsgrant.store.imports as store_imports

    monkeypatch.setattr(store_imports, "MAX_ROWS_PER_STATEMENT", 2)
    first = write(tmp_path, "first.csv", "date,amount,category,description\n"
                  "2020-03-03,12.50,training,Workbook\n")  # fmt: skip
    assert led.imports.import_file(first).rows_added == 1
    later = write(
        tmp_path,
        "later.csv",
        "date,amount,category,description\n"
        "2020-03-04,10.00,training,Pens\n"
        "2020-03-05,20.00,training,Paper\n"
        "2020-03-03,12.50,training,Workbook\n"
        "2020-03-06,30.00,training,Ink\n",
    )
    result = led.imports.import_file(later)
    # Pens, Paper and Ink are new (10.00 + 20.00 + 30.00 = 60.00); Workbook is not.
    assert (result.rows_added, result.rows_duplicate) == (3, 1)
    assert result.total_added == Decimal("60.00")
    with raw(led) as conn:
        lines = conn.execute(
            "SELECT description, count(*) FROM spend GROUP BY description ORDER BY description"
        ).fetchall()
    assert lines == [("Ink", 1), ("Paper", 1), ("Pens", 1), ("Workbook", 1)]
