"""扫码报修 on a phone (390 px, issue 14, R10): a resident scans the QR label by a lift, is sent to sign in by phone
and SMS code as a guest, comes back to the report page with the lift filled in and locked, and reports. The code
is read from the local SMS gateway this site's SMS Settings point at. Screenshots go to
docs/screenshots/portal-place-*.png."""

import re
from urllib.parse import urlencode

import frappe
import pytest

from property_helpdesk.constants import CASE, COMMON_AREA, DUTY_STAFF, WORK_ORDER
from property_helpdesk.setup.builders import ensure
from tests.browser.conftest import BASE_URL, screenshot
from tests.integration.factories import delete_cases, make_property, make_unit, make_user
from tests.integration.servers import SMSGateway, unconfigure_sms
from tests.integration.test_phone_login import clear_limits, deliver_codes

PROPERTY = "扫码手机楼盘"
MOBILE = "13966605001"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def place(frappe_site):
	with SMSGateway() as gateway:
		gateway.configure()
		admin = make_user("place-browser-admin@places.test", DUTY_STAFF, mobile="13755505001")
		make_property(PROPERTY, area_administrator=admin)
		unit = make_unit(PROPERTY, "2幢", "502")
		lift = ensure(
			COMMON_AREA,
			f"{PROPERTY}-2号楼 2号电梯",
			{"property": PROPERTY, "building": "2号楼", "area_name": "2号楼 2号电梯", "kind": "Lift"},
		)
		resident = (
			frappe.get_doc(
				{
					"doctype": "Resident",
					"resident_name": "周敏",
					"phone": MOBILE,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.db.commit()
		clear_limits()
		frappe.cache.delete_keys("property_helpdesk:portal:")
		gateway.requests.clear()
		yield {"gateway": gateway, "lift": lift, "unit": unit, "resident": resident}
		frappe.db.rollback()
		user = frappe.db.get_value("Resident", resident, "user")
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


def test_a_guest_scans_a_lift_s_label_signs_in_by_phone_and_reports_at_the_lift(browser, place):
	context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, locale="zh-CN")
	page = context.new_page()
	try:
		scanned = f"{BASE_URL}/new_case?{urlencode({'common_area': place['lift']})}"  # what the label holds
		page.goto(scanned, wait_until="networkidle")
		assert "/login/phone" in page.url, page.url
		page.fill("#mobile", MOBILE)
		page.click("#ph-send-button")
		page.wait_for_selector("#ph-verify:not([hidden])")
		deliver_codes()
		texts = [text for to, text in place["gateway"].messages() if to == MOBILE]
		assert len(texts) == 1, texts
		page.fill("#code", re.search(r"(?<!\d)(\d{6})(?!\d)", texts[0]).group(1))
		page.click("#ph-verify button[type=submit]")
		page.wait_for_url(lambda url: "/new_case" in url and "common_area=" in url, timeout=60_000)
		page.wait_for_load_state("networkidle")

		assert "2号楼 2号电梯" in page.inner_text("#ph-place")  # the place filled in …
		assert page.locator("#unit").count() == 0 and page.locator("#location").count() == 0  # … and locked
		page.fill("#subject", "电梯门关不严")
		page.fill("#description", "二楼电梯门关上后又弹开。")
		assert no_sideways_scroll(page)
		screenshot(page, "portal-place-report.png")
		page.click("#ph-report button[type=submit]")
		page.wait_for_url(re.compile(r".*/my_cases/PH-.*"), timeout=60_000)
		page.wait_for_load_state("networkidle")
		name = page.url.rsplit("/", 1)[1]
		frappe.db.rollback()
		case = frappe.db.get_value(
			CASE, name, ["common_area", "unit", "location", "channel", "resident", "subject"], as_dict=True
		)
		assert case == {
			"common_area": place["lift"],
			"unit": place["unit"],
			"location": "Common Facility",
			"channel": "Portal",
			"resident": place["resident"],
			"subject": "电梯门关不严",
		}, case
		assert frappe.db.exists(WORK_ORDER, {"service_ticket": name})  # R10: to the maintenance team at once
		assert no_sideways_scroll(page)
		screenshot(page, "portal-place-case.png")
	finally:
		context.close()


def test_the_office_prints_the_lift_s_qr_label(browser, place):
	"""The desk's print view of the label (Common Area QR Label): the place, the hotline to call and a QR code
	drawn as SVG (docs/screenshots/place-label.png)."""
	from tests.browser.conftest import login
	from tests.integration.factories import PASSWORD

	director = make_user("place-browser-director@places.test", "Property Office Director")
	frappe.db.commit()
	context, page = login(browser, director, PASSWORD)
	try:
		page.goto(
			f"{BASE_URL}/printview?{urlencode({'doctype': COMMON_AREA, 'name': place['lift'], 'format': 'Common Area QR Label'})}",
			wait_until="networkidle",
		)
		label = page.locator(".ph-label")
		assert "2号楼 2号电梯" in label.inner_text()
		box = page.locator(".ph-label svg.ph-qr").bounding_box()
		assert box and box["width"] > 100 and abs(box["width"] - box["height"]) < 2, (
			box
		)  # a square code, ~48 mm
		label.screenshot(path=screenshot_path("place-label.png"))
	finally:
		context.close()


def screenshot_path(name: str) -> str:
	import os

	from tests.browser.conftest import SCREENSHOTS

	os.makedirs(SCREENSHOTS, exist_ok=True)
	return os.path.abspath(os.path.join(SCREENSHOTS, name))
