"""The case list's next deadline (the nearest clock still running) for the cases made before it was stored."""

import frappe

from property_helpdesk.services import clocks


def execute():
	frappe.reload_doc("property_helpdesk", "doctype", "service_ticket")
	# the cases whose clocks may still run, with the same rules as every save (the others have no deadline)
	clocks.recompute_open_cases()
