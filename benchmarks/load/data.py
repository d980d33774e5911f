"""The load test's site: 1,000,000 cases with their work orders over ten properties, and 1,000,000 of ERPNext's
own Issues under a default Service Level Agreement, loaded in bulk (benchmarks/load/run.sh calls it).

    python benchmarks/load/data.py --site bench.helpdesk.local [--cases 1000000 --issues 1000000]

The cases are the demo's history generator's (setup/demo_history.load: a year of each office's history whose
times follow the procedure's clocks — work orders, pauses, return visits, escalations, resident messages, job
logs — written with multi-row INSERTs), for ten properties of 1,000 units each, busy enough for `--cases` in
a year. The Issues are written with frappe.db.bulk_insert, their SLA fields (response_by, resolution_by,
agreement_status) set as ERPNext's own apply() sets them for their priority. The people are made as documents:
40 duty staff (the agents, four per office), 40 technicians, a director and supervisor per office, 40 support
agents for the Issue side and 500 residents with a portal login (fifty per office), each on a unit of theirs.

Idempotent: a property whose history is there is left alone (demo_history.has_history), the Issues are topped
up to `--issues`, and every person or record that exists is kept: a second run adds nothing.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

import frappe
from frappe.utils import now_datetime

from property_helpdesk.constants import (
	CS_MANAGER,
	DUTY_STAFF,
	GENERAL_MANAGER,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	PROPERTY,
	RESIDENT,
	RESIDENT_ROLE,
	TECHNICIAN,
)
from property_helpdesk.setup import builders, demo_history

PASSWORD = "Load@Helpdesk-2026"
PROPERTIES = [f"负载·{i:02d}苑" for i in range(1, 11)]
BUILDINGS = tuple(f"{b}幢" for b in range(1, 21))
FLOORS = 25  # 20 buildings × 25 floors × 2 doors: 1,000 units a property
AGENTS_PER_OFFICE, TECHS_PER_OFFICE, RESIDENTS_PER_OFFICE = 4, 4, 50
DAYS = 365
SLA = "负载·Issue SLA"
# ERPNext's Issue side: (priority, response hours, resolution hours), the share of each
PRIORITIES = (("High", 1, 8, 0.2), ("Medium", 4, 24, 0.5), ("Low", 8, 72, 0.3))
CHUNK = 10_000


def agent(p: int, n: int) -> str:
	return f"agent{p * AGENTS_PER_OFFICE + n + 1:02d}@load.bench"


def tech(p: int, n: int) -> str:
	return f"tech{p * TECHS_PER_OFFICE + n + 1:02d}@load.bench"


def support_agent(n: int) -> str:
	return f"support{n + 1:02d}@load.bench"


def resident_user(p: int, n: int) -> str:
	return f"resident{p * RESIDENTS_PER_OFFICE + n + 1:03d}@load.bench"


def user(email: str, *roles: str, user_type: str = "System User") -> str:
	return builders.make_user(email, *roles, user_type=user_type, password=PASSWORD, language="zh")


def make_people_and_places(cases: int) -> list[demo_history.Estate]:
	user("csm@load.bench", CS_MANAGER)
	user("gm@load.bench", GENERAL_MANAGER)
	developer = builders.make_developer("负载开发商")
	estates = []
	# the generator's pace is 1.25 × on weekends and 1.3 × in June and July: on average about 1.125 ×
	per_day = cases / len(PROPERTIES) / DAYS / 1.125
	for p, name in enumerate(PROPERTIES):
		director = user(f"director{p + 1:02d}@load.bench", OFFICE_DIRECTOR)
		supervisor = user(f"supervisor{p + 1:02d}@load.bench", MAINTENANCE_SUPERVISOR)
		duty = tuple(user(agent(p, n), DUTY_STAFF) for n in range(AGENTS_PER_OFFICE))
		techs = tuple(user(tech(p, n), TECHNICIAN) for n in range(TECHS_PER_OFFICE))
		builders.make_property(
			name,
			completion="2019-06-30",
			office_director=director,
			developer=developer,
			area_administrator=duty[0],
			maintenance_supervisor=supervisor,
		)
		for email in (director, supervisor, *duty, *techs):  # R4: each office's staff work for its property
			if not frappe.db.exists("User Permission", {"user": email, "allow": PROPERTY, "for_value": name}):
				frappe.get_doc(
					{
						"doctype": "User Permission",
						"user": email,
						"allow": PROPERTY,
						"for_value": name,
						"apply_to_all_doctypes": 1,
					}
				).insert(ignore_permissions=True)
		estates.append(
			demo_history.Estate(
				name=name,
				buildings=BUILDINGS,
				floors=FLOORS,
				handover="2019-10-01",
				director=director,
				supervisor=supervisor,
				duty=duty,
				technicians=techs,
				cases_per_day=per_day,
				on_time=0.9,
				in_warranty=False,
				phone_prefix=f"13{p + 5:02d}",
			)
		)
	frappe.db.commit()
	return estates


def make_resident_logins() -> None:
	"""Fifty residents of each property (those the history made on its first units) get a portal login."""
	for p, name in enumerate(PROPERTIES):
		residents = frappe.db.sql(
			"""select r.name, r.resident_name, r.user from `tabResident` r
			join `tabResident Unit` u on u.parent = r.name and u.parenttype = 'Resident'
			where u.unit like %s order by u.unit limit %s""",
			(f"{name}-%", RESIDENTS_PER_OFFICE),
			as_dict=True,
		)
		for n, row in enumerate(residents):
			if row.user:
				continue
			email = user(resident_user(p, n), RESIDENT_ROLE, user_type="Website User")
			frappe.db.set_value(RESIDENT, row.name, "user", email, update_modified=False)
		frappe.db.commit()


def make_sla() -> None:
	"""ERPNext's own: a default Service Level Agreement on Issue with three priorities, tracked."""
	holidays = "负载·工作日"
	if not frappe.db.exists("Holiday List", holidays):
		frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": holidays,
				"from_date": "2025-01-01",
				"to_date": "2027-12-31",
			}
		).insert(ignore_permissions=True)
	support = frappe.get_single("Support Settings")
	if not support.track_service_level_agreement:
		support.track_service_level_agreement = 1
		support.save(ignore_permissions=True)
	if not frappe.db.exists("Service Level Agreement", {"service_level": SLA, "document_type": "Issue"}):
		frappe.get_doc(
			{
				"doctype": "Service Level Agreement",
				"service_level": SLA,
				"document_type": "Issue",
				"default_service_level_agreement": 1,
				"enabled": 1,
				"holiday_list": holidays,
				"apply_sla_for_resolution": 1,
				"default_priority": "Medium",
				"priorities": [
					{
						"priority": p,
						"response_time": response * 3600,
						"resolution_time": resolution * 3600,
						"default_priority": int(p == "Medium"),
					}
					for p, response, resolution, _share in PRIORITIES
				],
				"support_and_resolution": [
					{"workday": day, "start_time": "00:00:00", "end_time": "23:59:59"}
					for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
				],
				"sla_fulfilled_on": [{"status": "Resolved"}, {"status": "Closed"}],
				"pause_sla_on": [{"status": "On Hold"}],
			}
		).insert(ignore_permissions=True)
	for n in range(len(PROPERTIES) * AGENTS_PER_OFFICE):
		user(support_agent(n), "Support Team")
	frappe.db.commit()


def load_issues(total: int) -> int:
	"""Top the Issues up to `total`, over the same year, as their SLA would have them; returns how many were added."""
	have = frappe.db.count("Issue")
	if have >= total:
		return 0
	rng = random.Random(2026 + have)
	now = now_datetime()
	start = now - timedelta(days=DAYS)
	span = (now - start).total_seconds()
	company = frappe.db.get_single_value("Global Defaults", "default_company")
	fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series", "subject",
		"raised_by", "status", "priority", "description", "service_level_agreement", "response_by",
		"first_responded_on", "opening_date", "opening_time", "company", "service_level_agreement_creation",
		"agreement_status", "sla_resolution_by", "sla_resolution_date", "first_response_time", "resolution_time",
	]  # fmt: skip
	sla = frappe.db.get_value("Service Level Agreement", {"service_level": SLA, "document_type": "Issue"})
	agents = [support_agent(n) for n in range(len(PROPERTIES) * AGENTS_PER_OFFICE)]
	weights = [share for *_r, share in PRIORITIES]
	# what people call about: the same subjects as the cases', so that a list search finds as many on each side
	subjects = [row[0] for row in (*demo_history.REPAIRS, *demo_history.COMPLAINTS, *demo_history.REQUESTS)]
	names = demo_history.reserve("ISS-LOAD-", total - have, digits=7)
	opened = sorted(start + timedelta(seconds=rng.random() * span) for _ in names)
	rows = []
	for name, at in zip(names, opened, strict=True):
		at = at.replace(microsecond=0)
		priority, response_h, resolution_h, _share = rng.choices(PRIORITIES, weights)[0]
		response_by, resolution_by = at + timedelta(hours=response_h), at + timedelta(hours=resolution_h)
		owner = rng.choice(agents)
		done = at < now - timedelta(days=3) or rng.random() < 0.5
		responded = at + timedelta(minutes=rng.randint(5, int(response_h * 60 * 1.2)))
		resolved = at + timedelta(minutes=rng.randint(30, int(resolution_h * 60 * 1.2))) if done else None
		status = rng.choice(("Resolved", "Closed")) if done else rng.choice(("Open", "Replied", "On Hold"))
		agreement = (
			("Fulfilled" if resolved <= resolution_by and responded <= response_by else "Failed")
			if done
			else ("Resolution Due" if responded else "First Response Due")
		)
		rows.append((
			name, at, resolved or responded, owner, owner, 0, 0, "ISS-.YYYY.-", rng.choice(subjects),
			owner, status, priority, "<p>负载数据</p>", sla, response_by, responded, at.date(), at.time(),
			company, at, agreement, resolution_by, resolved, (responded - at).total_seconds(),
			(resolved - at).total_seconds() if resolved else None,
		))  # fmt: skip
		if len(rows) >= CHUNK:
			frappe.db.bulk_insert("Issue", fields, rows, chunk_size=CHUNK)
			frappe.db.commit()
			rows = []
	frappe.db.bulk_insert("Issue", fields, rows, chunk_size=CHUNK)
	frappe.db.commit()
	return len(names)


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("BENCH_SITE", "bench.helpdesk.local"))
	parser.add_argument("--cases", type=int, default=1_000_000)
	parser.add_argument("--issues", type=int, default=None, help="default: as many as --cases")
	parser.add_argument("--only", choices=("cases", "issues"), default=None)
	args = parser.parse_args()
	issues = args.cases if args.issues is None else args.issues
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True

	began = time.monotonic()
	if args.only != "issues":
		estates = make_people_and_places(args.cases)
		for estate in estates:  # one property at a time: its year is planned in memory, then written
			t = time.monotonic()
			plan = demo_history.load(
				[estate],
				days=DAYS,
				invoices=0,
				cs_manager="csm@load.bench",
				general_manager="gm@load.bench",
			)
			frappe.db.commit()
			added = sum(plan.cases.values())
			print(
				f"  {estate.name}: {added:,} cases, {sum(plan.rows.values()):,} rows in {time.monotonic() - t:.0f} s"
				if added
				else f"  {estate.name}: history already there, nothing added",
				flush=True,
			)
		make_resident_logins()
	cases_s = time.monotonic() - began
	t = time.monotonic()
	added = 0
	if args.only != "cases":
		make_sla()
		added = load_issues(issues)
	issues_s = time.monotonic() - t
	count = lambda doctype: frappe.db.sql(f"select count(*) from `tab{doctype}`")[0][0]  # noqa: E731
	print(
		f"site {args.site}: {count('Service Ticket'):,} cases, {count('Repair Work Order'):,} work orders, "
		f"{count('Resident'):,} residents, {count('Issue'):,} Issues"
	)
	print(f"load time: cases and people {cases_s:.0f} s; Issues {issues_s:.0f} s ({added:,} added)")
	frappe.destroy()


if __name__ == "__main__":
	main()
