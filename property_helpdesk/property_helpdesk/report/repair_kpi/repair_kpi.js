// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 零修急修及时率 and 返修率 (R30). Late and rework counts open the breaches behind them.

frappe.query_reports["Repair KPI"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
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
		const measure = { minor_late: "late", rework: "rework" }[column.fieldname];
		if (!data || !data.drill || !measure || !value) return shown;
		const values = { ...data.drill, show_cases: 1, measure };
		const params = new URLSearchParams(values);
		const filters = encodeURIComponent(JSON.stringify(values));
		return `<a class="ph-drill" data-filters="${filters}" href="/app/query-report/Repair KPI?${params}">${shown}</a>`;
	},
};
