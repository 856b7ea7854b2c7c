"""The pack's charts, drawn with matplotlib as SVG text.

- **Spend against profile**: the cumulative phased budget, the cumulative actual (to
  the as-at date) and the cumulative actual plus forecast, month by month, with the
  award as a line across.
- **Posts by status**: a bar per month, stacked by status (filled at the bottom,
  stuck at the top), as :func:`fsgrant.domain.pack.build_status_months` counts them.

Drawn without pyplot (a ``Figure`` of its own, no global state, no display), with a
fixed hash salt and no date stamp, so the same pack draws the same bytes.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fsgrant.domain.pack import STATUS_ORDER, PackReport
from fsgrant.errors import FsgrantError

__all__ = ["INSTALL_HINT", "posts_chart", "profile_chart", "require_extra"]

INSTALL_HINT = "pip install 'fsgrant[pack]'"

# Colour-blind safe (Okabe-Ito), one per status in STATUS_ORDER.
_STATUS_COLOURS = {
    "in-post": "#009E73",
    "offered": "#56B4E9",
    "advertised": "#0072B2",
    "planned": "#BBBBBB",
    "vacant": "#E69F00",
    "blocked": "#D55E00",
    "withdrawn": "#666666",
}
_RC: dict[Any, Any] = {
    "svg.hashsalt": "fsgrant-pack",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def require_extra(module: str) -> Any:
    """Import ``module`` (``matplotlib`` or ``jinja2``).

    Raises:
        FsgrantError: it is not installed (code ``missing-extra``), saying how to.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise FsgrantError(
            f"the month-end pack needs {module}, which is not installed: {INSTALL_HINT}",
            code="missing-extra",
        ) from None


def _month_name(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%b %y")


def _pounds_axis(value: float, _pos: object) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    return f"£{value / 1000:,.0f}k"


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def profile_chart(pack: PackReport) -> str:
    """The spend-against-profile chart as SVG text."""
    require_extra("matplotlib")
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    points = pack.spend_against_profile
    x = list(range(len(points)))
    with rc_context(_RC):
        fig = Figure(figsize=(9, 3.8))
        ax = fig.add_subplot()
        ax.plot(
            x,
            [float(p.budget) for p in points],
            color="#555555",
            linestyle="--",
            label="Phased budget (original estimate)",
        )
        ax.plot(
            x,
            [float(p.outturn) for p in points],
            color="#0072B2",
            linestyle=":",
            linewidth=2,
            label="Actual + forecast",
        )
        done = [(i, float(p.actual)) for i, p in enumerate(points) if p.actual is not None]
        if done:
            ax.plot(
                [i for i, _ in done],
                [v for _, v in done],
                color="#0072B2",
                linewidth=2.5,
                marker="o",
                markersize=3,
                label="Actual",
            )
        award = float(pack.variance.award)
        ax.axhline(award, color="#D55E00", linewidth=1, label=f"Award {_pounds_axis(award, 0)}")
        ax.set_xticks(x, [_month_name(p.month) for p in points], rotation=45, ha="right")
        ax.yaxis.set_major_formatter(FuncFormatter(_pounds_axis))
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#DDDDDD")
        ax.set_title(f"Spend against profile, {pack.funding_year} (cumulative)", loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, frameon=False)
        return _svg(fig)


def posts_chart(pack: PackReport) -> str:
    """The posts-by-status chart as SVG text."""
    require_extra("matplotlib")
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = pack.posts_over_time
    x = list(range(len(months)))
    with rc_context(_RC):
        fig = Figure(figsize=(9, 3.2))
        ax = fig.add_subplot()
        bottom = [0] * len(months)
        for status in STATUS_ORDER:
            counts = [m.counts.get(status, 0) for m in months]
            if not any(counts):
                continue
            ax.bar(x, counts, bottom=bottom, color=_STATUS_COLOURS[status], label=status, width=0.7)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_xticks(x, [_month_name(m.month) for m in months], rotation=45, ha="right")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", color="#DDDDDD")
        ax.set_axisbelow(True)
        ax.set_title("Posts by status at each month end", loc="left")
        if any(bottom):
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        else:  # no post yet, or no month of the year begun: say so on the chart
            ax.text(0.5, 0.5, "No posts recorded by this date", ha="center",
                    va="center", transform=ax.transAxes, color="#505a5f")  # fmt: skip
        return _svg(fig)


def outcomes_chart(pack: PackReport) -> str | None:
    """The outcome measures as SVG text: each measure's council series (solid) with its
    targets (at the end of each target's financial year, crosses), and each benchmark
    series on its own scale at the right (dashed); None when nothing was observed."""
    report = pack.outcomes
    measures = (
        [m for m in report.measures if any(r.value is not None for r in m.rows)] if report else []
    )
    if not measures:
        return None
    require_extra("matplotlib")
    from matplotlib import rc_context
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.figure import Figure

    with rc_context(_RC):
        fig = Figure(figsize=(9, 2.6 * len(measures)))
        for i, m in enumerate(measures, start=1):
            ax = fig.add_subplot(len(measures), 1, i)
            own = [(r.on, float(r.value)) for r in m.rows if r.value is not None]
            ax.plot(date2num([d for d, _ in own]), [v for _, v in own], marker="o", color="#0072B2",  # type: ignore[no-untyped-call]
                    label="the council")  # fmt: skip
            targets = [(date(int(fy[2:6]) + 1, 3, 31), float(v)) for fy, v in m.targets.items()]
            if targets:
                ax.plot(date2num([d for d, _ in targets]), [v for _, v in targets], "x", color="#D55E00",  # type: ignore[no-untyped-call]
                        markersize=9, linestyle="none", label="target")  # fmt: skip
            ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
            ax.grid(axis="y", color="#DDDDDD")
            ax.set_title(m.measure, loc="left")
            handles, labels = ax.get_legend_handles_labels()
            if m.benchmarks:
                right = ax.twinx()
                for name in m.benchmarks:
                    pts = [
                        (r.on, float(v))
                        for r in m.rows
                        if (v := r.benchmarks.get(name)) is not None
                    ]
                    right.plot(date2num([d for d, _ in pts]), [v for _, v in pts], linestyle="--",  # type: ignore[no-untyped-call]
                               color="#505a5f", label=f"{name} (right scale)")  # fmt: skip
                more, names = right.get_legend_handles_labels()
                handles, labels = handles + more, labels + names
            ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
        fig.tight_layout()
        return _svg(fig)
