// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Liaison Sheet", {
	refresh(frm) {
		// 工作联系单 prints with the signature and date of each step (R40, R46).
		frm.meta.default_print_format = "Liaison Sheet Record";
		// R28: the engineering manager's part of the review of a quality-dissatisfaction sheet.
		const under_review = ["Draft", "Director Signed"].includes(frm.doc.workflow_state);
		if (
			!frm.is_new() &&
			frm.doc.purpose === "Quality Dissatisfaction" &&
			under_review &&
			!frm.doc.engineering_reviewed_at &&
			frappe.user.has_role("Property Engineering Manager")
		) {
			frm.add_custom_button(__("Engineering Review"), () =>
				frappe.prompt(
					{ fieldname: "opinion", fieldtype: "Small Text", label: __("Engineering Opinion"), reqd: 1 },
					({ opinion }) =>
						frappe
							.call({
								method: "property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.record_engineering_review",
								args: { sheet: frm.doc.name, opinion },
								freeze: true,
							})
							.then(() => frm.reload_doc()),
					__("Engineering Review")
				)
			);
		}
	},
});
