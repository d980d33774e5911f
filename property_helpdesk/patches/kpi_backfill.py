"""R29, R30: store what decides the timeliness of the cases and jobs made before the reports existed."""

import frappe

from property_helpdesk.services import clocks


def execute():
	frappe.reload_doc("property_helpdesk", "doctype", "service_ticket")
	frappe.reload_doc("property_helpdesk", "doctype", "repair_work_order")
	for name in frappe.get_all("Service Ticket", filters={"kpi_due_at": ("is", "not set")}, pluck="name"):
		clocks.refresh(name)
