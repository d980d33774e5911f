"""The desk in Chinese: a duty agent takes a call in the intake form and finds it in the case list (R1, R5,
R7, R34). Screenshots go to $SCREENSHOTS_DIR (docs/screenshots with `scripts/test.sh --screenshots`)."""

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from property_helpdesk.constants import CASE, DUTY_STAFF, OFFICE_DIRECTOR
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_property,
	make_unit,
	make_user,
	ticket_values,
)

AGENT = "browser-agent@intake.test"


@pytest.fixture(scope="module")
def desk_data(frappe_site):
	make_user(AGENT, DUTY_STAFF, mobile="13500000001")
	frappe.db.set_value(
		"User", AGENT, {"language": "zh", "first_name": "值班员小李", "full_name": "值班员小李"}
	)
	unit = make_unit(make_property("浏览器测试楼盘"), "5幢", "502", handover="2024-05-01")
	frappe.db.commit()  # the web server reads through its own connection
	yield unit
	delete_cases("浏览器测试楼盘")
	frappe.db.commit()


@pytest.fixture
def page(browser, desk_data):
	context, page = login(browser, AGENT, PASSWORD)
	yield page
	context.close()


def fill_intake(page, unit_name: str, phone: str):
	"""Type the 房号 as an agent does, pick the unit from the suggestions, fill the rest, save (Ctrl+S)."""
	unit_no = unit_name.rsplit("-", 1)[-1]
	page.goto(f"{BASE_URL}/app/service-ticket/new")
	page.wait_for_function(
		"() => window.cur_frm && cur_frm.doctype === 'Service Ticket' && cur_frm.is_new()", timeout=60_000
	)
	page.wait_for_timeout(500)
	unit = page.locator('.frappe-control[data-fieldname="unit"] input')
	unit.click()
	unit.press_sequentially(unit_no, delay=80)
	option = page.locator("ul[role=listbox] [role=option]", has_text=unit_name).first
	option.wait_for(timeout=30_000)
	option.click()
	page.locator('.frappe-control[data-fieldname="contact_name"] input').fill("钱先生")
	page.locator('.frappe-control[data-fieldname="contact_phone"] input').fill(phone)
	page.locator('.frappe-control[data-fieldname="subject"] input').fill("客厅吊顶渗水")
	page.locator('.frappe-control[data-fieldname="description"] textarea').fill(
		"楼上卫生间漏水，客厅吊顶有水渍。"
	)
	# R15: the initial judgement of liability starts from the location type
	page.locator('.frappe-control[data-fieldname="location"] select').select_option("Private Part")
	page.keyboard.press("Control+s")


def test_r7_bad_phone_shows_a_chinese_error_and_keeps_the_form(page, desk_data):
	fill_intake(page, desk_data, "12345")
	dialog = page.wait_for_selector(".modal.show .modal-body", timeout=30_000)
	assert "不是有效的手机或固定电话号码" in dialog.inner_text()
	screenshot(page, "intake-bad-phone.png")
	assert "/new" in page.url  # nothing saved; the entered values are still on the form
	assert page.locator('.frappe-control[data-fieldname="subject"] input').input_value() == "客厅吊顶渗水"


def test_r5_r34_agent_takes_a_call_in_chinese_and_owns_it(page, desk_data):
	fill_intake(page, desk_data, "13912345678")
	page.wait_for_url("**/app/service-ticket/PH-*", timeout=30_000)
	headline = page.get_by_text("跟进责任人：值班员小李 13500000001").first
	headline.wait_for(timeout=30_000)
	screenshot(page, "intake-form.png")

	name = page.url.rstrip("/").split("/")[-1]
	frappe.db.rollback()
	saved = frappe.db.get_value(CASE, name, ["acceptor", "follow_up_owner", "unit"], as_dict=True)
	assert saved == {"acceptor": AGENT, "follow_up_owner": AGENT, "unit": desk_data}

	# R29: a repair called in 30 hours ago is past its 24-hour handling clock; the list says so
	frappe.set_user(AGENT)
	frappe.get_doc(
		ticket_values(
			desk_data, subject="卫生间地漏堵塞", call_started_at=add_to_date(now_datetime(), hours=-30)
		)
	).insert()
	frappe.set_user("Administrator")
	frappe.db.commit()
	page.goto(f"{BASE_URL}/app/service-ticket", wait_until="networkidle")
	page.wait_for_selector(".list-row", timeout=30_000)
	assert "报修投诉单" in page.inner_text("body")
	assert "客厅吊顶渗水" in page.inner_text(".result")
	late_row = page.locator(".list-row-container", has_text="卫生间地漏堵塞").first
	assert "超时" in late_row.inner_text()  # the indicator of a case past its Handle By
	screenshot(page, "case-list.png")


def test_r34_hand_over_from_the_actions_menu(page, desk_data):
	director = make_user("browser-director@intake.test", OFFICE_DIRECTOR)
	frappe.db.set_value("User", director, {"first_name": "主任老王", "full_name": "主任老王"})
	frappe.set_user(AGENT)
	ticket = frappe.get_doc(ticket_values(desk_data, subject="电梯异响")).insert()
	frappe.set_user("Administrator")
	frappe.db.commit()

	page.goto(f"{BASE_URL}/app/service-ticket/{ticket.name}")
	page.wait_for_function(f"() => window.cur_frm && cur_frm.doc.name === '{ticket.name}'", timeout=60_000)
	page.get_by_role("button", name="操作").first.click()
	page.get_by_text("移交", exact=True).first.click()
	page.wait_for_function("() => window.cur_dialog && cur_dialog.fields_dict.to_user", timeout=15_000)
	page.evaluate(f"() => cur_dialog.set_value('to_user', '{director}')")
	page.locator(".modal.show textarea").first.fill("电梯问题由管理处主任跟进")
	page.locator(".modal.show .btn-primary").first.click()
	page.get_by_text("跟进责任人：主任老王").first.wait_for(timeout=30_000)
	screenshot(page, "hand-over.png")
	frappe.db.rollback()
	assert frappe.db.get_value(CASE, ticket.name, "follow_up_owner") == director
	assert frappe.db.count("Ticket Handover", {"parent": ticket.name, "to_user": director}) == 1


def test_the_workspace_in_chinese(page, desk_data):
	page.goto(f"{BASE_URL}/app/property-helpdesk")
	page.get_by_text("维修派工单").first.wait_for(timeout=60_000)
	body = page.inner_text("body")
	assert "物业报修投诉" in body and "报修投诉单" in body and "工作联系单" in body
	screenshot(page, "workspace.png")
