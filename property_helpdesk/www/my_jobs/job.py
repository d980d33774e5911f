"""/my_jobs/<name>: one job on the technician's phone — the resident's problem and photos, the one-tap steps
stamped by the server (接单, 到场, 开始, 完工), the work done, photos before and after from the camera, and the
resident's ratings and signature when they are there (R20–R22, R36)."""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from property_helpdesk.api.portal import can_confirm, case_photos, login_first, page_context
from property_helpdesk.api.technician import (
	PHONE_PAUSES,
	job_for,
	job_photos,
	next_step,
	time_left,
	waiting,
)
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure.job_class import MAJOR_REASONS
from property_helpdesk.services.billing import fee_schedule

no_cache = 1


def get_context(context):
	login_first("/my_jobs")
	doc = job_for(frappe.form_dict.get("name"))
	page_context(context)
	context.doc = doc
	context.title = doc.subject or doc.name
	context.description = frappe.db.get_value("Service Ticket", doc.service_ticket, "description")
	context.case_photo_count = len(case_photos(doc.service_ticket))
	context.photo_counts = {stage: len(job_photos(doc.name, stage)) for stage in ("before", "after")}
	context.next_step = next_step(doc)
	context.steps = [
		(step, field, label)
		for (step, field), label in zip(
			doc.STEPS.items(), (_("Accept"), _("Arrived"), _("Started"), _("Done")), strict=True
		)
	]
	minutes = (
		int((get_datetime(doc.kpi_due_at) - now_datetime()).total_seconds() // 60) if doc.kpi_due_at else None
	)
	context.open = doc.status in ("Dispatched", "On Site")
	context.clock = time_left(minutes) if context.open else ""
	context.late = context.open and minutes is not None and minutes < 0
	context.can_confirm = can_confirm(doc)
	context.fees = fee_schedule()
	# needs more time (R22, R37): what the job waits for, and the phone's buttons
	row = waiting([frappe._dict(name=doc.name, service_ticket=doc.service_ticket)])[0]
	context.pause, context.class_change = row.pause, row.class_change
	context.approver_name = row.class_change and frappe.utils.get_fullname(row.class_change.approver)
	labels = {K.PARTS_PAUSE: _("Parts on Order"), K.NOT_HOME_PAUSE: _("Resident Not Home")}
	context.phone_pauses = [(reason, labels[reason]) for reason in PHONE_PAUSES]
	context.major_reasons = MAJOR_REASONS
	context.today = frappe.utils.today()
	return context
