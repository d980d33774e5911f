"""Test data on the real site, in one place. Everything is made inside the test's transaction."""

import frappe
from frappe.utils import now_datetime

PASSWORD = "Test@Helpdesk-2026"


def make_user(email: str, *roles: str, user_type: str = "System User", mobile: str | None = None) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"user_type": user_type,
				"send_welcome_email": 0,
				"mobile_no": mobile,
				"new_password": PASSWORD,
			}
		)
		user.flags.ignore_password_policy = True
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	current = {r.role for r in user.roles}
	if set(roles) - current:
		user.add_roles(*roles)
	return email


def make_property(
	name: str = "测试楼盘",
	developer_type: str = "Parent Developer",
	completion: str = "2020-01-01",
	office_director: str | None = None,
) -> str:
	developer = f"{name}开发商"
	if not frappe.db.exists("Property Developer", developer):
		frappe.get_doc(
			{"doctype": "Property Developer", "developer_name": developer, "developer_type": developer_type}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Property", name):
		frappe.get_doc(
			{
				"doctype": "Property",
				"property_name": name,
				"developer": developer,
				"completion_acceptance_date": completion,
				"management_office": f"{name}管理处",
				"office_director": office_director,
			}
		).insert(ignore_permissions=True)
	return name


def make_unit(
	property_name: str, building: str = "1幢", unit_no: str = "101", handover: str = "2021-01-01"
) -> str:
	name = f"{property_name}-{building}-{unit_no}"
	if not frappe.db.exists("Property Unit", name):
		frappe.get_doc(
			{
				"doctype": "Property Unit",
				"property": property_name,
				"building": building,
				"unit_no": unit_no,
				"handover_date": handover,
			}
		).insert(ignore_permissions=True)
	return name


def warranty_rule(component: str) -> str:
	return frappe.db.get_value("Warranty Rule", {"component": component, "property": ("is", "not set")})


def ticket_values(unit: str, **overrides) -> dict:
	values = {
		"doctype": "Service Ticket",
		"ticket_type": "Repair",
		"channel": "Phone",
		"call_started_at": now_datetime(),
		"unit": unit,
		"contact_name": "张先生",
		"contact_phone": "13812345678",
		"subject": "卫生间漏水",
		"description": "卫生间地面渗水到楼下。",
	}
	values.update(overrides)
	# R15: a repair is judged from its location type at intake
	if values["ticket_type"] in ("Repair", "Paid Service") and "location" not in overrides:
		values["location"] = "Private Part" if values["ticket_type"] == "Paid Service" else "Common Facility"
	return values


def make_ticket(unit: str, **overrides):
	return frappe.get_doc(ticket_values(unit, **overrides)).insert()


def delete_cases(property_name: str) -> None:
	"""Remove what tests committed for a property's cases: files, work orders, visits, escalations, the cases."""
	tickets = frappe.get_all("Service Ticket", {"property": property_name}, pluck="name")
	if not tickets:
		return
	for name in frappe.get_all(
		"File", {"attached_to_doctype": "Service Ticket", "attached_to_name": ("in", tickets)}, pluck="name"
	):
		frappe.delete_doc("File", name, force=True, ignore_permissions=True)
	work_orders = frappe.get_all("Repair Work Order", {"service_ticket": ("in", tickets)}, pluck="name")
	for reference_type, names in (("Service Ticket", tickets), ("Repair Work Order", work_orders)):
		if names:
			frappe.db.delete("ToDo", {"reference_type": reference_type, "reference_name": ("in", names)})
	for doctype in ("Return Visit", "Repair Work Order", "Escalation"):
		frappe.db.delete(doctype, {"service_ticket": ("in", tickets)})
	frappe.db.delete("Service Ticket", {"name": ("in", tickets)})


def login_session(base_url: str, user: str, page: str):
	"""A browser-like HTTP session: password login, then `page`, which hands out the CSRF token for POSTs."""
	import re

	import requests

	session = requests.Session()
	response = session.post(f"{base_url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30)
	response.raise_for_status()
	html = session.get(f"{base_url}{page}", timeout=60).text
	session.headers["X-Frappe-CSRF-Token"] = re.search(r'csrf_token\s*=\s*"([^"]+)"', html).group(1)
	return session
