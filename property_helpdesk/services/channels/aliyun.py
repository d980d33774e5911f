"""SMS through Alibaba Cloud SMS (阿里云短信服务, Dysmsapi 2017-05-25 `SendSms`) and its official SDK
(alibabacloud_dysmsapi20170525, which signs with the OpenAPI V3 signature ACS3-HMAC-SHA256): the approved
signature, the step's approved template and its variables as JSON — the provider sends only approved templates,
so `outgoing.text` is not sent. The endpoint is the public one unless Settings name another."""

import json

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from frappe import _

from property_helpdesk.property_helpdesk.doctype.resident_messaging_providers.resident_messaging_providers import (
	endpoint,
	providers,
	secret,
	template,
)
from property_helpdesk.services.channels import TIMEOUT_SECONDS, Outgoing, SendError

PUBLIC_ENDPOINT = "dysmsapi.aliyuncs.com"
# Codes after which a later attempt may go: the per-number frequency control (1 a minute, 5 an hour by
# default; the provider's documented remedy is to wait), flow control of the API, and the provider's own faults.
# Every other code (a refused number, an unapproved signature or template, a missing variable, arrears, a wrong
# key) never goes however often it is tried: someone must fix Settings or the number first.
RETRYABLE_CODES = {
	"isv.BUSINESS_LIMIT_CONTROL",
	"isp.SYSTEM_ERROR",
	"isp.GATEWAY_ERROR",
	"SignatureNonceUsed",  # a nonce clash of two sends in one millisecond: a new attempt has a new nonce
	"Throttling",
	"Throttling.User",
	"Throttling.Api",
	"ServiceUnavailable",
	"InternalError",
}


def is_set_up() -> bool:
	"""Whether Settings hold what every message needs (channels.is_set_up asks before choosing SMS)."""
	settings = providers()
	return bool(
		settings.aliyun_access_key_id
		and settings.aliyun_sign_name
		and secret(settings, "aliyun_access_key_secret")
	)


def client() -> Client:
	settings = providers()
	scheme, host = endpoint(settings.aliyun_endpoint) or ("https", PUBLIC_ENDPOINT)
	key_secret = secret(settings, "aliyun_access_key_secret")
	if not is_set_up():
		raise SendError(
			_("Alibaba Cloud SMS needs an AccessKey ID, an AccessKey Secret and a sign name in Settings."),
			retryable=False,
		)
	return Client(
		Config(
			access_key_id=settings.aliyun_access_key_id,
			access_key_secret=key_secret,
			endpoint=host,
			protocol=scheme,
			connect_timeout=TIMEOUT_SECONDS * 1000,
			read_timeout=TIMEOUT_SECONDS * 1000,
		)
	)


def phone_number(number: str) -> str:
	"""The provider's form: mainland numbers as the 11 digits, others with their country code and no +."""
	number = "".join(c for c in number if c.isdigit() or c == "+")
	if number.startswith("+86"):
		return number[3:]
	return number.lstrip("+")


def send(outgoing: Outgoing) -> str:
	sms = client()
	template_code, names, values = template(outgoing.step, "aliyun_template_code", outgoing.params)
	request = models.SendSmsRequest(
		phone_numbers=phone_number(outgoing.recipient),
		sign_name=providers().aliyun_sign_name,
		template_code=template_code,
		template_param=json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False)
		if names
		else None,
	)
	try:
		body = sms.send_sms(request).body
	except (
		AlibabaCloudException
	) as e:  # the provider answered 4xx/5xx (signature, key, throttling, its fault)
		raise SendError(
			_("Alibaba Cloud SMS answered {0}: {1}").format(e.code, e.message),
			retryable=e.code in RETRYABLE_CODES or (e.status_code or 0) >= 500,
		) from e
	except (
		Exception
	) as e:  # no answer: the SDK's UnretryableException around a timeout or a refused connection
		raise SendError(_("Alibaba Cloud SMS did not answer: {0}").format(e)) from e
	if body.code != "OK":  # a business error is HTTP 200 with its code (isv.MOBILE_NUMBER_ILLEGAL …)
		raise SendError(
			_("Alibaba Cloud SMS refused the message: {0} {1}").format(body.code, body.message),
			retryable=body.code in RETRYABLE_CODES,
		)
	return body.biz_id
