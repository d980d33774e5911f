"""R20–R22: the jobs made before the class was stamped at dispatch were never changed by a recorded request, so
the class they have is the one they were dispatched with."""

import frappe

from property_helpdesk.constants import WORK_ORDER


def execute():
	frappe.reload_doc("property_helpdesk", "doctype", "repair_work_order")
	w = frappe.qb.DocType(WORK_ORDER)
	(
		frappe.qb.update(w)
		.set(w.dispatched_class, w.job_class)
		.where(w.dispatched_class.isnull() | (w.dispatched_class == ""))
	).run()
