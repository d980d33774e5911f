"""What a signed or agreed document says stays as it is (R40, R43, R44): one check for every DocType whose
fields are fixed by a step of its workflow (the liaison sheet from the general manager's signature, the
settlement once the small claim is answered or the memo signed).

The DocType decides which fields a state fixes, and why; this module only compares and refuses."""

import frappe
from frappe import _
from frappe.model import data_fieldtypes, table_fields
from frappe.utils import cstr, flt, get_datetime, getdate

from property_helpdesk.exceptions import FrozenFieldError


def refuse_changes(doc, before, fields, reason: str) -> None:
	"""Refuse the save with FrozenFieldError when any of `fields` differs between `doc` and `before`, its
	stored version. A Table field compares its rows on what users type in them (not the values fetched from
	a link, which follow the linked document). `reason` says why, in the user's words (e.g. "the sheet is GM
	Signed")."""
	changed = changed_fields(doc, before, fields)
	if changed:
		frappe.throw(
			_("{0} can no longer be changed: {1}.").format(
				", ".join(_(doc.meta.get_label(f)) for f in changed), reason
			),
			FrozenFieldError,
			title=_("Cannot Be Changed"),
		)


def changed_fields(doc, before, fields) -> list[str]:
	"""Which of `fields` this save changes (none on a new document)."""
	if not before:
		return []
	return [f for f in fields if value_of(doc, f) != value_of(before, f)]


def value_of(doc, fieldname: str):
	"""The field's value as stored, or for a table the tuple of its rows' values."""
	df = doc.meta.get_field(fieldname)
	if df.fieldtype in table_fields:
		columns = [c for c in frappe.get_meta(df.options).fields if c.fieldtype in data_fieldtypes]
		columns = [c for c in columns if not c.read_only and not c.fetch_from]
		return tuple(
			tuple(typed(row.get(c.fieldname), c.fieldtype) for c in columns) for row in doc.get(fieldname)
		)
	return typed(doc.get(fieldname), df.fieldtype)


def typed(value, fieldtype: str):
	"""One value for what one stored value may arrive as ("1000" and 1000.0, a date and its text, "" and
	None)."""
	if fieldtype in ("Currency", "Float", "Percent", "Int", "Check"):
		return flt(value)
	if value in (None, ""):
		return None
	if fieldtype == "Date":
		return getdate(value)
	if fieldtype == "Datetime":
		return get_datetime(value)
	return cstr(value)
