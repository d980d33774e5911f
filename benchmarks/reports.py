"""The R26–R32 reports over 1,000,000 cases, each side by side with one hand-written SQL GROUP BY over the same
table and period, same data, same run.

    benchmarks/run.sh reports [--cases 1000000 --repeat 5 --reload --drop]

Runs on its own site (default bench.helpdesk.local, `--site` or $BENCH_SITE) so that the demo and test sites stay
small. The data is loaded once with frappe.db.bulk_insert and kept (a later run reuses it; `--reload` loads it
again, `--drop` removes it): cases and work orders of ten properties named BENCH-RPT-01 … BENCH-RPT-10 over
2025, a year of daily job logs, complaints on every ground. Each report runs the way the desk runs it
(frappe.desk.query_report.run as Administrator, whole year, all properties); its time is the median of
`--repeat` warm runs, alternating with the hand-written query. Target (issues #7, #11): each report — built with
frappe.qb from the procedure's rules (services/kpi.criterion) — within 2 × of its hand-written GROUP BY.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe
from frappe.desk.query_report import run as run_report

PREFIX = "BENCH-RPT-"
PROPERTIES = [f"{PREFIX}{i:02d}" for i in range(1, 11)]
YEAR = {"from_date": "2025-01-01", "to_date": "2025-12-31"}
START, END = datetime(2025, 1, 1), datetime(2026, 1, 1)
TYPES = (
	["Repair"] * 55 + ["Paid Service"] * 5 + ["Complaint"] * 20 + ["Service Request"] * 15 + ["Enquiry"] * 5
)
GROUNDS = [
	("A4.3.1.1", "Valid Complaint"),
	("A4.3.1.2", "Valid Complaint"),
	("A4.3.1.6", "Valid Complaint"),
	("A4.3.2.2", "Matter to Assist"),
	("A4.3.2.4", "Matter to Assist"),
	("A4.3.3.1", "Excessive Demand"),
	(None, None),
]
CHUNK = 20_000


def ensure_masters(units_per_property: int = 200) -> dict[str, list[str]]:
	"""Ten properties with their developer and units (inserted as documents: a few thousand rows)."""
	developer = f"{PREFIX}开发商"
	if not frappe.db.exists("Property Developer", developer):
		frappe.get_doc(
			{
				"doctype": "Property Developer",
				"developer_name": developer,
				"developer_type": "External Developer",
			}
		).insert(ignore_permissions=True)
	units = {}
	for prop in PROPERTIES:
		if not frappe.db.exists("Property", prop):
			frappe.get_doc(
				{
					"doctype": "Property",
					"property_name": prop,
					"developer": developer,
					"completion_acceptance_date": "2020-01-01",
					"management_office": f"{prop}管理处",
				}
			).insert(ignore_permissions=True)
		existing = frappe.get_all("Property Unit", filters={"property": prop}, pluck="name")
		if len(existing) < units_per_property:
			rows = []
			for i in range(units_per_property):
				building, unit_no = f"{i // 20 + 1}幢", f"{i % 20 + 1:02d}01"
				name = f"{prop}-{building}-{unit_no}"
				if name not in existing:
					rows.append((name, "Administrator", "Administrator", prop, building, unit_no))
			now = datetime.now()
			frappe.db.bulk_insert(
				"Property Unit",
				["name", "owner", "modified_by", "property", "building", "unit_no", "creation", "modified"],
				[(*r, now, now) for r in rows],
			)
			existing = frappe.get_all("Property Unit", filters={"property": prop}, pluck="name")
		units[prop] = existing
	frappe.db.commit()
	return units


def drop() -> None:
	for table, where in (
		("Job Log Entry", f"parent like 'LOG-{PREFIX}%%'"),
		("Maintenance Job Log", f"name like 'LOG-{PREFIX}%%'"),
		("Repair Work Order", f"name like '{PREFIX}%%'"),
		("Service Ticket", f"name like '{PREFIX}%%'"),
	):
		frappe.db.sql(f"delete from `tab{table}` where {where}")
	frappe.db.commit()


def load(cases: int, units: dict[str, list[str]]) -> None:
	"""`cases` cases over 2025 and a work order for each repair; about 2% of the jobs are reworks."""
	rng = random.Random(7)
	user = "Administrator"
	ticket_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
		"ticket_type", "channel", "call_started_at", "unit", "property", "contact_name", "contact_phone",
		"subject", "description", "status", "acceptor", "follow_up_owner", "complaint_ground", "validity_class",
		"routed_to_level", "job_class", "kpi_due_at", "handled_at", "reopen_count", "reminder_count",
		"paused_minutes",
	]  # fmt: skip
	job_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
		"service_ticket", "unit", "property", "subject", "status", "job_class", "dispatched_class", "paid_service",
		"rework_of",
		"technician", "dispatched_at", "arrived_at", "completed_at", "kpi_due_at", "total_amount",
	]  # fmt: skip
	span = (END - START).total_seconds()
	tickets, jobs, last_job = [], [], None
	for i in range(cases):
		prop = PROPERTIES[i % len(PROPERTIES)]
		unit = rng.choice(units[prop])
		kind = rng.choice(TYPES)
		called = START + timedelta(seconds=int(rng.random() * span))
		repair = kind in ("Repair", "Paid Service")
		job_class = None
		if repair:
			job_class = rng.choices(("Minor or Urgent", "General", "Major"), (80, 17, 3))[0]
			limit = {"Minor or Urgent": 24, "General": 72, "Major": 48}[job_class]
		else:
			limit = 72
		due = called + timedelta(hours=limit) if kind != "Enquiry" else None
		done = rng.random() < 0.93
		handled = called + timedelta(minutes=rng.randint(10, int(limit * 60 * 1.05))) if done else None
		status = rng.choice(("Resolved", "Closed")) if done else rng.choice(("Open", "In Progress"))
		ground, validity = rng.choice(GROUNDS) if kind == "Complaint" else (None, None)
		name = f"{PREFIX}{i:07d}"
		tickets.append((
			name, called, called, user, user, 0, 0, "PH-.YYYY.-",
			kind, "Phone", called, unit, prop, "基准业主", "13800138000",
			f"基准事项 {i}", "基准数据", status, user, user, ground, validity,
			"Office Head" if kind == "Complaint" and i % 3 else None, job_class, due, handled,
			1 if rng.random() < 0.01 else 0, rng.choice((0, 0, 0, 1, 2)), 0,
		))  # fmt: skip
		if repair:
			rework = last_job if last_job and rng.random() < 0.02 else None
			completed = handled if job_class != "Major" or done else None
			job = f"{PREFIX}WO-{i:07d}"
			jobs.append((
				job, called, called, user, user, 0, 0, "WO-.YYYY.-",
				name, unit, prop, f"基准事项 {i}", "Completed" if completed else "Dispatched", job_class, job_class,
				1 if kind == "Paid Service" else 0, rework, user, called + timedelta(minutes=3),
				called + timedelta(minutes=12) if completed else None, completed,
				due if job_class != "Major" else None, 0,
			))  # fmt: skip
			last_job = job if rework is None else last_job
		if len(tickets) >= CHUNK:
			frappe.db.bulk_insert("Service Ticket", ticket_fields, tickets, chunk_size=CHUNK)
			frappe.db.bulk_insert("Repair Work Order", job_fields, jobs, chunk_size=CHUNK)
			frappe.db.commit()
			tickets, jobs = [], []
			print(f"  {i + 1:,} cases", flush=True)
	frappe.db.bulk_insert("Service Ticket", ticket_fields, tickets, chunk_size=CHUNK)
	frappe.db.bulk_insert("Repair Work Order", job_fields, jobs, chunk_size=CHUNK)
	load_job_logs(rng)
	frappe.db.commit()


def load_job_logs(rng) -> None:
	"""R26: one log a day per property in 2025, five jobs each, most reconciled."""
	log_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "log_date", "property",
		"kept_by", "reconciled", "reconciled_by", "reconciled_at", "open_items",
	]  # fmt: skip
	entry_fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "parent", "parenttype",
		"parentfield", "subject", "status", "is_open",
	]  # fmt: skip
	logs, entries = [], []
	for prop in PROPERTIES:
		day = date(2025, 1, 1)
		while day < date(2026, 1, 1):
			name = f"LOG-{prop}-{day}"
			when = datetime.combine(day, datetime.min.time()) + timedelta(hours=18)
			reconciled = rng.random() < 0.9
			logs.append((
				name, when, when, "Administrator", "Administrator", 0, 0, day, prop, "Administrator",
				int(reconciled), "Administrator" if reconciled else None,
				when + timedelta(days=1) if reconciled else None, 1,
			))  # fmt: skip
			for j in range(5):
				entries.append((
					f"{name}-{j}", when, when, "Administrator", "Administrator", 0, j + 1, name,
					"Maintenance Job Log", "entries", f"基准工作 {j}", "Completed", int(j == 0),
				))  # fmt: skip
			day += timedelta(days=1)
	frappe.db.bulk_insert("Maintenance Job Log", log_fields, logs, chunk_size=CHUNK)
	frappe.db.bulk_insert("Job Log Entry", entry_fields, entries, chunk_size=CHUNK)


# -- the hand-written GROUP BY of each report ---------------------------------------------------------------

PERIOD = {"start": START, "end": END, "now": datetime(2026, 1, 1)}


def hand_case_timeliness():
	return frappe.db.sql(
		"""select property, count(*), sum(handled_at <= kpi_due_at)
		from `tabService Ticket`
		where call_started_at >= %(start)s and call_started_at < %(end)s
			and ticket_type in ('Repair', 'Paid Service', 'Complaint', 'Service Request')
		group by property""",
		PERIOD,
	)


def hand_case_by_month():
	return frappe.db.sql(
		"""select date_format(call_started_at, '%%Y-%%m'), count(*), sum(handled_at <= kpi_due_at)
		from `tabService Ticket`
		where call_started_at >= %(start)s and call_started_at < %(end)s
			and ticket_type in ('Repair', 'Paid Service', 'Complaint', 'Service Request')
		group by 1""",
		PERIOD,
	)


def hand_repair_kpi():
	return frappe.db.sql(
		"""select property, count(*), sum(dispatched_class = 'Minor or Urgent' and completed_at <= kpi_due_at),
			sum(rework_of is not null)
		from `tabRepair Work Order`
		where completed_at >= %(start)s and completed_at < %(end)s
		group by property""",
		PERIOD,
	)


def hand_monthly_summary():
	return frappe.db.sql(
		"""select property, count(*), sum(status in ('Open', 'In Progress'))
		from `tabService Ticket`
		where call_started_at >= %(start)s and call_started_at < %(end)s
			and ticket_type in ('Repair', 'Paid Service')
		group by property""",
		PERIOD,
	)


def hand_job_logs():
	"""R26 is a list of logs, not a count: the hand-written query returns the same columns, one row per log."""
	return frappe.db.sql(
		"""select l.name, l.property, l.log_date, l.kept_by, count(j.name), l.open_items, l.reconciled,
			l.reconciled_by, l.reconciled_at, date_add(l.log_date, interval 2 day),
			(l.reconciled = 0 and date_add(l.log_date, interval 2 day) < %(now)s)
		from `tabMaintenance Job Log` l left join `tabJob Log Entry` j on j.parent = l.name
		where l.log_date >= %(start)s and l.log_date < %(end)s
		group by l.name order by l.log_date desc, l.property limit 5000""",
		PERIOD,
	)


def hand_complaints():
	return frappe.db.sql(
		"""select complaint_ground, count(*)
		from `tabService Ticket`
		where call_started_at >= %(start)s and call_started_at < %(end)s and ticket_type = 'Complaint'
		group by complaint_ground""",
		PERIOD,
	)


def hand_complaints_by_team():
	return frappe.db.sql(
		"""select routed_to_level, count(*)
		from `tabService Ticket`
		where call_started_at >= %(start)s and call_started_at < %(end)s and ticket_type = 'Complaint'
		group by routed_to_level""",
		PERIOD,
	)


PAIRS = [
	("R29 Case Timeliness", "Case Timeliness", {**YEAR, "group_by": "Property"}, hand_case_timeliness),
	("R29 by month", "Case Timeliness", {**YEAR, "group_by": "Month"}, hand_case_by_month),
	("R30 Repair KPI", "Repair KPI", {**YEAR, "group_by": "Property"}, hand_repair_kpi),
	("R27 Monthly Repair Summary", "Monthly Repair Summary", dict(YEAR), hand_monthly_summary),
	("R26 Job Log Reconciliation", "Job Log Reconciliation", dict(YEAR), hand_job_logs),
	("R32 Complaint Analysis", "Complaint Analysis", {**YEAR, "group_by": "Ground"}, hand_complaints),
	("R32 by team", "Complaint Analysis", {**YEAR, "group_by": "Team"}, hand_complaints_by_team),
]


def timed(fn) -> float:
	t = time.perf_counter()
	fn()
	return time.perf_counter() - t


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("BENCH_SITE", "bench.helpdesk.local"))
	parser.add_argument("--cases", type=int, default=1_000_000)
	parser.add_argument("--repeat", type=int, default=5)
	parser.add_argument("--reload", action="store_true", help="load the data again")
	parser.add_argument("--drop", action="store_true", help="remove the benchmark data and stop")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	if args.drop:
		drop()
		print("benchmark data removed")
		return
	have = frappe.db.sql(f"select count(*) from `tabService Ticket` where name like '{PREFIX}%%'")[0][0]
	if args.reload or have != args.cases:
		drop()
		units = ensure_masters()
		t = time.perf_counter()
		load(args.cases, units)
		print(
			f"loaded {args.cases:,} cases with their work orders and job logs in {time.perf_counter() - t:.0f} s"
		)
	tickets = frappe.db.sql("select count(*) from `tabService Ticket`")[0][0]
	jobs = frappe.db.sql("select count(*) from `tabRepair Work Order`")[0][0]
	print(f"site {args.site}: {tickets:,} cases, {jobs:,} work orders")

	worst = 0.0
	print(
		f"{'report':30} {'report ms':>10} {'hand SQL ms':>12} {'ratio':>6}  (median of {args.repeat}, target <= 2)"
	)
	for label, report_name, filters, hand in PAIRS:
		timed(lambda: run_report(report_name, filters=filters, ignore_prepared_report=True))  # warm
		timed(hand)
		ours, theirs = [], []
		for _ in range(args.repeat):
			ours.append(timed(lambda: run_report(report_name, filters=filters, ignore_prepared_report=True)))
			theirs.append(timed(hand))
		o, h = statistics.median(ours), statistics.median(theirs)
		worst = max(worst, o / h)
		print(f"{label:30} {o * 1000:10.0f} {h * 1000:12.0f} {o / h:6.2f}")
	print(f"worst ratio {worst:.2f} ({'within' if worst <= 2 else 'NOT within'} 2 x)")
	frappe.destroy()
	sys.exit(0 if worst <= 2 else 1)


if __name__ == "__main__":
	main()
