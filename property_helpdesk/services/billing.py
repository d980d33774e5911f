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
	return frappe.db.get_value("Property", ticket.property, "developer_type") == "External Developer"


def is_billable(ticket, work_order) -> bool:
	return bool(work_order.paid_service or ticket.get("acting_for_owner") or for_external_developer(ticket))


def bill_to(ticket) -> str:
	"""Who pays: the external developer for its defects (R17); the liable owner for work done on the owner's
	behalf under 《物业管理条例》第五十六条 (R19), who need not be the resident who called; otherwise the
	resident."""
	if for_external_developer(ticket):
		return developer_customer(frappe.db.get_value("Property", ticket.property, "developer"))
	if ticket.get("acting_for_owner"):
		return resident_customer(ticket, ticket.liable_resident)
	return resident_customer(ticket, ticket.resident)


def developer_customer(developer: str) -> str:
	customer = developer and frappe.db.get_value("Property Developer", developer, "customer")
	if not customer:
		frappe.throw(
			_("Developer {0} has no ERPNext Customer: set it before billing the recovery.").format(developer),
			title=_("Customer Missing"),
		)
	return customer


def resident_customer(ticket, resident: str | None) -> str:
	customer = resident and frappe.db.get_value("Resident", resident, "customer")
	if not customer:
		frappe.throw(
			_(
				"Case {0} has no resident with an ERPNext Customer: set the Customer on the resident before billing."
			).format(ticket.name),
			title=_("Customer Missing"),
		)
	return customer


def live_invoice(link_field: str, source: str) -> str | None:
	"""The draft or submitted invoice made for a source, read with a lock: a transaction that waited for the
	source's lock must see what the first one committed, which a plain read under REPEATABLE READ does not.
	Amended invoices carry the link too, so an amendment counts as the source's invoice."""
	rows = frappe.db.sql(
		f"""select name from `tabSales Invoice`
		where `{link_field}` = %s and docstatus < 2 order by creation desc limit 1 for update""",
		source,
	)
	return rows[0][0] if rows else None


def invoice_work_order(work_order: str) -> str:
	"""R39: the paid job's Sales Invoice, made now unless it exists (safe under double clicks and races)."""
	frappe.db.get_value("Repair Work Order", work_order, "name", for_update=True)
	existing = live_invoice("property_helpdesk_work_order", work_order)
	if existing:
		return existing
	wo = frappe.get_doc("Repair Work Order", work_order)
	ticket = frappe.get_doc("Service Ticket", wo.service_ticket)
	if not is_billable(ticket, wo):
		frappe.throw(_("Work order {0} is not a paid service.").format(wo.name), title=_("Not Billable"))
	if not (wo.completed_at and wo.resident_confirmed and wo.resident_signature):
		frappe.throw(
			_("A paid job is billed once it is completed and the resident has signed the work order."),
			title=_("Not Ready for Billing"),
		)
	if not wo.items or not flt(wo.total_amount):
		frappe.throw(_("The work order has no charged materials or labour."), title=_("Nothing to Bill"))
	customer = bill_to(ticket)
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
	set_source_status("Repair Work Order", wo.name, invoice, ticket=wo.service_ticket)
	return invoice.name


def recover_settlement(settlement: str) -> str:
	"""R44: the recovery invoice to the developer for a settled compensation it bears, once (also once
	across the settlement and its liaison sheet)."""
	frappe.db.get_value("Compensation Settlement", settlement, "name", for_update=True)
	existing = live_invoice("property_helpdesk_settlement", settlement)
	if existing:
		return existing
	doc = frappe.get_doc("Compensation Settlement", settlement)
	if doc.workflow_state != "Settled" or doc.liable_party != "Developer":
		frappe.throw(
			_("Only a settled compensation that the developer bears is recovered from the developer."),
			title=_("Not Recoverable"),
		)
	if doc.liaison_sheet:
		frappe.db.get_value("Liaison Sheet", doc.liaison_sheet, "name", for_update=True)
		already = live_invoice("property_helpdesk_liaison_sheet", doc.liaison_sheet)
		if already:
			frappe.throw(
				_("Liaison sheet {0} has already been recovered by invoice {1}.").format(
					doc.liaison_sheet, already
				),
				title=_("Already Recovered"),
			)
	customer = developer_customer(frappe.db.get_value("Property", doc.property, "developer"))
	invoice = make_invoice(
		customer,
		[(RECOVERY_ITEM, RECOVERY_ITEM, 1, doc.settled_amount)],
		{"property_helpdesk_settlement": doc.name, "property_helpdesk_liaison_sheet": doc.liaison_sheet},
		_("Recovery of settlement {0} against liaison sheet {1}").format(doc.name, doc.liaison_sheet),
	)
	set_source_status("Compensation Settlement", doc.name, invoice)
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
	frappe.db.get_value("Liaison Sheet", sheet_name, "name", for_update=True)
	existing = live_invoice("property_helpdesk_liaison_sheet", sheet_name)
	if existing:
		return existing
	sheet = frappe.get_doc("Liaison Sheet", sheet_name)
	if sheet.purpose == "Compensation":
		frappe.throw(
			_(
				"A compensation is recovered through its settlement (和解备忘), not through the liaison sheet."
			),
			title=_("Not Recoverable"),
		)
	if (
		sheet.workflow_state not in ("Replied", "Closed")
		or sheet.reply_decision not in RECOVERABLE_REPLIES
		or sheet.liable_party != "Developer"
	):
		frappe.throw(
			_(
				"Only a liaison sheet the developer has confirmed, or authorised an amount on, for a cost it bears is recovered."
			),
			title=_("Not Recoverable"),
		)
	amount = liaison_recovery_amount(sheet)
	if amount <= 0:
		frappe.throw(_("The liaison sheet has no agreed amount to recover."), title=_("Nothing to Bill"))
	invoice = make_invoice(
		developer_customer(sheet.developer),
		[(RECOVERY_ITEM, RECOVERY_ITEM, 1, amount)],
		{"property_helpdesk_liaison_sheet": sheet.name},
		_("Recovery against liaison sheet {0}").format(sheet.name),
	)
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
	if invoice.get("status") == "Credit Note Issued" or frappe.db.exists(
		"Sales Invoice", {"return_against": invoice.name, "is_return": 1, "docstatus": 1}
	):
		return "Credited"
	return "Paid" if flt(invoice.outstanding_amount) <= 0 else "Invoiced"


def set_source_status(doctype: str, name: str, invoice, ticket: str | None = None) -> None:
	"""The work order (and its case) or the settlement follow its invoice; an amendment takes over the link."""
	status = billing_status(invoice)
	if doctype == "Repair Work Order":
		values = {"billing_status": status}
		if invoice.docstatus < 2:
			values["sales_invoice"] = invoice.name
		elif frappe.db.get_value(doctype, name, "sales_invoice") not in (None, "", invoice.name):
			return  # a cancelled old invoice does not overwrite its amendment's status
		frappe.db.set_value(doctype, name, values, update_modified=False)
		ticket = ticket or frappe.db.get_value(doctype, name, "service_ticket")
		frappe.db.set_value("Service Ticket", ticket, "billing_status", status, update_modified=False)
	elif doctype == "Compensation Settlement":
		values = {"recovery_status": status}
		if invoice.docstatus < 2:
			values["recovery_invoice"] = invoice.name
		elif frappe.db.get_value(doctype, name, "recovery_invoice") not in (None, "", invoice.name):
			return
		frappe.db.set_value(doctype, name, values, update_modified=False)


def on_invoice_event(invoice, method=None):
	"""ERPNext's Sales Invoice events keep the work order, its case and the settlement true. A credit note
	changes the invoice it returns; an amended invoice takes the place of the one it amends."""
	if invoice.get("is_return") and invoice.get("return_against"):
		invoice = frappe.get_doc("Sales Invoice", invoice.return_against)
	if invoice.get("property_helpdesk_work_order"):
		set_source_status("Repair Work Order", invoice.property_helpdesk_work_order, invoice)
	if invoice.get("property_helpdesk_settlement"):
		set_source_status("Compensation Settlement", invoice.property_helpdesk_settlement, invoice)


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


def check_resident_payment(payment, method=None):
	"""R39 不得无凭证收费: money from a resident is taken only against an invoice; an advance or an
	unallocated part is refused."""
	if payment.payment_type != "Receive" or payment.party_type != "Customer":
		return
	if not frappe.db.exists("Resident", {"customer": payment.party}):
		return
	allocated = sum(
		flt(row.allocated_amount) for row in payment.references if row.reference_doctype == "Sales Invoice"
	)
	if allocated <= 0 or flt(payment.unallocated_amount) > 0:
		frappe.throw(
			_(
				"A resident pays against an invoice: allocate the whole payment to the resident's Sales Invoices (no charge without a voucher)."
			),
			title=_("No Invoice"),
		)


LOCKED_AFTER_INVOICE = (
	"paid_service",
	"completed_at",
	"resident_confirmed",
	"resident_signature",
	"total_amount",
)


def check_work_order(doc, method=None):
	"""R11: a line of the fee schedule is charged at its published price; R39: once its invoice exists, the
	work order that is its voucher no longer changes what was billed."""
	prices = {row.item_code: flt(row.price_list_rate) for row in fee_schedule()}
	for row in doc.get("items") or []:
		if prices.get(row.item_code):
			if not flt(row.rate):
				row.rate = prices[row.item_code]
				row.amount = flt(row.qty) * flt(row.rate)
			elif flt(row.rate) != prices[row.item_code]:
				frappe.throw(
					_("Row {0}: {1} is charged at the published price {2}, not {3}.").format(
						row.idx, row.item_code, prices[row.item_code], flt(row.rate)
					),
					title=_("Fee Schedule"),
				)
	doc.total_amount = sum(flt(row.amount) for row in doc.get("items") or [])
	if doc.is_new() or not doc.get("sales_invoice"):
		return
	if frappe.db.get_value("Sales Invoice", doc.sales_invoice, "docstatus") == 2:
		return
	before = doc.get_doc_before_save()
	if not before:
		return
	lines = lambda d: [(r.item_code, r.item_name, flt(r.qty), flt(r.rate)) for r in d.get("items") or []]  # noqa: E731
	changed = [f for f in LOCKED_AFTER_INVOICE if str(doc.get(f) or "") != str(before.get(f) or "")]
	if changed or lines(doc) != lines(before):
		frappe.throw(
			_(
				"Work order {0} has been billed by invoice {1}: cancel the invoice before changing what was charged or signed."
			).format(doc.name, doc.sales_invoice),
			title=_("Already Billed"),
		)


def set_billing_onload(doc, method=None):
	"""The desk shows the billing button where billing is possible (R17, R19, R39)."""
	if doc.service_ticket:
		ticket = frappe.get_cached_doc("Service Ticket", doc.service_ticket)
		doc.set_onload("billable", is_billable(ticket, doc))


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
		unit = work_order and frappe.db.get_value("Repair Work Order", work_order, "unit")
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
