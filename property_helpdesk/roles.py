"""Who holds a role (R4): the people the app turns to when a record names nobody more specific."""

import frappe


def first_holder(role: str) -> str | None:
	"""The first enabled user (by name) holding `role`, or None."""
	has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
	rows = (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(user.name)
		.where((has_role.role == role) & (has_role.parenttype == "User") & (user.enabled == 1))
		.orderby(user.name)
		.limit(1)
	).run()
	return rows[0][0] if rows else None


# R4: the staff roles of the procedure, and the portal roles (residents, developer contacts: no desk)
STAFF_ROLES = (
	"Property Duty Staff",
	"Property Office Director",
	"Property CS Manager",
	"Property General Manager",
	"Property Maintenance Supervisor",
	"Property Engineering Manager",
	"Property Maintenance Technician",
	"Property Quality Officer",
)
PORTAL_ROLES = ("Property Resident", "Property Developer Contact")
