"""Telling people (R2, R15, R20–R28, R32, R35): the one place the app tells a person something.

Every part of the app that must tell someone calls this module, never Notification Log, ToDo or sendmail
directly:

- `tell(messages)` — system notifications: real Notification Log documents, written in bulk where there are
  many, then one realtime publish per user after the commit so the desk bell lights without a reload; users
  who turned notifications off in their Notification Settings are left out (as Frappe's own
  `make_notification_logs` does); where an outgoing email account exists, one email per user through Email
  Queue (frappe.sendmail, queued in the same transaction) for those whose Notification Settings allow email.
- `email(...)` — one email to addresses that are not users (the reports' recipients), through Email Queue.
- `assign(...)` — Frappe's own assignment (`frappe.desk.form.assign_to.add`: the ToDo, the user's share of the
  document, its Assignment notification), run after the commit so that a save which fails leaves nobody
  assigned, and never twice to the same open person.
- `unassign(...)` — the person's open assignment closed (a technician replaced).
- `untold(...)` / `remember(...)` — what a scheduled job already told whom, kept in the app's own log
  (Property Helpdesk Notice), not in Notification Log rows a user can clear.

- `sms(messages)` — one SMS per person through Frappe's SMS Settings gateway, after the commit.

Residents are told by `services/resident_messages.py` (SMS through the provider of Settings, WeChat, email),
which records each message on the case.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import escape_html, get_url_to_form, now_datetime

from property_helpdesk.services import jobs
from property_helpdesk.services.sql import insert_rows

SYSTEM_USER = "Administrator"  # the sender of what the procedure itself says (escalations, nudges)
LOG_COLUMNS = ("name", "subject", "document_name", "for_user")
OPTIONAL_LOG_COLUMNS = (
	"email_content",
	"link",
)  # written only when a message has them ("read" is 0 by default)


@dataclass(frozen=True)
class Message:
	"""One thing one person is told about one document."""

	user: str
	subject: str
	doctype: str
	name: str
	email_content: str | None = None
	link: str | None = None  # a list or page rather than the document's form


def tell(
	messages: list[Message],
	*,
	kind: str = "Alert",
	from_user: str = SYSTEM_USER,
	email: bool = True,
	digest_subject=None,
	people: dict | None = None,
) -> list[Message]:
	"""Tell each message's user; return the messages delivered (users who turned notifications off, disabled
	users and nobody are left out). `digest_subject(count, lang)`, when given, titles each user's email (a
	digest, even of one message); without it one message's email carries its own subject. `people`: the
	users' `recipients`, when the caller read them already (for their languages)."""
	messages = [m for m in messages if m.user]
	if not messages:
		return []
	if people is None:
		people = recipients({m.user for m in messages})
	delivered = [m for m in messages if m.user in people and people[m.user].notifications]
	if not delivered:
		return []
	now = now_datetime()
	# One multi-row insert rather than a document per message: an escalation run tells hundreds at once (see
	# benchmarks/escalation.py, and services/sql for why not frappe.db.bulk_insert on this path). What Frappe's
	# NotificationLog.after_insert does for each (the realtime publish, "unseen") is done below once per user.
	optional = [c for c in OPTIONAL_LOG_COLUMNS if any(getattr(m, c) for m in delivered)]
	doctypes = {m.doctype for m in delivered}
	one_doctype = len(doctypes) == 1
	insert_rows(
		"Notification Log",
		(*LOG_COLUMNS, *optional, *(() if one_doctype else ("document_type",))),
		[
			(
				frappe.generate_hash(length=12),
				cleaned(m.subject),
				m.name,
				m.user,
				*(cleaned(getattr(m, c)) if c == "email_content" else getattr(m, c) for c in optional),
				*(() if one_doctype else (m.doctype,)),
			)
			for m in delivered
		],
		constants={
			**({"document_type": next(iter(doctypes))} if one_doctype else {}),
			"from_user": from_user,
			"type": kind,
			"creation": now,
			"modified": now,
			"owner": from_user,
			"modified_by": from_user,
		},
	)
	users = sorted({m.user for m in delivered})
	frappe.db.set_value("Notification Settings", {"name": ("in", users)}, "seen", 0, update_modified=False)
	for user in users:
		frappe.publish_realtime("notification", user=user, after_commit=True)
	if email:
		queue_emails(delivered, digest_subject, people)
	return delivered


@dataclass(frozen=True)
class Recipient:
	"""What telling one user needs."""

	language: str
	email: str | None
	notifications: bool  # Notification Settings → Enabled (system notifications)
	emails: bool  # Notification Settings → Enable Email Notifications


def recipients(users) -> dict[str, Recipient]:
	"""The enabled users among `users`, with their language (their own, else the site's), email address and
	Notification Settings; one query whatever the number of users. A user without Notification Settings has
	Frappe's defaults (both on), as in Frappe's is_notifications_enabled."""
	users = list(users)
	if not users:
		return {}
	default = frappe.get_system_settings("language") or "en"  # a cached document, no query
	user, settings = frappe.qb.DocType("User"), frappe.qb.DocType("Notification Settings")
	rows = (
		frappe.qb.from_(user)
		.left_join(settings)
		.on(settings.name == user.name)
		.select(user.name, user.language, user.email, settings.enabled, settings.enable_email_notifications)
		.where(user.name.isin(users) & (user.enabled == 1))
	).run()
	return {
		name: Recipient(
			language=language or default,
			email=email,
			notifications=enabled is None or bool(enabled),
			emails=enable_email is None or bool(enable_email),
		)
		for name, language, email, enabled, enable_email in rows
	}


def cleaned(text: str | None) -> str | None:
	"""What Frappe's insert of a Notification Log would store (BaseDocument._sanitize_content), which the
	multi-row insert skips: the desk's bell shows a subject as HTML, and a case's words may carry markup."""
	from frappe.utils.html_utils import sanitize_html

	return sanitize_html(text) if text and "<" in text else text


def notifiable(users: set[str]) -> set[str]:
	"""Enabled users who have not turned system notifications off (Notification Settings → Enabled)."""
	return {name for name, person in recipients(users).items() if person.notifications}


def languages(users) -> dict[str, str]:
	"""Each user's language (their own, else the site's), for the words of their messages."""
	users = list(users)
	if not users:
		return {}
	default = frappe.get_system_settings("language") or "en"  # a cached document, no query
	user = frappe.qb.DocType("User")
	found = dict(frappe.qb.from_(user).select(user.name, user.language).where(user.name.isin(users)).run())
	return {name: found.get(name) or default for name in users}


def has_outgoing_email() -> bool:
	return bool(frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}))


def queue_emails(
	messages: list[Message], digest_subject=None, people: dict[str, Recipient] | None = None
) -> None:
	"""One email per user through Email Queue, for users whose Notification Settings allow email. Queued, not
	sent: the rows are part of the caller's transaction and Frappe's email worker sends and retries them. A
	site without an outgoing email account relies on the system notifications alone. `people`: the users'
	`recipients`, when the caller has them already."""
	if not has_outgoing_email():
		return
	by_user = defaultdict(list)
	for m in messages:
		by_user[m.user].append(m)
	if people is None:
		people = recipients(by_user)
	for user, items in by_user.items():
		person = people.get(user)
		if not person or not person.email or not person.emails:
			continue
		lang = person.language
		if digest_subject:
			subject = digest_subject(len(items), lang)
		elif len(items) == 1:
			subject = items[0].subject
		else:
			subject = _("{0} notifications", lang=lang).format(len(items))
		lines = "".join(
			f"<li><a href='{(m.link and frappe.utils.get_url(m.link)) or get_url_to_form(m.doctype, m.name)}'>"
			f"{escape_html(m.subject)}</a></li>"
			for m in items
		)
		frappe.sendmail(recipients=[person.email], subject=subject, message=f"<ul>{lines}</ul>", delayed=True)


def email(recipients: list[str], subject: str, message: str, attachments=None) -> str | None:
	"""One email to addresses (not users: e.g. the report recipients of Settings) through Email Queue, queued in
	the caller's transaction. Returns the Email Queue name."""
	queued = frappe.sendmail(
		recipients=recipients, subject=subject, message=message, attachments=attachments, delayed=True
	)
	return queued.name if queued else None


# -- assignments --------------------------------------------------------------------------------------------


def assign(doctype: str, name: str, user: str, description: str, priority: str = "Medium", date=None) -> None:
	"""Assign the document to the user with Frappe's assignment, as the current transaction commits (a save
	that fails and rolls back assigns nobody). Tests run in line, as Frappe's own notifications do."""
	if not user:
		return
	jobs.enqueue_after_commit(
		"property_helpdesk.services.notify.assign_now",
		doctype=doctype,
		name=name,
		user=user,
		description=description,
		priority=priority,
		date=date,
		now=frappe.flags.in_test,
	)


def assign_now(
	doctype: str, name: str, user: str, description: str, priority: str = "Medium", date=None
) -> bool:
	"""The assignment itself; nothing when the user already has it open. Returns whether one was made."""
	from frappe.desk.form.assign_to import add

	if is_assigned(doctype, name, user):
		return False
	add(
		{
			"assign_to": [user],
			"doctype": doctype,
			"name": name,
			"description": description,
			"priority": priority,
			**({"date": date} if date else {}),  # else Frappe's own default, today
		},
		ignore_permissions=True,
	)
	return True


def is_assigned(doctype: str, name: str, user: str) -> bool:
	return bool(
		frappe.db.exists(
			"ToDo",
			{"reference_type": doctype, "reference_name": name, "allocated_to": user, "status": "Open"},
		)
	)


def unassign(doctype: str, name: str, user: str) -> None:
	"""Close the user's open assignment of the document as the current transaction commits (Frappe's own
	removal, with its notification): a save that fails and rolls back takes nobody's assignment away."""
	if not user:
		return
	jobs.enqueue_after_commit(
		"property_helpdesk.services.notify.unassign_now",
		doctype=doctype,
		name=name,
		user=user,
		now=frappe.flags.in_test,
	)


def unassign_now(doctype: str, name: str, user: str) -> bool:
	"""The removal itself; nothing when the user holds no open assignment. Returns whether one was closed."""
	from frappe.desk.form.assign_to import remove

	if not is_assigned(doctype, name, user):
		return False
	remove(doctype, name, user, ignore_permissions=True)
	return True


# -- SMS ----------------------------------------------------------------------------------------------------


def sms(messages: list[Message], failure_title: str | None = None) -> None:
	"""One SMS per person (their messages joined), through Frappe's SMS Settings gateway, after the commit: a
	site without a gateway sends none, and a failing send never rolls back what the messages are about; it is
	logged under `failure_title` ("… {0} …", the person)."""
	if not messages or not frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
		return
	texts = defaultdict(list)
	for m in messages:
		texts[m.user].append(m.subject)
	jobs.enqueue_after_commit(
		"property_helpdesk.services.notify.send_sms_now",
		texts={user: "\n".join(lines) for user, lines in texts.items()},
		failure_title=failure_title or _("SMS to {0} failed"),
		now=frappe.flags.in_test,
	)


def send_sms_now(texts: dict[str, str], failure_title: str) -> None:
	"""Each person's SMS on its own, to their mobile number, through the SMS Settings gateway as the residents'
	are (`channels.sms_gateway`: a timeout, which Frappe's `send_sms` has not, and Frappe's SMS Log); a failing
	one (gateway down, number refused) is logged and the others still go."""
	from property_helpdesk.services.channels import SMS, Outgoing, sms_gateway

	mobiles = dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(texts))}, fields=["name", "mobile_no"], as_list=True
		)
	)
	for user, text in texts.items():
		if not mobiles.get(user):
			continue
		try:
			sms_gateway.send(Outgoing(channel=SMS, recipient=mobiles[user], step=STAFF_SMS, text=text))
		except Exception:
			frappe.log_error(title=failure_title.format(user))


STAFF_SMS = "Staff Notice"  # the step a staff SMS is sent as (the gateway sends its text as it is)


# -- what scheduled jobs already told ------------------------------------------------------------------------

NOTICE = "Property Helpdesk Notice"


def notice_name(notice: str, message: Message, period=None) -> str:
	"""The unique key of one thing told: what (`notice`), about which document, to whom, and for which period
	(a day reported, the day of a daily reminder; None for once ever)."""
	key = "\x1f".join(
		str(part or "") for part in (notice, message.doctype, message.name, message.user, period)
	)
	return "PHN-" + hashlib.sha1(key.encode()).hexdigest()[:20]


def untold(messages: list[Message], notice: str, period=None) -> list[Message]:
	"""The messages not yet told (one query): a scheduled job's "already told" check. The app's own log, so a
	user clearing their notifications never brings a nudge back."""
	messages = [m for m in messages if m.user]
	if not messages:
		return []
	names = {notice_name(notice, m, period): m for m in messages}
	told = set(frappe.get_all(NOTICE, filters={"name": ("in", list(names))}, pluck="name"))
	return [m for name, m in names.items() if name not in told]


def remember(messages: list[Message], notice: str, period=None) -> None:
	"""Record the messages as told, in the caller's transaction (a run that fails records nothing)."""
	if not messages:
		return
	now = now_datetime()
	frappe.db.bulk_insert(
		NOTICE,
		("name", "notice", "document_type", "document_name", "for_user", "period", "creation", "modified")
		+ ("owner", "modified_by"),
		[
			(
				notice_name(notice, m, period),
				notice,
				m.doctype,
				m.name,
				m.user,
				str(period) if period else None,
				now,
				now,
				SYSTEM_USER,
				SYSTEM_USER,
			)
			for m in messages
		],
		ignore_duplicates=True,
	)


def tell_once(messages: list[Message], notice: str, period=None, **kwargs) -> list[Message]:
	"""Tell what is not yet told (see `untold`) and remember it; return the messages newly told, including
	those whose user turned notifications off (the app did its part; turning them on brings no old nudge)."""
	new = untold(messages, notice, period)
	tell(new, **kwargs)
	remember(new, notice, period)
	return new
