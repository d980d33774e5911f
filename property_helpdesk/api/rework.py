"""R30: the maintenance supervisor confirms a proposed rework. Checks permission itself."""

import frappe
from frappe import _

from property_helpdesk.constants import MAINTENANCE_SUPERVISOR, OFFICE_DIRECTOR, WORK_ORDER
from property_helpdesk.exceptions import ReworkError

CONFIRMING_ROLES = {MAINTENANCE_SUPERVISOR, OFFICE_DIRECTOR, "System Manager"}


@frappe.whitelist(methods=["POST"])
def confirm_rework(work_order: str) -> dict:
	"""R30: the job redoes the one proposed (found by the same unit and component within the window): its
	`rework_of` is set, and the repair report counts it as rework."""
	doc = frappe.get_doc(WORK_ORDER, work_order)
	doc.check_permission("write")
	if not CONFIRMING_ROLES.intersection(frappe.get_roles()):
		frappe.throw(
			_("Only the maintenance supervisor or the office director may confirm a rework."),
			frappe.PermissionError,
		)
	if not doc.proposed_rework_of:
		frappe.throw(
			_("No earlier job is proposed for this work order to redo."), ReworkError, title=_("No Rework")
		)
	doc.rework_of = doc.proposed_rework_of
	doc.save()
	doc.add_comment("Info", _("Confirmed as the rework of {0}.").format(doc.rework_of))
	return {"rework_of": doc.rework_of}
