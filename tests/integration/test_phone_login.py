"""Signing in to the resident portal with a mobile number and an SMS code, over real HTTP (issue 13; R8, R10,
R34): the right code signs in, a wrong, expired or spent code does not, the limits hold, a number nobody has
gets the very answer a resident's number gets, and a resident who signed in by phone sees only their units'
cases. The codes go through the site's SMS Settings to a real local HTTP gateway (servers.SMSGateway).

These tests commit (the web server has its own connection) and delete what they made afterwards."""

import html
import os
import re
import time

import frappe
import requests
from frappe.installer import update_site_config
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.constants import DUTY_STAFF, MESSAGE_ACCEPTED, MESSAGE_SENT, RESIDENT_ROLE
from tests.integration.factories import (
	delete_cases,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	no_quiet_hours,
)
from tests.integration.servers import SMSGateway, unconfigure_sms
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
METHOD = f"{BASE_URL}/api/method/property_helpdesk.api.phone_login"
PORTAL = f"{BASE_URL}/api/method/property_helpdesk.api.portal"
PROPERTY = "手机登录楼盘"
CONFIG = "property_helpdesk_phone_login"
SEND_JOB = "property_helpdesk.api.phone_login.send_code"

LINKED = "13966601001"  # a resident already linked to a portal user (invited by email)
PHONE_ONLY = "13966601002"  # a resident with a phone and no user: kept as the office typed it
STAFF = "13966601003"  # a resident record whose user is a staff account
UNKNOWN = "13966601999"  # nobody's number


def clear_limits():
	frappe.cache.delete_keys("property_helpdesk:phone_login:")
	frappe.cache.delete_keys("rl:property_helpdesk.api.phone_login")


def set_limits(**values):
	"""What a site sets in site_config.json; the web server reads it on its next request."""
	update_site_config(CONFIG, values or None)
	frappe.local.conf[CONFIG] = values or None


def run_jobs(method: str, run: bool = True) -> None:
	"""What a background worker does with the jobs of `method` queued for this site (no worker runs beside the
	test site): each is run here, as the worker would, and taken off the queue (`run=False`: only taken off)."""
	from frappe.utils.background_jobs import get_queues

	for queue in get_queues():
		for job in queue.jobs:
			job_args = job.kwargs or {}
			if job_args.get("site") == frappe.local.site and job_args.get("method") == method:
				if run:
					frappe.get_attr(method)(**job_args["kwargs"])
				job.delete()
	frappe.db.commit()


def deliver_codes() -> None:
	run_jobs(SEND_JOB)


def tell(case: str, step: str) -> str:
	"""The resident of `case` told of `step` by the messages service, and the SMS sent as its worker would."""
	from property_helpdesk.services.resident_messages import SEND_JOB as MESSAGE_JOB
	from property_helpdesk.services.resident_messages import tell_resident

	with no_quiet_hours():  # an accepted case's SMS goes at once whatever the hour the test runs at
		tell_resident(case, step)
		frappe.db.commit()
		run_jobs(MESSAGE_JOB)
	return frappe.db.get_value("Resident Message", {"service_ticket": case, "step": step}, "name")


def ask(session, mobile):
	return session.post(f"{METHOD}.request_code", data={"mobile": mobile}, timeout=30)


def sign_in(session, mobile, code, **extra):
	return session.post(f"{METHOD}.sign_in", data={"mobile": mobile, "code": code, **extra}, timeout=30)


def logged_user(session) -> str:
	"""Who the session is signed in as (Frappe refuses a guest this method: 403)."""
	response = session.get(f"{BASE_URL}/api/method/frappe.auth.get_logged_user", timeout=30)
	return response.json()["message"] if response.ok else "Guest"


class PhoneLoginCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# the cases' own saves tell their residents: at night Settings' quiet hours would hold those SMS
		cls.quiet = no_quiet_hours()
		cls.quiet.__enter__()
		cls.gateway = SMSGateway().__enter__()
		cls.gateway.configure()
		cls.staff = make_user("phone-login-staff@phonelogin.test", DUTY_STAFF, mobile="13755503001")
		make_property(PROPERTY, area_administrator=cls.staff)
		cls.unit_a = make_unit(PROPERTY, "2幢", "201")
		cls.unit_b = make_unit(PROPERTY, "2幢", "202")
		cls.linked_user = make_user(
			"phone-login-linked@phonelogin.test", RESIDENT_ROLE, user_type="Website User", mobile=LINKED
		)
		cls.linked = cls.resident("周敏", LINKED, cls.unit_a, user=cls.linked_user)
		cls.phone_only = cls.resident("吴刚", "+86 139-6660-1002", cls.unit_b)
		cls.staff_resident = cls.resident("郑工", STAFF, cls.unit_b, user=cls.staff)
		frappe.set_user(cls.staff)
		cls.case_a = make_ticket(cls.unit_a, subject="门禁卡失灵", contact_phone=LINKED).name
		cls.case_b = make_ticket(
			cls.unit_b, subject="厨房下水堵塞", contact_phone=PHONE_ONLY, resident=cls.phone_only
		).name
		frappe.set_user("Administrator")
		frappe.db.commit()
		cls.message_b = tell(cls.case_b, MESSAGE_ACCEPTED)

	@classmethod
	def resident(cls, name, phone, unit, user=None):
		return (
			frappe.get_doc(
				{
					"doctype": "Resident",
					"resident_name": name,
					"phone": phone,
					"user": user,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cls.quiet.__exit__(None, None, None)
		frappe.db.delete("Resident Message", {"service_ticket": ("in", (cls.case_a, cls.case_b))})
		delete_cases(PROPERTY)
		frappe.db.delete("ToDo", {"allocated_to": cls.staff})
		made = frappe.get_all(
			"User", {"name": ("like", "%@phone.invalid"), "mobile_no": PHONE_ONLY}, pluck="name"
		)
		for resident in (cls.linked, cls.phone_only, cls.staff_resident):
			frappe.delete_doc("Resident", resident, force=True, ignore_permissions=True)
		for user in made:
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		frappe.db.commit()
		unconfigure_sms()
		cls.gateway.__exit__()
		set_limits()
		clear_limits()
		super().tearDownClass()

	def setUp(self):
		run_jobs(SEND_JOB, run=False)  # codes an earlier test asked for and never read
		clear_limits()
		set_limits()
		self.gateway.requests.clear()

	def code_for(self, number) -> str:
		"""The code the gateway received for `number`, after the worker ran the queued send."""
		deliver_codes()
		texts = [text for to, text in self.gateway.messages() if to == number]
		self.assertTrue(texts, f"an SMS went to {number}")
		return re.search(r"(?<!\d)(\d{6})(?!\d)", texts[-1]).group(1)


class TestPhoneLogin(PhoneLoginCase):
	def test_the_right_code_signs_a_linked_resident_in_to_their_own_user(self):
		http = requests.Session()
		answer = ask(http, "+86 139 6660 1001")
		self.assertEqual(answer.status_code, 200, answer.text)
		self.assertEqual(answer.json()["message"]["sent_to"], "139****1001")
		code = self.code_for(LINKED)
		self.assertEqual(self.gateway.messages(), [(LINKED, self.gateway.messages()[0][1])], "one SMS, once")
		self.assertIn(code, self.gateway.messages()[0][1])
		response = sign_in(http, LINKED, code, redirect_to="/my_cases")
		self.assertEqual(response.status_code, 200, response.text)
		self.assertTrue(response.json()["message"]["redirect_to"].endswith("/my_cases"))
		self.assertEqual(logged_user(http), self.linked_user)
		self.assertIn(self.case_a, http.get(f"{BASE_URL}/my_cases", timeout=30).text)
		# one time only: the same code again is refused, like a wrong one
		again = sign_in(requests.Session(), LINKED, code)
		self.assertEqual(again.status_code, 401, again.text)
		self.assertEqual(again.json()["exc_type"], "SignInCodeError")

	def test_the_code_is_sent_by_a_real_worker_after_the_answer(self):
		"""The request only queues the SMS (on the short queue); a real RQ worker in its own process sends it
		through the gateway, and the code it carries signs the resident in."""
		http = requests.Session()
		self.assertEqual(ask(http, LINKED).status_code, 200)
		self.assertEqual(self.gateway.messages(), [])  # nothing sent in the request
		jobs = queued_jobs(SEND_JOB, queue="short", number=LINKED)
		self.assertEqual(len(jobs), 1)
		run_worker(jobs, queue="short")
		(text,) = [text for to, text in self.gateway.messages() if to == LINKED]
		code = re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)
		self.assertEqual(sign_in(http, LINKED, code).status_code, 200)

	def test_a_phone_only_resident_gets_a_website_user_and_sees_only_their_units_cases(self):
		"""R10, R34: their own unit's case, not another unit's, by every portal route."""
		http = requests.Session()
		self.assertEqual(ask(http, PHONE_ONLY).status_code, 200)
		response = sign_in(http, PHONE_ONLY, self.code_for(PHONE_ONLY))
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		user = frappe.db.get_value("Resident", self.phone_only, "user")
		self.assertTrue(user and user.endswith("@phone.invalid"), user)
		self.assertEqual(logged_user(http), user)
		account = frappe.get_doc("User", user)
		self.assertEqual(
			(account.user_type, account.mobile_no, account.enabled), ("Website User", PHONE_ONLY, 1)
		)
		self.assertEqual({r.role for r in account.roles} & {RESIDENT_ROLE, DUTY_STAFF}, {RESIDENT_ROLE})
		self.assertFalse(
			frappe.db.exists("Email Queue Recipient", {"recipient": user}), "no mail to a made-up address"
		)

		cases = http.get(f"{PORTAL}.list_cases", timeout=30).json()["message"]["cases"]
		self.assertEqual([c["name"] for c in cases], [self.case_b])
		page = http.get(f"{BASE_URL}/my_cases/{self.case_b}", timeout=30)
		self.assertEqual(page.status_code, 200)
		# what they were told about it, delivered (issue 13)
		message = frappe.get_doc("Resident Message", self.message_b)
		self.assertEqual((message.status, message.channel), (MESSAGE_SENT, "SMS"))
		history = page.text.split('id="ph-messages"', 1)[1].split("</ul>", 1)[0]
		self.assertIn(message.text, html.unescape(history))
		told = frappe.get_all("Resident Message", {"service_ticket": self.case_b}, pluck="status")
		self.assertEqual(history.count('class="ph-card ph-message"'), len(told))
		self.assertIn('data-status="Sent"', history)
		other = http.get(f"{BASE_URL}/my_cases/{self.case_a}", timeout=30)
		self.assertEqual(other.status_code, 403)
		self.assertNotIn("门禁卡失灵", other.text)
		self.assertEqual(
			http.get(f"{BASE_URL}/api/resource/Service Ticket/{self.case_a}", timeout=30).status_code, 403
		)
		self.assertNotIn(self.case_a, http.get(f"{BASE_URL}/my_cases", timeout=30).text)

		# the second time, the same user: none is made again
		http2 = requests.Session()
		clear_limits()
		ask(http2, PHONE_ONLY)
		self.assertEqual(sign_in(http2, PHONE_ONLY, self.code_for(PHONE_ONLY)).status_code, 200)
		self.assertEqual(logged_user(http2), user)
		self.assertEqual(frappe.db.count("User", {"name": ("like", f"{PHONE_ONLY}%@phone.invalid")}), 1)

	def test_a_wrong_code_does_not_sign_in_and_five_end_the_code(self):
		http = requests.Session()
		ask(http, LINKED)
		code = self.code_for(LINKED)
		wrong = f"{(int(code) + 1) % 10**6:06d}"
		response = sign_in(http, LINKED, wrong)
		self.assertEqual(response.status_code, 401, response.text)
		self.assertEqual(response.json()["exc_type"], "SignInCodeError")
		self.assertIn("wrong or has expired", response.text)
		self.assertEqual(logged_user(http), "Guest")
		for _n in range(4):
			self.assertEqual(sign_in(http, LINKED, wrong).status_code, 401)
		# the sixth try is refused even with the right code: the code is spent
		response = sign_in(http, LINKED, code)
		self.assertEqual(response.status_code, 429, response.text)
		self.assertEqual(logged_user(http), "Guest")

	def test_an_expired_code_does_not_sign_in(self):
		set_limits(code_seconds=2)
		http = requests.Session()
		ask(http, LINKED)
		code = self.code_for(LINKED)
		time.sleep(3)
		response = sign_in(http, LINKED, code)
		self.assertEqual(response.status_code, 401, response.text)
		self.assertEqual(response.json()["exc_type"], "SignInCodeError")
		self.assertEqual(logged_user(http), "Guest")

	def test_an_unknown_number_gets_the_same_answer_and_no_sms(self):
		known, unknown = ask(requests.Session(), LINKED), ask(requests.Session(), UNKNOWN)
		self.assertEqual((known.status_code, unknown.status_code), (200, 200))
		self.assertEqual(
			{**known.json()["message"], "sent_to": None}, {**unknown.json()["message"], "sent_to": None}
		)
		self.assertEqual(set(known.json()), set(unknown.json()))
		self.assertEqual(unknown.json()["message"]["sent_to"], "139****1999")
		deliver_codes()
		self.assertEqual([to for to, _text in self.gateway.messages()], [LINKED])
		# and trying a code on it answers as a wrong code on a resident's number does
		response = sign_in(requests.Session(), UNKNOWN, "123456")
		self.assertEqual(response.status_code, 401)
		self.assertEqual(response.json()["exc_type"], "SignInCodeError")
		# the limits count it alike
		self.assertEqual(ask(requests.Session(), UNKNOWN).status_code, 429)
		self.assertEqual(ask(requests.Session(), LINKED).status_code, 429)

	def test_wrong_tries_and_new_codes_answer_alike_for_any_number(self):
		set_limits(resend_seconds=0)
		for number in (LINKED, UNKNOWN):
			http = requests.Session()
			self.assertEqual(ask(http, number).status_code, 200)
			answers = [sign_in(http, number, "000000").status_code for _n in range(6)]
			self.assertEqual(answers, [401] * 5 + [429], number)
			self.assertEqual(ask(http, number).status_code, 200)
			self.assertEqual(sign_in(http, number, "000000").status_code, 401, number)

	def test_a_staff_account_never_signs_in_by_sms(self):
		"""A resident record that names a staff user: answered as an unknown number, nothing sent."""
		answer = ask(requests.Session(), STAFF)
		self.assertEqual(answer.status_code, 200)
		deliver_codes()
		self.assertEqual(self.gateway.messages(), [])
		self.assertEqual(sign_in(requests.Session(), STAFF, "000000").status_code, 401)


class TestLimitsAndBadInput(PhoneLoginCase):
	def test_one_code_per_number_a_minute(self):
		self.assertEqual(ask(requests.Session(), LINKED).status_code, 200)
		again = ask(requests.Session(), "139-6660-1001")
		self.assertEqual(again.status_code, 429, again.text)
		self.assertIn("seconds", again.text)
		deliver_codes()
		self.assertEqual(len(self.gateway.messages()), 1)

	def test_codes_per_number_an_hour(self):
		set_limits(resend_seconds=0, codes_per_number=2)
		for ip_session in (requests.Session(), requests.Session()):
			self.assertEqual(ask(ip_session, LINKED).status_code, 200)
		third = ask(requests.Session(), LINKED)
		self.assertEqual(third.status_code, 429, third.text)
		self.assertIn("Too many codes for this number", third.text)
		self.assertEqual(ask(requests.Session(), UNKNOWN).status_code, 200, "another number is not limited")

	def test_frappe_rate_limit_per_ip(self):
		set_limits(codes_per_ip=3)
		numbers = ["13966602001", "13966602002", "13966602003", "13966602004"]
		answers = [ask(requests.Session(), n).status_code for n in numbers]
		self.assertEqual(answers, [200, 200, 200, 429])
		set_limits(sign_ins_per_ip=2)
		answers = [sign_in(requests.Session(), UNKNOWN, "123456").status_code for _n in range(3)]
		self.assertEqual(answers, [401, 401, 429])

	def test_bad_input_gets_a_clear_4xx_never_a_500(self):
		http = requests.Session()
		for mobile in ("", "12345", "1396660100", "139666010011", "23966601001", "电话", "+44 7700 900123"):
			response = ask(http, mobile)
			self.assertEqual(response.status_code, 417, f"{mobile!r}: {response.text}")
			self.assertIn("11-digit mainland mobile number", response.text)
		self.assertEqual(http.post(f"{METHOD}.request_code", timeout=30).status_code, 417)
		for code in ("", "12345", "1234567", "12ab56", "１２３４５６"):
			response = sign_in(http, LINKED, code)
			self.assertEqual(response.status_code, 417, f"{code!r}: {response.text}")
			self.assertIn("6-digit code", response.text)
		self.assertEqual(http.post(f"{METHOD}.sign_in", timeout=30).status_code, 417)
		self.assertEqual(
			http.get(f"{METHOD}.request_code", params={"mobile": LINKED}, timeout=30).status_code, 403
		)
		deliver_codes()
		self.assertEqual(self.gateway.messages(), [])

	def test_the_sign_in_page(self):
		"""The residents' pages send a guest to sign in by phone; it links Frappe's email sign-in."""
		guest = requests.Session()
		response = guest.get(f"{BASE_URL}/my_cases", allow_redirects=False, timeout=30)
		self.assertIn("/login/phone?redirect-to=/my_cases", response.headers["Location"])
		page = guest.get(f"{BASE_URL}/login/phone?redirect-to=/my_cases", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn('id="ph-send"', page.text)
		self.assertIn('href="/login?redirect-to=', page.text)
		# a staff page still goes to Frappe's /login
		jobs = guest.get(f"{BASE_URL}/my_jobs", allow_redirects=False, timeout=30)
		self.assertTrue(jobs.headers["Location"].split("?")[0].endswith("/login"), jobs.headers["Location"])
