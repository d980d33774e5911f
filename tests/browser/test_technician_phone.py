"""The technician's phone (390 px) in headless Chromium: a job taken from 接单 to the resident's signature with a
photo, a tap whose answer is lost on the network retried without a second step, and no sideways scroll
(R20–R22, R36). Screenshots go to docs/screenshots."""

import os
import tempfile

import frappe
import pytest
from frappe.utils import add_days, today

from property_helpdesk.constants import JOB_CLASS_CHANGE, WORK_ORDER, WORK_ORDER_STEP
from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import (
	PASSWORD,
	delete_cases,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	png,
	work_order_of,
)

TECH = "browser-tech@phone.test"
SUPERVISOR = "browser-supervisor@phone.test"
PROPERTY = "手机维修楼盘"
PHONE_WIDTH = 390
STEP_ROUTE = "**/api/method/property_helpdesk.api.field.take_step"


@pytest.fixture(scope="module")
def job(frappe_site):
	make_user(TECH, "Property Maintenance Technician")
	make_user(SUPERVISOR, "Property Maintenance Supervisor")
	for user in (TECH, SUPERVISOR):
		frappe.db.set_value("User", user, "language", "zh")
	frappe.db.set_value("User", TECH, {"first_name": "王师傅", "full_name": "王师傅"})
	make_property(PROPERTY, maintenance_supervisor=SUPERVISOR)
	frappe.db.set_value("Property", PROPERTY, "maintenance_supervisor", SUPERVISOR)
	unit = make_unit(PROPERTY, "5幢", "1201")
	ticket = make_ticket(unit, subject="厨房水管爆裂", description="水槽下方水管漏水。")
	work_order = work_order_of(ticket.name)
	work_order.technician = TECH
	work_order.save()
	frappe.db.commit()
	yield work_order.name
	frappe.db.rollback()
	frappe.db.delete(WORK_ORDER_STEP, {"work_order": work_order.name})
	for name in frappe.get_all(
		"File", {"attached_to_doctype": WORK_ORDER, "attached_to_name": work_order.name}, pluck="name"
	):
		frappe.delete_doc("File", name, force=True, ignore_permissions=True)
	delete_cases(PROPERTY)
	frappe.db.commit()


def no_sideways_scroll(page):
	return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def tap(page, step):
	page.click(f".ph-step[data-step={step}]")
	page.wait_for_selector(f".ph-step[data-step={step}] .ph-done", timeout=30_000)


def test_technician_takes_a_job_from_accept_to_the_residents_signature(browser, job):
	context, page = login(browser, TECH, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_jobs", wait_until="networkidle")
		card = page.locator(f".ph-job[data-name='{job}']")
		assert card.count() == 1
		assert "tel:13812345678" == card.locator("a.ph-call").get_attribute("href")
		assert no_sideways_scroll(page)
		screenshot(page, "phone-my-jobs.png")
		card.locator("a.ph-job-link").click()
		page.wait_for_url(f"**/my_jobs/{job}")
		page.wait_for_load_state("networkidle")
		assert "水槽下方水管漏水" in page.inner_text("body")

		# 接单: the first answer is lost on the network; the phone sends the tap again with its request id
		sent = []

		def lose_first_answer(route):
			sent.append(route.request.post_data)
			if len(sent) == 1:
				route.fetch()  # the server takes the step…
				route.abort("failed")  # …and the phone never hears of it
			else:
				route.continue_()

		page.route(STEP_ROUTE, lose_first_answer)
		tap(page, "accept")
		page.unroute(STEP_ROUTE)
		assert len(sent) == 2 and sent[0] == sent[1], sent
		frappe.db.rollback()
		assert frappe.db.count(WORK_ORDER_STEP, {"work_order": job, "step": "accept"}) == 1
		assert frappe.db.get_value(WORK_ORDER, job, "accepted_at")

		tap(page, "arrive")
		photo = os.path.join(tempfile.mkdtemp(), "before.png")
		with open(photo, "wb") as f:
			f.write(png(40, 30))
		page.set_input_files("#ph-photos-before input[type=file]", photo)
		page.click("#ph-photos-before button[type=submit]")
		page.wait_for_function(
			"document.querySelector('#ph-photos-before .ph-thumbs img')?.naturalWidth === 40", timeout=30_000
		)
		tap(page, "start")
		page.fill("#work_done", "更换水槽下方进水软管")
		with page.expect_navigation():
			page.click("#ph-work-done button[type=submit]")
		tap(page, "complete")
		assert no_sideways_scroll(page)

		form = page.locator("form.ph-confirm")
		for field, stars in (("quality", 5), ("timeliness", 4), ("attitude", 5)):
			form.locator(f".ph-stars[data-field={field}] label").nth(stars - 1).click()
		form.scroll_into_view_if_needed()
		box = form.locator("canvas").bounding_box()
		page.mouse.move(box["x"] + 20, box["y"] + 40)
		page.mouse.down()
		for n in range(1, 12):
			page.mouse.move(box["x"] + 20 + n * 25, box["y"] + 40 + (n % 3) * 30)
		page.mouse.up()
		assert no_sideways_scroll(page)
		screenshot(page, "phone-job-sign.png")
		form.locator("button[type=submit]").click()
		page.wait_for_selector("#ph-confirmed")
		assert no_sideways_scroll(page)
		screenshot(page, "phone-job-done.png")

		frappe.db.rollback()
		wo = frappe.get_doc(WORK_ORDER, job)
		assert wo.status == "Completed"
		assert (wo.resident_confirmed, wo.quality_rating, wo.timeliness_rating) == (1, 1.0, 0.8)
		assert wo.resident_signature.startswith("data:image/png;base64,")
		assert wo.work_done == "更换水槽下方进水软管"
		assert wo.accepted_at <= wo.arrived_at <= wo.started_at <= wo.completed_at
		steps = frappe.get_all(WORK_ORDER_STEP, {"work_order": job}, pluck="step", order_by="creation asc")
		assert steps == ["accept", "arrive", "start", "complete"]
	finally:
		context.close()


def test_the_supervisor_sees_the_teams_board(browser, job):
	"""The maintenance supervisor's /my_jobs shows the team's jobs with who has each (R4, R20–R22)."""
	context, page = login(browser, SUPERVISOR, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_jobs", wait_until="networkidle")
		page.wait_for_selector("#ph-team")
		card = page.locator(f".ph-job[data-name='{job}']")
		assert card.count() == 1
		assert "王师傅" in card.inner_text()
		assert no_sideways_scroll(page)
		screenshot(page, "phone-team-board.png")
	finally:
		context.close()


@pytest.fixture(scope="module")
def waiting_job(job):
	"""A second job of the same technician and property, for the phone's "needs more time"."""
	unit = frappe.db.get_value("Property Unit", {"property": PROPERTY}, "name")
	ticket = make_ticket(unit, subject="地下室水泵损坏", description="水泵不出水，需更换叶轮。")
	work_order = work_order_of(ticket.name)
	work_order.technician = TECH
	work_order.save()
	frappe.db.commit()
	yield work_order.name
	frappe.db.rollback()
	frappe.db.delete(JOB_CLASS_CHANGE, {"work_order": work_order.name})
	frappe.db.commit()


def test_r22_r37_needs_more_time_major_job_and_parts_on_order(browser, waiting_job):
	"""R22: "major job" with its reason and expected date asks the supervisor (a Job Class Change they are
	assigned); R37: "parts on order" pauses the case's clocks for that reason; the board shows both."""
	context, page = login(browser, TECH, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_jobs/{waiting_job}", wait_until="networkidle")
		page.click("#ph-ask-major")
		page.select_option("#major_reason", "Parts from Elsewhere")
		page.fill("#major_text", "叶轮需从厂家订购")
		page.fill("#expected_completion", add_days(today(), 7))
		assert no_sideways_scroll(page)
		screenshot(page, "phone-major-job.png")
		with page.expect_navigation():
			page.click("#ph-major-form button[type=submit]")
		page.wait_for_selector("#ph-class-pending")
		assert page.is_disabled("#ph-ask-major")
		with page.expect_navigation():
			page.click(".ph-pause[data-reason='Waiting for Parts']")
		page.wait_for_selector("#ph-paused")
		assert no_sideways_scroll(page)
		screenshot(page, "phone-more-time.png")
	finally:
		context.close()
	frappe.db.rollback()
	change = frappe.get_all(
		JOB_CLASS_CHANGE,
		filters={"work_order": waiting_job},
		fields=["name", "to_class", "major_reason", "reason", "approver", "requested_by", "workflow_state"],
	)
	assert [
		(c.to_class, c.major_reason, c.reason, c.approver, c.requested_by, c.workflow_state) for c in change
	] == [("Major", "Parts from Elsewhere", "叶轮需从厂家订购", SUPERVISOR, TECH, "Pending Approval")]
	ticket = frappe.db.get_value(WORK_ORDER, waiting_job, "service_ticket")
	assert frappe.db.get_value("Service Ticket", ticket, "paused_since")
	assert frappe.get_all("Clock Pause", {"parent": ticket}, pluck="reason") == ["Waiting for Parts"]
	assert frappe.db.get_value(WORK_ORDER, waiting_job, "job_class") == "Minor or Urgent"  # until approved

	context, page = login(browser, SUPERVISOR, PASSWORD, width=PHONE_WIDTH)
	try:
		page.goto(f"{BASE_URL}/my_jobs", wait_until="networkidle")
		card = page.locator(f".ph-job[data-name='{waiting_job}']")
		assert card.locator(".ph-paused").count() == 1
		assert "叶轮需从厂家订购" in card.locator(".ph-class-pending").inner_text()
		assert card.locator("a.ph-decide").get_attribute("href") == f"/app/job-class-change/{change[0].name}"
		assert no_sideways_scroll(page)
		screenshot(page, "phone-board-waiting.png")
	finally:
		context.close()
