"""Faults, with nothing lost and nothing doubled (issue 15), on the real bench with real processes:

- the bench's Redis (queue and cache) stops while the duty agent saves a case over HTTP: the case is saved whole
  (its work order and clocks) and the team's assignment and the resident's messages follow once Redis is back,
  from the rows in the database, by the every-minute jobs run in a real RQ worker (R10, R15, R34);
- an RQ worker is killed (SIGKILL) in the middle of an escalation run (R15's 5-minute dispatch limit, up the
  ladder of R4), in the middle of the liaison sheets' chase (R17's reply deadline, R28's review deadline) and
  in the middle of a resident's message (a local SMS gateway that answers slowly): the next run finishes the
  work exactly once, one escalation or chase record per step, each person told once, and one message per
  recipient as the gateway counts them;
- MariaDB restarts while requests are in flight (a portal report, R5; a paid job's invoice, R39; a resident's
  signature, R36): each answers with an error, not a hang, and succeeds on retry; no case, work order, invoice
  or signature is lost or doubled.

These tests stop and start the shared servers: they run only under the suite's lock (scripts/test.sh, flock),
and always start what they stopped again (finally), waiting until it answers. They commit, on a property of
their own, and remove what they made."""

import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import (
	CASE,
	CS_MANAGER,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	ESCALATION,
	GENERAL_MANAGER,
	LIAISON_SHEET,
	MAINTENANCE_SUPERVISOR,
	MESSAGE_ACCEPTED,
	MESSAGE_DISPATCHED,
	MESSAGE_FAILED,
	OFFICE_DIRECTOR,
	RESIDENT_MESSAGE,
	RESIDENT_ROLE,
	SETTINGS,
	WORK_ORDER,
)
from property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet import CHASE, SENT
from property_helpdesk.services import billing
from property_helpdesk.services.channels import FRAPPE_SMS_SETTINGS
from property_helpdesk.services.resident_messages import SEND_JOB
from tests.conftest import BENCH_DIR, SITES_PATH
from tests.integration.factories import (
	SIGNATURE,
	bring_sheet_to,
	delete_cases,
	liaison_sheet_values,
	login_session,
	make_customer,
	make_property,
	make_resident,
	make_ticket,
	make_unit,
	make_user,
	settings_for_the_test,
	ticket_values,
)
from tests.integration.servers import SMSGateway, unconfigure_sms
from tests.integration.workers import WORKER, queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PORTAL = f"{BASE_URL}/api/method/property_helpdesk.api.portal"
PROPERTY = "故障楼盘"
SHEET_PROPERTY = "故障联系单楼盘"  # an external developer's (R17: only theirs have a reply deadline)
RUN_SCHEDULED_JOB = "frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job"
ESCALATION_JOB = "property_helpdesk.services.escalation.run_job"
SEND_DUE_JOB = "property_helpdesk.services.resident_messages.send_due"
CHASE_JOB = "property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.chase_overdue"
TEAM_JOB = "property_helpdesk.services.dispatch.tell_untold_teams"
ASSIGN_JOB = "property_helpdesk.services.notify.assign_now"
ASSIGN_NOTICE_JOB = "frappe.desk.doctype.notification_log.notification_log.make_notification_logs"
PHONE = "13966600001"


# -- the servers ----------------------------------------------------------------------------------------------


def redis_port(conf: str) -> int:
	with open(os.path.join(BENCH_DIR, "config", f"{conf}.conf")) as f:
		return int(next(line.split()[1] for line in f if line.startswith("port ")))


def redis_answers(port: int) -> bool:
	return (
		subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip()
		== "PONG"
	)


def start_redis(conf: str) -> None:
	"""As scripts/lib.sh start_redis starts it (the queue's saved jobs reloaded from its file); waits for it."""
	port = redis_port(conf)
	if not redis_answers(port):
		subprocess.run(
			["redis-server", f"{conf}.conf", "--bind", "127.0.0.1", "--daemonize", "yes"],
			cwd=os.path.join(BENCH_DIR, "config"),
			check=True,
			capture_output=True,
		)
	wait_for(lambda: redis_answers(port), 30, f"{conf} did not answer")


@contextlib.contextmanager
def redis_stopped(*confs: str):
	"""The bench's Redis servers `confs` shut down (the queue saves its jobs first, as its config says), and
	always started again."""
	try:
		for conf in confs:
			port = redis_port(conf)
			subprocess.run(["redis-cli", "-p", str(port), "shutdown"], capture_output=True)
			wait_for(lambda port=port: not redis_answers(port), 30, f"{conf} did not stop")
		yield
	finally:
		for conf in confs:
			start_redis(conf)


def root_sql(query: str) -> str:
	"""A statement as MariaDB's root (its unix-socket login, as scripts/lib.sh sets it up)."""
	return subprocess.run(
		["mariadb", "-uroot", "-N", "-B", "-e", query], capture_output=True, text=True, timeout=60
	).stdout


def waiting_for_lock() -> int:
	"""How many statements wait for the global read lock (MariaDB 10.4+ calls it the backup lock)."""
	listed = root_sql("show processlist")
	return listed.count("Waiting for backup lock") + listed.count("Waiting for global read lock")


def mariadb_answers() -> bool:
	return subprocess.run(["mariadb-admin", "ping"], capture_output=True).returncode == 0


def restart_mariadb() -> None:
	"""`service mariadb restart`, the service scripts/lib.sh starts; `ensure_mariadb` waits for it."""
	subprocess.run(["service", "mariadb", "restart"], capture_output=True, timeout=180)


def ensure_mariadb() -> None:
	if not mariadb_answers():
		subprocess.run(["service", "mariadb", "start"], capture_output=True, timeout=180)
	wait_for(mariadb_answers, 120, "MariaDB did not answer")


def reconnect() -> None:
	"""The test process's own connection, made again after MariaDB restarted."""
	with contextlib.suppress(Exception):
		frappe.db.close()
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")


def wait_for(condition, seconds: float, message: str):
	until = time.monotonic() + seconds
	while time.monotonic() < until:
		value = condition()
		if value:
			return value
		time.sleep(0.2)
	raise AssertionError(message)


# -- the worker -------------------------------------------------------------------------------------------------


def start_worker(job_ids: list[str], queue: str = "default") -> subprocess.Popen:
	"""A real RQ worker (tests/integration/workers.py) performing the jobs, in a process the test can kill."""
	return subprocess.Popen(
		[os.path.join(BENCH_DIR, "env", "bin", "python"), "-c", WORKER, queue, *job_ids],
		cwd=SITES_PATH,
		env={key: value for key, value in os.environ.items() if key != "CI"},
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)


def kill(worker: subprocess.Popen) -> None:
	worker.send_signal(signal.SIGKILL)
	worker.wait(timeout=30)


def enqueue_scheduled(method: str) -> tuple[list[str], str]:
	"""The scheduled job queued as Frappe's scheduler queues it (run_scheduled_job of its Scheduled Job Type, on
	that type's queue): its job ids and queue. Under an id of its own rather than the type's fixed one, which a
	killed worker leaves "started" in RQ until RQ's own clean-up (see docs/operations.md, Faults)."""
	job_type = frappe.get_doc("Scheduled Job Type", {"method": method})  # made by migrate from hooks.py
	queue = job_type.get_queue_name()
	return [frappe.enqueue(RUN_SCHEDULED_JOB, queue=queue, job_type=method).id], queue


def kill_while_telling(user: str, method: str, what: str) -> None:
	"""The scheduled job `method` run by a real worker and killed while it tells `user`: the test locks the user's
	Notification Settings, which Frappe updates as it writes their notification, so the run stops there with all
	it wrote before still uncommitted; the worker is killed at that moment and the test's lock released."""
	if not frappe.db.exists("Notification Settings", user):
		frappe.get_doc({"doctype": "Notification Settings", "name": user}).insert(ignore_permissions=True)
	frappe.db.commit()
	frappe.db.sql("select name from `tabNotification Settings` where name = %s for update", user)
	worker = start_worker(*enqueue_scheduled(method))
	try:
		wait_for(
			lambda: frappe.db.sql(
				"select id from information_schema.processlist where lower(info) like %s",
				"update `tabnotification settings`%",
			),
			60,
			what,
		)
		kill(worker)
	finally:
		if worker.poll() is None:
			kill(worker)
		frappe.db.rollback()  # the test's lock


def run_scheduled(*methods: str) -> None:
	"""The scheduled jobs' next run, each in a real worker."""
	for method in methods:
		run_worker(*enqueue_scheduled(method))
	frappe.db.rollback()


def drop_queued_jobs(names: set[str]) -> None:
	"""This site's queued jobs about the documents `names` (left unrun by a test), taken off the queue: a later
	test must not find them, nor a document given the same name again."""
	from frappe.utils.background_jobs import get_queues

	for queue in get_queues():
		for job in queue.jobs:
			call = (job.kwargs or {}).get("kwargs") or {}
			if (job.kwargs or {}).get("site") == frappe.local.site and names & {
				v for v in call.values() if isinstance(v, str)
			}:
				job.delete()


class SlowGateway(SMSGateway):
	"""The local SMS gateway, answering after `delay` seconds; `received` counts each SMS as it arrives (the
	provider has it, whatever becomes of its answer), `arrived` is set at the first."""

	delay = 0.0

	def __init__(self):
		super().__init__()
		self.received: list[tuple[str, str]] = []
		self.arrived = threading.Event()

	def respond(self, request):
		self.received.append((request["form"].get("to"), request["form"].get("text")))
		self.arrived.set()
		time.sleep(self.delay)
		return super().respond(request)

	def count(self, number: str, words: str) -> int:
		return sum(1 for to, text in self.received if to == number and words in (text or ""))


# -- the tests --------------------------------------------------------------------------------------------------


class FaultCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		ensure_mariadb()
		for conf in ("redis_cache", "redis_queue"):
			start_redis(conf)
		cls.clean()
		cls.agent = make_user("fault-agent@faults.test", DUTY_STAFF, mobile="13766600001")
		cls.supervisor = make_user("fault-supervisor@faults.test", MAINTENANCE_SUPERVISOR)
		cls.finance = make_user("fault-finance@faults.test", "Accounts User")
		cls.resident_user = make_user(
			"fault-resident@faults.test", RESIDENT_ROLE, user_type="Website User", mobile=PHONE
		)
		make_property(PROPERTY, maintenance_supervisor=cls.supervisor, area_administrator=cls.agent)
		cls.unit = make_unit(PROPERTY)
		cls.resident = make_resident(
			"故障业主", PHONE, cls.unit, user=cls.resident_user, customer=make_customer("故障业主")
		)
		settings = frappe.get_doc(SETTINGS)
		cls.saved_settings = {
			f: settings.get(f)
			for f in ("sms_provider", "default_channel", "quiet_hours_from", "quiet_hours_to")
		}
		settings.update(
			{
				"sms_provider": FRAPPE_SMS_SETTINGS,
				"default_channel": "SMS",
				"quiet_hours_from": "00:00:00",  # from = to: no quiet hours, whatever the hour of the run
				"quiet_hours_to": "00:00:00",
			}
		)
		settings.save(ignore_permissions=True)
		cls.gateway = SlowGateway().__enter__()
		cls.gateway.configure()  # commits
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		with contextlib.suppress(Exception):
			frappe.db.rollback()
		ensure_mariadb()
		for conf in ("redis_cache", "redis_queue"):
			start_redis(conf)
		reconnect()
		cls.gateway.__exit__()
		unconfigure_sms()
		settings = frappe.get_doc(SETTINGS)
		settings.update(cls.saved_settings)
		settings.save(ignore_permissions=True)
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls, properties=(PROPERTY, SHEET_PROPERTY)):
		frappe.set_user("Administrator")
		for sheet in frappe.get_all(LIAISON_SHEET, {"property": ("in", properties)}, pluck="name"):
			frappe.db.delete("Notification Log", {"document_type": LIAISON_SHEET, "document_name": sheet})
			frappe.delete_doc(LIAISON_SHEET, sheet, force=True, ignore_permissions=True)
		for prop in properties:
			cls.clean_cases(prop)
		frappe.db.commit()

	@classmethod
	def clean_cases(cls, prop: str):
		tickets = frappe.get_all(CASE, {"property": prop}, pluck="name")
		work_orders = frappe.get_all(WORK_ORDER, {"service_ticket": ("in", tickets or [""])}, pluck="name")
		for invoice in frappe.get_all(
			"Sales Invoice", {"property_helpdesk_work_order": ("in", work_orders or [""])}, pluck="name"
		):
			doc = frappe.get_doc("Sales Invoice", invoice)
			if doc.docstatus == 1:
				doc.cancel()
			frappe.delete_doc("Sales Invoice", invoice, force=True, ignore_permissions=True)
		if tickets:
			frappe.db.delete("Notification Log", {"document_name": ("in", tickets + work_orders)})
			drop_queued_jobs(
				{
					*tickets,
					*work_orders,
					*frappe.get_all(RESIDENT_MESSAGE, {"service_ticket": ("in", tickets)}, pluck="name"),
				}
			)
		delete_cases(prop)

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.cache.delete_keys("property_helpdesk:portal:")  # the resident's hourly report limit, anew
		self.gateway.received.clear()
		self.gateway.arrived.clear()
		self.gateway.delay = 0.0

	def messages_of(self, case: str) -> dict[str, dict]:
		return {
			r.step: r
			for r in frappe.get_all(
				RESIDENT_MESSAGE, {"service_ticket": case}, ["name", "step", "status", "error", "attempts"]
			)
		}


class TestRedisStops(FaultCase):
	def test_r15_r34_a_case_saved_while_redis_is_down_is_whole_and_its_side_effects_follow_once(self):
		"""R10, R15, R34: with the queue's and the cache's Redis down the duty agent's save answers; what it
		saved is whole (the case, its work order, its clocks) or nothing is there. Once Redis is back the
		every-minute jobs (in a real worker) give the team its assignment and tell the resident, once each:
		a second run adds nothing."""
		http = login_session(BASE_URL, self.agent, "/app")
		values = ticket_values(
			self.unit,
			resident=self.resident,
			subject="Redis 停了时的报修",
			call_started_at=str(now_datetime()),
		)
		with redis_stopped("redis_queue", "redis_cache"):
			started = time.monotonic()
			response = http.post(f"{BASE_URL}/api/resource/Service Ticket", json=values, timeout=120)
			took = time.monotonic() - started
			frappe.db.rollback()
			saved = frappe.get_all(CASE, {"property": PROPERTY, "subject": values["subject"]}, pluck="name")
			if response.status_code != 200:
				self.assertTrue(response.json().get("exception") or response.json().get("_server_messages"))
				self.assertEqual(
					saved, [], f"refused ({response.status_code}) but saved: {response.text[:500]}"
				)
			self.assertEqual(response.status_code, 200, response.text[:2000])
			self.assertLess(took, 60)
			self.assertEqual(saved, [response.json()["data"]["name"]])
			case = frappe.get_doc(CASE, saved[0])
			work_order = frappe.get_doc(WORK_ORDER, {"service_ticket": case.name})
			self.assertTrue(case.dispatch_deadline and case.next_escalation_at)  # its clocks (R15)
			self.assertIsNone(work_order.team_told_at)  # not yet: its job could not be queued
			self.assertEqual(frappe.db.count("ToDo", {"reference_name": work_order.name}), 0)
			self.assertEqual(self.gateway.received, [])
		# Redis is back: the every-minute jobs pick up what the save left in the database
		run_scheduled(TEAM_JOB, SEND_DUE_JOB)
		run_worker(
			queued_jobs(ASSIGN_NOTICE_JOB, match=lambda a: a["doc"].get("document_name") == work_order.name)
		)
		run_scheduled(TEAM_JOB, SEND_DUE_JOB)  # a second run: nothing more
		frappe.db.rollback()
		self.assertTrue(frappe.db.get_value(WORK_ORDER, work_order.name, "team_told_at"))
		todos = frappe.get_all(
			"ToDo",
			{"reference_type": WORK_ORDER, "reference_name": work_order.name},
			["allocated_to", "status"],
		)
		self.assertEqual([(t.allocated_to, t.status) for t in todos], [(self.supervisor, "Open")])
		self.assertEqual(
			frappe.db.count(
				"Notification Log",
				{"for_user": self.supervisor, "type": "Assignment", "document_name": work_order.name},
			),
			1,
		)
		self.assertIsNone(frappe.db.get_value(CASE, case.name, "dispatch_deadline"))  # R15 met
		messages = self.messages_of(case.name)
		self.assertEqual(
			{s: m.status for s, m in messages.items()}, {MESSAGE_ACCEPTED: "Sent", MESSAGE_DISPATCHED: "Sent"}
		)
		self.assertEqual(self.gateway.count(PHONE, case.name), 2)  # accepted and dispatched, once each

	def test_r5_r34_a_portal_report_while_the_queue_is_down_is_refused_whole_then_saved_once(self):
		"""R5, R34: a resident's report must put the case on its acceptor's list (an assignment, which only a
		queued job makes and nothing in the database would bring back): with the queue's Redis down it is
		refused with a clear 503 and nothing is saved; sent again with its request key once Redis is back, it
		is saved once and its acceptor assigned once."""
		resident = login_session(BASE_URL, self.resident_user, "/my_cases")
		key = uuid.uuid4().hex
		report = {
			"ticket_type": "Repair",
			"unit": self.unit,
			"subject": "队列停了时的报修",
			"description": "阳台地漏堵了。",
			"location": "Private Part",
			"request_key": key,
		}
		with redis_stopped("redis_queue"):
			refused = resident.post(f"{PORTAL}.report_case", data=report, timeout=120)
			self.assertEqual(refused.status_code, 503, refused.text[:500])
			self.assertEqual(refused.json()["exc_type"], "QueueUnavailableError")
			self.assertIn("_server_messages", refused.json())
			frappe.db.rollback()
			self.assertFalse(frappe.db.exists(CASE, {"portal_request_key": key}))
		saved = resident.post(f"{PORTAL}.report_case", data=report, timeout=60)
		self.assertEqual(saved.status_code, 200, saved.text[:500])
		frappe.db.rollback()
		self.assertEqual(
			frappe.get_all(CASE, {"portal_request_key": key}, pluck="name"), [saved.json()["message"]["name"]]
		)
		case = saved.json()["message"]["name"]
		jobs = queued_jobs(ASSIGN_JOB, doctype=CASE, name=case, user=self.agent)
		self.assertEqual(len(jobs), 1)
		run_worker(jobs)
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count(
				"ToDo", {"reference_type": CASE, "reference_name": case, "allocated_to": self.agent}
			),
			1,
		)

	def test_r5_a_portal_report_while_the_cache_is_down_is_saved_once(self):
		"""R5: with the cache's Redis down (the hourly limits cannot be counted) a resident's report is still
		taken, once, and its acceptor's assignment queued once."""
		resident = login_session(BASE_URL, self.resident_user, "/my_cases")
		key = uuid.uuid4().hex
		report = {
			"ticket_type": "Repair",
			"unit": self.unit,
			"subject": "缓存停了时的报修",
			"description": "卧室插座没电。",
			"location": "Private Part",
			"request_key": key,
		}
		with redis_stopped("redis_cache"):
			first = resident.post(f"{PORTAL}.report_case", data=report, timeout=120)
			again = resident.post(f"{PORTAL}.report_case", data=report, timeout=120)
		self.assertEqual((first.status_code, again.status_code), (200, 200), first.text[:500])
		frappe.db.rollback()
		cases = frappe.get_all(CASE, {"portal_request_key": key}, pluck="name")
		self.assertEqual(cases, [first.json()["message"]["name"]])
		self.assertEqual(again.json()["message"]["name"], cases[0])
		self.assertEqual(len(queued_jobs(ASSIGN_JOB, doctype=CASE, name=cases[0], user=self.agent)), 1)


class TestWorkerKilled(FaultCase):
	def test_r4_r15_an_escalation_run_killed_midway_is_done_once_by_the_next(self):
		"""R15 (the team told within 5 minutes) escalated up the ladder of R4: a case whose team was never
		told, three hours after the call, is due several steps. The worker running the escalation job is killed while the run
		is writing them (held at the follow-up owner's Notification Settings, which the test locks): nothing
		of the run stays; the next run writes each step once and tells each person once, and a third adds
		nothing."""
		frappe.set_user(self.agent)
		case = frappe.get_doc(
			ticket_values(
				self.unit, subject="升级中途被杀", call_started_at=add_to_date(now_datetime(), hours=-3)
			)
		).insert()
		frappe.set_user("Administrator")
		work_order = frappe.db.get_value(WORK_ORDER, {"service_ticket": case.name})
		frappe.db.set_value(WORK_ORDER, work_order, "team_told_at", None, update_modified=False)
		frappe.db.delete("ToDo", {"reference_name": work_order})
		from property_helpdesk.services import clocks

		clocks.refresh(case.name)
		frappe.db.commit()
		self.assertTrue(frappe.db.get_value(CASE, case.name, "next_escalation_at"))

		kill_while_telling(self.agent, ESCALATION_JOB, "the escalation run did not reach the people it tells")
		self.assertEqual(
			frappe.db.count(ESCALATION, {"service_ticket": case.name}), 0
		)  # nothing of it stayed

		run_scheduled(ESCALATION_JOB)
		steps = frappe.get_all(ESCALATION, {"service_ticket": case.name}, ["clock", "level", "notified_user"])
		self.assertGreaterEqual(len(steps), 2)
		self.assertEqual(len({(s.clock, s.level) for s in steps}), len(steps))  # one record per step
		told = frappe.get_all(
			"Notification Log", {"document_name": case.name, "type": "Alert"}, ["for_user", "subject"]
		)
		self.assertEqual(len(told), len({(t.for_user, t.subject) for t in told}))  # each person once per step
		self.assertIn(self.agent, {t.for_user for t in told})
		run_scheduled(ESCALATION_JOB)
		self.assertEqual(frappe.db.count(ESCALATION, {"service_ticket": case.name}), len(steps))
		self.assertEqual(
			frappe.db.count("Notification Log", {"document_name": case.name, "type": "Alert"}), len(told)
		)

	def test_r17_r28_a_liaison_chase_killed_midway_is_done_once_by_the_next(self):
		"""R17 (an external developer's reply chased by the CS manager at its deadline, by the general manager one
		reply period later) and R28 (a quality-dissatisfaction sheet's review chased: the CS and engineering
		managers at its deadline, the general manager one review period later), each the person Settings name
		(R4). Both sheets are past every level, so one run of the chase records five chases and tells five
		people. The worker running it is killed while the run tells them (held at the general manager's
		Notification Settings, which the test locks, after every chase row and Notification Log of the run is
		written): no chase is recorded and nobody told; the next run records each level once and tells each
		person once per sheet, and a third adds nothing."""
		users = {
			"director": make_user("fault-director@faults.test", OFFICE_DIRECTOR),
			"csm": make_user("fault-csm@faults.test", CS_MANAGER),
			"gm": make_user("fault-gm@faults.test", GENERAL_MANAGER),
			"engineer": make_user("fault-engineer@faults.test", ENGINEERING_MANAGER),
		}
		settings_for_the_test(
			self, cs_manager=users["csm"], general_manager=users["gm"], engineering_manager=users["engineer"]
		)
		self.addCleanup(self.clean, (SHEET_PROPERTY,))
		make_property(SHEET_PROPERTY, "External Developer", office_director=users["director"])
		unit = make_unit(SHEET_PROPERTY)
		frappe.set_user(self.agent)
		tickets = [
			make_ticket(unit, subject=subject).name for subject in ("外墙渗水待开发商回复", "返修不满意")
		]
		reply = frappe.get_doc(liaison_sheet_values(SHEET_PROPERTY, tickets[:1])).insert().name
		review = (
			frappe.get_doc(liaison_sheet_values(SHEET_PROPERTY, tickets[1:], "Quality Dissatisfaction"))
			.insert()
			.name
		)  # R28: in Draft, its review running
		frappe.set_user("Administrator")
		bring_sheet_to(reply, SENT, users)
		reply_days = frappe.db.get_single_value(SETTINGS, "developer_reply_days")
		review_days = frappe.db.get_single_value(SETTINGS, "quality_review_days")
		# past by more than one period: every level of each sheet is due in one run
		frappe.db.set_value(
			LIAISON_SHEET, reply, "reply_deadline", add_to_date(now_datetime(), days=-reply_days, hours=-1)
		)
		frappe.db.set_value(
			LIAISON_SHEET, review, "review_deadline", add_to_date(now_datetime(), days=-review_days, hours=-1)
		)
		frappe.db.commit()
		sheets = [reply, review]

		def chases() -> dict[str, list[tuple[str, str]]]:
			rows = frappe.get_all(
				CHASE,
				{"parenttype": LIAISON_SHEET, "parent": ("in", sheets)},
				["parent", "level", "notified_user"],
				order_by="idx asc",
			)
			return {
				sheet: [(r.level, r.notified_user) for r in rows if r.parent == sheet] for sheet in sheets
			}

		def told() -> list[tuple[str, str]]:
			return sorted(
				frappe.get_all(
					"Notification Log",
					{"document_type": LIAISON_SHEET, "document_name": ("in", sheets)},
					["document_name", "for_user"],
					as_list=True,
				)
			)

		kill_while_telling(users["gm"], CHASE_JOB, "the chase did not reach the people it tells")
		# nothing of it stayed: a chase recorded by the killed run would never be told by the next
		self.assertEqual(chases(), {reply: [], review: []})
		self.assertEqual(told(), [])

		run_scheduled(CHASE_JOB)
		levels = {
			reply: [("CS Manager", users["csm"]), ("General Manager", users["gm"])],
			review: [
				("CS Manager", users["csm"]),
				("Engineering Manager", users["engineer"]),
				("General Manager", users["gm"]),
			],
		}
		everyone = sorted((sheet, user) for sheet, rows in levels.items() for _level, user in rows)
		self.assertEqual(chases(), levels)  # each level once, in order, naming the one person told
		self.assertEqual(told(), everyone)  # each person once per sheet
		run_scheduled(CHASE_JOB)
		self.assertEqual(chases(), levels)
		self.assertEqual(told(), everyone)

	def test_r34_a_message_send_killed_midway_is_not_sent_twice(self):
		"""R34: the worker sending the resident's "accepted" SMS is killed while the gateway (slow to answer)
		has it: the next runs of the retry job send it no second time, and the case's other message (R10,
		dispatched) goes once."""
		frappe.set_user(self.agent)
		case = frappe.get_doc(
			ticket_values(self.unit, resident=self.resident, subject="发送中途被杀")
		).insert()
		frappe.set_user("Administrator")
		frappe.db.commit()  # the messages' send jobs are queued as it commits
		messages = self.messages_of(case.name)
		jobs = queued_jobs(SEND_JOB, name=messages[MESSAGE_ACCEPTED].name)
		self.assertEqual(len(jobs), 1)
		self.gateway.delay = 5  # within the channels' 10-second timeout
		worker = start_worker(jobs)
		try:
			self.assertTrue(self.gateway.arrived.wait(60), "the worker did not send")
			kill(worker)
		finally:
			if worker.poll() is None:
				kill(worker)
		self.assertEqual(self.gateway.count(PHONE, case.name), 1)  # the gateway has it
		self.gateway.delay = 0
		run_scheduled(SEND_DUE_JOB)
		run_worker(queued_jobs(SEND_JOB, name=messages[MESSAGE_DISPATCHED].name))
		run_scheduled(SEND_DUE_JOB)
		frappe.db.rollback()
		texts = [text for to, text in self.gateway.received if to == PHONE and case.name in text]
		self.assertEqual(len(texts), 2, texts)  # accepted once, dispatched once
		after = self.messages_of(case.name)
		self.assertEqual(after[MESSAGE_DISPATCHED].status, "Sent")
		# settled, not left to be sent again: Failed, and its follow-up owner told to call the resident
		self.assertEqual(after[MESSAGE_ACCEPTED].status, MESSAGE_FAILED)
		self.assertIsNone(
			frappe.db.get_value(RESIDENT_MESSAGE, after[MESSAGE_ACCEPTED].name, "sending_since")
		)
		self.assertEqual(
			frappe.db.count("Notification Log", {"for_user": self.agent, "document_name": case.name}), 1
		)


class TestMariaDBRestarts(FaultCase):
	def test_r5_r36_r39_requests_in_flight_fail_cleanly_and_succeed_once_on_retry(self):
		"""MariaDB restarts while three requests wait inside it (held by a global read lock): a resident's
		portal report (R5, with its request key), the finance user's invoice of a signed paid job (R39) and a
		resident's confirmation with signature of another job (R36). Each answers with an error within its
		timeout, not a hang; sent again after the restart, each succeeds; the cases, work orders, invoices and
		signatures are there once each."""
		billing.ensure_fee_schedule()
		paid = self.finished_job("Paid Service", signed=True)
		to_sign = self.finished_job("Repair", signed=False)
		frappe.db.commit()
		resident = login_session(BASE_URL, self.resident_user, "/my_cases")
		finance = login_session(BASE_URL, self.finance, "/app")
		key = uuid.uuid4().hex
		report = {
			"ticket_type": "Repair",
			"unit": self.unit,
			"subject": "数据库重启时的报修",
			"description": "厨房水管在数据库重启时漏水。",
			"location": "Private Part",
			"request_key": key,
		}
		calls = {
			"report": lambda: resident.post(f"{PORTAL}.report_case", data=report, timeout=90),
			"invoice": lambda: finance.post(
				f"{BASE_URL}/api/method/property_helpdesk.api.billing.invoice_work_order",
				data={"work_order": paid},
				timeout=90,
			),
			"sign": lambda: resident.post(
				f"{PORTAL}.confirm_work",
				data={
					"work_order": to_sign,
					"quality": 5,
					"timeliness": 5,
					"attitude": 4,
					"signature": SIGNATURE,
				},
				timeout=90,
			),
		}
		before = self.counts()
		answers = {}
		lock = subprocess.Popen(
			["mariadb", "-uroot", "-e", "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(120);"],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		try:
			wait_for(lambda: "SLEEP" in root_sql("show processlist").upper(), 30, "no global read lock")

			def call(name):
				try:
					answers[name] = calls[name]()
				except requests.RequestException as e:
					answers[name] = e

			threads = [threading.Thread(target=call, args=(name,)) for name in calls]
			for thread in threads:
				thread.start()
			wait_for(
				lambda: waiting_for_lock() >= len(calls),
				60,
				f"the requests did not reach the database: {answers} {root_sql('show processlist')}",
			)
			restart_mariadb()
			for thread in threads:
				thread.join(120)
				self.assertFalse(thread.is_alive(), "a request hung")
		finally:
			lock.kill()
			ensure_mariadb()
			reconnect()
		for name, answer in answers.items():
			self.assertIsInstance(answer, requests.Response, f"{name}: {answer}")
			self.assertGreaterEqual(
				answer.status_code, 500, f"{name}: {answer.status_code} {answer.text[:300]}"
			)
		self.assertEqual(self.counts(), before)  # nothing of the requests was kept

		for name in calls:
			answer = calls[name]()
			self.assertEqual(answer.status_code, 200, f"{name}: {answer.text[:500]}")
		again = calls["report"]()  # the same report sent once more: the first's answer
		self.assertEqual(again.status_code, 200, again.text[:500])
		frappe.db.rollback()
		cases = frappe.get_all(CASE, {"portal_request_key": key}, pluck="name")
		self.assertEqual(len(cases), 1)
		self.assertEqual(again.json()["message"]["name"], cases[0])
		after = self.counts()
		self.assertEqual(after["cases"], before["cases"] + 1)
		self.assertEqual(after["work_orders"], before["work_orders"] + 1)
		self.assertEqual(after["invoices"], before["invoices"] + 1)
		self.assertEqual(after["signed"], before["signed"] + 1)
		self.assertEqual(frappe.db.get_value(WORK_ORDER, to_sign, "resident_signature"), SIGNATURE)

	def finished_job(self, ticket_type: str, signed: bool) -> str:
		frappe.set_user(self.agent)
		called = add_to_date(now_datetime(), hours=-3)
		case = frappe.get_doc(
			ticket_values(
				self.unit,
				ticket_type=ticket_type,
				resident=self.resident,
				call_started_at=called,
				subject=f"{ticket_type} 已完工",
				**({"location": "Private Part"} if ticket_type == "Paid Service" else {}),
			)
		).insert()
		frappe.set_user("Administrator")
		wo = frappe.get_doc(WORK_ORDER, {"service_ticket": case.name})
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		wo.reload()
		wo.update(
			{"arrived_at": add_to_date(called, minutes=15), "completed_at": add_to_date(called, hours=1)}
		)
		wo.work_done = "已修好"
		if ticket_type == "Paid Service":
			wo.append(
				"items",
				{
					"item_type": "Labour",
					"item_code": "上门维修人工费（每小时）",
					"item_name": "人工",
					"qty": 1,
					"rate": 50,
				},
			)
		if signed:
			wo.update({"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
				"resident_signature": SIGNATURE})  # fmt: skip
		wo.save()
		return wo.name

	def counts(self) -> dict[str, int]:
		frappe.db.rollback()
		tickets = frappe.get_all(CASE, {"property": PROPERTY}, pluck="name")
		work_orders = frappe.get_all(WORK_ORDER, {"service_ticket": ("in", tickets or [""])}, pluck="name")
		return {
			"cases": len(tickets),
			"work_orders": len(work_orders),
			"invoices": frappe.db.count(
				"Sales Invoice",
				{"property_helpdesk_work_order": ("in", work_orders or [""]), "docstatus": ("<", 2)},
			),
			"signed": frappe.db.count(
				WORK_ORDER, {"name": ("in", work_orders or [""]), "resident_signature": ("is", "set")}
			),
		}
