# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""有偿服务 by type (R11): in-home cleaning, greening, notice-board rental … each goes to its own team, not to the
maintenance supervisor; repairs (维修) stay with the maintenance team (R10, R15). The team is the people named for
the case's property, else the people named, else every active holder of the team role who works for that
property (R4: never one of them picked)."""

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.constants import PAID_SERVICE_TYPE
from property_helpdesk.roles import enabled, holders


class PaidServiceType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.paid_service_property_team.paid_service_property_team import (
			PaidServicePropertyTeam,
		)
		from property_helpdesk.property_helpdesk.doctype.post_holder_user.post_holder_user import (
			PostHolderUser,
		)

		is_repair: DF.Check
		property_teams: DF.Table[PaidServicePropertyTeam]
		service_type_name: DF.Data
		team_role: DF.Link | None
		team_users: DF.TableMultiSelect[PostHolderUser]
	# end: auto-generated types

	def validate(self):
		if self.is_repair:
			# the maintenance team of the case's property takes repairs: a team here would never be used
			self.team_role = None
			self.set("team_users", [])
			self.set("property_teams", [])
		elif not self.team_role and not self.team_users and not self.property_teams:
			frappe.msgprint(
				_(
					"No team is named for {0}: its jobs will go to the office director of the case's property."
				).format(self.service_type_name),
				title=_("Posts Not Named"),
				indicator="orange",
				alert=True,
			)


def is_repair(service_type: str | None) -> bool:
	"""A case with no service type, or a repair type, goes to the maintenance team (R10, R15)."""
	return not service_type or bool(frappe.get_cached_value(PAID_SERVICE_TYPE, service_type, "is_repair"))


def team(service_type: str, property_name: str | None) -> list[str]:
	"""R11: who takes a job of `service_type` at `property_name`: the enabled people named for that property,
	else those named for the type, else every enabled holder of its team role who works for the property."""
	doc = frappe.get_cached_doc(PAID_SERVICE_TYPE, service_type)
	here = [row.user for row in doc.property_teams if property_name and row.property == property_name]
	for named in (here, [row.user for row in doc.team_users]):
		active = enabled(named)
		if active:
			return [user for user in dict.fromkeys(named) if user in active]
	return holders(doc.team_role, property_name) if doc.team_role else []
