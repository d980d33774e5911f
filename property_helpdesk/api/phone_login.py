"""Sign in to the resident portal with a mobile number and a one-time SMS code (issue 13): no email needed.

Frappe's own way, as its "login with email link" (frappe/www/login.py send_login_link / login_via_key): a
one-time secret kept in Redis with an expiry, whitelisted guest methods rate-limited per IP with
frappe.rate_limiter.rate_limit, and LoginManager.login_as to start the session. On top of it:

- the code is 6 digits, kept only as an HMAC under the site's encryption key (a Redis dump gives no code),
  for `code_seconds`; a new code replaces the last; `attempts` wrong tries end it;
- per number: one code per `resend_seconds`, at most `codes_per_number` an hour (Frappe's rate_limit keys on
  the raw form value, where "+86 138…" and "138…" would count apart: the number is counted normalised here);
- the same answer whether a resident has the number or not: a code is made and the limits counted alike,
  only the SMS is not sent, and a code for such a number never matches;
- the SMS goes from a background job (the request's answer does not wait on the provider, so its timing
  does not tell a known number either), the code sealed with the site's key while it waits in the queue.

Redis rather than a DocType: nothing here is worth an audit row (Frappe's Activity Log records the sign-in
itself, SMS Log the message), and expiry is Redis's own. A site may change the limits in site_config.json
under property_helpdesk_phone_login.
"""

import hashlib
import hmac
import secrets

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint
from frappe.utils.password import decrypt, encrypt, get_encryption_key

from property_helpdesk.constants import SIGN_IN_CODE
from property_helpdesk.exceptions import SignInCodeError
from property_helpdesk.procedure.validation import mainland_mobile
from property_helpdesk.property_helpdesk.doctype.resident.resident import (
	link_phone_user,
	may_sign_in_by_phone,
)

DEFAULTS = {
	"code_seconds": 300,  # a code is good for this long
	"resend_seconds": 60,  # one code per number per this many seconds
	"codes_per_number": 5,  # codes per number and hour
	"codes_per_ip": 20,  # code requests per IP and hour (Frappe's rate_limit)
	"attempts": 5,  # wrong tries per code
	"sign_ins_per_ip": 30,  # sign-in tries per IP and hour (Frappe's rate_limit)
}
HOME = "/my_cases"


def limits() -> dict:
	return {**DEFAULTS, **(frappe.conf.get("property_helpdesk_phone_login") or {})}


def key(kind: str, number: str) -> str:
	return frappe.cache.make_key(f"property_helpdesk:phone_login:{kind}:{number}")


def digest(number: str, code: str) -> str:
	return hmac.new(get_encryption_key().encode(), f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def masked(number: str) -> str:
	return f"{number[:3]}****{number[-4:]}"


def valid_number(mobile) -> str:
	number = mainland_mobile(mobile) if isinstance(mobile, str) else None
	if not number:
		frappe.throw(
			_("Enter an 11-digit mainland mobile number, such as 138 0013 8000."),
			title=_("Invalid Mobile Number"),
		)
	return number


def count_code_request(number: str) -> None:
	"""The per-number limits, counted for every valid number alike (HTTP 429 beyond them)."""
	settings = limits()
	gap = cint(settings["resend_seconds"])
	if gap > 0 and not frappe.cache.set(key("gap", number), 1, ex=gap, nx=True):
		wait = max(frappe.cache.ttl(key("gap", number)), 1)
		frappe.throw(
			_("A code was just sent. You can ask for another in {0} seconds.").format(wait),
			frappe.RateLimitExceededError,
			title=_("Please Wait"),
		)
	sent = frappe.cache.incrby(key("sent", number), 1)
	if sent == 1:
		frappe.cache.expire(key("sent", number), 3600)
	if sent > cint(settings["codes_per_number"]):
		frappe.throw(
			_(
				"Too many codes for this number in one hour. Please try again later or call the service hotline."
			),
			frappe.RateLimitExceededError,
			title=_("Too Many Codes"),
		)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=lambda: cint(limits()["codes_per_ip"]), seconds=60 * 60)
def request_code(mobile: str | None = None) -> dict:
	"""Send a sign-in code to `mobile` if a resident has it; the same answer either way."""
	number = valid_number(mobile)
	count_code_request(number)
	seconds = max(cint(limits()["code_seconds"]), 1)
	minutes = -(-seconds // 60)  # as the SMS and the page say it
	code = f"{secrets.randbelow(10**6):06d}"
	frappe.cache.delete(key("tries", number))  # a new code, new tries: for any number alike
	if may_sign_in_by_phone(number):
		frappe.cache.setex(key("code", number), seconds, digest(number, code))
		frappe.enqueue(
			"property_helpdesk.api.phone_login.send_code",
			queue="short",
			number=number,
			sealed=encrypt(code),
			minutes=minutes,
			lang=frappe.local.lang,
		)
	return {"sent_to": masked(number), "minutes": minutes, "resend_after": cint(limits()["resend_seconds"])}


def send_code(number: str, sealed: str, minutes: int, lang: str | None = None) -> None:
	"""The background job that sends the code by SMS. A failed send is logged; the resident asks again."""
	from property_helpdesk.services import channels

	code = decrypt(sealed)
	text = _("Your sign-in code is {0}, valid for {1} minutes. Never tell it to anyone.", lang=lang).format(
		code, minutes
	)
	try:
		channels.send(
			channels.Outgoing(
				channel=channels.SMS,
				recipient=number,
				step=SIGN_IN_CODE,  # a template-based SMS provider keys its template by the step
				text=text,
				params={"code": code, "minutes": str(minutes)},
			)
		)
	except channels.SendError:
		frappe.log_error(title=_("Sign-in code not sent to {0}").format(masked(number)))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=lambda: cint(limits()["sign_ins_per_ip"]), seconds=60 * 60)
def sign_in(mobile: str | None = None, code: str | None = None, redirect_to: str | None = None) -> dict:
	"""Sign in with the code sent to `mobile`; a wrong, expired or never-sent code gets one answer (401)."""
	from frappe.www.login import sanitize_redirect

	number = valid_number(mobile)
	code = code.strip() if isinstance(code, str) else ""
	if not (len(code) == 6 and code.isascii() and code.isdigit()):
		frappe.throw(_("Enter the 6-digit code from the SMS."), title=_("Invalid Code"))
	tries = frappe.cache.incrby(key("tries", number), 1)
	if tries == 1:
		frappe.cache.expire(key("tries", number), max(cint(limits()["code_seconds"]), 1))
	if tries > cint(limits()["attempts"]):
		frappe.cache.delete(key("code", number))
		frappe.throw(
			_("Too many wrong codes. Please ask for a new code."),
			frappe.RateLimitExceededError,
			title=_("Too Many Tries"),
		)
	stored = frappe.cache.get(key("code", number))
	if not stored or not hmac.compare_digest(stored.decode(), digest(number, code)):
		frappe.throw(
			_("The code is wrong or has expired. Check the SMS, or ask for a new code."),
			SignInCodeError,
			title=_("Wrong Code"),
		)
	# one time only: of two requests with the same code, only the one that deletes it signs in
	spent = frappe.cache.delete(key("code", number))
	frappe.cache.delete(key("tries", number))
	user = spent and link_phone_user(number)
	if not user:  # spent by a parallel request, or the record changed since the code was sent
		frappe.throw(
			_("The code is wrong or has expired. Check the SMS, or ask for a new code."),
			SignInCodeError,
			title=_("Wrong Code"),
		)
	frappe.local.login_manager.login_as(user)
	target = sanitize_redirect(redirect_to) if isinstance(redirect_to, str) and redirect_to else None
	return {"redirect_to": target or HOME}
