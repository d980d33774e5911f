"""Routing that reaches someone (R2, R35, R41–R42): who is asked to act on a case, as Frappe's own assignment.

- R2: a complaint routed to the office head (the property's office director) or to company leadership (the
  general manager) is assigned to that person — where the property or Settings name nobody, to every active
  holder of the role who works for the case's property (R4), any of whom records the decision — due when the complaint must be answered (the case's R23
  answer deadline: the decision is what the answer waits for, so the limit already in Settings is its limit,
  not a second one); it closes when they record their decision (Service Ticket.record_decision).
- R41–R42: a warranty dispute, compensation claim or quality dissatisfaction is assigned to the office director
  of the case's own property, due by the case's answer deadline, else its completion deadline; it closes when
  the director records the meeting with the owner (Service Ticket.record_owner_meeting).
- R35: a finished job asks the case's follow-up owner (its acceptor unless the case was handed over, R34) to
  record the result and answer the resident, due when the work order is due back (R24, Settings' work-order
  return limit); it closes when both are recorded.

Each assignment goes through services/notify (the ToDo, the share and Frappe's Assignment notification, which
lights the desk bell at once, made after the commit) and, where Settings text staff and SMS Settings name a
gateway, an SMS to the person's mobile number.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, format_datetime, get_datetime, getdate, now_datetime

from property_helpdesk.constants import CASE, SETTINGS
from property_helpdesk.procedure.complaints import ROUTE_LEADERSHIP, ROUTE_OFFICE_HEAD
from property_helpdesk.roles import company_post_people, property_post
from property_helpdesk.services import clocks, notify

# (who is asked, the stamp that ends their part) of each route on the case
ROUTES = (("routed_to", "decided_at"), ("dispute_director", "met_owner_at"))


def staff_sms_on() -> bool:
	"""Settings → Text Staff: escalations and routed cases also go by SMS (through SMS Settings' gateway)."""
	return bool(frappe.db.get_single_value(SETTINGS, "staff_sms"))


def ask(case: str, user: str, description: str, due=None, priority: str = "Medium") -> None:
	"""Assign the case to the user (after the commit), and text them where configured."""
	if not user:
		return
	notify.assign(CASE, case, user, description, priority=priority, date=getdate(due) if due else None)
	if staff_sms_on():
		notify.sms(
			[notify.Message(user=user, subject=description, doctype=CASE, name=case)],
			failure_title=_("Routing SMS to {0} failed"),
		)


def decision_makers(level: str | None, property_name: str | None) -> list[str]:
	"""R2 with R4: who decides a complaint routed to `level`: the office head's, the office director the property
	names; leadership's, the general manager Settings name; where nobody is named, every active holder of the
	role who works for the case's property."""
	if level == ROUTE_OFFICE_HEAD and property_name:
		return property_post(property_name, "office_director")
	if level == ROUTE_LEADERSHIP:
		return company_post_people("general_manager", property_name=property_name)["general_manager"]
	return []


def routed_people(doc, who: str) -> list[str]:
	"""Everyone a route of the case asks: the person it names, else (a complaint's decision naming nobody)
	every decision maker of its level."""
	if not doc:
		return []
	if doc.get(who):
		return [doc.get(who)]
	if who == "routed_to":
		return decision_makers(doc.get("routed_to_level"), doc.get("property"))
	return []


def release(doc, user: str) -> None:
	"""Close the user's assignment of the case, unless another route still waits on them."""
	if not user or still_waits_on(doc, user) or not notify.is_assigned(CASE, doc.name, user):
		return
	notify.unassign(CASE, doc.name, user)


def done(doc, who: str) -> None:
	"""A route's person took its action (the decision, the meeting): their assignment closes, and so do the
	others' where several were asked (the one who acted is the record's `decided_by`)."""
	for user in routed_people(doc, who):
		release(doc, user)


def still_waits_on(doc, user: str) -> bool:
	return any(user in routed_people(doc, who) and not doc.get(stamp) for who, stamp in ROUTES)


def on_case_update(doc) -> None:
	"""After a case is saved (its clocks refreshed): assign whoever a route newly asks, release whoever it no
	longer asks, and close the R35 request once the result and answer are in. (Who has done their part is
	released by the action itself, `done`: the action stores its stamp before it saves.)"""
	before = doc.get_doc_before_save()
	deadlines = None
	for who, stamp in ROUTES:
		old, new = routed_people(before, who), routed_people(doc, who)
		for user in old:
			if user not in new:
				release(doc, user)
		if doc.get(stamp):
			continue
		for user in new:
			if user not in old:
				deadlines = deadlines or stored_deadlines(doc.name)
				ask(doc.name, user, *describe(doc, who, deadlines), priority="High")
	if doc.get("routed_to_level") and not doc.get("routed_to") and not (before and before.routed_to_level):
		# R2: a complaint whose decision maker nobody is named as says so on the case, for the service centre
		doc.add_comment(
			"Info",
			_(
				"Nobody is named to decide complaint {0} ({1}): name them in Settings or on the property."
			).format(doc.name, _(doc.routed_to_level)),
		)
	if doc.get("dispute_type") and not doc.get("dispute_director") and not (before and before.dispute_type):
		doc.add_comment(
			"Info",
			_(
				"No office director is named for {0}: name one on the property so that the dispute reaches them."
			).format(doc.property),
		)
	if (
		doc.result
		and doc.answer_to_resident
		and (not before or before.result != doc.result or before.answer_to_resident != doc.answer_to_resident)
	):
		for user in dict.fromkeys((doc.follow_up_owner, doc.acceptor)):
			release(doc, user)


def stored_deadlines(case: str) -> frappe._dict:
	return frappe.db.get_value(CASE, case, ["answer_deadline", "completion_deadline"], as_dict=True)


def describe(doc, who: str, deadlines) -> tuple[str, object]:
	"""The assignment's words and due moment for a route."""
	if who == "routed_to":
		return (
			_("Complaint {0} needs your decision by {1}: {2}").format(
				doc.name, format_datetime(deadlines.answer_deadline, "yyyy-MM-dd HH:mm"), doc.subject
			),
			deadlines.answer_deadline,
		)
	return (
		_("{0} on {1} ({2}): meet the owner and record the meeting.").format(
			_(doc.dispute_type), doc.name, doc.subject
		),
		deadlines.answer_deadline or deadlines.completion_deadline,
	)


def ask_for_result(case: str, user: str, work_order) -> None:
	"""R35: the job is done; the follow-up owner records the result and answers the resident, by the moment
	the work order is due back (R24)."""
	done_at = (
		get_datetime(work_order.get("completed_at")) if work_order.get("completed_at") else now_datetime()
	)
	due = add_to_date(done_at, minutes=clocks.get_commitment().work_order_return)
	ask(
		case,
		user,
		_("Work order {0} is done: record the result of {1} and answer the resident.").format(
			work_order.name, case
		),
		due=due,
	)
