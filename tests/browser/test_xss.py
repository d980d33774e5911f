"""Stored XSS in a real browser (issue 15, "Attack"; R1, R8, R10, R34): the attack of tests/integration/test_xss.py
typed into a case, its work order and its return visit as Frappe saves them, shown on the desk's form (with its
timeline), list and script report to the agent, and — written raw by another road as well — on the resident's
/my_cases pages and the technician's phone pages. On every page no dialog opens, no script writes into the page
or its title, and the Jinja reads as typed. One visit per surface."""

import frappe
import pytest
from frappe.utils import add_days, today

from property_helpdesk.constants import CASE, CS_MANAGER, RESIDENT, RESIDENT_ROLE, TECHNICIAN, WORK_ORDER
from tests.browser.conftest import BASE_URL, login
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	work_order_of,
)
from tests.integration.test_xss import (
	EVALUATED,
	JINJA,
	MARKUP,
	PAYLOAD,
	PLAIN,
	work_for_this_property_only,
)

PROPERTY = "浏览器跨站楼盘"
DOMAIN = "xss-browser.test"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def attack(frappe_site):
	frappe.set_user("Administrator")
	manager = make_user(f"manager@{DOMAIN}", CS_MANAGER)
	technician = make_user(f"technician@{DOMAIN}", TECHNICIAN)
	resident_user = make_user(f"resident@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
	for user in (manager, technician, resident_user):
		frappe.db.set_value("User", user, "language", "zh")
	make_property(PROPERTY, area_administrator=manager)
	work_for_this_property_only(manager, PROPERTY)
	unit = make_unit(PROPERTY, "3幢", "301")
	resident = frappe.db.get_value(RESIDENT, {"user": resident_user})
	if not resident:
		resident = (
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": "浏览器跨站业主",
					"phone": "13712300021",
					"user": resident_user,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	frappe.set_user(manager)
	typed = make_ticket(unit, subject=PLAIN, description=PAYLOAD, resident=resident)
	raw = make_ticket(unit, subject="原样写入", resident=resident)
	frappe.set_user("Administrator")
	names = {}
	for key, case in (("typed", typed), ("raw", raw)):
		wo = work_order_of(case.name)
		wo.technician = technician
		if key == "typed":
			wo.work_done = PAYLOAD
		wo.save(ignore_permissions=True)
		names[key], names[f"{key}_wo"] = case.name, wo.name
	frappe.get_doc(
		{
			"doctype": "Return Visit",
			"service_ticket": typed.name,
			"work_order": names["typed_wo"],
			"channel": "Phone",
			"satisfaction": "Satisfied",
			"comments": PAYLOAD,
		}
	).insert(ignore_permissions=True)
	# by another road: the raw attack where the portal pages show text
	frappe.db.set_value(
		CASE,
		raw.name,
		{f: PAYLOAD for f in ("subject", "description", "contact_name")},
		update_modified=False,
	)
	frappe.db.set_value(WORK_ORDER, names["raw_wo"], "work_done", PAYLOAD, update_modified=False)
	frappe.db.commit()
	frappe.cache.delete_keys("property_helpdesk:portal:")
	yield {"manager": manager, "technician": technician, "resident": resident_user, **names}
	frappe.db.rollback()
	frappe.db.delete("Return Visit", {"service_ticket": ("in", (typed.name, raw.name))})
	delete_cases(PROPERTY)
	frappe.db.commit()


class Watch:
	"""What a page did that the attack would make it do: dialogs opened, and a title or body it wrote."""

	def __init__(self, page):
		self.page, self.dialogs = page, []
		page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

	def check(self, where: str, literal: str | None = JINJA) -> None:
		self.page.wait_for_timeout(800)  # an onerror fires when its image fails to load
		assert self.dialogs == [], f"{where}: a dialog opened: {self.dialogs}"
		title, body = self.page.title(), self.page.inner_text("body")
		for marker in EVALUATED:
			assert marker not in title and marker not in body, f"{where}: {marker}"
		if literal:
			assert literal in body, f"{where}: the text as typed"


def test_the_desk_form_list_and_report(browser, attack):
	context, page = login(browser, attack["manager"], PASSWORD)
	watch = Watch(page)
	try:
		page.goto(f"{BASE_URL}/app/service-ticket/{attack['typed']}")
		page.wait_for_function(
			f"() => window.cur_frm && cur_frm.doc && cur_frm.doc.name === '{attack['typed']}'", timeout=60_000
		)
		page.locator(".timeline-item").first.wait_for(timeout=30_000)
		watch.check("the case's form")
		assert JINJA in page.evaluate("() => cur_frm.doc.description")
		page.goto(f"{BASE_URL}/app/service-ticket?property={PROPERTY}")
		page.locator(".list-row").first.wait_for(timeout=60_000)
		watch.check("the case list")
		query = f"property={PROPERTY}&from_date={add_days(today(), -1)}&to_date={add_days(today(), 1)}&show_cases=1"
		page.goto(f"{BASE_URL}/app/query-report/Case Timeliness?{query}")
		page.locator(".dt-scrollable").get_by_text(attack["typed"]).first.wait_for(timeout=60_000)
		watch.check("the script report")
		page.goto(f"{BASE_URL}/app/repair-work-order/{attack['typed_wo']}")
		page.wait_for_function(
			f"() => window.cur_frm && cur_frm.doc && cur_frm.doc.name === '{attack['typed_wo']}'",
			timeout=60_000,
		)
		watch.check("the work order's form", literal=None)
	finally:
		context.close()


def test_the_resident_s_pages(browser, attack):
	context, page = login(browser, attack["resident"], PASSWORD, width=PHONE_WIDTH)
	watch = Watch(page)
	try:
		page.goto(f"{BASE_URL}/my_cases", wait_until="networkidle")
		watch.check("/my_cases")
		page.goto(f"{BASE_URL}/my_cases/{attack['raw']}", wait_until="networkidle")
		watch.check("the raw case's page")
		assert MARKUP in page.inner_text("body"), "the markup shows as text"
	finally:
		context.close()


def test_the_technician_s_phone_pages(browser, attack):
	context, page = login(browser, attack["technician"], PASSWORD, width=PHONE_WIDTH)
	watch = Watch(page)
	try:
		page.goto(f"{BASE_URL}/my_jobs", wait_until="domcontentloaded", timeout=90_000)
		page.locator(".ph-job").first.wait_for(timeout=30_000)
		watch.check("/my_jobs")
		page.goto(f"{BASE_URL}/my_jobs/{attack['raw_wo']}", wait_until="domcontentloaded", timeout=90_000)
		page.locator("#work_done").wait_for(timeout=30_000)
		watch.check("the raw job's page")
		assert PAYLOAD in page.input_value("#work_done"), "the technician's words as they are, to edit"
	finally:
		context.close()
