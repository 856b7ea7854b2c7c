"""A store SQLite cannot keep safe (on a network filesystem, in a synced folder) is
read but not written, unless the user opts in knowingly; the filesystem's type is
injected, since this machine's disks are local.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fsgrant
import fsgrant.store.place as place
from fsgrant.cli import app
from fsgrant.domain.store_place import sync_service_of_folder, unsafe_place
from fsgrant.errors import StoreError


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize(
    ("folders", "filesystem", "synced", "expected"),
    [
        (["srv", "finance"], "cifs", None, ("network", "an SMB/CIFS network share")),
        (["mnt", "f"], "NFS4", None, ("network", "an NFS network share")),
        (["Volumes", "share"], "smbfs", None, ("network", "an SMB network share")),
        (["home", "jo"], "fuse.sshfs", None, ("network", "an SSHFS network folder")),
        (["G:\\", "grant"], "remote", None, ("network", "a network drive")),
        (["Users", "jo", "OneDrive - Cambs CC", "fs"], "ntfs", None, ("sync", "a OneDrive folder")),
        (["Users", "jo", "OneDrive"], None, None, ("sync", "a OneDrive folder")),
        (["Users", "jo", "Library", "CloudStorage", "OneDrive-Personal"], "apfs", None,
         ("sync", "a OneDrive folder")),
        (["home", "jo", "Dropbox (Council)", "x"], "ext4", None, ("sync", "a Dropbox folder")),
        (["G:\\", "My Drive"], None, None, ("sync", "a Google Drive folder")),
        (["Users", "jo", "Library", "Mobile Documents", "com~apple~CloudDocs"], "apfs", None,
         ("sync", "an iCloud Drive folder")),
        (["Users", "jo", "SharePoint - Finance"], "ntfs", None, ("sync", "a SharePoint folder")),
        (["data", "shared"], "ext4", "Dropbox", ("sync", "a Dropbox folder")),
        # A network filesystem is named as such even inside a synced folder's name.
        (["mnt", "OneDrive"], "nfs", None, ("network", "an NFS network share")),
        (["home", "jo", "grant"], "ext4", None, None),
        (["home", "jo", "grant"], None, None, None),
        (["Users", "jo", "Dropboxes"], "apfs", None, None),
        (["Users", "jo", "My OneDrive notes"], "apfs", None, None),
        (["C:\\", "Users", "jo"], "local", None, None),
    ],
)  # fmt: skip
def test_the_rule(folders, filesystem, synced, expected):
    found = unsafe_place(folders, filesystem, synced)
    assert (None if found is None else (found.kind, found.what)) == expected


def test_the_message_says_why_and_what_to_do():
    nfs = unsafe_place(["mnt"], "nfs").message("/mnt/g.db")
    assert nfs.startswith("/mnt/g.db is on an NFS network share: fsgrant will not write to it")
    assert "does not work over a network filesystem" in nfs
    for advice in ("local disk", "fsgrant browse", "fsgrant backup", "--allow-network-store"):
        assert advice in nfs
    synced = unsafe_place(["Dropbox"], "ext4").message("g.db")
    assert synced.startswith("g.db is in a Dropbox folder: fsgrant will not write to it")
    assert "as Dropbox may copy the store and its -wal file apart" in synced
    assert sync_service_of_folder("  dropbox  ") == "Dropbox"


# ------------------------------------------------------------------ looking
def test_mount_tables_are_read_as_the_systems_write_them(tmp_path):
    mountinfo = (
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "36 22 0:44 / /srv/finance\\040team rw,relatime shared:2 - cifs //fs1/finance rw\n"
        "37 36 0:45 / /srv/finance\\040team/local rw - ext4 /dev/sdb1 rw\n"
    )
    mounts = place.parse_mountinfo(mountinfo)
    assert mounts == [
        ("/", "ext4"),
        ("/srv/finance team", "cifs"),
        ("/srv/finance team/local", "ext4"),
    ]
    assert place.longest_mount(Path("/srv/finance team/g.db"), mounts) == "cifs"
    assert place.longest_mount(Path("/srv/finance team/local/g.db"), mounts) == "ext4"
    assert place.longest_mount(Path("/srv/financeteam/g.db"), mounts) == "ext4"
    mac = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "//jo@fs1/finance on /Volumes/finance (smbfs, nodev, nosuid, mounted by jo)\n"
    )
    assert place.parse_mount_output(mac) == [("/", "apfs"), ("/Volumes/finance", "smbfs")]
    # A store not made yet is on the filesystem of its nearest folder that exists.
    share = tmp_path / "finance team"
    share.mkdir()
    table = tmp_path / "mountinfo"
    escaped = str(share.resolve()).replace(" ", "\\040")
    table.write_text(f"{mountinfo}40 22 0:46 / {escaped} rw - nfs4 fs1:/f rw\n", "utf-8")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(place, "MOUNTINFO", str(table))
        m.setattr(place.sys, "platform", "linux")
        assert place.filesystem_type(share / "not yet" / "g.db") == "nfs4"
        assert place.filesystem_type(tmp_path / "g.db") == "ext4"


def test_this_machines_mounts_are_read():
    assert place.filesystem_type("/proc/self") == "proc"


def test_a_sync_service_is_found_as_it_declares_its_folder(tmp_path, monkeypatch):
    (tmp_path / "box" / "inner").mkdir(parents=True)
    (tmp_path / "box" / ".dropbox").write_text("{}", encoding="utf-8")
    assert place.synced_by(tmp_path / "box" / "inner" / "g.db") == "Dropbox"
    monkeypatch.setenv("OneDriveCommercial", str(tmp_path / "work"))
    assert place.synced_by(tmp_path / "work" / "g.db") == "OneDrive"
    assert place.synced_by(tmp_path / "other" / "g.db") is None


# ------------------------------------------------------------------ the store
@pytest.fixture
def on(monkeypatch):
    """Make every path read as on a filesystem of the given type."""

    def set_type(kind: str | None) -> None:
        monkeypatch.setattr(place, "filesystem_type", lambda path: kind)

    return set_type


def _local_store(path: Path) -> None:
    with fsgrant.open(path) as led:
        led.init("Family Safeguarding", "Department for Education", "A council")
        led.years.add("2019/20", "2490000.00", "2019-08-01")
        led.spend.add("2019-09-01", "10.00", "training")


def test_a_new_store_is_not_made_on_a_network_share(tmp_path, on):
    on("cifs")
    path = tmp_path / "g.db"
    with pytest.raises(StoreError, match="is on an SMB/CIFS network share") as caught:
        fsgrant.open(path)
    assert caught.value.code == "unsafe-place"
    assert not path.exists()


def test_a_store_on_a_network_share_is_read_but_not_written(tmp_path, on):
    path = tmp_path / "g.db"
    _local_store(path)
    on("nfs4")
    with fsgrant.open(path) as led:
        before = led.exports.fingerprint()
        assert [line.amount for line in led.spend.list()] == [Decimal("10.00")]
        with pytest.raises(StoreError, match="is on an NFS network share") as caught:
            led.spend.add("2019-09-02", "5.00", "training")
        assert caught.value.code == "unsafe-place"
        assert led.exports.fingerprint() == before


def test_allowed_a_network_store_is_written_with_a_rollback_journal_and_exclusive_lock(
    tmp_path, on
):
    path = tmp_path / "g.db"
    _local_store(path)
    on("cifs")
    with fsgrant.open(path, allow_network_store=True) as led:
        led.spend.add("2019-09-02", "5.00", "training")
        assert led.store.query_one("PRAGMA journal_mode")[0] == "delete"
        assert led.store.query_one("PRAGMA locking_mode")[0] == "exclusive"
        # The exclusive lock: another connection cannot read while it is open.
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("SELECT count(*) FROM spend").fetchone()
        other.close()
        assert not path.with_name("g.db-wal").exists()
        findings = {f.code: f for f in led.doctor()}
        assert findings["journal_mode"].severity == "ok"
        assert "exclusive lock" in findings["journal_mode"].message
    on("ext4")  # back on a local disk: the write-ahead log again
    with fsgrant.open(path) as led:
        assert led.store.query_one("PRAGMA journal_mode")[0] == "wal"
        assert len(led.spend.list()) == 2


def test_a_store_in_a_synced_folder_is_refused_by_the_command_line(tmp_path, on):
    on("ext4")
    folder = tmp_path / "OneDrive - Council"
    folder.mkdir()
    db = folder / "g.db"
    run = CliRunner()
    r = run.invoke(
        app, ["--db", str(db), "init", "--grant", "Grant", "--funder", "DfE", "--recipient", "C"]
    )
    assert r.exit_code == 1, r.output
    assert "is in a OneDrive folder" in r.stderr and "Traceback" not in r.output
    assert not db.exists()
    r = run.invoke(
        app,
        ["--db", str(db), "--allow-network-store", "init", "--grant", "Grant", "--funder", "DfE",
         "--recipient", "C"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run.invoke(
        app,
        ["--db", str(db), "year", "add", "2019/20", "--amount", "2490000", "--start", "2019-08-01"],
    )
    assert r.exit_code == 1 and "fsgrant will not write to it there" in r.stderr
    r = run.invoke(
        app,
        ["--db", str(db), "year", "add", "2019/20", "--amount", "2490000", "--start", "2019-08-01"],
        env={"FSGRANT_ALLOW_NETWORK_STORE": "1"},
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["--db", str(db), "year", "list"])
    assert r.exit_code == 0 and "2019/20" in r.output


def test_the_demo_is_not_written_to_a_network_share(tmp_path, on):
    on("smb3")
    out = tmp_path / "exports"
    r = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert f"{out / 'demo.db'} is on an SMB network share" in r.stderr
    assert not out.exists()


def test_the_guide_quotes_the_message_as_it_is():
    guide = Path(__file__).parents[1] / "docs" / "how-to" / "store.md"
    message = unsafe_place(["mnt"], "cifs").message("/mnt/finance/grant.db")
    assert f"fsgrant: error: {message}\n" in guide.read_text(encoding="utf-8")
