"""Who is calling (R1, R5, R7, R34; issue #14): at intake, a phone number — a resident's, a unit owner's or a
past case's contact — shows the residents, their units, the units' open cases with their follow-up owner, and
recent ones; global search and the case list find cases by the number. Over real HTTP as the duty staff."""

import os

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import CASE, RESIDENT, UNIT
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY = "来电楼盘"
FIND = f"{BASE_URL}/api/method/property_helpdesk.api.caller.find_caller"


class TestCallerLookup(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# the numbers below are read off the clock (minutes and seconds): what a run at the same minute and second
		# of another hour committed would be found with them, so it goes first
		cls.clean()
		cls.agent = make_user("caller-agent@caller.test", "Property Duty Staff")
		frappe.db.set_value("User", cls.agent, "language", "zh")
		frappe.cache.hdel("lang", cls.agent)
		make_property(PROPERTY)
		stamp = frappe.generate_hash(length=4)
		digits = int(frappe.utils.now_datetime().strftime("%H%M%S")) % 10_000
		cls.owner_phone = f"1360{digits:04d}111"[:11]
		cls.resident_phone = f"1361{digits:04d}222"[:11]
		cls.contact_phone = f"0755-8{digits:04d}99"
		cls.owned = make_unit(PROPERTY, f"{stamp}幢", "101")
		frappe.db.set_value(
			"Property Unit", cls.owned, {"owner_name": "业主甲", "owner_phone": cls.owner_phone}
		)
		cls.lived_in = make_unit(PROPERTY, f"{stamp}幢", "102")
		cls.called_from = make_unit(PROPERTY, f"{stamp}幢", "103")
		cls.resident = (
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": f"住户{stamp}",
					"phone": cls.resident_phone,
					"units": [{"unit": cls.lived_in, "relation": "Tenant"}],
				}
			)
			.insert()
			.name
		)
		frappe.set_user(cls.agent)
		cls.open_case = make_ticket(
			cls.lived_in, call_started_at=add_to_date(now_datetime(), minutes=-5)
		).name
		cls.past_case = make_ticket(
			cls.called_from,
			contact_phone=cls.contact_phone,
			call_started_at=add_to_date(now_datetime(), days=-20),
		).name
		frappe.set_user("Administrator")
		frappe.db.set_value(CASE, cls.past_case, "status", "Closed")
		frappe.db.commit()
		cls.http = login_session(BASE_URL, cls.agent, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		"""Remove what the class committed: the property's cases, units and their residents."""
		units = frappe.get_all(UNIT, {"property": PROPERTY}, pluck="name")
		residents = frappe.get_all(
			"Resident Unit", {"parenttype": RESIDENT, "unit": ("in", units or [""])}, pluck="parent"
		)
		delete_cases(PROPERTY)
		for name in set(residents):
			frappe.delete_doc(RESIDENT, name, force=True, ignore_permissions=True)
		frappe.db.delete(UNIT, {"name": ("in", units or [""])})
		frappe.db.commit()

	def find(self, phone):
		return self.http.get(FIND, params={"phone": phone}, timeout=60)

	def test_r34_a_resident_s_number_spaced_as_said_finds_them_their_unit_and_its_open_case(self):
		response = self.find(
			f"{self.resident_phone[:3]} {self.resident_phone[3:7]} {self.resident_phone[7:]}"
		)
		self.assertEqual(response.status_code, 200, response.text)
		found = response.json()["message"]
		self.assertEqual([r["name"] for r in found["residents"]], [self.resident])
		self.assertEqual(found["residents"][0]["units"], [{"unit": self.lived_in, "relation": "租户"}])
		self.assertEqual([u["name"] for u in found["units"]], [self.lived_in])
		(case,) = found["open_cases"]
		self.assertEqual(case["name"], self.open_case)
		self.assertEqual(case["follow_up_owner"], self.agent)  # R34: who follows it up
		self.assertTrue(case["status_label"])

	def test_the_unit_owner_s_number_finds_the_unit(self):
		found = self.find(self.owner_phone).json()["message"]
		self.assertEqual([u["name"] for u in found["units"]], [self.owned])
		self.assertEqual((found["residents"], found["open_cases"]), ([], []))

	def test_a_past_case_s_contact_number_finds_its_unit_and_the_case_among_recent_ones(self):
		found = self.find(self.contact_phone.replace("-", "")).json()["message"]
		self.assertEqual([u["name"] for u in found["units"]], [self.called_from])
		self.assertEqual([c["name"] for c in found["recent_cases"]], [self.past_case])

	def test_an_unknown_number_finds_nothing_and_a_non_number_is_refused_in_chinese(self):
		self.assertEqual(
			self.find("13999999990").json()["message"],
			{"residents": [], "units": [], "open_cases": [], "recent_cases": []},
		)
		response = self.find("abc<script>")
		self.assertEqual(response.status_code, 417, response.text)
		self.assertIn("不是有效的手机或固定电话号码", response.json()["exception"])

	def test_someone_who_may_not_read_cases_is_refused(self):
		outsider = make_user("caller-outsider@caller.test", user_type="Website User")
		frappe.db.commit()
		response = login_session(BASE_URL, outsider, "/me").get(
			FIND, params={"phone": self.owner_phone}, timeout=60
		)
		self.assertEqual(response.status_code, 403, response.text)

	def test_global_search_and_the_case_list_find_a_case_by_its_contact_number(self):
		from frappe.utils.global_search import sync_global_search

		sync_global_search()  # what the scheduler's job does with the queue of saved documents
		frappe.db.commit()
		results = self.http.get(
			f"{BASE_URL}/api/method/frappe.utils.global_search.search",
			params={"text": self.contact_phone, "limit": 20},
			timeout=60,
		).json()["message"]
		self.assertIn(self.past_case, [r["name"] for r in results if r["doctype"] == CASE])
		listed = self.http.get(
			f"{BASE_URL}/api/resource/Service Ticket",
			params={"filters": frappe.as_json([["contact_phone", "=", self.contact_phone]])},
			timeout=60,
		).json()["data"]
		self.assertEqual([row["name"] for row in listed], [self.past_case])
		self.assertIn("contact_phone", frappe.get_meta(CASE).search_fields)
