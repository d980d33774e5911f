"""A resident with no email signs in on a phone (390 px) with their mobile number and the SMS code, and sees what
they were told about their case (issue 13; R8, R10, R34). The code is read from the local SMS gateway that this
site's SMS Settings point at. Screenshots portal-phone-*.png go to $SCREENSHOTS_DIR (docs/screenshots with --screenshots)."""

import re

import frappe
import pytest

from property_helpdesk.constants import DUTY_STAFF, MESSAGE_ACCEPTED
from tests.browser.conftest import BASE_URL, screenshot
from tests.integration.factories import (
	delete_cases,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	no_quiet_hours,
)
from tests.integration.servers import SMSGateway, unconfigure_sms
from tests.integration.test_phone_login import clear_limits, deliver_codes, tell

PROPERTY = "手机验证码楼盘"
MOBILE = "13966604001"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def resident(frappe_site):
	# the case's own save tells its resident: at night Settings' quiet hours would hold that SMS
	with no_quiet_hours():
		yield from made_resident()


def made_resident():
	with SMSGateway() as gateway:
		gateway.configure()
		admin = make_user("phone-browser-admin@phonelogin.test", DUTY_STAFF, mobile="13755504001")
		frappe.db.set_value("User", admin, {"first_name": "何主管", "full_name": "何主管"})
		make_property(PROPERTY, area_administrator=admin)
		unit = make_unit(PROPERTY, "5幢", "301")
		resident = (
			frappe.get_doc(
				{
					"doctype": "Resident",
					"resident_name": "孙丽",
					"phone": "139 6660 4001",
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.set_user(admin)
		case = make_ticket(unit, subject="客厅吊灯不亮", contact_phone=MOBILE, resident=resident).name
		frappe.set_user("Administrator")
		frappe.db.commit()
		message = tell(case, MESSAGE_ACCEPTED)
		clear_limits()
		gateway.requests.clear()
		yield {"gateway": gateway, "case": case, "resident": resident, "message": message}
		frappe.db.rollback()
		user = frappe.db.get_value("Resident", resident, "user")
		frappe.db.delete("Resident Message", {"service_ticket": case})
		delete_cases(PROPERTY)
		frappe.db.delete("ToDo", {"allocated_to": admin})
		frappe.delete_doc("Resident", resident, force=True, ignore_permissions=True)
		if user:
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		frappe.db.commit()
		unconfigure_sms()
		clear_limits()


def no_sideways_scroll(page):
	return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_resident_signs_in_with_a_phone_code_and_sees_the_messages_on_the_case(browser, resident):
	context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, locale="zh-CN")
	page = context.new_page()
	try:
		page.goto(f"{BASE_URL}/my_cases", wait_until="networkidle")
		assert "/login/phone" in page.url, page.url  # a guest on the portal signs in by phone
		assert page.is_visible("#ph-email-login"), "email sign-in stays one tap away"
		page.fill("#mobile", "139 6660 4001")
		assert no_sideways_scroll(page)
		screenshot(page, "portal-phone-login.png")
		page.click("#ph-send-button")
		page.wait_for_selector("#ph-verify:not([hidden])")
		assert "139****4001" in page.inner_text("#ph-sent")
		assert page.is_disabled("#ph-resend"), "another code only after the countdown"

		deliver_codes()  # the worker sends the SMS the page asked for
		texts = [text for to, text in resident["gateway"].messages() if to == MOBILE]
		assert len(texts) == 1, texts
		code = re.search(r"(?<!\d)(\d{6})(?!\d)", texts[0]).group(1)

		page.fill("#code", f"{(int(code) + 1) % 10**6:06d}")
		page.click("#ph-verify button[type=submit]")
		page.wait_for_selector("#ph-verify-error:not(:empty)")
		assert "/login/phone" in page.url
		assert page.input_value("#mobile") == "139 6660 4001", "a wrong code keeps what was typed"

		page.fill("#code", code)
		screenshot(page, "portal-phone-code.png")
		page.click("#ph-verify button[type=submit]")
		page.wait_for_url(lambda url: "/login" not in url and url.endswith("/my_cases"), timeout=60_000)
		page.wait_for_load_state("networkidle")
		assert resident["case"] in page.inner_text("body")

		page.click(f"a[href='/my_cases/{resident['case']}']")
		page.wait_for_url(f"**/my_cases/{resident['case']}")
		page.wait_for_load_state("networkidle")
		frappe.db.rollback()
		text = frappe.db.get_value("Resident Message", resident["message"], "text")
		messages = page.locator("#ph-messages li.ph-message")
		told = frappe.get_all("Resident Message", {"service_ticket": resident["case"]}, pluck="name")
		assert messages.count() == len(told)
		accepted = messages.filter(has_text=text.split("\n")[0])
		assert accepted.count() == 1
		assert accepted.first.get_attribute("data-status") == "Sent"
		assert no_sideways_scroll(page)
		page.locator("#ph-messages").scroll_into_view_if_needed()
		screenshot(page, "portal-phone-case.png")
	finally:
		context.close()
