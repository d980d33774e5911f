"""Who holds a role (R4): the people the app turns to when a record names nobody more specific."""

import frappe

from property_helpdesk.constants import (
	CS_MANAGER,
	DEVELOPER_CONTACT,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	GENERAL_MANAGER,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	QUALITY_OFFICER,
	RESIDENT_ROLE,
	SETTINGS,
	TECHNICIAN,
)

# The company-wide posts Settings name (R4), each with the role whose holder stands in where Settings name
# nobody: a site not yet configured still tells someone who holds the post's role rather than nobody.
COMPANY_POSTS = {
	"cs_manager": CS_MANAGER,
	"general_manager": GENERAL_MANAGER,
	"engineering_manager": ENGINEERING_MANAGER,
}
# The ladder's (and the chases') company-wide levels, each with the Settings field naming its person
POST_OF_LEVEL = {
	"CS Manager": "cs_manager",
	"General Manager": "general_manager",
	"Engineering Manager": "engineering_manager",
}


def company_people(*fields: str) -> dict[str, str | None]:
	"""The people Settings name for the company-wide posts asked (`COMPANY_POSTS` fields), each falling back to
	the first active holder of the post's role. One read of Settings (not cached: a test's or another worker's
	change is seen at once), one per post left empty."""
	named = frappe.db.get_value(SETTINGS, None, list(fields), as_dict=True) or {}
	people = [user for user in named.values() if user]
	enabled = (
		set(frappe.get_all("User", filters={"name": ("in", people), "enabled": 1}, pluck="name"))
		if people
		else set()
	)
	return {
		field: named.get(field) if named.get(field) in enabled else first_holder(COMPANY_POSTS[field])
		for field in fields
	}


def company_person(field: str) -> str | None:
	"""The person Settings name for one company-wide post, else the first active holder of its role."""
	return company_people(field)[field]


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
	DUTY_STAFF,
	OFFICE_DIRECTOR,
	CS_MANAGER,
	GENERAL_MANAGER,
	MAINTENANCE_SUPERVISOR,
	ENGINEERING_MANAGER,
	TECHNICIAN,
	QUALITY_OFFICER,
)
PORTAL_ROLES = (RESIDENT_ROLE, DEVELOPER_CONTACT)
