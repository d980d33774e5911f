"""The people of a busy morning, against the site on 127.0.0.1 (benchmarks/load/run.sh runs it headless).

    locust -f benchmarks/load/locustfile.py --headless --host http://127.0.0.1:8030 -u 620 -r 5 --run-time 5m --reset-stats

$LOAD_FIXTURE names the JSON that benchmarks/load/fixture.py wrote. Every request goes through the same
endpoint the desk, the portal or the phone page sends it to, signed in with a session of its own:

- Agent (40 duty staff): takes a call (the caller lookup, then the new case saved as the desk saves a form,
  frappe.desk.form.save.savedocs), dispatches it, opens one of their cases (frappe.desk.form.load.getdoc) and
  saves it, searches the list view (frappe.desk.reportview.get and get_count).
- SupportAgent (40 ERPNext Support Team users, the peer): the same create / open / save / list / count on
  ERPNext's Issue, under its default Service Level Agreement.
- Resident (500 portal logins): opens /my_cases and its list (list_cases), one case's page, and
  sometimes reports a repair with a photo (the portal's report_case, multipart).
- Technician (40): lists their jobs (the phone page's list_jobs) and takes the next step of one (take_step).

The requests are named "<side>: <action>"; the rows "ours: …" and "peer: …" are compared in the table.
"""

import base64
import itertools
import json
import os
import random
import re
import secrets
import threading
from datetime import datetime

from locust import HttpUser, between, events, task

FIXTURE = json.load(open(os.environ["LOAD_FIXTURE"]))
# how many of each (benchmarks/load/run.sh passes their sum as -u)
COUNTS = {
	kind: int(os.environ.get(f"LOAD_{kind.upper()}S", default))
	for kind, default in (("agent", 40), ("support", 40), ("resident", 500), ("technician", 40))
}
PASSWORD = FIXTURE["password"]
PNG = base64.b64decode(FIXTURE["png"])
CSRF = re.compile(r"csrf_token\s*[=:]\s*[\"']([^\"']+)[\"']")
CASE, ISSUE = "Service Ticket", "Issue"
# words the subjects of both sides hold (benchmarks/load/data.py gives the Issues the cases' subjects)
SEARCH = ("渗水", "门禁", "灯", "电梯", "水泵")
_lock = threading.Lock()
_counters = {name: itertools.count() for name in ("agent", "support", "resident", "technician")}


def next_of(kind: str) -> dict:
	"""Each simulated user takes the next person of its kind (locust starts users one by one)."""
	pool = FIXTURE[
		{"agent": "agents", "support": "support", "resident": "residents"}.get(kind, "technicians")
	]
	with _lock:
		return pool[next(_counters[kind]) % len(pool)]


def now() -> str:
	return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class Session(HttpUser):
	abstract = True
	person: dict

	def sign_in(self, page: str, label: str) -> None:
		self.client.headers["Accept"] = "application/json"
		with self.client.post(
			"/api/method/login",
			data={"usr": self.person["user"], "pwd": PASSWORD},
			name=f"login ({label})",
			catch_response=True,
		) as r:
			if r.status_code != 200:
				r.failure(f"login {self.person['user']}: {r.status_code} {r.text[:200]}")
				return
		with self.client.get(
			page, name=f"{label}: page {page}", headers={"Accept": "text/html"}, catch_response=True
		) as r:
			token = CSRF.search(r.text) if r.status_code == 200 else None
			if not token:
				# what the page's own scripts send with every POST: without it each POST is refused (400)
				r.failure(f"{r.status_code}: no CSRF token on {page}")
				return
		self.client.headers["X-Frappe-CSRF-Token"] = token.group(1)

	def call(self, method: str, label: str, /, *, get: bool = False, **params):
		"""POST (or GET) /api/method/METHOD; any answer but 200 is a failure; returns the `message`, or the
		documents sent back (`docs`: the desk's form load and save answer with them)."""
		kwargs = {"params": params} if get else {"data": params}
		fn = self.client.get if get else self.client.post
		with fn(f"/api/method/{method}", name=label, catch_response=True, **kwargs) as r:
			if r.status_code != 200:
				r.failure(f"{r.status_code} {r.text[:300]}")
				return None
			answer = r.json()
			return answer.get("docs") or answer.get("message")


# -- the desk: our cases and ERPNext's Issues, the same work ---------------------------------------------------


class Desk(Session):
	abstract = True
	doctype: str
	side: str

	def open_and_save(self, name: str, change) -> None:
		docs = self.call(
			"frappe.desk.form.load.getdoc", f"{self.side}: open", get=True, doctype=self.doctype, name=name
		)
		if not docs:
			return
		doc = next(d for d in docs if d.get("name") == name)
		change(doc)
		saved = self.call(
			"frappe.desk.form.save.savedocs", f"{self.side}: save", doc=json.dumps(doc), action="Save"
		)
		if saved is None and self.doctype == CASE:
			self.mine.remove(name)  # closed by someone else meanwhile, or refused: not opened again

	def search(self) -> None:
		roll = random.random()
		if roll < 0.5:
			filters = [[self.doctype, "status", "=", "Open"]]
		elif roll < 0.8:
			filters = []
		else:
			filters = [[self.doctype, "subject", "like", f"%{random.choice(SEARCH)}%"]]
		args = {"doctype": self.doctype, "filters": json.dumps(filters)}
		self.call(
			"frappe.desk.reportview.get",
			f"{self.side}: list",
			fields=json.dumps(FIXTURE["list_fields"][self.doctype]),
			order_by=f"`tab{self.doctype}`.`{'creation' if self.doctype == CASE else 'modified'}` desc",
			start=0,
			page_length=20,
			view="List",
			with_comment_count=1,
			**args,
		)
		# what the desk's list view asks for its "20 of 1,000+" (frappe.db.count with the list's count_upper_bound)
		self.call(
			"frappe.desk.reportview.get_count",
			f"{self.side}: list count",
			fields="[]",
			distinct="false",
			limit=1001,
			**args,
		)


class Agent(Desk):
	"""A duty staff member taking calls (R1, R5, R34) for their property."""

	fixed_count = COUNTS["agent"]
	wait_time = between(5, 15)
	doctype, side = CASE, "ours"

	def on_start(self):
		self.person = next_of("agent")
		self.mine = list(self.person["cases"])
		self.sign_in("/app", "staff")

	@task(3)
	def take_call(self):
		phone = random.choice(self.person["phones"])
		self.call("property_helpdesk.api.caller.find_caller", "ours: caller lookup", get=True, phone=phone)
		case = {
			**FIXTURE["case_template"],
			"unit": random.choice(self.person["units"]),
			"call_started_at": now(),
			"contact_phone": phone,
			"subject": f"负载来电 {random.choice(SEARCH)} {secrets.token_hex(3)}",
			"__islocal": 1,
			"__unsaved": 1,
			"name": f"new-service-ticket-{secrets.token_hex(4)}",
		}
		saved = self.call(
			"frappe.desk.form.save.savedocs", "ours: create", doc=json.dumps(case), action="Save"
		)
		if saved:
			name = saved[0]["name"]
			self.mine.append(name)
			self.call("property_helpdesk.api.intake.dispatch", "ours: dispatch", ticket=name)

	@task(3)
	def open_and_save_case(self):
		if self.mine:
			name = random.choice(self.mine)

			def change(doc):
				doc["description"] = f"{doc.get('description') or ''}\n{now()} 已回电"
				# what the form asks the agent to complete before it saves (R11, R12, R15): a resident's portal
				# report leaves these to the acceptor
				for field, value in FIXTURE["judgement"][doc["ticket_type"]].items():
					doc[field] = doc.get(field) or value

			self.open_and_save(name, change)

	@task(4)
	def search_cases(self):
		self.search()


class SupportAgent(Desk):
	"""ERPNext's own helpdesk, the peer: the same create / open / save / list on Issue (with its SLA)."""

	fixed_count = COUNTS["support"]
	wait_time = between(5, 15)
	doctype, side = ISSUE, "peer"

	def on_start(self):
		self.person = next_of("support")
		self.mine = list(self.person["issues"])
		self.sign_in("/app", "staff")

	@task(3)
	def create_issue(self):
		issue = {
			"doctype": ISSUE,
			"subject": f"负载来电 {random.choice(SEARCH)} {secrets.token_hex(3)}",
			"raised_by": "caller@load.bench",
			"priority": random.choice(("High", "Medium", "Low")),
			"description": "<p>卫生间地面渗水到楼下。</p>",
			"__islocal": 1,
			"__unsaved": 1,
			"name": f"new-issue-{secrets.token_hex(4)}",
		}
		saved = self.call(
			"frappe.desk.form.save.savedocs", "peer: create", doc=json.dumps(issue), action="Save"
		)
		if saved:
			self.mine.append(saved[0]["name"])

	@task(3)
	def open_and_save_issue(self):
		if self.mine:
			name = random.choice(self.mine)

			def change(doc):
				doc["description"] = f"{doc.get('description') or ''}<p>{now()} 已回电</p>"

			self.open_and_save(name, change)

	@task(4)
	def search_issues(self):
		self.search()


# -- the residents' portal ------------------------------------------------------------------------------------


class Resident(Session):
	fixed_count = COUNTS["resident"]
	wait_time = between(30, 120)

	def on_start(self):
		self.person = next_of("resident")
		self.sign_in("/my_cases", "resident")
		self.cases = []

	@task(4)
	def my_cases(self):
		self.client.get("/my_cases", name="resident: /my_cases", headers={"Accept": "text/html"})
		first = self.call(
			"property_helpdesk.api.portal.list_cases",
			"resident: list_cases",
			get=True,
			start=0,
			page_length=20,
		)
		self.cases = [c["name"] for c in (first or {}).get("cases", [])]

	@task(2)
	def open_case(self):
		if self.cases:
			self.client.get(
				f"/my_cases/{random.choice(self.cases)}",
				name="resident: /my_cases/<case>",
				headers={"Accept": "text/html"},
			)

	@task(1)
	def report(self):
		with self.client.post(
			"/api/method/property_helpdesk.api.portal.report_case",
			data={
				"ticket_type": "Repair",
				"subject": f"负载报修 {random.choice(SEARCH)}",
				"unit": random.choice(self.person["units"]),
				"description": "手机报修，附照片。",
				"request_key": secrets.token_urlsafe(18),
			},
			files={"photo": ("photo.png", PNG, "image/png")},
			name="resident: report with photo",
			catch_response=True,
		) as r:
			if r.status_code != 200:
				r.failure(f"{r.status_code} {r.text[:300]}")


# -- the technicians' phone page ------------------------------------------------------------------------------


class Technician(Session):
	fixed_count = COUNTS["technician"]
	wait_time = between(10, 30)

	def on_start(self):
		self.person = next_of("technician")
		self.sign_in("/my_jobs", "technician")
		self.jobs = {name: 0 for name in self.person["jobs"]}  # job → steps taken in this run

	@task(3)
	def list_jobs(self):
		self.call("property_helpdesk.api.technician.list_jobs", "tech: list_jobs", get=True)

	@task(1)
	def step(self):
		todo = [j for j, n in self.jobs.items() if n < len(FIXTURE["steps"])]
		if not todo:
			return
		job = random.choice(todo)
		jobs = self.call("property_helpdesk.api.technician.list_jobs", "tech: list_jobs", get=True) or []
		row = next((r for r in jobs if r.get("name") == job), None)
		if row is None:
			self.jobs[job] = len(FIXTURE["steps"])
			return
		fields = {"accept": "accepted_at", "arrive": "arrived_at", "start": "started_at"}
		step = next((s for s in FIXTURE["steps"] if not row.get(fields[s])), None)
		if step is None:
			self.jobs[job] = len(FIXTURE["steps"])
			return
		self.call(
			"property_helpdesk.api.field.take_step",
			"tech: take step",
			work_order=job,
			step=step,
			request_id=secrets.token_urlsafe(12),
		)
		self.jobs[job] += 1


@events.quitting.add_listener
def _fail_on_errors(environment, **_kw):
	# a task that raised (a bug here, or an answer not as the desk would get it) counts as much as a failed request
	errors = environment.stats.total.num_failures + len(environment.runner.exceptions)
	environment.process_exit_code = 1 if errors else 0
