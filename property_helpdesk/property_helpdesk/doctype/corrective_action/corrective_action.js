// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt
// 纠正措施 (R32): the cases behind an action open from its form.

frappe.ui.form.on("Corrective Action", {
	refresh(frm) {
		const cases = (frm.doc.related_cases || "").split("\n").filter(Boolean);
		if (cases.length) {
			frm.add_custom_button(__("Cases"), () =>
				frappe.set_route("List", "Service Ticket", { name: ["in", cases] })
			);
		}
	},
});
