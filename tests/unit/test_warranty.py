"""R15–R17: the two warranty clocks, and the regulation's table at its edges."""

from datetime import date, timedelta

import pytest

from property_helpdesk.procedure.warranty import (
	DESIGN_LIFE,
	MONTHS,
	SEASONS,
	YEARS,
	Period,
	add_months,
	last_covered_day,
	warranty_ends,
)

# The minimums of 《建设工程质量管理条例》第四十条 (builder) and of the 1998 住宅质量保证书 rule (owner), as
# seeded into Warranty Rule. Each row: component, builder period, owner minimum.
REGULATION_TABLE = [
	("屋面防水", Period(5, YEARS), Period(3, YEARS)),
	("卫生间、房间和外墙面防渗漏", Period(5, YEARS), Period(1, YEARS)),
	("供热与供冷系统", Period(2, SEASONS), Period(1, SEASONS)),
	("电气管线、给排水管道、设备安装", Period(2, YEARS), Period(1, YEARS)),
	("墙面、顶棚抹灰层脱落", Period(2, YEARS), Period(1, YEARS)),
	("地面空鼓开裂、大面积起砂", Period(2, YEARS), Period(1, YEARS)),
	("门窗翘裂、五金件损坏", Period(2, YEARS), Period(1, YEARS)),
	("管道堵塞", Period(2, YEARS), Period(2, MONTHS)),
	("卫生洁具", Period(2, YEARS), Period(1, YEARS)),
	("灯具、电器开关", Period(2, YEARS), Period(6, MONTHS)),
	("地基基础和主体结构", Period(50, DESIGN_LIFE), Period(50, DESIGN_LIFE)),
]


def test_add_months_clamps_to_month_end():
	assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
	assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
	assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
	assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_one_year_covers_up_to_the_day_before_the_anniversary():
	assert last_covered_day(date(2024, 3, 1), Period(1, YEARS)) == date(2025, 2, 28)


@pytest.mark.parametrize("component,builder,owner", REGULATION_TABLE)
def test_owner_warranty_is_never_shorter_than_its_minimum_or_the_builder_remainder(component, builder, owner):
	"""R17: 交付保质期 ≥ the rule's minimum and ≥ what remains of 建安保修期."""
	completion = date(2020, 6, 30)
	handover = date(2021, 5, 1)
	ends = warranty_ends(completion, handover, builder, owner)
	own_minimum_end = last_covered_day(handover, owner)
	assert ends.owner_end == max(own_minimum_end, ends.builder_end)
	assert ends.owner_end >= ends.builder_end


@pytest.mark.parametrize("component,builder,owner", REGULATION_TABLE)
def test_owner_minimum_edges_day_before_and_after_expiry(component, builder, owner):
	"""Handover long after completion, so the owner's own minimum decides: covered on its last day,
	not on the next."""
	completion = date(2000, 1, 1)
	handover = date(2023, 4, 10)
	ends = warranty_ends(completion, handover, builder if builder.unit != DESIGN_LIFE else None, owner)
	expiry = add_months(handover, owner.months())
	assert ends.owner_end == expiry - timedelta(days=1)
	assert ends.owner_end >= expiry - timedelta(days=1)
	assert not ends.owner_end >= expiry


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
