"""Reading a CSV file DfE publishes on explore-education-statistics: its header and its
rows by column, with their line numbers (the rules of what they mean are
:mod:`fsgrant.domain.outcomes`'s). Such files carry a byte-order mark and Windows line
ends; both are read as they come."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from fsgrant.errors import SourceError
from fsgrant.formats.input_files import check_input_file, refuse_wide_text

__all__ = ["PublishedFile"]


class PublishedFile:
    """An open published CSV file: ``header`` and ``rows()``; close it (or use
    ``with``)."""

    def __init__(self, path: Path) -> None:
        check_input_file(path)
        refuse_wide_text(path, None)
        self.name = path.name
        try:
            self._file = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise SourceError(self.name, None, None, f"cannot be read: {exc.strerror}") from None
        self._reader = csv.reader(self._file)
        try:
            first = next(self._reader, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            self.close()
            raise SourceError(self.name, 1, None, f"not UTF-8 CSV text ({exc})") from None
        if not first or not any(c.strip() for c in first):
            self.close()
            raise SourceError(self.name, 1, None, "no header row: the file is empty")
        self.header = [c.strip() for c in first]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, row by column) for every row with a cell filled."""
        try:
            for cells in self._reader:
                if any(c.strip() for c in cells):
                    yield self._reader.line_num, dict(zip(self.header, cells, strict=False))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(
                self.name, self._reader.line_num + 1, None, f"not UTF-8 CSV text ({exc})"
            ) from None

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PublishedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
