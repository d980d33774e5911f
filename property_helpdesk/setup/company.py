"""ERPNext's setup for the company that runs the property offices.

Used by the bootstrap (demo site) and by `before_tests` (test site): ERPNext needs a completed setup, with a
company, before Customers can be billed.
"""

import frappe

DEMO_COMPANY = "顺发物业服务有限公司"
DEMO_ABBR = "SFWY"


def complete_erpnext_setup(company: str = DEMO_COMPANY, abbr: str = DEMO_ABBR) -> None:
	"""Run ERPNext's setup wizard once, non-interactively; a no-op on a site already set up."""
	if frappe.db.get_single_value("System Settings", "setup_complete") and frappe.db.exists(
		"Company", company
	):
		return

	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete
	from frappe.utils import getdate, nowdate

	year = getdate(nowdate()).year
	frappe.clear_cache()
	setup_complete(
		{
			"currency": "CNY",
			"full_name": "Administrator",
			"company_name": company,
			"timezone": "Asia/Shanghai",
			"company_abbr": abbr,
			"industry": "Services",
			"country": "China",
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"language": "English",
			"company_tagline": "物业服务",
			"email": "admin@property-helpdesk.local",
			"password": "admin",
			"chart_of_accounts": "Standard",
		}
	)
	if not frappe.db.exists("Company", company):
		frappe.throw(f"ERPNext's setup did not make the company {company}: see the Error Log")
	frappe.db.set_single_value("System Settings", "language", "zh")
	# The site was created in another time zone; let every scheduled job start afresh in this one.
	frappe.db.sql("update `tabScheduled Job Type` set last_execution = null")
	frappe.db.commit()  # setup_complete commits its own work; keep ours with it
