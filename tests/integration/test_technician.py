"""The technician's phone over real HTTP, as the technician and the supervisor (R20–R22, R35): one tap per step,
stamped by the server; steps in order and each once; a retried tap makes one step; another's job is refused
like a missing one."""

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from property_helpdesk.constants import WORK_ORDER, WORK_ORDER_STEP
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	run_assignment_jobs,
	work_order_of,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY_NAME = "手机楼盘"
STEP_URL = f"{BASE_URL}/api/method/property_helpdesk.api.field.take_step"


def message(response) -> list[str]:
	"""The texts of the server's messages, without the ids of their error logs."""
	return [json.loads(m)["message"] for m in json.loads(response.json()["_server_messages"])]


def tap_id() -> str:
	return uuid.uuid4().hex


class PhoneCase(FrappeTestCase):
	"""These tests commit (the web server has its own connection) and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.tech = make_user("tech@phone.test", "Property Maintenance Technician")
		cls.other_tech = make_user("tech2@phone.test", "Property Maintenance Technician")
		cls.supervisor = make_user("supervisor@phone.test", "Property Maintenance Supervisor")
		for user in (cls.tech, cls.other_tech, cls.supervisor):
			frappe.db.set_value("User", user, "language", "en")
		make_property(PROPERTY_NAME, maintenance_supervisor=cls.supervisor)
		frappe.db.set_value("Property", PROPERTY_NAME, "maintenance_supervisor", cls.supervisor)
		cls.unit = make_unit(PROPERTY_NAME, "2幢", "301")
		frappe.db.commit()
		cls.tech_http = login_session(BASE_URL, cls.tech, "/app")
		cls.other_http = login_session(BASE_URL, cls.other_tech, "/app")
		cls.supervisor_http = login_session(BASE_URL, cls.supervisor, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		work_orders = frappe.get_all(WORK_ORDER, {"property": PROPERTY_NAME}, pluck="name")
		if work_orders:
			frappe.db.delete(WORK_ORDER_STEP, {"work_order": ("in", work_orders)})
			frappe.db.delete("Work Order Item", {"parent": ("in", work_orders)})
			for name in frappe.get_all(
				"File",
				{"attached_to_doctype": WORK_ORDER, "attached_to_name": ("in", work_orders)},
				pluck="name",
			):
				frappe.delete_doc("File", name, force=True, ignore_permissions=True)
		delete_cases(PROPERTY_NAME)
		frappe.db.commit()
		super().tearDownClass()

	def job(self, technician=None) -> str:
		ticket = make_ticket(self.unit)
		work_order = work_order_of(ticket.name)
		work_order.technician = technician or self.tech
		work_order.save()
		frappe.db.commit()
		return work_order.name

	def tap(self, session, work_order, step, request_id=None, **extra):
		return session.post(
			STEP_URL,
			data={"work_order": work_order, "step": step, "request_id": request_id or tap_id(), **extra},
			timeout=30,
		)

	def fresh(self, name):
		frappe.db.rollback()  # a fresh snapshot: see what the server committed
		return frappe.get_doc(WORK_ORDER, name)


class TestTechnicianSteps(PhoneCase):
	def test_each_step_is_stamped_with_the_servers_time_not_a_sent_one(self):
		"""R20–R22: 接单, 到场, 开始, 完工 each stamp the server's now; a time the phone sends is ignored."""
		name = self.job()
		for step, field, status in (
			("accept", "accepted_at", "Dispatched"),
			("arrive", "arrived_at", "On Site"),
			("start", "started_at", "On Site"),
			("complete", "completed_at", "Completed"),
		):
			before = now_datetime().replace(microsecond=0)
			response = self.tap(
				self.tech_http, name, step, stamped_at="2020-01-01 00:00:00", **{field: "2030-01-01 00:00:00"}
			)
			after = now_datetime()
			self.assertEqual(response.status_code, 200, response.text)
			answer = response.json()["message"]
			self.assertEqual((answer["step"], answer["status"]), (step, status))
			doc = self.fresh(name)
			self.assertTrue(before <= get_datetime(doc.get(field)) <= after, (field, doc.get(field)))
			self.assertEqual(get_datetime(answer["stamped_at"]), get_datetime(doc.get(field)))
			self.assertEqual(doc.status, status)
		steps = frappe.get_all(
			WORK_ORDER_STEP, {"work_order": name}, ["step", "taken_by"], order_by="creation asc"
		)
		self.assertEqual(
			[(s.step, s.taken_by) for s in steps],
			[("accept", self.tech), ("arrive", self.tech), ("start", self.tech), ("complete", self.tech)],
		)

	def test_a_retried_tap_makes_one_step_and_gets_the_first_answer(self):
		"""A tap on a bad network sent three times with its request id: one step, one time, one answer."""
		name = self.job()
		request_id = tap_id()
		answers = [self.tap(self.tech_http, name, "accept", request_id) for _ in range(3)]
		self.assertEqual([r.status_code for r in answers], [200, 200, 200], answers[-1].text)
		self.assertEqual(len({r.text for r in answers}), 1)
		self.assertEqual(frappe.db.count(WORK_ORDER_STEP, {"work_order": name}), 1)
		first = self.fresh(name).accepted_at
		self.assertEqual(get_datetime(answers[0].json()["message"]["stamped_at"]), get_datetime(first))
		# still the first answer after a later step
		self.assertEqual(self.tap(self.tech_http, name, "arrive").status_code, 200)
		again = self.tap(self.tech_http, name, "accept", request_id)
		self.assertEqual(again.text, answers[0].text)
		# the same request id for another step is refused, and takes no step
		misuse = self.tap(self.tech_http, name, "start", request_id)
		self.assertEqual(misuse.status_code, 417, misuse.text)
		self.assertIn("StepOrderError", misuse.json()["exc_type"])
		self.assertFalse(self.fresh(name).started_at)

	def test_a_step_taken_twice_or_out_of_order_is_refused(self):
		"""Steps in order, each once: a clear 4xx (StepOrderError), nothing stamped."""
		name = self.job()
		for step in ("arrive", "start", "complete"):
			response = self.tap(self.tech_http, name, step)
			self.assertEqual(response.status_code, 417, response.text)
			self.assertEqual(response.json()["exc_type"], "StepOrderError")
		self.assertEqual(self.tap(self.tech_http, name, "accept").status_code, 200)
		first = self.fresh(name).accepted_at
		twice = self.tap(self.tech_http, name, "accept")
		self.assertEqual(twice.status_code, 417, twice.text)
		self.assertEqual(twice.json()["exc_type"], "StepOrderError")
		self.assertIn("already recorded", twice.text)
		self.assertEqual(self.fresh(name).accepted_at, first)
		self.assertEqual(self.tap(self.tech_http, name, "start").status_code, 417)
		self.assertEqual(self.tap(self.tech_http, name, "dance").status_code, 417)
		self.assertEqual(frappe.db.count(WORK_ORDER_STEP, {"work_order": name}), 1)

	def test_another_technicians_job_is_refused_like_a_missing_one(self):
		"""403 for a job naming someone else, the same as for a name that does not exist; nothing stamped."""
		name = self.job()
		theirs = self.tap(self.other_http, name, "accept")
		missing = self.tap(self.other_http, "WO-1999-99999", "accept")
		self.assertEqual((theirs.status_code, missing.status_code), (403, 403))
		self.assertEqual(message(theirs), message(missing))
		self.assertEqual(theirs.json()["exc_type"], missing.json()["exc_type"])
		self.assertFalse(self.fresh(name).accepted_at)
		self.assertEqual(frappe.db.count(WORK_ORDER_STEP, {"work_order": name}), 0)

	def test_the_supervisor_takes_a_step_and_the_acceptor_is_told_when_done(self):
		"""The property's maintenance supervisor may take the steps of the team's jobs; 完工 tells the case's
		acceptor (R35)."""
		name = self.job(technician=self.other_tech)
		for step in ("accept", "arrive", "start", "complete"):
			response = self.tap(self.supervisor_http, name, step)
			self.assertEqual(response.status_code, 200, response.text)
		doc = self.fresh(name)
		self.assertEqual(doc.status, "Completed")
		acceptor = frappe.db.get_value("Service Ticket", doc.service_ticket, "acceptor")
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": acceptor, "document_type": WORK_ORDER, "document_name": name},
			)
		)
		self.assertEqual(
			set(frappe.get_all(WORK_ORDER_STEP, {"work_order": name}, pluck="taken_by")), {self.supervisor}
		)

	def test_a_step_needs_a_request_id_and_a_csrf_token(self):
		name = self.job()
		self.assertEqual(self.tap(self.tech_http, name, "accept", request_id="x").status_code, 417)
		token = self.tech_http.headers.pop("X-Frappe-CSRF-Token")
		try:
			self.assertEqual(self.tap(self.tech_http, name, "accept").status_code, 400)
		finally:
			self.tech_http.headers["X-Frappe-CSRF-Token"] = token
		self.assertFalse(self.fresh(name).accepted_at)


class TestTechnicianPhone(PhoneCase):
	"""The phone's page and its endpoints: each refuses another's job like a missing one (R20–R22, R36)."""

	API = f"{BASE_URL}/api/method/property_helpdesk.api.technician"

	def test_my_jobs_lists_own_open_jobs_and_the_job_page_refuses_anothers(self):
		mine, theirs = self.job(), self.job(technician=self.other_tech)
		page = self.tech_http.get(f"{BASE_URL}/my_jobs", timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(mine, page.text)
		self.assertNotIn(theirs, page.text)
		self.assertIn("tel:13812345678", page.text)
		self.assertEqual(self.tech_http.get(f"{BASE_URL}/my_jobs/{mine}", timeout=60).status_code, 200)
		self.assertEqual(self.tech_http.get(f"{BASE_URL}/my_jobs/{theirs}", timeout=60).status_code, 403)
		self.assertEqual(self.tech_http.get(f"{BASE_URL}/my_jobs/WO-1999-99999", timeout=60).status_code, 403)
		board = self.supervisor_http.get(f"{BASE_URL}/my_jobs", timeout=60)
		self.assertIn(mine, board.text)
		self.assertIn(theirs, board.text)
		listed = self.tech_http.get(f"{self.API}.list_jobs", timeout=30).json()["message"]
		self.assertIn(mine, [row["name"] for row in listed])
		self.assertNotIn(theirs, [row["name"] for row in listed])

	def test_soonest_deadline_first_and_a_late_job_is_red(self):
		"""R20–R22: the job whose clock runs out first comes first; a job past its deadline is marked late."""
		later, late = self.job(), self.job()
		frappe.db.set_value(WORK_ORDER, later, "kpi_due_at", add_to_date(now_datetime(), hours=2))
		frappe.db.set_value(WORK_ORDER, late, "kpi_due_at", add_to_date(now_datetime(), hours=-1))
		frappe.db.commit()
		listed = self.tech_http.get(f"{self.API}.list_jobs", timeout=30).json()["message"]
		names = [row["name"] for row in listed]
		self.assertLess(names.index(late), names.index(later))
		self.assertEqual(
			{row["name"]: row["late"] for row in listed if row["name"] in (late, later)},
			{late: True, later: False},
		)
		page = self.tech_http.get(f"{BASE_URL}/my_jobs", timeout=60).text
		self.assertIn(f'class="ph-card ph-job ph-late" data-name="{late}"', page)
		self.assertIn(f'class="ph-card ph-job" data-name="{later}"', page)

	def test_photos_before_and_after_are_checked_stored_private_and_served_to_the_job_only(self):
		from tests.integration.factories import png

		name = self.job()
		url = f"{self.API}.add_photos"
		files = [("photo", ("a.png", png(3, 2), "image/png")), ("photo", ("b.png", png(4, 2), "image/png"))]
		response = self.tech_http.post(
			url, data={"work_order": name, "stage": "before"}, files=files, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(response.json()["message"]["count"], 2)
		fake = [("photo", ("c.png", b"<script>alert(1)</script>", "image/png"))]
		refused = self.tech_http.post(
			url, data={"work_order": name, "stage": "after"}, files=fake, timeout=30
		)
		self.assertEqual(refused.status_code, 417, refused.text)
		frappe.db.rollback()
		stored = frappe.get_all(
			"File",
			{"attached_to_doctype": WORK_ORDER, "attached_to_name": name},
			["is_private", "attached_to_field"],
		)
		self.assertEqual([(f.is_private, f.attached_to_field) for f in stored], [(1, "photo_before")] * 2)
		params = {"work_order": name, "stage": "before", "n": 1}
		shown = self.tech_http.get(f"{self.API}.photo", params=params, timeout=30)
		self.assertEqual((shown.status_code, shown.headers["Content-Type"]), (200, "image/png"))
		self.assertEqual(shown.content, png(4, 2))
		self.assertEqual(self.other_http.get(f"{self.API}.photo", params=params, timeout=30).status_code, 403)
		stolen = self.other_http.post(
			url, data={"work_order": name, "stage": "after"}, files=files, timeout=30
		)
		self.assertEqual(stolen.status_code, 403)

	def test_r11_materials_and_labour_at_the_published_price(self):
		from property_helpdesk.services.billing import ensure_fee_schedule, fee_schedule

		ensure_fee_schedule()
		frappe.db.commit()
		fee = fee_schedule()[0]
		name = self.job()
		response = self.tech_http.post(
			f"{self.API}.add_item",
			data={"work_order": name, "item_code": fee.item_code, "qty": 2, "item_type": "Labour"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text)
		doc = self.fresh(name)
		self.assertEqual(
			[(r.item_code, r.qty, r.rate) for r in doc.items], [(fee.item_code, 2, fee.price_list_rate)]
		)
		self.assertEqual(doc.total_amount, 2 * fee.price_list_rate)
		off_list = self.tech_http.post(
			f"{self.API}.add_item",
			data={"work_order": name, "item_code": "不存在的材料", "qty": 1},
			timeout=30,
		)
		self.assertEqual(off_list.status_code, 417)
		theirs = self.other_http.post(
			f"{self.API}.add_item",
			data={"work_order": name, "item_code": fee.item_code, "qty": 1},
			timeout=30,
		)
		self.assertEqual(theirs.status_code, 403)

	def test_r36_the_resident_signs_and_rates_on_the_technicians_phone(self):
		import base64

		from tests.integration.factories import png

		name = self.job()
		signature = "data:image/png;base64," + base64.b64encode(png(20, 10)).decode()
		confirm = {"work_order": name, "quality": 5, "timeliness": 4, "attitude": 3, "signature": signature}
		early = self.tech_http.post(f"{self.API}.resident_confirms", data=confirm, timeout=30)
		self.assertEqual(early.status_code, 417)  # not completed yet
		for step in ("accept", "arrive", "start", "complete"):
			self.assertEqual(self.tap(self.tech_http, name, step).status_code, 200)
		unsigned = self.tech_http.post(
			f"{self.API}.resident_confirms", data={**confirm, "signature": "x"}, timeout=30
		)
		self.assertEqual(unsigned.status_code, 417)
		response = self.tech_http.post(f"{self.API}.resident_confirms", data=confirm, timeout=30)
		self.assertEqual(response.status_code, 200, response.text)
		doc = self.fresh(name)
		self.assertEqual(
			(doc.resident_confirmed, doc.quality_rating, doc.timeliness_rating, doc.attitude_rating),
			(1, 1.0, 0.8, 0.6),
		)
		self.assertTrue(doc.confirmed_at)

	def test_the_supervisor_reassigns_with_one_tap_and_the_assignment_follows(self):
		name = self.job()
		refused = self.tech_http.post(
			f"{self.API}.reassign", data={"work_order": name, "technician": self.other_tech}, timeout=30
		)
		self.assertEqual(refused.status_code, 403)
		response = self.supervisor_http.post(
			f"{self.API}.reassign", data={"work_order": name, "technician": self.other_tech}, timeout=30
		)
		self.assertEqual(response.status_code, 200, response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(WORK_ORDER, name, "technician"), self.other_tech)
		# the first technician's assignment is closed and the new one's made by the worker as the save commits
		# (services/notify.unassign and assign, as at dispatch): run here as the worker would
		run_assignment_jobs(WORK_ORDER, name)
		self.assertTrue(
			frappe.db.exists(
				"ToDo",
				{
					"reference_type": WORK_ORDER,
					"reference_name": name,
					"allocated_to": self.other_tech,
					"status": "Open",
				},
			)
		)
		self.assertFalse(
			frappe.db.exists(
				"ToDo",
				{
					"reference_type": WORK_ORDER,
					"reference_name": name,
					"allocated_to": self.tech,
					"status": "Open",
				},
			)
		)
		# the job is now the other technician's: the first one is refused like for a missing job
		self.assertEqual(self.tap(self.tech_http, name, "accept").status_code, 403)


class TestLockOrder(PhoneCase):
	"""Issue 15 (benchmarks/load found it: MariaDB 1213, an HTTP 500): a case's row is locked before its work
	order's by every writer of a work order (services/clocks.lock_case_of), as a save of the case locks it. With
	the case's row held (here by the test, as by an agent saving the case), the technician's tap and the
	supervisor's save of the job wait for it without holding the job's row: the two can only wait for each
	other, never each hold what the other wants."""

	def held_case_leaves_the_job_free(self, name: str, send) -> None:
		case = frappe.db.get_value(WORK_ORDER, name, "service_ticket")
		frappe.db.sql("select name from `tabService Ticket` where name = %s for update", case)
		with ThreadPoolExecutor(1) as pool:
			answer = pool.submit(send)
			try:
				waiting = ""
				until = time.monotonic() + 30
				while not waiting and time.monotonic() < until and not answer.done():
					waiting = frappe.db.sql(
						"""select info from information_schema.processlist
						where id != connection_id() and lower(info) like %s""",
						"select%`tabservice ticket`%for update%",
					)
					time.sleep(0.1)
				self.assertTrue(waiting, "the request did not wait for the case's row")
				# the job's row is free while the request waits for its case (NOWAIT: an error at once if held)
				frappe.db.sql(
					"select name from `tabRepair Work Order` where name = %s for update nowait", name
				)
			finally:
				frappe.db.rollback()  # the case's row and the job's, released
			response = answer.result(timeout=60)
		self.assertEqual(response.status_code, 200, response.text)

	def test_a_technician_s_tap_waits_for_the_case_before_taking_the_job(self):
		name = self.job()
		self.held_case_leaves_the_job_free(name, lambda: self.tap(self.tech_http, name, "accept"))
		self.assertTrue(self.fresh(name).accepted_at)

	def test_a_save_of_the_job_waits_for_the_case_before_taking_the_job(self):
		name = self.job()
		self.held_case_leaves_the_job_free(
			name,
			lambda: self.supervisor_http.put(
				f"{BASE_URL}/api/resource/{WORK_ORDER}/{name}",
				json={"technician": self.other_tech},
				timeout=60,
			),
		)
		self.assertEqual(self.fresh(name).technician, self.other_tech)
