"""An office loads its estate with Frappe's own Data Import (issue #14, R4, R7): properties, units, residents,
developers and warranty rules from a spreadsheet with Chinese headings; each bad row refused with its reason in
Chinese and nothing of it saved; the same file imported again changes nothing. And a paying resident's ERPNext
Customer made when first billed, once, however many invoices come at once (R39)."""

import csv
import io
import os
import threading

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import RESIDENT, UNIT
from property_helpdesk.services import billing
from tests.integration.factories import (
	login_session,
	make_property,
	make_ticket,
	make_user,
)
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY = "导入楼盘"
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="
UNIT_HEADINGS = ["楼盘", "楼栋", "房号", "交付日期", "业主姓名", "业主电话"]
START_IMPORT = "frappe.core.doctype.data_import.data_import.start_import"


def as_csv(rows: list[list[str]]) -> bytes:
	out = io.StringIO()
	csv.writer(out).writerows(rows)
	return out.getvalue().encode()


class EstateImport(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.admin = make_user("estate-admin@estate.test", "System Manager")
		frappe.db.set_value("User", cls.admin, "language", "zh")
		make_property(PROPERTY)
		frappe.db.commit()
		cls.http = login_session(BASE_URL, cls.admin, "/app")

	def import_file(self, doctype: str, content: bytes, name: str) -> dict:
		"""The administrator uploads the file and makes a Data Import over HTTP; its import job is run by a real
		worker. (Frappe's own Start button refuses while the site's scheduler is paused, as the test site's is —
		the tests run scheduled jobs themselves — so the job it would queue is queued here, as its user.)"""
		upload = self.http.post(
			f"{BASE_URL}/api/method/upload_file",
			files={"file": (name, content, "text/csv")},
			data={"is_private": 1},
			timeout=60,
		)
		self.assertEqual(upload.status_code, 200, upload.text)
		response = self.http.post(
			f"{BASE_URL}/api/resource/Data Import",
			json={
				"reference_doctype": doctype,
				"import_type": "Insert New Records",
				"import_file": upload.json()["message"]["file_url"],
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text)
		data_import = response.json()["data"]["name"]
		frappe.set_user(self.admin)
		try:
			frappe.enqueue(START_IMPORT, data_import=data_import, job_id=f"data_import::{data_import}")
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		run_worker(queued_jobs(START_IMPORT, data_import=data_import))
		logs = self.http.get(
			f"{BASE_URL}/api/method/frappe.core.doctype.data_import.data_import.get_import_logs",
			params={"data_import": data_import},
			timeout=60,
		)
		self.assertEqual(logs.status_code, 200, logs.text)
		frappe.db.rollback()
		return {
			"status": frappe.db.get_value("Data Import", data_import, "status"),
			"warnings": frappe.db.get_value("Data Import", data_import, "template_warnings"),
			"logs": logs.json()["message"],
		}

	def template_header(self, doctype: str, fields: dict) -> list[str]:
		"""The heading row of the blank template Frappe's Data Import gives the administrator (in Chinese)."""
		response = self.http.get(
			f"{BASE_URL}/api/method/frappe.core.doctype.data_import.data_import.download_template",
			params={
				"doctype": doctype,
				"export_fields": frappe.as_json(fields),
				"export_records": "blank_template",
				"file_type": "CSV",
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

	def failures(self, result) -> list[str]:
		"""Each refused row's messages, as the import log shows them."""
		return [
			" ".join(str(m) for m in frappe.parse_json(log["messages"] or "[]")) + (log["exception"] or "")
			for log in result["logs"]
			if not log["success"]
		]


class TestEstateImport(EstateImport):
	def test_r4_the_estate_doctypes_are_offered_by_data_import_to_the_system_manager(self):
		for doctype in ("Property", "Property Unit", "Resident", "Property Developer", "Warranty Rule"):
			with self.subTest(doctype=doctype):
				self.assertTrue(frappe.get_meta(doctype).allow_import)
				self.assertTrue(frappe.has_permission(doctype, "import", user=self.admin))

	def test_the_template_a_chinese_user_downloads_has_chinese_headings(self):
		header = self.template_header(
			UNIT, {UNIT: ["property", "building", "unit_no", "handover_date", "owner_name", "owner_phone"]}
		)
		self.assertEqual(header, UNIT_HEADINGS)

	def test_r7_a_file_with_an_unknown_property_or_a_bad_date_is_refused_whole_with_its_rows_named(self):
		"""Values Frappe's importer checks before any row (links, dates) refuse the file: nothing is saved, and
		each bad row is named with its reason in Chinese."""
		stamp = frappe.generate_hash(length=6)
		rows = [
			UNIT_HEADINGS,
			[PROPERTY, f"{stamp}幢", "101", "2026-01-15", "王一", "13800001111"],
			["没有的楼盘", f"{stamp}幢", "102", "2026-01-15", "王二", "13800001112"],  # unknown property
			[PROPERTY, f"{stamp}幢", "103", "2026-13-45", "王三", "13800001113"],  # no such date
		]
		result = self.import_file(UNIT, as_csv(rows), f"units-{stamp}.csv")
		self.assertNotIn(result["status"], ("Success", "Partial Success"))
		self.assertEqual(frappe.db.count(UNIT, {"building": f"{stamp}幢"}), 0)
		warnings = frappe.parse_json(result["warnings"] or "[]")
		text = " ".join(w["message"] for w in warnings)
		self.assertIn("没有的楼盘", text)
		self.assertEqual({w.get("row") for w in warnings if w.get("row")} >= {4}, True, warnings)
		self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for w in warnings for ch in w["message"]), warnings)

	def test_r7_units_import_with_each_bad_row_refused_in_chinese_and_a_second_import_changing_nothing(self):
		"""Rows a DocType refuses (a bad phone, a unit listed twice) are refused one by one with the reason in
		Chinese, nothing of them saved; the good rows are imported; the same file again changes nothing."""
		stamp = frappe.generate_hash(length=6)
		rows = [
			UNIT_HEADINGS,
			[PROPERTY, f"{stamp}幢", "101", "2026-01-15", "王一", "13800001111"],
			[PROPERTY, f"{stamp}幢", "102", "2026-01-15", "王二", "010-62345678"],
			[PROPERTY, f"{stamp}幢", "104", "2026-01-15", "王四", "12345"],  # bad phone
			[PROPERTY, f"{stamp}幢", "101", "2026-01-15", "王五", "13800001115"],  # the unit again
		]
		result = self.import_file(UNIT, as_csv(rows), f"units-{stamp}.csv")
		self.assertEqual(result["status"], "Partial Success", result)
		saved = frappe.get_all(UNIT, {"building": f"{stamp}幢"}, pluck="unit_no", order_by="unit_no")
		self.assertEqual(saved, ["101", "102"])  # nothing of a bad row
		self.assertEqual(
			frappe.db.get_value(UNIT, {"building": f"{stamp}幢", "unit_no": "101"}, "owner_name"), "王一"
		)
		errors = self.failures(result)
		self.assertEqual(len(errors), 2, errors)
		self.assertTrue(any("12345" in e for e in errors), errors)
		self.assertTrue(all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors)

		again = self.import_file(UNIT, as_csv(rows[:3]), f"units-{stamp}-again.csv")
		self.assertEqual(again["status"], "Error", again)
		self.assertEqual(len(self.failures(again)), 2)
		self.assertEqual(frappe.db.count(UNIT, {"building": f"{stamp}幢"}), 2)

	def test_r4_residents_import_with_their_units_once(self):
		stamp = frappe.generate_hash(length=6)
		unit = frappe.get_doc(
			{"doctype": UNIT, "property": PROPERTY, "building": f"{stamp}幢", "unit_no": "201"}
		).insert()
		frappe.db.commit()
		rows = [
			self.template_header(
				RESIDENT, {RESIDENT: ["resident_name", "phone"], "units": ["unit", "relation"]}
			),
			# a Select column takes the option itself (Frappe's importer checks the values before any row)
			[f"李{stamp}", "13900002222", unit.name, "Owner"],
			[f"赵{stamp}", "13900003333", unit.name, "Tenant"],
		]
		result = self.import_file(RESIDENT, as_csv(rows), f"residents-{stamp}.csv")
		self.assertEqual(result["status"], "Success", result)
		imported = frappe.get_all(
			"Resident Unit", {"unit": unit.name, "parenttype": RESIDENT}, ["relation"], order_by="relation"
		)
		self.assertEqual(sorted(r.relation for r in imported), ["Owner", "Tenant"])
		again = self.import_file(RESIDENT, as_csv(rows), f"residents-{stamp}-again.csv")
		self.assertEqual(again["status"], "Error")
		self.assertEqual(frappe.db.count("Resident Unit", {"unit": unit.name, "parenttype": RESIDENT}), 2)


class TestCustomerOnFirstBill(FrappeTestCase):
	def test_r39_a_paying_resident_s_customer_is_made_once_under_two_concurrent_invoices(self):
		"""Two finance users invoice two signed paid jobs of the same resident at the same moment, over HTTP:
		one ERPNext Customer is made (name, phone, the unit as its address), both invoices bill it."""
		finance = [make_user(f"estate-finance{i}@estate.test", "Accounts User") for i in (1, 2)]
		agent = make_user("estate-agent@estate.test", "Property Duty Staff")
		billing.ensure_fee_schedule()
		stamp = frappe.generate_hash(length=6)
		unit = frappe.get_doc(
			{"doctype": UNIT, "property": PROPERTY, "building": f"{stamp}幢", "unit_no": "301"}
		).insert()
		make_property(PROPERTY)
		resident = frappe.get_doc(
			{
				"doctype": RESIDENT,
				"resident_name": f"付费{stamp}",
				"phone": "13700004444",
				"units": [{"unit": unit.name, "relation": "Owner"}],
			}
		).insert()
		jobs = []
		for _ in finance:
			frappe.set_user(agent)
			ticket = make_ticket(
				unit.name,
				ticket_type="Paid Service",
				location="Private Part",
				call_started_at=add_to_date(now_datetime(), hours=-3),
				resident=resident.name,
			)
			frappe.set_user("Administrator")
			wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
			for field, minutes in (("dispatched_at", -170), ("arrived_at", -160), ("completed_at", -120)):
				wo.db_set(field, add_to_date(now_datetime(), minutes=minutes), update_modified=False)
			wo.reload()
			wo.append(
				"items",
				{
					"item_type": "Labour",
					"item_code": "上门维修人工费（每小时）",
					"item_name": "人工",
					"qty": 1,
					"rate": 50,
				},
			)
			wo.update({"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
				"resident_signature": SIGNATURE})  # fmt: skip
			wo.save()
			jobs.append(wo.name)
		frappe.db.commit()
		sessions = [login_session(BASE_URL, user, "/app") for user in finance]
		barrier = threading.Barrier(2)
		answers = [None, None]

		def invoice(i):
			barrier.wait()
			answers[i] = sessions[i].post(
				f"{BASE_URL}/api/method/property_helpdesk.api.billing.invoice_work_order",
				data={"work_order": jobs[i]},
				timeout=120,
			)

		threads = [threading.Thread(target=invoice, args=(i,)) for i in (0, 1)]
		for t in threads:
			t.start()
		for t in threads:
			t.join(timeout=180)
		for answer in answers:
			self.assertEqual(answer.status_code, 200, answer.text)
		frappe.db.rollback()
		customer = frappe.db.get_value(RESIDENT, resident.name, "customer")
		self.assertTrue(customer)
		self.assertEqual(frappe.db.count("Customer", {"customer_name": f"付费{stamp}"}), 1)
		invoices = [a.json()["message"] for a in answers]
		self.assertEqual({frappe.db.get_value("Sales Invoice", i, "customer") for i in invoices}, {customer})
		self.assertEqual(frappe.db.get_value("Customer", customer, "mobile_no"), "13700004444")
		address = frappe.db.get_value("Customer", customer, "customer_primary_address")
		self.assertEqual(frappe.db.get_value("Address", address, "address_line1"), unit.name)
