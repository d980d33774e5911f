"""The technician's phone (工程维修组, R20–R22, R35, R36): the server side of /my_jobs.

Technicians and their supervisor are staff, but the phone does not lean on DocType permissions: every function
here checks itself who is asking. A technician acts on the jobs that name them; a maintenance supervisor on the
jobs of the properties that name them. Any other job is answered exactly like one that does not exist
(PermissionError, HTTP 403), so nothing can be learnt by guessing names.
"""

import frappe
from frappe import _
from frappe.utils import cint, flt, get_datetime, getdate, now_datetime

from property_helpdesk.constants import (
	CASE,
	CLASS_CHANGE_PENDING,
	COMPLETED,
	DISPATCHED,
	JOB_CLASS_CHANGE,
	ON_SITE,
	PROPERTY,
	TECHNICIAN,
	WORK_ORDER,
)
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure import job_class as J


def supervised_properties(user: str | None = None) -> list[str]:
	"""The properties whose maintenance supervisor is `user`."""
	user = user or frappe.session.user
	if user in (None, "Guest"):
		return []
	return frappe.get_all(PROPERTY, filters={"maintenance_supervisor": user}, pluck="name")


def require_login():
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your jobs."), frappe.PermissionError)


def job_for(name: str, for_update: bool = False):
	"""The work order, if the signed-in user may act on it (its technician, or the supervisor of its property);
	otherwise 403, as for a name that does not exist. `for_update` locks its row for the rest of the request."""
	require_login()
	doc = None
	if isinstance(name, str) and name and frappe.db.exists(WORK_ORDER, name):
		doc = frappe.get_doc(WORK_ORDER, name, for_update=for_update)
	if doc is None or not doc.may_take_steps():
		frappe.throw(_("You can see only your own jobs."), frappe.PermissionError)
	return doc


# -- reading ----------------------------------------------------------------------------------------------

JOB_FIELDS = (
	"name",
	"subject",
	"unit",
	"common_area",  # issue 14: a job at a lift names the lift
	"property",
	"contact_name",
	"contact_phone",
	"status",
	"technician",
	"appointment_at",
	"kpi_due_at",
	"dispatched_at",
	"accepted_at",
	"arrived_at",
	"started_at",
	"completed_at",
	"service_ticket",
)
MAX_JOBS = 200


def is_supervisor(user: str | None = None) -> bool:
	return bool(supervised_properties(user))


def my_jobs(team: bool = False) -> list[dict]:
	"""Today's and open work orders: the signed-in technician's own, or with `team` the jobs of the properties
	the user supervises. Soonest deadline first (jobs without one last); each with the time left on its clock
	and whether it is late. Open = dispatched or on site; today's = also those completed today."""
	require_login()
	wo = frappe.qb.DocType(WORK_ORDER)
	if team:
		properties = supervised_properties()
		if not properties:
			return []
		who = wo.property.isin(properties)
	else:
		who = wo.technician == frappe.session.user
	today = getdate()
	rows = (
		frappe.qb.from_(wo)
		.select(*JOB_FIELDS)
		.where(who)
		.where(
			wo.status.isin((DISPATCHED, ON_SITE))
			| ((wo.status == COMPLETED) & (wo.completed_at >= get_datetime(today)))
		)
		.orderby(wo.kpi_due_at.isnull())
		.orderby(wo.kpi_due_at)
		.orderby(wo.creation)
		.limit(MAX_JOBS)
	).run(as_dict=True)
	now = now_datetime()
	for row in rows:
		row.minutes_left = (
			int((get_datetime(row.kpi_due_at) - now).total_seconds() // 60) if row.kpi_due_at else None
		)
		row.late = row.status != COMPLETED and row.minutes_left is not None and row.minutes_left < 0
		row.technician_name = frappe.utils.get_fullname(row.technician) if row.technician else ""
	return rows


def time_left(minutes: int | None) -> str:
	"""The time left on a job's clock in words, negative when late."""
	if minutes is None:
		return ""
	hours, rest = divmod(abs(minutes), 60)
	text = _("{0} h {1} min").format(hours, rest) if hours else _("{0} min").format(rest)
	return _("{0} late").format(text) if minutes < 0 else _("{0} left").format(text)


def next_step(doc) -> str | None:
	if doc.status not in (DISPATCHED, ON_SITE):
		return None
	return next((step for step, field in doc.STEPS.items() if not doc.get(field)), None)


def job_photos(work_order: str, stage: str) -> list[str]:
	"""The File names of the job's photos of `stage` (before / after), in the order taken."""
	return frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": WORK_ORDER,
			"attached_to_name": work_order,
			"attached_to_field": PHOTO_FIELDS[stage],
		},
		pluck="name",
		order_by="creation asc, name asc",
	)


@frappe.whitelist(methods=["GET"])
@frappe.read_only()  # a list, from the replica where there is one (api/portal.py list_cases); the job, the primary
def list_jobs(team: bool = False) -> list[dict]:
	return my_jobs(team=bool(team))


@frappe.whitelist(methods=["GET"])
def photo(work_order: str, stage: str = "case", n: int = 0):
	"""The n-th photo of the job: the resident's (`case`), or the technician's `before` / `after`; to the job's
	technician and supervisor only."""
	from property_helpdesk.api.portal import case_photos, serve_photo

	doc = job_for(work_order)
	if stage == "case":
		photos = case_photos(doc.service_ticket)
	elif stage in PHOTO_FIELDS:
		photos = job_photos(doc.name, stage)
	else:
		raise frappe.DoesNotExistError
	serve_photo(photos, n)


# -- the technician's evidence ------------------------------------------------------------------------------

PHOTO_FIELDS = {"before": "photo_before", "after": "photo_after"}
MAX_JOB_PHOTOS = 10  # of each stage


@frappe.whitelist(methods=["POST"])
def add_photos(work_order: str, stage: str) -> dict:
	"""Photos before / after the work, from the phone's camera (multipart field `photo`, repeated): each checked
	to be a picture as the resident portal checks it, stored as a private File attached to the work order with
	its stage."""
	from property_helpdesk.api.portal import PHOTO_TYPES, check_csrf, photo_uploads

	doc = job_for(work_order)
	check_csrf()
	if stage not in PHOTO_FIELDS:
		frappe.throw(_("Choose before or after."), title=_("Invalid Input"))
	photos = photo_uploads()
	if not photos:
		frappe.throw(_("Take a photo first."), title=_("Invalid Input"))
	have = len(job_photos(doc.name, stage))
	if have + len(photos) > MAX_JOB_PHOTOS:
		frappe.throw(_("At most {0} photos.").format(MAX_JOB_PHOTOS), title=_("Invalid Input"))
	for n, picture in enumerate(photos, have + 1):
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{doc.name}-{stage}-{n}{PHOTO_TYPES[picture.mimetype]}",
				"content": picture.content,
				"attached_to_doctype": WORK_ORDER,
				"attached_to_name": doc.name,
				"attached_to_field": PHOTO_FIELDS[stage],
				"is_private": 1,
			}
		).insert(ignore_permissions=True)
	return {"stage": stage, "count": have + len(photos)}


@frappe.whitelist(methods=["POST"])
def save_work_done(work_order: str, work_done: str) -> dict:
	"""What was done, in the technician's words."""
	from property_helpdesk.api.portal import check_csrf

	doc = job_for(work_order, for_update=True)
	check_csrf()
	if len(work_done or "") > 2000:
		frappe.throw(_("At most 2000 characters."), title=_("Invalid Input"))
	doc.work_done = (work_done or "").strip()
	doc.save(ignore_permissions=True)
	return {"work_done": doc.work_done}


@frappe.whitelist(methods=["POST"])
def resident_confirms(work_order: str, quality: int, timeliness: int, attitude: int, signature: str) -> dict:
	"""R36 on the technician's phone: the resident, there when the job is done, rates quality, timeliness and
	attitude (1–5) and signs on the screen; the same record as the resident's own portal confirmation."""
	from property_helpdesk.api.portal import check_csrf, record_confirmation

	doc = job_for(work_order, for_update=True)
	check_csrf()
	record_confirmation(doc, quality, timeliness, attitude, signature)
	doc.save(ignore_permissions=True)
	return {"confirmed_at": str(doc.confirmed_at)}


# -- materials and labour from the fee schedule (R11, R39) ---------------------------------------------------


@frappe.whitelist(methods=["POST"])
def add_item(work_order: str, item_code: str, qty: float, item_type: str = "Material") -> dict:
	"""A line of the fee schedule on the job, at its published price (the work order's own save prices it and
	checks the price, services/billing.py)."""
	from property_helpdesk.api.portal import check_csrf
	from property_helpdesk.services.billing import fee_schedule

	doc = job_for(work_order, for_update=True)
	check_csrf()
	prices = {row.item_code: row for row in fee_schedule()}
	if item_code not in prices:
		frappe.throw(_("Choose an item of the fee schedule."), title=_("Invalid Input"))
	if item_type not in ("Material", "Labour"):
		frappe.throw(_("Choose material or labour."), title=_("Invalid Input"))
	if not 0 < flt(qty) <= 1000:
		frappe.throw(_("The quantity must be more than 0."), title=_("Invalid Input"))
	doc.append(
		"items",
		{
			"item_type": item_type,
			"item_code": item_code,
			"item_name": prices[item_code].item_name or item_code,
			"qty": flt(qty),
		},
	)
	doc.save(ignore_permissions=True)
	return {"total_amount": doc.total_amount, "lines": len(doc.items)}


# -- the supervisor's board: reassign with one tap -------------------------------------------------------------


def team_technicians() -> list[dict]:
	"""The enabled holders of the technician role, to reassign to."""
	users = frappe.get_all(
		"Has Role", filters={"role": TECHNICIAN, "parenttype": "User"}, pluck="parent", distinct=True
	)
	return frappe.get_all(
		"User",
		filters={"name": ("in", users or [""]), "enabled": 1},
		fields=["name", "full_name"],
		order_by="full_name asc",
	)


@frappe.whitelist(methods=["POST"])
def reassign(work_order: str, technician: str) -> dict:
	"""The property's maintenance supervisor gives the job to another technician: the work order's technician
	field, whose save moves the assignment (services/dispatch.assign_technician)."""
	from property_helpdesk.api.portal import check_csrf

	doc = job_for(work_order, for_update=True)
	check_csrf()
	if doc.property not in supervised_properties():
		frappe.throw(_("Only the maintenance supervisor reassigns a job."), frappe.PermissionError)
	if technician not in {row.name for row in team_technicians()}:
		frappe.throw(_("Choose a technician."), title=_("Invalid Input"))
	if doc.status not in (DISPATCHED, ON_SITE):
		frappe.throw(_("Only an open job can be reassigned."), title=_("Invalid Input"))
	doc.technician = technician
	doc.save(ignore_permissions=True)
	return {"technician": doc.technician}


# -- needs more time: a major job asks the supervisor, a wait pauses the clocks (R22, R37) --------------------

# The waits the phone offers, each a pause reason of the list with its longest pause in Settings (R37).
PHONE_PAUSES = (K.PARTS_PAUSE, K.NOT_HOME_PAUSE)


@frappe.whitelist(methods=["POST"])
def ask_major(work_order: str, major_reason: str, reason: str, expected_completion: str) -> dict:
	"""R22 from the phone: the job is major, for `major_reason` (major repair, external specialist, parts from
	elsewhere), with the technician's words and the expected completion date. The class is fixed at dispatch,
	so this is a Job Class Change request: the property's maintenance supervisor is assigned it to approve."""
	from property_helpdesk.api.portal import check_csrf

	doc = job_for(work_order, for_update=True)
	check_csrf()
	if major_reason not in J.MAJOR_REASONS:
		frappe.throw(_("Say why the job is major."), title=_("Invalid Input"))
	try:
		expected = getdate(expected_completion) if expected_completion else None
	except Exception:
		expected = None
	if expected is None:
		frappe.throw(_("A major job needs its expected completion date."), title=_("Invalid Input"))
	change = frappe.get_doc(
		{
			"doctype": JOB_CLASS_CHANGE,
			"work_order": doc.name,
			"to_class": K.MAJOR,
			"major_reason": major_reason,
			"expected_completion": expected,
			"reason": reason,
		}
	)
	# the job's technician or supervisor (checked above) asks; the request's own checks run in its controller
	change.insert(ignore_permissions=True)
	return {"name": change.name, "approver": change.approver, "state": change.workflow_state}


@frappe.whitelist(methods=["POST"])
def pause_job(work_order: str, reason: str) -> dict:
	"""R37 from the phone: parts on order, or the resident not home: the case's clocks pause for that reason,
	at most its limit in Settings, and not when a deadline is already past (the case's own pause, which the
	supervisor's board and the KPI reports show)."""
	from property_helpdesk.api.portal import check_csrf

	doc = job_for(work_order, for_update=True)
	check_csrf()
	if reason not in PHONE_PAUSES:
		frappe.throw(_("Choose parts on order or resident not home."), title=_("Invalid Input"))
	if doc.status not in (DISPATCHED, ON_SITE):
		frappe.throw(_("Only an open job can wait."), title=_("Invalid Input"))
	case = frappe.get_doc(CASE, doc.service_ticket)
	# the technician does not write cases: the job's technician or supervisor was checked above
	case.flags.ignore_permissions = True
	case.pause_clocks(reason)
	return {"reason": reason, "paused_since": str(case.paused_since), "paused_until": str(case.paused_until)}


def waiting(jobs: list[dict]) -> list[dict]:
	"""Each job with what it waits for: the pause under way on its case (reason, until when) and a class change
	waiting for the supervisor (to which class, why)."""
	cases = [j.service_ticket for j in jobs if j.get("service_ticket")]
	names = [j.name for j in jobs]
	paused = {}
	if cases:
		# the pause under way: the case's open Clock Pause row while the case is paused (one query, both tables)
		p, t = frappe.qb.DocType("Clock Pause"), frappe.qb.DocType(CASE)
		rows = (
			frappe.qb.from_(p)
			.join(t)
			.on((t.name == p.parent) & (p.parenttype == CASE))
			.select(p.parent, p.reason, p.ends_at)
			.where(t.name.isin(cases) & t.paused_since.isnotnull() & p.resumed_at.isnull())
			.orderby(p.idx)
		).run(as_dict=True)
		paused = {row.parent: row for row in rows}
	changes = {}
	if names:
		for row in frappe.get_all(
			JOB_CLASS_CHANGE,
			filters={"work_order": ("in", names), "workflow_state": CLASS_CHANGE_PENDING, "docstatus": 0},
			fields=["name", "work_order", "to_class", "reason", "requested_by", "approver"],
		):
			changes[row.work_order] = row
	for job in jobs:
		job.pause = paused.get(job.get("service_ticket"))
		job.class_change = changes.get(job.name)
	return jobs
