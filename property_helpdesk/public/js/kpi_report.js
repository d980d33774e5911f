// What the app's five script reports share: their filters and the drill-down from a count to the cases behind it.
// Each report's script includes this file with Frappe's include directive, which Frappe expands when it serves
// the script (frappe.desk.query_report.get_script runs render_include), so the filters are defined before the
// report reads them. Frappe evaluates each report's script in the page's global scope: this file declares no
// top-level const or let (a second report would throw on the redeclaration), only the namespace's methods.

frappe.provide("property_helpdesk.report");

Object.assign(property_helpdesk.report, {
	// The period every report filters by, with its own defaults.
	period(from_date, to_date) {
		return [
			{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: from_date, reqd: 1 },
			{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: to_date, reqd: 1 },
		];
	},

	property() {
		return { fieldname: "property", label: __("Property"), fieldtype: "Link", options: "Property" };
	},

	// The case types the report counts (stored values); with a default there is no empty choice.
	case_type(types, default_value) {
		const labels = {
			Repair: __("Repair"),
			"Paid Service": __("Paid Service"),
			Complaint: __("Complaint"),
			"Service Request": __("Service Request"),
		};
		return property_helpdesk.report.select(
			"ticket_type",
			__("Case Type"),
			types.map((value) => ({ value, label: labels[value] })),
			default_value ? { default: default_value, blank: false } : {}
		);
	},

	// The teams a case answers to (services/kpi.team computes them).
	team(teams) {
		const labels = {
			"Maintenance Team": __("Maintenance Team"),
			"Customer Service Centre": __("Customer Service Centre"),
			"Management Office": __("Management Office"),
			"Company Leadership": __("Company Leadership"),
		};
		return property_helpdesk.report.select(
			"team",
			__("Team"),
			teams.map((value) => ({ value, label: labels[value] }))
		);
	},

	// The person a report narrows to: the follow-up owner, the technician or the log's keeper.
	person(label) {
		return { fieldname: "person", label, fieldtype: "Link", options: "User" };
	},

	// The groups a report offers (services/kpi's *_GROUPS), the first the default.
	group_by(groups) {
		const labels = {
			Property: __("Property"),
			Month: __("Month"),
			"Case Type": __("Case Type"),
			Team: __("Team"),
			Person: __("Person"),
			Technician: __("Technician"),
			Ground: __("Ground"),
			Unit: __("Housing Unit"),
			"Validity Class": __("Validity Class"),
		};
		return property_helpdesk.report.select(
			"group_by",
			__("Group By"),
			groups.map((value) => ({ value, label: labels[value] })),
			{ default: groups[0], blank: false }
		);
	},

	// The check that lists the cases (breaches, open items) behind the counts instead of the counts.
	show_cases(label) {
		return { fieldname: "show_cases", label, fieldtype: "Check" };
	},

	// A Select filter: options as [{value, label}], an empty first choice unless `blank` is false.
	select(fieldname, label, options, { blank = true, ...extra } = {}) {
		return {
			fieldname,
			label,
			fieldtype: "Select",
			options: blank ? [{ value: "", label: "" }, ...options] : options,
			...extra,
		};
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

	// The report's formatter: the counts of the columns in `measures` ({fieldname: measure}, null for "no
	// measure") become links to the cases behind them.
	drill_formatter(report_name, measures) {
		return (value, row, column, data, default_formatter) => {
			// Frappe's Data formatter puts a value into the cell as HTML: a case's words are text (issue 15)
			const text_columns = ["Data", "Small Text", "Text", "Long Text"];
			if (typeof value === "string" && text_columns.includes(column.fieldtype || "Data")) {
				value = frappe.utils.escape_html(value);
			}
			const shown = default_formatter(value, row, column, data);
			const measure = Object.hasOwn(measures, column.fieldname) ? measures[column.fieldname] : undefined;
			if (!data || !data.drill || measure === undefined || !value) return shown;
			const values = { ...data.drill, show_cases: 1 };
			if (measure !== null) values.measure = measure;
			return property_helpdesk.report.drill_link(report_name, shown, values);
		};
	},

	// A report that drills: its filters, its onload and its formatter.
	drilling(report_name, filters, measures) {
		return {
			filters,
			onload: (report) => property_helpdesk.report.drill_onload(report),
			formatter: property_helpdesk.report.drill_formatter(report_name, measures),
		};
	},
});
