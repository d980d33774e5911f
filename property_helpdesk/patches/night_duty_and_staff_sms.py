"""R1, R2: the night hours and the staff SMS switch of Settings get their defaults on a site whose Settings were
saved before the fields existed (a Single keeps no default for a field it never stored)."""

import frappe

from property_helpdesk.constants import SETTINGS

DEFAULTS = {"night_starts_at": "22:00:00", "night_ends_at": "08:00:00", "staff_sms": 1}


def execute():
	singles = frappe.qb.DocType("Singles")
	stored = {
		field
		for (field,) in frappe.qb.from_(singles)
		.select(singles.field)
		.where((singles.doctype == SETTINGS) & singles.field.isin(list(DEFAULTS)))
		.run()
	}
	missing = {field: value for field, value in DEFAULTS.items() if field not in stored}
	if missing:
		frappe.db.set_single_value(SETTINGS, missing)
