# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""修正记录: a stamped time corrected, recorded — who, when, the old value, the new one and why.

Made only by `property_helpdesk.api.field.amend_time` (the maintenance supervisor or the office director); no
role creates or writes one. Its life: `before_validate` takes what the server knows (who, when, the old value,
the case and property), `validate` checks the rules of procedure/stamps.py (a stamped time, a reason, between
the call and now, the steps still in order), `after_insert` applies the new time and refreshes the case's
clocks.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, now_datetime

from property_helpdesk.constants import CASE, RETURN_VISIT, WORK_ORDER
from property_helpdesk.exceptions import InvalidTimeError
from property_helpdesk.procedure import stamps
from property_helpdesk.services import clocks


class TimeAmendment(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amended_at: DF.Datetime | None
		amended_by: DF.Link | None
		field_label: DF.Data | None
		fieldname: DF.Data
		new_value: DF.Datetime
		old_value: DF.Datetime | None
		property: DF.Link | None
		reason: DF.SmallText
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		service_ticket: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		if not self.is_new():
			return
		self.amended_by = frappe.session.user
		self.amended_at = now_datetime()
		self.reason = (self.reason or "").strip()
		if stamps.is_stamped(self.reference_doctype, self.fieldname):
			meta = frappe.get_meta(self.reference_doctype)
			self.field_label = meta.get_label(self.fieldname)
			self.old_value = frappe.db.get_value(self.reference_doctype, self.reference_name, self.fieldname)
			self.service_ticket = (
				self.reference_name
				if self.reference_doctype == CASE
				else frappe.db.get_value(self.reference_doctype, self.reference_name, "service_ticket")
			)
			self.property = frappe.db.get_value(CASE, self.service_ticket, "property")

	def validate(self):
		if not self.is_new():
			frappe.throw(_("An amendment, once recorded, is kept as it is."), frappe.PermissionError)
		called_at = frappe.db.get_value(CASE, self.service_ticket, "call_started_at")
		new = get_datetime(self.new_value)
		problem = stamps.amendment_error(
			self.reference_doctype,
			self.fieldname,
			self.old_value and get_datetime(self.old_value),
			new,
			called_at and get_datetime(called_at),
			now_datetime(),
			self.reason,
		)
		if problem:
			frappe.throw(
				{
					"not_stamped": _("Only a time the server stamps is corrected by an amendment."),
					"not_set": _("This time is not recorded yet: it is set by its action, not amended."),
					"no_reason": _("Give the reason for the amendment."),
					"unchanged": _("The new time is the one already recorded."),
					stamps.FUTURE: _("The new time cannot be in the future."),
					stamps.BEFORE_CALL: _("The new time cannot be before the call began."),
				}[problem],
				InvalidTimeError,
				title=_("Invalid Amendment"),
			)
		if self.reference_doctype == WORK_ORDER:
			self.validate_order(new)

	def validate_order(self, new):
		"""The steps stay in order with the amended time."""
		fields = stamps.STAMPED[WORK_ORDER]
		row = frappe.db.get_value(WORK_ORDER, self.reference_name, list(fields), as_dict=True)
		times = {f: row[f] and get_datetime(row[f]) for f in fields}
		times[self.fieldname] = new
		wrong = stamps.out_of_order(times)
		if wrong:
			meta = frappe.get_meta(WORK_ORDER)
			frappe.throw(
				_("{0} cannot be before {1}.").format(
					_(meta.get_label(wrong[0])), _(meta.get_label(wrong[1]))
				),
				InvalidTimeError,
				title=_("Invalid Amendment"),
			)

	def after_insert(self):
		"""The new time goes to the document as it is (db_set: the stamped field is nobody's to save), the case's
		clocks follow, and the document's timeline says so."""
		frappe.db.set_value(
			self.reference_doctype, self.reference_name, self.fieldname, self.new_value, update_modified=False
		)
		frappe.get_doc(self.reference_doctype, self.reference_name).add_comment(
			"Info",
			_("{0} amended from {1} to {2} by {3}: {4}").format(
				_(self.field_label), self.old_value, self.new_value, self.amended_by, self.reason
			),
		)
		if self.service_ticket and self.reference_doctype in (CASE, WORK_ORDER, RETURN_VISIT):
			clocks.refresh(self.service_ticket)
