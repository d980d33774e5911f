"""工作联系单 and 和解备忘 as Frappe Workflows (R17, R18, R28, R40–R45): every transition by every role, refusals
through Frappe's workflow and permission errors, the developer's reply, the reply deadline that escalates, small
and large settlements end to end, authority enforced on the server, and the print formats."""

import io
import json
import os
import unicodedata
from datetime import timedelta

import frappe
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from property_helpdesk.api import developer as developer_api
from property_helpdesk.constants import SETTINGS, VISIBLE_TO_DEVELOPER
from property_helpdesk.exceptions import FrozenFieldError, InvalidTimeError, StepPreconditionError
from property_helpdesk.property_helpdesk.doctype.compensation_settlement.compensation_settlement import (
	make_settlement,
)
from property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet import (
	cases_awaiting_sheet,
	chase_overdue,
	make_liaison_sheet,
	record_engineering_review,
)
from tests.integration.factories import (
	bring_sheet_to,
	delete_cases,
	liaison_sheet_values,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
)

REFUSED = (WorkflowPermissionError, WorkflowTransitionError, frappe.PermissionError)
STAFF = {
	"agent": "Property Duty Staff",
	"director": "Property Office Director",
	"csm": "Property CS Manager",
	"gm": "Property General Manager",
	"supervisor": "Property Maintenance Supervisor",
	"quality": "Property Quality Officer",
	"engineer": "Property Engineering Manager",
	"technician": "Property Maintenance Technician",
}
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


class WorkflowCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {key: make_user(f"ls-{key}@liaison.test", role) for key, role in STAFF.items()}
		cls.users["contact"] = make_user(
			"ls-contact@liaison.test", "Property Developer Contact", user_type="Website User"
		)
		cls.users["other_contact"] = make_user(
			"ls-other@liaison.test", "Property Developer Contact", user_type="Website User"
		)
		# an office director, but not of this property (R41, R42)
		cls.users["other_director"] = make_user("ls-director2@liaison.test", "Property Office Director")
		# The accounts are kept: a new User writes a site-wide default row, which another test run on the same
		# site may hold locked for the length of its transaction.
		frappe.db.commit()
		cls.prop = make_property(
			"联系单楼盘", "External Developer", "2020-01-01", office_director=cls.users["director"]
		)
		cls.developer = frappe.db.get_value("Property", cls.prop, "developer")
		dev = frappe.get_doc("Property Developer", cls.developer)
		dev.append("contact_users", {"user": cls.users["contact"]})
		dev.save()
		other = cls.other_prop = make_property("他人楼盘", "External Developer")
		other_dev = frappe.get_doc("Property Developer", frappe.db.get_value("Property", other, "developer"))
		other_dev.append("contact_users", {"user": cls.users["other_contact"]})
		other_dev.save()
		cls.unit = make_unit(cls.prop)

	def tearDown(self):
		frappe.set_user("Administrator")

	def as_user(self, who, fn, *args, **kwargs):
		frappe.set_user(self.users[who])
		try:
			return fn(*args, **kwargs)
		finally:
			frappe.set_user("Administrator")

	def act(self, doctype, name, who, action):
		return self.as_user(who, lambda: apply_workflow(frappe.get_doc(doctype, name), action))

	def ticket(self, **kw):
		return self.as_user("agent", lambda: make_ticket(self.unit, **kw)).name

	def sheet(self, tickets=None, purpose="Developer-Liable Repair", amounts=None, liable_party="Developer"):
		tickets = tickets or [self.ticket()]
		values = liaison_sheet_values(self.prop, tickets, purpose, amounts, liable_party)
		return self.as_user("agent", lambda: frappe.get_doc(values).insert())


SHEET_ALLOWED = {
	("Draft", "Sign"): {"director"},
	("Director Signed", "Review"): {"csm"},
	("Director Signed", "Return for Revision"): {"csm"},
	("CS Reviewed", "Sign"): {"gm"},
	("CS Reviewed", "Return for Revision"): {"gm"},
	("GM Signed", "Send to Developer"): {"csm"},
	("Sent to Developer", "Record Reply"): {"csm", "contact"},
	("Replied", "Close"): {"csm"},
}


class TestLiaisonSheet(WorkflowCase):
	def bring_to(self, name, state):
		bring_sheet_to(name, state, self.users)

	def test_r40_every_transition_by_every_role(self):
		for (state, action), allowed in SHEET_ALLOWED.items():
			for who in [*STAFF, "contact"]:
				with self.subTest(state=state, action=action, who=who):
					name = self.sheet().name
					self.bring_to(name, state)
					if action == "Record Reply":
						frappe.db.set_value("Liaison Sheet", name, "reply_decision", "Confirmed")
					if who == "contact":
						# a developer contact acts only through the portal's reply, never the desk's workflow
						with self.assertRaises(REFUSED):
							self.act("Liaison Sheet", name, who, action)
						if who in allowed:
							self.as_user(who, developer_api.reply, name, "Confirmed")
					elif who in allowed:
						self.act("Liaison Sheet", name, who, action)
					else:
						with self.assertRaises(REFUSED):
							self.act("Liaison Sheet", name, who, action)

	def test_r40_signatures_recorded_and_state_cannot_be_written_directly(self):
		name = self.sheet().name
		self.bring_to(name, "Sent to Developer")
		doc = frappe.get_doc("Liaison Sheet", name)
		self.assertEqual(
			(doc.director_signed_by, doc.cs_reviewed_by, doc.gm_signed_by),
			(self.users["director"], self.users["csm"], self.users["gm"]),
		)
		self.assertTrue(doc.director_signed_at and doc.cs_reviewed_at and doc.gm_signed_at and doc.sent_at)
		fresh = self.sheet().name

		def jump():
			d = frappe.get_doc("Liaison Sheet", fresh)
			d.workflow_state = "GM Signed"
			d.save()

		with self.assertRaises(WorkflowPermissionError):
			self.as_user("agent", jump)

	def test_r40_batch_sheet_over_many_cases(self):
		tickets = [self.ticket(subject=f"外墙渗水 {i}") for i in range(5)]
		sheet = self.sheet(tickets, amounts=[100, 200, 300, 400, 500])
		self.assertTrue(sheet.is_batch)
		self.assertEqual(sheet.requested_amount, 1500)
		with self.assertRaisesRegex(frappe.ValidationError, "appears twice"):
			self.sheet([tickets[0], tickets[0]])

	def name_posts(self, **posts):
		"""Settings name these company-wide posts for the test (R4), put back after it."""
		saved = frappe.db.get_value(SETTINGS, None, list(posts), as_dict=True)
		frappe.db.set_single_value(SETTINGS, posts)
		self.addCleanup(frappe.db.set_single_value, SETTINGS, saved)

	def test_r17_external_reply_deadline_is_chased_then_escalated_once(self):
		"""R17 with R4: the chase reaches the CS manager Settings name, and its row records them; where Settings
		name nobody, every CS manager is told (each their own Notification Log) and the row names none."""
		self.name_posts(cs_manager=self.users["csm"], general_manager=self.users["gm"])
		name = self.sheet().name
		self.bring_to(name, "Sent to Developer")
		doc = frappe.get_doc("Liaison Sheet", name)
		days = frappe.db.get_single_value("Property Helpdesk Settings", "developer_reply_days")
		self.assertEqual(get_datetime(doc.reply_deadline), get_datetime(doc.sent_at) + timedelta(days=days))
		chase_overdue()
		self.assertFalse(frappe.get_doc("Liaison Sheet", name).chases)  # not due yet
		frappe.db.set_value("Liaison Sheet", name, "reply_deadline", add_to_date(now_datetime(), minutes=-1))
		chase_overdue()
		chase_overdue()
		chases = frappe.get_doc("Liaison Sheet", name).chases
		self.assertEqual([c.level for c in chases], ["CS Manager"])
		self.assertTrue(chases[0].notified_user)
		self.assertIn("Property CS Manager", frappe.get_roles(chases[0].notified_user))
		self.assertTrue(
			frappe.db.exists("Notification Log", {"document_name": name, "for_user": chases[0].notified_user})
		)
		frappe.db.set_value(
			"Liaison Sheet", name, "reply_deadline", add_to_date(now_datetime(), days=-days, minutes=-1)
		)
		chase_overdue()
		levels = [c.level for c in frappe.get_doc("Liaison Sheet", name).chases]
		self.assertEqual(levels, ["CS Manager", "General Manager"])

		# nobody named: every CS manager hears of it, none of them picked by sort order
		second = make_user("ls-csm2@liaison.test", STAFF["csm"])
		self.name_posts(cs_manager=None)
		unnamed = self.sheet().name
		self.bring_to(unnamed, "Sent to Developer")
		frappe.db.set_value(
			"Liaison Sheet", unnamed, "reply_deadline", add_to_date(now_datetime(), minutes=-1)
		)
		chase_overdue()
		[chase] = frappe.get_doc("Liaison Sheet", unnamed).chases
		self.assertEqual(chase.level, "CS Manager")
		self.assertIsNone(chase.notified_user)
		for user in (self.users["csm"], second):
			self.assertTrue(
				frappe.db.exists("Notification Log", {"document_name": unnamed, "for_user": user})
			)
		self.assertFalse(
			frappe.db.exists("Notification Log", {"document_name": unnamed, "for_user": self.users["gm"]})
		)

	def test_r28_quality_dissatisfaction_review_clock(self):
		"""R28: the review clock runs on Settings' quality_review_days; the CS manager and the engineering
		manager are chased at the deadline, the general manager one review period later."""
		self.name_posts(
			cs_manager=self.users["csm"],
			general_manager=self.users["gm"],
			engineering_manager=self.users["engineer"],
		)
		frappe.db.set_single_value(
			"Property Helpdesk Settings", {"quality_review_days": 2, "developer_reply_days": 5}
		)
		sheet = self.sheet(purpose="Quality Dissatisfaction")
		self.assertAlmostEqual(
			(get_datetime(sheet.review_deadline) - get_datetime(sheet.creation)).total_seconds(),
			2 * 86400,
			delta=5,
		)
		frappe.db.set_value(
			"Liaison Sheet", sheet.name, "review_deadline", add_to_date(now_datetime(), minutes=-1)
		)
		chase_overdue()
		chases = frappe.get_doc("Liaison Sheet", sheet.name).chases
		self.assertEqual([c.level for c in chases], ["CS Manager", "Engineering Manager"])
		self.assertIn("Property Engineering Manager", frappe.get_roles(chases[1].notified_user))
		frappe.db.set_value(
			"Liaison Sheet", sheet.name, "review_deadline", add_to_date(now_datetime(), days=-2, minutes=-1)
		)
		chase_overdue()  # one review period (2 days, not the 5 reply days) later: the general manager
		self.assertEqual(
			[c.level for c in frappe.get_doc("Liaison Sheet", sheet.name).chases],
			["CS Manager", "Engineering Manager", "General Manager"],
		)

	def test_r28_engineering_manager_reviews_with_customer_service(self):
		name = self.sheet(purpose="Quality Dissatisfaction").name
		self.act("Liaison Sheet", name, "director", "Sign")
		with self.assertRaisesRegex(StepPreconditionError, "engineering manager reviews"):
			self.act("Liaison Sheet", name, "csm", "Review")
		for who in ("csm", "gm", "agent", "contact"):
			with self.subTest(who=who), self.assertRaises(frappe.PermissionError):
				self.as_user(who, record_engineering_review, name, "墙面空鼓需返工")
		with self.assertRaisesRegex(StepPreconditionError, "engineering opinion"):
			self.as_user("engineer", record_engineering_review, name, "  ")
		self.as_user("engineer", record_engineering_review, name, "墙面空鼓需返工")
		with self.assertRaisesRegex(FrozenFieldError, "already recorded"):
			self.as_user("engineer", record_engineering_review, name, "再次")
		doc = self.act("Liaison Sheet", name, "csm", "Review")
		self.assertEqual(doc.workflow_state, "CS Reviewed")
		self.assertEqual(
			(doc.engineering_reviewed_by, doc.engineering_opinion), (self.users["engineer"], "墙面空鼓需返工")
		)
		self.assertTrue(doc.engineering_reviewed_at)
		late = self.sheet().name  # not a quality-dissatisfaction sheet: no engineering review there
		with self.assertRaisesRegex(StepPreconditionError, "quality-dissatisfaction"):
			self.as_user("engineer", record_engineering_review, late, "意见")

	def test_r40_developer_replies_on_the_portal_and_nobody_else_can(self):
		name = self.sheet(amounts=[800]).name
		self.bring_to(name, "Sent to Developer")
		with self.assertRaises(frappe.PermissionError):
			self.as_user("other_contact", developer_api.reply, name, "Confirmed")
		with self.assertRaises(frappe.PermissionError):
			self.as_user("agent", developer_api.reply, name, "Confirmed")
		result = self.as_user("contact", developer_api.reply, name, "Amount Authorised", "同意承担600元", 600)
		self.assertEqual((result["state"], result["agreed_amount"]), ("Replied", 600))
		doc = frappe.get_doc("Liaison Sheet", name)
		self.assertEqual((doc.reply_channel, doc.reply_recorded_by), ("Portal", self.users["contact"]))
		with self.assertRaisesRegex(FrozenFieldError, "already been answered"):
			self.as_user("contact", developer_api.reply, name, "Rejected")
		doc.reply_remarks = "改写回复"
		with self.assertRaises(FrozenFieldError):
			self.as_user("csm", doc.save)

	def test_developer_contact_reads_only_its_own_sent_sheets(self):
		mine = self.sheet().name
		self.bring_to(mine, "Sent to Developer")
		draft = self.sheet().name
		self.assertTrue(
			frappe.has_permission(
				"Liaison Sheet", "read", frappe.get_doc("Liaison Sheet", mine), user=self.users["contact"]
			)
		)
		self.assertFalse(
			frappe.has_permission(
				"Liaison Sheet", "read", frappe.get_doc("Liaison Sheet", draft), user=self.users["contact"]
			)
		)
		self.assertFalse(
			frappe.has_permission(
				"Liaison Sheet",
				"read",
				frappe.get_doc("Liaison Sheet", mine),
				user=self.users["other_contact"],
			)
		)
		self.assertFalse(
			frappe.has_permission(
				"Liaison Sheet", "write", frappe.get_doc("Liaison Sheet", mine), user=self.users["contact"]
			)
		)
		listed = self.as_user(
			"contact", frappe.get_list, "Liaison Sheet", fields=["name", "developer", "workflow_state"]
		)
		self.assertIn(mine, {r.name for r in listed})
		self.assertNotIn(draft, {r.name for r in listed})
		for row in listed:  # whatever else the site holds, only this developer's sent sheets
			self.assertEqual(row.developer, self.developer)
			self.assertIn(row.workflow_state, VISIBLE_TO_DEVELOPER)
		others = self.as_user("other_contact", frappe.get_list, "Liaison Sheet", fields=["name", "developer"])
		self.assertFalse([r for r in others if r.developer == self.developer or r.name == mine])


SETTLEMENT_ALLOWED = {
	("Draft", "Refer to Customer Service"): {"director"},
	("Plan Drafting", "Submit Plan"): {"csm"},
	("Pending General Manager", "Sign Plan"): {"gm"},
	("Pending General Manager", "Return for Revision"): {"gm"},
}


class SettlementCase(WorkflowCase):
	def settlement(self, claimed, **kw):
		ticket = self.ticket(ticket_type="Complaint", complaint_ground="A4.3.2.2")
		return self.as_user(
			"director",
			lambda: frappe.get_doc(
				{
					"doctype": "Compensation Settlement",
					"service_ticket": ticket,
					"claimed_amount": claimed,
					"claim": "渗水泡坏木地板，要求赔偿。",
					**kw,
				}
			).insert(),
		)

	def replied_sheet(
		self, decision="Confirmed", authorised=0, amount=0, tickets=None, liable_party="Developer"
	):
		name = self.sheet(
			tickets, purpose="Compensation", amounts=[amount] * len(tickets or [1]), liable_party=liable_party
		).name
		TestLiaisonSheet.bring_to(self, name, "Sent to Developer")
		self.as_user("contact", developer_api.reply, name, decision, "签复", authorised)
		return name


class TestSettlement(SettlementCase):
	def test_r43_small_claim_answered_on_the_spot_and_settled_against_the_sheet(self):
		s = self.settlement(1500)
		self.assertEqual((s.claim_size, s.responsible_director), ("Small", self.users["director"]))
		with self.assertRaisesRegex(StepPreconditionError, "phone approval"):
			self.act("Compensation Settlement", s.name, "director", "Answer Small Claim")
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			{
				"phone_approver": "开发商黄总",
				"phone_approved_at": now_datetime(),
				"answered_on_spot": 1,
				"settled_amount": 1200,
			},
		)
		self.act("Compensation Settlement", s.name, "director", "Answer Small Claim")
		with self.assertRaisesRegex(StepPreconditionError, "liaison sheet"):
			self.act("Compensation Settlement", s.name, "csm", "Settle")
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			"liaison_sheet",
			self.replied_sheet(amount=1200, tickets=[s.service_ticket]),
		)
		with self.assertRaises(REFUSED):
			self.act("Compensation Settlement", s.name, "director", "Settle")
		done = self.act("Compensation Settlement", s.name, "csm", "Settle")
		self.assertEqual(done.workflow_state, "Settled")
		self.assertTrue(done.settled_with_party_at)

	def test_r43_r44_authority_no_small_route_above_the_threshold(self):
		s = self.settlement(5000)
		self.assertEqual(s.claim_size, "Large")
		with self.assertRaises(REFUSED):
			self.act("Compensation Settlement", s.name, "director", "Answer Small Claim")

		def jump():
			d = frappe.get_doc("Compensation Settlement", s.name)
			d.workflow_state = "Settled"
			d.save()

		with self.assertRaises(REFUSED):
			self.as_user("director", jump)
		small = self.settlement(1000)
		frappe.db.set_value(
			"Compensation Settlement",
			small.name,
			{
				"phone_approver": "黄总",
				"phone_approved_at": now_datetime(),
				"answered_on_spot": 1,
				"settled_amount": 1000,
			},
		)
		self.act("Compensation Settlement", small.name, "director", "Answer Small Claim")

		def raise_amount():
			d = frappe.get_doc("Compensation Settlement", small.name)
			d.settled_amount = 9000
			d.save()

		with self.assertRaises(frappe.PermissionError):
			self.as_user("director", raise_amount)

	def test_r44_large_claim_end_to_end(self):
		s = self.settlement(20000)
		self.act("Compensation Settlement", s.name, "director", "Refer to Customer Service")
		with self.assertRaisesRegex(StepPreconditionError, "settlement plan"):
			self.act("Compensation Settlement", s.name, "csm", "Submit Plan")
		frappe.db.set_value(
			"Compensation Settlement", s.name, "plan", "拟由开发商承担地板更换费用，上限15000元。"
		)
		self.act("Compensation Settlement", s.name, "csm", "Submit Plan")
		signed = self.act("Compensation Settlement", s.name, "gm", "Sign Plan")
		self.assertEqual((signed.workflow_state, signed.gm_signed_by), ("Negotiating", self.users["gm"]))

		sheet = self.replied_sheet("Amount Authorised", 15000, 20000, tickets=[s.service_ticket])
		doc = frappe.get_doc("Compensation Settlement", s.name)
		doc.update(
			{
				"liaison_sheet": sheet,
				"memo_terms": "开发商一次性赔付15000元，业主不再追究。",
				"settled_amount": 16000,
			}
		)
		doc.append(
			"rounds",
			{
				"held_on": "2026-11-20",
				"participants": "管理处主任、业主、开发商代表",
				"summary": "业主要求2万",
				"offer": 12000,
			},
		)
		doc.append(
			"rounds",
			{
				"held_on": "2026-11-25",
				"participants": "管理处主任、业主",
				"summary": "达成一致",
				"offer": 16000,
			},
		)
		doc.resident_signature = SIGNATURE
		self.as_user("director", doc.save)
		with self.assertRaises(frappe.PermissionError):  # above what the developer's reply authorises
			self.act("Compensation Settlement", s.name, "director", "Record Signed Memo")
		frappe.db.set_value("Compensation Settlement", s.name, "settled_amount", 15000)
		memo = self.act("Compensation Settlement", s.name, "director", "Record Signed Memo")
		self.assertEqual(memo.workflow_state, "Memo Signed")
		self.assertTrue(memo.resident_signed_at)
		done = self.act("Compensation Settlement", s.name, "csm", "Settle")
		self.assertEqual(done.workflow_state, "Settled")

		text = pdf_text("Compensation Settlement", s.name, "Settlement Memo")
		for expected in ("和解备忘", "15,000", "开发商一次性赔付15000元"):
			self.assertIn(expected, text)
		text = pdf_text("Liaison Sheet", sheet, "Liaison Sheet Record")
		for expected in ("工作联系单", "签复", "卫生间渗漏维修确认"):
			self.assertIn(expected, text)

	def test_r41_r44_every_transition_by_every_role(self):
		"""R41–R44: every transition of the settlement workflow tried by every role (the property's own office
		director, another office director, customer service, the GM, duty staff, supervisor, quality officer,
		engineering manager, technician, the developer's contact): allowed ones reach the next state, the others
		are refused with Frappe's workflow or permission error and leave the state as it was."""
		ticket = self.ticket(ticket_type="Complaint", complaint_ground="A4.3.2.2")
		sheet = self.replied_sheet(amount=30000, tickets=[ticket])
		workflow = frappe.get_doc("Workflow", "Compensation Settlement")
		users = [*STAFF, "contact", "other_director"]
		tried = set()
		for t in workflow.transitions:
			allowed = {"csm"} if t.allowed == "Property CS Manager" else {"gm"}
			if t.allowed == "Property Office Director":
				allowed = {"director"}  # the property's responsible director only (R41)
			small = t.state == "Small Claim Answered" or t.action == "Answer Small Claim"
			for who in users:
				with self.subTest(state=t.state, action=t.action, who=who):
					name = self.settlement_at(t.state, ticket, sheet, small)
					if who in allowed:
						self.act("Compensation Settlement", name, who, t.action)
						expected = t.next_state
					else:
						with self.assertRaises(REFUSED):
							self.act("Compensation Settlement", name, who, t.action)
						expected = t.state
					self.assertEqual(
						frappe.db.get_value("Compensation Settlement", name, "workflow_state"), expected
					)
					tried.add((t.state, t.action))
		self.assertEqual(len(tried), 8)  # the workflow's eight transitions, all tried

	def settlement_at(self, state, ticket, sheet, small):
		"""A settlement of `ticket` with what every step needs, put in `state` (the set-up, not the test)."""
		doc = self.as_user(
			"director",
			lambda: frappe.get_doc(
				{
					"doctype": "Compensation Settlement",
					"service_ticket": ticket,
					"claimed_amount": 1000 if small else 30000,
					"settled_amount": 1000 if small else 15000,
					"claim": "赔偿",
					"phone_approver": "黄总",
					"phone_approved_at": now_datetime(),
					"answered_on_spot": 1,
					"plan": "方案",
					"liaison_sheet": sheet,
					"memo_terms": "一次性赔付",
					"resident_signature": SIGNATURE,
					"rounds": [{"held_on": "2026-11-20", "participants": "双方", "summary": "一致"}],
				}
			).insert(),
		)
		frappe.db.set_value("Compensation Settlement", doc.name, "workflow_state", state)
		return doc.name


class TestSettlementAuthority(SettlementCase):
	"""Review findings on R41–R44: authority cannot be side-stepped by a save that moves state and amount at once,
	and what was agreed stays agreed."""

	def answered_small(self, amount=1000):
		s = self.settlement(amount)
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			{
				"phone_approver": "黄总",
				"phone_approved_at": now_datetime(),
				"answered_on_spot": 1,
				"settled_amount": amount,
			},
		)
		self.act("Compensation Settlement", s.name, "director", "Answer Small Claim")
		return s

	def test_r43_no_large_settlement_through_the_small_route_in_one_save(self):
		s = self.answered_small()
		# a reply that would cover 9,000: only the route stands in the way
		sheet = self.replied_sheet(amount=9000, tickets=[s.service_ticket])

		def settle_big():
			d = frappe.get_doc("Compensation Settlement", s.name)
			d.update({"settled_amount": 9000, "liaison_sheet": sheet, "workflow_state": "Settled"})
			d.save()

		with self.assertRaises(frappe.PermissionError):
			self.as_user("csm", settle_big)
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", s.name, ["workflow_state", "settled_amount"]),
			("Small Claim Answered", 1000),
		)

	def test_r43_r44_amounts_frozen_once_settled(self):
		s = self.answered_small()
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			"liaison_sheet",
			self.replied_sheet(amount=1000, tickets=[s.service_ticket]),
		)
		self.act("Compensation Settlement", s.name, "csm", "Settle")
		for field, value in (
			("settled_amount", 800),
			("claimed_amount", 1500),
			("liable_party", "Owner"),
			("rounds", [{"held_on": "2026-11-01", "participants": "补记", "summary": "补记"}]),
		):
			with self.subTest(field=field):

				def change(field=field, value=value):
					d = frappe.get_doc("Compensation Settlement", s.name)
					d.set(field, value)
					d.save()

				with self.assertRaises(FrozenFieldError):
					self.as_user("csm", change)
		self.assertEqual(frappe.db.get_value("Compensation Settlement", s.name, "settled_amount"), 1000)

	def test_r43_threshold_editable_by_gm_only_and_kept_on_the_settlement(self):
		settings = "Property Helpdesk Settings"
		before = frappe.db.get_single_value(settings, "compensation_threshold")

		def write_threshold(value):
			# Frappe's own save step for fields above permlevel 0 (Settings' full save would also recompute
			# every open case's clocks, which commits)
			d = frappe.get_doc(settings)
			d.compensation_threshold = value
			d.validate_higher_perm_levels()
			return d.compensation_threshold

		for who in ("csm", "director", "agent"):
			with self.subTest(who=who):
				self.assertEqual(self.as_user(who, write_threshold, 99999), before)
		self.assertEqual(self.as_user("gm", write_threshold, 1000), 1000)
		s = self.settlement(1500)
		self.assertEqual((s.threshold, s.claim_size), (before, "Small"))
		frappe.db.set_single_value(settings, "compensation_threshold", 1000)  # lowered later
		doc = frappe.get_doc("Compensation Settlement", s.name)
		doc.claim = "补充说明"
		self.as_user("director", doc.save)
		doc.reload()
		self.assertEqual((doc.threshold, doc.claim_size), (before, "Small"))

	def test_r41_only_the_property_s_own_director_takes_the_director_s_steps(self):
		s = self.settlement(1000)
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			{
				"phone_approver": "黄总",
				"phone_approved_at": now_datetime(),
				"answered_on_spot": 1,
				"settled_amount": 900,
			},
		)
		with self.assertRaises(REFUSED):
			self.act("Compensation Settlement", s.name, "other_director", "Answer Small Claim")

		def direct():
			d = frappe.get_doc("Compensation Settlement", s.name)
			d.workflow_state = "Small Claim Answered"
			d.save()

		with self.assertRaises(REFUSED):
			self.as_user("other_director", direct)
		large = self.settlement(30000)
		with self.assertRaises(REFUSED):
			self.act("Compensation Settlement", large.name, "other_director", "Refer to Customer Service")
		self.act("Compensation Settlement", s.name, "director", "Answer Small Claim")

	def test_r41_server_fields_cannot_be_forged(self):
		ticket = self.ticket()  # (made first: as_user returns to Administrator, who would insert the forgery)
		s = self.as_user(
			"director",
			lambda: frappe.get_doc(
				{
					"doctype": "Compensation Settlement",
					"service_ticket": ticket,
					"claimed_amount": 30000,
					"claim": "赔偿",
					"threshold": 100000,
					"responsible_director": self.users["other_director"],
					"gm_signed_by": self.users["gm"],
					"resident_signed_at": now_datetime(),
				}
			).insert(),
		)
		self.assertEqual(
			(s.threshold, s.claim_size, s.responsible_director, s.gm_signed_by, s.resident_signed_at),
			(
				frappe.db.get_single_value("Property Helpdesk Settings", "compensation_threshold"),
				"Large",
				self.users["director"],
				None,
				None,
			),
		)
		s.gm_signed_by = self.users["director"]
		self.as_user("director", s.save)
		self.assertIsNone(frappe.db.get_value("Compensation Settlement", s.name, "gm_signed_by"))

	def test_r44_settles_only_against_the_compensation_sheet_of_its_case(self):
		s = self.answered_small()
		other_case = self.replied_sheet(amount=1000)  # another case's compensation sheet
		repair = self.sheet(
			tickets=[s.service_ticket], purpose="Developer-Liable Repair", amounts=[1000]
		).name
		TestLiaisonSheet.bring_to(self, repair, "Sent to Developer")
		self.as_user("contact", developer_api.reply, repair, "Confirmed")
		owner = self.replied_sheet(amount=1000, tickets=[s.service_ticket], liable_party="Owner")
		for sheet in (other_case, repair, owner):
			with self.subTest(sheet=sheet):
				frappe.db.set_value("Compensation Settlement", s.name, "liaison_sheet", sheet)
				with self.assertRaisesRegex(StepPreconditionError, "not the compensation sheet"):
					self.act("Compensation Settlement", s.name, "csm", "Settle")
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			"liaison_sheet",
			self.replied_sheet(amount=1000, tickets=[s.service_ticket]),
		)
		self.assertEqual(
			self.act("Compensation Settlement", s.name, "csm", "Settle").workflow_state, "Settled"
		)


class TestLiaisonGuards(WorkflowCase):
	"""Review findings on R17, R18, R40: a signed sheet stays as signed, signatures are the server's, the
	paper reply keeps who signed it for the developer and who entered it."""

	bring_to = TestLiaisonSheet.bring_to

	def test_r40_signed_sheet_cannot_be_changed(self):
		name = self.sheet(amounts=[500]).name
		self.bring_to(name, "GM Signed")
		for field, value in (("liable_party", "Owner"), ("content", "改写"), ("subject", "改写")):
			with self.subTest(field=field):

				def change(field=field, value=value):
					d = frappe.get_doc("Liaison Sheet", name)
					d.set(field, value)
					d.save()

				with self.assertRaises(FrozenFieldError):
					self.as_user("csm", change)

		def change_case():
			d = frappe.get_doc("Liaison Sheet", name)
			d.cases[0].amount = 50000
			d.save()

		with self.assertRaises(FrozenFieldError):
			self.as_user("csm", change_case)
		self.act("Liaison Sheet", name, "csm", "Send to Developer")
		frappe.db.set_value("Liaison Sheet", name, "reply_decision", "Confirmed")
		self.act("Liaison Sheet", name, "csm", "Record Reply")

		def raise_agreed():
			d = frappe.get_doc("Liaison Sheet", name)
			d.agreed_amount = 50000
			d.reply_recorded_by = self.users["gm"]
			d.save()

		self.as_user("csm", raise_agreed)
		self.assertEqual(
			frappe.db.get_value("Liaison Sheet", name, ["agreed_amount", "reply_recorded_by"]),
			(500, self.users["csm"]),
		)
		with self.assertRaises(FrozenFieldError):
			self.as_user("csm", change_case)

	def test_r40_signatures_are_the_server_s_and_cleared_on_return(self):
		forged = {
			"director_signed_by": self.users["gm"],
			"director_signed_at": now_datetime(),
			"gm_signed_by": self.users["gm"],
			"replied_by": "开发商",
			"replied_at": now_datetime(),
			"reply_decision": "Confirmed",
			"agreed_amount": 99999,
			"sent_at": now_datetime(),
		}
		ticket = self.ticket()
		doc = self.as_user(
			"agent",
			lambda: frappe.get_doc(
				{
					"doctype": "Liaison Sheet",
					"subject": "伪造签字",
					"purpose": "Developer-Liable Repair",
					"developer": self.developer,
					"liable_party": "Developer",
					"content": "内容",
					"cases": [{"service_ticket": ticket}],
					**forged,
				}
			).insert(),
		)
		for field in forged:
			self.assertFalse(doc.get(field), field)
		self.act("Liaison Sheet", doc.name, "director", "Sign")

		def forge_later():
			d = frappe.get_doc("Liaison Sheet", doc.name)
			d.director_signed_by = self.users["gm"]
			d.gm_signed_by = self.users["gm"]
			d.save()

		self.as_user("csm", forge_later)
		stored = frappe.get_doc("Liaison Sheet", doc.name)
		self.assertEqual((stored.director_signed_by, stored.gm_signed_by), (self.users["director"], None))
		self.act("Liaison Sheet", doc.name, "csm", "Review")
		returned = self.act("Liaison Sheet", doc.name, "gm", "Return for Revision")
		self.assertEqual(returned.workflow_state, "Draft")
		for field in ("director_signed_by", "director_signed_at", "cs_reviewed_by", "cs_reviewed_at"):
			self.assertFalse(returned.get(field), field)

	def test_r40_paper_reply_keeps_the_developer_s_signatory_and_date(self):
		name = self.sheet(amounts=[700]).name
		self.bring_to(name, "Sent to Developer")
		sent_at = get_datetime(frappe.db.get_value("Liaison Sheet", name, "sent_at"))

		def enter(**values):
			d = frappe.get_doc("Liaison Sheet", name)
			d.update(values)
			d.save()

		for who in ("agent", "director", "gm"):  # they may write the sheet, but not the developer's reply
			with self.subTest(who=who), self.assertRaises(frappe.PermissionError):
				self.as_user(who, enter, reply_decision="Confirmed", replied_by="开发商")
		with self.assertRaisesRegex(InvalidTimeError, "future"):
			self.as_user("csm", enter, replied_at=add_to_date(now_datetime(), days=2))
		with self.assertRaisesRegex(InvalidTimeError, "before the sheet was sent"):
			self.as_user("csm", enter, replied_at=add_to_date(sent_at, days=-1))
		paper_date = sent_at  # the paper's date, not when it was entered
		self.as_user(
			"csm",
			enter,
			reply_decision="Confirmed",
			replied_by="开发商 王经理",
			replied_at=paper_date,
			reply_remarks="同意",
		)
		# a save sending the entered reply back unchanged (its date as text, as the desk does) enters nothing
		self.as_user("gm", enter, replied_at=str(paper_date), reply_remarks="同意")
		doc = self.act("Liaison Sheet", name, "csm", "Record Reply")
		self.assertEqual(
			(
				doc.replied_by,
				get_datetime(doc.replied_at),
				doc.reply_recorded_by,
				doc.reply_channel,
				doc.agreed_amount,
			),
			("开发商 王经理", get_datetime(paper_date), self.users["csm"], "Paper", 700),
		)

	def test_r18_cases_only_of_the_sheet_s_developer(self):
		stranger = make_unit(self.other_prop)
		other_case = self.as_user("agent", lambda: make_ticket(stranger)).name
		with self.assertRaisesRegex(frappe.ValidationError, "not of a property of the developer"):
			self.as_user(
				"agent",
				lambda: frappe.get_doc(
					{
						"doctype": "Liaison Sheet",
						"subject": "别家的单",
						"purpose": "Developer-Liable Repair",
						"developer": self.developer,
						"liable_party": "Developer",
						"content": "内容",
						"cases": [{"service_ticket": other_case}],
					}
				).insert(),
			)

	def test_r17_case_links_to_its_sheets_and_settlements(self):
		"""From the case: a sheet or a settlement is made from it, both show on its dashboard, and a flagged
		case without a sheet is listed until one covers it."""
		ticket = self.ticket()
		frappe.db.set_value("Service Ticket", ticket, "needs_liaison_sheet", 1)
		self.assertIn(ticket, self.as_user("csm", cases_awaiting_sheet))
		draft = self.as_user("agent", make_liaison_sheet, ticket, purpose="Compensation")
		self.assertEqual(
			(draft.developer, draft.purpose, [r.service_ticket for r in draft.cases]),
			(self.developer, "Compensation", [ticket]),
		)
		draft.update({"liable_party": "Developer", "content": "内容"})
		sheet = self.as_user("agent", draft.insert)
		self.assertNotIn(ticket, self.as_user("csm", cases_awaiting_sheet))
		settlement = self.as_user("director", make_settlement, ticket)
		settlement.update({"claimed_amount": 500, "claim": "赔偿"})
		settlement = self.as_user("director", settlement.insert)
		self.assertEqual(settlement.responsible_director, self.users["director"])
		with self.assertRaises(frappe.PermissionError):
			self.as_user("contact", make_liaison_sheet, ticket)
		from frappe.desk.notifications import get_open_count

		counts = {
			row["doctype"]: row["count"]
			for row in self.as_user("csm", get_open_count, "Service Ticket", ticket)["count"][
				"external_links_found"
			]
		}
		self.assertEqual((counts.get("Liaison Sheet"), counts.get("Compensation Settlement")), (1, 1), counts)
		self.assertTrue(sheet.name)


class TestOneRuleEach(SettlementCase):
	"""Issue 11: the liaison sheet's and the settlement's frozen fields are refused by one shared check, the
	Chases are the server's, and a chase tells the CS manager through Frappe's own notifications."""

	bring_to = TestLiaisonSheet.bring_to
	answered_small = TestSettlementAuthority.answered_small

	def test_the_frozen_check_refuses_the_same_way_on_both_doctypes(self):
		sheet = self.sheet(amounts=[500]).name
		self.bring_to(sheet, "GM Signed")
		settled = self.answered_small()
		frappe.db.set_value(
			"Compensation Settlement",
			settled.name,
			"liaison_sheet",
			self.replied_sheet(amount=1000, tickets=[settled.service_ticket]),
		)
		self.act("Compensation Settlement", settled.name, "csm", "Settle")
		refusals = {}
		for doctype, name in (("Liaison Sheet", sheet), ("Compensation Settlement", settled.name)):
			with self.subTest(doctype=doctype):

				def change(doctype=doctype, name=name):
					d = frappe.get_doc(doctype, name)
					d.liable_party = "Owner"
					d.save()

				with self.assertRaises(FrozenFieldError) as refused:
					self.as_user("csm", change)
				refusals[doctype] = str(refused.exception)
		self.assertEqual(
			refusals,
			{
				"Liaison Sheet": "Liable Party can no longer be changed: the sheet is GM Signed.",
				"Compensation Settlement": "Liable Party can no longer be changed: the settlement is Settled.",
			},
		)
		self.assertEqual(frappe.db.get_value("Liaison Sheet", sheet, "liable_party"), "Developer")
		self.assertEqual(
			frappe.db.get_value("Compensation Settlement", settled.name, "liable_party"), "Developer"
		)

	def test_the_frozen_check_takes_what_a_client_sends_for_an_unchanged_value_as_unchanged(self):
		"""A REST client sends amounts and dates as text: the same value, not a change."""
		sheet = self.sheet(amounts=[500]).name
		self.bring_to(sheet, "GM Signed")
		d = frappe.get_doc("Liaison Sheet", sheet)
		d.cases[0].amount = "500"
		self.as_user("csm", d.save)
		ticket = self.ticket()
		memo = self.as_user(
			"director",
			lambda: frappe.get_doc(
				{
					"doctype": "Compensation Settlement",
					"service_ticket": ticket,
					"claimed_amount": 30000,
					"settled_amount": 15000,
					"claim": "赔偿",
					"memo_terms": "一次性赔付",
					"rounds": [
						{"held_on": "2026-11-20", "participants": "双方", "summary": "一致", "offer": 15000}
					],
				}
			).insert(),
		)
		frappe.db.set_value("Compensation Settlement", memo.name, "workflow_state", "Memo Signed")
		d = frappe.get_doc("Compensation Settlement", memo.name)
		d.update({"settled_amount": "15000.00", "claim": "补充说明"})
		d.rounds[0].held_on, d.rounds[0].offer = "2026-11-20", "15000"
		self.as_user("csm", d.save)
		self.assertEqual(frappe.db.get_value("Compensation Settlement", memo.name, "claim"), "补充说明")
		d.rounds[0].held_on = "2026-11-21"
		with self.assertRaisesRegex(FrozenFieldError, "Negotiation Rounds can no longer be changed"):
			self.as_user("csm", d.save)

	def test_r17_the_chase_tells_the_cs_manager_through_frappe_s_notifications(self):
		from frappe.desk.doctype.notification_log.notification_log import get_notification_logs

		# the CS manager Settings name (R4): a site holding other tests' CS managers would otherwise tell each
		saved = frappe.db.get_value(SETTINGS, None, "cs_manager")
		frappe.db.set_single_value(SETTINGS, "cs_manager", self.users["csm"])
		self.addCleanup(frappe.db.set_single_value, SETTINGS, "cs_manager", saved)
		name = self.sheet().name
		self.bring_to(name, "Sent to Developer")
		frappe.db.set_value("Liaison Sheet", name, "reply_deadline", add_to_date(now_datetime(), minutes=-1))
		chase_overdue()
		chase_overdue()  # once per level
		chases = frappe.get_doc("Liaison Sheet", name).chases
		self.assertEqual([c.level for c in chases], ["CS Manager"])
		user = chases[0].notified_user
		self.assertEqual(user, self.users["csm"])
		self.assertIn("Property CS Manager", frappe.get_roles(user))

		frappe.set_user(user)
		logs = [
			log
			for log in get_notification_logs(limit=100)["notification_logs"]
			if (log.document_type, log.document_name) == ("Liaison Sheet", name)
		]
		frappe.set_user("Administrator")
		self.assertEqual(len(logs), 1)
		self.assertEqual(logs[0].for_user, user)
		self.assertIn(name, logs[0].subject)

		def drop_chases():
			d = frappe.get_doc("Liaison Sheet", name)
			d.set("chases", [])
			d.save()

		self.as_user("csm", drop_chases)  # the Chases are the server's: a save keeps them
		self.assertEqual([c.level for c in frappe.get_doc("Liaison Sheet", name).chases], ["CS Manager"])


class TestPrints(SettlementCase):
	"""R40, R44, R46: the printed sheet carries every signer's name and date; the memo the resident's signature."""

	def test_r46_liaison_sheet_print_shows_each_signer_and_date(self):
		name = self.replied_sheet(amount=600)
		doc = frappe.get_doc("Liaison Sheet", name)
		html = frappe.get_print("Liaison Sheet", name, "Liaison Sheet Record")
		text = pdf_text("Liaison Sheet", name, "Liaison Sheet Record")
		for user, at in (
			(doc.director_signed_by, doc.director_signed_at),
			(doc.cs_reviewed_by, doc.cs_reviewed_at),
			(doc.gm_signed_by, doc.gm_signed_at),
			(None, doc.sent_at),
			(None, doc.replied_at),
		):
			# (the PDF's digits do not survive text extraction from its CJK font: dates are checked in the HTML)
			self.assertIn(get_datetime(at).strftime("%Y-%m-%d %H:%M"), html)
			if user:
				self.assertIn(frappe.utils.get_fullname(user), html)
				self.assertIn(frappe.utils.get_fullname(user), text)
		self.assertIn(doc.replied_by, html)
		self.assertIn(frappe.utils.get_fullname(doc.reply_recorded_by), html)

	def test_r28_r46_quality_sheet_print_shows_the_engineering_review(self):
		name = self.sheet(purpose="Quality Dissatisfaction").name
		self.as_user("engineer", record_engineering_review, name, "墙面空鼓需返工")
		doc = frappe.get_doc("Liaison Sheet", name)
		html = frappe.get_print("Liaison Sheet", name, "Liaison Sheet Record")
		self.assertIn(frappe.utils.get_fullname(self.users["engineer"]), html)
		self.assertIn(get_datetime(doc.engineering_reviewed_at).strftime("%Y-%m-%d %H:%M"), html)
		self.assertIn("墙面空鼓需返工", pdf_text("Liaison Sheet", name, "Liaison Sheet Record"))

	def test_r46_prints_escape_what_they_show(self):
		"""A value written by another road (an import, a direct write) prints as text, never as markup."""
		name = self.replied_sheet(amount=600)
		frappe.db.set_value(
			"Liaison Sheet",
			name,
			{"subject": "<script>alert(1)</script>", "replied_by": '<img src=x onerror="alert(2)">'},
		)
		html = frappe.get_print("Liaison Sheet", name, "Liaison Sheet Record")
		self.assertNotIn("<script>alert(1)", html)
		self.assertNotIn("<img src=x", html)
		self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
		s = self.settlement(1000)
		frappe.db.set_value("Compensation Settlement", s.name, "resident_name", "<b onclick=alert(3)>张</b>")
		html = frappe.get_print("Compensation Settlement", s.name, "Settlement Memo")
		self.assertNotIn("<b onclick", html)

	def test_r46_settlement_memo_shows_the_resident_s_signature_and_date(self):
		s = self.settlement(1000)
		frappe.db.set_value(
			"Compensation Settlement",
			s.name,
			{
				"resident_signature": SIGNATURE,
				"resident_signed_at": "2026-11-26 10:30:00",
				"memo_terms": "赔付",
			},
		)
		html = frappe.get_print("Compensation Settlement", s.name, "Settlement Memo")
		self.assertIn(f'<img src="{SIGNATURE}"', html)
		self.assertIn("2026-11-26 10:30", html)
		pdf = frappe.get_print("Compensation Settlement", s.name, "Settlement Memo", as_pdf=True)
		self.assertIn(b"/Image", pdf)  # the signature is drawn in the PDF


def pdf_text(doctype, name, print_format):
	from pypdf import PdfReader

	frappe.local.lang = "zh"
	try:
		pdf = frappe.get_print(doctype, name, print_format, as_pdf=True)
	finally:
		frappe.local.lang = "en"
	text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
	return unicodedata.normalize("NFKC", text).replace("戶", "户").replace(" ", "")


BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
HTTP_PROPERTY = "联系单接口楼盘"
REFUSED_OVER_HTTP = ("WorkflowPermissionError", "WorkflowTransitionError", "PermissionError")


class TestOverHttp(FrappeTestCase):
	"""R40–R44 as a browser or a REST client reaches them: Frappe's workflow action
	(`POST /api/method/frappe.model.workflow.apply_workflow`) and `PUT /api/resource/…`, each user logged in with
	its own session. Refusals come back as Frappe's workflow or permission error (HTTP 403 / 417) and change
	nothing. These tests commit (the web server has its own connection) and delete what they made afterwards."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {key: make_user(f"lh-{key}@liaison.test", role) for key, role in STAFF.items()}
		cls.users["contact"] = make_user(
			"lh-contact@liaison.test", "Property Developer Contact", user_type="Website User"
		)
		cls.prop = make_property(HTTP_PROPERTY, "External Developer", office_director=cls.users["director"])
		frappe.db.set_value("Property", cls.prop, "office_director", cls.users["director"])
		cls.developer = frappe.db.get_value("Property", cls.prop, "developer")
		dev = frappe.get_doc("Property Developer", cls.developer)
		if not any(row.user == cls.users["contact"] for row in dev.contact_users):
			dev.append("contact_users", {"user": cls.users["contact"]})
			dev.save()
		cls.unit = make_unit(cls.prop)
		frappe.db.commit()
		cls.sessions = {}

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.db.delete("Compensation Settlement", {"property": cls.prop})
		for name in frappe.get_all("Liaison Sheet", {"developer": cls.developer}, pluck="name"):
			frappe.delete_doc("Liaison Sheet", name, force=True, ignore_permissions=True)
		delete_cases(cls.prop)
		frappe.db.commit()
		super().tearDownClass()

	def session(self, who):
		if who not in self.sessions:
			page = "/developer_sheets" if who == "contact" else "/app"
			self.sessions[who] = login_session(BASE_URL, self.users[who], page)
		return self.sessions[who]

	def action(self, who, doctype, name, action):
		return self.session(who).post(
			f"{BASE_URL}/api/method/frappe.model.workflow.apply_workflow",
			data={"doc": json.dumps({"doctype": doctype, "name": name}), "action": action},
			timeout=60,
		)

	def put(self, who, doctype, name, values):
		return self.session(who).put(f"{BASE_URL}/api/resource/{doctype}/{name}", json=values, timeout=60)

	def assertRefused(self, response):
		self.assertIn(response.status_code, (403, 417), response.text[:500])
		self.assertIn(response.json().get("exc_type"), REFUSED_OVER_HTTP, response.text[:500])

	def assertFrozen(self, response):
		"""Refused by the shared frozen-field check: the app's FrozenFieldError, answered 403 as before."""
		self.assertEqual(response.status_code, 403, response.text[:500])
		self.assertEqual(response.json().get("exc_type"), "FrozenFieldError", response.text[:500])

	def stored(self, doctype, name, fields):
		frappe.db.rollback()  # a fresh snapshot: the web server committed
		return frappe.db.get_value(doctype, name, fields)

	def make(self, values):
		frappe.set_user(self.users["director"])
		try:
			ticket = make_ticket(self.unit, ticket_type="Complaint", complaint_ground="A4.3.2.2").name
			values = {k: (ticket if v == "<ticket>" else v) for k, v in values.items()}
			if "cases" in values:
				values["cases"] = [{"service_ticket": ticket, "amount": 500}]
			doc = frappe.get_doc(values).insert()
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		return doc.name

	def test_r40_liaison_sheet_workflow_over_http(self):
		name = self.make(
			{
				"doctype": "Liaison Sheet",
				"subject": "接口联系单",
				"purpose": "Compensation",
				"developer": self.developer,
				"property": self.prop,
				"liable_party": "Developer",
				"content": "请确认。",
				"cases": [],
			}
		)
		sheet = "Liaison Sheet"
		for who in ("agent", "csm", "gm", "engineer", "technician"):
			with self.subTest(who=who):
				self.assertRefused(self.action(who, sheet, name, "Sign"))
		self.assertRefused(self.action("contact", sheet, name, "Sign"))
		# a direct write of the state, by someone who may write the sheet, and by the very signer
		self.assertRefused(self.put("agent", sheet, name, {"workflow_state": "Director Signed"}))
		self.assertRefused(self.put("director", sheet, name, {"workflow_state": "GM Signed"}))
		self.assertRefused(self.put("contact", sheet, name, {"content": "改写"}))
		self.assertEqual(self.stored(sheet, name, "workflow_state"), "Draft")

		response = self.action("director", sheet, name, "Sign")
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertEqual(
			self.stored(sheet, name, ["workflow_state", "director_signed_by"]),
			("Director Signed", self.users["director"]),
		)
		# a forged signature sent with a save is not kept
		response = self.put(
			"csm", sheet, name, {"director_signed_by": self.users["gm"], "gm_signed_by": self.users["csm"]}
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertEqual(
			self.stored(sheet, name, ["director_signed_by", "gm_signed_by"]), (self.users["director"], None)
		)
		for who, action, state in (
			("csm", "Review", "CS Reviewed"),
			("gm", "Sign", "GM Signed"),
			("csm", "Send to Developer", "Sent to Developer"),
		):
			self.assertRefused(self.action("agent", sheet, name, action))
			self.assertEqual(self.action(who, sheet, name, action).status_code, 200)
			self.assertEqual(self.stored(sheet, name, "workflow_state"), state)
		self.assertFrozen(self.put("csm", sheet, name, {"liable_party": "Owner"}))
		# the developer's page shows what it shows as text
		frappe.db.set_value(sheet, name, "content", "<script>alert(1)</script>")
		frappe.db.commit()
		page = self.session("contact").get(f"{BASE_URL}/developer_sheets?name={name}", timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn("接口联系单", page.text)
		self.assertNotIn("<script>alert(1)</script>", page.text)
		response = self.session("contact").post(
			f"{BASE_URL}/api/method/property_helpdesk.api.developer.reply",
			data={"sheet": name, "decision": "Confirmed", "remarks": "同意"},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertFrozen(self.put("csm", sheet, name, {"reply_decision": "Rejected"}))
		self.put("csm", sheet, name, {"agreed_amount": 99999})
		self.assertEqual(
			self.stored(sheet, name, ["workflow_state", "agreed_amount", "reply_channel"]),
			("Replied", 500, "Portal"),
		)

	def test_r43_settlement_workflow_over_http(self):
		doctype = "Compensation Settlement"
		name = self.make(
			{"doctype": doctype, "service_ticket": "<ticket>", "claimed_amount": 1000, "claim": "赔偿"}
		)
		response = self.put(
			"director",
			doctype,
			name,
			{
				"phone_approver": "开发商黄总",
				"phone_approved_at": str(now_datetime()),
				"answered_on_spot": 1,
				"settled_amount": 1000,
			},
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		for who in ("csm", "gm", "agent", "engineer", "technician", "contact"):
			with self.subTest(who=who):
				self.assertRefused(self.action(who, doctype, name, "Answer Small Claim"))
		self.assertRefused(self.put("director", doctype, name, {"workflow_state": "Settled"}))
		self.assertEqual(self.action("director", doctype, name, "Answer Small Claim").status_code, 200)
		self.assertEqual(self.stored(doctype, name, "workflow_state"), "Small Claim Answered")
		# one save raising the amount past the threshold and settling: refused whole
		self.assertRefused(
			self.put("csm", doctype, name, {"settled_amount": 9000, "workflow_state": "Settled"})
		)
		self.put("csm", doctype, name, {"gm_signed_by": self.users["gm"], "threshold": 100000})
		self.assertEqual(
			self.stored(doctype, name, ["workflow_state", "settled_amount", "gm_signed_by", "threshold"]),
			(
				"Small Claim Answered",
				1000,
				None,
				frappe.db.get_single_value("Property Helpdesk Settings", "compensation_threshold"),
			),
		)
		self.assertRefused(self.action("director", doctype, name, "Settle"))

	def test_server_owned_fields_typed_over_rest_keep_the_server_s_values(self):
		"""Issue 11: each step's signer and time, the deadlines, the reply channel, the agreed amount, the
		responsible director, the threshold and the route sit at permission level 1, which no role writes: what a
		REST PUT by the office director or the CS manager sends for them is replaced by the stored value, and the
		rest of the save goes through."""
		sheet = "Liaison Sheet"
		name = self.make(
			{
				"doctype": sheet,
				"subject": "服务端字段",
				"purpose": "Compensation",
				"developer": self.developer,
				"property": self.prop,
				"liable_party": "Developer",
				"content": "请确认。",
				"cases": [],
			}
		)
		self.assertEqual(self.action("director", sheet, name, "Sign").status_code, 200)
		fields = [
			"director_signed_by",
			"director_signed_at",
			"agreed_amount",
			"reply_deadline",
			"reply_channel",
		]
		signed = self.stored(sheet, name, fields)
		self.assertEqual(signed[0], self.users["director"])
		for who in ("director", "csm"):
			with self.subTest(doctype=sheet, who=who):
				response = self.put(
					who,
					sheet,
					name,
					{
						"director_signed_by": self.users["gm"],
						"director_signed_at": "2020-01-01 08:00:00",
						"agreed_amount": 99999,
						"reply_deadline": "2030-01-01 08:00:00",
						"reply_channel": "Portal",
						"content": f"由{who}补充。",
					},
				)
				self.assertEqual(response.status_code, 200, response.text[:500])
				self.assertEqual(self.stored(sheet, name, fields), signed)
				self.assertEqual(self.stored(sheet, name, "content"), f"由{who}补充。")

		doctype = "Compensation Settlement"
		name = self.make(
			{"doctype": doctype, "service_ticket": "<ticket>", "claimed_amount": 1000, "claim": "赔偿"}
		)
		fields = ["responsible_director", "threshold", "claim_size", "gm_signed_by", "gm_signed_at"]
		opened = self.stored(doctype, name, fields)
		self.assertEqual(
			opened,
			(
				self.users["director"],
				frappe.db.get_single_value("Property Helpdesk Settings", "compensation_threshold"),
				"Small",
				None,
				None,
			),
		)
		for who in ("director", "csm"):
			with self.subTest(doctype=doctype, who=who):
				response = self.put(
					who,
					doctype,
					name,
					{
						"responsible_director": self.users["csm"],
						"threshold": 1,
						"claim_size": "Large",
						"gm_signed_by": self.users["gm"],
						"gm_signed_at": "2020-01-01 08:00:00",
						"claim": f"{who}补充",
					},
				)
				self.assertEqual(response.status_code, 200, response.text[:500])
				self.assertEqual(self.stored(doctype, name, fields), opened)
				self.assertEqual(self.stored(doctype, name, "claim"), f"{who}补充")

	def test_r17_sheet_and_settlement_made_from_the_case_as_the_desk_does(self):
		"""The case form's Create → Liaison Sheet / Compensation Settlement (frappe.model.open_mapped_doc)."""
		frappe.set_user(self.users["agent"])
		try:
			ticket = make_ticket(self.unit).name
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		module = "property_helpdesk.property_helpdesk.doctype"
		for who, method, doctype in (
			("csm", f"{module}.liaison_sheet.liaison_sheet.make_liaison_sheet", "Liaison Sheet"),
			("director", f"{module}.compensation_settlement.compensation_settlement.make_settlement", None),
		):
			response = self.session(who).post(
				f"{BASE_URL}/api/method/frappe.model.mapper.make_mapped_doc",
				data={"method": method, "source_name": ticket},
				timeout=60,
			)
			self.assertEqual(response.status_code, 200, response.text[:500])
			doc = response.json()["message"]
			if doctype:
				self.assertEqual(doc["doctype"], doctype)
				self.assertEqual([row["service_ticket"] for row in doc["cases"]], [ticket])
				self.assertEqual(doc["developer"], self.developer)
			else:
				self.assertEqual((doc["doctype"], doc["service_ticket"]), ("Compensation Settlement", ticket))
		response = self.session("contact").post(
			f"{BASE_URL}/api/method/frappe.model.mapper.make_mapped_doc",
			data={
				"method": f"{module}.liaison_sheet.liaison_sheet.make_liaison_sheet",
				"source_name": ticket,
			},
			timeout=60,
		)
		self.assertRefused(response)
