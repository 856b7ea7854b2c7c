"""Use cases for funded posts: record them and their recruitment status over time,
and report which are filled, which are stuck and why, and what they will cost."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.money import ZERO, as_money, from_pence, to_pence
from fsgrant.domain.periods import parse_date
from fsgrant.domain.posts import (
    NO_EXPECTED_START,
    POST_ROLES,
    POST_ROUTES,
    POST_STATUSES,
    REASON_REQUIRED,
    Post,
    StatusChange,
    allocation_segments,
    annual_cost_from_salary,
    forecast_by_year,
    parse_fte,
    parse_rate,
)
from fsgrant.domain.reports import BlockedPost, PostRow, PostsReport, StatusCount
from fsgrant.errors import Conflict, InvalidInput, NotFound
from fsgrant.services.ledger_core import AmountLike, DateLike, LedgerCore, _required, _text, _today
from fsgrant.store.connection import utc_now

__all__ = ["POST_ID_PATTERN", "PostsMixin"]

POST_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def _choice(value: str, choices: tuple[str, ...], field: str) -> str:
    v = value.strip().lower()
    if v not in choices:
        raise InvalidInput(
            f"{field} '{value}' is not one of: {', '.join(choices)}", field=field, value=value
        )
    return v


class PostsMixin(LedgerCore):
    """Funded posts and their recruitment history."""

    # -------------------------------------------------------------- recording
    def add_post(
        self,
        post_id: str,
        *,
        role: str,
        host: str,
        fte: Decimal | int | str,
        planned_start: DateLike,
        annual_cost: AmountLike | None = None,
        salary: AmountLike | None = None,
        on_cost_rate: Decimal | int | str | None = None,
        title: str | None = None,
        team: str | None = None,
        route: str = "direct",
        category: str = "staffing",
        end: DateLike | None = None,
    ) -> Post:
        """Record a funded post. Give its annual cost including on-costs, or its salary
        and an on-cost rate (percent of salary) from which the annual cost is computed
        (rounded half-up to the penny).

        Raises:
            InvalidInput: a bad id, role, route, FTE, amount, date or category.
            Conflict: the id exists already.
        """
        pid = _required(post_id, "id")
        if not POST_ID_PATTERN.match(pid):
            raise InvalidInput(
                f"post id '{post_id}' must be letters, digits and - . / (like PROB-N1), at most 40",
                field="id",
            )
        role_v = _choice(role, POST_ROLES, "role")
        route_v = _choice(route, POST_ROUTES, "route")
        host_v = _required(host, "host")
        fte_v = parse_fte(fte)
        salary_v = rate_v = None
        if annual_cost is not None:
            if salary is not None or on_cost_rate is not None:
                raise InvalidInput(
                    "give the annual cost, or the salary and on-cost rate, not both",
                    field="annual_cost",
                )
            cost = as_money(annual_cost, field="annual_cost")
        elif salary is not None and on_cost_rate is not None:
            salary_v = as_money(salary, field="salary")
            rate_v = parse_rate(on_cost_rate)
            if salary_v < 0:
                raise InvalidInput("a salary cannot be negative", field="salary")
            cost = annual_cost_from_salary(salary_v, rate_v)
        else:
            raise InvalidInput(
                "give the annual cost including on-costs, or the salary and the on-cost rate",
                field="annual_cost",
            )
        if cost < 0:
            raise InvalidInput("an annual cost cannot be negative", field="annual_cost")
        cat = self._check_category(category)
        start = parse_date(planned_start, field="planned-start")
        end_day = parse_date(end, field="end") if end is not None else None
        if end_day is not None and end_day < start:
            raise InvalidInput(f"the end ({end_day}) is before the planned start", field="end")
        record: dict[str, Any] = {
            "id": pid,
            "title": (title or "").strip(),
            "role": role_v,
            "team": _text(team),
            "host": host_v,
            "route": route_v,
            "fte": str(fte_v),
            "annual_cost_pence": to_pence(cost),
            "salary_pence": None if salary_v is None else to_pence(salary_v),
            "on_cost_rate": None if rate_v is None else str(rate_v),
            "category": cat,
            "planned_start": start.isoformat(),
            "end_date": None if end_day is None else end_day.isoformat(),
            "recorded_at": utc_now(),
            "recorded_by": self.store.user,
        }
        with self.store.transaction("post.add", pid, {"fte": str(fte_v), "annual": str(cost)}):
            if self.store.query_one("SELECT 1 FROM posts WHERE id = ?", [pid]):
                raise Conflict(f"post {pid} exists already; record changes with 'post status'")
            self.store.insert("posts", record)
        return self.post(pid)

    def post_status(
        self,
        post_id: str,
        status: str,
        on: DateLike,
        *,
        reason: str | None = None,
        expected_start: DateLike | None = None,
    ) -> StatusChange:
        """Record a dated change of a post's recruitment status (kept as history).

        Raises:
            InvalidInput: a bad status or date; no reason for ``blocked`` or
                ``withdrawn``; an expected start with ``in-post`` or ``withdrawn``, or
                before the change's date.
            NotFound: no such post.
        """
        pid = self._check_post(_required(post_id, "id"))
        st = _choice(status, POST_STATUSES, "status")
        day = parse_date(on, field="on")
        why = _text(reason)
        if st in REASON_REQUIRED and why is None:
            raise InvalidInput(f"a post {st} needs a reason (--reason)", field="reason")
        expected = (
            parse_date(expected_start, field="expected-start")
            if expected_start is not None
            else None
        )
        if expected is not None:
            if st in NO_EXPECTED_START:
                raise InvalidInput(
                    f"an expected start makes no sense for a post {st}", field="expected_start"
                )
            if expected < day:
                raise InvalidInput(
                    f"the expected start ({expected}) is before the change's date ({day})",
                    field="expected_start",
                )
        detail = {"status": st, "on": day.isoformat(), "reason": why}
        with self.store.transaction("post.status", pid, detail):
            new_id = self.store.insert(
                "post_status",
                {
                    "post": pid,
                    "status": st,
                    "effective": day.isoformat(),
                    "reason": why,
                    "expected_start": None if expected is None else expected.isoformat(),
                    "recorded_at": utc_now(),
                    "recorded_by": self.store.user,
                },
            )
        return next(c for c in self.post(pid).history if c.id == new_id)

    # -------------------------------------------------------------- reading
    def _load_posts(self, post_id: str | None = None) -> list[Post]:
        where, params = ("WHERE id = ?", [post_id]) if post_id is not None else ("", [])
        history: dict[str, list[StatusChange]] = defaultdict(list)
        swhere = "WHERE post = ?" if post_id is not None else ""
        for r in self.store.query(
            f"SELECT * FROM post_status {swhere} ORDER BY effective, id", params
        ):
            history[r["post"]].append(
                StatusChange(
                    id=r["id"],
                    post=r["post"],
                    status=r["status"],
                    effective=r["effective"],
                    reason=r["reason"],
                    expected_start=r["expected_start"],
                    recorded_at=datetime.fromisoformat(r["recorded_at"]),
                    recorded_by=r["recorded_by"],
                )
            )
        return [
            Post(
                id=r["id"],
                title=r["title"],
                role=r["role"],
                team=r["team"],
                host=r["host"],
                route=r["route"],
                fte=r["fte"],
                annual_cost=from_pence(r["annual_cost_pence"]),
                salary=None if r["salary_pence"] is None else from_pence(r["salary_pence"]),
                on_cost_rate=None if r["on_cost_rate"] is None else Decimal(r["on_cost_rate"]),
                category=r["category"],
                planned_start=r["planned_start"],
                end=r["end_date"],
                history=tuple(history.get(r["id"], ())),
            )
            for r in self.store.query(f"SELECT * FROM posts {where} ORDER BY id", params)
        ]

    def post(self, post_id: str) -> Post:
        """One post with its whole status history.

        Raises:
            NotFound: no such post.
        """
        found = self._load_posts(post_id)
        if not found:
            raise NotFound("post", post_id, "add it with 'fsgrant post add'")
        return found[0]

    def posts(
        self,
        *,
        status: str | None = None,
        role: str | None = None,
        as_at: DateLike | None = None,
    ) -> list[Post]:
        """Every post (with its history), filtered by its status as at ``as_at``
        (today when None) and by role."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        st = _choice(status, POST_STATUSES, "status") if status is not None else None
        rl = _choice(role, POST_ROLES, "role") if role is not None else None
        return [
            p
            for p in self._load_posts()
            if (st is None or p.status_as_at(day) == st) and (rl is None or p.role == rl)
        ]

    def post_forecast(
        self, as_at: DateLike | None = None
    ) -> dict[str, dict[str, dict[date, Decimal]]]:
        """Each post's expected cost after ``as_at`` (today when None), by funding year
        (as varied as at ``as_at``) and month: ``{post: {year: {month: amount}}}``."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        segments = allocation_segments(self.years(day))
        return {p.id: forecast_by_year(p, day, segments) for p in self._load_posts()}

    # -------------------------------------------------------------- report
    def posts_report(self, as_at: DateLike | None = None, year: str | None = None) -> PostsReport:
        """Which posts are filled, which are stuck and why, and what they will cost after
        ``as_at`` (today when None): in funding year ``year`` when given, else in any
        funding year.

        Raises:
            NotFound: no such funding year.
        """
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        years = self.years(day)
        if year is not None:
            self.year(year, day)
        segments = allocation_segments(years)
        if year is not None:
            segments = [s for s in segments if s[1] == year]
        to_date: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (label, post_id), amount in self.spend_totals(day, by=("post",)).items():
            if post_id is not None and (year is None or label == year):
                to_date[post_id] += amount
        rows: list[PostRow] = []
        by_status: dict[str, list[Decimal]] = {}
        blocked: list[BlockedPost] = []
        fte_planned = fte_in_post = Decimal("0.00")
        for p in self._load_posts():
            change = p.change_as_at(day)
            status = "planned" if change is None else change.status
            since = p.status_since(day)
            forecast = sum(
                (sum(m.values(), ZERO) for m in forecast_by_year(p, day, segments).values()),
                ZERO,
            )
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
                    cost_to_date=to_date.get(p.id, ZERO),
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
            funding_year=year,
            posts=tuple(rows),
            by_status={
                s: StatusCount(posts=len(v), fte=sum(v, Decimal("0.00")))
                for s, v in sorted(by_status.items(), key=lambda kv: order[kv[0]])
            },
            blocked=tuple(blocked),
            fte_planned=fte_planned,
            fte_in_post=fte_in_post,
        )
