"""R2, R42: the decision maker's and the office director's actions on a case they are routed. Each checks the
user's right itself (the case's read permission here, the route's person in the controller)."""

import frappe

from property_helpdesk.constants import CASE


@frappe.whitelist(methods=["POST"])
def record_decision(ticket: str, decision: str) -> dict:
	"""R2: the office director's or the general manager's decision on a complaint routed to them."""
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("read")
	doc.record_decision(decision)
	return {"decided_by": doc.decided_by, "decided_at": doc.decided_at}


@frappe.whitelist(methods=["POST"])
def record_owner_meeting(ticket: str, notes: str) -> dict:
	"""R42: the office director met the owner about a warranty dispute, compensation claim or quality
	dissatisfaction."""
	doc = frappe.get_doc(CASE, ticket)
	doc.check_permission("read")
	doc.record_owner_meeting(notes)
	return {"met_owner_at": doc.met_owner_at}
