"""The developer's side of a liaison sheet (R17, R40): its contacts read the sheets sent to their developer and
give the written reply (签复) on the portal. Every call checks that the sheet is their developer's."""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import flt, get_fullname, now_datetime
from frappe.utils.html_utils import sanitize_html

from property_helpdesk.constants import DEVELOPER, DEVELOPER_CONTACT, LIAISON_SHEET, VISIBLE_TO_DEVELOPER
from property_helpdesk.exceptions import FrozenFieldError

DECISIONS = ("Confirmed", "Rejected", "Amount Authorised")


def developer_of(user: str | None = None) -> str | None:
	"""The developer a portal contact speaks for (Property Developer → Portal Contacts)."""
	user = user or frappe.session.user
	if user == "Guest":
		return None
	return frappe.db.get_value(
		"Property Developer Contact User", {"user": user, "parenttype": DEVELOPER}, "parent"
	)


def sheet_for_contact(name: str):
	"""The sheet, if it was sent to the contact's developer; a PermissionError otherwise (nothing told)."""
	developer = developer_of()
	sheet = frappe.db.get_value(LIAISON_SHEET, name, ["name", "developer", "workflow_state"], as_dict=True)
	if (
		not developer
		or not sheet
		or sheet.developer != developer
		or sheet.workflow_state not in VISIBLE_TO_DEVELOPER
	):
		raise frappe.PermissionError(_("Not permitted"))
	return frappe.get_doc(LIAISON_SHEET, name)


@frappe.whitelist(methods=["POST"])
def reply(
	sheet: str, decision: str, remarks: str | None = None, authorised_amount: float | None = None
) -> dict:
	"""Record the developer's 签复 from the portal: confirm, reject or authorise an amount, with remarks."""
	doc = sheet_for_contact(sheet)
	if doc.workflow_state != "Sent to Developer":
		frappe.throw(
			_("This liaison sheet has already been answered."), FrozenFieldError, title=_("Already Answered")
		)
	if decision not in DECISIONS:
		frappe.throw(_("Choose confirm, reject or authorise an amount."), title=_("Invalid Reply"))
	# The reply is written first (apply_workflow reloads the sheet from the database), then the workflow's
	# "Record Reply" transition, which the contact's role may take. A contact writes no field of the sheet (its
	# reply channel is even at permission level 1), so the save runs with the permission the check above
	# established: Frappe's own ignore_permissions. A direct write skips the save's own cleaning of markup
	# (BaseDocument._sanitize_content): the remarks are cleaned as a save would clean them.
	doc.db_set(
		{
			"reply_decision": decision,
			"authorised_amount": flt(authorised_amount) if decision == "Amount Authorised" else 0,
			"reply_remarks": sanitize_html(remarks) if isinstance(remarks, str) else remarks,
			"reply_channel": "Portal",
			"replied_by": get_fullname(frappe.session.user),
			"replied_at": now_datetime(),
		},
		update_modified=False,
	)
	doc.flags.ignore_permissions = True
	doc = apply_workflow(doc, "Record Reply")
	return {"name": doc.name, "state": doc.workflow_state, "agreed_amount": doc.agreed_amount}


def has_liaison_permission(doc, ptype=None, user=None):
	"""Developer contacts read only the sheets sent to their own developer; staff as their roles say."""
	user = user or frappe.session.user
	if DEVELOPER_CONTACT not in frappe.get_roles(user):
		return None  # staff: the DocType's role permissions decide
	if ptype not in ("read", "print"):
		return False
	return doc.developer == developer_of(user) and doc.workflow_state in VISIBLE_TO_DEVELOPER


def liaison_query_conditions(user=None):
	user = user or frappe.session.user
	if DEVELOPER_CONTACT not in frappe.get_roles(user):
		return ""
	developer = developer_of(user)
	if not developer:
		return "1=0"
	states = ", ".join(frappe.db.escape(s) for s in VISIBLE_TO_DEVELOPER)
	return f"(`tabLiaison Sheet`.developer = {frappe.db.escape(developer)} and `tabLiaison Sheet`.workflow_state in ({states}))"
