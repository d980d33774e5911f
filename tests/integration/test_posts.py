"""Posts per property (R4, R8, R11), over real HTTP as the people they are about.

Each property prints its own service lines on its service card (R8), Settings' company-wide ones only where it
names none. Whoever the procedure turns to is the person named, the property's (office director, maintenance
supervisor, area administrators) else Settings' (CS manager, general manager); where nobody is named every active
holder of the role who works for the case's property (Frappe's User Permissions on Property) is told — each reads
the notification and the ToDo as themselves — and a holder who works for another property is not. Paid services
go to the team of their service type (R11): cleaning to the cleaning team (a property's own team first), greening
to the greening role's holders for that property, a repair to the maintenance supervisor, and the area
administrators are assigned the case to agree the fee and follow it up. An unknown service type is a translated
4xx and saves nothing. These tests commit (the web server has its own connection) and clean up after themselves.
"""

import os

import frappe
from frappe.permissions import add_user_permission
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import (
	CASE,
	CORRECTIVE_ACTION,
	ESCALATION,
	PAID_SERVICE_TYPE,
	PROPERTY,
	SETTINGS,
	WORK_ORDER,
)
from property_helpdesk.patches import posts_per_property
from property_helpdesk.property_helpdesk.doctype.warranty_repair_plan.warranty_repair_plan import (
	nudge_plans_needed,
)
from property_helpdesk.roles import area_administrators, holders
from property_helpdesk.services import corrective, escalation
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_resident,
	make_unit,
	make_user,
	run_assignment_jobs,
	run_queued_jobs,
	settings_for_the_test,
	ticket_values,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
NAMED, UNNAMED, ELSEWHERE = "岗位楼盘甲", "岗位楼盘乙", "岗位楼盘丙"
NOTIFICATION_LOGS = (
	f"{BASE_URL}/api/method/frappe.desk.doctype.notification_log.notification_log.get_notification_logs"
)
NOTIFY_JOB = "property_helpdesk.services.dispatch.notify_maintenance_job"
CLEANING, GREENING, REPAIRS = "岗位测试保洁", "岗位测试绿化", "维修"
GREENING_ROLE = "Property Posts Test Greening Team"
LINES = {"service_hotline": "0571-81110001", "quality_complaint_line": "0571-81110002"}
COMPANY_LINES = {"service_hotline": "0571-80000001", "quality_complaint_line": "0571-80000002"}
POSTS = (
	"cs_manager",
	"general_manager",
	"engineering_manager",
	"service_hotline",
	"quality_complaint_line",
	"corrective_action_owner",
)
DECIDE = f"{BASE_URL}/api/method/property_helpdesk.api.routing.record_decision"
PORTAL_REPORT = f"{BASE_URL}/api/method/property_helpdesk.api.portal.report_case"


def staff(name: str, role: str, works_for: str | None = None) -> str:
	"""A staff user holding `role`, restricted to the property `works_for` by a User Permission (R4)."""
	user = make_user(f"posts-{name}@posts.test", role)
	frappe.db.set_value("User", user, "language", "en")
	if works_for:
		WORKS_FOR.append((user, works_for))
	return user


WORKS_FOR: list[tuple[str, str]] = []


def restrict(user: str, prop: str) -> None:
	if not frappe.db.exists("User Permission", {"user": user, "allow": PROPERTY, "for_value": prop}):
		add_user_permission(PROPERTY, prop, user, ignore_permissions=True)


class PostsCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		cls.saved = frappe.db.get_value(SETTINGS, None, list(POSTS), as_dict=True)
		if not frappe.db.exists("Role", GREENING_ROLE):
			frappe.get_doc({"doctype": "Role", "role_name": GREENING_ROLE, "desk_access": 1}).insert()
		u = cls.users = frappe._dict(
			agent=staff("agent", "Property Duty Staff"),
			director=staff("director", "Property Office Director", NAMED),
			supervisor=staff("supervisor", "Property Maintenance Supervisor", NAMED),
			admin1=staff("admin1", "Property Duty Staff", NAMED),
			admin2=staff("admin2", "Property Duty Staff", NAMED),
			# the unnamed property's holders, and one of each who works for another property only
			director_b1=staff("director-b1", "Property Office Director", UNNAMED),
			director_b2=staff("director-b2", "Property Office Director", UNNAMED),
			director_c=staff("director-c", "Property Office Director", ELSEWHERE),
			supervisor_b1=staff("supervisor-b1", "Property Maintenance Supervisor", UNNAMED),
			supervisor_b2=staff("supervisor-b2", "Property Maintenance Supervisor", UNNAMED),
			supervisor_c=staff("supervisor-c", "Property Maintenance Supervisor", ELSEWHERE),
			csm=staff("csm", "Property CS Manager"),
			gm=staff("gm", "Property General Manager"),
			csm_b=staff("csm-b", "Property CS Manager", UNNAMED),
			csm_c=staff("csm-c", "Property CS Manager", ELSEWHERE),
			gm_b=staff("gm-b", "Property General Manager", UNNAMED),
			gm_c=staff("gm-c", "Property General Manager", ELSEWHERE),
			cleaner=staff("cleaner", "Property Duty Staff"),
			cleaner_a=staff("cleaner-a", "Property Duty Staff", NAMED),
			gardener_b=staff("gardener-b", GREENING_ROLE, UNNAMED),
			gardener_c=staff("gardener-c", GREENING_ROLE, ELSEWHERE),
			quality_b1=staff("quality-b1", "Property Quality Officer", UNNAMED),
			quality_b2=staff("quality-b2", "Property Quality Officer", UNNAMED),
			quality_c=staff("quality-c", "Property Quality Officer", ELSEWHERE),
			engineer_b1=staff("engineer-b1", "Property Engineering Manager", UNNAMED),
			engineer_b2=staff("engineer-b2", "Property Engineering Manager", UNNAMED),
			engineer_c=staff("engineer-c", "Property Engineering Manager", ELSEWHERE),
		)
		named = make_property(NAMED, office_director=u.director, maintenance_supervisor=u.supervisor)
		prop = frappe.get_doc(PROPERTY, named)
		prop.update(LINES)
		prop.set("area_administrators", [{"user": u.admin1}, {"user": u.admin2}])
		prop.save()
		make_property(UNNAMED)
		make_property(ELSEWHERE)
		for user, prop in WORKS_FOR:
			restrict(user, prop)
		cls.unit = make_unit(NAMED, "1幢", "101")
		cls.other_unit = make_unit(UNNAMED, "2幢", "201")
		for name, values in (
			(
				CLEANING,
				{
					"team_users": [{"user": u.cleaner}],
					"property_teams": [{"property": NAMED, "user": u.cleaner_a}],
				},
			),
			(GREENING, {"team_role": GREENING_ROLE}),
		):
			if not frappe.db.exists(PAID_SERVICE_TYPE, name):
				frappe.get_doc({"doctype": PAID_SERVICE_TYPE, "service_type_name": name, **values}).insert()
		frappe.db.set_single_value(SETTINGS, {"cs_manager": u.csm, "general_manager": u.gm, **COMPANY_LINES})
		frappe.db.commit()
		cls.http = {}

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cls.clean()
		frappe.db.set_single_value(SETTINGS, cls.saved)  # a post nobody held is left unheld
		frappe.db.commit()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		for prop in (NAMED, UNNAMED, ELSEWHERE):
			delete_cases(prop)
			for action in frappe.get_all(CORRECTIVE_ACTION, {"property": prop}, pluck="name"):
				frappe.delete_doc(CORRECTIVE_ACTION, action, force=True, ignore_permissions=True)
		for name in (CLEANING, GREENING):
			if frappe.db.exists(PAID_SERVICE_TYPE, name):
				frappe.delete_doc(PAID_SERVICE_TYPE, name, force=True, ignore_permissions=True)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def as_user(self, user):
		if user not in self.http:
			self.http[user] = login_session(BASE_URL, user, "/app")
		return self.http[user]

	def post_case(self, unit=None, expect=200, **values):
		body = ticket_values(unit or self.unit, **values)
		body["call_started_at"] = str(now_datetime())
		response = self.as_user(self.users.agent).post(
			f"{BASE_URL}/api/resource/Service Ticket", json=body, timeout=60
		)
		self.assertEqual(response.status_code, expect, response.text)
		frappe.db.rollback()  # a fresh snapshot: what the server committed
		return response.json()["data"]["name"] if expect == 200 else response

	def dispatched(self, case) -> str:
		"""The case's work order, its team told as the worker would (no worker runs beside the test site)."""
		work_order = frappe.db.get_value(WORK_ORDER, {"service_ticket": case})
		run_queued_jobs(lambda method, call: method == NOTIFY_JOB and call.get("work_order") == work_order)
		return work_order

	def todos(self, user, name) -> list[dict]:
		"""The user's own open ToDo list for the document, as they read it over REST."""
		response = self.as_user(user).get(
			f"{BASE_URL}/api/resource/ToDo",
			params={
				"filters": frappe.as_json(
					[["reference_name", "=", name], ["allocated_to", "=", user], ["status", "=", "Open"]]
				),
				"fields": frappe.as_json(["description", "reference_type"]),
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		return response.json()["data"]

	def notified(self, user, name) -> list[str]:
		"""What Frappe's desk bell shows the user about the document."""
		response = self.as_user(user).get(NOTIFICATION_LOGS, params={"limit": 200}, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		return [
			log["subject"]
			for log in response.json()["message"]["notification_logs"]
			if log["document_name"] == name
		]

	def assert_told(self, told, not_told, name, how):
		for user in told:
			self.assertTrue(how(user, name), f"{user} should have been told of {name}")
		for user in not_told:
			self.assertFalse(how(user, name), f"{user} should not have been told of {name}")


class TestServiceCard(PostsCase):
	def card(self, case) -> str:
		response = self.as_user(self.users.agent).get(
			f"{BASE_URL}/printview",
			params={"doctype": CASE, "name": case, "format": "Service Card", "_lang": "zh"},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		return response.text

	def test_r8_each_propertys_card_shows_its_own_lines_else_the_company_ones(self):
		own = self.card(self.post_case())
		for line in LINES.values():
			self.assertIn(line, own)
		for line in COMPANY_LINES.values():
			self.assertNotIn(line, own)
		fallback = self.card(self.post_case(self.other_unit))
		for line in COMPANY_LINES.values():
			self.assertIn(line, fallback)
		for line in LINES.values():
			self.assertNotIn(line, fallback)

	def test_a_line_with_markup_is_refused_and_a_property_naming_nobody_is_warned(self):
		session = self.as_user(self.users.director)
		response = session.put(
			f"{BASE_URL}/api/resource/Property/{NAMED}", json={"service_hotline": "<b>0571</b>"}, timeout=30
		)
		self.assertEqual(response.status_code, 417, response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(PROPERTY, NAMED, "service_hotline"), LINES["service_hotline"])

		frappe.set_user("Administrator")
		frappe.clear_messages()
		frappe.get_doc(PROPERTY, UNNAMED).save()
		warning = " ".join(str(m) for m in frappe.message_log)
		for post in ("Office Director", "Maintenance Supervisor", "Area Administrators"):
			self.assertIn(post, warning)
		self.assertIn("every active holder", warning)
		frappe.db.rollback()


class TestEscalationReachesThePost(PostsCase):
	def escalate(self, case):
		"""The case's answer deadline long past: every step of the ladder is due at once."""
		moment = add_to_date(now_datetime(), days=-3)
		frappe.db.set_value(
			CASE, case, {"answer_deadline": moment, "next_escalation_at": moment}, update_modified=False
		)
		frappe.db.commit()
		escalation.run(now=now_datetime())
		frappe.db.commit()

	def complaint(self, unit=None):
		return self.post_case(unit, ticket_type="Complaint", complaint_ground="A4.3.1.1", subject="电梯噪音")

	def test_r4_every_step_reaches_the_person_its_property_or_settings_name(self):
		u = self.users
		case = self.complaint()
		self.escalate(case)
		levels = dict(
			frappe.get_all(ESCALATION, {"service_ticket": case}, ["level", "notified_user"], as_list=1)
		)
		self.assertEqual(levels["Maintenance Supervisor"], u.supervisor)
		self.assertEqual(levels["Office Director"], u.director)
		self.assertEqual(levels["CS Manager"], u.csm)
		self.assertEqual(levels["General Manager"], u.gm)
		self.assert_told(
			(u.supervisor, u.director, u.csm, u.gm),
			(u.supervisor_b1, u.director_b1, u.csm_b, u.gm_b),
			case,
			self.notified,
		)

	def test_r4_with_nobody_named_every_holder_for_that_property_is_told_and_none_elsewhere(self):
		u = self.users
		frappe.db.set_single_value(SETTINGS, {"cs_manager": None, "general_manager": None})
		frappe.db.commit()
		try:
			case = self.complaint(self.other_unit)
			self.escalate(case)
		finally:
			frappe.db.set_single_value(SETTINGS, {"cs_manager": u.csm, "general_manager": u.gm})
			frappe.db.commit()
		self.assert_told(
			(u.supervisor_b1, u.supervisor_b2, u.director_b1, u.director_b2, u.csm_b, u.gm_b, u.csm, u.gm),
			(u.supervisor_c, u.director_c, u.csm_c, u.gm_c, u.supervisor, u.director),
			case,
			self.notified,
		)
		# several were told: the record names none of them rather than one picked by sort
		for level in ("Maintenance Supervisor", "Office Director", "CS Manager", "General Manager"):
			self.assertIsNone(
				frappe.db.get_value(ESCALATION, {"service_ticket": case, "level": level}, "notified_user")
			)


class TestDispatchByServiceType(PostsCase):
	def test_r15_a_repair_goes_to_the_named_supervisor_else_every_supervisor_of_that_property(self):
		u = self.users
		work_order = self.dispatched(self.post_case())
		self.assert_told((u.supervisor,), (u.supervisor_b1, u.cleaner), work_order, self.todos)
		work_order = self.dispatched(self.post_case(self.other_unit))
		self.assert_told(
			(u.supervisor_b1, u.supervisor_b2), (u.supervisor_c, u.supervisor), work_order, self.todos
		)
		self.assertTrue(self.notified(u.supervisor_b2, work_order))

	def test_r11_cleaning_goes_to_the_cleaning_team_and_the_administrators_follow_it_up(self):
		u = self.users
		case = self.post_case(ticket_type="Paid Service", service_type=CLEANING, subject="室内保洁")
		work_order = self.dispatched(case)
		# the property's own cleaning team replaces the company-wide one; no maintenance supervisor
		self.assert_told((u.cleaner_a,), (u.cleaner, u.supervisor), work_order, self.todos)
		run_assignment_jobs(CASE, case)
		self.assert_told((u.admin1, u.admin2), (u.supervisor,), case, self.todos)
		[todo] = self.todos(u.admin1, case)
		self.assertIn(CLEANING, todo["description"])
		# at a property with no team of its own, the company-wide team
		work_order = self.dispatched(
			self.post_case(self.other_unit, ticket_type="Paid Service", service_type=CLEANING, subject="保洁")
		)
		self.assert_told((u.cleaner,), (u.cleaner_a, u.supervisor_b1), work_order, self.todos)

	def test_r11_greening_goes_to_the_greening_role_of_that_property(self):
		u = self.users
		work_order = self.dispatched(
			self.post_case(
				self.other_unit, ticket_type="Paid Service", service_type=GREENING, subject="修剪绿植"
			)
		)
		self.assert_told((u.gardener_b,), (u.gardener_c, u.supervisor_b1, u.cleaner), work_order, self.todos)
		# a service request has no work order: the team is assigned the case itself
		case = self.post_case(
			self.other_unit, ticket_type="Service Request", service_type=GREENING, subject="绿化"
		)
		self.assertFalse(frappe.db.exists(WORK_ORDER, {"service_ticket": case}))
		run_assignment_jobs(CASE, case)
		self.assert_told((u.gardener_b,), (u.gardener_c,), case, self.todos)

	def test_r11_a_paid_repair_stays_with_maintenance(self):
		u = self.users
		case = self.post_case(ticket_type="Paid Service", service_type=REPAIRS, subject="更换水龙头")
		work_order = self.dispatched(case)
		self.assert_told((u.supervisor,), (u.cleaner, u.cleaner_a), work_order, self.todos)
		run_assignment_jobs(CASE, case)
		self.assertFalse(self.todos(u.admin1, case))

	def test_r11_a_service_type_judged_later_moves_the_job_to_that_team_until_the_job_begins(self):
		"""Taken as a paid repair, then judged a cleaning job (as the acceptor of a portal report does): the
		maintenance supervisor's assignment is closed, the property's cleaning team gets the work order and the
		area administrators the fee; once the technician is on site the type stays (a translated 417)."""
		u = self.users
		case = self.post_case(ticket_type="Paid Service", service_type=REPAIRS, subject="厨房台面清洗")
		work_order = self.dispatched(case)
		self.assert_told((u.supervisor,), (u.cleaner_a,), work_order, self.todos)
		url = f"{BASE_URL}/api/resource/Service Ticket/{case}"
		response = self.as_user(u.agent).put(url, json={"service_type": CLEANING}, timeout=60)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		run_assignment_jobs(WORK_ORDER, work_order)
		run_assignment_jobs(CASE, case)
		self.assert_told((u.cleaner_a,), (u.supervisor, u.cleaner), work_order, self.todos)
		self.assertTrue(self.notified(u.cleaner_a, work_order))
		self.assert_told((u.admin1, u.admin2), (), case, self.todos)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{"reference_name": work_order, "content": ("like", f"%{REPAIRS}%{CLEANING}%")},
			)
		)
		# the technician is on site: the team and what is billed stay as the job began
		frappe.db.set_value(WORK_ORDER, work_order, {"status": "On Site", "arrived_at": now_datetime()})
		frappe.db.set_value("User", u.agent, "language", "zh")
		frappe.db.commit()
		self.http.pop(u.agent, None)
		try:
			response = self.as_user(u.agent).put(url, json={"service_type": REPAIRS}, timeout=60)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertIn("服务类型", response.json()["exception"])
		finally:
			frappe.db.set_value("User", u.agent, "language", "en")
			frappe.db.commit()
			self.http.pop(u.agent, None)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(CASE, case, "service_type"), CLEANING)
		self.assert_told((u.cleaner_a,), (u.supervisor,), work_order, self.todos)

	def test_an_unknown_or_missing_service_type_is_a_translated_4xx_and_saves_nothing(self):
		frappe.db.set_value("User", self.users.agent, "language", "zh")
		frappe.db.commit()
		self.http.pop(self.users.agent, None)
		try:
			before = frappe.db.count(CASE, {"property": NAMED})
			response = self.post_case(ticket_type="Paid Service", service_type="没有这种服务", expect=417)
			message = response.json()["exception"]
			self.assertEqual(response.json()["exc_type"], "LinkValidationError")
			self.assertIn("没有这种服务", message)
			self.assertIn("未找到", message)  # in the agent's language
			self.assertNotIn("Could not find", message)
			body = ticket_values(self.unit, ticket_type="Service Request")
			body.pop("service_type")
			body["call_started_at"] = str(now_datetime())
			response = self.as_user(self.users.agent).post(
				f"{BASE_URL}/api/resource/Service Ticket", json=body, timeout=60
			)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertEqual(response.json()["exc_type"], "MissingJudgementError")
			frappe.db.rollback()
			self.assertEqual(frappe.db.count(CASE, {"property": NAMED}), before)
		finally:
			frappe.db.set_value("User", self.users.agent, "language", "en")
			frappe.db.commit()
			self.http.pop(self.users.agent, None)


class TestAreaAdministrators(PostsCase):
	def test_the_single_area_administrator_of_before_becomes_the_first_of_the_table(self):
		"""The patch: a property that named one area administrator names them in its table; a property read by
		code that still reads the single field finds the first of the table."""
		u = self.users
		frappe.db.delete("Post Holder User", {"parenttype": PROPERTY, "parent": ELSEWHERE})
		frappe.db.set_value(PROPERTY, ELSEWHERE, "area_administrator", u.admin2)
		posts_per_property.execute()
		self.assertEqual(
			[r.user for r in frappe.get_doc(PROPERTY, ELSEWHERE).area_administrators], [u.admin2]
		)
		self.assertEqual(area_administrators(ELSEWHERE), [u.admin2])
		self.assertEqual(frappe.db.get_value(PROPERTY, NAMED, "area_administrator"), u.admin1)
		self.assertEqual(area_administrators(NAMED), [u.admin1, u.admin2])
		frappe.db.rollback()


class NobodyNamed(PostsCase):
	def unname(self, **posts):
		"""Settings name nobody for these company-wide posts during the test, put back after it."""
		settings_for_the_test(self, **posts)

	def decide(self, user, case, expect):
		response = self.as_user(user).post(
			DECIDE, json={"ticket": case, "decision": "同意维修。"}, timeout=30
		)
		self.assertEqual(response.status_code, expect, (user, response.text))
		frappe.db.rollback()


class TestDecisionsReachEveryHolder(NobodyNamed):
	def test_r2_r4_leadership_with_no_general_manager_named_assigns_every_holder_any_of_whom_decides(self):
		"""R2 with R4: a major complaint goes to company leadership; Settings name no general manager, so every
		general manager who works for the case's property has the decision on their list (the record's single
		`routed_to` names none of them), not one who works elsewhere; one decides, the server records who, and
		every assignment closes."""
		u = self.users
		self.unname(general_manager=None)
		case = self.post_case(
			self.other_unit,
			ticket_type="Complaint",
			complaint_ground="A4.3.1.1",
			is_major=1,
			subject="外墙渗水",
		)
		level, routed_to = frappe.db.get_value(CASE, case, ["routed_to_level", "routed_to"])
		self.assertEqual((level, routed_to), ("Company Leadership", None))
		run_assignment_jobs(CASE, case)
		self.assert_told((u.gm, u.gm_b), (u.gm_c, u.director_b1), case, self.todos)
		self.assertIn("needs your decision", self.todos(u.gm_b, case)[0]["description"])
		self.assertTrue(self.notified(u.gm_b, case))
		self.decide(u.director_b1, case, 403)  # not a decision maker of this level
		self.decide(u.gm_b, case, 200)
		self.assertEqual(frappe.db.get_value(CASE, case, "decided_by"), u.gm_b)
		run_assignment_jobs(CASE, case)
		self.assert_told((), (u.gm, u.gm_b), case, self.todos)  # none left open
		self.decide(u.gm, case, 417)  # once

	def test_r2_r4_the_office_head_of_a_property_naming_no_director_is_every_director_there(self):
		u = self.users
		case = self.post_case(
			self.other_unit,
			ticket_type="Complaint",
			complaint_ground="A4.3.1.6",
			is_service_quality=1,
			subject="保安态度差",
		)
		self.assertEqual(frappe.db.get_value(CASE, case, "routed_to_level"), "Office Head")
		run_assignment_jobs(CASE, case)
		self.assert_told((u.director_b1, u.director_b2), (u.director_c, u.director, u.gm), case, self.todos)
		self.decide(u.director_c, case, 403)
		self.decide(u.director_b2, case, 200)
		self.assertEqual(frappe.db.get_value(CASE, case, "decided_by"), u.director_b2)
		run_assignment_jobs(CASE, case)
		self.assert_told((), (u.director_b1, u.director_b2), case, self.todos)

	def test_r2_the_general_manager_settings_name_is_the_only_one_routed(self):
		u = self.users
		case = self.post_case(
			self.other_unit,
			ticket_type="Complaint",
			complaint_ground="A4.3.1.1",
			is_major=1,
			subject="外墙渗水",
		)
		self.assertEqual(frappe.db.get_value(CASE, case, "routed_to"), u.gm)
		run_assignment_jobs(CASE, case)
		self.assert_told((u.gm,), (u.gm_b, u.gm_c), case, self.todos)
		self.decide(u.gm_b, case, 403)


class TestNudgesAndActionsReachEveryHolder(NobodyNamed):
	def test_r25_r4_a_job_without_a_plan_nudges_every_engineering_manager_of_its_property(self):
		u = self.users
		self.unname(engineering_manager=None)
		work_order = self.dispatched(self.post_case(self.other_unit))
		frappe.db.set_value(
			WORK_ORDER,
			work_order,
			"dispatched_at",
			add_to_date(now_datetime(), days=-60),
			update_modified=False,
		)
		frappe.db.commit()
		self.assertIn(work_order, nudge_plans_needed())
		frappe.db.commit()
		self.assert_told((u.engineer_b1, u.engineer_b2), (u.engineer_c,), work_order, self.todos)
		self.assert_told((u.engineer_b1, u.engineer_b2), (u.engineer_c,), work_order, self.notified)
		self.assertNotIn(work_order, nudge_plans_needed())  # once
		frappe.db.rollback()

	def test_r32_r4_a_corrective_action_with_no_owner_named_is_on_every_quality_officers_list(self):
		u = self.users
		self.unname(corrective_action_owner=None)
		action = corrective.raise_action(
			trigger_key=f"POSTS:{now_datetime()}", title="岗位测试整改", source="Other", property=UNNAMED
		)
		frappe.db.commit()
		# several were assigned: the record's owner is none of them, picked by sort order
		self.assertEqual(frappe.db.get_value(CORRECTIVE_ACTION, action, "action_owner"), "Administrator")
		self.assert_told((u.quality_b1, u.quality_b2), (u.quality_c, u.director_b1), action, self.todos)


class TestPortalAcceptance(NobodyNamed):
	def report(self, unit, email, phone):
		make_user(email, "Property Resident", user_type="Website User", mobile=phone)
		make_resident("岗位住户", phone, unit, user=email)
		frappe.db.commit()
		frappe.cache.delete_keys("property_helpdesk:portal:")
		session = login_session(BASE_URL, email, "/my_cases")
		response = session.post(
			PORTAL_REPORT,
			data={
				"ticket_type": "Repair",
				"unit": unit,
				"subject": "阳台门关不上",
				"description": "阳台推拉门卡住。",
				"location": "Private Part",
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		case = response.json()["message"]["name"]
		run_assignment_jobs(CASE, case)
		return case

	def test_r34_r4_a_portal_case_goes_to_the_first_area_administrator_else_every_director_there(self):
		u = self.users
		case = self.report(self.unit, "posts-resident-a@posts.test", "13955507001")
		self.assertEqual(frappe.db.get_value(CASE, case, "acceptor"), u.admin1)
		self.assert_told((u.admin1,), (u.admin2, u.director), case, self.todos)

		case = self.report(self.other_unit, "posts-resident-b@posts.test", "13955507002")
		# the property names nobody: every office director who works for it has the case on their list, and
		# the first of them by name owns it (a case needs one follow-up owner)
		there = holders("Property Office Director", UNNAMED)
		self.assertIn(frappe.db.get_value(CASE, case, "acceptor"), there)
		self.assertNotIn(u.director_c, there)
		self.assert_told((u.director_b1, u.director_b2), (u.director_c, u.director), case, self.todos)
