// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// What the service centre looks for: the messages that failed (red) or reached nobody (grey).
frappe.listview_settings["Resident Message"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colour = { Sent: "green", Queued: "orange", Failed: "red", "Not Sent": "gray" }[doc.status];
		return [__(doc.status), colour, `status,=,${doc.status}`];
	},
};
