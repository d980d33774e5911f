"""Field work that can be trusted (issue 12): the desk's and the phone's endpoints over a job's stamped times.

A stamped time (procedure/stamps.py) is set by its action only; a wrong one is corrected by a recorded
amendment, which only the maintenance supervisor or the office director may make.
"""

import frappe
from frappe import _

from property_helpdesk.procedure import stamps


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
