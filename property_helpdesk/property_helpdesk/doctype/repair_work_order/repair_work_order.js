// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Repair Work Order", {
	refresh(frm) {
		// 维修派工单 prints as the work-order record (R46).
		frm.meta.default_print_format = "Repair Work Order Record";
		// R15e: an emergency is dispatched first; its dispatch time is entered afterwards as it really was.
		frm.set_df_property("dispatched_at", "read_only", frm.doc.is_emergency ? 0 : 1);
		// R39: a paid job signed by the resident is billed in ERPNext, once; so is paid work for an external
		// developer (R17) and work done on the owner's behalf (R19), which the server marks billable.
		const billable =
			(frm.doc.__onload || {}).billable && frm.doc.resident_confirmed && frm.doc.completed_at;
		if (!frm.is_new() && billable && (!frm.doc.sales_invoice || frm.doc.billing_status === "Cancelled")) {
			frm.add_custom_button(__("Make Sales Invoice"), () =>
				frappe
					.call({
						method: "property_helpdesk.api.billing.invoice_work_order",
						args: { work_order: frm.doc.name },
						freeze: true,
					})
					.then((r) => frappe.set_route("Form", "Sales Invoice", r.message))
			);
		}
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
