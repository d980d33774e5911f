// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// frappe.ui.form.on("Liaison Sheet", {
// 	refresh(frm) {

// 	},
// });
