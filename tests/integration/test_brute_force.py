"""Brute force, over real HTTP (issue 15, "Attack": login and phone-code brute force limited; sessions of a
disabled resident end; R8, R10, R34).

- Password login is Frappe's own LoginManager with its LoginAttemptTracker: the app's install sets System
  Settings' "Brute Force Security" to 5 tries and a 5-minute lock (setup/install.login_lockout). The sixth
  login after five wrong passwords is refused even with the right password, in the caller's language; many
  accounts tried from one address lock the address.
- The resident's SMS sign-in code (api/phone_login; its single use, expiry, per-number and per-IP limits are
  proven in test_phone_login): a guesser who keeps asking for new codes gets no more than codes × tries an hour.
- A disabled resident (their Resident record, or their User) is signed out at once: every open session answers
  as a guest's, and the phone sign-in sends them no code.

These tests commit (the web server has its own connection) and delete what they made afterwards.
"""

import os
import time

import frappe
import requests
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.api.phone_login import DEFAULTS
from property_helpdesk.constants import RESIDENT, RESIDENT_ROLE
from property_helpdesk.setup.install import LOGIN_ATTEMPTS, LOGIN_LOCK_SECONDS
from tests.integration.factories import PASSWORD, login_session, make_property, make_unit, make_user
from tests.integration.test_phone_login import (
	LINKED,
	PhoneLoginCase,
	ask,
	clear_limits,
	deliver_codes,
	logged_user,
	set_limits,
	sign_in,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
DOMAIN = "bruteforce.test"
PROPERTY = "暴力破解楼盘"
LOCAL_IP = "127.0.0.1"  # every test request comes from here


def forget_failures(*keys: str) -> None:
	"""Frappe's login failure counters (Redis hashes keyed by user and by IP), so that no lock outlives a test:
	the rest of the suite logs in from 127.0.0.1 too."""
	for key in keys:
		frappe.cache.hdel("login_failed_count", key)
		frappe.cache.hdel("login_failed_time", key)


def set_lockout(attempts: int, seconds: int) -> None:
	"""System Settings' lockout, committed: the web server reads it on each login."""
	frappe.db.set_single_value(
		"System Settings", {"allow_consecutive_login_attempts": attempts, "allow_login_after_fail": seconds}
	)
	frappe.db.commit()
	frappe.clear_document_cache("System Settings", "System Settings")


def login(user: str, password: str, lang: str = "en") -> requests.Response:
	return requests.post(
		f"{BASE_URL}/api/method/login",
		data={"usr": user, "pwd": password},
		headers={"Accept-Language": lang},
		timeout=30,
	)


def messages(response) -> str:
	import json

	found = json.loads(response.json().get("_server_messages") or "[]")
	return " ".join(json.loads(m).get("message", "") for m in found) or response.json().get("message", "")


class TestLoginLockout(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user(f"agent@{DOMAIN}", "Property Duty Staff")
		cls.other = make_user(f"other@{DOMAIN}", "Property Duty Staff")
		frappe.db.commit()

	def setUp(self):
		forget_failures(self.user, self.other, LOCAL_IP)

	def tearDown(self):
		forget_failures(self.user, self.other, LOCAL_IP)

	def test_the_install_sets_a_lockout(self):
		settings = frappe.get_single("System Settings")
		self.assertEqual(
			(settings.allow_consecutive_login_attempts, settings.allow_login_after_fail),
			(LOGIN_ATTEMPTS, LOGIN_LOCK_SECONDS),
		)
		self.assertLessEqual(LOGIN_ATTEMPTS, 5)
		self.assertGreaterEqual(LOGIN_LOCK_SECONDS, 300)

	def test_once_wrong_passwords_exceed_the_limit_the_right_one_is_refused(self):
		"""Frappe's lock answers before the request's language is set and with an exception that carries no
		HTTP code (SecurityException: 500, its message in English); Frappe's login page shows its own
		translated "Something went wrong." for it. What matters here: no session for the right password."""
		attempts = frappe.db.get_single_value("System Settings", "allow_consecutive_login_attempts")
		# Frappe locks once the failures exceed the setting: that many and one more wrong passwords
		for n in range(attempts + 1):
			response = login(self.user, f"wrong-{n}")
			self.assertEqual(response.status_code, 401, response.text)
		lock = frappe.db.get_single_value("System Settings", "allow_login_after_fail")
		refused = login(self.user, PASSWORD, lang="zh")
		self.assertNotEqual(refused.status_code, 200, refused.text)
		self.assertNotIn("sid", {c.name for c in refused.cookies if c.value != "Guest"})
		self.assertIn(f"will resume after {lock} seconds", messages(refused))
		# the lock is the account's too: from another address, after the IP's lock is lifted, still refused
		forget_failures(LOCAL_IP)
		self.assertNotEqual(login(self.user, PASSWORD).status_code, 200)
		# once the lock is over the right password signs in again
		forget_failures(self.user, LOCAL_IP)
		signed_in = login(self.user, PASSWORD)
		self.assertEqual(signed_in.status_code, 200, signed_in.text)

	def test_many_accounts_tried_from_one_address_lock_the_address(self):
		"""A password sprayed over many accounts (here unknown ones) locks the address it comes from: the next
		real user from it waits too. A successful login in between starts the count again (Frappe's tracker)."""
		attempts = frappe.db.get_single_value("System Settings", "allow_consecutive_login_attempts")
		for n in range(attempts + 1):
			self.assertEqual(login(f"nobody-{n}@{DOMAIN}", "Password1").status_code, 401)
		self.assertNotEqual(login(self.other, PASSWORD).status_code, 200)
		forget_failures(LOCAL_IP)
		self.assertEqual(login(self.other, PASSWORD).status_code, 200)

	def test_the_lock_ends_by_itself(self):
		set_lockout(2, 2)
		try:
			for n in range(3):
				self.assertEqual(login(self.user, f"wrong-{n}").status_code, 401)
			self.assertNotEqual(login(self.user, PASSWORD).status_code, 200)
			time.sleep(3)
			self.assertEqual(login(self.user, PASSWORD).status_code, 200)
		finally:
			set_lockout(LOGIN_ATTEMPTS, LOGIN_LOCK_SECONDS)


class TestPhoneCodeGuessing(PhoneLoginCase):
	def test_the_default_limits_are_tight(self):
		self.assertLessEqual(DEFAULTS["attempts"], 5)
		self.assertLessEqual(DEFAULTS["code_seconds"], 600)
		self.assertLessEqual(DEFAULTS["codes_per_number"] * DEFAULTS["attempts"], 25)
		self.assertGreater(DEFAULTS["codes_per_ip"], 0)
		self.assertGreater(DEFAULTS["sign_ins_per_ip"], 0)

	def test_new_codes_give_a_guesser_no_more_than_codes_times_tries(self):
		"""Each new code starts its tries again, but the number gets only `codes_per_number` codes an hour: a
		guesser rotating sessions (as many addresses) has codes × tries guesses, then only 429s."""
		set_limits(resend_seconds=0, codes_per_number=2, attempts=3)
		answers = []
		for _code in range(3):
			http = requests.Session()
			answers.append(ask(http, LINKED).status_code)
			answers += [sign_in(requests.Session(), LINKED, "000000").status_code for _n in range(4)]
		self.assertEqual(answers, [200, 401, 401, 401, 429] * 2 + [429] * 5)

	def test_a_disabled_resident_gets_no_code(self):
		doc = frappe.get_doc(RESIDENT, self.linked)
		doc.disabled = 1
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		try:
			answer = ask(requests.Session(), LINKED)
			self.assertEqual(answer.status_code, 200, "the same answer as for anyone")
			deliver_codes()
			self.assertEqual(self.gateway.messages(), [])
			self.assertEqual(sign_in(requests.Session(), LINKED, "000000").status_code, 401)
		finally:
			doc.reload()
			doc.disabled = 0
			doc.save(ignore_permissions=True)
			frappe.db.commit()
		self.assertEqual(frappe.db.get_value("User", self.linked_user, "enabled"), 1, "enabled again")


class TestDisabledResidentSignedOut(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.staff = make_user(f"staff@{DOMAIN}", "Property Duty Staff")
		cls.admin = make_user(f"admin@{DOMAIN}", "System Manager")
		make_property(PROPERTY, area_administrator=cls.staff)
		cls.unit = make_unit(PROPERTY, "1幢", "101")
		cls.residents = {}
		for key in ("record", "user", "desk"):
			user = make_user(f"resident-{key}@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
			frappe.db.set_value("User", user, "enabled", 1)
			name = frappe.db.get_value(RESIDENT, {"user": user})
			if not name:
				name = (
					frappe.get_doc(
						{
							"doctype": RESIDENT,
							"resident_name": f"暴力业主{key}",
							"phone": f"1398880100{len(cls.residents)}",
							"user": user,
							"units": [{"unit": cls.unit, "relation": "Owner"}],
						}
					)
					.insert(ignore_permissions=True)
					.name
				)
			frappe.db.set_value(RESIDENT, name, "disabled", 0)
			cls.residents[key] = (name, user)
		frappe.db.commit()
		clear_limits()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for resident in frappe.get_all(RESIDENT, {"user": ("like", f"%@{DOMAIN}")}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def signed_out(self, session) -> None:
		whoami = session.get(f"{BASE_URL}/api/method/frappe.auth.get_logged_user", timeout=30)
		self.assertIn(whoami.status_code, (401, 403), whoami.text)
		page = session.get(f"{BASE_URL}/my_cases", timeout=30, allow_redirects=False)
		self.assertIn(page.status_code, (301, 302, 401, 403), page.text[:300])
		if page.status_code in (301, 302):  # a guest is sent to sign in (frappe.Redirect)
			self.assertIn("/login", page.headers["Location"])

	def test_disabling_the_resident_ends_their_sessions(self):
		name, user = self.residents["record"]
		phone, laptop = login_session(BASE_URL, user, "/my_cases"), login_session(BASE_URL, user, "/my_cases")
		self.assertEqual(logged_user(phone), user)
		doc = frappe.get_doc(RESIDENT, name)
		doc.disabled = 1
		doc.save(ignore_permissions=True)  # as staff do on the desk, or an import
		frappe.db.commit()
		for session in (phone, laptop):
			self.signed_out(session)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		self.assertEqual(login(user, PASSWORD).status_code, 401)
		forget_failures(user, LOCAL_IP)

	def test_disabling_the_resident_over_the_desk_ends_their_sessions(self):
		name, user = self.residents["desk"]
		resident = login_session(BASE_URL, user, "/my_cases")
		desk = login_session(BASE_URL, self.admin, "/app")
		response = desk.put(f"{BASE_URL}/api/resource/{RESIDENT}/{name}", json={"disabled": 1}, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		self.signed_out(resident)

	def test_disabling_their_user_ends_their_sessions(self):
		_name, user = self.residents["user"]
		resident = login_session(BASE_URL, user, "/my_cases")
		self.assertEqual(logged_user(resident), user)
		desk = login_session(BASE_URL, self.admin, "/app")
		response = desk.put(f"{BASE_URL}/api/resource/User/{user}", json={"enabled": 0}, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		self.signed_out(resident)
