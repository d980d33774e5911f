// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 零修急修及时率 and 返修率 (R30). Late and rework counts open the breaches behind them.

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Repair KPI"] = {
	filters: [
		...property_helpdesk.report.period(frappe.datetime.month_start(), frappe.datetime.get_today()),
		{ fieldname: "property", label: __("Property"), fieldtype: "Link", options: "Property" },
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
		{ fieldname: "person", label: __("Technician"), fieldtype: "Link", options: "User" },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Property", label: __("Property") },
				{ value: "Month", label: __("Month") },
				{ value: "Technician", label: __("Technician") },
			],
			default: "Property",
		},
		{ fieldname: "show_cases", label: __("Show Breaches"), fieldtype: "Check" },
		{
			fieldname: "measure",
			label: __("Breach"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "late", label: __("Completed Late") },
				{ value: "rework", label: __("Rework Jobs") },
			],
			depends_on: "show_cases",
		},
	],
	onload: (report) => property_helpdesk.report.drill_onload(report),
	formatter(value, row, column, data, default_formatter) {
		const shown = default_formatter(value, row, column, data);
		const measure = { minor_late: "late", rework: "rework" }[column.fieldname];
		if (!data || !data.drill || !measure || !value) return shown;
		const values = { ...data.drill, show_cases: 1, measure };
		return property_helpdesk.report.drill_link("Repair KPI", shown, values);
	},
};
