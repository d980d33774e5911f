"""The escalation job on 100,000 open cases of which 100 are due, side by side with the approach frappe/helpdesk
takes for its SLA job (load every open case and check it in Python), same data, same run.

    benchmarks/run.sh escalation [--cases 100000 --due 100]

Counts come from MariaDB's own session counters around one run of the job: `Questions` (statements sent) and
`Rows_read` (rows the server read). The job's transaction is rolled back afterwards so it can be run again.
Targets (issue #3): at most 20 + 3 × due statements, at most 3 × due rows read, at least 50 × faster.

Which index serves which query: `next_escalation_at` (Service Ticket, search_index) serves the due-case range
read; the primary key serves the cases' one multi-row update and the read of which Escalation records exist
(by name, their unique key); `tabProperty`, `tabHas Role`, `tabUser` and `tabNotification Settings` lookups
use their keys.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from property_helpdesk.services import escalation
from property_helpdesk.services.clocks import DEADLINE_FIELDS

PREFIX = "BENCH-ESC-"


def load(cases: int, due: int, now) -> None:
	from tests.integration.factories import make_property, make_unit, make_user

	agent = make_user("bench-esc@clocks.bench", "Property Duty Staff")
	prop = make_property("基准时限楼盘", "Parent Developer", "2020-01-01")
	unit = make_unit(prop, "1幢", "101", "2021-01-01")
	cleanup()
	fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
		"ticket_type", "channel", "call_started_at", "unit", "property", "contact_name", "contact_phone",
		"subject", "description", "status", "acceptor", "follow_up_owner", "answer_deadline",
		"next_escalation_at", "reminder_count", "paused_minutes",
	]  # fmt: skip
	rows = []
	for i in range(cases):
		# the first `due` cases passed their 3-day answer limit a minute ago; the rest are hours away from it
		deadline = add_to_date(now, minutes=-1) if i < due else add_to_date(now, hours=1 + i % 60)
		called = add_to_date(deadline, days=-3)
		rows.append((
			f"{PREFIX}{i:07d}", called, called, agent, agent, 0, 0, "PH-.YYYY.-",
			"Complaint", "Phone", called, unit, prop, "基准业主", "13800138000",
			f"基准投诉 {i}", "基准数据", "Open", agent, agent, deadline, deadline, 0, 0,
		))  # fmt: skip
	frappe.db.bulk_insert("Service Ticket", fields, rows, chunk_size=5000)
	frappe.db.commit()


def cleanup() -> None:
	"""The benchmark's cases and whatever a scheduler on the site escalated of them meanwhile."""
	frappe.db.delete("Escalation", {"service_ticket": ("like", PREFIX + "%")})
	frappe.db.delete("Notification Log", {"document_name": ("like", PREFIX + "%")})
	frappe.db.delete("Service Ticket", {"name": ("like", PREFIX + "%")})


def counters() -> dict:
	return {
		name: int(value)
		for name, value in frappe.db.sql(
			"show session status where Variable_name in ('Questions', 'Rows_read')"
		)
	}


def helpdesk_way(now) -> list[str]:
	"""frappe/helpdesk's update_sla_status_in_ticket shape: every open case, checked one by one in Python."""
	open_cases = frappe.get_all(
		"Service Ticket",
		filters={"status": ("in", ["Open", "In Progress"])},
		fields=["name", "follow_up_owner", "property", *DEADLINE_FIELDS.values()],
	)
	return [
		case.name
		for case in open_cases
		if any(case[f] and get_datetime(case[f]) <= now for f in DEADLINE_FIELDS.values())
	]


def measure(args, now, ours: list, theirs: list) -> tuple:
	"""Both ways, `repeat` times on the same data; the job's (steps, statements, rows read) of the last run."""
	stats = None
	for _ in range(args.repeat):
		before = counters()
		t = time.perf_counter()
		steps = escalation.run(now=now)
		ours.append(time.perf_counter() - t)
		after = counters()
		stats = (
			steps,
			after["Questions"] - before["Questions"] - 1,
			after["Rows_read"] - before["Rows_read"],
		)
		frappe.db.rollback()
		if steps < args.due:  # (the site's own cases due by then are escalated too, by both ways)
			raise SystemExit(f"{steps} steps for {args.due} due cases: something else took them")

		t = time.perf_counter()
		due = helpdesk_way(now)
		theirs.append(time.perf_counter() - t)
		assert len(due) >= args.due, len(due)
	return stats


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("TEST_SITE", "test.helpdesk.local"))
	parser.add_argument("--cases", type=int, default=100_000)
	parser.add_argument("--due", type=int, default=100)
	parser.add_argument("--repeat", type=int, default=5)
	parser.add_argument("--keep", action="store_true", help="leave the benchmark cases on the site")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	# The job runs at a moment five minutes ahead: the cases it finds due are not yet due for a scheduler running
	# the real job on the site meanwhile (which would take them and void the samples); the run takes ~1 minute.
	now = add_to_date(now_datetime(), minutes=5)
	t = time.perf_counter()
	load(args.cases, args.due, now)
	print(
		f"loaded {args.cases} open cases ({args.due} due) with bulk_insert in {time.perf_counter() - t:.1f} s"
	)

	ours, theirs = [], []
	try:
		steps, queries, rows_read = measure(args, now, ours, theirs)
	finally:
		if not args.keep:
			cleanup()
			frappe.db.commit()
	ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
	print(f"escalation job: {steps} steps for {args.due} due cases")
	print(f"  statements: {queries}  (limit 20 + 3 x {args.due} = {20 + 3 * args.due})")
	print(f"  rows read:  {rows_read}  (limit 3 x {args.due} = {3 * args.due})")
	print(
		f"  time (median of {args.repeat}): ours {ours_s * 1000:.1f} ms, load-every-open-case {theirs_s * 1000:.1f} ms"
	)
	print(f"  ratio: {theirs_s / ours_s:.0f} x faster  (target >= 50)")
	frappe.destroy()


if __name__ == "__main__":
	main()
