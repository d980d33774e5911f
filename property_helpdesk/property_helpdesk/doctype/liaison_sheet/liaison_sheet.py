# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""工作联系单 (R17, R18, R40, R45, R28): the company's written liaison with a developer about one case or a batch
(汇总), signed by the office director, reviewed by customer service, signed by the general manager, answered
by the developer. The voucher for contact, confirmation and cost settlement.

Who signed each step and when, the deadlines, how the reply came and who recorded it, the agreed amount, the
chases and the recovery are the server's: those fields sit at permission level 1, which every reader of the
sheet reads and no role writes, so Frappe puts back the stored value of whatever a save sends for them
(Document.validate_higher_perm_levels, before before_validate). The server sets them in before_validate
(record_step), by a direct write (the engineering review, a chase, billing), or in a save it has authorised
itself (the developer's portal reply). The developer's reply (decision, amount, remarks, signatory, date) is
typed by the CS manager from a paper reply, so it stays at level 0 under the state rules of validate_reply."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.mapper import get_mapped_doc
from frappe.model.workflow import validate_workflow
from frappe.utils import add_to_date, flt, get_datetime, now_datetime
from frappe.utils.html_utils import sanitize_html

from property_helpdesk.access import restrict
from property_helpdesk.constants import (
	CASE,
	CS_MANAGER,
	ENGINEERING_MANAGER,
	LIAISON_SHEET,
	PROPERTY,
	REPLIED_STATES,
	SETTINGS,
	SIGNED_STATES,
)
from property_helpdesk.exceptions import FrozenFieldError, InvalidTimeError, StepPreconditionError
from property_helpdesk.links import validate_fetched_links
from property_helpdesk.roles import POST_OF_LEVEL, company_post_people, the_one
from property_helpdesk.services import notify
from property_helpdesk.services.frozen import changed_fields, refuse_changes
from property_helpdesk.whitelist_guard import mapper_target
from property_helpdesk.workflow_guard import state_entered

CHASE = "Liaison Chase"
SENT = "Sent to Developer"
REVIEW_STATES = ("Draft", "Director Signed")  # R28: the 3-day review runs until customer service reviews
# The developer's reply: entered while the sheet awaits it (on the portal, or by the CS manager from paper)
REPLY_FIELDS = ("reply_decision", "authorised_amount", "reply_remarks", "replied_by", "replied_at")
# What the general manager signed is what the developer is asked, and what billing later relies on.
LOCKED_FIELDS = (
	"subject",
	"purpose",
	"developer",
	"property",
	"liable_party",
	"work_timing",
	"content",
	"cases",
)
# Signed afresh when the sheet is returned for revision
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
		recovery_invoice: DF.Link | None
		recovery_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Credited", "Cancelled"]
		replied_at: DF.Datetime | None
		replied_by: DF.Data | None
		reply_channel: DF.Literal["", "Portal", "Paper"]
		reply_deadline: DF.Datetime | None
		reply_decision: DF.Literal["", "Confirmed", "Rejected", "Amount Authorised"]
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
		self.hold_reply_until_sent()
		self.is_batch = int(len(self.cases) > 1)
		self.requested_amount = sum(flt(row.amount) for row in self.cases)
		if self.is_new() and self.purpose == "Quality Dissatisfaction":
			days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
			self.review_deadline = add_to_date(now_datetime(), days=days)
		self.record_step()

	def hold_reply_until_sent(self):
		"""No reply before the sheet is sent: what a save sends for the reply fields before then is not kept (once
		sent, validate_reply says who may enter it; once recorded, validate_frozen keeps it)."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state not in (SENT, *REPLIED_STATES):
			for field in REPLY_FIELDS:
				self.set(field, before.get(field) if before else None)

	def validate(self):
		# The transition itself first (Frappe checks it again later): a step the user may not take is refused
		# as such, before any check of what the step needs.
		validate_workflow(self)
		validate_fetched_links(self)
		self.validate_frozen()
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
		elif state == SENT:
			self.sent_at = now
			if self.developer_type == "External Developer":
				# R17: 限时确认回复 for an external developer
				days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
				self.reply_deadline = add_to_date(now, days=days)
		elif state == "Replied":
			if not self.reply_decision:
				frappe.throw(
					_("Record the developer's decision before marking the sheet replied."),
					StepPreconditionError,
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

	def validate_frozen(self):
		"""Once the general manager has signed, the sheet says what was signed: its content, liable party and
		cases stay as they are; once the developer's reply is recorded, it stays as recorded."""
		before = self.get_doc_before_save()
		if not before:
			return
		if before.workflow_state in SIGNED_STATES:
			refuse_changes(
				self, before, LOCKED_FIELDS, _("the sheet is {0}").format(_(before.workflow_state))
			)
		if before.workflow_state in REPLIED_STATES:
			refuse_changes(self, before, REPLY_FIELDS, _("the developer's reply is recorded"))

	def validate_cases(self):
		seen = set()
		for row in self.cases:
			if row.service_ticket in seen:
				frappe.throw(_("Case {0} appears twice on this sheet.").format(row.service_ticket))
			seen.add(row.service_ticket)
			case_property = frappe.db.get_value(CASE, row.service_ticket, "property")
			if self.property and case_property != self.property:
				frappe.throw(
					_("Case {0} is not of the property {1}.").format(row.service_ticket, self.property)
				)
			# the developer's portal shows the sheet's cases: only the developer's own properties' cases
			if frappe.db.get_value(PROPERTY, case_property, "developer") != self.developer:
				frappe.throw(
					_("Case {0} is not of a property of the developer {1}.").format(
						row.service_ticket, self.developer
					)
				)

	def validate_reply(self):
		if self.reply_decision == "Amount Authorised" and not flt(self.authorised_amount):
			frappe.throw(_("Give the amount the developer authorised."), title=_("Reply Incomplete"))
		before = self.get_doc_before_save()
		if (
			before
			and before.workflow_state == SENT
			and changed_fields(self, before, REPLY_FIELDS)
			and CS_MANAGER not in frappe.get_roles()
		):
			# the developer's contact answers on the portal; a paper reply is entered by customer service
			frappe.throw(
				_("Only the customer service manager enters a reply received on paper."),
				frappe.PermissionError,
			)
		if self.replied_at and get_datetime(self.replied_at) > now_datetime():
			frappe.throw(
				_("The reply date cannot be in the future."), InvalidTimeError, title=_("Reply Incomplete")
			)
		if self.replied_at and self.sent_at and get_datetime(self.replied_at) < get_datetime(self.sent_at):
			frappe.throw(
				_("The reply date cannot be before the sheet was sent."),
				InvalidTimeError,
				title=_("Reply Incomplete"),
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
				StepPreconditionError,
				title=_("Engineering Review Missing"),
			)


@frappe.whitelist(methods=["POST"])
def record_engineering_review(sheet: str, opinion: str) -> dict:
	"""R28: the engineering manager's part of the 3-day review of a quality-dissatisfaction sheet."""
	if ENGINEERING_MANAGER not in frappe.get_roles():
		raise frappe.PermissionError(_("Only the engineering manager reviews the engineering side."))
	doc = frappe.get_doc(LIAISON_SHEET, sheet)
	doc.check_permission("read")
	if doc.purpose != "Quality Dissatisfaction" or doc.workflow_state not in REVIEW_STATES:
		frappe.throw(
			_("Only a quality-dissatisfaction sheet awaiting its review takes the engineering review."),
			StepPreconditionError,
			title=_("Not Under Review"),
		)
	if doc.engineering_reviewed_at:
		frappe.throw(
			_("The engineering review is already recorded."), FrozenFieldError, title=_("Already Reviewed")
		)
	if not (opinion or "").strip():
		frappe.throw(_("Give the engineering opinion."), StepPreconditionError, title=_("Opinion Missing"))
	now = now_datetime()
	# the review is the engineering manager's, who does not write the sheet: a direct write of its three fields,
	# the opinion's markup cleaned as a save would clean it (BaseDocument._sanitize_content)
	doc.db_set(
		{
			"engineering_reviewed_by": frappe.session.user,
			"engineering_reviewed_at": now,
			"engineering_opinion": sanitize_html(opinion.strip()),
		}
	)
	return {"name": doc.name, "engineering_reviewed_at": now}


@frappe.whitelist(methods=["POST"])
def make_liaison_sheet(source_name: str, target_doc: str | None = None, purpose: str | None = None):
	"""A new liaison sheet for one case, opened from the case's form (R17, R40). Frappe's mapper checks that
	the user may create a sheet and read the case."""

	def postprocess(ticket, sheet):
		sheet.developer = frappe.db.get_value(PROPERTY, ticket.property, "developer")
		if purpose in sheet.meta.get_options("purpose").split("\n"):
			sheet.purpose = purpose
		if ticket.get("liable_party") in sheet.meta.get_options("liable_party").split("\n"):
			sheet.liable_party = ticket.liable_party
		sheet.append("cases", {"service_ticket": ticket.name, "unit": ticket.unit, "subject": ticket.subject})

	return get_mapped_doc(
		CASE,
		source_name,
		{
			CASE: {
				"doctype": LIAISON_SHEET,
				# the case's subject and property map by their names; its closing time is not the sheet's, and
				# its liable party is taken only where the sheet knows the option (postprocess)
				"field_no_map": ["closed_at", "liable_party"],
			}
		},
		mapper_target(target_doc, LIAISON_SHEET),
		postprocess,
	)


@frappe.whitelist()
def cases_awaiting_sheet() -> list[str]:
	"""Cases flagged as needing a liaison sheet (R17, R18) that no sheet covers yet, for the list's filter."""
	if not frappe.has_permission(CASE, "read"):
		raise frappe.PermissionError
	case, row = frappe.qb.DocType(CASE), frappe.qb.DocType("Liaison Sheet Case")
	covered = frappe.qb.from_(row).select(row.service_ticket).where(row.parenttype == LIAISON_SHEET)
	query = (
		frappe.qb.from_(case)
		.select(case.name)
		.where((case.needs_liaison_sheet == 1) & case.name.notin(covered))
		.orderby(case.creation, order=frappe.qb.desc)
		.limit(500)
	)
	# R4, R1: the user's properties only (qb skips Frappe's User Permissions)
	return [r[0] for r in restrict(query, case.property, doctype=CASE).run()]


def chase_overdue() -> int:
	"""R17: external developers past their reply deadline are chased, first by the CS manager, then, one reply
	period later, by the general manager; R28: quality-dissatisfaction sheets not reviewed in time likewise.
	Each chase is recorded once per level on the sheet (its Chases, the job's own "already chased" record) and
	the person chasing is told. Scheduled every 15 minutes; Frappe's scheduler commits after the job."""
	now = now_datetime()
	reply_days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
	review_days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
	overdue = frappe.get_all(
		LIAISON_SHEET,
		filters={"workflow_state": SENT, "reply_deadline": ("<=", now)},
		fields=["name", "reply_deadline", "subject", "property"],
	)
	late_reviews = frappe.get_all(
		LIAISON_SHEET,
		filters={"workflow_state": ("in", REVIEW_STATES), "review_deadline": ("<=", now)},
		fields=[
			"name",
			"review_deadline as reply_deadline",
			"subject",
			"engineering_reviewed_at",
			"property",
		],
	)
	reviews = {r.name for r in late_reviews}
	chased = chased_levels([r.name for r in overdue + late_reviews])
	due = []
	for row in overdue + late_reviews:
		done = chased.get(row.name, [])
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
			# R4: the person Settings name, else every holder of the post's role who works for the sheet's
			# property; the chase row records the one person told, none when several are (each has their log)
			field = POST_OF_LEVEL[level]
			people = company_post_people(field, property_name=row.property)[field]
			record_chase(row.name, level, the_one(people), now, idx=len(done) + 1)
			done.append(level)
			due.extend((row, user) for user in people)
	langs = notify.languages({user for _row, user in due if user})
	notify.tell(
		[
			notify.Message(
				user=user,
				subject=_("Liaison sheet {0} is past its deadline: {1}", lang=langs[user]).format(
					row.name, row.subject
				),
				doctype=LIAISON_SHEET,
				name=row.name,
			)
			for row, user in due
			if user
		],
		email=False,  # system notifications only, as chases always were
	)
	return len(due)


def chased_levels(sheets: list[str]) -> dict[str, list[str]]:
	"""The levels each sheet has been chased at, in one query."""
	levels = {}
	if sheets:
		for row in frappe.get_all(
			CHASE,
			filters={"parent": ("in", sheets), "parenttype": LIAISON_SHEET},
			fields=["parent", "level"],
			order_by="idx asc",
		):
			levels.setdefault(row.parent, []).append(row.level)
	return levels


def record_chase(sheet: str, level: str, user: str | None, at, idx: int) -> None:
	"""One chase on the sheet's record: its own row of the sheet's Chases, written directly. A chase is the
	scheduler's note on the sheet, not an edit of it: no save of the sheet (its checks, its modified time) is
	involved, and a user's save keeps the row (Chases is at permission level 1, put back from the database)."""
	frappe.get_doc(
		{
			"doctype": CHASE,
			"parent": sheet,
			"parenttype": LIAISON_SHEET,
			"parentfield": "chases",
			"idx": idx,
			"chased_at": at,
			"level": level,
			"notified_user": user,
		}
	).db_insert()
