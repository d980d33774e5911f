# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class Resident(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from property_helpdesk.property_helpdesk.doctype.resident_unit.resident_unit import ResidentUnit

		customer: DF.Link | None
		phone: DF.Data
		resident_name: DF.Data
		units: DF.Table[ResidentUnit]
		user: DF.Link | None
	# end: auto-generated types
	pass
