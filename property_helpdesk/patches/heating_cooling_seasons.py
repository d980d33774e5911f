"""Warranty periods of heating and cooling systems counted in complete heating or cooling seasons on the
property's season dates (采暖期、供冷期), instead of one "Heating/Cooling Seasons" unit counted as years; and
the electrical-lines rule, whose owner warranty the 1998 rule does not set, follows the builder's remainder."""

import frappe

from property_helpdesk.constants import PROPERTY, WARRANTY_RULE
from property_helpdesk.setup.install import seed_warranty_rules

OLD_UNIT = "Heating/Cooling Seasons"


def execute():
	for field in ("builder_unit", "owner_unit"):
		frappe.db.set_value(WARRANTY_RULE, {field: OLD_UNIT}, field, "Heating Seasons", update_modified=False)
	frappe.db.set_value(
		WARRANTY_RULE,
		{"component": "供热、供冷系统和设备"},
		"component",
		"供热系统和设备",
		update_modified=False,
	)
	frappe.db.set_value(
		WARRANTY_RULE,
		{
			"component": "电气管线、给排水管道、设备安装和装修",
			"property": ("is", "not set"),
			"owner_period": 2,
			"owner_unit": "Years",
		},
		{
			"owner_period": 0,
			"basis": "《建设工程质量管理条例》第四十条（四）；住宅质量保证书未列最低期限，交付保质期为建安保修期的剩余期（《商品房销售管理办法》第三十三条）",
		},
		update_modified=False,
	)
	seed_warranty_rules()  # adds 供冷系统和设备
	for prop in frappe.get_all(PROPERTY, pluck="name"):
		for field, default in (
			("heating_season_start", "11-15"),
			("heating_season_end", "03-15"),
			("cooling_season_start", "06-01"),
			("cooling_season_end", "09-30"),
		):
			if not frappe.db.get_value(PROPERTY, prop, field):
				frappe.db.set_value(PROPERTY, prop, field, default, update_modified=False)
