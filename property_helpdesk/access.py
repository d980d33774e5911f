"""Which properties a staff user works for (R4, R1): each 管理处's staff see and act on their own properties only.

A staff user's properties are Frappe's own User Permissions on Property (allow = Property): Frappe applies them
to every list, report query, form, print and link of a DocType that links to Property. Company departments
(客户服务部, 品质部, 总经理, 工程部) hold no such rows and see every property.
"""

import frappe

from property_helpdesk.constants import PROPERTY


def allowed_properties(user: str | None = None) -> list[str] | None:
	"""The properties `user` (default: the session user) is restricted to, or None when unrestricted."""
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	rows = frappe.permissions.get_user_permissions(user).get(PROPERTY)
	if not rows:
		return None
	return sorted({row.get("doc") for row in rows})
