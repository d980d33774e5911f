"""R15 dispatch measured to the team being told (a real worker), and R37 pauses that cannot be gamed, over real HTTP as the duty staff who pause a case: a reason from the list
with its limit in Settings, a pause that ends by itself at that limit (the escalation job ends it), a late case
that cannot be paused out of its escalation, and every pause in the KPI reports (R29, R30) with its minutes."""

import os
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from property_helpdesk.constants import CASE, ESCALATION, SETTINGS, WORK_ORDER
from property_helpdesk.procedure import clocks as K
from property_helpdesk.property_helpdesk.report.case_timeliness import case_timeliness
from property_helpdesk.property_helpdesk.report.repair_kpi import repair_kpi
from property_helpdesk.services import clocks, escalation, notify
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	ticket_values,
)
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY_NAME = "暂停楼盘"
PAUSE = "/api/method/property_helpdesk.api.intake.pause_clocks"
RESUME = "/api/method/property_helpdesk.api.intake.resume_clocks"


def limits() -> dict[str, float]:
	"""Settings' longest pause per reason, in minutes (as seeded on install)."""
	return {row.reason: row.max_hours * 60 for row in frappe.get_single(SETTINGS).pause_limits}


class TestPauses(FrappeTestCase):
	"""These tests commit (the web server has its own connection) and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.clean()
		cls.agent = make_user("pause-agent@pauses.test", "Property Duty Staff")
		cls.supervisor = make_user("pause-supervisor@pauses.test", "Property Maintenance Supervisor")
		frappe.db.set_value("User", cls.agent, "language", "en")
		name = make_property(PROPERTY_NAME, "Parent Developer", "2020-01-01")
		frappe.db.set_value("Property", name, "maintenance_supervisor", cls.supervisor)
		cls.unit = make_unit(name, "1幢", "101", "2021-01-01")
		frappe.db.commit()
		cls.http = login_session(BASE_URL, cls.agent, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		"""What this class committed (or a run that died left): the property's cases and their pauses."""
		frappe.set_user("Administrator")
		tickets = frappe.get_all(CASE, {"property": PROPERTY_NAME}, pluck="name")
		if tickets:
			frappe.db.delete("Clock Pause", {"parent": ("in", tickets)})
		delete_cases(PROPERTY_NAME)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user(self.agent)

	def tearDown(self):
		frappe.set_user("Administrator")

	def case(self, minutes_ago=0, **kw):
		ticket = make_ticket(
			self.unit, call_started_at=add_to_date(now_datetime(), minutes=-minutes_ago), **kw
		)
		frappe.db.commit()
		return ticket

	def post(self, path, **data):
		return self.http.post(f"{BASE_URL}{path}", json=data, timeout=30)

	def stored(self, name):
		frappe.db.rollback()  # a fresh snapshot: what the server committed
		return frappe.get_doc(CASE, name)

	def test_r37_a_pause_for_each_reason_lasts_at_most_its_limit(self):
		"""Every reason of the list pauses for its own limit: the row and the case record its planned end, the
		completion clock is held until then, and resuming counts the time actually paused."""
		seeded = limits()
		self.assertEqual(set(seeded), set(K.PAUSE_REASONS))  # seeded on install, one row a reason
		for reason in K.PAUSE_REASONS:
			ticket = self.case(minutes_ago=10)
			response = self.post(PAUSE, ticket=ticket.name, reason=reason)
			self.assertEqual(response.status_code, 200, response.text)
			doc = self.stored(ticket.name)
			row = doc.pauses[-1]
			self.assertEqual(row.reason, reason)
			self.assertEqual(
				get_datetime(row.ends_at) - get_datetime(row.paused_at), timedelta(minutes=seeded[reason])
			)
			self.assertEqual(get_datetime(doc.paused_until), get_datetime(row.ends_at))
			self.assertIsNone(doc.completion_deadline)  # held, until the pause ends
			# the case comes back to the escalation job when its pause ends (or its job's arrival is due first)
			self.assertEqual(
				get_datetime(doc.next_escalation_at),
				min(get_datetime(row.ends_at), get_datetime(doc.arrival_deadline)),
			)
			response = self.post(RESUME, ticket=ticket.name)
			self.assertEqual(response.status_code, 200, response.text)
			doc = self.stored(ticket.name)
			self.assertIsNone(doc.paused_since)
			self.assertIsNone(doc.paused_until)
			self.assertTrue(doc.pauses[-1].resumed_at)
			self.assertLess(doc.paused_minutes, 1)  # resumed at once

	def test_r37_a_reason_off_the_list_is_refused(self):
		ticket = self.case()
		response = self.post(PAUSE, ticket=ticket.name, reason="Lunch Break")
		self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual(response.json()["exc_type"], "PauseRefusedError")
		self.assertIsNone(self.stored(ticket.name).paused_since)

	def test_r37_a_pause_ends_by_itself_at_its_limit(self):
		"""The escalation job (every minute) ends a pause at its planned end: the row is resumed then, the case
		counts exactly the limit, and the clocks run again."""
		limit = limits()[K.OTHER_PAUSE]
		ticket = self.case(minutes_ago=limit + 120)
		response = self.post(PAUSE, ticket=ticket.name, reason=K.OTHER_PAUSE)
		self.assertEqual(response.status_code, 200, response.text)
		# the pause began an hour after the call: it ended, by its limit, an hour ago
		began = add_to_date(get_datetime(ticket.call_started_at), minutes=60)
		ends = add_to_date(began, minutes=limit)
		frappe.db.rollback()
		frappe.db.set_value(
			CASE, ticket.name, {"paused_since": began, "paused_until": ends}, update_modified=False
		)
		frappe.db.set_value(
			"Clock Pause",
			{"parent": ticket.name},
			{"paused_at": began, "ends_at": ends},
			update_modified=False,
		)
		clocks.refresh(ticket.name)
		self.assertEqual(get_datetime(frappe.db.get_value(CASE, ticket.name, "next_escalation_at")), ends)
		frappe.db.commit()

		frappe.set_user("Administrator")
		escalation.run()
		frappe.db.commit()
		doc = self.stored(ticket.name)
		self.assertIsNone(doc.paused_since)
		self.assertEqual(get_datetime(doc.pauses[-1].resumed_at), ends)
		self.assertAlmostEqual(doc.paused_minutes, limit, places=3)
		self.assertEqual(
			get_datetime(doc.completion_deadline),
			get_datetime(doc.call_started_at) + timedelta(hours=24, minutes=limit),
		)
		# resuming by hand afterwards: nothing is paused any more
		response = self.post(RESUME, ticket=ticket.name)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual(response.json()["exc_type"], "ClockPauseError")

	def test_r37_resumed_after_its_end_counts_at_most_the_limit(self):
		limit = limits()[K.WEATHER_PAUSE]
		ticket = self.case(minutes_ago=10)
		self.assertEqual(self.post(PAUSE, ticket=ticket.name, reason=K.WEATHER_PAUSE).status_code, 200)
		began = add_to_date(now_datetime(), minutes=-(limit + 600))  # the pause began 10 h before its end
		frappe.db.rollback()
		frappe.db.set_value(
			CASE,
			ticket.name,
			{"paused_since": began, "paused_until": add_to_date(began, minutes=limit)},
			update_modified=False,
		)
		frappe.db.commit()
		self.assertEqual(self.post(RESUME, ticket=ticket.name).status_code, 200)
		doc = self.stored(ticket.name)
		self.assertAlmostEqual(doc.paused_minutes, limit, places=3)

	def test_r37_a_late_case_cannot_be_paused_out_of_its_escalation(self):
		"""A repair past its completion deadline, and a complaint past its answer deadline, cannot pause (a named
		error, 417, translated); the escalation of the passed deadline still happens."""
		late_repair = self.case(minutes_ago=24 * 60 + 30)
		late_complaint = self.case(
			minutes_ago=3 * 24 * 60 + 30, ticket_type="Complaint", complaint_ground="A4.3.1.2"
		)
		for ticket, clock in ((late_repair, K.COMPLETION), (late_complaint, K.ANSWER)):
			response = self.post(PAUSE, ticket=ticket.name, reason=K.PARTS_PAUSE)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertEqual(response.json()["exc_type"], "PauseRefusedError")
			self.assertIn("already past its", response.text)
			doc = self.stored(ticket.name)
			self.assertIsNone(doc.paused_since)
			self.assertFalse(doc.pauses)
			frappe.set_user("Administrator")
			escalation.run()
			frappe.db.commit()
			self.assertTrue(
				frappe.db.exists(ESCALATION, {"service_ticket": ticket.name, "clock": clock}),
				f"{clock} of {ticket.name} was not escalated",
			)
			frappe.set_user(self.agent)

	def test_r29_r30_every_pause_shows_in_the_kpi_reports_with_its_minutes(self):
		"""Two finished pauses of 30 and 45 minutes on one repair, one of 20 on another, hand-computed: the
		case report counts 2 cases paused, 3 pauses, 95 minutes; the repair report the same over their jobs
		once completed, and the lists show each case's minutes."""
		a, b = self.case(minutes_ago=300), self.case(minutes_ago=300)
		for ticket in (a, a, b):
			self.assertEqual(self.post(PAUSE, ticket=ticket.name, reason=K.PARTS_PAUSE).status_code, 200)
			self.assertEqual(self.post(RESUME, ticket=ticket.name).status_code, 200)
		frappe.db.rollback()
		t0 = get_datetime(a.call_started_at)
		spans = {a.name: ((10, 40), (60, 105)), b.name: ((10, 30),)}
		for name, rows in spans.items():
			pauses = frappe.get_all("Clock Pause", {"parent": name}, pluck="name", order_by="idx")
			for row, (start, end) in zip(pauses, rows, strict=True):
				frappe.db.set_value(
					"Clock Pause",
					row,
					{
						"paused_at": add_to_date(t0, minutes=start),
						"resumed_at": add_to_date(t0, minutes=end),
						"ends_at": add_to_date(t0, minutes=start + 60 * 168),
					},
					update_modified=False,
				)
		# the jobs are completed (the stamps of the job's own steps are another part's: set here directly)
		for ticket in (a, b):
			wo = frappe.db.get_value(WORK_ORDER, {"service_ticket": ticket.name})
			frappe.db.set_value(
				WORK_ORDER, wo, {"completed_at": now_datetime(), "status": "Completed"}, update_modified=False
			)
		frappe.db.commit()
		filters = {"property": PROPERTY_NAME, "group_by": "Property"}
		columns, rows, *_ = case_timeliness.execute(frappe._dict(filters))
		self.assertIn("paused_minutes", [c["fieldname"] for c in columns])
		row = next(r for r in rows if r.group_key == PROPERTY_NAME)
		self.assertEqual((row.paused_cases, row.pauses, row.paused_minutes), (2, 3, 95.0))
		listed = case_timeliness.execute(frappe._dict(filters, show_cases=1))[1]
		by_case = {r.service_ticket: r for r in listed}
		self.assertEqual((by_case[a.name].pauses, by_case[a.name].paused_minutes), (2, 75.0))
		self.assertEqual((by_case[b.name].pauses, by_case[b.name].paused_minutes), (1, 20.0))
		columns, rows, *_ = repair_kpi.execute(frappe._dict(filters))
		self.assertIn("paused_minutes", [c["fieldname"] for c in columns])
		row = next(r for r in rows if r.group_key == PROPERTY_NAME)
		self.assertEqual((row.paused_jobs, row.pauses, row.paused_minutes), (2, 3, 95.0))


DISPATCH_PROPERTY = "派工时限楼盘"
NOTIFY_JOB = "property_helpdesk.services.dispatch.notify_maintenance_job"


class TestDispatchMeasuredHonestly(FrappeTestCase):
	"""R15 through the web server and a real RQ worker: the dispatch clock stops when the worker has delivered
	the team's assignment (`team_told_at`), not when the work order's row was written; a late one escalates and
	is counted in the repair report. These tests commit and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.clean()
		cls.agent = make_user("dispatch-agent@pauses.test", "Property Duty Staff")
		cls.supervisor = make_user("dispatch-supervisor@pauses.test", "Property Maintenance Supervisor")
		name = make_property(DISPATCH_PROPERTY, "Parent Developer", "2020-01-01")
		frappe.db.set_value("Property", name, "maintenance_supervisor", cls.supervisor)
		cls.unit = make_unit(name, "1幢", "101", "2021-01-01")
		frappe.db.commit()
		cls.http = login_session(BASE_URL, cls.agent, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		frappe.set_user("Administrator")
		delete_cases(DISPATCH_PROPERTY)
		frappe.db.commit()

	def post_case(self, minutes_ago: int) -> tuple[str, str]:
		values = ticket_values(
			self.unit, call_started_at=str(add_to_date(now_datetime(), minutes=-minutes_ago))
		)
		response = self.http.post(f"{BASE_URL}/api/resource/Service Ticket", json=values, timeout=60)
		self.assertEqual(response.status_code, 200, response.text)
		name = response.json()["data"]["name"]
		frappe.db.rollback()  # a fresh snapshot: what the server committed
		return name, frappe.db.get_value(WORK_ORDER, {"service_ticket": name})

	def test_r15_the_worker_tells_the_team_and_stops_the_dispatch_clock(self):
		ticket, wo = self.post_case(minutes_ago=1)
		# the row is written, the team not yet told: the dispatch deadline is still open
		self.assertIsNone(frappe.db.get_value(WORK_ORDER, wo, "team_told_at"))
		called = get_datetime(frappe.db.get_value(CASE, ticket, "call_started_at"))
		self.assertEqual(
			get_datetime(frappe.db.get_value(CASE, ticket, "dispatch_deadline")),
			called + timedelta(minutes=5),
		)
		jobs = queued_jobs(NOTIFY_JOB, work_order=wo)
		self.assertEqual(len(jobs), 1)
		run_worker(jobs)
		frappe.db.rollback()
		told = frappe.db.get_value(WORK_ORDER, wo, "team_told_at")
		self.assertTrue(told)
		self.assertLessEqual(get_datetime(told) - called, timedelta(minutes=5))
		self.assertTrue(notify.is_assigned(WORK_ORDER, wo, self.supervisor))
		self.assertIsNone(frappe.db.get_value(CASE, ticket, "dispatch_deadline"))  # met

	def test_r15_team_told_at_cannot_be_typed(self):
		_ticket, wo = self.post_case(minutes_ago=1)
		sup = login_session(BASE_URL, self.supervisor, "/app")
		response = sup.put(
			f"{BASE_URL}/api/resource/Repair Work Order/{wo}",
			json={"team_told_at": "2020-01-01 00:00:00"},
			timeout=30,
		)
		self.assertLess(response.status_code, 500, response.text)
		frappe.db.rollback()
		self.assertIsNone(frappe.db.get_value(WORK_ORDER, wo, "team_told_at"))
		for job in queued_jobs(NOTIFY_JOB, work_order=wo):
			run_worker([job])

	def test_r15_a_late_dispatch_escalates_and_is_counted(self):
		"""A call 10 minutes ago whose team is not yet told: the dispatch deadline (call + 5 min) is past and
		the escalation job takes its first step; once the worker tells the team, the job, completed, counts as
		told late in the repair report (1 of the property's 2 jobs; the other told within a minute)."""
		on_time, on_time_wo = self.post_case(minutes_ago=1)
		run_worker(queued_jobs(NOTIFY_JOB, work_order=on_time_wo))
		late, late_wo = self.post_case(minutes_ago=10)
		frappe.set_user("Administrator")
		escalation.run()
		frappe.db.commit()
		self.assertTrue(frappe.db.exists(ESCALATION, {"service_ticket": late, "clock": K.DISPATCH}))
		self.assertFalse(frappe.db.exists(ESCALATION, {"service_ticket": on_time, "clock": K.DISPATCH}))
		run_worker(queued_jobs(NOTIFY_JOB, work_order=late_wo))
		frappe.db.rollback()
		self.assertIsNone(frappe.db.get_value(CASE, late, "dispatch_deadline"))  # told now, late
		for wo in (on_time_wo, late_wo):
			frappe.db.set_value(
				WORK_ORDER, wo, {"completed_at": now_datetime(), "status": "Completed"}, update_modified=False
			)
		frappe.db.commit()
		columns, rows, *_ = repair_kpi.execute(frappe._dict(property=DISPATCH_PROPERTY, group_by="Property"))
		self.assertIn("dispatched_late", [c["fieldname"] for c in columns])
		row = next(r for r in rows if r.group_key == DISPATCH_PROPERTY)
		self.assertEqual((row.completed, row.dispatched_late), (2, 1))


REWORK_PROPERTY = "返修楼盘"
CONFIRM = "/api/method/property_helpdesk.api.rework.confirm_rework"
NOTIFICATION_LOGS = "frappe.desk.doctype.notification_log.notification_log.get_notification_logs"


class TestReworkFound(FrappeTestCase):
	"""R30 over HTTP: a new case on the same unit and component within the window after a completed job is
	proposed as its rework, and the maintenance supervisor (not the duty staff) confirms it; the repair report
	counts it. These tests commit and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.clean()
		cls.agent = make_user("rework-agent@pauses.test", "Property Duty Staff")
		cls.supervisor = make_user("rework-supervisor@pauses.test", "Property Maintenance Supervisor")
		cls.director = make_user("rework-director@pauses.test", "Property Office Director")
		name = make_property(REWORK_PROPERTY, "Parent Developer", "2020-01-01", office_director=cls.director)
		frappe.db.set_value("Property", name, "maintenance_supervisor", cls.supervisor)
		cls.unit = make_unit(name, "1幢", "101", "2021-01-01")
		cls.other_unit = make_unit(name, "1幢", "102", "2021-01-01")
		frappe.db.commit()
		cls.agent_http = login_session(BASE_URL, cls.agent, "/app")
		cls.supervisor_http = login_session(BASE_URL, cls.supervisor, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		frappe.set_user("Administrator")
		delete_cases(REWORK_PROPERTY)
		frappe.db.commit()

	def setUp(self):
		self.clean()  # each test counts the property's jobs from none

	def completed_job(self, unit, days_ago, **kw) -> str:
		frappe.set_user(self.agent)
		ticket = make_ticket(
			unit, call_started_at=add_to_date(now_datetime(), days=-days_ago, hours=-2), **kw
		)
		frappe.set_user("Administrator")
		wo = frappe.db.get_value(WORK_ORDER, {"service_ticket": ticket.name})
		frappe.db.set_value(
			WORK_ORDER,
			wo,
			{"completed_at": add_to_date(now_datetime(), days=-days_ago), "status": "Completed"},
			update_modified=False,
		)
		frappe.db.commit()
		return wo

	def post_case(self, unit, **kw) -> str:
		values = ticket_values(unit, **kw)
		values["call_started_at"] = str(now_datetime())
		response = self.agent_http.post(f"{BASE_URL}/api/resource/Service Ticket", json=values, timeout=60)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		return frappe.db.get_value(WORK_ORDER, {"service_ticket": response.json()["data"]["name"]})

	def test_r30_rework_is_proposed_and_the_supervisor_confirms_it(self):
		window = frappe.db.get_single_value(SETTINGS, "rework_window_days")
		self.assertEqual(window, 30)  # seeded
		earlier = self.completed_job(self.unit, 10, subject="卫生间漏水")
		self.completed_job(self.unit, window + 5, subject="卫生间漏水")  # outside the window
		self.completed_job(self.other_unit, 3, subject="卫生间漏水")  # another unit

		again = self.post_case(self.unit, subject="卫生间漏水")
		other = self.post_case(self.unit, subject="门锁损坏")  # another component
		self.assertEqual(frappe.db.get_value(WORK_ORDER, again, "proposed_rework_of"), earlier)
		self.assertIsNone(frappe.db.get_value(WORK_ORDER, other, "proposed_rework_of"))
		self.assertIsNone(frappe.db.get_value(WORK_ORDER, again, "rework_of"))  # proposed, not declared

		# the duty staff may not confirm it; the supervisor does
		response = self.agent_http.post(f"{BASE_URL}{CONFIRM}", json={"work_order": again}, timeout=30)
		self.assertEqual(response.status_code, 403, response.text)
		response = self.supervisor_http.post(f"{BASE_URL}{CONFIRM}", json={"work_order": again}, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(WORK_ORDER, again, "rework_of"), earlier)
		response = self.supervisor_http.post(f"{BASE_URL}{CONFIRM}", json={"work_order": other}, timeout=30)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual(response.json()["exc_type"], "ReworkError")

		# the proposal cannot be typed
		response = self.supervisor_http.put(
			f"{BASE_URL}/api/resource/Repair Work Order/{other}",
			json={"proposed_rework_of": earlier},
			timeout=30,
		)
		self.assertLess(response.status_code, 500, response.text)
		frappe.db.rollback()
		self.assertIsNone(frappe.db.get_value(WORK_ORDER, other, "proposed_rework_of"))

		# completed, the confirmed rework counts in R30: 1 rework of the 5 jobs completed on the property
		frappe.db.set_value(WORK_ORDER, again, {"completed_at": now_datetime(), "status": "Completed"})
		frappe.db.set_value(WORK_ORDER, other, {"completed_at": now_datetime(), "status": "Completed"})
		frappe.db.commit()
		rows = repair_kpi.execute(frappe._dict(property=REWORK_PROPERTY, group_by="Property"))[1]
		row = next(r for r in rows if r.group_key == REWORK_PROPERTY)
		self.assertEqual((row.completed, row.rework), (5, 1))

	def test_r30_a_dissatisfied_return_visit_reopens_the_job_as_rework_and_tells_the_supervisor(self):
		"""The acceptor records a dissatisfied return visit over REST: the job is redone as a rework of the
		visited one (a new work order naming it), and the maintenance supervisor and the office director each
		find the message among the notifications Frappe's get_notification_logs gives them."""
		done = self.completed_job(self.unit, 1, subject="阳台门关不严")
		ticket = frappe.db.get_value(WORK_ORDER, done, "service_ticket")
		visit = {
			"service_ticket": ticket,
			"work_order": done,
			"channel": "Phone",
			"satisfaction": "Dissatisfied",
			"comments": "门还是关不严",
		}
		response = self.agent_http.post(f"{BASE_URL}/api/resource/Return Visit", json=visit, timeout=60)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		rework = frappe.db.get_value(
			WORK_ORDER, {"rework_of": done}, ["name", "service_ticket", "status"], as_dict=True
		)
		self.assertTrue(rework)
		self.assertEqual(rework.service_ticket, ticket)
		self.assertEqual(rework.status, "Dispatched")
		for user in (self.supervisor, self.director):
			http = login_session(BASE_URL, user, "/app")
			response = http.get(f"{BASE_URL}/api/method/{NOTIFICATION_LOGS}", timeout=30)
			self.assertEqual(response.status_code, 200, response.text)
			logs = response.json()["message"]["notification_logs"]
			mine = [log for log in logs if log["document_name"] == rework.name]
			self.assertEqual(len(mine), 1, (user, logs))
			self.assertIn("dissatisfied", mine[0]["subject"])
		# a second dissatisfied visit finds the rework made
		response = self.agent_http.post(f"{BASE_URL}/api/resource/Return Visit", json=visit, timeout=60)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(WORK_ORDER, {"rework_of": done}), 1)
