# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""登记日志 (R26): the maintenance team's daily job log, reconciled with 客服中心 every other day; open items are
explained and carried to the next log until done."""

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_days, getdate, now_datetime

from property_helpdesk.constants import JOB_LOG, PROPERTY, SETTINGS
from property_helpdesk.links import validate_fetched_links
from property_helpdesk.services import notify

DONE = ("Completed", "Returned")
RECONCILERS = {"Property Duty Staff", "Property Office Director", "System Manager"}


class MaintenanceJobLog(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.job_log_entry.job_log_entry import JobLogEntry

		entries: DF.Table[JobLogEntry]
		kept_by: DF.Link | None
		log_date: DF.Date
		open_items: DF.Int
		property: DF.Link
		reconciled: DF.Check
		reconciled_at: DF.Datetime | None
		reconciled_by: DF.Link | None
		reconciliation_note: DF.SmallText | None
	# end: auto-generated types

	def before_validate(self):
		if self.is_new():
			self.kept_by = frappe.session.user
		statuses = {}
		if self.entries:
			statuses = dict(
				frappe.get_all(
					"Repair Work Order",
					filters={"name": ("in", [row.work_order for row in self.entries])},
					fields=["name", "status"],
					as_list=True,
				)
			)
		for row in self.entries:
			row.status = statuses.get(row.work_order)
			row.is_open = int(row.status not in DONE)
		self.open_items = sum(row.is_open for row in self.entries)

	def validate(self):
		for row in self.entries:
			validate_fetched_links(row)
		if getdate(self.log_date) > getdate():
			frappe.throw(_("A job log cannot be kept for a future day."), title=_("Invalid Date"))
		before = self.get_doc_before_save()
		if before and before.reconciled:
			frappe.throw(_("A reconciled job log cannot be changed."), title=_("Reconciled"))

	@frappe.whitelist()
	def fill_entries(self):
		"""The property's jobs dispatched that day, and every job still open from before (carried, R26)."""
		self.check_permission("write")
		day_start = getdate(self.log_date)
		wo = frappe.qb.DocType("Repair Work Order")
		names = (
			frappe.qb.from_(wo)
			.select(wo.name)
			.where(wo.property == self.property)
			.where(wo.status != "Cancelled")
			.where(wo.dispatched_at < add_days(day_start, 1))
			.where((wo.dispatched_at >= day_start) | wo.status.notin(DONE))
			.orderby(wo.dispatched_at)
		).run(pluck=True)
		present = {row.work_order for row in self.entries}
		for name in names:
			if name not in present:
				self.append("entries", {"work_order": name})
		self.save()
		return len(self.entries)

	@frappe.whitelist()
	def reconcile(self, note: str | None = None):
		"""客服中心 checks the log against its records; every open item must say why and what is next."""
		self.check_permission("write")
		if not RECONCILERS.intersection(frappe.get_roles()):
			frappe.throw(
				_("The job log is reconciled by the customer service centre."), frappe.PermissionError
			)
		unexplained = [row.idx for row in self.entries if row.is_open and not (row.explanation or "").strip()]
		if unexplained:
			frappe.throw(
				_("Explain the open items in rows {0} before reconciling.").format(
					", ".join(map(str, unexplained))
				),
				title=_("Open Items Unexplained"),
			)
		self.reconciled = 1
		self.reconciled_by = frappe.session.user
		self.reconciled_at = now_datetime()
		self.reconciliation_note = note
		# the reconciliation fields are at permission level 1, which no role writes: only this action sets them,
		# after the checks above
		self.save(ignore_permissions=True)


UNRECONCILED = "R26 Job Log Not Reconciled"  # notices kept in Property Helpdesk Notice: once a day per log
NO_LOG = "R26 No Job Log"  # once per property, day and person

# Both R26 checks stay in code, not standard Notifications: the reconciliation interval is a Setting where a
# Notification's "Days After" counts a fixed number of days, and a day with no log has no document to notify on.


def remind_unreconciled(day=None) -> list[str]:
	"""Daily: job logs older than the reconciliation interval (R26: 隔日) and not reconciled are reported to the
	property's office director as system notifications, once a day while they stay unreconciled. Returns the
	logs reported."""
	day = getdate(day)
	days = frappe.db.get_single_value(SETTINGS, "reconciliation_days")
	overdue = frappe.get_all(
		JOB_LOG,
		filters={"reconciled": 0, "log_date": ("<=", add_days(day, -days))},
		fields=["name", "property", "log_date"],
	)
	if not overdue:
		return []
	directors = dict(
		frappe.get_all(
			PROPERTY,
			filters={"name": ("in", list({row.property for row in overdue}))},
			fields=["name", "office_director"],
			as_list=True,
		)
	)
	languages = notify.languages({u for u in directors.values() if u})
	messages = [
		notify.Message(
			user=directors[row.property],
			subject=_(
				"Job log {0} of {1} is not reconciled after {2} days.",
				lang=languages[directors[row.property]],
			).format(row.log_date, row.property, days),
			doctype=JOB_LOG,
			name=row.name,
		)
		for row in overdue
		if directors.get(row.property)
	]
	# system notifications only, as these reminders always were (no email)
	return [m.name for m in notify.tell_once(messages, UNRECONCILED, period=day, email=False)]


def properties_without_log(day) -> list[str]:
	"""R26: properties whose team had jobs on `day` (dispatched that day, or still open from before) and kept
	no job log for it. One query."""
	day = getdate(day)
	wo, log = frappe.qb.DocType("Repair Work Order"), frappe.qb.DocType("Maintenance Job Log")
	kept = frappe.qb.from_(log).select(log.name).where((log.property == wo.property) & (log.log_date == day))
	return (
		frappe.qb.from_(wo)
		.select(wo.property)
		.distinct()
		.where(wo.property.isnotnull())
		.where(wo.status != "Cancelled")
		.where(wo.dispatched_at < add_days(day, 1))
		.where((wo.dispatched_at >= day) | wo.status.notin(DONE))
		.where(~frappe.qb.terms.ExistsCriterion(kept))
		.orderby(wo.property)
	).run(pluck=True)


def report_missing_logs(day=None) -> list[str]:
	"""Daily (R26): a day the maintenance team kept no log at all, though it had jobs, is reported to the
	property's office director and maintenance supervisor, once. Returns the properties reported."""
	day = getdate(day or add_days(getdate(), -1))
	properties = properties_without_log(day)
	if not properties:
		return []
	people = frappe.get_all(
		PROPERTY,
		filters={"name": ("in", properties)},
		fields=["name", "office_director", "maintenance_supervisor"],
	)
	languages = notify.languages(
		{u for prop in people for u in (prop.office_director, prop.maintenance_supervisor) if u}
	)
	messages = [
		notify.Message(
			user=user,
			subject=_("No job log was kept for {0} on {1}.", lang=languages[user]).format(prop.name, day),
			doctype=PROPERTY,
			name=prop.name,
			# the day's (empty) log list of the property
			link=f"/app/maintenance-job-log?{urlencode({'property': prop.name, 'log_date': str(day)})}",
		)
		for prop in people
		for user in sorted({prop.office_director, prop.maintenance_supervisor} - {None, ""})
	]
	notify.tell_once(messages, NO_LOG, period=day, email=False)  # a system notification, as always
	return [prop.name for prop in people]


def remind_unreconciled_job():
	"""Scheduler entry point (daily): logs not reconciled in time, and yesterday if no log was kept (R26).
	Frappe's scheduler commits after it."""
	remind_unreconciled()
	report_missing_logs()
