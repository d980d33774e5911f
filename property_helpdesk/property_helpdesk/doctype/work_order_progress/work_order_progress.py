# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class WorkOrderProgress(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		expected_completion: DF.Date | None
		note: DF.SmallText
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reported_at: DF.Datetime
		told_resident: DF.Check
	# end: auto-generated types
	pass
