// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Compensation Settlement", {
	setup(frm) {
		// R44: settled against the compensation sheet of this case, with the same liable party.
		frm.set_query("liaison_sheet", () => ({
			filters: { purpose: "Compensation", liable_party: frm.doc.liable_party, service_ticket: frm.doc.service_ticket },
		}));
	},

	refresh(frm) {
		frm.meta.default_print_format = "Settlement Memo";
		// R44: a settled compensation the developer bears is recovered from it, once.
		const recoverable = frm.doc.workflow_state === "Settled" && frm.doc.liable_party === "Developer";
		if (recoverable && (!frm.doc.recovery_invoice || frm.doc.recovery_status === "Cancelled")) {
			frm.add_custom_button(__("Make Recovery Invoice"), () =>
				frappe
					.call({
						method: "property_helpdesk.api.billing.recover_settlement",
						args: { settlement: frm.doc.name },
						freeze: true,
					})
					.then((r) => frappe.set_route("Form", "Sales Invoice", r.message))
			);
		}
	},
});
