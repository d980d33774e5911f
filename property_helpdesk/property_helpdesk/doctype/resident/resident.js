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
					const { user, mailed, link } = r.message;
					if (!link) {
						frappe.show_alert({
							message: mailed ? __("Invitation sent to {0}", [user]) : __("{0} can now see the units' cases", [user]),
							indicator: "green",
						});
					} else if (mailed) {
						frappe.show_alert({ message: __("Invitation sent to {0}", [user]), indicator: "green" });
					} else {
						frappe.msgprint({
							title: __("Invite to Portal"),
							message: __("No invitation email was sent. Give {0} this link to set a password:", [
								frappe.utils.escape_html(user),
							]) + `<p><a href="${encodeURI(link)}" target="_blank" rel="noopener">${frappe.utils.escape_html(link)}</a></p>`,
						});
					}
					frm.reload_doc();
				},
			});
		});
	},
});
