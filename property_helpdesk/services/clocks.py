"""Each open case carries its deadlines and one indexed `next_escalation_at` (R15, R20–R24).

`refresh(ticket)` reads the case, its current work order and its return visit, asks the pure rules in
`procedure.clocks` for the deadlines, and stores them with the moment the escalation job next has work for the
case. Every change that can move a clock (the case, its work order, a return visit, a pause) calls it.
"""

import json

import frappe
from frappe.utils import get_datetime

from property_helpdesk.constants import (
	ANSWER_TYPES,
	CANCELLED,
	CASE,
	CLOSED_STATES,
	RETURN_VISIT,
	SETTINGS,
	WORK_ORDER,
	WORK_ORDER_TYPES,
)
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure.job_class import kpi_class

PAUSE_ROW = "Clock Pause"

DEADLINE_FIELDS = {
	K.DISPATCH: "dispatch_deadline",
	K.ARRIVAL: "arrival_deadline",
	K.COMPLETION: "completion_deadline",
	K.EXPLANATION: "explanation_deadline",
	K.ANSWER: "answer_deadline",
	K.WORK_ORDER_RETURN: "work_order_return_deadline",
	K.RETURN_VISIT: "return_visit_deadline",
}
# The ladder the procedure describes (R4), used only to seed Settings on install (setup/install.py); the job
# reads the ladder from Settings and nothing else.
DEFAULT_LADDER = (
	("Follow-up Owner", 0),
	("Maintenance Supervisor", 30),
	("Office Director", 60),
	("CS Manager", 120),
	("General Manager", 240),
)
# R37: the longest pause per reason, in hours, used only to seed Settings (Pause Limits) on install and migrate
# while the table is empty; the clocks read the limits from Settings and nothing else.
DEFAULT_PAUSE_LIMITS = (
	(K.APPOINTMENT_PAUSE, 72),
	(K.PARTS_PAUSE, 168),
	(K.NOT_HOME_PAUSE, 24),
	(K.WEATHER_PAUSE, 24),
	(K.OTHER_PAUSE, 4),
)


def get_pause_limits() -> dict[str, float]:
	"""R37: the longest pause of each reason in Settings, in minutes."""
	rows = frappe.get_cached_doc(SETTINGS).pause_limits
	return {row.reason: (row.max_hours or 0) * 60 for row in rows}


def get_commitment() -> K.Commitment:
	"""R31: the limits of the service commitment, in minutes."""
	s = frappe.get_cached_doc(SETTINGS)
	hours = 60
	return K.Commitment(
		dispatch=s.dispatch_notify_minutes,
		arrival=s.arrival_minutes,
		minor_completion=s.minor_repair_limit_hours * hours,
		general_completion=s.general_repair_limit_hours * hours,
		explanation=s.major_explanation_hours * hours,
		answer=s.complaint_answer_days * 24 * hours,
		work_order_return=s.work_order_return_hours * hours,
		return_visit=s.return_visit_hours * hours,
	)


# Limits of the service commitment that move deadlines: changing one recomputes the open cases.
CLOCK_SETTINGS = (
	"dispatch_notify_minutes",
	"arrival_minutes",
	"minor_repair_limit_hours",
	"general_repair_limit_hours",
	"major_explanation_hours",
	"complaint_answer_days",
	"work_order_return_hours",
	"return_visit_hours",
)
# `escalated_levels` holds {clock: [levels taken]} and, under this key, the work order those of the job's
# clocks (K.WORK_ORDER_CLOCKS) belong to.
JOB_KEY = "work_order"


def get_ladder() -> list[K.Step]:
	"""The ladder of Settings (seeded on install, never empty: Settings refuse an empty one)."""
	rows = frappe.get_cached_doc(SETTINGS).escalation_ladder
	return sorted((K.Step(r.level, r.delay_minutes) for r in rows), key=lambda s: s.delay_minutes)


def escalated_levels(value: str | None) -> dict[str, set[str]]:
	return {clock: set(levels) for clock, levels in json.loads(value or "{}").items() if clock in K.CLOCKS}


def escalated_job(value: str | None) -> str | None:
	"""The work order the job clocks' steps belong to."""
	return json.loads(value or "{}").get(JOB_KEY)


def progress_value(done: dict[str, set[str]], job: str | None) -> str:
	value = {clock: sorted(levels) for clock, levels in done.items() if levels}
	if job:
		value[JOB_KEY] = job
	return json.dumps(value, sort_keys=True)


def keep_escalation_progress(case) -> None:
	"""The ladder steps taken belong to the escalation job, which writes them without touching `modified`. Nobody
	may type them (permission level 1), but a case saved by code, or by a request whose snapshot predates a run,
	would write an older value back and the next run take the steps again: the case's save takes the stored
	value read with a lock (the latest committed, not the snapshot)."""
	stored = frappe.db.get_value(
		CASE, case.name, ["escalated_levels", "next_escalation_at"], as_dict=True, for_update=True
	)
	if stored:
		case.escalated_levels = stored.escalated_levels
		case.next_escalation_at = stored.next_escalation_at


TICKET_FIELDS = (
	"name",
	"ticket_type",
	"status",
	"call_started_at",
	"answered_at",
	"paused_minutes",
	"paused_since",
	"paused_until",
	"escalated_levels",
)
WORK_ORDER_FIELDS = (
	"name",
	"service_ticket",
	"job_class",
	"dispatched_class",
	"rework_of",
	"creation",
	"kpi_due_at",
	"dispatched_at",
	"team_told_at",
	"is_emergency",
	"appointment_at",
	"arrived_at",
	"completed_at",
	"returned_at",
	"explained_at",
)


def case_times(ticket, work_order, visited_at) -> K.CaseTimes:
	wo = work_order or frappe._dict()
	return K.CaseTimes(
		called_at=get_datetime(ticket.call_started_at),
		is_repair=ticket.ticket_type in WORK_ORDER_TYPES,
		needs_answer=ticket.ticket_type in ANSWER_TYPES,
		job_class=wo.job_class or K.MINOR,
		dispatched_class=wo.get("dispatched_class"),
		dispatched_at=wo.dispatched_at and get_datetime(wo.dispatched_at),
		team_told_at=wo.get("team_told_at") and get_datetime(wo.team_told_at),
		emergency=bool(wo.get("is_emergency")),
		appointment_at=wo.appointment_at and get_datetime(wo.appointment_at),
		arrived_at=wo.arrived_at and get_datetime(wo.arrived_at),
		completed_at=wo.completed_at and get_datetime(wo.completed_at),
		returned_at=wo.returned_at and get_datetime(wo.returned_at),
		visited_at=visited_at and get_datetime(visited_at),
		explained_at=wo.explained_at and get_datetime(wo.explained_at),
		answered_at=ticket.answered_at and get_datetime(ticket.answered_at),
		closed=ticket.status in CLOSED_STATES,
		paused_minutes=ticket.paused_minutes or 0,
		paused_since=ticket.paused_since and get_datetime(ticket.paused_since),
		paused_until=ticket.get("paused_until") and get_datetime(ticket.paused_until),
	)


def current_work_order(ticket_name: str):
	"""The latest work order of the case that is not cancelled."""
	return frappe.db.get_value(
		WORK_ORDER,
		{"service_ticket": ticket_name, "status": ("!=", CANCELLED)},
		list(WORK_ORDER_FIELDS),
		as_dict=True,
		order_by="creation desc",
	)


def lock_case_of(work_order: str | None = None, case: str | None = None) -> None:
	"""The lock order of a case and its work orders: the case's row first, then the work order's. A case's save
	refreshes its clocks and then writes its work order's due time (`refresh`); a work order's save refreshes its
	case's clocks. Every writer of a work order takes its case's row first, so a step on the job, a save of the
	case and the team's notification job wait for one another instead of each holding the row the other wants
	(MariaDB 1213 and an HTTP 500, found by benchmarks/load)."""
	case = case or frappe.db.get_value(WORK_ORDER, work_order, "service_ticket")
	if case:
		frappe.db.get_value(CASE, case, "name", for_update=True)


def refresh(ticket_name: str, new_case=None, work_order=None) -> dict:
	"""Store the case's deadlines, next moment and timeliness.

	`new_case` is a case without a work order being inserted (its `after_insert`): nobody else can see it yet
	and it has no work order or return visit, so its values are taken from memory rather than read back.
	`work_order` is the case's current work order when the caller holds it (a work order just inserted, the
	latest of its case). A return visit is looked for only once the job is complete (R24: its clock starts
	there)."""
	if new_case is not None:
		ticket = frappe._dict({field: new_case.get(field) for field in TICKET_FIELDS})
		visited_at = work_order = None
	else:
		# A locking read: the escalation job (which skips locked cases) cannot write the steps taken in between.
		ticket = frappe.db.get_value(CASE, ticket_name, TICKET_FIELDS, as_dict=True, for_update=True)
		work_order = (
			frappe._dict({field: work_order.get(field) for field in WORK_ORDER_FIELDS})
			if work_order is not None
			else current_work_order(ticket_name)
		)
		visited_at = (
			frappe.db.get_value(
				RETURN_VISIT, {"service_ticket": ticket_name}, "visited_at", order_by="visited_at asc"
			)
			if work_order and work_order.completed_at
			else None
		)
	commitment = get_commitment()
	values, times = compute(ticket, work_order, visited_at, commitment, get_ladder())
	frappe.db.set_value(CASE, ticket_name, values, update_modified=False)
	if work_order:
		refresh_job_due(work_order, times, commitment)
	return values


def compute(ticket, work_order, visited_at, commitment: K.Commitment, ladder: list[K.Step]):
	"""What the case stores for its clocks: deadlines, the steps taken (for its current job) and the next
	moment the job has work for it, and R29's timeliness."""
	times = case_times(ticket, work_order, visited_at)
	deadlines = K.deadlines(times, commitment)
	job = work_order.name if work_order else None
	done = K.for_job(escalated_levels(ticket.escalated_levels), escalated_job(ticket.escalated_levels), job)
	values = {field: deadlines.get(clock) for clock, field in DEADLINE_FIELDS.items()}
	# the case list's next deadline: the nearest of the clocks still running
	values["next_deadline"] = min((d for d in deadlines.values() if d is not None), default=None)
	values["next_escalation_at"] = K.next_moment(deadlines, ladder, done)
	if times.paused_since and times.paused_until:
		# R37: the escalation job ends the pause at its planned end (end_expired_pauses)
		moments = [m for m in (values["next_escalation_at"], times.paused_until) if m]
		values["next_escalation_at"] = min(moments)
	values["escalated_levels"] = progress_value(done, job)
	# R29: what decides the case's timeliness, stored so that the reports count it in one GROUP BY.
	values["kpi_due_at"], values["handled_at"] = K.handling(times, commitment)
	values["job_class"] = times.job_class if times.is_repair else None
	return values, times


def recompute_open_cases(chunk: int = 500) -> int:
	"""After the limits or the ladder change in Settings (R31): every case whose clocks may still run gets its
	deadlines and next moment again, a chunk at a time — three reads and two multi-row updates per chunk, the
	same rules as `refresh`. Returns how many cases were recomputed."""
	from property_helpdesk.services.sql import update_by_name

	names = frappe.get_all(
		CASE,
		or_filters={
			"status": ("not in", CLOSED_STATES),
			"work_order_return_deadline": ("is", "set"),
			"return_visit_deadline": ("is", "set"),
			"next_escalation_at": ("is", "set"),
		},
		pluck="name",
		order_by="name",
	)
	commitment, ladder = get_commitment(), get_ladder()
	fields = (
		*DEADLINE_FIELDS.values(),
		"next_escalation_at",
		"escalated_levels",
		"kpi_due_at",
		"handled_at",
		"next_deadline",
	)
	for start in range(0, len(names), chunk):
		batch = names[start : start + chunk]
		tickets = frappe.db.get_values(
			CASE, {"name": ("in", batch)}, TICKET_FIELDS, as_dict=True, for_update=True
		)
		jobs = {}
		for row in frappe.get_all(
			WORK_ORDER,
			filters={"service_ticket": ("in", batch), "status": ("!=", CANCELLED)},
			fields=list(WORK_ORDER_FIELDS),
			order_by="creation asc",
		):
			jobs[row.service_ticket] = row  # the latest wins, as in current_work_order
		visits = dict(
			frappe.get_all(
				RETURN_VISIT,
				filters={"service_ticket": ("in", batch)},
				fields=["service_ticket", "min(visited_at) as visited_at"],
				group_by="service_ticket",
				as_list=True,
			)
		)
		case_values, job_values = {}, {}
		for ticket in tickets:
			work_order = jobs.get(ticket.name)
			values, times = compute(ticket, work_order, visits.get(ticket.name), commitment, ladder)
			case_values[ticket.name] = values
			if work_order:
				due = job_due_at(work_order, times, commitment)
				if due != (work_order.kpi_due_at and get_datetime(work_order.kpi_due_at)):
					job_values[work_order.name] = {"kpi_due_at": due}
		update_by_name(CASE, case_values, fields)
		update_by_name(WORK_ORDER, job_values, ("kpi_due_at",))
		if not frappe.flags.in_test:
			frappe.db.commit()
	return len(names)


def end_pause(ticket_name: str, at, resumed_at=None) -> float:
	"""R37: end the case's pause under way: its row resumed at `resumed_at` (now, or the planned end when that
	came first), its minutes added to the case, the clocks running again (refresh). The case's `modified` moves,
	so a form opened during the pause is told to reload rather than write the old pause back. Returns the
	minutes added."""
	ticket = frappe.db.get_value(
		CASE, ticket_name, ["paused_since", "paused_until", "paused_minutes"], as_dict=True, for_update=True
	)
	if not ticket or not ticket.paused_since:
		return 0
	since = get_datetime(ticket.paused_since)
	until = ticket.paused_until and get_datetime(ticket.paused_until)
	end = get_datetime(resumed_at) if resumed_at else K.pause_end(since, until, get_datetime(at))
	row = frappe.db.get_value(
		PAUSE_ROW,
		{"parent": ticket_name, "parenttype": CASE, "resumed_at": ("is", "not set")},
		"name",
		order_by="idx desc",
	)
	if row:
		frappe.db.set_value(PAUSE_ROW, row, "resumed_at", end, update_modified=False)
	added = K.paused_minutes_between(since, end)
	frappe.db.set_value(
		CASE,
		ticket_name,
		{"paused_minutes": (ticket.paused_minutes or 0) + added, "paused_since": None, "paused_until": None},
	)
	refresh(ticket_name)
	return added


def end_expired_pauses(now) -> list[str]:
	"""R37: every pause past its planned end ends there (the escalation job, every minute). The cases are found
	through the `paused_until` index (set only while a pause runs), so the job reads only the pauses that are
	due, and locked, skipping rows another run holds."""
	case = frappe.qb.DocType(CASE)
	names = (
		frappe.qb.from_(case).select(case.name).where(case.paused_until <= now).for_update(skip_locked=True)
	).run(pluck=True)
	for name in names:
		end_pause(name, now)
	return names


def job_due_at(work_order, times: K.CaseTimes, commitment: K.Commitment):
	"""R30: when the job must be complete, by the class it was dispatched with (R20–R22). A rework runs from its
	own dispatch, the first job from the call."""
	if work_order.rework_of:
		start, paused = get_datetime(work_order.dispatched_at or work_order.creation), 0
	else:
		start, paused = times.called_at, times.paused_minutes
	judged_class = kpi_class(work_order.get("dispatched_class"), work_order.job_class)
	return K.job_due(start, judged_class, commitment, paused)


def refresh_job_due(work_order, times: K.CaseTimes, commitment: K.Commitment):
	due = job_due_at(work_order, times, commitment)
	if due != (work_order.kpi_due_at and get_datetime(work_order.kpi_due_at)):
		frappe.db.set_value(WORK_ORDER, work_order.name, "kpi_due_at", due, update_modified=False)
