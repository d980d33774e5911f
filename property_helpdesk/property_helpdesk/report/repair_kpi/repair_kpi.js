// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 零修急修及时率 and 返修率 (R30). Late and rework counts open the breaches behind them.

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Repair KPI"] = property_helpdesk.report.drilling(
	"Repair KPI",
	[
		...property_helpdesk.report.period(frappe.datetime.month_start(), frappe.datetime.get_today()),
		property_helpdesk.report.property(),
		property_helpdesk.report.case_type(["Repair", "Paid Service"]),
		property_helpdesk.report.team(["Maintenance Team"]),
		property_helpdesk.report.person(__("Technician")),
		property_helpdesk.report.group_by(["Property", "Month", "Technician"]),
		property_helpdesk.report.show_cases(__("Show Breaches")),
		property_helpdesk.report.select(
			"measure",
			__("Breach"),
			[
				{ value: "late", label: __("Completed Late") },
				{ value: "rework", label: __("Rework Jobs") },
			],
			{ depends_on: "show_cases" }
		),
	],
	{ minor_late: "late", rework: "rework" }
);
