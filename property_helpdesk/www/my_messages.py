"""/my_messages (消息设置): the resident sees how the office tells them now, in the message service's own words
(api/portal.how_told), and chooses for themselves (R8, R10, R34): their channel among those that reach them —
SMS to their phone, WeChat once bound (else the way to /wechat_bind), email once they give an address — and each
channel on or off. A technician's visit to their home always reaches them (the office's rule,
procedure/resident_messages.VISIT_STEPS); the page says so. Saved by api/portal.save_message_settings."""

import frappe
from frappe import _

from property_helpdesk.api.portal import how_told, login_first, page_context, resident_of
from property_helpdesk.constants import RESIDENT
from property_helpdesk.services import channels
from property_helpdesk.services import resident_messages as service
from property_helpdesk.services.channels import EMAIL, SMS, WECHAT

no_cache = 1


def get_context(context):
	login_first("/my_messages")
	page_context(context)
	context.title = _("Message Settings")
	resident = resident_of()
	if not resident:
		context.resident = None
		return context
	doc = frappe.get_doc(RESIDENT, resident)
	context.resident = doc.name
	context.told = how_told(doc)
	addresses = service.addresses_of(doc)
	reaching = service.reaching(addresses)
	off = service.opted_out_of(doc)
	preferred = doc.preferred_channel if doc.preferred_channel in reaching else context.told["channel"]
	context.preferred = preferred if preferred not in off else None
	context.email = doc.email or ""
	context.email_set_up = channels.is_set_up(EMAIL)
	context.channels = [
		frappe._dict(
			channel=channel,
			label=_(channel),
			address={SMS: addresses[SMS], WECHAT: _("Bound") if addresses[WECHAT] else "", EMAIL: doc.email}[
				channel
			]
			or "",
			reaches=channel in reaching,
			set_up=channels.is_set_up(channel),
			on=channel not in off,
		)
		for channel in channels.CHANNELS
	]
	return context
