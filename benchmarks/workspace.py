"""The workspace's number cards and charts on a site with a year of cases: each card's and chart's method timed as
the desk calls it, for the CS manager (every property) and for an office director (one property).

    TEST_SITE=t5.helpdesk.local benchmarks/run.sh workspace [--cases 6000 --repeat 5 --reload --drop]

Loads, once, `--cases` cases over the last twelve months with frappe.db.bulk_insert (three properties named
BENCH-WS-1 … BENCH-WS-3; a work order for each repair, about 2% reworks, a tenth still open, some of them overdue
or due soon), then prints the median of `--repeat` warm calls of each method and its figure. Target (issue 14):
every card and chart under a second. No timing is asserted anywhere (a loaded machine is not a failing test).

Which index serves which query (Service Ticket unless said):
- Overdue / Due Soon Cases: the composite index (status, kpi_due_at) (service_ticket.py on_doctype_update);
- the month's 处理及时率, the by-month and by-property charts, complaints by ground: call_started_at (search_index),
  property (search_index) for a director's property;
- 零修急修及时率, 返修率 and their charts: Repair Work Order.completed_at (search_index);
- Open Cases, Open Cases by Property, Cases Received Today (Frappe's own Document Type cards): status,
  call_started_at;
- the case list's Late / Due Soon filters and its sort: next_deadline (search_index).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe
from frappe.utils import add_months, get_first_day, getdate, now_datetime

PREFIX = "BENCH-WS-"
PROPERTIES = [f"{PREFIX}{i}" for i in range(1, 4)]
DIRECTOR = "bench-ws-director@workspace.test"
CS = "bench-ws-cs@workspace.test"
TYPES = (
	["Repair"] * 55 + ["Paid Service"] * 5 + ["Complaint"] * 20 + ["Service Request"] * 15 + ["Enquiry"] * 5
)
GROUNDS = ["A4.3.1.1", "A4.3.1.2", "A4.3.1.6", "A4.3.2.2", "A4.3.3.1", None]
CHUNK = 5000


def ensure_masters(units_per_property: int = 30) -> dict[str, list[str]]:
	from property_helpdesk.setup.builders import make_property, make_unit, make_user

	units = {}
	for prop in PROPERTIES:
		make_property(prop)
		existing = frappe.get_all("Property Unit", filters={"property": prop}, pluck="name")
		for i in range(len(existing), units_per_property):
			make_unit(prop, f"{i // 10 + 1}幢", f"{i % 10 + 1:02d}01")
		units[prop] = frappe.get_all("Property Unit", filters={"property": prop}, pluck="name")
	make_user(DIRECTOR, "Property Office Director")
	make_user(CS, "Property CS Manager")
	if not frappe.db.exists("User Permission", {"user": DIRECTOR, "allow": "Property"}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": DIRECTOR, "allow": "Property", "for_value": PROPERTIES[0]}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return units


def drop() -> None:
	frappe.db.delete("Repair Work Order", {"name": ("like", f"{PREFIX}%")})
	frappe.db.delete("Service Ticket", {"name": ("like", f"{PREFIX}%")})
	frappe.db.commit()


def load(cases: int, units: dict[str, list[str]]) -> None:
	"""`cases` cases over the twelve months up to now, as the clocks would have stored them."""
	rng = random.Random(14)
	user = "Administrator"
	now = now_datetime()
	start = datetime.combine(get_first_day(add_months(getdate(), -11)), datetime.min.time())
	span = (now - start).total_seconds()
	ticket_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
		"ticket_type", "channel", "call_started_at", "unit", "property", "contact_name", "contact_phone",
		"subject", "description", "status", "acceptor", "follow_up_owner", "complaint_ground", "job_class",
		"kpi_due_at", "handled_at", "reopen_count", "reminder_count", "paused_minutes", "next_deadline",
	]  # fmt: skip
	job_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
		"service_ticket", "unit", "property", "subject", "status", "job_class", "dispatched_class", "paid_service",
		"rework_of", "technician", "dispatched_at", "arrived_at", "completed_at", "kpi_due_at", "total_amount",
	]  # fmt: skip
	tickets, jobs, last_job = [], [], None
	for i in range(cases):
		prop = PROPERTIES[i % len(PROPERTIES)]
		kind = rng.choice(TYPES)
		# the newest cases are called in the last day, so that some are due soon or overdue today
		recent = rng.random() < 0.03
		called = (
			now - timedelta(seconds=rng.randint(60, 36 * 3600))
			if recent
			else start + timedelta(seconds=int(rng.random() * span))
		)
		repair = kind in ("Repair", "Paid Service")
		job_class = rng.choices(("Minor or Urgent", "General"), (85, 15))[0] if repair else None
		limit = {"Minor or Urgent": 24, "General": 72}.get(job_class, 72)
		due = called + timedelta(hours=limit) if kind != "Enquiry" else None
		done = not recent and rng.random() < 0.95
		handled = called + timedelta(minutes=rng.randint(10, int(limit * 60 * 1.05))) if done else None
		if handled and handled > now:
			handled = None
		status = rng.choice(("Resolved", "Closed")) if handled else rng.choice(("Open", "In Progress"))
		name = f"{PREFIX}{i:07d}"
		tickets.append((
			name, called, called, user, user, 0, 0, "PH-.YYYY.-",
			kind, "Phone", called, rng.choice(units[prop]), prop, "基准业主", "13800138000",
			f"基准事项 {i}", "基准数据", status, user, user, rng.choice(GROUNDS) if kind == "Complaint" else None,
			job_class, due, handled, 1 if rng.random() < 0.01 else 0, 0, 0, None if handled else due,
		))  # fmt: skip
		if repair:
			rework = last_job if last_job and rng.random() < 0.02 else None
			job = f"{PREFIX}WO-{i:07d}"
			jobs.append((
				job, called, called, user, user, 0, 0, "WO-.YYYY.-",
				name, tickets[-1][11], prop, f"基准事项 {i}", "Completed" if handled else "Dispatched", job_class,
				job_class, int(kind == "Paid Service"), rework, user, called + timedelta(minutes=3),
				called + timedelta(minutes=12) if handled else None, handled, due, 0,
			))  # fmt: skip
			last_job = job if rework is None else last_job
		if len(tickets) >= CHUNK:
			flush(ticket_fields, tickets, job_fields, jobs)
			tickets, jobs = [], []
	flush(ticket_fields, tickets, job_fields, jobs)


def flush(ticket_fields, tickets, job_fields, jobs) -> None:
	frappe.db.bulk_insert("Service Ticket", ticket_fields, tickets, chunk_size=CHUNK)
	frappe.db.bulk_insert("Repair Work Order", job_fields, jobs, chunk_size=CHUNK)
	frappe.db.commit()


def calls() -> list[tuple[str, object]]:
	"""Each card and chart of the workspace, as the desk calls it."""
	from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as doc_chart
	from frappe.desk.doctype.number_card.number_card import get_result

	from property_helpdesk.services import workspace

	workspace_doc = frappe.get_doc("Workspace", workspace.WORKSPACE)
	out = []
	for row in workspace_doc.number_cards:
		card = frappe.get_doc("Number Card", row.number_card_name)
		if card.type == "Custom":
			out.append((card.name, frappe.get_attr(card.method)))
		else:
			out.append((card.name, lambda card=card: get_result(card.as_json(), card.filters_json)))
	for row in workspace_doc.charts:
		chart = frappe.get_doc("Dashboard Chart", row.chart_name)
		if chart.chart_type == "Custom":
			fn = lambda chart=chart: workspace.chart_data(chart_name=chart.name, filters=chart.filters_json)  # noqa: E731
		else:
			fn = lambda chart=chart: doc_chart(chart_name=chart.name, filters=chart.filters_json, refresh=1)  # noqa: E731
		out.append((chart.name, fn))
	return out


def figure(result) -> str:
	if isinstance(result, dict) and "datasets" in result:
		values = result["datasets"][0]["values"] if result["datasets"] else []
		return f"{len(result.get('labels') or [])} groups, {values[:4]}{'…' if len(values) > 4 else ''}"
	if isinstance(result, dict):
		return str(result.get("value"))
	return str(result)


def timed(fn, repeat: int) -> tuple[float, object]:
	fn()  # warm: the caches a desk session has after its first page
	times, result = [], None
	for _ in range(repeat):
		frappe.local.cache = {}
		t = time.perf_counter()
		result = fn()
		times.append(time.perf_counter() - t)
	return statistics.median(times), result


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("BENCH_SITE") or os.environ.get("TEST_SITE"))
	parser.add_argument("--cases", type=int, default=6000)
	parser.add_argument("--repeat", type=int, default=5)
	parser.add_argument("--reload", action="store_true")
	parser.add_argument("--drop", action="store_true")
	args = parser.parse_args()
	frappe.init(site=args.site)
	frappe.connect()
	try:
		if args.drop:
			drop()
			print("dropped")
			return
		units = ensure_masters()
		have = frappe.db.count("Service Ticket", {"name": ("like", f"{PREFIX}%")})
		if args.reload or have < args.cases:
			drop()
			t = time.perf_counter()
			load(args.cases, units)
			print(f"loaded {args.cases:,} cases in {time.perf_counter() - t:.1f} s")
		total = frappe.db.count("Service Ticket")
		print(f"site {args.site}: {total:,} cases in all; median of {args.repeat} warm calls")
		for user, who in (
			(CS, "CS manager, every property"),
			(DIRECTOR, f"office director of {PROPERTIES[0]}"),
		):
			frappe.set_user(user)
			print(f"\n{who}")
			print(f"{'card or chart':<40} {'ms':>8}  figure")
			for name, fn in calls():
				seconds, result = timed(fn, args.repeat)
				print(f"{name:<40} {seconds * 1000:8.1f}  {figure(result)}")
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
