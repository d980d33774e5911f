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

from property_helpdesk.constants import (
	CASE,
	DEVELOPER,
	LIAISON_SHEET,
	PROPERTY,
	REPLIED_STATES,
	RESIDENT,
	SETTINGS,
	SETTLEMENT,
	UNIT,
	WORK_ORDER,
)
from property_helpdesk.exceptions import BillingError
from property_helpdesk.services import clocks

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
	"""R11, R39: the published prices in force today (enabled items, within the price's validity), shown at
	intake, on the portal and used to price a work order's lines."""
	today = nowdate()
	price = frappe.qb.DocType("Item Price")
	item = frappe.qb.DocType("Item")
	rows = (
		frappe.qb.from_(price)
		.join(item)
		.on(item.name == price.item_code)
		.select(price.item_code, price.item_name, price.price_list_rate, price.currency)
		.where(
			(price.price_list == fee_price_list())
			& (price.selling == 1)
			& (item.disabled == 0)
			& (price.price_list_rate > 0)
			& ((price.valid_from.isnull()) | (price.valid_from <= today))
			& ((price.valid_upto.isnull()) | (price.valid_upto >= today))
		)
		.orderby(price.item_code)
	).run(as_dict=True)
	return rows


def for_external_developer(ticket) -> bool:
	"""R17: work an external developer bears may be done as a paid service for it."""
	if ticket.liable_party != "Developer" or not ticket.property:
		return False
	return frappe.db.get_value(PROPERTY, ticket.property, "developer_type") == "External Developer"


def is_billable(ticket, work_order) -> bool:
	return bool(work_order.paid_service or ticket.get("acting_for_owner") or for_external_developer(ticket))


def bill_to(ticket, make_customer: bool = False) -> str | None:
	"""Who pays: the external developer for its defects (R17); the liable owner for work done on the owner's
	behalf under 《物业管理条例》第五十六条 (R19), who need not be the resident who called; otherwise the
	resident. A resident without an ERPNext Customer yet has one made when billed (`make_customer`), and is
	None before (the billing queue's view)."""
	if for_external_developer(ticket):
		return developer_customer(frappe.db.get_value(PROPERTY, ticket.property, "developer"))
	resident = ticket.liable_resident if ticket.get("acting_for_owner") else ticket.resident
	if not resident:
		frappe.throw(
			_(
				"Case {0} has no resident to bill, so no ERPNext Customer: choose the resident on the case before billing."
			).format(ticket.name),
			BillingError,
			title=_("Customer Missing"),
		)
	if not make_customer:
		return frappe.db.get_value(RESIDENT, resident, "customer")
	return resident_customer(resident, ticket.unit)


def developer_customer(developer: str) -> str:
	customer = developer and frappe.db.get_value(DEVELOPER, developer, "customer")
	if not customer:
		frappe.throw(
			_("Developer {0} has no ERPNext Customer: set it before billing the recovery.").format(developer),
			BillingError,
			title=_("Customer Missing"),
		)
	return customer


def resident_customer(resident: str, unit: str | None) -> str:
	"""The resident's ERPNext Customer (R39), made the first time they are billed, once: the resident's row is
	locked while it is looked up and made. A second invoice for the same resident at the same moment waits on
	that row until the first commits, then starts a new transaction: the only way it can read the Customer the
	first made (InnoDB's repeatable read hides rows committed after a transaction's first read); both invoices
	bill the one Customer."""
	customer = frappe.db.get_value(RESIDENT, resident, "customer", for_update=True)
	if not customer:
		return make_resident_customer(resident, unit)
	if not frappe.db.exists("Customer", customer):
		frappe.db.commit()  # made by the other invoice: nothing is written before this in the request
	return customer


def make_resident_customer(resident: str, unit: str | None) -> str:
	"""ERPNext's own Customer for a resident: their name, their phone (ERPNext makes the primary Contact from
	it) and the unit billed as the address (the primary Address; the estate stands in for a city it does not
	record). Linked back on the resident, whose portal user then sees the Customer's invoices."""
	doc = frappe.get_doc(RESIDENT, resident)
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": doc.resident_name,
			"customer_type": "Individual",
			"mobile_no": doc.phone,
			"email_id": doc.email,
		}
	)
	if unit:
		estate = frappe.db.get_value(UNIT, unit, "property")
		customer.update(
			{
				"address_line1": unit,
				"city": estate,
				"country": frappe.db.get_value("Company", billing_company(), "country") or "China",
			}
		)
	customer.insert(
		ignore_permissions=True
	)  # billing staff bill; they are not asked to keep ERPNext's parties
	doc.db_set("customer", customer.name)
	doc.link_portal_user_to_customer()
	return customer.name


# source DocType → (the Sales Invoice field linking back to it, its own invoice field, its status field)
LINKS = {
	WORK_ORDER: ("property_helpdesk_work_order", "sales_invoice", "billing_status"),
	SETTLEMENT: ("property_helpdesk_settlement", "recovery_invoice", "recovery_status"),
	LIAISON_SHEET: ("property_helpdesk_liaison_sheet", "recovery_invoice", "recovery_status"),
}


def current_invoice(doctype: str, name: str) -> str | None:
	"""The source's live (draft or submitted) invoice. The source row is locked and its invoice link read in
	that same locking read, which gives the latest committed value whatever this transaction read before (a plain
	read under REPEATABLE READ would give the snapshot of its first read: a user who waited for the lock would
	not see the invoice the other one just made). The invoice is then read by its key. Only these rows are locked
	(and, before a work order's, its case's: the lock order of `clocks.lock_case_of`), never a range of an index,
	so billing two different sources at once never waits on the other."""
	if doctype == WORK_ORDER:
		clocks.lock_case_of(name)
	return live(frappe.db.get_value(doctype, name, LINKS[doctype][1], for_update=True), for_update=True)


def live(invoice: str | None, for_update: bool = False) -> str | None:
	"""The invoice if it is a draft or submitted, else None."""
	if invoice and frappe.db.get_value("Sales Invoice", invoice, "docstatus", for_update=for_update) in (
		0,
		1,
	):
		return invoice
	return None


def sheets_of_case(ticket: str) -> list[str]:
	return frappe.get_all(
		"Liaison Sheet Case",
		filters={"service_ticket": ticket, "parenttype": LIAISON_SHEET},
		pluck="parent",
	)


def recovered_by_sheet(ticket: str) -> str | None:
	"""R17, R40: the invoice of a liaison sheet covering this case that recovered its cost from the developer."""
	for sheet in sheets_of_case(ticket):
		invoice = current_invoice(LIAISON_SHEET, sheet)
		if invoice:
			return invoice
	return None


def billed_as_paid_work(sheet) -> str | None:
	"""R17: the invoice of a case on the sheet already billed to the developer as paid work."""
	customer = frappe.db.get_value(DEVELOPER, sheet.developer, "customer")
	for row in sheet.cases:
		for work_order in frappe.get_all(
			WORK_ORDER, filters={"service_ticket": row.service_ticket}, pluck="name"
		):
			invoice = current_invoice(WORK_ORDER, work_order)
			if invoice and frappe.db.get_value("Sales Invoice", invoice, "customer") == customer:
				return invoice
	return None


def refuse_double_recovery(invoice: str | None, what: str) -> None:
	if invoice:
		frappe.throw(
			_("{0} has already been billed to the developer by invoice {1}.").format(what, invoice),
			BillingError,
			title=_("Already Recovered"),
		)


def invoice_work_order(work_order: str) -> str:
	"""R39: the paid job's Sales Invoice, made now unless it exists (safe under double clicks and races)."""
	existing = current_invoice(WORK_ORDER, work_order)
	if existing:
		return existing
	wo = frappe.get_doc(WORK_ORDER, work_order)
	ticket = frappe.get_doc(CASE, wo.service_ticket)
	if not is_billable(ticket, wo):
		frappe.throw(
			_("Work order {0} is not a paid service.").format(wo.name), BillingError, title=_("Not Billable")
		)
	if for_external_developer(ticket) and not (wo.paid_service or ticket.get("acting_for_owner")):
		# R17: the developer pays either for the paid work or against its signed liaison sheet, not both
		refuse_double_recovery(
			recovered_by_sheet(ticket.name), _("The repair of case {0}").format(ticket.name)
		)
	if not (wo.completed_at and wo.resident_confirmed and wo.resident_signature):
		frappe.throw(
			_("A paid job is billed once it is completed and the resident has signed the work order."),
			BillingError,
			title=_("Not Ready for Billing"),
		)
	if not wo.items or not flt(wo.total_amount):
		frappe.throw(
			_("The work order has no charged materials or labour."), BillingError, title=_("Nothing to Bill")
		)
	customer = bill_to(ticket, make_customer=True)
	invoice = make_invoice(
		customer,
		[
			(row.item_code or SERVICE_ITEM, row.item_name, row.qty, row.rate)
			for row in wo.items
			if flt(row.amount)
		],
		{"property_helpdesk_work_order": wo.name},
		# finance sees billing, not the content of the case: the remark names the job, not the complaint
		_("Paid repair {0}, unit {1}").format(wo.name, ticket.unit),
	)
	return invoice.name


def recover_settlement(settlement: str) -> str:
	"""R44: the recovery invoice to the developer for a settled compensation it bears, once (also once
	across the settlement and its liaison sheet)."""
	existing = current_invoice(SETTLEMENT, settlement)
	if existing:
		return existing
	doc = frappe.get_doc(SETTLEMENT, settlement)
	if doc.workflow_state != "Settled" or doc.liable_party != "Developer":
		frappe.throw(
			_("Only a settled compensation that the developer bears is recovered from the developer."),
			BillingError,
			title=_("Not Recoverable"),
		)
	if doc.liaison_sheet:
		already = current_invoice(LIAISON_SHEET, doc.liaison_sheet)
		if already:
			frappe.throw(
				_("Liaison sheet {0} has already been recovered by invoice {1}.").format(
					doc.liaison_sheet, already
				),
				BillingError,
				title=_("Already Recovered"),
			)
	customer = developer_customer(frappe.db.get_value(PROPERTY, doc.property, "developer"))
	invoice = make_invoice(
		customer,
		[(RECOVERY_ITEM, RECOVERY_ITEM, 1, doc.settled_amount)],
		{"property_helpdesk_settlement": doc.name, "property_helpdesk_liaison_sheet": doc.liaison_sheet},
		_("Recovery of settlement {0} against liaison sheet {1}").format(doc.name, doc.liaison_sheet),
	)
	return invoice.name


RECOVERABLE_REPLIES = ("Confirmed", "Amount Authorised")


def liaison_recovery_amount(sheet) -> float:
	"""R17, R40: what the developer agreed to bear on its signed reply: the authorised amount, else the
	agreed amount."""
	if sheet.reply_decision == "Amount Authorised":
		return flt(sheet.authorised_amount)
	return flt(sheet.agreed_amount) or flt(sheet.requested_amount)


def recover_liaison_sheet(sheet_name: str) -> str:
	"""R17, R40: the cost of a repair the developer bears (the company repairing on the parent developer's
	behalf, or an external developer's defect), recovered against the liaison sheet it signed, once.
	A compensation is recovered through its settlement instead (R44)."""
	existing = current_invoice(LIAISON_SHEET, sheet_name)
	if existing:
		return existing
	sheet = frappe.get_doc(LIAISON_SHEET, sheet_name)
	if sheet.purpose == "Compensation":
		frappe.throw(
			_(
				"A compensation is recovered through its settlement (和解备忘), not through the liaison sheet."
			),
			BillingError,
			title=_("Not Recoverable"),
		)
	if (
		sheet.workflow_state not in REPLIED_STATES
		or sheet.reply_decision not in RECOVERABLE_REPLIES
		or sheet.liable_party != "Developer"
	):
		frappe.throw(
			_(
				"Only a liaison sheet the developer has confirmed, or authorised an amount on, for a cost it bears is recovered."
			),
			BillingError,
			title=_("Not Recoverable"),
		)
	amount = liaison_recovery_amount(sheet)
	if amount <= 0:
		frappe.throw(
			_("The liaison sheet has no agreed amount to recover."), BillingError, title=_("Nothing to Bill")
		)
	refuse_double_recovery(billed_as_paid_work(sheet), _("A repair on liaison sheet {0}").format(sheet.name))
	invoice = make_invoice(
		developer_customer(sheet.developer),
		[(RECOVERY_ITEM, RECOVERY_ITEM, 1, amount)],
		{"property_helpdesk_liaison_sheet": sheet.name},
		_("Recovery against liaison sheet {0}").format(sheet.name),
	)
	return invoice.name


def billing_company() -> str:
	return frappe.db.get_single_value(SETTINGS, "company") or frappe.defaults.get_global_default("company")


def make_invoice(customer: str, lines, links: dict, remarks: str):
	company = billing_company()
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
	if invoice.get("status") == "Credit Note Issued" or frappe.db.exists(
		"Sales Invoice", {"return_against": invoice.name, "is_return": 1, "docstatus": 1}
	):
		return "Credited"
	return "Paid" if flt(invoice.outstanding_amount) <= 0 else "Invoiced"


def set_source_status(doctype: str, name: str, invoice) -> None:
	"""The work order (and its case), the settlement or the liaison sheet follows its invoice: a draft or an
	amendment takes over the link; a cancelled invoice that is no longer the linked one changes nothing."""
	_link, invoice_field, status_field = LINKS[doctype]
	if doctype == WORK_ORDER:
		clocks.lock_case_of(name)  # the work order's row, then its case's, are written below
	status = billing_status(invoice)
	values = {status_field: status}
	if invoice.docstatus < 2:
		values[invoice_field] = invoice.name
	elif frappe.db.get_value(doctype, name, invoice_field) not in (None, "", invoice.name):
		return
	frappe.db.set_value(doctype, name, values, update_modified=False)
	if doctype == WORK_ORDER:
		ticket = frappe.db.get_value(doctype, name, "service_ticket")
		frappe.db.set_value(CASE, ticket, "billing_status", status, update_modified=False)


def on_invoice_event(invoice, method=None):
	"""ERPNext's Sales Invoice events (insert, submit, cancel, update after submit) keep the work order, its
	case, the settlement and the liaison sheet true. A credit note changes the invoice it returns."""
	if invoice.get("is_return") and invoice.get("return_against"):
		invoice = frappe.get_doc("Sales Invoice", invoice.return_against)
	for doctype, (link, _field, _status) in LINKS.items():
		if invoice.get(link):
			set_source_status(doctype, invoice.get(link), invoice)
	from property_helpdesk.services import resident_messages  # R39: the resident told of the invoice

	resident_messages.invoice_event(invoice)


def on_payment_event(payment, method=None):
	"""A Payment Entry (its receipt is the 收据) or a Journal Entry against such an invoice updates the same
	statuses, including payments reconciled later."""
	rows = payment.get("references") or payment.get("accounts") or []
	invoices = {
		row.get("reference_name")
		for row in rows
		if (row.get("reference_doctype") or row.get("reference_type")) == "Sales Invoice"
		and row.get("reference_name")
	}
	for name in invoices:
		on_invoice_event(frappe.get_doc("Sales Invoice", name))
	from property_helpdesk.services import resident_messages  # R39: the resident told of the receipt

	resident_messages.payment_event(payment)


def check_resident_payment(payment, method=None):
	"""R39 不得无凭证收费: money from a resident is taken only against an invoice; an advance or an
	unallocated part is refused."""
	if payment.payment_type != "Receive" or payment.party_type != "Customer":
		return
	if not frappe.db.exists(RESIDENT, {"customer": payment.party}):
		return
	allocated = sum(
		flt(row.allocated_amount) for row in payment.references if row.reference_doctype == "Sales Invoice"
	)
	if allocated <= 0 or flt(payment.unallocated_amount) > 0:
		frappe.throw(
			_(
				"A resident pays against an invoice: allocate the whole payment to the resident's Sales Invoices (no charge without a voucher)."
			),
			BillingError,
			title=_("No Invoice"),
		)


LOCKED_AFTER_INVOICE = ("completed_at", "resident_confirmed", "resident_signature", "total_amount")


def is_billed(work_order) -> bool:
	"""Whether the work order's stored invoice is live (a draft or submitted)."""
	return bool(live(work_order.sales_invoice))


def price_lines(work_order, before) -> None:
	"""R11: a new or changed line of the fee schedule without a rate takes its published price (a line left
	as it was keeps its own, so a later change of price does not touch the job); amounts and total follow."""
	changed = changed_lines(work_order, before)
	prices = published_prices() if changed else {}
	for row in changed:
		if prices.get(row.item_code) and not flt(row.rate):
			row.rate = prices[row.item_code]
	for row in work_order.get("items") or []:
		row.amount = flt(row.qty) * flt(row.rate)
	work_order.total_amount = sum(flt(row.amount) for row in work_order.get("items") or [])


def check_work_order(work_order, before) -> None:
	"""R11: a new or changed line of the fee schedule is charged at its published price; R39: once its invoice
	exists, the work order that is its voucher no longer changes what was billed or signed (until the invoice
	is cancelled)."""
	changed = changed_lines(work_order, before)
	prices = published_prices() if changed else {}
	for row in changed:
		if prices.get(row.item_code) and flt(row.rate) != prices[row.item_code]:
			frappe.throw(
				_("Row {0}: {1} is charged at the published price {2}, not {3}.").format(
					row.idx, row.item_code, prices[row.item_code], flt(row.rate)
				),
				BillingError,
				title=_("Fee Schedule"),
			)
	invoice = before and live(before.sales_invoice)  # the stored invoice, whatever was typed
	if not invoice:
		return
	lines = lambda d: [(r.item_code, r.item_name, flt(r.qty), flt(r.rate)) for r in d.get("items") or []]  # noqa: E731
	changed_fields = [
		f for f in LOCKED_AFTER_INVOICE if str(work_order.get(f) or "") != str(before.get(f) or "")
	]
	if changed_fields or lines(work_order) != lines(before):
		frappe.throw(
			_(
				"Work order {0} has been billed by invoice {1}: cancel the invoice before changing what was charged or signed."
			).format(work_order.name, invoice),
			BillingError,
			title=_("Already Billed"),
		)


def changed_lines(work_order, before) -> list:
	unchanged = {
		row.name: (row.item_code, flt(row.qty), flt(row.rate)) for row in (before.items if before else [])
	}
	return [
		row
		for row in work_order.get("items") or []
		if unchanged.get(row.name) != (row.item_code, flt(row.qty), flt(row.rate))
	]


def published_prices() -> dict[str, float]:
	return {row.item_code: flt(row.price_list_rate) for row in fee_schedule()}


def receipt_lines(payment) -> list[dict]:
	"""The receipt's lines (R39): each invoice paid, the work order or settlement it bills and the unit."""
	lines = []
	for row in payment.get("references") or []:
		if row.reference_doctype != "Sales Invoice":
			continue
		work_order, settlement, sheet = frappe.db.get_value(
			"Sales Invoice",
			row.reference_name,
			[
				"property_helpdesk_work_order",
				"property_helpdesk_settlement",
				"property_helpdesk_liaison_sheet",
			],
		)
		unit = work_order and frappe.db.get_value(WORK_ORDER, work_order, "unit")
		lines.append(
			{
				"invoice": row.reference_name,
				"paid_for": _("Paid repair {0}").format(work_order)
				if work_order
				else (settlement or sheet or _("Services")),
				"unit": unit or "",
				"amount": flt(row.allocated_amount),
			}
		)
	return lines
