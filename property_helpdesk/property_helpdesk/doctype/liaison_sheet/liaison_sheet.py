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

SETTINGS = "Property Helpdesk Settings"
REPLIED_STATES = ("Replied", "Closed")
REPLY_FIELDS = (
	"reply_decision",
	"authorised_amount",
	"reply_remarks",
	"replied_by",
	"replied_at",
	"reply_channel",
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
		self.is_batch = int(len(self.cases) > 1)
		self.requested_amount = sum(flt(row.amount) for row in self.cases)
		if self.is_new() and self.purpose == "Quality Dissatisfaction":
			days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
			self.review_deadline = add_to_date(now_datetime(), days=days)
		self.record_step()

	def validate(self):
		# The transition itself first (Frappe checks it again later): a step the user may not take is refused
		# as such, before any check of what the step needs.
		validate_workflow(self)
		validate_fetched_links(self)
		self.validate_cases()
		self.validate_reply()

	def record_step(self):
		"""Who signed each step and when (R40): set by the server as the workflow moves, never typed."""
		state = state_entered(self)
		if not state:
			return
		now, user = now_datetime(), frappe.session.user
		if state == "Director Signed":
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

	def validate_cases(self):
		seen = set()
		for row in self.cases:
			if row.service_ticket in seen:
				frappe.throw(_("Case {0} appears twice on this sheet.").format(row.service_ticket))
			seen.add(row.service_ticket)
			if (
				self.property
				and frappe.db.get_value("Service Ticket", row.service_ticket, "property") != self.property
			):
				frappe.throw(
					_("Case {0} is not of the property {1}.").format(row.service_ticket, self.property)
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


def chase_overdue() -> int:
	"""R17: external developers past their reply deadline are chased, first by the CS manager, then, one reply
	period later, by the general manager; R28: quality-dissatisfaction sheets not reviewed in time likewise.
	Each chase is recorded once per level on the sheet."""
	now = now_datetime()
	days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
	overdue = frappe.get_all(
		"Liaison Sheet",
		filters={"workflow_state": "Sent to Developer", "reply_deadline": ("<=", now)},
		fields=["name", "reply_deadline", "subject"],
	)
	late_reviews = frappe.get_all(
		"Liaison Sheet",
		filters={"workflow_state": ("in", ["Draft", "Director Signed"]), "review_deadline": ("<=", now)},
		fields=["name", "review_deadline as reply_deadline", "subject"],
	)
	chased = 0
	for row in overdue + late_reviews:
		sheet = frappe.get_doc("Liaison Sheet", row.name)
		done = {c.level for c in sheet.chases}
		for level, after in (("CS Manager", 0), ("General Manager", days)):
			if level in done or get_datetime(row.reply_deadline) + timedelta(days=after) > now:
				continue
			user = first_holder(ROLE_OF_LEVEL[level])
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
			sheet.save(ignore_permissions=True)
	return chased


def chase_overdue_job():
	"""Scheduler entry point: a job commits its own work."""
	chase_overdue()
	frappe.db.commit()
