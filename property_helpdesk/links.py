"""Link validation that Frappe v15 skips.

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
