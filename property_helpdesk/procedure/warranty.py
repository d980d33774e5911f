"""Warranty periods (R15–R17).

Two clocks run on every unit:

- 建安保修期, the builder's warranty to the developer, from the property's 竣工验收 (completion
  acceptance) date, with the minimums of 《建设工程质量管理条例》第四十条;
- 交付保质期, the developer's warranty to the owner, from the unit's 交付 (handover) date. Under the 1998
  《商品住宅实行住宅质量保证书和住宅使用说明书制度的规定》 and 《商品房销售管理办法》第三十三条 it is never
  shorter than the rule's own minimum, nor than what remains of the builder's warranty.

A period of N units starting on day D covers D up to and including the day before D + N units: a one-year
warranty from 2024-03-01 covers 2025-02-28 and has expired on 2025-03-01.

Heating and cooling systems are warranted for heating or cooling *seasons* (采暖期、供冷期), counted as complete
seasons: N seasons from day D cover up to the last day of the Nth season that begins on or after D (a season
already under way on D is covered too, as part of the first). The seasons' dates are the property's (a
northern city heats from mid-November to mid-March; the dates are data, not code).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

YEARS = "Years"
MONTHS = "Months"
# 采暖期 / 供冷期: complete heating or cooling seasons, on the property's season dates
HEATING_SEASONS = "Heating Seasons"
COOLING_SEASONS = "Cooling Seasons"
# 设计文件规定的合理使用年限: the design life of foundations and main structure, given in years.
DESIGN_LIFE = "Design Life (Years)"

PERIOD_UNITS = (YEARS, MONTHS, HEATING_SEASONS, COOLING_SEASONS, DESIGN_LIFE)
SEASON_UNITS = (HEATING_SEASONS, COOLING_SEASONS)


@dataclass(frozen=True)
class Season:
	"""A season that comes round every year, from (month, day) to (month, day), e.g. heating 11-15 → 03-15."""

	start: tuple[int, int]
	end: tuple[int, int]

	@classmethod
	def parse(cls, start: str, end: str) -> "Season":
		"""From "MM-DD" texts; ValueError if either is not a real day of the year."""

		def month_day(text: str) -> tuple[int, int]:
			month, day = (int(part) for part in str(text).strip().split("-"))
			date(2024, month, day)  # a leap year: 02-29 is a real day
			return month, day

		return cls(month_day(start), month_day(end))

	def last_day_of_nth(self, start_date: date, n: int) -> date:
		"""The last day of the nth complete season beginning on or after `start_date`."""
		first_year = (
			start_date.year if _on(start_date.year, self.start) >= start_date else start_date.year + 1
		)
		season_year = first_year + n - 1
		end_year = season_year if self.end >= self.start else season_year + 1
		return _on(end_year, self.end)


def _on(year: int, month_day: tuple[int, int]) -> date:
	month, day = month_day
	return date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
	amount: int
	unit: str

	def __post_init__(self):
		if self.unit not in PERIOD_UNITS:
			raise ValueError(f"unknown period unit {self.unit!r}")
		if self.amount < 0:
			raise ValueError("a period cannot be negative")

	def months(self) -> int:
		if self.unit in SEASON_UNITS:
			raise ValueError("a period of seasons is counted on the property's season dates")
		return self.amount if self.unit == MONTHS else self.amount * 12


def add_months(start: date, months: int) -> date:
	"""The same day `months` later, clamped to the month's last day (2024-01-31 + 1 → 2024-02-29)."""
	month_index = start.month - 1 + months
	year = start.year + month_index // 12
	month = month_index % 12 + 1
	day = min(start.day, calendar.monthrange(year, month)[1])
	return date(year, month, day)


def last_covered_day(start: date, period: Period, seasons: dict[str, Season] | None = None) -> date | None:
	"""The last day on which a warranty of `period` starting on `start` still covers a defect; for seasons,
	on the season dates given (None when the property has none)."""
	if period.unit in SEASON_UNITS:
		season = (seasons or {}).get(period.unit)
		if not season or not period.amount:
			return None
		return season.last_day_of_nth(start, period.amount)
	return add_months(start, period.months()) - timedelta(days=1)


@dataclass(frozen=True)
class WarrantyEnds:
	builder_end: date | None
	owner_end: date | None


def warranty_ends(
	completion_date: date | None,
	handover_date: date | None,
	builder_period: Period | None,
	owner_minimum: Period | None,
	seasons: dict[str, Season] | None = None,
) -> WarrantyEnds:
	"""Last covered day of 建安保修期 and of 交付保质期 for one component of one unit.

	The owner's warranty runs from handover for at least `owner_minimum`, and never ends before the
	builder's warranty does (the developer cannot promise the owner less than it holds from the builder).
	"""
	builder_end = None
	if completion_date and builder_period:
		builder_end = last_covered_day(completion_date, builder_period, seasons)

	owner_end = None
	if handover_date:
		candidates = []
		if owner_minimum and owner_minimum.amount:
			candidates.append(last_covered_day(handover_date, owner_minimum, seasons))
		if builder_end:
			candidates.append(builder_end)
		candidates = [day for day in candidates if day]
		owner_end = max(candidates) if candidates else None
	return WarrantyEnds(builder_end=builder_end, owner_end=owner_end)
