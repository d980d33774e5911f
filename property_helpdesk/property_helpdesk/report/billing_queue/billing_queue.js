// Billing Queue (待开票, R39, R40, R44): finance ticks the rows to bill and makes their ERPNext invoices, once each.
const BILLING_METHODS = {
	"Repair Work Order": ["property_helpdesk.api.billing.invoice_work_order", "work_order"],
	"Compensation Settlement": ["property_helpdesk.api.billing.recover_settlement", "settlement"],
	"Liaison Sheet": ["property_helpdesk.api.billing.recover_liaison_sheet", "sheet"],
};

frappe.query_reports["Billing Queue"] = {
	// the property by name: finance holds no permission on the app's records, not even on Property
	filters: [{ fieldname: "property", label: __("Property"), fieldtype: "Data" }],
	formatter(value, row, column, data, default_formatter) {
		// the source's DocType shown in the reader's language; the link keeps its name
		return default_formatter(column.fieldname === "source_type" ? __(value) : value, row, column, data);
	},
	get_datatable_options(options) {
		return Object.assign(options, { checkboxColumn: true });
	},
	onload(report) {
		report.page.add_inner_button(__("Make Invoices"), async () => {
			const checked = report.datatable.rowmanager.getCheckedRows().map((i) => report.data[i]);
			if (!checked.length) {
				frappe.msgprint(__("Tick the rows to bill first."));
				return;
			}
			const made = [];
			for (const row of checked) {
				const [method, arg] = BILLING_METHODS[row.source_type];
				const r = await frappe.call({ method, args: { [arg]: row.source }, freeze: true });
				made.push(r.message);
			}
			frappe.show_alert({ message: __("Invoices: {0}", [made.join(", ")]), indicator: "green" });
			report.refresh();
		});
	},
};
