# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""工单类别变更 (R20–R22): a job's class is fixed at dispatch; a change afterwards is this request, with its
reason (and, to major, why and the expected completion date, R22), decided by the property's maintenance
supervisor or its office director through the Workflow "Job Class Change Approval".

Its life, in Frappe's order: `before_validate` takes what the server knows (the job's class now, its case,
property and technician, who asks and when, whom to ask; at the decision who decides and when), `validate`
checks the rules of procedure/job_class.py and keeps the request as it was asked, `after_insert` asks the
approver (a Frappe assignment) and writes the request on the work order's timeline, `on_submit` (the workflow's
Approve or Reject) applies an approved class to the work order, whose save moves its clocks, and tells the
requester. What the server sets sits at permission level 1, which no role writes.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime, today

from property_helpdesk.constants import (
	CLASS_CHANGE_APPROVED,
	DISPATCHED,
	JOB_CLASS_CHANGE,
	ON_SITE,
	PROPERTY,
	WORK_ORDER,
)
from property_helpdesk.exceptions import InvalidTimeError, JobClassChangeError
from property_helpdesk.procedure import job_class as J
from property_helpdesk.services import frozen, notify
from property_helpdesk.workflow_guard import assert_transition

# What the requester asks; the approver decides on it as it was asked.
REQUEST_FIELDS = ("work_order", "to_class", "major_reason", "expected_completion", "reason")


class JobClassChange(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amended_from: DF.Link | None
		approver: DF.Link | None
		decided_at: DF.Datetime | None
		decided_by: DF.Link | None
		expected_completion: DF.Date | None
		from_class: DF.Literal["", "Minor or Urgent", "General", "Major"]
		major_reason: DF.Literal["", "Major Repair", "External Specialist", "Parts from Elsewhere"]
		office_director: DF.Link | None
		property: DF.Link | None
		reason: DF.SmallText
		requested_at: DF.Datetime | None
		requested_by: DF.Link | None
		service_ticket: DF.Link | None
		technician: DF.Link | None
		to_class: DF.Literal["", "Minor or Urgent", "General", "Major"]
		unit: DF.Link | None
		work_order: DF.Link
		workflow_state: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		self.reason = (self.reason or "").strip()
		if self.to_class != J.MAJOR:
			self.major_reason = self.expected_completion = None
		if self.is_new():
			self.take_request()
		elif self.docstatus == 1 and not self.decided_at:
			self.decided_by = frappe.session.user
			self.decided_at = now_datetime()

	def take_request(self):
		"""Who asks and when, the job's class now and whom to ask: the server's, whatever was sent."""
		job = frappe.db.get_value(
			WORK_ORDER,
			self.work_order,
			["job_class", "service_ticket", "property", "unit", "technician"],
			as_dict=True,
		)
		if not job:
			return
		self.from_class = job.job_class
		self.update({f: job[f] for f in ("service_ticket", "property", "unit", "technician")})
		self.requested_by = frappe.session.user
		self.requested_at = now_datetime()
		people = (
			frappe.db.get_value(
				PROPERTY, job.property, ["maintenance_supervisor", "office_director"], as_dict=True
			)
			or frappe._dict()
		)
		self.office_director = people.office_director
		self.approver = J.approver(people.maintenance_supervisor, people.office_director, self.requested_by)

	def validate(self):
		if not self.is_new():
			frozen.refuse_changes(
				self, self.get_doc_before_save(), REQUEST_FIELDS, _("a request is decided as it was asked")
			)
			return
		frappe.has_permission(WORK_ORDER, "write", self.work_order, throw=True)
		status = frappe.db.get_value(WORK_ORDER, self.work_order, "status")
		pending = frappe.db.exists(
			JOB_CLASS_CHANGE,
			{"work_order": self.work_order, "docstatus": 0, "name": ("!=", self.name or "")},
		)
		problem = J.request_error(
			self.from_class,
			self.to_class,
			self.reason,
			self.major_reason,
			self.expected_completion and getdate(self.expected_completion),
			getdate(today()),
			status in (DISPATCHED, ON_SITE),
			bool(pending),
		)
		if problem:
			frappe.throw(
				{
					J.JOB_CLOSED: _("Only an open job's class can be changed."),
					J.ALREADY_PENDING: _("A change of this job's class already waits for the supervisor."),
					J.UNKNOWN_CLASS: _("Choose the job class."),
					J.SAME_CLASS: _("The job already has this class."),
					J.NO_REASON: _("Give the reason for the change."),
					J.NO_MAJOR_REASON: _("Say why the job is major."),
					J.NO_EXPECTED_DATE: _("A major job needs its expected completion date."),
					J.PAST_EXPECTED_DATE: _("The expected completion date cannot be in the past."),
				}[problem],
				InvalidTimeError if problem == J.PAST_EXPECTED_DATE else JobClassChangeError,
				title=_("Invalid Request"),
			)
		if not self.approver:
			frappe.throw(
				_("The property names no maintenance supervisor or office director to approve the change."),
				JobClassChangeError,
				title=_("Nobody to Approve"),
			)

	def after_insert(self):
		"""The approver is asked (an assignment, which they see in their list and bell) and the work order's
		timeline says so."""
		lang = notify.languages([self.approver])[self.approver]
		notify.assign(
			JOB_CLASS_CHANGE,
			self.name,
			self.approver,
			_("Approve or reject the change of job {0} from {1} to {2}: {3}", lang=lang).format(
				self.work_order, _(self.from_class, lang=lang), _(self.to_class, lang=lang), self.reason
			),
			priority="High",
		)
		self.comment_on_job(
			_("{0} asked to change the job class from {1} to {2}: {3}").format(
				frappe.utils.get_fullname(self.requested_by),
				_(self.from_class),
				_(self.to_class),
				self.reason,
			)
		)

	def before_submit(self):
		assert_transition(self, 1)

	def before_cancel(self):
		assert_transition(self, 2)

	def on_submit(self):
		"""The decision: an approved class goes to the work order, whose save refreshes its case's clocks (its
		deadlines follow the new class, R21/R22); the requester is told, the approver's assignment closed."""
		approved = self.workflow_state == CLASS_CHANGE_APPROVED
		if approved:
			job = frappe.get_doc(WORK_ORDER, self.work_order, for_update=True)
			job.job_class = self.to_class
			job.major_reason = self.major_reason
			if self.to_class == J.MAJOR:
				job.expected_completion = self.expected_completion
			# the class sits at permission level 1, which no role writes: this approval is the one way to it
			job.save(ignore_permissions=True)
		text = (
			_("{0} approved the change of the job class from {1} to {2}.")
			if approved
			else _("{0} rejected the change of the job class from {1} to {2}.")
		).format(frappe.utils.get_fullname(self.decided_by), _(self.from_class), _(self.to_class))
		self.comment_on_job(text)
		notify.unassign(JOB_CLASS_CHANGE, self.name, self.approver)
		if self.requested_by and self.requested_by != frappe.session.user:
			lang = notify.languages([self.requested_by])[self.requested_by]
			subject = (
				_("Job {0}: your change of class to {1} was approved.", lang=lang)
				if approved
				else _("Job {0}: your change of class to {1} was rejected.", lang=lang)
			).format(self.work_order, _(self.to_class, lang=lang))
			notify.tell(
				[
					notify.Message(
						user=self.requested_by, subject=subject, doctype=JOB_CLASS_CHANGE, name=self.name
					)
				],
				from_user=frappe.session.user,
			)

	def comment_on_job(self, text: str):
		frappe.get_doc(WORK_ORDER, self.work_order).add_comment("Info", f"{text} ({self.name})")
