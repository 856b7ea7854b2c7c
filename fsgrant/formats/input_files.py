"""What a file given to be read is, told before it is read: a folder, a device or a
pipe is not an extract, and a UTF-16 or UTF-32 file is not the UTF-8 or Windows-1252
text fsgrant reads unless told (else its header would be "not found")."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fsgrant.errors import InvalidInput, SourceError

__all__ = ["check_input_file", "check_input_folder", "refuse_wide_text", "wide_text"]

# UTF-32 first: its little-endian mark begins with UTF-16's.
_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_SAMPLE = 4096


def check_input_file(path: Path) -> None:
    """Refuse what is not a regular file that can be read.

    Raises:
        SourceError: no such file, a folder, not a regular file (a device such as
            ``/dev/null``, a pipe, a socket), or not readable.
    """
    name = path.name or str(path)
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise SourceError(name, None, None, "no such file") from None
    except ValueError:  # a NUL character: no file system takes it
        raise SourceError(name, None, None, "not a file name (it holds a NUL character)") from None
    except OSError as exc:
        raise SourceError(name, None, None, f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise SourceError(name, None, None, "is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise SourceError(
            name,
            None,
            None,
            "is not a regular file (a device, pipe or socket); give the file itself",
        )
    if not os.access(path, os.R_OK):
        raise SourceError(name, None, None, "cannot be read: permission denied")


def check_input_folder(path: Path, field: str = "folder") -> None:
    """Refuse what is not a folder (a file, a missing path, a name the file system
    refuses).

    Raises:
        InvalidInput: not a folder, naming ``field``.
    """
    try:
        is_folder = stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        is_folder = False
    except OSError as exc:
        raise InvalidInput(
            f"{path}: cannot be read: {exc.strerror or exc}", field=field, value=str(path)
        ) from None
    if not is_folder:
        raise InvalidInput(f"{path} is not a folder", field=field, value=str(path))


def wide_text(head: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when the first bytes of a file are such text (a
    byte-order mark, or a NUL beside every ASCII character), ``"binary"`` for other
    bytes with many NULs, None for ordinary 8-bit text."""
    for mark, kind in _MARKS:
        if head.startswith(mark):
            return kind
    size = len(head)
    if size < 8 or head.count(0) * 10 < size:
        return None
    quarters = sorted(head[i::4].count(0) for i in range(4))
    if quarters[1] >= 0.6 * (size / 4):  # three bytes in four are NUL
        return "UTF-32"
    odd, even = head[1::2].count(0), head[0::2].count(0)
    half = size / 2
    if max(odd, even) >= 0.4 * half and min(odd, even) <= 0.05 * half:
        return "UTF-16"
    return "binary"


def refuse_wide_text(path: Path, encoding: str | None) -> None:
    """Refuse a UTF-16/32 or binary file read as 8-bit text (``encoding`` None, UTF-8
    or Windows-1252); a mapping naming a UTF-16 or UTF-32 encoding reads it as that.

    Raises:
        SourceError: the file is UTF-16 or UTF-32 text, or binary.
    """
    if encoding is not None and encoding.lower().replace("-", "").replace("_", "").startswith(
        ("utf16", "utf32")
    ):
        return
    with path.open("rb") as f:
        kind = wide_text(f.read(_SAMPLE))
    if kind is None:
        return
    if kind == "binary":
        reason = "holds binary data (NUL bytes), not CSV text; save it as CSV or XLSX"
    else:
        reason = (
            f"{kind} text: save it as UTF-8 or CSV (Excel: Save As, CSV UTF-8), or give "
            f'the mapping encoding = "{kind.lower()}"'
        )
    raise SourceError(path.name, None, None, reason)
