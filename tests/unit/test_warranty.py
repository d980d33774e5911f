"""R15–R17: the two warranty clocks, and the regulation's table at its edges."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from property_helpdesk.procedure.liability import DEVELOPER, LiabilityInput, propose_liability
from property_helpdesk.procedure.warranty import (
	COOLING_SEASONS,
	HEATING_SEASONS,
	YEARS,
	Period,
	Season,
	add_months,
	last_covered_day,
	warranty_ends,
)

SEED = Path(__file__).resolve().parents[2] / "property_helpdesk" / "setup" / "data" / "warranty_rules.json"
HEATING = Season((11, 15), (3, 15))  # a northern city's heating season
COOLING = Season((6, 1), (9, 30))
SEASONS = {HEATING_SEASONS: HEATING, COOLING_SEASONS: COOLING}
COMPLETION = date(2020, 6, 30)  # 竣工验收
HANDOVER = date(2021, 5, 1)  # 交付

# The regulation's table as the issue states it, with the last covered day worked out by hand for the
# completion and handover dates above: component → (builder's last day, owner's own minimum's last day).
# 《建设工程质量管理条例》第四十条 from 2020-06-30; the 1998 住宅质量保证书 rule from 2021-05-01.
EXPECTED = {
	"地基基础和主体结构": (date(2070, 6, 29), date(2071, 4, 30)),  # design life 50 years
	"屋面防水": (date(2025, 6, 29), date(2024, 4, 30)),  # 5 y / 3 y
	"卫生间、房间和外墙面防渗漏": (date(2025, 6, 29), date(2022, 4, 30)),  # 5 y / 1 y
	"墙面、厨房和卫生间地面、地下室、管道渗漏": (date(2025, 6, 29), date(2022, 4, 30)),  # 5 y / 1 y
	"墙面、顶棚抹灰层脱落": (date(2022, 6, 29), date(2022, 4, 30)),  # 2 y / 1 y
	"地面空鼓开裂、大面积起砂": (date(2022, 6, 29), date(2022, 4, 30)),  # 2 y / 1 y
	"门窗翘裂、五金件损坏": (date(2022, 6, 29), date(2022, 4, 30)),  # 2 y / 1 y
	"管道堵塞": (date(2022, 6, 29), date(2021, 6, 30)),  # 2 y / 2 months
	# 2 complete heating seasons from 2020-06-30: 2020-11-15→2021-03-15, 2021-11-15→2022-03-15;
	# 1 from 2021-05-01: 2021-11-15→2022-03-15
	"供热系统和设备": (date(2022, 3, 15), date(2022, 3, 15)),
	# 2 complete cooling seasons from 2020-06-30 (that year's began 06-01): 2021 and 2022; 1 from 2021-05-01: 2021
	"供冷系统和设备": (date(2022, 9, 30), date(2021, 9, 30)),
	"卫生洁具": (date(2022, 6, 29), date(2022, 4, 30)),  # 2 y / 1 y
	"灯具、电器开关": (date(2022, 6, 29), date(2021, 10, 31)),  # 2 y / 6 months
	"电气管线、给排水管道、设备安装和装修": (date(2022, 6, 29), None),  # 2 y / no own minimum
}


def seed_rows() -> list[dict]:
	with open(SEED, encoding="utf-8") as f:
		return json.load(f)


LOCATIONS = {row["component"]: row["location"] for row in seed_rows()}


def seed_rules() -> dict[str, tuple[Period, Period]]:
	rows = seed_rows()
	return {
		row["component"]: (
			Period(row["builder_period"], row["builder_unit"]),
			Period(row["owner_period"], row["owner_unit"]),
		)
		for row in rows
	}


def test_the_seed_is_the_regulation_s_table():
	"""Every component the issue lists is seeded, and nothing else."""
	assert set(seed_rules()) == set(EXPECTED)


@pytest.mark.parametrize("component", sorted(EXPECTED))
def test_r15_r17_each_seeded_rule_s_last_days_and_the_day_after(component):
	"""建安保修期 from completion and 交付保质期 from handover, against hand-worked last days; the owner's
	warranty is the later of its own minimum and the builder's remainder."""
	builder, owner = seed_rules()[component]
	builder_last, owner_minimum_last = EXPECTED[component]
	ends = warranty_ends(COMPLETION, HANDOVER, builder, owner, SEASONS)
	assert ends.builder_end == builder_last
	assert ends.owner_end == max(day for day in (builder_last, owner_minimum_last) if day)
	# R15d/R16 at the edge: a defect reported on the owner warranty's last day is the developer's, the next day
	# it is not
	last = ends.owner_end
	for reported_on, developer_liable in ((last, True), (last + timedelta(days=1), False)):
		liability = propose_liability(
			LiabilityInput(
				location=LOCATIONS[component],
				is_quality_defect=True,
				completion_date=COMPLETION,
				handover_date=HANDOVER,
				builder_period=builder,
				owner_minimum=owner,
				seasons=SEASONS,
				reported_on=reported_on,
			)
		)
		assert (liability.party == DEVELOPER) is developer_liable, (component, reported_on)


def test_add_months_clamps_to_month_end():
	assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
	assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
	assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
	assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_one_year_covers_up_to_the_day_before_the_anniversary():
	assert last_covered_day(date(2024, 3, 1), Period(1, YEARS)) == date(2025, 2, 28)


def test_seasons_are_complete_seasons_on_the_property_s_dates():
	"""Handed over mid-season (2021-12-01): the season under way is covered, and one complete season more
	ends 2023-03-15; handed over on the first day of a season, that season is the first."""
	one = Period(1, HEATING_SEASONS)
	assert last_covered_day(date(2021, 12, 1), one, SEASONS) == date(2023, 3, 15)
	assert last_covered_day(date(2021, 11, 15), one, SEASONS) == date(2022, 3, 15)
	assert last_covered_day(date(2021, 11, 16), one, SEASONS) == date(2023, 3, 15)
	assert last_covered_day(date(2021, 6, 1), Period(2, COOLING_SEASONS), SEASONS) == date(2022, 9, 30)
	# without the property's season dates there is no end to compute
	assert last_covered_day(date(2021, 6, 1), one, {}) is None


def test_season_dates_are_checked():
	assert Season.parse("11-15", "03-15") == HEATING
	for bad in (("13-01", "03-15"), ("11-31", "03-15"), ("1115", "03-15"), ("", "03-15")):
		with pytest.raises(ValueError):
			Season.parse(*bad)


def test_builder_remainder_extends_owner_warranty():
	"""Roof waterproofing: builder 5 years from 2020-01-01, owner minimum 3 years from 2023-01-01 would end
	2025-12-31; the builder's warranty runs to 2024-12-31 — the later of the two wins."""
	ends = warranty_ends(date(2020, 1, 1), date(2023, 1, 1), Period(5, YEARS), Period(3, YEARS))
	assert ends.builder_end == date(2024, 12, 31)
	assert ends.owner_end == date(2025, 12, 31)
	ends = warranty_ends(date(2020, 1, 1), date(2020, 3, 1), Period(5, YEARS), Period(3, YEARS))
	assert ends.owner_end == date(2024, 12, 31)


def test_missing_dates_give_no_end():
	ends = warranty_ends(None, None, Period(5, YEARS), Period(3, YEARS))
	assert ends.builder_end is None and ends.owner_end is None


def test_bad_periods_are_refused():
	with pytest.raises(ValueError):
		Period(1, "Weeks")
	with pytest.raises(ValueError):
		Period(-1, YEARS)
