# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""工作联系单 (R17, R18, R40, R45, R28): the company's written liaison with a developer about one case or a batch
(汇总), signed by the office director, reviewed by customer service, signed by the general manager, answered
by the developer. The voucher for contact, confirmation and cost settlement."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import validate_workflow
from frappe.utils import add_to_date, flt, get_datetime, now_datetime

from property_helpdesk.links import validate_fetched_links
from property_helpdesk.roles import first_holder
from property_helpdesk.workflow_guard import state_entered
from property_helpdesk.services.escalation import ROLE_OF_LEVEL

CHASE_ROLES = {**ROLE_OF_LEVEL, "Engineering Manager": "Property Engineering Manager"}

SETTINGS = "Property Helpdesk Settings"
REPLIED_STATES = ("Replied", "Closed")
# What the general manager signed is what the developer is asked, and what billing later relies on.
SIGNED_STATES = ("GM Signed", "Sent to Developer", *REPLIED_STATES)
REVIEW_STATES = ("Draft", "Director Signed")  # R28: the 3-day review runs until customer service reviews
REPLY_FIELDS = (
	"reply_decision",
	"authorised_amount",
	"reply_remarks",
	"replied_by",
	"replied_at",
)
LOCKED_FIELDS = ("subject", "purpose", "developer", "property", "liable_party", "work_timing", "content")
# Set by the server only (record_step, chase_overdue, the portal's reply, the engineering review): a value sent
# with a save is replaced by the stored one (see keep_server_fields). Frappe 15 does not protect read-only
# fields on a REST update.
SIGNATURE_FIELDS = (
	"director_signed_by",
	"director_signed_at",
	"cs_reviewed_by",
	"cs_reviewed_at",
	"gm_signed_by",
	"gm_signed_at",
	"engineering_reviewed_by",
	"engineering_reviewed_at",
	"engineering_opinion",
)
SERVER_FIELDS = (
	"recovery_invoice",  # set by billing from ERPNext's invoice events (R17, R40)
	"recovery_status",
	*SIGNATURE_FIELDS,
	"sent_at",
	"reply_deadline",
	"review_deadline",
	"reply_channel",
	"reply_recorded_by",
	"agreed_amount",
	"closed_at",
)
ENGINEERING_MANAGER = "Property Engineering Manager"
PAPER_REPLY_ROLE = "Property CS Manager"


class LiaisonSheet(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.liaison_chase.liaison_chase import LiaisonChase
		from property_helpdesk.property_helpdesk.doctype.liaison_sheet_case.liaison_sheet_case import (
			LiaisonSheetCase,
		)

		agreed_amount: DF.Currency
		authorised_amount: DF.Currency
		cases: DF.Table[LiaisonSheetCase]
		chases: DF.Table[LiaisonChase]
		closed_at: DF.Datetime | None
		content: DF.Text
		cs_reviewed_at: DF.Datetime | None
		cs_reviewed_by: DF.Link | None
		developer: DF.Link
		developer_type: DF.Data | None
		director_signed_at: DF.Datetime | None
		director_signed_by: DF.Link | None
		engineering_opinion: DF.SmallText | None
		engineering_reviewed_at: DF.Datetime | None
		engineering_reviewed_by: DF.Link | None
		gm_signed_at: DF.Datetime | None
		gm_signed_by: DF.Link | None
		is_batch: DF.Check
		liable_party: DF.Literal["Developer", "Maintenance Fund", "Owner", "Warranty Contractor"]
		property: DF.Link | None
		purpose: DF.Literal[
			"Developer-Liable Repair",
			"Common Facility",
			"Quality Dispute",
			"Compensation",
			"Quality Dissatisfaction",
		]
		replied_at: DF.Datetime | None
		replied_by: DF.Data | None
		reply_channel: DF.Literal["", "Portal", "Paper"]
		reply_deadline: DF.Datetime | None
		reply_decision: DF.Literal["", "Confirmed", "Rejected", "Amount Authorised"]
		recovery_invoice: DF.Link | None
		recovery_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Credited", "Cancelled"]
		reply_recorded_by: DF.Link | None
		reply_remarks: DF.SmallText | None
		requested_amount: DF.Currency
		review_deadline: DF.Datetime | None
		sent_at: DF.Datetime | None
		subject: DF.Data
		work_timing: DF.Literal["Before the Sheet", "After the Sheet"]
		workflow_state: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		self.keep_server_fields()
		self.is_batch = int(len(self.cases) > 1)
		self.requested_amount = sum(flt(row.amount) for row in self.cases)
		if self.is_new() and self.purpose == "Quality Dissatisfaction":
			days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
			self.review_deadline = add_to_date(now_datetime(), days=days)
		self.record_step()

	def keep_server_fields(self):
		"""Signatures, dates, deadlines and the agreed amount come from the server; the reply (decision, amount,
		remarks, the developer's signatory and date) may be entered only while the sheet awaits it (the paper
		path) and is refused once recorded (validate_reply); chases are added by the scheduler only."""
		before = self.get_doc_before_save()
		for field in SERVER_FIELDS:
			self.set(field, before.get(field) if before else None)
		if not before or before.workflow_state not in ("Sent to Developer", *REPLIED_STATES):
			for field in REPLY_FIELDS:
				self.set(field, before.get(field) if before else None)
		if not self.flags.recording_chase:
			self.set("chases", [row.as_dict() for row in before.chases] if before else [])

	def validate(self):
		# The transition itself first (Frappe checks it again later): a step the user may not take is refused
		# as such, before any check of what the step needs.
		validate_workflow(self)
		validate_fetched_links(self)
		self.validate_locked()
		self.validate_cases()
		self.validate_reply()
		self.validate_review()

	def record_step(self):
		"""Who signed each step and when (R40): set by the server as the workflow moves, never typed."""
		state = state_entered(self)
		if not state:
			return
		now, user = now_datetime(), frappe.session.user
		if state == "Draft":
			# Returned for revision: the redrafted sheet is signed afresh, never printed with the old sign-offs
			for field in SIGNATURE_FIELDS:
				self.set(field, None)
		elif state == "Director Signed":
			self.director_signed_by, self.director_signed_at = user, now
		elif state == "CS Reviewed":
			self.cs_reviewed_by, self.cs_reviewed_at = user, now
		elif state == "GM Signed":
			self.gm_signed_by, self.gm_signed_at = user, now
		elif state == "Sent to Developer":
			self.sent_at = now
			if self.developer_type == "External Developer":
				# R17: 限时确认回复 for an external developer
				days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
				self.reply_deadline = add_to_date(now, days=days)
		elif state == "Replied":
			if not self.reply_decision:
				frappe.throw(
					_("Record the developer's decision before marking the sheet replied."),
					title=_("Reply Missing"),
				)
			# Portal replies are stamped by the portal; a paper reply carries the developer's signatory and the
			# date on the paper as staff enter them, and who entered it.
			self.replied_at = self.replied_at or now
			self.reply_recorded_by = user
			self.reply_channel = self.reply_channel or "Paper"
			self.replied_by = self.replied_by or self.developer
			self.agreed_amount = (
				self.authorised_amount
				if self.reply_decision == "Amount Authorised"
				else self.requested_amount
				if self.reply_decision == "Confirmed"
				else 0
			)
		elif state == "Closed":
			self.closed_at = now

	def validate_locked(self):
		"""Once the general manager has signed, the sheet says what was signed: its content, liable party and
		cases stay as they are (the reply and the agreed amount are guarded by validate_reply and the server)."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state not in SIGNED_STATES:
			return
		changed = [_(self.meta.get_label(f)) for f in LOCKED_FIELDS if self.get(f) != before.get(f)]
		if case_rows(self) != case_rows(before):
			changed.append(_(self.meta.get_label("cases")))
		if changed:
			frappe.throw(
				_("{0} can no longer be changed: the sheet is {1}.").format(
					", ".join(changed), _(before.workflow_state)
				),
				frappe.PermissionError,
			)

	def validate_cases(self):
		seen = set()
		for row in self.cases:
			if row.service_ticket in seen:
				frappe.throw(_("Case {0} appears twice on this sheet.").format(row.service_ticket))
			seen.add(row.service_ticket)
			case_property = frappe.db.get_value("Service Ticket", row.service_ticket, "property")
			if self.property and case_property != self.property:
				frappe.throw(
					_("Case {0} is not of the property {1}.").format(row.service_ticket, self.property)
				)
			# the developer's portal shows the sheet's cases: only the developer's own properties' cases
			if frappe.db.get_value("Property", case_property, "developer") != self.developer:
				frappe.throw(
					_("Case {0} is not of a property of the developer {1}.").format(
						row.service_ticket, self.developer
					)
				)

	def validate_reply(self):
		if self.reply_decision == "Amount Authorised" and not flt(self.authorised_amount):
			frappe.throw(_("Give the amount the developer authorised."), title=_("Reply Incomplete"))
		before = self.get_doc_before_save()
		if before and before.workflow_state in REPLIED_STATES:
			for field in REPLY_FIELDS:
				if self.get(field) != before.get(field):
					frappe.throw(
						_("The developer's reply is recorded and cannot be changed."), frappe.PermissionError
					)
		if (
			before
			and before.workflow_state == "Sent to Developer"
			and any(self.get(f) != before.get(f) for f in REPLY_FIELDS)
			and PAPER_REPLY_ROLE not in frappe.get_roles()
		):
			# the developer's contact answers on the portal; a paper reply is entered by customer service
			frappe.throw(
				_("Only the customer service manager enters a reply received on paper."),
				frappe.PermissionError,
			)
		if self.replied_at and get_datetime(self.replied_at) > now_datetime():
			frappe.throw(_("The reply date cannot be in the future."), title=_("Reply Incomplete"))
		if self.replied_at and self.sent_at and get_datetime(self.replied_at) < get_datetime(self.sent_at):
			frappe.throw(
				_("The reply date cannot be before the sheet was sent."), title=_("Reply Incomplete")
			)

	def validate_review(self):
		"""R28: a quality-dissatisfaction sheet is reviewed by the engineering manager together with customer
		service; the customer-service review is the second of the two."""
		if (
			state_entered(self) == "CS Reviewed"
			and self.purpose == "Quality Dissatisfaction"
			and not self.engineering_reviewed_at
		):
			frappe.throw(
				_("The engineering manager reviews a quality-dissatisfaction sheet before customer service."),
				title=_("Engineering Review Missing"),
			)


def case_rows(doc) -> list:
	return [(row.service_ticket, flt(row.amount)) for row in doc.cases]


@frappe.whitelist(methods=["POST"])
def record_engineering_review(sheet: str, opinion: str) -> dict:
	"""R28: the engineering manager's part of the 3-day review of a quality-dissatisfaction sheet."""
	if ENGINEERING_MANAGER not in frappe.get_roles():
		raise frappe.PermissionError(_("Only the engineering manager reviews the engineering side."))
	doc = frappe.get_doc("Liaison Sheet", sheet)
	doc.check_permission("read")
	if doc.purpose != "Quality Dissatisfaction" or doc.workflow_state not in REVIEW_STATES:
		frappe.throw(
			_("Only a quality-dissatisfaction sheet awaiting its review takes the engineering review."),
			title=_("Not Under Review"),
		)
	if doc.engineering_reviewed_at:
		frappe.throw(_("The engineering review is already recorded."), title=_("Already Reviewed"))
	if not (opinion or "").strip():
		frappe.throw(_("Give the engineering opinion."), title=_("Opinion Missing"))
	now = now_datetime()
	doc.db_set(
		{
			"engineering_reviewed_by": frappe.session.user,
			"engineering_reviewed_at": now,
			"engineering_opinion": opinion.strip(),
		}
	)
	return {"name": doc.name, "engineering_reviewed_at": now}


@frappe.whitelist(methods=["POST"])
def make_liaison_sheet(source_name: str, purpose: str | None = None):
	"""A new liaison sheet for one case, opened from the case's form (R17, R40)."""
	ticket = frappe.get_doc("Service Ticket", source_name)
	ticket.check_permission("read")
	frappe.has_permission("Liaison Sheet", "create", throw=True)
	doc = frappe.new_doc("Liaison Sheet")
	doc.property = ticket.property
	doc.developer = frappe.db.get_value("Property", ticket.property, "developer")
	doc.subject = ticket.subject
	if purpose in doc.meta.get_options("purpose").split("\n"):
		doc.purpose = purpose
	if ticket.get("liable_party") in doc.meta.get_options("liable_party").split("\n"):
		doc.liable_party = ticket.liable_party
	doc.append("cases", {"service_ticket": ticket.name, "unit": ticket.unit, "subject": ticket.subject})
	return doc


@frappe.whitelist()
def cases_awaiting_sheet() -> list[str]:
	"""Cases flagged as needing a liaison sheet (R17, R18) that no sheet covers yet, for the list's filter."""
	if not frappe.has_permission("Service Ticket", "read"):
		raise frappe.PermissionError
	case, row = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Liaison Sheet Case")
	covered = frappe.qb.from_(row).select(row.service_ticket).where(row.parenttype == "Liaison Sheet")
	return [
		r[0]
		for r in frappe.qb.from_(case)
		.select(case.name)
		.where((case.needs_liaison_sheet == 1) & case.name.notin(covered))
		.orderby(case.creation, order=frappe.qb.desc)
		.limit(500)
		.run()
	]


def chase_overdue() -> int:
	"""R17: external developers past their reply deadline are chased, first by the CS manager, then, one reply
	period later, by the general manager; R28: quality-dissatisfaction sheets not reviewed in time likewise.
	Each chase is recorded once per level on the sheet."""
	now = now_datetime()
	reply_days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
	review_days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
	overdue = frappe.get_all(
		"Liaison Sheet",
		filters={"workflow_state": "Sent to Developer", "reply_deadline": ("<=", now)},
		fields=["name", "reply_deadline", "subject"],
	)
	late_reviews = frappe.get_all(
		"Liaison Sheet",
		filters={"workflow_state": ("in", REVIEW_STATES), "review_deadline": ("<=", now)},
		fields=["name", "review_deadline as reply_deadline", "subject", "engineering_reviewed_at"],
	)
	reviews = {r.name for r in late_reviews}
	chased = 0
	for row in overdue + late_reviews:
		sheet = frappe.get_doc("Liaison Sheet", row.name)
		done = {c.level for c in sheet.chases}
		if row.name in reviews:
			# R28: both reviewers are chased at the deadline, the general manager one review period later
			levels = [("CS Manager", 0), ("General Manager", review_days)]
			if not row.engineering_reviewed_at:
				levels.insert(1, ("Engineering Manager", 0))
		else:
			levels = [("CS Manager", 0), ("General Manager", reply_days)]
		for level, after in levels:
			if level in done or get_datetime(row.reply_deadline) + timedelta(days=after) > now:
				continue
			user = first_holder(CHASE_ROLES[level])
			sheet.append("chases", {"chased_at": now, "level": level, "notified_user": user})
			if user:
				frappe.get_doc(
					{
						"doctype": "Notification Log",
						"for_user": user,
						"type": "Alert",
						"document_type": "Liaison Sheet",
						"document_name": sheet.name,
						"subject": _("Liaison sheet {0} is past its deadline: {1}").format(
							sheet.name, sheet.subject
						),
					}
				).insert(ignore_permissions=True)
			chased += 1
		if len(sheet.chases) > len(done):
			sheet.flags.recording_chase = True
			sheet.save(ignore_permissions=True)
	return chased


def chase_overdue_job():
	"""Scheduler entry point: a job commits its own work."""
	chase_overdue()
	frappe.db.commit()
