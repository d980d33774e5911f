"""Builders of the app's records: one set for the demo (setup/demo.py) and the tests (tests/integration/factories.py).

Master data — users, customers, developers, properties, units, residents — is made only where it is missing,
so that the demo can load twice and a test can ask again for what an earlier test made: each builder returns
the record's name. A case, a work order, a plan, an invoice or a payment is made anew each time and returned
as the document. Everything goes through the DocTypes' own controllers (insert/save/submit), as the desk
would, so a record made here is one the app itself would accept.
"""

import frappe
from frappe.utils import add_days, now_datetime, nowdate, today

from property_helpdesk.constants import (
	CANCELLED,
	CASE,
	DEVELOPER,
	PAID_SERVICE,
	PROPERTY,
	REPAIR,
	REPAIR_SERVICE_TYPE,
	RESIDENT,
	SERVICE_TYPED_CASES,
	UNIT,
	WARRANTY_PLAN,
	WARRANTY_RULE,
	WORK_ORDER,
	WORK_ORDER_TYPES,
)
from property_helpdesk.procedure.liability import COMMON, PARENT_DEVELOPER, PRIVATE

# -- Master data (made where missing; the name is returned) -----------------------------------------------


def ensure(doctype: str, name: str, values: dict) -> str:
	"""The record `name` of `doctype`, inserted from `values` unless it exists (an existing one is left alone)."""
	if not frappe.db.exists(doctype, name):
		frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)
	return name


def make_user(
	email: str,
	*roles: str,
	user_type: str = "System User",
	mobile: str | None = None,
	first_name: str | None = None,
	language: str | None = None,
	password: str | None = None,
) -> str:
	"""A user with at least `roles`; an existing user gains the roles it lacks and keeps everything else."""
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name or email.split("@")[0],
				"user_type": user_type,
				"language": language,
				"send_welcome_email": 0,
				"mobile_no": mobile,
				"new_password": password,
				"roles": [{"role": role} for role in roles],
			}
		)
		user.flags.ignore_password_policy = True  # demo and test passwords are known on purpose
		user.insert(ignore_permissions=True)
		return email
	user = frappe.get_doc("User", email)
	missing = set(roles) - {row.role for row in user.roles}
	if missing:
		user.add_roles(*sorted(missing))
	return email


def make_customer(name: str, customer_type: str = "Individual") -> str:
	"""ERPNext's Customer whom the app bills (a resident, an owner, a developer)."""
	return ensure("Customer", name, {"customer_name": name, "customer_type": customer_type})


def make_developer(
	name: str,
	developer_type: str = PARENT_DEVELOPER,
	customer: str | None = None,
	contact_person: str | None = None,
	contact_phone: str | None = None,
) -> str:
	return ensure(
		DEVELOPER,
		name,
		{
			"developer_name": name,
			"developer_type": developer_type,
			"customer": customer,
			"contact_person": contact_person,
			"contact_phone": contact_phone,
		},
	)


def make_property(
	name: str = "测试楼盘",
	developer_type: str = PARENT_DEVELOPER,
	completion: str = "2020-01-01",
	office_director: str | None = None,
	*,
	developer: str | None = None,
	office: str | None = None,
	area_administrator: str | None = None,
	maintenance_supervisor: str | None = None,
) -> str:
	"""A property by `developer`, or by a developer of its own (「<name>开发商」, of `developer_type`)."""
	developer = developer or make_developer(f"{name}开发商", developer_type)
	return ensure(
		PROPERTY,
		name,
		{
			"property_name": name,
			"developer": developer,
			"completion_acceptance_date": completion,
			"management_office": office or f"{name}管理处",
			"office_director": office_director,
			"area_administrator": area_administrator,
			"maintenance_supervisor": maintenance_supervisor,
		},
	)


def make_unit(
	property_name: str, building: str = "1幢", unit_no: str = "101", handover: str = "2021-01-01"
) -> str:
	return ensure(
		UNIT,
		f"{property_name}-{building}-{unit_no}",
		{"property": property_name, "building": building, "unit_no": unit_no, "handover_date": handover},
	)


def make_resident(
	resident_name: str,
	phone: str,
	unit: str | None = None,
	*,
	user: str | None = None,
	customer: str | None = None,
	relation: str = "Owner",
	owner_record: bool = False,
) -> str:
	"""A resident of `unit`, found again by phone. `owner_record` also writes them as the unit's owner on the
	unit's own record (what a self sign-up is checked against)."""
	name = frappe.db.get_value(RESIDENT, {"phone": phone})
	if not name:
		name = (
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": resident_name,
					"phone": phone,
					"user": user,
					"customer": customer,
					"units": [{"unit": unit, "relation": relation}] if unit else [],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	if owner_record and unit:
		frappe.db.set_value(UNIT, unit, {"owner_name": resident_name, "owner_phone": phone})
	return name


def warranty_rule(component: str) -> str | None:
	"""The company-wide Warranty Rule of a component (seeded at install from the regulations)."""
	return frappe.db.get_value(WARRANTY_RULE, {"component": component, "property": ("is", "not set")})


# -- Cases and what follows them (made anew; the document is returned) ------------------------------------


def ticket_values(unit: str, **overrides) -> dict:
	"""A case as the duty staff take it on the phone (R5, R7): a repair at `unit` unless `overrides` say
	otherwise."""
	values = {
		"doctype": CASE,
		"ticket_type": REPAIR,
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
	if values["ticket_type"] in WORK_ORDER_TYPES and "location" not in overrides:
		values["location"] = PRIVATE if values["ticket_type"] == PAID_SERVICE else COMMON
	# R11: a paid service or service request names its service type; unless told, it is a repair's (维修)
	if values["ticket_type"] in SERVICE_TYPED_CASES and "service_type" not in overrides:
		values["service_type"] = REPAIR_SERVICE_TYPE
	return values


def make_ticket(unit: str, **overrides):
	"""A case accepted by the session user (its acceptor and follow-up owner, R34)."""
	return frappe.get_doc(ticket_values(unit, **overrides)).insert()


def work_order_of(ticket: str, dispatched_at=None):
	"""The case's work order (made when the case was accepted, R10, R15). `dispatched_at` records the
	dispatch at that moment instead, as an emergency's dispatch time is entered afterwards."""
	work_order = frappe.get_doc(WORK_ORDER, {"service_ticket": ticket, "status": ("!=", CANCELLED)})
	if dispatched_at:
		work_order.db_set("dispatched_at", dispatched_at, update_modified=False)
		work_order.reload()
	return work_order


def make_warranty_plan(work_order: str, plan: str, days: int = 5, start=None):
	"""A 质保期维修计划 (R25) in Draft, from `start` (today) for `days` days, made by the session user."""
	start = start or today()
	return frappe.get_doc(
		{
			"doctype": WARRANTY_PLAN,
			"work_order": work_order,
			"planned_start": start,
			"planned_end": add_days(start, days),
			"plan": plan,
		}
	).insert()


def make_service_invoice(customer: str, rate: float):
	"""A submitted Sales Invoice of one service at `rate` (the fee schedule's service item)."""
	from property_helpdesk.services.billing import SERVICE_ITEM, ensure_fee_schedule

	ensure_fee_schedule()
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"items": [{"item_code": SERVICE_ITEM, "qty": 1, "rate": rate}],
		}
	).insert(ignore_permissions=True)
	invoice.submit()
	return invoice


def pay_invoice(invoice: str, reference_no: str):
	"""The resident pays at the front desk: ERPNext's Payment Entry against the invoice, submitted; its print
	is the resident's receipt (收据, R39)."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	payment = get_payment_entry("Sales Invoice", invoice)
	payment.update({"reference_no": reference_no, "reference_date": nowdate()})
	payment.insert()
	payment.submit()
	return payment
