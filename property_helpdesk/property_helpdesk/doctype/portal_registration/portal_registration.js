// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// frappe.ui.form.on("Portal Registration", {
// 	refresh(frm) {

// 	},
// });
