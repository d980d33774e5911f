# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""One tap of the technician's phone (R20–R22): written only by `RepairWorkOrder.take_step`, read by
`property_helpdesk.api.field.take_step` to answer a retried tap with its first answer. The request id is
unique in the database, so a tap is recorded once however often the phone sends it."""

from frappe.model.document import Document


class WorkOrderStep(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		property: DF.Link | None
		request_id: DF.Data
		stamped_at: DF.Datetime
		step: DF.Literal["accept", "arrive", "start", "complete"]
		taken_by: DF.Link
		work_order: DF.Link
	# end: auto-generated types

	pass
