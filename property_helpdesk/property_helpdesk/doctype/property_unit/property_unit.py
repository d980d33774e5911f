# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document

from property_helpdesk.links import validate_phone_fields


class PropertyUnit(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		building: DF.Data
		handover_date: DF.Date | None
		owner_name: DF.Data | None
		owner_phone: DF.Data | None
		property: DF.Link
		unit_no: DF.Data
	# end: auto-generated types

	def validate(self):
		validate_phone_fields(self, "owner_phone")
