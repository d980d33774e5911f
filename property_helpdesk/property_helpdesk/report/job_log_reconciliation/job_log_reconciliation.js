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
		{ fieldname: "person", label: __("Kept By"), fieldtype: "Link", options: "User" },
		{ fieldname: "unreconciled_only", label: __("Not Reconciled Only"), fieldtype: "Check" },
	],
};
