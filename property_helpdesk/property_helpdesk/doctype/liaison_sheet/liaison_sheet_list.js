// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Liaison Sheet"] = {
	onload(listview) {
		// R17, R18: the cases judged to need a liaison sheet that no sheet covers yet.
		listview.page.add_inner_button(__("Cases Awaiting a Sheet"), () =>
			frappe
				.call("property_helpdesk.property_helpdesk.doctype.liaison_sheet.liaison_sheet.cases_awaiting_sheet")
				.then(({ message }) => {
					if (!message || !message.length) {
						frappe.show_alert({ message: __("Every flagged case has its liaison sheet."), indicator: "green" });
						return;
					}
					frappe.route_options = { name: ["in", message] };
					frappe.set_route("List", "Service Ticket");
				})
		);
	},
};
