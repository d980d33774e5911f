"""A resident chooses how the office tells them, on the portal's /my_messages, over real HTTP (R8, R10, R20, R34,
R37): the channel they choose is the one the next message goes by (WeChat through the real local WeChat
server of provider_servers, SMS through the local gateway), a channel turned off passes the next message to the
next one, and the office's rule holds: with every channel off they get no messages ("calls only"), but a
technician's visit to their home still comes by SMS to their phone. Only their own record, found from the
session; another resident's request changes only theirs, a guest and staff are refused; bad input is a
translated 417 and saves nothing.

The sending job commits, and so does the web server: these tests commit, on the messages tests' property, and
remove what they made (ResidentMessagesCase)."""

import html
import json
import os

import frappe
import requests

from property_helpdesk.constants import (
	DUTY_STAFF,
	MESSAGE_DISPATCHED,
	MESSAGE_NOT_SENT,
	MESSAGE_SENT,
	RESIDENT,
	RESIDENT_MESSAGE,
	RESIDENT_ROLE,
)
from property_helpdesk.services.channels import EMAIL, SMS, WECHAT
from property_helpdesk.services.resident_messages import send_due
from tests.integration.factories import login_session, make_user
from tests.integration.provider_servers import WeChatAPI, unconfigure_providers
from tests.integration.test_resident_messages import ResidentMessagesCase, link, message, zh

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
SAVE = f"{BASE_URL}/api/method/property_helpdesk.api.portal.save_message_settings"
DOMAIN = "prefs.test"
FIELDS = ("preferred_channel", "no_sms", "no_wechat", "no_email", "email", "wechat_openid", "modified")


def shown(answer) -> list[str]:
	"""The messages an error answer shows the resident."""
	return [json.loads(m)["message"] for m in json.loads(answer.json().get("_server_messages") or "[]")]


def words(text: str) -> str:
	"""What the page and the method say, in the residents' Chinese (their portal users' language here)."""
	return frappe._(text, lang="zh")


class TestMessageSettings(ResidentMessagesCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.wechat = WeChatAPI().__enter__()
		cls.wechat.configure()

	@classmethod
	def tearDownClass(cls):
		cls.wechat.__exit__()
		unconfigure_providers()
		super().tearDownClass()

	def setUp(self):
		frappe.cache.delete_keys("property_helpdesk:portal:")  # the portal's hourly counts

	def portal_resident(self, key: str, **values):
		"""A resident of the test unit with a portal user of their own, and a signed-in HTTP session as them."""
		user = make_user(f"prefs-{key}@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
		frappe.db.set_value("User", user, "language", "zh")
		frappe.db.delete(RESIDENT, {"user": user})  # left by an interrupted run
		resident = self.resident(user=user, **values)
		frappe.db.commit()
		return resident, login_session(BASE_URL, user, "/my_messages")

	def record(self, resident: str) -> dict:
		frappe.db.rollback()  # what the web server committed
		return frappe.db.get_value(RESIDENT, resident, FIELDS, as_dict=True)

	def versions(self, resident: str) -> list:
		return frappe.get_all(
			"Version",
			filters={"ref_doctype": RESIDENT, "docname": resident},
			fields=["owner", "data"],
			order_by="creation asc",
		)

	def test_r8_choosing_wechat_once_bound_sends_the_next_message_by_wechat(self):
		openid = "oPrefs_resident_7101"
		res, http = self.portal_resident("wechat", wechat_openid=openid)
		self.wechat.followers = {openid}
		page = http.get(f"{BASE_URL}/my_messages", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn(
			words("Messages about your cases come by {0} to {1}.").format(words(SMS), res.phone),
			html.unescape(page.text),
		)

		answer = http.post(SAVE, data={"preferred_channel": WECHAT}, timeout=30)
		self.assertEqual(answer.status_code, 200, answer.text)
		self.assertEqual(
			answer.json()["message"]["now"],
			words("Messages about your cases come by {0}.").format(words(WECHAT)),
		)
		self.assertEqual(self.record(res.name).preferred_channel, WECHAT)
		# on the record's timeline: Frappe's track_changes, by the resident's own user
		(version,) = [v for v in self.versions(res.name) if v.owner == res.user]
		self.assertIn('"preferred_channel"', version.data)

		ticket = self.case(res, ticket_type="Enquiry")
		send_due()
		(sent,) = [m for m in self.wechat.accepted if m["touser"] == openid]
		self.assertEqual(sent["template_id"], WeChatAPI.template_ids["Accepted"])
		self.assertEqual(sent["data"]["character_string1"], {"value": ticket.name})
		row = message(ticket.name)
		self.assertEqual((row.channel, row.recipient, row.status), (WECHAT, openid, MESSAGE_SENT))
		self.assertEqual(self.sms_to(res.phone), [])

	def test_r8_turning_sms_off_sends_the_next_message_by_the_next_channel(self):
		openid = "oPrefs_resident_7102"
		res, http = self.portal_resident("sms-off", wechat_openid=openid)
		self.wechat.followers = {openid}
		first = self.case(res, ticket_type="Enquiry")
		send_due()
		self.assertEqual(self.sms_to(res.phone), [self.accepted_text(first.name)])  # Settings' default: SMS

		answer = http.post(SAVE, data={"preferred_channel": "", "no_sms": 1}, timeout=30)
		self.assertEqual(answer.status_code, 200, answer.text)
		self.assertEqual(self.record(res.name).no_sms, 1)
		second = self.case(res, ticket_type="Enquiry")
		send_due()
		row = message(second.name)
		self.assertEqual((row.channel, row.recipient, row.status), (WECHAT, openid, MESSAGE_SENT))
		self.assertEqual([m["touser"] for m in self.wechat.accepted if m["touser"] == openid], [openid])
		self.assertEqual(self.sms_to(res.phone), [self.accepted_text(first.name)], "no second SMS")

	def test_r10_r20_r34_every_channel_off_is_calls_only_but_a_visit_still_comes_by_sms(self):
		"""The office's rule: the resident may turn every channel off, and is told so in words; the acceptance
		is then Not Sent (the follow-up owner phones them), but the dispatch of a technician to their home goes
		by SMS to their phone all the same."""
		res, http = self.portal_resident("all-off")
		address = f"prefs-mail@{DOMAIN}"
		answer = http.post(
			SAVE,
			data={"preferred_channel": "", "no_sms": 1, "no_wechat": 1, "no_email": 1, "email": address},
			timeout=30,
		)
		self.assertEqual(answer.status_code, 200, answer.text)
		calls_only = words(
			"Calls only: you turned off every message. The office phones you about your cases."
		)
		visit = words(
			"A technician's visit to your home still comes by SMS to {0}, so that you are at home."
		).format(res.phone)
		self.assertEqual(answer.json()["message"], {"channel": None, "now": calls_only, "visit": visit})
		saved = self.record(res.name)
		self.assertEqual((saved.no_sms, saved.no_wechat, saved.no_email, saved.email), (1, 1, 1, address))
		page = html.unescape(http.get(f"{BASE_URL}/my_messages", timeout=30).text)
		self.assertIn(calls_only, page)
		self.assertIn(visit, page)

		ticket = self.case(res)  # a repair: accepted, and its work order dispatched at once (R10)
		send_due()
		accepted = message(ticket.name)
		self.assertEqual((accepted.status, accepted.channel), (MESSAGE_NOT_SENT, "None"))
		self.assertEqual(
			accepted.error, frappe._("The resident opted out of every channel they can be reached on.")
		)
		dispatched = message(ticket.name, MESSAGE_DISPATCHED)
		self.assertEqual(
			(dispatched.status, dispatched.channel, dispatched.recipient), (MESSAGE_SENT, SMS, res.phone)
		)
		self.assertEqual(
			self.sms_to(res.phone),
			[
				zh("Case {0}: a technician is dispatched and will contact you shortly. Details: {1}").format(
					ticket.name, link(ticket.name)
				)
			],
		)
		self.assertFalse(
			frappe.db.exists(RESIDENT_MESSAGE, {"service_ticket": ticket.name, "channel": EMAIL}),
			"nothing by the email they turned off",
		)

	def test_bad_input_is_a_translated_417_and_saves_nothing(self):
		res, http = self.portal_resident("bad")
		before, versions = self.record(res.name), len(self.versions(res.name))

		for data, expected in (
			({"preferred_channel": "Phone"}, words("Choose SMS, WeChat or email.")),
			({"preferred_channel": "<script>alert(1)</script>"}, words("Choose SMS, WeChat or email.")),
			(
				{"preferred_channel": WECHAT},
				words("Bind your WeChat first (Messages by WeChat), then choose it."),
			),
			({"preferred_channel": EMAIL}, words("Enter your email address first, then choose email.")),
			(
				{"preferred_channel": SMS, "email": "not-an-email"},
				words("Enter a valid email address, such as name@example.com."),
			),
			(
				{"preferred_channel": SMS, "email": "a" * 130 + "@example.com"},
				words("Enter a valid email address, such as name@example.com."),
			),
			(
				{"preferred_channel": SMS, "no_sms": 1, "email": f"prefs-bad@{DOMAIN}"},
				words("You turned off {0}, the channel you chose: choose another one or keep it on.").format(
					words(SMS)
				),
			),
		):
			with self.subTest(data):
				answer = http.post(SAVE, data=data, timeout=30)
				self.assertEqual(answer.status_code, 417, answer.text)
				self.assertEqual(shown(answer), [expected])
		# a wrong type and a missing argument: Frappe's checks, translated by the app's guard
		wrong = http.post(SAVE, data={"preferred_channel": SMS, "no_sms": "perhaps"}, timeout=30)
		self.assertEqual(wrong.status_code, 417, wrong.text)
		missing = http.post(SAVE, data={"no_sms": 1}, timeout=30)
		self.assertEqual((missing.status_code, missing.json()["exc_type"]), (417, "MandatoryError"))
		self.assertEqual(self.record(res.name), before)
		self.assertEqual(len(self.versions(res.name)), versions)

	def test_r4_only_the_residents_own_record_a_guest_and_staff_are_refused(self):
		alice, _alice_http = self.portal_resident("alice")
		bob, bob_http = self.portal_resident("bob")
		alice_before = self.record(alice.name)
		# Bob names Alice's record every way he can: the method takes no record, his own is the one saved
		answer = bob_http.post(
			SAVE,
			data={
				"preferred_channel": "",
				"no_sms": 1,
				"email": f"prefs-bob@{DOMAIN}",
				"resident": alice.name,
				"name": alice.name,
				"user": alice.user,
			},
			timeout=30,
		)
		self.assertEqual(answer.status_code, 200, answer.text)
		self.assertEqual(self.record(alice.name), alice_before)
		self.assertEqual(
			(self.record(bob.name).no_sms, self.record(bob.name).email), (1, f"prefs-bob@{DOMAIN}")
		)
		page = bob_http.get(f"{BASE_URL}/my_messages", timeout=30).text
		self.assertNotIn(alice.phone, page)

		guest = requests.Session()
		refused = guest.post(SAVE, data={"preferred_channel": SMS, "no_sms": 1}, timeout=30)
		self.assertEqual(refused.status_code, 403, refused.text)
		opened = guest.get(f"{BASE_URL}/my_messages", allow_redirects=False, timeout=30)
		self.assertIn(opened.status_code, (301, 302, 303, 307))
		self.assertIn("/login/phone?redirect-to=/my_messages", opened.headers["Location"])
		staff_user = make_user(f"prefs-staff@{DOMAIN}", DUTY_STAFF)
		frappe.db.commit()
		staff = login_session(BASE_URL, staff_user, "/app")
		refused = staff.post(SAVE, data={"preferred_channel": SMS}, timeout=30)
		self.assertEqual(refused.status_code, 403, refused.text)
		self.assertEqual(self.record(alice.name), alice_before)
