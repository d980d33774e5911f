"""Paid repairs and recovery billed in ERPNext (R11, R17, R19, R39, R44).

The fee schedule (收费标准) is ERPNext's own: Items priced in a selling Price List named in Settings. A paid
work order, completed and signed by the resident, becomes a Sales Invoice for the resident's Customer; payment
is an ERPNext Payment Entry, whose receipt (收据) is what the resident gets. A settlement whose cost a developer
bears becomes a recovery invoice to the developer's Customer. ERPNext's own events keep the work order and the
case true (see `on_invoice_event`, `on_payment_event`). Every invoice is made once: the source row is locked
and the link checked under the lock.
"""

import frappe
from frappe import _
from frappe.utils import flt, nowdate

SETTINGS = "Property Helpdesk Settings"
SERVICE_ITEM = "物业维修服务费"  # fallback item for work-order lines without an item of the fee schedule
RECOVERY_ITEM = "开发商责任赔付追偿"
FEE_ITEMS = (
	# item, rate: the seeded fee schedule, editable in ERPNext afterwards
	(SERVICE_ITEM, 0),
	("上门维修人工费（每小时）", 50),
	("疏通下水道", 80),
	("更换水龙头阀芯（不含材料）", 30),
	("室内保洁（每小时）", 40),
	(RECOVERY_ITEM, 0),
)


def fee_price_list() -> str:
	return frappe.db.get_single_value(SETTINGS, "fee_price_list") or "Standard Selling"


def ensure_fee_schedule() -> None:
	"""Seed the items and prices of the fee schedule once, when ERPNext's setup is complete."""
	if not frappe.db.get_single_value("System Settings", "setup_complete") or not frappe.db.exists(
		"Item Group", "Services"
	):
		return
	price_list = fee_price_list()
	for item, rate in FEE_ITEMS:
		if not frappe.db.exists("Item", item):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": item,
					"item_name": item,
					"item_group": "Services",
					"stock_uom": "Nos",
					"is_stock_item": 0,
					"include_item_in_manufacturing": 0,
				}
			).insert(ignore_permissions=True)
		if rate and not frappe.db.exists("Item Price", {"item_code": item, "price_list": price_list}):
			frappe.get_doc(
				{
					"doctype": "Item Price",
					"item_code": item,
					"price_list": price_list,
					"price_list_rate": rate,
				}
			).insert(ignore_permissions=True)


def fee_schedule() -> list[dict]:
	"""R11, R39: the published prices, shown at intake and on the portal."""
	return frappe.get_all(
		"Item Price",
		filters={"price_list": fee_price_list(), "selling": 1},
		fields=["item_code", "item_name", "price_list_rate", "currency"],
		order_by="item_code",
	)


def for_external_developer(ticket) -> bool:
	"""R17: work an external developer bears may be done as a paid service for it."""
	if ticket.liable_party != "Developer" or not ticket.property:
		return False
	return frappe.db.get_value("Property", ticket.property, "developer_type") == "External Developer"


def bill_to(ticket) -> str:
	"""Who pays: the external developer for its defects (R17); otherwise the resident, including work done on
	the owner's behalf under 《物业管理条例》第五十六条 (R19)."""
	if for_external_developer(ticket):
		developer = frappe.db.get_value("Property", ticket.property, "developer")
		customer = frappe.db.get_value("Property Developer", developer, "customer")
		if not customer:
			frappe.throw(
				_("Developer {0} has no ERPNext Customer: set it before billing the recovery.").format(
					developer
				),
				title=_("Customer Missing"),
			)
		return customer
	return resident_customer(ticket)


def resident_customer(ticket) -> str:
	customer = ticket.resident and frappe.db.get_value("Resident", ticket.resident, "customer")
	if not customer:
		frappe.throw(
			_(
				"Case {0} has no resident with an ERPNext Customer: set the Customer on the resident before billing."
			).format(ticket.name),
			title=_("Customer Missing"),
		)
	return customer


def invoice_work_order(work_order: str) -> str:
	"""R39: the paid job's Sales Invoice, made now unless it exists (safe under double clicks and races)."""
	frappe.db.get_value("Repair Work Order", work_order, "name", for_update=True)
	wo = frappe.get_doc("Repair Work Order", work_order)
	if wo.sales_invoice and frappe.db.get_value("Sales Invoice", wo.sales_invoice, "docstatus") != 2:
		return wo.sales_invoice
	ticket = frappe.get_doc("Service Ticket", wo.service_ticket)
	customer = bill_to(ticket)
	if not (wo.paid_service or for_external_developer(ticket)):
		frappe.throw(_("Work order {0} is not a paid service.").format(wo.name), title=_("Not Billable"))
	if not (wo.completed_at and wo.resident_confirmed and wo.resident_signature):
		frappe.throw(
			_("A paid job is billed once it is completed and the resident has signed the work order."),
			title=_("Not Ready for Billing"),
		)
	if not wo.items or not flt(wo.total_amount):
		frappe.throw(_("The work order has no charged materials or labour."), title=_("Nothing to Bill"))
	invoice = make_invoice(
		customer,
		[
			(row.item_code or SERVICE_ITEM, row.item_name, row.qty, row.rate)
			for row in wo.items
			if flt(row.amount)
		],
		{"property_helpdesk_work_order": wo.name},
		_("Paid repair {0}, {1}: {2}").format(wo.name, ticket.unit, ticket.subject),
	)
	wo.db_set({"sales_invoice": invoice.name, "billing_status": billing_status(invoice)})
	return invoice.name


def recover_settlement(settlement: str) -> str:
	"""R44: the recovery invoice to the developer for a settled compensation it bears, once."""
	frappe.db.get_value("Compensation Settlement", settlement, "name", for_update=True)
	doc = frappe.get_doc("Compensation Settlement", settlement)
	if doc.recovery_invoice and frappe.db.get_value("Sales Invoice", doc.recovery_invoice, "docstatus") != 2:
		return doc.recovery_invoice
	if doc.workflow_state != "Settled" or doc.liable_party != "Developer":
		frappe.throw(
			_("Only a settled compensation that the developer bears is recovered from the developer."),
			title=_("Not Recoverable"),
		)
	developer = frappe.db.get_value("Property", doc.property, "developer")
	customer = frappe.db.get_value("Property Developer", developer, "customer")
	if not customer:
		frappe.throw(
			_("Developer {0} has no ERPNext Customer: set it before billing the recovery.").format(developer),
			title=_("Customer Missing"),
		)
	invoice = make_invoice(
		customer,
		[(RECOVERY_ITEM, RECOVERY_ITEM, 1, doc.settled_amount)],
		{"property_helpdesk_settlement": doc.name, "property_helpdesk_liaison_sheet": doc.liaison_sheet},
		_("Recovery of settlement {0} against liaison sheet {1}").format(doc.name, doc.liaison_sheet),
	)
	doc.db_set("recovery_invoice", invoice.name)
	return invoice.name


def make_invoice(customer: str, lines, links: dict, remarks: str):
	company = frappe.db.get_single_value(SETTINGS, "company") or frappe.defaults.get_global_default("company")
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company,
			"posting_date": nowdate(),
			"due_date": nowdate(),
			"selling_price_list": fee_price_list(),
			"remarks": remarks,
			"items": [
				{"item_code": code, "item_name": name, "qty": flt(qty) or 1, "rate": flt(rate)}
				for code, name, qty, rate in lines
			],
			**links,
		}
	)
	invoice.flags.ignore_permissions = True
	invoice.insert()
	if frappe.db.get_single_value(SETTINGS, "submit_invoices"):
		invoice.submit()
	return invoice


def billing_status(invoice) -> str:
	if invoice.docstatus == 2:
		return "Cancelled"
	if invoice.docstatus == 0:
		return "Draft Invoice"
	return "Paid" if flt(invoice.outstanding_amount) <= 0 else "Invoiced"


def on_invoice_event(invoice, method=None):
	"""ERPNext's Sales Invoice events keep the work order, its case and the settlement true."""
	status = billing_status(invoice)
	if invoice.get("property_helpdesk_work_order"):
		wo = invoice.property_helpdesk_work_order
		frappe.db.set_value("Repair Work Order", wo, "billing_status", status, update_modified=False)
		ticket = frappe.db.get_value("Repair Work Order", wo, "service_ticket")
		frappe.db.set_value("Service Ticket", ticket, "billing_status", status, update_modified=False)
	if invoice.get("property_helpdesk_settlement"):
		frappe.db.set_value(
			"Compensation Settlement",
			invoice.property_helpdesk_settlement,
			"recovery_status",
			status,
			update_modified=False,
		)


def on_payment_event(payment, method=None):
	"""A Payment Entry (its receipt is the 收据) against such an invoice updates the same statuses."""
	for ref in payment.references:
		if ref.reference_doctype == "Sales Invoice":
			invoice = frappe.get_doc("Sales Invoice", ref.reference_name)
			on_invoice_event(invoice)
