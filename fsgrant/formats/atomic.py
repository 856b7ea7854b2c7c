"""Writing a file so that it is whole or absent: a temporary file beside the target,
moved into place when complete.

An existing file is only replaced when asked. A process killed while writing
(SIGKILL, power loss) cannot remove its temporary file, a hidden
``.NAME.<12 hex digits>.part`` beside the target: the next write to the same target
removes such leftovers (those no living writer holds locked; POSIX only).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from fsgrant.errors import Conflict, FsgrantError, InvalidInput

__all__ = [
    "check_output",
    "remove_leftovers",
    "temporary_files",
    "write_atomically",
    "write_failed",
]


def _exists(target: Path) -> Conflict:
    # The library's words; the command line says --force instead of force=True.
    return Conflict(f"{target} exists already; pass force=True to replace it", code="file-exists")


def check_output(
    target: str | os.PathLike[str],
    *,
    force: bool,
    inputs: tuple[str | os.PathLike[str], ...] = (),
    field: str = "out",
) -> Path:
    """The one check of a file fsgrant is about to write, made before anything is
    written: never one of ``inputs`` (the file being read), never a folder or a device,
    an existing file only with ``force``, and its folder must exist.

    Raises:
        InvalidInput: ``target`` is an input, a folder or not a regular file, or its
            folder does not exist.
        Conflict: ``target`` exists and ``force`` is false (code ``file-exists``).
    """
    path = Path(target)
    for given in inputs:
        if _same_file(path, Path(given)):
            raise InvalidInput(
                f"{field}: {path} is the file being read ({given}); name another file",
                field=field,
                value=str(path),
            )
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        why = getattr(exc, "strerror", None) or "not a file name"
        raise InvalidInput(
            f"{field}: cannot write {path}: {why}", field=field, value=str(path)
        ) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise InvalidInput(
            f"{field}: {path} is a folder; name a file in it", field=field, value=str(path)
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise InvalidInput(f"{field}: {path} is not a regular file", field=field, value=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"{field}: folder {folder} does not exist", field=field, value=str(path))
    if mode is not None and not force:
        raise _exists(path)
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one is missing: compare the names as the file system would
        return os.path.abspath(a) == os.path.abspath(b)


def write_failed(target: Path, exc: OSError) -> FsgrantError:
    """The error for a file that could not be written (a full disk, no permission):
    nothing of it is left behind."""
    why = exc.strerror or str(exc)
    return FsgrantError(f"cannot write {target}: {why}; nothing was written", code="write-failed")


def write_atomically(
    target: Path,
    write: Callable[[Path], object],
    *,
    force: bool,
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """Write a file through ``write(temporary path)`` and move it into place.

    The temporary file is ``.<target name>.<random>.part`` in the target's folder (so
    the move is atomic, and the dot keeps it out of sight); if ``write`` fails it is
    removed and the target is untouched. Without ``force`` an existing target is
    refused, also when it appears while the file is written; ``inputs`` (the files
    being read, such as the store) are refused as the target whatever ``force`` says.

    A process killed while writing (SIGKILL, power loss) cannot remove its
    temporary file: the next export to the same target removes such leftovers.
    Each writer holds a lock on its temporary file while it lives, so a file being
    written by another export is never taken for a leftover (POSIX; elsewhere the
    leftovers are only ignored).

    Raises:
        Conflict: the target exists and ``force`` is false (code ``file-exists``).
        InvalidInput: the target is a folder or not a regular file, or its folder
            does not exist (see :func:`check_output`).
        FsgrantError: the file could not be written (code ``write-failed``: a full
            disk, no permission); the target is untouched.
    """
    target = check_output(target, force=force, inputs=inputs)
    remove_leftovers(target)
    try:
        tmp, lock = _claim_temporary(target)
    except OSError as exc:
        raise write_failed(target, exc) from None
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, target)
        else:
            try:
                # A hard link creates the name only if it is free: no race with
                # another writer between the check above and here.
                os.link(tmp, target)
            except FileExistsError:
                raise _exists(target) from None
            except OSError:
                if target.exists():
                    raise _exists(target) from None
                os.replace(tmp, target)  # a file system without hard links
    except OSError as exc:
        raise write_failed(target, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
        os.close(lock)
    return target


def temporary_files(target: Path) -> list[Path]:
    """The temporary files of exports to ``target`` that exist now (being written,
    or left by a killed process)."""
    target = Path(target)
    pattern = f".{glob.escape(target.name)}.*.part"
    return sorted(
        p
        for p in target.parent.glob(pattern)
        if _TMP_NAME.fullmatch(p.name[len(target.name) + 1 :])
    )


_TMP_NAME = re.compile(r"\.[0-9a-f]{12}\.part")


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the temporary files that killed exports to ``target`` left behind
    (those no living writer holds locked). Returns the files removed."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: leftovers are only ignored
        return []
    removed = []
    for path in temporary_files(target):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # gone already, or not ours to touch
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a living export is writing it
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
        finally:
            os.close(fd)
    return removed


def _claim_temporary(target: Path) -> tuple[Path, int]:
    """Create a temporary file for ``target`` and lock it for this process's life.

    Returns the path and the open descriptor holding the lock. Between creating and
    locking, another export may take the new file for a leftover and remove it:
    then the name no longer leads to the locked file, and a new name is tried.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        fcntl = None  # type: ignore[assignment]
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
        # Not mkstemp: its files are private (0600); a return gets the usual permissions.
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        if fcntl is None:
            return tmp, fd
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(tmp))
        except FileNotFoundError:
            same = False
        if same:
            return tmp, fd
        os.close(fd)
