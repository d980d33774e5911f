"""/my_cases/<name>: one case for the residents of its unit — timeline, the follow-up owner and phone (R34),
appointment and progress (R20–R23), remind (R12 ground 5), confirm and rate with a signature (R36), and the
service card (R8), and what the residents were told about it, on which channel, delivered or not (issue 13)."""

import frappe
from frappe import _

from property_helpdesk.api.portal import (
	can_confirm,
	case_for_resident,
	case_messages,
	case_photos,
	login_first,
	page_context,
	service_card_html,
	timeline,
	work_orders,
)
from property_helpdesk.constants import (
	CLOSED_STATES,
	MESSAGE_FAILED,
	MESSAGE_NOT_SENT,
	MESSAGE_QUEUED,
	MESSAGE_SENT,
	OPEN_STATES,
)

no_cache = 1


def get_context(context):
	login_first("/my_cases")
	doc = case_for_resident(frappe.form_dict.get("name"))
	page_context(context)
	context.doc = doc
	context.title = doc.subject
	context.work_orders = work_orders(doc.name)
	context.can_confirm = can_confirm
	context.can_remind = doc.status in OPEN_STATES
	context.closed_states = CLOSED_STATES
	context.timeline = timeline(doc)
	context.messages = case_messages(doc.name)
	context.message_states = {
		MESSAGE_QUEUED: _("Sending"),
		MESSAGE_SENT: _("Sent"),
		MESSAGE_FAILED: _("Not delivered"),
		MESSAGE_NOT_SENT: _("Not sent: no way to reach you is set up"),
	}
	context.photo_count = len(case_photos(doc.name))
	context.service_card = service_card_html(doc)
	return context
