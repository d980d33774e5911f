# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.constants import PROPERTY, SETTINGS
from property_helpdesk.links import validate_fetched_links
from property_helpdesk.procedure.validation import has_markup
from property_helpdesk.procedure.warranty import COOLING_SEASONS, HEATING_SEASONS, Season
from property_helpdesk.roles import PROPERTY_POSTS, unnamed_posts

# R8: the service card's lines, each the property's own or else the company-wide one of Settings
SERVICE_LINES = ("service_hotline", "quality_complaint_line")


class Property(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.post_holder_user.post_holder_user import (
			PostHolderUser,
		)

		address: DF.SmallText | None
		area_administrators: DF.TableMultiSelect[PostHolderUser]
		quality_complaint_line: DF.Data | None
		service_hotline: DF.Data | None
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

	def before_validate(self):
		self.set_area_administrators()

	def validate(self):
		validate_fetched_links(self)
		self.seasons()
		self.validate_lines()
		self.warn_unnamed_posts()

	def set_area_administrators(self):
		"""R38, R11: the area administrators are the table; the single `area_administrator` (the one who accepts
		portal cases, R34) is its first row. A person put in that field (an import, a builder, an older form) is
		added at the top of the table; otherwise the field follows the table."""
		before = self.get_doc_before_save()
		typed = self.area_administrator and (
			not before or before.area_administrator != self.area_administrator
		)
		users = [row.user for row in self.area_administrators]
		if typed:
			# the one put in the field comes first: they accept the portal cases
			users = [self.area_administrator, *(user for user in users if user != self.area_administrator)]
			self.set("area_administrators", [{"user": user} for user in users])
		self.area_administrator = self.area_administrators[0].user if self.area_administrators else None

	def validate_lines(self):
		for field in SERVICE_LINES:
			if has_markup(self.get(field)):
				frappe.throw(
					_("{0} may not contain angle brackets.").format(_(self.meta.get_label(field))),
					title=_("Invalid Line"),
				)

	def warn_unnamed_posts(self):
		"""R4: a post the property leaves unnamed is no error (every holder of its role for the property is told,
		never one picked), but the office is told which, each time the property is saved."""
		missing = unnamed_posts(self, PROPERTY_POSTS)
		if missing:
			frappe.msgprint(
				_(
					"Nobody is named as {0} for {1}: every active holder of the role who works for this property will be told instead."
				).format(", ".join(missing), self.name or self.property_name),
				title=_("Posts Not Named"),
				indicator="orange",
				alert=True,
			)

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


def service_lines(property_name: str | None) -> dict[str, str]:
	"""R8: the lines a resident of `property_name` is given (the service card, the portal): the property's own,
	else Settings' company-wide ones. One read of each."""
	own = (
		frappe.db.get_value(PROPERTY, property_name, list(SERVICE_LINES), as_dict=True)
		if property_name
		else None
	) or {}
	company = frappe.db.get_value(SETTINGS, None, list(SERVICE_LINES), as_dict=True) or {}
	return frappe._dict({field: own.get(field) or company.get(field) or "" for field in SERVICE_LINES})
