"""The rejects file of an import: the rows left out, with why, ready to fix and
import again with the same mapping."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from fsgrant.formats.atomic import write_failed
from fsgrant.formats.csv_safe import safe_writer

__all__ = ["RejectsWriter", "rejects_beside"]


def rejects_beside(extract: str | os.PathLike[str]) -> Path:
    """Where an import's rejects go when no file is named: beside the extract, its
    name with ``-rejects.csv`` (``march.csv`` -> ``march-rejects.csv``)."""
    path = Path(extract)
    return path.with_name(f"{path.stem}-rejects.csv")


class RejectsWriter:
    """Rejected rows to a temporary file beside the target, renamed into place only
    when the import has been stored (:meth:`commit`), else removed (:meth:`discard`).

    The columns are the source's, plus ``source_line`` and ``reason``; UTF-8 with a
    byte-order mark, so Excel shows a £ sign as one. Text that would start a
    formula carries a leading apostrophe (see :mod:`fsgrant.formats.csv_safe`).
    """

    def __init__(self, target: Path, header: list[str]) -> None:
        self.target = target
        self.width = len(header)
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}-",
                suffix=".tmp",
                dir=target.parent if str(target.parent) else ".",
            )
        except OSError as exc:
            raise write_failed(target, exc) from None
        self.tmp = Path(name)
        self.file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = safe_writer(self.file)
        self.write_row([*header, "source_line", "reason"])

    def write_row(self, row: list[object]) -> None:
        try:
            self.writer.writerow(row)
        except OSError as exc:  # a full disk: the import stops and stores nothing
            self.discard()
            raise write_failed(self.target, exc) from None

    def write(self, line: int, cells: list[str], reason: str) -> None:
        padded = (cells + [""] * self.width)[: max(self.width, len(cells))]
        self.write_row([*padded, line, reason])

    def finish(self) -> None:
        """Write the rows out to the disk (called before the import commits, so a full
        disk stops the import rather than losing its rejects)."""
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
        except OSError as exc:
            self.discard()
            raise write_failed(self.target, exc) from None

    def commit(self) -> Path:
        if not self.file.closed:
            self.finish()
        try:
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise write_failed(self.target, exc) from None
        return self.target

    def discard(self) -> None:
        if not self.file.closed:
            with contextlib.suppress(OSError):
                self.file.close()
        self.tmp.unlink(missing_ok=True)
