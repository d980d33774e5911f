// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// An open case shows whether its handling clock (Handle By, the server's deadline) is past or near: the list
// is where the service centre sees at a glance what is late (R29).
const DUE_SOON_HOURS = 2;

frappe.listview_settings["Service Ticket"] = {
	add_fields: ["status", "ticket_type", "follow_up_owner", "validity_class", "kpi_due_at", "paused_since"],
	get_indicator(doc) {
		const colors = { Open: "red", "In Progress": "orange", Resolved: "blue", Closed: "green" };
		const finished = ["Resolved", "Closed"].includes(doc.status);
		if (!finished && doc.paused_since) return [__("Paused"), "gray", "paused_since,is,set"];
		if (!finished && doc.kpi_due_at) {
			const due = frappe.datetime.str_to_obj(doc.kpi_due_at);
			const hours = (due - frappe.datetime.str_to_obj(frappe.datetime.now_datetime())) / 36e5;
			if (hours < 0) return [__("Late"), "red", `kpi_due_at,<,${frappe.datetime.now_datetime()}`];
			if (hours < DUE_SOON_HOURS) return [__("Due Soon"), "orange", `kpi_due_at,>=,${frappe.datetime.now_datetime()}`];
		}
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
