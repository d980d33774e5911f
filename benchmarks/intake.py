"""Intake throughput over REST: Service Tickets vs bare ToDos, same site, same server, same run.

    benchmarks/run.sh intake [-n 300]

Both kinds go through POST /api/resource/<DocType> with the same API-key session, in alternating batches so
both see the same machine. A Service Ticket does what intake needs (link and phone checks, the liability
proposal from unit, property and warranty rule, the follow-up owner); a ToDo is Frappe's own baseline of a
small document. Prints both rates and their ratio (the issue asks for at least 0.5).
"""

import argparse
import os
import sys
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe

BENCH_USER = "bench-agent@intake.bench"


def setup() -> requests.Session:
	from frappe.core.doctype.user.user import generate_keys

	from tests.integration.factories import make_property, make_unit, make_user

	make_user(BENCH_USER, "Property Duty Staff")
	unit = make_unit(
		make_property("基准测试楼盘", "Parent Developer", "2020-01-01"), "1幢", "101", "2021-01-01"
	)
	secret = generate_keys(BENCH_USER)["api_secret"]
	frappe.db.commit()
	session = requests.Session()
	session.headers["Authorization"] = f"token {frappe.db.get_value('User', BENCH_USER, 'api_key')}:{secret}"
	session.unit = unit
	return session


def ticket_payload(unit: str, i: int) -> dict:
	return {
		"ticket_type": "Repair",
		"channel": "Phone",
		"unit": unit,
		"contact_name": "基准业主",
		"contact_phone": "13800138000",
		"subject": f"卫生间渗漏 #{i}",
		"description": "楼下天花板有水渍，疑似防水层破损。",
		"location": "Private Part",
		"is_quality_defect": 1,
		"warranty_rule": frappe.db.get_value("Warranty Rule", {"component": "卫生间、房间和外墙面防渗漏"}),
	}


def post(session, url, doctype, payload) -> None:
	response = session.post(f"{url}/api/resource/{doctype}", json=payload, timeout=60)
	if response.status_code != 200:
		raise SystemExit(f"{doctype}: HTTP {response.status_code}: {response.text[:300]}")


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default=os.environ.get("TEST_SITE", "test.helpdesk.local"))
	parser.add_argument("--url", default=os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001"))
	parser.add_argument("-n", type=int, default=300, help="documents of each kind")
	parser.add_argument("--batch", type=int, default=25)
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	session = setup()
	ticket = ticket_payload(session.unit, 0)
	todo = {"description": "基准待办", "allocated_to": BENCH_USER}

	for i in range(10):  # warm both code paths and the workers' caches
		post(session, args.url, "Service Ticket", ticket | {"subject": f"warm-up {i}"})
		post(session, args.url, "ToDo", todo)

	elapsed = {"Service Ticket": 0.0, "ToDo": 0.0}
	done = 0
	while done < args.n:
		size = min(args.batch, args.n - done)
		for doctype, payload in (("Service Ticket", ticket), ("ToDo", todo)):
			start = time.perf_counter()
			for i in range(size):
				post(
					session,
					args.url,
					doctype,
					payload | ({"subject": f"卫生间渗漏 #{done + i}"} if doctype == "Service Ticket" else {}),
				)
			elapsed[doctype] += time.perf_counter() - start
		done += size

	rates = {doctype: args.n / seconds for doctype, seconds in elapsed.items()}
	ratio = rates["Service Ticket"] / rates["ToDo"]
	print(f"site {args.site}, {args.n} documents of each kind over REST, one client, keep-alive")
	print(f"  Service Ticket: {rates['Service Ticket']:7.1f} /s  ({elapsed['Service Ticket']:.2f} s)")
	print(f"  ToDo (baseline): {rates['ToDo']:6.1f} /s  ({elapsed['ToDo']:.2f} s)")
	print(f"  ratio Service Ticket / ToDo: {ratio:.2f}  (target >= 0.5)")

	tickets = frappe.get_all("Service Ticket", filters={"unit": session.unit}, pluck="name")
	jobs = frappe.get_all(
		"Repair Work Order", filters={"service_ticket": ("in", tickets or ["-"])}, pluck="name"
	)
	frappe.db.delete("ToDo", {"reference_name": ("in", (tickets + jobs) or ["-"])})
	for doctype in ("Repair Work Order", "Escalation"):
		frappe.db.delete(doctype, {"service_ticket": ("in", tickets or ["-"])})
	frappe.db.delete("Service Ticket", {"unit": session.unit})
	frappe.db.delete("ToDo", {"allocated_to": BENCH_USER})
	frappe.db.commit()
	frappe.destroy()
	if ratio < 0.5:
		print("  BELOW TARGET: a case must be taken at least half as fast as Frappe's bare ToDo")
		sys.exit(1)


if __name__ == "__main__":
	main()
