"""Billing Queue (待开票, R17, R19, R39, R40, R44): what is ready to be billed in ERPNext and has no live invoice —
paid work orders completed and signed by the resident, settled compensations and signed liaison sheets a
developer bears. Finance works from here: it shows whom to bill and how much, not the content of the case."""

import frappe
from frappe import _
from frappe.utils import flt

from property_helpdesk.access import property_filter, restrict
from property_helpdesk.constants import CASE, LIAISON_SHEET, SETTLEMENT
from property_helpdesk.services import billing


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	return columns(), work_orders(filters) + settlements(filters) + liaison_sheets(filters)


def columns() -> list[dict]:
	# Property and unit as text: finance reads no DocType of the app, and Frappe filters Link columns by read rights
	return [
		{"fieldname": "source_type", "label": _("Source Type"), "fieldtype": "Data", "width": 150},
		{"fieldname": "source", "label": _("Source"), "fieldtype": "Dynamic Link", "options": "source_type", "width": 170},
		{"fieldname": "property", "label": _("Property"), "fieldtype": "Data", "width": 140},
		{"fieldname": "unit", "label": _("Housing Unit"), "fieldtype": "Data", "width": 150},
		{"fieldname": "customer", "label": _("Bill To"), "fieldtype": "Link", "options": "Customer", "width": 160},
		{"fieldname": "amount", "label": _("Amount"), "fieldtype": "Currency", "width": 110},
		{"fieldname": "ready_at", "label": _("Ready Since"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "note", "label": _("Note"), "fieldtype": "Data", "width": 260},
	]  # fmt: skip


def queue_row(source_type: str, source: str, prop: str, amount, ready_at, bill_to, unit: str = "") -> dict:
	"""One row: whom to bill (`bill_to()`), or the translated reason billing would fail now (e.g. no resident
	on the case) in its note; a resident billed for the first time has their Customer made then."""
	try:
		customer, note = bill_to(), ""
	except frappe.ValidationError as error:
		frappe.clear_last_message()
		customer, note = None, str(error)
	if not (customer or note):
		note = _("The resident's ERPNext Customer is made when they are first billed.")
	return {
		"source_type": source_type,
		"source": source,
		"property": prop,
		"unit": unit,
		"customer": customer,
		"amount": flt(amount),
		"ready_at": ready_at,
		"note": note,
	}


def mine(conditions: dict, doctype: str) -> dict:
	"""R4, R1: get_all skips Frappe's User Permissions: keep the rows to the user's properties."""
	allowed = property_filter(doctype=doctype)
	if allowed is not None:
		chosen = conditions.get("property")
		conditions["property"] = ("in", [p for p in allowed[1] if p == chosen] or [""]) if chosen else allowed
	return conditions


def work_orders(filters) -> list[dict]:
	wo = frappe.qb.DocType("Repair Work Order")
	ticket = frappe.qb.DocType("Service Ticket")
	query = (
		frappe.qb.from_(wo)
		.join(ticket)
		.on(ticket.name == wo.service_ticket)
		.select(
			wo.name,
			wo.service_ticket,
			wo.paid_service,
			ticket.property,
			wo.unit,
			wo.total_amount,
			wo.completed_at,
		)
		.where(
			wo.completed_at.isnotnull()
			& (wo.resident_confirmed == 1)
			& wo.resident_signature.isnotnull()
			& (wo.total_amount > 0)
			& (wo.billing_status.isnull() | wo.billing_status.isin(["", "Cancelled"]))
			& ((wo.paid_service == 1) | (ticket.acting_for_owner == 1) | (ticket.liable_party == "Developer"))
		)
		.orderby(wo.completed_at)
	)
	if filters.property:
		query = query.where(ticket.property == filters.property)
	query = restrict(query, ticket.property, doctype=CASE)  # R4, R1: qb skips Frappe's User Permissions
	rows = []
	for row in query.run(as_dict=True):
		doc = frappe.get_doc("Service Ticket", row.service_ticket)
		if not billing.is_billable(doc, row):
			continue
		if not (row.paid_service or doc.acting_for_owner) and billing.recovered_by_sheet(doc.name):
			continue  # R17: the developer paid for it against its signed liaison sheet
		rows.append(
			queue_row(
				"Repair Work Order",
				row.name,
				row.property,
				row.total_amount,
				row.completed_at,
				lambda doc=doc: billing.bill_to(doc),
				unit=row.unit,
			)
		)
	return rows


def settlements(filters) -> list[dict]:
	conditions = {
		"workflow_state": "Settled",
		"liable_party": "Developer",
		"recovery_status": ("in", ["", "Cancelled"]),
	}
	if filters.property:
		conditions["property"] = filters.property
	mine(conditions, SETTLEMENT)
	rows = []
	for row in frappe.get_all(
		"Compensation Settlement",
		filters=conditions,
		fields=["name", "property", "settled_amount", "modified"],
		order_by="modified",
	):
		developer = frappe.db.get_value("Property", row.property, "developer")
		rows.append(
			queue_row(
				"Compensation Settlement",
				row.name,
				row.property,
				row.settled_amount,
				row.modified,
				lambda developer=developer: billing.developer_customer(developer),
			)
		)
	return rows


def liaison_sheets(filters) -> list[dict]:
	conditions = {
		"workflow_state": ("in", ["Replied", "Closed"]),
		"reply_decision": ("in", list(billing.RECOVERABLE_REPLIES)),
		"liable_party": "Developer",
		"purpose": ("!=", "Compensation"),
		"recovery_status": ("in", ["", "Cancelled"]),
	}
	if filters.property:
		conditions["property"] = filters.property
	mine(conditions, LIAISON_SHEET)
	rows = []
	for sheet in frappe.get_all(
		"Liaison Sheet",
		filters=conditions,
		fields=["name", "property", "developer", "reply_decision", "authorised_amount", "agreed_amount",
			"requested_amount", "replied_at", "recovery_invoice"],
		order_by="replied_at",
	):  # fmt: skip
		amount = billing.liaison_recovery_amount(sheet)
		if amount <= 0 or billing.billed_as_paid_work(frappe.get_doc("Liaison Sheet", sheet.name)):
			continue
		rows.append(
			queue_row(
				"Liaison Sheet",
				sheet.name,
				sheet.property,
				amount,
				sheet.replied_at,
				lambda sheet=sheet: billing.developer_customer(sheet.developer),
			)
		)
	return rows
