# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class ClockPause(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		ends_at: DF.Datetime | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		paused_at: DF.Datetime
		reason: DF.Literal[
			"Waiting for the Resident's Appointment",
			"Waiting for Parts",
			"Resident Not Home",
			"Weather",
			"Other",
		]
		recorded_by: DF.Link | None
		resumed_at: DF.Datetime | None
	# end: auto-generated types
	pass
