// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

{% include "property_helpdesk/public/js/amend_time.js" %}
{% include "property_helpdesk/public/js/caller_lookup.js" %}

const FINISHED = ["Resolved", "Closed"];

frappe.ui.form.on("Service Ticket", {
	setup(frm) {
		frm.set_query("warranty_rule", () => ({ filters: { enabled: 1 } }));
		frm.set_query("resident", () =>
			frm.doc.unit ? { query: "property_helpdesk.api.lookup.residents_of_unit", filters: { unit: frm.doc.unit } } : {}
		);
	},

	refresh(frm) {
		// The record form a case prints as follows its type (R1, R46).
		frm.meta.default_print_format =
			frm.doc.ticket_type === "Complaint" ? "Complaint Record" : "Service Request Record";

		// R34: the named person the resident was given, always in sight.
		frm.dashboard.clear_headline();
		if (frm.doc.follow_up_owner) {
			frm.dashboard.set_headline(
				__("Follow-up owner: {0} {1}", [
					frappe.utils.escape_html(frm.doc.follow_up_owner_name || frm.doc.follow_up_owner),
					frappe.utils.escape_html(frm.doc.follow_up_owner_phone || ""),
				])
			);
		}
		show_fee_schedule(frm);
		if (!frm.is_new()) add_liaison_actions(frm);
		add_amend_button(frm, ["answered_at"]);
		if (!frm.is_new()) add_routed_actions(frm);
		if (frm.is_new() || FINISHED.includes(frm.doc.status)) return;

		frm.add_custom_button(__("Hand Over"), () => hand_over(frm), __("Actions"));
		frm.add_custom_button(__("Record Reminder"), () => record_reminder(frm), __("Actions"));
		if (frm.doc.paused_since) {
			frm.add_custom_button(__("Resume Clocks"), () => call(frm, "resume_clocks", {}), __("Actions"));
		} else {
			frm.add_custom_button(__("Pause Clocks"), () => pause_clocks(frm), __("Actions"));
		}
		if (["Repair", "Paid Service"].includes(frm.doc.ticket_type) || frm.doc.ticket_type === "Service Request") {
			frm.add_custom_button(__("Repair Work Order"), () =>
				call(frm, "dispatch", {}).then((r) => frappe.set_route("Form", "Repair Work Order", r.message))
			);
		}
	},

	ticket_type(frm) {
		unfold_sections(frm);
		show_fee_schedule(frm);
	},

	location(frm) {
		show_fee_schedule(frm);
	},

	contact_phone(frm) {
		look_up_caller(frm);
	},

	unit(frm) {
		if (!frm.doc.unit) return;
		frappe.db.get_value("Property Unit", frm.doc.unit, ["owner_name", "owner_phone"]).then(({ message }) => {
			if (!message) return;
			if (!frm.doc.contact_name && message.owner_name) frm.set_value("contact_name", message.owner_name);
			if (!frm.doc.contact_phone && message.owner_phone) frm.set_value("contact_phone", message.owner_phone);
		});
	},
});

function hand_over(frm) {
	frappe.prompt(
		[
			{ fieldname: "to_user", fieldtype: "Link", options: "User", label: __("To"), reqd: 1,
				get_query: () => ({ filters: { user_type: "System User", enabled: 1 } }) },
			{ fieldname: "to_department", fieldtype: "Data", label: __("Department") },
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
		],
		(values) => call(frm, "hand_over", values),
		__("Hand Over to a Named Person"),
		__("Hand Over")
	);
}

function record_reminder(frm) {
	frappe.prompt(
		[
			{ fieldname: "channel", fieldtype: "Select", label: __("Channel"), reqd: 1, default: "Phone",
				options: ["Phone", "Visit", "Portal", "Other"].map((value) => ({ value, label: __(value) })) },
			{ fieldname: "note", fieldtype: "Small Text", label: __("Note") },
		],
		(values) => call(frm, "record_reminder", values),
		__("Record Reminder"),
		__("Record")
	);
}

function call(frm, method, args) {
	return frappe
		.call({ method: `property_helpdesk.api.intake.${method}`, args: { ticket: frm.doc.name, ...args }, freeze: true })
		.then((r) => {
			frm.reload_doc();
			return r;
		});
}

function pause_clocks(frm) {
	frappe.prompt(
		{
			fieldname: "reason",
			fieldtype: "Select",
			label: __("Reason"),
			reqd: 1,
			options: [
				{ value: "Waiting for the Resident's Appointment", label: __("Waiting for the Resident's Appointment") },
				{ value: "Waiting for Parts", label: __("Waiting for Parts") },
				{ value: "Resident Not Home", label: __("Resident Not Home") },
				{ value: "Weather", label: __("Weather") },
				{ value: "Other", label: __("Other") },
			],
		},
		(values) => call(frm, "pause_clocks", values),
		__("Pause Clocks"),
		__("Pause")
	);
}

// R11, R15a, R39: the fee schedule (ERPNext's price list) has one place on the form, its own section below the
// reported item, shown by that section's depends_on while the owner may pay (a paid service, the owner's private
// part, a case judged paid). It is rendered into the section's HTML field, replaced and never appended, so it
// shows once however often the form refreshes or the case type changes.
function show_fee_schedule(frm) {
	const field = frm.fields_dict.fee_schedule_html;
	if (!field || !frm.layout.evaluate_depends_on_value(field.df.depends_on)) return;
	if (field.$wrapper.attr("data-case") === frm.doc.name) return; // rendered for this case already
	field.$wrapper.attr("data-case", frm.doc.name);
	frappe.xcall("property_helpdesk.api.billing.fee_schedule").then((fees) => {
		const esc = frappe.utils.escape_html;
		const rows = (fees || [])
			.map(
				(p) =>
					`<tr><td>${esc(p.item_name || p.item_code)}</td>` +
					`<td class="text-right">${format_currency(p.price_list_rate, p.currency)}</td></tr>`
			)
			.join("");
		field.$wrapper.html(
			rows
				? `<table class="table table-sm fee-schedule"><tbody>${rows}</tbody></table>`
				: `<p class="text-muted">${__("No price is published in the fee schedule yet.")}</p>`
		);
	});
}

// The folded sections open by themselves when what the agent chose makes them matter (their
// collapsible_depends_on, which Frappe evaluates only when the form refreshes); never folds one the agent opened.
function unfold_sections(frm) {
	for (const section of frm.layout.sections) {
		const condition = section.df && section.df.collapsible && section.df.collapsible_depends_on;
		if (condition && section.is_collapsed() && frm.layout.evaluate_depends_on_value(condition)) {
			section.collapse(false);
		}
	}
}

// R17, R41: the case's liaison sheet and settlement are made from the case; a flagged case without a sheet says so.
function add_liaison_actions(frm) {
	const maker = (method, args) =>
		frappe.model.open_mapped_doc({ method: `property_helpdesk.property_helpdesk.doctype.${method}`, frm, args });
	if (frappe.model.can_create("Liaison Sheet")) {
		frm.add_custom_button(
			__("Liaison Sheet"),
			() => maker("liaison_sheet.liaison_sheet.make_liaison_sheet", {}),
			__("Create")
		);
	}
	if (frappe.model.can_create("Compensation Settlement")) {
		frm.add_custom_button(
			__("Compensation Settlement"),
			() => maker("compensation_settlement.compensation_settlement.make_settlement", {}),
			__("Create")
		);
	}
	if (frm.doc.needs_liaison_sheet) {
		frappe.db.count("Liaison Sheet", { filters: { service_ticket: frm.doc.name } }).then((count) => {
			if (!count) frm.set_intro(__("This case needs a liaison sheet, and no sheet covers it yet."), "orange");
		});
	}
}

// R2, R42: the person a case is routed to records their decision, or the meeting with the owner; the server
// stamps who and when. Shown only to that person (or a System Manager), until it is recorded.
function add_routed_actions(frm) {
	const mine = (user) => user && (user === frappe.session.user || frappe.user.has_role("System Manager"));
	const record = (method, fieldname, label, title) =>
		frappe.prompt(
			{ fieldname, fieldtype: "Small Text", label, reqd: 1 },
			(values) =>
				frappe
					.call({
						method: `property_helpdesk.api.routing.${method}`,
						args: { ticket: frm.doc.name, ...values },
						freeze: true,
					})
					.then(() => frm.reload_doc()),
			title,
			__("Record")
		);
	if (mine(frm.doc.routed_to) && !frm.doc.decided_at) {
		frm.add_custom_button(__("Record Decision"), () =>
			record("record_decision", "decision", __("Decision"), __("Record Your Decision"))
		);
		frm.set_intro(__("This complaint is routed to you for a decision."), "blue");
	}
	if (mine(frm.doc.dispute_director) && !frm.doc.met_owner_at) {
		frm.add_custom_button(__("Record Meeting with the Owner"), () =>
			record("record_owner_meeting", "notes", __("Meeting with the Owner"), __("Record Meeting with the Owner"))
		);
		frm.set_intro(__("This dispute is yours: meet the owner and record the meeting."), "blue");
	}
}
