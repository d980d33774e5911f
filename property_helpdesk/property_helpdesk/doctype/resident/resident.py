# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""业户: a resident with phone, units, portal user and the ERPNext Customer that paid repairs are billed to."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.procedure.validation import has_markup, is_valid_phone


class Resident(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from property_helpdesk.property_helpdesk.doctype.resident_unit.resident_unit import ResidentUnit

		customer: DF.Link | None
		phone: DF.Data
		resident_name: DF.Data
		units: DF.Table[ResidentUnit]
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		if has_markup(self.resident_name):
			frappe.throw(
				_("{0} must be plain text: angle brackets are not allowed.").format(_("Resident Name"))
			)
		if self.phone and not is_valid_phone(self.phone):
			frappe.throw(
				_("Phone {0} is not a valid mobile or landline number.").format(frappe.bold(self.phone)),
				title=_("Invalid Phone Number"),
			)
		units = [row.unit for row in self.units]
		if len(units) != len(set(units)):
			frappe.throw(_("A unit is listed twice for this resident."))

	def on_update(self):
		self.link_portal_user_to_customer()

	def link_portal_user_to_customer(self):
		"""ERPNext shows a customer's invoices and receipts on its portal to the Customer's portal users: the
		resident's portal user becomes one, so they see their own bills and nobody else's."""
		if not (self.user and self.customer):
			return
		customer = frappe.get_doc("Customer", self.customer)
		if not any(row.user == self.user for row in customer.get("portal_users", [])):
			customer.append("portal_users", {"user": self.user})
			customer.save(ignore_permissions=True)
		user = frappe.get_doc("User", self.user)
		if "Customer" not in {r.role for r in user.roles}:
			user.add_roles("Customer")
