"""Test data on the real site. The builders are the app's own (property_helpdesk/setup/builders.py, which the
demo uses too); this module gives them the tests' password and adds what only tests need: clearing what a test
committed and a logged-in HTTP session. Everything is made inside the test's transaction unless a test commits.
"""

import base64
import contextlib
import struct
import zlib

import frappe

from property_helpdesk.constants import (
	CASE,
	ESCALATION,
	LIAISON_SHEET,
	PROPERTY,
	RESIDENT_MESSAGE,
	RETURN_VISIT,
	SETTINGS,
	WORK_ORDER,
)
from property_helpdesk.setup import builders

# re-exported: the tests import their builders from here
from property_helpdesk.setup.builders import (
	make_customer,
	make_developer,
	make_property,
	make_resident,
	make_service_invoice,
	make_ticket,
	make_unit,
	make_warranty_plan,
	pay_invoice,
	ticket_values,
	warranty_rule,
	work_order_of,
)

PASSWORD = "Test@Helpdesk-2026"


def make_user(email: str, *roles: str, user_type: str = "System User", mobile: str | None = None) -> str:
	"""A user with `roles` who logs in with the tests' PASSWORD."""
	return builders.make_user(email, *roles, user_type=user_type, mobile=mobile, password=PASSWORD)


def delete_cases(property_name: str) -> None:
	"""Remove what tests committed for a property's cases: files, work orders, visits, escalations, messages to
	residents, the cases."""
	tickets = frappe.get_all(CASE, {"property": property_name}, pluck="name")
	if not tickets:
		return
	for name in frappe.get_all(
		"File", {"attached_to_doctype": CASE, "attached_to_name": ("in", tickets)}, pluck="name"
	):
		frappe.delete_doc("File", name, force=True, ignore_permissions=True)
	work_orders = frappe.get_all(WORK_ORDER, {"service_ticket": ("in", tickets)}, pluck="name")
	for reference_type, names in ((CASE, tickets), (WORK_ORDER, work_orders)):
		if names:
			frappe.db.delete("ToDo", {"reference_type": reference_type, "reference_name": ("in", names)})
	for doctype in (RETURN_VISIT, WORK_ORDER, ESCALATION, RESIDENT_MESSAGE):
		frappe.db.delete(doctype, {"service_ticket": ("in", tickets)})
	frappe.db.delete(CASE, {"name": ("in", tickets)})
	frappe.db.delete("__global_search", {"doctype": CASE, "name": ("in", tickets)})  # as delete_doc would


def login_session(base_url: str, user: str, page: str):
	"""A browser-like HTTP session: password login, then `page`, which hands out the CSRF token for POSTs."""
	import re

	import requests

	session = requests.Session()
	response = session.post(f"{base_url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30)
	response.raise_for_status()
	html = session.get(f"{base_url}{page}", timeout=60).text
	session.headers["X-Frappe-CSRF-Token"] = re.search(r'csrf_token\s*=\s*"([^"]+)"', html).group(1)
	return session


def outgoing_account(name: str = "Helpdesk Test Outgoing", email_id: str = "helpdesk@tests.test") -> str:
	"""A default outgoing Email Account on loopback, so that mail is queued (Email Queue) as on a live site."""
	if not frappe.db.exists("Email Account", name):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": email_id,
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
			}
		).insert(ignore_permissions=True)
	return name


def drop_outgoing_account(name: str) -> None:
	"""Remove a committed outgoing account and every cache of it."""
	frappe.delete_doc("Email Account", name, force=True, ignore_permissions=True)
	frappe.db.commit()
	frappe.local.outgoing_email_account = {}
	frappe.cache.delete_value("outgoing_email_account")
	frappe.clear_cache()


ASSIGNMENT_JOBS = (
	"property_helpdesk.services.notify.assign_now",
	"property_helpdesk.services.notify.unassign_now",
)


def run_queued_jobs(match) -> None:
	"""What a background worker does with the jobs the web server queued as its request committed, for those
	whose (method, arguments) `match` (no worker runs beside the test site): each is run here, as its user, and
	taken off the queue."""
	from frappe.utils.background_jobs import get_queues

	user = frappe.session.user
	for queue in get_queues():
		for job in queue.jobs:
			job_args = job.kwargs or {}
			call = job_args.get("kwargs") or {}
			if job_args.get("site") == frappe.local.site and match(job_args.get("method"), call):
				frappe.set_user(job_args["user"])
				try:
					frappe.get_attr(job_args["method"])(**call)
				finally:
					frappe.set_user(user)
				job.delete()
	frappe.db.commit()


def run_assignment_jobs(doctype: str, name: str, methods=ASSIGNMENT_JOBS) -> None:
	"""The assignments queued for one document, run as a worker would (`run_queued_jobs`)."""
	run_queued_jobs(
		lambda method, call: method in methods and (call.get("doctype"), call.get("name")) == (doctype, name)
	)


@contextlib.contextmanager
def work_orders_refused():
	"""A site customised so that a case's work order cannot be saved (Repair Work Order's "Work Done" made
	mandatory by a Property Setter, as a System Manager could): the case's save fails after its acceptor was
	assigned. Committed, so the site's web server sees it too, and taken away afterwards."""
	from frappe.custom.doctype.property_setter.property_setter import make_property_setter

	setter = make_property_setter(WORK_ORDER, "work_done", "reqd", "1", "Check", is_system_generated=False)
	frappe.db.commit()  # nosemgrep: the web server's requests must see the customisation
	frappe.clear_cache(doctype=WORK_ORDER)
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Property Setter", setter.name, ignore_permissions=True, force=True)
		frappe.db.commit()  # nosemgrep
		frappe.clear_cache(doctype=WORK_ORDER)


@contextlib.contextmanager
def no_quiet_hours():
	"""Settings' quiet hours (22:00–07:00 by default: SMS to residents held until morning) lifted for a test
	that is not about them, so what it asserts does not depend on the hour it runs at; committed, restored."""
	fields = ("quiet_hours_from", "quiet_hours_to")

	def set_hours(values):  # saved as a document: the messages service reads Settings from Frappe's cache
		settings = frappe.get_doc("Property Helpdesk Settings")
		settings.update(values)
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the site's web server and workers must see it

	before = frappe.db.get_value("Property Helpdesk Settings", None, fields, as_dict=True)
	set_hours(dict.fromkeys(fields, "00:00:00"))
	try:
		yield
	finally:
		set_hours({f: before[f] for f in fields})


def png(width: int = 2, height: int = 2) -> bytes:
	"""A real PNG picture of `width` × `height` pixels."""

	def chunk(kind, data):
		return (
			struct.pack(">I", len(data))
			+ kind
			+ data
			+ struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
		)

	raw = b"".join(b"\x00" + b"\x00\x80\xff" * width for _ in range(height))
	header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
	return (
		b"\x89PNG\r\n\x1a\n"
		+ chunk(b"IHDR", header)
		+ chunk(b"IDAT", zlib.compress(raw))
		+ chunk(b"IEND", b"")
	)


SIGNATURE = "data:image/png;base64," + base64.b64encode(png(40, 10)).decode()


def ensure_fiscal_years(days_ahead: int = 2) -> list[str]:
	"""ERPNext's fiscal years cover today and the next `days_ahead` days, so that a run on the 1st of January (or
	one that crosses midnight into it) posts its invoices: complete_erpnext_setup makes only the year the site was
	set up in, and ERPNext's daily auto_create_fiscal_year, which adds each next year on a live site, does not run
	on the test site (its scheduler is paused). Each next year is made as that job makes it (the day after the
	last one ends, a year long, for the same companies); committed. Returns the years made."""
	from frappe.utils import add_days, add_years, getdate, today

	rows = frappe.get_all(
		"Fiscal Year",
		filters={"disabled": 0, "is_short_year": 0},
		pluck="name",
		order_by="year_end_date desc",
		limit=1,
	)
	if not rows:
		return []  # ERPNext not set up: complete_erpnext_setup makes the first year
	last, made = frappe.get_doc("Fiscal Year", rows[0]), []
	until = getdate(add_days(today(), days_ahead))
	while getdate(last.year_end_date) < until:
		start, end = getdate(add_days(last.year_end_date, 1)), getdate(add_years(last.year_end_date, 1))
		year = str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
		if frappe.db.exists("Fiscal Year", year):
			break  # a year of that name the site keeps (disabled): left as it is
		last = frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": year,
				"year_start_date": start,
				"year_end_date": end,
				"companies": [{"company": row.company} for row in last.companies],
				"auto_created": 1,
			}
		).insert(ignore_permissions=True)
		made.append(last.name)
	if made:
		frappe.db.commit()  # nosemgrep: the site's web server and workers post invoices too
	return made


def give_property(user: str, prop: str) -> None:
	"""The framework's way: a User Permission on the Property, applying to every DocType."""
	if not frappe.db.exists("User Permission", {"user": user, "allow": PROPERTY, "for_value": prop}):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": PROPERTY,
				"for_value": prop,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)


# R40: a liaison sheet's way through its Workflow, each step by the post (a key of the caller's users) taking it
SHEET_PATH = [
	("Draft", "director", "Sign"),
	("Director Signed", "csm", "Review"),
	("CS Reviewed", "gm", "Sign"),
	("GM Signed", "csm", "Send to Developer"),
	("Sent to Developer", "csm", "Record Reply"),
	("Replied", "csm", "Close"),
]


def liaison_sheet_values(
	property_name: str,
	tickets: list[str],
	purpose: str = "Developer-Liable Repair",
	amounts: list[float] | None = None,
	liable_party: str = "Developer",
) -> dict:
	"""A 工作联系单 (R17, R40) about `tickets` of a property, to the property's developer, as it is drafted."""
	amounts = amounts or [0] * len(tickets)
	return {
		"doctype": LIAISON_SHEET,
		"subject": "卫生间渗漏维修确认",
		"purpose": purpose,
		"developer": frappe.db.get_value(PROPERTY, property_name, "developer"),
		"property": property_name,
		"liable_party": liable_party,
		"content": "请确认维修责任及费用。",
		"cases": [{"service_ticket": t, "amount": a} for t, a in zip(tickets, amounts, strict=True)],
	}


def bring_sheet_to(name: str, state: str, users: dict[str, str]) -> None:
	"""The sheet taken along SHEET_PATH by Frappe's workflow until it is in `state`, each step as `users[post]`
	(the developer's decision entered before its reply is recorded)."""
	from frappe.model.workflow import apply_workflow

	session_user = frappe.session.user
	for at, who, action in SHEET_PATH:
		if at == state:
			return
		if action == "Record Reply":
			frappe.db.set_value(LIAISON_SHEET, name, "reply_decision", "Confirmed")
		frappe.set_user(users[who])
		try:
			apply_workflow(frappe.get_doc(LIAISON_SHEET, name), action)
		finally:
			frappe.set_user(session_user)


def settings_for_the_test(test, **values) -> None:
	"""Property Helpdesk Settings hold `values` during `test` (committed: the web server and the workers read
	them), and what they held before after it."""
	before = frappe.db.get_value(SETTINGS, None, list(values), as_dict=True)
	frappe.db.set_single_value(SETTINGS, values)
	frappe.db.commit()

	def restore():
		frappe.db.rollback()
		frappe.db.set_single_value(SETTINGS, before)
		frappe.db.commit()

	test.addCleanup(restore)
