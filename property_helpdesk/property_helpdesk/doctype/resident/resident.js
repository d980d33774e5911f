// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Resident", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.user || !frm.perm[0].write) return;
		frm.add_custom_button(__("Invite to Portal"), () => {
			frappe.call({
				method: "property_helpdesk.property_helpdesk.doctype.resident.resident.invite_to_portal",
				args: { resident: frm.doc.name },
				freeze: true,
				callback: (r) => {
					if (r.exc) return;
					frappe.show_alert({ message: __("Invitation sent to {0}", [r.message]), indicator: "green" });
					frm.reload_doc();
				},
			});
		});
	},
});
