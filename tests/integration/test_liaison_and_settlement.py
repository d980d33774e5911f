"""工作联系单 and 和解备忘 as Frappe Workflows (R17, R18, R28, R40–R45): every transition by every role, refusals
through Frappe's workflow and permission errors, the developer's reply, the reply deadline that escalates, small
and large settlements end to end, authority enforced on the server, and the print formats."""

import io
import unicodedata
from datetime import timedelta

import frappe
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from property_helpdesk.api import developer as developer_api
from property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet import chase_overdue
from tests.integration.factories import make_property, make_ticket, make_unit, make_user

REFUSED = (WorkflowPermissionError, WorkflowTransitionError, frappe.PermissionError)
STAFF = {
	"agent": "Property Duty Staff",
	"director": "Property Office Director",
	"csm": "Property CS Manager",
	"gm": "Property General Manager",
	"supervisor": "Property Maintenance Supervisor",
	"quality": "Property Quality Officer",
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
		cls.prop = make_property(
			"联系单楼盘", "External Developer", "2020-01-01", office_director=cls.users["director"]
		)
		cls.developer = frappe.db.get_value("Property", cls.prop, "developer")
		dev = frappe.get_doc("Property Developer", cls.developer)
		dev.append("contact_users", {"user": cls.users["contact"]})
		dev.save()
		other = make_property("他人楼盘", "External Developer")
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

	def sheet(self, tickets=None, purpose="Developer-Liable Repair", amounts=None):
		tickets = tickets or [self.ticket()]
		amounts = amounts or [0] * len(tickets)
		return self.as_user(
			"agent",
			lambda: frappe.get_doc(
				{
					"doctype": "Liaison Sheet",
					"subject": "卫生间渗漏维修确认",
					"purpose": purpose,
					"developer": self.developer,
					"property": self.prop,
					"liable_party": "Developer",
					"content": "请确认维修责任及费用。",
					"cases": [
						{"service_ticket": t, "amount": a} for t, a in zip(tickets, amounts, strict=True)
					],
				}
			).insert(),
		)


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
SHEET_PATH = [
	("Draft", "director", "Sign"),
	("Director Signed", "csm", "Review"),
	("CS Reviewed", "gm", "Sign"),
	("GM Signed", "csm", "Send to Developer"),
	("Sent to Developer", "csm", "Record Reply"),
	("Replied", "csm", "Close"),
]


class TestLiaisonSheet(WorkflowCase):
	def bring_to(self, name, state):
		for at, who, action in SHEET_PATH:
			if at == state:
				return
			if action == "Record Reply":
				frappe.db.set_value("Liaison Sheet", name, "reply_decision", "Confirmed")
			self.act("Liaison Sheet", name, who, action)

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

	def test_r17_external_reply_deadline_is_chased_then_escalated_once(self):
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

	def test_r28_quality_dissatisfaction_review_clock(self):
		sheet = self.sheet(purpose="Quality Dissatisfaction")
		days = frappe.db.get_single_value("Property Helpdesk Settings", "quality_review_days")
		self.assertAlmostEqual(
			(get_datetime(sheet.review_deadline) - get_datetime(sheet.creation)).total_seconds(),
			days * 86400,
			delta=5,
		)
		frappe.db.set_value(
			"Liaison Sheet", sheet.name, "review_deadline", add_to_date(now_datetime(), minutes=-1)
		)
		chase_overdue()
		self.assertEqual(
			[c.level for c in frappe.get_doc("Liaison Sheet", sheet.name).chases], ["CS Manager"]
		)

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
		with self.assertRaisesRegex(frappe.ValidationError, "already been answered"):
			self.as_user("contact", developer_api.reply, name, "Rejected")
		doc.reply_remarks = "改写回复"
		with self.assertRaises(frappe.PermissionError):
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
			self.assertIn(row.workflow_state, developer_api.VISIBLE_STATES)
		others = self.as_user("other_contact", frappe.get_list, "Liaison Sheet", fields=["name", "developer"])
		self.assertFalse([r for r in others if r.developer == self.developer or r.name == mine])


SETTLEMENT_ALLOWED = {
	("Draft", "Refer to Customer Service"): {"director"},
	("Plan Drafting", "Submit Plan"): {"csm"},
	("Pending General Manager", "Sign Plan"): {"gm"},
	("Pending General Manager", "Return for Revision"): {"gm"},
}


class TestSettlement(WorkflowCase):
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

	def replied_sheet(self, decision="Confirmed", authorised=0, amount=0):
		name = self.sheet(purpose="Compensation", amounts=[amount]).name
		TestLiaisonSheet.bring_to(self, name, "Sent to Developer")
		self.as_user("contact", developer_api.reply, name, decision, "签复", authorised)
		return name

	def test_r43_small_claim_answered_on_the_spot_and_settled_against_the_sheet(self):
		s = self.settlement(1500)
		self.assertEqual((s.claim_size, s.responsible_director), ("Small", self.users["director"]))
		with self.assertRaisesRegex(frappe.ValidationError, "phone approval"):
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
		with self.assertRaisesRegex(frappe.ValidationError, "liaison sheet"):
			self.act("Compensation Settlement", s.name, "csm", "Settle")
		frappe.db.set_value(
			"Compensation Settlement", s.name, "liaison_sheet", self.replied_sheet(amount=1200)
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
		with self.assertRaisesRegex(frappe.ValidationError, "settlement plan"):
			self.act("Compensation Settlement", s.name, "csm", "Submit Plan")
		frappe.db.set_value(
			"Compensation Settlement", s.name, "plan", "拟由开发商承担地板更换费用，上限15000元。"
		)
		self.act("Compensation Settlement", s.name, "csm", "Submit Plan")
		signed = self.act("Compensation Settlement", s.name, "gm", "Sign Plan")
		self.assertEqual((signed.workflow_state, signed.gm_signed_by), ("Negotiating", self.users["gm"]))

		sheet = self.replied_sheet("Amount Authorised", 15000, 20000)
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

	def test_r44_every_transition_by_every_role(self):
		path = {
			"Draft": [],
			"Plan Drafting": [("director", "Refer to Customer Service")],
			"Pending General Manager": [("director", "Refer to Customer Service"), ("csm", "Submit Plan")],
		}
		for (state, action), allowed in SETTLEMENT_ALLOWED.items():
			for who in STAFF:
				with self.subTest(state=state, action=action, who=who):
					s = self.settlement(30000, plan="方案")
					for step_who, step_action in path[state]:
						self.act("Compensation Settlement", s.name, step_who, step_action)
					if who in allowed:
						self.act("Compensation Settlement", s.name, who, action)
					else:
						with self.assertRaises(REFUSED):
							self.act("Compensation Settlement", s.name, who, action)


def pdf_text(doctype, name, print_format):
	from pypdf import PdfReader

	frappe.local.lang = "zh"
	try:
		pdf = frappe.get_print(doctype, name, print_format, as_pdf=True)
	finally:
		frappe.local.lang = "en"
	text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
	return unicodedata.normalize("NFKC", text).replace("戶", "户").replace(" ", "")
