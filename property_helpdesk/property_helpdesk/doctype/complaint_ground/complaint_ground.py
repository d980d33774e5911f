# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class ComplaintGround(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		clause: DF.Data
		ground: DF.SmallText
		ground_no: DF.Int
		validity_class: DF.Literal["Valid Complaint", "Matter to Assist", "Excessive Demand"]
	# end: auto-generated types
	pass
