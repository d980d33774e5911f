// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Service Ticket"] = {
	add_fields: ["status", "ticket_type", "follow_up_owner", "validity_class"],
	get_indicator(doc) {
		const colors = { Open: "red", "In Progress": "orange", Resolved: "blue", Closed: "green" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
