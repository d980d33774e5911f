# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class Escalation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		clock: DF.Literal[
			"Dispatch", "Arrival", "Completion", "Explanation", "Answer", "Work Order Return", "Return Visit"
		]
		deadline: DF.Datetime
		escalated_at: DF.Datetime
		level: DF.Literal[
			"Follow-up Owner", "Maintenance Supervisor", "Office Director", "CS Manager", "General Manager"
		]
		notified_user: DF.Link | None
		service_ticket: DF.Link
		work_order: DF.Link | None
	# end: auto-generated types
	pass
