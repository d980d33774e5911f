# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""和解备忘 (R41–R44): a compensation claim arising from a repair, owned by the office director. Small claims
(up to the threshold in Settings) are approved by the developer's leader by phone and answered on the spot;
large ones go through the customer-service manager's plan, the general manager's signature, negotiation under
the developer's written reply, and the resident's signed memo. The company settles against memo and sheet.

The responsible director, the threshold and the route it gave, who drafted and signed, when the resident
signed and when the claim was settled, and the recovery are the server's: those fields sit at permission level
1, which every reader reads and no role writes, so Frappe puts back the stored value of whatever a save sends
for them (Document.validate_higher_perm_levels, before before_validate); before_validate and record_step set
them, billing writes the recovery directly."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.mapper import get_mapped_doc
from frappe.model.workflow import validate_workflow
from frappe.utils import flt, fmt_money, now_datetime

from property_helpdesk.constants import CASE, LIAISON_SHEET, PROPERTY, REPLIED_STATES, SETTINGS, SETTLEMENT
from property_helpdesk.exceptions import StepPreconditionError
from property_helpdesk.links import validate_fetched_links
from property_helpdesk.services.frozen import refuse_changes
from property_helpdesk.whitelist_guard import mapper_target
from property_helpdesk.workflow_guard import state_entered

SMALL_ROUTE = ("Small Claim Answered",)
AGREED_STATES = ("Memo Signed", "Settled")


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
		recovery_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Credited", "Cancelled"]
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
		before = self.get_doc_before_save()
		if not before:
			self.responsible_director = (
				frappe.db.get_value(PROPERTY, self.property, "office_director") if self.property else None
			)
			# R43: the threshold in force when the claim was opened decides its route, whatever Settings say later
			self.threshold = frappe.db.get_single_value(SETTINGS, "compensation_threshold")
		if not before or before.workflow_state == "Draft":
			self.claim_size = self.size_of_claim()  # the route, once taken, stays
		self.record_step()

	def validate(self):
		# The transition itself first (Frappe checks it again later): a step the user may not take is refused
		# as such, before any check of what the step needs.
		validate_workflow(self)
		validate_fetched_links(self)
		if self.is_new() and not self.responsible_director:
			frappe.throw(
				_("Property {0} has no office director: set one before opening a settlement (R41).").format(
					self.property
				),
				StepPreconditionError,
				title=_("No Office Director"),
			)
		self.validate_authority()
		self.validate_frozen()
		self.validate_step()

	def size_of_claim(self) -> str:
		largest = max(flt(self.claimed_amount), flt(self.settled_amount))
		return "Small" if largest <= flt(self.threshold) else "Large"

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
		"""R42, R43: no settlement above the small-compensation threshold on the small-claim route, in any state
		and by any save (workflow action, desk or REST)."""
		before = self.get_doc_before_save()
		on_small_route = self.workflow_state in SMALL_ROUTE or (
			self.workflow_state == "Settled" and self.claim_size == "Small"
		)
		if before and on_small_route and self.size_of_claim() == "Large":
			frappe.throw(
				_(
					"{0} is above the small-compensation threshold of {1}: it needs the large-claim route."
				).format(
					fmt_money(max(flt(self.claimed_amount), flt(self.settled_amount))),
					fmt_money(self.threshold),
				),
				frappe.PermissionError,
			)

	def validate_frozen(self):
		"""Once the small claim is answered, or the memo signed, what was agreed is what is settled and billed."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state == "Draft":
			return
		fields = ["service_ticket"]
		if before.claim_size == "Small" or before.workflow_state in AGREED_STATES:
			fields += ["claimed_amount", "settled_amount"]
		if before.workflow_state in AGREED_STATES:
			fields += ["liable_party", "liaison_sheet", "memo_terms", "resident_signature", "rounds"]
		refuse_changes(self, before, fields, _("the settlement is {0}").format(_(before.workflow_state)))

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
					_("Record that the resident was answered on the spot."),
					StepPreconditionError,
					title=_("Step Incomplete"),
				)
		elif state == "Pending General Manager":
			self.require(("plan",), _("the settlement plan"))
		elif state == "Memo Signed":
			self.require(
				("memo_terms", "settled_amount", "resident_signature", "liaison_sheet"), _("the signed memo")
			)
			if not self.rounds:
				frappe.throw(
					_("Log the negotiation rounds before the memo is signed."),
					StepPreconditionError,
					title=_("Step Incomplete"),
				)
			self.require_reply(authorising=True)
		elif state == "Settled":
			self.require(("liaison_sheet",), _("the liaison sheet"))
			self.require_reply(authorising=self.claim_size == "Large")

	def require(self, fields, what):
		missing = [_(self.meta.get_label(f)) for f in fields if not self.get(f)]
		if missing:
			frappe.throw(
				_("This step needs {0}: {1}.").format(what, ", ".join(missing)),
				StepPreconditionError,
				title=_("Step Incomplete"),
			)

	def require_reply(self, authorising: bool):
		"""The company settles against the liaison sheet's written reply (签复), within what it authorises: a
		compensation sheet covering this case, with the same liable party (R44)."""
		sheet = frappe.db.get_value(
			LIAISON_SHEET,
			self.liaison_sheet,
			["workflow_state", "reply_decision", "agreed_amount", "purpose", "liable_party"],
			as_dict=True,
		)
		if not sheet or sheet.workflow_state not in REPLIED_STATES or sheet.reply_decision == "Rejected":
			frappe.throw(
				_("Liaison sheet {0} has no reply that accepts the claim.").format(self.liaison_sheet),
				StepPreconditionError,
				title=_("Reply Missing"),
			)
		covers_case = frappe.db.exists(
			"Liaison Sheet Case",
			{
				"parent": self.liaison_sheet,
				"parenttype": LIAISON_SHEET,
				"service_ticket": self.service_ticket,
			},
		)
		if sheet.purpose != "Compensation" or not covers_case or sheet.liable_party != self.liable_party:
			frappe.throw(
				_(
					"Liaison sheet {0} is not the compensation sheet of case {1} with the liable party {2}."
				).format(self.liaison_sheet, self.service_ticket, _(self.liable_party)),
				StepPreconditionError,
				title=_("Wrong Liaison Sheet"),
			)
		if authorising and flt(self.settled_amount) > flt(sheet.agreed_amount):
			frappe.throw(
				_("The settled amount {0} is above what the reply authorises ({1}).").format(
					fmt_money(self.settled_amount), fmt_money(sheet.agreed_amount)
				),
				frappe.PermissionError,
			)


@frappe.whitelist(methods=["POST"])
def make_settlement(source_name: str, target_doc: str | None = None):
	"""A new settlement opened from its case (R41), for the desk's Service Ticket form. Frappe's mapper checks
	that the user may create a settlement and read the case; the case, its unit and property map by their
	names, the resident by the case's contact."""

	def postprocess(ticket, settlement):
		if ticket.get("liable_party") in settlement.meta.get_options("liable_party").split("\n"):
			settlement.liable_party = ticket.liable_party

	return get_mapped_doc(
		CASE,
		source_name,
		{
			CASE: {
				"doctype": SETTLEMENT,
				"field_map": {"contact_name": "resident_name"},
				"field_no_map": ["liable_party"],
			}
		},
		mapper_target(target_doc, SETTLEMENT),
		postprocess,
	)
