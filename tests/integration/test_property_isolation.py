"""Work per property (issue 14, R4, R1): each 管理处's staff — duty staff, office director, technician, maintenance
supervisor — see and act on only their own properties' records, and the company departments (the CS manager
here) see every property. Proven over real HTTP, logged in as each user, for every record DocType of the app and
every script report: another property's record is not read (403), listed, counted, reported, printed, found by
link search or by global search; a whitelisted method refuses it. A staff user's properties are Frappe's own
User Permission rows, which the System Manager imports with Frappe's Data Import."""

import io
import json
import os

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, now_datetime, today

from property_helpdesk.access import allowed_properties
from property_helpdesk.constants import (
	CASE,
	CORRECTIVE_ACTION,
	CS_MANAGER,
	DUTY_ROTA,
	DUTY_STAFF,
	ESCALATION,
	JOB_CLASS_CHANGE,
	JOB_LOG,
	LIAISON_SHEET,
	MAINTENANCE_SUPERVISOR,
	MESSAGE_ACCEPTED,
	OFFICE_DIRECTOR,
	PORTAL_REGISTRATION,
	PROPERTY,
	RESIDENT,
	RESIDENT_MESSAGE,
	RETURN_VISIT,
	SETTLEMENT,
	TECHNICIAN,
	UNIT,
	WARRANTY_PLAN,
	WARRANTY_RULE,
	WORK_ORDER,
	WORK_ORDER_STEP,
)
from property_helpdesk.procedure.stamps import TIME_AMENDMENT
from tests.integration.factories import (
	delete_cases,
	give_property,
	login_session,
	make_property,
	make_resident,
	make_ticket,
	make_unit,
	make_user,
	work_order_of,
)
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPS = {"A": "隔离甲苑", "B": "隔离乙苑"}
PHONES = {"A": "13900000411", "B": "13900000412"}
STAFF = {
	"duty": DUTY_STAFF,
	"director": OFFICE_DIRECTOR,
	"technician": TECHNICIAN,
	"supervisor": MAINTENANCE_SUPERVISOR,
}
# (report, filters, whether both properties' records show in it for the CS manager): the open items and the
# breaches list nothing here (the repair is done, on time)
REPORTS = (
	("Case Timeliness", {}, True),
	("Case Timeliness", {"show_cases": 1}, True),
	("Complaint Analysis", {"group_by": "Property"}, True),
	("Complaint Analysis", {"show_cases": 1}, True),
	("Monthly Repair Summary", {}, True),
	("Monthly Repair Summary", {"show_cases": 1}, False),
	("Repair KPI", {}, True),
	("Repair KPI", {"show_cases": 1}, False),
	("Job Log Reconciliation", {}, True),
	("Billing Queue", {}, False),
)
START_IMPORT = "frappe.core.doctype.data_import.data_import.start_import"


def user_of(key: str, side: str) -> str:
	return f"iso-{key}-{side.lower()}@isolation.test"


def estate(side: str) -> dict[str, str]:
	"""One property's records of every DocType of the app (as the Administrator, committed by the caller)."""
	prop = make_property(
		PROPS[side],
		office_director=user_of("director", side),
		maintenance_supervisor=user_of("supervisor", side),
	)
	unit = make_unit(prop, "1幢", "101")
	resident = make_resident(f"隔离业主{side}", PHONES[side], unit)
	now = now_datetime()
	case = make_ticket(
		unit, resident=resident, contact_phone=PHONES[side], call_started_at=add_to_date(now, minutes=-90)
	)
	wo = work_order_of(case.name, dispatched_at=add_to_date(now, minutes=-80))
	wo.technician = user_of("technician", side)
	wo.save()
	records = {PROPERTY: prop, UNIT: unit, RESIDENT: resident, CASE: case.name, WORK_ORDER: wo.name}
	complaint = make_ticket(
		unit, ticket_type="Complaint", complaint_ground="A4.3.2.2", contact_phone=PHONES[side]
	)
	developer = frappe.db.get_value(PROPERTY, prop, "developer")

	def insert(doctype, **values):
		doc = frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)
		records[doctype] = doc.name
		return doc

	insert(
		LIAISON_SHEET,
		subject="卫生间渗漏维修确认",
		purpose="Developer-Liable Repair",
		developer=developer,
		property=prop,
		liable_party="Developer",
		content="请确认维修责任及费用。",
		cases=[{"service_ticket": case.name, "amount": 0}],
	)
	insert(
		SETTLEMENT,
		service_ticket=complaint.name,
		claimed_amount=100,
		liable_party="Developer",
		claim="赔偿。",
	)
	log = insert(JOB_LOG, property=prop, log_date=today())
	log.append("entries", {"work_order": wo.name})
	log.save(ignore_permissions=True)
	insert(JOB_CLASS_CHANGE, work_order=wo.name, to_class="General", reason="现场判断")
	insert(WARRANTY_PLAN, work_order=wo.name, planned_start=today(), planned_end=today(), plan="更换水管")
	insert(
		WORK_ORDER_STEP,
		work_order=wo.name,
		step="accept",
		stamped_at=now,
		taken_by=user_of("technician", side),
		request_id=frappe.generate_hash(length=20),
	)
	wo.reload()
	wo.update({"arrived_at": add_to_date(now, minutes=-60), "completed_at": now})
	wo.save()
	insert(
		RETURN_VISIT,
		service_ticket=case.name,
		work_order=wo.name,
		channel="Phone",
		satisfaction="Satisfied",
		comments="业主满意",
	)
	from property_helpdesk.api.field import amend_time

	records[TIME_AMENDMENT] = amend_time(
		WORK_ORDER, wo.name, "completed_at", str(add_to_date(now, minutes=-1)), "补记"
	)["name"]
	from property_helpdesk.services.resident_messages import tell_resident

	records[RESIDENT_MESSAGE] = frappe.db.get_value(
		RESIDENT_MESSAGE, {"service_ticket": case.name}
	) or tell_resident(case.name, MESSAGE_ACCEPTED)
	insert(
		ESCALATION,
		service_ticket=case.name,
		work_order=wo.name,
		clock="Completion",
		level="Follow-up Owner",
		deadline=now,
		escalated_at=now,
	)
	insert(
		CORRECTIVE_ACTION,
		title="重复投诉整改",
		source="Recurring Complaint",
		status="Open",
		action_owner=user_of("director", side),
		due_date=today(),
		property=prop,
	)
	insert(
		DUTY_ROTA,
		property=prop,
		duty_date=today(),
		from_time="00:00:00",
		to_time="23:59:59",
		duty_user=user_of("duty", side),
	)
	insert(
		PORTAL_REGISTRATION,
		user=make_user(
			f"iso-resident-{side.lower()}@isolation.test", "Property Resident", user_type="Website User"
		),
		unit=unit,
		relation="Owner",
		applicant_name=f"隔离申请{side}",
		phone=PHONES[side],
		status="Pending",
	)
	insert(
		WARRANTY_RULE,
		component=f"隔离{side}门窗",
		location="Private Part",
		builder_period=2,
		builder_unit="Years",
		owner_period=1,
		owner_unit="Years",
		property=prop,
	)
	records["complaint"] = complaint.name
	return records


def clear(side: str) -> None:
	"""Remove what `estate` committed for the property (its master data stays, found again by name)."""
	prop = PROPS[side]
	for doctype in (TIME_AMENDMENT, WORK_ORDER_STEP, JOB_CLASS_CHANGE, SETTLEMENT, WARRANTY_PLAN, LIAISON_SHEET,
		JOB_LOG, CORRECTIVE_ACTION, DUTY_ROTA, PORTAL_REGISTRATION, WARRANTY_RULE):  # fmt: skip
		names = frappe.get_all(doctype, {"property": prop}, pluck="name")
		if not names:
			continue
		for table in frappe.get_meta(doctype).get_table_fields():
			frappe.db.delete(table.options, {"parenttype": doctype, "parent": ("in", names)})
		frappe.db.delete(doctype, {"name": ("in", names)})
	cases = frappe.get_all(CASE, {"property": prop}, pluck="name")
	if cases:
		frappe.db.delete("Comment", {"reference_doctype": CASE, "reference_name": ("in", cases)})
	delete_cases(prop)


class PropertyIsolation(FrappeTestCase):
	"""Commits its two properties (the web server reads them through its own connection) and removes them."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {}
		for side in PROPS:
			for key, role in STAFF.items():
				cls.users[key, side] = make_user(user_of(key, side), role)
		cls.users["csm"] = make_user("iso-csm@isolation.test", CS_MANAGER)
		cls.users["finance", "A"] = make_user("iso-finance-a@isolation.test", "Accounts User")
		try:
			cls.records = {side: estate(side) for side in PROPS}
		except Exception:
			frappe.db.rollback()
			raise
		for who, user in cls.users.items():
			if isinstance(who, tuple):
				give_property(user, PROPS[who[1]])
		frappe.db.commit()
		frappe.clear_cache()  # the user permissions' cache, for this process (the server's is cleared by the insert)
		from frappe.utils.global_search import sync_global_search

		sync_global_search()
		frappe.db.commit()
		cls.http = {}

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for side in PROPS:
			clear(side)
		frappe.db.delete("User Permission", {"user": ("like", "iso-%@isolation.test")})
		frappe.db.commit()
		frappe.clear_cache()
		super().tearDownClass()

	def session(self, user: str):
		if user not in self.http:
			self.http[user] = login_session(BASE_URL, user, "/app")
		return self.http[user]

	def call(self, user: str, endpoint: str, /, **params):
		response = self.session(user).post(f"{BASE_URL}/api/method/{endpoint}", json=params, timeout=60)
		return response.status_code, response.json() if response.headers.get("content-type", "").startswith(
			"application/json"
		) else response.text

	def readable(self, user: str, doctype: str) -> bool:
		"""Whether the user's roles read the DocType at all (test_permission_matrix holds who reads what)."""
		return bool(frappe.permissions.get_role_permissions(frappe.get_meta(doctype), user=user).get("read"))

	def record_doctypes(self):
		return [dt for dt in self.records["A"] if dt != "complaint"]

	# -- R4: a staff user's properties ----------------------------------------------------------------------

	def test_r4_staff_are_kept_to_their_property_and_departments_see_all(self):
		self.assertEqual(allowed_properties(self.users["duty", "A"]), [PROPS["A"]])
		self.assertIsNone(allowed_properties(self.users["csm"]))
		self.assertIsNone(allowed_properties("Administrator"))

	def test_r4_r1_another_propertys_record_is_not_read_listed_counted_searched_or_printed(self):
		for side, other in (("A", "B"), ("B", "A")):
			for key in STAFF:
				user = self.users[key, side]
				for doctype in self.record_doctypes():
					mine, theirs = self.records[side][doctype], self.records[other][doctype]
					with self.subTest(user=key, side=side, doctype=doctype):
						self.assert_hidden(user, doctype, theirs)
						if self.readable(user, doctype):
							self.assert_seen(user, doctype, mine)

	def assert_hidden(self, user: str, doctype: str, name: str):
		http = self.session(user)
		read = http.get(f"{BASE_URL}/api/resource/{doctype}/{name}", timeout=60)
		self.assertEqual(read.status_code, 403, read.text[:300])
		status, listed = self.call(user, "frappe.client.get_list", doctype=doctype, filters={"name": name})
		self.assertIn(status, (200, 403))
		if status == 200:
			self.assertEqual(listed["message"], [])
		status, counted = self.call(user, "frappe.client.get_count", doctype=doctype, filters={"name": name})
		self.assertIn(status, (200, 403))
		if status == 200:
			self.assertEqual(counted["message"], 0)
		rest = http.get(
			f"{BASE_URL}/api/resource/{doctype}",
			params={"filters": json.dumps([["name", "=", name]])},
			timeout=60,
		)
		self.assertIn(rest.status_code, (200, 403))
		if rest.status_code == 200:
			self.assertEqual(rest.json()["data"], [])
		for ignoring in (0, 1):  # also when the caller asks the link search to ignore User Permissions
			status, found = self.call(
				user,
				"frappe.desk.search.search_link",
				doctype=doctype,
				txt=name,
				ignore_user_permissions=ignoring,
			)
			self.assertIn(status, (200, 403))
			if status == 200:
				self.assertNotIn(name, [row["value"] for row in found["message"]])
			status, found = self.call(
				user,
				"frappe.desk.search.search_widget",
				doctype=doctype,
				txt=name,
				ignore_user_permissions=ignoring,
			)
			self.assertIn(status, (200, 403))
			if status == 200:
				self.assertNotIn(name, json.dumps(found["message"], ensure_ascii=False))
		status, printed = self.call(
			user, "frappe.www.printview.get_html_and_style", doc=doctype, name=name, print_format="Standard"
		)
		self.assertEqual(status, 403, str(printed)[:300])
		page = http.get(f"{BASE_URL}/printview", params={"doctype": doctype, "name": name}, timeout=60)
		self.assertNotEqual(page.status_code, 200)

	def assert_seen(self, user: str, doctype: str, name: str):
		read = self.session(user).get(f"{BASE_URL}/api/resource/{doctype}/{name}", timeout=60)
		self.assertEqual(read.status_code, 200, read.text[:300])
		status, listed = self.call(user, "frappe.client.get_list", doctype=doctype, filters={"name": name})
		self.assertEqual((status, [row["name"] for row in listed["message"]]), (200, [name]))

	def test_r4_the_cs_manager_sees_every_property(self):
		user = self.users["csm"]
		for doctype in self.record_doctypes():
			if not self.readable(user, doctype):
				continue
			with self.subTest(doctype=doctype):
				names = [self.records[side][doctype] for side in PROPS]
				for name in names:
					self.assertEqual(
						self.session(user)
						.get(f"{BASE_URL}/api/resource/{doctype}/{name}", timeout=60)
						.status_code,
						200,
					)
				status, listed = self.call(
					user, "frappe.client.get_list", doctype=doctype, filters={"name": ("in", names)}
				)
				self.assertEqual(status, 200, listed)
				self.assertEqual(sorted(row["name"] for row in listed["message"]), sorted(names))

	def test_r4_a_child_tables_rows_follow_their_parents_property(self):
		user = self.users["director", "A"]
		for child, parent, field in (
			("Liaison Sheet Case", LIAISON_SHEET, "service_ticket"),
			("Job Log Entry", JOB_LOG, "work_order"),
			("Resident Unit", RESIDENT, "unit"),
		):
			with self.subTest(child=child):
				status, listed = self.call(
					user,
					"frappe.client.get_list",
					doctype=child,
					parent=parent,
					fields=["parent", field],
					limit_page_length=0,
				)
				self.assertEqual(status, 200, listed)
				parents = {row["parent"] for row in listed["message"]}
				self.assertIn(self.records["A"][parent], parents)
				self.assertNotIn(self.records["B"][parent], parents)

	# -- R4, R1: the reports --------------------------------------------------------------------------------

	def run_report(self, user: str, report: str, filters: dict):
		"""The report over yesterday and today: the cases were called 90 minutes ago, which is yesterday in the
		site's first hours after midnight; the Billing Queue has no period."""
		if report != "Billing Queue":
			filters = {"from_date": add_days(today(), -1), "to_date": today(), **filters}
		return self.call(user, "frappe.desk.query_report.run", report_name=report, filters=filters)

	def test_r4_r1_each_script_report_counts_only_the_users_properties(self):
		users = [(key, side) for side in PROPS for key in STAFF] + [("finance", "A")]
		for key, side in users:
			user, other = self.users[key, side], "B" if side == "A" else "A"
			secrets = {PROPS[other], *(v for k, v in self.records[other].items() if k != PROPERTY)}
			for report, filters, _both in REPORTS:
				with self.subTest(user=key, side=side, report=report, filters=filters):
					status, result = self.run_report(user, report, filters)
					self.assertIn(status, (200, 403), str(result)[:300])
					if status == 200:
						text = json.dumps(result["message"]["result"], ensure_ascii=False, default=str)
						self.assertEqual([s for s in secrets if s in text], [])
		# the CS manager's reports count both properties
		for report, filters, _both in (r for r in REPORTS if r[2]):
			with self.subTest(user="csm", report=report, filters=filters):
				status, result = self.run_report(self.users["csm"], report, filters)
				self.assertEqual(status, 200, str(result)[:300])
				text = json.dumps(result["message"]["result"], ensure_ascii=False, default=str)
				self.assertEqual([p for p in PROPS.values() if p in text], list(PROPS.values()))

	def test_r4_the_reports_property_filter_offers_only_the_users_properties(self):
		status, found = self.call(
			self.users["director", "A"], "frappe.desk.search.search_link", doctype=PROPERTY, txt="隔离"
		)
		self.assertEqual((status, [row["value"] for row in found["message"]]), (200, [PROPS["A"]]))
		status, found = self.call(
			self.users["csm"], "frappe.desk.search.search_link", doctype=PROPERTY, txt="隔离"
		)
		self.assertEqual(sorted(row["value"] for row in found["message"]), sorted(PROPS.values()))

	def test_r4_the_workspace_cards_count_only_the_users_properties(self):
		from property_helpdesk.services import kpi

		for user, expected in ((self.users["director", "A"], 1), (self.users["csm"], 2)):
			frappe.set_user(user)
			try:
				rows = kpi.case_timeliness(kpi.this_month())
			finally:
				frappe.set_user("Administrator")
			mine = [r for r in rows if r.group_key in PROPS.values()]
			self.assertEqual(len(mine), expected, rows)

	# -- R1, R5: global search ---------------------------------------------------------------------------------

	def test_r1_global_search_finds_only_the_users_properties_cases(self):
		for user, sides in ((self.users["duty", "A"], {"A"}), (self.users["csm"], {"A", "B"})):
			with self.subTest(user=user):
				found = set()
				for side in PROPS:
					status, result = self.call(user, "frappe.utils.global_search.search", text=PHONES[side])
					self.assertEqual(status, 200, result)
					found |= {row["name"] for row in result["message"]}
				for side in PROPS:
					for doctype in (CASE, RESIDENT):
						self.assertEqual(self.records[side][doctype] in found, side in sides, (side, doctype))

	def test_r1_global_search_fills_its_page_past_records_the_user_may_not_read(self):
		"""Frappe pages its index before anything asks who may read a row. Here 45 rows the duty user may not read
		(cases deleted without the ORM, which Frappe's index keeps, as it keeps another property's) outrank
		their own records for their phone: a page of 20 still shows each of them, and paging walks them in turn."""
		from frappe.utils.global_search import sync_value

		phone, duty = PHONES["A"], self.users["duty", "A"]

		def found(**page):
			status, result = self.call(duty, "frappe.utils.global_search.search", text=phone, **page)
			self.assertEqual(status, 200, result)
			return [row["name"] for row in result["message"]]

		mine = found(limit=20)
		self.assertIn(self.records["A"][CASE], mine)
		gone = [f"ISO-GONE-{i:03}" for i in range(45)]
		for name in gone:
			sync_value(
				{"doctype": CASE, "name": name, "content": " ||| ".join([phone] * 5), "published": 0,
				"title": name, "route": ""}
			)  # fmt: skip
		frappe.db.commit()  # InnoDB's full-text index shows a row once it is committed
		try:
			self.assertEqual(sorted(found(limit=20)), sorted(mine))
			walked = [name for start in range(len(mine) + 1) for name in found(start=start, limit=1)]
			self.assertEqual(sorted(walked), sorted(mine))
		finally:
			frappe.db.delete("__global_search", {"doctype": CASE, "name": ("in", gone)})
			frappe.db.commit()

	# -- whitelisted methods -------------------------------------------------------------------------------

	def test_r4_whitelisted_methods_refuse_another_propertys_case(self):
		duty, director = self.users["duty", "A"], self.users["director", "A"]
		theirs = self.records["B"]
		for user, method, params in (
			(duty, "property_helpdesk.api.intake.record_reminder", {"ticket": theirs[CASE]}),
			(duty, "property_helpdesk.api.intake.dispatch", {"ticket": theirs[CASE]}),
			(
				duty,
				"property_helpdesk.api.intake.pause_clocks",
				{"ticket": theirs[CASE], "reason": "Awaiting Parts"},
			),
			(
				director,
				"property_helpdesk.api.intake.hand_over",
				{"ticket": theirs[CASE], "to_user": duty, "reason": "x"},
			),
			(
				director,
				"property_helpdesk.api.routing.record_decision",
				{"ticket": theirs["complaint"], "decision": "x"},
			),
			(director, "property_helpdesk.api.rework.confirm_rework", {"work_order": theirs[WORK_ORDER]}),
			(
				director,
				"property_helpdesk.api.billing.invoice_work_order",
				{"work_order": theirs[WORK_ORDER]},
			),
			(director, "property_helpdesk.api.billing.liaison_recovery", {"sheet": theirs[LIAISON_SHEET]}),
			(
				director,
				"property_helpdesk.api.field.amend_time",
				{
					"doctype": WORK_ORDER,
					"name": theirs[WORK_ORDER],
					"fieldname": "completed_at",
					"new_value": str(now_datetime()),
					"reason": "x",
				},
			),
			(
				director,
				"property_helpdesk.property_helpdesk.doctype.resident.resident.invite_to_portal",
				{"resident": theirs[RESIDENT]},
			),
			(
				director,
				"property_helpdesk.property_helpdesk.doctype.compensation_settlement.compensation_settlement.make_settlement",
				{"source_name": theirs["complaint"]},
			),
			(
				director,
				"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.make_liaison_sheet",
				{"source_name": theirs[CASE]},
			),
			(
				director,
				"frappe.client.set_value",
				{"doctype": CASE, "name": theirs[CASE], "fieldname": "subject", "value": "x"},
			),
			(director, "run_doc_method", {"dt": JOB_LOG, "dn": theirs[JOB_LOG], "method": "fill_entries"}),
		):
			with self.subTest(method=method):
				status, result = self.call(user, method, **params)
				self.assertEqual(status, 403, str(result)[:300])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(CASE, theirs[CASE], "reminder_count") or 0, 0)

	def test_r4_lookups_leave_out_another_propertys_cases_and_residents(self):
		director = self.users["director", "A"]
		status, awaiting = self.call(
			director,
			"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.cases_awaiting_sheet",
		)
		self.assertEqual(status, 200, awaiting)
		self.assertFalse({self.records["B"][CASE], self.records["B"]["complaint"]} & set(awaiting["message"]))
		for side, expected in (("A", [self.records["A"][RESIDENT]]), ("B", [])):
			status, found = self.call(
				director,
				"property_helpdesk.api.lookup.residents_of_unit",
				doctype=RESIDENT,
				txt="",
				searchfield="name",
				start=0,
				page_len=20,
				filters={"unit": self.records[side][UNIT]},
			)
			self.assertEqual((status, [row[0] for row in found["message"]]), (200, expected))

	# -- the admin's way: Frappe's Data Import of User Permission -------------------------------------------------

	def test_r4_the_system_manager_imports_staff_properties_with_data_import(self):
		admin = make_user("iso-admin@isolation.test", "System Manager")
		newcomer = make_user("iso-newcomer@isolation.test", DUTY_STAFF)
		frappe.db.commit()
		http = self.session(admin)
		content = f"User,Allow,For Value,Apply To All Document Types\n{newcomer},Property,{PROPS['B']},1\n"
		upload = http.post(
			f"{BASE_URL}/api/method/upload_file",
			files={"file": ("staff-properties.csv", io.BytesIO(content.encode()), "text/csv")},
			data={"is_private": 1},
			timeout=60,
		)
		self.assertEqual(upload.status_code, 200, upload.text)
		response = http.post(
			f"{BASE_URL}/api/resource/Data Import",
			json={
				"reference_doctype": "User Permission",
				"import_type": "Insert New Records",
				"import_file": upload.json()["message"]["file_url"],
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text)
		data_import = response.json()["data"]["name"]
		frappe.set_user(admin)
		try:
			frappe.enqueue(START_IMPORT, data_import=data_import, job_id=f"data_import::{data_import}")
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		run_worker(queued_jobs(START_IMPORT, data_import=data_import))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Data Import", data_import, "status"), "Success")
		self.assertEqual(allowed_properties(newcomer), [PROPS["B"]])
		# the newcomer now sees property B's case and not property A's
		self.assertEqual(
			self.session(newcomer)
			.get(f"{BASE_URL}/api/resource/{CASE}/{self.records['A'][CASE]}", timeout=60)
			.status_code,
			403,
		)
		self.assertEqual(
			self.session(newcomer)
			.get(f"{BASE_URL}/api/resource/{CASE}/{self.records['B'][CASE]}", timeout=60)
			.status_code,
			200,
		)
