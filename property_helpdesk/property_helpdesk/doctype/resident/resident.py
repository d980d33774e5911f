# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""业户: a resident with phone, units, portal user and the ERPNext Customer that paid repairs are billed to."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.links import validate_phone_fields
from property_helpdesk.procedure.validation import has_markup


class Resident(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.resident_unit.resident_unit import ResidentUnit

		customer: DF.Link | None
		email: DF.Data | None
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
		validate_phone_fields(self, "phone")
		if self.is_new() and frappe.db.exists(
			"Resident", {"resident_name": self.resident_name, "phone": self.phone}
		):
			# the same person entered twice (a spreadsheet imported again): one record, one portal account
			frappe.throw(
				_("Resident {0} with phone {1} is already registered.").format(
					frappe.bold(self.resident_name), frappe.bold(self.phone)
				),
				frappe.DuplicateEntryError,
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
			user.flags.ignore_permissions = True
			user.add_roles("Customer")


@frappe.whitelist(methods=["POST"])
def invite_to_portal(resident: str) -> dict:
	"""Staff invite a resident to the portal: a website user for the resident's email, with the resident role.
	Frappe's welcome mail lets them set a password; where no outgoing email account is set up, staff get the
	set-password link to pass on (SMS, WeChat) instead. Their cases are those of the units on the record."""
	from property_helpdesk.constants import RESIDENT_ROLE

	doc = frappe.get_doc("Resident", resident)
	doc.check_permission("write")
	if not doc.email:
		frappe.throw(_("Enter the resident's email before inviting them."), title=_("Email Missing"))
	if not doc.units:
		frappe.throw(_("List the resident's units before inviting them."), title=_("Units Missing"))
	user_name = frappe.db.get_value("User", {"email": doc.email}, "name")
	if user_name and frappe.db.get_value("Resident", {"user": user_name, "name": ("!=", doc.name)}):
		frappe.throw(_("{0} is already the portal user of another resident.").format(doc.email))
	can_mail = bool(frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}))
	if user_name:
		user = frappe.get_doc("User", user_name)
		if user.user_type != "Website User":
			# never hand a staff account to a resident record, nor its set-password link to whoever typed it
			frappe.throw(
				_("{0} belongs to a staff account and cannot be invited as a resident.").format(doc.email),
				frappe.PermissionError,
			)
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": doc.email,
				"first_name": doc.resident_name,
				"mobile_no": doc.phone,
				"user_type": "Website User",
				"send_welcome_email": int(can_mail),
			}
		)
		user.flags.ignore_permissions = True
		user.insert()
	user.flags.ignore_permissions = True  # staff grant this one portal role, and nothing else of the user
	user.add_roles(RESIDENT_ROLE)
	doc.user = user.name
	doc.save()
	# an existing portal user keeps their password: a set-password link is only ever made for a new account
	link = None if (can_mail or user_name) else user.reset_password(send_email=False)
	return {"user": user.name, "mailed": can_mail and not user_name, "link": link}
