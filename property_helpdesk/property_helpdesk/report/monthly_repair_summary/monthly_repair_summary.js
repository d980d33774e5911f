// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 月度报修汇总 (R27). The open-item counts open the items with their chasers.

frappe.query_reports["Monthly Repair Summary"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.month_start(), -1),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_days(frappe.datetime.month_start(), -1),
			reqd: 1,
		},
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
	onload(report) {
		// A count opens the cases behind it here: the filters narrowed to its row, the cases shown.
		report.page.wrapper.on("click", "a.ph-drill", (e) => {
			if (e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab follows the link itself
			e.preventDefault();
			e.stopPropagation();
			const values = JSON.parse(decodeURIComponent(e.currentTarget.dataset.filters));
			const all = {};
			report.filters.forEach((f) => {
				all[f.df.fieldname] = values[f.df.fieldname] ?? (f.df.fieldtype === "Check" ? 0 : "");
			});
			report.set_filter_value(all);
		});
	},
	formatter(value, row, column, data, default_formatter) {
		const shown = default_formatter(value, row, column, data);
		if (!data || !data.drill || !value) return shown;
		if (!["open_items", "overdue", "still_open", "carried"].includes(column.fieldname))
			return shown;
		const values = { ...data.drill, show_cases: 1 };
		const params = new URLSearchParams(values);
		const filters = encodeURIComponent(JSON.stringify(values));
		return `<a class="ph-drill" data-filters="${filters}" href="/app/query-report/Monthly Repair Summary?${params}">${shown}</a>`;
	},
};
