"""``report posts``: which posts are filled, which are stuck and why, and what they
will cost.

A post's status as at a date is the latest change effective on or before it
(``planned`` before the first), and its details (FTE, annual cost, host...) are those
in force then (:meth:`fsgrant.domain.posts.Post.as_at`); ``days_blocked`` counts from the change that
blocked it. ``fte_planned`` counts every post not withdrawn, ``fte_in_post`` the
posts in post. Cost to date is the spend lines that name the post; forecast cost
is the post's expected cost after the as-at date (in one funding year, or in any).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from fsgrant.domain.money import ZERO
from fsgrant.domain.periods import Period
from fsgrant.domain.posts import POST_STATUSES, Post, forecast_by_year
from fsgrant.domain.reports import BlockedPost, PostRow, PostsReport, StatusCount

__all__ = ["build_posts_report"]


def build_posts_report(
    posts: list[Post],
    day: date,
    segments: list[tuple[Period, str]],
    *,
    funding_year: str | None,
    cost_to_date: Mapping[str, Decimal],
) -> PostsReport:
    """The posts report as at ``day``.

    Args:
        posts: every post, with its history.
        segments: the allocation segments of the funding years as at ``day``
            (already narrowed to ``funding_year`` when one is given).
        cost_to_date: spend to ``day`` per post id.
    """
    rows: list[PostRow] = []
    by_status: dict[str, list[Decimal]] = {}
    blocked: list[BlockedPost] = []
    fte_planned = fte_in_post = Decimal("0.00")
    for recorded in posts:
        # Costs follow every recorded change; the details shown are those in force.
        forecast = sum(
            (sum(m.values(), ZERO) for m in forecast_by_year(recorded, day, segments).values()),
            ZERO,
        )
        p = recorded.as_at(day)
        change = p.change_as_at(day)
        status = "planned" if change is None else change.status
        since = p.status_since(day)
        rows.append(
            PostRow(
                id=p.id,
                title=p.title,
                role=p.role,
                team=p.team,
                host=p.host,
                route=p.route,
                fte=p.fte,
                status=status,
                status_since=since,
                reason=None if change is None else change.reason,
                expected_start=None if change is None else change.expected_start,
                annual_cost=p.annual_cost,
                cost_to_date=cost_to_date.get(p.id, ZERO),
                forecast_cost=forecast,
            )
        )
        by_status.setdefault(status, []).append(p.fte)
        if status != "withdrawn":
            fte_planned += p.fte
        if status == "in-post":
            fte_in_post += p.fte
        if status == "blocked" and change is not None and since is not None:
            blocked.append(
                BlockedPost(
                    id=p.id,
                    since=since,
                    days_blocked=(day - since).days,
                    reason=change.reason or "",
                    expected_start=change.expected_start,
                )
            )
    order = {s: i for i, s in enumerate(POST_STATUSES)}
    return PostsReport(
        as_at=day,
        funding_year=funding_year,
        posts=tuple(rows),
        by_status={
            s: StatusCount(posts=len(v), fte=sum(v, Decimal("0.00")))
            for s, v in sorted(by_status.items(), key=lambda kv: order[kv[0]])
        },
        blocked=tuple(blocked),
        fte_planned=fte_planned,
        fte_in_post=fte_in_post,
    )
