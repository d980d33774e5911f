// R17, R40: the cost a developer bears on its signed reply is recovered against the liaison sheet, once.
frappe.ui.form.on("Liaison Sheet", {
	refresh(frm) {
		if (frm.is_new() || !["Replied", "Closed"].includes(frm.doc.workflow_state)) return;
		frappe
			.call("property_helpdesk.api.billing.liaison_recovery", { sheet: frm.doc.name })
			.then(({ message }) => {
				if (message.invoice) {
					frm.add_custom_button(__("Recovery Invoice {0}", [message.invoice.name]), () =>
						frappe.set_route("Form", "Sales Invoice", message.invoice.name)
					);
				} else if (message.recoverable) {
					frm.add_custom_button(__("Make Recovery Invoice"), () =>
						frappe
							.call({
								method: "property_helpdesk.api.billing.recover_liaison_sheet",
								args: { sheet: frm.doc.name },
								freeze: true,
							})
							.then((r) => frappe.set_route("Form", "Sales Invoice", r.message))
					);
				}
			});
	},
});
