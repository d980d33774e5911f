"""Frappe's report endpoints, kept to the caller's own prepared reports (R4, R1).

A Prepared Report is Frappe's: the report run in an RQ worker as the user who asked for it, so it holds that
user's figures, of their properties only (access.py). Frappe hands a completed one out to anyone who may run the
report: query_report.run takes the owner from its `user` argument and the report from `prepared_report_name`,
and export_query passes the latter on, neither asking whether the caller may see it; a director of one property
would be given another's figures. These refuse both, then answer with Frappe's own. The Prepared Report records
themselves are listed and opened by their owner only (has_prepared_report_permission, hooks.py).
"""

import json

import frappe
from frappe import _
from frappe.desk import query_report

from property_helpdesk.whitelist_guard import kind

PREPARED_REPORT = "Prepared Report"


def sees_every_prepared_report(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or "System Manager" in frappe.get_roles(user)


def json_argument(value, expected: type, name: str):
	"""A JSON argument as the desk sends it (text) or a JSON body holds it; anything else is a clear 417, not the
	500 of Frappe's own parsing."""
	if value in (None, ""):
		return None
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			value = None
	if not isinstance(value, expected):
		frappe.throw(
			_("Invalid value for {0}: {1} expected.").format(name, kind(expected)),
			frappe.ValidationError,
			title=_("Invalid Argument"),
		)
	return value


def check_prepared_access(user: str | None, filters: dict | None) -> None:
	"""Refuse another user's prepared figures: by `user`, or by the name of their Prepared Report in `filters`."""
	if sees_every_prepared_report():
		return
	if user and user != frappe.session.user:
		frappe.throw(_("You can run a report only as yourself."), frappe.PermissionError)
	name = (filters or {}).get("prepared_report_name")
	if name in (None, ""):
		return
	# a name, not filters: Frappe's get_doc would load the first record a dict of filters matches
	if (
		not isinstance(name, str)
		or frappe.db.get_value(PREPARED_REPORT, name, "owner") != frappe.session.user
	):
		frappe.throw(_("You can open only the prepared reports you asked for."), frappe.PermissionError)


@frappe.whitelist()
def run(
	report_name: str,
	filters: str | dict | None = None,
	user: str | None = None,
	ignore_prepared_report: bool | int | str = False,
	custom_columns: str | list | None = None,
	is_tree: bool | int | str = False,
	parent_field: str | None = None,
	are_default_filters: bool | int | str = True,
):
	"""frappe.desk.query_report.run (hooks.py override_whitelisted_methods), for the caller's prepared reports."""
	filters = json_argument(filters, dict, "filters")
	check_prepared_access(user, filters)
	return query_report.run(
		report_name,
		filters=filters,
		user=user,
		ignore_prepared_report=ignore_prepared_report,
		custom_columns=json_argument(custom_columns, list, "custom_columns"),
		is_tree=is_tree,
		parent_field=parent_field,
		are_default_filters=are_default_filters,
	)


@frappe.whitelist()
def export_query():
	"""frappe.desk.query_report.export_query (hooks.py), which reads its arguments from the request's form."""
	if not isinstance(frappe.local.form_dict.get("report_name"), str):
		frappe.throw(
			_("Missing argument: {0}").format("report_name"),
			frappe.MandatoryError,
			title=_("Missing Argument"),
		)
	check_prepared_access(None, json_argument(frappe.local.form_dict.get("filters"), dict, "filters"))
	return query_report.export_query()


def has_prepared_report_permission(doc, ptype=None, user=None, debug=False):
	"""A Prepared Report is its owner's (and a System Manager's); otherwise Frappe's own rule decides."""
	user = user or frappe.session.user
	if sees_every_prepared_report(user) or doc.owner == user:
		return None
	return False


def prepared_report_query_conditions(user=None, doctype=None) -> str:
	user = user or frappe.session.user
	if sees_every_prepared_report(user):
		return ""
	return f"`tabPrepared Report`.`owner` = {frappe.db.escape(user)}"
