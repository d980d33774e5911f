# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""The service commitment (R31): every limit the clocks use and the escalation ladder (R4)."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.procedure import clocks as K
from property_helpdesk.roles import COMPANY_POSTS, unnamed_posts
from property_helpdesk.services.clocks import CLOCK_SETTINGS

# Limits that must be more than zero: the clocks' and those of the daily checks (R25, R26).
POSITIVE_LIMITS = (*CLOCK_SETTINGS, "warranty_plan_days", "reconciliation_days")


class PropertyHelpdeskSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.clock_pause_limit.clock_pause_limit import (
			ClockPauseLimit,
		)
		from property_helpdesk.property_helpdesk.doctype.escalation_step.escalation_step import EscalationStep

		arrival_minutes: DF.Int
		company: DF.Link | None
		compensation_threshold: DF.Currency
		complaint_answer_days: DF.Float
		corrective_action_days: DF.Int
		corrective_action_owner: DF.Link | None
		cs_manager: DF.Link | None
		developer_reply_days: DF.Float
		dispatch_notify_minutes: DF.Int
		engineering_manager: DF.Link | None
		escalation_ladder: DF.Table[EscalationStep]
		fee_price_list: DF.Link | None
		general_manager: DF.Link | None
		general_repair_limit_hours: DF.Float
		half_yearly_report_recipients: DF.SmallText | None
		kpi_swing_points: DF.Float
		major_explanation_hours: DF.Float
		minor_repair_limit_hours: DF.Float
		minor_repair_target_hours: DF.Float
		minor_repair_timeliness_target: DF.Percent
		monthly_report_recipients: DF.SmallText | None
		parent_developer: DF.Link | None
		pause_limits: DF.Table[ClockPauseLimit]
		quality_complaint_line: DF.Data
		quality_review_days: DF.Float
		reconciliation_days: DF.Int
		recurrence_min_complaints: DF.Int
		recurrence_window_days: DF.Int
		return_visit_by: DF.Literal["Acceptor", "Area Administrator"]
		return_visit_hours: DF.Float
		rework_rate_ceiling: DF.Percent
		rework_window_days: DF.Int
		service_hotline: DF.Data
		submit_invoices: DF.Check
		warranty_plan_days: DF.Float
		work_order_return_hours: DF.Float
	# end: auto-generated types

	def validate(self):
		self.validate_limits()
		self.validate_ladder()
		self.validate_pause_limits()
		self.warn_unnamed_posts()

	def warn_unnamed_posts(self):
		"""R4: a company-wide post left unnamed is no error (every active holder of its role is told, never one
		picked), but whoever saves Settings is told which."""
		missing = unnamed_posts(self, COMPANY_POSTS)
		if missing:
			frappe.msgprint(
				_("Nobody is named as {0}: every active holder of the role will be told instead.").format(
					", ".join(missing)
				),
				title=_("Posts Not Named"),
				indicator="orange",
				alert=True,
			)

	def validate_limits(self):
		for fieldname in POSITIVE_LIMITS:
			if not (self.get(fieldname) or 0) > 0:
				frappe.throw(
					_("{0} must be greater than zero.").format(_(self.meta.get_label(fieldname))),
					title=_("Invalid Time Limit"),
				)

	def validate_ladder(self):
		"""R4: the ladder needs a first step, each level once, none before the deadline."""
		steps = [K.Step(row.level, row.delay_minutes) for row in self.escalation_ladder]
		for problem, level in K.ladder_problems(steps):
			if problem == K.LADDER_EMPTY:
				message = _("The escalation ladder needs at least one step.")
			elif problem == K.LADDER_DUPLICATE:
				message = _("{0} appears more than once in the escalation ladder.").format(_(level))
			else:
				message = _("The escalation step for {0} cannot come before the deadline.").format(_(level))
			frappe.throw(message, title=_("Invalid Escalation Ladder"))

	def validate_pause_limits(self):
		"""R37: each reason of the list once, with a longest pause of more than zero hours."""
		seen = set()
		for row in self.pause_limits:
			if row.reason in seen:
				frappe.throw(
					_("{0} appears more than once in the pause limits.").format(_(row.reason)),
					title=_("Invalid Pause Limits"),
				)
			seen.add(row.reason)
			if not (row.max_hours or 0) > 0:
				frappe.throw(
					_("The longest pause for {0} must be greater than zero.").format(_(row.reason)),
					title=_("Invalid Pause Limits"),
				)

	def on_update(self):
		"""R31: new limits or a new ladder reach the open cases (their deadlines and next moment), in the
		background and in bulk."""
		before = self.get_doc_before_save()
		if before and not self.clocks_changed(before):
			return
		frappe.clear_document_cache(self.doctype, self.name)
		frappe.enqueue(
			"property_helpdesk.services.clocks.recompute_open_cases",
			queue="long",
			job_id="property_helpdesk_recompute_clocks",
			# a run in line (tests) is no duplicate of one queued: Frappe checks the queue before running in line
			deduplicate=not frappe.flags.in_test,
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)

	def clocks_changed(self, before) -> bool:
		def ladder(doc):
			return sorted((row.level, row.delay_minutes) for row in doc.escalation_ladder)

		return ladder(before) != ladder(self) or any(
			(before.get(f) or 0) != (self.get(f) or 0) for f in CLOCK_SETTINGS
		)
