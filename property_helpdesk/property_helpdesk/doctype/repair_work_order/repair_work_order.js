// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

{% include "property_helpdesk/public/js/amend_time.js" %}

frappe.ui.form.on("Repair Work Order", {
	refresh(frm) {
		// 维修派工单 prints as the work-order record (R46).
		frm.meta.default_print_format = "Repair Work Order Record";
		// The times are the server's, stamped by their actions (nobody types them): one button per action.
		if (!frm.is_new()) add_time_buttons(frm);
		// R20–R22: the class is fixed at dispatch; a change is a request the supervisor approves
		if (!frm.is_new() && ["Dispatched", "On Site"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Ask to Change the Job Class"), () =>
				frappe.new_doc("Job Class Change", { work_order: frm.doc.name })
			);
		}
		add_amend_button(frm, ["dispatched_at", "accepted_at", "arrived_at", "started_at", "completed_at", "returned_at", "explained_at", "confirmed_at"]);
		// R39: a paid job signed by the resident is billed in ERPNext, once; so is paid work for an external
		// developer (R17) and work done on the owner's behalf (R19), which the server marks billable.
		const billable =
			(frm.doc.__onload || {}).billable && frm.doc.resident_confirmed && frm.doc.completed_at;
		if (!frm.is_new() && billable && (!frm.doc.sales_invoice || frm.doc.billing_status === "Cancelled")) {
			frm.add_custom_button(__("Make Sales Invoice"), () =>
				frappe
					.call({
						method: "property_helpdesk.api.billing.invoice_work_order",
						args: { work_order: frm.doc.name },
						freeze: true,
					})
					.then((r) => frappe.set_route("Form", "Sales Invoice", r.message))
			);
		}
	},
});

frappe.ui.form.on("Work Order Item", {
	qty: update_amount,
	rate: update_amount,
});

function update_amount(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	frappe.model.set_value(cdt, cdn, "amount", flt(row.qty) * flt(row.rate));
}

function run_action(frm, method, args) {
	return frm.call({ method, doc: frm.doc, args: args || {}, freeze: true }).then(() => frm.reload_doc());
}

// 接单, 到场, 开始, 完工: the technician's steps (or the supervisor's), stamped by the server as on the phone
const STEPS = [
	["accept", "accepted_at", __("Accept")],
	["arrive", "arrived_at", __("Arrived")],
	["start", "started_at", __("Started")],
	["complete", "completed_at", __("Done")],
];

function add_time_buttons(frm) {
	const doc = frm.doc;
	const roles = frappe.user_roles;
	const group = __("Record");
	const open = !["Cancelled", "Returned"].includes(doc.status);
	const next = STEPS.find(([, field]) => !doc[field]);
	if (open && next && (doc.technician === frappe.session.user || roles.includes("Property Maintenance Supervisor"))) {
		const [step, , label] = next;
		frm.add_custom_button(label, () =>
			frappe
				.call({
					method: "property_helpdesk.api.field.take_step",
					// one request id per tap: a retried call makes no second step
					args: { work_order: doc.name, step, request_id: frappe.utils.get_random(24) },
					freeze: true,
				})
				.then(() => frm.reload_doc())
		);
	}
	// R15e: an emergency is dispatched by phone first; its true dispatch time is entered afterwards, once.
	if (doc.is_emergency && !doc.dispatch_entered_afterwards && doc.status !== "Cancelled") {
		frm.add_custom_button(
			__("Emergency Dispatch Time"),
			() =>
				frappe.prompt(
					[
						{
							fieldname: "dispatched_at",
							fieldtype: "Datetime",
							label: __("True Dispatch Time"),
							reqd: 1,
						},
					],
					(values) => run_action(frm, "record_emergency_dispatch", values),
					__("Enter the Emergency's Dispatch Time")
				),
			group
		);
	}
	// R22: a major job is explained to the resident with an expected completion date.
	if (doc.job_class === "Major" && !doc.completed_at && doc.status !== "Cancelled") {
		frm.add_custom_button(
			__("Explanation to Resident"),
			() =>
				frappe.prompt(
					[
						{ fieldname: "explanation", fieldtype: "Small Text", label: __("Explanation"), reqd: 1 },
						{
							fieldname: "expected_date",
							fieldtype: "Date",
							label: __("Expected Completion"),
							reqd: 1,
						},
					],
					(values) => run_action(frm, "record_explanation", values),
					__("Explain the Major Job")
				),
			group
		);
	}
	// R24: 客服中心 records the return of the completed work order.
	const centre = ["Property Duty Staff", "Property Office Director", "System Manager"];
	if (doc.completed_at && !doc.returned_at && centre.some((r) => roles.includes(r))) {
		frm.add_custom_button(
			__("Return to Customer Service"),
			() => run_action(frm, "record_return"),
			group
		);
	}
}
