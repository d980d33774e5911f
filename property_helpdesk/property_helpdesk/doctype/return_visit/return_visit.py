# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""回访 (R24, R35, R38): the return visit after a job, by the person the service commitment names."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, now_datetime

from property_helpdesk.constants import CASE, OFFICE_DIRECTOR, PROPERTY, SETTINGS, WORK_ORDER
from property_helpdesk.exceptions import InvalidTimeError
from property_helpdesk.services import clocks

# Besides the person the settings name, the office director may make a return visit.
STAND_INS = {OFFICE_DIRECTOR, "System Manager"}


DISSATISFIED = "Dissatisfied"  # the resident's verdict that reopens the job as rework (R30)


class ReturnVisit(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		channel: DF.Literal["Phone", "In Person"]
		comments: DF.SmallText
		property: DF.Link | None
		satisfaction: DF.Literal["Satisfied", "Partly Satisfied", "Dissatisfied"]
		service_ticket: DF.Link
		visited_at: DF.Datetime | None
		visitor: DF.Link | None
		work_order: DF.Link | None
	# end: auto-generated types

	def before_validate(self):
		# the visitor is who records the visit (R38); nobody may type it (permission level 1)
		if self.is_new():
			self.visitor = frappe.session.user
			# the visit is made when it is recorded, at the server's time (permission level 1: nobody types it)
			if not self.visited_at:
				self.visited_at = now_datetime()
			# the visit is about the case's last finished job unless the visitor named one (R24, R30)
			if not self.work_order:
				self.work_order = frappe.db.get_value(
					WORK_ORDER,
					{"service_ticket": self.service_ticket, "completed_at": ("is", "set")},
					"name",
					order_by="completed_at desc",
				)

	def validate(self):
		self.validate_visitor()
		if get_datetime(self.visited_at) > now_datetime():
			frappe.throw(
				_("{0} cannot be in the future.").format(_(self.meta.get_label("visited_at"))),
				InvalidTimeError,
				title=_("Invalid Time"),
			)
		if (
			self.work_order
			and frappe.db.get_value(WORK_ORDER, self.work_order, "service_ticket") != self.service_ticket
		):
			frappe.throw(_("The work order belongs to another case."))

	def validate_visitor(self):
		"""R38: part A gives return visits to the acceptor, part B to the area administrator: Settings say which."""
		by = frappe.db.get_single_value(SETTINGS, "return_visit_by")
		ticket = frappe.db.get_value(CASE, self.service_ticket, ["follow_up_owner", "property"], as_dict=True)
		expected = (
			ticket.follow_up_owner
			if by == "Acceptor"
			else frappe.db.get_value(PROPERTY, ticket.property, "area_administrator")
		)
		if self.visitor != expected and not STAND_INS.intersection(frappe.get_roles(self.visitor)):
			frappe.throw(
				_("Return visits on this case are made by {0}.").format(expected or _(by)),
				frappe.PermissionError,
			)

	def after_insert(self):
		"""R35: the visit's result goes back to the case."""
		ticket = frappe.get_doc(CASE, self.service_ticket)
		ticket.add_comment(
			"Info",
			_("Return visit {0} ({1}): {2}").format(self.name, _(self.satisfaction), self.comments),
		)
		clocks.refresh(self.service_ticket)
		if self.satisfaction == DISSATISFIED and self.work_order:
			# R30: the job is redone as rework, and the supervisor and office director are told
			from property_helpdesk.services.dispatch import reopen_as_rework

			reopen_as_rework(self.work_order, self.name)
		from property_helpdesk.services import resident_messages  # R24: the resident told of the visit

		resident_messages.return_visit_made(self)
