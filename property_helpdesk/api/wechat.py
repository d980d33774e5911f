"""A resident binds their WeChat to the portal (R8, R10): the portal page /wechat_bind shows a QR code of the
Official Account's web-page authorisation URL (网页授权, snsapi_base); WeChat, on the phone that scanned it,
sends the resident to `bind` with a code and our `state`; `bind` asks WeChat (through wechatpy) whose code it
is and keeps that openid on the resident, so template messages reach them (services/channels/wechat.py).

The callback opens in WeChat's own browser on the phone, which has no portal session: it is for guests, and
what says whose resident record it binds is the `state`, signed with the site's key, expiring and used once.
Nobody can make a state for someone else's resident, and a state seen once cannot be played again."""

import hashlib
import hmac
import time

import frappe
import requests
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils.password import get_encryption_key
from wechatpy.exceptions import WeChatOAuthException

from property_helpdesk.api.portal import check_csrf, require_login, resident_of
from property_helpdesk.constants import RESIDENT
from property_helpdesk.services.channels import SendError
from property_helpdesk.services.channels import wechat as channel

STATE_SECONDS = 10 * 60  # a QR code on the screen binds for this long
CALLBACK = "/api/method/property_helpdesk.api.wechat.bind"
# WeChat hands `state` back only if it is [a-zA-Z0-9], at most 128 bytes: hex fields with "z" between them.
SEPARATOR = "z"


def _signature(payload: str) -> str:
	key = get_encryption_key().encode()
	return hmac.new(key, f"wechat-bind:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def make_state(resident: str, now: float | None = None) -> str:
	expires = int(now or time.time()) + STATE_SECONDS
	payload = f"{expires:x}{SEPARATOR}{resident.encode().hex()}"
	return f"{payload}{SEPARATOR}{_signature(payload)}"


def read_state(state: str | None) -> str | None:
	"""The resident a state binds, or None if it is forged, damaged or expired."""
	parts = (state or "").split(SEPARATOR)
	if len(parts) != 3 or len(state) > 128:
		return None
	expires, resident, signature = parts
	if not hmac.compare_digest(signature, _signature(f"{expires}{SEPARATOR}{resident}")):
		return None
	try:
		if int(expires, 16) < time.time():
			return None
		return bytes.fromhex(resident).decode()
	except ValueError:
		return None


def authorize_url(resident: str) -> str:
	"""The URL the QR code holds: WeChat's authorisation page, which comes back to `bind`."""
	return channel.oauth(frappe.utils.get_url(CALLBACK), make_state(resident)).authorize_url


def page(title: str, message: str, status: int, success: bool = False):
	frappe.respond_as_web_page(title, message, success=success, http_status_code=status, primary_action=None)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=30, seconds=60 * 60)  # per IP: a guest route, it must not be a way to try codes in bulk
def bind(code: str | None = None, state: str | None = None):
	"""WeChat's redirect after the resident scanned the QR code: keep their openid on the resident."""
	resident = read_state(state)
	if not resident or not frappe.db.exists(RESIDENT, resident):
		return page(
			_("QR Code Expired"),
			_(
				"This QR code is no longer valid. Open the WeChat page of the portal again and scan the new code."
			),
			403,
		)
	if not code:  # the resident refused the authorisation in WeChat
		return page(_("WeChat Not Bound"), _("WeChat did not confirm your account. Please scan again."), 400)
	try:
		openid = channel.oauth(frappe.utils.get_url(CALLBACK), state).fetch_access_token(code).get("openid")
	except WeChatOAuthException as e:  # a used, expired or made-up code (40029, 40163 …)
		return page(
			_("WeChat Not Bound"),
			_("WeChat did not confirm your account ({0}). Please scan again.").format(e.errcode),
			400 if e.errcode else 502,
		)
	except requests.RequestException:
		return page(_("WeChat Not Bound"), _("WeChat did not answer. Please scan again in a moment."), 502)
	except SendError:
		return page(_("WeChat Not Bound"), _("WeChat is not set up for this portal yet."), 503)
	if not openid:  # an answer without the account it is about
		return page(_("WeChat Not Bound"), _("WeChat did not confirm your account. Please scan again."), 400)
	used = frappe.cache.make_key(f"property_helpdesk:wechat_bind:{state[-32:]}")
	if not frappe.cache.set(used, 1, nx=True, ex=STATE_SECONDS):  # a state is good for one binding
		return page(
			_("QR Code Expired"),
			_(
				"This QR code is no longer valid. Open the WeChat page of the portal again and scan the new code."
			),
			403,
		)
	doc = frappe.get_doc(RESIDENT, resident)
	doc.db_set("wechat_openid", openid)
	doc.add_comment("Info", _("Bound WeChat for messages"))
	frappe.local.flags.commit = True  # Frappe commits a GET request only when asked to
	return page(
		_("WeChat Bound"),
		_("Your WeChat is bound to the portal. Messages about your cases will come here."),
		200,
		success=True,
	)


@frappe.whitelist(methods=["GET"])
def status() -> dict:
	"""Whether the signed-in resident's WeChat is bound (the page asks while its QR code is shown)."""
	require_login()
	resident = resident_of()
	if not resident:
		frappe.throw(_("Your account is not linked to a resident record yet."), frappe.PermissionError)
	return {"bound": bool(frappe.db.get_value(RESIDENT, resident, "wechat_openid"))}


@frappe.whitelist(methods=["POST"])
def unbind() -> dict:
	"""The resident stops WeChat messages from the portal (they then go by their other channels)."""
	require_login()
	check_csrf()
	resident = resident_of()
	if not resident:
		frappe.throw(_("Your account is not linked to a resident record yet."), frappe.PermissionError)
	doc = frappe.get_doc(RESIDENT, resident)
	if doc.wechat_openid:  # a second tap, or nothing bound: nothing to record
		doc.db_set("wechat_openid", None)
		doc.add_comment("Info", _("Unbound WeChat"))
	return {"bound": False}
