# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""Common Area: a common place of a property (each lift, stairwell, pump room, gate, garage, roof …), where a
case is reported as a Common Facility one (R10, R15b, R18). Imported with Frappe's Data Import like the units;
its `property` Link lets per-property User Permissions apply; its QR label opens the portal's report page with
the place filled in (services/qr.py)."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.procedure.validation import has_markup


class CommonArea(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		area_name: DF.Data
		building: DF.Data | None
		enabled: DF.Check
		kind: DF.Literal[
			"Lift",
			"Stairwell",
			"Pump Room",
			"Gate",
			"Garage",
			"Roof",
			"Corridor",
			"Lobby",
			"Grounds",
			"Other",
		]
		location_notes: DF.SmallText | None
		property: DF.Link
	# end: auto-generated types

	def before_naming(self):
		self.tidy()  # the name is made from the area's name: as shown, without stray spaces

	def before_validate(self):
		self.tidy()

	def tidy(self):
		self.area_name = (self.area_name or "").strip()
		self.building = (self.building or "").strip() or None

	def validate(self):
		for fieldname in ("area_name", "building"):
			if has_markup(self.get(fieldname)):
				frappe.throw(
					_("{0} must be plain text: angle brackets are not allowed.").format(
						_(self.meta.get_label(fieldname))
					),
					title=_("Invalid Input"),
				)
