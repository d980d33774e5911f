"""The resident portal over real HTTP (R8, R10, R11, R12 ground 5, R34, R36): what a resident can do, and what a
second resident cannot do to the first one's case by any route Frappe offers.

These tests commit (the web server has its own connection) and delete what they made afterwards."""

import base64
import os
import re
import struct
import zlib

import frappe
import requests
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from frappe.tests.utils import FrappeTestCase
from frappe.utils.data import sha256_hash

from property_helpdesk.api.portal import DEFAULT_LIMITS, sniff_image, valid_signature
from tests.integration.factories import (
	PASSWORD,
	SIGNATURE,
	delete_cases,
	login_session,
	make_property,
	make_unit,
	make_user,
	png,
	run_assignment_jobs,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY = "门户楼盘"
METHOD = f"{BASE_URL}/api/method/property_helpdesk.api.portal"


def run_assignments(doctype: str, name: str) -> None:
	"""The assignments the web server queued for the document, run as a worker would."""
	run_assignment_jobs(doctype, name, ("property_helpdesk.services.notify.assign_now",))


def portal_session(user: str) -> requests.Session:
	"""A phone browser's session: password login, then a portal page, which hands out the CSRF token."""
	return login_session(BASE_URL, user, "/my_cases")


def clear_limits():
	frappe.cache.delete_keys("property_helpdesk:portal:")


class PortalCase(FrappeTestCase):
	"""Two residents of two units of one property; Alice has a case with a photo and a work order."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.admin = make_user("portal-admin@portal.test", "Property Duty Staff", mobile="13755501001")
		frappe.db.set_value("User", cls.admin, {"first_name": "区域管理员", "full_name": "区域管理员"})
		make_property(PROPERTY)
		frappe.db.set_value("Property", PROPERTY, "area_administrator", cls.admin)
		cls.unit_a = make_unit(PROPERTY, "1幢", "101")
		cls.unit_b = make_unit(PROPERTY, "1幢", "102")
		cls.alice = cls.resident("portal-alice@portal.test", "王丽", "13955501001", cls.unit_a)
		cls.bob = cls.resident("portal-bob@portal.test", "赵强", "13955501002", cls.unit_b)
		frappe.db.commit()
		clear_limits()
		cls.alice_http = portal_session(cls.alice)
		cls.bob_http = portal_session(cls.bob)
		cls.case_a = cls.report(cls.alice_http, subject="阳台门关不上", photos=2).json()["message"]["name"]
		frappe.db.rollback()
		run_assignments("Service Ticket", cls.case_a)
		cls.work_order_a = frappe.db.get_value("Repair Work Order", {"service_ticket": cls.case_a})
		cls.photo_url = frappe.db.get_value("Service Ticket", cls.case_a, "photo")

	@classmethod
	def resident(cls, email, name, phone, unit):
		make_user(email, "Property Resident", user_type="Website User", mobile=phone)
		frappe.db.set_value("User", email, "language", "en")
		if not frappe.db.exists("Resident", {"user": email}):
			frappe.get_doc(
				{
					"doctype": "Resident",
					"resident_name": name,
					"phone": phone,
					"user": email,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			).insert(ignore_permissions=True)
		return email

	@classmethod
	def report(cls, session, photos=0, **fields):
		data = {
			"ticket_type": "Repair",
			"unit": cls.unit_a,
			"subject": "阳台门关不上",
			"description": "阳台推拉门卡住。",
			"location": "Private Part",
		}
		data.update(fields)
		files = [("photo", (f"door-{n}.png", png(n + 1, 2), "image/png")) for n in range(photos)] or None
		return session.post(f"{METHOD}.report_case", data=data, files=files, timeout=60)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		delete_cases(PROPERTY)
		frappe.db.delete("ToDo", {"allocated_to": cls.admin})
		frappe.db.delete("Portal Registration", {"property": PROPERTY})
		for resident in frappe.get_all("Resident", {"user": ("like", "%@portal.test")}, pluck="name"):
			frappe.delete_doc("Resident", resident, force=True, ignore_permissions=True)
		frappe.db.commit()
		clear_limits()
		super().tearDownClass()


class TestResidentPortal(PortalCase):
	def test_a_reported_case_is_accepted_by_the_area_administrator_with_the_photo(self):
		"""R5–R10, R34: the portal case has a named follow-up owner; the photo is kept, private."""
		case = frappe.get_doc("Service Ticket", self.case_a)
		self.assertEqual(
			(case.channel, case.resident), ("Portal", frappe.db.get_value("Resident", {"user": self.alice}))
		)
		self.assertEqual((case.acceptor, case.follow_up_owner), (self.admin, self.admin))
		self.assertEqual(case.contact_phone, "13955501001")
		self.assertTrue(
			frappe.db.exists(
				"ToDo", {"reference_name": self.case_a, "allocated_to": self.admin, "status": "Open"}
			),
			"the acceptor has the portal case on their list",
		)
		self.assertTrue(self.work_order_a, "a repair reported on the portal gets its work order (R10, R15)")
		files = frappe.get_all(
			"File",
			{"attached_to_name": self.case_a},
			["file_url", "is_private", "attached_to_field"],
			order_by="creation",
		)
		self.assertEqual(len(files), 2)
		self.assertEqual(files[0].file_url, self.photo_url)
		self.assertEqual({(f.is_private, f.attached_to_field) for f in files}, {(1, "photo")})

	def test_a_resident_cannot_set_staff_only_fields(self):
		"""Owner, classification, liability, status and costs stay the staff's, whatever the resident sends."""
		response = self.report(
			self.alice_http,
			subject="楼道灯不亮",
			location="Common Facility",
			status="Closed",
			acceptor=self.alice,
			follow_up_owner=self.alice,
			liable_party="Owner",
			paid_service=1,
			complaint_ground="CG-01",
			validity_class="Valid Complaint",
			billing_status="Paid",
			channel="Phone",
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		case = frappe.get_doc("Service Ticket", response.json()["message"]["name"])
		self.assertEqual((case.status, case.channel), ("Open", "Portal"))
		self.assertEqual((case.acceptor, case.follow_up_owner), (self.admin, self.admin))
		self.assertNotEqual(case.liable_party, "Owner")
		self.assertFalse(case.paid_service)
		self.assertFalse(case.complaint_ground)
		self.assertFalse(case.billing_status)

	def test_my_cases_lists_the_units_cases_only(self):
		mine = self.alice_http.get(f"{METHOD}.list_cases", timeout=30).json()["message"]["cases"]
		self.assertIn(self.case_a, [c["name"] for c in mine])
		theirs = self.bob_http.get(f"{METHOD}.list_cases", timeout=30).json()["message"]["cases"]
		self.assertNotIn(self.case_a, [c["name"] for c in theirs])
		page = self.bob_http.get(f"{BASE_URL}/my_cases", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertNotIn(self.case_a, page.text)
		self.assertIn(self.case_a, self.alice_http.get(f"{BASE_URL}/my_cases", timeout=30).text)

	def test_following_a_case_shows_owner_timeline_and_service_card(self):
		"""R8, R34: the follow-up owner's name and phone, the steps so far and the service card."""
		page = self.alice_http.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn("区域管理员", page.text)
		self.assertIn("tel:13755501001", page.text)
		self.assertIn('id="ph-timeline"', page.text)
		self.assertIn(self.work_order_a, page.text)
		self.assertIn('id="ph-service-card"', page.text)
		wo = frappe.get_doc("Repair Work Order", self.work_order_a)
		wo.append(
			"progress",
			{"reported_at": frappe.utils.now_datetime(), "note": "内部：等配件", "told_resident": 0},
		)
		wo.append(
			"progress", {"reported_at": frappe.utils.now_datetime(), "note": "配件周五到", "told_resident": 1}
		)
		wo.db_update_all()
		frappe.db.commit()
		page = self.alice_http.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30)
		self.assertIn("配件周五到", page.text)
		self.assertNotIn("内部：等配件", page.text)
		self.assertEqual(page.text.count("property_helpdesk.api.portal.photo?ticket="), 2)
		for n, width in ((0, 1), (1, 2)):
			photo = self.alice_http.get(f"{METHOD}.photo", params={"ticket": self.case_a, "n": n}, timeout=30)
			self.assertEqual((photo.status_code, photo.headers["Content-Type"]), (200, "image/png"))
			self.assertEqual(photo.content, png(width, 2))
		self.assertEqual(
			self.alice_http.get(
				f"{METHOD}.photo", params={"ticket": self.case_a, "n": 2}, timeout=30
			).status_code,
			404,
		)

	def test_reminders_are_recorded_and_the_second_makes_a_valid_complaint(self):
		"""R12 ground 5: two unanswered reminders on the portal make the complaint valid — two reminders, not two
		taps: a second one within the gap is refused and not recorded."""
		clear_limits()
		response = self.report(self.alice_http, ticket_type="Complaint", subject="保洁不到位")
		complaint = response.json()["message"]["name"]
		remind = lambda: self.alice_http.post(  # noqa: E731
			f"{METHOD}.remind", data={"ticket": complaint, "note": "请尽快"}, timeout=30
		)
		self.assertEqual(remind().status_code, 200)
		again = remind()
		self.assertEqual(again.status_code, 417, again.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Service Ticket", complaint, "reminder_count"), 1)
		self.assertFalse(frappe.db.get_value("Service Ticket", complaint, "complaint_ground"))
		# an hour and more later the office still has not answered: the second reminder counts
		frappe.db.sql(
			"update `tabTicket Reminder` set reminded_at = now() - interval 61 minute where parent = %s",
			complaint,
		)
		frappe.db.commit()
		self.assertEqual(remind().status_code, 200)
		frappe.db.rollback()
		case = frappe.get_doc("Service Ticket", complaint)
		self.assertEqual(case.reminder_count, 2)
		self.assertEqual({r.channel for r in case.reminders}, {"Portal"})
		self.assertEqual({r.recorded_by for r in case.reminders}, {self.alice})
		self.assertEqual(frappe.db.get_value("Complaint Ground", case.complaint_ground, "ground_no"), 5)

	def test_confirm_and_rate_with_a_signature(self):
		"""R36: quality, timeliness and attitude rated and signed; bad input is refused and saves nothing."""
		frappe.db.set_value(
			"Repair Work Order",
			self.work_order_a,
			{"status": "Completed", "completed_at": frappe.utils.now_datetime(), "work_done": "已调整门轨"},
		)
		frappe.db.commit()
		url = f"{METHOD}.confirm_work"
		good = {"work_order": self.work_order_a, "quality": 5, "timeliness": 4, "attitude": 3}
		for bad in (
			{"quality": 6},
			{"attitude": 0},
			{"signature": "data:image/png;base64,AAAA"},
			{"signature": ""},
		):
			with self.subTest(bad=bad):
				response = self.alice_http.post(url, data={**good, "signature": SIGNATURE, **bad}, timeout=30)
				self.assertEqual(response.status_code, 417, response.text)
				frappe.db.rollback()
				self.assertFalse(
					frappe.db.get_value("Repair Work Order", self.work_order_a, "resident_confirmed")
				)
		response = self.alice_http.post(
			url, data={**good, "signature": SIGNATURE, "comment": "师傅很细心"}, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		wo = frappe.get_doc("Repair Work Order", self.work_order_a)
		self.assertEqual(
			(wo.resident_confirmed, wo.quality_rating, wo.timeliness_rating, wo.attitude_rating),
			(1, 1.0, 0.8, 0.6),
		)
		self.assertEqual(wo.resident_signature, SIGNATURE)
		self.assertTrue(wo.confirmed_at)
		again = self.alice_http.post(url, data={**good, "signature": SIGNATURE}, timeout=30)
		self.assertEqual(again.status_code, 417)

	def test_bad_input_is_a_clear_error_and_saves_nothing(self):
		frappe.db.rollback()
		before = frappe.db.count("Service Ticket", {"property": PROPERTY})
		cases = {
			"not a picture": (
				{"subject": "图片"},
				{"photo": ("x.png", b"MZ\x90\x00 not an image", "image/png")},
			),
			"too many photos": (
				{"subject": "图片"},
				[("photo", (f"{n}.png", png(), "image/png")) for n in range(6)],
			),
			"markup in the subject": ({"subject": "<b>漏水</b>"}, None),
			"bad phone": ({"contact_phone": "call me"}, None),
			"unknown type": ({"ticket_type": "Bribe"}, None),
		}
		for label, (fields, files) in cases.items():
			with self.subTest(label):
				clear_limits()
				data = {
					"ticket_type": "Repair",
					"unit": self.unit_a,
					"subject": "漏水",
					"description": "漏水",
					**fields,
				}
				response = self.alice_http.post(f"{METHOD}.report_case", data=data, files=files, timeout=30)
				self.assertEqual(response.status_code, 417, response.text)
				self.assertTrue(response.json().get("_server_messages"))
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Service Ticket", {"property": PROPERTY}), before)

	def test_text_is_rendered_harmless(self):
		clear_limits()
		note = '<img src=x onerror="alert(1)">'
		case = self.report(
			self.alice_http, subject="门铃坏了", description="<script>alert(2)</script>门铃"
		).json()
		name = case["message"]["name"]
		self.alice_http.post(f"{METHOD}.remind", data={"ticket": name, "note": note}, timeout=30)
		page = self.alice_http.get(f"{BASE_URL}/my_cases/{name}", timeout=30).text
		self.assertNotIn("onerror=", page)
		self.assertNotIn("<img src=x", page)
		self.assertNotIn("<script>alert(2)", page)

	def test_fee_schedule_before_a_paid_service(self):
		"""R11, R39: the published prices are on the report page."""
		from property_helpdesk.services.billing import fee_schedule

		page = self.alice_http.get(f"{BASE_URL}/new_case", timeout=30).text
		self.assertIn('id="ph-fees"', page)
		for fee in fee_schedule():
			self.assertIn(fee.item_name, page)

	def test_guests_are_sent_to_log_in(self):
		guest = requests.Session()
		response = guest.get(f"{BASE_URL}/my_cases", allow_redirects=False, timeout=30)
		self.assertIn(response.status_code, (301, 302))
		self.assertIn("/login", response.headers["Location"])
		self.assertEqual(guest.get(f"{METHOD}.list_cases", timeout=30).status_code, 403)
		self.assertEqual(guest.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30).status_code, 200)
		self.assertNotIn("阳台门", guest.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30).text)


class TestSecondResident(PortalCase):
	"""Bob tries every route to Alice's case. Each gets 403 or nothing of it."""

	def assert_refused(self, response, label):
		self.assertIn(response.status_code, (403,), f"{label}: {response.status_code} {response.text[:300]}")
		self.assertNotIn("阳台门", response.text, label)

	def test_every_portal_page_and_method(self):
		clear_limits()
		bob, case, wo = self.bob_http, self.case_a, self.work_order_a
		attempts = {
			"case page": lambda: bob.get(f"{BASE_URL}/my_cases/{case}", timeout=30),
			"photo": lambda: bob.get(f"{METHOD}.photo", params={"ticket": case}, timeout=30),
			"second photo": lambda: bob.get(f"{METHOD}.photo", params={"ticket": case, "n": 1}, timeout=30),
			"remind": lambda: bob.post(f"{METHOD}.remind", data={"ticket": case}, timeout=30),
			"confirm": lambda: bob.post(
				f"{METHOD}.confirm_work",
				data={"work_order": wo, "quality": 1, "timeliness": 1, "attitude": 1, "signature": SIGNATURE},
				timeout=30,
			),
			"report for another unit": lambda: self.report(bob, unit=self.unit_a),
			"a case that does not exist": lambda: bob.get(f"{BASE_URL}/my_cases/PH-1999-99999", timeout=30),
		}
		for label, attempt in attempts.items():
			with self.subTest(label):
				self.assert_refused(attempt(), label)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Service Ticket", case, "reminder_count"), 0)
		self.assertFalse(frappe.db.get_value("Repair Work Order", wo, "resident_confirmed"))

	def test_every_framework_route(self):
		"""Read, list, count, search, print, comment, attach, download: Frappe's own routes refuse a resident."""
		bob, case, wo = self.bob_http, self.case_a, self.work_order_a
		api = f"{BASE_URL}/api/method"
		attempts = {
			"REST read": lambda: bob.get(f"{BASE_URL}/api/resource/Service Ticket/{case}", timeout=30),
			"REST list": lambda: bob.get(f"{BASE_URL}/api/resource/Service Ticket", timeout=30),
			"REST work order": lambda: bob.get(f"{BASE_URL}/api/resource/Repair Work Order/{wo}", timeout=30),
			"REST update": lambda: bob.put(
				f"{BASE_URL}/api/resource/Service Ticket/{case}", json={"status": "Closed"}, timeout=30
			),
			"client.get": lambda: bob.get(
				f"{api}/frappe.client.get", params={"doctype": "Service Ticket", "name": case}, timeout=30
			),
			"client.get_value": lambda: bob.get(
				f"{api}/frappe.client.get_value",
				params={
					"doctype": "Service Ticket",
					"filters": f'{{"name": "{case}"}}',
					"fieldname": "subject",
				},
				timeout=30,
			),
			"client.get_count": lambda: bob.get(
				f"{api}/frappe.client.get_count", params={"doctype": "Service Ticket"}, timeout=30
			),
			"client.set_value": lambda: bob.post(
				f"{api}/frappe.client.set_value",
				data={
					"doctype": "Service Ticket",
					"name": case,
					"fieldname": "follow_up_owner",
					"value": self.bob,
				},
				timeout=30,
			),
			"reportview": lambda: bob.post(
				f"{api}/frappe.desk.reportview.get",
				data={"doctype": "Service Ticket", "fields": '["name","subject"]'},
				timeout=30,
			),
			"form load": lambda: bob.get(
				f"{api}/frappe.desk.form.load.getdoc",
				params={"doctype": "Service Ticket", "name": case},
				timeout=30,
			),
			"print view": lambda: bob.get(
				f"{BASE_URL}/printview",
				params={"doctype": "Service Ticket", "name": case, "format": "Service Card"},
				timeout=30,
			),
			"PDF download": lambda: bob.get(
				f"{api}/frappe.utils.print_format.download_pdf",
				params={"doctype": "Service Ticket", "name": case, "format": "Service Card"},
				timeout=30,
			),
			"comment": lambda: bob.post(
				f"{api}/frappe.desk.form.utils.add_comment",
				data={
					"reference_doctype": "Service Ticket",
					"reference_name": case,
					"content": "hi",
					"comment_email": self.bob,
					"comment_by": "赵强",
				},
				timeout=30,
			),
			"attach": lambda: bob.post(
				f"{api}/upload_file",
				data={"doctype": "Service Ticket", "docname": case, "is_private": 1},
				files={"file": ("x.png", png(), "image/png")},
				timeout=30,
			),
			"private file": lambda: bob.get(f"{BASE_URL}{self.photo_url}", timeout=30),
		}
		for label, attempt in attempts.items():
			with self.subTest(label):
				self.assert_refused(attempt(), label)
		with self.subTest("search"):
			response = bob.post(
				f"{api}/frappe.desk.search.search_link",
				data={"doctype": "Service Ticket", "txt": "阳台"},
				timeout=30,
			)
			self.assertNotIn(case, response.text)
			self.assertNotIn("阳台门", response.text)
		frappe.db.rollback()
		case_doc = frappe.get_doc("Service Ticket", case)
		self.assertEqual((case_doc.status, case_doc.follow_up_owner), ("Open", self.admin))
		self.assertFalse(frappe.db.exists("Comment", {"reference_name": case, "comment_email": self.bob}))
		self.assertEqual(frappe.db.count("File", {"attached_to_name": case}), 2)

	def test_posts_need_the_csrf_token(self):
		clear_limits()
		for token in (None, "not-the-token"):
			with self.subTest(token=token):
				session = requests.Session()
				session.cookies.update(self.alice_http.cookies)
				if token:
					session.headers["X-Frappe-CSRF-Token"] = token
				response = session.post(f"{METHOD}.remind", data={"ticket": self.case_a}, timeout=30)
				self.assertEqual(response.status_code, 400, response.text)
		bare = requests.Session()  # a session that never opened a portal page carries no token at all
		bare.post(f"{BASE_URL}/api/method/login", data={"usr": self.alice, "pwd": PASSWORD}, timeout=30)
		self.assertEqual(
			bare.post(f"{METHOD}.remind", data={"ticket": self.case_a}, timeout=30).status_code, 400
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Service Ticket", self.case_a, "reminder_count"), 0)

	def test_submissions_are_rate_limited(self):
		clear_limits()
		codes = [
			self.bob_http.post(f"{METHOD}.remind", data={"ticket": self.case_a}, timeout=30).status_code
			for _ in range(DEFAULT_LIMITS["remind"] + 1)
		]
		# refused as a stranger's case before any counting: a stranger cannot spend the owner's allowance
		self.assertEqual(set(codes), {403})
		case_b = self.report(self.bob_http, unit=self.unit_b, subject="信箱锁坏").json()["message"]["name"]
		codes = [
			self.bob_http.post(f"{METHOD}.remind", data={"ticket": case_b}, timeout=30).status_code
			for _ in range(DEFAULT_LIMITS["remind"] + 1)
		]
		# the first is recorded; the next ones within the reminder gap are refused (417) but counted; then 429
		self.assertEqual(codes, [200] + [417] * (DEFAULT_LIMITS["remind"] - 1) + [429])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Service Ticket", case_b, "reminder_count"), 1)
		clear_limits()


class TestSignUpAndInvitation(PortalCase):
	def test_self_sign_up_confirmed_by_staff_against_the_owner_record(self):
		frappe.db.set_value(
			"Property Unit", self.unit_b, {"owner_name": "孙敏", "owner_phone": "13955501003"}
		)
		carol = make_user("portal-carol@portal.test", user_type="Website User")
		frappe.db.commit()
		clear_limits()
		session = portal_session(carol)
		self.assertIn('id="ph-register"', session.get(f"{BASE_URL}/my_cases", timeout=30).text)
		self.assertEqual(session.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30).status_code, 403)
		response = session.post(
			f"{METHOD}.register",
			data={
				"property": PROPERTY,
				"building": "1幢",
				"unit_no": "102",
				"applicant_name": "孙敏",
				"phone": "13955501003",
				"relation": "Owner",
				"status": "Approved",
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		request = frappe.get_doc("Portal Registration", response.json()["message"]["name"])
		self.assertEqual(
			(request.status, request.matches_owner_record, request.unit), ("Pending", 1, self.unit_b)
		)
		self.assertFalse(frappe.db.exists("Resident", {"user": carol}))

		frappe.set_user(self.admin)
		try:
			request.status = "Approved"
			request.save()
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		resident = frappe.get_doc("Resident", {"user": carol})
		self.assertEqual([row.unit for row in resident.units], [self.unit_b])
		self.assertIn("Property Resident", frappe.get_roles(carol))
		self.assertEqual(request.decided_by, self.admin)
		mine = session.get(f"{METHOD}.list_cases", timeout=30)
		self.assertEqual(mine.status_code, 200)
		self.assertNotIn(self.case_a, mine.text)
		request.status = "Rejected"
		self.assertRaises(frappe.ValidationError, request.save)
		frappe.db.rollback()

	def test_staff_invite_a_resident(self):
		resident = frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "周杰",
				"phone": "13955501004",
				"email": "portal-dave@portal.test",
				"units": [{"unit": self.unit_b, "relation": "Tenant"}],
			}
		).insert(ignore_permissions=True)
		from property_helpdesk.property_helpdesk.doctype.resident.resident import invite_to_portal

		frappe.set_user(make_user("portal-tech@portal.test", "Property Maintenance Technician"))
		try:
			self.assertRaises(frappe.PermissionError, invite_to_portal, resident.name)
		finally:
			frappe.set_user("Administrator")
		staff = frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "冒名",
				"phone": "13955501009",
				"email": self.admin,
				"units": [{"unit": self.unit_b, "relation": "Tenant"}],
			}
		).insert(ignore_permissions=True)
		key_before = frappe.db.get_value("User", self.admin, "reset_password_key")
		frappe.set_user(self.admin)
		try:
			self.assertRaises(frappe.PermissionError, invite_to_portal, staff.name)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("User", self.admin, "reset_password_key"), key_before)
		self.assertNotIn("Property Resident", frappe.get_roles(self.admin))
		frappe.set_user(self.admin)
		try:
			result = invite_to_portal(resident.name)
		finally:
			frappe.set_user("Administrator")
		user = result["user"]
		self.assertEqual(frappe.db.get_value("User", user, "user_type"), "Website User")
		self.assertIn("Property Resident", frappe.get_roles(user))
		self.assertEqual(frappe.db.get_value("Resident", resident.name, "user"), user)
		# no outgoing email account on the test site: staff get the set-password link to pass on
		self.assertFalse(frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}))
		self.assertFalse(result["mailed"])
		self.assertIn("/update-password?key=", result["link"])
		key = result["link"].rsplit("key=", 1)[1]
		self.assertEqual(frappe.db.get_value("User", user, "reset_password_key"), sha256_hash(key))
		frappe.db.rollback()


class TestResidentBills(PortalCase):
	"""R39: a resident sees their own invoices and receipts on ERPNext's portal, and not another resident's."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from property_helpdesk.services import billing

		billing.ensure_fee_schedule()
		cls.invoices, cls.receipts = {}, {}
		for user, customer in ((cls.alice, "门户业主王丽"), (cls.bob, "门户业主赵强")):
			if not frappe.db.exists("Customer", customer):
				frappe.get_doc(
					{"doctype": "Customer", "customer_name": customer, "customer_type": "Individual"}
				).insert(ignore_permissions=True)
			resident = frappe.get_doc("Resident", {"user": user})
			resident.customer = customer
			resident.save(ignore_permissions=True)
			invoice = frappe.get_doc(
				{"doctype": "Sales Invoice", "customer": customer,
					"items": [{"item_code": billing.SERVICE_ITEM, "qty": 1, "rate": 88}]}
			).insert(ignore_permissions=True)  # fmt: skip
			invoice.submit()
			cls.invoices[user] = invoice.name
			payment = get_payment_entry("Sales Invoice", invoice.name)
			payment.update({"reference_no": f"门户收据-{customer}", "reference_date": frappe.utils.nowdate()})
			payment.insert(ignore_permissions=True)
			payment.submit()
			cls.receipts[user] = payment.name
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for name in cls.receipts.values():
			frappe.get_doc("Payment Entry", name).cancel()
			frappe.delete_doc("Payment Entry", name, force=True, ignore_permissions=True)
		for name in cls.invoices.values():
			invoice = frappe.get_doc("Sales Invoice", name)
			invoice.cancel()
			frappe.delete_doc("Sales Invoice", name, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def test_each_resident_sees_only_their_own_invoices(self):
		mine, theirs = self.invoices[self.alice], self.invoices[self.bob]
		listing = self.alice_http.get(
			f"{BASE_URL}/api/method/frappe.www.list.get_list_data",
			params={"doctype": "Sales Invoice", "limit": 100},
			timeout=30,
		)
		self.assertEqual(listing.status_code, 200, listing.text)
		self.assertIn(mine, listing.text)
		self.assertNotIn(theirs, listing.text)
		page = self.alice_http.get(f"{BASE_URL}/invoices/{mine}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn(mine, page.text)
		for label, response in (
			("invoice page", self.alice_http.get(f"{BASE_URL}/invoices/{theirs}", timeout=30)),
			("REST", self.alice_http.get(f"{BASE_URL}/api/resource/Sales Invoice/{theirs}", timeout=30)),
			(
				"print",
				self.alice_http.get(
					f"{BASE_URL}/printview", params={"doctype": "Sales Invoice", "name": theirs}, timeout=30
				),
			),
		):
			with self.subTest(label):
				self.assertEqual(response.status_code, 403, response.text[:200])

	def test_r39_each_resident_gets_only_their_own_receipts(self):
		mine, theirs = self.receipts[self.alice], self.receipts[self.bob]
		page = self.alice_http.get(f"{BASE_URL}/my_receipts", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn(mine, page.text)
		self.assertNotIn(theirs, page.text)
		url = f"{BASE_URL}/api/method/property_helpdesk.api.portal.receipt"
		receipt = self.alice_http.get(url, params={"name": mine}, timeout=60)
		self.assertEqual(receipt.status_code, 200, receipt.text[:200])
		self.assertTrue(receipt.content.startswith(b"%PDF"))
		for label, response in (
			("receipt", self.alice_http.get(url, params={"name": theirs}, timeout=30)),
			("REST", self.alice_http.get(f"{BASE_URL}/api/resource/Payment Entry/{theirs}", timeout=30)),
			(
				"print",
				self.alice_http.get(
					f"{BASE_URL}/printview",
					params={"doctype": "Payment Entry", "name": theirs, "format": "Resident Receipt"},
					timeout=30,
				),
			),
		):
			with self.subTest(label):
				self.assertEqual(response.status_code, 403, response.text[:200])


class TestPortalRules(FrappeTestCase):
	def test_pictures_are_known_by_their_bytes(self):
		self.assertEqual(sniff_image(png()), "image/png")
		self.assertEqual(sniff_image(b"\xff\xd8\xff\xe0rest"), "image/jpeg")
		self.assertIsNone(sniff_image(b"<svg onload=alert(1)>"))
		self.assertIsNone(sniff_image(b"MZ\x90\x00"))

	def test_a_signature_is_a_png_data_url(self):
		self.assertTrue(valid_signature(SIGNATURE))
		self.assertFalse(valid_signature("data:image/svg+xml;base64,PHN2Zz4="))
		self.assertFalse(valid_signature("data:image/png;base64,not base64!"))
		self.assertFalse(valid_signature(None))
