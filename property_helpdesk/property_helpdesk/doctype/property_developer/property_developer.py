# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document

from property_helpdesk.links import validate_phone_fields


class PropertyDeveloper(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from property_helpdesk.property_helpdesk.doctype.property_developer_contact_user.property_developer_contact_user import (
			PropertyDeveloperContactUser,
		)

		contact_person: DF.Data | None
		contact_phone: DF.Data | None
		contact_users: DF.TableMultiSelect[PropertyDeveloperContactUser]
		customer: DF.Link | None
		developer_name: DF.Data
		developer_type: DF.Literal["Parent Developer", "External Developer"]
	# end: auto-generated types

	def validate(self):
		validate_phone_fields(self, "contact_phone")
