"""A resident binds their WeChat on a phone-sized screen (390 px) in headless Chromium (R8, R10): the QR code
fits the screen, the phone that scanned it comes back through WeChat to the callback, and the page shows the
binding by itself. Screenshots go to docs/screenshots."""

import html
from urllib.parse import parse_qs, urlparse

import frappe
import pytest
import requests

from property_helpdesk.api import wechat as binding
from property_helpdesk.constants import RESIDENT as RESIDENT_DOCTYPE
from property_helpdesk.constants import RESIDENT_ROLE
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import PASSWORD, make_property, make_resident, make_unit, make_user
from tests.integration.provider_servers import WeChatAPI, unconfigure_providers

RESIDENT = "browser-wechat@wechat.test"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def wechat(frappe_site):
	with WeChatAPI() as server:
		server.configure()
		make_property("微信手机楼盘")
		make_user(RESIDENT, RESIDENT_ROLE, user_type="Website User", mobile="13955507021")
		frappe.db.set_value("User", RESIDENT, "language", "zh")
		resident = frappe.db.get_value(RESIDENT_DOCTYPE, {"user": RESIDENT}) or make_resident(
			"周宁", "13955507021", make_unit("微信手机楼盘", "2幢", "301"), user=RESIDENT
		)
		frappe.db.set_value(RESIDENT_DOCTYPE, resident, "wechat_openid", None)
		frappe.db.commit()
		frappe.cache.delete_keys("rl:property_helpdesk.api.wechat.bind")
		yield server, resident
		frappe.db.rollback()
		frappe.delete_doc(RESIDENT_DOCTYPE, resident, force=True, ignore_permissions=True)
		unconfigure_providers()


def test_a_resident_binds_wechat_by_scanning_the_code(browser, wechat):
	server, resident = wechat
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/wechat_bind", wait_until="networkidle")
		qr = page.locator("#ph-qr svg")
		assert qr.is_visible()
		box = qr.bounding_box()
		assert box["width"] >= 200 and box["x"] + box["width"] <= PHONE_WIDTH, box  # scannable, on the screen
		assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
		screenshot(page, "portal-wechat-bind.png")

		href = html.unescape(page.get_attribute("#ph-open-in-wechat", "href"))
		state = parse_qs(urlparse(href).query)["state"][0]
		# The phone that scanned it: WeChat's browser, sent back by WeChat with a code for the resident.
		response = requests.get(
			f"{BASE_URL}{binding.CALLBACK}",
			params={"code": server.authorize("oBrowser_openid_7021"), "state": state},
			timeout=30,
		)
		assert response.status_code == 200, response.text[:300]

		page.wait_for_selector("#ph-unbind", timeout=20_000)  # the page saw the binding and shows it
		frappe.db.rollback()
		assert frappe.db.get_value(RESIDENT_DOCTYPE, resident, "wechat_openid") == "oBrowser_openid_7021"
		assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
		screenshot(page, "portal-wechat-bound.png")
	finally:
		context.close()
