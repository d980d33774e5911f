"""/login/phone (用手机号登录): a resident signs in with their mobile number and a one-time SMS code (issue 13).
The portal's pages send guests here; the email-and-password sign-in stays Frappe's own /login, linked below."""

import frappe
from frappe import _
from frappe.www.login import sanitize_redirect

from property_helpdesk.api.phone_login import HOME

no_cache = 1


def get_context(context):
	redirect_to = sanitize_redirect(frappe.form_dict.get("redirect-to")) or HOME
	if frappe.session.user != "Guest":
		frappe.local.flags.redirect_location = redirect_to
		raise frappe.Redirect
	context.no_breadcrumbs = True
	context.no_header = True
	context.title = _("Sign in with a Phone Number")
	context.redirect_to = redirect_to
	context.email_login = "/login?" + frappe.utils.urlencode({"redirect-to": redirect_to})
	return context
