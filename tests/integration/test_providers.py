"""The template-based providers a resident is told by (R8, R10, R34, R36): Alibaba Cloud SMS, Tencent Cloud SMS
and WeChat Official Account template messages, each through its official SDK exactly as in production, against
a real local server speaking the provider's documented protocol and checking its signature
(tests/integration/provider_servers.py). Each test asserts the exact request the provider received, once, and
how each of the provider's error answers becomes a SendError that may or may not be retried.

Then the WeChat binding over real HTTP: the portal page's QR code, WeChat's redirect to the callback with a
code and the signed state, the openid kept on the right resident only, and forged, expired or replayed states
refused.

These tests commit Settings (the web server reads them) and put them back afterwards."""

import html
import os
import time
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.api import wechat as binding
from property_helpdesk.constants import (
	MESSAGE_SENT,
	MESSAGE_STEPS,
	MESSAGE_TEMPLATE,
	MESSAGING_PROVIDERS,
	RESIDENT,
	SIGN_IN_CODE,
)
from property_helpdesk.services import channels, qr
from property_helpdesk.services.channels import SMS, WECHAT, Outgoing, SendError, aliyun, tencent, wechat
from property_helpdesk.services.resident_messages import send_due
from tests.integration.factories import login_session, make_property, make_unit, make_user
from tests.integration.provider_servers import (
	FAIL,
	HANG,
	AliyunSMS,
	TencentSMS,
	WeChatAPI,
	unconfigure_providers,
)
from tests.integration.test_resident_messages import ResidentMessagesCase, message

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PHONE = "13955507001"
LINK = "http://127.0.0.1/my_cases/PH-2026-00042"
ACCEPTED = {"case": "PH-2026-00042", "owner": "李明", "phone": "13755507001", "unused": "ignored"}
TEXT = "【星河物业】您报的PH-2026-00042已受理，跟进人李明 13755507001。"


def accepted(recipient: str = PHONE, channel: str = SMS, **params) -> Outgoing:
	return Outgoing(
		channel=channel,
		recipient=recipient,
		step="Accepted",
		text=TEXT,
		params={**ACCEPTED, **params},
		link=LINK,
	)


class ProviderCase(FrappeTestCase):
	server_class = None

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = cls.server_class().__enter__()
		cls.server.configure()

	@classmethod
	def tearDownClass(cls):
		cls.server.__exit__()
		unconfigure_providers()
		super().tearDownClass()

	def setUp(self):
		self.server.requests.clear()
		self.server.accepted.clear()
		self.server.script.clear()
		self.server.codes.clear()

	def assert_refused(self, outgoing: Outgoing, retryable: bool, code: str) -> SendError:
		with self.assertRaises(SendError) as caught:
			channels.send(outgoing)
		self.assertEqual(caught.exception.retryable, retryable, str(caught.exception))
		self.assertIn(code, str(caught.exception))
		self.assertEqual(self.server.accepted, [])
		return caught.exception


class TestAlibabaCloudSMS(ProviderCase):
	server_class = AliyunSMS

	def test_the_exact_message_goes_once_signed(self):
		biz_id = channels.send(accepted())
		self.assertEqual(
			self.server.accepted,
			[
				{
					"phone": PHONE,
					"sign_name": "星河物业",
					"template_code": "SMS_460001",
					"params": {"case": "PH-2026-00042", "owner": "李明", "phone": "13755507001"},
					"biz_id": biz_id,
				}
			],
		)
		(request,) = self.server.requests
		self.assertTrue(request["signature_valid"])
		self.assertEqual(request["method"], "POST")
		self.assertEqual(set(request["query"]), {"PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"})
		self.assertTrue(request["headers"]["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI5t"))

	def test_a_number_with_the_country_code_goes_as_the_provider_wants_it(self):
		channels.send(accepted(recipient="+86 139-5550-7001"))
		self.assertEqual([m["phone"] for m in self.server.accepted], [PHONE])

	def test_a_wrong_secret_fails_the_signature_and_is_not_retried(self):
		self.server.configure(secret="NotTheSecret")
		try:
			self.assert_refused(accepted(), retryable=False, code="SignatureDoesNotMatch")
			self.assertEqual(self.server.requests[0]["status"], 400)
		finally:
			self.server.configure()

	def test_the_providers_refusals(self):
		self.assert_refused(accepted(recipient="1395550"), retryable=False, code="isv.MOBILE_NUMBER_ILLEGAL")
		self.server.codes.append("isv.BUSINESS_LIMIT_CONTROL")  # the number's frequency control: wait, retry
		self.assert_refused(accepted(), retryable=True, code="isv.BUSINESS_LIMIT_CONTROL")
		self.server.codes.append("isv.AMOUNT_NOT_ENOUGH")  # arrears: a person must pay first
		self.assert_refused(accepted(), retryable=False, code="isv.AMOUNT_NOT_ENOUGH")
		self.server.script.append(FAIL)
		self.assert_refused(accepted(), retryable=True, code="")
		self.assertEqual([r["status"] for r in self.server.requests], [200, 200, 200, 500])
		channels.send(accepted())
		self.assertEqual(len(self.server.accepted), 1)

	def test_no_answer_is_retryable(self):
		self.server.script.append(HANG)
		started = time.monotonic()
		self.assert_refused(accepted(), retryable=True, code="")
		self.assertLess(time.monotonic() - started, channels.TIMEOUT_SECONDS + 5)

	def test_a_step_without_a_template_or_a_value_sends_nothing(self):
		self.assert_refused(
			Outgoing(channel=SMS, recipient=PHONE, step="Return Visit", text=TEXT), retryable=False, code=""
		)
		self.assert_refused(accepted(owner=""), retryable=False, code="owner")
		self.assertEqual(self.server.requests, [])


class TestTencentCloudSMS(ProviderCase):
	server_class = TencentSMS

	def test_the_exact_message_goes_once_signed(self):
		serial = channels.send(accepted())
		self.assertEqual(
			self.server.accepted,
			[
				{
					"phone": f"+86{PHONE}",
					"sdk_app_id": "1400787878",
					"sign_name": "星河物业",
					"template_id": "1900001",
					"params": [
						"PH-2026-00042",
						"李明",
						"13755507001",
					],  # {1} {2} {3}, in the template's order
					"serial_no": serial,
				}
			],
		)
		(request,) = self.server.requests
		self.assertTrue(request["signature_valid"])
		self.assertEqual(request["headers"]["X-TC-Action"], "SendSms")
		self.assertEqual(request["headers"]["X-TC-Version"], "2021-01-11")
		self.assertEqual(request["headers"]["X-TC-Region"], "ap-guangzhou")
		self.assertEqual(
			set(request["json"]),
			{"PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId", "TemplateParamSet"},
		)

	def test_a_wrong_secret_fails_the_signature_and_is_not_retried(self):
		self.server.configure(secret="NotTheSecretKey")
		try:
			self.assert_refused(accepted(), retryable=False, code="AuthFailure.SignatureFailure")
		finally:
			self.server.configure()

	def test_each_numbers_status_and_the_request_errors(self):
		self.assert_refused(
			accepted(recipient="1395550"), retryable=False, code="InvalidParameterValue.IncorrectPhoneNumber"
		)
		for code, retryable in (
			("LimitExceeded.PhoneNumberThirtySecondLimit", True),  # clears within the back-off
			("LimitExceeded.PhoneNumberDailyLimit", False),  # not before the message is stale
			("FailedOperation.PhoneNumberInBlacklist", False),  # the resident unsubscribed (TD)
			("RequestLimitExceeded", True),
			("InternalError.Timeout", True),
			("FailedOperation.InsufficientBalanceInSmsPackage", False),
		):
			with self.subTest(code):
				self.server.codes.append(code)
				self.assert_refused(accepted(), retryable=retryable, code=code)
		self.server.script.append(FAIL)
		self.assert_refused(accepted(), retryable=True, code="ServerNetworkError")
		channels.send(accepted())
		self.assertEqual(len(self.server.accepted), 1)

	def test_no_answer_is_retryable(self):
		self.server.script.append(HANG)
		self.assert_refused(accepted(), retryable=True, code="ClientNetworkError")


class TestWeChatTemplateMessages(ProviderCase):
	server_class = WeChatAPI
	openid = "oStandIn_resident_7001"

	def setUp(self):
		super().setUp()
		self.server.followers = {self.openid}

	def test_the_exact_message_goes_once_with_one_token(self):
		first = channels.send(accepted(recipient=self.openid, channel=WECHAT))
		channels.send(accepted(recipient=self.openid, channel=WECHAT, case="PH-2026-00043"))
		self.assertEqual(
			self.server.accepted[0],
			{
				"touser": self.openid,
				"template_id": WeChatAPI.template_ids["Accepted"],
				"url": LINK,
				"data": {
					"character_string1": {"value": "PH-2026-00042"},
					"thing2": {"value": "李明"},
					"phone_number3": {"value": "13755507001"},
				},
				"msgid": int(first),
			},
		)
		self.assertEqual(len(self.server.accepted), 2)
		# The token is fetched once and kept (Redis), not fetched for every message.
		token_requests = [r for r in self.server.requests if r["path"] == "/cgi-bin/token"]
		self.assertLessEqual(len(token_requests), 1)

	def test_a_refused_token_is_fetched_again_and_the_message_sent_once(self):
		channels.send(accepted(recipient=self.openid, channel=WECHAT))
		self.server.revoke_tokens()
		self.server.requests.clear()
		self.server.accepted.clear()
		channels.send(accepted(recipient=self.openid, channel=WECHAT))
		self.assertEqual(
			[r["path"] for r in self.server.requests],
			["/cgi-bin/message/template/send", "/cgi-bin/token", "/cgi-bin/message/template/send"],
		)
		self.assertEqual(len(self.server.accepted), 1)

	def test_a_token_refused_twice_is_not_tried_a_third_time(self):
		self.server.codes.extend(["40001", "40001"])
		self.assert_refused(accepted(recipient=self.openid, channel=WECHAT), retryable=True, code="40001")
		sends = [r for r in self.server.requests if r["path"] == "/cgi-bin/message/template/send"]
		self.assertEqual(len(sends), 2)

	def test_the_providers_refusals(self):
		self.assert_refused(
			accepted(recipient="oSomeoneWhoUnfollowed", channel=WECHAT), retryable=False, code="43004"
		)
		self.server.codes.append("-1")  # system busy
		self.assert_refused(accepted(recipient=self.openid, channel=WECHAT), retryable=True, code="-1")
		self.server.script.append(FAIL)
		self.assert_refused(accepted(recipient=self.openid, channel=WECHAT), retryable=True, code="None")

	def test_a_wrong_app_secret_is_not_retried(self):
		self.server.configure(secret="NotTheAppSecret")
		try:
			self.assert_refused(
				accepted(recipient=self.openid, channel=WECHAT), retryable=False, code="40125"
			)
		finally:
			self.server.configure()


class TestWeChatBinding(FrappeTestCase):
	"""A resident scans the QR code of /wechat_bind; WeChat on their phone comes back to the callback."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = WeChatAPI().__enter__()
		cls.server.configure()
		make_property("微信绑定楼盘")
		cls.alice = cls.resident(
			"wechat-alice@wechat.test", "孙悦", "13955507011", make_unit("微信绑定楼盘", "1幢", "101")
		)
		cls.bob = cls.resident(
			"wechat-bob@wechat.test", "钱进", "13955507012", make_unit("微信绑定楼盘", "1幢", "102")
		)
		frappe.db.commit()
		frappe.cache.delete_keys("rl:property_helpdesk.api.wechat.bind")
		cls.http = login_session(BASE_URL, "wechat-alice@wechat.test", "/wechat_bind")

	@classmethod
	def resident(cls, email, name, phone, unit) -> str:
		make_user(email, "Property Resident", user_type="Website User", mobile=phone)
		frappe.db.set_value("User", email, "language", "en")
		existing = frappe.db.get_value(RESIDENT, {"user": email})
		if existing:
			frappe.db.set_value(RESIDENT, existing, "wechat_openid", None)
			return existing
		return (
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": name,
					"phone": phone,
					"user": email,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for name in (cls.alice, cls.bob):
			frappe.delete_doc(RESIDENT, name, force=True, ignore_permissions=True)
		frappe.db.commit()
		cls.server.__exit__()
		unconfigure_providers()
		frappe.cache.delete_keys("rl:property_helpdesk.api.wechat.bind")
		super().tearDownClass()

	def setUp(self):
		self.server.requests.clear()

	def openid_of(self, resident: str) -> str | None:
		frappe.db.rollback()  # see what the web server committed
		return frappe.db.get_value(RESIDENT, resident, "wechat_openid")

	def scan(self) -> tuple[str, str]:
		"""Opens /wechat_bind as Alice; returns the URL of its QR code and the state in it."""
		page = self.http.get(f"{BASE_URL}/wechat_bind", timeout=30).text
		href = html.unescape(page.split('id="ph-open-in-wechat" href="')[1].split('"')[0])
		svg = page.split('<div class="ph-qr" id="ph-qr"')[1].split(">", 1)[1].split("</div>")[0]
		self.assertIn("<svg", svg)
		return href, svg

	def phone(self, code: str | None, state: str) -> requests.Response:
		"""WeChat's browser on the phone, which has no portal session, following WeChat's redirect."""
		params = {"state": state} | ({"code": code} if code else {})
		return requests.get(f"{BASE_URL}{binding.CALLBACK}", params=params, timeout=30)

	def test_scanning_binds_the_residents_wechat_once(self):
		href, svg = self.scan()
		url = urlparse(href)
		query = parse_qs(url.query)
		self.assertEqual(
			(url.scheme, url.netloc, url.path), ("https", "open.weixin.qq.com", "/connect/oauth2/authorize")
		)
		self.assertEqual(query["appid"], [WeChatAPI.app_id])
		self.assertEqual(query["redirect_uri"], [f"{BASE_URL}{binding.CALLBACK}"])
		self.assertEqual(query["scope"], ["snsapi_base"])
		self.assertEqual(url.fragment, "wechat_redirect")
		state = query["state"][0]
		self.assertRegex(state, r"^[A-Za-z0-9]{1,128}$")  # WeChat gives back only such a state
		self.assertEqual(binding.read_state(state), self.alice)
		# The QR code is the code of exactly that URL.
		self.assertEqual(
			svg.split("</title>")[1], qr.svg(href, "", error=qr.SCREEN_ERROR).split("</title>")[1]
		)

		response = self.phone(self.server.authorize("oAlice_openid_7011"), state)
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertIn("WeChat Bound", response.text)
		self.assertEqual(self.openid_of(self.alice), "oAlice_openid_7011")
		self.assertIsNone(self.openid_of(self.bob))
		(exchange,) = [r for r in self.server.requests if r["path"] == "/sns/oauth2/access_token"]
		self.assertEqual(exchange["query"]["appid"], WeChatAPI.app_id)
		self.assertEqual(exchange["query"]["secret"], WeChatAPI.app_secret)
		self.assertEqual(exchange["query"]["grant_type"], "authorization_code")

		# The same QR code again (someone else scanning the screen afterwards) binds nothing.
		response = self.phone(self.server.authorize("oMallory_openid"), state)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.openid_of(self.alice), "oAlice_openid_7011")
		self.assertEqual(
			self.http.get(f"{BASE_URL}/api/method/property_helpdesk.api.wechat.status", timeout=30).json(),
			{"message": {"bound": True}},
		)
		self.assertIn("Stop WeChat Messages", self.http.get(f"{BASE_URL}/wechat_bind", timeout=30).text)

		self.assertEqual(
			self.http.post(
				f"{BASE_URL}/api/method/property_helpdesk.api.wechat.unbind", timeout=30
			).status_code,
			200,
		)
		self.assertIsNone(self.openid_of(self.alice))

	def test_nobody_binds_someone_elses_resident(self):
		href, _svg = self.scan()
		state = parse_qs(urlparse(href).query)["state"][0]
		expires, _resident, signature = state.split(binding.SEPARATOR)
		forged = binding.SEPARATOR.join((expires, self.bob.encode().hex(), signature))
		expired = binding.make_state(self.bob, now=time.time() - binding.STATE_SECONDS - 1)
		for label, bad_state in (
			("forged", forged),
			("expired", expired),
			("damaged", state[:-1]),
			("none", ""),
		):
			with self.subTest(label):
				response = self.phone(self.server.authorize("oMallory_openid"), bad_state)
				self.assertEqual(response.status_code, 403, response.text[:300])
				self.assertIn("QR Code Expired", response.text)
		self.assertIsNone(self.openid_of(self.bob))
		self.assertIsNone(self.openid_of(self.alice))

	def test_a_code_wechat_did_not_give_binds_nothing(self):
		href, _svg = self.scan()
		state = parse_qs(urlparse(href).query)["state"][0]
		response = self.phone("not-a-code-wechat-gave", state)
		self.assertEqual(response.status_code, 400)
		self.assertIn("40029", response.text)
		self.assertEqual(self.phone(None, state).status_code, 400)  # the resident refused in WeChat
		self.assertIsNone(self.openid_of(self.alice))

	def test_guests_and_staff_get_nothing_from_the_page_and_methods(self):
		guest = requests.Session()
		response = guest.get(f"{BASE_URL}/wechat_bind", allow_redirects=False, timeout=30)
		self.assertIn(response.status_code, (301, 302, 303, 307))
		self.assertIn("/login", response.headers["Location"])
		self.assertEqual(
			guest.get(f"{BASE_URL}/api/method/property_helpdesk.api.wechat.status", timeout=30).status_code,
			403,
		)
		self.assertEqual(
			guest.post(f"{BASE_URL}/api/method/property_helpdesk.api.wechat.unbind", timeout=30).status_code,
			403,
		)


class TestSettings(FrappeTestCase):
	def test_a_provider_without_its_credentials_is_not_set_up_and_sends_nothing(self):
		unconfigure_providers()
		for module in (aliyun, tencent, wechat):
			with self.subTest(module.__name__):
				self.assertFalse(module.is_set_up())
				with self.assertRaises(SendError) as caught:
					module.send(accepted())
				self.assertFalse(caught.exception.retryable)
		with WeChatAPI() as server:
			server.configure()
			try:
				self.assertTrue(wechat.is_set_up())
				self.assertFalse(aliyun.is_set_up())
			finally:
				unconfigure_providers()

	def test_a_template_can_be_set_for_every_step_a_resident_is_told_and_the_sign_in_code(self):
		options = frappe.get_meta(MESSAGE_TEMPLATE).get_field("step").options.split("\n")
		self.assertEqual(options, [*MESSAGE_STEPS, SIGN_IN_CODE])

	def test_secrets_are_password_fields_and_templates_are_checked(self):
		meta = frappe.get_meta(MESSAGING_PROVIDERS)
		for field in ("aliyun_access_key_secret", "tencent_secret_key", "wechat_app_secret"):
			self.assertEqual(meta.get_field(field).fieldtype, "Password", field)
		doc = frappe.get_doc(MESSAGING_PROVIDERS)
		doc.set("templates", [{"step": "Done", "variables": "case"}, {"step": "Done", "variables": "case"}])
		self.assertRaises(frappe.ValidationError, doc.save, ignore_permissions=True)
		doc.set("templates", [{"step": "Done", "variables": "case, 时间"}])
		self.assertRaises(frappe.ValidationError, doc.save, ignore_permissions=True)
		doc.set("templates", [{"step": "Done", "variables": "case, time", "wechat_keys": "thing1"}])
		self.assertRaises(frappe.ValidationError, doc.save, ignore_permissions=True)
		doc.set("templates", [{"step": "Done", "variables": "case，time", "wechat_keys": "thing1, time2"}])
		doc.aliyun_endpoint = "ftp://example.com"
		self.assertRaises(frappe.ValidationError, doc.save, ignore_permissions=True)
		frappe.db.rollback()


class TestAResidentToldThroughAProvider(ResidentMessagesCase):
	"""The message service (services/resident_messages) with Alibaba Cloud as the site's SMS provider: the
	accepted case's message goes once, as the approved template with the case's values (R34)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.aliyun = AliyunSMS().__enter__()
		cls.aliyun.configure()

	@classmethod
	def tearDownClass(cls):
		cls.aliyun.__exit__()
		unconfigure_providers()
		super().tearDownClass()

	def test_r34_the_accepted_message_goes_once_as_the_approved_template(self):
		res = self.resident()
		ticket = self.case(res)
		send_due()
		ticket.reload()
		ticket.save()
		frappe.db.commit()
		send_due()
		(sent,) = self.aliyun.accepted
		self.assertEqual(
			sent,
			{
				"phone": res.phone,
				"sign_name": AliyunSMS.sign_name,
				"template_code": AliyunSMS.template_codes["Accepted"],
				"params": {"case": ticket.name, "owner": "msg-agent", "phone": "13700001111"},
				"biz_id": sent["biz_id"],
			},
		)
		self.assertEqual(self.sms_to(res.phone), [])  # not also through the HTTP gateway
		row = message(ticket.name)
		self.assertEqual(
			(row.status, row.channel, row.recipient, row.provider, row.provider_message_id),
			(MESSAGE_SENT, SMS, res.phone, "Alibaba Cloud", sent["biz_id"]),
		)
