"""/developer_sheets: the developer's portal page for liaison sheets (R17, R40).

A developer contact sees the sheets sent to their developer, and only those; ?name=LS-… opens one with its
cases, the signatures on the company's side and the reply form while it awaits a reply."""

import frappe
from frappe import _

from property_helpdesk.api.developer import developer_of, sheet_for_contact
from property_helpdesk.constants import LIAISON_SHEET, VISIBLE_TO_DEVELOPER

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your liaison sheets."), frappe.PermissionError)
	developer = developer_of()
	if not developer:
		frappe.throw(_("This page is for the contacts of a property developer."), frappe.PermissionError)

	context.no_breadcrumbs = True
	context.developer = developer
	context.title = _("Liaison Sheets")
	name = frappe.form_dict.get("name")
	if name:
		context.sheet = sheet_for_contact(name)
		context.title = _("Liaison Sheet {0}").format(context.sheet.name)
	else:
		context.sheets = sheets_of(developer)
	return context


# The list reads from the replica where the site has one (api/portal.py list_cases); a sheet and its reply form,
# which the contact comes back to after replying, read the primary.
@frappe.read_only()
def sheets_of(developer: str) -> list[dict]:
	return frappe.get_all(
		LIAISON_SHEET,
		filters={"developer": developer, "workflow_state": ("in", VISIBLE_TO_DEVELOPER)},
		fields=[
			"name",
			"subject",
			"purpose",
			"workflow_state",
			"sent_at",
			"reply_deadline",
			"requested_amount",
		],
		order_by="sent_at desc",
		limit=200,
	)
