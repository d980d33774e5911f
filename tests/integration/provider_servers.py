"""Real local servers standing in for the template-based providers, which these machines cannot reach: Alibaba
Cloud SMS (Dysmsapi 2017-05-25 SendSms), Tencent Cloud SMS (SMS 2021-01-11 SendSms) and the WeChat Official
Account API (access token, template message, web-page authorisation). Each speaks the provider's documented
request and answer forms and checks what the provider checks, with the same secret as Settings hold:

- Alibaba Cloud: the OpenAPI V3 signature (ACS3-HMAC-SHA256: canonical request of method, path, sorted
  RFC 3986 query, the signed headers — host, every x-acs-* and content-type must be among them — and the
  payload's SHA-256; HMAC-SHA256 with the AccessKey Secret), the x-acs-content-sha256 of the body, a fresh
  x-acs-date (±15 min) and a nonce never seen before; then the approved sign name, template and its variables,
  and the number. Errors as the provider answers them: HTTP 400/404 with Code for the signature and key, HTTP
  200 with Code isv.* for a refused message.
- Tencent Cloud: TC3-HMAC-SHA256 (canonical request with content-type;host and the payload's SHA-256, the
  credential scope date/sms/tc3_request, the key derived TC3+SecretKey → date → service → tc3_request), a
  timestamp within 5 minutes; then the SdkAppId, sign name, template and its parameter count; each number's
  own status in SendStatusSet. Every answer HTTP 200 {"Response": …}, errors as Response.Error.
- WeChat: /cgi-bin/token by AppID and AppSecret, tokens that can be revoked (40001 then), template messages
  only to followers (43004 otherwise) and approved template ids (40037), and /sns/oauth2/access_token trading
  a code the phone got once for its openid (40029 otherwise).

`script` (OK, FAIL, HANG) still makes any request answer 500 or hang, before the protocol is spoken; `codes`
queues a provider error code for the next accepted message."""

import hashlib
import hmac
import json
import time
import uuid
from collections import deque
from datetime import datetime, timezone
from urllib.parse import quote

import frappe

from property_helpdesk.constants import MESSAGING_PROVIDERS
from tests.integration.servers import FAIL, HANG, HTTPStandIn

TEMPLATES = {  # step: (variables, WeChat keys) — the approved templates both sides agree on in the tests
	"Accepted": ("case, owner, phone", "character_string1, thing2, phone_number3"),
	"Dispatched": ("case, appointment", "character_string1, time2"),
	"Done": ("case", "character_string1"),
}


def mainland(number: str) -> bool:
	return len(number) == 11 and number.isdigit() and number.startswith("1")


def lower_headers(request) -> dict:
	return {k.lower(): v for k, v in request["headers"].items()}


class ProviderStandIn(HTTPStandIn):
	def __init__(self):
		super().__init__()
		self.codes: deque[str] = deque()  # a provider error code for each next message, in order
		self.accepted: list[dict] = []  # each message the provider took, in its own terms

	def respond(self, request):
		answer = self.script.popleft() if self.script else None
		if answer == HANG:
			return None, {}, b""
		if answer == FAIL:
			return 500, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"
		return self.speak(request)

	def speak(self, request):
		raise NotImplementedError


# -- Alibaba Cloud SMS ----------------------------------------------------------------------------------------


class AliyunSMS(ProviderStandIn):
	access_key_id = "LTAI5tStandInKeyId"
	access_key_secret = "StandInAccessKeySecretForAliyun"
	sign_name = "星河物业"
	template_codes = {"Accepted": "SMS_460001", "Dispatched": "SMS_460002", "Done": "SMS_460003"}

	def __init__(self):
		super().__init__()
		self.nonces: set[str] = set()

	@staticmethod
	def request_id() -> str:
		return str(uuid.uuid4()).upper()

	def error(self, status: int, code: str, message: str):
		return (
			status,
			{"Content-Type": "application/json;charset=utf-8"},
			{
				"RequestId": self.request_id(),
				"HostId": "dysmsapi.aliyuncs.com",
				"Code": code,
				"Message": message,
			},
		)

	def signature_problem(self, request) -> tuple[int, str, str] | None:
		headers = lower_headers(request)
		algorithm, _, fields = (headers.get("authorization") or "").partition(" ")
		parts = dict(p.split("=", 1) for p in fields.split(",") if "=" in p)
		if algorithm != "ACS3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(parts):
			return 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
		if parts["Credential"] != self.access_key_id:
			return 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
		signed = parts["SignedHeaders"].split(";")
		must_sign = {
			"host",
			*(h for h in headers if h.startswith("x-acs-")),
			*({"content-type"} & set(headers)),
		}
		if not must_sign <= set(signed) or signed != sorted(signed):
			return 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
		payload = hashlib.sha256(request["body"]).hexdigest()
		if headers.get("x-acs-content-sha256") != payload:
			return 400, "IncompleteSignature", "The x-acs-content-sha256 does not match the request body."
		query = "&".join(
			f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(request["query"].items())
		)
		canonical = "\n".join(
			(
				request["method"],
				request["path"] or "/",
				query,
				"".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed),
				";".join(signed),
				payload,
			)
		)
		to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
		expected = hmac.new(self.access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
		if not hmac.compare_digest(expected, parts["Signature"]):
			return 400, "SignatureDoesNotMatch", "Specified signature does not match our calculation."
		try:
			sent_at = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
		except ValueError:
			return 400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
		if abs(sent_at.replace(tzinfo=timezone.utc).timestamp() - time.time()) > 15 * 60:
			return 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
		nonce = headers.get("x-acs-signature-nonce")
		if not nonce or nonce in self.nonces:
			return 400, "SignatureNonceUsed", "Specified signature nonce was used already."
		self.nonces.add(nonce)
		return None

	def speak(self, request):
		problem = self.signature_problem(request)
		request["signature_valid"] = problem is None
		if problem:
			return self.error(*problem)
		headers, query = lower_headers(request), request["query"]
		if (headers.get("x-acs-action"), headers.get("x-acs-version")) != ("SendSms", "2017-05-25"):
			return self.error(
				404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
			)
		business = self.refusal(query)
		if business:
			return (
				200,
				{"Content-Type": "application/json;charset=utf-8"},
				{
					"RequestId": self.request_id(),
					"Code": business[0],
					"Message": business[1],
				},
			)
		biz_id = f"{len(self.accepted) + 900619746936498440}^0"
		self.accepted.append(
			{
				"phone": query["PhoneNumbers"],
				"sign_name": query["SignName"],
				"template_code": query["TemplateCode"],
				"params": json.loads(query.get("TemplateParam") or "{}"),
				"biz_id": biz_id,
			}
		)
		return (
			200,
			{"Content-Type": "application/json;charset=utf-8"},
			{
				"RequestId": self.request_id(),
				"Code": "OK",
				"Message": "OK",
				"BizId": biz_id,
			},
		)

	def refusal(self, query) -> tuple[str, str] | None:
		"""The provider's own checks of an SMS, in its documented codes."""
		if query.get("SignName") != self.sign_name:
			return "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"
		step = next((s for s, code in self.template_codes.items() if code == query.get("TemplateCode")), None)
		if not step:
			return "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"
		try:
			params = json.loads(query.get("TemplateParam") or "{}")
		except ValueError:
			return "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"
		if set(params) != {n.strip() for n in TEMPLATES[step][0].split(",")}:
			return "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值"
		if not mainland(query.get("PhoneNumbers", "")):
			return "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"
		if self.codes:
			code = self.codes.popleft()
			return code, {"isv.BUSINESS_LIMIT_CONTROL": "触发分钟级流控Permits:1"}.get(code, code)
		return None

	def configure(self, secret: str | None = None) -> None:
		"""Points Settings at this server: Alibaba Cloud as the SMS provider, its key, sign name, templates."""
		doc = configure_templates(
			aliyun_access_key_id=self.access_key_id,
			aliyun_access_key_secret=secret or self.access_key_secret,
			aliyun_sign_name=self.sign_name,
			aliyun_endpoint=self.url,
		)
		for row in doc.templates:
			row.aliyun_template_code = self.template_codes.get(row.step)
		save(doc, "Alibaba Cloud")


# -- Tencent Cloud SMS ----------------------------------------------------------------------------------------


class TencentSMS(ProviderStandIn):
	secret_id = "AKIDStandInSecretIdForTencent"
	secret_key = "StandInSecretKeyForTencent"
	sdk_app_id = "1400787878"
	sign_name = "星河物业"
	template_ids = {"Accepted": "1900001", "Dispatched": "1900002", "Done": "1900003"}

	def answer(self, response: dict):
		response["RequestId"] = str(uuid.uuid4())
		# The SDK reads an error only from exactly this content type, as the provider sends it.
		return 200, {"Content-Type": "application/json"}, {"Response": response}

	def error(self, code: str, message: str):
		return self.answer({"Error": {"Code": code, "Message": message}})

	def signature_problem(self, request) -> tuple[str, str] | None:
		headers = lower_headers(request)
		algorithm, _, fields = (headers.get("authorization") or "").partition(" ")
		parts = dict(p.strip().split("=", 1) for p in fields.split(",") if "=" in p)
		if algorithm != "TC3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(parts):
			return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
		secret_id, date, service, terminator = (parts["Credential"].split("/") + ["", "", ""])[:4]
		if secret_id != self.secret_id:
			return (
				"AuthFailure.SecretIdNotFound",
				"The SecretId is not found, please ensure that your SecretId is correct.",
			)
		timestamp = int(headers.get("x-tc-timestamp") or 0)
		if abs(timestamp - time.time()) > 300:
			return "AuthFailure.SignatureExpire", "Signature expire. Timestamp is out of range."
		if date != datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d") or service != "sms":
			return "AuthFailure.SignatureFailure", "The credential scope is not valid."
		signed = parts["SignedHeaders"].split(";")
		if not {"content-type", "host"} <= set(signed):
			return "AuthFailure.SignatureFailure", "content-type and host must be signed."
		canonical = "\n".join(
			(
				request["method"],
				request["path"] or "/",
				"",  # POST: no query string
				"".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed),
				";".join(signed),
				hashlib.sha256(request["body"]).hexdigest(),
			)
		)
		scope = f"{date}/{service}/{terminator}"
		to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

		def sign(key: bytes, message: str) -> bytes:
			return hmac.new(key, message.encode(), hashlib.sha256).digest()

		key = sign(sign(sign(f"TC3{self.secret_key}".encode(), date), service), "tc3_request")
		expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
		if not hmac.compare_digest(expected, parts["Signature"]):
			return (
				"AuthFailure.SignatureFailure",
				"The provided credentials could not be validated. Please check your signature is correct.",
			)
		return None

	def speak(self, request):
		problem = self.signature_problem(request)
		request["signature_valid"] = problem is None
		if problem:
			return self.error(*problem)
		headers, body = lower_headers(request), request["json"] or {}
		if (headers.get("x-tc-action"), headers.get("x-tc-version")) != ("SendSms", "2021-01-11"):
			return self.error("InvalidAction", "The requested action does not exist.")
		if body.get("SmsSdkAppId") != self.sdk_app_id:
			return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。")
		if body.get("SignName") != self.sign_name:
			return self.error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。")
		step = next((s for s, t in self.template_ids.items() if t == body.get("TemplateId")), None)
		if not step:
			return self.error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。")
		if len(body.get("TemplateParamSet") or []) != len(TEMPLATES[step][0].split(",")):
			return self.error(
				"FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
				"请求内容与审核通过的模板内容不匹配。",
			)
		if self.codes and not self.codes[0].startswith(
			("LimitExceeded.Phone", "FailedOperation.PhoneNumber")
		):
			code = self.codes.popleft()  # a request-level refusal
			return self.error(code, {"RequestLimitExceeded": "请求的次数超过了频率限制。"}.get(code, code))
		statuses = []
		for number in body.get("PhoneNumberSet") or []:
			code, message = "Ok", "send success"
			if not (number.startswith("+86") and mainland(number[3:])):
				code, message = "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误。"
			elif self.codes:
				code = self.codes.popleft()
				message = {
					"LimitExceeded.PhoneNumberThirtySecondLimit": "单个手机号30秒内下发短信条数超过设定的上限。",
					"LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限。",
					"FailedOperation.PhoneNumberInBlacklist": "手机号在免打扰名单库中。",
				}.get(code, code)
			serial = f"3369:{len(self.accepted) + 104571066915705365784}" if code == "Ok" else ""
			if code == "Ok":
				self.accepted.append(
					{
						"phone": number,
						"sdk_app_id": body["SmsSdkAppId"],
						"sign_name": body["SignName"],
						"template_id": body["TemplateId"],
						"params": body["TemplateParamSet"],
						"serial_no": serial,
					}
				)
			statuses.append(
				{
					"SerialNo": serial,
					"PhoneNumber": number,
					"Fee": 1 if code == "Ok" else 0,
					"SessionContext": "",
					"Code": code,
					"Message": message,
					"IsoCode": "CN",
				}
			)
		return self.answer({"SendStatusSet": statuses})

	def configure(self, secret: str | None = None) -> None:
		doc = configure_templates(
			tencent_secret_id=self.secret_id,
			tencent_secret_key=secret or self.secret_key,
			tencent_sdk_app_id=self.sdk_app_id,
			tencent_sign_name=self.sign_name,
			tencent_region="ap-guangzhou",
			tencent_endpoint=self.url,
		)
		for row in doc.templates:
			row.tencent_template_id = self.template_ids.get(row.step)
		save(doc, "Tencent Cloud")


# -- WeChat Official Account ----------------------------------------------------------------------------------


class WeChatAPI(ProviderStandIn):
	app_id = "wx5f3a0d5e1b2c3d4e"
	app_secret = "StandInAppSecretForTheOfficialAccount"
	template_ids = {
		"Accepted": "Kq0bLg2x1Accepted0000000000000000000000000",
		"Dispatched": "Kq0bLg2x1Dispatched00000000000000000000000",
		"Done": "Kq0bLg2x1Done0000000000000000000000000000000",
	}

	def __init__(self):
		super().__init__()
		self.tokens: set[str] = set()
		self.tokens_issued = 0
		self.followers: set[str] = set()  # openids that follow the Official Account
		self.codes_for: dict[str, str] = {}  # OAuth code: openid, each good once

	@staticmethod
	def rid() -> str:
		return f"rid: {uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}"

	def json(self, payload: dict):
		return 200, {"Content-Type": "application/json; encoding=utf-8"}, payload

	def error(self, errcode: int, errmsg: str):
		return self.json({"errcode": errcode, "errmsg": f"{errmsg} {self.rid()}"})

	def revoke_tokens(self) -> None:
		"""As when another server fetched a newer token or the token ran out early: every token is refused."""
		self.tokens.clear()

	def authorize(self, openid: str) -> str:
		"""What WeChat does on the phone when its user agrees: a one-time code for the redirect."""
		code = uuid.uuid4().hex[:32]
		self.codes_for[code] = openid
		return code

	def speak(self, request):
		path, query = request["path"], request["query"]
		if path == "/cgi-bin/token" and request["method"] == "GET":
			if query.get("grant_type") != "client_credential":
				return self.error(40002, "invalid grant_type")
			if query.get("appid") != self.app_id:
				return self.error(40013, "invalid appid")
			if query.get("secret") != self.app_secret:
				return self.error(40125, "invalid appsecret")
			self.tokens_issued += 1
			token = f"STANDIN_ACCESS_TOKEN_{self.tokens_issued}_{uuid.uuid4().hex}"
			self.tokens.add(token)
			return self.json({"access_token": token, "expires_in": 7200})
		if path == "/cgi-bin/message/template/send" and request["method"] == "POST":
			if query.get("access_token") not in self.tokens:
				return self.error(40001, "invalid credential, access_token is invalid or not latest")
			body = request["json"] or json.loads(request["body"] or b"{}")
			step = next((s for s, t in self.template_ids.items() if t == body.get("template_id")), None)
			if not step:
				return self.error(40037, "invalid template_id")
			if body.get("touser") not in self.followers:
				return self.error(43004, "require subscribe")
			if self.codes:
				code = self.codes.popleft()
				return self.error(int(code), "scripted")
			msgid = 200228332 + len(self.accepted)
			self.accepted.append(
				{
					"touser": body["touser"],
					"template_id": body["template_id"],
					"url": body.get("url"),
					"data": body.get("data"),
					"msgid": msgid,
				}
			)
			return self.json({"errcode": 0, "errmsg": "ok", "msgid": msgid})
		if path == "/sns/oauth2/access_token" and request["method"] == "GET":
			if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
				return self.error(40125, "invalid appsecret")
			if query.get("grant_type") != "authorization_code":
				return self.error(40002, "invalid grant_type")
			openid = self.codes_for.pop(query.get("code", ""), None)
			if not openid:
				return self.error(40029, "invalid code")
			return self.json(
				{
					"access_token": f"OAUTH_{uuid.uuid4().hex}",
					"expires_in": 7200,
					"refresh_token": f"REFRESH_{uuid.uuid4().hex}",
					"openid": openid,
					"scope": "snsapi_base",
				}
			)
		return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"

	def configure(self, secret: str | None = None) -> None:
		doc = configure_templates(
			wechat_app_id=self.app_id,
			wechat_app_secret=secret or self.app_secret,
			wechat_api_base_url=self.url,
		)
		for row in doc.templates:
			row.wechat_template_id = self.template_ids.get(row.step)
		save(doc, None)
		# A token kept from another stand-in (another port, another run) would be refused here.
		frappe.cache.delete(f"{frappe.local.site}:wechatpy:{self.app_id}_access_token")


# -- Settings -------------------------------------------------------------------------------------------------


def configure_templates(**values):
	doc = frappe.get_doc(MESSAGING_PROVIDERS)
	doc.update(values)
	rows = {row.step: row for row in doc.templates}
	for step, (variables, keys) in TEMPLATES.items():
		row = rows.get(step) or doc.append("templates", {"step": step})
		row.variables, row.wechat_keys = variables, keys
	return doc


def save(doc, sms_provider: str | None) -> None:
	"""Saves Settings and commits: the web server and workers read them."""
	doc.save(ignore_permissions=True)
	if sms_provider:
		frappe.db.set_single_value("Property Helpdesk Settings", "sms_provider", sms_provider)
	frappe.db.commit()


def unconfigure_providers() -> None:
	doc = frappe.get_doc(MESSAGING_PROVIDERS)
	for df in doc.meta.fields:
		if df.fieldtype in ("Data", "Password"):
			doc.set(df.fieldname, None)
	doc.set("templates", [])
	doc.save(ignore_permissions=True)
	frappe.db.set_single_value("Property Helpdesk Settings", "sms_provider", "Frappe SMS Settings")
	frappe.db.commit()
