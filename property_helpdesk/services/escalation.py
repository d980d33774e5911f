"""The escalation job (R15, R20–R24, R37; ladder from R4). Runs every minute.

Cost follows the number of due cases, not the number of open ones:

1. one indexed range read of `next_escalation_at <= now`, locking the rows it takes (FOR UPDATE SKIP LOCKED, so
   a second run or a second worker takes other rows or none);
2. one read of the properties and one of the role holders the ladder needs, one of the recipients' languages;
3. one multi-row INSERT IGNORE of Escalation records whose names are their unique key (case, clock, level, and
   the work order for a job's clocks) — a record is written once, whatever happens. Messages go only for the
   records this run inserted: when the insert took fewer rows than it was given (a case whose stored progress
   was stale), it is undone to a savepoint and redone row by row to learn which ones are new;
4. one multi-row insert of system notifications (Notification Log), in each recipient's language, and one
   digest email per recipient queued (Email Queue) in the same transaction;
5. one update for all of them: each case's levels taken and its next moment.

All of it is one transaction: a run that dies half-way leaves nothing, and the next run does the whole work,
messages included. SMS, where a gateway is set, go after the commit, each on its own (a failing one is logged
and the others still go).
"""

import hashlib
import json
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import get_datetime, get_url_to_form, now_datetime

from property_helpdesk.procedure import clocks as K
from property_helpdesk.services.clocks import (
	DEADLINE_FIELDS,
	escalated_job,
	escalated_levels,
	get_ladder,
	progress_value,
)
from property_helpdesk.services.sql import insert_rows, update_by_name

ROLE_OF_LEVEL = {
	"Maintenance Supervisor": "Property Maintenance Supervisor",
	"Office Director": "Property Office Director",
	"CS Manager": "Property CS Manager",
	"General Manager": "Property General Manager",
}
PROPERTY_FIELD_OF_LEVEL = {
	"Maintenance Supervisor": "maintenance_supervisor",
	"Office Director": "office_director",
}
BATCH = 500

# SKIP LOCKED is not in frappe.qb's dialect: this one read is parameterised SQL. It walks the
# next_escalation_at index and stops at the first row not yet due.
DUE_CASES = """
	select name, subject, property, follow_up_owner, escalated_levels, {deadline_fields}
	from `tabService Ticket`
	where next_escalation_at <= %(now)s
	order by next_escalation_at
	limit %(limit)s
	for update skip locked
""".format(deadline_fields=", ".join(DEADLINE_FIELDS.values()))


ESCALATION_COLUMNS = (
	"name",
	"service_ticket",
	"work_order",
	"clock",
	"level",
	"deadline",
	"escalated_at",
	"notified_user",
)


def escalation_name(ticket: str, clock: str, level: str, work_order: str | None = None) -> str:
	"""The unique key of one breach step: a second insert of the same step is ignored. The clocks of a job
	name its work order, so that a new job on the same case (a re-dispatch) has breaches of its own."""
	key = f"{ticket}\x1f{clock}\x1f{level}"
	if work_order and clock in K.WORK_ORDER_CLOCKS:
		key += f"\x1f{work_order}"
	return "ESC-" + hashlib.sha1(key.encode()).hexdigest()[:20]


def run(now=None, limit: int = BATCH) -> int:
	"""Escalate every case that is due; return how many steps were taken (records written by this run)."""
	now = get_datetime(now) if now else now_datetime()
	cases = frappe.db.sql(DUE_CASES, {"now": now, "limit": limit}, as_dict=True)
	if not cases:
		return 0

	ladder = get_ladder()
	steps, progress = [], {}
	for case in cases:
		done = escalated_levels(case.escalated_levels)
		job = escalated_job(case.escalated_levels)
		deadlines = {clock: case[field] for clock, field in DEADLINE_FIELDS.items() if case[field]}
		for clock, deadline in deadlines.items():
			for step in K.escalations_due(get_datetime(deadline), ladder, done.get(clock, ()), now):
				done.setdefault(clock, set()).add(step.level)
				steps.append(
					(case, clock, step.level, deadline, job if clock in K.WORK_ORDER_CLOCKS else None)
				)
		progress[case.name] = (progress_value(done, job), K.next_moment(deadlines, ladder, done))

	targets = Targets(cases, steps)
	rows = [
		(
			escalation_name(case.name, clock, level, job),
			case.name,
			job,
			clock,
			level,
			deadline,
			now,
			targets.user(level, case, clock),
		)
		for case, clock, level, deadline, job in steps
	]
	save_progress(progress)
	written = insert_new(rows)

	notifications, digests = [], defaultdict(list)
	languages = targets.languages({row[-1] for row in written if row[-1]})
	subjects = {case.name: case.subject for case in cases}
	templates, words = {}, {}  # translated once per language and run

	def word(text, lang):
		if (text, lang) not in words:
			words[text, lang] = _(text, lang=lang)
		return words[text, lang]

	for _name, ticket, _job, clock, level, _deadline, _at, user in written:
		if not user:
			continue
		lang = languages.get(user)
		if lang not in templates:
			templates[lang] = _("{0} missed its {1} limit ({2}): {3}", lang=lang)
		subject = templates[lang].format(ticket, word(clock, lang), word(level, lang), subjects[ticket])
		notifications.append((frappe.generate_hash(length=12), subject, ticket, user, now))
		digests[user].append((ticket, subject))

	insert_rows(
		"Notification Log",
		["name", "subject", "document_name", "for_user", "creation", "modified"]
		+ ["document_type", "type", "from_user", "owner", "modified_by"],
		[
			(*n, n[-1], "Service Ticket", "Alert", "Administrator", "Administrator", "Administrator")
			for n in notifications
		],
	)
	if digests:
		queue_emails(digests, languages)
		if frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
			frappe.enqueue(
				"property_helpdesk.services.escalation.send_sms_digests",
				digests=dict(digests),
				enqueue_after_commit=True,
				now=frappe.flags.in_test,
			)
	return len(written)


def insert_new(rows: list[tuple]) -> list[tuple]:
	"""Write the Escalation records; return those this run wrote (a record already there is not news).

	One multi-row INSERT IGNORE; its row count says whether every record was new. When not (the case's stored
	progress was behind, e.g. after a form saved over it), the insert is undone to a savepoint and redone one
	row at a time, each row's count saying whether it is new. INSERT sees committed and locked rows, never an
	old snapshot, so two runs never both count the same record as theirs."""
	if not rows:
		return []
	frappe.db.savepoint("escalation_insert")
	insert_rows("Escalation", ESCALATION_COLUMNS, rows, ignore_duplicates=True)
	if frappe.db._cursor.rowcount == len(rows):
		return rows
	frappe.db.rollback(save_point="escalation_insert")
	written = []
	for row in rows:
		insert_rows("Escalation", ESCALATION_COLUMNS, [row], ignore_duplicates=True)
		if frappe.db._cursor.rowcount == 1:
			written.append(row)
	return written


def save_progress(progress: dict[str, tuple[str, object]]) -> None:
	"""One UPDATE for every case of the run: the levels taken and the next moment."""
	update_by_name(
		"Service Ticket",
		{
			name: {"escalated_levels": taken, "next_escalation_at": moment}
			for name, (taken, moment) in progress.items()
		},
		("escalated_levels", "next_escalation_at"),
	)


def queue_emails(digests: dict[str, list[tuple[str, str]]], languages: dict[str, str]) -> None:
	"""One email per person per run, listing every case that reached them, in their language. frappe.sendmail
	(not sent now) only writes Email Queue rows: they are part of the run's transaction, so they are committed
	with the breach records or not at all, and Frappe's email worker sends and retries them. A site without an
	outgoing email account relies on the system notifications alone."""
	if not has_outgoing_email():
		return
	emails = dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(digests))}, fields=["name", "email"], as_list=True
		)
	)
	for user, items in digests.items():
		if not emails.get(user):
			continue
		lines = "".join(
			f"<li><a href='{get_url_to_form('Service Ticket', name)}'>{frappe.utils.escape_html(subject)}</a></li>"
			for name, subject in items
		)
		frappe.sendmail(
			recipients=[emails[user]],
			subject=_(
				"Property Helpdesk: {0} case(s) past their time limit", lang=languages.get(user)
			).format(len(items)),
			message=f"<ul>{lines}</ul>",
			delayed=True,
		)


def send_sms_digests(digests: dict[str, list[tuple[str, str]]]) -> None:
	"""After the run commits: one SMS per person with a mobile number. Each is sent on its own; a failing one
	(gateway down, number refused) is logged and the others still go."""
	from frappe.core.doctype.sms_settings.sms_settings import send_sms

	mobiles = dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(digests))}, fields=["name", "mobile_no"], as_list=True
		)
	)
	for user, items in digests.items():
		if not mobiles.get(user):
			continue
		try:
			send_sms([mobiles[user]], "\n".join(subject for _name, subject in items), success_msg=False)
		except Exception:
			frappe.log_error(title=_("Escalation SMS to {0} failed").format(user))


def has_outgoing_email() -> bool:
	return bool(frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}))


class Targets:
	"""Who stands at each level of the ladder for a case (R4). Reads only what the due steps need: nothing for
	the follow-up owner, the properties for supervisor and director (and for the area administrator when
	Settings give return visits to them, R38), role holders for the rest."""

	def __init__(self, cases, steps):
		levels = {level for _case, _clock, level, _deadline, _job in steps}
		self.by_property, self.by_role = {}, {}
		self.visits_by_admin = any(clock == K.RETURN_VISIT for _c, clock, *_rest in steps) and (
			frappe.db.get_single_value("Property Helpdesk Settings", "return_visit_by")
			== "Area Administrator"
		)
		properties = {c.property for c in cases if c.property}
		if properties and (levels & set(PROPERTY_FIELD_OF_LEVEL) or self.visits_by_admin):
			for row in frappe.get_all(
				"Property",
				filters={"name": ("in", list(properties))},
				fields=["name", "office_director", "maintenance_supervisor", "area_administrator"],
			):
				self.by_property[row.name] = row
		roles = [ROLE_OF_LEVEL[level] for level in levels if level in ROLE_OF_LEVEL]
		if roles:
			has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
			rows = (
				frappe.qb.from_(has_role)
				.join(user)
				.on(user.name == has_role.parent)
				.select(has_role.role, user.name)
				.where(has_role.role.isin(roles) & (has_role.parenttype == "User") & (user.enabled == 1))
				.orderby(user.name)
			).run()
			for role, name in rows:
				self.by_role.setdefault(role, name)

	def user(self, level: str, case, clock: str | None = None) -> str | None:
		prop = self.by_property.get(case.property) or {}
		if level == "Follow-up Owner":
			# R38: a missed return visit goes to whoever Settings say makes it (the area administrator, or the
			# acceptor, who is the follow-up owner, R34).
			if clock == K.RETURN_VISIT and self.visits_by_admin and prop.get("area_administrator"):
				return prop.get("area_administrator")
			return case.follow_up_owner
		field = PROPERTY_FIELD_OF_LEVEL.get(level)
		return (field and prop.get(field)) or self.by_role.get(ROLE_OF_LEVEL.get(level))

	@staticmethod
	def languages(users: set[str]) -> dict[str, str]:
		"""Each recipient's language (their own, else the site's), for the words of their messages."""
		if not users:
			return {}
		languages = dict(
			frappe.get_all(
				"User", filters={"name": ("in", list(users))}, fields=["name", "language"], as_list=True
			)
		)
		if not all(languages.values()):
			default = frappe.get_system_settings("language") or "en"  # a cached document, no query
			languages = {name: language or default for name, language in languages.items()}
		return languages


def run_job() -> int:
	"""Scheduler entry point: one run, committed as a whole (jobs commit their own work; here one commit
	keeps the escalation records, the notifications, the queued emails and the cases' next moments together).

	The run's transaction is READ COMMITTED: its locking read of the due range then locks the rows it takes and
	no gaps, so two runs at once (two workers, or a run overlapping the next minute's) take disjoint cases
	without deadlocking on the gaps their updates of `next_escalation_at` move into."""
	frappe.db.sql("set session transaction isolation level read committed")
	try:
		frappe.db.commit()  # ends what the worker began; the next transaction is READ COMMITTED
		steps = run()
		frappe.db.commit()
		return steps
	except Exception:
		frappe.db.rollback()  # a run that dies leaves nothing: the next run takes the same cases whole
		raise
	finally:
		frappe.db.sql("set session transaction isolation level repeatable read")
		frappe.db.commit()
