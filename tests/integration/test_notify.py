"""The one notification service (services/notify.py) on the real site: what the escalation job (R15, R20–R24),
the daily checks (R25, R26) and the corrective actions (R32) tell people reaches them by Frappe's own means —
the Notification Log API over HTTP, the realtime channel, Notification Settings, Frappe's assignment run by a
real RQ worker — and a run that fails tells nobody anything."""

import json
import os
import threading
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime

from property_helpdesk.constants import CORRECTIVE_ACTION, SETTINGS
from property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log import (
	report_missing_logs,
)
from property_helpdesk.services import escalation, notify
from tests.conftest import SITES_PATH, TEST_SITE
from tests.integration.factories import (
	drop_outgoing_account,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	outgoing_account,
	ticket_values,
)
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY = "通知楼盘"
GROUND = "A4.3.1.1"
NOTIFICATION_LOGS = "frappe.desk.doctype.notification_log.notification_log.get_notification_logs"
ASSIGN_JOB = "property_helpdesk.services.notify.assign_now"
MAKE_NOTIFICATION_LOGS = "frappe.desk.doctype.notification_log.notification_log.make_notification_logs"


def people() -> dict[str, str]:
	return {
		"agent": make_user("notify-agent@notify.test", "Property Duty Staff"),
		"quiet": make_user("notify-quiet@notify.test", "Property Duty Staff"),
		"director": make_user("notify-director@notify.test", "Property Office Director"),
		"supervisor": make_user("notify-supervisor@notify.test", "Property Maintenance Supervisor"),
		"owner": make_user("notify-owner@notify.test", "Property Quality Officer"),
	}


def notify_property(p) -> str:
	make_property(PROPERTY, office_director=p["director"])
	frappe.db.set_value("Property", PROPERTY, "maintenance_supervisor", p["supervisor"])
	return PROPERTY


_units = iter(range(1, 10_000))


def fresh_unit() -> str:
	"""A unit in a building of its own: a complaint there recurs with nothing else (R32)."""
	return make_unit(PROPERTY, f"{int(time.time())}-{next(_units)}幢", "101")


def due_complaint(user: str, minutes_late: int = 1, unit: str | None = None):
	"""A complaint taken by `user` (its follow-up owner) whose 3-day answer limit passed `minutes_late` ago."""
	frappe.set_user(user)
	try:
		ticket = make_ticket(
			unit or fresh_unit(),
			ticket_type="Complaint",
			complaint_ground=GROUND,
			call_started_at=add_to_date(now_datetime(), days=-3, minutes=-minutes_late),
		)
	finally:
		frappe.set_user("Administrator")
	return ticket.name, get_datetime(frappe.db.get_value("Service Ticket", ticket.name, "answer_deadline"))


def turn_notifications_off(user: str) -> None:
	"""What the user does in their Notification Settings: Enabled off."""
	from frappe.desk.doctype.notification_settings.notification_settings import (
		create_notification_settings,
	)

	if not frappe.db.exists("Notification Settings", user):
		create_notification_settings(user)
	frappe.db.set_value("Notification Settings", user, "enabled", 0)


def realtime_events():
	"""A subscription to the channel Frappe's publish_realtime writes to (frappe/realtime.py emit_via_redis:
	the "events" channel of redis_queue), which the socket.io server relays to the desk."""
	from frappe.utils.background_jobs import get_redis_connection_without_auth

	pubsub = get_redis_connection_without_auth().pubsub(ignore_subscribe_messages=True)
	pubsub.subscribe("events")
	pubsub.get_message(timeout=1)  # the subscription's confirmation
	return pubsub


def published_to(pubsub, user: str, event: str = "notification", wait: float = 3.0) -> bool:
	"""Whether `event` was published to the user's room on this site within `wait` seconds."""
	until = time.monotonic() + wait
	while time.monotonic() < until:
		message = pubsub.get_message(timeout=0.2)
		if not message:
			continue
		data = json.loads(message["data"])
		if (data["event"], data["room"], data["namespace"]) == (event, f"user:{user}", TEST_SITE):
			return True
	return False


def delete_committed(p: dict[str, str]) -> None:
	"""What the committing tests left: the property's cases and what hangs on them, its corrective actions, and
	every message and notice of the test's people."""
	frappe.db.rollback()
	tickets = frappe.get_all("Service Ticket", {"property": PROPERTY}, pluck="name")
	actions = frappe.get_all(CORRECTIVE_ACTION, {"property": PROPERTY}, pluck="name")
	for doctype, field, names in (
		("Escalation", "service_ticket", tickets),
		("Repair Work Order", "service_ticket", tickets),
		("ToDo", "reference_name", tickets + actions),
		("Service Ticket", "name", tickets),
		(CORRECTIVE_ACTION, "name", actions),
	):
		if names:
			frappe.db.delete(doctype, {field: ("in", names)})
	users = list(p.values())
	frappe.db.delete("Notification Log", {"for_user": ("in", users)})
	frappe.db.delete("ToDo", {"allocated_to": ("in", users)})
	frappe.db.delete(notify.NOTICE, {"for_user": ("in", users)})
	frappe.db.set_value("Notification Settings", {"name": ("in", users)}, "enabled", 1)
	frappe.db.commit()


class TestNotificationsReachPeople(FrappeTestCase):
	"""Rolled back after each class: the service's rules inside one transaction."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.p = people()
		notify_property(cls.p)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_r15_a_user_who_turned_notifications_off_gets_none_and_another_does(self):
		"""R15 with Frappe's Notification Settings: the follow-up owner who turned system notifications off hears
		nothing of the breach (no Notification Log), the one who did not hears of it; the breach is recorded
		against both."""
		turn_notifications_off(self.p["quiet"])
		told, told_deadline = due_complaint(self.p["agent"])
		quiet, quiet_deadline = due_complaint(self.p["quiet"])
		self.assertGreaterEqual(escalation.run(now=max(told_deadline, quiet_deadline)), 2)
		self.assertEqual(
			frappe.db.count("Notification Log", {"document_name": told, "for_user": self.p["agent"]}), 1
		)
		self.assertEqual(frappe.db.count("Notification Log", {"for_user": self.p["quiet"]}), 0)
		self.assertEqual(
			frappe.db.get_value("Escalation", {"service_ticket": quiet}, "notified_user"), self.p["quiet"]
		)

	def test_r26_a_notice_stays_told_when_the_user_clears_their_notifications(self):
		"""R26: the "already told" record is the app's own (Property Helpdesk Notice): the office director who
		deletes the notification about a day without a job log is not told again."""
		frappe.set_user(self.p["agent"])
		unit = fresh_unit()
		called = add_to_date(now_datetime(), days=-5, hours=-1)
		ticket = make_ticket(unit, call_started_at=called)  # a repair: its work order is made at acceptance
		frappe.set_user("Administrator")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		day = getdate(add_to_date(called, minutes=3))

		def told():
			return frappe.db.count(
				"Notification Log",
				{"for_user": self.p["director"], "document_type": "Property", "document_name": PROPERTY},
			)

		before = told()
		self.assertIn(PROPERTY, report_missing_logs(day))
		self.assertEqual(told(), before + 1)
		frappe.db.delete("Notification Log", {"for_user": self.p["director"], "document_name": PROPERTY})
		report_missing_logs(day)
		self.assertEqual(told(), 0)
		report_missing_logs(add_days(day, 1))  # another day is another notice
		self.assertEqual(told(), 1)

	def test_r4_r31_install_and_migrate_keep_the_people_and_limits_settings_name(self):
		"""R4, R31: seeding Settings again (after_install, after_migrate) stores only what is missing: the
		company-wide people named and a limit changed stay as they were edited."""
		from property_helpdesk.setup.install import seed_settings

		edited = {
			"cs_manager": self.p["director"],
			"general_manager": self.p["owner"],
			"engineering_manager": self.p["supervisor"],
			"arrival_minutes": "25",
		}
		frappe.db.set_single_value(SETTINGS, edited)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.addCleanup(frappe.clear_document_cache, SETTINGS, SETTINGS)
		seed_settings()
		stored = frappe.db.get_singles_dict(SETTINGS)
		self.assertEqual({field: str(stored.get(field)) for field in edited}, edited)


class TestNotificationsOnTheRealSite(FrappeTestCase):
	"""These tests commit (the web server, the worker and the other connection see only committed data) and
	delete what they made afterwards."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.p = people()
		notify_property(cls.p)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		delete_committed(self.p)

	def test_r15_an_escalation_is_in_the_users_notifications_over_http_and_published_after_commit(self):
		"""R15, R23: the breach notification is a real Notification Log that Frappe's own whitelisted
		get_notification_logs returns to the user, logged in over HTTP; the desk's bell is told through the
		realtime channel, to that user's room, once the run commits and not before."""
		ticket, deadline = due_complaint(self.p["agent"])
		events = realtime_events()
		self.addCleanup(events.close)
		self.assertGreaterEqual(escalation.run(now=deadline), 1)
		self.assertFalse(published_to(events, self.p["agent"], wait=1))  # not before the commit
		frappe.db.commit()
		self.assertTrue(published_to(events, self.p["agent"]))

		http = login_session(BASE_URL, self.p["agent"], "/app")
		response = http.get(f"{BASE_URL}/api/method/{NOTIFICATION_LOGS}", timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		logs = response.json()["message"]["notification_logs"]
		mine = [log for log in logs if log["document_name"] == ticket]
		self.assertEqual(len(mine), 1, logs)
		self.assertEqual(mine[0]["document_type"], "Service Ticket")
		self.assertIn(ticket, mine[0]["subject"])
		# another user's session does not see it
		other = login_session(BASE_URL, self.p["quiet"], "/app")
		theirs = other.get(f"{BASE_URL}/api/method/{NOTIFICATION_LOGS}", timeout=30).json()["message"]
		self.assertNotIn(ticket, [log["document_name"] for log in theirs["notification_logs"]])

	def test_r15_r32_a_run_that_fails_leaves_no_assignment_message_or_email(self):
		"""R15, R32 in production's way (another connection, no test flags): a worker that raises a complaint
		recurring on its unit (a corrective action, assigned to its owner), escalates a case (notifications to
		three people, digest emails) and then fails is rolled back: no assignment job is queued, no ToDo, no
		Notification Log, no Email Queue row and no realtime message is left behind."""
		account = outgoing_account("Helpdesk Notify Outgoing", "helpdesk@notify.test")
		frappe.db.commit()
		self.addCleanup(drop_outgoing_account, account)
		agent, unit = self.p["agent"], fresh_unit()
		frappe.db.commit()
		started = now_datetime()
		queued_before = set(frappe.get_all("Email Queue", pluck="name"))
		jobs_before = set(queued_jobs(ASSIGN_JOB))
		events = realtime_events()
		self.addCleanup(events.close)

		def fails():
			frappe.set_user(agent)
			for minutes in (62, 61):  # the second complaint on the unit and ground raises a corrective action
				make_ticket(
					unit,
					ticket_type="Complaint",
					complaint_ground=GROUND,
					call_started_at=add_to_date(now_datetime(), days=-3, minutes=-minutes),
				)
			frappe.set_user("Administrator")
			self.assertTrue(frappe.db.exists(CORRECTIVE_ACTION, {"unit": unit}))
			self.assertGreaterEqual(escalation.run(), 3)
			raise RuntimeError("the worker dies before its commit")

		results = in_other_connection(fails)
		self.assertEqual([type(r) for r in results], [RuntimeError], results)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(CORRECTIVE_ACTION, {"unit": unit}))
		self.assertFalse(frappe.db.exists("Service Ticket", {"unit": unit}))
		self.assertEqual(set(queued_jobs(ASSIGN_JOB)) - jobs_before, set())
		self.assertEqual(frappe.db.count("ToDo", {"creation": (">=", started)}), 0)
		self.assertEqual(
			frappe.db.count(
				"Notification Log", {"for_user": ("in", list(self.p.values())), "creation": (">=", started)}
			),
			0,
		)
		self.assertEqual(set(frappe.get_all("Email Queue", pluck="name")) - queued_before, set())
		self.assertFalse(published_to(events, agent, wait=1))

	def test_r32_an_assignment_made_in_a_request_is_done_by_a_real_worker_after_commit(self):
		"""R32 through the web server and an RQ worker: the second complaint on a unit and ground, posted over
		REST, raises a corrective action; its owner's assignment is queued as the request commits and a real
		RQ worker in its own process makes it with Frappe's assign_to: the ToDo, and (from the job assign_to
		queues in turn) the owner's Assignment notification."""
		owner = self.p["owner"]
		previous = frappe.db.get_single_value(SETTINGS, "corrective_action_owner")
		frappe.db.set_single_value(SETTINGS, "corrective_action_owner", owner)
		frappe.db.commit()
		self.addCleanup(restore_setting, "corrective_action_owner", previous)
		unit = fresh_unit()
		frappe.db.commit()

		http = login_session(BASE_URL, self.p["agent"], "/app")
		left_queued = set(queued_jobs(ASSIGN_JOB))  # a kept site's queue may hold earlier runs' jobs
		for minutes in (30, 20):
			values = ticket_values(
				unit,
				ticket_type="Complaint",
				complaint_ground=GROUND,
				call_started_at=str(add_to_date(now_datetime(), minutes=-minutes)),
			)
			response = http.post(f"{BASE_URL}/api/resource/Service Ticket", json=values, timeout=60)
			self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()  # a fresh snapshot: what the server committed
		action = frappe.db.get_value(CORRECTIVE_ACTION, {"unit": unit}, "name")
		self.assertTrue(action)
		jobs = [job for job in queued_jobs(ASSIGN_JOB, name=action, user=owner) if job not in left_queued]
		self.assertEqual(len(jobs), 1)  # queued as the request committed
		self.assertFalse(notify.is_assigned(CORRECTIVE_ACTION, action, owner))  # not in the request

		run_worker(jobs)
		frappe.db.rollback()
		self.assertTrue(notify.is_assigned(CORRECTIVE_ACTION, action, owner))
		# Frappe's assign_to queues the owner's Assignment notification as a job of its own
		notices = queued_jobs(
			MAKE_NOTIFICATION_LOGS,
			match=lambda args: owner in args.get("users", []) and args["doc"].get("document_name") == action,
		)
		self.assertEqual(len(notices), 1)
		run_worker(notices)
		frappe.db.rollback()
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": owner,
					"type": "Assignment",
					"document_type": CORRECTIVE_ACTION,
					"document_name": action,
				},
			)
		)


def restore_setting(fieldname: str, value) -> None:
	frappe.db.set_single_value(SETTINGS, fieldname, value)
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def in_other_connection(fn) -> list:
	"""Run fn on a second, real database connection in a thread of its own, as a worker would (Frappe's flags
	fresh: not in test mode); commit if it returns, roll back if it raises."""
	results = []

	def target():
		frappe.init(site=TEST_SITE, sites_path=SITES_PATH)
		frappe.connect()
		try:
			results.append(fn())
			frappe.db.commit()
		except Exception as e:
			results.append(e)
			frappe.db.rollback()
		finally:
			frappe.destroy()

	thread = threading.Thread(target=target)
	thread.start()
	thread.join(timeout=120)
	return results
