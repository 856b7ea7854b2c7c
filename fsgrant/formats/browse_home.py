"""The home page of ``fsgrant browse`` as HTML: where the grant stands, then its posts,
its spend by month and category, the posts that are stuck, the conditions and the last
return, with links to the tables.

The page is filled from figures the library worked out (the services build them);
nothing here computes money except the grid's totals, which add up the cells shown.
Every value is escaped (Jinja autoescape), and right-to-left overrides and other
bidirectional controls in user text are shown as visible marks (``<U+202E>``) rather
than obeyed, so a supplier name cannot reverse what a reader sees.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import jinja2

from fsgrant.domain.money import format_pounds

__all__ = ["error_html", "home_html", "visible"]

_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: Any) -> str:
    """``text`` with each bidirectional control (LRM, RLM, ALM, the embeddings,
    overrides and isolates) replaced by a visible ``<U+XXXX>``."""
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", "" if text is None else str(text))


def _pounds(value: Decimal | None) -> str:
    return "" if value is None else format_pounds(value)


def _day(value: Any) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_ENV.filters.update(pounds=_pounds, day=_day, v=visible)

_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="/-/static/app.css">
<style>
 .fs main { max-width: 70rem; }
 .fs table.figures td.money, .fs table.figures th.money { text-align: right;
   white-space: nowrap; }
 .fs tr.risk td { font-weight: bold; background: #fdecea; }
 .fs tr.total td, .fs td.total { font-weight: bold; border-top: 2px solid #333; }
 .fs .stuck { color: #a40000; font-weight: bold; }
 .fs form.as-at { margin: 0.5em 0 1em; }
 .fs nav.links a { margin-right: 1em; }
</style></head>
<body class="fs"><div class="not-footer"><section class="content"><main>
"""

_HOME = _ENV.from_string(
    _HEAD
    + """
<h1>{{ page.grant_name | v if page.grant_name else "fsgrant" }}: where the grant stands</h1>
<form class="as-at" method="get" action="/">
 <label>As at <input name="as_at" value="{{ as_at_text }}" size="12"
  placeholder="31/03/2020"></label> <button type="submit">Show</button>
 <span>(day first, or 2020-03-31; empty means today)</span>
</form>
<p>As at <strong>{{ page.as_at | day }}</strong>. Every figure is fsgrant's own
(<code>fsgrant report summary --as-at {{ page.as_at.isoformat() }}</code>).</p>
<nav class="links">{% for href, text in links %}<a href="{{ href }}">{{ text }}</a>
{% endfor %}</nav>

<h2 id="standing">Where each funding year stands</h2>
{% if page.summary is none or not page.summary.funding_years %}
<p>No funding year is recorded yet.</p>
{% else %}{% set years = page.summary.funding_years %}
<table class="figures"><thead><tr><th></th>
{% for y in years %}<th class="money">{{ y.label | v }}</th>{% endfor %}
<th class="money">Total</th></tr></thead><tbody>
<tr><td>Status</td>{% for y in years %}<td class="money">{{ y.status }}{%
 if not y.secure %} (not yet secure){% endif %}</td>{% endfor %}<td></td></tr>
<tr><td>Period</td>{% for y in years %}<td class="money">{{ y.start | day }} to
 {{ y.end | day }}</td>{% endfor %}<td></td></tr>
{% for field, text in lines %}
<tr{% if field == "underspend_at_risk" %} class="risk"{% endif %}><td>{{ text }}</td>
{% for y in years %}<td class="money" data-year="{{ y.label }}" data-field="{{ field }}">{{
 y[field] | pounds }}</td>{% endfor %}
<td class="money" data-year="total" data-field="{{ field }}">{{
 page.summary.total(field) | pounds }}</td></tr>
{% endfor %}
<tr><td>Conditions met (of)</td>{% for y in years %}<td class="money">{%
 if y.conditions %}{{ y.conditions_met }} of {{ y.conditions }}{%
 if y.conditions_waived %}, {{ y.conditions_waived }} waived{% endif %}{%
 else %}none{% endif %}</td>{% endfor %}<td></td></tr>
</tbody></table>
{% endif %}

<h2 id="posts">Posts as at {{ page.as_at | day }}</h2>
{% if page.posts.posts %}
<table class="figures"><thead><tr><th>Post</th><th>Title</th><th>Host</th>
<th>Status</th><th>Since</th><th class="money">FTE</th>
<th class="money">Annual cost (1.0 FTE)</th><th class="money">Cost to date</th>
<th class="money">Forecast cost</th></tr></thead><tbody>
{% for p in page.posts.posts %}<tr><td>{{ p.id | v }}</td><td>{{ p.title | v }}</td>
<td>{{ p.host | v }}</td>
<td{% if p.status in ("blocked", "vacant") %} class="stuck"{% endif %}>{{ p.status }}</td>
<td>{{ p.status_since | day }}</td><td class="money">{{ p.fte }}</td>
<td class="money" data-post="{{ p.id }}" data-field="annual_cost">{{ p.annual_cost | pounds }}</td>
<td class="money">{{ p.cost_to_date | pounds }}</td>
<td class="money">{{ p.forecast_cost | pounds }}</td></tr>
{% endfor %}
<tr class="total"><td colspan="5">Total ({{ page.posts.posts | length }} posts;
 {{ page.posts.fte_in_post }} of {{ page.posts.fte_planned }} FTE in post)</td><td></td><td></td>
<td class="money">{{ page.posts.cost_to_date | pounds }}</td>
<td class="money">{{ page.posts.forecast_cost | pounds }}</td></tr>
</tbody></table>
{% else %}<p>No post is recorded.</p>{% endif %}

<h2 id="stuck">Blocked and vacant posts</h2>
{% if page.attention %}
<table class="figures"><thead><tr><th>Post</th><th>Status</th><th>Since</th>
<th class="money">Days</th><th>Reason</th><th>Expected start</th></tr></thead><tbody>
{% for a in page.attention %}<tr><td>{{ a.id | v }} {{ a.title | v }}</td>
<td class="stuck">{{ a.status }}</td><td>{{ a.since | day }}</td>
<td class="money">{{ a.days if a.days is not none else "" }}</td>
<td>{{ a.reason | v }}</td><td>{{ a.expected_start | day }}</td></tr>{% endfor %}
</tbody></table>
{% else %}<p>No post is blocked or vacant.</p>{% endif %}

<h2 id="spend">Spend by month and category</h2>
{% set g = page.grid %}
{% if g.months %}
<table class="figures"><thead><tr><th>Month</th>
{% for c in g.categories %}<th class="money">{{ c | v }}</th>{% endfor %}
<th class="money">Total</th></tr></thead><tbody>
{% for m in g.months %}<tr><td>{{ m }}</td>
{% for c in g.categories %}<td class="money">{{ g.cell(m, c) | pounds }}</td>{% endfor %}
<td class="money total">{{ g.month_total(m) | pounds }}</td></tr>{% endfor %}
<tr class="total"><td>Total</td>
{% for c in g.categories %}<td class="money">{{ g.category_total(c) | pounds }}</td>{% endfor %}
<td class="money">{{ g.total | pounds }}</td></tr>
</tbody></table>
{% else %}<p>No spend is recorded on or before the date.</p>{% endif %}

<h2 id="conditions">Conditions</h2>
{% if page.conditions %}<ul>
{% for c in page.conditions %}<li><strong>{{ c.label | v }}</strong> ({{ c.status }}{%
 if c.status_on %} since {{ c.status_on | day }}{% endif %}{%
 if c.due %}; due {{ c.due | day }}{% endif %}): {{ c.text | v }}</li>{% endfor %}
</ul>{% else %}<p>No condition is recorded.</p>{% endif %}

<h2 id="return">The last return</h2>
{% if page.last_return %}<ul>{% for s in page.last_return %}<li>{{ s | v }}</li>{% endfor %}
</ul>{% else %}<p>No return was submitted by then.</p>{% endif %}
</main></section></div></body></html>
"""
)

_ERROR = _ENV.from_string(
    _HEAD
    + """<h1>{{ heading }}</h1><p>{{ message | v }}</p>
<p><a href="/">Where the grant stands today</a></p></main></section></div></body></html>
"""
)

SUMMARY_LINES: tuple[tuple[str, str], ...] = (
    ("award", "Award (as varied)"),
    ("received", "Received from the funder"),
    ("estimate_original", "Original estimate"),
    ("actual", "Actual to date"),
    ("committed", "Committed (orders not invoiced)"),
    ("forecast_remaining", "Forecast remaining"),
    ("forecast_outturn", "Forecast outturn"),
    ("underspend_at_risk", "Underspend at risk of reclaim"),
    ("overspend", "Overspend (council pressure)"),
)
"""The money lines of the standing table, as ``report summary`` names them."""


def home_html(page: Any, *, as_at_text: str, links: list[tuple[str, str]]) -> str:
    """The home page for a :class:`fsgrant.services.browse_home.HomePage`."""
    title = f"{visible(page.grant_name or 'fsgrant')}: as at {_day(page.as_at)}"
    return _HOME.render(
        page=page, as_at_text=as_at_text, links=links, lines=SUMMARY_LINES, title=title
    )


def error_html(heading: str, message: str) -> str:
    """A short page saying what was wrong with the request."""
    return _ERROR.render(heading=heading, message=message, title=heading)
