"""The month-end pack as files: an HTML page (one self-contained file, charts inline,
A4 print styles) and Markdown for an e-mail, rendered from
:class:`fsgrant.domain.pack.PackReport`.

matplotlib and Jinja2 are an optional extra (``pip install 'fsgrant[pack]'``); they are
imported inside the functions that need them, and a missing one is a clean error that
says how to install it.
"""

from __future__ import annotations

import os
from pathlib import Path

from fsgrant.formats.pack.html import render_html
from fsgrant.formats.pack.markdown import render_markdown

__all__ = ["render_html", "render_markdown", "write_pack"]


def write_pack(
    text: str,
    target: str | os.PathLike[str],
    *,
    force: bool,
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """Write a rendered pack (HTML or Markdown, UTF-8) to ``target``, atomically.

    Raises:
        Conflict: ``target`` exists and ``force`` is false.
        InvalidInput: ``target`` is one of ``inputs``, a folder, or in no folder.
        FsgrantError: it could not be written (code ``write-failed``).
    """
    from fsgrant.formats.atomic import write_atomically

    return write_atomically(
        Path(target),
        lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"),
        force=force,
        inputs=inputs,
    )
