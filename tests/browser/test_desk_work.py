"""The work side of the desk in Chinese: the work order a case produced (R10, R15) and the approval actions of
a warranty repair plan offered to the right role only (R25). Screenshots go to $SCREENSHOTS_DIR (docs/screenshots with `scripts/test.sh --screenshots`)."""

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import (
	CASE,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	MAINTENANCE_SUPERVISOR,
	WARRANTY_PLAN,
	WORK_ORDER,
)
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	make_warranty_plan,
	work_order_of,
)

SUPERVISOR = "browser-supervisor@work.test"
ENGINEER = "browser-engineer@work.test"


@pytest.fixture(scope="module")
def work_data(frappe_site):
	agent = make_user("browser-work-agent@work.test", DUTY_STAFF)
	make_user(SUPERVISOR, MAINTENANCE_SUPERVISOR)
	make_user(ENGINEER, ENGINEERING_MANAGER)
	for user, name in ((SUPERVISOR, "维修主管老刘"), (ENGINEER, "工程部孙经理")):
		frappe.db.set_value("User", user, {"language": "zh", "first_name": name, "full_name": name})
	prop = make_property("派工浏览器楼盘")
	frappe.db.set_value("Property", prop, "maintenance_supervisor", SUPERVISOR)
	unit = make_unit(prop, "2幢", "203")
	frappe.set_user(agent)
	ticket = make_ticket(
		unit, subject="阳台推拉门卡死", call_started_at=add_to_date(now_datetime(), minutes=-30)
	)
	frappe.set_user("Administrator")
	wo = work_order_of(ticket.name)
	frappe.set_user(SUPERVISOR)
	plan = make_warranty_plan(wo.name, "更换推拉门滑轮及轨道", days=4)
	frappe.set_user("Administrator")
	frappe.db.commit()  # the web server reads through its own connection
	yield {"ticket": ticket.name, "work_order": wo.name, "plan": plan.name}
	frappe.db.delete(WARRANTY_PLAN, {"name": plan.name})
	frappe.db.delete(WORK_ORDER, {"service_ticket": ticket.name})
	frappe.db.delete(CASE, {"name": ticket.name})
	frappe.db.commit()


def open_form(page, doctype_route, name):
	page.goto(f"{BASE_URL}/app/{doctype_route}/{name}")
	page.wait_for_function(
		f"() => window.cur_frm && cur_frm.doc && cur_frm.doc.name === '{name}'", timeout=60_000
	)
	page.wait_for_timeout(800)


def test_r10_r15_supervisor_sees_the_dispatched_work_order(browser, work_data):
	context, page = login(browser, SUPERVISOR, PASSWORD)
	try:
		open_form(page, "repair-work-order", work_data["work_order"])
		body = page.inner_text("body")
		assert "维修派工单" in body and "已派工" in body and "阳台推拉门卡死" in body
		screenshot(page, "work-order-form.png")
	finally:
		context.close()


def test_r25_plan_actions_offered_only_to_the_role_that_may_take_them(browser, work_data):
	context, page = login(browser, SUPERVISOR, PASSWORD)
	try:
		open_form(page, "warranty-repair-plan", work_data["plan"])
		page.get_by_role("button", name="操作").first.click()
		page.get_by_text("提交审批").first.wait_for(timeout=15_000)
		screenshot(page, "warranty-plan-workflow.png")
	finally:
		context.close()
	context, page = login(browser, ENGINEER, PASSWORD)
	try:
		open_form(page, "warranty-repair-plan", work_data["plan"])
		assert page.get_by_role("button", name="操作").count() == 0  # nothing for the engineer in Draft
	finally:
		context.close()
