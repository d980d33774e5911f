// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 投诉统计分析 (R32), half-yearly by default. Each count opens the complaints behind it.

{% include "property_helpdesk/public/js/kpi_report.js" %}

function ph_last_half_year() {
	const today = frappe.datetime.str_to_obj(frappe.datetime.get_today());
	const year = today.getFullYear();
	return today.getMonth() < 6
		? [`${year - 1}-07-01`, `${year - 1}-12-31`]
		: [`${year}-01-01`, `${year}-06-30`];
}

frappe.query_reports["Complaint Analysis"] = {
	filters: [
		...property_helpdesk.report.period(...ph_last_half_year()),
		{ fieldname: "property", label: __("Property"), fieldtype: "Link", options: "Property" },
		{
			fieldname: "ticket_type",
			label: __("Case Type"),
			fieldtype: "Select",
			options: [
				{ value: "Complaint", label: __("Complaint") },
				{ value: "Service Request", label: __("Service Request") },
			],
			default: "Complaint",
		},
		{
			fieldname: "team",
			label: __("Team"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
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
				{ value: "Ground", label: __("Ground") },
				{ value: "Property", label: __("Property") },
				{ value: "Team", label: __("Team") },
				{ value: "Unit", label: __("Housing Unit") },
				{ value: "Validity Class", label: __("Validity Class") },
				{ value: "Month", label: __("Month") },
			],
			default: "Ground",
		},
		{
			fieldname: "recurring_only",
			label: __("Recurring Units Only"),
			fieldtype: "Check",
			depends_on: "eval:doc.group_by == 'Unit'",
		},
		{
			fieldname: "complaint_ground",
			label: __("Complaint Ground"),
			fieldtype: "Link",
			options: "Complaint Ground",
		},
		{ fieldname: "unit", label: __("Housing Unit"), fieldtype: "Link", options: "Property Unit" },
		{
			fieldname: "validity_class",
			label: __("Validity Class"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Valid Complaint", label: __("Valid Complaint") },
				{ value: "Matter to Assist", label: __("Matter to Assist") },
				{ value: "Excessive Demand", label: __("Excessive Demand") },
			],
		},
		{ fieldname: "show_cases", label: __("Show Cases"), fieldtype: "Check" },
	],
	onload: (report) => property_helpdesk.report.drill_onload(report),
	formatter(value, row, column, data, default_formatter) {
		const shown = default_formatter(value, row, column, data);
		const measure = { total: "", on_time: "on_time", late: "late" }[column.fieldname];
		if (!data || !data.drill || measure === undefined || !value) return shown;
		const values = { ...data.drill, show_cases: 1, measure };
		return property_helpdesk.report.drill_link("Complaint Analysis", shown, values);
	},
};
