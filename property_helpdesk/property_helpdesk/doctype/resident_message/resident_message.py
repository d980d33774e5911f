# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""What a resident was told about their case (R8, R10, R22–R24, R34, R36, R39): written and sent only by
services/resident_messages.py, one row per case, step, document, resident and channel (`message_key`, unique),
so a retried job or a double save tells the resident once."""

import frappe
from frappe.model.document import Document


class ResidentMessage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		channel: DF.Literal["SMS", "WeChat", "Email", "None"]
		error: DF.SmallText | None
		is_emergency: DF.Check
		link: DF.Data | None
		message_key: DF.Data | None
		next_attempt_at: DF.Datetime | None
		params: DF.Code | None
		property: DF.Link | None
		provider: DF.Data | None
		provider_message_id: DF.Data | None
		recipient: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		resident: DF.Link | None
		sending_since: DF.Datetime | None
		sent_at: DF.Datetime | None
		service_ticket: DF.Link
		status: DF.Literal["Queued", "Sent", "Failed", "Not Sent"]
		step: DF.Literal[
			"Accepted",
			"Dispatched",
			"Appointment Set",
			"On The Way",
			"Arrived",
			"Major Job Explained",
			"Complaint Answered",
			"Done",
			"Return Visit",
			"Invoice",
			"Receipt",
		]
		subject: DF.Data | None
		text: DF.SmallText | None
	# end: auto-generated types

	pass


def on_doctype_update():
	# the retry job's query: the queued messages whose next attempt is due
	frappe.db.add_index("Resident Message", ["status", "next_attempt_at"])
