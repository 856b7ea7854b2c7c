"""An import reads rows on a thread of its own while another stores them: what it
decides must be what one thread reading and storing in turn would decide.

The grant: funding year 2019/20 from 1 August 2019, extended to 31 March 2021; the
six default categories. Chunks of two lines, so that every case crosses parcels.
"""

from __future__ import annotations

import csv
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from fsgrant.errors import SourceError

MAPPING = """
[source]
name = "agresso"
[columns]
date = "Posting Date"
amount = "Amount"
reference = "Transaction Number"
description = "Description"
cost_centre = "Cost Centre"
[filter]
cost_centres = ["FS100"]
[categories]
default = "other"
"""
HEADER = "Posting Date,Transaction Number,Cost Centre,Description,Amount\n"


@pytest.fixture
def led(new_ledger, monkeypatch):
    import fsgrant.imports.service

    monkeypatch.setattr(fsgrant.imports.service, "CHUNK_ROWS", 2)
    ledger = new_ledger()
    ledger.years.vary("2019/20", agreed_on="2020-02-14", reason="envelope moved", end="2021-03-31")
    return ledger


def files(tmp_path: Path, body: str) -> tuple[Path, Path]:
    mapping = tmp_path / "agresso.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    extract = tmp_path / "extract.csv"
    extract.write_text(HEADER + body, encoding="utf-8")
    return extract, mapping


def readers() -> list[threading.Thread]:
    """The threads an import reads with (its rows, the file's hash) still running."""
    names = ("fsgrant-import-reader", "fsgrant-file-hash")
    return [t for t in threading.enumerate() if t.name in names]


def test_a_bad_row_after_many_parcels_refuses_the_whole_file_and_no_thread_is_left(led, tmp_path):
    # Lines 2-41 are good (20 parcels of two lines); line 42 has no date.
    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(40))
    extract, mapping = files(tmp_path, body + ",T40,FS100,Row 40,1.00\n")
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, mapping)
    assert err.value.line == 42
    assert led.spend.list() == []
    assert led.imports.list() == []
    assert readers() == []


def test_rejects_come_in_the_file_s_order_across_parcels(led, tmp_path):
    # Line 3: bad amount (read on the reading thread); line 5: T1 again (found on the
    # storing thread); line 6: skipped by the filter; line 7: no date. Kept: lines 2,
    # 4 and 8 (1.00 + 2.00 + 4.00 = 7.00).
    body = (
        "02/03/2020,T1,FS100,Row 1,1.00\n"
        "02/03/2020,T2,FS100,Row 2,lots\n"
        "03/03/2020,T3,FS100,Row 3,2.00\n"
        "04/03/2020,T1,FS100,Row 1 again,3.00\n"
        "04/03/2020,T5,XX999,Not the grant's,9.00\n"
        ",T6,FS100,Row 6,5.00\n"
        "05/03/2020,T7,FS100,Row 7,4.00\n"
    )
    extract, mapping = files(tmp_path, body)
    rejects = tmp_path / "rejects.csv"
    result = led.imports.import_file(extract, mapping, skip_invalid=True, rejects=rejects)
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (7, 3, 3)
    assert result.rows_skipped == 1
    assert result.total_added == Decimal("7.00")
    assert [r.line for r in result.rejects] == [3, 5, 7]
    with rejects.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["source_line"] for r in rows] == ["3", "5", "7"]
    assert readers() == []


def test_without_skipping_the_first_problem_in_the_file_is_the_one_named(led, tmp_path):
    # Line 3 repeats T1 (found when stored); line 4 has no date (found when read).
    body = (
        "02/03/2020,T1,FS100,Row 1,1.00\n"
        "03/03/2020,T1,FS100,Row 1 again,2.00\n"
        ",T3,FS100,Row 3,3.00\n"
        "04/03/2020,T4,FS100,Row 4,4.00\n"
    )
    extract, mapping = files(tmp_path, body)
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, mapping)
    assert err.value.line == 3
    assert "appears again (first at line 2)" in err.value.reason
    assert led.spend.list() == []


def test_an_unreadable_file_part_way_stores_nothing(led, tmp_path):
    # Valid UTF-8 up to line 21, then a byte no encoding of the file allows: the
    # importer reads the file as UTF-8 (its first bytes say so), so this is refused
    # only when reached, after ten parcels were stored.
    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(20)).encode()
    extract, mapping = files(tmp_path, "")
    extract.write_bytes(HEADER.encode() + body + b'02/03/2020,T20,FS100,"Row \n')
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, mapping)
    assert "not valid CSV" in err.value.reason
    assert led.spend.list() == []
    assert readers() == []


def test_a_failure_while_storing_stops_the_reading_thread(led, tmp_path, monkeypatch):
    # The store fails at the third parcel: the import stops, stores nothing, and the
    # reading thread (ahead by a few parcels, or waiting to hand one over) ends.
    import fsgrant.imports.chunks as chunks

    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(200))
    extract, mapping = files(tmp_path, body)
    real = chunks.store_chunk
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    import fsgrant.imports.service

    monkeypatch.setattr(fsgrant.imports.service, "store_chunk", failing)
    with pytest.raises(OSError, match="disk full"):
        led.imports.import_file(extract, mapping)
    assert led.spend.list() == []
    assert readers() == []


def test_rows_a_filter_skips_are_counted_by_value_blank_rows_not_at_all(led, tmp_path):
    # 3 kept (FS100), XX999 skipped 4 times, YY1 once, a cost centre of spaces once
    # (skipped: it is not FS100) and 2 blank rows (not counted): 9 rows read.
    body = (
        "02/03/2020,T1,FS100,Row 1,1.00\n"
        "02/03/2020,T2,XX999,Other,1.00\n"
        "02/03/2020,T3,XX999,Other,1.00\n"
        ",,,,\n"
        "02/03/2020,T4,YY1,Other,1.00\n"
        "02/03/2020,T5,XX999,Other,1.00\n"
        "02/03/2020,T6,   ,Other,1.00\n"
        " , ,,  ,\n"
        "03/03/2020,T7,FS100,Row 7,2.00\n"
        "02/03/2020,T8,XX999,Other,1.00\n"
        "04/03/2020,T9,FS100,Row 9,3.00\n"
    )
    extract, mapping = files(tmp_path, body)
    result = led.imports.import_file(extract, mapping)
    assert (result.rows_read, result.rows_added, result.rows_skipped) == (9, 3, 6)
    assert result.total_added == Decimal("6.00")
    # Nothing kept with only XX999 and YY1 rows: the warning names the values seen.
    only_others, _ = files(tmp_path, "".join(
        f"02/03/2020,U{n},{'XX999' if n % 3 else 'YY1'},Other,1.00\n" for n in range(9)
    ))  # fmt: skip
    nothing = led.imports.import_file(only_others, mapping)
    assert (nothing.rows_read, nothing.rows_skipped, nothing.rows_added) == (9, 9, 0)
    assert "'XX999' (6), 'YY1' (3)" in nothing.warnings[0]


def test_the_interpreter_s_switch_interval_is_put_back(led, tmp_path):
    import sys

    before = sys.getswitchinterval()
    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(9))
    extract, mapping = files(tmp_path, body)
    assert led.imports.import_file(extract, mapping).rows_added == 9
    assert sys.getswitchinterval() == before
    bad, _ = files(tmp_path, body + ",T9,FS100,Row 9,1.00\n")
    with pytest.raises(SourceError):
        led.imports.import_file(bad, mapping)
    assert sys.getswitchinterval() == before


def test_an_xlsx_extract_counts_the_rows_a_filter_skips_as_a_csv_does(led, tmp_path):
    # The same rows as a workbook: 2 kept, XX999 skipped 3 times (the extract passes
    # the second and third over as it reads), 1 blank row not counted: 5 rows read.
    from openpyxl import Workbook

    _, mapping = files(tmp_path, "")
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    for row in (
        ["02/03/2020", "T1", "FS100", "Row 1", "1.00"],
        ["02/03/2020", "T2", "XX999", "Other", "1.00"],
        [None, None, None, None, None],
        ["02/03/2020", "T3", "XX999", "Other", "1.00"],
        ["03/03/2020", "T4", "FS100", "Row 4", "2.00"],
        ["02/03/2020", "T5", "XX999", "Other", "1.00"],
    ):
        ws.append(row)
    path = tmp_path / "extract.xlsx"
    wb.save(path)
    result = led.imports.import_file(path, mapping)
    assert (result.rows_read, result.rows_added, result.rows_skipped) == (5, 2, 3)
    assert result.total_added == Decimal("3.00")


def test_look_ups_keep_within_sqlite_s_limit_on_bound_values(led, tmp_path, monkeypatch):
    # 22 bound values a statement (some builds of SQLite allow only 999): 30 lines
    # imported, then the same file again with 5 new lines, so every look-up of keys
    # (stored, stored by this batch, first seen) has more keys than one statement may
    # bind.
    import sqlite3

    import fsgrant.imports.service

    monkeypatch.setattr(fsgrant.imports.service, "CHUNK_ROWS", 2000)  # one chunk
    led.store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 22)
    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(30))
    extract, mapping = files(tmp_path, body)
    assert led.imports.import_file(extract, mapping).rows_added == 30
    more = body + "".join(f"03/03/2020,U{n},FS100,New {n},2.00\n" for n in range(5))
    again, _ = files(tmp_path, more)
    result = led.imports.import_file(again, mapping)
    # 30 stored already; 5 new at 2.00 = 10.00.
    assert (result.rows_added, result.rows_duplicate) == (5, 30)
    assert result.total_added == Decimal("10.00")


def test_the_file_s_sha256_is_taken_while_it_is_read_and_recorded(led, tmp_path):
    import hashlib

    body = "".join(f"02/03/2020,T{n},FS100,Row {n},1.00\n" for n in range(50))
    extract, mapping = files(tmp_path, body)
    result = led.imports.import_file(extract, mapping)
    expected = hashlib.sha256(extract.read_bytes()).hexdigest()
    assert led.imports.get(result.batch_id).sha256 == expected
    assert readers() == []
    # The audit entry records it too.
    [entry] = [e for e in led.audit.log() if e.action == "spend.import"]
    assert entry.detail["sha256"] == expected


def test_a_file_hash_stops_when_asked_and_names_a_file_it_cannot_read(tmp_path):
    from fsgrant.imports.extracts import FileHash

    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (8 << 20))
    h = FileHash(big)
    h.stop()
    assert readers() == []
    missing = FileHash(tmp_path / "gone.csv")
    with pytest.raises(SourceError, match=r"gone\.csv: cannot be read"):
        missing.hexdigest  # noqa: B018
    done = FileHash(big)
    import hashlib

    assert done.hexdigest == hashlib.sha256(big.read_bytes()).hexdigest()
