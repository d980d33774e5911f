"""Reads from a real MariaDB replica, and long reports as Frappe's Prepared Reports (issue 15, "Grow past one
server"; R4, R1, R10, R29).

scripts/test.sh starts a second MariaDB server on 127.0.0.1 (scripts/lib.sh start_replica) replicating the test
site's database by GTID, and names it in the site's config (replica_host, replica_db_port). This module turns
Frappe's `read_from_replica` on for its own run, as a production site would have it, and proves over real HTTP as
the users:

- what reads the replica (the reports through Frappe's query_report.run, the portal's lists) does not see a case
  written on the primary while the replica's replication is stopped, and sees it once replication runs again;
  the replica's own count of SELECT statements grows with those requests; the case's own page, which a resident
  opens right after reporting, reads the primary and shows it at once;
- a report that Frappe has made prepared (as it does by itself once a run takes longer than 15 s, the case over
  1,000,000 cases) is queued as a Prepared Report, run by a real RQ worker reading the replica, and gives what
  the direct run gives; it holds the figures of the properties of the user who asked, and no one else gets them.

These tests commit (the web server has its own connection) and delete what they made afterwards.
"""

import json
import os
import subprocess

import frappe
import requests
from frappe.installer import update_site_config
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today
from frappe.utils.background_jobs import get_queue

from property_helpdesk.constants import CASE, OFFICE_DIRECTOR, PROPERTY, RESIDENT, RESIDENT_ROLE
from tests.conftest import BENCH_DIR, TEST_SITE
from tests.integration.factories import (
	delete_cases,
	give_property,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
)
from tests.integration.workers import run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
REPLICA_SOCKET = os.path.join(
	os.environ.get("REPLICA_DIR", os.path.join(BENCH_DIR, "mariadb-replica")), "mysqld.sock"
)
PROPS = {"A": "副本楼盘甲", "B": "副本楼盘乙"}
DOMAIN = "replica.test"
RESIDENT_USER = f"replica-resident@{DOMAIN}"
DIRECTORS = {side: f"replica-director-{side.lower()}@{DOMAIN}" for side in PROPS}
REPORT = "Case Timeliness"
PREPARED = "frappe.core.doctype.prepared_report.prepared_report"


def replica(sql: str) -> str:
	"""`sql` run on the replica as its root (unix socket), its output without headers."""
	done = subprocess.run(
		["mariadb", f"--socket={REPLICA_SOCKET}", "-uroot", "-N", "-e", sql],
		capture_output=True,
		text=True,
		timeout=60,
	)
	assert done.returncode == 0, f"the replica ({REPLICA_SOCKET}, made by scripts/test.sh): {done.stderr}"
	return done.stdout.strip()


def caught_up() -> None:
	"""The replica has applied everything the primary has written so far."""
	position = frappe.db.sql("SELECT @@gtid_binlog_pos")[0][0]
	assert replica(f"SELECT MASTER_GTID_WAIT('{position}', 60)") == "0", replica("SHOW SLAVE STATUS\\G")


def replica_selects() -> int:
	return int(replica("SHOW GLOBAL STATUS LIKE 'Com_select'").split()[1])


def period() -> dict:
	"""Yesterday and today: a case called now is yesterday's in the site's first hours after midnight."""
	return {"from_date": add_days(today(), -1), "to_date": today()}


class ReplicaCase(FrappeTestCase):
	"""Two properties, a director of each (User Permission), a resident of a unit of A; one case in each."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		replica("SELECT 1")  # made by scripts/test.sh: a clear failure here, never a silent skip
		cls.units = {}
		for side, prop in PROPS.items():
			make_property(prop)
			cls.units[side] = make_unit(prop, "1幢", "101")
			make_user(DIRECTORS[side], OFFICE_DIRECTOR)
			give_property(DIRECTORS[side], prop)
		make_user(RESIDENT_USER, RESIDENT_ROLE, user_type="Website User", mobile="13955517001")
		frappe.db.set_value("User", RESIDENT_USER, "language", "en")
		if not frappe.db.exists(RESIDENT, {"user": RESIDENT_USER}):
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": "副本业主",
					"phone": "13955517001",
					"user": RESIDENT_USER,
					"units": [{"unit": cls.units["A"], "relation": "Owner"}],
				}
			).insert(ignore_permissions=True)
		cls.cases = {side: make_ticket(cls.units[side], subject=f"副本{side}漏水").name for side in PROPS}
		frappe.db.commit()
		frappe.clear_cache()
		cls.conf_before = frappe.get_site_config().get("read_from_replica")
		# Frappe reads site_config.json at each request and each job: from here on both read the replica
		update_site_config("read_from_replica", 1)
		cls.http = {}

	@classmethod
	def tearDownClass(cls):
		update_site_config("read_from_replica", "None" if cls.conf_before is None else cls.conf_before)
		frappe.db.rollback()
		for name in frappe.get_all("Prepared Report", {"owner": ("like", f"%@{DOMAIN}")}, pluck="name"):
			frappe.delete_doc("Prepared Report", name, force=True, ignore_permissions=True)
		for prop in PROPS.values():
			delete_cases(prop)
		for resident in frappe.get_all(RESIDENT, {"user": RESIDENT_USER}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		frappe.db.delete("User Permission", {"user": ("like", f"%@{DOMAIN}")})
		frappe.db.commit()
		frappe.clear_cache()
		super().tearDownClass()

	def session(self, user: str) -> requests.Session:
		if user not in self.http:
			self.http[user] = login_session(BASE_URL, user, "/my_cases" if user == RESIDENT_USER else "/app")
		return self.http[user]

	def call(self, user: str, method: str, /, **params) -> tuple[int, dict]:
		response = self.session(user).post(f"{BASE_URL}/api/method/{method}", json=params, timeout=120)
		return response.status_code, response.json()

	def report(self, user: str, ignore_prepared_report: int = 0, **filters) -> dict:
		status, body = self.call(
			user,
			"frappe.desk.query_report.run",
			report_name=REPORT,
			filters={**period(), **filters},
			ignore_prepared_report=ignore_prepared_report,
		)
		self.assertEqual(status, 200, body)
		return body["message"]


class TestReadsFromTheReplica(ReplicaCase):
	def listed(self) -> set[str]:
		"""The resident's cases, as the portal's list API gives them."""
		response = self.session(RESIDENT_USER).get(
			f"{BASE_URL}/api/method/property_helpdesk.api.portal.list_cases", timeout=60
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		return {case["name"] for case in response.json()["message"]["cases"]}

	def received(self) -> int:
		"""Cases received at property A, by Case Timeliness as A's director runs it."""
		rows = self.report(DIRECTORS["A"], ignore_prepared_report=1, property=PROPS["A"])["result"]
		return sum(
			row["received"] for row in rows if isinstance(row, dict) and row.get("group_key") == PROPS["A"]
		)

	def test_reports_and_portal_lists_read_the_replica_and_a_cases_page_the_primary(self):
		caught_up()
		page = self.session(RESIDENT_USER).get(f"{BASE_URL}/my_cases", timeout=60)
		self.assertIn(self.cases["A"], page.text)
		self.assertIn(self.cases["A"], self.listed())
		before = self.received()
		self.assertGreaterEqual(before, 1)
		selects = replica_selects()
		replica("STOP SLAVE")
		try:
			late = make_ticket(self.units["A"], subject="复制暂停时报修").name
			frappe.db.commit()
			# on the primary only: the lists and the report do not have it
			self.assertNotIn(late, self.listed())
			self.assertNotIn(late, self.session(RESIDENT_USER).get(f"{BASE_URL}/my_cases", timeout=60).text)
			self.assertEqual(self.received(), before)
			# and they asked the replica: its SELECT count grew with them
			self.assertGreater(replica_selects(), selects + 3)
			# the case's own page reads the primary: the resident opens it right after reporting
			own = self.session(RESIDENT_USER).get(f"{BASE_URL}/my_cases/{late}", timeout=60)
			self.assertEqual(own.status_code, 200, own.text[:300])
			self.assertIn("复制暂停时报修", own.text)
		finally:
			replica("START SLAVE")
		caught_up()
		self.assertIn(late, self.listed())
		self.assertIn(late, self.session(RESIDENT_USER).get(f"{BASE_URL}/my_cases", timeout=60).text)
		self.assertEqual(self.received(), before + 1)


class TestPreparedReports(ReplicaCase):
	"""Case Timeliness made prepared on this site, as Frappe makes a report by itself after a run of 15 s
	(frappe/core/doctype/report/report.py execute_script_report) and an administrator may in the Report form."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.was_prepared = frappe.db.get_value("Report", REPORT, "prepared_report")
		# not its `modified`: a Report newer in the database than in its JSON is no longer synced by migrate
		frappe.db.set_value("Report", REPORT, "prepared_report", 1, update_modified=False)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_value("Report", REPORT, "prepared_report", cls.was_prepared, update_modified=False)
		frappe.db.commit()
		super().tearDownClass()

	def prepare(self, user: str, filters: dict) -> str:
		"""What the desk does for a prepared report: queue it (Prepared Report), then a real RQ worker of the
		`long` queue runs it, reading the replica."""
		status, made = self.call(
			user, f"{PREPARED}.make_prepared_report", report_name=REPORT, filters=filters
		)
		self.assertEqual(status, 200, made)
		name = made["message"]["name"]
		frappe.db.rollback()  # a fresh snapshot: what the web server committed
		self.assertEqual(frappe.db.get_value("Prepared Report", name, ["status", "owner"]), ("Queued", user))
		jobs = [
			job
			for job in get_queue("long").jobs
			if job.kwargs.get("site") == TEST_SITE
			and (job.kwargs.get("kwargs") or {}).get("prepared_report") == name
		]
		self.assertEqual(len(jobs), 1, "one job queued for the Prepared Report")
		self.assertEqual(jobs[0].timeout, 600, "the report's own time limit (its JSON's timeout)")
		caught_up()
		selects = replica_selects()
		run_worker([jobs[0].id], queue="long")
		self.assertGreater(replica_selects(), selects, "the worker's report read the replica")
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Prepared Report", name, "status"), "Completed")
		return name

	def test_the_report_is_queued_run_by_a_worker_and_gives_what_the_direct_run_gives(self):
		filters = {**period(), "property": PROPS["A"]}
		first = self.report(DIRECTORS["A"], property=PROPS["A"])
		self.assertTrue(first["prepared_report"])
		self.assertIsNone(first["doc"])  # nothing prepared yet: the desk offers to generate it
		self.assertNotIn("result", first)
		name = self.prepare(DIRECTORS["A"], filters)
		prepared = self.report(DIRECTORS["A"], property=PROPS["A"])
		self.assertTrue(prepared["prepared_report"])
		self.assertEqual(prepared["doc"]["name"], name)
		direct = self.report(DIRECTORS["A"], ignore_prepared_report=1, property=PROPS["A"])
		self.assertEqual(prepared["result"], direct["result"])
		self.assertEqual(
			[c["fieldname"] for c in prepared["columns"]], [c["fieldname"] for c in direct["columns"]]
		)
		self.assertIn(PROPS["A"], json.dumps(prepared["result"], ensure_ascii=False))

	def test_a_prepared_report_holds_the_askers_properties_and_is_given_to_no_one_else(self):
		"""R4, R1: run in the worker as the director who asked, with their User Permissions; a director of the
		other property gets it neither by naming its owner, nor by its name, nor as its file or record."""
		name = self.prepare(DIRECTORS["A"], period())
		mine = self.report(DIRECTORS["A"])
		self.assertEqual(mine["doc"]["name"], name)
		text = json.dumps(mine["result"], ensure_ascii=False)
		self.assertIn(PROPS["A"], text)
		self.assertNotIn(PROPS["B"], text)
		self.assertNotIn(self.cases["B"], text)

		other = DIRECTORS["B"]
		theirs = self.report(other)  # B's own: nothing prepared for B yet, and not A's
		self.assertIsNone(theirs["doc"])
		self.assertNotIn("result", theirs)
		for params in (
			{"filters": period(), "user": DIRECTORS["A"]},
			{"filters": {**period(), "prepared_report_name": name}},
			# filters where a name goes: Frappe's get_doc would load the first Prepared Report they match
			{"filters": {**period(), "prepared_report_name": {"report_name": REPORT}}},
		):
			with self.subTest(params=list(params)):
				status, body = self.call(other, "frappe.desk.query_report.run", report_name=REPORT, **params)
				self.assertEqual(status, 403, body)
				self.assertNotIn(PROPS["A"], json.dumps(body, ensure_ascii=False))
		exported = self.session(other).post(
			f"{BASE_URL}/api/method/frappe.desk.query_report.export_query",
			data={
				"report_name": REPORT,
				"file_format_type": "CSV",
				"filters": json.dumps({**period(), "prepared_report_name": name}),
				"visible_idx": "[]",
			},
			timeout=60,
		)
		self.assertEqual(exported.status_code, 403, exported.text[:300])
		# the record and its file: to its owner only, also among holders of Frappe's Prepared Report User role
		for user in DIRECTORS.values():
			make_user(user, "Prepared Report User")
		frappe.db.commit()
		try:
			for user, owner in ((DIRECTORS["A"], True), (other, False)):
				with self.subTest(user=user):
					download = self.session(user).get(
						f"{BASE_URL}/api/method/{PREPARED}.download_attachment",
						params={"dn": name},
						timeout=60,
					)
					shown = json.dumps(download.json(), ensure_ascii=False)
					if owner:
						self.assertEqual(download.status_code, 200, shown[:300])
						self.assertIn(PROPS["A"], shown)
					else:  # Frappe's own refusal ("Cannot Download Report due to insufficient permissions")
						self.assertEqual(download.status_code // 100, 4, shown[:300])
						self.assertNotIn(PROPS["A"], shown)
					status, listed = self.call(user, "frappe.client.get_list", doctype="Prepared Report")
					self.assertEqual(status, 200, listed)
					self.assertEqual(name in [row["name"] for row in listed["message"]], owner)
		finally:
			for user in DIRECTORS.values():
				frappe.get_doc("User", user).remove_roles("Prepared Report User")
			frappe.db.commit()
