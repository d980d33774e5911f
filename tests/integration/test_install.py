"""A fresh install leaves the site ready: roles (R4), the service commitment (R31), warranty rules (R15–R17) and
the complaint grounds (R12–R14)."""

import frappe
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.constants import (
	CASE,
	COMPLAINT_GROUND,
	LIAISON_SHEET,
	SETTINGS,
	SETTLEMENT,
	WARRANTY_PLAN,
	WARRANTY_RULE,
	WORK_ORDER,
)
from property_helpdesk.setup.install import PORTAL_ROLES, ROLES


class TestInstall(FrappeTestCase):
	def test_r4_every_actor_has_a_role_and_portal_roles_have_no_desk(self):
		for role in ROLES:
			self.assertTrue(frappe.db.exists("Role", role), role)
			expected = 0 if role in PORTAL_ROLES else 1
			self.assertEqual(frappe.db.get_value("Role", role, "desk_access"), expected, role)

	def test_r31_service_commitment_is_stored_with_every_limit(self):
		stored = frappe.db.get_singles_dict(SETTINGS)
		for fieldname, expected in {
			"dispatch_notify_minutes": 5,
			"arrival_minutes": 15,
			"minor_repair_target_hours": 2,
			"minor_repair_limit_hours": 24,
			"general_repair_limit_hours": 72,
			"major_explanation_hours": 48,
			"complaint_answer_days": 3,
			"work_order_return_hours": 24,
			"return_visit_hours": 72,
			"warranty_plan_days": 3,
			"quality_review_days": 3,
			"minor_repair_timeliness_target": 98,
			"rework_rate_ceiling": 1,
		}.items():
			self.assertEqual(float(stored.get(fieldname)), expected, fieldname)
		self.assertTrue(stored.get("service_hotline"))
		self.assertEqual(stored.get("return_visit_by"), "Acceptor")

	def test_r12_r14_complaint_grounds_are_data(self):
		counts = {
			row.validity_class: row.n
			for row in frappe.get_all(
				COMPLAINT_GROUND, fields=["validity_class", "count(name) as n"], group_by="validity_class"
			)
		}
		self.assertEqual(counts, {"Valid Complaint": 7, "Matter to Assist": 5, "Excessive Demand": 3})
		self.assertIn("两次提示或督促", frappe.db.get_value(COMPLAINT_GROUND, "A4.3.1.5", "ground"))

	def test_r15_warranty_rules_seeded_from_the_regulations(self):
		roof = frappe.db.get_value(
			WARRANTY_RULE,
			{"component": "屋面防水", "property": ("is", "not set")},
			["builder_period", "builder_unit", "owner_period", "owner_unit"],
			as_dict=True,
		)
		self.assertEqual((roof.builder_period, roof.builder_unit), (5, "Years"))
		self.assertEqual((roof.owner_period, roof.owner_unit), (3, "Years"))
		lamps = frappe.db.get_value(
			WARRANTY_RULE, {"component": "灯具、电器开关"}, ["owner_period", "owner_unit"], as_dict=True
		)
		self.assertEqual((lamps.owner_period, lamps.owner_unit), (6, "Months"))
		# every row of the seed (whose values tests/unit/test_warranty.py checks against the regulations) is on
		# the site as company-wide rules
		from tests.unit.test_warranty import EXPECTED, seed_rules

		fields = ["component", "builder_period", "builder_unit", "owner_period", "owner_unit"]
		on_site = {
			row.component: (row.builder_period, row.builder_unit, row.owner_period, row.owner_unit)
			for row in frappe.get_all(WARRANTY_RULE, filters={"property": ("is", "not set")}, fields=fields)
		}
		seeded = {c: (b.amount, b.unit, o.amount, o.unit) for c, (b, o) in seed_rules().items()}
		self.assertEqual({c: on_site.get(c) for c in EXPECTED}, seeded)

	def test_seeding_again_changes_nothing(self):
		from property_helpdesk.setup.install import after_install

		before = frappe.db.count(WARRANTY_RULE)
		frappe.db.set_single_value(SETTINGS, "arrival_minutes", 20)
		after_install()
		self.assertEqual(frappe.db.count(WARRANTY_RULE), before)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "arrival_minutes"), 20)

	def test_r15_r26_scheduled_jobs_are_registered(self):
		self.assertTrue(
			frappe.db.exists(
				"Scheduled Job Type",
				{"method": "property_helpdesk.services.escalation.run_job", "cron_format": "* * * * *"},
			)
		)
		self.assertTrue(
			frappe.db.exists("Scheduled Job Type", {"method": ("like", "%remind_unreconciled_job")})
		)

	def test_r25_workflow_installed_active_and_valid(self):
		workflow = frappe.get_doc("Workflow", "Warranty Repair Plan Approval")
		self.assertTrue(workflow.is_active)
		self.assertEqual(workflow.document_type, WARRANTY_PLAN)
		self.assertEqual(len(workflow.transitions), 6)
		workflow.validate()  # Frappe's own validation of states and transitions

	def test_workspace_gathers_the_app_for_the_desk(self):
		workspace = frappe.get_doc("Workspace", "Property Helpdesk")
		self.assertTrue(workspace.public)
		linked = {link.link_to for link in workspace.links if link.type == "Link"}
		for doctype in (CASE, WORK_ORDER, LIAISON_SHEET, SETTLEMENT):
			self.assertIn(doctype, linked)
