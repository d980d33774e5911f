"""/my_cases: the resident's cases, newest first (R10, R34). A signed-in user not yet linked to a unit asks to be
linked here (Portal Registration), which staff confirm against the unit's owner record."""

import frappe
from frappe import _
from frappe.utils import cint

from property_helpdesk.api.portal import (
	PAGE_LENGTH,
	login_first,
	my_cases,
	page_context,
	read_page,
	resident_units,
)
from property_helpdesk.constants import CLOSED_STATES, PORTAL_REGISTRATION, PROPERTY

no_cache = 1


@read_page  # a list: from the replica where the site has one (api/portal.py list_cases)
def get_context(context):
	login_first("/my_cases")
	page_context(context)
	context.title = _("My Cases")
	if not resident_units():
		context.registrations = frappe.get_all(
			PORTAL_REGISTRATION,
			filters={"user": frappe.session.user},
			fields=["unit", "status", "creation"],
			order_by="creation desc",
		)
		context.properties = frappe.get_all(PROPERTY, pluck="name", order_by="name")
		return context
	context.start = max(cint(frappe.form_dict.get("start")), 0)
	context.cases, context.more = my_cases(context.start, PAGE_LENGTH)
	context.page_length = PAGE_LENGTH
	context.closed_states = CLOSED_STATES
	return context
