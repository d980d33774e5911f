"""Link-field queries for the intake form."""

import frappe

from property_helpdesk.constants import RESIDENT, UNIT


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def residents_of_unit(doctype: str, txt: str, searchfield: str, start: int, page_len: int, filters: dict):
	"""Residents registered for the unit chosen on the case, by name or phone."""
	frappe.has_permission(RESIDENT, "read", throw=True)
	unit = filters.get("unit") if isinstance(filters, dict) else None
	if (
		not isinstance(unit, str)
		or not frappe.db.exists(UNIT, unit)
		or not frappe.has_permission(UNIT, "read", unit)
	):
		return []  # R4, R1: no unit chosen, or one of another office's properties
	resident = frappe.qb.DocType(RESIDENT)
	link = frappe.qb.DocType("Resident Unit")
	like = f"%{txt}%"
	return (
		frappe.qb.from_(resident)
		.join(link)
		.on((link.parent == resident.name) & (link.parenttype == "Resident"))
		.select(resident.name, resident.resident_name, resident.phone)
		.where(link.unit == unit)
		.where((resident.resident_name.like(like)) | (resident.phone.like(like)) | (resident.name.like(like)))
		.orderby(resident.resident_name)
		.limit(page_len)
		.offset(start)
	).run()
