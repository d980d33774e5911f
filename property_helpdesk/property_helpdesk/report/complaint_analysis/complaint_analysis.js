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

frappe.query_reports["Complaint Analysis"] = property_helpdesk.report.drilling(
	"Complaint Analysis",
	[
		...property_helpdesk.report.period(...ph_last_half_year()),
		property_helpdesk.report.property(),
		property_helpdesk.report.case_type(["Complaint", "Service Request"], "Complaint"),
		property_helpdesk.report.team([
			"Customer Service Centre",
			"Management Office",
			"Company Leadership",
		]),
		property_helpdesk.report.person(__("Person")),
		property_helpdesk.report.group_by([
			"Ground",
			"Property",
			"Team",
			"Unit",
			"Validity Class",
			"Month",
		]),
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
		property_helpdesk.report.select("validity_class", __("Validity Class"), [
			{ value: "Valid Complaint", label: __("Valid Complaint") },
			{ value: "Matter to Assist", label: __("Matter to Assist") },
			{ value: "Excessive Demand", label: __("Excessive Demand") },
		]),
		property_helpdesk.report.show_cases(__("Show Cases")),
	],
	{ total: "", on_time: "on_time", late: "late" }
);
