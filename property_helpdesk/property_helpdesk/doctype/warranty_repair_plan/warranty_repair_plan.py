# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""质保期维修计划 with its 完成进程表 (R25): a self-handled job over the limit needs a plan approved by the
engineering manager and the office director (the Workflow "Warranty Repair Plan Approval"), reported daily."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import date_diff, getdate, today

from property_helpdesk.links import validate_fetched_links
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
