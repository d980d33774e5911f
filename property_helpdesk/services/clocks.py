"""Each open case carries its deadlines and one indexed `next_escalation_at` (R15, R20–R24).

`refresh(ticket)` reads the case, its current work order and its return visit, asks the pure rules in
`procedure.clocks` for the deadlines, and stores them with the moment the escalation job next has work for the
case. Every change that can move a clock (the case, its work order, a return visit, a pause) calls it.
"""

import json

import frappe
from frappe.utils import get_datetime

from property_helpdesk.procedure import clocks as K

SETTINGS = "Property Helpdesk Settings"
DEADLINE_FIELDS = {
	K.DISPATCH: "dispatch_deadline",
	K.ARRIVAL: "arrival_deadline",
	K.COMPLETION: "completion_deadline",
	K.EXPLANATION: "explanation_deadline",
	K.ANSWER: "answer_deadline",
	K.WORK_ORDER_RETURN: "work_order_return_deadline",
	K.RETURN_VISIT: "return_visit_deadline",
}
REPAIR_TYPES = ("Repair", "Paid Service")
ANSWER_TYPES = ("Complaint", "Service Request")
CLOSED_STATES = ("Resolved", "Closed")
DEFAULT_LADDER = (
	("Follow-up Owner", 0),
	("Maintenance Supervisor", 30),
	("Office Director", 60),
	("CS Manager", 120),
	("General Manager", 240),
)


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


def get_ladder() -> list[K.Step]:
	rows = frappe.get_cached_doc(SETTINGS).escalation_ladder
	steps = [K.Step(r.level, r.delay_minutes) for r in rows] or [K.Step(*s) for s in DEFAULT_LADDER]
	return sorted(steps, key=lambda s: s.delay_minutes)


def escalated_levels(value: str | None) -> dict[str, set[str]]:
	return {clock: set(levels) for clock, levels in json.loads(value or "{}").items()}


def case_times(ticket, work_order, visited_at) -> K.CaseTimes:
	wo = work_order or frappe._dict()
	return K.CaseTimes(
		called_at=get_datetime(ticket.call_started_at),
		is_repair=ticket.ticket_type in REPAIR_TYPES,
		needs_answer=ticket.ticket_type in ANSWER_TYPES,
		job_class=wo.job_class or K.MINOR,
		dispatched_at=wo.dispatched_at and get_datetime(wo.dispatched_at),
		arrived_at=wo.arrived_at and get_datetime(wo.arrived_at),
		completed_at=wo.completed_at and get_datetime(wo.completed_at),
		returned_at=wo.returned_at and get_datetime(wo.returned_at),
		visited_at=visited_at and get_datetime(visited_at),
		explained_at=wo.explained_at and get_datetime(wo.explained_at),
		answered_at=ticket.answered_at and get_datetime(ticket.answered_at),
		closed=ticket.status in CLOSED_STATES,
		paused_minutes=ticket.paused_minutes or 0,
		paused_since=ticket.paused_since and get_datetime(ticket.paused_since),
	)


def current_work_order(ticket_name: str):
	"""The latest work order of the case that is not cancelled."""
	rows = frappe.get_all(
		"Repair Work Order",
		filters={"service_ticket": ticket_name, "status": ("!=", "Cancelled")},
		fields=[
			"name",
			"job_class",
			"rework_of",
			"creation",
			"kpi_due_at",
			"dispatched_at",
			"arrived_at",
			"completed_at",
			"returned_at",
			"explained_at",
		],
		order_by="creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def refresh(ticket_name: str) -> dict:
	ticket = frappe.db.get_value(
		"Service Ticket",
		ticket_name,
		[
			"name",
			"ticket_type",
			"status",
			"call_started_at",
			"answered_at",
			"paused_minutes",
			"paused_since",
			"escalated_levels",
		],
		as_dict=True,
	)
	visited_at = frappe.db.get_value(
		"Return Visit", {"service_ticket": ticket_name}, "visited_at", order_by="visited_at asc"
	)
	work_order = current_work_order(ticket_name)
	times = case_times(ticket, work_order, visited_at)
	commitment = get_commitment()
	deadlines = K.deadlines(times, commitment)
	values = {field: deadlines.get(clock) for clock, field in DEADLINE_FIELDS.items()}
	values["next_escalation_at"] = K.next_moment(
		deadlines, get_ladder(), escalated_levels(ticket.escalated_levels)
	)
	# R29: what decides the case's timeliness, stored so that the reports count it in one GROUP BY.
	values["kpi_due_at"], values["handled_at"] = K.handling(times, commitment)
	values["job_class"] = times.job_class if times.is_repair else None
	frappe.db.set_value("Service Ticket", ticket_name, values, update_modified=False)
	if work_order:
		refresh_job_due(work_order, times, commitment)
	return values


def refresh_job_due(work_order, times: K.CaseTimes, commitment: K.Commitment):
	"""R30: when the job must be complete. A rework runs from its own dispatch, the first job from the call."""
	if work_order.rework_of:
		start, paused = get_datetime(work_order.dispatched_at or work_order.creation), 0
	else:
		start, paused = times.called_at, times.paused_minutes
	due = K.job_due(start, work_order.job_class, commitment, paused)
	if due != (work_order.kpi_due_at and get_datetime(work_order.kpi_due_at)):
		frappe.db.set_value("Repair Work Order", work_order.name, "kpi_due_at", due, update_modified=False)
