"""The reports and the workspace on the desk in Chinese (R29, R30): the office director's numbers at a glance, and
the cases behind a number one click away. Screenshots go to docs/screenshots."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

import frappe
import pytest

from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import PASSWORD, make_property, make_ticket, make_unit, make_user

DIRECTOR = "browser-director@reports.test"
PROPERTY = "报表浏览器楼盘"
MARCH = {"from_date": "2026-03-01", "to_date": "2026-03-31"}


@pytest.fixture(scope="module")
def report_data(frappe_site):
	agent = make_user("browser-report-agent@reports.test", "Property Duty Staff")
	make_user(DIRECTOR, "Property Office Director")
	frappe.db.set_value(
		"User", DIRECTOR, {"language": "zh", "first_name": "管理处王主任", "full_name": "管理处王主任"}
	)
	prop = make_property(PROPERTY)
	unit = make_unit(prop, "5幢", "501")
	limit = timedelta(days=frappe.db.get_single_value("Property Helpdesk Settings", "complaint_answer_days"))
	frappe.set_user(agent)
	cases = {}
	for key, answered_after in (("on_time", timedelta(hours=5)), ("late", limit + timedelta(minutes=1))):
		called = datetime(2026, 3, 12, 9, 0)
		ticket = make_ticket(
			unit, ticket_type="Complaint", complaint_ground="A4.3.1.2", call_started_at=called
		)
		ticket.update(
			{
				"result": "已处理",
				"answer_to_resident": "已电话答复",
				"answered_at": called + answered_after,
				"status": "Resolved",
			}
		)
		ticket.save()
		cases[key] = ticket.name
	frappe.set_user("Administrator")
	frappe.db.commit()  # the web server reads through its own connection
	yield cases
	frappe.db.delete("Corrective Action", {"property": prop})  # the two complaints recur (R32)
	frappe.db.delete("Service Ticket", {"property": prop})
	frappe.db.commit()


def test_r29_report_in_chinese_and_the_late_cases_one_click_away(browser, report_data):
	context, page = login(browser, DIRECTOR, PASSWORD)
	try:
		query = urlencode({**MARCH, "property": PROPERTY})
		page.goto(f"{BASE_URL}/app/query-report/Case Timeliness?{query}")
		page.get_by_text(PROPERTY).first.wait_for(timeout=60_000)
		body = page.inner_text("body")
		assert "处理及时率" in body and "及时处理" in body and "50" in body
		screenshot(page, "report-case-timeliness.png")
		late_link = page.locator("a[href*='measure=late']").first
		late_link.click()
		# the desk routes the link itself: its query becomes the report's filters ("Show Cases", "Handled Late")
		page.get_by_text(report_data["late"]).first.wait_for(timeout=60_000)
		body = page.inner_text("body")
		assert report_data["late"] in body and report_data["on_time"] not in body
		assert "超时" in body
	finally:
		context.close()


def test_workspace_shows_the_kpi_cards_and_charts(browser, report_data):
	context, page = login(browser, DIRECTOR, PASSWORD)
	try:
		page.goto(f"{BASE_URL}/app/property-helpdesk")
		page.get_by_text("本月处理及时率").first.wait_for(timeout=60_000)
		page.get_by_text("月度处理及时率").first.wait_for(timeout=60_000)
		page.wait_for_timeout(2000)
		body = page.inner_text("body")
		for label in ("未结案件", "超时未结案件", "本月零修急修及时率", "本月返修率", "报表与指标"):
			assert label in body, label
		screenshot(page, "workspace-kpis.png")
	finally:
		context.close()
