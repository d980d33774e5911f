// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 登记日志核对 (R26).

frappe.query_reports["Job Log Reconciliation"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_days(frappe.datetime.get_today(), -30),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
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
