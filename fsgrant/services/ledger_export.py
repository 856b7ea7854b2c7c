"""Exports: the DfE return workbook, checking a return against the store, and the
360Giving data package.

:class:`ExportMixin` gathers the figures (the same reports the command line shows)
and hands them to the pure writers in :mod:`fsgrant.xlsx_return` and
:mod:`fsgrant.giving360`. Files are written to a temporary file in the target's
folder and then moved into place, so a failed export never leaves half a file, and
an existing file is only replaced when asked.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.domain.periods import parse_date
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.services.ledger_core import DateLike
from fsgrant.services.ledger_forecast import ForecastMixin

if TYPE_CHECKING:
    from fsgrant.formats.dfe_return import ReturnData, ReturnDifference

__all__ = [
    "FINGERPRINT_TABLES",
    "ExportMixin",
    "default_return_name",
    "remove_leftovers",
    "temporary_files",
    "write_atomically",
]

FINGERPRINT_TABLES = (
    "grant_info",
    "categories",
    "funding_years",
    "variations",
    "estimates",
    "spend",
    "receipts",
    "posts",
    "post_status",
    "forecasts",
    "period_events",
)
"""The tables whose rows a return is built from: the ledger fingerprint covers them."""


def default_return_name(grant_name: str, label: str, as_at: date) -> str:
    """``<grant-slug>-<year>-return-<as-at>.xlsx``, the year ``2019/20`` as ``2019-20``."""
    from fsgrant.formats.giving360 import grant_slug

    return f"{grant_slug(grant_name)}-{grant_slug(label)}-return-{as_at.isoformat()}.xlsx"


def write_atomically(target: Path, write: Callable[[Path], object], *, force: bool) -> Path:
    """Write a file through ``write(temporary path)`` and move it into place.

    The temporary file is ``.<target name>.<random>.part`` in the target's folder (so
    the move is atomic, and the dot keeps it out of sight); if ``write`` fails it is
    removed and the target is untouched. Without ``force`` an existing target is
    refused, also when it appears while the file is written.

    A process killed while writing (SIGKILL, power loss) cannot remove its
    temporary file: the next export to the same target removes such leftovers.
    Each writer holds a lock on its temporary file while it lives, so a file being
    written by another export is never taken for a leftover (POSIX; elsewhere the
    leftovers are only ignored).

    Raises:
        Conflict: the target exists and ``force`` is false.
        InvalidInput: the target's folder does not exist.
    """
    target = Path(target)
    if target.exists() and not force:
        raise Conflict(f"{target} exists already; use --force to replace it")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"folder {folder} does not exist", field="out")
    remove_leftovers(target)
    tmp, lock = _claim_temporary(target)
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
                raise Conflict(f"{target} exists already; use --force to replace it") from None
            except OSError:
                if target.exists():
                    raise Conflict(f"{target} exists already; use --force to replace it") from None
                os.replace(tmp, target)  # a file system without hard links
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


class ExportMixin(ForecastMixin):
    """The DfE return, its verification and the 360Giving export."""

    # ------------------------------------------------------------ fingerprint
    def fingerprint(self) -> str:
        """A SHA-256 over every row of the ledger's data tables (see
        :data:`FINGERPRINT_TABLES`), each table in primary-key order, streamed
        from the store. Any change to the ledger changes it."""
        digest = hashlib.sha256()
        conn = self.store.conn
        for table in FINGERPRINT_TABLES:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            columns = [r[1] for r in info]
            keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0] or ["rowid"]
            digest.update(json.dumps([table, columns]).encode())
            cols = ", ".join(f'"{c}"' for c in columns)
            order = ", ".join(f'"{k}"' if k != "rowid" else k for k in keys)
            for row in conn.execute(f"SELECT {cols} FROM {table} ORDER BY {order}"):
                digest.update(b"\n")
                digest.update(json.dumps(tuple(row), ensure_ascii=False).encode())
        return digest.hexdigest()

    # ------------------------------------------------------------ the return
    def return_data(
        self, label: str, as_at: DateLike | None = None, *, generated_at: datetime | None = None
    ) -> ReturnData:
        """Everything the DfE return for one funding year shows, as at a date (today
        when None). The transactions are a stream from the store: consume them once.

        Raises:
            NotFound: no such funding year.
        """
        from fsgrant import __version__
        from fsgrant.formats.dfe_return import ReturnData

        day = parse_date(as_at, field="as-at") if as_at is not None else date.today()
        year = self.year(label, day)
        summary = self.summary(day)
        year_summary = next(y for y in summary.funding_years if y.label == label)
        variance = self.variance(label, day)
        profile = self.profile(label, day)
        posts = self.posts_report(day, year=label)
        return ReturnData(
            grant=self.grant,
            year=year,
            as_at=day,
            summary=year_summary,
            variance=variance,
            profile=profile,
            posts=posts,
            transactions=self.iter_spend(year=label, as_at=day),
            variations=self.variations(label),
            years=self.years(day),
            fingerprint=self.fingerprint(),
            version=__version__,
            generated_at=generated_at or datetime.now(UTC).replace(tzinfo=None),
        )

    def export_return(
        self,
        label: str,
        as_at: DateLike | None = None,
        out: str | os.PathLike[str] | None = None,
        force: bool = False,
    ) -> Path:
        """Write the DfE return workbook for a funding year as at a date (today when
        None).

        Args:
            label: the funding year.
            as_at: the date the return speaks for.
            out: the file; default ``exports/<grant-slug>-<year>-return-<as-at>.xlsx``
                (the ``exports`` folder is made if needed).
            force: replace an existing file.

        Returns:
            The path written.

        Raises:
            NotFound: no such funding year.  Conflict: the file exists (without force).
            InvalidInput: a bad date, or the folder of ``out`` does not exist.
        """
        from fsgrant.formats.dfe_return import write_return

        data = self.return_data(label, as_at)
        if out is None:
            folder = Path("exports")
            folder.mkdir(exist_ok=True)
            target = folder / default_return_name(data.grant.name, label, data.as_at)
        else:
            target = Path(out)
        return write_atomically(target, lambda tmp: write_return(data, tmp), force=force)

    def verify_return(self, path: str | os.PathLike[str]) -> list[ReturnDifference]:
        """Re-read a return and compare every figure with a fresh computation for the
        same funding year and as-at date (read from its Summary), and its ledger
        fingerprint with the store's.

        Returns:
            The differences; empty when the return matches the store.

        Raises:
            InvalidInput: not a workbook, or not an fsgrant return.
            NotFound: the return's funding year is not in this store.
        """
        from fsgrant.formats.dfe_return import ReturnDifference, ReturnReader

        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"no file at {p}", field="path")
        with ReturnReader(p) as reader:
            heading = reader.heading
            fresh = self.return_data(heading.funding_year, heading.as_at)
            differences = reader.compare(fresh)
        if heading.fingerprint != fresh.fingerprint:
            differences.append(
                ReturnDifference(
                    sheet="Summary",
                    what="the ledger has changed since this return was made (fingerprint)",
                    in_return=heading.fingerprint[:16],
                    in_store=fresh.fingerprint[:16],
                )
            )
        return differences

    # ------------------------------------------------------------ 360Giving
    def giving360(
        self,
        as_at: DateLike | None = None,
        *,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
        id_prefix: str | None = None,
    ) -> dict[str, Any]:
        """The grant as a 360Giving data package (plain data); see
        :mod:`fsgrant.giving360`.

        Raises:
            InvalidInput: an org id is missing, or no funding year is confirmed.
        """
        from fsgrant.formats.giving360 import DEFAULT_ID_PREFIX, build_package

        day = parse_date(as_at, field="as-at") if as_at is not None else date.today()
        row = self.store.query_one(
            """SELECT max(t) FROM (
                 SELECT max(recorded_at) AS t FROM funding_years
                 UNION ALL SELECT max(recorded_at) FROM variations
                 UNION ALL SELECT max(recorded_at) FROM receipts)"""
        )
        modified = (
            datetime.fromisoformat(row[0])
            if row is not None and row[0]
            else datetime.combine(day, datetime.min.time())
        )
        return build_package(
            self.grant,
            self.years(day),
            self.receipts(as_at=day),
            as_at=day,
            modified=modified,
            funder_org_id=funder_org_id,
            recipient_org_id=recipient_org_id,
            id_prefix=id_prefix or DEFAULT_ID_PREFIX,
        )

    def export_360giving(
        self,
        out: str | os.PathLike[str] | None = None,
        force: bool = False,
        *,
        as_at: DateLike | None = None,
        funder_org_id: str | None = None,
        recipient_org_id: str | None = None,
        id_prefix: str | None = None,
    ) -> Path:
        """Write the 360Giving data package as JSON; default
        ``exports/<grant-slug>-360giving.json``.

        Raises:
            InvalidInput: an org id is missing, or no funding year is confirmed.
            Conflict: the file exists (without force).
        """
        from fsgrant.formats.giving360 import grant_slug

        package = self.giving360(
            as_at,
            funder_org_id=funder_org_id,
            recipient_org_id=recipient_org_id,
            id_prefix=id_prefix,
        )
        if out is None:
            folder = Path("exports")
            folder.mkdir(exist_ok=True)
            target = folder / f"{grant_slug(self.grant.name)}-360giving.json"
        else:
            target = Path(out)
        text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
        return write_atomically(
            target, lambda tmp: tmp.write_text(text, encoding="utf-8"), force=force
        )
