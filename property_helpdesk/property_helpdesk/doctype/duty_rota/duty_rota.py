# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""值班表 (R1): one duty person on one shift of one property, as the office fills the week's rota (imported with
Frappe's Data Import, or typed in the list). A shift whose end is not after its start runs into the next day.
The escalation job reads it at night (services/escalation.py): whoever the rota has on duty hears first."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.constants import DUTY_ROTA
from property_helpdesk.roles import STAFF_ROLES


class DutyRota(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		duty_date: DF.Date
		duty_phone: DF.Data | None
		duty_user: DF.Link
		duty_user_name: DF.Data | None
		from_time: DF.Time
		property: DF.Link
		to_time: DF.Time
	# end: auto-generated types

	def validate(self):
		if str(self.from_time) == str(self.to_time):
			frappe.throw(_("A shift cannot end when it starts."), title=_("Invalid Shift"))
		enabled, user_type = frappe.db.get_value("User", self.duty_user, ["enabled", "user_type"]) or (
			0,
			None,
		)
		if (
			not enabled
			or user_type != "System User"
			or not set(STAFF_ROLES) & set(frappe.get_roles(self.duty_user))
		):
			frappe.throw(
				_("{0} is not an active member of the property staff: only staff can be on duty.").format(
					self.duty_user
				),
				title=_("Invalid Duty Person"),
			)


def on_doctype_update():
	# the escalation job's night read: the properties' shifts of today and yesterday
	frappe.db.add_index(DUTY_ROTA, ["property", "duty_date"])
