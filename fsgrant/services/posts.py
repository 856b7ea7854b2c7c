"""Funded posts (``fsgrant post``): recorded once, with their recruitment status and
the changes of their details (pay awards, FTE, host, leaving dates) as dated
history, and what they are expected to cost."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.money import AmountLike, as_money, to_pence
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.posts import (
    NO_EXPECTED_START,
    POST_ROLES,
    POST_ROUTES,
    POST_STATUSES,
    REASON_REQUIRED,
    Post,
    PostChange,
    StatusChange,
    allocation_segments,
    annual_cost_from_salary,
    forecast_by_year,
    parse_fte,
    parse_rate,
)
from fsgrant.domain.text import choice, clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput, NotFound
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day
from fsgrant.services.periods import PeriodsService
from fsgrant.services.require import require_post
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["POST_ID_PATTERN", "PostsService"]

POST_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


@checked
class PostsService:
    """``fs.posts``: record posts and status changes; read them and their forecast."""

    def __init__(
        self,
        tables: Tables,
        years: YearsService,
        categories: CategoriesService,
        periods: PeriodsService,
    ) -> None:
        self._tables = tables
        self._years = years
        self._categories = categories
        self._periods = periods

    def add(
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
            PeriodClosed: it is planned to start on or before a closed date.
        """
        pid = required_text(post_id, "id")
        if not POST_ID_PATTERN.match(pid):
            raise InvalidInput(
                f"post id '{post_id}' must be letters, digits and - . / (like PROB-N1), at most 40",
                field="id",
            )
        role_v = choice(role, POST_ROLES, "role")
        route_v = choice(route, POST_ROUTES, "route")
        host_v = required_text(host, "host")
        fte_v = parse_fte(fte)
        costs = _costs(annual_cost, salary, on_cost_rate)
        if costs is None:
            raise InvalidInput(
                "give the annual cost including on-costs, or the salary and the on-cost rate",
                field="annual_cost",
            )
        cost, salary_v, rate_v = costs
        cat = self._categories.require(category)
        start = entered_day(self._tables, planned_start, field="planned-start")
        end_day = entered_day(self._tables, end, field="end") if end is not None else None
        if end_day is not None and end_day < start:
            raise InvalidInput(f"the end ({end_day}) is before the planned start", field="end")
        store = self._tables.store
        record: dict[str, Any] = {
            "id": pid,
            "title": (title or "").strip(),
            "role": role_v,
            "team": clean_text(team),
            "host": host_v,
            "route": route_v,
            "fte": str(fte_v),
            "annual_cost_pence": to_pence(cost),
            "salary_pence": None if salary_v is None else to_pence(salary_v),
            "on_cost_rate": None if rate_v is None else str(rate_v),
            "category": cat,
            "planned_start": start.isoformat(),
            "end_date": None if end_day is None else end_day.isoformat(),
        }
        with store.transaction(
            Action.POST_ADD, pid, {"fte": str(fte_v), "annual": str(cost)}, dated=start
        ):
            if self._tables.posts.exists(pid):
                raise Conflict(f"post {pid} exists already; record changes with 'post status'")
            self._periods.guard("post", start, what=f"new post {pid} (its planned start)")
            self._tables.posts.insert(record)
        return self.get(pid)

    def set_status(
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
            PeriodClosed: the change is effective on or before a closed date.
        """
        pid = require_post(self._tables, required_text(post_id, "id"))
        st = choice(status, POST_STATUSES, "status")
        day = entered_day(self._tables, on, field="on")
        why = clean_text(reason)
        if st in REASON_REQUIRED and why is None:
            raise InvalidInput(f"a post {st} needs a reason (--reason)", field="reason")
        expected = (
            entered_day(self._tables, expected_start, field="expected-start")
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
        store = self._tables.store
        with store.transaction(Action.POST_STATUS, pid, detail, dated=day):
            self._periods.guard("post-status", day, what=f"a status change of post {pid}")
            new_id = self._tables.posts.insert_status(
                {
                    "post": pid,
                    "status": st,
                    "effective": day.isoformat(),
                    "reason": why,
                    "expected_start": None if expected is None else expected.isoformat(),
                }
            )
        return next(c for c in self.get(pid).history if c.id == new_id)

    def change(
        self,
        post_id: str,
        on: DateLike,
        *,
        reason: str,
        annual_cost: AmountLike | None = None,
        salary: AmountLike | None = None,
        on_cost_rate: Decimal | int | str | None = None,
        fte: Decimal | int | str | None = None,
        host: str | None = None,
        route: str | None = None,
        team: str | None = None,
        title: str | None = None,
        end: DateLike | None = None,
    ) -> PostChange:
        """Record a dated change of a post's details, in force from ``on``: a pay award
        (a new annual cost, or salary and on-cost rate), a new FTE, host, route, team or
        title, or a leaving date (``end``). To correct a value keyed wrongly, date the
        change at the post's planned start and say so in the reason. Fields not given
        keep the value in force before the change.

        Raises:
            InvalidInput: nothing to change, no reason, a bad amount, FTE, route or
                date, or an end before the planned start.
            NotFound: no such post.
            PeriodClosed: ``on`` falls in a closed period.
        """
        pid = require_post(self._tables, required_text(post_id, "id"))
        day = entered_day(self._tables, on, field="on")
        why = required_text(reason, "reason")
        costs = _costs(annual_cost, salary, on_cost_rate)
        fte_v = parse_fte(fte) if fte is not None else None
        route_v = choice(route, POST_ROUTES, "route") if route is not None else None
        host_v = required_text(host, "host") if host is not None else None
        team_v = clean_text(team)
        title_v = clean_text(title)
        end_day = entered_day(self._tables, end, field="end") if end is not None else None
        post = self.get(pid)
        if end_day is not None and end_day < post.planned_start:
            raise InvalidInput(
                f"the end ({end_day}) is before the post's planned start ({post.planned_start})",
                field="end",
            )
        record: dict[str, Any] = {
            "post": pid,
            "effective": day.isoformat(),
            "annual_cost_pence": None if costs is None else to_pence(costs[0]),
            "salary_pence": None if costs is None or costs[1] is None else to_pence(costs[1]),
            "on_cost_rate": None if costs is None or costs[2] is None else str(costs[2]),
            "fte": None if fte_v is None else str(fte_v),
            "host": host_v,
            "route": route_v,
            "team": team_v,
            "title": title_v,
            "end_date": None if end_day is None else end_day.isoformat(),
        }
        changed = {k: v for k, v in record.items() if v is not None and k not in ("post",)}
        if len(changed) == 1:  # only the date
            raise InvalidInput(
                "nothing to change: give --annual-cost (or --salary and --on-cost-rate), "
                "--fte, --host, --route, --team, --title or --end",
                field="on",
            )
        record.update(reason=why)
        store = self._tables.store
        with store.transaction(Action.POST_CHANGE, pid, {**changed, "reason": why}, dated=day):
            self._periods.guard("post-change", day, what=f"a change of post {pid}")
            new_id = self._tables.posts.insert_change(record)
        return next(c for c in self.get(pid).changes if c.id == new_id)

    # -------------------------------------------------------------- reading
    def get(self, post_id: str) -> Post:
        """One post with its whole status history.

        Raises:
            NotFound: no such post.
        """
        found = self._tables.posts.load(post_id)
        if not found:
            raise NotFound("post", post_id, "add it with 'fsgrant post add'")
        return found[0]

    def all(self) -> list[Post]:
        """Every post with its history, by id."""
        return self._tables.posts.load()

    def list(
        self,
        *,
        status: str | None = None,
        role: str | None = None,
        as_at: DateLike | None = None,
    ) -> list[Post]:
        """Every post with the details in force as at ``as_at`` (today when None) and its
        whole history, filtered by its status then and by role."""
        day = as_at_day(as_at)
        st = choice(status, POST_STATUSES, "status") if status is not None else None
        rl = choice(role, POST_ROLES, "role") if role is not None else None
        return [
            p.as_at(day)
            for p in self.all()
            if (st is None or p.status_as_at(day) == st) and (rl is None or p.role == rl)
        ]

    def forecast(self, as_at: DateLike | None = None) -> dict[str, dict[str, dict[date, Decimal]]]:
        """Each post's expected cost after ``as_at`` (today when None), by funding year
        (as varied as at ``as_at``) and month: ``{post: {year: {month: amount}}}``."""
        day = as_at_day(as_at)
        segments = allocation_segments(self._years.list(day))
        return {p.id: forecast_by_year(p, day, segments) for p in self.all()}


def _costs(
    annual_cost: AmountLike | None,
    salary: AmountLike | None,
    on_cost_rate: Decimal | int | str | None,
) -> tuple[Decimal, Decimal | None, Decimal | None] | None:
    """(annual cost, salary, on-cost rate) from the annual cost, or from the salary and
    on-cost rate; None when neither is given.

    Raises:
        InvalidInput: both given, half of salary and rate, or a negative amount.
    """
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
    elif salary is not None or on_cost_rate is not None:
        raise InvalidInput(
            "give the salary and the on-cost rate together (or the annual cost)",
            field="salary" if salary is None else "on_cost_rate",
        )
    else:
        return None
    if cost < 0:
        raise InvalidInput("an annual cost cannot be negative", field="annual_cost")
    return cost, salary_v, rate_v
