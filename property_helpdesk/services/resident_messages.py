"""Telling residents (R8, R10, R22–R24, R34, R36, R39): the one place the app tells a resident something.

`tell_resident(ticket, step, reference=None, **context)` writes one Resident Message in the caller's
transaction — the text in the resident's language (their portal user's, else the site's: Chinese), short, with
the link to the case on the portal — and sends it after the commit in a background job:

- the channel is the resident's own (Resident.preferred_channel), else Settings' default, else the next that
  reaches them: one they did not opt out of (no_sms/no_wechat/no_email), have an address on and the site has set
  up (channels.is_set_up). None → the message is kept as sent nowhere ("Not Sent"), visible on the case — but a
  technician's visit to their home (dispatched, appointment, on the way) still goes by SMS to their phone, the
  office's rule (rules.VISIT_STEPS). Residents choose for themselves on the portal's /my_messages.
- quiet hours (Settings): an SMS waits for their end, except in an emergency.
- each message once: the row's `message_key` (case, step, document, resident, channel) is unique, so a double
  save or a retried job writes no second row; the send job locks the row and sends only a queued one.
- a failed send is retried by `send_due` (scheduled every minute) with back-off (Settings), then marked Failed,
  its follow-up owner told, and listed in the Failed Resident Messages report for the service centre.
- a failing provider never blocks or rolls back the case: the row is written under a savepoint and any error in
  it only logged; the provider is called in the job, after the case committed.
- the case's timeline shows each message (`timeline`, Frappe's additional_timeline_content hook).

Template variables (Outgoing.params) per step, for the providers' approved templates: every step has `case` and
`link`; Accepted: `owner`, `phone`; Dispatched, Appointment: `appointment`; On The Way / Arrived: `technician`; Major Job
Explained: `reason`, `date`; Complaint Answered: `answer`; Invoice: `invoice`, `amount`; Receipt: `receipt`,
`amount`.
"""

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import (
	escape_html,
	flt,
	format_datetime,
	get_datetime,
	get_time,
	get_url,
	getdate,
	now_datetime,
)

from property_helpdesk.constants import (
	CANCELLED,
	CASE,
	MESSAGE_ACCEPTED,
	MESSAGE_APPOINTMENT,
	MESSAGE_ARRIVED,
	MESSAGE_COMPLAINT_ANSWERED,
	MESSAGE_DISPATCHED,
	MESSAGE_DONE,
	MESSAGE_FAILED,
	MESSAGE_INVOICE,
	MESSAGE_MAJOR_EXPLAINED,
	MESSAGE_NOT_SENT,
	MESSAGE_ON_THE_WAY,
	MESSAGE_QUEUED,
	MESSAGE_RECEIPT,
	MESSAGE_RETURN_VISIT,
	MESSAGE_SENT,
	NO_CHANNEL,
	RESIDENT,
	RESIDENT_MESSAGE,
	SETTINGS,
	WORK_ORDER,
)
from property_helpdesk.procedure import resident_messages as rules
from property_helpdesk.services import channels, jobs, notify
from property_helpdesk.services.channels import EMAIL, SMS, WECHAT, Outgoing, SendError

SEND_JOB = "property_helpdesk.services.resident_messages.send_message"
RETRY_JOB = "property_helpdesk.services.resident_messages.send_due"
BATCH = 200  # messages sent per run of the retry job; the rest wait for the next minute
OPT_OUTS = {SMS: "no_sms", WECHAT: "no_wechat", EMAIL: "no_email"}


# -- telling -------------------------------------------------------------------------------------------------


def tell_resident(ticket, step: str, reference=None, *, occasion: str | None = None, **context) -> str | None:
	"""Tell the case's resident of `step` (about `reference`, a document, when the step is about one; once per
	`occasion` when the step is told again as what it tells changes): one Resident Message, written in the
	caller's transaction and sent after it commits. Returns its name, or None when the resident was told of this
	already (or telling failed: logged, the case goes on)."""
	savepoint = "tell_resident"
	frappe.db.savepoint(savepoint)
	try:
		name, send_now = record(ticket, step, reference, occasion, context)
	except Exception:
		# a message that cannot even be written never blocks or rolls back the case (nor its other messages)
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(title=_("Telling the resident failed"), reference_doctype=CASE)
		return None
	if send_now:
		# the row is kept: with the queue full or unreachable the retry job sends it within the minute
		jobs.enqueue_after_commit(SEND_JOB, recovered_by=RETRY_JOB, name=name)
	return name


def record(ticket, step: str, reference, occasion: str | None, context: dict) -> tuple[str | None, bool]:
	"""(the message written, or None when told already; whether to send it now)."""
	case = ticket if isinstance(ticket, Document) else frappe.get_doc(CASE, ticket)
	resident = frappe.get_doc(RESIDENT, case.resident) if case.resident else None
	channel, why, addresses = channel_for(resident, step, case.contact_phone)
	settings = frappe.get_cached_doc(SETTINGS)
	ref = (reference.doctype, reference.name) if reference is not None else None
	key = rules.message_key(
		case.name, step, ref, resident.name if resident else addresses[SMS], channel or NO_CHANNEL, occasion
	)
	if frappe.db.exists(RESIDENT_MESSAGE, {"message_key": key}):
		return None, False
	lang = resident_language(resident)
	link = get_url(f"/my_cases/{case.name}")
	text, params = render(step, case, reference, context, link, lang)
	now = now_datetime()
	emergency = bool(case.get("is_emergency"))
	held = channel and rules.holds_until(
		now,
		channel,
		emergency,
		time_of(settings.get("quiet_hours_from")),
		time_of(settings.get("quiet_hours_to")),
	)
	row = frappe.get_doc(
		{
			"doctype": RESIDENT_MESSAGE,
			"service_ticket": case.name,
			"step": step,
			"resident": resident.name if resident else None,
			"reference_doctype": ref and ref[0],
			"reference_name": ref and ref[1],
			"channel": channel or NO_CHANNEL,
			"recipient": addresses.get(channel) if channel else None,
			"status": MESSAGE_QUEUED if channel else MESSAGE_NOT_SENT,
			"is_emergency": int(emergency),
			"subject": _("Case {0}: {1}", lang=lang).format(case.name, _(step, lang=lang)),
			"text": text,
			"link": link,
			"params": json.dumps(params, ensure_ascii=False, default=str),
			"next_attempt_at": (held or now) if channel else None,
			"error": None if channel else not_sent_reason(why),
			"message_key": key,
		}
	)
	try:
		row.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		return None, False  # the same message, written by a concurrent save
	return row.name, bool(channel and not held)


def channel_for(resident, step: str | None = None, phone: str | None = None) -> tuple:
	"""(channel, why none, addresses): how a message of `step` reaches `resident` now — their own channel, else
	Settings' default, else the next that reaches them, with the office's rule for a visit to their home
	(rules.channel_for_step). `phone` is the number a caller not on record gave. One home for the messages
	themselves and for the resident's own settings page (/my_messages), which says it in words."""
	addresses = addresses_of(resident, phone)
	settings = frappe.get_cached_doc(SETTINGS)
	channel, why = rules.channel_for_step(
		step,
		resident and resident.get("preferred_channel"),
		settings.get("default_channel") or SMS,
		addresses,
		opted_out_of(resident),
		reaching(addresses),
	)
	return channel, why, addresses


def addresses_of(resident, phone: str | None = None) -> dict:
	"""Where each channel reaches the resident (or the caller at `phone`): None where it has no address."""
	return {
		SMS: (resident.phone if resident else phone) or None,
		WECHAT: (resident and resident.get("wechat_openid")) or None,
		EMAIL: (resident and resident.get("email")) or None,
	}


def reaching(addresses: dict) -> list[str]:
	"""The channels that have an address and that this site has set up."""
	return [c for c in channels.CHANNELS if addresses.get(c) and channels.is_set_up(c)]


def opted_out_of(resident) -> list[str]:
	return [c for c, field in OPT_OUTS.items() if resident and resident.get(field)]


def not_sent_reason(why: str | None) -> str:
	return {
		rules.OPTED_OUT: _("The resident opted out of every channel they can be reached on."),
		rules.NOT_SET_UP: _("No channel that reaches the resident is set up on this site."),
	}.get(why, _("The resident has no phone, WeChat or email on record."))


def resident_language(resident) -> str:
	"""The resident's portal user's language, else the site's (as notify.languages for staff): never the
	language of whoever saved the case."""
	if resident and resident.user:
		return notify.languages([resident.user])[resident.user]
	return frappe.get_system_settings("language") or "zh"


def time_of(value):
	return get_time(value) if value not in (None, "") else None


# -- the words of each step ---------------------------------------------------------------------------------


def render(step: str, case, reference, context: dict, link: str, lang: str) -> tuple[str, dict]:
	"""The message of `step` in `lang` (short, with the link to the case) and its template variables."""
	params = {"case": case.name, "link": link}
	if step == MESSAGE_ACCEPTED:
		params.update(owner=case.follow_up_owner_name or "", phone=case.follow_up_owner_phone or "")
		text = _(
			"Your case {0} is accepted. It is followed up by {1}, phone {2}. Details: {3}", lang=lang
		).format(case.name, params["owner"], params["phone"], link)
	elif step == MESSAGE_DISPATCHED:
		appointment = reference is not None and reference.get("appointment_at")
		params["appointment"] = format_datetime(appointment, "yyyy-MM-dd HH:mm") if appointment else ""
		text = (
			_(
				"Case {0}: a technician is dispatched for your appointment at {1}. Details: {2}", lang=lang
			).format(case.name, params["appointment"], link)
			if appointment
			else _(
				"Case {0}: a technician is dispatched and will contact you shortly. Details: {1}", lang=lang
			).format(case.name, link)
		)
	elif step == MESSAGE_APPOINTMENT:
		params["appointment"] = format_datetime(reference.appointment_at, "yyyy-MM-dd HH:mm")
		text = _("Case {0}: the technician will come at {1}. Details: {2}", lang=lang).format(
			case.name, params["appointment"], link
		)
	elif step in (MESSAGE_ON_THE_WAY, MESSAGE_ARRIVED):
		technician = reference is not None and reference.get("technician")
		params["technician"] = (technician and frappe.db.get_value("User", technician, "full_name")) or ""
		if step == MESSAGE_ON_THE_WAY:
			text = _("Case {0}: technician {1} is on the way. Details: {2}", lang=lang)
		else:
			text = _("Case {0}: technician {1} has arrived. Details: {2}", lang=lang)
		text = text.format(case.name, params["technician"], link)
	elif step == MESSAGE_MAJOR_EXPLAINED:
		params.update(reason=context.get("reason") or "", date=str(getdate(context.get("date"))))
		text = _("Case {0}: {1} Expected completion: {2}. Details: {3}", lang=lang).format(
			case.name, params["reason"], params["date"], link
		)
	elif step == MESSAGE_COMPLAINT_ANSWERED:
		params["answer"] = case.answer_to_resident or ""
		text = _("Case {0}: our answer: {1} Details: {2}", lang=lang).format(
			case.name, params["answer"], link
		)
	elif step == MESSAGE_DONE:
		text = _("Case {0}: the work is done. Please confirm and rate it: {1}", lang=lang).format(
			case.name, link
		)
	elif step == MESSAGE_RETURN_VISIT:
		text = _("Case {0}: thank you for taking our return visit. Details: {1}", lang=lang).format(
			case.name, link
		)
	elif step == MESSAGE_INVOICE:
		params.update(invoice=reference.name, amount=f"{flt(context.get('amount')):.2f}")
		text = _("Case {0}: invoice {1} for {2} yuan. Details: {3}", lang=lang).format(
			case.name, params["invoice"], params["amount"], link
		)
	elif step == MESSAGE_RECEIPT:
		params.update(receipt=reference.name, amount=f"{flt(context.get('amount')):.2f}")
		text = _(
			"Case {0}: we received your payment of {1} yuan, receipt {2}. Details: {3}", lang=lang
		).format(case.name, params["amount"], params["receipt"], link)
	else:
		frappe.throw(_("Unknown message step {0}").format(step))
	return text, params


# -- the steps: what each document's save tells the resident (one call from each controller) -----------------


def case_saved(case) -> None:
	"""Service Ticket.on_update: accepted (R34), and a complaint's answer the first time it is given (R23)."""
	if case.flags.in_insert:
		tell_resident(case, MESSAGE_ACCEPTED)
	elif case.answered_at and case.has_value_changed("answered_at"):
		tell_resident(case, MESSAGE_COMPLAINT_ANSWERED)


def work_order_saved(work_order) -> None:
	"""Repair Work Order.on_update: dispatched (R10), the appointment each time one is agreed or moved, the
	technician on the way and arrived (R20), each explanation of a major job (R22), done — please confirm and
	rate (R36)."""
	if work_order.status == CANCELLED or not work_order.service_ticket:
		return
	before = work_order.get_doc_before_save()
	case = None

	def tell(step: str, reference=None, **context) -> None:
		# the case loaded once, at the first message of this save (a work order's first save tells two)
		nonlocal case
		case = case or frappe.get_doc(CASE, work_order.service_ticket)
		tell_resident(case, step, reference, **context)

	if work_order.flags.in_insert:
		# the work order made at acceptance is saved inside the case's after_insert, before the case's on_update
		# tells of the acceptance: the resident hears "accepted" first (its second call finds it told)
		tell(MESSAGE_ACCEPTED)
		tell(MESSAGE_DISPATCHED, work_order)
	elif (
		work_order.appointment_at
		and work_order.has_value_changed("appointment_at")
		and not work_order.arrived_at
	):
		# the appointment agreed after the dispatch, or moved: told once per appointment time
		tell(MESSAGE_APPOINTMENT, work_order, occasion=str(get_datetime(work_order.appointment_at)))
	for field, step in (("accepted_at", MESSAGE_ON_THE_WAY), ("arrived_at", MESSAGE_ARRIVED)):
		if work_order.get(field) and not (before and before.get(field)):
			tell(step, work_order)
	told = {row.name for row in before.progress} if before else set()
	for row in work_order.progress:
		if row.told_resident and row.name not in told:
			tell(MESSAGE_MAJOR_EXPLAINED, row, reason=row.note, date=row.expected_completion)
	if work_order.completed_at and not (before and before.completed_at):
		tell(MESSAGE_DONE, work_order)


def return_visit_made(visit) -> None:
	"""Return Visit.after_insert (R24)."""
	tell_resident(visit.service_ticket, MESSAGE_RETURN_VISIT, visit)


def invoice_event(invoice) -> None:
	"""A paid job's Sales Invoice, once submitted (R39)."""
	work_order = invoice.get("property_helpdesk_work_order")
	if invoice.docstatus != 1 or invoice.get("is_return") or not work_order:
		return
	case = frappe.db.get_value(WORK_ORDER, work_order, "service_ticket")
	if case:
		tell_resident(case, MESSAGE_INVOICE, invoice, amount=invoice.grand_total)


def payment_event(payment) -> None:
	"""A resident's payment (Payment Entry) against a paid job's invoice: its receipt (收据, R39)."""
	if payment.doctype != "Payment Entry" or payment.docstatus != 1 or payment.payment_type != "Receive":
		return
	for row in payment.references:
		if row.reference_doctype != "Sales Invoice":
			continue
		work_order = frappe.db.get_value("Sales Invoice", row.reference_name, "property_helpdesk_work_order")
		case = work_order and frappe.db.get_value(WORK_ORDER, work_order, "service_ticket")
		if case:
			tell_resident(case, MESSAGE_RECEIPT, payment, amount=row.allocated_amount)


# -- sending -------------------------------------------------------------------------------------------------


def send_message(name: str) -> str | None:
	"""The background job: send one queued message that is due, once. Returns its status.

	One sender at a time: a MariaDB named lock (GET_LOCK), held by this connection across the commits below and
	freed by MariaDB when the connection ends, even with its worker killed; a job retried, or run beside the
	retry job, finds the lock taken and leaves the message to its holder (a row lock would end at the commit
	that records the attempt). The attempt is on record (`sending_since`, committed) before the provider hears
	of it: a worker killed mid-send leaves it so, and the next run, which can no longer know whether the
	provider has the message, sends it no second time (issue 15)."""
	lock = f"{frappe.conf.db_name}:{name}"
	if not frappe.db.sql("select get_lock(%s, 0)", lock)[0][0]:
		return None  # another worker is sending it now
	try:
		return send_locked(name)
	finally:
		frappe.db.sql("select release_lock(%s)", lock)


def send_locked(name: str) -> str | None:
	row = frappe.db.get_value(RESIDENT_MESSAGE, name, "*", as_dict=True, for_update=True)
	if not row or row.status != MESSAGE_QUEUED or row.provider_message_id:
		return row and row.status
	if row.sending_since:
		return interrupted(row)
	now = now_datetime()
	if row.next_attempt_at and get_datetime(row.next_attempt_at) > now:
		return row.status  # held by the quiet hours or waiting for its retry
	if row.channel != EMAIL:  # an email is only queued (Email Queue), in this transaction: nothing to lose
		frappe.db.set_value(RESIDENT_MESSAGE, name, "sending_since", now, update_modified=False)
		# the attempt on record before the provider hears of it: a worker killed in the send leaves it so
		frappe.db.commit()
	outgoing = Outgoing(
		channel=row.channel,
		recipient=row.recipient,
		step=row.step,
		text=row.text,
		params=json.loads(row.params or "{}"),
		link=row.link,
		subject=row.subject,
		reference_doctype=CASE,
		reference_name=row.service_ticket,
	)
	attempts = (row.attempts or 0) + 1
	values = {"attempts": attempts, "provider": provider_name(row.channel), "sending_since": None}
	frappe.db.savepoint("send_message")
	try:
		message_id = channels.send(outgoing)
	except Exception as e:
		frappe.db.rollback(save_point="send_message")  # whatever the provider module wrote on its way down
		if not isinstance(e, SendError):
			frappe.log_error(
				title=_("Sending a message to a resident failed"), reference_doctype=RESIDENT_MESSAGE
			)
		retry = getattr(e, "retryable", True) and rules.next_attempt(now, attempts, *retry_settings())
		values.update(error=str(e)[:1000], next_attempt_at=retry or None)
		if not retry:
			values["status"] = MESSAGE_FAILED
	else:
		values.update(provider_message_id=message_id, error=None, next_attempt_at=None)
		if row.channel != EMAIL:  # an email is Sent when Email Queue has sent it (settle_emails)
			values.update(status=MESSAGE_SENT, sent_at=now)
	frappe.db.set_value(RESIDENT_MESSAGE, name, values)
	if values.get("status") == MESSAGE_FAILED:
		tell_staff_failed(row)
	# committed at once: the provider has the message, and a later failure in this worker must not roll back the
	# record of it (that would send it twice)
	frappe.db.commit()
	return values.get("status", row.status)


def interrupted(row) -> str:
	"""An attempt that began and never recorded its end: its worker died while the provider may have had the
	message. Sending it again could tell the resident twice; it is Failed instead, and its follow-up owner is
	told to call the resident (listed in Failed Resident Messages)."""
	frappe.db.set_value(
		RESIDENT_MESSAGE,
		row.name,
		{
			"status": MESSAGE_FAILED,
			"sending_since": None,
			"attempts": (row.attempts or 0) + 1,
			"error": _(
				"The send was interrupted at {0}: the provider may have the message. It is not sent again, so as not to send it twice: call the resident."
			).format(row.sending_since),
		},
	)
	tell_staff_failed(row)
	frappe.db.commit()  # as each send_message: what is settled stays settled
	return MESSAGE_FAILED


def retry_settings() -> tuple[int, int]:
	settings = frappe.get_cached_doc(SETTINGS)
	return int(settings.get("message_attempts") or 4), int(settings.get("message_retry_minutes") or 5)


def provider_name(channel: str) -> str:
	if channel == SMS:
		return channels.sms_provider()
	return "Email Queue" if channel == EMAIL else channel


def send_due() -> None:
	"""Scheduled every minute: the queued messages whose time has come — retries after their back-off, SMS held
	by the quiet hours, and any whose after-commit job was lost — each sent by `send_message`; then the emails
	Email Queue has sent or given up on are marked so. Selects only what is due (status, next_attempt_at)."""
	message = frappe.qb.DocType(RESIDENT_MESSAGE)
	due = (
		frappe.qb.from_(message)
		.select(message.name)
		.where(
			(message.status == MESSAGE_QUEUED)
			& (message.next_attempt_at <= now_datetime())
			& message.provider_message_id.isnull()
		)
		.orderby(message.next_attempt_at)
		.orderby(message.creation)
		.limit(BATCH)
	).run(pluck=True)
	for name in due:
		send_message(name)
	settle_emails()


def settle_emails() -> None:
	"""Emails handed to Email Queue: Sent when Frappe sent it, Failed when Frappe gave up (its own retries)."""
	rows = frappe.get_all(
		RESIDENT_MESSAGE,
		filters={"status": MESSAGE_QUEUED, "channel": EMAIL, "provider_message_id": ("is", "set")},
		fields=["name", "provider_message_id", "service_ticket", "step", "attempts"],
		limit=BATCH,
	)
	if not rows:
		return
	queues = {
		q.name: q
		for q in frappe.get_all(
			"Email Queue",
			filters={"name": ("in", [r.provider_message_id for r in rows])},
			fields=["name", "status", "error", "modified"],
		)
	}
	for row in rows:
		queue = queues.get(row.provider_message_id)
		if queue and queue.status == "Sent":
			frappe.db.set_value(
				RESIDENT_MESSAGE, row.name, {"status": MESSAGE_SENT, "sent_at": queue.modified}
			)
		elif not queue or queue.status == "Error":
			error = (queue and queue.error) or _("The email was removed from the Email Queue.")
			frappe.db.set_value(RESIDENT_MESSAGE, row.name, {"status": MESSAGE_FAILED, "error": error[:1000]})
			tell_staff_failed(row)
	frappe.db.commit()  # as each send_message: what is settled stays settled


def tell_staff_failed(row) -> None:
	"""The case's follow-up owner is told that the resident was not reached, to call them instead."""
	owner = frappe.db.get_value(CASE, row.service_ticket, "follow_up_owner")
	if not owner:
		return
	lang = notify.languages([owner])[owner]
	notify.tell(
		[
			notify.Message(
				user=owner,
				subject=_("The message to the resident of {0} failed ({1}): call them", lang=lang).format(
					row.service_ticket, _(row.step, lang=lang)
				),
				doctype=CASE,
				name=row.service_ticket,
			)
		],
		email=False,
	)


# -- the case's timeline ---------------------------------------------------------------------------------------

ICONS = {SMS: "call", WECHAT: "es-line-chat-alt", EMAIL: "mail", NO_CHANNEL: "notification"}
INDICATORS = {
	MESSAGE_SENT: "green",
	MESSAGE_QUEUED: "orange",
	MESSAGE_FAILED: "red",
	MESSAGE_NOT_SENT: "gray",
}


def timeline(doctype: str, docname: str) -> list[dict]:
	"""Frappe's additional_timeline_content hook for the case: each message to the resident on the form's
	timeline — what, to whom, which channel, delivered or failed. The framework's way for records of another
	DocType: the Resident Message stays the one record (a Communication or Comment per message would be a
	second copy that could disagree with it)."""
	if doctype != CASE:
		return []
	rows = frappe.get_all(
		RESIDENT_MESSAGE,
		filters={"service_ticket": docname},
		fields=["name", "creation", "step", "channel", "recipient", "status", "text", "error", "attempts"],
		order_by="creation asc",
	)
	items = []
	for r in rows:
		told = (
			_("Resident told ({0}) by {1} to {2}").format(_(r.step), _(r.channel), escape_html(r.recipient))
			if r.recipient
			else _("Resident told ({0}): no channel").format(_(r.step))
		)
		detail = escape_html(r.error) if r.status in (MESSAGE_FAILED, MESSAGE_NOT_SENT) and r.error else ""
		items.append(
			{
				"icon": ICONS.get(r.channel, "notification"),
				"creation": r.creation,
				"is_card": True,
				"content": (
					f'<a href="/app/resident-message/{escape_html(r.name)}">{told}</a> '
					f'<span class="indicator-pill {INDICATORS.get(r.status, "gray")}">{_(r.status)}</span>'
					f'<div class="text-muted">{escape_html(r.text)}</div>'
					+ (f'<div class="text-danger small">{detail}</div>' if detail else "")
				),
			}
		)
	return items
