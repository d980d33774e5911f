"""Routing that reaches someone (R1, R2, R24, R35, R41, R42), over real HTTP as the people it is about: the
office director and the general manager get the complaint as an assignment due by its answer deadline and
find it among their notifications; only they record their decision, which the server stamps, and their
assignment closes; a repair dispute reaches its own property's director, who records meeting the owner; a
finished job asks the follow-up owner for the result; a dissatisfied return visit reopens the case; a night
escalation reaches the duty person of the rota first; a routed case texts the person's phone through a real
local SMS gateway. These tests commit (the web server has its own connection) and clean up after themselves.
"""

import os
from datetime import datetime, time, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime

from property_helpdesk.constants import CASE, DUTY_ROTA, ESCALATION, SETTINGS, WORK_ORDER
from property_helpdesk.services import escalation
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_unit,
	make_user,
	run_assignment_jobs,
	run_queued_jobs,
	ticket_values,
)
from tests.integration.servers import SMSGateway, unconfigure_sms

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
HOME, OTHER = "路由楼盘甲", "路由楼盘乙"
METHOD = f"{BASE_URL}/api/method/property_helpdesk.api"
DECIDE = f"{METHOD}.routing.record_decision"
MEET = f"{METHOD}.routing.record_owner_meeting"
STEP = f"{METHOD}.field.take_step"
NOTIFICATION_LOGS = (
	f"{BASE_URL}/api/method/frappe.desk.doctype.notification_log.notification_log.get_notification_logs"
)
SEND_SMS = "property_helpdesk.services.notify.send_sms_now"


class RoutingCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		cls.agent = make_user("route-agent@routing.test", "Property Duty Staff")
		cls.duty = make_user("route-duty@routing.test", "Property Duty Staff")
		cls.director = make_user("route-director@routing.test", "Property Office Director")
		cls.other_director = make_user("route-director2@routing.test", "Property Office Director")
		cls.supervisor = make_user("route-supervisor@routing.test", "Property Maintenance Supervisor")
		cls.gm = make_user("route-gm@routing.test", "Property General Manager")
		cls.csm = make_user("route-csm@routing.test", "Property CS Manager")
		for user in (cls.agent, cls.duty, cls.director, cls.other_director, cls.gm):
			frappe.db.set_value("User", user, "language", "en")
		home = make_property(HOME, "Parent Developer", "2020-01-01", office_director=cls.director)
		frappe.db.set_value("Property", home, "maintenance_supervisor", cls.supervisor)
		other = make_property(OTHER, "Parent Developer", "2020-01-01", office_director=cls.other_director)
		cls.unit = make_unit(home, "1幢", "101", "2021-01-01")
		cls.other_unit = make_unit(other, "2幢", "201", "2021-01-01")
		cls.saved_settings = frappe.db.get_value(
			SETTINGS, None, ["general_manager", "cs_manager"], as_dict=True
		)
		frappe.db.set_single_value(SETTINGS, {"general_manager": cls.gm, "cs_manager": cls.csm})
		frappe.db.commit()
		cls.http = {}

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cls.clean()
		frappe.db.set_single_value(SETTINGS, dict(cls.saved_settings))
		frappe.db.commit()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		for prop in (HOME, OTHER):
			delete_cases(prop)
			frappe.db.delete(DUTY_ROTA, {"property": prop})
		# what Frappe's importer run from the console logged (under no Data Import), so that it imports again
		frappe.db.delete("Data Import Log", {"data_import": ("is", "not set")})
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def as_user(self, user):
		if user not in self.http:
			self.http[user] = login_session(BASE_URL, user, "/app")
		return self.http[user]

	def post_case(self, unit=None, **values) -> str:
		body = ticket_values(unit or self.unit, **values)
		body["call_started_at"] = str(now_datetime())
		response = self.as_user(self.agent).post(
			f"{BASE_URL}/api/resource/Service Ticket", json=body, timeout=60
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()  # a fresh snapshot: what the server committed
		return response.json()["data"]["name"]

	def todos(self, user, case) -> list[dict]:
		"""The user's own ToDo list for the case, as they read it over REST."""
		response = self.as_user(user).get(
			f"{BASE_URL}/api/resource/ToDo",
			params={
				"filters": frappe.as_json([["reference_name", "=", case], ["allocated_to", "=", user]]),
				"fields": frappe.as_json(["status", "date", "description", "reference_type"]),
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		return response.json()["data"]

	def notifications(self, user, case) -> list[dict]:
		"""What Frappe's desk bell shows the user about the case."""
		response = self.as_user(user).get(NOTIFICATION_LOGS, params={"limit": 100}, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		return [
			log for log in response.json()["message"]["notification_logs"] if log["document_name"] == case
		]

	def stored(self, case):
		frappe.db.rollback()
		return frappe.get_doc(CASE, case)

	def rota(self, on, starts, ends):
		"""The office director fills the rota over REST, as the week's list is filled."""
		response = self.as_user(self.director).post(
			f"{BASE_URL}/api/resource/{DUTY_ROTA}",
			json={
				"property": HOME,
				"duty_date": str(on),
				"from_time": starts,
				"to_time": ends,
				"duty_user": self.duty,
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()

	def due_at(self, moment) -> str:
		"""A complaint whose answer deadline falls at `moment` (server-side setup: the deadline written as the
		clocks would store it, the escalation job's next moment with it)."""
		case = self.post_case(ticket_type="Complaint", complaint_ground="A4.3.1.1", subject="电梯噪音")
		frappe.db.set_value(
			CASE, case, {"answer_deadline": moment, "next_escalation_at": moment}, update_modified=False
		)
		frappe.db.commit()
		return case

	def escalate(self, moment):
		frappe.set_user("Administrator")
		escalation.run(now=moment)
		frappe.db.commit()


class TestDecisions(RoutingCase):
	def test_r2_a_service_quality_complaint_reaches_the_office_director_who_decides(self):
		"""R2: a service-quality complaint is the office head's: the property's director has the ToDo, due on
		the complaint's answer deadline (R23), and the notification; the duty staff, the general manager and
		the other property's director cannot record the decision, nor can anyone type its stamp; the director
		records it, the server stamps who and when, and the assignment closes. Once only."""
		case = self.post_case(
			ticket_type="Complaint", complaint_ground="A4.3.1.6", is_service_quality=1, subject="保安态度差"
		)
		doc = self.stored(case)
		self.assertEqual((doc.routed_to_level, doc.routed_to), ("Office Head", self.director))
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.director, case)
		self.assertEqual(todo["status"], "Open")
		self.assertEqual(getdate(todo["date"]), getdate(doc.answer_deadline))
		self.assertIn("needs your decision", todo["description"])
		self.assertTrue(self.notifications(self.director, case))
		self.assertFalse(self.todos(self.gm, case))

		for user in (self.agent, self.gm, self.other_director):
			response = self.as_user(user).post(
				DECIDE, json={"ticket": case, "decision": "我来定"}, timeout=30
			)
			self.assertEqual(response.status_code, 403, (user, response.text))
		response = self.as_user(self.director).put(
			f"{BASE_URL}/api/resource/Service Ticket/{case}",
			json={"decision": "typed", "decided_by": self.director, "decided_at": "2020-01-01 00:00:00"},
			timeout=30,
		)
		self.assertLess(response.status_code, 500, response.text)
		self.assertIsNone(self.stored(case).decided_at)

		before = now_datetime().replace(microsecond=0)
		response = self.as_user(self.director).post(
			DECIDE, json={"ticket": case, "decision": "向业主道歉，保安班长书面检讨。"}, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		doc = self.stored(case)
		self.assertEqual(doc.decision, "向业主道歉，保安班长书面检讨。")
		self.assertEqual(doc.decided_by, self.director)
		self.assertLessEqual(before, get_datetime(doc.decided_at))
		self.assertLessEqual(get_datetime(doc.decided_at), now_datetime())
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.director, case)
		self.assertNotEqual(todo["status"], "Open")  # closed with the decision

		response = self.as_user(self.director).post(
			DECIDE, json={"ticket": case, "decision": "改主意了"}, timeout=30
		)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual(response.json()["exc_type"], "DecisionError")
		self.assertEqual(self.stored(case).decision, "向业主道歉，保安班长书面检讨。")

	def test_r2_a_major_complaint_reaches_the_general_manager(self):
		"""R2: a major quality problem goes up to company leadership: the general manager Settings name has the
		assignment, due on the answer deadline, and its notification; they decide, and an empty decision is
		refused with a clear error."""
		case = self.post_case(
			ticket_type="Complaint", complaint_ground="A4.3.1.1", is_major=1, subject="外墙大面积渗水"
		)
		doc = self.stored(case)
		self.assertEqual((doc.routed_to_level, doc.routed_to), ("Company Leadership", self.gm))
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.gm, case)
		self.assertEqual((todo["status"], getdate(todo["date"])), ("Open", getdate(doc.answer_deadline)))
		self.assertTrue(self.notifications(self.gm, case))
		self.assertFalse(self.todos(self.director, case))
		for bad in ("  ", "<img src=x onerror=alert(1)>"):
			response = self.as_user(self.gm).post(DECIDE, json={"ticket": case, "decision": bad}, timeout=30)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertEqual(response.json()["exc_type"], "DecisionError")
		self.assertIsNone(self.stored(case).decided_at)
		response = self.as_user(self.gm).post(
			DECIDE, json={"ticket": case, "decision": "公司出资先行维修。"}, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(self.stored(case).decided_by, self.gm)
		run_assignment_jobs(CASE, case)
		self.assertNotEqual(self.todos(self.gm, case)[0]["status"], "Open")


class TestDisputes(RoutingCase):
	def test_r41_r42_a_quality_complaint_reaches_its_own_propertys_director_who_meets_the_owner(self):
		"""R41: a complaint on the ground of work below the required quality is recognised as a quality
		dissatisfaction and assigned to the office director of the case's own property (not the other
		property's); R42: only that director records meeting the owner, and the server stamps the moment."""
		case = self.post_case(ticket_type="Complaint", complaint_ground="A4.3.1.7", subject="维修后仍漏水")
		doc = self.stored(case)
		self.assertEqual(doc.dispute_type, "Quality Dissatisfaction")
		self.assertEqual(doc.dispute_director, self.director)
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.director, case)
		self.assertEqual((todo["status"], getdate(todo["date"])), ("Open", getdate(doc.answer_deadline)))
		self.assertIn("meet the owner", todo["description"])
		self.assertTrue(self.notifications(self.director, case))
		self.assertFalse(self.todos(self.other_director, case))

		response = self.as_user(self.other_director).post(
			MEET, json={"ticket": case, "notes": "不是我的楼盘"}, timeout=30
		)
		self.assertEqual(response.status_code, 403, response.text)
		before = now_datetime().replace(microsecond=0)
		response = self.as_user(self.director).post(
			MEET, json={"ticket": case, "notes": "上门面谈，同意返修并减免当月物业费。"}, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		doc = self.stored(case)
		self.assertEqual(doc.meeting_notes, "上门面谈，同意返修并减免当月物业费。")
		self.assertLessEqual(before, get_datetime(doc.met_owner_at))
		run_assignment_jobs(CASE, case)
		self.assertNotEqual(self.todos(self.director, case)[0]["status"], "Open")

	def test_r41_a_compensation_claim_the_agent_chooses_reaches_that_propertys_director(self):
		"""R41: on a repair of the other property, the agent marks a compensation claim at intake: that
		property's director gets it, the first property's director does not."""
		case = self.post_case(self.other_unit, dispute_type="Compensation Claim", subject="漏水泡坏地板")
		doc = self.stored(case)
		self.assertEqual(
			(doc.dispute_type, doc.dispute_director), ("Compensation Claim", self.other_director)
		)
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.other_director, case)
		self.assertEqual(todo["status"], "Open")
		self.assertEqual(getdate(todo["date"]), getdate(doc.completion_deadline))  # a repair: its completion
		self.assertFalse(self.todos(self.director, case))


class TestResultAndRework(RoutingCase):
	def take_steps(self, work_order):
		http = self.as_user(self.supervisor)
		for step in ("accept", "arrive", "start", "complete"):
			response = http.post(
				STEP,
				json={"work_order": work_order, "step": step, "request_id": frappe.generate_hash(length=16)},
				timeout=30,
			)
			self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()

	def test_r35_the_job_done_asks_the_acceptor_for_the_result(self):
		"""R35: the supervisor completes the job on the phone; the acceptor (the follow-up owner) has an
		assignment on the case to record the result and answer the resident, due when the work order is due
		back (R24: 24 hours after completion), and its notification; recording both closes it."""
		case = self.post_case(subject="楼道灯不亮")
		work_order = frappe.db.get_value(WORK_ORDER, {"service_ticket": case})
		self.take_steps(work_order)
		completed = get_datetime(frappe.db.get_value(WORK_ORDER, work_order, "completed_at"))
		run_assignment_jobs(CASE, case)
		[todo] = self.todos(self.agent, case)
		self.assertEqual(todo["reference_type"], CASE)
		self.assertEqual(todo["status"], "Open")
		self.assertEqual(getdate(todo["date"]), getdate(completed + timedelta(hours=24)))
		self.assertIn("record the result", todo["description"])
		self.assertTrue(self.notifications(self.agent, case))

		response = self.as_user(self.agent).put(
			f"{BASE_URL}/api/resource/Service Ticket/{case}",
			json={"result": "更换灯泡，已恢复。"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		run_assignment_jobs(CASE, case)
		self.assertEqual(self.todos(self.agent, case)[0]["status"], "Open")  # the answer is still missing
		response = self.as_user(self.agent).put(
			f"{BASE_URL}/api/resource/Service Ticket/{case}",
			json={"answer_to_resident": "已电话告知业主。"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		run_assignment_jobs(CASE, case)
		self.assertNotEqual(self.todos(self.agent, case)[0]["status"], "Open")

	def test_r24_a_dissatisfied_return_visit_reopens_the_resolved_case(self):
		"""R24, R30: a resolved case whose return visit is dissatisfied is back In Progress with its rework
		open, the reopening counted (R29) and written on its timeline."""
		case = self.post_case(subject="阳台门关不严")
		work_order = frappe.db.get_value(WORK_ORDER, {"service_ticket": case})
		self.take_steps(work_order)
		response = self.as_user(self.agent).put(
			f"{BASE_URL}/api/resource/Service Ticket/{case}",
			json={"result": "已调整门铰链。", "answer_to_resident": "已告知业主。", "status": "Resolved"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(self.stored(case).status, "Resolved")
		visit = {
			"service_ticket": case,
			"work_order": work_order,
			"channel": "Phone",
			"satisfaction": "Dissatisfied",
			"comments": "门还是关不严",
		}
		response = self.as_user(self.agent).post(
			f"{BASE_URL}/api/resource/Return Visit", json=visit, timeout=60
		)
		self.assertEqual(response.status_code, 200, response.text)
		doc = self.stored(case)
		rework = frappe.db.get_value(WORK_ORDER, {"rework_of": work_order}, ["name", "status"], as_dict=True)
		self.assertEqual(rework.status, "Dispatched")
		self.assertEqual(doc.status, "In Progress")
		self.assertEqual(doc.reopen_count, 1)
		self.assertIsNone(doc.closed_at)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": CASE,
					"reference_name": case,
					"content": ("like", f"%{rework.name}%"),
					"comment_type": "Info",
				},
			)
		)


class TestNightDuty(RoutingCase):
	def test_r1_a_night_escalation_reaches_the_duty_person_first_then_the_ladder(self):
		"""R1: the night hours are seeded in Settings; at 23:00 the overdue complaint's first step goes to the
		duty person the rota has on duty for the property (their notification says so), not to the
		follow-up owner; half an hour later the ladder's next step reaches the maintenance supervisor."""
		settings = frappe.db.get_value(SETTINGS, None, ["night_starts_at", "night_ends_at"], as_dict=True)
		self.assertEqual(
			(str(settings.night_starts_at), str(settings.night_ends_at)), ("22:00:00", "08:00:00")
		)
		tomorrow = add_days(getdate(now_datetime()), 1)
		night = datetime.combine(tomorrow, time(23, 0))
		self.rota(tomorrow, "22:00:00", "08:00:00")
		case = self.due_at(night)
		self.escalate(night)
		[step] = frappe.get_all(ESCALATION, {"service_ticket": case}, ["level", "notified_user"])
		self.assertEqual((step.level, step.notified_user), ("Follow-up Owner", self.duty))
		[log] = self.notifications(self.duty, case)
		self.assertIn("on duty", log["subject"])
		self.assertFalse(self.notifications(self.agent, case))

		self.escalate(add_to_date(night, minutes=30))
		supervisor_step = frappe.db.get_value(
			ESCALATION, {"service_ticket": case, "level": "Maintenance Supervisor"}, "notified_user"
		)
		self.assertEqual(supervisor_step, self.supervisor)
		self.assertTrue(self.notifications(self.supervisor, case))

	def test_r1_a_day_escalation_follows_the_ladder(self):
		"""By day the ladder applies, even where the rota has someone on duty: the follow-up owner hears."""
		tomorrow = add_days(getdate(now_datetime()), 1)
		day = datetime.combine(tomorrow, time(14, 0))
		self.rota(tomorrow, "08:00:00", "18:00:00")
		case = self.due_at(day)
		self.escalate(day)
		[step] = frappe.get_all(ESCALATION, {"service_ticket": case}, ["level", "notified_user"])
		self.assertEqual((step.level, step.notified_user), ("Follow-up Owner", self.agent))
		self.assertTrue(self.notifications(self.agent, case))
		self.assertFalse(self.notifications(self.duty, case))

	def test_r1_the_weeks_rota_is_imported(self):
		"""R1: next week's rota is imported from a spreadsheet with Frappe's importer, as the office director (a
		CSV here, as the list's export gives it): one shift a night, each a record of the rota."""
		import tempfile

		from frappe.core.doctype.data_import.data_import import import_file

		monday = add_days(getdate(now_datetime()), 7)
		lines = ["Property,Date,From,To,Duty Person"] + [
			f"{HOME},{add_days(monday, day)},22:00:00,08:00:00,{self.duty}" for day in range(7)
		]
		with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as sheet:
			sheet.write("\n".join(lines) + "\n")
		frappe.set_user(self.director)
		try:
			# Frappe's importer as `bench data-import` runs it (the desk's Data Import is the System Manager's)
			import_file(DUTY_ROTA, sheet.name, "Insert", console=True)
		finally:
			frappe.set_user("Administrator")
			os.unlink(sheet.name)
		frappe.db.commit()
		week = frappe.get_all(
			DUTY_ROTA,
			filters={"property": HOME, "duty_date": ("between", [monday, add_days(monday, 6)])},
			fields=["duty_user", "from_time", "to_time"],
		)
		self.assertEqual(len(week), 7)
		self.assertEqual(
			{(r.duty_user, str(r.from_time), str(r.to_time)) for r in week},
			{(self.duty, "22:00:00", "8:00:00")},
		)

	def test_r1_the_rota_takes_only_staff(self):
		response = self.as_user(self.director).post(
			f"{BASE_URL}/api/resource/{DUTY_ROTA}",
			json={
				"property": HOME,
				"duty_date": str(getdate(now_datetime())),
				"from_time": "22:00:00",
				"to_time": "22:00:00",
				"duty_user": self.duty,
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 417, response.text)
		response = self.as_user(self.agent).post(
			f"{BASE_URL}/api/resource/{DUTY_ROTA}",
			json={"property": HOME, "duty_date": "2026-12-02", "from_time": "8:00", "to_time": "18:00"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 403, response.text)  # the duty staff read the rota only


class TestStaffSMS(RoutingCase):
	def test_r2_a_routed_complaint_texts_the_general_managers_phone(self):
		"""Where SMS Settings name a gateway and Settings text staff, the general manager's assignment also
		reaches their mobile number: one SMS through a real local HTTP gateway, naming the case."""
		frappe.db.set_value("User", self.gm, "mobile_no", "13900001111")
		frappe.db.commit()
		# the number taken away after: the other tests' complaints (this site is kept between runs) text nobody
		self.addCleanup(frappe.db.commit)
		self.addCleanup(frappe.db.set_value, "User", self.gm, "mobile_no", None)
		self.assertTrue(frappe.db.get_single_value(SETTINGS, "staff_sms"))  # seeded on
		with SMSGateway() as gateway:
			gateway.configure()
			try:
				case = self.post_case(
					ticket_type="Complaint",
					complaint_ground="A4.3.1.1",
					beyond_authority=1,
					subject="要求赔偿",
				)
				run_assignment_jobs(CASE, case)
				run_sms_jobs(self.gm, case)
			finally:
				unconfigure_sms()
		texts = [text for number, text in gateway.messages() if number == "13900001111"]
		self.assertEqual(len(texts), 1, gateway.messages())
		self.assertIn(case, texts[0])
		self.assertIn("needs your decision", texts[0])

	def test_r1_a_night_escalation_texts_the_duty_persons_phone_unless_settings_say_not(self):
		"""The night's first step reaches the duty person's phone too; with Settings' staff SMS turned off,
		the ladder's next step reaches the supervisor's notifications and no phone."""
		frappe.db.set_value("User", self.duty, "mobile_no", "13900002222")
		frappe.db.set_value("User", self.supervisor, "mobile_no", "13900003333")
		frappe.db.commit()
		tomorrow = add_days(getdate(now_datetime()), 1)
		night = datetime.combine(tomorrow, time(23, 30))
		self.rota(tomorrow, "22:00:00", "08:00:00")
		case = self.due_at(night)
		with SMSGateway() as gateway:
			gateway.configure()
			# this process's one connection remembers the singles it read (a worker's job has a new one)
			frappe.db.value_cache.pop("SMS Settings", None)
			try:
				self.escalate(night)
				frappe.db.set_single_value(SETTINGS, "staff_sms", 0)
				self.escalate(add_to_date(night, minutes=30))
			finally:
				frappe.db.set_single_value(SETTINGS, "staff_sms", 1)
				unconfigure_sms()
		numbers = [number for number, _text in gateway.messages()]
		self.assertEqual(numbers.count("13900002222"), 1, gateway.messages())
		self.assertNotIn("13900003333", numbers)
		self.assertTrue(self.notifications(self.supervisor, case))


def run_sms_jobs(user: str, case: str) -> None:
	"""The SMS queued for `user` about `case`, sent as a worker would (`run_queued_jobs`); an SMS another test
	left queued is not this test's to send."""
	run_queued_jobs(
		lambda method, call: method == SEND_SMS and case in ((call.get("texts") or {}).get(user) or "")
	)
