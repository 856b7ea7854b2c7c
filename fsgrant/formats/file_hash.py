"""A file's SHA-256 and whether it is UTF-8, each read in one streaming pass, and a
file's SHA-256 taken on a thread of its own while the file is read for its rows."""

from __future__ import annotations

import codecs
import hashlib
import threading
from pathlib import Path

from fsgrant.errors import SourceError

__all__ = ["CHUNK", "FileHash", "file_sha256", "is_utf8", "sha256_of"]

CHUNK = 1 << 20
"""Bytes read at a time."""


def file_sha256(path: Path) -> str:
    """The file's sha256 (hex), read in blocks."""
    digest = sha256_of(path)
    assert digest is not None  # nothing stops it
    return digest


def sha256_of(path: Path, stop: threading.Event | None = None) -> str | None:
    """The file's sha256 (hex), read in blocks; None if ``stop`` is set first.

    Raises:
        OSError: the file could not be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if stop is not None and stop.is_set():
                return None
            digest.update(chunk)
    return digest.hexdigest()


def is_utf8(path: Path) -> bool:
    """Whether the file is valid UTF-8, in one streaming pass that stops at the first
    byte that is not (most of a file is ASCII, which needs no decoding)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            # ASCII is UTF-8 (when no character is left half-read): no need to decode.
            if chunk.isascii() and not decoder.getstate()[0]:
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class FileHash:
    """A file's sha256, taken on a thread of its own while the file is read for its
    rows (``hashlib`` lets go of the interpreter while it hashes, so on two cores it
    costs an import next to nothing); :attr:`hexdigest` waits for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._digest: str | None = None
        self._error: OSError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fsgrant-file-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._digest = sha256_of(self.path, self._stop)
        except OSError as exc:
            self._error = exc

    def stop(self) -> None:
        """Stop hashing, if it is not done, and wait for the thread (it closes the file)."""
        self._stop.set()
        self._thread.join()

    @property
    def hexdigest(self) -> str:
        """The sha256 (hex) of the file as it was read.

        Raises:
            SourceError: the file could not be read.
        """
        self._thread.join()
        if self._digest is None:
            why = self._error if self._error is not None else "stopped before the end"
            raise SourceError(self.path.name, None, None, f"cannot be read ({why})")
        return self._digest
