"""Where a store may be written: the rule for a store SQLite cannot keep safe.

Councils keep files on shared drives and in synced folders. SQLite's write-ahead log
(the journal fsgrant uses, so that readers never block the writer) keeps an index in
shared memory beside the store, which "does not work over a network filesystem"
(SQLite's own documentation): two machines writing through it can corrupt the file. A
sync service (OneDrive, SharePoint, Dropbox, Google Drive, iCloud) copies files one
at a time and may copy the store and its ``-wal`` at different moments, or keep two
people's copies: either way records are lost.

So a store is **unsafe** when the filesystem it is on is a network one (by its type:
SMB/CIFS, NFS, AFP, WebDAV, SSHFS and the like; on Windows a remote drive), or when
it is inside a folder a sync service keeps (by the folder's name, or as the service
declares its folder). fsgrant reads such a store but refuses to write to it, saying
why and what to do: keep the store on a local disk, and share it read-only through
``fsgrant browse``, backups or exports. Someone who knows no one else will write to
it at the same time may opt in (``--allow-network-store``): the store is then
written with a rollback journal and an exclusive lock, which need no shared memory.

This module decides from what it is told (the path's folders, the filesystem's type,
a sync service found by the store module); :mod:`fsgrant.store.place` looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NETWORK_FILESYSTEMS",
    "Place",
    "sync_service_of_folder",
    "unsafe_place",
]

NETWORK_FILESYSTEMS: dict[str, str] = {
    "cifs": "an SMB/CIFS network share",
    "smb": "an SMB network share",
    "smb2": "an SMB network share",
    "smb3": "an SMB network share",
    "smbfs": "an SMB network share",
    "nfs": "an NFS network share",
    "nfs4": "an NFS network share",
    "afpfs": "an AFP network share",
    "webdav": "a WebDAV network folder",
    "davfs": "a WebDAV network folder",
    "fuse.davfs": "a WebDAV network folder",
    "fuse.sshfs": "an SSHFS network folder",
    "sshfs": "an SSHFS network folder",
    "fuse.rclone": "an rclone network folder",
    "fuse.s3fs": "an S3 network folder",
    "fuse.gcsfuse": "a cloud storage network folder",
    "afs": "an AFS network filesystem",
    "ncpfs": "a NetWare network share",
    "ceph": "a Ceph network filesystem",
    "glusterfs": "a GlusterFS network filesystem",
    "fuse.glusterfs": "a GlusterFS network filesystem",
    "lustre": "a Lustre network filesystem",
    "gpfs": "a GPFS network filesystem",
    "remote": "a network drive",
    "9p": "a shared folder of a virtual machine or WSL (9p)",
    "drvfs": "a Windows drive seen from WSL",
    "vboxsf": "a shared folder of a virtual machine",
    "vmhgfs": "a shared folder of a virtual machine",
    "fuse.vmhgfs-fuse": "a shared folder of a virtual machine",
}
"""Filesystem types (as Linux's mount table and macOS name them; ``remote`` for a
Windows network drive) that are network filesystems, or behave as one for SQLite (a
virtual machine's shared folders, WSL's view of Windows drives), and how to name each
to a person."""

_SYNC_NAMES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (service, folder names, folder-name prefixes), compared case-insensitively
    ("OneDrive", ("onedrive",), ("onedrive - ", "onedrive-")),
    ("SharePoint", ("sharepoint",), ("sharepoint - ", "sharepoint-")),
    ("Dropbox", ("dropbox",), ("dropbox (", "dropbox-")),
    ("Google Drive", ("google drive", "googledrive", "my drive"), ("googledrive-",)),
    ("iCloud Drive", ("icloud drive", "iclouddrive", "com~apple~clouddocs"), ()),
    ("Box", ("box sync",), ("box-",)),
)


@dataclass(frozen=True)
class Place:
    """Why a store's place is unsafe: ``network`` or ``sync``, what it is in words, and
    (``sync``) the service that keeps it."""

    kind: str
    what: str
    service: str | None = None

    def message(self, path: object) -> str:
        """The refusal, for a person: why, and what to do instead."""
        if self.kind == "network":
            where, why = "on", "SQLite's write-ahead log does not work over a network filesystem"
        else:
            where, why = "in", f"{self.service} may copy the store and its -wal file apart"
        return (
            f"{path} is {where} {self.what}: fsgrant will not write to it there, as {why} "
            "and records could be lost. Keep the store on a local disk and share it "
            "read-only (fsgrant browse, fsgrant backup, exports); to write to it anyway, "
            "with no one else writing at the same time, give --allow-network-store"
        )


def sync_service_of_folder(name: str) -> str | None:
    """The sync service a folder's name says keeps it (``OneDrive - Council``), if any."""
    folded = name.casefold().strip()
    for service, names, prefixes in _SYNC_NAMES:
        if folded in names or folded.startswith(prefixes):
            return service
    return None


def unsafe_place(
    folders: Sequence[str], filesystem: str | None, synced_by: str | None = None
) -> Place | None:
    """Whether a store in ``folders`` (the path's folder names, outermost first), on a
    filesystem of type ``filesystem`` (None: unknown), and kept by the sync service
    ``synced_by`` (as the service itself declares; None: none found) is unsafe.

    >>> unsafe_place(["mnt", "finance"], "nfs4").what
    'an NFS network share'
    >>> unsafe_place(["Users", "jo", "OneDrive - Council", "grant"], "ntfs").what
    'a OneDrive folder'
    >>> unsafe_place(["home", "jo", "grant"], "ext4") is None
    True
    """
    fs = (filesystem or "").casefold()
    if fs in NETWORK_FILESYSTEMS:
        return Place("network", NETWORK_FILESYSTEMS[fs])
    if synced_by is None:
        for folder in folders:
            synced_by = sync_service_of_folder(folder)
            if synced_by is not None:
                break
    if synced_by is not None:
        article = "an" if synced_by[0] in "AEIiOU" and not synced_by.startswith("One") else "a"
        return Place("sync", f"{article} {synced_by} folder", synced_by)
    return None
