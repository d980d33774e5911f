"""The resident portal's "my cases" page with 1,000 and then 1,000,000 cases on the site, same resident, same run.

    benchmarks/run.sh portal [--cases 1000000 --small 1000]

Runs on a benchmark-only site of its own (BENCH_SITE, portal.helpdesk.local; benchmarks/run.sh creates it) whose
cases it replaces: the resident's two units hold 120 cases in both phases, the rest of the site's cases belong to 10,000
other units. Measured in both phases:

- statements the page sends (MariaDB's session counter `Questions` around the page's get_context) for page sizes
  10, 20 and 100 — target: the same number whatever the page size and whatever the site holds;
- the page over real HTTP (GET /my_cases as the resident, median of --repeat) and the page's query alone
  (in-process, median) — target: with 1,000,000 cases within 2 × of the time with 1,000; Frappe's own portal
  page /me for the same user on the same server is timed alongside, as the framework's baseline.

Which index serves the page: (unit, creation) on Service Ticket (ServiceTicket.on_doctype_update); EXPLAIN is
printed for the record.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe
import requests
from frappe.utils import add_to_date, now_datetime

PROPERTY = "基准门户楼盘"
RESIDENT = "bench-resident@portal.bench"
PASSWORD = "Bench@Portal-2026"
MINE = 120  # the resident's cases, in both phases
OTHER_UNITS = 10_000
FIELDS = [
	"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "naming_series",
	"ticket_type", "channel", "call_started_at", "unit", "property", "contact_name", "contact_phone",
	"subject", "description", "status", "acceptor", "follow_up_owner", "follow_up_owner_name",
	"reminder_count", "paused_minutes",
]  # fmt: skip


def set_up() -> list[str]:
	"""The property, the resident's two units and the 10,000 other units (bulk), the resident and the user."""
	from frappe.utils.password import update_password

	if not frappe.db.exists("Property Developer", "基准开发商"):
		frappe.get_doc(
			{
				"doctype": "Property Developer",
				"developer_name": "基准开发商",
				"developer_type": "Parent Developer",
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Property", PROPERTY):
		frappe.get_doc(
			{
				"doctype": "Property",
				"property_name": PROPERTY,
				"developer": "基准开发商",
				"completion_acceptance_date": "2020-01-01",
				"management_office": "基准管理处",
			}
		).insert(ignore_permissions=True)
	units = [f"{PROPERTY}-1幢-{n}" for n in (101, 102)]
	existing = set(frappe.get_all("Property Unit", {"property": PROPERTY}, pluck="name"))
	now = now_datetime()
	rows = [
		(
			f"{PROPERTY}-{b}-{n}",
			now,
			now,
			"Administrator",
			"Administrator",
			0,
			PROPERTY,
			b,
			str(n),
			"2021-01-01",
		)
		for b, n in [("1幢", 101), ("1幢", 102)]
		+ [(f"{i // 100 + 2}幢", 100 + i % 100) for i in range(OTHER_UNITS)]
		if f"{PROPERTY}-{b}-{n}" not in existing
	]
	frappe.db.bulk_insert(
		"Property Unit",
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "property", "building", "unit_no",
			"handover_date"],
		rows,
		chunk_size=5000,
	)  # fmt: skip
	if not frappe.db.exists("User", RESIDENT):
		frappe.get_doc(
			{"doctype": "User", "email": RESIDENT, "first_name": "基准业户", "user_type": "Website User",
				"send_welcome_email": 0, "roles": [{"role": "Property Resident"}]}
		).insert(ignore_permissions=True)  # fmt: skip
	update_password(RESIDENT, PASSWORD)
	if not frappe.db.exists("Resident", {"user": RESIDENT}):
		frappe.get_doc(
			{
				"doctype": "Resident",
				"resident_name": "基准业户",
				"phone": "13900009999",
				"user": RESIDENT,
				"units": [{"unit": u, "relation": "Owner"} for u in units],
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return units


def load_cases(start: int, stop: int, mine: list[str]) -> None:
	"""Cases start…stop-1: the first MINE on the resident's units, the others spread over the other units."""
	now = now_datetime()
	buildings = [(f"{i // 100 + 2}幢", 100 + i % 100) for i in range(OTHER_UNITS)]
	chunk = []
	for i in range(start, stop):
		if i < MINE:
			unit = mine[i % 2]
		else:
			b, n = buildings[i % OTHER_UNITS]
			unit = f"{PROPERTY}-{b}-{n}"
		at = add_to_date(now, minutes=-i)
		chunk.append((
			f"BENCH-PORTAL-{i:07d}", at, at, "Administrator", "Administrator", 0, 0, "PH-.YYYY.-",
			"Repair", "Portal", at, unit, PROPERTY, "基准业户", "13900009999", f"基准报修 {i}", "基准数据",
			"Open" if i % 7 else "Closed", "Administrator", "Administrator", "管理员", i % 3, 0,
		))  # fmt: skip
		if len(chunk) == 20_000:
			frappe.db.bulk_insert("Service Ticket", FIELDS, chunk, chunk_size=5000)
			frappe.db.commit()
			chunk = []
	if chunk:
		frappe.db.bulk_insert("Service Ticket", FIELDS, chunk, chunk_size=5000)
	frappe.db.commit()


def statements(fn) -> int:
	before = dict(frappe.db.sql("show session status like 'Questions'"))["Questions"]
	fn()
	after = dict(frappe.db.sql("show session status like 'Questions'"))["Questions"]
	return int(after) - int(before) - 1


def page_statements(page_length: int) -> int:
	from property_helpdesk.api import portal
	from property_helpdesk.www.my_cases import index

	frappe.set_user(RESIDENT)
	frappe.local.session.data.csrf_token = "benchmark"  # as in a web request's session
	frappe.local.form_dict = frappe._dict(start=0)
	saved = portal.PAGE_LENGTH, index.PAGE_LENGTH
	index.PAGE_LENGTH = page_length
	try:
		frappe.get_roles()  # the session's roles are cached by the time a page runs
		count = statements(lambda: index.get_context(frappe._dict()))
	finally:
		portal.PAGE_LENGTH, index.PAGE_LENGTH = saved
		frappe.set_user("Administrator")
	return count


def query_time(repeat: int) -> float:
	from property_helpdesk.api.portal import my_cases

	frappe.set_user(RESIDENT)
	for _ in range(10):  # warm the buffer pool: both phases are measured warm
		my_cases(0, 20)
	times = []
	for _ in range(repeat):
		t = time.perf_counter()
		rows, _more = my_cases(0, 20)
		times.append(time.perf_counter() - t)
	frappe.set_user("Administrator")
	assert len(rows) == 20 and all(r.unit.startswith(f"{PROPERTY}-1幢-10") for r in rows), rows[:2]
	return statistics.median(times)


def http_time(
	base_url: str, repeat: int, path: str = "/my_cases", expect: str = "BENCH-PORTAL-0000000"
) -> float:
	session = requests.Session()
	session.post(
		f"{base_url}/api/method/login", data={"usr": RESIDENT, "pwd": PASSWORD}, timeout=30
	).raise_for_status()
	session.get(f"{base_url}{path}", timeout=60).raise_for_status()  # warm
	times = []
	for _ in range(repeat):
		t = time.perf_counter()
		response = session.get(f"{base_url}{path}", timeout=60)
		times.append(time.perf_counter() - t)
		assert response.status_code == 200 and expect in response.text, (path, response.status_code)
	return statistics.median(times)


def measure(label: str, base_url: str, repeat: int) -> dict:
	frappe.db.sql("analyze table `tabService Ticket`")
	total = frappe.db.count("Service Ticket")
	result = {
		"cases": total,
		"statements": {n: page_statements(n) for n in (10, 20, 100)},
		"query_ms": query_time(repeat * 5) * 1000,
		"http_ms": http_time(base_url, repeat) * 1000,
		# the framework's own portal page for the same user, same server: what any Frappe page costs
		"baseline_ms": http_time(base_url, repeat, "/me", "基准业户") * 1000,
	}
	print(
		f"{label}: {total:>9,} cases on the site | statements for page size 10/20/100: "
		f"{'/'.join(str(v) for v in result['statements'].values())} | query {result['query_ms']:.2f} ms | "
		f"GET /my_cases {result['http_ms']:.1f} ms, Frappe's GET /me {result['baseline_ms']:.1f} ms (medians)"
	)
	return result


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("BENCH_SITE", "portal.helpdesk.local"))
	parser.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", "http://127.0.0.1:8002"))
	parser.add_argument("--small", type=int, default=1_000)
	parser.add_argument("--cases", type=int, default=1_000_000)
	parser.add_argument("--repeat", type=int, default=20)
	parser.add_argument("--wipe", action="store_true", help="delete the site's other cases first")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	others = frappe.db.count("Service Ticket", {"name": ("not like", "BENCH-PORTAL-%")})
	if others and not args.wipe:
		sys.exit(f"{args.site} holds {others:,} cases that are not this benchmark's: give it a site of its own"
			" (the default portal.helpdesk.local), or --wipe to delete them")  # fmt: skip
	mine = set_up()
	# a benchmark-only site: its cases are replaced by the benchmark's
	frappe.db.sql("delete from `tabService Ticket`")
	frappe.db.commit()
	t = time.perf_counter()
	load_cases(0, args.small, mine)
	print(f"loaded {args.small:,} cases in {time.perf_counter() - t:.1f} s")
	small = measure("small", args.base_url, args.repeat)
	t = time.perf_counter()
	load_cases(args.small, args.cases, mine)
	print(
		f"loaded {args.cases - args.small:,} more cases with bulk_insert in {time.perf_counter() - t:.1f} s"
	)
	large = measure("large", args.base_url, args.repeat)

	print(
		"EXPLAIN:",
		frappe.db.sql(
			"explain select name from `tabService Ticket` where unit in %s order by creation desc limit 21",
			[tuple(mine)],
			as_dict=True,
		),
	)
	same = len(set(small["statements"].values()) | set(large["statements"].values())) == 1
	print(f"statements independent of page size and of the site's size: {'yes' if same else 'NO'}")
	for key, label in (
		("http_ms", "GET /my_cases"),
		("query_ms", "the page's query"),
		("baseline_ms", "GET /me"),
	):
		ratio = large[key] / small[key]
		print(f"{label}: {large[key]:.2f} ms with {large['cases']:,} vs {small[key]:.2f} ms with {small['cases']:,}"
			f" -> {ratio:.2f} x (target <= 2)")  # fmt: skip
	frappe.destroy()


if __name__ == "__main__":
	main()
