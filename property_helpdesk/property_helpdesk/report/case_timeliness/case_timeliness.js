// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 处理及时率 (R29). Each count opens the cases behind it: the same report, narrowed to the row, in "Show Cases".

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Case Timeliness"] = property_helpdesk.report.drilling(
	"Case Timeliness",
	[
		...property_helpdesk.report.period(frappe.datetime.month_start(), frappe.datetime.get_today()),
		property_helpdesk.report.property(),
		property_helpdesk.report.case_type(["Repair", "Paid Service", "Complaint", "Service Request"]),
		property_helpdesk.report.team([
			"Maintenance Team",
			"Customer Service Centre",
			"Management Office",
			"Company Leadership",
		]),
		property_helpdesk.report.person(__("Person")),
		property_helpdesk.report.group_by(["Property", "Month", "Case Type", "Team", "Person"]),
		property_helpdesk.report.show_cases(__("Show Cases")),
		property_helpdesk.report.select(
			"measure",
			__("Timeliness"),
			[
				{ value: "on_time", label: __("Handled On Time") },
				{ value: "late", label: __("Handled Late") },
				{ value: "pending", label: __("Pending, Not Yet Due") },
				{ value: "decided", label: __("Total Cases") },
			],
			{ depends_on: "show_cases" }
		),
	],
	{ on_time: "on_time", late: "late", pending: "pending", total: "decided" }
);
