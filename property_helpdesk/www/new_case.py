"""/new_case: a resident reports a repair, complaint or service request with a photo, in a few taps (R5–R11).
The fee schedule is shown before a paid service is asked for (R11, R39)."""

import frappe
from frappe import _

from property_helpdesk.api.portal import (
	MAX_PHOTOS,
	REPORTABLE_TYPES,
	login_first,
	page_context,
	require_units,
	resident_of,
)
from property_helpdesk.constants import PAID_SERVICE, RESIDENT, SETTINGS
from property_helpdesk.services.billing import fee_schedule

no_cache = 1


def get_context(context):
	login_first("/new_case")
	context.units = require_units()
	page_context(context)
	context.title = _("Report a Problem")
	context.types = REPORTABLE_TYPES
	context.paid_service = PAID_SERVICE  # the type before which the fee schedule shows (R11, R39)
	context.max_photos = MAX_PHOTOS
	context.phone = frappe.db.get_value(RESIDENT, resident_of(), "phone")
	context.fees = fee_schedule()
	context.hotline = frappe.db.get_single_value(SETTINGS, "service_hotline")
	return context
