"""派工 (R10, R15): a repair case produces its work order at acceptance and the maintenance team hears of it at
once; the moment is recorded as the work order's dispatch time (the R15 clock stops there)."""

import frappe
from frappe import _
from frappe.desk.form.assign_to import add as assign
from frappe.utils import now_datetime

from property_helpdesk.roles import first_holder
from property_helpdesk.services.escalation import ROLE_OF_LEVEL


def active_work_order(ticket_name: str) -> str | None:
	return frappe.db.get_value(
		"Repair Work Order", {"service_ticket": ticket_name, "status": ("!=", "Cancelled")}, "name"
	)


def dispatch(ticket_name: str, dispatched_at=None) -> str:
	"""Make the case's work order unless it has one; safe when two people dispatch at once.

	The case row is locked first (SELECT … FOR UPDATE), so a second dispatch waits for the first to commit
	and then finds its work order.
	"""
	frappe.db.get_value("Service Ticket", ticket_name, "name", for_update=True)
	existing = active_work_order(ticket_name)
	if existing:
		return existing
	ticket = frappe.get_doc("Service Ticket", ticket_name)
	work_order = frappe.get_doc(
		{
			"doctype": "Repair Work Order",
			"service_ticket": ticket.name,
			"is_emergency": ticket.is_emergency,
			"paid_service": ticket.paid_service,
			"dispatched_at": dispatched_at or now_datetime(),
		}
	).insert(ignore_permissions=True)
	notify_maintenance(work_order, ticket)
	return work_order.name


def maintenance_supervisor(property_name: str | None) -> str | None:
	"""The property's maintenance supervisor, or any active holder of the role (R4: 工程维修组主管)."""
	user = property_name and frappe.db.get_value("Property", property_name, "maintenance_supervisor")
	if user:
		return user
	return first_holder(ROLE_OF_LEVEL["Maintenance Supervisor"])


def notify_maintenance(work_order, ticket) -> None:
	"""Assign the work order with Frappe's own assignment (ToDo, system notification, email)."""
	supervisor = maintenance_supervisor(ticket.property)
	if not supervisor:
		return
	assign(
		{
			"assign_to": [supervisor],
			"doctype": "Repair Work Order",
			"name": work_order.name,
			"description": _("Work order {0} for {1}: {2}").format(
				work_order.name, ticket.unit, ticket.subject
			),
			"priority": "High" if ticket.is_emergency else "Medium",
		},
		ignore_permissions=True,
	)
