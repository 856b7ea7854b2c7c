"""Use cases for spend against estimates: forecasts, the summary with forecast outturn,
variance, monthly profile, spend views and checks.

Reports aggregate in SQL (one ``GROUP BY`` over spend) and allocate to funding years in
Python, so they stay fast on a large store: no report loads every spend line.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fsgrant.domain.forecast import (
    CategoryFigures,
    RagThresholds,
    build_profile,
    build_variance,
    forecast_remaining,
)
from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import Finding, FundingYearState
from fsgrant.domain.money import ZERO, as_money, format_money, from_pence, to_pence
from fsgrant.domain.periods import financial_year_label, month_label, parse_date
from fsgrant.domain.posts import allocation_segments, forecast_by_year
from fsgrant.domain.reports import (
    ProfileReport,
    SpendByReport,
    SpendByRow,
    SummaryReport,
    VarianceReport,
    build_summary,
)
from fsgrant.errors import InvalidInput
from fsgrant.services.ledger_core import AmountLike, DateLike, _text, _today
from fsgrant.services.ledger_posts import PostsMixin
from fsgrant.store.connection import utc_now

__all__ = ["SETTINGS", "SPEND_VIEWS", "ForecastMixin", "YearFigures"]

SPEND_VIEWS = ("funding-year", "financial-year", "month", "category", "post")
SETTINGS: dict[str, str] = {
    "rag.green": "RAG: green while the variance is within this percent of the estimate (default 5)",
    "rag.amber": "RAG: amber while within this percent (default 10); red beyond",
}
NO_KEY = "(none)"


class YearFigures:
    """One funding year's figures as at a date: per category, plus posts by month."""

    def __init__(
        self,
        year: FundingYearState,
        categories: list[CategoryFigures],
        post_months: dict[str, Decimal],
    ) -> None:
        self.year = year
        self.categories = categories
        self.post_months = post_months

    def total(self, field: str) -> Decimal:
        return sum((getattr(c, field) for c in self.categories), ZERO)


class ForecastMixin(PostsMixin):
    """Forecasts, variance, profile, spend views and checks."""

    # -------------------------------------------------------------- settings
    def settings(self) -> dict[str, str]:
        """Every setting stored (key -> value)."""
        return {
            r[0]: r[1] for r in self.store.query("SELECT key, value FROM settings ORDER BY key")
        }

    def set_setting(self, key: str, value: str) -> None:
        """Set a store setting (see :data:`SETTINGS` for the keys).

        Raises:
            InvalidInput: an unknown key or a bad value.
        """
        k = key.strip().lower()
        if k not in SETTINGS:
            raise InvalidInput(
                f"unknown setting '{key}'; known: {', '.join(sorted(SETTINGS))}", field="key"
            )
        text = value.strip().rstrip("%").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(f"{k} must be a percentage such as 5 or 7.5", field=k) from None
        if not number.is_finite() or number < 0 or number > 1000:
            raise InvalidInput(f"{k} must be a percentage from 0 to 1000", field=k)
        current = self.rag_thresholds()
        green = number if k == "rag.green" else current.green
        amber = number if k == "rag.amber" else current.amber
        if green > amber:
            raise InvalidInput(
                f"rag.green ({green}) cannot be above rag.amber ({amber})", field=k, value=value
            )
        with self.store.transaction("settings.set", k, {"value": str(number)}):
            self.store.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [k, str(number)],
            )

    def rag_thresholds(self) -> RagThresholds:
        """The RAG thresholds of this store (defaults 5% and 10%)."""
        s = self.settings()
        default = RagThresholds()
        return RagThresholds(
            green=Decimal(s.get("rag.green", default.green)),
            amber=Decimal(s.get("rag.amber", default.amber)),
        )

    # -------------------------------------------------------------- forecasts
    def set_forecast(
        self,
        label: str,
        category: str,
        amount: AmountLike,
        *,
        on: DateLike | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Set the forecast of remaining spend (after ``on``, default today) for a year and a
        category that no post names. Reports as at a date use the latest forecast set on
        or before it; set it again as spend is made.

        Raises:
            InvalidInput: bad amount, category or date, or a post-driven category.
            NotFound: no such year.
        """
        self.year(label)
        cat = self._check_category(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("a forecast cannot be negative", field="amount")
        day = parse_date(on, field="on") if on is not None else _today()
        named = self.store.query_one("SELECT count(*) FROM posts WHERE category = ?", [cat])
        if named is not None and named[0]:
            raise InvalidInput(
                f"{cat} is forecast from its {named[0]} post(s); record their status changes instead",
                field="category",
            )
        record = {
            "funding_year": label,
            "category": cat,
            "amount_pence": to_pence(value),
            "set_on": day.isoformat(),
            "note": _text(note),
            "recorded_at": utc_now(),
            "recorded_by": self.store.user,
        }
        with self.store.transaction("forecast.set", f"{label}/{cat}", {"amount": str(value)}):
            self.guard_open(day, label, what="a forecast")
            new_id = self.store.insert("forecasts", record)
        return {"id": new_id, **record, "amount": value}

    def forecasts(self, as_at: DateLike | None = None) -> dict[tuple[str, str], Decimal]:
        """The latest forecast set on or before ``as_at`` per (year, category)."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        rows = self.store.query(
            """SELECT funding_year, category, amount_pence FROM forecasts f
               WHERE set_on <= :day AND id = (
                   SELECT x.id FROM forecasts x WHERE x.funding_year = f.funding_year
                     AND x.category = f.category AND x.set_on <= :day
                   ORDER BY x.set_on DESC, x.id DESC LIMIT 1)""",
            {"day": day.isoformat()},
        )
        return {(r[0], r[1]): from_pence(r[2]) for r in rows}

    def _estimates_as_at(
        self, day: date
    ) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], Decimal]]:
        """Original and latest (set on or before ``day``, else the original) estimates per
        (year, category), summed over posts."""
        original: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        latest: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        chosen: dict[tuple[str, str, str | None], Decimal] = {}
        for e in self.estimates():  # ordered by year, category, post, set_on, id
            key = (e.funding_year, e.category)
            if e.original:
                original[key] += e.amount
                chosen[(*key, e.post)] = e.amount
            elif e.set_on <= day:
                chosen[(*key, e.post)] = e.amount
        for (y, c, _p), amount in chosen.items():
            latest[(y, c)] += amount
        return dict(original), dict(latest)

    # -------------------------------------------------------------- the figures
    def year_figures(self, as_at: DateLike | None = None) -> dict[str, YearFigures]:
        """Every funding year's figures per category as at ``as_at`` (today when None):
        estimates, actual, forecast remaining (see :mod:`fsgrant.forecast`)."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        years = self.years(day)
        actual: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for (label, cat), amount in self.spend_totals(day).items():
            if label is not None:
                actual[(label, cat)] += amount
        original, latest = self._estimates_as_at(day)
        set_forecasts = self.forecasts(day)
        posts = self._load_posts()
        post_driven = {p.category for p in posts}
        segments = allocation_segments(years)
        post_cost: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        post_months: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for p in posts:
            for label, months in forecast_by_year(p, day, segments).items():
                for first, amount in months.items():
                    post_cost[(label, p.category)] += amount
                    post_months[label][month_label(first)] += amount
        result: dict[str, YearFigures] = {}
        for y in years:
            keys = {
                c for (lbl, c) in [*original, *latest, *actual, *set_forecasts] if lbl == y.label
            }
            keys |= {c for (lbl, c) in post_cost if lbl == y.label}
            days_remain = y.status != "withdrawn" and day < y.end
            rows = []
            for cat in sorted(keys):
                k = (y.label, cat)
                fc, assumed = forecast_remaining(
                    days_remain=days_remain,
                    post_driven=cat in post_driven,
                    post_forecast=post_cost.get(k, ZERO),
                    set_forecast=set_forecasts.get(k),
                    latest_estimate=latest.get(k, ZERO),
                    actual=actual.get(k, ZERO),
                )
                rows.append(
                    CategoryFigures(
                        category=cat,
                        estimate_original=original.get(k, ZERO),
                        estimate_revised=latest.get(k, ZERO),
                        actual=actual.get(k, ZERO),
                        forecast_remaining=fc,
                        forecast_assumed=assumed,
                        post_driven=cat in post_driven,
                    )
                )
            by_month = dict(post_months.get(y.label, {})) if days_remain else {}
            result[y.label] = YearFigures(y, rows, by_month)
        return result

    # -------------------------------------------------------------- reports
    def summary(self, as_at: DateLike | None = None) -> SummaryReport:
        """Where each funding year stands as at a date (today when None): award,
        received, original estimate, actual, forecast remaining and outturn,
        underspend at risk or overspend, and whether the money is secure."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        figures = self.year_figures(day)
        received: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for r in self.receipts(as_at=day):
            received[r.funding_year] += r.amount
        return build_summary(
            self.grant,
            [f.year for f in figures.values()],
            day,
            {k: f.total("actual") for k, f in figures.items()},
            received,
            {k: f.total("estimate_original") for k, f in figures.items()},
            forecast_remaining_by_year={
                k: f.total("forecast_remaining") for k, f in figures.items()
            },
        )

    def variance(
        self,
        label: str,
        as_at: DateLike | None = None,
        against: Literal["original", "revised"] | str = "original",
    ) -> VarianceReport:
        """Spend against estimates for one funding year, by category.

        Raises:
            NotFound: no such year.  InvalidInput: ``against`` is not original or revised.
        """
        if against not in ("original", "revised"):
            raise InvalidInput(
                f"compare against 'original' or 'revised', not '{against}'", field="against"
            )
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        self.year(label, day)
        f = self.year_figures(day)[label]
        return build_variance(
            f.year,
            day,
            f.categories,
            against="original" if against == "original" else "revised",
            thresholds=self.rag_thresholds(),
        )

    def profile(self, label: str, as_at: DateLike | None = None) -> ProfileReport:
        """One funding year month by month: estimate, actual, forecast, cumulative.

        Raises:
            NotFound: no such year.
        """
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        self.year(label, day)
        f = self.year_figures(day)[label]
        actual: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (lbl, spent_on), amount in self.spend_totals(day, by=("date",)).items():
            if lbl == label:
                actual[month_label(spent_on)] += amount
        other = sum((c.forecast_remaining for c in f.categories if not c.post_driven), ZERO)
        return build_profile(
            f.year,
            day,
            estimate_total=f.total("estimate_original"),
            actual_by_month=actual,
            post_forecast_by_month=f.post_months,
            other_forecast=other,
        )

    def spend_by(
        self, by: str, from_date: DateLike | None = None, to_date: DateLike | None = None
    ) -> SpendByReport:
        """Spend (reversals included) between two dates, totalled by funding year (as
        allocated with every variation), council financial year, month, category or post.
        Spend no year covers, or on no post, is keyed ``(none)``.

        Raises:
            InvalidInput: an unknown view or a bad date.
        """
        if by not in SPEND_VIEWS:
            raise InvalidInput(
                f"cannot total spend by '{by}'; choose one of {', '.join(SPEND_VIEWS)}",
                field="by",
            )
        clauses, params = [], []
        if from_date is not None:
            clauses.append("date >= ?")
            params.append(parse_date(from_date, field="from").isoformat())
        if to_date is not None:
            clauses.append("date <= ?")
            params.append(parse_date(to_date, field="to").isoformat())
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        group = {
            "funding-year": "date, funding_year",
            "financial-year": "date",
            "month": "substr(date, 1, 7)",
            "category": "category",
            "post": "post",
        }[by]
        # Over the whole table one scan beats walking the date index row by row (about
        # 3x on a million lines); a narrow date window is left to the index.
        table = "spend" if clauses else "spend NOT INDEXED"
        sql = f"SELECT {group}, sum(amount_pence) FROM {table} {where} GROUP BY {group}"
        pence: dict[str, int] = defaultdict(int)
        allocator = Allocator(self.years()) if by == "funding-year" else None
        for row in self.store.conn.execute(sql, params):
            if allocator is not None:
                key = allocator(date.fromisoformat(row[0]), row[1]) or NO_KEY
            elif by == "financial-year":
                key = financial_year_label(date.fromisoformat(row[0]))
            else:
                key = row[0] if row[0] is not None else NO_KEY
            pence[key] += row[-1]
        rows = tuple(SpendByRow(key=k, amount=from_pence(v)) for k, v in sorted(pence.items()))
        return SpendByReport(
            by=by,
            rows=rows,
            total=sum((r.amount for r in rows), ZERO),
        )

    # -------------------------------------------------------------- checks
    def check(self, as_at: DateLike | None = None) -> list[Finding]:
        """Problems in the ledger as at ``as_at`` (today when None), as data: errors
        first, then warnings. Nothing is raised for a problem found."""
        day = parse_date(as_at, field="as-at") if as_at is not None else _today()
        years = self.years(day)
        by_label = {y.label: y for y in years}
        allocator = Allocator(years)
        findings: list[Finding] = []
        # Spend dated outside every funding period (or outside the year it names).
        for row in self.store.conn.execute(
            """SELECT date, funding_year, count(*), sum(amount_pence) FROM spend
               WHERE date <= ? GROUP BY date, funding_year ORDER BY date""",
            [day.isoformat()],
        ):
            spent_on = date.fromisoformat(row[0])
            named = by_label.get(row[1]) if row[1] is not None else None
            if row[1] is None and allocator(spent_on) is None:
                why = "falls in no funding period"
            elif named is not None and spent_on not in named.period:
                why = f"is outside funding year {named.label} ({named.start} to {named.end}) it is charged to"
            else:
                continue
            findings.append(
                Finding(
                    severity="error",
                    code="spend-outside-periods",
                    message=f"{row[2]} spend line(s) dated {row[0]} (total {format_money(from_pence(row[3]))}) {why}",
                    subject=row[0],
                )
            )
        figures = self.year_figures(day)
        original, latest = self._estimates_as_at(day)
        for label, f in figures.items():
            y = f.year
            for c in f.categories:
                if c.actual != 0 and (label, c.category) not in original:
                    findings.append(
                        Finding(
                            severity="warning",
                            code="spend-without-estimate",
                            message=f"{format_money(c.actual)} spent on {c.category} in {label}, which has no estimate",
                            subject=f"{label}/{c.category}",
                        )
                    )
            estimated = sum((v for (lbl, _c), v in latest.items() if lbl == label), ZERO)
            if estimated > y.award:
                findings.append(
                    Finding(
                        severity="error",
                        code="estimates-over-award",
                        message=f"estimates for {label} add up to {format_money(estimated)}, more than its award of {format_money(y.award)}",
                        subject=label,
                    )
                )
            received = sum((r.amount for r in self.receipts(label, day)), ZERO)
            if received > y.award:
                findings.append(
                    Finding(
                        severity="error",
                        code="receipts-over-award",
                        message=f"receipts for {label} add up to {format_money(received)}, more than its award of {format_money(y.award)}",
                        subject=label,
                    )
                )
            actual = f.total("actual")
            if y.status == "in-principle" and actual != 0:
                findings.append(
                    Finding(
                        severity="warning",
                        code="in-principle-spend",
                        message=f"{format_money(actual)} spent in {label}, which is only agreed in principle: not yet secure",
                        subject=label,
                    )
                )
            outturn = actual + f.total("forecast_remaining")
            if outturn > y.award:
                findings.append(
                    Finding(
                        severity="warning",
                        code="forecast-overspend",
                        message=f"forecast outturn for {label} is {format_money(outturn)}, {format_money(outturn - y.award)} over its award of {format_money(y.award)}",
                        subject=label,
                    )
                )
        for p in self._load_posts():
            change = p.change_as_at(day)
            if (
                change is not None
                and change.status == "blocked"
                and change.expected_start is not None
                and change.expected_start < day
            ):
                late = (day - change.expected_start).days
                findings.append(
                    Finding(
                        severity="warning",
                        code="blocked-past-expected-start",
                        message=f"post {p.id} is still blocked {late} day(s) after its expected start of {change.expected_start} ({change.reason})",
                        subject=p.id,
                    )
                )
            status = "planned" if change is None else change.status
            if status in ("planned", "advertised", "offered"):
                start = (change.expected_start if change else None) or p.planned_start
                if start < day:
                    findings.append(
                        Finding(
                            severity="warning",
                            code="post-start-overdue",
                            message=f"post {p.id} is still {status} but was expected to start on {start}; "
                            "its forecast counts it as costing: record its status",
                            subject=p.id,
                        )
                    )
        order = {"error": 0, "warning": 1}
        return sorted(findings, key=lambda x: order[x.severity])
