app_name = "property_helpdesk"
app_title = "Property Helpdesk"
app_publisher = "Property Helpdesk developers"
app_description = "物业报修投诉: repairs and complaints from the first call to the return visit"
app_email = "dev@property-helpdesk.local"
app_license = "mit"
required_apps = ["frappe/erpnext"]

export_python_type_annotations = True

after_install = "property_helpdesk.setup.install.after_install"
after_migrate = "property_helpdesk.setup.install.after_migrate"
before_uninstall = "property_helpdesk.setup.install.before_uninstall"
# Found by the awesome bar's global search: a case by its caller's number, a resident by phone (R1, R5)
global_search_doctypes = {
	"Default": [{"doctype": "Service Ticket"}, {"doctype": "Resident"}, {"doctype": "Property Unit"}]
}
# the liability reasons' translations, kept per language, go with Frappe's caches
clear_cache = "property_helpdesk.property_helpdesk.doctype.service_ticket.service_ticket.clear_reason_cache"
before_tests = "property_helpdesk.setup.company.complete_erpnext_setup"

fixtures = [
	{"dt": "Role", "filters": [["role_name", "like", "Property %"]]},
	"Complaint Ground",
]

scheduler_events = {
	# Frappe's scheduler commits after each job (and rolls back one that raises): the jobs do not commit.
	"cron": {
		# R15, R20–R24: the clocks are minute-level; the job selects only what is due.
		"* * * * *": [
			"property_helpdesk.services.escalation.run_job",
			# residents' messages due: retries after their back-off, SMS held by the quiet hours (this job commits
			# after each message it sends: a provider that has a message must never see it again)
			"property_helpdesk.services.resident_messages.send_due",
			# issue 15: work orders whose team's job was lost (Redis down, a worker killed): the team told now
			"property_helpdesk.services.dispatch.tell_untold_teams",
		],
		# R17, R28: liaison sheets past their reply or review deadline
		"*/15 * * * *": [
			"property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.chase_overdue"
		],
		# R27, R29, R30: last month's report to the recipients of Settings; R32: KPI swings' corrective actions
		"0 7 1 * *": ["property_helpdesk.services.kpi_mail.send_monthly_report"],
		# R32: the half-yearly complaint analysis
		"0 7 1 1,7 *": ["property_helpdesk.services.kpi_mail.send_half_yearly_report"],
	},
	"daily": [
		# R26: job logs not reconciled with 客服中心 within the interval, and days the team kept no log
		"property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log.remind_unreconciled_job",
		# R25: self-handled jobs open past the limit without an approved plan, to the engineering manager once
		"property_helpdesk.property_helpdesk.doctype.warranty_repair_plan.warranty_repair_plan.nudge_plans_needed",
	],
}

# Print formats: the receipt's lines and its amount in Chinese capitals (R39)
jinja = {
	"methods": [
		"property_helpdesk.services.billing.receipt_lines",
		"property_helpdesk.procedure.money.rmb_upper",
		"property_helpdesk.api.portal.portal_nav",  # the resident's pages linked on every portal page
		# R8: the service card's lines, the case's property's own else Settings' company-wide ones
		"property_helpdesk.property_helpdesk.doctype.property.property.service_lines",
		# 扫码报修: a unit's or common area's QR label (issue 14)
		"property_helpdesk.services.qr.place_label",
	],
	# a Text field as Frappe keeps it (sanitised HTML), cleaned again for print
	"filters": ["property_helpdesk.printing.rich_text"],
}

# each message to the resident on the case's timeline (what, to whom, which channel, delivered or failed)
additional_timeline_content = {"Service Ticket": ["property_helpdesk.services.resident_messages.timeline"]}

# R17, R40: recovery from a liaison sheet (billing kept apart from the approval form's own script)
doctype_js = {"Liaison Sheet": "public/js/liaison_sheet_recovery.js"}

has_permission = {
	"Liaison Sheet": "property_helpdesk.api.developer.has_liaison_permission",
}
permission_query_conditions = {
	"Liaison Sheet": "property_helpdesk.api.developer.liaison_query_conditions",
}

# Only ERPNext's documents here: the app's own DocTypes live their lives in their controllers.
doc_events = {
	# ERPNext's own events keep the work order, the case and the settlement's billing true (R39, R44).
	"Sales Invoice": {
		"after_insert": "property_helpdesk.services.billing.on_invoice_event",
		"on_submit": "property_helpdesk.services.billing.on_invoice_event",
		"on_cancel": "property_helpdesk.services.billing.on_invoice_event",
		"on_update_after_submit": "property_helpdesk.services.billing.on_invoice_event",
	},
	"Payment Entry": {
		# R39 不得无凭证收费: a resident pays against an invoice
		"validate": "property_helpdesk.services.billing.check_resident_payment",
		"on_submit": "property_helpdesk.services.billing.on_payment_event",
		"on_cancel": "property_helpdesk.services.billing.on_payment_event",
		# a payment reconciled against the invoice later
		"on_update_after_submit": "property_helpdesk.services.billing.on_payment_event",
	},
	"Journal Entry": {
		"on_submit": "property_helpdesk.services.billing.on_payment_event",
		"on_cancel": "property_helpdesk.services.billing.on_payment_event",
	},
	# Frappe's User: a staff user's desk opens on the app's workspace (User.default_workspace, R4)
	"User": {"validate": "property_helpdesk.services.workspace.land_staff_on_workspace"},
}

# The resident portal (R8, R10, R34, R36): residents land on their cases; ERPNext adds their invoices.
role_home_page = {"Property Resident": "my_cases"}
portal_menu_items = [
	{"title": "My Cases", "route": "/my_cases", "role": "Property Resident"},
	{"title": "Report a Problem", "route": "/new_case", "role": "Property Resident"},
	{"title": "My Receipts", "route": "/my_receipts", "role": "Property Resident"},
	{"title": "Messages by WeChat", "route": "/wechat_bind", "role": "Property Resident"},
	{"title": "Message Settings", "route": "/my_messages", "role": "Property Resident"},
]
website_route_rules = [
	{"from_route": "/my_cases/<name>", "to_route": "my_cases/case"},
	{"from_route": "/my_jobs/<name>", "to_route": "my_jobs/job"},
]

# R4, R1: each office's staff see only their properties' records (property_helpdesk/access.py). Frappe's User
# Permissions on Property keep every DocType with a Property link by themselves; these are the ones without:
# Escalation (written by the job's multi-row insert), Resident (units of several properties) and the child
# tables, which Frappe lists to whoever reads their parent DocType.
has_permission.update(
	{
		"Escalation": "property_helpdesk.access.has_escalation_permission",
		"Resident": "property_helpdesk.access.has_resident_permission",
	}
)
permission_query_conditions.update(
	{
		"Escalation": "property_helpdesk.access.escalation_query_conditions",
		"Resident": "property_helpdesk.access.resident_query_conditions",
		"Clock Pause": "property_helpdesk.access.child_query_conditions",
		"Job Log Entry": "property_helpdesk.access.child_query_conditions",
		"Liaison Chase": "property_helpdesk.access.child_query_conditions",
		"Liaison Sheet Case": "property_helpdesk.access.child_query_conditions",
		"Negotiation Round": "property_helpdesk.access.child_query_conditions",
		"Plan Progress": "property_helpdesk.access.child_query_conditions",
		"Resident Unit": "property_helpdesk.access.child_query_conditions",
		"Ticket Handover": "property_helpdesk.access.child_query_conditions",
		"Ticket Reminder": "property_helpdesk.access.child_query_conditions",
		"Work Order Item": "property_helpdesk.access.child_query_conditions",
		"Work Order Progress": "property_helpdesk.access.child_query_conditions",
	}
)
# R4, R1: the awesome bar's global search shows only what the user may read (property_helpdesk/access.py)
# and the link search does not drop them when a caller asks it to ignore User Permissions
override_whitelisted_methods = {
	"frappe.utils.global_search.search": "property_helpdesk.access.global_search",
	"frappe.desk.search.search_link": "property_helpdesk.access.search_link",
	"frappe.desk.search.search_widget": "property_helpdesk.access.search_widget",
}
# R4, R1: the System Manager imports staff users' properties (User Permission) with Data Import
after_install = [after_install, "property_helpdesk.setup.install.allow_user_permission_import"]
after_migrate = [after_migrate, "property_helpdesk.setup.install.allow_user_permission_import"]

# the desk: a workspace rate card with nothing to divide yet shows a dash (public/js/workspace_cards.js)
app_include_js = ["/assets/property_helpdesk/js/workspace_cards.js"]

# A missing or mistyped argument of the app's whitelisted methods answers a translated 417, not Frappe's 500
# from the call's TypeError: Frappe has no hook around frappe.call, before_request sees every call first.
before_request = ["property_helpdesk.whitelist_guard.check_arguments"]

# Frappe's File (not only ERPNext's documents): the bytes a resident's requests store a day, against a quota
doc_events["File"] = {"before_insert": "property_helpdesk.api.portal.count_upload"}

# R4, R1: a Prepared Report (a long report run in a worker as whoever asked) holds that user's figures only: Frappe's
# report endpoints and the Prepared Report records give it to its owner alone (property_helpdesk/api/reports.py)
override_whitelisted_methods.update(
	{
		"frappe.desk.query_report.run": "property_helpdesk.api.reports.run",
		"frappe.desk.query_report.export_query": "property_helpdesk.api.reports.export_query",
	}
)
has_permission["Prepared Report"] = "property_helpdesk.api.reports.has_prepared_report_permission"
permission_query_conditions["Prepared Report"] = (
	"property_helpdesk.api.reports.prepared_report_query_conditions"
)
