# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""纠正措施 (R32): owner, cause, measure, due date and verification of one corrective action; raised by
services/corrective.py for recurring complaints and KPI swings, or by hand."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime


class CorrectiveAction(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action_owner: DF.Link
		building: DF.Data | None
		cause: DF.SmallText | None
		complaint_ground: DF.Link | None
		due_date: DF.Date
		kpi: DF.Literal["", "Case Timeliness", "Minor Repair Timeliness", "Rework Rate"]
		kpi_previous: DF.Percent
		kpi_value: DF.Percent
		measure: DF.SmallText | None
		period: DF.Data | None
		property: DF.Link | None
		related_cases: DF.SmallText | None
		source: DF.Literal["Recurring Complaint", "KPI Swing", "KPI Breach", "Other"]
		status: DF.Literal["Open", "In Progress", "Verified"]
		title: DF.Data
		trigger_key: DF.Data | None
		unit: DF.Link | None
		verification: DF.SmallText | None
		verified_at: DF.Datetime | None
		verified_by: DF.Link | None
	# end: auto-generated types

	def validate(self):
		if self.status in ("In Progress", "Verified") and not (self.cause and self.measure):
			frappe.throw(
				_("Record the cause and the measure before the action is {0}.").format(_(self.status)),
				title=_("Cause and Measure Missing"),
			)
		if self.status == "Verified":
			if not self.verification:
				frappe.throw(_("Record how the measure was verified."), title=_("Verification Missing"))
			if not self.verified_by:
				self.verified_by, self.verified_at = frappe.session.user, now_datetime()
		else:
			self.verified_by = self.verified_at = None
