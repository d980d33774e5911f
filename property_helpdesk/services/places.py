"""扫码报修 (issue 14): who may report at the place a QR label names, a Property Unit or a Common Area. One home
for the rule, used by the report page (www/new_case: the place prefilled and locked) and by the submission
(api/portal.report_case), so what the page offers and what the server accepts cannot differ.

- a resident of that unit, or for a common area a resident of any unit of its property, reports as a resident;
- a staff member (a desk user holding a staff role) who works for the place's property (Frappe's User
  Permissions on Property, `access.allowed_properties`) reports there as the acceptor, channel Patrol;
- anyone else is refused (403), and a name that is not a place, or a disabled common area, is a 404.
"""

import frappe
from frappe import _

from property_helpdesk.access import allowed_properties
from property_helpdesk.constants import COMMON_AREA, UNIT
from property_helpdesk.roles import STAFF_ROLES

PATROL = "Patrol"  # the channel of a case a staff member reports at a place (巡查)
AS_RESIDENT, AS_STAFF = "resident", "staff"


def named_place(unit: str | None = None, common_area: str | None = None) -> frappe._dict | None:
	"""The place a label's URL names (?unit= or ?common_area=), or None when it names none; a name that is not a
	place (or a common area no longer in use) is refused with a translated 404."""
	if common_area:
		if not isinstance(common_area, str):
			raise_unknown()
		area = frappe.db.get_value(
			COMMON_AREA, common_area, ["name", "property", "area_name", "building", "enabled"], as_dict=True
		)
		if not area:
			raise_unknown()
		if not area.enabled:
			frappe.throw(
				_("{0} no longer takes reports here. Please call the service hotline.").format(
					area.area_name
				),
				frappe.DoesNotExistError,
				title=_("Unknown Place"),
			)
		return frappe._dict(
			doctype=COMMON_AREA, name=area.name, property=area.property, title=area.area_name, unit=None
		)
	if unit:
		if not isinstance(unit, str):
			raise_unknown()
		row = frappe.db.get_value(UNIT, unit, ["name", "property", "building", "unit_no"], as_dict=True)
		if not row:
			raise_unknown()
		return frappe._dict(
			doctype=UNIT,
			name=row.name,
			property=row.property,
			title=" ".join(filter(None, (row.building, row.unit_no))),
			unit=row.name,
		)
	return None


def raise_unknown():
	frappe.throw(
		_("This QR code names no place of ours. Please call the service hotline."),
		frappe.DoesNotExistError,
		title=_("Unknown Place"),
	)


def reporter_at(place, resident_units: list[str], user: str | None = None) -> tuple[str, list[str]]:
	"""How the signed-in user reports at `place`: (AS_RESIDENT, the units they may report for there) or
	(AS_STAFF, []); anyone else is refused with a translated 403 saying why."""
	user = user or frappe.session.user
	if resident_units:
		if place.doctype == UNIT:
			if place.name in resident_units:
				return AS_RESIDENT, [place.name]
			frappe.throw(
				_(
					"This QR code is for unit {0}, which is not yours: you can report only for your own units."
				).format(place.title),
				frappe.PermissionError,
				title=_("Not Your Unit"),
			)
		units = frappe.get_all(
			UNIT, filters={"name": ("in", resident_units), "property": place.property}, pluck="name"
		)
		if units:
			return AS_RESIDENT, sorted(units)
		frappe.throw(
			_("{0} belongs to {1}, where you hold no unit: you can report only in your own property.").format(
				place.title, place.property
			),
			frappe.PermissionError,
			title=_("Not Your Property"),
		)
	if is_staff_of(place.property, user):
		return AS_STAFF, []
	frappe.throw(
		_("You can report here only as a resident of this place or as staff of {0}.").format(place.property),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def is_staff_of(property_name: str, user: str) -> bool:
	"""A desk user with a staff role who works for the property (every property when unrestricted)."""
	if frappe.get_cached_value("User", user, "user_type") != "System User":
		return False
	if not set(STAFF_ROLES) & set(frappe.get_roles(user)):
		return False
	properties = allowed_properties(user)
	return properties is None or property_name in properties
