"""R4, R1: the return visits, residents' messages and work order steps made before they carried their property
take it from their case (or work order), so that each office's staff see only their own (access.py)."""

import frappe

from property_helpdesk.constants import CASE, RESIDENT_MESSAGE, RETURN_VISIT, WORK_ORDER, WORK_ORDER_STEP

# DocType: (the link it takes its property from, the DocType that link points to)
SOURCES = {
	RETURN_VISIT: ("service_ticket", CASE),
	RESIDENT_MESSAGE: ("service_ticket", CASE),
	WORK_ORDER_STEP: ("work_order", WORK_ORDER),
}


def execute():
	for doctype, (link, source) in SOURCES.items():
		frappe.reload_doc("property_helpdesk", "doctype", frappe.scrub(doctype))
		# frappe.qb renders neither a qualified SET of an UPDATE … JOIN nor a bracketed subquery in SET: one
		# statement of this module's constant names
		frappe.db.sql(
			f"""update `tab{doctype}` r join `tab{source}` s on s.`name` = r.`{link}`
			set r.`property` = s.`property` where ifnull(r.`property`, '') = ''"""
		)
