"""The dedupe keys of imported spend lines (``spend.dedupe_key``, unique in the store).

A key says which line of which source a spend line is, so that importing a file again
adds nothing and an overlapping file adds only its new lines:

* **Reference keys**, for a mapping with ``[dedupe] by = "reference"``: the text
  ``ref:<source>:<reference>`` (the source's name, then its transaction reference).
* **Hash keys**, for ``[dedupe] by = "hash"`` (fsgrant's own CSV, the default
  mapping, the transparency-code preset): a 20-byte BLOB, the 16-byte BLAKE2b digest
  of the line's normalised fields joined by ``\\x1f`` (:func:`line_digest`), then the
  occurrence number of that identical line within the file, 4 bytes big-endian
  (:func:`hash_key`). Two identical lines in one file are numbered 1 and 2, so both
  are kept, and importing the file again finds both.
* **Earlier hash keys**: fsgrant 0.1 stored the text ``hash:<sha256 hex>:<n>`` (the
  SHA-256 of the same bytes, and the same occurrence number; :func:`earlier_hash_key`).
  Stored keys are never rewritten (a submitted return's ledger fingerprint covers
  them); while a store holds any, an import also works out this form, and a line is
  a duplicate when either of its keys is stored.

A BLOB never equals a text value in SQLite, so the three kinds cannot collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b, sha256

__all__ = [
    "DIGEST_SIZE",
    "EARLIER_HASH_PREFIX",
    "OCCURRENCE_SIZE",
    "earlier_hash_key",
    "earlier_line_hash",
    "hash_key",
    "line_bytes",
    "line_digest",
    "reference_key",
]

DIGEST_SIZE = 16
"""Bytes of the BLAKE2b digest of a line's fields."""
OCCURRENCE_SIZE = 4
"""Bytes of the occurrence number (big-endian, so 1 to 4,294,967,295)."""
EARLIER_HASH_PREFIX = "hash:"
"""How the text hash keys of fsgrant 0.1 begin (``hash:<sha256 hex>:<n>``)."""

FIELD_SEPARATOR = "\x1f"


def line_bytes(fields: Sequence[str]) -> bytes:
    """The bytes a line's hash is taken of: its fields joined by ``\\x1f``, UTF-8."""
    return FIELD_SEPARATOR.join(fields).encode()


def line_digest(data: bytes) -> bytes:
    """The 16-byte BLAKE2b digest of a line's bytes (:func:`line_bytes`)."""
    return blake2b(data, digest_size=DIGEST_SIZE).digest()


def hash_key(digest: bytes, occurrence: int) -> bytes:
    """The key of the ``occurrence``-th line (from 1) with this digest in its file."""
    return digest + occurrence.to_bytes(OCCURRENCE_SIZE, "big")


def earlier_line_hash(data: bytes) -> str:
    """The base of fsgrant 0.1's key for a line's bytes: ``hash:<sha256 hex>``."""
    return EARLIER_HASH_PREFIX + sha256(data).hexdigest()


def earlier_hash_key(base: str, occurrence: int) -> str:
    """fsgrant 0.1's key: its base (:func:`earlier_line_hash`), ``:``, the occurrence."""
    return f"{base}:{occurrence}"


def reference_key(source: str, reference: str) -> str:
    """The key of a line told apart by its source's transaction reference."""
    return f"ref:{source}:{reference}"
