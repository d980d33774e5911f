"""Who is calling (R1, R5, R34): what the office knows of a phone number at intake — the residents with it, the
units whose owner or residents have it or whose past cases gave it as the contact, those units' open cases (with
their follow-up owner) and recent ones — so the agent starts a new case for the right unit or opens the open one.
"""

import frappe
from frappe import _

from property_helpdesk.constants import CASE, CLOSED_STATES, RESIDENT, UNIT
from property_helpdesk.exceptions import InvalidPhoneError
from property_helpdesk.procedure.validation import phone_forms

RECENT_CASES = 5
CASE_FIELDS = ("name", "unit", "subject", "ticket_type", "status", "follow_up_owner", "creation")


@frappe.whitelist()
def find_caller(phone: str) -> dict:
	"""Everything the office knows of `phone`, for staff who take calls (those who may read cases)."""
	frappe.has_permission(CASE, "read", throw=True)
	forms = phone_forms(phone)
	if not forms:
		frappe.throw(
			_("{0} {1} is not a valid mobile or landline number.").format(_("Phone"), frappe.bold(phone)),
			InvalidPhoneError,
			title=_("Invalid Phone Number"),
		)
	forms = list(forms)
	residents = frappe.get_list(
		RESIDENT, filters={"phone": ("in", forms)}, fields=["name", "resident_name", "phone"], limit=20
	)
	resident_units = frappe.get_all(
		"Resident Unit",
		filters={"parenttype": RESIDENT, "parent": ("in", [r.name for r in residents] or [""])},
		fields=["parent", "unit", "relation"],
	)
	units = dict.fromkeys(row.unit for row in resident_units)
	units.update(dict.fromkeys(frappe.get_list(UNIT, filters={"owner_phone": ("in", forms)}, pluck="name")))
	units.update(
		dict.fromkeys(
			frappe.get_list(
				CASE, filters={"contact_phone": ("in", forms)}, pluck="unit", distinct=True, limit=20
			)
		)
	)
	units = [u for u in units if u]
	for resident in residents:
		resident["units"] = [
			{"unit": row.unit, "relation": _(row.relation)}
			for row in resident_units
			if row.parent == resident.name
		]
	open_cases = frappe.get_list(
		CASE,
		filters={"unit": ("in", units or [""]), "status": ("not in", CLOSED_STATES)},
		fields=[*CASE_FIELDS, "follow_up_owner_name", "follow_up_owner_phone"],
		order_by="creation desc",
		limit=50,
	)
	recent = frappe.get_list(
		CASE,
		filters={"unit": ("in", units or [""]), "status": ("in", CLOSED_STATES)},
		fields=list(CASE_FIELDS),
		order_by="creation desc",
		limit=RECENT_CASES,
	)
	for case in (*open_cases, *recent):
		case["status_label"] = _(case.status)
		case["ticket_type_label"] = _(case.ticket_type)
	unit_rows = frappe.get_list(
		UNIT,
		filters={"name": ("in", units or [""])},
		fields=["name", "property", "building", "unit_no", "owner_name", "owner_phone"],
		order_by="name",
	)
	# R4, R1: a resident's units of another office's property are not shown (unit_rows are the readable ones)
	readable = {row.name for row in unit_rows}
	for resident in residents:
		resident["units"] = [row for row in resident["units"] if row["unit"] in readable]
	return {"residents": residents, "units": unit_rows, "open_cases": open_cases, "recent_cases": recent}
