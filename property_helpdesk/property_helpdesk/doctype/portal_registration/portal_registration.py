# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""业户注册申请: a signed-in user asks to be linked to a unit on the portal; staff decide against the unit's
owner record (R34)."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from property_helpdesk.constants import RESIDENT_ROLE
from property_helpdesk.links import validate_fetched_links
from property_helpdesk.procedure.validation import has_markup, is_valid_phone


class PortalRegistration(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		applicant_name: DF.Data
		decided_at: DF.Datetime | None
		decided_by: DF.Link | None
		decision_note: DF.SmallText | None
		matches_owner_record: DF.Check
		phone: DF.Data
		property: DF.Link | None
		relation: DF.Literal["Owner", "Tenant", "Family Member"]
		resident: DF.Link | None
		status: DF.Literal["Pending", "Approved", "Rejected"]
		unit: DF.Link
		user: DF.Link
	# end: auto-generated types

	def validate(self):
		validate_fetched_links(self)
		if has_markup(self.applicant_name):
			frappe.throw(
				_("{0} must be plain text: angle brackets are not allowed.").format(_("Applicant Name"))
			)
		if not is_valid_phone(self.phone):
			frappe.throw(
				_("Phone {0} is not a valid mobile or landline number.").format(frappe.bold(self.phone)),
				title=_("Invalid Phone Number"),
			)
		owner_name, owner_phone = frappe.db.get_value(
			"Property Unit", self.unit, ["owner_name", "owner_phone"]
		)
		self.matches_owner_record = int(
			bool(owner_name and owner_phone)
			and owner_name.strip() == (self.applicant_name or "").strip()
			and digits(owner_phone) == digits(self.phone)
		)
		before = self.get_doc_before_save()
		if before and before.status != "Pending" and self.status != before.status:
			frappe.throw(_("This request has already been decided."), title=_("Already Decided"))

	def on_update(self):
		before = self.get_doc_before_save()
		if self.status != "Pending" and (not before or before.status == "Pending"):
			self.decide()

	def decide(self):
		"""Staff checked the request against the unit's owner record: link the user to the unit as a resident."""
		self.db_set({"decided_by": frappe.session.user, "decided_at": now_datetime()})
		if self.status != "Approved":
			return
		# the user's own record, or a new one: never another person's record found by a phone number the
		# applicant typed (it would carry that person's other units and bills)
		resident = frappe.db.get_value("Resident", {"user": self.user}, "name")
		resident = frappe.get_doc("Resident", resident) if resident else frappe.new_doc("Resident")
		if resident.is_new():
			resident.update({"resident_name": self.applicant_name, "phone": self.phone})
		resident.user = self.user
		if not any(row.unit == self.unit for row in resident.units):
			resident.append("units", {"unit": self.unit, "relation": self.relation})
		resident.save(ignore_permissions=True)
		user = frappe.get_doc("User", self.user)
		user.flags.ignore_permissions = True  # staff grant this one portal role, and nothing else of the user
		user.add_roles(RESIDENT_ROLE)
		self.db_set("resident", resident.name)


def digits(phone: str | None) -> str:
	return "".join(ch for ch in phone or "" if ch.isdigit())
