"""Intake over REST as an agent (real HTTP against the test site's web server), and the print formats rendered
to PDF with the case's data in them (R1, R8, R46)."""

import io
import os
import re
import time
import unicodedata

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	ticket_values,
	work_orders_refused,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")


def api_session(user: str) -> requests.Session:
	from frappe.core.doctype.user.user import generate_keys

	secret = generate_keys(user)["api_secret"]
	frappe.db.commit()  # the web server reads the keys through its own connection
	session = requests.Session()
	session.headers["Authorization"] = f"token {frappe.db.get_value('User', user, 'api_key')}:{secret}"
	return session


def desk_session(user: str) -> requests.Session:
	"""A browser-like session: password login, then the CSRF token the desk page carries."""
	return login_session(BASE_URL, user, "/app")


class TestRestIntake(FrappeTestCase):
	"""These tests commit (the server has its own connection) and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.agent = make_user("rest-agent@intake.test", "Property Duty Staff")
		frappe.db.set_value("User", cls.agent, "language", "en")
		cls.resident = make_user("rest-resident@intake.test", "Property Resident", user_type="Website User")
		cls.unit = make_unit(make_property("REST楼盘"), "1幢", "101")
		frappe.db.commit()
		cls.agent_http = api_session(cls.agent)
		cls.resident_http = api_session(cls.resident)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		delete_cases("REST楼盘")
		frappe.db.commit()
		super().tearDownClass()

	def post_ticket(self, session, **overrides):
		values = ticket_values(self.unit, **overrides)
		values["call_started_at"] = str(values["call_started_at"])
		return session.post(f"{BASE_URL}/api/resource/Service Ticket", json=values, timeout=30)

	def test_agent_creates_a_case_and_owns_it(self):
		response = self.post_ticket(
			self.agent_http, acceptor="Administrator", follow_up_owner="Administrator"
		)
		self.assertEqual(response.status_code, 200, response.text)
		data = response.json()["data"]
		self.assertEqual((data["acceptor"], data["follow_up_owner"]), (self.agent, self.agent))
		self.assertEqual(data["property"], "REST楼盘")

	def test_r20_an_appointment_agreed_in_the_past_is_a_clear_error_and_saves_nothing(self):
		subject = f"过去的预约 {frappe.generate_hash(length=8)}"
		response = self.post_ticket(
			self.agent_http, subject=subject, appointment_at=str(add_to_date(now_datetime(), hours=-1))
		)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertIn("An appointment cannot be made in the past.", response.text)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Service Ticket", {"subject": subject}))

	def test_bad_phone_over_rest_is_a_clear_error_and_saves_nothing(self):
		frappe.db.rollback()  # a fresh snapshot: see what the server committed so far
		before = frappe.db.count("Service Ticket", {"unit": self.unit})
		response = self.post_ticket(self.agent_http, contact_phone="call me")
		self.assertEqual(response.status_code, 417)
		self.assertIn("not a valid mobile or landline number", response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Service Ticket", {"unit": self.unit}), before)

	def test_errors_come_in_chinese_for_a_chinese_user(self):
		frappe.db.set_value("User", self.agent, "language", "zh")
		frappe.db.commit()
		try:
			response = self.post_ticket(desk_session(self.agent), contact_phone="call me")
			self.assertEqual(response.status_code, 417)
			self.assertIn("不是有效的手机或固定电话号码", response.json()["exception"])
		finally:
			frappe.db.set_value("User", self.agent, "language", "en")
			frappe.db.commit()

	def test_typed_server_owned_values_keep_the_server_s(self):
		"""The desk saves through PUT /api/resource: what the server derives on a case and its work order, typed
		by duty staff, is kept out by Frappe's permission level 1; what staff may type is saved; readers see the
		server's values."""
		response = self.post_ticket(self.agent_http, location="Private Part")
		self.assertEqual(response.status_code, 200, response.text)
		name = response.json()["data"]["name"]
		typed = {
			"liability_branch": "Developer Defect",
			"liable_party": "Developer",
			"paid_service": 0,
			"needs_liaison_sheet": 1,
			"liability_reason": "伪造",
			"follow_up_owner_name": "冒名",
			"follow_up_owner_phone": "13900000000",
			"validity_class": "Valid Complaint",
			"routed_to_level": "Company Leadership",
			"routed_to": "Administrator",
			"reminder_count": 7,
			"reopen_count": 3,
			"closed_at": "2026-01-01 00:00:00",
			"completion_deadline": "2030-01-01 00:00:00",
			"next_escalation_at": "2030-01-01 00:00:00",
			"escalated_levels": '{"completion": ["General Manager"]}',
			"kpi_due_at": "2030-01-01 00:00:00",
			"handled_at": "2026-01-01 00:00:00",
			"job_class": "Major",
			"billing_status": "Paid",
		}
		frappe.db.rollback()  # a fresh snapshot: see what the server committed
		stored = frappe.db.get_value("Service Ticket", name, list(typed), as_dict=True)
		put = self.agent_http.put(
			f"{BASE_URL}/api/resource/Service Ticket/{name}",
			json={**typed, "description": "补充：楼下天花板也有水渍。"},
			timeout=30,
		)
		self.assertEqual(put.status_code, 200, put.text)
		self.assertEqual(put.json()["data"]["liable_party"], stored.liable_party)  # read at level 1
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Service Ticket", name, list(typed), as_dict=True), stored)
		self.assertEqual(
			frappe.db.get_value("Service Ticket", name, "description"), "补充：楼下天花板也有水渍。"
		)

		work_order = frappe.db.get_value("Repair Work Order", {"service_ticket": name})
		typed = {
			"sales_invoice": "ACC-SINV-伪造",
			"billing_status": "Paid",
			"paid_service": 0,
			"is_emergency": 1,
			"kpi_due_at": "2030-01-01 00:00:00",
			"confirmed_at": "2026-01-01 00:00:00",
		}
		stored = frappe.db.get_value("Repair Work Order", work_order, list(typed), as_dict=True)
		put = self.agent_http.put(
			f"{BASE_URL}/api/resource/Repair Work Order/{work_order}",
			json={**typed, "work_done": "已上门查看"},
			timeout=30,
		)
		self.assertEqual(put.status_code, 200, put.text)
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("Repair Work Order", work_order, list(typed), as_dict=True), stored
		)
		self.assertEqual(frappe.db.get_value("Repair Work Order", work_order, "work_done"), "已上门查看")

	def test_a_save_that_fails_leaves_no_assignment_or_message_behind(self):
		"""On the site the assignments and notifications of a save are made after its commit: a case whose work
		order is refused (the site's customisation makes it unsaveable) fails whole, and nobody is told."""
		subject = f"保存失败 {frappe.generate_hash(length=8)}"
		with work_orders_refused():
			response = self.post_ticket(self.agent_http, subject=subject)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertIn("MandatoryError", response.text)
			time.sleep(2)  # what a worker would run after the commit
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Service Ticket", {"subject": subject}))
		self.assertEqual(frappe.db.count("ToDo", {"description": ("like", f"%{subject}%")}), 0)
		self.assertEqual(frappe.db.count("Notification Log", {"subject": ("like", f"%{subject}%")}), 0)

	def test_resident_cannot_create_or_read_cases_through_rest(self):
		self.assertEqual(self.post_ticket(self.resident_http).status_code, 403)
		listing = self.resident_http.get(f"{BASE_URL}/api/resource/Service Ticket", timeout=30)
		self.assertEqual(listing.status_code, 403)


class TestPrintFormats(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.agent = make_user("print-agent@intake.test", "Property Duty Staff", mobile="13600000009")
		cls.unit = make_unit(make_property("打印楼盘"), "3幢", "302")

	def pdf_text(self, name: str, print_format: str) -> str:
		from pypdf import PdfReader

		frappe.local.lang = "zh"
		try:
			pdf = frappe.get_print("Service Ticket", name, print_format, as_pdf=True)
		finally:
			frappe.local.lang = "en"
		self.assertTrue(pdf.startswith(b"%PDF"))
		text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
		# The CJK font shares one glyph between variants, and the PDF's reverse map may name the radical (⼾)
		# or the traditional form (戶) of 户: compare normal forms.
		return unicodedata.normalize("NFKC", text).replace("戶", "户").replace(" ", "")

	def test_r1_r46_service_request_record_pdf_carries_the_case(self):
		frappe.set_user(self.agent)
		ticket = make_ticket(
			self.unit, contact_name="赵女士", subject="阳台下水道堵塞", description="阳台地漏返水"
		)
		frappe.set_user("Administrator")
		text = self.pdf_text(ticket.name, "Service Request Record")
		for expected in (
			"业户服务需求记录表",
			"赵女士",
			"阳台下水道堵塞",
			"打印楼盘-3幢-302",
			"业户签字",
			"受理人签字",
		):
			self.assertIn(expected, text)
		self.assertIn(ticket.name, frappe.get_print("Service Ticket", ticket.name, "Service Request Record"))

	def test_r1_complaint_record_pdf(self):
		ticket = make_ticket(
			self.unit, ticket_type="Complaint", complaint_ground="A4.3.1.6", subject="保洁态度差"
		)
		text = self.pdf_text(ticket.name, "Complaint Record")
		for expected in ("投诉记录表", "保洁态度差", "有效投诉", "服务态度恶劣"):
			self.assertIn(expected, text)

	def test_r8_r34_service_card_gives_lines_and_owner(self):
		frappe.set_user(self.agent)
		ticket = make_ticket(self.unit)
		frappe.set_user("Administrator")
		text = self.pdf_text(ticket.name, "Service Card")
		hotline = frappe.db.get_single_value("Property Helpdesk Settings", "service_hotline")
		for expected in ("服务卡", hotline, "13600000009"):
			self.assertIn(expected.replace(" ", ""), text)

	def test_text_is_escaped_in_print(self):
		ticket = make_ticket(self.unit, description='门锁 A&B "坏" <img src=x onerror=alert(1)>')
		html = frappe.get_print("Service Ticket", ticket.name, "Service Request Record")
		self.assertNotIn("onerror", html)
		self.assertIn("A&amp;B", html)

	def test_markup_already_in_the_database_prints_as_text(self):
		"""Whatever reached the database by another road (an import, a direct write) prints as text: the print
		templates escape every value themselves, since Frappe's Jinja does not autoescape."""
		ticket = make_ticket(self.unit)
		markup = "<b>粗体</b><script>alert(1)</script>"
		ticket.db_set({"subject": markup, "contact_name": markup, "description": markup})
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("work_done", markup)
		for doctype, name, print_format, plain_text_shown in (
			("Service Ticket", ticket.name, "Service Request Record", True),
			("Service Ticket", ticket.name, "Service Card", True),
			("Repair Work Order", wo.name, "Repair Work Order Record", False),
		):
			with self.subTest(print_format):
				html = frappe.get_print(doctype, name, print_format)
				self.assertIsNone(re.search(r"<script[^>]*>\s*alert", html))
				if plain_text_shown:  # the subject, a plain-text field, prints its markup as text
					self.assertIn("&lt;b&gt;粗体", html)

	def test_r46_records_are_a4_with_signature_lines(self):
		ticket = make_ticket(self.unit, ticket_type="Complaint", complaint_ground="A4.3.1.6")
		for print_format, signatures in (
			("Complaint Record", ("业户签字", "受理人签字")),
			("Service Card", ("发卡人",)),
		):
			with self.subTest(print_format):
				frappe.local.lang = "zh"
				html = frappe.get_print("Service Ticket", ticket.name, print_format)
				for text in signatures:
					self.assertIn(text, html)
		html = frappe.get_print("Service Ticket", ticket.name, "Complaint Record")
		self.assertIn("size: A4", html)
