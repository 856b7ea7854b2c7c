"""Reading an extract's rows into parcels of checked draft lines, on a thread of its
own (:class:`ParcelReader`).

An import reads and checks rows (Python) and stores them (SQLite). ``sqlite3`` lets
go of the interpreter while SQLite works, so while the importing thread stores one
parcel this thread reads the next: on two cores the two overlap. The reading thread
decides nothing that depends on the store: it filters rows, reads them into drafts
(:meth:`fsgrant.imports.rows.RowReader.read`) and counts; the rows it could not read
travel in the parcel with the lines around them, so the importing thread refuses or
rejects them in the file's order, exactly as a single thread would.

Memory stays flat: at most ``DEPTH`` parcels wait between the two threads.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from fsgrant.errors import SourceError
from fsgrant.imports.chunks import Prepared
from fsgrant.imports.extracts import PassOver
from fsgrant.imports.row_batches import BatchReader
from fsgrant.imports.rows import Draft, RowReader, ZeroAmount

__all__ = ["DEPTH", "Parcel", "ParcelReader", "ReadCounts"]

DEPTH = 3
"""Parcels read ahead at most, waiting to be stored."""

BATCH_ROWS = 500
"""Rows read at a time by :class:`fsgrant.imports.row_batches.BatchReader`."""

_STOP_MASK = 4095
"""The reading thread looks whether it should stop at every line whose number is a
multiple of 4,096 (a file whose rows a filter mostly skips fills a parcel slowly)."""


class Parcel(NamedTuple):
    """The lines read from a stretch of the file, the rows of it that could not be
    read (line, cells, why), in the file's order, and what the lines come to
    (:func:`fsgrant.imports.chunks.prepare`, worked out on this thread)."""

    drafts: list[tuple[Draft, list[str]]]
    bad: list[tuple[int, list[str], SourceError]]
    prepared: Prepared


class ReadCounts:
    """What the reading thread counted once the file is read: the rows read (blank
    rows are not counted), of 0.00, and taken for totals rows."""

    __slots__ = ("read", "totals", "zero")

    def __init__(self) -> None:
        self.read = self.zero = self.totals = 0


_END = object()

HANDOVER_SECONDS = 0.0005
"""How often the interpreter lets another thread run while an import reads on its own
thread (``sys.setswitchinterval``; Python's default is 5 ms). The storing thread
needs the interpreter only briefly after each chunk SQLite has stored, and waiting up
to 5 ms for it each time cost 8-15% of a 100,000-row import (measured)."""

_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.0


def _quick_handovers(on: bool) -> None:
    """Shorten the interpreter's switch interval while any import reads (on), and put
    it back when the last one is done (off)."""
    global _switch_users, _switch_before
    with _switch_lock:
        if on:
            if _switch_users == 0:
                _switch_before = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_before, HANDOVER_SECONDS))
            _switch_users += 1
        else:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)


class ParcelReader:
    """Reads ``rows`` through ``reader`` on its own thread, ``size`` lines a parcel.

    Iterate over it for the parcels; an error the reading raised (an unreadable file)
    is raised by the iteration, after the parcels read before it. Call :meth:`close`
    when done (also after an error): it stops the thread and waits for it, so the
    file may be closed after.

    Args:
        rows: the extract's ``(line, cells)`` rows.
        reader: reads a row into a draft line; its filters count the rows they skip.
        size: lines per parcel.
        stop_at_bad: stop reading at the first row that cannot be read (the import
            refuses the file there, so reading on is wasted).
        prepare: works out what each parcel's lines come to, on this thread
            (:func:`fsgrant.imports.chunks.prepare`).
        passing: the extract's rows to pass over (it passes them over as it reads,
            before they reach this thread's loop).
    """

    def __init__(
        self,
        rows: Iterable[tuple[int, list[str]]],
        reader: RowReader,
        *,
        size: int,
        stop_at_bad: bool,
        prepare: Callable[[list[tuple[Draft, list[str]]]], Prepared],
        passing: PassOver | None = None,
    ) -> None:
        self.counts = ReadCounts()
        self._passing = PassOver() if passing is None else passing
        self._prepare = prepare
        self._rows = rows
        self._reader = reader
        self._size = size
        self._stop_at_bad = stop_at_bad
        self._queue: queue.Queue[object] = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._quick = False
        self._thread = threading.Thread(target=self._run, name="fsgrant-import-reader")
        self._thread.daemon = True

    def __iter__(self) -> Iterator[Parcel]:
        _quick_handovers(True)
        self._quick = True
        self._thread.start()
        get = self._queue.get
        while True:
            item = get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Parcel)
            yield item

    def close(self) -> None:
        """Stop the reading thread and wait for it."""
        self._stop.set()
        if self._quick:
            self._quick = False
            _quick_handovers(False)
        while self._thread.is_alive():
            try:  # let a thread waiting to hand over a parcel see the stop
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(0.05)

    # ------------------------------------------------------------ the reading thread
    def _put(self, item: object) -> bool:
        """Hand an item over; False once told to stop."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            done = self._read()
        except BaseException as exc:  # handed to the importing thread, raised there
            self._put(exc)
        else:
            if done:
                self._put(_END)

    def _read(self) -> bool:
        """Read the whole file into parcels; False if told to stop first."""
        # The loop runs once per row of files of a million rows: locals only.
        reader = self._reader
        stopped = self._stop.is_set
        size, stop_at_bad = self._size, self._stop_at_bad
        rows_read = rows_zero = rows_totals = 0
        filters = reader.filters
        # One filter (the common case) is inlined; several go through skipped_by.
        one = filters[0] if len(filters) == 1 else None
        f_index = one.index if one is not None else -1
        f_verdicts = one.verdicts if one is not None else {}
        f_keeps = one.keeps if one is not None else None
        f_skipped = one.skipped if one is not None else {}
        many = reader.skipped_by if len(filters) > 1 else None
        is_totals = reader.is_totals
        read_row = reader.read
        read_plain = BatchReader(reader).read
        batch = min(BATCH_ROWS, size)  # a parcel holds about ``size`` lines
        drafts: list[tuple[Draft, list[str]]] = []
        bad: list[tuple[int, list[str], SourceError]] = []
        # The rows kept by the filters, read a batch at a time: the plain ones by
        # BatchReader, the others one by one (read_row has the messages).
        pending: list[tuple[int, list[str]]] = []
        wait = pending.append
        # The filter's cells (as read) that hold text the filter skips, and how many
        # rows after the first had each: such a row is neither blank nor kept, so the
        # extract counts it and passes it over as it reads (most rows, where the
        # grant's are few).
        passed = self._passing.counts
        if one is not None:
            self._passing.index = f_index

        def read_pending() -> bool:
            """Read the pending rows into drafts (or bad rows); False to stop at a bad one."""
            nonlocal rows_zero, rows_totals
            keep = drafts.append
            for (line, cells), draft in zip(pending, read_plain(pending), strict=True):
                if draft is None:
                    try:
                        draft = read_row(line, cells)
                    except ZeroAmount:
                        rows_zero += 1
                        continue
                    except SourceError as exc:
                        if is_totals(cells):
                            rows_totals += 1
                            continue
                        bad.append((line, cells, exc))
                        if stop_at_bad:
                            return False
                        continue
                keep((draft, cells))
            pending.clear()
            return True

        for line, cells in self._rows:
            if not line & _STOP_MASK and stopped():
                return False
            if not any(cells) or (not cells[0].strip() and not any(c.strip() for c in cells)):
                continue  # a blank row carries nothing: not counted
            rows_read += 1
            if f_keeps is not None:
                v = cells[f_index] if f_index < len(cells) else ""
                ok = f_verdicts.get(v)
                if ok is None:
                    ok = f_keeps(v)
                if not ok:
                    f_skipped[v] = f_skipped.get(v, 0) + 1
                    if v.strip():
                        passed[v] = [0]
                    continue
            elif many is not None:
                by = many(cells)
                if by is not None:
                    v = by.cell(cells)
                    by.skipped[v] = by.skipped.get(v, 0) + 1
                    continue
            wait((line, cells))
            if len(pending) < batch:
                continue
            if not read_pending():
                break
            if len(drafts) >= size:
                if not self._put(Parcel(drafts, bad, self._prepare(drafts))):
                    return False
                drafts, bad = [], []
        else:
            read_pending()
        for v, (more,) in passed.items():
            f_skipped[v] += more
            rows_read += more
        counts = self.counts
        counts.read, counts.zero, counts.totals = rows_read, rows_zero, rows_totals
        return self._put(Parcel(drafts, bad, self._prepare(drafts)))
