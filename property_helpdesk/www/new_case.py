"""/new_case: a resident reports a repair, complaint or service request with a photo, in a few taps (R5–R11).
The fee schedule is shown before a paid service is asked for (R11, R39).

扫码报修 (issue 14): a place's QR label opens /new_case?unit=<name> or ?common_area=<name>. A guest signs in and
comes back to the same address; the place is then filled in and locked for a resident of it, or for a staff
member of its property on patrol (services/places: who may report where); anyone else, or a name that is no
place, gets this page with the reason (403, 404)."""

import frappe
from frappe import _

from property_helpdesk.api.portal import (
	MAX_PHOTOS,
	REPORTABLE_TYPES,
	STAFF_REPORTABLE_TYPES,
	login_first,
	page_context,
	require_units,
	resident_of,
	resident_units,
)
from property_helpdesk.constants import COMMON_AREA, PAID_SERVICE, RESIDENT, SETTINGS
from property_helpdesk.services import places, qr
from property_helpdesk.services.billing import fee_schedule

no_cache = 1


def get_context(context):
	query = {key: frappe.form_dict.get(key) for key in ("unit", "common_area") if frappe.form_dict.get(key)}
	login_first("/new_case", query)
	page_context(context)
	context.title = _("Report a Problem")
	context.types = REPORTABLE_TYPES
	context.paid_service = PAID_SERVICE  # the type before which the fee schedule shows (R11, R39)
	context.max_photos = MAX_PHOTOS
	context.hotline = frappe.db.get_single_value(SETTINGS, "service_hotline")
	if query:
		try:
			place = places.named_place(**query)
			context.hotline = qr.hotline(place.property)
			reporter, choices = places.reporter_at(place, resident_units())
		except (frappe.DoesNotExistError, frappe.PermissionError) as refusal:
			# the reason on this page, in the user's language, with the hotline to call instead
			frappe.clear_messages()
			context.refusal = str(refusal)
			context.http_status_code = refusal.http_status_code
			return context
		context.place = place
		context.common_area = place.name if place.doctype == COMMON_AREA else None
		context.staff = reporter == places.AS_STAFF
		context.units = choices if not context.staff else [u for u in (place.unit,) if u]
	else:
		context.units = require_units()
	if context.staff:
		context.types = STAFF_REPORTABLE_TYPES
		context.phone = frappe.get_cached_value("User", frappe.session.user, "mobile_no")
	else:
		context.phone = frappe.db.get_value(RESIDENT, resident_of(), "phone")
	context.fees = fee_schedule()
	return context
