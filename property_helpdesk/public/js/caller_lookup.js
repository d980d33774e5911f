// Who is calling (R1, R5, R34): typing the caller's number on a new case shows what the office knows of it —
// residents, units, open cases with their follow-up owner, recent ones — with one click to take the case for a
// unit or to open the open one. Included by the Service Ticket form script.

function look_up_caller(frm) {
	const phone = (frm.doc.contact_phone || "").replace(/[\s\-()（）]/g, "");
	// once per number and new case: the form object is reused for the next new case, which asks again
	const key = `${frm.doc.name}|${phone}`;
	if (!frm.is_new() || phone.length < 7 || frm.__caller_looked_up === key) return;
	frm.__caller_looked_up = key;
	frappe.call({
		method: "property_helpdesk.api.caller.find_caller",
		args: { phone: frm.doc.contact_phone },
		error_handlers: { ValidationError: () => {} }, // the phone field shows its own error on save
	}).then(({ message }) => {
		if (message && (message.units.length || message.residents.length)) {
			show_caller(frm, message);
		} else if (message) {
			frappe.show_alert({ message: __("No resident, unit or past case has this number."), indicator: "orange" });
		}
	});
}

function show_caller(frm, found) {
	const esc = frappe.utils.escape_html;
	const by_unit = {};
	found.open_cases.forEach((c) => (by_unit[c.unit] = by_unit[c.unit] || []).push(c));
	const people = found.residents
		.map((r) => `<div><b>${esc(r.resident_name)}</b> ${esc(r.phone)} · ${r.units
			.map((u) => `${esc(u.unit)}（${esc(u.relation)}）`).join("，")}</div>`)
		.join("");
	const units = found.units
		.map((u) => {
			const open = (by_unit[u.name] || [])
				.map((c) => `<li><a href="/app/service-ticket/${encodeURIComponent(c.name)}" data-case="${esc(c.name)}">${esc(c.name)}</a>
					${esc(c.ticket_type_label)} · ${esc(c.status_label)} · ${esc(c.subject || "")}
					· ${__("Follow-up owner")}: ${esc(c.follow_up_owner_name || c.follow_up_owner || "")} ${esc(c.follow_up_owner_phone || "")}</li>`)
				.join("");
			return `<div class="caller-unit" style="margin-top: 8px">
				<b>${esc(u.name)}</b> ${u.owner_name ? `${__("Owner")}: ${esc(u.owner_name)} ${esc(u.owner_phone || "")}` : ""}
				<button class="btn btn-xs btn-primary" data-unit="${esc(u.name)}" style="margin-left: 8px">${__("New Case for This Unit")}</button>
				${open ? `<div>${__("Open cases")}:</div><ul>${open}</ul>` : `<div class="text-muted">${__("No open case")}</div>`}
			</div>`;
		})
		.join("");
	const recent = found.recent_cases
		.map((c) => `<li><a href="/app/service-ticket/${encodeURIComponent(c.name)}" data-case="${esc(c.name)}">${esc(c.name)}</a>
			${esc(c.unit)} · ${esc(c.ticket_type_label)} · ${esc(c.status_label)} · ${esc(c.subject || "")}</li>`)
		.join("");
	const dialog = new frappe.ui.Dialog({
		title: __("Caller {0}", [esc(frm.doc.contact_phone)]),
		fields: [{ fieldtype: "HTML", fieldname: "caller" }],
	});
	dialog.fields_dict.caller.$wrapper.html(
		`<div class="caller-lookup">${people}${units}${recent ? `<div style="margin-top: 8px">${__("Recent cases")}:</div><ul>${recent}</ul>` : ""}</div>`
	);
	dialog.$wrapper.on("click", "button[data-unit]", function () {
		const unit = this.dataset.unit;
		const resident = found.residents.find((r) => r.units.some((u) => u.unit === unit));
		frm.set_value("unit", unit);
		if (resident) {
			frm.set_value("resident", resident.name);
			if (!frm.doc.contact_name) frm.set_value("contact_name", resident.resident_name);
		}
		dialog.hide();
		frm.scroll_to_field("subject"); // the agent's next words are what is wrong (四清楚)
	});
	dialog.$wrapper.on("click", "a[data-case]", function (e) {
		e.preventDefault();
		dialog.hide();
		frappe.set_route("Form", "Service Ticket", this.dataset.case);
	});
	dialog.show();
}
