"""R4, R11: a property names more than one area administrator (the `area_administrators` table) and cases name a
service type. The single `area_administrator` each property named becomes the first row of its table; the seeded
service types are made once; the open and closed paid services and service requests of before, all of which went
to the maintenance team, are of the repair type (维修), so their routing and their next save stay as they were."""

import frappe

from property_helpdesk.constants import CASE, PROPERTY, REPAIR_SERVICE_TYPE, SERVICE_TYPED_CASES
from property_helpdesk.setup.install import seed_paid_service_types


def execute():
	seed_paid_service_types()
	for prop in frappe.get_all(
		PROPERTY, filters={"area_administrator": ("is", "set")}, fields=["name", "area_administrator"]
	):
		if frappe.db.exists(
			"Post Holder User",
			{"parenttype": PROPERTY, "parent": prop.name, "parentfield": "area_administrators"},
		):
			continue
		frappe.get_doc(
			{
				"doctype": "Post Holder User",
				"parenttype": PROPERTY,
				"parent": prop.name,
				"parentfield": "area_administrators",
				"idx": 1,
				"user": prop.area_administrator,
			}
		).db_insert()
	frappe.db.set_value(
		CASE,
		{"ticket_type": ("in", SERVICE_TYPED_CASES), "service_type": ("is", "not set")},
		"service_type",
		REPAIR_SERVICE_TYPE,
		update_modified=False,
	)
