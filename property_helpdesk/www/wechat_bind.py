"""/wechat_bind: the resident binds their WeChat to the portal by scanning a QR code with WeChat (R8, R10), so
the messages about their cases come as Official Account template messages. The QR code holds the Official
Account's authorisation URL with a signed state (api/wechat.py), drawn as SVG by the app's one QR helper
(services/qr.py)."""

import frappe
from frappe import _

from property_helpdesk.api.portal import login_first, page_context, resident_of
from property_helpdesk.api.wechat import STATE_SECONDS, authorize_url
from property_helpdesk.constants import RESIDENT
from property_helpdesk.services import qr
from property_helpdesk.services.channels import SendError

no_cache = 1


def get_context(context):
	login_first("/wechat_bind")
	page_context(context)
	context.title = _("Messages by WeChat")
	context.resident = resident_of()
	if not context.resident:
		return context
	context.bound = bool(frappe.db.get_value(RESIDENT, context.resident, "wechat_openid"))
	context.minutes = STATE_SECONDS // 60
	try:
		context.bind_url = authorize_url(context.resident)
	except SendError:  # the Official Account is not set up on this site
		context.bind_url = None
		return context
	context.qr_svg = qr.svg(context.bind_url, _("WeChat QR code"), error=qr.SCREEN_ERROR)
	return context
