"""/my_receipts: the resident's receipts (收据, R39), one per payment, each opening as the printed receipt."""

import frappe
from frappe import _

from property_helpdesk.api.portal import login_first, my_receipts, page_context, read_page

no_cache = 1


@read_page  # a list: from the replica where the site has one (api/portal.py list_cases)
def get_context(context):
	login_first("/my_receipts")
	page_context(context)
	context.title = _("My Receipts")
	context.receipts = my_receipts()
	return context
