"""SMS through Tencent Cloud SMS (腾讯云短信, API 2021-01-11 `SendSms`) and its official SDK
(tencentcloud-sdk-python-sms, which signs with TC3-HMAC-SHA256): the SMS application (SdkAppId), the approved
signature, the step's approved template and its variables as a list in the template's order — the provider
sends only approved templates, so `outgoing.text` is not sent. The endpoint is the public one unless Settings
name another."""

from frappe import _
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from property_helpdesk.property_helpdesk.doctype.resident_messaging_providers.resident_messaging_providers import (
	endpoint,
	providers,
	secret,
	template,
)
from property_helpdesk.services.channels import TIMEOUT_SECONDS, Outgoing, SendError

PUBLIC_ENDPOINT = "sms.tencentcloudapi.com"
DEFAULT_REGION = "ap-guangzhou"
OK = "Ok"
# Codes after which a later attempt may go: the provider's faults (InternalError.*), API flow control, no
# answer or a non-200 answer (the SDK's ClientNetworkError / ServerNetworkError), and the per-number limits
# that clear within the back-off (30 seconds, an hour). The daily limits do not clear before the message is
# stale, and every other code (a wrong number, a number that unsubscribed, an unapproved signature or template,
# a wrong key, no balance) never goes however often it is tried: someone must fix Settings or the number first.
RETRYABLE_CODES = {
	"ClientNetworkError",
	"ServerNetworkError",
	"RequestLimitExceeded",
	"LimitExceeded.PhoneNumberThirtySecondLimit",
	"LimitExceeded.PhoneNumberOneHourLimit",
	"LimitExceeded.DeliveryFrequencyLimit",
}


def retryable(code: str | None) -> bool:
	return bool(code) and (code in RETRYABLE_CODES or code.startswith("InternalError"))


def is_set_up() -> bool:
	"""Whether Settings hold what every message needs (channels.is_set_up asks before choosing SMS)."""
	settings = providers()
	return bool(
		settings.tencent_secret_id
		and settings.tencent_sdk_app_id
		and settings.tencent_sign_name
		and secret(settings, "tencent_secret_key")
	)


def client() -> sms_client.SmsClient:
	settings = providers()
	scheme, host = endpoint(settings.tencent_endpoint) or ("https", PUBLIC_ENDPOINT)
	key = secret(settings, "tencent_secret_key")
	if not is_set_up():
		raise SendError(
			_(
				"Tencent Cloud SMS needs a SecretId, a SecretKey, an SMS SdkAppId and a sign name in Settings."
			),
			retryable=False,
		)
	http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=TIMEOUT_SECONDS)
	return sms_client.SmsClient(
		credential.Credential(settings.tencent_secret_id, key),
		settings.tencent_region or DEFAULT_REGION,
		ClientProfile(httpProfile=http),
	)


def phone_number(number: str) -> str:
	"""E.164, as the provider asks (+86 for an 11-digit mainland number without a country code)."""
	number = "".join(c for c in number if c.isdigit() or c == "+")
	if number.startswith("+"):
		return number
	if len(number) == 11 and number.startswith("1"):
		return f"+86{number}"
	return f"+{number}"


def send(outgoing: Outgoing) -> str:
	sms = client()
	settings = providers()
	template_id, _names, values = template(outgoing.step, "tencent_template_id", outgoing.params)
	request = models.SendSmsRequest()
	request.SmsSdkAppId = settings.tencent_sdk_app_id
	request.SignName = settings.tencent_sign_name
	request.TemplateId = template_id
	request.TemplateParamSet = values
	request.PhoneNumberSet = [phone_number(outgoing.recipient)]
	try:
		response = sms.SendSms(request)
	except TencentCloudSDKException as e:  # an Error answer, a non-200 answer, or none
		raise SendError(
			_("Tencent Cloud SMS answered {0}: {1}").format(e.get_code(), e.get_message()),
			retryable=retryable(e.get_code()),
		) from e
	# The request as a whole went; each number has its own status (one number here).
	status = (response.SendStatusSet or [None])[0]
	if status is None:
		raise SendError(_("Tencent Cloud SMS answered without a status for the number."))
	if status.Code != OK:
		raise SendError(
			_("Tencent Cloud SMS refused the message: {0} {1}").format(status.Code, status.Message),
			retryable=retryable(status.Code),
		)
	return status.SerialNo
