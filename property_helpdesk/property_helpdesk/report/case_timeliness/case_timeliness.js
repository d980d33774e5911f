// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 处理及时率 (R29). Each count opens the cases behind it: the same report, narrowed to the row, in "Show Cases".

{% include "property_helpdesk/public/js/kpi_report.js" %}

frappe.query_reports["Case Timeliness"] = {
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
				{ value: "Complaint", label: __("Complaint") },
				{ value: "Service Request", label: __("Service Request") },
			],
		},
		{
			fieldname: "team",
			label: __("Team"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Maintenance Team", label: __("Maintenance Team") },
				{ value: "Customer Service Centre", label: __("Customer Service Centre") },
				{ value: "Management Office", label: __("Management Office") },
				{ value: "Company Leadership", label: __("Company Leadership") },
			],
		},
		{ fieldname: "person", label: __("Person"), fieldtype: "Link", options: "User" },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Property", label: __("Property") },
				{ value: "Month", label: __("Month") },
				{ value: "Case Type", label: __("Case Type") },
				{ value: "Team", label: __("Team") },
				{ value: "Person", label: __("Person") },
			],
			default: "Property",
		},
		{ fieldname: "show_cases", label: __("Show Cases"), fieldtype: "Check" },
		{
			fieldname: "measure",
			label: __("Timeliness"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "on_time", label: __("Handled On Time") },
				{ value: "late", label: __("Handled Late") },
				{ value: "pending", label: __("Pending, Not Yet Due") },
				{ value: "decided", label: __("Total Cases") },
			],
			depends_on: "show_cases",
		},
	],
	onload: (report) => property_helpdesk.report.drill_onload(report),
	formatter(value, row, column, data, default_formatter) {
		const shown = default_formatter(value, row, column, data);
		const measure = { on_time: "on_time", late: "late", pending: "pending", total: "decided" }[
			column.fieldname
		];
		if (!data || !data.drill || measure === undefined || !value) return shown;
		const values = { ...data.drill, show_cases: 1, measure };
		return property_helpdesk.report.drill_link("Case Timeliness", shown, values);
	},
};
