// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// The case list is where the service centre sees at a glance what to chase (R15, R20–R24, R29): each open case
// shows its unit, its follow-up owner, its next deadline (the nearest of its clocks still running, stored by the
// server) and whether that deadline is past (Late) or near (Due Soon).
// The same window as the workspace's "Due Soon Cases" (services/workspace.py DUE_SOON_HOURS).
const DUE_SOON_HOURS = 2;

frappe.listview_settings["Service Ticket"] = {
	add_fields: [
		"status",
		"ticket_type",
		"unit",
		"follow_up_owner",
		"follow_up_owner_name",
		"validity_class",
		"kpi_due_at",
		"next_deadline",
		"paused_since",
	],
	get_indicator(doc) {
		const colors = { Open: "red", "In Progress": "orange", Resolved: "blue", Closed: "green" };
		const finished = ["Resolved", "Closed"].includes(doc.status);
		if (!finished && doc.paused_since) return [__("Paused"), "gray", "paused_since,is,set"];
		if (doc.next_deadline) {
			const now = frappe.datetime.now_datetime();
			const hours =
				(frappe.datetime.str_to_obj(doc.next_deadline) - frappe.datetime.str_to_obj(now)) / 36e5;
			if (hours < 0) return [__("Late"), "red", `next_deadline,<,${now}`];
			if (hours < DUE_SOON_HOURS) return [__("Due Soon"), "orange", `next_deadline,>=,${now}`];
		}
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
