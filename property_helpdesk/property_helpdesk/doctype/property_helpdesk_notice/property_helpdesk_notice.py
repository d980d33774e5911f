# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""What a scheduled job already told whom (R25, R26): written and read by services/notify.py (`tell_once`),
named by the hash of (notice, document, user, period) so a notice is recorded once."""

from frappe.model.document import Document


class PropertyHelpdeskNotice(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		document_name: DF.DynamicLink | None
		document_type: DF.Link | None
		for_user: DF.Link | None
		notice: DF.Data
		period: DF.Data | None
	# end: auto-generated types

	pass
