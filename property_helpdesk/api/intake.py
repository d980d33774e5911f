"""Intake actions staff take on a case from the desk or over REST. Each checks permission itself."""

import frappe
from frappe import _

from property_helpdesk.constants import CASE, CS_MANAGER, GENERAL_MANAGER, OFFICE_DIRECTOR
from property_helpdesk.exceptions import AcceptorError

# Besides the follow-up owner, these may hand a case to another named person (R4, R34).
HANDOVER_ROLES = {OFFICE_DIRECTOR, CS_MANAGER, GENERAL_MANAGER, "System Manager"}


@frappe.whitelist(methods=["POST"])
def hand_over(ticket: str, to_user: str, reason: str, to_department: str | None = None) -> dict:
	"""R34: hand the case to a named person; the hand-over is recorded on the case."""
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("write")
	if frappe.session.user != doc.follow_up_owner and not HANDOVER_ROLES.intersection(frappe.get_roles()):
		frappe.throw(
			_("Only the follow-up owner or the office director may hand this case over."),
			AcceptorError,
		)
	doc.hand_over(to_user, reason, to_department)
	return {"follow_up_owner": doc.follow_up_owner, "handovers": len(doc.handovers)}


@frappe.whitelist(methods=["POST"])
def record_reminder(ticket: str, channel: str = "Phone", note: str | None = None) -> dict:
	"""Record a resident's 催办 (R37); the second unanswered one makes a valid complaint (R12 ground 5)."""
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("write")
	doc.record_reminder(channel, note)
	return {"reminder_count": doc.reminder_count, "validity_class": doc.validity_class}


@frappe.whitelist(methods=["POST"])
def dispatch(ticket: str) -> str:
	"""R15: the case's work order (made now unless it has one); two people at once still make one."""
	frappe.get_doc(CASE, ticket).check_permission("write")
	from property_helpdesk.services.dispatch import dispatch as make_work_order

	return make_work_order(ticket)


@frappe.whitelist(methods=["POST"])
def pause_clocks(ticket: str, reason: str) -> dict:
	"""R37: hold the pausable clocks while waiting for the resident's appointment or for parts."""
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("write")
	doc.pause_clocks(reason)
	return {"paused_since": doc.paused_since}


@frappe.whitelist(methods=["POST"])
def resume_clocks(ticket: str) -> dict:
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("write")
	doc.resume_clocks()
	return {"paused_minutes": doc.paused_minutes}
