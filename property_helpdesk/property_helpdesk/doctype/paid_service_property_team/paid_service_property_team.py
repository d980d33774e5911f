# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""One person of a paid service's team at one property: the property's own team replaces the company-wide one
(R11)."""

from frappe.model.document import Document


class PaidServicePropertyTeam(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		property: DF.Link
		user: DF.Link
	# end: auto-generated types
	pass
