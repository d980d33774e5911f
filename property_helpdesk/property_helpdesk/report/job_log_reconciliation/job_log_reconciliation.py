# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""登记日志核对 (R26): the maintenance team's daily job logs, their open items and whether 客服中心 reconciled
them within the interval of the service commitment."""

import frappe
from frappe import _

from property_helpdesk.constants import JOB_LOG, PROPERTY
from property_helpdesk.services import kpi


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = kpi.job_logs(filters)
	return columns(), rows, None, None, summary(rows)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "job_log",
			"label": _("Maintenance Job Log"),
			"fieldtype": "Link",
			"options": JOB_LOG,
			"width": 200,
		},
		{"fieldname": "property", "label": _("Property"), "fieldtype": "Link", "options": PROPERTY},
		{"fieldname": "log_date", "label": _("Log Date"), "fieldtype": "Date"},
		{"fieldname": "kept_by", "label": _("Kept By"), "fieldtype": "Link", "options": "User"},
		{"fieldname": "jobs", "label": _("Jobs"), "fieldtype": "Int", "width": 70},
		{"fieldname": "open_items", "label": _("Open Items"), "fieldtype": "Int", "width": 90},
		{"fieldname": "reconciled", "label": _("Reconciled"), "fieldtype": "Check", "width": 90},
		{"fieldname": "reconciled_by", "label": _("Reconciled By"), "fieldtype": "Link", "options": "User"},
		{"fieldname": "reconciled_at", "label": _("Reconciled At"), "fieldtype": "Datetime"},
		{"fieldname": "reconcile_by", "label": _("Reconcile By"), "fieldtype": "Date"},
		{"fieldname": "overdue", "label": _("Reconciliation Overdue"), "fieldtype": "Check", "width": 120},
	]


def summary(rows: list[dict]) -> list[dict]:
	reconciled = overdue = open_items = 0
	for r in rows:  # one pass: the list can hold a year of logs of every property
		reconciled += r["reconciled"] or 0
		overdue += r["overdue"] or 0
		open_items += r["open_items"] or 0
	return [
		{"value": len(rows), "label": _("Job Logs"), "datatype": "Int"},
		{"value": reconciled, "label": _("Reconciled"), "datatype": "Int"},
		{"value": overdue, "label": _("Reconciliation Overdue"), "datatype": "Int", "indicator": "Red"},
		{"value": open_items, "label": _("Open Items"), "datatype": "Int"},
	]
