// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// R4: which of the property's posts nobody is named for, and what happens then (every holder is told)
frappe.ui.form.on("Property", {
	refresh(frm) {
		show_unnamed_posts(frm);
	},
	office_director: show_unnamed_posts,
	maintenance_supervisor: show_unnamed_posts,
	area_administrators: show_unnamed_posts,
});

function show_unnamed_posts(frm) {
	const missing = ["office_director", "maintenance_supervisor", "area_administrators"]
		.filter((field) => !(frm.doc[field] && frm.doc[field].length))
		.map((field) => __(frappe.meta.get_label(frm.doctype, field, frm.doc.name)));
	frm.set_intro(
		missing.length
			? __(
					"Nobody is named as {0}: every active holder of the role who works for this property will be told instead.",
					[missing.join(", ")]
			  )
			: "",
		"orange"
	);
}
