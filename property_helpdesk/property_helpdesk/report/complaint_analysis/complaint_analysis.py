# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""投诉统计分析 (R32): 品质部's half-yearly analysis of complaints (or service requests) by ground, property,
team, recurring unit, validity class or month; "Show Cases" lists the complaints behind a row."""

import frappe
from frappe import _

from property_helpdesk.constants import ANSWER_TYPES, COMPLAINT_GROUND
from property_helpdesk.services import kpi


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.get("from_date"):
		filters.from_date, filters.to_date = kpi.half_year()
	if filters.get("show_cases"):
		rows = kpi.case_list(filters, filters.get("measure"), types=ANSWER_TYPES)
		rows = kpi.mark_amended(rows, "service_ticket", "service_ticket")
		return case_columns(), kpi.translated(rows, "ticket_type", "status", "validity_class", "verdict")
	group_by = filters.get("group_by") or "Ground"
	rows = kpi.count_amendments(
		kpi.complaint_analysis(filters, group_by), kpi.complaint_amendments(filters, group_by)
	)
	grounds = ground_texts(rows) if group_by == "Ground" else {}
	for row in rows:
		row.group_label = grounds.get(row.group_key) or kpi.group_label(group_by, row.group_key)
		row.drill = kpi.drill_filters(filters, group_by, row.group_key)
		if not row.group_key and group_by in ("Ground", "Validity Class", "Unit"):
			row.drill = None  # "not set" cannot be a filter value
	return columns(group_by), rows, None, chart(rows), summary(rows)


def ground_texts(rows: list[dict]) -> dict:
	keys = [r.group_key for r in rows if r.group_key]
	return {
		g.name: f"{g.name} {g.ground}"[:80]
		for g in frappe.get_all(COMPLAINT_GROUND, filters={"name": ("in", keys)}, fields=["name", "ground"])
	}


def columns(group_by: str) -> list[dict]:
	return [
		{"fieldname": "group_label", "label": _(group_by), "fieldtype": "Data", "width": 240},
		{"fieldname": "total", "label": _("Complaints"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share of Complaints"), "fieldtype": "Percent", "width": 80},
		{"fieldname": "valid", "label": _("Valid Complaint"), "fieldtype": "Int", "width": 100},
		{"fieldname": "to_assist", "label": _("Matter to Assist"), "fieldtype": "Int", "width": 100},
		{"fieldname": "excessive", "label": _("Excessive Demand"), "fieldtype": "Int", "width": 100},
		{"fieldname": "unclassified", "label": _("Not Classified"), "fieldtype": "Int", "width": 100},
		{"fieldname": "resolved", "label": _("Resolved"), "fieldtype": "Int", "width": 80},
		{"fieldname": "on_time", "label": _("Handled On Time"), "fieldtype": "Int", "width": 110},
		{"fieldname": "late", "label": _("Handled Late"), "fieldtype": "Int", "width": 100},
		{"fieldname": "rate", "label": _("Timeliness Rate"), "fieldtype": "Percent", "width": 110},
		kpi.amendment_column(group=True),
	]


def case_columns() -> list[dict]:
	return [
		kpi.case_column("service_ticket"),
		{"fieldname": "ticket_type", "label": _("Case Type"), "fieldtype": "Data", "width": 90},
		kpi.case_column("property"),
		kpi.case_column("unit"),
		kpi.case_column("subject"),
		{
			"fieldname": "complaint_ground",
			"label": _("Complaint Ground"),
			"fieldtype": "Link",
			"options": COMPLAINT_GROUND,
		},
		{"fieldname": "validity_class", "label": _("Validity Class"), "fieldtype": "Data"},
		kpi.case_column("status"),
		{"fieldname": "verdict", "label": _("Timeliness"), "fieldtype": "Data", "width": 90},
		kpi.case_column("call_started_at"),
		kpi.case_column("follow_up_owner"),
		kpi.amendment_column(group=False),
	]


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:15]
	return {
		"data": {
			"labels": [r.group_label for r in top],
			"datasets": [{"name": _("Complaints"), "values": [r.total for r in top]}],
		},
		"type": "bar",
	}


def summary(rows: list[dict]) -> list[dict]:
	return [
		{"value": sum(r.total for r in rows), "label": _("Complaints"), "datatype": "Int"},
		{
			"value": sum(r.valid for r in rows),
			"label": _("Valid Complaint"),
			"datatype": "Int",
			"indicator": "Red",
		},
		{"value": sum(r.to_assist for r in rows), "label": _("Matter to Assist"), "datatype": "Int"},
		{"value": sum(r.excessive for r in rows), "label": _("Excessive Demand"), "datatype": "Int"},
	]
