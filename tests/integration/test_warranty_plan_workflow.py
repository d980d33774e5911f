"""R25: a self-handled job over the limit needs a 质保期维修计划 approved by the engineering manager and the
office director (a Frappe Workflow), with a daily 完成进程表. Every transition tried by every role."""

import frappe
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, now_datetime, today

from tests.integration.factories import make_property, make_ticket, make_unit, make_user

ROLES = {
	"supervisor": "Property Maintenance Supervisor",
	"engineer": "Property Engineering Manager",
	"director": "Property Office Director",
	"agent": "Property Duty Staff",
	"csm": "Property CS Manager",
	"gm": "Property General Manager",
	"tech": "Property Maintenance Technician",
}
# (state, action) → the one role that may take it
ALLOWED = {
	("Draft", "Submit for Approval"): "supervisor",
	("Pending Engineering Manager", "Approve"): "engineer",
	("Pending Engineering Manager", "Reject"): "engineer",
	("Pending Office Director", "Approve"): "director",
	("Pending Office Director", "Reject"): "director",
	("Rejected", "Submit for Approval"): "supervisor",
}
PATH = {  # how to bring a plan to each state
	"Draft": [],
	"Pending Engineering Manager": [("supervisor", "Submit for Approval")],
	"Pending Office Director": [("supervisor", "Submit for Approval"), ("engineer", "Approve")],
	"Rejected": [("supervisor", "Submit for Approval"), ("engineer", "Reject")],
}


class TestWarrantyRepairPlan(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {key: make_user(f"plan-{key}@plan.test", role) for key, role in ROLES.items()}
		cls.unit = make_unit(make_property("计划楼盘"), "1幢", "101")

	def tearDown(self):
		frappe.set_user("Administrator")

	def long_job(self):
		"""A job dispatched five days ago, now finished: longer than the three-day limit."""
		frappe.set_user(self.users["agent"])
		ticket = make_ticket(self.unit, call_started_at=add_to_date(now_datetime(), days=-5))
		frappe.set_user("Administrator")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", add_to_date(ticket.call_started_at, minutes=3), update_modified=False)
		return wo

	def plan(self, wo):
		frappe.set_user(self.users["supervisor"])
		doc = frappe.get_doc(
			{
				"doctype": "Warranty Repair Plan",
				"work_order": wo.name,
				"planned_start": add_days(today(), -5),
				"planned_end": today(),
				"plan": "拆除并重做卫生间防水层，闭水试验48小时。",
			}
		).insert()
		frappe.set_user("Administrator")
		return doc

	def act(self, doc, who, action):
		frappe.set_user(self.users[who])
		try:
			return apply_workflow(frappe.get_doc("Warranty Repair Plan", doc.name), action)
		finally:
			frappe.set_user("Administrator")

	def test_r25_every_transition_by_every_role(self):
		wo = self.long_job()
		for (state, action), allowed in ALLOWED.items():
			for who in ROLES:
				with self.subTest(state=state, action=action, who=who):
					doc = self.plan(wo)
					for step_who, step_action in PATH[state]:
						self.act(doc, step_who, step_action)
					self.assertEqual(
						frappe.db.get_value("Warranty Repair Plan", doc.name, "workflow_state"), state
					)
					if who == allowed:
						self.act(doc, who, action)
					else:
						with self.assertRaises(
							(WorkflowPermissionError, WorkflowTransitionError, frappe.PermissionError)
						):
							self.act(doc, who, action)
					frappe.db.delete("Warranty Repair Plan", {"name": doc.name})

	def test_r25_approved_by_both_then_submitted_with_daily_progress(self):
		wo = self.long_job()
		doc = self.plan(wo)
		self.act(doc, "supervisor", "Submit for Approval")
		self.act(doc, "engineer", "Approve")
		approved = self.act(doc, "director", "Approve")
		self.assertEqual((approved.workflow_state, approved.docstatus), ("Approved", 1))
		frappe.set_user(self.users["supervisor"])
		approved.reload()
		approved.append(
			"progress", {"progress_date": add_days(today(), -1), "percent_complete": 40, "note": "拆除完成"}
		)
		approved.append("progress", {"progress_date": today(), "percent_complete": 70, "note": "防水层施工"})
		approved.save()
		self.assertEqual(approved.progress[0].reported_by, self.users["supervisor"])
		approved.append("progress", {"progress_date": today(), "percent_complete": 80, "note": "重复"})
		with self.assertRaisesRegex(frappe.ValidationError, "already reported"):
			approved.save()

	def test_r25_direct_write_of_the_state_is_refused(self):
		doc = self.plan(self.long_job())
		frappe.set_user(self.users["supervisor"])
		doc = frappe.get_doc("Warranty Repair Plan", doc.name)
		doc.workflow_state = "Approved"
		with self.assertRaises(frappe.ValidationError):
			doc.save()

	def test_r25_submitting_around_the_workflow_is_refused(self):
		"""The supervisor may report progress on an approved plan (update after submit) but not approve one."""
		doc = self.plan(self.long_job())
		frappe.set_user(self.users["supervisor"])
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc("Warranty Repair Plan", doc.name).submit()
		self.assertEqual(frappe.db.get_value("Warranty Repair Plan", doc.name, "docstatus"), 0)

	def test_r25_a_long_job_cannot_complete_without_an_approved_plan(self):
		wo = self.long_job()
		wo.reload()
		wo.update({"arrived_at": add_to_date(wo.dispatched_at, minutes=10), "completed_at": now_datetime()})
		with self.assertRaisesRegex(frappe.ValidationError, "warranty repair plan"):
			wo.save()
		doc = self.plan(wo)
		for who, action in (
			("supervisor", "Submit for Approval"),
			("engineer", "Approve"),
			("director", "Approve"),
		):
			self.act(doc, who, action)
		wo.reload()
		wo.update({"arrived_at": add_to_date(wo.dispatched_at, minutes=10), "completed_at": now_datetime()})
		wo.save()
		self.assertEqual(wo.status, "Completed")

	def test_r25_a_long_job_completed_before_saves_until_its_times_change(self):
		"""History with no plan to show (imported from paper, or the demo's, written in bulk) saves as it is; a
		new completion time is judged again."""
		wo = self.long_job()
		completed = add_to_date(wo.dispatched_at, days=4)  # a day ago, four after dispatch
		wo.db_set({"arrived_at": add_to_date(wo.dispatched_at, minutes=10), "completed_at": completed})
		wo.reload()
		wo.work_done = "更换阀门（补录）"
		wo.save()
		wo.completed_at = add_to_date(completed, hours=1)
		with self.assertRaisesRegex(frappe.ValidationError, "warranty repair plan"):
			wo.save()

	def test_r25_a_long_open_job_without_an_approved_plan_nudges_the_engineering_manager_once(self):
		"""R25 with R4: the engineering manager Settings name hears of it, once, on their list and as a system
		notification."""
		from property_helpdesk.property_helpdesk.doctype.warranty_repair_plan.warranty_repair_plan import (
			nudge_plans_needed,
		)

		manager = self.users["engineer"]
		frappe.db.set_single_value("Property Helpdesk Settings", "engineering_manager", manager)
		wo = self.long_job()  # open, dispatched five days ago
		fresh = frappe.get_doc(
			"Repair Work Order", {"service_ticket": make_ticket(self.unit).name}
		)  # dispatched now
		nudged = nudge_plans_needed()
		self.assertIn(wo.name, nudged)
		self.assertNotIn(fresh.name, nudged)
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": wo.name, "allocated_to": manager, "status": "Open"})
		)
		self.assertEqual(
			frappe.db.count(
				"Notification Log", {"document_name": wo.name, "for_user": manager, "type": "Alert"}
			),
			1,
		)
		self.assertNotIn(wo.name, nudge_plans_needed())  # once
		self.assertEqual(
			frappe.db.count(
				"Notification Log", {"document_name": wo.name, "for_user": manager, "type": "Alert"}
			),
			1,
		)
		# an approved plan ends it: another long job with one is not a nudge
		other = self.long_job()
		doc = self.plan(other)
		for who, action in (
			("supervisor", "Submit for Approval"),
			("engineer", "Approve"),
			("director", "Approve"),
		):
			self.act(doc, who, action)
		self.assertNotIn(other.name, nudge_plans_needed())
