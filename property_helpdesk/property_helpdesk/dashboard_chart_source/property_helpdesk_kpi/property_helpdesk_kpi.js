// The workspace's rates and complaint counts (R29, R30, R32), for the properties the user works for: each chart
// names its figure (`measure`) and its grouping (`by`) in its filters; the server counts with services/kpi.
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Property Helpdesk KPI"] = {
	method: "property_helpdesk.services.workspace.chart_data",
	filters: [
		{
			fieldname: "measure",
			label: __("Figure"),
			fieldtype: "Select",
			options: ["timeliness", "minor_timeliness", "rework", "complaints"],
			default: "timeliness",
		},
		{
			fieldname: "by",
			label: __("By"),
			fieldtype: "Select",
			options: ["Month", "Property"],
			default: "Month",
		},
	],
};
