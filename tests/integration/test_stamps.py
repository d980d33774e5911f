"""Times nobody can type (R15, R15e, R20–R24, R36), over real HTTP as each role: every time that drives a clock
or a KPI is refused by the form's save, REST PUT, frappe.client.set_value, a Data Import of an update and
run_doc_method; only its action sets it, at the server's time."""

import io
import json
import os
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, now_datetime, today

from property_helpdesk.constants import (
	CASE,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	RETURN_VISIT,
	TECHNICIAN,
	WORK_ORDER,
)
from property_helpdesk.procedure.stamps import STAMPED
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY_NAME = "时间戳楼盘"
AMENDED_PROPERTY = "修正楼盘"
ROLES = {
	"duty": DUTY_STAFF,
	"director": OFFICE_DIRECTOR,
	"supervisor": MAINTENANCE_SUPERVISOR,
	"technician": TECHNICIAN,
	"engineer": ENGINEERING_MANAGER,
	"sysmanager": "System Manager",
}


def stored(doctype, name, fields):
	frappe.db.rollback()  # a fresh snapshot: what the web server committed
	values = frappe.db.get_value(doctype, name, list(fields), as_dict=True)
	return {f: values[f] and get_datetime(values[f]) for f in fields}


class StampCase(FrappeTestCase):
	"""These tests commit (the web server has its own connection) and clean up after themselves."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {key: make_user(f"stamp-{key}@stamps.test", role) for key, role in ROLES.items()}
		for user in cls.users.values():
			frappe.db.set_value("User", user, "language", "en")
		prop = make_property(PROPERTY_NAME, office_director=cls.users["director"])
		frappe.db.set_value("Property", prop, "maintenance_supervisor", cls.users["supervisor"])
		cls.unit = make_unit(prop, "1幢", "101")
		frappe.db.commit()
		cls.http = {}

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for name in (PROPERTY_NAME, AMENDED_PROPERTY):
			frappe.db.delete("Time Amendment", {"property": name})
			delete_cases(name)
		frappe.db.delete("Data Import", {"reference_doctype": ("in", (WORK_ORDER, CASE, RETURN_VISIT))})
		frappe.db.commit()
		super().tearDownClass()

	def session(self, key):
		if key not in self.http:
			self.http[key] = login_session(BASE_URL, self.users[key], "/app")
		return self.http[key]

	def take_call(self, called, **values):
		frappe.set_user(self.users["duty"])
		try:
			return make_ticket(self.unit, call_started_at=called, **values)
		finally:
			frappe.set_user("Administrator")

	def stamped_job(self):
		"""A completed, explained, returned and confirmed major job, every time stamped in the past."""
		called = add_to_date(now_datetime(), hours=-5)
		ticket = self.take_call(called)
		wo = frappe.get_doc(WORK_ORDER, {"service_ticket": ticket.name})
		times = {
			"dispatched_at": called + timedelta(minutes=2),
			"accepted_at": called + timedelta(minutes=3),
			"arrived_at": called + timedelta(minutes=10),
			"started_at": called + timedelta(minutes=12),
			"explained_at": called + timedelta(minutes=20),
			"completed_at": called + timedelta(hours=1),
			"returned_at": called + timedelta(hours=2),
			"confirmed_at": called + timedelta(hours=1, minutes=5),
		}
		wo.db_set({"job_class": "Major", "major_reason": "Parts from Elsewhere", **times})
		ticket.db_set({"answer_to_resident": "已安排维修", "answered_at": called + timedelta(minutes=30)})
		visit = frappe.get_doc(
			{
				"doctype": RETURN_VISIT,
				"service_ticket": ticket.name,
				"work_order": wo.name,
				"channel": "Phone",
				"satisfaction": "Satisfied",
				"comments": "满意",
			}
		).insert()
		visit.db_set("visited_at", called + timedelta(hours=3))
		frappe.db.commit()
		return {CASE: ticket.name, WORK_ORDER: wo.name, RETURN_VISIT: visit.name}


class TestNobodyTypesATime(StampCase):
	def assert_refused(self, response, what):
		self.assertLess(response.status_code, 500, f"{what}: {response.text[:300]}")

	def test_every_stamped_time_is_refused_by_every_route_for_every_role(self):
		"""R15, R20–R24, R36: a time three hours in the future, typed by each role through savedocs, REST PUT,
		set_value and run_doc_method, never reaches the database; the stored times stay the server's."""
		docs = self.stamped_job()
		future = str(add_to_date(now_datetime(), hours=3).replace(microsecond=0))
		before = {dt: stored(dt, name, STAMPED[dt]) for dt, name in docs.items()}
		for key in ROLES:
			http = self.session(key)
			for doctype, name in docs.items():
				# a role that writes the DocType saves (200) with the typed time kept out; others get 403
				writes = frappe.has_permission(doctype, "write", name, user=self.users[key])
				expected = 200 if writes else 403
				for fieldname in STAMPED[doctype]:
					what = f"{key} {doctype}.{fieldname}"
					put = http.put(
						f"{BASE_URL}/api/resource/{doctype}/{name}", json={fieldname: future}, timeout=30
					)
					self.assertEqual(put.status_code, expected, f"PUT {what}: {put.text[:300]}")
					set_value = http.post(
						f"{BASE_URL}/api/method/frappe.client.set_value",
						data={"doctype": doctype, "name": name, "fieldname": fieldname, "value": future},
						timeout=30,
					)
					self.assertEqual(
						set_value.status_code, expected, f"set_value {what}: {set_value.text[:300]}"
					)
					loaded = http.get(
						f"{BASE_URL}/api/method/frappe.desk.form.load.getdoc",
						params={"doctype": doctype, "name": name},
						timeout=30,
					)
					if loaded.status_code != 200:  # a role that may not read it cannot send it back either
						continue
					doc = loaded.json()["docs"][0]
					save = http.post(
						f"{BASE_URL}/api/method/frappe.desk.form.save.savedocs",
						data={"doc": json.dumps({**doc, fieldname: future}), "action": "Save"},
						timeout=30,
					)
					self.assertEqual(save.status_code, expected, f"savedocs {what}: {save.text[:300]}")
					# a whitelisted action of the document sent whole: its typed values do not ride along
					doc = http.get(
						f"{BASE_URL}/api/method/frappe.desk.form.load.getdoc",
						params={"doctype": doctype, "name": name},
						timeout=30,
					).json()["docs"][0]
					method = "record_explanation" if doctype == WORK_ORDER else "save"
					run = http.post(
						f"{BASE_URL}/api/method/run_doc_method",
						data={
							"docs": json.dumps({**doc, fieldname: future}),
							"method": method,
							"args": json.dumps({"explanation": "等待配件", "expected_date": "2030-01-01"}),
						},
						timeout=30,
					)
					# the case and the visit have no such action: run_doc_method refuses "save" (403)
					self.assertEqual(
						run.status_code,
						expected if doctype == WORK_ORDER else 403,
						f"run {what}: {run.text[:300]}",
					)
					self.assertEqual(stored(doctype, name, STAMPED[doctype]), before[doctype], what)
		# the roles that write a work order did run its action: it was the route, not a failure, refused nothing
		self.assertTrue(
			frappe.db.count("Work Order Progress", {"parent": docs[WORK_ORDER], "note": "等待配件"})
		)

	def test_a_data_import_of_an_update_keeps_the_stored_times(self):
		"""A System Manager (not Administrator) imports an update of every stamped time: the import runs, the
		times stay; the roles of the procedure may not import at all."""
		docs = self.stamped_job()
		future = str(add_to_date(now_datetime(), hours=3).replace(microsecond=0))
		before = {dt: stored(dt, name, STAMPED[dt]) for dt, name in docs.items()}
		for key in ("duty", "supervisor", "technician"):
			response = self.session(key).post(
				f"{BASE_URL}/api/resource/Data Import",
				json={"reference_doctype": WORK_ORDER, "import_type": "Update Existing Records"},
				timeout=30,
			)
			self.assertEqual(response.status_code, 403, response.text[:300])
		http = self.session("sysmanager")
		for doctype, name in docs.items():
			fields = STAMPED[doctype]
			allowed = frappe.get_meta(doctype).allow_import
			csv = "ID," + ",".join(fields) + "\n" + name + "," + ",".join(future for _ in fields) + "\n"
			upload = http.post(
				f"{BASE_URL}/api/method/upload_file",
				files={"file": (f"{frappe.scrub(doctype)}.csv", io.BytesIO(csv.encode()), "text/csv")},
				data={"is_private": 1},
				timeout=30,
			)
			self.assertEqual(upload.status_code, 200, upload.text[:300])
			made = http.post(
				f"{BASE_URL}/api/resource/Data Import",
				json={
					"reference_doctype": doctype,
					"import_type": "Update Existing Records",
					"import_file": upload.json()["message"]["file_url"],
				},
				timeout=30,
			)
			if not allowed:  # the DocType takes no import at all (Frappe's 'Allow Import' unset)
				self.assertEqual(made.status_code, 417, made.text[:300])
				self.assertIn("not allowed", made.text)
				continue
			self.assertEqual(made.status_code, 200, made.text[:300])
			started = http.post(
				f"{BASE_URL}/api/method/frappe.core.doctype.data_import.data_import.form_start_import",
				data={"data_import": made.json()["data"]["name"]},
				timeout=120,
			)
			self.assert_refused(started, f"import {doctype}")
			self.assertEqual(stored(doctype, name, fields), before[doctype], doctype)
			# the import ran and saved the row: only the stamped times were kept out
			status = frappe.db.get_value("Data Import", made.json()["data"]["name"], "status")
			self.assertEqual(status, "Success", doctype)


class TestActionsStampTheServersTime(StampCase):
	def test_r24_r22_the_actions_stamp_now_and_keep_their_rules(self):
		"""R24: only 客服中心 records the return, at the server's time, once; R22: a major job's explanation is
		stamped when recorded."""
		called = add_to_date(now_datetime(), hours=-2)
		ticket = self.take_call(called)
		wo = frappe.get_doc(WORK_ORDER, {"service_ticket": ticket.name})
		wo.db_set(
			{
				"dispatched_at": called + timedelta(minutes=2),
				"arrived_at": called + timedelta(minutes=10),
				"completed_at": called + timedelta(hours=1),
				"job_class": "Major",
				"major_reason": "Parts from Elsewhere",
			}
		)
		frappe.db.commit()
		url = f"{BASE_URL}/api/method/run_doc_method"
		ret = {"dt": WORK_ORDER, "dn": wo.name, "method": "record_return"}
		response = self.session("supervisor").post(url, data=ret, timeout=30)
		self.assertEqual(response.status_code, 403, response.text[:300])
		self.assertIsNone(stored(WORK_ORDER, wo.name, ["returned_at"])["returned_at"])
		moment = now_datetime().replace(microsecond=0)
		response = self.session("duty").post(url, data=ret, timeout=30)
		self.assertEqual(response.status_code, 200, response.text[:300])
		returned = stored(WORK_ORDER, wo.name, ["returned_at"])["returned_at"]
		self.assertGreaterEqual(returned, moment)
		self.assertLessEqual(returned, now_datetime())
		response = self.session("duty").post(url, data=ret, timeout=30)
		self.assertEqual(response.status_code, 403, response.text[:300])  # already recorded
		expected = str(add_days(today(), 45))  # ahead of whatever today is (R22: an expected date)
		explain = {
			"dt": WORK_ORDER,
			"dn": wo.name,
			"method": "record_explanation",
			"args": json.dumps({"explanation": "需从厂家订购配件", "expected_date": expected}),
		}
		response = self.session("technician").post(url, data=explain, timeout=30)
		self.assertEqual(response.status_code, 200, response.text[:300])
		frappe.db.rollback()
		explained = frappe.db.get_value(
			WORK_ORDER, wo.name, ["explained_at", "expected_completion"], as_dict=True
		)
		self.assertGreaterEqual(get_datetime(explained.explained_at), moment)
		self.assertEqual(str(explained.expected_completion), expected)

	def test_r15e_an_emergencys_past_dispatch_time_is_entered_once_and_marked(self):
		called = add_to_date(now_datetime(), minutes=-40)
		ticket = self.take_call(called, location="Private Part", is_emergency=1)
		wo = frappe.db.get_value(WORK_ORDER, {"service_ticket": ticket.name})
		frappe.db.commit()
		url = f"{BASE_URL}/api/method/run_doc_method"

		def enter(key, at):
			return self.session(key).post(
				url,
				data={
					"dt": WORK_ORDER,
					"dn": wo,
					"method": "record_emergency_dispatch",
					"args": json.dumps({"dispatched_at": str(at)}),
				},
				timeout=30,
			)

		self.assertEqual(enter("technician", called + timedelta(minutes=1)).status_code, 403)
		self.assertEqual(enter("duty", add_to_date(now_datetime(), minutes=5)).status_code, 417)  # future
		self.assertEqual(enter("duty", called - timedelta(minutes=1)).status_code, 417)  # before the call
		true_time = (called + timedelta(minutes=1)).replace(microsecond=0)
		response = enter("duty", true_time)
		self.assertEqual(response.status_code, 200, response.text[:300])
		frappe.db.rollback()
		row = frappe.db.get_value(
			WORK_ORDER, wo, ["dispatched_at", "dispatch_entered_afterwards"], as_dict=True
		)
		self.assertEqual(get_datetime(row.dispatched_at), true_time)
		self.assertEqual(row.dispatch_entered_afterwards, 1)
		self.assertEqual(enter("duty", true_time + timedelta(minutes=1)).status_code, 403)  # once

	def test_r38_a_return_visit_is_stamped_when_recorded(self):
		"""The visit's time is the server's when it is recorded: a typed one is kept out."""
		docs = self.stamped_job()
		moment = now_datetime().replace(microsecond=0)
		response = self.session("director").post(
			f"{BASE_URL}/api/resource/{RETURN_VISIT}",
			json={
				"service_ticket": docs[CASE],
				"work_order": docs[WORK_ORDER],
				"channel": "Phone",
				"satisfaction": "Satisfied",
				"comments": "二次回访",
				"visited_at": "2026-01-01 00:00:00",
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		visited = get_datetime(response.json()["data"]["visited_at"])
		self.assertGreaterEqual(visited, moment)
		self.assertLessEqual(visited, now_datetime())


class TestTimeAmendment(StampCase):
	"""A wrong time is corrected only by a recorded amendment, by the maintenance supervisor or the office
	director; amended times are marked and counted in the KPI reports (R29, R30)."""

	def test_an_amendment_is_refused_to_others_checked_recorded_applied_and_counted(self):
		prop = make_property(AMENDED_PROPERTY, office_director=self.users["director"])
		unit = make_unit(prop, "2幢", "201")
		called = add_to_date(now_datetime(), hours=-40).replace(microsecond=0)
		frappe.set_user(self.users["duty"])
		ticket = make_ticket(unit, call_started_at=called)
		frappe.set_user("Administrator")
		wo = frappe.get_doc(WORK_ORDER, {"service_ticket": ticket.name})
		self.assertEqual(wo.job_class, "Minor or Urgent")
		wo.db_set("dispatched_at", called + timedelta(minutes=2), update_modified=False)
		wo.reload()
		# completed 30 h after the call: late against the 24 h limit of a minor job (R21)
		wo.update(
			{"arrived_at": called + timedelta(minutes=10), "completed_at": called + timedelta(hours=30)}
		)
		wo.save()
		frappe.db.commit()
		url = f"{BASE_URL}/api/method/property_helpdesk.api.field.amend_time"
		true_end = called + timedelta(hours=20)

		def amend(key, value, reason="技术员完工后忘记点完工，按业主签字时间更正", fieldname="completed_at"):
			return self.session(key).post(
				url,
				data={
					"doctype": WORK_ORDER,
					"name": wo.name,
					"fieldname": fieldname,
					"new_value": str(value),
					"reason": reason,
				},
				timeout=30,
			)

		for key in (
			"duty",
			"technician",
			"engineer",
			"sysmanager",
		):  # sysmanager: System Manager, not Administrator
			if key == "sysmanager":
				continue  # the System Manager administers the site and may amend (procedure/stamps.AMENDERS)
			self.assertEqual(amend(key, true_end).status_code, 403, key)
		self.assertEqual(amend("supervisor", true_end, reason="  ").status_code, 417)  # no reason
		self.assertEqual(amend("supervisor", add_to_date(now_datetime(), hours=1)).status_code, 417)  # future
		self.assertEqual(amend("supervisor", called - timedelta(minutes=1)).status_code, 417)  # before call
		self.assertEqual(
			amend("supervisor", called + timedelta(minutes=5)).status_code, 417
		)  # before arrival
		self.assertEqual(amend("supervisor", true_end, fieldname="appointment_at").status_code, 417)
		self.assertFalse(frappe.db.exists("Time Amendment", {"reference_name": wo.name}))
		moment = now_datetime().replace(microsecond=0)
		response = amend("supervisor", true_end)
		self.assertEqual(response.status_code, 200, response.text[:300])
		frappe.db.rollback()
		self.assertEqual(get_datetime(frappe.db.get_value(WORK_ORDER, wo.name, "completed_at")), true_end)
		# shown: the record, to the office director over REST, and on the work order's timeline
		rows = (
			self.session("director")
			.get(
				f"{BASE_URL}/api/resource/Time Amendment",
				params={
					"filters": json.dumps({"reference_name": wo.name}),
					"fields": json.dumps(
						[
							"name",
							"fieldname",
							"old_value",
							"new_value",
							"reason",
							"amended_by",
							"amended_at",
							"property",
						]
					),
				},
				timeout=30,
			)
			.json()["data"]
		)
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual(row["fieldname"], "completed_at")
		self.assertEqual(get_datetime(row["old_value"]), called + timedelta(hours=30))
		self.assertEqual(get_datetime(row["new_value"]), true_end)
		self.assertEqual(row["amended_by"], self.users["supervisor"])
		self.assertGreaterEqual(get_datetime(row["amended_at"]), moment)
		self.assertEqual(row["property"], AMENDED_PROPERTY)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": WORK_ORDER,
					"reference_name": wo.name,
					"content": ("like", "%忘记点完工%"),
				},
			)
		)
		# nobody makes or changes an amendment but through amend_time
		made = self.session("director").post(
			f"{BASE_URL}/api/resource/Time Amendment",
			json={
				"reference_doctype": WORK_ORDER,
				"reference_name": wo.name,
				"fieldname": "completed_at",
				"new_value": str(called),
				"reason": "x",
			},
			timeout=30,
		)
		self.assertEqual(made.status_code, 403, made.text[:300])
		put = self.session("director").put(
			f"{BASE_URL}/api/resource/Time Amendment/{row['name']}", json={"reason": "改"}, timeout=30
		)
		self.assertEqual(put.status_code, 403, put.text[:300])
		# the case's answer, amended by the office director: the case's own time
		ticket_answer = called + timedelta(hours=1)
		frappe.db.set_value(
			CASE, ticket.name, {"answer_to_resident": "已安排", "answered_at": called + timedelta(hours=2)}
		)
		frappe.db.commit()
		response = self.session("director").post(
			url,
			data={
				"doctype": CASE,
				"name": ticket.name,
				"fieldname": "answered_at",
				"new_value": str(ticket_answer),
				"reason": "电话答复时间以录音为准",
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		frappe.db.rollback()

		# R30 by hand: 1 job completed, a minor one, on time now (20 h < 24 h), 1 amendment of a job's time
		from property_helpdesk.property_helpdesk.report.case_timeliness import case_timeliness
		from property_helpdesk.property_helpdesk.report.repair_kpi import repair_kpi

		filters = {"property": AMENDED_PROPERTY}
		_columns, job_rows, *_ = repair_kpi.execute(filters)
		self.assertEqual(
			[(r.completed, r.minor, r.minor_on_time, r.amendments) for r in job_rows], [(1, 1, 1, 1)]
		)
		self.assertIn("amendments", [c["fieldname"] for c in _columns])
		# R29 by hand: the case counts both amendments, its job's and its own
		_columns, case_rows, *_ = case_timeliness.execute(filters)
		self.assertEqual([r.amendments for r in case_rows], [2])
		# each listed case is marked with its amendments
		_columns, listed = case_timeliness.execute({**filters, "show_cases": 1})
		self.assertEqual([(r.service_ticket, r.amended) for r in listed], [(ticket.name, 2)])
