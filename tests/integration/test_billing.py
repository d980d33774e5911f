"""Paid repairs and recovery billed in ERPNext (R11, R17, R19, R39, R44): Sales Invoices with their GL entries,
payment and receipt, cancellation flowing back, the recovery invoice to a developer, and one invoice however
many times or people ask."""

import frappe
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, flt, now_datetime

from property_helpdesk.api.billing import (
	fee_schedule,
	invoice_work_order,
	recover_liaison_sheet,
	recover_settlement,
)
from property_helpdesk.exceptions import ActingForOwnerError, BillingError
from property_helpdesk.services import billing
from tests.integration.factories import (
	make_customer,
	make_property,
	make_resident,
	make_ticket,
	make_unit,
	make_user,
)

SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


class BillingCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		billing.ensure_fee_schedule()
		cls.agent = make_user("bill-agent@billing.test", "Property Duty Staff")
		cls.finance = make_user("bill-finance@billing.test", "Accounts User")
		cls.director = make_user("bill-director@billing.test", "Property Office Director")
		cls.prop = make_property("收费楼盘", "External Developer", office_director=cls.director)
		cls.unit = make_unit(cls.prop)
		# found again by phone: the concurrency tests below commit it
		cls.resident = frappe.get_doc(
			"Resident",
			make_resident("付费业主", "13911112222", cls.unit, customer=make_customer("付费业主")),
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def paid_job(self, resident=True, sign=True):
		frappe.set_user(self.agent)
		called = add_to_date(now_datetime(), hours=-3)
		ticket = make_ticket(
			self.unit,
			ticket_type="Paid Service",
			location="Private Part",
			call_started_at=called,
			resident=self.resident.name if resident else None,
		)
		frappe.set_user("Administrator")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		wo.reload()
		wo.update(
			{"arrived_at": add_to_date(called, minutes=15), "completed_at": add_to_date(called, hours=1)}
		)
		wo.append(
			"items",
			{
				"item_type": "Labour",
				"item_code": "上门维修人工费（每小时）",
				"item_name": "人工",
				"qty": 2,
				"rate": 50,
			},
		)
		wo.append("items", {"item_type": "Material", "item_name": "水龙头阀芯", "qty": 1, "rate": 35})
		if sign:
			wo.update({"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
				"resident_signature": SIGNATURE})  # fmt: skip
		wo.save()
		return wo

	def as_finance(self, fn, *args):
		frappe.set_user(self.finance)
		try:
			return fn(*args)
		finally:
			frappe.set_user("Administrator")


def assert_gl(case, invoice_name, customer, amount):
	"""The invoice's ledger: the customer's receivable debited, income credited, by the same amount."""
	invoice = frappe.get_doc("Sales Invoice", invoice_name)
	gl = frappe.get_all(
		"GL Entry",
		filters={"voucher_no": invoice_name, "is_cancelled": 0},
		fields=["account", "debit", "credit", "party"],
	)
	receivable = frappe.get_cached_value("Company", invoice.company, "default_receivable_account")
	debits = {(g.account, g.party): flt(g.debit) for g in gl if flt(g.debit)}
	case.assertEqual(debits, {(receivable, customer): amount})
	credits = [g for g in gl if flt(g.credit)]
	case.assertEqual({g.account for g in credits}, {row.income_account for row in invoice.items})
	case.assertTrue(all(frappe.db.get_value("Account", g.account, "root_type") == "Income" for g in credits))
	case.assertEqual(sum(flt(g.credit) for g in credits), amount)


class TestPaidRepairInvoice(BillingCase):
	def test_r11_r39_fee_schedule_is_erpnext_s_price_list(self):
		prices = {row.item_code: row.price_list_rate for row in fee_schedule()}
		self.assertEqual(prices["上门维修人工费（每小时）"], 50)

	def test_r39_invoice_from_a_signed_paid_job_with_its_gl_entries(self):
		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)
		invoice = frappe.get_doc("Sales Invoice", name)
		self.assertEqual(
			(invoice.customer, invoice.docstatus, flt(invoice.grand_total)), ("付费业主", 1, 135)
		)
		self.assertEqual(invoice.property_helpdesk_work_order, wo.name)
		self.assertEqual(
			[i.item_code for i in invoice.items], ["上门维修人工费（每小时）", billing.SERVICE_ITEM]
		)
		assert_gl(self, name, "付费业主", 135)
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Invoiced")
		self.assertEqual(
			frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Invoiced"
		)

	def test_r39_payment_entry_is_the_receipt_and_marks_the_job_paid(self):
		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)
		payment = get_payment_entry("Sales Invoice", name)
		payment.reference_no = "收据-0001"
		payment.reference_date = frappe.utils.nowdate()
		payment.insert()
		payment.submit()
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Paid")
		self.assertEqual(frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Paid")
		payment.cancel()
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Invoiced")

	def test_cancelling_the_invoice_flows_back_and_a_new_one_can_be_made(self):
		wo = self.paid_job()
		first = self.as_finance(invoice_work_order, wo.name)
		frappe.get_doc("Sales Invoice", first).cancel()
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Cancelled")
		self.assertEqual(
			frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Cancelled"
		)
		second = self.as_finance(invoice_work_order, wo.name)
		self.assertNotEqual(first, second)

	def test_r39_no_invoice_before_the_resident_signs_nor_without_a_customer(self):
		unsigned = self.paid_job(sign=False)
		with self.assertRaisesRegex(BillingError, "signed the work order"):
			self.as_finance(invoice_work_order, unsigned.name)
		orphan = self.paid_job(resident=False)
		before = frappe.db.count("Sales Invoice")
		with self.assertRaisesRegex(BillingError, "ERPNext Customer"):
			self.as_finance(invoice_work_order, orphan.name)
		self.assertEqual(frappe.db.count("Sales Invoice"), before)

	def test_r17_paid_work_for_an_external_developer_bills_the_developer(self):
		developer = frappe.db.get_value("Property", self.prop, "developer")
		frappe.db.set_value("Property Developer", developer, "customer", make_customer("收费楼盘开发商"))
		# handed over a month ago: door hardware is within the developer's one-year warranty
		unit = make_unit(self.prop, "9幢", "901", handover=frappe.utils.add_days(frappe.utils.today(), -30))
		frappe.set_user(self.agent)
		called = add_to_date(now_datetime(), hours=-3)
		ticket = make_ticket(
			unit,
			location="Private Part",
			is_quality_defect=1,
			warranty_rule=frappe.db.get_value("Warranty Rule", {"component": "门窗翘裂、五金件损坏"}),
			call_started_at=called,
			resident=self.resident.name,
		)
		frappe.set_user("Administrator")
		self.assertEqual(ticket.liable_party, "Developer")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		wo.reload()
		wo.update(
			{"arrived_at": add_to_date(called, minutes=15), "completed_at": add_to_date(called, hours=1)}
		)
		wo.append("items", {"item_type": "Labour", "item_name": "更换门锁", "qty": 1, "rate": 260})
		wo.update({"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
			"resident_signature": SIGNATURE})  # fmt: skip
		wo.save()
		invoice = frappe.get_doc("Sales Invoice", self.as_finance(invoice_work_order, wo.name))
		self.assertEqual((invoice.customer, flt(invoice.grand_total)), ("收费楼盘开发商", 260))
		assert_gl(self, invoice.name, "收费楼盘开发商", 260)
		# the desk offers billing on this job although it is not the resident's paid service
		wo = frappe.get_doc("Repair Work Order", wo.name)
		wo.run_method("onload")
		self.assertTrue(wo.get_onload().billable)

	def test_double_click_makes_one_invoice(self):
		wo = self.paid_job()
		self.assertEqual(
			self.as_finance(invoice_work_order, wo.name), self.as_finance(invoice_work_order, wo.name)
		)
		self.assertEqual(frappe.db.count("Sales Invoice", {"property_helpdesk_work_order": wo.name}), 1)

	def test_only_finance_or_the_office_bills(self):
		wo = self.paid_job()
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.PermissionError):
			invoice_work_order(wo.name)


class TestRecoveryInvoice(BillingCase):
	def test_r44_settled_compensation_is_recovered_from_the_developer_once(self):
		developer = frappe.db.get_value("Property", self.prop, "developer")
		frappe.db.set_value("Property Developer", developer, "customer", make_customer("收费楼盘开发商"))
		frappe.set_user(self.agent)
		ticket = make_ticket(self.unit, ticket_type="Complaint", complaint_ground="A4.3.2.2")
		frappe.set_user("Administrator")
		settlement = frappe.get_doc(
			{
				"doctype": "Compensation Settlement",
				"service_ticket": ticket.name,
				"claimed_amount": 800,
				"claim": "赔偿",
			}
		).insert()
		with self.assertRaisesRegex(BillingError, "settled compensation"):
			self.as_finance(recover_settlement, settlement.name)
		settlement.db_set({"workflow_state": "Settled", "settled_amount": 800, "liaison_sheet": None})
		name = self.as_finance(recover_settlement, settlement.name)
		self.assertEqual(self.as_finance(recover_settlement, settlement.name), name)
		invoice = frappe.get_doc("Sales Invoice", name)
		self.assertEqual((invoice.customer, flt(invoice.grand_total)), ("收费楼盘开发商", 800))
		assert_gl(self, name, "收费楼盘开发商", 800)
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", settlement.name, "recovery_status"), "Invoiced"
		)
		# ERPNext's payment and cancellation flow back to the settlement
		payment = get_payment_entry("Sales Invoice", name)
		payment.update({"reference_no": "追偿-01", "reference_date": frappe.utils.nowdate()})
		payment.insert()
		payment.submit()
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", settlement.name, "recovery_status"), "Paid"
		)
		payment.cancel()
		frappe.get_doc("Sales Invoice", name).cancel()
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", settlement.name, "recovery_status"), "Cancelled"
		)
		self.assertNotEqual(self.as_finance(recover_settlement, settlement.name), name)


class TestInvoiceRace(BillingCase):
	"""Two finance users at once on two real connections: one invoice. Commits, then cleans up."""

	def test_two_users_at_once_make_one_invoice(self):
		from tests.integration.test_clocks_and_dispatch import run_twice_at_once

		wo = self.paid_job()
		frappe.db.commit()
		try:

			def read_first():
				# the office director's path reads the work order (its permission check) before the lock:
				# under REPEATABLE READ that snapshot must not hide the other user's invoice
				frappe.set_user(self.director)
				frappe.get_doc("Repair Work Order", wo.name).check_permission("read")

			results = run_twice_at_once(lambda: invoice_work_order(wo.name), before=read_first)
			self.assertEqual(len(results), 2, results)
			self.assertFalse([r for r in results if isinstance(r, Exception)], results)
			self.assertEqual(len(set(results)), 1)
			frappe.db.rollback()
			self.assertEqual(frappe.db.count("Sales Invoice", {"property_helpdesk_work_order": wo.name}), 1)
		finally:
			frappe.db.rollback()
			for name in frappe.get_all(
				"Sales Invoice", {"property_helpdesk_work_order": wo.name, "docstatus": 1}, pluck="name"
			):
				frappe.get_doc("Sales Invoice", name).cancel()
			frappe.db.delete("Repair Work Order", {"name": wo.name})
			frappe.db.delete("Service Ticket", {"name": wo.service_ticket})
			frappe.db.commit()

	def test_two_different_jobs_billed_at_once_do_not_wait_on_each_other(self):
		"""Finance and the office director bill two different jobs at the same moment: both invoices are made
		(no lock on a range of the invoice index makes one wait for, or deadlock with, the other)."""
		from tests.integration.test_clocks_and_dispatch import run_twice_at_once

		jobs = [self.paid_job().name, self.paid_job().name]
		frappe.db.commit()
		try:
			queue = list(jobs)
			results = run_twice_at_once(
				lambda: invoice_work_order(queue.pop()), before=lambda: frappe.set_user(self.finance)
			)
			self.assertEqual(len(results), 2, results)
			self.assertFalse([r for r in results if isinstance(r, Exception)], results)
			frappe.db.rollback()
			for job in jobs:
				self.assertEqual(
					frappe.db.count("Sales Invoice", {"property_helpdesk_work_order": job, "docstatus": 1}), 1
				)
		finally:
			frappe.db.rollback()
			for job in jobs:
				for name in frappe.get_all(
					"Sales Invoice", {"property_helpdesk_work_order": job, "docstatus": 1}, pluck="name"
				):
					frappe.get_doc("Sales Invoice", name).cancel()
				ticket = frappe.db.get_value("Repair Work Order", job, "service_ticket")
				frappe.db.delete("Repair Work Order", {"name": job})
				frappe.db.delete("Service Ticket", {"name": ticket})
			frappe.db.commit()


class TestBillingVisibility(BillingCase):
	def test_finance_sees_billing_not_the_content_of_complaints(self):
		for doctype in ("Service Ticket", "Compensation Settlement", "Liaison Sheet"):
			self.assertFalse(frappe.has_permission(doctype, "read", user=self.finance), doctype)
		self.assertTrue(frappe.has_permission("Sales Invoice", "read", user=self.finance))

	def test_residents_see_their_own_invoices_on_erpnext_s_portal(self):
		from erpnext.controllers.website_list_for_contact import get_customers_suppliers

		mine = make_user("bill-resident@billing.test", "Property Resident", user_type="Website User")
		other = make_user("bill-resident2@billing.test", "Property Resident", user_type="Website User")
		self.resident.user = mine
		self.resident.save()
		frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "别的业主",
				"phone": "13911113333",
				"user": other,
				"customer": make_customer("别的业主"),
				"units": [{"unit": self.unit, "relation": "Tenant"}],
			}
		).insert(ignore_permissions=True)
		for user, customer in ((mine, "付费业主"), (other, "别的业主")):
			frappe.set_user(user)
			self.assertEqual(get_customers_suppliers("Sales Invoice", user)[0], [customer])
		frappe.set_user("Administrator")

	def test_resident_phone_is_checked(self):
		with self.assertRaisesRegex(frappe.ValidationError, "not a valid"):
			frappe.get_doc(
				{"doctype": "Resident", "resident_name": "号码错误", "phone": "123", "units": []}
			).insert(ignore_permissions=True)


class TestBillingRules(BillingCase):
	def settings(self, **values):
		settings = frappe.get_single("Property Helpdesk Settings")
		old = {key: settings.get(key) for key in values}
		settings.update(values)
		settings.save()
		self.addCleanup(lambda: frappe.get_single("Property Helpdesk Settings").update(old).save())

	def test_r39_draft_invoices_when_settings_say_so_then_erpnext_s_submit_flows_back(self):
		self.settings(submit_invoices=0)
		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)
		self.assertEqual(frappe.db.get_value("Sales Invoice", name, "docstatus"), 0)
		self.assertEqual(
			frappe.db.get_value("Repair Work Order", wo.name, ["sales_invoice", "billing_status"]),
			(name, "Draft Invoice"),
		)
		self.assertEqual(
			frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Draft Invoice"
		)
		self.assertEqual(self.as_finance(invoice_work_order, wo.name), name)
		frappe.get_doc("Sales Invoice", name).submit()
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Invoiced")

	def test_an_amended_invoice_takes_the_place_of_the_cancelled_one(self):
		wo = self.paid_job()
		first = frappe.get_doc("Sales Invoice", self.as_finance(invoice_work_order, wo.name))
		first.cancel()
		amended = frappe.copy_doc(first)
		amended.update({"amended_from": first.name, "docstatus": 0})
		amended.insert()
		amended.submit()
		self.assertEqual(amended.property_helpdesk_work_order, wo.name)
		self.assertEqual(
			frappe.db.get_value("Repair Work Order", wo.name, ["sales_invoice", "billing_status"]),
			(amended.name, "Invoiced"),
		)
		# asking again gives the amendment, not a third invoice
		self.assertEqual(self.as_finance(invoice_work_order, wo.name), amended.name)
		self.assertEqual(
			frappe.db.count("Sales Invoice", {"property_helpdesk_work_order": wo.name, "docstatus": 1}), 1
		)

	def test_a_credit_note_flows_back_to_the_work_order(self):
		from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)
		credit = make_sales_return(name)
		credit.insert()
		credit.submit()
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Credited")
		self.assertEqual(
			frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Credited"
		)

	def test_r39_a_billed_work_order_keeps_what_was_billed_until_its_invoice_is_cancelled(self):
		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)
		wo.reload()
		wo.items[1].qty = 3
		with self.assertRaisesRegex(BillingError, "has been billed"):
			wo.save()
		wo.reload()
		wo.items[1].rate = 40
		with self.assertRaisesRegex(BillingError, "has been billed"):
			wo.save()
		# what billing decides cannot be typed in by anyone working on the job (a REST save is the same): the
		# invoice link, the status and whether the job is paid (Administrator, who loads records of the past,
		# passes Frappe's permission levels: the agent types here)
		frappe.set_user(self.agent)
		wo.reload()
		wo.update({"sales_invoice": "", "billing_status": "Paid", "paid_service": 0})
		wo.items[1].qty = 3
		with self.assertRaisesRegex(BillingError, "has been billed"):
			wo.save()
		wo.reload()
		wo.update({"sales_invoice": "", "billing_status": "Paid", "paid_service": 0})
		wo.save()
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value(
				"Repair Work Order", wo.name, ["sales_invoice", "billing_status", "paid_service"]
			),
			(name, "Invoiced", 1),
		)
		wo.reload()
		wo.work_done = "更换阀芯，已试水"  # what was billed is unchanged: other notes may still be written
		wo.save()
		frappe.get_doc("Sales Invoice", name).cancel()
		wo.reload()
		wo.items[1].qty = 3
		wo.save()
		self.assertEqual(flt(wo.total_amount), 100 + 105)

	def test_r11_fee_schedule_lines_are_charged_at_the_published_price(self):
		wo = self.paid_job(sign=False)
		wo.append("items", {"item_type": "Labour", "item_code": "疏通下水道", "item_name": "疏通", "qty": 1})
		wo.save()
		self.assertEqual((flt(wo.items[-1].rate), flt(wo.total_amount)), (80, 100 + 35 + 80))
		wo.items[-1].rate = 60
		with self.assertRaisesRegex(BillingError, "published price"):
			wo.save()

	def test_r11_the_fee_schedule_leaves_out_disabled_items_and_expired_prices(self):
		from frappe.utils import add_days, today

		for code, rate, upto, disabled in (
			("过期收费项", 20, add_days(today(), -1), 0),
			("停用收费项", 30, None, 1),
		):
			if not frappe.db.exists("Item", code):
				frappe.get_doc(
					{
						"doctype": "Item",
						"item_code": code,
						"item_group": "Services",
						"stock_uom": "Nos",
						"is_stock_item": 0,
						"disabled": disabled,
					}
				).insert()
			frappe.get_doc(
				{
					"doctype": "Item Price",
					"item_code": code,
					"price_list": billing.fee_price_list(),
					"price_list_rate": rate,
					"valid_from": add_days(today(), -10),
					"valid_upto": upto,
				}
			).insert()
		codes = {row.item_code for row in fee_schedule()}
		self.assertIn("疏通下水道", codes)
		self.assertFalse({"过期收费项", "停用收费项"} & codes)

	def test_r39_no_money_from_a_resident_without_an_invoice(self):
		from erpnext.accounts.party import get_party_account

		company = frappe.db.get_single_value(
			"Property Helpdesk Settings", "company"
		) or frappe.defaults.get_global_default("company")
		cash = frappe.get_cached_value("Company", company, "default_cash_account")
		payment = frappe.get_doc(
			{
				"doctype": "Payment Entry",
				"payment_type": "Receive",
				"company": company,
				"party_type": "Customer",
				"party": "付费业主",
				"paid_from": get_party_account("Customer", "付费业主", company),
				"paid_to": cash,
				"paid_amount": 50,
				"received_amount": 50,
				"reference_no": "无票收费",
				"reference_date": frappe.utils.nowdate(),
			}
		)
		with self.assertRaisesRegex(BillingError, "pays against an invoice"):
			payment.insert()
		self.assertFalse(frappe.db.exists("Payment Entry", {"reference_no": "无票收费"}))

	def test_r39_finance_takes_the_payment_and_prints_the_receipt(self):
		wo = self.paid_job()
		name = self.as_finance(invoice_work_order, wo.name)

		def pay():
			payment = get_payment_entry("Sales Invoice", name)
			payment.update({"reference_no": "收据-0002", "reference_date": frappe.utils.nowdate()})
			payment.insert()
			payment.submit()
			return payment.name

		payment = self.as_finance(pay)
		html = self.as_finance(frappe.get_print, "Payment Entry", payment, "Resident Receipt")
		for text in ("收据", "付费业主", "壹佰叁拾伍元整", name, wo.name, self.unit, "收据-0002"):
			self.assertIn(text, html)
		pdf = self.as_finance(
			lambda: frappe.get_print("Payment Entry", payment, "Resident Receipt", as_pdf=True)
		)
		self.assertTrue(pdf.startswith(b"%PDF"))

	def test_r19_work_on_the_owner_s_behalf_bills_the_liable_owner(self):
		liable = frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "楼上业主",
				"phone": "13911114444",
				"customer": make_customer("楼上业主"),
				"units": [{"unit": make_unit(self.prop, "1幢", "201"), "relation": "Owner"}],
			}
		).insert(ignore_permissions=True)
		frappe.set_user(self.agent)
		called = add_to_date(now_datetime(), hours=-3)
		values = dict(
			location="Private Part",
			is_quality_defect=1,
			owner_caused=1,
			resident=self.resident.name,
			call_started_at=called,
		)
		with self.assertRaisesRegex(ActingForOwnerError, "liable owner"):
			make_ticket(self.unit, acting_for_owner=1, **values)
		with self.assertRaisesRegex(ActingForOwnerError, "only where the owner is liable"):
			make_ticket(self.unit, location="Common Facility", acting_for_owner=1, call_started_at=called,
				liable_resident=liable.name, hazard_description="楼上漏水危及楼下")  # fmt: skip
		stranger = frappe.get_doc(
			{"doctype": "Resident", "resident_name": "外盘业主", "phone": "13911115555",
				"units": [{"unit": make_unit(make_property("别的楼盘"), "1幢", "101"), "relation": "Owner"}]}
		).insert(ignore_permissions=True)  # fmt: skip
		with self.assertRaisesRegex(ActingForOwnerError, "owner of this property"):
			make_ticket(self.unit, acting_for_owner=1, liable_resident=stranger.name,
				hazard_description="楼上漏水危及楼下", **values)  # fmt: skip
		ticket = make_ticket(
			self.unit,
			acting_for_owner=1,
			liable_resident=liable.name,
			hazard_description="楼上水管爆裂漏水至楼下，业主拒不维修",
			**values,
		)
		frappe.set_user("Administrator")
		self.assertEqual(ticket.liable_party, "Owner")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		wo.reload()
		wo.update({"arrived_at": add_to_date(called, minutes=10),
			"completed_at": add_to_date(called, hours=1), "resident_confirmed": 1,
			"quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1, "resident_signature": SIGNATURE})  # fmt: skip
		wo.append("items", {"item_type": "Labour", "item_name": "关阀抢修", "qty": 1, "rate": 150})
		wo.save()
		name = self.as_finance(invoice_work_order, wo.name)
		self.assertEqual(frappe.db.get_value("Sales Invoice", name, "customer"), "楼上业主")
		assert_gl(self, name, "楼上业主", 150)


class TestLiaisonRecovery(BillingCase):
	"""R17, R40: the cost a developer bears on its signed liaison sheet is recovered once."""

	def replied_sheet(self, purpose="Developer-Liable Repair", decision="Amount Authorised", amount=500):
		developer = frappe.db.get_value("Property", self.prop, "developer")
		frappe.db.set_value("Property Developer", developer, "customer", make_customer("收费楼盘开发商"))
		unit = make_unit(self.prop, "9幢", "902", handover=frappe.utils.add_days(frappe.utils.today(), -30))
		frappe.set_user(self.agent)
		ticket = make_ticket(unit, location="Private Part", is_quality_defect=1,
			warranty_rule=frappe.db.get_value("Warranty Rule", {"component": "门窗翘裂、五金件损坏"}))  # fmt: skip
		frappe.set_user("Administrator")
		sheet = frappe.get_doc(
			{
				"doctype": "Liaison Sheet",
				"subject": "门锁更换费用确认",
				"purpose": purpose,
				"developer": developer,
				"property": self.prop,
				"liable_party": "Developer",
				"content": "请确认费用。",
				"agreed_amount": 450,
				"cases": [{"service_ticket": ticket.name, "amount": 450}],
			}
		).insert()
		# the approval chain itself is proven in test_liaison_and_settlement; here the reply is on record
		sheet.db_set({"workflow_state": "Replied", "reply_decision": decision, "authorised_amount": amount})
		self.ticket = ticket.name
		return sheet.name

	def done_and_signed(self, ticket):
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket})
		called = frappe.db.get_value("Service Ticket", ticket, "call_started_at")
		wo.db_set("dispatched_at", called, update_modified=False)
		wo.reload()
		wo.update({"arrived_at": called, "completed_at": called, "resident_confirmed": 1, "quality_rating": 1,
			"timeliness_rating": 1, "attitude_rating": 1, "resident_signature": SIGNATURE})  # fmt: skip
		wo.append("items", {"item_type": "Labour", "item_name": "更换门锁", "qty": 1, "rate": 450})
		wo.save()
		return wo.name

	def test_r17_one_repair_is_billed_to_the_developer_once_through_either_road(self):
		"""An external developer's repair is billed as paid work or recovered against its signed liaison sheet,
		never both, whichever road comes first."""
		sheet = self.replied_sheet()
		recovered = self.as_finance(recover_liaison_sheet, sheet)
		with self.assertRaisesRegex(BillingError, recovered):
			self.as_finance(invoice_work_order, self.done_and_signed(self.ticket))
		frappe.get_doc("Sales Invoice", recovered).cancel()
		self.assertEqual(frappe.db.get_value("Liaison Sheet", sheet, "recovery_status"), "Cancelled")
		paid_work = self.as_finance(
			invoice_work_order, frappe.db.get_value("Repair Work Order", {"service_ticket": self.ticket})
		)
		with self.assertRaisesRegex(BillingError, paid_work):
			self.as_finance(recover_liaison_sheet, sheet)

	def test_r40_a_developer_s_authorised_amount_is_recovered_once(self):
		sheet = self.replied_sheet()
		name = self.as_finance(recover_liaison_sheet, sheet)
		self.assertEqual(self.as_finance(recover_liaison_sheet, sheet), name)
		self.assertEqual(
			frappe.db.get_value("Liaison Sheet", sheet, ["recovery_invoice", "recovery_status"]),
			(name, "Invoiced"),
		)
		invoice = frappe.get_doc("Sales Invoice", name)
		self.assertEqual(
			(invoice.customer, flt(invoice.grand_total), invoice.property_helpdesk_liaison_sheet),
			("收费楼盘开发商", 500, sheet),
		)
		assert_gl(self, name, "收费楼盘开发商", 500)

	def test_r40_a_confirmed_sheet_is_recovered_at_its_agreed_amount(self):
		name = self.as_finance(recover_liaison_sheet, self.replied_sheet(decision="Confirmed", amount=0))
		self.assertEqual(flt(frappe.db.get_value("Sales Invoice", name, "grand_total")), 450)

	def test_r40_rejected_or_compensation_sheets_are_not_recovered_here(self):
		before = frappe.db.count("Sales Invoice")
		with self.assertRaisesRegex(BillingError, "confirmed"):
			self.as_finance(recover_liaison_sheet, self.replied_sheet(decision="Rejected"))
		with self.assertRaisesRegex(BillingError, "through its settlement"):
			self.as_finance(recover_liaison_sheet, self.replied_sheet(purpose="Compensation"))
		sheet = self.replied_sheet()
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.PermissionError):
			recover_liaison_sheet(sheet)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Sales Invoice"), before)


class TestBillingQueue(BillingCase):
	"""Finance starts billing from the Billing Queue report: whom to bill and how much, not the case."""

	def test_r39_finance_sees_what_is_ready_to_bill_and_bills_it_from_the_queue(self):
		from frappe.desk.query_report import run

		ready = self.paid_job()
		unsigned = self.paid_job(sign=False)

		def queue():
			result = run("Billing Queue", filters={"property": self.prop})
			return {row["source"]: row for row in result["result"] if isinstance(row, dict)}

		rows = self.as_finance(queue)
		self.assertIn(ready.name, rows)
		self.assertNotIn(unsigned.name, rows)
		self.assertEqual((rows[ready.name]["customer"], rows[ready.name]["amount"]), ("付费业主", 135))
		# nothing of the complaint or the case's text reaches finance
		self.assertFalse({"subject", "description", "contact_phone"} & set(rows[ready.name]))
		self.as_finance(invoice_work_order, ready.name)
		self.assertNotIn(ready.name, self.as_finance(queue))
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.PermissionError):
			queue()
