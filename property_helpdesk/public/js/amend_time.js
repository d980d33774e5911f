// The desk's "Amend a Time" button, shared by the forms whose times the server stamps (work order, case, return
// visit); each form script includes this file (Frappe expands the include when it serves the form).
// A wrong time is corrected only by a recorded amendment, by the maintenance supervisor or the office director.
function add_amend_button(frm, fieldnames) {
	const amenders = ["Property Maintenance Supervisor", "Property Office Director", "System Manager"];
	const recorded = fieldnames.filter((f) => frm.doc[f]);
	if (frm.is_new() || !recorded.length || !amenders.some((r) => frappe.user_roles.includes(r))) return;
	frm.add_custom_button(__("Amend a Time"), () => {
		const options = recorded.map((f) => ({ value: f, label: __(frappe.meta.get_label(frm.doctype, f)) }));
		frappe.prompt(
			[
				{ fieldname: "fieldname", fieldtype: "Select", label: __("Time"), options, reqd: 1 },
				{ fieldname: "new_value", fieldtype: "Datetime", label: __("Correct Time"), reqd: 1 },
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
			],
			(values) =>
				frappe
					.call({
						method: "property_helpdesk.api.field.amend_time",
						args: { doctype: frm.doctype, name: frm.doc.name, ...values },
						freeze: true,
					})
					.then(() => frm.reload_doc()),
			__("Amend a Recorded Time"),
			__("Record Amendment")
		);
	});
}
