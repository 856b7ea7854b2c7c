"""The rejects file of an import: the rows left out, with why, ready to fix and
import again with the same mapping."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}-",
            suffix=".tmp",
            dir=target.parent if str(target.parent) else ".",
        )
        self.tmp = Path(name)
        self.file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = safe_writer(self.file)
        self.writer.writerow([*header, "source_line", "reason"])

    def write(self, line: int, cells: list[str], reason: str) -> None:
        padded = (cells + [""] * self.width)[: max(self.width, len(cells))]
        self.writer.writerow([*padded, line, reason])

    def commit(self) -> Path:
        self.file.close()
        os.replace(self.tmp, self.target)
        return self.target

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.tmp.unlink(missing_ok=True)
