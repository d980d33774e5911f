# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""和解备忘 (R41–R44): a compensation claim arising from a repair, owned by the office director. Small claims
(up to the threshold in Settings) are approved by the developer's leader by phone and answered on the spot;
large ones go through the customer-service manager's plan, the general manager's signature, negotiation under
the developer's written reply, and the resident's signed memo. The company settles against memo and sheet."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import validate_workflow
from frappe.utils import flt, fmt_money, now_datetime

from property_helpdesk.links import validate_fetched_links
from property_helpdesk.workflow_guard import state_entered

SETTINGS = "Property Helpdesk Settings"


class CompensationSettlement(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.negotiation_round.negotiation_round import (
			NegotiationRound,
		)

		answered_on_spot: DF.Check
		claim: DF.SmallText
		claim_size: DF.Literal["Small", "Large"]
		claimed_amount: DF.Currency
		developer_representative: DF.Data | None
		gm_signed_at: DF.Datetime | None
		gm_signed_by: DF.Link | None
		liable_party: DF.Literal["Developer", "Maintenance Fund", "Owner", "Warranty Contractor"]
		liaison_sheet: DF.Link | None
		memo_terms: DF.Text | None
		phone_approved_at: DF.Datetime | None
		phone_approver: DF.Data | None
		plan: DF.Text | None
		plan_by: DF.Link | None
		property: DF.Link | None
		recovery_invoice: DF.Link | None
		recovery_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Cancelled"]
		resident_name: DF.Data | None
		resident_signed_at: DF.Datetime | None
		responsible_director: DF.Link | None
		rounds: DF.Table[NegotiationRound]
		service_ticket: DF.Link
		settled_amount: DF.Currency
		settled_with_party_at: DF.Datetime | None
		threshold: DF.Currency
		unit: DF.Link | None
		workflow_state: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		if self.is_new():
			self.responsible_director = (
				frappe.db.get_value("Property", self.property, "office_director") if self.property else None
			)
		self.threshold = frappe.db.get_single_value(SETTINGS, "compensation_threshold")
		largest = max(flt(self.claimed_amount), flt(self.settled_amount))
		self.claim_size = "Small" if largest <= flt(self.threshold) else "Large"
		self.record_step()

	def validate(self):
		# The transition itself first (Frappe checks it again later): a step the user may not take is refused
		# as such, before any check of what the step needs.
		validate_workflow(self)
		validate_fetched_links(self)
		self.validate_authority()
		self.validate_step()

	def record_step(self):
		state = state_entered(self)
		if not state:
			return
		now, user = now_datetime(), frappe.session.user
		if state == "Pending General Manager":
			self.plan_by = user
		elif state == "Negotiating":
			self.gm_signed_by, self.gm_signed_at = user, now
		elif state == "Memo Signed":
			self.resident_signed_at = now
		elif state == "Settled":
			self.settled_with_party_at = now

	def validate_authority(self):
		"""R42, R43: no settlement above the small-compensation threshold without the large-claim route."""
		if self.claim_size == "Large" and self.workflow_state in ("Draft", "Small Claim Answered"):
			if self.workflow_state == "Small Claim Answered" or (
				self.get_doc_before_save()
				and self.get_doc_before_save().workflow_state == "Small Claim Answered"
			):
				frappe.throw(
					_(
						"{0} is above the small-compensation threshold of {1}: it needs the large-claim route."
					).format(
						fmt_money(max(flt(self.claimed_amount), flt(self.settled_amount))),
						fmt_money(self.threshold),
					),
					frappe.PermissionError,
				)

	def validate_step(self):
		"""What each step of R43/R44 needs before the workflow may reach it."""
		state = state_entered(self)
		if not state or self.is_new():
			return
		if state == "Small Claim Answered":
			self.require(
				("phone_approver", "phone_approved_at", "settled_amount"),
				_("the developer leader's phone approval"),
			)
			if not self.answered_on_spot:
				frappe.throw(
					_("Record that the resident was answered on the spot."), title=_("Step Incomplete")
				)
		elif state == "Pending General Manager":
			self.require(("plan",), _("the settlement plan"))
		elif state == "Memo Signed":
			self.require(
				("memo_terms", "settled_amount", "resident_signature", "liaison_sheet"), _("the signed memo")
			)
			if not self.rounds:
				frappe.throw(
					_("Log the negotiation rounds before the memo is signed."), title=_("Step Incomplete")
				)
			self.require_reply(authorising=True)
		elif state == "Settled":
			self.require(("liaison_sheet",), _("the liaison sheet"))
			self.require_reply(authorising=self.claim_size == "Large")

	def require(self, fields, what):
		missing = [_(self.meta.get_label(f)) for f in fields if not self.get(f)]
		if missing:
			frappe.throw(
				_("This step needs {0}: {1}.").format(what, ", ".join(missing)), title=_("Step Incomplete")
			)

	def require_reply(self, authorising: bool):
		"""The company settles against the liaison sheet's written reply (签复), within what it authorises."""
		sheet = frappe.db.get_value(
			"Liaison Sheet",
			self.liaison_sheet,
			["workflow_state", "reply_decision", "agreed_amount"],
			as_dict=True,
		)
		if (
			not sheet
			or sheet.workflow_state not in ("Replied", "Closed")
			or sheet.reply_decision == "Rejected"
		):
			frappe.throw(
				_("Liaison sheet {0} has no reply that accepts the claim.").format(self.liaison_sheet),
				title=_("Reply Missing"),
			)
		if authorising and flt(self.settled_amount) > flt(sheet.agreed_amount):
			frappe.throw(
				_("The settled amount {0} is above what the reply authorises ({1}).").format(
					fmt_money(self.settled_amount), fmt_money(sheet.agreed_amount)
				),
				frappe.PermissionError,
			)
