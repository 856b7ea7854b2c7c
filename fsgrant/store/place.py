"""Where a store is: the filesystem it is on and any sync service keeping its folder,
looked up for :func:`fsgrant.domain.store_place.unsafe_place` to judge.

* The filesystem's type: on Linux from the mount table (``/proc/self/mountinfo``), on
  macOS from ``mount``, on Windows whether the drive is a network drive (or the path
  a ``\\\\server\\share`` one). Unknown (None) where none of these can be read: then
  only the folder names decide.
* A sync service as it declares its folder: OneDrive's ``OneDrive``,
  ``OneDriveCommercial`` and ``OneDriveConsumer`` environment variables on Windows,
  and the ``.dropbox`` marker Dropbox keeps at the top of its folder.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from fsgrant.domain.store_place import Place, unsafe_place

__all__ = [
    "MOUNTINFO",
    "filesystem_type",
    "longest_mount",
    "parse_mount_output",
    "parse_mountinfo",
    "store_place",
    "synced_by",
]

MOUNTINFO = "/proc/self/mountinfo"
"""Linux's table of the mounts this process sees."""
_ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
_DROPBOX_MARKERS = (".dropbox", ".dropbox.cache")


def _existing(path: Path) -> Path:
    """``path`` resolved, or its nearest folder that exists (a store not yet made)."""
    p = Path(os.path.abspath(path))
    while not p.exists() and p.parent != p:
        p = p.parent
    try:
        return p.resolve()
    except OSError:
        return p


def _within(path: Path, folder: str) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def longest_mount(path: Path, mounts: Sequence[tuple[str, str]]) -> str | None:
    """The type of the mount (``(mount point, type)``) holding ``path``: the deepest."""
    best: tuple[int, str] | None = None
    for point, fstype in mounts:
        if _within(path, point) and (best is None or len(point) > best[0]):
            best = (len(point), fstype)
    return None if best is None else best[1]


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """``(mount point, type)`` of each line of Linux's ``/proc/self/mountinfo``."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        dash = fields.index("-")
        if len(fields) <= dash + 1:
            continue
        # The mount point's spaces, tabs and backslashes are octal escapes (\040).
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        mounts.append((point, fields[dash + 1]))
    return mounts


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """``(mount point, type)`` of each line macOS's ``mount`` prints:
    ``//jo@server/share on /Volumes/share (smbfs, nodev, nosuid, mounted by jo)``."""
    mounts = []
    for line in text.splitlines():
        head, sep, rest = line.rpartition(" (")
        _, on, point = head.partition(" on ")
        if sep and on:
            mounts.append((point, rest.split(",")[0].rstrip(")").strip()))
    return mounts


def _windows_type(path: Path) -> str | None:
    text = str(path)
    if text.startswith("\\\\") and not text.startswith("\\\\?\\"):
        return "remote"
    import ctypes

    drive = path.drive + "\\" if path.drive else None
    if drive is None:
        return None
    kind = ctypes.windll.kernel32.GetDriveTypeW(drive)  # type: ignore[attr-defined,unused-ignore]
    return "remote" if kind == 4 else "local"  # DRIVE_REMOTE


def filesystem_type(path: str | os.PathLike[str]) -> str | None:
    """The type of the filesystem ``path`` is on (of its nearest existing folder, for a
    store not yet made): ``ext4``, ``nfs4``, ``cifs``...; ``remote`` for a Windows
    network drive; None when it cannot be told."""
    where = _existing(Path(path))
    try:
        if sys.platform.startswith("linux"):
            with open(MOUNTINFO, encoding="utf-8", errors="replace") as f:
                return longest_mount(where, parse_mountinfo(f.read()))
        if sys.platform == "darwin":
            return longest_mount(where, parse_mount_output(_darwin_mount_table()))
        if sys.platform == "win32":
            return _windows_type(where)
    except (OSError, ValueError):
        return None
    return None


def _darwin_mount_table() -> str:
    """What macOS's ``mount`` prints ("" if it fails or takes over 5 s)."""
    import subprocess

    try:
        listed = subprocess.run(
            ["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return listed.stdout


def synced_by(path: str | os.PathLike[str]) -> str | None:
    """The sync service that declares the folder ``path`` is in, if any."""
    named = Path(os.path.abspath(path))
    where = _existing(named)
    for variable in _ONEDRIVE_VARIABLES:
        root = os.environ.get(variable)
        if root and any(_within(p, os.path.abspath(root)) for p in (named, where)):
            return "OneDrive"
    for folder in (where, *where.parents):
        try:
            if any((folder / marker).exists() for marker in _DROPBOX_MARKERS):
                return "Dropbox"
        except OSError:
            continue
    return None


def store_place(path: str | os.PathLike[str]) -> Place | None:
    """Why SQLite cannot keep a store at ``path`` safe, or None (see
    :mod:`fsgrant.domain.store_place`)."""
    where = _existing(Path(path))
    # The folders as named (a folder not made yet counts) and as resolved (a link).
    folders = [*Path(os.path.abspath(path)).parts, *where.parts]
    return unsafe_place(folders, filesystem_type(where), synced_by(where))
