"""Finance on the desk (R39): the Billing Queue in Chinese, a ticked row invoiced from the report, once.
Screenshots go to $SCREENSHOTS_DIR (docs/screenshots with `scripts/test.sh --screenshots`)."""

from datetime import timedelta
from urllib.parse import urlencode

import frappe
import pytest
from frappe.utils import now_datetime

from property_helpdesk.constants import DUTY_STAFF, PAID_SERVICE, RESIDENT
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_customer,
	make_property,
	make_resident,
	make_ticket,
	make_unit,
	make_user,
	work_order_of,
)

FINANCE = "browser-finance@billing.test"
PROPERTY = "开票浏览器楼盘"
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


@pytest.fixture(scope="module")
def paid_job(frappe_site):
	from property_helpdesk.services import billing

	billing.ensure_fee_schedule()
	make_user(FINANCE, "Accounts User")
	frappe.db.set_value("User", FINANCE, {"language": "zh", "first_name": "钱会计"})
	agent = make_user("browser-billing-agent@billing.test", DUTY_STAFF)
	unit = make_unit(make_property(PROPERTY), "6幢", "601")
	resident = make_resident("开票业主", "13911116666", unit, customer=make_customer("开票浏览器业主"))
	called = now_datetime() - timedelta(hours=3)
	frappe.set_user(agent)
	ticket = make_ticket(unit, ticket_type=PAID_SERVICE, call_started_at=called, resident=resident)
	frappe.set_user("Administrator")
	wo = work_order_of(ticket.name, dispatched_at=called + timedelta(minutes=3))
	wo.update({"arrived_at": called + timedelta(minutes=15), "completed_at": called + timedelta(hours=1),
		"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
		"resident_signature": SIGNATURE})  # fmt: skip
	wo.append("items", {"item_type": "Labour", "item_code": "疏通下水道", "item_name": "疏通", "qty": 1})
	wo.save()
	frappe.db.commit()  # the web server reads through its own connection
	yield wo.name
	frappe.db.rollback()
	for name in frappe.get_all(
		"Sales Invoice", {"property_helpdesk_work_order": wo.name, "docstatus": 1}, pluck="name"
	):
		frappe.get_doc("Sales Invoice", name).cancel()
	delete_cases(PROPERTY)
	frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_r39_finance_invoices_a_ticked_row_from_the_billing_queue(browser, paid_job):
	context, page = login(browser, FINANCE, PASSWORD)
	try:
		page.goto(f"{BASE_URL}/app/query-report/Billing Queue?{urlencode({'property': PROPERTY})}")
		row = page.locator(".dt-row", has_text=paid_job).first
		row.wait_for(timeout=60_000)
		body = page.inner_text("body")
		assert "待开票" in body and "开票浏览器业主" in body
		assert "80" in row.inner_text() and "维修派工单" in row.inner_text()
		screenshot(page, "billing-queue.png")
		row.locator("input[type=checkbox]").check()
		page.get_by_role("button", name="生成发票").click()
		page.get_by_text("发票：").first.wait_for(timeout=60_000)
		frappe.db.rollback()
		invoices = frappe.get_all(
			"Sales Invoice",
			{"property_helpdesk_work_order": paid_job, "docstatus": 1},
			["customer", "grand_total"],
		)
		assert [(i.customer, float(i.grand_total)) for i in invoices] == [("开票浏览器业主", 80.0)]
		# the report refreshes and no longer offers it
		row.wait_for(state="hidden", timeout=60_000)
	finally:
		context.close()
