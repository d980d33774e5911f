# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""月度报修汇总 (R27): every repair item of the month by property and developer, for 公司客户服务中心 to check
and the developer to receive; open items (also those carried from earlier months) with their chasers."""

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, get_last_day, today

from property_helpdesk.constants import DEVELOPER
from property_helpdesk.services import kpi


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.get("from_date"):
		last_month = add_months(today(), -1)
		filters.from_date, filters.to_date = get_first_day(last_month), get_last_day(last_month)
	if filters.get("show_cases"):
		rows = kpi.translated(kpi.open_items(filters), "status", "last_escalation")
		rows = kpi.mark_amended(rows, "service_ticket", "service_ticket")
		rows = kpi.mark_class_changed(rows, "service_ticket", "service_ticket")  # R20–R22
		return open_item_columns(), rows
	rows = kpi.count_amendments(kpi.repair_summary(filters), kpi.summary_amendments(filters))
	kpi.count_amendments(rows, kpi.summary_class_changes(filters), "class_changes")  # R20–R22
	for row in rows:
		row.drill = kpi.drill_filters(filters, "Property", row.property)
	return columns(), rows, None, None, summary(rows)


def columns() -> list[dict]:
	return [
		kpi.case_column("property", width=140),
		{
			"fieldname": "developer",
			"label": _("Developer"),
			"fieldtype": "Link",
			"options": DEVELOPER,
			"width": 160,
		},
		{"fieldname": "received", "label": _("Repairs Received"), "fieldtype": "Int", "width": 120},
		{"fieldname": "completed", "label": _("Completed"), "fieldtype": "Int", "width": 100},
		{"fieldname": "still_open", "label": _("Not Completed"), "fieldtype": "Int", "width": 110},
		{"fieldname": "carried", "label": _("Open From Earlier Months"), "fieldtype": "Int", "width": 150},
		{"fieldname": "open_items", "label": _("Open Items"), "fieldtype": "Int", "width": 100},
		{"fieldname": "overdue", "label": _("Overdue Open Items"), "fieldtype": "Int", "width": 130},
		{"fieldname": "reminders", "label": _("Reminders on Open Items"), "fieldtype": "Int", "width": 150},
		kpi.amendment_column(group=True),
		kpi.class_change_column(group=True),
	]


def open_item_columns() -> list[dict]:
	return [
		kpi.case_column("service_ticket"),
		kpi.case_column("property"),
		{
			"fieldname": "developer",
			"label": _("Developer"),
			"fieldtype": "Link",
			"options": DEVELOPER,
		},
		kpi.case_column("unit"),
		kpi.case_column("subject"),
		kpi.case_column("status"),
		kpi.case_column("call_started_at"),
		{"fieldname": "kpi_due_at", "label": _("Handle By"), "fieldtype": "Datetime"},
		{"fieldname": "overdue", "label": _("Overdue"), "fieldtype": "Check", "width": 70},
		kpi.case_column("follow_up_owner"),
		{"fieldname": "reminder_count", "label": _("Reminders"), "fieldtype": "Int", "width": 80},
		{"fieldname": "escalations", "label": _("Escalations"), "fieldtype": "Int", "width": 80},
		{"fieldname": "last_escalation", "label": _("Last Escalated To"), "fieldtype": "Data"},
		{"fieldname": "liaison_chases", "label": _("Liaison Sheet Chases"), "fieldtype": "Int", "width": 110},
		kpi.amendment_column(group=False),
		kpi.class_change_column(group=False),
	]


def summary(rows: list[dict]) -> list[dict]:
	return [
		{"value": sum(r.received for r in rows), "label": _("Repairs Received"), "datatype": "Int"},
		{"value": sum(r.completed for r in rows), "label": _("Completed"), "datatype": "Int"},
		{
			"value": sum(r.open_items for r in rows),
			"label": _("Open Items"),
			"datatype": "Int",
			"indicator": "Orange",
		},
		{
			"value": sum(r.overdue for r in rows),
			"label": _("Overdue Open Items"),
			"datatype": "Int",
			"indicator": "Red",
		},
	]
