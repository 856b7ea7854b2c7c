"""Checks an XLSX passes before any of its XML is parsed: a zip whose declared sizes
are sane (no zip bomb), and ``defusedxml`` in force (no XML bomb, no external
entity), with the refusal to give when the parser met one anyway."""

from __future__ import annotations

from pathlib import Path

from fsgrant.errors import SourceError
from fsgrant.formats.archive import (
    MAX_UNCOMPRESSED,
    NotAZip,
    TooBig,
    TooCompressed,
    archive_problem,
)

__all__ = ["MAX_XLSX_UNCOMPRESSED", "check_xlsx_archive", "require_defusedxml", "xml_refusal"]

MAX_XLSX_UNCOMPRESSED = MAX_UNCOMPRESSED
"""Refuse an XLSX whose parts would unpack to more than this many bytes (1 GiB): the
limit of :mod:`fsgrant.formats.archive`, read when each extract is checked."""


def check_xlsx_archive(path: Path) -> None:
    """Refuse an XLSX that is not a zip, or whose declared sizes say zip bomb.

    Python's zip reader never inflates a part beyond its declared size, so checking
    the declared sizes before parsing bounds what parsing can cost.

    Raises:
        SourceError: not a zip, too big when unpacked, or absurdly compressed.
    """
    name = path.name
    problem = archive_problem(path, max_uncompressed=MAX_XLSX_UNCOMPRESSED)
    if isinstance(problem, NotAZip):
        raise SourceError(
            name, None, None, f"not an XLSX file (not a zip archive: {problem.error})"
        )
    if isinstance(problem, TooCompressed):
        raise SourceError(
            name,
            None,
            None,
            f"refused: part {problem.part} would unpack {problem.ratio:,.0f} times its "
            f"packed size ({problem.size:,} bytes); that is a zip bomb, not a spreadsheet",
        )
    if isinstance(problem, TooBig):
        raise SourceError(
            name,
            None,
            None,
            f"refused: it would unpack to {problem.total:,} bytes (limit {problem.limit:,})",
        )


def require_defusedxml(name: str) -> None:
    """Refuse to read the XLSX ``name`` unless openpyxl parses with defusedxml.

    Raises:
        SourceError: defusedxml is missing or turned off.
    """
    import openpyxl.xml

    if openpyxl.xml.DEFUSEDXML is not True:
        raise SourceError(
            name,
            None,
            None,
            "refusing to read an XLSX without defusedxml in force (install defusedxml, and do "
            "not set OPENPYXL_DEFUSEDXML=False)",
        )


def xml_refusal(name: str, exc: BaseException) -> SourceError | None:
    """The refusal to raise when reading ``name`` failed because defusedxml stopped an
    XML bomb or external entity (found inside openpyxl's wrapping); None otherwise."""
    from defusedxml import DefusedXmlException

    # openpyxl wraps what the parser raised ("could not read worksheets"): look inside.
    cause: BaseException | None = exc
    depth = 0
    while cause is not None and not isinstance(cause, DefusedXmlException) and depth < 10:
        cause = cause.__cause__ or cause.__context__
        depth += 1
    if isinstance(cause, DefusedXmlException):
        exc = cause
        return SourceError(
            name,
            None,
            None,
            "refused: the XLSX declares XML entities or a DTD (an XML bomb or external "
            f"entity), which a real spreadsheet never does ({type(exc).__name__})",
        )
    return None
