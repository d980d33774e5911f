"""R29, R30: store what decides the timeliness of the cases and jobs made before the reports existed."""

import frappe

from property_helpdesk.constants import CASE, WORK_ORDER
from property_helpdesk.services import clocks


def execute():
	frappe.reload_doc("property_helpdesk", "doctype", "service_ticket")
	frappe.reload_doc("property_helpdesk", "doctype", "repair_work_order")
	for name in frappe.get_all(CASE, filters={"kpi_due_at": ("is", "not set")}, pluck="name"):
		clocks.refresh(name)
	# refresh() dates the case's current job; an earlier job that was later redone needs its own due time, or
	# R30 would count it on time
	commitment = clocks.get_commitment()
	jobs = frappe.get_all(
		WORK_ORDER,
		filters={"kpi_due_at": ("is", "not set"), "service_ticket": ("is", "set")},
		fields=["name", "service_ticket"],
	)
	for job in jobs:
		ticket = frappe.get_doc(CASE, job.service_ticket)
		work_order = frappe.get_doc(WORK_ORDER, job.name)
		clocks.refresh_job_due(work_order, clocks.case_times(ticket, work_order, None), commitment)
