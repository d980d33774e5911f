// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

{% include "property_helpdesk/public/js/amend_time.js" %}

frappe.ui.form.on("Return Visit", {
	refresh(frm) {
		// the visit's time is the server's when it is recorded
		add_amend_button(frm, ["visited_at"]);
	},
});
