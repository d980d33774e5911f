"""The resident portal on a phone (390 px) in headless Chromium: report with a photo, follow, remind, confirm and
rate with a signature (R8, R10, R12 ground 5, R34, R36). Screenshots go to $SCREENSHOTS_DIR (docs/screenshots with `scripts/test.sh --screenshots`)."""

import os
import tempfile

import frappe
import pytest

from property_helpdesk.constants import DUTY_STAFF, PORTAL_REGISTRATION, RESIDENT_ROLE, UNIT, WORK_ORDER
from property_helpdesk.constants import RESIDENT as RESIDENT_DOCTYPE
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_customer,
	make_property,
	make_resident,
	make_service_invoice,
	make_unit,
	make_user,
	pay_invoice,
)
from tests.integration.test_portal import clear_limits, png

RESIDENT = "browser-resident@portal.test"
PROPERTY = "手机门户楼盘"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def resident(frappe_site):
	admin = make_user("browser-area-admin@portal.test", DUTY_STAFF, mobile="13755502001")
	frappe.db.set_value("User", admin, {"first_name": "陈主管", "full_name": "陈主管"})
	make_property(PROPERTY)
	frappe.db.set_value("Property", PROPERTY, "area_administrator", admin)
	unit = make_unit(PROPERTY, "3幢", "502")
	make_user(RESIDENT, RESIDENT_ROLE, user_type="Website User", mobile="13955502001")
	frappe.db.set_value("User", RESIDENT, "language", "zh")
	make_resident("林晓", "13955502001", unit, user=RESIDENT)
	frappe.db.commit()
	clear_limits()
	yield {"unit": unit, "admin": admin}
	frappe.db.rollback()
	delete_cases(PROPERTY)
	for name in frappe.get_all(RESIDENT_DOCTYPE, {"user": RESIDENT}, pluck="name"):
		frappe.delete_doc(RESIDENT_DOCTYPE, name, force=True, ignore_permissions=True)
	frappe.db.commit()


def no_sideways_scroll(page):
	return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_resident_reports_follows_reminds_and_confirms_on_a_phone(browser, resident):
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		assert page.url.endswith("/my_cases"), page.url  # the resident's home page
		page.click("text=报告问题")
		page.wait_for_url("**/new_case")
		page.fill("#subject", "卧室空调不制冷")
		page.fill("#description", "开机半小时仍是热风。")
		photo = os.path.join(tempfile.mkdtemp(), "aircon.png")
		with open(photo, "wb") as f:
			f.write(png(64, 48))
		page.set_input_files("#photo", photo)
		page.click("label:has-text('有偿服务')")
		assert page.is_visible("#ph-fees"), "the fee schedule shows before a paid service (R11, R39)"
		page.click("label:has-text('报修')")
		assert no_sideways_scroll(page)
		screenshot(page, "portal-report.png")
		page.click("button[type=submit]")
		page.wait_for_url("**/my_cases/PH-*")
		page.wait_for_load_state("networkidle")
		name = page.url.rsplit("/", 1)[1]

		owner = page.inner_text("#ph-owner")
		assert "陈主管" in owner and "13755502001" in owner, owner  # R34
		assert page.evaluate("document.querySelector('img.ph-photo').naturalWidth") == 64
		assert no_sideways_scroll(page)

		page.fill("#note", "明天下午在家")
		page.click("#ph-remind button")
		page.wait_for_load_state("networkidle")
		page.wait_for_selector("#ph-timeline li:has-text('明天下午在家')")
		frappe.db.rollback()
		assert frappe.db.get_value("Service Ticket", name, "reminder_count") == 1

		work_order = frappe.db.get_value(WORK_ORDER, {"service_ticket": name})
		frappe.db.set_value(
			WORK_ORDER,
			work_order,
			{"status": "Completed", "completed_at": frappe.utils.now_datetime(), "work_done": "补充冷媒"},
		)
		frappe.db.commit()
		page.reload(wait_until="networkidle")
		form = page.locator("form.ph-confirm")
		for field, stars in (("quality", 5), ("timeliness", 4), ("attitude", 5)):
			form.locator(f".ph-stars[data-field={field}] label").nth(stars - 1).click()
		box = form.locator("canvas").bounding_box()
		page.mouse.move(box["x"] + 20, box["y"] + 40)
		page.mouse.down()
		for step in range(1, 12):
			page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 30)
		page.mouse.up()
		assert no_sideways_scroll(page)
		screenshot(page, "portal-confirm.png")
		form.locator("button[type=submit]").click()
		page.wait_for_selector("text=您已确认完工")
		frappe.db.rollback()
		wo = frappe.get_doc(WORK_ORDER, work_order)
		assert (wo.resident_confirmed, wo.quality_rating, wo.timeliness_rating) == (1, 1.0, 0.8)
		assert wo.resident_signature.startswith("data:image/png;base64,")
		page.click("#ph-service-card summary")
		screenshot(page, "portal-case.png")

		page.goto(f"{BASE_URL}/my_cases", wait_until="networkidle")
		assert name in page.inner_text("body")
		assert no_sideways_scroll(page)
		screenshot(page, "portal-my-cases.png")
	finally:
		context.close()


def test_a_bad_report_keeps_what_was_typed(browser, resident):
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/new_case", wait_until="networkidle")
		page.fill("#subject", "楼道灯不亮")
		page.fill("#description", "三楼楼道灯坏了。")
		page.fill("#contact_phone", "打我电话")
		page.click("button[type=submit]")
		page.wait_for_selector("#ph-report-error:not(:empty)")
		assert "不是有效的手机或固定电话号码" in page.inner_text("#ph-report-error")
		assert page.input_value("#description") == "三楼楼道灯坏了。"
		assert page.url.endswith("/new_case")
	finally:
		context.close()


def test_a_photo_too_large_for_the_web_server_is_explained_in_chinese(browser, resident):
	"""A 30 MB photo is refused by the web server before the app runs (HTTP 413, an English page); the phone
	shows the resident why in their language, keeps what they typed, and no case is made."""
	before = frappe.db.count("Service Ticket", {"property": PROPERTY})
	big = tempfile.NamedTemporaryFile(suffix=".jpg", delete=False)
	with big:
		big.write(b"\xff\xd8\xff\xe0" + os.urandom(30 * 1024 * 1024))
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/new_case", wait_until="networkidle")
		page.fill("#subject", "厨房漏水")
		page.fill("#description", "水槽下面一直滴水。")
		page.set_input_files("#photo", big.name)
		page.click("button[type=submit]")
		page.wait_for_selector("#ph-report-error:not(:empty)", timeout=60000)
		assert "照片太大" in page.inner_text("#ph-report-error")
		assert page.input_value("#description") == "水槽下面一直滴水。"
		assert page.url.endswith("/new_case")
	finally:
		context.close()
		os.unlink(big.name)
	frappe.db.rollback()
	assert frappe.db.count("Service Ticket", {"property": PROPERTY}) == before


def test_a_new_user_asks_for_their_unit(browser, resident):
	"""Self sign-up: a user not linked to a unit asks for one; staff confirm it against the owner record."""
	user = make_user("browser-newcomer@portal.test", user_type="Website User", mobile="13955502002")
	frappe.db.set_value("User", user, "language", "zh")
	frappe.db.set_value(UNIT, resident["unit"], {"owner_name": "吴芳", "owner_phone": "13955502002"})
	frappe.db.commit()
	clear_limits()
	context, page = login(browser, user, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_cases", wait_until="networkidle")
		page.select_option("#property", PROPERTY)
		page.fill("#building", "3幢")
		page.fill("#unit_no", "502")
		page.fill("#applicant_name", "吴芳")
		page.fill("#phone", "13955502002")
		assert no_sideways_scroll(page)
		screenshot(page, "portal-register.png")
		page.click("#ph-register button[type=submit]")
		page.wait_for_selector(f"text={resident['unit']}")
		frappe.db.rollback()
		request = frappe.get_doc(PORTAL_REGISTRATION, {"user": user})
		assert (request.status, request.matches_owner_record, request.unit) == (
			"Pending",
			1,
			resident["unit"],
		)
	finally:
		context.close()
		frappe.db.delete(PORTAL_REGISTRATION, {"user": user})
		frappe.db.commit()


def test_r39_the_resident_opens_their_receipt_on_a_phone(browser, resident):
	"""A payment taken in ERPNext shows on /my_receipts as a receipt (收据) whose PDF opens from the phone."""
	customer = make_customer("手机门户业主林晓")
	frappe.db.set_value(RESIDENT_DOCTYPE, {"user": RESIDENT}, "customer", customer)
	invoice = make_service_invoice(customer, 135)
	payment = pay_invoice(invoice.name, "手机收据-01")
	frappe.db.commit()
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_receipts", wait_until="networkidle")
		card = page.locator(".ph-receipt", has_text=payment.name)
		assert card.count() == 1
		assert "135" in card.inner_text()
		assert no_sideways_scroll(page)
		screenshot(page, "portal-receipts.png")
		response = page.request.get(f"{BASE_URL}{card.get_attribute('href')}")
		assert response.status == 200 and response.body().startswith(b"%PDF")
	finally:
		context.close()
		frappe.db.rollback()
		frappe.get_doc("Payment Entry", payment.name).cancel()
		frappe.get_doc("Sales Invoice", invoice.name).cancel()
		frappe.db.set_value(RESIDENT_DOCTYPE, {"user": RESIDENT}, "customer", None)
		frappe.db.commit()
