"""Forecasts of remaining spend (``fsgrant forecast``) and store settings
(``fsgrant settings``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fsgrant.domain.arguments import checked
from fsgrant.domain.forecast import RagThresholds
from fsgrant.domain.models import ForecastAddition, SetForecast, Setting
from fsgrant.domain.money import AmountLike, as_money, to_pence
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action, latest_on_or_before
from fsgrant.errors import InvalidInput
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day_or_today
from fsgrant.services.periods import PeriodsService
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["DEFAULT_TOLERANCE", "SETTINGS", "ForecastsService", "SettingsService"]

DEFAULT_TOLERANCE = Decimal("10")
"""The ``conditions.tolerance`` of a store that sets none, in percent."""

SETTINGS: dict[str, str] = {
    "rag.green": "RAG: green while the variance is within this percent of the estimate (default 5)",
    "rag.amber": "RAG: amber while within this percent (default 10); red beyond",
    "conditions.tolerance": "Conditions: spend is in line with the original estimates while "
    "the forecast outturn is within this percent of them (default 10)",
}
"""Every setting a store takes, with what it means."""


@checked
class ForecastsService:
    """``fs.forecasts``: the remaining spend expected in a category no post names."""

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

    def set(
        self,
        label: str,
        category: str,
        amount: AmountLike,
        *,
        on: DateLike | None = None,
        note: str | None = None,
    ) -> SetForecast:
        """Set the forecast of remaining spend (after ``on``, default today) for a year and a
        category that no post names. Reports as at a date use the latest forecast set on
        or before it; set it again as spend is made.

        Raises:
            InvalidInput: bad amount, category or date, or a post-driven category.
            NotFound: no such year.  PeriodClosed: ``on`` is in a closed period.
        """
        self._years.get(label)
        cat = self._categories.require(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("a forecast cannot be negative", field="amount")
        day = entered_day_or_today(self._tables, on, field="on")
        named = self._tables.posts.naming(cat)
        if named:
            raise InvalidInput(
                f"{cat} is forecast from its {named} post(s); record their status changes instead",
                field="category",
            )
        store = self._tables.store
        record = {
            "funding_year": label,
            "category": cat,
            "amount_pence": to_pence(value),
            "set_on": day.isoformat(),
            "note": clean_text(note),
        }
        with store.transaction(
            Action.FORECAST_SET, f"{label}/{cat}", {"amount": str(value)}, dated=day
        ):
            self._periods.guard("forecast", day, year=label)
            new_id = self._tables.forecasts.insert(record)
        return self._tables.forecasts.get(new_id)

    def add(
        self,
        label: str,
        category: str,
        amount: AmountLike,
        *,
        reason: str,
        on: DateLike | None = None,
    ) -> ForecastAddition:
        """Add to a post-driven category's forecast what its posts do not show (agency
        cover while a post is blocked, backfill, overtime): ``amount`` still expected
        after ``on`` (default today), on top of the posts' cost. Additions with
        different reasons add up; one with the reason of an earlier one revises it
        (the earlier stays on record; 0.00 ends it).

        Raises:
            InvalidInput: a bad amount, category or date, no reason, or a category no
            post is charged to (set its forecast instead).
            NotFound: no such year.  PeriodClosed: ``on`` is in a closed period.
        """
        self._years.get(label)
        cat = self._categories.require(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("a forecast addition cannot be negative", field="amount")
        why = required_text(reason, "reason")
        day = entered_day_or_today(self._tables, on, field="on")
        if not self._tables.posts.naming(cat):
            raise InvalidInput(
                f"no post is charged to {cat}: set its forecast with 'fsgrant forecast set'",
                field="category",
            )
        store = self._tables.store
        detail = {"amount": str(value), "reason": why}
        with store.transaction(Action.FORECAST_ADD, f"{label}/{cat}", detail, dated=day):
            self._periods.guard("forecast-addition", day, year=label)
            new_id = self._tables.forecast_additions.insert(
                {
                    "funding_year": label,
                    "category": cat,
                    "amount_pence": to_pence(value),
                    "reason": why,
                    "set_on": day.isoformat(),
                }
            )
        return next(a for a in self._tables.forecast_additions.all() if a.id == new_id)

    def additions(
        self, as_at: DateLike | None = None, *, history: bool = False
    ) -> list[ForecastAddition]:
        """The additions in force as at ``as_at`` (today when None): per year, category
        and reason the latest set on or before it, those of 0.00 left out; with
        ``history``, every addition recorded, in the order set."""
        found = self._tables.forecast_additions.all()
        if history:
            return found
        chosen = latest_on_or_before(
            found,
            as_at_day(as_at),
            key=lambda a: (a.funding_year, a.category, a.reason),
            on=lambda a: a.set_on,
            order=lambda a: a.id,
        )
        return sorted(
            (a for a in chosen.values() if a.amount > 0),
            key=lambda a: (a.funding_year, a.category, a.set_on, a.id),
        )

    def list(self, as_at: DateLike | None = None) -> list[SetForecast]:
        """The latest forecast set on or before ``as_at`` (today when None) per funding
        year and category."""
        return self._tables.forecasts.latest(as_at_day(as_at))

    def amounts(self, as_at: DateLike | None = None) -> dict[tuple[str, str], Decimal]:
        """:meth:`list` as amounts keyed by (funding year, category)."""
        return {(f.funding_year, f.category): f.amount for f in self.list(as_at)}


@checked
class SettingsService:
    """``fs.settings``: the store's settings (see :data:`SETTINGS`)."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def list(self) -> list[Setting]:
        """Every setting with its value: the stored one, else the default."""
        stored = self._tables.settings.all()
        defaults = RagThresholds()
        default_values = {
            "rag.green": str(defaults.green),
            "rag.amber": str(defaults.amber),
            "conditions.tolerance": str(DEFAULT_TOLERANCE),
        }
        return [
            Setting(
                key=key,
                value=stored.get(key, default_values[key]),
                stored=key in stored,
                description=description,
            )
            for key, description in SETTINGS.items()
        ]

    def get(self, key: str) -> str:
        """One setting's value (the default when none is stored).

        Raises:
            InvalidInput: an unknown key.
        """
        k = self._key(key)
        return next(s.value for s in self.list() if s.key == k)

    @staticmethod
    def _key(key: str) -> str:
        k = key.strip().lower()
        if k not in SETTINGS:
            raise InvalidInput(
                f"unknown setting '{key}'; known: {', '.join(sorted(SETTINGS))}", field="key"
            )
        return k

    def set(self, key: str, value: str) -> Setting:
        """Set a store setting.

        Raises:
            InvalidInput: an unknown key or a bad value.
        """
        k = self._key(key)
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
        if k.startswith("rag.") and green > amber:
            raise InvalidInput(
                f"rag.green ({green}) cannot be above rag.amber ({amber})", field=k, value=value
            )
        with self._tables.store.transaction(Action.SETTINGS_SET, k, {"value": str(number)}):
            self._tables.settings.set(k, str(number))
        return next(s for s in self.list() if s.key == k)

    def rag_thresholds(self) -> RagThresholds:
        """The RAG thresholds of this store (defaults 5% and 10%)."""
        s = self._tables.settings.all()
        default = RagThresholds()
        return RagThresholds(
            green=Decimal(s.get("rag.green", default.green)),
            amber=Decimal(s.get("rag.amber", default.amber)),
        )

    def tolerance(self) -> Decimal:
        """The ``conditions.tolerance`` of this store, in percent (default 10)."""
        return Decimal(self._tables.settings.all().get("conditions.tolerance", DEFAULT_TOLERANCE))
