// What the app's script reports share. Each report's script includes this file with Frappe's include directive
// (see case_timeliness.js), which Frappe expands when it serves the script.

frappe.provide("property_helpdesk.report");

Object.assign(property_helpdesk.report, {
	// The period every report filters by, with its own defaults.
	period(from_date, to_date) {
		return [
			{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: from_date, reqd: 1 },
			{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: to_date, reqd: 1 },
		];
	},

	// A count opens the cases behind it here: the filters narrowed to its row, the cases shown.
	drill_onload(report) {
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

	// The link a count becomes: the same report with the row's filters and its cases shown.
	drill_link(report_name, shown, values) {
		const params = new URLSearchParams(values);
		const filters = encodeURIComponent(JSON.stringify(values));
		return `<a class="ph-drill" data-filters="${filters}" href="/app/query-report/${report_name}?${params}">${shown}</a>`;
	},
});
