"""The zip-bomb guard for XLSX files fsgrant reads: finance extracts being imported
and DfE returns being verified.

An XLSX is a zip archive. Python's zip reader never inflates a part beyond its
declared size, so checking the declared sizes before any XML is parsed bounds what
parsing can cost. One set of limits serves every reader:

* all parts together may unpack to at most :data:`MAX_UNCOMPRESSED` bytes (1 GiB);
* a part over :data:`RATIO_CHECKED_OVER` bytes (1 MiB) unpacked may be compressed at
  most :data:`MAX_RATIO` times (real worksheets compress 5-30 times, zip bombs a
  thousand).

:func:`archive_problem` says what is wrong, if anything; each reader words the
refusal in its own error (:class:`~fsgrant.errors.SourceError` for an import,
:class:`~fsgrant.errors.InvalidInput` for a return).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "RATIO_CHECKED_OVER",
    "ArchiveProblem",
    "NotAZip",
    "TooBig",
    "TooCompressed",
    "archive_problem",
]

MAX_UNCOMPRESSED = 1 << 30
"""Refuse an XLSX whose parts would unpack to more than this many bytes (1 GiB)."""

MAX_RATIO = 200
"""Refuse an XLSX with a part (over :data:`RATIO_CHECKED_OVER` unpacked) compressed
more than this many times."""

RATIO_CHECKED_OVER = 1 << 20
"""Parts up to this size unpacked (1 MiB) are too small to matter, however packed."""


@dataclass(frozen=True)
class NotAZip:
    """The file cannot be opened as a zip archive."""

    error: str


@dataclass(frozen=True)
class TooBig:
    """The parts together would unpack to more than the limit."""

    total: int
    limit: int


@dataclass(frozen=True)
class TooCompressed:
    """One part is compressed more than :data:`MAX_RATIO` times: a likely zip bomb."""

    part: str
    size: int
    packed: int

    @property
    def ratio(self) -> float:
        return self.size / max(self.packed, 1)


ArchiveProblem = NotAZip | TooBig | TooCompressed


def archive_problem(
    path: Path, *, max_uncompressed: int = MAX_UNCOMPRESSED
) -> ArchiveProblem | None:
    """What makes the XLSX at ``path`` unsafe to parse, or None when it may be read.

    The parts are checked in order, the first too compressed is reported; then the
    total. ``max_uncompressed`` is for callers that keep their own handle on the
    limit (tests lower it); it defaults to :data:`MAX_UNCOMPRESSED`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return NotAZip(str(exc))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_CHECKED_OVER:
            found = TooCompressed(info.filename, info.file_size, info.compress_size)
            if found.ratio > MAX_RATIO:
                return found
    if total > max_uncompressed:
        return TooBig(total, max_uncompressed)
    return None
