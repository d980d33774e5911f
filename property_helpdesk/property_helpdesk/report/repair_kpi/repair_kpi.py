# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""零修急修及时率 and 返修率 (R30) against the targets of the service commitment (R31), with the breaches: the
minor/urgent jobs completed late and the rework jobs."""

import frappe
from frappe import _

from property_helpdesk.constants import WORK_ORDER
from property_helpdesk.services import kpi


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if filters.get("show_cases"):
		rows = kpi.mark_amended(
			kpi.job_breaches(filters, filters.get("measure")), "reference_name", "work_order"
		)
		rows = kpi.mark_class_changed(rows, "work_order", "work_order")  # R20–R22
		rows = kpi.add_row_pauses(rows, "service_ticket")  # R37
		return breach_columns() + kpi.row_pause_columns(), kpi.translated(
			rows, "breach", "dispatched_class", "job_class"
		)
	group_by = filters.get("group_by") or "Property"
	rows = kpi.count_amendments(kpi.repair_kpi(filters, group_by), kpi.job_amendments(filters, group_by))
	kpi.count_amendments(rows, kpi.job_class_changes(filters, group_by), "class_changes")  # R20–R22
	kpi.add_pauses(rows, kpi.job_pauses(filters, group_by), "paused_jobs")  # R37
	kpi.add_dispatch(rows, kpi.job_dispatch(filters, group_by))  # R15
	for row in rows:
		row.group_label = kpi.group_label("Person" if group_by == "Technician" else group_by, row.group_key)
		row.drill = kpi.drill_filters(filters, group_by, row.group_key)
	columns_ = columns(group_by) + kpi.pause_columns("paused_jobs", _("Jobs Paused")) + kpi.dispatch_columns()
	return columns_, rows, None, None, summary(rows)


def columns(group_by: str) -> list[dict]:
	return [
		{"fieldname": "group_label", "label": _(group_by), "fieldtype": "Data", "width": 180},
		{"fieldname": "completed", "label": _("Jobs Completed"), "fieldtype": "Int", "width": 110},
		{"fieldname": "minor", "label": _("Minor/Urgent Jobs"), "fieldtype": "Int", "width": 120},
		{"fieldname": "minor_on_time", "label": _("Completed On Time"), "fieldtype": "Int", "width": 120},
		{"fieldname": "minor_late", "label": _("Completed Late"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "minor_rate",
			"label": _("Minor/Urgent Repair Timeliness"),
			"fieldtype": "Percent",
			"width": 150,
		},
		{"fieldname": "minor_target", "label": _("Target"), "fieldtype": "Percent", "width": 80},
		{
			"fieldname": "minor_aim_rate",
			"label": _("Completed Within the Aim"),
			"fieldtype": "Percent",
			"width": 130,
		},
		{"fieldname": "minor_met", "label": _("Target Met"), "fieldtype": "Check", "width": 80},
		{"fieldname": "rework", "label": _("Rework Jobs"), "fieldtype": "Int", "width": 100},
		{"fieldname": "rework_rate", "label": _("Rework Rate"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "rework_ceiling", "label": _("Ceiling"), "fieldtype": "Percent", "width": 80},
		{"fieldname": "rework_met", "label": _("Within Ceiling"), "fieldtype": "Check", "width": 90},
		kpi.amendment_column(group=True),
		kpi.class_change_column(group=True),
	]


def breach_columns() -> list[dict]:
	return [
		{
			"fieldname": "work_order",
			"label": _("Repair Work Order"),
			"fieldtype": "Link",
			"options": WORK_ORDER,
			"width": 150,
		},
		{"fieldname": "breach", "label": _("Breach"), "fieldtype": "Data", "width": 80},
		kpi.case_column("service_ticket"),
		kpi.case_column("property"),
		kpi.case_column("unit"),
		kpi.case_column("subject"),
		{"fieldname": "technician", "label": _("Technician"), "fieldtype": "Link", "options": "User"},
		# R20–R22: judged by the class it was dispatched with; the class it has now beside it
		{"fieldname": "dispatched_class", "label": _("Class at Dispatch"), "fieldtype": "Data"},
		{"fieldname": "job_class", "label": _("Job Class"), "fieldtype": "Data"},
		{"fieldname": "kpi_due_at", "label": _("Completion Deadline"), "fieldtype": "Datetime"},
		{"fieldname": "completed_at", "label": _("Completed At"), "fieldtype": "Datetime"},
		{"fieldname": "minutes_late", "label": _("Minutes Late"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "rework_of",
			"label": _("Rework Of"),
			"fieldtype": "Link",
			"options": WORK_ORDER,
		},
		kpi.amendment_column(group=False),
		kpi.class_change_column(group=False),
	]


def summary(rows: list[dict]) -> list[dict]:
	s = kpi.settings()
	minor_rate = kpi.overall(rows, "minor_on_time", "minor")
	rework_rate = kpi.overall(rows, "rework", "completed")
	return [
		{
			"value": minor_rate,
			"label": _("Minor/Urgent Repair Timeliness"),
			"datatype": "Percent",
			"indicator": "Green"
			if minor_rate is None or minor_rate >= s.minor_repair_timeliness_target
			else "Red",
		},
		{"value": s.minor_repair_timeliness_target, "label": _("Target"), "datatype": "Percent"},
		{
			"value": rework_rate,
			"label": _("Rework Rate"),
			"datatype": "Percent",
			"indicator": "Green" if rework_rate is None or rework_rate <= s.rework_rate_ceiling else "Red",
		},
		{"value": s.rework_rate_ceiling, "label": _("Ceiling"), "datatype": "Percent"},
	]
