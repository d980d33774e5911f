// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Repair Work Order", {
	refresh(frm) {
		// 维修派工单 prints as the work-order record (R46).
		frm.meta.default_print_format = "Repair Work Order Record";
		// R15e: an emergency is dispatched first; its dispatch time is entered afterwards as it really was.
		frm.set_df_property("dispatched_at", "read_only", frm.doc.is_emergency ? 0 : 1);
	},
});

frappe.ui.form.on("Work Order Item", {
	qty: update_amount,
	rate: update_amount,
});

function update_amount(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	frappe.model.set_value(cdt, cdn, "amount", flt(row.qty) * flt(row.rate));
}
