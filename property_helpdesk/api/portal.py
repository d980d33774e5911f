"""The resident portal's server side (业户门户: R8, R10, R11, R34, R36, R39, R12 ground 5).

Residents hold no DocType permission at all: /api/resource, reports, print views, comments and attachments
refuse them like any guest. Everything a resident may do goes through this module, and every function here
scopes by the units the signed-in user's Resident record lists. A case of another unit is answered exactly like
a case that does not exist (PermissionError, HTTP 403), so nothing can be learnt by guessing names.

Residents can set only the fields named here; the owner, classification, liability, status and costs are the
staff's and derived on the server as for any other case.
"""

import base64
import functools
import re
from urllib.parse import quote, urlencode

import frappe
import frappe.sessions
import redis
from frappe import _
from frappe.utils import cint, now_datetime

from property_helpdesk.constants import (
	CASE,
	CASE_TYPES,
	COMPLAINT,
	COMPLETED,
	RESIDENT,
	RESIDENT_MESSAGE,
	RESIDENT_ROLE,
	RETURN_VISIT,
	RETURNED,
	UNIT,
	WORK_ORDER,
)
from property_helpdesk.procedure import resident_messages as rules
from property_helpdesk.services import places
from property_helpdesk.services import resident_messages as service
from property_helpdesk.services.isolation import read_committed

REPORTABLE_TYPES = CASE_TYPES
# A staff member on patrol reports what they see; a complaint is a resident's (and needs its ground at intake).
STAFF_REPORTABLE_TYPES = tuple(t for t in CASE_TYPES if t != COMPLAINT)
PAGE_LENGTH, MAX_PAGE_LENGTH = 20, 100
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
MAX_SIGNATURE_CHARS = 400_000
# the report page's key of one report (a double tap or a retry sends it again)
REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Submissions per resident and hour; a site may set property_helpdesk_portal_limits in site_config.json.
DEFAULT_LIMITS = {
	"report": 10,
	"remind": 20,
	"confirm": 10,
	"register": 5,
	"upload_bytes_per_day": 100 << 20,
	"message_settings": 30,
}
# A reminder on the portal counts once per this many minutes (two taps are not two reminders, R12 ground 5);
# a site may set property_helpdesk_portal_reminder_gap in site_config.json.
DEFAULT_REMINDER_GAP_MINUTES = 60
# The residents' own pages: a guest opening one signs in by phone (the technician's /my_jobs: by /login)
RESIDENT_PAGES = ("/my_cases", "/new_case", "/my_receipts", "/my_messages")
CASE_FIELDS = (
	"name",
	"ticket_type",
	"status",
	"subject",
	"unit",
	"creation",
	"follow_up_owner_name",
	"reminder_count",
)


# -- who the resident is -------------------------------------------------------------------------------------


def resident_of(user: str | None = None) -> str | None:
	user = user or frappe.session.user
	if user in ("Guest", None):
		return None
	return frappe.db.get_value(RESIDENT, {"user": user}, "name")


def portal_nav() -> list[dict]:
	"""The signed-in user's portal menu (hooks' portal_menu_items and Portal Settings, by role: Frappe's own
	list) as links every page shows: Frappe draws it only in a sidebar our phone pages do not have."""
	if frappe.session.user == "Guest":
		return []
	from frappe.website.utils import get_portal_sidebar_items

	path = "/" + (frappe.local.request.path.strip("/") if getattr(frappe.local, "request", None) else "")
	nav = []
	for item in get_portal_sidebar_items():
		route, title = item.get("route"), item.get("title")  # the titles are hooks.py's, translated there
		if route in RESIDENT_NAV:
			nav.append({"title": _(title), "route": route, "active": path.startswith(route)})
	return nav


# the resident's own pages the portal's links lead to (Frappe's standard menu adds others: orders, addresses …)
RESIDENT_NAV = ("/my_cases", "/new_case", "/my_receipts", "/wechat_bind", "/my_messages")


def resident_units(user: str | None = None) -> list[str]:
	"""The units of every Resident record whose portal user is `user` (one query)."""
	user = user or frappe.session.user
	if user in ("Guest", None):
		return []
	resident, unit = frappe.qb.DocType(RESIDENT), frappe.qb.DocType("Resident Unit")
	rows = (
		frappe.qb.from_(unit)
		.join(resident)
		.on(unit.parent == resident.name)
		.select(unit.unit)
		.distinct()
		.where((resident.user == user) & (unit.parenttype == "Resident") & (resident.disabled == 0))
	).run()
	return [row[0] for row in rows]


def require_login():
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your cases."), frappe.PermissionError)


def require_units() -> list[str]:
	require_login()
	units = resident_units()
	if not units:
		frappe.throw(_("Your account is not linked to a unit yet."), frappe.PermissionError)
	return units


def case_for_resident(name: str):
	"""The case, if it belongs to one of the resident's units; otherwise 403, as for a name that does not exist."""
	units = require_units()
	unit = frappe.db.get_value(CASE, name, "unit") if isinstance(name, str) else None
	if not unit or unit not in units:
		frappe.throw(_("You can see only the cases of your own units."), frappe.PermissionError)
	return frappe.get_doc(CASE, name)


def check_csrf():
	"""Frappe checks the CSRF token only once a session has one, and a session made by a bare login has none:
	every portal POST needs it, the pages hand it out (frappe.csrf_token)."""
	token = frappe.session.data.csrf_token
	if not token or frappe.get_request_header("X-Frappe-CSRF-Token") != token:
		frappe.throw(_("Invalid Request"), frappe.CSRFTokenError)


def login_first(route: str, query: dict | None = None) -> None:
	"""A portal page opened by a guest sends them to sign in and back: a resident's page by phone and SMS code
	(issue 13: most residents give no email; the page links Frappe's own /login), a staff page to /login.
	`query` comes back with them (a QR label's place, issue 14)."""
	if frappe.session.user == "Guest":
		sign_in = "/login/phone" if route in RESIDENT_PAGES else "/login"
		back = f"{route}?{urlencode(query)}" if query else route
		frappe.local.flags.redirect_location = f"{sign_in}?redirect-to={quote(back, safe='/')}"
		raise frappe.Redirect


def read_page(get_context):
	"""A read page's get_context, reading from the replica where the site has one (frappe.read_only, as Frappe's
	own list views). Frappe's page renderer hands the context only to a function whose own arguments name it
	(inspect.getfullargspec), which frappe.read_only's wrapper does not: this one does."""
	read = frappe.read_only()(get_context)

	@functools.wraps(get_context)
	def page(context):
		return read(context)

	return page


def page_context(context):
	"""What every portal page sets: no breadcrumbs, and a CSRF token for its forms. A session's first token is
	stored on the primary: the page may be reading from the replica (frappe.read_only), which takes no writes."""
	context.no_breadcrumbs = True
	frappe.write_only()(frappe.sessions.get_csrf_token)()


def throttle(action: str):
	"""Count a submission against the resident's hourly limit (HTTP 429 beyond it)."""
	limits = {**DEFAULT_LIMITS, **(frappe.conf.get("property_helpdesk_portal_limits") or {})}
	key = frappe.cache.make_key(f"property_helpdesk:portal:{action}:{frappe.session.user}")
	try:
		count = frappe.cache.incrby(key, 1)
		if count == 1:
			frappe.cache.expire(key, 3600)
	except redis.exceptions.ConnectionError:
		# the cache's Redis is down (Frappe's cache wrapper guards its own calls, not incrby): the limit cannot
		# be counted, and a resident's report is not refused for a fault of the server (issue 15)
		return
	if count > cint(limits[action]):
		frappe.throw(
			_("Too many submissions in one hour. Please call the service hotline or try again later."),
			frappe.RateLimitExceededError,
		)


def count_upload(doc, method=None):
	"""File before_insert (hooks.py): the bytes a portal user's (or a guest's) requests store a day, against a
	quota, so that one resident cannot fill the site's disk — through the portal's photos or through Frappe's own
	/api/method/upload_file, which stores any signed-in user's file up to max_file_size with no count. Frappe's
	rate_limit counts calls, not bytes: the count is kept as throttle's, in Redis. Staff are not counted.
	A refused file is rolled back with the request and deleted from the disk (Frappe's File.on_rollback), and
	the bytes of a request rolled back are given back."""
	if not getattr(frappe.local, "request", None) or doc.is_folder:
		return
	user = frappe.session.user
	if user != "Guest" and frappe.get_cached_value("User", user, "user_type") == "System User":
		return
	size = cint(doc.file_size)
	if not size:
		return
	limits = {**DEFAULT_LIMITS, **(frappe.conf.get("property_helpdesk_portal_limits") or {})}
	who = user if user != "Guest" else frappe.local.request_ip
	key = frappe.cache.make_key(f"property_helpdesk:portal:upload_bytes:{who}:{frappe.utils.today()}")
	total = frappe.cache.incrby(key, size)
	if total == size:
		frappe.cache.expire(key, 24 * 3600)
	if total > cint(limits["upload_bytes_per_day"]):
		frappe.cache.incrby(key, -size)
		frappe.throw(
			_("You have sent too many photos today. Please call the service hotline or try again tomorrow."),
			frappe.RateLimitExceededError,
			title=_("Too Many Photos"),
		)
	# a request that fails later stores nothing: its bytes do not count
	frappe.db.after_rollback.add(lambda: frappe.cache.incrby(key, -size))


# -- reading ----------------------------------------------------------------------------------------------


def my_cases(start: int = 0, page_length: int = PAGE_LENGTH) -> tuple[list[dict], bool]:
	"""One page of the resident's cases, newest first, and whether there are more. Two queries whatever the
	page size or the number of cases on the site: the units, then the page (index on unit, creation)."""
	units = require_units()
	page_length = min(max(cint(page_length) or PAGE_LENGTH, 1), MAX_PAGE_LENGTH)
	ticket = frappe.qb.DocType(CASE)
	rows = (
		frappe.qb.from_(ticket)
		.select(*CASE_FIELDS)
		.where(ticket.unit.isin(units))
		.orderby(ticket.creation, order=frappe.qb.desc)
		.limit(page_length + 1)
		.offset(max(cint(start), 0))
	).run(as_dict=True)
	return rows[:page_length], len(rows) > page_length


def timeline(doc) -> list[dict]:
	"""What happened to the case, in order, in words a resident understands (R10, R20–R24, R34–R36)."""
	events = [{"at": doc.creation, "label": _("Reported"), "detail": _(doc.channel)}]
	for row in doc.handovers:
		name = frappe.utils.get_fullname(row.to_user) if row.to_user else ""
		events.append({"at": row.handed_at, "label": _("Handed over"), "detail": name})
	for row in doc.reminders:
		events.append({"at": row.reminded_at, "label": _("Reminded"), "detail": row.note or ""})
	for wo in work_orders(doc.name):
		for fieldname, label in (
			("dispatched_at", _("Dispatched")),
			("appointment_at", _("Appointment Time")),
			("arrived_at", _("Technician arrived")),
			("started_at", _("Work started")),
			("explained_at", _("Explanation given")),
			("completed_at", _("Work completed")),
			("confirmed_at", _("You confirmed the work")),
		):
			if wo.get(fieldname):
				events.append({"at": wo.get(fieldname), "label": label, "detail": wo.name})
		for row in wo.progress:
			if row.told_resident:  # internal progress notes stay internal
				events.append({"at": row.reported_at, "label": _("Progress"), "detail": row.note or ""})
	if doc.answered_at:
		events.append({"at": doc.answered_at, "label": _("Answer"), "detail": doc.answer_to_resident or ""})
	for visit in frappe.get_all(
		RETURN_VISIT,
		filters={"service_ticket": doc.name},
		fields=["visited_at", "satisfaction"],
	):
		if visit.visited_at:
			events.append(
				{"at": visit.visited_at, "label": _("Return visit"), "detail": _(visit.satisfaction)}
			)
	if doc.closed_at:
		events.append({"at": doc.closed_at, "label": _("Closed"), "detail": ""})
	return sorted(events, key=lambda e: e["at"])


def case_messages(ticket: str) -> list[dict]:
	"""What the residents were told about the case (issue 13), oldest first: when, on which channel, what, and
	whether it was delivered. Not the address it went to (a number, an openid, an email of another resident
	of the unit)."""
	rows = frappe.get_all(
		RESIDENT_MESSAGE,
		filters={"service_ticket": ticket},
		fields=["name", "creation", "sent_at", "step", "channel", "status", "text"],
		order_by="creation asc, name asc",
	)
	for row in rows:
		row.at = row.sent_at or row.creation
	return rows


def work_orders(ticket: str) -> list:
	return [
		frappe.get_doc(WORK_ORDER, name)
		for name in frappe.get_all(
			WORK_ORDER, filters={"service_ticket": ticket}, pluck="name", order_by="creation"
		)
	]


def can_confirm(wo) -> bool:
	return wo.status in (COMPLETED, RETURNED) and not wo.resident_confirmed


def service_card_html(doc) -> str:
	"""The service card (R8, R34), the same template the desk prints."""
	return frappe.render_template("property_helpdesk/templates/print/service_card.html", {"doc": doc})


# -- whitelisted methods ------------------------------------------------------------------------------------


# Lists read from the replica where the site has one (frappe.read_only, as Frappe's own list views): a list a
# moment behind is harmless. A case's own page, photo and receipt read the primary: they are what a resident
# opens right after reporting, reminding, confirming or paying, and must show it.
@frappe.whitelist(methods=["GET"])
@frappe.read_only()
def list_cases(start: int = 0, page_length: int = PAGE_LENGTH) -> dict:
	rows, more = my_cases(start, page_length)
	return {"cases": rows, "more": more}


def report_answer(case: str, follow_up_owner_name: str | None, by_resident: bool) -> dict:
	"""What a report answers, the first time and to a second send of it: the case, who follows it up, where
	the reporter goes next (a resident to their case page, a staff member on patrol to the desk's case)."""
	route = f"/my_cases/{case}" if by_resident else f"/app/service-ticket/{case}"
	return {"name": case, "follow_up_owner_name": follow_up_owner_name, "route": route}


@frappe.whitelist(methods=["POST"])
def report_case(
	ticket_type: str,
	subject: str,
	unit: str | None = None,
	description: str | None = None,
	contact_phone: str | None = None,
	location: str | None = None,
	common_area: str | None = None,
	request_key: str | None = None,
) -> dict:
	"""Report a repair, complaint or service request (R5–R10) with up to MAX_PHOTOS photos (multipart field
	`photo`, repeated). The case is accepted for the resident by the property's area administrator, who follows it up.
	At a place a QR label names (扫码报修, issue 14: `common_area`, or a `unit` by a staff member on patrol) the
	rules of services/places say who may report there; a staff member's case is theirs (acceptor), channel Patrol.

	`request_key` is made by the page for each report and sent again when the report is (a double tap, a retry
	on a bad network): the reporter's user row is locked first, so two sends run one after the other, and the
	second finds the first's case by its key (a locking read sees the first's commit) and gets the first's answer;
	the key is unique on the case whatever happens."""
	require_login()
	check_csrf()
	# the locking reads below lock no gap (services/isolation): two first sends at once do not deadlock
	read_committed()
	if request_key and not REQUEST_KEY.match(request_key):
		frappe.throw(_("The report has no valid request key."), title=_("Invalid Input"))
	if request_key:
		frappe.db.get_value("User", frappe.session.user, "name", for_update=True)
		first = frappe.db.get_value(
			CASE,
			{"portal_request_key": request_key},
			["name", "owner", "follow_up_owner_name", "channel"],
			as_dict=True,
			for_update=True,
		)
		if first and first.owner != frappe.session.user:
			frappe.throw(_("This request key was already used."), title=_("Invalid Input"))
		if first:
			return report_answer(first.name, first.follow_up_owner_name, first.channel != places.PATROL)
	throttle("report")
	reporter, unit, common_area = case_place(unit, common_area)
	if ticket_type not in (REPORTABLE_TYPES if reporter == places.AS_RESIDENT else STAFF_REPORTABLE_TYPES):
		frappe.throw(_("Choose what you are reporting."), title=_("Invalid Input"))
	if location not in (None, "", "Private Part", "Common Facility"):
		frappe.throw(_("Choose where the problem is."), title=_("Invalid Input"))
	photos = photo_uploads()
	if reporter == places.AS_RESIDENT:
		resident = frappe.get_doc(RESIDENT, resident_of())
		contact = {
			"channel": "Portal",
			"resident": resident.name,
			"contact_name": resident.resident_name,
			"contact_phone": (contact_phone or "").strip() or resident.phone,
		}
	else:
		full_name, mobile = frappe.get_cached_value("User", frappe.session.user, ["full_name", "mobile_no"])
		contact = {
			"channel": places.PATROL,
			"contact_name": full_name,
			"contact_phone": (contact_phone or "").strip() or mobile,
		}
	doc = frappe.get_doc(
		{
			"doctype": CASE,
			"ticket_type": ticket_type,
			"call_started_at": now_datetime(),
			"unit": unit,
			"common_area": common_area,
			"subject": (subject or "").strip(),
			"description": description,
			"location": location or "",
			**contact,
			"portal_request_key": request_key or None,
		}
	)
	# a resident's report: the case's own save finds its acceptor and puts it on their list; a staff member's
	# (any staff role, checked by places.reporter_at for the place's property) is accepted by them
	doc.insert(ignore_permissions=True)
	for n, photo in enumerate(photos, 1):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{doc.name}-{n}{PHOTO_TYPES[photo.mimetype]}",
				"content": photo.content,
				"attached_to_doctype": CASE,
				"attached_to_name": doc.name,
				"attached_to_field": "photo",
				"is_private": 1,
			}
		).insert(ignore_permissions=True)
		if n == 1:
			doc.db_set("photo", file.file_url)
	return report_answer(doc.name, doc.follow_up_owner_name, reporter == places.AS_RESIDENT)


def case_place(unit: str | None, common_area: str | None) -> tuple[str, str | None, str | None]:
	"""Who reports (places.AS_RESIDENT or AS_STAFF), for which unit and at which common area. A resident reports
	for one of their own units (at a common area: one of theirs in its property); a staff member at the place
	a label names. Every refusal is a translated 403, an unknown place a 404."""
	units = resident_units()
	if not common_area and (units or not unit):
		units = require_units()
		if unit not in units:
			frappe.throw(_("You can report only for your own units."), frappe.PermissionError)
		return places.AS_RESIDENT, unit, None
	place = places.named_place(unit=None if common_area else unit, common_area=common_area)
	reporter, choices = places.reporter_at(place, units)
	if reporter == places.AS_STAFF:
		return reporter, place.unit, common_area or None
	if unit not in choices:
		if unit or len(choices) > 1:
			frappe.throw(_("You can report only for your own units."), frappe.PermissionError)
		unit = choices[0]
	return reporter, unit, place.name


def photo_uploads() -> list:
	"""The `photo` files of a multipart request, each checked to be a picture of reasonable size."""
	files = frappe.request.files.getlist("photo") if frappe.request and frappe.request.files else []
	files = [storage for storage in files if storage.filename]
	if len(files) > MAX_PHOTOS:
		frappe.throw(_("At most {0} photos.").format(MAX_PHOTOS), title=_("Invalid Input"))
	photos = []
	for storage in files:
		content = storage.stream.read(MAX_PHOTO_BYTES + 1)
		if len(content) > MAX_PHOTO_BYTES:
			frappe.throw(_("The photo is larger than 10 MB."), title=_("Invalid Input"))
		mimetype = sniff_image(content)
		if not mimetype:
			frappe.throw(_("The photo must be a JPEG, PNG, WebP or GIF picture."), title=_("Invalid Input"))
		photos.append(frappe._dict(content=content, mimetype=mimetype))
	return photos


def case_photos(ticket: str) -> list[str]:
	"""The File names of the case's photos, the field's first."""
	return frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": CASE,
			"attached_to_name": ticket,
			"attached_to_field": "photo",
		},
		pluck="name",
		order_by="creation asc, name asc",
	)


def sniff_image(content: bytes) -> str | None:
	"""The image type from the file's first bytes (never from its name or the browser's word)."""
	if content.startswith(b"\xff\xd8\xff"):
		return "image/jpeg"
	if content.startswith(b"\x89PNG\r\n\x1a\n"):
		return "image/png"
	if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
		return "image/webp"
	if content[:6] in (b"GIF87a", b"GIF89a"):
		return "image/gif"
	return None


@frappe.whitelist(methods=["POST"])
def remind(ticket: str, note: str | None = None) -> dict:
	"""催办 (R37): recorded on the case; the second unanswered one makes a complaint valid (R12 ground 5)."""
	doc = case_for_resident(ticket)
	check_csrf()
	throttle("remind")
	if note and len(note) > 500:
		frappe.throw(_("The note is too long: at most 500 characters."), title=_("Invalid Input"))
	gap = cint(frappe.conf.get("property_helpdesk_portal_reminder_gap") or DEFAULT_REMINDER_GAP_MINUTES)
	last = max((r.reminded_at for r in doc.reminders if r.channel == "Portal"), default=None)
	if last and frappe.utils.time_diff_in_seconds(now_datetime(), last) < gap * 60:
		frappe.throw(
			_("You reminded the office at {0}; they have it. You can remind again after {1} minutes.").format(
				frappe.utils.format_datetime(last, "HH:mm"), gap
			),
			title=_("Already Reminded"),
		)
	doc.flags.ignore_permissions = True
	doc.record_reminder("Portal", note)
	return {"reminder_count": doc.reminder_count}


@frappe.whitelist(methods=["POST"])
def confirm_work(
	work_order: str, quality: int, timeliness: int, attitude: int, signature: str, comment: str | None = None
) -> dict:
	"""R36: the resident confirms the finished job, rates quality, timeliness and attitude (1–5) and signs."""
	ticket = frappe.db.get_value(WORK_ORDER, work_order, "service_ticket") if work_order else None
	case_for_resident(ticket)
	check_csrf()
	throttle("confirm")
	wo = frappe.get_doc(WORK_ORDER, work_order)
	record_confirmation(wo, quality, timeliness, attitude, signature)
	if comment and len(comment) > 500:
		frappe.throw(_("The comment is too long: at most 500 characters."), title=_("Invalid Input"))
	if comment:
		wo.add_comment("Comment", frappe.utils.escape_html(comment), comment_email=frappe.session.user)
	wo.flags.ignore_permissions = True
	wo.save()
	return {"confirmed_at": wo.confirmed_at}


SIGNATURE = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/=]+)$")


def record_confirmation(wo, quality, timeliness, attitude, signature: str | None) -> None:
	"""R36: the resident's confirmation of a finished job — three ratings of 1 to 5 stars and a signature —
	checked and written on the work order (not saved), whether given on the portal or on the technician's phone."""
	if not can_confirm(wo):
		frappe.throw(_("This job cannot be confirmed now."), title=_("Not Completed"))
	ratings = [cint(quality), cint(timeliness), cint(attitude)]
	if any(r < 1 or r > 5 for r in ratings):
		frappe.throw(_("Give each rating from 1 to 5 stars."), title=_("Invalid Input"))
	if not valid_signature(signature):
		frappe.throw(_("Please sign in the box before confirming."), title=_("Invalid Input"))
	wo.update(
		{
			"resident_confirmed": 1,
			"quality_rating": ratings[0] / 5,
			"timeliness_rating": ratings[1] / 5,
			"attitude_rating": ratings[2] / 5,
			"resident_signature": signature,
		}
	)


def valid_signature(signature: str | None) -> bool:
	if not signature or len(signature) > MAX_SIGNATURE_CHARS:
		return False
	match = SIGNATURE.match(signature)
	if not match:
		return False
	try:
		return base64.b64decode(match.group(1), validate=True).startswith(b"\x89PNG")
	except ValueError:
		return False


@frappe.whitelist(methods=["GET"])
def photo(ticket: str, n: int = 0):
	"""The case's n-th photo, to the residents of its unit only."""
	doc = case_for_resident(ticket)
	photos = case_photos(doc.name)
	serve_photo(photos, n)


def serve_photo(photos: list[str], n: int = 0) -> None:
	"""Answer the request with the n-th of `photos` (File names the caller may see), served inline as the picture
	it is (sniffed again: staff may attach anything to the field), anything else as an attachment; one home for
	the resident's portal and the technician's phone."""
	if not 0 <= cint(n) < len(photos):
		raise frappe.DoesNotExistError
	file = frappe.get_doc("File", photos[cint(n)])
	content = file.get_content()
	image = sniff_image(content)
	frappe.local.response.filename = file.file_name
	frappe.local.response.filecontent = content
	frappe.local.response.content_type = image or "application/octet-stream"
	frappe.local.response.type = "download"
	frappe.local.response.display_content_as = "inline" if image else "attachment"


# -- how the resident hears from the office (/my_messages: R8, R10, R20, R34, R37) --------------------------

MAX_EMAIL_CHARS = 140  # Resident.email is a Data field


@frappe.whitelist(methods=["POST"])
def save_message_settings(
	preferred_channel: str,
	no_sms: bool = False,
	no_wechat: bool = False,
	no_email: bool = False,
	email: str | None = None,
) -> dict:
	"""The signed-in resident chooses how the office tells them: their channel ("" for the site's default), each
	channel on or off, and their email address (`email` left out: unchanged; "": none). Only their own Resident
	record, found from the session, never one named in the request; all of it valid or nothing saved (a translated
	417). The rules are the message service's own (procedure/resident_messages: a visit to their home always
	reaches them). Frappe's track_changes on Resident records the change on the record's timeline (a Version by
	the resident's user)."""
	require_login()
	check_csrf()
	resident = resident_of()
	if not resident:
		frappe.throw(_("Your account is not linked to a resident record yet."), frappe.PermissionError)
	throttle("message_settings")
	doc = frappe.get_doc(RESIDENT, resident)
	if email is not None:
		email = email.strip()
		if len(email) > MAX_EMAIL_CHARS or (email and not frappe.utils.validate_email_address(email)):
			frappe.throw(
				_("Enter a valid email address, such as name@example.com."), title=_("Invalid Input")
			)
		doc.email = email or None
	doc.update(
		{"no_sms": int(bool(no_sms)), "no_wechat": int(bool(no_wechat)), "no_email": int(bool(no_email))}
	)
	preferred_channel = (preferred_channel or "").strip()
	problem = rules.preference_problem(
		preferred_channel, service.reaching(service.addresses_of(doc)), service.opted_out_of(doc)
	)
	if problem:
		frappe.throw(preference_refusal(problem, preferred_channel, doc), title=_("Invalid Input"))
	doc.preferred_channel = preferred_channel
	doc.flags.ignore_permissions = True  # the resident's own record, from their session; only these fields
	doc.save()
	return how_told(doc)


def preference_refusal(problem: str, channel: str, doc) -> str:
	if problem == rules.UNKNOWN_CHANNEL:
		return _("Choose SMS, WeChat or email.")
	if problem == rules.PREFERRED_OFF:
		return _("You turned off {0}, the channel you chose: choose another one or keep it on.").format(
			_(channel)
		)
	if channel == rules.WECHAT and not doc.get("wechat_openid"):
		return _("Bind your WeChat first (Messages by WeChat), then choose it.")
	if channel == rules.EMAIL and not doc.email:
		return _("Enter your email address first, then choose email.")
	return _("{0} messages are not available yet.").format(_(channel))


def how_told(doc) -> dict:
	"""How the message service tells the resident now, in words (the page's first card): `now` for their
	messages, `visit` when a technician's visit to their home comes another way (every channel off)."""
	channel, why, addresses = service.channel_for(doc)
	visit, _why, _addresses = service.channel_for(doc, rules.VISIT_STEPS[0])
	if channel == rules.WECHAT:
		now = _("Messages about your cases come by {0}.").format(_(channel))
	elif channel:
		now = _("Messages about your cases come by {0} to {1}.").format(_(channel), addresses[channel])
	elif why == rules.OPTED_OUT:
		now = _("Calls only: you turned off every message. The office phones you about your cases.")
	else:
		now = _("No message can reach you now: the office phones you about your cases.")
	visit_words = ""
	if visit != channel and visit == rules.SMS:
		visit_words = _(
			"A technician's visit to your home still comes by SMS to {0}, so that you are at home."
		).format(addresses[rules.SMS])
	return {"channel": channel, "now": now, "visit": visit_words}


# -- receipts (R39) -------------------------------------------------------------------------------------------


def resident_customers(user: str | None = None) -> list[str]:
	"""The ERPNext Customers of the Resident records whose portal user is `user`."""
	user = user or frappe.session.user
	if user in ("Guest", None):
		return []
	return frappe.get_all(
		RESIDENT, filters={"user": user, "customer": ("is", "set")}, pluck="customer", distinct=True
	)


def my_receipts() -> list[dict]:
	"""The resident's submitted payments, newest first: each is a receipt (收据)."""
	customers = resident_customers()
	if not customers:
		return []
	return frappe.get_all(
		"Payment Entry",
		filters={
			"party_type": "Customer",
			"party": ("in", customers),
			"payment_type": "Receive",
			"docstatus": 1,
		},
		fields=[
			"name",
			"posting_date",
			"paid_amount",
			"paid_from_account_currency as currency",
			"mode_of_payment",
		],
		order_by="posting_date desc, creation desc",
		limit_page_length=100,
		ignore_permissions=True,
	)


@frappe.whitelist(methods=["GET"])
def receipt(name: str):
	"""The receipt of one of the resident's own payments, as the PDF of the 收据 print format; another
	resident's, or any other payment, is refused like a missing one."""
	require_login()
	if not isinstance(name, str) or name not in {row.name for row in my_receipts()}:
		frappe.throw(_("You can see only the receipts of your own payments."), frappe.PermissionError)
	from frappe.utils.pdf import get_pdf

	body = frappe.render_template(
		"property_helpdesk/templates/print/receipt.html", {"doc": frappe.get_doc("Payment Entry", name)}
	)
	html = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
	frappe.local.response.filename = f"{name}.pdf"
	frappe.local.response.filecontent = get_pdf(html)
	frappe.local.response.type = "pdf"


@frappe.whitelist(methods=["GET"])
@frappe.read_only()
def fee_schedule() -> list[dict]:
	"""R11, R39: the published prices, before a resident asks for a paid service."""
	require_login()
	from property_helpdesk.services.billing import fee_schedule as schedule

	return schedule()


@frappe.whitelist(methods=["POST"])
def register(
	property: str, building: str, unit_no: str, applicant_name: str, phone: str, relation: str
) -> dict:
	"""Self sign-up: a signed-in user asks to be linked to a unit; staff confirm it against the unit's owner
	record (Portal Registration)."""
	require_login()
	check_csrf()
	throttle("register")
	unit = frappe.db.get_value(
		UNIT,
		{"property": property, "building": (building or "").strip(), "unit_no": (unit_no or "").strip()},
		"name",
	)
	if not unit:
		frappe.throw(
			_("No such unit: check the property, building and unit number."), title=_("Invalid Input")
		)
	if frappe.db.exists(
		"Portal Registration", {"user": frappe.session.user, "unit": unit, "status": "Pending"}
	):
		frappe.throw(
			_("Your request for this unit is already waiting for the office."), title=_("Already Sent")
		)
	doc = frappe.get_doc(
		{
			"doctype": "Portal Registration",
			"user": frappe.session.user,
			"unit": unit,
			"relation": relation,
			"applicant_name": applicant_name,
			"phone": phone,
		}
	).insert(ignore_permissions=True)
	return {"name": doc.name}
