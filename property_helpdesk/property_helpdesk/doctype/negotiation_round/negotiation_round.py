# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class NegotiationRound(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		held_on: DF.Date
		offer: DF.Currency
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		participants: DF.SmallText
		summary: DF.SmallText
	# end: auto-generated types
	pass
