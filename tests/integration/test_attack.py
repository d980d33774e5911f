"""Every whitelisted method of the app, attacked over real HTTP (issue 15, "Attack"; R4, R8, R34, R36).

The methods are found by walking the code: every module of property_helpdesk is imported and what
`frappe.whitelist` registered (frappe.whitelisted, guest_methods, allowed_http_methods_for_whitelisted_func) is
collected, controllers' document methods included (called through run_doc_method). Each method must have a plan
here — the arguments it takes, who may legitimately get an answer — so a new method fails this test until it has
one. Each is then called by a guest, a resident, each staff role and a developer's contact with:

- no arguments at all (a 4xx with a message, never the 500 of Python's TypeError);
- wrong types (lists and objects where text goes, text where numbers and objects go, as a JSON body);
- junk: SQL fragments, markup with script and over-long text in every argument;
- another property's names (its case, work order, unit, resident, phone), otherwise well-formed, by the
  callers who work for one property (a resident, staff restricted to their 管理处 by User Permissions, a guest).

Each call answers a 4xx (never a 5xx, never a 2xx but for the few calls whose plan says the caller may use the
method with any of these arguments), shows nothing of the other property, and changes nothing: a fingerprint of
the app's tables (row count and latest modified of each) is the same before and after each method's calls.

These tests commit (the web server has its own connection) and delete what they made afterwards.
"""

import base64
import importlib
import inspect
import json
import os
import pkgutil
import secrets
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime, today

import property_helpdesk
from property_helpdesk.constants import (
	CASE,
	CS_MANAGER,
	DEVELOPER,
	DEVELOPER_CONTACT,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	GENERAL_MANAGER,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	QUALITY_OFFICER,
	RESIDENT,
	RESIDENT_ROLE,
	TECHNICIAN,
	WORK_ORDER,
)
from tests.integration.factories import (
	SIGNATURE,
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	png,
	work_order_of,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
OURS, THEIRS = "攻防楼盘甲", "攻防楼盘乙"
DOMAIN = "attack.test"
# What only the other property's people know: no answer to our callers may contain it
THEIR_SECRET = "乙方机密报修"
THEIR_RESIDENT = "乙方机密业主"
THEIR_PHONE = "13588802002"


def clear_limits():
	"""The portal's and Frappe's rate-limit counters (Redis), so that each run starts with none used."""
	frappe.cache.delete_keys("property_helpdesk:portal:")
	frappe.cache.delete_keys("rate-limit")


# -- the values of the attack ------------------------------------------------------------------------------

SQL = [
	"x' OR '1'='1",
	"1; DROP TABLE `tabService Ticket`; --",
	"' UNION SELECT name, password FROM __Auth -- ",
]
MARKUP = '<img src=x onerror="alert(document.cookie)"><script>alert(1)</script>'
LONG = "长" * 20_000
JUNK = [SQL[0], MARKUP, LONG, SQL[1], SQL[2]]


def wrong_type(annotation):
	"""A value of another type than the parameter's: a list or an object where text goes, text elsewhere."""
	if annotation in (str, str | None):
		return ["x", {"$ne": ""}]
	if annotation in (dict, dict | None):
		return "1=1) OR (1=1"
	return {"$gt": SQL[0]}


# -- who calls ----------------------------------------------------------------------------------------------

GUEST, RESIDENT_CALLER, DEVELOPER_CALLER, FINANCE = "guest", "resident", "developer", "finance"
# staff roles: the first four work for one property (User Permission on Property), the rest for the company
RESTRICTED_STAFF = {
	"duty": DUTY_STAFF,
	"director": OFFICE_DIRECTOR,
	"supervisor": MAINTENANCE_SUPERVISOR,
	"technician": TECHNICIAN,
}
COMPANY_STAFF = {
	"cs_manager": CS_MANAGER,
	"gm": GENERAL_MANAGER,
	"engineering": ENGINEERING_MANAGER,
	"quality": QUALITY_OFFICER,
}
STAFF = (*RESTRICTED_STAFF, *COMPANY_STAFF, FINANCE)
CALLERS = (GUEST, RESIDENT_CALLER, DEVELOPER_CALLER, *STAFF)
# callers who belong to one property: the other property's names are an attack for them
ONE_PROPERTY = (GUEST, RESIDENT_CALLER, DEVELOPER_CALLER, *RESTRICTED_STAFF)
SIGNED_IN = tuple(c for c in CALLERS if c != GUEST)
CASE_READERS = (*RESTRICTED_STAFF, *COMPANY_STAFF)


@dataclass
class Plan:
	"""How to call one method: `args` override the common values by parameter name; `ok` are the callers for
	whom an answer of 200 is right whatever the arguments (a method with nothing to attack, used as intended);
	`doctype` makes it a document method, called through run_doc_method on `doc` (a key of the names);
	`writes` the tables such a 200 may change (a request by design, checked by staff later)."""

	ok: tuple = ()
	writes: tuple = ()
	args: dict = field(default_factory=dict)
	doctype: str | None = None
	doc: str = "their_work_order"


# Frappe's link search as the app overrides it: the other property's case asked for, user permissions waived
SEARCH_ARGS = {
	"doctype": CASE,
	"txt": "their_case",
	"query": None,
	"searchfield": None,
	"reference_doctype": None,
	"ignore_user_permissions": 1,
}

PLANS = {
	# Frappe's report endpoints as the app overrides them (R4, R1: a prepared report is its owner's)
	"property_helpdesk.api.reports.run": Plan(
		ok=("director", "supervisor", "cs_manager", "gm", "engineering", "quality"),
		args={
			"report_name": "Case Timeliness",
			"user": None,
			"ignore_prepared_report": 1,
			"custom_columns": None,
			"is_tree": 0,
			"parent_field": None,
			"are_default_filters": 0,
		},
	),
	"property_helpdesk.api.reports.export_query": Plan(),
	"property_helpdesk.api.billing.invoice_work_order": Plan(),
	"property_helpdesk.api.billing.recover_settlement": Plan(),
	"property_helpdesk.api.billing.recover_liaison_sheet": Plan(),
	"property_helpdesk.api.billing.fee_schedule": Plan(ok=SIGNED_IN),
	"property_helpdesk.api.billing.liaison_recovery": Plan(),
	"property_helpdesk.api.caller.find_caller": Plan(ok=CASE_READERS),
	"property_helpdesk.api.developer.reply": Plan(args={"decision": "Confirmed"}),
	"property_helpdesk.api.field.amend_time": Plan(
		args={"doctype": WORK_ORDER, "name": "their_work_order", "fieldname": "dispatched_at"}
	),
	"property_helpdesk.api.field.take_step": Plan(args={"step": "accept"}),
	"property_helpdesk.api.intake.hand_over": Plan(),
	"property_helpdesk.api.intake.record_reminder": Plan(),
	"property_helpdesk.api.intake.dispatch": Plan(),
	"property_helpdesk.api.intake.pause_clocks": Plan(args={"reason": "Parts on Order"}),
	"property_helpdesk.api.intake.resume_clocks": Plan(),
	"property_helpdesk.api.lookup.residents_of_unit": Plan(
		ok=(*RESTRICTED_STAFF, *COMPANY_STAFF),
		args={"doctype": RESIDENT, "txt": "", "searchfield": "name", "start": 0, "page_len": 20},
	),
	"property_helpdesk.property_helpdesk.doctype.resident.resident.invite_to_portal": Plan(),
	# the same answer whether a resident has the number or not (issue 13): 200 for a well-formed number
	"property_helpdesk.api.phone_login.request_code": Plan(ok=CALLERS),
	"property_helpdesk.api.phone_login.sign_in": Plan(args={"code": "123456"}),
	"property_helpdesk.api.portal.list_cases": Plan(ok=(RESIDENT_CALLER,)),
	"property_helpdesk.api.portal.report_case": Plan(),
	"property_helpdesk.api.portal.remind": Plan(),
	"property_helpdesk.api.portal.confirm_work": Plan(),
	"property_helpdesk.api.portal.photo": Plan(),
	"property_helpdesk.api.portal.receipt": Plan(),
	"property_helpdesk.api.portal.fee_schedule": Plan(ok=SIGNED_IN),
	# a self sign-up asks for any unit: staff confirm it against the unit's owner record (Portal Registration)
	"property_helpdesk.api.portal.register": Plan(ok=SIGNED_IN, writes=("Portal Registration",)),
	# a resident's own message settings, from the session (no record is named): WeChat while unbound is refused
	"property_helpdesk.api.portal.save_message_settings": Plan(
		args={
			"preferred_channel": "WeChat",
			"no_sms": 1,
			"no_wechat": 0,
			"no_email": 0,
			"email": f"their-resident@{DOMAIN}",
		}
	),
	"property_helpdesk.api.rework.confirm_rework": Plan(),
	"property_helpdesk.api.routing.record_decision": Plan(),
	"property_helpdesk.api.routing.record_owner_meeting": Plan(),
	"property_helpdesk.api.technician.list_jobs": Plan(ok=SIGNED_IN),
	"property_helpdesk.api.technician.photo": Plan(),
	"property_helpdesk.api.technician.add_photos": Plan(),
	"property_helpdesk.api.technician.save_work_done": Plan(),
	"property_helpdesk.api.technician.resident_confirms": Plan(),
	"property_helpdesk.api.technician.add_item": Plan(),
	"property_helpdesk.api.technician.reassign": Plan(),
	"property_helpdesk.api.technician.ask_major": Plan(),
	"property_helpdesk.api.technician.pause_job": Plan(args={"reason": "Parts on Order"}),
	"property_helpdesk.api.wechat.bind": Plan(),
	"property_helpdesk.api.wechat.status": Plan(ok=(RESIDENT_CALLER,)),
	"property_helpdesk.api.wechat.unbind": Plan(ok=(RESIDENT_CALLER,)),
	"property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log.MaintenanceJobLog.fill_entries": Plan(
		doctype="Maintenance Job Log", doc="their_case"
	),
	"property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log.MaintenanceJobLog.reconcile": Plan(
		doctype="Maintenance Job Log", doc="their_case"
	),
	"property_helpdesk.property_helpdesk.doctype.compensation_settlement.compensation_settlement.make_settlement": Plan(),
	"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.record_engineering_review": Plan(),
	"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.make_liaison_sheet": Plan(),
	"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.cases_awaiting_sheet": Plan(
		ok=CASE_READERS
	),
	"property_helpdesk.property_helpdesk.doctype.repair_work_order.repair_work_order.RepairWorkOrder.record_return": Plan(
		doctype=WORK_ORDER
	),
	"property_helpdesk.property_helpdesk.doctype.repair_work_order.repair_work_order.RepairWorkOrder.record_explanation": Plan(
		doctype=WORK_ORDER
	),
	"property_helpdesk.property_helpdesk.doctype.repair_work_order.repair_work_order.RepairWorkOrder.record_emergency_dispatch": Plan(
		doctype=WORK_ORDER
	),
	"property_helpdesk.services.kpi.overdue_cases_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.kpi.timeliness_rate_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.kpi.minor_timeliness_rate_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.kpi.rework_rate_card": Plan(ok=CASE_READERS),
	# the workspace's cards and charts: figures of the caller's own properties
	"property_helpdesk.services.workspace.overdue_cases": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.due_soon_cases": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.timeliness_rate_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.minor_timeliness_rate_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.rework_rate_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.minor_timeliness_target_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.rework_ceiling_card": Plan(ok=CASE_READERS),
	"property_helpdesk.services.workspace.chart_data": Plan(
		ok=CASE_READERS,
		args={
			"chart_name": "Timeliness Rate by Property",
			**dict.fromkeys(
				(
					"chart",
					"no_cache",
					"from_date",
					"to_date",
					"timespan",
					"time_interval",
					"heatmap_year",
					"refresh",
				)
			),
		},
	),
	# Frappe's searches as the app overrides them (R4: the caller's properties only)
	"property_helpdesk.access.global_search": Plan(
		ok=SIGNED_IN, args={"text": THEIR_PHONE, "limit": 20, "doctype": CASE}
	),
	"property_helpdesk.access.search_link": Plan(ok=SIGNED_IN, args=SEARCH_ARGS),
	"property_helpdesk.access.search_widget": Plan(
		ok=SIGNED_IN, args={**SEARCH_ARGS, "filter_fields": None, "as_dict": None}
	),
}

# The other property's names and otherwise well-formed values, by parameter name ("their_…" are looked up in
# the names the class made).
WELL_FORMED = {
	"ticket": "their_case",
	"work_order": "their_work_order",
	"sheet": "their_case",
	"settlement": "their_case",
	"source_name": "their_case",
	"resident": "their_resident",
	"unit": "their_unit",
	"property": THEIRS,
	"building": "1幢",
	"unit_no": "101",
	"name": "their_case",
	"phone": THEIR_PHONE,
	"mobile": THEIR_PHONE,
	"filters": {"unit": "their_unit"},
	"to_user": "our_duty",
	"technician": "our_technician",
	"reason": "现场核实",
	"decision": "同意",
	"notes": "与业主面谈",
	"note": "请尽快处理",
	"opinion": "同意维修",
	"remarks": "确认",
	"comment": "满意",
	"work_done": "已更换阀门",
	"explanation": "需外购配件",
	"channel": "Phone",
	"to_department": None,
	"target_doc": None,
	"purpose": None,
	"authorised_amount": 100,
	"quality": 5,
	"timeliness": 5,
	"attitude": 5,
	"signature": SIGNATURE,
	"request_id": "their_request_id",
	"request_key": "their_request_key",
	"common_area": None,
	"stage": "before",
	"n": 0,
	"item_code": "维修人工",
	"qty": 1,
	"item_type": "Labour",
	"major_reason": "Major Repair",
	"expected_completion": "tomorrow",
	"expected_date": "tomorrow",
	"dispatched_at": "now",
	"new_value": "now",
	"ticket_type": "Repair",
	"subject": "门锁坏了",
	"description": "进户门锁打不开。",
	"contact_phone": "13588801001",
	"location": "Private Part",
	"applicant_name": "冒名者",
	"relation": "Owner",
	"code": "123456",
	"state": "abc",
	"redirect_to": "/my_cases",
	"team": 1,
	"start": 0,
	"page_length": 20,
}


def free_mobiles() -> None:
	"""The tests' users keep no mobile number: other tests (phone sign-in) use numbers of their own."""
	user = frappe.qb.DocType("User")
	frappe.qb.update(user).set(user.mobile_no, None).where(user.name.like(f"%@{DOMAIN}")).run()


# -- the walk -------------------------------------------------------------------------------------------------


def app_methods() -> dict:
	"""{dotted name: function} of every whitelisted method of the app, found by importing every module."""
	for module in pkgutil.walk_packages(property_helpdesk.__path__, "property_helpdesk."):
		importlib.import_module(module.name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if fn.__module__.startswith("property_helpdesk.")
	}


def parameters(fn) -> list[inspect.Parameter]:
	return [
		p
		for p in inspect.signature(fn).parameters.values()
		if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
	]


def fingerprint() -> dict:
	"""Row count and latest modified of each of the app's tables and of the Frappe/ERPNext tables its actions
	write (files, assignments, comments, notifications, versions, invoices, payments)."""
	frappe.db.rollback()  # a fresh snapshot: what the web server committed
	doctypes = frappe.get_all(
		"DocType", filters={"module": "Property Helpdesk", "issingle": 0, "is_virtual": 0}, pluck="name"
	)
	doctypes += [
		"File",
		"ToDo",
		"Comment",
		"Communication",
		"Notification Log",
		"Version",
		"Sales Invoice",
		"Payment Entry",
		"User Permission",
		"Portal Registration",
	]
	query = " union all ".join(
		f"select {frappe.db.escape(dt)}, count(*), max(modified) from `tab{dt}`"
		for dt in sorted(set(doctypes))
	)
	return {row[0]: (row[1], str(row[2])) for row in frappe.db.sql(query)}


@dataclass
class Answer:
	caller: str
	variant: str
	status: int
	text: str

	@property
	def exc_type(self) -> str | None:
		try:
			return json.loads(self.text).get("exc_type")
		except ValueError:
			return None

	@property
	def message(self) -> str:
		"""The messages the answer shows the user."""
		try:
			messages = json.loads(json.loads(self.text).get("_server_messages") or "[]")
		except ValueError:
			return ""
		return " ".join(json.loads(m).get("message", "") for m in messages)


class TestAttack(FrappeTestCase):
	"""Two properties: ours (甲), whose resident and staff call, and theirs (乙), whose names they send."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		users = {
			key: make_user(f"{key}@{DOMAIN}", role)
			for key, role in {**RESTRICTED_STAFF, **COMPANY_STAFF}.items()
		}
		users[FINANCE] = make_user(f"finance@{DOMAIN}", "Accounts User")
		users["their_duty"] = make_user(f"their-duty@{DOMAIN}", DUTY_STAFF)
		users["their_technician"] = make_user(f"their-technician@{DOMAIN}", TECHNICIAN)
		make_property(
			OURS,
			office_director=users["director"],
			area_administrator=users["duty"],
			maintenance_supervisor=users["supervisor"],
		)
		make_property(THEIRS, area_administrator=users["their_duty"])
		for key in RESTRICTED_STAFF:
			if not frappe.db.exists("User Permission", {"user": users[key], "allow": "Property"}):
				frappe.get_doc(
					{"doctype": "User Permission", "user": users[key], "allow": "Property", "for_value": OURS}
				).insert(ignore_permissions=True)
		our_unit, their_unit = make_unit(OURS), make_unit(THEIRS)
		users[RESIDENT_CALLER] = make_user(f"resident@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
		users["their_resident_user"] = make_user(
			f"their-resident@{DOMAIN}", RESIDENT_ROLE, user_type="Website User"
		)
		for user, name, phone, unit in (
			(users[RESIDENT_CALLER], "甲方业主", "13588801001", our_unit),
			(users["their_resident_user"], THEIR_RESIDENT, THEIR_PHONE, their_unit),
		):
			if not frappe.db.exists(RESIDENT, {"user": user}):
				frappe.get_doc(
					{
						"doctype": RESIDENT,
						"resident_name": name,
						"phone": phone,
						"user": user,
						"units": [{"unit": unit, "relation": "Owner"}],
					}
				).insert(ignore_permissions=True)
		users[DEVELOPER_CALLER] = make_user(
			f"developer@{DOMAIN}", DEVELOPER_CONTACT, user_type="Website User"
		)
		developer = frappe.get_doc(DEVELOPER, frappe.db.get_value("Property", OURS, "developer"))
		if not any(row.user == users[DEVELOPER_CALLER] for row in developer.get("contact_users") or []):
			developer.append("contact_users", {"user": users[DEVELOPER_CALLER]})
			developer.save(ignore_permissions=True)
		frappe.set_user(users["their_duty"])
		their_case = make_ticket(
			their_unit,
			subject=THEIR_SECRET,
			contact_name=THEIR_RESIDENT,
			contact_phone=THEIR_PHONE,
			resident=frappe.db.get_value(RESIDENT, {"user": users["their_resident_user"]}),
		)
		work_order = work_order_of(their_case.name)
		work_order.technician = users["their_technician"]
		work_order.save(ignore_permissions=True)
		frappe.set_user("Administrator")
		frappe.db.commit()
		cls.users = users
		cls.names = {
			"their_case": their_case.name,
			"their_work_order": work_order.name,
			"their_unit": their_unit,
			"their_resident": frappe.db.get_value(RESIDENT, {"user": users["their_resident_user"]}),
			"our_duty": users["duty"],
			"our_technician": users["technician"],
			"their_request_id": secrets.token_hex(16),
			"their_request_key": secrets.token_hex(16),
			"tomorrow": add_days(today(), 1),
			"now": str(now_datetime().replace(microsecond=0)),
		}
		clear_limits()
		cls.sessions = {GUEST: requests.Session()}
		for caller in SIGNED_IN:
			page = (
				"/my_cases"
				if caller == RESIDENT_CALLER
				else "/developer_sheets"
				if caller == DEVELOPER_CALLER
				else "/app"
			)
			cls.sessions[caller] = login_session(BASE_URL, users[caller], page)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for name in (OURS, THEIRS):
			delete_cases(name)
		frappe.db.delete("Portal Registration", {"user": ("like", f"%@{DOMAIN}")})
		frappe.db.delete("User Permission", {"user": ("like", f"%@{DOMAIN}")})
		for resident in frappe.get_all(RESIDENT, {"user": ("like", f"%@{DOMAIN}")}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		free_mobiles()
		frappe.db.commit()
		clear_limits()
		super().tearDownClass()

	# -- calling ----------------------------------------------------------------------------------------

	def value(self, name: str, plan: Plan):
		value = plan.args.get(name, WELL_FORMED.get(name))
		if isinstance(value, dict):
			return {k: self.names.get(v, v) for k, v in value.items()}
		return self.names.get(value, value) if isinstance(value, str) else value

	def call(self, caller: str, key: str, fn, plan: Plan, variant: str) -> Answer:
		params = parameters(fn)
		if variant == "missing":
			args = {}
		elif variant == "types":
			args = {p.name: wrong_type(p.annotation) for p in params}
		elif variant == "junk":
			args = {p.name: JUNK[i % len(JUNK)] for i, p in enumerate(params)}
		else:  # "theirs": the other property's names, everything else well-formed
			args = {p.name: self.value(p.name, plan) for p in params}
			args = {k: v for k, v in args.items() if v is not None}
		methods = frappe.allowed_http_methods_for_whitelisted_func[fn]
		http = "POST" if "POST" in methods else "GET"
		if plan.doctype:
			doc = {"missing": None, "types": ["x"], "junk": SQL[0]}.get(variant, self.names.get(plan.doc))
			form = {"dt": plan.doctype, "method": fn.__name__}
			if doc is not None:
				form["dn"] = doc
			if args:
				form["args"] = args
			url, args = f"{BASE_URL}/api/method/run_doc_method", form
			if variant != "types":
				args = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in args.items()}
		else:
			url = f"{BASE_URL}/api/method/{key}"
		session = self.sessions[caller]
		if variant == "types" or isinstance(args.get("filters"), dict):
			response = session.request(http, url, json=args, timeout=60)
		elif http == "GET":
			response = session.get(url, params=args, timeout=60)
		else:
			response = session.post(url, data=args, timeout=60)
		return Answer(caller, variant, response.status_code, response.text)

	def attack(self, key: str, fn, plan: Plan) -> list[Answer]:
		calls = [(caller, variant) for caller in CALLERS for variant in ("missing", "types", "junk")]
		calls += [(caller, "theirs") for caller in ONE_PROPERTY]
		with ThreadPoolExecutor(max_workers=2) as pool:
			return list(pool.map(lambda c: self.call(c[0], key, fn, plan, c[1]), calls))

	# -- the tests ----------------------------------------------------------------------------------------

	def test_every_whitelisted_method_has_a_plan(self):
		"""A new whitelisted method (or a controller's) is caught here until it has an argument plan."""
		methods = app_methods()
		self.assertGreaterEqual(len(methods), 50)
		self.assertEqual(
			sorted(set(methods) - set(PLANS)), [], "whitelisted methods without an argument plan"
		)
		self.assertEqual(sorted(set(PLANS) - set(methods)), [], "plans of methods that are gone")
		for key, fn in methods.items():
			for p in parameters(fn):
				self.assertTrue(
					p.name in PLANS[key].args or p.name in WELL_FORMED, f"{key}: no value for {p.name}"
				)

	def test_hostile_arguments_answer_4xx_show_nothing_and_change_nothing(self):
		"""Each method, each caller, each kind of bad argument: a 4xx (or the 200 its plan allows), nothing of the
		other property in the answer, and the app's tables unchanged."""
		failures, calls = [], 0
		for key, fn in sorted(app_methods().items()):
			plan = PLANS[key]
			required = [p.name for p in parameters(fn) if p.default is p.empty]
			before = fingerprint()
			answers = self.attack(key, fn, plan)
			calls += len(answers)
			after = fingerprint()
			changed = {
				dt: (before.get(dt), after[dt])
				for dt in after
				if before.get(dt) != after[dt] and dt not in plan.writes
			}
			if changed:
				failures.append(f"{key} changed {changed}")
			for a in answers:
				allowed = a.caller in plan.ok and a.status == 200
				if not (400 <= a.status < 500 or allowed):
					failures.append(f"{key} as {a.caller} ({a.variant}): HTTP {a.status} {a.text[:300]}")
				if a.caller in ONE_PROPERTY and (THEIR_SECRET in a.text or THEIR_RESIDENT in a.text):
					failures.append(f"{key} as {a.caller} ({a.variant}): shows the other property's case")
				if "FrappeTypeError" in a.text or '"exc_type":"TypeError"' in a.text:
					failures.append(
						f"{key} as {a.caller} ({a.variant}): Python's or Frappe's untranslated type error"
					)
				if a.variant == "missing" and required and a.status != 403:
					# a call Frappe lets through (whitelisted, allowed for the caller) names what is missing
					if a.exc_type != "MandatoryError" or not a.message:
						failures.append(
							f"{key} as {a.caller} (missing): {a.status} {a.exc_type} {a.text[:200]}"
						)
		self.assertGreater(calls, 2000)
		self.assertEqual(failures, [], "\n".join(failures))

	def test_a_missing_argument_is_a_translated_4xx_in_the_users_language(self):
		"""Missing arguments: HTTP 417 with Frappe's MandatoryError naming the argument, in the user's language
		(here Chinese); before the fix, Frappe's call raised TypeError: HTTP 500."""
		user = make_user(f"zh-agent@{DOMAIN}", DUTY_STAFF)
		frappe.db.set_value("User", user, "language", "zh")
		frappe.db.commit()
		session = login_session(BASE_URL, user, "/app")
		response = session.post(f"{BASE_URL}/api/method/property_helpdesk.api.intake.hand_over", timeout=30)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual(response.json()["exc_type"], "MandatoryError")
		message = json.loads(json.loads(response.json()["_server_messages"])[0])["message"]
		expected = frappe._("Missing argument: {0}", lang="zh").format("ticket, to_user, reason")
		self.assertEqual(message, expected)
		# and a hostile name in Chinese, from a message the portal has long had
		resident = self.sessions[RESIDENT_CALLER]
		frappe.db.set_value("User", self.users[RESIDENT_CALLER], "language", "zh")
		frappe.db.commit()
		try:
			response = resident.post(
				f"{BASE_URL}/api/method/property_helpdesk.api.portal.remind",
				data={"ticket": self.names["their_case"]},
				timeout=30,
			)
		finally:
			frappe.db.set_value("User", self.users[RESIDENT_CALLER], "language", "en")
			frappe.db.commit()
		self.assertEqual(response.status_code, 403, response.text)
		message = json.loads(json.loads(response.json()["_server_messages"])[0])["message"]
		self.assertEqual(message, "您只能查看自己房号的报修投诉。")

	def test_a_document_method_missing_its_argument_is_a_4xx(self):
		"""run_doc_method on the app's controller without the method's argument: 417, not 500."""
		session = self.sessions["cs_manager"]
		response = session.post(
			f"{BASE_URL}/api/method/run_doc_method",
			data={"dt": WORK_ORDER, "dn": self.names["their_work_order"], "method": "record_explanation"},
			timeout=30,
		)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertIn("explanation", response.text)
		response = session.post(
			f"{BASE_URL}/api/v2/document/{WORK_ORDER}/{self.names['their_work_order']}/method/record_emergency_dispatch",
			timeout=30,
		)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertIn("dispatched_at", response.text)
		self.assertEqual(
			frappe.db.get_value(WORK_ORDER, self.names["their_work_order"], "status"), "Dispatched"
		)
		self.assertTrue(frappe.db.exists(CASE, self.names["their_case"]))


class TestDoubleSubmit(FrappeTestCase):
	"""The same portal report sent twice — a resident's double tap, a retry on a bad network, two requests at
	once — makes one case, and both sends get the same answer (issue 15, "Faults")."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		admin = make_user(f"double-admin@{DOMAIN}", DUTY_STAFF)
		make_property(OURS, area_administrator=admin)
		cls.unit = make_unit(OURS, "2幢", "201")
		cls.users = []
		for n, phone in enumerate(("13588803001", "13588803002")):
			user = make_user(f"double-{n}@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
			if not frappe.db.exists(RESIDENT, {"user": user}):
				frappe.get_doc(
					{
						"doctype": RESIDENT,
						"resident_name": f"重复提交业主{n}",
						"phone": phone,
						"user": user,
						"units": [{"unit": cls.unit, "relation": "Tenant"}],
					}
				).insert(ignore_permissions=True)
			cls.users.append(user)
		frappe.db.commit()
		clear_limits()
		cls.http = login_session(BASE_URL, cls.users[0], "/my_cases")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		delete_cases(OURS)
		for resident in frappe.get_all(RESIDENT, {"user": ("in", cls.users)}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		free_mobiles()
		frappe.db.commit()
		clear_limits()
		super().tearDownClass()

	def report(self, key: str, session=None, photos: int = 0):
		data = {
			"ticket_type": "Repair",
			"unit": self.unit,
			"subject": "水龙头漏水",
			"description": "厨房水龙头一直滴水。",
			"location": "Private Part",
			"request_key": key,
		}
		files = [("photo", (f"tap-{n}.png", png(n + 1, 3), "image/png")) for n in range(photos)] or None
		return (session or self.http).post(
			f"{BASE_URL}/api/method/property_helpdesk.api.portal.report_case",
			data=data,
			files=files,
			timeout=60,
		)

	def cases_with(self, key: str) -> list[str]:
		frappe.db.rollback()
		return frappe.get_all(CASE, {"portal_request_key": key}, pluck="name")

	def test_the_report_page_makes_a_key_for_each_report(self):
		page = self.http.get(f"{BASE_URL}/new_case", timeout=30).text
		self.assertRegex(page, r'<input type="hidden" name="request_key"')
		self.assertIn("crypto.getRandomValues", page)

	def test_a_double_tap_makes_one_case_and_gets_the_first_answer(self):
		key = secrets.token_hex(16)
		first = self.report(key, photos=2)
		self.assertEqual(first.status_code, 200, first.text)
		again = self.report(key, photos=2)
		self.assertEqual(again.status_code, 200, again.text)
		self.assertEqual(again.json()["message"], first.json()["message"])
		self.assertEqual(self.cases_with(key), [first.json()["message"]["name"]])
		self.assertEqual(
			frappe.db.count(
				"File", {"attached_to_doctype": CASE, "attached_to_name": self.cases_with(key)[0]}
			),
			2,
			"the retry's photos are not stored twice",
		)

	def test_two_sends_at_once_make_one_case(self):
		"""Two requests with the same key on two connections at the same moment (two web workers)."""
		import threading

		key = secrets.token_hex(16)
		barrier = threading.Barrier(2)
		sessions = []
		for _ in range(2):
			session = requests.Session()
			session.cookies.update(self.http.cookies)
			session.headers.update(self.http.headers)
			sessions.append(session)

		def send(session):
			barrier.wait()
			return self.report(key, session=session, photos=1)

		with ThreadPoolExecutor(max_workers=2) as pool:
			answers = list(pool.map(send, sessions))
		self.assertEqual([a.status_code for a in answers], [200, 200], [a.text for a in answers])
		self.assertEqual(answers[0].json()["message"], answers[1].json()["message"])
		self.assertEqual(self.cases_with(key), [answers[0].json()["message"]["name"]])

	def test_another_residents_key_is_refused_and_reports_without_a_key_still_work(self):
		key = secrets.token_hex(16)
		self.assertEqual(self.report(key).status_code, 200)
		other = login_session(BASE_URL, self.users[1], "/my_cases")
		response = other.post(
			f"{BASE_URL}/api/method/property_helpdesk.api.portal.report_case",
			data={
				"ticket_type": "Repair",
				"unit": self.unit,
				"subject": "借用别人的键",
				"description": "试试别人的键。",
				"request_key": key,
			},
			timeout=30,
		)
		self.assertEqual(response.status_code, 417, response.text)
		self.assertNotIn("水龙头", response.text)
		self.assertEqual(len(self.cases_with(key)), 1)
		for bad in ("short", "x' OR '1'='1-xxxxxxxxxxxx", "k" * 65):
			self.assertEqual(self.report(bad).status_code, 417)
		without = self.http.post(
			f"{BASE_URL}/api/method/property_helpdesk.api.portal.report_case",
			data={
				"ticket_type": "Repair",
				"unit": self.unit,
				"subject": "没有键的报修",
				"description": "没有键。",
				"location": "Private Part",
			},
			timeout=30,
		)
		self.assertEqual(without.status_code, 200, without.text)


class TestStoredMarkup(FrappeTestCase):
	"""Stored XSS (issue 15, "Attack"): markup a resident or a technician types shows as text on every page
	that shows it — the portal's case page, the technician's job page — and what the desk's form, list and
	report get over REST carries no script. (Print formats escape every value: test_rest_and_print.)"""

	MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>粗体</b>'

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.admin = make_user(f"markup-admin@{DOMAIN}", DUTY_STAFF)
		cls.technician = make_user(f"markup-technician@{DOMAIN}", TECHNICIAN)
		make_property(OURS, area_administrator=cls.admin)
		cls.unit = make_unit(OURS, "3幢", "301")
		cls.resident = make_user(f"markup-resident@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
		if not frappe.db.exists(RESIDENT, {"user": cls.resident}):
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": "标记业主",
					"phone": "13588804001",
					"user": cls.resident,
					"units": [{"unit": cls.unit, "relation": "Owner"}],
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()
		clear_limits()
		cls.http = login_session(BASE_URL, cls.resident, "/my_cases")
		response = cls.http.post(
			f"{BASE_URL}/api/method/property_helpdesk.api.portal.report_case",
			data={
				"ticket_type": "Repair",
				"unit": cls.unit,
				"subject": "门坏了",
				"description": cls.MARKUP,
				"location": "Private Part",
			},
			timeout=60,
		)
		response.raise_for_status()
		cls.case = response.json()["message"]["name"]
		frappe.db.rollback()
		work_order = work_order_of(cls.case)
		work_order.technician = cls.technician
		work_order.save(ignore_permissions=True)
		frappe.db.commit()
		cls.work_order = work_order.name
		cls.tech_http = login_session(BASE_URL, cls.technician, "/my_jobs")
		response = cls.tech_http.post(
			f"{BASE_URL}/api/method/property_helpdesk.api.technician.save_work_done",
			data={"work_order": cls.work_order, "work_done": cls.MARKUP},
			timeout=60,
		)
		response.raise_for_status()
		cls.staff_http = login_session(BASE_URL, cls.admin, "/app")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		delete_cases(OURS)
		for resident in frappe.get_all(RESIDENT, {"user": cls.resident}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		free_mobiles()
		frappe.db.commit()
		clear_limits()
		super().tearDownClass()

	def assertNoLiveMarkup(self, text: str, where: str):
		for live in ("<script>alert(2)", "onerror=", "<img src=x", '<img src="x"', "<b>粗体"):
			self.assertNotIn(live, text, f"{where} shows {live!r} as markup")

	def test_the_portal_case_page_shows_markup_as_text(self):
		page = self.http.get(f"{BASE_URL}/my_cases/{self.case}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertNoLiveMarkup(page.text, "the resident's case page")
		self.assertIn("粗体", page.text, "the resident's words are kept, as text")

	def test_the_technicians_job_page_shows_markup_as_text(self):
		page = self.tech_http.get(f"{BASE_URL}/my_jobs/{self.work_order}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertNoLiveMarkup(page.text, "the technician's job page")

	def test_the_desk_gets_no_script_over_rest(self):
		"""Frappe cleans what is saved (Document._sanitize_content): no script, no event handler reaches the
		desk's form, list or report."""
		form = self.staff_http.get(f"{BASE_URL}/api/resource/{CASE}/{self.case}", timeout=30)
		self.assertEqual(form.status_code, 200, form.text)
		listed = self.staff_http.get(
			f"{BASE_URL}/api/method/frappe.desk.reportview.get",
			params={
				"doctype": CASE,
				"fields": json.dumps(["name", "description"]),
				"filters": json.dumps({"name": self.case}),
			},
			timeout=30,
		)
		self.assertEqual(listed.status_code, 200, listed.text)
		job = self.staff_http.get(f"{BASE_URL}/api/resource/{WORK_ORDER}/{self.work_order}", timeout=30)
		self.assertEqual(job.status_code, 200, job.text)
		for where, response in (("the form", form), ("the list", listed), ("the work order", job)):
			self.assertNotIn("<script", response.text, where)
			self.assertNotIn("onerror", response.text, where)
