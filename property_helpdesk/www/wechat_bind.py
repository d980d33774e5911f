"""/wechat_bind: the resident binds their WeChat to the portal by scanning a QR code with WeChat (R8, R10), so
the messages about their cases come as Official Account template messages. The QR code holds the Official
Account's authorisation URL with a signed state (api/wechat.py); PyQRCode, which Frappe installs for its own
two-factor QR codes, draws it as SVG (no image library needed)."""

import io

import frappe
import pyqrcode
from frappe import _

from property_helpdesk.api.portal import login_first, page_context, resident_of
from property_helpdesk.api.wechat import STATE_SECONDS, authorize_url
from property_helpdesk.constants import RESIDENT
from property_helpdesk.services.channels import SendError

no_cache = 1


def qr_svg(url: str) -> str:
	buffer = io.BytesIO()
	# Error level L: a code on a screen is not torn or smudged, and fewer modules scan more easily.
	pyqrcode.create(url, error="L").svg(
		buffer, scale=4, xmldecl=False, svgns=True, omithw=True, title=_("WeChat QR code")
	)
	return buffer.getvalue().decode()


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
	context.qr_svg = qr_svg(context.bind_url)
	return context
