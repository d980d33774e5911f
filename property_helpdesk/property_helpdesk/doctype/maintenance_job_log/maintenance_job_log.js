// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Maintenance Job Log", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.reconciled) return;
		frm.add_custom_button(__("Fill from Work Orders"), () =>
			frm.call("fill_entries").then(() => frm.reload_doc())
		);
		frm.add_custom_button(__("Reconcile"), () =>
			frappe.prompt(
				{ fieldname: "note", fieldtype: "Small Text", label: __("Reconciliation Note") },
				(values) => frm.call("reconcile", values).then(() => frm.reload_doc()),
				__("Reconcile"),
				__("Reconcile")
			)
		);
	},
});
