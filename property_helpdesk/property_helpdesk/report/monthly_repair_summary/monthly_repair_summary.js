// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 月度报修汇总 (R27). The open-item counts open the items with their chasers.

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Monthly Repair Summary"] = {
	filters: [
		...property_helpdesk.report.period(
			frappe.datetime.add_months(frappe.datetime.month_start(), -1),
			frappe.datetime.add_days(frappe.datetime.month_start(), -1)
		),
		{ fieldname: "property", label: __("Property"), fieldtype: "Link", options: "Property" },
		{
			fieldname: "developer",
			label: __("Developer"),
			fieldtype: "Link",
			options: "Property Developer",
		},
		{
			fieldname: "ticket_type",
			label: __("Case Type"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Repair", label: __("Repair") },
				{ value: "Paid Service", label: __("Paid Service") },
			],
		},
		{
			fieldname: "team",
			label: __("Team"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Maintenance Team", label: __("Maintenance Team") },
			],
		},
		{ fieldname: "person", label: __("Follow-up Owner"), fieldtype: "Link", options: "User" },
		{ fieldname: "show_cases", label: __("Show Open Items"), fieldtype: "Check" },
	],
	onload: (report) => property_helpdesk.report.drill_onload(report),
	formatter(value, row, column, data, default_formatter) {
		const shown = default_formatter(value, row, column, data);
		if (!data || !data.drill || !value) return shown;
		if (!["open_items", "overdue", "still_open", "carried"].includes(column.fieldname))
			return shown;
		const values = { ...data.drill, show_cases: 1 };
		return property_helpdesk.report.drill_link("Monthly Repair Summary", shown, values);
	},
};
