"""The developer's portal page in headless Chromium (R17, R40): a contact sees its own developer's sheets, gives
the written reply, and reaches nothing of another developer's."""

import frappe
import pytest
from frappe.model.workflow import apply_workflow

from tests.browser.conftest import BASE_URL, login, screenshot
from tests.integration.factories import PASSWORD, make_property, make_ticket, make_unit, make_user

CONTACT = "browser-dev-contact@portal.test"
OTHER = "browser-dev-other@portal.test"


def sent_sheet(developer, prop, unit, subject, people):
	frappe.set_user(people["agent"])
	ticket = make_ticket(unit, subject=subject)
	sheet = frappe.get_doc(
		{
			"doctype": "Liaison Sheet",
			"subject": subject,
			"purpose": "Developer-Liable Repair",
			"developer": developer,
			"property": prop,
			"liable_party": "Developer",
			"content": "请确认维修责任。",
			"cases": [{"service_ticket": ticket.name, "amount": 680}],
		}
	).insert()
	for who, action in (
		("director", "Sign"),
		("csm", "Review"),
		("gm", "Sign"),
		("csm", "Send to Developer"),
	):
		frappe.set_user(people[who])
		apply_workflow(frappe.get_doc("Liaison Sheet", sheet.name), action)
	frappe.set_user("Administrator")
	return sheet.name, ticket.name


@pytest.fixture(scope="module")
def portal_data(frappe_site):
	people = {
		"agent": make_user("bp-agent@portal.test", "Property Duty Staff"),
		"director": make_user("bp-director@portal.test", "Property Office Director"),
		"csm": make_user("bp-csm@portal.test", "Property CS Manager"),
		"gm": make_user("bp-gm@portal.test", "Property General Manager"),
	}
	made = []
	for contact, name in ((CONTACT, "门户开发商楼盘"), (OTHER, "别家开发商楼盘")):
		make_user(contact, "Property Developer Contact", user_type="Website User")
		frappe.db.set_value("User", contact, "language", "zh")
		prop = make_property(name, "External Developer")
		developer = frappe.db.get_value("Property", prop, "developer")
		dev = frappe.get_doc("Property Developer", developer)
		if not any(row.user == contact for row in dev.contact_users):
			dev.append("contact_users", {"user": contact})
			dev.save()
		made.append(sent_sheet(developer, prop, make_unit(prop), f"{name}外墙渗水确认", people))
	frappe.db.commit()
	yield {"mine": made[0][0], "theirs": made[1][0]}
	for sheet, ticket in made:
		frappe.db.delete("Liaison Sheet", {"name": sheet})
		frappe.db.delete("Repair Work Order", {"service_ticket": ticket})
		frappe.db.delete("Service Ticket", {"name": ticket})
	frappe.db.commit()


def test_r40_contact_replies_to_its_own_sheet_and_cannot_see_another(browser, portal_data):
	context, page = login(browser, CONTACT, PASSWORD, width=1280)
	try:
		page.goto(f"{BASE_URL}/developer_sheets", wait_until="networkidle")
		listing = page.inner_text("body")
		assert portal_data["mine"] in listing and "门户开发商楼盘外墙渗水确认" in listing
		assert portal_data["theirs"] not in listing and "别家开发商楼盘" not in listing
		screenshot(page, "developer-portal-list.png")

		page.goto(f"{BASE_URL}/developer_sheets?name={portal_data['mine']}", wait_until="networkidle")
		page.select_option("#decision", "Amount Authorised")
		page.fill("#authorised_amount", "500")
		page.fill("#remarks", "同意承担500元，其余由保修单位承担。")
		screenshot(page, "developer-portal-reply.png")
		page.click("#ph-reply button[type=submit]")
		page.wait_for_function("() => !document.querySelector('#ph-reply')", timeout=30_000)
		assert "同意承担500元" in page.inner_text("body")

		response = page.goto(f"{BASE_URL}/developer_sheets?name={portal_data['theirs']}")
		assert response.status == 403
		api = page.request.get(f"{BASE_URL}/api/resource/Liaison Sheet/{portal_data['theirs']}")
		assert api.status == 403
	finally:
		context.close()

	frappe.db.rollback()
	sheet = frappe.get_doc("Liaison Sheet", portal_data["mine"])
	assert (sheet.workflow_state, sheet.reply_channel, sheet.agreed_amount) == ("Replied", "Portal", 500)
