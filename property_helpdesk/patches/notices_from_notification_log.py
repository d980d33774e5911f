"""What the daily jobs told before the app kept its own record (R25, R26): the Notification Log rows that were
the "already told" check become Property Helpdesk Notices, so that the first run after the upgrade does not
nudge anybody again about what they already heard."""

from urllib.parse import parse_qs, urlparse

import frappe

from property_helpdesk.constants import PROPERTY, WORK_ORDER
from property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log import NO_LOG
from property_helpdesk.property_helpdesk.doctype.warranty_repair_plan.warranty_repair_plan import PLAN_NEEDED
from property_helpdesk.services import notify


def execute():
	# R25: the engineering manager's alert on a work order was the record that they were told
	plan_alerts = frappe.get_all(
		"Notification Log",
		filters={"document_type": WORK_ORDER, "type": "Alert"},
		fields=["for_user", "document_name"],
		distinct=True,
	)
	notify.remember(
		[
			notify.Message(row.for_user, "", WORK_ORDER, row.document_name)
			for row in plan_alerts
			if row.for_user
		],
		PLAN_NEEDED,
	)
	# R26: a day without a log was told once per person, recorded by the alert's link to that day's log list
	by_day = {}
	for row in frappe.get_all(
		"Notification Log",
		filters={"document_type": PROPERTY, "type": "Alert", "link": ("like", "/app/maintenance-job-log?%")},
		fields=["for_user", "document_name", "link"],
	):
		day = (parse_qs(urlparse(row.link).query).get("log_date") or [None])[0]
		if row.for_user and day:
			by_day.setdefault(day, set()).add((row.for_user, row.document_name))
	for day, told in by_day.items():
		notify.remember(
			[notify.Message(user, "", PROPERTY, prop) for user, prop in sorted(told)], NO_LOG, period=day
		)
