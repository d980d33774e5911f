"""Field work that can be trusted (issue 12): the desk's and the phone's endpoints over a job's stamped times.

A stamped time (procedure/stamps.py) is set by its action only; a wrong one is corrected by a recorded
amendment, which only the maintenance supervisor or the office director may make.
"""

import re

import frappe
from frappe import _

from property_helpdesk.constants import WORK_ORDER_STEP
from property_helpdesk.exceptions import StepOrderError
from property_helpdesk.links import valid_datetime
from property_helpdesk.procedure import stamps
from property_helpdesk.services.isolation import read_committed


@frappe.whitelist(methods=["POST"])
def amend_time(doctype: str, name: str, fieldname: str, new_value: str, reason: str) -> dict:
	"""Correct a stamped time: recorded (who, when, old, new, why), applied, and the case's clocks refreshed.
	The time still obeys the rules: not in the future, not before the call, the steps in order."""
	if not stamps.may_amend(frappe.get_roles()):
		frappe.throw(
			_("Only the maintenance supervisor or the office director may amend a recorded time."),
			frappe.PermissionError,
		)
	if not stamps.is_stamped(doctype, fieldname):
		frappe.throw(
			_("Only a time the server stamps is corrected by an amendment."), title=_("Invalid Amendment")
		)
	frappe.has_permission(doctype, "read", name, throw=True)
	valid_datetime(new_value, _("New Value"))
	amendment = frappe.get_doc(
		{
			"doctype": stamps.TIME_AMENDMENT,
			"reference_doctype": doctype,
			"reference_name": name,
			"fieldname": fieldname,
			"new_value": new_value,
			"reason": reason,
		}
	)
	# nobody creates an amendment but through here: the caller's right is the check above
	amendment.insert(ignore_permissions=True)
	return {"name": amendment.name, "old_value": amendment.old_value, "new_value": amendment.new_value}


# -- one tap per step, stamped by the server ----------------------------------------------------------------

REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@frappe.whitelist(methods=["POST"])
def take_step(work_order: str, step: str, request_id: str) -> dict:
	"""接单, 到场, 开始, 完工 from the phone: the server's time is the step's. `request_id` is made by the phone for
	each tap and sent again when the tap is retried: a retry gets the first answer and makes no second step.

	The work order's row is locked first, so two sends of one tap run one after the other; the second then
	finds the first's Work Order Step with a locking read (which sees the first's commit), and the request id
	is unique in the database whatever happens."""
	from property_helpdesk.api.portal import check_csrf
	from property_helpdesk.api.technician import job_for

	check_csrf()
	# the locking reads below lock no gap (services/isolation): two technicians' taps at once do not deadlock
	read_committed()
	if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
		frappe.throw(_("The tap has no valid request id."), StepOrderError, title=_("Invalid Input"))
	doc = job_for(work_order, for_update=True)
	first = frappe.db.get_value(
		WORK_ORDER_STEP,
		{"request_id": request_id},
		["work_order", "step", "taken_by", "stamped_at"],
		as_dict=True,
		for_update=True,
	)
	if first:
		if (first.work_order, first.step, first.taken_by) != (doc.name, step, frappe.session.user):
			frappe.throw(
				_("This request id was already used for another step."),
				StepOrderError,
				title=_("Invalid Input"),
			)
		return doc.step_answer(first.step, first.stamped_at)
	return doc.take_step(step, request_id=request_id)
