"""Billing actions (R39, R44): finance or the office director make the ERPNext invoices; each checks permission."""

import frappe
from frappe import _

from property_helpdesk.constants import (
	CS_MANAGER,
	LIAISON_SHEET,
	OFFICE_DIRECTOR,
	REPLIED_STATES,
	SETTLEMENT,
	WORK_ORDER,
)

FINANCE_ROLES = {"Accounts User", "Accounts Manager", "System Manager"}
BILLING_ROLES = FINANCE_ROLES | {OFFICE_DIRECTOR, CS_MANAGER}


def _check_billing_role(doctype: str, name: str):
	"""Finance bills without reading the case (finance sees billing, not the content of complaints); the
	office's own managers bill what they may read."""
	roles = set(frappe.get_roles())
	if not BILLING_ROLES.intersection(roles):
		frappe.throw(_("Only finance or the office director may bill."), frappe.PermissionError)
	if not FINANCE_ROLES.intersection(roles):
		frappe.get_doc(doctype, name).check_permission("read")


@frappe.whitelist(methods=["POST"])
def invoice_work_order(work_order: str) -> str:
	_check_billing_role(WORK_ORDER, work_order)
	from property_helpdesk.services.billing import invoice_work_order as make

	return make(work_order)


@frappe.whitelist(methods=["POST"])
def recover_settlement(settlement: str) -> str:
	_check_billing_role(SETTLEMENT, settlement)
	from property_helpdesk.services.billing import recover_settlement as make

	return make(settlement)


@frappe.whitelist(methods=["POST"])
def recover_liaison_sheet(sheet: str) -> str:
	_check_billing_role(LIAISON_SHEET, sheet)
	from property_helpdesk.services.billing import recover_liaison_sheet as make

	return make(sheet)


@frappe.whitelist()
def fee_schedule() -> list[dict]:
	"""R11, R39: the fee schedule, for staff at intake (the resident portal shows it too)."""
	from property_helpdesk.services.billing import fee_schedule as schedule

	return schedule()


@frappe.whitelist()
def liaison_recovery(sheet: str) -> dict:
	"""The liaison sheet's recovery invoice and whether one can be made now (R17, R40), for its form."""
	doc = frappe.get_doc(LIAISON_SHEET, sheet)
	doc.check_permission("read")
	from property_helpdesk.services import billing

	invoice = frappe.db.get_value(
		"Sales Invoice",
		{"property_helpdesk_liaison_sheet": sheet, "docstatus": ("<", 2)},
		["name", "status"],
		as_dict=True,
	)
	recoverable = (
		doc.purpose != "Compensation"
		and doc.workflow_state in REPLIED_STATES
		and doc.reply_decision in billing.RECOVERABLE_REPLIES
		and doc.liable_party == "Developer"
		and billing.liaison_recovery_amount(doc) > 0
	)
	return {"invoice": invoice, "recoverable": recoverable and not invoice}
