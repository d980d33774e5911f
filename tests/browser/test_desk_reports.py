"""The reports and the workspace on the desk in Chinese (R26, R27, R29, R30, R32): the office director's numbers at a
glance, the cases behind a number one click away, and every report's filters (one shared script,
public/js/kpi_report.js) on the page and narrowing the figures. Screenshots go to $SCREENSHOTS_DIR (docs/screenshots with `scripts/test.sh --screenshots`)."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

import frappe
import pytest

from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_property,
	make_ticket,
	make_unit,
	make_user,
)

DIRECTOR = "browser-director@reports.test"
PROPERTY = "报表浏览器楼盘"
REPAIR_PROPERTY = "报表浏览器楼盘乙"
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
		# the answer's time is the server's (permission level 1): the test dates it, as Administrator may
		frappe.set_user("Administrator")
		ticket.update(
			{
				"result": "已处理",
				"answer_to_resident": "已电话答复",
				"answered_at": called + answered_after,
				"status": "Resolved",
			}
		)
		ticket.save()
		frappe.set_user(agent)
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


@pytest.fixture(scope="module")
def repair_data(frappe_site):
	"""A repair of another property, done within the hour on 12 March, and that day's job log (R26, R27, R30)."""
	agent = make_user("browser-report-agent@reports.test", "Property Duty Staff")
	tech = make_user("browser-report-tech@reports.test", "Property Maintenance Technician")
	prop = make_property(REPAIR_PROPERTY)
	unit = make_unit(prop, "6幢", "601")
	called = datetime(2026, 3, 12, 9, 0)
	frappe.set_user(agent)
	ticket = make_ticket(unit, call_started_at=called)
	frappe.set_user("Administrator")
	wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
	wo.db_set("dispatched_at", called + timedelta(minutes=2), update_modified=False)
	wo.reload()
	wo.update(
		{
			"job_class": "Minor or Urgent",
			"technician": tech,
			"arrived_at": called + timedelta(minutes=10),
			"completed_at": called + timedelta(hours=1),
		}
	)
	wo.save()
	log = frappe.get_doc(
		{"doctype": "Maintenance Job Log", "property": prop, "log_date": "2026-03-12"}
	).insert()
	log.fill_entries()
	frappe.db.commit()  # the web server reads through its own connection
	yield {"ticket": ticket.name, "log": log.name}
	frappe.db.delete("Job Log Entry", {"parent": log.name})
	frappe.db.delete("Maintenance Job Log", {"property": prop})
	delete_cases(prop)
	frappe.db.commit()


# Each report: its filters in order (the shared script builds them), the property whose figures it shows, a text
# of its rows, and a filter (chosen on the page) that leaves that property nothing to show.
REPORTS = {
	"Case Timeliness": (
		["from_date", "to_date", "property", "ticket_type", "team", "person", "group_by", "show_cases",
			"measure"],
		PROPERTY, "property", ("ticket_type", "Repair"),
	),
	"Complaint Analysis": (
		["from_date", "to_date", "property", "ticket_type", "team", "person", "group_by", "recurring_only",
			"complaint_ground", "unit", "validity_class", "show_cases"],
		PROPERTY, "A4.3.1.2", ("validity_class", "Excessive Demand"),
	),
	"Repair KPI": (
		["from_date", "to_date", "property", "ticket_type", "team", "person", "group_by", "show_cases",
			"measure"],
		REPAIR_PROPERTY, "property", ("ticket_type", "Paid Service"),
	),
	"Monthly Repair Summary": (
		["from_date", "to_date", "property", "developer", "ticket_type", "team", "person", "show_cases"],
		REPAIR_PROPERTY, "property", ("ticket_type", "Paid Service"),
	),
	"Job Log Reconciliation": (
		["from_date", "to_date", "property", "ticket_type", "team", "person", "unreconciled_only"],
		REPAIR_PROPERTY, "log", ("ticket_type", "Paid Service"),
	),
}  # fmt: skip


@pytest.mark.parametrize("report_name", list(REPORTS))
def test_every_report_shows_its_filters_and_they_filter(browser, report_data, repair_data, report_name):
	fieldnames, prop, row_text, (field, value) = REPORTS[report_name]
	row_text = {"property": prop, "log": repair_data["log"]}.get(row_text, row_text)
	context, page = login(browser, DIRECTOR, PASSWORD)
	try:
		page.goto(f"{BASE_URL}/app/query-report/{report_name}?{urlencode({**MARCH, 'property': prop})}")
		page.locator(".dt-scrollable").get_by_text(row_text).first.wait_for(timeout=60_000)
		shown = page.evaluate("() => frappe.query_report.filters.map((f) => f.df.fieldname)")
		assert shown == fieldnames
		for fieldname in fieldnames:  # on the page, not only defined (a depends_on filter may be hidden)
			assert page.locator(f'.page-form .frappe-control[data-fieldname="{fieldname}"]').count() == 1
		assert page.evaluate("() => frappe.query_report.get_filter_value('property')") == prop
		assert page.evaluate("() => frappe.query_report.data.length") > 0
		# choose the narrowing value on the page, as a user does: the report runs again and has nothing to show
		page.select_option(f'.page-form .frappe-control[data-fieldname="{field}"] select', value)
		page.wait_for_function(
			"([field, value]) => frappe.query_report.get_filter_value(field) === value"
			" && frappe.query_report.data.length === 0",
			arg=[field, value],
			timeout=60_000,
		)
		# and back: the figures return
		page.select_option(f'.page-form .frappe-control[data-fieldname="{field}"] select', "")
		page.locator(".dt-scrollable").get_by_text(row_text).first.wait_for(timeout=60_000)
	finally:
		context.close()
