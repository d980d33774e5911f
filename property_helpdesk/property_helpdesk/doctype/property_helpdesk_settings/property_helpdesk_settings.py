# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class PropertyHelpdeskSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.escalation_step.escalation_step import EscalationStep

		arrival_minutes: DF.Int
		company: DF.Link | None
		compensation_threshold: DF.Currency
		complaint_answer_days: DF.Float
		corrective_action_days: DF.Int
		corrective_action_owner: DF.Link | None
		developer_reply_days: DF.Float
		dispatch_notify_minutes: DF.Int
		escalation_ladder: DF.Table[EscalationStep]
		fee_price_list: DF.Link | None
		general_repair_limit_hours: DF.Float
		half_yearly_report_recipients: DF.SmallText | None
		kpi_swing_points: DF.Float
		major_explanation_hours: DF.Float
		minor_repair_limit_hours: DF.Float
		minor_repair_target_hours: DF.Float
		minor_repair_timeliness_target: DF.Percent
		monthly_report_recipients: DF.SmallText | None
		parent_developer: DF.Link | None
		quality_complaint_line: DF.Data
		quality_review_days: DF.Float
		reconciliation_days: DF.Int
		recurrence_min_complaints: DF.Int
		recurrence_window_days: DF.Int
		return_visit_by: DF.Literal["Acceptor", "Area Administrator"]
		return_visit_hours: DF.Float
		rework_rate_ceiling: DF.Percent
		service_hotline: DF.Data
		submit_invoices: DF.Check
		warranty_plan_days: DF.Float
		work_order_return_hours: DF.Float
	# end: auto-generated types
	pass
