// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Liaison Sheet", {
	refresh(frm) {
		// 工作联系单 prints with the signature and date of each step (R40, R46).
		frm.meta.default_print_format = "Liaison Sheet Record";
	},
});
