"""The channels a resident is told by (R8, R10, R22–R24, R34, R36, R39) and a sign-in code is sent by.

One `send(outgoing)` for every channel: SMS (through the provider Settings names — Frappe's SMS Settings for
any HTTP gateway, Alibaba Cloud SMS or Tencent Cloud SMS, each through its official SDK), WeChat Official
Account template messages, and email through Frappe's Email Queue. Each provider module has one function,
`send(outgoing) -> str` (the provider's message id), and raises `SendError` when the message did not go —
`retryable` says whether trying again later may succeed (a 5xx, a timeout) or never will (a refused number,
a wrong template). What was sent to whom, and retries, are kept by the caller (services.resident_messages).
"""

from dataclasses import dataclass, field

import frappe
from frappe import _

SMS = "SMS"
WECHAT = "WeChat"
EMAIL = "Email"
CHANNELS = (SMS, WECHAT, EMAIL)

# The SMS providers, by the name Settings' `sms_provider` holds, and the module that sends through each.
FRAPPE_SMS_SETTINGS = "Frappe SMS Settings"
ALIBABA_CLOUD = "Alibaba Cloud"
TENCENT_CLOUD = "Tencent Cloud"
SMS_PROVIDERS = {
	FRAPPE_SMS_SETTINGS: "property_helpdesk.services.channels.sms_gateway",
	ALIBABA_CLOUD: "property_helpdesk.services.channels.aliyun",
	TENCENT_CLOUD: "property_helpdesk.services.channels.tencent",
}
CHANNEL_MODULES = {
	WECHAT: "property_helpdesk.services.channels.wechat",
	EMAIL: "property_helpdesk.services.channels.email",
}
TIMEOUT_SECONDS = 10  # a provider that does not answer within this is a retryable failure


@dataclass(frozen=True)
class Outgoing:
	"""One message to one address on one channel."""

	channel: str  # SMS, WeChat or Email
	recipient: str  # a mobile number, a WeChat openid or an email address
	step: str  # the procedure step it tells of (a template per step at the template-based providers)
	text: str  # the whole message in Chinese, as a gateway SMS or an email body carries it
	params: dict = field(default_factory=dict)  # the step's template variables (provider templates)
	link: str | None = None  # the case on the portal
	subject: str | None = None  # an email's subject
	reference_doctype: str | None = (
		None  # the document it is about (an email's Email Queue reference: the case)
	)
	reference_name: str | None = None


class SendError(Exception):
	"""The message did not go. `retryable`: a later attempt may succeed (the provider failed or timed out)."""

	def __init__(self, message: str, retryable: bool = True):
		super().__init__(message)
		self.retryable = retryable


def sms_provider() -> str:
	return frappe.db.get_single_value("Property Helpdesk Settings", "sms_provider") or FRAPPE_SMS_SETTINGS


def provider_of(channel: str) -> str:
	"""The module path that sends on `channel` on this site."""
	if channel == SMS:
		return SMS_PROVIDERS[sms_provider()]
	if channel in CHANNEL_MODULES:
		return CHANNEL_MODULES[channel]
	frappe.throw(_("Unknown channel {0}").format(channel))


def is_set_up(channel: str) -> bool:
	"""Whether this site can send on `channel` at all: a channel not set up is passed over for the resident's
	next one, and with none the message is kept as sent nowhere (Not Sent). A provider module may say so by an
	`is_set_up()` (its credentials and templates are in place); one without it is taken at its word and its
	`send` says what is missing; a provider whose module cannot be imported is not set up."""
	if channel == SMS and sms_provider() == FRAPPE_SMS_SETTINGS:
		return bool(frappe.get_cached_doc("SMS Settings").sms_gateway_url)  # as sms_gateway reads it
	if channel not in CHANNELS:
		return False
	try:
		module = frappe.get_module(provider_of(channel))
	except ImportError:
		return False
	check = getattr(module, "is_set_up", None)
	if not check:
		return True
	try:
		return bool(check())
	except Exception:
		# credentials that cannot be read (a site restored without its encryption key) are no channel: the
		# message goes by the next one or is kept as sent nowhere, on the case, instead of not being kept at all
		frappe.log_error(title=_("The {0} channel could not be checked").format(channel))
		return False


def send(outgoing: Outgoing) -> str:
	"""Sends `outgoing` now, through this site's provider for its channel; returns the provider's message id."""
	return frappe.get_attr(f"{provider_of(outgoing.channel)}.send")(outgoing)
