# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""One named person of a post that more than one may hold (a property's area administrators, a paid service's
team, R4, R11)."""

from frappe.model.document import Document


class PostHolderUser(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		user: DF.Link
	# end: auto-generated types
	pass
