"""Who holds a role (R4): the people the app turns to when a record names nobody more specific."""

import frappe
from frappe import _

from property_helpdesk.constants import (
	CS_MANAGER,
	DEVELOPER_CONTACT,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	GENERAL_MANAGER,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	PROPERTY,
	QUALITY_OFFICER,
	RESIDENT_ROLE,
	SETTINGS,
	TECHNICIAN,
)

# The company-wide posts Settings name (R4), each with the role whose holders are told where Settings name nobody.
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
# The posts each Property names (R4), each with the role whose holders for that property are told where the
# property names nobody. Area administrators have no role of their own: where none is named, nobody stands in
# (the return visit stays with the acceptor, R38, and a portal case goes to the office director).
PROPERTY_POSTS = {
	"office_director": OFFICE_DIRECTOR,
	"maintenance_supervisor": MAINTENANCE_SUPERVISOR,
	"area_administrators": None,
}
# The ladder's per-property levels, each with the Property field naming its person
PROPERTY_POST_OF_LEVEL = {
	"Maintenance Supervisor": "maintenance_supervisor",
	"Office Director": "office_director",
}


def enabled(users) -> set[str]:
	"""Which of `users` are enabled desk or portal users (one read)."""
	users = [user for user in set(users or ()) if user]
	if not users:
		return set()
	return set(frappe.get_all("User", filters={"name": ("in", users), "enabled": 1}, pluck="name"))


def role_holders(roles) -> dict[str, list[str]]:
	"""Every enabled user holding each of `roles` (one read), Administrator and Guest left out."""
	roles = [role for role in set(roles or ()) if role]
	if not roles:
		return {}
	has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
	rows = (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(has_role.role, user.name)
		.distinct()
		.where(
			has_role.role.isin(roles)
			& (has_role.parenttype == "User")
			& (user.enabled == 1)
			& user.name.notin(["Administrator", "Guest"])
		)
	).run()
	held = {role: [] for role in roles}
	for role, name in rows:
		held[role].append(name)
	return {role: sorted(users) for role, users in held.items()}


def property_restrictions(users) -> dict[str, set[str]]:
	"""The properties each of `users` is restricted to by Frappe's User Permissions on Property (access.py's
	rule, read for many users at once); a user absent from the answer works for every property."""
	users = list(set(users or ()))
	if not users:
		return {}
	restricted = {}
	for row in frappe.get_all(
		"User Permission",
		filters={"user": ("in", users), "allow": PROPERTY},
		fields=["user", "for_value"],
	):
		restricted.setdefault(row.user, set()).add(row.for_value)
	return restricted


def holders(role: str | None, property_name: str | None = None) -> list[str]:
	"""Every enabled holder of `role` who works for `property_name` (no User Permission on Property, or one
	for that property); for no property, every enabled holder. Never one of them chosen: all are told."""
	if not role:
		return []
	return holders_for(role, [property_name])[property_name]


def holders_for(role: str, properties) -> dict[str | None, list[str]]:
	"""`holders` for several properties at once: two reads whatever their number."""
	users = role_holders([role]).get(role, [])
	restricted = property_restrictions(users)
	return {
		prop: [user for user in users if user not in restricted or prop is None or prop in restricted[user]]
		for prop in set(properties)
	}


def area_administrators(property_name: str | None) -> list[str]:
	"""The enabled area administrators (片区管理员) the property names, in the order it lists them (R38, R11).
	The single `area_administrator` field, kept for what still reads it, counts too."""
	return area_administrators_of([property_name]).get(property_name, []) if property_name else []


def area_administrators_of(properties) -> dict[str, list[str]]:
	"""`area_administrators` of several properties: three reads whatever their number."""
	properties = [p for p in set(properties or ()) if p]
	if not properties:
		return {}
	named = {p: [] for p in properties}
	for row in frappe.get_all(
		"Post Holder User",
		filters={"parenttype": PROPERTY, "parentfield": "area_administrators", "parent": ("in", properties)},
		fields=["parent", "user"],
		order_by="idx asc",
	):
		named[row.parent].append(row.user)
	for row in frappe.get_all(
		PROPERTY, filters={"name": ("in", properties)}, fields=["name", "area_administrator"]
	):
		if row.area_administrator and row.area_administrator not in named[row.name]:
			named[row.name].insert(0, row.area_administrator)
	active = enabled(user for users in named.values() for user in users)
	return {p: [user for user in users if user in active] for p, users in named.items()}


def property_post(property_name: str | None, post: str) -> list[str]:
	"""Whoever the procedure turns to for a property's post (`PROPERTY_POSTS`): the person the property names,
	else every enabled holder of the post's role who works for that property (R4)."""
	if post == "area_administrators":
		return area_administrators(property_name)
	named = property_name and frappe.db.get_value(PROPERTY, property_name, post)
	if named and enabled([named]):
		return [named]
	return holders(PROPERTY_POSTS[post], property_name)


def company_post_people(*fields: str, property_name: str | None = None) -> dict[str, list[str]]:
	"""Whoever the procedure turns to for each company-wide post asked (`COMPANY_POSTS` fields): the person
	Settings name, else every enabled holder of the post's role (who works for `property_name`, when given)."""
	return company_posts_for(fields, [property_name])[property_name]


def company_posts_for(fields, properties) -> dict[str | None, dict[str, list[str]]]:
	"""`company_post_people` for several properties at once: one read of Settings (not cached: a test's or
	another worker's change is seen at once), two more for each post Settings leave empty."""
	properties = set(properties)
	named = frappe.db.get_value(SETTINGS, None, list(fields), as_dict=True) or {}
	active = enabled(named.values())
	people = {prop: {} for prop in properties}
	for field in fields:
		if named.get(field) in active:
			for prop in properties:
				people[prop][field] = [named[field]]
			continue
		by_property = holders_for(COMPANY_POSTS[field], properties)
		for prop in properties:
			people[prop][field] = by_property[prop]
	return people


def the_one(people) -> str | None:
	"""The person a record's single Link names: the only one reached, else nobody (several are told and
	assigned, none of them chosen by sort order, R4)."""
	return people[0] if len(people or ()) == 1 else None


def unnamed_posts(doc, posts) -> list[str]:
	"""The labels of the posts (fieldnames) `doc` leaves unnamed, translated, for the form's warning."""
	return [_(doc.meta.get_label(field)) for field in posts if not doc.get(field)]


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
