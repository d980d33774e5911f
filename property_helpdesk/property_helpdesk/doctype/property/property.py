# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.links import validate_fetched_links
from property_helpdesk.procedure.warranty import COOLING_SEASONS, HEATING_SEASONS, Season


class Property(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		address: DF.SmallText | None
		cooling_season_end: DF.Data | None
		cooling_season_start: DF.Data | None
		heating_season_end: DF.Data | None
		heating_season_start: DF.Data | None
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
		self.seasons()

	def seasons(self) -> dict[str, Season]:
		"""The property's heating and cooling seasons (R15–R17: warranties counted in complete seasons)."""
		seasons = {}
		for unit, label, start, end in (
			(HEATING_SEASONS, _("Heating Season"), self.heating_season_start, self.heating_season_end),
			(COOLING_SEASONS, _("Cooling Season"), self.cooling_season_start, self.cooling_season_end),
		):
			if not start and not end:
				continue
			try:
				seasons[unit] = Season.parse(start, end)
			except (ValueError, TypeError, AttributeError):
				frappe.throw(
					_("{0}: give the first and last day as month-day, e.g. 11-15 and 03-15.").format(label),
					title=_("Invalid Season"),
				)
		return seasons
