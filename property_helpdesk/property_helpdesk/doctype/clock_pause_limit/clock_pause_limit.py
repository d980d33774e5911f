# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class ClockPauseLimit(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		max_hours: DF.Float
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reason: DF.Literal[
			"Waiting for the Resident's Appointment",
			"Waiting for Parts",
			"Resident Not Home",
			"Weather",
			"Other",
		]
	# end: auto-generated types
	pass
