# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""处理及时率 (R29): 及时处理件数 ÷ 总件数 × 100% over repairs, complaints and service requests, by property, month,
case type, team or person; "Show Cases" lists the cases behind a number."""

import frappe
from frappe import _

from property_helpdesk.services import kpi


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if filters.get("show_cases"):
		rows = kpi.mark_amended(
			kpi.case_list(filters, filters.get("measure")), "service_ticket", "service_ticket"
		)
		rows = kpi.mark_class_changed(rows, "service_ticket", "service_ticket")  # R20–R22
		rows = kpi.add_row_pauses(rows, "service_ticket")  # R37
		return case_columns() + kpi.row_pause_columns(), kpi.translated(
			rows, "ticket_type", "status", "verdict"
		)
	group_by = filters.get("group_by") or "Property"
	rows = kpi.count_amendments(
		kpi.case_timeliness(filters, group_by), kpi.case_amendments(filters, group_by)
	)
	kpi.count_amendments(rows, kpi.case_class_changes(filters, group_by), "class_changes")  # R20–R22
	kpi.add_pauses(rows, kpi.case_pauses(filters, group_by), "paused_cases")  # R37
	for row in rows:
		row.group_label = kpi.group_label(group_by, row.group_key)
		row.drill = kpi.drill_filters(filters, group_by, row.group_key)
	columns_ = columns(group_by) + kpi.pause_columns("paused_cases", _("Cases Paused"))
	return columns_, rows, None, chart(rows, group_by), summary(rows)


def columns(group_by: str) -> list[dict]:
	return [
		{"fieldname": "group_label", "label": _(group_by), "fieldtype": "Data", "width": 200},
		{"fieldname": "total", "label": _("Total Cases"), "fieldtype": "Int", "width": 110},
		{"fieldname": "on_time", "label": _("Handled On Time"), "fieldtype": "Int", "width": 130},
		{"fieldname": "late", "label": _("Handled Late"), "fieldtype": "Int", "width": 110},
		{"fieldname": "pending", "label": _("Pending, Not Yet Due"), "fieldtype": "Int", "width": 140},
		{"fieldname": "rate", "label": _("Timeliness Rate"), "fieldtype": "Percent", "width": 130},
		kpi.amendment_column(group=True),
		kpi.class_change_column(group=True),
	]


def case_columns() -> list[dict]:
	return [
		kpi.case_column("service_ticket", width=160),
		{"fieldname": "verdict", "label": _("Timeliness"), "fieldtype": "Data", "width": 90},
		{"fieldname": "ticket_type", "label": _("Case Type"), "fieldtype": "Data", "width": 90},
		kpi.case_column("property", width=120),
		kpi.case_column("unit", width=140),
		kpi.case_column("subject", width=150),
		kpi.case_column("follow_up_owner"),
		kpi.case_column("status"),
		kpi.case_column("call_started_at"),
		{"fieldname": "kpi_due_at", "label": _("Handle By"), "fieldtype": "Datetime"},
		{"fieldname": "handled_at", "label": _("Handled At"), "fieldtype": "Datetime"},
		{"fieldname": "reopen_count", "label": _("Times Reopened"), "fieldtype": "Int", "width": 90},
		kpi.amendment_column(group=False),
		kpi.class_change_column(group=False),
	]


def chart(rows: list[dict], group_by: str) -> dict | None:
	if not rows:
		return None
	return {
		"data": {
			"labels": [r.group_label for r in rows],
			"datasets": [{"name": _("Timeliness Rate"), "values": [r.rate or 0 for r in rows]}],
		},
		"type": "line" if group_by == "Month" else "bar",
		"fieldtype": "Percent",
	}


def summary(rows: list[dict]) -> list[dict]:
	on_time = sum(r.on_time for r in rows)
	total = sum(r.total for r in rows)
	return [
		{"value": total, "label": _("Total Cases"), "datatype": "Int"},
		{"value": on_time, "label": _("Handled On Time"), "datatype": "Int", "indicator": "Green"},
		{"value": total - on_time, "label": _("Handled Late"), "datatype": "Int", "indicator": "Red"},
		{"value": kpi.rate(on_time, total), "label": _("Timeliness Rate"), "datatype": "Percent"},
	]
