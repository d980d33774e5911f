"""R30 (issue 15): the index R30's proposed-rework lookup reads at every new repair case (Repair Work Order's
`unit`, `completed_at`). Frappe runs a DocType's `on_doctype_update`, where its indexes are declared, only when
it syncs the DocType's JSON again, and this release did not change Repair Work Order's JSON: without this patch
an upgraded site would never get the index (tests/integration/test_upgrade.py checks every declared index)."""

import frappe

from property_helpdesk.constants import WORK_ORDER


def execute():
	# each of its add_index calls makes an index only where it is missing
	frappe.get_doc("DocType", WORK_ORDER).run_module_method("on_doctype_update")
