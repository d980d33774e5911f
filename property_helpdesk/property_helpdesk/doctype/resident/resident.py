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
		disabled: DF.Check
		email: DF.Data | None
		no_email: DF.Check
		no_sms: DF.Check
		no_wechat: DF.Check
		phone: DF.Data
		preferred_channel: DF.Literal["", "SMS", "WeChat", "Email"]
		resident_name: DF.Data
		units: DF.Table[ResidentUnit]
		user: DF.Link | None
		wechat_openid: DF.Data | None
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
		self.follow_disabled()

	def follow_disabled(self):
		"""A disabled resident signs in no more (issue 15): once every record of their portal user is disabled,
		the user is disabled and each of its sessions ends at once, Frappe's clear_sessions (User's own save
		ends them only inside a web request, not in an import or a job). Enabled again, the user is too."""
		from frappe.sessions import clear_sessions

		before = self.get_doc_before_save()
		if not (self.disabled or (before and before.disabled)) or not self.user:
			return
		if frappe.db.get_value("User", self.user, "user_type") != "Website User":
			return  # never a staff account, whatever record names it
		if self.disabled and frappe.db.exists(
			"Resident", {"user": self.user, "disabled": 0, "name": ("!=", self.name)}
		):
			return  # the same person's other record (one phone, two units' records) still signs in
		user = frappe.get_doc("User", self.user)
		if user.enabled != (not self.disabled):
			user.enabled = int(not self.disabled)
			user.save(ignore_permissions=True)  # the resident's own portal account follows their record
		if self.disabled:
			clear_sessions(self.user, force=True)

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


# -- signing in with the phone on the record (issue 13) --------------------------------------------------------

# RFC 2606 keeps .invalid for addresses that can never receive mail: Frappe needs an email to make a User, a
# resident who signs in with a phone gave none, and nothing must ever be sent to a made-up address.
PHONE_USER_DOMAIN = "phone.invalid"


def residents_with_mobile(mobile: str) -> list:
	"""The Resident records whose phone is the mainland mobile `mobile` (11 digits), however it was typed."""
	from property_helpdesk.procedure.validation import mainland_mobile

	# a phone is kept as typed (+86, spaces, hyphens): narrow by its last four digits in order, compare the
	# normalised numbers here
	pattern = "%" + "%".join(mobile[-4:])
	rows = frappe.get_all(
		"Resident",
		filters={"phone": ("like", pattern), "disabled": 0},
		fields=["name", "user", "resident_name", "phone"],
	)
	return [row for row in rows if mainland_mobile(row.phone) == mobile]


def phone_account(mobile: str) -> tuple[list, str | None] | None:
	"""(the residents with `mobile`, the portal user they share or None) if the holder of `mobile` may sign in
	with it, else None.

	The residents with a phone share one portal user: the one already linked to them, which must be an enabled
	Website User (a staff account never signs in by an SMS code), or none yet (made on first sign-in). Nobody
	signs in with a number no resident has, nor with one whose records name two different users (staff sort
	that out; email sign-in still works)."""
	residents = residents_with_mobile(mobile)
	users = {row.user for row in residents if row.user}
	if not residents or len(users) > 1:
		return None
	if not users:
		return residents, None
	user = users.pop()
	enabled, user_type = frappe.db.get_value("User", user, ["enabled", "user_type"]) or (0, None)
	return (residents, user) if enabled and user_type == "Website User" else None


def may_sign_in_by_phone(mobile: str) -> bool:
	return phone_account(mobile) is not None


def link_phone_user(mobile: str) -> str | None:
	"""After the holder of `mobile` proved it with an SMS code: their portal user, made if need be (a Website
	User with the resident role and no password), and linked to each resident record with that phone that has
	none (the office recorded this phone for those units). None if they may not sign in by phone."""
	from property_helpdesk.constants import RESIDENT_ROLE

	account = phone_account(mobile)
	if account is None:
		return None
	residents, user = account
	user = user or make_phone_user(mobile, residents[0].resident_name)
	for row in residents:
		if not row.user:
			doc = frappe.get_doc("Resident", row.name)
			doc.user = user
			doc.save(ignore_permissions=True)  # the phone's holder, proven by the code, is the record's user
	portal_user = frappe.get_doc("User", user)
	if RESIDENT_ROLE not in {r.role for r in portal_user.roles}:
		portal_user.flags.ignore_permissions = True  # the one portal role, as staff grant it on invitation
		portal_user.add_roles(RESIDENT_ROLE)
	return user


def make_phone_user(mobile: str, full_name: str) -> str:
	"""A Website User for a resident who has only a phone: `<mobile>@phone.invalid`, no password, no welcome
	mail. (Frappe's User needs an email; a made-up one at .invalid can never receive one by mistake.)"""
	email = f"{mobile}@{PHONE_USER_DOMAIN}"
	if frappe.db.exists("User", email):
		# a user of this number left over from a record since changed: never reuse another's account
		email = f"{mobile}.{frappe.generate_hash(length=6)}@{PHONE_USER_DOMAIN}"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": full_name,
			"user_type": "Website User",
			"send_welcome_email": 0,
			"language": frappe.local.lang,  # the portal in the language they signed in with
			# Frappe keeps a mobile number on one user only
			"mobile_no": None if frappe.db.exists("User", {"mobile_no": mobile}) else mobile,
		}
	)
	user.flags.ignore_permissions = True  # made by the sign-in itself, for the phone's proven holder
	user.insert()
	return user.name
