"""The pack as one self-contained HTML page, through a Jinja2 template
(``templates/pack.html.j2``): inline CSS with A4 print styles, the charts as inline
SVG images (``data:`` URLs), no script and nothing fetched (a Content-Security-Policy
says so to the browser).

Every value the template shows is autoescaped, and text passes
:func:`fsgrant.formats.pack.words.text` first (control characters and bidirectional
overrides as U+FFFD), so user text is shown as typed and never read as markup.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from fsgrant.domain.pack import PackReport
from fsgrant.formats.pack import words
from fsgrant.formats.pack.charts import outcomes_chart, posts_chart, profile_chart, require_extra

__all__ = ["TEMPLATE", "render_html", "svg_data_url"]

TEMPLATE = Path(__file__).with_name("templates") / "pack.html.j2"


def svg_data_url(svg: str) -> str:
    """An SVG image as a ``data:`` URL an ``<img>`` shows without fetching anything."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _finalize(value: Any) -> Any:
    # Every {{ ... }} passes here before autoescaping: text is made safe to show.
    if value is None:
        return ""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return words.text(value)
    return value


def render_html(pack: PackReport) -> str:
    """The pack as an HTML page.

    Raises:
        FsgrantError: matplotlib or Jinja2 is not installed (code ``missing-extra``).
    """
    jinja2 = require_extra("jinja2")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pounds=words.pounds, day=words.day, pct=words.percent, check=words.check_words
    )
    template = env.get_template(TEMPLATE.name)
    return str(
        template.render(
            pack=pack,
            heading=f"{pack.summary.grant.name}: month-end pack, as at {words.day(pack.as_at)}",
            profile_chart=svg_data_url(profile_chart(pack)),
            posts_chart=svg_data_url(posts_chart(pack)),
            outcomes_chart=None if (chart := outcomes_chart(pack)) is None else svg_data_url(chart),
        )
    )
