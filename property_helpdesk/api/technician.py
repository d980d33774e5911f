"""The technician's phone (工程维修组, R20–R22, R35, R36): the server side of /my_jobs.

Technicians and their supervisor are staff, but the phone does not lean on DocType permissions: every function
here checks itself who is asking. A technician acts on the jobs that name them; a maintenance supervisor on the
jobs of the properties that name them. Any other job is answered exactly like one that does not exist
(PermissionError, HTTP 403), so nothing can be learnt by guessing names.
"""

import frappe
from frappe import _

from property_helpdesk.constants import PROPERTY, WORK_ORDER


def supervised_properties(user: str | None = None) -> list[str]:
	"""The properties whose maintenance supervisor is `user`."""
	user = user or frappe.session.user
	if user in (None, "Guest"):
		return []
	return frappe.get_all(PROPERTY, filters={"maintenance_supervisor": user}, pluck="name")


def require_login():
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your jobs."), frappe.PermissionError)


def job_for(name: str, for_update: bool = False):
	"""The work order, if the signed-in user may act on it (its technician, or the supervisor of its property);
	otherwise 403, as for a name that does not exist. `for_update` locks its row for the rest of the request."""
	require_login()
	doc = None
	if isinstance(name, str) and name and frappe.db.exists(WORK_ORDER, name):
		doc = frappe.get_doc(WORK_ORDER, name, for_update=for_update)
	if doc is None or not doc.may_take_steps():
		frappe.throw(_("You can see only your own jobs."), frappe.PermissionError)
	return doc
