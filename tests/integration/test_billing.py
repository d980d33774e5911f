"""Paid repairs and recovery billed in ERPNext (R11, R17, R19, R39, R44): Sales Invoices with their GL entries,
payment and receipt, cancellation flowing back, the recovery invoice to a developer, and one invoice however
many times or people ask."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, flt, now_datetime

from property_helpdesk.api.billing import fee_schedule, invoice_work_order, recover_settlement
from property_helpdesk.services import billing
from tests.integration.factories import make_property, make_ticket, make_unit, make_user

SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


def make_customer(name):
	if not frappe.db.exists("Customer", name):
		frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Individual"}).insert(
			ignore_permissions=True
		)
	return name


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
		cls.resident = frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "付费业主",
				"phone": "13911112222",
				"customer": make_customer("付费业主"),
				"units": [{"unit": cls.unit, "relation": "Owner"}],
			}
		).insert(ignore_permissions=True)

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
		gl = frappe.get_all(
			"GL Entry",
			filters={"voucher_no": name, "is_cancelled": 0},
			fields=["account", "debit", "credit", "party"],
		)
		receivable = [g for g in gl if g.party == "付费业主"]
		self.assertEqual(sum(flt(g.debit) for g in receivable), 135)
		self.assertEqual(sum(flt(g.credit) for g in gl), 135)
		self.assertEqual(sum(flt(g.debit) for g in gl), sum(flt(g.credit) for g in gl))
		self.assertEqual(frappe.db.get_value("Repair Work Order", wo.name, "billing_status"), "Invoiced")
		self.assertEqual(
			frappe.db.get_value("Service Ticket", wo.service_ticket, "billing_status"), "Invoiced"
		)

	def test_r39_payment_entry_is_the_receipt_and_marks_the_job_paid(self):
		from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

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
		second = self.as_finance(invoice_work_order, wo.name)
		self.assertNotEqual(first, second)

	def test_r39_no_invoice_before_the_resident_signs_nor_without_a_customer(self):
		unsigned = self.paid_job(sign=False)
		with self.assertRaisesRegex(frappe.ValidationError, "signed the work order"):
			self.as_finance(invoice_work_order, unsigned.name)
		orphan = self.paid_job(resident=False)
		before = frappe.db.count("Sales Invoice")
		with self.assertRaisesRegex(frappe.ValidationError, "ERPNext Customer"):
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
		with self.assertRaisesRegex(frappe.ValidationError, "settled compensation"):
			self.as_finance(recover_settlement, settlement.name)
		settlement.db_set({"workflow_state": "Settled", "settled_amount": 800, "liaison_sheet": None})
		name = self.as_finance(recover_settlement, settlement.name)
		self.assertEqual(self.as_finance(recover_settlement, settlement.name), name)
		invoice = frappe.get_doc("Sales Invoice", name)
		self.assertEqual((invoice.customer, flt(invoice.grand_total)), ("收费楼盘开发商", 800))
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", settlement.name, "recovery_status"), "Invoiced"
		)


class TestInvoiceRace(BillingCase):
	"""Two finance users at once on two real connections: one invoice. Commits, then cleans up."""

	def test_two_users_at_once_make_one_invoice(self):
		from tests.integration.test_clocks_and_dispatch import run_twice_at_once

		wo = self.paid_job()
		frappe.db.commit()
		try:

			def bill():
				frappe.set_user(self.finance)
				return invoice_work_order(wo.name)

			results = run_twice_at_once(bill)
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
