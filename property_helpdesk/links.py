"""Checks shared by the app's DocTypes: link validation that Frappe v15 skips, and phone numbers.

Frappe 15's `get_invalid_links` does not report a missing link target when the Link field has `fetch_from`
companions (the fetch query returns None and the check is skipped): an unknown unit would be saved. DocTypes
of this app call `validate_fetched_links` in `validate` to refuse such values with Frappe's own error.
"""

import frappe
from frappe import _


def validate_fetched_links(doc) -> None:
	for df in doc.meta.get_link_fields():
		value = doc.get(df.fieldname)
		if not value or not doc.meta.get_fields_to_fetch(df.fieldname):
			continue
		if not frappe.db.exists(df.options, value):
			frappe.throw(
				_("Could not find {0}").format(f"{_(df.label)}: {value}"),
				frappe.LinkValidationError,
			)


def validate_phone_fields(doc, *fieldnames: str) -> None:
	"""R7: every phone the office calls back is a mobile or landline number (translated error, nothing saved)."""
	from property_helpdesk.procedure.validation import is_valid_phone

	for fieldname in fieldnames:
		value = doc.get(fieldname)
		if value and not is_valid_phone(value):
			frappe.throw(
				_("{0} {1} is not a valid mobile or landline number.").format(
					_(doc.meta.get_label(fieldname)), frappe.bold(value)
				),
				title=_("Invalid Phone Number"),
			)


def valid_datetime(value, label: str):
	"""A date and time a user sent, or a translated 417 naming it: an empty or unreadable value is no time."""
	from frappe.utils import escape_html, get_datetime

	from property_helpdesk.exceptions import InvalidTimeError

	try:
		parsed = get_datetime(value) if value else None
	except Exception:
		parsed = None
	if parsed is None:
		frappe.throw(
			_("{0}: {1} is not a date and time.").format(label, frappe.bold(escape_html(str(value or "")))),
			InvalidTimeError,
			title=_("Invalid Time"),
		)
	return parsed
