# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document

from property_helpdesk.links import validate_fetched_links


class Property(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		address: DF.SmallText | None
		area_administrator: DF.Link | None
		completion_acceptance_date: DF.Date
		developer: DF.Link
		developer_type: DF.Data | None
		maintenance_supervisor: DF.Link | None
		management_office: DF.Data
		office_director: DF.Link | None
		property_name: DF.Data
	# end: auto-generated types

	def validate(self):
		validate_fetched_links(self)
