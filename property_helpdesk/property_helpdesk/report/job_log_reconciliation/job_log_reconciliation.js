// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 登记日志核对 (R26).

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Job Log Reconciliation"] = {
	filters: [
		...property_helpdesk.report.period(
			frappe.datetime.add_days(frappe.datetime.get_today(), -30),
			frappe.datetime.get_today()
		),
		property_helpdesk.report.property(),
		property_helpdesk.report.case_type(["Repair", "Paid Service"]),
		property_helpdesk.report.team(["Maintenance Team"]),
		property_helpdesk.report.person(__("Kept By")),
		{ fieldname: "unreconciled_only", label: __("Not Reconciled Only"), fieldtype: "Check" },
	],
};
