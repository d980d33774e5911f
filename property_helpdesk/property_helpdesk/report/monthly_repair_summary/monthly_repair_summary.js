// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 月度报修汇总 (R27). The open-item counts open the items with their chasers.

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Monthly Repair Summary"] = property_helpdesk.report.drilling(
	"Monthly Repair Summary",
	[
		...property_helpdesk.report.period(
			frappe.datetime.add_months(frappe.datetime.month_start(), -1),
			frappe.datetime.add_days(frappe.datetime.month_start(), -1)
		),
		property_helpdesk.report.property(),
		{
			fieldname: "developer",
			label: __("Developer"),
			fieldtype: "Link",
			options: "Property Developer",
		},
		property_helpdesk.report.case_type(["Repair", "Paid Service"]),
		property_helpdesk.report.team(["Maintenance Team"]),
		property_helpdesk.report.person(__("Follow-up Owner")),
		property_helpdesk.report.show_cases(__("Show Open Items")),
	],
	{ open_items: null, overdue: null, still_open: null, carried: null }
);
