# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class WarrantyRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		basis: DF.SmallText | None
		builder_period: DF.Int
		builder_unit: DF.Literal[
			"Years", "Months", "Heating Seasons", "Cooling Seasons", "Design Life (Years)"
		]
		component: DF.Data
		enabled: DF.Check
		location: DF.Literal["Private Part", "Common Facility"]
		owner_period: DF.Int
		owner_unit: DF.Literal["Years", "Months", "Heating Seasons", "Cooling Seasons", "Design Life (Years)"]
		property: DF.Link | None
	# end: auto-generated types
	pass
