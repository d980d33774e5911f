"""A resident chooses how the office tells them on a phone-sized screen (390 px) in headless Chromium (R8, R10):
by the portal's menu to 消息设置 (/my_messages), WeChat chosen once bound, saved, and the page says so in
Chinese, with no sideways scroll. Screenshots go to $SCREENSHOTS_DIR."""

import frappe
import pytest

from property_helpdesk.constants import RESIDENT as RESIDENT_DOCTYPE
from property_helpdesk.constants import RESIDENT_ROLE
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import PASSWORD, make_property, make_resident, make_unit, make_user
from tests.integration.provider_servers import WeChatAPI, unconfigure_providers

RESIDENT = "browser-messages@prefs.test"
PHONE = "13955507031"
OPENID = "oBrowser_openid_7031"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def bound_resident(frappe_site):
	with WeChatAPI() as server:
		server.configure()
		make_property("消息设置楼盘")
		make_user(RESIDENT, RESIDENT_ROLE, user_type="Website User", mobile=PHONE)
		frappe.db.set_value("User", RESIDENT, "language", "zh")
		resident = frappe.db.get_value(RESIDENT_DOCTYPE, {"user": RESIDENT}) or make_resident(
			"吴悦", PHONE, make_unit("消息设置楼盘", "1幢", "201"), user=RESIDENT
		)
		# bound already (the binding itself: test_wechat_bind), but WeChat turned off
		frappe.db.set_value(
			RESIDENT_DOCTYPE, resident, {"wechat_openid": OPENID, "preferred_channel": "", "no_wechat": 1}
		)
		frappe.db.commit()
		frappe.cache.delete_keys("property_helpdesk:portal:")
		frappe.cache.hdel("portal_menu_items", RESIDENT)  # the menu as hooks.py has it now
		yield resident
		frappe.db.rollback()
		frappe.delete_doc(RESIDENT_DOCTYPE, resident, force=True, ignore_permissions=True)
		unconfigure_providers()


def no_sideways_scroll(page) -> bool:
	return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_resident_chooses_wechat_from_the_menu_and_sees_it_saved(browser, bound_resident):
	context, page = login(browser, RESIDENT, PASSWORD, width=PHONE_WIDTH)
	try:
		# the portal's menu (hooks.portal_menu_items, by role) as links on every portal page: tapped on the phone
		page.goto(f"{BASE_URL}/my_cases", wait_until="networkidle")
		item = page.locator(".ph-nav a[href='/my_messages']")
		assert item.count() == 1
		assert item.inner_text().strip() == frappe._("Message Settings", lang="zh")
		assert item.is_visible()
		item.click()
		page.wait_for_url("**/my_messages")
		page.wait_for_load_state("networkidle")
		assert page.title().startswith(frappe._("Message Settings", lang="zh"))
		assert page.locator(".ph-nav a.active").get_attribute("href") == "/my_messages"
		assert no_sideways_scroll(page)
		screenshot(page, "portal-message-settings.png")

		assert "微信" not in page.inner_text("#ph-now")
		wechat = page.locator("input[name=preferred_channel][value=WeChat]")
		assert not wechat.is_enabled(), "a channel turned off cannot be chosen"
		page.check("#ph-on-WeChat")
		assert wechat.is_enabled(), "WeChat can be chosen once bound and on"
		wechat.check()
		page.click("#ph-save")
		page.wait_for_function("document.getElementById('ph-saved').textContent.length > 0", timeout=20_000)
		assert page.inner_text("#ph-saved") == "已保存"
		assert "微信" in page.inner_text("#ph-now"), page.inner_text("#ph-now")
		assert page.inner_text("#ph-error") == ""
		frappe.db.rollback()
		saved = frappe.db.get_value(RESIDENT_DOCTYPE, bound_resident, ["preferred_channel", "no_wechat"])
		assert saved == ("WeChat", 0), saved
		assert no_sideways_scroll(page)
		screenshot(page, "portal-message-settings-saved.png")

		page.reload(wait_until="networkidle")  # saved, not only shown
		assert page.is_checked("input[name=preferred_channel][value=WeChat]")
	finally:
		context.close()
