# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""质保期维修计划 with its 完成进程表 (R25): a self-handled job over the limit needs a plan approved by the
engineering manager and the office director (the Workflow "Warranty Repair Plan Approval"), reported daily."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_to_date, date_diff, getdate, now_datetime, today

from property_helpdesk.links import validate_fetched_links
from property_helpdesk.constants import SETTINGS, WORK_ORDER
from property_helpdesk.roles import company_posts_for
from property_helpdesk.services import notify
from property_helpdesk.workflow_guard import assert_transition


class WarrantyRepairPlan(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.plan_progress.plan_progress import PlanProgress

		amended_from: DF.Link | None
		plan: DF.Text
		planned_days: DF.Int
		planned_end: DF.Date
		planned_start: DF.Date
		progress: DF.Table[PlanProgress]
		property: DF.Link | None
		service_ticket: DF.Link | None
		unit: DF.Link | None
		work_order: DF.Link
		workflow_state: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		if self.planned_start and self.planned_end:
			self.planned_days = date_diff(self.planned_end, self.planned_start) + 1
		self.set_reporters()

	def set_reporters(self):
		for row in self.progress:
			row.reported_by = row.reported_by or frappe.session.user

	def before_submit(self):
		assert_transition(self, 1)

	def before_cancel(self):
		assert_transition(self, 2)

	def before_update_after_submit(self):
		"""The daily 完成进程表 rows are added to the approved plan."""
		self.set_reporters()
		self.validate_progress()

	def validate(self):
		validate_fetched_links(self)
		if (
			self.planned_start
			and self.planned_end
			and getdate(self.planned_end) < getdate(self.planned_start)
		):
			frappe.throw(_("The planned end cannot be before the planned start."), title=_("Invalid Plan"))
		self.validate_progress()

	def validate_progress(self):
		"""One row a day, none in the future (the daily report to the engineering manager)."""
		seen = set()
		for row in self.progress:
			day = getdate(row.progress_date)
			if day > getdate(today()):
				frappe.throw(_("Row {0}: progress cannot be reported for a future day.").format(row.idx))
			if day in seen:
				frappe.throw(_("Row {0}: progress for {1} is already reported.").format(row.idx, day))
			seen.add(day)


PLAN_NEEDED = "R25 Plan Needed"  # the notice kept in Property Helpdesk Notice: once per job and manager


def jobs_needing_a_plan(now=None) -> list[dict]:
	"""R25: jobs the company handles itself (not an external specialist's) still open longer than the limit of
	Settings since dispatch, with no approved plan. One query."""
	days = frappe.db.get_single_value("Property Helpdesk Settings", "warranty_plan_days")
	since = add_to_date(now or now_datetime(), days=-days)
	wo, plan = frappe.qb.DocType("Repair Work Order"), frappe.qb.DocType("Warranty Repair Plan")
	approved = (
		frappe.qb.from_(plan).select(plan.name).where((plan.work_order == wo.name) & (plan.docstatus == 1))
	)
	return (
		frappe.qb.from_(wo)
		.select(wo.name, wo.property, wo.unit, wo.subject, wo.dispatched_at)
		.where(wo.status.isin(("Dispatched", "On Site")))
		.where(wo.dispatched_at <= since)
		.where(wo.major_reason.isnull() | (wo.major_reason != "External Specialist"))
		.where(~frappe.qb.terms.ExistsCriterion(approved))
		.orderby(wo.dispatched_at)
	).run(as_dict=True)


def nudge_plans_needed(now=None) -> list[str]:
	"""Daily (R25): the engineering manager (Settings, else every holder of the role for the job's property, R4)
	hears once of every self-handled job open past the limit with no approved 质保期维修计划 — the job assigned
	to each of them and a system notification. Returns the jobs nudged.

	Kept in code, not a standard Notification: the limit is a Setting and "no approved plan" is a query, where a
	Notification's "Days After" counts a fixed number of days and its condition sees only the document."""
	jobs = jobs_needing_a_plan(now)
	if not jobs:
		return []
	# R4: the engineering manager Settings name, else every holder of the role who works for the job's property
	posts = company_posts_for(["engineering_manager"], {job.property for job in jobs})
	days = frappe.db.get_single_value(SETTINGS, "warranty_plan_days")
	languages = notify.languages(
		{user for people in posts.values() for user in people["engineering_manager"]}
	)
	messages = [
		notify.Message(
			user=manager,
			subject=_(
				"Work order {0} ({1}) has been open more than {2} days without an approved warranty repair plan.",
				lang=languages[manager],
			).format(job.name, job.unit or job.property or "", days),
			doctype=WORK_ORDER,
			name=job.name,
		)
		for job in jobs
		for manager in posts[job.property]["engineering_manager"]
	]
	told = notify.tell_once(messages, PLAN_NEEDED, email=False)  # a system notification, as always
	for m in told:
		# the job on each manager's list (Frappe's assignment, as this run commits)
		notify.assign(WORK_ORDER, m.name, m.user, m.subject, priority="High", date=today())
	return list(dict.fromkeys(m.name for m in told))
