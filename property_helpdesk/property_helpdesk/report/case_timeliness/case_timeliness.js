// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 处理及时率 (R29). Each count opens the cases behind it: the same report, narrowed to the row, in "Show Cases".

frappe.query_reports["Case Timeliness"] = {
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
		const measure = { on_time: "on_time", late: "late", pending: "pending", total: "decided" }[
			column.fieldname
		];
		if (!data || !data.drill || measure === undefined || !value) return shown;
		const values = { ...data.drill, show_cases: 1, measure };
		const params = new URLSearchParams(values);
		const filters = encodeURIComponent(JSON.stringify(values));
		return `<a class="ph-drill" data-filters="${filters}" href="/app/query-report/Case Timeliness?${params}">${shown}</a>`;
	},
};
