"""派工 (R10, R15): a repair case produces its work order at acceptance and the maintenance team hears of it at
once. The work order's row records its dispatch time (the arrival clock starts there); the R15 clock stops only
when the team has been told: the worker that makes the assignment stamps `team_told_at`, and until then the
dispatch deadline stays open and escalates."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from property_helpdesk.constants import (
	CANCELLED,
	CASE,
	CLOSED_STATES,
	DISPATCHED,
	IN_PROGRESS,
	SERVICE_REQUEST,
	SERVICE_TYPED_CASES,
	SETTINGS,
	WORK_ORDER,
)
from property_helpdesk.procedure import rework as R
from property_helpdesk.property_helpdesk.doctype.paid_service_type.paid_service_type import is_repair, team
from property_helpdesk.roles import POST_OF_LEVEL, area_administrators, company_post_people, property_post
from property_helpdesk.services import clocks, jobs, notify

NOTIFY_JOB = "property_helpdesk.services.dispatch.notify_maintenance_job"
RECOVERY_JOB = "property_helpdesk.services.dispatch.tell_untold_teams"
RECOVERY_BATCH = 200  # work orders given to their team per run of the recovery job; the rest wait a minute

# The work order's fields fetched from its case (`fetch_from` in its DocType)
FETCHED_FROM_CASE = ("unit", "property", "subject", "contact_name", "contact_phone", "common_area")
# Who hears of a work order when the property names no maintenance supervisor: up the ladder of R4.
FALLBACK_LEVELS = ("Office Director", "CS Manager", "General Manager")


def active_work_order(ticket_name: str, for_update: bool = False) -> str | None:
	"""The case's work order that is not cancelled. `for_update` makes it a locking read, which sees the
	latest committed rows whatever snapshot the transaction started with."""
	return frappe.db.get_value(
		WORK_ORDER,
		{"service_ticket": ticket_name, "status": ("!=", CANCELLED)},
		"name",
		for_update=for_update,
	)


def intake_appointment(ticket, at_intake: bool):
	"""R20: the time agreed with the caller when the case was taken. At intake it goes to the work order as it is
	(a time in the past is refused there); a case dispatched later whose agreed time has passed is booked anew on
	its work order."""
	agreed = ticket.get("appointment_at")
	if not agreed or at_intake or get_datetime(agreed) > now_datetime():
		return agreed
	return None


def dispatch(ticket_name: str, dispatched_at=None, new_case=None) -> str:
	"""Make the case's work order unless it has one; safe when two people dispatch at once.

	The case row is locked first (SELECT … FOR UPDATE), so a second dispatch waits for the first to commit;
	the work-order check is a locking read too, so it sees that commit even when the transaction's snapshot
	was taken earlier (an agent who had the case open before pressing dispatch).

	`new_case` is the case being inserted (its `after_insert`): nobody else can see it yet, so there is nothing
	to lock, and the work order takes its values from it rather than fetching them and checking the links
	again. The work order's own save refreshes the case's clocks.
	"""
	if new_case is None:
		clocks.lock_case_of(case=ticket_name)
		existing = active_work_order(ticket_name, for_update=True)
		if existing:
			return existing
	ticket = new_case or frappe.get_doc(CASE, ticket_name)
	work_order = frappe.get_doc(
		{
			"doctype": WORK_ORDER,
			"service_ticket": ticket.name,
			"is_emergency": ticket.is_emergency,
			"paid_service": ticket.paid_service,
			"dispatched_at": dispatched_at or now_datetime(),
			# R20: the visit's time agreed with the caller at intake (the work order's own rule checks it)
			"appointment_at": intake_appointment(ticket, new_case is not None),
			"proposed_rework_of": proposed_rework(ticket),  # R30: found, for the supervisor to confirm
		}
	)
	if new_case is not None:
		# the case's values, just validated as links by its own save: copied rather than fetched and checked
		work_order.update({field: new_case.get(field) for field in FETCHED_FROM_CASE})
		work_order.flags.ignore_links = True
	work_order.insert(ignore_permissions=True)
	# R15: the team hears of it at once, from a background job started as this transaction commits (finding
	# whom to tell, the assignment, its notification and mail are the slowest part of taking a call; a save
	# that fails tells nobody; tests run it in line)
	jobs.enqueue_after_commit(
		NOTIFY_JOB,
		recovered_by=RECOVERY_JOB,
		work_order=work_order.name,
		now=frappe.flags.in_test,
	)
	return work_order.name


def reopen_as_rework(work_order: str, visit: str) -> str | None:
	"""R24, R30: a dissatisfied return visit reopens the job as rework: a new work order on the case redoing the
	visited one (its `rework_of`), dispatched now and given to the team as any job (the worker tells them), the
	case reopened if it was resolved or closed (`reopen_case`), and the maintenance supervisor and the office
	director told of the dissatisfaction. Once per job: a second dissatisfied visit finds the rework made.
	Returns the rework's name."""
	done = frappe.db.get_value(
		WORK_ORDER,
		work_order,
		["name", "service_ticket", "is_emergency", "paid_service", "property", "unit", "subject"],
		as_dict=True,
	)
	if not done:
		return None
	frappe.db.get_value(CASE, done.service_ticket, "name", for_update=True)
	existing = frappe.db.get_value(WORK_ORDER, {"rework_of": done.name, "status": ("!=", CANCELLED)})
	if existing:
		return existing
	rework = frappe.get_doc(
		{
			"doctype": WORK_ORDER,
			"service_ticket": done.service_ticket,
			"is_emergency": done.is_emergency,
			"paid_service": done.paid_service,
			"dispatched_at": now_datetime(),
			"rework_of": done.name,
		}
	)
	rework.insert(ignore_permissions=True)
	jobs.enqueue_after_commit(
		NOTIFY_JOB,
		recovered_by=RECOVERY_JOB,
		work_order=rework.name,
		now=frappe.flags.in_test,
	)
	reopen_case(done.service_ticket, visit, done.name, rework.name)
	people = {*maintenance_supervisors(done.property), *property_post(done.property, "office_director")}
	languages = notify.languages(people)
	notify.tell(
		[
			notify.Message(
				user=user,
				subject=_(
					"The resident was dissatisfied at return visit {0}: job {1} is redone as rework {2}.",
					lang=lang,
				).format(visit, done.name, rework.name),
				doctype=WORK_ORDER,
				name=rework.name,
			)
			for user, lang in languages.items()
		]
	)
	return rework.name


def reopen_case(ticket: str, visit: str, job: str, rework: str) -> None:
	"""R24: a case whose job is redone is not finished: a resolved or closed case goes back to In Progress (R29
	counts the reopening, `count_reopen`), and its timeline says why. The procedure's own step, whoever made
	the visit: saved without their write right on the case."""
	case = frappe.get_doc(CASE, ticket)
	if case.status not in CLOSED_STATES:
		return
	case.status = IN_PROGRESS
	case.save(ignore_permissions=True)
	case.add_comment(
		"Info",
		_(
			"Reopened: the resident was dissatisfied at return visit {0}, and job {1} is redone as rework {2}."
		).format(visit, job, rework),
	)


def proposed_rework(ticket) -> str | None:
	"""R30: the completed job on the case's unit and component within the window of Settings before the call,
	which this case proposes to redo (procedure/rework.py). The query walks the (unit, completed_at) index."""
	days = frappe.get_cached_doc(SETTINGS).get("rework_window_days")
	about = R.component(ticket.get("warranty_rule"), ticket.get("subject"))
	if not about or not days or not ticket.get("unit"):
		return None
	called = get_datetime(ticket.call_started_at)
	w, t = frappe.qb.DocType(WORK_ORDER), frappe.qb.DocType(CASE)
	rows = (
		frappe.qb.from_(w)
		.join(t)
		.on(w.service_ticket == t.name)
		.select(w.name, t.warranty_rule, t.subject, w.completed_at)
		.where(
			(w.completed_at >= called - timedelta(days=days))
			& (w.completed_at <= called)
			& (w.unit == ticket.unit)
			& (w.status != CANCELLED)
			& (t.name != ticket.name)
		)
		.run(as_dict=True)
	)
	jobs = [
		R.CompletedJob(r.name, R.component(r.warranty_rule, r.subject), get_datetime(r.completed_at))
		for r in rows
	]
	return R.proposed_rework(called, about, jobs, days)


# What telling the team needs of a work order and its case: read in one query by the work order's primary key
# rather than loading both documents (and their child tables) in the worker (benchmarks/intake.py).
TOLD_FIELDS = ("name", "service_ticket", "unit", "subject", "proposed_rework_of", "rework_of", "common_area")
# what of the case decides who is told (R15, R11)
TOLD_CASE_FIELDS = ("property", "is_emergency", "service_type")


def notify_maintenance_job(work_order: str) -> None:
	"""The background job that tells the work order's team (R15), once: the work order's row is locked first
	(after its case's, `clocks.lock_case_of`), so this job and the recovery job (`tell_untold_teams`) run one
	after the other, and the second finds the team told."""
	clocks.lock_case_of(work_order)
	if frappe.db.get_value(WORK_ORDER, work_order, "team_told_at", for_update=True):
		return
	w, t = frappe.qb.DocType(WORK_ORDER), frappe.qb.DocType(CASE)
	rows = (
		frappe.qb.from_(w)
		.join(t)
		.on(t.name == w.service_ticket)
		.select(*(w[field] for field in TOLD_FIELDS), *(t[field] for field in TOLD_CASE_FIELDS))
		.where(w.name == work_order)
	).run(as_dict=True)
	if not rows:  # the work order is gone, or its case
		raise frappe.DoesNotExistError(WORK_ORDER, work_order)
	row = rows[0]
	notify_maintenance(
		frappe._dict({field: row[field] for field in TOLD_FIELDS}),
		frappe._dict({field: row[field] for field in TOLD_CASE_FIELDS}),
	)


def job_description(work_order) -> str:
	place = work_order.get("common_area") or work_order.unit  # issue 14: a lift's job names the lift
	text = _("Work order {0} for {1}: {2}").format(work_order.name, place, work_order.subject)
	if work_order.get("proposed_rework_of") and not work_order.get("rework_of"):
		# R30: the supervisor sees the proposal with the job and confirms it
		text += " " + _("Possibly a rework of {0}: confirm it on the work order.").format(
			work_order.proposed_rework_of
		)
	return text


def maintenance_supervisors(property_name: str | None) -> list[str]:
	"""The property's maintenance supervisor, else every active holder of the role who works for the property
	(R4: 工程维修组主管; never one of them picked)."""
	return property_post(property_name, "maintenance_supervisor")


def fallback_recipients(property_name: str | None) -> tuple[list[str], str | None]:
	"""R15 with nobody of the team to tell: the next level up the ladder who exists (the property's office
	director, else every holder of the role for the property, then the CS manager, then the general manager,
	each as named or else every holder). Returns the people and their level."""
	director = property_post(property_name, "office_director")
	if director:
		return director, "Office Director"
	for level in FALLBACK_LEVELS[1:]:
		users = company_post_people(POST_OF_LEVEL[level], property_name=property_name)[POST_OF_LEVEL[level]]
		if users:
			return users, level
	return [], None


def job_team(ticket) -> tuple[list[str], str | None]:
	"""Who gets the work order (R15, R11): a paid service of a type that is no repair goes to that type's team;
	every other job to the property's maintenance supervisor. Returns the people and, when nobody of the team
	exists, the level of the ladder that stands in (`fallback_recipients`)."""
	users = (
		maintenance_supervisors(ticket.property)
		if is_repair(ticket.get("service_type"))
		else team(ticket.service_type, ticket.property)
	)
	if users:
		return users, None
	return fallback_recipients(ticket.property)


def notify_maintenance(work_order, ticket) -> None:
	"""R15: the maintenance supervisor gets the work order with Frappe's own assignment (ToDo, system
	notification, email), through the notification service; a paid service of another type goes to its team
	instead (R11). This runs in the job started after the commit, so the assignment is made here and now.
	Where the property names nobody every holder of the role for it is assigned; without anyone of the team,
	the next level of the ladder gets it, and the work order says so. `work_order`: its TOLD_FIELDS; `ticket`:
	the case's TOLD_CASE_FIELDS."""
	users, level = job_team(ticket)
	if level or not users:
		if not users:
			comment = _("No maintenance supervisor is named and nobody up the ladder could be told.")
		elif is_repair(ticket.get("service_type")):
			comment = _("No maintenance supervisor is named: the work order went to {0} ({1}).").format(
				", ".join(users), _(level)
			)
		else:
			comment = _("Nobody of the {0} team exists: the work order went to {1} ({2}).").format(
				ticket.service_type, ", ".join(users), _(level)
			)
		if not frappe.db.exists(
			"Comment",
			{"reference_doctype": WORK_ORDER, "reference_name": work_order.name, "content": comment},
		):  # said once, however many times the job runs (tell_untold_teams runs it again each minute)
			frappe.get_doc(WORK_ORDER, work_order.name).add_comment("Info", comment)
		if not users:
			return
	for user in users:
		notify.assign_now(
			WORK_ORDER,
			work_order.name,
			user,
			job_description(work_order),
			priority="High" if ticket.is_emergency else "Medium",
		)
	team_told(work_order)


def tell_untold_teams() -> None:
	"""Scheduled every minute (R15, issue 15): the work orders of the last day still waiting for their team
	whose team was never told — their job not queued while Redis was down, or lost with a worker killed in it —
	are given to the team now. The work order's row in the database is what brings the job back; the lock in
	`notify_maintenance_job` makes a job running at the same time tell nobody twice. Selects only those (the
	team_told_at, dispatched_at index)."""
	w, t = frappe.qb.DocType(WORK_ORDER), frappe.qb.DocType(CASE)
	now = now_datetime()
	untold = (
		frappe.qb.from_(w)
		.join(t)
		.on(t.name == w.service_ticket)
		.select(w.name)
		.where(
			w.team_told_at.isnull()
			& (w.dispatched_at >= now - timedelta(days=1))
			& (w.dispatched_at <= now)
			& (w.status == DISPATCHED)
		)
		.orderby(w.dispatched_at)
		.limit(RECOVERY_BATCH)
	).run(pluck=True)
	for name in untold:
		try:
			notify_maintenance_job(name)
		except Exception:
			frappe.db.rollback()  # this work order only: the others are still told
			frappe.log_error(
				title=_("Telling the team of {0} failed").format(name),
				reference_doctype=WORK_ORDER,
				reference_name=name,
			)
		# each work order's team told for good, as its own job would have committed it
		frappe.db.commit()


def route_service(case) -> None:
	"""R11: a paid service (or service request) of a type that is no repair is negotiated and followed up by the
	property's area administrators (else its office director): they are assigned the case. A service request
	has no work order, so the type's team is assigned the case too; a paid service's team gets its work order
	(`notify_maintenance`). Assigned as the case commits (`notify.assign`)."""
	if case.ticket_type not in SERVICE_TYPED_CASES or is_repair(case.service_type):
		return
	admins = area_administrators(case.property) or property_post(case.property, "office_director")
	for user in admins:
		notify.assign(
			case.doctype,
			case.name,
			user,
			_("Paid service ({0}): agree the fee with the resident and follow it up: {1}").format(
				case.service_type, case.subject
			),
		)
	if case.ticket_type == SERVICE_REQUEST:
		users, _level = job_team(case)
		for user in users:
			notify.assign(
				case.doctype,
				case.name,
				user,
				_("Service request ({0}) for {1}: {2}").format(case.service_type, case.unit, case.subject),
			)


def reroute_service(case) -> None:
	"""R11: the service type judged after the case was taken (a portal report the acceptor finds is a cleaning
	job, not a repair) sends its work orders not yet begun to the new type's team: the old team's open
	assignments are closed, the new team assigned and the work order says so; the area administrators follow
	the new paid service up (`route_service`). A begun job keeps its team: the case refuses the change
	(`check_service_type_change`)."""
	old_type = (case.get_doc_before_save() or frappe._dict()).get("service_type")
	if old_type == case.service_type:
		return
	old_team, _level = job_team(frappe._dict(property=case.property, service_type=old_type))
	new_team, _new_level = job_team(case)
	for name in frappe.get_all(
		WORK_ORDER,
		{"service_ticket": case.name, "status": "Dispatched", "arrived_at": ("is", "not set")},
		pluck="name",
	):
		for user in set(old_team) - set(new_team):
			notify.unassign(WORK_ORDER, name, user)
		work_order = frappe._dict(frappe.db.get_value(WORK_ORDER, name, TOLD_FIELDS, as_dict=True))
		for user in new_team:
			notify.assign(
				WORK_ORDER,
				name,
				user,
				job_description(work_order),
				priority="High" if case.is_emergency else "Medium",
			)
		frappe.get_doc(WORK_ORDER, name).add_comment(
			"Info",
			_("The service type changed from {0} to {1}: the work order went to {2}.").format(
				old_type or _("Repair"), case.service_type, ", ".join(new_team) or _("nobody")
			),
		)
	route_service(case)


def check_service_type_change(case) -> None:
	"""R11: once a technician is on the job, or it is done, the service type (which team, what is billed) stays
	as it was when the job began."""
	if case.is_new() or not case.has_value_changed("service_type"):
		return
	if frappe.db.exists(
		WORK_ORDER,
		{"service_ticket": case.name, "status": ("!=", "Cancelled"), "arrived_at": ("is", "set")},
	):
		frappe.throw(
			_("The job has begun: its service type can no longer change."),
			title=_("Service Type Fixed"),
		)


def team_told(work_order) -> None:
	"""R15: the team has its assignment and notification: stamp the moment (the server's, once: a job run again
	keeps the first) and refresh the case's clocks, which the stamp stops. Run by `notify_maintenance_job`, which
	holds the case's row and then the work order's (the lock order of `clocks.lock_case_of`)."""
	if frappe.db.get_value(WORK_ORDER, work_order.name, "team_told_at", for_update=True):
		return
	work_order.team_told_at = now_datetime()
	frappe.db.set_value(
		WORK_ORDER, work_order.name, "team_told_at", work_order.team_told_at, update_modified=False
	)
	clocks.refresh(work_order.service_ticket)


def assign_technician(work_order, previous: str | None) -> None:
	"""R15: the technician named on a work order gets it with Frappe's assignment (a ToDo on their list); a
	technician replaced loses it."""
	if previous and previous != work_order.technician:
		notify.unassign(WORK_ORDER, work_order.name, previous)
	if work_order.technician:
		notify.assign(
			WORK_ORDER,
			work_order.name,
			work_order.technician,
			job_description(work_order),
			priority="High" if work_order.is_emergency else "Medium",
		)
