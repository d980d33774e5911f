"""A director's first page (R4, R29, R30): an office director logs in and lands on the app's workspace, whose cards
show their property's figures (tests/integration/workspace_data.py: overdue 1, due soon 1, 66.7%, 80.0%, 20.0%);
the case list shows each case's unit, follow-up owner, next deadline and its late / due-soon indicator.
Screenshots: docs/screenshots/desk-workspace.png, desk-case-list-deadlines.png."""

import frappe
import pytest

from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration import workspace_data as data
from tests.integration.factories import PASSWORD

DIRECTOR = "browser-ws-director@workspace.test"
PROPERTY = "工作台浏览器楼盘"
OTHER = "工作台浏览器楼盘乙"


@pytest.fixture(scope="module")
def workspace_cases(frappe_site):
	data.remove(PROPERTY, OTHER)
	people = data.people("browser-ws")
	cases = data.seed(PROPERTY, "A4.3.1.2", people)
	data.seed(OTHER, "A4.3.1.4", people)  # another property's cases: never on this director's cards
	director = data.director_of(DIRECTOR, PROPERTY)
	frappe.db.set_value("User", director, {"language": "zh", "first_name": "工作台王主任"})
	frappe.db.commit()
	yield cases
	data.remove(PROPERTY, OTHER)


def card_text(page, label: str) -> str:
	"""The figure of the number card titled `label` once it has loaded."""
	card = page.locator(".widget.number-widget-box").filter(has_text=label).first
	card.locator(".number").first.wait_for(timeout=60_000)
	return card.locator(".number").first.inner_text().strip()


def test_a_director_lands_on_the_workspace_with_their_figures(browser, workspace_cases):
	context, page = login(browser, DIRECTOR, PASSWORD, width=1440)
	try:
		page.wait_for_url("**/app/property-helpdesk", timeout=60_000)
		page.get_by_text("本月处理及时率").first.wait_for(timeout=60_000)
		page.wait_for_function("() => !document.querySelector('.number-card-loading')", timeout=60_000)
		assert card_text(page, "本月处理及时率") == "66.7%"
		assert card_text(page, "本月零修急修及时率") == "80.0%"
		assert card_text(page, "本月返修率") == "20.0%"
		assert card_text(page, "超时未结案件") == "1"
		assert card_text(page, "未结案件") == "8"
		body = page.inner_text("body")
		assert "100.000%" not in body and "66.667" not in body
		page.get_by_text("月度处理及时率").first.wait_for(timeout=60_000)
		page.wait_for_timeout(1500)  # the charts draw after their data arrives
		# every chart of the workspace is on the page, and none is empty (the complaint chart said 无数据)
		charts = frappe.get_all(
			"Workspace Chart", filters={"parent": "Property Helpdesk"}, pluck="chart_name"
		)
		assert page.locator(".widget.dashboard-widget-box").count() == len(charts) == 7
		assert "无数据" not in page.inner_text("body")
		screenshot(page, "desk-workspace.png")
	finally:
		context.close()


def test_the_case_list_shows_the_next_deadline_and_whether_it_is_late(browser, workspace_cases):
	context, page = login(browser, DIRECTOR, PASSWORD, width=1440)
	try:
		page.goto(f"{BASE_URL}/app/service-ticket?property={PROPERTY}")
		overdue = page.locator(".list-row-container").filter(has_text=workspace_cases.overdue.name).first
		overdue.wait_for(timeout=60_000)
		assert "超时" in overdue.inner_text()
		due_soon = page.locator(".list-row-container").filter(has_text=workspace_cases.due_soon.name).first
		assert "即将到期" in due_soon.inner_text()
		header = page.locator(".list-row-head").first.inner_text()
		for label in ("房号", "跟进责任人姓名"):
			assert label in header, label
		assert OTHER not in page.inner_text(".frappe-list")
		screenshot(page, "desk-case-list-deadlines.png")
	finally:
		context.close()


def test_a_rate_with_nothing_to_divide_shows_a_dash(browser, workspace_cases):
	"""A property with no case this month has no 处理及时率 yet: the card says "—" (not 0%, not "Loading…")."""
	from tests.integration.factories import make_property

	empty = make_property("工作台空楼盘")
	director = data.director_of("browser-ws-empty@workspace.test", empty)
	frappe.db.set_value("User", director, "language", "zh")
	frappe.db.commit()
	context, page = login(browser, director, PASSWORD, width=1440)
	try:
		page.wait_for_url("**/app/property-helpdesk", timeout=60_000)
		page.get_by_text("本月处理及时率").first.wait_for(timeout=60_000)
		page.wait_for_function("() => !document.querySelector('.number-card-loading')", timeout=60_000)
		for label in ("本月处理及时率", "本月零修急修及时率", "本月返修率"):
			assert card_text(page, label) == "—", label
		assert card_text(page, "超时未结案件") == "0"
	finally:
		context.close()
