// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// R4: which company-wide posts nobody is named for, and what happens then (every holder is told)
frappe.ui.form.on("Property Helpdesk Settings", {
	refresh(frm) {
		show_unnamed_posts(frm);
	},
	cs_manager: show_unnamed_posts,
	general_manager: show_unnamed_posts,
	engineering_manager: show_unnamed_posts,
});

function show_unnamed_posts(frm) {
	const missing = ["cs_manager", "general_manager", "engineering_manager"]
		.filter((field) => !frm.doc[field])
		.map((field) => __(frappe.meta.get_label(frm.doctype, field)));
	frm.set_intro(
		missing.length
			? __(
					"Nobody is named as {0}: every active holder of the role will be told instead.",
					[missing.join(", ")]
			  )
			: "",
		"orange"
	);
}
