"""One rendering layer for every table the command line prints.

User text (suppliers, descriptions, reasons, labels) is data: it goes into a table as a
``rich.text.Text``, never parsed as markup, with characters that would drive the
terminal (control characters, bidirectional overrides) shown as a visible mark.
Money and date cells are never cut: their columns are given the width of their widest
cell, text columns wrap or narrow first, and a table that cannot fit is drawn without
its inner borders, then, as a last resort, wider than the terminal (which wraps the
lines) rather than with a figure cut.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# Bidirectional embeddings, overrides and isolates reorder the rest of a terminal line.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$")
_FIGURE = re.compile(r"^-?£?[0-9][0-9,]*(?:\.[0-9]+)?%?$")
# Text columns keep at least this many characters before a table is redrawn.
_TEXT_MIN = 8
# Widest a table is drawn when even the compact form does not fit the terminal.
_PIPE_WIDTH = 100


def display_text(value: str) -> str:
    """``value`` as a terminal should show it: tabs and line breaks as spaces, other
    control characters and bidirectional overrides as U+FFFD; everything else as typed."""
    if value.isprintable() and not _BIDI_CONTROLS.intersection(value):
        return value
    out = []
    for c in value:
        if c in "\t\n\r":
            out.append(" ")
        elif c in _BIDI_CONTROLS or unicodedata.category(c) == "Cc":
            out.append("\ufffd")
        else:
            out.append(c)
    return "".join(out)


def text(value: object, *, wrap: bool | None = None) -> Text:
    """A table cell or title holding ``value`` as plain text (no markup); ``wrap``
    True lets it wrap even in a column whose cells may not."""
    from rich.text import Text

    shown = display_text("" if value is None else str(value))
    if wrap:
        return Text(shown, no_wrap=False, overflow="fold")
    return Text(shown)


def is_fixed_text(value: str) -> bool:
    """Text that must never be cut in a table: an ISO date or time, or a figure."""
    return bool(_ISO_DATE.match(value) or _FIGURE.match(value))


@dataclass
class Column:
    """A column: its header, whether it is a figure (right-aligned) and whether its
    cells may be cut (text) or not (money, dates, ids)."""

    header: str
    right: bool = False
    fixed: bool = False
    cells: list[str] = field(default_factory=list)
    footer: str | None = None


def _print_records(con: Console, columns: Sequence[Column], title: str | None, rows: int) -> None:
    """A table too wide for the terminal, one block per row: ``field  value`` lines."""
    from rich.table import Table

    if title is not None:
        con.print(text(title))
    records = [[c.cells[i] if i < len(c.cells) else "" for c in columns] for i in range(rows)]
    if any(c.footer is not None for c in columns):
        records.append([c.footer or "" for c in columns])
    for record in records:
        con.print()
        table = Table(box=None, show_header=False, padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for c, value in zip(columns, record, strict=True):
            if value:
                table.add_row(text(c.header), text(value, wrap=not c.fixed))
        con.print(table)


def console(default_width: int) -> Console:
    """A console for stdout: the terminal's width, or ``default_width`` when piped."""
    from rich.console import Console

    c = Console()
    if not c.is_terminal and not os.environ.get("COLUMNS"):
        # Piped or captured: do not squeeze figures into 80 columns (unless the
        # width is asked for, as COLUMNS).
        c = Console(width=default_width)
    return c


def _widths(columns: Sequence[Column]) -> list[int]:
    """Each column's width: its widest cell when fixed, at most the text minimum else."""
    from rich.cells import cell_len

    widths: list[int] = []
    for c in columns:
        shown = [display_text(s) for s in c.cells]
        if c.footer is not None:
            shown.append(display_text(c.footer))
        longest_word = max((cell_len(w) for w in c.header.split()), default=1)
        widest = max((cell_len(s) for s in shown), default=0)
        widest = max(widest, longest_word)
        widths.append(widest if c.fixed else min(widest, _TEXT_MIN))
    return widths


def _column_groups(widths: Sequence[int], width: int) -> list[list[int]] | None:
    """The columns after the first, in order, split into groups that each fit
    ``width`` beside the first column (compact); None when one cannot."""
    groups: list[list[int]] = []
    current: list[int] = []
    start = widths[0] + 2 if widths else 0  # the first column and the outer borders
    used = start
    for i in range(1, len(widths)):
        need = widths[i] + 1
        if current and used + need > width:
            groups.append(current)
            current, used = [], start
        if used + need > width:
            return None
        current.append(i)
        used += need
    if current:
        groups.append(current)
    return groups if len(groups) > 1 else None


def fits(columns: Sequence[Column], width: int) -> bool:
    """Whether a table of these columns fits ``width`` characters as a table (at
    its most compact), rather than as one block of lines per row."""
    return sum(_widths(columns)) + len(columns) + 1 <= width


def print_table(
    columns: Sequence[Column],
    title: str | None = None,
    *,
    sections_after: Sequence[int] = (),
    default_width: int = _PIPE_WIDTH,
    out: Console | None = None,
) -> None:
    """Print a table whose figures and dates are never truncated.

    Args:
        columns: the columns, each with its cells as plain strings (user text allowed).
        title: the title, plain text.
        sections_after: row indexes after which a rule is drawn.
        default_width: the width used when the output is not a terminal.
        out: the console to print to (default: stdout).
    """
    from rich import box

    con = out or console(default_width)
    rows = max((len(c.cells) for c in columns), default=0)
    widths = _widths(columns)

    def needed(pad: int, borders: int) -> int:
        return sum(w + 2 * pad for w in widths) + borders

    full = needed(1, len(columns) + 1)
    compact = needed(0, len(columns) + 1)
    if full <= con.width:
        style, padding = box.HEAVY_HEAD, (0, 1)
    elif compact <= con.width:
        style, padding = box.SIMPLE_HEAD, (0, 0)
    else:
        groups = _column_groups(widths, con.width)
        if groups is None:
            _print_records(con, columns, title, rows)
            return
        # Too wide as one table: the same rows as a few narrower tables, the first
        # column (what each row is) repeated in each, every figure whole.
        for n, group in enumerate(groups):
            part = [columns[0], *(columns[i] for i in group)]
            more = f" ({n + 1} of {len(groups)})"
            heading = None if title is None else title + more
            print_table(part, heading, sections_after=sections_after, out=con)
        return
    from rich.table import Table

    table = Table(
        title=text(title) if title is not None else None,
        show_footer=any(c.footer is not None for c in columns),
        box=style,
        padding=padding,
    )
    for c, width in zip(columns, widths, strict=True):
        table.add_column(
            text(c.header, wrap=True),
            footer=text(c.footer or ""),
            justify="right" if c.right else "left",
            no_wrap=c.fixed,
            overflow="fold",
            width=width if c.fixed else None,
            min_width=None if c.fixed else min(width, _TEXT_MIN),
        )
    for i in range(rows):
        table.add_row(
            *[text(c.cells[i] if i < len(c.cells) else "") for c in columns],
            end_section=i in sections_after,
        )
    con.print(table)
